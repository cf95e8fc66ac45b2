import assert from "node:assert/strict";
import { characters } from "../page_text.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const seattle = {
  address: {
    ...kitchenFixture().address,
    city: "seattle",
    neighborhood: "Ballard",
  },
  timeZone: "America/Los_Angeles",
};

async function seeded() {
  const t = await testApp();
  const host = await addHost(t.kv);
  await addKitchens(t.kv, host.id, [
    kitchenFixture({ title: "Cheap Chicago", hourlyPriceCents: 2500 }),
    kitchenFixture({
      title: "Fryer Chicago",
      hourlyPriceCents: 6000,
      equipment: ["fryer", "convection_oven"],
      storage: ["frozen"],
      minHours: 4,
    }),
    kitchenFixture({
      title: "Night Seattle",
      ...seattle,
      hourlyPriceCents: 3500,
      weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
        day,
        start: "22:00",
        end: "06:00",
      })),
    }),
    kitchenFixture({
      title: "Closed Christmas",
      ...seattle,
      blackoutDates: ["2026-12-25"],
    }),
  ]);
  return t;
}

/** The result cards' titles (each card's heading is an h2 on /search). */
function titles(html: string): string[] {
  return [...html.matchAll(/<h2 class="text-lg[^>]*>([^<]+)<\/h2>/g)]
    .map((m) => m[1]).sort();
}

const cases: { name: string; query: string; expect: string[] }[] = [
  {
    name: "all cities",
    query: "",
    expect: [
      "Cheap Chicago",
      "Closed Christmas",
      "Fryer Chicago",
      "Night Seattle",
    ],
  },
  {
    name: "one city",
    query: "city=chicago",
    expect: ["Cheap Chicago", "Fryer Chicago"],
  },
  {
    name: "price range",
    query: "minPrice=30&maxPrice=50",
    expect: ["Closed Christmas", "Night Seattle"],
  },
  {
    name: "equipment",
    query: "city=chicago&equipment=fryer",
    expect: ["Fryer Chicago"],
  },
  {
    name: "equipment across cities",
    query: "equipment=fryer&equipment=convection_oven",
    expect: ["Fryer Chicago"],
  },
  { name: "storage", query: "storage=frozen", expect: ["Fryer Chicago"] },
  {
    name: "daytime window excludes the night kitchen",
    query: "city=seattle&date=2026-12-03&start=10:00&end=14:00",
    expect: ["Closed Christmas"],
  },
  {
    name: "overnight window finds the night kitchen",
    query: "city=seattle&date=2026-12-03&start=23:00&end=03:00",
    expect: ["Night Seattle"],
  },
  {
    name: "blackout date excludes",
    query: "city=seattle&date=2026-12-25",
    expect: ["Night Seattle"],
  },
  {
    name: "duration longer than the kitchen allows",
    query: "city=chicago&date=2026-12-03&hours=13",
    expect: [],
  },
  {
    name: "duration",
    query: "city=chicago&date=2026-12-03&hours=6",
    expect: ["Cheap Chicago", "Fryer Chicago"],
  },
  {
    name: "duration shorter than one kitchen books",
    query: "city=chicago&date=2026-12-03&hours=3",
    expect: ["Cheap Chicago"],
  },
  // A length without a date (the home page's "how long" alone): kitchens
  // booked that long, on any day.
  {
    name: "a length without a date",
    query: "city=chicago&hours=3",
    expect: ["Cheap Chicago"],
  },
  {
    name: "a length no kitchen books, without a date",
    query: "hours=13",
    expect: [],
  },
];

for (const c of cases) {
  Deno.test(`search: ${c.name}`, async () => {
    const t = await seeded();
    const res = await t.request(`/search?${c.query}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.deepEqual(titles(html), c.expect);
    if (c.expect.length === 0) {
      assert.match(html, /No kitchens match these filters/);
    }
    t.close();
  });
}

Deno.test("search: a length without a date says so in the heading, and its cards open the kitchen without hours", async () => {
  const t = await seeded();
  const html = await (await t.request("/search?city=chicago&hours=3")).text();
  assert.match(html, /<h1[^>]*>Kitchens in Chicago for 3 hours<\/h1>/);
  assert.match(html, /href="\/kitchens\/[0-9A-Z]{26}"/);
  t.close();
});

const bad: { query: string; message: RegExp }[] = [
  { query: "date=banana", message: /Use a date like 2026-12-31/ },
  {
    query: "date=2020-01-01",
    message: /That date has passed: pick today or a later date/,
  },
  {
    query: "city=chicago&date=2020-01-01",
    message: /That date has passed: pick today or a later date/,
  },
  { query: "minPrice=-5", message: /Prices cannot be negative/ },
  { query: "minPrice=50&maxPrice=10", message: /Max price is below min price/ },
  { query: "equipment=laser", message: /Unknown equipment/ },
  {
    query: "sort=random",
    message:
      /Sort by price, newest, soonest available, rating or nearest first/,
  },
  { query: "start=10:00&end=12:00", message: /Pick a date to search by time/ },
  { query: "hours=0", message: /Book at least 1 hour/ },
  { query: "city=chicago&hours=lots", message: /Enter a number of hours/ },
  {
    query: "date=2026-12-03&start=25:00&end=12:00",
    message: /Use a 24-hour time/,
  },
  { query: "cursor=%3Cscript%3E", message: /Invalid page link/ },
];

for (const b of bad) {
  Deno.test(`search: ${b.query} is a 400 with a visible message`, async () => {
    const t = await seeded();
    const res = await t.request(`/search?${b.query}`);
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, b.message);
    assert.match(html, /Please fix the search filters/);
    // People read the message, not the query's parameter names.
    const summary = /<ul class="mt-2 list-disc pl-5">(.*?)<\/ul>/s.exec(html)!;
    assert.doesNotMatch(summary[1], /<li>[a-zA-Z]+: /);
    t.close();
  });
}

Deno.test("search: the form keeps what was typed when it is invalid", async () => {
  const t = await seeded();
  const html =
    await (await t.request("/search?date=banana&city=chicago&minPrice=-5"))
      .text();
  assert.match(html, /value="banana"/);
  assert.match(html, /value="-5"/);
  assert.match(html, /<option value="chicago" selected/);
  t.close();
});

Deno.test("search: pages of 12 with a next link, exact count from counters", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  await addKitchens(
    t.kv,
    host.id,
    Array.from(
      { length: 15 },
      (_, i) =>
        kitchenFixture({ title: `K${i}`, hourlyPriceCents: 2000 + i * 100 }),
    ),
  );
  const first = await (await t.request("/search?city=chicago")).text();
  assert.equal(titles(first).length, 12);
  assert.match(first, /15 kitchens/);
  const next = /href="([^"]+)" rel="next"/.exec(first)![1].replaceAll(
    "&amp;",
    "&",
  );
  const second = await (await t.request(next)).text();
  assert.deepEqual(titles(second), ["K12", "K13", "K14"]);
  assert.doesNotMatch(second, /rel="next"/);
  assert.match(second, /First page/);
  // A cursor from another query is refused clearly, not with a 500.
  const cursor = new URL(next, "http://x").searchParams.get("cursor")!;
  const mixed = await t.request(
    `/search?city=chicago&sort=newest&cursor=${cursor}x`,
  );
  assert.ok(mixed.status === 400 || mixed.status === 200, String(mixed.status));
  await mixed.body?.cancel();
  t.close();
});

Deno.test("search: sort by newest and soonest", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  await addKitchens(t.kv, host.id, [
    kitchenFixture({
      title: "Older",
      hourlyPriceCents: 2000,
      weeklyHours: [{ day: 5, start: "08:00", end: "20:00" }],
    }),
    kitchenFixture({ title: "Newer", hourlyPriceCents: 9000 }),
  ]);
  const newest = await (await t.request("/search?sort=newest")).text();
  assert.ok(newest.indexOf("Newer") < newest.indexOf("Older"));
  // "now" is Tue 2026-12-01 09:00 in Chicago; Older opens only on Fridays.
  const soonest = await (await t.request("/search?sort=soonest")).text();
  assert.ok(soonest.indexOf("Newer") < soonest.indexOf("Older"));
  const price = await (await t.request("/search")).text();
  assert.ok(price.indexOf("Older") < price.indexOf("Newer"));
  t.close();
});

const sanFrancisco = {
  address: {
    ...kitchenFixture().address,
    city: "san-francisco",
    neighborhood: "Mission",
    state: "CA",
    postalCode: "94110",
  },
  timeZone: "America/Los_Angeles",
};

Deno.test("search: a city's display name finds its kitchens, titled by its name", async () => {
  const t = await seeded();
  const host = await addHost(t.kv);
  await addKitchens(t.kv, host.id, [
    kitchenFixture({ title: "Mission Bakery", ...sanFrancisco }),
  ]);
  for (
    const city of [
      "San%20Francisco",
      "san+francisco",
      "SAN-FRANCISCO",
      "san-francisco",
    ]
  ) {
    const res = await t.request(`/search?city=${city}`);
    assert.equal(res.status, 200, city);
    const html = await res.text();
    assert.deepEqual(titles(html), ["Mission Bakery"], city);
    assert.match(
      characters(html),
      /<title>Kitchens in San Francisco · Prep<\/title>/,
    );
    assert.match(html, /<h1[^>]*>Kitchens in San Francisco<\/h1>/);
    assert.match(html, /<option value="san-francisco" selected/);
  }
  t.close();
});

Deno.test("search: pages of a search by city name link with the slug", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  await addKitchens(
    t.kv,
    host.id,
    Array.from({ length: 14 }, (_, i) =>
      kitchenFixture({
        title: `SF${i}`,
        hourlyPriceCents: 2000 + i * 100,
        ...sanFrancisco,
      })),
  );
  const newYork = await (await t.request("/search?city=New%20York")).text();
  assert.deepEqual(titles(newYork), []);
  const sf = await (await t.request("/search?city=San%20Francisco")).text();
  assert.equal(titles(sf).length, 12);
  const next = /href="([^"]+)" rel="next"/.exec(sf)![1].replaceAll(
    "&amp;",
    "&",
  );
  assert.match(next, /^\/search\?city=san-francisco&cursor=/);
  const second = await (await t.request(next)).text();
  assert.deepEqual(titles(second), ["SF12", "SF13"]);
  // A filter the index cannot count: the first page says there are more,
  // a later one how many it shows, and whether more follow (it said "12+"
  // again, or "2 matching").
  const countOf = (html: string) =>
    /data-testid="result-count">([^<]*)</.exec(html)?.[1];
  const filtered = await (await t.request(
    "/search?city=san-francisco&maxPrice=40",
  )).text();
  assert.equal(countOf(filtered), "12+ matching kitchens");
  const later = /href="([^"]+)" rel="next"/.exec(filtered)![1].replaceAll(
    "&amp;",
    "&",
  );
  assert.equal(
    countOf(await (await t.request(later)).text()),
    "2 more matching kitchens",
  );
  // Three pages: the middle one has more after it.
  await addKitchens(
    t.kv,
    host.id,
    Array.from({ length: 12 }, (_, i) =>
      kitchenFixture({
        title: `SFB${i}`,
        hourlyPriceCents: 2000 + i * 100,
        ...sanFrancisco,
      })),
  );
  const pages: string[] = [];
  let href: string | undefined = "/search?city=san-francisco&maxPrice=40";
  while (href) {
    const html: string = await (await t.request(href)).text();
    pages.push(countOf(html) ?? "");
    href = /href="([^"]+)" rel="next"/.exec(html)?.[1].replaceAll(
      "&amp;",
      "&",
    );
  }
  assert.deepEqual(pages, [
    "12+ matching kitchens",
    "12+ more matching kitchens",
    "2 more matching kitchens",
  ]);
  t.close();
});

Deno.test("search: an unknown city is a 404 that says so and lists the cities we serve", async () => {
  const t = await seeded();
  const res = await t.request("/search?city=Atlantis&date=2026-12-03");
  assert.equal(res.status, 404);
  const html = characters(await res.text());
  assert.match(html, /<title>We don't serve “Atlantis” yet · Prep<\/title>/);
  assert.match(html, /<h1[^>]*>We don't serve “Atlantis” yet<\/h1>/);
  assert.doesNotMatch(html, /Kitchens in/);
  assert.deepEqual(titles(html), []);
  // Each city links to the same search there, and so does "all cities".
  assert.match(
    html,
    /<a href="\/search\?city=san-francisco&amp;date=2026-12-03"[^>]*>San Francisco, CA<\/a>/,
  );
  assert.match(
    html,
    /<a href="\/search\?city=chicago&amp;date=2026-12-03"[^>]*>Chicago, IL<\/a>/,
  );
  assert.match(
    html,
    /<a href="\/search\?date=2026-12-03"[^>]*>all cities<\/a>/,
  );
  t.close();
});

Deno.test("search: an unknown city is shown escaped", async () => {
  const t = await seeded();
  const res = await t.request("/search?city=%3Cb%3EAtlantis%3C%2Fb%3E");
  assert.equal(res.status, 404);
  const html = await res.text();
  assert.match(characters(html), /We don't serve “&lt;b>Atlantis&lt;\/b>” yet/);
  assert.doesNotMatch(html, /<b>Atlantis/);
  t.close();
});
