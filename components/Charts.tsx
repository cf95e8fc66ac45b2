/**
 * Charts drawn on the server as SVG: no JavaScript, no inline styles (the
 * CSP allows none), colours as presentation attributes. Each chart is a
 * figure with a heading and a sentence that says what it shows; the
 * drawing is hidden from screen readers, which read the same numbers from
 * a table instead. Labels are HTML beside the drawing, so they keep their
 * size on a phone while the drawing stretches to the width.
 */

export interface Bar {
  /** What the bar is, in words ("Week of Nov 30", "December 2026"). */
  label: string;
  /** A short form under the chart ("Nov 30", "Dec"), for the first and last bars. */
  short: string;
  value: number;
}

const BAR_FILL = "#047857"; // emerald-700
const GRID = "#d6d3d1"; // stone-300

/** A bar per period, scaled to the largest; the table carries every value. */
export function BarChart(
  { id, title, summary, bars, format, labelHead, valueHead }: {
    id: string;
    title: string;
    summary: string;
    bars: readonly Bar[];
    format: (n: number) => string;
    labelHead: string;
    valueHead: string;
  },
) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  const width = Math.max(1, bars.length) * 10;
  return (
    <figure class="min-w-0 space-y-2" aria-labelledby={`${id}-title`}>
      <figcaption class="space-y-1">
        <h3 id={`${id}-title`} class="font-bold">{title}</h3>
        <p class="text-sm text-stone-700">{summary}</p>
      </figcaption>
      <div class="rounded-lg border border-stone-200 bg-white p-3">
        <p class="text-right text-xs text-stone-600" aria-hidden="true">
          {max > 0 ? `Top ${format(max)}` : "Nothing yet"}
        </p>
        <svg
          aria-hidden="true"
          focusable="false"
          viewBox={`0 0 ${width} 100`}
          preserveAspectRatio="none"
          class="block h-28 w-full"
        >
          <line
            x1="0"
            y1="0.5"
            x2={String(width)}
            y2="0.5"
            stroke={GRID}
            stroke-width="1"
            vector-effect="non-scaling-stroke"
          />
          <line
            x1="0"
            y1="99.5"
            x2={String(width)}
            y2="99.5"
            stroke={GRID}
            stroke-width="1"
            vector-effect="non-scaling-stroke"
          />
          {bars.map((b, i) => {
            const h = max > 0 ? (Math.max(0, b.value) / max) * 98 : 0;
            return (
              <rect
                key={b.label}
                x={String(i * 10 + 1.5)}
                y={String(100 - h)}
                width="7"
                height={String(h)}
                fill={BAR_FILL}
              />
            );
          })}
        </svg>
        <p
          class="mt-1 flex justify-between text-xs text-stone-600"
          aria-hidden="true"
        >
          <span>{bars[0]?.short ?? ""}</span>
          <span>{bars.at(-1)?.short ?? ""}</span>
        </p>
      </div>
      <table class="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{labelHead}</th>
            <th scope="col">{valueHead}</th>
          </tr>
        </thead>
        <tbody>
          {bars.map((b) => (
            <tr key={b.label}>
              <th scope="row">{b.label}</th>
              <td>{format(b.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export const WEEKDAYS = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
] as const;

/** "9 AM", "12 PM" for an hour of the day. */
export function hourLabel(hour: number): string {
  const h = hour % 24;
  return `${h % 12 === 0 ? 12 : h % 12} ${h < 12 ? "AM" : "PM"}`;
}

/** Hour labels under a heat map, each placed at its hour (no inline styles). */
const HOUR_MARKS: [number, string][] = [
  [0, "left-0"],
  [6, "left-1/4 -translate-x-1/2"],
  [12, "left-1/2 -translate-x-1/2"],
  [18, "left-3/4 -translate-x-1/2"],
  [24, "right-0"],
];

/** How full a cell is, in five steps; null is closed. */
const SHADES = ["#ecfdf5", "#a7f3d0", "#34d399", "#059669", "#064e3b"];
const CLOSED = "#f5f5f4"; // stone-100

export function shadeOf(share: number | null): string {
  if (share === null) return CLOSED;
  if (share === 0) return SHADES[0];
  return SHADES[Math.min(4, 1 + Math.floor(share * 4 - 1e-9))];
}

/** "23%", or "0.8%" below ten, so a small share does not read as none. */
export function percentOf(share: number): string {
  const p = share * 100;
  return p > 0 && p < 10
    ? `${p.toLocaleString("en-US", { maximumFractionDigits: 1 })}%`
    : `${Math.round(p)}%`;
}
const percent = (share: number) => `${Math.round(share * 100)}%`;

/** Swatches of the heat map's scale, in words. */
function Legend() {
  const steps: [string, string][] = [
    [CLOSED, "Not open in these weeks"],
    [SHADES[0], "Open, never booked"],
    [SHADES[1], "Up to 25%"],
    [SHADES[2], "Up to 50%"],
    [SHADES[3], "Up to 75%"],
    [SHADES[4], "Over 75% booked"],
  ];
  return (
    <ul class="flex flex-wrap gap-x-4 gap-y-1 text-xs text-stone-700">
      {steps.map(([fill, words]) => (
        <li key={words} class="flex items-center gap-1">
          <svg
            aria-hidden="true"
            focusable="false"
            viewBox="0 0 10 10"
            class="h-3 w-3"
          >
            <rect
              x="0.5"
              y="0.5"
              width="9"
              height="9"
              fill={fill}
              stroke={GRID}
            />
          </svg>
          {words}
        </li>
      ))}
    </ul>
  );
}

/**
 * Weekdays down, hours across (on the kitchen's clock), each cell shaded by
 * the share of its open time that was booked. The table says each share.
 */
export function HeatMap(
  { id, title, summary, cells }: {
    id: string;
    title: string;
    summary: string;
    /** 168 shares (Monday 0:00 first), null where closed. */
    cells: readonly (number | null)[];
  },
) {
  return (
    <figure class="min-w-0 space-y-2" aria-labelledby={`${id}-title`}>
      <figcaption class="space-y-1">
        <h3 id={`${id}-title`} class="font-bold">{title}</h3>
        <p class="text-sm text-stone-700">{summary}</p>
      </figcaption>
      <div class="rounded-lg border border-stone-200 bg-white p-3">
        <div class="flex gap-2" aria-hidden="true">
          <ul class="grid h-40 w-8 shrink-0 grid-rows-7 text-xs leading-none text-stone-600">
            {WEEKDAYS.map((d) => (
              <li key={d} class="flex items-center">{d.slice(0, 3)}</li>
            ))}
          </ul>
          <svg
            focusable="false"
            viewBox="0 0 24 7"
            preserveAspectRatio="none"
            class="block h-40 w-full min-w-0 flex-1"
          >
            {heatPaths(cells).map(({ fill, d }) => (
              <path key={fill} fill={fill} d={d} />
            ))}
            <path
              d={HEAT_GRID}
              fill="none"
              stroke="#ffffff"
              stroke-width="1"
              vector-effect="non-scaling-stroke"
            />
          </svg>
        </div>
        <p
          class="relative ml-10 mt-1 h-4 text-xs text-stone-600"
          aria-hidden="true"
        >
          {HOUR_MARKS.map(([h, place]) => (
            <span key={h} class={`absolute whitespace-nowrap ${place}`}>
              {hourLabel(h)}
            </span>
          ))}
        </p>
        <div class="mt-2">
          <Legend />
        </div>
      </div>
      <div class="sr-only">
        <table>
          <caption>{`${title}: share of open time booked`}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {Array.from(
                { length: 24 },
                (_, h) => <th key={h} scope="col">{hourLabel(h)}</th>,
              )}
            </tr>
          </thead>
          <tbody>
            {WEEKDAYS.map((d, day) => (
              <tr key={d}>
                <th scope="row">{d}</th>
                {Array.from({ length: 24 }, (_, h) => {
                  const share = cells[day * 24 + h];
                  return (
                    <td key={h}>
                      {share === null ? "closed" : percent(share)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

/**
 * The heat map's cells as one path per shade, a unit square per cell: a
 * host dashboard draws one map per kitchen, and a <rect> per cell made
 * each map 22 KB of the page (with 168 elements) where this is about 3 KB.
 */
export function heatPaths(
  cells: readonly (number | null)[],
): { fill: string; d: string }[] {
  const byFill = new Map<string, string>();
  cells.forEach((share, i) => {
    const fill = shadeOf(share);
    const square = `M${i % 24} ${Math.floor(i / 24)}h1v1h-1z`;
    byFill.set(fill, (byFill.get(fill) ?? "") + square);
  });
  return [...byFill].map(([fill, d]) => ({ fill, d }));
}

/** White lines between the cells (and round them), a pixel wide at any size. */
const HEAT_GRID = [
  ...Array.from({ length: 25 }, (_, x) => `M${x} 0v7`),
  ...Array.from({ length: 8 }, (_, y) => `M0 ${y}h24`),
].join("");

/** The busiest open cell, as "Saturday 10 AM (75%)", or null when none was booked. */
export function busiestCell(cells: readonly (number | null)[]): string | null {
  let best = -1;
  for (let i = 0; i < cells.length; i++) {
    const s = cells[i];
    if (s !== null && s > 0 && (best === -1 || s > cells[best]!)) best = i;
  }
  if (best === -1) return null;
  return `${WEEKDAYS[Math.floor(best / 24)]} ${hourLabel(best % 24)} (${
    percent(cells[best]!)
  })`;
}
