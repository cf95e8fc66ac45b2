import { Hono } from "hono";
import { Results, UnknownCity } from "../components/Results.tsx";
import { SearchForm } from "../components/SearchForm.tsx";
import { findCity } from "../lib/cities.ts";
import { searchKitchens } from "../lib/kitchens/search.ts";
import { parseSearch, searchHref } from "../lib/kitchens/search_query.ts";
import { type AppEnv, page } from "./context.tsx";

export const search = new Hono<AppEnv>();

search.get("/", async (c) => {
  const parsed = parseSearch(new URL(c.req.url).searchParams);
  if (!parsed.ok) {
    return page(
      c,
      { title: "Search kitchens" },
      <div class="grid gap-6 md:grid-cols-[18rem_1fr]">
        <SearchForm raw={parsed.raw} errors={parsed.errors} />
        <div
          role="alert"
          class="rounded-xl border border-red-300 bg-red-50 p-6"
        >
          <h1 class="text-xl font-bold">Please fix the search filters</h1>
          <ul class="mt-2 list-disc pl-5">
            {Object.entries(parsed.errors).map(([field, msg]) => (
              <li>{field}: {msg}</li>
            ))}
          </ul>
        </div>
      </div>,
      400,
    );
  }
  const q = parsed.query;
  const city = q.city ? findCity(q.city) : undefined;
  if (q.city && !city) {
    // The same status as /cities/<unknown>; the page still offers every city.
    const title = `We don't serve “${q.city}” yet`;
    return page(
      c,
      { title },
      <div class="grid gap-6 md:grid-cols-[18rem_1fr]">
        <SearchForm raw={q} errors={{}} />
        <UnknownCity
          title={title}
          hrefFor={(slug) => searchHref(q, { city: slug, cursor: undefined })}
        />
      </div>,
      404,
    );
  }
  const { kv, clock: now } = c.var.services;
  const result = await searchKitchens(kv, q, now());
  const cityName = city?.name ?? "all cities";
  return page(
    c,
    { title: `Kitchens in ${cityName}`, city: city?.slug },
    <div class="grid gap-6 md:grid-cols-[18rem_1fr]">
      <SearchForm raw={q} errors={{}} />
      <section aria-labelledby="results-heading">
        <h1 id="results-heading" class="mb-1 text-2xl font-extrabold">
          Kitchens in {cityName}
          {q.date ? ` on ${q.date}` : ""}
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
    </div>,
  );
});
