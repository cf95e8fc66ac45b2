// The staff and host figures are counters summed in the atomics of the
// events they count (lib/metrics): these tests drive the real booking,
// document and job code and read the counters back.
import assert from "node:assert/strict";
import { z } from "zod";
import { at, backupRules, migrationList } from "../../lib/app.ts";
import { rebuildDerived } from "../../lib/db/backup.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { requestMove } from "../../lib/payments/reschedule.ts";
import {
  bookPaid,
  get,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  signUpConfirmed,
} from "../account_helpers.ts";
import type { SessionUser } from "../../lib/accounts/schema.ts";
import { createHold, type HoldDeps } from "../../lib/bookings/holds.ts";
import {
  cancelBooking,
  confirmPayment,
  type LifecycleDeps,
} from "../../lib/bookings/lifecycle.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { reviewDocument } from "../../lib/compliance/repo.ts";
import { keys } from "../../lib/db/keys.ts";
import type { MigrationState } from "../../lib/db/migrations/runner.ts";
import { runMigrations } from "../../lib/db/migrations/runner.ts";
import { LATEST_SCHEMA_VERSION } from "../../lib/db/migrations/names.ts";
import { readyDemoPayout } from "../../lib/hosts/payouts.ts";
import { newId } from "../../lib/ids.ts";
import { addJob, retryDeadJob } from "../../lib/jobs/outbox.ts";
import { createJobRunner, defineJob } from "../../lib/jobs/runner.ts";
import {
  readCells,
  readCount,
  readScopeCounts,
} from "../../lib/metrics/repo.ts";
import { ALL } from "../../lib/metrics/schema.ts";
import { recordRefund } from "../../lib/payments/refunds.ts";
import { addVerified, TEST_ADMIN, upload } from "../compliance_helpers.ts";
import {
  addHost,
  addKitchens,
  ALLOW_ALL,
  kitchenFixture,
  testApp,
} from "../helpers.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const MAIL = {
  from: "Prep <hello@example.com>",
  baseUrl: "http://x",
  wake: false,
};

function renter(n: number): SessionUser {
  const at = new Date(NOW).toISOString();
  return {
    v: 1,
    id: newId(),
    email: `renter${n}@example.com`,
    name: `Renter ${n}`,
    roles: ["renter"],
    emailVerifiedAt: at,
    phone: null,
    businessName: null,
    createdAt: at,
    updatedAt: at,
  };
}

const holdDeps = (kv: Deno.Kv): HoldDeps => ({
  kv,
  now: NOW,
  fees: { renterFeeBps: 0, platformFeeBps: 1500 },
  policy: ALLOW_ALL,
  wake: false,
  payments: "demo",
});
const lifeDeps = (kv: Deno.Kv, now = NOW): LifecycleDeps => ({
  kv,
  now,
  mail: MAIL,
});
const DEMO = {
  provider: "demo" as const,
  checkoutSessionId: null,
  paymentIntentId: null,
  chargeId: null,
};

async function setup(count = 1) {
  const kv = await Deno.openKv(":memory:");
  const host = await addHost(kv, "Test Host", {
    payout: readyDemoPayout(new Date(NOW).toISOString()),
  });
  // Open around the clock, so a booking may run past midnight.
  const weeklyHours = [1, 2, 3, 4, 5, 6, 7].map((day) => ({
    day,
    start: "00:00",
    end: "24:00",
  }));
  const kitchens = await addKitchens(
    kv,
    host.id,
    Array.from(
      { length: count },
      (_, i) => kitchenFixture({ title: `K${i}`, weeklyHours }),
    ),
  );
  return { kv, kitchens };
}

/** Every figure counter in the store, by key, leaving out those at zero. */
async function figures(kv: Deno.Kv): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  for (const prefix of keys.metricRoots()) {
    for await (const e of kv.list<Deno.KvU64>({ prefix })) {
      const v = BigInt.asIntN(64, e.value.value);
      if (v !== 0n) out.set(JSON.stringify(e.key), v);
    }
  }
  return out;
}

const week = "w:2026-11-30";
const chicago = { kind: "city" as const, id: "chicago" };

Deno.test("figures: a paid booking, a cancellation and its refund move the counters exactly, in the same atomics", async () => {
  const { kv, kitchens: [k] } = await setup();
  try {
    const a = await createHold(holdDeps(kv), renter(1), {
      kitchen: k.id,
      date: "2026-12-03",
      start: "10:00",
      end: "13:00",
    });
    const b = await createHold(holdDeps(kv), renter(2), {
      kitchen: k.id,
      date: "2026-12-04",
      start: "09:00",
      end: "11:00",
    });
    // Holds count nothing (the kitchen's permits counted as documents).
    const permits = await figures(kv);
    assert.ok(
      [...permits.keys()].every((k) => /document|decision_wait/.test(k)),
    );
    await createHold(holdDeps(kv), renter(3), {
      kitchen: k.id,
      date: "2026-12-05",
      start: "09:00",
      end: "11:00",
    });
    assert.deepEqual(await figures(kv), permits);
    await confirmPayment(lifeDeps(kv), a.id, DEMO);
    const bRenter = { id: b.renterId, roles: ["renter"] };
    await confirmPayment(lifeDeps(kv), b.id, DEMO);
    const paidA = (await kv.get<Booking>(keys.booking(a.id))).value!;
    const paidB = (await kv.get<Booking>(keys.booking(b.id))).value!;
    assert.equal(paidA.city, "chicago");
    const counts = await readScopeCounts(kv, ALL, week, week);
    assert.equal(counts.get(week)!.get("bookings"), 2);
    assert.equal(
      counts.get(week)!.get("gross_cents"),
      paidA.quote.totalChargedCents + paidB.quote.totalChargedCents,
    );
    assert.equal(
      counts.get(week)!.get("commission_cents"),
      paidA.quote.commissionCents + paidB.quote.commissionCents,
    );
    assert.equal(counts.get(week)!.get("booked_minutes"), 300);

    // The renter cancels b 5 days ahead under a moderate policy.
    const cancelled = await cancelBooking(lifeDeps(kv), b.id, bRenter, {
      through: ["renter"],
      reason: null,
    });
    assert.equal(cancelled.status, "cancelled");
    const refund = cancelled.cancellation!.refundCents;
    assert.ok(refund > 0);
    const after = (await readScopeCounts(kv, chicago, week, week)).get(week)!;
    assert.equal(after.get("bookings"), 2);
    assert.equal(after.get("cancellations"), 1);
    assert.equal(after.get("refunds_cents"), refund);
    assert.equal(
      after.get("commission_refunded_cents"),
      cancelled.ledger.find((e) => e.kind === "fee_refund")!.amountCents,
    );
    assert.equal(after.get("booked_minutes"), 180);
    // Thursday 10:00–13:00: the kitchen's cells 3 × 24 + 10…12.
    const cells = await readCells(kv, k.id, week, week);
    assert.deepEqual(
      cells.flatMap((m, i) => (m ? [[i, m]] : [])),
      [[82, 60], [83, 60], [84, 60]],
    );
    assert.equal(
      await readCount(
        kv,
        { kind: "kitchen", id: k.id },
        "m:2026-12",
        "host_net_cents",
      ),
      paidA.quote.hostPayoutCents + paidB.quote.hostPayoutCents -
        cancelled.ledger.find((e) => e.kind === "transfer_reversal")!
          .amountCents,
    );

    // The refund job records the provider's id on the ledger: no figure moves.
    const before = await figures(kv);
    const n = cancelled.ledger.filter((e) => e.kind === "refund").length;
    await recordRefund(lifeDeps(kv), {
      bookingId: b.id,
      n,
      amountCents: refund,
      hostReversalCents: 0,
      commissionRefundCents: 0,
    }, "job-1");
    assert.ok(
      (await kv.get<Booking>(keys.booking(b.id))).value!.ledger.every((e) =>
        e.ref !== null || !e.kind.includes("refund")
      ),
    );
    assert.deepEqual(await figures(kv), before);
  } finally {
    kv.close();
  }
});

Deno.test("figures: 24 bookings confirmed at once all count (sums never conflict)", async () => {
  const { kv, kitchens } = await setup(4);
  try {
    const held: Booking[] = [];
    for (let i = 0; i < 24; i++) {
      const k = kitchens[i % 4];
      held.push(
        await createHold(holdDeps(kv), renter(i), {
          kitchen: k.id,
          date: `2026-12-0${2 + Math.floor(i / 8)}`,
          start: `${
            String(8 + (Math.floor(i / 4) % 2) * 4).padStart(2, "0")
          }:00`,
          end: `${
            String(11 + (Math.floor(i / 4) % 2) * 4).padStart(2, "0")
          }:00`,
        }),
      );
    }
    await Promise.all(
      held.map((b) => confirmPayment(lifeDeps(kv), b.id, DEMO)),
    );
    const all = (await readScopeCounts(kv, ALL, week, week)).get(week)!;
    assert.equal(all.get("bookings"), 24);
    assert.equal(
      all.get("gross_cents"),
      held.reduce((n, b) => n + b.quote.totalChargedCents, 0),
    );
    assert.equal(all.get("booked_minutes"), 24 * 180);
    for (const k of kitchens) {
      const mine = (await readScopeCounts(
        kv,
        { kind: "kitchen", id: k.id },
        week,
        week,
      )).get(week)!;
      assert.equal(mine.get("bookings"), 6);
    }
  } finally {
    kv.close();
  }
});

Deno.test("figures: documents waiting, decided and how long they waited", async () => {
  const { kv } = await setup();
  try {
    const holder = { kind: "renter" as const, id: newId() };
    const H = 3600_000;
    await addVerified(kv, holder, holder.id, upload("food_handler_card"), NOW);
    const waiting = await addVerified(
      kv,
      holder,
      holder.id,
      upload("food_manager_certificate"),
      NOW,
      false,
    );
    assert.equal(await readCount(kv, ALL, "now", "documents_waiting"), 1);
    await reviewDocument(kv, waiting.id, "reject", TEST_ADMIN, {
      reason: "The certificate is unreadable",
      mail: MAIL,
    }, NOW + 30 * H);
    assert.equal(await readCount(kv, ALL, "now", "documents_waiting"), 0);
    const docs = (await readScopeCounts(kv, ALL, week, week)).get(week)!;
    assert.equal(docs.get("documents_uploaded"), 2);
    assert.equal(docs.get("documents_decided"), 2);
    // One decided at once (under an hour), one after 30 hours (1–2 days).
    assert.equal(docs.get("decision_wait_0"), 1);
    assert.equal(docs.get("decision_wait_4"), 1);
  } finally {
    kv.close();
  }
});

Deno.test("figures: dead letters count in when a job runs out of attempts and out when staff retry it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const atomic = kv.atomic();
    const id = addJob(atomic, { type: "always.fails", payload: {} }, {
      now: NOW,
      wake: false,
      maxAttempts: 1,
    });
    await atomic.commit();
    const runner = createJobRunner(kv, {
      "always.fails": defineJob({
        schema: z.object({}),
        run: () => Promise.reject(new Error("no")),
      }),
    }, { now: () => NOW, log: () => {} });
    await runner.runDue();
    assert.equal(await readCount(kv, ALL, "now", "dead_letters"), 1);
    assert.ok(await retryDeadJob(kv, id, NOW));
    assert.equal(await readCount(kv, ALL, "now", "dead_letters"), 0);
  } finally {
    kv.close();
  }
});

Deno.test("figures: the migration that counts records from before the figures writes exactly what the events wrote, once", async () => {
  const { kv, kitchens: [k, k2] } = await setup(2);
  try {
    const ids: string[] = [];
    for (
      const [i, [kitchen, date, start, end]] of [
        [k, "2026-12-03", "10:00", "13:00"],
        [k, "2026-12-05", "22:00", "02:00"],
        [k2, "2026-12-04", "08:00", "12:00"],
        [k2, "2026-12-10", "14:00", "16:00"],
      ].entries() as Iterable<[number, [typeof k, string, string, string]]>
    ) {
      const b = await createHold(holdDeps(kv), renter(i), {
        kitchen: kitchen.id,
        date,
        start,
        end,
      });
      await confirmPayment(lifeDeps(kv), b.id, DEMO);
      ids.push(b.id);
    }
    // A hold left unpaid, and a cancellation.
    await createHold(holdDeps(kv), renter(9), {
      kitchen: k.id,
      date: "2026-12-07",
      start: "10:00",
      end: "12:00",
    });
    const third = (await kv.get<Booking>(keys.booking(ids[2]))).value!;
    await cancelBooking(lifeDeps(kv), ids[2], {
      id: third.renterId,
      roles: ["renter"],
    }, { through: ["renter"], reason: null });
    const holder = { kind: "renter" as const, id: newId() };
    await addVerified(kv, holder, holder.id, upload("food_handler_card"), NOW);
    const fromEvents = await figures(kv);
    assert.ok(fromEvents.size > 20);

    // The same records in a store from before the figures: no counters, no
    // cities on the bookings, schema version 3.
    for (const prefix of keys.metricRoots()) {
      for await (const e of kv.list({ prefix })) await kv.delete(e.key);
    }
    for await (const e of kv.list<Booking>({ prefix: keys.bookingsPrefix() })) {
      const { city: _, ...old } = e.value;
      await kv.set(e.key, old);
    }
    const state: MigrationState = { v: 1, version: 3, running: null };
    await kv.set(keys.migrationState(), state);

    const ran = await runMigrations(kv, migrationList());
    assert.deepEqual([ran.from, ran.to], [3, LATEST_SCHEMA_VERSION]);
    assert.deepEqual(await figures(kv), fromEvents);
    for (const id of ids) {
      assert.equal(
        (await kv.get<Booking>(keys.booking(id))).value!.city,
        "chicago",
      );
    }
    // Run again: nothing more is counted.
    assert.equal((await runMigrations(kv, migrationList())).entries, 0);
    assert.deepEqual(await figures(kv), fromEvents);
  } finally {
    kv.close();
  }
});

/** The counters as events left them equal what summing every record again gives. */
async function assertCountersMatchRecords(kv: Deno.Kv) {
  const fromEvents = await figures(kv);
  await rebuildDerived(kv, backupRules().derived);
  assert.deepEqual(await figures(kv), fromEvents);
}

Deno.test("figures: a weekly booking counts each date once it is charged, nothing for dates cancelled before; a moved booking carries its hours", async () => {
  const t = await testApp();
  try {
    const host = await signUpConfirmed(t, "hank@example.com", "host");
    await setDemoPayoutReady(t.kv, host.user.id, t.clock());
    const [k] = await addKitchens(t.kv, host.user.id, [
      kitchenFixture({ standingBookings: true, standingMonthsAhead: 6 }),
    ]);
    const renter = await signUpConfirmed(t, "rosa@example.com", "rent", {
      wallet: true,
    });
    // Tuesdays and Thursdays 9 AM - 1 PM from Tue Dec 8: four dates.
    const rule = {
      kitchen: k.id,
      weekdays: "tue,thu",
      start: "09:00",
      end: "13:00",
      every: "1",
      from: "2026-12-08",
      count: "4",
    };
    const preview = await (await get(
      t,
      `/bookings/series/new?${new URLSearchParams(rule)}`,
      renter.cookie,
    )).text();
    const body = new URLSearchParams({ ...rule, acceptRules: "yes" });
    for (const m of preview.matchAll(/name="keep" value="(\d+)"/g)) {
      body.append("keep", m[1]);
    }
    const claimed = await t.request("/bookings/series", {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Sec-Fetch-Site": "same-origin",
        Cookie: renter.cookie,
      },
    });
    assert.equal(claimed.status, 303);
    await post(t, claimed.headers.get("location")!, { card: "works" }, {
      cookie: renter.cookie,
    });
    await runJobs(t);
    const w1 = "w:2026-12-07";
    const bookings = async () =>
      (await readScopeCounts(t.kv, ALL, w1, w1)).get(w1)?.get("bookings") ?? 0;
    // The first date is paid; the other three are scheduled, not yet charged.
    assert.equal(await bookings(), 1);
    assert.equal(
      (await readScopeCounts(t.kv, ALL, w1, w1)).get(w1)!.get("booked_minutes"),
      240,
    );
    // Thu Dec 10 is charged Mon Dec 7, 9 AM.
    t.advance(Date.parse("2026-12-07T15:01:00Z") - t.clock());
    await runJobs(t);
    assert.equal(await bookings(), 2);
    await assertCountersMatchRecords(t.kv);

    // The renter ends the weekly booking: the dates not charged go, uncounted.
    const lead = (await t.kv.get<Booking>(
      keys.booking(claimed.headers.get("location")!.split("/")[2]),
    )).value!;
    const cookie = sessionCookie(
      await post(t, "/login", {
        email: "rosa@example.com",
        password: PASSWORD,
      }),
    );
    const ended = await post(
      t,
      `/bookings/series/${lead.seriesId}/cancel`,
      {},
      { cookie },
    );
    assert.equal(ended.status, 303);
    await runJobs(t);
    const later =
      (await readScopeCounts(t.kv, ALL, "w:2026-12-14", "w:2026-12-14"))
        .get("w:2026-12-14");
    assert.equal(later?.get("bookings") ?? 0, 0);
    assert.equal(later?.get("cancellations") ?? 0, 0);
    await assertCountersMatchRecords(t.kv);

    // A single booking moved from Thu Dec 17 to Fri Dec 18: its hours follow.
    const single = await bookPaid(t, cookie, {
      kitchen: k.id,
      date: "2026-12-17",
      start: "10:00",
      end: "13:00",
    });
    const moved = await requestMove(at(t.services), single, renter.user, {
      date: "2026-12-18",
      start: "10:00",
      end: "12:00",
    });
    assert.equal(moved.kind, "moved");
    const w3 = "w:2026-12-14";
    const cells = await readCells(t.kv, k.id, w3, w3);
    // Thursday 10 AM - 1 PM emptied, Friday 10 AM - noon taken.
    assert.deepEqual(
      cells.flatMap((m, i) => (m ? [[i, m]] : [])),
      [[4 * 24 + 10, 60], [4 * 24 + 11, 60]],
    );
    assert.equal(
      (await readScopeCounts(t.kv, ALL, w3, w3)).get(w3)!.get("booked_minutes"),
      120,
    );
    await assertCountersMatchRecords(t.kv);
  } finally {
    t.close();
  }
});
