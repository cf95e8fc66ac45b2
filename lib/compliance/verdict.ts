/**
 * The booking verdict (shared/reference/compliance.md §4): may this renter
 * book this kitchen for this interval under the city's rule pack? Pure: the
 * caller loads the documents and calendar and passes `now`, so the hold can
 * recompute the same verdict the review page showed.
 *
 * Instants are epoch milliseconds and intervals half-open [start, end), as in
 * `lib/kitchens/availability.ts`; dates are local "YYYY-MM-DD" in the kitchen's zone.
 */
import { formatClock, formatDateYear } from "../format.ts";
import type { Interval } from "../kitchens/availability.ts";
import { MONTH_NAMES } from "../bookings/month.ts";
import { formatCents } from "../money.ts";
import { type FeeCode, type RulePack, zoningNoticeNeeded } from "./rules.ts";
import { cityFeeLabel } from "./fees.ts";
import {
  DOCUMENT_KIND_NAMES,
  type DocumentStatus,
  type KitchenDocumentKind,
  type RenterDocumentKind,
} from "./schema.ts";

export type Decision = "ALLOW" | "ALLOW_WITH_CONDITIONS" | "DENY";

/**
 * Every code is named in §4 except two that the reference implies without
 * naming, named here and nowhere else:
 * - `booking.window.exceeded`: the booking starts further ahead than the
 *   pack's booking window;
 * - `insurance.workers_comp.missing`: the renter declares employees and has
 *   no verified workers' comp valid until the booking's end (§3 base pack).
 */
export type DenyCode =
  | "booking.window.exceeded"
  | `permit.${KitchenDocumentKind}.missing`
  | "community.notice.required"
  | "insurance.liability.min"
  | "insurance.aggregate.min"
  | "insurance.additional_insured.mismatch"
  | "insurance.workers_comp.missing"
  | "training.missing"
  | "sound.quiet_hours"
  | "calendar.inspection.conflict"
  | "calendar.maintenance.conflict"
  | "inspection.failed";

export type ConditionCode =
  | "zoning.notice.required"
  | "rental.limit.daily_cap_near"
  | "calendar.maintenance.buffer_required"
  | "ada.accessibility.required"
  | "grease.service.overdue"
  | "seasonal.restriction.notice"
  | `fees.${FeeCode}.assessed`;

/** One reason, with a message in plain words for the renter. */
export interface Reason<Code extends string = DenyCode | ConditionCode> {
  code: Code;
  message: string;
}

export interface Verdict {
  decision: Decision;
  denies: Reason<DenyCode>[];
  conditions: Reason<ConditionCode>[];
}

/** A kitchen document as the verdict needs it; `expiresOn` is a local date. */
export interface KitchenPermit {
  kind: KitchenDocumentKind;
  status: DocumentStatus;
  expiresOn: string;
}

export interface InspectionResult {
  /** Local date of the inspection. */
  date: string;
  /** Out of 100. */
  score: number;
  passed: boolean;
}

export interface VerdictKitchen {
  /** IANA zone; documents expire at the end of their date here. */
  timeZone: string;
  zoningDistrict?: string;
  accessible?: boolean;
  /** Every current document, verified or not; more than one of a kind is fine. */
  permits: KitchenPermit[];
  latestInspection?: InspectionResult;
  /** Local date of the last grease-trap service. */
  lastGreaseService?: string;
}

/** A renter wallet document; the limits and names are a COI's extracted fields. */
export interface WalletDocument {
  kind: RenterDocumentKind;
  status: DocumentStatus;
  expiresOn: string;
  perOccurrenceCents?: number;
  aggregateCents?: number;
  additionalInsured?: string;
}

export interface VerdictRenter {
  hasEmployees: boolean;
  needsAccessible: boolean;
  productType?: string;
  wallet: WalletDocument[];
}

export interface CalendarEntry extends Interval {
  kind: "inspection" | "maintenance";
}

export interface VerdictInput {
  pack: RulePack;
  kitchen: VerdictKitchen;
  renter: VerdictRenter;
  /** Scheduled inspections and maintenance windows of the kitchen. */
  calendar: CalendarEntry[];
  /** The requested booking. */
  interval: Interval;
  /** Hours already booked at the kitchen on the local date the booking starts. */
  hoursAlreadyBookedThatLocalDay: number;
  now: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Maintenance starting this soon after a booking ends needs the renter out on time. */
export const MAINTENANCE_BUFFER_MINUTES = 30;
/** Inspection scores below this count as a fail even when marked passed. */
export const INSPECTION_PASS_SCORE = 70;

/**
 * Decides whether the renter may book `interval`. Any deny → DENY; else any
 * condition → ALLOW_WITH_CONDITIONS (the renter acknowledges each before
 * paying); else ALLOW. Throws a RangeError for an empty or non-finite
 * interval, a negative hour count, or a malformed local date.
 */
export function verdict(input: VerdictInput): Verdict {
  const { interval, hoursAlreadyBookedThatLocalDay: booked } = input;
  if (
    !Number.isFinite(interval.start) || !Number.isFinite(interval.end) ||
    interval.start >= interval.end
  ) {
    throw new RangeError("The booking must end after it starts");
  }
  if (!Number.isFinite(booked) || booked < 0) {
    throw new RangeError(`Hours already booked must be ≥ 0, got ${booked}`);
  }
  const denies = denyReasons(input);
  const conditions = conditionReasons(input);
  return { decision: decide(denies, conditions), denies, conditions };
}

/** How reasons add up to a decision. */
export function decide(
  denies: readonly Reason[],
  conditions: readonly Reason[],
): Decision {
  if (denies.length > 0) return "DENY";
  return conditions.length > 0 ? "ALLOW_WITH_CONDITIONS" : "ALLOW";
}

// ---------------------------------------------------------------------------
// Deny reasons

function denyReasons(input: VerdictInput): Reason<DenyCode>[] {
  const { pack, kitchen, renter, calendar, interval, now } = input;
  const zone = kitchen.timeZone;
  const city = pack.cityName;
  const out: Reason<DenyCode>[] = [];
  const valid = (docs: readonly DatedDocument[], kinds: readonly string[]) =>
    docs.some((d) =>
      kinds.includes(d.kind) && isValidAt(d, interval.end, zone)
    );

  // "≤ 180 days ahead", in 24-hour days from now as in lib/kitchens/availability.ts.
  if (
    pack.bookingWindowDays !== null &&
    interval.start > now + pack.bookingWindowDays * DAY
  ) {
    out.push({
      code: "booking.window.exceeded",
      message:
        `${city} kitchens can be booked at most ${pack.bookingWindowDays} days ahead. Please choose an earlier date.`,
    });
  }

  for (const kind of pack.requiredPermits) {
    if (!valid(kitchen.permits, [kind])) {
      out.push({
        code: `permit.${kind}.missing`,
        message: `This kitchen's ${
          lowerFirst(DOCUMENT_KIND_NAMES[kind])
        } is not verified or expires before your booking ends, so it can't be booked for this time.`,
      });
    }
  }

  if (
    pack.notice.when === "always" &&
    !valid(kitchen.permits, [pack.notice.document])
  ) {
    out.push({
      code: "community.notice.required",
      message:
        `${city} requires a community notice for this kitchen, and it has not been verified yet, so the kitchen can't be booked.`,
    });
  }

  out.push(...insuranceReasons(pack, renter.wallet, interval.end, zone));

  if (
    pack.insurance.workersCompIfEmployees && renter.hasEmployees &&
    !valid(renter.wallet, ["workers_comp"])
  ) {
    out.push({
      code: "insurance.workers_comp.missing",
      message:
        "Because your business has employees, you need verified workers' compensation insurance that is valid until your booking ends.",
    });
  }

  if (!valid(renter.wallet, pack.training)) {
    out.push({
      code: "training.missing",
      message:
        "You need a verified food handler card or food manager certificate that is valid until your booking ends.",
    });
  }

  const quiet = pack.quietHours;
  if (quiet && touchesQuietHours(quiet, zone, interval)) {
    out.push({
      code: "sound.quiet_hours",
      message: `${city} does not allow kitchen use between ${
        formatClock(quiet.start)
      } and ${formatClock(quiet.end)}. Please choose a time that ends by ${
        formatClock(quiet.start)
      } or starts at ${formatClock(quiet.end)} or later.`,
    });
  }

  const overlapping = calendar.filter((c) => intersects(c, interval));
  if (overlapping.some((c) => c.kind === "inspection")) {
    out.push({
      code: "calendar.inspection.conflict",
      message:
        "An inspection is scheduled at this kitchen during that time. Please choose another time.",
    });
  }
  if (overlapping.some((c) => c.kind === "maintenance")) {
    out.push({
      code: "calendar.maintenance.conflict",
      message:
        "This kitchen is closed for maintenance during part of that time. Please choose another time.",
    });
  }

  const inspection = kitchen.latestInspection;
  if (
    inspection &&
    (!inspection.passed || inspection.score < INSPECTION_PASS_SCORE)
  ) {
    out.push({
      code: "inspection.failed",
      message:
        "This kitchen did not pass its latest health inspection, so it can't be booked until it passes a new one.",
    });
  }
  return out;
}

export type InsuranceCode =
  | "insurance.liability.min"
  | "insurance.aggregate.min"
  | "insurance.additional_insured.mismatch";

/**
 * What one certificate's own figures fail of the city's insurance rule,
 * whether or not it is in force: limits below the minimums (a limit not
 * extracted counts as none) and an additional insured other than the city's
 * legal name.
 */
export function certificateFaults(
  rule: RulePack["insurance"],
  coi: Pick<
    WalletDocument,
    "perOccurrenceCents" | "aggregateCents" | "additionalInsured"
  >,
): InsuranceCode[] {
  const out: InsuranceCode[] = [];
  if ((coi.perOccurrenceCents ?? 0) < rule.perOccurrenceMinCents) {
    out.push("insurance.liability.min");
  }
  if ((coi.aggregateCents ?? 0) < rule.aggregateMinCents) {
    out.push("insurance.aggregate.min");
  }
  if (
    rule.additionalInsured !== null &&
    !sameLegalName(coi.additionalInsured ?? "", rule.additionalInsured)
  ) {
    out.push("insurance.additional_insured.mismatch");
  }
  return out;
}

const INSURANCE_CODES: readonly InsuranceCode[] = [
  "insurance.liability.min",
  "insurance.aggregate.min",
  "insurance.additional_insured.mismatch",
];
const NO_CERTIFICATE: readonly InsuranceCode[] = [
  "insurance.liability.min",
  "insurance.aggregate.min",
];

/**
 * Judged on one certificate, so limits from two policies are never mixed:
 * the renter's best, and every fault it has. A certificate not in force for
 * the whole booking (unverified, or expiring before it ends) covers nothing,
 * so both limits fail, but a wrong additional insured is still worth telling
 * before the renter renews it. The best is the one with the fewest reasons,
 * then one in force, then the one listed first (`verdictWallet` lists the
 * current certificate first). With no certificate at all, only the limits
 * fail: there is no named insured to be wrong.
 */
function insuranceReasons(
  pack: RulePack,
  wallet: readonly WalletDocument[],
  end: number,
  zone: string,
): Reason<InsuranceCode>[] {
  const rule = pack.insurance;
  const cois = wallet.filter((d) => d.kind === "liability_insurance");
  const judged = cois.map((coi) => {
    const inForce = isValidAt(coi, end, zone);
    const faults = new Set(certificateFaults(rule, coi));
    if (!inForce) {
      faults.add("insurance.liability.min");
      faults.add("insurance.aggregate.min");
    }
    return {
      inForce,
      figuresLow: new Set(certificateFaults(rule, coi)),
      codes: INSURANCE_CODES.filter((c) => faults.has(c)),
    };
  });
  const better = (a: typeof judged[number], b: typeof judged[number]) =>
    a.codes.length < b.codes.length ||
    (a.codes.length === b.codes.length && a.inForce && !b.inForce);
  // Replacing only a strictly better one keeps the first listed on a tie.
  const best = judged.reduce<typeof judged[number] | null>(
    (kept, next) => kept === null || better(next, kept) ? next : kept,
    null,
  );
  const codes = best?.codes ?? NO_CERTIFICATE;
  // Two partial certificates: the renter learns why the other one's limit
  // does not count.
  const single = cois.length > 1 ? " on a single certificate" : "";
  // A limit fault that comes only from the certificate not being in force
  // (still in review, or lapsing first) says so, not "too low".
  const onlyNotInForce = (code: InsuranceCode) =>
    best !== null && !best.inForce && !best.figuresLow.has(code);
  const notInForce =
    "Your liability insurance certificate is not verified yet, or it lapses before your booking ends";
  const messages: Record<InsuranceCode, string> = {
    "insurance.liability.min": onlyNotInForce("insurance.liability.min")
      ? `${notInForce}: it counts toward the ${
        formatCents(rule.perOccurrenceMinCents)
      } per-occurrence minimum once it is verified and valid until then.`
      : `Your liability insurance must cover at least ${
        formatCents(rule.perOccurrenceMinCents)
      } per occurrence${single}, and be verified and valid until your booking ends.`,
    "insurance.aggregate.min": onlyNotInForce("insurance.aggregate.min")
      ? `${notInForce}: it counts toward the ${
        formatCents(rule.aggregateMinCents)
      } aggregate minimum once it is verified and valid until then.`
      : `Your liability insurance must have an aggregate limit of at least ${
        formatCents(rule.aggregateMinCents)
      }${single}, and be verified and valid until your booking ends.`,
    "insurance.additional_insured.mismatch":
      `Your insurance certificate must name "${rule.additionalInsured}" as additional insured, spelled exactly like that.`,
  };
  return codes.map((code) => ({ code, message: messages[code] }));
}

/** Exact legal name, ignoring case and surrounding spaces only. */
function sameLegalName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

// ---------------------------------------------------------------------------
// Condition reasons

function conditionReasons(input: VerdictInput): Reason<ConditionCode>[] {
  const { pack, kitchen, renter, calendar, interval } = input;
  const zone = kitchen.timeZone;
  const city = pack.cityName;
  const out: Reason<ConditionCode>[] = [];

  const notice = pack.notice;
  if (notice.when === "by_zoning_district") {
    const needed = zoningNoticeNeeded(pack, kitchen.zoningDistrict);
    const verified = kitchen.permits.some((d) =>
      d.kind === notice.document && isValidAt(d, interval.end, zone)
    );
    if (needed && !verified) {
      out.push({
        code: "zoning.notice.required",
        message:
          "This kitchen's zoning district requires a neighborhood notice, and the kitchen's notice has not been verified yet.",
      });
    }
  }

  if (pack.dailyCapHours !== null) {
    const total = input.hoursAlreadyBookedThatLocalDay +
      (interval.end - interval.start) / HOUR;
    if (total > pack.dailyCapHours) {
      out.push({
        code: "rental.limit.daily_cap_near",
        message: `With your booking this kitchen would be in use ${
          hoursWords(total)
        } that day, more than ${city}'s limit of ${
          hoursWords(pack.dailyCapHours)
        } a day.`,
      });
    }
  }

  const soon = interval.end + MAINTENANCE_BUFFER_MINUTES * MINUTE;
  if (
    calendar.some((c) =>
      c.kind === "maintenance" && c.start >= interval.end && c.start <= soon
    )
  ) {
    out.push({
      code: "calendar.maintenance.buffer_required",
      message:
        `Maintenance starts at this kitchen within ${MAINTENANCE_BUFFER_MINUTES} minutes of your booking's end, so please finish and leave on time.`,
    });
  }

  if (renter.needsAccessible && !kitchen.accessible) {
    out.push({
      code: "ada.accessibility.required",
      message:
        "You asked for an accessible kitchen, and this kitchen is not listed as accessible.",
    });
  }

  const everyDays = pack.greaseServiceIntervalDays;
  if (everyDays !== null) {
    // Judged on the day of the booking, not today: that is when the kitchen is used.
    const bookingDay = localDateOf(interval.start, zone);
    const last = kitchen.lastGreaseService;
    const days = last === undefined
      ? null
      : parseLocalDate(last).until(bookingDay, { largestUnit: "days" }).days;
    if (days === null || days > everyDays) {
      const history = days === null
        ? "This kitchen has no grease trap service on record"
        : `This kitchen's grease trap was last serviced on ${
          formatDateYear(last!)
        }, ${days} days before your booking`;
      out.push({
        code: "grease.service.overdue",
        message:
          `${history}; ${city} expects a service every ${everyDays} days.`,
      });
    }
  }

  const months = [interval.start, interval.end - 1].map((t) =>
    localDateOf(t, zone).month
  );
  for (const rule of pack.seasonal) {
    if (
      renter.productType === rule.productType &&
      months.some((m) => inSeason(m, rule.fromMonth, rule.toMonth))
    ) {
      out.push({
        code: "seasonal.restriction.notice",
        message: `${productWords(rule.productType)} in ${city} from ${
          MONTH_NAMES[rule.fromMonth - 1]
        } to ${
          MONTH_NAMES[rule.toMonth - 1]
        } is booked under a seasonal notice: seasonal restrictions may apply to your booking.`,
      });
    }
  }

  const assessed = new Set<FeeCode>();
  for (const fee of pack.fees) {
    if (assessed.has(fee.code)) continue;
    assessed.add(fee.code);
    out.push({
      code: `fees.${fee.code}.assessed`,
      message: `${
        cityFeeLabel(fee)
      } is charged on this booking; it is shown as a line on your quote.`,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Time

type DatedDocument = {
  kind: string;
  status: DocumentStatus;
  expiresOn: string;
};

/** Verified, and not expired by `end`: a document lasts to the end of its expiry date in `zone`. */
function isValidAt(doc: DatedDocument, end: number, zone: string): boolean {
  if (doc.status !== "verified") return false;
  const dayAfter = parseLocalDate(doc.expiresOn).add({ days: 1 });
  return end <= dayAfter.toZonedDateTime(zone).epochMilliseconds;
}

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Strict "YYYY-MM-DD"; Temporal alone would also take a date-time. */
function parseLocalDate(date: string): Temporal.PlainDate {
  if (!LOCAL_DATE.test(date)) {
    throw new RangeError(`Invalid local date: ${date}`);
  }
  return Temporal.PlainDate.from(date, { overflow: "reject" });
}

function localDateOf(epochMs: number, zone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(epochMs)
    .toZonedDateTimeISO(zone)
    .toPlainDate();
}

/** A wall-clock time on a local date, with the same DST choice as availability. */
function wallClock(date: Temporal.PlainDate, hhmm: string, zone: string) {
  return date.toPlainDateTime(Temporal.PlainTime.from(hhmm))
    .toZonedDateTime(zone, { disambiguation: "compatible" })
    .epochMilliseconds;
}

/**
 * The quiet periods, in real time, of every local day that could touch
 * `interval`: each placed on its own day (so a DST night is an hour shorter
 * or longer), starting the day before for periods that run past midnight.
 */
export function quietPeriods(
  quiet: { start: string; end: string },
  zone: string,
  interval: Interval,
): Interval[] {
  const crossesMidnight = quiet.end <= quiet.start;
  const last = localDateOf(interval.end - 1, zone);
  const out: Interval[] = [];
  for (
    let date = localDateOf(interval.start, zone).subtract({ days: 1 });
    Temporal.PlainDate.compare(date, last) <= 0;
    date = date.add({ days: 1 })
  ) {
    out.push({
      start: wallClock(date, quiet.start, zone),
      end: wallClock(
        crossesMidnight ? date.add({ days: 1 }) : date,
        quiet.end,
        zone,
      ),
    });
  }
  return out;
}

/** Whether any part of `interval` falls in the quiet hours of some local day. */
function touchesQuietHours(
  quiet: { start: string; end: string },
  zone: string,
  interval: Interval,
): boolean {
  return quietPeriods(quiet, zone, interval).some((p) =>
    intersects(p, interval)
  );
}

function intersects(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end;
}

function inSeason(month: number, from: number, to: number): boolean {
  return from <= to
    ? from <= month && month <= to
    : month >= from || month <= to;
}

// ---------------------------------------------------------------------------
// Words

function hoursWords(hours: number): string {
  const rounded = Math.round(hours * 100) / 100;
  return `${rounded} ${rounded === 1 ? "hour" : "hours"}`;
}

/** "Health permit" → "health permit", to sit mid-sentence. */
function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** "outdoor_cooking" → "Outdoor cooking". */
function productWords(productType: string): string {
  const words = productType.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
