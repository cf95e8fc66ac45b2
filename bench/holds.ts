/**
 * Booking benchmarks (DESIGN §10, README "Bookings and payments"):
 *
 * - `benchHolds`: 64 clients in one process hammer one kitchen with holds on
 *   a temp-file KV through `createHold`, the function the booking route
 *   calls: holds per second, how many attempts lost to a conflict, and the
 *   latency of one attempt. It also checks what it measured: no two holds
 *   overlap, and every conflict overlapped a hold that won (a conflict that
 *   overlaps nothing means createHold ran out of retries on a busy day).
 * - `seedBookings`: a few hundred confirmed bookings on one kitchen, spread
 *   over its booking window, to measure the kitchen page with a busy calendar.
 */
import type { SessionUser } from "../lib/accounts/schema.ts";
import { createHold, requestedInterval } from "../lib/bookings/holds.ts";
import { confirmPayment } from "../lib/bookings/lifecycle.ts";
import type { HoldRequest } from "../lib/bookings/schema.ts";
import { keys } from "../lib/db/keys.ts";
import { ConflictError } from "../lib/errors.ts";
import { readyDemoPayout } from "../lib/hosts/payouts.ts";
import type { Host } from "../lib/hosts/schema.ts";
import { newId } from "../lib/ids.ts";
import { daySlots, localToday } from "../lib/kitchens/free_time.ts";
import { addKitchenCreate, newKitchen } from "../lib/kitchens/repo.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { ALLOW_ALL, kitchenFixture } from "../tests/helpers.ts";
import { givePermits } from "../tests/compliance_helpers.ts";

const FEES = { renterFeeBps: 0, platformFeeBps: 1500 };

/** A renter who may book: a fresh one per hold, so the 3-unpaid-holds limit never applies. */
function freshRenter(now: number): SessionUser {
  const at = new Date(now).toISOString();
  return {
    v: 1,
    id: newId(),
    email: "bench@prep.test",
    name: "Bench Renter",
    roles: ["renter"],
    emailVerifiedAt: at,
    phone: null,
    businessName: null,
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * The test suite's kitchen (open 08:00–20:00 daily, 2–12 hours, booked
 * instantly) with 30 minutes between bookings, like the demo kitchens.
 */
const BENCH_KITCHEN = kitchenFixture({
  title: "Bench Kitchen",
  description: "The one kitchen every client of the hold benchmark books.",
  equipment: ["convection_oven"],
  storage: ["dry"],
  bufferMinutes: 30,
});

/** "09:30" from minutes since midnight. */
const clock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${
    String(minutes % 60).padStart(2, "0")
  }`;

/** A 2, 2½ or 3 hour interval in opening hours on one of the next 14 days. */
function randomRequest(kitchen: Kitchen, today: string): HoldRequest {
  const date = Temporal.PlainDate.from(today)
    .add({ days: 1 + Math.floor(Math.random() * 14) }).toString();
  const minutes = 120 + 30 * Math.floor(Math.random() * 3);
  const open = 8 * 60;
  const close = 20 * 60;
  const steps = (close - open - minutes) / 30 + 1;
  const start = open + 30 * Math.floor(Math.random() * steps);
  return {
    kitchen: kitchen.id,
    date,
    start: clock(start),
    end: clock(start + minutes),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export interface HoldBenchResult {
  clients: number;
  seconds: number;
  attempts: number;
  held: number;
  conflicts: number;
  /** Conflicts that overlapped no hold that won: createHold gave up after its retries. */
  conflictsWithoutOverlap: number;
  /** Pairs of holds closer than the kitchen's buffer; must be 0. */
  overlappingHolds: number;
  /** Anything but a hold or a ConflictError, by message. */
  errors: Record<string, number>;
  /** Every attempt, held or not. */
  latency: Latency;
  /** Attempts that got their hold. */
  heldLatency: Latency;
  /** Seconds from the start to the last hold that succeeded (the calendar was full after). */
  lastHeldAt: number;
}

export interface Latency {
  p50: number;
  p99: number;
  max: number;
}

function latencyOf(ms: number[]): Latency {
  const sorted = ms.toSorted((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? NaN,
  };
}

/**
 * `clients` concurrent loops for `seconds`, each: pick a random interval on
 * the one kitchen, createHold for a fresh renter, time it. A temp-file KV,
 * removed afterwards.
 */
export async function benchHolds(
  opts: { clients?: number; seconds: number },
): Promise<HoldBenchResult> {
  const clients = opts.clients ?? 64;
  const dir = await Deno.makeTempDir({ prefix: "prep-bench-holds-" });
  const kv = await Deno.openKv(`${dir}/holds.kv`);
  try {
    const start = Date.now();
    const host: Host = {
      v: 2,
      id: newId(),
      name: "Bench Host",
      about: "",
      createdAt: new Date(start).toISOString(),
      payout: readyDemoPayout(new Date(start).toISOString()),
    };
    await kv.set(keys.host(host.id), host);
    const kitchen = newKitchen(host.id, BENCH_KITCHEN, {
      status: "published",
    });
    if (!(await addKitchenCreate(kv.atomic(), kitchen).commit()).ok) {
      throw new Error("could not write the bench kitchen");
    }
    await givePermits(kv, kitchen, start);
    const today = localToday(kitchen.timeZone, start);

    const latencies: number[] = [];
    const heldLatencies: number[] = [];
    let lastHeldAt = 0;
    const lost: { start: number; end: number }[] = [];
    const errors: Record<string, number> = {};
    let held = 0;
    const deadline = performance.now() + opts.seconds * 1000;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < deadline) {
          const req = randomRequest(kitchen, today);
          const now = Date.now();
          const t0 = performance.now();
          try {
            await createHold(
              {
                kv,
                now,
                fees: FEES,
                policy: ALLOW_ALL,
                wake: false,
                payments: "demo",
              },
              freshRenter(now),
              req,
            );
            const t1 = performance.now();
            latencies.push(t1 - t0);
            heldLatencies.push(t1 - t0);
            lastHeldAt = t1;
            held++;
          } catch (err) {
            latencies.push(performance.now() - t0);
            if (err instanceof ConflictError) {
              lost.push(requestedInterval(kitchen, req));
            } else {
              const key = err instanceof Error ? err.message : String(err);
              errors[key] = (errors[key] ?? 0) + 1;
            }
          }
        }
      }),
    );
    const elapsed = (performance.now() - began) / 1000;

    // What won, as stored.
    const won: { start: number; end: number }[] = [];
    const iter = kv.list<string>({
      prefix: keys.bookingsByKitchenPrefix(kitchen.id),
    });
    for await (const e of iter) {
      const b = (await kv.get<{ start: number; end: number }>(
        keys.booking(e.value),
      )).value!;
      won.push({ start: b.start, end: b.end });
    }
    won.sort((a, b) => a.start - b.start);
    const gap = kitchen.bufferMinutes * 60_000;
    let overlappingHolds = 0;
    for (let i = 1; i < won.length; i++) {
      if (won[i].start < won[i - 1].end + gap) overlappingHolds++;
    }
    if (won.length !== held) {
      throw new Error(`${held} holds succeeded but ${won.length} are stored`);
    }
    const conflictsWithoutOverlap = lost.filter((l) =>
      !won.some((w) =>
        w.start < l.end + gap && w.end > l.start - gap
      )
    ).length;

    return {
      clients,
      seconds: elapsed,
      attempts: latencies.length,
      held,
      conflicts: lost.length,
      conflictsWithoutOverlap,
      overlappingHolds,
      errors,
      latency: latencyOf(latencies),
      heldLatency: latencyOf(heldLatencies),
      lastHeldAt: held > 0 ? (lastHeldAt - began) / 1000 : 0,
    };
  } finally {
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** "09:30" on the kitchen's wall clock. */
function wallClock(timeZone: string, ms: number): string {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(
    timeZone,
  ).toPlainTime().toString({ smallestUnit: "minute" });
}

/**
 * Up to `count` confirmed bookings on `kitchen`, each at a start the kitchen
 * page offered, taken round-robin over the days of its booking window (one
 * per day per pass) so the busy time is spread, not one full fortnight.
 * Held through createHold, then confirmed as a payment would, so they are
 * firm (they never lapse). The kitchen's host must be payout-ready; nobody
 * involved has an account, so no emails are queued. How many it made.
 */
export async function seedBookings(
  kv: Deno.Kv,
  kitchen: Kitchen,
  count: number,
): Promise<number> {
  const now = Date.now();
  const first = Temporal.PlainDate.from(localToday(kitchen.timeZone, now));
  const dates = Array.from(
    { length: kitchen.bookingWindowDays },
    (_, i) => first.add({ days: i }).toString(),
  );
  const lifecycle = {
    kv,
    now,
    mail: { from: "bench@prep.test", baseUrl: "http://127.0.0.1", wake: false },
  };
  let made = 0;
  let open = dates;
  while (made < count && open.length > 0) {
    const stillOpen: string[] = [];
    for (const date of open) {
      if (made >= count) break;
      const [slot] = await daySlots(kv, kitchen, date, now);
      if (!slot) continue;
      const startMs = slot.start;
      const endMs = Math.min(
        slot.maxEnd,
        startMs + kitchen.minHours * 3600_000,
      );
      const b = await createHold(
        {
          kv,
          now,
          fees: FEES,
          policy: ALLOW_ALL,
          wake: false,
          payments: "demo",
        },
        freshRenter(now),
        {
          kitchen: kitchen.id,
          date,
          start: wallClock(kitchen.timeZone, startMs),
          end: wallClock(kitchen.timeZone, endMs),
        },
      );
      await confirmPayment(lifecycle, b.id, {
        provider: "demo",
        checkoutSessionId: `bench_cs_${b.id}`,
        paymentIntentId: `bench_pi_${b.id}`,
        chargeId: `bench_ch_${b.id}`,
      });
      made++;
      stillOpen.push(date);
    }
    open = stillOpen;
  }
  return made;
}
