import assert from "node:assert/strict";
import { runBackfill } from "../../lib/db/backfill.ts";
import { keys } from "../../lib/db/keys.ts";

/** A backfill that copies ["things", n] to ["things_index", n]. */
function copyThings(kv: Deno.Kv, now = Date.now) {
  return runBackfill<number>(kv, {
    name: "things_index",
    prefix: ["things"],
    add: (atomic, e) => {
      atomic.set(["things_index", e.key[1]], e.value);
    },
    now,
  });
}

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

async function things(kv: Deno.Kv, n: number) {
  for (let i = 0; i < n; i += 100) {
    const atomic = kv.atomic();
    for (let j = i; j < Math.min(n, i + 100); j++) {
      atomic.set(["things", String(j).padStart(4, "0")], j);
    }
    await atomic.commit();
  }
}

Deno.test("backfill: indexes every entry once, then later runs read the marker and stop", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await things(kv, 250);
    assert.deepEqual(await copyThings(kv), {
      ran: true,
      done: true,
      entries: 250,
    });
    assert.equal(await count(kv, ["things_index"]), 250);
    assert.deepEqual(await copyThings(kv), {
      ran: false,
      done: true,
      entries: 0,
    });
  } finally {
    kv.close();
  }
});

Deno.test("backfill: a run stopped half-way is resumed from its saved progress; a live lease of another instance is left alone", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await things(kv, 250);
    const key = keys.backfill("things_index");
    const stopped = {
      v: 1,
      done: false,
      after: ["things", "0200"],
      entries: 200,
      owner: "an instance that was stopped",
      leaseUntil: 1_000,
    };
    await kv.set(key, stopped);
    // Another instance holds the lease: nothing happens.
    assert.deepEqual(await copyThings(kv, () => 500), {
      ran: false,
      done: false,
      entries: 0,
    });
    assert.equal(await count(kv, ["things_index"]), 0);
    // The lease has lapsed: this run carries on from "0200".
    assert.deepEqual(await copyThings(kv, () => 2_000), {
      ran: true,
      done: true,
      entries: 50,
    });
    assert.equal(await count(kv, ["things_index"]), 50);
    const marker = (await kv.get<typeof stopped>(key)).value!;
    assert.equal(marker.done, true);
    assert.equal(marker.entries, 250);
  } finally {
    kv.close();
  }
});
