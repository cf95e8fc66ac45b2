// A new host's first kitchen, end to end in Chromium, with axe on every host
// page: sign up → confirm from the mailbox → start a draft → fill each section
// (an overnight range among the hours) → upload three photos, with progress →
// publish → the kitchen is in search → a renter books it → the booking is on
// the host's dashboard calendar.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import encodePng from "@jsquash/png/encode.js";
import type { Browser, Page } from "playwright-core";
import { keys } from "../../lib/db/keys.ts";
import { getListingFor } from "../../lib/kitchens/listings.ts";
import { givePermits, giveWallet } from "../compliance_helpers.ts";
import { createJobRunner } from "../../lib/jobs/runner.ts";
import { localToday } from "../../lib/kitchens/free_time.ts";
import {
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { testApp } from "../helpers.ts";
import { axeViolations, formatViolations } from "./axe.ts";
import { browserTest, startServer } from "./browser.ts";

const TITLE = "Lakeview Night Kitchen";

async function pngPhoto(hue: number): Promise<Uint8Array> {
  const w = 320, h = 240;
  const data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    data[i * 4] = (hue + i) % 255;
    data[i * 4 + 1] = (i / w) % 255;
    data[i * 4 + 2] = hue;
    data[i * 4 + 3] = 255;
  }
  return new Uint8Array(await encodePng(new ImageData(data, w, h)));
}

browserTest(
  "host: sign up → draft → sections → three photos with progress → publish → in search → booked → on the dashboard calendar",
  async (browser: Browser) => {
    let app: { fetch: (r: Request) => Response | Promise<Response> } | null =
      null;
    const server = startServer({
      fetch: (req) =>
        app ? app.fetch(req) : new Response(null, { status: 503 }),
    });
    const t = await testApp(Date.now(), { BASE_URL: server.baseUrl });
    app = t.app;
    await seedDemoAccounts(t.kv, new Date(t.clock()));
    await giveWallet(t.kv, "demo-user-renter", t.clock());
    const runner = createJobRunner(t.kv, t.services.jobs, {
      now: t.clock,
      log: () => {},
    });
    const runJobs = async () => {
      for (let pass = 0; pass < 5; pass++) {
        if ((await runner.runDue()).ran === 0) return;
      }
    };
    const base = server.baseUrl;
    const problems: string[] = [];
    const violations: string[] = [];
    const audit = async (page: Page, where: string) => {
      const found = await axeViolations(page);
      if (found.length) violations.push(formatViolations(where, found));
    };
    const context = await browser.newContext();
    const renterContext = await browser.newContext();
    try {
      const page = await context.newPage();
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      const main = page.locator("main");

      // Sign up as a host and confirm from the dev mailbox (that logs in).
      await page.goto(`${base}/signup`);
      await main.getByLabel("Your name").fill("Lena Lakeview");
      await main.getByLabel("Email", { exact: true }).fill("lena@example.com");
      await main.getByLabel("Password", { exact: true }).fill(
        "a long host passphrase",
      );
      await page.check("input[name=intent][value=host]");
      await page.click("button:has-text('Create account')");
      await page.waitForURL(/\/signup\/sent$/);
      await runJobs();
      await page.goto(`${base}/dev/mailbox`);
      await page.click("text=Confirm your email for Prep");
      const link = await page.locator("a[href*='/verify-email?token=']")
        .first().getAttribute("href");
      await page.goto(link!);
      await page.click("button:has-text('Confirm my email address')");
      await page.waitForURL(/\/account\?notice=verified$/);

      // Hosting → Your kitchens → a new draft.
      await page.click("header >> text=Hosting");
      await page.waitForURL(/\/host$/);
      await audit(page, "/host (empty)");
      await page.click("main >> text=Your kitchens");
      await page.click("main >> text=List a new kitchen");
      await page.click("button:has-text('Start a draft')");
      await page.waitForURL(/\/edit\/basics\?notice=created$/);
      const id = new URL(page.url()).pathname.split("/")[3];
      await audit(page, "/host/kitchens/:id/edit/basics");

      const save = async (section: string) => {
        await page.click("main button:has-text('Save')");
        await page.waitForURL(
          new RegExp(`/edit/${section}\\?notice=saved$`),
        );
      };
      await main.getByLabel("Title").fill(TITLE);
      await main.getByLabel("Description").fill(
        "A late-night commissary with a deck oven, for bakers who start at ten.",
      );
      await main.getByLabel("How many people can work at once").fill("3");
      await save("basics");

      await page.goto(`${base}/host/kitchens/${id}/edit/location`);
      await main.getByLabel("Street address").fill("4400 N Broadway");
      await main.getByLabel("Neighbourhood").fill("Uptown");
      await main.getByLabel("City").selectOption("chicago");
      await main.getByLabel("State").fill("IL");
      await main.getByLabel("ZIP code").fill("60640");
      await main.getByLabel("Latitude").fill("41.96");
      await main.getByLabel("Longitude").fill("-87.66");
      await save("location");
      await audit(page, "/host/kitchens/:id/edit/location");

      await page.goto(`${base}/host/kitchens/${id}/edit/features`);
      await main.getByLabel("Deck oven").check();
      await main.getByLabel("Dry storage").check();
      await save("features");

      // Hours: every day 08:00–20:00 and an overnight Friday 22:00–06:00.
      await page.goto(`${base}/host/kitchens/${id}/edit/hours`);
      for (let day = 1; day <= 7; day++) {
        await main.getByLabel(`Day ${day}`, { exact: true }).selectOption(
          String(day),
        );
        await main.getByLabel(`Opens ${day}`, { exact: true }).fill("08:00");
        await main.getByLabel(`Closes ${day}`, { exact: true }).fill("20:00");
      }
      await main.getByLabel("Day 8", { exact: true }).selectOption("5");
      await main.getByLabel("Opens 8", { exact: true }).fill("22:00");
      await main.getByLabel("Closes 8", { exact: true }).fill("06:00");
      await main.getByLabel("Minimum notice (hours)").fill("0");
      await save("hours");
      await audit(page, "/host/kitchens/:id/edit/hours");

      await page.goto(`${base}/host/kitchens/${id}/edit/pricing`);
      await main.getByLabel("Price per hour (USD)").fill("38");
      await main.getByLabel("Cleaning fee per booking (USD)").fill("15");
      await save("pricing");

      await page.goto(`${base}/host/kitchens/${id}/edit/rules`);
      await main.getByLabel("House rules").fill("Label everything\nNo nuts");
      await save("rules");

      // Three photos through the island; the response is held back a moment
      // so the progress bar is there to be seen.
      await page.route(`**/host/kitchens/${id}/photos`, async (route) => {
        await new Promise((r) => setTimeout(r, 400));
        await route.continue();
      });
      for (let n = 1; n <= 3; n++) {
        await page.goto(`${base}/host/kitchens/${id}/edit/photos`);
        await page.waitForSelector("prep-island[data-hydrated]");
        await main.getByLabel("Photo", { exact: true }).setInputFiles({
          name: `kitchen-${n}.png`,
          mimeType: "image/png",
          buffer: Buffer.from(await pngPhoto(n * 60)),
        });
        await main.getByLabel("Description", { exact: true }).fill(
          `Photo ${n} of the night kitchen`,
        );
        await page.click("button:has-text('Upload photo')");
        await main.getByLabel("Upload progress").waitFor();
        await page.waitForLoadState("load");
        await page.waitForFunction(
          (count) => document.querySelectorAll("main img").length >= count,
          n,
        );
      }
      await audit(page, "/host/kitchens/:id/edit/photos");

      // Demo payouts (one click here; Stripe Connect with keys).
      await page.goto(`${base}/host/payouts`);
      await audit(page, "/host/payouts");
      await page.click("button:has-text('Set up demo payouts')");
      await page.waitForURL(/notice=demo-ready$/);

      // Publishing waits for the city's permits; staff verify them (the
      // upload and review pages are walked through in compliance_test.ts).
      await page.goto(`${base}/host/kitchens/${id}`);
      assert.match(
        await main.innerText(),
        /Permits: get these verified by Prep: Health permit, Fire safety/,
      );
      const hostId = (await t.kv.get<string>(
        keys.userByEmail("lena@example.com"),
      )).value!;
      const listing = await getListingFor(t.kv, id, {
        id: hostId,
        roles: ["host"],
      });
      await givePermits(t.kv, {
        id,
        hostId,
        address: { city: listing.values.address!.city },
      }, t.clock());

      // The overview says it is ready; publish.
      await page.goto(`${base}/host/kitchens/${id}`);
      assert.match(await main.innerText(), /Everything is in place\./);
      await audit(page, "/host/kitchens/:id");
      await page.click("button:has-text('Publish')");
      await page.waitForURL(/\?notice=published$/);
      assert.match(
        await main.innerText(),
        /Published: your kitchen is in search and taking bookings\./,
      );

      // A renter finds it and books it.
      const renter = await renterContext.newPage();
      await renter.goto(`${base}/login`);
      await renter.getByLabel("Email", { exact: true }).fill(
        "renter@prep.test",
      );
      await renter.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
      await renter.click("main button:has-text('Log in')");
      await renter.waitForURL(/\/account$/);
      await renter.goto(`${base}/search?city=chicago`);
      await renter.click(`text=${TITLE}`);
      await renter.waitForURL(new RegExp(`/kitchens/${id}`));
      const date = Temporal.PlainDate.from(
        localToday("America/Chicago", t.clock()),
      ).add({ days: 3 }).toString();
      await renter.goto(
        `${base}/bookings/new?kitchen=${id}&date=${date}&start=10:00&end=13:00`,
      );
      await renter.getByLabel(
        "I have read the house rules and will follow them.",
      ).check();
      await renter.getByRole("button", { name: "Continue to payment" })
        .click();
      await renter.getByRole("button", { name: /^Pay .+ \(demo\)$/ }).click();
      await renter.waitForURL(/\?notice=paid$/);
      await runJobs();

      // The host sees it on the dashboard calendar, on its local date.
      await page.goto(`${base}/host?month=${date.slice(0, 7)}`);
      const calendar = await page.locator("#month-grids").innerText();
      assert.match(calendar, /10:00 AM/);
      await audit(page, "/host (a booking)");
      assert.deepEqual(problems, []);
      assert.deepEqual(violations, [], violations.join("\n\n"));
    } finally {
      await context.close();
      await renterContext.close();
      await server.shutdown();
      t.close();
    }
  },
);
