// The staff directories in Chromium, with axe (WCAG 2 A/AA) on every page: an
// admin opens Users from the staff home, finds the renter by name, suspends
// the account from its page and sees it suspended in the directory; then
// finds a kitchen by title and by host; a mistyped search explains itself.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { axeViolations, formatViolations } from "./axe.ts";
import { browserTest, startServer } from "./browser.ts";

browserTest(
  "staff directory: admin finds the renter by name → suspends from the account page → sees it suspended; finds a kitchen by title and host; axe-clean",
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
    const violations: string[] = [];
    const audit = async (page: Page, where: string) => {
      const found = await axeViolations(page);
      if (found.length) violations.push(formatViolations(where, found));
    };
    const context = await browser.newContext();
    try {
      await seedDemoAccounts(t.kv, new Date(t.clock()));
      const host = DEMO_ACCOUNTS.find((a) => a.email === "host@prep.test")!;
      const [wicker] = await addKitchens(
        t.kv,
        host.id,
        [kitchenFixture({ title: "Wicker Park Commissary" })],
        "published",
        { permits: false },
      );

      const page = await context.newPage();
      await page.goto(`${base}/login`);
      await page.getByLabel("Email", { exact: true }).fill("admin@prep.test");
      await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
      await page.click("main button:has-text('Log in')");
      await page.waitForURL(/\/admin$/);

      await page.goto(`${base}/admin`);
      await page.click("main a[href='/admin/users']");
      await page.waitForURL(/\/admin\/users$/);
      await audit(page, "/admin/users");
      await page.getByLabel(/^Name or email/).fill("rosa");
      await page.click("main button:has-text('Find accounts')");
      await page.waitForURL(/\/admin\/users\?q=rosa$/);
      const results = page.locator("main table");
      assert.match(await results.innerText(), /Rosa Renter/);
      assert.match(await results.innerText(), /renter@prep\.test/);
      assert.match(await results.innerText(), /Active/);
      await audit(page, "/admin/users?q=rosa");

      await page.click("main a:has-text('Rosa Renter')");
      await page.waitForURL(/\/admin\/users\/demo-user-renter$/);
      await page.getByLabel(/^Reason/).fill("Repeated no-shows");
      await page.click("main button:has-text('Suspend the account')");
      await page.waitForURL(/notice=suspended/);
      await page.goto(`${base}/admin/users?q=renter%40prep`);
      assert.match(
        await page.locator("main table").innerText(),
        /Rosa Renter[\s\S]*Suspended/,
      );

      await page.click("nav[aria-label='Staff pages'] a:has-text('Kitchens')");
      await page.waitForURL(/\/admin\/kitchens$/);
      await audit(page, "/admin/kitchens");
      await page.getByLabel(/^Title or city/).fill("wick");
      await page.click("main button:has-text('Find kitchens')");
      await page.waitForURL(/\/admin\/kitchens\?q=wick/);
      const kitchens = await page.locator("main table").innerText();
      assert.match(kitchens, /Wicker Park Commissary/);
      assert.match(kitchens, /Chicago/);
      assert.match(kitchens, /host@prep\.test/);
      await audit(page, "/admin/kitchens?q=wick");
      await page.goto(`${base}/admin/kitchens?host=hank`);
      await page.click("main a:has-text('Wicker Park Commissary')");
      await page.waitForURL(new RegExp(`/admin/kitchens/${wicker.id}$`));

      const bad = await page.goto(`${base}/admin/users?q=%21%21%21`);
      assert.equal(bad?.status(), 400);
      assert.match(
        await page.locator("main").innerText(),
        /Type letters or digits of a name or an email address/,
      );
      await audit(page, "/admin/users?q=!!! (a field error)");
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
      await server.shutdown();
      t.close();
    }
  },
);
