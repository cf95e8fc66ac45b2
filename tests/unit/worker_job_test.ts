import assert from "node:assert/strict";
import {
  runWorkerJob,
  type WorkerLimits,
  workersRunning,
  workerTurn,
  workerTurns,
} from "../../lib/worker_job.ts";
import type { TestJob, TestReport } from "../fixtures/job_worker.ts";

const WORKER = new URL("../fixtures/job_worker.ts", import.meta.url);
const LIMITS: WorkerLimits = {
  heapMb: 64,
  startMs: 30_000,
  loadMs: 2_000,
  workMs: 2_000,
};

function run(act: TestJob["act"], bytes = new Uint8Array(16)) {
  return runWorkerJob<TestReport>(WORKER, { act, bytes }, [bytes.buffer], {
    ...LIMITS,
    // Long enough for a busy machine to get there, short enough to wait for.
    ...(act.startsWith("stall") ? { loadMs: 300, workMs: 300 } : {}),
  });
}

Deno.test("workers: a 10 MB job reaches a worker whose heap is capped at 64 MB, whole", async () => {
  const bytes = new Uint8Array(10 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = i * 7;
  let sum = 0;
  for (const b of bytes) sum = (sum + b) % 65_521;
  const outcome = await run("sum", bytes);
  assert.deepEqual(outcome, {
    ok: true,
    report: { step: "summed", length: 10 * 1024 * 1024, sum },
  });
  assert.equal(bytes.length, 0, "the bytes were handed over, not copied");
  assert.equal(workersRunning(), 0);
});

Deno.test("workers: a worker past its time, out of heap, throwing or exiting says why, and is gone", async () => {
  const table: [TestJob["act"], unknown][] = [
    ["stall-loading", { ok: false, failure: "time" }],
    ["stall-working", { ok: false, failure: "time" }],
    ["throw", { ok: true, report: { step: "failed" } }],
    ["exit", { ok: false, failure: "crashed" }],
  ];
  for (const [act, expected] of table) {
    assert.deepEqual(await run(act), expected, act);
    assert.equal(workersRunning(), 0, act);
  }
  // A worker the runtime cannot start (here, from a URL it will not load).
  assert.deepEqual(
    await runWorkerJob(new URL("https://example.com/w.js"), {}, [], LIMITS),
    { ok: false, failure: "unavailable" },
  );
  // Deno reports a heap that runs out inside a message handler as a plain
  // exit (no ERR_WORKER_OUT_OF_MEMORY), so either answer is the thread's end.
  const filled = await run("fill-heap");
  assert.ok(
    !filled.ok && ["memory", "crashed"].includes(filled.failure),
    JSON.stringify(filled),
  );
  assert.equal(workersRunning(), 0);
});

Deno.test("workers: turns by units, in order of arrival: two 1-unit jobs at once, a 2-unit job alone, and a full line or a long wait refused", async () => {
  const opts = (units: 1 | 2) => ({ units, maxWaiting: 2, timeoutMs: 200 });
  const order: string[] = [];
  const a = await workerTurn(opts(1));
  const b = await workerTurn(opts(1));
  assert.ok(a && b, "two PDFs are read at once");
  assert.deepEqual(workerTurns(), { inUse: 2, waiting: 0 });
  // A photo waits for both units; a PDF after it waits behind it.
  const photo = workerTurn(opts(2)).then((r) => (order.push("photo"), r));
  const pdf = workerTurn(opts(1)).then((r) => (order.push("pdf"), r));
  assert.equal(await workerTurn(opts(1)), null, "a third in line is refused");
  a();
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(order, [], "one unit free is not enough for the photo");
  b();
  const photoDone = await photo;
  assert.ok(photoDone);
  assert.deepEqual(workerTurns(), { inUse: 2, waiting: 1 });
  // The PDF behind the photo runs out of time, and nothing is held for it.
  assert.equal(await pdf, null);
  assert.deepEqual(order, ["photo", "pdf"]);
  photoDone();
  photoDone(); // releasing twice frees once
  assert.deepEqual(workerTurns(), { inUse: 0, waiting: 0 });
});
