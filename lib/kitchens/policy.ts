/**
 * Cancellation policies: what share of the booking is refunded depending on
 * how long before the start the renter cancels. Tiers are ordered from the
 * longest notice to the shortest; the first tier whose notice is met applies.
 */

export const CANCELLATION_POLICIES = [
  "flexible",
  "moderate",
  "strict",
] as const;
export type CancellationPolicy = typeof CANCELLATION_POLICIES[number];

export interface RefundTier {
  /** Minimum hours between cancellation and booking start for this tier. */
  minHoursNotice: number;
  /** Refunded share of the booking total, in basis points (10000 = 100%). */
  refundBps: number;
}

export const POLICY_TIERS: Record<CancellationPolicy, RefundTier[]> = {
  flexible: [{ minHoursNotice: 24, refundBps: 10000 }],
  moderate: [
    { minHoursNotice: 72, refundBps: 10000 },
    { minHoursNotice: 24, refundBps: 5000 },
  ],
  strict: [{ minHoursNotice: 168, refundBps: 5000 }],
};

export const POLICY_NAMES: Record<CancellationPolicy, string> = {
  flexible: "Flexible",
  moderate: "Moderate",
  strict: "Strict",
};

/** Refund share (basis points) for a cancellation made `hoursNotice` hours before the start. */
export function refundBpsFor(
  policy: CancellationPolicy,
  hoursNotice: number,
): number {
  const tier = POLICY_TIERS[policy].find((t) =>
    hoursNotice >= t.minHoursNotice
  );
  return tier?.refundBps ?? 0;
}

function describeNotice(hours: number): string {
  if (hours % 24 === 0) {
    const days = hours / 24;
    return days === 1 ? "24 hours" : days === 7 ? "7 days" : `${days} days`;
  }
  return `${hours} hours`;
}

function describeShare(bps: number): string {
  return bps === 10000 ? "a full refund" : `a ${bps / 100}% refund`;
}

/** The policy in plain words, one sentence per tier plus the no-refund remainder. */
export function describePolicy(policy: CancellationPolicy): string[] {
  const tiers = POLICY_TIERS[policy];
  const lines = tiers.map((t, i) => {
    const notice = describeNotice(t.minHoursNotice);
    const upper = i === 0
      ? ""
      : ` and less than ${describeNotice(tiers[i - 1].minHoursNotice)}`;
    return i === 0
      ? `Cancel at least ${notice} before your booking starts for ${
        describeShare(t.refundBps)
      }.`
      : `Cancel at least ${notice}${upper} before for ${
        describeShare(t.refundBps)
      }.`;
  });
  const last = tiers[tiers.length - 1];
  lines.push(
    `Cancellations within ${
      describeNotice(last.minHoursNotice)
    } of the start are not refunded.`,
  );
  return lines;
}
