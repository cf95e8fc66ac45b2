import type { ComponentChildren } from "preact";
import { CITIES } from "../lib/cities.ts";
import { ViewerSlot } from "../lib/islands/slots.ts";
import { EmailBanner, HeaderLinks } from "./Viewer.tsx";

export interface LayoutProps {
  title: string;
  description?: string;
  /** URL path of the hashed stylesheet. */
  css: string;
  /** Keeps the header search box filled on result pages. */
  city?: string;
  children: ComponentChildren;
}

export function Layout(
  {
    title,
    description,
    css,
    city,
    children,
  }: LayoutProps,
) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title === "Prep" ? title : `${title} · Prep`}</title>
        <meta
          name="description"
          content={description ??
            "Rent certified commercial kitchens by the hour."}
        />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href={css} />
      </head>
      <body class="min-h-screen flex flex-col bg-stone-50 text-stone-900 antialiased">
        <a
          href="#main"
          class="skip-link absolute left-2 top-2 z-50 rounded bg-emerald-800 px-4 py-2 text-white"
        >
          Skip to content
        </a>
        <header class="border-b border-stone-200 bg-white">
          <div class="mx-auto flex max-w-6xl flex-wrap items-center gap-3 px-4 py-3">
            <a
              href="/"
              class="text-2xl font-extrabold tracking-tight text-emerald-800"
            >
              Prep
            </a>
            <form
              action="/search"
              method="get"
              role="search"
              class="order-3 flex w-full gap-2 sm:order-none sm:w-auto sm:flex-1"
            >
              <label for="header-city" class="sr-only">City</label>
              <select
                id="header-city"
                name="city"
                class="min-w-0 flex-1 rounded-lg border border-stone-300 bg-white px-3 py-2"
              >
                <option value="">All cities</option>
                {CITIES.map((c) => (
                  <option value={c.slug} selected={c.slug === city}>
                    {c.name}
                  </option>
                ))}
              </select>
              <button
                type="submit"
                class="rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
              >
                Search
              </button>
            </form>
            <nav
              aria-label="Main"
              class="ml-auto flex flex-wrap items-center gap-x-4 gap-y-1 text-sm font-medium"
            >
              <a href="/search" class="hover:underline">Find a kitchen</a>
              <ViewerSlot component={HeaderLinks} props={{}} />
            </nav>
          </div>
        </header>
        <ViewerSlot component={EmailBanner} props={{}} />
        <main
          id="main"
          tabIndex={-1}
          class="mx-auto w-full max-w-6xl flex-1 px-4 py-8"
        >
          {children}
        </main>
        <footer class="border-t border-stone-200 bg-white">
          <div class="mx-auto grid max-w-6xl gap-6 px-4 py-8 text-sm text-stone-600 sm:grid-cols-3">
            <div>
              <p class="font-bold text-stone-900">Prep</p>
              <p>
                Certified commercial kitchens by the hour, with compliance built
                into booking.
              </p>
              <nav aria-label="Help and policies" class="mt-3">
                <ul class="flex flex-wrap gap-x-4 gap-y-1 font-medium text-stone-900">
                  <li>
                    <a href="/help" class="hover:underline">Help</a>
                  </li>
                  <li>
                    <a href="/contact" class="hover:underline">Contact</a>
                  </li>
                  <li>
                    <a href="/terms" class="hover:underline">Terms</a>
                  </li>
                  <li>
                    <a href="/privacy" class="hover:underline">Privacy</a>
                  </li>
                </ul>
              </nav>
            </div>
            <nav aria-label="Cities">
              <p class="font-bold text-stone-900">Cities</p>
              <ul class="mt-1 grid grid-cols-2 gap-1">
                {CITIES.map((c) => (
                  <li>
                    <a href={`/cities/${c.slug}`} class="hover:underline">
                      {c.name}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <div>
              <p class="font-bold text-stone-900">For hosts</p>
              <p>Earn from idle kitchen hours. Payouts through Stripe.</p>
              <p class="mt-2">
                <a href="/certifiers" class="hover:underline">
                  Federal certifier directory
                </a>
              </p>
            </div>
          </div>
          <p class="mx-auto max-w-6xl px-4 pb-6 text-xs text-stone-600">
            {/* The ZIP gazetteer's licence (CC BY 4.0) asks for this credit. */}
            Place data from{" "}
            <a href="https://www.geonames.org" class="underline">GeoNames</a>,
            {" "}
            <a
              href="https://creativecommons.org/licenses/by/4.0/"
              class="underline"
            >
              CC BY 4.0
            </a>.
          </p>
        </footer>
      </body>
    </html>
  );
}
