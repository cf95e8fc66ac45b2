import assert from "node:assert/strict";
import { bookedHours } from "../../lib/compliance/booking_policy.ts";
import {
  quietHoursWarnings,
  withoutQuietHours,
} from "../../lib/compliance/quiet_hours.ts";
import { newDocument, review } from "../../lib/compliance/review.ts";
import { rulePackFor } from "../../lib/compliance/rules.ts";
import type {
  ComplianceDocument,
  DocumentUpload,
} from "../../lib/compliance/schema.ts";
import {
  notBookableReason,
  permitLapseNote,
  permitStanding,
  requiredKitchenKinds,
  sameStanding,
  verdictWallet,
} from "../../lib/compliance/standing.ts";
import type { PermitStanding } from "../../lib/kitchens/schema.ts";

const LA = "America/Los_Angeles";
const NOW = Date.parse("2026-12-01T12:00:00Z");
const at = (iso: string) => Date.parse(iso);

function doc(
  kind: DocumentUpload["kind"],
  over: Partial<DocumentUpload> = {},
  action: "verify" | "reject" | null = "verify",
  holder: "kitchen" | "renter" = "kitchen",
): ComplianceDocument {
  const pending = newDocument({
    id: crypto.randomUUID(),
    holder: { kind: holder, id: "h1" },
    fileId: "f",
    upload: {
      kind,
      number: "N-1",
      authority: "A",
      issueDate: "2026-01-01",
      expiryDate: "2027-12-31",
      insurance: null,
      inspection: null,
      greaseService: null,
      certification: null,
      ...over,
    },
    uploadedBy: "u",
    now: NOW - 10 * 86_400_000,
  });
  return action
    ? review(pending, action, {
      reviewerId: "staff",
      reason: action === "reject" ? "Unreadable" : undefined,
      now: NOW - 9 * 86_400_000,
      timeZone: LA,
    })
    : pending;
}

Deno.test("standing: required kinds per city, with Portland's community notice", () => {
  assert.deepEqual(requiredKitchenKinds(rulePackFor("chicago")), [
    "health_permit",
    "fire_safety",
    "business_license",
  ]);
  assert.ok(
    requiredKitchenKinds(rulePackFor("portland")).includes("community_notice"),
  );
  assert.ok(
    !requiredKitchenKinds(rulePackFor("san-francisco")).includes(
      "neighborhood_notice",
    ),
  );
});

Deno.test("standing: ok only when every required permit is verified and unexpired", () => {
  const pack = rulePackFor("chicago");
  const all = ["health_permit", "fire_safety", "business_license"] as const;
  const cases: [string, ComplianceDocument[], boolean, string[]][] = [
    ["none", [], false, [...all]],
    ["all verified", all.map((k) => doc(k)), true, []],
    [
      "one pending",
      [
        doc("health_permit", {}, null),
        doc("fire_safety"),
        doc("business_license"),
      ],
      false,
      ["health_permit"],
    ],
    [
      "one rejected",
      [
        doc("health_permit"),
        doc("fire_safety", {}, "reject"),
        doc("business_license"),
      ],
      false,
      ["fire_safety"],
    ],
    [
      "one past its date (job not run yet)",
      [
        doc("health_permit", { expiryDate: "2026-11-30" }),
        doc("fire_safety"),
        doc("business_license"),
      ],
      false,
      ["health_permit"],
    ],
    [
      "expires today, still valid",
      [
        doc("health_permit", { expiryDate: "2026-12-01" }),
        doc("fire_safety"),
        doc("business_license"),
      ],
      true,
      [],
    ],
  ];
  for (const [name, docs, ok, missing] of cases) {
    const s = permitStanding(pack, docs, NOW, LA);
    assert.equal(s.ok, ok, name);
    assert.deepEqual(s.missing, missing, name);
    assert.equal(s.missingNames.length, missing.length, name);
  }
});

Deno.test("standing: records each missing permit's status and the verified one that expires first", () => {
  const pack = rulePackFor("chicago");
  const renewing = review(doc("health_permit"), "request_renewal", {
    reviewerId: "staff",
    now: NOW - 8 * 86_400_000,
    timeZone: LA,
  });
  const cases: [
    string,
    ComplianceDocument[],
    (string | null)[],
    PermitStanding["firstExpiry"],
  ][] = [
    ["none", [], [null, null, null], undefined],
    [
      "all verified: the earliest date wins",
      [
        doc("health_permit", { expiryDate: "2027-03-01" }),
        doc("fire_safety", { expiryDate: "2026-12-24" }),
        doc("business_license", { expiryDate: "2027-01-10" }),
      ],
      [],
      { kind: "fire_safety", date: "2026-12-24" },
    ],
    [
      "renewal requested, pending, rejected",
      [
        renewing,
        doc("fire_safety", {}, null),
        doc("business_license", { expiryDate: "2027-02-01" }, "reject"),
      ],
      ["renewal_requested", "pending", "rejected"],
      undefined,
    ],
    [
      "one past its date: expired, and not the first to expire",
      [
        doc("health_permit", { expiryDate: "2026-11-30" }),
        doc("fire_safety", { expiryDate: "2027-05-01" }),
        doc("business_license"),
      ],
      ["expired"],
      { kind: "fire_safety", date: "2027-05-01" },
    ],
  ];
  for (const [name, docs, statuses, firstExpiry] of cases) {
    const s = permitStanding(pack, docs, NOW, LA);
    assert.deepEqual(s.missingStatuses, statuses, name);
    assert.deepEqual(s.firstExpiry, firstExpiry, name);
  }
});

Deno.test("standing: a change renters see is a change; the time it was checked is not", () => {
  const base: PermitStanding = {
    ok: true,
    missing: [],
    missingNames: [],
    missingStatuses: [],
    firstExpiry: { kind: "fire_safety", date: "2026-12-24" },
    checkedAt: 1,
  };
  const down: PermitStanding = {
    ...base,
    ok: false,
    missing: ["health_permit"],
    missingNames: ["Health permit"],
    missingStatuses: ["pending"],
  };
  const cases: [string, PermitStanding | undefined, PermitStanding, boolean][] =
    [
      ["checked again later", base, { ...base, checkedAt: 2 }, true],
      ["none before", undefined, base, false],
      ["re-dated", base, {
        ...base,
        firstExpiry: { kind: "fire_safety", date: "2027-12-24" },
      }, false],
      ["another permit first", base, {
        ...base,
        firstExpiry: { kind: "health_permit", date: "2026-12-24" },
      }, false],
      ["pending, then rejected", down, {
        ...down,
        missingStatuses: ["rejected"],
      }, false],
      [
        "from before the first expiry was kept",
        { ok: true, missing: [], missingNames: [], checkedAt: 1 },
        base,
        false,
      ],
      [
        "from before statuses were kept",
        {
          ok: false,
          missing: ["health_permit"],
          missingNames: ["Health permit"],
          checkedAt: 1,
        },
        down,
        false,
      ],
    ];
  for (const [name, a, b, same] of cases) {
    assert.equal(sameStanding(a, b), same, name);
  }
});

Deno.test("standing: why a kitchen takes no bookings, in renter terms", () => {
  const standing = (
    missing: string[],
    missingStatuses?: (string | null)[],
  ): PermitStanding => ({
    ok: missing.length === 0,
    missing,
    missingNames: [],
    ...(missingStatuses ? { missingStatuses } : {}),
    checkedAt: 0,
  });
  const NOT_NOW = "it is not taking bookings right now.";
  const cases: [string, PermitStanding | undefined, string | null][] = [
    ["bookable", standing([], []), null],
    [
      "renewing",
      standing(["health_permit"], ["renewal_requested"]),
      `This kitchen is renewing a permit; ${NOT_NOW}`,
    ],
    [
      "expired",
      standing(["fire_safety"], ["expired"]),
      "This kitchen's fire safety inspection or suppression certificate has expired; it is not taking bookings until Prep verifies a new one.",
    ],
    [
      "rejected",
      standing(["business_license"], ["rejected"]),
      `This kitchen's business license could not be verified by Prep; ${NOT_NOW}`,
    ],
    [
      "awaiting review",
      standing(["commissary"], ["pending"]),
      `This kitchen is waiting for Prep to verify its commissary permit; ${NOT_NOW}`,
    ],
    [
      "never uploaded",
      standing(["community_notice"], [null]),
      `This kitchen's community notification is not on file with Prep yet; ${NOT_NOW}`,
    ],
    [
      "several: the expired one is named before a renewal",
      standing(["health_permit", "fire_safety"], [
        "renewal_requested",
        "expired",
      ]),
      "This kitchen's fire safety inspection or suppression certificate has expired; it is not taking bookings until Prep verifies a new one.",
    ],
    [
      "several: a rejection before one awaiting review",
      standing(["health_permit", "tfe"], ["pending", "rejected"]),
      `This kitchen's temporary food establishment permit could not be verified by Prep; ${NOT_NOW}`,
    ],
    [
      "a standing from before statuses were kept",
      standing(["health_permit"]),
      `Prep is checking this kitchen's permits; ${NOT_NOW}`,
    ],
    [
      "no standing at all",
      undefined,
      `Prep is checking this kitchen's permits; ${NOT_NOW}`,
    ],
    [
      "not ok with nothing named missing (no city yet)",
      { ...standing([], []), ok: false },
      `Prep is checking this kitchen's permits; ${NOT_NOW}`,
    ],
  ];
  for (const [name, s, expected] of cases) {
    assert.equal(notBookableReason(s), expected, name);
  }
});

Deno.test("standing: the picker's note names the permit that lapses inside the booking window", () => {
  const standing = (
    firstExpiry?: PermitStanding["firstExpiry"],
    ok = true,
  ): PermitStanding => ({
    ok,
    missing: ok ? [] : ["health_permit"],
    missingNames: [],
    missingStatuses: ok ? [] : ["pending"],
    ...(firstExpiry ? { firstExpiry } : {}),
    checkedAt: 0,
  });
  const fire = { kind: "fire_safety", date: "2026-12-24" };
  const cases: [string, PermitStanding | undefined, string, string | null][] = [
    [
      "inside the window",
      standing(fire),
      "2027-01-30",
      "Not bookable after Thu, Dec 24: this kitchen's fire safety inspection or suppression certificate expires that day.",
    ],
    ["on the window's last day", standing(fire), "2026-12-24", null],
    ["after the window", standing(fire), "2026-12-20", null],
    [
      "next year, with its year",
      standing({ kind: "health_permit", date: "2027-01-05" }),
      "2027-03-01",
      "Not bookable after Tue, Jan 5, 2027: this kitchen's health permit expires that day.",
    ],
    ["no verified permit", standing(), "2027-01-30", null],
    ["not bookable at all", standing(fire, false), "2027-01-30", null],
    ["no standing", undefined, "2027-01-30", null],
  ];
  for (const [name, s, windowEnd, expected] of cases) {
    assert.equal(permitLapseNote(s, "2026-12-01", windowEnd), expected, name);
  }
});

Deno.test("standing: the wallet keeps every verified certificate of insurance, so each city's endorsement counts", () => {
  const coi = (
    additionalInsured: string | null,
    action: "verify" | "reject" | null = "verify",
  ) =>
    doc(
      "liability_insurance",
      {
        insurance: {
          perOccurrenceCents: 100_000_000,
          aggregateCents: 200_000_000,
          namedInsured: "R",
          additionalInsured,
        },
      },
      action,
      "renter",
    );
  const wallet = verdictWallet(
    [
      coi("City and County of San Francisco"),
      coi("City of Seattle and King County"),
      coi("City of Portland and Multnomah County", "reject"),
      doc("food_handler_card", {}, "verify", "renter"),
    ],
    NOW,
    LA,
  );
  const named = wallet.filter((d) =>
    d.kind === "liability_insurance" && d.status === "verified"
  )
    .map((d) => d.additionalInsured).sort();
  assert.deepEqual(named, [
    "City and County of San Francisco",
    "City of Seattle and King County",
  ]);
});

Deno.test("quiet hours: starts inside are dropped and latest ends pulled back to where they begin", () => {
  const pack = rulePackFor("san-francisco"); // 22:00–06:00
  const slots = [
    { start: at("2026-12-03T16:00:00Z"), maxEnd: at("2026-12-04T08:00:00Z") }, // 08:00 → 00:00 local
    { start: at("2026-12-04T05:00:00Z"), maxEnd: at("2026-12-04T08:00:00Z") }, // 21:00 → 00:00
    { start: at("2026-12-04T06:00:00Z"), maxEnd: at("2026-12-04T10:00:00Z") }, // 22:00 inside
    { start: at("2026-12-04T13:30:00Z"), maxEnd: at("2026-12-04T16:00:00Z") }, // 05:30 inside
    { start: at("2026-12-04T14:00:00Z"), maxEnd: at("2026-12-04T18:00:00Z") }, // 06:00 free
  ];
  assert.deepEqual(withoutQuietHours(pack, LA, slots, 2), [
    { start: slots[0].start, maxEnd: at("2026-12-04T06:00:00Z") },
    slots[4],
  ], "21:00 has one free hour before 22:00, below the 2-hour minimum");
  assert.deepEqual(
    withoutQuietHours(rulePackFor("chicago"), LA, slots, 2),
    slots,
  );
});

Deno.test("quiet hours: the editor warns about weekly ranges that touch them, overnight ones included", () => {
  const sea = rulePackFor("seattle"); // 22:00–07:00
  const cases: [string, string, string, boolean][] = [
    ["08:00", "20:00", "day", false],
    ["07:00", "22:00", "exactly outside", false],
    ["06:00", "12:00", "starts inside the morning end", true],
    ["18:00", "23:00", "runs into the evening", true],
    ["18:00", "02:00", "overnight", true],
    ["00:00", "24:00", "all day", true],
  ];
  for (const [start, end, name, warns] of cases) {
    const w = quietHoursWarnings(sea, [{ day: 3, start, end }]);
    assert.equal(w.length, warns ? 1 : 0, name);
  }
  assert.deepEqual(
    quietHoursWarnings(rulePackFor("boston"), [{
      day: 1,
      start: "00:00",
      end: "24:00",
    }]),
    [],
  );
});

Deno.test("daily cap: only live bookings count, clipped to the local day, host blocks left out", () => {
  const day = {
    from: at("2026-12-03T08:00:00Z"),
    to: at("2026-12-04T08:00:00Z"),
  };
  const claims = [
    {
      ref: "b1",
      start: at("2026-12-03T16:00:00Z"),
      end: at("2026-12-03T20:00:00Z"),
      bufferMs: 0,
      expiresAt: null,
    },
    {
      ref: "b2",
      start: at("2026-12-04T06:00:00Z"),
      end: at("2026-12-04T10:00:00Z"),
      bufferMs: 0,
      expiresAt: null,
    },
    {
      ref: "b3",
      start: at("2026-12-03T10:00:00Z"),
      end: at("2026-12-03T12:00:00Z"),
      bufferMs: 0,
      expiresAt: NOW - 1,
    },
    {
      ref: "block:x",
      start: at("2026-12-03T20:00:00Z"),
      end: at("2026-12-03T22:00:00Z"),
      bufferMs: 0,
      expiresAt: null,
    },
  ];
  assert.equal(bookedHours(claims, day.from, day.to, NOW), 4 + 2);
  assert.equal(bookedHours([], day.from, day.to, NOW), 0);
});
