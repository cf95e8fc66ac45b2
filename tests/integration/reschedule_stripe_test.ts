/**
 * Changing a booking's time in Stripe mode: the real SDK against
 * tests/stripe_fake.ts, webhooks signed and delivered to the app. A dearer
 * time is an off-session destination charge of the card saved at
 * Checkout, once however often jobs and webhooks repeat; a cheaper one a
 * partial refund of the original PaymentIntent; a declined card falls back
 * to a Checkout for the difference; a payment for a change that lapsed is
 * refunded.
 */
import assert from "node:assert/strict";
import { listAuditFor } from "../../lib/audit/repo.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { getPaymentCustomer } from "../../lib/payments/repo.ts";
import { chargeMove } from "../../lib/payments/reschedule.ts";
import { at } from "../../lib/app.ts";
import { post, runJobs, type T } from "../account_helpers.ts";
import {
  bookWithStripe,
  deliverAll,
  type StripeWorld,
  stripeWorld,
} from "../stripe_world.ts";

const booking = async (t: T, id: string) =>
  (await t.kv.get<Booking>(keys.booking(id))).value!;

const HOURS = { date: "2026-12-10", start: "10:00", end: "13:00" };

/** Posts the review page's form for `hours`: where the app sends the renter. */
async function change(
  w: StripeWorld,
  id: string,
  hours: { date: string; start: string; end: string },
): Promise<string> {
  const res = await post(w.t, `/bookings/${id}/change`, hours, {
    cookie: w.renter,
  });
  assert.equal(res.status, 303, await res.clone().text());
  return res.headers.get("location")!;
}

const intentsCreated = (w: StripeWorld) =>
  w.fake.state.requests.filter((r) =>
    r.method === "POST" && r.path === "/v1/payment_intents"
  );

Deno.test("reschedule (Stripe): a dearer time is one off-session destination charge, however often jobs and webhooks repeat", async () => {
  const w = await stripeWorld();
  try {
    const b = await bookWithStripe(w, HOURS);
    const last = w.fake.events().at(-1)!.id;
    const to = await change(w, b.id, {
      date: "2026-12-11",
      start: "09:00",
      end: "13:00",
    });
    assert.equal(to, `/bookings/${b.id}?notice=moved`);
    const moved = await booking(w.t, b.id);
    const moveId = moved.moves![0].id;
    assert.equal(moved.localDate, "2026-12-11");
    const [create] = intentsCreated(w);
    assert.equal(
      create.idempotencyKey,
      `booking:${b.id}:move:${moveId}:charge`,
    );
    const extra = moved.payment.extra![0];
    const pi = w.fake.state.paymentIntents.get(extra.paymentIntentId)!;
    assert.equal(pi.amount, 4000);
    assert.equal(
      pi.customer,
      (await getPaymentCustomer(w.t.kv, w.renterId))!.stripeCustomerId,
    );
    assert.equal(
      (pi.transfer_data as { destination: string }).destination,
      w.accountId,
    );
    // The host's part of the difference is theirs; the platform keeps the rest.
    assert.equal(
      pi.application_fee_amount,
      4000 - (moved.quote.hostPayoutCents - b.quote.hostPayoutCents),
    );
    assert.equal(pi.metadata.purpose, "reschedule");
    assert.equal(pi.metadata.ref, moveId);
    assert.equal(ledgerProblem(moved), null);

    // The webhooks arrive, twice; the charge job runs again: nothing more happens.
    await deliverAll(w, last);
    await deliverAll(w, last);
    await runJobs(w.t);
    await chargeMove(at(w.t.services), b.id, moveId);
    const after = await booking(w.t, b.id);
    assert.deepEqual(after.ledger, moved.ledger);
    assert.equal(after.payment.extra!.length, 1);
    assert.equal(
      intentsCreated(w).filter((r) => !r.replayed).length,
      1,
      "one PaymentIntent",
    );
    assert.equal(w.fake.events({ type: "charge.succeeded" }).length, 2);
    const audit = (await listAuditFor(w.t.kv, "booking", b.id)).map((a) =>
      a.action
    );
    assert.equal(
      audit.filter((a) => a === "payment.charged_off_session").length,
      1,
    );

    // Cancelling later refunds both charges, the newest first.
    const cancel = await post(w.t, `/bookings/${b.id}/cancel`, {}, {
      cookie: w.renter,
    });
    assert.equal(cancel.status, 303);
    await runJobs(w.t);
    const refunds = [...w.fake.state.refunds.values()];
    assert.deepEqual(
      refunds.map((r) => [r.payment_intent, r.amount]),
      [[extra.paymentIntentId, 4000], [b.payment.paymentIntentId, 14500]],
    );
    assert.equal(ledgerProblem(await booking(w.t, b.id)), null);
  } finally {
    await w.close();
  }
});

Deno.test("reschedule (Stripe): a cheaper time is a partial refund of the original PaymentIntent", async () => {
  const w = await stripeWorld();
  try {
    const b = await bookWithStripe(w, HOURS);
    const to = await change(w, b.id, {
      date: "2026-12-11",
      start: "10:00",
      end: "12:00",
    });
    assert.equal(to, `/bookings/${b.id}?notice=moved`);
    assert.equal(intentsCreated(w).length, 0);
    await runJobs(w.t);
    const [refund] = [...w.fake.state.refunds.values()];
    assert.equal(refund.payment_intent, b.payment.paymentIntentId);
    assert.equal(refund.amount, 4000);
    const charge = w.fake.state.charges.get(b.payment.chargeId!)!;
    assert.equal(charge.amount_refunded, 4000);
    assert.ok(
      w.fake.state.transfers.get(charge.transfer as string)!
        .amount_reversed > 0,
    );
    const after = await booking(w.t, b.id);
    assert.equal(ledgerProblem(after), null);
    assert.equal(
      after.ledger.find((e) => e.kind === "refund")!.ref,
      refund.id,
    );
    // Stripe's charge.refunded for the partial refund leaves the booking confirmed.
    await deliverAll(w);
    await runJobs(w.t);
    assert.equal((await booking(w.t, b.id)).status, "confirmed");
  } finally {
    await w.close();
  }
});

Deno.test("reschedule (Stripe): a declined saved card falls back to Checkout for the difference; paying it moves the booking once", async () => {
  const w = await stripeWorld();
  try {
    const b = await bookWithStripe(w, HOURS);
    const customer = (await getPaymentCustomer(w.t.kv, w.renterId))!
      .stripeCustomerId!;
    await w.stripe.paymentMethods.attach("pm_card_chargeCustomerFail", {
      customer,
    });
    const last = w.fake.events().at(-1)!.id;
    const to = await change(w, b.id, {
      date: "2026-12-11",
      start: "09:00",
      end: "13:00",
    });
    assert.ok(to.startsWith(`${w.fake.origin}/pay/cs_test_`), to);
    const waiting = await booking(w.t, b.id);
    assert.equal(waiting.localDate, "2026-12-10");
    assert.equal(waiting.move?.status, "awaiting_payment");
    assert.equal(waiting.move?.problem, "Your card was declined.");
    const sessionId = waiting.move!.checkoutSessionId!;
    const session = w.fake.state.sessions.get(sessionId)!;
    assert.equal(session.amount_total, 4000);
    assert.equal(session.customer, customer);
    assert.deepEqual(session.metadata, {
      booking_id: b.id,
      purpose: "reschedule",
      ref: waiting.move!.id,
    });
    await runJobs(w.t);
    const mail = (await listMail(w.t.kv)).find((m) =>
      m.to === "rosa@example.com" && /Pay to change/.test(m.subject)
    )!;
    assert.ok(mail.text.includes(session.url!), mail.text);
    // Back on the booking page, "Pay" leads to the same open session.
    const resume = await w.t.request(`/bookings/${b.id}/change/pay`, {
      headers: { Cookie: w.renter },
    });
    assert.equal(resume.headers.get("location"), session.url);
    // The failed attempt's webhook changes nothing more.
    await deliverAll(w, last);
    await runJobs(w.t);
    assert.equal((await booking(w.t, b.id)).move?.status, "awaiting_payment");

    const paidAt = w.fake.events().at(-1)!.id;
    const paid = w.fake.completeSession(sessionId);
    await deliverAll(w, paidAt);
    await deliverAll(w, paidAt);
    await runJobs(w.t);
    const after = await booking(w.t, b.id);
    assert.equal(after.localDate, "2026-12-11");
    assert.equal(after.move, null);
    assert.deepEqual(after.payment.extra!.map((c) => c.paymentIntentId), [
      paid.paymentIntent.id,
    ]);
    assert.equal(ledgerProblem(after), null);
    assert.equal(after.ledger.filter((e) => e.kind === "charge").length, 2);
  } finally {
    await w.close();
  }
});

Deno.test("reschedule (Stripe): a card that needs authentication falls back too; paid after the change lapsed, the difference is refunded", async () => {
  const w = await stripeWorld();
  try {
    const b = await bookWithStripe(w, HOURS, { card: "4000002760003184" });
    const to = await change(w, b.id, {
      date: "2026-12-11",
      start: "09:00",
      end: "13:00",
    });
    assert.ok(to.startsWith(`${w.fake.origin}/pay/`), to);
    const waiting = await booking(w.t, b.id);
    assert.equal(
      waiting.move?.problem,
      "Your bank asked to confirm this payment with you.",
    );
    // Paid on Checkout, but the webhook arrives after the held time lapsed.
    const before = w.fake.events().at(-1)!.id;
    const paid = w.fake.completeSession(waiting.move!.checkoutSessionId!);
    w.t.advance(waiting.move!.deadline - w.t.clock() + 1);
    await runJobs(w.t);
    assert.equal((await booking(w.t, b.id)).move, null);
    await deliverAll(w, before);
    await runJobs(w.t);
    const after = await booking(w.t, b.id);
    assert.equal(after.localDate, "2026-12-10", "not moved");
    const refund = [...w.fake.state.refunds.values()].find((r) =>
      r.payment_intent === paid.paymentIntent.id
    );
    assert.equal(refund?.amount, 4000);
    assert.equal(ledgerProblem(after), null);
    const audit = (await listAuditFor(w.t.kv, "booking", b.id)).map((a) =>
      a.action
    );
    assert.ok(audit.includes("payment.arrived_late"), audit.join());
    assert.ok(audit.includes("booking.move_unpaid"), audit.join());
  } finally {
    await w.close();
  }
});
