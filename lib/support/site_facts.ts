/**
 * What the Help, Terms and Privacy pages state, taken from the rules the
 * app runs on (cancellation policies, fees, rule packs, how long things are
 * kept), so the pages cannot drift from what the app does. Pure: the
 * configured fees and payment mode come in as arguments.
 */
import { LIMITS } from "../accounts/rate_limit.ts";
import { RESET_TTL_MS, VERIFY_TTL_MS } from "../accounts/email_links.ts";
import {
  FAILURE_MEMORY_MS,
  TRUSTED_DEVICE_MS,
} from "../accounts/login_guard.ts";
import { SESSION_IDLE_MS, SESSION_MAX_MS } from "../accounts/sessions.ts";
import { HOLD_MS, MAX_LIVE_HOLDS } from "../bookings/holds.ts";
import { REMINDER_BEFORE_MS } from "../bookings/lifecycle.ts";
import { CITIES } from "../cities.ts";
import {
  cityGuide,
  insuranceRequirement,
  trainingRequirement,
} from "../compliance/city_guide.ts";
import { cityFeeLabel } from "../compliance/fees.ts";
import { DOCUMENT_MAX_BYTES } from "../compliance/repo.ts";
import { REMINDER_DAYS } from "../compliance/review.ts";
import { rulePackFor } from "../compliance/rules.ts";
import { PHOTO_MAX_BYTES } from "../images/inspect.ts";
import {
  CANCELLATION_POLICIES,
  type CancellationPolicy,
  describePolicy,
  POLICY_NAMES,
} from "../kitchens/policy.ts";
import { EVENT_TTL_MS } from "../payments/repo.ts";
import { CONTACT_LIMITS } from "./contact.ts";
import { SUPPORT_MESSAGE_KEEP_MS } from "./repo.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export interface CityRules {
  slug: string;
  name: string;
  /** The permits every kitchen there holds. */
  kitchenPermits: string[];
  /** The exact name a renter's insurance certificate must add as insured, if any. */
  additionalInsured: string | null;
  /** "San Francisco Commercial Rents Tax (3.5%)"; empty where there are none. */
  fees: string[];
}

export interface SiteFacts {
  /** How renters pay on this site: Stripe, the local demo checkout, or not at all. */
  payments: "stripe" | "demo" | "off";
  holdMinutes: number;
  maxHolds: number;
  /** The access code and full address show this long before the start. */
  accessCodeHours: number;
  /** Prep's commission on the host's side, e.g. "15%". */
  commission: string;
  /** The renter's service fee, or null when there is none. */
  serviceFee: string | null;
  policies: { id: CancellationPolicy; name: string; terms: string[] }[];
  /** What the cities ask of renters, each wording once (the packs share most). */
  training: string[];
  insurance: string[];
  /** Whether a renter with employees needs workers' compensation, somewhere. */
  workersComp: boolean;
  /** Per city, from its rule pack. */
  cities: CityRules[];
  reminderDays: readonly number[];
  documentMaxMb: number;
  photoMaxMb: number;
  kept: {
    sessionIdleDays: number;
    sessionMaxDays: number;
    trustedDeviceDays: number;
    loginFailureHours: number;
    confirmLinkHours: number;
    resetLinkMinutes: number;
    /** Rate-limit counters by address or email, at most. */
    attemptCounterHours: number;
    paymentEventDays: number;
    supportMessageDays: number;
  };
  /** The address the site gives out for support, or null: the form only. */
  supportEmail: string | null;
}

/** "15%" from basis points; "3.5%" keeps its decimal. */
export function percent(bps: number): string {
  return `${bps / 100}%`;
}

/** The facts for the configured site (its payment mode, fees and support address). */
export function siteFacts(s: {
  payments: SiteFacts["payments"];
  fees: { platformFeeBps: number; renterFeeBps: number };
  support: { email: string | null };
}): SiteFacts {
  const packs = CITIES.map((c) => rulePackFor(c.slug));
  const counters = [...Object.values(LIMITS), ...Object.values(CONTACT_LIMITS)]
    .map((l) => l.windowMs * 2);
  return {
    payments: s.payments,
    holdMinutes: HOLD_MS / 60_000,
    maxHolds: MAX_LIVE_HOLDS,
    accessCodeHours: REMINDER_BEFORE_MS / HOUR,
    commission: percent(s.fees.platformFeeBps),
    serviceFee: s.fees.renterFeeBps > 0 ? percent(s.fees.renterFeeBps) : null,
    policies: CANCELLATION_POLICIES.map((id) => ({
      id,
      name: POLICY_NAMES[id],
      terms: describePolicy(id),
    })),
    training: distinct(packs.map(trainingRequirement)),
    // Cities that name an additional insured say so in `cities`.
    insurance: distinct(
      packs.map((pack) =>
        insuranceRequirement({
          ...pack,
          insurance: { ...pack.insurance, additionalInsured: null },
        })
      ),
    ),
    workersComp: packs.some((pack) => pack.insurance.workersCompIfEmployees),
    cities: CITIES.map((c, i) => ({
      slug: c.slug,
      name: c.name,
      kitchenPermits: cityGuide(packs[i]).kitchenPermits,
      additionalInsured: packs[i].insurance.additionalInsured,
      fees: packs[i].fees.map(cityFeeLabel),
    })),
    reminderDays: REMINDER_DAYS,
    documentMaxMb: DOCUMENT_MAX_BYTES / 1024 / 1024,
    photoMaxMb: PHOTO_MAX_BYTES / 1024 / 1024,
    kept: {
      sessionIdleDays: SESSION_IDLE_MS / DAY,
      sessionMaxDays: SESSION_MAX_MS / DAY,
      trustedDeviceDays: TRUSTED_DEVICE_MS / DAY,
      loginFailureHours: FAILURE_MEMORY_MS / HOUR,
      confirmLinkHours: VERIFY_TTL_MS / HOUR,
      resetLinkMinutes: RESET_TTL_MS / 60_000,
      attemptCounterHours: Math.max(...counters) / HOUR,
      paymentEventDays: EVENT_TTL_MS / DAY,
      supportMessageDays: SUPPORT_MESSAGE_KEEP_MS / DAY,
    },
    supportEmail: s.support.email,
  };
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}
