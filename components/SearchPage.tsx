import { formatDate } from "../lib/format.ts";
import type { City } from "../lib/cities.ts";
import type { SearchResult } from "../lib/kitchens/search.ts";
import { searchHref, type SearchQuery } from "../lib/kitchens/search_query.ts";
import { Results, UnknownCity } from "./Results.tsx";
import { SearchForm } from "./SearchForm.tsx";

/** What /search shows: filters it cannot read, a city we don't serve, or results. */
export type SearchView =
  | {
    kind: "invalid";
    /** What the refused query said, as the form echoes it. */
    raw: Record<string, string>;
    errors: Record<string, string>;
  }
  | { kind: "unknown-city"; q: SearchQuery }
  | { kind: "results"; q: SearchQuery; city?: City; result: SearchResult };

/** The page's title for `view`. */
export function searchTitle(view: SearchView): string {
  if (view.kind === "invalid") return "Search kitchens";
  if (view.kind === "unknown-city") {
    return `We don't serve “${view.q.city}” yet`;
  }
  return `Kitchens in ${view.city?.name ?? "all cities"}`;
}

/** `/search`: the filters beside the results. */
export function SearchPage({ view }: { view: SearchView }) {
  return (
    <div class="grid gap-6 md:grid-cols-[18rem_1fr]">
      {view.kind === "invalid"
        ? <SearchForm raw={view.raw} errors={view.errors} />
        : <SearchForm raw={view.q} errors={{}} />}
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
          {Object.entries(view.errors).map(([field, msg]) => (
            <li>{field}: {msg}</li>
          ))}
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
  const { result } = view;
  return (
    <section aria-labelledby="results-heading">
      <h1 id="results-heading" class="mb-1 text-2xl font-extrabold">
        Kitchens in {view.city?.name ?? "all cities"}
        {q.date ? ` on ${formatDate(q.date)}` : ""}
      </h1>
      <Results
        result={result}
        date={q.date}
        nextHref={result.nextCursor
          ? searchHref(q, { cursor: result.nextCursor })
          : null}
        firstHref={q.cursor ? searchHref(q, { cursor: undefined }) : null}
      />
    </section>
  );
}
