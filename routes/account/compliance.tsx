/**
 * The renter's compliance wallet, /account/compliance: their business
 * profile, their documents and the two-step upload (the file is read and
 * staged, then its prefilled details confirmed; routes/document_upload.ts).
 */
import { Hono } from "hono";
import {
  type UploadState,
  WalletPage,
} from "../../components/CompliancePages.tsx";
import type { FormState } from "../../components/Forms.tsx";
import type { SessionUser } from "../../lib/accounts/schema.ts";
import { renterProfileSchema } from "../../lib/accounts/business_profile.ts";
import { saveRenterProfile } from "../../lib/accounts/repo.ts";
import type { Limit } from "../../lib/accounts/rate_limit.ts";
import {
  type HolderRef,
  RENTER_DOCUMENT_KINDS,
} from "../../lib/compliance/schema.ts";
import {
  loadWallet,
  pathAfterUpload,
} from "../../lib/compliance/wallet_page.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import {
  documentUploadLimit,
  firstStep,
  readUploadStep,
  submitUpload,
} from "../document_upload.ts";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
} from "../forms.ts";
import { redirect } from "../headers.ts";

const WALLET = "/account/compliance";

const UPLOAD_LIMIT: Limit = {
  bucket: "document-upload:renter",
  max: 30,
  windowMs: 3600_000,
};

const NOTICES: Record<string, string> = {
  uploaded: "Your document is uploaded. We will review it and email you.",
  profile: "Saved. Cities' rules for your bookings now use these answers.",
};

export const wallet = new Hono<AppEnv>();

// Every page here is one renter's; without a session, log in and come back.
wallet.use(async (c, next) => {
  if (!c.var.user) return redirect(c, `/login?next=${WALLET}`);
  await next();
});

const RENTER = (user: SessionUser): HolderRef => ({
  kind: "renter",
  id: user.id,
});

async function renderWallet(
  c: AppContext,
  user: SessionUser,
  forms: { upload?: UploadState; profile?: FormState } = {},
  status: 200 | FormStatus = 200,
) {
  const view = await loadWallet(
    c.var.services.kv,
    user.id,
    c.var.services.clock(),
    !forms.profile,
  );
  return page(
    c,
    { title: "Your documents" },
    <WalletPage
      view={view}
      upload={forms.upload ?? firstStep(c, RENTER_DOCUMENT_KINDS)}
      profileForm={forms.profile}
      notice={status === 200 ? NOTICES[readNotice(c)] : undefined}
    />,
    status,
  );
}

wallet.get("/", (c) => renderWallet(c, c.var.user!));

wallet.post("/read", documentUploadLimit, async (c) => {
  const user = c.var.user!;
  const read = await readUploadStep(c, RENTER(user), UPLOAD_LIMIT);
  return await renderWallet(c, user, { upload: read.upload }, read.status);
});

wallet.post("/", documentUploadLimit, async (c) => {
  const user = c.var.user!;
  const sent = await submitUpload(c, RENTER(user), UPLOAD_LIMIT);
  if (!sent.ok) {
    return await renderWallet(c, user, { upload: sent.upload }, sent.status);
  }
  // Back to the booking being made once it has everything on file.
  return redirect(
    c,
    await pathAfterUpload(c.var.services.kv, user.id, c.var.services.clock()),
  );
});

wallet.post("/profile", async (c) => {
  const user = c.var.user!;
  const read = await readForm(c, renterProfileSchema);
  if (!read.ok) return await renderWallet(c, user, { profile: read.form }, 400);
  try {
    await saveRenterProfile(
      c.var.services.kv,
      user.id,
      read.data,
      c.var.services.clock(),
    );
  } catch (err) {
    const failed = formFailure(read.form, err);
    return await renderWallet(
      c,
      user,
      { profile: failed.form },
      failed.status,
    );
  }
  return redirect(c, `${WALLET}?notice=profile`);
});
