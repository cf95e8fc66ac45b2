/**
 * A booking's receipt as a PDF (pdf-lib): who sold what to whom, each line
 * the renter paid (city fees marked as such), the total, every refund and
 * what was paid in the end.
 *
 * Kept small and quick by construction rather than by a timer: the
 * standard Helvetica fonts (nothing embedded), a fixed layout, at most
 * `MAX_LINES` price lines and `MAX_REFUNDS` refunds, every text cut to a
 * length; a receipt is a few kilobytes and takes milliseconds. Text the
 * fonts cannot draw (Helvetica's WinAnsi set) is replaced, never thrown on.
 */
import {
  PDFDocument,
  type PDFFont,
  type PDFPage,
  rgb,
  StandardFonts,
} from "pdf-lib";
import { formatDateLong, formatDayTime, formatTimeRange } from "../format.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { formatCents } from "../money.ts";
import { paidTotals } from "./earnings.ts";
import type { Booking } from "./schema.ts";

export const MAX_LINES = 50;
export const MAX_REFUNDS = 20;
const MAX_TEXT = 120;

export interface ReceiptInput {
  booking: Booking;
  kitchen: Pick<Kitchen, "title" | "timeZone">;
  /** The kitchen's full address on one line. */
  address: string;
  reference: string;
  /** The platform's name, as it appears on the card statement. */
  platformName: string;
  hostName: string;
  renterName: string;
  /** When the receipt is made (epoch ms): its issue date. */
  now: number;
}

/** "Prep-receipt-PRP-7K3Q-9D.pdf" */
export function receiptFileName(reference: string): string {
  return `Prep-receipt-${reference}.pdf`;
}

const PAGE = { width: 612, height: 792 }; // US Letter, in points
const MARGIN = 56;
const INK = rgb(0.11, 0.1, 0.09);
const MUTED = rgb(0.34, 0.33, 0.31);

/** The PDF bytes of a charged booking's receipt. */
export async function receiptPdf(input: ReceiptInput): Promise<Uint8Array> {
  const { booking: b, kitchen } = input;
  const doc = await PDFDocument.create();
  doc.setTitle(`Receipt ${input.reference}`);
  doc.setAuthor(input.platformName);
  doc.setCreator(input.platformName);
  doc.setProducer(input.platformName);
  doc.setCreationDate(new Date(input.now));
  doc.setModificationDate(new Date(input.now));
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const w = new Writer(doc, regular, bold);

  w.text(input.platformName, { size: 20, font: bold });
  w.text(`Receipt for booking ${input.reference}`, { size: 14 });
  w.text(`Issued ${issued(input.now, kitchen.timeZone)}`, { color: MUTED });
  w.gap();

  w.pair("Sold by", `${input.hostName} (the kitchen's host)`);
  w.pair("Through", `${input.platformName}, the booking platform`);
  w.pair("Billed to", input.renterName);
  w.gap();
  w.pair("Kitchen", kitchen.title);
  w.pair("Address", input.address);
  w.pair(
    "When",
    `${formatTimeRange(b.timeZone, b.start, b.end)} (${b.timeZone})`,
  );
  const charge = b.ledger.find((e) => e.kind === "charge");
  if (charge) {
    w.pair("Paid", formatDayTime(b.timeZone, charge.at));
  }
  w.gap();

  w.text("What you paid", { size: 13, font: bold });
  for (const line of b.quote.lines.slice(0, MAX_LINES)) {
    const label = line.to === "authority"
      ? `${line.label} (city fee, paid to the city)`
      : line.label;
    w.amount(label, formatCents(line.amountCents));
  }
  // A booking whose time changed was charged (or refunded) the difference:
  // the lines are the new time's, the totals what the card saw.
  for (const m of (b.moves ?? []).slice(0, MAX_REFUNDS)) {
    w.text(
      `Time changed on ${formatDateLong(localDate(m.at, b.timeZone))} from ${
        formatTimeRange(b.timeZone, m.fromStart, m.fromEnd)
      }${
        m.differenceCents > 0
          ? `: ${formatCents(m.differenceCents)} more charged`
          : m.differenceCents < 0
          ? `: ${formatCents(-m.differenceCents)} refunded`
          : ""
      }.`,
      { color: MUTED, size: 9 },
    );
  }
  const { chargedCents, refunds, paidAfterCents } = paidTotals(b);
  w.rule();
  w.amount("Total charged", formatCents(chargedCents), bold);

  if (refunds.length > 0) {
    w.gap();
    w.text("Refunds", { size: 13, font: bold });
    for (const r of refunds.slice(0, MAX_REFUNDS)) {
      w.amount(
        `Refund on ${formatDateLong(localDate(r.at, b.timeZone))}`,
        `-${formatCents(r.amountCents)}`,
      );
    }
    w.rule();
    w.amount("Paid after refunds", formatCents(paidAfterCents), bold);
  }
  if (b.cancellation) {
    w.gap();
    w.text(b.cancellation.explanation, { color: MUTED });
  }
  w.gap();
  w.text(
    b.payment.provider === "demo"
      ? "Demo payment: no card was charged for this booking."
      : `Paid by card through Stripe to ${input.platformName}, which pays the host.`,
    { color: MUTED, size: 9 },
  );
  return await doc.save({ useObjectStreams: true });
}

function issued(now: number, timeZone: string): string {
  return formatDateLong(localDate(now, timeZone));
}

function localDate(ms: number, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(
    timeZone,
  ).toPlainDate().toString();
}

/** Draws top to bottom, starting a new page when one is full. */
class Writer {
  #page: PDFPage;
  #y = PAGE.height - MARGIN;

  constructor(
    private doc: PDFDocument,
    private regular: PDFFont,
    private bold: PDFFont,
  ) {
    this.#page = doc.addPage([PAGE.width, PAGE.height]);
  }

  #room(height: number) {
    if (this.#y - height >= MARGIN) return;
    this.#page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.#y = PAGE.height - MARGIN;
  }

  text(
    value: string,
    opts: { size?: number; font?: PDFFont; color?: ReturnType<typeof rgb> } =
      {},
  ) {
    const size = opts.size ?? 11;
    const font = opts.font ?? this.regular;
    for (const line of wrap(drawable(value, font), font, size, this.#width)) {
      this.#room(size * 1.5);
      this.#y -= size * 1.3;
      this.#page.drawText(line, {
        x: MARGIN,
        y: this.#y,
        size,
        font,
        color: opts.color ?? INK,
      });
      this.#y -= size * 0.2;
    }
  }

  pair(label: string, value: string) {
    const size = 11;
    const indent = 90;
    const lines = wrap(
      drawable(value, this.regular),
      this.regular,
      size,
      this.#width - indent,
    );
    lines.forEach((line, i) => {
      this.#room(size * 1.5);
      this.#y -= size * 1.3;
      if (i === 0) {
        this.#page.drawText(label, {
          x: MARGIN,
          y: this.#y,
          size,
          font: this.bold,
          color: MUTED,
        });
      }
      this.#page.drawText(line, {
        x: MARGIN + indent,
        y: this.#y,
        size,
        font: this.regular,
        color: INK,
      });
      this.#y -= size * 0.2;
    });
  }

  amount(label: string, value: string, font = this.regular) {
    const size = 11;
    const valueWidth = font.widthOfTextAtSize(value, size);
    const lines = wrap(
      drawable(label, font),
      font,
      size,
      this.#width - valueWidth - 24,
    );
    lines.forEach((line, i) => {
      this.#room(size * 1.5);
      this.#y -= size * 1.3;
      this.#page.drawText(line, { x: MARGIN, y: this.#y, size, font });
      if (i === 0) {
        this.#page.drawText(value, {
          x: PAGE.width - MARGIN - valueWidth,
          y: this.#y,
          size,
          font,
        });
      }
      this.#y -= size * 0.2;
    });
  }

  rule() {
    this.#room(8);
    this.#y -= 4;
    this.#page.drawLine({
      start: { x: MARGIN, y: this.#y },
      end: { x: PAGE.width - MARGIN, y: this.#y },
      thickness: 0.5,
      color: MUTED,
    });
  }

  gap() {
    this.#y -= 10;
  }

  get #width() {
    return PAGE.width - 2 * MARGIN;
  }
}

/**
 * `value` cut to MAX_TEXT characters and limited to what `font` can draw:
 * typographic dashes and quotes are kept where WinAnsi has them, anything
 * else outside the font (emoji, other scripts) becomes "?".
 */
export function drawable(value: string, font: PDFFont): string {
  const chars = new Set(font.getCharacterSet());
  const out = [...value.normalize("NFC").replace(/\s+/g, " ")]
    .slice(0, MAX_TEXT)
    .map((c) => chars.has(c.codePointAt(0)!) ? c : "?")
    .join("");
  return [...value].length > MAX_TEXT ? `${out}…` : out;
}

/** Splits `text` into lines no wider than `width` at `size`, at spaces where it can. */
function wrap(
  text: string,
  font: PDFFont,
  size: number,
  width: number,
): string[] {
  const lines: string[] = [];
  let line = "";
  const fits = (t: string) => font.widthOfTextAtSize(t, size) <= width;
  // A word wider than the column (a long URL in a title) is cut where it must be.
  const words = text.split(" ").flatMap((word) => {
    if (fits(word)) return [word];
    const parts: string[] = [];
    let part = "";
    for (const c of word) {
      if (part && !fits(part + c)) {
        parts.push(part);
        part = "";
      }
      part += c;
    }
    return part ? [...parts, part] : parts;
  });
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (fits(next) || !line) {
      line = next;
      continue;
    }
    lines.push(line);
    line = word;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [""];
}
