// Saved kitchens in Chromium (issue 18 §12): a visitor presses a search card's heart → logs
// in → lands back on the search with it saved; on the kitchen page the heart toggles without
// a reload; /saved lists it with its next free day and removes it. Then the same without
// JavaScript: every heart is a plain form. axe (WCAG 2 A/AA) on every page at 1440×900 and
// 390×844, no sideways scrolling on a phone, no console errors.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { formatDate, formatTime } from "../../lib/format.ts";
import { nextFreeDay } from "../../lib/kitchens/free_time.ts";
import { listKitchens } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { NEXT_FREE_DAYS } from "../../lib/saved/schema.ts";
import { DEMO_PASSWORD } from "../../scripts/demo/accounts.ts";
import { browserTest } from "./browser.ts";
import {
  type DemoSite,
  demoSite,
  hydrated,
  RENTER,
  visit,
} from "./journeys.ts";

const TITLE = "Andersonville Pastry Kitchen";
/** Set to a directory to keep a screenshot of every page checked, at both widths. */
const SHOTS = Deno.env.get("E2E_SHOTS_DIR");

async function kitchenTitled(site: DemoSite, title: string): Promise<Kitchen> {
  for await (const k of listKitchens(site.kv, null)) {
    if (k.title === title) return k;
  }
  throw new Error(`no demo kitchen "${title}"`);
}

/** The heart of `title`'s result card, by the name it has in either state. */
const cardHeart = (page: Page, title: string) =>
  page.locator("li").filter({ has: page.getByRole("heading", { name: title }) })
    .getByRole("button", { name: new RegExp(`^Saved?:? ${title}$`) });

async function logInHere(page: Page) {
  await page.getByLabel("Email", { exact: true }).fill(RENTER);
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.click("main button:has-text('Log in')");
}

/** "Next free day: Thu, Dec 10, from 9:00 AM", as the list should say it now. */
async function nextFreeText(site: DemoSite, k: Kitchen): Promise<string> {
  const day = await nextFreeDay(site.kv, k, site.clock(), NEXT_FREE_DAYS);
  assert.ok(day, `${k.title} has a free day`);
  return `Next free day: ${formatDate(day.date)}, from ${
    formatTime(k.timeZone, day.starts[0].start)
  }`;
}

function checker(v: ReturnType<typeof visit>) {
  let shot = 0;
  return async (page: Page, where: string) => {
    await v.check(page, where);
    if (!SHOTS) return;
    for (
      const [label, size] of [["1440", { width: 1440, height: 900 }], [
        "390",
        { width: 390, height: 844 },
      ]] as const
    ) {
      await page.setViewportSize(size);
      await page.screenshot({
        path: `${SHOTS}/saved-${String(++shot).padStart(2, "0")}-${
          where.replace(/[^a-z0-9]+/gi, "-")
        }-${label}.png`,
        // The whole page wide; a phone's first screen, as it is seen.
        fullPage: label === "1440",
      });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  };
}

browserTest(
  "saved journey: a visitor's heart on a search card → log in → back on the search, saved; the kitchen page toggles it without a reload; /saved lists it with its next free day and removes it; axe-clean at 1440 and 390 px",
  async (browser) => {
    const site = await demoSite();
    const v = visit(browser);
    const check = checker(v);
    try {
      const k = await kitchenTitled(site, TITLE);
      const page = await v.newPage();
      const search = `${site.baseUrl}/search?city=chicago`;
      await page.goto(search);
      await hydrated(page);
      const heart = cardHeart(page, TITLE);
      assert.equal(await heart.getAttribute("aria-pressed"), "false");
      assert.equal(
        await heart.evaluate((b) => b.textContent?.trim()),
        `Save ${TITLE}`,
      );
      await check(page, "search, signed out");

      // A visitor's heart: to the login page, and back saved.
      await heart.click();
      await page.waitForURL(/\/login\?next=/);
      await check(page, "login on the way to saving");
      await logInHere(page);
      await page.waitForURL(`${search}#save-${k.id}`);
      await hydrated(page);
      const saved = cardHeart(page, TITLE);
      assert.equal(await saved.getAttribute("aria-pressed"), "true");
      assert.equal(
        await saved.evaluate((b) => b.textContent?.trim()),
        `Saved: ${TITLE}`,
      );
      await check(page, "search, signed in, saved");

      // The kitchen page: the heart toggles in place, the page never reloads.
      await page.getByRole("link", { name: TITLE }).first().click();
      await page.waitForURL(new RegExp(`/kitchens/${k.id}`));
      await hydrated(page);
      await page.evaluate(() => {
        (globalThis as { stillHere?: boolean }).stillHere = true;
      });
      const pageHeart = page.locator(`#save-${k.id} button[aria-pressed]`);
      assert.equal(await pageHeart.getAttribute("aria-pressed"), "true");
      assert.equal(await pageHeart.textContent(), "Saved");
      await pageHeart.click();
      await page.waitForSelector(
        `#save-${k.id} button[aria-pressed="false"]`,
      );
      assert.equal(
        await page.getByRole("button", { name: `Save ${TITLE}` })
          .getAttribute("aria-pressed"),
        "false",
      );
      assert.equal(
        await page.locator(`#save-${k.id} [role=status]`).textContent(),
        "Removed from your list.",
      );
      await check(page, "kitchen page, removed in place");
      await page.getByRole("button", { name: `Save ${TITLE}` }).click();
      await page.waitForSelector(`#save-${k.id} button[aria-pressed="true"]`);
      assert.equal(
        await page.locator(`#save-${k.id} [role=status]`).textContent(),
        "Saved to your list.",
      );
      assert.equal(
        await page.evaluate(() =>
          (globalThis as { stillHere?: boolean }).stillHere
        ),
        true,
        "the page was not reloaded",
      );
      await check(page, "kitchen page, saved in place");
      await page.reload();
      await hydrated(page);
      assert.equal(
        await page.getByRole("button", { name: "Saved" }).getAttribute(
          "aria-pressed",
        ),
        "true",
      );

      // The list, from the header.
      await page.getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Saved", exact: true }).click();
      await page.waitForURL(`${site.baseUrl}/saved`);
      const row = page.getByTestId("saved-kitchen");
      assert.equal(await row.count(), 1);
      const text = (await row.innerText()).replace(/\s+/g, " ");
      assert.ok(text.includes(TITLE), text);
      assert.ok(text.includes("Andersonville, Chicago"), text);
      assert.ok(text.includes(await nextFreeText(site, k)), text);
      assert.equal(
        await row.getByRole("img").getAttribute("alt"),
        k.photos[0].alt,
      );
      await check(page, "saved list");
      await row.getByRole("button", { name: `Remove ${TITLE}` }).click();
      await page.waitForURL(/\/saved\?notice=removed$/);
      assert.equal(
        await page.getByRole("status").textContent(),
        "Removed from your saved kitchens.",
      );
      await page.getByRole("heading", { name: "No saved kitchens yet" })
        .waitFor();
      await check(page, "saved list, empty");
      await page.getByRole("link", { name: "Find a kitchen" }).last().click();
      await page.waitForURL(`${site.baseUrl}/search`);
      v.assertClean();
    } finally {
      await v.close();
      await site.close();
    }
  },
);

browserTest(
  "saved journey without JavaScript: a visitor's heart → log in → one press saves it → back on the search; the kitchen page's heart and /saved's Remove are plain forms; axe-clean at 1440 and 390 px",
  async (browser) => {
    const site = await demoSite();
    const v = visit(browser);
    const check = checker(v);
    try {
      const k = await kitchenTitled(site, TITLE);
      const page = await v.newPage({ javaScriptEnabled: false });
      const search = `${site.baseUrl}/search?city=chicago`;
      await page.goto(search);
      await cardHeart(page, TITLE).click();
      await page.waitForURL(/\/login\?next=/);
      await logInHere(page);
      // No island to press it: the page asks, and one press saves.
      await page.waitForURL(new RegExp(`/saved/${k.id}\\?back=`));
      await page.getByRole("heading", { name: "Save this kitchen" }).waitFor();
      await check(page, "save this kitchen, without JavaScript");
      await page.getByRole("button", { name: `Save ${TITLE}` }).click();
      await page.waitForURL(`${search}#save-${k.id}`);
      assert.equal(
        await cardHeart(page, TITLE).getAttribute("aria-pressed"),
        "true",
      );

      // The kitchen page's heart posts and comes back to the page.
      await page.goto(`${site.baseUrl}/kitchens/${k.id}`);
      await page.getByRole("button", { name: "Saved" }).click();
      await page.waitForURL(
        `${site.baseUrl}/kitchens/${k.id}#save-${k.id}`,
      );
      await page.getByRole("button", { name: `Save ${TITLE}` }).click();
      await page.waitForURL(
        `${site.baseUrl}/kitchens/${k.id}#save-${k.id}`,
      );
      assert.equal(
        await page.getByRole("button", { name: "Saved" }).getAttribute(
          "aria-pressed",
        ),
        "true",
      );
      await check(page, "kitchen page saved, without JavaScript");

      await page.goto(`${site.baseUrl}/saved`);
      const text = (await page.getByTestId("saved-kitchen").innerText())
        .replace(/\s+/g, " ");
      assert.ok(text.includes(await nextFreeText(site, k)), text);
      await check(page, "saved list, without JavaScript");
      await page.getByRole("button", { name: `Remove ${TITLE}` }).click();
      await page.waitForURL(/\/saved\?notice=removed$/);
      await page.getByRole("heading", { name: "No saved kitchens yet" })
        .waitFor();
      v.assertClean();
    } finally {
      await v.close();
      await site.close();
    }
  },
);
