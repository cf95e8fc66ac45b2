/**
 * Changing a booking's time (issue 19 §7): the Change time page (the
 * kitchen's picker, the booking's own time counting as free), the review
 * of the change with its price difference and what happens next, the demo
 * page to pay the difference, the block on the booking page that says
 * where a change stands, and the host's answer on their booking page.
 */
import type { Assessment } from "../lib/bookings/holds.ts";
import { describeTimes, differenceSentence } from "../lib/bookings/emails.ts";
import type { MoveWindow } from "../lib/bookings/move_rules.ts";
import type { MovePreview } from "../lib/bookings/moves.ts";
import type { BookingView } from "../lib/bookings/pages.ts";
import { REFUND_ARRIVAL } from "../lib/bookings/request_terms.ts";
import type { Booking, PendingMove } from "../lib/bookings/schema.ts";
import type { MovePicker } from "../lib/compliance/move_picker.ts";
import {
  formatDayTime,
  formatDayTimeZoned,
  formatTimeLeft,
  formatTimeRange,
} from "../lib/format.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { formatCents } from "../lib/money.ts";
import AvailabilityPicker from "../islands/AvailabilityPicker.tsx";
import Deadline from "../islands/Deadline.tsx";
import { Receipt } from "./BookingPages.tsx";
import {
  ConditionsToTick,
  FormMessage,
  type FormState,
  SubmitButton,
  TextArea,
  upToChars,
} from "./Forms.tsx";
import { ANSWER_MAX_CHARS } from "../lib/text.ts";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const link = "font-semibold text-emerald-800 underline";
const secondary =
  "rounded-lg border border-stone-300 bg-white px-4 py-2 font-semibold";

/** "Moves at once" or "needs the host": the window in one sentence for the renter. */
export function windowSentence(
  w: Exclude<MoveWindow, { kind: "closed" }>,
  timeZone: string,
): string {
  if (w.kind === "approval") {
    return "It is too late to change the time yourself: the host must approve a new time, and answers within 24 hours (or before the start, if sooner). Until then your booking keeps its time.";
  }
  return w.until === null
    ? "You can move this booking to another free time at this kitchen until it starts."
    : `You can move this booking to another free time at this kitchen until ${
      formatDayTimeZoned(timeZone, w.until)
    }, while cancelling would still refund you in full. After that, the host must approve a new time.`;
}

/** What confirming the change does, in plain words (the review page). */
export function whatHappens(
  w: Exclude<MoveWindow, { kind: "closed" }>,
  differenceCents: number,
): string[] {
  const diff = formatCents(Math.abs(differenceCents));
  if (w.kind === "approval") {
    return [
      "The host must approve this change; they have 24 hours to answer (less if the booking starts sooner). Your booking keeps its current time until they accept, and the new time is held for you meanwhile.",
      differenceCents > 0
        ? `If they accept, we charge ${diff} to the card you paid with. If that does not go through, you get a link to pay it.`
        : differenceCents < 0
        ? `If they accept, ${diff} is refunded to your card.`
        : "If they accept, the price stays the same.",
    ];
  }
  if (differenceCents > 0) {
    return [
      `We charge ${diff} to the card you paid with and move your booking at once.`,
      "If your bank declines it or asks to confirm the payment, you get a link to pay the difference within 35 minutes; the new time is held for you meanwhile, and your booking keeps its current time until it is paid.",
    ];
  }
  return [
    differenceCents < 0
      ? `Your booking moves at once, and ${diff} is refunded to your card; refunds reach the card in ${REFUND_ARRIVAL}.`
      : "Your booking moves at once. The price stays the same.",
    "The old time is released for others to book.",
  ];
}

/** /bookings/:id/change: pick a new time at the same kitchen. */
export function ChangeTimePage(
  { data, form }: { data: MovePicker; form: FormState },
) {
  const b = data.booking;
  const k = data.kitchen;
  const w = data.window;
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <p>
        <a href={`/bookings/${b.id}`} class={link}>Back to the booking</a>
      </p>
      <header>
        <h1 class="text-3xl font-extrabold">Change the time</h1>
        <p class="mt-1">
          {`${k.title} · now ${
            formatTimeRange(b.timeZone, b.start, b.end)
          } (${b.timeZone})`}
        </p>
        <p class="mt-1 text-sm text-stone-700">
          {`Booking reference ${data.reference}`}
        </p>
      </header>
      <FormMessage form={form} />
      {w.kind === "closed"
        ? (
          <div class={card} role="status" data-testid="move-closed">
            <h2 class="text-xl font-bold">This booking's time cannot change</h2>
            <p class="mt-1">{w.reason}</p>
            <p class="mt-3">
              <a href={`/bookings/${b.id}`} class={link}>
                Go to the booking
              </a>
            </p>
          </div>
        )
        : (
          <>
            <p class={card} data-testid="move-window">
              {windowSentence(w, b.timeZone)}
            </p>
            <div id="book">
              <AvailabilityPicker
                kitchenId={k.id}
                kitchenTitle={k.title}
                today={data.today}
                lastDate={data.lastDate}
                minHours={k.minHours}
                note={data.note}
                move={{ bookingId: b.id }}
                {...data.picker}
              />
            </div>
          </>
        )}
    </section>
  );
}

/** Old and new, side by side: times and totals. */
function ChangeTable(
  { booking: b, start, end, total }: {
    booking: Booking;
    start: number;
    end: number;
    total: number;
  },
) {
  const diff = total - b.quote.totalChargedCents;
  return (
    <table class="w-full text-left" data-testid="change">
      <caption class="sr-only">The change</caption>
      <thead>
        <tr class="border-b border-stone-200 text-sm text-stone-600">
          <th scope="col" class="py-1 font-semibold"></th>
          <th scope="col" class="py-1 font-semibold">Time</th>
          <th scope="col" class="py-1 text-right font-semibold">Total</th>
        </tr>
      </thead>
      <tbody>
        <tr class="border-b border-stone-100">
          <th scope="row" class="py-2 pr-2 font-semibold">Now</th>
          <td class="py-2">{formatTimeRange(b.timeZone, b.start, b.end)}</td>
          <td class="py-2 text-right">
            {formatCents(b.quote.totalChargedCents)}
          </td>
        </tr>
        <tr class="border-b border-stone-100">
          <th scope="row" class="py-2 pr-2 font-semibold">New</th>
          <td class="py-2">{formatTimeRange(b.timeZone, start, end)}</td>
          <td class="py-2 text-right">{formatCents(total)}</td>
        </tr>
        <tr>
          <th scope="row" class="py-2 pr-2 font-bold" colSpan={2}>
            {diff > 0 ? "You pay" : diff < 0 ? "You get back" : "Difference"}
          </th>
          <td class="py-2 text-right font-bold" data-testid="difference">
            {diff === 0 ? "None" : formatCents(Math.abs(diff))}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

/** /bookings/:id/change/review: the change, its price and what happens next. */
export function MoveReviewPage(
  { preview, form }: { preview: MovePreview; form: FormState },
) {
  const { booking: b, kitchen, window: w, ask, assessment } = preview;
  const diff = preview.difference.amountCents;
  const denied = assessment.decision === "DENY";
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <p>
        <a href={`/bookings/${b.id}/change?date=${ask.date}`} class={link}>
          Pick another time
        </a>
      </p>
      <h1 class="text-3xl font-extrabold">Review the change</h1>
      <FormMessage form={form} />
      <div class={card}>
        <h2 class="text-xl font-bold">{kitchen.title}</h2>
        <p class="mt-1 text-sm text-stone-600">
          {`Times in the kitchen's zone (${kitchen.timeZone})`}
        </p>
        <div class="mt-3">
          <ChangeTable
            booking={b}
            start={preview.start}
            end={preview.end}
            total={preview.quote.totalChargedCents}
          />
        </div>
        <details class="mt-3">
          <summary class="cursor-pointer font-semibold">
            The new price, line by line
          </summary>
          <div class="mt-2">
            <Receipt quote={preview.quote} />
          </div>
        </details>
      </div>
      <div class={card} data-testid="what-happens">
        <h2 class="text-xl font-bold">What happens</h2>
        {whatHappens(w, diff).map((p) => <p key={p} class="mt-1">{p}</p>)}
      </div>
      {denied ? <Denied assessment={assessment} /> : (
        <form
          method="post"
          action={`/bookings/${b.id}/change`}
          class={`${card} space-y-4`}
        >
          <input type="hidden" name="date" value={ask.date} />
          <input type="hidden" name="start" value={ask.start} />
          <input type="hidden" name="end" value={ask.end} />
          <ConditionsToTick
            legend="Conditions of the new time"
            conditions={assessment.conditions}
            form={form}
          />
          <div class="flex flex-wrap items-center gap-3">
            <SubmitButton>
              {w.kind === "approval"
                ? "Ask the host for this time"
                : diff > 0
                ? `Pay ${formatCents(diff)} and move`
                : "Move my booking"}
            </SubmitButton>
            <a href={`/bookings/${b.id}`} class={secondary}>
              Keep my current time
            </a>
          </div>
        </form>
      )}
    </section>
  );
}

function Denied({ assessment }: { assessment: Assessment }) {
  return (
    <div
      role="alert"
      class="rounded-lg border-2 border-red-300 bg-red-50 p-4 text-red-900"
    >
      <h2 class="text-xl font-bold">The city's rules do not allow this time</h2>
      <ul class="mt-2 list-disc pl-5">
        {assessment.denies.map((d) => (
          <li key={d.code} data-code={d.code}>{d.message}</li>
        ))}
      </ul>
      <p class="mt-2">Pick another time, or keep your booking as it is.</p>
    </div>
  );
}

function NewTime({ b, move }: { b: Booking; move: PendingMove }) {
  return <strong>{formatTimeRange(b.timeZone, move.start, move.end)}</strong>;
}

function MoveDeadline({ b, move, now }: {
  b: Booking;
  move: PendingMove;
  now: number;
}) {
  return (
    <Deadline
      until={move.deadline}
      timeZone={b.timeZone}
      text={formatDayTimeZoned(b.timeZone, move.deadline)}
      withDay
      left={formatTimeLeft(now, move.deadline)}
    />
  );
}

function KeepTime({ b, move }: { b: Booking; move: PendingMove }) {
  return (
    <form
      method="post"
      action={`/bookings/${b.id}/change/withdraw`}
      class="mt-3"
    >
      <input type="hidden" name="move" value={move.id} />
      <button type="submit" class={secondary}>Keep my current time</button>
    </form>
  );
}

/**
 * On the booking page: a change of time under way and what to do about
 * it, or the way to change the time, and the changes already made.
 */
export function MoveSection(
  { view, notice, now }: { view: BookingView; notice?: string; now: number },
) {
  const b = view.booking;
  const move = b.move;
  const renter = view.viewer === "renter";
  const history = b.moves ?? [];
  const role = notice?.startsWith("move") ? "status" : undefined;
  let pending = null;
  if (move && (b.status === "confirmed")) {
    const diff = formatCents(Math.abs(move.differenceCents));
    pending = (
      <div class={card} role={role} data-testid="move">
        {move.status === "requested" && (
          <>
            <h2 class="text-xl font-bold">
              {renter
                ? "Change of time: waiting for the host"
                : "The renter asks to change the time"}
            </h2>
            <p class="mt-1">
              {renter
                ? "You asked to move this booking to "
                : "New time asked: "}
              <NewTime b={b} move={move} />
              {`. ${differenceSentence(move.differenceCents, false)}`}
            </p>
            <p class="mt-1">
              {"The host has until "}
              <MoveDeadline b={b} move={move} now={now} />
              {" to answer. Until then the booking keeps its time."}
            </p>
            {renter && <KeepTime b={b} move={move} />}
            {view.viewer === "host" && (
              <p class="mt-3">
                <a href={`/host/bookings/${b.id}`} class={link}>
                  Answer the change of time
                </a>
              </p>
            )}
          </>
        )}
        {move.status === "charging" && (
          <>
            <h2 class="text-xl font-bold">Change of time: charging the card</h2>
            <p class="mt-1">
              {`We are charging ${diff} to ${
                renter ? "your" : "the renter's"
              } saved card to move this booking to `}
              <NewTime b={b} move={move} />
              {". This page updates in a moment."}
            </p>
          </>
        )}
        {move.status === "awaiting_payment" && (
          <>
            <h2 class="text-xl font-bold">
              {renter
                ? "Change of time: pay the difference"
                : "Change of time: waiting for the renter's payment"}
            </h2>
            <p class="mt-1">
              {renter
                ? `${
                  move.problem ?? "We could not charge your saved card."
                } Pay ${diff} by `
                : `The renter is paying ${diff} to move this booking to `}
              {renter
                ? <MoveDeadline b={b} move={move} now={now} />
                : <NewTime b={b} move={move} />}
              {renter ? " to move this booking to " : "."}
              {renter && <NewTime b={b} move={move} />}
              {renter && ". Until then it keeps its time."}
            </p>
            {renter && (
              <div class="mt-3 flex flex-wrap items-center gap-3">
                <a
                  href={`/bookings/${b.id}/change/pay`}
                  class="rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
                >
                  {`Pay ${diff}`}
                </a>
              </div>
            )}
            {renter && <KeepTime b={b} move={move} />}
          </>
        )}
      </div>
    );
  }
  const offer = !move && view.move && view.move.kind !== "closed"
    ? view.move
    : null;
  return (
    <>
      {pending}
      {offer && (
        <div class={card} data-testid="change-time">
          <h2 class="text-xl font-bold">Change the time</h2>
          <p class="mt-1">{windowSentence(offer, b.timeZone)}</p>
          <p class="mt-3">
            <a
              href={`/bookings/${b.id}/change`}
              class="inline-block rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
            >
              Change time
            </a>
          </p>
        </div>
      )}
      {history.length > 0 && (
        <div class={card} role={!move ? role : undefined} data-testid="moves">
          <h2 class="text-xl font-bold">Changes of time</h2>
          <ul class="mt-2 space-y-1">
            {history.map((m) => (
              <li key={m.id}>
                {`${formatDayTime(b.timeZone, m.at)}: moved from ${
                  formatTimeRange(b.timeZone, m.fromStart, m.fromEnd)
                } to ${formatTimeRange(b.timeZone, m.toStart, m.toEnd)}${
                  m.byApproval ? ", approved by the host" : ""
                }. ${
                  renter
                    ? differenceSentence(m.differenceCents, true)
                    : m.differenceCents === 0
                    ? "Same price."
                    : m.differenceCents > 0
                    ? `The renter paid ${formatCents(m.differenceCents)} more.`
                    : `The renter got ${formatCents(-m.differenceCents)} back.`
                }`}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

/** /bookings/:id/change/pay in demo mode: pay the difference, nothing charged. */
export function MovePayDemoPage(
  { booking: b, kitchen, move, now }: {
    booking: Booking;
    kitchen: Kitchen;
    move: PendingMove;
    now: number;
  },
) {
  const diff = formatCents(move.differenceCents);
  return (
    <section class="mx-auto max-w-xl space-y-6">
      <p
        role="note"
        class="rounded-lg border-2 border-amber-400 bg-amber-50 p-4 font-semibold text-amber-900"
      >
        Demo checkout: no card is needed and nothing is charged. With Stripe
        keys configured, this step is Stripe Checkout.
      </p>
      <h1 class="text-3xl font-extrabold">Pay the difference</h1>
      <div class={card}>
        <h2 class="text-xl font-bold">{kitchen.title}</h2>
        <p class="mt-1">
          {"Move to "}
          <NewTime b={b} move={move} />
          {` (now ${describeTimes(b)}).`}
        </p>
        <p class="mt-1">
          {"The new time is held for you until "}
          <MoveDeadline b={b} move={move} now={now} />
          {"."}
        </p>
        <p class="mt-3 text-lg font-bold">{`To pay: ${diff}`}</p>
      </div>
      <div class="flex flex-wrap gap-3">
        <form method="post" action={`/bookings/${b.id}/change/pay`}>
          <SubmitButton>{`Pay ${diff} (demo)`}</SubmitButton>
        </form>
        <a href={`/bookings/${b.id}`} class={secondary}>Back to the booking</a>
      </div>
    </section>
  );
}

/** On the host's booking page: a change of time asked, to accept or decline. */
export function HostMoveAnswer(
  { booking: b, form, now }: { booking: Booking; form: FormState; now: number },
) {
  const move = b.move;
  if (!move || move.status !== "requested" || move.deadline <= now) {
    return null;
  }
  return (
    <div class={`${card} space-y-4`} data-testid="move-answer">
      <h2 class="text-xl font-bold">Change of time asked</h2>
      <p>
        {`The renter asks to move this booking from ${
          formatTimeRange(b.timeZone, b.start, b.end)
        } to `}
        <NewTime b={b} move={move} />
        {` (${b.timeZone}).`}
      </p>
      <p>
        {`Your payout would be ${
          formatCents(move.quote.hostPayoutCents)
        } (now ${formatCents(b.quote.hostPayoutCents)}).`}
      </p>
      <p data-testid="move-answer-by">
        {"Answer by "}
        <MoveDeadline b={b} move={move} now={now} />
        {". Unanswered, the booking keeps its time."}
      </p>
      <FormMessage form={form} />
      <form method="post" action={`/host/bookings/${b.id}/move/accept`}>
        <input type="hidden" name="move" value={move.id} />
        <SubmitButton>Accept the new time</SubmitButton>
      </form>
      <form
        method="post"
        action={`/host/bookings/${b.id}/move/decline`}
        class="space-y-3 border-t border-stone-200 pt-4"
      >
        <input type="hidden" name="move" value={move.id} />
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
          Decline the change
        </button>
      </form>
    </div>
  );
}
