import type {
  DocumentFigures,
  ScopeRow,
  StaffFigures,
  WeekFigures,
} from "../lib/compliance/figures.ts";
import { fillRate, waitBucketBounds } from "../lib/compliance/figures.ts";
import { findCity } from "../lib/cities.ts";
import { formatMonthDay } from "../lib/format.ts";
import { formatCents } from "../lib/money.ts";
import { StaffNav } from "./AdminPages.tsx";
import { type Bar, BarChart, percentOf } from "./Charts.tsx";
import { Table, th } from "./Table.tsx";

const link = "font-semibold text-emerald-800 underline";
const card = "rounded-xl border border-stone-200 bg-white p-4";

const count = (n: number) => n.toLocaleString("en-US");
const hours = (minutes: number) =>
  `${(minutes / 60).toLocaleString("en-US", { maximumFractionDigits: 1 })} h`;
export const percentText = (share: number | null) =>
  share === null ? "no open hours" : percentOf(share);

/** "between 4 and 8 hours", "under an hour", "over 14 days". */
export function waitText(bucket: number): string {
  const [from, to] = waitBucketBounds(bucket);
  const h = (n: number) =>
    n >= 48 && n % 24 === 0
      ? `${n / 24} days`
      : n === 1
      ? "an hour"
      : `${n} hours`;
  if (to === null) return `over ${h(from)}`;
  if (from === 0) return `under ${h(to)}`;
  return `between ${h(from).replace(/^an /, "1 ")} and ${h(to)}`;
}

function weekBars(
  weeks: readonly WeekFigures[],
  value: (w: WeekFigures) => number,
): Bar[] {
  return weeks.map((w) => ({
    label: `Week of ${formatMonthDay(w.monday)}`,
    short: formatMonthDay(w.monday),
    value: value(w),
  }));
}

/** "42 in all; the most, 9, in the week of Nov 30." */
function summaryOf(
  weeks: readonly WeekFigures[],
  value: (w: WeekFigures) => number,
  format: (n: number) => string,
): string {
  const total = weeks.reduce((n, w) => n + value(w), 0);
  if (total === 0) return "None in these weeks.";
  const top = weeks.reduce((a, b) => (value(b) > value(a) ? b : a));
  return `${format(total)} in all; the most, ${
    format(value(top))
  }, in the week of ${formatMonthDay(top.monday)}.`;
}

function fillSummary(weeks: readonly WeekFigures[], total: WeekFigures) {
  const rate = fillRate(total);
  if (rate === null) return "No open hours in these weeks.";
  if (total.bookedMinutes === 0) {
    return `None of the ${
      hours(total.openMinutes)
    } open in these weeks was booked.`;
  }
  const withRate = weeks.filter((w) => w.openMinutes > 0);
  const top = withRate.reduce((a, b) =>
    (fillRate(b) ?? 0) > (fillRate(a) ?? 0) ? b : a
  );
  return `${percentText(rate)} over the 12 weeks (${
    hours(total.bookedMinutes)
  } booked of ${hours(total.openMinutes)} open); the highest, ${
    percentText(fillRate(top))
  }, in the week of ${formatMonthDay(top.monday)}.`;
}

function ScopeTitle({ f }: { f: StaffFigures }) {
  const s = f.scope;
  if (s.kind === "all") return null;
  return (
    <nav aria-label="Where these figures are" class="text-sm">
      <ol class="flex flex-wrap gap-x-2">
        <li>
          <a href="/admin/metrics" class={link}>Every city</a>
        </li>
        {s.kind === "city" && (
          <li>
            <span aria-hidden="true">›</span>{" "}
            <span aria-current="page">{s.name}</span>
          </li>
        )}
        {s.kind === "kitchen" && (
          <>
            <li>
              <span aria-hidden="true">›</span>{" "}
              <a href={`/admin/metrics?city=${s.city}`} class={link}>
                {findCity(s.city)?.name ?? "Its city"}
              </a>
            </li>
            <li>
              <span aria-hidden="true">›</span>{" "}
              <span aria-current="page">{s.title}</span>
            </li>
          </>
        )}
      </ol>
    </nav>
  );
}

function Totals({ total }: { total: WeekFigures }) {
  const items: [string, string][] = [
    ["Bookings", count(total.bookings)],
    ["Gross booking value", formatCents(total.grossCents)],
    ["Commission", formatCents(total.commissionCents)],
    ["Refunds", formatCents(total.refundsCents)],
    ["City fees", formatCents(total.cityFeesCents)],
    ["Fill rate", percentText(fillRate(total))],
    ["Cancellations", count(total.cancellations)],
  ];
  return (
    <dl class="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-7">
      {items.map(([k, v]) => (
        <div key={k} class={card}>
          <dt class="text-sm text-stone-700">{k}</dt>
          <dd class="text-xl font-bold tabular-nums">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Charts({ f }: { f: StaffFigures }) {
  const money = (
    id: string,
    title: string,
    value: (w: WeekFigures) => number,
  ) => (
    <BarChart
      id={id}
      title={title}
      summary={summaryOf(f.weeks, value, formatCents)}
      bars={weekBars(f.weeks, value)}
      format={formatCents}
      labelHead="Week"
      valueHead={title}
    />
  );
  return (
    <div class="grid gap-6 md:grid-cols-2">
      <BarChart
        id="chart-bookings"
        title="Bookings"
        summary={summaryOf(f.weeks, (w) => w.bookings, count)}
        bars={weekBars(f.weeks, (w) => w.bookings)}
        format={count}
        labelHead="Week"
        valueHead="Bookings"
      />
      <BarChart
        id="chart-fill"
        title="Fill rate (booked ÷ open hours)"
        summary={fillSummary(f.weeks, f.total)}
        bars={weekBars(f.weeks, (w) => fillRate(w) ?? 0)}
        format={percentOf}
        labelHead="Week"
        valueHead="Fill rate"
      />
      {money("chart-gross", "Gross booking value", (w) => w.grossCents)}
      {money("chart-commission", "Commission", (w) => w.commissionCents)}
      {money("chart-refunds", "Refunds", (w) => w.refundsCents)}
      {money("chart-city-fees", "City fees", (w) => w.cityFeesCents)}
    </div>
  );
}

function Rows(
  { rows, heading, more }: { rows: ScopeRow[]; heading: string; more: number },
) {
  return (
    <section aria-labelledby="rows-heading" class="space-y-2">
      <h2 id="rows-heading" class="text-xl font-bold">{heading}</h2>
      {rows.length === 0
        ? (
          <p class="text-stone-700">
            No kitchens are listed here yet, and none have bookings.
          </p>
        )
        : (
          <Table
            caption={`${heading}, the last 12 weeks`}
            head={[
              "Name",
              "Bookings",
              "Gross",
              "Commission",
              "Refunds",
              "City fees",
              "Fill rate",
            ]}
          >
            {rows.map((r) => (
              <tr key={r.href} class="border-b border-stone-200">
                <td class={th}>
                  <a href={r.href} class={link}>{r.name}</a>
                </td>
                <td class={`${th} tabular-nums`}>{count(r.total.bookings)}</td>
                <td class={`${th} tabular-nums`}>
                  {formatCents(r.total.grossCents)}
                </td>
                <td class={`${th} tabular-nums`}>
                  {formatCents(r.total.commissionCents)}
                </td>
                <td class={`${th} tabular-nums`}>
                  {formatCents(r.total.refundsCents)}
                </td>
                <td class={`${th} tabular-nums`}>
                  {formatCents(r.total.cityFeesCents)}
                </td>
                <td class={`${th} tabular-nums`}>
                  {percentText(fillRate(r.total))}
                </td>
              </tr>
            ))}
          </Table>
        )}
      {more > 0 && (
        <p class="text-sm text-stone-700">
          {`${more} more ${
            more === 1 ? "kitchen counts" : "kitchens count"
          } in the city's figures but ${
            more === 1 ? "is" : "are"
          } not listed here (those with the most bookings come first).`}
        </p>
      )}
    </section>
  );
}

function Documents(
  { d, deadLetters }: { d: DocumentFigures; deadLetters: number },
) {
  const median = d.medianBucket === null
    ? "No decisions in these weeks."
    : `Half of the ${count(d.decided)} decisions came ${
      waitText(d.medianBucket)
    } after the document reached the queue.`;
  const bars: Bar[] = d.waits.map((n, i) => ({
    label: waitText(i).replace(/^./, (c) => c.toUpperCase()),
    short: i === 0 ? "Quickest" : i === d.waits.length - 1 ? "Slowest" : "",
    value: n,
  }));
  return (
    <section aria-labelledby="documents-heading" class="space-y-4">
      <h2 id="documents-heading" class="text-xl font-bold">
        Documents and jobs
      </h2>
      <dl class="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <div class={card}>
          <dt class="text-sm text-stone-700">Waiting for staff now</dt>
          <dd class="text-xl font-bold tabular-nums">{count(d.waiting)}</dd>
        </div>
        <div class={card}>
          <dt class="text-sm text-stone-700">Uploaded in 12 weeks</dt>
          <dd class="text-xl font-bold tabular-nums">{count(d.uploaded)}</dd>
        </div>
        <div class={card}>
          <dt class="text-sm text-stone-700">Median time to a decision</dt>
          <dd class="text-xl font-bold">
            {d.medianBucket === null ? "—" : waitText(d.medianBucket)}
          </dd>
        </div>
        <div class={card}>
          <dt class="text-sm text-stone-700">Failed jobs (dead letters)</dt>
          <dd class="text-xl font-bold tabular-nums">{count(deadLetters)}</dd>
        </div>
      </dl>
      <p class="flex flex-wrap gap-x-6 gap-y-1">
        <a href="/admin/documents" class={link}>Review the documents queue</a>
        <a href="/admin/jobs" class={link}>See failed jobs</a>
      </p>
      <div class="grid gap-6 md:grid-cols-2">
        <BarChart
          id="chart-decisions"
          title="Time to a decision"
          summary={median}
          bars={bars}
          format={count}
          labelHead="Time in the queue"
          valueHead="Decisions"
        />
        <BarChart
          id="chart-decided"
          title="Decisions per week"
          summary={summaryOf(
            d.weeks.map((w) => ({
              ...EMPTY,
              monday: w.monday,
              bookings: w.decided,
            })),
            (w) => w.bookings,
            count,
          )}
          bars={d.weeks.map((w) => ({
            label: `Week of ${formatMonthDay(w.monday)}`,
            short: formatMonthDay(w.monday),
            value: w.decided,
          }))}
          format={count}
          labelHead="Week"
          valueHead="Decisions"
        />
      </div>
    </section>
  );
}

const EMPTY: WeekFigures = {
  monday: "",
  bookings: 0,
  grossCents: 0,
  commissionCents: 0,
  refundsCents: 0,
  cityFeesCents: 0,
  cancellations: 0,
  bookedMinutes: 0,
  openMinutes: 0,
};

/** `/admin/metrics`: the last 12 weeks for every city, a city or a kitchen. */
export function AdminMetricsPage({ f }: { f: StaffFigures }) {
  const s = f.scope;
  const name = s.kind === "all"
    ? "every city"
    : s.kind === "city"
    ? s.name
    : s.title;
  const first = f.weeks[0]?.monday;
  const last = f.weeks.at(-1)?.monday;
  return (
    <section class="space-y-8">
      <StaffNav current="/admin/metrics" />
      <header class="space-y-2">
        <ScopeTitle f={f} />
        <h1 class="text-3xl font-extrabold">{`Figures for ${name}`}</h1>
        <p class="max-w-3xl text-stone-700">
          {`The last 12 weeks, from the week of ${
            first ? formatMonthDay(first) : ""
          } to the week of ${last ? formatMonthDay(last) : ""}. `}
          Bookings, money and hours count in the week of the booked time, on the
          kitchen's calendar; a cancelled booking keeps its place and adds its
          refund. Commission and city fees are after refunds. Fill rate is the
          hours booked and not cancelled, out of the hours kitchens were open by
          their weekly hours and closed dates.
        </p>
        {s.kind !== "kitchen" && (
          <p class="text-sm text-stone-700">
            {`Open hours from ${count(f.kitchensCounted)} ${
              f.kitchensCounted === 1 ? "kitchen" : "kitchens"
            }.`}
          </p>
        )}
      </header>
      <Totals total={f.total} />
      <Charts f={f} />
      {s.kind === "all" && <Rows rows={f.rows} heading="By city" more={0} />}
      {s.kind === "city" && (
        <Rows rows={f.rows} heading="By kitchen" more={f.moreRows} />
      )}
      {s.kind === "kitchen" && (
        <p class="flex flex-wrap gap-x-6 gap-y-1">
          <a href={`/admin/kitchens/${s.id}`} class={link}>
            The kitchen's staff page
          </a>
          <a href={`/kitchens/${s.id}`} class={link}>Its public page</a>
        </p>
      )}
      {f.documents && f.deadLetters !== null && (
        <Documents d={f.documents} deadLetters={f.deadLetters} />
      )}
    </section>
  );
}
