import assert from "node:assert/strict";
import { ConflictError, ForbiddenError } from "../../lib/errors.ts";
import { cancellerThrough } from "../../lib/bookings/lifecycle.ts";
import { requireHostOf } from "../../lib/bookings/requests.ts";
import type { Canceller } from "../../lib/bookings/refunds.ts";
import {
  allowedEvents,
  BOOKING_EVENTS,
  BOOKING_STATUSES,
  type BookingEvent,
  type BookingStatus,
  bookingStatusSchema,
  canFlagDispute,
  canTransition,
  isLive,
  isTerminal,
  transition,
  TransitionError,
  TRANSITIONS,
} from "../../lib/bookings/state.ts";

/** Every allowed move; any (status, event) pair not listed must throw. */
const allowed: [BookingStatus, BookingEvent, BookingStatus][] = [
  ["held", "pay", "confirmed"],
  ["held", "authorise", "requested"],
  ["held", "expire", "expired"],
  ["requested", "accept", "confirmed"],
  ["requested", "decline", "declined"],
  ["requested", "expire", "expired"],
  ["requested", "withdraw", "withdrawn"],
  ["confirmed", "cancel", "cancelled"],
  ["confirmed", "complete", "completed"],
  ["expired", "pay", "confirmed"],
  ["expired", "authorise", "requested"],
  ["held", "schedule", "scheduled"],
  ["requested", "schedule", "scheduled"],
  ["scheduled", "pay", "confirmed"],
  ["scheduled", "cancel", "cancelled"],
  ["scheduled", "expire", "expired"],
  ["expired", "schedule", "scheduled"],
];

function allowedResult(
  from: BookingStatus,
  event: BookingEvent,
): BookingStatus | undefined {
  return allowed.find(([f, e]) => f === from && e === event)?.[2];
}

Deno.test("booking state: every (status, event) pair is allowed or refused as documented", () => {
  let refused = 0;
  for (const from of BOOKING_STATUSES) {
    for (const event of BOOKING_EVENTS) {
      const expected = allowedResult(from, event);
      const pair = `${from} --${event}-->`;
      if (expected) {
        assert.equal(transition(from, event), expected, pair);
        assert.equal(canTransition(from, event), true, pair);
        continue;
      }
      refused++;
      assert.equal(canTransition(from, event), false, pair);
      assert.throws(
        () => transition(from, event),
        (e) =>
          e instanceof TransitionError && e instanceof ConflictError &&
          e.status === 409 && e.from === from && e.event === event &&
          /^This booking .+, so it cannot .+\.$/.test(e.message),
        pair,
      );
    }
  }
  assert.equal(
    refused + allowed.length,
    BOOKING_STATUSES.length * BOOKING_EVENTS.length,
  );
});

Deno.test("booking state: the exported table is exactly the documented one", () => {
  const fromTable = Object.entries(TRANSITIONS).flatMap(([from, events]) =>
    Object.entries(events).map(([event, to]) => [from, event, to])
  );
  assert.deepEqual(
    fromTable.map((r) => r.join(" ")).sort(),
    allowed.map((r) => r.join(" ")).sort(),
  );
  assert.deepEqual(allowedEvents("held"), [
    "pay",
    "authorise",
    "expire",
    "schedule",
  ]);
  assert.deepEqual(allowedEvents("confirmed"), ["cancel", "complete"]);
  assert.deepEqual(allowedEvents("requested"), [
    "expire",
    "accept",
    "decline",
    "withdraw",
    "schedule",
  ]);
  assert.deepEqual(allowedEvents("scheduled"), ["pay", "expire", "cancel"]);
  assert.deepEqual(allowedEvents("withdrawn"), []);
  assert.deepEqual(allowedEvents("cancelled"), []);
});

Deno.test("booking state: each (from, to) pair is reached by at most one event", () => {
  for (const from of BOOKING_STATUSES) {
    for (const to of BOOKING_STATUSES) {
      const events = BOOKING_EVENTS.filter((e) => TRANSITIONS[from][e] === to);
      assert.ok(events.length <= 1, `${from} → ${to}: ${events.join(", ")}`);
    }
  }
});

Deno.test("booking state: held is only the start, and every status can be reached from it", () => {
  for (const from of BOOKING_STATUSES) {
    assert.ok(!Object.values(TRANSITIONS[from]).includes("held"), from);
  }
  const reached = new Set<BookingStatus>(["held"]);
  for (let grew = true; grew;) {
    grew = false;
    for (const from of reached) {
      for (const to of Object.values(TRANSITIONS[from])) {
        if (!reached.has(to)) {
          reached.add(to);
          grew = true;
        }
      }
    }
  }
  assert.deepEqual([...reached].sort(), [...BOOKING_STATUSES].sort());
});

Deno.test("booking state: refusals say why in plain words", () => {
  const messages: [BookingStatus, BookingEvent, string][] = [
    ["held", "cancel", "This booking is on hold, so it cannot be cancelled."],
    [
      "declined",
      "accept",
      "This booking was declined, so it cannot be accepted.",
    ],
    [
      "confirmed",
      "pay",
      "This booking is already confirmed, so it cannot be paid for.",
    ],
    ["cancelled", "expire", "This booking was cancelled, so it cannot expire."],
    [
      "requested",
      "cancel",
      "This booking is waiting for the host's answer, so it cannot be cancelled.",
    ],
    [
      "expired",
      "accept",
      "This booking has expired, so it cannot be accepted.",
    ],
    [
      "completed",
      "cancel",
      "This booking is already completed, so it cannot be cancelled.",
    ],
    [
      "held",
      "complete",
      "This booking is on hold, so it cannot be completed.",
    ],
    [
      "held",
      "decline",
      "This booking is on hold, so it cannot be declined.",
    ],
    [
      "confirmed",
      "authorise",
      "This booking is already confirmed, so it cannot be requested.",
    ],
    [
      "confirmed",
      "withdraw",
      "This booking is already confirmed, so it cannot be withdrawn.",
    ],
    [
      "withdrawn",
      "accept",
      "This booking was withdrawn, so it cannot be accepted.",
    ],
  ];
  for (const [from, event, message] of messages) {
    assert.throws(() => transition(from, event), { message });
  }
});

Deno.test("booking state: live, terminal and disputable statuses", () => {
  // [status, live, terminal, disputable]
  const table: [BookingStatus, boolean, boolean, boolean][] = [
    ["held", true, false, false],
    ["requested", true, false, false],
    ["confirmed", true, false, true],
    ["scheduled", true, false, false],
    ["expired", false, false, false],
    ["declined", false, true, false],
    ["withdrawn", false, true, false],
    ["cancelled", false, true, true],
    ["completed", false, true, true],
  ];
  assert.deepEqual(table.map((r) => r[0]), [...BOOKING_STATUSES]);
  for (const [status, live, terminal, disputable] of table) {
    assert.equal(isLive(status), live, `${status} live`);
    assert.equal(isTerminal(status), terminal, `${status} terminal`);
    assert.equal(canFlagDispute(status), disputable, `${status} dispute`);
    assert.equal(isTerminal(status), allowedEvents(status).length === 0);
  }
});

Deno.test("booking state: the status schema takes the nine statuses only", () => {
  for (const s of BOOKING_STATUSES) {
    assert.equal(bookingStatusSchema.parse(s), s);
  }
  assert.equal(bookingStatusSchema.safeParse("disputed").success, false);
});

Deno.test("booking state: each cancel route serves only its own side", () => {
  const b = { renterId: "renter", hostId: "host" };
  const user = (id: string, ...roles: string[]) => ({ id, roles });
  const both = ["renter", "host"] as const;
  const cases: [
    string,
    { id: string; roles: string[] },
    readonly Canceller[],
    Canceller | null,
  ][] = [
    ["the renter, on the booking's page", user("renter"), both, "renter"],
    ["the host, on the booking's page", user("host", "host"), both, "host"],
    ["the host, on the host's list", user("host", "host"), ["host"], "host"],
    ["the renter, on the host's list", user("renter"), ["host"], null],
    ["another host, on the host's list", user("other", "host"), ["host"], null],
    ["an admin, on the host's list", user("ann", "admin"), ["host"], null],
    ["an admin, on the booking's page", user("ann", "admin"), both, null],
    ["an admin, on the staff page", user("ann", "admin"), ["admin"], "admin"],
    ["support, on the staff page", user("sam", "support"), ["admin"], null],
    // An admin who is the host cancels as the host where hosts do.
    ["a host who is an admin", user("host", "host", "admin"), ["host"], "host"],
  ];
  for (const [what, actor, through, want] of cases) {
    assert.equal(cancellerThrough(b, actor, through), want, what);
  }
});

Deno.test("booking state: only the kitchen's host answers a request, never staff in the host's stead", () => {
  const b = { hostId: "host" };
  const user = (id: string, ...roles: string[]) => ({ id, roles });
  const STAFF =
    "Only the kitchen's host accepts or declines a request; staff do not answer for them.";
  const OTHERS = "Only the kitchen's host can answer this request.";
  const cases: [string, { id: string; roles: string[] }, string | null][] = [
    ["the host", user("host", "host"), null],
    ["a host who is an admin", user("host", "host", "admin"), null],
    ["an admin", user("ann", "admin"), STAFF],
    ["support", user("sam", "support"), STAFF],
    ["another host", user("other", "host"), OTHERS],
    ["the renter", user("renter"), OTHERS],
  ];
  for (const [what, actor, refusal] of cases) {
    if (refusal === null) {
      requireHostOf(b, actor);
      continue;
    }
    assert.throws(
      () => requireHostOf(b, actor),
      (err) => err instanceof ForbiddenError && err.message === refusal,
      what,
    );
  }
});
