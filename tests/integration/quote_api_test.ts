// GET /api/kitchens/:id/quote: the kitchen page's live price, before anything is held.
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import assert from "node:assert/strict";
import type { SessionUser } from "../../lib/accounts/schema.ts";
import { createHold } from "../../lib/bookings/holds.ts";
import { newId } from "../../lib/ids.ts";
import {
  addHost,
  addKitchens,
  ALLOW_ALL,
  kitchenFixture,
  testApp,
} from "../helpers.ts";

type T = Awaited<ReturnType<typeof testApp>>;

async function setup(env: Record<string, string> = {}) {
  const t = await testApp(undefined, env);
  const host = await addHost(t.kv);
  const [k, overnight] = await addKitchens(t.kv, host.id, [
    kitchenFixture(),
    kitchenFixture({
      // Wednesdays 22:00 until Thursday 06:00.
      weeklyHours: [{ day: 3, start: "22:00", end: "06:00" }],
    }),
  ]);
  return { t, k, overnight };
}

async function quote(t: T, id: string, query: string) {
  const res = await t.request(`/api/kitchens/${id}/quote?${query}`);
  assert.equal(res.headers.get("cache-control"), "no-store", query);
  assert.match(res.headers.get("content-type")!, /^application\/json/);
  return { status: res.status, body: await res.json() };
}

Deno.test("quote api: lines with labels and amounts, and the total, for a free interval", async () => {
  const { t, k } = await setup();
  const { status, body } = await quote(
    t,
    k.id,
    "date=2026-12-03&start=10:00&end=13:00",
  );
  assert.equal(status, 200);
  assert.deepEqual(body, {
    kitchen: k.id,
    date: "2026-12-03",
    start: "10:00",
    end: "13:00",
    timeZone: "America/Chicago",
    startAt: "2026-12-03T16:00:00.000Z",
    endAt: "2026-12-03T19:00:00.000Z",
    when: "Thu, Dec 3, 10:00 AM - 1:00 PM",
    durationMinutes: 180,
    currency: "usd",
    lines: [
      {
        kind: "hours",
        label: "3 hours × $40",
        amountCents: 12000,
        amount: "$120",
      },
      {
        kind: "cleaning",
        label: "Cleaning fee",
        amountCents: 2500,
        amount: "$25",
      },
    ],
    totalCents: 14500,
    total: "$145",
  });
  t.close();
});

Deno.test("quote api: fees come from configuration; the host's side stays private", async () => {
  const { t, k } = await setup({
    RENTER_FEE_BPS: "1000",
    PLATFORM_FEE_BPS: "2000",
  });
  const { status, body } = await quote(
    t,
    k.id,
    "date=2026-12-03&start=10:00&end=12:30",
  );
  assert.equal(status, 200);
  assert.deepEqual(
    body.lines.map((l: { label: string; amount: string }) =>
      `${l.label}: ${l.amount}`
    ),
    ["2.5 hours × $40: $100", "Cleaning fee: $25", "Service fee (10%): $10"],
  );
  assert.equal(body.total, "$135");
  const text = JSON.stringify(body);
  assert.doesNotMatch(text, /commission|payout|platform|bps/i);
  t.close();
});

Deno.test("quote api: an end at or before the start is the next day", async () => {
  const { t, overnight } = await setup();
  const { status, body } = await quote(
    t,
    overnight.id,
    "date=2026-12-02&start=22:00&end=02:00",
  );
  assert.equal(status, 200);
  assert.equal(body.durationMinutes, 240);
  assert.equal(body.startAt, "2026-12-03T04:00:00.000Z");
  assert.equal(body.endAt, "2026-12-03T08:00:00.000Z");
  assert.equal(body.total, "$185");
  t.close();
});

Deno.test("quote api: bad input is a 400 with field issues", async () => {
  const { t, k } = await setup();
  const cases: [string, Record<string, string>][] = [
    ["", {
      date: "Use a date like 2026-12-31",
      start: "Pick a start time",
      end: "Pick an end time",
    }],
    ["date=2026-13-45&start=10:00&end=13:00", {
      date: "Use a date like 2026-12-31",
    }],
    ["date=2026-12-03&start=10:07&end=13:00", { start: "Pick a start time" }],
    ["date=2026-12-03&start=10:00&end=13:00%0d%0aX: y", {
      end: "Pick an end time",
    }],
    ["date=2026-12-03&start=10:00", { end: "Pick an end time" }],
  ];
  for (const [query, issues] of cases) {
    const { status, body } = await quote(t, k.id, query);
    assert.equal(status, 400, query);
    assert.deepEqual(body.issues, issues, query);
    assert.equal(typeof body.error, "string");
  }
  // The kitchen's rules: too short, outside its hours, in the past.
  for (
    const query of [
      "date=2026-12-03&start=10:00&end=11:00",
      "date=2026-12-03&start=06:00&end=09:00",
      "date=2026-11-20&start=10:00&end=13:00",
    ]
  ) {
    const { status, body } = await quote(t, k.id, query);
    assert.equal(status, 400, query);
    assert.ok(Object.keys(body.issues).length > 0, query);
  }
  t.close();
});

Deno.test("quote api: unknown and unpublished kitchens are a 404", async () => {
  const { t } = await setup();
  const host = await addHost(t.kv);
  const [draft] = await addKitchens(t.kv, host.id, [kitchenFixture()], "draft");
  for (const id of [newId(), draft.id]) {
    const { status, body } = await quote(
      t,
      id,
      "date=2026-12-03&start=10:00&end=13:00",
    );
    assert.equal(status, 404);
    assert.deepEqual(body, { error: "We could not find that kitchen." });
  }
  const odd = await t.request(
    "/api/kitchens/not-an-id/quote?date=2026-12-03&start=10:00&end=13:00",
  );
  assert.equal(odd.status, 404);
  assert.deepEqual(await odd.json(), { error: "Not found" });
  t.close();
});

Deno.test("quote api: time someone holds is a 409", async () => {
  const { t, k } = await setup();
  await setDemoPayoutReady(t.kv, k.hostId, t.now);
  const at = new Date(t.now).toISOString();
  const renter: SessionUser = {
    v: 1,
    id: newId(),
    email: "rosa@example.com",
    name: "Rosa",
    roles: ["renter"],
    emailVerifiedAt: at,
    phone: null,
    businessName: null,
    createdAt: at,
    updatedAt: at,
  };
  await createHold(
    {
      kv: t.kv,
      now: t.now,
      fees: { renterFeeBps: 0, platformFeeBps: 1500 },
      policy: ALLOW_ALL,
      wake: false,
      payments: "demo",
    },
    renter,
    { kitchen: k.id, date: "2026-12-03", start: "11:00", end: "13:00" },
  );
  const { status, body } = await quote(
    t,
    k.id,
    "date=2026-12-03&start=10:00&end=12:00",
  );
  assert.equal(status, 409);
  assert.match(body.error, /Someone else has just booked part of that time/);
  // Right after the hold, the same kitchen still prices free time.
  assert.equal(
    (await quote(t, k.id, "date=2026-12-03&start=13:00&end=15:00")).status,
    200,
  );
  t.close();
});
