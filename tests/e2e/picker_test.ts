// The kitchen page's availability island in Chromium: pick a start and an end, see the live
// quote, and book; and the same form without JavaScript.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { signUpConfirmed } from "../account_helpers.ts";
import { listDocumentsFor, reviewDocument } from "../../lib/compliance/repo.ts";
import {
  addVerified,
  givePermits,
  TEST_ADMIN,
  upload,
} from "../compliance_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { assertAccessible } from "./axe.ts";
import { browserTest, startServer } from "./browser.ts";

async function site() {
  const t = await testApp();
  const host = await addHost(t.kv, "Marisol Vega");
  const [daytime, overnight] = await addKitchens(t.kv, host.id, [
    kitchenFixture({ title: "Logan Square Bakehouse" }),
    kitchenFixture({
      title: "Night Shift Commissary",
      // Wednesdays 22:00 until Thursday 06:00.
      weeklyHours: [{ day: 3, start: "22:00", end: "06:00" }],
    }),
  ]);
  const server = startServer(t.app);
  return {
    t,
    baseUrl: server.baseUrl,
    daytime,
    overnight,
    close: async () => {
      await server.shutdown();
      t.close();
    },
  };
}

/** Console errors and warnings (hydration mismatches included) and uncaught errors. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") {
      problems.push(`${m.type()}: ${m.text()}`);
    }
  });
  page.on("pageerror", (e) => problems.push(e.message));
  return problems;
}

const quote = (page: Page) => page.locator("[data-testid=quote]");

/** The /bookings/new URL a signed-out visitor is sent to log in for. */
async function bookingAfterLogin(page: Page): Promise<URL> {
  await page.waitForURL(/\/login\?next=/);
  const next = new URL(page.url()).searchParams.get("next")!;
  // The path comes signed (lib/accounts/next_link.ts): "<path>~<expiry>.<mac>".
  return new URL(next.slice(0, next.lastIndexOf("~")), "http://x");
}

browserTest(
  "picker: choose a start and an end, see the quote, book",
  async (browser) => {
    const s = await site();
    const page = await browser.newPage();
    const problems = watch(page);
    try {
      await page.goto(`${s.baseUrl}/kitchens/${s.daytime.id}?date=2026-12-03`);
      await page.waitForSelector("prep-island[data-hydrated]");
      // Enhanced: an end time replaces the no-JS number of hours.
      const end = page.getByLabel("End", { exact: true });
      await end.waitFor();
      assert.equal(await page.locator("#book-hours").count(), 0);

      await page.getByLabel("Start", { exact: true }).selectOption("10:00");
      // Ends run from the 2-hour minimum to 20:00 closing, every 30 minutes.
      const ends = await end.locator("option").allInnerTexts();
      assert.equal(ends[0], "12:00 PM (2 hours)");
      assert.equal(ends.at(-1), "8:00 PM (10 hours)");
      assert.equal(ends.length, 17);
      await page.waitForFunction(() =>
        document.querySelector("[data-testid=quote]")?.textContent?.includes(
          "10:00 AM - 12:00 PM",
        )
      );
      assert.match(await quote(page).innerText(), /2 hours × \$40\s+\$80/);

      await end.selectOption("13:00");
      await page.waitForFunction(() =>
        document.querySelector("[data-testid=quote]")?.textContent?.includes(
          "$145",
        )
      );
      const text = await quote(page).innerText();
      assert.match(text, /Thu, Dec 3, 10:00 AM - 1:00 PM/);
      assert.match(text, /3 hours × \$40\s+\$120/);
      assert.match(text, /Cleaning fee\s+\$25/);
      assert.match(text, /Total\s+\$145/);
      assert.equal(await quote(page).getAttribute("aria-live"), "polite");

      // Another date: the form and the quote follow it.
      await page.fill("#availability-date", "2026-12-05");
      await page.dispatchEvent("#availability-date", "change");
      await page.waitForFunction(() =>
        document.querySelector("[data-testid=quote]")?.textContent?.includes(
          "Sat, Dec 5, 10:00 AM - 1:00 PM",
        )
      );
      assert.equal(
        await page.locator("[data-testid=book] input[name=date]").inputValue(),
        "2026-12-05",
      );
      // The picked hours are in the address, and in the heart's way back
      // (saving goes through logging in and returns here).
      const here =
        `/kitchens/${s.daytime.id}?date=2026-12-05&start=10:00&end=13:00`;
      await page.waitForFunction(
        (want) => location.pathname + location.search === want,
        here,
      );
      const backs = await page.locator('input[name="back"]').evaluateAll(
        (inputs) => inputs.map((i) => (i as HTMLInputElement).value),
      );
      assert.ok(
        backs.length > 0 && backs.every((b) => b === here),
        backs.join(),
      );

      await page.getByRole("button", { name: "Book", exact: true }).click();
      const booking = await bookingAfterLogin(page);
      assert.equal(booking.pathname, "/bookings/new");
      assert.deepEqual(Object.fromEntries(booking.searchParams), {
        kitchen: s.daytime.id,
        date: "2026-12-05",
        start: "10:00",
        end: "13:00",
      });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await s.close();
    }
  },
);

browserTest(
  "picker: the start times are one Tab stop; arrow keys move between them and Enter chooses one",
  async (browser) => {
    const s = await site();
    const page = await browser.newPage();
    const problems = watch(page);
    try {
      await page.goto(`${s.baseUrl}/kitchens/${s.daytime.id}?date=2026-12-03`);
      await page.waitForSelector("prep-island[data-hydrated]");
      const buttons = page.locator("[data-testid=slots] button");
      assert.ok((await buttons.count()) > 6);
      const stops = page.locator("[data-testid=slots] button[tabindex='0']");
      assert.equal(await stops.count(), 1);
      await stops.focus();
      const focused = () =>
        page.evaluate(() => {
          const all = [
            ...document.querySelectorAll("[data-testid=slots] button"),
          ];
          return all.indexOf(document.activeElement as Element);
        });
      assert.equal(await focused(), 0);
      await page.keyboard.press("ArrowRight");
      assert.equal(await focused(), 1);
      await page.keyboard.press("ArrowDown");
      assert.equal(await focused(), 4);
      // Moving does not choose; Enter does, and the stop stays on it.
      assert.equal(await buttons.nth(4).getAttribute("aria-pressed"), "false");
      await page.keyboard.press("Enter");
      assert.equal(await buttons.nth(4).getAttribute("aria-pressed"), "true");
      assert.equal(
        await page.getByLabel("Start", { exact: true }).inputValue(),
        await buttons.nth(4).getAttribute("value"),
      );
      assert.equal(await buttons.nth(4).getAttribute("tabindex"), "0");
      assert.equal(await stops.count(), 1);
      assert.equal(
        await page.locator("[data-testid=slots]").getAttribute("role"),
        "toolbar",
      );
      // A modified arrow is the browser's, not a move.
      await page.keyboard.press("Control+ArrowRight");
      assert.equal(await focused(), 4);
      // Tab leaves the start times in one press.
      await page.keyboard.press("Tab");
      assert.equal(await focused(), -1);
      // Every stop in the date field shows the focus ring, its calendar
      // button included (Chromium's own stop inside the field).
      await page.focus("#availability-date");
      let dateStops = 0;
      for (; dateStops < 6; dateStops++) {
        const ring = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          return el.id === "availability-date"
            ? getComputedStyle(el).outlineStyle
            : null;
        });
        if (ring === null) break;
        assert.equal(ring, "solid", `stop ${dateStops} of the date field`);
        await page.keyboard.press("Tab");
      }
      // Month, day, year and the calendar button.
      assert.equal(dateStops, 4, "the date field's stops");
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await s.close();
    }
  },
);

browserTest(
  "picker: an overnight booking ends the next day",
  async (browser) => {
    const s = await site();
    const page = await browser.newPage();
    const problems = watch(page);
    try {
      await page.goto(
        `${s.baseUrl}/kitchens/${s.overnight.id}?date=2026-12-02`,
      );
      await page.waitForSelector("prep-island[data-hydrated]");
      await page.getByLabel("Start", { exact: true }).selectOption("22:00");
      await page.getByLabel("End", { exact: true }).selectOption({
        label: "2:00 AM next day (4 hours)",
      });
      await page.waitForFunction(() =>
        document.querySelector("[data-testid=quote]")?.textContent?.includes(
          "$185",
        )
      );
      assert.match(
        await quote(page).innerText(),
        // The end's day is named: it is the next one.
        /Wed, Dec 2, 10:00 PM - Thu, Dec 3, 2:00 AM/,
      );
      await page.getByRole("button", { name: "Book", exact: true }).click();
      const booking = await bookingAfterLogin(page);
      assert.equal(booking.searchParams.get("start"), "22:00");
      assert.equal(booking.searchParams.get("end"), "02:00");
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await s.close();
    }
  },
);

browserTest(
  "picker: without JavaScript the form sends a start and a number of hours",
  async (browser) => {
    const s = await site();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${s.baseUrl}/kitchens/${s.daytime.id}?date=2026-12-03`);
      assert.equal(await page.locator("#book-end").count(), 0);
      await page.getByLabel("Start", { exact: true }).selectOption("10:00");
      await page.getByLabel("Hours", { exact: true }).selectOption("3");
      await page.click("text=Review and book");
      const booking = await bookingAfterLogin(page);
      assert.deepEqual(Object.fromEntries(booking.searchParams), {
        kitchen: s.daytime.id,
        date: "2026-12-03",
        start: "10:00",
        hours: "3",
      });
    } finally {
      await context.close();
      await s.close();
    }
  },
);

browserTest(
  "picker: hours that do not fit come back as the form at the start picked, with the reason, with and without JavaScript",
  async (browser) => {
    const s = await site();
    const { cookie } = await signUpConfirmed(s.t, "rosa@example.com", "rent", {
      wallet: true,
    });
    const [name, value] = cookie.split("=");
    try {
      for (const javaScriptEnabled of [false, true]) {
        const context = await browser.newContext({ javaScriptEnabled });
        await context.addCookies([{ name, value, url: s.baseUrl }]);
        const page = await context.newPage();
        const problems = watch(page);
        // 16:00 + 6 hours runs past closing at 20:00.
        const res = await page.goto(
          `${s.baseUrl}/bookings/new?kitchen=${s.daytime.id}&date=2026-12-03&start=16:00&hours=6`,
        );
        assert.equal(res?.status(), 400);
        assert.match(
          await page.getByRole("alert").innerText(),
          /The kitchen is not open for the whole of that time\./,
        );
        const start = page.getByLabel("Start", { exact: true });
        assert.equal(await start.inputValue(), "16:00");
        if (!javaScriptEnabled) {
          const hours = page.getByLabel("Hours", { exact: true });
          assert.deepEqual(
            await hours.locator("option").allInnerTexts(),
            ["2 hours", "2.5 hours", "3 hours", "3.5 hours", "4 hours"],
          );
          assert.equal(await hours.inputValue(), "4");
          await page.click("text=Review and book");
          await page.waitForURL(/\/bookings\/new\?.*hours=4/);
          assert.equal(
            await page.locator("h1").innerText(),
            "Review your booking",
          );
        } else {
          await page.waitForSelector("prep-island[data-hydrated]");
          const end = page.getByLabel("End", { exact: true });
          assert.equal(
            await end.locator("option:checked").innerText(),
            "8:00 PM (4 hours)",
          );
          assert.equal(await end.locator("option").count(), 5);
          // The page's own 400 is logged by Chromium; hydration adds nothing.
          assert.deepEqual(
            problems.filter((p) => !/status of 400/.test(p)),
            [],
          );
        }
        await context.close();
      }
    } finally {
      await s.close();
    }
  },
);

browserTest(
  "picker: a kitchen renewing a permit says why, offers no times and ships no picker",
  async (browser) => {
    const t = await testApp();
    const host = await addHost(t.kv, "Marisol Vega");
    const [renewing] = await addKitchens(t.kv, host.id, [
      kitchenFixture({ title: "Renewing Kitchen" }),
    ]);
    const permit = (await listDocumentsFor(t.kv, {
      kind: "kitchen",
      id: renewing.id,
    })).find((d) => d.kind === "health_permit")!;
    await reviewDocument(t.kv, permit.id, "request_renewal", TEST_ADMIN, {
      reason: "This year's permit, please",
      mail: { from: "Prep <a@example.com>", baseUrl: "http://x", wake: false },
    }, t.clock());
    const server = startServer(t.app);
    const page = await browser.newPage();
    const problems = watch(page);
    try {
      await page.goto(`${server.baseUrl}/kitchens/${renewing.id}`);
      assert.match(
        await page.locator("[data-testid=not-bookable]").innerText(),
        /This kitchen is renewing a permit; it is not taking bookings right now\./,
      );
      // No picker; a visitor's heart (saved kitchens) is a plain form, so
      // the page has no island at all.
      assert.deepEqual(
        await page.locator("prep-island").evaluateAll((els) =>
          els.map((e) => e.getAttribute("data-island"))
        ),
        [],
      );
      assert.equal(await page.locator(`#save-${renewing.id}`).count(), 1);
      await assertAccessible(page);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await server.shutdown();
      t.close();
    }
  },
);

browserTest(
  "picker: no times from the day after a required permit lapses, and a note says why",
  async (browser) => {
    const t = await testApp();
    const host = await addHost(t.kv, "Marisol Vega");
    const [lapsing] = await addKitchens(
      t.kv,
      host.id,
      [
        kitchenFixture({ title: "Harlem Caterers' Kitchen" }),
      ],
      "published",
      { permits: false },
    );
    await givePermits(t.kv, lapsing, t.clock(), { except: ["fire_safety"] });
    await addVerified(
      t.kv,
      { kind: "kitchen", id: lapsing.id },
      host.id,
      upload("fire_safety", { expiryDate: "2026-12-24" }),
      t.clock(),
    );
    const server = startServer(t.app);
    const page = await browser.newPage();
    const problems = watch(page);
    try {
      await page.goto(
        `${server.baseUrl}/kitchens/${lapsing.id}?date=2026-12-23`,
      );
      await page.waitForSelector("prep-island[data-hydrated]");
      const note = page.locator("[data-testid=note]");
      assert.equal(
        await note.innerText(),
        "Not bookable after Thu, Dec 24: this kitchen's fire safety inspection or suppression certificate expires that day.",
      );
      assert.equal(
        await page.locator("#availability-date").getAttribute("max"),
        "2026-12-24",
      );
      await page.fill("#availability-date", "2026-12-28");
      await page.dispatchEvent("#availability-date", "change");
      await page.waitForSelector("[data-testid=no-slots]");
      assert.equal(
        await page.locator("[data-testid=no-slots]").innerText(),
        "No bookable hours on Mon, Dec 28. Try another date.",
      );
      assert.equal(await page.locator("[data-testid=book]").count(), 0);
      assert.ok(await note.isVisible());
      await assertAccessible(page);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await server.shutdown();
      t.close();
    }
  },
);
