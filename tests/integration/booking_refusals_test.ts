/**
 * What a renter is told when the hours they picked cannot be booked: the
 * no-JavaScript form (a start and a number of hours) re-rendered with the
 * reason and the lengths that fit, and each reason in its own words.
 */
import assert from "node:assert/strict";
import type { Booking } from "../../lib/bookings/schema.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import type { KitchenInput } from "../../lib/kitchens/schema.ts";
import { get, post, signUpConfirmed } from "../account_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

type T = Awaited<ReturnType<typeof testApp>>;

const DATE = "2026-12-03";

async function setup(over: Partial<KitchenInput> = {}) {
  const t = await testApp();
  const host = await addHost(t.kv);
  await setDemoPayoutReady(t.kv, host.id, t.clock());
  const [k] = await addKitchens(t.kv, host.id, [kitchenFixture(over)]);
  const cookie = (await signUpConfirmed(t, "rosa@example.com", "rent", {
    wallet: true,
  })).cookie;
  return { t, k, cookie };
}

/** The values of the options of the no-JS form's select `name`, and which is selected. */
function options(html: string, name: string) {
  const select = new RegExp(`<select[^>]*name="${name}"[^>]*>(.*?)</select>`)
    .exec(html);
  assert.ok(select, `no ${name} select in the page`);
  const all = [...select[1].matchAll(/<option([^>]*)>/g)].map((m) => m[1]);
  const value = (attrs: string) => /value="([^"]*)"/.exec(attrs)![1];
  return {
    values: all.map(value),
    selected: all.filter((a) => /\sselected/.test(a)).map(value),
  };
}

const review = (t: T, k: { id: string }, query: string, cookie: string) =>
  get(t, `/bookings/new?kitchen=${k.id}&date=${DATE}&${query}`, cookie);

const heldBookings = async (t: T) => {
  const out: Booking[] = [];
  for await (const e of t.kv.list<Booking>({ prefix: ["bookings"] })) {
    if (e.value.status === "held") out.push(e.value);
  }
  return out;
};

Deno.test("booking form: hours=25 or hours=0 without JavaScript is a form error naming the allowed range", async () => {
  const { t, k, cookie } = await setup();
  for (const hours of ["25", "0", "12.5", "1.5"]) {
    const res = await review(t, k, `start=10:00&hours=${hours}`, cookie);
    assert.equal(res.status, 400, `hours=${hours}`);
    const html = await res.text();
    assert.match(html, /Pick between 2 and 12 hours\./, `hours=${hours}`);
    assert.doesNotMatch(html, /1 hour × \$40/, "never wraps to one hour");
    assert.doesNotMatch(html, /longer than this kitchen/);
    assert.doesNotMatch(html, /Continue to payment/);
    // The form comes back, at the start that was picked.
    assert.deepEqual(options(html, "start").selected, ["10:00"]);
    assert.equal(options(html, "hours").values.at(-1), "10");
  }
  // In range but past closing: the reason, not the range.
  const closing = await review(t, k, "start=10:00&hours=12&end=", cookie);
  assert.equal(closing.status, 400);
  assert.match(await closing.text(), /not open for the whole of that time/);
  // In range, it is the review of exactly those hours.
  const fits = await review(t, k, "start=08:00&hours=12", cookie);
  assert.equal(fits.status, 200);
  assert.match(await fits.text(), /12 hours × \$40/);
  t.close();
});

Deno.test("booking form: without JavaScript the hours list offers only the lengths that fit from the chosen start", async () => {
  // Open 08:00–18:00 with a 30-minute buffer; someone holds 12:00–14:00.
  const { t, k, cookie } = await setup({
    maxHours: 8,
    bufferMinutes: 30,
    weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
      day,
      start: "08:00",
      end: "18:00",
    })),
  });
  const other = (await signUpConfirmed(t, "bo@example.com", "rent", {
    wallet: true,
  })).cookie;
  const held = await post(t, "/bookings", {
    kitchen: k.id,
    date: DATE,
    start: "12:00",
    end: "14:00",
    acceptRules: "yes",
  }, { cookie: other });
  assert.equal(held.status, 303);

  // From 08:00 a booking must end by 11:30, the buffer before the hold.
  const page = await (await get(t, `/kitchens/${k.id}?date=${DATE}`)).text();
  assert.deepEqual(options(page, "start").selected, ["08:00"]);
  assert.deepEqual(options(page, "hours").values, ["2", "2.5", "3", "3.5"]);

  // A length that runs into the hold comes back with the reason and the
  // lengths that fit from the start that was picked.
  const refused = await review(t, k, "start=09:00&hours=3.5", cookie);
  assert.equal(refused.status, 409);
  const html = await refused.text();
  assert.match(html, /Someone else has just booked part of that time/);
  assert.deepEqual(options(html, "start").selected, ["09:00"]);
  assert.deepEqual(options(html, "hours").values, ["2", "2.5"]);
  assert.deepEqual(options(html, "hours").selected, ["2.5"]);
  assert.match(html, /action="\/bookings\/new"/);
  // After the hold, from 14:30: up to closing.
  const after = await review(t, k, "start=14:30&hours=4", cookie);
  assert.equal(after.status, 400);
  const afterHtml = await after.text();
  assert.match(afterHtml, /The kitchen is not open for the whole of that time/);
  assert.deepEqual(options(afterHtml, "hours").values, [
    "2",
    "2.5",
    "3",
    "3.5",
  ]);

  // A start that is no bookable start at all: the form offers those that are.
  const late = await review(t, k, "start=16:30&hours=2", cookie);
  assert.equal(late.status, 400);
  const lateHtml = await late.text();
  assert.match(lateHtml, /The kitchen is not open for the whole of that time/);
  const starts = options(lateHtml, "start").values;
  assert.ok(!starts.includes("16:30"));
  assert.equal(starts.at(-1), "16:00");
  t.close();
});

Deno.test("booking reasons: a start in the past says 'That time has passed', not 'needs more notice'", async () => {
  const { t, k, cookie } = await setup({ minNoticeHours: 2 });
  const past = await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-11-30&start=10:00&end=13:00`,
    cookie,
  );
  assert.equal(past.status, 400);
  const html = await past.text();
  assert.match(html, /That time has passed/);
  assert.doesNotMatch(html, /notice/);
  // Later today but inside the notice period: the notice, named.
  const soon = await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-12-01&start=10:00&end=12:00`,
    cookie,
  );
  assert.equal(soon.status, 400);
  assert.match(await soon.text(), /at least 2 hours ahead/);
  t.close();
});

Deno.test("booking reasons: minimum-length errors name the minimum", async () => {
  const { t, k, cookie } = await setup({ minHours: 3 });
  const res = await review(t, k, "start=10:00&end=11:30", cookie);
  assert.equal(res.status, 400);
  assert.match(await res.text(), /minimum of 3 hours/);
  t.close();
});

Deno.test("booking reasons: the renter's own second submit says 'You already hold this time', with a link to it", async () => {
  const { t, k, cookie } = await setup();
  const form = {
    kitchen: k.id,
    date: DATE,
    start: "10:00",
    end: "13:00",
    acceptRules: "yes",
  };
  const first = await post(t, "/bookings", form, { cookie });
  assert.equal(first.status, 303);
  const id = first.headers.get("location")!.split("/")[2];

  const again = await post(t, "/bookings", form, { cookie });
  assert.equal(again.status, 409);
  const html = await again.text();
  assert.match(html, /You already hold this time\./);
  assert.match(html, new RegExp(`href="/bookings/${id}"`));
  assert.doesNotMatch(html, /Someone else/);
  assert.equal((await heldBookings(t)).length, 1, "no second hold");
  // Reviewing the same hours again says so too.
  const reviewed = await (await review(t, k, "start=10:00&end=13:00", cookie))
    .text();
  assert.match(reviewed, /You already hold this time\./);

  // Overlapping hours of the renter's own hold are not someone else's either.
  const overlap = await post(t, "/bookings", {
    ...form,
    start: "11:00",
    end: "14:00",
  }, {
    cookie,
  });
  assert.equal(overlap.status, 409);
  const overlapHtml = await overlap.text();
  assert.doesNotMatch(overlapHtml, /Someone else|You already hold this time/);
  assert.match(overlapHtml, /one of your bookings waiting for payment/);

  // Another renter is told someone else has it.
  const other = (await signUpConfirmed(t, "bo@example.com", "rent", {
    wallet: true,
  })).cookie;
  const clash = await post(t, "/bookings", form, { cookie: other });
  assert.equal(clash.status, 409);
  const clashHtml = await clash.text();
  assert.match(clashHtml, /Someone else has just booked part of that time/);
  assert.doesNotMatch(clashHtml, new RegExp(`/bookings/${id}`));

  // Once the hold has lapsed, the renter books the same hours afresh.
  t.advance(36 * 60_000);
  const renewed = await post(t, "/bookings", form, { cookie });
  assert.equal(renewed.status, 303);
  assert.notEqual(
    renewed.headers.get("location"),
    first.headers.get("location"),
  );
  t.close();
});

Deno.test("booking form: garbled hours, start or date without JavaScript come back as 'Pick other hours' naming the field", async () => {
  const { t, k, cookie } = await setup();
  const cases: [string, RegExp, string | null][] = [
    ["start=10:00&hours=abc", /Pick a number of hours\./, "10:00"],
    ["start=10:00", /Pick how many hours to book\./, "10:00"],
    ["start=10:00&hours=", /Pick how many hours to book\./, "10:00"],
    ["start=1x&hours=3", /Pick a start time\./, null],
    ["start=10:00&end=25:99", /Pick an end time\./, "10:00"],
  ];
  for (const [query, reason, selected] of cases) {
    const res = await review(t, k, query, cookie);
    assert.equal(res.status, 400, query);
    const html = await res.text();
    assert.match(html, /Pick other hours/, query);
    assert.match(html, reason, query);
    assert.doesNotMatch(html, /Please check the highlighted fields/, query);
    assert.match(html, /action="\/bookings\/new"/, query);
    if (selected) {
      assert.deepEqual(options(html, "start").selected, [selected], query);
    }
  }
  // A garbled date: the form opens on a day with free hours, and says why.
  const badDate = await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-13-45&start=10:00&hours=3`,
    cookie,
  );
  assert.equal(badDate.status, 400);
  const badDateHtml = await badDate.text();
  assert.match(badDateHtml, /Pick other hours/);
  assert.match(badDateHtml, /Use a date like 2026-12-31\./);
  assert.match(badDateHtml, /name="start"/);
  // Without a kitchen to show, a plain page that says what is wrong.
  const noKitchen = await get(
    t,
    `/bookings/new?kitchen=nope&date=${DATE}&start=10:00&hours=3`,
    cookie,
  );
  assert.equal(noKitchen.status, 400);
  assert.match(
    await noKitchen.text(),
    /Pick a kitchen, a date and your hours\./,
  );
  const missing = await get(t, `/bookings/new?hours=abc`, cookie);
  assert.equal(missing.status, 400);
  assert.match(await missing.text(), /Pick a kitchen, a date and your hours\./);
  const unknown = await get(
    t,
    `/bookings/new?kitchen=01HZZZZZZZZZZZZZZZZZZZZZZZ&date=${DATE}&start=10:00&hours=abc`,
    cookie,
  );
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /We could not find that kitchen\./);
  t.close();
});

Deno.test("booking form: a posted hold with garbled fields comes back as 'Pick other hours' naming the field, holding nothing", async () => {
  const { t, k, cookie } = await setup();
  const form = {
    kitchen: k.id,
    date: DATE,
    start: "10:00",
    end: "13:00",
    acceptRules: "yes",
  };
  const cases: [Record<string, string>, RegExp][] = [
    [{ ...form, end: "abc" }, /Pick an end time\./],
    [{ ...form, start: "" }, /Pick a start time\./],
    [{ ...form, date: "soon" }, /Use a date like 2026-12-31\./],
  ];
  for (const [body, reason] of cases) {
    const res = await post(t, "/bookings", body, { cookie });
    assert.equal(res.status, 400, JSON.stringify(body));
    const html = await res.text();
    assert.match(html, /Pick other hours/);
    assert.match(html, reason);
    assert.match(html, /name="start"/);
  }
  const noKitchen = await post(t, "/bookings", { ...form, kitchen: "x" }, {
    cookie,
  });
  assert.equal(noKitchen.status, 400);
  assert.match(
    await noKitchen.text(),
    /Pick a kitchen, a date and your hours\./,
  );
  assert.equal((await heldBookings(t)).length, 0);
  t.close();
});
