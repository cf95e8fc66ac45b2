// The schema migration runner (lib/db/migrations/runner.ts): one atomic per
// entry with its progress, so a run is exact when it is stopped, resumed,
// repeated or raced.
import assert from "node:assert/strict";
import { keys } from "../../lib/db/keys.ts";
import {
  type Migration,
  readMigrationState,
  runMigrations,
} from "../../lib/db/migrations/runner.ts";

/** A migration that adds each thing's number to a sum: run twice on an entry, it shows. */
function summing(version = 1): Migration {
  return {
    version,
    name: "bookings_by_reference",
    prefix: ["things"],
    migrate: (atomic, e) => {
      atomic.sum(["sum"], BigInt(e.value as number));
      atomic.set(["migrated", ...e.key.slice(1)], true);
    },
  };
}

/** A second migration that marks each thing. */
const marking: Migration = {
  version: 2,
  name: "users_by_term",
  prefix: ["things"],
  migrate: (atomic, e) => {
    atomic.set(["marked", ...e.key.slice(1)], true);
  },
};

async function things(kv: Deno.Kv, n: number) {
  for (let i = 0; i < n; i += 100) {
    const atomic = kv.atomic();
    for (let j = i; j < Math.min(n, i + 100); j++) {
      atomic.set(["things", String(j).padStart(4, "0")], j + 1);
    }
    await atomic.commit();
  }
}

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

const sumOf = async (kv: Deno.Kv) =>
  Number((await kv.get<Deno.KvU64>(["sum"])).value?.value ?? 0n);
const expected = (n: number) => (n * (n + 1)) / 2;

class Crash extends Error {}

Deno.test("migrations: every entry once, in order; a second run reads the version and stops", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await things(kv, 250);
    const first = await runMigrations(kv, [summing(), marking]);
    assert.deepEqual(first, { from: 0, to: 2, entries: 500, fresh: false });
    assert.equal(await sumOf(kv), expected(250));
    assert.equal(await count(kv, ["marked"]), 250);
    assert.deepEqual(await readMigrationState(kv), {
      v: 1,
      version: 2,
      running: null,
    });
    assert.deepEqual(await runMigrations(kv, [summing(), marking]), {
      from: 2,
      to: 2,
      entries: 0,
      fresh: false,
    });
    assert.equal(await sumOf(kv), expected(250));
  } finally {
    kv.close();
  }
});

Deno.test("migrations: a new store starts at the latest version and runs nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let ran = 0;
    const m: Migration = { ...summing(), migrate: () => void ran++ };
    assert.deepEqual(await runMigrations(kv, [m]), {
      from: 1,
      to: 1,
      entries: 0,
      fresh: true,
    });
    await things(kv, 5);
    assert.equal((await runMigrations(kv, [m])).entries, 0);
    assert.equal(ran, 0);
  } finally {
    kv.close();
  }
});

Deno.test("migrations: a run stopped half-way resumes after the last entry it committed, and counts each entry once", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await things(kv, 120);
    let clock = 1_000;
    await assert.rejects(
      runMigrations(kv, [summing(), marking], {
        owner: "stopped",
        now: () => clock,
        beforeCommit: (m, done) => {
          if (m.version === 1 && done === 73) throw new Crash("killed");
        },
      }),
      Crash,
    );
    const stopped = (await readMigrationState(kv))!;
    assert.equal(stopped.version, 0);
    assert.equal(stopped.running?.entries, 73);
    assert.equal(await sumOf(kv), expected(73));
    // While the stopped run's lease lasts, another waits rather than run.
    const waiting = runMigrations(kv, [summing(), marking], {
      owner: "next",
      now: () => clock,
      pollMs: 5,
    });
    await new Promise((ok) => setTimeout(ok, 40));
    assert.equal(await sumOf(kv), expected(73));
    clock += 60_000;
    const resumed = await waiting;
    assert.deepEqual(resumed, {
      from: 0,
      to: 2,
      entries: 120 - 73 + 120,
      fresh: false,
    });
    assert.equal(await sumOf(kv), expected(120));
    assert.equal(await count(kv, ["migrated"]), 120);
    assert.equal(await count(kv, ["marked"]), 120);
  } finally {
    kv.close();
  }
});

Deno.test("migrations: an entry changed during the run is migrated as it is now; one deleted is passed over", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await things(kv, 10);
    const m: Migration = {
      ...summing(),
      migrate: async (atomic, e, store) => {
        // Another writer changes the next entry while this one is migrated.
        if (e.key[1] === "0002") {
          await store.set(["things", "0003"], 1_000);
          await store.delete(["things", "0004"]);
        }
        atomic.sum(["sum"], BigInt(e.value as number));
      },
    };
    await runMigrations(kv, [m]);
    assert.equal(await sumOf(kv), expected(10) - 4 - 5 + 1_000);
  } finally {
    kv.close();
  }
});

for (const backend of [":memory:", "file"]) {
  Deno.test(`migrations (${backend}): instances starting at once take turns; every entry is migrated once`, async () => {
    const path = backend === "file"
      ? `${await Deno.makeTempDir()}/migrate.kv`
      : ":memory:";
    const kv = await Deno.openKv(path);
    // A file is one store however many opened it, as for `deno serve --parallel`.
    const others = backend === "file"
      ? await Promise.all([1, 2, 3].map(() => Deno.openKv(path)))
      : [kv, kv, kv];
    try {
      await things(kv, 300);
      const runs = await Promise.all(
        [kv, ...others].map((store, i) =>
          runMigrations(store, [summing(), marking], {
            owner: `instance-${i}`,
            pollMs: 5,
          })
        ),
      );
      assert.ok(runs.every((r) => r.to === 2));
      assert.equal(runs.reduce((n, r) => n + r.entries, 0), 600);
      assert.equal(await sumOf(kv), expected(300));
      assert.equal(await count(kv, ["marked"]), 300);
    } finally {
      if (backend === "file") { for (const o of others) o.close(); }
      kv.close();
    }
  });
}

Deno.test("migrations: a stalled runner that lost its lease writes nothing more; the one that took over finishes exactly", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await things(kv, 50);
    let clock = 0;
    let quick: Awaited<ReturnType<typeof runMigrations>> | null = null;
    const slow = await runMigrations(kv, [summing()], {
      owner: "slow",
      now: () => clock,
      pollMs: 5,
      beforeCommit: async (_m, done) => {
        if (done !== 10 || quick) return;
        // The slow runner stalls past its lease (a long pause, a frozen
        // instance) just before a commit; another instance takes over
        // and finishes meanwhile.
        clock += 120_000;
        quick = await runMigrations(kv, [summing()], {
          owner: "quick",
          now: () => clock,
        });
      },
    });
    assert.equal(quick!.entries, 40);
    assert.equal(slow.entries, 10);
    assert.equal(await sumOf(kv), expected(50));
    assert.equal(await count(kv, ["migrated"]), 50);
    assert.deepEqual(await readMigrationState(kv), {
      v: 1,
      version: 1,
      running: null,
    });
  } finally {
    kv.close();
  }
});

Deno.test("migrations: a backfill the old start-up code finished counts as done", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await things(kv, 5);
    await kv.set(keys.backfill("things_index"), { v: 1, done: true });
    const m: Migration = { ...summing(), legacyBackfill: "things_index" };
    const ran = await runMigrations(kv, [m]);
    assert.equal(ran.to, 1);
    assert.equal(ran.entries, 0);
    assert.equal(await sumOf(kv), 0);
  } finally {
    kv.close();
  }
});
