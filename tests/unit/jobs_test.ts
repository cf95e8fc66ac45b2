import assert from "node:assert/strict";
import { z } from "zod";
import { keys } from "../../lib/db/keys.ts";
import { ConflictError } from "../../lib/errors.ts";
import {
  addJob,
  enqueueJob,
  getJob,
  type JobRecord,
  listDeadJobs,
  retryDeadJob,
} from "../../lib/jobs/outbox.ts";
import {
  createJobRunner,
  defaultBackoffMs,
  defineJob,
  type JobContext,
  type JobHandlers,
} from "../../lib/jobs/runner.ts";

const T0 = Date.parse("2026-03-01T12:00:00Z");

/** A clock tests move by hand. */
function clock(start = T0) {
  const c = { t: start, now: () => c.t };
  return c;
}

async function keysUnder(kv: Deno.Kv, prefix: string): Promise<Deno.KvKey[]> {
  const out: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix: [prefix] })) out.push(e.key);
  return out;
}

/** A handler that records each call; `behave` decides what the call does. */
function recorder(
  behave: (payload: { n: number }, ctx: JobContext) => Promise<void> = () =>
    Promise.resolve(),
) {
  const calls: { payload: { n: number }; ctx: JobContext }[] = [];
  const handler = defineJob({
    schema: z.object({ n: z.number().int() }),
    run: (payload, ctx) => {
      calls.push({ payload, ctx });
      return behave(payload, ctx);
    },
  });
  return { calls, handler };
}

Deno.test("jobs: a due job runs with its parsed payload, then job and index are gone", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = clock();
  const { calls, handler } = recorder();
  const runner = createJobRunner(kv, { count: handler }, { now: c.now });
  const id = await enqueueJob(kv, { type: "count", payload: { n: 7 } }, {
    now: c.t,
    wake: false,
  });
  assert.deepEqual(await keysUnder(kv, "jobs_due"), [keys.jobDue(T0, id)]);

  assert.deepEqual(await runner.runDue(), { ran: 1, retried: 0, dead: 0 });
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].payload, { n: 7 });
  assert.equal(calls[0].ctx.jobId, id);
  assert.equal(calls[0].ctx.attempt, 1);
  assert.equal(calls[0].ctx.kv, kv);
  assert.deepEqual(await keysUnder(kv, "jobs"), []);
  assert.deepEqual(await keysUnder(kv, "jobs_due"), []);
  assert.deepEqual(await runner.runDue(), { ran: 0, retried: 0, dead: 0 });
  assert.equal(await runner.runJob(id), "skipped");
  kv.close();
});

Deno.test("jobs: a job added to an atomic whose check fails never exists and never runs", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = clock();
  const { calls, handler } = recorder();
  const runner = createJobRunner(kv, { count: handler }, { now: c.now });
  await kv.set(["bookings", "b1"], { status: "held" });

  // A state change that lost a race: it expected the booking to be absent.
  const atomic = kv.atomic()
    .check({ key: ["bookings", "b1"], versionstamp: null })
    .set(["bookings", "b1"], { status: "confirmed" });
  const id = addJob(atomic, { type: "count", payload: { n: 1 } }, {
    now: c.t,
    wake: false,
  });
  assert.equal((await atomic.commit()).ok, false);

  assert.equal(await getJob(kv, id), null);
  assert.deepEqual(await keysUnder(kv, "jobs_due"), []);
  assert.deepEqual(await runner.runDue(), { ran: 0, retried: 0, dead: 0 });
  assert.equal(await runner.runJob(id), "skipped");
  assert.equal(calls.length, 0);
  kv.close();
});

Deno.test("jobs: a job commits with its state change, and a job id is added once", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = clock();
  const atomic = kv.atomic()
    .check({ key: ["bookings", "b1"], versionstamp: null })
    .set(["bookings", "b1"], { status: "held" });
  const a = addJob(atomic, { type: "count", payload: { n: 1 } }, {
    now: c.t,
    wake: false,
  });
  const b = addJob(
    atomic,
    { type: "count", payload: { n: 2 }, id: "expire:b1", runAt: T0 + 60_000 },
    { now: c.t, wake: false, maxAttempts: 2 },
  );
  assert.notEqual(a, b);
  assert.equal(b, "expire:b1");
  assert.equal((await atomic.commit()).ok, true);

  const job = await getJob(kv, b);
  assert.deepEqual(
    job,
    {
      v: 1,
      id: "expire:b1",
      type: "count",
      payload: { n: 2 },
      runAt: T0 + 60_000,
      attempts: 0,
      maxAttempts: 2,
      createdAt: T0,
      lease: null,
      lastError: null,
    } satisfies JobRecord,
  );
  await assert.rejects(
    enqueueJob(kv, { type: "count", payload: { n: 3 }, id: "expire:b1" }, {
      now: c.t,
      wake: false,
    }),
    ConflictError,
  );
  assert.deepEqual((await getJob(kv, b))?.payload, { n: 2 });
  assert.throws(
    () =>
      addJob(kv.atomic(), { type: "count", payload: {}, runAt: 1.5 }, {
        now: c.t,
        wake: false,
      }),
    TypeError,
  );
  kv.close();
});

Deno.test("jobs: delayed jobs do not run before their time", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = clock();
  const { calls, handler } = recorder();
  const runner = createJobRunner(kv, { count: handler }, { now: c.now });
  const later = await enqueueJob(
    kv,
    { type: "count", payload: { n: 2 }, runAt: T0 + 3_600_000 },
    { now: c.t, wake: false },
  );
  const sooner = await enqueueJob(
    kv,
    { type: "count", payload: { n: 1 }, runAt: T0 + 60_000 },
    { now: c.t, wake: false },
  );

  assert.deepEqual(await runner.runDue(), { ran: 0, retried: 0, dead: 0 });
  assert.equal(await runner.runJob(later), "skipped");
  c.t = T0 + 59_999;
  assert.deepEqual(await runner.runDue(), { ran: 0, retried: 0, dead: 0 });
  assert.equal(calls.length, 0);

  c.t = T0 + 60_000;
  assert.equal(await runner.runJob(later), "skipped");
  assert.deepEqual(await runner.runDue(), { ran: 1, retried: 0, dead: 0 });
  assert.deepEqual(calls.map((x) => x.ctx.jobId), [sooner]);

  c.t = T0 + 3_600_000;
  assert.equal(await runner.runJob(later), "ran");
  assert.deepEqual(calls.map((x) => x.ctx.jobId), [sooner, later]);
  kv.close();
});

Deno.test("jobs: a throwing handler is retried with backoff, then dead-lettered", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = clock();
  const logs: string[] = [];
  let broken = true;
  const { calls, handler } = recorder(() =>
    broken
      ? Promise.reject(new Error("mail server said no"))
      : Promise.resolve()
  );
  const runner = createJobRunner(kv, { count: handler }, {
    now: c.now,
    log: (m) => logs.push(m),
  });
  const id = await enqueueJob(kv, { type: "count", payload: { n: 1 } }, {
    now: c.t,
    wake: false,
    maxAttempts: 3,
  });

  assert.deepEqual(await runner.runDue(), { ran: 0, retried: 1, dead: 0 });
  let job = await getJob(kv, id);
  assert.equal(job?.attempts, 1);
  assert.equal(job?.lastError, "Error: mail server said no");
  assert.equal(job?.lease, null);
  assert.equal(job?.runAt, T0 + 5_000);
  assert.deepEqual(await keysUnder(kv, "jobs_due"), [
    keys.jobDue(T0 + 5_000, id),
  ]);

  c.t = T0 + 4_999;
  assert.deepEqual(await runner.runDue(), { ran: 0, retried: 0, dead: 0 });
  c.t = T0 + 5_000;
  assert.deepEqual(await runner.runDue(), { ran: 0, retried: 1, dead: 0 });
  job = await getJob(kv, id);
  assert.equal(job?.attempts, 2);
  assert.equal(job?.runAt, T0 + 5_000 + 10_000);
  assert.deepEqual(await keysUnder(kv, "jobs_due"), [
    keys.jobDue(T0 + 15_000, id),
  ]);

  c.t = T0 + 15_000;
  assert.deepEqual(await runner.runDue(), { ran: 0, retried: 0, dead: 1 });
  assert.deepEqual(calls.map((x) => x.ctx.attempt), [1, 2, 3]);
  assert.deepEqual(await keysUnder(kv, "jobs"), []);
  assert.deepEqual(await keysUnder(kv, "jobs_due"), []);
  const dead = await listDeadJobs(kv);
  assert.equal(dead.length, 1);
  assert.equal(dead[0].id, id);
  assert.equal(dead[0].attempts, 3);
  assert.equal(dead[0].lastError, "Error: mail server said no");
  assert.equal(dead[0].deadAt, T0 + 15_000);
  assert.ok(logs.some((m) => m.includes("dead-lettered")));

  // An admin retries it once the mail server is back.
  broken = false;
  c.t = T0 + 20_000;
  assert.equal(await retryDeadJob(kv, "no-such-job", c.t), false);
  assert.equal(await retryDeadJob(kv, id, c.t), true);
  assert.deepEqual(await listDeadJobs(kv), []);
  job = await getJob(kv, id);
  assert.equal(job?.attempts, 0);
  assert.equal(job?.runAt, T0 + 20_000);
  assert.equal(job?.deadAt, undefined);
  assert.deepEqual(await runner.runDue(), { ran: 1, retried: 0, dead: 0 });
  assert.deepEqual(calls.map((x) => x.ctx.attempt), [1, 2, 3, 1]);
  assert.deepEqual(await keysUnder(kv, "jobs"), []);
  assert.equal(await retryDeadJob(kv, id, c.t), false);
  kv.close();
});

Deno.test("jobs: default backoff doubles from 5 s and stops at an hour", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 10, 11, 30, 2_000].map(defaultBackoffMs),
    [5_000, 10_000, 20_000, 40_000, 2_560_000, 3_600_000, 3_600_000, 3_600_000],
  );
});

Deno.test("jobs: a bad payload or an unknown type is dead-lettered at once", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = clock();
  const { calls, handler } = recorder();
  const runner = createJobRunner(kv, { count: handler }, {
    now: c.now,
    log: () => {},
  });
  const bad = await enqueueJob(kv, { type: "count", payload: { n: "7" } }, {
    now: c.t,
    wake: false,
  });
  const unknown = await enqueueJob(kv, { type: "nope", payload: {} }, {
    now: c.t,
    wake: false,
  });
  // A property of Object.prototype is not a handler either.
  const proto = await enqueueJob(kv, { type: "toString", payload: {} }, {
    now: c.t,
    wake: false,
  });

  assert.deepEqual(await runner.runDue(), { ran: 0, retried: 0, dead: 3 });
  assert.equal(calls.length, 0);
  assert.deepEqual(await keysUnder(kv, "jobs"), []);
  assert.deepEqual(await keysUnder(kv, "jobs_due"), []);
  const dead = new Map((await listDeadJobs(kv)).map((j) => [j.id, j]));
  assert.match(
    dead.get(bad)?.lastError ?? "",
    /^Invalid payload for job type "count": .*\bn\b/s,
  );
  assert.equal(dead.get(bad)?.attempts, 1);
  assert.equal(dead.get(unknown)?.lastError, 'Unknown job type "nope"');
  assert.equal(dead.get(proto)?.lastError, 'Unknown job type "toString"');
  kv.close();
});

Deno.test("jobs: a worker that dies mid-job is replaced after its lease, and its late finish changes nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = clock();
  const logs: string[] = [];
  const started = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  const { calls, handler } = recorder((_p, ctx) => {
    if (ctx.attempt > 1) return Promise.resolve();
    started.resolve();
    return release.promise; // the first worker hangs
  });
  const handlers: JobHandlers = { count: handler };
  const opts = { now: c.now, leaseMs: 1_000, log: (m: string) => logs.push(m) };
  const a = createJobRunner(kv, handlers, { ...opts, workerId: "a" });
  const b = createJobRunner(kv, handlers, { ...opts, workerId: "b" });
  const id = await enqueueJob(kv, { type: "count", payload: { n: 1 } }, {
    now: c.t,
    wake: false,
  });

  const aDone = a.runJob(id);
  await started.promise;
  const leased = await getJob(kv, id);
  assert.deepEqual(leased?.lease, { owner: "a", until: T0 + 1_000 });
  assert.equal(leased?.attempts, 1);
  // The due entry moved to the lease expiry, so the sweep will come back.
  assert.deepEqual(await keysUnder(kv, "jobs_due"), [
    keys.jobDue(T0 + 1_000, id),
  ]);

  c.t = T0 + 999;
  assert.deepEqual(await b.runDue(), { ran: 0, retried: 0, dead: 0 });
  assert.equal(await b.runJob(id), "skipped");
  assert.equal(calls.length, 1);

  c.t = T0 + 1_000;
  assert.deepEqual(await b.runDue(), { ran: 1, retried: 0, dead: 0 });
  assert.deepEqual(calls.map((x) => x.ctx.attempt), [1, 2]);
  assert.deepEqual(await keysUnder(kv, "jobs"), []);

  // Worker a wakes up and finishes; its versionstamp check fails, so the
  // job is not resurrected or deleted twice.
  release.resolve();
  assert.equal(await aDone, "ran");
  assert.ok(logs.some((m) => m.includes("after its lease")));
  assert.deepEqual(await keysUnder(kv, "jobs"), []);
  assert.deepEqual(await keysUnder(kv, "jobs_due"), []);
  assert.deepEqual(await keysUnder(kv, "jobs_dead"), []);
  kv.close();
});

Deno.test("jobs: a job whose worker died on its last attempt is dead-lettered, not run again", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = clock();
  const release = Promise.withResolvers<void>();
  const { calls, handler } = recorder(() => release.promise);
  const opts = { now: c.now, leaseMs: 1_000, log: () => {} };
  const a = createJobRunner(kv, { count: handler }, { ...opts, workerId: "a" });
  const b = createJobRunner(kv, { count: handler }, { ...opts, workerId: "b" });
  const id = await enqueueJob(kv, { type: "count", payload: { n: 1 } }, {
    now: c.t,
    wake: false,
    maxAttempts: 1,
  });

  const aDone = a.runJob(id);
  while (calls.length === 0) await new Promise((r) => setTimeout(r, 1));
  c.t = T0 + 1_000;
  assert.deepEqual(await b.runDue(), { ran: 0, retried: 0, dead: 1 });
  assert.equal(calls.length, 1);
  const [dead] = await listDeadJobs(kv);
  assert.match(dead.lastError ?? "", /Lease held by a expired/);

  release.resolve();
  await aDone;
  assert.deepEqual(await keysUnder(kv, "jobs"), []);
  assert.equal((await listDeadJobs(kv)).length, 1);
  kv.close();
});

Deno.test("jobs: two runners racing over the same jobs never run one twice", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = clock();
  const runs = new Map<string, number>();
  const inFlight = new Set<string>();
  let overlaps = 0;
  const { handler } = recorder(async (_p, ctx) => {
    if (inFlight.has(ctx.jobId)) overlaps++;
    inFlight.add(ctx.jobId);
    runs.set(ctx.jobId, (runs.get(ctx.jobId) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 1));
    inFlight.delete(ctx.jobId);
  });
  const ids: string[] = [];
  for (let n = 0; n < 50; n++) {
    ids.push(
      await enqueueJob(kv, { type: "count", payload: { n } }, {
        now: c.t,
        wake: false,
      }),
    );
  }
  const a = createJobRunner(kv, { count: handler }, {
    now: c.now,
    workerId: "a",
  });
  const b = createJobRunner(kv, { count: handler }, {
    now: c.now,
    workerId: "b",
  });

  const [ra, rb] = await Promise.all([a.runDue(), b.runDue()]);
  assert.ok(ra.ran > 0 && rb.ran > 0, "both runners took part");
  assert.equal(ra.ran + rb.ran, 50);
  assert.equal(overlaps, 0);
  assert.equal(runs.size, 50);
  for (const id of ids) assert.equal(runs.get(id), 1, id);
  assert.deepEqual(await keysUnder(kv, "jobs"), []);
  assert.deepEqual(await keysUnder(kv, "jobs_due"), []);
  kv.close();
});

Deno.test("jobs: with wake=false (Deploy) a job runs through runDue alone", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = clock();
  const { calls, handler } = recorder();
  await enqueueJob(kv, { type: "count", payload: { n: 1 } }, {
    now: c.t,
    wake: false,
  });
  const runner = createJobRunner(kv, { count: handler }, { now: c.now });
  assert.deepEqual(await runner.runDue(), { ran: 1, retried: 0, dead: 0 });
  assert.equal(calls.length, 1);
  kv.close();
});

Deno.test("jobs: runDue stops at its limit and the next sweep takes the rest", async () => {
  const kv = await Deno.openKv(":memory:");
  const c = clock();
  const { calls, handler } = recorder();
  for (let n = 0; n < 5; n++) {
    await enqueueJob(kv, { type: "count", payload: { n } }, {
      now: c.t,
      wake: false,
    });
  }
  const runner = createJobRunner(kv, { count: handler }, { now: c.now });
  assert.deepEqual(await runner.runDue(3), { ran: 3, retried: 0, dead: 0 });
  assert.deepEqual(await runner.runDue(3), { ran: 2, retried: 0, dead: 0 });
  assert.deepEqual(calls.map((x) => x.payload.n).sort(), [0, 1, 2, 3, 4]);
  kv.close();
});
