import { formatClock, formatClockRange } from "../lib/format.ts";
import type { ComponentChildren } from "preact";
import { findCity } from "../lib/cities.ts";
import { describePolicy, POLICY_NAMES } from "../lib/kitchens/policy.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { inWeekOrder } from "../lib/kitchens/weekly_hours.ts";
import type { Host } from "../lib/hosts/schema.ts";
import { EQUIPMENT, STORAGE } from "../lib/kitchens/vocabulary.ts";
import { formatDate } from "../lib/format.ts";
import { formatCents } from "../lib/money.ts";
import {
  type BookingNotes,
  type CityRequirements,
  type KitchenPagePicks,
  renterNeeds,
} from "../lib/compliance/kitchen_page.ts";
import { ViewerSlot } from "../lib/islands/slots.ts";
import { type Viewer, VISITOR } from "./Viewer.tsx";
import type { KitchenPage as KitchenPageData } from "../lib/kitchens/pages.ts";
import { kitchenPageHref, pickNote } from "../lib/kitchens/pick.ts";
import { pickerDay } from "../lib/kitchens/slot_view.ts";
import { type WeekView, weekView } from "../lib/kitchens/week_view.ts";
import { BookWeeklyCard } from "./SeriesAskPage.tsx";
import AvailabilityPicker from "../islands/AvailabilityPicker.tsx";
import { ViewerHeart } from "./Heart.tsx";
import { DocumentNeeds } from "./DocumentStates.tsx";
import { AskHost } from "./MessagesPages.tsx";
import { bookingModeOf } from "../lib/bookings/holds.ts";
import { REQUEST_TO_BOOK_TERMS } from "../lib/bookings/request_terms.ts";
import type { PlaceView } from "../lib/kitchens/place.ts";
import type { MapTiles } from "../lib/place/tiles.ts";
import { StaticMap } from "./StaticMap.tsx";
import type { KitchenReviewsView } from "../lib/reviews/pages.ts";
import { KitchenReviewsSection, RatingLine } from "./ReviewPages.tsx";

const WEEKDAYS = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** A name ended as a sentence: "Borough Commissary Co." keeps its one stop. */
function sentence(name: string): string {
  return /[.!?]$/.test(name) ? name : `${name}.`;
}

/**
 * A kitchen's public page; `aside` is the booking column (the availability
 * picker, or a note in the host's preview).
 */
export function KitchenPage(
  {
    kitchen: k,
    host,
    aside,
    requirements,
    permitsVerified = true,
    place,
    tiles,
    save,
    ask,
    reviews,
  }: {
    kitchen: Kitchen;
    /** The heart (lib/saved); absent in the host's preview. */
    save?: ComponentChildren;
    host: Pick<Host, "name"> | null;
    aside: ComponentChildren;
    /** Below the booking column: "Ask the host" (lib/messages). */
    ask?: ComponentChildren;
    /** The city's rules; absent in the host's preview. */
    requirements?: CityRequirements;
    /** False while the kitchen's permits keep it from taking bookings. */
    permitsVerified?: boolean;
    /** Where it is, as renters see it (the approximate circle), and the map tiles. */
    place?: PlaceView;
    tiles?: MapTiles;
    /** Its rating and latest reviews (lib/reviews); absent in the host's preview. */
    reviews?: KitchenReviewsView;
  },
) {
  const city = findCity(k.address.city);
  return (
    <article class="space-y-8">
      <header>
        <p class="text-sm text-stone-600">
          <a href={`/cities/${k.address.city}`} class="hover:underline">
            {city?.name}
          </a>
          {" · "}
          {k.address.neighborhood}
        </p>
        <h1 class="text-3xl font-extrabold">{k.title}</h1>
        <p class="mt-1 text-lg">
          <strong>{formatCents(k.hourlyPriceCents)}</strong> per hour
          {" · "}
          {k.minHours === 1 ? "1 hour minimum" : `${k.minHours} hours minimum`}
          {" · "}
          cleaning fee {formatCents(k.cleaningFeeCents)}
        </p>
        {reviews && reviews.summary.count > 0 && (
          <p class="mt-1">
            <RatingLine
              average={reviews.summary.average}
              count={reviews.summary.count}
              href="#reviews"
            />
          </p>
        )}
        {bookingModeOf(k) === "request" && (
          <p
            class="mt-2 font-medium text-amber-900"
            data-testid="request-terms"
          >
            {REQUEST_TO_BOOK_TERMS}
          </p>
        )}
        {save && <div class="mt-3">{save}</div>}
      </header>
      <ul class="grid gap-2 sm:grid-cols-3" aria-label="Photos">
        {k.photos.map((p, i) => (
          <li class={i === 0 ? "sm:col-span-2 sm:row-span-2" : ""}>
            <img
              src={`/photos/${p.id}`}
              alt={p.alt}
              width={1200}
              height={800}
              class="aspect-[3/2] w-full rounded-xl object-cover"
            />
          </li>
        ))}
      </ul>
      <div class="grid gap-8 lg:grid-cols-3">
        <div class="space-y-6 lg:col-span-2">
          <section>
            <h2 class="text-xl font-bold">About this kitchen</h2>
            <p class="mt-2 typed-text">{k.description}</p>
            <p class="mt-2 text-sm text-stone-600">
              {`Hosted by ${sentence(host?.name ?? "a Prep host")} Fits `}
              {k.capacity}{" "}
              {k.capacity === 1 ? "person" : "people"}. Exact address shared
              after booking.
            </p>
          </section>
          {place && tiles && <StaticMap place={place} tiles={tiles} />}
          <section>
            <h2 class="text-xl font-bold">Equipment</h2>
            <ul class="mt-2 grid grid-cols-2 gap-1">
              {k.equipment.map((e) => <li key={e}>{EQUIPMENT[e]}</li>)}
            </ul>
          </section>
          <section>
            <h2 class="text-xl font-bold">Storage</h2>
            <p class="mt-2">
              {k.storage.length
                ? k.storage.map((s) => STORAGE[s]).join(", ")
                : "No storage"}
            </p>
          </section>
          <section>
            <h2 class="text-xl font-bold">Opening hours</h2>
            <ul class="mt-2 text-sm">
              {inWeekOrder(k.weeklyHours).map((r) => (
                <li>
                  {WEEKDAYS[r.day]} {formatClockRange(r.start, r.end)}
                  {r.end <= r.start ? " (overnight)" : ""}
                </li>
              ))}
            </ul>
            <p class="mt-1 text-sm text-stone-600">
              Times are local to the kitchen ({k.timeZone}). Book at least{" "}
              {k.minNoticeHours} hours ahead, up to {k.bookingWindowDays}{" "}
              days out.
              {k.bufferMinutes > 0 &&
                ` ${k.bufferMinutes} minutes are kept free between bookings.`}
            </p>
          </section>
          {requirements && (
            <Requirements
              r={requirements}
              city={k.address.city}
              verified={permitsVerified}
            />
          )}
          <section>
            <h2 class="text-xl font-bold">House rules</h2>
            <ul class="mt-2 list-disc pl-5">
              {k.rules.map((r, i) => <li key={i}>{r}</li>)}
            </ul>
          </section>
          <section>
            <h2 class="text-xl font-bold">
              Cancellation policy: {POLICY_NAMES[k.cancellationPolicy]}
            </h2>
            <ul class="mt-2 list-disc pl-5">
              {describePolicy(k.cancellationPolicy).map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          </section>
          {reviews && <KitchenReviewsSection view={reviews} />}
        </div>
        <aside id="book" class="book-target scroll-mt-4 space-y-4">
          {aside}
          {ask}
        </aside>
      </div>
    </article>
  );
}

/**
 * `/kitchens/:id`: the kitchen, the city's rules, and the booking column:
 * the availability picker, opened on the date and hours the page was asked
 * for, and the week around that date; or why it takes no bookings now. On
 * a phone, a bar at the foot of the screen keeps the price and a way to
 * the picker in reach.
 */
export function PublicKitchenPage(
  { data, tiles, ask }: {
    data:
      & KitchenPageData
      & BookingNotes
      & KitchenPagePicks
      & {
        requirements: CityRequirements;
        reviews?: KitchenReviewsView;
      };
    /** The map tiles for the kitchen's static map. */
    tiles?: MapTiles;
    /** "Ask the host": the host's reply time (lib/messages); shown to all but the host. */
    ask: { replies: string | null };
  },
) {
  const k = data.kitchen;
  const bookable = data.notBookable === null;
  const day = pickerDay(k, data.date, data.slots, data.picked);
  const missed = pickNote(data.date, data.picked, day, k);
  const note = [data.permitLapse, missed].filter(Boolean).join(" ");
  return (
    <div class="book-scope">
      <KitchenPage
        kitchen={k}
        host={data.host}
        requirements={data.requirements}
        permitsVerified={bookable}
        place={data.place}
        tiles={tiles}
        save={
          <ViewerSlot
            component={ViewerHeart}
            props={{
              kitchenId: k.id,
              title: k.title,
              back: kitchenPageHref(k.id, data.pick),
              look: "page" as const,
            }}
          />
        }
        ask={
          <ViewerSlot
            component={AskSlot}
            props={{ kitchenId: k.id, hostId: k.hostId, replies: ask.replies }}
          />
        }
        reviews={data.reviews}
        aside={!bookable ? <NotBookable reason={data.notBookable ?? ""} /> : (
          <>
            <AvailabilityPicker
              kitchenId={k.id}
              kitchenTitle={k.title}
              today={data.today}
              lastDate={data.lastDate}
              minHours={k.minHours}
              note={note || null}
              requestToBook={bookingModeOf(k) === "request"}
              {...day}
            />
            <WeekOfHours
              view={weekView(k, data.week, data.date, data, data.pick)}
            />
            {k.standingBookings && (
              <BookWeeklyCard
                kitchen={k}
                pick={data.pick.date === data.date && data.pick.end
                  ? { ...data.pick, date: data.date }
                  : { date: data.date }}
              />
            )}
          </>
        )}
      />
      {bookable && (
        <BookingBar
          kitchen={k}
          hours={data.picked.asked && !missed
            ? `${formatDate(data.date)}, ${data.picked.asked}`
            : null}
        />
      )}
    </div>
  );
}

/**
 * Seven days of free hours beside the day picker. Plain links, so it needs
 * no JavaScript: a day opens the page on that date with the same hours
 * asked, and the week links step a week at a time.
 */
function WeekOfHours({ view }: { view: WeekView }) {
  const link = "text-emerald-800 underline";
  return (
    <section
      id="week"
      aria-labelledby="week-heading"
      class="scroll-mt-4 rounded-xl border border-stone-200 bg-white p-4"
      data-testid="week"
    >
      <h2 id="week-heading" class="text-xl font-bold">{view.heading}</h2>
      <p class="text-sm text-stone-600">
        Free hours each day. Pick a day to see its start times.
      </p>
      <ul class="mt-2 divide-y divide-stone-100">
        {view.days.map((d) => (
          <li
            key={d.date}
            class={d.picked
              ? "flex gap-3 py-2 font-semibold"
              : "flex gap-3 py-2"}
          >
            {d.href
              ? (
                <a
                  href={d.href}
                  aria-current={d.picked ? "date" : undefined}
                  class={`shrink-0 ${link}`}
                >
                  {d.label}
                </a>
              )
              : <span class="shrink-0 text-stone-600">{d.label}</span>}
            <span class="ml-auto text-right text-sm">{d.freeText}</span>
          </li>
        ))}
      </ul>
      <nav
        aria-label="Other weeks"
        class="mt-2 flex justify-between text-sm font-semibold"
      >
        {view.earlierHref
          ? <a href={view.earlierHref} class={link}>← Earlier week</a>
          : <span />}
        {view.laterHref && (
          <a href={view.laterHref} class={link}>Later week →</a>
        )}
      </nav>
    </section>
  );
}

/**
 * The phone's booking bar: the price, and a link to the picker, which sits
 * below the kitchen's details on a narrow screen. Sticky, not fixed, so it
 * comes to rest after the page instead of covering its foot; where the
 * browser has scroll-driven animations it steps aside once the booking
 * column comes into view (the `book-bar` rules in lib/assets/styles.ts),
 * so it never covers the form it leads to.
 */
function BookingBar(
  { kitchen: k, hours }: {
    kitchen: Kitchen;
    /** The hours the picker opened on, when a search brought them. */
    hours: string | null;
  },
) {
  return (
    <div
      class="book-bar sticky bottom-0 z-10 -mx-4 mt-6 border-t border-stone-200 bg-white px-4 py-3 shadow-lg lg:hidden"
      data-testid="booking-bar"
    >
      <div class="flex items-center justify-between gap-3">
        <p>
          <strong class="text-lg">{formatCents(k.hourlyPriceCents)}</strong>
          {" per hour"}
          <span class="block text-sm text-stone-600">
            {hours ??
              (k.minHours === 1
                ? "1 hour minimum"
                : `${k.minHours} hours minimum`)}
          </span>
        </p>
        <a
          href="#book"
          class="shrink-0 whitespace-nowrap rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
        >
          Choose hours
        </a>
      </div>
    </div>
  );
}

/**
 * The booking column of a kitchen that takes no bookings now: says so, and
 * why, instead of offering times every pick of which would be refused.
 */
export function NotBookable({ reason }: { reason: string }) {
  return (
    <section
      aria-labelledby="not-bookable-heading"
      class="rounded-xl border border-amber-300 bg-amber-50 p-4"
      data-testid="not-bookable"
    >
      <h2 id="not-bookable-heading" class="text-xl font-bold">
        Not taking bookings
      </h2>
      <p class="mt-2">{reason}</p>
      <p class="mt-2 text-sm text-stone-700">
        <a class="underline" href="/search">Find another kitchen</a>
      </p>
    </section>
  );
}

/** What the city asks of the kitchen and the renter, and what the renter has on file. */
function Requirements(
  { r, city, verified }: {
    r: CityRequirements;
    city: string;
    verified: boolean;
  },
) {
  return (
    <section aria-labelledby="city-rules">
      <h2 id="city-rules" class="text-xl font-bold">
        {`${r.cityName} rules for this kitchen`}
      </h2>
      <p class="mt-2">
        {verified
          ? `Prep has verified this kitchen's ${r.kitchenPermits.join(", ")}.`
          : `${r.cityName} requires this kitchen's ${
            r.kitchenPermits.join(", ")
          } to be verified by Prep before it takes bookings.`}
      </p>
      {r.quietHours && (
        <p class="mt-2">
          {`Quiet hours: no kitchen use from ${
            formatClock(r.quietHours.start)
          } to ${formatClock(r.quietHours.end)}.`}
        </p>
      )}
      <h3 class="mt-3 font-semibold">
        To book here you need, verified by Prep:
      </h3>
      <ViewerSlot
        component={RenterNeeds}
        props={{ city, needs: "documents" as const }}
      />
    </section>
  );
}

/** The renter's part of the city's rules: where the viewer stands on each (a viewer slot). */
function RenterNeeds(
  { city, viewer }: {
    city: string;
    /** Tells the page cache to load the viewer's documents (routes/context.tsx). */
    needs: "documents";
    viewer: Viewer | null;
  },
) {
  const { documents, now } = viewer ?? VISITOR;
  const needs = renterNeeds(city, documents, now);
  const signedIn = needs.some((x) => x.state !== null);
  return (
    <>
      {signedIn
        ? (
          <div class="mt-2">
            <DocumentNeeds
              needs={needs.map((x) => ({
                requirement: x.label,
                ...x.state!,
              }))}
              label="Your documents for this city"
            />
          </div>
        )
        : (
          <ul class="mt-1 list-disc space-y-1 pl-5">
            {needs.map((x) => <li key={x.label}>{x.label}</li>)}
          </ul>
        )}
      <p class="mt-2 text-sm">
        {signedIn
          ? <a class="underline" href="/account/compliance">Your documents</a>
          : "Log in to see whether your documents are on file."}
      </p>
    </>
  );
}

// What the slot shows is what renterNeeds says (memoized per documents and minute).
RenterNeeds.viewerKey = (
  { city }: { city: string },
  viewer: Viewer | null,
): string => {
  const { documents, now } = viewer ?? VISITOR;
  return JSON.stringify(renterNeeds(city, documents, now));
};

/** "Ask the host", to anyone but the host (a viewer slot). */
function AskSlot(
  { kitchenId, hostId, replies, viewer }: {
    kitchenId: string;
    hostId: string;
    replies: string | null;
    viewer: Viewer | null;
  },
) {
  if (viewer?.user?.id === hostId) return null;
  return <AskHost kitchenId={kitchenId} replies={replies} />;
}

AskSlot.viewerKey = (
  { hostId }: { hostId: string },
  viewer: Viewer | null,
): string => viewer?.user?.id === hostId ? "host" : "";
