import type { BookableStart } from "../availability.ts";
import { CITIES, type City } from "../cities.ts";
import { ALL_CITIES, keys } from "../db/keys.ts";
import { localDate } from "./schema.ts";
import { ValidationError } from "../errors.ts";
import { daySlots, localToday, nextFreeSlot } from "./calendar.ts";
import { getHost, getKitchens, getPublishedKitchen } from "./repo.ts";
import type { Host, Kitchen } from "./schema.ts";
import type { SearchHit } from "./search.ts";

/** What the home page shows: the newest kitchens and how many each city has. */
export async function loadHome(
  kv: Deno.Kv,
  now: number,
  featuredCount = 6,
): Promise<{
  featured: SearchHit[];
  cities: { city: City; count: number }[];
}> {
  const ids: string[] = [];
  const iter = kv.list<string>({
    prefix: keys.kitchensByCreatedPrefix(ALL_CITIES),
  }, {
    reverse: true,
    limit: featuredCount,
  });
  for await (const e of iter) ids.push(e.value);
  const kitchens = (await getKitchens(kv, ids)).filter((k): k is Kitchen =>
    k !== null
  );
  const featured = await Promise.all(
    kitchens.map(async (kitchen) => ({
      kitchen,
      slot: await nextFreeSlot(kv, kitchen, now),
    })),
  );
  const counts = await kv.getMany<Deno.KvU64[]>(
    CITIES.map((c) => keys.kitchenCount(c.slug)),
  );
  return {
    featured,
    cities: CITIES.map((city, i) => ({
      city,
      count: Number(counts[i].value?.value ?? 0),
    })),
  };
}

export interface KitchenPage {
  kitchen: Kitchen;
  host: Host | null;
  date: string;
  today: string;
  lastDate: string;
  slots: BookableStart[];
}

/**
 * A published kitchen with the bookable hours of one local date (the next
 * day with free hours, in the kitchen's zone, unless asked), or NotFoundError.
 */
export async function loadKitchenPage(
  kv: Deno.Kv,
  id: string,
  dateParam: string | undefined,
  now: number,
): Promise<KitchenPage> {
  const kitchen = await getPublishedKitchen(kv, id);
  const today = localToday(kitchen.timeZone, now);
  const lastDate = Temporal.PlainDate.from(today).add({
    days: kitchen.bookingWindowDays,
  })
    .toString();
  let date = today;
  if (dateParam === undefined || dateParam === "") {
    // Opening on a day with nothing free helps no one: show the next free day.
    const next = await nextFreeSlot(kv, kitchen, now);
    if (next) date = localToday(kitchen.timeZone, next.start);
  } else {
    const parsed = localDate.safeParse(dateParam);
    if (!parsed.success) {
      throw new ValidationError(
        { date: "Use a date like 2026-12-31" },
        "Pick a valid date.",
      );
    }
    date = parsed.data;
  }
  const [host, slots] = await Promise.all([
    getHost(kv, kitchen.hostId),
    daySlots(kv, kitchen, date, now),
  ]);
  return { kitchen, host, date, today, lastDate, slots };
}
