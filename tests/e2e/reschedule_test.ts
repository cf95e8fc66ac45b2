// Issue 19 §7 in Chromium, axe-clean at 1440 and 390 px on every page it
// visits: a renter books a kitchen, moves the booking to another day and a
// longer time (the difference charged to the saved demo card) and reads the
// new time and the price difference; later, past the free-cancellation
// window, they ask for another time and the host approves it on their
// booking page.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { bookingModeOf } from "../../lib/bookings/holds.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { getKitchen } from "../../lib/kitchens/repo.ts";
import { POLICY_TIERS } from "../../lib/kitchens/policy.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { DEMO_HOSTS } from "../../scripts/demo/hosts.ts";
import { browserTest } from "./browser.ts";
import {
  type DemoSite,
  demoSite,
  HOST,
  hydrated,
  logIn,
  NARROW,
  openBookableDate,
  RENTER,
  reviewFromKitchenPage,
  visit,
  WIDE,
} from "./journeys.ts";

const SHOTS = Deno.env.get("PREP_SHOTS");

/** The demo host account's instant kitchen, so that host can answer on it. */
async function hostsInstantKitchen(kv: Deno.Kv): Promise<Kitchen> {
  for await (
    const e of kv.list<string>({
      prefix: keys.kitchensByHostPrefix(DEMO_HOSTS[0].id),
    })
  ) {
    const k = await getKitchen(kv, e.value);
    if (k?.status === "published" && bookingModeOf(k) === "instant") return k;
  }
  throw new Error("the demo host has an instant kitchen");
}

/** Screenshots for whoever looks at the pages by hand (PREP_SHOTS=dir). */
async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  for (const size of [WIDE, NARROW]) {
    await page.setViewportSize(size);
    await page.screenshot({
      path: `${SHOTS}/${name}-${size.width}.png`,
      fullPage: true,
    });
  }
  await page.setViewportSize(WIDE);
}

/** Ticks whatever the city asks the renter to acknowledge, then the house rules. */
async function agree(page: Page) {
  for (const box of await page.locator("input[name=acknowledge]").all()) {
    await box.check();
  }
  const rules = page.getByLabel(
    "I have read the house rules and will follow them.",
  );
  if (await rules.count() > 0) await rules.check();
}

/** On the Change time page: another date by the date form, then a start and an end. */
async function pickTime(
  page: Page,
  date: string,
  opts: { longest: boolean },
) {
  await page.getByLabel("Date", { exact: true }).fill(date);
  await page.getByRole("button", { name: "Show hours" }).click();
  const form = page.getByTestId("book");
  const label = Temporal.PlainDate.from(date).toLocaleString("en-US", {
    weekday: "short",
    month: "short",
    day: "numeric",
  });
  await form.locator("h3", { hasText: `Move to ${label}` }).waitFor();
  const start = form.getByLabel("Start");
  const options = start.locator("option");
  await start.selectOption(
    (await options.nth(Math.min(1, await options.count() - 1))
      .getAttribute("value"))!,
  );
  const end = form.getByLabel("End");
  const ends = end.locator("option");
  if (opts.longest) {
    await end.selectOption({ index: Math.min(2, await ends.count() - 1) });
  }
  await form.getByRole("button", { name: "Review the change" }).click();
  await page.waitForURL(/\/change\/review\?/);
  assert.equal(await page.locator("h1").innerText(), "Review the change");
}

const booking = async (s: DemoSite, id: string) =>
  (await s.kv.get<Booking>(keys.booking(id))).value!;

browserTest(
  "reschedule: a renter moves a booking to another day and sees the new time and the price difference; past the free window the host approves a change, axe-clean at 1440 and 390 px",
  async (browser: Browser) => {
    const s = await demoSite();
    const kitchen = await hostsInstantKitchen(s.kv);
    const v = visit(browser);
    try {
      const renter = await v.newPage();
      await logIn(renter, s.baseUrl, RENTER);
      const first = await openBookableDate(
        renter,
        s.baseUrl,
        kitchen,
        s.clock(),
        10,
      );
      await reviewFromKitchenPage(renter);
      await agree(renter);
      await renter.getByRole("button", { name: "Continue to payment" }).click();
      await renter.waitForURL(/\/bookings\/[0-9A-Z]{26}\/pay$/);
      const path = new URL(renter.url()).pathname.replace(/\/pay$/, "");
      const id = path.split("/")[2];
      await renter.getByRole("button", { name: /^Pay .+ \(demo\)$/ }).click();
      await renter.waitForURL(/\?notice=paid$/);
      await s.runJobs();
      await renter.goto(`${s.baseUrl}${path}`);
      await hydrated(renter);
      const booked = await booking(s, id);
      assert.equal(booked.status, "confirmed");
      const offer = renter.getByTestId("change-time");
      assert.match(
        await offer.innerText(),
        /You can move this booking to another free time at this kitchen/,
      );
      await v.check(renter, "/bookings/:id (confirmed, can change time)");

      // Change time: the same kitchen's picker, another day, a longer time.
      await offer.getByRole("link", { name: "Change time" }).click();
      await renter.waitForURL(/\/change$/);
      await hydrated(renter);
      assert.equal(await renter.locator("h1").innerText(), "Change the time");
      await shoot(renter, "change-time");
      await v.check(renter, "/bookings/:id/change");
      const next = Temporal.PlainDate.from(first).add({ days: 1 }).toString();
      await pickTime(renter, next, { longest: true });
      const change = await renter.getByTestId("change").innerText();
      assert.match(change, /Now/);
      assert.match(change, /New/);
      const diff = await renter.getByTestId("difference").innerText();
      assert.match(diff, /^\$\d/);
      assert.match(
        await renter.getByTestId("what-happens").innerText(),
        new RegExp(
          `We charge \\${diff} to the card you paid with and move your booking at once\\.`,
        ),
      );
      await shoot(renter, "change-review");
      await v.check(renter, "/bookings/:id/change/review");
      await agree(renter);
      await renter.getByRole("button", { name: `Pay ${diff} and move` })
        .click();
      await renter.waitForURL(/\?notice=moved$/);
      await hydrated(renter);
      const moved = await booking(s, id);
      assert.equal(moved.localDate, next);
      assert.ok(moved.quote.totalChargedCents > booked.quote.totalChargedCents);
      const header = await renter.locator("header").last().innerText();
      const nextLabel = Temporal.PlainDate.from(next).toLocaleString("en-US", {
        weekday: "short",
        month: "short",
        day: "numeric",
      });
      assert.ok(
        (await renter.locator("main header").innerText()).includes(nextLabel),
        header,
      );
      const history = await renter.getByTestId("moves").innerText();
      assert.match(history, /moved from .+ to .+\./);
      assert.match(
        history,
        new RegExp(`Your card was charged \\${diff} more\\.`),
      );
      await shoot(renter, "booking-moved");
      await v.check(renter, "/bookings/:id?notice=moved");

      // Past the free-cancellation window: the host must approve a change.
      const fullRefund = POLICY_TIERS[kitchen.cancellationPolicy].find((t) =>
        t.refundBps === 10_000
      );
      if (fullRefund) {
        s.advance(
          moved.start - s.clock() - (fullRefund.minHoursNotice / 2) * 3600_000,
        );
        // Days went by: the session lapsed meanwhile.
        await logIn(renter, s.baseUrl, RENTER);
      }
      await renter.goto(`${s.baseUrl}${path}/change`);
      await hydrated(renter);
      assert.match(
        await renter.getByTestId("move-window").innerText(),
        /the host must approve a new time/,
      );
      const later = Temporal.PlainDate.from(next).add({ days: 1 }).toString();
      await pickTime(renter, later, { longest: false });
      await agree(renter);
      await renter.getByRole("button", { name: "Ask the host for this time" })
        .click();
      await renter.waitForURL(/\?notice=move_requested$/);
      await hydrated(renter);
      assert.match(
        await renter.getByTestId("move").innerText(),
        /Change of time: waiting for the host[\s\S]*The host has until/,
      );
      await v.check(renter, "/bookings/:id (change waiting for the host)");
      await s.runJobs();

      const host = await v.newPage();
      await logIn(host, s.baseUrl, HOST);
      await host.goto(`${s.baseUrl}/host/bookings/${id}`);
      await hydrated(host);
      const answer = host.getByTestId("move-answer");
      assert.match(
        await answer.innerText(),
        /The renter asks to move this booking from .+ to .+\./,
      );
      await shoot(host, "host-move-answer");
      await v.check(host, "/host/bookings/:id (change of time asked)");
      await answer.getByRole("button", { name: "Accept the new time" }).click();
      await host.waitForURL(/\?notice=move_accepted$/);
      await v.check(host, "/host/bookings/:id?notice=move_accepted");

      await s.runJobs();
      await renter.goto(`${s.baseUrl}${path}`);
      await hydrated(renter);
      const approved = await booking(s, id);
      assert.equal(approved.localDate, later);
      assert.equal(approved.move, null);
      assert.match(
        await renter.getByTestId("moves").innerText(),
        /approved by the host/,
      );
      await v.check(renter, "/bookings/:id (moved twice)");
      v.assertClean();
    } finally {
      await v.close();
      await s.close();
    }
  },
);
