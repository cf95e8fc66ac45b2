/**
 * document_state.ts: one pure function decides what a renter's document
 * reads as on the kitchen page, the review page and the wallet.
 */
import assert from "node:assert/strict";
import {
  documentState,
  type DocumentStateName,
  requirementStates,
  stateOfDocument,
} from "../../lib/compliance/document_state.ts";
import { newDocument, review } from "../../lib/compliance/review.ts";
import { rulePackFor } from "../../lib/compliance/rules.ts";
import type {
  ComplianceDocument,
  DocumentUpload,
} from "../../lib/compliance/schema.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const DAY = 24 * 3600_000;
let n = 0;

function doc(
  kind: DocumentUpload["kind"],
  opts: {
    expiry?: string;
    createdAt?: number;
    insurance?: DocumentUpload["insurance"];
    decide?: ["verify" | "reject" | "request_renewal", string?][];
  } = {},
): ComplianceDocument {
  n++;
  let d = newDocument({
    id: `DOC${String(n).padStart(23, "0")}`,
    holder: { kind: "renter", id: "renter-1" },
    fileId: `FILE${n}`,
    upload: {
      kind,
      number: `N-${n}`,
      authority: "Authority",
      issueDate: "2026-01-01",
      expiryDate: opts.expiry ?? "2028-12-31",
      insurance: opts.insurance ?? null,
      inspection: null,
      greaseService: null,
      certification: null,
    },
    uploadedBy: "renter-1",
    now: opts.createdAt ?? NOW - 10 * DAY,
  });
  for (const [action, reason] of opts.decide ?? []) {
    d = review(d, action, {
      reviewerId: "staff",
      reason,
      now: (opts.createdAt ?? NOW - 10 * DAY) + 1000,
    });
  }
  return d;
}

const coi = (
  per: number,
  agg: number,
  additionalInsured: string | null = null,
) => ({
  perOccurrenceCents: per,
  aggregateCents: agg,
  namedInsured: "Rosa's Tamales LLC",
  additionalInsured,
});

const TRAINING = {
  kinds: ["food_handler_card", "food_manager_certificate"] as const,
};

Deno.test("document states: each document reads as missing, in review, verified, expiring, expired, rejected or renewal requested", () => {
  const cases: {
    name: string;
    docs: ComplianceDocument[];
    until?: number;
    state: DocumentStateName;
    ok: boolean;
    detail: RegExp;
  }[] = [
    {
      name: "nothing uploaded",
      docs: [],
      state: "missing",
      ok: false,
      detail: /^Not uploaded yet\.$/,
    },
    {
      name: "uploaded, waiting for staff",
      docs: [doc("food_handler_card")],
      state: "in_review",
      ok: false,
      detail: /usually within a working day/,
    },
    {
      name: "verified, far from its expiry",
      docs: [doc("food_handler_card", { decide: [["verify"]] })],
      state: "verified",
      ok: true,
      detail: /^Verified until Sun, Dec 31, 2028\.$/,
    },
    {
      name: "verified, expiring within 30 days",
      docs: [
        doc("food_handler_card", {
          expiry: "2026-12-20",
          decide: [["verify"]],
        }),
      ],
      state: "expiring",
      ok: true,
      detail: /Verified until Sun, Dec 20, 2026\. Upload a newer one/,
    },
    {
      name: "verified, but lapsing before the booking ends",
      docs: [
        doc("food_handler_card", {
          expiry: "2027-03-01",
          decide: [["verify"]],
        }),
      ],
      until: Date.parse("2027-03-05T18:00:00Z"),
      state: "expiring",
      ok: false,
      detail: /before this booking ends/,
    },
    {
      name: "expired",
      docs: [
        doc("food_handler_card", {
          expiry: "2026-11-20",
          createdAt: NOW - 60 * DAY,
          decide: [["verify"]],
        }),
      ],
      state: "expired",
      ok: false,
      detail: /^Expired on Fri, Nov 20, 2026\. Upload a new one\.$/,
    },
    {
      name: "rejected, with the reason",
      docs: [
        doc("food_handler_card", {
          decide: [["reject", "The name is unreadable"]],
        }),
      ],
      state: "rejected",
      ok: false,
      detail: /^Not accepted: The name is unreadable\. Upload a new one\.$/,
    },
    {
      name: "renewal requested, with the reason",
      docs: [
        doc("food_handler_card", {
          decide: [["verify"], ["request_renewal", "A newer card is out"]],
        }),
      ],
      state: "renewal_requested",
      ok: false,
      detail: /Prep asked for a newer one: A newer card is out\./,
    },
    {
      name:
        "either kind meets it: the better of a rejection and a verified manager certificate",
      docs: [
        doc("food_handler_card", { decide: [["reject", "Blurred"]] }),
        doc("food_manager_certificate", { decide: [["verify"]] }),
      ],
      state: "verified",
      ok: true,
      detail: /Verified until/,
    },
    {
      name: "a new upload after a rejection is in review, not rejected",
      docs: [
        doc("food_handler_card", {
          createdAt: NOW - 20 * DAY,
          decide: [["reject", "Blurred"]],
        }),
        doc("food_handler_card", { createdAt: NOW - DAY }),
      ],
      state: "in_review",
      ok: false,
      detail: /working day/,
    },
    {
      name: "an old rejection does not outlive a later verification",
      docs: [
        doc("food_handler_card", {
          createdAt: NOW - 20 * DAY,
          decide: [["reject", "Blurred"]],
        }),
        doc("food_handler_card", {
          createdAt: NOW - DAY,
          decide: [["verify"]],
        }),
      ],
      state: "verified",
      ok: true,
      detail: /Verified until/,
    },
  ];
  for (const c of cases) {
    const s = documentState(c.docs, TRAINING, { now: NOW, until: c.until });
    assert.equal(s.state, c.state, c.name);
    assert.equal(s.ok, c.ok, c.name);
    assert.match(s.detail, c.detail, c.name);
  }
});

Deno.test("document states: a certificate short of the city's rule says why, in review or verified", () => {
  const pack = rulePackFor("san-francisco");
  const [insurance] = requirementStates(
    pack,
    { hasEmployees: false },
    [
      doc("liability_insurance", {
        insurance: coi(50_000_000, 200_000_000, "Someone Else"),
        decide: [["verify"]],
      }),
    ],
    { now: NOW },
  );
  assert.equal(insurance.state, "not_enough");
  assert.equal(insurance.label, "Does not meet the rule");
  assert.match(
    insurance.detail,
    /^Its per-occurrence limit is below \$1,000,000/,
  );
  assert.match(
    insurance.detail,
    /must name "City and County of San Francisco" as additional insured/,
  );
  const [pending] = requirementStates(
    pack,
    { hasEmployees: false },
    [doc("liability_insurance", { insurance: coi(100_000_000, 50_000_000) })],
    { now: NOW },
  );
  assert.equal(pending.state, "not_enough");
  assert.match(pending.detail, /^In review, but its aggregate limit is below/);
  // The same certificate in Chicago (no additional insured) is in review.
  const [chicago] = requirementStates(
    rulePackFor("chicago"),
    { hasEmployees: false },
    [doc("liability_insurance", { insurance: coi(100_000_000, 200_000_000) })],
    { now: NOW },
  );
  assert.equal(chicago.state, "in_review");
});

Deno.test("document states: workers' comp is asked for only with employees, and each requirement is named", () => {
  const pack = rulePackFor("chicago");
  const without = requirementStates(pack, { hasEmployees: false }, [], {
    now: NOW,
  });
  assert.deepEqual(without.map((r) => r.state), ["missing", "missing"]);
  assert.match(without[0].requirement, /^Liability insurance of at least/);
  assert.equal(
    without[1].requirement,
    "Food handler card or Food manager certificate",
  );
  const withStaff = requirementStates(pack, { hasEmployees: true }, [], {
    now: NOW,
  });
  assert.equal(withStaff.length, 3);
  assert.match(withStaff[2].requirement, /Workers' compensation/);
});

Deno.test("document states: one document's state, as the wallet lists it", () => {
  const pending = stateOfDocument(doc("workers_comp"), { now: NOW });
  assert.deepEqual(
    [pending.state, pending.label],
    ["in_review", "In review"],
  );
  const verified = stateOfDocument(
    doc("workers_comp", { decide: [["verify"]] }),
    { now: NOW },
  );
  assert.deepEqual([verified.state, verified.ok], ["verified", true]);
});
