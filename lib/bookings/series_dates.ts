/**
 * A standing booking's later dates once scheduled (issue 19 §4, §6): what
 * their charge, reminder and release jobs decide. lib/payments moves the
 * money (payments/occurrences.ts); these change the booking, each in one
 * atomic with its emails and jobs.
 */
import { getKitchen } from "../kitchens/repo.ts";
import { NotFoundError } from "../errors.ts";
import { addJob, addJobEffect } from "../jobs/outbox.ts";
import { OCCURRENCE_CHARGE_JOB } from "../job_names.ts";
import { EMPTY_DAY } from "./day_claims.ts";
import type { Assessment, HoldDeps } from "./holds.ts";
import { changeBooking } from "./lifecycle.ts";
import { getBooking, readCalendarDays } from "./repo.ts";
import type { Booking } from "./schema.ts";
import type { SeriesDeps } from "./series.ts";
import { partiesOf, tellDate } from "./series_emails.ts";
import { transition } from "./state.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** A date the renter's documents deny is looked at again this often, until it is released. */
export const DOCUMENTS_RECHECK_MS = 6 * HOUR;

/**
 * The city's verdict on a scheduled date now, read fresh, as the hold
 * judged it (issue 19 §6): its charge never runs while this is DENY.
 */
export async function assessDate(
  deps: Pick<HoldDeps, "kv" | "now" | "policy">,
  b: Booking,
): Promise<Assessment> {
  const kitchen = await getKitchen(deps.kv, b.kitchenId);
  if (!kitchen) throw new NotFoundError("We could not find that kitchen.");
  const entries = await readCalendarDays(deps.kv, b.kitchenId, b.claimDays);
  return await deps.policy.assess(deps.kv, {
    kitchen,
    renterId: b.renterId,
    interval: { start: b.start, end: b.end },
    localDate: b.localDate,
    days: b.claimDays.map((date, i) => ({
      date,
      // The date's own claim is not someone else's booking that day.
      doc: {
        v: 1,
        claims: (entries[i].value ?? EMPTY_DAY).claims.filter((c) =>
          c.ref !== b.id
        ),
      },
    })),
    now: deps.now,
  });
}

/**
 * Notes why a scheduled date was not charged and tells the renter once per
 * problem (`effect` names it), with the link to pay on Checkout or to renew.
 */
export async function noteChargeProblem(
  deps: SeriesDeps,
  id: string,
  problem: NonNullable<NonNullable<Booking["charge"]>["problem"]>,
  text: string,
  also?: (atomic: Deno.AtomicOperation, b: Booking) => void,
): Promise<Booking> {
  const b0 = await getBooking(deps.kv, id);
  if (!b0) throw new NotFoundError("We could not find that booking.");
  const p = await partiesOf(deps.kv, b0);
  return await changeBooking(deps, id, (b) => {
    if (b.status !== "scheduled" || !b.charge) return null;
    const same = b.charge.problem === problem && b.charge.problemText === text;
    const next: Booking = {
      ...b,
      charge: { ...b.charge, problem, problemText: text },
    };
    return {
      booking: next,
      extra: (atomic) => {
        also?.(atomic, next);
        if (same) return;
        tellDate(
          atomic,
          deps,
          p,
          next,
          problem === "documents" ? "documents" : "unpaid",
        );
      },
    };
  });
}

/**
 * The documents reminder a few days before a date's charge (issue 19 §6):
 * when the city's verdict on the date is DENY because a document of the
 * renter's lapses before it, they are told what to renew and by when.
 */
export async function remindDateDocuments(
  deps: SeriesDeps,
  id: string,
  jobId: string,
): Promise<void> {
  const b = await getBooking(deps.kv, id);
  if (!b || b.status !== "scheduled") return;
  const a = await assessDate(deps, b);
  if (a.decision !== "DENY") return;
  const p = await partiesOf(deps.kv, b);
  await changeBooking(deps, id, (cur) =>
    cur.status !== "scheduled" ? null : {
      booking: cur,
      extra: (atomic) => {
        addJobEffect(atomic, jobId, 7 * DAY);
        tellDate(atomic, deps, p, cur, "renew_soon", {
          reasons: a.denies.map((d) => d.message),
        });
      },
    });
}

/**
 * A scheduled date still unpaid 24 hours before it starts (its charge
 * failed, or the renter's documents still deny it): released, both sides
 * told. Anything else is left alone.
 */
export async function releaseUnpaidDate(
  deps: SeriesDeps,
  id: string,
): Promise<void> {
  const b0 = await getBooking(deps.kv, id);
  if (!b0 || b0.status !== "scheduled") return;
  const p = await partiesOf(deps.kv, b0);
  await changeBooking(deps, id, (b) => {
    if (b.status !== "scheduled") return null;
    const next: Booking = {
      ...b,
      status: transition(b.status, "expire"),
      note: b.charge?.problem === "documents"
        ? "Released 24 hours before the start: the renter's documents did not allow this date, so it was not charged."
        : "Released 24 hours before the start: this date was not paid.",
    };
    return {
      booking: next,
      claim: "release",
      extra: (atomic) => tellDate(atomic, deps, p, next, "released"),
    };
  });
}

/**
 * The recheck of a date the renter's documents denied at its charge: the
 * charge job again, a few hours on, while there is time before its release.
 */
export function addDocumentsRecheck(
  atomic: Deno.AtomicOperation,
  deps: Pick<SeriesDeps, "now" | "mail">,
  b: Booking,
): void {
  const at = deps.now + DOCUMENTS_RECHECK_MS;
  if (!b.charge || at >= b.charge.releaseAt) return;
  addJob(atomic, {
    id: `occ-charge:${b.id}:${at}`,
    type: OCCURRENCE_CHARGE_JOB,
    payload: { bookingId: b.id },
    runAt: at,
  }, { now: deps.now, wake: deps.mail.wake });
}

/** Whether the renter can pay for a date themselves now: its charge did not go through. */
export function canPayDate(b: Booking, renterId: string, now: number): boolean {
  return b.status === "scheduled" && b.renterId === renterId &&
    (b.charge?.problem === "declined" ||
      b.charge?.problem === "authentication_required") &&
    (b.charge?.releaseAt ?? 0) > now;
}
