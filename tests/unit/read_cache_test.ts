import assert from "node:assert/strict";
import { cached, forget } from "../../lib/db/read_cache.ts";

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
