/**
 * What calendar sync keeps in KV: a kitchen's calendar export (its secret
 * feed token, hashed) and the calendars it imports, one per slot.
 */

import { z } from "zod";

export interface ExportFeed {
  v: 1;
  /** SHA-256 of the token (base64url), as sessions and reset links are stored. */
  tokenHash: string;
  createdAt: number;
}

/**
 * A just-made feed token, kept for the host who made it to see once after
 * the redirect; `expiresAt` lets a restored backup drop it (lib/db/backup.ts).
 */
export const feedReveal = z.object({
  token: z.string().min(1).max(200),
  expiresAt: z.number(),
});
export type FeedReveal = z.infer<typeof feedReveal>;

/** Calendars a kitchen may import: one KV slot each, so the limit holds in one atomic. */
export const MAX_IMPORT_FEEDS = 5;

export interface ImportFeed {
  v: 1;
  id: string;
  kitchenId: string;
  slot: number;
  url: string;
  /** The host's label for it ("Google", "Front of house"). */
  name: string;
  createdAt: number;
  /** The one job that may sync this feed next; other runs do nothing. */
  syncJobId: string | null;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  /** Why the last attempt failed; null when it succeeded. */
  lastError: string | null;
  /** After the last success: blocks held from this feed, and what was left out. */
  imported: number;
  overlapping: number;
  /** A few of the left-out events, for the host to find them. */
  overlappingSamples: { start: number; end: number }[];
  tooMany: number;
  unreadable: number;
  /** Repeating events cut short (parse.ts); absent on records from before. */
  repeatsCut?: number;
  /** Busy times left out because their day was full (bookings/blocks.ts). */
  crowded?: number;
  /** The last error will not go away by asking again: checked daily, not half-hourly. */
  lastErrorPermanent?: boolean;
  /** When the next run is due; absent on records from before. */
  nextSyncAt?: number;
}
