/** lib/bookings/dashboard.ts: the order of requests waiting for the host. */
import assert from "node:assert/strict";
import { byAnswerDue } from "../../lib/bookings/dashboard.ts";

Deno.test("dashboard: requests are listed by when they must be answered, then by their hours", () => {
  const cases: [string, [number, number][], number[]][] = [
    ["due first, first", [[30, 1], [20, 2], [10, 3]], [3, 2, 1]],
    ["due together: earliest hours first", [[10, 9], [10, 2], [10, 5]], [
      2,
      5,
      9,
    ]],
    ["mixed", [[20, 1], [10, 7], [10, 3]], [3, 7, 1]],
  ];
  for (const [what, rows, starts] of cases) {
    const sorted = rows.map(([respondBy, start]) => ({ respondBy, start }))
      .sort(byAnswerDue);
    assert.deepEqual(sorted.map((r) => r.start), starts, what);
  }
});
