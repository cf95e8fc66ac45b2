import assert from "node:assert/strict";
import { CITIES } from "../../lib/cities.ts";
import { keys } from "../../lib/db/keys.ts";
import { getFile } from "../../lib/files/store.ts";
import { canTakeBookings } from "../../lib/hosts/payouts.ts";
import { hostRecord } from "../../lib/hosts/schema.ts";
import { type Kitchen, kitchenRecord } from "../../lib/kitchens/schema.ts";
import {
  buildDemoData,
  DEMO_SEED,
  KV_LIMITS,
  planDemoCommit,
  seedDemoData,
} from "../../scripts/demo/catalogue.ts";
import { DEMO_HOSTS } from "../../scripts/demo/hosts.ts";
import { seedBenchCatalogue } from "../../scripts/seed_bench.ts";
import { migrationList } from "../../lib/app.ts";
import { LATEST_SCHEMA_VERSION } from "../../lib/db/migrations/names.ts";
import {
  runMigrations,
  schemaVersion,
} from "../../lib/db/migrations/runner.ts";

const NOW = new Date("2026-11-10T15:00:00Z");

async function listKitchens(kv: Deno.Kv): Promise<Kitchen[]> {
  const out: Kitchen[] = [];
  for await (const e of kv.list<Kitchen>({ prefix: ["kitchens"] })) {
    out.push(e.value);
  }
  return out;
}

async function countPrefix(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

async function counter(kv: Deno.Kv, scope: string): Promise<bigint> {
  const e = await kv.get<Deno.KvU64>(["kitchen_counts", scope]);
  return e.value?.value ?? 0n;
}

Deno.test("demo seed creates published, valid kitchens in every city", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const res = await seedDemoData(kv, { now: NOW });
    assert.equal(res.created, true);
    assert.ok(res.kitchens >= 40);
    assert.ok(res.hosts >= 8 && res.hosts <= 12);

    const kitchens = await listKitchens(kv);
    assert.equal(kitchens.length, res.kitchens);
    for (const k of kitchens) {
      const parsed = kitchenRecord.parse(k);
      assert.equal(parsed.status, "published");
      const city = CITIES.find((c) => c.slug === k.address.city);
      assert.ok(city, `unknown city ${k.address.city}`);
      assert.equal(k.timeZone, city.timeZone);
      assert.ok(k.hourlyPriceCents >= 2500 && k.hourlyPriceCents <= 9500);
      assert.ok(k.capacity >= 2 && k.capacity <= 12);
      assert.ok(k.rules.length >= 3 && k.rules.length <= 6);
      assert.equal(k.photos.length, 3);
      const host = await kv.get(keys.host(k.hostId));
      assert.ok(host.value, `missing host ${k.hostId}`);
      const profile = hostRecord.parse(host.value);
      assert.equal((host.value as { v: number }).v, 2, "stored as v2");
      assert.ok(canTakeBookings(profile, "demo"), "demo host is payout-ready");
      assert.ok(!canTakeBookings(profile, "stripe"));
    }
    const cities = new Set(kitchens.map((k) => k.address.city));
    assert.deepEqual([...cities].sort(), CITIES.map((c) => c.slug).sort());
    assert.equal(
      await counter(kv, "*"),
      BigInt(kitchens.length),
      "published counter",
    );
    assert.equal(await countPrefix(kv, ["hosts"]), DEMO_HOSTS.length);

    const overnight = kitchens.filter((k) =>
      k.weeklyHours.some((r) => r.end <= r.start)
    );
    assert.ok(overnight.length >= 1, "some kitchen opens overnight");
    const allDay = kitchens.filter((k) =>
      [1, 2, 3, 4, 5, 6, 7].every((day) =>
        k.weeklyHours.some((r) =>
          r.day === day && r.start === "00:00" && r.end === "24:00"
        )
      )
    );
    assert.ok(allDay.length >= 1, "some kitchen is open 24/7");
    assert.ok(kitchens.some((k) => k.blackoutDates.length > 0));
    for (const k of kitchens) {
      for (const d of k.blackoutDates) {
        assert.ok(d > "2026-11-09" && d < "2027-04-01", `blackout ${d}`);
      }
    }

    for (const k of kitchens) {
      for (const p of k.photos) {
        const file = await getFile(kv, p.id);
        assert.ok(file, `photo ${p.id} is stored`);
        assert.equal(file.meta.contentType, "image/svg+xml");
        assert.ok(file.bytes.length > 0 && file.bytes.length < 64 * 1024);
        const svg = new TextDecoder().decode(file.bytes);
        assert.ok(svg.startsWith("<svg"));
      }
    }
    const marker = await kv.get(keys.seed(DEMO_SEED));
    assert.notEqual(marker.versionstamp, null);
  } finally {
    kv.close();
  }
});

Deno.test("demo seed fits in one atomic and is deterministic apart from ids", () => {
  const a = buildDemoData(NOW);
  const b = buildDemoData(NOW);
  const strip = (k: Kitchen) => ({ ...k, id: "" });
  assert.deepEqual(a.kitchens.map(strip), b.kitchens.map(strip));
  assert.deepEqual(a.photos, b.photos);
  const stats = planDemoCommit(a, NOW).stats;
  assert.ok(stats.mutations <= KV_LIMITS.mutations);
  assert.ok(stats.checks <= KV_LIMITS.checks);
  assert.ok(stats.keyBytes <= KV_LIMITS.totalKeyBytes);
  assert.ok(stats.mutationBytes <= KV_LIMITS.totalMutationBytes);
});

Deno.test("seeding twice creates nothing the second time", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const first = await seedDemoData(kv, { now: NOW });
    assert.equal(first.created, true);
    const count = await countPrefix(kv, ["kitchens"]);
    const second = await seedDemoData(kv, { now: NOW });
    assert.equal(second.created, false);
    assert.equal(await countPrefix(kv, ["kitchens"]), count);
    assert.equal(await counter(kv, "*"), BigInt(count));
  } finally {
    kv.close();
  }
});

Deno.test("concurrent seeds create exactly one set", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const results = await Promise.all([
      seedDemoData(kv, { now: NOW }),
      seedDemoData(kv, { now: NOW }),
    ]);
    assert.equal(results.filter((r) => r.created).length, 1);
    const created = results.find((r) => r.created)!;
    assert.equal(await countPrefix(kv, ["kitchens"]), created.kitchens);
    assert.equal(await counter(kv, "*"), BigInt(created.kitchens));
    assert.equal(
      await countPrefix(kv, ["kitchens_by_status", "published"]),
      created.kitchens,
    );
  } finally {
    kv.close();
  }
});

Deno.test("bench catalogue adds kitchens evenly with counters", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await seedDemoData(kv, { now: NOW });
    const before = await counter(kv, "*");
    const kitchensBefore = await countPrefix(kv, ["kitchens"]);
    await seedBenchCatalogue(kv, 500);
    assert.equal(await counter(kv, "*"), before + 500n);
    assert.equal(await countPrefix(kv, ["kitchens"]), kitchensBefore + 500);
    assert.equal(
      await countPrefix(kv, ["kitchens_by_host", "bench-host"]),
      500,
    );
    const perCity = new Map<string, number>();
    for (const k of await listKitchens(kv)) {
      if (k.hostId !== "bench-host") continue;
      kitchenRecord.parse(k);
      perCity.set(k.address.city, (perCity.get(k.address.city) ?? 0) + 1);
    }
    assert.equal(perCity.size, CITIES.length);
    for (const n of perCity.values()) assert.ok(n === 62 || n === 63);
    for (let i = 1; i <= 5; i++) {
      assert.ok(
        await getFile(kv, `0000BENCHPH0T0${String(i).padStart(12, "0")}`),
      );
    }
  } finally {
    kv.close();
  }
});

Deno.test("bench catalogue: a store it seeds is at the latest schema version, so an app started on it migrates nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await seedBenchCatalogue(kv, 20);
    assert.equal(await schemaVersion(kv), LATEST_SCHEMA_VERSION);
    const ran = await runMigrations(kv, migrationList());
    assert.equal(ran.entries, 0);
  } finally {
    kv.close();
  }
});
