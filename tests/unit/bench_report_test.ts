/**
 * The bench's own arithmetic and its wrk plumbing. Not part of
 * `deno task test` (which runs tests/); run with
 *
 *   deno test -A bench/report_test.ts
 */
import assert from "node:assert/strict";
import { bookingRoom } from "../../bench/catalogues.ts";
import {
  budgetTable,
  factorBudget,
  hitRateText,
  median,
  summarise,
  throughputBudget,
  timeRatio,
} from "../../bench/report.ts";
import { parseProcStatus } from "../../bench/servers.ts";
import {
  hasWrk,
  parseWrk,
  runWrk,
  wrkMs,
  type WrkRun,
} from "../../bench/wrk.ts";

const WRK_OUTPUT = `Running 2s test @ http://127.0.0.1:8941/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   806.35us  846.72us   6.47ms   89.89%
    Req/Sec    46.28k    16.18k   64.45k    45.00%
  Latency Distribution
     50%  799.00us
     75%    0.93ms
     90%    1.67ms
     99%    4.22ms
  184099 requests in 2.00s, 27.56MB read
  Socket errors: connect 0, read 0, write 0, timeout 7
  Non-2xx or 3xx responses: 3
Requests/sec:  91901.08
Transfer/sec:     13.76MB
x-cache hit=180000 miss=99 other=0 none=4000
`;

function run(rps: number, p99 = 10, p50 = 5): WrkRun {
  return {
    rps,
    p50,
    p99,
    requests: rps,
    errors: 0,
    timeouts: 0,
    xCache: null,
  };
}

Deno.test("bench: wrk durations in milliseconds", () => {
  const cases: [string, number][] = [
    ["799.00us", 0.799],
    ["0.93ms", 0.93],
    ["4.22ms", 4.22],
    ["1.02s", 1020],
    ["2.00m", 120_000],
    ["", NaN],
    ["fast", NaN],
  ];
  for (const [text, want] of cases) {
    const got = wrkMs(text);
    if (Number.isNaN(want)) assert.ok(Number.isNaN(got), text);
    else assert.ok(Math.abs(got - want) < 1e-9, `${text}: ${got}`);
  }
});

Deno.test("bench: wrk output with the X-Cache script line", () => {
  const r = parseWrk(WRK_OUTPUT);
  assert.equal(r.rps, 91901.08);
  assert.equal(r.p50, 0.799);
  assert.equal(r.p99, 4.22);
  assert.equal(r.requests, 184099);
  assert.equal(r.errors, 3);
  assert.equal(r.timeouts, 7);
  assert.deepEqual(r.xCache, { hit: 180000, miss: 99, other: 0, none: 4000 });
  const plain = parseWrk(
    WRK_OUTPUT.replace(/^x-cache.*\n/m, "").replace(/^.*Non-2xx.*\n/m, ""),
  );
  assert.equal(plain.xCache, null);
  assert.equal(plain.errors, 0);
  assert.throws(() => parseWrk("unable to connect"), /no throughput/);
});

Deno.test("bench: medians of odd and even counts", () => {
  const cases: [number[], number][] = [
    [[3], 3],
    [[3, 1, 2], 2],
    [[10, 1, 4, 2], 3],
    [[5, 5, 100], 5],
  ];
  for (const [xs, want] of cases) assert.equal(median(xs), want, String(xs));
  assert.ok(Number.isNaN(median([])));
});

Deno.test("bench: each ratio is against the bare run of its own round", () => {
  // Paired by round the ratios are 0.2, 0.1, 0.1 (median 0.1); the median
  // page run over the median bare run would say 3000 / 20000 = 0.15.
  const bares = [run(20_000), run(10_000), run(30_000)];
  const page = [run(4_000, 12), run(1_000, 30), run(3_000, 11)];
  const s = summarise(page, bares);
  assert.deepEqual(s.ratios, [0.2, 0.1, 0.1]);
  assert.equal(s.ratio, 0.1);
  assert.equal(s.rps, 3_000);
  assert.equal(s.p99, 12);
  assert.throws(() => summarise(page, bares.slice(1)), /one of each a round/);
});

Deno.test("bench: cache counts add up over rounds; no script means not counted", () => {
  const a = { ...run(1), xCache: { hit: 90, miss: 10, other: 0, none: 0 } };
  const b = { ...run(1), xCache: { hit: 99, miss: 1, other: 0, none: 0 } };
  const s = summarise([a, b], [run(10), run(10)]);
  assert.deepEqual(s.cache, { hit: 189, miss: 11, other: 0, none: 0 });
  assert.equal(hitRateText(s.cache), "hits 94.50% (189 hit, 11 miss)");
  assert.equal(summarise([run(1)], [run(2)]).cache, null);
});

Deno.test("bench: hit rate wording", () => {
  const cases: [Parameters<typeof hitRateText>[0], string][] = [
    [null, "hit rate not counted"],
    [{ hit: 0, miss: 0, other: 0, none: 0 }, "no responses"],
    [
      { hit: 0, miss: 0, other: 0, none: 500 },
      "no X-Cache header (no page cache here)",
    ],
    [
      { hit: 3, miss: 1, other: 0, none: 0 },
      "hits 75.00% (3 hit, 1 miss)",
    ],
    [
      { hit: 1, miss: 1, other: 1, none: 1 },
      "hits 25.00% (1 hit, 1 miss, 1 other, 1 without header)",
    ],
  ];
  for (const [cache, want] of cases) assert.equal(hitRateText(cache), want);
});

Deno.test("bench: time per request ratio is base rps over other rps, median of rounds", () => {
  // 1k kitchens served 3000, 100k served 2000 → 100k takes 1.5× as long.
  assert.equal(
    timeRatio([run(3000), run(3000), run(2000)], [
      run(2000),
      run(1000),
      run(2000),
    ]),
    1.5,
  );
  assert.throws(() => timeRatio([run(1)], []), /1 runs against 0/);
});

Deno.test("bench: budgets pass only inside both limits", () => {
  const s = (ratio: number, p99: number) =>
    summarise([run(ratio * 1000, p99)], [run(1000)]);
  const cases: [number, number, boolean, string][] = [
    [0.2, 14.99, true, "ratio 0.200 (-t2), p99 14.99 ms"],
    [0.199, 10, false, "ratio 0.199 (-t2) LOW, p99 10.00 ms"],
    [0.3, 15, false, "ratio 0.300 (-t2), p99 15.00 ms HIGH"],
    [0.01, 90, false, "ratio 0.010 (-t2) LOW, p99 90.00 ms HIGH"],
  ];
  for (const [ratio, p99, pass, measured] of cases) {
    const b = throughputBudget("/ cached", s(ratio, p99), 0.2, 15);
    assert.equal(b.pass, pass, `${ratio} ${p99}`);
    assert.equal(b.measured, measured);
    assert.equal(b.limit, "≥ 0.20, p99 < 15 ms");
  }
  assert.equal(factorBudget("x", 1.2, 1.2).pass, true);
  assert.equal(factorBudget("x", 1.21, 1.2).pass, false);
});

Deno.test("bench: the budget table says PASS or FAIL per line and counts failures", () => {
  const table = budgetTable([
    factorBudget("search 100k vs 1k", 1.1, 1.5),
    factorBudget("busy kitchen", 1.3, 1.2),
  ]).split("\n");
  assert.match(
    table[0],
    /^PASS {2}search 100k vs 1k {2}1\.10× +budget ≤ 1\.5×$/,
  );
  assert.match(table[1], /^FAIL {2}busy kitchen {7}1\.30× +budget ≤ 1\.2×$/);
  assert.equal(table[2], "1 of 2 budgets FAILED");
  assert.equal(
    budgetTable([factorBudget("a", 1, 2)]).split("\n").at(-1),
    "all 1 budgets met",
  );
});

Deno.test("bench: peak and current RSS from /proc/<pid>/status", () => {
  const status = "Name:\tdeno\nVmPeak:\t 9999 kB\nVmHWM:\t  409600 kB\n" +
    "VmRSS:\t  204800 kB\nThreads:\t12\n";
  assert.deepEqual(parseProcStatus(status), {
    rssKiB: 204800,
    peakKiB: 409600,
  });
  assert.equal(parseProcStatus("Name:\tdeno\nVmRSS:\t1 kB\n"), null);
});

Deno.test("bench: room for bookings by weekly hours", () => {
  const week = (start: string, end: string) =>
    [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, start, end }));
  const cases: [Parameters<typeof bookingRoom>[0], number][] = [
    // 12 h a day, 2 h + 30 min each → 4 a day, 28 a week, 4 weeks.
    [{
      weeklyHours: week("08:00", "20:00"),
      minHours: 2,
      bufferMinutes: 30,
      bookingWindowDays: 28,
    }, 112],
    // Overnight 22:00–06:00 is 8 h.
    [{
      weeklyHours: week("22:00", "06:00"),
      minHours: 4,
      bufferMinutes: 0,
      bookingWindowDays: 7,
    }, 14],
    // "24:00" ends the day.
    [{
      weeklyHours: [{ day: 1, start: "00:00", end: "24:00" }],
      minHours: 1,
      bufferMinutes: 0,
      bookingWindowDays: 14,
    }, 48],
  ];
  for (const [k, want] of cases) assert.equal(bookingRoom(k), want);
});

/** A server that answers X-Cache: hit, miss, a third value or nothing, in turn. */
function xCacheServer() {
  let n = 0;
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    const value = ["hit", "MISS", "bypass", null][n++ % 4];
    const headers = new Headers({ "content-type": "text/plain" });
    if (value) headers.set("X-Cache", value);
    return new Response("ok", { headers });
  });
}

Deno.test({
  name: "bench: wrk with x_cache.lua counts every response's X-Cache",
  ignore: !(await hasWrk()),
  async fn() {
    const server = xCacheServer();
    try {
      const r = await runWrk(`http://127.0.0.1:${server.addr.port}/`, {
        seconds: 1,
        connections: 4,
        countCache: true,
      });
      const c = r.xCache!;
      assert.ok(c, "the script printed its line");
      // wrk's request count excludes responses still in flight when it
      // stops, which the script already saw, so allow one per connection.
      const total = c.hit + c.miss + c.other + c.none;
      assert.ok(Math.abs(total - r.requests) <= 4, `${total} vs ${r.requests}`);
      for (const n of [c.hit, c.miss, c.other, c.none]) {
        assert.ok(Math.abs(n - total / 4) <= 4, JSON.stringify(c));
      }
    } finally {
      await server.shutdown();
    }
  },
});

Deno.test({
  name: "bench: a page answering errors fails its wrk run",
  ignore: !(await hasWrk()),
  async fn() {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response("gone", { status: 500 }),
    );
    try {
      await assert.rejects(
        runWrk(`http://127.0.0.1:${server.addr.port}/`, {
          seconds: 1,
          connections: 2,
        }),
        /error responses under wrk/,
      );
    } finally {
      await server.shutdown();
    }
  },
});
