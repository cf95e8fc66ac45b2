/** Issue 17 §15: on a fresh start the demo host has something on every host page. */
import assert from "node:assert/strict";
import { summariseEarnings } from "../../lib/bookings/earnings.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import { listBookingsByHost } from "../../lib/bookings/repo.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { localToday } from "../../lib/kitchens/free_time.ts";
import { seedDemoAccounts } from "../../scripts/demo/accounts.ts";
import {
  DEMO_BOOKINGS,
  seedDemoBookings,
} from "../../scripts/demo/bookings.ts";
import { seedDemoData } from "../../scripts/demo/catalogue.ts";
import { get, post, runJobs, sessionCookie } from "../account_helpers.ts";
import { testApp } from "../helpers.ts";
import { DEMO_PASSWORD } from "../../scripts/demo/accounts.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const HOST = "demo-host-01";

Deno.test("demo bookings: the demo host has past, today's, upcoming, requested and cancelled bookings and months of earnings, once", async () => {
  const t = await testApp(NOW);
  try {
    await seedDemoData(t.kv, { now: new Date(NOW) });
    await seedDemoAccounts(t.kv, new Date(NOW));
    const seeded = await seedDemoBookings(t.kv, NOW);
    assert.deepEqual(seeded, { created: DEMO_BOOKINGS.length, skipped: 0 });

    const bookings = await listBookingsByHost(t.kv, HOST, 500);
    assert.equal(bookings.length, DEMO_BOOKINGS.length);
    const count = (status: string) =>
      bookings.filter((b) => b.status === status).length;
    assert.ok(count("completed") >= 10, "past, completed");
    assert.ok(count("confirmed") >= 4, "today's and upcoming");
    assert.equal(count("requested"), 2);
    assert.equal(count("cancelled"), 2);
    assert.ok(
      bookings.filter((b) => b.status === "requested").every((b) =>
        b.respondBy! > NOW
      ),
      "requests the host can still answer",
    );
    const today = localToday("America/New_York", NOW);
    assert.ok(bookings.some((b) => b.localDate === today), "one today");
    assert.ok(
      bookings.some((b) => b.status === "confirmed" && b.start > NOW),
      "upcoming",
    );
    for (const b of bookings) {
      assert.equal(ledgerProblem(b), null, b.id);
      assert.equal(b.renterId, "demo-user-renter");
    }
    const refunded = bookings.filter((b) =>
      b.ledger.some((e) => e.kind === "refund" && e.ref !== null)
    );
    assert.equal(refunded.length, 2, "both cancellations refunded");
    // No two bookings of a kitchen overlap: the calendar took each one.
    for (const a of bookings) {
      for (const b of bookings) {
        if (a.id === b.id || a.kitchenId !== b.kitchenId) continue;
        const live = (s: string) => s !== "cancelled";
        if (!live(a.status) || !live(b.status)) continue;
        assert.ok(a.end <= b.start || b.end <= a.start, `${a.id} ${b.id}`);
      }
    }
    const earnings = summariseEarnings(bookings, NOW);
    assert.ok(earnings.months.length >= 4, "earnings across several months");
    assert.ok(earnings.total.netCents > 0);

    // Idempotent: a second start adds nothing.
    assert.equal(await seedDemoBookings(t.kv, NOW), null);
    assert.equal(
      (await listBookingsByHost(t.kv, HOST, 500)).length,
      DEMO_BOOKINGS.length,
    );
    // Nobody is emailed about demo bookings made "months ago"; stays that
    // ended within the review window ask both sides for a review (issue 18).
    await runJobs(t);
    assert.deepEqual(
      (await listMail(t.kv)).map((m) => m.subject).filter((s) =>
        !/^Review your booking at /.test(s)
      ),
      [],
    );

    // Every host page shows something.
    const cookie = sessionCookie(
      await post(t, "/login", {
        email: "host@prep.test",
        password: DEMO_PASSWORD,
      }),
    );
    const dashboard = await (await get(t, "/host", cookie)).text();
    assert.match(dashboard, /Requests waiting for your answer \(2\)/);
    assert.doesNotMatch(dashboard, /Nothing booked today\./);
    assert.doesNotMatch(dashboard, /No upcoming bookings\./);
    assert.match(dashboard, /\d hours booked/);
    assert.doesNotMatch(dashboard, /No earnings yet\./);
    assert.match(dashboard, /September 2026/);
    const list = await (await get(t, "/host/bookings", cookie)).text();
    assert.match(list, /See the request and answer/);
    assert.match(list, /Cancelled/);
    assert.match(list, /Completed/);

    // Pages that list bookings stay one-byte text (no character past
    // U+00FF): one en dash or arrow made V8 hold a whole page as two-byte
    // text, which Deno sends at about half the speed (issue 21 §8).
    const renter = sessionCookie(
      await post(t, "/login", {
        email: "renter@prep.test",
        password: DEMO_PASSWORD,
      }),
    );
    const firstBooking = `/bookings/${bookings[0].id}`;
    for (
      const [path, who] of [
        ["/host", cookie],
        ["/host/bookings", cookie],
        [`/host/bookings/${bookings[0].id}`, cookie],
        ["/bookings", renter],
        [firstBooking, renter],
      ] as const
    ) {
      const html = await (await get(t, path, who)).text();
      const wide = /[\u0100-\uffff]/.exec(html);
      assert.equal(
        wide,
        null,
        `${path}: "${wide?.[0]}" in ${
          html.slice(
            Math.max(0, (wide?.index ?? 0) - 60),
            (wide?.index ?? 0) + 20,
          )
        }`,
      );
    }
  } finally {
    t.close();
  }
});
