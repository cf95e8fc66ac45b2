import assert from "node:assert/strict";
import { CITY_SLUGS as CITIES_SLUGS, findCity } from "../../lib/cities.ts";
import {
  CITY_SLUGS,
  type CitySlug,
  RULE_PACKS,
  type RulePack,
  rulePackFor,
  rulePackSchema,
} from "../../lib/compliance/rules.ts";
import { KITCHEN_DOCUMENT_KINDS } from "../../lib/compliance/schema.ts";
import {
  type ConditionCode,
  decide,
  type DenyCode,
  type Reason,
  verdict,
  type VerdictInput,
} from "../../lib/compliance/verdict.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SF_NAME = "City and County of San Francisco";

function zoneOf(city: CitySlug): string {
  return findCity(city)!.timeZone;
}

/** Local wall-clock "YYYY-MM-DDTHH:MM" in `tz` to epoch ms. */
function at(local: string, tz: string): number {
  return Temporal.PlainDateTime.from(local)
    .toZonedDateTime(tz, { disambiguation: "compatible" })
    .epochMilliseconds;
}

/**
 * A booking every rule lets through: every kitchen document verified, an
 * inspection passed, grease serviced the day before, a renter with a full
 * wallet naming the city's additional insured, booked nine days ahead.
 * Only the city's fee conditions remain.
 */
function cleanInput(
  city: CitySlug,
  [from, to]: [string, string],
): VerdictInput {
  const pack = rulePackFor(city);
  const timeZone = zoneOf(city);
  const day = Temporal.PlainDate.from(from.slice(0, 10));
  return {
    pack,
    kitchen: {
      timeZone,
      zoningDistrict: "M-1",
      accessible: true,
      permits: KITCHEN_DOCUMENT_KINDS.map((kind) => ({
        kind,
        status: "verified",
        expiresOn: "2027-12-31",
      })),
      latestInspection: { date: "2026-05-01", score: 95, passed: true },
      lastGreaseService: day.subtract({ days: 1 }).toString(),
    },
    renter: {
      hasEmployees: false,
      needsAccessible: false,
      wallet: [
        {
          kind: "liability_insurance",
          status: "verified",
          expiresOn: "2027-12-31",
          perOccurrenceCents: 100_000_000,
          aggregateCents: 200_000_000,
          additionalInsured: pack.insurance.additionalInsured ?? undefined,
        },
        {
          kind: "food_handler_card",
          status: "verified",
          expiresOn: "2027-12-31",
        },
      ],
    },
    calendar: [],
    interval: { start: at(from, timeZone), end: at(to, timeZone) },
    hoursAlreadyBookedThatLocalDay: 0,
    // Nine days ahead, well inside every booking window.
    now: at(from, timeZone) - 9 * DAY,
  };
}

function feeCodes(pack: RulePack): ConditionCode[] {
  return [...new Set(pack.fees.map((f) => f.code))].map((code) =>
    `fees.${code}.assessed` as const
  );
}

interface Case {
  name: string;
  city: CitySlug;
  /** Local start and end; defaults to 10:00–14:00 on Wednesday 2026-06-10. */
  when?: [string, string];
  change?: (input: VerdictInput) => void;
  denies?: DenyCode[];
  /** Besides the city's `fees.<code>.assessed`, which always come last. */
  conditions?: ConditionCode[];
}

const DAYTIME: [string, string] = ["2026-06-10T10:00", "2026-06-10T14:00"];

const permit = (input: VerdictInput, kind: string) =>
  input.kitchen.permits.find((p) => p.kind === kind)!;
const coi = (input: VerdictInput) =>
  input.renter.wallet.find((d) => d.kind === "liability_insurance")!;
const dropPermit = (kind: string) => (input: VerdictInput) => {
  input.kitchen.permits = input.kitchen.permits.filter((p) => p.kind !== kind);
};
const dropWallet = (kind: string) => (input: VerdictInput) => {
  input.renter.wallet = input.renter.wallet.filter((d) => d.kind !== kind);
};
const calendarEntry = (
  kind: "inspection" | "maintenance",
  from: string,
  to: string,
  tz = zoneOf("san-francisco"),
) =>
(input: VerdictInput) => {
  input.calendar.push({ kind, start: at(from, tz), end: at(to, tz) });
};

const cases: Case[] = [
  // --- Every city, nothing wrong: only the fee conditions.
  ...CITY_SLUGS.map((city): Case => ({
    name: `${city}: a clean booking has only the city's fee conditions`,
    city,
  })),

  // --- permit.<kind>.missing
  {
    name: "SF shared kitchen permit still pending",
    city: "san-francisco",
    change: (i) => void (permit(i, "shared_kitchen").status = "pending"),
    denies: ["permit.shared_kitchen.missing"],
  },
  {
    name: "Seattle without a TFE permit",
    city: "seattle",
    change: dropPermit("tfe"),
    denies: ["permit.tfe.missing"],
  },
  {
    name: "Seattle without a commissary permit",
    city: "seattle",
    change: dropPermit("commissary"),
    denies: ["permit.commissary.missing"],
  },
  {
    name: "Portland ventilation inspection rejected",
    city: "portland",
    change: (i) => void (permit(i, "ventilation").status = "rejected"),
    denies: ["permit.ventilation.missing"],
  },
  {
    name: "New York health permit marked expired",
    city: "new-york",
    change: (i) => void (permit(i, "health_permit").status = "expired"),
    denies: ["permit.health_permit.missing"],
  },
  {
    name: "Chicago fire safety renewal requested",
    city: "chicago",
    change: (i) => void (permit(i, "fire_safety").status = "renewal_requested"),
    denies: ["permit.fire_safety.missing"],
  },
  {
    name: "Boston without a business license",
    city: "boston",
    change: dropPermit("business_license"),
    denies: ["permit.business_license.missing"],
  },
  {
    name: "SF keeps the base pack's business license",
    city: "san-francisco",
    change: dropPermit("business_license"),
    denies: ["permit.business_license.missing"],
  },
  {
    name: "base cities do not ask for a ventilation inspection",
    city: "atlanta",
    change: dropPermit("ventilation"),
  },
  {
    name: "a permit expiring on the booking's date is still valid that evening",
    city: "new-york",
    when: ["2026-06-10T18:00", "2026-06-10T23:30"],
    change: (i) => void (permit(i, "health_permit").expiresOn = "2026-06-10"),
  },
  {
    name:
      "a permit expires at the end of its date in the kitchen's zone, not UTC",
    city: "los-angeles",
    // 17:00–20:00 PDT ends after midnight UTC.
    when: ["2026-06-10T17:00", "2026-06-10T20:00"],
    change: (i) => void (permit(i, "health_permit").expiresOn = "2026-06-10"),
  },
  {
    name: "a booking running past midnight outlasts a permit expiring that day",
    city: "new-york",
    when: ["2026-06-10T20:00", "2026-06-11T00:30"],
    change: (i) => void (permit(i, "health_permit").expiresOn = "2026-06-10"),
    denies: ["permit.health_permit.missing"],
  },
  {
    name:
      "a booking ending exactly at midnight is covered by that day's expiry",
    city: "new-york",
    when: ["2026-06-10T20:00", "2026-06-11T00:00"],
    change: (i) => void (permit(i, "health_permit").expiresOn = "2026-06-10"),
  },
  {
    name: "a verified permit stays valid while its replacement is pending",
    city: "new-york",
    change: (i) =>
      void i.kitchen.permits.push({
        kind: "health_permit",
        status: "pending",
        expiresOn: "2028-12-31",
      }),
  },

  // --- community.notice.required
  {
    name: "Portland without a community notice",
    city: "portland",
    change: dropPermit("community_notice"),
    denies: ["community.notice.required"],
  },
  {
    name: "Portland community notice pending",
    city: "portland",
    change: (i) => void (permit(i, "community_notice").status = "pending"),
    denies: ["community.notice.required"],
  },
  {
    name: "other cities do not need a community notice",
    city: "seattle",
    change: dropPermit("community_notice"),
  },

  // --- insurance
  {
    name: "COI $1 under the per-occurrence minimum",
    city: "new-york",
    change: (i) => void (coi(i).perOccurrenceCents = 99_999_999),
    denies: ["insurance.liability.min"],
  },
  {
    name: "COI $1 under the aggregate minimum",
    city: "chicago",
    change: (i) => void (coi(i).aggregateCents = 199_999_999),
    denies: ["insurance.aggregate.min"],
  },
  {
    name: "COI without extracted limits",
    city: "atlanta",
    change: (i) => {
      delete coi(i).perOccurrenceCents;
      delete coi(i).aggregateCents;
    },
    denies: ["insurance.liability.min", "insurance.aggregate.min"],
  },
  {
    name: "no COI at all",
    city: "san-francisco",
    change: dropWallet("liability_insurance"),
    denies: ["insurance.liability.min", "insurance.aggregate.min"],
  },
  {
    name: "COI expiring the day before the booking",
    city: "boston",
    change: (i) => void (coi(i).expiresOn = "2026-06-09"),
    denies: ["insurance.liability.min", "insurance.aggregate.min"],
  },
  {
    name: "COI still pending review",
    city: "los-angeles",
    change: (i) => void (coi(i).status = "pending"),
    denies: ["insurance.liability.min", "insurance.aggregate.min"],
  },
  {
    name: "a low old COI does not spoil a good one",
    city: "new-york",
    change: (i) =>
      void i.renter.wallet.push({
        kind: "liability_insurance",
        status: "verified",
        expiresOn: "2027-12-31",
        perOccurrenceCents: 50_000_000,
        aggregateCents: 50_000_000,
      }),
  },
  {
    name: "limits from two certificates are not combined",
    city: "new-york",
    change: (i) => {
      coi(i).aggregateCents = 100_000_000;
      i.renter.wallet.push({
        kind: "liability_insurance",
        status: "verified",
        expiresOn: "2027-12-31",
        perOccurrenceCents: 50_000_000,
        aggregateCents: 300_000_000,
      });
    },
    denies: ["insurance.aggregate.min"],
  },

  // --- insurance.additional_insured.mismatch (exact name, case and outer spaces ignored)
  {
    name: "additional insured with other case and surrounding spaces",
    city: "san-francisco",
    change: (i) =>
      void (coi(i).additionalInsured = "  city and county of SAN FRANCISCO \t"),
  },
  {
    name: "additional insured near miss: & for and",
    city: "san-francisco",
    change: (i) =>
      void (coi(i).additionalInsured = "City & County of San Francisco"),
    denies: ["insurance.additional_insured.mismatch"],
  },
  {
    name: "additional insured near miss: a misspelling",
    city: "san-francisco",
    change: (i) =>
      void (coi(i).additionalInsured = "City and County of San Fransisco"),
    denies: ["insurance.additional_insured.mismatch"],
  },
  {
    name: "additional insured near miss: a double space inside",
    city: "san-francisco",
    change: (i) =>
      void (coi(i).additionalInsured = "City and  County of San Francisco"),
    denies: ["insurance.additional_insured.mismatch"],
  },
  {
    name: "additional insured near miss: only part of the name",
    city: "seattle",
    change: (i) => void (coi(i).additionalInsured = "City of Seattle"),
    denies: ["insurance.additional_insured.mismatch"],
  },
  {
    name: "additional insured missing from the COI",
    city: "portland",
    change: (i) => void delete coi(i).additionalInsured,
    denies: ["insurance.additional_insured.mismatch"],
  },
  {
    name: "base cities ask for no additional insured",
    city: "boston",
    change: (i) => void (coi(i).additionalInsured = "Someone Else LLC"),
  },

  // --- insurance.workers_comp.missing (named here; §3 base pack)
  {
    name: "renter with employees and no workers' comp",
    city: "chicago",
    change: (i) => void (i.renter.hasEmployees = true),
    denies: ["insurance.workers_comp.missing"],
  },
  {
    name: "renter with employees and verified workers' comp",
    city: "chicago",
    change: (i) => {
      i.renter.hasEmployees = true;
      i.renter.wallet.push({
        kind: "workers_comp",
        status: "verified",
        expiresOn: "2026-12-31",
      });
    },
  },

  // --- training.missing
  {
    name: "no food handler card or manager certificate",
    city: "los-angeles",
    change: dropWallet("food_handler_card"),
    denies: ["training.missing"],
  },
  {
    name: "a food manager certificate is enough",
    city: "los-angeles",
    change: (i) => {
      dropWallet("food_handler_card")(i);
      i.renter.wallet.push({
        kind: "food_manager_certificate",
        status: "verified",
        expiresOn: "2027-01-01",
      });
    },
  },
  {
    name: "a food handler card expiring before the booking",
    city: "boston",
    change: (i) =>
      void (i.renter.wallet.find((d) => d.kind === "food_handler_card")!
        .expiresOn = "2026-06-01"),
    denies: ["training.missing"],
  },

  // --- sound.quiet_hours (SF 22:00–06:00)
  {
    name: "SF 20:00–23:00 runs into quiet hours",
    city: "san-francisco",
    when: ["2026-06-10T20:00", "2026-06-10T23:00"],
    denies: ["sound.quiet_hours"],
  },
  {
    name: "SF 05:30–07:00 starts in quiet hours",
    city: "san-francisco",
    when: ["2026-06-10T05:30", "2026-06-10T07:00"],
    denies: ["sound.quiet_hours"],
  },
  {
    name: "SF 18:00–22:00 ends as quiet hours begin",
    city: "san-francisco",
    when: ["2026-06-10T18:00", "2026-06-10T22:00"],
  },
  {
    name: "SF 06:00–10:00 starts as quiet hours end",
    city: "san-francisco",
    when: ["2026-06-10T06:00", "2026-06-10T10:00"],
  },
  {
    name: "SF 21:00–02:00 crosses midnight through quiet hours",
    city: "san-francisco",
    when: ["2026-06-10T21:00", "2026-06-11T02:00"],
    denies: ["sound.quiet_hours"],
  },
  {
    name: "SF 23:00–05:00 lies wholly inside quiet hours",
    city: "san-francisco",
    when: ["2026-06-10T23:00", "2026-06-11T05:00"],
    denies: ["sound.quiet_hours"],
  },
  {
    name: "SF 06:00 to 22:00 next day spans a whole quiet night",
    city: "san-francisco",
    when: ["2026-06-10T06:00", "2026-06-11T22:00"],
    change: (i) => void (i.pack = { ...i.pack, dailyCapHours: null }),
    denies: ["sound.quiet_hours"],
  },
  {
    name: "Seattle quiet hours last until 07:00",
    city: "seattle",
    when: ["2026-06-10T06:30", "2026-06-10T08:00"],
    denies: ["sound.quiet_hours"],
  },
  {
    name: "Portland 05:00–06:00 is inside quiet hours",
    city: "portland",
    when: ["2026-06-10T05:00", "2026-06-10T06:00"],
    denies: ["sound.quiet_hours"],
  },
  {
    name: "New York has no quiet hours",
    city: "new-york",
    when: ["2026-06-10T21:00", "2026-06-11T02:00"],
  },

  // --- calendar conflicts
  {
    name: "overlaps a scheduled inspection",
    city: "san-francisco",
    change: calendarEntry("inspection", "2026-06-10T13:00", "2026-06-10T15:00"),
    denies: ["calendar.inspection.conflict"],
  },
  {
    name: "an inspection right after the booking is no conflict",
    city: "san-francisco",
    change: calendarEntry("inspection", "2026-06-10T14:00", "2026-06-10T15:00"),
  },
  {
    name: "overlaps a maintenance window",
    city: "san-francisco",
    change: calendarEntry(
      "maintenance",
      "2026-06-10T09:00",
      "2026-06-10T10:30",
    ),
    denies: ["calendar.maintenance.conflict"],
  },
  {
    name: "maintenance ending as the booking starts is no conflict",
    city: "san-francisco",
    change: calendarEntry(
      "maintenance",
      "2026-06-10T08:00",
      "2026-06-10T10:00",
    ),
  },
  {
    name: "maintenance on another day is no conflict",
    city: "san-francisco",
    change: calendarEntry(
      "maintenance",
      "2026-06-11T10:00",
      "2026-06-11T14:00",
    ),
  },

  // --- inspection.failed
  {
    name: "latest inspection failed",
    city: "new-york",
    change: (i) =>
      void (i.kitchen.latestInspection = {
        date: "2026-05-01",
        score: 88,
        passed: false,
      }),
    denies: ["inspection.failed"],
  },
  {
    name: "latest inspection passed with a score of 69",
    city: "new-york",
    change: (i) =>
      void (i.kitchen.latestInspection = {
        date: "2026-05-01",
        score: 69,
        passed: true,
      }),
    denies: ["inspection.failed"],
  },
  {
    name: "latest inspection passed with exactly 70",
    city: "new-york",
    change: (i) =>
      void (i.kitchen.latestInspection = {
        date: "2026-05-01",
        score: 70,
        passed: true,
      }),
  },

  // --- booking.window.exceeded (named here; §3 booking window)
  {
    name: "SF booking starting 180 days ahead is in the window",
    city: "san-francisco",
    change: (i) => {
      const start = i.now + 180 * DAY;
      i.interval = { start, end: start + 2 * HOUR };
      i.kitchen.lastGreaseService = "2026-11-01";
    },
  },
  {
    name: "SF booking starting 180 days and a minute ahead",
    city: "san-francisco",
    change: (i) => {
      const start = i.now + 180 * DAY + MINUTE;
      i.interval = { start, end: start + 2 * HOUR };
      i.kitchen.lastGreaseService = "2026-11-01";
    },
    denies: ["booking.window.exceeded"],
  },
  {
    name: "base cities have no booking window of their own",
    city: "chicago",
    when: ["2027-08-10T10:00", "2027-08-10T14:00"],
  },

  // --- zoning.notice.required (SF by district)
  {
    name: "SF NC-3 without a neighborhood notice",
    city: "san-francisco",
    change: (i) => {
      i.kitchen.zoningDistrict = "NC-3";
      dropPermit("neighborhood_notice")(i);
    },
    conditions: ["zoning.notice.required"],
  },
  {
    name: "SF PDR-1-D with a pending neighborhood notice",
    city: "san-francisco",
    change: (i) => {
      i.kitchen.zoningDistrict = "PDR-1-D";
      permit(i, "neighborhood_notice").status = "pending";
    },
    conditions: ["zoning.notice.required"],
  },
  {
    name: "SF NCT with a verified neighborhood notice",
    city: "san-francisco",
    change: (i) => void (i.kitchen.zoningDistrict = "NCT"),
  },
  {
    name: "SF M-1 needs no neighborhood notice",
    city: "san-francisco",
    change: dropPermit("neighborhood_notice"),
  },
  {
    name: "SF unknown district needs a notice",
    city: "san-francisco",
    change: (i) => {
      i.kitchen.zoningDistrict = "RH-1";
      dropPermit("neighborhood_notice")(i);
    },
    conditions: ["zoning.notice.required"],
  },
  {
    name: "SF kitchen with no district on file needs a notice",
    city: "san-francisco",
    change: (i) => {
      delete i.kitchen.zoningDistrict;
      dropPermit("neighborhood_notice")(i);
    },
    conditions: ["zoning.notice.required"],
  },
  {
    name: "other cities ignore zoning districts",
    city: "seattle",
    change: (i) => {
      i.kitchen.zoningDistrict = "NC-3";
      dropPermit("neighborhood_notice")(i);
    },
  },

  // --- rental.limit.daily_cap_near
  {
    name: "SF 8 h booked + 4 h reaches the 12 h cap",
    city: "san-francisco",
    change: (i) => void (i.hoursAlreadyBookedThatLocalDay = 8),
  },
  {
    name: "SF 8 h booked + 5 h exceeds the 12 h cap",
    city: "san-francisco",
    when: ["2026-06-10T10:00", "2026-06-10T15:00"],
    change: (i) => void (i.hoursAlreadyBookedThatLocalDay = 8),
    conditions: ["rental.limit.daily_cap_near"],
  },
  {
    name: "Portland 10.5 h booked + 4 h exceeds the 14 h cap",
    city: "portland",
    change: (i) => void (i.hoursAlreadyBookedThatLocalDay = 10.5),
    conditions: ["rental.limit.daily_cap_near"],
  },
  {
    name: "base cities have no daily cap",
    city: "boston",
    change: (i) => void (i.hoursAlreadyBookedThatLocalDay = 22),
  },

  // --- calendar.maintenance.buffer_required (starts 0–30 min after the end)
  {
    name: "maintenance starting as the booking ends",
    city: "san-francisco",
    change: calendarEntry(
      "maintenance",
      "2026-06-10T14:00",
      "2026-06-10T16:00",
    ),
    conditions: ["calendar.maintenance.buffer_required"],
  },
  {
    name: "maintenance starting 30 minutes after the end",
    city: "san-francisco",
    change: calendarEntry(
      "maintenance",
      "2026-06-10T14:30",
      "2026-06-10T16:00",
    ),
    conditions: ["calendar.maintenance.buffer_required"],
  },
  {
    name: "maintenance starting 31 minutes after the end",
    city: "san-francisco",
    change: calendarEntry(
      "maintenance",
      "2026-06-10T14:31",
      "2026-06-10T16:00",
    ),
  },
  {
    name: "an inspection right after the end needs no buffer",
    city: "san-francisco",
    change: calendarEntry("inspection", "2026-06-10T14:10", "2026-06-10T15:00"),
  },

  // --- ada.accessibility.required
  {
    name: "renter needs an accessible kitchen; this one is not",
    city: "atlanta",
    change: (i) => {
      i.renter.needsAccessible = true;
      i.kitchen.accessible = false;
    },
    conditions: ["ada.accessibility.required"],
  },
  {
    name: "renter needs an accessible kitchen; accessibility unknown",
    city: "atlanta",
    change: (i) => {
      i.renter.needsAccessible = true;
      delete i.kitchen.accessible;
    },
    conditions: ["ada.accessibility.required"],
  },
  {
    name: "renter needs an accessible kitchen; this one is",
    city: "atlanta",
    change: (i) => void (i.renter.needsAccessible = true),
  },

  // --- grease.service.overdue
  {
    name: "SF grease serviced 181 days before the booking",
    city: "san-francisco",
    change: (i) => void (i.kitchen.lastGreaseService = "2025-12-11"),
    conditions: ["grease.service.overdue"],
  },
  {
    name: "SF grease serviced 180 days before the booking",
    city: "san-francisco",
    change: (i) => void (i.kitchen.lastGreaseService = "2025-12-12"),
  },
  {
    name: "Seattle grease serviced 61 days before the booking",
    city: "seattle",
    change: (i) => void (i.kitchen.lastGreaseService = "2026-04-10"),
    conditions: ["grease.service.overdue"],
  },
  {
    name: "Portland kitchen with no grease service on record",
    city: "portland",
    change: (i) => void delete i.kitchen.lastGreaseService,
    conditions: ["grease.service.overdue"],
  },
  {
    name: "base cities set no grease interval",
    city: "new-york",
    change: (i) => void delete i.kitchen.lastGreaseService,
  },

  // --- seasonal.restriction.notice (Seattle outdoor cooking, Nov–Feb)
  {
    name: "Seattle outdoor cooking in December",
    city: "seattle",
    when: ["2026-12-10T10:00", "2026-12-10T14:00"],
    change: (i) => void (i.renter.productType = "outdoor_cooking"),
    conditions: ["seasonal.restriction.notice"],
  },
  {
    name: "Seattle outdoor cooking on 1 November",
    city: "seattle",
    when: ["2026-11-01T10:00", "2026-11-01T14:00"],
    change: (i) => void (i.renter.productType = "outdoor_cooking"),
    conditions: ["seasonal.restriction.notice"],
  },
  {
    name: "Seattle outdoor cooking on 28 February",
    city: "seattle",
    when: ["2027-02-28T10:00", "2027-02-28T14:00"],
    change: (i) => void (i.renter.productType = "outdoor_cooking"),
    conditions: ["seasonal.restriction.notice"],
  },
  {
    name: "Seattle outdoor cooking on 1 March",
    city: "seattle",
    when: ["2027-03-01T10:00", "2027-03-01T14:00"],
    change: (i) => void (i.renter.productType = "outdoor_cooking"),
  },
  {
    name: "Seattle outdoor cooking in June",
    city: "seattle",
    change: (i) => void (i.renter.productType = "outdoor_cooking"),
  },
  {
    name: "Seattle baking in December",
    city: "seattle",
    when: ["2026-12-10T10:00", "2026-12-10T14:00"],
    change: (i) => void (i.renter.productType = "baking"),
  },
  {
    name: "SF outdoor cooking in December",
    city: "san-francisco",
    when: ["2026-12-10T10:00", "2026-12-10T14:00"],
    change: (i) => void (i.renter.productType = "outdoor_cooking"),
  },

  // --- DST days in Seattle (quiet 22:00–07:00 local, placed in real time)
  {
    name: "Seattle spring-forward day: 07:00–10:00 PDT is after quiet hours",
    city: "seattle",
    when: ["2026-03-08T07:00", "2026-03-08T10:00"],
  },
  {
    name: "Seattle spring-forward day: 06:30–07:30 PDT is in quiet hours",
    city: "seattle",
    when: ["2026-03-08T06:30", "2026-03-08T07:30"],
    denies: ["sound.quiet_hours"],
  },
  {
    name: "Seattle spring-forward eve: 18:00–22:00 PST is before quiet hours",
    city: "seattle",
    when: ["2026-03-07T18:00", "2026-03-07T22:00"],
  },
  {
    name: "Seattle fall-back day: 06:00–07:00 PST is still quiet",
    city: "seattle",
    when: ["2026-11-01T06:00", "2026-11-01T07:00"],
    denies: ["sound.quiet_hours"],
  },
  {
    name: "Seattle fall-back day: 07:00–09:00 PST is after quiet hours",
    city: "seattle",
    when: ["2026-11-01T07:00", "2026-11-01T09:00"],
  },
  {
    // Without quiet hours, 00:00–12:00 on the short day is 11 real hours.
    name:
      "Seattle spring-forward day: 5 h booked + 00:00–12:00 reaches the 16 h cap",
    city: "seattle",
    when: ["2026-03-08T00:00", "2026-03-08T12:00"],
    change: (i) => {
      i.pack = { ...i.pack, quietHours: null };
      i.hoursAlreadyBookedThatLocalDay = 5;
    },
  },
  {
    name: "Seattle spring-forward day: 5.5 h booked + 00:00–12:00 exceeds it",
    city: "seattle",
    when: ["2026-03-08T00:00", "2026-03-08T12:00"],
    change: (i) => {
      i.pack = { ...i.pack, quietHours: null };
      i.hoursAlreadyBookedThatLocalDay = 5.5;
    },
    conditions: ["rental.limit.daily_cap_near"],
  },
  {
    name: "Seattle spring-forward day: a permit expiring that day covers 21:30",
    city: "seattle",
    when: ["2026-03-08T18:00", "2026-03-08T21:30"],
    change: (i) => void (permit(i, "tfe").expiresOn = "2026-03-08"),
  },

  // --- aggregation: denies and conditions are all listed
  {
    name: "a deny and conditions together",
    city: "san-francisco",
    when: ["2026-06-10T20:00", "2026-06-10T23:00"],
    change: (i) => {
      i.hoursAlreadyBookedThatLocalDay = 10;
      i.renter.needsAccessible = true;
      i.kitchen.accessible = false;
      dropWallet("food_handler_card")(i);
    },
    denies: ["training.missing", "sound.quiet_hours"],
    conditions: ["rental.limit.daily_cap_near", "ada.accessibility.required"],
  },
];

for (const c of cases) {
  Deno.test(`verdict: ${c.name}`, () => {
    const input = structuredClone(cleanInput(c.city, c.when ?? DAYTIME));
    c.change?.(input);
    const result = verdict(input);
    const denies = c.denies ?? [];
    const conditions = [...c.conditions ?? [], ...feeCodes(input.pack)];
    assert.deepEqual(result.denies.map((r) => r.code), denies);
    assert.deepEqual(result.conditions.map((r) => r.code), conditions);
    assert.equal(
      result.decision,
      decide(denies.map(reasonOf), conditions.map(reasonOf)),
    );
    for (const r of [...result.denies, ...result.conditions]) {
      assert.match(r.message, /^[A-Z"].{20,}[.]$/, r.code);
      assert.doesNotMatch(r.message, /undefined|null|NaN|_/, r.code);
    }
  });
}

function reasonOf(code: DenyCode | ConditionCode): Reason {
  return { code, message: code };
}

Deno.test("verdict: every reason code has a case", () => {
  const all = new Set(
    cases.flatMap((c) => [...c.denies ?? [], ...c.conditions ?? []]),
  );
  for (const pack of Object.values(RULE_PACKS)) {
    for (const code of feeCodes(pack)) all.add(code);
  }
  const expected: string[] = [
    "booking.window.exceeded",
    "community.notice.required",
    "insurance.liability.min",
    "insurance.aggregate.min",
    "insurance.additional_insured.mismatch",
    "insurance.workers_comp.missing",
    "training.missing",
    "sound.quiet_hours",
    "calendar.inspection.conflict",
    "calendar.maintenance.conflict",
    "inspection.failed",
    "zoning.notice.required",
    "rental.limit.daily_cap_near",
    "calendar.maintenance.buffer_required",
    "ada.accessibility.required",
    "grease.service.overdue",
    "seasonal.restriction.notice",
    "fees.crt.assessed",
    "fees.lodging.assessed",
    "fees.bo.assessed",
  ];
  for (const code of expected) assert.ok(all.has(code as DenyCode), code);
  const permitCodes = new Set(
    Object.values(RULE_PACKS).flatMap((p) =>
      p.requiredPermits.map((k) => `permit.${k}.missing`)
    ),
  );
  for (const code of permitCodes) {
    assert.ok(all.has(code as DenyCode), `${code} has a case`);
  }
});

Deno.test("verdict: decisions aggregate denies and conditions", () => {
  const deny = reasonOf("training.missing");
  const cond = reasonOf("ada.accessibility.required");
  assert.equal(decide([deny], [cond]), "DENY");
  assert.equal(decide([deny], []), "DENY");
  assert.equal(decide([], [cond]), "ALLOW_WITH_CONDITIONS");
  assert.equal(decide([], []), "ALLOW");

  assert.equal(verdict(cleanInput("new-york", DAYTIME)).decision, "ALLOW");
  assert.equal(
    verdict(cleanInput("san-francisco", DAYTIME)).decision,
    "ALLOW_WITH_CONDITIONS",
  );
  const denied = cleanInput("san-francisco", [
    "2026-06-10T21:00",
    "2026-06-11T02:00",
  ]);
  const result = verdict(denied);
  assert.equal(result.decision, "DENY");
  assert.deepEqual(result.conditions.map((r) => r.code), ["fees.crt.assessed"]);
});

Deno.test("verdict: renters read the reasons in plain words", () => {
  const sf = cleanInput("san-francisco", [
    "2026-06-10T20:00",
    "2026-06-10T23:00",
  ]);
  sf.hoursAlreadyBookedThatLocalDay = 10;
  sf.kitchen.zoningDistrict = "NC-2";
  sf.kitchen.permits = sf.kitchen.permits.filter((p) =>
    p.kind !== "neighborhood_notice" && p.kind !== "health_permit"
  );
  sf.kitchen.lastGreaseService = "2025-11-01";
  sf.calendar.push({
    kind: "maintenance",
    start: sf.interval.end + 15 * MINUTE,
    end: sf.interval.end + HOUR,
  });
  sf.renter.wallet[0].additionalInsured = "City of San Francisco";
  const messages = (r: { code: string; message: string }[]) =>
    Object.fromEntries(r.map((x) => [x.code, x.message]));
  const result = verdict(sf);
  assert.deepEqual(messages(result.denies), {
    "permit.health_permit.missing":
      "This kitchen's health permit is not verified or expires before your booking ends, so it can't be booked for this time.",
    "insurance.additional_insured.mismatch":
      `Your insurance certificate must name "${SF_NAME}" as additional insured, spelled exactly like that.`,
    "sound.quiet_hours":
      "San Francisco does not allow kitchen use between 10:00 PM and 6:00 AM. Please choose a time that ends by 10:00 PM or starts at 6:00 AM or later.",
  });
  assert.deepEqual(messages(result.conditions), {
    "zoning.notice.required":
      "This kitchen's zoning district requires a neighborhood notice, and the kitchen's notice has not been verified yet.",
    "rental.limit.daily_cap_near":
      "With your booking this kitchen would be in use 13 hours that day, more than San Francisco's limit of 12 hours a day.",
    "calendar.maintenance.buffer_required":
      "Maintenance starts at this kitchen within 30 minutes of your booking's end, so please finish and leave on time.",
    "grease.service.overdue":
      "This kitchen's grease trap was last serviced on Sat, Nov 1, 2025, 221 days before your booking; San Francisco expects a service every 180 days.",
    "fees.crt.assessed":
      "San Francisco Commercial Rents Tax (3.5%) is charged on this booking; it is shown as a line on your quote.",
  });

  const other = cleanInput("seattle", ["2026-12-10T10:00", "2026-12-10T14:00"]);
  other.renter.productType = "outdoor_cooking";
  other.renter.hasEmployees = true;
  other.renter.wallet = [];
  other.kitchen.latestInspection = {
    date: "2026-05-01",
    score: 60,
    passed: false,
  };
  delete other.kitchen.lastGreaseService;
  other.calendar.push({
    kind: "inspection",
    start: other.interval.start,
    end: other.interval.end,
  });
  const second = verdict(other);
  assert.deepEqual(messages(second.denies), {
    "insurance.liability.min":
      "Your liability insurance must cover at least $1,000,000 per occurrence, and be verified and valid until your booking ends.",
    "insurance.aggregate.min":
      "Your liability insurance must have an aggregate limit of at least $2,000,000, and be verified and valid until your booking ends.",
    "insurance.workers_comp.missing":
      "Because your business has employees, you need verified workers' compensation insurance that is valid until your booking ends.",
    "training.missing":
      "You need a verified food handler card or food manager certificate that is valid until your booking ends.",
    "calendar.inspection.conflict":
      "An inspection is scheduled at this kitchen during that time. Please choose another time.",
    "inspection.failed":
      "This kitchen did not pass its latest health inspection, so it can't be booked until it passes a new one.",
  });
  assert.deepEqual(messages(second.conditions), {
    "grease.service.overdue":
      "This kitchen has no grease trap service on record; Seattle expects a service every 60 days.",
    "seasonal.restriction.notice":
      "Outdoor cooking in Seattle from November to February is booked under a seasonal notice: seasonal restrictions may apply to your booking.",
    "fees.lodging.assessed":
      "King County lodging tax (2%) is charged on this booking; it is shown as a line on your quote.",
    "fees.bo.assessed":
      "Seattle business and occupation tax (0.44%) is charged on this booking; it is shown as a line on your quote.",
  });

  const portland = cleanInput("portland", DAYTIME);
  portland.kitchen.permits = [];
  portland.renter.needsAccessible = true;
  portland.kitchen.accessible = false;
  portland.calendar.push({
    kind: "maintenance",
    start: portland.interval.start,
    end: portland.interval.start + HOUR,
  });
  const third = verdict(portland);
  assert.deepEqual(
    messages(third.denies)["community.notice.required"],
    "Portland requires a community notice for this kitchen, and it has not been verified yet, so the kitchen can't be booked.",
  );
  assert.equal(
    messages(third.denies)["calendar.maintenance.conflict"],
    "This kitchen is closed for maintenance during part of that time. Please choose another time.",
  );
  assert.equal(
    messages(third.conditions)["ada.accessibility.required"],
    "You asked for an accessible kitchen, and this kitchen is not listed as accessible.",
  );

  const far = cleanInput("san-francisco", DAYTIME);
  far.interval = {
    start: far.now + 200 * DAY,
    end: far.now + 200 * DAY + HOUR,
  };
  assert.equal(
    verdict(far).denies[0].message,
    "San Francisco kitchens can be booked at most 180 days ahead. Please choose an earlier date.",
  );
});

Deno.test("verdict: refuses an empty interval or a negative hour count", () => {
  const input = cleanInput("new-york", DAYTIME);
  assert.throws(
    () => verdict({ ...input, interval: { start: 5, end: 5 } }),
    RangeError,
  );
  assert.throws(
    () => verdict({ ...input, interval: { start: NaN, end: 5 } }),
    RangeError,
  );
  assert.throws(
    () => verdict({ ...input, hoursAlreadyBookedThatLocalDay: -1 }),
    RangeError,
  );
  input.kitchen.permits[0].expiresOn = "2026-06-10T23:00";
  assert.throws(() => verdict(input), RangeError);
});

Deno.test("verdict: is pure (same input, same answer; input untouched)", () => {
  const input = cleanInput("seattle", ["2026-03-08T06:30", "2026-03-08T07:30"]);
  const before = structuredClone(input);
  assert.deepEqual(verdict(input), verdict(input));
  assert.deepEqual(input, before);
});

// ---------------------------------------------------------------------------
// Insurance: the renter's best certificate, judged whole

/** What can be wrong with one liability certificate. */
interface CoiFaults {
  validity: "in_force" | "expires_before_booking" | "pending";
  perOccurrenceLow: boolean;
  aggregateLow: boolean;
  wrongAdditionalInsured: boolean;
}

const EVERY_COI_FAULTS: CoiFaults[] =
  (["in_force", "expires_before_booking", "pending"] as const)
    .flatMap((validity) =>
      [false, true].flatMap((perOccurrenceLow) =>
        [false, true].flatMap((aggregateLow) =>
          [false, true].map((wrongAdditionalInsured) => ({
            validity,
            perOccurrenceLow,
            aggregateLow,
            wrongAdditionalInsured,
          }))
        )
      )
    );

function describeFaults(f: CoiFaults): string {
  const parts = [
    f.validity === "in_force" ? [] : [f.validity],
    f.perOccurrenceLow ? ["per-occurrence $1 short"] : [],
    f.aggregateLow ? ["aggregate $1 short"] : [],
    f.wrongAdditionalInsured ? ["wrong additional insured"] : [],
  ].flat();
  return parts.length ? parts.join(", ") : "no fault";
}

/** A certificate with exactly `f` wrong, for a booking on 2026-06-10. */
function certificateWith(f: CoiFaults, pack: RulePack) {
  return {
    kind: "liability_insurance" as const,
    status: f.validity === "pending" ? "pending" as const : "verified" as const,
    expiresOn: f.validity === "expires_before_booking"
      ? "2026-06-09"
      : "2027-12-31",
    perOccurrenceCents: pack.insurance.perOccurrenceMinCents -
      (f.perOccurrenceLow ? 1 : 0),
    aggregateCents: pack.insurance.aggregateMinCents - (f.aggregateLow ? 1 : 0),
    additionalInsured: f.wrongAdditionalInsured
      ? "City of Somewhere Else"
      : pack.insurance.additionalInsured ?? undefined,
  };
}

/**
 * The reasons one certificate earns, written out by hand from §4: a
 * certificate not in force for the booking covers nothing, so both limits
 * fail; the additional insured counts only where the city names one.
 */
function expectedInsuranceCodes(f: CoiFaults, pack: RulePack): DenyCode[] {
  const out: DenyCode[] = [];
  const lapsed = f.validity !== "in_force";
  if (lapsed || f.perOccurrenceLow) out.push("insurance.liability.min");
  if (lapsed || f.aggregateLow) out.push("insurance.aggregate.min");
  if (f.wrongAdditionalInsured && pack.insurance.additionalInsured !== null) {
    out.push("insurance.additional_insured.mismatch");
  }
  return out;
}

function insuranceDenies(input: VerdictInput): string[] {
  return verdict(input).denies.map((r) => r.code).filter((c) =>
    c.startsWith("insurance.")
  );
}

for (const city of CITY_SLUGS) {
  Deno.test(`verdict: ${city}: one certificate, every combination of faults, each reported`, () => {
    const pack = rulePackFor(city);
    assert.equal(EVERY_COI_FAULTS.length, 24);
    for (const f of EVERY_COI_FAULTS) {
      const input = cleanInput(city, DAYTIME);
      input.renter.wallet = [
        certificateWith(f, pack),
        ...input.renter.wallet.filter((d) => d.kind !== "liability_insurance"),
      ];
      assert.deepEqual(
        insuranceDenies(input),
        expectedInsuranceCodes(f, pack),
        describeFaults(f),
      );
    }
  });
}

Deno.test("verdict: a certificate that meets the limits but is not in force is told so, not that its limits are low", () => {
  const pack = rulePackFor("san-francisco");
  for (const validity of ["pending", "expires_before_booking"] as const) {
    const input = cleanInput("san-francisco", DAYTIME);
    input.renter.wallet = [
      certificateWith({
        validity,
        perOccurrenceLow: false,
        aggregateLow: false,
        wrongAdditionalInsured: false,
      }, pack),
      ...input.renter.wallet.filter((d) => d.kind !== "liability_insurance"),
    ];
    const reasons = verdict(input).denies.filter((r) =>
      r.code.startsWith("insurance.")
    );
    assert.deepEqual(reasons.map((r) => r.code), [
      "insurance.liability.min",
      "insurance.aggregate.min",
    ]);
    for (const r of reasons) {
      assert.match(r.message, /not verified yet, or it lapses before/);
      assert.doesNotMatch(
        r.message,
        /must cover at least|must have an aggregate/,
      );
    }
  }
  // A low figure on a certificate not in force still names the figure.
  const input = cleanInput("san-francisco", DAYTIME);
  input.renter.wallet = [
    certificateWith({
      validity: "pending",
      perOccurrenceLow: true,
      aggregateLow: false,
      wrongAdditionalInsured: false,
    }, pack),
    ...input.renter.wallet.filter((d) => d.kind !== "liability_insurance"),
  ];
  const [liability, aggregate] = verdict(input).denies;
  assert.match(liability.message, /must cover at least \$1,000,000/);
  assert.match(aggregate.message, /not verified yet/);
});

Deno.test("verdict: SF $1M per occurrence, $1M aggregate, wrong additional insured: told exactly those two faults", () => {
  const input = cleanInput("san-francisco", DAYTIME);
  coi(input).aggregateCents = 100_000_000;
  coi(input).additionalInsured = "Golden Gate Catering LLC";
  assert.deepEqual(verdict(input).denies.map((r) => r.code), [
    "insurance.aggregate.min",
    "insurance.additional_insured.mismatch",
  ]);
});

Deno.test("verdict: two certificates, every pair of fault combinations: the best one is judged whole", () => {
  const pack = rulePackFor("san-francisco");
  // The best certificate: fewest reasons, then one in force for the
  // booking, then the one listed first.
  const rank = (f: CoiFaults, index: number) =>
    [
      expectedInsuranceCodes(f, pack).length,
      f.validity === "in_force" ? 0 : 1,
      index,
    ] as const;
  const better = (a: readonly number[], b: readonly number[]) =>
    a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  let pairs = 0;
  for (const first of EVERY_COI_FAULTS) {
    for (const second of EVERY_COI_FAULTS) {
      const input = cleanInput("san-francisco", DAYTIME);
      input.renter.wallet = [
        certificateWith(first, pack),
        certificateWith(second, pack),
        ...input.renter.wallet.filter((d) => d.kind !== "liability_insurance"),
      ];
      const best = better(rank(first, 0), rank(second, 1)) <= 0
        ? first
        : second;
      assert.deepEqual(
        insuranceDenies(input),
        expectedInsuranceCodes(best, pack),
        `${describeFaults(first)} | ${describeFaults(second)}`,
      );
      pairs++;
    }
  }
  assert.equal(pairs, 24 * 24);
});

Deno.test("verdict: a renter with two partial certificates is told the limits must be on one", () => {
  const input = cleanInput("new-york", DAYTIME);
  coi(input).aggregateCents = 100_000_000;
  input.renter.wallet.push({
    kind: "liability_insurance",
    status: "verified",
    expiresOn: "2027-12-31",
    perOccurrenceCents: 50_000_000,
    aggregateCents: 300_000_000,
  });
  assert.deepEqual(verdict(input).denies, [{
    code: "insurance.aggregate.min",
    message:
      "Your liability insurance must have an aggregate limit of at least $2,000,000 on a single certificate, and be verified and valid until your booking ends.",
  }]);
  // Listed the other way round, the other certificate is judged.
  input.renter.wallet.reverse();
  assert.deepEqual(verdict(input).denies.map((r) => r.code), [
    "insurance.liability.min",
  ]);
});

// ---------------------------------------------------------------------------
// Rule packs

Deno.test("rules: one pack per city of lib/cities.ts, named alike", () => {
  assert.deepEqual([...CITY_SLUGS].sort(), [...CITIES_SLUGS].sort());
  assert.deepEqual(Object.keys(RULE_PACKS).sort(), [...CITY_SLUGS].sort());
  for (const city of CITY_SLUGS) {
    assert.equal(RULE_PACKS[city].city, city);
    assert.equal(RULE_PACKS[city].cityName, findCity(city)!.name);
    assert.equal(rulePackFor(city), RULE_PACKS[city]);
  }
  assert.throws(() => rulePackFor("paris"), RangeError);
  assert.throws(() => rulePackFor("toString"), RangeError);
});

Deno.test("rules: every pack passes the schema and is frozen", () => {
  for (const pack of Object.values(RULE_PACKS)) {
    assert.deepEqual(rulePackSchema.parse(pack), pack);
    assert.ok(Object.isFrozen(pack.requiredPermits), pack.city);
    assert.ok(Object.isFrozen(pack.insurance), pack.city);
  }
  assert.throws(() =>
    (RULE_PACKS["new-york"].requiredPermits as string[]).push("tfe")
  );
});

Deno.test("rules: a malformed pack fails the type check and the schema", () => {
  const malformed: RulePack = {
    ...RULE_PACKS["san-francisco"],
    // @ts-expect-error: a clock time is "HH:MM" text, not a number
    quietHours: { start: 22, end: "06:00" },
  };
  assert.equal(rulePackSchema.safeParse(malformed).success, false);
  const badFee: RulePack = {
    ...RULE_PACKS.seattle,
    // @ts-expect-error: "tax" is not a fee code
    fees: [{ code: "tax", label: "Tax", bps: 100, on: ["base"] }],
  };
  assert.equal(rulePackSchema.safeParse(badFee).success, false);
  for (
    const quietHours of [{ start: "24:00", end: "06:00" }, {
      start: "22:00",
      end: "6:00",
    }]
  ) {
    assert.equal(
      rulePackSchema.safeParse({ ...RULE_PACKS.portland, quietHours }).success,
      false,
    );
  }
});

Deno.test("rules: the city tables of §3", () => {
  const row = (pick: (p: RulePack) => unknown) =>
    Object.fromEntries(CITY_SLUGS.map((c) => [c, pick(RULE_PACKS[c])]));
  const base = ["health_permit", "fire_safety", "business_license"];
  assert.deepEqual(row((p) => p.requiredPermits), {
    "new-york": base,
    "san-francisco": [...base, "shared_kitchen", "ventilation"],
    "chicago": base,
    "atlanta": base,
    "los-angeles": base,
    "seattle": [...base, "tfe", "commissary", "ventilation"],
    "portland": [...base, "commissary", "ventilation"],
    "boston": base,
  });
  assert.deepEqual(row((p) => p.insurance.additionalInsured), {
    "new-york": null,
    "san-francisco": SF_NAME,
    "chicago": null,
    "atlanta": null,
    "los-angeles": null,
    "seattle": "City of Seattle and King County",
    "portland": "City of Portland and Multnomah County",
    "boston": null,
  });
  const quiet = (start: string, end: string) => ({ start, end });
  assert.deepEqual(
    row((p) => [
      p.quietHours,
      p.dailyCapHours,
      p.greaseServiceIntervalDays,
      p.bookingWindowDays,
    ]),
    {
      "new-york": [null, null, null, null],
      "san-francisco": [quiet("22:00", "06:00"), 12, 180, 180],
      "chicago": [null, null, null, null],
      "atlanta": [null, null, null, null],
      "los-angeles": [null, null, null, null],
      "seattle": [quiet("22:00", "07:00"), 16, 60, 180],
      "portland": [quiet("22:00", "06:00"), 14, 90, 180],
      "boston": [null, null, null, null],
    },
  );
  assert.deepEqual(
    row((p) => p.fees.map((f) => [f.code, f.bps, f.on])),
    {
      "new-york": [],
      "san-francisco": [["crt", 350, ["base"]]],
      "chicago": [],
      "atlanta": [],
      "los-angeles": [],
      "seattle": [["lodging", 200, ["base", "cleaning"]], [
        "bo",
        44,
        ["platform_fee"],
      ]],
      "portland": [["lodging", 1150, ["base", "cleaning", "platform_fee"]]],
      "boston": [],
    },
  );
  assert.deepEqual(row((p) => p.guide.healthDepartment), {
    "new-york": "NYC Department of Health and Mental Hygiene",
    "san-francisco": "SF Department of Public Health",
    "chicago": "Chicago Department of Public Health",
    "atlanta": "Fulton County Board of Health",
    "los-angeles": "LA County Department of Public Health",
    "seattle": "Seattle-King County Public Health",
    "portland": "Multnomah County Health Department",
    "boston": "Boston Public Health Commission",
  });
  for (const pack of Object.values(RULE_PACKS)) {
    assert.equal(pack.insurance.perOccurrenceMinCents, 100_000_000);
    assert.equal(pack.insurance.aggregateMinCents, 200_000_000);
    assert.equal(pack.insurance.workersCompIfEmployees, true);
    assert.deepEqual(pack.training, [
      "food_handler_card",
      "food_manager_certificate",
    ]);
  }
});
