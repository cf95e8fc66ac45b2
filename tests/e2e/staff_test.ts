// Staff review in Chromium, with axe (WCAG 2 A/AA) on every page at 1440 and
// 390 px wide: an admin filters the document queue to Chicago health permits,
// reviews the first with its PDF drawn beside the fields, verifies it, goes
// to "Next in queue" (the other Chicago health permit, not the documents the
// filter leaves out), rejects that one with the red Reject, and "Next in
// queue" brings them back to the filtered queue, which says it is done.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { addDocument } from "../../lib/compliance/repo.ts";
import type { ComplianceDocument } from "../../lib/compliance/schema.ts";
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { upload } from "../compliance_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { makePdf, makeScannedPdf } from "../pdf_fixtures.ts";
import { axeViolations, formatViolations } from "./axe.ts";
import { browserTest, startServer } from "./browser.ts";

const DAY = 24 * 3600_000;
const WIDTHS = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

browserTest(
  "staff: an admin works two documents of a filtered queue with Next in queue, the PDF drawn beside its fields",
  async (browser: Browser) => {
    const now = Date.now();
    const t = await testApp(now);
    const server = startServer(t.app);
    const base = server.baseUrl;
    const violations: string[] = [];
    const audit = async (page: Page, where: string) => {
      for (const size of WIDTHS) {
        await page.setViewportSize(size);
        const found = await axeViolations(page);
        if (found.length) {
          violations.push(formatViolations(`${where} @${size.width}`, found));
        }
      }
      await page.setViewportSize(WIDTHS[0]);
    };
    const context = await browser.newContext({ viewport: WIDTHS[0] });
    try {
      await seedDemoAccounts(t.kv, new Date(now));
      const host = await addHost(t.kv, "Wicker Park Commissary");
      const [chicago, secondChicago, seattle] = await addKitchens(
        t.kv,
        host.id,
        [
          kitchenFixture({ title: "Wicker Park Commissary" }),
          kitchenFixture({ title: "Logan Square Kitchen" }),
          kitchenFixture({
            title: "Ballard Bakehouse",
            address: {
              line1: "5300 Ballard Ave NW",
              neighborhood: "Ballard",
              city: "seattle",
              state: "WA",
              postalCode: "98107",
            },
            timeZone: "America/Los_Angeles",
          }),
        ],
        "published",
        { permits: false },
      );
      const renter = DEMO_ACCOUNTS.find((a) => a.email === "renter@prep.test")!;
      const add = (
        holder: ComplianceDocument["holder"],
        kind: ComplianceDocument["kind"],
        number: string,
        bytes: Uint8Array,
        daysAgo: number,
      ) =>
        addDocument(t.kv, {
          holder,
          upload: upload(kind, { number }),
          bytes,
          uploadedBy: holder.kind === "renter" ? holder.id : host.id,
          now: now - daysAgo * DAY,
        });
      // Oldest first: the renter's card and the Seattle permit are older
      // than both Chicago permits, so a filter that leaks would show them.
      await add(
        { kind: "renter", id: renter.id },
        "food_handler_card",
        "FH-OUTSIDE",
        await makeScannedPdf(),
        9,
      );
      await add(
        { kind: "kitchen", id: seattle.id },
        "health_permit",
        "HP-SEATTLE",
        await makeScannedPdf(),
        8,
      );
      const first = await add(
        { kind: "kitchen", id: chicago.id },
        "health_permit",
        "HP-2026-0415",
        await makePdf([
          "CITY OF CHICAGO DEPARTMENT OF PUBLIC HEALTH",
          "Food Service Establishment Permit",
          "Permit No. HP-2026-0415",
          "Expiration Date: 12/31/2028",
        ]),
        5,
      );
      const second = await add(
        { kind: "kitchen", id: secondChicago.id },
        "health_permit",
        "HP-2026-0777",
        await makeScannedPdf(),
        3,
      );

      const page = await context.newPage();
      await page.goto(`${base}/login`);
      await page.getByLabel("Email", { exact: true }).fill("admin@prep.test");
      await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
      await page.click("main button:has-text('Log in')");
      await page.waitForURL(/\/admin$/);

      // The staff navigation names each page; Documents leads to the queue.
      await page.goto(`${base}/admin`);
      const nav = page.getByRole("navigation", { name: "Staff pages" });
      assert.deepEqual(
        (await nav.getByRole("link").allInnerTexts()).map((s) => s.trim()),
        [
          "Overview",
          "Documents",
          "Bookings",
          "Users",
          "Kitchens",
          "Audit log",
          "Failed jobs",
          "Contact messages",
          "Reports",
          "Reviews",
          "Figures",
          "Certifier recognitions",
        ],
      );
      await audit(page, "/admin");
      await nav.getByRole("link", { name: "Documents" }).click();
      await page.waitForURL(/\/admin\/documents$/);

      // Filter: Chicago's health permits only.
      await page.locator("main").getByLabel("Type", { exact: true })
        .selectOption(
          "health_permit",
        );
      await page.locator("main").getByLabel("City", { exact: true })
        .selectOption(
          "chicago",
        );
      await page.click("main button:has-text('Show documents')");
      await page.waitForURL(/kind=health_permit&city=chicago/);
      const queue = await page.locator("main table").innerText();
      assert.match(queue, /Wicker Park Commissary/);
      assert.match(queue, /Logan Square Kitchen/);
      assert.doesNotMatch(queue, /Ballard Bakehouse|Renter/);
      await audit(page, "/admin/documents (filtered)");

      // The oldest Chicago permit: its fields beside its first page, drawn.
      await page.locator("main table a", { hasText: "Review" }).first()
        .click();
      await page.waitForURL(
        new RegExp(`/admin/documents/${first.id}\\?kind=health_permit`),
      );
      const main = page.locator("main");
      assert.match(await main.innerText(), /HP-2026-0415/);
      const picture = main.getByRole("img", {
        name: /first page of the uploaded health permit/,
      });
      await picture.waitFor();
      assert.ok(
        await picture.evaluate((img: HTMLImageElement) =>
          img.complete && img.naturalWidth === 1200
        ),
        "the PDF's first page is drawn and shown",
      );
      // Side by side at 1440: the picture starts level with the fields, to their right.
      const fields = main.getByRole("heading", {
        name: "What the holder entered",
      });
      const [fieldsBox, pictureBox] = [
        await fields.boundingBox(),
        await picture.boundingBox(),
      ];
      assert.ok(fieldsBox && pictureBox);
      assert.ok(pictureBox.x > fieldsBox.x + 300, "the preview is beside");
      assert.ok(pictureBox.y < fieldsBox.y + 200, "and level with the fields");
      // Reject looks destructive: white on red, unlike Verify.
      const colour = (name: string) =>
        main.getByRole("button", { name, exact: true }).evaluate((b) =>
          getComputedStyle(b).backgroundColor
        );
      assert.equal(await colour("Reject"), "rgb(185, 28, 28)");
      assert.equal(await colour("Verify"), "rgb(4, 120, 87)");
      await audit(page, "/admin/documents/:id (PDF)");

      await main.getByRole("button", { name: "Verify", exact: true }).click();
      await page.waitForURL(/notice=verify/);
      assert.match(
        await page.getByRole("status").innerText(),
        /The document is verified; the holder is notified\./,
      );
      await audit(page, "/admin/documents/:id (verified)");

      // Next in queue: the other Chicago permit, with the filters kept.
      await page.getByRole("link", { name: "Next in queue" }).click();
      await page.waitForURL(
        new RegExp(
          `/admin/documents/${second.id}\\?kind=health_permit&city=chicago$`,
        ),
      );
      assert.match(await main.innerText(), /HP-2026-0777/);
      await main.getByLabel("Reason (shown to the holder)").fill(
        "The permit number cannot be read on this scan.",
      );
      await main.getByRole("button", { name: "Reject", exact: true }).click();
      await page.waitForURL(/notice=reject/);
      assert.match(await main.innerText(), /Waiting for review → Rejected/);
      await audit(page, "/admin/documents/:id (rejected)");

      // Nothing else matches: back to the filtered queue, which says so.
      await page.getByRole("link", { name: "Next in queue" }).click();
      await page.waitForURL(
        /\/admin\/documents\?kind=health_permit&city=chicago/,
      );
      assert.match(
        await page.getByRole("status").innerText(),
        /Nothing else with these filters is waiting for review\./,
      );
      assert.equal(await page.locator("main table").count(), 0);
      await audit(page, "/admin/documents (done)");
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
      await server.shutdown();
      t.close();
    }
  },
);
