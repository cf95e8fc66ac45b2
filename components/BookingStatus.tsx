/**
 * Where a booking stands, on its page: the one status block (what happened,
 * what happens next, the action that fits), the hold's and the host's
 * deadlines, and the question cancelling asks first — on its own page
 * without JavaScript, in a dialog with it.
 */
import type { ComponentChildren } from "preact";
import type { BookingView, CancelOffer } from "../lib/bookings/pages.ts";
import { REFUND_ARRIVAL } from "../lib/bookings/request_terms.ts";
import type { Booking } from "../lib/bookings/schema.ts";
import {
  formatDayTimeZoned,
  formatTimeLeft,
  formatTimeRange,
  formatTimeZoned,
} from "../lib/format.ts";
import { POLICY_NAMES } from "../lib/kitchens/policy.ts";
import { formatCents } from "../lib/money.ts";
import Deadline from "../islands/Deadline.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";

/** A host's payout as their lists say it (lib/bookings/earnings.ts hostPayoutCents). */
export function payoutText(cents: number | null): string {
  return cents === null || cents <= 0
    ? "no payout"
    : `your payout ${formatCents(cents)}`;
}

export const STATUS_TEXT: Record<Booking["status"], string> = {
  held: "Waiting for payment",
  requested: "Waiting for the host to accept",
  confirmed: "Confirmed",
  scheduled: "Booked: charged 3 days before",
  expired: "Not booked",
  declined: "Declined by the host",
  withdrawn: "Request withdrawn",
  cancelled: "Cancelled",
  completed: "Completed",
};

/** "Held for you until 3:41 PM CST (34 minutes left)": the hold, counting down with JavaScript. */
export function HoldDeadline(
  { booking: b, now }: { booking: Booking; now: number },
) {
  if (b.holdExpiresAt === null) return null;
  return (
    <p data-testid="hold-deadline">
      {"Held for you until "}
      <Deadline
        until={b.holdExpiresAt}
        timeZone={b.timeZone}
        text={formatTimeZoned(b.timeZone, b.holdExpiresAt)}
        withDay={false}
        left={formatTimeLeft(now, b.holdExpiresAt)}
      />
      {". After that the hours are released for others to book."}
    </p>
  );
}

/** "If you cancel now you get $180 back (Moderate policy: a full refund until …; 50% after that)." */
export function cancelNowSentence(b: Booking, c: CancelOffer): string {
  const amount = formatCents(c.refundCents);
  if (b.status === "scheduled") {
    const when = b.charge?.problem
      ? "is not paid"
      : "is not charged yet (it is charged 3 days before it starts)";
    return c.by === "host"
      ? `This date of a weekly booking ${when}: cancelling it now costs the renter nothing.`
      : `This date of your weekly booking ${when}: cancelling it now costs nothing.`;
  }
  if (c.by === "host") {
    return `If you cancel now the renter gets ${amount} back: a full refund, as always when a host cancels.`;
  }
  const policy = `${POLICY_NAMES[c.policy]} policy`;
  if (c.refundCents === 0) {
    return `If you cancel now you get nothing back (${policy}: no refund this close to the start).`;
  }
  const share = c.refundBps === 10_000
    ? "a full refund"
    : `${c.refundBps / 100}% back`;
  const after = c.deadline
    ? `; ${
      c.deadline.thenBps === 0 ? "nothing" : `${c.deadline.thenBps / 100}%`
    } after that`
    : "";
  const until = c.deadline
    ? ` until ${formatDayTimeZoned(b.timeZone, c.deadline.until)}`
    : "";
  return `If you cancel now you get ${amount} back (${policy}: ${share}${until}${after}).`;
}

/** The question before cancelling, on the page without JavaScript and in the dialog with it. */
export function cancelQuestion(
  v: Pick<BookingView, "booking" | "kitchen">,
  c: CancelOffer,
) {
  const b = v.booking;
  const amount = formatCents(c.refundCents);
  const when = formatTimeRange(b.timeZone, b.start, b.end);
  const back = c.by === "host"
    ? `The renter gets ${amount} back to the card they paid with.`
    : `You get ${amount} back to the card you paid with.`;
  return {
    title: "Cancel this booking?",
    paragraphs: [
      `${v.kitchen.title}, ${when}.`,
      b.status === "scheduled"
        ? "It is not charged yet, so nothing is charged or refunded. The other dates of the weekly booking stay as they are."
        : c.refundCents > 0
        ? `${back} Refunds reach the card in ${REFUND_ARRIVAL}.`
        : "Nothing is refunded: under the kitchen's policy it is too close to the start.",
      "Cancelling frees the hours for others; it cannot be undone.",
    ],
    confirmLabel: "Yes, cancel booking",
    keepLabel: "Keep my booking",
  };
}

/** Who cancelled, as the viewer reads it. */
function cancelledBy(v: BookingView): string {
  const by = v.booking.cancellation!.by;
  if (by === "admin") return "Prep cancelled this booking";
  if (by === v.viewer) return "You cancelled this booking";
  return by === "host"
    ? "The host cancelled this booking"
    : "The renter cancelled this booking";
}

/**
 * The one block that says where the booking stands and what to do next:
 * never a notice saying one thing above a status saying another.
 */
export function StatusBlock(
  { view, notice, confirming, now }: {
    view: BookingView;
    notice?: string;
    confirming: boolean;
    now: number;
  },
) {
  const b = view.booking;
  const renter = view.viewer === "renter";
  const total = formatCents(b.quote.totalChargedCents);
  const findHours = (
    <p class="mt-3">
      <a
        href={`/kitchens/${b.kitchenId}?date=${b.localDate}`}
        class="font-semibold text-emerald-800 underline"
      >
        Find other hours at this kitchen
      </a>
    </p>
  );
  let heading: string = STATUS_TEXT[b.status];
  let body: ComponentChildren = null;
  switch (b.status) {
    case "held":
      if (confirming) {
        heading = "Confirming your payment";
        body = (
          <p class="mt-1">
            We have your payment and are confirming it. This page updates in a
            moment.
          </p>
        );
      } else if (view.canPay) {
        body = (
          <>
            <HoldDeadline booking={b} now={now} />
            <p class="mt-3">
              <a
                href={`/bookings/${b.id}/pay`}
                class="font-semibold text-emerald-800 underline"
              >
                {b.mode === "request"
                  ? "Continue to authorise your card"
                  : "Continue to payment"}
              </a>
            </p>
          </>
        );
      } else {
        body = (
          <p class="mt-1">
            The renter has not paid yet; the hold lapses if they don't.
          </p>
        );
      }
      break;
    case "requested":
      if (b.waitingFor === "documents") {
        // The hours wait for Prep's check of the renter's documents, not
        // for the host (DocumentRequests.tsx says what happens next).
        heading = renter
          ? "Your documents are being checked"
          : "Held while Prep checks the renter's documents";
        body = (
          <>
            <p class="mt-1">
              {renter
                ? `Your card is authorised for ${total} and charged only once your booking is confirmed.`
                : "You answer once the documents are verified."}
            </p>
            {view.canWithdraw && <WithdrawForm bookingId={b.id} />}
          </>
        );
        break;
      }
      heading = renter
        ? "Request sent: waiting for the host"
        : view.viewer === "host"
        ? "Request: waiting for your answer"
        : STATUS_TEXT.requested;
      body = (
        <>
          {b.respondBy !== null && (
            <p class="mt-1" data-testid="respond-by">
              {renter ? "The host has until " : "The host answers by "}
              <Deadline
                until={b.respondBy}
                timeZone={b.timeZone}
                text={formatDayTimeZoned(b.timeZone, b.respondBy)}
                withDay
                left={formatTimeLeft(now, b.respondBy)}
              />
              {" to accept. If they don't, the request expires."}
            </p>
          )}
          <p class="mt-1">
            {renter
              ? `Your card is authorised for ${total} and charged only if the host accepts.`
              : `The renter's card is authorised for ${total}; accepting charges it.`}
          </p>
          {view.canWithdraw && <WithdrawForm bookingId={b.id} />}
          {view.viewer === "host" && (
            <p class="mt-3">
              <a
                href={`/host/bookings/${b.id}`}
                class="font-semibold text-emerald-800 underline"
              >
                Answer the request
              </a>
            </p>
          )}
        </>
      );
      break;
    case "confirmed":
      body = (
        <p class="mt-1">
          {renter
            ? `You're booked. You paid ${total}.`
            : `Booked and paid (${total}).`}
        </p>
      );
      break;
    case "scheduled": {
      // A standing booking's later date (lib/bookings/series.ts).
      const c = b.charge;
      if (c?.problem === "documents") {
        heading = renter
          ? "Booked: waiting for your renewed documents"
          : "Booked: waiting for the renter's documents";
        body = (
          <p class="mt-1">
            {`Not charged: the city's rules do not allow this date with ${
              renter ? "your" : "the renter's"
            } documents as they are. ${c.problemText ?? ""} It is released ${
              formatDayTimeZoned(b.timeZone, c.releaseAt)
            } if not renewed.`}
          </p>
        );
      } else if (c?.problem) {
        heading = renter ? "Payment needed" : "Payment due from the renter";
        body = (
          <>
            <p class="mt-1">
              {`${c.problemText ?? "The card was declined."} ${
                renter ? "Pay" : "The renter pays"
              } ${total} by ${
                formatDayTimeZoned(b.timeZone, c.releaseAt)
              }, or the date is released.`}
            </p>
            {renter && (
              <p class="mt-3">
                <a
                  href={`/bookings/${b.id}/pay-date`}
                  class="font-semibold text-emerald-800 underline"
                >
                  Pay for this date
                </a>
              </p>
            )}
          </>
        );
      } else {
        body = (
          <p class="mt-1">
            {`${
              renter ? "Your saved card is" : "The renter's card is"
            } charged ${total} on ${
              formatDayTimeZoned(b.timeZone, c?.at ?? b.start)
            }, 3 days before the start.`}
          </p>
        );
      }
      break;
    }
    case "cancelled": {
      const c = b.cancellation!;
      body = (
        <>
          <p class="mt-1">
            {`${cancelledBy(view)} on ${
              formatDayTimeZoned(b.timeZone, c.at)
            }. ${c.explanation}`}
          </p>
          {
            /* Nothing charged, nothing to refund: the explanation says why. */
          }
          {(c.refundCents > 0 || view.hasReceipt) && (
            <p class="mt-1">
              {c.refundCents > 0
                ? `${renter ? "We refunded" : "The renter was refunded"} ${
                  formatCents(c.refundCents)
                } to the card ${
                  renter ? "you" : "they"
                } paid with; refunds reach the card in ${REFUND_ARRIVAL}.`
                : "No refund was due under the kitchen's policy."}
            </p>
          )}
          {renter && findHours}
        </>
      );
      break;
    }
    case "withdrawn":
      body = (
        <>
          <p class="mt-1">
            {`${renter ? "You" : "The renter"} withdrew this request on ${
              formatDayTimeZoned(b.timeZone, b.updatedAt)
            }. The card was not charged, and the authorisation of ${total} is released; the bank removes it, usually within a few days.`}
          </p>
          {renter && findHours}
        </>
      );
      break;
    case "declined":
      body = (
        <>
          <p class="mt-1">
            {`The host declined this request on ${
              formatDayTimeZoned(b.timeZone, b.updatedAt)
            }. The card was not charged, and the authorisation is released.`}
          </p>
          {b.declineReason && (
            <blockquote class="mt-2 border-l-4 border-stone-300 pl-3">
              The host wrote: <q class="typed-text">{b.declineReason}</q>
            </blockquote>
          )}
          {renter && findHours}
        </>
      );
      break;
    case "expired":
      heading = b.waitingFor === "documents"
        ? "Not booked: the hours were released"
        : b.mode === "request" && b.note
        ? "Request expired"
        : "Not booked: the hold lapsed before payment";
      body = (
        <>
          {b.note && <p class="mt-1">{b.note}</p>}
          {renter && findHours}
        </>
      );
      break;
    case "completed":
      body = <p class="mt-1">This booking has ended.</p>;
      break;
  }
  return (
    <div
      class={card}
      role={notice || confirming ? "status" : undefined}
      data-testid="status"
    >
      <h2 class="text-xl font-bold">{heading}</h2>
      {body}
    </div>
  );
}

/** The renter's way out of a request while it waits (for the host or for the documents check). */
function WithdrawForm({ bookingId }: { bookingId: string }) {
  return (
    <form
      method="post"
      action={`/bookings/${bookingId}/withdraw`}
      class="mt-3 space-y-1"
    >
      <button
        type="submit"
        class="rounded-lg border border-stone-300 bg-white px-4 py-2 font-semibold"
      >
        Withdraw request
      </button>
      <p class="text-sm text-stone-700">
        The hours are released and so is the authorisation: nothing is charged.
      </p>
    </form>
  );
}
