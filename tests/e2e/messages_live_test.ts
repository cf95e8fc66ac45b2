// Live messages and attachments in Chromium (issue 18 §2, §4), with axe on every page at
// 1440×900 and 390×844. The renter has asked the demo host a question. With JavaScript: the
// renter waits on another page → the host answers from the thread's reply form (no reload) → the
// renter's header count moves without a reload → the renter opens the thread in a second tab →
// the host sends a PDF → it appears in the renter's open thread without a reload, announced, and
// downloads as an attachment → the host's form refuses a file over 10 MB before sending and shows
// the server's refusal of a GIF beside the field. Without JavaScript: the renter's plain form
// sends a file and the page shows it.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Browser, Page } from "playwright-core";
import { getUser } from "../../lib/accounts/repo.ts";
import type { SessionUser } from "../../lib/accounts/schema.ts";
import { at } from "../../lib/app.ts";
import { bookingModeOf } from "../../lib/bookings/holds.ts";
import { keys } from "../../lib/db/keys.ts";
import { getKitchen } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { startConversation } from "../../lib/messages/threads.ts";
import { DEMO_HOSTS } from "../../scripts/demo/hosts.ts";
import { minimalPdf } from "../compliance_helpers.ts";
import { browserTest } from "./browser.ts";
import {
  demoSite,
  HOST,
  hydrated,
  logIn,
  NARROW,
  RENTER,
  visit,
  WIDE,
} from "./journeys.ts";

/** Set to a directory to keep a screenshot of every page checked, at both widths. */
const SHOTS = Deno.env.get("E2E_SHOTS_DIR");

const QUESTION = "Is the blast chiller free on Sunday mornings?";
const ANSWER = "Yes, it is free all Sunday. Bring your own sheet pans.";
const WITH_FILE = "Here is the kitchen's cleaning checklist.";

async function sessionUser(kv: Deno.Kv, id: string): Promise<SessionUser> {
  const { passwordHash: _, ...user } = (await getUser(kv, id))!;
  return user;
}

async function hostsKitchen(kv: Deno.Kv): Promise<Kitchen> {
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

/** Marks the page's document: still there after an action means no reload happened. */
const mark = (page: Page) =>
  page.evaluate(() => {
    (globalThis as { __sameDocument?: boolean }).__sameDocument = true;
  });
const sameDocument = (page: Page) =>
  page.evaluate(() =>
    (globalThis as { __sameDocument?: boolean }).__sameDocument === true
  );

browserTest(
  "live messages: the host answers, the renter's header count and open thread update without a reload, a PDF arrives and downloads as an attachment, bad files are refused in the form; without JavaScript a file still goes; axe-clean at 1440 and 390 px",
  async (browser: Browser) => {
    const s = await demoSite();
    const kitchen = await hostsKitchen(s.kv);
    const renterUser = await sessionUser(s.kv, "demo-user-renter");
    const { thread } = await startConversation(
      at(s.services),
      renterUser,
      { kitchen: kitchen.id },
      QUESTION,
    );
    const threadPath = `/messages/${thread.id}`;
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
    /** Another tab of the same browser, watched like the rest. */
    const tab = async (of: Page) => {
      const page = await of.context().newPage();
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") {
          v.problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
        }
      });
      page.on("pageerror", (e) => v.problems.push(`pageerror: ${e.message}`));
      return page;
    };
    const items = (page: Page) =>
      page.getByTestId("messages").locator("li[data-message-id]");
    try {
      // The renter waits on another page, signed in, with JavaScript.
      const elsewhere = await v.newPage();
      await logIn(elsewhere, s.baseUrl, RENTER);
      await elsewhere.goto(`${s.baseUrl}/bookings`);
      await hydrated(elsewhere);
      const badge = elsewhere.getByTestId("messages-link");
      assert.equal((await badge.innerText()).trim(), "Messages");
      await mark(elsewhere);
      // And on the inbox, in another tab.
      const inbox = await tab(elsewhere);
      await inbox.goto(`${s.baseUrl}/messages`);
      await hydrated(inbox);
      const inboxCount = inbox.getByTestId("inbox-count");
      assert.equal(
        (await inboxCount.innerText()).trim(),
        "You have no unread messages.",
      );
      await mark(inbox);

      // The host opens the thread from the header and the inbox.
      const host = await v.newPage();
      await logIn(host, s.baseUrl, HOST);
      await host.getByTestId("messages-link").click();
      await host.waitForURL(/\/messages$/);
      await host.getByTestId("inbox").getByRole("link").first().click();
      await host.waitForURL(new RegExp(`${threadPath}$`));
      await hydrated(host);
      await check(host, "/messages/:id (host, live)");
      await mark(host);

      // The host answers; the form empties itself and the answer joins the
      // host's own list, without a reload.
      const hostForm = host.getByTestId("reply");
      await hostForm.getByLabel("Your reply").fill(ANSWER);
      const sentAt = Date.now();
      await hostForm.getByRole("button", { name: "Send" }).click();
      await host.waitForFunction(
        (text) =>
          [...document.querySelectorAll("#thread-messages li")].some((li) =>
            li.textContent?.includes(text)
          ),
        ANSWER,
      );
      assert.equal(await hostForm.getByLabel("Your reply").inputValue(), "");
      assert.ok(await sameDocument(host), "the host's page did not reload");

      // The renter's header on the other page counts it, without a reload.
      await elsewhere.waitForFunction(() =>
        /Messages\s*1\s*unread/.test(
          document.querySelector("[data-testid=messages-link]")?.textContent ??
            "",
        )
      );
      const badgeMs = Date.now() - sentAt;
      assert.ok(await sameDocument(elsewhere), "no reload on the other page");
      // The inbox says so too, the answer on its conversation, no reload.
      await inboxCount.filter({ hasText: "You have 1 unread message." })
        .waitFor();
      assert.match(
        await inbox.getByTestId("inbox").innerText(),
        /Yes, it is free all Sunday/,
      );
      assert.ok(await sameDocument(inbox), "the inbox did not reload");
      await check(inbox, "/messages (updated live)");
      await check(elsewhere, "/bookings (header count updated live)");

      // The renter opens the thread in a second tab: reading it clears the
      // count on the first, live too.
      const renter = await tab(elsewhere);
      await renter.goto(`${s.baseUrl}${threadPath}`);
      await hydrated(renter);
      assert.equal(await items(renter).count(), 2);
      await elsewhere.waitForFunction(() =>
        (document.querySelector("[data-testid=messages-link]")?.textContent ??
          "").trim() === "Messages"
      );
      await inboxCount.filter({ hasText: "You have no unread messages." })
        .waitFor();
      assert.ok(await sameDocument(inbox), "the inbox did not reload");
      await inbox.close();
      await mark(renter);

      // The host sends a PDF with a message.
      await hostForm.getByLabel("Your reply").fill(WITH_FILE);
      await hostForm.getByLabel("Attach a file (optional)").setInputFiles({
        name: "Cleaning checklist.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(minimalPdf()),
      });
      const fileSentAt = Date.now();
      await hostForm.getByRole("button", { name: "Send" }).click();

      // It appears in the renter's open thread without a reload, announced.
      const arrived = items(renter).filter({ hasText: WITH_FILE });
      await arrived.waitFor();
      const threadMs = Date.now() - fileSentAt;
      assert.ok(
        await sameDocument(renter),
        "the renter's thread did not reload",
      );
      assert.equal(await items(renter).count(), 3);
      const link = arrived.getByTestId("attachment");
      assert.equal(await link.innerText(), "Cleaning checklist.pdf");
      assert.match(await arrived.innerText(), /PDF, 1 KB/);
      await renter.waitForFunction(
        (name) =>
          [...document.querySelectorAll("[role=status]")].some((el) =>
            el.textContent === `New message from ${name}`
          ),
        // One full stop, also after a name that ends with one ("… Co.").
        DEMO_HOSTS[0].name.replace(/\.?$/, "."),
      );
      await check(renter, "/messages/:id (renter, message arrived live)");

      // The file downloads as an attachment.
      const [download] = await Promise.all([
        renter.waitForEvent("download"),
        link.click(),
      ]);
      assert.equal(download.suggestedFilename(), "Cleaning checklist.pdf");
      const res = await renter.request.get(
        `${s.baseUrl}${await link.getAttribute("href")}`,
      );
      assert.equal(res.status(), 200);
      assert.equal(
        res.headers()["content-security-policy"],
        "default-src 'none'; sandbox",
      );
      assert.equal(res.headers()["x-content-type-options"], "nosniff");

      // Bad files, with JavaScript: over 10 MB is refused before sending;
      // a GIF is refused by the server, beside the field; nothing is sent.
      await hostForm.getByLabel("Your reply").fill("Two more files.");
      await hostForm.getByLabel("Attach a file (optional)").setInputFiles({
        name: "huge.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(new Uint8Array(10 * 1024 * 1024 + 1)),
      });
      const fileError = host.locator("#reply-file-error");
      await fileError.waitFor();
      assert.match(
        await fileError.innerText(),
        /That file is larger than 10 MB/,
      );
      await hostForm.getByLabel("Attach a file (optional)").setInputFiles({
        name: "anim.gif",
        mimeType: "image/gif",
        buffer: Buffer.from(new TextEncoder().encode(
          "GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
        )),
      });
      await hostForm.getByRole("button", { name: "Send" }).click();
      await host.waitForFunction(() =>
        /GIF image/.test(
          document.querySelector("#reply-file-error")?.textContent ?? "",
        )
      );
      assert.match(
        await hostForm.locator("[role=alert]").innerText(),
        /That file is a GIF image\. Upload a PDF, JPEG or PNG file\./,
      );
      assert.equal(
        await hostForm.getByLabel("Your reply").inputValue(),
        "Two more files.",
      );
      await check(host, "/messages/:id (host, a refused file)");
      assert.equal(await items(renter).count(), 3, "nothing was sent");
      assert.ok(await sameDocument(host));

      // Without JavaScript, the renter's plain multipart form sends a file.
      const plain = await v.newPage({ javaScriptEnabled: false });
      await plain.context().addCookies(await elsewhere.context().cookies());
      await plain.goto(`${s.baseUrl}${threadPath}`);
      const plainForm = plain.getByTestId("reply");
      await plainForm.getByLabel("Your reply").fill(
        "My menu, without JavaScript.",
      );
      await plainForm.getByLabel("Attach a file (optional)").setInputFiles({
        name: "menu.pdf",
        mimeType: "application/pdf",
        buffer: Buffer.from(minimalPdf()),
      });
      await plainForm.getByRole("button", { name: "Send" }).click();
      await plain.waitForURL(/\?notice=sent#m-/);
      const last = items(plain).last();
      assert.match(await last.innerText(), /My menu, without JavaScript\./);
      assert.equal(
        await last.getByTestId("attachment").innerText(),
        "menu.pdf",
      );
      await check(plain, "/messages/:id (renter, no JavaScript, a file sent)");
      // …and it reached the host's open thread live.
      await items(host).filter({ hasText: "without JavaScript" }).waitFor();

      console.log(
        `live: header count ${badgeMs} ms after Send, open thread ${threadMs} ms after Send (with a file)`,
      );
      v.assertClean([
        /Failed to load resource: the server responded with a status of 4\d\d/,
      ]);
    } finally {
      await v.close();
      await s.close();
    }
  },
);
