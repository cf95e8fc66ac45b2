import type { BookableStart } from "../lib/kitchens/availability.ts";
import { findCity } from "../lib/cities.ts";
import { formatDayTime } from "../lib/format.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { EQUIPMENT } from "../lib/kitchens/vocabulary.ts";
import { formatCents } from "../lib/money.ts";
import { ViewerSlot } from "../lib/islands/slots.ts";
import { ViewerHeart } from "./Heart.tsx";
import { RatingLine } from "./ReviewPages.tsx";

/** A card's heart (lib/saved): the page its form leads back to. */
export interface CardSave {
  back: string;
}

/**
 * A kitchen in a list of results. `href` carries what a search asked (the
 * kitchen page opens its picker on it); `heading` keeps the page's outline
 * whole: h2 on the search page, h3 under the home page's sections.
 */
export function KitchenCard(
  {
    kitchen: k,
    slot,
    slotLabel = "Next free",
    href,
    heading = "h3",
    distance = null,
    save,
    rating,
  }: {
    kitchen: Kitchen;
    slot: BookableStart | null;
    slotLabel?: string;
    href?: string;
    heading?: "h2" | "h3";
    /** "1.2 mi" from a distance search's centre (to the approximate place). */
    distance?: string | null;
    /** A heart over the photo; none where no page to come back to is given. */
    save?: CardSave;
    /** Its reviews' average and count (lib/reviews), when it has any. */
    rating?: { average: number; count: number } | null;
  },
) {
  const photo = k.photos[0];
  const Heading = heading;
  return (
    <li class="relative overflow-hidden rounded-xl border border-stone-200 bg-white shadow-sm">
      <a
        href={href ?? `/kitchens/${k.id}`}
        class="block h-full hover:bg-stone-50"
      >
        {photo
          ? (
            <img
              src={`/photos/${photo.cardId ?? photo.id}`}
              alt={photo.alt}
              width={600}
              height={400}
              loading="lazy"
              class="aspect-[3/2] w-full object-cover"
            />
          )
          : <div class="aspect-[3/2] w-full bg-stone-200" />}
        <div class="space-y-1 p-4">
          <Heading class="text-lg font-bold leading-snug">{k.title}</Heading>
          <p class="text-sm text-stone-600">
            {k.address.neighborhood},{" "}
            {findCity(k.address.city)?.name ?? k.address.city}
          </p>
          {distance && (
            <p class="text-sm font-semibold text-stone-800">
              {`${distance} away`}
            </p>
          )}
          {rating && (
            <p class="text-sm">
              <RatingLine average={rating.average} count={rating.count} />
            </p>
          )}
          <p class="font-semibold">
            {formatCents(k.hourlyPriceCents)}
            <span class="font-normal text-stone-600">/hour</span>
          </p>
          <p class="text-sm text-stone-700">
            {k.equipment.slice(0, 3).map((e) => EQUIPMENT[e]).join(" · ")}
          </p>
          <p class="text-sm font-medium text-emerald-800">
            {slot
              ? `${slotLabel}: ${formatDayTime(k.timeZone, slot.start)}`
              : "No free hours soon"}
          </p>
        </div>
      </a>
      {save && (
        // Beside the link, not in it: a button inside a link is neither.
        <div class="absolute right-3 top-3">
          <ViewerSlot
            component={ViewerHeart}
            props={{
              kitchenId: k.id,
              title: k.title,
              back: save.back,
              look: "card" as const,
            }}
          />
        </div>
      )}
    </li>
  );
}
