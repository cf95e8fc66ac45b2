/**
 * The city's rules at booking (issue 10 §3): the review page shows the
 * verdict, conditions are acknowledged and stored, a DENY cannot be held,
 * the hold recomputes the verdict from KV, city fees are quote lines, and a
 * kitchen whose permit lapses leaves search and takes no holds.
 */
import assert from "node:assert/strict";
import { characters } from "../page_text.ts";
import { createBlock } from "../../lib/bookings/blocks.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { localInstant } from "../../lib/kitchens/free_time.ts";
import { keys } from "../../lib/db/keys.ts";
import { listDocumentsFor, reviewDocument } from "../../lib/compliance/repo.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { searchKitchens } from "../../lib/kitchens/search.ts";
import { searchQuery } from "../../lib/kitchens/search_query.ts";
import { get, runJobs, signUpConfirmed } from "../account_helpers.ts";
import { giveWallet, TEST_ADMIN } from "../compliance_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

type T = Awaited<ReturnType<typeof testApp>>;

const SF = {
  address: {
    line1: "1 Test St",
    neighborhood: "Mission",
    city: "san-francisco",
    state: "CA",
    postalCode: "94110",
  },
  timeZone: "America/Los_Angeles",
};

async function setup(over: Parameters<typeof kitchenFixture>[0] = {}) {
  const t = await testApp();
  const host = await addHost(t.kv);
  await setDemoPayoutReady(t.kv, host.id, t.clock());
  const [k] = await addKitchens(
    t.kv,
    host.id,
    [kitchenFixture(over)],
    "published",
    {
      now: t.clock(),
    },
  );
  return { t, k };
}

/** POSTs the review form, ticking `acknowledge` (repeated keys). */
async function hold(
  t: T,
  cookie: string,
  form: Record<string, string>,
  acknowledge: string[] = [],
) {
  const body = new URLSearchParams({ ...form, acceptRules: "yes" });
  for (const code of acknowledge) body.append("acknowledge", code);
  return await t.request("/bookings", {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Sec-Fetch-Site": "same-origin",
      Cookie: cookie,
    },
  });
}

const bookingCount = async (t: T) => {
  let n = 0;
  for await (const _ of t.kv.list({ prefix: ["bookings"] })) n++;
  return n;
};

Deno.test("compliance booking: a renter without insurance sees the DENY reasons and cannot hold", async () => {
  const { t, k } = await setup();
  const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
  await giveWallet(t.kv, user.id, t.clock(), { skip: ["liability_insurance"] });
  const form = {
    kitchen: k.id,
    date: "2026-12-03",
    start: "10:00",
    end: "13:00",
  };
  const review = await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-12-03&start=10:00&end=13:00`,
    cookie,
  );
  const html = await review.text();
  assert.match(
    html,
    /The city&#39;s rules do not allow this booking|The city's rules do not allow this booking/,
  );
  assert.match(html, /data-code="insurance.liability.min"/);
  assert.match(html, /data-code="insurance.aggregate.min"/);
  assert.doesNotMatch(html, /Continue to payment/);
  const refused = await hold(t, cookie, form);
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /per occurrence/);
  assert.equal(await bookingCount(t), 0);

  // The kitchen page says what the city asks and what the renter lacks.
  const page = await (await get(t, `/kitchens/${k.id}`, cookie)).text();
  assert.match(page, /Chicago rules for this kitchen/);
  assert.match(
    page,
    /data-state="missing">Missing<\/span><span[^>]*>Liability insurance of at least \$1,000,000/,
  );
  assert.match(
    page,
    /data-state="verified">Verified<\/span><span[^>]*>Food handler card or Food manager certificate/,
  );
  t.close();
});

Deno.test("compliance booking: San Francisco conditions are acknowledged and stored, and its tax is a quote line", async () => {
  const { t, k } = await setup(SF);
  const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
  await giveWallet(t.kv, user.id, t.clock(), {
    additionalInsured: "  city and county of san francisco ",
  });
  const form = {
    kitchen: k.id,
    date: "2026-12-03",
    start: "10:00",
    end: "13:00",
  };
  const review = await (await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-12-03&start=10:00&end=13:00`,
    cookie,
  )).text();
  const codes = [
    "zoning.notice.required",
    "grease.service.overdue",
    "fees.crt.assessed",
  ];
  for (const code of codes) {
    assert.match(review, new RegExp(`name="acknowledge" value="${code}"`));
  }
  assert.match(review, /San Francisco Commercial Rents Tax \(3\.5%\)/);

  const partly = await hold(t, cookie, form, codes.slice(1));
  assert.equal(partly.status, 400);
  assert.match(await partly.text(), /Tick each condition/);
  assert.equal(await bookingCount(t), 0);

  const held = await hold(t, cookie, form, codes);
  assert.equal(held.status, 303, await held.clone().text());
  const id = held.headers.get("location")!.split("/")[2];
  const b = (await t.kv.get<Booking>(keys.booking(id))).value!;
  assert.equal(b.compliance?.decision, "ALLOW_WITH_CONDITIONS");
  assert.deepEqual(
    b.compliance?.conditions.map((c) => c.code).sort(),
    [...codes].sort(),
  );
  // 3 h × $40 = $120 base; 3.5% of it is $4.20, to the city.
  const tax = b.quote.lines.find((l) => l.kind === "city_fee")!;
  assert.equal(tax.amountCents, 420);
  assert.equal(tax.to, "authority");
  assert.equal(b.quote.authorityCents, 420);

  await t.request(`/bookings/${id}/pay`, {
    method: "POST",
    headers: { "Sec-Fetch-Site": "same-origin", Cookie: cookie },
  });
  await runJobs(t);
  const page = await (await get(t, `/bookings/${id}`, cookie)).text();
  assert.match(page, /Conditions you agreed to/);
  assert.match(page, /Commercial Rents Tax/);
  const paid = (await t.kv.get<Booking>(keys.booking(id))).value!;
  assert.equal(paid.status, "confirmed");
  assert.deepEqual(
    paid.ledger.filter((e) => e.kind === "city_fee").map((e) => e.amountCents),
    [420],
  );
  assert.equal(ledgerProblem(paid), null);

  // Cancelled two days ahead under the moderate policy: a full refund, the
  // city's share included, and the ledger still balances.
  await t.request(`/bookings/${id}/cancel`, {
    method: "POST",
    headers: { "Sec-Fetch-Site": "same-origin", Cookie: cookie },
  });
  const cancelled = (await t.kv.get<Booking>(keys.booking(id))).value!;
  assert.equal(cancelled.status, "cancelled");
  const refunded = cancelled.ledger.filter((e) => e.kind === "city_fee_refund")
    .reduce((n, e) => n + e.amountCents, 0);
  assert.equal(refunded, 420 * cancelled.cancellation!.refundBps / 10_000);
  assert.equal(ledgerProblem(cancelled), null);
  t.close();
});

Deno.test("compliance booking: SF quiet hours deny 20:00–23:00 and 05:30–07:00 but not 18:00–22:00, and the picker offers none", async () => {
  const { t, k } = await setup({
    ...SF,
    weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
      day,
      start: "00:00",
      end: "24:00",
    })),
    minHours: 1,
    maxHours: 12,
  });
  const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
  await giveWallet(t.kv, user.id, t.clock(), {
    additionalInsured: "City and County of San Francisco",
  });
  const review = (start: string, end: string) =>
    get(
      t,
      `/bookings/new?kitchen=${k.id}&date=2026-12-03&start=${start}&end=${end}`,
      cookie,
    ).then((r) => r.text());
  assert.match(await review("20:00", "23:00"), /data-code="sound.quiet_hours"/);
  assert.match(await review("05:30", "07:00"), /data-code="sound.quiet_hours"/);
  assert.doesNotMatch(await review("18:00", "22:00"), /sound.quiet_hours/);
  const night = await hold(t, cookie, {
    kitchen: k.id,
    date: "2026-12-03",
    start: "20:00",
    end: "23:00",
  });
  assert.equal(night.status, 400);

  const day = await (await t.request(
    `/api/kitchens/${k.id}/availability?date=2026-12-03`,
  )).json();
  const labels: string[] = day.slots.map((s: { label: string }) => s.label);
  assert.ok(labels.length > 0);
  assert.ok(!labels.includes("11:00 PM") && !labels.includes("5:00 AM"));
  assert.ok(labels.includes("6:00 AM"), labels.join(","));
  t.close();
});

Deno.test("compliance booking: Portland without a COI naming the city is denied; the quote carries Multnomah's tax", async () => {
  const { t, k } = await setup({
    address: {
      line1: "1 Test St",
      neighborhood: "Pearl",
      city: "portland",
      state: "OR",
      postalCode: "97209",
    },
    timeZone: "America/Los_Angeles",
  });
  const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
  await giveWallet(t.kv, user.id, t.clock(), {
    additionalInsured: "City and County of San Francisco",
  });
  const html = await (await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-12-03&start=10:00&end=13:00`,
    cookie,
  )).text();
  assert.match(html, /data-code="insurance.additional_insured.mismatch"/);
  assert.match(html, /City of Portland and Multnomah County/);
  const quote = await (await t.request(
    `/api/kitchens/${k.id}/quote?date=2026-12-03&start=10:00&end=13:00`,
  )).json();
  assert.ok(
    quote.lines.some((l: { label: string }) => /Multnomah/.test(l.label)),
    JSON.stringify(quote.lines),
  );
  t.close();
});

Deno.test("compliance booking: the hold recomputes the verdict, and a lapsed permit takes the kitchen out of search at once", async () => {
  const { t, k } = await setup();
  const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
  await giveWallet(t.kv, user.id, t.clock());
  const form = {
    kitchen: k.id,
    date: "2026-12-03",
    start: "10:00",
    end: "13:00",
  };
  const review = await (await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-12-03&start=10:00&end=13:00`,
    cookie,
  )).text();
  assert.match(review, /Continue to payment/);

  // Staff ask for a newer COI after the page was shown: the hold refuses.
  const coi = (await listDocumentsFor(t.kv, { kind: "renter", id: user.id }))
    .find((d) => d.kind === "liability_insurance")!;
  const mail = {
    from: "Prep <a@example.com>",
    baseUrl: "http://localhost",
    wake: false,
  };
  await reviewDocument(t.kv, coi.id, "request_renewal", TEST_ADMIN, {
    reason: "Expired endorsement",
    mail,
  }, t.clock());
  const stale = await hold(t, cookie, form);
  assert.equal(stale.status, 400);
  assert.equal(await bookingCount(t), 0);

  const query = searchQuery.parse({ city: "chicago" });
  const before = await searchKitchens(t.kv, query, t.clock());
  assert.deepEqual(before.hits.map((h) => h.kitchen.id), [k.id]);
  const permit = (await listDocumentsFor(t.kv, { kind: "kitchen", id: k.id }))
    .find((d) => d.kind === "health_permit")!;
  await reviewDocument(t.kv, permit.id, "request_renewal", TEST_ADMIN, {
    reason: "Please upload this year's permit",
    mail,
  }, t.clock());
  const after = await searchKitchens(t.kv, query, t.clock());
  assert.deepEqual(after.hits, []);
  assert.equal(after.total.count, 0);
  const kitchen =
    (await t.kv.get<{ permits: { ok: boolean; missing: string[] } }>(
      keys.kitchen(k.id),
    )).value!;
  assert.deepEqual(kitchen.permits, {
    ...kitchen.permits,
    ok: false,
    missing: ["health_permit"],
  });
  await giveWallet(t.kv, user.id, t.clock());
  const closed = await hold(t, cookie, form);
  assert.equal(closed.status, 409);
  assert.match(await closed.text(), /not taking bookings right now/);
  t.close();
});

Deno.test("compliance booking: the hours editor warns about weekly hours inside Seattle's quiet hours", async () => {
  const t = await testApp();
  const { cookie, user } = await signUpConfirmed(t, "host@example.com", "host");
  const [k] = await addKitchens(t.kv, user.id, [kitchenFixture({
    address: {
      line1: "1 Test St",
      neighborhood: "Ballard",
      city: "seattle",
      state: "WA",
      postalCode: "98107",
    },
    timeZone: "America/Los_Angeles",
    weeklyHours: [
      { day: 5, start: "18:00", end: "02:00" },
      { day: 1, start: "08:00", end: "20:00" },
    ],
  })]);
  const html = await (await get(t, `/host/kitchens/${k.id}/edit/hours`, cookie))
    .text();
  assert.match(
    characters(html),
    /Fridays 6:00 PM - 2:00 AM falls inside Seattle(&#39;|')s quiet hours/,
  );
  assert.doesNotMatch(html, /Mondays 08:00–20:00 falls inside/);
  t.close();
});

Deno.test("compliance booking: maintenance starting within 30 minutes of the end is a condition; later, none", async () => {
  const { t, k } = await setup();
  const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
  await giveWallet(t.kv, user.id, t.clock());
  const local = (time: string) => localInstant(k.timeZone, "2026-12-03", time);
  await createBlock(t.kv, k, {
    start: local("16:15"),
    end: local("18:00"),
    reason: "Hood cleaning",
    kind: "maintenance",
  }, t.clock());
  const review = (start: string, end: string) =>
    get(
      t,
      `/bookings/new?kitchen=${k.id}&date=2026-12-03&start=${start}&end=${end}`,
      cookie,
    ).then((r) => r.text());
  assert.match(
    await review("14:00", "16:00"),
    /value="calendar.maintenance.buffer_required"/,
  );
  assert.doesNotMatch(
    await review("10:00", "12:00"),
    /calendar.maintenance.buffer_required/,
  );
  t.close();
});
