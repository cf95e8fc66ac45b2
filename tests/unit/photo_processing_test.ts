import assert from "node:assert/strict";
import encodeJpeg from "@jsquash/jpeg/encode.js";
import encodePng from "@jsquash/png/encode.js";
import decodeWebp from "@jsquash/webp/decode.js";
import encodeWebp from "@jsquash/webp/encode.js";
import { UnavailableError, ValidationError } from "../../lib/errors.ts";
import { exifOrientation, inspectPhoto } from "../../lib/images/inspect.ts";
import {
  PHOTO_WORKER_LIMITS,
  photoFailure,
  processPhoto,
} from "../../lib/images/reencode.ts";
import { orient } from "../../lib/images/resize.ts";
import { reencodePhoto } from "../../lib/images/photo_job.ts";
import { workersRunning } from "../../lib/worker_job.ts";

/** Left half red, right half blue: where each half ends up shows a turn. */
function halves(width: number, height: number): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const left = i % width < width / 2;
    data.set(left ? [220, 20, 20, 255] : [20, 20, 220, 255], i * 4);
  }
  return new ImageData(data, width, height);
}

const jpeg = async (image: ImageData) =>
  new Uint8Array(
    await encodeJpeg(image, { quality: 90, progressive: false }),
  );

/** An APP1 EXIF segment holding only an orientation, in either byte order. */
function exif(orientation: number, order: "II" | "MM"): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 12 + 4);
  const v = new DataView(tiff.buffer);
  const le = order === "II";
  tiff.set(new TextEncoder().encode(order));
  v.setUint16(2, 42, le);
  v.setUint32(4, 8, le);
  v.setUint16(8, 1, le);
  v.setUint16(10, 0x0112, le);
  v.setUint16(12, 3, le);
  v.setUint32(14, 1, le);
  v.setUint16(18, orientation, le);
  const payload = new Uint8Array([
    ...new TextEncoder().encode("Exif\0\0"),
    ...tiff,
  ]);
  const length = payload.length + 2;
  return new Uint8Array([0xff, 0xe1, length >> 8, length & 255, ...payload]);
}

function afterSoi(jpg: Uint8Array, segment: Uint8Array): Uint8Array {
  return new Uint8Array([...jpg.subarray(0, 2), ...segment, ...jpg.slice(2)]);
}

async function pixel(webp: Uint8Array, x: number, y: number) {
  const image = await decodeWebp(webp.slice().buffer);
  const i = (y * image.width + x) * 4;
  return [...image.data.subarray(i, i + 3)];
}

const isRed = ([r, g, b]: number[]) => r > 180 && g < 60 && b < 60;
const isBlue = ([r, g, b]: number[]) => b > 180 && r < 60 && g < 60;

Deno.test("photos: each photo is re-encoded in a worker thread of its own, gone once the answer is back", async () => {
  const bytes = await jpeg(halves(2000, 1500));
  const processing = processPhoto(bytes);
  const deadline = Date.now() + 20_000;
  while (workersRunning() === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(workersRunning(), 1, "the photo has a worker while it runs");
  const photo = await processing;
  assert.equal(workersRunning(), 0, "and none once it is done");
  assert.deepEqual(
    [
      photo.large.width,
      photo.large.height,
      photo.card.width,
      photo.card.height,
    ],
    [1600, 1200, 600, 450],
  );
  assert.ok(isRed(await pixel(photo.large.bytes, 10, 600)));
  assert.ok(isBlue(await pixel(photo.large.bytes, 1590, 600)));
  assert.equal(bytes.length > 0, true, "the caller's bytes are left alone");
});

Deno.test("photos: a sideways phone photo (EXIF 6 or 8) is turned upright whole, in either byte order", async () => {
  const stored = await jpeg(halves(300, 200));
  for (
    const [orientation, order, topIs] of [
      [6, "MM", isRed],
      [6, "II", isRed],
      [8, "II", isBlue],
    ] as const
  ) {
    const bytes = afterSoi(stored, exif(orientation, order));
    assert.equal((await inspectPhoto(bytes)).orientation, orientation);
    const { large } = await processPhoto(bytes);
    assert.deepEqual([large.width, large.height], [200, 300]);
    // A quarter turn puts the left half on top (6) or at the bottom (8),
    // every row of it: the corners are the halves' colours, not black.
    for (const [x, y] of [[2, 2], [197, 2], [100, 140]]) {
      assert.ok(topIs(await pixel(large.bytes, x, y)), `${orientation} top`);
    }
    const bottomIs = topIs === isRed ? isBlue : isRed;
    for (const [x, y] of [[2, 297], [197, 297], [100, 160]]) {
      assert.ok(bottomIs(await pixel(large.bytes, x, y)), `${orientation}`);
    }
  }
});

Deno.test("photos: EXIF orientation is read from IFD0, and anything else is upright", () => {
  const app1 = (segment: Uint8Array) => segment.subarray(4);
  for (let o = 1; o <= 8; o++) {
    assert.equal(exifOrientation(app1(exif(o, "MM"))), o);
    assert.equal(exifOrientation(app1(exif(o, "II"))), o);
  }
  assert.equal(exifOrientation(app1(exif(9, "II"))), 1);
  assert.equal(exifOrientation(app1(exif(0, "MM"))), 1);
  assert.equal(exifOrientation(new TextEncoder().encode("http://ns.adobe")), 1);
  assert.equal(exifOrientation(app1(exif(6, "II")).subarray(0, 16)), 1);
});

Deno.test("photos: orient turns a 3 × 2 bitmap each of the eight EXIF ways", () => {
  // Pixels numbered 1…6 in their red channel, row by row.
  const data = new Uint8ClampedArray(3 * 2 * 4);
  for (let i = 0; i < 6; i++) data.set([i + 1, 0, 0, 255], i * 4);
  const image = new ImageData(data, 3, 2);
  const table: [number, number, number, number[]][] = [
    [1, 3, 2, [1, 2, 3, 4, 5, 6]],
    [2, 3, 2, [3, 2, 1, 6, 5, 4]],
    [3, 3, 2, [6, 5, 4, 3, 2, 1]],
    [4, 3, 2, [4, 5, 6, 1, 2, 3]],
    [5, 2, 3, [1, 4, 2, 5, 3, 6]],
    [6, 2, 3, [4, 1, 5, 2, 6, 3]],
    [7, 2, 3, [6, 3, 5, 2, 4, 1]],
    [8, 2, 3, [3, 6, 2, 5, 1, 4]],
  ];
  for (const [orientation, width, height, reds] of table) {
    const out = orient(image, orientation);
    assert.deepEqual(
      [out.width, out.height],
      [width, height],
      `${orientation}`,
    );
    assert.deepEqual(
      [...out.data].filter((_, i) => i % 4 === 0),
      reds,
      `${orientation}`,
    );
  }
});

Deno.test("photos: a photo that passes the structure check but does not decode gets the photo field's 400 from its worker", async () => {
  const good = await jpeg(halves(64, 48));
  // Zero components in the frame header: no decoder takes it.
  const noComponents = good.slice();
  const sof = noComponents.findIndex((b, i) =>
    b === 0xff && noComponents[i + 1] === 0xc0
  );
  noComponents[sof + 9] = 0;
  // A PNG whose compressed pixels are noise, in chunks of the right sizes.
  const png = new Uint8Array(await encodePng(halves(64, 48)));
  const idat = new TextDecoder("latin1").decode(png).indexOf("IDAT") + 4;
  for (let i = idat; i < idat + 40; i++) png[i] ^= 0x5a;
  // A WebP whose VP8 data after its frame header is noise.
  const webp = new Uint8Array(
    await encodeWebp(halves(64, 48), { quality: 80 }),
  );
  for (let i = 40; i < webp.length - 4; i++) webp[i] ^= 0xa5;
  for (
    const [name, bytes] of [
      ["JPEG", noComponents],
      ["PNG", png],
      ["WebP", webp],
    ] as const
  ) {
    await assert.rejects(processPhoto(bytes), (err) => {
      assert.ok(err instanceof ValidationError, `${name}: ${err}`);
      assert.match(
        err.issues.photo,
        /That photo is damaged or incomplete, so we could not read it\./,
        name,
      );
      return true;
    });
    assert.equal(workersRunning(), 0, name);
  }
});

Deno.test("photos: a photo its worker cannot finish in time gets a clear 400; a worker that dies gets a 503", async () => {
  const bytes = await jpeg(halves(640, 480));
  await assert.rejects(
    processPhoto(bytes, { ...PHOTO_WORKER_LIMITS, workMs: 1 }),
    (err) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(
        err.issues.photo,
        "That photo took too long to process, so we stopped. Save it at a " +
          "smaller size and upload it again.",
      );
      return true;
    },
  );
  assert.equal(workersRunning(), 0);
  const memory = photoFailure("memory", 1);
  assert.ok(memory instanceof ValidationError);
  assert.match(memory.message, /needs more memory to process than we allow/);
  for (const failure of ["crashed", "unavailable"] as const) {
    const err = photoFailure(failure, 1);
    assert.ok(err instanceof UnavailableError, failure);
    assert.equal(err.status, 503);
    assert.equal(
      err.message,
      "We could not process that photo just now. Nothing was saved; " +
        "please upload it again in a minute.",
    );
  }
});

Deno.test("photos: photos run one at a time, and a ninth waiting is refused with a 503 rather than queued", async () => {
  const bytes = await jpeg(halves(320, 240));
  const outcomes = await Promise.allSettled(
    Array.from({ length: 10 }, () => processPhoto(bytes)),
  );
  // One runs, eight wait, the tenth finds the line full.
  assert.deepEqual(
    outcomes.map((o) => o.status),
    [...Array(9).fill("fulfilled"), "rejected"],
  );
  const refused = (outcomes[9] as PromiseRejectedResult).reason;
  assert.ok(refused instanceof UnavailableError);
  assert.equal(
    refused.message,
    "We are processing many photos just now. Nothing was saved; please upload yours again in a minute.",
  );
  assert.equal(workersRunning(), 0);
  // The queue is free again.
  assert.equal((await processPhoto(bytes)).large.width, 320);
});

Deno.test("photos: where no worker thread can start, a photo is re-encoded in the server's thread to the same bytes", async () => {
  const bytes = afterSoi(await jpeg(halves(900, 600)), exif(6, "II"));
  const inWorker = await processPhoto(bytes);
  const layout = await inspectPhoto(bytes);
  const { report } = await reencodePhoto({
    bytes: bytes.slice(),
    ...layout,
    largeEdge: 1600,
    cardEdge: 600,
    quality: 80,
  }, () => {});
  assert.equal(report.step, "encoded");
  if (report.step !== "encoded") return;
  assert.deepEqual(report.large, inWorker.large);
  assert.deepEqual(report.card, inWorker.card);
});

/** `bytes` claiming `width` × `height` where its format keeps its size. */
function claiming(
  kind: "jpeg" | "progressive" | "png" | "webp",
  bytes: Uint8Array,
  width: number,
  height: number,
): Uint8Array {
  const b = bytes.slice();
  const v = new DataView(b.buffer);
  if (kind === "png") { // IHDR, the first chunk
    v.setUint32(16, width);
    v.setUint32(20, height);
  } else if (kind === "webp") { // "VP8 " key frame: 14 bits each
    const data = 20;
    v.setUint16(data + 6, width, true);
    v.setUint16(data + 8, height, true);
  } else { // SOF0, or SOF2 for a progressive one
    let p = 2;
    while (b[p + 1] !== 0xc0 && b[p + 1] !== 0xc2) p += 2 + v.getUint16(p + 2);
    v.setUint16(p + 5, height);
    v.setUint16(p + 7, width);
  }
  return b;
}

Deno.test("photos: the pixel cap is per format: 25 MP for a baseline JPEG, 12 MP for a progressive one, a PNG or WebP, with the size in words", async () => {
  const small = halves(8, 6);
  const made = {
    jpeg: await jpeg(small),
    progressive: new Uint8Array(
      await encodeJpeg(small, { quality: 90, progressive: true }),
    ),
    png: new Uint8Array(await encodePng(small)),
    webp: new Uint8Array(await encodeWebp(small)),
  };
  const cases: [keyof typeof made, number, number, string | null][] = [
    ["jpeg", 6000, 4000, null],
    ["jpeg", 6000, 4200, "the most for a JPEG is 25 megapixels"],
    ["progressive", 4000, 3000, null],
    [
      "progressive",
      5000,
      5000,
      "the most for a progressive JPEG \\(as web exports save them\\) is 12 megapixels",
    ],
    ["png", 4000, 3000, null],
    ["png", 4001, 3000, "the most for a PNG is 12 megapixels"],
    ["png", 6000, 4000, "That photo is 6000 × 4000 pixels"],
    ["webp", 4000, 3000, null],
    ["webp", 3000, 4001, "the most for a WebP photo is 12 megapixels"],
  ];
  for (const [kind, width, height, refusal] of cases) {
    const bytes = claiming(kind, made[kind], width, height);
    const seen = await inspectPhoto(bytes).then(
      (layout) => {
        assert.deepEqual([layout.width, layout.height], [width, height]);
        return null;
      },
      (e) => {
        assert.ok(e instanceof ValidationError, String(e));
        return e.message;
      },
    );
    if (refusal === null) {
      assert.equal(seen, null, `${kind} ${width}×${height}`);
    } else {assert.match(
        seen ?? "",
        new RegExp(refusal),
        `${kind} ${width}×${height}`,
      );}
  }
});
