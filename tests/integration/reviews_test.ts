/**
 * Reviews through the app (issue 18 §7–11): both sides review a completed
 * booking, blind until both are in or the window's end; no second review
 * and no edit; the host's one response; reports reaching staff, who remove
 * a review (the averages drop, the author is told, the audit log records
 * it) or dismiss the reports; reminders; bad input with nothing written.
 */
import assert from "node:assert/strict";
import { listAudit } from "../../lib/audit/repo.ts";
import { at } from "../../lib/app.ts";
import { completeBooking } from "../../lib/bookings/lifecycle.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { listNotifications } from "../../lib/notifications/repo.ts";
import { REVIEW_WINDOW_MS } from "../../lib/reviews/rules.ts";
import {
  get,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  signUpConfirmed,
  staff,
  type T,
  userByEmail,
} from "../account_helpers.ts";
import {
  addConfirmedBooking,
  addKitchens,
  kitchenFixture,
  testApp,
} from "../helpers.ts";
import { visibleText } from "../page_text.ts";
import { noPayout } from "../../lib/hosts/schema.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const HOUR = 3600_000;
const DAY = 24 * HOUR;

const KITCHEN_REVIEW = {
  overall: "5",
  cleanliness: "4",
  equipment: "5",
  communication: "5",
  text: "Spotless kitchen, the mixer worked and the host answered at once.",
};
const RENTER_REVIEW = {
  overall: "4",
  clean: "4",
  rules: "5",
  text: "Left the kitchen tidy and kept to the house rules throughout.",
};

interface World {
  t: T;
  kitchen: Kitchen;
  booking: Booking;
  renter: { cookie: string; id: string };
  host: { cookie: string; id: string };
  other: { cookie: string; id: string };
}

/**
 * A host with a published kitchen, a renter with a confirmed booking there
 * that has just ended and completed (its window-open job run), and
 * someone else signed in.
 */
async function world(opts: { complete?: boolean } = {}): Promise<World> {
  const t = await testApp(NOW);
  const host = await signUpConfirmed(t, "hal@example.com", "host");
  const renter = await signUpConfirmed(t, "rosa@example.com");
  const other = await signUpConfirmed(t, "olga@example.com");
  for (
    const [u, name] of [[host, "Hal Baker"], [renter, "Rosa Diaz"], [
      other,
      "Olga Ortiz",
    ]] as const
  ) {
    await t.kv.set(keys.user(u.user.id), { ...u.user, name });
  }
  await t.kv.set(keys.host(host.user.id), {
    v: 2,
    id: host.user.id,
    name: "Hal's Commissary",
    about: "",
    createdAt: new Date(NOW).toISOString(),
    payout: noPayout(),
  });
  const [kitchen] = await addKitchens(
    t.kv,
    host.user.id,
    [
      kitchenFixture({ title: "Hal's Kitchen" }),
    ],
    "published",
    { now: NOW },
  );
  const booking = await addConfirmedBooking(
    t.kv,
    kitchen,
    renter.user.id,
    NOW + DAY,
    NOW,
  );
  if (opts.complete !== false) await finish(t, booking);
  return {
    t,
    kitchen,
    booking,
    renter: { cookie: renter.cookie, id: renter.user.id },
    host: { cookie: host.cookie, id: host.user.id },
    other: { cookie: other.cookie, id: other.user.id },
  };
}

/** Moves the clock past the booking's end, completes it and runs what that causes. */
async function finish(t: T, b: Booking) {
  t.advance(b.end - t.clock() + HOUR);
  await completeBooking(at(t.services), b.id);
  await runJobs(t);
}

async function reviewKeys(t: T): Promise<string[]> {
  const out: string[] = [];
  for (
    const prefix of [
      "reviews",
      "reviews_by_booking",
      "reviews_by_kitchen",
      "rating",
      "renter_rating",
      "kitchens_by_rating",
    ]
  ) {
    for await (const e of t.kv.list({ prefix: [prefix] })) {
      out.push(e.key.join("/"));
    }
  }
  return out;
}

async function logIn(t: T, email: string): Promise<string> {
  return sessionCookie(await post(t, "/login", { email, password: PASSWORD }));
}

const text = async (res: Response) => visibleText(await res.text());

Deno.test("reviews: both sides review; the first stays hidden, the second publishes both at once", async () => {
  const w = await world();
  const { t, booking: b } = w;
  try {
    // The window opened: both are told, and /account lists the review to write.
    const account = await text(await get(t, "/account", w.renter.cookie));
    assert.match(account, /Review your booking at Hal's Kitchen/);
    // /bookings says so beside the stay, until the review is sent.
    const trips = await (await get(t, "/bookings", w.renter.cookie)).text();
    assert.match(
      trips,
      new RegExp(`href="/bookings/${b.id}/review"[^>]*>Review this booking`),
    );
    assert.match(visibleText(trips), /Review this booking by \w{3}, \w{3} \d+/);
    assert.match(
      await text(await get(t, `/bookings/${b.id}/review`, w.renter.cookie)),
      /It stays hidden until Hal's Commissary has reviewed too/,
    );
    const first = await post(
      t,
      `/bookings/${b.id}/review`,
      KITCHEN_REVIEW,
      { cookie: w.renter.cookie },
    );
    assert.equal(first.status, 303);
    assert.equal(
      first.headers.get("location"),
      `/bookings/${b.id}?notice=reviewed#reviews`,
    );
    // Hidden: the host's page of the booking and the kitchen page show nothing.
    const hostView = await text(
      await get(t, `/bookings/${b.id}`, w.host.cookie),
    );
    assert.doesNotMatch(hostView, /Spotless kitchen/);
    assert.match(hostView, /Review Rosa/);
    const kitchenPage = await text(await get(t, `/kitchens/${w.kitchen.id}`));
    assert.match(kitchenPage, /No reviews yet/);
    // The author sees their own, waiting.
    const mine = await text(
      await get(t, `/bookings/${b.id}?notice=reviewed`, w.renter.cookie),
    );
    assert.match(mine, /Spotless kitchen/);
    assert.match(
      mine,
      /Your review is in\. It stays hidden until Hal's Commissary reviews too/,
    );
    assert.doesNotMatch(
      await text(await get(t, "/bookings", w.renter.cookie)),
      /Review this booking/,
    );
    // Said once: the notice thanks, the reviews say what happens next.
    assert.match(mine, /Thank you: your review is in\./);
    assert.equal(mine.match(/stays hidden/g)?.length, 1);
    // The host's form says Rosa's is in, and that theirs publishes both.
    const hostForm = await text(
      await get(t, `/bookings/${b.id}/review`, w.host.cookie),
    );
    assert.match(
      hostForm,
      /Rosa has sent theirs, so both are published as soon as you send yours/,
    );
    assert.doesNotMatch(hostForm, /stays hidden/);
    assert.doesNotMatch(
      await text(await get(t, "/account", w.renter.cookie)),
      /Review your booking at Hal's Kitchen/,
    );

    const second = await post(
      t,
      `/bookings/${b.id}/review`,
      RENTER_REVIEW,
      { cookie: w.host.cookie },
    );
    assert.equal(
      second.headers.get("location"),
      `/host/bookings/${b.id}?notice=published#reviews`,
    );
    // The host is back on their page of the booking, not the renter's.
    const hostBack = await text(
      await get(t, second.headers.get("location")!, w.host.cookie),
    );
    assert.match(hostBack, /Booking by Rosa Diaz[\s\S]*About the renter/);
    assert.match(hostBack, /Reviews Thank you: your review is in, and both/);
    assert.doesNotMatch(hostBack, /Total charged/);
    // Both at once: each side reads the other's, the kitchen page shows it.
    const renterView = await text(
      await get(t, `/bookings/${b.id}`, w.renter.cookie),
    );
    assert.match(renterView, /Hal's Commissary's review of Rosa/);
    assert.match(renterView, /Left the kitchen tidy/);
    const published = await text(await get(t, `/kitchens/${w.kitchen.id}`));
    assert.match(published, /5\.0 out of 5 · 1 review/);
    assert.match(published, /Spotless kitchen/);
    assert.match(published, /Cleanliness 4\.0/);
    const reviews = (await t.kv.get<{ count: number }>(
      keys.kitchenRating(w.kitchen.id),
    )).value;
    assert.equal(reviews?.count, 1);
    const renterRating = (await t.kv.get<{ count: number }>(
      keys.renterRating(w.renter.id),
    )).value;
    assert.equal(renterRating?.count, 1);
    // The host's view of the request shows the renter's rating from hosts.
    const request = await text(
      await get(t, `/host/bookings/${b.id}`, w.host.cookie),
    );
    assert.match(request, /Rating\s*★?\s*4\.0 out of 5 · 1 review from hosts/);
    // Both were told in the app that the reviews are out.
    const notes = await listNotifications(t.kv, w.renter.id);
    assert.ok(
      notes.notifications.some((n) =>
        n.title === "Reviews of your booking at Hal's Kitchen are published"
      ),
    );
  } finally {
    t.close();
  }
});

Deno.test("reviews: the window's end publishes the one review written, and the other side can no longer write", async () => {
  const w = await world();
  const { t, booking: b } = w;
  try {
    await post(t, `/bookings/${b.id}/review`, RENTER_REVIEW, {
      cookie: w.host.cookie,
    });
    assert.equal(
      (await t.kv.get(keys.renterRating(w.renter.id))).value,
      null,
      "nothing counted while hidden",
    );
    t.advance(REVIEW_WINDOW_MS);
    await runJobs(t);
    // Two weeks on, sessions have lapsed: log in again.
    w.renter.cookie = await logIn(t, "rosa@example.com");
    const renterView = await text(
      await get(t, `/bookings/${b.id}`, w.renter.cookie),
    );
    assert.match(renterView, /Left the kitchen tidy/);
    assert.match(
      renterView,
      /Reviews for this booking closed 14 days after it ended/,
    );
    const late = await post(t, `/bookings/${b.id}/review`, KITCHEN_REVIEW, {
      cookie: w.renter.cookie,
    });
    assert.equal(late.status, 409);
    assert.match(await text(late), /closed 14 days after it ended/);
    assert.equal(
      (await t.kv.get<{ count: number }>(keys.renterRating(w.renter.id)))
        .value?.count,
      1,
    );
    assert.equal(
      (await t.kv.get(keys.kitchenRating(w.kitchen.id))).value,
      null,
    );
  } finally {
    t.close();
  }
});

Deno.test("reviews: one per side, never changed after it is sent or published", async () => {
  const w = await world();
  const { t, booking: b } = w;
  try {
    await post(t, `/bookings/${b.id}/review`, KITCHEN_REVIEW, {
      cookie: w.renter.cookie,
    });
    const before = await reviewKeys(t);
    const again = await post(
      t,
      `/bookings/${b.id}/review`,
      {
        ...KITCHEN_REVIEW,
        overall: "1",
        text: "Changed my mind about it all.",
      },
      { cookie: w.renter.cookie },
    );
    assert.equal(again.status, 409);
    assert.match(await text(again), /already reviewed this booking/);
    assert.deepEqual(await reviewKeys(t), before);
    // The form itself sends a writer back to the booking.
    const form = await get(t, `/bookings/${b.id}/review`, w.renter.cookie);
    assert.equal(form.status, 303);
    // Published: still no edit.
    await post(t, `/bookings/${b.id}/review`, RENTER_REVIEW, {
      cookie: w.host.cookie,
    });
    const edit = await post(
      t,
      `/bookings/${b.id}/review`,
      { ...KITCHEN_REVIEW, text: "An edit after publishing it is refused." },
      { cookie: w.renter.cookie },
    );
    assert.equal(edit.status, 409);
    const page = await text(await get(t, `/kitchens/${w.kitchen.id}`));
    assert.match(page, /Spotless kitchen/);
    assert.doesNotMatch(page, /An edit after publishing/);
  } finally {
    t.close();
  }
});

Deno.test("reviews: the host responds once, publicly", async () => {
  const w = await world();
  const { t, booking: b } = w;
  try {
    await post(t, `/bookings/${b.id}/review`, KITCHEN_REVIEW, {
      cookie: w.renter.cookie,
    });
    const id = (await t.kv.get<string>(keys.reviewByBooking(b.id, "renter")))
      .value!;
    // Not before it is published.
    const early = await post(t, `/reviews/${id}/response`, {
      response: "Thank you for booking with us!",
    }, { cookie: w.host.cookie });
    assert.equal(early.status, 409);
    await post(t, `/bookings/${b.id}/review`, RENTER_REVIEW, {
      cookie: w.host.cookie,
    });
    // Only the kitchen's host.
    for (const who of [w.renter, w.other]) {
      const res = await post(t, `/reviews/${id}/response`, {
        response: "Not mine to answer.",
      }, { cookie: who.cookie });
      assert.equal(res.status, 404);
    }
    const res = await post(t, `/reviews/${id}/response`, {
      response: "Thank you for booking with us!",
    }, { cookie: w.host.cookie });
    assert.equal(res.status, 303);
    assert.equal(
      res.headers.get("location"),
      `/host/bookings/${b.id}?notice=responded#reviews`,
    );
    const twice = await post(t, `/reviews/${id}/response`, {
      response: "And a second answer.",
    }, { cookie: w.host.cookie });
    assert.equal(twice.status, 409);
    assert.match(await text(twice), /already responded/);
    const page = await text(await get(t, `/kitchens/${w.kitchen.id}/reviews`));
    assert.match(
      page,
      /Response from the host\s*Thank you for booking with us!/,
    );
    assert.doesNotMatch(page, /And a second answer/);
  } finally {
    t.close();
  }
});

Deno.test("reviews: the host's dashboard shows each review write at once, though it keeps its reviews for a few seconds", async () => {
  const w = await world();
  const { t, booking: b } = w;
  const dashboard = async () =>
    await text(await get(t, "/host", w.host.cookie));
  try {
    const before = await dashboard();
    assert.match(before, /Review your renter at Hal's Kitchen/);
    assert.match(before, /Hal's Kitchen\s*:\s*no reviews yet/);
    await post(t, `/bookings/${b.id}/review`, KITCHEN_REVIEW, {
      cookie: w.renter.cookie,
    });
    // The renter's review stays hidden until the host writes theirs.
    assert.match(await dashboard(), /Hal's Kitchen\s*:\s*no reviews yet/);
    await post(t, `/bookings/${b.id}/review`, RENTER_REVIEW, {
      cookie: w.host.cookie,
    });
    const published = await dashboard();
    assert.doesNotMatch(published, /Review your renter at Hal's Kitchen/);
    assert.match(
      published,
      /Hal's Kitchen\s*:\s*★?\s*5\.0 out of 5 · 1 review/,
    );
    assert.match(published, /Spotless kitchen/);
    assert.match(published, /Respond publicly/);
    const reviewId = (await t.kv.get<string>(
      keys.reviewByBooking(b.id, "renter"),
    )).value!;
    await post(t, `/reviews/${reviewId}/response`, {
      response: "Thank you for booking with us!",
    }, { cookie: w.host.cookie });
    const answered = await dashboard();
    assert.match(answered, /Thank you for booking with us!/);
    assert.doesNotMatch(answered, /Respond publicly/);
  } finally {
    t.close();
  }
});

Deno.test("reviews: a report reaches staff, who remove the review; the averages drop and the author is told", async () => {
  const w = await world();
  const { t, booking: b } = w;
  try {
    await post(t, `/bookings/${b.id}/review`, KITCHEN_REVIEW, {
      cookie: w.renter.cookie,
    });
    await post(t, `/bookings/${b.id}/review`, RENTER_REVIEW, {
      cookie: w.host.cookie,
    });
    const id = (await t.kv.get<string>(keys.reviewByBooking(b.id, "renter")))
      .value!;
    // Signed out: log in first.
    const anon = await get(t, `/reviews/${id}/report`);
    assert.equal(anon.status, 303);
    assert.match(anon.headers.get("location")!, /^\/login\?next=/);
    // The author cannot report their own.
    const own = await post(t, `/reviews/${id}/report`, {
      reason: "spam",
      details: "",
    }, { cookie: w.renter.cookie });
    assert.equal(own.status, 409);
    const sent = await post(t, `/reviews/${id}/report`, {
      reason: "offensive",
      details: "It insults the cleaner by name.",
    }, { cookie: w.other.cookie });
    assert.equal(sent.status, 303);
    assert.equal(
      sent.headers.get("location"),
      `/reviews/${id}/report?notice=sent`,
    );
    const twice = await post(t, `/reviews/${id}/report`, {
      reason: "spam",
      details: "",
    }, { cookie: w.other.cookie });
    assert.equal(twice.status, 409);

    const admin = await staff(t, "ann@example.com", "admin");
    const queue = await text(await get(t, "/admin/reviews", admin));
    assert.match(queue, /Review of Hal's Kitchen/);
    assert.match(queue, /It is offensive, hateful or threatening/);
    assert.match(queue, /It insults the cleaner by name/);
    // A removal needs a reason.
    const blank = await post(t, `/admin/reviews/${id}/remove`, { reason: "" }, {
      cookie: admin,
    });
    assert.equal(blank.status, 400);
    assert.ok(
      (await t.kv.get<{ count: number }>(keys.kitchenRating(w.kitchen.id)))
        .value!.count === 1,
    );
    const removed = await post(t, `/admin/reviews/${id}/remove`, {
      reason: "It names a member of staff and insults them.",
    }, { cookie: admin });
    assert.equal(removed.status, 303);
    assert.equal(
      removed.headers.get("location"),
      "/admin/reviews?notice=removed",
    );
    // Out of the averages, the sort index, the page and the queue.
    const rating = (await t.kv.get<{ count: number }>(
      keys.kitchenRating(w.kitchen.id),
    )).value!;
    assert.equal(rating.count, 0);
    const ranked: unknown[] = [];
    for await (const e of t.kv.list({ prefix: ["kitchens_by_rating"] })) {
      ranked.push(e.key);
    }
    assert.deepEqual(ranked, []);
    const page = await text(await get(t, `/kitchens/${w.kitchen.id}`));
    assert.doesNotMatch(page, /Spotless kitchen/);
    assert.match(page, /No reviews yet/);
    assert.match(
      await text(await get(t, "/admin/reviews", admin)),
      /No reported reviews are waiting/,
    );
    // Audited, with the reason; the author emailed the reason.
    const log = (await listAudit(t.kv, { limit: 50 })).entries;
    const entry = log.find((e) => e.action === "review.removed");
    assert.equal(entry?.subject.id, id);
    assert.equal(entry?.reason, "It names a member of staff and insults them.");
    await runJobs(t);
    const mail = (await listMail(t.kv)).find((m) =>
      m.to === "rosa@example.com" && /was removed/.test(m.subject)
    );
    assert.ok(mail, "the author is emailed");
    assert.match(mail.text, /It names a member of staff and insults them\./);
    // The author's page of the booking says so where the review was.
    assert.match(
      await text(await get(t, `/bookings/${b.id}`, w.renter.cookie)),
      /Reviews Prep removed your review on \w{3}, \w{3} \d+, \d{4}: It names a member of staff and insults them\./,
    );
    // The other side reads nothing about it.
    assert.doesNotMatch(
      await text(await get(t, `/host/bookings/${b.id}`, w.host.cookie)),
      /removed your review|insults them/,
    );
  } finally {
    t.close();
  }
});

Deno.test("reviews: the audit log names a review by its kitchen or renter and its author, with the id as small copyable text", async () => {
  const w = await world();
  const { t, booking: b } = w;
  try {
    await post(t, `/bookings/${b.id}/review`, KITCHEN_REVIEW, {
      cookie: w.renter.cookie,
    });
    await post(t, `/bookings/${b.id}/review`, RENTER_REVIEW, {
      cookie: w.host.cookie,
    });
    const ofKitchen = (await t.kv.get<string>(
      keys.reviewByBooking(b.id, "renter"),
    )).value!;
    const ofRenter = (await t.kv.get<string>(
      keys.reviewByBooking(b.id, "host"),
    )).value!;
    await post(t, `/reviews/${ofRenter}/report`, {
      reason: "false",
      details: "",
    }, { cookie: w.renter.cookie });
    const admin = await staff(t, "ann@example.com", "admin");
    assert.equal(
      (await post(t, `/admin/reviews/${ofKitchen}/remove`, {
        reason: "It names a member of staff.",
      }, { cookie: admin })).status,
      303,
    );
    assert.equal(
      (await post(t, `/admin/reviews/${ofRenter}/dismiss`, {}, {
        cookie: admin,
      })).status,
      303,
    );
    const html = await (await get(t, "/admin/audit", admin)).text();
    const shown = visibleText(html);
    assert.match(shown, /Review of Hal's Kitchen by Rosa/);
    assert.match(shown, /Review of Rosa by Hal's Commissary/);
    for (const id of [ofKitchen, ofRenter]) {
      assert.match(
        html,
        new RegExp(`Review of [^<]+<code class="block select-all[^"]*">${id}`),
        `${id} is named, then shown as small copyable text`,
      );
    }
  } finally {
    t.close();
  }
});

Deno.test("reviews: staff dismiss reports (audited); support reads but cannot act", async () => {
  const w = await world();
  const { t, booking: b } = w;
  try {
    await post(t, `/bookings/${b.id}/review`, KITCHEN_REVIEW, {
      cookie: w.renter.cookie,
    });
    await post(t, `/bookings/${b.id}/review`, RENTER_REVIEW, {
      cookie: w.host.cookie,
    });
    // The host's review of the renter: only the booking's two people may report it.
    const hostReview = (await t.kv.get<string>(
      keys.reviewByBooking(b.id, "host"),
    )).value!;
    const stranger = await get(
      t,
      `/reviews/${hostReview}/report`,
      w.other.cookie,
    );
    assert.equal(stranger.status, 404);
    assert.equal(
      (await post(t, `/reviews/${hostReview}/report`, {
        reason: "false",
        details: "",
      }, { cookie: w.renter.cookie })).status,
      303,
    );
    const support = await staff(t, "sam@example.com", "support");
    const page = await text(await get(t, "/admin/reviews", support));
    assert.match(page, /Host's review at Hal's Kitchen/);
    assert.doesNotMatch(page, /Dismiss reports/);
    assert.equal(
      (await post(t, `/admin/reviews/${hostReview}/dismiss`, {}, {
        cookie: support,
      })).status,
      403,
    );
    const admin = await staff(t, "ann@example.com", "admin");
    const res = await post(t, `/admin/reviews/${hostReview}/dismiss`, {}, {
      cookie: admin,
    });
    assert.equal(res.status, 303);
    const log = (await listAudit(t.kv, { limit: 50 })).entries;
    assert.ok(log.some((e) => e.action === "review.reports_dismissed"));
    // The review stays and still counts.
    assert.equal(
      (await t.kv.get<{ count: number }>(keys.renterRating(w.renter.id)))
        .value?.count,
      1,
    );
    assert.equal(
      (await post(t, `/admin/reviews/${hostReview}/dismiss`, {}, {
        cookie: admin,
      })).status,
      404,
    );
  } finally {
    t.close();
  }
});

Deno.test("reviews: the window opening and three days before it closes remind whoever has not written", async () => {
  const w = await world({ complete: false });
  const { t, booking: b } = w;
  try {
    await finish(t, b);
    const opened = (await listMail(t.kv)).filter((m) =>
      m.subject === "Review your booking at Hal's Kitchen"
    );
    assert.deepEqual(opened.map((m) => m.to).sort(), [
      "hal@example.com",
      "rosa@example.com",
    ]);
    assert.match(opened[0].text, /\/bookings\/[0-9A-Z]{26}\/review/);
    // The renter writes; only the host hears three days before the end.
    await post(t, `/bookings/${b.id}/review`, KITCHEN_REVIEW, {
      cookie: w.renter.cookie,
    });
    t.advance(11 * DAY);
    await runJobs(t);
    const closing = (await listMail(t.kv)).filter((m) =>
      /days left to review/.test(m.subject)
    );
    assert.deepEqual(closing.map((m) => m.to), ["hal@example.com"]);
    assert.match(
      closing[0].subject,
      /^3 days left to review your booking at Hal's Kitchen$/,
    );
    const notes = await listNotifications(t.kv, w.host.id);
    assert.ok(
      notes.notifications.some((n) => /3 days left/.test(n.title)),
    );
    // Running the jobs again sends nothing more.
    await runJobs(t);
    assert.equal(
      (await listMail(t.kv)).filter((m) => /days left/.test(m.subject)).length,
      1,
    );
  } finally {
    t.close();
  }
});

Deno.test("reviews: a booking not yet ended, or cancelled, cannot be reviewed", async () => {
  const w = await world({ complete: false });
  const { t, booking: b } = w;
  try {
    const early = await post(t, `/bookings/${b.id}/review`, KITCHEN_REVIEW, {
      cookie: w.renter.cookie,
    });
    assert.equal(early.status, 409);
    assert.match(await text(early), /once it has ended/);
    // Cancelled, then past its end: it never took place.
    t.advance(b.end - t.clock() + HOUR);
    await t.kv.set(keys.booking(b.id), { ...b, status: "cancelled" });
    const cancelled = await post(
      t,
      `/bookings/${b.id}/review`,
      KITCHEN_REVIEW,
      {
        cookie: w.renter.cookie,
      },
    );
    assert.equal(cancelled.status, 409);
    assert.match(await text(cancelled), /Only bookings that took place/);
    assert.deepEqual(await reviewKeys(t), []);
  } finally {
    t.close();
  }
});

Deno.test("reviews: bad input gets a clear 4xx and writes nothing", async () => {
  const w = await world();
  const { t, booking: b } = w;
  try {
    const cases: [string, Record<string, string>, RegExp][] = [
      [
        "rating 0",
        { ...KITCHEN_REVIEW, overall: "0" },
        /Choose from 1 to 5 stars/,
      ],
      [
        "rating 6",
        { ...KITCHEN_REVIEW, cleanliness: "6" },
        /Choose from 1 to 5 stars/,
      ],
      [
        "rating 2.5",
        { ...KITCHEN_REVIEW, equipment: "2.5" },
        /Choose from 1 to 5 stars/,
      ],
      [
        "no rating",
        { ...KITCHEN_REVIEW, communication: "" },
        /Choose from 1 to 5 stars/,
      ],
      [
        "text of 19",
        { ...KITCHEN_REVIEW, text: "x".repeat(19) },
        /Use at least 20 characters/,
      ],
      [
        "text of 2001",
        { ...KITCHEN_REVIEW, text: "x".repeat(2001) },
        /Use at most 2000 characters/,
      ],
      [
        "huge text",
        { ...KITCHEN_REVIEW, text: "x".repeat(12_000) },
        /Use at most 2000 characters/,
      ],
      ["control characters", {
        ...KITCHEN_REVIEW,
        text: `${"a".repeat(25)}\u0007`,
      }, /Remove the control characters/],
    ];
    for (const [what, form, message] of cases) {
      const res = await post(t, `/bookings/${b.id}/review`, form, {
        cookie: w.renter.cookie,
      });
      assert.equal(res.status, 400, what);
      const page = await text(res);
      assert.match(page, message, what);
      assert.match(page, /Review your booking at Hal's Kitchen/, what);
    }
    // Someone not on the booking, unknown and malformed ids, signed out.
    const bad: [
      string,
      string,
      Record<string, string>,
      string | undefined,
      number,
    ][] = [
      [
        "someone not on the booking",
        `/bookings/${b.id}/review`,
        KITCHEN_REVIEW,
        w.other.cookie,
        404,
      ],
      [
        "an unknown booking",
        "/bookings/01JZZZZZZZZZZZZZZZZZZZZZZZ/review",
        KITCHEN_REVIEW,
        w.renter.cookie,
        404,
      ],
      [
        "a malformed booking id",
        "/bookings/not-an-id/review",
        KITCHEN_REVIEW,
        w.renter.cookie,
        404,
      ],
      [
        "a malformed review id",
        "/reviews/../report",
        { reason: "spam" },
        w.other.cookie,
        404,
      ],
      [
        "an unknown review",
        "/reviews/01JZZZZZZZZZZZZZZZZZZZZZZZ/report",
        { reason: "spam" },
        w.other.cookie,
        404,
      ],
      [
        "an unknown review's response",
        "/reviews/01JZZZZZZZZZZZZZZZZZZZZZZZ/response",
        { response: "Thanks!" },
        w.host.cookie,
        404,
      ],
      [
        "signed out",
        `/bookings/${b.id}/review`,
        KITCHEN_REVIEW,
        undefined,
        303,
      ],
    ];
    for (const [what, path, form, cookie, status] of bad) {
      const res = await post(t, path, form, { cookie });
      assert.equal(res.status, status, what);
      await res.body?.cancel();
    }
    const page = await get(t, `/kitchens/${w.kitchen.id}/reviews?before=nope`);
    assert.equal(page.status, 400);
    await page.body?.cancel();
    assert.deepEqual(await reviewKeys(t), [], "nothing half-written");
    const edges = await post(t, `/bookings/${b.id}/review`, {
      ...RENTER_REVIEW,
      text: "y".repeat(20),
    }, { cookie: w.host.cookie });
    assert.equal(edges.status, 303);
    // 2,000 characters of four-byte text: past the form limit, within the review's.
    const wide = await post(t, `/bookings/${b.id}/review`, {
      ...KITCHEN_REVIEW,
      text: "😀".repeat(2000),
    }, { cookie: w.renter.cookie });
    assert.equal(wide.status, 303);
    // Report and removal reasons are checked too.
    const id = (await t.kv.get<string>(keys.reviewByBooking(b.id, "renter")))
      .value!;
    const noReason = await post(t, `/reviews/${id}/report`, {
      reason: "because",
      details: "",
    }, { cookie: w.other.cookie });
    assert.equal(noReason.status, 400);
    assert.match(await text(noReason), /Choose why you are reporting it/);
    const blankResponse = await post(t, `/reviews/${id}/response`, {
      response: "   ",
    }, { cookie: w.host.cookie });
    assert.equal(blankResponse.status, 400);
    assert.match(await text(blankResponse), /Enter your response/);
    const user = await userByEmail(t, "olga@example.com");
    assert.equal(
      (await t.kv.get(keys.reviewReport(id, user!.id))).value,
      null,
    );
  } finally {
    t.close();
  }
});
