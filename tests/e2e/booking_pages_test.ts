// Issue 17's booking journeys in Chromium, axe-clean at 1440 and 390 px on
// every page they visit:
// - request-to-book, told before paying → authorise (the hold's deadline
//   shown) → the host reads the request with the renter's details → the
//   renter withdraws it → a second request is declined with a reason the
//   renter reads;
// - a booking with its reference, address, directions and PDF receipt →
//   cancel asks first (a dialog with JavaScript, a page without) → the
//   cancelled page in the past tense → staff find it by its reference.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { extractText, getDocumentProxy } from "unpdf";
import { listMail } from "../../lib/email/mailbox.ts";
import { browserTest } from "./browser.ts";
import {
  ADMIN,
  demoSite,
  HOST,
  hydrated,
  instantKitchen,
  logIn,
  openBookableDate,
  RENTER,
  requestKitchen,
  reviewFromKitchenPage,
  visit,
} from "./journeys.ts";

const TERMS =
  "Request to book: the host has 24 hours to accept; your card is authorised now and charged only if they accept.";
const MESSAGE = "Sourdough for Saturday's market; I clean as I go.";
const REASON = "That morning is booked for a deep clean, sorry.";
const BOOKING_PATH = /\/bookings\/[0-9A-Z]{26}/;

/** The one status block of a booking page: its heading and its text. */
async function status(page: Page) {
  const block = page.getByTestId("status");
  return {
    heading: await block.locator("h2").innerText(),
    text: await block.innerText(),
  };
}

/** From a review page of a request-to-book kitchen to the requested booking's page. */
async function requestHours(
  page: Page,
  s: { runJobs: () => Promise<void> },
  message?: string,
) {
  if (message) {
    await page.getByLabel("Message to the host (optional)").fill(message);
  }
  await page.getByLabel("I have read the house rules and will follow them.")
    .check();
  await page.getByRole("button", { name: "Request to book" }).click();
  await page.waitForURL(/\/bookings\/[0-9A-Z]{26}\/pay$/);
  const path = new URL(page.url()).pathname.replace(/\/pay$/, "");
  await page.getByRole("button", { name: /^Authorise .+ \(demo\)$/ }).click();
  await page.waitForURL(/\?notice=paid$/);
  await s.runJobs();
  await page.goto(new URL(path, page.url()).href);
  return path;
}

browserTest(
  "booking pages: request-to-book is told before paying → authorise → the host reads the request → the renter withdraws it → a second one is declined with a reason, axe-clean at 1440 and 390 px",
  async (browser: Browser) => {
    const s = await demoSite();
    const kitchen = await requestKitchen(s.kv);
    const v = visit(browser);
    try {
      const renter = await v.newPage();
      const main = renter.locator("main");
      await logIn(renter, s.baseUrl, RENTER);

      // The kitchen page and its picker say what request-to-book means.
      await openBookableDate(renter, s.baseUrl, kitchen, s.clock());
      assert.equal(
        await renter.getByTestId("request-terms").innerText(),
        TERMS,
      );
      assert.equal(await renter.getByTestId("picker-terms").innerText(), TERMS);
      await v.check(renter, "/kitchens/:id (request to book)");
      await reviewFromKitchenPage(renter);
      assert.equal(
        await renter.getByTestId("request-terms").innerText(),
        TERMS,
      );
      await v.check(renter, "/bookings/new (request to book)");

      // The payment step: the terms again, and until when the hours are held.
      await renter.getByLabel("Message to the host (optional)").fill(MESSAGE);
      await renter.getByLabel(
        "I have read the house rules and will follow them.",
      ).check();
      await renter.getByRole("button", { name: "Request to book" }).click();
      await renter.waitForURL(/\/bookings\/[0-9A-Z]{26}\/pay$/);
      const first = new URL(renter.url()).pathname.replace(/\/pay$/, "");
      await hydrated(renter);
      assert.equal(
        await renter.locator("h1").innerText(),
        "Authorise your card",
      );
      assert.equal(
        await renter.getByTestId("request-terms").innerText(),
        TERMS,
      );
      assert.match(
        await renter.getByTestId("hold-deadline").innerText(),
        /^Held for you until \d{1,2}:\d\d\s[AP]M [A-Z]{2,5} \((3[45]|3\d) minutes left\)\. After that the hours are released for others to book\.$/,
      );
      await v.check(renter, "/bookings/:id/pay (authorise)");
      await renter.getByRole("button", { name: /^Authorise .+ \(demo\)$/ })
        .click();
      await renter.waitForURL(/\?notice=paid$/);

      // One status block while the payment is confirmed: never "Waiting for payment" beside it.
      const confirming = await status(renter);
      assert.equal(confirming.heading, "Confirming your payment");
      assert.doesNotMatch(await main.innerText(), /Waiting for payment/);
      await v.check(renter, "/bookings/:id?notice=paid (confirming)");
      await s.runJobs();
      await renter.goto(`${s.baseUrl}${first}`);
      await hydrated(renter);
      const requested = await status(renter);
      assert.equal(requested.heading, "Request sent: waiting for the host");
      assert.match(
        requested.text,
        /The host has until \w{3}, \w{3} \d{1,2}, \d{1,2}:\d\d\s[AP]M [A-Z]{2,5} \((23|24) hours left\) to accept\./,
      );
      assert.match(requested.text, /charged only if the host accepts/);
      assert.match(
        await renter.getByTestId("reference").innerText(),
        /^PRP-[0-9A-Z]{4}-[0-9A-Z]{2}$/,
      );
      await v.check(renter, "/bookings/:id (requested)");

      // The host reads the request: who, their business, their documents, their message.
      const host = await v.newPage();
      await logIn(host, s.baseUrl, HOST);
      await host.goto(`${s.baseUrl}/host/bookings`);
      await v.check(host, "/host/bookings (a request)");
      await host.getByRole("link", { name: "See the request and answer" })
        .click();
      await host.waitForURL(/\/host\/bookings\/[0-9A-Z]{26}$/);
      const request = await host.locator("main").innerText();
      assert.equal(
        await host.locator("h1").innerText(),
        "Request from Rosa Renter",
      );
      assert.match(request, /Rosa's Tamales/);
      assert.match(request, /No bookings on Prep yet\./);
      assert.match(
        await host.getByTestId("documents").innerText(),
        /Food handler card, valid until \w+day, \w+ \d{1,2}, \d{4}/i,
      );
      assert.equal(await host.getByTestId("message").innerText(), MESSAGE);
      await v.check(host, "/host/bookings/:id (the request)");

      // The renter changes their mind.
      await renter.getByRole("button", { name: "Withdraw request" }).click();
      await renter.waitForURL(/\?notice=withdrawn$/);
      const withdrawn = await status(renter);
      assert.equal(withdrawn.heading, "Request withdrawn");
      assert.match(
        withdrawn.text,
        /You withdrew this request on .+\. The card was not charged, and the authorisation of \$[\d,.]+ is released/,
      );
      assert.equal(
        await renter.getByRole("link", {
          name: "Find other hours at this kitchen",
        }).count(),
        1,
      );
      await v.check(renter, "/bookings/:id?notice=withdrawn");
      await s.runJobs();
      const subjects = (await listMail(s.kv)).map((m) =>
        `${m.to} ${m.subject}`
      );
      assert.ok(
        subjects.includes(`${RENTER} Request withdrawn: ${kitchen.title}`),
        subjects.join("\n"),
      );
      assert.ok(
        subjects.includes(`${HOST} Request withdrawn: ${kitchen.title}`),
        subjects.join("\n"),
      );
      await host.reload();
      assert.match(
        await host.locator("main").innerText(),
        /Withdrawn by the renter/,
      );
      assert.equal(
        await host.getByRole("button", { name: "Decline" }).count(),
        0,
      );

      // The hours are free again: the renter asks once more, and the host declines with a reason.
      await openBookableDate(renter, s.baseUrl, kitchen, s.clock());
      await reviewFromKitchenPage(renter);
      const second = await requestHours(renter, s);
      assert.notEqual(second, first);
      await host.goto(
        `${s.baseUrl}/host/bookings${second.slice("/bookings".length)}`,
      );
      assert.match(
        await host.locator("main").innerText(),
        /No message with this request\./,
      );
      await host.getByLabel("Reason for declining (optional)").fill(REASON);
      await host.getByRole("button", { name: "Decline" }).click();
      await host.waitForURL(/\?notice=declined$/);
      await v.check(host, "/host/bookings/:id?notice=declined");
      await s.runJobs();
      await renter.goto(`${s.baseUrl}${second}`);
      const declined = await status(renter);
      assert.equal(declined.heading, "Declined by the host");
      assert.match(
        declined.text,
        // In a <q>: the browser draws the quotation marks.
        new RegExp(`The host wrote: ${RegExp.escape(REASON)}`),
      );
      await v.check(renter, "/bookings/:id (declined)");
      const email = (await listMail(s.kv)).find((m) =>
        m.to === RENTER && m.subject === `Request declined: ${kitchen.title}`
      );
      assert.ok(email, "the renter is emailed the decline");
      assert.match(email.text, new RegExp(RegExp.escape(REASON)));

      await renter.goto(`${s.baseUrl}/bookings`);
      assert.match(
        await renter.locator("main").innerText(),
        /Request withdrawn/,
      );
      await v.check(renter, "/bookings (trips)");
      v.assertClean();
    } finally {
      await v.close();
      await s.close();
    }
  },
);

browserTest(
  "booking pages: reference, address, directions and receipt → cancel asks first (a dialog with JavaScript, a page without) → cancelled in the past tense → staff find it by reference, axe-clean at 1440 and 390 px",
  async (browser: Browser) => {
    const s = await demoSite();
    const kitchen = await instantKitchen(s.kv);
    const v = visit(browser);
    try {
      const renter = await v.newPage();
      const main = renter.locator("main");
      await logIn(renter, s.baseUrl, RENTER);
      await openBookableDate(renter, s.baseUrl, kitchen, s.clock());
      await reviewFromKitchenPage(renter);
      await renter.getByLabel(
        "I have read the house rules and will follow them.",
      ).check();
      await renter.getByRole("button", { name: "Continue to payment" }).click();
      await renter.waitForURL(/\/bookings\/[0-9A-Z]{26}\/pay$/);
      const path = new URL(renter.url()).pathname.replace(/\/pay$/, "");
      assert.match(
        await renter.getByTestId("hold-deadline").innerText(),
        /^Held for you until \d{1,2}:\d\d\s[AP]M [A-Z]{2,5}/,
      );
      await renter.getByRole("button", { name: /^Pay .+ \(demo\)$/ }).click();
      await renter.waitForURL(/\?notice=paid$/);
      await s.runJobs();
      await renter.goto(`${s.baseUrl}${path}`);
      await hydrated(renter);

      // The confirmed booking: its reference, where it is and how to get there, its receipt.
      assert.equal((await status(renter)).heading, "Confirmed");
      const reference = await renter.getByTestId("reference").innerText();
      assert.match(reference, /^PRP-[0-9A-Z]{4}-[0-9A-Z]{2}$/);
      const address = await renter.getByTestId("address").innerText();
      assert.ok(address.startsWith(kitchen.address.line1), address);
      assert.match(
        address,
        new RegExp(`, ${kitchen.address.state} ${kitchen.address.postalCode}$`),
      );
      const directions = new URL(
        (await renter.getByRole("link", { name: /^Directions/ })
          .getAttribute("href"))!,
      );
      assert.equal(directions.origin, "https://www.google.com");
      assert.equal(directions.searchParams.get("destination"), address);
      const [download] = await Promise.all([
        renter.waitForEvent("download"),
        renter.getByRole("link", { name: "Download the receipt (PDF)" })
          .click(),
      ]);
      assert.equal(
        download.suggestedFilename(),
        `Prep-receipt-${reference}.pdf`,
      );
      const pdf = await Deno.readFile((await download.path())!);
      const { text } = await extractText(await getDocumentProxy(pdf), {
        mergePages: true,
      });
      assert.match(text, new RegExp(`Receipt for booking ${reference}`));
      assert.match(text, new RegExp(RegExp.escape(kitchen.title)));
      assert.match(text, /Total charged/);

      // What cancelling now gives back, said before anyone clicks.
      const offer = await renter.getByTestId("cancel").innerText();
      const sentence = offer.match(
        /If you cancel now you get (\$[\d,.]+) back \((Flexible|Moderate|Strict) policy: [^)]+\)\./,
      );
      assert.ok(sentence, offer);
      const amount = sentence[1];
      await v.check(renter, "/bookings/:id (confirmed)");

      // With JavaScript, Cancel opens a dialog that names the refund and when it arrives.
      await renter.getByRole("link", { name: "Cancel booking" }).click();
      const dialog = renter.getByRole("dialog", {
        name: "Cancel this booking?",
      });
      await dialog.waitFor();
      assert.match(
        await dialog.innerText(),
        new RegExp(
          `You get ${
            RegExp.escape(amount)
          } back to the card you paid with\\. Refunds reach the card in 5 to 10 business days\\.`,
        ),
      );
      assert.equal(new URL(renter.url()).pathname, path, "no page change");
      // Focus starts on keeping it: Enter straight away cancels nothing.
      assert.equal(
        await renter.evaluate(() => document.activeElement?.textContent),
        "Keep my booking",
      );
      await v.check(renter, "/bookings/:id (cancel dialog open)");
      await dialog.getByRole("button", { name: "Keep my booking" }).click();
      await dialog.waitFor({ state: "hidden" });
      assert.equal((await status(renter)).heading, "Confirmed");
      await renter.getByRole("link", { name: "Cancel booking" }).click();
      await dialog.getByRole("button", { name: "Yes, cancel booking" }).click();
      await renter.waitForURL(/\?notice=cancelled$/);

      // The cancelled page says what happened, in the past tense.
      const cancelled = await status(renter);
      assert.equal(cancelled.heading, "Cancelled");
      assert.match(
        cancelled.text,
        /You cancelled this booking on .+\. Cancelled /,
      );
      assert.match(
        cancelled.text,
        new RegExp(
          `We refunded ${
            RegExp.escape(amount)
          } to the card you paid with; refunds reach the card in 5 to 10 business days\\.`,
        ),
      );
      assert.doesNotMatch(await main.innerText(), /If you cancel now/);
      await v.check(renter, "/bookings/:id?notice=cancelled");
      await s.runJobs();

      // Without JavaScript the same question is a page of its own.
      const plain = await v.newPage({ javaScriptEnabled: false });
      await logIn(plain, s.baseUrl, HOST);
      await openBookableDate(plain, s.baseUrl, kitchen, s.clock(), 12, false);
      await reviewFromKitchenPage(plain);
      await plain.getByLabel(
        "I have read the house rules and will follow them.",
      ).check();
      await plain.getByRole("button", { name: "Continue to payment" }).click();
      await plain.waitForURL(/\/pay$/);
      const plainPath = new URL(plain.url()).pathname.replace(/\/pay$/, "");
      await plain.getByRole("button", { name: /^Pay .+ \(demo\)$/ }).click();
      await plain.waitForURL(/\?notice=paid$/);
      await s.runJobs();
      await plain.goto(`${s.baseUrl}${plainPath}`);
      await v.check(plain, "/bookings/:id (confirmed, no JavaScript)");
      await plain.getByRole("link", { name: "Cancel booking" }).click();
      await plain.waitForURL(/\/cancel$/);
      assert.equal(
        await plain.locator("h1").innerText(),
        "Cancel this booking?",
      );
      assert.match(
        await plain.locator("main").innerText(),
        /You get \$[\d,.]+ back to the card you paid with\. Refunds reach the card in 5 to 10 business days\./,
      );
      await v.check(plain, "/bookings/:id/cancel (no JavaScript)");
      await plain.getByRole("link", { name: "Keep my booking" }).click();
      await plain.waitForURL(BOOKING_PATH);
      assert.equal((await status(plain)).heading, "Confirmed");
      await plain.getByRole("link", { name: "Cancel booking" }).click();
      await plain.getByRole("button", { name: "Yes, cancel booking" }).click();
      await plain.waitForURL(/\?notice=cancelled$/);
      assert.equal((await status(plain)).heading, "Cancelled");
      await v.check(plain, "/bookings/:id?notice=cancelled (no JavaScript)");

      // Staff find the first booking by its reference, typed as said on the phone.
      const admin = await v.newPage();
      await logIn(admin, s.baseUrl, ADMIN);
      await admin.goto(`${s.baseUrl}/admin/bookings`);
      await admin.getByLabel("Booking reference, id or email").fill(
        reference.toLowerCase().replaceAll("-", " "),
      );
      await admin.getByRole("button", { name: "Find bookings" }).click();
      await admin.waitForURL(/\?q=/);
      await v.check(admin, "/admin/bookings?q=(reference)");
      await admin.getByRole("link", { name: reference }).click();
      await admin.waitForURL(/\/admin\/bookings\/[0-9A-Z]{26}$/);
      assert.equal(
        await admin.locator("h1").innerText(),
        `Booking ${reference} at Allston Night Kitchen`,
      );
      await v.check(admin, "/admin/bookings/:id");
      // The receipt now shows the refund.
      const res = await admin.request.get(`${s.baseUrl}${path}/receipt.pdf`);
      assert.equal(res.status(), 200);
      const after = await extractText(
        await getDocumentProxy(new Uint8Array(await res.body())),
        { mergePages: true },
      );
      assert.match(after.text, /Refunds/);
      assert.match(after.text, /Paid after refunds/);
      v.assertClean();
    } finally {
      await v.close();
      await s.close();
    }
  },
);
