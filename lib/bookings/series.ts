/**
 * Standing bookings (DESIGN §16, issue 19 §1–6): a renter books the same
 * hours every 1–4 weeks. One series record holds the rule and which dates
 * were claimed; each claimed date is an ordinary booking with `seriesId`,
 * held through the kitchen's calendar in its own atomic exactly like a
 * single hold (holds.ts `holdOccurrence`), so a series never needs more
 * checks per atomic than one booking does.
 *
 * The whole series is held for the same 35 minutes while the renter pays
 * for its first date (the lead) at Checkout, where the card is saved; the
 * other dates follow the lead (`settleSeries`): paid → each is scheduled,
 * to be charged off-session 3 days before it starts (lib/payments
 * charges it); authorised on a request-to-book kitchen → each waits with it
 * for the host, who answers for the series; lapsed, declined or withdrawn →
 * every date is released.
 */
import { decide } from "../accounts/roles.ts";
import type { SessionUser } from "../accounts/schema.ts";
import type { MailSettings } from "../email/job.ts";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from "../errors.ts";
import { canTakeBookings } from "../hosts/payouts.ts";
import { formatDate } from "../format.ts";
import { getHostFresh } from "../hosts/repo.ts";
import { newId } from "../ids.ts";
import { addJob } from "../jobs/outbox.ts";
import {
  OCCURRENCE_CHARGE_JOB,
  OCCURRENCE_DOCUMENTS_JOB,
  OCCURRENCE_RELEASE_JOB,
  SERIES_SETTLE_JOB,
} from "../job_names.ts";
import type { AvailabilityRules } from "../kitchens/availability.ts";
import { localToday, rulesOf } from "../kitchens/free_time.ts";
import { type Kitchen, localDate } from "../kitchens/schema.ts";
import {
  type CalendarClaim,
  type CalendarDay,
  claimDays,
  conflictsWith,
  EMPTY_DAY,
} from "./day_claims.ts";
import {
  bookableKitchen,
  bookingModeOf,
  HOLD_MS,
  type HoldDeps,
  holdOccurrence,
  MAX_LIVE_HOLDS,
  PAYMENTS_OFF,
  type PolicyReason,
  quoteFor,
} from "./holds.ts";
import { type Change, changeBooking } from "./lifecycle.ts";
import type { Quote } from "./pricing.ts";
import {
  addNewSeries,
  addRenterHolds,
  addSeriesUpdate,
  commitSeriesWrite,
  getBooking,
  getBookings,
  getRenterHoldsEntry,
  getSeries,
  getSeriesEntry,
  readCalendarDays,
} from "./repo.ts";
import type { Booking, Series, SeriesStatus } from "./schema.ts";
import { partiesOf, tellSeries } from "./series_emails.ts";
import {
  DEFAULT_OCCURRENCES,
  MIN_FREE_OCCURRENCES,
  type PlannedOccurrence,
  planOccurrences,
  RuleProblem,
  type SeriesRule,
} from "./series_rule.ts";
import {
  calendarFacts,
  type DateVerdict,
  judgeDate,
  lackingNow,
} from "./series_verdict.ts";
import { transition } from "./state.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** A later date is charged this long before it starts. */
export const CHARGE_BEFORE_MS = 3 * DAY;
/** A later date still unpaid this long before it starts is released. */
export const RELEASE_BEFORE_MS = 24 * HOUR;
/** The renter is reminded of a lapsing document this long before the charge. */
export const RENEWAL_REMINDER_BEFORE_MS = 4 * DAY;

export const NOT_WEEKLY =
  "This kitchen does not take weekly bookings. Book single dates on its page.";

/** What the series flows need: a hold's deps and the mail settings. */
export interface SeriesDeps extends HoldDeps {
  mail: MailSettings;
}

/** The months ahead a kitchen takes weekly bookings (3 when the host has not said). */
export function monthsAheadOf(k: Pick<Kitchen, "standingMonthsAhead">): number {
  return k.standingMonthsAhead ?? 3;
}

/**
 * The rules a series' dates are judged by: the kitchen's own, with the
 * series' window (months ahead, on the kitchen's calendar) in place of the
 * single-booking window; and the last date that window reaches.
 */
export function seriesWindow(
  kitchen: Kitchen,
  now: number,
): { rules: AvailabilityRules; monthsAhead: number; lastDate: string } {
  const monthsAhead = monthsAheadOf(kitchen);
  const today = Temporal.PlainDate.from(localToday(kitchen.timeZone, now));
  const last = today.add({ months: monthsAhead });
  return {
    // A day more than the calendar months, so the last date's hours are in;
    // the last date itself is checked by date (`lastDate`).
    rules: {
      ...rulesOf(kitchen),
      bookingWindowDays: today.until(last).days + 1,
    },
    monthsAhead,
    lastDate: last.toString(),
  };
}

/** A kitchen that takes weekly bookings now, or why not (404, 409). */
export async function weeklyKitchen(
  kv: Deno.Kv,
  id: string,
): Promise<Kitchen> {
  const kitchen = await bookableKitchen(kv, id);
  requireStanding(kitchen);
  return kitchen;
}

/** What the ask form starts with: 8 dates from `from` (or today), 9 AM to 1 PM. */
export function seriesDefaults(
  kitchen: Kitchen,
  now: number,
  from?: string,
): Record<string, string> {
  const today = localToday(kitchen.timeZone, now);
  return {
    kitchen: kitchen.id,
    weekdays: "",
    start: "09:00",
    end: "13:00",
    every: "1",
    from: from && from >= today ? from : today,
    count: String(DEFAULT_OCCURRENCES),
    until: "",
  };
}

function requireStanding(kitchen: Kitchen): void {
  if (kitchen.standingBookings !== true) {
    throw new ConflictError(NOT_WEEKLY, {
      href: `/kitchens/${kitchen.id}`,
      label: "Back to the kitchen",
    });
  }
}

/**
 * What is wrong with `from` as a weekly booking's first date on the
 * kitchen's calendar (it has passed), or null. The ask page says it with
 * the form's other problems, not only once they are fixed.
 */
export function firstDateProblem(
  kitchen: Pick<Kitchen, "timeZone">,
  from: string,
  now: number,
): string | null {
  return localDate.safeParse(from).success &&
      from < localToday(kitchen.timeZone, now)
    ? "The first date has passed: pick today or a later date."
    : null;
}

/**
 * The dates of `rule` at `kitchen`, refused as a field problem when the
 * rule passes its caps or starts before today on the kitchen's calendar.
 */
export function planFor(
  kitchen: Kitchen,
  rule: SeriesRule,
  now: number,
): PlannedOccurrence[] {
  const past = firstDateProblem(kitchen, rule.from, now);
  if (past) throw new ValidationError({ from: past }, past);
  try {
    return planOccurrences(rule, kitchen.timeZone);
  } catch (err) {
    if (!(err instanceof RuleProblem)) throw err;
    throw new ValidationError({ [err.field]: err.message }, `${err.message}.`);
  }
}

/** The calendar day documents of every date of a plan, read fresh (10 a read). */
async function readPlanDays(
  kv: Deno.Kv,
  kitchen: Kitchen,
  plan: readonly PlannedOccurrence[],
): Promise<Map<string, CalendarDay>> {
  const bufferMs = kitchen.bufferMinutes * 60_000;
  const dates = [
    ...new Set(
      plan.flatMap((o) =>
        claimDays(kitchen.timeZone, o.start, o.end, bufferMs)
      ),
    ),
  ];
  const out = new Map<string, CalendarDay>();
  for (let i = 0; i < dates.length; i += 10) {
    const chunk = dates.slice(i, i + 10);
    const entries = await readCalendarDays(kv, kitchen.id, chunk);
    entries.forEach((e, j) => out.set(chunk[j], e.value ?? EMPTY_DAY));
  }
  return out;
}

/** One date as the preview shows it. */
export interface PreviewDate extends PlannedOccurrence {
  quote: Quote;
  verdict: DateVerdict;
}

export interface SeriesPreview {
  kitchen: Kitchen;
  rule: SeriesRule;
  dates: PreviewDate[];
  /** Dates bookable now ("free"). */
  freeCount: number;
  /** The first free date: paid at Checkout, its card saved for the rest. */
  lead: PreviewDate | null;
  /** Every condition of the dates that can be booked, once each. */
  conditions: PolicyReason[];
  /** What the free and renewable dates cost together. */
  totalCents: number;
  monthsAhead: number;
  lastDate: string;
  /** At least MIN_FREE_OCCURRENCES dates are free. */
  bookable: boolean;
}

/**
 * The preview of a standing booking (issue 19 §2): every date with its
 * price (city fees included, from the same pricing as a single booking)
 * and whether it is free, or why not — judged by the same rules and city
 * verdict a hold applies, read fresh. Earlier free dates count as taken
 * for later ones, as they will be once claimed.
 */
export async function previewSeries(
  deps: Pick<HoldDeps, "kv" | "now" | "fees" | "policy">,
  req: { kitchen: string; rule: SeriesRule },
  renterId: string | null,
): Promise<SeriesPreview> {
  const kitchen = await bookableKitchen(deps.kv, req.kitchen);
  requireStanding(kitchen);
  const window = seriesWindow(kitchen, deps.now);
  const plan = planFor(kitchen, req.rule, deps.now);
  const [days, holds] = await Promise.all([
    readPlanDays(deps.kv, kitchen, plan),
    renterId ? getRenterHoldsEntry(deps.kv, renterId) : null,
  ]);
  const mine = new Set(
    (holds?.value ?? []).filter((h) => h.expiresAt > deps.now).map((h) =>
      h.bookingId
    ),
  );
  const bufferMs = kitchen.bufferMinutes * 60_000;
  const planned: CalendarClaim[] = [];
  const dates: PreviewDate[] = [];
  let lacking: Set<string> | null = null;
  for (const o of plan) {
    const touched = claimDays(kitchen.timeZone, o.start, o.end, bufferMs);
    const docs = touched.map((d): CalendarDay => ({
      v: 1,
      claims: [...(days.get(d) ?? EMPTY_DAY).claims, ...planned],
    }));
    const ref = `series:${o.n}`;
    const calendar = calendarFacts(
      window.rules,
      o,
      docs,
      deps.now,
      { ref, bufferMs },
      mine,
    );
    if (o.localDate > window.lastDate) calendar.rejection ??= "too_far_ahead";
    const assessment = await deps.policy.assess(deps.kv, {
      kitchen,
      renterId,
      interval: o,
      localDate: o.localDate,
      days: touched.map((date, i) => ({ date, doc: docs[i] })),
      now: deps.now,
    });
    lacking ??= lackingNow(assessment);
    const verdict = judgeDate(
      { calendar, assessment },
      lacking,
      window.rules,
      window.monthsAhead,
    );
    if (verdict.state !== "conflict") {
      planned.push({
        ref,
        start: o.start,
        end: o.end,
        bufferMs,
        expiresAt: null,
      });
    }
    dates.push({
      ...o,
      quote: quoteFor(kitchen, o, deps.fees, deps.policy),
      verdict,
    });
  }
  const free = dates.filter((d) => d.verdict.state === "free");
  const kept = dates.filter((d) => d.verdict.state !== "conflict");
  const conditions = new Map<string, PolicyReason>();
  for (const d of kept) {
    for (const c of d.verdict.conditions) conditions.set(c.code, c);
  }
  return {
    kitchen,
    rule: req.rule,
    dates,
    freeCount: free.length,
    lead: free[0] ?? null,
    conditions: [...conditions.values()],
    totalCents: kept.reduce((n, d) => n + d.quote.totalChargedCents, 0),
    monthsAhead: window.monthsAhead,
    lastDate: window.lastDate,
    bookable: free.length >= MIN_FREE_OCCURRENCES,
  };
}

/** What the preview's form posts to claim a series. */
export interface SeriesClaim {
  kitchen: string;
  rule: SeriesRule;
  /** The dates (by `n`) the renter keeps; the others are skipped. */
  keep: number[];
  /** The condition codes the renter ticked. */
  acknowledge: string[];
  /** Request-to-book: a note to the host with the request. */
  message: string | null;
}

/** What a series' skipped dates say, dates with the same reason together: "Tue, Mar 10 and Thu, Mar 12: …" */
function skippedLine(s: Series): string {
  const byReason = new Map<string, string[]>();
  for (const o of s.occurrences) {
    if (o.state !== "skipped" || !o.reason || o.reason === SKIPPED_BY_RENTER) {
      continue;
    }
    byReason.set(o.reason, [
      ...(byReason.get(o.reason) ?? []),
      formatDate(o.localDate),
    ]);
  }
  return [...byReason].map(([reason, dates]) =>
    `${
      dates.length === 1
        ? dates[0]
        : `${dates.slice(0, -1).join(", ")} and ${dates.at(-1)}`
    }: ${reason}`
  ).join(" ");
}

export const SKIPPED_BY_RENTER = "You left this date out.";

/**
 * Claims a standing booking (issue 19 §3): the series record (counted as
 * one unpaid hold of the renter's, with its hold's deadline job), then each
 * kept date through the kitchen's calendar in its own atomic. A date taken
 * between the preview and now is skipped and the series says why. With
 * fewer than 2 dates held, everything is released and the renter told.
 */
export async function claimSeries(
  deps: SeriesDeps,
  renter: SessionUser,
  req: SeriesClaim,
): Promise<{ series: Series; lead: Booking }> {
  if (deps.payments === "off") throw new ConflictError(PAYMENTS_OFF);
  const may = decide(renter, "book");
  if (!may.ok) throw new ForbiddenError(may.reason);
  const kitchen = await bookableKitchen(deps.kv, req.kitchen);
  requireStanding(kitchen);
  if (kitchen.hostId === renter.id) {
    throw new ValidationError({}, "You cannot book your own kitchen.");
  }
  const host = (await getHostFresh(deps.kv, kitchen.hostId)).value;
  if (!host || !canTakeBookings(host, deps.payments)) {
    throw new ConflictError(
      "This kitchen is not taking bookings yet: its host has not finished setting up payouts.",
    );
  }
  const window = seriesWindow(kitchen, deps.now);
  const plan = planFor(kitchen, req.rule, deps.now);
  const keep = new Set(req.keep.filter((n) => plan.some((o) => o.n === n)));
  if (keep.size < MIN_FREE_OCCURRENCES) {
    const message =
      `Keep at least ${MIN_FREE_OCCURRENCES} free dates for a weekly booking.`;
    throw new ValidationError({ keep: message }, message);
  }
  // Why each date left out is not part of it: what made it not free
  // (taken, closed, a permit lapsing), judged again now as the preview
  // judges it, or else the renter's choice (a date that was free, or one
  // that could have waited for a renewed document).
  const leftOut = new Map<number, string>();
  if (keep.size < plan.length) {
    const preview = await previewSeries(deps, req, renter.id);
    for (const d of preview.dates) {
      if (d.verdict.state === "conflict" && d.verdict.reason) {
        leftOut.set(d.n, d.verdict.reason);
      }
    }
  }
  const now = deps.now;
  const id = newId();
  const holdExpiresAt = now + HOLD_MS;
  const mode = bookingModeOf(kitchen);
  const series: Series = {
    v: 1,
    id,
    kitchenId: kitchen.id,
    renterId: renter.id,
    hostId: kitchen.hostId,
    timeZone: kitchen.timeZone,
    rule: req.rule,
    mode,
    status: "claiming",
    holdExpiresAt,
    occurrences: plan.map((o) => ({
      n: o.n,
      localDate: o.localDate,
      start: o.start,
      end: o.end,
      state: keep.has(o.n) ? "pending" : "skipped",
      bookingId: null,
      reason: keep.has(o.n) ? null : leftOut.get(o.n) ?? SKIPPED_BY_RENTER,
    })),
    leadId: null,
    requestMessage: mode === "request" ? req.message : null,
    ended: null,
    createdAt: now,
    updatedAt: now,
  };
  await createSeriesRecord(deps, series);

  let leadClaimed = false;
  for (const o of plan) {
    if (!keep.has(o.n)) continue;
    const bookingId = newId();
    const outcome = await holdOccurrence(deps, {
      id: bookingId,
      kitchen,
      renterId: renter.id,
      seriesId: id,
      n: o.n,
      localDate: o.localDate,
      localStart: o.localStart,
      localEnd: o.localEnd,
      interval: o,
      rules: window.rules,
      monthsAhead: window.monthsAhead,
      lastDate: window.lastDate,
      provider: deps.payments,
      holdExpiresAt,
      acknowledge: req.acknowledge,
      mayWaitForRenewal: leadClaimed,
      requestMessage: series.requestMessage,
      series: () => seriesWriter(deps, id, o.n, bookingId),
    });
    if ("booking" in outcome) leadClaimed = true;
  }

  const claimed = (await getSeries(deps.kv, id))!;
  const held = claimed.occurrences.filter((o) => o.state === "claimed");
  if (held.length >= MIN_FREE_OCCURRENCES) {
    const series = await updateSeries(deps, id, (s) => ({
      ...s,
      status: "held",
    }));
    return { series, lead: (await getBooking(deps.kv, series.leadId!))! };
  }
  await releaseDates(deps, claimed, "expired");
  await updateSeries(deps, id, (s) => ({ ...s, status: "expired" }));
  await dropRenterHold(deps, claimed);
  const why = skippedLine(claimed);
  throw new ConflictError(
    `${
      held.length === 0 ? "None" : "Only one"
    } of your dates could be held, and a weekly booking needs at least ${MIN_FREE_OCCURRENCES}. ${why} Pick other days or times.`,
  );
}

/** The series record with the renter's hold and its deadline job, in one atomic. */
async function createSeriesRecord(
  deps: SeriesDeps,
  series: Series,
): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const holds = await getRenterHoldsEntry(deps.kv, series.renterId);
    const live = (holds.value ?? []).filter((h) => h.expiresAt > deps.now);
    if (live.length >= MAX_LIVE_HOLDS) {
      throw new ConflictError(
        `You already have ${MAX_LIVE_HOLDS} bookings waiting for payment. Pay for one, or wait until a hold lapses (35 minutes after it started).`,
      );
    }
    const committed = await commitSeriesWrite(
      deps.kv,
      series.hostId,
      (atomic) => {
        addNewSeries(atomic, series);
        // The whole series is one unpaid hold of the renter's, as one booking is.
        addRenterHolds(atomic, holds, series.renterId, [...live, {
          bookingId: series.id,
          expiresAt: series.holdExpiresAt!,
        }]);
        addJob(atomic, {
          id: `series-settle:${series.id}:hold`,
          type: SERIES_SETTLE_JOB,
          payload: { seriesId: series.id },
          runAt: series.holdExpiresAt!,
        }, { now: deps.now, wake: deps.wake });
      },
    );
    if (committed) return;
  }
  throw new ConflictError(
    "Your bookings changed while we were holding these dates; please try again.",
  );
}

/** What the atomic holding date `n` writes to the series: claimed or skipped. */
async function seriesWriter(
  deps: Pick<SeriesDeps, "kv" | "now">,
  id: string,
  n: number,
  bookingId: string,
) {
  const entry = await getSeriesEntry(deps.kv, id);
  return (
    atomic: Deno.AtomicOperation,
    outcome: { booking: Booking } | { skipped: string },
  ) => {
    const s = entry.value!;
    const claimed = "booking" in outcome;
    addSeriesUpdate(atomic, entry, {
      ...s,
      occurrences: s.occurrences.map((o) =>
        o.n !== n
          ? o
          : claimed
          ? { ...o, state: "claimed", bookingId, reason: null }
          : { ...o, state: "skipped", reason: outcome.skipped }
      ),
      leadId: s.leadId ?? (claimed ? bookingId : null),
      updatedAt: deps.now,
    });
  };
}

/** Rewrites the series as `change` makes it, checked as read; retried on a race. */
export async function updateSeries(
  deps: Pick<SeriesDeps, "kv" | "now">,
  id: string,
  change: (s: Series) => Series | null,
  extra?: (atomic: Deno.AtomicOperation, before: Series, after: Series) => void,
): Promise<Series> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const entry = await getSeriesEntry(deps.kv, id);
    if (!entry.value) {
      throw new NotFoundError("We could not find that booking.");
    }
    const next = change(entry.value);
    if (!next) return entry.value;
    const after = { ...next, updatedAt: deps.now };
    const before = entry.value;
    const committed = await commitSeriesWrite(deps.kv, after.hostId, (a) => {
      addSeriesUpdate(a, entry, after);
      extra?.(a, before, after);
    });
    if (committed) return after;
  }
  throw new ConflictError(
    "This booking changed while we were updating it; please try again.",
  );
}

/** The series no longer counts as one of the renter's unpaid holds. */
export async function dropRenterHold(
  deps: SeriesDeps,
  s: Series,
): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const holds = await getRenterHoldsEntry(deps.kv, s.renterId);
    if (!(holds.value ?? []).some((h) => h.bookingId === s.id)) return;
    const atomic = deps.kv.atomic();
    addRenterHolds(
      atomic,
      holds,
      s.renterId,
      (holds.value ?? []).filter((h) =>
        h.bookingId !== s.id && h.expiresAt > deps.now
      ),
    );
    if ((await atomic.commit()).ok) return;
  }
}

/** The bookings of a series' claimed dates, in date order. */
export async function seriesBookings(
  kv: Deno.Kv,
  s: Series,
): Promise<Booking[]> {
  const ids = s.occurrences.flatMap((o) => o.bookingId ? [o.bookingId] : []);
  return (await getBookings(kv, ids)).sort((a, b) => a.start - b.start);
}

/** Releases every held or requested date of a series (its lead included), each in its own atomic. */
async function releaseDates(
  deps: SeriesDeps,
  s: Series,
  how: "expired" | "declined" | "withdrawn",
  note: string | null = null,
): Promise<void> {
  for (const b of await seriesBookings(deps.kv, s)) {
    if (b.status !== "held" && b.status !== "requested") continue;
    await changeBooking(deps, b.id, (cur) => {
      if (cur.status !== "held" && cur.status !== "requested") return null;
      const event = how === "expired"
        ? "expire"
        : how === "declined" && cur.status === "requested"
        ? "decline"
        : how === "withdrawn" && cur.status === "requested"
        ? "withdraw"
        : "expire";
      return {
        booking: {
          ...cur,
          status: transition(cur.status, event),
          respondBy: null,
          note,
        },
        claim: "release",
      };
    });
  }
}

/**
 * Takes a later date from held or requested to scheduled: its time firmly
 * taken (re-checked when its hold had lapsed meanwhile, as a late payment
 * re-claims), its charge, release and document-reminder jobs written.
 */
const TAKEN_AFTER_LAPSE =
  "Someone else booked this date's time after your hold lapsed, so it is not part of your booking.";

async function scheduleDate(
  deps: SeriesDeps,
  id: string,
  /**
   * The series had lapsed and its first date was paid late: the dates its
   * lapse released are taken again where still free.
   */
  revive: boolean,
): Promise<Booking> {
  return await changeBooking(deps, id, (b, days, { renterGone }) => {
    const revived = revive && b.status === "expired";
    if (b.status !== "held" && b.status !== "requested" && !revived) {
      return null;
    }
    if (revived && (b.start <= deps.now || renterGone)) return null;
    const mine = { ref: id, start: b.start, end: b.end, bufferMs: b.bufferMs };
    const taken = days.some((d) =>
      conflictsWith(d.claims, mine, deps.now).length > 0
    );
    if (taken && revived) {
      return b.note === TAKEN_AFTER_LAPSE
        ? null
        : { booking: { ...b, note: TAKEN_AFTER_LAPSE } };
    }
    if (taken) {
      return {
        booking: {
          ...b,
          status: transition(b.status, "expire"),
          respondBy: null,
          note:
            "Someone else booked this date's time while your first payment was being confirmed, so it is not part of your booking.",
        },
        claim: "release",
      };
    }
    const chargeAt = Math.max(deps.now, b.start - CHARGE_BEFORE_MS);
    const releaseAt = Math.max(b.start - RELEASE_BEFORE_MS, chargeAt + HOUR);
    const next: Booking = {
      ...b,
      status: transition(b.status, "schedule"),
      holdExpiresAt: null,
      respondBy: null,
      charge: { at: chargeAt, releaseAt, problem: null, problemText: null },
    };
    return {
      booking: next,
      claim: "reclaim",
      extra: (atomic) => {
        const opts = { now: deps.now, wake: deps.mail.wake };
        addJob(atomic, {
          id: `occ-charge:${id}`,
          type: OCCURRENCE_CHARGE_JOB,
          payload: { bookingId: id },
          runAt: chargeAt,
        }, opts);
        addJob(atomic, {
          id: `occ-release:${id}`,
          type: OCCURRENCE_RELEASE_JOB,
          payload: { bookingId: id },
          runAt: releaseAt,
        }, opts);
        if (chargeAt - RENEWAL_REMINDER_BEFORE_MS > deps.now) {
          addJob(atomic, {
            id: `occ-documents:${id}`,
            type: OCCURRENCE_DOCUMENTS_JOB,
            payload: { bookingId: id },
            runAt: chargeAt - RENEWAL_REMINDER_BEFORE_MS,
          }, opts);
        }
      },
    };
  });
}

/** A later date of a request-to-book series waits with its lead for the host. */
async function requestDate(
  deps: SeriesDeps,
  id: string,
  respondBy: number | null,
): Promise<void> {
  await changeBooking(deps, id, (b, days): Change | null => {
    if (b.status !== "held") return null;
    const mine = { ref: id, start: b.start, end: b.end, bufferMs: b.bufferMs };
    if (days.some((d) => conflictsWith(d.claims, mine, deps.now).length > 0)) {
      return {
        booking: { ...b, status: transition(b.status, "expire") },
        claim: "release",
      };
    }
    return {
      booking: {
        ...b,
        status: transition(b.status, "authorise"),
        holdExpiresAt: null,
        respondBy,
      },
      claim: "reclaim",
    };
  });
}

/**
 * Brings a series' dates in line with its lead (idempotent; the series'
 * hold deadline and every change of the lead's status run it):
 * - lead paid (confirmed) → every other held or requested date scheduled,
 *   the series active;
 * - lead authorised, waiting for the host → the others wait too;
 * - lead lapsed, declined or withdrawn → every other date released;
 * - lead still held past the series' hold → the lead lapses, then as above.
 * The series' emails go with the change of its status, once.
 */
export async function settleSeries(
  deps: SeriesDeps,
  id: string,
): Promise<Series | null> {
  const s = await getSeries(deps.kv, id);
  if (!s) return null;
  let lead = s.leadId ? await getBooking(deps.kv, s.leadId) : null;
  if (
    lead?.status === "held" && (lead.holdExpiresAt ?? 0) <= deps.now
  ) {
    await changeBooking(deps, lead.id, (b) =>
      b.status === "held"
        ? {
          booking: { ...b, status: transition(b.status, "expire") },
          claim: "release",
        }
        : null);
    lead = await getBooking(deps.kv, lead.id);
  }
  const past = (s.holdExpiresAt ?? 0) <= deps.now;
  let target: SeriesStatus | null = null;
  switch (lead?.status) {
    case "confirmed":
    case "completed":
    case "cancelled":
      target = "active";
      break;
    case "requested":
      target = "requested";
      break;
    case "declined":
      target = "declined";
      break;
    case "expired":
    case "withdrawn":
      target = s.status === "active" ? null : "expired";
      break;
    case undefined:
      target = past ? "expired" : null;
      break;
  }
  if (!target) return s;
  if (target === "active") {
    for (const b of await seriesBookings(deps.kv, s)) {
      if (b.id !== lead!.id) {
        await scheduleDate(deps, b.id, s.status === "expired");
      }
    }
  } else if (target === "requested") {
    for (const b of await seriesBookings(deps.kv, s)) {
      if (b.id !== lead!.id) await requestDate(deps, b.id, lead!.respondBy);
    }
  } else {
    await releaseDates(
      deps,
      s,
      target === "declined" ? "declined" : "expired",
      target === "declined"
        ? "The host declined this weekly booking; the card was not charged."
        : null,
    );
  }
  const p = await partiesOf(deps.kv, s);
  const settled = await updateSeries(deps, id, (cur) => {
    if (cur.status === target) return null;
    // Never back: an ended or declined series stays so, an active one
    // active; a lapsed one becomes active only when its first date was
    // paid late after all (its other dates were released meanwhile).
    if (cur.status === "ended" || cur.status === "declined") return null;
    if (cur.status === "active") return null;
    if (cur.status === "expired" && target !== "active") return null;
    return { ...cur, status: target!, holdExpiresAt: null };
  }, (atomic, _before, after) => {
    if (target === "active") tellSeries(atomic, deps, p, after, "set");
    if (target === "requested") tellSeries(atomic, deps, p, after, "requested");
    if (target === "declined") {
      tellSeries(atomic, deps, p, after, "declined", {
        reason: lead?.declineReason ?? null,
      });
    }
  });
  if (target !== "requested") await dropRenterHold(deps, settled);
  return settled;
}
