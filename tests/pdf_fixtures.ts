/**
 * Real PDFs for the prefill tests, written by pdf-lib (a test-only
 * dependency): text PDFs laid out like printed certificates, and a "scan"
 * that is only an image.
 */
import { PDFDocument, StandardFonts } from "pdf-lib";
import encodePng from "@jsquash/png/encode.js";

const PAGE: [number, number] = [612, 792];
const LINES_PER_PAGE = 44;

/**
 * A PDF with one line of text per entry, 44 to a page. A tab splits a line
 * into columns drawn apart, as on a form ("EACH OCCURRENCE\t$1,000,000"), so
 * the text comes back the way certificate tables do.
 */
export async function makePdf(lines: string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.setTitle("Test certificate");
  let page = doc.addPage(PAGE);
  lines.forEach((line, i) => {
    if (i > 0 && i % LINES_PER_PAGE === 0) page = doc.addPage(PAGE);
    const y = PAGE[1] - 50 - (i % LINES_PER_PAGE) * 16;
    line.split("\t").forEach((cell, col) => {
      if (cell) page.drawText(cell, { x: 50 + col * 250, y, size: 10, font });
    });
  });
  return await doc.save();
}

/**
 * A text certificate of about `size` bytes: its one line of text, then a
 * comment of spaces in the same content stream, as big files of few pages
 * are (a scanner's or a designer's). Nothing in it inflates or decodes.
 */
export function makeLargePdf(line: string, size: number): Uint8Array {
  const text = `BT /F1 12 Tf 72 720 Td (${line}) Tj ET\n%`;
  const content = new Uint8Array(size).fill(0x20);
  content.set(latin1(text));
  content[size - 1] = 0x0a;
  return assemblePdf([
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R " +
    "/Resources << /Font << /F1 5 0 R >> >> >>",
    { dict: `<< /Length ${content.length} >>`, data: content },
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ]);
}

/** A scanned certificate: one page that is a picture, with no text layer. */
export async function makeScannedPdf(): Promise<Uint8Array> {
  const width = 120, height = 160;
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < pixels.length; i += 4) {
    const dark = (i / 4) % width < 60 && Math.floor(i / 4 / width) % 9 < 2;
    pixels.fill(dark ? 30 : 245, i, i + 3);
    pixels[i + 3] = 255;
  }
  const png = await encodePng(new ImageData(pixels, width, height));
  const doc = await PDFDocument.create();
  const image = await doc.embedPng(new Uint8Array(png));
  doc.addPage(PAGE).drawImage(image, {
    x: 0,
    y: 0,
    width: PAGE[0],
    height: PAGE[1],
  });
  return await doc.save();
}

// ---------------------------------------------------------------------------
// Hostile PDFs, assembled by hand (pdf-lib writes only well-behaved ones)

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const MiB = 1024 * 1024;

/** `size` zero bytes through zlib, made a MiB at a time so the zeros never sit in memory. */
export async function deflateZeros(size: number): Promise<Uint8Array> {
  const chunk = new Uint8Array(Math.min(size, 1 << 20));
  const zeros = new ReadableStream<BufferSource>({
    pull(controller) {
      const n = Math.min(chunk.length, size);
      if (n === 0) return controller.close();
      controller.enqueue(n === chunk.length ? chunk : chunk.subarray(0, n));
      size -= n;
    },
  });
  return await deflateStream(zeros);
}

/** `bytes` through zlib, as a PDF's FlateDecode expects. */
export async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  return await deflateStream(
    new Blob([bytes as BufferSource]).stream() as ReadableStream<BufferSource>,
  );
}

async function deflateStream(
  input: ReadableStream<BufferSource>,
): Promise<Uint8Array> {
  return await new Response(
    input.pipeThrough(new CompressionStream("deflate")),
  ).bytes();
}

/** A PDF object: its dict or value, and the data of its stream if it is one. */
export type RawObject = string | { dict: string; data: Uint8Array };

/**
 * A PDF of `objects` (numbered from 1; object 1 is the catalog) with a
 * correct xref table. `trailer` adds entries to the trailer dict.
 */
export function assemblePdf(objects: RawObject[], trailer = ""): Uint8Array {
  const parts: Uint8Array[] = [latin1("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")];
  let length = parts[0].length;
  const offsets: number[] = [];
  const push = (part: Uint8Array) => {
    parts.push(part);
    length += part.length;
  };
  objects.forEach((o, i) => {
    offsets.push(length);
    if (typeof o === "string") {
      push(latin1(`${i + 1} 0 obj\n${o}\nendobj\n`));
    } else {
      push(latin1(`${i + 1} 0 obj\n${o.dict}\nstream\n`));
      push(o.data);
      push(latin1("\nendstream\nendobj\n"));
    }
  });
  push(latin1(
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
      offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("") +
      `trailer\n<< /Size ${
        objects.length + 1
      } /Root 1 0 R ${trailer}>>\nstartxref\n${length}\n%%EOF\n`,
  ));
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A catalog and one page whose content is object 4 (which the caller adds). */
export const ONE_PAGE: RawObject[] = [
  "<< /Type /Catalog /Pages 2 0 R >>",
  "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
  "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
];

/**
 * The decompression bomb of issue 15: one page whose content stream is
 * `inflated` zero bytes through FlateDecode (1 GiB makes a 1 MB file).
 */
export async function makePdfBomb(inflated: number): Promise<Uint8Array> {
  const data = await deflateZeros(inflated);
  return assemblePdf([
    ...ONE_PAGE,
    { dict: `<< /Length ${data.length} /Filter /FlateDecode >>`, data },
  ]);
}

/**
 * PDFs built to cost a reader memory or time, each a few hundred KB at
 * most, named for reports: what the fuzz test uploads, and what the budget
 * check must refuse or survive.
 */
export async function hostilePdfs(): Promise<[string, Uint8Array][]> {
  const zeros = await deflateZeros(256 * MiB);
  const hidden = latin1("5 0 obj\n<< /Filter /FlateDecode >>\nstream\n");
  const flate = (data: Uint8Array, dict = "/Filter /FlateDecode") => ({
    dict: `<< /Length ${data.length} ${dict} >>`,
    data,
  });
  const page = (...more: RawObject[]) => assemblePdf([...ONE_PAGE, ...more]);
  const tinyText = await deflate(
    new TextEncoder().encode("BT /F1 1 Tf (a) Tj ET\n".repeat(350_000)),
  );
  return [
    ["Flate bomb: 1 GiB of zeros in 1 MB", await makePdfBomb(1024 * MiB)],
    [
      "Flate inside Flate: 256 MiB in 1 KB",
      page(flate(await deflate(zeros), "/Filter [/FlateDecode /FlateDecode]")),
    ],
    [
      "object stream of 256 MiB",
      page(
        flate(latin1("")),
        flate(zeros, "/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode"),
      ),
    ],
    [
      "ASCIIHex around a Flate bomb",
      page(flate(
        latin1(
          [...zeros].map((b) => b.toString(16).padStart(2, "0")).join("") + ">",
        ),
        "/Filter [/AHx /Fl]",
      )),
    ],
    [
      "a /Length that hides a bomb in another stream",
      page({
        dict: `<< /Length ${hidden.length + zeros.length} >>`,
        data: new Uint8Array([...hidden, ...zeros]),
      }),
    ],
    [
      "a PNG predictor 200 MB wide",
      page(
        flate(
          await deflate(latin1("x")),
          "/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 50000000 /Colors 4 >>",
        ),
      ),
    ],
    [
      "7.3 MiB of one-letter text operators, under the byte budget",
      page(flate(tinyText)),
    ],
    [
      "a JPEG header claiming 65000 × 65000, as page content",
      page({
        dict: "<< /Filter /DCTDecode /Subtype /Image >>",
        data: Uint8Array.from([
          0xff,
          0xd8,
          0xff,
          0xc0,
          0,
          11,
          8,
          0xfd,
          0xe8,
          0xfd,
          0xe8,
          1,
          1,
          0x11,
          0,
          0xff,
          0xd9,
        ]),
      }),
    ],
    [
      "encrypted",
      assemblePdf(
        [...ONE_PAGE, "<< /Filter /Standard /V 1 /R 2 >>"],
        "/Encrypt 4 0 R /ID [<00> <00>] ",
      ),
    ],
    [
      "LZW",
      page({
        dict: "<< /Filter /LZWDecode >>",
        data: latin1("\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01"),
      }),
    ],
    [
      "a filter given by reference",
      page({ dict: "<< /Filter 5 0 R >>", data: zeros }, "/FlateDecode"),
    ],
  ];
}
