// Issue 20 §1–§6 through the app: the place index written with each kitchen,
// a move that changes cells in one atomic, the start-up backfill, radius
// search with every other filter, the map's points, bad input, and what
// kitchen and booking pages show before and after confirmation.
import assert from "node:assert/strict";
import { characters } from "../page_text.ts";
import { keys } from "../../lib/db/keys.ts";
import { migrationList } from "../../lib/app.ts";
import { LATEST_SCHEMA_VERSION } from "../../lib/db/migrations/names.ts";
import { runMigrations } from "../../lib/db/migrations/runner.ts";
import {
  addKitchenUpdate,
  getKitchenEntry,
  getPlaceSecret,
  updateKitchen,
} from "../../lib/kitchens/repo.ts";
import { publicPoint } from "../../lib/kitchens/place.ts";
import type { KitchenInput } from "../../lib/kitchens/schema.ts";
import { cellOf } from "../../lib/place/cells.ts";
import { destination, distanceMiles, milesToKm } from "../../lib/place/geo.ts";
import { gazetteer } from "../../lib/place/gazetteer.ts";
import { get, signUpConfirmed } from "../account_helpers.ts";
import {
  addConfirmedBooking,
  addHost,
  addKitchens,
  kitchenFixture,
  TEST_TILE_URL,
  testApp,
} from "../helpers.ts";

const gaz = await gazetteer();
const Z60614 = gaz.zip("60614")!;

/** Every place-index entry of a kitchen: [cell, price]. */
async function cellEntries(kv: Deno.Kv, id: string) {
  const out: [string, number][] = [];
  for await (const e of kv.list<string>({ prefix: ["kitchens_by_cell"] })) {
    if (e.value === id) out.push([e.key[1] as string, e.key[2] as number]);
  }
  return out;
}

/** A Chicago kitchen `miles` from 60614's centre along `bearing` (degrees). */
function near60614(
  title: string,
  miles: number,
  bearing: number,
  over: Partial<KitchenInput> = {},
): KitchenInput {
  const at = destination(Z60614, bearing * Math.PI / 180, milesToKm(miles));
  return kitchenFixture({ title, lat: at.lat, lng: at.lng, ...over });
}

Deno.test("place index: a listed kitchen is in the cell of its pin, by price; a draft or unlisted one is in none", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  const [listed] = await addKitchens(t.kv, host.id, [
    near60614("Listed", 1, 0, { hourlyPriceCents: 4200 }),
  ]);
  const [unlisted] = await addKitchens(t.kv, host.id, [
    near60614("Unlisted", 1, 90),
  ], "unlisted");
  const [noPermits] = await addKitchens(
    t.kv,
    host.id,
    [
      near60614("No permits", 1, 180),
    ],
    "published",
    { permits: false },
  );
  assert.deepEqual(await cellEntries(t.kv, listed.id), [
    [cellOf(listed), 4200],
  ]);
  assert.deepEqual(await cellEntries(t.kv, unlisted.id), []);
  assert.deepEqual(await cellEntries(t.kv, noPermits.id), []);
  // Unlisting takes it out; the same atomic as the record.
  await updateKitchen(t.kv, listed.id, (k) => ({ ...k, status: "unlisted" }));
  assert.deepEqual(await cellEntries(t.kv, listed.id), []);
  t.close();
});

Deno.test("place index: a kitchen's move changes its cell in the atomic that moves it, or not at all", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  const [k] = await addKitchens(t.kv, host.id, [
    near60614("Mover", 0.5, 0, { hourlyPriceCents: 3000 }),
  ]);
  const from = cellOf(k);
  // Evanston is in another cell.
  const evanston = gaz.zip("60201")!;
  assert.notEqual(cellOf(evanston), from);

  // A write that loses its race changes neither the record nor the index.
  const read = await getKitchenEntry(t.kv, k.id);
  await updateKitchen(
    t.kv,
    k.id,
    (x) => ({ ...x, title: "Renamed meanwhile" }),
  );
  const moved = { ...read.value!, lat: evanston.lat, lng: evanston.lng };
  const lost = await addKitchenUpdate(
    t.kv.atomic().check(read),
    read.value!,
    moved,
  ).commit();
  assert.equal(lost.ok, false);
  assert.deepEqual(await cellEntries(t.kv, k.id), [[from, 3000]]);
  assert.equal((await getKitchenEntry(t.kv, k.id)).value!.lat, k.lat);

  // The move itself: the old cell's entry goes, the new one comes, together.
  const after = await updateKitchen(t.kv, k.id, (x) => ({
    ...x,
    lat: evanston.lat,
    lng: evanston.lng,
    hourlyPriceCents: 3500,
  }));
  assert.deepEqual(await cellEntries(t.kv, k.id), [[cellOf(after), 3500]]);
  t.close();
});

Deno.test("place index: the kitchens_by_cell migration indexes kitchens listed before it, once, and only listed ones", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  const [a, b] = await addKitchens(t.kv, host.id, [
    near60614("Old A", 1, 10),
    near60614("Old B", 2, 20),
  ]);
  const [draft] = await addKitchens(t.kv, host.id, [
    near60614("Old unlisted", 1, 30),
  ], "unlisted");
  // As a store from before the index: no cell entries.
  for (const k of [a, b]) {
    await t.kv.delete(keys.kitchensByCell(cellOf(k), k.hourlyPriceCents, k.id));
  }
  assert.deepEqual(await cellEntries(t.kv, a.id), []);
  // A store at the schema version before the place index.
  await t.kv.set(keys.migrationState(), {
    v: 1,
    version: LATEST_SCHEMA_VERSION - 1,
    running: null,
  });
  const first = await runMigrations(t.kv, migrationList());
  assert.deepEqual(first, {
    from: LATEST_SCHEMA_VERSION - 1,
    to: LATEST_SCHEMA_VERSION,
    entries: 3,
    fresh: false,
  }, "each kitchen is visited");
  assert.deepEqual(await cellEntries(t.kv, a.id), [[
    cellOf(a),
    a.hourlyPriceCents,
  ]]);
  assert.deepEqual(await cellEntries(t.kv, b.id), [[
    cellOf(b),
    b.hourlyPriceCents,
  ]]);
  assert.deepEqual(await cellEntries(t.kv, draft.id), []);
  const again = await runMigrations(t.kv, migrationList());
  assert.equal(again.entries, 0);
  const found = titles(
    await (await t.request("/search?near=60614&radius=5")).text(),
  );
  assert.deepEqual(found.sort(), ["Old A", "Old B"]);
  t.close();
});

/** Titles of the result cards, in page order. */
function titles(html: string): string[] {
  return [...html.matchAll(/<h2 class="text-lg[^>]*>([^<]+)<\/h2>/g)].map((m) =>
    m[1]
  );
}

/** The "N mi away" of each card, in page order. */
function distances(html: string): number[] {
  return [...html.matchAll(/>(\d+(?:\.\d)?) mi away</g)].map((m) =>
    Number(m[1])
  );
}

/**
 * Kitchens around 60614 at known distances (a public point moves at most
 * 0.2 mi from its pin, so none sits that near any radius searched), with
 * prices, equipment and hours to filter on; and one in Seattle.
 */
async function around60614() {
  const t = await testApp();
  const host = await addHost(t.kv);
  const kitchens = await addKitchens(t.kv, host.id, [
    near60614("Mile and a half north", 1.4, 0, { hourlyPriceCents: 5000 }),
    near60614("Two and a half miles east", 2.5, 90, {
      hourlyPriceCents: 3000,
      equipment: ["fryer"],
    }),
    near60614("Three miles south", 3, 180, { hourlyPriceCents: 7000 }),
    near60614("Four miles west, evenings", 4, 270, {
      hourlyPriceCents: 4000,
      weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
        day,
        start: "17:00",
        end: "23:00",
      })),
    }),
    near60614("Seven miles north", 7, 0, { hourlyPriceCents: 2000 }),
    near60614("Twenty miles west", 20, 270, { hourlyPriceCents: 2500 }),
    kitchenFixture({
      title: "Seattle",
      address: { ...kitchenFixture().address, city: "seattle" },
      lat: 47.6,
      lng: -122.33,
      timeZone: "America/Los_Angeles",
    }),
  ]);
  return { t, host, kitchens };
}

Deno.test("radius search: kitchens within the circle, each with its distance, combined with every filter", async () => {
  const { t } = await around60614();
  const cases: [string, string, string[]][] = [
    ["5 mi, by price", "near=60614&radius=5", [
      "Two and a half miles east",
      "Four miles west, evenings",
      "Mile and a half north",
      "Three miles south",
    ]],
    ["5 mi, nearest first", "near=60614&radius=5&sort=distance", [
      "Mile and a half north",
      "Two and a half miles east",
      "Three miles south",
      "Four miles west, evenings",
    ]],
    [
      "10 mi takes in the seven-mile one",
      "near=60614&radius=10&sort=distance",
      [
        "Mile and a half north",
        "Two and a half miles east",
        "Three miles south",
        "Four miles west, evenings",
        "Seven miles north",
      ],
    ],
    ["1 mi", "near=60614&radius=1&sort=distance", []],
    ["2 mi", "near=60614&radius=2&sort=distance", ["Mile and a half north"]],
    ["price range", "near=60614&radius=5&minPrice=40&maxPrice=60", [
      "Four miles west, evenings",
      "Mile and a half north",
    ]],
    ["equipment", "near=60614&radius=5&equipment=fryer", [
      "Two and a half miles east",
    ]],
    [
      "a date and hours the evening kitchen does not open",
      "near=60614&radius=5&date=2026-12-03&start=09:00&end=12:00&sort=distance",
      [
        "Mile and a half north",
        "Two and a half miles east",
        "Three miles south",
      ],
    ],
    [
      "a date and hours only the evening kitchen has",
      "near=60614&radius=5&date=2026-12-03&start=20:30&end=22:30",
      ["Four miles west, evenings"],
    ],
    ["a city and a circle", "city=seattle&near=60614&radius=50", []],
    ["a town and state", "near=Chicago,%20IL&radius=50&maxPrice=25", [
      "Seven miles north",
      "Twenty miles west",
    ]],
    [
      "a point (near me)",
      `lat=${Z60614.lat}&lng=${Z60614.lng}&from=me&radius=5&sort=distance`,
      [
        "Mile and a half north",
        "Two and a half miles east",
        "Three miles south",
        "Four miles west, evenings",
      ],
    ],
    ["Seattle", "near=98101&radius=5", ["Seattle"]],
  ];
  for (const [what, query, want] of cases) {
    const res = await t.request(`/search?${query}`);
    const html = await res.text();
    assert.equal(res.status, 200, what);
    assert.deepEqual(titles(html), want, what);
    const d = distances(html);
    assert.equal(d.length, want.length, `${what}: a distance on each card`);
    if (/sort=distance/.test(query)) {
      assert.deepEqual(
        d,
        [...d].sort((a, b) => a - b),
        `${what}: nearest first`,
      );
    }
  }
  const page = await (await t.request("/search?near=60614&radius=5")).text();
  assert.match(page, /Kitchens within 5 mi of Chicago, IL 60614/);
  assert.match(page, /4 kitchens/);
  t.close();
});

Deno.test("radius search: a page link resumes in price order across cells, with no kitchen twice", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  // 30 kitchens on a ring of 20 miles round 60614: several cells.
  const made = await addKitchens(
    t.kv,
    host.id,
    Array.from(
      { length: 30 },
      (_, i) =>
        near60614(`Ring ${i}`, 20, i * 12, {
          hourlyPriceCents: 2000 + (i % 7) * 500,
        }),
    ),
  );
  assert.ok(new Set(made.map(cellOf)).size >= 4, "spread over cells");
  const seen: string[] = [];
  let href = "/search?near=60614&radius=25";
  for (let n = 0; n < 5 && href; n++) {
    const html = await (await t.request(href)).text();
    seen.push(...titles(html));
    href = /<a href="([^"]+)" rel="next"/.exec(html)?.[1]?.replaceAll(
      "&amp;",
      "&",
    ) ?? "";
  }
  assert.equal(seen.length, 30);
  assert.equal(new Set(seen).size, 30, "no kitchen twice");
  const prices = seen.map((title) => 2000 + (Number(title.slice(5)) % 7) * 500);
  assert.deepEqual(prices, [...prices].sort((a, b) => a - b), "by price");
  const bad = await t.request(
    "/search?near=60614&radius=25&cursor=m99:nonsense",
  );
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /That page link is no longer valid/);
  t.close();
});

Deno.test("radius search: bad places and nothing nearby get clear answers, never a 500", async () => {
  const { t } = await around60614();
  const cases: [string, number, RegExp][] = [
    ["near=00000", 404, /We don't know the ZIP code 00000/],
    ["near=Springfield", 404, /Which “Springfield”\?[\s\S]*Add the state/],
    // Toronto, Ohio (and Kansas, South Dakota): a US place after all.
    ["near=Toronto", 404, /Which “Toronto”\?/],
    [
      "near=Qwertyville",
      404,
      /We couldn't find “Qwertyville” in the United States[\s\S]*United States only/,
    ],
    ["near=Gotham,%20NY", 404, /We couldn.t find “Gotham, NY”/],
    ["near=60614&radius=0", 400, /Search at least 1 mile around/],
    ["near=60614&radius=51", 400, /Search at most 50 miles around/],
    ["near=60614&radius=ten", 400, /Enter a distance in miles/],
    ["lat=51.5&lng=-0.12", 400, /outside the United States/],
    ["lat=41.9", 400, /Give both a latitude and a longitude/],
    ["lat=1e400&lng=2", 400, /latitude/],
    ["sort=distance", 400, /Nearest first needs a place/],
    ["near=%3Cscript%3E", 400, /Enter a ZIP code like 60614/],
    [
      "near=99701&radius=50",
      200,
      /No kitchens within 50 mi of Fairbanks, AK 99701/,
    ],
  ];
  for (const [query, status, text] of cases) {
    const res = await t.request(`/search?${query}`);
    assert.equal(res.status, status, query);
    assert.match(characters(await res.text()), text, query);
  }
  const empty = await (await t.request("/search?near=60614&radius=1")).text();
  assert.match(empty, /No kitchens within 1 mi of Chicago, IL 60614/);
  for (const r of [2, 5, 10, 25, 50]) {
    assert.ok(
      empty.includes(`/search?near=60614&amp;radius=${r}"`),
      `offers ${r} miles`,
    );
  }
  // A city and a place far apart: said so, with the place in every city.
  const apart = characters(
    await (await t.request("/search?city=seattle&near=60614&radius=5"))
      .text(),
  );
  assert.match(
    apart,
    /No kitchens within 5 mi of Chicago, IL 60614[\s\S]*This search looks only at kitchens in Seattle\./,
  );
  assert.match(
    apart,
    /href="\/search\?near=60614&amp;radius=5"[^>]*>Search near Chicago, IL 60614 in every city/,
  );
  t.close();
});

Deno.test("radius search: the map view lists the kitchens at their approximate places; the plain page ships no map code", async () => {
  const { t, kitchens } = await around60614();
  const plain = await (await t.request("/search?near=60614&radius=5")).text();
  // The cards' hearts are islands (issue 18); the map's code is not there.
  assert.doesNotMatch(plain, /SearchMap|map_client|\/assets\/map-/);
  assert.match(plain, /Show the map/);
  const res = await t.request("/search?near=60614&radius=5&view=map");
  const html = await res.text();
  assert.match(html, /data-island="SearchMap"/);
  assert.match(html, /Hide the map/);
  const data = JSON.parse(
    /<script type="application\/json" id="__prep_islands">(.*?)<\/script>/s
      .exec(html)![1],
  );
  const props =
    data.props.find((p: { name: string }) => p.name === "SearchMap").props;
  assert.equal(props.points.length, 4);
  assert.deepEqual(props.circle.radiusMiles, 5);
  assert.equal(props.tiles.url, TEST_TILE_URL);
  assert.match(props.cssHref, /^\/assets\/map-[0-9a-f]{8}\.css$/);
  const secret = await getPlaceSecret(t.kv);
  for (const p of props.points) {
    const k = kitchens.find((x) => x.id === p.id)!;
    const pub = publicPoint(k, secret);
    assert.ok(distanceMiles(p, pub) < 0.01, "at the public point");
    assert.ok(distanceMiles(p, k) > 0.07, `${k.title} is not at its pin`);
    assert.ok(!html.includes(String(k.lat)), "no pin anywhere in the page");
    assert.match(p.href, new RegExp(`^/kitchens/${k.id}`));
    assert.match(p.price, /^\$\d+$/);
  }
  // The map's stylesheet and script are their own files.
  const script = /"chunks":\{"SearchMap":"([^"]+)"/.exec(html)![1];
  assert.match(script, /^\/assets\/island-SearchMap-[0-9a-f]{8}\.js$/);
  t.close();
});

Deno.test("kitchen and booking pages: a circle before confirmation, the pin and directions after", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  const [k] = await addKitchens(t.kv, host.id, [
    near60614("Map Kitchen", 0.5, 45, {
      address: { ...kitchenFixture().address, neighborhood: "Lincoln Park" },
    }),
  ]);
  const page = await (await t.request(`/kitchens/${k.id}`)).text();
  assert.match(page, /data-testid="static-map"/);
  assert.match(page, /data-kind="approximate"/);
  assert.match(page, /<strong>Lincoln Park<\/strong>, Chicago, IL/);
  assert.match(
    page,
    /The exact address and pin come with your confirmed booking/,
  );
  assert.match(page, /<image\s+href="\/test-tiles\/\d+\/\d+\/\d+\.svg"/);
  assert.ok(!page.includes(String(k.lat)) && !page.includes(String(k.lng)));
  assert.ok(!page.includes(k.address.line1));

  // Its bookings' pages: the circle while held, the pin with the address once confirmed.
  const renter = await signUpConfirmed(t, "rosa@example.com");
  const booking = await addConfirmedBooking(
    t.kv,
    k,
    renter.user.id,
    t.clock() + 2 * 86400_000,
    t.clock(),
  );
  await t.kv.set(keys.booking(booking.id), {
    ...booking,
    status: "held",
    holdExpiresAt: t.clock() + 30 * 60_000,
  });
  const held = await (await get(t, `/bookings/${booking.id}`, renter.cookie))
    .text();
  assert.match(held, /Where it is, roughly/);
  assert.match(held, /data-kind="approximate"/);
  assert.ok(!held.includes(String(k.lat)));
  assert.ok(!held.includes(k.address.line1));
  await t.kv.set(keys.booking(booking.id), booking);
  const confirmed = await (
    await get(t, `/bookings/${booking.id}`, renter.cookie)
  ).text();
  assert.match(confirmed, /data-kind="exact"/);
  assert.match(confirmed, /The pin marks the kitchen/);
  assert.ok(confirmed.includes(k.address.line1));
  assert.match(confirmed, />\s*Directions\s*</);
  // Once it is over, the renter still sees where they were.
  await t.kv.set(keys.booking(booking.id), { ...booking, status: "completed" });
  const done = await (await get(t, `/bookings/${booking.id}`, renter.cookie))
    .text();
  assert.match(done, /data-kind="exact"/);
  assert.doesNotMatch(done, /come with your confirmed booking/);
  t.close();
});

Deno.test("CSP: the map tiles' origin may load images, and nothing else is widened", async () => {
  const osm = await testApp(undefined, {
    MAP_TILE_URL: "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
  });
  const csp = (await osm.request("/search")).headers.get(
    "Content-Security-Policy",
  )!;
  assert.match(csp, /img-src 'self' data: https:\/\/tile\.openstreetmap\.org;/);
  assert.doesNotMatch(csp, /script-src[^;]*openstreetmap/);
  osm.close();
  const sub = await testApp(undefined, {
    MAP_TILE_URL: "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
  });
  assert.match(
    (await sub.request("/")).headers.get("Content-Security-Policy")!,
    /img-src 'self' data: https:\/\/\*\.tiles\.example\.org;/,
  );
  sub.close();
  const local = await testApp();
  assert.match(
    (await local.request("/")).headers.get("Content-Security-Policy")!,
    /img-src 'self' data:;/,
  );
  local.close();
});
