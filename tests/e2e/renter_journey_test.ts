// A brand-new renter's first booking in Chromium, never picking the hours twice (issue 17,
// "Done means"): search → a kitchen → pick hours → log in → "Create an account" → sign up →
// the confirmation email opened in another tab → back on the review of those hours → the
// account page's "Continue your booking" → upload the documents → back on the review →
// "Request these hours" (demo checkout, card only authorised) → staff verify both documents
// → confirmed. axe (WCAG 2 A/AA) on every page, at 1440×900 and at 390×844.
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { bookingModeOf } from "../../lib/bookings/holds.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { rulePackFor } from "../../lib/compliance/rules.ts";
import { keys } from "../../lib/db/keys.ts";
import { createJobRunner } from "../../lib/jobs/runner.ts";
import { localToday } from "../../lib/kitchens/free_time.ts";
import { getKitchen, isListed } from "../../lib/kitchens/repo.ts";
import {
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { seedDemoData } from "../../scripts/demo/catalogue.ts";
import { testApp } from "../helpers.ts";
import { makePdf } from "../pdf_fixtures.ts";
import { type A11yViolation, axeViolations, formatViolations } from "./axe.ts";
import { browserTest, startServer } from "./browser.ts";

const CITY = "chicago";
const NAME = "Rosa Diaz";
const EMAIL = "rosa.diaz@example.com";
const PASSWORD = "tamales every saturday";
const WIDE = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
/** Set to a directory to keep a screenshot of every page at both widths. */
const SHOTS = Deno.env.get("E2E_SHOTS_DIR");

async function demoSite() {
  let app: { fetch: (req: Request) => Response | Promise<Response> } | null =
    null;
  const server = startServer({
    fetch: (req) => app ? app.fetch(req) : new Response(null, { status: 503 }),
  });
  const t = await testApp(Date.now(), { BASE_URL: server.baseUrl });
  app = t.app;
  assert.equal(t.config.PAYMENTS, "demo");
  await seedDemoData(t.kv, { now: new Date(t.clock()) });
  await seedDemoAccounts(t.kv, new Date(t.clock()));
  const runner = createJobRunner(t.kv, t.services.jobs, {
    now: t.clock,
    log: () => {},
  });
  return {
    ...t,
    baseUrl: server.baseUrl,
    /** Runs due jobs until none are left (a decision's job writes emails as further jobs). */
    runJobs: async () => {
      for (let pass = 0; pass < 6; pass++) {
        if ((await runner.runDue()).ran === 0) return;
      }
    },
    close: async () => {
      await server.shutdown();
      t.close();
    },
  };
}

/** axe at both widths on every page, findings collected so one run reports them all. */
function a11yAudit() {
  const found: { where: string; violations: A11yViolation[] }[] = [];
  let shot = 0;
  return {
    /** `wide`: the page may scroll sideways on a phone (staff pages are not this test's). */
    async check(page: Page, where: string, opts: { wide?: boolean } = {}) {
      for (const [label, size] of [["1440", WIDE], ["390", PHONE]] as const) {
        await page.setViewportSize(size);
        const violations = await axeViolations(page);
        if (violations.length > 0) {
          found.push({ where: `${where} at ${label} px`, violations });
        }
        const sideways = await page.evaluate(() =>
          document.documentElement.scrollWidth -
          document.documentElement.clientWidth
        );
        if (!opts.wide) {
          assert.equal(sideways, 0, `${where} scrolls sideways at ${label} px`);
        }
        if (SHOTS) {
          const name = `${String(++shot).padStart(2, "0")}-${
            where.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")
          }-${label}.png`;
          await page.screenshot({ path: `${SHOTS}/${name}`, fullPage: true });
        }
      }
      await page.setViewportSize(WIDE);
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

function watchConsole(page: Page, problems: string[]) {
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") {
      problems.push(`${m.type()}: ${m.text()}`);
    }
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
}

/** Waits until the island has hydrated and run its effects. */
async function hydrated(page: Page) {
  await page.waitForSelector("prep-island[data-hydrated]");
  await page.evaluate(() =>
    new Promise<void>((done) =>
      requestAnimationFrame(() =>
        requestAnimationFrame(() => setTimeout(done, 0))
      )
    )
  );
}

/**
 * In the kitchen page's picker: a date from ten days ahead with free hours
 * (typed in the date field, "Show hours"), its second start and shortest
 * end, then "Book". What was picked, as the review URL must carry it.
 */
async function pickHours(page: Page, timeZone: string, now: number) {
  const today = Temporal.PlainDate.from(localToday(timeZone, now));
  const book = page.locator("form[data-testid=book]");
  for (let days = 10; days < 24; days++) {
    const date = today.add({ days }).toString();
    await Promise.all([
      page.waitForResponse((r) =>
        r.url().includes(`/availability?date=${date}`)
      ),
      (async () => {
        await page.getByLabel("Date", { exact: true }).fill(date);
        await page.getByRole("button", { name: "Show hours" }).click();
      })(),
    ]);
    await hydrated(page);
    if (
      await book.count() === 0 ||
      await book.locator("input[name=date]").inputValue() !== date
    ) continue;
    const start = book.getByLabel("Start");
    const options = start.locator("option");
    const value = await options.nth(Math.min(1, await options.count() - 1))
      .getAttribute("value");
    await start.selectOption(value!);
    await hydrated(page);
    const end = book.getByLabel("End");
    await end.selectOption({ index: 0 });
    return {
      date,
      start: value!,
      end: await end.inputValue(),
      book: book.getByRole("button", { name: "Book" }),
    };
  }
  throw new Error("no bookable date 10 to 23 days ahead");
}

/** Fills a field of the upload's details step when the PDF did not. */
async function fillIfEmpty(page: Page, label: RegExp, value: string) {
  const field = page.locator("main form#upload").getByLabel(label);
  if (!(await field.inputValue())) await field.fill(value);
}

browserTest(
  "renter journey: search → sign up → confirm in another tab → upload documents → Request these hours → staff verify → confirmed, never re-picking, axe-clean at 1440 and 390 px",
  async (browser: Browser) => {
    const s = await demoSite();
    const audit = a11yAudit();
    const problems: string[] = [];
    const contexts: BrowserContext[] = [];
    const newContext = async () => {
      const context = await browser.newContext({ viewport: WIDE });
      contexts.push(context);
      return context;
    };
    try {
      const renterContext = await newContext();
      const page = await renterContext.newPage();
      watchConsole(page, problems);
      const main = page.locator("main");

      // A visitor searches Chicago from the header.
      await page.goto(`${s.baseUrl}/`);
      await audit.check(page, "/");
      await page.getByLabel("City", { exact: true }).first().selectOption(CITY);
      await page.locator("header").getByRole("button", { name: "Search" })
        .click();
      await page.waitForURL(/\/search\?/);
      await audit.check(page, "/search");
      // The first result that books instantly.
      const hrefs = await main.locator("a[href^='/kitchens/']")
        .evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
      let kitchen = null;
      for (const href of new Set(hrefs)) {
        const k = await getKitchen(s.kv, href.split("/")[2]);
        if (
          k && isListed(k) && bookingModeOf(k) === "instant" &&
          rulePackFor(k.address.city).fees.length === 0
        ) {
          kitchen = k;
          break;
        }
      }
      assert.ok(kitchen, "an instant kitchen among the first results");
      await main.locator(`a[href='/kitchens/${kitchen.id}']`).first().click();
      await page.waitForURL(new RegExp(`/kitchens/${kitchen.id}`));
      await hydrated(page);
      await audit.check(page, "/kitchens/:id");

      // The visitor picks hours once, and is asked to log in.
      const picked = await pickHours(page, kitchen.timeZone, s.clock());
      await picked.book.click();
      await page.waitForURL(/\/login\?next=/);
      assert.match(
        await main.innerText(),
        /we will take you straight back to where you were/,
      );
      await audit.check(page, "/login?next=");

      // "Create an account" keeps the way back.
      await main.getByRole("link", { name: "Create an account" }).click();
      await page.waitForURL(/\/signup\?next=/);
      assert.match(await main.innerText(), /brings you straight back/);
      await audit.check(page, "/signup?next=");
      await page.getByLabel("Your name").fill(NAME);
      await page.getByLabel("Email", { exact: true }).fill(EMAIL);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.check("input[name=intent][value=rent]");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL(/\/signup\/sent$/);
      await audit.check(page, "/signup/sent");

      // The email, opened in another tab.
      await s.runJobs();
      const tab = await renterContext.newPage();
      watchConsole(tab, problems);
      await tab.goto(`${s.baseUrl}/dev/mailbox`);
      await tab.locator("main li a", { hasText: "Confirm your email for Prep" })
        .click();
      await tab.locator(`pre a[href^="${s.baseUrl}/verify-email?token="]`)
        .click();
      await tab.waitForURL(/\/verify-email\?token=/);
      await audit.check(tab, "/verify-email");
      await tab.getByRole("button", { name: "Confirm my email address" })
        .click();
      await tab.waitForURL(/\/bookings\/new\?.*notice=verified/);
      // Back on the review of exactly the hours picked.
      const back = new URL(tab.url()).searchParams;
      assert.deepEqual(
        ["kitchen", "date", "start", "end"].map((k) => back.get(k)),
        [kitchen.id, picked.date, picked.start, picked.end],
      );
      const tabMain = tab.locator("main");
      assert.match(
        await tabMain.innerText(),
        /Your email address is confirmed/,
      );
      assert.match(
        await tabMain.innerText(),
        /The city's rules do not allow this booking/,
      );
      assert.match(
        await tabMain.innerText(),
        /Your documents for this booking/,
      );
      const reviewUrl = tab.url().replace(/&notice=verified$/, "");
      await audit.check(tab, "/bookings/new (documents missing)");

      // The account page offers the way back too.
      await tab.locator("header").getByRole("link", { name: NAME }).click();
      await tab.waitForURL(/\/account$/);
      const card = tabMain.locator("section[aria-labelledby=continue-booking]");
      assert.match(
        await card.innerText(),
        new RegExp(
          `Continue your booking at ${
            RegExp.escape(kitchen.title)
          }, \\w{3}, \\w{3} \\d{1,2}, \\d{1,2}:\\d\\d [AP]M - \\d{1,2}:\\d\\d [AP]M`,
        ),
      );
      await audit.check(tab, "/account (continue your booking)");
      await card.getByRole("link", { name: "Continue your booking" }).click();
      await tab.waitForURL((u) => u.href === reviewUrl);

      // To the documents, which say what this booking needs.
      await tabMain.getByRole("link", { name: "Add or update your documents" })
        .click();
      await tab.waitForURL(/\/account\/compliance$/);
      assert.match(await tabMain.innerText(), /What this booking needs/);
      await audit.check(tab, "/account/compliance (continue your booking)");

      const expiry = `${Number(picked.date.slice(0, 4)) + 2}`;
      await tab.getByLabel("Type", { exact: true }).selectOption(
        "food_handler_card",
      );
      await tab.getByLabel(/^File/).setInputFiles({
        name: "food-handler-card.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(
          await makePdf([
            "CITY OF CHICAGO",
            "Food Handler Card",
            "Certificate No. FH-778812",
            "Issue Date: 01/15/2026",
            `Expiration Date: 01/15/${expiry}`,
          ]),
        ),
      });
      await tab.getByRole("button", { name: "Continue" }).click();
      await tab.waitForLoadState("load");
      await fillIfEmpty(tab, /Document number/, "FH-778812");
      await fillIfEmpty(tab, /Issuing authority/, "City of Chicago");
      await fillIfEmpty(tab, /Issue date/, "2026-01-15");
      await fillIfEmpty(tab, /Expiry date/, `${expiry}-01-15`);
      await audit.check(tab, "/account/compliance (check the details)");
      await tab.getByRole("button", { name: "Send for review" }).click();
      // One of two on file: the wallet says what is still missing.
      // (The form posts to #upload, and the browser keeps that fragment.)
      await tab.waitForURL(/\/account\/compliance\?notice=uploaded(#upload)?$/);
      assert.match(await tabMain.innerText(), /In review/);
      assert.match(await tabMain.innerText(), /Missing/);
      await audit.check(tab, "/account/compliance?notice=uploaded");

      await tab.getByLabel("Type", { exact: true }).selectOption(
        "liability_insurance",
      );
      await tab.getByLabel(/^File/).setInputFiles({
        name: "coi.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(
          await makePdf([
            "CERTIFICATE OF LIABILITY INSURANCE",
            "Certificate No. CGL-90210",
            "Insurer: Lakeshore Casualty Company",
            "Policy effective 01/01/2026",
            `Policy expiration 12/31/${expiry}`,
            "EACH OCCURRENCE\t$1,000,000",
            "GENERAL AGGREGATE\t$2,000,000",
            "Named insured: Rosa's Tamales LLC",
          ]),
        ),
      });
      await tab.getByRole("button", { name: "Continue" }).click();
      await tab.waitForLoadState("load");
      await fillIfEmpty(tab, /Document number/, "CGL-90210");
      await fillIfEmpty(tab, /Issuing authority/, "Lakeshore Casualty Company");
      await fillIfEmpty(tab, /Issue date/, "2026-01-01");
      await fillIfEmpty(tab, /Expiry date/, `${expiry}-12-31`);
      await fillIfEmpty(tab, /Per-occurrence/i, "1000000");
      await fillIfEmpty(tab, /Aggregate/i, "2000000");
      await fillIfEmpty(tab, /Named insured/i, "Rosa's Tamales LLC");
      await tab.getByRole("button", { name: "Send for review" }).click();

      // Both on file: back on the review, which offers to request the hours.
      await tab.waitForURL(/\/bookings\/new\?.*notice=uploaded/);
      assert.equal(
        tab.url().replace(/&notice=uploaded(#upload)?$/, ""),
        reviewUrl,
      );
      const review = await tabMain.innerText();
      assert.match(review, /Your documents are being checked/);
      assert.match(review, /usually within a working day/);
      assert.doesNotMatch(review, /rules do not allow this booking/);
      await audit.check(tab, "/bookings/new (documents in review)");
      const conditions = tabMain.locator("input[name='acknowledge']");
      for (let i = 0; i < await conditions.count(); i++) {
        await conditions.nth(i).check();
      }
      await tab.getByLabel("I have read the house rules and will follow them.")
        .check();
      await tab.getByRole("button", { name: "Request these hours" }).click();
      await tab.waitForURL(/\/bookings\/[0-9A-Z]{26}\/pay$/);
      const bookingUrl = tab.url().replace(/\/pay$/, "");
      const bookingId = bookingUrl.split("/").pop()!;
      assert.match(
        await tabMain.innerText(),
        /Your card is only authorised now/,
      );
      await audit.check(tab, "/bookings/:id/pay (authorise)");
      await tab.getByRole("button", { name: /^Authorise .+ \(demo\)$/ })
        .click();
      await tab.waitForURL(/\/bookings\/[0-9A-Z]{26}\?notice=paid$/);
      await s.runJobs();
      await tab.goto(bookingUrl);
      assert.equal(
        await tab.locator("[data-testid=status] h2").textContent(),
        "Your documents are being checked",
      );
      assert.match(await tabMain.innerText(), /We are holding these hours/);
      await audit.check(tab, "/bookings/:id (documents being checked)");

      // Staff verify both documents from the queue.
      const staffContext = await newContext();
      const staff = await staffContext.newPage();
      watchConsole(staff, problems);
      await staff.goto(`${s.baseUrl}/login`);
      await staff.getByLabel("Email", { exact: true }).fill("admin@prep.test");
      await staff.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
      await staff.click("main button:has-text('Log in')");
      await staff.waitForURL(/\/admin$/);
      for (const kind of ["Food handler card", "Liability insurance"]) {
        await staff.goto(`${s.baseUrl}/admin/documents`);
        const row = staff.locator("main tr", { hasText: NAME }).filter({
          hasText: kind,
        });
        assert.equal(await row.count(), 1, kind);
        if (kind === "Food handler card") {
          await audit.check(staff, "/admin/documents", { wide: true });
        }
        await row.getByRole("link", { name: "Review" }).click();
        await staff.waitForURL(/\/admin\/documents\/[0-9A-Z]{26}$/);
        if (kind === "Food handler card") {
          await audit.check(staff, "/admin/documents/:id", { wide: true });
        }
        await staff.click("main button:has-text('Verify')");
        await staff.waitForLoadState("load");
        await s.runJobs();
      }

      // Confirmed, for the hours picked at the start.
      await tab.goto(bookingUrl);
      assert.equal(
        await tab.locator("[data-testid=status] h2").textContent(),
        "Confirmed",
      );
      assert.match(await tabMain.innerText(), /Getting in/);
      await audit.check(tab, "/bookings/:id (confirmed)");
      const stored = (await s.kv.get<Booking>(keys.booking(bookingId))).value!;
      assert.equal(stored.status, "confirmed");
      assert.deepEqual(
        [
          stored.kitchenId,
          stored.localDate,
          stored.localStart,
          stored.localEnd,
        ],
        [kitchen.id, picked.date, picked.start, picked.end],
        "never re-picked",
      );
      await tab.locator("header").getByRole("link", { name: /Notifications/ })
        .click();
      await tab.waitForURL(/\/account\/notifications$/);
      assert.match(
        await tabMain.innerText(),
        new RegExp(
          `Your booking at ${RegExp.escape(kitchen.title)} is confirmed`,
        ),
      );
      await audit.check(tab, "/account/notifications");

      assert.deepEqual(problems, []);
      audit.assertClean();
    } finally {
      for (const c of contexts) await c.close();
      await s.close();
    }
  },
);
