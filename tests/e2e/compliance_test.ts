// Compliance end to end in Chromium, with axe (WCAG 2 A/AA) on every page:
// a host uploads the missing permit of a San Francisco kitchen (prefilled from
// its PDF) → an admin verifies it on the queue page → the kitchen is in search
// → a renter without insurance sees the DENY reasons → uploads a certificate
// of insurance → the admin verifies it → the renter books, ticking each of the
// city's conditions, and pays on the demo checkout.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import type { Booking } from "../../lib/bookings/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { createJobRunner } from "../../lib/jobs/runner.ts";
import { localToday } from "../../lib/kitchens/free_time.ts";
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { addVerified, givePermits, upload } from "../compliance_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { makePdf } from "../pdf_fixtures.ts";
import { axeViolations, formatViolations } from "./axe.ts";
import { browserTest, startServer } from "./browser.ts";

async function logIn(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.click("main button:has-text('Log in')");
  await page.waitForURL(/\/(account|host|admin)$/);
}

browserTest(
  "compliance: permit upload → admin verifies → bookable → renter denied → uploads a COI → verified → books with conditions",
  async (browser: Browser) => {
    let app: { fetch: (r: Request) => Response | Promise<Response> } | null =
      null;
    const server = startServer({
      fetch: (req) =>
        app ? app.fetch(req) : new Response(null, { status: 503 }),
    });
    const t = await testApp(Date.now(), { BASE_URL: server.baseUrl });
    app = t.app;
    const base = server.baseUrl;
    const runner = createJobRunner(t.kv, t.services.jobs, {
      now: t.clock,
      log: () => {},
    });
    const violations: string[] = [];
    const audit = async (page: Page, where: string) => {
      const found = await axeViolations(page);
      if (found.length) violations.push(formatViolations(where, found));
    };
    const hostContext = await browser.newContext();
    const staffContext = await browser.newContext();
    const renterContext = await browser.newContext();
    try {
      await seedDemoAccounts(t.kv, new Date(t.clock()));
      const hostUser = DEMO_ACCOUNTS.find((a) => a.email === "host@prep.test")!;
      await t.kv.set(keys.host(hostUser.id), {
        ...await addHost(t.kv, "Mission Commissary"),
        id: hostUser.id,
      });
      await setDemoPayoutReady(t.kv, hostUser.id, t.clock());
      const [k] = await addKitchens(
        t.kv,
        hostUser.id,
        [kitchenFixture({
          title: "Mission Street Kitchen",
          address: {
            line1: "2100 Mission St",
            neighborhood: "Mission",
            city: "san-francisco",
            state: "CA",
            postalCode: "94110",
          },
          timeZone: "America/Los_Angeles",
        })],
        "published",
        { permits: false },
      );
      // Every San Francisco permit verified but the health permit.
      await givePermits(t.kv, k, t.clock(), { except: ["health_permit"] });
      const renterId = "demo-user-renter";
      await addVerified(
        t.kv,
        { kind: "renter", id: renterId },
        renterId,
        upload("food_handler_card"),
        t.clock(),
      );
      const date = Temporal.PlainDate.from(localToday(k.timeZone, t.clock()))
        .add({ days: 7 }).toString();

      // The kitchen is not in search yet.
      const renter = await renterContext.newPage();
      await renter.goto(`${base}/search?city=san-francisco`);
      assert.doesNotMatch(
        await renter.locator("main").innerText(),
        /Mission Street Kitchen/,
      );

      // The host uploads the health permit; the PDF's number and dates are read.
      const host = await hostContext.newPage();
      await logIn(host, base, "host@prep.test");
      await host.goto(`${base}/host/kitchens/${k.id}/permits`);
      assert.match(await host.locator("main").innerText(), /Health permit/);
      await audit(host, "/host/kitchens/:id/permits");
      await host.getByLabel("Type", { exact: true }).selectOption(
        "health_permit",
      );
      const expiry = `${Number(date.slice(0, 4)) + 1}-12-31`;
      await host.getByLabel(/^File/).setInputFiles({
        name: "health-permit.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(
          await makePdf([
            "SAN FRANCISCO DEPARTMENT OF PUBLIC HEALTH",
            "Health Permit",
            "Permit No. HP-2026-0415",
            "Issue Date: 01/15/2026",
            `Expiration Date: 12/31/${expiry.slice(0, 4)}`,
          ]),
        ),
      });
      await host.click("main button:has-text('Continue')");
      await host.waitForLoadState("load");
      const details = host.locator("main form#upload");
      assert.equal(
        await details.getByLabel(/Document number/).inputValue(),
        "HP-2026-0415",
      );
      assert.equal(
        await details.getByLabel(/Expiry date/).inputValue(),
        expiry,
      );
      await audit(host, "/host/kitchens/:id/permits (check the details)");
      const authority = details.getByLabel(/Issuing authority/);
      if (!(await authority.inputValue())) {
        await authority.fill("San Francisco Department of Public Health");
      }
      await host.click("main button:has-text('Send for review')");
      await host.waitForURL(/notice=uploaded/);

      // An admin verifies it from the queue.
      const staff = await staffContext.newPage();
      await logIn(staff, base, "admin@prep.test");
      await staff.goto(`${base}/admin/documents`);
      await audit(staff, "/admin/documents");
      await staff.locator("main a[href^='/admin/documents/']").first().click();
      await staff.waitForURL(/\/admin\/documents\/[0-9A-Z]{26}$/);
      assert.match(await staff.locator("main").innerText(), /HP-2026-0415/);
      await audit(staff, "/admin/documents/:id");
      await staff.click("main button:has-text('Verify')");
      await staff.waitForLoadState("load");

      // The kitchen is now in search, and its page lists San Francisco's rules.
      await renter.goto(`${base}/search?city=san-francisco`);
      assert.match(
        await renter.locator("main").innerText(),
        /Mission Street Kitchen/,
      );
      await logIn(renter, base, "renter@prep.test");
      await renter.goto(`${base}/kitchens/${k.id}`);
      assert.match(
        await renter.locator("main").innerText(),
        /San Francisco rules for this kitchen/,
      );
      await audit(renter, "/kitchens/:id (signed in)");

      // Without insurance the review page says why and offers no payment.
      const review =
        `${base}/bookings/new?kitchen=${k.id}&date=${date}&start=10:00&end=13:00`;
      await renter.goto(review);
      const denied = await renter.getByRole("alert").innerText();
      assert.match(denied, /rules do not allow this booking/);
      assert.match(denied, /liability insurance must cover at least/i);
      assert.equal(
        await renter.getByRole("button", { name: "Continue to payment" })
          .count(),
        0,
      );
      await audit(renter, "/bookings/new (denied)");

      // The renter uploads a certificate of insurance naming the city.
      await renter.goto(`${base}/account/compliance`);
      await renter.getByLabel("Type", { exact: true }).selectOption(
        "liability_insurance",
      );
      await renter.getByLabel(/^File/).setInputFiles({
        name: "coi.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(
          await makePdf([
            "CERTIFICATE OF LIABILITY INSURANCE",
            "Certificate No. CGL-55012",
            "Insurer: Lakeshore Casualty Company",
            "Policy effective 01/01/2026",
            `Policy expiration 12/31/${expiry.slice(0, 4)}`,
            "EACH OCCURRENCE\t$1,000,000",
            "GENERAL AGGREGATE\t$2,000,000",
            "Named insured: Rosa's Tamales LLC",
            "Additional insured: City and County of San Francisco",
          ]),
        ),
      });
      await renter.click("main button:has-text('Continue')");
      await renter.waitForLoadState("load");
      const coi = renter.locator("main form#upload");
      const fillIfEmpty = async (label: RegExp, value: string) => {
        const field = coi.getByLabel(label);
        if (!(await field.inputValue())) await field.fill(value);
      };
      await fillIfEmpty(/Issuing authority/, "Lakeshore Casualty Company");
      await fillIfEmpty(/Issue date/, "2026-01-01");
      await fillIfEmpty(/Per-occurrence/i, "1000000");
      await fillIfEmpty(/Aggregate/i, "2000000");
      await fillIfEmpty(/Named insured/i, "Rosa's Tamales LLC");
      assert.equal(
        await coi.getByLabel(/Additional insured/i).inputValue(),
        "City and County of San Francisco",
      );
      await audit(renter, "/account/compliance (check the details)");
      await renter.click("main button:has-text('Send for review')");
      await renter.waitForURL(/notice=uploaded/);

      await staff.goto(`${base}/admin/documents`);
      await staff.locator("main a[href^='/admin/documents/']").first().click();
      await staff.waitForURL(/\/admin\/documents\/[0-9A-Z]{26}$/);
      assert.match(await staff.locator("main").innerText(), /CGL-55012/);
      await staff.click("main button:has-text('Verify')");
      await staff.waitForLoadState("load");

      // Now the city's conditions are listed, and each must be ticked.
      await renter.goto(review);
      const conditions = renter.locator("main input[name='acknowledge']");
      const count = await conditions.count();
      assert.ok(count >= 1, "San Francisco adds at least its rents tax");
      assert.match(
        await renter.locator("main").innerText(),
        /Commercial Rents Tax/,
      );
      await audit(renter, "/bookings/new (conditions)");
      for (let i = 0; i < count; i++) await conditions.nth(i).check();
      await renter.getByLabel(
        "I have read the house rules and will follow them.",
      ).check();
      await renter.getByRole("button", { name: "Continue to payment" })
        .click();
      await renter.waitForURL(/\/bookings\/[0-9A-Z]{26}\/pay$/);
      await renter.click("main button:has-text('Pay')");
      await renter.waitForURL(/\/bookings\/[0-9A-Z]{26}/);
      for (let pass = 0; pass < 5; pass++) {
        if ((await runner.runDue()).ran === 0) break;
      }
      await renter.reload();
      const bookingId = new URL(renter.url()).pathname.split("/")[2];
      const stored = (await t.kv.get<Booking>(keys.booking(bookingId))).value!;
      assert.equal(stored.status, "confirmed");
      assert.equal(stored.compliance?.conditions.length, count);
      assert.ok(stored.quote.lines.some((l) => l.kind === "city_fee"));
      const booked = await renter.locator("main").innerText();
      assert.match(booked, /confirmed/i);
      assert.match(booked, /Conditions you agreed to/);
      await audit(renter, "/bookings/:id");
      assert.deepEqual(violations, []);
    } finally {
      await hostContext.close();
      await staffContext.close();
      await renterContext.close();
      await server.shutdown();
      t.close();
    }
  },
);
