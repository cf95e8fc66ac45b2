/**
 * The renter's compliance wallet (/account/compliance) and document
 * downloads (/documents/:id/file), served only to the document's owner and
 * staff, as an attachment that cannot run anything. Mounted at "/" before
 * the /account sub-app.
 */
import { Hono } from "hono";
import { WalletPage } from "../components/CompliancePages.tsx";
import { emptyForm, type FormState } from "../components/Forms.tsx";
import type { SessionUser } from "../lib/accounts/schema.ts";
import { hitLimit, type Limit } from "../lib/accounts/rate_limit.ts";
import {
  addDocument,
  DOCUMENT_MAX_BYTES,
  getDocumentFileFor,
  listDocumentsFor,
} from "../lib/compliance/repo.ts";
import { uploadForm } from "../lib/compliance/schema.ts";
import {
  NotFoundError,
  TooManyAttemptsError,
  ValidationError,
} from "../lib/errors.ts";
import { ID_PATTERN } from "../lib/ids.ts";
import { type AppContext, type AppEnv, page } from "./context.tsx";
import { formFailure, type FormStatus, parseFields } from "./forms.ts";
import { attachment, redirect } from "./headers.ts";

export const WALLET_PATH = "/account/compliance";
/** The file plus the form fields and multipart framing. */
export const WALLET_BODY_LIMIT = DOCUMENT_MAX_BYTES + 512 * 1024;

const UPLOAD_LIMIT: Limit = {
  bucket: "document-upload:renter",
  max: 30,
  windowMs: 3600_000,
};

const NOTICES: Record<string, string> = {
  uploaded: "Your document is uploaded. We will review it and email you.",
};

export const compliance = new Hono<AppEnv>();

async function renderWallet(
  c: AppContext,
  user: SessionUser,
  form: FormState = emptyForm,
  status: 200 | FormStatus = 200,
) {
  const documents = await listDocumentsFor(c.var.kv, {
    kind: "renter",
    id: user.id,
  });
  return page(
    c,
    { title: "Your compliance documents" },
    <WalletPage
      documents={documents.reverse()}
      form={form}
      notice={NOTICES[c.req.query("notice") ?? ""]}
    />,
    status,
  );
}

compliance.get(WALLET_PATH, async (c) => {
  const user = c.var.user;
  if (!user) return redirect(c, `/login?next=${WALLET_PATH}`);
  return await renderWallet(c, user);
});

compliance.post(WALLET_PATH, async (c) => {
  const user = c.var.user;
  if (!user) return redirect(c, `/login?next=${WALLET_PATH}`);
  let form: FormState = emptyForm;
  try {
    const hit = await hitLimit(c.var.kv, UPLOAD_LIMIT, user.id, c.var.now());
    if (!hit.ok) throw new TooManyAttemptsError(hit.retryAfterSeconds);
    // Multipart: the body limit has already applied.
    const data = await c.req.formData().catch(() => null);
    if (!data) throw new ValidationError({}, "We could not read that upload.");
    const read = parseFields(uploadForm("renter"), data.entries());
    form = read.form;
    const file = data.get("file");
    const noFile = !(file instanceof File) || file.size === 0;
    if (!read.ok || noFile) {
      throw new ValidationError(
        {
          ...(read.ok ? {} : read.form.errors),
          ...(noFile ? { file: "Choose a file to upload" } : {}),
        },
      );
    }
    await addDocument(c.var.kv, {
      holder: { kind: "renter", id: user.id },
      upload: read.data,
      bytes: new Uint8Array(await (file as File).arrayBuffer()),
      uploadedBy: user.id,
      now: c.var.now(),
    });
  } catch (err) {
    const failed = formFailure(form, err);
    return await renderWallet(c, user, failed.form, failed.status);
  }
  return redirect(c, `${WALLET_PATH}?notice=uploaded`);
});

compliance.get(`/documents/:id{${ID_PATTERN}}/file`, async (c) => {
  const user = c.var.user;
  if (!user) throw new NotFoundError();
  const file = await getDocumentFileFor(c.var.kv, c.req.param("id"), user);
  return new Response(file.bytes, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Length": String(file.bytes.length),
      "Content-Disposition": attachment(file.filename),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Cache-Control": "private, no-store",
    },
  });
});
