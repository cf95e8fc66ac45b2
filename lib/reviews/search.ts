/**
 * Ratings where renters choose (issue 18 §9): the search page with each
 * card's average and count, and `/search?sort=rating` ranked from the
 * rating index this domain keeps (kitchens with published reviews first,
 * those with at least three before the rest, then every other match by
 * price). Display only: everything here reads through the read cache.
 */
import { ALL_CITIES } from "../db/keys.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import type { SearchPageData } from "../kitchens/pages.ts";
import type { RankedOrder } from "../kitchens/search.ts";
import type { SearchQuery } from "../kitchens/search_query.ts";
import { loadSearchPageFor } from "../saved/saving.ts";
import { ratingIndexSelector, viewKitchenRatings } from "./repo.ts";
import { average, compareByRating } from "./rules.ts";
import type { KitchenRatingCounters } from "./schema.ts";

/** A card's rating: the average as shown and the count, or null with no reviews. */
export function ratingBadge(
  c: KitchenRatingCounters | null | undefined,
): { average: number; count: number } | null {
  if (!c || c.count <= 0) return null;
  return { average: average(c.sums.overall, c.count)!, count: c.count };
}

/** The rating sort as kitchens' search walks it. */
export function ratingOrder(kv: Deno.Kv): RankedOrder {
  return {
    selector: ratingIndexSelector,
    async ranked(kitchens: Kitchen[], scope: string) {
      const ratings = await viewKitchenRatings(kv, kitchens.map((k) => k.id));
      const out = new Set<string>();
      for (const k of kitchens) {
        const c = ratings.get(k.id);
        if (!c || c.count <= 0) continue;
        // A kitchen that moved city since its last review is listed under
        // the old one: the new city's price walk still shows it.
        if (scope === ALL_CITIES || c.city === k.address.city) out.add(k.id);
      }
      return out;
    },
    async sortPool(kitchens: Kitchen[]) {
      const ratings = await viewKitchenRatings(kv, kitchens.map((k) => k.id));
      // A stable sort: the unrated keep their price order.
      return [...kitchens].sort((a, b) =>
        compareByRating(ratings.get(a.id) ?? null, ratings.get(b.id) ?? null)
      );
    },
  };
}

/** `/search`: the page's results, ranked by rating when asked, each with its rating. */
export async function loadRatedSearchPage(
  kv: Deno.Kv,
  q: SearchQuery,
  now: number,
  viewerId: string | null,
): Promise<SearchPageData & { saved: string[] | null }> {
  const page = await loadSearchPageFor(kv, q, now, viewerId, ratingOrder(kv));
  if (!page.result) return page;
  const ratings = await viewKitchenRatings(
    kv,
    page.result.hits.map((h) => h.kitchen.id),
  );
  return {
    ...page,
    result: {
      ...page.result,
      hits: page.result.hits.map((h) => ({
        ...h,
        rating: ratingBadge(ratings.get(h.kitchen.id)),
      })),
    },
  };
}
