// Accounts end to end in Chromium: sign up → confirm from the dev mailbox → log out → forgot
// password → reset from the email → log in with the new password → a renter is refused /admin.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createJobRunner } from "../../lib/jobs/runner.ts";
import { testApp } from "../helpers.ts";
import { browserTest, startServer } from "./browser.ts";

const EMAIL = "ada.lovelace@example.com";
const OLD_PASSWORD = "analytical engine punch cards";
const NEW_PASSWORD = "difference engine brass gears";

/**
 * The app behind a real server whose BASE_URL is the server's own address, so
 * emailed links point back at it. The server starts first (its port is only
 * known then) and hands requests to the app once the app exists.
 */
async function site() {
  let app: { fetch: (req: Request) => Response | Promise<Response> } | null =
    null;
  const server = startServer({
    fetch: (req) => app ? app.fetch(req) : new Response(null, { status: 503 }),
  });
  // The app's clock stands still at the real time the test started: tokens,
  // sessions and jobs all read the same clock.
  const t = await testApp(Date.now(), { BASE_URL: server.baseUrl });
  app = t.app;
  assert.equal(t.config.KV_QUEUES, false, "jobs run only when the test says");
  const runner = createJobRunner(t.kv, t.services.jobs, {
    now: t.clock,
    log: () => {},
  });
  return {
    ...t,
    baseUrl: server.baseUrl,
    /** Runs queued jobs until none are left; a reset request writes its email as a second job. */
    sendMail: async () => {
      const total = { ran: 0, retried: 0, dead: 0 };
      for (let pass = 0; pass < 5; pass++) {
        const r = await runner.runDue();
        total.ran += r.ran;
        total.retried += r.retried;
        total.dead += r.dead;
        if (r.ran === 0) break;
      }
      return total;
    },
    close: async () => {
      await server.shutdown();
      t.close();
    },
  };
}

/** Opens the one mailbox message with this subject and follows its link to `path`. */
async function followEmailLink(
  page: Page,
  baseUrl: string,
  subject: string,
  path: string,
) {
  await page.goto(`${baseUrl}/dev/mailbox`);
  const message = page.locator("main li a", { hasText: subject });
  assert.equal(await message.count(), 1, `one "${subject}" email`);
  assert.match(
    await message.innerText(),
    new RegExp(`to ${RegExp.escape(EMAIL)}`),
  );
  await message.click();
  await page.waitForURL(/\/dev\/mailbox\/[^/]+$/);
  assert.equal(await page.locator("h1").innerText(), subject);
  const link = page.locator(`pre a[href^="${baseUrl}${path}?token="]`);
  assert.equal(await link.count(), 1, `the email links to ${path}`);
  await link.click();
  await page.waitForURL(new RegExp(`${path}\\?token=`));
}

browserTest(
  "accounts: sign up → confirm by email (logs in) → log out → reset the password by email → log in → renter gets 403 on /admin",
  async (browser) => {
    const s = await site();
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") {
        const where = m.location().url;
        problems.push(`${m.type()}: ${m.text()}${where ? ` (${where})` : ""}`);
      }
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    const main = page.locator("main");
    try {
      // Sign up as a renter.
      await page.goto(`${s.baseUrl}/`);
      await page.click("header >> text=Sign up");
      await page.waitForURL(/\/signup$/);
      await page.getByLabel("Your name").fill("Ada Lovelace");
      await page.getByLabel("Email", { exact: true }).fill(EMAIL);
      await page.getByLabel("Password", { exact: true }).fill(OLD_PASSWORD);
      await page.check("input[name=intent][value=rent]");
      await page.click("button:has-text('Create account')");
      // Sign-up never logs in (it must not reveal whether the address had
      // an account); the emailed link confirms the address and logs in.
      await page.waitForURL(/\/signup\/sent$/);
      assert.match(
        await main.innerText(),
        /We have sent a link to the address you gave\./,
      );
      assert.equal(
        (await context.cookies()).some((c) => c.name === "prep_session"),
        false,
        "no session before the address is confirmed",
      );

      // Confirm the address from the email.
      assert.deepEqual(await s.sendMail(), { ran: 1, retried: 0, dead: 0 });
      await followEmailLink(
        page,
        s.baseUrl,
        "Confirm your email for Prep",
        "/verify-email",
      );
      await page.click("button:has-text('Confirm my email address')");
      await page.waitForURL(/\/account\?notice=verified$/);
      assert.match(await main.innerText(), /Your email address is confirmed\./);
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === "prep_session");
      assert.ok(session, `a session cookie: ${JSON.stringify(cookies)}`);
      assert.equal(session.httpOnly, true, "the session cookie is HttpOnly");
      assert.equal(session.sameSite, "Lax");
      assert.equal(
        await page.evaluate(() => document.cookie),
        "",
        "scripts cannot read the session",
      );
      assert.match(
        await main.innerText(),
        new RegExp(`${EMAIL} \\(confirmed\\)`),
      );
      assert.doesNotMatch(
        await page.locator("body").innerText(),
        /to book kitchens or publish a listing/,
        "the banner is gone",
      );

      // Log out.
      await page.click("header button:has-text('Log out')");
      await page.waitForURL(/\/login\?notice=logged-out$/);
      assert.match(await main.innerText(), /You are logged out\./);
      assert.equal(
        (await context.cookies()).some((c) => c.name === "prep_session"),
        false,
        "the session cookie is cleared",
      );

      // Forgot the password.
      await page.click("text=Forgot your password?");
      await page.waitForURL(/\/forgot-password$/);
      await page.getByLabel("Email", { exact: true }).fill(EMAIL);
      await page.click("button:has-text('Email me a link')");
      await page.waitForSelector(
        "text=If an account uses that address, we have emailed it a link.",
      );

      // Reset it from the email: the request job, then the email it wrote.
      assert.deepEqual(await s.sendMail(), { ran: 2, retried: 0, dead: 0 });
      await followEmailLink(
        page,
        s.baseUrl,
        "Reset your Prep password",
        "/reset-password",
      );
      await page.getByLabel("New password").fill(NEW_PASSWORD);
      await page.click("button:has-text('Save the new password')");
      await page.waitForURL(/\/login\?notice=password-reset$/);
      assert.match(
        await main.innerText(),
        /Your password is changed\. Log in with the new one\./,
      );

      // The old password no longer works …
      await page.getByLabel("Email", { exact: true }).fill(EMAIL);
      await page.getByLabel("Password", { exact: true }).fill(OLD_PASSWORD);
      await page.click("main button:has-text('Log in')");
      await page.waitForSelector(
        "text=That email and password do not match an account.",
      );
      assert.equal(
        (await context.cookies()).some((c) => c.name === "prep_session"),
        false,
        "a failed login sets no session",
      );

      // … the new one does.
      await page.getByLabel("Email", { exact: true }).fill(EMAIL);
      await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
      await page.click("main button:has-text('Log in')");
      await page.waitForURL(/\/account$/);
      assert.match(
        await main.innerText(),
        new RegExp(`${EMAIL} \\(confirmed\\)`),
      );
      const again = (await context.cookies()).find((c) =>
        c.name === "prep_session"
      );
      assert.ok(again, "logged in again");
      assert.equal(again.httpOnly, true);
      assert.notEqual(again.value, session.value, "a fresh session");

      // The password change was announced by email too.
      assert.deepEqual(await s.sendMail(), { ran: 1, retried: 0, dead: 0 });
      await page.goto(`${s.baseUrl}/dev/mailbox`);
      assert.equal(
        await page.locator("main li a", {
          hasText: "Your Prep password was changed",
        }).count(),
        1,
      );

      // A renter is not staff.
      assert.equal(await page.locator("header a[href='/admin']").count(), 0);
      const res = await page.goto(`${s.baseUrl}/admin`);
      assert.equal(res?.status(), 403);
      assert.match(
        await main.innerText(),
        /You don't have access to this page/,
      );
      assert.doesNotMatch(await main.innerText(), /Failed jobs/);

      // Browsers log a failed top-level load; only the two refusals the test
      // asked for (the wrong password, /admin) may appear.
      const refused = new RegExp(
        `^error: Failed to load resource: the server responded with a status of (400 \\(Bad Request\\) \\(${
          RegExp.escape(s.baseUrl)
        }/login\\)|403 \\(Forbidden\\) \\(${
          RegExp.escape(s.baseUrl)
        }/admin\\))$`,
      );
      const unexpected = problems.filter((p) => !refused.test(p));
      assert.deepEqual(unexpected, []);
    } finally {
      await context.close();
      await s.close();
    }
  },
);
