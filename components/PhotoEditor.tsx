import PhotoUploader from "../islands/PhotoUploader.tsx";
import type { Listing } from "../lib/kitchens/listings.ts";
import { MIN_PHOTOS } from "../lib/kitchens/listings.ts";
import { MAX_PIXELS, PHOTO_MAX_BYTES } from "../lib/images/inspect.ts";
import { LARGE_EDGE } from "../lib/images/reencode.ts";
import { MAX_PHOTOS } from "../lib/kitchens/photos.ts";
import type { PhotoRef } from "../lib/kitchens/schema.ts";
import { FormMessage, type FormState, Notice } from "./Forms.tsx";
import { EditorShell, SavedNotice } from "./ListingSteps.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const small =
  "rounded-lg border border-stone-300 px-3 py-1 text-sm font-semibold hover:bg-stone-50";
const input =
  "mt-1 w-full rounded-lg border border-stone-300 bg-white px-3 py-2";
const invalidInput =
  "mt-1 w-full rounded-lg border-2 border-red-700 bg-red-50 px-3 py-2";

/**
 * The photos section of the listing editor: the upload form (an island that
 * shows progress and a preview; a plain multipart form without JavaScript),
 * then every photo with its description, order and delete buttons.
 * `formFor` says which form a failed post belongs to ("upload" or a photo id).
 */
export function PhotoEditorPage(
  { listing, canEdit, notice, form, formFor }: {
    listing: Listing;
    /** Support staff look without the forms (the routes refuse them too). */
    canEdit: boolean;
    notice?: string;
    form?: FormState;
    formFor?: string;
  },
) {
  const photos = listing.values.photos ?? [];
  const base = `/host/kitchens/${listing.id}/photos`;
  const full = photos.length >= MAX_PHOTOS;
  const uploadForm = formFor === "upload" ? form : undefined;
  const enough = photos.length >= MIN_PHOTOS;
  return (
    <EditorShell listing={listing} current="photos">
      <section class="max-w-3xl space-y-5">
        <h1 class="text-3xl font-extrabold">Photos</h1>
        <p class="text-stone-700">
          {`${photos.length} of ${MAX_PHOTOS} photos. The first is the cover shown in search results; a kitchen needs at least ${MIN_PHOTOS} to be published.`}
        </p>
        {enough
          ? (
            <SavedNotice
              listing={listing}
              step="photos"
              text={notice ?? `${photos.length} photos: enough to publish.`}
            />
          )
          : notice && <Notice>{notice}</Notice>}
        {form && (formFor !== "upload" || full) && <FormMessage form={form} />}
        {!canEdit && (
          <p class="text-stone-700">
            Only the kitchen's host or an admin adds and changes its photos.
          </p>
        )}
        {canEdit && (
          <div class={card}>
            <h2 class="text-xl font-bold">Add a photo</h2>
            {full
              ? (
                <p class="mt-2">
                  {`This kitchen has ${MAX_PHOTOS} photos, the most it can have. Delete one to add another.`}
                </p>
              )
              : (
                <PhotoUploader
                  action={base}
                  done={`/host/kitchens/${listing.id}/edit/photos?notice=added`}
                  maxBytes={PHOTO_MAX_BYTES}
                  maxPixels={MAX_PIXELS}
                  largeEdge={LARGE_EDGE}
                  alt={uploadForm?.values.alt ?? ""}
                  message={uploadForm?.message}
                  errors={uploadForm?.errors ?? {}}
                />
              )}
          </div>
        )}
        {photos.length > 0 && (
          <ol class="grid gap-4 sm:grid-cols-2">
            {photos.map((p, i) => (
              <PhotoItem
                key={p.id}
                photo={p}
                index={i}
                last={i === photos.length - 1}
                base={base}
                canEdit={canEdit}
                form={formFor === p.id ? form : undefined}
              />
            ))}
          </ol>
        )}
      </section>
    </EditorShell>
  );
}

function PhotoItem({ photo, index, last, base, canEdit, form }: {
  photo: PhotoRef;
  index: number;
  last: boolean;
  base: string;
  canEdit: boolean;
  form?: FormState;
}) {
  const n = index + 1;
  return (
    <li id={`photo-${photo.id}`} class={`${card} space-y-3`}>
      <img
        src={`/photos/${photo.cardId ?? photo.id}`}
        alt={photo.alt}
        width={600}
        height={400}
        loading="lazy"
        class="aspect-[3/2] w-full rounded-lg object-cover"
      />
      <p class="font-semibold">
        {index === 0 ? `Photo ${n}: cover` : `Photo ${n}`}
      </p>
      {canEdit
        ? <PhotoForms {...{ photo, index, last, base, form }} />
        : <p class="text-sm text-stone-700">{photo.alt}</p>}
    </li>
  );
}

function PhotoForms({ photo, index, last, base, form }: {
  photo: PhotoRef;
  index: number;
  last: boolean;
  base: string;
  form?: FormState;
}) {
  const n = index + 1;
  const action = `${base}/${photo.id}`;
  const altId = `alt-${photo.id}`;
  const error = form?.errors.alt;
  return (
    <>
      <form method="post" action={`${action}/alt`} class="space-y-2">
        <label for={altId} class="block text-sm font-semibold">
          {`Description of photo ${n}`}
        </label>
        <input
          id={altId}
          name="alt"
          value={form?.values.alt ?? photo.alt}
          required
          maxLength={300}
          class={error ? invalidInput : input}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? `${altId}-error` : undefined}
        />
        {error && (
          <p id={`${altId}-error`} class="text-sm font-medium text-red-700">
            {error}
          </p>
        )}
        <button type="submit" class={small}>Save description</button>
      </form>
      <div class="flex flex-wrap gap-2">
        {index > 0 && (
          <>
            <Action action={`${action}/up`} label={`Move up: photo ${n}`}>
              Move up
            </Action>
            <Action
              action={`${action}/cover`}
              label={`Make cover: photo ${n}`}
            >
              Make cover
            </Action>
          </>
        )}
        {!last && (
          <Action action={`${action}/down`} label={`Move down: photo ${n}`}>
            Move down
          </Action>
        )}
        <Action action={`${action}/delete`} label={`Delete: photo ${n}`} danger>
          Delete
        </Action>
      </div>
    </>
  );
}

function Action({ action, label, danger, children }: {
  action: string;
  label: string;
  danger?: boolean;
  children: string;
}) {
  return (
    <form method="post" action={action}>
      <button
        type="submit"
        aria-label={label}
        class={danger
          ? `${small} border-red-300 text-red-800 hover:bg-red-50`
          : small}
      >
        {children}
      </button>
    </form>
  );
}
