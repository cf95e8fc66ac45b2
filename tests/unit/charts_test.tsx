import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { waitText } from "../../components/AdminMetrics.tsx";
import {
  BarChart,
  busiestCell,
  HeatMap,
  heatPaths,
  hourLabel,
  percentOf,
  shadeOf,
} from "../../components/Charts.tsx";
import { heatCells } from "../../lib/bookings/host_figures.ts";
import {
  fillRate,
  medianBucket,
  totalOf,
  type WeekFigures,
} from "../../lib/compliance/figures.ts";

const bar = (value: number, i: number) => ({
  label: `Week ${i + 1}`,
  short: `W${i + 1}`,
  value,
});

const chart = (values: number[]) =>
  renderToString(
    <BarChart
      id="c"
      title="Bookings"
      summary="A sentence."
      bars={values.map(bar)}
      format={(n) => `${n} booked`}
      labelHead="Week"
      valueHead="Bookings"
    />,
  );

const heights = (html: string) =>
  [...html.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));

Deno.test("charts: a bar chart with nothing in it draws empty bars and says so; its table has every value", () => {
  const empty = chart([0, 0, 0]);
  assert.deepEqual(heights(empty), [0, 0, 0]);
  assert.match(empty, /Nothing yet/);
  assert.match(empty, /<th scope="row">Week 2<\/th><td>0 booked<\/td>/);
  const some = chart([2, 0, 4, 1]);
  assert.deepEqual(heights(some), [49, 0, 98, 24.5]);
  assert.match(some, /Top 4 booked/);
  assert.match(
    some,
    /<svg aria-hidden="true" focusable="false" viewBox="0 0 40 100"/,
  );
  assert.match(some, /<table class="sr-only"><caption>Bookings<\/caption>/);
  assert.equal(some.match(/<th scope="row">/g)?.length, 4);
  assert.match(
    some,
    /<figure class="[^"]*" aria-labelledby="c-title"><figcaption[^>]*><h3 id="c-title"/,
  );
  // A negative value (none should come) draws nothing rather than upside down.
  assert.deepEqual(heights(chart([-3, 3])), [0, 98]);
  assert.doesNotMatch(some, /style=/);
});

Deno.test("charts: a heat map shades each weekday × hour by how booked it was, closed cells apart, and reads as a table", () => {
  const cells: (number | null)[] = Array.from(
    { length: 168 },
    (_, i) => i % 24 < 8 ? null : 0,
  );
  cells[4 * 24 + 10] = 0.5; // Friday 10 AM
  cells[5 * 24 + 9] = 1; // Saturday 9 AM
  const html = renderToString(
    <HeatMap id="h" title="When it is booked" summary="Words." cells={cells} />,
  );
  assert.equal(html.match(/<rect /g)?.length, 6, "legend swatches");
  // Every cell is one unit square in the path of its shade, none twice.
  const squares = new Map<string, string>();
  for (const { fill, d } of heatPaths(cells)) {
    assert.ok(html.includes(`fill="${fill}" d="${d}"`));
    for (const [at] of d.matchAll(/M\d+ \d+(?=h1v1h-1z)/g)) {
      assert.ok(!squares.has(at), at);
      squares.set(at, fill);
    }
  }
  assert.equal(squares.size, 168);
  // White lines round every cell: 25 columns of edges, 8 rows.
  const grid = /<path d="([^"]+)" fill="none" stroke="#ffffff"/.exec(html);
  assert.ok(grid, "the grid path");
  assert.equal(grid[1].match(/M\d+ 0v7/g)?.length, 25);
  assert.equal(grid[1].match(/M0 \d+h24/g)?.length, 8);
  assert.equal(squares.get("M0 0"), shadeOf(null));
  assert.equal(squares.get("M10 4"), shadeOf(0.5));
  assert.equal(squares.get("M9 5"), shadeOf(1));
  assert.equal(squares.get("M23 6"), shadeOf(0));
  assert.match(html, /<th scope="row">Friday<\/th>/);
  assert.match(html, />closed<\/td>/);
  assert.match(html, />50%<\/td>/);
  assert.equal(busiestCell(cells), "Saturday 9 AM (100%)");
  assert.equal(busiestCell(cells.map((c) => (c === null ? null : 0))), null);
  assert.doesNotMatch(html, /style=/);
  const shades: [number | null, number][] = [
    [null, -1],
    [0, 0],
    [0.01, 1],
    [0.25, 1],
    [0.26, 2],
    [0.5, 2],
    [0.75, 3],
    [0.76, 4],
    [1, 4],
  ];
  const order = ["#ecfdf5", "#a7f3d0", "#34d399", "#059669", "#064e3b"];
  for (const [share, step] of shades) {
    assert.equal(
      shadeOf(share),
      step === -1 ? "#f5f5f4" : order[step],
      String(share),
    );
  }
  assert.deepEqual([0, 9, 12, 13, 23, 24].map(hourLabel), [
    "12 AM",
    "9 AM",
    "12 PM",
    "1 PM",
    "11 PM",
    "12 AM",
  ]);
  assert.deepEqual(heatCells([0, 30, 60, 10], [0, 60, 60, 0]), [
    null,
    0.5,
    1,
    1,
  ]);
});

Deno.test("figures: the median decision's bucket, waits in words, small shares, and fill rates only of weeks with open hours", () => {
  assert.equal(medianBucket([0, 0, 0]), null);
  assert.equal(medianBucket([1, 0, 0]), 0);
  assert.equal(medianBucket([1, 1, 5, 1]), 2);
  assert.equal(medianBucket([2, 2, 0, 0]), 0, "an even split takes the lower");
  assert.equal(medianBucket([0, 0, 0, 0, 0, 0, 0, 0, 3]), 8);
  assert.deepEqual([0, 1, 3, 4, 5, 8].map(waitText), [
    "under an hour",
    "between 1 hour and 4 hours",
    "between 8 hours and 24 hours",
    "between 24 hours and 2 days",
    "between 2 days and 3 days",
    "over 14 days",
  ]);
  assert.deepEqual([0, 0.0031, 0.08, 0.1, 0.456, 1].map(percentOf), [
    "0%",
    "0.3%",
    "8%",
    "10%",
    "46%",
    "100%",
  ]);
  const week = (monday: string, booked: number, open: number): WeekFigures => ({
    monday,
    bookings: 1,
    grossCents: 100,
    commissionCents: 15,
    refundsCents: 0,
    cityFeesCents: 0,
    cancellations: 0,
    bookedMinutes: booked,
    openMinutes: open,
  });
  const total = totalOf([
    week("2026-11-16", 120, 0),
    week("2026-11-23", 60, 600),
    week("2026-11-30", 90, 300),
  ]);
  assert.equal(total.bookings, 3);
  assert.equal(total.bookedMinutes, 150, "a week with no open hours adds none");
  assert.equal(fillRate(total), 150 / 900);
  assert.equal(fillRate(week("x", 5, 0)), null);
});
