/**
 * Contact details in messages are hidden until the pair has a confirmed
 * booking (issue 18 §5), so that payment stays on the platform. Pure: it
 * runs when a message is shown or emailed, never on what is stored, so a
 * confirmed booking shows the original text with no rewrite.
 *
 * What counts: email addresses (also "jo at gmail dot com", "jo [at] x
 * [dot] com"), US phone numbers in the usual ways of writing them (also
 * spelled out, "five five five, one two three four", or digit by digit),
 * web addresses (with or without "http", "www." or "example dot com") and
 * social handles (@name). What must survive: prices ($40, $1,250.00),
 * times (9:00, 10am-2pm), dates (12/10/2026, 2026-12-10), counts and
 * ranges (3-4 hours), abbreviations (e.g., i.e.).
 */

export const HIDDEN = "[contact details hidden until booking]";

const TLDS =
  "com|net|org|edu|gov|io|co|us|biz|info|me|app|dev|shop|store|site|online|xyz|ly|ai|tv|cc|ca|uk";

const BRACKET_AT = String.raw`\s*[([{<]\s*at\s*[)\]}>]\s*`;
const AT = String.raw`(?:${BRACKET_AT}|\s+at\s+)`;
const SPELLED_DOT = String.raw`(?:\s*[([{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+)`;
const DOT = String.raw`(?:\.|${SPELLED_DOT})`;
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}_-]{0,62})`;
const LOCAL = String.raw`[\p{L}\p{N}._%+-]+`;

/** name@host.anything: with a real "@", any ending counts. */
const EMAIL = new RegExp(
  String.raw`${LOCAL}\s*@\s*${LABEL}(?:${DOT}${LABEL})*${DOT}\p{L}{2,24}\b`,
  "giu",
);

/**
 * Spelled out: "jo (at) x [dot] io" with a known ending, or "jo at gmail
 * dot com" with the dot spelled too; a bare "at" before a real domain
 * ("book at mykitchen.co") leaves its first word, and the domain is masked
 * as a web address.
 */
const SPELLED_EMAIL = new RegExp(
  [
    String
      .raw`${LOCAL}${BRACKET_AT}${LABEL}(?:${DOT}${LABEL})*${DOT}(?:${TLDS})\b`,
    String
      .raw`${LOCAL}\s+at\s+${LABEL}(?:${SPELLED_DOT}${LABEL})*${SPELLED_DOT}(?:${TLDS})\b`,
  ].join("|"),
  "giu",
);

/** "jo at gmail" with no ".com": the big mail providers are named alone. */
const PROVIDER = new RegExp(
  String
    .raw`${LOCAL}(?:\s*@\s*|${AT})(?:gmail|googlemail|yahoo|hotmail|outlook|icloud|aol|protonmail|proton|msn)\b(?:${DOT}(?:${TLDS}))?`,
  "giu",
);

/** http(s)://…, www.…, and bare domains with a known ending (also "x dot com"). */
const URL_LIKE = new RegExp(
  [
    String.raw`\b(?:https?|ftp)://[^\s<>"']+`,
    String.raw`\bwww(?:\.|${DOT})[^\s<>"']+`,
    String
      .raw`\b${LABEL}(?:\.${LABEL})*(?:\.|\s*[([{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+)(?:${TLDS})\b(?:/[^\s<>"']*)?`,
  ].join("|"),
  "giu",
);

/**
 * US phone numbers written with digits: (555) 555-1234, 555-555-1234,
 * 555.555.1234, 555 555 1234, 5555551234, +1 555 555 1234, 1-555-555-1234,
 * and a local 555-1234. Not inside a longer run of digits or a word.
 */
const PHONE = new RegExp(
  [
    String
      .raw`(?<![\p{L}\p{N}$])(?:\+?1[\s.-]?)?(?:\(\s*\d{3}\s*\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\p{L}\p{N}])`,
    String
      .raw`(?<![\p{L}\p{N}$.,:/-])\d{3}[\s.-]\d{4}(?![\p{L}\p{N}]|[.,:/-]\d)`,
  ].join("|"),
  "gu",
);

/** @handle (Instagram, X, Telegram): an @ not inside an address. */
const HANDLE = /(?<![\p{L}\p{N}._%+-])@[A-Za-z_][A-Za-z0-9_.]{1,29}/gu;

const DIGIT_WORDS: Record<string, number> = {
  zero: 1,
  oh: 1,
  o: 1,
  one: 1,
  two: 1,
  three: 1,
  four: 1,
  five: 1,
  six: 1,
  seven: 1,
  eight: 1,
  nine: 1,
  double: 1,
  triple: 2,
};

interface Run {
  start: number;
  end: number;
  digits: number;
  /** Digits given as words. */
  words: number;
  /** Groups of figures, and how many of them are one figure. */
  groups: number;
  singles: number;
}

/**
 * Numbers spelled out or digit by digit: "five five five one two three
 * four", "5 5 5 1 2 3 4", "five-five-five 12 34". A run of digit words and
 * short digit groups, joined by spaces, dashes, dots, commas or brackets,
 * that holds at least 7 digits and at least one word or only single
 * digits (so "2026-12-10" and "12 10 2026" are left as dates).
 */
function spelledNumbers(text: string): [number, number][] {
  const TOKEN = /[\p{L}]+|\d+/gu;
  const out: [number, number][] = [];
  let run: Run | null = null;
  const close = () => {
    if (
      run && run.digits >= 7 &&
      (run.words > 0 || run.groups === run.singles)
    ) out.push([run.start, run.end]);
    run = null;
  };
  let prevEnd = 0;
  for (const m of text.matchAll(TOKEN)) {
    const token = m[0];
    const start = m.index!;
    const lower = token.toLowerCase();
    const gap = text.slice(prevEnd, start);
    const joined = run !== null && /^[\s.,()\-–]{1,4}$/u.test(gap);
    let digits = -1;
    let word = false;
    if (/^\d+$/.test(token) && token.length <= 4) digits = token.length;
    else if (lower in DIGIT_WORDS) {
      digits = DIGIT_WORDS[lower];
      word = true;
    }
    if (digits < 0) {
      close();
    } else {
      if (!joined) close();
      const r: Run = run ?? {
        start,
        end: start,
        digits: 0,
        words: 0,
        groups: 0,
        singles: 0,
      };
      r.end = start + token.length;
      r.digits += digits;
      if (word) r.words += digits;
      else {
        r.groups++;
        if (digits === 1) r.singles++;
      }
      run = r;
    }
    prevEnd = start + token.length;
  }
  close();
  return out;
}

/** The spans of `text` that are contact details, merged and in order. */
export function contactSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const re of [EMAIL, SPELLED_EMAIL, PROVIDER, URL_LIKE, PHONE, HANDLE]) {
    for (const m of text.matchAll(re)) {
      spans.push([m.index!, m.index! + m[0].length]);
    }
  }
  spans.push(...spelledNumbers(text));
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged;
}

/** `text` with every contact detail replaced by HIDDEN. */
export function maskContacts(text: string): string {
  const spans = contactSpans(text);
  if (spans.length === 0) return text;
  let out = "";
  let at = 0;
  for (const [start, end] of spans) {
    // A trailing full stop ends the sentence, not the address.
    let e = end;
    while (e > start && /[.,;:!?)]/.test(text[e - 1])) e--;
    out += text.slice(at, start) + HIDDEN;
    at = e;
  }
  return out + text.slice(at);
}

/** The text as the reader may see it: masked unless contact details show. */
export function shownText(text: string, contactsShown: boolean): string {
  return contactsShown ? text : maskContacts(text);
}
