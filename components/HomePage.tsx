import { CITIES, type City } from "../lib/cities.ts";
import type { SearchHit } from "../lib/kitchens/search.ts";
import { KitchenCard } from "./KitchenCard.tsx";

const RENTER_STEPS = [
  ["Search", "Filter by city, date and hours, price, equipment and storage."],
  [
    "Check and book",
    "See the price, the cancellation policy and what the city asks of you, then pay by card.",
  ],
  [
    "Cook",
    "The address and access code are on your booking. Arrive, cook and clean down.",
  ],
];
const HOST_STEPS = [
  ["List", "Add photos, equipment, rules, prices and your weekly hours."],
  [
    "Stay compliant",
    "Upload your permits; Prep's staff verify them and we remind you before they expire.",
  ],
  [
    "Get paid",
    "Renters pay by card; your share goes to your Stripe account, which pays out to your bank.",
  ],
];

function Steps({ steps }: { steps: string[][] }) {
  return (
    <ol class="mt-3 space-y-3">
      {steps.map(([title, text], i) => (
        <li class="flex gap-3">
          <span class="flex h-8 w-8 shrink-0 items-center justify-center rounded-full bg-emerald-700 font-bold text-white">
            {i + 1}
          </span>
          <span>
            <strong>{title}.</strong> {text}
          </span>
        </li>
      ))}
    </ol>
  );
}

/** `/`: the search box, the newest kitchens, how it works, and the cities. */

/** Lengths offered on the home page's search (the search takes any whole number). */
const HERO_HOURS = [2, 3, 4, 6, 8, 12];

export function HomePage(
  { featured, cities }: {
    featured: SearchHit[];
    cities: { city: City; count: number }[];
  },
) {
  return (
    <div class="space-y-12">
      <section class="rounded-2xl bg-emerald-900 px-6 py-12 text-white sm:px-12">
        <h1 class="max-w-2xl text-4xl font-extrabold leading-tight sm:text-5xl">
          Certified commercial kitchens, by the hour.
        </h1>
        <p class="mt-3 max-w-xl text-lg text-emerald-50">
          Find a licensed kitchen in your city for baking, catering or prepping
          your food truck, and book only the hours you need.
        </p>
        <form
          action="/search"
          method="get"
          class="mt-6 grid max-w-4xl gap-3 sm:grid-cols-2 lg:grid-cols-[1fr_1fr_1fr_1fr_auto]"
        >
          <div>
            <label for="hero-city" class="block text-sm font-semibold">
              City
            </label>
            <select
              id="hero-city"
              name="city"
              class="w-full rounded-lg px-3 py-2 text-stone-900"
            >
              <option value="">All cities</option>
              {CITIES.map((city) => (
                <option value={city.slug}>{city.name}</option>
              ))}
            </select>
          </div>
          <div>
            <label for="hero-near" class="block text-sm font-semibold">
              Or near a ZIP code
            </label>
            <input
              id="hero-near"
              name="near"
              inputMode="numeric"
              autoComplete="postal-code"
              placeholder="60614"
              maxLength={40}
              class="w-full rounded-lg px-3 py-2 text-stone-900"
            />
          </div>
          <div>
            <label for="hero-date" class="block text-sm font-semibold">
              Date
            </label>
            <input
              id="hero-date"
              name="date"
              type="date"
              class="w-full rounded-lg px-3 py-2 text-stone-900"
            />
          </div>
          <div>
            <label for="hero-hours" class="block text-sm font-semibold">
              For how long
            </label>
            <select
              id="hero-hours"
              name="hours"
              class="w-full rounded-lg px-3 py-2 text-stone-900"
            >
              <option value="">Any length</option>
              {HERO_HOURS.map((h) => (
                <option value={String(h)}>{`${h} hours`}</option>
              ))}
            </select>
          </div>
          <button
            type="submit"
            class="self-end rounded-lg bg-amber-400 px-5 py-2 font-bold text-stone-900 hover:bg-amber-300"
          >
            Find kitchens
          </button>
        </form>
      </section>
      <section aria-labelledby="featured-heading">
        <h2 id="featured-heading" class="text-2xl font-extrabold">
          New on Prep
        </h2>
        {featured.length === 0
          ? <p class="mt-2">No kitchens are listed yet.</p>
          : (
            <ul class="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
              {featured.map((h) => (
                <KitchenCard kitchen={h.kitchen} slot={h.slot} />
              ))}
            </ul>
          )}
      </section>
      <section class="grid gap-6 md:grid-cols-2">
        <div class="rounded-xl bg-white p-6 shadow-sm">
          <h2 class="text-2xl font-extrabold">How it works for renters</h2>
          <Steps steps={RENTER_STEPS} />
          <p class="mt-4">
            <a
              href="/help#booking"
              class="font-semibold text-emerald-800 underline"
            >
              More about booking and cancelling
            </a>
          </p>
        </div>
        <div id="hosts" class="rounded-xl bg-white p-6 shadow-sm">
          <h2 class="text-2xl font-extrabold">How it works for hosts</h2>
          <Steps steps={HOST_STEPS} />
          <p class="mt-4">
            <a
              href="/help#hosting"
              class="font-semibold text-emerald-800 underline"
            >
              More about hosting and payouts
            </a>
          </p>
        </div>
      </section>
      <section aria-labelledby="cities-heading">
        <h2 id="cities-heading" class="text-2xl font-extrabold">
          Cities we serve
        </h2>
        <ul class="mt-4 grid grid-cols-2 gap-3 sm:grid-cols-4">
          {cities.map(({ city, count }) => (
            <li>
              <a
                href={`/cities/${city.slug}`}
                class="block rounded-xl border border-stone-200 bg-white p-4 hover:border-emerald-700"
              >
                <span class="block font-bold">{city.name}</span>
                <span class="text-sm text-stone-600">
                  {count} {count === 1 ? "kitchen" : "kitchens"}
                </span>
              </a>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
