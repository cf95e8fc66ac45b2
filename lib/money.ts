const usd = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
});
const usdWhole = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  maximumFractionDigits: 0,
});

/** "$45" for whole dollars, "$45.50" otherwise. */
export function formatCents(cents: number): string {
  return cents % 100 === 0
    ? usdWhole.format(cents / 100)
    : usd.format(cents / 100);
}
