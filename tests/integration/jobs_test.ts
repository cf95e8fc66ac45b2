import assert from "node:assert/strict";
import { z } from "zod";
import { addJob, enqueueJob, getJob } from "../../lib/jobs/outbox.ts";
import { createJobRunner, defineJob } from "../../lib/jobs/runner.ts";

/** Resolves with `promise`, or rejects after `ms` so a broken wake-up fails fast. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

Deno.test("jobs: with wake=true a listening runner runs a job within a second, without a sweep", async () => {
  const kv = await Deno.openKv(":memory:");
  const ran: string[] = [];
  const done = Promise.withResolvers<void>();
  const runner = createJobRunner(kv, {
    note: defineJob({
      schema: z.object({ text: z.string() }),
      run: (payload) => {
        ran.push(payload.text);
        if (payload.text === "kept") done.resolve();
        return Promise.resolve();
      },
    }),
  });
  const listening = runner.listen();

  // Not a job message: ignored, not an error.
  await kv.enqueue({ hello: "world" });
  // A wake-up in a commit that fails is never delivered.
  await kv.set(["bookings", "b1"], "held");
  const lost = kv.atomic().check({
    key: ["bookings", "b1"],
    versionstamp: null,
  });
  const lostId = addJob(lost, { type: "note", payload: { text: "lost" } }, {
    now: Date.now(),
    wake: true,
  });
  assert.equal((await lost.commit()).ok, false);

  const started = performance.now();
  const id = await enqueueJob(kv, { type: "note", payload: { text: "kept" } }, {
    now: Date.now(),
    wake: true,
  });
  await within(done.promise, 1_000);
  assert.ok(performance.now() - started < 1_000);
  // Give the listener a moment to commit the delete after the handler.
  for (let i = 0; i < 100 && await getJob(kv, id); i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(await getJob(kv, id), null);
  assert.equal(await getJob(kv, lostId), null);
  assert.deepEqual(ran, ["kept"]);

  kv.close();
  await listening;
});

Deno.test("jobs: with wake=false a listening runner leaves the job to the sweep", async () => {
  const kv = await Deno.openKv(":memory:");
  let runs = 0;
  const runner = createJobRunner(kv, {
    note: defineJob({
      schema: z.unknown(),
      run: () => Promise.resolve(void runs++),
    }),
  });
  const listening = runner.listen();
  const id = await enqueueJob(kv, { type: "note", payload: null }, {
    now: Date.now(),
    wake: false,
  });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(runs, 0);
  assert.notEqual(await getJob(kv, id), null);
  assert.deepEqual(await runner.runDue(), { ran: 1, retried: 0, dead: 0 });
  assert.equal(runs, 1);
  kv.close();
  await listening;
});
