// The pure rules behind issue 17's booking pages: references, the refund
// deadline, deadlines in words, the directions link, the receipt PDF and
// what a host may read of a renter.
import assert from "node:assert/strict";
import { extractText, getDocumentProxy } from "unpdf";
import {
  directionsUrl,
  fullAddress,
  wasCharged,
} from "../../lib/bookings/pages.ts";
import { receiptPdf } from "../../lib/bookings/receipt.ts";
import {
  parseReference,
  REFERENCE_ATTEMPTS,
  referenceFor,
  referenceOf,
} from "../../lib/bookings/reference.ts";
import { refundDeadline } from "../../lib/bookings/refunds.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import {
  renterRecord,
  verifiedDocuments,
} from "../../lib/compliance/host_request.ts";
import { newDocument } from "../../lib/compliance/review.ts";
import type { ComplianceDocument } from "../../lib/compliance/schema.ts";
import {
  formatDayTimeZoned,
  formatTimeLeft,
  formatTimeZoned,
} from "../../lib/format.ts";
import type { CancellationPolicy } from "../../lib/kitchens/policy.ts";
import { upload } from "../compliance_helpers.ts";

const H = 3_600_000;

Deno.test("references: PRP-XXXX-XX from the id, the same every time, another per attempt", () => {
  const id = "01JF3Q4M5N6P7R8S9T0V1W2X3Y";
  const ref = referenceFor(id);
  assert.match(ref, /^PRP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$/);
  assert.equal(referenceFor(id), ref);
  assert.equal(referenceFor(id, 0), ref);
  const attempts = new Set(
    Array.from({ length: REFERENCE_ATTEMPTS }, (_, i) => referenceFor(id, i)),
  );
  assert.equal(attempts.size, REFERENCE_ATTEMPTS);
  assert.notEqual(referenceFor("01JF3Q4M5N6P7R8S9T0V1W2X3Z"), ref);
  assert.equal(referenceOf({ id }), ref, "a booking from before references");
  assert.equal(referenceOf({ id, reference: "PRP-0000-00" }), "PRP-0000-00");
  // Spread: 2,000 ids give (almost) 2,000 references.
  const many = new Set(
    Array.from({ length: 2000 }, (_, i) => referenceFor(`id-${i}`)),
  );
  assert.ok(many.size >= 1998, `${many.size}`);
});

Deno.test("references: what people type reads as the stored form, or not at all", () => {
  const cases: [string, string | null][] = [
    ["PRP-7K3Q-9D", "PRP-7K3Q-9D"],
    ["prp-7k3q-9d", "PRP-7K3Q-9D"],
    [" prp 7k3q 9d ", "PRP-7K3Q-9D"],
    ["PRP7K3Q9D", "PRP-7K3Q-9D"],
    ["7K3Q-9D", "PRP-7K3Q-9D"],
    ["7k3q9d", "PRP-7K3Q-9D"],
    // Crockford's look-alikes are the digits they look like.
    ["PRP-7K3Q-9O", "PRP-7K3Q-90"],
    ["PRP-IK3Q-LD", "PRP-1K3Q-1D"],
    // U is not in the alphabet; neither is punctuation.
    ["PRP-7K3Q-9U", null],
    ["PRP-7K3Q-9!", null],
    ["PRP-7K3Q-9", null],
    ["PRP-7K3Q-9DD", null],
    ["", null],
    ["ada@example.com", null],
    ["01JF3Q4M5N6P7R8S9T0V1W2X3Y", null],
  ];
  for (const [input, expected] of cases) {
    assert.equal(parseReference(input), expected, JSON.stringify(input));
  }
  const ref = referenceFor("anything");
  assert.equal(parseReference(ref), ref);
});

Deno.test("refund deadline: until when today's refund holds, and what it becomes", () => {
  const start = Date.parse("2026-12-10T15:00:00Z");
  const cases: [
    CancellationPolicy,
    number,
    { until: number; thenBps: number } | null,
  ][] = [
    ["flexible", 48, { until: start - 24 * H, thenBps: 0 }],
    ["flexible", 24, { until: start - 24 * H, thenBps: 0 }],
    ["flexible", 23, null],
    ["moderate", 120, { until: start - 72 * H, thenBps: 5000 }],
    ["moderate", 72, { until: start - 72 * H, thenBps: 5000 }],
    ["moderate", 50, { until: start - 24 * H, thenBps: 0 }],
    ["moderate", 10, null],
    ["strict", 200, { until: start - 168 * H, thenBps: 0 }],
    ["strict", 100, null],
    ["moderate", 0, null],
    ["moderate", -5, null],
  ];
  for (const [policy, hoursAhead, expected] of cases) {
    assert.deepEqual(
      refundDeadline(policy, start, start - hoursAhead * H),
      expected,
      `${policy}, ${hoursAhead} h ahead`,
    );
  }
});

Deno.test("format: deadlines name their zone, and the time left never overstates", () => {
  const at = Date.parse("2026-12-04T21:41:00Z");
  assert.equal(
    formatTimeZoned("America/Chicago", at).replace(/\s/g, " "),
    "3:41 PM CST",
  );
  assert.equal(
    formatDayTimeZoned("America/New_York", at).replace(/\s/g, " "),
    "Fri, Dec 4, 4:41 PM EST",
  );
  assert.equal(
    formatTimeZoned("America/Los_Angeles", Date.parse("2026-07-01T19:00:00Z"))
      .replace(/\s/g, " "),
    "12:00 PM PDT",
  );
  const now = 0;
  const cases: [number, string][] = [
    [-60_000, "less than a minute"],
    [59_999, "less than a minute"],
    [60_000, "1 minute"],
    [34 * 60_000 + 59_999, "34 minutes"],
    [60 * 60_000, "1 hour"],
    [24 * H - 1, "23 hours"],
    [24 * H, "24 hours"],
    [47 * H + 59 * 60_000, "47 hours"],
    [72 * H, "3 days"],
  ];
  for (const [ms, expected] of cases) {
    assert.equal(formatTimeLeft(now, now + ms), expected, `${ms} ms`);
  }
});

Deno.test("directions: the address is only ever the destination's value", () => {
  const cases = [
    "1400 W Randolph St, Chicago, IL 60607",
    "12 Main St #4 & Co, Boston, MA 02134",
    "1 A St?destination=evil.example&api=2, X, NY 10001",
    "javascript:alert(1)//, Y, CA 94103",
    "Calle Ñandú 5, Los Angeles, CA 90001",
  ];
  for (const address of cases) {
    const url = new URL(directionsUrl(address));
    assert.equal(url.origin, "https://www.google.com", address);
    assert.equal(url.pathname, "/maps/dir/", address);
    assert.deepEqual(
      [...url.searchParams.keys()],
      ["api", "destination"],
      address,
    );
    assert.equal(url.searchParams.get("api"), "1");
    assert.equal(url.searchParams.get("destination"), address);
    assert.equal(url.hash, "");
  }
  assert.equal(
    fullAddress({
      address: {
        line1: "5300 N Clark St",
        neighborhood: "Andersonville",
        city: "chicago",
        state: "IL",
        postalCode: "60640",
      },
    }),
    "5300 N Clark St, Chicago, IL 60640",
  );
});

function chargedBooking(over: Partial<Booking> = {}): Booking {
  const at = Date.parse("2026-12-01T15:00:00Z");
  return {
    v: 1,
    id: "01JF3Q4M5N6P7R8S9T0V1W2X3Y",
    reference: "PRP-7K3Q-9D",
    kitchenId: "K",
    renterId: "R",
    hostId: "H",
    start: Date.parse("2026-12-10T15:00:00Z"),
    end: Date.parse("2026-12-10T19:00:00Z"),
    timeZone: "America/Los_Angeles",
    localDate: "2026-12-10",
    localStart: "07:00",
    localEnd: "11:00",
    status: "cancelled",
    mode: "instant",
    quote: {
      currency: "usd",
      hourlyPriceCents: 4000,
      durationMinutes: 240,
      renterFeeBps: 0,
      platformFeeBps: 1500,
      lines: [
        {
          kind: "hours",
          label: "4 hours × $40",
          amountCents: 16000,
          payer: "renter",
          to: "host",
        },
        {
          kind: "cleaning",
          label: "Cleaning fee",
          amountCents: 2000,
          payer: "renter",
          to: "host",
        },
        {
          kind: "city_fee",
          label: "San Francisco shared kitchen fee 🍕",
          amountCents: 300,
          payer: "renter",
          to: "authority",
        },
      ],
      subtotalCents: 16000,
      cleaningFeeCents: 2000,
      renterFeeCents: 0,
      commissionCents: 2700,
      totalChargedCents: 18300,
      hostPayoutCents: 15300,
      platformRevenueCents: 2700,
      authorityCents: 300,
    },
    bufferMs: 0,
    claimDays: ["2026-12-10"],
    holdExpiresAt: null,
    respondBy: null,
    payment: {
      provider: "stripe",
      checkoutSessionId: "cs",
      paymentIntentId: "pi",
      chargeId: "ch",
    },
    ledger: [
      { kind: "charge", amountCents: 18300, at, ref: "ch" },
      { kind: "refund", amountCents: 9150, at: at + 3 * 24 * H, ref: "re" },
    ],
    accessCode: null,
    cancellation: {
      by: "renter",
      at: at + 3 * 24 * H,
      reason: null,
      refundCents: 9150,
      refundBps: 5000,
      explanation:
        "Cancelled 2 days before the start: 50% refund under the Moderate policy.",
    },
    disputed: false,
    note: null,
    rulesAcceptedAt: at,
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

async function pdfText(bytes: Uint8Array) {
  return await extractText(await getDocumentProxy(bytes), { mergePages: true });
}

Deno.test("receipt: lines, city fees, refunds and both parties' names, small and on one page", async () => {
  const b = chargedBooking();
  const bytes = await receiptPdf({
    booking: b,
    kitchen: { title: "Mission Bakeshop", timeZone: b.timeZone },
    address: "2400 Mission St, San Francisco, CA 94110",
    reference: b.reference!,
    platformName: "Prep",
    hostName: "Borough Commissary Co.",
    renterName: "Rosa Renter, Rosa's Tamales",
    now: Date.parse("2026-12-05T12:00:00Z"),
  });
  assert.ok(bytes.length < 10_000, `${bytes.length} bytes`);
  const { text, totalPages } = await pdfText(bytes);
  assert.equal(totalPages, 1);
  for (
    const expected of [
      "Receipt for booking PRP-7K3Q-9D",
      "Issued Saturday, December 5, 2026",
      "Borough Commissary Co. (the kitchen's host)",
      "Prep, the booking platform",
      "Rosa Renter, Rosa's Tamales",
      "Mission Bakeshop",
      "2400 Mission St, San Francisco, CA 94110",
      "4 hours × $40",
      "$160",
      // The emoji the font cannot draw is replaced, not thrown on.
      "San Francisco shared kitchen fee ? (city fee, paid to the city)",
      "Total charged",
      "$183",
      "Refund on Friday, December 4, 2026",
      "-$91.50",
      "Paid after refunds",
      "$91.50",
      "50% refund under the Moderate policy",
      "Paid by card through Stripe to Prep",
    ]
  ) {
    assert.ok(
      text.replace(/\s+/g, " ").includes(expected),
      `${expected} in:\n${text}`,
    );
  }
});

Deno.test("receipt: hostile and huge text stays bounded; a demo payment says nothing was charged", async () => {
  const many = Array.from({ length: 50 }, (_, i) => ({
    kind: `extra_${i}`,
    label: `Extra line ${i} ${"w".repeat(150)}`,
    amountCents: 100,
    payer: "renter" as const,
    to: "host" as const,
  }));
  const b = chargedBooking({
    payment: {
      provider: "demo",
      checkoutSessionId: null,
      paymentIntentId: null,
      chargeId: null,
    },
    cancellation: null,
    ledger: [{ kind: "charge", amountCents: 5000, at: 0, ref: null }],
  });
  b.quote = { ...b.quote, lines: many };
  const bytes = await receiptPdf({
    booking: b,
    kitchen: {
      title: "\u202eevil\u0000 " + "名".repeat(500),
      timeZone: b.timeZone,
    },
    address: "x".repeat(5000),
    reference: b.reference!,
    platformName: "Prep",
    hostName: "<script>alert(1)</script>",
    renterName: "Ada",
    now: 0,
  });
  assert.ok(bytes.length < 40_000, `${bytes.length} bytes`);
  const { text, totalPages } = await pdfText(bytes);
  assert.ok(totalPages >= 2 && totalPages <= 6, `${totalPages} pages`);
  assert.match(text, /Extra line 49/);
  assert.match(text, /Demo payment: no card was charged for this booking\./);
  assert.doesNotMatch(text, /Refunds/);
});

Deno.test("receipt: only a charged booking has one", () => {
  assert.equal(wasCharged(chargedBooking()), true);
  assert.equal(wasCharged(chargedBooking({ ledger: [] })), false);
});

function doc(
  kind: ComplianceDocument["kind"],
  status: ComplianceDocument["status"],
  expiryDate: string,
): ComplianceDocument {
  const d = newDocument({
    id: `D-${kind}`,
    holder: { kind: "renter", id: "R" },
    fileId: "F",
    upload: upload(kind, {
      expiryDate,
      insurance: kind === "liability_insurance"
        ? {
          perOccurrenceCents: 100_000_000,
          aggregateCents: 200_000_000,
          namedInsured: "R",
          additionalInsured: null,
        }
        : null,
    }),
    uploadedBy: "R",
    now: 0,
  });
  return { ...d, status };
}

Deno.test("host request: verified and unexpired documents by name and expiry; history counts only what happened", () => {
  const now = Date.parse("2026-12-01T15:00:00Z");
  const docs = [
    doc("food_handler_card", "verified", "2028-05-22"),
    doc("liability_insurance", "verified", "2026-11-30"), // lapsed
    doc("business_license", "pending", "2027-12-04"),
    doc("workers_comp", "rejected", "2027-12-04"),
  ];
  assert.deepEqual(verifiedDocuments(docs, now), [
    { name: "Food handler card", expiryDate: "2028-05-22" },
  ]);
  assert.deepEqual(verifiedDocuments([], now), []);

  const b = (over: Partial<Booking>) =>
    chargedBooking({ cancellation: null, ...over });
  const byRenter = chargedBooking().cancellation!;
  const history = [
    b({ id: "this", status: "requested" }),
    b({ id: "a", status: "completed" }),
    b({ id: "b", status: "confirmed", end: now - H }),
    b({ id: "c", status: "confirmed", end: now + H }),
    b({ id: "d", status: "cancelled", cancellation: byRenter }),
    b({
      id: "e",
      status: "cancelled",
      cancellation: { ...byRenter, by: "host" },
    }),
    b({ id: "f", status: "withdrawn" }),
  ];
  assert.deepEqual(renterRecord(history, "this", now), {
    completed: 2,
    cancelledByRenter: 1,
  });
});
