import assert from "node:assert/strict";
import {
  cached,
  forget,
  forgetPrefix,
  forgetPrivate,
  forgetPrivatePrefix,
  writeGeneration,
} from "../../lib/db/read_cache.ts";

Deno.test("read cache: concurrent readers share one load, and forget drops it", async () => {
  const kv = await Deno.openKv(":memory:");
  let loads = 0;
  const load = async () => {
    loads++;
    await new Promise((r) => setTimeout(r, 5));
    return { n: loads };
  };
  const [a, b] = await Promise.all([
    cached(kv, "k", load),
    cached(kv, "k", load),
  ]);
  assert.equal(loads, 1);
  assert.equal(a, b);
  assert.equal(await cached(kv, "k", load), a);
  forget(kv, "k");
  assert.deepEqual(await cached(kv, "k", load), { n: 2 });
  kv.close();
});

Deno.test("read cache: misses and failures are not kept; stores are per KV", async () => {
  const kv = await Deno.openKv(":memory:");
  const other = await Deno.openKv(":memory:");
  let loads = 0;
  const miss = () => Promise.resolve((loads++, null));
  await cached(kv, "miss", miss, Boolean);
  await cached(kv, "miss", miss, Boolean);
  assert.equal(loads, 2);

  await assert.rejects(cached(kv, "bad", () => Promise.reject(new Error("x"))));
  assert.equal(await cached(kv, "bad", () => Promise.resolve("ok")), "ok");

  await cached(kv, "shared", () => Promise.resolve("first"));
  assert.equal(
    await cached(other, "shared", () => Promise.resolve("second")),
    "second",
  );
  kv.close();
  other.close();
});

Deno.test("read cache: public drops move the pages' generation, private ones do not", async () => {
  const kv = await Deno.openKv(":memory:");
  let loads = 0;
  const load = () => Promise.resolve(++loads);
  const cases: [string, (kv: Deno.Kv, key: string) => void, string, number][] =
    [
      // what is dropped, by what, the key read again, generations moved
      ["forget", forget, "a:1", 1],
      ["forgetPrefix", forgetPrefix, "a:", 1],
      ["forgetPrivate", forgetPrivate, "a:1", 0],
      ["forgetPrivatePrefix", forgetPrivatePrefix, "a:", 0],
    ];
  for (const [name, drop, key, moved] of cases) {
    const first = await cached(kv, "a:1", load);
    const other = await cached(kv, "b:1", load);
    const before = writeGeneration(kv);
    drop(kv, key);
    assert.equal(writeGeneration(kv) - before, moved, name);
    assert.notEqual(await cached(kv, "a:1", load), first, `${name} drops a:1`);
    assert.equal(await cached(kv, "b:1", load), other, `${name} keeps b:1`);
  }
  kv.close();
});
