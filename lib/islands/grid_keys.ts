/**
 * Arrow keys over a grid of buttons that is one Tab stop (a roving
 * tabindex, as WAI-ARIA's grid and toolbar patterns have it). Pure, and
 * shipped to the browser: no imports.
 */

/**
 * Where focus goes from button `at` of `count`, laid out `columns` to a
 * row, for `key`: left and right one button (wrapping to the row before or
 * after), up and down a row, Home and End the first and last. Null for any
 * other key, or where the move would leave the grid, so the key does what
 * it otherwise does (the page scrolls at the first and last row).
 */
export function gridKeyTarget(
  key: string,
  at: number,
  count: number,
  columns: number,
): number | null {
  const to = key === "ArrowLeft"
    ? at - 1
    : key === "ArrowRight"
    ? at + 1
    : key === "ArrowUp"
    ? at - columns
    : key === "ArrowDown"
    ? at + columns
    : key === "Home"
    ? 0
    : key === "End"
    ? count - 1
    : null;
  return to === null || to < 0 || to >= count ? null : to;
}
