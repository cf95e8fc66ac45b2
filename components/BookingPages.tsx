import type { ComponentChildren } from "preact";
import { type Assessment, bookingModeOf } from "../lib/bookings/holds.ts";
import type { BookingView, CancelOffer } from "../lib/bookings/pages.ts";
import type { Booking, HoursPick } from "../lib/bookings/schema.ts";
import type { Quote } from "../lib/bookings/pricing.ts";
import {
  REFUND_ARRIVAL,
  REQUEST_TO_BOOK_TERMS,
  REQUEST_TO_BOOK_TITLE,
} from "../lib/bookings/request_terms.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { describePolicy, POLICY_NAMES } from "../lib/kitchens/policy.ts";
import {
  formatDayTime,
  formatDayTimeZoned,
  formatTime,
  formatTimeLeft,
  formatTimeZoned,
} from "../lib/format.ts";
import type { KitchenPage as KitchenPageData } from "../lib/kitchens/pages.ts";
import { pickerDay } from "../lib/kitchens/slot_view.ts";
import { formatCents } from "../lib/money.ts";
import AvailabilityPicker from "../islands/AvailabilityPicker.tsx";
import CancelDialog from "../islands/CancelDialog.tsx";
import Deadline from "../islands/Deadline.tsx";
import {
  FormMessage,
  type FormState,
  SubmitButton,
  TextArea,
} from "./Forms.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const button =
  "rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";

function times(timeZone: string, start: number, end: number): string {
  return `${formatDayTime(timeZone, start)} – ${formatTime(timeZone, end)}`;
}

export function Receipt({ quote }: { quote: Quote }) {
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
          <th scope="row" class="py-2 font-bold">Total</th>
          <td class="py-2 text-right font-bold">
            {formatCents(quote.totalChargedCents)}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

const STATUS_TEXT: Record<Booking["status"], string> = {
  held: "Waiting for payment",
  requested: "Waiting for the host to accept",
  confirmed: "Confirmed",
  expired: "Not booked",
  declined: "Declined by the host",
  withdrawn: "Request withdrawn",
  cancelled: "Cancelled",
  completed: "Completed",
};

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

export function ReviewPage(
  { kitchen, start, end, quote, request: picked, form, assessment, signedIn }: {
    kitchen: Kitchen;
    start: number;
    end: number;
    quote: Quote;
    request: { kitchen: string; date: string; start: string; end: string };
    form: FormState;
    assessment: Assessment;
    signedIn: boolean;
  },
) {
  const denied = assessment.decision === "DENY";
  const request = bookingModeOf(kitchen) === "request";
  const acknowledged = new Set(
    (form.values.acknowledge ?? "").split(",").filter(Boolean),
  );
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <h1 class="text-3xl font-extrabold">Review your booking</h1>
      <FormMessage form={form} />
      {request && <RequestTerms />}
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
              </a>{" "}
              — Prep staff check each one, usually within a working day.
            </p>
          )}
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
          {times(kitchen.timeZone, start, end)}{" "}
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
      </div>
      <form method="post" action="/bookings" class={`${card} space-y-4`}>
        <input type="hidden" name="kitchen" value={picked.kitchen} />
        <input type="hidden" name="date" value={picked.date} />
        <input type="hidden" name="start" value={picked.start} />
        <input type="hidden" name="end" value={picked.end} />
        {assessment.conditions.length > 0 && (
          <fieldset class="space-y-2">
            <legend class="text-xl font-bold">
              Conditions of this booking
            </legend>
            <p class="text-sm text-stone-600">
              The city's rules allow this booking on these conditions. Tick each
              one to confirm you have read it.
            </p>
            {assessment.conditions.map((c) => (
              <label key={c.code} class="flex items-start gap-2">
                <input
                  type="checkbox"
                  name="acknowledge"
                  value={c.code}
                  required
                  checked={acknowledged.has(c.code)}
                />
                <span data-code={c.code}>{c.message}</span>
              </label>
            ))}
            {form.errors.acknowledge && (
              <p class="text-sm font-medium text-red-700">
                {form.errors.acknowledge}
              </p>
            )}
          </fieldset>
        )}
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
        <p class="text-sm text-stone-600">
          {request
            ? "We hold these hours for 35 minutes while you authorise your card, then until the host answers."
            : "We hold these hours for 35 minutes while you pay."}
        </p>
        {denied
          ? (
            <p class="font-semibold text-red-800">
              This booking can't be paid for until the reasons above are
              resolved.
            </p>
          )
          : (
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

/** "Held for you until 3:41 PM CST (34 minutes left)": the hold, counting down with JavaScript. */
function HoldDeadline({ booking: b, now }: { booking: Booking; now: number }) {
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

export function DemoCheckoutPage({ booking, kitchen, now }: {
  booking: Booking;
  kitchen: Kitchen;
  now: number;
}) {
  const request = booking.mode === "request";
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
        {request ? "Authorise your card" : "Pay for your booking"}
      </h1>
      <HoldDeadline booking={booking} now={now} />
      <div class={card}>
        <h2 class="text-xl font-bold">{kitchen.title}</h2>
        <p class="mt-1">
          {times(booking.timeZone, booking.start, booking.end)}
        </p>
        <div class="mt-4">
          <Receipt quote={booking.quote} />
        </div>
      </div>
      {request && <RequestTerms />}
      <div class="flex flex-wrap gap-3">
        <form method="post" action={`/bookings/${booking.id}/pay`}>
          <button type="submit" class={button}>
            {request ? `Authorise ${total} (demo)` : `Pay ${total} (demo)`}
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

/** "If you cancel now you get $180 back (Moderate policy: a full refund until …; 50% after that)." */
export function cancelNowSentence(b: Booking, c: CancelOffer): string {
  const amount = formatCents(c.refundCents);
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
    ? ` until ${formatDayTime(b.timeZone, c.deadline.until)}`
    : "";
  return `If you cancel now you get ${amount} back (${policy}: ${share}${until}${after}).`;
}

/** The question before cancelling, on the page without JavaScript and in the dialog with it. */
function cancelQuestion(
  v: Pick<BookingView, "booking" | "kitchen">,
  c: CancelOffer,
) {
  const b = v.booking;
  const amount = formatCents(c.refundCents);
  const when = times(b.timeZone, b.start, b.end);
  const back = c.by === "host"
    ? `The renter gets ${amount} back to the card they paid with.`
    : `You get ${amount} back to the card you paid with.`;
  return {
    title: "Cancel this booking?",
    paragraphs: [
      `${v.kitchen.title}, ${when}.`,
      c.refundCents > 0
        ? `${back} Refunds reach the card in ${REFUND_ARRIVAL}.`
        : "Nothing is refunded: under the kitchen's policy it is too close to the start.",
      "Cancelling frees the hours for others; it cannot be undone.",
    ],
    confirmLabel: "Yes, cancel booking",
    keepLabel: "Keep my booking",
  };
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
function StatusBlock(
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
          {view.canWithdraw && (
            <form
              method="post"
              action={`/bookings/${b.id}/withdraw`}
              class="mt-3 space-y-1"
            >
              <button
                type="submit"
                class="rounded-lg border border-stone-300 bg-white px-4 py-2 font-semibold"
              >
                Withdraw request
              </button>
              <p class="text-sm text-stone-700">
                The hours are released and so is the authorisation: nothing is
                charged.
              </p>
            </form>
          )}
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
    case "cancelled": {
      const c = b.cancellation!;
      body = (
        <>
          <p class="mt-1">
            {`${cancelledBy(view)} on ${
              formatDayTime(b.timeZone, c.at)
            }. ${c.explanation}`}
          </p>
          <p class="mt-1">
            {c.refundCents > 0
              ? `${renter ? "We refunded" : "The renter was refunded"} ${
                formatCents(c.refundCents)
              } to the card ${
                renter ? "you" : "they"
              } paid with; refunds reach the card in ${REFUND_ARRIVAL}.`
              : "No refund was due under the kitchen's policy."}
          </p>
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
              formatDayTime(b.timeZone, b.updatedAt)
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
              formatDayTime(b.timeZone, b.updatedAt)
            }. The card was not charged, and the authorisation is released.`}
          </p>
          {b.declineReason && (
            <blockquote class="mt-2 border-l-4 border-stone-300 pl-3">
              {`The host wrote: “${b.declineReason}”`}
            </blockquote>
          )}
          {renter && findHours}
        </>
      );
      break;
    case "expired":
      heading = b.mode === "request" && b.note
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

export function BookingPage(
  { notice, confirming, now, ...view }: BookingView & {
    notice?: string;
    confirming: boolean;
    now: number;
  },
) {
  const b = view.booking;
  const { kitchen, cancel } = view;
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <header>
        <h1 class="text-3xl font-extrabold">{kitchen.title}</h1>
        <p class="mt-1">
          {times(b.timeZone, b.start, b.end)}{" "}
          <span class="text-sm text-stone-600">{`(${b.timeZone})`}</span>
        </p>
        <p class="mt-1 text-sm text-stone-700">
          {"Booking reference "}
          <strong class="font-mono" data-testid="reference">
            {view.reference}
          </strong>
        </p>
      </header>
      <StatusBlock
        view={view}
        notice={notice}
        confirming={confirming}
        now={now}
      />
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
      {b.requestMessage && view.viewer !== "renter" && (
        <div class={card}>
          <h2 class="text-xl font-bold">The renter's message</h2>
          <p class="mt-1 whitespace-pre-line">{b.requestMessage}</p>
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
          <Receipt quote={b.quote} />
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

export function TripsPage({ bookings, titles, now }: {
  bookings: Booking[];
  titles: Record<string, string>;
  now: number;
}) {
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
      "Cancelled and not booked",
      bookings.filter((b) =>
        ["cancelled", "expired", "declined", "withdrawn"].includes(b.status)
      ),
    ],
  ];
  return (
    <section class="space-y-8">
      <h1 class="text-3xl font-extrabold">Your bookings</h1>
      {groups.map(([heading, list]) => (
        <div>
          <h2 class="text-xl font-bold">{heading}</h2>
          {list.length === 0
            ? <p class="mt-1 text-stone-600">None.</p>
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
                      {`${times(b.timeZone, b.start, b.end)} · ${
                        STATUS_TEXT[b.status]
                      }`}
                    </p>
                  </li>
                ))}
              </ul>
            )}
        </div>
      ))}
    </section>
  );
}
