/** Saved kitchens' pure pieces (issue 18 §12): where a heart's form may lead back to. */
import assert from "node:assert/strict";
import { backPath, saveForm } from "../../lib/saved/schema.ts";

Deno.test("saved: a heart's `back` is a path on this site, and anything else is the list", () => {
  const cases: [string | undefined, string][] = [
    ["/search?city=chicago", "/search?city=chicago"],
    [
      "/search?city=chicago&equipment=deck_oven&equipment=smoker",
      "/search?city=chicago&equipment=deck_oven&equipment=smoker",
    ],
    [
      "/kitchens/01J0000000000000000000000A?date=2026-12-03&start=10:00",
      "/kitchens/01J0000000000000000000000A?date=2026-12-03&start=10:00",
    ],
    [
      "/saved?cursor=01J0000000000000000000000A&notice=removed",
      "/saved?cursor=01J0000000000000000000000A&notice=removed",
    ],
    ["", "/saved"],
    [undefined, "/saved"],
    ["search", "/saved"],
    ["//evil.example/", "/saved"],
    ["/\\evil.example", "/saved"],
    ["https://evil.example/", "/saved"],
    ["javascript:alert(1)", "/saved"],
    ["/a\r\nSet-Cookie: x=1", "/saved"],
    ["/a\u0000b", "/saved"],
    ["/a b", "/saved"],
    [`/search?city=${"x".repeat(600)}`, "/saved"],
  ];
  for (const [input, want] of cases) {
    assert.equal(backPath.parse(input), want, JSON.stringify(input));
  }
  // The form never fails for it: a save is not refused over where to go next.
  assert.deepEqual(saveForm.safeParse({ back: "//evil" }), {
    success: true,
    data: { back: "/saved" },
  });
});
