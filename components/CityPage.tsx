import type { CityPage as CityPageData } from "../lib/compliance/city_guide.ts";
import { searchHref } from "../lib/kitchens/search_query.ts";
import { CityGuide } from "./CityGuide.tsx";
import { Results } from "./Results.tsx";

/** `/cities/:city`: the city's rules for renters, and its kitchens. */
export function CityPage({ city, guide, query: q, result }: CityPageData) {
  return (
    <div class="space-y-8">
      <header>
        <h1 class="text-3xl font-extrabold">
          Commercial kitchens in {city.name}
        </h1>
        <p class="mt-2 max-w-3xl text-stone-700">{city.intro}</p>
      </header>
      <CityGuide guide={guide} />
      <section>
        <h2 class="text-xl font-bold">
          Hosts in {city.name} often also ask for
        </h2>
        <ul class="mt-2 list-disc pl-5">
          {city.documents.map((d) => <li key={d}>{d}</li>)}
        </ul>
        <p class="mt-2 text-sm text-stone-600">
          Have these ready before your first booking: hosts ask to see them.
        </p>
      </section>
      <section aria-labelledby="city-kitchens">
        <h2 id="city-kitchens" class="mb-2 text-2xl font-extrabold">
          Kitchens
        </h2>
        <Results
          result={result}
          nextHref={result.nextCursor
            ? searchHref(q, { cursor: result.nextCursor })
            : null}
          firstHref={null}
        />
      </section>
    </div>
  );
}
