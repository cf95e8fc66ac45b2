const usd = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
});
const usdWhole = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 0,
});

// Intl formatting showed in page profiles, and a catalogue has few distinct
// prices and fees: each amount is formatted once.
const MAX_AMOUNTS = 10_000;
const formatted = new Map<number, string>();

/** "$45" for whole dollars, "$45.50" otherwise. */
export function formatCents(cents: number): string {
  let text = formatted.get(cents);
  if (text === undefined) {
    text = cents % 100 === 0
      ? usdWhole.format(cents / 100)
      : usd.format(cents / 100);
    if (formatted.size >= MAX_AMOUNTS) formatted.clear();
    formatted.set(cents, text);
  }
  return text;
}
