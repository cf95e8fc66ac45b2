/**
 * Booking references as people read them out on the phone: `PRP-7K3Q-9D`.
 *
 * A reference is six Crockford base-32 characters (30 bits; no I, L, O or
 * U, so nothing reads as another letter or a word) taken from a SHA-256 of
 * the booking's id and an attempt number. Attempt 0 is what almost every
 * booking gets; the hold (holds.ts) stores the reference on the booking and
 * claims it in a unique index in the same atomic, moving to the next
 * attempt when one is taken, so a reference names exactly one booking.
 * Pure: no IO.
 */
import { createHash } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const PREFIX = "PRP";

/** How many attempts a booking may take for a free reference (a 2⁻³⁰ chance each is taken). */
export const REFERENCE_ATTEMPTS = 8;

/**
 * The reference of booking `id` at `attempt` (deterministic).
 *
 * @example
 * referenceFor("01JF0000000000000000000000") // "PRP-XXXX-XX", the same every time
 */
export function referenceFor(id: string, attempt = 0): string {
  const digest = createHash("sha256").update(`${id}:${attempt}`).digest();
  // The first 30 bits, five at a time.
  let bits = (digest[0] << 22) | (digest[1] << 14) | (digest[2] << 6) |
    (digest[3] >> 2);
  let chars = "";
  for (let i = 0; i < 6; i++) {
    chars = ALPHABET[bits & 31] + chars;
    bits >>>= 5;
  }
  return `${PREFIX}-${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/**
 * The reference someone typed, in its stored form, or null when it is not
 * one: any case, with or without the "PRP" and the dashes or spaces, and
 * Crockford's look-alikes read as the digits they stand for (O → 0, I and
 * L → 1).
 *
 * @example
 * parseReference("prp 7k3q 9d") // "PRP-7K3Q-9D"
 * parseReference("7K3Q-9O")     // "PRP-7K3Q-90"
 */
export function parseReference(input: string): string | null {
  let s = input.trim().toUpperCase().replace(/[\s-]/g, "");
  if (s.startsWith(PREFIX) && s.length === PREFIX.length + 6) {
    s = s.slice(PREFIX.length);
  }
  if (s.length !== 6) return null;
  s = s.replace(/O/g, "0").replace(/[IL]/g, "1");
  if (![...s].every((c) => ALPHABET.includes(c))) return null;
  return `${PREFIX}-${s.slice(0, 4)}-${s.slice(4)}`;
}

/** The reference a booking shows: the one it stored, or (bookings from before references) attempt 0's. */
export function referenceOf(b: { id: string; reference?: string }): string {
  return b.reference ?? referenceFor(b.id);
}
