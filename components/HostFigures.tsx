import { renderToString } from "preact-render-to-string";
import { asciiHtml } from "../lib/islands/server.ts";
import type { HostFigures } from "../lib/bookings/host_figures.ts";
import { monthLabel } from "../lib/bookings/month.ts";
import { formatMonthDay } from "../lib/format.ts";
import { formatCents } from "../lib/money.ts";
import { BarChart, busiestCell, HeatMap, percentOf } from "./Charts.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";

const hours = (minutes: number) =>
  `${(minutes / 60).toLocaleString("en-US", { maximumFractionDigits: 1 })}`;

function earningsSummary(f: HostFigures): string {
  const total = f.months.reduce((n, m) => n + m.netCents, 0);
  if (total === 0) return "Nothing yet in these 12 months.";
  const top = f.months.reduce((a, b) => (b.netCents > a.netCents ? b : a));
  return `${formatCents(total)} over the 12 months; the most, ${
    formatCents(top.netCents)
  }, in ${monthLabel(top.month)}.`;
}

function heatSummary(k: HostFigures["kitchens"][number]): string {
  if (k.openMinutes === 0 && k.bookedMinutes === 0) {
    return "No open hours in these weeks.";
  }
  const share = k.openMinutes > 0
    ? percentOf(k.bookedMinutes / k.openMinutes)
    : "all";
  const busiest = busiestCell(k.cells);
  return `${hours(k.bookedMinutes)} of ${
    hours(k.openMinutes)
  } open hours booked (${share}).${
    busiest ? ` Busiest: ${busiest}.` : " Nothing booked yet."
  }`;
}

/** The dashboard's charts: monthly earnings and each kitchen's busy hours. */
export function HostFiguresSection({ f }: { f: HostFigures }) {
  return (
    <section aria-labelledby="figures-heading" class={`${card} space-y-6`}>
      <div class="space-y-1">
        <h2 id="figures-heading" class="text-xl font-bold">
          Your figures
        </h2>
        <p class="text-sm text-stone-700">
          What you kept by month of the stay (as in the earnings table), and
          when each kitchen is booked: the share of its open hours taken in the
          12 weeks{" "}
          {`from the week of ${formatMonthDay(f.weeks[0])} to the week of ${
            formatMonthDay(f.weeks[1])
          }`}, by its own clock.
        </p>
      </div>
      <BarChart
        id="chart-earnings"
        title="Net earnings by month"
        summary={earningsSummary(f)}
        bars={f.months.map((m) => ({
          label: monthLabel(m.month),
          short: monthLabel(m.month).replace(/ \d+$/, "").slice(0, 3),
          value: m.netCents,
        }))}
        format={formatCents}
        labelHead="Month"
        valueHead="Net to you"
      />
      {f.kitchens.length === 0
        ? (
          <p class="text-stone-700">
            Once a kitchen is published, its busy hours show here.
          </p>
        )
        : (
          <div class="grid gap-6 lg:grid-cols-2">
            {f.kitchens.map((k) => (
              <HeatMap
                key={k.id}
                id={`heat-${k.id}`}
                title={`When ${k.title} is booked`}
                summary={heatSummary(k)}
                cells={k.cells}
              />
            ))}
          </div>
        )}
      {f.moreKitchens > 0 && (
        <p class="text-sm text-stone-700">
          {`${f.moreKitchens} more ${
            f.moreKitchens === 1 ? "kitchen has" : "kitchens have"
          } no chart here; their bookings are in the tables above.`}
        </p>
      )}
    </section>
  );
}

/** The section's HTML, rendered once and cached with the figures (lib/bookings/host_figures.ts). */
export function renderHostFigures(f: HostFigures): string {
  // ASCII, as the dashboard's other kept parts (renderDashboardParts).
  return asciiHtml(renderToString(<HostFiguresSection f={f} />));
}
