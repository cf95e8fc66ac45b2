import type { City } from "../lib/cities.ts";
import { formatClock, formatDate } from "../lib/format.ts";
import { hoursText } from "../lib/kitchens/availability.ts";
import type { SearchResult } from "../lib/kitchens/search.ts";
import {
  filterCount,
  searchHref,
  type SearchQuery,
} from "../lib/kitchens/search_query.ts";
import { Results, UnknownCity } from "./Results.tsx";
import { SearchForm } from "./SearchForm.tsx";
import type { MapPoint } from "../lib/kitchens/pages.ts";
import type { PlaceProblem, SearchCentre } from "../lib/kitchens/place.ts";
import type { MapTiles } from "../lib/place/tiles.ts";
import SearchMap from "../islands/SearchMap.tsx";

/** What /search shows: filters it cannot read, a city we don't serve, or results. */
export type SearchView =
  | {
    kind: "invalid";
    /** What the refused query said, as the form echoes it. */
    raw: Record<string, string>;
    errors: Record<string, string>;
  }
  | { kind: "unknown-city"; q: SearchQuery }
  | { kind: "unknown-place"; q: SearchQuery; problem: PlaceProblem }
  | {
    kind: "results";
    q: SearchQuery;
    city?: City;
    result: SearchResult;
    /** A distance search's centre. */
    centre?: SearchCentre | null;
    /** The open map: its kitchens, tiles and stylesheet. */
    map?: { points: MapPoint[]; tiles: MapTiles; cssHref: string } | null;
  };

/** The page's title for `view`. */
export function searchTitle(view: SearchView): string {
  if (view.kind === "invalid") return "Search kitchens";
  if (view.kind === "unknown-city") {
    return `We don't serve “${view.q.city}” yet`;
  }
  if (view.kind === "unknown-place") return view.problem.title;
  return resultsTitle(view.city, view.centre ?? null);
}

/** "Kitchens in Chicago", or "Kitchens within 5 mi of Chicago, IL 60614". */
function resultsTitle(city: City | undefined, centre: SearchCentre | null) {
  if (!centre) return `Kitchens in ${city?.name ?? "all cities"}`;
  const within = `within ${centre.radiusMiles} mi of ${centre.label}`;
  return city ? `Kitchens in ${city.name} ${within}` : `Kitchens ${within}`;
}

/** When and for how long a search asks: " on Thu, Dec 10, 9:00 AM - 1:00 PM". */
function whenText(q: SearchQuery): string {
  if (!q.date) return q.hours ? ` for ${hoursText(q.hours)}` : "";
  const day = ` on ${formatDate(q.date)}`;
  if (q.start && q.end) {
    return `${day}, ${formatClock(q.start)} - ${formatClock(q.end)}`;
  }
  return q.hours ? `${day}, for ${hoursText(q.hours)}` : day;
}

/**
 * `/search`: the filters beside the results. On a phone the filters fold
 * into a "Filters (n)" disclosure above the results, so the first screen
 * shows kitchens; a plain <details>, so it needs no JavaScript. From the
 * md breakpoint the fold stays open and its summary is hidden (the
 * `filters` rules in lib/assets/styles.ts). A refused search opens it, so
 * the errors show.
 */
export function SearchPage({ view }: { view: SearchView }) {
  const raw = view.kind === "invalid" ? view.raw : view.q;
  return (
    <div class="grid gap-4 md:grid-cols-[18rem_1fr] md:gap-6">
      <details class="filters" open={view.kind === "invalid"}>
        <summary class="inline-flex cursor-pointer items-center gap-2 rounded-lg border border-stone-300 bg-white px-4 py-2 font-semibold">
          {`Filters (${filterCount(raw)})`}
          <span aria-hidden="true" class="text-sm">▾</span>
        </summary>
        <div class="mt-3 md:mt-0">
          <SearchForm
            raw={raw}
            errors={view.kind === "invalid" ? view.errors : {}}
            locateHref={view.kind === "invalid" ? undefined : searchHref(
              view.q,
              {
                near: undefined,
                lat: undefined,
                lng: undefined,
                from: undefined,
                cursor: undefined,
                view: "map",
                locate: "1",
              },
            )}
          />
        </div>
      </details>
      <Answer view={view} />
    </div>
  );
}

function Answer({ view }: { view: SearchView }) {
  if (view.kind === "invalid") {
    return (
      <div role="alert" class="rounded-xl border border-red-300 bg-red-50 p-6">
        <h1 class="text-xl font-bold">Please fix the search filters</h1>
        <ul class="mt-2 list-disc pl-5">
          {/* Each message names what it is about; the field itself is marked too. */}
          {Object.values(view.errors).map((msg) => <li key={msg}>{msg}</li>)}
        </ul>
      </div>
    );
  }
  const q = view.q;
  if (view.kind === "unknown-city") {
    // The page still offers every city, with the same filters.
    return (
      <UnknownCity
        title={searchTitle(view)}
        hrefFor={(slug) => searchHref(q, { city: slug, cursor: undefined })}
      />
    );
  }
  if (view.kind === "unknown-place") {
    return (
      <UnknownCity
        title={view.problem.title}
        intro={view.problem.message}
        hrefFor={(slug) =>
          searchHref(q, {
            city: slug,
            near: undefined,
            cursor: undefined,
            sort: q.sort === "distance" ? undefined : q.sort,
          })}
      />
    );
  }
  const { result, centre, map } = view;
  const mapOpen = q.view === "map";
  return (
    <section aria-labelledby="results-heading" class="space-y-3">
      <div class="flex flex-wrap items-baseline justify-between gap-2">
        <h1 id="results-heading" class="text-2xl font-extrabold">
          {`${resultsTitle(view.city, centre ?? null)}${whenText(q)}`}
        </h1>
        <a
          href={searchHref(q, { view: mapOpen ? undefined : "map" })}
          class="rounded-lg border border-stone-300 bg-white px-3 py-1.5 text-sm font-semibold hover:bg-stone-50"
          data-testid="map-toggle"
        >
          {mapOpen ? "Hide the map" : "Show the map"}
        </a>
      </div>
      {map && (
        <SearchMap
          points={map.points}
          circle={centre
            ? { ...centre.point, radiusMiles: centre.radiusMiles }
            : null}
          tiles={map.tiles}
          cssHref={map.cssHref}
          filters={areaFilters(q)}
          locate={q.locate === "1"}
        />
      )}
      {q.sort === "distance" && result.truncated && (
        <p class="text-sm text-stone-700">
          Many kitchens are near here: these are the nearest of the few hundred
          we checked. A smaller radius or more filters give an exact order.
        </p>
      )}
      <Results
        result={result}
        q={q}
        cardHeading="h2"
        hearts={{ back: searchHref(q) }}
        nextHref={result.nextCursor
          ? searchHref(q, { cursor: result.nextCursor })
          : null}
        firstHref={q.cursor ? searchHref(q, { cursor: undefined }) : null}
        centre={centre ?? null}
        widerHref={(radius) => searchHref(q, { radius, cursor: undefined })}
        anyCity={centre && view.city
          ? {
            cityName: view.city.name,
            href: searchHref(q, { city: undefined, cursor: undefined }),
          }
          : undefined}
      />
    </section>
  );
}

/**
 * The search's filters for a search of another place (the map's "Search
 * this area", "Near me"): the same dates, prices, equipment and order, but
 * no city, place or page.
 */
function areaFilters(q: SearchQuery): string {
  const href = searchHref(q, {
    city: undefined,
    near: undefined,
    lat: undefined,
    lng: undefined,
    radius: undefined,
    from: undefined,
    view: undefined,
    locate: undefined,
    cursor: undefined,
  });
  return href.includes("?") ? href.slice(href.indexOf("?") + 1) : "";
}
