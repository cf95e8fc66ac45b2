/**
 * Cheaper renders (issue 11 §2) must not show stale data on the instance that
 * wrote it: search index pages, counts and the home page's list are read
 * through the read cache and dropped by kitchen writes; next-free slots are
 * memoised per kitchen record, busy time and minute.
 */
import assert from "node:assert/strict";
import { nextBookableStart } from "../../lib/kitchens/availability.ts";
import { createBlock, removeBlock } from "../../lib/bookings/blocks.ts";
import { keys } from "../../lib/db/keys.ts";
import {
  daySlots,
  localToday,
  nextFreeDay,
  nextFreeSlot,
  rulesOf,
} from "../../lib/kitchens/free_time.ts";
import { loadHome } from "../../lib/kitchens/pages.ts";
import {
  forgetKitchen,
  getPublishedKitchen,
  listOccupancy,
  updateKitchen,
} from "../../lib/kitchens/repo.ts";
import { PAGE_SIZE, searchKitchens } from "../../lib/kitchens/search.ts";
import { searchQuery } from "../../lib/kitchens/search_query.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z"); // 9:00 in Chicago
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function oneKitchen(kv: Deno.Kv, over = {}) {
  const host = await addHost(kv);
  const [k] = await addKitchens(kv, host.id, [
    kitchenFixture({ minNoticeHours: 2, ...over }),
  ]);
  return k;
}

/** What the engine answers without any memo, from KV as it is now. */
async function freshNextSlot(kv: Deno.Kv, id: string, now: number) {
  const k = (await kv.get<import("../../lib/kitchens/schema.ts").Kitchen>(
    keys.kitchen(id),
  )).value!;
  const busy =
    (await listOccupancy(kv, id, now - 86400_000, now + 16 * 86400_000))
      .filter((b) => b.expiresAt === null || b.expiresAt > now);
  return nextBookableStart(
    rulesOf(k),
    busy,
    now,
    localToday(k.timeZone, now),
    14,
  );
}

Deno.test("next free slot: the memo answers as the engine does while the clock crosses notice limits", async () => {
  const t = await testApp(NOW);
  try {
    const k = await oneKitchen(t.kv);
    const view = await getPublishedKitchen(t.kv, k.id);
    // Minute by minute for three hours, and twice per minute near a limit.
    for (let now = NOW - 5 * MINUTE; now < NOW + 3 * HOUR; now += MINUTE) {
      for (const at of [now, now + 1]) {
        assert.deepEqual(
          await nextFreeSlot(t.kv, view, at),
          await freshNextSlot(t.kv, k.id, at),
          new Date(at).toISOString(),
        );
      }
    }
    // At 9:00 sharp 11:00 is two hours' notice away; a millisecond later it is too soon.
    assert.equal(
      (await nextFreeSlot(t.kv, view, NOW))?.start,
      Date.parse("2026-12-01T17:00:00Z"),
    );
    assert.equal(
      (await nextFreeSlot(t.kv, view, NOW + 1))?.start,
      Date.parse("2026-12-01T17:30:00Z"),
    );
  } finally {
    t.close();
  }
});

Deno.test("next free slot and day: a block, its removal and a kitchen edit show at once", async () => {
  const t = await testApp(NOW);
  try {
    const k = await oneKitchen(t.kv);
    const eleven = Date.parse("2026-12-01T17:00:00Z");
    const view = await getPublishedKitchen(t.kv, k.id);
    assert.equal((await nextFreeSlot(t.kv, view, NOW))?.start, eleven);
    assert.equal((await nextFreeDay(t.kv, view, NOW))?.starts[0].start, eleven);
    assert.equal(
      (await daySlots(t.kv, view, "2026-12-01", NOW))[0].start,
      eleven,
    );

    // The same kitchen record and minute: only the busy time changed.
    const block = await createBlock(t.kv, k, {
      start: eleven,
      end: Date.parse("2026-12-02T02:00:00Z"),
      reason: "Deep clean",
    }, NOW);
    assert.equal(
      (await nextFreeSlot(t.kv, view, NOW))?.start,
      Date.parse("2026-12-02T14:00:00Z"),
      "the rest of today is blocked: tomorrow at 8:00",
    );
    assert.equal((await nextFreeDay(t.kv, view, NOW))?.date, "2026-12-02");
    assert.deepEqual(await daySlots(t.kv, view, "2026-12-01", NOW), []);

    await removeBlock(t.kv, k.id, block.id);
    assert.equal((await nextFreeSlot(t.kv, view, NOW))?.start, eleven);
    assert.equal((await nextFreeDay(t.kv, view, NOW))?.date, "2026-12-01");

    // A kitchen edit gives the next read a new record.
    await updateKitchen(t.kv, k.id, (k) => ({ ...k, minNoticeHours: 4 }));
    const edited = await getPublishedKitchen(t.kv, k.id);
    assert.notEqual(edited, view);
    assert.equal(
      (await nextFreeSlot(t.kv, edited, NOW))?.start,
      Date.parse("2026-12-01T19:00:00Z"),
    );
    // Starts that fell inside the notice meanwhile are dropped from a memoised day.
    const later = NOW + 31 * MINUTE;
    const day = await nextFreeDay(t.kv, edited, later);
    assert.equal(day?.starts[0].start, Date.parse("2026-12-01T20:00:00Z"));
    assert.deepEqual(
      (await daySlots(t.kv, edited, "2026-12-01", later)).map((s) => s.start),
      day?.starts.map((s) => s.start),
    );
  } finally {
    t.close();
  }
});

Deno.test("kitchen page: free hours change on the next request after a block", async () => {
  const t = await testApp(NOW);
  try {
    const k = await oneKitchen(t.kv);
    const first = await (await t.request(`/kitchens/${k.id}`)).text();
    assert.match(first, /11:00 AM/);
    await createBlock(t.kv, k, {
      start: Date.parse("2026-12-01T17:00:00Z"),
      end: Date.parse("2026-12-01T19:00:00Z"),
      reason: "Inspection",
    }, NOW);
    const second = await (await t.request(`/kitchens/${k.id}`)).text();
    assert.doesNotMatch(second, />11:00 AM</);
    assert.match(second, />1:00 PM</);
  } finally {
    t.close();
  }
});

Deno.test("search views: pages, counts and the home page's list are cached, and kitchen writes drop them", async () => {
  const t = await testApp(NOW);
  try {
    const host = await addHost(t.kv);
    const made = await addKitchens(
      t.kv,
      host.id,
      Array.from({ length: 14 }, (_, i) =>
        kitchenFixture({
          title: `Kitchen ${i}`,
          hourlyPriceCents: 2000 + i * 100,
        })),
    );
    const q = searchQuery.parse({ city: "chicago" });
    const before = await searchKitchens(t.kv, q, NOW);
    assert.deepEqual(before.total, { count: 14, exact: true });
    const home = await loadHome(t.kv, NOW);
    assert.equal(home.cities.find((c) => c.city.slug === "chicago")?.count, 14);
    assert.equal(home.featured[0].kitchen.id, made[13].id);

    // A write that skips the repos is not seen: these really are cached.
    await t.kv.set(keys.kitchenCount("chicago"), new Deno.KvU64(99n));
    assert.equal((await searchKitchens(t.kv, q, NOW)).total.count, 14);
    forgetKitchen(t.kv, made[0].id);
    assert.equal((await searchKitchens(t.kv, q, NOW)).total.count, 99);
    await t.kv.set(keys.kitchenCount("chicago"), new Deno.KvU64(14n));
    forgetKitchen(t.kv, made[0].id);

    // Unlisting the cheapest: gone from page one, the count and the home page.
    await updateKitchen(
      t.kv,
      made[0].id,
      (k) => ({ ...k, status: "unlisted" }),
    );
    const after = await searchKitchens(t.kv, q, NOW);
    assert.deepEqual(after.total, { count: 13, exact: true });
    assert.equal(after.hits[0].kitchen.id, made[1].id);
    assert.equal(
      (await loadHome(t.kv, NOW)).cities.find((c) => c.city.slug === "chicago")
        ?.count,
      13,
    );
    // A price change reorders the index at once.
    await updateKitchen(t.kv, made[13].id, (k) => ({
      ...k,
      hourlyPriceCents: 1000,
    }));
    assert.equal(
      (await searchKitchens(t.kv, q, NOW)).hits[0].kitchen.id,
      made[13].id,
    );
    // So does a kitchen that becomes listed (its permits verified).
    const [late] = await addKitchens(t.kv, host.id, [
      kitchenFixture({ title: "Late", hourlyPriceCents: 500 }),
    ]);
    const page = await searchKitchens(t.kv, q, NOW);
    assert.equal(page.hits[0].kitchen.id, late.id);
    assert.equal(page.total.count, 14);
    assert.equal((await loadHome(t.kv, NOW)).featured[0].kitchen.id, late.id);
  } finally {
    t.close();
  }
});

Deno.test("search: pages read from cached index chunks cover every match once, in order", async () => {
  const t = await testApp(NOW);
  try {
    const host = await addHost(t.kv);
    // 95 kitchens, a third with frozen storage: a filtered scan crosses chunks of 40.
    const made = await addKitchens(
      t.kv,
      host.id,
      Array.from({ length: 95 }, (_, i) =>
        kitchenFixture({
          title: `Kitchen ${i}`,
          hourlyPriceCents: 1000 + i * 10,
          storage: i % 3 === 0 ? ["dry", "frozen"] : ["dry"],
        })),
    );
    for (const filter of [{}, { storage: ["frozen"] }]) {
      const want = made.filter((k) =>
        !("storage" in filter) || k.storage.includes("frozen")
      ).map((k) => k.id);
      for (let round = 0; round < 2; round++) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const r = await searchKitchens(
            t.kv,
            searchQuery.parse({ city: "chicago", ...filter, cursor }),
            NOW,
          );
          assert.ok(r.hits.length <= PAGE_SIZE);
          seen.push(...r.hits.map((h) => h.kitchen.id));
          cursor = r.nextCursor ?? undefined;
        } while (cursor);
        assert.deepEqual(
          seen,
          want,
          `${JSON.stringify(filter)} round ${round}`,
        );
      }
    }
  } finally {
    t.close();
  }
});

Deno.test("search with a date: memoised matches follow blocks and the clock", async () => {
  const t = await testApp(NOW);
  try {
    const k = await oneKitchen(t.kv);
    const today = searchQuery.parse({ city: "chicago", date: "2026-12-01" });
    const slotAt = async (q: typeof today, now: number) =>
      (await searchKitchens(t.kv, q, now)).hits[0]?.slot?.start ?? null;
    assert.equal(await slotAt(today, NOW), Date.parse("2026-12-01T17:00:00Z"));
    assert.equal(
      await slotAt(today, NOW + 1),
      Date.parse("2026-12-01T17:30:00Z"),
    );
    const fiveHours = searchQuery.parse({
      city: "chicago",
      date: "2026-12-01",
      hours: "5",
    });
    assert.equal(
      await slotAt(fiveHours, NOW),
      Date.parse("2026-12-01T17:00:00Z"),
    );
    // Blocked from 15:00: five hours from 11:00 no longer fit, in the same minute.
    await createBlock(t.kv, k, {
      start: Date.parse("2026-12-01T21:00:00Z"),
      end: Date.parse("2026-12-02T02:00:00Z"),
      reason: "Private event",
    }, NOW);
    assert.equal(await slotAt(fiveHours, NOW), null);
    const window = searchQuery.parse({
      city: "chicago",
      date: "2026-12-01",
      start: "15:00",
      end: "17:00",
    });
    assert.equal(await slotAt(window, NOW), null);
    assert.equal((await searchKitchens(t.kv, window, NOW)).hits.length, 0);
  } finally {
    t.close();
  }
});

Deno.test("kitchen page: repeat views read the kitchen's busy time once, whatever weeks they show", async () => {
  const t = await testApp(NOW);
  try {
    const k = await oneKitchen(t.kv);
    let lists = 0;
    const list = t.kv.list.bind(t.kv);
    t.kv.list = ((selector, options) => {
      const prefix = keys.occupancyPrefix(k.id);
      const start = "start" in selector ? selector.start : selector.prefix;
      if (prefix.every((part, i) => start[i] === part)) lists++;
      return list(selector, options);
    }) as Deno.Kv["list"];
    const last = Temporal.PlainDate.from("2026-12-01").add({
      days: k.bookingWindowDays,
    });
    // This week (from Monday, Nov 30, before today), a date in the middle,
    // and the week of the last bookable date, which runs past the window.
    for (
      const path of [
        `/kitchens/${k.id}`,
        `/kitchens/${k.id}?date=2026-12-15`,
        `/kitchens/${k.id}?date=${last}`,
        `/kitchens/${k.id}`,
      ]
    ) {
      const res = await t.request(path);
      assert.equal(res.status, 200, path);
      await res.body?.cancel();
    }
    assert.equal(lists, 1, "one read of the busy time, then the cache");
  } finally {
    t.close();
  }
});
