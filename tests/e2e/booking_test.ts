// Booking with demo payments end to end in Chromium, with axe (WCAG 2 A/AA) on every page:
// log in → kitchen page's booking form → review → demo checkout → confirmed → the start is gone
// → a second person (without JavaScript, through "Review and book") is refused the same hours
// → cancel with a refund → trips; the review and booking pages on a 360 px phone.
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { bookingModeOf } from "../../lib/bookings/holds.ts";
import { rulePackFor } from "../../lib/compliance/rules.ts";
import { keys } from "../../lib/db/keys.ts";
import { createJobRunner } from "../../lib/jobs/runner.ts";
import { localToday } from "../../lib/kitchens/free_time.ts";
import { getKitchen } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import {
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { seedDemoData } from "../../scripts/demo/catalogue.ts";
import { DEMO_HOSTS } from "../../scripts/demo/hosts.ts";
import { giveWallet } from "../compliance_helpers.ts";
import { testApp } from "../helpers.ts";
import {
  type A11yViolation,
  axeViolations,
  formatViolations,
  markJavaScriptDisabled,
} from "./axe.ts";
import { browserTest, startServer } from "./browser.ts";

const RENTER = "renter@prep.test";
/** The demo host account: it may book other hosts' kitchens like any renter. */
const SECOND_RENTER = "host@prep.test";

/**
 * The app with the demo catalogue and demo accounts, as `deno task start`
 * runs it, behind a real server on its own loopback address (so demo
 * payments are on). Jobs run only when the test says.
 */
async function demoSite() {
  let app: { fetch: (req: Request) => Response | Promise<Response> } | null =
    null;
  const server = startServer({
    fetch: (req) => app ? app.fetch(req) : new Response(null, { status: 503 }),
  });
  const t = await testApp(Date.now(), { BASE_URL: server.baseUrl });
  app = t.app;
  assert.equal(t.config.PAYMENTS, "demo");
  assert.equal(t.config.KV_QUEUES, false, "jobs run only when the test says");
  await seedDemoData(t.kv, { now: new Date(t.clock()) });
  await seedDemoAccounts(t.kv, new Date(t.clock()));
  // The second renter is the demo host account: give it a wallet too, so it
  // is refused for the taken hours and not for missing insurance.
  await giveWallet(t.kv, DEMO_HOSTS[0].id, t.clock());
  const runner = createJobRunner(t.kv, t.services.jobs, {
    now: t.clock,
    log: () => {},
  });
  return {
    ...t,
    baseUrl: server.baseUrl,
    /** Runs due jobs until none are left (a payment's job writes emails as further jobs). */
    runJobs: async () => {
      for (let pass = 0; pass < 5; pass++) {
        if ((await runner.runDue()).ran === 0) return;
      }
    },
    close: async () => {
      await server.shutdown();
      t.close();
    },
  };
}

/**
 * A demo kitchen of another host than the demo host account's, booked
 * instantly, in a city whose rules add no conditions (the compliance browser
 * test covers those).
 */
async function kitchenToBook(kv: Deno.Kv): Promise<Kitchen> {
  const found: Kitchen[] = [];
  for (const host of DEMO_HOSTS.slice(1)) {
    const ids = kv.list<string>({ prefix: keys.kitchensByHostPrefix(host.id) });
    for await (const e of ids) {
      const k = await getKitchen(kv, e.value);
      if (
        k?.status === "published" && bookingModeOf(k) === "instant" &&
        rulePackFor(k.address.city).fees.length === 0
      ) {
        found.push(k);
      }
    }
  }
  found.sort((a, b) => a.title.localeCompare(b.title));
  assert.ok(found.length > 0, "a demo kitchen to book");
  return found[0];
}

/** Collects axe's findings over a whole visit, so one run reports every page. */
function a11yAudit() {
  const found: { where: string; violations: A11yViolation[] }[] = [];
  return {
    async check(page: Page, where: string) {
      const violations = await axeViolations(page);
      if (violations.length > 0) found.push({ where, violations });
    },
    assertClean() {
      if (found.length === 0) return;
      throw new assert.AssertionError({
        message: found.map((f) => formatViolations(f.where, f.violations))
          .join("\n\n"),
      });
    },
  };
}

/** Console errors and warnings, and uncaught page errors. */
function watchConsole(page: Page, problems: string[]) {
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") {
      const where = m.location().url;
      problems.push(`${m.type()}: ${m.text()}${where ? ` (${where})` : ""}`);
    }
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
}

async function logIn(
  page: Page,
  baseUrl: string,
  email: string,
  onLoginPage: () => Promise<void> = async () => {},
) {
  await page.goto(`${baseUrl}/login`);
  await onLoginPage();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.click("main button:has-text('Log in')");
  await page.waitForURL(/\/(account|host|admin)$/);
}

/**
 * The kitchen page's booking form (GET /bookings/new). Without JavaScript it
 * asks for a "Start" and "Hours" and says "Review and book"; the hydrated
 * island may enhance it (an "End" instead of "Hours", another button), so
 * the test finds it by where it sends and by its labels, not its wording.
 */
function bookingForm(page: Page) {
  return page.locator("form[action='/bookings/new']").first();
}

/** Opens a kitchen page; with JavaScript, waits until the island has hydrated and run its effects. */
async function openKitchenPage(page: Page, url: string, js = true) {
  await page.goto(url);
  if (!js) return;
  await page.waitForSelector("prep-island[data-hydrated]");
  // Preact runs effects after paint: two frames and a task later the form is final.
  await page.evaluate(() =>
    new Promise<void>((done) =>
      requestAnimationFrame(() =>
        requestAnimationFrame(() => setTimeout(done, 0))
      )
    )
  );
}

/** The kitchen page of the first date from ten days ahead that offers a booking form. */
async function openBookableDate(
  page: Page,
  baseUrl: string,
  kitchen: Kitchen,
  now: number,
): Promise<string> {
  const today = Temporal.PlainDate.from(localToday(kitchen.timeZone, now));
  for (let days = 10; days < 24; days++) {
    const date = today.add({ days }).toString();
    await openKitchenPage(
      page,
      `${baseUrl}/kitchens/${kitchen.id}?date=${date}`,
    );
    if (await bookingForm(page).count() > 0) return date;
  }
  throw new Error(`${kitchen.title} has no bookable date 10 to 23 days ahead`);
}

interface Picked {
  date: string;
  /** "10:30", as the form sends it. */
  start: string;
  /** "10:30 AM", as the page shows it. */
  startLabel: string;
}

/**
 * In the kitchen page's booking form: the second start offered (or the only
 * one) and the shortest booking; then the review page.
 */
async function reviewFromKitchenPage(page: Page): Promise<Picked> {
  const form = bookingForm(page);
  const date = await form.locator("input[name=date]").inputValue();
  const start = form.getByLabel("Start");
  const options = start.locator("option");
  const option = options.nth(Math.min(1, await options.count() - 1));
  const picked = {
    date,
    start: (await option.getAttribute("value"))!,
    startLabel: (await option.innerText()).trim(),
  };
  await start.selectOption(picked.start);
  const hours = form.getByLabel("Hours");
  const length = await hours.count() > 0 ? hours : form.getByLabel("End");
  await length.selectOption({ index: 0 });
  await form.locator("[type=submit]").click();
  await page.waitForURL(/\/bookings\/new\?/);
  assert.equal(await page.locator("h1").innerText(), "Review your booking");
  return picked;
}

/** Horizontal scrolling, in px, of the page as it is. */
const sideways = (page: Page) =>
  page.evaluate(() =>
    document.documentElement.scrollWidth -
    document.documentElement.clientWidth
  );

browserTest(
  "bookings: log in → kitchen → review → demo checkout → confirmed → the start is gone → a second renter gets 409 → cancel with a refund, axe-clean throughout",
  async (browser: Browser) => {
    const s = await demoSite();
    const kitchen = await kitchenToBook(s.kv);
    const audit = a11yAudit();
    const problems: string[] = [];
    const contexts: BrowserContext[] = [];
    const newPage = async (options: { javaScriptEnabled?: boolean } = {}) => {
      const context = await browser.newContext(options);
      contexts.push(context);
      const page = await context.newPage();
      if (options.javaScriptEnabled === false) markJavaScriptDisabled(page);
      watchConsole(page, problems);
      return page;
    };
    try {
      // The renter logs in.
      const page = await newPage();
      const main = page.locator("main");
      await logIn(
        page,
        s.baseUrl,
        RENTER,
        () => audit.check(page, "/login"),
      );
      await audit.check(page, "/account (renter)");

      // The kitchen page opens on its next day with free hours …
      await openKitchenPage(page, `${s.baseUrl}/kitchens/${kitchen.id}`);
      assert.equal(await page.locator("h1").innerText(), kitchen.title);
      await audit.check(page, "/kitchens/:id");
      // … and the renter books ten days or more ahead, where every policy refunds something.
      const date = await openBookableDate(page, s.baseUrl, kitchen, s.clock());
      await audit.check(page, "/kitchens/:id?date=");

      // Review.
      const pick = await reviewFromKitchenPage(page);
      assert.equal(pick.date, date);
      const reviewUrl = page.url();
      const review = await main.innerText();
      assert.match(review, new RegExp(RegExp.escape(kitchen.title)));
      assert.match(review, /Cancellation policy: /);
      assert.match(review, /House rules/);
      assert.match(
        review,
        /We hold these hours for 35 minutes while you pay\./,
      );
      await audit.check(page, "/bookings/new (review)");

      // Meanwhile a second person, without JavaScript, opens the review of the same hours
      // through the plain form ("Start", "Hours", "Review and book").
      const other = await newPage({ javaScriptEnabled: false });
      await logIn(other, s.baseUrl, SECOND_RENTER);
      await openKitchenPage(
        other,
        `${s.baseUrl}/kitchens/${kitchen.id}?date=${date}`,
        false,
      );
      await audit.check(other, "/kitchens/:id?date= (no JavaScript)");
      assert.equal(
        await bookingForm(other).getByRole("button", {
          name: "Review and book",
        }).count(),
        1,
      );
      assert.deepEqual(await reviewFromKitchenPage(other), pick);
      assert.equal(
        await other.locator("main p").first().innerText(),
        await page.locator("main p").first().innerText(),
        "the same hours",
      );
      await audit.check(other, "/bookings/new (second renter, no JavaScript)");

      // The renter accepts the house rules and goes to the demo checkout.
      await page.getByLabel(
        "I have read the house rules and will follow them.",
      ).check();
      await page.getByRole("button", { name: "Continue to payment" }).click();
      await page.waitForURL(/\/bookings\/[0-9A-Z]{26}\/pay$/);
      const bookingPath = new URL(page.url()).pathname.replace(/\/pay$/, "");
      assert.match(
        await page.getByRole("note").innerText(),
        /Demo checkout: no card is needed and nothing is charged/,
      );
      assert.equal(
        await page.locator("h1").innerText(),
        "Pay for your booking",
      );
      await audit.check(page, "/bookings/:id/pay (demo checkout)");

      // Paying confirms through the payment job; the page refreshes itself until then.
      await page.getByRole("button", { name: /^Pay .+ \(demo\)$/ }).click();
      await page.waitForURL(/\/bookings\/[0-9A-Z]{26}\?notice=paid$/);
      assert.equal(
        await page.getByTestId("status").locator("h2").innerText(),
        "Confirming your payment",
      );
      assert.doesNotMatch(await main.innerText(), /Waiting for payment/);
      await audit.check(page, "/bookings/:id?notice=paid (confirming)");
      await s.runJobs();
      await page.getByTestId("status").locator("h2", { hasText: "Confirmed" })
        .waitFor({ timeout: 10_000 });
      assert.match(await main.innerText(), /Getting in/);
      assert.match(await main.innerText(), /Receipt/);
      assert.doesNotMatch(await main.innerText(), /Confirming your payment/);
      await audit.check(page, "/bookings/:id (confirmed)");

      // Back on the kitchen page for that date, the booked start is not offered.
      await openKitchenPage(
        page,
        `${s.baseUrl}/kitchens/${kitchen.id}?date=${date}`,
      );
      const offered = await page.locator("[data-testid=slots] li > span")
        .allInnerTexts();
      assert.ok(
        !offered.map((t) => t.trim()).includes(pick.startLabel),
        `${pick.startLabel} is still offered: ${offered.join(", ")}`,
      );
      assert.equal(
        await bookingForm(page).locator(`option[value="${pick.start}"]`)
          .count(),
        0,
        `the form still offers ${pick.start}`,
      );
      await audit.check(page, "/kitchens/:id (after booking)");

      // The second person's booking of the same hours is refused.
      await other.getByLabel(
        "I have read the house rules and will follow them.",
      ).check();
      const [refused] = await Promise.all([
        other.waitForResponse((r) =>
          r.request().method() === "POST" &&
          new URL(r.url()).pathname === "/bookings"
        ),
        other.getByRole("button", { name: "Continue to payment" }).click(),
      ]);
      assert.equal(refused.status(), 409);
      await other.waitForLoadState("load");
      assert.match(
        await other.locator("main").innerText(),
        /Someone else has just booked part of that time/,
      );
      await audit.check(other, "POST /bookings (409, second renter)");

      // The renter cancels and sees the refund.
      await page.goto(`${s.baseUrl}${bookingPath}`);
      assert.match(await main.innerText(), /Cancel this booking/);
      await page.waitForSelector("prep-island[data-hydrated]");
      await page.getByRole("link", { name: "Cancel booking" }).click();
      await page.getByRole("button", { name: "Yes, cancel booking" }).click();
      await page.waitForURL(/\?notice=cancelled$/);
      const cancelled = await main.innerText();
      assert.match(cancelled, /You cancelled this booking on /);
      assert.equal(
        await page.getByTestId("status").locator("h2").textContent(),
        "Cancelled",
      );
      assert.match(cancelled, /We refunded \$[1-9][\d,]*(\.\d\d)? to the card/);
      assert.doesNotMatch(cancelled, /Cancel this booking/);
      await audit.check(page, "/bookings/:id?notice=cancelled");
      await s.runJobs();

      // The trips page lists it as cancelled.
      await page.goto(`${s.baseUrl}/bookings`);
      assert.match(
        await main.innerText(),
        new RegExp(
          `Cancelled or not booked\\s+${RegExp.escape(kitchen.title)}`,
        ),
      );
      await audit.check(page, "/bookings (trips)");

      // On a 360 px phone: the review (of the hours, free again) and the booking page.
      await page.setViewportSize({ width: 360, height: 740 });
      for (
        const [where, url] of [
          ["/bookings/new (360 px)", reviewUrl],
          ["/bookings/:id (360 px)", `${s.baseUrl}${bookingPath}`],
        ]
      ) {
        const res = await page.goto(url);
        assert.equal(res?.status(), 200, where);
        assert.equal(await sideways(page), 0, `${where} scrolls sideways`);
        await audit.check(page, where);
      }

      // Browsers log a failed top-level load: only the 409 the test asked for may appear.
      const expected = new RegExp(
        `^error: Failed to load resource: the server responded with a status of 409 \\(Conflict\\) \\(${
          RegExp.escape(s.baseUrl)
        }/bookings\\)$`,
      );
      assert.deepEqual(problems.filter((p) => !expected.test(p)), []);
      audit.assertClean();
    } finally {
      for (const c of contexts) await c.close();
      await s.close();
    }
  },
);

/** The demo host account's request-to-book kitchen. */
async function requestKitchen(kv: Deno.Kv): Promise<Kitchen> {
  const ids = kv.list<string>({
    prefix: keys.kitchensByHostPrefix(DEMO_HOSTS[0].id),
  });
  for await (const e of ids) {
    const k = await getKitchen(kv, e.value);
    if (k?.status === "published" && bookingModeOf(k) === "request") return k;
  }
  throw new Error("the demo host has no request-to-book kitchen");
}

browserTest(
  "bookings: request-to-book → the host accepts on /host/bookings → the renter sees it confirmed, axe-clean",
  async (browser: Browser) => {
    const s = await demoSite();
    const kitchen = await requestKitchen(s.kv);
    const audit = a11yAudit();
    const problems: string[] = [];
    const contexts: BrowserContext[] = [];
    const newPage = async () => {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      watchConsole(page, problems);
      return page;
    };
    try {
      const renter = await newPage();
      await logIn(renter, s.baseUrl, RENTER);
      await openBookableDate(renter, s.baseUrl, kitchen, s.clock());
      await reviewFromKitchenPage(renter);
      await renter.getByLabel(
        "I have read the house rules and will follow them.",
      ).check();
      await renter.getByRole("button", { name: "Request to book" }).click();
      await renter.waitForURL(/\/bookings\/[0-9A-Z]{26}\/pay$/);
      const bookingUrl = renter.url().replace(/\/pay$/, "");
      await renter.getByRole("button", { name: /^Authorise .+ \(demo\)$/ })
        .click();
      await renter.waitForURL(/\?notice=paid$/);
      await s.runJobs();
      await renter.goto(bookingUrl);
      assert.equal(
        await renter.getByTestId("status").locator("h2").innerText(),
        "Request sent: waiting for the host",
      );
      await audit.check(renter, "/bookings/:id (requested)");

      // The host answers from their bookings page.
      const host = await newPage();
      await logIn(host, s.baseUrl, SECOND_RENTER);
      await host.goto(`${s.baseUrl}/host/bookings`);
      const request = host.locator("li", {
        hasText: "Request: waiting for your answer",
      });
      assert.equal(await request.count(), 1);
      await audit.check(host, "/host/bookings (a request)");
      await request.getByRole("link", { name: "See the request and answer" })
        .click();
      await host.waitForURL(/\/host\/bookings\/[0-9A-Z]{26}$/);
      await audit.check(host, "/host/bookings/:id (the request)");
      await host.getByRole("button", { name: /^Accept and charge / }).click();
      await host.waitForURL(/\/host\/bookings\/[0-9A-Z]{26}\?notice=accepted$/);
      assert.match(
        await host.locator("main").innerText(),
        /Request accepted: the renter's card is charged and the booking confirmed\./,
      );
      await audit.check(host, "/host/bookings (accepted)");
      await host.goto(`${s.baseUrl}/host/payouts`);
      await audit.check(host, "/host/payouts");

      await renter.goto(bookingUrl);
      assert.equal(
        await renter.getByTestId("status").locator("h2").innerText(),
        "Confirmed",
      );
      assert.deepEqual(problems, []);
      audit.assertClean();
    } finally {
      for (const c of contexts) await c.close();
      await s.close();
    }
  },
);
