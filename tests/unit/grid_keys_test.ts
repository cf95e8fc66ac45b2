import assert from "node:assert/strict";
import { gridKeyTarget } from "../../lib/islands/grid_keys.ts";

Deno.test("grid keys: arrows move within a grid of 8 buttons, 3 to a row; keys past its edge or of other kinds do nothing", () => {
  const cases: [string, number, number | null][] = [
    ["ArrowRight", 0, 1],
    ["ArrowRight", 2, 3],
    ["ArrowRight", 7, null],
    ["ArrowLeft", 3, 2],
    ["ArrowLeft", 0, null],
    ["ArrowDown", 1, 4],
    ["ArrowDown", 4, 7],
    ["ArrowDown", 5, null],
    ["ArrowUp", 4, 1],
    ["ArrowUp", 2, null],
    ["Home", 5, 0],
    ["End", 1, 7],
    ["Tab", 1, null],
    ["Enter", 1, null],
    [" ", 1, null],
  ];
  for (const [key, at, want] of cases) {
    assert.equal(gridKeyTarget(key, at, 8, 3), want, `${key} from ${at}`);
  }
});
