import { awaitingAnswer } from "../lib/bookings/dashboard.ts";
import { requestHref } from "./HostDashboard.tsx";
import type { ComponentChildren } from "preact";
import { BookingMessagesCard } from "./MessagesPages.tsx";
import type { BookingReviewsView } from "../lib/reviews/pages.ts";
import type { RatingSummary } from "../lib/reviews/rules.ts";
import { BookingReviews, RenterRating } from "./ReviewPages.tsx";
import type { Booking } from "../lib/bookings/schema.ts";
import type { HostRequestView } from "../lib/compliance/host_request.ts";
import {
  formatDateLong,
  formatDayTimeZoned,
  formatTimeLeft,
  formatTimeRange,
} from "../lib/format.ts";
import { formatCents } from "../lib/money.ts";
import { hostPayoutCents } from "../lib/bookings/earnings.ts";
import { payoutText } from "./BookingStatus.tsx";
import type { Host } from "../lib/hosts/schema.ts";
import { payoutStatusText } from "../lib/hosts/payouts.ts";
import {
  FormMessage,
  type FormState,
  Notice,
  TextArea,
  upToChars,
} from "./Forms.tsx";
import { ANSWER_MAX_CHARS } from "../lib/text.ts";
import type { SeriesSummary } from "../lib/bookings/series_pages.ts";
import { SeriesList } from "./SeriesPages.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const primary =
  "rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";
const secondary = "rounded-lg border border-stone-300 px-4 py-2 font-semibold";

export function PayoutsPage({ host, mode, notice }: {
  host: Host;
  mode: "stripe" | "demo" | "off";
  notice?: string;
}) {
  const ready = host.payout.chargesEnabled && host.payout.payoutsEnabled;
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      {notice && <Notice>{notice}</Notice>}
      <h1 class="text-3xl font-extrabold">Payouts</h1>
      <div class={card}>
        <h2 class="text-xl font-bold">Status</h2>
        <p class="mt-1">{payoutStatusText(host)}</p>
        {host.payout.requirementsDue.length > 0 && (
          <p class="mt-1 text-sm text-stone-600">
            {`Stripe still needs: ${host.payout.requirementsDue.join(", ")}.`}
          </p>
        )}
      </div>
      {mode === "demo" && (
        <p
          role="note"
          class="rounded-lg border-2 border-amber-400 bg-amber-50 p-4 font-semibold text-amber-900"
        >
          Demo payments: no money moves on this site, so payout setup is one
          click. With Stripe keys configured, this step is Stripe Connect.
        </p>
      )}
      {ready && (
        <p>
          <a href="/host/kitchens" class={primary}>
            Continue with your kitchens
          </a>
        </p>
      )}
      {mode !== "off" && !ready && (
        <form method="post" action="/host/payouts">
          <button type="submit" class={primary}>
            {mode === "demo"
              ? "Set up demo payouts"
              : host.payout.accountId
              ? "Continue payout setup with Stripe"
              : "Set up payouts with Stripe"}
          </button>
        </form>
      )}
    </section>
  );
}

const STATUS: Record<Booking["status"], string> = {
  held: "Waiting for the renter's payment",
  requested: "Request: waiting for your answer",
  confirmed: "Confirmed",
  scheduled: "Booked (weekly): the renter is charged 3 days before",
  expired: "Not booked",
  declined: "Declined",
  withdrawn: "Withdrawn by the renter",
  cancelled: "Cancelled",
  completed: "Completed",
};

/** Hours held while Prep checks the renter's documents: not the host's to answer yet. */
const CHECKING_DOCUMENTS =
  "Held while Prep checks the renter's documents; no answer needed yet";

export function HostBookingsPage(
  { bookings, titles, now, notice, series = [] }: {
    bookings: Booking[];
    titles: Record<string, string>;
    now: number;
    notice?: string;
    /** Standing bookings in play: one card each, their dates on their page. */
    series?: SeriesSummary[];
  },
) {
  const listed = new Set(series.map((s) => s.series.id));
  const byKitchen = new Map<string, Booking[]>();
  // What is ahead first, soonest first, then what is past, latest first:
  // a host with months of bookings found today's requests at the bottom.
  const ahead = (b: Booking) => b.end > now;
  for (
    const b of [...bookings].filter((b) =>
      !b.seriesId || !listed.has(b.seriesId)
    ).sort((a, z) =>
      ahead(a) !== ahead(z)
        ? (ahead(a) ? -1 : 1)
        : ahead(a)
        ? a.start - z.start
        : z.start - a.start
    )
  ) {
    byKitchen.set(b.kitchenId, [...(byKitchen.get(b.kitchenId) ?? []), b]);
  }
  return (
    <section class="space-y-8">
      {notice && <Notice>{notice}</Notice>}
      <header class="flex flex-wrap items-baseline justify-between gap-2">
        <h1 class="text-3xl font-extrabold">Bookings of your kitchens</h1>
        <a
          href="/host/payouts"
          class="font-semibold text-emerald-800 underline"
        >
          Payouts
        </a>
      </header>
      <SeriesList list={series} host />
      <AnswerFirst bookings={bookings} titles={titles} now={now} />
      {byKitchen.size === 0 && series.length === 0 && <p>No bookings yet.</p>}
      {[...byKitchen].map(([kitchenId, list]) => (
        <div key={kitchenId}>
          <h2 class="text-xl font-bold">{titles[kitchenId] ?? "Kitchen"}</h2>
          <ul class="mt-2 space-y-2">
            {list.map((b) => (
              <li key={b.id} class={card}>
                <p class="font-semibold">
                  <a
                    href={`/host/bookings/${b.id}`}
                    class="text-emerald-800 underline"
                  >
                    {formatTimeRange(b.timeZone, b.start, b.end)}
                  </a>
                </p>
                <p>
                  {`${
                    b.waitingFor === "documents"
                      ? CHECKING_DOCUMENTS
                      : STATUS[b.status]
                  } · ${payoutText(hostPayoutCents(b))}`}
                </p>
                {b.status === "requested" && b.respondBy !== null &&
                  b.waitingFor !== "documents" && (
                  <div class="mt-3 space-y-2">
                    <p class="text-sm text-stone-700">
                      {`Answer by ${
                        formatDayTimeZoned(b.timeZone, b.respondBy)
                      }.`}
                    </p>
                    <a
                      href={`/host/bookings/${b.id}`}
                      class={`inline-block ${primary}`}
                    >
                      See the request and answer
                    </a>
                  </div>
                )}
                {b.status === "confirmed" && b.start > now && (
                  // Cancelling asks first, on the booking's own page.
                  <p class="mt-3">
                    <a
                      href={`/bookings/${b.id}/cancel`}
                      class={`inline-block ${secondary}`}
                    >
                      {`Cancel (refunds the renter ${
                        formatCents(b.quote.totalChargedCents)
                      })`}
                    </a>
                  </p>
                )}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

/**
 * The requests the host has yet to answer, the first due first, above the
 * kitchens' lists (where each also is, among the rest).
 */
function AnswerFirst({ bookings, titles, now }: {
  bookings: Booking[];
  titles: Record<string, string>;
  now: number;
}) {
  const waiting = awaitingAnswer(bookings, now);
  if (waiting.length === 0) return null;
  return (
    <section aria-labelledby="answer-heading" class={card}>
      <h2 id="answer-heading" class="text-xl font-bold">
        {`Waiting for your answer (${waiting.length})`}
      </h2>
      <ul class="mt-2 space-y-2">
        {waiting.map((b) => (
          <li key={b.id}>
            <a
              href={requestHref(b)}
              class="font-semibold text-emerald-800 underline"
            >
              {`${titles[b.kitchenId] ?? "Kitchen"}: ${
                formatTimeRange(b.timeZone, b.start, b.end)
              }${b.seriesId ? ", weekly" : ""}`}
            </a>
            <p class="text-sm text-stone-700">
              {`Answer by ${formatDayTimeZoned(b.timeZone, b.respondBy!)}.`}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** "3 completed bookings; cancelled 1" */
function recordText(r: HostRequestView["record"]): string {
  const done = r.completed === 0
    ? "No bookings on Prep yet"
    : r.completed === 1
    ? "1 completed booking on Prep"
    : `${r.completed} completed bookings on Prep`;
  const cancelled = r.cancelledByRenter === 0
    ? "none cancelled"
    : r.cancelledByRenter === 1
    ? "cancelled 1"
    : `cancelled ${r.cancelledByRenter}`;
  return r.completed === 0 && r.cancelledByRenter === 0
    ? `${done}.`
    : `${done}; ${cancelled}.`;
}

/**
 * The host's page heading (and title): request wording only while the host
 * still has it to answer; once accepted, or booked outright, it is a booking.
 */
export function hostBookingHeading(
  status: Booking["status"],
  renterName: string,
): string {
  return status === "requested"
    ? `Request from ${renterName}`
    : `Booking by ${renterName}`;
}

/**
 * /host/bookings/:id: a request with what the host may know of the renter
 * before answering it, and the two answers (declining with an optional
 * reason the renter reads).
 */
export function HostRequestPage(
  { view, form, notice, reviewNotice, now, children }: {
    /** With the renter's rating from hosts and the booking's reviews (lib/reviews). */
    view: HostRequestView & {
      renterRating?: RatingSummary;
      reviews?: BookingReviewsView;
    };
    form: FormState;
    notice?: string;
    /** After a review or a response: said with the booking's reviews. */
    reviewNotice?: string;
    now: number;
    /** Blocks under the header (a change of time to answer, MovePages.tsx). */
    children?: ComponentChildren;
  },
) {
  const b = view.booking;
  const r = view.renter;
  const open = b.status === "requested" && (b.respondBy ?? 0) > now;
  const dt = "text-sm font-semibold text-stone-600";
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      {notice && <Notice>{notice}</Notice>}
      <p>
        <a
          href="/host/bookings"
          class="font-semibold text-emerald-800 underline"
        >
          All bookings of your kitchens
        </a>
      </p>
      <header>
        <h1 class="text-3xl font-extrabold">
          {hostBookingHeading(b.status, r.name)}
        </h1>
        <p class="mt-1">
          {`${view.kitchenTitle} · ${
            formatTimeRange(b.timeZone, b.start, b.end)
          } (${b.timeZone})`}
        </p>
        <p class="mt-1 text-sm text-stone-700">
          {`Booking reference ${view.reference} · ${STATUS[b.status]}`}
        </p>
        {b.status === "declined" && b.declineReason && (
          <blockquote
            class="mt-2 border-l-4 border-stone-300 pl-3"
            data-testid="decline-reason"
          >
            You wrote to the renter: <q class="typed-text">{b.declineReason}</q>
          </blockquote>
        )}
      </header>
      {children}
      {open && b.respondBy !== null && (
        <p class={card} data-testid="answer-by">
          {`Answer by ${formatDayTimeZoned(b.timeZone, b.respondBy)} (${
            formatTimeLeft(now, b.respondBy)
          } left), or the request expires and the renter is not charged. Accepting charges the renter ${
            formatCents(b.quote.totalChargedCents)
          }; your payout is ${formatCents(b.quote.hostPayoutCents)}.`}
        </p>
      )}
      <div class={card}>
        <h2 class="text-xl font-bold">About the renter</h2>
        <dl class="mt-2 grid grid-cols-1 gap-x-4 gap-y-1 sm:grid-cols-3">
          <dt class={dt}>Name</dt>
          <dd class="sm:col-span-2">{r.name}</dd>
          <dt class={dt}>Business</dt>
          <dd class="sm:col-span-2">{r.businessName ?? "Not given"}</dd>
          <dt class={dt}>Makes</dt>
          <dd class="sm:col-span-2">{r.makes ?? "Not given"}</dd>
          {view.renterRating && (
            <>
              <dt class={dt}>Rating</dt>
              <dd class="sm:col-span-2">
                <RenterRating summary={view.renterRating} />
              </dd>
            </>
          )}
          <dt class={dt}>On Prep</dt>
          <dd class="sm:col-span-2">
            {`${recordText(view.record)}${
              r.memberSince
                ? ` Member since ${formatDateLong(r.memberSince)}.`
                : ""
            }`}
          </dd>
        </dl>
      </div>
      <div class={card}>
        <h2 class="text-xl font-bold">Documents verified by Prep</h2>
        {view.documents.length === 0
          ? <p class="mt-1">None verified yet.</p>
          : (
            <ul class="mt-2 space-y-1" data-testid="documents">
              {view.documents.map((d) => (
                <li key={d.name}>
                  {`${d.name}, valid until ${formatDateLong(d.expiryDate)}`}
                </li>
              ))}
            </ul>
          )}
      </div>
      <div class={card}>
        <h2 class="text-xl font-bold">Their message</h2>
        {view.message
          ? (
            <p class="mt-1 typed-text" data-testid="message">
              {view.message}
            </p>
          )
          : (
            <p class="mt-1 text-stone-700">
              {b.status === "requested"
                ? "No message with this request."
                : "No message with this booking."}
            </p>
          )}
      </div>
      <BookingMessagesCard bookingId={b.id} asHost />
      {open && (
        <div class={`${card} space-y-4`}>
          <h2 class="text-xl font-bold">Your answer</h2>
          <FormMessage form={form} />
          <form method="post" action={`/host/bookings/${b.id}/accept`}>
            <button type="submit" class={primary}>
              {`Accept and charge ${formatCents(b.quote.totalChargedCents)}`}
            </button>
          </form>
          <form
            method="post"
            action={`/host/bookings/${b.id}/decline`}
            class="space-y-3 border-t border-stone-200 pt-4"
          >
            <TextArea
              name="reason"
              label="Reason for declining (optional)"
              hint={`The renter sees this with your answer. ${
                upToChars(ANSWER_MAX_CHARS)
              }`}
              rows={3}
              maxLength={ANSWER_MAX_CHARS}
              form={form}
            />
            <button
              type="submit"
              class="rounded-lg border border-red-300 px-4 py-2 font-semibold text-red-800"
            >
              Decline
            </button>
          </form>
        </div>
      )}
      {view.reviews && (
        <BookingReviews view={view.reviews} notice={reviewNotice} />
      )}
      {!open && (
        <p class={card}>
          <a
            href={`/bookings/${b.id}`}
            class="font-semibold text-emerald-800 underline"
          >
            See the booking
          </a>
        </p>
      )}
    </section>
  );
}
