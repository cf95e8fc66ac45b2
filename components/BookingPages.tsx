import type { ComponentChildren } from "preact";
import { BookingMessagesCard } from "./MessagesPages.tsx";
import { type Assessment, bookingModeOf } from "../lib/bookings/holds.ts";
import type { BookingView, CancelOffer } from "../lib/bookings/pages.ts";
import type { Booking, HoursPick } from "../lib/bookings/schema.ts";
import type { Quote } from "../lib/bookings/pricing.ts";
import {
  REQUEST_TO_BOOK_TERMS,
  REQUEST_TO_BOOK_TITLE,
} from "../lib/bookings/request_terms.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { describePolicy, POLICY_NAMES } from "../lib/kitchens/policy.ts";
import type { KitchenPage as KitchenPageData } from "../lib/kitchens/pages.ts";
import { pickerDay } from "../lib/kitchens/slot_view.ts";
import { formatCents } from "../lib/money.ts";
import { formatDate, formatDayTime, formatTimeRange } from "../lib/format.ts";
import { lastReviewDate } from "../lib/reviews/rules.ts";
import type { Refund } from "../lib/bookings/refunds.ts";
import { paidTotals } from "../lib/bookings/earnings.ts";
import { isLive } from "../lib/bookings/state.ts";
import { weeklyHref } from "../lib/bookings/series_rule.ts";
import AvailabilityPicker from "../islands/AvailabilityPicker.tsx";
import { DocumentNeeds } from "./DocumentStates.tsx";
import {
  AuthoriseOnly,
  DocumentsBeingChecked,
  documentsStatus,
  RequestTheseHours,
  WaitingForDocuments,
} from "./DocumentRequests.tsx";
import CancelDialog from "../islands/CancelDialog.tsx";
import type { MapTiles } from "../lib/place/tiles.ts";
import { StaticMap } from "./StaticMap.tsx";
import type { SeriesSummary } from "../lib/bookings/series_pages.ts";
import { SeriesList } from "./SeriesPages.tsx";
import type { BookingReviewsView } from "../lib/reviews/pages.ts";
import { BookingReviews } from "./ReviewPages.tsx";
import {
  cancelNowSentence,
  cancelQuestion,
  HoldDeadline,
  STATUS_TEXT,
  StatusBlock,
} from "./BookingStatus.tsx";
import {
  ConditionsToTick,
  FormMessage,
  type FormState,
  Notice,
  SubmitButton,
  TextArea,
} from "./Forms.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const button =
  "rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";

export function Receipt(
  { quote, paid }: {
    quote: Quote;
    /** A paid booking's ledger and zone: its refunds follow the total, as on the PDF. */
    paid?: Pick<Booking, "ledger" | "timeZone">;
  },
) {
  const totals = paid ? paidTotals({ ...paid, quote }) : null;
  const refunds = totals?.refunds ?? [];
  return (
    <table class="w-full text-left">
      <caption class="sr-only">Price</caption>
      <tbody>
        {quote.lines.map((l) => (
          <tr class="border-b border-stone-100">
            <th scope="row" class="py-1 font-normal">{l.label}</th>
            <td class="py-1 text-right">{formatCents(l.amountCents)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row" class="py-2 font-bold">
            {paid ? "Total charged" : "Total"}
          </th>
          <td class="py-2 text-right font-bold">
            {formatCents(totals?.chargedCents ?? quote.totalChargedCents)}
          </td>
        </tr>
        {refunds.map((r) => (
          <tr class="border-t border-stone-100">
            <th scope="row" class="py-1 font-normal">
              {`Refund, ${formatDayTime(paid!.timeZone, r.at)}`}
            </th>
            <td class="py-1 text-right">{`-${formatCents(r.amountCents)}`}</td>
          </tr>
        ))}
        {refunds.length > 0 && (
          <tr>
            <th scope="row" class="py-2 font-bold">Paid after refunds</th>
            <td class="py-2 text-right font-bold">
              {formatCents(totals!.paidAfterCents)}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** The request-to-book terms, where a renter decides (review page, payment page). */
export function RequestTerms() {
  return (
    <p
      class="rounded-lg border border-amber-300 bg-amber-50 p-4 text-amber-950"
      data-testid="request-terms"
    >
      {REQUEST_TO_BOOK_TERMS}
    </p>
  );
}

/** The status line; hours waiting for documents say so. */
function statusOf(b: Booking): string {
  return documentsStatus(b) ?? STATUS_TEXT[b.status];
}

export function ReviewPage(
  {
    kitchen,
    start,
    end,
    quote,
    request: picked,
    form,
    assessment,
    signedIn,
    notice,
    cancelNow,
  }: {
    kitchen: Kitchen;
    start: number;
    end: number;
    quote: Quote;
    /** What cancelling right after booking would refund (drafts.ts reviewBooking). */
    cancelNow?: Refund | null;
    request: { kitchen: string; date: string; start: string; end: string };
    form: FormState;
    assessment: Assessment;
    signedIn: boolean;
    notice?: string;
  },
) {
  // Only documents in review stand in the way: the hours can be requested.
  const inReview = assessment.decision === "DENY"
    ? assessment.inReview
    : undefined;
  const denied = assessment.decision === "DENY" && !inReview;
  const conditions = inReview?.conditions ?? assessment.conditions;
  const request = bookingModeOf(kitchen) === "request";
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <h1 class="text-3xl font-extrabold">Review your booking</h1>
      {notice && <Notice>{notice}</Notice>}
      <FormMessage form={form} />
      {request && <RequestTerms />}
      {inReview && (
        <DocumentsBeingChecked
          needs={assessment.documents ?? []}
          mode={bookingModeOf(kitchen)}
        />
      )}
      {denied && (
        <div
          role="alert"
          class="rounded-lg border-2 border-red-300 bg-red-50 p-4 text-red-900"
        >
          <h2 class="text-xl font-bold">
            The city's rules do not allow this booking
          </h2>
          <ul class="mt-2 list-disc pl-5">
            {assessment.denies.map((d) => (
              <li key={d.code} data-code={d.code}>{d.message}</li>
            ))}
          </ul>
          {assessment.denies.some((d) =>
            /^(insurance|training)\./.test(d.code)
          ) && (
            <p class="mt-2">
              <a class="font-semibold underline" href="/account/compliance">
                Add or update your documents
              </a>: Prep staff check each one, usually within a working day.
              This booking waits for you on your documents page.
            </p>
          )}
        </div>
      )}
      {denied && assessment.documents?.some((d) => !d.ok) && (
        <div class={card}>
          <h2 class="text-xl font-bold">Your documents for this booking</h2>
          <div class="mt-3">
            <DocumentNeeds
              needs={assessment.documents}
              label="Documents this booking needs"
            />
          </div>
        </div>
      )}
      {!signedIn && (
        <p class="text-sm text-stone-700">
          Log in to see whether your documents meet this city's rules.
        </p>
      )}
      <div class={card}>
        <h2 class="text-xl font-bold">{kitchen.title}</h2>
        <p class="mt-1">
          {formatTimeRange(kitchen.timeZone, start, end)}{" "}
          <span class="text-sm text-stone-600">
            {`(times in ${kitchen.timeZone})`}
          </span>
        </p>
        <div class="mt-4">
          <Receipt quote={quote} />
        </div>
      </div>
      <div class={card}>
        <h2 class="text-xl font-bold">
          {`Cancellation policy: ${POLICY_NAMES[kitchen.cancellationPolicy]}`}
        </h2>
        <ul class="mt-2 list-disc pl-5">
          {describePolicy(kitchen.cancellationPolicy).map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
        {cancelNow && cancelNow.refundBps < 10_000 && (
          <p class="mt-3 font-semibold" data-testid="cancel-now">
            {cancelNow.refundCents > 0
              ? `These hours start soon: booked now, cancelling would refund ${
                formatCents(cancelNow.refundCents)
              } of ${formatCents(quote.totalChargedCents)}.`
              : "These hours start soon: booked now, cancelling would refund nothing."}
          </p>
        )}
      </div>
      {kitchen.standingBookings && (
        <p data-testid="make-weekly">
          {"Need these hours every week? "}
          <a
            href={weeklyHref(kitchen.id, picked)}
            class="font-semibold text-emerald-800 underline"
          >
            Book them weekly
          </a>
        </p>
      )}
      <form method="post" action="/bookings" class={`${card} space-y-4`}>
        <input type="hidden" name="kitchen" value={picked.kitchen} />
        <input type="hidden" name="date" value={picked.date} />
        <input type="hidden" name="start" value={picked.start} />
        <input type="hidden" name="end" value={picked.end} />
        <ConditionsToTick
          legend="Conditions of this booking"
          intro="The city's rules allow this booking on these conditions. Tick each one to confirm you have read it."
          conditions={conditions}
          form={form}
        />
        <h2 class="text-xl font-bold">House rules</h2>
        <ul class="list-disc pl-5">
          {kitchen.rules.map((r, i) => <li key={i}>{r}</li>)}
        </ul>
        <label class="flex items-start gap-2">
          <input type="checkbox" name="acceptRules" value="yes" required />
          <span>I have read the house rules and will follow them.</span>
        </label>
        {form.errors.acceptRules && (
          <p class="text-sm font-medium text-red-700">
            {form.errors.acceptRules}
          </p>
        )}
        {request && (
          <TextArea
            name="message"
            label="Message to the host (optional)"
            hint="Say what you will make and anything the host should know. The host reads it with your request."
            rows={4}
            form={form}
          />
        )}
        {inReview
          ? <RequestTheseHours mode={bookingModeOf(kitchen)} />
          : (
            <p class="text-sm text-stone-600">
              {request
                ? "We hold these hours for 35 minutes while you authorise your card, then until the host answers."
                : "We hold these hours for 35 minutes while you pay."}
            </p>
          )}
        {denied
          ? (
            <p class="font-semibold text-red-800">
              This booking can't be paid for until the reasons above are
              resolved.
            </p>
          )
          : !inReview && (
            <SubmitButton>
              {request ? REQUEST_TO_BOOK_TITLE : "Continue to payment"}
            </SubmitButton>
          )}
      </form>
    </section>
  );
}

/**
 * The booking form again after the hours picked were refused: why, then the
 * kitchen's picker at the start (and length) that was picked.
 */
export function ChooseHoursPage(
  { data, pick, form }: {
    data: KitchenPageData;
    pick: HoursPick;
    form: FormState;
  },
) {
  const { kitchen } = data;
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <h1 class="text-3xl font-extrabold">Pick other hours</h1>
      <FormMessage form={form} />
      <p>
        <a href={`/kitchens/${kitchen.id}`} class="font-semibold underline">
          {kitchen.title}
        </a>
      </p>
      <AvailabilityPicker
        kitchenId={kitchen.id}
        kitchenTitle={kitchen.title}
        today={data.today}
        lastDate={data.lastDate}
        minHours={kitchen.minHours}
        requestToBook={bookingModeOf(kitchen) === "request"}
        {...pickerDay(kitchen, data.date, data.slots, pick)}
      />
    </section>
  );
}

/**
 * The demo card to pay with: it is saved like a card at Stripe Checkout,
 * and later charges of it (a changed time, a weekly occurrence) go as it
 * says, so the declined and authentication paths can be tried without Stripe.
 */
export function DemoCardChoice() {
  const cards = [
    ["works", "4242 4242 4242 4242", "Works, now and for later charges"],
    [
      "declines",
      "4000 0000 0000 0341",
      "Works now; later charges are declined",
    ],
    [
      "needs_authentication",
      "4000 0027 6000 3184",
      "Works now; later charges need you to confirm with your bank",
    ],
  ] as const;
  return (
    <fieldset class="space-y-2">
      <legend class="font-semibold">Demo card</legend>
      {cards.map(([value, number, what], i) => (
        <label class="flex items-start gap-2" key={value}>
          <input
            type="radio"
            name="card"
            value={value}
            checked={i === 0}
            class="mt-1"
          />
          <span>
            <span class="font-mono">{number}</span>
            <span class="block text-sm text-stone-700">{what}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

export function DemoCheckoutPage({ booking, kitchen, now }: {
  booking: Booking;
  kitchen: Kitchen;
  now: number;
}) {
  const request = booking.mode === "request";
  // Charged later (when the host accepts, or the documents are verified).
  const authorise = request || booking.waitingFor === "documents";
  const total = formatCents(booking.quote.totalChargedCents);
  return (
    <section class="mx-auto max-w-xl space-y-6">
      <p
        role="note"
        class="rounded-lg border-2 border-amber-400 bg-amber-50 p-4 font-semibold text-amber-900"
      >
        Demo checkout: no card is needed and nothing is charged. With Stripe
        keys configured, this step is Stripe Checkout.
      </p>
      <h1 class="text-3xl font-extrabold">
        {authorise ? "Authorise your card" : "Pay for your booking"}
      </h1>
      <HoldDeadline booking={booking} now={now} />
      <div class={card}>
        <h2 class="text-xl font-bold">{kitchen.title}</h2>
        <p class="mt-1">
          {formatTimeRange(booking.timeZone, booking.start, booking.end)}
        </p>
        <div class="mt-4">
          <Receipt quote={booking.quote} />
        </div>
      </div>
      {request && <RequestTerms />}
      {booking.seriesId && (
        <p class="rounded-lg border border-stone-200 bg-white p-4">
          {request
            ? "This is the first date of your weekly booking. Your card is authorised for it now and saved for the rest: if the host accepts the series, each later date is charged to it 3 days before it starts."
            : "This is the first date of your weekly booking. Your card is saved for the rest: each later date is charged to it 3 days before it starts."}
        </p>
      )}
      <AuthoriseOnly booking={booking} />
      <div class="flex flex-wrap gap-3">
        <form
          method="post"
          action={`/bookings/${booking.id}/pay`}
          class="w-full space-y-4"
        >
          <DemoCardChoice />
          <button type="submit" class={button}>
            {authorise ? `Authorise ${total} (demo)` : `Pay ${total} (demo)`}
          </button>
        </form>
        <a
          href={`/kitchens/${kitchen.id}?date=${booking.localDate}`}
          class="rounded-lg border border-stone-300 px-4 py-2 font-semibold"
        >
          Back to the kitchen
        </a>
      </div>
    </section>
  );
}

export function BookingPage(
  {
    notice,
    confirming,
    now,
    tiles,
    reviews,
    reviewNotice,
    children,
    ...view
  }: BookingView & {
    notice?: string;
    confirming: boolean;
    now: number;
    /** The map tiles for the kitchen's static map. */
    tiles?: MapTiles;
    /** The reviews part (lib/reviews), after the stay. */
    reviews?: BookingReviewsView;
    reviewNotice?: string;
    /** Blocks under the status (a change of time, MovePages.tsx). */
    children?: ComponentChildren;
  },
) {
  const b = view.booking;
  const { kitchen, cancel } = view;
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <header>
        <h1 class="text-3xl font-extrabold">{kitchen.title}</h1>
        <p class="mt-1">
          {formatTimeRange(b.timeZone, b.start, b.end)}{" "}
          <span class="text-sm text-stone-600">{`(${b.timeZone})`}</span>
        </p>
        <p class="mt-1 text-sm text-stone-700">
          {"Booking reference "}
          <strong class="font-mono" data-testid="reference">
            {view.reference}
          </strong>
        </p>
        <p class="mt-1 text-sm">
          <a
            href={`/kitchens/${kitchen.id}`}
            class="font-semibold text-emerald-800 underline"
          >
            The kitchen's page
          </a>
          {view.viewer === "renter" ? ": its rules, and booking again" : ""}
        </p>
      </header>
      <StatusBlock
        view={view}
        notice={notice}
        confirming={confirming}
        now={now}
      />
      <WaitingForDocuments booking={b} />
      {b.seriesId && (
        <p class="rounded-lg border border-stone-200 bg-white px-4 py-3">
          {"This date is part of a weekly booking. "}
          <a
            href={view.viewer === "host"
              ? `/host/bookings/series/${b.seriesId}`
              : `/bookings/series/${b.seriesId}`}
            class="font-semibold text-emerald-800 underline"
          >
            See every date
          </a>
        </p>
      )}
      {children}
      {b.status === "confirmed" && (
        <div class={card}>
          <h2 class="text-xl font-bold">Getting in</h2>
          {view.address && (
            <p class="mt-1">
              <span data-testid="address">{view.address.text}</span>
              {" · "}
              <a
                href={view.address.directionsUrl}
                rel="noopener noreferrer"
                target="_blank"
                class="font-semibold text-emerald-800 underline"
              >
                Directions
                <span class="sr-only">(opens a map in a new tab)</span>
              </a>
            </p>
          )}
          <p class="mt-2">
            {view.accessCode
              ? `Access code: ${view.accessCode}`
              : "Your access code appears here 24 hours before the start."}
          </p>
          <p class="mt-3">
            <a
              href={`/bookings/${b.id}/calendar.ics`}
              class="font-semibold text-emerald-800 underline"
            >
              Add to calendar
            </a>
          </p>
        </div>
      )}
      {tiles && (
        <div class={card}>
          <StaticMap
            place={view.place}
            tiles={tiles}
            title={view.place.kind === "exact"
              ? "Where it is"
              : "Where it is, roughly"}
            // Rough for a booking not yet confirmed, or one that never
            // went ahead (cancelled, declined, lapsed, withdrawn).
            roughNote={isLive(b.status)
              ? undefined
              : "This booking did not go ahead, so the exact address is not shown."}
          />
        </div>
      )}
      {view.viewer !== "staff" && (
        <BookingMessagesCard
          bookingId={b.id}
          asHost={view.viewer === "host"}
        />
      )}
      {reviews && <BookingReviews view={reviews} notice={reviewNotice} />}
      {b.requestMessage && view.viewer !== "renter" && (
        <div class={card}>
          <h2 class="text-xl font-bold">The renter's message</h2>
          <p class="mt-1 typed-text">{b.requestMessage}</p>
        </div>
      )}
      {b.compliance && b.compliance.conditions.length > 0 && (
        <div class={card}>
          <h2 class="text-xl font-bold">Conditions you agreed to</h2>
          <ul class="mt-2 list-disc pl-5">
            {b.compliance.conditions.map((c) => (
              <li key={c.code}>{c.message}</li>
            ))}
          </ul>
        </div>
      )}
      <div class={card}>
        <h2 class="text-xl font-bold">
          {view.hasReceipt ? "Receipt" : "Price"}
        </h2>
        <div class="mt-2">
          <Receipt quote={b.quote} paid={view.hasReceipt ? b : undefined} />
        </div>
        {view.hasReceipt && (
          <p class="mt-3">
            <a
              href={`/bookings/${b.id}/receipt.pdf`}
              class="font-semibold text-emerald-800 underline"
            >
              Download the receipt (PDF)
            </a>
          </p>
        )}
      </div>
      {cancel && (
        <div class={`${card} space-y-3`} data-testid="cancel">
          <h2 class="text-xl font-bold">Cancel this booking</h2>
          <p>{cancelNowSentence(b, cancel)}</p>
          <div>
            <CancelDialog
              href={`/bookings/${b.id}/cancel`}
              action={`/bookings/${b.id}/cancel`}
              label="Cancel booking"
              {...cancelQuestion(view, cancel)}
            />
          </div>
        </div>
      )}
    </section>
  );
}

/** The cancel button's page without JavaScript: the same question the dialog asks. */
export function CancelBookingPage(
  view: BookingView & { cancel: CancelOffer },
) {
  const q = cancelQuestion(view, view.cancel);
  const b = view.booking;
  return (
    <section class="mx-auto max-w-xl space-y-4">
      <h1 class="text-3xl font-extrabold">{q.title}</h1>
      {q.paragraphs.map((p) => <p key={p}>{p}</p>)}
      <div class="flex flex-wrap gap-3">
        <form method="post" action={`/bookings/${b.id}/cancel`}>
          <button
            type="submit"
            class="rounded-lg bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800"
          >
            {q.confirmLabel}
          </button>
        </form>
        <a
          href={`/bookings/${b.id}`}
          class="rounded-lg border border-stone-300 px-4 py-2 font-semibold"
        >
          {q.keepLabel}
        </a>
      </div>
    </section>
  );
}

export function TripsPage(
  { bookings: all, titles, now, series = [], reviewBy = {} }: {
    bookings: Booking[];
    titles: Record<string, string>;
    now: number;
    /** Past bookings the renter may still review, to the end of each window. */
    reviewBy?: Record<string, number>;
    /** Standing bookings: listed as one card each, their dates on their page. */
    series?: SeriesSummary[];
  },
) {
  const bookings = all.filter((b) => !b.seriesId);
  // Weekly dates are listed on their series' cards, not under Upcoming.
  const weeklyAhead = series.some((s) => s.next !== null);
  const groups: [string, Booking[]][] = [
    [
      "Upcoming",
      bookings.filter((b) =>
        ["held", "requested", "confirmed"].includes(b.status) && b.end > now
      ).reverse(),
    ],
    [
      "Past",
      bookings.filter((b) =>
        b.status === "completed" || (b.status === "confirmed" && b.end <= now)
      ),
    ],
    [
      "Cancelled or not booked",
      bookings.filter((b) =>
        ["cancelled", "expired", "declined", "withdrawn"].includes(b.status)
      ),
    ],
  ];
  return (
    <section class="space-y-8">
      <h1 class="text-3xl font-extrabold">Your bookings</h1>
      <SeriesList list={series} reviewBy={reviewBy} />
      {groups.map(([heading, list]) => (
        <div>
          <h2 class="text-xl font-bold">{heading}</h2>
          {list.length === 0
            ? (
              <p class="mt-1 text-stone-600">
                {heading === "Upcoming" && weeklyAhead
                  ? "None besides your weekly bookings above."
                  : "None."}
              </p>
            )
            : (
              <ul class="mt-2 space-y-2">
                {list.map((b) => (
                  <li class={card}>
                    <a
                      href={`/bookings/${b.id}`}
                      class="font-semibold text-emerald-800 underline"
                    >
                      {titles[b.kitchenId] ?? "Kitchen"}
                    </a>
                    <p>
                      {`${formatTimeRange(b.timeZone, b.start, b.end)} · ${
                        statusOf(b)
                      }`}
                    </p>
                    {reviewBy[b.id] !== undefined && (
                      <p class="mt-1">
                        <a
                          href={`/bookings/${b.id}/review`}
                          class="font-semibold text-emerald-800 underline"
                        >
                          Review this booking
                        </a>
                        {` by ${
                          formatDate(
                            lastReviewDate(reviewBy[b.id], b.timeZone),
                          )
                        }`}
                      </p>
                    )}
                  </li>
                ))}
              </ul>
            )}
        </div>
      ))}
    </section>
  );
}

/**
 * The demo checkout for a standing booking's date whose off-session charge
 * failed (lib/payments/occurrences.ts): pay it now, with the demo card the
 * later dates are then charged to.
 */
export function DatePayPage({ booking, kitchen }: {
  booking: Booking;
  kitchen: Kitchen;
}) {
  const total = formatCents(booking.quote.totalChargedCents);
  return (
    <section class="mx-auto max-w-xl space-y-6">
      <p
        role="note"
        class="rounded-lg border-2 border-amber-400 bg-amber-50 p-4 font-semibold text-amber-900"
      >
        Demo checkout: no card is needed and nothing is charged. With Stripe
        keys configured, this step is Stripe Checkout.
      </p>
      <h1 class="text-3xl font-extrabold">Pay for this date</h1>
      {booking.charge?.problemText && (
        <p>
          {`We could not charge your saved card: ${booking.charge.problemText}`}
        </p>
      )}
      <div class={card}>
        <h2 class="text-xl font-bold">{kitchen.title}</h2>
        <p class="mt-1">
          {formatTimeRange(booking.timeZone, booking.start, booking.end)}
        </p>
        <div class="mt-4">
          <Receipt quote={booking.quote} />
        </div>
      </div>
      <form
        method="post"
        action={`/bookings/${booking.id}/pay-date`}
        class="space-y-4"
      >
        <DemoCardChoice />
        <p class="text-sm text-stone-700">
          The card you pay with now is the one your later dates are charged to.
        </p>
        <button type="submit" class={button}>{`Pay ${total} (demo)`}</button>
      </form>
      <p>
        <a
          href={`/bookings/${booking.id}`}
          class="font-semibold text-emerald-800 underline"
        >
          Back to the booking
        </a>
      </p>
    </section>
  );
}
