/**
 * Saved kitchens: a renter's own list of kitchens to come back to (issue 18
 * §12). A save belongs to one account and names one kitchen; the list is
 * capped, so it cannot grow without bound.
 */
import { z } from "zod";
import { sitePath } from "../notifications/repo.ts";

/** The most kitchens one account keeps saved: more than anyone compares, small enough to page. */
export const MAX_SAVED = 500;

/** Kitchens per page of /saved: each one costs a "next free day" computation. */
export const SAVED_PAGE_SIZE = 24;

/** How far ahead /saved looks for a kitchen's next free day. */
export const NEXT_FREE_DAYS = 30;

export const savedKitchen = z.object({
  v: z.literal(1),
  /** A ULID: the order of the user's list (newest saved first). */
  id: z.string(),
  userId: z.string(),
  kitchenId: z.string(),
  /** Epoch ms, from the caller's clock. */
  savedAt: z.number().int(),
});
export type SavedKitchen = z.infer<typeof savedKitchen>;

/**
 * Where a heart's form sends the browser back to: a path on this site (the
 * search or kitchen page it was on). Anything else — another site, a
 * control character, nothing at all — goes back to the list instead; it
 * only decides a redirect, so it is not worth refusing the save for.
 */
export const backPath = sitePath.catch("/saved");

/** The form a heart posts: only where to come back to (the kitchen is in the path). */
export const saveForm = z.object({ back: backPath });

/** GET /saved/:id, the way back from logging in: where the heart was. */
export const saveQuery = z.object({ back: backPath });

/** What a full list says, wherever a save is refused for it. */
export const LIST_FULL =
  `You have saved ${MAX_SAVED} kitchens, the most a list keeps. Remove one to save another.`;

/** What saving did: saved now, saved before, or refused because the list is full. */
export type SaveOutcome = "saved" | "already" | "full";

/** What a signed-in user's heart shows; null when nobody is signed in. */
export type SavedState = boolean | null;
