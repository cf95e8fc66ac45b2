import type { TermCursor } from "../search_terms.ts";

// Above every character a term can hold, so [index, prefix + TOP] ends the
// range of terms that start with the prefix.
const TOP = "\u{10FFFF}";

/**
 * The entries of a `[index, term, id]` index (lib/search_terms.ts) whose
 * term starts with `prefix`, in key order, starting after `after` (the last
 * entry of the previous page). Reads lazily: a page stops reading when it
 * is full.
 */
export async function* listTermRange(
  kv: Deno.Kv,
  index: Deno.KvKey,
  prefix: string,
  after: TermCursor | null,
): AsyncGenerator<TermCursor> {
  const start: Deno.KvKey = after
    // id + NUL is the least key after the cursor's own.
    ? [...index, after.term, `${after.id}\u0000`]
    : [...index, prefix];
  const iter = kv.list({ start, end: [...index, prefix + TOP] }, {
    batchSize: 100,
  });
  for await (const e of iter) {
    // The key's own id, not the value, so the cursor is the key read.
    yield {
      term: e.key[index.length] as string,
      id: e.key[index.length + 1] as string,
    };
  }
}
