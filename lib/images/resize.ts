/**
 * Resizing decoded bitmaps, in plain JS buffers that are freed afterwards
 * (see `scaleTo` for why not a WebAssembly resizer).
 */

/** The size within `edge` × `edge` that keeps the aspect ratio; never larger. */
export function fitWithin(
  width: number,
  height: number,
  edge: number,
): { width: number; height: number } {
  const scale = Math.min(1, edge / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * Scales `image` to fit within `edge`: first by a whole factor, averaging
 * k × k blocks, then Lanczos3 to the exact size.
 *
 * Why not @jsquash/resize: its Lanczos3 keeps float copies of the whole
 * image in its WebAssembly heap, which never shrinks: +116 MB held for good
 * after one 3199 × 2399 resize (+150 MB in linear light for 2000 × 1500).
 * These two passes allocate only JS buffers that are freed afterwards.
 */
export function scaleTo(image: ImageData, edge: number): ImageData {
  const target = fitWithin(image.width, image.height, edge);
  return resizeTo(image, target.width, target.height);
}

/**
 * `image` at exactly `width` × `height` (no larger than it is), by whole
 * blocks and then Lanczos3 as `scaleTo` says; `image` itself when it is
 * that size already.
 */
export function resizeTo(
  image: ImageData,
  width: number,
  height: number,
): ImageData {
  if (width === image.width && height === image.height) return image;
  const factor = Math.floor(
    Math.min(image.width / width, image.height / height),
  );
  const source = factor >= 2 ? shrinkByBlocks(image, factor) : image;
  if (source.width === width && source.height === height) return source;
  const scaled = lanczos3(source, width, height);
  if (source !== image) release(source);
  return scaled;
}

/**
 * `image` turned upright by an EXIF orientation (1–8): 2 mirrors it, 3
 * turns it half round, 4 flips it, 5 transposes it, 6 turns it a quarter
 * clockwise, 7 transverses it, 8 turns it a quarter anticlockwise. Done on
 * the resized photo, so the copy it makes is small.
 */
export function orient(image: ImageData, orientation: number): ImageData {
  if (orientation < 2 || orientation > 8) return image;
  const { width: w, height: h } = image;
  const swap = orientation >= 5;
  const width = swap ? h : w;
  const height = swap ? w : h;
  const src = new Uint32Array(
    image.data.buffer,
    image.data.byteOffset,
    w * h,
  );
  const out = new Uint32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sx = x, sy = y;
      switch (orientation) {
        case 2:
          sx = w - 1 - x;
          break;
        case 3:
          sx = w - 1 - x;
          sy = h - 1 - y;
          break;
        case 4:
          sy = h - 1 - y;
          break;
        case 5:
          sx = y;
          sy = x;
          break;
        case 6:
          sx = y;
          sy = h - 1 - x;
          break;
        case 7:
          sx = w - 1 - y;
          sy = h - 1 - x;
          break;
        case 8:
          sx = w - 1 - y;
          sy = x;
          break;
      }
      out[y * width + x] = src[sy * w + sx];
    }
  }
  return new ImageData(
    new Uint8ClampedArray(out.buffer),
    width,
    height,
  );
}

/**
 * Averages k × k pixel blocks (colour only: alpha is opaque by now); the
 * last (width mod k) columns and rows are dropped.
 */
export function shrinkByBlocks(image: ImageData, k: number): ImageData {
  const width = Math.floor(image.width / k);
  const height = Math.floor(image.height / k);
  const src = image.data;
  const out = new Uint8ClampedArray(width * height * 4);
  const sums = new Uint32Array(width * 3);
  const area = k * k;
  for (let y = 0; y < height; y++) {
    sums.fill(0);
    for (let dy = 0; dy < k; dy++) {
      let s = (y * k + dy) * image.width * 4;
      for (let x = 0; x < width; x++) {
        let r = 0, g = 0, b = 0;
        for (let dx = 0; dx < k; dx++, s += 4) {
          r += src[s];
          g += src[s + 1];
          b += src[s + 2];
        }
        sums[x * 3] += r;
        sums[x * 3 + 1] += g;
        sums[x * 3 + 2] += b;
      }
    }
    let o = y * width * 4;
    for (let i = 0; i < sums.length; i += 3, o += 4) {
      out[o] = sums[i] / area;
      out[o + 1] = sums[i + 1] / area;
      out[o + 2] = sums[i + 2] / area;
      out[o + 3] = 255;
    }
  }
  return new ImageData(out, width, height);
}

const sinc = (x: number) => x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
const lanczosKernel = (x: number) =>
  Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0;

/** Per output sample: the first source sample and normalised weights. */
function lanczosWeights(from: number, to: number) {
  const scale = Math.max(1, from / to);
  const support = 3 * scale;
  const taps = Math.ceil(support) * 2 + 2;
  const start = new Int32Array(to);
  const count = new Int32Array(to);
  const weights = new Float32Array(to * taps);
  for (let i = 0; i < to; i++) {
    const center = (i + 0.5) * (from / to);
    const lo = Math.max(0, Math.floor(center - support));
    const hi = Math.min(from, Math.ceil(center + support));
    const n = Math.min(taps, hi - lo);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const w = lanczosKernel((lo + k + 0.5 - center) / scale);
      weights[i * taps + k] = w;
      sum += w;
    }
    for (let k = 0; k < n; k++) weights[i * taps + k] /= sum;
    start[i] = lo;
    count[i] = n;
  }
  return { start, count, weights, taps };
}

/**
 * Separable Lanczos3 (rows, then columns) of an opaque image, to a smaller
 * size. Each source row is filtered once, when the first output row needs
 * it, into a ring of as many rows as the column filter spans: the rows
 * pass never holds the whole image (36 MB of floats for 1875 → 1600 px).
 */
function lanczos3(image: ImageData, width: number, height: number): ImageData {
  const src = image.data;
  const h = lanczosWeights(image.width, width);
  const v = lanczosWeights(image.height, height);
  const stride = width * 3;
  const ring = new Float32Array(v.taps * stride);
  let next = 0; // the next source row to filter
  const filterRow = (y: number) => {
    const row = y * image.width * 4;
    let o = (y % v.taps) * stride;
    for (let x = 0; x < width; x++, o += 3) {
      let r = 0, g = 0, b = 0;
      const first = h.start[x];
      const wo = x * h.taps;
      for (let k = 0; k < h.count[x]; k++) {
        const w = h.weights[wo + k];
        const p = row + (first + k) * 4;
        r += w * src[p];
        g += w * src[p + 1];
        b += w * src[p + 2];
      }
      ring[o] = r;
      ring[o + 1] = g;
      ring[o + 2] = b;
    }
  };
  const out = new Uint8ClampedArray(width * height * 4);
  const acc = new Float32Array(stride);
  for (let y = 0; y < height; y++) {
    const first = v.start[y];
    for (; next < first + v.count[y]; next++) filterRow(next);
    acc.fill(0);
    for (let k = 0; k < v.count[y]; k++) {
      const w = v.weights[y * v.taps + k];
      const row = ((first + k) % v.taps) * stride;
      for (let i = 0; i < acc.length; i++) acc[i] += w * ring[row + i];
    }
    let o = y * width * 4;
    for (let i = 0; i < acc.length; i += 3, o += 4) {
      out[o] = acc[i]; // Uint8ClampedArray rounds and clamps the lobes
      out[o + 1] = acc[i + 1];
      out[o + 2] = acc[i + 2];
      out[o + 3] = 255;
    }
  }
  return new ImageData(out, width, height);
}

/**
 * Frees a bitmap's memory now. A bitmap's buffer is external to V8's heap,
 * and with little else allocated V8 may not collect for several photos
 * (measured: 300 MB of dead bitmaps after eight in a row); an ArrayBuffer
 * transferred to length 0 releases its memory at once.
 */
export function release(image: ImageData): void {
  try {
    const buffer = image.data.buffer;
    if (buffer instanceof ArrayBuffer && !buffer.detached) buffer.transfer(0);
  } catch {
    // Not ours to free (a view on a WebAssembly heap): the GC will do.
  }
}
