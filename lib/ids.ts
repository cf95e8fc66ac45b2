import { monotonicFactory } from "ulid";

/** ULIDs sort by creation time, so `list({ prefix })` over ids is chronological. */
export const newId: () => string = monotonicFactory();

/** Crockford base32, 26 characters: the shape of every id we hand out. */
export const ID_PATTERN = "[0-9A-HJKMNP-TV-Z]{26}";
const ID_RE = new RegExp(`^${ID_PATTERN}$`);

/** Whether `s` has the shape of an id: anything else never reaches a KV key. */
export function isId(s: string): boolean {
  return ID_RE.test(s);
}
