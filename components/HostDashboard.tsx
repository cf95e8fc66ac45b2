import { renderToString } from "preact-render-to-string";
import { asciiHtml } from "../lib/islands/server.ts";
import MonthCalendar, {
  type MonthNav,
  type MonthPage,
} from "../islands/MonthCalendar.tsx";
import type {
  DashboardBooking,
  DashboardData,
} from "../lib/bookings/dashboard.ts";
import type { EarningsSummary, Money } from "../lib/bookings/earnings.ts";
import {
  bookedLevel,
  type CalendarMonth,
  daysOf,
  type MonthDay,
  monthLabel,
} from "../lib/bookings/month.ts";
import type { Booking } from "../lib/bookings/schema.ts";
import {
  formatDate,
  formatDayTimeZoned,
  formatTimeRange,
} from "../lib/format.ts";
import { formatCents } from "../lib/money.ts";
import { SuspensionNotice } from "./SuspensionNotice.tsx";
import { Notice } from "./Forms.tsx";
import { payoutText } from "./BookingStatus.tsx";
import type { HostReviewsView } from "../lib/reviews/pages.ts";
import { HostRatings, ReviewsDue } from "./ReviewPages.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const link = "font-semibold text-emerald-800 underline";

const STATUS: Partial<Record<Booking["status"], string>> = {
  requested: "Request: waiting for your answer",
  confirmed: "Confirmed",
  scheduled: "Booked (weekly)",
  completed: "Completed",
};

/** Where a request is answered: a weekly booking's dates all at once, on its page. */
export function requestHref(b: Pick<DashboardBooking, "id" | "seriesId">) {
  return b.seriesId
    ? `/host/bookings/series/${b.seriesId}`
    : `/host/bookings/${b.id}`;
}

function when(b: DashboardBooking): string {
  return formatTimeRange(b.timeZone, b.start, b.end);
}

function BookingLine({ b, titles }: {
  b: DashboardBooking;
  titles: Record<string, string>;
}) {
  return (
    <li class="border-t border-stone-100 py-2 first:border-t-0">
      <p class="font-semibold">
        <a href={`/host/bookings/${b.id}`} class={link}>{when(b)}</a>
        {b.seriesId && (
          <>
            {" · "}
            <a href={`/host/bookings/series/${b.seriesId}`} class={link}>
              {b.moreInSeries
                ? `Weekly booking, ${b.moreInSeries} more ${
                  b.moreInSeries === 1 ? "date" : "dates"
                }`
                : "Weekly booking"}
            </a>
          </>
        )}
      </p>
      <p class="text-sm text-stone-700">
        {`${titles[b.kitchenId] ?? "Kitchen"} · ${
          b.waitingFor === "documents"
            ? "Held while Prep checks the renter's documents"
            : STATUS[b.status] ?? ""
        } · ${payoutText(b.payoutCents)}`}
      </p>
    </li>
  );
}

function Requests({ requests, count, titles }: {
  requests: DashboardBooking[];
  count: number;
  titles: Record<string, string>;
}) {
  return (
    <section aria-labelledby="requests-heading" class={card}>
      <h2 id="requests-heading" class="text-xl font-bold">
        {`Requests waiting for your answer (${count})`}
      </h2>
      <ul class="mt-2">
        {requests.map((b) => (
          <li
            key={b.id}
            class="border-t border-stone-100 py-2 first:border-t-0"
          >
            <p class="font-semibold">
              <a href={requestHref(b)} class={link}>
                {`${titles[b.kitchenId] ?? "Kitchen"}: ${when(b)}${
                  b.seriesId
                    ? `, weekly: ${(b.moreInSeries ?? 0) + 1} dates`
                    : ""
                }`}
              </a>
            </p>
            <p class="text-sm text-amber-900">
              {`Answer by ${
                formatDayTimeZoned(b.timeZone, b.respondBy!)
              }, or the request expires and the renter is not charged.`}
            </p>
          </li>
        ))}
      </ul>
      <p class="mt-3">
        <a href="/host/bookings" class={link}>
          {count > requests.length
            ? `Accept or decline all ${count} requests`
            : "Accept or decline requests"}
        </a>
      </p>
    </section>
  );
}

const WEEKDAY_LETTERS = ["M", "T", "W", "T", "F", "S", "S"];

// Whole class strings (the stylesheet is built from the literals it finds).
const LEVEL_CLASS = [
  "bg-white text-stone-800",
  "bg-emerald-200 text-emerald-950",
  "bg-emerald-400 text-emerald-950",
  "bg-emerald-700 text-white",
] as const;
const CLOSED_CLASS = "bg-stone-200 text-stone-700";
const BLACKOUT_CLASS = "bg-red-100 text-red-900";
const cellBase =
  "h-10 min-w-[1.75rem] border border-stone-200 p-0.5 text-center align-middle text-xs";
const todayCell = "ring-2 ring-inset ring-stone-900";

/** "3h", "2.5h": hours from minutes, in half-hour steps as bookings are. */
function hoursShort(minutes: number): string {
  return `${Math.round(minutes / 30) / 2}h`;
}

function hoursLong(minutes: number): string {
  const h = Math.round(minutes / 30) / 2;
  return `${h} ${h === 1 ? "hour" : "hours"}`;
}

/** What a cell says to a screen reader: the day, then what is booked of it. */
function cellText(day: MonthDay): string {
  const parts = [formatDate(day.date)];
  if (day.state === "blackout") parts.push("closed date");
  else if (day.state === "closed") parts.push("closed");
  else parts.push(`open ${day.hours}`);
  if (day.bookedMinutes > 0) {
    parts.push(`${hoursLong(day.bookedMinutes)} booked`);
  }
  if (day.pendingMinutes > 0) {
    parts.push(`${hoursLong(day.pendingMinutes)} requested or on hold`);
  }
  if (day.weekly) parts.push("part of a weekly booking");
  return parts.join(", ");
}

function DayCell({ day }: { day: MonthDay }) {
  const shade = day.state === "blackout"
    ? BLACKOUT_CLASS
    : day.state === "closed" && day.bookedMinutes === 0
    ? CLOSED_CLASS
    : LEVEL_CLASS[bookedLevel(day)];
  return (
    <td
      class={`${cellBase} ${shade} ${day.today ? todayCell : ""}`}
      data-date={day.date}
      data-booked-minutes={String(day.bookedMinutes)}
    >
      <span class="sr-only">{cellText(day)}</span>
      <span aria-hidden="true" class="block font-semibold leading-tight">
        {day.bookedMinutes > 0
          ? hoursShort(day.bookedMinutes)
          : day.state === "blackout"
          ? "×"
          : ""}
      </span>
      {day.pendingMinutes > 0 && (
        <span
          aria-hidden="true"
          class="block rounded bg-amber-200 px-0.5 leading-tight text-amber-950"
        >
          {`+${hoursShort(day.pendingMinutes)}`}
        </span>
      )}
      {day.weekly && (
        <span aria-hidden="true" class="block leading-none" data-weekly>
          ↻
        </span>
      )}
    </td>
  );
}

/**
 * The month at a glance: a row per kitchen, a cell per day of its own
 * calendar, shaded by how much of the open time is booked; requests and
 * holds show as "+2h". The page's and /host/calendar.json's.
 */
export function MonthGrids({ calendar }: { calendar: CalendarMonth }) {
  if (calendar.grids.length === 0) {
    return (
      <p>No kitchens on the calendar yet: it fills in once one is published.</p>
    );
  }
  const days = daysOf(calendar.grids[0]);
  return (
    <div class="space-y-3">
      <div
        class="relative overflow-x-auto"
        tabIndex={0}
        role="region"
        aria-label={`${calendar.label}, booked hours per kitchen and day`}
      >
        <table class="w-full border-collapse">
          <caption class="sr-only">
            {`${calendar.label}: hours booked per kitchen and day, in each kitchen's own time`}
          </caption>
          <thead>
            <tr>
              <th
                scope="col"
                class="sticky left-0 z-10 min-w-[9rem] border border-stone-200 bg-stone-100 px-2 text-left text-xs md:min-w-[11rem]"
              >
                Kitchen
              </th>
              {days.map((d, i) => (
                <th
                  key={d.date}
                  scope="col"
                  abbr={formatDate(d.date)}
                  aria-current={d.today ? "date" : undefined}
                  class={d.today
                    ? "border border-stone-200 bg-stone-900 p-0.5 text-xs text-white"
                    : "border border-stone-200 bg-stone-100 p-0.5 text-xs"}
                >
                  <span class="block font-normal" aria-hidden="true">
                    {WEEKDAY_LETTERS[
                      (Temporal.PlainDate.from(d.date).dayOfWeek + 6) % 7
                    ]}
                  </span>
                  {String(i + 1)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {calendar.grids.map((g) => (
              <tr key={g.kitchenId}>
                <th
                  scope="row"
                  class="sticky left-0 z-10 border border-stone-200 bg-white px-2 text-left text-sm font-semibold"
                >
                  <a
                    href={`/host/kitchens/${g.kitchenId}/edit/calendar`}
                    class="underline"
                  >
                    {g.title}
                  </a>
                </th>
                {daysOf(g).map((d) => <DayCell key={d.date} day={d} />)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul class="flex flex-wrap gap-x-4 gap-y-1 text-xs text-stone-700">
        <li class="flex items-center gap-1">
          <span class={`inline-block h-3 w-5 border ${LEVEL_CLASS[1]}`} />
          Up to a third of the open hours booked
        </li>
        <li class="flex items-center gap-1">
          <span class={`inline-block h-3 w-5 border ${LEVEL_CLASS[2]}`} />
          Up to two thirds
        </li>
        <li class="flex items-center gap-1">
          <span class={`inline-block h-3 w-5 border ${LEVEL_CLASS[3]}`} />
          More
        </li>
        <li class="flex items-center gap-1">
          <span class="rounded bg-amber-200 px-1 text-amber-950">+2h</span>
          Requested or on hold
        </li>
        <li class="flex items-center gap-1">
          <span aria-hidden="true">↻</span>
          A weekly booking
        </li>
        <li class="flex items-center gap-1">
          <span class={`inline-block h-3 w-5 border ${CLOSED_CLASS}`} />
          Closed that weekday
        </li>
        <li class="flex items-center gap-1">
          <span class={`inline-block w-5 border text-center ${BLACKOUT_CLASS}`}>
            ×
          </span>
          Closed date
        </li>
      </ul>
    </div>
  );
}

const MONEY_COLUMNS: [keyof Money, string][] = [
  ["grossCents", "Gross"],
  ["commissionCents", "Commission"],
  ["refundCents", "Refunds"],
  ["netCents", "Net to you"],
  ["paidOutCents", "Paid out"],
  ["pendingCents", "Pending"],
];

function MoneyCells({ m, strong }: { m: Money; strong?: boolean }) {
  return (
    <>
      {MONEY_COLUMNS.map(([key]) => (
        <td
          key={key}
          class={`px-2 py-1 text-right tabular-nums ${
            strong ? "font-bold" : ""
          }`}
        >
          {formatCents(m[key])}
        </td>
      ))}
    </>
  );
}

function Earnings({ earnings, titles, older, truncated }: {
  earnings: EarningsSummary;
  titles: Record<string, string>;
  older: number;
  truncated: boolean;
}) {
  return (
    <section aria-labelledby="earnings-heading" class={`${card} space-y-3`}>
      <div class="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="earnings-heading" class="text-xl font-bold">Earnings</h2>
        <a href="/host/earnings.csv" class={link} download>
          Download CSV (every booking)
        </a>
      </div>
      <p class="text-sm text-stone-700">
        By the month of each booking's start. Net is what you keep after the
        commission and refunds. It counts as paid out once the stay has ended or
        the booking was cancelled, and as pending while a confirmed stay is
        still ahead. Stripe pays your account on its own schedule.
      </p>
      {earnings.months.length === 0 ? <p>No earnings yet.</p> : (
        <div
          class="relative overflow-x-auto"
          tabIndex={0}
          role="region"
          aria-label="Earnings by month and kitchen"
        >
          <table class="w-full min-w-[40rem] text-sm">
            <caption class="sr-only">Earnings by month and kitchen</caption>
            <thead>
              <tr class="border-b border-stone-300 text-left">
                <th scope="col" class="px-2 py-1">Month and kitchen</th>
                <th scope="col" class="px-2 py-1 text-right">Bookings</th>
                {MONEY_COLUMNS.map(([key, label]) => (
                  <th key={key} scope="col" class="px-2 py-1 text-right">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            {earnings.months.map((m) => (
              <tbody key={m.month} class="border-b border-stone-200">
                <tr class="bg-stone-50">
                  <th scope="row" class="px-2 py-1 text-left font-bold">
                    {monthLabel(m.month)}
                  </th>
                  <td class="px-2 py-1 text-right font-bold tabular-nums">
                    {String(m.lines.reduce((n, l) =>
                      n + l.bookings, 0))}
                  </td>
                  <MoneyCells m={m.total} strong />
                </tr>
                {m.lines.map((l) => (
                  <tr key={l.kitchenId}>
                    <th
                      scope="row"
                      class="px-2 py-1 pl-6 text-left font-normal"
                    >
                      {titles[l.kitchenId] ?? "Kitchen"}
                    </th>
                    <td class="px-2 py-1 text-right tabular-nums">
                      {String(l.bookings)}
                    </td>
                    <MoneyCells m={l} />
                  </tr>
                ))}
              </tbody>
            ))}
            {earnings.months.length > 1 && (
              <tfoot>
                <tr>
                  <th scope="row" class="px-2 py-1 text-left font-bold">
                    {older > 0 ? "All months" : "Total"}
                  </th>
                  <td />
                  <MoneyCells m={earnings.total} strong />
                </tr>
              </tfoot>
            )}
          </table>
        </div>
      )}
      {older > 0 && (
        <p class="text-sm text-stone-600">
          {`${older} older ${
            older === 1 ? "month is" : "months are"
          } in the total and the CSV.`}
        </p>
      )}
      {truncated && (
        <p class="text-sm text-stone-600">
          You have more bookings than the dashboard reads; the oldest are left
          out here.
        </p>
      )}
    </section>
  );
}

/** A host with no published kitchen: the one thing to do next. */
function FirstKitchen({ drafts }: { drafts: number }) {
  return (
    <section
      aria-labelledby="first-kitchen-heading"
      class="rounded-xl border-2 border-emerald-700 bg-emerald-50 p-6"
    >
      <h2 id="first-kitchen-heading" class="text-xl font-bold">
        {drafts > 0 ? "Finish your listing" : "List your first kitchen"}
      </h2>
      <p class="mt-1 text-stone-800">
        {drafts > 0
          ? "Your draft is saved. Finish its sections, get your permits verified and set up payouts, then publish it."
          : "Fill in your kitchen section by section, upload its permits for Prep to verify, set up payouts and publish. Only you see the draft until then."}
      </p>
      <a
        href={drafts > 0 ? "/host/kitchens" : "/host/kitchens/new"}
        class="mt-4 inline-block rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
      >
        {drafts > 0 ? "Continue your listing" : "List your first kitchen"}
      </a>
    </section>
  );
}

function Summary(d: DashboardData) {
  return (
    <div class="space-y-8">
      <header class="flex flex-wrap items-baseline justify-between gap-2">
        <h1 class="text-3xl font-extrabold">Host dashboard</h1>
        <nav aria-label="Host pages" class="flex flex-wrap gap-4">
          <a href="/host/kitchens" class={link}>Your kitchens</a>
          <a href="/host/bookings" class={link}>Bookings and requests</a>
          <a href="/host/payouts" class={link}>Payouts</a>
        </nav>
      </header>
      {Object.keys(d.titles).length === 0 && <FirstKitchen drafts={d.drafts} />}
      {d.requests.length > 0 && (
        <Requests
          requests={d.requests}
          count={d.requestCount}
          titles={d.titles}
        />
      )}
      <div class="grid gap-6 md:grid-cols-2">
        <section aria-labelledby="today-heading" class={card}>
          <h2 id="today-heading" class="text-xl font-bold">Today</h2>
          {d.today.length === 0
            ? <p class="mt-2 text-stone-700">Nothing booked today.</p>
            : (
              <ul class="mt-2">
                {d.today.map((b) => (
                  <BookingLine key={b.id} b={b} titles={d.titles} />
                ))}
              </ul>
            )}
        </section>
        <section aria-labelledby="upcoming-heading" class={card}>
          <h2 id="upcoming-heading" class="text-xl font-bold">Upcoming</h2>
          {d.upcoming.length === 0
            ? <p class="mt-2 text-stone-700">No upcoming bookings.</p>
            : (
              <ul class="mt-2">
                {d.upcoming.map((b) => (
                  <BookingLine key={b.id} b={b} titles={d.titles} />
                ))}
              </ul>
            )}
          {d.moreUpcoming > 0 && (
            <p class="mt-2">
              <a href="/host/bookings" class={link}>
                {`${d.moreUpcoming} more on the bookings page`}
              </a>
            </p>
          )}
        </section>
      </div>
    </div>
  );
}

/**
 * The dashboard's host-specific HTML, rendered once per host and month and
 * cached with its data (lib/bookings/dashboard.ts): a page with hundreds of
 * bookings costs ~0.3 ms of CPU to render, several times the whole budget
 * of a page (DESIGN §10). The calendar's navigation is the island, rendered
 * per request around these parts.
 */
export interface DashboardParts {
  nav: MonthNav;
  /** Kitchens Prep staff suspended: shown above everything, with whom to write to. */
  suspended: DashboardData["suspended"];
  summary: string;
  grids: string;
  earnings: string;
}

/**
 * Renders the parts of `d` that do not change from one request to the next,
 * as ASCII (`asciiHtml`): they are kept, and one dash or arrow in them made
 * the whole dashboard two-byte text, sent at half the speed.
 */
export function renderDashboardParts(d: DashboardData): DashboardParts {
  const { grids: _, ...nav } = d.calendar;
  return {
    nav,
    suspended: d.suspended,
    summary: asciiHtml(renderToString(<Summary {...d} />)),
    grids: asciiHtml(renderGrids(d.calendar)),
    earnings: asciiHtml(renderToString(
      <Earnings
        earnings={d.earnings}
        titles={d.titles}
        older={d.olderEarningMonths}
        truncated={d.truncated}
      />,
    )),
  };
}

/** The grids of a month as HTML, for the page and for the island's swaps. */
export function renderGrids(calendar: CalendarMonth): string {
  return renderToString(<MonthGrids calendar={calendar} />);
}

/** What /host/calendar.json answers for a month: its navigation and grids. */
export function monthPage(calendar: CalendarMonth): MonthPage {
  const { grids: _, ...nav } = calendar;
  return { ...nav, html: renderGrids(calendar) };
}

const GRIDS_ID = "month-grids";

/** `/host`: what needs the host now, what is coming, the calendar and the money. */
export function HostDashboard(
  { parts, support, reviews, figures, notice }: {
    parts: DashboardParts;
    /** A note after a redirect here (the email just confirmed). */
    notice?: string;
    /** Ratings, reviews to write and the newest reviews (lib/reviews). */
    reviews?: HostReviewsView;
    /** Prep's support address (SUPPORT_EMAIL), or null: the contact form. */
    support: string | null;
    /** The charts (components/HostFigures.tsx), rendered and cached apart. */
    figures?: string;
  },
) {
  return (
    <section class="space-y-8">
      {notice && <Notice>{notice}</Notice>}
      {parts.suspended.map((k) => (
        <SuspensionNotice key={k.id} kitchen={k} support={support} />
      ))}
      <div dangerouslySetInnerHTML={{ __html: parts.summary }} />
      {reviews && <ReviewsDue due={reviews.due} />}
      <section id="calendar" aria-labelledby="calendar-heading" class={card}>
        <h2 id="calendar-heading" class="mb-2 text-xl font-bold">Calendar</h2>
        <MonthCalendar nav={parts.nav} gridsId={GRIDS_ID} />
        <div
          id={GRIDS_ID}
          class="mt-4"
          dangerouslySetInnerHTML={{ __html: parts.grids }}
        />
      </section>
      {reviews && <HostRatings view={reviews} />}
      <div dangerouslySetInnerHTML={{ __html: parts.earnings }} />
      {figures && <div dangerouslySetInnerHTML={{ __html: figures }} />}
    </section>
  );
}
