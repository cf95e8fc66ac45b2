// What the booking journeys share in Chromium: the demo site behind a real
// server (demo payments on, jobs run when the test says), axe at both widths
// on every page, console watching, logging in and picking hours as a person
// would.
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
import { startServer } from "./browser.ts";

export const RENTER = "renter@prep.test";
/** The demo host account (host of DEMO_HOSTS[0]); it may book other hosts' kitchens. */
export const HOST = "host@prep.test";
export const ADMIN = "admin@prep.test";

export const WIDE = { width: 1440, height: 900 };
export const NARROW = { width: 390, height: 844 };

/** The demo catalogue and accounts behind a real loopback server (demo payments on). */
export async function demoSite() {
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
  await giveWallet(t.kv, DEMO_HOSTS[0].id, t.clock());
  const runner = createJobRunner(t.kv, t.services.jobs, {
    now: t.clock,
    log: () => {},
  });
  return {
    ...t,
    baseUrl: server.baseUrl,
    /** Runs due jobs until none are left (a job's emails are further jobs). */
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
export type DemoSite = Awaited<ReturnType<typeof demoSite>>;

/** Horizontal scrolling, in px, of the page as it is. */
export const sideways = (page: Page) =>
  page.evaluate(() =>
    document.documentElement.scrollWidth -
    document.documentElement.clientWidth
  );

/**
 * Browser contexts and the findings of a whole visit: axe on each page at
 * 1440 and at 390 px wide (no sideways scrolling there either), console
 * errors and uncaught page errors; one report at the end.
 */
/**
 * Runs `read` on `page`, again if the page reloaded itself meanwhile: a
 * page that is confirming a payment answers with `Refresh: 2`, and on a
 * busy machine a check can outlast those two seconds. The reloaded page is
 * the same page, so reading it again checks what a person sees.
 */
async function reloadSafe<T>(page: Page, read: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await read();
    } catch (err) {
      const reloaded = /Execution context was destroyed|navigation/i.test(
        String(err),
      );
      if (!reloaded || attempt >= 5) throw err;
      await page.waitForLoadState("load");
    }
  }
}

export function visit(browser: Browser) {
  const found: string[] = [];
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    problems,
    async newPage(opts: { javaScriptEnabled?: boolean } = {}) {
      const context = await browser.newContext({ ...opts, viewport: WIDE });
      contexts.push(context);
      const page = await context.newPage();
      if (opts.javaScriptEnabled === false) markJavaScriptDisabled(page);
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") {
          problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
        }
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      return page;
    },
    /** axe at both widths (and no sideways scroll at 390 px); back at 1440 after. */
    async check(page: Page, where: string) {
      for (const size of [WIDE, NARROW]) {
        await page.setViewportSize(size);
        const violations: A11yViolation[] = await reloadSafe(
          page,
          () => axeViolations(page),
        );
        if (violations.length > 0) {
          found.push(
            formatViolations(`${where} at ${size.width}px`, violations),
          );
        }
        if (size === NARROW) {
          const px = await reloadSafe(page, () => sideways(page));
          if (px > 0) found.push(`${where} scrolls ${px}px sideways at 390px`);
        }
      }
      await page.setViewportSize(WIDE);
    },
    assertClean(allowed: RegExp[] = []) {
      assert.deepEqual(
        problems.filter((p) => !allowed.some((a) => a.test(p))),
        [],
      );
      if (found.length > 0) {
        throw new assert.AssertionError({ message: found.join("\n\n") });
      }
    },
    async close() {
      for (const c of contexts) await c.close();
    },
  };
}

export async function logIn(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.click("main button:has-text('Log in')");
  await page.waitForURL(/\/(account|host|admin)$/);
}

/** The kitchen page's booking form (GET /bookings/new), found by where it sends. */
export function bookingForm(page: Page) {
  return page.locator("form[action='/bookings/new']").first();
}

/** Opens a kitchen page; with JavaScript, waits until its islands have hydrated. */
export async function openKitchenPage(page: Page, url: string, js = true) {
  await page.goto(url);
  if (js) await hydrated(page);
}

/** Waits until every island on the page is interactive and its effects ran. */
export async function hydrated(page: Page) {
  await page.waitForFunction(() =>
    [...document.querySelectorAll("prep-island")].every((el) =>
      el.hasAttribute("data-hydrated")
    )
  );
  // Preact runs effects after paint: two frames and a task later the page is final.
  await page.evaluate(() =>
    new Promise<void>((done) =>
      requestAnimationFrame(() =>
        requestAnimationFrame(() => setTimeout(done, 0))
      )
    )
  );
}

/** The kitchen page of the first date `from` days ahead or later that offers a booking form. */
export async function openBookableDate(
  page: Page,
  baseUrl: string,
  kitchen: Kitchen,
  now: number,
  from = 10,
  js = true,
): Promise<string> {
  const today = Temporal.PlainDate.from(localToday(kitchen.timeZone, now));
  for (let days = from; days < from + 14; days++) {
    const date = today.add({ days }).toString();
    await openKitchenPage(
      page,
      `${baseUrl}/kitchens/${kitchen.id}?date=${date}`,
      js,
    );
    if (await bookingForm(page).count() > 0) return date;
  }
  throw new Error(`${kitchen.title} has no bookable date from ${from} days on`);
}

/**
 * In the kitchen page's booking form: the `nth` start offered (or the last)
 * and the shortest booking; then the review page.
 */
export async function reviewFromKitchenPage(page: Page, nth = 1) {
  const form = bookingForm(page);
  const start = form.getByLabel("Start");
  const options = start.locator("option");
  const option = options.nth(Math.min(nth, await options.count() - 1));
  await start.selectOption((await option.getAttribute("value"))!);
  const hours = form.getByLabel("Hours");
  const length = await hours.count() > 0 ? hours : form.getByLabel("End");
  await length.selectOption({ index: 0 });
  await form.locator("[type=submit]").click();
  await page.waitForURL(/\/bookings\/new\?/);
  assert.equal(await page.locator("h1").innerText(), "Review your booking");
}

/** Published demo kitchens of other hosts than the demo host account's, by title. */
async function demoKitchens(
  kv: Deno.Kv,
  hosts: readonly { id: string }[],
  keep: (k: Kitchen) => boolean,
): Promise<Kitchen[]> {
  const found: Kitchen[] = [];
  for (const host of hosts) {
    const ids = kv.list<string>({ prefix: keys.kitchensByHostPrefix(host.id) });
    for await (const e of ids) {
      const k = await getKitchen(kv, e.value);
      if (k?.status === "published" && keep(k)) found.push(k);
    }
  }
  return found.sort((a, b) => a.title.localeCompare(b.title));
}

/**
 * From a signed-in renter's page to a confirmed booking of an instantly
 * bookable kitchen: its first free date and start, the rules accepted,
 * paid with the demo card, the payment job run. The booking's path.
 */
export async function bookAndPay(
  page: Page,
  s: DemoSite,
  kitchen: Kitchen,
): Promise<string> {
  await openBookableDate(page, s.baseUrl, kitchen, s.clock());
  await reviewFromKitchenPage(page);
  await page.getByLabel("I have read the house rules and will follow them.")
    .check();
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await page.waitForURL(/\/bookings\/[0-9A-Z]{26}\/pay$/);
  const path = new URL(page.url()).pathname.replace(/\/pay$/, "");
  await page.getByRole("button", { name: /^Pay .+ \(demo\)$/ }).click();
  await page.waitForURL(/\?notice=paid$/);
  await s.runJobs();
  return path;
}

/** An instant demo kitchen of another host, in a city whose rules add no conditions. */
export async function instantKitchen(kv: Deno.Kv): Promise<Kitchen> {
  const [k] = await demoKitchens(
    kv,
    DEMO_HOSTS.slice(1),
    (k) =>
      bookingModeOf(k) === "instant" &&
      rulePackFor(k.address.city).fees.length === 0,
  );
  assert.ok(k, "an instant demo kitchen to book");
  return k;
}

/** The demo host account's request-to-book kitchen. */
export async function requestKitchen(kv: Deno.Kv): Promise<Kitchen> {
  const [k] = await demoKitchens(
    kv,
    DEMO_HOSTS.slice(0, 1),
    (k) => bookingModeOf(k) === "request",
  );
  assert.ok(k, "the demo host has a request-to-book kitchen");
  return k;
}
