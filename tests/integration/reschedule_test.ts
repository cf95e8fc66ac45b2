/**
 * Changing a booking's time (issue 19 §7) with demo payments: the move is
 * one atomic through the kitchen's calendar, a cheaper time is refunded, a
 * dearer one charged to the saved (demo) card or, when it is declined,
 * paid through the pay-the-difference page; late moves wait for the host,
 * who accepts, declines or lets them lapse.
 */
import assert from "node:assert/strict";
import { extractText, getDocumentProxy } from "unpdf";
import { at } from "../../lib/app.ts";
import { listAuditFor } from "../../lib/audit/repo.ts";
import type { CalendarDay } from "../../lib/bookings/day_claims.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import { moveClaimRef } from "../../lib/bookings/move_rules.ts";
import { previewMove } from "../../lib/bookings/moves.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import type { KitchenInput } from "../../lib/kitchens/schema.ts";
import {
  answerMoveAsHost,
  chargeMove,
  requestMove,
} from "../../lib/payments/reschedule.ts";
import {
  bookPaid,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  signUpConfirmed,
  type T,
} from "../account_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";

/** A demo-payments world: a host who can be paid, a kitchen, a renter who booked Dec 10, 10 AM–1 PM. */
async function world(over: Partial<KitchenInput> = {}, card = "works") {
  const t = await testApp();
  const { cookie: hostCookie, user: host } = await signUpConfirmed(
    t,
    "hank@example.com",
    "host",
  );
  await setDemoPayoutReady(t.kv, host.id, t.clock());
  const [k] = await addKitchens(t.kv, host.id, [kitchenFixture(over)]);
  const { cookie, user: renter } = await signUpConfirmed(
    t,
    "rosa@example.com",
    "rent",
    { wallet: true },
  );
  const held = await post(t, "/bookings", {
    kitchen: k.id,
    date: "2026-12-10",
    start: "10:00",
    end: "13:00",
    acceptRules: "yes",
  }, { cookie });
  const id = held.headers.get("location")!.split("/")[2];
  await post(t, `/bookings/${id}/pay`, { card }, { cookie });
  await runJobs(t);
  return { t, k, host, hostCookie, renter, cookie, id };
}

const booking = async (t: T, id: string) =>
  (await t.kv.get<Booking>(keys.booking(id))).value!;

const day = async (t: T, kitchenId: string, date: string) =>
  (await t.kv.get<CalendarDay>(keys.calendarDay(kitchenId, date))).value ??
    { v: 1, claims: [] };

/** Emails to `to` with a subject matching, once the outbox has sent them. */
async function mailTo(t: T, to: string, subject: RegExp) {
  await runJobs(t);
  return (await listMail(t.kv)).filter((m) =>
    m.to === to && subject.test(m.subject)
  );
}

Deno.test("reschedule: inside the free-cancellation window a cheaper time moves at once and refunds the difference", async () => {
  const w = await world();
  const { t, k, id } = w;
  const before = await booking(t, id);
  assert.equal(before.status, "confirmed");
  const deps = at(t.services);
  const ask = { date: "2026-12-11", start: "10:00", end: "12:00" };
  const preview = await previewMove(deps, id, w.renter, ask);
  assert.equal(preview.window.kind, "free");
  assert.equal(preview.difference.amountCents, -4000);

  const out = await requestMove(deps, id, w.renter, ask);
  assert.equal(out.kind, "moved");
  const after = await booking(t, id);
  assert.equal(after.localDate, "2026-12-11");
  assert.equal(after.localStart, "10:00");
  assert.equal(after.localEnd, "12:00");
  assert.equal(after.quote.totalChargedCents, 10500);
  assert.equal(after.move, null);
  assert.equal(after.moves?.length, 1);
  assert.equal(after.accessCode, before.accessCode);
  // The calendar follows: the old day is free, the new day holds the booking firmly.
  assert.deepEqual((await day(t, k.id, "2026-12-10")).claims, []);
  const claims = (await day(t, k.id, "2026-12-11")).claims;
  assert.equal(claims.length, 1);
  assert.equal(claims[0].ref, id);
  assert.equal(claims[0].expiresAt, null);
  assert.equal(claims[0].start, after.start);
  // So do the indexes, keyed by the start.
  assert.equal(
    (await t.kv.get(keys.bookingsByKitchen(k.id, before.start, id))).value,
    null,
  );
  assert.equal(
    (await t.kv.get(keys.bookingsByRenter(w.renter.id, after.start, id))).value,
    id,
  );
  // The ledger refunds the difference part by part, and balances.
  assert.equal(ledgerProblem(after), null);
  const refund = after.ledger.find((e) => e.kind === "refund")!;
  assert.equal(refund.amountCents, 4000);
  await runJobs(t);
  const refunded = await booking(t, id);
  assert.equal(
    refunded.ledger.find((e) => e.kind === "refund")!.ref,
    `demo_re_${id}_1`,
  );
  const audit = (await listAuditFor(t.kv, "booking", id)).map((a) => a.action);
  assert.ok(audit.includes("booking.moved"), audit.join());
  assert.ok(audit.includes("refund.created"), audit.join());
  assert.equal(
    (await mailTo(t, "rosa@example.com", /Booking moved/)).length,
    1,
  );
  assert.equal(
    (await mailTo(t, "hank@example.com", /Booking moved/)).length,
    1,
  );
  const [mail] = await mailTo(t, "rosa@example.com", /Booking moved/);
  assert.match(mail.text, /Fri, Dec 11, 10:00 AM - 12:00 PM/);
  assert.match(mail.text, /\$40 is being refunded/);
  // The receipt: the new time's lines, what the card was charged and refunded.
  const pdf = await t.request(`/bookings/${id}/receipt.pdf`, {
    headers: { Cookie: w.cookie },
  });
  const { text } = await extractText(
    await getDocumentProxy(new Uint8Array(await pdf.arrayBuffer())),
    { mergePages: true },
  );
  assert.match(text, /2 hours × \$40/);
  assert.match(
    text,
    /Time changed on .+ from Thu, Dec 10, 10:00 AM - 1:00 PM: \$40 refunded/,
  );
  assert.match(text, /Total charged \$145/);
  assert.match(text, /Paid after refunds \$105/);
  t.close();
});

Deno.test("reschedule: a dearer time inside the window is charged to the saved card off-session, once", async () => {
  const w = await world();
  const { t, id } = w;
  const deps = at(t.services);
  const out = await requestMove(deps, id, w.renter, {
    date: "2026-12-11",
    start: "09:00",
    end: "13:00",
  });
  assert.equal(out.kind, "moved");
  const after = await booking(t, id);
  assert.equal(after.localStart, "09:00");
  assert.equal(after.quote.totalChargedCents, 18500);
  assert.equal(ledgerProblem(after), null);
  const charges = after.ledger.filter((e) => e.kind === "charge");
  assert.deepEqual(charges.map((c) => c.amountCents), [14500, 4000]);
  assert.equal(after.payment.extra?.length, 1);
  assert.equal(after.payment.extra![0].amountCents, 4000);
  // The charge job (written with the move) runs again and finds nothing to do.
  await runJobs(t);
  const moveId = after.moves![0].id;
  await chargeMove(deps, id, moveId);
  const again = await booking(t, id);
  assert.equal(again.ledger.filter((e) => e.kind === "charge").length, 2);
  const audit = (await listAuditFor(t.kv, "booking", id)).map((a) => a.action);
  assert.ok(audit.includes("payment.charged_off_session"), audit.join());
  // Cancelling later refunds both charges: the newer one first.
  const cancelled = await post(t, `/bookings/${id}/cancel`, {}, {
    cookie: w.cookie,
  });
  assert.equal(cancelled.status, 303);
  const jobs: unknown[] = [];
  for await (const j of t.kv.list({ prefix: ["jobs"] })) jobs.push(j.value);
  const refund = jobs.find((j) =>
    (j as { type: string }).type === "booking.refund"
  ) as {
    payload: { parts: { paymentIntentId: string; amountCents: number }[] };
  };
  assert.deepEqual(refund.payload.parts.map((p) => p.amountCents), [
    4000,
    14500,
  ]);
  await runJobs(t);
  assert.equal(ledgerProblem(await booking(t, id)), null);
  t.close();
});

Deno.test("reschedule: a declined saved card falls back to paying the difference, the new time held meanwhile", async () => {
  const w = await world({}, "declines");
  const { t, k, id } = w;
  const deps = at(t.services);
  const out = await requestMove(deps, id, w.renter, {
    date: "2026-12-11",
    start: "09:00",
    end: "13:00",
  });
  assert.equal(out.kind, "pay");
  assert.equal(out.kind === "pay" && out.url, `/bookings/${id}/change/pay`);
  const held = await booking(t, id);
  assert.equal(held.localDate, "2026-12-10", "unchanged until paid");
  assert.equal(held.move?.status, "awaiting_payment");
  assert.equal(held.move?.problem, "Your card was declined.");
  const claim = (await day(t, k.id, "2026-12-11")).claims[0];
  assert.equal(claim.ref, moveClaimRef(id));
  assert.equal(claim.expiresAt, held.move!.deadline);
  const [mail] = await mailTo(t, "rosa@example.com", /Pay to change/);
  assert.match(mail.text, /Your card was declined\. To move your booking/);
  assert.match(mail.text, new RegExp(`/bookings/${id}/change/pay`));
  const page = await (await t.request(`/bookings/${id}/change/pay`, {
    headers: { Cookie: w.cookie },
  })).text();
  assert.match(page, /Pay \$40 \(demo\)/);
  const paid = await post(t, `/bookings/${id}/change/pay`, {}, {
    cookie: w.cookie,
  });
  assert.equal(paid.status, 303);
  await runJobs(t);
  const after = await booking(t, id);
  assert.equal(after.localDate, "2026-12-11");
  assert.equal(after.move, null);
  assert.equal(ledgerProblem(after), null);
  assert.deepEqual((await day(t, k.id, "2026-12-10")).claims, []);
  assert.deepEqual(
    (await day(t, k.id, "2026-12-11")).claims.map((c) => c.ref),
    [id],
  );
  t.close();
});

Deno.test("reschedule: an unpaid difference lapses at its deadline and releases the new time", async () => {
  const w = await world({}, "needs_authentication");
  const { t, k, id } = w;
  const out = await requestMove(at(t.services), id, w.renter, {
    date: "2026-12-11",
    start: "09:00",
    end: "13:00",
  });
  assert.equal(out.kind, "pay");
  assert.equal(
    (await booking(t, id)).move?.problem,
    "Your bank asked to confirm this payment with you.",
  );
  t.advance(36 * 60_000);
  await runJobs(t);
  const after = await booking(t, id);
  assert.equal(after.move, null);
  assert.equal(after.localDate, "2026-12-10");
  assert.deepEqual((await day(t, k.id, "2026-12-11")).claims, []);
  assert.equal((await mailTo(t, "rosa@example.com", /released/)).length, 1);
  t.close();
});

Deno.test("reschedule: after the window the host approves, declines or lets the change lapse", async () => {
  // Moderate: a full refund until 72 hours before; Dec 10 is 9 days away, so
  // move the clock to 2 days before.
  const w = await world();
  const { t, k, id } = w;
  t.advance(7 * 24 * 3600_000);
  const deps = () => at(t.services);
  const ask = { date: "2026-12-11", start: "10:00", end: "13:00" };
  assert.equal(
    (await previewMove(deps(), id, w.renter, ask)).window.kind,
    "approval",
  );
  const asked = await requestMove(deps(), id, w.renter, ask);
  assert.equal(asked.kind, "requested");
  let b = await booking(t, id);
  assert.equal(b.move?.status, "requested");
  assert.ok(b.move!.deadline <= t.clock() + 24 * 3600_000);
  const [hostMail] = await mailTo(
    t,
    "hank@example.com",
    /Change of time asked/,
  );
  assert.match(hostMail.text, new RegExp(`/host/bookings/${id}`));
  // Declined: released, the renter told.
  await answerMoveAsHost(deps(), id, w.host, {
    accept: false,
    moveId: b.move!.id,
    reason: "We deep-clean on Fridays",
  });
  b = await booking(t, id);
  assert.equal(b.move, null);
  assert.equal(b.localDate, "2026-12-10");
  assert.deepEqual((await day(t, k.id, "2026-12-11")).claims, []);
  assert.equal((await mailTo(t, "rosa@example.com", /declined/)).length, 1);

  // Asked again and approved: moved (same price, nothing charged).
  await requestMove(deps(), id, w.renter, ask);
  b = await booking(t, id);
  await answerMoveAsHost(deps(), id, w.host, {
    accept: true,
    moveId: b.move!.id,
    reason: null,
  });
  b = await booking(t, id);
  assert.equal(b.localDate, "2026-12-11");
  assert.equal(b.moves?.at(-1)?.byApproval, true);

  // Asked once more (now well inside 72 hours) and left unanswered: it
  // lapses after 24 hours.
  t.advance(24 * 3600_000);
  await requestMove(deps(), id, w.renter, { ...ask, date: "2026-12-12" });
  b = await booking(t, id);
  assert.equal(b.move?.status, "requested");
  t.advance(24 * 3600_000 + 60_000);
  await runJobs(t);
  b = await booking(t, id);
  assert.equal(b.move, null);
  assert.equal(b.localDate, "2026-12-11");
  assert.deepEqual((await day(t, k.id, "2026-12-12")).claims, []);
  assert.equal((await mailTo(t, "rosa@example.com", /lapsed/)).length, 1);
  t.close();
});

Deno.test("reschedule: a new time taken by someone else between review and confirm changes nothing", async () => {
  const w = await world();
  const { t, k, id } = w;
  const ask = { date: "2026-12-11", start: "10:00", end: "13:00" };
  await previewMove(at(t.services), id, w.renter, ask);
  const other = await signUpConfirmed(t, "otto@example.com", "rent", {
    wallet: true,
  });
  await bookPaid(t, other.cookie, {
    kitchen: k.id,
    ...ask,
    start: "11:00",
    end: "14:00",
  });
  const before = await booking(t, id);
  await assert.rejects(
    () => requestMove(at(t.services), id, w.renter, ask),
    /Someone else has just booked part of that time/,
  );
  const after = await booking(t, id);
  assert.deepEqual(after, before);
  assert.deepEqual(
    (await day(t, k.id, "2026-12-10")).claims.map((c) => c.ref),
    [id],
  );
  t.close();
});

Deno.test("reschedule: bad input is a clear 4xx on the page it came from, never a 500, and changes nothing", async () => {
  const w = await world();
  const { t, id, cookie } = w;
  const before = await booking(t, id);
  const get = (path: string, c = cookie) =>
    t.request(path, { headers: { Cookie: c } });
  const cases: [string, number, RegExp][] = [
    [`/bookings/${id}/change?date=tomorrow`, 400, /Change the time/],
    [
      `/bookings/${id}/change?date=2026-12-11&start=25:00&hours=x`,
      400,
      /Change the time/,
    ],
    [
      `/bookings/${id}/change/review?date=2026-12-11&start=10:00`,
      400,
      /Pick a date, a start and an end/,
    ],
    [
      `/bookings/${id}/change/review?date=2026-13-40&start=10:00&end=12:00`,
      400,
      /Pick a date, a start and an end/,
    ],
    // The kitchen's rules, in the words the kitchen page uses.
    [
      `/bookings/${id}/change/review?date=2026-12-11&start=06:00&end=09:00`,
      400,
      /Change the time/,
    ],
    [
      `/bookings/${id}/change/review?date=2026-12-11&start=10:00&end=10:30`,
      400,
      /minimum/,
    ],
    [
      `/bookings/${id}/change/review?date=2026-12-10&start=10:00&end=13:00`,
      400,
      /That is this booking's time already/,
    ],
    [`/bookings/${id}/change/availability?date=nope`, 400, /Pick a valid date/],
    [`/bookings/01JM0000000000000000000000/change`, 404, /find/],
  ];
  for (const [path, status, text] of cases) {
    const res = await get(path);
    const body = await res.text();
    assert.equal(res.status, status, `${path}: ${body.slice(0, 200)}`);
    assert.match(body, text, path);
  }
  // The picker's prices: its own time as it stands, another at its price,
  // nonsense as a JSON error the picker shows.
  const quote = async (q: string) => {
    const res = await get(`/bookings/${id}/change/quote?${q}`);
    return { status: res.status, body: await res.json() };
  };
  const own = await quote("date=2026-12-10&start=10:00&end=13:00");
  assert.equal(own.status, 200);
  assert.equal(own.body.total, "$145");
  const longer = await quote("date=2026-12-11&start=10:00&end=14:00");
  assert.equal(longer.status, 200);
  assert.equal(longer.body.total, "$185");
  const nonsense = await quote("date=2026-12-11&start=10:00&end=99:00");
  assert.equal(nonsense.status, 400);
  assert.match(nonsense.body.error, /Pick a date, a start and an end time/);
  const closed = await quote("date=2026-12-11&start=05:00&end=08:00");
  assert.equal(closed.status, 400);
  assert.ok(closed.body.error);

  const posts: [string, Record<string, string>, number, RegExp][] = [
    [
      `/bookings/${id}/change`,
      { date: "x", start: "10:00", end: "12:00" },
      400,
      /Pick a date, a start and an end/,
    ],
    [
      `/bookings/${id}/change`,
      {
        date: "2026-12-11",
        start: "10:00",
        end: "12:00",
        acknowledge: "<script>",
      },
      303,
      /^$/,
    ],
    [
      `/bookings/${id}/change/withdraw`,
      { move: "../../etc" },
      400,
      /Pick the change/,
    ],
    [
      `/bookings/${id}/change/withdraw`,
      { move: "01JM0000000000000000000000" },
      409,
      /can no longer be withdrawn/,
    ],
    [
      `/bookings/${id}/change/pay`,
      {},
      409,
      /no change of time waiting for payment/,
    ],
    [
      `/host/bookings/${id}/move/accept`,
      { move: "01JM0000000000000000000000" },
      409,
      /no longer waiting for your answer/,
    ],
  ];
  for (const [path, form, status, text] of posts) {
    const res = await post(t, path, form, {
      cookie: path.startsWith("/host") ? w.hostCookie : cookie,
    });
    const body = await res.text();
    assert.equal(res.status, status, `${path}: ${body.slice(0, 300)}`);
    assert.match(body, text, path);
  }
  // The one valid post above moved it (to a cheaper time); nothing else changed it.
  const after = await booking(t, id);
  assert.equal(after.moves?.length, 1);
  assert.equal(after.localDate, "2026-12-11");
  assert.equal(before.localDate, "2026-12-10");
  // Another renter cannot see, move or pay for it.
  const other = await signUpConfirmed(t, "otto@example.com", "rent");
  for (const path of [`/bookings/${id}/change`, `/bookings/${id}/change/pay`]) {
    assert.equal((await get(path, other.cookie)).status, 404, path);
  }
  const theirs = await post(t, `/bookings/${id}/change`, {
    date: "2026-12-12",
    start: "10:00",
    end: "12:00",
  }, { cookie: other.cookie });
  assert.equal(theirs.status, 404);
  assert.equal((await booking(t, id)).localDate, "2026-12-11");
  t.close();
});

Deno.test("reschedule: the renter keeps their time while a change waits; cancelling with a change under way frees both times", async () => {
  const w = await world();
  const { t, k, id } = w;
  t.advance(7 * 24 * 3600_000);
  // A week on, both log in again.
  const logIn = async (email: string) =>
    sessionCookie(await post(t, "/login", { email, password: PASSWORD }));
  const cookie = await logIn("rosa@example.com");
  const hostCookie = await logIn("hank@example.com");
  const ask = { date: "2026-12-11", start: "10:00", end: "13:00" };
  const asked = await post(t, `/bookings/${id}/change`, ask, { cookie });
  assert.equal(
    asked.headers.get("location"),
    `/bookings/${id}?notice=move_requested`,
  );
  const page = await (await t.request(`/bookings/${id}`, {
    headers: { Cookie: cookie },
  })).text();
  assert.match(page, /Change of time: waiting for the host/);
  assert.match(page, /Keep my current time/);
  let b = await booking(t, id);
  const kept = await post(t, `/bookings/${id}/change/withdraw`, {
    move: b.move!.id,
  }, { cookie });
  assert.equal(
    kept.headers.get("location"),
    `/bookings/${id}?notice=move_withdrawn`,
  );
  b = await booking(t, id);
  assert.equal(b.move, null);
  assert.deepEqual((await day(t, k.id, "2026-12-11")).claims, []);
  const audit = (await listAuditFor(t.kv, "booking", id)).map((a) => a.action);
  assert.ok(audit.includes("booking.move_withdrawn"), audit.join());

  // Asked again, then the host cancels the booking: both times are free.
  await post(t, `/bookings/${id}/change`, ask, { cookie });
  assert.equal((await booking(t, id)).move?.status, "requested");
  const cancel = await post(t, `/host/bookings/${id}/cancel`, {}, {
    cookie: hostCookie,
  });
  assert.equal(cancel.status, 303);
  b = await booking(t, id);
  assert.equal(b.status, "cancelled");
  assert.equal(b.move, null);
  assert.deepEqual((await day(t, k.id, "2026-12-10")).claims, []);
  assert.deepEqual((await day(t, k.id, "2026-12-11")).claims, []);
  // The pending change's expiry job finds nothing left to do.
  t.advance(25 * 3600_000);
  await runJobs(t);
  assert.equal((await booking(t, id)).status, "cancelled");
  t.close();
});

Deno.test("reschedule: renters racing to move into the same free time: exactly one gets it, the others keep theirs", async () => {
  const w = await world();
  const { t, k } = w;
  const others = [];
  for (const [i, start] of ["14:00", "17:00"].entries()) {
    const r = await signUpConfirmed(t, `racer${i}@example.com`, "rent", {
      wallet: true,
    });
    const id = await bookPaid(t, r.cookie, {
      kitchen: k.id,
      date: "2026-12-10",
      start,
      end: start === "14:00" ? "17:00" : "20:00",
    });
    others.push({ id, user: r.user });
  }
  const racers = [{ id: w.id, user: w.renter }, ...others];
  const ask = { date: "2026-12-12", start: "10:00", end: "13:00" };
  const results = await Promise.allSettled(
    racers.flatMap((r) =>
      Array.from(
        { length: 4 },
        () => requestMove(at(t.services), r.id, r.user, ask),
      )
    ),
  );
  const won = results.filter((r) => r.status === "fulfilled");
  const lost = results.filter((r) => r.status === "rejected");
  assert.equal(
    won.length,
    1,
    JSON.stringify(
      lost.map((l) => String((l as PromiseRejectedResult).reason)),
    ),
  );
  for (const l of lost) {
    assert.match(
      String((l as PromiseRejectedResult).reason),
      /Someone else has just booked part of that time|already under way|changed while|this booking.s time already/,
    );
  }
  const moved = [];
  for (const r of racers) {
    const b = await booking(t, r.id);
    if (b.localDate === "2026-12-12") moved.push(b.id);
    else assert.equal(b.localDate, "2026-12-10");
  }
  assert.equal(moved.length, 1);
  const claims = (await day(t, k.id, "2026-12-12")).claims;
  assert.deepEqual(claims.map((c) => c.ref), moved);
  assert.equal((await day(t, k.id, "2026-12-10")).claims.length, 2);
  t.close();
});
