import { z } from "zod";
import { ValidationError } from "../errors.ts";
import { CANCELLATION_POLICIES } from "../kitchens/policy.ts";
import { hoursBetween, localDate } from "../kitchens/schema.ts";
import { ANSWER_MAX_CHARS, optionalText } from "../text.ts";
import { quoteSchema } from "./pricing.ts";
import { seriesRuleSchema } from "./series_rule.ts";
import { CANCELLERS } from "./refunds.ts";
import { bookingStatusSchema } from "./state.ts";

export const BOOKING_MODES = ["instant", "request"] as const;
export type BookingMode = typeof BOOKING_MODES[number];

export const PAYMENT_PROVIDERS = ["stripe", "demo"] as const;
export type PaymentProvider = typeof PAYMENT_PROVIDERS[number];

/**
 * Money that moved for a booking, in cents, in the order it moved. A
 * booking's entries balance: charge = transfer + commission (+ renter fee),
 * and each refund is matched by a reversal and a fee refund.
 */
export const LEDGER_KINDS = [
  "charge",
  "commission",
  "renter_fee",
  "transfer",
  "refund",
  "fee_refund",
  "renter_fee_refund",
  "transfer_reversal",
  /** City fees collected for the authority (lib/compliance/fees.ts), and their refunds. */
  "city_fee",
  "city_fee_refund",
] as const;
export type LedgerKind = typeof LEDGER_KINDS[number];

export const ledgerEntry = z.object({
  kind: z.enum(LEDGER_KINDS),
  amountCents: z.number().int().min(0),
  at: z.number().int(),
  /** The provider's id for it (charge, refund, transfer), when there is one. */
  ref: z.string().nullable(),
});
export type LedgerEntry = z.infer<typeof ledgerEntry>;

const cents = z.number().int().min(0);

/**
 * Why a standing booking's date was not charged when its charge ran: the
 * bank declined the saved card, the bank wants the renter to confirm it
 * (3-D Secure), or the renter's documents would not allow the date (the
 * city's verdict is DENY, so nothing is charged until they are renewed).
 */
export const CHARGE_PROBLEMS = [
  "declined",
  "authentication_required",
  "documents",
] as const;
export type ChargeProblem = typeof CHARGE_PROBLEMS[number];

export const occurrenceCharge = z.object({
  /** When the off-session charge runs: 3 days before the start. */
  at: z.number().int(),
  /** When the date is released if still unpaid: 24 hours before the start. */
  releaseAt: z.number().int(),
  problem: z.enum(CHARGE_PROBLEMS).nullable(),
  /** The bank's or the verdict's words about the problem, for the renter. */
  problemText: z.string().max(500).nullable(),
});
export type OccurrenceCharge = z.infer<typeof occurrenceCharge>;
/** The city's verdict a booking was held under: the conditions the renter acknowledged. */
const bookingCompliance = z.object({
  decision: z.enum(["ALLOW", "ALLOW_WITH_CONDITIONS"]),
  conditions: z.array(z.object({ code: z.string(), message: z.string() })),
  acknowledgedAt: z.number().int(),
});

/** Times a booking may be moved: each adds ledger entries, and a booking must stay one KV value. */
export const MAX_MOVES = 5;

/** A charge beyond the booking's first payment. */
export const extraCharge = z.object({
  paymentIntentId: z.string().min(1).max(255),
  chargeId: z.string().max(255).nullable(),
  amountCents: cents,
  /** How much of it refunds have taken back so far. */
  refundedCents: cents,
});

/**
 * A change of time asked for and not yet done. `requested`: the host
 * answers by `deadline`; `charging`: the higher price is being charged to
 * the saved card; `awaiting_payment`: that failed, and the renter pays the
 * difference through `payUrl` by `deadline`. The new time is claimed on the
 * kitchen's calendar under `moveClaimRef(id)` until then.
 */
export const pendingMove = z.object({
  id: z.string().min(1).max(64),
  status: z.enum(["requested", "charging", "awaiting_payment"]),
  start: z.number().int(),
  end: z.number().int(),
  localDate: localDate,
  localStart: z.string(),
  localEnd: z.string(),
  claimDays: z.array(localDate).min(1).max(4),
  quote: quoteSchema,
  /** New total less old total: positive is charged, negative refunded. */
  differenceCents: z.number().int(),
  /** Whether it needed the host's approval (asked outside the free-cancellation window). */
  byApproval: z.boolean(),
  requestedAt: z.number().int(),
  deadline: z.number().int(),
  /** The fallback Checkout for the difference (Stripe), once there is one. */
  checkoutSessionId: z.string().max(255).nullable(),
  /** Where the renter pays the difference: Stripe Checkout's URL, or the demo page. */
  payUrl: z.string().max(2000).nullable(),
  /** Why the saved card could not be charged, in plain words. */
  problem: z.string().max(300).nullable(),
  /** The city's verdict on the new time, as the renter acknowledged it; the booking's once moved. */
  compliance: bookingCompliance.optional(),
  /** Set only on the copy an email about a declined change reads: what the host wrote. */
  declineReason: z.string().max(1000).nullable().optional(),
});

/** A change of time that was made. */
export const pastMove = z.object({
  id: z.string().min(1).max(64),
  fromStart: z.number().int(),
  fromEnd: z.number().int(),
  toStart: z.number().int(),
  toEnd: z.number().int(),
  at: z.number().int(),
  differenceCents: z.number().int(),
  byApproval: z.boolean(),
});

export const bookingRecord = z.object({
  v: z.literal(1),
  id: z.string(),
  /**
   * The short reference people quote ("PRP-7K3Q-9D", reference.ts), unique
   * through `bookings_by_reference`. Bookings from before references get
   * theirs from a one-off backfill.
   */
  reference: z.string().optional(),
  kitchenId: z.string(),
  /**
   * The kitchen's city when the time was held: the staff figures count the
   * booking there even if the listing moves. Bookings from before it was
   * kept get it from a migration (lib/bookings/metrics.ts).
   */
  city: z.string().optional(),
  renterId: z.string(),
  hostId: z.string(),
  /** UTC instants, half-open [start, end). */
  start: z.number().int(),
  end: z.number().int(),
  /** The kitchen's zone when booked: every time on the booking is shown in it. */
  timeZone: z.string(),
  /** The wall-clock date and times the renter picked, in `timeZone`. */
  localDate: localDate,
  localStart: z.string(),
  localEnd: z.string(),
  status: bookingStatusSchema,
  mode: z.enum(BOOKING_MODES),
  quote: quoteSchema,
  /**
   * The kitchen's cancellation policy when the time was held: a host who
   * changes the policy later changes it for new bookings only. Bookings from
   * before it was kept follow the kitchen's current policy (`policyOf`).
   */
  cancellationPolicy: z.enum(CANCELLATION_POLICIES).optional(),
  /** The kitchen's buffer when the time was claimed (released with the same claim). */
  bufferMs: z.number().int().min(0),
  /** Local dates of the calendar documents holding this booking's claim. */
  claimDays: z.array(localDate).min(1).max(4),
  holdExpiresAt: z.number().int().nullable(),
  /** Request-to-book: the host answers by then or the request expires. */
  respondBy: z.number().int().nullable(),
  payment: z.object({
    provider: z.enum(PAYMENT_PROVIDERS),
    checkoutSessionId: z.string().nullable(),
    paymentIntentId: z.string().nullable(),
    chargeId: z.string().nullable(),
    /**
     * Later charges for the same booking (a move to a dearer time), each
     * its own PaymentIntent; refunds take from the newest first
     * (move_rules.ts `refundParts`).
     */
    extra: z.array(extraCharge).max(MAX_MOVES).optional(),
  }),
  ledger: z.array(ledgerEntry),
  accessCode: z.string().nullable(),
  cancellation: z.object({
    by: z.enum(CANCELLERS),
    at: z.number().int(),
    reason: z.string().nullable(),
    refundCents: cents,
    refundBps: z.number().int().min(0).max(10_000),
    explanation: z.string(),
  }).nullable(),
  disputed: z.boolean(),
  /** Why a booking that never confirmed ended (expired hold, declined, payment late). */
  note: z.string().nullable(),
  rulesAcceptedAt: z.number().int(),
  /** Request-to-book: what the renter wrote to the host with the request, if anything. */
  requestMessage: z.string().nullable().optional(),
  /** Request-to-book: why the host declined, if they said; the renter sees it. */
  declineReason: z.string().nullable().optional(),
  /**
   * The city's verdict when the time was held (lib/compliance): the
   * conditions the renter acknowledged. Bookings from before compliance
   * have none.
   */
  compliance: bookingCompliance.optional(),
  /**
   * What a `requested` booking waits for: Prep to verify the renter's
   * documents ("documents", the review page's "Request these hours"), or
   * the host to answer ("host"; also when absent, as before this field). A
   * held booking with "documents" becomes such a request when paid.
   */
  waitingFor: z.enum(["documents", "host"]).optional(),
  /** A standing booking's date (DESIGN §16): its series (series.ts). */
  seriesId: z.string().optional(),
  /** Its place in the series, 1-based. */
  occurrence: z.number().int().min(1).max(26).optional(),
  /**
   * A standing booking's later date (status `scheduled`): when its card is
   * charged off-session, when it is released if still unpaid, and what
   * stood in the way of the last attempt, if anything.
   */
  charge: occurrenceCharge.optional(),
  /** A change of time under way (moves.ts): the new time is held meanwhile. */
  move: pendingMove.nullable().optional(),
  /** Changes of time made, oldest first. */
  moves: z.array(pastMove).max(MAX_MOVES).optional(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Booking = z.infer<typeof bookingRecord>;
export type PendingMove = z.infer<typeof pendingMove>;
export type ExtraCharge = z.infer<typeof extraCharge>;

/** What the review page posts: the kitchen and wall-clock times in its zone. */
export const holdRequest = z.object({
  kitchen: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "Pick a kitchen"),
  date: localDate,
  start: z.string().regex(/^([01]\d|2[0-3]):[03]0$/, "Pick a start time"),
  end: z.string().regex(/^([01]\d|2[0-3]):[03]0$|^24:00$/, "Pick an end time"),
  /** The condition codes the renter ticked on the review page. */
  acknowledge: z.array(z.string().max(64)).max(30).optional(),
  /** Request-to-book: a note to the host with the request (kept only for such kitchens). */
  message: optionalText({ label: "a message", max: 1000, multiline: true })
    .optional(),
});
export type HoldRequest = z.infer<typeof holdRequest> & {
  /** "Request these hours": hold them while documents in review are checked. */
  awaitDocuments?: boolean;
};

/** The wall-clock time `hours` after `start` ("22:00" + 4 → "02:00"). */
export function endAfterHours(start: string, hours: number): string {
  const [h, m] = start.split(":").map(Number);
  const total = (h * 60 + m + Math.round(hours * 60)) % (24 * 60);
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${
    String(total % 60).padStart(2, "0")
  }`;
}

const hoursField = z.string().regex(
  /^\d{1,2}(\.5)?$/,
  "Pick a number of hours",
);

/**
 * What the review page is asked about. With `hours` (the kitchen page's
 * no-JS form), `end` is that many hours after the start on the wall clock,
 * and the kitchen must take bookings of that length: an end alone cannot
 * tell 25 hours from 1.
 */
export type ReviewRequest = Omit<HoldRequest, "acknowledge" | "message"> & {
  hours?: number;
};

/**
 * The review page's query: an end time, or (the kitchen page's no-JS form)
 * a number of hours from the start.
 */
export const reviewQuery = z.object({
  kitchen: holdRequest.shape.kitchen,
  date: holdRequest.shape.date,
  start: holdRequest.shape.start,
  end: z.union([z.literal(""), holdRequest.shape.end]),
  hours: z.union([z.literal(""), hoursField]),
}).refine((q) => q.end !== "" || q.hours !== "", {
  // Only the no-JS form leaves both out, and its field is the hours.
  message: "Pick how many hours to book",
  path: ["hours"],
}).transform((q): ReviewRequest => ({
  kitchen: q.kitchen,
  date: q.date,
  start: q.start,
  ...(q.end
    ? { end: q.end }
    : { end: endAfterHours(q.start, Number(q.hours)), hours: Number(q.hours) }),
}));

/** The hours a renter picked, as far as they could be read. */
export interface HoursPick {
  kitchen: string;
  date?: string;
  start?: string;
  hours?: number;
}

const PICK_ALL = "Pick a kitchen, a date and your hours.";
const PICK_FIELDS = ["kitchen", "date", "start", "end", "hours"];

/**
 * What a review query or hold form that did not parse still says, so the
 * kitchen's hours form can come back at what was picked with `message`
 * naming the fields to fix (the picker has no place beside each field).
 * Without a kitchen id there is no form to show: a ValidationError (an
 * id that reads but is no kitchen is not found when the form loads).
 */
export function unreadablePick(
  values: Record<string, string | undefined>,
  errors: Record<string, string>,
): { pick: HoursPick; message: string } {
  const kitchen = holdRequest.shape.kitchen.safeParse(values.kitchen);
  if (!kitchen.success) throw new ValidationError(errors, PICK_ALL);
  const date = localDate.safeParse(values.date);
  const start = holdRequest.shape.start.safeParse(values.start);
  const end = holdRequest.shape.end.safeParse(values.end);
  const hours = hoursField.safeParse(values.hours);
  const pick: HoursPick = { kitchen: kitchen.data };
  if (date.success) pick.date = date.data;
  if (start.success) {
    pick.start = start.data;
    if (hours.success) pick.hours = Number(hours.data);
    else if (end.success) pick.hours = hoursBetween(start.data, end.data);
  }
  const message = Object.entries(errors)
    .filter(([field]) => PICK_FIELDS.includes(field))
    .map(([, m]) => m.endsWith(".") ? m : `${m}.`)
    .join(" ");
  return { pick, message: message || PICK_ALL };
}

/** A renter's unpaid holds, by booking id, with when each lapses. */
export type RenterHolds = { bookingId: string; expiresAt: number }[];

// ---------------------------------------------------------------------------
// Host blocks (blocks.ts): time a kitchen is off sale though nobody booked it.

export type BlockSource = "manual" | string;

/**
 * What a manual block is: time off sale, or a scheduled health or fire
 * inspection or maintenance window, which the city's rules also read
 * (a booking ending just before maintenance must leave on time).
 */
export const BLOCK_KINDS = ["closed", "inspection", "maintenance"] as const;
export type BlockKind = typeof BLOCK_KINDS[number];
export const BLOCK_KIND_NAMES: Record<BlockKind, string> = {
  closed: "Closed",
  inspection: "Health or fire inspection",
  maintenance: "Maintenance",
};

export interface Block {
  v: 1;
  id: string;
  kitchenId: string;
  /** UTC instants, half-open [start, end). */
  start: number;
  end: number;
  /** What the host wrote, or an imported event's summary. */
  reason: string;
  /** Blocks from before kinds, and imported ones, are "closed". */
  kind?: BlockKind;
  /** "manual", or the id of the import feed the block came from. */
  source: BlockSource;
  /** Local dates of the day documents holding the claim (the zone may change later). */
  claimDays: string[];
  /** An imported block's identity within its feed (event UID and times), for diffing. */
  key: string | null;
  createdAt: number;
}

// ---------------------------------------------------------------------------
// Standing bookings (series.ts, DESIGN §16): one record holds the rule and
// which of its dates were claimed; each claimed date is an ordinary booking.

/**
 * A series' standing: being claimed, held while the renter pays for its
 * first date, waiting for the host (request-to-book), running, or over
 * (ended by the host or the renter, lapsed unpaid, declined).
 */
export const SERIES_STATUSES = [
  "claiming",
  "held",
  "requested",
  "active",
  "ended",
  "expired",
  "declined",
] as const;
export type SeriesStatus = typeof SERIES_STATUSES[number];

/** One date of a series as the series record tracks it. */
export const seriesOccurrence = z.object({
  n: z.number().int().min(1).max(26),
  localDate: localDate,
  start: z.number().int(),
  end: z.number().int(),
  /** "pending" until its claim was tried; then claimed (a booking) or skipped. */
  state: z.enum(["pending", "claimed", "skipped"]),
  bookingId: z.string().nullable(),
  /** Why a date was skipped, in the renter's words. */
  reason: z.string().nullable(),
});
export type SeriesOccurrence = z.infer<typeof seriesOccurrence>;

export const seriesRecord = z.object({
  v: z.literal(1),
  id: z.string(),
  kitchenId: z.string(),
  renterId: z.string(),
  hostId: z.string(),
  timeZone: z.string(),
  rule: seriesRuleSchema,
  mode: z.enum(BOOKING_MODES),
  status: z.enum(SERIES_STATUSES),
  /** While held: when every date's hold lapses unpaid. */
  holdExpiresAt: z.number().int().nullable(),
  occurrences: z.array(seriesOccurrence).max(26),
  /** The date paid at Checkout, whose saved card pays the others. */
  leadId: z.string().nullable(),
  /** Request-to-book: what the renter wrote to the host with the request. */
  requestMessage: z.string().nullable(),
  /** How it ended early, when it did: by whom, when and why. */
  ended: z.object({
    by: z.enum(CANCELLERS),
    at: z.number().int(),
    reason: z.string().nullable(),
  }).nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Series = z.infer<typeof seriesRecord>;
// Changing a booking's time (moves.ts): what the pages read.

const optional = <T extends z.ZodType>(schema: T) =>
  z.union([z.literal(""), schema]);

/** The Change time page's query: a date and, from its no-JS form, a start and hours. */
export const moveQuery = z.object({
  date: optional(localDate),
  start: optional(holdRequest.shape.start),
  hours: optional(hoursField),
}).transform((q) => ({
  ...(q.date ? { date: q.date } : {}),
  ...(q.start ? { start: q.start } : {}),
  ...(q.hours ? { hours: Number(q.hours) } : {}),
}));

/** The new time, as the review page is asked for it: an end, or (no JS) a number of hours. */
export const moveReviewQuery = z.object({
  date: holdRequest.shape.date,
  start: holdRequest.shape.start,
  end: optional(holdRequest.shape.end),
  hours: optional(hoursField),
}).refine((q) => q.end !== "" || q.hours !== "", {
  message: "Pick how many hours",
  path: ["hours"],
}).transform((q) => ({
  date: q.date,
  start: q.start,
  end: q.end || endAfterHours(q.start, Number(q.hours)),
}));

/** The date of a new time that did not read, when at least that reads: where the picker reopens. */
export function moveDateOf(values: Record<string, string | undefined>): {
  date?: string;
} {
  const date = localDate.safeParse(values.date);
  return date.success ? { date: date.data } : {};
}

/** The review page's form: the new time and the conditions ticked. */
export const moveForm = z.object({
  date: holdRequest.shape.date,
  start: holdRequest.shape.start,
  end: holdRequest.shape.end,
  acknowledge: holdRequest.shape.acknowledge,
});

const moveIdField = z.string().regex(
  /^[0-9A-HJKMNP-TV-Z]{26}$/,
  "Pick a change",
);

/** Which pending change a form is about (withdraw, answer). */
export const moveRefForm = z.object({ move: moveIdField });

/** The host's answer to a change of time. */
export const moveAnswerForm = z.object({
  move: moveIdField,
  reason: optionalText({
    label: "a reason",
    max: ANSWER_MAX_CHARS,
    multiline: true,
  }),
});
