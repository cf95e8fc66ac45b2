import type { BookableStart } from "../lib/kitchens/availability.ts";
import { findCity } from "../lib/cities.ts";
import { formatDayTime } from "../lib/format.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { EQUIPMENT } from "../lib/kitchens/vocabulary.ts";
import { formatCents } from "../lib/money.ts";

export function KitchenCard(
  { kitchen: k, slot, slotLabel = "Next free" }: {
    kitchen: Kitchen;
    slot: BookableStart | null;
    slotLabel?: string;
  },
) {
  const photo = k.photos[0];
  return (
    <li class="overflow-hidden rounded-xl border border-stone-200 bg-white shadow-sm">
      <a href={`/kitchens/${k.id}`} class="block h-full hover:bg-stone-50">
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
          <h3 class="text-lg font-bold leading-snug">{k.title}</h3>
          <p class="text-sm text-stone-600">
            {k.address.neighborhood},{" "}
            {findCity(k.address.city)?.name ?? k.address.city}
          </p>
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
    </li>
  );
}
