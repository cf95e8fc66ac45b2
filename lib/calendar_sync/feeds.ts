/**
 * Calendar sync (issue 9 §4): a kitchen's calendar exported as a secret
 * iCalendar feed, and the host's other calendars imported as blocks.
 *
 * Export: `["kitchen_feeds", kitchenId]` holds the SHA-256 of the feed's
 * token, never the token: the URL is shown once, when made, and a new one
 * replaces (revokes) the old. Wrong tokens compare in constant time.
 *
 * Import: up to 5 feeds per kitchen, one per slot
 * (`["kitchen_calendar_imports", kitchenId, 0..4]`), so the limit and the
 * no-duplicates rule hold in the one atomic that adds a feed (it checks all
 * five slots). Each feed has one sync job at a time (`syncJobId`); a run
 * fetches, parses and replaces the feed's blocks, then in one atomic that
 * checks the feed records the outcome and schedules the next run 30 minutes
 * later. A run whose job is not the feed's current one (a duplicate
 * delivery, a removed feed) does nothing, so the chain never forks. A run
 * that fails keeps the last good blocks and records the error for the host.
 * A failure that asking again will not fix (a 404, not a calendar, too big)
 * stops the half-hourly runs: the feed is looked at once a day until it
 * works again, or the host replaces the link.
 */
import { timingSafeEqual } from "node:crypto";
import { hashSecret, newSecret } from "../accounts/tokens.ts";
import { listBlocks, listKitchenBookings } from "../bookings/repo.ts";
import {
  ImportStoppedError,
  replaceImportedBlocks,
} from "../bookings/blocks.ts";
import {
  addImportSlot,
  commitCalendarSyncWrite,
  getExportFeed,
  getImportSlot,
  readImportSlots,
  setExportFeed,
} from "./repo.ts";
import {
  type ExportFeed,
  type ImportFeed,
  MAX_IMPORT_FEEDS,
} from "./schema.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { newId } from "../ids.ts";
import { addJob } from "../jobs/outbox.ts";
import { localInstant, localToday } from "../kitchens/free_time.ts";
import { getKitchen } from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { logError } from "../log.ts";
import { kitchenCalendar } from "./export.ts";
import { FeedFetchError, fetchFeed, type FetchOptions } from "./fetch.ts";
import { CalendarParseError, parseCalendar } from "./parse.ts";
import { CALENDAR_CLEANUP_JOB, CALENDAR_SYNC_JOB } from "../job_names.ts";

// ---------------------------------------------------------------------------
// Export

/** A feed token: 256 random bits, base64url (accounts/tokens.ts). */
export const FEED_TOKEN_PATTERN = "[A-Za-z0-9_-]{43}";

/** The public URL of a kitchen's feed. */
export function exportFeedUrl(
  baseUrl: string,
  kitchenId: string,
  token: string,
): string {
  return `${baseUrl}/calendars/${kitchenId}/${token}.ics`;
}

/** How long a just-made link waits to be shown to the host who made it. */
export const REVEAL_MS = 10 * 60_000;

/**
 * Makes a new feed token for the kitchen; the previous URL stops working at
 * once. The token exists in clear only in what this returns and, for
 * REVEAL_MS or until shown, kept for `revealTo` to see once.
 */
export async function createExportToken(
  kv: Deno.Kv,
  kitchenId: string,
  now: number,
  revealTo?: string,
): Promise<string> {
  const token = newSecret();
  const feed: ExportFeed = {
    v: 1,
    tokenHash: await hashSecret(token),
    createdAt: now,
  };
  await setExportFeed(
    kv,
    kitchenId,
    feed,
    revealTo
      ? {
        userId: revealTo,
        kept: { token, expiresAt: now + REVEAL_MS },
        expireIn: REVEAL_MS,
      }
      : undefined,
  );
  return token;
}

/** Turns the kitchen's feed off: its URL answers 404 from now on. */
export async function revokeExportToken(
  kv: Deno.Kv,
  kitchenId: string,
): Promise<void> {
  await setExportFeed(kv, kitchenId, null);
}

const DAY_MS = 24 * 3600_000;

/**
 * The kitchen's feed (export.ts) if `token` is its current one; otherwise
 * NotFoundError, the same for a wrong token, a revoked feed and an unknown
 * kitchen. Bookings from 90 days back to 400 days ahead.
 */
export async function kitchenFeedText(
  kv: Deno.Kv,
  kitchenId: string,
  token: string,
  opts: { baseUrl: string; now: number },
): Promise<string> {
  const [kitchen, feed] = await Promise.all([
    getKitchen(kv, kitchenId),
    getExportFeed(kv, kitchenId),
  ]);
  const presented = new TextEncoder().encode(await hashSecret(token));
  const stored = new TextEncoder().encode(feed?.tokenHash ?? "");
  const matches = presented.length === stored.length &&
    timingSafeEqual(presented, stored);
  if (!kitchen || !feed || !matches) {
    throw new NotFoundError("We could not find that calendar.");
  }
  const from = opts.now - 90 * DAY_MS;
  const [bookings, blocks] = await Promise.all([
    listKitchenBookings(kv, kitchenId, {
      from: from - DAY_MS,
      to: opts.now + 400 * DAY_MS,
      limit: 5_000,
    }).then((bs) => bs.filter((b) => b.end > from)),
    listBlocks(kv, kitchenId, from),
  ]);
  return kitchenCalendar({
    kitchen,
    bookings,
    blocks,
    baseUrl: opts.baseUrl,
    now: opts.now,
  });
}

// ---------------------------------------------------------------------------
// Import

export const SYNC_INTERVAL_MS = 30 * 60_000;
/** After a permanent failure: often enough to notice a fix, rare enough to cost nothing. */
export const PERMANENT_RECHECK_MS = 24 * 3600_000;

export interface ImportDeps {
  kv: Deno.Kv;
  now: number;
  /** Enqueue KV-queue wake-ups for the jobs written (DESIGN §6). */
  wake: boolean;
}

/** The kitchen's import feeds, by slot. */
export async function listImportFeeds(
  kv: Deno.Kv,
  kitchenId: string,
): Promise<ImportFeed[]> {
  const entries = await readImportSlots(kv, kitchenId);
  return entries.flatMap((e) => e.value ? [e.value] : []);
}

const syncJobId = (feedId: string) => `calendar-sync:${feedId}:${newId()}`;

/**
 * Adds a feed (its URL already checked with address.ts) and its first sync
 * job, due now. Refuses a sixth feed and a URL the kitchen already imports.
 */
export async function addImportFeed(
  deps: ImportDeps,
  kitchenId: string,
  input: { url: string; name: string },
): Promise<ImportFeed> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entries = await readImportSlots(deps.kv, kitchenId);
    if (entries.some((e) => e.value?.url === input.url)) {
      throw new ValidationError(
        { url: "This kitchen already imports that calendar" },
        "This kitchen already imports that calendar.",
      );
    }
    const slot = entries.findIndex((e) => e.value === null);
    if (slot < 0) {
      throw new ValidationError(
        {
          url:
            `A kitchen can import at most ${MAX_IMPORT_FEEDS} calendars; remove one first`,
        },
        `A kitchen can import at most ${MAX_IMPORT_FEEDS} calendars.`,
      );
    }
    const id = newId();
    const jobId = syncJobId(id);
    const feed: ImportFeed = {
      v: 1,
      id,
      kitchenId,
      slot,
      url: input.url,
      name: input.name,
      createdAt: deps.now,
      syncJobId: jobId,
      lastAttemptAt: null,
      lastSuccessAt: null,
      lastError: null,
      imported: 0,
      overlapping: 0,
      overlappingSamples: [],
      tooMany: 0,
      unreadable: 0,
      repeatsCut: 0,
      crowded: 0,
      lastErrorPermanent: false,
      nextSyncAt: deps.now,
    };
    const added = await commitCalendarSyncWrite(deps.kv, (atomic) => {
      // Every slot checked: a feed added meanwhile (same URL, the last slot) retries.
      for (const e of entries) atomic.check(e);
      addImportSlot(atomic, entries[slot], feed);
      addJob(atomic, {
        id: jobId,
        type: CALENDAR_SYNC_JOB,
        payload: { kitchenId, slot, feedId: id },
        runAt: deps.now,
      }, { now: deps.now, wake: deps.wake });
    });
    if (added) return feed;
  }
  throw new ConflictError(
    "The kitchen's calendars changed meanwhile; please try again.",
  );
}

/**
 * Removes a feed and, through a job, its blocks: the feed goes in one
 * atomic (so a sync running now stops at its next step), and the job
 * releases its blocks in as many atomics as they need.
 */
export async function removeImportFeed(
  deps: ImportDeps,
  kitchenId: string,
  feedId: string,
): Promise<void> {
  const entries = await readImportSlots(deps.kv, kitchenId);
  const entry = entries.find((e) => e.value?.id === feedId);
  if (!entry) throw new NotFoundError("That calendar is already removed.");
  const removed = await commitCalendarSyncWrite(deps.kv, (atomic) => {
    addImportSlot(atomic, entry, null);
    addJob(atomic, {
      id: `calendar-cleanup:${feedId}`,
      type: CALENDAR_CLEANUP_JOB,
      payload: { kitchenId, feedId },
      runAt: deps.now,
    }, { now: deps.now, wake: deps.wake });
  });
  if (!removed) {
    throw new ConflictError(
      "That calendar was being updated; please try again.",
    );
  }
}

/** Releases every block a removed feed left (the cleanup job). */
export async function cleanupImportFeed(
  deps: Pick<ImportDeps, "kv" | "now">,
  kitchenId: string,
  feedId: string,
): Promise<void> {
  try {
    await replaceImportedBlocks(deps.kv, kitchenId, feedId, [], {
      now: deps.now,
    });
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}

/** The span an import covers: from now to the end of the booking window, with a day to spare. */
export function importWindow(
  k: Pick<Kitchen, "timeZone" | "bookingWindowDays">,
  now: number,
): { from: number; to: number } {
  const today = Temporal.PlainDate.from(localToday(k.timeZone, now));
  const last = today.add({ days: k.bookingWindowDays + 2 }).toString();
  return { from: now, to: localInstant(k.timeZone, last, "00:00") };
}

export interface SyncDeps extends ImportDeps {
  calendarFetch: FetchOptions;
}

export interface SyncPayload {
  kitchenId: string;
  slot: number;
  feedId: string;
}

type Outcome = Partial<
  Pick<
    ImportFeed,
    | "lastSuccessAt"
    | "lastError"
    | "imported"
    | "overlapping"
    | "overlappingSamples"
    | "tooMany"
    | "unreadable"
    | "repeatsCut"
    | "crowded"
    | "lastErrorPermanent"
  >
>;

/**
 * Whether a failed run would fail the same way half an hour later (pure):
 * the feed's answer itself is wrong (refused, gone, not a calendar, too big),
 * not the way to it (a timeout, a server error, the calendar busy here).
 */
export function isPermanentFailure(err: unknown): boolean {
  if (err instanceof FeedFetchError) return err.permanent;
  return err instanceof CalendarParseError;
}

/**
 * One run of a feed's sync job (`jobId`): fetch, parse, replace the feed's
 * blocks, record the outcome and schedule the next run. Failures of the
 * feed (unreachable, refused, too big, too slow, not a calendar) are
 * recorded for the host and leave the blocks as they were.
 */
export async function syncImportFeed(
  deps: SyncDeps,
  payload: SyncPayload,
  jobId: string,
): Promise<void> {
  const { kv, now } = deps;
  const entry = await getImportSlot(kv, payload.kitchenId, payload.slot);
  const feed = entry.value;
  if (!feed || feed.id !== payload.feedId || feed.syncJobId !== jobId) return;
  const kitchen = await getKitchen(kv, payload.kitchenId);
  if (!kitchen) return;
  let outcome: Outcome;
  try {
    const text = await fetchFeed(feed.url, deps.calendarFetch);
    const window = importWindow(kitchen, now);
    const parsed = parseCalendar(text, {
      timeZone: kitchen.timeZone,
      ...window,
    });
    const result = await replaceImportedBlocks(
      kv,
      kitchen.id,
      feed.id,
      parsed.events.map((e) => ({
        key: e.key,
        start: e.start,
        end: e.end,
        reason: e.summary,
      })),
      { now, until: window.to, guard: entry },
    );
    outcome = {
      lastSuccessAt: now,
      lastError: null,
      imported: result.added + result.kept,
      overlapping: result.overlapping.length,
      overlappingSamples: result.overlapping.slice(0, 3).map((e) => ({
        start: e.start,
        end: e.end,
      })),
      tooMany: parsed.tooMany,
      unreadable: parsed.unreadable,
      repeatsCut: parsed.repeatsCut,
      crowded: result.crowded,
      lastErrorPermanent: false,
    };
  } catch (err) {
    if (err instanceof ImportStoppedError) return;
    if (
      !(err instanceof FeedFetchError || err instanceof CalendarParseError ||
        err instanceof ConflictError)
    ) {
      logError(`Calendar import ${feed.id} failed:`, err);
    }
    outcome = {
      lastError: err instanceof FeedFetchError ||
          err instanceof CalendarParseError || err instanceof ConflictError
        ? err.message
        : "Something went wrong while importing; we will try again.",
      lastErrorPermanent: isPermanentFailure(err),
    };
  }
  await recordOutcome(deps, payload, jobId, outcome);
}

async function recordOutcome(
  deps: SyncDeps,
  payload: SyncPayload,
  jobId: string,
  outcome: Outcome,
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await getImportSlot(deps.kv, payload.kitchenId, payload.slot);
    const feed = entry.value;
    if (!feed || feed.id !== payload.feedId || feed.syncJobId !== jobId) {
      return;
    }
    const nextJob = syncJobId(feed.id);
    const runAt = deps.now +
      (outcome.lastErrorPermanent ? PERMANENT_RECHECK_MS : SYNC_INTERVAL_MS);
    const next: ImportFeed = {
      ...feed,
      ...outcome,
      lastAttemptAt: deps.now,
      syncJobId: nextJob,
      nextSyncAt: runAt,
    };
    const recorded = await commitCalendarSyncWrite(deps.kv, (atomic) => {
      addImportSlot(atomic, entry, next);
      addJob(atomic, {
        id: nextJob,
        type: CALENDAR_SYNC_JOB,
        payload,
        runAt,
      }, { now: deps.now, wake: deps.wake });
    });
    if (recorded) return;
  }
  throw new ConflictError("The calendar's record kept changing; retrying.");
}
