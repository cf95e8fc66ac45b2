import { Hono } from "hono";
import type { UploadState } from "../../components/CompliancePages.tsx";
import { PermitsSection } from "../../components/PermitsSection.tsx";
import type { Limit } from "../../lib/accounts/rate_limit.ts";
import { permitsView } from "../../lib/compliance/listing_edit.ts";
import {
  type HolderRef,
  KITCHEN_DOCUMENT_KINDS,
} from "../../lib/compliance/schema.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { getListingFor, type Listing } from "../../lib/kitchens/listings.ts";
import {
  firstStep,
  readUploadStep,
  submitUpload,
  WALLET_BODY_LIMIT,
} from "../compliance.tsx";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import type { FormStatus } from "../forms.ts";
import { redirect } from "../headers.ts";

/** The upload routes, for their body limits in routes/app.tsx. */
export const PERMITS_PATH = "/host/kitchens/:id/permits";
export const PERMITS_READ_PATH = "/host/kitchens/:id/permits/read";
/** A document at its maximum, plus the form fields and multipart framing. */
export const PERMITS_BODY_LIMIT = WALLET_BODY_LIMIT;

const UPLOAD_LIMIT: Limit = {
  bucket: "document-upload:host",
  max: 60,
  windowMs: 3600_000,
};

const NOTICES: Record<string, string> = {
  uploaded:
    "Your document is uploaded. We will review it and email you when it is decided.",
};

/** The listing editor's Permits section: /host/kitchens/:id/permits. */
export const hostPermits = new Hono<AppEnv>();

const ID = `:id{${ID_PATTERN}}`;

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
      notice={status === 200 ? NOTICES[c.req.query("notice") ?? ""] : undefined}
    />,
    status,
  );
}

hostPermits.get(`/kitchens/${ID}/permits`, async (c) => {
  const listing = await getListingFor(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
  );
  return await render(c, listing, firstStep(c, KITCHEN_DOCUMENT_KINDS));
});

// The owner check comes first: another host learns nothing, and the body is
// not even read. Staff may look but not upload (the lib refuses them).
hostPermits.post(`/kitchens/${ID}/permits/read`, async (c) => {
  const listing = await getListingFor(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
    {
      write: true,
    },
  );
  const read = await readUploadStep(c, kitchenOf(listing), UPLOAD_LIMIT);
  return await render(c, listing, read.upload, read.status);
});

hostPermits.post(`/kitchens/${ID}/permits`, async (c) => {
  const listing = await getListingFor(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
    {
      write: true,
    },
  );
  const sent = await submitUpload(c, kitchenOf(listing), UPLOAD_LIMIT);
  if (!sent.ok) return await render(c, listing, sent.upload, sent.status);
  return redirect(c, `/host/kitchens/${listing.id}/permits?notice=uploaded`);
});
