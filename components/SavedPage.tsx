import { findCity } from "../lib/cities.ts";
import { formatDate, formatTime } from "../lib/format.ts";
import { kitchenPageHref } from "../lib/kitchens/pick.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { formatCents } from "../lib/money.ts";
import type { SavedPage, SavedRow } from "../lib/saved/saving.ts";
import { MAX_SAVED, NEXT_FREE_DAYS } from "../lib/saved/schema.ts";
import SaveHeart from "../islands/SaveHeart.tsx";
import { Notice } from "./Forms.tsx";

const link = "font-semibold text-emerald-800 underline";
const removeButton =
  "rounded-lg border border-stone-300 bg-white px-3 py-1.5 text-sm font-semibold hover:bg-stone-50";

const place = (k: Kitchen) =>
  `${k.address.neighborhood}, ${
    findCity(k.address.city)?.name ?? k.address.city
  }`;

/** A kitchen's cover photo, or a blank of the same shape. */
function Photo({ kitchen: k }: { kitchen: Kitchen }) {
  const photo = k.photos[0];
  return photo
    ? (
      <img
        src={`/photos/${photo.cardId ?? photo.id}`}
        alt={photo.alt}
        width={600}
        height={400}
        loading="lazy"
        class="aspect-[3/2] w-full object-cover sm:w-48 sm:shrink-0 sm:rounded-lg"
      />
    )
    : (
      <div class="aspect-[3/2] w-full bg-stone-200 sm:w-48 sm:shrink-0 sm:rounded-lg" />
    );
}

/** The Remove button of one row: a plain post that comes back to this page. */
function Remove(
  { kitchenId, name, back }: { kitchenId: string; name: string; back: string },
) {
  return (
    <form method="post" action={`/saved/${kitchenId}/remove`}>
      <input type="hidden" name="back" value={back} />
      <button type="submit" class={removeButton}>
        Remove<span class="sr-only">{` ${name}`}</span>
      </button>
    </form>
  );
}

/** When an open kitchen is next free, in its own zone's words. */
function nextFree(row: SavedRow & { kind: "open" }): string {
  if (!row.next) return `No free hours in the next ${NEXT_FREE_DAYS} days`;
  return `Next free day: ${formatDate(row.next.date)}, from ${
    formatTime(row.kitchen.timeZone, row.next.start)
  }`;
}

function Row({ row, back }: { row: SavedRow; back: string }) {
  if (row.kind === "gone") {
    return (
      <li class="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-dashed border-stone-300 bg-white p-4">
        <p class="text-stone-700">
          A kitchen you saved is no longer on Prep.
        </p>
        <Remove
          kitchenId={row.kitchenId}
          name="the kitchen no longer on Prep"
          back={back}
        />
      </li>
    );
  }
  const k = row.kitchen;
  const listed = row.kind === "open" || row.kind === "paused";
  const href = row.kind === "open" && row.next
    ? kitchenPageHref(k.id, { date: row.next.date })
    : `/kitchens/${k.id}`;
  return (
    <li
      class="overflow-hidden rounded-xl border border-stone-200 bg-white shadow-sm sm:flex sm:gap-4 sm:p-3"
      data-testid="saved-kitchen"
    >
      {listed ? <Photo kitchen={k} /> : null}
      <div class="flex flex-1 flex-col gap-1 p-4 sm:p-1">
        <h2 class="text-lg font-bold leading-snug">
          {listed
            ? <a href={href} class="hover:underline">{k.title}</a>
            : k.title}
        </h2>
        <p class="text-sm text-stone-600">{place(k)}</p>
        {listed && (
          <p class="font-semibold">
            {formatCents(k.hourlyPriceCents)}
            <span class="font-normal text-stone-600">/hour</span>
          </p>
        )}
        <p
          class={row.kind === "open"
            ? "text-sm font-medium text-emerald-800"
            : "text-sm font-medium text-amber-900"}
        >
          {row.kind === "open"
            ? nextFree(row)
            : row.kind === "paused"
            ? "Not taking bookings right now; its page says why."
            : "No longer listed on Prep."}
        </p>
        <div class="mt-2 flex flex-wrap items-center gap-3">
          {row.kind === "open" && (
            <a href={href} class={link}>
              {row.next ? "See free hours" : "See the kitchen"}
              <span class="sr-only">{` for ${k.title}`}</span>
            </a>
          )}
          <Remove kitchenId={k.id} name={k.title} back={back} />
        </div>
      </div>
    </li>
  );
}

/** `/saved`: the signed-in renter's saved kitchens, newest saved first. */
export function SavedListPage(
  { page, paged, notice, back }: {
    page: SavedPage;
    /** Whether this is an older page than the newest. */
    paged: boolean;
    notice?: string;
    /** This page, for the Remove buttons to come back to. */
    back: string;
  },
) {
  const { rows, cursor, total } = page;
  return (
    <section class="mx-auto max-w-3xl space-y-6">
      <div>
        <h1 class="text-3xl font-extrabold">Saved kitchens</h1>
        <p class="mt-1 text-stone-700">
          {total === 0
            ? "Kitchens you save show up here, with when each is next free."
            : `${total} ${total === 1 ? "kitchen" : "kitchens"} saved${
              total >= MAX_SAVED ? `, the most a list keeps` : ""
            }. Newest saved first.`}
        </p>
      </div>
      {notice && <Notice>{notice}</Notice>}
      {rows.length === 0
        ? (
          <div class="rounded-xl border border-dashed border-stone-300 bg-white p-8">
            <h2 class="text-xl font-bold">
              {paged ? "No older saved kitchens" : "No saved kitchens yet"}
            </h2>
            <p class="mt-2 text-stone-700">
              Tap the heart on a kitchen in search or on its page to keep it
              here, and come back to book when you are ready.
            </p>
            <p class="mt-4">
              <a
                href="/search"
                class="inline-block rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
              >
                Find a kitchen
              </a>
            </p>
          </div>
        )
        : (
          <ul class="space-y-4" aria-label="Your saved kitchens">
            {rows.map((row) => (
              <Row
                key={row.kind === "gone" ? row.kitchenId : row.kitchen.id}
                row={row}
                back={back}
              />
            ))}
          </ul>
        )}
      <nav aria-label="Saved kitchen pages" class="flex gap-4">
        {paged && <a href="/saved" class={link}>Newest saved kitchens</a>}
        {cursor && (
          <a href={`/saved?cursor=${cursor}`} class={link}>
            Older saved kitchens
          </a>
        )}
        {total > 0 && <a href="/search" class={link}>Find more kitchens</a>}
      </nav>
    </section>
  );
}

/**
 * `/saved/:id`: where logging in leads back to after a visitor pressed a
 * heart. With JavaScript, and when this browser pressed that heart, the
 * save is posted at once (`auto`) and the answer leads back to the page
 * the heart was on; otherwise one press saves it.
 */
export function SavePromptPage(
  { kitchen: k, saved, back, auto }: {
    kitchen: Kitchen;
    saved: boolean;
    back: string;
    auto: boolean;
  },
) {
  return (
    <section class="mx-auto max-w-xl space-y-5">
      <h1 class="text-3xl font-extrabold">
        {saved ? "This kitchen is saved" : "Save this kitchen"}
      </h1>
      <div class="overflow-hidden rounded-xl border border-stone-200 bg-white shadow-sm sm:flex sm:gap-4 sm:p-3">
        <Photo kitchen={k} />
        <div class="space-y-1 p-4 sm:p-1">
          <h2 class="text-lg font-bold leading-snug">
            <a href={`/kitchens/${k.id}`} class="hover:underline">{k.title}</a>
          </h2>
          <p class="text-sm text-stone-600">{place(k)}</p>
          <p class="font-semibold">
            {formatCents(k.hourlyPriceCents)}
            <span class="font-normal text-stone-600">/hour</span>
          </p>
        </div>
      </div>
      {saved
        ? (
          <p>
            It is on your list of saved kitchens.{" "}
            <a href="/saved" class={link}>See your saved kitchens</a>
          </p>
        )
        : (
          <>
            <p>
              Keep it on your list of saved kitchens, to come back to when you
              are ready to book.
            </p>
            <SaveHeart
              kitchenId={k.id}
              title={k.title}
              saved={false}
              signedIn
              back={back}
              look="page"
              auto={auto}
            />
          </>
        )}
      <p>
        <a href={back} class={link}>
          {saved ? "Back to where you were" : "Not now, go back"}
        </a>
      </p>
    </section>
  );
}
