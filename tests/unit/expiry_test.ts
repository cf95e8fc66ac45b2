import assert from "node:assert/strict";
import { CITIES } from "../../lib/cities.ts";
import { documentsAtRisk } from "../../lib/compliance/expiry.ts";
import {
  addExpiryJobs,
  expiryJobPlan,
  reminderAt,
  RENTER_EXPIRY_ZONE,
} from "../../lib/compliance/expiry_plan.ts";
import { expiresAt, newDocument } from "../../lib/compliance/review.ts";
import { rulePackFor } from "../../lib/compliance/rules.ts";
import type {
  ComplianceDocument,
  DocumentKind,
  DocumentStatus,
  HolderKind,
} from "../../lib/compliance/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import type { JobRecord } from "../../lib/jobs/outbox.ts";
import {
  DOCUMENT_EXPIRY_JOB,
  DOCUMENT_REMINDER_JOB,
} from "../../lib/job_names.ts";

const at = (iso: string) => Temporal.Instant.from(iso).epochMilliseconds;
const iso = (ms: number) => new Date(ms).toISOString();
const DOC_ID = "01JDOC00000000000000000001";

let seq = 0;
function doc(
  kind: DocumentKind,
  expiryDate: string,
  over: {
    holder?: HolderKind;
    status?: DocumentStatus;
    createdAt?: number;
    id?: string;
  } = {},
): ComplianceDocument {
  const holder = over.holder ?? "kitchen";
  const created = over.createdAt ?? at("2026-01-01T00:00:00Z");
  const base = newDocument({
    id: over.id ?? `01JDOC${String(++seq).padStart(20, "0")}`,
    holder: {
      kind: holder,
      id: holder === "kitchen"
        ? "01JKITCHEN0000000000000000"
        : "01JRENTER00000000000000000",
    },
    fileId: "01JFILE0000000000000000000",
    upload: {
      kind,
      number: "N-1",
      authority: "Authority",
      issueDate: "2026-01-01",
      expiryDate,
      insurance: kind === "liability_insurance"
        ? {
          perOccurrenceCents: 100_000_000,
          aggregateCents: 200_000_000,
          namedInsured: "Rosa's Bakery",
          additionalInsured: null,
        }
        : null,
      inspection: null,
      greaseService: null,
      certification: null,
    },
    uploadedBy: "01JUSER0000000000000000000",
    now: created,
  });
  const status = over.status ?? "verified";
  return {
    ...base,
    status,
    reviewedAt: status === "pending" ? null : created + 1,
    reviewerId: status === "pending" ? null : "01JSTAFF00000000000000000A",
  };
}

const plan = (
  expiryDate: string,
  timeZone: string,
  now: number,
) =>
  expiryJobPlan({ id: DOC_ID, expiryDate, reviewedAt: 1 }, timeZone, now).map(
    (j) => ({
      type: j.type,
      runAt: iso(j.runAt),
      daysBefore: "daysBefore" in j.payload ? j.payload.daysBefore : null,
    }),
  );

Deno.test("expiry: reminders at 09:00 local on 30, 7 and 1 days before, expiry at the end of the date", () => {
  const cases: {
    name: string;
    expiryDate: string;
    zone: string;
    want: [number | null, string][];
  }[] = [
    {
      name: "Chicago, across the spring change (CST on the 1st, CDT after)",
      expiryDate: "2027-03-31",
      zone: "America/Chicago",
      want: [
        [30, "2027-03-01T15:00:00.000Z"],
        [7, "2027-03-24T14:00:00.000Z"],
        [1, "2027-03-30T14:00:00.000Z"],
        [null, "2027-04-01T05:00:00.000Z"],
      ],
    },
    {
      name: "New York, expiring on the autumn change (the day has 25 hours)",
      expiryDate: "2026-11-01",
      zone: "America/New_York",
      want: [
        [30, "2026-10-02T13:00:00.000Z"],
        [7, "2026-10-25T13:00:00.000Z"],
        [1, "2026-10-31T13:00:00.000Z"],
        [null, "2026-11-02T05:00:00.000Z"],
      ],
    },
    {
      name: "New York, expiring the day before the spring change",
      expiryDate: "2027-03-13",
      zone: "America/New_York",
      want: [
        [30, "2027-02-11T14:00:00.000Z"],
        [7, "2027-03-06T14:00:00.000Z"],
        [1, "2027-03-12T14:00:00.000Z"],
        // Midnight starting the 14th is still EST; the 2am jump comes after.
        [null, "2027-03-14T05:00:00.000Z"],
      ],
    },
    {
      name: "Los Angeles, the same date ends three hours after New York",
      expiryDate: "2026-11-01",
      zone: "America/Los_Angeles",
      want: [
        [30, "2026-10-02T16:00:00.000Z"],
        [7, "2026-10-25T16:00:00.000Z"],
        [1, "2026-10-31T16:00:00.000Z"],
        [null, "2026-11-02T08:00:00.000Z"],
      ],
    },
    {
      name: "a 30-day reminder across a month end and a leap day",
      expiryDate: "2028-03-01",
      zone: "America/Chicago",
      want: [
        [30, "2028-01-31T15:00:00.000Z"],
        [7, "2028-02-23T15:00:00.000Z"],
        [1, "2028-02-29T15:00:00.000Z"],
        [null, "2028-03-02T06:00:00.000Z"],
      ],
    },
  ];
  const longBefore = at("2026-01-01T00:00:00Z");
  for (const c of cases) {
    const got = plan(c.expiryDate, c.zone, longBefore);
    assert.deepEqual(
      got.map((j) => [j.daysBefore, j.runAt]),
      c.want,
      c.name,
    );
    assert.deepEqual(
      got.map((j) => j.type),
      [
        DOCUMENT_REMINDER_JOB,
        DOCUMENT_REMINDER_JOB,
        DOCUMENT_REMINDER_JOB,
        DOCUMENT_EXPIRY_JOB,
      ],
      c.name,
    );
  }
});

Deno.test("expiry: reminders already in the past are skipped; the expiry job always stays", () => {
  const zone = "America/Chicago";
  const sevenDay = reminderAt("2027-03-24", zone);
  const cases: { name: string; now: number; want: (number | null)[] }[] = [
    {
      name: "long before",
      now: at("2026-06-01T00:00:00Z"),
      want: [30, 7, 1, null],
    },
    {
      name: "the day of the 30-day reminder, after 09:00",
      now: at("2027-03-01T16:00:00Z"),
      want: [7, 1, null],
    },
    {
      name: "a millisecond before the 7-day one",
      now: sevenDay - 1,
      want: [7, 1, null],
    },
    { name: "exactly at the 7-day one", now: sevenDay, want: [1, null] },
    {
      name: "the last day, in the afternoon",
      now: at("2027-03-31T20:00:00Z"),
      want: [null],
    },
  ];
  for (const c of cases) {
    assert.deepEqual(
      plan("2027-03-31", zone, c.now).map((j) => j.daysBefore),
      c.want,
      c.name,
    );
  }
});

Deno.test("expiry: job ids carry the document, the reminder, the expiry date and the verification", () => {
  const jobs = expiryJobPlan(
    { id: DOC_ID, expiryDate: "2027-03-31", reviewedAt: 1234 },
    "America/Chicago",
    at("2026-06-01T00:00:00Z"),
  );
  assert.deepEqual(jobs.map((j) => j.id), [
    `document-reminder:${DOC_ID}:30:2027-03-31:1234`,
    `document-reminder:${DOC_ID}:7:2027-03-31:1234`,
    `document-reminder:${DOC_ID}:1:2027-03-31:1234`,
    `document-expiry:${DOC_ID}:2027-03-31:1234`,
  ]);
  assert.deepEqual(jobs[3].payload, {
    documentId: DOC_ID,
    expiryDate: "2027-03-31",
  });
  assert.deepEqual(jobs[1].payload, {
    documentId: DOC_ID,
    expiryDate: "2027-03-31",
    daysBefore: 7,
  });
});

Deno.test("expiry: RENTER_EXPIRY_ZONE ends every date no earlier than any of our cities", () => {
  assert.equal(RENTER_EXPIRY_ZONE, "America/Los_Angeles");
  for (const date of ["2026-01-15", "2026-07-15", "2026-11-01", "2027-03-14"]) {
    const renter = expiresAt(date, RENTER_EXPIRY_ZONE);
    for (const city of CITIES) {
      assert.ok(
        renter >= expiresAt(date, city.timeZone),
        `${date} ends in ${city.timeZone} after ${RENTER_EXPIRY_ZONE}`,
      );
    }
    assert.ok(
      CITIES.some((c) => expiresAt(date, c.timeZone) === renter),
      "the zone is one of our cities'",
    );
  }
});

Deno.test("expiry: addExpiryJobs writes the jobs, their due index and the expiring index in the caller's atomic", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const now = at("2026-12-01T15:00:00Z");
    const d = { ...doc("health_permit", "2027-01-10"), reviewedAt: now };
    const atomic = kv.atomic();
    addExpiryJobs(atomic, d, "America/Chicago", now, false);
    assert.ok((await atomic.commit()).ok);
    const jobs: JobRecord[] = [];
    for await (const e of kv.list<JobRecord>({ prefix: ["jobs"] })) {
      jobs.push(e.value);
    }
    // 30 days before 2027-01-10 is 2026-12-11, still ahead of now.
    assert.deepEqual(jobs.map((j) => j.type).sort(), [
      DOCUMENT_EXPIRY_JOB,
      DOCUMENT_REMINDER_JOB,
      DOCUMENT_REMINDER_JOB,
      DOCUMENT_REMINDER_JOB,
    ]);
    for (const j of jobs) {
      assert.equal(
        (await kv.get(keys.jobDue(j.runAt, j.id))).value,
        j.id,
      );
    }
    assert.equal(
      (await kv.get(keys.documentExpiring("2027-01-10", d.id))).value,
      d.id,
    );
    assert.throws(
      () =>
        addExpiryJobs(
          kv.atomic(),
          { ...d, status: "pending" },
          "America/Chicago",
          now,
          false,
        ),
      /verified/,
    );
  } finally {
    kv.close();
  }
});

Deno.test("expiry: documents at risk before a booking's start", () => {
  const now = at("2026-12-01T15:00:00Z");
  const chicago = "America/Chicago";
  // Starts 2026-12-10 at 10:00 in Chicago.
  const start = at("2026-12-10T16:00:00Z");
  const good = "2027-06-30";
  const kitchenOk = [
    doc("health_permit", good),
    doc("fire_safety", good),
    doc("business_license", good),
  ];
  const renterOk = [
    doc("liability_insurance", good, { holder: "renter" }),
    doc("food_handler_card", good, { holder: "renter" }),
  ];
  const run = (over: {
    kitchen?: ComplianceDocument[];
    renter?: ComplianceDocument[];
    hasEmployees?: boolean;
    city?: string;
  }) =>
    documentsAtRisk({
      pack: rulePackFor(over.city ?? "chicago"),
      kitchenDocs: over.kitchen ?? kitchenOk,
      renterDocs: over.renter ?? renterOk,
      hasEmployees: over.hasEmployees ?? false,
      timeZone: chicago,
      start,
      now,
    }).map((r) => `${r.holder}:${r.kind}:${r.expiryDate}`);

  const cases: { name: string; got: string[]; want: string[] }[] = [
    { name: "everything valid past the start", got: run({}), want: [] },
    {
      name: "a permit expiring the day before the start",
      got: run({
        kitchen: [...kitchenOk.slice(1), doc("health_permit", "2026-12-09")],
      }),
      want: ["kitchen:health_permit:2026-12-09"],
    },
    {
      name:
        "a permit whose date ends at midnight before the start (on the day is fine)",
      got: run({
        kitchen: [...kitchenOk.slice(1), doc("health_permit", "2026-12-10")],
      }),
      want: [],
    },
    {
      name: "a permit already expired",
      got: run({
        kitchen: [
          ...kitchenOk.slice(1),
          doc("health_permit", "2026-11-20", { status: "expired" }),
        ],
      }),
      want: ["kitchen:health_permit:2026-11-20"],
    },
    {
      name: "a permit only pending is not 'expiring' (the verdict refused it)",
      got: run({
        kitchen: [
          ...kitchenOk.slice(1),
          doc("health_permit", "2026-12-05", { status: "pending" }),
        ],
      }),
      want: [],
    },
    {
      name: "a renewal already verified replaces the lapsing permit",
      got: run({
        kitchen: [
          ...kitchenOk,
          doc("health_permit", "2026-12-05", {
            createdAt: at("2025-06-01T00:00:00Z"),
          }),
        ],
      }),
      want: [],
    },
    {
      name: "the renter's insurance",
      got: run({
        renter: [
          doc("liability_insurance", "2026-12-08", { holder: "renter" }),
          renterOk[1],
        ],
      }),
      want: ["renter:liability_insurance:2026-12-08"],
    },
    {
      name:
        "training is one-of: a lapsing card with a valid manager certificate is fine",
      got: run({
        renter: [
          ...renterOk.slice(0, 1),
          doc("food_handler_card", "2026-12-08", { holder: "renter" }),
          doc("food_manager_certificate", good, { holder: "renter" }),
        ],
      }),
      want: [],
    },
    {
      name: "training is one-of: both lapsing are both named",
      got: run({
        renter: [
          ...renterOk.slice(0, 1),
          doc("food_handler_card", "2026-12-08", { holder: "renter" }),
          doc("food_manager_certificate", "2026-12-03", { holder: "renter" }),
        ],
      }),
      want: [
        "renter:food_handler_card:2026-12-08",
        "renter:food_manager_certificate:2026-12-03",
      ],
    },
    {
      name: "workers' comp only counts for a renter with employees",
      got: run({
        renter: [
          ...renterOk,
          doc("workers_comp", "2026-12-08", { holder: "renter" }),
        ],
      }),
      want: [],
    },
    {
      name: "workers' comp of a renter with employees",
      got: run({
        hasEmployees: true,
        renter: [
          ...renterOk,
          doc("workers_comp", "2026-12-08", { holder: "renter" }),
        ],
      }),
      want: ["renter:workers_comp:2026-12-08"],
    },
    {
      name: "Portland's community notice is a required kitchen document",
      got: run({
        city: "portland",
        kitchen: [
          ...kitchenOk,
          doc("commissary", good),
          doc("ventilation", good),
          doc("community_notice", "2026-12-02"),
        ],
      }),
      want: ["kitchen:community_notice:2026-12-02"],
    },
  ];
  for (const c of cases) assert.deepEqual(c.got, c.want, c.name);
});
