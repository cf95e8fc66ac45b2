/** `/search`: kitchens by city, date and hours, price and equipment (components/SearchPage.tsx). */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  SearchPage,
  searchTitle,
  type SearchView,
} from "../components/SearchPage.tsx";
import { loadRatedSearchPage } from "../lib/reviews/search.ts";
import { searchQuery } from "../lib/kitchens/search_query.ts";
import { type AppContext, type AppEnv, page } from "./context.tsx";
import { readQuery } from "./forms.ts";
import { ValidationError } from "../lib/errors.ts";

export const search = new Hono<AppEnv>();

function render(
  c: AppContext,
  view: SearchView,
  status: ContentfulStatusCode = 200,
  saved: readonly string[] | null = null,
) {
  const city = view.kind === "results" ? view.city?.slug : undefined;
  return page(
    c,
    // Shared: one render serves every viewer, each heart filled in per viewer.
    { title: searchTitle(view), city, saved, shared: true },
    <SearchPage view={view} />,
    status,
  );
}

search.get("/", async (c) => {
  const read = readQuery(c, searchQuery);
  if (!read.ok) {
    return render(
      c,
      { kind: "invalid", raw: read.form.values, errors: read.form.errors },
      400,
    );
  }
  const q = read.data;
  const { kv, clock: now, mapTiles } = c.var.services;
  let found;
  try {
    found = await loadRatedSearchPage(kv, q, now(), c.var.user?.id ?? null);
  } catch (err) {
    // A page link from another search: said beside the filters, like any field.
    if (!(err instanceof ValidationError)) throw err;
    return render(
      c,
      { kind: "invalid", raw: read.form.values, errors: err.issues },
      400,
    );
  }
  const { city, result, centre, map, placeProblem, saved } = found;
  // The same status as /cities/<unknown>; the page still offers every city.
  if (placeProblem) {
    return render(c, { kind: "unknown-place", q, problem: placeProblem }, 404);
  }
  if (!result) return render(c, { kind: "unknown-city", q }, 404);
  const cssHref = c.var.manifest.mapCss ?? "";
  return render(
    c,
    {
      kind: "results",
      q,
      city,
      result,
      centre,
      map: map && { points: map, tiles: mapTiles, cssHref },
    },
    200,
    saved,
  );
});
