/**
 * Distance search (DESIGN §17): `/search?near=60614&radius=5`. It reads only
 * the place index's cells that cover the circle (lib/place/cells.ts), checks
 * each kitchen's distance from the centre to its approximate place (the
 * point renters see, place.ts), and applies every other filter as the city
 * search does. Like that search it examines at most MAX_SCAN index entries,
 * so a page costs the same with 1,000 kitchens or 100,000.
 *
 * - By price (the default): the cells are walked together in price order,
 *   and a page link resumes after the last kitchen shown.
 * - Nearest first: whole cells are read nearest first, until the page's
 *   kitchens are nearer than any cell left could hold; a dense area can
 *   reach the scan cap first, and the page says its order covers the
 *   kitchens checked.
 * - Newest, soonest and highest rated (with lib/reviews' order) rank the
 *   first SOONEST_POOL matches by price.
 */
import { cached } from "../db/read_cache.ts";
import { ValidationError } from "../errors.ts";
import { ID_PATTERN } from "../ids.ts";
import { APPROX_OFFSET_M } from "../place/approx.ts";
import { type CoverCell, coverCells } from "../place/cells.ts";
import { distanceKm, KM_PER_MILE, type Point } from "../place/geo.ts";
import { publicPoint, type SearchCentre } from "./place.ts";
import {
  type CellPosition,
  getKitchens,
  getPlaceSecret,
  listCellIndex,
  SEARCH_VIEWS,
} from "./repo.ts";
import type { Kitchen } from "./schema.ts";
import {
  matchesFilters,
  matchQuestion,
  MAX_SCAN,
  PAGE_SIZE,
  type RankedOrder,
  type SearchHit,
  type SearchResult,
  slotFor,
  SOONEST_POOL,
} from "./search.ts";
import type { SearchQuery } from "./search_query.ts";

/** A kitchen's public point is at most this far from its pin, which the cells index. */
const MARGIN_KM = APPROX_OFFSET_M.max / 1000;
/** Index entries read per cell per KV list call (and kept per read-cache entry). */
const CELL_CHUNK = 24;

type Range = { minCents: number; maxCents: number } | null;

interface Hit extends SearchHit {
  distanceMiles: number;
  pos: CellPosition;
}

/** The search's price range in cents, which every cell read applies. */
function priceRange(q: SearchQuery): Range {
  if (q.minPrice === undefined && q.maxPrice === undefined) return null;
  return {
    minCents: Math.round((q.minPrice ?? 0) * 100),
    maxCents: Math.round((q.maxPrice ?? 1e9) * 100),
  };
}

/** A chunk of one cell's index, through the read cache (display only; writes drop it). */
function cellChunk(
  kv: Deno.Kv,
  cell: string,
  range: Range,
  after: CellPosition | null,
): Promise<CellPosition[]> {
  const key = `${SEARCH_VIEWS}cell:${cell}:${range?.minCents ?? ""}-${
    range?.maxCents ?? ""
  }:${after ? `${after.priceCents}:${after.id}` : ""}`;
  return cached(
    kv,
    key,
    () => listCellIndex(kv, cell, range, after, CELL_CHUNK),
  );
}

const points = new WeakMap<Kitchen, Point>();

/**
 * A kitchen's public point, once per cached record: the same record object
 * comes back from the read cache while it is fresh.
 */
function pointOf(k: Kitchen, secret: Uint8Array): Point {
  let p = points.get(k);
  if (!p) points.set(k, p = publicPoint(k, secret));
  return p;
}

/** Everything one search checks each candidate with. */
interface Checker {
  (batch: CellPosition[]): Promise<Hit[]>;
}

/**
 * Checks candidates against the search: its filters, the circle, and its
 * date and hours. With `slots: false` (a search with no date, ranked by
 * distance) the next free slot, which is display only, is left for the
 * page's kitchens (`withSlots`) rather than worked out for every one.
 */
function checker(
  kv: Deno.Kv,
  q: SearchQuery,
  centre: SearchCentre,
  secret: Uint8Array,
  now: number,
  opts: { slots: boolean } = { slots: true },
): Checker {
  const question = matchQuestion(q);
  return async (batch) => {
    const kitchens = await getKitchens(kv, batch.map((b) => b.id));
    const checked = await Promise.all(kitchens.map(async (k, i) => {
      if (!k || !matchesFilters(k, q)) return null;
      const km = distanceKm(centre.point, pointOf(k, secret));
      if (km > centre.radiusKm) return null;
      const hit = {
        kitchen: k,
        slot: null,
        distanceMiles: km / KM_PER_MILE,
        pos: batch[i],
      };
      if (!opts.slots && !q.date) return hit;
      const { ok, slot } = await slotFor(kv, k, q, question, now);
      return ok ? { ...hit, slot } : null;
    }));
    return checked.filter((h): h is Hit => h !== null);
  };
}

/** The page's kitchens with their next free slots (a search with no date). */
async function withSlots(
  kv: Deno.Kv,
  q: SearchQuery,
  hits: Hit[],
  now: number,
): Promise<Hit[]> {
  if (q.date) return hits;
  const question = matchQuestion(q);
  return await Promise.all(hits.map(async (h) => ({
    ...h,
    slot: (await slotFor(kv, h.kitchen, q, question, now)).slot,
  })));
}

const byPosition = (a: CellPosition, b: CellPosition) =>
  a.priceCents - b.priceCents || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The cells' entries merged in (price, id) order, `n` at a time, starting
 * after `after`: each cell is read a chunk at a time, as it runs dry.
 */
function mergedCells(
  kv: Deno.Kv,
  cells: readonly CoverCell[],
  range: Range,
  after: CellPosition | null,
) {
  const walks = cells.map((c) => ({
    cell: c.cell,
    buf: [] as CellPosition[],
    at: 0,
    after,
    done: false,
  }));
  return async (n: number): Promise<CellPosition[]> => {
    const out: CellPosition[] = [];
    while (out.length < n) {
      const dry = walks.filter((w) => !w.done && w.at >= w.buf.length);
      await Promise.all(dry.map(async (w) => {
        w.buf = await cellChunk(kv, w.cell, range, w.after);
        w.at = 0;
        w.done = w.buf.length < CELL_CHUNK;
        if (w.buf.length) w.after = w.buf[w.buf.length - 1];
      }));
      let best: (typeof walks)[number] | null = null;
      for (const w of walks) {
        if (
          w.at < w.buf.length &&
          (!best || byPosition(w.buf[w.at], best.buf[best.at]) < 0)
        ) best = w;
      }
      if (!best) break;
      out.push(best.buf[best.at++]);
    }
    return out;
  };
}

/** "m4500:01J…": the last kitchen a price-ordered page showed. */
const CURSOR = new RegExp(`^m(\\d{1,8}):(${ID_PATTERN})$`);

function parseCursor(cursor: string | undefined): CellPosition | null {
  if (!cursor) return null;
  const m = CURSOR.exec(cursor);
  if (!m) {
    throw new ValidationError({
      cursor: "That page link is no longer valid; start again.",
    });
  }
  return { priceCents: Number(m[1]), id: m[2] };
}

const cursorOf = (p: CellPosition) => `m${p.priceCents}:${p.id}`;

/** "o24": how far into a ranked pool a page starts. */
function parseOffset(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^o(\d{1,4})$/.exec(cursor);
  if (!m) {
    throw new ValidationError({
      cursor: "That page link is no longer valid; start again.",
    });
  }
  return Number(m[1]);
}

/** Up to `want` matches in price order after `after`, examining at most MAX_SCAN entries. */
async function byPrice(
  check: Checker,
  next: ReturnType<typeof mergedCells>,
  want: number,
) {
  const hits: Hit[] = [];
  let scanned = 0;
  let last: CellPosition | null = null;
  let exhausted = false;
  while (hits.length < want && scanned < MAX_SCAN) {
    const batch = await next(Math.min(10, MAX_SCAN - scanned));
    if (batch.length === 0) {
      exhausted = true;
      break;
    }
    scanned += batch.length;
    last = batch[batch.length - 1];
    for (const h of await check(batch)) if (hits.length < want) hits.push(h);
  }
  return { hits, truncated: !exhausted && hits.length < want, last };
}

/** Matches from whole cells, nearest cell first, until the nearest `need` are certain. */
async function nearest(
  kv: Deno.Kv,
  cells: readonly CoverCell[],
  range: Range,
  check: Checker,
  need: number,
) {
  const pool: Hit[] = [];
  let scanned = 0;
  let truncated = false;
  let certain = true;
  outer:
  for (const c of cells) {
    if (pool.length >= need) {
      pool.sort(byDistance);
      // Every kitchen in this cell or later ones is at least this far.
      if (c.minKm - MARGIN_KM > pool[need - 1].distanceMiles * KM_PER_MILE) {
        certain = false;
        break;
      }
    }
    let after: CellPosition | null = null;
    for (;;) {
      const chunk = await cellChunk(kv, c.cell, range, after);
      for (let i = 0; i < chunk.length; i += 10) {
        if (scanned >= MAX_SCAN) {
          truncated = true;
          break outer;
        }
        const batch = chunk.slice(i, Math.min(i + 10, i + MAX_SCAN - scanned));
        scanned += batch.length;
        pool.push(...await check(batch));
      }
      if (chunk.length < CELL_CHUNK) break;
      after = chunk[chunk.length - 1];
    }
  }
  pool.sort(byDistance);
  return { pool, truncated, exact: !truncated && certain };
}

const byDistance = (a: Hit, b: Hit) =>
  a.distanceMiles - b.distanceMiles || byPosition(a.pos, b.pos);

const plain = (h: Hit): SearchHit => ({
  kitchen: h.kitchen,
  slot: h.slot,
  distanceMiles: h.distanceMiles,
});

/** A page of kitchens within a search's circle, in the order it asks. */
export async function searchNear(
  kv: Deno.Kv,
  q: SearchQuery,
  centre: SearchCentre,
  now: number,
  /** How `sort=rating` ranks (lib/reviews); without it, by price. */
  ranked?: RankedOrder,
): Promise<SearchResult> {
  const secret = await getPlaceSecret(kv);
  const cells = coverCells(centre.point, centre.radiusKm + MARGIN_KM);
  const range = priceRange(q);
  const check = checker(kv, q, centre, secret, now);

  if (q.sort === "distance") {
    const offset = parseOffset(q.cursor);
    const { pool, truncated, exact } = await nearest(
      kv,
      cells,
      range,
      checker(kv, q, centre, secret, now, { slots: false }),
      offset + PAGE_SIZE + 1,
    );
    const more = pool.length > offset + PAGE_SIZE;
    const page = pool.slice(offset, offset + PAGE_SIZE);
    return {
      hits: (await withSlots(kv, q, page, now)).map(plain),
      total: { count: pool.length, exact },
      nextCursor: more ? `o${offset + PAGE_SIZE}` : null,
      truncated,
    };
  }

  const byRating = q.sort === "rating" && ranked;
  if (q.sort === "soonest" || q.sort === "newest" || byRating) {
    const offset = parseOffset(q.cursor);
    const found = await byPrice(
      check,
      mergedCells(kv, cells, range, null),
      SOONEST_POOL,
    );
    const { truncated } = found;
    let hits = found.hits;
    if (byRating) {
      const order = await ranked.sortPool(hits.map((h) => h.kitchen));
      const at = new Map(order.map((k, i) => [k.id, i]));
      hits = [...hits].sort((a, b) =>
        at.get(a.kitchen.id)! - at.get(b.kitchen.id)!
      );
    } else if (q.sort === "soonest") {
      hits.sort((a, b) =>
        (a.slot?.start ?? Infinity) - (b.slot?.start ?? Infinity)
      );
    } else hits.sort((a, b) => (a.kitchen.id < b.kitchen.id ? 1 : -1));
    const more = hits.length > offset + PAGE_SIZE;
    return {
      hits: hits.slice(offset, offset + PAGE_SIZE).map(plain),
      total: {
        count: hits.length,
        exact: !truncated && hits.length < SOONEST_POOL,
      },
      nextCursor: more ? `o${offset + PAGE_SIZE}` : null,
      truncated,
    };
  }

  const after = parseCursor(q.cursor);
  const { hits, truncated, last } = await byPrice(
    check,
    mergedCells(kv, cells, range, after),
    PAGE_SIZE + 1,
  );
  const page = hits.slice(0, PAGE_SIZE);
  const nextCursor = hits.length > PAGE_SIZE
    ? cursorOf(page[page.length - 1].pos)
    : truncated && last
    ? cursorOf(last)
    : null;
  return {
    hits: page.map(plain),
    total: { count: page.length, exact: nextCursor === null && !q.cursor },
    nextCursor,
    truncated,
  };
}

/** Up to `want` kitchens in the circle, cheapest first, for the search's map. */
export async function nearMapHits(
  kv: Deno.Kv,
  q: SearchQuery,
  centre: SearchCentre,
  want: number,
  now: number,
): Promise<SearchHit[]> {
  const secret = await getPlaceSecret(kv);
  const cells = coverCells(centre.point, centre.radiusKm + MARGIN_KM);
  const range = priceRange(q);
  const { hits } = await byPrice(
    checker(kv, q, centre, secret, now),
    mergedCells(kv, cells, range, null),
    want,
  );
  return hits.map(plain);
}
