/**
 * Search terms: the words staff find an account or a kitchen by, as the
 * `*_by_term` indexes store them (`["users_by_term", term, id]`) and as a
 * typed search is read. A search reads the index range of one typed term
 * (every stored term that starts with it) and checks the other typed terms
 * against the record, so a search costs what it shows, not the size of the
 * store. Pure.
 */

/** Terms per record at most, so every write adds a bounded number of index entries. */
export const MAX_TERMS = 16;
/** Longest term kept; a longer word is indexed by its start. */
export const MAX_TERM_LENGTH = 64;
/** Terms a search may have. */
export const MAX_QUERY_TERMS = 8;

/**
 * Lower case, accents dropped ("José" is found as "jose"), and split on
 * anything but letters and digits, so "O'Brien-Smith" is "o", "brien",
 * "smith".
 *
 * @example
 * wordsOf("José O'Brien") // ["jose", "o", "brien"]
 */
export function wordsOf(text: string): string[] {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .map((w) => [...w].slice(0, MAX_TERM_LENGTH).join(""));
}

/**
 * The terms of a record: `exact` ones kept whole (an email address), then
 * the words of each text, distinct, at most MAX_TERMS, sorted.
 */
export function termsOf(
  exact: readonly string[],
  texts: readonly (string | null | undefined)[],
): string[] {
  const out = new Set<string>();
  const add = (t: string) => {
    if (out.size < MAX_TERMS && t.length > 0) out.add(t);
  };
  for (const e of exact) add(e.toLowerCase());
  for (const t of texts) if (t) { for (const w of wordsOf(t)) add(w); }
  return [...out].sort();
}

/**
 * What a search box holds, as terms: a word with "@" in it is (the start
 * of) an email address and stays whole; anything else is split as
 * `wordsOf` splits names. A term that starts another is dropped (any record
 * the longer one matches, the shorter matches too).
 *
 * @example
 * queryTerms("Rosa ROSA@ex") // ["rosa@ex"]
 */
export function queryTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const token of text.trim().split(/\s+/u)) {
    if (token === "") continue;
    if (token.includes("@")) terms.add(token.toLowerCase());
    else for (const w of wordsOf(token)) terms.add(w);
  }
  const all = [...terms];
  return all.filter((t) => !all.some((o) => o !== t && o.startsWith(t)));
}

/** The typed term whose index range is read: the longest, likely the fewest entries. */
export function driverOf(terms: readonly string[]): string {
  return terms.reduce((a, b) => (b.length > a.length ? b : a), "");
}

/** Whether every typed term starts some term of the record. */
export function matchesTerms(
  typed: readonly string[],
  terms: readonly string[],
): boolean {
  return typed.every((q) => terms.some((t) => t.startsWith(q)));
}

/**
 * A record has an index entry for each of its terms, so a range can reach
 * it several times ("rosa" and "rosa@example.com" both start with "ro"):
 * only its entry under the first of its terms in the range counts.
 */
export function countsAt(
  entryTerm: string,
  driver: string,
  terms: readonly string[],
): boolean {
  return terms.find((t) => t.startsWith(driver)) === entryTerm;
}

/** Where a page of a term search ends: the last index entry it read. */
export interface TermCursor {
  term: string;
  id: string;
}

/** A term cursor as it travels in a query string: "term id" (terms have no spaces). */
export function formatTermCursor(c: TermCursor): string {
  return `${c.term} ${c.id}`;
}

/**
 * A term cursor back from a query string, or null when it is not one of
 * this search's (its term must be in the range of `driver`).
 */
export function parseTermCursor(
  raw: string,
  driver: string,
  isRecordId: (id: string) => boolean,
): TermCursor | null {
  const at = raw.lastIndexOf(" ");
  if (at <= 0) return null;
  const term = raw.slice(0, at);
  const id = raw.slice(at + 1);
  if (/\s/u.test(term) || !term.startsWith(driver) || !isRecordId(id)) {
    return null;
  }
  return { term, id };
}
