import assert from "node:assert/strict";
import {
  EDITOR_STEPS,
  nextStep,
  stepPath,
  stepStatuses,
} from "../../lib/kitchens/editor_steps.ts";
import {
  type Listing,
  type PublishContext,
  publishProblems,
} from "../../lib/kitchens/listings.ts";
import type { PermitStanding } from "../../lib/kitchens/schema.ts";
import { kitchenFixture } from "../helpers.ts";

const READY: PublishContext = {
  emailConfirmed: true,
  payments: "demo",
  hostPayable: true,
};

const OK: PermitStanding = {
  ok: true,
  missing: [],
  missingNames: [],
  checkedAt: 0,
};

const photos = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `P${i}`, alt: `Photo ${i}` }));

function listing(
  values: Listing["values"],
  permits: PermitStanding | null = null,
): Pick<Listing, "values" | "permits" | "status"> {
  return { values, permits, status: "draft" };
}

const stateOf = (l: Pick<Listing, "values" | "permits">) =>
  Object.fromEntries(stepStatuses(l).map((s) => [s.step, s.state]));

Deno.test("editor steps: a new draft needs attention everywhere; a finished one is done", () => {
  const fresh = stateOf(listing({ currency: "usd" }));
  assert.deepEqual(Object.keys(fresh), [...EDITOR_STEPS]);
  assert.ok(Object.values(fresh).every((s) => s === "attention"));

  const whole = kitchenFixture({ photos: photos(3) });
  const done = stateOf(listing(whole, OK));
  assert.ok(Object.values(done).every((s) => s === "done"), String(done));
});

Deno.test("editor steps: each section's state and note, from what was saved", () => {
  const whole = kitchenFixture({ photos: photos(3) });
  const { hourlyPriceCents: _, ...noPrice } = whole;
  const cases: [
    string,
    Listing["values"],
    PermitStanding | null,
    Record<string, string>,
    Record<string, string>,
  ][] = [
    [
      "one photo: two more",
      { ...whole, photos: photos(1) },
      OK,
      { photos: "attention" },
      { photos: "Add 2 more photos" },
    ],
    [
      "two photos: one more",
      { ...whole, photos: photos(2) },
      OK,
      { photos: "attention" },
      { photos: "Add 1 more photo" },
    ],
    [
      "no price: the pricing section",
      noPrice,
      OK,
      { pricing: "attention", basics: "done" },
      { pricing: "" },
    ],
    [
      "a title too short",
      { ...whole, title: "K" },
      OK,
      { basics: "attention" },
      {},
    ],
    [
      "no permits uploaded",
      whole,
      null,
      { permits: "attention" },
      { permits: "Upload your city's permits" },
    ],
    [
      "every missing permit waiting for staff: in review",
      whole,
      {
        ok: false,
        missing: ["health_permit", "fire_safety"],
        missingNames: ["Health permit", "Fire safety"],
        missingStatuses: ["pending", "pending"],
        checkedAt: 0,
      },
      { permits: "review" },
      { permits: "Prep is checking them" },
    ],
    [
      "one waiting, one rejected: the host's to put right",
      whole,
      {
        ok: false,
        missing: ["health_permit", "fire_safety"],
        missingNames: ["Health permit", "Fire safety"],
        missingStatuses: ["pending", "rejected"],
        checkedAt: 0,
      },
      { permits: "attention" },
      { permits: "Needed: Health permit, Fire safety" },
    ],
  ];
  for (const [name, values, permits, states, notes] of cases) {
    const all = stepStatuses({ values, permits });
    for (const [step, state] of Object.entries(states)) {
      assert.equal(all.find((s) => s.step === step)?.state, state, name);
    }
    for (const [step, note] of Object.entries(notes)) {
      assert.equal(all.find((s) => s.step === step)?.note, note, name);
    }
  }
});

Deno.test("editor steps: Save leads on section by section, then to publishing", () => {
  assert.deepEqual(
    EDITOR_STEPS.map((s) => nextStep(s)),
    [
      "location",
      "features",
      "photos",
      "hours",
      "pricing",
      "rules",
      "permits",
      null,
    ],
  );
  assert.equal(stepPath("K1", "basics"), "/host/kitchens/K1/edit/basics");
  assert.equal(stepPath("K1", "permits"), "/host/kitchens/K1/permits");
});

Deno.test("publish checklist: one entry per section (Photos once), each with where to fix it", () => {
  const fresh = publishProblems(listing({ currency: "usd" }), {
    ...READY,
    emailConfirmed: false,
    hostPayable: false,
  });
  assert.deepEqual(fresh.map((p) => [p.fix, p.text]), [
    ["basics", "Basics: not finished yet."],
    ["location", "Location: not finished yet."],
    ["features", "Equipment and storage: not finished yet."],
    ["photos", "Photos: add at least 3."],
    ["hours", "Hours and booking rules: not finished yet."],
    ["pricing", "Prices: not finished yet."],
    ["rules", "House rules and cancellation: not finished yet."],
    [
      "permits",
      "Permits: upload the permits your city requires and get them verified by Prep.",
    ],
    ["email", "Confirm your email address."],
    ["payouts", "Set up payouts so renters can pay you."],
  ]);
  const ready = publishProblems(
    listing(kitchenFixture({ photos: photos(3) }), OK),
    READY,
  );
  assert.deepEqual(ready, []);
});
