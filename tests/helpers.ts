import type { BookingPolicy } from "../lib/bookings/holds.ts";
import { quote } from "../lib/bookings/pricing.ts";
import type { Booking } from "../lib/bookings/schema.ts";
import { createServices } from "../lib/app.ts";
import { loadConfig } from "../lib/config.ts";
import { keys } from "../lib/db/keys.ts";
import { newId } from "../lib/ids.ts";
import { loadManifest } from "../lib/islands/manifest.ts";
import {
  addKitchenCreate,
  getKitchen,
  newKitchen,
} from "../lib/kitchens/repo.ts";
import { givePermits } from "./compliance_helpers.ts";
import { type Host, noPayout, type PayoutStatus } from "../lib/hosts/schema.ts";
import type { Kitchen, KitchenInput } from "../lib/kitchens/schema.ts";
import { createApp } from "../routes/app.tsx";

/** Map tiles for tests: a path every browser test's server answers (tests/e2e/browser.ts). */
export const TEST_TILE_URL = "/test-tiles/{z}/{x}/{y}.svg";

/** A valid kitchen input; tests override what they are about. */
export function kitchenFixture(over: Partial<KitchenInput> = {}): KitchenInput {
  return {
    title: "Test Kitchen",
    description:
      "A clean commercial kitchen used by the test suite for its fixtures.",
    rules: ["Clean down every surface"],
    address: {
      line1: "1 Test St",
      neighborhood: "Wicker Park",
      city: "chicago",
      state: "IL",
      postalCode: "60622",
    },
    lat: 41.9,
    lng: -87.67,
    timeZone: "America/Chicago",
    photos: [],
    equipment: ["convection_oven", "stand_mixer"],
    storage: ["dry", "cold"],
    capacity: 4,
    hourlyPriceCents: 4000,
    cleaningFeeCents: 2500,
    currency: "usd",
    minHours: 2,
    maxHours: 12,
    bufferMinutes: 0,
    minNoticeHours: 0,
    bookingWindowDays: 60,
    weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
      day,
      start: "08:00",
      end: "20:00",
    })),
    blackoutDates: [],
    cancellationPolicy: "moderate",
    bookingMode: "instant",
    ...over,
  };
}

/** Writes a host profile; without payouts set up unless `payout` says so. */
export async function addHost(
  kv: Deno.Kv,
  name = "Test Host",
  opts: { payout?: PayoutStatus } = {},
): Promise<Host> {
  const host: Host = {
    v: 2,
    id: newId(),
    name,
    about: "",
    createdAt: new Date().toISOString(),
    payout: opts.payout ?? noPayout(),
  };
  await kv.set(keys.host(host.id), host);
  return host;
}

/**
 * Writes kitchens directly (published unless said otherwise), each with its
 * city's required permits uploaded and verified unless `permits` is false:
 * without them a kitchen is in no search and takes no holds.
 */
export async function addKitchens(
  kv: Deno.Kv,
  hostId: string,
  inputs: KitchenInput[],
  status: Kitchen["status"] = "published",
  opts: { permits?: boolean; now?: number } = {},
): Promise<Kitchen[]> {
  const out: Kitchen[] = [];
  for (const input of inputs) {
    const k = newKitchen(hostId, input, { status });
    const res = await addKitchenCreate(kv.atomic(), k).commit();
    if (!res.ok) throw new Error("fixture write failed");
    if (opts.permits === false) {
      out.push(k);
      continue;
    }
    await givePermits(kv, k, opts.now ?? Date.parse("2026-06-01T12:00:00Z"));
    out.push((await getKitchen(kv, k.id))!);
  }
  return out;
}

/**
 * The real app on an in-memory KV; `close()` releases it. The clock stands
 * still unless a test moves it with `advance`.
 */
export async function testApp(
  now = Date.parse("2026-12-01T15:00:00Z"),
  env: Record<string, string> = {},
) {
  const kv = await Deno.openKv(":memory:");
  const config = loadConfig({
    APP_ENV: "test",
    DENO_KV_PATH: ":memory:",
    KV_QUEUES: "false",
    // Tests have no network: the browser tests' server draws these tiles
    // itself (tests/e2e/browser.ts).
    MAP_TILE_URL: TEST_TILE_URL,
    ...env,
  });
  const manifest = await loadManifest();
  let current = now;
  const services = createServices(config, kv, () => current);
  const app = createApp({ services, manifest });
  return {
    kv,
    app,
    config,
    services,
    now,
    clock: () => current,
    advance: (ms: number) => {
      current += ms;
    },
    request: (path: string, init?: RequestInit) => app.request(path, init),
    close: () => kv.close(),
  };
}

/**
 * A policy that allows every booking and adds no lines: for tests of the
 * calendar and its races, which are not about the city's rules (those run
 * the real `compliancePolicy` in compliance_booking_test.ts).
 */
export const ALLOW_ALL: BookingPolicy = {
  extraLines: () => [],
  assess: () =>
    Promise.resolve({
      decision: "ALLOW",
      denies: [],
      conditions: [],
      checks: [],
    }),
};

/**
 * A confirmed, paid-looking booking written straight to KV with its indexes,
 * for staff pages that list bookings; it takes no calendar time.
 */
export async function addConfirmedBooking(
  kv: Deno.Kv,
  k: Kitchen,
  renterId: string,
  start: number,
  now: number,
): Promise<Booking> {
  const b: Booking = {
    v: 1,
    id: newId(),
    kitchenId: k.id,
    renterId,
    hostId: k.hostId,
    start,
    end: start + 3 * 3600_000,
    timeZone: k.timeZone,
    localDate: "2026-12-03",
    localStart: "09:00",
    localEnd: "12:00",
    status: "confirmed",
    mode: "instant",
    quote: quote({
      hourlyPriceCents: k.hourlyPriceCents,
      cleaningFeeCents: k.cleaningFeeCents,
      durationMinutes: 180,
    }),
    bufferMs: 0,
    claimDays: ["2026-12-03"],
    holdExpiresAt: null,
    respondBy: null,
    payment: {
      provider: "demo",
      checkoutSessionId: null,
      paymentIntentId: null,
      chargeId: null,
    },
    ledger: [],
    accessCode: "1234",
    cancellation: null,
    disputed: false,
    note: null,
    rulesAcceptedAt: now,
    createdAt: now,
    updatedAt: now,
  };
  const res = await kv.atomic()
    .set(keys.booking(b.id), b)
    .set(keys.bookingsByKitchen(k.id, b.start, b.id), b.id)
    .set(keys.bookingsByRenter(renterId, b.start, b.id), b.id)
    .set(keys.bookingsByHost(k.hostId, b.start, b.id), b.id)
    .commit();
  if (!res.ok) throw new Error("fixture write failed");
  return b;
}
