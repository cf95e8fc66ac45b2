/**
 * A renter's first booking without starting over (issue 17 §1, §2, §5):
 * the hours picked survive logging in, "Create an account", sign-up and
 * the confirmation link (any browser); they wait in a booking draft while
 * documents are uploaded and checked; hours can be requested while
 * documents are in review, and staff's decision confirms, forwards or
 * releases them (demo payments and Stripe).
 */
import assert from "node:assert/strict";
import { characters } from "../page_text.ts";
import type Stripe from "stripe";
import { listAuditFor } from "../../lib/audit/repo.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import type { CalendarDay } from "../../lib/bookings/day_claims.ts";
import { reviewDocument } from "../../lib/compliance/repo.ts";
import type { ComplianceDocument } from "../../lib/compliance/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { getHostFresh, setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { listNotifications } from "../../lib/notifications/repo.ts";
import { stripeClient } from "../../lib/payments/stripe.ts";
import type { KitchenInput } from "../../lib/kitchens/schema.ts";
import {
  get,
  linkIn,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  signUpConfirmed,
  tokenOf,
} from "../account_helpers.ts";
import {
  addVerified,
  minimalPdf,
  TEST_ADMIN,
  upload,
} from "../compliance_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import {
  signedWebhook,
  startStripeFake,
  type StripeFake,
} from "../stripe_fake.ts";

type T = Awaited<ReturnType<typeof testApp>>;

const HOURS = { date: "2026-12-03", start: "10:00", end: "13:00" };
/** How the review page, the card and the emails name those hours (Chicago). */
const WHEN = "Thu, Dec 3, 10:00 AM - 1:00 PM";

async function setup(over: Partial<KitchenInput> = {}) {
  const t = await testApp();
  const host = await signUpConfirmed(t, "hank@example.com", "host");
  await setDemoPayoutReady(t.kv, host.user.id, t.clock());
  const [k] = await addKitchens(
    t.kv,
    host.user.id,
    [kitchenFixture(over)],
    "published",
    { now: t.clock() },
  );
  return { t, k, host, reviewPath: reviewPathOf(k.id) };
}

const reviewPathOf = (kitchen: string) =>
  `/bookings/new?${new URLSearchParams({ kitchen, ...HOURS })}`;

const booking = async (t: T, id: string) =>
  (await t.kv.get<Booking>(keys.booking(id))).value!;

/** The value of an attribute in the first tag of `html` matching `tag`. */
function attr(html: string, tag: RegExp, name: string): string {
  const found = tag.exec(html);
  assert.ok(found, `no ${tag} in the page`);
  const m = new RegExp(`${name}="([^"]*)"`).exec(found[0]);
  assert.ok(m, `no ${name} on ${found[0]}`);
  return m[1].replaceAll("&amp;", "&").replaceAll("&#39;", "'")
    .replaceAll("&quot;", '"');
}

const COI = {
  perOccurrenceCents: 100_000_000,
  aggregateCents: 200_000_000,
  namedInsured: "Rosa's Tamales LLC",
  additionalInsured: null,
};

/** A renter's food handler card and certificate of insurance, uploaded and waiting for staff. */
async function pendingWallet(t: T, renterId: string) {
  const holder = { kind: "renter" as const, id: renterId };
  const card = await addVerified(
    t.kv,
    holder,
    renterId,
    upload("food_handler_card"),
    t.clock(),
    false,
  );
  const coi = await addVerified(
    t.kv,
    holder,
    renterId,
    upload("liability_insurance", { insurance: COI }),
    t.clock(),
    false,
  );
  return { card, coi };
}

/** A staff decision as the queue page makes it, then the jobs it causes. */
async function decide(
  t: T,
  doc: ComplianceDocument,
  action: "verify" | "reject" | "request_renewal",
  reason?: string,
) {
  await reviewDocument(
    t.kv,
    doc.id,
    action,
    TEST_ADMIN,
    { reason, mail: t.services.mail },
    t.clock(),
  );
  await runJobs(t);
}

/** "Request these hours" on the review page, then the demo checkout: the booking id. */
async function requestHours(
  t: T,
  cookie: string,
  kitchen: string,
  hours = HOURS,
): Promise<string> {
  const held = await post(t, "/bookings", {
    kitchen,
    ...hours,
    acceptRules: "yes",
    intent: "documents",
  }, { cookie });
  assert.equal(held.status, 303, await held.clone().text());
  const id = held.headers.get("location")!.split("/")[2];
  await post(t, `/bookings/${id}/pay`, {}, { cookie });
  await runJobs(t);
  return id;
}

const mailTo = async (t: T, to: string) =>
  (await listMail(t.kv)).filter((m) => m.to === to);

Deno.test("renter intent: a visitor's hours survive log in → Create an account → sign-up → the email link opened in another browser", async () => {
  const { t, k, reviewPath } = await setup();
  try {
    // Signed out, the review sends the visitor to log in with a signed `next`.
    const anon = await get(t, reviewPath);
    assert.equal(anon.status, 303);
    const login = anon.headers.get("location")!;
    assert.match(login, /^\/login\?next=%2Fbookings%2Fnew/);
    const loginPage = await (await get(t, login)).text();
    assert.match(loginPage, /we will take you straight back to where you were/);
    // "Create an account" carries it on, and so does the sign-up form.
    const signupHref = attr(
      loginPage,
      /<a href="[^"]*"[^>]*>\s*Create an account/,
      "href",
    );
    assert.match(signupHref, /^\/signup\?next=/);
    const signupPage = await (await get(t, signupHref)).text();
    const next = attr(
      signupPage,
      /<input type="hidden" name="next"[^>]*>/,
      "value",
    );
    assert.ok(next.startsWith(`${reviewPath}~`), next);
    assert.match(signupPage, /brings you straight back to where you were/);

    const signed = await post(t, "/signup", {
      name: "Rosa Diaz",
      email: "rosa@example.com",
      password: PASSWORD,
      intent: "rent",
      next,
    });
    assert.equal(signed.headers.get("location"), "/signup/sent");
    // The emailed link, opened in a browser with no session at all.
    const token = tokenOf(await linkIn(t, "rosa@example.com", "/verify-email"));
    const confirmed = await post(t, "/verify-email", { token });
    assert.equal(confirmed.status, 303);
    assert.equal(
      confirmed.headers.get("location"),
      `${reviewPath}&notice=verified`,
    );
    const cookie = sessionCookie(confirmed);
    const review =
      await (await get(t, confirmed.headers.get("location")!, cookie))
        .text();
    assert.match(
      review,
      /Your email address is confirmed\. Here is the booking you chose\./,
    );
    assert.match(review, new RegExp(k.title));
    assert.match(characters(review), /Thu, Dec 3, 10:00 AM - 1:00 PM/);

    // The review remembered the hours: the account and the wallet lead back.
    const card = `Continue your booking at ${k.title}, ${WHEN}`;
    const account = characters(
      await (await get(t, "/account", cookie)).text(),
    );
    assert.ok(account.includes(card), "the account page's card");
    assert.ok(
      account.includes(`href="${reviewPath.replaceAll("&", "&amp;")}"`),
    );
    assert.match(account, /href="\/account\/compliance"/);
    const wallet = characters(
      await (await get(t, "/account/compliance", cookie)).text(),
    );
    assert.ok(wallet.includes(card), "the wallet's card");
    assert.match(wallet, /What this booking needs/);
  } finally {
    t.close();
  }
});

Deno.test("renter intent: a forged or altered next is not carried through sign-up; the link goes to the account", async () => {
  const { t, k, reviewPath } = await setup();
  try {
    const login = (await get(t, reviewPath)).headers.get("location")!;
    const signedNext = decodeURIComponent(login.slice("/login?next=".length));
    const altered = signedNext.replace("start=10", "start=11");
    assert.notEqual(altered, signedNext);
    for (
      const [email, next] of [
        ["one@example.com", altered],
        ["two@example.com", reviewPath],
        ["three@example.com", "https://evil.example/"],
      ]
    ) {
      // The sign-up page does not offer a next it cannot trust.
      const page =
        await (await get(t, `/signup?next=${encodeURIComponent(next)}`))
          .text();
      assert.doesNotMatch(page, /name="next"/, next);
      await post(t, "/signup", {
        name: "Someone",
        email,
        password: PASSWORD,
        intent: "rent",
        next,
      });
      const token = tokenOf(await linkIn(t, email, "/verify-email"));
      const confirmed = await post(t, "/verify-email", { token });
      assert.equal(
        confirmed.headers.get("location"),
        "/account?notice=verified",
        next,
      );
    }
    // Logging in follows a signed next, and a plain one of this site's.
    await signUpConfirmed(t, "ada@example.com");
    const withSigned = await post(t, "/login", {
      email: "ada@example.com",
      password: PASSWORD,
      next: signedNext,
    });
    assert.equal(withSigned.headers.get("location"), reviewPath);
    const forged = await post(t, "/login", {
      email: "ada@example.com",
      password: PASSWORD,
      next: altered,
    });
    assert.equal(forged.headers.get("location"), "/account");
    const offsite = await post(t, "/login", {
      email: "ada@example.com",
      password: PASSWORD,
      next: "//evil.example/",
    });
    assert.equal(offsite.headers.get("location"), "/");
    assert.ok(k);
  } finally {
    t.close();
  }
});

Deno.test("renter intent: uploading what the booking needs leads back to its review, which offers Request these hours; the verified notice leads there too", async () => {
  const { t, k, reviewPath } = await setup();
  try {
    const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
    const denied = await (await get(t, reviewPath, cookie)).text();
    assert.match(denied, /rules do not allow this booking/);
    assert.match(denied, /data-state="missing">Missing/);
    assert.match(denied, /This booking waits for you on your documents page/);

    const send = async (fields: Record<string, string>) => {
      const body = new FormData();
      for (const [key, v] of Object.entries(fields)) body.set(key, v);
      body.set("file", new File([minimalPdf() as BufferSource], "doc.pdf"));
      return await t.request("/account/compliance", {
        method: "POST",
        body,
        headers: { "Sec-Fetch-Site": "same-origin", Cookie: cookie },
      });
    };
    const base = {
      number: "N-1",
      authority: "City of Chicago",
      issueDate: "2026-01-15",
      expiryDate: "2028-01-15",
    };
    // One of two: back to the wallet, which says what is still missing.
    const first = await send({ ...base, kind: "food_handler_card" });
    assert.equal(
      first.headers.get("location"),
      "/account/compliance?notice=uploaded",
    );
    const wallet = await (await get(t, first.headers.get("location")!, cookie))
      .text();
    assert.ok(
      characters(wallet).includes(
        `Continue your booking at ${k.title}, ${WHEN}`,
      ),
    );
    assert.match(wallet, /data-state="in_review">In review/);
    assert.match(wallet, /data-state="missing">Missing/);
    // Both on file: straight back to the review of those hours.
    const second = await send({
      ...base,
      kind: "liability_insurance",
      "insurance.perOccurrenceCents": "1,000,000",
      "insurance.aggregateCents": "2,000,000",
      "insurance.namedInsured": "Rosa's Tamales LLC",
    });
    assert.equal(
      second.headers.get("location"),
      `${reviewPath}&notice=uploaded`,
    );
    const review = await (await get(t, second.headers.get("location")!, cookie))
      .text();
    assert.match(review, /Your documents are uploaded\./);
    assert.match(review, /Your documents are being checked/);
    assert.match(review, /usually within a working day/);
    assert.match(review, /Request these hours/);
    assert.doesNotMatch(review, /rules do not allow this booking/);
    assert.doesNotMatch(review, /Continue to payment/);

    // Staff verify the card: the notice and the email lead to the review.
    const [card] = (await walletOf(t, user.id)).filter((d) =>
      d.kind === "food_handler_card"
    );
    await decide(t, card, "verify");
    const { notifications } = await listNotifications(t.kv, user.id);
    const verified = notifications.find((n) => /is verified/.test(n.title))!;
    assert.ok(
      verified.body.includes(`Continue your booking at ${k.title}, ${WHEN}`),
      verified.body,
    );
    assert.equal(verified.href, reviewPath);
    const mail = (await mailTo(t, "rosa@example.com")).find((m) =>
      /verified/.test(m.subject)
    )!;
    assert.match(mail.text, /Continue your booking/);
    assert.ok(mail.text.includes(`${t.config.BASE_URL}${reviewPath}`));
  } finally {
    t.close();
  }
});

Deno.test("renter intent: hours requested while documents are in review wait, authorised, and are confirmed once staff verify the last one", async () => {
  const { t, k, host, reviewPath } = await setup();
  try {
    const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
    const { card, coi } = await pendingWallet(t, user.id);
    await get(t, reviewPath, cookie);
    const id = await requestHours(t, cookie, k.id);
    let b = await booking(t, id);
    assert.equal(b.status, "requested");
    assert.equal(b.waitingFor, "documents");
    assert.equal(b.respondBy, t.clock() + 24 * 3600_000);
    assert.equal(b.ledger.length, 0, "authorised, not charged");
    // The draft did its job.
    assert.doesNotMatch(
      await (await get(t, "/account", cookie)).text(),
      /Continue your booking at/,
    );
    const page = await (await get(t, `/bookings/${id}`, cookie)).text();
    assert.match(page, /Your documents are being checked/);
    assert.match(page, /We are holding these hours for you/);
    assert.match(page, /your booking is confirmed and your card is charged/);
    const held = await mailTo(t, "rosa@example.com");
    assert.ok(held.some((m) => m.subject === `Hours held: ${k.title}`));

    // Not the host's to answer yet.
    const list = await (await get(t, "/host/bookings", host.cookie)).text();
    assert.match(
      list,
      /Held while Prep checks the renter's documents; no answer needed yet/,
    );
    assert.doesNotMatch(list, new RegExp(`/host/bookings/${id}/accept`));
    const accept = await post(t, `/host/bookings/${id}/accept`, {}, {
      cookie: host.cookie,
    });
    assert.equal(accept.status, 409);
    const decline = await post(t, `/host/bookings/${id}/decline`, {}, {
      cookie: host.cookie,
    });
    assert.equal(decline.status, 409);
    assert.equal(
      (await mailTo(t, "hank@example.com")).filter((m) =>
        m.subject.includes(k.title)
      ).length,
      0,
      "the host hears of it only once it is theirs",
    );

    // One verified, one still in review: it waits.
    await decide(t, card, "verify");
    assert.equal((await booking(t, id)).status, "requested");
    // The last one verified: judged again, captured and confirmed.
    await decide(t, coi, "verify");
    b = await booking(t, id);
    assert.equal(b.status, "confirmed");
    assert.equal(b.waitingFor, undefined);
    assert.ok(b.accessCode);
    assert.equal(ledgerProblem(b), null);
    assert.ok(b.ledger.some((e) => e.kind === "charge"));
    const audit = await listAuditFor(t.kv, "booking", id);
    assert.ok(audit.some((e) => e.action === "payment.captured"));
    const mails = await mailTo(t, "rosa@example.com");
    assert.ok(
      mails.some((m) =>
        m.subject === `Booking confirmed: ${k.title}` &&
        /Your documents are verified and your booking is confirmed/.test(m.text)
      ),
    );
    const { notifications } = await listNotifications(t.kv, user.id);
    assert.ok(
      notifications.some((n) =>
        n.title === `Your booking at ${k.title} is confirmed` &&
        n.href === `/bookings/${id}`
      ),
    );
    const confirmed = await (await get(t, `/bookings/${id}`, cookie)).text();
    assert.match(confirmed, /Confirmed/);
    // A second run of the decision's job changes nothing.
    await runJobs(t);
    assert.equal((await booking(t, id)).ledger.length, b.ledger.length);
  } finally {
    t.close();
  }
});

Deno.test("renter intent: hours waiting for documents can be withdrawn from their page; a later verification leaves them withdrawn", async () => {
  const { t, k } = await setup();
  try {
    const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
    const { card, coi } = await pendingWallet(t, user.id);
    const held = await post(t, "/bookings", {
      kitchen: k.id,
      ...HOURS,
      acceptRules: "yes",
      intent: "documents",
    }, { cookie });
    assert.equal(held.status, 303);
    const id = held.headers.get("location")!.split("/")[2];
    // The demo checkout asks to authorise, as nothing is charged yet.
    const checkout = await (await get(t, `/bookings/${id}/pay`, cookie))
      .text();
    assert.match(checkout, /Authorise your card/);
    assert.match(checkout, /Authorise \$[\d,.]+ \(demo\)/);
    assert.doesNotMatch(checkout, /Pay \$/);
    await post(t, `/bookings/${id}/pay`, {}, { cookie });
    await runJobs(t);
    const page = await (await get(t, `/bookings/${id}`, cookie)).text();
    assert.match(page, /Your documents are being checked/);
    assert.equal(
      attr(page, /<form[^>]*withdraw[^>]*>/, "action"),
      `/bookings/${id}/withdraw`,
    );
    assert.match(page, /Withdraw request/);
    const out = await post(t, `/bookings/${id}/withdraw`, {}, { cookie });
    assert.equal(out.status, 303);
    await runJobs(t);
    let b = await booking(t, id);
    assert.equal(b.status, "withdrawn");
    assert.equal(b.ledger.length, 0, "nothing was charged");
    const after = await (await get(t, `/bookings/${id}`, cookie)).text();
    assert.doesNotMatch(after, /Withdraw request/);
    // The documents are verified afterwards: the hours stay released.
    await decide(t, card, "verify");
    await decide(t, coi, "verify");
    b = await booking(t, id);
    assert.equal(b.status, "withdrawn");
    assert.equal(b.ledger.length, 0);
  } finally {
    t.close();
  }
});

Deno.test("renter intent: on a request-to-book kitchen verification hands the request to the host with a fresh 24 hours", async () => {
  const { t, k } = await setup({ bookingMode: "request" });
  try {
    const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
    const { card, coi } = await pendingWallet(t, user.id);
    const id = await requestHours(t, cookie, k.id);
    await decide(t, card, "verify");
    t.advance(3 * 3600_000);
    await decide(t, coi, "verify");
    const b = await booking(t, id);
    assert.equal(b.status, "requested");
    assert.equal(b.waitingFor, "host");
    assert.equal(b.respondBy, t.clock() + 24 * 3600_000);
    assert.ok(
      (await mailTo(t, "rosa@example.com")).some((m) =>
        /your request is with the host/.test(m.text)
      ),
    );
    // Only now is it the host's: their email, and their answer.
    assert.ok(
      (await mailTo(t, "hank@example.com")).some((m) =>
        m.subject === `Booking request: ${k.title}`
      ),
    );
    // The documents' deadline passing changes nothing now; the host's does.
    t.advance(22 * 3600_000);
    await runJobs(t);
    assert.equal((await booking(t, id)).status, "requested");
    t.advance(3 * 3600_000);
    await runJobs(t);
    const expired = await booking(t, id);
    assert.equal(expired.status, "expired");
    assert.match(expired.note!, /The host did not answer in time/);
  } finally {
    t.close();
  }
});

Deno.test("renter intent: a rejection, a lapse found at the re-check, or 24 hours without a decision release the hours and the authorisation", async () => {
  const { t, k } = await setup();
  try {
    const calendarClaims = async () =>
      (await t.kv.get<CalendarDay>(keys.calendarDay(k.id, HOURS.date))).value
        ?.claims.length ?? 0;

    // Rejected: released at once, with the reason.
    const a = await signUpConfirmed(t, "ana@example.com");
    const aw = await pendingWallet(t, a.user.id);
    const aId = await requestHours(t, a.cookie, k.id);
    assert.equal(await calendarClaims(), 1);
    await decide(t, aw.card, "reject", "The name does not match");
    let b = await booking(t, aId);
    assert.equal(b.status, "expired");
    assert.match(b.note!, /^We could not confirm your booking/);
    assert.match(b.note!, /food handler card/);
    assert.equal(await calendarClaims(), 0, "the hours are free again");
    assert.ok(
      await t.kv.get(keys.job(`booking-release:${aId}`)).then((e) =>
        e.value === null
      ),
      "the release job ran",
    );
    const released = (await mailTo(t, "ana@example.com")).find((m) =>
      m.subject === `Hours released: ${k.title}`
    )!;
    assert.match(released.text, /authorisation .* is released/);
    assert.ok(
      (await listAuditFor(t.kv, "booking", aId)).some((e) =>
        e.action === "booking.released"
      ),
    );
    const page = await (await get(t, `/bookings/${aId}`, a.cookie)).text();
    assert.match(page, /Not booked: the hours were released/);

    // Another document lapses meanwhile: the re-check releases, saying why.
    const c = await signUpConfirmed(t, "cy@example.com");
    const card = await addVerified(
      t.kv,
      { kind: "renter", id: c.user.id },
      c.user.id,
      upload("food_handler_card"),
      t.clock(),
    );
    const coi = await addVerified(
      t.kv,
      { kind: "renter", id: c.user.id },
      c.user.id,
      upload("liability_insurance", { insurance: COI }),
      t.clock(),
      false,
    );
    const cId = await requestHours(t, c.cookie, k.id);
    await decide(t, card, "request_renewal", "A newer card is required");
    b = await booking(t, cId);
    assert.equal(b.status, "expired");
    assert.match(b.note!, /food handler card or food manager certificate/);
    await decide(t, coi, "verify");
    assert.equal((await booking(t, cId)).status, "expired");

    // Nobody decides within 24 hours.
    const d = await signUpConfirmed(t, "dee@example.com");
    await pendingWallet(t, d.user.id);
    const dId = await requestHours(t, d.cookie, k.id);
    t.advance(24 * 3600_000 + 1000);
    await runJobs(t);
    b = await booking(t, dId);
    assert.equal(b.status, "expired");
    assert.match(b.note!, /could not finish checking your documents in time/);
    assert.ok(
      (await mailTo(t, "dee@example.com")).some((m) =>
        m.subject === `Hours released: ${k.title}` &&
        /were not verified in time|could not finish checking/.test(m.text)
      ),
    );
    assert.equal(await calendarClaims(), 0);
  } finally {
    t.close();
  }
});

Deno.test("renter intent: bad input on the request gets a clear answer and writes nothing; verified documents make it an ordinary booking", async () => {
  const { t, k, reviewPath } = await setup();
  try {
    const bookings = async () => {
      let n = 0;
      for await (const _ of t.kv.list({ prefix: ["bookings"] })) n++;
      return n;
    };
    const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
    const form = { kitchen: k.id, ...HOURS, acceptRules: "yes" };
    for (const intent of ["bogus", "DOCUMENTS", "documents;drop"]) {
      const res = await post(t, "/bookings", { ...form, intent }, { cookie });
      assert.equal(res.status, 400, intent);
      assert.match(await res.text(), /Review your booking/);
    }
    // Nothing uploaded: a request cannot skip the documents.
    const missing = await post(
      t,
      "/bookings",
      { ...form, intent: "documents" },
      {
        cookie,
      },
    );
    assert.equal(missing.status, 400);
    assert.match(
      await missing.text(),
      /You can&#39;t book this|You can't book this/,
    );
    assert.equal(await bookings(), 0);
    // A draft that does not read is ignored, never shown.
    await t.kv.set(keys.bookingDraft(user.id), { v: 1, kitchen: "<script>" });
    assert.doesNotMatch(
      await (await get(t, "/account", cookie)).text(),
      /Continue your booking/,
    );
    // Everything verified meanwhile: "Request these hours" is an ordinary hold.
    const { card, coi } = await pendingWallet(t, user.id);
    await decide(t, card, "verify");
    await decide(t, coi, "verify");
    const held = await post(t, "/bookings", { ...form, intent: "documents" }, {
      cookie,
    });
    assert.equal(held.status, 303);
    const id = held.headers.get("location")!.split("/")[2];
    const b = await booking(t, id);
    assert.equal(b.status, "held");
    assert.equal(b.waitingFor, undefined);
    assert.ok(reviewPath);
  } finally {
    t.close();
  }
});

// ---------------------------------------------------------------------------
// Stripe: the real SDK against tests/stripe_fake.ts

const SECRET = "whsec_prep_test";

async function stripeWorld(): Promise<{
  t: T;
  fake: StripeFake;
  stripe: Stripe;
  kitchenId: string;
  close(): Promise<void>;
}> {
  let clock = () => Date.parse("2026-12-01T15:00:00Z");
  const fake = startStripeFake({ now: () => clock() });
  const t = await testApp(undefined, {
    STRIPE_SECRET_KEY: fake.secretKey,
    STRIPE_WEBHOOK_SECRET: SECRET,
    STRIPE_API_BASE: fake.apiBase,
  });
  clock = t.clock;
  const stripe = stripeClient(fake.secretKey, { apiBase: fake.apiBase });
  const host = await signUpConfirmed(t, "hank@example.com", "host");
  await post(t, "/host/payouts", {}, { cookie: host.cookie });
  const accountId = (await getHostFresh(t.kv, host.user.id)).value!.payout
    .accountId!;
  await deliver(t, stripe, fake.setAccountReady(accountId).event);
  await runJobs(t);
  const [k] = await addKitchens(
    t.kv,
    host.user.id,
    [kitchenFixture()],
    "published",
    {
      now: t.clock(),
    },
  );
  return {
    t,
    fake,
    stripe,
    kitchenId: k.id,
    close: async () => {
      t.close();
      await fake.close();
    },
  };
}

async function deliver(t: T, stripe: Stripe, event: Stripe.Event) {
  const signed = await signedWebhook(stripe, event, SECRET);
  const res = await t.request("/api/stripe/webhook", {
    method: "POST",
    headers: signed.headers,
    body: signed.body,
  });
  assert.equal(res.status, 200);
}

Deno.test("renter intent: with Stripe, hours waiting for documents are authorised only (manual capture), then captured on verification", async () => {
  const w = await stripeWorld();
  const { t } = w;
  try {
    const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
    const { card, coi } = await pendingWallet(t, user.id);
    const res = await post(t, "/bookings", {
      kitchen: w.kitchenId,
      ...HOURS,
      acceptRules: "yes",
      intent: "documents",
    }, { cookie });
    assert.equal(res.status, 303, await res.clone().text());
    const sessionId = res.headers.get("location")!.split("/pay/")[1];
    const session = w.fake.state.sessions.get(sessionId)!;
    const id = session.client_reference_id!;
    const paid = w.fake.completeSession(sessionId);
    assert.equal(paid.paymentIntent.status, "requires_capture");
    await deliver(t, w.stripe, paid.event);
    await runJobs(t);
    assert.equal((await booking(t, id)).waitingFor, "documents");
    assert.equal((await booking(t, id)).status, "requested");

    await decide(t, card, "verify");
    await decide(t, coi, "verify");
    const b = await booking(t, id);
    assert.equal(b.status, "confirmed");
    assert.equal(
      w.fake.state.paymentIntents.get(paid.paymentIntent.id)!.status,
      "succeeded",
    );
    const capture = w.fake.state.requests.find((r) =>
      r.path.endsWith("/capture")
    )!;
    assert.equal(capture.idempotencyKey, `booking:${id}:capture`);
    assert.equal(ledgerProblem(b), null);

    // A rejection releases the authorisation at Stripe.
    const other = await signUpConfirmed(t, "otto@example.com");
    const ow = await pendingWallet(t, other.user.id);
    const second = await post(t, "/bookings", {
      kitchen: w.kitchenId,
      date: HOURS.date,
      start: "15:00",
      end: "18:00",
      acceptRules: "yes",
      intent: "documents",
    }, { cookie: other.cookie });
    const sId = second.headers.get("location")!.split("/pay/")[1];
    const sPaid = w.fake.completeSession(sId);
    await deliver(t, w.stripe, sPaid.event);
    await runJobs(t);
    await decide(t, ow.coi, "reject", "Expired policy");
    await runJobs(t);
    assert.equal(
      w.fake.state.paymentIntents.get(sPaid.paymentIntent.id)!.status,
      "canceled",
    );
  } finally {
    await w.close();
  }
});

async function walletOf(t: T, userId: string): Promise<ComplianceDocument[]> {
  const out: ComplianceDocument[] = [];
  for await (
    const e of t.kv.list<string>({
      prefix: keys.documentsByHolderPrefix("renter", userId),
    })
  ) {
    const d = await t.kv.get<ComplianceDocument>(keys.document(e.value));
    if (d.value) out.push(d.value);
  }
  return out;
}
