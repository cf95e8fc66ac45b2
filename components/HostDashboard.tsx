import { renderToString } from "preact-render-to-string";
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
  type CalendarMonth,
  type EntryKind,
  type MonthDay,
  type MonthGrid,
  monthLabel,
} from "../lib/bookings/month.ts";
import type { Booking } from "../lib/bookings/schema.ts";
import { formatDayTime, formatTime } from "../lib/format.ts";
import { formatCents } from "../lib/money.ts";
import { SuspensionNotice } from "./SuspensionNotice.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const link = "font-semibold text-emerald-800 underline";

const STATUS: Partial<Record<Booking["status"], string>> = {
  requested: "Request: waiting for your answer",
  confirmed: "Confirmed",
  completed: "Completed",
};

function when(b: DashboardBooking): string {
  return `${formatDayTime(b.timeZone, b.start)} – ${
    formatTime(b.timeZone, b.end)
  }`;
}

function BookingLine({ b, titles }: {
  b: DashboardBooking;
  titles: Record<string, string>;
}) {
  return (
    <li class="border-t border-stone-100 py-2 first:border-t-0">
      <p class="font-semibold">{when(b)}</p>
      <p class="text-sm text-stone-700">
        {`${titles[b.kitchenId] ?? "Kitchen"} · ${
          STATUS[b.status] ?? ""
        } · your payout ${formatCents(b.payoutCents)}`}
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
              {`${titles[b.kitchenId] ?? "Kitchen"}: ${when(b)}`}
            </p>
            <p class="text-sm text-amber-900">
              {`Answer by ${
                formatDayTime(b.timeZone, b.respondBy!)
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

const WEEKDAYS = [
  ["Mon", "Monday"],
  ["Tue", "Tuesday"],
  ["Wed", "Wednesday"],
  ["Thu", "Thursday"],
  ["Fri", "Friday"],
  ["Sat", "Saturday"],
  ["Sun", "Sunday"],
] as const;

const KIND_LABEL: Record<EntryKind, string> = {
  booking: "Booked",
  request: "Request",
  hold: "On hold",
};

const KIND_CLASS: Record<EntryKind, string> = {
  booking: "bg-emerald-100 text-emerald-900",
  request: "bg-amber-100 text-amber-900",
  hold: "bg-stone-200 text-stone-800",
};

function Day({ day }: { day: MonthDay | null }) {
  if (!day) return <td class="border border-stone-200 bg-stone-50" />;
  const shade = day.state === "open" ? "bg-white" : "bg-stone-100";
  return (
    <td
      class={`border border-stone-200 p-1 align-top ${shade}`}
      aria-current={day.today ? "date" : undefined}
      data-date={day.date}
    >
      <span
        class={day.today
          ? "rounded-full bg-emerald-700 px-1.5 font-bold text-white"
          : "font-semibold"}
      >
        {String(day.day)}
      </span>
      {day.state === "blackout" && (
        <span class="block text-xs font-semibold text-red-800">Blackout</span>
      )}
      {day.state === "closed" && (
        <span class="block text-xs text-stone-600">Closed</span>
      )}
      {day.state === "open" && (
        <span class="block text-xs text-stone-500">{`Open ${day.hours}`}</span>
      )}
      {day.entries.length > 0 && (
        <ul class="mt-1 space-y-1">
          {day.entries.map((e) => (
            <li class={`rounded px-1 text-xs ${KIND_CLASS[e.kind]}`}>
              {`${e.time} · ${KIND_LABEL[e.kind]}`}
            </li>
          ))}
        </ul>
      )}
    </td>
  );
}

function Grid({ grid, label }: { grid: MonthGrid; label: string }) {
  return (
    <div class="overflow-x-auto">
      <table class="w-full min-w-[40rem] table-fixed border-collapse text-sm">
        <caption class="pb-2 text-left">
          <span class="block text-lg font-bold">{grid.title}</span>
          <span class="block text-xs text-stone-600">
            {`${label}, in the kitchen's time (${grid.timeZone})`}
          </span>
        </caption>
        <thead>
          <tr>
            {WEEKDAYS.map(([short, long]) => (
              <th
                scope="col"
                abbr={long}
                class="border border-stone-200 bg-stone-100 p-1 text-xs"
              >
                {short}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.weeks.map((week) => (
            <tr>{week.map((day, i) => <Day key={i} day={day} />)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Every kitchen's grid for one month: the page's and /host/calendar.json's. */
export function MonthGrids({ calendar }: { calendar: CalendarMonth }) {
  return (
    <div class="space-y-6">
      {calendar.grids.length === 0 && <p>You have no kitchens yet.</p>}
      {calendar.grids.map((g) => (
        <Grid key={g.kitchenId} grid={g} label={calendar.label} />
      ))}
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
      {earnings.months.length === 0
        ? <p>No earnings yet.</p>
        : (
          <div class="overflow-x-auto">
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

/** Renders the parts of `d` that do not change from one request to the next. */
export function renderDashboardParts(d: DashboardData): DashboardParts {
  const { grids: _, ...nav } = d.calendar;
  return {
    nav,
    suspended: d.suspended,
    summary: renderToString(<Summary {...d} />),
    grids: renderGrids(d.calendar),
    earnings: renderToString(
      <Earnings
        earnings={d.earnings}
        titles={d.titles}
        older={d.olderEarningMonths}
        truncated={d.truncated}
      />,
    ),
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
  { parts, from }: {
    parts: DashboardParts;
    /** The site's From address, where a suspended kitchen's host writes. */
    from: string;
  },
) {
  return (
    <section class="space-y-8">
      {parts.suspended.map((k) => (
        <SuspensionNotice key={k.id} kitchen={k} from={from} />
      ))}
      <div dangerouslySetInnerHTML={{ __html: parts.summary }} />
      <section id="calendar" aria-labelledby="calendar-heading" class={card}>
        <h2 id="calendar-heading" class="mb-2 text-xl font-bold">Calendar</h2>
        <MonthCalendar nav={parts.nav} gridsId={GRIDS_ID} />
        <div
          id={GRIDS_ID}
          class="mt-4"
          dangerouslySetInnerHTML={{ __html: parts.grids }}
        />
      </section>
      <div dangerouslySetInnerHTML={{ __html: parts.earnings }} />
    </section>
  );
}
