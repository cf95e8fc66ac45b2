import assert from "node:assert/strict";
import { z } from "zod";
import { endAfterHours, reviewQuery } from "../../lib/bookings/schema.ts";
import { parseFields } from "../../routes/forms.ts";

const schema = z.object({
  name: z.string().min(1, "Enter a name"),
  tags: z.array(z.enum(["a", "b", "c"])).max(3),
  note: z.string().optional(),
});

Deno.test("forms: repeated keys and key[] become arrays only where the schema has an array", () => {
  const cases: [[string, string][], unknown][] = [
    [[["name", "Ada"], ["tags", "a"], ["tags", "b"]], {
      name: "Ada",
      tags: ["a", "b"],
      note: "",
    }],
    [[["name", "Ada"], ["tags[]", "c"]], {
      name: "Ada",
      tags: ["c"],
      note: "",
    }],
    [[["name", "Ada"], ["name", "Eve"]], { name: "Ada", tags: [], note: "" }],
    [[["name", "Ada"], ["unknown", "x"]], {
      name: "Ada",
      tags: [],
      note: "",
    }],
  ];
  for (const [entries, want] of cases) {
    const read = parseFields(schema, entries);
    assert.ok(read.ok, JSON.stringify(entries));
    assert.deepEqual({ ...read.data, note: read.data.note ?? "" }, want);
  }
  const missing = parseFields(schema, []);
  assert.equal(missing.ok, false);
  assert.equal(missing.form.errors.name, "Enter a name");
  const bad = parseFields(schema, [["name", "Ada"], ["tags", "z"]]);
  assert.equal(bad.ok, false);
  assert.ok(bad.form.errors["tags.0"]);
  // A flood of repeated keys is capped before validation.
  const flood = parseFields(
    schema,
    Array.from({ length: 1000 }, () => ["tags", "a"] as [string, string]),
  );
  assert.equal(flood.ok, false);
});

Deno.test("forms: the review query takes an end, or hours from the start", () => {
  const base = { kitchen: "01ARZ3NDEKTSV4RRFFQ69G5FAV", date: "2026-12-03" };
  const ok: [Record<string, string>, string][] = [
    [{ ...base, start: "10:00", end: "13:00", hours: "" }, "13:00"],
    [{ ...base, start: "10:00", end: "", hours: "3" }, "13:00"],
    [{ ...base, start: "22:00", end: "", hours: "4" }, "02:00"],
    [{ ...base, start: "10:30", end: "", hours: "2.5" }, "13:00"],
  ];
  for (const [q, end] of ok) {
    assert.equal(reviewQuery.parse(q).end, end, JSON.stringify(q));
  }
  for (
    const q of [
      { ...base, start: "10:00", end: "", hours: "" },
      { ...base, start: "10:00", end: "", hours: "1.25" },
      { ...base, start: "10:15", end: "13:00", hours: "" },
    ]
  ) {
    assert.equal(reviewQuery.safeParse(q).success, false, JSON.stringify(q));
  }
  assert.equal(endAfterHours("23:30", 24), "23:30");
});
