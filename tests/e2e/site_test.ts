// The renter's first path through the real app in Chromium: home → search → kitchen → free hours.
import assert from "node:assert/strict";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { browserTest, startServer } from "./browser.ts";

async function site() {
  const t = await testApp();
  const host = await addHost(t.kv, "Marisol Vega");
  await addKitchens(t.kv, host.id, [
    kitchenFixture({ title: "Oven Only Kitchen", hourlyPriceCents: 3000 }),
    kitchenFixture({
      title: "Fryer House",
      hourlyPriceCents: 5500,
      equipment: ["fryer", "flat_top_griddle"],
      // Weekdays all day; Saturday only 10:00–14:00, so the date picker has something to show.
      weeklyHours: [
        ...[1, 2, 3, 4, 5].map((day) => ({
          day,
          start: "08:00",
          end: "20:00",
        })),
        { day: 6, start: "10:00", end: "14:00" },
      ],
    }),
    kitchenFixture({
      title: "Far Away Kitchen",
      address: { ...kitchenFixture().address, city: "boston" },
      timeZone: "America/New_York",
      equipment: ["fryer"],
    }),
  ]);
  const server = startServer(t.app);
  return {
    ...t,
    baseUrl: server.baseUrl,
    close: async () => {
      await server.shutdown();
      t.close();
    },
  };
}

browserTest(
  "site: home → search with filters → kitchen → pick a date → free hours",
  async (browser) => {
    const s = await site();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") {
        problems.push(m.text());
      }
    });
    page.on("pageerror", (e) => problems.push(e.message));
    try {
      await page.goto(`${s.baseUrl}/`);
      assert.equal(
        await page.locator("script").count(),
        0,
        "home ships no JavaScript",
      );
      await page.selectOption("#hero-city", "chicago");
      await page.fill("#hero-date", "2026-12-03");
      await page.click("text=Find kitchens");
      // The hero's ZIP field, left empty, goes along empty.
      await page.waitForURL(/\/search\?city=chicago&near=&date=2026-12-03/);
      assert.equal(
        await page.locator("ul[aria-label=Kitchens] > li").count(),
        2,
      );

      await page.check("input[name=equipment][value=fryer]");
      await page.click("text=Show kitchens");
      await page.waitForURL(/equipment=fryer/);
      const cards = page.locator("ul[aria-label=Kitchens] > li");
      assert.equal(await cards.count(), 1);
      assert.match(await cards.first().innerText(), /Fryer House/);

      await cards.first().locator("a").click();
      await page.waitForSelector("prep-island[data-hydrated]");
      assert.match(await page.locator("h1").innerText(), /Fryer House/);
      // A mark on this document: a reload would lose it.
      await page.evaluate(() => {
        (globalThis as { sameDocument?: boolean }).sameDocument = true;
      });

      // Saturday 2026-12-05: open 10:00–14:00, 2-hour minimum → 10:00 … 12:00.
      await page.fill("#availability-date", "2026-12-05");
      await page.dispatchEvent("#availability-date", "change");
      await page.waitForSelector("text=5 start times on Sat, Dec 5");
      const slots = await page.locator("[data-testid=slots] li")
        .allInnerTexts();
      assert.match(slots[0], /10:00 AM/);
      assert.match(slots[4], /12:00 PM/);
      assert.ok(
        await page.evaluate(() =>
          (globalThis as { sameDocument?: boolean }).sameDocument === true
        ),
        "the island updates without reloading",
      );
      // The address follows the date picked (reloading or sharing keeps it).
      assert.match(page.url(), /[?&]date=2026-12-05&start=10:00&end=12:00$/);

      // Sunday is closed.
      await page.fill("#availability-date", "2026-12-06");
      await page.dispatchEvent("#availability-date", "change");
      await page.waitForSelector("text=No bookable hours on Sun, Dec 6");
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await s.close();
    }
  },
);

browserTest(
  "site: the availability form works without JavaScript",
  async (browser) => {
    const s = await site();
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${s.baseUrl}/search?city=chicago&equipment=fryer`);
      await page.click("text=Fryer House");
      await page.fill("#availability-date", "2026-12-05");
      await page.click("text=Show hours");
      await page.waitForURL(/date=2026-12-05/);
      assert.equal(await page.locator("[data-testid=slots] li").count(), 5);
    } finally {
      await context.close();
      await s.close();
    }
  },
);

browserTest(
  "site: readable on a 360 px phone without horizontal scrolling",
  async (browser) => {
    const s = await site();
    const page = await browser.newPage({
      viewport: { width: 360, height: 740 },
    });
    try {
      for (const path of ["/", "/search?city=chicago", "/cities/chicago"]) {
        await page.goto(`${s.baseUrl}${path}`);
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth -
          document.documentElement.clientWidth
        );
        assert.equal(overflow, 0, `${path} scrolls sideways by ${overflow}px`);
      }
    } finally {
      await page.close();
      await s.close();
    }
  },
);
