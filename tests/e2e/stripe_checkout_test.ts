// Stripe mode in Chromium: "Continue to payment" posts a form whose answer is
// a redirect to Checkout on another origin, which the CSP's form-action must
// allow; paying there returns to the booking page, and only the signed
// webhook confirms the booking. Stripe is the local Stripe-compatible server.
import { giveWallet } from "../compliance_helpers.ts";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { keys } from "../../lib/db/keys.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { createJobRunner } from "../../lib/jobs/runner.ts";
import { localToday } from "../../lib/kitchens/free_time.ts";
import { stripeClient } from "../../lib/payments/stripe.ts";
import {
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { signedWebhook, startStripeFake } from "../stripe_fake.ts";
import { browserTest, startServer } from "./browser.ts";

const SECRET = "whsec_e2e";

browserTest(
  "stripe: Continue to payment reaches Checkout through the CSP, and the webhook confirms",
  async (browser: Browser) => {
    let clock = Date.now;
    const fake = startStripeFake({ now: () => clock() });
    let app: { fetch: (r: Request) => Response | Promise<Response> } | null =
      null;
    const server = startServer({
      fetch: (req) =>
        app ? app.fetch(req) : new Response(null, { status: 503 }),
    });
    const t = await testApp(Date.now(), {
      BASE_URL: server.baseUrl,
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_API_BASE: fake.apiBase,
    });
    app = t.app;
    clock = t.clock;
    const context = await browser.newContext();
    try {
      const account = fake.createAccount({ ready: true });
      const host = await addHost(t.kv, "Stripe Host", {
        payout: {
          provider: "stripe",
          accountId: account.id,
          chargesEnabled: true,
          payoutsEnabled: true,
          requirementsDue: [],
          updatedAt: null,
        },
      });
      const [k] = await addKitchens(t.kv, host.id, [kitchenFixture()]);
      await seedDemoAccounts(t.kv, new Date(t.clock()));
      await giveWallet(t.kv, "demo-user-renter", t.clock());
      const date = Temporal.PlainDate.from(localToday(k.timeZone, t.clock()))
        .add({ days: 10 }).toString();

      const page = await context.newPage();
      const consoleLines: string[] = [];
      page.on("console", (m) => consoleLines.push(m.text()));
      await page.goto(`${server.baseUrl}/login`);
      await page.getByLabel("Email", { exact: true }).fill("renter@prep.test");
      await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
      await page.click("main button:has-text('Log in')");
      await page.waitForURL(/\/account$/);

      const review = await page.goto(
        `${server.baseUrl}/bookings/new?kitchen=${k.id}&date=${date}&start=10:00&end=13:00`,
      );
      const csp = review!.headers()["content-security-policy"];
      assert.match(csp, /form-action 'self' https:\/\/checkout\.stripe\.com/);
      await page.getByLabel("I have read the house rules and will follow them.")
        .check();
      await page.getByRole("button", { name: "Continue to payment" }).click();
      // Blocked by form-action, Chromium would stay here with a CSP error.
      await page.waitForURL((url) => url.origin === fake.origin, {
        timeout: 10_000,
      }).catch(async (err) => {
        throw new Error(
          `${err}\nat ${page.url()}\n${consoleLines.join("\n")}\n${
            (await page.locator("main").innerText()).slice(0, 500)
          }`,
        );
      });
      assert.match(page.url(), /\/pay\/cs_test_/);

      await page.getByRole("button", { name: "Pay" }).click();
      await page.waitForURL(/\/bookings\/[0-9A-Z]{26}\?notice=paid$/);
      const id = new URL(page.url()).pathname.split("/")[2];
      assert.match(
        await page.locator("main").innerText(),
        /Confirming your payment\s+We have your payment and are confirming it\./,
      );
      const held = (await t.kv.get<Booking>(keys.booking(id))).value!;
      assert.equal(held.status, "held", "the return page confirms nothing");

      // Stripe's webhook arrives; the job confirms; the page refreshes itself.
      const stripe = stripeClient(fake.secretKey, { apiBase: fake.apiBase });
      const event = fake.events({ type: "checkout.session.completed" }).at(-1)!;
      const signed = await signedWebhook(stripe, event, SECRET);
      const res = await fetch(`${server.baseUrl}/api/stripe/webhook`, {
        method: "POST",
        headers: signed.headers,
        body: signed.body,
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
      const runner = createJobRunner(
        t.kv,
        t.services.jobs,
        {
          now: t.clock,
          log: () => {},
        },
      );
      for (let pass = 0; pass < 5; pass++) {
        if ((await runner.runDue()).ran === 0) break;
      }
      await page.getByTestId("status").locator("h2", { hasText: "Confirmed" })
        .waitFor({ timeout: 10_000 });
    } finally {
      await context.close();
      await server.shutdown();
      t.close();
      await fake.close();
    }
  },
);
