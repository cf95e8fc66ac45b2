import type { CityGuide as Guide } from "../lib/compliance/city_guide.ts";

/** The rules Prep checks in a city, as the rule pack states them. */
export function CityGuide({ guide }: { guide: Guide }) {
  const list = (heading: string, items: string[]) => (
    <>
      <h3 class="mt-4 font-semibold">{heading}</h3>
      <ul class="mt-1 list-disc pl-5">
        {items.map((item) => <li key={item}>{item}</li>)}
      </ul>
    </>
  );
  return (
    <section
      aria-labelledby="city-rules"
      class="rounded-xl border border-amber-200 bg-amber-50 p-6"
    >
      <h2 id="city-rules" class="text-xl font-bold">
        {`What Prep checks before you book in ${guide.cityName}`}
      </h2>
      {list("You need, verified by Prep:", guide.renterDocuments)}
      {list("Every booking here:", guide.bookingRules)}
      {list("Every kitchen listed here holds, verified:", guide.kitchenPermits)}
      {list("Agencies:", guide.agencies)}
    </section>
  );
}
