/**
 * A host's public profile and payout status, stored at `["hosts", userId]`
 * (the host id is the account's id).
 *
 * Versions: v1 had no `payout`; v2 adds it. Every reader goes through
 * `normaliseHost` (or `hostRecord`, which ends in it), so a v1 value reads
 * as a v2 host that has not set up payouts, and every write stores v2.
 * We bump the version rather than make `payout` optional so that the type
 * code works with always has a payout status, and a stored value says which
 * shape it has.
 *
 * Migration note: none needs to run. A v1 record is upgraded in memory when
 * read and stored as v2 on its next write (a rename, a payout change). To
 * drop the v1 branch one day, first run `upgradeHostRecords` (hosts/repo.ts)
 * once per environment: it rewrites every v1 record, each in its own atomic
 * checked by versionstamp, and can be run again safely.
 */
import { z } from "zod";
import { text } from "../text.ts";

export const PAYOUT_PROVIDERS = ["stripe", "demo"] as const;
export type PayoutProvider = typeof PAYOUT_PROVIDERS[number];

/**
 * Where a host's money goes and whether it can flow. For Stripe these are
 * the Connect account's `charges_enabled`, `payouts_enabled` and
 * `requirements.currently_due` as of the last `account.updated`.
 */
export const payoutStatus = z.object({
  provider: z.enum(PAYOUT_PROVIDERS).nullable(),
  accountId: z.string().min(1).max(255).nullable(),
  chargesEnabled: z.boolean(),
  payoutsEnabled: z.boolean(),
  requirementsDue: z.array(z.string().max(200)).max(100),
  updatedAt: z.string().nullable(),
});
export type PayoutStatus = z.infer<typeof payoutStatus>;

/** The payout status of a host who has not connected anything yet. */
export function noPayout(): PayoutStatus {
  return {
    provider: null,
    accountId: null,
    chargesEnabled: false,
    payoutsEnabled: false,
    requirementsDue: [],
    updatedAt: null,
  };
}

const profileFields = {
  id: z.string(),
  name: text({ label: "a name", max: 100 }),
  about: text({
    label: "something about the host",
    min: 0,
    max: 2000,
    multiline: true,
  }),
  createdAt: z.string(),
};

/** The current shape: what every write stores. */
export interface Host {
  v: 2;
  id: string;
  name: string;
  about: string;
  createdAt: string;
  payout: PayoutStatus;
}

/** The shape written before payouts existed. */
export type HostV1 = Omit<Host, "v" | "payout"> & { v: 1 };

/** What `["hosts", id]` may hold. */
export type StoredHost = Host | HostV1;

/** Any stored version, upgraded to the current one. */
export function normaliseHost(stored: StoredHost): Host {
  if (stored.v === 2) return stored;
  const { v: _v, ...profile } = stored;
  return { v: 2, ...profile, payout: noPayout() };
}

/** Validates a stored host of any version and returns it as the current one. */
export const hostRecord = z.union([
  z.object({ v: z.literal(2), ...profileFields, payout: payoutStatus }),
  z.object({ v: z.literal(1), ...profileFields }),
]).transform((h): Host => normaliseHost(h));
