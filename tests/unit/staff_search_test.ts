import assert from "node:assert/strict";
import { userTerms } from "../../lib/accounts/user_index.ts";
import {
  kitchenDirectoryQuery,
  userDirectoryQuery,
} from "../../lib/compliance/staff_search.ts";
import { isId } from "../../lib/ids.ts";
import { kitchenTerms } from "../../lib/kitchens/repo.ts";
import {
  countsAt,
  driverOf,
  formatTermCursor,
  matchesTerms,
  MAX_TERMS,
  parseTermCursor,
  queryTerms,
  termsOf,
  wordsOf,
} from "../../lib/search_terms.ts";
import { kitchenFixture } from "../helpers.ts";

const ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

Deno.test("search terms: words are lower case, without accents, split on anything but letters and digits", () => {
  const cases: [string, string[]][] = [
    ["Rosa Díaz", ["rosa", "diaz"]],
    ["O'Brien-Smith", ["o", "brien", "smith"]],
    ["  Ünal   ÇELİK ", ["unal", "celik"]],
    ["Kitchen #2", ["kitchen", "2"]],
    ["東京 Kitchen", ["東京", "kitchen"]],
    ["!!!", []],
    ["", []],
    ["x".repeat(100), ["x".repeat(64)]],
  ];
  for (const [text, want] of cases) assert.deepEqual(wordsOf(text), want, text);
});

Deno.test("search terms: an account is found by its email, its domain and the words of its names and email", () => {
  assert.deepEqual(
    userTerms({
      email: "rosa.d@tamales.example",
      name: "Rosa Díaz",
      businessName: "Rosa's Tamales",
    }),
    [
      "@tamales.example",
      "d",
      "diaz",
      "rosa",
      "rosa.d@tamales.example",
      "s",
      "tamales",
    ],
  );
  // However long the name, a record has at most MAX_TERMS, its email first.
  const long = userTerms({
    email: "a@b.example",
    name: Array.from({ length: 40 }, (_, i) => `w${i}`).join(" "),
    businessName: null,
  });
  assert.equal(long.length, MAX_TERMS);
  assert.ok(long.includes("a@b.example") && long.includes("@b.example"));
  assert.deepEqual(termsOf(["X@Y"], ["x y", null]), ["x", "x@y", "y"]);
});

Deno.test("search terms: a kitchen is found by the words of its city and its title", () => {
  assert.deepEqual(
    kitchenTerms(kitchenFixture({ title: "Wicker Park Commissary" })),
    ["chicago", "commissary", "park", "wicker"],
  );
  const ny = kitchenFixture({
    title: "Bushwick Night Kitchen",
    address: { ...kitchenFixture().address, city: "new-york" },
  });
  assert.deepEqual(kitchenTerms(ny), [
    "bushwick",
    "kitchen",
    "new",
    "night",
    "york",
  ]);
});

Deno.test("search terms: a search box reads as terms; a word with @ stays whole; a term another starts is dropped", () => {
  const cases: [string, string[], string][] = [
    ["Rosa", ["rosa"], "rosa"],
    ["ROSA@Ex", ["rosa@ex"], "rosa@ex"],
    ["rosa rosa@ex", ["rosa@ex"], "rosa@ex"],
    ["hal bak", ["hal", "bak"], "hal"],
    ["wick chicago", ["wick", "chicago"], "chicago"],
    ["rosa.d", ["rosa", "d"], "rosa"],
    ["@ovens", ["@ovens"], "@ovens"],
    ["ann anna", ["anna"], "anna"],
    ["  ", [], ""],
  ];
  for (const [text, terms, driver] of cases) {
    assert.deepEqual(queryTerms(text), terms, text);
    assert.equal(driverOf(terms), driver, text);
  }
});

Deno.test("search terms: a record matches when every typed term starts one of its terms, and counts once, under its first term in the range", () => {
  const terms = ["@ex.com", "diaz", "rosa", "rosa@ex.com"];
  const matches: [string[], boolean][] = [
    [["ros"], true],
    [["rosa@"], true],
    [["ros", "di"], true],
    [["ros", "martinez"], false],
    [["ex.com"], false],
    [["@ex"], true],
    [[], true],
  ];
  for (const [typed, want] of matches) {
    assert.equal(matchesTerms(typed, terms), want, typed.join(" "));
  }
  const counts: [string, string, boolean][] = [
    ["rosa", "ro", true],
    ["rosa@ex.com", "ro", false],
    ["rosa@ex.com", "rosa@", true],
    ["diaz", "d", true],
  ];
  for (const [entry, driver, want] of counts) {
    assert.equal(countsAt(entry, driver, terms), want, `${entry} ${driver}`);
  }
});

Deno.test("search terms: a page cursor is 'term id' within the search's range, or nothing", () => {
  const ok = formatTermCursor({ term: "rosa@ex.com", id: ID });
  assert.equal(ok, `rosa@ex.com ${ID}`);
  assert.deepEqual(parseTermCursor(ok, "ros", isId), {
    term: "rosa@ex.com",
    id: ID,
  });
  const bad: [string, string][] = [
    [`hal ${ID}`, "ros"],
    [`rosa`, "ros"],
    [`rosa not-an-id`, "ros"],
    [` ${ID}`, ""],
    [`ro sa ${ID}`, "ro"],
  ];
  for (const [raw, driver] of bad) {
    assert.equal(parseTermCursor(raw, driver, isId), null, raw);
  }
});

Deno.test("staff search: the directory query strings parse into a search, or a field error that says what to fix", () => {
  const users: [Record<string, string>, unknown][] = [
    [{ q: "", cursor: "" }, { kind: "all", cursor: null }],
    [{ q: "  ", cursor: "demo-user-renter" }, {
      kind: "all",
      cursor: "demo-user-renter",
    }],
    [{ q: "Rosa D", cursor: `rosa ${ID}` }, {
      kind: "terms",
      query: { terms: ["rosa", "d"], driver: "rosa" },
      cursor: { term: "rosa", id: ID },
    }],
  ];
  for (const [input, want] of users) {
    assert.deepEqual(userDirectoryQuery.parse(input), want);
  }
  const kitchens: [Record<string, string>, unknown][] = [
    [{ q: "", host: "", cursor: ID }, { kind: "all", cursor: ID }],
    [{ q: "chicago", host: "", cursor: "" }, {
      kind: "terms",
      query: { terms: ["chicago"], driver: "chicago" },
      cursor: null,
    }],
    [{ q: "wick", host: "hal@", cursor: ID }, {
      kind: "host",
      host: { terms: ["hal@"], driver: "hal@" },
      query: { terms: ["wick"], driver: "wick" },
      cursor: ID,
    }],
  ];
  for (const [input, want] of kitchens) {
    assert.deepEqual(kitchenDirectoryQuery.parse(input), want);
  }
  const errors: [Record<string, string>, string, string][] = [
    [{ q: "!!", cursor: "" }, "q", "Type letters or digits"],
    [{ q: "a b c d e f g h i", cursor: "" }, "q", "Use at most 8 words"],
    [{ q: "a\u202eb", cursor: "" }, "q", "text-direction"],
    [{ q: "", cursor: "a/b" }, "cursor", "not valid"],
    [{ q: "rosa", cursor: ID }, "cursor", "not valid"],
  ];
  for (const [input, field, message] of errors) {
    const r = userDirectoryQuery.safeParse(input);
    assert.equal(r.success, false, JSON.stringify(input));
    const issue = r.error!.issues[0];
    assert.equal(issue.path.join("."), field, JSON.stringify(input));
    assert.match(issue.message, new RegExp(message), JSON.stringify(input));
  }
  const hostCursor = kitchenDirectoryQuery.safeParse({
    q: "",
    host: "hal",
    cursor: `hal ${ID}`,
  });
  assert.equal(hostCursor.success, false);
});
