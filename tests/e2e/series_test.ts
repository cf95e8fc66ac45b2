// Issue 19's standing bookings in Chromium, axe-clean at 1440 and 390 px on
// every page the journey visits: a kitchen page's "Book weekly" → the rule
// (weekdays, hours, how many dates) → every date with its price → one left
// out → the first date paid on the demo checkout with a saved demo card →
// "Your bookings" groups the series → its page lists every date, the first
// paid and the rest to be charged 3 days before each → cancelling the rest
// asks first.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { bookingModeOf } from "../../lib/bookings/holds.ts";
import { WEEKDAY_NAMES } from "../../lib/bookings/series_rule.ts";
import { rulePackFor } from "../../lib/compliance/rules.ts";
import { keys } from "../../lib/db/keys.ts";
import { localToday } from "../../lib/kitchens/free_time.ts";
import { getKitchen } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { DEMO_HOSTS } from "../../scripts/demo/hosts.ts";
import { browserTest } from "./browser.ts";
import { demoSite, hydrated, logIn, RENTER, visit } from "./journeys.ts";

/**
 * An instant demo kitchen of another host that takes weekly bookings, in a
 * city adding no conditions, open in the daytime.
 */
async function weeklyKitchen(kv: Deno.Kv): Promise<Kitchen> {
  const found: Kitchen[] = [];
  for (const host of DEMO_HOSTS.slice(1)) {
    const ids = kv.list<string>({ prefix: keys.kitchensByHostPrefix(host.id) });
    for await (const e of ids) {
      const k = await getKitchen(kv, e.value);
      if (
        k?.status === "published" && k.standingBookings === true &&
        bookingModeOf(k) === "instant" &&
        rulePackFor(k.address.city).fees.length === 0 &&
        weeklyHours(k) !== null
      ) found.push(k);
    }
  }
  found.sort((a, b) => a.title.localeCompare(b.title));
  assert.ok(found.length > 0, "a demo kitchen that takes weekly bookings");
  return found[0];
}

const minutes = (hhmm: string) =>
  Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const clock = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, "0")}:${
    String(m % 60).padStart(2, "0")
  }`;

/** A weekday and daytime hours the kitchen is open for its minimum booking, on the half hour. */
function weeklyHours(
  k: Kitchen,
): { day: number; start: string; end: string } | null {
  for (const r of k.weeklyHours) {
    if (r.end <= r.start) continue;
    const from = Math.ceil(minutes(r.start) / 30) * 30 + 60;
    const end = from + k.minHours * 60;
    if (end <= minutes(r.end)) {
      return { day: r.day, start: clock(from), end: clock(end) };
    }
  }
  return null;
}

/** The series page's one status block. */
const seriesStatus = (page: Page) =>
  page.getByTestId("series-status").locator("h2").innerText();

browserTest(
  "series: 'Book weekly' → the rule → every date with its price → one left out → the first paid with a saved demo card → grouped in the renter's bookings → every date on the series' page, axe-clean at 1440 and 390 px",
  async (browser: Browser) => {
    const s = await demoSite();
    const kitchen = await weeklyKitchen(s.kv);
    const hours = weeklyHours(kitchen)!;
    const from = Temporal.PlainDate.from(
      localToday(kitchen.timeZone, s.clock()),
    ).add({ days: 10 }).toString();
    const v = visit(browser);
    try {
      const page = await v.newPage();
      await logIn(page, s.baseUrl, RENTER);
      await page.goto(`${s.baseUrl}/kitchens/${kitchen.id}?date=${from}`);
      await hydrated(page);
      const card = page.getByTestId("book-weekly");
      assert.match(await card.innerText(), /Need the same hours every week\?/);
      await card.getByRole("link", { name: "Book weekly" }).click();
      await page.waitForURL(/\/bookings\/series\/new\?kitchen=/);
      assert.equal(
        await page.locator("h1").innerText(),
        `Book ${kitchen.title} weekly`,
      );
      await v.check(page, "the weekly booking form");

      // The rule, as a renter fills it in.
      await page.getByLabel(WEEKDAY_NAMES[hours.day - 1], { exact: true })
        .check();
      await page.getByLabel("From", { exact: true }).selectOption(hours.start);
      await page.getByLabel("Until", { exact: true }).selectOption(hours.end);
      await page.getByLabel("Repeat").selectOption("1");
      await page.getByLabel("First date").fill(from);
      await page.getByLabel("Number of dates").fill("5");
      await page.getByRole("button", { name: "Show the dates" }).click();
      await page.waitForURL(/weekdays=/);
      const count = await page.getByTestId("free-count").innerText();
      assert.match(count, /^\d of 5 dates are free$/);
      const free = Number(count[0]);
      assert.ok(free >= 3, `${count}: enough to leave one out`);
      await v.check(page, "the dates of a weekly booking");

      // Leave the last free date out.
      const boxes = page.locator("input[name=keep]");
      await boxes.nth(await boxes.count() - 1).uncheck();
      assert.match(
        await page.getByRole("heading", { name: "How you pay" }).locator("..")
          .innerText(),
        /You pay \$[\d,.]+ now for the first date, .*; your card is saved for the rest\. Each later date is charged to the same card 3 days before it starts/,
      );
      await page.getByLabel("I have read the house rules and will follow them.")
        .check();
      await page.getByRole("button", { name: "Continue to payment" }).click();
      await page.waitForURL(/\/bookings\/[0-9A-Z]{26}\/pay$/);
      await v.check(page, "the demo checkout of a weekly booking's first date");
      await page.getByRole("radio", { name: /4242 4242 4242 4242/ }).check();
      await page.getByRole("button", { name: /^Pay .+ \(demo\)$/ }).click();
      await page.waitForURL(/\?notice=paid$/);
      await s.runJobs();

      // "Your bookings" shows the series as one.
      await page.goto(`${s.baseUrl}/bookings`);
      const list = page.getByTestId("series-list");
      assert.match(await list.innerText(), /Weekly bookings/);
      assert.match(
        await list.innerText(),
        new RegExp(`${kitchen.title}: ${WEEKDAY_NAMES[hours.day - 1]}s`),
      );
      await v.check(page, "the renter's bookings with a weekly booking");
      await list.getByRole("link").first().click();
      await page.waitForURL(/\/bookings\/series\/[0-9A-Z]{26}$/);
      assert.equal(await seriesStatus(page), "Booked weekly");
      const dates = page.getByTestId("series-dates").locator("li");
      assert.equal(await dates.count(), 5);
      const statuses = await dates.evaluateAll((els) =>
        els.map((e) => e.getAttribute("data-status"))
      );
      assert.equal(statuses[0], "confirmed");
      assert.equal(
        statuses.filter((st) => st === "scheduled").length,
        free - 2,
        statuses.join(),
      );
      assert.match(await dates.first().innerText(), /Paid · \$/);
      assert.match(await dates.nth(1).innerText(), /Booked · \$.+ charged on /);
      assert.match(
        await page.locator("main").innerText(),
        /Add every date to your calendar/,
      );
      await v.check(page, "a weekly booking's page");

      // Cancelling the rest asks first, on a page of its own.
      await page.getByRole("link", { name: "Cancel all future dates" }).click();
      await page.waitForURL(/\/cancel$/);
      assert.equal(
        await page.locator("h1").innerText(),
        "Cancel all future dates?",
      );
      await v.check(page, "cancelling the rest of a weekly booking");
      await page.getByRole("link", { name: "Keep my weekly booking" }).click();
      await page.waitForURL(/\/bookings\/series\/[0-9A-Z]{26}$/);
      v.assertClean();
    } finally {
      await v.close();
      await s.close();
    }
  },
);
