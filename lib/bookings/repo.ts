/**
 * The bookings domain's door to KV (DESIGN §5, §14): bookings and their
 * indexes, the kitchens' calendar day documents, host blocks and renters'
 * unpaid holds. Only this module spells those keys. Writes are built by the
 * callers (holds.ts, lifecycle.ts, blocks.ts) from the `add*` helpers below
 * and land through `commitBookingWrite`, which drops what this instance has
 * cached of the change once it commits, so no caller forgets a cache.
 *
 * Reads here are fresh (never the read cache): fit for decisions, and the
 * entries they return are what the deciding atomic checks.
 */
import { keys } from "../db/keys.ts";
import type { MigrationStep } from "../db/migrations/runner.ts";
import { forgetPrefix } from "../db/read_cache.ts";
import { forgetOccupancy, getKitchen } from "../kitchens/repo.ts";
import { addMetricCounts } from "../metrics/repo.ts";
import { hostViewScope, RENTER_VIEWS } from "./cache_keys.ts";
import { bookingTally, bookingTallyChange } from "./metrics.ts";
import type { CalendarDay } from "./day_claims.ts";
import { REFERENCE_ATTEMPTS, referenceFor } from "./reference.ts";
import type { Block, Booking, RenterHolds, Series } from "./schema.ts";

// ---------------------------------------------------------------------------
// Bookings

/** A booking with its versionstamp, for an atomic that changes it to check. */
export function getBookingEntry(
  kv: Deno.Kv,
  id: string,
): Promise<Deno.KvEntryMaybe<Booking>> {
  return kv.get<Booking>(keys.booking(id));
}

export async function getBooking(
  kv: Deno.Kv,
  id: string,
): Promise<Booking | null> {
  return (await getBookingEntry(kv, id)).value;
}

/** Bookings by id, in the order asked; missing ones are left out. */
export async function getBookings(
  kv: Deno.Kv,
  ids: readonly string[],
): Promise<Booking[]> {
  const out: Booking[] = [];
  // getMany takes at most 10 keys.
  for (let i = 0; i < ids.length; i += 10) {
    const entries = await kv.getMany<Booking[]>(
      ids.slice(i, i + 10).map((id) => keys.booking(id)),
    );
    for (const e of entries) if (e.value) out.push(e.value);
  }
  return out;
}

async function listByIndex(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  limit: number,
): Promise<Booking[]> {
  return await bookingsListed(kv, { prefix }, { limit, reverse: true });
}

/** The bookings an index's entries name (their values are booking ids), in its order. */
async function bookingsListed(
  kv: Deno.Kv,
  selector: Deno.KvListSelector,
  options: Deno.KvListOptions,
): Promise<Booking[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>(selector, options)) ids.push(e.value);
  return await getBookings(kv, ids);
}

/** A renter's bookings, latest start first. */
export function listBookingsByRenter(
  kv: Deno.Kv,
  renterId: string,
  limit = 200,
): Promise<Booking[]> {
  return listByIndex(kv, keys.bookingsByRenterPrefix(renterId), limit);
}

/** A renter's bookings starting in [from, to), soonest first. */
export function listRenterBookingsBetween(
  kv: Deno.Kv,
  renterId: string,
  range: { from: number; to: number; limit: number },
): Promise<Booking[]> {
  return listIndexRange(kv, keys.bookingsByRenterPrefix(renterId), range);
}

/** The bookings of a by-start index whose start is in [from, to), soonest first. */
function listIndexRange(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  range: { from: number; to: number; limit: number },
): Promise<Booking[]> {
  return bookingsListed(kv, {
    start: [...prefix, range.from],
    end: [...prefix, range.to],
  }, { limit: range.limit });
}

/** A host's bookings across their kitchens, latest start first. */
export function listBookingsByHost(
  kv: Deno.Kv,
  hostId: string,
  limit = 200,
): Promise<Booking[]> {
  return listByIndex(kv, keys.bookingsByHostPrefix(hostId), limit);
}

/** A kitchen's bookings starting in [from, to), earliest first, at most `limit`. */
export function listKitchenBookings(
  kv: Deno.Kv,
  kitchenId: string,
  range: { from: number; to: number; limit: number },
): Promise<Booking[]> {
  return listIndexRange(kv, keys.bookingsByKitchenPrefix(kitchenId), range);
}

/** The newest bookings, newest first: ids are ULIDs, so the primary keys are in creation order. */
export async function listNewestBookings(
  kv: Deno.Kv,
  limit: number,
): Promise<Booking[]> {
  const out: Booking[] = [];
  const iter = kv.list<Booking>({ prefix: keys.bookingsPrefix() }, {
    reverse: true,
    limit,
  });
  for await (const e of iter) out.push(e.value);
  return out;
}

/** The booking with that reference ("PRP-7K3Q-9D", as `parseReference` gives it), or null. */
export async function getBookingByReference(
  kv: Deno.Kv,
  reference: string,
): Promise<Booking | null> {
  const id = (await kv.get<string>(keys.bookingByReference(reference))).value;
  return id ? await getBooking(kv, id) : null;
}

/**
 * The first of booking `id`'s references (reference.ts) that no booking
 * has yet. Read, not claimed: the atomic that stores it checks it is still
 * free (`addNewBooking`), and a lost race reads again.
 */
export async function freeReference(
  kv: Deno.Kv,
  id: string,
): Promise<string> {
  for (let attempt = 0; attempt < REFERENCE_ATTEMPTS; attempt++) {
    const ref = referenceFor(id, attempt);
    const taken = await kv.get<string>(keys.bookingByReference(ref));
    if (taken.value === null || taken.value === id) return ref;
  }
  throw new Error(`No free booking reference for ${id}`);
}

/** Adds a new booking and its indexes to an atomic, checked absent. */
export function addNewBooking(
  atomic: Deno.AtomicOperation,
  b: Booking,
): void {
  atomic
    .check({ key: keys.booking(b.id), versionstamp: null })
    .set(keys.booking(b.id), b)
    .set(keys.bookingsByKitchen(b.kitchenId, b.start, b.id), b.id)
    .set(keys.bookingsByRenter(b.renterId, b.start, b.id), b.id)
    .set(keys.bookingsByHost(b.hostId, b.start, b.id), b.id);
  if (b.reference) {
    const ref = keys.bookingByReference(b.reference);
    atomic.check({ key: ref, versionstamp: null }).set(ref, b.id);
  }
  addMetricCounts(atomic, bookingTallyChange(null, b));
}

/** Migration: bookings made before references get one, with its index entry. */
export const bookingReferencesMigration: MigrationStep<Booking> = {
  prefix: keys.bookingsPrefix(),
  legacyBackfill: "bookings_by_reference",
  migrate: async (atomic, e, kv) => {
    if (e.value.reference) return;
    const reference = await freeReference(kv, e.value.id);
    const ref = keys.bookingByReference(reference);
    atomic.check({ key: ref, versionstamp: null })
      .set(ref, e.value.id)
      .set(e.key, { ...e.value, reference });
  },
};

/**
 * Migration, and the rebuild of the figures after an import: a booking
 * from before cities were kept gets its kitchen's city, and adds its whole
 * tally to the figures (metrics.ts), in one atomic.
 */
export const bookingFiguresMigration: MigrationStep<Booking> = {
  prefix: keys.bookingsPrefix(),
  migrate: async (atomic, e, kv) => {
    let b = e.value;
    if (!b.city) {
      const city = (await getKitchen(kv, b.kitchenId))?.address.city;
      if (city) {
        b = { ...b, city };
        atomic.set(e.key, b);
      }
    }
    addMetricCounts(atomic, bookingTally(b));
  },
};

/**
 * Adds the rewrite of a booking to an atomic, checking the entry it was
 * read as. Its times stay (a move is `addBookingMove`), so its indexes stay
 * as they are; the figures move by what the rewrite changes (metrics.ts),
 * in the same atomic.
 */
export function addBookingUpdate(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntryMaybe<Booking>,
  next: Booking,
): void {
  atomic.check(read).set(keys.booking(next.id), next);
  addMetricCounts(atomic, bookingTallyChange(read.value, next));
}

/**
 * Adds the rewrite of a booking whose time changed (moves.ts) to an
 * atomic, checking the entry it was read as: its indexes, keyed by the
 * start, move with it.
 */
export function addBookingMove(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntry<Booking>,
  next: Booking,
): void {
  const b = read.value;
  atomic.check(read).set(keys.booking(next.id), next);
  // Its hours (and any money the move took) move in the figures too.
  addMetricCounts(atomic, bookingTallyChange(b, next));
  if (b.start === next.start) return;
  atomic
    .delete(keys.bookingsByKitchen(b.kitchenId, b.start, b.id))
    .delete(keys.bookingsByRenter(b.renterId, b.start, b.id))
    .delete(keys.bookingsByHost(b.hostId, b.start, b.id))
    .set(keys.bookingsByKitchen(next.kitchenId, next.start, next.id), next.id)
    .set(keys.bookingsByRenter(next.renterId, next.start, next.id), next.id)
    .set(keys.bookingsByHost(next.hostId, next.start, next.id), next.id);
}

// ---------------------------------------------------------------------------
// The kitchen's calendar and the renter's holds

/** A kitchen's calendar day documents of `dates`, in order, as entries to check. */
export function readCalendarDays(
  kv: Deno.Kv,
  kitchenId: string,
  dates: readonly string[],
): Promise<Deno.KvEntryMaybe<CalendarDay>[]> {
  return kv.getMany<CalendarDay[]>(
    dates.map((d) => keys.calendarDay(kitchenId, d)),
  );
}

/** Adds the rewrite of a calendar day document to an atomic, checking it as read. */
export function addCalendarDay(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntryMaybe<CalendarDay>,
  next: CalendarDay,
): void {
  atomic.check(read).set(read.key, next);
}

/** A renter's unpaid holds, as an entry to check. */
export function getRenterHoldsEntry(
  kv: Deno.Kv,
  renterId: string,
): Promise<Deno.KvEntryMaybe<RenterHolds>> {
  return kv.get<RenterHolds>(keys.renterHolds(renterId));
}

/** Adds the renter's holds after a change to an atomic, checking them as read. */
export function addRenterHolds(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntryMaybe<RenterHolds>,
  renterId: string,
  next: RenterHolds,
): void {
  atomic.check(read).set(keys.renterHolds(renterId), next);
}

/** Removes a renter's holds entry (their account is being deleted), checked against `read`. */
export function addRenterHoldsRemoval(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntryMaybe<RenterHolds>,
): void {
  atomic.check(read).delete(read.key);
}

// ---------------------------------------------------------------------------
// Booking drafts (drafts.ts)

/** A renter's booking draft as stored (unparsed: drafts.ts reads it), with its versionstamp. */
export function getDraftEntry(
  kv: Deno.Kv,
  userId: string,
): Promise<Deno.KvEntryMaybe<unknown>> {
  return kv.get(keys.bookingDraft(userId));
}

/** Stores a renter's booking draft; KV may drop it once `ttlMs` has passed. */
export async function setDraft(
  kv: Deno.Kv,
  userId: string,
  draft: unknown,
  ttlMs: number,
): Promise<void> {
  await kv.set(keys.bookingDraft(userId), draft, { expireIn: ttlMs });
}

/** Adds the removal of a renter's booking draft to an atomic (the hours were held). */
export function addDraftRemoval(
  atomic: Deno.AtomicOperation,
  userId: string,
): void {
  atomic.delete(keys.bookingDraft(userId));
}

// ---------------------------------------------------------------------------
// Host blocks

/** A block with its versionstamp, for the atomic that releases it to check. */
export function getBlockEntry(
  kv: Deno.Kv,
  kitchenId: string,
  blockId: string,
): Promise<Deno.KvEntryMaybe<Block>> {
  return kv.get<Block>(keys.kitchenBlock(kitchenId, blockId));
}

/** Blocks of a kitchen by id (at most 10, one read); missing ones are left out. */
export async function getBlocks(
  kv: Deno.Kv,
  kitchenId: string,
  ids: readonly string[],
): Promise<Block[]> {
  const entries = await kv.getMany<Block[]>(
    ids.slice(0, 10).map((id) => keys.kitchenBlock(kitchenId, id)),
  );
  return entries.flatMap((e) => e.value ? [e.value] : []);
}

/** A kitchen's blocks (manual and imported) that end after `from`, by start. */
export async function listBlocks(
  kv: Deno.Kv,
  kitchenId: string,
  from = -Infinity,
): Promise<Block[]> {
  const out: Block[] = [];
  for await (
    const e of kv.list<Block>({ prefix: keys.kitchenBlocksPrefix(kitchenId) })
  ) {
    if (e.value.end > from) out.push(e.value);
  }
  return out.sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
}

/** Adds a block's record to an atomic; `created` checks that it is new. */
export function addBlock(
  atomic: Deno.AtomicOperation,
  b: Block,
  opts: { created?: boolean } = {},
): void {
  const key = keys.kitchenBlock(b.kitchenId, b.id);
  if (opts.created) atomic.check({ key, versionstamp: null });
  atomic.set(key, b);
}

/** Adds the deletion of a block's record to an atomic. */
export function addBlockRemoval(
  atomic: Deno.AtomicOperation,
  b: Pick<Block, "kitchenId" | "id">,
): void {
  atomic.delete(keys.kitchenBlock(b.kitchenId, b.id));
}

/** Whether an entry another module guards a write with is still as it was read. */
export async function unchanged(
  kv: Deno.Kv,
  check: Deno.AtomicCheck,
): Promise<boolean> {
  return (await kv.get(check.key)).versionstamp === check.versionstamp;
}

// ---------------------------------------------------------------------------
// Standing bookings (series.ts)

/** A series with its versionstamp, for the atomic that changes it to check. */
export function getSeriesEntry(
  kv: Deno.Kv,
  id: string,
): Promise<Deno.KvEntryMaybe<Series>> {
  return kv.get<Series>(keys.bookingSeries(id));
}

export async function getSeries(
  kv: Deno.Kv,
  id: string,
): Promise<Series | null> {
  return (await getSeriesEntry(kv, id)).value;
}

/** Adds a new series and its indexes to an atomic, checked absent. */
export function addNewSeries(atomic: Deno.AtomicOperation, s: Series): void {
  atomic
    .check({ key: keys.bookingSeries(s.id), versionstamp: null })
    .set(keys.bookingSeries(s.id), s)
    .set(keys.bookingSeriesByRenter(s.renterId, s.id), s.id)
    .set(keys.bookingSeriesByHost(s.hostId, s.id), s.id);
}

/** Adds the rewrite of a series to an atomic, checking the entry it was read as. */
export function addSeriesUpdate(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntryMaybe<Series>,
  next: Series,
): void {
  atomic.check(read).set(keys.bookingSeries(next.id), next);
}

async function listSeriesByIndex(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  limit: number,
): Promise<Series[]> {
  const ids: string[] = [];
  for await (
    const e of kv.list<string>({ prefix }, { limit, reverse: true })
  ) ids.push(e.value);
  const out: Series[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const entries = await kv.getMany<Series[]>(
      ids.slice(i, i + 10).map((id) => keys.bookingSeries(id)),
    );
    for (const e of entries) if (e.value) out.push(e.value);
  }
  return out;
}

/** A renter's standing bookings, newest first. */
export function listSeriesByRenter(
  kv: Deno.Kv,
  renterId: string,
  limit = 50,
): Promise<Series[]> {
  return listSeriesByIndex(
    kv,
    keys.bookingSeriesByRenterPrefix(renterId),
    limit,
  );
}

/** A host's standing bookings across their kitchens, newest first. */
export function listSeriesByHost(
  kv: Deno.Kv,
  hostId: string,
  limit = 200,
): Promise<Series[]> {
  return listSeriesByIndex(kv, keys.bookingSeriesByHostPrefix(hostId), limit);
}

// ---------------------------------------------------------------------------
// Committing

/** What a booking write changed, so its commit drops the cached views of it. */
export interface Touched {
  /** The kitchen whose calendar (occupancy) changed. */
  occupancyOf?: string;
  /** The host whose booking views (dashboard, calendar) changed. */
  hostViewOf?: string;
}

/**
 * How often a write that touches a kitchen's day records tries before it
 * gives up. Each of a day's holds, payments and cancellations rewrites the
 * same record, so twenty renters booking different hours of one kitchen's
 * day at once each lose a few races before their turn: every loss costs a
 * fresh read and a pause (`afterLostRace`), never a wrong answer.
 */
export const DAY_WRITE_ATTEMPTS = 40;

/**
 * Waits a moment before retry `attempt` (from 1) of a write that lost a
 * race. Writers that retry at once collide again with the same others; a
 * random pause, a little longer each time (at most 50 ms), lets them take
 * turns.
 */
export function afterLostRace(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Builds one atomic with `write` and commits it (DESIGN §5: one atomic per
 * logical write). When it lands, this instance drops its cached busy times
 * of the kitchen and its cached views of the host, so nobody sees their own
 * change late. False when one of its checks failed: the caller re-reads.
 */
export async function commitBookingWrite(
  kv: Deno.Kv,
  touched: Touched,
  write: (atomic: Deno.AtomicOperation) => void,
): Promise<boolean> {
  const atomic = kv.atomic();
  write(atomic);
  if (!(await atomic.commit()).ok) return false;
  if (touched.occupancyOf) forgetOccupancy(kv, touched.occupancyOf);
  if (touched.hostViewOf) forgetPrefix(kv, hostViewScope(touched.hostViewOf));
  // Renters' lists show every booking's state (cache_keys.ts).
  forgetPrefix(kv, RENTER_VIEWS);
  return true;
}

/**
 * Commits a standing booking's record change (series.ts), built by
 * `write`; drops the cached views of its host and of renters, as a
 * booking write does. False when a check failed.
 */
export async function commitSeriesWrite(
  kv: Deno.Kv,
  hostId: string,
  write: (atomic: Deno.AtomicOperation) => void,
): Promise<boolean> {
  return await commitBookingWrite(kv, { hostViewOf: hostId }, write);
}
