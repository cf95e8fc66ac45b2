/**
 * Standing bookings on the page (issue 19 §3–5): a series with every date
 * (for its renter, its host or staff), the "cancel the rest" question, and
 * series in the renter's and the host's lists. Asking for one is
 * SeriesAskPage.tsx.
 */
import type { Booking } from "../lib/bookings/schema.ts";
import type {
  SeriesDateView,
  SeriesSummary,
  SeriesView,
} from "../lib/bookings/series_pages.ts";
import { everyText, weekdaysText } from "../lib/bookings/series_rule.ts";
import {
  formatClockRange,
  formatDate,
  formatDayTime,
  formatDayTimeZoned,
  formatTimeRange,
} from "../lib/format.ts";
import { lastReviewDate } from "../lib/reviews/rules.ts";
import { POLICY_NAMES } from "../lib/kitchens/policy.ts";
import { formatCents } from "../lib/money.ts";
import { payoutText } from "./BookingStatus.tsx";
import { hostPayoutCents } from "../lib/bookings/earnings.ts";
import {
  FormMessage,
  type FormState,
  Notice,
  TextArea,
  upToChars,
} from "./Forms.tsx";
import { ANSWER_MAX_CHARS } from "../lib/text.ts";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const link = "font-semibold text-emerald-800 underline";
const primary =
  "inline-block rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";
const secondary =
  "inline-block rounded-lg border border-stone-300 bg-white px-4 py-2 font-semibold";
const danger =
  "rounded-lg bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800";

/** What one date of a series says about itself, in the viewer's words. */
function dateStatus(d: SeriesDateView, view: SeriesView, now: number): string {
  const b = d.booking;
  const renter = view.viewer === "renter";
  if (!b) {
    return d.occurrence.state === "skipped"
      ? `Not booked: ${d.occurrence.reason ?? "left out."}`
      : "Being held";
  }
  switch (b.status) {
    case "held":
      return renter
        ? "Held while you pay for the first date"
        : "Held while the renter pays";
    case "requested":
      return "Waiting for the host to accept the series";
    case "scheduled": {
      const c = b.charge!;
      if (c.problem === "documents") {
        return `Not charged yet: the city's rules need a renewed document first. Released ${
          formatDayTimeZoned(b.timeZone, c.releaseAt)
        } if not renewed.`;
      }
      if (c.problem) {
        return `${renter ? "Payment needed" : "Payment due"}: ${
          c.problemText ?? "the card was declined"
        } ${renter ? "Pay" : "The renter pays"} by ${
          formatDayTimeZoned(b.timeZone, c.releaseAt)
        }, or the date is released.`;
      }
      // Not yet taken: "charged on" read as if it had been.
      const when = c.at <= now
        ? "being charged now"
        : `to be charged on ${formatDayTime(b.timeZone, c.at)}`;
      return view.viewer === "host"
        ? `Booked · the renter's card is ${when} · your payout ${
          formatCents(b.quote.hostPayoutCents)
        }`
        : `Booked · ${formatCents(b.quote.totalChargedCents)} ${when}`;
    }
    case "confirmed":
      return b.end <= now
        ? "Done"
        : view.viewer === "host"
        ? `Paid · ${payoutText(hostPayoutCents(b))}`
        : `Paid · ${formatCents(b.quote.totalChargedCents)}`;
    case "completed":
      return "Done";
    case "cancelled":
      return `Cancelled${
        b.cancellation && b.cancellation.refundCents > 0
          ? ` · ${formatCents(b.cancellation.refundCents)} refunded`
          : ""
      }`;
    case "expired":
      return b.note ?? "Released: not booked";
    case "declined":
      return "Declined by the host";
    case "withdrawn":
      return "Request withdrawn";
  }
}

function seriesHeading(view: SeriesView): string {
  const s = view.series;
  const renter = view.viewer === "renter";
  switch (s.status) {
    case "claiming":
    case "held":
      return view.canPay
        ? "Waiting for payment of the first date"
        : "Not paid yet";
    case "requested":
      return renter
        ? "Request sent: waiting for the host"
        : view.viewer === "host"
        ? "Request: waiting for your answer"
        : "Waiting for the host";
    case "active":
      return "Booked weekly";
    case "ended":
      return s.ended?.by === "host"
        ? "Ended by the host"
        : s.ended?.by === "renter"
        ? (renter ? "You cancelled the rest" : "Cancelled by the renter")
        : "Ended";
    case "expired":
      return "Not booked: the hold lapsed before payment";
    case "declined":
      return "Declined by the host";
  }
}

/** `/bookings/series/:id` (and the host's copy): the series and every date. */
export function SeriesPage(
  { view, notice, now, form }: {
    view: SeriesView;
    notice?: string;
    now: number;
    /** The host's end form after a failed post. */
    form?: FormState;
  },
) {
  const s = view.series;
  const k = view.kitchen;
  const renter = view.viewer === "renter";
  const host = view.viewer === "host";
  const endForm = form ?? { values: {}, errors: {} };
  return (
    <section class="mx-auto max-w-3xl space-y-6">
      <header>
        <h1 class="text-3xl font-extrabold">{`Weekly booking: ${k.title}`}</h1>
        <p class="mt-1">
          {`${weekdaysText(s.rule.weekdays)}, ${
            formatClockRange(s.rule.start, s.rule.end)
          }, ${everyText(s.rule.every)} `}
          <span class="text-sm text-stone-600">{`(${s.timeZone})`}</span>
        </p>
      </header>
      {notice && <Notice>{notice}</Notice>}
      <div class={card} data-testid="series-status">
        <h2 class="text-xl font-bold">{seriesHeading(view)}</h2>
        {view.canPay && view.lead && (
          <>
            <p class="mt-1">
              {`Held for you until ${
                formatDayTimeZoned(s.timeZone, view.lead.holdExpiresAt ?? now)
              }. Pay for the first date to keep them all.`}
            </p>
            <p class="mt-3">
              <a href={`/bookings/${view.lead.id}/pay`} class={primary}>
                Continue to payment
              </a>
            </p>
          </>
        )}
        {s.status === "active" && (
          <p class="mt-1">
            {`${view.counts.paid} paid, ${
              view.counts.scheduled - view.counts.unpaid -
              view.counts.documents
            } to be charged 3 days before each date${
              view.counts.cancelled > 0
                ? `, ${view.counts.cancelled} cancelled or released`
                : ""
            }.`}
          </p>
        )}
        {s.status === "active" && view.counts.unpaid > 0 && (
          <p class="mt-2 font-semibold text-red-800" role="status">
            {`${
              view.counts.unpaid === 1
                ? "1 date needs"
                : `${view.counts.unpaid} dates need`
            } ${
              renter ? "your" : "the renter's"
            } payment: the card charge did not go through. See the dates below.`}
          </p>
        )}
        {s.status === "active" && view.counts.documents > 0 && (
          <p class="mt-2 font-semibold text-amber-900" role="status">
            {`${
              view.counts.documents === 1
                ? "1 date waits"
                : `${view.counts.documents} dates wait`
            } for ${
              renter ? "your" : "the renter's"
            } renewed documents before it can be charged.`}
          </p>
        )}
        {s.status === "requested" && (
          <p class="mt-1">
            {renter
              ? "Your card is authorised for the first date and charged only if the host accepts the series."
              : "The renter's card is authorised for the first date; accepting charges it and books every date."}
          </p>
        )}
        {s.ended && (
          <p class="mt-1">
            {`${formatDayTime(s.timeZone, s.ended.at)}.`}
            {s.ended.reason && (
              <>
                {" "}
                <q>{s.ended.reason}</q>
              </>
            )}
          </p>
        )}
        {host && s.status === "requested" && (
          <HostAnswer view={view} form={endForm} />
        )}
        {renter && s.status === "requested" && view.lead && (
          <form
            method="post"
            action={`/bookings/series/${s.id}/withdraw`}
            class="mt-3"
          >
            <button type="submit" class={secondary}>Withdraw request</button>
          </form>
        )}
      </div>
      <div class={card}>
        <h2 class="text-xl font-bold">Dates</h2>
        <ol class="mt-3 space-y-3" data-testid="series-dates">
          {view.dates.map((d) => (
            <li
              key={d.occurrence.n}
              class="rounded-lg border border-stone-200 p-3"
              data-status={d.booking?.status ?? d.occurrence.state}
            >
              <p class="font-semibold">
                {formatTimeRange(
                  s.timeZone,
                  d.occurrence.start,
                  d.occurrence.end,
                )}
              </p>
              <p
                class={d.booking?.charge?.problem
                  ? "text-sm font-semibold text-red-800"
                  : "text-sm"}
              >
                {dateStatus(d, view, now)}
              </p>
              {d.accessCode && (
                <p class="mt-1 text-sm font-semibold">
                  {`Access code: ${d.accessCode}`}
                </p>
              )}
              {d.booking && (
                <p class="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm">
                  <a href={`/bookings/${d.booking.id}`} class={link}>
                    {`Details${d.reference ? ` (${d.reference})` : ""}`}
                  </a>
                  {d.hasReceipt && (
                    <a
                      href={`/bookings/${d.booking.id}/receipt.pdf`}
                      class={link}
                    >
                      Receipt (PDF)
                    </a>
                  )}
                  {d.canPay && (
                    <a href={`/bookings/${d.booking.id}/pay-date`} class={link}>
                      Pay for this date
                    </a>
                  )}
                  {d.canCancel && (
                    <a href={`/bookings/${d.booking.id}/cancel`} class={link}>
                      Cancel this date
                    </a>
                  )}
                </p>
              )}
            </li>
          ))}
        </ol>
        <p class="mt-4">
          <a href={`/bookings/series/${s.id}/calendar.ics`} class={link}>
            Add every date to your calendar
          </a>
        </p>
      </div>
      {renter && s.status === "active" && view.ahead > 0 && (
        <div class={`${card} space-y-2`} data-testid="cancel-rest">
          <h2 class="text-xl font-bold">Cancel the rest</h2>
          <p>
            {`Cancels the ${view.ahead} dates still ahead. Paid dates are refunded under the kitchen's ${
              POLICY_NAMES[k.cancellationPolicy]
            } policy, each as if cancelled on its own; dates not yet charged are simply not charged.`}
          </p>
          <p>
            <a href={`/bookings/series/${s.id}/cancel`} class={secondary}>
              Cancel all future dates
            </a>
          </p>
        </div>
      )}
      {host && s.status === "active" && view.ahead > 0 && (
        <form
          method="post"
          action={`/host/bookings/series/${s.id}/end`}
          class={`${card} space-y-3`}
          data-testid="end-series"
        >
          <h2 class="text-xl font-bold">End this weekly booking</h2>
          <p>
            {`Cancels the ${view.ahead} dates still ahead. The renter gets a full refund of any they have paid; dates not yet charged are not charged.`}
          </p>
          <FormMessage form={endForm} />
          <TextArea
            name="reason"
            label="Why (the renter reads this)"
            hint={upToChars(ANSWER_MAX_CHARS)}
            rows={3}
            maxLength={ANSWER_MAX_CHARS}
            form={endForm}
          />
          <label class="flex items-start gap-2">
            <input
              type="checkbox"
              name="confirm"
              value="yes"
              required
              aria-describedby={endForm.errors.confirm
                ? "end-confirm-error"
                : undefined}
            />
            <span>
              {`Yes, cancel ${
                view.ahead === 1 ? "the date" : `all ${view.ahead} dates`
              } still ahead and refund the renter. This cannot be undone.`}
            </span>
          </label>
          {endForm.errors.confirm && (
            <p
              id="end-confirm-error"
              class="text-sm font-medium text-red-700"
            >
              {endForm.errors.confirm}
            </p>
          )}
          <button type="submit" class={danger}>End the weekly booking</button>
        </form>
      )}
      <p>
        <a href={host ? "/host/bookings" : "/bookings"} class={link}>
          {host ? "All bookings of your kitchens" : "All your bookings"}
        </a>
      </p>
    </section>
  );
}

/** The host's two answers to a weekly request: for the whole series. */
function HostAnswer({ view, form }: { view: SeriesView; form: FormState }) {
  const s = view.series;
  return (
    <div class="mt-4 space-y-4">
      {s.requestMessage && (
        <blockquote class="border-l-4 border-stone-300 pl-3">
          The renter wrote: <q>{s.requestMessage}</q>
        </blockquote>
      )}
      {view.lead?.respondBy && (
        <p class="text-sm text-stone-700">
          {`Answer by ${formatDayTimeZoned(s.timeZone, view.lead.respondBy)}.`}
        </p>
      )}
      <form method="post" action={`/host/bookings/series/${s.id}/accept`}>
        <button type="submit" class={primary}>Accept every date</button>
      </form>
      <form
        method="post"
        action={`/host/bookings/series/${s.id}/decline`}
        class="space-y-2"
      >
        <TextArea
          name="reason"
          label="Reason for declining (optional; the renter reads it)"
          hint={upToChars(ANSWER_MAX_CHARS)}
          rows={2}
          maxLength={ANSWER_MAX_CHARS}
          form={form}
          scope="decline"
        />
        <button type="submit" class={secondary}>Decline the series</button>
      </form>
    </div>
  );
}

/** `/bookings/series/:id/cancel` without JavaScript: what cancelling the rest does, and a last "Yes". */
export function CancelRestPage({ view }: { view: SeriesView }) {
  const s = view.series;
  return (
    <section class="mx-auto max-w-xl space-y-4">
      <h1 class="text-3xl font-extrabold">Cancel all future dates?</h1>
      <p>
        {`${view.kitchen.title}, ${weekdaysText(s.rule.weekdays)}, ${
          formatClockRange(s.rule.start, s.rule.end)
        }: the ${view.ahead} dates still ahead are cancelled.`}
      </p>
      <p>
        {`Paid dates are refunded under the kitchen's ${
          POLICY_NAMES[view.kitchen.cancellationPolicy]
        } policy, each as if cancelled on its own. Dates not yet charged are not charged. This cannot be undone.`}
      </p>
      <div class="flex flex-wrap gap-3">
        <form method="post" action={`/bookings/series/${s.id}/cancel`}>
          <button type="submit" class={danger}>Yes, cancel future dates</button>
        </form>
        <a href={`/bookings/series/${s.id}`} class={secondary}>
          Keep my weekly booking
        </a>
      </div>
    </section>
  );
}

/** Series in a list (the renter's trips, the host's bookings): one card each. */
export function SeriesList(
  { list, host = false, reviewBy = {} }: {
    list: SeriesSummary[];
    host?: boolean;
    /** The renter's dates they may still review, to the end of each window. */
    reviewBy?: Record<string, number>;
  },
) {
  if (list.length === 0) return null;
  return (
    <div data-testid="series-list">
      <h2 class="text-xl font-bold">Weekly bookings</h2>
      <ul class="mt-2 space-y-2">
        {list.map(({ series: s, title, next, ahead, counts }) => (
          <li key={s.id} class={card}>
            <a
              href={host
                ? `/host/bookings/series/${s.id}`
                : `/bookings/series/${s.id}`}
              class={link}
            >
              {`${title}: ${weekdaysText(s.rule.weekdays)}, ${
                formatClockRange(s.rule.start, s.rule.end)
              }`}
            </a>
            <p>
              {seriesLine(s.status, ahead, counts, next, host)}
            </p>
            <ReviewLink series={s} reviewBy={reviewBy} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/** "Review this weekly booking by …", for a date of it the renter may still review. */
function ReviewLink({ series: s, reviewBy }: {
  series: SeriesSummary["series"];
  reviewBy: Record<string, number>;
}) {
  const id = s.occurrences.find((o) =>
    o.bookingId && reviewBy[o.bookingId] !== undefined
  )?.bookingId;
  if (!id) return null;
  return (
    <p class="mt-1">
      <a href={`/bookings/${id}/review`} class={link}>
        Review this weekly booking
      </a>
      {` by ${formatDate(lastReviewDate(reviewBy[id], s.timeZone))}`}
    </p>
  );
}

function seriesLine(
  status: SeriesSummary["series"]["status"],
  ahead: number,
  counts: SeriesSummary["counts"],
  next: Booking | null,
  host: boolean,
): string {
  const nextText = next
    ? ` · next ${formatDayTime(next.timeZone, next.start)}`
    : "";
  switch (status) {
    case "claiming":
    case "held":
      return `Waiting for payment of the first date${nextText}`;
    case "requested":
      return host
        ? `Request: waiting for your answer${nextText}`
        : `Waiting for the host${nextText}`;
    case "active":
      return ahead > 0
        ? `${ahead} ${
          ahead === 1 ? "date" : "dates"
        } ahead${nextText} · ${counts.paid} paid`
        : `Finished · ${counts.paid} paid`;
    case "ended":
      return "Ended";
    case "expired":
      return "Not booked";
    case "declined":
      return "Declined";
  }
}
