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
  permitStanding,
  requiredKitchenKinds,
  verdictWallet,
} from "../../lib/compliance/standing.ts";

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
