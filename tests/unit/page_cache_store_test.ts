import assert from "node:assert/strict";
import {
  isFresh,
  type Moment,
  PAGE_TTL_MS,
  pageBytes,
  PageStore,
  type StoredPage,
} from "../../lib/page_cache/store.ts";
import {
  acceptedEncodings,
  etagMatches,
  headerRecord,
  SharedKeys,
} from "../../routes/page_cache.ts";
import { gzipLayout } from "../../lib/page_cache/gzip.ts";

const T0 = Date.parse("2026-12-01T15:00:00Z");

function storedPage(
  key: string,
  size: number,
  over: Partial<StoredPage> = {},
): StoredPage {
  return {
    key,
    text: ["x".repeat(size)],
    shared: null,
    headers: [["content-type", "text/html; charset=UTF-8"]],
    etag: null,
    generation: 0,
    renderedAt: T0,
    startedAt: 1_000,
    gzipLayout: null,
    brotli: null,
    replyBytes: 0,
    replies: {},
    replyHeaders: {},
    bytes: 0,
    ...over,
  };
}

const at = (over: Partial<Moment> = {}): Moment => ({
  generation: 0,
  now: T0,
  monotonic: 1_000,
  ...over,
});

const FRESHNESS: [string, Partial<Moment>, boolean][] = [
  ["at once", {}, true],
  ["just inside the TTL", {
    now: T0 + PAGE_TTL_MS - 1,
    monotonic: 1_000 + PAGE_TTL_MS - 1,
  }, true],
  ["the app clock reached the TTL", { now: T0 + PAGE_TTL_MS }, false],
  ["real time reached the TTL", { monotonic: 1_000 + PAGE_TTL_MS }, false],
  ["the app clock went back", { now: T0 - 1 }, false],
  ["a write since", { generation: 1 }, false],
];

for (const [name, moment, fresh] of FRESHNESS) {
  Deno.test(`page store: freshness when ${name}`, () => {
    assert.equal(isFresh(storedPage("/", 10), at(moment)), fresh);
  });
}

Deno.test("page store: evicts the least recently used pages by bytes", () => {
  const one = pageBytes(storedPage("/a", 1000));
  const store = new PageStore(one * 3);
  for (const key of ["/a", "/b", "/c"]) {
    assert.ok(store.put(storedPage(key, 1000), 0));
  }
  assert.equal(store.size, 3);
  assert.equal(store.bytes, one * 3);
  // Reading /a makes /b the least recently used.
  assert.ok(store.get("/a", at()));
  store.put(storedPage("/d", 1000), 0);
  assert.equal(store.size, 3);
  assert.equal(store.get("/b", at()), undefined);
  for (const key of ["/a", "/c", "/d"]) assert.ok(store.get(key, at()));
  // A page the size of two others pushes out the two oldest.
  store.put(storedPage("/big", 1000 * 2 + 512), 0);
  assert.ok(store.bytes <= store.maxBytes);
  assert.equal(store.get("/a", at()), undefined);
  assert.equal(store.get("/c", at()), undefined);
  assert.ok(store.get("/d", at()));
  assert.ok(store.get("/big", at()));
});

Deno.test("page store: a page larger than the whole budget is not kept", () => {
  const store = new PageStore(10_000);
  assert.ok(store.put(storedPage("/small", 100), 0));
  assert.equal(store.put(storedPage("/huge", 20_000), 0), false);
  assert.equal(store.get("/huge", at()), undefined);
  assert.ok(store.get("/small", at()), "the others stay");
});

Deno.test("page store: a budget of 0 keeps nothing", () => {
  const store = new PageStore(0);
  assert.equal(store.put(storedPage("/", 1), 0), false);
  assert.equal(store.size, 0);
});

Deno.test("page store: a write drops every page at once and refuses pages rendered before it", () => {
  const store = new PageStore(1_000_000);
  store.put(storedPage("/a", 100), 0);
  store.put(storedPage("/b", 100), 0);
  assert.equal(store.get("/a", at({ generation: 1 })), undefined);
  assert.equal(store.size, 0);
  assert.equal(store.bytes, 0);
  // Rendered under generation 1 but stored after another write: stale.
  assert.equal(store.put(storedPage("/a", 100, { generation: 1 }), 2), false);
  assert.ok(store.put(storedPage("/a", 100, { generation: 2 }), 2));
  assert.ok(store.get("/a", at({ generation: 2 })));
});

Deno.test("page store: an expired page is dropped and its bytes released", () => {
  const store = new PageStore(1_000_000);
  store.put(storedPage("/a", 100), 0);
  assert.equal(
    store.get("/a", at({ monotonic: 1_000 + PAGE_TTL_MS })),
    undefined,
  );
  assert.equal(store.size, 0);
  assert.equal(store.bytes, 0);
});

Deno.test("page store: replacing a key counts its bytes once", () => {
  const store = new PageStore(1_000_000);
  store.put(storedPage("/a", 100), 0);
  store.put(storedPage("/a", 300), 0);
  assert.equal(store.size, 1);
  assert.equal(store.bytes, pageBytes(storedPage("/a", 300)));
});

Deno.test("page store: a compressed form counts against the budget", () => {
  const one = pageBytes(storedPage("/a", 1000));
  const store = new PageStore(one * 2 + 600);
  store.put(storedPage("/a", 1000), 0);
  store.put(storedPage("/b", 1000), 0);
  const b = store.get("/b", at())!;
  b.brotli = new Uint8Array(600);
  store.resize(b);
  assert.equal(store.bytes, one * 2 + 600);
  b.gzipLayout = gzipLayout([new TextEncoder().encode("y".repeat(400))], 0);
  b.replyBytes = 420;
  store.resize(b);
  assert.equal(store.get("/a", at()), undefined, "/a made room");
  assert.equal(store.bytes, pageBytes(b));
  assert.equal(pageBytes(b), pageBytes({ ...b, replyBytes: 0 }) + 420);
  assert.equal(
    pageBytes(b),
    pageBytes({ ...b, gzipLayout: null }) + b.gzipLayout.template.byteLength,
  );
  assert.ok(store.get("/b", at()));
});

const ENCODINGS: [string | undefined, string[]][] = [
  [undefined, []],
  ["", []],
  ["gzip, deflate, br", ["br", "deflate", "gzip"]],
  ["GZIP;q=0.5", ["gzip"]],
  ["br;q=0, gzip", ["gzip"]],
  ["gzip;q=0.000, br;q=1", ["br"]],
  ["*", ["br", "gzip"]],
  ["*, br;q=0", ["gzip"]],
  ["gzip; q=0", []],
  ["identity", ["identity"]],
  ["br;q=nonsense", []],
];

for (const [header, expected] of ENCODINGS) {
  Deno.test(`page cache: Accept-Encoding ${JSON.stringify(header)} accepts ${expected.join(", ") || "nothing we make"}`, () => {
    assert.deepEqual([...acceptedEncodings(header)].sort(), expected);
  });
}

const ETAG = 'W/"abc-3"';
const VALIDATORS: [string | undefined, boolean][] = [
  [undefined, false],
  ["", false],
  [ETAG, true],
  ['"abc-3"', true],
  ['"x", W/"abc-3"', true],
  ["*", true],
  ['W/"abc-4"', false],
  ['"abc"', false],
];

for (const [header, match] of VALIDATORS) {
  Deno.test(`page cache: If-None-Match ${JSON.stringify(header)} ${match ? "matches" : "does not match"}`, () => {
    assert.equal(etagMatches(header, ETAG), match);
  });
}

Deno.test("shared keys: only known keys are visited, a failed visit backs off for a TTL, the least recently used key goes first", () => {
  const keys = new SharedKeys();
  assert.equal(keys.mayVisit("/", 0), false);
  keys.add("/");
  assert.equal(keys.has("/"), true);
  assert.equal(keys.mayVisit("/", 0), true);
  keys.backOff("/", 1_000);
  assert.equal(keys.mayVisit("/", 1_000 + PAGE_TTL_MS - 1), false);
  // Adding it again (a full render) keeps the back-off.
  keys.add("/");
  assert.equal(keys.mayVisit("/", 1_000 + PAGE_TTL_MS - 1), false);
  assert.equal(keys.mayVisit("/", 1_000 + PAGE_TTL_MS), true);
  // Backing off an unknown key does not make it known.
  keys.backOff("/x", 0);
  assert.equal(keys.has("/x"), false);
  for (let i = 0; i < 511; i++) keys.add(`/k${i}`);
  // In use again: the least recently used key goes instead.
  keys.add("/");
  keys.add("/k511");
  assert.equal(keys.has("/"), true);
  assert.equal(keys.has("/k0"), false);
  assert.equal(keys.has("/k1"), true);
  assert.equal(keys.has("/k511"), true);
  assert.equal(keys.mayVisit("/", 1_000 + PAGE_TTL_MS), true);
});

Deno.test("page cache: headers as a record keep every name once, values of a name given twice joined", () => {
  const cases: [string, [string, string][], Record<string, string>][] = [
    ["none", [], {}],
    [
      "distinct names as given",
      [["Cache-Control", "public"], ["content-type", "text/html"]],
      { "Cache-Control": "public", "content-type": "text/html" },
    ],
    [
      "a name twice, in another case: joined under the first spelling",
      [["Vary", "Cookie"], ["X-A", "1"], ["vary", "Accept-Encoding"]],
      { Vary: "Cookie, Accept-Encoding", "X-A": "1" },
    ],
  ];
  for (const [why, list, want] of cases) {
    const record = headerRecord(list);
    assert.deepEqual({ ...record }, want, why);
    assert.ok(Object.isFrozen(record), why);
    // As a Response reads it.
    const res = new Response(null, { headers: record });
    assert.equal([...res.headers].length, Object.keys(want).length, why);
  }
});
