import assert from "node:assert/strict";
import { BASE_CSS, extractClassCandidates } from "../../lib/assets/styles.ts";

// The stylesheet holds only classes found in the sources: a class the
// extractor misses is silently unstyled in the browser.
Deno.test("stylesheet: classes are found in plain strings, template text and the strings inside a template's ${…}", () => {
  const cases: [string, string[], string[]][] = [
    ['class="rounded-lg border px-3"', ["rounded-lg", "border", "px-3"], []],
    [
      "cls = 'text-red-700 sm:grid-cols-2'",
      ["text-red-700", "sm:grid-cols-2"],
      [],
    ],
    [
      'class={`${input} ${error ? "border-red-600" : ""}`}',
      ["border-red-600"],
      ["input", "error"],
    ],
    [
      'class={`mt-1 w-full ${bad ? "border-red-600" : "border-stone-300"}`}',
      ["mt-1", "w-full", "border-red-600", "border-stone-300"],
      ["bad"],
    ],
    ["const n = `${count} items`", ["items"], ["count"]],
  ];
  for (const [source, present, absent] of cases) {
    const found = extractClassCandidates(source);
    for (const c of present) assert.ok(found.has(c), `${c} in ${source}`);
    for (const c of absent) assert.ok(!found.has(c), `${c} not in ${source}`);
  }
});

Deno.test("stylesheet: the phone booking bar slides away and never fades (a half-faded button fails contrast)", () => {
  const away = /@keyframes book-bar-away\{[^}]*\}\}/.exec(BASE_CSS)?.[0];
  assert.ok(away, "the bar's keyframes");
  assert.doesNotMatch(away, /opacity/);
  assert.match(away, /transform:translateY\(100%\)/);
});
