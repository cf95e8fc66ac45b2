// A new host guided to a published kitchen, end to end in Chromium, with axe
// on every page at 1440 and 390 pixels wide: "List your kitchen" → sign up as
// a host → confirm from the mailbox → "List your first kitchen" → each
// section saved and "Next" → three photos with progress → the earnings
// example and the policies' terms → a permit uploaded → the checklist's
// payouts link → staff verify the permit → the notification "Your kitchen
// can be published" → publish → the calendar link copied → a renter books
// it → the booked hours are shaded on the dashboard's month view.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import encodePng from "@jsquash/png/encode.js";
import type { Browser, Page } from "playwright-core";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { createJobRunner } from "../../lib/jobs/runner.ts";
import { localToday } from "../../lib/kitchens/free_time.ts";
import {
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { givePermits, giveWallet } from "../compliance_helpers.ts";
import { testApp } from "../helpers.ts";
import { makePdf } from "../pdf_fixtures.ts";
import { axeViolations, formatViolations } from "./axe.ts";
import { browserTest, startServer } from "./browser.ts";

const TITLE = "Lakeview Night Kitchen";
const WIDTHS = [[1440, 900], [390, 844]] as const;

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

async function logIn(page: Page, base: string, email: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.click("main button:has-text('Log in')");
  await page.waitForURL(/\/(account|host|admin)$/);
}

browserTest(
  "host: guided from 'List your kitchen' section by section to publish, prompted when the last permit is verified, then booked and shaded on the month view",
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
    // axe at both widths, then back to the desktop one.
    const audit = async (page: Page, where: string) => {
      for (const [width, height] of WIDTHS) {
        await page.setViewportSize({ width, height });
        const found = await axeViolations(page);
        if (found.length) {
          violations.push(formatViolations(`${where} at ${width}px`, found));
        }
      }
      await page.setViewportSize({ width: 1440, height: 900 });
    };
    const viewport = { width: 1440, height: 900 };
    const context = await browser.newContext({ viewport });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: base,
    });
    const staffContext = await browser.newContext({ viewport });
    const renterContext = await browser.newContext({ viewport });
    try {
      const page = await context.newPage();
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      const main = page.locator("main");
      const next = async (to: string, path: RegExp) => {
        await main.getByRole("link", { name: `Next: ${to}` }).click();
        await page.waitForURL(path);
      };
      const save = async (section: string) => {
        await page.click("main button:has-text('Save')");
        await page.waitForURL(new RegExp(`/edit/${section}\\?notice=saved$`));
        assert.match(await main.innerText(), /Saved\./);
      };

      // A visitor's "List your kitchen" is sign-up as a host.
      await page.goto(`${base}/`);
      await page.click("header >> text=List your kitchen");
      await page.waitForURL(/\/signup\?as=host$/);
      assert.ok(await page.isChecked("input[name=intent][value=host]"));
      await audit(page, "/signup?as=host");
      await main.getByLabel("Your name").fill("Lena Lakeview");
      await main.getByLabel("Email", { exact: true }).fill("lena@example.com");
      await main.getByLabel("Password", { exact: true }).fill(
        "a long host passphrase",
      );
      await page.click("button:has-text('Create account')");
      await page.waitForURL(/\/signup\/sent$/);
      await runJobs();
      await page.goto(`${base}/dev/mailbox`);
      await page.click("text=Confirm your email for Prep");
      const link = await page.locator("a[href*='/verify-email?token=']")
        .first().getAttribute("href");
      await page.goto(link!);
      await page.click("button:has-text('Confirm my email address')");
      // A new host lands on their dashboard, told the email is confirmed;
      // with no kitchens yet, its main action is the first listing.
      await page.waitForURL(/\/host\?notice=verified$/);
      await main.getByText("Your email address is confirmed.").waitFor();
      await audit(page, "/host (no kitchens)");
      await main.getByRole("link", { name: "List your first kitchen" })
        .click();
      await page.waitForURL(/\/host\/kitchens\/new$/);
      await audit(page, "/host/kitchens/new");
      await page.click("button:has-text('Start a draft')");
      await page.waitForURL(/\/edit\/basics\?notice=created$/);
      const id = new URL(page.url()).pathname.split("/")[3];
      await audit(page, "/host/kitchens/:id/edit/basics");

      // A field the lib refuses is shown in red, with its message.
      await main.getByLabel("Title").fill("K");
      await main.getByLabel("Description").fill(
        "A late-night commissary with a deck oven, for bakers who start at ten.",
      );
      await main.getByLabel("How many people can work at once").fill("3");
      await page.click("main button:has-text('Save')");
      await page.waitForLoadState("load");
      const title = main.getByLabel("Title");
      assert.equal(await title.getAttribute("aria-invalid"), "true");
      const style = await title.evaluate((el) => {
        const s = getComputedStyle(el);
        return [s.borderTopColor, s.borderTopWidth];
      });
      assert.deepEqual(style, ["rgb(185, 28, 28)", "2px"]);
      const describedBy = await title.getAttribute("aria-describedby");
      assert.ok(
        await page.locator(`#${describedBy} >> text=/at least 3/`).isVisible(),
      );
      await audit(page, "/host/kitchens/:id/edit/basics (errors)");

      // Leaving a section with changes not saved asks first, as does leaving
      // one sent back refused (what it shows is not saved); staying keeps them.
      const leaveAndStay = async () => {
        const asked = page.waitForEvent("dialog");
        const leaving = page.locator(
          "nav[aria-label='Listing sections'] >> visible=true",
        ).getByRole("link", { name: /Location/ }).click({ noWaitAfter: true });
        const dialog = await asked;
        assert.equal(dialog.type(), "beforeunload");
        await dialog.dismiss();
        await leaving;
        assert.match(page.url(), /\/edit\/basics/);
      };
      await leaveAndStay();
      assert.equal(await title.inputValue(), "K");
      await title.fill(TITLE);
      await leaveAndStay();
      assert.equal(await title.inputValue(), TITLE);

      // Each section: Save says "Saved." and leads to the next.
      await save("basics");
      const steps = page.locator(
        "nav[aria-label='Listing sections'] >> visible=true",
      );
      assert.match(await steps.innerText(), /Basics\s+✓ Done/);
      await next("Location", /\/edit\/location$/);
      await main.getByLabel("Street address").fill("4400 N Broadway");
      await main.getByLabel("Neighbourhood").fill("Uptown");
      await main.getByLabel("City").selectOption("chicago");
      await main.getByLabel("State").fill("IL");
      await main.getByLabel("ZIP code").fill("60640");
      await save("location");
      await audit(page, "/host/kitchens/:id/edit/location (saved)");
      await next("Equipment and storage", /\/edit\/features$/);
      await main.getByLabel("Deck oven").check();
      await main.getByLabel("Dry storage").check();
      await save("features");
      await next("Photos", /\/edit\/photos$/);

      // Three photos through the island; the response is held back a moment
      // so the progress bar is there to be seen.
      await page.route(`**/host/kitchens/${id}/photos`, async (route) => {
        await new Promise((r) => setTimeout(r, 400));
        await route.continue();
      });
      for (let n = 1; n <= 3; n++) {
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
        await page.waitForURL(/notice=added$/);
        await page.waitForFunction(
          (count) => document.querySelectorAll("main img").length >= count,
          n,
        );
      }
      await audit(page, "/host/kitchens/:id/edit/photos");
      await next("Hours and booking rules", /\/edit\/hours$/);

      // Hours: every day 08:00–20:00 and an overnight Friday 22:00–06:00.
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
      await next("Prices", /\/edit\/pricing$/);

      // What the host receives, from the same pricing function as quotes.
      assert.match(
        await main.innerText(),
        /Prep's commission is 15% of the hours and the cleaning fee/,
      );
      await main.getByLabel("Price per hour (USD)").fill("40");
      await main.getByLabel("Cleaning fee per booking (USD)").fill("20");
      await save("pricing");
      assert.match(
        await main.innerText(),
        /A 4-hour booking at \$40: renter pays \$160 \+ \$20 cleaning; you receive \$153\./,
      );
      await audit(page, "/host/kitchens/:id/edit/pricing (saved)");
      await next("House rules and cancellation", /\/edit\/rules$/);

      // Each cancellation policy with its terms.
      const rules = await main.innerText();
      assert.match(
        rules,
        /Flexible\s+Cancel at least 24 hours before your booking starts for a full refund\./,
      );
      assert.match(
        rules,
        /Strict\s+Cancel at least 7 days before your booking starts for a 50% refund\./,
      );
      await page.check("input[name=cancellationPolicy][value=flexible]");
      await main.getByLabel("House rules").fill("Label everything\nNo nuts");
      await save("rules");
      await audit(page, "/host/kitchens/:id/edit/rules (saved)");
      await next("Permits", /\/permits$/);

      // Two of Chicago's permits are in (uploaded and verified earlier; the
      // upload form is walked in compliance_test.ts); the health permit is
      // uploaded here.
      const hostId = (await t.kv.get<string>(
        keys.userByEmail("lena@example.com"),
      )).value!;
      await givePermits(
        t.kv,
        {
          id,
          hostId,
          address: { city: "chicago" },
        },
        t.clock(),
        { except: ["health_permit"] },
      );
      await page.reload();
      await main.getByLabel("Type", { exact: true }).selectOption(
        "health_permit",
      );
      const expiry = `${new Date(t.clock()).getUTCFullYear() + 2}-06-30`;
      await main.getByLabel(/^File/).setInputFiles({
        name: "health-permit.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(
          await makePdf([
            "CHICAGO DEPARTMENT OF PUBLIC HEALTH",
            "Health Permit",
            "Permit No. HP-2026-7731",
            "Issue Date: 01/15/2026",
            `Expiration Date: 06/30/${expiry.slice(0, 4)}`,
          ]),
        ),
      });
      await page.click("main button:has-text('Continue')");
      await page.waitForLoadState("load");
      const details = page.locator("main form#upload");
      const authority = details.getByLabel(/Issuing authority/);
      if (!(await authority.inputValue())) {
        await authority.fill("Chicago Department of Public Health");
      }
      await page.click("main button:has-text('Send for review')");
      await page.waitForURL(/notice=uploaded/);
      assert.match(await steps.innerText(), /Permits\s+… In review/);
      await audit(page, "/host/kitchens/:id/permits (uploaded)");
      await next("Review and publish", new RegExp(`/host/kitchens/${id}$`));

      // Publish waits, disabled, with the reasons next to it as links.
      const publish = main.getByRole("button", { name: "Publish" });
      assert.ok(await publish.isDisabled());
      const blockers = await main.locator("#publish-blockers").innerText();
      assert.match(
        blockers,
        /Permits: get these verified by Prep: Health permit\./,
      );
      assert.match(blockers, /Set up payouts so renters can pay you\./);
      assert.doesNotMatch(blockers, /Photos|not finished/);
      await audit(page, "/host/kitchens/:id (blocked)");
      await main.getByRole("link", {
        name: "Set up payouts so renters can pay you.",
      }).click();
      await page.waitForURL(/\/host\/payouts$/);
      await audit(page, "/host/payouts");
      await page.click("button:has-text('Set up demo payouts')");
      await page.waitForURL(/notice=demo-ready$/);
      await main.getByRole("link", { name: "Continue with your kitchens" })
        .click();
      await page.waitForURL(/\/host\/kitchens$/);

      // Staff verify the permit from the queue.
      const staff = await staffContext.newPage();
      await logIn(staff, base, "admin@prep.test");
      await staff.goto(`${base}/admin/documents`);
      await staff.locator("main a[href^='/admin/documents/']").first().click();
      await staff.waitForURL(/\/admin\/documents\/[0-9A-Z]{26}$/);
      assert.match(await staff.locator("main").innerText(), /HP-2026-7731/);
      await staff.click("main button:has-text('Verify')");
      await staff.waitForLoadState("load");

      // The host is told, in the app and by email, and follows the link.
      await runJobs();
      const mail = (await listMail(t.kv)).find((m) =>
        m.to === "lena@example.com" &&
        m.subject === "Your kitchen can be published"
      );
      assert.ok(mail, "the email");
      assert.ok(mail.text.includes(`${base}/host/kitchens/${id}`));
      await page.goto(`${base}/host/kitchens`);
      await page.click("header >> text=Notifications");
      await page.waitForURL(/\/account\/notifications$/);
      await audit(page, "/account/notifications");
      await main.getByRole("link", { name: "Your kitchen can be published" })
        .click();
      await page.waitForURL(new RegExp(`/host/kitchens/${id}$`));
      assert.match(await main.innerText(), /Everything is in place\./);
      assert.match(
        await steps.innerText(),
        /Your listing: 8 of 8 sections done/,
      );
      await audit(page, "/host/kitchens/:id (ready)");
      await publish.click();
      await page.waitForURL(/\?notice=published$/);
      assert.match(
        await main.innerText(),
        /Published: your kitchen is in search and taking bookings\./,
      );

      // The calendar link, copied with one click.
      await steps.getByRole("link", { name: "Calendar and sync" }).click();
      await page.waitForURL(/\/edit\/calendar$/);
      await page.click("main button:has-text('Make a calendar link')");
      await page.waitForURL(/\/edit\/calendar\?notice=export-made$/);
      await page.waitForSelector("prep-island[data-hydrated]");
      const feed = await main.getByLabel("Your calendar link").inputValue();
      await main.getByRole("button", { name: "Copy link" }).click();
      await main.getByRole("button", { name: "Copied" }).waitFor();
      assert.equal(
        await page.evaluate(() => navigator.clipboard.readText()),
        feed,
      );
      await audit(page, "/host/kitchens/:id/edit/calendar (link made)");
      // A refresh shows it no more, and makes no new link in its place.
      await page.reload();
      assert.match(await main.innerText(), /was shown once, when it was made/);
      const still = await fetch(feed);
      await still.body?.cancel();
      assert.equal(still.status, 200, "the copied link still works");

      // A renter books it.
      const renter = await renterContext.newPage();
      await logIn(renter, base, "renter@prep.test");
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

      // The month view shades the booked hours on the kitchen's row.
      await page.goto(`${base}/host?month=${date.slice(0, 7)}`);
      const cell = page.locator(`#month-grids td[data-date="${date}"]`);
      assert.equal(await cell.getAttribute("data-booked-minutes"), "180");
      assert.match(await cell.innerText(), /3h/);
      assert.match(await cell.getAttribute("class") ?? "", /bg-emerald-200/);
      await audit(page, "/host (a booking)");
      assert.deepEqual(problems, []);
      assert.deepEqual(violations, [], violations.join("\n\n"));
    } finally {
      await context.close();
      await staffContext.close();
      await renterContext.close();
      await server.shutdown();
      t.close();
    }
  },
);
