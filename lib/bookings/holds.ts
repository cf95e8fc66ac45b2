/**
 * Taking a kitchen's time: a hold is one atomic that checks the calendar day
 * documents it touches (and the renter's holds) by versionstamp and writes
 * the booking, its indexes, the occupancy entries, the claim and the
 * hold-expiry job together (DESIGN §5, §12). The decision re-reads KV —
 * never the read cache — and re-checks every availability rule.
 */
import {
  type AvailabilityRules,
  checkInterval,
  lengthProblem,
  rejectionMessage,
} from "../kitchens/availability.ts";
import { calendarFacts, judgeDate } from "./series_verdict.ts";
import type { SessionUser } from "../accounts/schema.ts";
import { decide } from "../accounts/roles.ts";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from "../errors.ts";
import { canTakeBookings } from "../hosts/payouts.ts";
import { getHostFresh } from "../hosts/repo.ts";
import { newId } from "../ids.ts";
import { addJob } from "../jobs/outbox.ts";
import { localInstant, rulesOf } from "../kitchens/free_time.ts";
import { addOccupancy, getKitchen, isListed } from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import {
  busyIntervals,
  type CalendarClaim,
  type CalendarDay,
  claimDays,
  conflictsWith,
  EMPTY_DAY,
  isLiveClaim,
  MAX_CLAIMS_PER_DAY,
  withClaim,
} from "./day_claims.ts";
import { type ExtraLine, type Quote, quote } from "./pricing.ts";
import {
  addCalendarDay,
  addDraftRemoval,
  addNewBooking,
  addRenterHolds,
  afterLostRace,
  commitBookingWrite,
  DAY_WRITE_ATTEMPTS,
  freeReference,
  getDraftEntry,
  getRenterHoldsEntry,
  readCalendarDays,
} from "./repo.ts";
import type {
  Booking,
  BookingMode,
  HoldRequest,
  RenterHolds,
  ReviewRequest,
} from "./schema.ts";
import { HOLD_EXPIRY_JOB } from "../job_names.ts";
import { countHold } from "../telemetry.ts";

/** A hold lasts 35 minutes: it outlives the Checkout Session. */
export const HOLD_MS = 35 * 60_000;
/**
 * Stripe refuses an `expires_at` less than 30 minutes after it creates the
 * session, and it creates it after our clock read `now` (network time, clock
 * skew): a minute of margin keeps a request from failing at the boundary.
 */
export const CHECKOUT_MS = 31 * 60_000;
/** Unpaid holds a renter may have at once, so nobody can lock a kitchen's week. */
export const MAX_LIVE_HOLDS = 3;

export const DAY_RECORD_FULL =
  "The kitchen's calendar for that day is full; pick another day.";

export interface Fees {
  renterFeeBps: number;
  platformFeeBps: number;
}

/** One reason of a policy's verdict, in plain words for the renter. */
export interface PolicyReason {
  code: string;
  message: string;
  /**
   * A deny that only the renter's own documents cause (insurance,
   * training): a standing booking's later date can wait for a renewed one
   * (series_verdict.ts).
   */
  renterDocument?: boolean;
}

/** One document a booking needs, and where the renter stands on it (for the review page). */
export interface DocumentNeed {
  /** What is needed, in the city's words. */
  requirement: string;
  /** "missing", "in_review", "verified"…: the policy's own states. */
  state: string;
  /** "In review". */
  label: string;
  /** "Prep is checking it, usually within a working day." */
  detail: string;
  ok: boolean;
}

/** What a booking policy decides about one renter, kitchen and interval. */
export interface Assessment {
  decision: "ALLOW" | "ALLOW_WITH_CONDITIONS" | "DENY";
  denies: PolicyReason[];
  conditions: PolicyReason[];
  /** What the decision read, checked in the hold's atomic so it cannot go stale. */
  checks: Deno.AtomicCheck[];
  /**
   * Set when the only reasons to deny are the renter's documents waiting
   * for review: the conditions the booking would have once they are
   * verified. Such hours may be requested (`awaitDocuments`).
   */
  inReview?: { conditions: PolicyReason[] };
  /** The renter's documents against what this booking needs; absent for a visitor. */
  documents?: DocumentNeed[];
}

export interface AssessInput {
  kitchen: Kitchen;
  /** Null for a visitor not signed in: only the kitchen's side is judged. */
  renterId: string | null;
  interval: { start: number; end: number };
  /** The local date the booking starts on. */
  localDate: string;
  /** The calendar day documents of `claimDays`, in order, as read. */
  days: { date: string; doc: CalendarDay }[];
  now: number;
}

/**
 * The rules beyond the calendar that a booking must pass: the city's
 * compliance rules, supplied from above (lib/compliance) because bookings
 * sit below compliance. Required, so no caller can take time without it.
 */
export interface BookingPolicy {
  /** Lines the city adds to a quote (its fees), from the quote without them. */
  extraLines(kitchen: Kitchen, base: Quote): ExtraLine[];
  assess(kv: Deno.Kv, input: AssessInput): Promise<Assessment>;
}

/** What a hold needs: a slice of the app's services (lib/app.ts) at one instant. */
export interface HoldDeps {
  kv: Deno.Kv;
  now: number;
  fees: Fees;
  /** The city's rules (lib/compliance), applied inside every hold. */
  policy: BookingPolicy;
  wake: boolean;
  /**
   * How renters pay: Stripe Checkout or the demo checkout, recorded on the
   * booking; with payments off nothing can be booked.
   */
  payments: "stripe" | "demo" | "off";
}

export const PAYMENTS_OFF =
  "Payments are not set up on this site, so kitchens cannot be booked here.";

/** The instants of a picked date and wall-clock times; an end at or before the start is the next day. */
export function requestedInterval(
  k: Pick<Kitchen, "timeZone">,
  req: Pick<HoldRequest, "date" | "start" | "end">,
): { start: number; end: number } {
  const start = localInstant(k.timeZone, req.date, req.start);
  const endDate = req.end <= req.start
    ? Temporal.PlainDate.from(req.date).add({ days: 1 }).toString()
    : req.date;
  const end = req.end === "24:00"
    ? localInstant(k.timeZone, req.date, "24:00")
    : localInstant(k.timeZone, endDate, req.end);
  return { start, end };
}

/** The kitchen's mode: kitchens from before request-to-book are instant. */
export function bookingModeOf(k: Kitchen): BookingMode {
  return (k as Partial<Pick<Kitchen, "bookingMode">>).bookingMode ??
    "instant";
}

/** The quote for a kitchen and interval, at today's fees, with the policy's lines (pure). */
export function quoteFor(
  k: Kitchen,
  interval: { start: number; end: number },
  fees: Fees,
  policy: Pick<BookingPolicy, "extraLines">,
): Quote {
  const base = baseQuote(k, interval, fees);
  const extraLines = policy.extraLines(k, base);
  return extraLines.length === 0 ? base : quote({
    hourlyPriceCents: k.hourlyPriceCents,
    cleaningFeeCents: k.cleaningFeeCents,
    durationMinutes: base.durationMinutes,
    renterFeeBps: fees.renterFeeBps,
    platformFeeBps: fees.platformFeeBps,
    extraLines,
  });
}

function baseQuote(
  k: Kitchen,
  interval: { start: number; end: number },
  fees: Fees,
): Quote {
  const minutes = Math.round((interval.end - interval.start) / 60_000);
  if (minutes <= 0 || minutes % 30 !== 0) {
    throw new ValidationError(
      { end: "Pick an end time in half-hour steps after the start." },
      "Pick an end time after the start.",
    );
  }
  return quote({
    hourlyPriceCents: k.hourlyPriceCents,
    cleaningFeeCents: k.cleaningFeeCents,
    durationMinutes: minutes,
    renterFeeBps: fees.renterFeeBps,
    platformFeeBps: fees.platformFeeBps,
  });
}

/**
 * What the review page shows before anything is held: the kitchen, the
 * interval and its quote, after the availability rules (read fresh). A
 * number of hours (the no-JavaScript form) must be one the kitchen takes.
 */
export async function previewHold(
  deps: Pick<HoldDeps, "kv" | "now" | "fees" | "policy">,
  req: ReviewRequest,
  renterId: string | null = null,
): Promise<
  {
    kitchen: Kitchen;
    start: number;
    end: number;
    quote: Quote;
    assessment: Assessment;
  }
> {
  const kitchen = await bookableKitchen(deps.kv, req.kitchen);
  if (req.hours !== undefined) {
    const problem = lengthProblem(kitchen, req.hours);
    if (problem) throw new ValidationError({ hours: problem }, problem);
  }
  const interval = requestedInterval(kitchen, req);
  const q = quoteFor(kitchen, interval, deps.fees, deps.policy);
  const days = claimDays(
    kitchen.timeZone,
    interval.start,
    interval.end,
    kitchen.bufferMinutes * 60_000,
  );
  const [entries, holds] = await Promise.all([
    readCalendarDays(deps.kv, kitchen.id, days),
    renterId ? getRenterHoldsEntry(deps.kv, renterId) : null,
  ]);
  const docs = entries.map((e) => e.value ?? EMPTY_DAY);
  checkRules(kitchen, interval, docs, deps.now, holds?.value ?? []);
  const assessment = await deps.policy.assess(deps.kv, {
    kitchen,
    renterId,
    interval,
    localDate: req.date,
    days: days.map((date, i) => ({ date, doc: docs[i] })),
    now: deps.now,
  });
  return { kitchen, ...interval, quote: q, assessment };
}

export async function bookableKitchen(
  kv: Deno.Kv,
  id: string,
): Promise<Kitchen> {
  const kitchen = await getKitchen(kv, id);
  if (!kitchen || kitchen.status !== "published") {
    throw new NotFoundError("We could not find that kitchen.");
  }
  if (!isListed(kitchen)) {
    throw new ConflictError(
      "This kitchen is not taking bookings right now: its permits are being renewed or checked by Prep.",
    );
  }
  return kitchen;
}

function checkRules(
  kitchen: Kitchen,
  interval: { start: number; end: number },
  days: CalendarDay[],
  now: number,
  /** The renter's unpaid holds: their own time is not "someone else's". */
  mine: RenterHolds,
): void {
  const rules = rulesOf(kitchen);
  const verdict = checkInterval(rules, interval, busyIntervals(days, now), now);
  const taken = !verdict.ok &&
    (verdict.reason === "overlaps" || verdict.reason === "inside_buffer");
  if (!verdict.ok && !taken) {
    const message = rejectionMessage(verdict.reason, rules);
    throw new ValidationError({ start: message }, message);
  }
  const claim = {
    ref: "",
    ...interval,
    bufferMs: kitchen.bufferMinutes * 60_000,
  };
  const conflicts = days.flatMap((d) => conflictsWith(d.claims, claim, now));
  if (taken || conflicts.length > 0) {
    throw takenError(whoHasTaken(conflicts, mine, interval, now));
  }
}

/** Whose the time is that a request ran into, as far as the renter may know. */
export type Taken =
  | { by: "other" }
  /** The renter's own live hold of exactly this time. */
  | { by: "you"; bookingId: string }
  /** Only the renter's own live holds, of other (overlapping) times. */
  | { by: "you_partly" };

/**
 * Who holds the time of the live `conflicts` a request for `interval` ran
 * into: the renter themselves (a second submit of the same form) or anyone
 * else. Another renter's hold never names its booking.
 */
export function whoHasTaken(
  conflicts: readonly CalendarClaim[],
  mine: RenterHolds,
  interval: { start: number; end: number },
  now: number,
): Taken {
  const held = new Set(
    mine.filter((h) => h.expiresAt > now).map((h) => h.bookingId),
  );
  const live = conflicts.filter((c) => isLiveClaim(c, now));
  const own = live.filter((c) => held.has(c.ref));
  const same = own.find((c) =>
    c.start === interval.start && c.end === interval.end
  );
  if (same) return { by: "you", bookingId: same.ref };
  return own.length > 0 && own.length === live.length
    ? { by: "you_partly" }
    : { by: "other" };
}

/** What a renter hears when the day's record stayed too busy to write. */
export const BUSY_DAY =
  "Several people are booking this kitchen right now; please try again in a moment.";

/** The conflict a renter is shown for time that is taken. */
export function takenError(taken: Taken): ConflictError {
  switch (taken.by) {
    case "you":
      return new ConflictError("You already hold this time.", {
        href: `/bookings/${taken.bookingId}`,
        label: "Go to your booking to pay for it",
      });
    case "you_partly":
      return new ConflictError(
        "Part of that time is in one of your bookings waiting for payment. Pick other hours, or pay for that booking.",
        { href: "/bookings", label: "Your bookings" },
      );
    case "other":
      return new ConflictError(
        "Someone else has just booked part of that time. Please pick another time.",
      );
  }
}

/**
 * Refuses a denied booking, and one whose conditions the renter has not
 * each acknowledged; otherwise what the booking records of them. With
 * `awaitDocuments`, a denial that only documents in review cause is
 * accepted on the conditions the booking will have once they are verified
 * (the hold then waits for them: `waitingFor: "documents"`).
 */
export function acceptedConditions(
  assessment: Assessment,
  acknowledged: readonly string[],
  now: number,
  awaitDocuments = false,
): NonNullable<Booking["compliance"]> {
  let conditions = assessment.conditions;
  if (assessment.decision === "DENY") {
    if (!awaitDocuments || !assessment.inReview) {
      const why = assessment.denies.map((d) => d.message).join(" ");
      throw new ValidationError(
        { compliance: why },
        `You can't book this: ${why}`,
      );
    }
    conditions = assessment.inReview.conditions;
  }
  const missing = conditions.filter((c) => !acknowledged.includes(c.code));
  if (missing.length > 0) {
    throw new ValidationError(
      {
        acknowledge: "Tick each condition to confirm you have read it.",
      },
      "Please confirm each condition of this booking.",
    );
  }
  return {
    decision: conditions.length > 0 ? "ALLOW_WITH_CONDITIONS" : "ALLOW",
    conditions: conditions.map(({ code, message }) => ({ code, message })),
    acknowledgedAt: now,
  };
}

/**
 * Creates a booking: holds the kitchen's time for `renter` for HOLD_MS
 * while they pay (lib/payments takes the held booking to checkout). Throws
 * ConflictError when the time is taken (by any concurrent writer), when the
 * site takes no payments or the host cannot be paid yet; a ValidationError
 * when the rules refuse it, ForbiddenError when the renter may not book.
 */
export async function createHold(
  deps: HoldDeps,
  renter: SessionUser,
  req: HoldRequest,
): Promise<Booking> {
  const payments = deps.payments;
  if (payments === "off") throw new ConflictError(PAYMENTS_OFF);
  const may = decide(renter, "book");
  if (!may.ok) throw new ForbiddenError(may.reason);
  const kitchen = await bookableKitchen(deps.kv, req.kitchen);
  if (kitchen.hostId === renter.id) {
    throw new ValidationError({}, "You cannot book your own kitchen.");
  }
  const host = (await getHostFresh(deps.kv, kitchen.hostId)).value;
  if (!host || !canTakeBookings(host, payments)) {
    throw new ConflictError(
      "This kitchen is not taking bookings yet: its host has not finished setting up payouts.",
    );
  }
  const interval = requestedInterval(kitchen, req);
  const q = quoteFor(kitchen, interval, deps.fees, deps.policy);
  const bufferMs = kitchen.bufferMinutes * 60_000;
  const days = claimDays(
    kitchen.timeZone,
    interval.start,
    interval.end,
    bufferMs,
  );
  const id = newId();
  const now = deps.now;
  const holdExpiresAt = now + HOLD_MS;
  // The draft of these hours (drafts.ts) has done its job once they are held.
  const draft = (await getDraftEntry(deps.kv, renter.id)).value as
    | Partial<HoldRequest>
    | null;
  const draftDone = draft?.kitchen === req.kitchen &&
    draft.date === req.date && draft.start === req.start &&
    draft.end === req.end;

  for (let attempt = 0; attempt < DAY_WRITE_ATTEMPTS; attempt++) {
    if (attempt > 0) await afterLostRace(attempt);
    const [entries, holds, reference] = await Promise.all([
      readCalendarDays(deps.kv, kitchen.id, days),
      getRenterHoldsEntry(deps.kv, renter.id),
      freeReference(deps.kv, id),
    ]);
    const dayDocs = entries.map((e) => e.value ?? EMPTY_DAY);
    checkRules(kitchen, interval, dayDocs, now, holds.value ?? []);
    const claim = {
      ref: id,
      start: interval.start,
      end: interval.end,
      bufferMs,
      expiresAt: holdExpiresAt,
    };
    const nextDocs = dayDocs.map((d) => withClaim(d, claim, now));
    if (nextDocs.some((d) => d.claims.length > MAX_CLAIMS_PER_DAY)) {
      // Only a record filled before the caps on blocks gets here.
      throw new ConflictError(DAY_RECORD_FULL);
    }
    // Recomputed from KV on every attempt; never what the page showed.
    const assessment = await deps.policy.assess(deps.kv, {
      kitchen,
      renterId: renter.id,
      interval,
      localDate: req.date,
      days: days.map((date, i) => ({ date, doc: dayDocs[i] })),
      now,
    });
    const compliance = acceptedConditions(
      assessment,
      req.acknowledge ?? [],
      now,
      req.awaitDocuments,
    );
    // Only documents in review stand in the way: the time is held as a
    // request until staff decide (lib/compliance/document_requests.ts).
    const waitsForDocuments = assessment.decision === "DENY";
    const live = (holds.value ?? []).filter((h) => h.expiresAt > now);
    if (live.length >= MAX_LIVE_HOLDS) {
      throw new ConflictError(
        `You already have ${MAX_LIVE_HOLDS} bookings waiting for payment. Pay for one, or wait until a hold lapses (35 minutes after it started).`,
      );
    }
    const mode = bookingModeOf(kitchen);
    const booking: Booking = {
      v: 1,
      id,
      reference,
      kitchenId: kitchen.id,
      renterId: renter.id,
      hostId: kitchen.hostId,
      start: interval.start,
      end: interval.end,
      timeZone: kitchen.timeZone,
      localDate: req.date,
      localStart: req.start,
      localEnd: req.end,
      status: "held",
      mode,
      quote: q,
      cancellationPolicy: kitchen.cancellationPolicy,
      bufferMs,
      claimDays: days,
      holdExpiresAt,
      respondBy: null,
      payment: {
        provider: payments,
        checkoutSessionId: null,
        paymentIntentId: null,
        chargeId: null,
      },
      ledger: [],
      accessCode: null,
      cancellation: null,
      disputed: false,
      note: null,
      rulesAcceptedAt: now,
      requestMessage: mode === "request" ? req.message ?? null : null,
      compliance,
      ...(waitsForDocuments ? { waitingFor: "documents" as const } : {}),
      createdAt: now,
      updatedAt: now,
    };
    const committed = await commitBookingWrite(deps.kv, {
      occupancyOf: kitchen.id,
      hostViewOf: kitchen.hostId,
    }, (atomic) => {
      atomic.check(...assessment.checks);
      addNewBooking(atomic, booking);
      entries.forEach((e, i) => addCalendarDay(atomic, e, nextDocs[i]));
      addOccupancy(atomic, kitchen.id, interval.start, id, {
        end: interval.end,
        expiresAt: holdExpiresAt,
      });
      addRenterHolds(atomic, holds, renter.id, [...live, {
        bookingId: id,
        expiresAt: holdExpiresAt,
      }]);
      if (draftDone) addDraftRemoval(atomic, renter.id);
      addJob(atomic, {
        id: `booking-expiry:${id}`,
        type: HOLD_EXPIRY_JOB,
        payload: { bookingId: id },
        runAt: holdExpiresAt,
      }, { now, wake: deps.wake });
    });
    if (committed) {
      countHold(payments);
      return booking;
    }
  }
  // Every attempt found the hours free (the rules above re-read them) and
  // lost its commit to another write of the same day: busy, not taken.
  throw new ConflictError(BUSY_DAY);
}

// ---------------------------------------------------------------------------
// A standing booking's dates (series.ts): each claimed like a single hold.

/** One date of a standing booking to hold for its renter (series.ts). */
export interface OccurrenceHold {
  /** The new booking's id. */
  id: string;
  kitchen: Kitchen;
  renterId: string;
  seriesId: string;
  n: number;
  localDate: string;
  localStart: string;
  localEnd: string;
  interval: { start: number; end: number };
  /** The kitchen's rules with the series' own window (series.ts). */
  rules: AvailabilityRules;
  /** Months ahead the kitchen takes weekly bookings, for the words of a refusal. */
  monthsAhead: number;
  /** The last local date the series' window reaches. */
  lastDate: string;
  provider: Booking["payment"]["provider"];
  /** When the whole series' hold lapses unpaid. */
  holdExpiresAt: number;
  /** The condition codes the renter ticked for the series. */
  acknowledge: readonly string[];
  /**
   * Whether a date the renter's documents would deny may be held to wait
   * for a renewed one: only when the series' first date is not denied so
   * (series_verdict.ts `judgeDates`), which the caller knows.
   */
  mayWaitForRenewal: boolean;
  requestMessage: string | null;
  /**
   * Reads the series record fresh for each attempt and returns what the
   * atomic writes to it: the date claimed (its booking) or skipped (why).
   */
  series: () => Promise<
    (
      atomic: Deno.AtomicOperation,
      outcome: { booking: Booking } | { skipped: string },
    ) => void
  >;
}

export type OccurrenceOutcome = { booking: Booking } | { skipped: string };

/**
 * Holds one date of a standing booking through the kitchen's calendar,
 * exactly as `createHold` holds hours (the day documents it touches read
 * fresh and checked, the rules and the city's verdict recomputed), in its
 * own atomic with the series record's note of it. A date that is no longer
 * free is not an error: the series records it as skipped, with why.
 */
export async function holdOccurrence(
  deps: Pick<HoldDeps, "kv" | "now" | "policy" | "fees">,
  o: OccurrenceHold,
): Promise<OccurrenceOutcome> {
  const { kitchen, interval } = o;
  const now = deps.now;
  const bufferMs = kitchen.bufferMinutes * 60_000;
  const dates = claimDays(
    kitchen.timeZone,
    interval.start,
    interval.end,
    bufferMs,
  );
  const q = quoteFor(kitchen, interval, deps.fees, deps.policy);
  for (let attempt = 0; attempt < 8; attempt++) {
    const [entries, reference, writeSeries] = await Promise.all([
      readCalendarDays(deps.kv, kitchen.id, dates),
      freeReference(deps.kv, o.id),
      o.series(),
    ]);
    const docs = entries.map((e) => e.value ?? EMPTY_DAY);
    const calendar = calendarFacts(o.rules, interval, docs, now, {
      ref: o.id,
      bufferMs,
    });
    const assessment = await deps.policy.assess(deps.kv, {
      kitchen,
      renterId: o.renterId,
      interval,
      localDate: o.localDate,
      days: dates.map((date, i) => ({ date, doc: docs[i] })),
      now,
    });
    if (o.localDate > o.lastDate) calendar.rejection ??= "too_far_ahead";
    // The renter's documents lacking from the start were refused with the
    // series' first date; here a renter-document deny is a lapse to renew.
    const verdict = judgeDate(
      { calendar, assessment },
      new Set(),
      o.rules,
      o.monthsAhead,
    );
    const refused = verdict.state === "conflict" ||
      (verdict.state === "renew" && !o.mayWaitForRenewal);
    let why = refused ? verdict.reason : null;
    const missing = verdict.conditions.filter((c) =>
      !o.acknowledge.includes(c.code)
    );
    if (!why && missing.length > 0) {
      why = `A condition applies to this date that you did not agree to: ${
        missing.map((c) => c.message).join(" ")
      }`;
    }
    const claim = {
      ref: o.id,
      start: interval.start,
      end: interval.end,
      bufferMs,
      expiresAt: o.holdExpiresAt,
    };
    const nextDocs = docs.map((d) => withClaim(d, claim, now));
    if (!why && nextDocs.some((d) => d.claims.length > MAX_CLAIMS_PER_DAY)) {
      why = DAY_RECORD_FULL;
    }
    if (why) {
      // Only the series record changes; a lost race on it reads again.
      const outcome = { skipped: why };
      const skipped = await commitBookingWrite(deps.kv, {
        hostViewOf: kitchen.hostId,
      }, (atomic) => writeSeries(atomic, outcome));
      if (skipped) return outcome;
      continue;
    }
    const conditions = verdict.conditions;
    const booking: Booking = {
      v: 1,
      id: o.id,
      reference,
      kitchenId: kitchen.id,
      renterId: o.renterId,
      hostId: kitchen.hostId,
      start: interval.start,
      end: interval.end,
      timeZone: kitchen.timeZone,
      localDate: o.localDate,
      localStart: o.localStart,
      localEnd: o.localEnd,
      status: "held",
      mode: bookingModeOf(kitchen),
      quote: q,
      bufferMs,
      claimDays: dates,
      holdExpiresAt: o.holdExpiresAt,
      respondBy: null,
      payment: {
        provider: o.provider,
        checkoutSessionId: null,
        paymentIntentId: null,
        chargeId: null,
      },
      ledger: [],
      accessCode: null,
      cancellation: null,
      disputed: false,
      note: null,
      rulesAcceptedAt: now,
      requestMessage: o.requestMessage,
      compliance: {
        decision: conditions.length > 0 ? "ALLOW_WITH_CONDITIONS" : "ALLOW",
        conditions: conditions.map(({ code, message }) => ({ code, message })),
        acknowledgedAt: now,
      },
      cancellationPolicy: kitchen.cancellationPolicy,
      seriesId: o.seriesId,
      occurrence: o.n,
      createdAt: now,
      updatedAt: now,
    };
    const committed = await commitBookingWrite(deps.kv, {
      occupancyOf: kitchen.id,
      hostViewOf: kitchen.hostId,
    }, (atomic) => {
      atomic.check(...assessment.checks);
      addNewBooking(atomic, booking);
      entries.forEach((e, i) => addCalendarDay(atomic, e, nextDocs[i]));
      addOccupancy(atomic, kitchen.id, interval.start, o.id, {
        end: interval.end,
        expiresAt: o.holdExpiresAt,
      });
      writeSeries(atomic, { booking });
    });
    if (committed) return { booking };
  }
  const outcome = {
    skipped: "Someone else booked this time as you confirmed.",
  };
  for (let attempt = 0; attempt < 8; attempt++) {
    const writeSeries = await o.series();
    const written = await commitBookingWrite(deps.kv, {
      hostViewOf: kitchen.hostId,
    }, (atomic) => writeSeries(atomic, outcome));
    if (written) break;
  }
  return outcome;
}
