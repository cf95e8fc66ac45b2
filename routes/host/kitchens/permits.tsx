/**
 * /host/kitchens/:id/permits: the listing editor's Permits section, and the
 * two-step upload of a kitchen's documents (routes/document_upload.ts).
 */
import { Hono } from "hono";
import type { BlankSchema } from "hono/types";
import type { UploadState } from "../../../components/CompliancePages.tsx";
import { PermitsSection } from "../../../components/PermitsSection.tsx";
import type { Limit } from "../../../lib/accounts/rate_limit.ts";
import { permitsView } from "../../../lib/compliance/listing_edit.ts";
import {
  type HolderRef,
  KITCHEN_DOCUMENT_KINDS,
} from "../../../lib/compliance/schema.ts";
import { getListingFor, type Listing } from "../../../lib/kitchens/listings.ts";
import { type AppContext, type AppEnv, page } from "../../context.tsx";
import { readNotice } from "../../forms.ts";
import {
  documentUploadLimit,
  firstStep,
  readUploadStep,
  submitUpload,
} from "../../document_upload.ts";
import type { FormStatus } from "../../forms.ts";
import { redirect } from "../../headers.ts";

const UPLOAD_LIMIT: Limit = {
  bucket: "document-upload:host",
  max: 60,
  windowMs: 3600_000,
};

const NOTICES: Record<string, string> = {
  uploaded:
    "Your document is uploaded. We will review it and email you when it is decided.",
};

// The kitchen's id comes from where the sub-app is mounted.
export const permits = new Hono<AppEnv, BlankSchema, "/:id/permits">();

const kitchenOf = (listing: Listing): HolderRef => ({
  kind: "kitchen",
  id: listing.id,
});

async function render(
  c: AppContext,
  listing: Listing,
  upload: UploadState,
  status: 200 | FormStatus = 200,
) {
  const view = await permitsView(c.var.services.kv, listing);
  return page(
    c,
    { title: `${listing.values.title ?? "Your kitchen"}: permits` },
    <PermitsSection
      listing={listing}
      {...view}
      now={c.var.services.clock()}
      canUpload={listing.hostId === c.var.user!.id}
      upload={upload}
      notice={status === 200 ? NOTICES[readNotice(c)] : undefined}
    />,
    status,
  );
}

permits.get("/", async (c) => {
  const listing = await getListingFor(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
  );
  return await render(c, listing, firstStep(c, KITCHEN_DOCUMENT_KINDS));
});

// The owner check comes first: another host learns nothing, and the body is
// not even read. Staff may look but not upload (the lib refuses them).
permits.post("/read", documentUploadLimit, async (c) => {
  const listing = await getListingFor(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
    { write: true },
  );
  const read = await readUploadStep(c, kitchenOf(listing), UPLOAD_LIMIT);
  return await render(c, listing, read.upload, read.status);
});

permits.post("/", documentUploadLimit, async (c) => {
  const listing = await getListingFor(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
    { write: true },
  );
  const sent = await submitUpload(c, kitchenOf(listing), UPLOAD_LIMIT);
  if (!sent.ok) return await render(c, listing, sent.upload, sent.status);
  return redirect(c, `/host/kitchens/${listing.id}/permits?notice=uploaded`);
});
