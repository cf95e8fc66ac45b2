// Issue 17 §6, §7, §20 in Chromium: a renter searches with a date and hours and lands on the
// kitchen page with the picker already on them, with and without JavaScript, on a desktop and on
// a phone: the filters fold away on the phone, the booking bar leads to the picker, the time
// chips and the week view choose hours, and every page is axe-clean (and /search's headings
// in order).
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import {
  assertAccessible,
  assertAxeRules,
  markJavaScriptDisabled,
} from "./axe.ts";
import { browserTest, startServer } from "./browser.ts";

const SCREENS = [
  { name: "desktop", width: 1440, height: 900 },
  { name: "phone", width: 390, height: 844 },
];

async function site() {
  const t = await testApp();
  const host = await addHost(t.kv, "Marisol Vega");
  const [bakehouse] = await addKitchens(t.kv, host.id, [
    kitchenFixture({ title: "Logan Square Bakehouse" }),
    kitchenFixture({
      title: "Pilsen Tortilleria",
      hourlyPriceCents: 5500,
      // Open from noon: 10:00–14:00 does not fit, so the search leaves it out.
      weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
        day,
        start: "12:00",
        end: "20:00",
      })),
    }),
  ]);
  const server = startServer(t.app);
  return {
    baseUrl: server.baseUrl,
    bakehouse,
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

/** The box of the first element `selector` matches, in viewport pixels. */
async function box(page: Page, selector: string) {
  const b = await page.locator(selector).first().boundingBox();
  assert.ok(b, `${selector} is laid out`);
  return b;
}

/** The picker's chosen start and length: the End select with JavaScript, Hours without. */
async function chosen(page: Page, js: boolean) {
  const form = page.locator("[data-testid=book]");
  return {
    start: await form.getByLabel("Start", { exact: true }).inputValue(),
    length: await form.getByLabel(js ? "End" : "Hours", { exact: true })
      .inputValue(),
  };
}

async function journey(
  browser: Browser,
  s: Awaited<ReturnType<typeof site>>,
  screen: typeof SCREENS[number],
  js: boolean,
) {
  const where = (page: string) =>
    `${page} (${screen.name}, ${js ? "JavaScript" : "no JavaScript"})`;
  const context = await browser.newContext({
    viewport: { width: screen.width, height: screen.height },
    javaScriptEnabled: js,
  });
  const page = await context.newPage();
  if (!js) markJavaScriptDisabled(page);
  const problems = watch(page);
  const phone = screen.width < 768;
  try {
    // The renter searches Chicago, then narrows to a date and hours.
    await page.goto(`${s.baseUrl}/search?city=chicago`);
    const filters = page.locator("details.filters summary");
    if (phone) {
      assert.match(await filters.innerText(), /^Filters \(1\)\s*▾$/);
      assert.equal(await page.locator("#f-date").isVisible(), false);
      await filters.click();
    } else {
      assert.equal(await filters.isVisible(), false);
    }
    await page.fill("#f-date", "2026-12-03");
    await page.fill("#f-start", "10:00");
    await page.fill("#f-end", "14:00");
    await page.click("text=Show kitchens");
    await page.waitForURL(/date=2026-12-03&start=10%3A00&end=14%3A00/);
    assert.equal(
      await page.locator("h1").innerText(),
      "Kitchens in Chicago on Thu, Dec 3, 10:00 AM - 2:00 PM",
    );
    const cards = page.locator("ul[aria-label=Kitchens] > li");
    assert.equal(await cards.count(), 1);
    if (phone) {
      // The filters fold away again; the first result starts on the first screen.
      assert.match(await filters.innerText(), /^Filters \(3\)\s*▾$/);
      assert.equal(await page.locator("#f-date").isVisible(), false);
      const card = await box(page, "ul[aria-label=Kitchens] > li");
      assert.ok(
        card.y + 200 < screen.height,
        `the first result starts at ${card.y}px of ${screen.height}`,
      );
    }
    await assertAccessible(page, where("/search"));
    if (js) await assertAxeRules(page, ["heading-order"], where("/search"));

    // The card leads to the kitchen page, the picker on the hours searched.
    await cards.first().getByRole("link").click();
    await page.waitForURL(/\/kitchens\/.*start=10:00&end=14:00/);
    if (js) await page.waitForSelector("prep-island[data-hydrated]");
    assert.equal(
      await page.locator("h1").innerText(),
      "Logan Square Bakehouse",
    );
    assert.deepEqual(await chosen(page, js), {
      start: "10:00",
      length: js ? "14:00" : "4",
    });
    const chip = (label: string) =>
      page.locator("[data-testid=slots]").getByRole("button", {
        name: new RegExp(`^${label} until`),
      });
    assert.equal(await chip("10:00 AM").getAttribute("aria-pressed"), "true");
    if (js) {
      await page.waitForFunction(() =>
        document.querySelector("[data-testid=quote]")?.textContent?.includes(
          "Thu, Dec 3, 10:00 AM - 2:00 PM",
        )
      );
    }
    await assertAccessible(page, where("/kitchens/:id?date&start&end"));

    // On a phone the price and "Choose hours" stay at the foot of the screen.
    const bar = page.locator("[data-testid=booking-bar]");
    if (phone) {
      assert.match(
        await bar.innerText(),
        /\$40 per hour\s+Thu, Dec 3, 10:00 AM - 2:00 PM\s+Choose hours/,
      );
      const b = await box(page, "[data-testid=booking-bar]");
      assert.ok(
        Math.abs(b.y + b.height - screen.height) <= 1,
        `the bar sits at the foot (${b.y + b.height}px of ${screen.height})`,
      );
      await bar.getByRole("link", { name: "Choose hours" }).click();
      await page.waitForURL(/#book$/);
      const picker = await box(page, "#availability-heading");
      assert.ok(
        picker.y >= 0 && picker.y < screen.height / 2,
        `the picker is on screen (${picker.y}px)`,
      );
      // With the booking column on screen the bar steps aside, off the form.
      await bar.waitFor({ state: "hidden" });
    } else {
      assert.equal(await bar.isVisible(), false);
    }

    // A time chip is a real button: from the keyboard it chooses that start.
    await chip("12:00 PM").focus();
    await page.keyboard.press("Enter");
    // Without JavaScript it reloads the page with that start and the same length.
    if (!js) {
      await page.waitForURL(/date=2026-12-03&hours=4&start=12%3A00#book$/);
    }
    assert.equal(await chip("12:00 PM").getAttribute("aria-pressed"), "true");
    assert.equal(await chip("10:00 AM").getAttribute("aria-pressed"), "false");
    assert.deepEqual(await chosen(page, js), {
      start: "12:00",
      length: js ? "16:00" : "4",
    });
    if (!js) {
      await assertAccessible(page, where("/kitchens/:id after a time chip"));
    }

    // The week view: Saturday, at the hours in the page's address (the search's, or
    // without JavaScript the chip's).
    const asked = js ? "start=10:00&end=14:00" : "start=12:00&hours=4";
    const week = page.locator("[data-testid=week]");
    assert.match(await week.innerText(), /Week of Mon, Nov 30/);
    assert.match(await week.innerText(), /Thu, Dec 3\s+8:00 AM - 8:00 PM/);
    await week.getByRole("link", { name: "Sat, Dec 5" }).click();
    await page.waitForURL(
      `${page.url().split("?")[0]}?date=2026-12-05&${asked}#book`,
    );
    if (js) await page.waitForSelector("prep-island[data-hydrated]");
    assert.match(
      await page.locator("[data-testid=book] h3").innerText(),
      /Book on Sat, Dec 5/,
    );
    assert.deepEqual(await chosen(page, js), {
      start: js ? "10:00" : "12:00",
      length: js ? "14:00" : "4",
    });
    assert.equal(
      await week.getByRole("link", { name: "Sat, Dec 5" }).getAttribute(
        "aria-current",
      ),
      "date",
    );
    // A week later, on the same weekday.
    await week.getByRole("link", { name: "Later week →" }).click();
    await page.waitForURL(
      `${page.url().split("?")[0]}?date=2026-12-12&${asked}#week`,
    );
    assert.match(await week.innerText(), /Week of Mon, Dec 7/);
    await assertAccessible(page, where("/kitchens/:id, the week after"));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
}

browserTest(
  "search intent: search with a date and hours → the kitchen page's picker on them → a chip → another day of the week, with and without JavaScript, at 1440 and 390 px, axe-clean",
  async (browser) => {
    const s = await site();
    try {
      for (const screen of SCREENS) {
        for (const js of [true, false]) await journey(browser, s, screen, js);
      }
    } finally {
      await s.close();
    }
  },
);
