import { mulberry32 } from "../lib/random.ts";
/**
 * A large procedural catalogue for load and search benchmarks.
 *
 *   deno run -A scripts/seed_bench.ts <kvPath> <count>
 *
 * Kitchens are spread evenly over every city, belong to one bench host and
 * share five stored photos. Each run adds `count` new kitchens.
 */
import { CITIES } from "../lib/cities.ts";
import { keys } from "../lib/db/keys.ts";
import { putFile } from "../lib/files/store.ts";
import {
  ART_SCENES,
  describeKitchenArt,
  renderKitchenArt,
} from "./demo/kitchen_art.ts";
import type { CancellationPolicy } from "../lib/kitchens/policy.ts";
import { CANCELLATION_POLICIES } from "../lib/kitchens/policy.ts";
import { readyDemoPayout } from "../lib/hosts/payouts.ts";
import type { Host } from "../lib/hosts/schema.ts";
import { addKitchenCreate, newKitchen } from "../lib/kitchens/repo.ts";
import {
  type Kitchen,
  type KitchenInput,
  kitchenInput,
  type PhotoRef,
} from "../lib/kitchens/schema.ts";
import {
  EQUIPMENT,
  EQUIPMENT_IDS,
  STORAGE_IDS,
} from "../lib/kitchens/vocabulary.ts";
import { AtomicPlan, DEMO_KITCHENS, HOURS, RULES } from "./demo/catalogue.ts";
import { migrationList } from "../lib/app.ts";
import { runMigrations } from "../lib/db/migrations/runner.ts";

export const BENCH_HOST_ID = "bench-host";
/**
 * At most this many kitchens per atomic: ~23 mutations (the search terms
 * staff find a kitchen by among them) and ~1.5 KB of keys each.
 */
export const BENCH_BATCH = 36;
/** Equipment per bench kitchen is capped so a batch stays under 1000 mutations. */
const MAX_EQUIPMENT = 8;
/** Commits in flight at once, so building the next batch overlaps the write. */
const IN_FLIGHT = 4;

const PHOTO_COUNT = 5;
const NOUNS = [
  "Shared Kitchen",
  "Commissary",
  "Production Kitchen",
  "Bakehouse",
  "Test Kitchen",
  "Catering Kitchen",
  "Prep Kitchen",
  "Kitchen Studio",
];
const HOUR_PATTERNS = Object.keys(HOURS) as (keyof typeof HOURS)[];
const RULE_TEXTS = Object.values(RULES);

function benchPhotos(): (PhotoRef & { seed: number })[] {
  return Array.from({ length: PHOTO_COUNT }, (_, i) => {
    const scene = ART_SCENES[i % ART_SCENES.length];
    let seed = 31_337 + i;
    let alt = describeKitchenArt({ seed, scene });
    while (alt.length > 200) alt = describeKitchenArt({ seed: ++seed, scene });
    return {
      id: `0000BENCHPH0T0${String(i + 1).padStart(12, "0")}`,
      alt,
      seed,
    };
  });
}

/** A random subset of `xs` with between `min` and `max` items, in vocabulary order. */
function subset<T>(
  xs: readonly T[],
  min: number,
  max: number,
  rnd: () => number,
): T[] {
  const want = min + Math.floor(rnd() * (max - min + 1));
  const picked = new Set<number>();
  while (picked.size < want) picked.add(Math.floor(rnd() * xs.length));
  return [...picked].sort((a, b) => a - b).map((i) => xs[i]);
}

/** The bench kitchen number `n` (deterministic apart from the caller's id). */
export function benchKitchenInput(n: number, photos: PhotoRef[]): KitchenInput {
  const rnd = mulberry32(n * 2654435761);
  const city = CITIES[n % CITIES.length];
  const rows = DEMO_KITCHENS[city.slug];
  const row = rows[Math.floor(n / CITIES.length) % rows.length];
  const equipment = subset(EQUIPMENT_IDS, 3, MAX_EQUIPMENT, rnd);
  const storage = subset(STORAGE_IDS, 1, 3, rnd);
  const minHours = 1 + Math.floor(rnd() * 4);
  const noun = NOUNS[Math.floor(rnd() * NOUNS.length)];
  const first = photos[n % photos.length];
  const policy: CancellationPolicy =
    CANCELLATION_POLICIES[Math.floor(rnd() * CANCELLATION_POLICIES.length)];
  return {
    title: `${row.hood} ${noun} ${n + 1}`,
    description: `Bench kitchen in ${row.hood}, ${city.name}, with ${
      equipment.slice(0, 3).map((e) => EQUIPMENT[e].toLowerCase()).join(", ")
    } and room for ${2 + (n % 11)} cooks.`,
    rules: subset(RULE_TEXTS, 3, 5, rnd),
    address: {
      line1: `${100 + (n % 9000)} ${row.line1.replace(/^[\d-]+\s+/, "")}`,
      neighborhood: row.hood,
      city: city.slug,
      state: city.state,
      postalCode: row.zip,
    },
    lat: Math.round((row.lat + (rnd() - 0.5) * 0.02) * 1e5) / 1e5,
    lng: Math.round((row.lng + (rnd() - 0.5) * 0.02) * 1e5) / 1e5,
    timeZone: city.timeZone,
    photos: [first, ...photos.filter((p) => p !== first).slice(0, 2)],
    equipment,
    storage,
    capacity: 2 + (n % 11),
    hourlyPriceCents: (25 + Math.floor(rnd() * 71)) * 100,
    cleaningFeeCents: Math.floor(rnd() * 13) * 500,
    currency: "usd",
    minHours,
    maxHours: 8 + Math.floor(rnd() * 9),
    bufferMinutes: [0, 15, 30, 60][Math.floor(rnd() * 4)],
    minNoticeHours: 2 + Math.floor(rnd() * 47),
    bookingWindowDays: 30 + Math.floor(rnd() * 91),
    weeklyHours: HOURS[HOUR_PATTERNS[n % HOUR_PATTERNS.length]],
    blackoutDates: [],
    cancellationPolicy: policy,
    bookingMode: "instant",
  };
}

/**
 * Adds `count` published kitchens, evenly over the cities, in atomics of at
 * most BENCH_BATCH kitchens. Also writes the bench host and its five photos.
 */
export async function seedBenchCatalogue(
  kv: Deno.Kv,
  count: number,
  opts: { onProgress?: (done: number) => void; now?: Date } = {},
): Promise<void> {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a whole number, got ${count}`);
  }
  // The store starts at the latest schema version, as one the app made
  // would: an app started on it then has nothing to migrate.
  await runMigrations(kv, migrationList());
  const now = opts.now ?? new Date();
  const photos = benchPhotos();
  for (const [i, p] of photos.entries()) {
    const svg = renderKitchenArt({
      seed: p.seed,
      scene: ART_SCENES[i % ART_SCENES.length],
    });
    await putFile(kv, {
      id: p.id,
      bytes: new TextEncoder().encode(svg),
      contentType: "image/svg+xml",
    });
  }
  const refs = photos.map(({ id, alt }) => ({ id, alt }));
  const host: Host = {
    v: 2,
    id: BENCH_HOST_ID,
    name: "Bench Kitchens Inc.",
    about: "Owner of the generated benchmark catalogue.",
    createdAt: now.toISOString(),
    payout: readyDemoPayout(now.toISOString()),
  };
  await kv.set(keys.host(host.id), host);

  // Numbering continues after kitchens the bench host already has.
  let offset = 0;
  for await (
    const _ of kv.list({ prefix: keys.kitchensByHostPrefix(BENCH_HOST_ID) })
  ) offset++;

  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  let done = 0;
  let reported = 0;
  for (let first = 0; first < count && !failure; first += BENCH_BATCH) {
    const batch: Kitchen[] = [];
    for (let n = first; n < Math.min(count, first + BENCH_BATCH); n++) {
      const input = kitchenInput.parse(benchKitchenInput(offset + n, refs));
      // Load data, not a demo: the standing is written as verified rather
      // than through 400,000 permit documents, which search never reads.
      batch.push({
        ...newKitchen(BENCH_HOST_ID, input, { status: "published", now }),
        permits: {
          ok: true,
          missing: [],
          missingNames: [],
          checkedAt: now.getTime(),
        },
      });
    }
    if (first === 0) {
      const plan = new AtomicPlan();
      for (const k of batch) addKitchenCreate(plan.asAtomic(), k);
      plan.assertWithinLimits("A bench batch");
    }
    const atomic = kv.atomic();
    for (const k of batch) addKitchenCreate(atomic, k);
    const p: Promise<void> = atomic.commit().then((res) => {
      if (!res.ok) throw new Error("A bench batch failed to commit");
      done += batch.length;
      if (opts.onProgress && done - reported >= 10_000) {
        reported = done - (done % 10_000);
        opts.onProgress(done);
      }
    }).catch((err) => {
      failure ??= err;
    }).finally(() => {
      inFlight.delete(p);
    });
    inFlight.add(p);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  if (opts.onProgress && reported !== done) opts.onProgress(done);
}

if (import.meta.main) {
  const [path, countArg] = Deno.args;
  const count = Number(countArg);
  if (!path || !Number.isInteger(count) || count <= 0) {
    console.error("Usage: deno run -A scripts/seed_bench.ts <kvPath> <count>");
    Deno.exit(2);
  }
  const kv = await Deno.openKv(path);
  try {
    const started = performance.now();
    const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
    await seedBenchCatalogue(kv, count, {
      onProgress: (done) =>
        console.log(
          `${done.toLocaleString("en-US")} kitchens (${seconds()} s)`,
        ),
    });
    console.log(
      `Seeded ${count} bench kitchens into ${path} in ${seconds()} s.`,
    );
  } finally {
    kv.close();
  }
}
