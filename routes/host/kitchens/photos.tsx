import { Hono } from "hono";
import type { BlankSchema } from "hono/types";
import { z } from "zod";
import type { FormState } from "../../../components/Forms.tsx";
import { PhotoEditorPage } from "../../../components/PhotoEditor.tsx";
import { hitLimit, type Limit } from "../../../lib/accounts/rate_limit.ts";
import {
  AppError,
  TooManyAttemptsError,
  ValidationError,
} from "../../../lib/errors.ts";
import { ID_PATTERN } from "../../../lib/ids.ts";
import {
  getListingFor,
  type Listing,
  mayChangeListing,
} from "../../../lib/kitchens/listings.ts";
import {
  addPhoto,
  deletePhoto,
  MAX_PHOTOS,
  movePhoto,
  setPhotoAlt,
} from "../../../lib/kitchens/photos.ts";
import { PHOTO_MAX_BYTES } from "../../../lib/images/inspect.ts";
import { photoRef, type UploadAnswer } from "../../../lib/kitchens/schema.ts";
import { type AppContext, type AppEnv, page } from "../../context.tsx";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
  wantsJson,
} from "../../forms.ts";
import { redirect } from "../../headers.ts";
import { bodyLimit, tooLargeAsForm } from "../../limits.ts";
import { fileBytes } from "../../multipart.ts";

/** A photo at its maximum, plus the multipart envelope and the alt text. */
const uploadLimit = bodyLimit(PHOTO_MAX_BYTES + 512 * 1024);

/** Each upload decodes and re-encodes a photo: about a second of CPU. */
const UPLOAD_LIMIT: Limit = {
  bucket: "photo-upload:host",
  max: 60,
  windowMs: 3600_000,
};

/**
 * A listing's photos: the page, /host/kitchens/:id/edit/photos, and its
 * forms under /host/kitchens/:id/photos. Mounted at /host/kitchens/:id.
 */
// The kitchen's id comes from where the sub-app is mounted.
export const photos = new Hono<AppEnv, BlankSchema, "/:id">();

const PHOTO = `:photoId{${ID_PATTERN}}`;

const NOTICES: Record<string, string> = {
  added: "Photo added.",
  saved: "Description saved.",
  moved: "Order saved. The first photo is the cover.",
  deleted: "Photo deleted.",
};

const editorPath = (id: string) => `/host/kitchens/${id}/edit/photos`;

const altForm = z.object({ alt: photoRef.shape.alt });
const uploadForm = z.object({
  alt: z.string(),
  photo: z.file({ error: "Choose a photo to upload" }),
});

function render(
  c: AppContext,
  listing: Listing,
  failed?: { form: FormState; formFor: string; status: FormStatus | 413 },
) {
  return page(
    c,
    { title: `${listing.values.title ?? "Your kitchen"}: photos` },
    <PhotoEditorPage
      listing={listing}
      canEdit={mayChangeListing(listing, c.var.user!)}
      notice={failed ? undefined : NOTICES[readNotice(c)]}
      form={failed?.form}
      formFor={failed?.formFor}
    />,
    failed?.status ?? 200,
  );
}

photos.get("/edit/photos", async (c) => {
  const listing = await getListingFor(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
  );
  return render(c, listing);
});

photos.post(
  "/photos",
  tooLargeAsForm(async (c) => {
    // As the upload itself: staff who may only look get their 403.
    const listing = await getListingFor(
      c.var.services.kv,
      c.req.param("id") ?? "",
      c.var.user!,
      { write: true },
    );
    const message = `That photo is larger than ${
      PHOTO_MAX_BYTES / (1024 * 1024)
    } MB, so it was not uploaded. Save it smaller first.`;
    return render(c, listing, {
      form: { values: { alt: "" }, errors: { photo: message }, message },
      formFor: "upload",
      status: 413,
    });
  }),
  uploadLimit,
  async (c) => {
    const id = c.req.param("id");
    const user = c.var.user!;
    const json = wantsJson(c);
    // The write check comes first: another host learns nothing, support
    // staff get a 403, and the body is not even read.
    let listing: Listing;
    try {
      listing = await getListingFor(c.var.services.kv, id, user, {
        write: true,
      });
    } catch (err) {
      if (json && err instanceof AppError) {
        return c.json(
          { error: err.message } satisfies UploadAnswer,
          err.status,
        );
      }
      throw err;
    }
    let form: FormState = { values: { alt: "" }, errors: {} };
    try {
      const hit = await hitLimit(
        c.var.services.kv,
        UPLOAD_LIMIT,
        user.id,
        c.var.services.clock(),
      );
      if (!hit.ok) throw new TooManyAttemptsError(hit.retryAfterSeconds);
      const read = await readForm(c, uploadForm);
      form = read.form;
      if (!read.ok) {
        // Only the photo can be missing (addPhoto judges the description);
        // a body that cannot be read says so in its message.
        throw new ValidationError(
          read.form.errors,
          read.form.errors.photo
            ? "Choose a photo to upload."
            : read.form.message,
        );
      }
      const added = await addPhoto(c.var.services.kv, id, user, {
        bytes: await fileBytes(read.data.photo),
        alt: read.data.alt,
      }, c.var.services.clock());
      if (json) {
        const count = added.listing.values.photos?.length ?? 0;
        return c.json(
          { photo: added.photo, count, max: MAX_PHOTOS } satisfies UploadAnswer,
          201,
        );
      }
    } catch (err) {
      if (json && err instanceof AppError) {
        const issues = err instanceof ValidationError ? err.issues : undefined;
        return c.json(
          { error: err.message, issues } satisfies UploadAnswer,
          err.status,
        );
      }
      const failed = formFailure(form, err);
      return render(c, listing, { ...failed, formFor: "upload" });
    }
    return redirect(c, `${editorPath(id)}?notice=added`);
  },
);

photos.post(`/photos/${PHOTO}/alt`, async (c) => {
  const id = c.req.param("id");
  const photoId = c.req.param("photoId");
  const user = c.var.user!;
  const listing = await getListingFor(c.var.services.kv, id, user, {
    write: true,
  });
  const read = await readForm(c, altForm);
  if (!read.ok) {
    return render(c, listing, {
      form: read.form,
      formFor: photoId,
      status: 400,
    });
  }
  try {
    await setPhotoAlt(
      c.var.services.kv,
      id,
      user,
      photoId,
      read.data.alt,
      c.var.services.clock(),
    );
  } catch (err) {
    return render(c, listing, {
      ...formFailure(read.form, err),
      formFor: photoId,
    });
  }
  return redirect(c, `${editorPath(id)}?notice=saved`);
});

photos.post(
  `/photos/${PHOTO}/:action{up|down|cover|delete}`,
  async (c) => {
    const id = c.req.param("id");
    const photoId = c.req.param("photoId");
    const action = c.req.param("action") as "up" | "down" | "cover" | "delete";
    const user = c.var.user!;
    const listing = await getListingFor(c.var.services.kv, id, user, {
      write: true,
    });
    try {
      if (action === "delete") {
        await deletePhoto(
          c.var.services.kv,
          id,
          user,
          photoId,
          c.var.services.clock(),
        );
      } else {
        await movePhoto(
          c.var.services.kv,
          id,
          user,
          photoId,
          action,
          c.var.services.clock(),
        );
      }
    } catch (err) {
      return render(c, listing, {
        ...formFailure({ values: {}, errors: {} }, err),
        formFor: photoId,
      });
    }
    const notice = action === "delete" ? "deleted" : "moved";
    return redirect(c, `${editorPath(id)}?notice=${notice}`);
  },
);
