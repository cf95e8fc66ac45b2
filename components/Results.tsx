import { CITIES } from "../lib/cities.ts";
import { KitchenCard } from "./KitchenCard.tsx";
import type { SearchResult } from "../lib/kitchens/search.ts";
import type { SearchQuery } from "../lib/kitchens/search_query.ts";
import { kitchenPageHref, pickFromSearch } from "../lib/kitchens/pick.ts";
import { RADIUS_CHOICES, type SearchCentre } from "../lib/kitchens/place.ts";
import { formatMiles } from "../lib/place/geo.ts";

/**
 * Result count, cards and the next-page link of a search. Each card links
 * the kitchen page with the date and hours searched, so its picker opens
 * on them; `cardHeading` is the cards' level in the page's outline.
 */
export function Results(
  {
    result,
    nextHref,
    firstHref,
    q = {},
    cardHeading = "h3",
    hearts,
    centre = null,
    widerHref,
    anyCity,
  }: {
    result: SearchResult;
    nextHref: string | null;
    firstHref: string | null;
    q?: Pick<SearchQuery, "date" | "start" | "end" | "hours">;
    cardHeading?: "h2" | "h3";
    /** A distance search's centre: cards show how far, and an empty page offers a wider circle. */
    centre?: SearchCentre | null;
    widerHref?: (radiusMiles: number) => string;
    /** A distance search within a city: the same search without the city. */
    anyCity?: { cityName: string; href: string };
    /**
     * Hearts on the cards (the search page's), whose forms lead back to
     * `back`; none elsewhere. Each shows the viewer's state (components/Viewer.tsx).
     */
    hearts?: { back: string };
  },
) {
  const { hits, total } = result;
  // Past the first page an inexact count is this page's, not the search's.
  const count = total.exact
    ? `${total.count} ${total.count === 1 ? "kitchen" : "kitchens"}`
    : firstHref
    ? `${hits.length}${nextHref ? "+" : ""} more matching ${
      hits.length === 1 ? "kitchen" : "kitchens"
    }`
    : `${total.count}${nextHref ? "+" : ""} matching ${
      total.count === 1 ? "kitchen" : "kitchens"
    }`;
  return (
    <div>
      <p class="mb-4 font-semibold" data-testid="result-count">{count}</p>
      {hits.length === 0 && centre && !result.truncated
        ? (
          <NothingNearby
            centre={centre}
            widerHref={widerHref}
            anyCity={anyCity}
          />
        )
        : hits.length === 0
        ? (
          <div class="rounded-xl border border-dashed border-stone-300 bg-white p-8">
            <h2 class="text-xl font-bold">No kitchens match these filters</h2>
            <ul class="mt-2 list-disc pl-5 text-stone-700">
              <li>Try another date, or remove the time range.</li>
              <li>Widen the price range or drop an equipment filter.</li>
              <li>
                Search{" "}
                <a href="/search" class="text-emerald-800 underline">
                  all cities
                </a>.
              </li>
            </ul>
            {result.truncated && (
              <p class="mt-2 text-sm">
                We checked the first few hundred kitchens.{" "}
                <a href={nextHref ?? "#"} class="text-emerald-800 underline">
                  Keep searching
                </a>
              </p>
            )}
          </div>
        )
        : (
          <ul
            class="grid gap-4 sm:grid-cols-2 lg:grid-cols-3"
            aria-label="Kitchens"
          >
            {hits.map((h) => (
              <KitchenCard
                kitchen={h.kitchen}
                slot={h.slot}
                slotLabel={q.date ? "Free from" : "Next free"}
                href={kitchenPageHref(
                  h.kitchen.id,
                  pickFromSearch(q, h.kitchen, h.slot),
                )}
                heading={cardHeading}
                distance={h.distanceMiles === undefined
                  ? null
                  : formatMiles(h.distanceMiles)}
                save={hearts}
                rating={h.rating}
              />
            ))}
          </ul>
        )}
      <nav aria-label="Pages" class="mt-6 flex justify-between">
        {firstHref
          ? (
            <a
              href={firstHref}
              class="font-semibold text-emerald-800 underline"
            >
              First page
            </a>
          )
          : <span />}
        {nextHref && hits.length > 0 && (
          <a
            href={nextHref}
            rel="next"
            class="font-semibold text-emerald-800 underline"
          >
            Next page →
          </a>
        )}
      </nav>
    </div>
  );
}

/**
 * A distance search with nothing in its circle: says so, and offers the
 * same search over wider circles.
 */
function NothingNearby(
  { centre, widerHref, anyCity }: {
    centre: SearchCentre;
    widerHref?: (radiusMiles: number) => string;
    anyCity?: { cityName: string; href: string };
  },
) {
  const wider = RADIUS_CHOICES.filter((r) => r > centre.radiusMiles);
  return (
    <div
      class="rounded-xl border border-dashed border-stone-300 bg-white p-8"
      data-testid="nothing-nearby"
    >
      <h2 class="text-xl font-bold">
        {`No kitchens within ${centre.radiusMiles} mi of ${centre.label}`}
      </h2>
      {anyCity && (
        <p class="mt-2 text-stone-700">
          {`This search looks only at kitchens in ${anyCity.cityName}. `}
          <a
            href={anyCity.href}
            class="font-semibold text-emerald-800 underline"
          >
            {`Search near ${centre.label} in every city`}
          </a>
        </p>
      )}
      {wider.length > 0 && widerHref
        ? (
          <>
            <p class="mt-2 text-stone-700">
              Widen the circle, or drop a filter:
            </p>
            <ul class="mt-2 flex flex-wrap gap-2" aria-label="Wider searches">
              {wider.map((r) => (
                <li key={r}>
                  <a
                    href={widerHref(r)}
                    class="inline-block rounded-lg border border-emerald-700 px-3 py-1 font-semibold text-emerald-800 hover:bg-emerald-50"
                  >
                    {`Within ${formatMiles(r)}`}
                  </a>
                </li>
              ))}
            </ul>
          </>
        )
        : (
          <p class="mt-2 text-stone-700">
            That is as wide as a search goes. Try a city Prep serves, or drop a
            filter.
          </p>
        )}
      <p class="mt-3">
        Or search{" "}
        <a href="/search" class="text-emerald-800 underline">all cities</a>.
      </p>
    </div>
  );
}

/**
 * A search for a city we don't serve (or a place we can't find): says so,
 * and links the same search in each city we do serve (`hrefFor(slug)`) and
 * in all of them.
 */
export function UnknownCity(
  { title, hrefFor, intro }: {
    title: string;
    hrefFor: (slug: string | undefined) => string;
    /** Why, before the list of cities. */
    intro?: string;
  },
) {
  return (
    <section
      aria-labelledby="unknown-city"
      class="rounded-xl border border-amber-300 bg-amber-50 p-6"
    >
      <h1 id="unknown-city" class="text-2xl font-extrabold">{title}</h1>
      {intro && <p class="mt-2">{intro}</p>}
      <p class="mt-2 text-stone-700">Prep has kitchens in these cities:</p>
      <ul class="mt-2 grid gap-1 sm:grid-cols-2" aria-label="Cities we serve">
        {CITIES.map((c) => (
          <li key={c.slug}>
            <a href={hrefFor(c.slug)} class="text-emerald-800 underline">
              {`${c.name}, ${c.state}`}
            </a>
          </li>
        ))}
      </ul>
      <p class="mt-4">
        Or search{" "}
        <a href={hrefFor(undefined)} class="text-emerald-800 underline">
          all cities
        </a>.
      </p>
    </section>
  );
}
