// Messages in Chromium (issue 18 §1, §2 without JavaScript, §5), with axe on every page at
// 1440×900 and 390×844: a renter asks the host from a kitchen page before booking → the host
// (no JavaScript) finds it by the header's count and answers → the renter's "Refresh" shows the
// answer, phone numbers hidden on both sides → the renter books → the booking page's "Message
// the host" continues the same thread, contact details now shown → the renter reports a message
// → staff find it under Reports, read the thread (audited) and warn the author.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { listAudit } from "../../lib/audit/repo.ts";
import { bookingModeOf } from "../../lib/bookings/holds.ts";
import { keys } from "../../lib/db/keys.ts";
import { getKitchen } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { HIDDEN } from "../../lib/messages/masking.ts";
import { DEMO_HOSTS } from "../../scripts/demo/hosts.ts";
import { giveWallet } from "../compliance_helpers.ts";
import { browserTest } from "./browser.ts";
import {
  ADMIN,
  demoSite,
  HOST,
  logIn,
  NARROW,
  openBookableDate,
  RENTER,
  reviewFromKitchenPage,
  visit,
  WIDE,
} from "./journeys.ts";

/** Set to a directory to keep a screenshot of every page checked, at both widths. */
const SHOTS = Deno.env.get("E2E_SHOTS_DIR");

const QUESTION =
  "Hi! Is the spiral mixer free on Saturday mornings? You can text me at 555-201-4477.";
const ANSWER =
  "Yes, Saturdays are quiet. Call me on 555-318-2290 when you arrive.";
const AFTER_BOOKING = "Booked! My cell is 555-201-4477 if anything comes up.";

/** The demo host account's kitchen that books instantly. */
async function hostsInstantKitchen(kv: Deno.Kv): Promise<Kitchen> {
  for await (
    const e of kv.list<string>({
      prefix: keys.kitchensByHostPrefix(DEMO_HOSTS[0].id),
    })
  ) {
    const k = await getKitchen(kv, e.value);
    if (k?.status === "published" && bookingModeOf(k) === "instant") return k;
  }
  throw new Error("the demo host has no instant kitchen");
}

browserTest(
  "messages: ask before booking → the host answers without JavaScript → Refresh shows it, contacts hidden → booking continues the thread with them shown → a report reaches staff, axe-clean at 1440 and 390 px",
  async (browser: Browser) => {
    const s = await demoSite();
    await giveWallet(s.kv, "demo-user-renter", s.clock());
    const kitchen = await hostsInstantKitchen(s.kv);
    const v = visit(browser);
    let shot = 0;
    const check = async (page: Page, where: string) => {
      await v.check(page, where);
      if (!SHOTS) return;
      for (const [label, size] of [["1440", WIDE], ["390", NARROW]] as const) {
        await page.setViewportSize(size);
        const name = `${String(++shot).padStart(2, "0")}-${
          where.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")
        }-${label}.png`;
        await page.screenshot({ path: `${SHOTS}/${name}`, fullPage: true });
      }
      await page.setViewportSize(WIDE);
    };
    const messagesOf = (page: Page) =>
      page.getByTestId("messages").locator("li").allInnerTexts();
    try {
      // The renter, without JavaScript: every form here posts as is.
      const renter = await v.newPage({ javaScriptEnabled: false });
      const rMain = renter.locator("main");
      await logIn(renter, s.baseUrl, RENTER);
      await renter.goto(`${s.baseUrl}/kitchens/${kitchen.id}`);
      const ask = renter.getByTestId("ask-host");
      assert.match(await ask.innerText(), /Questions\?/);
      await check(renter, "/kitchens/:id (Ask the host)");
      await ask.getByRole("link", { name: "Ask the host" }).click();
      await renter.waitForURL(/\/messages\/new\?kitchen=/);
      assert.equal(await renter.locator("h1").innerText(), "Ask the host");
      await check(renter, "/messages/new");
      await rMain.getByLabel("Your question").fill(QUESTION);
      await rMain.getByRole("button", { name: "Send" }).click();
      await renter.waitForURL(/\/messages\/[0-9A-Z]{26}\?notice=sent#m-/);
      const threadPath = new URL(renter.url()).pathname;
      assert.match(await rMain.innerText(), /Message sent\./);
      // Hidden for the renter too, until a booking is confirmed.
      assert.deepEqual(
        (await messagesOf(renter)).map((m) => m.includes(HIDDEN)),
        [true],
      );
      assert.match(
        await renter.getByTestId("mask-note").innerText(),
        /hidden until a booking is confirmed/,
      );
      await check(renter, "/messages/:id (renter, before booking)");

      // The host, without JavaScript: the header counts it; the inbox leads to it.
      const host = await v.newPage({ javaScriptEnabled: false });
      const hMain = host.locator("main");
      await logIn(host, s.baseUrl, HOST);
      const link = host.getByTestId("messages-link");
      assert.match(await link.innerText(), /^Messages\s+1\s+unread$/);
      await link.click();
      await host.waitForURL(/\/messages$/);
      const row = host.getByTestId("inbox").locator("li").first();
      assert.match(await row.innerText(), /Rosa Renter/);
      assert.match(await row.innerText(), new RegExp(kitchen.title));
      assert.match(await row.innerText(), /1 unread/);
      await check(host, "/messages (host inbox)");
      await row.getByRole("link", { name: "Rosa Renter" }).click();
      await host.waitForURL(new RegExp(`${threadPath}$`));
      assert.doesNotMatch(await link.innerText(), /unread/);
      const asked = (await messagesOf(host))[0];
      assert.ok(asked.includes(HIDDEN) && !asked.includes("555-201-4477"));
      await hMain.getByLabel("Your reply").fill(ANSWER);
      await hMain.getByRole("button", { name: "Send" }).click();
      await host.waitForURL(/\?notice=sent#m-/);
      // The posted reply is on the page at once, masked like the rest.
      const afterReply = await messagesOf(host);
      assert.equal(afterReply.length, 2);
      assert.ok(afterReply[1].includes("Yes, Saturdays are quiet."));
      assert.ok(!afterReply[1].includes("555-318-2290"));
      await check(host, "/messages/:id (host, no JavaScript)");

      // The renter's Refresh shows the answer; the header counts it until then.
      assert.match(
        await renter.getByTestId("messages-link").innerText(),
        /^Messages$/,
      );
      await rMain.getByRole("link", { name: "Refresh" }).click();
      await renter.waitForURL(/#latest$/);
      const refreshed = await messagesOf(renter);
      assert.equal(refreshed.length, 2);
      assert.ok(refreshed[1].includes("Yes, Saturdays are quiet."));
      assert.ok(refreshed[1].includes(HIDDEN));

      // The renter books the kitchen (no JavaScript: the plain booking form).
      await openBookableDate(
        renter,
        s.baseUrl,
        kitchen,
        s.clock(),
        10,
        false,
      );
      await reviewFromKitchenPage(renter);
      for (const box of await rMain.locator("input[name=acknowledge]").all()) {
        await box.check();
      }
      await rMain.getByLabel(
        "I have read the house rules and will follow them.",
      ).check();
      await rMain.getByRole("button", { name: "Continue to payment" }).click();
      await renter.waitForURL(/\/bookings\/[0-9A-Z]{26}\/pay$/);
      const bookingPath = new URL(renter.url()).pathname.replace(/\/pay$/, "");
      await rMain.getByRole("button", { name: /^Pay .+ \(demo\)$/ }).click();
      await renter.waitForURL(/\?notice=paid$/);
      await s.runJobs();
      await renter.goto(`${s.baseUrl}${bookingPath}`);
      const card = renter.getByTestId("booking-messages");
      await check(renter, "/bookings/:id (Messages card)");

      // The booking continues the same thread, contact details shown.
      await card.getByRole("link", { name: "Message the host" }).click();
      await renter.waitForURL(new RegExp(`${threadPath}#latest$`));
      const unmasked = await messagesOf(renter);
      assert.ok(unmasked[0].includes("555-201-4477"));
      assert.ok(unmasked[1].includes("555-318-2290"));
      assert.equal(await renter.getByTestId("mask-note").count(), 0);
      assert.match(
        await renter.getByTestId("thread-bookings").innerText(),
        /confirmed/,
      );
      await rMain.getByLabel("Your reply").fill(AFTER_BOOKING);
      await rMain.getByRole("button", { name: "Send" }).click();
      await renter.waitForURL(/\?notice=sent#m-/);
      assert.ok((await messagesOf(renter))[2].includes("555-201-4477"));
      await check(renter, "/messages/:id (renter, after booking)");

      // The host reads the booking in the same thread, from their booking page too.
      await host.goto(
        `${s.baseUrl}/host/bookings/${bookingPath.split("/")[2]}`,
      );
      await host.getByTestId("booking-messages").getByRole("link", {
        name: "Message the renter",
      }).click();
      await host.waitForURL(new RegExp(`${threadPath}#latest$`));
      assert.ok((await messagesOf(host))[2].includes("555-201-4477"));

      // The renter reports the host's answer; staff find it under Reports.
      const theirs = renter.getByTestId("messages").locator("li").nth(1);
      await theirs.locator("summary").click();
      await theirs.getByLabel("What is wrong with it?").fill(
        "Asked me to call instead of booking on Prep.",
      );
      await theirs.getByRole("button", { name: "Report to Prep" }).click();
      await renter.waitForURL(/\?notice=reported$/);
      assert.match(await rMain.innerText(), /Prep staff will read/);

      const staff = await v.newPage();
      const sMain = staff.locator("main");
      await logIn(staff, s.baseUrl, ADMIN);
      await staff.goto(`${s.baseUrl}/admin`);
      await staff.getByRole("navigation", { name: "Staff pages" })
        .getByRole("link", { name: "Reports" }).click();
      await staff.waitForURL(/\/admin\/reports$/);
      const listed = staff.getByTestId("reports").locator("li").first();
      assert.match(await listed.innerText(), /Asked me to call instead/);
      await check(staff, "/admin/reports");
      await listed.getByRole("link").click();
      await staff.waitForURL(/\/admin\/reports\/[0-9A-Z]{26}$/);
      assert.match(
        await staff.getByTestId("staff-thread").innerText(),
        /Call me on 555-318-2290/,
      );
      await check(staff, "/admin/reports/:id");
      await sMain.getByLabel(/Warn the author/).check();
      await sMain.getByLabel("Your note", { exact: true }).fill(
        "Please keep arrangements and payment on Prep.",
      );
      await sMain.getByRole("button", { name: "Record the decision" }).click();
      await staff.waitForURL(/\/admin\/reports\?notice=warned$/);
      assert.match(await sMain.innerText(), /No reports are waiting/);
      // Staff still cannot open the thread itself.
      const direct = await staff.goto(`${s.baseUrl}${threadPath}`);
      assert.equal(direct?.status(), 404);

      const log = (await listAudit(s.kv, { limit: 50 })).entries;
      assert.ok(log.some((e) => e.action === "thread.viewed"));
      assert.ok(log.some((e) => e.action === "message_report.warned"));
      // The staff's deliberate 404 on the thread is the one error expected.
      v.assertClean([/status of 404 .*\/messages\/[0-9A-Z]{26}\)$/]);
    } finally {
      await v.close();
      await s.close();
    }
  },
);
