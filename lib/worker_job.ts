/**
 * One job in a worker thread of its own, started for the job and ended
 * after it: reading a PDF's text, drawing its first page, re-encoding a
 * photo. The thread is where a job's limits hold: a capped JavaScript heap
 * (`resourceLimits`), a time limit per step, and every byte the job
 * allocated, WebAssembly heaps included, gone with the thread. A
 * WebAssembly heap never shrinks, so a codec run in the server's own thread
 * would keep its largest file's memory for the life of the process.
 *
 * The protocol, both sides here: the worker says `ready`, gets its job,
 * says `loaded` once its libraries are in (loading them is no file's doing,
 * so it has its own limit), then sends one final report. A worker that
 * throws sends `{ step: "failed" }`.
 *
 * Why the worker listens with `addEventListener` and never `parentPort.on`
 * or `.once`: Deno's `parentPort` listeners walk every key of a message to
 * find MessagePorts, and a Uint8Array's keys are its indexes, so a 2 MB
 * file became millions of strings and a 64 MB heap ended the thread without
 * a word (every PDF over about 2 MB went unread). The web listener takes
 * the transferred buffer as it is.
 */
import { parentPort, Worker } from "node:worker_threads";

export interface WorkerLimits {
  /** The thread's JavaScript heap (old generation); buffers are not in it. */
  heapMb: number;
  /** Starting the thread and loading its module (`deno test` type-checks it). */
  startMs: number;
  /** From the job's arrival to `loaded`: the job's libraries. */
  loadMs: number;
  /** From `loaded` to the final report: the work the input decides. */
  workMs: number;
}

/** Why a job gave no report. */
export type WorkerFailure =
  /** A step ran past its time. */
  | "time"
  /** The thread's JavaScript heap ran out. */
  | "memory"
  /** The thread ended or failed without a report. */
  | "crashed"
  /** No thread could be started here, so the limits could not be kept. */
  | "unavailable";

export type WorkerOutcome<R> = { ok: true; report: R } | {
  ok: false;
  failure: WorkerFailure;
};

/** Every report a worker sends before its final one. */
type Progress = { step: "ready" } | { step: "loaded" };

let running = 0;

/** Worker threads started by `runWorkerJob` and not yet ended (tests). */
export function workersRunning(): number {
  return running;
}

/**
 * Runs `job` in a new worker thread from `url` within `limits`, and ends the
 * thread once it has answered or failed. `transfer` hands buffers over
 * without a copy: the caller must not use them after.
 */
export function runWorkerJob<R extends { step: string }>(
  url: URL,
  job: unknown,
  transfer: ArrayBuffer[],
  limits: WorkerLimits,
): Promise<WorkerOutcome<R>> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(url, {
        resourceLimits: {
          maxOldGenerationSizeMb: limits.heapMb,
          maxYoungGenerationSizeMb: 4,
        },
      });
    } catch {
      return resolve({ ok: false, failure: "unavailable" });
    }
    running++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const finish = (outcome: WorkerOutcome<R>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      running--;
      worker.terminate().catch(() => {});
      resolve(outcome);
    };
    const allow = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish({ ok: false, failure: "time" }), ms);
    };
    worker.on("message", (report: R | Progress) => {
      if (report.step === "ready") {
        worker.postMessage(job, transfer);
        return allow(limits.loadMs);
      }
      if (report.step === "loaded") return allow(limits.workMs);
      finish({ ok: true, report: report as R });
    });
    worker.on("error", (err: Error & { code?: string }) =>
      finish({
        ok: false,
        failure: err.code === "ERR_WORKER_OUT_OF_MEMORY" ? "memory" : "crashed",
      }));
    worker.on("exit", () => finish({ ok: false, failure: "crashed" }));
    allow(limits.startMs);
  });
}

/**
 * The worker's side: says `ready`, runs `work` on the one job it is sent,
 * and posts what `work` returns (with the buffers to transfer) as the final
 * report, or `{ step: "failed" }` if it throws. `work` calls `loaded` once
 * its libraries are in.
 */
export function serveJob<J, R extends { step: string }>(
  name: string,
  work: (
    job: J,
    loaded: () => void,
  ) => Promise<{ report: R; transfer?: ArrayBuffer[] }>,
): void {
  const port = parentPort;
  if (!port) throw new Error(`${name} runs only as a worker thread`);
  globalThis.addEventListener("message", async (event) => {
    const job = (event as MessageEvent<J>).data;
    try {
      const { report, transfer = [] } = await work(
        job,
        () => port.postMessage({ step: "loaded" } satisfies Progress),
      );
      port.postMessage(report, transfer);
    } catch {
      port.postMessage({ step: "failed" });
    }
  }, { once: true });
  port.postMessage({ step: "ready" } satisfies Progress);
}
