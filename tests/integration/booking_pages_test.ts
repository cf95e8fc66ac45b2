// Issue 17's booking pages through the real app: withdrawing a request, the
// host's request view and decline reason, the renter's message, cancel that
// asks first, one status block, references, the address and the receipt.
import assert from "node:assert/strict";
import { visibleText } from "../page_text.ts";
import { formatCents } from "../../lib/money.ts";
import { characters } from "../page_text.ts";
import { extractText, getDocumentProxy } from "unpdf";
import { saveRenterProfile } from "../../lib/accounts/repo.ts";
import { listAudit } from "../../lib/audit/repo.ts";
import { freeReference } from "../../lib/bookings/repo.ts";
import { migrationList } from "../../lib/app.ts";
import { LATEST_SCHEMA_VERSION } from "../../lib/db/migrations/names.ts";
import { runMigrations } from "../../lib/db/migrations/runner.ts";
import { referenceFor } from "../../lib/bookings/reference.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import {
  bookPaid,
  get,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  signUpConfirmed,
  staff,
  type T,
} from "../account_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const booking = async (t: T, id: string) =>
  (await t.kv.get<Booking>(keys.booking(id))).value!;

const DATE = "2026-12-05";

/** A host with payouts, a request-to-book and an instant kitchen, a renter with a wallet. */
async function setup() {
  const t = await testApp();
  const host = await signUpConfirmed(t, "hal@example.com", "host");
  await setDemoPayoutReady(t.kv, host.user.id, t.clock());
  const [request, instant]: Kitchen[] = await addKitchens(
    t.kv,
    host.user.id,
    [
      kitchenFixture({ title: "Request Kitchen", bookingMode: "request" }),
      kitchenFixture({ title: "Instant Kitchen" }),
    ],
  );
  const renter = await signUpConfirmed(t, "rosa@example.com", "rent", {
    wallet: true,
  });
  return { t, host, renter, request, instant };
}

const hours = (kitchen: string, start = "10:00", end = "13:00") => ({
  kitchen,
  date: DATE,
  start,
  end,
});

Deno.test("booking pages: the renter withdraws a request; the time is free, the card released, both told, once", async () => {
  const { t, host, renter, request } = await setup();
  const id = await bookPaid(t, renter.cookie, hours(request.id));
  assert.equal((await booking(t, id)).status, "requested");
  const page = await (await get(t, `/bookings/${id}`, renter.cookie)).text();
  assert.match(page, /Request sent: waiting for the host/);
  assert.match(page, /The host has until /);
  assert.match(page, new RegExp(`action="/bookings/${id}/withdraw"`));

  // Nobody else withdraws it: not the host, not another renter.
  const other = await signUpConfirmed(t, "bo@example.com", "rent", {
    wallet: true,
  });
  for (const cookie of [host.cookie, other.cookie]) {
    const res = await post(t, `/bookings/${id}/withdraw`, {}, { cookie });
    assert.equal(res.status, 403);
    assert.equal((await booking(t, id)).status, "requested");
  }

  const res = await post(t, `/bookings/${id}/withdraw`, {}, {
    cookie: renter.cookie,
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), `/bookings/${id}?notice=withdrawn`);
  const b = await booking(t, id);
  assert.equal(b.status, "withdrawn");
  assert.equal(b.respondBy, null);
  assert.equal(b.ledger.length, 0, "nothing charged");
  const jobs = [];
  for await (const e of t.kv.list({ prefix: ["jobs"] })) jobs.push(e.key);
  assert.ok(
    jobs.some((k) => k.includes(`booking-release:${id}`)),
    "the release job is queued",
  );
  const audit = (await listAudit(t.kv, { limit: 100 })).entries.filter((e) =>
    e.action === "booking.withdrawn"
  );
  assert.equal(audit.length, 1);
  assert.equal(audit[0].actor.id, renter.user.id);

  // Again: nothing more happens.
  const again = await post(t, `/bookings/${id}/withdraw`, {}, {
    cookie: renter.cookie,
  });
  assert.equal(again.status, 303);
  await runJobs(t);
  const mails = await listMail(t.kv);
  for (const m of mails.filter((m) => m.subject.includes("withdrawn"))) {
    assert.match(m.text, new RegExp(`Booking reference: ${b.reference}\\.`));
  }
  const mail = mails.map((m) => `${m.to} ${m.subject}`);
  assert.deepEqual(
    mail.filter((m) => m.includes("withdrawn")).sort(),
    [
      "hal@example.com Request withdrawn: Request Kitchen",
      "rosa@example.com Request withdrawn: Request Kitchen",
    ],
  );
  const shown = await (await get(
    t,
    `/bookings/${id}?notice=withdrawn`,
    renter.cookie,
  )).text();
  assert.match(shown, /Request withdrawn/);
  assert.match(shown, /You withdrew this request on /);
  assert.doesNotMatch(shown, /Withdraw request/);

  // The hours are free: someone else can take them.
  const taken = await bookPaid(t, other.cookie, hours(request.id));
  assert.equal((await booking(t, taken)).status, "requested");
  // A confirmed booking is cancelled, not withdrawn.
  await post(t, `/host/bookings/${taken}/accept`, {}, { cookie: host.cookie });
  const late = await post(t, `/bookings/${taken}/withdraw`, {}, {
    cookie: other.cookie,
  });
  assert.equal(late.status, 409);
  assert.match(
    await late.text(),
    /This booking is already confirmed, so it cannot be withdrawn\./,
  );
  t.close();
});

Deno.test("booking pages: the host's request shows the renter, their verified documents (names and expiry only), history and message", async () => {
  const { t, host, renter, request, instant } = await setup();
  await t.kv.set(keys.user(renter.user.id), {
    ...renter.user,
    businessName: "Rosa's Tamales",
  });
  await saveRenterProfile(t.kv, renter.user.id, {
    hasEmployees: false,
    needsAccessible: false,
    productType: "baked_goods",
  }, t.clock());
  // One booking that took place before (the clock then stands two days on).
  const before = await bookPaid(t, renter.cookie, {
    kitchen: instant.id,
    date: "2026-12-02",
    start: "09:00",
    end: "11:00",
  });
  t.advance(2 * 24 * 3600_000);
  await runJobs(t);
  assert.equal((await booking(t, before)).status, "completed");
  const message = "Sourdough for the market.\nI bring my own sheet pans.";
  const held = await post(t, "/bookings", {
    ...hours(request.id),
    message,
    acceptRules: "yes",
  }, { cookie: renter.cookie });
  assert.equal(held.status, 303);
  const id = held.headers.get("location")!.split("/")[2];
  await post(t, `/bookings/${id}/pay`, {}, { cookie: renter.cookie });
  await runJobs(t);
  assert.equal((await booking(t, id)).requestMessage, message);

  const res = await get(t, `/host/bookings/${id}`, host.cookie);
  assert.equal(res.status, 200);
  const page = await res.text();
  assert.match(page, /<h1[^>]*>Request from Ada Lovelace<\/h1>/);
  assert.match(page, /Rosa(?:'|&#39;)s Tamales/);
  assert.match(page, /Baked goods/);
  assert.match(page, /1 completed booking on Prep; none cancelled\./);
  assert.match(page, /Food handler card, valid until \w+day, \w+ \d+, \d{4}/);
  assert.match(page, /Liability insurance certificate, valid until /);
  // Names and expiry only: no numbers, issuers or files.
  const docs = [];
  for await (
    const e of t.kv.list<{ number: string; fileId: string }>({
      prefix: ["documents"],
    })
  ) docs.push(e.value);
  assert.ok(docs.length > 0);
  for (const d of docs) {
    assert.doesNotMatch(page, new RegExp(RegExp.escape(d.number)));
    assert.doesNotMatch(page, new RegExp(RegExp.escape(d.fileId)));
  }
  assert.match(page, /Sourdough for the market\.\nI bring my own sheet pans\./);
  assert.match(page, /Accept and charge \$/);
  assert.match(page, /Reason for declining \(optional\)/);
  // The list leads to it.
  const list = await (await get(t, "/host/bookings", host.cookie)).text();
  assert.match(list, new RegExp(`href="/host/bookings/${id}"`));

  // Only the kitchen's host sees it.
  const otherHost = await signUpConfirmed(t, "olga@example.com", "host");
  assert.equal(
    (await get(t, `/host/bookings/${id}`, otherHost.cookie)).status,
    404,
  );
  assert.equal(
    (await get(t, `/host/bookings/${id}`, renter.cookie)).status,
    403,
  );
  t.close();
});

Deno.test("booking pages: the host's page says request only while it is one; accepted or booked outright it reads as a booking", async () => {
  const { t, host, renter, request, instant } = await setup();
  const id = await bookPaid(t, renter.cookie, hours(request.id));
  const asked = await (await get(t, `/host/bookings/${id}`, host.cookie))
    .text();
  assert.match(asked, /<title>Request from Ada Lovelace/);
  assert.match(asked, /<h1[^>]*>Request from Ada Lovelace<\/h1>/);

  await post(t, `/host/bookings/${id}/accept`, {}, { cookie: host.cookie });
  assert.equal((await booking(t, id)).status, "confirmed");
  const instantId = await bookPaid(
    t,
    renter.cookie,
    hours(instant.id, "14:00", "16:00"),
  );
  assert.equal((await booking(t, instantId)).status, "confirmed");
  for (const b of [id, instantId]) {
    const page = await (await get(t, `/host/bookings/${b}`, host.cookie))
      .text();
    assert.match(page, /<title>Booking by Ada Lovelace/);
    assert.match(page, /<h1[^>]*>Booking by Ada Lovelace<\/h1>/);
    assert.doesNotMatch(page, /Request from|with this request/);
  }
  t.close();
});

Deno.test("booking pages: declining asks an optional reason, refuses a bad one whole, and the renter reads it", async () => {
  const { t, host, renter, request } = await setup();
  const id = await bookPaid(t, renter.cookie, hours(request.id));
  const audits = (await listAudit(t.kv, { limit: 100 })).entries.length;
  const bad: [Record<string, string>, RegExp][] = [
    [{ reason: "x".repeat(501) }, /Use at most 500 characters/],
    [{ reason: "Booked\u0007" }, /Remove the control characters/],
    [{ reason: "Sorry \u202etxt.exe" }, /text-direction override/],
  ];
  for (const [form, message] of bad) {
    const res = await post(t, `/host/bookings/${id}/decline`, form, {
      cookie: host.cookie,
    });
    assert.equal(res.status, 400, JSON.stringify(form).slice(0, 40));
    const html = await res.text();
    assert.match(html, message);
    assert.match(html, /Request from /, "the request page again");
    assert.equal((await booking(t, id)).status, "requested");
  }
  assert.equal((await listAudit(t.kv, { limit: 100 })).entries.length, audits);

  const reason = "The oven is being serviced that morning.";
  const res = await post(t, `/host/bookings/${id}/decline`, { reason }, {
    cookie: host.cookie,
  });
  assert.equal(
    res.headers.get("location"),
    `/host/bookings/${id}?notice=declined`,
  );
  const b = await booking(t, id);
  assert.equal(b.status, "declined");
  assert.equal(b.declineReason, reason);
  await runJobs(t);
  const page = await (await get(t, `/bookings/${id}`, renter.cookie)).text();
  assert.match(page, /Declined by the host/);
  assert.match(
    characters(page),
    new RegExp(
      `The host wrote: <q class="typed-text">${RegExp.escape(reason)}</q>`,
    ),
  );
  // The host's own page keeps what they wrote.
  const hostPage = await (await get(t, `/host/bookings/${id}`, host.cookie))
    .text();
  assert.match(
    characters(hostPage),
    new RegExp(
      `You wrote to the renter: <q class="typed-text">${
        RegExp.escape(reason)
      }</q>`,
    ),
  );
  const mail = (await listMail(t.kv)).find((m) =>
    m.to === "rosa@example.com" && m.subject.startsWith("Request declined")
  );
  assert.ok(mail);
  assert.match(mail.text, new RegExp(RegExp.escape(reason)));

  // Without a reason, none is shown.
  const second = await bookPaid(
    t,
    renter.cookie,
    hours(request.id, "14:00", "17:00"),
  );
  await post(t, `/host/bookings/${second}/decline`, { reason: "  " }, {
    cookie: host.cookie,
  });
  assert.equal((await booking(t, second)).declineReason, null);
  assert.doesNotMatch(
    await (await get(t, `/bookings/${second}`, renter.cookie)).text(),
    /The host wrote/,
  );
  t.close();
});

Deno.test("booking pages: hours already inside the policy's window say what cancelling would refund before paying", async () => {
  const { t, renter, instant, request } = await setup();
  const review = async (date: string, kitchen = instant.id) =>
    characters(
      await (await get(
        t,
        `/bookings/new?kitchen=${kitchen}&date=${date}&start=10:00&end=13:00`,
        renter.cookie,
      )).text(),
    );
  // Four days ahead: a full refund under Moderate, nothing more to say.
  assert.doesNotMatch(await review(DATE), /data-testid="cancel-now"/);
  // Two days ahead (49 hours): half.
  const soon = await review("2026-12-03");
  assert.match(
    soon,
    /These hours start soon: booked now, cancelling would refund \$72\.50 of \$145\./,
  );
  // A request is only authorised until accepted: withdrawing costs nothing.
  assert.doesNotMatch(
    await review("2026-12-03", request.id),
    /data-testid="cancel-now"/,
  );
  t.close();
});

Deno.test("booking pages: the renter's message is offered only for request-to-book, and a bad one holds nothing", async () => {
  const { t, renter, request, instant } = await setup();
  const review = (k: string) =>
    get(
      t,
      `/bookings/new?kitchen=${k}&date=${DATE}&start=10:00&end=13:00`,
      renter.cookie,
    );
  const requestReview = await (await review(request.id)).text();
  assert.match(requestReview, /Message to the host \(optional\)/);
  assert.match(
    characters(requestReview),
    /Request to book: the host has 24 hours to accept; your card is authorised now and charged only if they accept\./,
  );
  assert.match(requestReview, />Request to book</);
  const instantReview = await (await review(instant.id)).text();
  assert.doesNotMatch(instantReview, /Message to the host/);
  assert.doesNotMatch(instantReview, /Request to book/);

  const tooLong = await post(t, "/bookings", {
    ...hours(request.id),
    message: "m".repeat(1001),
    acceptRules: "yes",
  }, { cookie: renter.cookie });
  assert.equal(tooLong.status, 400);
  assert.match(await tooLong.text(), /Use at most 1000 characters/);
  const none = [];
  for await (const e of t.kv.list({ prefix: keys.bookingsPrefix() })) {
    none.push(e);
  }
  assert.equal(none.length, 0, "nothing held");

  // A message sent to an instant kitchen is not kept.
  const id = (await post(t, "/bookings", {
    ...hours(instant.id),
    message: "Hello",
    acceptRules: "yes",
  }, { cookie: renter.cookie })).headers.get("location")!.split("/")[2];
  assert.equal((await booking(t, id)).requestMessage, null);
  t.close();
});

Deno.test("booking pages: cancel asks first, with the refund and its deadline; nothing else can be asked", async () => {
  const { t, host, renter, instant } = await setup();
  const id = await bookPaid(t, renter.cookie, hours(instant.id));
  const stranger = await signUpConfirmed(t, "bo@example.com", "rent");
  assert.equal(
    (await get(t, `/bookings/${id}/cancel`, stranger.cookie)).status,
    404,
  );
  // The host is asked too, about the renter's full refund: their list leads there.
  assert.match(
    await (await get(t, "/host/bookings", host.cookie)).text(),
    new RegExp(`href="/bookings/${id}/cancel"`),
  );
  const hostAsk = await (await get(t, `/bookings/${id}/cancel`, host.cookie))
    .text();
  assert.match(
    hostAsk,
    /The renter gets \$[\d,.]+ back to the card they paid with\./,
  );
  const hostPage = await (await get(t, `/bookings/${id}`, host.cookie)).text();
  assert.match(
    hostPage,
    /If you cancel now the renter gets \$[\d,.]+ back: a full refund, as always when a host cancels\./,
  );
  // Within a day of the start, the renter gets nothing back and is told so.
  t.advance(Date.parse("2026-12-04T17:00:00Z") - t.clock());
  // Three days on, the session has lapsed: the renter logs in again.
  const cookie = sessionCookie(
    await post(t, "/login", { email: "rosa@example.com", password: PASSWORD }),
  );
  const late = await (await get(t, `/bookings/${id}`, cookie)).text();
  assert.match(
    late,
    /If you cancel now you get nothing back \(Moderate policy: no refund this close to the start\)\./,
  );
  assert.match(
    await (await get(t, `/bookings/${id}/cancel`, cookie)).text(),
    /Nothing is refunded: under the kitchen(?:'|&#39;)s policy it is too close to the start\./,
  );
  await post(t, `/bookings/${id}/cancel`, {}, { cookie: cookie });
  // Cancelled: the question page goes back to the booking, which says what happened.
  const after = await get(t, `/bookings/${id}/cancel`, cookie);
  assert.equal(after.status, 303);
  assert.equal(after.headers.get("location"), `/bookings/${id}`);
  const page = await (await get(t, `/bookings/${id}`, cookie)).text();
  assert.match(page, /You cancelled this booking on /);
  assert.match(
    page,
    /No refund was due under the kitchen(?:'|&#39;)s policy\./,
  );
  // Nothing left to do on it: no island but the header's live Messages
  // link, which every signed-in page has (issue 18 §2).
  assert.deepEqual(
    [...page.matchAll(/data-island="(\w+)"/g)].map((m) => m[1]),
    ["MessagesLink"],
  );
  t.close();
});

Deno.test("booking pages: one status block while paying, the hold's deadline, the address and directions only once confirmed", async () => {
  const { t, renter, instant } = await setup();
  const held = await post(t, "/bookings", {
    ...hours(instant.id),
    acceptRules: "yes",
  }, { cookie: renter.cookie });
  const id = held.headers.get("location")!.split("/")[2];
  const pay = await (await get(t, `/bookings/${id}/pay`, renter.cookie)).text();
  // 35 minutes from 9:00 AM Chicago (15:00 UTC).
  assert.match(
    pay,
    /Held for you until (?:<[^>]+>)+9:35\sAM CST<\/time> \(35 minutes left\)<\/span><\/prep-island>\. After that the hours are released for others to book\./,
  );
  const waiting = await (await get(t, `/bookings/${id}`, renter.cookie)).text();
  assert.match(waiting, /Waiting for payment/);
  assert.doesNotMatch(waiting, /Directions|data-testid="address"/);
  await post(t, `/bookings/${id}/pay`, {}, { cookie: renter.cookie });
  // Paid, not yet confirmed: one status, never "payment received" above "waiting for payment".
  const confirming = await get(t, `/bookings/${id}?notice=paid`, renter.cookie);
  assert.equal(confirming.headers.get("refresh"), "2");
  const html = await confirming.text();
  assert.match(html, /Confirming your payment/);
  assert.doesNotMatch(html, /Waiting for payment|Payment is received/i);
  assert.equal(html.match(/data-testid="status"/g)?.length, 1);
  await runJobs(t);
  const confirmed = await (await get(t, `/bookings/${id}`, renter.cookie))
    .text();
  const a = instant.address;
  assert.match(
    confirmed,
    new RegExp(
      `${RegExp.escape(a.line1)}, Chicago, ${a.state} ${a.postalCode}`,
    ),
  );
  const href = confirmed.match(/href="(https:\/\/www\.google\.com[^"]+)"/)?.[1]
    .replaceAll("&amp;", "&");
  assert.ok(href);
  assert.equal(
    new URL(href).searchParams.get("destination"),
    `${a.line1}, Chicago, ${a.state} ${a.postalCode}`,
  );
  assert.match(
    confirmed,
    /Booking reference <strong[^>]*>PRP-[0-9A-Z]{4}-[0-9A-Z]{2}</,
  );
  t.close();
});

Deno.test("booking pages: the receipt is a PDF attachment for the renter, the host and staff; nobody else, and none before a charge", async () => {
  const { t, host, renter, instant, request } = await setup();
  const id = await bookPaid(t, renter.cookie, hours(instant.id));
  const b = await booking(t, id);
  const admin = await staff(t, "ann@example.com", "admin");
  for (const cookie of [renter.cookie, host.cookie, admin]) {
    const res = await get(t, `/bookings/${id}/receipt.pdf`, cookie);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/pdf");
    assert.equal(
      res.headers.get("content-disposition"),
      `attachment; filename="Prep-receipt-${b.reference}.pdf"; filename*=UTF-8''Prep-receipt-${b.reference}.pdf`,
    );
    assert.equal(res.headers.get("cache-control"), "private, no-store");
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.ok(bytes.length < 20_000, `${bytes.length} bytes`);
    const { text, totalPages } = await extractText(
      await getDocumentProxy(bytes),
      { mergePages: true },
    );
    assert.equal(totalPages, 1);
    assert.match(text, new RegExp(`Receipt for booking ${b.reference}`));
    assert.match(text, /Instant Kitchen/);
    assert.match(text, /3 hours × \$40/);
    assert.match(text, /Cleaning fee/);
    assert.match(text, /Total charged/);
    assert.match(text, /Sold by/);
    assert.match(text, /Prep, the booking platform/);
    assert.match(text, /Billed to/);
  }
  const stranger = await signUpConfirmed(t, "bo@example.com", "rent");
  assert.equal(
    (await get(t, `/bookings/${id}/receipt.pdf`, stranger.cookie)).status,
    404,
  );
  // A request is only authorised: no receipt yet, and no link to one.
  const asked = await bookPaid(t, renter.cookie, hours(request.id));
  assert.equal(
    (await get(t, `/bookings/${asked}/receipt.pdf`, renter.cookie)).status,
    404,
  );
  assert.doesNotMatch(
    await (await get(t, `/bookings/${asked}`, renter.cookie)).text(),
    /receipt\.pdf/,
  );
  // After a cancellation the receipt shows the refund.
  await post(t, `/bookings/${id}/cancel`, {}, { cookie: renter.cookie });
  await runJobs(t);
  const after = await get(t, `/bookings/${id}/receipt.pdf`, renter.cookie);
  const { text } = await extractText(
    await getDocumentProxy(new Uint8Array(await after.arrayBuffer())),
    { mergePages: true },
  );
  assert.match(text, /Refunds/);
  assert.match(text, /Paid after refunds/);
  // The booking page's receipt says the same, and leads to the kitchen.
  const cancelled = visibleText(
    await (await get(t, `/bookings/${id}`, renter.cookie)).text(),
  );
  const refund = (await booking(t, id)).ledger.find((e) =>
    e.kind === "refund"
  )!;
  assert.ok(
    cancelled.includes(
      `Refund, Tue, Dec 1, 9:00 AM -${formatCents(refund.amountCents)}`,
    ),
    "the refund's row",
  );
  assert.match(cancelled, /Paid after refunds \$0/);
  assert.match(
    cancelled,
    /The kitchen's page\s*: its rules, and booking again/,
  );
  t.close();
});

Deno.test("booking pages: each booking has a unique reference staff can search by, old bookings get one once", async () => {
  const { t, renter, instant } = await setup();
  const id = await bookPaid(t, renter.cookie, hours(instant.id));
  const b = await booking(t, id);
  assert.match(b.reference!, /^PRP-[0-9A-Z]{4}-[0-9A-Z]{2}$/);
  assert.equal(b.reference, referenceFor(id, 0));
  assert.equal(
    (await t.kv.get(keys.bookingByReference(b.reference!))).value,
    id,
  );
  const admin = await staff(t, "ann@example.com", "admin");
  const bare = b.reference!.slice(4).replace("-", "");
  for (const q of [b.reference!, b.reference!.toLowerCase(), bare]) {
    const res = await get(
      t,
      `/admin/bookings?q=${encodeURIComponent(q)}`,
      admin,
    );
    assert.equal(res.status, 200, q);
    assert.match(
      await res.text(),
      new RegExp(`href="/admin/bookings/${id}"`),
      q,
    );
  }
  const none = await get(t, "/admin/bookings?q=PRP-ZZZZ-ZZ", admin);
  assert.match(await none.text(), /No bookings found/);

  // A reference already taken moves the next booking to its next attempt.
  const taken = referenceFor("01JF00000000000000000000ZZ", 0);
  await t.kv.set(keys.bookingByReference(taken), "someone-else");
  assert.equal(
    await freeReference(t.kv, "01JF00000000000000000000ZZ"),
    referenceFor("01JF00000000000000000000ZZ", 1),
  );

  // A booking from before references gets one from the start-up
  // migrations, once.
  const { reference: _, ...old } = b;
  await t.kv.atomic().set(keys.booking(id), old).delete(
    keys.bookingByReference(b.reference!),
  ).commit();
  const first = await runMigrations(t.kv, migrationList());
  assert.equal(first.to, LATEST_SCHEMA_VERSION);
  const filled = await booking(t, id);
  assert.equal(filled.reference, b.reference);
  assert.equal(
    (await t.kv.get(keys.bookingByReference(b.reference!))).value,
    id,
  );
  assert.equal((await runMigrations(t.kv, migrationList())).entries, 0);
  t.close();
});
