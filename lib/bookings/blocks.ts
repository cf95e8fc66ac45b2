/**
 * Host blocks: time a kitchen is off sale though nobody booked it — a
 * maintenance window, a private event (`source: "manual"`), or busy time
 * imported from the host's other calendars (`source`: the import feed's id).
 *
 * A block takes time exactly as a booking does (DESIGN §5): one atomic that
 * reads the calendar day documents it touches, checks their versionstamps,
 * and writes the claim (firm, `expiresAt: null`), the occupancy entries and
 * the block record together; removing it releases all of that in one atomic.
 * So a block and a hold racing for the same minutes can never both win.
 *
 * Blocks have no buffer of their own (`bufferMs: 0`): a booking's buffer
 * still keeps blocks away from it, because conflicts use the larger of the
 * two buffers (day_claims.ts `conflictsWith`).
 *
 * A manual block refuses to overlap any live claim, a booking's or another
 * block's. An import may overlap other blocks (busy is busy) but never a
 * booking or a hold: such events are skipped and reported, never written.
 *
 * A day document is one KV value (at most 64 KiB, about 600 claims), so
 * blocks are capped by construction: an import adds at most
 * MAX_IMPORTED_PER_DAY blocks per feed on any local day, and no block,
 * imported or manual, is added to a day document already holding
 * MAX_DAY_CLAIMS claims. What a cap leaves out of an import is counted for
 * the host; a manual block past it is refused with a form error.
 */
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { newId } from "../ids.ts";
import {
  addOccupancy,
  addOccupancyRelease,
  getKitchen,
} from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { localInstant } from "../kitchens/free_time.ts";
import {
  type CalendarClaim,
  type CalendarDay,
  claimDays,
  conflictsWith,
  EMPTY_DAY,
  isLiveClaim,
  withClaim,
  withoutClaim,
} from "./day_claims.ts";
import {
  addBlock,
  addBlockRemoval,
  addCalendarDay,
  afterLostRace,
  commitBookingWrite,
  getBlockEntry,
  listBlocks,
  readCalendarDays,
  unchanged,
} from "./repo.ts";
import type { Block, BlockKind } from "./schema.ts";

/** The calendar claim and occupancy entries of a block are under this ref. */
export const blockRef = (id: string) => `block:${id}`;
export const isBlockRef = (ref: string) => ref.startsWith("block:");

/**
 * Self-hosted denokv allows 10 checks per atomic. A block checks its day
 * documents plus its own key, so it may touch at most 8 local dates: one
 * week, wherever it starts.
 */
export const MAX_BLOCK_DAYS = 7;
const MAX_CHECKS = 10;
const DAY_MS = 24 * 3600_000;

export const BLOCK_OVERLAP_MESSAGE =
  "That time overlaps a booking or another block.";

const overlapError = () => new ConflictError(BLOCK_OVERLAP_MESSAGE);

export const DAY_FULL_MESSAGE =
  "This day has too many separate blocks; join them into longer ones.";

/**
 * Occupancy entries of [start, end): pieces of at most 24 hours, because
 * readers look back only a day from the start of the range they list
 * (kitchens/repo.ts `listOccupancy`).
 */
export function occupancySegments(
  start: number,
  end: number,
): { start: number; end: number }[] {
  const out = [];
  for (let at = start; at < end; at += DAY_MS) {
    out.push({ start: at, end: Math.min(end, at + DAY_MS) });
  }
  return out;
}

/**
 * [start, end) cut at local midnights into pieces that each touch at most
 * `MAX_BLOCK_DAYS` local dates, so every piece fits in one atomic. Pure.
 */
export function splitForClaims(
  timeZone: string,
  start: number,
  end: number,
): { start: number; end: number }[] {
  const out = [];
  let at = start;
  while (at < end) {
    const date = Temporal.Instant.fromEpochMilliseconds(at)
      .toZonedDateTimeISO(timeZone).toPlainDate();
    const boundary = localInstant(
      timeZone,
      date.add({ days: MAX_BLOCK_DAYS }).toString(),
      "00:00",
    );
    const pieceEnd = Math.min(end, boundary);
    out.push({ start: at, end: pieceEnd });
    at = pieceEnd;
  }
  return out;
}

function blockClaim(b: Pick<Block, "id" | "start" | "end">): CalendarClaim {
  return {
    ref: blockRef(b.id),
    start: b.start,
    end: b.end,
    bufferMs: 0,
    expiresAt: null,
  };
}

function addBlockOccupancy(atomic: Deno.AtomicOperation, b: Block): void {
  for (const s of occupancySegments(b.start, b.end)) {
    addOccupancy(atomic, b.kitchenId, s.start, blockRef(b.id), {
      end: s.end,
      expiresAt: null,
    });
  }
}

function releaseBlockOccupancy(
  atomic: Deno.AtomicOperation,
  b: Block,
): void {
  for (const s of occupancySegments(b.start, b.end)) {
    addOccupancyRelease(atomic, b.kitchenId, s.start, blockRef(b.id));
  }
}

export interface BlockInput {
  start: number;
  end: number;
  reason: string;
  kind?: BlockKind;
}

/**
 * Takes [start, end) off sale as a manual block. Throws ConflictError when
 * any live claim (a booking, a hold, another block) is in the way, now or
 * because a concurrent writer just took it; a ValidationError when a day it
 * touches already holds MAX_DAY_CLAIMS claims (minute-long blocks would
 * otherwise grow a day document past KV's value limit).
 */
export async function createBlock(
  kv: Deno.Kv,
  kitchen: Pick<Kitchen, "id" | "timeZone">,
  input: BlockInput,
  now: number,
): Promise<Block> {
  if (!(input.end > input.start)) {
    throw new ValidationError(
      { end: "End the block after it starts." },
      "End the block after it starts.",
    );
  }
  const days = claimDays(kitchen.timeZone, input.start, input.end, 0);
  if (days.length > MAX_BLOCK_DAYS + 1) {
    throw new ValidationError(
      { end: `A block can be at most ${MAX_BLOCK_DAYS} days long.` },
      `A block can be at most ${MAX_BLOCK_DAYS} days long; add several.`,
    );
  }
  const block: Block = {
    v: 1,
    id: newId(),
    kitchenId: kitchen.id,
    start: input.start,
    end: input.end,
    reason: input.reason,
    kind: input.kind ?? "closed",
    source: "manual",
    claimDays: days,
    key: null,
    createdAt: now,
  };
  const claim = blockClaim(block);
  for (let attempt = 0; attempt < 8; attempt++) {
    if (attempt > 0) await afterLostRace(attempt);
    const entries = await readCalendarDays(kv, kitchen.id, days);
    const docs = entries.map((e) => e.value ?? EMPTY_DAY);
    if (docs.some((d) => conflictsWith(d.claims, claim, now).length > 0)) {
      throw overlapError();
    }
    const next = docs.map((d) => withClaim(d, claim, now));
    if (next.some((d) => d.claims.length > MAX_DAY_CLAIMS)) {
      throw new ValidationError({ date: DAY_FULL_MESSAGE }, DAY_FULL_MESSAGE);
    }
    const committed = await commitBookingWrite(kv, {
      occupancyOf: kitchen.id,
    }, (atomic) => {
      entries.forEach((e, i) => addCalendarDay(atomic, e, next[i]));
      addBlock(atomic, block, { created: true });
      addBlockOccupancy(atomic, block);
    });
    if (committed) return block;
  }
  // Every failed commit means another writer changed one of these days.
  throw overlapError();
}

/**
 * Releases a manual block (its claim, occupancy entries and record) in one
 * atomic. Imported blocks belong to their feed: they go when the event goes
 * from the host's other calendar, or when the feed is removed.
 */
export async function removeBlock(
  kv: Deno.Kv,
  kitchenId: string,
  blockId: string,
): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    if (attempt > 0) await afterLostRace(attempt);
    const entry = await getBlockEntry(kv, kitchenId, blockId);
    const block = entry.value;
    if (!block) throw new NotFoundError("That block is already gone.");
    if (block.source !== "manual") {
      throw new ConflictError(
        "That time comes from an imported calendar: remove the event there, or remove the calendar here.",
      );
    }
    const days = await readCalendarDays(kv, kitchenId, block.claimDays);
    const committed = await commitBookingWrite(kv, {
      occupancyOf: kitchenId,
    }, (atomic) => {
      atomic.check(entry);
      addRelease(atomic, block, days);
    });
    if (committed) return;
  }
  throw new ConflictError(
    "The calendar changed while we were removing that block; please try again.",
  );
}

/** Adds the release of a block (claim, occupancy, record) to an atomic, checking its days as read. */
function addRelease(
  atomic: Deno.AtomicOperation,
  block: Block,
  days: Deno.KvEntryMaybe<CalendarDay>[],
): void {
  for (const e of days) {
    addCalendarDay(
      atomic,
      e,
      withoutClaim(e.value ?? EMPTY_DAY, blockRef(block.id)),
    );
  }
  addBlockRemoval(atomic, block);
  releaseBlockOccupancy(atomic, block);
}

/** One busy interval from another calendar, as parsed from the feed. */
export interface ImportedEvent {
  /** Stable identity within the feed (UID and times): unchanged events are left alone. */
  key: string;
  start: number;
  end: number;
  reason: string;
}

export interface ImportResult {
  /** Blocks written by this import. */
  added: number;
  /** Blocks already there from the previous import, left as they were. */
  kept: number;
  /** Blocks of events no longer in the feed, released. */
  removed: number;
  /** Events that overlap a booking or a live hold: not imported. */
  overlapping: ImportedEvent[];
  /** Busy times left out because their day was full (the caps above). */
  crowded: number;
}

export interface ImportOptions {
  now: number;
  /** Pieces starting at or after this are left out (the end of the booking window). */
  until?: number;
  /**
   * An entry the import must not outlive (the feed's record): every atomic
   * checks it, so removing the feed stops an import running at that moment.
   */
  guard?: Deno.AtomicCheck;
}

/** Blocks per atomic: well inside KV's 1000 mutations and 800 KiB per commit. */
const MAX_BLOCKS_PER_ATOMIC = 100;

/**
 * Busy times one feed may hold on one local day: one every half hour, round
 * the clock. Five feeds at the cap fill about a third of a day document
 * (a claim serialises to about 100 bytes; tests/unit/calendar_sync_test.ts
 * measures it).
 */
export const MAX_IMPORTED_PER_DAY = 48;

/**
 * Claims after which no block (imported or manual) is added to a day
 * document: room left under day_claims.ts MAX_CLAIMS_PER_DAY for the day's
 * bookings and holds, which never overlap, so a day holds few.
 */
export const MAX_DAY_CLAIMS = 400;

/**
 * `pieces` (sorted by start) without those that would put more than `max`
 * on any local day they touch, and how many were left out (pure). Earlier
 * busy times win, so the same feed keeps the same blocks from run to run.
 */
export function capPerDay<T extends { claimDays: readonly string[] }>(
  pieces: readonly T[],
  max: number,
): { kept: T[]; crowded: number } {
  const perDay = new Map<string, number>();
  const kept: T[] = [];
  let crowded = 0;
  for (const p of pieces) {
    if (p.claimDays.some((d) => (perDay.get(d) ?? 0) >= max)) {
      crowded++;
      continue;
    }
    for (const d of p.claimDays) perDay.set(d, (perDay.get(d) ?? 0) + 1);
    kept.push(p);
  }
  return { kept, crowded };
}

type Op =
  | { kind: "remove"; block: Block }
  | { kind: "add"; block: Block; event: ImportedEvent };

/**
 * Makes the feed's blocks match `events` (the feed's whole current set):
 * events already imported are left alone, events gone from the feed are
 * released, new events are claimed unless they overlap a booking or a live
 * hold (those are returned in `overlapping`, not written). Events past the
 * booking window are cut off; past and running events keep their real
 * start, and events longer than a week are cut at local midnights into
 * pieces of at most a week.
 *
 * KV allows only 10 checks per atomic on self-hosted denokv, and a feed can
 * hold hundreds of events, so the work is applied in several atomics, each
 * checking the (at most 10, guard included) day documents it writes. Each
 * atomic is all-or-nothing and every event is claimed against fresh day
 * documents, so no step can overlap a booking; a crash between atomics
 * leaves some events applied, and the next import finishes the job.
 */
export async function replaceImportedBlocks(
  kv: Deno.Kv,
  kitchenId: string,
  feedId: string,
  events: readonly ImportedEvent[],
  opts: ImportOptions,
): Promise<ImportResult> {
  const kitchen = await getKitchen(kv, kitchenId);
  if (!kitchen) throw new NotFoundError("We could not find that kitchen.");
  const now = opts.now;
  const existing = (await listBlocks(kv, kitchenId)).filter((b) =>
    b.source === feedId
  );
  const pieces = new Map<string, ImportedEvent & { claimDays: string[] }>();
  for (const ev of events) {
    for (const piece of splitForClaims(kitchen.timeZone, ev.start, ev.end)) {
      if (piece.end <= now) continue;
      if (opts.until !== undefined && piece.start >= opts.until) break;
      const key = piece.start === ev.start && piece.end === ev.end
        ? ev.key
        : `${ev.key}#${piece.start}`;
      if (!pieces.has(key)) {
        pieces.set(key, {
          ...ev,
          ...piece,
          key,
          claimDays: claimDays(kitchen.timeZone, piece.start, piece.end, 0),
        });
      }
    }
  }
  const capped = capPerDay(
    [...pieces.values()].sort((a, b) =>
      a.start - b.start || a.end - b.end || a.key.localeCompare(b.key)
    ),
    MAX_IMPORTED_PER_DAY,
  );
  const wanted = new Map(capped.kept.map((p) => [p.key, p]));
  const ops: Op[] = [];
  const have = new Set<string>();
  let kept = 0;
  for (const b of existing) {
    if (b.key !== null && wanted.has(b.key) && !have.has(b.key)) {
      have.add(b.key);
      kept++;
    } else {
      ops.push({ kind: "remove", block: b });
    }
  }
  for (const { claimDays: days, ...ev } of capped.kept) {
    if (have.has(ev.key)) continue;
    const block: Block = {
      v: 1,
      id: newId(),
      kitchenId,
      start: ev.start,
      end: ev.end,
      reason: ev.reason,
      source: feedId,
      claimDays: days,
      key: ev.key,
      createdAt: now,
    };
    ops.push({ kind: "add", block, event: ev });
  }

  const result: ImportResult = {
    added: 0,
    kept,
    removed: 0,
    overlapping: [],
    crowded: capped.crowded,
  };
  const maxDays = MAX_CHECKS - (opts.guard ? 1 : 0);
  for (const batch of batches(ops, maxDays)) {
    const done = await applyBatch(kv, kitchenId, batch, now, opts.guard);
    result.added += done.added;
    result.removed += done.removed;
    result.overlapping.push(...done.overlapping);
    result.crowded += done.crowded;
  }
  return result;
}

/** Consecutive operations grouped so each group touches at most `maxDays` day documents. */
function batches(ops: Op[], maxDays: number): Op[][] {
  const out: Op[][] = [];
  let current: Op[] = [];
  let days = new Set<string>();
  for (const op of ops) {
    const next = new Set([...days, ...op.block.claimDays]);
    if (
      current.length > 0 &&
      (next.size > maxDays || current.length >= MAX_BLOCKS_PER_ATOMIC)
    ) {
      out.push(current);
      current = [];
      days = new Set(op.block.claimDays);
    } else {
      days = next;
    }
    current.push(op);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The guard entry changed (the feed was removed): stop importing. */
export class ImportStoppedError extends ConflictError {
  constructor() {
    super("The calendar was changed or removed while it was being imported.");
  }
}

async function applyBatch(
  kv: Deno.Kv,
  kitchenId: string,
  batch: Op[],
  now: number,
  guard: Deno.AtomicCheck | undefined,
): Promise<
  {
    added: number;
    removed: number;
    overlapping: ImportedEvent[];
    crowded: number;
  }
> {
  const dates = [...new Set(batch.flatMap((op) => op.block.claimDays))];
  for (let attempt = 0; attempt < 8; attempt++) {
    if (attempt > 0) await afterLostRace(attempt);
    if (guard && !(await unchanged(kv, guard))) throw new ImportStoppedError();
    const entries = await readCalendarDays(kv, kitchenId, dates);
    const docs = new Map(
      dates.map((d, i) => [d, entries[i].value ?? EMPTY_DAY]),
    );
    const done = {
      added: 0,
      removed: 0,
      overlapping: [] as ImportedEvent[],
      crowded: 0,
    };
    const committed = await commitBookingWrite(kv, {
      occupancyOf: kitchenId,
    }, (atomic) => {
      if (guard) atomic.check(guard);
      for (const op of batch) {
        const b = op.block;
        if (op.kind === "remove") {
          for (const d of b.claimDays) {
            docs.set(d, withoutClaim(docs.get(d)!, blockRef(b.id)));
          }
          addBlockRemoval(atomic, b);
          releaseBlockOccupancy(atomic, b);
          done.removed++;
          continue;
        }
        const claim = blockClaim(b);
        const overlapsBooking = b.claimDays.some((d) =>
          conflictsWith(docs.get(d)!.claims, claim, now).some((c) =>
            !isBlockRef(c.ref) && isLiveClaim(c, now)
          )
        );
        if (overlapsBooking) {
          done.overlapping.push(op.event);
          continue;
        }
        // Other feeds and the host's own blocks share the document: whatever
        // they hold, an import never takes it past the KV value limit.
        if (
          b.claimDays.some((d) => docs.get(d)!.claims.length >= MAX_DAY_CLAIMS)
        ) {
          done.crowded++;
          continue;
        }
        for (const d of b.claimDays) {
          docs.set(d, withClaim(docs.get(d)!, claim, now));
        }
        addBlock(atomic, b);
        addBlockOccupancy(atomic, b);
        done.added++;
      }
      entries.forEach((e, i) => addCalendarDay(atomic, e, docs.get(dates[i])!));
    });
    if (committed) return done;
  }
  throw new ConflictError(
    "The kitchen's calendar kept changing during the import; it will be retried.",
  );
}
