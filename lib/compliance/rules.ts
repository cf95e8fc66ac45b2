/**
 * The compliance rule packs of Prep's eight cities, as one typed table
 * (facts: shared/reference/compliance.md §3). Every city starts from the base
 * pack; San Francisco, Seattle and Portland add to it. The booking verdict
 * (`verdict.ts`) and the city fee lines (`fees.ts`) read only this data.
 *
 * Clock times are local to the kitchen, "HH:MM"; money is integer cents;
 * percentages are basis points (350 = 3.5%).
 */
import { z } from "zod";
import {
  KITCHEN_DOCUMENT_KINDS,
  type KitchenDocumentKind,
  RENTER_DOCUMENT_KINDS,
  type RenterDocumentKind,
} from "./schema.ts";

/** Slugs of `lib/cities.ts`, as a type (a test keeps the two lists equal). */
export const CITY_SLUGS = [
  "new-york",
  "san-francisco",
  "chicago",
  "atlanta",
  "los-angeles",
  "seattle",
  "portland",
  "boston",
] as const;
export type CitySlug = typeof CITY_SLUGS[number];

/** Codes of the city fees; each becomes the reason `fees.<code>.assessed`. */
export const FEE_CODES = ["crt", "lodging", "bo"] as const;
export type FeeCode = typeof FEE_CODES[number];

/**
 * Quote amounts a city fee is a percentage of: `base` is the hours subtotal,
 * `platform_fee` the platform's commission (see `fees.ts`).
 */
export const FEE_BASES = ["base", "cleaning", "platform_fee"] as const;
export type FeeBasis = typeof FEE_BASES[number];

const clock = z.string().regex(
  /^([01]\d|2[0-3]):[0-5]\d$/,
  'Use a 24-hour "HH:MM" time',
);
const cents = z.number().int().positive();
const month = z.number().int().min(1).max(12);
const plainText = z.string().trim().min(1);

const cityFeeSchema = z.object({
  code: z.enum(FEE_CODES),
  /** Shown to renters, e.g. "San Francisco Commercial Rents Tax". */
  label: plainText,
  bps: z.number().int().min(1).max(10_000),
  /** Summed, then the percentage taken once, rounded half-up to the cent. */
  on: z.array(z.enum(FEE_BASES)).min(1),
});
export type CityFee = z.infer<typeof cityFeeSchema>;

const noticeRuleSchema = z.discriminatedUnion("when", [
  z.object({ when: z.literal("never") }),
  /** A missing notice denies the booking (`community.notice.required`). */
  z.object({
    when: z.literal("always"),
    document: z.literal("community_notice"),
  }),
  /**
   * Needed by zoning district; a missing notice is a condition
   * (`zoning.notice.required`). A district not in the table, or a kitchen
   * with no district on file, needs one.
   */
  z.object({
    when: z.literal("by_zoning_district"),
    document: z.literal("neighborhood_notice"),
    districts: z.record(z.string(), z.boolean()),
  }),
]);
export type NoticeRule = z.infer<typeof noticeRuleSchema>;

const seasonalRuleSchema = z.object({
  productType: plainText,
  /** Inclusive local months; `fromMonth > toMonth` wraps over the new year. */
  fromMonth: month,
  toMonth: month,
});
export type SeasonalRule = z.infer<typeof seasonalRuleSchema>;

export const rulePackSchema = z.object({
  city: z.enum(CITY_SLUGS),
  cityName: plainText,
  /** Kitchen permits that must be verified and unexpired by the booking's end. */
  requiredPermits: z.array(z.enum(KITCHEN_DOCUMENT_KINDS)).min(1),
  insurance: z.object({
    perOccurrenceMinCents: cents,
    aggregateMinCents: cents,
    workersCompIfEmployees: z.boolean(),
    /** Exact legal name required as additional insured on the renter's COI. */
    additionalInsured: plainText.nullable(),
  }),
  /** Any one of these, verified, satisfies the training rule. */
  training: z.array(z.enum(RENTER_DOCUMENT_KINDS)).min(1),
  notice: noticeRuleSchema,
  /** `end <= start` means the quiet hours cross midnight. */
  quietHours: z.object({ start: clock, end: clock }).nullable(),
  dailyCapHours: z.number().positive().max(24).nullable(),
  greaseServiceIntervalDays: z.number().int().positive().nullable(),
  /** How far ahead a booking may start, in 24-hour days. */
  bookingWindowDays: z.number().int().positive().nullable(),
  fees: z.array(cityFeeSchema),
  guide: z.object({
    healthDepartment: plainText,
    agencies: z.array(plainText).min(1),
  }),
  seasonal: z.array(seasonalRuleSchema),
});
export type RulePack = z.infer<typeof rulePackSchema>;

type Guide = RulePack["guide"];

const BASE_PERMITS: KitchenDocumentKind[] = [
  "health_permit",
  "fire_safety",
  "business_license",
];
const BASE_TRAINING: RenterDocumentKind[] = [
  "food_handler_card",
  "food_manager_certificate",
];

function basePack(city: CitySlug, cityName: string, guide: Guide): RulePack {
  return {
    city,
    cityName,
    requiredPermits: BASE_PERMITS,
    insurance: {
      perOccurrenceMinCents: 100_000_000,
      aggregateMinCents: 200_000_000,
      workersCompIfEmployees: true,
      additionalInsured: null,
    },
    training: BASE_TRAINING,
    notice: { when: "never" },
    quietHours: null,
    dailyCapHours: null,
    greaseServiceIntervalDays: null,
    bookingWindowDays: null,
    fees: [],
    guide,
    seasonal: [],
  };
}

type Additions =
  & Pick<
    RulePack,
    | "requiredPermits"
    | "notice"
    | "quietHours"
    | "dailyCapHours"
    | "greaseServiceIntervalDays"
    | "bookingWindowDays"
    | "fees"
  >
  & Partial<Pick<RulePack, "seasonal">>
  & { additionalInsured: string };

/**
 * The reference lists each of these cities' permits in full and calls them
 * additions to the base pack, so the base permits stay required as well
 * (a union: San Francisco keeps `business_license`).
 */
function cityPack(
  city: CitySlug,
  cityName: string,
  guide: Guide,
  { additionalInsured, requiredPermits, ...rest }: Additions,
): RulePack {
  const base = basePack(city, cityName, guide);
  return {
    ...base,
    ...rest,
    requiredPermits: [
      ...new Set([...base.requiredPermits, ...requiredPermits]),
    ],
    insurance: { ...base.insurance, additionalInsured },
  };
}

// Frozen all the way down: packs share the base lists, so one caller's
// mutation would otherwise change every city's rules.
export const RULE_PACKS: Readonly<Record<CitySlug, RulePack>> = deepFreeze({
  "new-york": basePack("new-york", "New York", {
    healthDepartment: "NYC Department of Health and Mental Hygiene",
    agencies: [
      "NYC Department of Health and Mental Hygiene",
      "NYC Department of Consumer and Worker Protection",
      "FDNY Fire Prevention",
    ],
  }),
  "chicago": basePack("chicago", "Chicago", {
    healthDepartment: "Chicago Department of Public Health",
    agencies: [
      "Chicago Department of Public Health",
      "Department of Business Affairs and Consumer Protection",
      "Chicago Fire Department",
    ],
  }),
  "atlanta": basePack("atlanta", "Atlanta", {
    healthDepartment: "Fulton County Board of Health",
    agencies: [
      "Fulton County Board of Health",
      "City of Atlanta Office of Revenue",
      "Atlanta Fire Rescue Department",
    ],
  }),
  "los-angeles": basePack("los-angeles", "Los Angeles", {
    healthDepartment: "LA County Department of Public Health",
    agencies: [
      "LA County Department of Public Health",
      "LA Office of Finance",
      "LA Fire Department",
    ],
  }),
  "boston": basePack("boston", "Boston", {
    healthDepartment: "Boston Public Health Commission",
    agencies: [
      "Boston Public Health Commission",
      "City of Boston Licensing Board",
      "Boston Fire Department",
    ],
  }),
  "san-francisco": cityPack("san-francisco", "San Francisco", {
    healthDepartment: "SF Department of Public Health",
    agencies: ["SF Department of Public Health"],
  }, {
    requiredPermits: [
      "shared_kitchen",
      "fire_safety",
      "ventilation",
      "health_permit",
    ],
    additionalInsured: "City and County of San Francisco",
    notice: {
      when: "by_zoning_district",
      document: "neighborhood_notice",
      districts: {
        "NC-3": true,
        "NC-2": true,
        "NCT": true,
        "PDR-1-D": true,
        "M-1": false,
      },
    },
    quietHours: { start: "22:00", end: "06:00" },
    dailyCapHours: 12,
    greaseServiceIntervalDays: 180,
    bookingWindowDays: 180,
    fees: [{
      code: "crt",
      label: "San Francisco Commercial Rents Tax",
      bps: 350,
      on: ["base"],
    }],
  }),
  "seattle": cityPack("seattle", "Seattle", {
    healthDepartment: "Seattle-King County Public Health",
    agencies: ["Seattle-King County Public Health"],
  }, {
    requiredPermits: [
      "tfe",
      "commissary",
      "fire_safety",
      "ventilation",
      "health_permit",
    ],
    additionalInsured: "City of Seattle and King County",
    notice: { when: "never" },
    quietHours: { start: "22:00", end: "07:00" },
    dailyCapHours: 16,
    greaseServiceIntervalDays: 60,
    bookingWindowDays: 180,
    fees: [{
      code: "lodging",
      label: "King County lodging tax",
      bps: 200,
      on: ["base", "cleaning"],
    }, {
      code: "bo",
      label: "Seattle business and occupation tax",
      bps: 44,
      on: ["platform_fee"],
    }],
    seasonal: [{ productType: "outdoor_cooking", fromMonth: 11, toMonth: 2 }],
  }),
  "portland": cityPack("portland", "Portland", {
    healthDepartment: "Multnomah County Health Department",
    agencies: ["Multnomah County Health Department"],
  }, {
    requiredPermits: [
      "commissary",
      "fire_safety",
      "ventilation",
      "health_permit",
    ],
    additionalInsured: "City of Portland and Multnomah County",
    notice: { when: "always", document: "community_notice" },
    quietHours: { start: "22:00", end: "06:00" },
    dailyCapHours: 14,
    greaseServiceIntervalDays: 90,
    bookingWindowDays: 180,
    fees: [{
      code: "lodging",
      label: "Multnomah County lodging tax",
      bps: 1150,
      on: ["base", "cleaning", "platform_fee"],
    }],
  }),
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The rule pack of `city`; throws a RangeError for a city Prep does not serve. */
/**
 * Whether the pack asks this kitchen's zoning district for a neighbourhood
 * notice: null when the city has no such rule; a district missing from the
 * table (or from the kitchen) needs one.
 */
export function zoningNoticeNeeded(
  pack: RulePack,
  district: string | undefined,
): boolean | null {
  const notice = pack.notice;
  if (notice.when !== "by_zoning_district") return null;
  const key = district?.trim().toUpperCase() ?? "";
  return Object.hasOwn(notice.districts, key) ? notice.districts[key] : true;
}

export function rulePackFor(city: string): RulePack {
  if (!Object.hasOwn(RULE_PACKS, city)) {
    throw new RangeError(`No compliance rule pack for city "${city}"`);
  }
  return RULE_PACKS[city as CitySlug];
}
