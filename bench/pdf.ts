/**
 * Reading PDF bombs (issue 15 §1): an app server's resident memory while
 * `POST /account/compliance/read` reads a PDF whose one FlateDecode stream
 * of zeros inflates a thousandfold, against its resident memory just
 * before. Budget: at most 64 MiB more.
 *
 * The server is the real one (`main.ts`, its own KV file, a signed-in demo
 * renter). Its peak is read from the kernel, not sampled: the peak (VmHWM)
 * is reset through /proc/<pid>/clear_refs before each upload and read after
 * the answer. A certificate is read first, so the bombs are measured on a
 * server that has read a PDF before (its first worker thread started, its
 * routes compiled), as a running server has; that first read is reported
 * too. The bombs are made once and cached under .build/bench.
 *
 *   deno run -A bench/pdf.ts     # also part of `deno task bench`
 */
import { hostilePdfs, makePdf, makePdfBomb } from "../tests/pdf_fixtures.ts";
import { benchSessionCookie, CACHE, removeKv } from "./catalogues.ts";
import { type Budget, budgetTable, checkBudget } from "./report.ts";
import {
  BENCH_HOSTNAME,
  type BenchServer,
  freePort,
  processMemory,
  startServer,
} from "./servers.ts";

const MiB = 1024 * 1024;
const BUDGET_MIB = 64;
const RENTER = "demo-user-renter";
const BOMBS = [
  { inflated: 1024 * MiB, label: "1 MB PDF, one stream of 1 GiB of zeros" },
  {
    // 9.5 GiB of zeros deflate to 9.6 MiB, just under the 10 MiB upload limit.
    inflated: 9.5 * 1024 * MiB,
    label: "9.6 MB PDF, one stream of 9.5 GiB of zeros",
  },
];

/** Prints the PDF section of the benchmark report; returns its budgets. */
export async function benchPdfBombs(): Promise<Budget[]> {
  await Deno.mkdir(CACHE, { recursive: true });
  const kvPath = `${CACHE}/pdf.kv`;
  await removeKv(kvPath);
  const cookie = (await benchSessionCookie(kvPath, RENTER)).slice(
    "Cookie: ".length,
  );
  const port = freePort();
  const app = await startServer({
    name: "app, PDF bombs",
    args: ["run", "-A", "main.ts"],
    port,
    env: {
      APP_ENV: "development",
      BASE_URL: `http://${BENCH_HOSTNAME}:${port}`,
      DENO_KV_PATH: kvPath,
      SEED_DEMO_DATA: "false",
    },
  });
  const budgets: Budget[] = [];
  try {
    console.log(
      `\nPDF uploads read by POST /account/compliance/read: the app server's resident memory (VmRSS) before, and its peak (VmHWM, reset first) while answering`,
    );
    const certificate = await makePdf([
      "Certificate No. FH-12345",
      "Expiration Date: 12/31/2027",
    ]);
    await measure(
      app,
      cookie,
      "a certificate (first PDF the server reads)",
      certificate,
    );
    await measure(app, cookie, "a certificate (again)", certificate);
    for (const bomb of BOMBS) {
      const bytes = await cachedBomb(bomb.inflated);
      // The upload itself (multipart parsing, copies, storing it) costs memory
      // by its size, whatever it holds: a JPEG as large, which is stored unread.
      await measure(
        app,
        cookie,
        `a JPEG of the same size (stored, never read)`,
        jpegOfSize(bytes.length),
      );
      const r = await measure(app, cookie, bomb.label, bytes);
      budgets.push(
        checkBudget(
          `PDF bomb: ${bomb.label}, server peak RSS over before (issue 15)`,
          r ? `+${r.grewMiB.toFixed(1)} MiB` : "not measured",
          `≤ +${BUDGET_MIB} MiB`,
          r !== null && r.grewMiB <= BUDGET_MIB && r.unread,
        ),
      );
    }
    // Just under the byte budget, so pdf.js does read it: the worker's own
    // limits (heap, time, streamed text) are what hold here.
    const edge = (await hostilePdfs()).find(([name]) =>
      name.startsWith("7.3 MiB of one-letter text")
    )!;
    const r = await measure(
      app,
      cookie,
      "7.3 MiB of text operators (read)",
      edge[1],
    );
    budgets.push(
      checkBudget(
        "PDF just under the byte budget, read by pdf.js: server peak RSS over before (issue 15)",
        r ? `+${r.grewMiB.toFixed(1)} MiB` : "not measured",
        `≤ +${BUDGET_MIB} MiB`,
        r !== null && r.grewMiB <= BUDGET_MIB,
      ),
    );
  } finally {
    await app.stop();
    await removeKv(kvPath);
  }
  return budgets;
}

/** A JPEG's first bytes, then filler: the upload takes it for a photo by its bytes and stores it. */
function jpegOfSize(size: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(0x55);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  return bytes;
}

async function cachedBomb(inflated: number): Promise<Uint8Array> {
  const path = `${CACHE}/pdf-bomb-${inflated / MiB}mib.pdf`;
  const cached = await Deno.readFile(path).catch(() => null);
  if (cached) return cached;
  const bytes = await makePdfBomb(inflated);
  await Deno.writeFile(path, bytes);
  return bytes;
}

async function measure(
  app: BenchServer,
  cookie: string,
  label: string,
  pdf: Uint8Array,
): Promise<{ grewMiB: number; unread: boolean } | null> {
  const reset = await Deno.writeTextFile(`/proc/${app.pid}/clear_refs`, "5")
    .then(() => true, () => false);
  const before = await processMemory(app.pid);
  const body = new FormData();
  body.set("kind", "food_handler_card");
  body.set("file", new File([pdf as BufferSource], "document.pdf"));
  const started = performance.now();
  const res = await fetch(`${app.url}/account/compliance/read`, {
    method: "POST",
    body,
    headers: { Cookie: cookie, Origin: app.url },
  });
  const html = await res.text();
  const ms = performance.now() - started;
  const after = await processMemory(app.pid);
  if (res.status !== 200) {
    const why = [...html.matchAll(/text-red-[0-9]+[^>]*>([^<]+)/g)]
      .map((m) => m[1]).join("; ");
    throw new Error(`${label}: the read step answered ${res.status} ${why}`);
  }
  const unread = html.includes("We couldn't read this PDF");
  const outcome = unread
    ? "not read, stored"
    : html.includes("Read from your PDF")
    ? "read"
    : "stored";
  if (!reset || !before || !after) {
    console.log(
      `${label.padEnd(44)} ${outcome}, ${
        ms.toFixed(0)
      } ms (no /proc: memory not measured)`,
    );
    return null;
  }
  const mib = (kib: number) => kib / 1024;
  const grewMiB = mib(after.peakKiB - before.rssKiB);
  console.log(
    `${label.padEnd(44)} ${(pdf.length / MiB).toFixed(2)} MiB file  ${
      outcome.padEnd(16)
    } ${ms.toFixed(0).padStart(5)} ms  RSS before ${
      mib(before.rssKiB).toFixed(1)
    } MiB, peak ${mib(after.peakKiB).toFixed(1)} MiB (+${
      grewMiB.toFixed(1)
    }), after ${mib(after.rssKiB).toFixed(1)} MiB`,
  );
  return { grewMiB, unread };
}

if (import.meta.main) {
  const budgets = await benchPdfBombs();
  console.log(`\nbudgets\n${budgetTable(budgets)}`);
  if (!budgets.every((b) => b.pass)) Deno.exit(1);
}
