import assert from "node:assert/strict";
import { characters } from "../page_text.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { updateKitchen } from "../../lib/kitchens/repo.ts";
import {
  get,
  PASSWORD,
  post,
  runJobs,
  signUp,
  signUpConfirmed,
  userByEmail,
} from "../account_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const confirmedCookie = async (t: T, email: string, intent = "rent") =>
  (await signUpConfirmed(t, email, intent, { wallet: intent === "rent" }))
    .cookie;

type T = Awaited<ReturnType<typeof testApp>>;

async function setup() {
  const t = await testApp();
  const host = await addHost(t.kv);
  await setDemoPayoutReady(t.kv, host.id, t.clock());
  const [k] = await addKitchens(t.kv, host.id, [kitchenFixture()]);
  return { t, k };
}

/** Rosa holds Dec 5, 10:00–14:00 (91 hours ahead) and pays with demo payments. */
async function paidBooking(t: T, kitchen: string) {
  const cookie = await confirmedCookie(t, "rosa@example.com");
  const form = {
    kitchen,
    date: "2026-12-05",
    start: "10:00",
    end: "14:00",
    acceptRules: "yes",
  };
  const id =
    (await post(t, "/bookings", form, { cookie })).headers.get("location")!
      .split("/")[2];
  await post(t, `/bookings/${id}/pay`, {}, { cookie });
  await runJobs(t);
  return { cookie, form, id };
}

const booking = async (t: T, id: string) =>
  (await t.kv.get<Booking>(keys.booking(id))).value!;

Deno.test("bookings: review → hold → demo pay → confirmed, with emails, and the hours gone", async () => {
  const { t, k } = await setup();
  const cookie = await confirmedCookie(t, "rosa@example.com");
  const kitchenPage = await (await get(t, `/kitchens/${k.id}`)).text();
  assert.match(kitchenPage, /Review and book/);

  const review = await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-12-03&start=10:00&hours=3`,
    cookie,
  );
  assert.equal(review.status, 200);
  const reviewHtml = await review.text();
  assert.match(reviewHtml, /3 hours × \$40/);
  assert.match(reviewHtml, /\$145/, "hours $120 + cleaning $25");
  assert.match(reviewHtml, /Cancellation policy: Moderate/);

  const form = {
    kitchen: k.id,
    date: "2026-12-03",
    start: "10:00",
    end: "13:00",
  };
  const noRules = await post(t, "/bookings", form, { cookie });
  assert.equal(noRules.status, 400);
  assert.match(await noRules.text(), /Accept the house rules to book/);

  const held = await post(t, "/bookings", { ...form, acceptRules: "yes" }, {
    cookie,
  });
  assert.equal(held.status, 303);
  const payPath = held.headers.get("location")!;
  assert.match(payPath, /^\/bookings\/[0-9A-Z]{26}\/pay$/);
  const id = payPath.split("/")[2];
  assert.equal((await booking(t, id)).status, "held");

  const checkout = await (await get(t, payPath, cookie)).text();
  assert.match(
    checkout,
    /Demo checkout: no card is needed and nothing is charged/,
  );

  // Another renter cannot hold the same hours meanwhile.
  const other = await confirmedCookie(t, "bo@example.com");
  const clash = await post(t, "/bookings", { ...form, acceptRules: "yes" }, {
    cookie: other,
  });
  assert.equal(clash.status, 409);
  assert.match(
    await clash.text(),
    /Someone else has just booked part of that time/,
  );

  const paid = await post(t, payPath, {}, { cookie });
  assert.equal(paid.headers.get("location"), `/bookings/${id}?notice=paid`);
  const pending = await get(t, `/bookings/${id}?notice=paid`, cookie);
  assert.equal(pending.headers.get("refresh"), "2");
  await pending.body?.cancel();
  await runJobs(t);
  const b = await booking(t, id);
  assert.equal(b.status, "confirmed");
  assert.match(b.accessCode ?? "", /^\d{6}$/);
  assert.equal(ledgerProblem(b), null);

  const page = await (await get(t, `/bookings/${id}`, cookie)).text();
  assert.match(page, /Confirmed/);
  assert.match(page, /1 Test St/);
  assert.match(page, /Your access code appears here 24 hours before the start/);
  t.advance(25 * 3600_000);
  assert.match(
    await (await get(t, `/bookings/${id}`, cookie)).text(),
    new RegExp(`Access code: ${b.accessCode}`),
  );
  // Nobody else sees it.
  assert.equal((await get(t, `/bookings/${id}`, other)).status, 404);

  const mails = await listMail(t.kv);
  assert.ok(
    mails.some((m) =>
      m.to === "rosa@example.com" && /Booking confirmed/.test(m.subject)
    ),
  );

  const day =
    await (await get(t, `/api/kitchens/${k.id}/availability?date=2026-12-03`))
      .json();
  assert.ok(
    !day.slots.some((s: { label: string }) =>
      s.label === "10:00 AM" || s.label === "11:00 AM"
    ),
    "the booked hours are gone from the picker",
  );
  const trips = await (await get(t, "/bookings", cookie)).text();
  assert.match(trips, /Upcoming/);
  assert.match(trips, new RegExp(`/bookings/${id}`));
  t.close();
});

Deno.test("bookings: the renter cancels under the policy and sees the refund; the time is free again", async () => {
  const { t, k } = await setup();
  const { cookie, form, id } = await paidBooking(t, k.id);
  const page = await (await get(t, `/bookings/${id}`, cookie)).text();
  // Dec 5 10:00 Chicago is 91 hours away: a full refund under Moderate,
  // until 72 hours before the start.
  assert.match(
    page,
    /If you cancel now you get \$185 back \(Moderate policy: a full refund until Wed, Dec 2, 10:00\sAM CST; 50% after that\)\./,
  );
  // Without JavaScript, "Cancel booking" is a page that asks first.
  assert.match(page, new RegExp(`href="/bookings/${id}/cancel"`));
  const ask = await get(t, `/bookings/${id}/cancel`, cookie);
  assert.equal(ask.status, 200);
  const question = await ask.text();
  assert.match(question, /Cancel this booking\?/);
  assert.match(
    characters(question),
    /You get \$185 back to the card you paid with\. Refunds reach the card in 5 to 10 business days\./,
  );
  assert.equal(
    (await booking(t, id)).status,
    "confirmed",
    "asking changes nothing",
  );
  const res = await post(t, `/bookings/${id}/cancel`, {}, { cookie });
  assert.equal(res.headers.get("location"), `/bookings/${id}?notice=cancelled`);
  await runJobs(t);
  const b = await booking(t, id);
  assert.equal(b.status, "cancelled");
  assert.equal(b.cancellation?.refundCents, 18500);
  assert.equal(ledgerProblem(b), null);
  assert.ok(
    b.ledger.filter((e) => e.kind === "refund").every((e) => e.ref !== null),
  );
  const again = await post(t, "/bookings", form, {
    cookie: await confirmedCookie(t, "bo@example.com"),
  });
  assert.equal(again.status, 303, "the hours can be booked again");
  assert.equal(
    (await post(t, `/bookings/${id}/cancel`, {}, { cookie })).status,
    409,
  );
  t.close();
});

Deno.test("bookings: a refund follows the policy the booking was made under, not one the host chose later", async () => {
  const { t, k } = await setup();
  const { cookie, id } = await paidBooking(t, k.id);
  assert.equal((await booking(t, id)).cancellationPolicy, "moderate");
  // 91 hours ahead: Moderate refunds all of it; Strict would refund nothing.
  await updateKitchen(t.kv, k.id, (x) => ({
    ...x,
    cancellationPolicy: "strict",
  }));
  const page = await (await get(t, `/bookings/${id}`, cookie)).text();
  assert.match(page, /If you cancel now you get \$185 back \(Moderate policy/);
  await post(t, `/bookings/${id}/cancel`, {}, { cookie });
  await runJobs(t);
  const b = await booking(t, id);
  assert.equal(b.cancellation?.refundCents, 18500);
  assert.equal(ledgerProblem(b), null);
  t.close();
});

Deno.test("bookings: bad and hostile input gets a clear answer and writes nothing", async () => {
  const { t, k } = await setup();
  const cookie = await confirmedCookie(t, "rosa@example.com");
  const cases: [Record<string, string>, number][] = [
    [{}, 400],
    [{
      kitchen: "x".repeat(3000),
      date: "2026-12-03",
      start: "10:00",
      end: "13:00",
      acceptRules: "yes",
    }, 400],
    [{
      kitchen: k.id,
      date: "2026-13-45",
      start: "10:00",
      end: "13:00",
      acceptRules: "yes",
    }, 400],
    [{
      kitchen: k.id,
      date: "2026-12-03",
      start: "10:07",
      end: "13:00",
      acceptRules: "yes",
    }, 400],
    [{
      kitchen: k.id,
      date: "2026-12-03",
      start: "06:00",
      end: "09:00",
      acceptRules: "yes",
    }, 400],
    [{
      kitchen: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
      date: "2026-12-03",
      start: "10:00",
      end: "13:00",
      acceptRules: "yes",
    }, 404],
  ];
  for (const [form, status] of cases) {
    const res = await post(t, "/bookings", form, { cookie });
    assert.equal(res.status, status, JSON.stringify(form).slice(0, 80));
    await res.body?.cancel();
  }
  assert.equal(
    (await get(t, "/bookings/new?kitchen=nope", cookie)).status,
    400,
  );
  // Signed out: log in and come back.
  const anon = await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-12-03&start=10:00&end=13:00`,
  );
  assert.equal(anon.status, 303);
  assert.match(
    anon.headers.get("location")!,
    /^\/login\?next=%2Fbookings%2Fnew/,
  );
  // An unconfirmed email is told why it cannot book.
  const unconfirmed = await signUp(t, "new@example.com");
  const told = await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-12-03&start=10:00&end=13:00`,
    unconfirmed,
  );
  assert.match(
    await told.text(),
    /Confirm your email address to book kitchens/,
  );
  const refused = await post(t, "/bookings", {
    kitchen: k.id,
    date: "2026-12-03",
    start: "10:00",
    end: "13:00",
    acceptRules: "yes",
  }, { cookie: unconfirmed });
  assert.equal(refused.status, 403);
  assert.match(
    await refused.text(),
    /Confirm your email address to book kitchens/,
  );
  let count = 0;
  for await (const _ of t.kv.list({ prefix: ["bookings"] })) count++;
  assert.equal(count, 0);
  t.close();
});

Deno.test("bookings: a host sets up demo payouts, answers requests and cancels with a full refund", async () => {
  const t = await testApp();
  const hostCookie = await confirmedCookie(t, "hank@example.com");
  await post(t, "/account/host", {}, { cookie: hostCookie });
  const hank = sessionCookieAfterLogin(
    await post(t, "/login", { email: "hank@example.com", password: PASSWORD }),
  );
  const hostId = (await userByEmail(t, "hank@example.com"))!.id;
  const [k] = await addKitchens(t.kv, hostId, [
    kitchenFixture({ bookingMode: "request" }),
  ]);
  const renter = await confirmedCookie(t, "rosa@example.com");
  const form = {
    kitchen: k.id,
    date: "2026-12-03",
    start: "10:00",
    end: "13:00",
    acceptRules: "yes",
  };
  // Not payable yet: no holds.
  const early = await post(t, "/bookings", form, { cookie: renter });
  assert.equal(early.status, 409);
  assert.match(await early.text(), /not taking bookings yet/);
  const payouts = await (await get(t, "/host/payouts", hank)).text();
  assert.match(payouts, /Demo payments: no money moves on this site/);
  const setup = await post(t, "/host/payouts", {}, { cookie: hank });
  assert.equal(
    setup.headers.get("location"),
    "/host/payouts?notice=demo-ready",
  );

  const held = await post(t, "/bookings", form, { cookie: renter });
  const id = held.headers.get("location")!.split("/")[2];
  await post(t, `/bookings/${id}/pay`, {}, { cookie: renter });
  await runJobs(t);
  assert.equal((await booking(t, id)).status, "requested");
  assert.match(
    await (await get(t, "/host/bookings", hank)).text(),
    /Request: waiting for your answer/,
  );
  // A renter is not a host: the host pages are closed to them.
  assert.equal((await get(t, "/host/bookings", renter)).status, 403);
  await post(t, `/host/bookings/${id}/accept`, {}, { cookie: hank });
  const b = await booking(t, id);
  assert.equal(b.status, "confirmed");
  assert.equal(ledgerProblem(b), null);

  const cancelled = await post(t, `/host/bookings/${id}/cancel`, {}, {
    cookie: hank,
  });
  assert.equal(
    cancelled.headers.get("location"),
    "/host/bookings?notice=cancelled",
  );
  const after = await booking(t, id);
  assert.equal(after.status, "cancelled");
  assert.equal(after.cancellation?.by, "host");
  assert.equal(after.cancellation?.refundCents, after.quote.totalChargedCents);
  // Demo mode has no webhook endpoint.
  assert.equal(
    (await t.request("/api/stripe/webhook", { method: "POST", body: "{}" }))
      .status,
    404,
  );
  t.close();
});

function sessionCookieAfterLogin(res: Response): string {
  const m = /(prep_session=[^;]+)/.exec(res.headers.get("set-cookie") ?? "");
  assert.ok(m, "logged in");
  return m[1];
}
