/**
 * Standing bookings, managed (issue 19 §4, §5): a request-to-book series
 * answered by its host as a whole, the series as its renter, host or staff
 * may see it, and ending it early — the renter cancelling the dates still
 * ahead (each refunded by the kitchen's policy), or the host ending it
 * (every paid date refunded in full, a reason required, audited). Each date
 * changes in its own atomic; the series and its emails in one more.
 */
import { addAudit } from "../audit/repo.ts";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from "../errors.ts";
import { cancelBooking } from "./lifecycle.ts";
import { getBooking, getSeries } from "./repo.ts";
import { declineRequest } from "./requests.ts";
import type { Booking, Series } from "./schema.ts";
import {
  seriesBookings,
  type SeriesDeps,
  settleSeries,
  updateSeries,
} from "./series.ts";
import { partiesOf, tellSeries } from "./series_emails.ts";

/** The series' first date, when the series waits for its host's answer. */
async function requestedLead(
  deps: Pick<SeriesDeps, "kv">,
  id: string,
  actor: { id: string },
): Promise<{ series: Series; lead: Booking }> {
  const s = await getSeries(deps.kv, id);
  if (!s || s.hostId !== actor.id) {
    throw new NotFoundError("We could not find that booking.");
  }
  const lead = s.leadId ? await getBooking(deps.kv, s.leadId) : null;
  if (s.status !== "requested" || lead?.status !== "requested") {
    throw new ConflictError(
      "This weekly booking is not waiting for an answer: it was answered, withdrawn or it expired.",
      { href: `/host/bookings/series/${id}`, label: "See where it stands" },
    );
  }
  return { series: s, lead };
}

/**
 * The host declines a request-to-book series as a whole (issue 19 §4): its
 * first date is declined (the authorisation released) and the rest follow.
 */
export async function declineSeries(
  deps: SeriesDeps,
  id: string,
  actor: { id: string; email?: string; roles: readonly string[] },
  reason: string | null,
): Promise<Series | null> {
  const { lead } = await requestedLead(deps, id, actor);
  await declineRequest(deps, lead.id, actor, reason, { asSeries: true });
  return await settleSeries(deps, id);
}

/** Checks that the series waits for `actor`'s answer; its first date, to accept (payments captures it). */
export async function leadToAccept(
  deps: Pick<SeriesDeps, "kv">,
  id: string,
  actor: { id: string },
): Promise<Booking> {
  return (await requestedLead(deps, id, actor)).lead;
}

/** A series its renter, its host or staff may see; anyone else gets 404. */
export async function getSeriesFor(
  kv: Deno.Kv,
  id: string,
  viewer: { id: string; roles: readonly string[] },
): Promise<Series> {
  const s = await getSeries(kv, id);
  const staff = viewer.roles.includes("admin") ||
    viewer.roles.includes("support");
  if (!s || (s.renterId !== viewer.id && s.hostId !== viewer.id && !staff)) {
    throw new NotFoundError("We could not find that booking.");
  }
  return s;
}

/** Dates of a series that are still ahead and booked: what cancelling the rest would cancel. */
export function futureDates(
  bookings: readonly Booking[],
  now: number,
): Booking[] {
  return bookings.filter((b) =>
    (b.status === "confirmed" || b.status === "scheduled") && b.start > now
  );
}

/**
 * The renter cancels every date still ahead (issue 19 §5): each date in its
 * own atomic, a paid one refunded by the kitchen's policy as if cancelled on
 * its own, a scheduled one (nothing charged) simply released; the series
 * ends; one email to each side.
 */
export async function cancelRestOfSeries(
  deps: SeriesDeps,
  id: string,
  actor: { id: string; email?: string; roles: readonly string[] },
): Promise<Series> {
  const s = await getSeriesFor(deps.kv, id, actor);
  if (s.renterId !== actor.id) {
    throw new ForbiddenError(
      "Only the renter cancels the rest of their dates.",
    );
  }
  return await endDates(deps, s, actor, "renter", null);
}

/**
 * The host ends a series (issue 19 §5): every date still ahead is
 * cancelled with a full refund of what was paid (nothing was paid for the
 * scheduled ones), a reason is required, and the ending is audited.
 */
export async function endSeriesAsHost(
  deps: SeriesDeps,
  id: string,
  actor: { id: string; email?: string; roles: readonly string[] },
  reason: string,
): Promise<Series> {
  const s = await getSeries(deps.kv, id);
  if (!s || s.hostId !== actor.id) {
    throw new NotFoundError("We could not find that booking.");
  }
  if (!reason.trim()) {
    throw new ValidationError(
      { reason: "Say why you are ending it; the renter reads it." },
      "Say why you are ending this weekly booking.",
    );
  }
  return await endDates(deps, s, actor, "host", reason);
}

async function endDates(
  deps: SeriesDeps,
  s: Series,
  actor: { id: string; email?: string; roles: readonly string[] },
  by: "renter" | "host",
  reason: string | null,
): Promise<Series> {
  if (s.status !== "active") {
    throw new ConflictError(
      s.status === "ended"
        ? "This weekly booking has already ended."
        : "Only a weekly booking that is under way can be ended; this one is not.",
    );
  }
  const ahead = futureDates(await seriesBookings(deps.kv, s), deps.now);
  const p = await partiesOf(deps.kv, s);
  let refundCents = 0;
  for (const b of ahead) {
    const after = await cancelBooking(deps, b.id, actor, {
      through: [by],
      reason,
      quiet: true,
    });
    refundCents += after.cancellation?.refundCents ?? 0;
  }
  return await updateSeries(
    deps,
    s.id,
    (cur) =>
      cur.status === "ended" ? null : {
        ...cur,
        status: "ended",
        ended: { by, at: deps.now, reason },
      },
    (atomic, _before, after) => {
      addAudit(atomic, {
        actor: { kind: "user", id: actor.id, email: actor.email },
        action: "series.ended",
        subject: { kind: "series", id: s.id },
        details: {
          by,
          datesCancelled: ahead.length,
          refundCents,
          kitchenId: s.kitchenId,
        },
        ...(reason ? { reason } : {}),
      }, deps.now);
      tellSeries(
        atomic,
        deps,
        p,
        after,
        by === "host" ? "ended_by_host" : "cancelled_by_renter",
        { dates: ahead.length, refundCents },
      );
    },
  );
}

/** Dates of a series by state, for its pages. */
export function seriesCounts(bookings: readonly Booking[]) {
  const count = (f: (b: Booking) => boolean) => bookings.filter(f).length;
  return {
    paid: count((b) => b.status === "confirmed" || b.status === "completed"),
    scheduled: count((b) => b.status === "scheduled"),
    /** Scheduled dates whose charge did not go through: the renter pays them. */
    unpaid: count((b) =>
      b.status === "scheduled" &&
      (b.charge?.problem === "declined" ||
        b.charge?.problem === "authentication_required")
    ),
    /** Scheduled dates the renter's documents do not allow yet. */
    documents: count((b) =>
      b.status === "scheduled" && b.charge?.problem === "documents"
    ),
    cancelled: count((b) =>
      b.status === "cancelled" || b.status === "expired" ||
      b.status === "declined" || b.status === "withdrawn"
    ),
  };
}
