/**
 * Demo reviews (issue 18): the demo renter and the demo host review each
 * other after the demo's completed bookings (scripts/demo/bookings.ts), so
 * search cards and kitchen pages show ratings on a fresh start. Each
 * review is written through lib/reviews' own `submitReview` at a moment a
 * few days after its booking ended, so the second of a pair publishes both,
 * as it would have. Left for people to try: the latest booking is not
 * reviewed (both sides are asked to, from /account and the dashboard), and
 * the one before has only the renter's review, hidden until the host
 * writes theirs.
 *
 * Nobody is told in the app of reviews published months ago. Idempotent: a
 * marker at keys.seed(DEMO_REVIEWS_SEED) is written last, and a side that
 * has reviewed already is refused by the domain and skipped.
 */
import { listBookingsByRenter } from "../../lib/bookings/repo.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { AppError } from "../../lib/errors.ts";
import { getKitchen } from "../../lib/kitchens/repo.ts";
import type { ReviewDeps } from "../../lib/reviews/publish.ts";
import { submitReview } from "../../lib/reviews/write.ts";
import { DEMO_ACCOUNTS } from "./accounts.ts";

export const DEMO_REVIEWS_SEED = "demo-reviews-v1";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What the renter said of each kitchen, oldest booking first. */
const KITCHEN_REVIEWS: Record<string, [number[], string][]> = {
  "Greenpoint Bakers' Commissary": [
    [
      [5, 5, 5, 5],
      "Spotless when I arrived at 6 AM, the deck oven was already hot and the proofing cabinet held 12 sheet trays of conchas with room to spare.",
    ],
    [
      [5, 4, 5, 5],
      "Second bake here and it keeps getting easier. One of the sheeters was out of service, but the host had said so the day before.",
    ],
    [
      [4, 4, 4, 5],
      "Good kitchen for early bakes. The walk-in was a little full from the previous renter, otherwise everything as described.",
    ],
    [
      [5, 5, 5, 5],
      "Clear instructions for the lockbox, dry storage labelled by renter, and the mixer bowls were clean and stacked. Exactly what a small bakery needs.",
    ],
    [
      [5, 5, 5, 4],
      "Great morning bake. The host replied to my question about the hood within minutes.",
    ],
  ],
  "Astoria Pastry Lab": [
    [
      [5, 5, 5, 5],
      "Beautiful marble benches and the chocolate tempering unit worked perfectly. Cool room stays cool even in the afternoon.",
    ],
    [
      [4, 4, 4, 4],
      "Nice lab for pastry. Parking on the street took a while; arrive early if you are loading a van.",
    ],
    [
      [4, 5, 3, 5],
      "Clean and calm. The convection oven runs about ten degrees hot, worth knowing for macarons.",
    ],
    [
      [5, 5, 5, 5],
      "Our holiday order of 300 tarts went smoothly. The host even left extra parchment out for us.",
    ],
    [
      [5, 5, 5, 5],
      "Lovely afternoon session; the kitchen was ready when we arrived and easy to leave clean.",
    ],
  ],
  "Long Island City Production Kitchen": [
    [
      [4, 4, 5, 4],
      "Big production space with a tilt skillet and a 60-quart mixer. Load-in through the back dock is easy.",
    ],
    [
      [5, 5, 5, 5],
      "Ran a full catering prep for 250 guests here. Plenty of cold storage and the dish pit is excellent.",
    ],
    [
      [5, 5, 4, 5],
      "Solid kitchen for long shifts. The host checked in halfway through to see if we needed anything.",
    ],
  ],
};

/** What the host said of the renter, in turn. */
const RENTER_REVIEWS: [number[], string][] = [
  [
    [5, 5, 5],
    "Rosa left every station cleaner than she found it and logged her storage exactly as the rules ask.",
  ],
  [
    [5, 4, 5],
    "Easy to host: on time, quiet, and the floors were mopped at the end of the shift.",
  ],
  [
    [4, 4, 5],
    "A good renter. A few sheet trays were left in the rack, but she came back for them the same day.",
  ],
  [
    [5, 5, 5],
    "Always a pleasure. Rosa follows the house rules to the letter and communicates ahead of time.",
  ],
];

export interface DemoReviewsResult {
  reviews: number;
  skipped: number;
}

function deps(kv: Deno.Kv, now: number): ReviewDeps {
  return {
    kv,
    now,
    mail: {
      from: "Prep <hello@prep.localhost>",
      baseUrl: "http://localhost:8000",
      wake: false,
    },
    notices: false,
  };
}

/** Seeds the demo reviews once; null when they are there already (or the demo bookings are not). */
export async function seedDemoReviews(
  kv: Deno.Kv,
  now = Date.now(),
): Promise<DemoReviewsResult | null> {
  const marker = keys.seed(DEMO_REVIEWS_SEED);
  if ((await kv.get(marker)).versionstamp !== null) return null;
  const renter = DEMO_ACCOUNTS.find((a) => a.email === "renter@prep.test")!;
  const done = (await listBookingsByRenter(kv, renter.id))
    .filter((b) => b.status === "completed" && b.end <= now)
    .sort((a, b) => a.start - b.start);
  if (done.length === 0) return null;
  const result: DemoReviewsResult = { reviews: 0, skipped: 0 };
  // The latest is left for people to review; the one before, half done.
  const latest = done[done.length - 1];
  const half = done[done.length - 2];
  const seen = new Map<string, number>();
  let hostTurn = 0;
  for (const b of done) {
    if (b === latest) continue;
    const kitchen = await getKitchen(kv, b.kitchenId);
    const said = KITCHEN_REVIEWS[kitchen?.title ?? ""];
    if (!said) continue;
    const n = seen.get(b.kitchenId) ?? 0;
    seen.set(b.kitchenId, n + 1);
    const [[overall, cleanliness, equipment, communication], text] =
      said[n % said.length];
    // A couple of days after the end (never after now), the renter writes.
    const at = Math.min(b.end + 2 * DAY, now - 2 * HOUR);
    result[
      await write(kv, b, at, b.renterId, {
        overall: String(overall),
        cleanliness: String(cleanliness),
        equipment: String(equipment),
        communication: String(communication),
        clean: "",
        rules: "",
        text,
      })
    ]++;
    if (b === half) continue;
    const [[hOverall, clean, rules], hText] =
      RENTER_REVIEWS[hostTurn++ % RENTER_REVIEWS.length];
    result[
      await write(kv, b, at + HOUR, b.hostId, {
        overall: String(hOverall),
        cleanliness: "",
        equipment: "",
        communication: "",
        clean: String(clean),
        rules: String(rules),
        text: hText,
      })
    ]++;
  }
  await kv.set(marker, { at: new Date(now).toISOString(), ...result });
  return result;
}

async function write(
  kv: Deno.Kv,
  b: Booking,
  at: number,
  authorId: string,
  post: Parameters<typeof submitReview>[3],
): Promise<"reviews" | "skipped"> {
  try {
    await submitReview(deps(kv, at), b.id, { id: authorId }, post);
    return "reviews";
  } catch (err) {
    // Reviewed already (a second process seeding at once): skip it.
    if (err instanceof AppError) return "skipped";
    throw err;
  }
}
