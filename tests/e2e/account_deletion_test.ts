// Deleting an account in Chromium, as a renter with a booking ahead: the
// delete form says to cancel it first and links to the bookings → the
// renter cancels it → deletes the account → the login page says so.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { DEMO_PASSWORD } from "../../scripts/demo/accounts.ts";
import { browserTest } from "./browser.ts";
import {
  bookAndPay,
  demoSite,
  hydrated,
  instantKitchen,
  logIn,
  RENTER,
  visit,
} from "./journeys.ts";

async function deleteAccount(page: Page, baseUrl: string) {
  await page.goto(`${baseUrl}/account#delete`);
  const form = page.locator("form#delete");
  await form.getByLabel("Current password").fill(DEMO_PASSWORD);
  await form.getByLabel('Type "delete" to confirm').fill("delete");
  await form.getByRole("button", { name: "Delete my account" }).click();
}

browserTest(
  "account deletion: a booking ahead keeps the account, with a link to it → cancelled → the account is deleted, axe-clean at 1440 and 390 px",
  async (browser) => {
    const s = await demoSite();
    const kitchen = await instantKitchen(s.kv);
    const v = visit(browser);
    try {
      const renter = await v.newPage();
      await logIn(renter, s.baseUrl, RENTER);
      const path = await bookAndPay(renter, s, kitchen);

      // The account stays, and the form says why and where to go.
      await deleteAccount(renter, s.baseUrl);
      const alert = renter.locator("form#delete [role=alert]");
      await alert.waitFor();
      assert.equal(
        await alert.innerText(),
        "You have an upcoming booking. Cancel it first (each kitchen's cancellation policy applies), or wait until it has ended; then you can delete your account. See your bookings",
      );
      await v.check(renter, "/account (deletion refused)");
      await alert.getByRole("link", { name: "See your bookings" }).click();
      await renter.waitForURL(/\/bookings$/);
      await renter.locator(`main a[href='${path}']`).first().click();
      await renter.waitForURL(new RegExp(`${path}$`));
      await hydrated(renter);
      await renter.getByRole("link", { name: "Cancel booking" }).click();
      await renter.getByRole("dialog", { name: "Cancel this booking?" })
        .getByRole("button", { name: "Yes, cancel booking" }).click();
      await renter.waitForURL(/\?notice=cancelled$/);
      await s.runJobs();

      // Nothing ahead now: the account goes.
      await deleteAccount(renter, s.baseUrl);
      await renter.waitForURL(/\/login\?notice=deleted$/);
      assert.match(
        await renter.locator("main").innerText(),
        /Your account is deleted\./,
      );
      await v.check(renter, "/login?notice=deleted");
      // The refusal is a 409 page, which Chromium logs as a failed load.
      v.assertClean([
        /status of 409 \(Conflict\) \(http:[^ ]+\/account\/delete\)$/,
      ]);
    } finally {
      await v.close();
      await s.close();
    }
  },
);
