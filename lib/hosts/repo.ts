/**
 * Host profiles and payout status in KV. Writes are one atomic each, checked
 * against the version read; the payout account index changes in the same
 * atomic as the record.
 */
import { keys } from "../db/keys.ts";
import { cached, forget } from "../db/read_cache.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { readyDemoPayout } from "./payouts.ts";
import {
  type Host,
  noPayout,
  normaliseHost,
  type PayoutStatus,
  type StoredHost,
} from "./schema.ts";

const hostCacheKey = (id: string) => `host:${id}`;

/** After a write to a host profile, so this instance shows it at once. */
export function forgetHost(kv: Deno.Kv, id: string): void {
  forget(kv, hostCacheKey(id));
}

/** A host's public profile; may be a few seconds old (see read_cache.ts). Never decide with it. */
export function getHost(kv: Deno.Kv, id: string): Promise<Host | null> {
  return cached(
    kv,
    hostCacheKey(id),
    async () => (await getHostFresh(kv, id)).value,
    Boolean,
  );
}

/**
 * A host read straight from KV, for decisions (can this host be booked,
 * which host a webhook is about). Check the entry in the deciding atomic.
 */
export async function getHostFresh(
  kv: Deno.Kv,
  id: string,
): Promise<Deno.KvEntryMaybe<Host>> {
  const entry = await kv.get<StoredHost>(keys.host(id));
  return entry.value === null
    ? entry as Deno.KvEntryMaybe<Host>
    : { ...entry, value: normaliseHost(entry.value) };
}

/**
 * Adds a new host's profile to an atomic (sign-up as a host, "List your
 * kitchen"), checked absent. The public name is the business's, if any.
 */
export function addHostProfile(
  atomic: Deno.AtomicOperation,
  user: { id: string; name: string; businessName: string | null },
  now: number,
): Host {
  const host: Host = {
    v: 2,
    id: user.id,
    name: user.businessName ?? user.name,
    about: "",
    createdAt: new Date(now).toISOString(),
    payout: noPayout(),
  };
  atomic.check({ key: keys.host(host.id), versionstamp: null })
    .set(keys.host(host.id), host);
  return host;
}

/** Adds renaming a host, if there is one, to an atomic that also changes its account. */
export async function addHostRename(
  atomic: Deno.AtomicOperation,
  kv: Deno.Kv,
  hostId: string,
  name: string,
): Promise<void> {
  const entry = await getHostFresh(kv, hostId);
  if (!entry.value) return;
  atomic.check(entry).set(keys.host(hostId), { ...entry.value, name });
}

/** Adds deleting a host's profile and its payout index entry to an atomic. */
export async function addHostRemoval(
  atomic: Deno.AtomicOperation,
  kv: Deno.Kv,
  hostId: string,
): Promise<void> {
  const entry = await getHostFresh(kv, hostId);
  if (!entry.value) return;
  atomic.check(entry).delete(keys.host(hostId));
  const accountId = entry.value.payout.accountId;
  if (accountId) atomic.delete(keys.hostByPayoutAccount(accountId));
}

/**
 * Applies `change` to a host's payout status in one atomic checked against
 * the version read, stamping `updatedAt` with `now`; retries from a fresh
 * read on a race, then gives up with a ConflictError. A changed `accountId`
 * moves the `hosts_by_payout_account` entry in the same atomic, and an
 * account that belongs to another host is a conflict. `change` may run more
 * than once, so it must only compute.
 */
export async function updatePayout(
  kv: Deno.Kv,
  hostId: string,
  change: (payout: PayoutStatus, host: Host) => PayoutStatus,
  now: number = Date.now(),
): Promise<Host> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await getHostFresh(kv, hostId);
    const before = entry.value;
    if (!before) throw new NotFoundError("That host does not exist.");
    const payout = {
      ...change(before.payout, before),
      updatedAt: new Date(now).toISOString(),
    };
    const after: Host = { ...before, payout };
    const atomic = kv.atomic().check(entry).set(keys.host(hostId), after);
    const was = before.payout.accountId;
    const is = payout.accountId;
    if (was !== is) {
      if (was) atomic.delete(keys.hostByPayoutAccount(was));
      if (is) {
        const owner = await kv.get<string>(keys.hostByPayoutAccount(is));
        if (owner.value !== null && owner.value !== hostId) {
          throw new ConflictError(
            "That payout account belongs to another host.",
          );
        }
        atomic.check(owner).set(keys.hostByPayoutAccount(is), hostId);
      }
    }
    if ((await atomic.commit()).ok) {
      forgetHost(kv, hostId);
      return after;
    }
  }
  throw new ConflictError(
    "Your payout details changed meanwhile; please try again.",
  );
}

/**
 * Records the Stripe Connect account made for a host, with its index entry.
 * Until `account.updated` says otherwise it can neither charge nor pay out;
 * recording the same account again changes nothing else (idempotent).
 */
export async function recordStripeAccount(
  kv: Deno.Kv,
  hostId: string,
  accountId: string,
  now: number = Date.now(),
): Promise<Host> {
  return await updatePayout(
    kv,
    hostId,
    (p) =>
      p.provider === "stripe" && p.accountId === accountId ? p : {
        provider: "stripe",
        accountId,
        chargesEnabled: false,
        payoutsEnabled: false,
        requirementsDue: [],
        updatedAt: null,
      },
    now,
  );
}

/** Demo payments mode: the host's (pretend) payout setup is done. */
export async function setDemoPayoutReady(
  kv: Deno.Kv,
  hostId: string,
  now: number = Date.now(),
): Promise<Host> {
  return await updatePayout(
    kv,
    hostId,
    () => readyDemoPayout(new Date(now).toISOString()),
    now,
  );
}

/** The host a payout account belongs to, read fresh (for webhooks), or null. */
export async function findHostByPayoutAccount(
  kv: Deno.Kv,
  accountId: string,
): Promise<Host | null> {
  const hostId = (await kv.get<string>(keys.hostByPayoutAccount(accountId)))
    .value;
  if (!hostId) return null;
  const host = (await getHostFresh(kv, hostId)).value;
  return host?.payout.accountId === accountId ? host : null;
}

/**
 * Rewrites every v1 host record as v2 (see schema.ts), each in its own
 * atomic checked by versionstamp; safe to run again. How many it upgraded.
 */
export async function upgradeHostRecords(kv: Deno.Kv): Promise<number> {
  let upgraded = 0;
  for await (const e of kv.list<StoredHost>({ prefix: keys.hostsPrefix() })) {
    if (e.value.v === 2) continue;
    const res = await kv.atomic().check(e).set(e.key, normaliseHost(e.value))
      .commit();
    // A failed check means someone wrote it meanwhile, and writes store v2.
    if (res.ok) upgraded++;
    forgetHost(kv, e.key[1] as string);
  }
  return upgraded;
}
