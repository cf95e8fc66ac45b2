// The figures in Chromium, with axe (WCAG 2 A/AA) on every page at 1440 and
// 390 px wide: staff open "Figures" from the staff navigation, go down to a
// city and a kitchen by its links; the host reads their earnings and busy
// hours on the dashboard. The figures need no JavaScript, and no page
// scrolls sideways on a phone.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import {
  bookPaid,
  PASSWORD,
  post,
  runJobs,
  signUpConfirmed,
  staff,
} from "../account_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { axeViolations, formatViolations } from "./axe.ts";
import { browserTest, startServer } from "./browser.ts";

const WIDTHS = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

browserTest(
  "figures: staff go from every city to a city and a kitchen, and a host reads their earnings and busy hours, at both widths",
  async (browser: Browser) => {
    // This week's Wednesday: its bookings two days on stay in the week the
    // figures' last 12 weeks end with (from a Saturday they fell past it).
    const today = Temporal.Now.plainDateISO("America/Chicago");
    const wednesday = today.subtract({ days: today.dayOfWeek - 3 });
    const now = Date.parse(`${wednesday}T15:00:00Z`);
    const t = await testApp(now);
    const server = startServer(t.app);
    const base = server.baseUrl;
    const violations: string[] = [];
    const check = async (page: Page, where: string) => {
      // The figures need no JavaScript: nothing in the main part of the
      // page is an island or a script (the site header has its own).
      assert.equal(
        await page.locator("main script, main prep-island").count(),
        0,
        `${where} has scripts of its own`,
      );
      for (const size of WIDTHS) {
        await page.setViewportSize(size);
        const found = await axeViolations(page);
        if (found.length) {
          violations.push(formatViolations(`${where} @${size.width}`, found));
        }
        const sideways = await page.evaluate(() =>
          document.documentElement.scrollWidth -
          document.documentElement.clientWidth
        );
        assert.equal(sideways, 0, `${where} scrolls sideways at ${size.width}`);
      }
      await page.setViewportSize(WIDTHS[0]);
    };
    const context = await browser.newContext({ viewport: WIDTHS[0] });
    try {
      const host = await signUpConfirmed(t, "hank@example.com", "host");
      await setDemoPayoutReady(t.kv, host.user.id, now);
      const [k] = await addKitchens(t.kv, host.user.id, [
        kitchenFixture({ title: "Wicker Park Commissary" }),
      ]);
      const renter = await signUpConfirmed(t, "rosa@example.com", "rent", {
        wallet: true,
      });
      const date = Temporal.Instant.fromEpochMilliseconds(now)
        .toZonedDateTimeISO("America/Chicago").toPlainDate().add({ days: 2 })
        .toString();
      await bookPaid(t, renter.cookie, {
        kitchen: k.id,
        date,
        start: "10:00",
        end: "13:00",
      });
      const cancelled = await bookPaid(t, renter.cookie, {
        kitchen: k.id,
        date,
        start: "15:00",
        end: "17:00",
      });
      await post(t, `/bookings/${cancelled}/cancel`, {}, {
        cookie: renter.cookie,
      });
      await runJobs(t);
      await staff(t, "ada@example.com", "admin");

      const page = await context.newPage();
      const logIn = async (email: string) => {
        await page.goto(`${base}/login`);
        await page.getByLabel("Email", { exact: true }).fill(email);
        await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
        await page.click("main button:has-text('Log in')");
        await page.waitForURL((u) => !u.pathname.startsWith("/login"));
      };

      await logIn("ada@example.com");
      await page.goto(`${base}/admin`);
      await page.getByRole("navigation", { name: "Staff pages" })
        .getByRole("link", { name: "Figures" }).click();
      await page.waitForURL(/\/admin\/metrics$/);
      const main = page.locator("main");
      await main.getByRole("heading", { name: "Figures for every city" })
        .waitFor();
      assert.match(await main.innerText(), /Bookings\s+2/);
      assert.match(await main.innerText(), /Cancellations\s+1/);
      // Each chart reads as a table to a screen reader.
      const bookings = page.getByRole("table", { name: "Bookings" });
      assert.equal(await bookings.getByRole("row").count(), 13);
      await check(page, "/admin/metrics");

      await main.getByRole("link", { name: "Chicago" }).click();
      await page.waitForURL(/\/admin\/metrics\?city=chicago$/);
      await main.getByRole("heading", { name: "Figures for Chicago" })
        .waitFor();
      await check(page, "/admin/metrics?city=chicago");

      await main.getByRole("link", { name: "Wicker Park Commissary" }).click();
      await page.waitForURL(/\/admin\/metrics\?kitchen=/);
      await main.getByRole("heading", {
        name: "Figures for Wicker Park Commissary",
      }).waitFor();
      await check(page, "/admin/metrics?kitchen=…");
      // The breadcrumb leads back up.
      await main.getByRole("navigation", { name: "Where these figures are" })
        .getByRole("link", { name: "Every city" }).click();
      await page.waitForURL(/\/admin\/metrics$/);

      await page.click("button:has-text('Log out')");
      await logIn("hank@example.com");
      await page.goto(`${base}/host`);
      const figures = page.getByRole("region", { name: "Your figures" });
      await figures.getByRole("heading", { name: "Net earnings by month" })
        .waitFor();
      assert.match(
        await figures.innerText(),
        /When Wicker Park Commissary is booked/,
      );
      assert.equal(
        await page.getByRole("table", {
          name:
            "When Wicker Park Commissary is booked: share of open time booked",
        }).getByRole("row").count(),
        8,
      );
      for (const size of WIDTHS) {
        await page.setViewportSize(size);
        const found = await axeViolations(page);
        if (found.length) {
          violations.push(formatViolations(`/host @${size.width}`, found));
        }
        const sideways = await page.evaluate(() =>
          document.documentElement.scrollWidth -
          document.documentElement.clientWidth
        );
        assert.equal(sideways, 0, `/host scrolls sideways at ${size.width}`);
      }
      // The month calendar swaps months in place, each a step in the
      // history: Back shows the month before, then the dashboard's own.
      await page.setViewportSize(WIDTHS[0]);
      await page.waitForSelector("prep-island[data-hydrated]");
      const calendar = page.getByRole("region", { name: "Calendar" });
      const months = calendar.getByRole("navigation", { name: "Months" });
      const heading = calendar.getByRole("heading", { level: 3 });
      const first = await heading.innerText();
      const dashboard = page.url();
      await months.getByRole("link", { name: /^Next month:/ }).click();
      await page.waitForURL(/\?month=\d{4}-\d\d#calendar$/);
      const second = await heading.innerText();
      assert.notEqual(second, first);
      await months.getByRole("link", { name: /^Next month:/ }).click();
      await page.waitForFunction(
        (was) => document.querySelector("#calendar h3")?.textContent !== was,
        second,
      );
      const third = await heading.innerText();
      await page.goBack();
      await page.waitForFunction(
        (want) => document.querySelector("#calendar h3")?.textContent === want,
        second,
      );
      await page.goBack();
      await page.waitForFunction(
        (want) => document.querySelector("#calendar h3")?.textContent === want,
        first,
      );
      assert.equal(page.url(), dashboard, "back on the dashboard as it was");
      assert.notEqual(third, second);
      assert.deepEqual(violations, [], violations.join("\n"));
    } finally {
      await context.close();
      await server.shutdown();
      t.close();
    }
  },
);
