// Issue 20 in Chromium, axe-clean at 1440 and 390 px on every page visited:
// - a renter searches "near 60614 within 5 mi", sees the distances, opens
//   the map (clustered price markers, the list and the map lighting each
//   other up), pans with the keyboard, searches this area, searches near
//   their own location, and opens a kitchen from the map, whose page shows
//   its approximate circle;
// - a host sets an address (the pin goes to the ZIP's centre), then nudges
//   the pin with the arrow keys and saves it; search finds the kitchen there.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { getKitchen, listKitchenIdsByHost } from "../../lib/kitchens/repo.ts";
import { gazetteer } from "../../lib/place/gazetteer.ts";
import { destination, distanceKm } from "../../lib/place/geo.ts";
import { DEMO_HOSTS } from "../../scripts/demo/hosts.ts";
import { addKitchens, kitchenFixture } from "../helpers.ts";
import { browserTest } from "./browser.ts";
import { demoSite, HOST, hydrated, logIn, visit } from "./journeys.ts";

const gaz = await gazetteer();

/** Waits for the search map's markers (the map chunk loaded and drew them). */
async function mapDrawn(page: Page) {
  await hydrated(page);
  await page.locator("[data-testid=search-map] .leaflet-marker-icon").first()
    .waitFor();
}

/** The markers' texts as a screen reader hears them. */
async function markerNames(page: Page): Promise<string[]> {
  return await page.locator("[data-testid=search-map] .leaflet-marker-icon")
    .evaluateAll((els) =>
      els.map((el) => el.querySelector(".sr-only")?.textContent ?? "")
    );
}

browserTest(
  "place: a renter searches near 60614 within 5 mi, opens the map, sees clusters, pans, searches this area and opens a kitchen, axe-clean at 1440 and 390 px",
  async (browser: Browser) => {
    const s = await demoSite();
    // A row of kitchens on one Lincoln Park block: on the map they crowd
    // into one cluster.
    const z = gaz.zip("60614")!;
    await addKitchens(
      s.kv,
      DEMO_HOSTS[4].id,
      Array.from({ length: 6 }, (_, i) => {
        const at = destination(z, i, 0.15 + i * 0.05);
        return kitchenFixture({
          title: `Lincoln Park Kitchen ${i + 1}`,
          lat: at.lat,
          lng: at.lng,
          hourlyPriceCents: 3100 + i * 100,
          address: {
            ...kitchenFixture().address,
            neighborhood: "Lincoln Park",
            postalCode: "60614",
          },
        });
      }),
      "published",
      { now: s.clock() },
    );
    const v = visit(browser);
    try {
      const page = await v.newPage();
      await page.goto(`${s.baseUrl}/search`);
      const filters = page.getByRole("form", { name: "Search filters" });
      await filters.getByLabel("Near (ZIP code, or city and state)").fill(
        "60614",
      );
      await filters.getByLabel("Within").selectOption("5");
      await filters.getByRole("button", { name: "Show kitchens" }).click();
      await page.waitForURL(/near=60614/);
      assert.equal(
        await page.locator("h1").innerText(),
        "Kitchens within 5 mi of Chicago, IL 60614",
      );
      const cards = page.locator("ul[aria-label=Kitchens] > li");
      assert.ok(await cards.count() >= 8, "the block and the demo kitchens");
      for (const text of await cards.allInnerTexts()) {
        assert.match(text, /\d\.\d mi away/);
      }
      // No map code until the map is opened (the cards' hearts are the
      // page's only island).
      const fetched: string[] = [];
      page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
      await page.reload();
      assert.deepEqual(
        fetched.filter((p) => /\/assets\/(map|island-SearchMap)/.test(p)),
        [],
      );
      await v.check(page, "/search?near=60614&radius=5");

      // The map: the same kitchens, clustered where they crowd.
      await page.getByTestId("map-toggle").click();
      await page.waitForURL(/view=map/);
      await mapDrawn(page);
      assert.ok(
        fetched.some((p) => /^\/assets\/map_client-[A-Z0-9]{8}\.js$/.test(p)),
        "the map's own chunk, fetched when the map opened",
      );
      const names = await markerNames(page);
      assert.ok(
        names.some((n) => /^\d+ kitchens here; zoom in$/.test(n)),
        `a cluster among ${names.join(" | ")}`,
      );
      assert.ok(
        names.some((n) => /, \$\d+ an hour, \d+\.\d mi away$/.test(n)),
        "single kitchens say their price and distance",
      );
      await v.check(page, "/search?…&view=map");

      // A card lights up its marker (or the cluster it is in), and back.
      const card = cards.filter({ hasText: "Lincoln Park Kitchen 1" });
      await card.hover();
      assert.equal(
        await page.locator(
          "[data-testid=search-map] .leaflet-marker-icon .ring-4",
        ).count(),
        1,
      );
      await page.mouse.move(0, 0);
      assert.equal(
        await page.locator(
          "[data-testid=search-map] .leaflet-marker-icon .ring-4",
        ).count(),
        0,
      );

      // Until the renter moves the map, it searches what the list does.
      assert.equal(await page.getByTestId("search-area").count(), 0);

      // A cluster opens with the keyboard: Enter zooms in to its kitchens
      // (a crowded one may open into smaller clusters first).
      const clusters = page.locator(
        "[data-testid=search-map] .leaflet-marker-icon",
        { hasText: /kitchens here; zoom in/ },
      );
      const singles = async () =>
        (await markerNames(page)).filter((n) => / an hour/.test(n));
      const before = await singles();
      const newSingle = async () =>
        (await singles()).some((n) => !before.includes(n));
      for (let round = 0; round < 4 && !await newSingle(); round++) {
        const drawn = JSON.stringify(await markerNames(page));
        await clusters.first().focus();
        await page.keyboard.press("Enter");
        await page.waitForFunction(
          (old) =>
            JSON.stringify(
              [
                ...document.querySelectorAll(
                  "[data-testid=search-map] .leaflet-marker-icon",
                ),
              ].map((el) => el.querySelector(".sr-only")?.textContent ?? ""),
            ) !== old,
          drawn,
        );
      }
      assert.ok(await newSingle(), "the cluster's kitchens, one by one");

      // Panning with the arrow keys offers "Search this area".
      const map = page.locator("[data-testid=search-map]");
      await map.focus();
      for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowDown");
      await page.getByTestId("search-area").waitFor();
      await page.getByTestId("search-area").click();
      await page.waitForURL(/from=map/);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get("view"), "map");
      assert.equal(url.searchParams.get("near"), null);
      assert.match(
        await page.locator("h1").innerText(),
        /^Kitchens within \d+ mi of the map's centre near .+, IL \d{5}$/,
      );
      await mapDrawn(page);
      await v.check(page, "/search?lat=…&lng=…&from=map&view=map");

      // "Near me" asks the browser only when pressed.
      await page.context().grantPermissions(["geolocation"]);
      await page.context().setGeolocation({
        latitude: 41.9301,
        longitude: -87.6402,
      });
      await page.getByRole("button", { name: "Near me" }).click();
      await page.waitForURL(/from=me/);
      assert.match(
        await page.locator("h1").innerText(),
        /^Kitchens within \d+ mi of your location near Chicago, IL 606\d\d$/,
      );
      await mapDrawn(page);

      // A kitchen from the map, by keyboard: Enter on its marker opens a
      // popup that links its page.
      const singleMarkers = page.locator(
        "[data-testid=search-map] .leaflet-marker-icon",
        { hasText: / an hour/ },
      );
      // The circle "Near me" keeps is the map's last one; when it holds
      // only the crowded block, its cluster opens first (Enter zooms in).
      if (await singleMarkers.count() === 0) {
        await page.locator("[data-testid=search-map] .leaflet-marker-icon")
          .first().focus();
        await page.keyboard.press("Enter");
      }
      const single = singleMarkers.first();
      await single.focus();
      await page.keyboard.press("Enter");
      const open = page.locator(".leaflet-popup a", { hasText: /^Open / });
      const title = (await open.innerText()).slice("Open ".length);
      await open.click();
      await page.waitForURL(/\/kitchens\/[0-9A-Z]{26}/);
      assert.equal(await page.locator("h1").innerText(), title);
      const staticMap = page.getByTestId("static-map");
      assert.equal(
        await staticMap.locator("svg").getAttribute("data-kind"),
        "approximate",
      );
      assert.match(
        await staticMap.innerText(),
        /The exact address and pin come with your confirmed booking/,
      );
      await hydrated(page);
      await v.check(page, "/kitchens/:id (from the map)");
      v.assertClean();
    } finally {
      await v.close();
      await s.close();
    }
  },
);

browserTest(
  "place: a host sets an address, the pin goes to its ZIP, and the host nudges the pin with the keyboard, axe-clean at 1440 and 390 px",
  async (browser: Browser) => {
    const s = await demoSite();
    const [id] = await listKitchenIdsByHost(s.kv, DEMO_HOSTS[0].id);
    const v = visit(browser);
    try {
      const page = await v.newPage();
      await logIn(page, s.baseUrl, HOST);
      await page.goto(`${s.baseUrl}/host/kitchens/${id}/edit/location`);
      await hydrated(page);
      const main = page.locator("main");
      await v.check(page, "/host/kitchens/:id/edit/location");

      // A new address in Williamsburg: saved, the pin is the ZIP's centre.
      await main.getByLabel("Street address").fill("300 Kent Ave");
      await main.getByLabel("Neighbourhood").fill("Williamsburg");
      await main.getByLabel("ZIP code").fill("11249");
      assert.match(
        await page.getByTestId("pin-picker").innerText(),
        /You changed the ZIP code: saving puts the pin at its centre/,
      );
      await main.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(/edit\/location\?notice=saved$/);
      const centre = gaz.zip("11249")!;
      const saved = (await getKitchen(s.kv, id))!;
      assert.equal(saved.address.postalCode, "11249");
      assert.ok(distanceKm(saved, centre) < 0.001, "at the ZIP's centre");

      // Three presses north and one long step east, from the keyboard.
      await hydrated(page);
      await page.locator("[data-testid=pin-map] .leaflet-marker-icon")
        .waitFor();
      await main.getByRole("button", {
        name: "Move the pin with the keyboard",
      }).click();
      for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowUp");
      await page.keyboard.press("Shift+ArrowRight");
      assert.match(
        await page.getByTestId("pin-picker").getByRole("status").innerText(),
        /^Pin moved 100 m east: \d+\.\d{6}, -\d+\.\d{6}\.$/,
      );
      await v.check(page, "/host/kitchens/:id/edit/location (pin moved)");
      await main.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(/edit\/location\?notice=saved$/);
      const moved = (await getKitchen(s.kv, id))!;
      const north = destination(centre, 0, 0.03);
      const want = destination(north, Math.PI / 2, 0.1);
      assert.ok(
        distanceKm(moved, want) < 0.002,
        `the pin is 30 m north and 100 m east of the centre (${
          (distanceKm(moved, want) * 1000).toFixed(1)
        } m off)`,
      );

      // Renters find it there.
      await page.goto(`${s.baseUrl}/search?near=11249&radius=1`);
      assert.ok(
        (await page.locator("ul[aria-label=Kitchens]").innerText()).includes(
          saved.title,
        ),
      );
      v.assertClean();
    } finally {
      await v.close();
      await s.close();
    }
  },
);
