// Issue 20 §1, §3, §6: where a search is centred, and a host's address and pin.
import assert from "node:assert/strict";
import { ValidationError } from "../../lib/errors.ts";
import {
  locateListing,
  type LocationInput,
  type PlaceAsked,
  placeView,
  publicPoint,
  resolveCentre,
} from "../../lib/kitchens/place.ts";
import { searchQuery } from "../../lib/kitchens/search_query.ts";
import { APPROX_RADIUS_M } from "../../lib/place/approx.ts";
import { gazetteer } from "../../lib/place/gazetteer.ts";
import { loadConfig } from "../../lib/config.ts";
import { findCity } from "../../lib/cities.ts";
import { DEMO_KITCHENS } from "../../scripts/demo/catalogue.ts";
import { destination, distanceMiles } from "../../lib/place/geo.ts";

const gaz = await gazetteer();

Deno.test("kitchen place: a search's centre from a ZIP, a town, a served city or a point", () => {
  const cases: [string, PlaceAsked, string, number][] = [
    // [what, asked, label, radius in miles]
    ["a ZIP", { near: "60614", radius: 5 }, "Chicago, IL 60614", 5],
    ["ZIP+4", { near: "60614-2217" }, "Chicago, IL 60614", 10],
    [
      "town and state code",
      { near: "Evanston, IL", radius: 2 },
      "Evanston, IL",
      2,
    ],
    [
      "town and state name",
      { near: "saint louis, missouri" },
      "Saint Louis, MO",
      10,
    ],
    ["a served city alone", { near: "Chicago" }, "Chicago, IL", 10],
    [
      "a served city alone, by slug",
      { near: "san francisco" },
      "San Francisco, CA",
      10,
    ],
    ["Alaska", { near: "99701", radius: 50 }, "Fairbanks, AK 99701", 50],
    ["Hawaii", { near: "Honolulu, HI", radius: 1 }, "Honolulu, HI", 1],
    [
      "near me",
      { lat: 41.9229, lng: -87.6483, from: "me" },
      "your location near Chicago, IL 60614",
      10,
    ],
    [
      "the map's centre",
      { lat: 41.92, lng: -87.65, from: "map", radius: 7 },
      "the map's centre near Chicago, IL 60614",
      7,
    ],
    [
      "a typed place wins over a point",
      { near: "60201", lat: 41.92, lng: -87.65 },
      "Evanston, IL 60201",
      10,
    ],
  ];
  for (const [what, asked, label, miles] of cases) {
    const c = resolveCentre(asked, gaz);
    assert.ok(c && "point" in c, `${what}: ${JSON.stringify(c)}`);
    assert.equal(c.label, label, what);
    assert.equal(c.radiusMiles, miles, what);
    assert.ok(Math.abs(c.radiusKm - miles * 1.609344) < 1e-9, what);
  }
  assert.equal(resolveCentre({}, gaz), null, "no place asked");
  assert.equal(resolveCentre({ radius: 5 }, gaz), null, "a radius alone");
});

Deno.test("kitchen place: places that cannot be found say why, in words", () => {
  const cases: [PlaceAsked, RegExp, RegExp][] = [
    [
      { near: "00000" },
      /We don't know the ZIP code 00000/,
      /Check the ZIP code/,
    ],
    [{ near: "09001" }, /ZIP code 09001/, /United States only/],
    [{ near: "Springfield" }, /Which “Springfield”\?/, /Add the state/],
    [{ near: "Evanston, Narnia" }, /state “Narnia”/, /Add the state/],
    [
      { near: "Gotham, NY" },
      /couldn't find “Gotham, NY”/,
      /Check the spelling/,
    ],
    [{ near: "60614 Chicago" }, /couldn't read/, /ZIP code like 60614/],
  ];
  for (const [asked, title, message] of cases) {
    const p = resolveCentre(asked, gaz);
    assert.ok(p && "title" in p, JSON.stringify(asked));
    assert.match(p.title, title);
    assert.match(p.message, message);
  }
});

Deno.test("kitchen place: the search query takes a radius of 1 to 50 miles and a point in the US", () => {
  const ok = (q: Record<string, string>) => searchQuery.safeParse(q);
  const cases: [Record<string, string>, string | null][] = [
    [{ near: "60614", radius: "5" }, null],
    [{ near: "60614", radius: "1" }, null],
    [{ near: "60614", radius: "50" }, null],
    [{ near: "60614", radius: "0" }, "Search at least 1 mile around"],
    [{ near: "60614", radius: "51" }, "Search at most 50 miles around"],
    [{ near: "60614", radius: "2.5" }, "Enter whole miles, from 1 to 50"],
    [{ near: "60614", radius: "far" }, "Enter a distance in miles"],
    [
      { near: "<b>" },
      "Enter a ZIP code like 60614, or a city and state like Chicago, IL",
    ],
    [{ lat: "41.9", lng: "-87.6" }, null],
    [{ lat: "41.9" }, "Give both a latitude and a longitude"],
    [
      { lat: "51.5", lng: "-0.12" },
      "That point is outside the United States; Prep lists kitchens in the US only",
    ],
    [{ lat: "91", lng: "0" }, "A latitude is between -90 and 90"],
    [
      { sort: "distance" },
      "Nearest first needs a place: enter a ZIP code or a city and state",
    ],
    [{ sort: "distance", near: "60614" }, null],
    [{ near: "60614", view: "globe" }, "Unknown view"],
  ];
  for (const [q, message] of cases) {
    const parsed = ok(q);
    if (message === null) {
      assert.ok(
        parsed.success,
        `${JSON.stringify(q)}: ${parsed.error?.message}`,
      );
    } else {
      assert.ok(!parsed.success, JSON.stringify(q));
      assert.ok(
        parsed.error.issues.some((i) => i.message === message),
        `${JSON.stringify(q)}: ${parsed.error.issues.map((i) => i.message)}`,
      );
    }
  }
});

const ADDRESS = {
  line1: "4400 N Broadway",
  neighborhood: "Uptown",
  city: "chicago",
  state: "IL",
  postalCode: "60640",
};
const at60640 = gaz.zip("60640")!;

function input(
  over: Partial<LocationInput> & {
    zip?: string;
    state?: string;
    city?: string;
  } = {},
): LocationInput {
  const { zip, state, city, ...rest } = over;
  return {
    address: {
      ...ADDRESS,
      ...(zip ? { postalCode: zip } : {}),
      ...(state ? { state } : {}),
      ...(city ? { city } : {}),
    },
    timeZone: "America/Chicago",
    zoningDistrict: "",
    pin: null,
    ...rest,
  };
}

Deno.test("kitchen place: coordinates come from the ZIP, the saved pin, or the host's pin", () => {
  const nudged = destination(at60640, 0, 0.2);
  const cases: [
    string,
    LocationInput,
    Parameters<typeof locateListing>[1],
    { lat: number; lng: number },
  ][] = [
    ["a new listing: the ZIP's centre", input(), {}, at60640],
    ["ZIP+4 is read as its ZIP", input({ zip: "60640-1234" }), {}, at60640],
    ["same ZIP, no pin: the saved coordinates stay", input(), {
      address: ADDRESS,
      lat: 41.9701,
      lng: -87.6601,
    }, { lat: 41.9701, lng: -87.6601 }],
    ["a new ZIP, no pin: the new ZIP's centre", input({ zip: "60614" }), {
      address: ADDRESS,
      lat: 41.9701,
      lng: -87.6601,
    }, gaz.zip("60614")!],
    ["the host's pin", input({ pin: nudged }), {}, nudged],
    [
      "a pin given as lat and lng",
      input({ lat: nudged.lat, lng: nudged.lng }),
      {},
      nudged,
    ],
  ];
  for (const [what, posted, current, want] of cases) {
    const v = locateListing(posted, current, gaz);
    assert.ok(Math.abs(v.lat! - want.lat) < 1e-6, `${what}: lat ${v.lat}`);
    assert.ok(Math.abs(v.lng! - want.lng) < 1e-6, `${what}: lng ${v.lng}`);
    assert.equal(v.address!.postalCode.length, 5, what);
  }
  assert.equal(
    locateListing(input({ state: "il" }), {}, gaz).address?.state,
    "IL",
  );
  assert.equal(
    locateListing(input({ state: "Illinois" }), {}, gaz).address?.state,
    "IL",
  );
});

Deno.test("kitchen place: an address the gazetteer cannot place is refused at its field", () => {
  const far = destination(at60640, 1, 48);
  const cases: [string, LocationInput, string, RegExp][] = [
    ["no ZIP", input({ zip: "abc" }), "address.postalCode", /five-digit ZIP/],
    [
      "an unknown ZIP",
      input({ zip: "00000" }),
      "address.postalCode",
      /don't know the ZIP code 00000/,
    ],
    [
      "a ZIP in another state",
      input({ zip: "60640", state: "WI" }),
      "address.postalCode",
      /60640 is in Chicago, IL, not WI/,
    ],
    [
      "an unknown state",
      input({ state: "Narnia" }),
      "address.state",
      /Enter the state/,
    ],
    [
      "a ZIP far from the city",
      input({ zip: "90210", state: "CA" }),
      "address.postalCode",
      /90210 is in Beverly Hills, CA, 17\d\d miles from Chicago/,
    ],
    [
      "a pin far from the ZIP",
      input({ pin: far }),
      "pin",
      /pin is 30 miles from ZIP 60640/,
    ],
    [
      "a pin outside the US",
      input({ pin: { lat: 51.5, lng: -0.12 } }),
      "pin",
      /outside the United States/,
    ],
  ];
  for (const [what, posted, field, message] of cases) {
    assert.throws(() => locateListing(posted, {}, gaz), (err) => {
      assert.ok(err instanceof ValidationError, what);
      assert.match(
        err.issues[field] ?? "",
        message,
        `${what}: ${JSON.stringify(err.issues)}`,
      );
      return true;
    });
  }
});

Deno.test("kitchen place: renters see a circle off the pin before confirmation, the pin after", () => {
  const secret = new Uint8Array(32).fill(3);
  const k = {
    id: "01JABCDEFGHJKMNPQRSTVWXYZ0",
    lat: 41.9701,
    lng: -87.6601,
    address: ADDRESS,
  };
  const before = placeView(k, false, secret);
  assert.equal(before.kind, "approximate");
  assert.equal(before.radiusM, APPROX_RADIUS_M);
  assert.deepEqual(before.point, publicPoint(k, secret));
  assert.notDeepEqual(before.point, { lat: k.lat, lng: k.lng });
  assert.ok(distanceMiles(before.point, k) * 1609.344 < APPROX_RADIUS_M);
  assert.equal(before.neighbourhood, "Uptown");
  assert.equal(before.area, "Chicago, IL");
  const after = placeView(k, true, secret);
  assert.deepEqual(after.point, { lat: k.lat, lng: k.lng });
  assert.equal(after.radiusM, 0);
});

Deno.test("kitchen place: every demo kitchen has a real ZIP in its state, its pin near the ZIP's centre", () => {
  let count = 0;
  for (const [slug, rows] of Object.entries(DEMO_KITCHENS)) {
    const city = findCity(slug)!;
    for (const row of rows) {
      const z = gaz.zip(row.zip);
      assert.ok(z, `${row.hood}: ZIP ${row.zip} is known`);
      assert.equal(
        z.state,
        city.state,
        `${row.hood}: ${row.zip} is in ${city.state}`,
      );
      const miles = distanceMiles(z, row);
      assert.ok(
        miles < 2.5,
        `${row.hood}: ${miles.toFixed(2)} mi from ${row.zip}`,
      );
      count++;
    }
  }
  assert.equal(count, 48);
});

Deno.test("config: MAP_TILE_URL defaults to OpenStreetMap's tiles with their attribution, and refuses what is not a tile URL", () => {
  const c = loadConfig({ APP_ENV: "test" });
  assert.equal(
    c.MAP_TILE_URL,
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
  );
  assert.equal(c.MAP_TILE_ATTRIBUTION, "© OpenStreetMap contributors");
  assert.equal(
    c.MAP_TILE_ATTRIBUTION_URL,
    "https://www.openstreetmap.org/copyright",
  );
  const own = loadConfig({
    APP_ENV: "test",
    MAP_TILE_URL: "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
    MAP_TILE_ATTRIBUTION: "Tiles © Example",
  });
  assert.equal(own.MAP_TILE_ATTRIBUTION, "Tiles © Example");
  const bad: [Record<string, string>, RegExp][] = [
    [
      { MAP_TILE_URL: "https://tiles.example.org/map.png" },
      /Invalid environment variable MAP_TILE_URL: must be a tile URL with \{z\}, \{x\} and \{y\}/,
    ],
    [
      { MAP_TILE_URL: "https://a.example/{z}/{x}/{y}.png; script-src *" },
      /MAP_TILE_URL/,
    ],
    [
      { MAP_TILE_ATTRIBUTION: "<img src=x onerror=alert(1)>" },
      /MAP_TILE_ATTRIBUTION: must be plain text/,
    ],
    [
      { MAP_TILE_ATTRIBUTION_URL: "javascript:alert(1)" },
      /MAP_TILE_ATTRIBUTION_URL/,
    ],
  ];
  for (const [env, message] of bad) {
    assert.throws(() => loadConfig({ APP_ENV: "test", ...env }), message);
  }
});
