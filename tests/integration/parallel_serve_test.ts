/**
 * `deno serve --parallel serve.ts` (`deno task serve`): several isolates
 * start on one KV at once, and the demo data must still be seeded once.
 */
import assert from "node:assert/strict";
import { keys } from "../../lib/db/keys.ts";
import { seedDemoCompliance } from "../../scripts/demo/compliance.ts";
import { seedDemoData } from "../../scripts/demo/catalogue.ts";
import { addHost, addKitchens, kitchenFixture } from "../helpers.ts";

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("demo compliance: of several seeds started together, one writes the documents", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const host = await addHost(kv);
    const kitchens = await addKitchens(
      kv,
      host.id,
      [
        kitchenFixture({ title: "One" }),
        kitchenFixture({ title: "Two" }),
      ],
      "published",
      { permits: false },
    );
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => seedDemoCompliance(kv, kitchens)),
    );
    assert.deepEqual(results.filter(Boolean).length, 1);
    const once = await count(kv, ["documents"]);
    assert.ok(once > 0);
    assert.equal(await seedDemoCompliance(kv, kitchens), false);
    assert.equal(await count(kv, ["documents"]), once);
    const marker = await kv.get<{ done?: boolean }>(
      keys.seed("demo-compliance-v1"),
    );
    assert.equal(marker.value?.done, true);
  } finally {
    kv.close();
  }
});

Deno.test("demo compliance: a claim left by a process that died lapses; a finished seed never does", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const host = await addHost(kv);
    const kitchens = await addKitchens(
      kv,
      host.id,
      [kitchenFixture()],
      "published",
      {
        permits: false,
      },
    );
    const marker = keys.seed("demo-compliance-v1");
    await kv.set(marker, {
      at: new Date().toISOString(),
      done: false,
      claimedUntil: Date.now() + 60_000,
    });
    assert.equal(await seedDemoCompliance(kv, kitchens), false, "live claim");
    await kv.set(marker, {
      at: new Date().toISOString(),
      done: false,
      claimedUntil: Date.now() - 1,
    });
    assert.equal(await seedDemoCompliance(kv, kitchens), true, "lapsed claim");
    // A marker from before claims existed means the seed finished.
    await kv.set(marker, { at: new Date().toISOString() });
    assert.equal(await seedDemoCompliance(kv, kitchens), false);
  } finally {
    kv.close();
  }
});

Deno.test({
  name:
    "deno serve --parallel: two workers start on one fresh KV, seed it once and both answer",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "prep-serve-" });
    const kvPath = `${dir}/prep.kv`;
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "serve",
        "-A",
        "--parallel",
        "--host",
        "127.0.0.1",
        "--port",
        `${port}`,
        "serve.ts",
      ],
      env: {
        DENO_JOBS: "2",
        DENO_KV_PATH: kvPath,
        BASE_URL: `http://127.0.0.1:${port}`,
        SEED_DEMO_DATA: "true",
        APP_ENV: "development",
        PAGE_CACHE_MB: "0",
      },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let output = "";
    const decoder = new TextDecoder();
    const read = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) output += decoder.decode(chunk);
    };
    const reading = Promise.all([read(child.stdout), read(child.stderr)]);
    try {
      // Each worker lists the demo accounts at the end of its start-up.
      const deadline = Date.now() + 90_000;
      while ((output.match(/Demo accounts/g) ?? []).length < 2) {
        assert.ok(Date.now() < deadline, `workers did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      // Two workers' start-up job sweeps (and queue wake-ups) may write at
      // the same instant; on a local KV file one of them is told "database is
      // locked" and the next sweep (or the job's retry) runs the job (README,
      // "Using both cores"). Nothing else may fail.
      const problems = output.split("\n").filter((line) =>
        /error|uncaught|stayed busy/i.test(line) &&
        !/(Job sweep failed|wake-up for \S+ failed|attempt \d+ failed, retrying at \S+): TypeError: database is locked/
          .test(line)
      );
      assert.deepEqual(problems, [], output);
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/search?city=chicago`);
        assert.equal(res.status, 200);
        assert.match(await res.text(), /Kitchens in Chicago/);
      }
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await reading;
    }
    const kv = await Deno.openKv(kvPath);
    const single = await Deno.openKv(":memory:");
    try {
      await seedDemoData(single);
      const kitchens = await count(single, ["kitchens"]);
      assert.equal(await count(kv, ["kitchens"]), kitchens);
      assert.equal(
        await count(kv, ["documents"]),
        await count(single, ["documents"]),
      );
      // Every demo kitchen listed: its permits verified once.
      const listed = await kv.get<Deno.KvU64>(keys.kitchenCount("*"));
      assert.equal(Number(listed.value?.value), kitchens);
    } finally {
      kv.close();
      single.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
