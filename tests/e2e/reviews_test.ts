// Issue 18's reviews in Chromium, axe-clean at 1440 and 390 px on every
// page visited: a booking ends (the test clock moves, its jobs run), the
// renter is asked on /account and reviews the kitchen (a too-short text is
// refused first), the review stays hidden; the host is asked on the
// dashboard and reviews the renter, and both publish at once; the host
// answers publicly; the average shows on the search card (sorted by
// rating) and the kitchen page; the host reports the review, an admin
// removes it on /admin/reviews, the average goes and the author is emailed.
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import type { Booking } from "../../lib/bookings/schema.ts";
import { quote } from "../../lib/bookings/pricing.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { newId } from "../../lib/ids.ts";
import { BOOKING_COMPLETE_JOB } from "../../lib/job_names.ts";
import { enqueueJob } from "../../lib/jobs/outbox.ts";
import { getKitchen, listKitchenIdsByHost } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { DEMO_HOSTS } from "../../scripts/demo/hosts.ts";
import { browserTest } from "./browser.ts";
import { ADMIN, demoSite, HOST, logIn, RENTER, visit } from "./journeys.ts";

const HOUR = 3600_000;
// With one unbroken 270-letter word, as people paste links or shout: every
// page it shows on must wrap it, not scroll sideways (v.check at 390 px).
const KITCHEN_TEXT =
  `Spotless benches, a deck oven already at temperature and a host who answered within minutes. ${
    "Wonderful".repeat(30)
  }`;
const RENTER_TEXT =
  "Rosa left every station clean and kept to the house rules throughout.";
const RESPONSE = "Thank you, Rosa: come back any time.";

/** The demo host's first kitchen, by title. */
async function demoHostKitchen(kv: Deno.Kv): Promise<Kitchen> {
  const ids = await listKitchenIdsByHost(kv, DEMO_HOSTS[0].id);
  const kitchens = (await Promise.all(ids.map((id) => getKitchen(kv, id))))
    .filter((k): k is Kitchen => k?.status === "published")
    .sort((a, b) => a.title.localeCompare(b.title));
  assert.ok(kitchens[0], "the demo host has a published kitchen");
  return kitchens[0];
}

/**
 * A confirmed, paid three-hour booking of `k` by the demo renter starting
 * in an hour, with its completion job due at its end, as a paid checkout
 * leaves it (the payment journeys are other tests').
 */
async function bookedStay(kv: Deno.Kv, k: Kitchen, now: number) {
  const start = Math.ceil((now + HOUR) / HOUR) * HOUR;
  const local = (ms: number) =>
    Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(k.timeZone);
  const b: Booking = {
    v: 1,
    id: newId(),
    kitchenId: k.id,
    renterId: "demo-user-renter",
    hostId: k.hostId,
    start,
    end: start + 3 * HOUR,
    timeZone: k.timeZone,
    localDate: local(start).toPlainDate().toString(),
    localStart: local(start).toPlainTime().toString().slice(0, 5),
    localEnd: local(start + 3 * HOUR).toPlainTime().toString().slice(0, 5),
    status: "confirmed",
    mode: "instant",
    quote: quote({
      hourlyPriceCents: k.hourlyPriceCents,
      cleaningFeeCents: k.cleaningFeeCents,
      durationMinutes: 180,
    }),
    bufferMs: 0,
    claimDays: [local(start).toPlainDate().toString()],
    holdExpiresAt: null,
    respondBy: null,
    payment: {
      provider: "demo",
      checkoutSessionId: null,
      paymentIntentId: null,
      chargeId: null,
    },
    ledger: [],
    accessCode: "123456",
    cancellation: null,
    disputed: false,
    note: null,
    rulesAcceptedAt: now,
    createdAt: now,
    updatedAt: now,
  };
  const res = await kv.atomic()
    .set(keys.booking(b.id), b)
    .set(keys.bookingsByKitchen(k.id, b.start, b.id), b.id)
    .set(keys.bookingsByRenter(b.renterId, b.start, b.id), b.id)
    .set(keys.bookingsByHost(k.hostId, b.start, b.id), b.id)
    .commit();
  assert.ok(res.ok);
  await enqueueJob(kv, {
    id: `booking-complete:${b.id}`,
    type: BOOKING_COMPLETE_JOB,
    payload: { bookingId: b.id },
    runAt: b.end,
  }, { now, wake: false });
  return b;
}

/** Chooses `stars` in the rating group named `group`. */
async function rate(page: Page, group: string, stars: number) {
  await page.getByRole("group", { name: group }).getByRole("radio", {
    name: `${stars} ${stars === 1 ? "star" : "stars"}`,
  }).check();
}

/** The rating line of the kitchen's card on a search page. */
function card(page: Page, title: string) {
  return page.getByRole("listitem").filter({
    has: page.getByRole("heading", { name: title }),
  });
}

browserTest(
  "reviews: a stay ends → the renter reviews (hidden) → the host reviews and both publish at once → the host answers → the average shows on the search card and kitchen page → a report reaches staff who remove it, axe-clean at 1440 and 390 px",
  async (browser: Browser) => {
    const s = await demoSite();
    const v = visit(browser);
    try {
      const k = await demoHostKitchen(s.kv);
      const b = await bookedStay(s.kv, k, s.clock());
      // The stay ends; its completion opens the review window.
      s.advance(b.end - s.clock() + HOUR);
      await s.runJobs();
      const asked = (await listMail(s.kv)).filter((m) =>
        m.subject === `Review your booking at ${k.title}`
      );
      assert.deepEqual(asked.map((m) => m.to).sort(), [HOST, RENTER]);

      // The renter is asked on /account and writes the review.
      const renter = await v.newPage();
      await logIn(renter, s.baseUrl, RENTER);
      const due = renter.getByTestId("reviews-due");
      await v.check(renter, "/account with a review to write");
      await due.getByRole("link", {
        name: `Review your booking at ${k.title}`,
      }).click();
      await renter.waitForURL(`${s.baseUrl}/bookings/${b.id}/review`);
      assert.equal(
        await renter.locator("h1").innerText(),
        `Review your booking at ${k.title}`,
      );
      await v.check(renter, "the renter's review form");
      await rate(renter, "Overall, the kitchen", 5);
      await rate(renter, "Cleanliness", 5);
      await rate(renter, "Equipment as described", 4);
      await rate(renter, "Communication", 5);
      await renter.getByLabel("Your review").fill("Too short.");
      await renter.getByRole("button", { name: "Send review" }).click();
      await renter.locator("#f-text-error").waitFor();
      assert.equal(
        await renter.locator("#f-text-error").innerText(),
        "Use at least 20 characters",
      );
      await v.check(renter, "the review form with an error");
      // What was chosen stays chosen.
      assert.ok(
        await renter.getByRole("group", { name: "Equipment as described" })
          .getByRole("radio", { name: "4 stars" }).isChecked(),
      );
      await renter.getByLabel("Your review").fill(KITCHEN_TEXT);
      await renter.getByRole("button", { name: "Send review" }).click();
      await renter.waitForURL(/\?notice=reviewed#reviews$/);
      const reviews = renter.getByTestId("booking-reviews");
      assert.match(
        await reviews.getByTestId("review-waiting").innerText(),
        new RegExp(
          `^Your review is in\\. It stays hidden until ${
            DEMO_HOSTS[0].name
          } reviews too`,
        ),
      );
      await v.check(renter, "the booking page with the review waiting");

      // Hidden from everyone else: the kitchen page has no reviews yet.
      const visitor = await v.newPage();
      await visitor.goto(`${s.baseUrl}/kitchens/${k.id}#reviews`);
      assert.match(
        await visitor.locator("#reviews").innerText(),
        /No reviews yet/,
      );

      // The host is asked on the dashboard, reviews the renter: both publish.
      const host = await v.newPage();
      await logIn(host, s.baseUrl, HOST);
      await host.goto(`${s.baseUrl}/host`);
      await v.check(host, "the host dashboard with a review to write");
      await host.getByTestId("reviews-due").getByRole("link", {
        name: `Review your renter at ${k.title}`,
      }).click();
      await host.waitForURL(`${s.baseUrl}/bookings/${b.id}/review`);
      assert.equal(await host.locator("h1").innerText(), "Review Rosa");
      await v.check(host, "the host's review form");
      await rate(host, "Overall, as a renter", 5);
      await rate(host, "Left the kitchen clean", 5);
      await rate(host, "Followed the rules", 4);
      await host.getByLabel("Your review").fill(RENTER_TEXT);
      await host.getByRole("button", { name: "Send review" }).click();
      await host.waitForURL(/\?notice=published#reviews$/);
      const hostReviews = host.getByTestId("booking-reviews");
      assert.match(
        await hostReviews.innerText(),
        /both reviews are now published/,
      );
      assert.match(await hostReviews.innerText(), new RegExp(KITCHEN_TEXT));
      await v.check(host, "the booking page, both reviews published");

      // The renter reads the host's review of them.
      await renter.reload();
      assert.match(
        await renter.getByTestId("booking-reviews").innerText(),
        new RegExp(
          `${DEMO_HOSTS[0].name}'s review of Rosa[\\s\\S]*${RENTER_TEXT}`,
        ),
      );

      // The host answers, once, publicly.
      await hostReviews.getByRole("link", { name: "Respond publicly" }).click();
      await host.waitForURL(/\/reviews\/[0-9A-Z]{26}\/response$/);
      await v.check(host, "the response form");
      await host.getByLabel("Your public response").fill(RESPONSE);
      await host.getByRole("button", { name: "Publish response" }).click();
      await host.waitForURL(/\?notice=responded#reviews$/);
      assert.equal(
        await host.getByTestId("booking-reviews").getByRole("link", {
          name: "Respond publicly",
        }).count(),
        0,
      );

      // The search card, sorted by rating, and the kitchen page show it.
      await visitor.goto(`${s.baseUrl}/search?city=${k.address.city}`);
      await visitor.getByLabel("Sort by").selectOption("rating");
      await visitor.getByRole("button", { name: "Show kitchens" }).click();
      await visitor.waitForURL(/sort=rating/);
      const first = visitor.getByRole("list", { name: "Kitchens" })
        .getByRole("listitem").first();
      assert.match(await first.innerText(), new RegExp(k.title));
      assert.equal(
        await first.getByTestId("rating").getAttribute("data-rating"),
        "5.0 out of 5 · 1 review",
      );
      await v.check(visitor, "search sorted by rating");
      await card(visitor, k.title).getByRole("link").click();
      await visitor.waitForURL(new RegExp(`/kitchens/${k.id}`));
      const section = visitor.locator("#reviews");
      const text = await section.innerText();
      assert.equal(
        await section.getByTestId("rating").getAttribute("data-rating"),
        "5.0 out of 5 · 1 review",
      );
      assert.match(text, /Cleanliness\s*5\.0/);
      assert.match(text, /Equipment as described\s*4\.0/);
      assert.match(text, new RegExp(KITCHEN_TEXT));
      assert.match(text, new RegExp(`Response from the host\\s*${RESPONSE}`));
      await v.check(visitor, "the kitchen page with its review");

      // The host thinks the review unfair and reports it, from the kitchen page.
      await host.goto(`${s.baseUrl}/kitchens/${k.id}#reviews`);
      await host.locator("#reviews").getByRole("link", {
        name: "Report this review",
      }).click();
      await host.waitForURL(/\/reviews\/[0-9A-Z]{26}\/report$/);
      await v.check(host, "the report form");
      await host.getByLabel("What is wrong with it?").selectOption("false");
      await host.getByLabel("Anything staff should know (optional)").fill(
        "The oven was serviced that week; the review names the wrong kitchen.",
      );
      await host.getByRole("button", { name: "Send report" }).click();
      await host.waitForURL(/\?notice=sent$/);
      assert.match(
        await host.getByRole("status").innerText(),
        /Prep's staff will read the review/,
      );
      await v.check(host, "the report sent");

      // Staff see it and remove it with a reason.
      const admin = await v.newPage();
      await logIn(admin, s.baseUrl, ADMIN);
      await admin.goto(`${s.baseUrl}/admin`);
      await admin.getByRole("navigation", { name: "Staff pages" })
        .getByRole("link", { name: "Reviews" }).click();
      await admin.waitForURL(`${s.baseUrl}/admin/reviews`);
      const reported = admin.getByTestId("reported-review");
      assert.equal(await reported.count(), 1);
      assert.match(
        await reported.innerText(),
        /It is false or not about this booking[\s\S]*names the wrong kitchen/,
      );
      await v.check(admin, "/admin/reviews with a report");
      await reported.getByLabel("Reason for removing it").fill(
        "It describes another kitchen.",
      );
      await reported.getByRole("button", { name: "Remove review" }).click();
      await admin.waitForURL(/\?notice=removed$/);
      assert.match(
        await admin.getByRole("status").innerText(),
        /its author was emailed your reason/,
      );
      assert.match(
        await admin.locator("main").innerText(),
        /No reported reviews are waiting/,
      );
      await v.check(admin, "/admin/reviews after the removal");

      // The average is gone from the kitchen page and the card; the author is told.
      await visitor.goto(`${s.baseUrl}/kitchens/${k.id}`);
      assert.match(
        await visitor.locator("#reviews").innerText(),
        /No reviews yet/,
      );
      await visitor.goto(
        `${s.baseUrl}/search?city=${k.address.city}&sort=rating`,
      );
      assert.equal(
        await card(visitor, k.title).getByTestId("rating").count(),
        0,
      );
      await s.runJobs();
      const told = (await listMail(s.kv)).find((m) =>
        m.to === RENTER && /was removed/.test(m.subject)
      );
      assert.ok(told, "the author is emailed");
      assert.match(told.text, /It describes another kitchen\./);
      // The refused short review is answered 400, as a form with errors should be.
      v.assertClean([/status of 400 \(Bad Request\) \(http:[^ ]+\/review\)/]);
    } finally {
      await v.close();
      await s.close();
    }
  },
);
