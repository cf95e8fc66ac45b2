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

/**
 * The shape of a user id: a ULID, or a seeded demo account's readable id
 * ("demo-user-renter", "demo-host-01"). Checked before it becomes a key.
 */
export const USER_ID_PATTERN = "[A-Za-z0-9_-]{1,64}";
const USER_ID = new RegExp(`^${USER_ID_PATTERN}$`);
export const isUserId = (id: string): boolean => USER_ID.test(id);
