/**
 * Prefill for the upload form (issue 10 §1): the dates, numbers, limits and
 * names printed on a text-based PDF, read so the uploader only confirms or
 * corrects them. Scanned PDFs and photos carry no text layer, so they get
 * nothing and the uploader types every field. A PDF that fails to parse, or
 * that would cost more than its budget to read (issue 15 §1: a small file
 * can inflate to gigabytes), is not read and the uploader is told so; the
 * upload goes on either way.
 *
 * Extraction (`prefillFromPdf`) is the only IO; what the text means
 * (`parseDocumentText`) is pure and table-tested. Every value is written in
 * the form's own format ("2027-12-31", "1,000,000", "pass") so it passes the
 * form's validation unchanged when it is right.
 */
import { logError, logWarn } from "../log.ts";
import { runWorkerJob, type WorkerFailure, workerTurn } from "../worker_job.ts";
import { normaliseText, textProblem } from "../text.ts";
import { FEDERAL_SCOPE_IDS, FEDERAL_SCOPES } from "./certifiers.ts";
import { CERTIFICATION_BODIES } from "./certifiers.ts";
import { blankNames, checkPdfBudget, type PdfRefusal } from "./pdf_budget.ts";
import type { PdfTextJob, PdfTextReport } from "./pdf_text_worker.ts";
import { RULE_PACKS } from "./rules.ts";
import {
  type DocumentKind,
  extractedFieldsOf,
  isFederalCertificateKind,
} from "./schema.ts";

/**
 * Upload-form fields a PDF can fill in, named as the form names them.
 * `certification.scope` is not a form field (the kind decides the scope); it
 * is read so the page can warn when the PDF looks like another scope.
 */
export const PREFILL_FIELDS = [
  "number",
  "authority",
  "issueDate",
  "expiryDate",
  "insurance.perOccurrenceCents",
  "insurance.aggregateCents",
  "insurance.namedInsured",
  "insurance.additionalInsured",
  "inspection.date",
  "inspection.score",
  "inspection.passed",
  "greaseService.date",
  "certification.body",
  "certification.scope",
] as const;
export type PrefillField = typeof PREFILL_FIELDS[number];

/** What was read, by form field, in the form's input format. */
export type Prefill = Partial<Record<PrefillField, string>>;

/** The fields are on the first pages; a long PDF is not read past them. */
const MAX_PAGES = 3;
const MAX_TEXT_CHARS = 200_000;
/**
 * What reading one PDF may cost (issue 15 §1). First `checkPdfBudget`, on
 * this thread, with pauses: the file's streams may decode to at most
 * PDF_LIMITS' bytes, within its time. Then pdf.js, in a worker thread of
 * its own: READ_TIMEOUT_MS for its work on the file (loading pdf.js, which
 * no file can slow down, has LOAD_TIMEOUT_MS), a heap of WORKER_HEAP_MB.
 * Its worker takes one unit of the server's worker turns (lib/worker_job.ts:
 * two files are read at once, a photo or a page drawing runs alone); a file
 * that waits longer than QUEUE_TIMEOUT_MS for its turn, or finds
 * MAX_WAITING ahead of it, is not read.
 */
const READ_TIMEOUT_MS = 3_000;
const LOAD_TIMEOUT_MS = 10_000;
const WORKER_HEAP_MB = 64;
const MAX_WAITING = 16;
const QUEUE_TIMEOUT_MS = 5_000;

/** Why a PDF's text was not read: a budget of pdf_budget.ts, or one of the worker's. */
export type PdfUnread = PdfRefusal | "memory" | "unreadable" | "busy";

export type PdfText = { ok: true; text: string } | {
  ok: false;
  unread: PdfUnread;
};

/** A PDF's fields, and why none were read when the PDF itself was not. */
export interface PdfPrefill {
  fields: Prefill;
  /** Null when the PDF was read (a scan reads as no text, and no fields). */
  unread: PdfUnread | null;
}

/**
 * The fields a text-based PDF fills in for a document of `kind`. A PDF
 * without text (a scan) gives no fields; one that is damaged, or over a
 * budget, gives no fields and the reason.
 */
export async function prefillFromPdf(
  bytes: Uint8Array,
  kind: DocumentKind,
): Promise<PdfPrefill> {
  const read = await pdfText(bytes);
  if (!read.ok) {
    logWarn(`PDF prefill skipped (${read.unread}): ${bytes.length} bytes`);
    return { fields: {}, unread: read.unread };
  }
  return { fields: parseDocumentText(read.text, kind), unread: null };
}

/** The PDF's text, page by page, read within the budgets above. */
export async function pdfText(bytes: Uint8Array): Promise<PdfText> {
  const release = await readerSlot();
  if (!release) return { ok: false, unread: "busy" };
  try {
    const check = await checkPdfBudget(bytes).catch((err) => {
      // A fault in the check must not fail the upload; the file goes unread.
      logError("PDF budget check failed", err);
      return null;
    });
    if (!check) return { ok: false, unread: "unreadable" };
    if (!check.ok) return { ok: false, unread: check.refusal };
    // pdf.js may keep the buffer it is given, and the caller's stays as it was.
    const copy = bytes.slice();
    blankNames(copy, check.filterNamesToBlank);
    return await readInWorker(copy);
  } finally {
    release();
  }
}

/** pdf.js on `bytes` (handed over: the caller must not use them after). */
async function readInWorker(bytes: Uint8Array<ArrayBuffer>): Promise<PdfText> {
  const job: PdfTextJob = {
    bytes,
    maxPages: MAX_PAGES,
    maxChars: MAX_TEXT_CHARS,
  };
  const outcome = await runWorkerJob<PdfTextReport>(
    new URL("./pdf_text_worker.ts", import.meta.url),
    job,
    [bytes.buffer],
    {
      heapMb: WORKER_HEAP_MB,
      startMs: LOAD_TIMEOUT_MS,
      loadMs: LOAD_TIMEOUT_MS,
      workMs: READ_TIMEOUT_MS,
    },
  );
  if (!outcome.ok) return { ok: false, unread: unreadFor(outcome.failure) };
  return outcome.report.step === "read"
    ? { ok: true, text: outcome.report.text }
    : { ok: false, unread: "unreadable" };
}

/**
 * Why a PDF worker gave no answer, as the uploader and staff are told it.
 * A host without worker threads cannot keep pdf.js's limits, so it reads
 * nothing.
 */
export function unreadFor(failure: WorkerFailure): PdfUnread {
  return failure === "time" || failure === "memory" ? failure : "unreadable";
}

/**
 * A turn for a PDF worker of `units` (reading text here: 1; drawing a page
 * in pdf_preview.ts: 2), or null when the line is full or the wait too long.
 */
export function readerSlot(units: 1 | 2 = 1): Promise<(() => void) | null> {
  return workerTurn({
    units,
    maxWaiting: MAX_WAITING,
    timeoutMs: QUEUE_TIMEOUT_MS,
  });
}

// ---------------------------------------------------------------------------
// Reading the text

/** Field limits of the upload form (schema.ts), so a prefill never fails them. */
const MAX_CHARS = {
  number: 100,
  authority: 200,
  name: 300,
  body: 200,
} as const;

/**
 * What the text of a document of `kind` says, as upload-form values. Pure.
 * Labels are matched case-insensitively; a label alone on its line takes
 * its value from the next line (tables and forms often print it there).
 *
 * @example
 * parseDocumentText("Certificate No. FH-12345\nExpiration Date: 12/31/2027", "food_handler_card")
 * // { number: "FH-12345", expiryDate: "2027-12-31" }
 */
export function parseDocumentText(text: string, kind: DocumentKind): Prefill {
  const lines = toLines(text);
  if (lines.length === 0) return {};
  const out: Prefill = {};
  const group = extractedFieldsOf(kind);
  const insuranceLike = kind === "liability_insurance" ||
    kind === "workers_comp";

  const number = findNumber(lines, insuranceLike);
  if (number) out.number = number;

  const dates = findValidity(lines);
  if (dates.issue) out.issueDate = dates.issue;
  if (dates.expiry) out.expiryDate = dates.expiry;

  if (group === "certification" && isFederalCertificateKind(kind)) {
    const body = findCertificationBody(lines);
    if (body) {
      out["certification.body"] = body;
      out.authority = body;
    }
    const scope = findScope(lines);
    if (scope) out["certification.scope"] = scope;
  }
  if (!out.authority) {
    const authority = findAuthority(lines, insuranceLike);
    if (authority) out.authority = authority;
  }

  if (group === "insurance") {
    const each = valueAfter(lines, OCCURRENCE_LABEL, firstAmount);
    const all = valueAfter(lines, AGGREGATE_LABEL, firstAmount);
    if (each) out["insurance.perOccurrenceCents"] = each;
    if (all) out["insurance.aggregateCents"] = all;
    const named = valueAfter(lines, NAMED_INSURED_LABEL, nameValue);
    if (named) out["insurance.namedInsured"] = named;
    const additional = findAdditionalInsured(lines);
    if (additional) out["insurance.additionalInsured"] = additional;
  } else if (group === "inspection") {
    const date = valueAfter(lines, INSPECTION_DATE_LABEL, firstDate);
    if (date) {
      out["inspection.date"] = date;
      out.issueDate ??= date;
    }
    const score = findScore(lines);
    if (score) out["inspection.score"] = score;
    const passed = findResult(lines);
    if (passed) out["inspection.passed"] = passed;
  } else if (group === "greaseService") {
    const date = valueAfter(lines, SERVICE_DATE_LABEL, firstDate);
    if (date) {
      out["greaseService.date"] = date;
      out.issueDate ??= date;
    }
  }
  if (out.issueDate && out.expiryDate && out.expiryDate < out.issueDate) {
    // Read the wrong way round, or two unrelated dates: let the person say.
    delete out.issueDate;
    delete out.expiryDate;
  }
  return out;
}

function toLines(text: string): string[] {
  return text.slice(0, MAX_TEXT_CHARS).normalize("NFC").split(/\r\n?|\n/)
    .map((l) => l.replace(/[\s\u00a0]+/g, " ").trim())
    .filter((l) => l.length > 0);
}

type Extract = (rest: string) => string | null;

/** A label followed only by punctuation: its value is on the next line. */
const LABEL_ONLY = /^[\s:#.\-–—()]*$/;

/**
 * The first value `extract` finds after a match of `label`, on the same
 * line or, when the label ends its line, on the next.
 */
function valueAfter(
  lines: readonly string[],
  label: RegExp,
  extract: Extract,
): string | null {
  const re = new RegExp(label.source, label.flags.replace("g", "") + "g");
  for (let i = 0; i < lines.length; i++) {
    for (const m of lines[i].matchAll(re)) {
      const rest = lines[i].slice(m.index + m[0].length);
      const value = extract(rest);
      if (value) return value;
      if (LABEL_ONLY.test(rest) && i + 1 < lines.length) {
        const next = extract(lines[i + 1]);
        if (next) return next;
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// Dates

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const MONTH_WORD =
  "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?";

interface DateFormat {
  re: RegExp;
  parts: (m: RegExpExecArray) => [year: number, month: number, day: number];
}

const year = (y: string) => y.length === 2 ? 2000 + Number(y) : Number(y);
const month = (w: string) =>
  MONTHS[w.toLowerCase().replace(".", "")] ??
    MONTHS[w.toLowerCase().slice(0, 3)];

/** US documents write numeric dates month first: 12/31/2027. */
const DATE_FORMATS: DateFormat[] = [
  {
    re: /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g,
    parts: (m) => [Number(m[1]), Number(m[2]), Number(m[3])],
  },
  {
    re: /\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b/g,
    parts: (m) => [year(m[3]), Number(m[1]), Number(m[2])],
  },
  {
    re: new RegExp(
      `\\b${MONTH_WORD}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`,
      "gi",
    ),
    parts: (m) => [Number(m[3]), month(m[1]), Number(m[2])],
  },
  {
    re: new RegExp(
      `\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH_WORD},?\\s+(\\d{4})\\b`,
      "gi",
    ),
    parts: (m) => [Number(m[3]), month(m[2]), Number(m[1])],
  },
];

/** Every real calendar date in `s`, in order of position, as "YYYY-MM-DD". */
export function datesIn(s: string): string[] {
  const found: { from: number; to: number; iso: string }[] = [];
  for (const format of DATE_FORMATS) {
    for (const m of s.matchAll(format.re)) {
      const iso = isoDate(...format.parts(m as RegExpExecArray));
      const from = m.index, to = m.index + m[0].length;
      if (iso && !found.some((f) => f.from < to && from < f.to)) {
        found.push({ from, to, iso });
      }
    }
  }
  return found.sort((a, b) => a.from - b.from).map((f) => f.iso);
}

function isoDate(y: number, m: number, d: number): string | null {
  if (!(y >= 1990 && y <= 2100) || !m) return null;
  try {
    return Temporal.PlainDate.from({ year: y, month: m, day: d }, {
      overflow: "reject",
    }).toString();
  } catch {
    return null;
  }
}

const firstDate: Extract = (rest) => datesIn(rest)[0] ?? null;

const ISSUE_LABEL =
  /\b(?:date of issue|issue date|issued on|date issued|issued|effective date|effective|eff\.? date|valid from|certification date|date certified|date of certification|policy eff(?:ective)?(?: date)?)\b/i;
const EXPIRY_LABEL =
  /\b(?:expiration date|expiry date|date of expiration|expiration|expiry|expires on|expires|expiring|exp\.? date|valid until|valid through|valid thru|good through|good until|good thru|policy exp(?:iration)?(?: date)?)\b/i;
/** "Policy period: 01/01/2027 to 01/01/2028". */
const PERIOD_LABEL =
  /\b(?:policy period|coverage period|period of coverage|term|valid)\b/i;

function findValidity(
  lines: readonly string[],
): { issue?: string; expiry?: string } {
  const table = headerRow(lines);
  if (table) {
    const [issue, expiry] = table.split("/");
    return { issue, expiry };
  }
  const issue = valueAfter(lines, ISSUE_LABEL, firstDate) ?? undefined;
  const expiry = valueAfter(lines, EXPIRY_LABEL, firstDate) ?? undefined;
  if (issue && expiry) return { issue, expiry };
  const range = valueAfter(lines, PERIOD_LABEL, (rest) => {
    const [from, to] = datesIn(rest);
    return from && to ? `${from}/${to}` : null;
  });
  if (range) {
    const [from, to] = range.split("/");
    return { issue: issue ?? from, expiry: expiry ?? to };
  }
  return { issue, expiry };
}

/**
 * Insurance certificates print "POLICY EFF  POLICY EXP" as column headings
 * with the dates in the row below: the first row under them with two dates.
 * Such a table wins over labels, since its headings are labels without dates.
 */
function headerRow(lines: readonly string[]): string | null {
  for (let i = 0; i < lines.length; i++) {
    if (!/\beff/i.test(lines[i]) || !/\bexp/i.test(lines[i])) continue;
    if (datesIn(lines[i]).length > 0) continue;
    for (const row of lines.slice(i + 1, i + 6)) {
      const [from, to] = datesIn(row);
      if (from && to) return `${from}/${to}`;
    }
  }
  return null;
}

const INSPECTION_DATE_LABEL =
  /\b(?:inspection date|date of inspection|inspected on|date inspected)\b/i;
const SERVICE_DATE_LABEL =
  /\b(?:service date|date of service|serviced on|date serviced|pump(?:ed|ing|out)? date|cleaning date|date cleaned)\b/i;

// ---------------------------------------------------------------------------
// Numbers and names

const NUMBER_NOUN = "(?:number|no\\.?|num\\.?|#|id)";
const POLICY_NUMBER = new RegExp(`\\bpolicy\\s*${NUMBER_NOUN}(?=\\W|$)`, "i");
const DOCUMENT_NUMBER = new RegExp(
  `\\b(?:certificate|certification|permit|license|licence|card|registration|report|document|record|service|inspection|work order|invoice|account)\\s*${NUMBER_NOUN}(?=\\W|$)`,
  "i",
);
const TOKEN = /^[\s:#.\-–—]*([A-Z0-9](?:[A-Z0-9\-/.]*[A-Z0-9])?)/i;
const NEXT_TOKEN = /^ ([A-Z0-9](?:[A-Z0-9\-/.]*[A-Z0-9])?)/i;

/** "FH-12345", "BL-2026-0042"; a letter prefix may stand apart ("CGL 1234567"). */
const identifier: Extract = (rest) => {
  const m = TOKEN.exec(rest);
  if (!m) return null;
  let value = m[1];
  if (!/\d/.test(value)) {
    const next = NEXT_TOKEN.exec(rest.slice(m[0].length));
    if (!next || !/\d/.test(next[1])) return null;
    value = `${value} ${next[1]}`;
  }
  return value.length >= 3 && value.length <= MAX_CHARS.number ? value : null;
};

function findNumber(
  lines: readonly string[],
  insuranceLike: boolean,
): string | null {
  const order = insuranceLike
    ? [POLICY_NUMBER, DOCUMENT_NUMBER]
    : [DOCUMENT_NUMBER, POLICY_NUMBER];
  for (const label of order) {
    const value = valueAfter(lines, label, identifier);
    if (value) return value;
  }
  return null;
}

/** A name as printed: one line, no controls, within the form's limit. */
function cleanName(raw: string, max: number): string | null {
  const value = normaliseText(raw).replace(/\s+/g, " ")
    .replace(/^[\s:\-–—]+/, "").replace(/[\s,;.]+$/, "");
  if (!/[\p{L}\p{N}]/u.test(value) || [...value].length > max) return null;
  if (textProblem(value, { multiline: false })) return null;
  return value;
}

const nameValue: Extract = (rest) => cleanName(rest, MAX_CHARS.name);

const AUTHORITY_LABEL =
  /\b(?:issuing authority|issuing agency|issuing department|issued by|issuer|agency|insurer(?: [a-f])?|insurance company|carrier|certified by|certification body|certifying body)\b\s*[:\-–]/i;

/** The agencies the city guides name (compliance.md §3), as printed. */
const KNOWN_AGENCIES: readonly string[] = [
  ...new Set(
    Object.values(RULE_PACKS).flatMap((p) => [
      p.guide.healthDepartment,
      ...p.guide.agencies,
    ]),
  ),
].sort((a, b) => b.length - a.length);

const AGENCY_WORDS =
  /\b(?:department of|department|dept\.?|board of health|public health|health commission|commission|fire prevention|fire marshal|bureau|office of|county|city of)\b/i;
const INSURER_WORDS =
  /\b(?:insurance company|insurance co\.?|insurance|mutual|casualty|assurance|indemnity|underwriters)\b/i;

function findAuthority(
  lines: readonly string[],
  insuranceLike: boolean,
): string | null {
  const labelled = valueAfter(
    lines,
    AUTHORITY_LABEL,
    (rest) => cleanName(rest, MAX_CHARS.authority),
  );
  if (labelled) return labelled;
  if (!insuranceLike) {
    const all = lines.join("\n").toLowerCase();
    const known = KNOWN_AGENCIES.find((a) => all.includes(a.toLowerCase()));
    if (known) return known;
  }
  const words = insuranceLike ? INSURER_WORDS : AGENCY_WORDS;
  for (const line of lines) {
    if (
      words.test(line) && line.length <= 120 && !/[\d:]/.test(line) &&
      !/\b(?:certificate|certify|certifies)\b/i.test(line)
    ) {
      const name = cleanName(line, MAX_CHARS.authority);
      if (name) return name;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// Insurance

const OCCURRENCE_LABEL =
  /\b(?:each occurrence|per occurrence|occurrence limit|each occurrence limit)\b/i;
const AGGREGATE_LABEL =
  /\b(?:general aggregate|aggregate limit|policy aggregate|aggregate)\b/i;
const AMOUNT =
  /^[\s:\-–—]*(?:limit)?[\s:\-–—]*(?:US\s*)?\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*(million|mil|mm|m)?(?![\w,])/i;

/** "$1,000,000", "$ 2,000,000.00" or "$1M" → "1,000,000" (dollars, as the form takes them). */
const firstAmount: Extract = (rest) => {
  const m = AMOUNT.exec(rest);
  if (!m) return null;
  let cents = Number(m[1].replaceAll(",", "")) * 100 +
    (m[2] ? Number(m[2].padEnd(2, "0")) : 0);
  if (m[3]) cents *= 1_000_000;
  if (!Number.isSafeInteger(cents) || cents <= 0 || cents >= 1e11) return null;
  const dollars = Math.floor(cents / 100).toLocaleString("en-US");
  const rem = cents % 100;
  return rem ? `${dollars}.${String(rem).padStart(2, "0")}` : dollars;
};

/** A bare "Insured" counts only as a heading: before a colon or alone on its line. */
const NAMED_INSURED_LABEL =
  /(?<!additional\s)\b(?:(?:named insured|name of insured|insured name)\b\s*[:\-–]?|insured\s*(?::|$))/i;

const ADDITIONAL_LABEL = /\badditional(?:ly)? insureds?\b\s*[:\-–]/i;
const ADDITIONAL_SENTENCE =
  /^(.+?)\s+(?:is|are)\s+(?:named|included|added|listed)\s+as\s+(?:an\s+)?additional insureds?\b/i;

function findAdditionalInsured(lines: readonly string[]): string | null {
  const labelled = valueAfter(lines, ADDITIONAL_LABEL, nameValue);
  if (labelled) return labelled;
  for (const line of lines) {
    const m = ADDITIONAL_SENTENCE.exec(line);
    if (m) {
      const name = nameValue(m[1].replace(/^(?:the\s+)?/i, ""));
      if (name) return name;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// Inspection reports

const SCORE =
  /\b(?:score|inspection score|total score)\b\s*[:\-–]?\s*(\d{1,3})(?:\s*(?:\/|out of)\s*100)?(?!\d)/i;

function findScore(lines: readonly string[]): string | null {
  for (const line of lines) {
    const m = SCORE.exec(line);
    if (m && Number(m[1]) <= 100) return String(Number(m[1]));
  }
  return null;
}

const RESULT =
  /\b(?:result|outcome|status|overall|inspection result)\b\s*[:\-–]?\s*(pass(?:ed)?|fail(?:ed)?|unsatisfactory|satisfactory|not approved|approved)\b/i;
const RESULT_ALONE = /^(pass(?:ed)?|fail(?:ed)?)$/i;

function findResult(lines: readonly string[]): "pass" | "fail" | null {
  for (const line of lines) {
    const word = (RESULT.exec(line) ?? RESULT_ALONE.exec(line))?.[1]
      .toLowerCase();
    if (!word) continue;
    return word.startsWith("fail") || word === "unsatisfactory" ||
        word === "not approved"
      ? "fail"
      : "pass";
  }
  return null;
}

// ---------------------------------------------------------------------------
// Federal scope certificates

/** Directory names and long aliases; short ones ("UL") are too common to find in text. */
const BODY_NAMES: readonly string[] = Object.values(CERTIFICATION_BODIES)
  .flatMap((b) => [b.name, ...b.aliases.filter((a) => a.length >= 6)])
  .sort((a, b) => b.length - a.length);

const BODY_LABEL =
  /\b(?:certification body|certifying body|certified by|issued by|registrar)\b\s*[:\-–]?/i;

function findCertificationBody(lines: readonly string[]): string | null {
  const folded = fold(lines.join("\n"));
  const known = BODY_NAMES.find((name) => folded.includes(fold(name)));
  if (known) return known;
  return valueAfter(
    lines,
    BODY_LABEL,
    (rest) => cleanName(rest, MAX_CHARS.body),
  );
}

function fold(s: string): string {
  return s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

/** Scope names, longest first, so "Seafood HACCP" wins over a bare "HACCP". */
const SCOPE_NAMES: readonly [string, string][] = FEDERAL_SCOPE_IDS.flatMap((
  id,
) => {
  const s = FEDERAL_SCOPES[id];
  return [[s.name, id], [s.short, id], [s.regulation, id]] as [
    string,
    string,
  ][];
}).sort((a, b) => b[0].length - a[0].length);

function findScope(lines: readonly string[]): string | null {
  const text = fold(lines.join("\n"));
  for (const [name, id] of SCOPE_NAMES) {
    const re = new RegExp(
      `(?<![\\p{L}\\p{N}])${
        fold(name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      }(?![\\p{L}\\p{N}])`,
      "u",
    );
    if (re.test(text)) return id;
  }
  return null;
}
