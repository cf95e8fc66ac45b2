/**
 * The payments domain's door to KV (DESIGN §7, §14): payment events as
 * recorded, and signed deliveries that could not be read. Only this module
 * spells their keys. A booking's payment fields change through the
 * bookings repo (lib/bookings/repo.ts), which owns the booking.
 */
import type { TtlRule } from "../db/backup.ts";
import { keys } from "../db/keys.ts";
import {
  type PaymentCustomer,
  paymentCustomer,
  type PaymentEvent,
  paymentEvent,
  type UnprocessablePaymentEvent,
} from "./schema.ts";

/** Recorded events outlive every retry and reconciliation, then go. */
export const EVENT_TTL_MS = 90 * 24 * 3600_000;

/** Unprocessable records outlive Stripe's three days of retries, then go. */
export const UNPROCESSABLE_TTL_MS = 30 * 24 * 3600_000;

/**
 * Records an event once (checked absent), with what `also` adds to the same
 * atomic (its processing job). Recording an event closes any earlier
 * unprocessable record of it: a retry that reads now, after a fix. Returns
 * false when the event was already recorded, and then changes nothing.
 */
export async function recordPaymentEventOnce(
  kv: Deno.Kv,
  event: PaymentEvent,
  also: (atomic: Deno.AtomicOperation) => void,
): Promise<boolean> {
  const key = keys.paymentEvent(event.id);
  const atomic = kv.atomic()
    .check({ key, versionstamp: null })
    .set(key, paymentEvent.parse(event), { expireIn: EVENT_TTL_MS })
    .delete(keys.unprocessablePaymentEvent(event.id));
  also(atomic);
  return (await atomic.commit()).ok;
}

export async function getPaymentEvent(
  kv: Deno.Kv,
  id: string,
): Promise<PaymentEvent | null> {
  return (await kv.get<PaymentEvent>(keys.paymentEvent(id))).value;
}

/**
 * Writes the unprocessable record under `ref` that `next` makes of the one
 * stored (or of none), checked as read. When copies race, a copy that keeps
 * losing gives up after a few tries: the winner has just recorded the same
 * failure. Returns the record as this copy last made it.
 */
export async function recordUnprocessable(
  kv: Deno.Kv,
  ref: string,
  next: (stored: UnprocessablePaymentEvent | null) => UnprocessablePaymentEvent,
): Promise<UnprocessablePaymentEvent> {
  const key = keys.unprocessablePaymentEvent(ref);
  let record: UnprocessablePaymentEvent | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const entry = await kv.get<UnprocessablePaymentEvent>(key);
    record = next(entry.value);
    const res = await kv.atomic().check(entry)
      .set(key, record, { expireIn: UNPROCESSABLE_TTL_MS })
      .commit();
    if (res.ok) break;
  }
  return record!;
}

/** A renter's payment customer, with its versionstamp for a write to check. */
export function getPaymentCustomerEntry(
  kv: Deno.Kv,
  userId: string,
): Promise<Deno.KvEntryMaybe<PaymentCustomer>> {
  return kv.get<PaymentCustomer>(keys.paymentCustomer(userId));
}

export async function getPaymentCustomer(
  kv: Deno.Kv,
  userId: string,
): Promise<PaymentCustomer | null> {
  return (await getPaymentCustomerEntry(kv, userId)).value;
}

/** Adds the removal of a renter's payment customer to an atomic, checked as read. */
export function addPaymentCustomerRemoval(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntryMaybe<PaymentCustomer>,
): void {
  atomic.check(read).delete(read.key);
}

/** Adds a renter's payment customer to an atomic, checked as read. */
export function addPaymentCustomer(
  atomic: Deno.AtomicOperation,
  read: Deno.KvEntryMaybe<PaymentCustomer>,
  next: PaymentCustomer,
): void {
  atomic.check(read).set(
    keys.paymentCustomer(next.userId),
    paymentCustomer.parse(next),
  );
}

/**
 * Entries written with a lifetime and no `expiresAt` in their value: an
 * import gives them that lifetime again (lib/db/backup.ts). Event records
 * must outlive Stripe's retries, so they keep their whole time.
 */
export const paymentTtls: TtlRule[] = [
  { prefix: keys.paymentEventsRoot(), ttlMs: EVENT_TTL_MS },
  {
    prefix: keys.unprocessablePaymentEventsRoot(),
    ttlMs: UNPROCESSABLE_TTL_MS,
  },
];
