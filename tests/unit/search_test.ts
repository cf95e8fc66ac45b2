import assert from "node:assert/strict";
import { findCity } from "../../lib/cities.ts";
import { newKitchen } from "../../lib/kitchens/repo.ts";
import { matchesFilters, matchingSlot } from "../../lib/kitchens/search.ts";
import {
  searchHref,
  type SearchQuery,
  searchQuery,
} from "../../lib/kitchens/search_query.ts";
import { parseFields } from "../../routes/forms.ts";
import { kitchenFixture } from "../helpers.ts";

/** A query string as the search route reads it (routes/forms.ts). */
function parseSearch(params: URLSearchParams) {
  const read = parseFields(searchQuery, params.entries());
  return read.ok
    ? { ok: true as const, query: read.data }
    : { ok: false as const, errors: read.form.errors };
}

const k = {
  ...newKitchen("h", kitchenFixture(), { status: "published" }),
  permits: { ok: true, missing: [], missingNames: [], checkedAt: 0 },
};
const q = (over: Record<string, unknown>): SearchQuery =>
  searchQuery.parse(over);

Deno.test("search: record filters", () => {
  const cases: [Record<string, unknown>, boolean][] = [
    [{}, true],
    [{ city: "chicago" }, true],
    [{ city: "boston" }, false],
    [{ minPrice: 40 }, true],
    [{ minPrice: 40.01 }, false],
    [{ maxPrice: 39.99 }, false],
    [{ equipment: ["convection_oven", "stand_mixer"] }, true],
    [{ equipment: ["convection_oven", "fryer"] }, false],
    [{ storage: ["cold"] }, true],
    [{ storage: ["frozen"] }, false],
  ];
  for (const [over, want] of cases) {
    assert.equal(matchesFilters(k, q(over)), want, JSON.stringify(over));
  }
  assert.equal(matchesFilters({ ...k, status: "suspended" }, q({})), false);
});

Deno.test("search: time window against a kitchen open 08:00–20:00 Chicago", () => {
  const now = Date.parse("2026-12-01T15:00:00Z");
  const busy = [{
    start: Date.parse("2026-12-03T18:00:00Z"),
    end: Date.parse("2026-12-03T20:00:00Z"),
  }];
  const cases: [Record<string, unknown>, string | null][] = [
    [{ date: "2026-12-03" }, "2026-12-03T14:00:00.000Z"],
    [
      { date: "2026-12-03", start: "09:00", end: "11:00" },
      "2026-12-03T15:00:00.000Z",
    ],
    // 12:00–14:00 local is 18:00–20:00 UTC: taken.
    [{ date: "2026-12-03", start: "12:00", end: "14:00" }, null],
    [{ date: "2026-12-03", start: "19:00", end: "21:00" }, null],
    // 08:00–12:00 local is only 4 free hours before the busy 12:00–14:00.
    [{ date: "2026-12-03", hours: 6 }, "2026-12-03T20:00:00.000Z"],
    [{ date: "2026-12-03", hours: 1 }, null],
  ];
  for (const [over, want] of cases) {
    const slot = matchingSlot(k, q(over), busy, now);
    assert.equal(
      slot ? new Date(slot.start).toISOString() : null,
      want,
      JSON.stringify(over),
    );
  }
});

Deno.test("search: query strings parse, keep arrays and drop empty fields", () => {
  const parsed = parseSearch(
    new URLSearchParams(
      "city=Chicago&date=&equipment=fryer&equipment=smoker&minPrice=10",
    ),
  );
  assert.ok(parsed.ok);
  assert.equal(parsed.query.city, "chicago");
  assert.deepEqual(parsed.query.equipment, ["fryer", "smoker"]);
  assert.equal(parsed.query.date, undefined);
  assert.equal(parsed.query.minPrice, 10);
  assert.equal(
    searchHref(parsed.query, { cursor: "abc" }),
    "/search?city=chicago&minPrice=10&equipment=fryer&equipment=smoker&cursor=abc",
  );
  const bad = parseSearch(new URLSearchParams("hours=2.5&storage=attic"));
  assert.ok(!bad.ok);
  assert.deepEqual(Object.keys(bad.errors).sort(), ["hours", "storage"]);
});

Deno.test("search: a city's name or slug in any case parses to its slug", () => {
  const cases: [string, string][] = [
    ["san-francisco", "san-francisco"],
    ["San Francisco", "san-francisco"],
    ["san francisco", "san-francisco"],
    ["  SAN   FRANCISCO ", "san-francisco"],
    ["San-Francisco", "san-francisco"],
    ["new york", "new-york"],
    ["New York", "new-york"],
    ["Chicago", "chicago"],
  ];
  for (const [city, want] of cases) {
    const parsed = parseSearch(new URLSearchParams({ city }));
    assert.ok(parsed.ok, city);
    assert.equal(parsed.query.city, want, city);
  }
});

Deno.test("search: an unknown city stays unknown, as typed", () => {
  for (
    const [city, want] of [
      ["Atlantis", "Atlantis"],
      [" atlantis ", "atlantis"],
      ["San Fran", "San Fran"],
    ]
  ) {
    const parsed = parseSearch(new URLSearchParams({ city }));
    assert.ok(parsed.ok, city);
    assert.equal(parsed.query.city, want);
    assert.equal(findCity(parsed.query.city!), undefined);
  }
});

Deno.test("search: a query by city name round-trips through searchHref as the slug", () => {
  const parsed = parseSearch(
    new URLSearchParams("city=San+Francisco&date=2026-12-03"),
  );
  assert.ok(parsed.ok);
  const href = searchHref(parsed.query, { cursor: "abc" });
  assert.equal(href, "/search?city=san-francisco&date=2026-12-03&cursor=abc");
  const again = parseSearch(new URL(href, "http://x").searchParams);
  assert.ok(again.ok);
  assert.deepEqual(again.query, { ...parsed.query, cursor: "abc" });
});
