/**
 * City fees as quote lines: what `quote({ extraLines })` needs to charge a
 * city's fees on a booking and remit them (`to: "authority"`).
 *
 * Pure: the amounts come from a quote made without extra lines.
 */
import { bpsOf, type ExtraLine, type Quote } from "../bookings/pricing.ts";
import type { CityFee, FeeBasis, RulePack } from "./rules.ts";

/** The amounts of a quote (made without extra lines) that city fees are taken on. */
export type FeeBaseAmounts = Pick<
  Quote,
  "subtotalCents" | "cleaningFeeCents" | "commissionCents"
>;

/**
 * Which quote amount each fee basis names. Whether Seattle's B&O "platform
 * fee" means the platform's commission or the renter's service fee is a
 * product decision; we use the commission, the platform's revenue on the
 * booking whatever side it is taken from.
 */
const BASIS_AMOUNT: Record<FeeBasis, (q: FeeBaseAmounts) => number> = {
  base: (q) => q.subtotalCents,
  cleaning: (q) => q.cleaningFeeCents,
  platform_fee: (q) => q.commissionCents,
};

/** "San Francisco Commercial Rents Tax (3.5%)". */
export function cityFeeLabel(fee: CityFee): string {
  return `${fee.label} (${fee.bps / 100}%)`;
}

/**
 * The pack's city fees on a booking, one `city_fee` line each, every line
 * rounded half-up to the cent on the sum of its bases. A fee that comes to
 * $0 is left out, as `quote` leaves out zero lines.
 *
 * @example
 * const base = quote({ hourlyPriceCents: 4000, cleaningFeeCents: 2500, durationMinutes: 150 });
 * quote({ ...input, extraLines: cityFeeLines(rulePackFor("san-francisco"), base) });
 * // adds "San Francisco Commercial Rents Tax (3.5%)" 350 cents, to the authority
 */
export function cityFeeLines(
  pack: RulePack,
  amounts: FeeBaseAmounts,
): ExtraLine[] {
  const lines: ExtraLine[] = [];
  for (const fee of pack.fees) {
    const sum = fee.on.reduce(
      (s, basis) => s + BASIS_AMOUNT[basis](amounts),
      0,
    );
    const amountCents = bpsOf(sum, fee.bps);
    if (amountCents === 0) continue;
    lines.push({
      kind: "city_fee",
      label: cityFeeLabel(fee),
      amountCents,
      to: "authority",
    });
  }
  return lines;
}
