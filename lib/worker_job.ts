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

/**
 * The units of worker work the server runs at once (issue 21 §3: no
 * request, upload or job may take it past 512 MiB). What a job may add
 * decides its units: reading a PDF's text (pdf.js in a 64 MB heap, +55–85
 * MiB measured) takes 1, so two files are read at once; drawing a PDF's
 * page (PDFium's heap may reach 160 MB) and re-encoding a photo (+310 MiB
 * for a 25 MP PNG, before PNGs were capped at 12 MP) take both and run alone.
 */
export const WORKER_UNITS = 2;

export interface TurnOptions {
  units: 1 | 2;
  /** Refused at once when this many jobs already wait. */
  maxWaiting: number;
  /** Refused when its turn has not come by then. */
  timeoutMs: number;
}

interface Waiter {
  units: number;
  grant: () => void;
}

let inUse = 0;
const queue: Waiter[] = [];

/** Grants turns in order of arrival while the first in line fits. */
function grantWaiting(): void {
  while (queue.length > 0 && inUse + queue[0].units <= WORKER_UNITS) {
    const next = queue.shift()!;
    inUse += next.units;
    next.grant();
  }
}

/**
 * A turn to run a worker job of `units`, as a release function to call when
 * the job is over, or null when the line is full or the wait too long.
 * Turns come in order of arrival, so a photo waiting for both units is not
 * overtaken by a stream of PDFs that take one.
 */
export async function workerTurn(
  opts: TurnOptions,
): Promise<(() => void) | null> {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    inUse -= opts.units;
    grantWaiting();
  };
  if (queue.length === 0 && inUse + opts.units <= WORKER_UNITS) {
    inUse += opts.units;
    return release;
  }
  if (queue.length >= opts.maxWaiting) return null;
  let granted = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waiter: Waiter = { units: opts.units, grant: () => {} };
  const got = await new Promise<boolean>((resolve) => {
    waiter.grant = () => {
      granted = true;
      resolve(true);
    };
    queue.push(waiter);
    timer = setTimeout(() => resolve(false), opts.timeoutMs);
  });
  clearTimeout(timer);
  if (got) return release;
  const at = queue.indexOf(waiter);
  if (at >= 0) {
    queue.splice(at, 1);
    // Those behind it may fit now.
    grantWaiting();
  } else if (granted) {
    // The turn came as the wait ran out: hand it on.
    release();
  }
  return null;
}

/** Units held and jobs waiting (tests). */
export function workerTurns(): { inUse: number; waiting: number } {
  return { inUse, waiting: queue.length };
}

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
