// Issue 20 (DESIGN §17): the pure parts of place — cell cover sets, distance,
// the approximate-location offset, the gazetteer, what "near" may say, map
// tiles and the CSP source they need.
import assert from "node:assert/strict";
import { mulberry32 } from "../../lib/random.ts";
import {
  APPROX_OFFSET_M,
  APPROX_RADIUS_M,
  approximateCentre,
} from "../../lib/place/approx.ts";
import {
  CELL_PRECISION,
  cellBox,
  cellOf,
  coverCells,
} from "../../lib/place/cells.ts";
import {
  buildGazetteer,
  gazetteer,
  type GazetteerRow,
  loadGazetteerRows,
  parseGeoNamesTsv,
  placeKey,
} from "../../lib/place/gazetteer.ts";
import {
  destination,
  distanceKm,
  distanceMiles,
  formatMiles,
  inBox,
  inUnitedStates,
  milesToKm,
  type Point,
} from "../../lib/place/geo.ts";
import { parseNear } from "../../lib/place/near.ts";
import {
  isTileTemplate,
  metresPerPixel,
  staticMapView,
  tileSource,
  tileUrl,
} from "../../lib/place/tiles.ts";

const CHICAGO_60614 = { lat: 41.9229, lng: -87.6483 };

Deno.test("place: distances between known points, in km and miles", () => {
  const cases: [string, Point, Point, number, number][] = [
    // [what, a, b, expected km, tolerance km]
    ["same point", CHICAGO_60614, CHICAGO_60614, 0, 1e-9],
    [
      "Chicago 60614 to Beverly Hills 90210",
      CHICAGO_60614,
      {
        lat: 34.0901,
        lng: -118.4065,
      },
      2815,
      3,
    ],
    [
      "one degree of latitude",
      { lat: 40, lng: -100 },
      { lat: 41, lng: -100 },
      111.2,
      0.2,
    ],
    [
      "one degree of longitude at 60°N",
      { lat: 60, lng: -150 },
      {
        lat: 60,
        lng: -149,
      },
      55.6,
      0.2,
    ],
    [
      "Honolulu to Hilo",
      { lat: 21.3069, lng: -157.8583 },
      {
        lat: 19.7071,
        lng: -155.0885,
      },
      337,
      3,
    ],
    [
      "Fairbanks to Anchorage",
      { lat: 64.8378, lng: -147.7164 },
      {
        lat: 61.2181,
        lng: -149.9003,
      },
      419,
      3,
    ],
  ];
  for (const [what, a, b, km, tol] of cases) {
    const d = distanceKm(a, b);
    assert.ok(Math.abs(d - km) <= tol, `${what}: ${d} km, want ${km}`);
    assert.ok(Math.abs(distanceKm(b, a) - d) < 1e-9, `${what}: symmetric`);
    assert.ok(
      Math.abs(distanceMiles(a, b) - d / 1.609344) < 1e-9,
      `${what}: miles`,
    );
  }
  assert.equal(milesToKm(5), 8.04672);
});

Deno.test("place: a point a distance along a bearing is that far away", () => {
  const rnd = mulberry32(20);
  for (let i = 0; i < 500; i++) {
    const from = { lat: 19 + rnd() * 52, lng: -165 + rnd() * 98 };
    const km = rnd() * 90;
    const to = destination(from, rnd() * 2 * Math.PI, km);
    assert.ok(Math.abs(distanceKm(from, to) - km) < 1e-6);
  }
});

Deno.test("place: distances read as renters write them", () => {
  const cases: [number, string][] = [
    [0, "0.0 mi"],
    [0.04, "0.0 mi"],
    [0.45, "0.5 mi"],
    [3.14, "3.1 mi"],
    [9.94, "9.9 mi"],
    [9.96, "10 mi"],
    [12.4, "12 mi"],
    [49.6, "50 mi"],
  ];
  for (const [miles, text] of cases) assert.equal(formatMiles(miles), text);
});

Deno.test("place: the United States is the contiguous states, Alaska and Hawaii", () => {
  const cases: [string, Point, boolean][] = [
    ["Chicago", CHICAGO_60614, true],
    ["Key West", { lat: 24.5551, lng: -81.78 }, true],
    ["Lubec, Maine", { lat: 44.86, lng: -66.98 }, true],
    ["Point Roberts", { lat: 48.99, lng: -123.07 }, true],
    ["Fairbanks", { lat: 64.8378, lng: -147.7164 }, true],
    ["Utqiaġvik, Alaska's north coast", { lat: 71.29, lng: -156.79 }, true],
    ["Akutan, Aleutians", { lat: 54.143, lng: -165.7854 }, true],
    ["Honolulu", { lat: 21.3069, lng: -157.8583 }, true],
    ["Hilo", { lat: 19.7071, lng: -155.0885 }, true],
    ["London", { lat: 51.5, lng: -0.12 }, false],
    ["Null Island", { lat: 0, lng: 0 }, false],
    ["a dropped minus sign", { lat: 41.92, lng: 87.65 }, false],
    ["Mexico City", { lat: 19.43, lng: -99.13 }, false],
    ["Attu, past the antimeridian", { lat: 52.9, lng: 173.2 }, false],
    ["Not a number", { lat: NaN, lng: -87 }, false],
  ];
  for (const [what, p, want] of cases) {
    assert.equal(inUnitedStates(p), want, what);
  }
});

/** Random points in a circle, a fifth of them on its rim, for completeness checks. */
function pointsIn(centre: Point, km: number, count: number, seed: number) {
  const rnd = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const r = i % 5 === 0 ? km * 0.99999 : km * Math.sqrt(rnd());
    return destination(centre, rnd() * 2 * Math.PI, r);
  });
}

Deno.test("place: a circle's cover cells are every cell it touches, nearest first, and no more", () => {
  const cases: [string, Point, number, number][] = [
    // [what, centre, radius in miles, most cells expected]
    ["60614, 1 mi", CHICAGO_60614, 1, 4],
    ["60614, 5 mi", CHICAGO_60614, 5, 6],
    ["60614, 50 mi", CHICAGO_60614, 50, 60],
    // dp3w's south-west corner: four cells meet here.
    ["on a cell corner", { lat: 41.8359375, lng: -87.890625 }, 1, 4],
    ["on a cell edge", { lat: 41.9, lng: -87.890625 }, 2, 4],
    ["Key West, 10 mi", { lat: 24.5551, lng: -81.78 }, 10, 6],
    ["Lubec, Maine, 50 mi", { lat: 44.86, lng: -66.98 }, 50, 60],
    ["Fairbanks, 50 mi", { lat: 64.8378, lng: -147.7164 }, 50, 90],
    ["Utqiaġvik, 50 mi", { lat: 71.29, lng: -156.79 }, 50, 125],
    ["Honolulu, 1 mi", { lat: 21.3069, lng: -157.8583 }, 1, 4],
    ["Hilo, 25 mi", { lat: 19.7071, lng: -155.0885 }, 25, 20],
  ];
  for (const [i, [what, centre, miles, most]] of cases.entries()) {
    const km = milesToKm(miles);
    const cover = coverCells(centre, km);
    const cells = new Set(cover.map((c) => c.cell));
    assert.equal(cover[0].cell, cellOf(centre), `${what}: its own cell first`);
    assert.equal(cover[0].minKm, 0, what);
    assert.ok(cover.length <= most, `${what}: ${cover.length} cells`);
    assert.equal(cells.size, cover.length, `${what}: no cell twice`);
    for (let j = 1; j < cover.length; j++) {
      assert.ok(cover[j - 1].minKm <= cover[j].minKm, `${what}: nearest first`);
    }
    for (const c of cover) {
      assert.equal(c.cell.length, CELL_PRECISION);
      assert.ok(c.minKm <= km, `${what}: ${c.cell} is outside the circle`);
    }
    for (const p of pointsIn(centre, km, 3000, i + 1)) {
      assert.ok(
        cells.has(cellOf(p)),
        `${what}: ${p.lat},${p.lng} is in ${cellOf(p)}, not covered`,
      );
    }
  }
});

Deno.test("place: a cell's box holds the points encoded to it", () => {
  const rnd = mulberry32(4);
  for (let i = 0; i < 1000; i++) {
    const p = { lat: 18 + rnd() * 54, lng: -180 + rnd() * 114 };
    assert.ok(inBox(p, cellBox(cellOf(p))));
  }
});

Deno.test("place: the approximate centre is stable per kitchen, never the pin, and the pin is inside the circle", () => {
  const secret = new Uint8Array(32).fill(7);
  const other = new Uint8Array(32).fill(8);
  const pins: Point[] = [
    CHICAGO_60614,
    { lat: 64.8378, lng: -147.7164 },
    { lat: 21.3069, lng: -157.8583 },
    { lat: 24.5551, lng: -81.78 },
  ];
  const seen = new Set<string>();
  for (const [i, pin] of pins.entries()) {
    for (let n = 0; n < 250; n++) {
      const id = `01J${String(i).padStart(3, "0")}${
        String(n).padStart(20, "0")
      }`;
      const c = approximateCentre(pin, id, secret);
      const metres = distanceKm(pin, c) * 1000;
      assert.ok(
        metres >= APPROX_OFFSET_M.min - 0.01 &&
          metres <= APPROX_OFFSET_M.max + 0.01,
        `${id}: ${metres} m from the pin`,
      );
      assert.ok(metres < APPROX_RADIUS_M, "the pin is inside the circle");
      assert.deepEqual(approximateCentre(pin, id, secret), c, "stable");
      assert.deepEqual(
        approximateCentre(pin, id, secret.slice()),
        c,
        "remembered centres are the ones the secret's bytes give",
      );
      assert.notDeepEqual(
        approximateCentre(pin, id, other),
        c,
        "another deployment's secret moves it elsewhere",
      );
      seen.add(`${Math.round(c.lat * 1e4)},${Math.round(c.lng * 1e4)}`);
      // A moved pin moves the circle by the same amount, so moving the pin
      // teaches nothing about the offset.
      const moved = approximateCentre(
        { lat: pin.lat + 0.001, lng: pin.lng },
        id,
        secret,
      );
      assert.ok(Math.abs(moved.lat - c.lat - 0.001) < 1e-5);
    }
  }
  assert.ok(seen.size > 950, "kitchens' offsets differ");
});

const ROWS: GazetteerRow[] = [
  row("60614", "Chicago", "IL", "Illinois", 41.9229, -87.6483),
  row("60622", "Chicago", "IL", "Illinois", 41.9024, -87.6818),
  row("60201", "Evanston", "IL", "Illinois", 42.0549, -87.6944),
  row("63101", "Saint Louis", "MO", "Missouri", 38.6343, -90.1914),
  row("62701", "Springfield", "IL", "Illinois", 39.8, -89.6495),
  row("01101", "Springfield", "MA", "Massachusetts", 42.1015, -72.5898),
  row("99701", "Fairbanks", "AK", "Alaska", 64.8378, -147.7164),
  row("96815", "Honolulu", "HI", "Hawaii", 21.2811, -157.8266),
  row("09001", "APO AA", "", "", 38.1105, 15.6613),
  row("96960", "Marshall Islands", "MH", "Marshall Islands", 7.1, 171.2),
  row("60614", "Chicago again", "IL", "Illinois", 0, 0),
];

function row(
  zip: string,
  city: string,
  state: string,
  stateName: string,
  lat: number,
  lng: number,
): GazetteerRow {
  return { zip, city, state, stateName, lat, lng };
}

Deno.test("place: the gazetteer finds ZIPs, places by name and state, and the nearest ZIP", () => {
  const g = buildGazetteer(ROWS);
  assert.equal(
    g.size,
    8,
    "military APO codes and the Marshall Islands left out",
  );
  assert.deepEqual(g.zip("60614"), {
    zip: "60614",
    city: "Chicago",
    state: "IL",
    ...CHICAGO_60614,
  });
  assert.equal(g.zip("01101")?.city, "Springfield", "leading zeros kept");
  for (const bad of ["00000", "6061", "606140", "abcde", "", "09001"]) {
    assert.equal(g.zip(bad), null, bad);
  }
  const chicago = g.city("chicago", "il")!;
  assert.equal(chicago.zips, 2);
  assert.ok(Math.abs(chicago.lat - (41.9229 + 41.9024) / 2) < 1e-9);
  const cases: [string, string, string | null][] = [
    ["St. Louis", "MO", "Saint Louis"],
    ["saint-louis", "Missouri", "Saint Louis"],
    ["Springfield", "Massachusetts", "Springfield"],
    ["Evanston", "IL", "Evanston"],
    ["Evanston", "WI", null],
    ["Gotham", "NY", null],
    ["Chicago", "Narnia", null],
  ];
  for (const [name, state, want] of cases) {
    assert.equal(g.city(name, state)?.city ?? null, want, `${name}, ${state}`);
  }
  assert.equal(g.city("Springfield", "MA")?.state, "MA");
  assert.equal(g.stateCode("illinois"), "IL");
  assert.equal(g.stateCode(" ak "), "AK");
  assert.equal(g.stateCode("XX"), null);
  assert.equal(g.nearest({ lat: 42.05, lng: -87.69 })?.zip, "60201");
  assert.equal(g.nearest({ lat: 21.3, lng: -157.85 })?.zip, "96815");
  assert.equal(placeKey("  Ft.  Worth "), "fort worth");
  assert.equal(placeKey("Mt. Vernon"), "mount vernon");
  assert.equal(placeKey("Cañon City"), "canon city");
});

Deno.test("place: GeoNames' file is read column by column", () => {
  const text =
    "US\t60614\tChicago\tIllinois\tIL\tCook\t031\t\t\t41.9229\t-87.6483\t4\n" +
    "short\tline\n" +
    "US\t99701\tFairbanks\tAlaska\tAK\tFairbanks North Star\t090\t\t\t64.8378\t-147.7164\t4";
  assert.deepEqual([...parseGeoNamesTsv(text)], [
    row("60614", "Chicago", "IL", "Illinois", 41.9229, -87.6483),
    row("99701", "Fairbanks", "AK", "Alaska", 64.8378, -147.7164),
  ]);
});

Deno.test("place: the gazetteer from the package's data file holds every state, Alaska and Hawaii included", async () => {
  const g = await gazetteer();
  assert.ok(g.size > 40_000, `${g.size} ZIPs`);
  assert.equal(await gazetteer(), g, "loaded once");
  const cases: [string, string, string][] = [
    ["60614", "Chicago", "IL"],
    ["10001", "New York", "NY"],
    ["99701", "Fairbanks", "AK"],
    ["99553", "Akutan", "AK"],
    ["96815", "Honolulu", "HI"],
    ["02134", "Allston", "MA"],
  ];
  for (const [zip, city, state] of cases) {
    const z = g.zip(zip)!;
    assert.equal(`${z.city}, ${z.state}`, `${city}, ${state}`, zip);
    assert.ok(inUnitedStates(z), `${zip} is in the US`);
  }
  assert.equal(g.zip("00000"), null);
  assert.equal(g.zip("09001"), null, "no military APO codes");
  // The fallback (the package's module) gives the same places.
  const viaModule = buildGazetteer(await loadGazetteerRows("module"));
  assert.ok(Math.abs(viaModule.size - g.size) < 10);
  for (const [zip] of cases) assert.deepEqual(viaModule.zip(zip), g.zip(zip));
});

Deno.test("place: what a renter may type near", () => {
  const cases: [string, ReturnType<typeof parseNear>][] = [
    ["60614", { kind: "zip", zip: "60614" }],
    [" 60614-1234 ", { kind: "zip", zip: "60614" }],
    ["Chicago, IL", { kind: "place", place: "Chicago", state: "IL" }],
    ["Saint Louis,Missouri", {
      kind: "place",
      place: "Saint Louis",
      state: "Missouri",
    }],
    ["Evanston IL", { kind: "place", place: "Evanston", state: "IL" }],
    ["Coeur d'Alene, ID", {
      kind: "place",
      place: "Coeur d'Alene",
      state: "ID",
    }],
    ["Chicago", { kind: "place", place: "Chicago", state: null }],
    ["San  Francisco", { kind: "place", place: "San Francisco", state: null }],
    ["6061", null],
    ["606145", null],
    ["Route 66", null],
    ["<script>", null],
    ["x", null],
    ["a".repeat(81), null],
  ];
  for (const [text, want] of cases) {
    assert.deepEqual(parseNear(text), want, text);
  }
});

Deno.test("place: tile templates, the CSP source they need, and one tile's URL", () => {
  const cases: [string, boolean, string | null][] = [
    [
      "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
      true,
      "https://tile.openstreetmap.org",
    ],
    [
      "https://{s}.tile.example.org/hot/{z}/{x}/{y}{r}.png",
      true,
      "https://*.tile.example.org",
    ],
    [
      "https://tiles.example.com:8443/{z}/{x}/{y}.png?key=abc",
      true,
      "https://tiles.example.com:8443",
    ],
    ["http://127.0.0.1:9000/{z}/{x}/{y}.png", true, "http://127.0.0.1:9000"],
    ["/tiles/{z}/{x}/{y}.png", true, null],
    ["https://tile.openstreetmap.org/{z}/{x}.png", false, null],
    ["//evil.example/{z}/{x}/{y}.png", false, null],
    ["javascript:alert(1)//{z}/{x}/{y}", false, null],
    ["https://a.example/{z}/{x}/{y}.png; script-src *", false, null],
    ["https://a.example/{z}/{x}/{y}.png'", false, null],
    ["https://user:pw@a.example/{z}/{x}/{y}.png", false, null],
    ["ftp://a.example/{z}/{x}/{y}.png", false, null],
  ];
  for (const [template, valid, source] of cases) {
    assert.equal(isTileTemplate(template), valid, template);
    if (valid) assert.equal(tileSource(template), source, template);
  }
  assert.equal(
    tileUrl("https://{s}.t.example/{z}/{x}/{y}{r}.png", 15, 8409, 12181),
    "https://b.t.example/15/8409/12181.png",
  );
});

Deno.test("place: a static map's tiles cover its view, with the circle inside it", () => {
  const places: Point[] = [
    CHICAGO_60614,
    { lat: 64.8378, lng: -147.7164 },
    { lat: 71.29, lng: -156.79 },
    { lat: 21.3069, lng: -157.8583 },
  ];
  for (const p of places) {
    for (const radius of [0, APPROX_RADIUS_M]) {
      const v = staticMapView("/t/{z}/{x}/{y}.png", p, radius);
      assert.ok(v.zoom <= 16 && v.zoom >= 12, `zoom ${v.zoom}`);
      if (radius === 0) assert.equal(v.radiusPx, 0);
      else {
        assert.ok(v.radiusPx > 40 && v.radiusPx <= v.height * 0.3 + 1);
        assert.ok(
          Math.abs(v.radiusPx * metresPerPixel(p.lat, v.zoom) - radius) < 5,
        );
      }
      // Every pixel of the view is under some tile.
      for (
        const [x, y] of [[0, 0], [v.width - 1, 0], [0, v.height - 1], [
          v.width - 1,
          v.height - 1,
        ], [v.cx, v.cy]]
      ) {
        assert.ok(
          v.tiles.some((t) =>
            x >= t.x && x < t.x + 256 && y >= t.y && y < t.y + 256
          ),
          `${p.lat},${p.lng} r${radius}: pixel ${x},${y}`,
        );
      }
      assert.ok(v.tiles.length <= 6);
      for (const t of v.tiles) assert.match(t.url, /^\/t\/\d+\/\d+\/\d+\.png$/);
    }
  }
});
