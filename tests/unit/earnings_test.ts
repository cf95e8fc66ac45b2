import assert from "node:assert/strict";
import {
  bookingEarnings,
  csvCell,
  decimalCents,
  type EarningsBooking,
  earningsCsv,
  hostPayoutCents,
  type Money,
  summariseEarnings,
} from "../../lib/bookings/earnings.ts";
import type {
  Booking,
  LedgerEntry,
  LedgerKind,
} from "../../lib/bookings/schema.ts";

const NOW = Date.parse("2026-12-10T15:00:00Z");
const HOUR = 3600_000;

const ledger = (...entries: [LedgerKind, number][]): LedgerEntry[] =>
  entries.map(([kind, amountCents]) => ({
    kind,
    amountCents,
    at: NOW - 10 * HOUR,
    ref: null,
  }));

/** $145: 3 h × $40 + $25 cleaning; 15% commission $21.75, $123.25 to the host. */
const PAID: [LedgerKind, number][] = [
  ["charge", 14500],
  ["transfer", 12325],
  ["commission", 2175],
];

let n = 0;
function booking(over: Partial<EarningsBooking>): EarningsBooking {
  return {
    id: `B${++n}`,
    kitchenId: "K1",
    start: Date.parse("2026-12-15T16:00:00Z"),
    end: Date.parse("2026-12-15T19:00:00Z"),
    status: "confirmed",
    timeZone: "America/Chicago",
    localDate: "2026-12-15",
    ledger: ledger(...PAID),
    ...over,
  };
}

const money = (m: Money) => [
  m.grossCents,
  m.commissionCents,
  m.refundCents,
  m.netCents,
  m.paidOutCents,
  m.pendingCents,
];

Deno.test("earnings: each booking's money follows its ledger and status", () => {
  const past = {
    start: NOW - 5 * HOUR,
    end: NOW - 2 * HOUR,
  };
  const cases: [
    string,
    Partial<EarningsBooking>,
    // gross, commission, refunds, net, paid out, pending; null: not counted
    number[] | null,
  ][] = [
    ["confirmed, stay ahead: pending", {}, [14500, 2175, 0, 12325, 0, 12325]],
    [
      "confirmed, stay ended (completion job due): paid out",
      past,
      [14500, 2175, 0, 12325, 12325, 0],
    ],
    [
      "completed: paid out",
      { ...past, status: "completed" },
      [14500, 2175, 0, 12325, 12325, 0],
    ],
    [
      "cancelled by the host, full refund: nothing kept",
      {
        status: "cancelled",
        ledger: ledger(
          ...PAID,
          ["refund", 14500],
          ["transfer_reversal", 12325],
          ["fee_refund", 2175],
          ["renter_fee_refund", 0],
        ),
      },
      [14500, 0, 14500, 0, 0, 0],
    ],
    [
      "cancelled by the renter, half refunded: the kept half is paid out",
      {
        status: "cancelled",
        ledger: ledger(
          ...PAID,
          ["refund", 6000],
          ["transfer_reversal", 5100],
          ["fee_refund", 900],
          ["renter_fee_refund", 0],
        ),
      },
      [14500, 1275, 6000, 7225, 7225, 0],
    ],
    [
      "with a renter service fee: gross includes it, net does not",
      {
        ledger: ledger(
          ["charge", 15100],
          ["transfer", 12325],
          ["commission", 2175],
          ["renter_fee", 600],
        ),
      },
      [15100, 2175, 0, 12325, 0, 12325],
    ],
    ["a request, only authorised: not counted", {
      status: "requested",
      ledger: [],
    }, null],
    ["a hold: not counted", { status: "held", ledger: [] }, null],
    ["a request the renter withdrew: not counted", {
      status: "withdrawn",
      ledger: [],
    }, null],
    [
      "a late payment refunded in full never reached the host: not counted",
      {
        status: "expired",
        ledger: ledger(
          ["charge", 14500],
          ["renter_fee", 14500],
          ["refund", 14500],
          ["renter_fee_refund", 14500],
        ),
      },
      null,
    ],
  ];
  for (const [name, over, expected] of cases) {
    const e = bookingEarnings(booking(over), NOW);
    if (expected === null) {
      assert.equal(e, null, name);
      continue;
    }
    assert.ok(e, name);
    assert.deepEqual(money(e), expected, name);
    assert.equal(e.paidOutCents + e.pendingCents, e.netCents, name);
  }
});

Deno.test("earnings: the payout a host's lists show is what they keep once paid, the quote before, none when it never pays", () => {
  const quote = { hostPayoutCents: 12325 };
  const cases: [
    string,
    Booking["status"],
    [LedgerKind, number][],
    number | null,
  ][] = [
    ["paid", "confirmed", PAID, 12325],
    ["cancelled, half refunded", "cancelled", [
      ...PAID,
      ["refund", 7250],
      ["transfer_reversal", 6162],
      ["fee_refund", 1088],
    ], 6163],
    ["cancelled, refunded in full", "cancelled", [
      ...PAID,
      ["refund", 14500],
      ["transfer_reversal", 12325],
      ["fee_refund", 2175],
    ], 0],
    ["moved to a cheaper time", "confirmed", [
      ...PAID,
      ["refund", 4000],
      ["transfer_reversal", 3400],
    ], 8925],
    ["completed", "completed", PAID, 12325],
    ["held, not paid yet", "held", [], 12325],
    ["requested, card authorised", "requested", [], 12325],
    ["a weekly date, charged later", "scheduled", [], 12325],
    ["declined", "declined", [], null],
    ["expired hold", "expired", [], null],
    ["withdrawn request", "withdrawn", [], null],
    ["cancelled before its charge", "cancelled", [], null],
  ];
  for (const [name, status, entries, want] of cases) {
    assert.equal(
      hostPayoutCents({ status, ledger: ledger(...entries), quote } as never),
      want,
      name,
    );
  }
});

Deno.test("earnings: gross − commission − refunds − net is the platform's renter fee", () => {
  for (
    const [fee, refundedFee] of [[0, 0], [600, 0], [600, 600], [1234, 617]]
  ) {
    const e = bookingEarnings(
      booking({
        status: "cancelled",
        ledger: ledger(
          ["charge", 14500 + fee],
          ["transfer", 12325],
          ["commission", 2175],
          ...(fee ? [["renter_fee", fee] as [LedgerKind, number]] : []),
          ["refund", 7250 + refundedFee],
          ["transfer_reversal", 6162],
          ["fee_refund", 1088],
          ["renter_fee_refund", refundedFee],
        ),
      }),
      NOW,
    )!;
    assert.equal(
      e.grossCents - e.commissionCents - e.refundCents - e.netCents,
      fee - refundedFee,
      `fee ${fee}, refunded ${refundedFee}`,
    );
  }
});

Deno.test("earnings: a booking belongs to the month of its local start date, not the UTC one", () => {
  const cases: [string, string, string, string][] = [
    // start (UTC), zone, local date of the start, month
    ["2027-01-01T05:00:00Z", "America/Chicago", "2026-12-31", "2026-12"],
    ["2027-01-01T06:00:00Z", "America/Chicago", "2027-01-01", "2027-01"],
    ["2026-12-31T15:30:00Z", "Asia/Tokyo", "2027-01-01", "2027-01"],
    ["2026-03-01T04:59:00Z", "America/New_York", "2026-02-28", "2026-02"],
  ];
  for (const [start, timeZone, localDate, month] of cases) {
    // The fixture agrees with the zone, as a stored booking does.
    assert.equal(
      Temporal.Instant.from(start).toZonedDateTimeISO(timeZone).toPlainDate()
        .toString(),
      localDate,
    );
    const e = bookingEarnings(
      booking({
        start: Date.parse(start),
        end: Date.parse(start) + 2 * HOUR,
        timeZone,
        localDate,
      }),
      NOW,
    );
    assert.equal(e?.month, month, `${start} in ${timeZone}`);
  }
});

Deno.test("earnings: the summary adds up per kitchen, per month and overall", () => {
  const nov = {
    start: Date.parse("2026-11-20T16:00:00Z"),
    end: Date.parse("2026-11-20T19:00:00Z"),
    localDate: "2026-11-20",
    status: "completed" as const,
  };
  const bookings = [
    booking({ kitchenId: "K2" }),
    booking({}),
    booking({}),
    booking({ ...nov }),
    booking({ ...nov, kitchenId: "K2" }),
    booking({ status: "requested", ledger: [] }),
  ];
  const s = summariseEarnings(bookings, NOW);
  assert.deepEqual(s.months.map((m) => m.month), ["2026-12", "2026-11"]);
  const [dec, novMonth] = s.months;
  assert.deepEqual(
    dec.lines.map((l) => [l.kitchenId, l.bookings, l.netCents, l.pendingCents]),
    [["K1", 2, 24650, 24650], ["K2", 1, 12325, 12325]],
  );
  assert.deepEqual(money(dec.total), [43500, 6525, 0, 36975, 0, 36975]);
  assert.deepEqual(money(novMonth.total), [29000, 4350, 0, 24650, 24650, 0]);
  assert.deepEqual(money(s.total), [72500, 10875, 0, 61625, 24650, 36975]);
  assert.deepEqual(summariseEarnings([], NOW), {
    months: [],
    total: {
      grossCents: 0,
      commissionCents: 0,
      refundCents: 0,
      netCents: 0,
      paidOutCents: 0,
      pendingCents: 0,
    },
  });
});

Deno.test("earnings: CSV cells are quoted per RFC 4180 and cannot start a formula", () => {
  const cases: [string, string][] = [
    ["Test Kitchen", "Test Kitchen"],
    ["", ""],
    ["Bakery, Deli", '"Bakery, Deli"'],
    ['The "Big" Oven', '"The ""Big"" Oven"'],
    ["two\nlines", '"two\nlines"'],
    ["cr\rhere", '"cr\rhere"'],
    ["=1+1", "'=1+1"],
    ["+15551234", "'+15551234"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tindent", "'\tindent"],
    [
      '=HYPERLINK("http://evil.example","x")',
      `"'=HYPERLINK(""http://evil.example"",""x"")"`,
    ],
    ["a=b", "a=b"],
    ["'quoted", "'quoted"],
    ["123.45", "123.45"],
  ];
  for (const [value, cell] of cases) {
    assert.equal(csvCell(value), cell, JSON.stringify(value));
  }
  const amounts: [number, string][] = [
    [0, "0.00"],
    [5, "0.05"],
    [100, "1.00"],
    [12345, "123.45"],
    [123456789, "1234567.89"],
    [-5, "-0.05"],
  ];
  for (const [cents, text] of amounts) assert.equal(decimalCents(cents), text);
});

Deno.test("earnings: the CSV has a header and one row per booking whose money reached the host", () => {
  const a = booking({
    id: "01JBOOKINGA0000000000000000",
    start: Date.parse("2026-12-15T16:00:00Z"),
  });
  const b = booking({
    id: "01JBOOKINGB0000000000000000",
    kitchenId: "K2",
    start: Date.parse("2026-11-20T16:00:00Z"),
    end: Date.parse("2026-11-20T19:00:00Z"),
    localDate: "2026-11-20",
    status: "completed",
  });
  const c = booking({ status: "requested", ledger: [] });
  const csv = earningsCsv([a, b, c], {
    K1: "Test Kitchen",
    K2: '=cmd|" /C calc"!A0',
  }, NOW);
  assert.equal(
    csv,
    "month,kitchen,booking id,start (kitchen time),status,gross,commission,refunds,net\r\n" +
      `2026-11,"'=cmd|"" /C calc""!A0",01JBOOKINGB0000000000000000,2026-11-20T10:00-06:00,completed,145.00,21.75,0.00,123.25\r\n` +
      "2026-12,Test Kitchen,01JBOOKINGA0000000000000000,2026-12-15T10:00-06:00,confirmed,145.00,21.75,0.00,123.25\r\n",
  );
  assert.equal(
    earningsCsv([], {}, NOW),
    "month,kitchen,booking id,start (kitchen time),status,gross,commission,refunds,net\r\n",
  );
});
