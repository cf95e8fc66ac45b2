import assert from "node:assert/strict";
import {
  BackupFormatError,
  decodeKey,
  decodeValue,
  encodeValue,
  exportStore,
  importStore,
  readBackup,
  rebuildDerived,
  StoreNotEmptyError,
} from "../../lib/db/backup.ts";

const stream = (text: string) =>
  new Blob([text]).stream() as ReadableStream<Uint8Array>;

/** Through JSON text and back, as the file carries it. */
const roundTrip = (v: unknown) =>
  decodeValue(JSON.parse(JSON.stringify(encodeValue(v))));

Deno.test("backups: every kind of key part and value a KV entry can hold comes back the same", async () => {
  const err = new Error("boom", { cause: 7n });
  err.name = "RangeError";
  const sparse = [1, , 3];
  const values: unknown[] = [
    "text \u2028 </script>",
    "",
    0,
    -0,
    1.5,
    NaN,
    Infinity,
    -Infinity,
    Number.MAX_SAFE_INTEGER,
    12345678901234567890n,
    -5n,
    true,
    null,
    undefined,
    new Deno.KvU64(18446744073709551615n),
    new Uint8Array([0, 1, 254, 255]),
    new Uint8Array(),
    new Int16Array([1, -2, 300]),
    new Float64Array([0.1, NaN]),
    new BigUint64Array([2n ** 64n - 1n]),
    new Uint8Array([9, 8]).buffer,
    new Date(1767225600000),
    new Date(NaN),
    /a.b\/c/gi,
    new Map<unknown, unknown>([[1, "a"], ["k", new Set([1n])]]),
    new Set(["x", 2]),
    sparse,
    err,
    [1, [2, { a: null }]],
    { $bigint: "not a bigint" },
    { $u64: 1, other: 2 },
    { nested: { $date: 5 } },
    { a: undefined, "": "empty key" },
  ];
  // Deno.KvU64, typed arrays, Maps and Errors compare by content through KV.
  const kv = await Deno.openKv(":memory:");
  try {
    for (const [i, v] of values.entries()) {
      await kv.set(["v", i], v);
      const stored = (await kv.get(["v", i])).value;
      assert.deepEqual(roundTrip(stored), stored, `value ${i}`);
    }
    const again = roundTrip(sparse) as unknown[];
    assert.equal(1 in again, false, "holes stay holes");
    assert.ok(Object.is(roundTrip(-0), -0));
    const e = roundTrip(err) as Error;
    assert.equal(e.name, "RangeError");
    assert.equal(e.cause, 7n);
    const keys: Deno.KvKey[] = [
      ["a", 1, 2n, true, new Uint8Array([1])],
      [-0, NaN, Infinity, ""],
      [new Uint8Array()],
    ];
    for (const key of keys) {
      await kv.set(key, 1);
      const [stored] = await kv.getMany([key]);
      const back = decodeKey(
        JSON.parse(JSON.stringify(stored.key.map(encodeValue))),
      );
      assert.deepEqual(back, stored.key);
      assert.equal((await kv.get(back)).value, 1);
    }
  } finally {
    kv.close();
  }
  assert.throws(() => encodeValue(() => 1), TypeError);
  assert.throws(() => encodeValue(Symbol("s")), TypeError);
  for (const bad of [{ $nope: 1 }, { $num: "seven" }, { $map: 3 }, 1e400]) {
    assert.throws(
      () => decodeValue(bad),
      BackupFormatError,
      JSON.stringify(bad),
    );
  }
  assert.throws(() => decodeKey([{ $map: [] }]), BackupFormatError);
  assert.throws(() => decodeKey([]), BackupFormatError);
});

const HEADER = JSON.stringify({
  format: "prep-kv-export",
  version: 1,
  schemaVersion: 2,
  exportedAt: "2026-01-01T00:00:00.000Z",
});
const line = (key: unknown[], value: unknown) =>
  JSON.stringify({ key: key.map(encodeValue), value: encodeValue(value) });

async function read(text: string) {
  const out = [];
  for await (const l of readBackup(stream(text))) out.push(l);
  return out;
}

Deno.test("backups: a file must start with the header, end with its end line and count its entries", async () => {
  const whole =
    [HEADER, line(["a"], 1), line(["b"], 2), `{"end":true,"entries":2}`]
      .join("\n") + "\n";
  assert.equal((await read(whole)).length, 4);
  const refusals: [string, RegExp][] = [
    ["", /empty/],
    [line(["a"], 1) + "\n", /header/],
    [[HEADER, line(["a"], 1)].join("\n"), /ends before its end line/],
    [
      [HEADER, line(["a"], 1), `{"end":true,"entries":5}`].join("\n"),
      /counts 5/,
    ],
    [
      [HEADER, "{not json", `{"end":true,"entries":0}`].join("\n"),
      /Line 2 is not JSON/,
    ],
    [
      [HEADER, `{"key":[],"value":1}`, `{"end":true,"entries":1}`].join("\n"),
      /Line 2/,
    ],
    [
      [HEADER, `{"end":true,"entries":0}`, line(["a"], 1)].join("\n"),
      /follows the end line/,
    ],
  ];
  for (const [text, message] of refusals) {
    await assert.rejects(read(text), BackupFormatError, String(message));
    await assert.rejects(read(text), message);
  }
});

Deno.test("backups: an import refuses a store with data unless forced, a newer schema, and keeps or ends lifetimes from expiresAt", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const now = 1_000_000;
    const text = [
      HEADER,
      line(["sessions", "old"], { expiresAt: now - 1 }),
      line(["sessions", "live"], { expiresAt: now + 60_000 }),
      line(["rate_limits", "login", "x", 1], 3),
      line(["kept"], "forever"),
      `{"end":true,"entries":4}`,
    ].join("\n");
    const opts = {
      now,
      ttls: [{ prefix: ["rate_limits"], ttlMs: 5_000 }],
      latestSchemaVersion: 2,
    };
    const res = await importStore(kv, stream(text), opts);
    assert.deepEqual(res, {
      schemaVersion: 2,
      entries: 4,
      written: 3,
      expired: 1,
    });
    assert.equal((await kv.get(["sessions", "old"])).value, null);
    assert.ok((await kv.get(["sessions", "live"])).value);
    await assert.rejects(
      importStore(kv, stream(text), opts),
      StoreNotEmptyError,
    );
    assert.equal(
      (await importStore(kv, stream(text), { ...opts, force: true })).written,
      3,
    );
    const newer = text.replace('"schemaVersion":2', '"schemaVersion":3');
    await assert.rejects(
      importStore(await Deno.openKv(":memory:"), stream(newer), opts),
      /newer than this code's 2/,
    );
  } finally {
    kv.close();
  }
});

Deno.test("backups: derived counters are summed again from the records, zeroed first", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await kv.set(["things", "a"], 2);
    await kv.set(["things", "b"], 5);
    // A counter the export caught out of step, and one that is back at zero.
    await kv.set(["total", "sum"], new Deno.KvU64(99n));
    await kv.set(["total", "gone"], new Deno.KvU64(0n));
    const rebuilt = await rebuildDerived(kv, [{
      name: "things",
      prefixes: [["total"]],
      sources: [{
        prefix: ["things"],
        add: (atomic, e) => {
          atomic.sum(["total", "sum"], BigInt(e.value as number));
        },
      }],
    }]);
    assert.deepEqual(rebuilt, { things: 2 });
    assert.equal((await kv.get<Deno.KvU64>(["total", "sum"])).value?.value, 7n);
    assert.equal(
      (await kv.get<Deno.KvU64>(["total", "gone"])).value?.value,
      0n,
    );
  } finally {
    kv.close();
  }
});

Deno.test("backups: the export streams, reading the store only as fast as a slow reader takes it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    // 40 MB of values.
    const blob = "x".repeat(20_000);
    for (let i = 0; i < 2_000; i += 25) {
      const atomic = kv.atomic();
      for (let j = i; j < i + 25; j++) atomic.set(["big", j], `${j}${blob}`);
      await atomic.commit();
    }
    // Counts what the export has read from the store.
    let read = 0;
    const counting = {
      list: (selector: Deno.KvListSelector, options?: Deno.KvListOptions) =>
        (async function* () {
          for await (const e of kv.list(selector, options)) {
            read++;
            yield e;
          }
        })(),
    } as unknown as Deno.Kv;
    let received = 0;
    let release!: () => void;
    const blocked = new Promise<void>((ok) => release = ok);
    const reader = new WritableStream<Uint8Array>({
      async write(chunk) {
        received += chunk.byteLength;
        // The reader takes the first chunk, then stops until released.
        if (received === chunk.byteLength) await blocked;
      },
    }, { highWaterMark: 1 });
    let finished = false;
    const done = exportStore(counting, reader, { schemaVersion: 1, now: 0 })
      .then((n) => {
        finished = true;
        return n;
      });
    await new Promise((ok) => setTimeout(ok, 300));
    // While the reader is stuck, the export has read a few chunks' worth
    // (64 KB each, ~3 entries) and waits: not the 2,000 entries.
    assert.equal(finished, false);
    assert.ok(read < 20, `${read} entries read while the reader waited`);
    release();
    assert.equal(await done, 2_000);
    assert.equal(read, 2_000);
    assert.ok(received > 40_000_000);
  } finally {
    kv.close();
  }
});
