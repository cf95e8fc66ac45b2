/**
 * A kitchen listing's photos: upload, order (the first is the cover), alt
 * text and delete, through the listing API (`getListingFor`, `updateSection`),
 * so only the listing's host or staff can touch them. Every upload is checked
 * and re-encoded by lib/images before anything is stored.
 */
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { deleteFile, putFile } from "../files/store.ts";
import { processPhoto } from "../images/reencode.ts";
import {
  type Editor,
  getListingFor,
  type Listing,
  MIN_PHOTOS,
  updateSection,
} from "./listings.ts";
import { type PhotoRef, photoRef } from "./schema.ts";
import type { KitchenStatus } from "./vocabulary.ts";

export const MAX_PHOTOS = 20;
export const PHOTO_PURPOSE = "kitchen-photo";

export type PhotoMove = "up" | "down" | "cover";

/** The photo list after moving `photoId` (pure; the first photo is the cover). */
export function reorderPhotos(
  photos: readonly PhotoRef[],
  photoId: string,
  move: PhotoMove,
): PhotoRef[] {
  const at = photos.findIndex((p) => p.id === photoId);
  if (at < 0) throw photoNotFound();
  const out = [...photos];
  const to = move === "cover" ? 0 : move === "up" ? at - 1 : at + 1;
  if (to < 0 || to >= out.length || to === at) return out;
  const [photo] = out.splice(at, 1);
  out.splice(to, 0, photo);
  return out;
}

const photoNotFound = () => new NotFoundError("We could not find that photo.");

const full = () =>
  new ConflictError(
    `This kitchen already has ${MAX_PHOTOS} photos, the most it can have. ` +
      "Delete one to add another.",
  );

/** Alt text through the kitchen schema's own rule; a 400 on the alt field. */
export function parseAlt(raw: string): string {
  const parsed = photoRef.shape.alt.safeParse(raw);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ??
      "Enter a description of the photo";
    throw new ValidationError({ alt: message }, message);
  }
  return parsed.data;
}

/**
 * Adds a photo to a listing: checks and re-encodes it, stores both sizes
 * (owned by the listing's host), and appends `{ id, cardId, alt }` to the
 * photos. Files stored for an upload that then fails are deleted again.
 */
export async function addPhoto(
  kv: Deno.Kv,
  kitchenId: string,
  editor: Editor,
  upload: { bytes: Uint8Array; alt: string },
  now: number,
): Promise<{ photo: PhotoRef; listing: Listing }> {
  // Checked before the photo is decoded and stored: a viewer who may not
  // change the listing costs no processing and leaves no files behind.
  const listing = await getListingFor(kv, kitchenId, editor, { write: true });
  if ((listing.values.photos?.length ?? 0) >= MAX_PHOTOS) throw full();
  const alt = parseAlt(upload.alt);
  const processed = await processPhoto(upload.bytes);
  const owned = { owner: listing.hostId, purpose: PHOTO_PURPOSE };
  const stored: string[] = [];
  try {
    for (const size of [processed.large, processed.card]) {
      const file = await putFile(kv, {
        bytes: size.bytes,
        contentType: "image/webp",
        ...owned,
      }, { now });
      stored.push(file.id);
    }
    const photo: PhotoRef = { id: stored[0], cardId: stored[1], alt };
    const saved = await editPhotos(kv, kitchenId, editor, now, (photos) => {
      if (photos.length >= MAX_PHOTOS) throw full();
      return [...photos, photo];
    });
    return { photo, listing: saved };
  } catch (err) {
    for (const id of stored) {
      await deleteFile(kv, id, { now, owner: listing.hostId }).catch(() => {});
    }
    throw err;
  }
}

/** Moves a photo up, down, or to the front (the cover). */
export async function movePhoto(
  kv: Deno.Kv,
  kitchenId: string,
  editor: Editor,
  photoId: string,
  move: PhotoMove,
  now: number,
): Promise<Listing> {
  return await editPhotos(
    kv,
    kitchenId,
    editor,
    now,
    (photos) => reorderPhotos(photos, photoId, move),
  );
}

/** Replaces a photo's alt text (required, as for every photo). */
export async function setPhotoAlt(
  kv: Deno.Kv,
  kitchenId: string,
  editor: Editor,
  photoId: string,
  rawAlt: string,
  now: number,
): Promise<Listing> {
  const alt = parseAlt(rawAlt);
  return await editPhotos(kv, kitchenId, editor, now, (photos) => {
    if (!photos.some((p) => p.id === photoId)) throw photoNotFound();
    return photos.map((p) => p.id === photoId ? { ...p, alt } : p);
  });
}

/**
 * Removes a photo from the listing, then deletes its files (only files this
 * listing's host owns: demo and benchmark photos are shared). A published
 * kitchen keeps at least MIN_PHOTOS.
 */
export async function deletePhoto(
  kv: Deno.Kv,
  kitchenId: string,
  editor: Editor,
  photoId: string,
  now: number,
): Promise<Listing> {
  let removed: PhotoRef | undefined;
  const listing = await editPhotos(
    kv,
    kitchenId,
    editor,
    now,
    (photos, status) => {
      removed = photos.find((p) => p.id === photoId);
      if (!removed) throw photoNotFound();
      if (status === "published" && photos.length <= MIN_PHOTOS) {
        throw new ConflictError(
          `A published kitchen needs at least ${MIN_PHOTOS} photos. ` +
            "Add another before deleting this one.",
        );
      }
      return photos.filter((p) => p.id !== photoId);
    },
  );
  for (const id of [removed!.id, removed!.cardId]) {
    if (id) await deleteFile(kv, id, { now, owner: listing.hostId });
  }
  return listing;
}

/**
 * Applies `change` to the current photo list and saves the photos section;
 * `updateSection` re-applies it on a fresh read if another edit got in
 * first, so concurrent edits never start from the same list.
 */
async function editPhotos(
  kv: Deno.Kv,
  kitchenId: string,
  editor: Editor,
  now: number,
  change: (photos: PhotoRef[], status: KitchenStatus) => PhotoRef[],
): Promise<Listing> {
  return await updateSection(
    kv,
    kitchenId,
    editor,
    "photos",
    (current, status) => ({ photos: change(current.photos ?? [], status) }),
    now,
  );
}
