/**
 * Ratings where renters choose (issue 18 §9): `/search?sort=rating` lists
 * rated kitchens (3+ reviews) by average, then those with fewer reviews,
 * then the rest by price, across pages without repeats; every card shows
 * its average and count, and a removal moves a kitchen down at once.
 */
import assert from "node:assert/strict";
import { at } from "../../lib/app.ts";
import { newId } from "../../lib/ids.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { removeReview } from "../../lib/reviews/moderation.ts";
import { submitReview } from "../../lib/reviews/write.ts";
import { userByEmail } from "../account_helpers.ts";
import { staff } from "../account_helpers.ts";
import {
  addConfirmedBooking,
  addHost,
  addKitchens,
  kitchenFixture,
  testApp,
} from "../helpers.ts";
import { visibleText } from "../page_text.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const DAY = 24 * 3600_000;

type T = Awaited<ReturnType<typeof testApp>>;

/** Published reviews of `k`, one booking each, with these overall scores. */
async function review(t: T, k: Kitchen, overalls: number[]) {
  const ids: string[] = [];
  for (const overall of overalls) {
    const renter = newId();
    const b = await addConfirmedBooking(t.kv, k, renter, NOW - 3 * DAY, NOW);
    const deps = at(t.services);
    const text = "A kitchen review long enough to count as one.";
    const mine = await submitReview(deps, b.id, { id: renter }, {
      overall: String(overall),
      cleanliness: "5",
      equipment: "5",
      communication: "5",
      clean: "",
      rules: "",
      text,
    });
    const theirs = await submitReview(deps, b.id, { id: k.hostId }, {
      overall: "5",
      cleanliness: "",
      equipment: "",
      communication: "",
      clean: "5",
      rules: "5",
      text,
    });
    assert.ok(theirs.published);
    ids.push(mine.review.id);
  }
  return ids;
}

/** The kitchen titles of a search page, in order, and its next-page link. */
async function page(t: T, path: string) {
  const html = await (await t.request(path)).text();
  const titles = [...html.matchAll(/<h2 class="text-lg[^"]*">([^<]+)<\/h2>/g)]
    .map((m) => m[1].replace(/&#39;/g, "'"));
  const next = /href="([^"]+)" rel="next"/.exec(html)?.[1]
    .replace(/&amp;/g, "&") ?? null;
  return { titles, next, text: visibleText(html) };
}

Deno.test("reviews: sort by rating lists rated kitchens first, fewer reviews next, then the rest by price, over pages, and near a place", async () => {
  const t = await testApp(NOW);
  try {
    const host = await addHost(t.kv, "Sorting Host");
    const spec: [string, number][] = [
      ["Rated 4.7 (3)", 9000],
      ["Rated 4.7 (4)", 9500],
      ["Rated 4.0 (3)", 3000],
      ["Two at 5.0", 2000],
    ];
    for (let i = 0; i < 11; i++) spec.push([`Unrated ${i + 10}`, 1000 + i]);
    const kitchens = await addKitchens(
      t.kv,
      host.id,
      spec.map(([title, cents]) =>
        kitchenFixture({ title, hourlyPriceCents: cents })
      ),
      "published",
      { now: NOW },
    );
    const byTitle = new Map(kitchens.map((k) => [k.title, k]));
    await review(t, byTitle.get("Rated 4.7 (3)")!, [5, 5, 4]);
    await review(t, byTitle.get("Rated 4.7 (4)")!, [5, 5, 4, 5]);
    const lowIds = await review(t, byTitle.get("Rated 4.0 (3)")!, [4, 4, 4]);
    await review(t, byTitle.get("Two at 5.0")!, [5, 5]);

    const first = await page(t, "/search?city=chicago&sort=rating");
    // 4.75 shows as 4.8, so the four-review kitchen comes first.
    assert.deepEqual(first.titles, [
      "Rated 4.7 (4)",
      "Rated 4.7 (3)",
      "Rated 4.0 (3)",
      "Two at 5.0",
      ...Array.from({ length: 8 }, (_, i) => `Unrated ${i + 10}`),
    ]);
    assert.match(first.text, /15 kitchens/);
    assert.match(first.text, /4\.8 out of 5 · 4 reviews/);
    assert.match(first.text, /4\.7 out of 5 · 3 reviews/);
    assert.match(first.text, /5\.0 out of 5 · 2 reviews/);
    assert.ok(first.next, "a second page");
    const second = await page(t, first.next!);
    assert.deepEqual(second.titles, ["Unrated 18", "Unrated 19", "Unrated 20"]);
    assert.equal(second.next, null);
    // Every kitchen once.
    assert.equal(new Set([...first.titles, ...second.titles]).size, 15);

    // Every other order shows the ratings on the cards too.
    const byPrice = await page(t, "/search?city=chicago");
    assert.match(byPrice.text, /Two at 5\.0 .*5\.0 out of 5 · 2 reviews/);

    // Removing a review takes the kitchen below the rated ones at once.
    const admin = await staff(t, "ann@example.com", "admin");
    assert.ok(admin);
    const actor = (await userByEmail(t, "ann@example.com"))!;
    await removeReview(at(t.services), lowIds[0], actor, "Fake review");
    const after = await page(t, "/search?city=chicago&sort=rating");
    assert.deepEqual(after.titles.slice(0, 4), [
      "Rated 4.7 (4)",
      "Rated 4.7 (3)",
      "Two at 5.0",
      "Rated 4.0 (3)",
    ]);
    assert.match(after.text, /4\.0 out of 5 · 2 reviews/);
    // The whole catalogue too; and a forged cursor is a clear 400.
    const all = await page(t, "/search?sort=rating");
    assert.equal(all.titles[0], "Rated 4.7 (4)");
    // Near a place, the same order among the kitchens in the circle.
    const near = await page(t, "/search?near=60614&radius=10&sort=rating");
    assert.deepEqual(near.titles.slice(0, 5), [
      "Rated 4.7 (4)",
      "Rated 4.7 (3)",
      "Two at 5.0",
      "Rated 4.0 (3)",
      "Unrated 10",
    ]);
    assert.match(near.text, /mi away/);
    const forged = await t.request("/search?sort=rating&cursor=x123");
    assert.equal(forged.status, 400);
    await forged.body?.cancel();
  } finally {
    t.close();
  }
});
