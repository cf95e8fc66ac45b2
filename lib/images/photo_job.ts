/**
 * Re-encodes one checked photo (inspect.ts): decoded, resized to the large
 * and card sizes, turned upright, encoded as WebP. It runs in a worker
 * thread of its own (photo_worker.ts, started by `processPhoto` in
 * reencode.ts, one per photo, ended after it), so every codec's WebAssembly
 * heap goes with the thread and the server keeps none of a photo's memory
 * (reencode.ts says what a photo costs).
 *
 * JPEGs, nearly every upload, are decoded by libjpeg-turbo (@cwasm/jpeg-turbo,
 * its TurboJPEG functions compiled to WebAssembly), which scales by M/8 while
 * it decodes: a 25 MP photo comes out at 1875 × 1875 for a 1600 px large
 * size, never as the 100 MB bitmap MozJPEG (@jsquash/jpeg) could only give
 * whole, and is read in place in the decoder's heap rather than copied out.
 * PNG and WebP have no such scaling; their @jsquash decoders stay.
 */
import type { PhotoKind } from "./inspect.ts";
import { fitWithin, orient, release, resizeTo, scaleTo } from "./resize.ts";

export interface EncodedPhoto {
  bytes: Uint8Array;
  width: number;
  height: number;
}

export interface PhotoJob {
  /** The upload, checked by `inspectPhoto`; transferred. */
  bytes: Uint8Array<ArrayBuffer>;
  kind: PhotoKind;
  /** As `inspectPhoto` read them: the decoder must find the same. */
  width: number;
  height: number;
  orientation: number;
  largeEdge: number;
  cardEdge: number;
  quality: number;
}

export type PhotoReport =
  | { step: "encoded"; large: EncodedPhoto; card: EncodedPhoto }
  /** The photo did not decode: its data is damaged. */
  | { step: "damaged" }
  | { step: "failed" };

/**
 * The photo's two sizes, or `damaged` when it does not decode. `loaded` is
 * called once the codecs are in, so the worker's time limit for the photo
 * covers only the work the photo decides.
 */
export async function reencodePhoto(
  job: PhotoJob,
  loaded: () => void,
): Promise<{ report: PhotoReport; transfer?: ArrayBuffer[] }> {
  const [decoder, { default: encodeWebp, init }] = await Promise.all([
    loadDecoder(job.kind),
    import("@jsquash/webp/encode.js"),
  ]);
  await init();
  loaded();
  // Sizes come from the stored width and height; turning the photo upright
  // swaps them, and fitting a square box does not care which is which.
  const target = fitWithin(job.width, job.height, job.largeEdge);
  let source: ImageData;
  try {
    source = await decoder(job, target);
  } catch {
    return { report: { step: "damaged" } };
  }
  const sized = resizeTo(source, target.width, target.height);
  if (sized !== source) release(source);
  const large = orient(sized, job.orientation);
  if (large !== sized) release(sized);
  const encode = async (image: ImageData): Promise<EncodedPhoto> => ({
    bytes: new Uint8Array(
      await encodeWebp(image, { quality: job.quality }),
    ),
    width: image.width,
    height: image.height,
  });
  const largeOut = await encode(large);
  const card = scaleTo(large, job.cardEdge);
  const cardOut = await encode(card);
  return {
    report: { step: "encoded", large: largeOut, card: cardOut },
    transfer: [largeOut.bytes.buffer, cardOut.bytes.buffer] as ArrayBuffer[],
  };
}

type Decoder = (
  job: PhotoJob,
  target: { width: number; height: number },
) => Promise<ImageData>;

/** The decoder for `kind`, loaded (and its WebAssembly compiled). */
async function loadDecoder(kind: PhotoKind): Promise<Decoder> {
  if (kind === "jpeg") {
    const url = new URL(
      import.meta.resolve("@cwasm/jpeg-turbo/jpeg-turbo.wasm"),
    );
    const module = await WebAssembly.compile(await Deno.readFile(url));
    return (job, target) => Promise.resolve(decodeJpeg(module, job, target));
  }
  const { default: decode, init } = kind === "png"
    ? await import("@jsquash/png/decode.js")
    : await import("@jsquash/webp/decode.js");
  await init();
  return async (job) => {
    const image = await decode(job.bytes.buffer);
    if (!image || image.width !== job.width || image.height !== job.height) {
      throw new Error("not the size its header said");
    }
    flattenOnWhite(image);
    return image;
  };
}

/** TurboJPEG's pixel format for 8-bit R, G, B, A. */
const TJPF_RGBA = 7;

interface TurboJpeg {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  tjInitDecompress(): number;
  tjDecompressHeader3(
    handle: number,
    src: number,
    size: number,
    width: number,
    height: number,
    subsampling: number,
    colorspace: number,
  ): number;
  tjDecompress2(
    handle: number,
    src: number,
    size: number,
    dst: number,
    width: number,
    pitch: number,
    height: number,
    format: number,
    flags: number,
  ): number;
}

/**
 * Decodes at the smallest M/8 (M = 1…8) that still covers `target`, and
 * returns the pixels where libjpeg-turbo wrote them, in its own heap: the
 * thread ends after this photo, so nothing is freed or copied out.
 */
function decodeJpeg(
  module: WebAssembly.Module,
  job: PhotoJob,
  target: { width: number; height: number },
): ImageData {
  const refuse = () => {
    throw new Error("libjpeg-turbo refused the file");
  };
  const instance = new WebAssembly.Instance(module, {
    // libjpeg-turbo reports a fatal error by longjmp to the setjmp of the
    // call that met it; the build has neither, so the error ends the call
    // as an exception, and the heap it leaves goes with the thread.
    env: { setjmp: () => 0, longjmp: refuse },
    wasi_snapshot_preview1: {
      environ_sizes_get: () => 0,
      environ_get: () => 0,
      proc_exit: refuse,
      fd_close: refuse,
      fd_seek: refuse,
      fd_write: refuse,
    },
  });
  const tj = instance.exports as unknown as TurboJpeg;
  const size = job.bytes.length;
  const src = tj.malloc(size);
  const handle = tj.tjInitDecompress();
  const header = tj.malloc(16);
  if (!src || !handle || !header) refuse();
  new Uint8Array(tj.memory.buffer, src, size).set(job.bytes);
  // The upload is in the decoder's heap now: its 10 MB here can go.
  job.bytes.buffer.transfer(0);
  if (
    tj.tjDecompressHeader3(
      handle,
      src,
      size,
      header,
      header + 4,
      header + 8,
      header + 12,
    ) !== 0
  ) refuse();
  const [width, height] = new Int32Array(tj.memory.buffer, header, 2);
  // The pixel cap was checked on the frame header inspect.ts read; a file
  // whose decoder sees another size (two frame headers) gets no further.
  if (width !== job.width || height !== job.height) refuse();
  let m = 1;
  while (
    m < 8 &&
    (Math.ceil(width * m / 8) < target.width ||
      Math.ceil(height * m / 8) < target.height)
  ) m++;
  const scaledWidth = Math.ceil(width * m / 8);
  const scaledHeight = Math.ceil(height * m / 8);
  const dst = tj.malloc(scaledWidth * scaledHeight * 4);
  if (!dst) refuse();
  if (
    tj.tjDecompress2(
      handle,
      src,
      size,
      dst,
      scaledWidth,
      0,
      scaledHeight,
      TJPF_RGBA,
      0,
    ) !== 0
  ) refuse();
  return new ImageData(
    new Uint8ClampedArray(
      tj.memory.buffer,
      dst,
      scaledWidth * scaledHeight * 4,
    ),
    scaledWidth,
    scaledHeight,
  );
}

/**
 * Transparent pixels (PNG, WebP) are laid on white: a listing photo has no
 * use for transparency, and the resampling then ignores alpha.
 */
function flattenOnWhite(image: ImageData): void {
  const d = image.data;
  for (let i = 3; i < d.length; i += 4) {
    const a = d[i];
    if (a === 255) continue;
    const white = 255 - a;
    d[i - 3] = (d[i - 3] * a + 255 * white) / 255;
    d[i - 2] = (d[i - 2] * a + 255 * white) / 255;
    d[i - 1] = (d[i - 1] * a + 255 * white) / 255;
    d[i] = 255;
  }
}
