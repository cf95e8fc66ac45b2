/**
 * A renter deletes their account only once no booking of theirs lies ahead
 * (lib/bookings/account_deletion.ts): a hold or a confirmed booking keeps
 * it, with a way forward; past and cancelled ones do not.
 */
import assert from "node:assert/strict";
import { deleteAccount } from "../../lib/accounts/deletion.ts";
import { at } from "../../lib/app.ts";
import {
  bookingsAhead,
  bookingsAheadGuard,
  bookingsAheadMessage,
} from "../../lib/bookings/account_deletion.ts";
import {
  addRenterHolds,
  getRenterHoldsEntry,
} from "../../lib/bookings/repo.ts";
import { newId } from "../../lib/ids.ts";
import { keys } from "../../lib/db/keys.ts";
import { removePaymentCustomer } from "../../lib/payments/customers.ts";
import {
  addPaymentCustomer,
  getPaymentCustomer,
} from "../../lib/payments/repo.ts";
import { ConflictError } from "../../lib/errors.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { nextFreeDay } from "../../lib/kitchens/free_time.ts";
import {
  PASSWORD,
  post,
  runJobs,
  signUpConfirmed,
  userByEmail,
} from "../account_helpers.ts";
import {
  addConfirmedBooking,
  addHost,
  addKitchens,
  kitchenFixture,
  testApp,
} from "../helpers.ts";
import { visibleText } from "../page_text.ts";
import {
  bookWithStripe,
  deliver,
  type StripeWorld,
  stripeWorld,
} from "../stripe_world.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import type { CalendarDay } from "../../lib/bookings/day_claims.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import { listMail } from "../../lib/email/mailbox.ts";

const HOUR = 3600_000;

/** A published kitchen whose host can be paid, and a signed-in renter. */
async function setup(opts: { wallet?: boolean } = {}) {
  const t = await testApp();
  const host = await addHost(t.kv, "Dana Ortiz");
  const [k] = await addKitchens(
    t.kv,
    host.id,
    [kitchenFixture()],
    "published",
    {
      now: t.now,
    },
  );
  await setDemoPayoutReady(t.kv, host.id, t.now);
  const { cookie, user } = await signUpConfirmed(
    t,
    "rosa@example.com",
    "rent",
    opts,
  );
  return { t, k, cookie, user };
}

function deleting(t: Awaited<ReturnType<typeof testApp>>, cookie: string) {
  return post(t, "/account/delete", {
    currentPassword: PASSWORD,
    confirm: "delete",
  }, { cookie });
}

Deno.test("account deletion: bookings that hold time and have not ended keep an account", () => {
  const now = Date.parse("2026-12-01T15:00:00Z");
  const cases: [string, { status: string; end: number }[], number][] = [
    ["none", [], 0],
    ["confirmed, ahead", [{ status: "confirmed", end: now + HOUR }], 1],
    ["under way", [{ status: "confirmed", end: now + 1 }], 1],
    ["ended this instant", [{ status: "confirmed", end: now }], 0],
    ["held, awaiting payment", [{ status: "held", end: now + HOUR }], 1],
    ["requested of the host", [{ status: "requested", end: now + HOUR }], 1],
    [
      "a standing booking's date",
      [{ status: "scheduled", end: now + HOUR }],
      1,
    ],
    ["cancelled", [{ status: "cancelled", end: now + HOUR }], 0],
    ["expired hold", [{ status: "expired", end: now + HOUR }], 0],
    ["declined", [{ status: "declined", end: now + HOUR }], 0],
    ["past", [{ status: "confirmed", end: now - HOUR }], 0],
    ["two of four", [
      { status: "confirmed", end: now + HOUR },
      { status: "cancelled", end: now + HOUR },
      { status: "held", end: now + 2 * HOUR },
      { status: "confirmed", end: now - HOUR },
    ], 2],
  ];
  for (const [what, bookings, want] of cases) {
    assert.equal(
      bookingsAhead(bookings as Parameters<typeof bookingsAhead>[0], now),
      want,
      what,
    );
  }
  assert.match(
    bookingsAheadMessage(1),
    /^You have an upcoming booking\. Cancel it /,
  );
  assert.match(
    bookingsAheadMessage(3),
    /^You have 3 upcoming bookings\. Cancel them /,
  );
});

Deno.test("account deletion: a renter with a booking ahead is told what to do and keeps everything; once it is past, the account goes", async () => {
  const { t, k, cookie, user } = await setup();
  try {
    const booking = await addConfirmedBooking(
      t.kv,
      k,
      user.id,
      t.now + 48 * HOUR,
      t.now,
    );
    const refused = await deleting(t, cookie);
    assert.equal(refused.status, 409);
    const html = await refused.text();
    assert.match(
      visibleText(html),
      /You have an upcoming booking\. Cancel it first \(each kitchen's cancellation policy applies\), or wait until it has ended; then you can delete your account\. See your bookings/,
    );
    assert.match(
      html,
      /<a href="\/bookings" class="underline">See your bookings<\/a>/,
    );
    assert.ok(await userByEmail(t, "rosa@example.com"), "the account stays");
    assert.equal(
      (await t.kv.get(keys.booking(booking.id))).value !== null,
      true,
    );
    // Still signed in: the bookings page answers.
    assert.equal(
      (await t.request("/bookings", { headers: { cookie } })).status,
      200,
    );
    // A wrong password is still the first answer: nothing about bookings.
    const wrong = await post(t, "/account/delete", {
      currentPassword: "not the password",
      confirm: "delete",
    }, { cookie });
    assert.doesNotMatch(await wrong.text(), /upcoming booking/);
    // After the booking has ended.
    t.advance(48 * HOUR + 3 * HOUR + 1);
    const gone = await deleting(t, cookie);
    assert.equal(gone.status, 303);
    assert.equal(gone.headers.get("location"), "/login?notice=deleted");
    assert.equal(await userByEmail(t, "rosa@example.com"), null);
  } finally {
    t.close();
  }
});

Deno.test("account deletion: an unpaid hold made through the booking form keeps the account too", async () => {
  const { t, k, cookie } = await setup({ wallet: true });
  try {
    const day = await nextFreeDay(t.kv, k, t.now, 30);
    assert.ok(day);
    const local = (ms: number) =>
      Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(
        k.timeZone,
      ).toPlainTime().toString({ smallestUnit: "minute" });
    const start = day.starts[0].start;
    const held = await post(t, "/bookings", {
      kitchen: k.id,
      date: day.date,
      start: local(start),
      end: local(start + k.minHours * HOUR),
      acceptRules: "yes",
    }, { cookie });
    assert.equal(held.status, 303, await held.clone().text());
    const refused = await deleting(t, cookie);
    assert.equal(refused.status, 409);
    assert.match(visibleText(await refused.text()), /upcoming booking/);
    assert.ok(await userByEmail(t, "rosa@example.com"));
  } finally {
    t.close();
  }
});

Deno.test("account deletion: a hold committed after the guard looked fails the deletion; a live hold with no booking yet keeps the account", async () => {
  const { t, user } = await setup();
  try {
    const deps = at(t.services);
    const guard = bookingsAheadGuard(deps, user.id);
    // What holds.ts and series.ts do when they take a hold: rewrite the entry.
    const takeHold = async (expiresAt: number) => {
      const entry = await getRenterHoldsEntry(t.kv, user.id);
      const atomic = t.kv.atomic();
      addRenterHolds(atomic, entry, user.id, [
        ...(entry.value ?? []),
        { bookingId: newId(), expiresAt },
      ]);
      assert.ok((await atomic.commit()).ok);
    };
    await assert.rejects(
      deleteAccount(deps, user.id, PASSWORD, async (atomic) => {
        await guard(atomic);
        await takeHold(t.now - 1);
      }),
      ConflictError,
    );
    assert.ok(await userByEmail(t, "rosa@example.com"), "nothing was removed");
    // A standing booking's hold, listed before its dates are booked.
    await takeHold(t.now + 30 * 60_000);
    await assert.rejects(
      deleteAccount(deps, user.id, PASSWORD, guard),
      /You have an upcoming booking/,
    );
    // Once it has lapsed, nothing keeps the account.
    t.advance(31 * 60_000);
    await deleteAccount(
      deps,
      user.id,
      PASSWORD,
      bookingsAheadGuard(at(t.services), user.id),
    );
    assert.equal(await userByEmail(t, "rosa@example.com"), null);
  } finally {
    t.close();
  }
});

Deno.test("account deletion: more bookings on record than the guard reads sends the renter to support", async () => {
  const { t, k, user } = await setup();
  try {
    for (let i = 0; i < 500; i++) {
      const b = await addConfirmedBooking(
        t.kv,
        k,
        user.id,
        t.now + i * 60_000,
        t.now,
      );
      await t.kv.set(keys.booking(b.id), { ...b, status: "cancelled" });
    }
    await assert.rejects(
      deleteAccount(
        at(t.services),
        user.id,
        PASSWORD,
        bookingsAheadGuard(at(t.services), user.id),
      ),
      (err: unknown) =>
        err instanceof ConflictError && err.link?.href === "/contact",
    );
  } finally {
    t.close();
  }
});

Deno.test("account deletion: the renter's Stripe Customer goes too, with the cards saved on it, and our record of it", async () => {
  const w = await stripeWorld();
  try {
    const booking = await bookWithStripe(w, {
      date: "2026-12-03",
      start: "10:00",
      end: "13:00",
    });
    const customerId = (await getPaymentCustomer(w.t.kv, w.renterId))!
      .stripeCustomerId!;
    assert.match(customerId, /^cus_/);
    const cards = () =>
      [...w.fake.state.paymentMethods.values()].filter((pm) =>
        pm.customer === customerId
      );
    assert.equal(cards().length, 1);
    w.t.advance(booking.end - w.t.clock() + 1);
    const gone = await deleting(w.t, w.renter);
    assert.equal(gone.status, 303, await gone.clone().text());
    await runJobs(w.t);
    assert.equal(w.fake.state.customers.has(customerId), false);
    assert.equal(cards().length, 0, "its cards are detached");
    assert.equal(await getPaymentCustomer(w.t.kv, w.renterId), null);
    assert.equal(
      w.fake.state.requests.filter((r) =>
        r.method === "DELETE" && r.path === `/v1/customers/${customerId}`
      ).length,
      1,
    );
  } finally {
    await w.close();
  }
});

Deno.test("account deletion: removing a payment customer finishes when Stripe has none, and keeps the record when Stripe cannot be asked", async () => {
  const w = await stripeWorld();
  try {
    const record = (userId: string, stripeCustomerId: string | null) => ({
      v: 1 as const,
      userId,
      stripeCustomerId,
      demoCard: stripeCustomerId ? null : "works" as const,
      createdAt: w.t.now,
      updatedAt: w.t.now,
    });
    const write = async (r: ReturnType<typeof record>) => {
      const atomic = w.t.kv.atomic();
      addPaymentCustomer(atomic, {
        key: keys.paymentCustomer(r.userId),
        value: null,
        versionstamp: null,
      }, r);
      assert.ok((await atomic.commit()).ok);
    };
    // Deleted at Stripe already (a retried job): the record goes.
    await write(record("user-a", "cus_NotAtStripe"));
    await removePaymentCustomer({ kv: w.t.kv, stripe: w.stripe }, "user-a");
    assert.equal(await getPaymentCustomer(w.t.kv, "user-a"), null);
    // Demo payments: nothing at Stripe to delete.
    await write(record("user-b", null));
    await removePaymentCustomer({ kv: w.t.kv, stripe: null }, "user-b");
    assert.equal(await getPaymentCustomer(w.t.kv, "user-b"), null);
    // A Stripe Customer and no Stripe to ask: the job fails, the record stays.
    await write(record("user-c", "cus_StillThere"));
    await assert.rejects(
      removePaymentCustomer({ kv: w.t.kv, stripe: null }, "user-c"),
      /Stripe is not configured/,
    );
    assert.ok(await getPaymentCustomer(w.t.kv, "user-c"));
    // No record at all: nothing to do.
    await removePaymentCustomer({ kv: w.t.kv, stripe: w.stripe }, "user-d");
  } finally {
    await w.close();
  }
});

/**
 * A hold whose Checkout is paid in its last minute, with the webhook
 * arriving after the hold lapsed (Stripe retries deliveries for days):
 * the booking, expired, and the payment's event, not yet delivered.
 */
async function paidAfterLapse(w: StripeWorld) {
  const res = await post(w.t, "/bookings", {
    kitchen: w.kitchenId,
    date: "2026-12-03",
    start: "10:00",
    end: "13:00",
    acceptRules: "yes",
  }, { cookie: w.renter });
  assert.equal(res.status, 303, await res.clone().text());
  const sessionId = res.headers.get("location")!.split("/pay/")[1];
  const id = w.fake.state.sessions.get(sessionId)!.client_reference_id!;
  w.t.advance(29 * 60_000);
  const paid = w.fake.completeSession(sessionId);
  w.t.advance(7 * 60_000);
  await runJobs(w.t);
  const b = (await w.t.kv.get<Booking>(keys.booking(id))).value!;
  assert.equal(b.status, "expired");
  return { booking: b, paid };
}

const stored = async (w: StripeWorld, id: string) =>
  (await w.t.kv.get<Booking>(keys.booking(id))).value!;

Deno.test("account deletion: a payment that arrives after the hold lapsed and the account went is refunded, never a booking", async () => {
  const w = await stripeWorld();
  try {
    const { booking, paid } = await paidAfterLapse(w);
    // What a late payment read before the deletion no longer holds after it:
    // taking the time back with that read fails, and is read again.
    const readBefore = await getRenterHoldsEntry(w.t.kv, w.renterId);
    assert.notEqual(readBefore.versionstamp, null, "the renter has the entry");
    const gone = await deleting(w.t, w.renter);
    assert.equal(gone.status, 303, await gone.clone().text());
    const stale = w.t.kv.atomic();
    addRenterHolds(stale, readBefore, w.renterId, []);
    assert.equal((await stale.commit()).ok, false);
    await runJobs(w.t);
    const res = await deliver(w, paid.event);
    assert.equal(res.status, 200);
    await runJobs(w.t);
    const b = await stored(w, booking.id);
    assert.equal(b.status, "expired");
    assert.equal(b.accessCode, null);
    assert.match(b.note ?? "", /account had been deleted.*refunded in full/);
    assert.equal(ledgerProblem(b), null);
    assert.equal(
      w.fake.state.charges.get(paid.charge.id)!.amount_refunded,
      paid.charge.amount,
    );
    // The kitchen's time stays free.
    for (const day of b.claimDays) {
      const doc = (await w.t.kv.get<CalendarDay>(
        keys.calendarDay(b.kitchenId, day),
      )).value;
      assert.ok(!doc?.claims.some((c) => c.ref === b.id), day);
    }
    // Nobody is written to at the deleted address.
    assert.ok(
      !(await listMail(w.t.kv)).some((m) =>
        m.to === "rosa@example.com" && /refunded|confirmed/i.test(m.subject)
      ),
    );
  } finally {
    await w.close();
  }
});

Deno.test("account deletion: a late payment taking its time back while the account is being deleted fails the deletion, which then sees the booking", async () => {
  const w = await stripeWorld();
  try {
    const { booking, paid } = await paidAfterLapse(w);
    const deps = at(w.t.services);
    const guard = bookingsAheadGuard(deps, w.renterId);
    await assert.rejects(
      deleteAccount(deps, w.renterId, PASSWORD, async (atomic) => {
        await guard(atomic);
        // Between the guard's reads and the deletion's commit.
        assert.equal((await deliver(w, paid.event)).status, 200);
        await runJobs(w.t);
        assert.equal((await stored(w, booking.id)).status, "confirmed");
      }),
      ConflictError,
    );
    assert.ok(await userByEmail(w.t, "rosa@example.com"), "nothing removed");
    await assert.rejects(
      deleteAccount(
        at(w.t.services),
        w.renterId,
        PASSWORD,
        bookingsAheadGuard(at(w.t.services), w.renterId),
      ),
      /You have an upcoming booking/,
    );
  } finally {
    await w.close();
  }
});
