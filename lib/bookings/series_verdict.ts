/**
 * Standing bookings, each date judged on its own (issue 19 §2, §6): free,
 * free once the renter renews a document that lapses before it, or not
 * bookable and why — the kitchen's hours and closed dates, the series'
 * window, a booking or block in the way, quiet hours, a required permit
 * lapsing, the renter's documents. The preview shows these; the claim
 * recomputes them from KV for each date as it takes it.
 *
 * Pure: the caller reads the calendar days and asks the city's policy.
 */
import {
  type AvailabilityRules,
  checkInterval,
  type Interval,
  type Rejection,
  rejectionMessage,
} from "../kitchens/availability.ts";
import { isBlockRef } from "./blocks.ts";
import {
  busyIntervals,
  type CalendarDay,
  conflictsWith,
} from "./day_claims.ts";

/** What the city's policy said of one date (holds.ts `Assessment`, the parts read here). */
export interface DateAssessment {
  decision: "ALLOW" | "ALLOW_WITH_CONDITIONS" | "DENY";
  denies: { code: string; message: string; renterDocument?: boolean }[];
  conditions: { code: string; message: string }[];
}

/**
 * "free": bookable now; "renew": bookable, but the renter's document lapses
 * before it, so it is charged only once a renewed one is verified;
 * "conflict": not bookable, for `reason`.
 */
export type DateState = "free" | "renew" | "conflict";

export interface DateVerdict {
  state: DateState;
  /** What stands in the way, in plain words; null when free. */
  reason: string | null;
  /** An availability rejection, "booked", "blocked", "yours" or a policy deny code. */
  code: string | null;
  /** The conditions the date is booked on (the renter acknowledges each). */
  conditions: { code: string; message: string }[];
}

/** The calendar side of one date: the rules' verdict, then the claims in its way. */
export interface CalendarFacts {
  rejection: Rejection | null;
  /** Live claims of others within the buffer of the date: a host's block, a booking, the renter's own. */
  taken: ("blocked" | "booked" | "yours")[];
}

/**
 * The calendar side of a date at `now`: the kitchen's rules (with the
 * series' own window) and the live claims on its day documents. `mine`
 * lists claims that are the renter's own (their holds).
 */
export function calendarFacts(
  rules: AvailabilityRules,
  interval: Interval,
  days: readonly CalendarDay[],
  now: number,
  claim: { ref: string; bufferMs: number },
  mine: ReadonlySet<string> = new Set(),
): CalendarFacts {
  // Its own claim (a retried hold, a re-judged date) is not in its way.
  const others = days.map((d) => ({
    ...d,
    claims: d.claims.filter((c) => c.ref !== claim.ref),
  }));
  const verdict = checkInterval(
    rules,
    interval,
    busyIntervals(others, now),
    now,
  );
  const rejection = verdict.ok ||
      verdict.reason === "overlaps" || verdict.reason === "inside_buffer"
    ? null
    : verdict.reason;
  const seen = new Set<string>();
  const taken: CalendarFacts["taken"] = [];
  for (const day of days) {
    for (const c of conflictsWith(day.claims, { ...claim, ...interval }, now)) {
      if (seen.has(c.ref)) continue;
      seen.add(c.ref);
      taken.push(
        isBlockRef(c.ref) ? "blocked" : mine.has(c.ref) ? "yours" : "booked",
      );
    }
  }
  // The engine saw time taken that no claim explains (an occupancy entry
  // only): still taken.
  if (
    !verdict.ok && taken.length === 0 &&
    (verdict.reason === "overlaps" || verdict.reason === "inside_buffer")
  ) taken.push("booked");
  return { rejection, taken };
}

const TAKEN_WORDS: Record<CalendarFacts["taken"][number], string> = {
  blocked: "The host has blocked this time.",
  booked: "Already booked at this time.",
  yours: "You already have a booking at this time.",
};

/** Why a rejection keeps a date out, in the words a weekly booking needs. */
function rejectionWords(
  reason: Rejection,
  rules: AvailabilityRules,
  monthsAhead: number,
): string {
  if (reason === "too_far_ahead") {
    return `Too far ahead: this kitchen takes weekly bookings up to ${monthsAhead} ${
      monthsAhead === 1 ? "month" : "months"
    } ahead.`;
  }
  if (reason === "past") return "This date has passed.";
  return rejectionMessage(reason, rules);
}

/**
 * The renter-document denies of a series' first date: documents the renter
 * lacks now rather than lets lapse later (see `judgeDate`).
 */
export function lackingNow(first: DateAssessment | undefined): Set<string> {
  return new Set(
    (first?.denies ?? []).filter((d) => d.renterDocument).map((d) => d.code),
  );
}

/**
 * One date judged (pure). A deny about the renter's documents (insurance,
 * training) makes the date "renew" only when the series' first date is not
 * denied for the same reason (`lacking`, from `lackingNow`): the document
 * is good now and lapses on the way, so the renter can renew it before
 * this date is charged. Denied from the first date on, the renter simply
 * lacks it, and every such date is a conflict.
 */
export function judgeDate(
  { calendar, assessment }: {
    calendar: CalendarFacts;
    assessment: DateAssessment;
  },
  lacking: ReadonlySet<string>,
  rules: AvailabilityRules,
  monthsAhead: number,
): DateVerdict {
  const conditions = assessment.conditions;
  if (calendar.rejection) {
    return {
      state: "conflict",
      reason: rejectionWords(calendar.rejection, rules, monthsAhead),
      code: calendar.rejection,
      conditions,
    };
  }
  if (calendar.taken.length > 0) {
    const first = calendar.taken.includes("blocked")
      ? "blocked"
      : calendar.taken.includes("booked")
      ? "booked"
      : "yours";
    return {
      state: "conflict",
      reason: TAKEN_WORDS[first],
      code: first,
      conditions,
    };
  }
  if (assessment.decision !== "DENY") {
    return { state: "free", reason: null, code: null, conditions };
  }
  const others = assessment.denies.filter((d) => !d.renterDocument);
  const documents = assessment.denies.filter((d) => d.renterDocument);
  if (others.length > 0) {
    return {
      state: "conflict",
      reason: others.map((d) => d.message).join(" "),
      code: others[0].code,
      conditions,
    };
  }
  if (documents.some((d) => lacking.has(d.code))) {
    return {
      state: "conflict",
      reason: documents.map((d) => d.message).join(" "),
      code: documents[0].code,
      conditions,
    };
  }
  return {
    state: "renew",
    reason: `A document of yours lapses before this date. ${
      documents.map((d) => d.message).join(" ")
    } This date is charged only once Prep verifies a renewed one; until then it waits, and 24 hours before it starts it is released.`,
    code: documents[0].code,
    conditions,
  };
}

/** Every date of a series judged against its first (`judgeDate`). */
export function judgeDates(
  dates: readonly { calendar: CalendarFacts; assessment: DateAssessment }[],
  rules: AvailabilityRules,
  monthsAhead: number,
): DateVerdict[] {
  const lacking = lackingNow(dates[0]?.assessment);
  return dates.map((d) => judgeDate(d, lacking, rules, monthsAhead));
}
