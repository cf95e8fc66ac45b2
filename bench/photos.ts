/**
 * Photo processing cost (lib/images/reencode.ts): time and memory to check,
 * decode and re-encode the largest JPEGs allowed (noisy so they stay near
 * 10 MB) into the large and card WebP sizes.
 *
 * Two such JPEGs, made once by MozJPEG and cached under .build/bench:
 * - baseline, 4:2:0, as cameras and phones save photos, 25 MP (5000 ×
 *   5000): the budget's photo;
 * - progressive, as web exports (MozJPEG's default) save them, 12 MP (4000
 *   × 3000, their cap): libjpeg must keep every DCT coefficient of a
 *   progressive photo until its last scan, at any decoding scale, so it is
 *   the most a JPEG costs. Its peak is printed here and counted in
 *   bench/at_once.ts.
 *
 * Each is measured in a fresh process that has processed one small photo
 * first, as a running server has (its first worker thread started, the
 * runtime's code for it paged in). Then three photos in a row, each with
 * the process's peak (VmHWM, reset first) and its resident memory once the
 * photo's worker thread has been let go: Deno frees a worker's memory
 * shortly after the thread ends, not when `terminate` returns.
 *
 *   deno run -A bench/photos.ts     # also part of `deno task bench`
 */
import { MAX_PIXELS, PHOTO_MAX_BYTES } from "../lib/images/inspect.ts";
import { type Budget, checkBudget } from "./report.ts";
import { processPhoto } from "../lib/images/reencode.ts";
import { SERVER_ENV } from "./servers.ts";

const CACHE = ".build/bench";
const SIDE = Math.floor(Math.sqrt(MAX_PIXELS.jpeg));
/** Each bench photo's size: the most pixels its kind may have. */
export const PHOTO_SIZES = {
  baseline: { width: SIDE, height: SIDE },
  progressive: fourByThree(MAX_PIXELS.progressive),
} as const;

/** The largest 4:3 picture (as a phone's) of at most `pixels`. */
export function fourByThree(pixels: number): { width: number; height: number } {
  const width = Math.floor(Math.sqrt(pixels * 4 / 3) / 4) * 4;
  return { width, height: width * 3 / 4 };
}
const MiB = 1024 * 1024;
/** Time for a worker's memory to go once its thread has ended. */
const SETTLE_MS = 1_000;

export const PHOTOS = {
  baseline: `${CACHE}/photo-25mp-10mb-baseline.jpg`,
  progressive: `${CACHE}/photo-12mp-10mb-progressive.jpg`,
} as const;
type Kind = keyof typeof PHOTOS;

interface Measured {
  beforeMiB: number;
  peakAddedMiB: number;
  afterMiB: number;
}

/** Makes (once) the bench's photo of `kind` and returns its path. */
export async function benchPhoto(kind: Kind): Promise<string> {
  await Deno.mkdir(CACHE, { recursive: true });
  if (!(await Deno.stat(PHOTOS[kind]).catch(() => null))) {
    await child("--generate", kind);
  }
  return PHOTOS[kind];
}

/** Prints the photo section of the benchmark report. */
export async function reportPhotos(): Promise<Budget[]> {
  const results = {} as Record<Kind, Measured>;
  for (const kind of ["baseline", "progressive"] as const) {
    const path = await benchPhoto(kind);
    console.log(
      `\nphotos: a ${
        ((await Deno.stat(path)).size / MiB).toFixed(1)
      } MiB ${kind} JPEG (${PHOTO_SIZES[kind].width} × ${
        PHOTO_SIZES[kind].height
      }) to WebP 1600 px + 600 px, three in a row, in a fresh process that has processed one small photo`,
    );
    const lines = (await child("--measure", path)).split("\n");
    for (const line of lines) if (!line.startsWith(RESULT)) console.log(line);
    const result = lines.find((l) => l.startsWith(RESULT));
    if (!result) throw new Error("bench/photos.ts --measure printed no result");
    results[kind] = JSON.parse(result.slice(RESULT.length));
  }
  const { baseline, progressive } = results;
  console.log(
    `progressive: peak +${
      progressive.peakAddedMiB.toFixed(0)
    } MiB (libjpeg holds its 100 MB of DCT coefficients until the last scan; bench/at_once.ts counts it against the 512 MiB ceiling)`,
  );
  // Issue 21 §3: the re-encode's own cost, over the process as it was.
  return [
    checkBudget(
      `photo re-encode, ${SIDE}×${SIDE} 10 MB baseline JPEG: peak added (issue 21)`,
      `${baseline.peakAddedMiB.toFixed(0)} MiB`,
      "≤ 160 MiB",
      baseline.peakAddedMiB <= 160,
    ),
    ...([["baseline", baseline], ["progressive", progressive]] as const).map((
      [kind, m],
    ) =>
      checkBudget(
        `photo re-encode, ${kind}: resident after three vs before (issue 21)`,
        `${(m.afterMiB - m.beforeMiB).toFixed(0)} MiB`,
        "≤ 20 MiB",
        m.afterMiB - m.beforeMiB <= 20,
      )
    ),
  ];
}

const RESULT = "RESULT ";

async function child(...args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, ...args],
    // The server's own process settings (bench/servers.ts).
    env: SERVER_ENV,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`bench/photos.ts ${args[0]} failed`);
  return new TextDecoder().decode(out.stdout).trimEnd();
}

/** A noisy picture: noise keeps a JPEG of it near 10 MB. */
function noisyPicture(width: number, height: number): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  let seed = 12345;
  for (let i = 0; i < data.length; i += 4) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = (seed >>> 16) % 64;
    const x = (i / 4) % width, y = Math.floor(i / 4 / width);
    data[i] = x * 255 / width + noise;
    data[i + 1] = y * 255 / height + (noise * 3) % 64;
    data[i + 2] = ((x + y) & 255) ^ noise;
    data[i + 3] = 255;
  }
  return new ImageData(data, width, height);
}

/** The best quality of `kind` that fits the upload limit. */
async function generate(kind: Kind) {
  const { default: encodeJpeg } = await import("@jsquash/jpeg/encode.js");
  const image = noisyPicture(
    PHOTO_SIZES[kind].width,
    PHOTO_SIZES[kind].height,
  );
  const options = kind === "baseline"
    ? { progressive: false, auto_subsample: false, chroma_subsample: 2 }
    : {};
  for (let quality = 95; quality > 50; quality -= 1) {
    const bytes = new Uint8Array(
      await encodeJpeg(image, { ...options, quality }),
    );
    if (bytes.length <= PHOTO_MAX_BYTES) {
      await Deno.writeFile(PHOTOS[kind], bytes);
      return;
    }
  }
  throw new Error("could not make a JPEG under the limit");
}

/** This process's memory from the kernel (Linux), in MiB. */
async function status(): Promise<{ rss: number; peak: number } | null> {
  const text = await Deno.readTextFile("/proc/self/status").catch(() => "");
  const kib = (field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? NaN);
  const rss = kib("VmRSS"), peak = kib("VmHWM");
  return Number.isNaN(rss) ? null : { rss: rss / 1024, peak: peak / 1024 };
}

const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

async function measure(path: string) {
  const bytes = await Deno.readFile(path);
  const { default: encodeJpeg } = await import("@jsquash/jpeg/encode.js");
  const small = new Uint8Array(
    await encodeJpeg(new ImageData(640, 480), { quality: 80 }),
  );
  await processPhoto(small);
  await settle();
  const start = await status();
  if (!start) throw new Error("no /proc/self/status: memory not measured");
  let peakAdded = 0;
  for (const run of ["first", "second", "third"]) {
    const before = (await status())!;
    await Deno.writeTextFile("/proc/self/clear_refs", "5");
    const started = performance.now();
    const out = await processPhoto(bytes);
    const ms = performance.now() - started;
    const { peak } = (await status())!;
    await settle();
    const after = (await status())!;
    peakAdded = Math.max(peakAdded, peak - start.rss);
    console.log(
      `${run.padEnd(7)} ${ms.toFixed(0).padStart(5)} ms  rss ${
        before.rss.toFixed(0)
      } MiB, peak ${peak.toFixed(0)} MiB (+${
        (peak - start.rss).toFixed(0)
      } over the start), ${after.rss.toFixed(0)} MiB after  (${
        (bytes.length / MiB).toFixed(1)
      } MiB in; ${out.large.width}×${out.large.height} ${
        (out.large.bytes.length / 1024).toFixed(0)
      } KiB + ${out.card.width}×${out.card.height} ${
        (out.card.bytes.length / 1024).toFixed(0)
      } KiB out)`,
    );
  }
  const end = (await status())!;
  console.log(
    RESULT + JSON.stringify(
      {
        beforeMiB: start.rss,
        peakAddedMiB: peakAdded,
        afterMiB: end.rss,
      } satisfies Measured,
    ),
  );
}

if (import.meta.main) {
  const [flag, arg] = Deno.args;
  if (flag === "--generate") await generate(arg as Kind);
  else if (flag === "--measure") await measure(arg);
  else console.log(await reportPhotos());
}
