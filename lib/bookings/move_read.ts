/**
 * Reading a change of time (moves.ts): the booking, the day documents both
 * times touch, the new time priced, and the checks every step repeats.
 */
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { type PaymentsMode } from "../hosts/payouts.ts";
import { checkInterval, rejectionMessage } from "../kitchens/availability.ts";
import { rulesOf } from "../kitchens/free_time.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import {
  busyIntervals,
  type CalendarDay,
  claimDays as daysOf,
  conflictsWith,
  EMPTY_DAY,
  withoutClaim,
} from "./day_claims.ts";
import {
  type BookingPolicy,
  type Fees,
  quoteFor,
  requestedInterval,
} from "./holds.ts";
import { type LifecycleDeps } from "./lifecycle.ts";
import { moveClaimRef, moveDifference } from "./move_rules.ts";
import type { Quote } from "./pricing.ts";
import { getBookingEntry, readCalendarDays } from "./repo.ts";
import type { Booking, PendingMove } from "./schema.ts";

export interface MoveDeps extends LifecycleDeps {
  fees: Fees;
  policy: BookingPolicy;
  payments: PaymentsMode | "off";
}

/** The new time a renter picked, on the kitchen's wall clock. */
export interface MoveAsk {
  date: string;
  start: string;
  end: string;
  /** The condition codes the renter ticked on the review page. */
  acknowledge?: string[];
}

/** Read for a decision: the booking, its kitchen, and the day documents both times touch. */
export interface MoveRead {
  entry: Deno.KvEntry<Booking>;
  kitchen: Kitchen;
  target: Omit<
    PendingMove,
    | "id"
    | "status"
    | "byApproval"
    | "requestedAt"
    | "deadline"
    | "checkoutSessionId"
    | "payUrl"
    | "problem"
  >;
  bufferMs: number;
  days: Deno.KvEntryMaybe<CalendarDay>[];
  dates: string[];
}

const same = "That is this booking's time already. Pick another time.";

export async function bookingEntry(
  kv: Deno.Kv,
  id: string,
): Promise<Deno.KvEntry<Booking>> {
  const entry = await getBookingEntry(kv, id);
  if (!entry.value) throw new NotFoundError("We could not find that booking.");
  return entry as Deno.KvEntry<Booking>;
}

/**
 * The day documents of both times, as entries to check, and the new time
 * priced at the kitchen's prices now and the booking's fee rates.
 */
export async function readMove(
  deps: LifecycleDeps & Partial<Pick<MoveDeps, "policy">>,
  entry: Deno.KvEntry<Booking>,
  kitchen: Kitchen,
  ask: MoveAsk,
  /** A pending move keeps the price it was asked at. */
  priced?: Quote,
): Promise<MoveRead> {
  const b = entry.value;
  const interval = requestedInterval(kitchen, ask);
  if (interval.start === b.start && interval.end === b.end) {
    throw new ValidationError({ start: same }, same);
  }
  const bufferMs = kitchen.bufferMinutes * 60_000;
  const claimDays = daysOf(
    kitchen.timeZone,
    interval.start,
    interval.end,
    bufferMs,
  );
  if (!priced && !deps.policy) {
    throw new Error("Pricing a move needs the city's policy");
  }
  const quote = priced ?? quoteFor(kitchen, interval, {
    renterFeeBps: b.quote.renterFeeBps,
    platformFeeBps: b.quote.platformFeeBps,
  }, deps.policy!);
  const difference = moveDifference(b.quote, quote);
  if (!difference) {
    throw new ConflictError(
      "This kitchen's prices changed since you booked in a way we cannot settle as a difference. Cancel this booking and book the new time instead.",
    );
  }
  const dates = [...new Set([...b.claimDays, ...claimDays])];
  const days = await readCalendarDays(deps.kv, kitchen.id, dates);
  return {
    entry,
    kitchen,
    bufferMs,
    days,
    dates,
    target: {
      start: interval.start,
      end: interval.end,
      localDate: ask.date,
      localStart: ask.start,
      localEnd: ask.end,
      claimDays,
      quote,
      differenceCents: difference.amountCents,
    },
  };
}

/** The documents with this booking's own claims (its time and any pending move) taken out. */
export function othersOnly(read: MoveRead): CalendarDay[] {
  const id = read.entry.value.id;
  return read.days.map((d) =>
    withoutClaim(withoutClaim(d.value ?? EMPTY_DAY, id), moveClaimRef(id))
  );
}

/**
 * Refuses a new time the kitchen's rules or calendar do not allow, as a
 * hold would (the booking's own time counts as free).
 */
export function checkTime(
  read: MoveRead,
  now: number,
  /** False when settling a move whose time was checked when it was asked. */
  rules = true,
): void {
  const { kitchen, target } = read;
  const kitchenRules = rulesOf(kitchen);
  const docs = othersOnly(read).filter((_, i) =>
    target.claimDays.includes(read.dates[i])
  );
  const interval = { start: target.start, end: target.end };
  const verdict = checkInterval(
    kitchenRules,
    interval,
    busyIntervals(docs, now),
    now,
  );
  const taken = !verdict.ok &&
    (verdict.reason === "overlaps" || verdict.reason === "inside_buffer");
  const conflicts = docs.flatMap((d) =>
    conflictsWith(
      d.claims,
      { ref: "", ...interval, bufferMs: read.bufferMs },
      now,
    )
  );
  if (taken || conflicts.length > 0) {
    throw new ConflictError(
      "Someone else has just booked part of that time. Your booking is unchanged; please pick another time.",
    );
  }
  if (!verdict.ok && rules) {
    const message = rejectionMessage(verdict.reason, kitchenRules);
    throw new ValidationError({ start: message }, message);
  }
}
