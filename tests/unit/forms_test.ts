import assert from "node:assert/strict";
import { z } from "zod";
import { endAfterHours, reviewQuery } from "../../lib/bookings/schema.ts";
import { choicesField, optionalField } from "../../lib/forms.ts";
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

Deno.test("forms: a file field takes the first file sent that is not empty; a file left out is absent and never echoed", () => {
  const upload = z.object({
    alt: z.string(),
    photo: z.file({ error: "Choose a photo to upload" }),
  });
  const empty = new File([], "");
  const first = new File([new Uint8Array([1, 2, 3])], "a.jpg");
  const second = new File([new Uint8Array([4])], "b.jpg");
  const read = parseFields(upload, [
    ["alt", "Range"],
    ["photo", empty],
    ["photo", first],
    ["photo", second],
  ]);
  assert.ok(read.ok);
  assert.equal(read.data.photo, first);
  assert.deepEqual(read.form.values, { alt: "Range" });
  for (
    const entries of [
      [["alt", "Range"]],
      [["alt", "Range"], ["photo", empty]],
      [["alt", "Range"], ["photo", "not a file"]],
    ] as [string, string | File][][]
  ) {
    const missing = parseFields(upload, entries);
    assert.equal(missing.ok, false);
    assert.equal(missing.form.errors.photo, "Choose a photo to upload");
    assert.deepEqual(missing.form.values, { alt: "Range" });
  }
  // A text field never takes a file.
  const text = parseFields(z.object({ alt: z.string().min(1, "Say") }), [
    ["alt", first],
  ]);
  assert.equal(text.ok, false);
});

Deno.test("forms: an intersection reads both sides' fields, and reports both sides' errors", () => {
  const left = z.object({ a: z.string().min(1, "Enter a") });
  const right = z.object({ b: z.array(z.string()).min(1, "Pick b") });
  const read = parseFields(left.and(right), [["a", "x"], ["b", "1"], [
    "b",
    "2",
  ]]);
  assert.ok(read.ok);
  assert.deepEqual(read.data, { a: "x", b: ["1", "2"] });
  const bad = parseFields(left.and(right), []);
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.form.errors, { a: "Enter a", b: "Pick b" });
});

Deno.test("forms: query fields read blank as left out, trimmed; list fields drop blanks and name a wrong value on the field", () => {
  const query = z.object({
    date: optionalField(z.iso.date({ error: "Use a date" })),
    tags: choicesField(["a", "b"] as const, "Unknown tag", 2),
  });
  const cases: [[string, string][], unknown][] = [
    [[["date", ""], ["tags", ""]], { date: undefined, tags: [] }],
    [[["date", " 2026-12-03 "], ["tags", " a "], ["tags", "b"]], {
      date: "2026-12-03",
      tags: ["a", "b"],
    }],
  ];
  for (const [entries, want] of cases) {
    const read = parseFields(query, entries);
    assert.ok(read.ok, JSON.stringify(entries));
    assert.deepEqual(read.data, want);
  }
  const bad = parseFields(query, [["date", "soon"], ["tags", "z"]]);
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.form.errors, {
    date: "Use a date",
    tags: "Unknown tag",
  });
  const many = parseFields(query, [["tags", "a"], ["tags", "b"], [
    "tags",
    "a",
  ]]);
  assert.equal(many.ok, false);
  assert.ok(many.form.errors.tags);
});

Deno.test("forms: routes read input only through routes/forms.ts", async () => {
  // The webhook alone reads its body raw: Stripe signs the bytes as sent.
  const RAW =
    /\bc\.req\.(query|queries|formData|parseBody|json|text|arrayBuffer|blob)\(|\.safeParse\(/;
  const allowed = new Set(["forms.ts", "api/stripe.ts:text"]);
  const found: string[] = [];
  const root = new URL("../../routes/", import.meta.url);
  async function walk(dir: URL, prefix: string) {
    for await (const e of Deno.readDir(dir)) {
      const path = `${prefix}${e.name}`;
      if (e.isDirectory) await walk(new URL(`${e.name}/`, dir), `${path}/`);
      else if (/\.tsx?$/.test(e.name) && !allowed.has(path)) {
        const lines = (await Deno.readTextFile(new URL(e.name, dir))).split(
          "\n",
        );
        lines.forEach((line, i) => {
          const m = RAW.exec(line);
          if (m && !allowed.has(`${path}:${m[1]}`)) {
            found.push(`routes/${path}:${i + 1}`);
          }
        });
      }
    }
  }
  await walk(root, "");
  assert.deepEqual(found, []);
});
