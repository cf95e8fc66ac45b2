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
