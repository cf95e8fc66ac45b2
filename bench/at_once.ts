/**
 * The heaviest inputs at once (issue 21 §3): no request, upload or job may
 * take a server past 512 MiB. One app server on the demo catalogue gets, in
 * the same moment:
 *
 * - the costliest JPEG allowed, uploaded to a kitchen: the 10 MB, 12 MP
 *   progressive JPEG of bench/photos.ts (the budget's
 *   row); and, in a second round, the largest PNG allowed (12 MP), the
 *   costliest photo of any format per pixel: PNG and WebP decode whole,
 *   their bitmap twice (the decoder's heap and its copy in JS);
 * - two PDFs read for the upload form's prefill, as many as are ever read
 *   at once (prefill.ts MAX_READERS): the largest upload allowed (10 MB)
 *   and the file that costs pdf.js the most to read (7.3 MiB of one-letter
 *   text operators, just under the decoding budget);
 * - the largest calendar feed allowed (2 MB, MAX_FEED_BYTES), imported by
 *   its sync job: 4,000 events, half of them repeating daily.
 *
 * Its peak (VmHWM, reset just before) is read from the kernel once every
 * answer is in and the feed's import is recorded; the server first does
 * each of these once with a small input, as a running server has.
 *
 *   deno run -A bench/at_once.ts     # also part of `deno task bench`
 */
import encodeJpeg from "@jsquash/jpeg/encode.js";
import encodePng from "@jsquash/png/encode.js";
import { MAX_FEED_BYTES } from "../lib/calendar_sync/fetch.ts";
import { DOCUMENT_MAX_BYTES } from "../lib/compliance/repo.ts";
import { MAX_PIXELS } from "../lib/images/inspect.ts";
import { DEMO_HOSTS } from "../scripts/demo/hosts.ts";
import { hostilePdfs, makeLargePdf } from "../tests/pdf_fixtures.ts";
import { benchPhoto, fourByThree, PHOTO_SIZES } from "./photos.ts";
import {
  benchSessionCookie,
  CACHE,
  copyKv,
  demoKv,
  kitchenOfHost,
  removeKv,
} from "./catalogues.ts";
import { type Budget, budgetTable, checkBudget } from "./report.ts";
import {
  BENCH_HOSTNAME,
  freePort,
  processMemory,
  startServer,
} from "./servers.ts";

const MiB = 1024 * 1024;
const CEILING_MIB = 512;
const RENTER = "demo-user-renter";
/** The largest PNG allowed, 4:3 as a phone's. */
const { width: PNG_WIDTH, height: PNG_HEIGHT } = fourByThree(MAX_PIXELS.png);
const PROGRESSIVE = PHOTO_SIZES.progressive;

/** Prints the section of the benchmark report; returns its budget. */
export async function benchAtOnce(
  demo?: { path: string; kitchens: number },
): Promise<Budget[]> {
  demo ??= await demoKv();
  const kvPath = `${CACHE}/run-at-once.kv`;
  await copyKv(demo.path, kvPath);
  const hostId = DEMO_HOSTS[0].id;
  const kitchenId = await kitchenOfHost(kvPath, hostId);
  const host = cookieOf(await benchSessionCookie(kvPath, hostId));
  const renter = cookieOf(await benchSessionCookie(kvPath, RENTER));
  const jpeg = {
    label: `the ${PROGRESSIVE.width} × ${PROGRESSIVE.height} progressive JPEG`,
    bytes: await Deno.readFile(await benchPhoto("progressive")),
  };
  const png = await costliestPhoto();
  const pdfs = [
    {
      label: `a ${(DOCUMENT_MAX_BYTES / MiB).toFixed(0)} MB certificate`,
      bytes: makeLargePdf(
        "Certificate No. FH-12345",
        DOCUMENT_MAX_BYTES - 4096,
      ),
    },
    {
      label: "7.3 MiB of one-letter text operators",
      bytes:
        (await hostilePdfs()).find(([name]) =>
          name.startsWith("7.3 MiB of one-letter text")
        )![1],
    },
  ];
  const feeds = startFeedServer();
  const port = freePort();
  const app = await startServer({
    name: "app, heaviest inputs at once",
    args: ["run", "-A", "main.ts"],
    port,
    env: {
      APP_ENV: "development",
      BASE_URL: `http://${BENCH_HOSTNAME}:${port}`,
      DENO_KV_PATH: kvPath,
      SEED_DEMO_DATA: "false",
      CALENDAR_FETCH_ALLOW_LOOPBACK: "true",
    },
  });
  const budgets: Budget[] = [];
  try {
    const post = (path: string, cookie: string, body: FormData) =>
      fetch(`${app.url}${path}`, {
        method: "POST",
        body,
        headers: { Cookie: cookie, Origin: app.url },
        redirect: "manual",
      });
    const uploadPhoto = async (bytes: Uint8Array) => {
      const form = new FormData();
      form.set("alt", "The prep line, from the door");
      form.set("photo", new File([bytes as BufferSource], "photo"));
      const res = await post(`/host/kitchens/${kitchenId}/photos`, host, form);
      await res.body?.cancel();
      if (res.status !== 303) throw new Error(`photo: ${res.status}`);
    };
    const readPdf = async (bytes: Uint8Array) => {
      const form = new FormData();
      form.set("kind", "food_handler_card");
      form.set("file", new File([bytes as BufferSource], "document.pdf"));
      const res = await post("/account/compliance/read", renter, form);
      const html = await res.text();
      if (res.status !== 200) throw new Error(`PDF: ${res.status}`);
      return html.includes("We couldn't read this PDF") ? "not read" : "read";
    };
    const importFeed = async (
      name: "small" | "largest" | "again" | "once more",
    ) => {
      const form = new FormData();
      // Each import its own URL: a kitchen imports a calendar once.
      form.set("url", `${feeds.url}/${encodeURIComponent(name)}.ics`);
      form.set("name", `${name} feed`);
      const path = `/host/kitchens/${kitchenId}/edit/calendar`;
      const res = await post(`${path}/imports`, host, form);
      await res.body?.cancel();
      if (res.status !== 303) throw new Error(`feed: ${res.status}`);
      return await importedStatus(app.url + path, host, `${name} feed`);
    };

    // Once each with a small input: the server's first worker threads and
    // code paths, as a running server has them.
    await uploadPhoto(await smallJpeg());
    await readPdf(makeLargePdf("Certificate No. FH-1", 4096));
    await importFeed("small");
    await new Promise((r) => setTimeout(r, 1_000));

    // Each alone, then all at once, each from the server as it then is.
    const peakOf = async (label: string, run: () => Promise<unknown>) => {
      await new Promise((r) => setTimeout(r, 1_000));
      await Deno.writeTextFile(`/proc/${app.pid}/clear_refs`, "5");
      const before = await processMemory(app.pid);
      const started = performance.now();
      const outcome = await run();
      const seconds = (performance.now() - started) / 1000;
      const peak = await processMemory(app.pid);
      if (!before || !peak) throw new Error("no /proc/<pid>/status");
      console.log(
        `${label.padEnd(40)} ${seconds.toFixed(1).padStart(5)} s  RSS before ${
          (before.rssKiB / 1024).toFixed(0)
        } MiB, peak ${(peak.peakKiB / 1024).toFixed(0)} MiB (+${
          ((peak.peakKiB - before.rssKiB) / 1024).toFixed(0)
        })${typeof outcome === "string" ? `  ${outcome}` : ""}`,
      );
      return peak.peakKiB;
    };
    console.log(
      `\nthe heaviest inputs, one app server on the demo catalogue (${demo.kitchens} kitchens): each alone, then all at once; the server's peak RSS (VmHWM, reset before each)`,
    );
    for (const photo of [jpeg, png]) {
      await peakOf(photo.label, () => uploadPhoto(photo.bytes));
    }
    for (const p of pdfs) {
      await peakOf(
        `PDF: ${p.label} (${(p.bytes.length / MiB).toFixed(1)} MiB)`,
        () => readPdf(p.bytes),
      );
    }
    await peakOf(
      `feed: ${(feeds.largest / MiB).toFixed(2)} MiB, 4,000 events`,
      () => importFeed("largest"),
    );
    for (
      const [photo, feed] of [[jpeg, "again"], [png, "once more"]] as const
    ) {
      const peakKiB = await peakOf(
        `all at once, with ${photo === jpeg ? "the JPEG" : "the PNG"}`,
        () =>
          Promise.all([
            uploadPhoto(photo.bytes),
            ...pdfs.map((p) => readPdf(p.bytes)),
            importFeed(feed),
          ]),
      );
      budgets.push(
        checkBudget(
          `${
            photo === jpeg
              ? "costliest JPEG (12 MP progressive)"
              : "largest PNG photo (12 MP)"
          } + PDFs + calendar feed at once: server peak RSS (issue 21)`,
          `${(peakKiB / 1024).toFixed(0)} MiB`,
          `≤ ${CEILING_MIB} MiB`,
          peakKiB <= CEILING_MIB * 1024,
        ),
      );
    }
  } finally {
    await app.stop();
    await feeds.stop();
    await removeKv(kvPath);
  }
  return budgets;
}

const cookieOf = (line: string) => line.slice("Cookie: ".length);

async function smallJpeg(): Promise<Uint8Array> {
  return new Uint8Array(
    await encodeJpeg(new ImageData(640, 480), { quality: 80 }),
  );
}

/** The largest PNG allowed (made once, cached): a gradient and checks. */
async function costliestPhoto(): Promise<{ label: string; bytes: Uint8Array }> {
  const [w, h] = [PNG_WIDTH, PNG_HEIGHT];
  const path = `${CACHE}/photo-${w}x${h}.png`;
  let bytes = await Deno.readFile(path).catch(() => null);
  if (!bytes) {
    const data = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      const x = i % w, y = Math.floor(i / w);
      data[i * 4] = x * 255 / w;
      data[i * 4 + 1] = y * 255 / h;
      data[i * 4 + 2] = ((x >> 4) ^ (y >> 4)) & 255;
      data[i * 4 + 3] = 255;
    }
    bytes = new Uint8Array(await encodePng(new ImageData(data, w, h)));
    await Deno.writeFile(path, bytes);
  }
  return {
    label: `a ${w} × ${h} PNG photo (${(bytes.length / MiB).toFixed(1)} MiB)`,
    bytes,
  };
}

/**
 * A calendar of `events` events, padded to `size` bytes with descriptions;
 * every other one repeats daily.
 */
function calendar(events: number, size: number): string {
  const day = 24 * 3600_000;
  const stamp = (ms: number) =>
    new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const start = Math.floor(Date.now() / day) * day + day;
  const vevents: string[] = [];
  for (let i = 0; i < events; i++) {
    const from = start + (i % 60) * day + (8 + (i % 10)) * 3600_000;
    vevents.push(
      [
        "BEGIN:VEVENT",
        `UID:bench-${i}@prep.test`,
        `DTSTAMP:${stamp(start)}`,
        `DTSTART:${stamp(from)}`,
        `DTEND:${stamp(from + 3600_000)}`,
        `SUMMARY:Busy ${i}`,
        ...(i % 2 ? ["RRULE:FREQ=DAILY;COUNT=1000"] : []),
        "DESCRIPTION:%PAD%",
        "END:VEVENT",
      ].join("\r\n"),
    );
  }
  const head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Prep bench//EN\r\n";
  const tail = "\r\nEND:VCALENDAR\r\n";
  const bare = head + vevents.join("\r\n") + tail;
  const pad = Math.max(0, Math.floor((size - bare.length) / events) - 1);
  return bare.replaceAll("%PAD%", "x".repeat(pad));
}

/** The feeds, served on loopback (the app may fetch it only in development). */
function startFeedServer() {
  const files: Record<string, string> = {
    "/small.ics": calendar(10, 4096),
    "/largest.ics": calendar(4_000, MAX_FEED_BYTES - 64 * 1024),
  };
  files["/again.ics"] = files["/largest.ics"];
  files["/once%20more.ics"] = files["/largest.ics"];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => {
      const body = files[new URL(req.url).pathname];
      return body
        ? new Response(body, { headers: { "content-type": "text/calendar" } })
        : new Response("not found", { status: 404 });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    largest: new TextEncoder().encode(files["/largest.ics"]).length,
    stop: () => server.shutdown(),
  };
}

/** Waits until the kitchen's calendar page says how the feed's import went. */
async function importedStatus(
  url: string,
  cookie: string,
  name: string,
): Promise<string> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const html = await (await fetch(url, { headers: { Cookie: cookie } }))
      .text();
    const at = html.indexOf(name);
    const status =
      /(Imported [^<]*busy times?[^<]*|The last import failed[^<]*)/.exec(
        html.slice(at),
      );
    if (at >= 0 && status) return status[1].replace(/\s+/g, " ").trim();
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name}: no import within two minutes`);
}

if (import.meta.main) {
  const budgets = await benchAtOnce();
  console.log(`\nbudgets\n${budgetTable(budgets)}`);
  if (!budgets.every((b) => b.pass)) Deno.exit(1);
}
