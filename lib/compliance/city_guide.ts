/**
 * A city guide's rules, written from the same rule pack the booking verdict
 * judges by (`rules.ts`), so the guide cannot promise what a booking then
 * refuses. The city's prose (intro, locally named documents) stays in
 * `lib/cities.ts`; every figure here comes from the pack.
 */
import { formatClockRange } from "../format.ts";
import { type City, findCity } from "../cities.ts";
import { MONTH_NAMES } from "../bookings/month.ts";
import { NotFoundError } from "../errors.ts";
import { searchKitchens, type SearchResult } from "../kitchens/search.ts";
import { type SearchQuery, searchQuery } from "../kitchens/search_query.ts";
import { formatCents } from "../money.ts";
import { cityFeeLabel } from "./fees.ts";
import { type FeeBasis, type RulePack, rulePackFor } from "./rules.ts";
import { DOCUMENT_KIND_NAMES } from "./schema.ts";
import { requiredKitchenKinds } from "./standing.ts";

export interface CityGuide {
  cityName: string;
  /** What a renter needs verified by Prep before booking here. */
  renterDocuments: string[];
  /** Limits every booking here follows, city fees included. */
  bookingRules: string[];
  /** The permits every kitchen listed here holds. */
  kitchenPermits: string[];
  /** Health department first. */
  agencies: string[];
}

/** "Liability insurance of at least $1,000,000 per occurrence and …". */
export function insuranceRequirement(pack: RulePack): string {
  const i = pack.insurance;
  const base = `Liability insurance of at least ${
    formatCents(i.perOccurrenceMinCents)
  } per occurrence and ${formatCents(i.aggregateMinCents)} aggregate`;
  return i.additionalInsured
    ? `${base}, naming "${i.additionalInsured}" as additional insured`
    : base;
}

/** "Food handler card or Food manager certificate". */
export function trainingRequirement(pack: RulePack): string {
  return pack.training.map((k) => DOCUMENT_KIND_NAMES[k]).join(" or ");
}

const BASIS_WORDS: Record<FeeBasis, string> = {
  base: "the hourly charges",
  cleaning: "the cleaning fee",
  platform_fee: "Prep's platform fee",
};

/** The guide of `pack`'s city. Pure. */
export function cityGuide(pack: RulePack): CityGuide {
  const renterDocuments = [
    `${insuranceRequirement(pack)}, on one certificate`,
    trainingRequirement(pack),
  ];
  if (pack.insurance.workersCompIfEmployees) {
    renterDocuments.push(
      `${DOCUMENT_KIND_NAMES.workers_comp}, if your business has employees`,
    );
  }

  const bookingRules: string[] = [];
  const none: string[] = [];
  if (pack.quietHours) {
    const { start, end } = pack.quietHours;
    bookingRules.push(
      `Quiet hours ${
        formatClockRange(start, end)
      } local time: no kitchen use in that time.`,
    );
  } else none.push("quiet hours");
  if (pack.dailyCapHours !== null) {
    bookingRules.push(
      `Daily limit: ${pack.dailyCapHours} hours of use per kitchen; a booking past it carries a condition you accept before paying.`,
    );
  } else none.push("daily hour limit");
  if (pack.bookingWindowDays !== null) {
    bookingRules.push(
      `Bookings open up to ${pack.bookingWindowDays} days ahead.`,
    );
  }
  for (const rule of pack.seasonal) {
    bookingRules.push(
      `${sentenceCase(rule.productType)} from ${
        MONTH_NAMES[rule.fromMonth - 1]
      } to ${MONTH_NAMES[rule.toMonth - 1]} is booked under a seasonal notice.`,
    );
  }
  for (const fee of pack.fees) {
    bookingRules.push(
      `${cityFeeLabel(fee)} on ${
        listWords(fee.on.map((b) => BASIS_WORDS[b]))
      }, shown as a line on your quote.`,
    );
  }
  if (pack.fees.length === 0) none.push("city fees");
  if (none.length > 0) {
    bookingRules.push(
      `${pack.cityName} sets no ${listWords(none, "or")} on kitchen bookings.`,
    );
  }

  const kitchenPermits = requiredKitchenKinds(pack).map((k) =>
    DOCUMENT_KIND_NAMES[k]
  );
  if (pack.notice.when === "by_zoning_district") {
    kitchenPermits.push(
      `${
        DOCUMENT_KIND_NAMES[pack.notice.document]
      }, where the kitchen's zoning district calls for one`,
    );
  }

  const { healthDepartment, agencies } = pack.guide;
  return {
    cityName: pack.cityName,
    renterDocuments,
    bookingRules,
    kitchenPermits,
    agencies: [
      healthDepartment,
      ...agencies.filter((a) => a !== healthDepartment),
    ],
  };
}

export interface CityPage {
  city: City;
  guide: CityGuide;
  query: SearchQuery;
  result: SearchResult;
}

/** A city's guide and its kitchens; an unknown city is not found. */
export async function loadCityPage(
  kv: Deno.Kv,
  slug: string,
  now: number,
): Promise<CityPage> {
  const city = findCity(slug);
  if (!city) throw new NotFoundError("We don't serve that city yet.");
  const query = searchQuery.parse({ city: city.slug });
  const result = await searchKitchens(kv, query, now);
  return { city, guide: cityGuide(rulePackFor(city.slug)), query, result };
}

/** ["a", "b", "c"] → "a, b and c" (or "a, b or c"). */
function listWords(words: readonly string[], last = "and"): string {
  return words.length < 2
    ? words.join("")
    : `${words.slice(0, -1).join(", ")} ${last} ${words[words.length - 1]}`;
}

/** "outdoor_cooking" → "Outdoor cooking". */
function sentenceCase(id: string): string {
  const words = id.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
