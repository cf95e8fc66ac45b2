import assert from "node:assert/strict";
import { ConflictError, ValidationError } from "../../lib/errors.ts";
import {
  type ComplianceDocument,
  DOCUMENT_KIND_NAMES,
  DOCUMENT_KINDS,
  DOCUMENT_STATUSES,
  type DocumentKind,
  documentRecord,
  type DocumentStatus,
  type DocumentUpload,
  FEDERAL_CERTIFICATE_KINDS,
  kindsFor,
  KITCHEN_DOCUMENT_KINDS,
  RENTER_DOCUMENT_KINDS,
  REVIEW_ACTIONS,
  type ReviewAction,
  uploadForm,
} from "../../lib/compliance/schema.ts";
import {
  aggregateStatus,
  allowedActions,
  canReview,
  currentDocument,
  effectiveStatus,
  expireIfDue,
  expiresAt,
  newDocument,
  reminderDates,
  review,
  ReviewConflictError,
} from "../../lib/compliance/review.ts";

const at = (iso: string) => Temporal.Instant.from(iso).epochMilliseconds;
const NOW = at("2026-11-27T15:00:00Z");
const STAFF = "01JSTAFF00000000000000000A";
const LA = "America/Los_Angeles";

const permitUpload: DocumentUpload = {
  kind: "health_permit",
  number: "HP-2026-0042",
  authority: "SF Department of Public Health",
  issueDate: "2026-01-15",
  expiryDate: "2027-01-14",
  insurance: null,
  inspection: null,
  greaseService: null,
  certification: null,
};

let seq = 0;
/** A kitchen's document, uploaded `minutesAgo` before NOW, in `status`. */
function doc(
  over: Partial<ComplianceDocument> & { minutesAgo?: number } = {},
): ComplianceDocument {
  const { minutesAgo = 60, ...fields } = over;
  const created = NOW - minutesAgo * 60_000;
  const base = newDocument({
    id: `01JDOC${String(++seq).padStart(20, "0")}`,
    holder: { kind: "kitchen", id: "01JKITCHEN0000000000000000" },
    fileId: "01JFILE0000000000000000000",
    upload: permitUpload,
    uploadedBy: "01JHOST00000000000000000000",
    now: created,
  });
  return { ...base, ...fields };
}

// ---------------------------------------------------------------------------
// The review table

/** §2's table: every allowed (state, action) and where it leads. */
const allowed: [DocumentStatus, ReviewAction, DocumentStatus][] = [
  ["pending", "verify", "verified"],
  ["pending", "reject", "rejected"],
  ["pending", "request_renewal", "renewal_requested"],
  ["renewal_requested", "verify", "verified"],
  ["renewal_requested", "reject", "rejected"],
  ["verified", "request_renewal", "renewal_requested"],
  ["rejected", "verify", "verified"],
  ["expired", "verify", "verified"],
  ["expired", "request_renewal", "renewal_requested"],
];

/** Every refused pair, with the message staff see. */
const refused: [DocumentStatus, ReviewAction, string][] = [
  [
    "renewal_requested",
    "request_renewal",
    "This document is already waiting for a renewal; it cannot have a renewal requested again.",
  ],
  [
    "verified",
    "verify",
    "This document is already verified; it cannot be verified again.",
  ],
  [
    "verified",
    "reject",
    "This document is already verified; it cannot be rejected.",
  ],
  [
    "rejected",
    "reject",
    "This document was rejected; it cannot be rejected again.",
  ],
  [
    "rejected",
    "request_renewal",
    "This document was rejected; it cannot have a renewal requested.",
  ],
  ["expired", "reject", "This document has expired; it cannot be rejected."],
];

Deno.test("compliance review: every (state, action) pair is allowed or refused as in §2", () => {
  assert.equal(
    allowed.length + refused.length,
    DOCUMENT_STATUSES.length * REVIEW_ACTIONS.length,
  );
  for (const status of DOCUMENT_STATUSES) {
    for (const action of REVIEW_ACTIONS) {
      const pair = `${status} --${action}-->`;
      const d = doc({ status });
      const ok = allowed.find(([s, a]) => s === status && a === action);
      if (ok) {
        assert.equal(canReview(status, action), true, pair);
        const after = review(d, action, {
          reviewerId: STAFF,
          reason: "The stamp is unreadable",
          now: NOW,
        });
        assert.equal(after.status, ok[2], pair);
        continue;
      }
      const [, , message] = refused.find(([s, a]) =>
        s === status && a === action
      )!;
      assert.equal(canReview(status, action), false, pair);
      assert.throws(
        () => review(d, action, { reviewerId: STAFF, reason: "x", now: NOW }),
        (e) =>
          e instanceof ReviewConflictError && e instanceof ConflictError &&
          e.status === 409 && e.from === status && e.action === action &&
          e.message === message,
        pair,
      );
    }
  }
});

Deno.test("compliance review: the actions offered per state follow the table", () => {
  assert.deepEqual(allowedActions("pending"), [
    "verify",
    "reject",
    "request_renewal",
  ]);
  assert.deepEqual(allowedActions("renewal_requested"), ["verify", "reject"]);
  assert.deepEqual(allowedActions("verified"), ["request_renewal"]);
  assert.deepEqual(allowedActions("rejected"), ["verify"]);
  assert.deepEqual(allowedActions("expired"), ["verify", "request_renewal"]);
});

Deno.test("compliance review: an action records the reviewer, time, history and staff note without changing the input", () => {
  const before = doc();
  const snapshot = structuredClone(before);
  const after = review(before, "reject", {
    reviewerId: STAFF,
    reason: "  The permit is for another address.  ",
    note: "Called the host; they will upload the right one.",
    now: NOW,
  });
  assert.deepEqual(before, snapshot);
  assert.equal(after.status, "rejected");
  assert.equal(after.reviewerId, STAFF);
  assert.equal(after.reviewedAt, NOW);
  assert.equal(after.updatedAt, NOW);
  assert.equal(after.history.length, 2);
  assert.deepEqual(after.history[1], {
    at: NOW,
    by: STAFF,
    action: "reject",
    from: "pending",
    to: "rejected",
    reason: "The permit is for another address.",
    expiryCorrected: null,
  });
  assert.deepEqual(after.staffNotes, [{
    at: NOW,
    by: STAFF,
    text: "Called the host; they will upload the right one.",
  }]);
  documentRecord.parse(after);

  const renewed = review(after, "verify", { reviewerId: "01JOTHER", now: NOW });
  assert.equal(renewed.staffNotes.length, 1, "no note, nothing appended");
  assert.equal(renewed.history.at(-1)?.reason, null);
  assert.equal(renewed.reviewerId, "01JOTHER");
});

Deno.test("compliance review: reject needs a reason", () => {
  for (const reason of [undefined, "", "   ", "\u200b"]) {
    assert.throws(
      () => review(doc(), "reject", { reviewerId: STAFF, reason, now: NOW }),
      (e) =>
        e instanceof ValidationError && e.status === 400 &&
        e.issues.reason === "Enter a reason for the rejection",
      JSON.stringify(reason),
    );
  }
  // The state is checked first: a second reviewer learns it was decided.
  assert.throws(
    () =>
      review(doc({ status: "verified" }), "reject", {
        reviewerId: STAFF,
        now: NOW,
      }),
    ReviewConflictError,
  );
  // Other actions take no reason, or an optional one.
  assert.equal(
    review(doc(), "request_renewal", { reviewerId: STAFF, now: NOW }).status,
    "renewal_requested",
  );
});

Deno.test("compliance review: verify may correct the expiry date", () => {
  const after = review(doc(), "verify", {
    reviewerId: STAFF,
    correctedExpiry: "2027-06-30",
    now: NOW,
  });
  assert.equal(after.status, "verified");
  assert.equal(after.expiryDate, "2027-06-30");
  assert.deepEqual(after.history.at(-1)?.expiryCorrected, {
    from: "2027-01-14",
    to: "2027-06-30",
  });
  const same = review(doc(), "verify", {
    reviewerId: STAFF,
    correctedExpiry: "2027-01-14",
    now: NOW,
  });
  assert.equal(same.history.at(-1)?.expiryCorrected, null);

  const refusals: [ReviewAction, string, string][] = [
    ["verify", "2026-02-30", "Enter the expiry date as a date like 2026-12-31"],
    [
      "verify",
      "2025-12-31",
      "The expiry date must be on or after the issue date, 2026-01-15",
    ],
    [
      "request_renewal",
      "2027-06-30",
      "Only a verification can correct the expiry date",
    ],
  ];
  for (const [action, correctedExpiry, message] of refusals) {
    assert.throws(
      () =>
        review(doc(), action, { reviewerId: STAFF, correctedExpiry, now: NOW }),
      (e) => e instanceof ValidationError && e.issues.expiryDate === message,
      correctedExpiry,
    );
  }
});

Deno.test("compliance review: an expired document is verified again only with a later expiry date", () => {
  const expired = doc({ status: "expired", expiryDate: "2026-11-20" });
  assert.throws(
    () =>
      review(expired, "verify", { reviewerId: STAFF, now: NOW, timeZone: LA }),
    (e) =>
      e instanceof ValidationError &&
      e.issues.expiryDate ===
        "This document expired on 2026-11-20. Correct the expiry date, or request a renewal.",
  );
  const fixed = review(expired, "verify", {
    reviewerId: STAFF,
    correctedExpiry: "2027-11-20",
    now: NOW,
    timeZone: LA,
  });
  assert.equal(fixed.status, "verified");
  // Its last day is still today in Los Angeles: it can be verified there.
  const lastDay = doc({ status: "expired", expiryDate: "2026-11-27" });
  assert.equal(
    review(lastDay, "verify", { reviewerId: STAFF, now: NOW, timeZone: LA })
      .status,
    "verified",
  );
});

// ---------------------------------------------------------------------------
// Expiry

Deno.test("compliance review: a verified document expires at the end of its expiry date in the zone", () => {
  const verified = doc({ status: "verified", expiryDate: "2026-03-10" });
  // 2026-03-11 00:00 in UTC, but still 17:00 on the 10th in Los Angeles (PDT).
  const utcMidnight = at("2026-03-11T00:00:00Z");
  const laMidnight = at("2026-03-11T07:00:00Z");
  assert.equal(expiresAt("2026-03-10", "UTC"), utcMidnight);
  assert.equal(expiresAt("2026-03-10", LA), laMidnight);

  assert.equal(expireIfDue(verified, utcMidnight - 1, "UTC"), verified);
  const utc = expireIfDue(verified, utcMidnight, "UTC");
  assert.equal(utc.status, "expired");
  assert.deepEqual(utc.history.at(-1), {
    at: utcMidnight,
    by: null,
    action: "expire",
    from: "verified",
    to: "expired",
    reason: null,
    expiryCorrected: null,
  });
  assert.equal(utc.updatedAt, utcMidnight);
  assert.equal(expireIfDue(verified, utcMidnight, LA), verified);
  assert.equal(expireIfDue(verified, laMidnight - 1, LA).status, "verified");
  assert.equal(expireIfDue(verified, laMidnight, LA).status, "expired");
  assert.equal(effectiveStatus(verified, laMidnight, LA), "expired");

  // Winter: Los Angeles is UTC−8.
  assert.equal(expiresAt("2026-12-31", LA), at("2027-01-01T08:00:00Z"));
});

Deno.test("compliance review: only verified documents expire", () => {
  const late = at("2030-01-01T00:00:00Z");
  for (const status of DOCUMENT_STATUSES) {
    const d = doc({ status, expiryDate: "2026-03-10" });
    const after = expireIfDue(d, late, "UTC");
    if (status === "verified") assert.equal(after.status, "expired");
    else assert.equal(after, d, status);
  }
});

// ---------------------------------------------------------------------------
// Aggregate status

const REQUIRED: DocumentKind[] = [
  "health_permit",
  "fire_safety",
  "business_license",
];

function holding(
  statuses: Partial<Record<DocumentKind, DocumentStatus>>,
): ComplianceDocument[] {
  return Object.entries(statuses).map(([kind, status]) =>
    doc({ kind: kind as DocumentKind, status })
  );
}

Deno.test("compliance review: aggregate status of a holder", () => {
  const cases: [string, ComplianceDocument[], string][] = [
    ["no documents", [], "pending"],
    [
      "all required verified",
      holding({
        health_permit: "verified",
        fire_safety: "verified",
        business_license: "verified",
      }),
      "verified",
    ],
    [
      "one pending",
      holding({
        health_permit: "verified",
        fire_safety: "pending",
        business_license: "rejected",
      }),
      "pending",
    ],
    [
      "one awaiting renewal, one expired",
      holding({
        health_permit: "renewal_requested",
        fire_safety: "expired",
        business_license: "verified",
      }),
      "pending",
    ],
    [
      "one expired",
      holding({
        health_permit: "verified",
        fire_safety: "expired",
        business_license: "rejected",
      }),
      "expired",
    ],
    [
      "one rejected",
      holding({
        health_permit: "verified",
        fire_safety: "verified",
        business_license: "rejected",
      }),
      "partial",
    ],
    [
      "one missing",
      holding({ health_permit: "verified", fire_safety: "verified" }),
      "partial",
    ],
    [
      "only documents that are not required",
      holding({ ventilation: "verified" }),
      "partial",
    ],
    [
      "a verified one past its expiry date counts as expired",
      [
        ...holding({ health_permit: "verified", fire_safety: "verified" }),
        doc({
          kind: "business_license",
          status: "verified",
          expiryDate: "2026-11-26",
        }),
      ],
      "expired",
    ],
    [
      "a renewal under review keeps the verified one in force",
      [
        ...holding({
          health_permit: "verified",
          fire_safety: "verified",
          business_license: "verified",
        }),
        doc({ kind: "fire_safety", status: "pending", minutesAgo: 5 }),
      ],
      "verified",
    ],
  ];
  for (const [name, docs, expected] of cases) {
    assert.equal(aggregateStatus(REQUIRED, docs, NOW, LA), expected, name);
  }
  assert.equal(
    aggregateStatus([], holding({ health_permit: "rejected" }), NOW, LA),
    "verified",
    "nothing required",
  );
});

// ---------------------------------------------------------------------------
// The current document

Deno.test("compliance review: the current document of a kind", () => {
  const old = doc({ status: "verified", minutesAgo: 600 });
  const fresh = doc({ status: "pending", minutesAgo: 5 });

  assert.equal(currentDocument([], "health_permit", NOW, LA), null);
  assert.equal(currentDocument([old], "fire_safety", NOW, LA), null);
  assert.equal(currentDocument([old], "health_permit", NOW, LA), old);
  // A new upload under review leaves the verified one in force…
  assert.equal(currentDocument([fresh, old], "health_permit", NOW, LA), old);
  // …also when staff asked for a newer one before deciding…
  const asked = { ...fresh, status: "renewal_requested" as const };
  assert.equal(currentDocument([old, asked], "health_permit", NOW, LA), old);
  // …and when the holder uploaded twice.
  const again = doc({ status: "pending", minutesAgo: 1 });
  assert.equal(
    currentDocument([old, fresh, again], "health_permit", NOW, LA),
    old,
  );
  // Decided, the new one is current, verified or not.
  for (const action of ["verify", "reject"] as const) {
    const decided = review(fresh, action, {
      reviewerId: STAFF,
      reason: "Blurred",
      now: NOW,
    });
    assert.equal(
      currentDocument([old, decided], "health_permit", NOW, LA),
      decided,
      action,
    );
  }
  // Once the old one's expiry date has ended, the upload under review is current.
  const ending = doc({
    status: "verified",
    expiryDate: "2026-11-26",
    minutesAgo: 600,
  });
  assert.equal(
    currentDocument([ending, fresh], "health_permit", NOW, LA),
    fresh,
  );
  // A rejected or expired old one is not kept in force.
  for (const status of ["rejected", "expired"] as const) {
    const gone = doc({ status, minutesAgo: 600 });
    assert.equal(
      currentDocument([gone, fresh], "health_permit", NOW, LA),
      fresh,
      status,
    );
  }
  // A verified document later asked to renew was decided once: the older
  // document it replaced does not come back.
  const older = doc({ status: "verified", minutesAgo: 900 });
  const renewing = review(
    review(doc({ minutesAgo: 600 }), "verify", { reviewerId: STAFF, now: NOW }),
    "request_renewal",
    { reviewerId: STAFF, now: NOW },
  );
  assert.equal(
    currentDocument([older, renewing], "health_permit", NOW, LA),
    renewing,
  );
});

Deno.test("compliance review: the current document is among one holder's documents", () => {
  const other = {
    ...doc(),
    holder: { kind: "renter" as const, id: "01JRENTER" },
  };
  assert.throws(
    () => currentDocument([doc(), other], "health_permit", NOW, LA),
    RangeError,
  );
});

// ---------------------------------------------------------------------------
// Reminders

Deno.test("compliance review: reminders 30, 7 and 1 days before the expiry date", () => {
  assert.deepEqual(reminderDates("2026-03-31"), [
    { daysBefore: 30, date: "2026-03-01" },
    { daysBefore: 7, date: "2026-03-24" },
    { daysBefore: 1, date: "2026-03-30" },
  ]);
  assert.deepEqual(reminderDates("2027-01-01").map((r) => r.date), [
    "2026-12-02",
    "2026-12-25",
    "2026-12-31",
  ]);
  assert.deepEqual(reminderDates("2028-03-01").map((r) => r.date), [
    "2028-01-31",
    "2028-02-23",
    "2028-02-29",
  ]);
  assert.throws(() => reminderDates("2026-02-30"));
});

// ---------------------------------------------------------------------------
// Kinds, the record and the upload form

Deno.test("compliance schema: every kind has a name and belongs to a holder", () => {
  assert.equal(DOCUMENT_KINDS.length, new Set(DOCUMENT_KINDS).size);
  for (const kind of DOCUMENT_KINDS) {
    assert.ok(DOCUMENT_KIND_NAMES[kind], kind);
    assert.ok(
      kindsFor("kitchen").includes(kind) || kindsFor("renter").includes(kind),
      kind,
    );
  }
  assert.equal(KITCHEN_DOCUMENT_KINDS.length, 12);
  assert.equal(FEDERAL_CERTIFICATE_KINDS.length, 8);
  assert.equal(RENTER_DOCUMENT_KINDS.length, 13);
  assert.equal(DOCUMENT_KINDS.length, 23);
  assert.equal(
    DOCUMENT_KIND_NAMES.pchf_certificate,
    "Preventive Controls for Human Food (PCHF) certificate",
  );
  assert.equal(DOCUMENT_KIND_NAMES.tfe, "Temporary food establishment permit");
});

Deno.test("compliance schema: the record keeps kinds with their holder and fields with their kind", () => {
  const good = doc();
  assert.equal(documentRecord.safeParse(good).success, true);
  const problems = (d: unknown) =>
    documentRecord.safeParse(d).error?.issues.map((i) => [
      i.path.join("."),
      i.message,
    ]);
  assert.deepEqual(problems({ ...good, kind: "food_handler_card" }), [[
    "kind",
    "A kitchen does not hold a food handler card",
  ]]);
  assert.deepEqual(problems({ ...good, kind: "liability_insurance" }), [[
    "insurance",
    "A liability insurance certificate needs its insurance limits and names",
  ]]);
  assert.deepEqual(problems({ ...good, expiryDate: "2026-01-14" }), [[
    "expiryDate",
    "The expiry date must be on or after the issue date",
  ]]);
  const { expiryDate: _, ...noExpiry } = good;
  assert.equal(documentRecord.safeParse(noExpiry).success, false);
  assert.deepEqual(
    problems({
      ...good,
      holder: { kind: "renter", id: "01JRENTER" },
      kind: "pcaf_certificate",
      certification: { body: "Best ISO", scope: "pchf" },
    }),
    [[
      "certification.scope",
      "The scope does not match the kind of certificate",
    ]],
  );
});

const blank = {
  number: "COI-778",
  authority: "Acme Mutual",
  issueDate: "2026-05-01",
  expiryDate: "2027-05-01",
};

Deno.test("compliance schema: the upload form wants COI limits and names for liability insurance", () => {
  const parsed = uploadForm("renter").parse({
    ...blank,
    kind: "liability_insurance",
    "insurance.perOccurrenceCents": "$1,000,000",
    "insurance.aggregateCents": "2000000.00",
    "insurance.namedInsured": " Rosa's Tamales LLC ",
    "insurance.additionalInsured": "City and County of San Francisco",
    "inspection.score": "ignored for this kind",
  });
  assert.deepEqual(parsed, {
    ...blank,
    kind: "liability_insurance",
    insurance: {
      perOccurrenceCents: 100_000_000,
      aggregateCents: 200_000_000,
      namedInsured: "Rosa's Tamales LLC",
      additionalInsured: "City and County of San Francisco",
    },
    inspection: null,
    greaseService: null,
    certification: null,
  });
  const noAdditional = uploadForm("kitchen").parse({
    ...blank,
    kind: "liability_insurance",
    "insurance.perOccurrenceCents": "1000000",
    "insurance.aggregateCents": "2,000,000",
    "insurance.namedInsured": "Mission Kitchens",
  });
  assert.equal(noAdditional.insurance?.additionalInsured, null);

  const errors = uploadForm("renter").safeParse({
    kind: "liability_insurance",
    number: "",
    authority: "Acme",
    issueDate: "2026-05-01",
    expiryDate: "2026-04-30",
    "insurance.perOccurrenceCents": "a million",
    "insurance.aggregateCents": "500000",
    "insurance.additionalInsured": "ok\u202e",
  }).error?.issues.map((i) => [i.path.join("."), i.message]);
  assert.deepEqual(errors, [
    ["number", "Enter the document number"],
    ["expiryDate", "The expiry date must be on or after the issue date"],
    [
      "insurance.perOccurrenceCents",
      "Enter the per-occurrence limit in dollars, like 1,000,000",
    ],
    ["insurance.namedInsured", "Enter the named insured"],
    [
      "insurance.additionalInsured",
      "Remove the text-direction override characters",
    ],
  ]);
  const below = uploadForm("renter").safeParse({
    ...blank,
    kind: "liability_insurance",
    "insurance.perOccurrenceCents": "1,000,000",
    "insurance.aggregateCents": "500,000",
    "insurance.namedInsured": "Rosa",
  }).error?.issues.map((i) => [i.path.join("."), i.message]);
  assert.deepEqual(below, [[
    "insurance.aggregateCents",
    "The aggregate limit cannot be below the per-occurrence limit",
  ]]);
});

Deno.test("compliance schema: the upload form's kinds, inspection, grease and certifier fields", () => {
  const form = (holder: "kitchen" | "renter", fields: Record<string, string>) =>
    uploadForm(holder).safeParse({ ...blank, ...fields });
  assert.deepEqual(
    form("kitchen", { kind: "food_handler_card" }).error?.issues.map((i) => [
      i.path.join("."),
      i.message,
    ]),
    [["kind", "Choose the type of document"]],
  );
  assert.deepEqual(
    form("kitchen", {
      kind: "inspection_report",
      "inspection.date": "2026-04-30",
      "inspection.score": "86",
      "inspection.passed": "pass",
    }).data?.inspection,
    { date: "2026-04-30", score: 86, passed: true },
  );
  assert.deepEqual(
    form("kitchen", {
      kind: "inspection_report",
      "inspection.date": "yesterday",
      "inspection.score": "101",
    }).error?.issues.map((i) => [i.path.join("."), i.message]),
    [
      [
        "inspection.date",
        "Enter the inspection date as a date like 2026-12-31",
      ],
      ["inspection.score", "Enter the score as a whole number from 0 to 100"],
      ["inspection.passed", "Choose pass or fail"],
    ],
  );
  assert.deepEqual(
    form("kitchen", {
      kind: "grease_service",
      "greaseService.date": "2026-10-02",
    }).data?.greaseService,
    { date: "2026-10-02" },
  );
  assert.deepEqual(
    form("renter", {
      kind: "seafood_haccp_certificate",
      "certification.body": "Intertek USA Inc.",
    }).data?.certification,
    { body: "Intertek USA Inc.", scope: "seafood_haccp" },
  );
  assert.deepEqual(
    form("renter", { kind: "pchf_certificate" }).error?.issues.map((i) => [
      i.path.join("."),
      i.message,
    ]),
    [["certification.body", "Enter the certification body"]],
  );
  assert.deepEqual(
    form("renter", { kind: "food_handler_card", issueDate: "" }).error?.issues
      .map((i) => [i.path.join("."), i.message]),
    [["issueDate", "Enter the issue date as a date like 2026-12-31"]],
  );
});

Deno.test("compliance schema: an uploaded document is a valid pending record", () => {
  const upload = uploadForm("renter").parse({
    ...blank,
    kind: "pchf_certificate",
    "certification.body": "SCS Global Services",
  });
  const d = newDocument({
    id: "01JDOCUMENT000000000000000",
    holder: { kind: "renter", id: "01JRENTER0000000000000000" },
    fileId: "01JFILE0000000000000000000",
    upload,
    uploadedBy: "01JRENTER0000000000000000",
    now: NOW,
  });
  assert.deepEqual(documentRecord.parse(d), d);
  assert.equal(d.status, "pending");
  assert.deepEqual(d.history, [{
    at: NOW,
    by: "01JRENTER0000000000000000",
    action: "upload",
    from: null,
    to: "pending",
    reason: null,
    expiryCorrected: null,
  }]);
});
