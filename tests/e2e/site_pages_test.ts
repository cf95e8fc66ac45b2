// Issue 17 §19 in Chromium, with axe (WCAG 2 A/AA) on every page: the
// footer's Help, Terms, Privacy and Contact at 1440 and 390 px, and a
// visitor's message from the contact form to the staff's Messages page.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { listMail } from "../../lib/email/mailbox.ts";
import { createJobRunner } from "../../lib/jobs/runner.ts";
import {
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { testApp } from "../helpers.ts";
import { axeViolations, formatViolations } from "./axe.ts";
import { browserTest, startServer } from "./browser.ts";

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

/** Screenshots for a person to look at, when SHOTS names a folder. */
const SHOTS = Deno.env.get("SHOTS");

async function site() {
  let app: { fetch: (r: Request) => Response | Promise<Response> } | null =
    null;
  const server = startServer({
    fetch: (req) => app ? app.fetch(req) : new Response(null, { status: 503 }),
  });
  const t = await testApp(Date.now(), {
    BASE_URL: server.baseUrl,
    SUPPORT_EMAIL: "help@prep.test",
  });
  app = t.app;
  return {
    t,
    base: server.baseUrl,
    close: async () => {
      await server.shutdown();
      t.close();
    },
  };
}

function auditor() {
  const violations: string[] = [];
  return {
    violations,
    async check(page: Page, where: string) {
      const found = await axeViolations(page);
      if (found.length) violations.push(formatViolations(where, found));
      const overflow = await page.evaluate(() =>
        document.documentElement.scrollWidth -
        document.documentElement.clientWidth
      );
      assert.equal(overflow, 0, `${where} scrolls sideways by ${overflow}px`);
      if (SHOTS) {
        await page.screenshot({
          path: `${SHOTS}/${where.replace(/\W+/g, "_")}.png`,
          fullPage: true,
        });
      }
    },
  };
}

browserTest(
  "site pages: the footer leads to Help, Terms, Privacy and Contact, axe-clean at 1440 and 390 px",
  async (browser: Browser) => {
    const s = await site();
    const a = auditor();
    try {
      for (const viewport of VIEWPORTS) {
        const context = await browser.newContext({ viewport });
        const page = await context.newPage();
        await page.goto(`${s.base}/`);
        for (
          const [label, path, heading] of [
            ["Help", "/help", "Help"],
            ["Terms", "/terms", "Terms of use"],
            ["Privacy", "/privacy", "Privacy"],
            ["Contact", "/contact", "Contact Prep"],
          ]
        ) {
          await page.getByRole("navigation", { name: "Help and policies" })
            .getByRole("link", { name: label, exact: true }).click();
          await page.waitForURL(`${s.base}${path}`);
          assert.equal(
            await page.getByRole("heading", { level: 1 }).innerText(),
            heading,
          );
          await a.check(page, `${path} at ${viewport.width}`);
        }
        // The help page's contents jump to their sections, and end with a way on.
        await page.goto(`${s.base}/help`);
        await page.getByRole("navigation", { name: "On this page" })
          .getByRole("link", { name: "Cancelling and refunds" }).click();
        await page.waitForURL(/#cancelling$/);
        assert.ok(
          await page.locator("#cancelling").isVisible(),
          "the section is shown",
        );
        await page.getByRole("link", { name: "Send us a message" }).click();
        await page.waitForURL(`${s.base}/contact`);
        await context.close();
      }
      assert.deepEqual(a.violations, []);
    } finally {
      await s.close();
    }
  },
);

browserTest(
  "contact: a visitor writes from the footer, fixes a mistake, sends; the support inbox gets it and staff read it",
  async (browser: Browser) => {
    const s = await site();
    const a = auditor();
    const runner = createJobRunner(s.t.kv, s.t.services.jobs, {
      now: s.t.clock,
      log: () => {},
    });
    try {
      await seedDemoAccounts(s.t.kv, new Date(s.t.clock()));
      const visitor = await browser.newContext({ viewport: VIEWPORTS[1] });
      const page = await visitor.newPage();
      await page.goto(`${s.base}/`);
      await page.getByRole("navigation", { name: "Help and policies" })
        .getByRole("link", { name: "Contact", exact: true }).click();
      await page.waitForURL(`${s.base}/contact`);
      await page.getByLabel("Your name").fill("Rosa Diaz");
      await page.getByLabel("Email address for our reply").fill(
        "rosa@example.com",
      );
      await page.getByLabel("What is it about?").selectOption("payment");
      await page.getByLabel("Your message").fill("Help");
      await page.getByRole("button", { name: "Send message" }).click();
      await page.waitForSelector("text=Use at least 10 characters");
      assert.equal(
        await page.getByLabel("Your name").inputValue(),
        "Rosa Diaz",
        "what was typed stays",
      );
      await a.check(page, "/contact with an error at 390");
      await page.getByLabel("Your message").fill(
        "My refund has not reached my card yet. Could you check it?",
      );
      await page.getByRole("button", { name: "Send message" }).click();
      await page.waitForURL(`${s.base}/contact/sent`);
      assert.match(
        await page.locator("main").innerText(),
        /Thanks, your message is with us/,
      );
      await a.check(page, "/contact/sent at 390");
      await visitor.close();

      await runner.runDue();
      const mail = (await listMail(s.t.kv)).filter((m) =>
        m.to === "help@prep.test"
      );
      assert.equal(mail.length, 1);
      assert.match(mail[0].text, /My refund has not reached my card yet/);
      const link = /http:\/\/[^\s]+\/admin\/messages#m-[0-9A-Z]{26}/.exec(
        mail[0].text,
      )![0];

      // Support staff follow the email's link (after logging in) and read it.
      const staff = await browser.newContext({ viewport: VIEWPORTS[0] });
      const desk = await staff.newPage();
      await desk.goto(`${s.base}/login`);
      await desk.getByLabel("Email", { exact: true }).fill("support@prep.test");
      await desk.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
      await desk.click("main button:has-text('Log in')");
      await desk.waitForURL(/\/admin$/);
      await desk.goto(`${s.base}/admin`);
      await desk.getByRole("navigation", { name: "Staff pages" })
        .getByRole("link", { name: "Contact messages" }).click();
      await desk.waitForURL(`${s.base}/admin/messages`);
      const id = link.split("#")[1];
      assert.match(
        await desk.locator(`#${id}`).innerText(),
        /A payment or refund, from Rosa Diaz[\s\S]*Could you check it\?/,
      );
      await a.check(desk, "/admin/messages at 1440");
      await desk.setViewportSize(VIEWPORTS[1]);
      await a.check(desk, "/admin/messages at 390");
      await staff.close();
      assert.deepEqual(a.violations, []);
    } finally {
      await s.close();
    }
  },
);
