/**
 * The two-step document upload, for any holder: the renter's wallet
 * (routes/account/compliance.tsx) and a kitchen's permits
 * (routes/host/kitchens/permits.tsx). Step one reads the kind and the file
 * and stages it; step two confirms the details, prefilled from the PDF.
 */
import {
  FIRST_UPLOAD_STEP,
  type StagedView,
  type UploadState,
} from "../components/CompliancePages.tsx";
import { emptyForm, type FormState } from "../components/Forms.tsx";
import { hitLimit, type Limit } from "../lib/accounts/rate_limit.ts";
import {
  FEDERAL_SCOPE_IDS,
  type FederalScope,
} from "../lib/compliance/certifiers.ts";
import { PREFILL_FIELDS } from "../lib/compliance/prefill.ts";
import { addDocument, DOCUMENT_MAX_BYTES } from "../lib/compliance/repo.ts";
import {
  type DocumentKind,
  FEDERAL_SCOPE_OF,
  type HolderRef,
  isFederalCertificateKind,
  kindsFor,
  uploadForm,
} from "../lib/compliance/schema.ts";
import {
  addStagedDocument,
  requireUploader,
  type StagedUpload,
  stageUpload,
} from "../lib/compliance/staged.ts";
import { TooManyAttemptsError, ValidationError } from "../lib/errors.ts";
import type { AppContext } from "./env.ts";
import { formFailure, type FormStatus, parseFields } from "./forms.ts";
import { bodyLimit } from "./limits.ts";

/** The upload routes' body limit: a document at its maximum, plus the form fields and multipart framing. */
export const documentUploadLimit = bodyLimit(DOCUMENT_MAX_BYTES + 512 * 1024);

/** The first step, with the kind from `?kind=` chosen when it is one of `kinds`. */
export function firstStep(
  c: AppContext,
  kinds: readonly DocumentKind[],
): UploadState {
  const kind = c.req.query("kind") ?? "";
  return (kinds as readonly string[]).includes(kind)
    ? { ...FIRST_UPLOAD_STEP, form: { values: { kind }, errors: {} } }
    : FIRST_UPLOAD_STEP;
}

const text = (v: FormDataEntryValue | null) => typeof v === "string" ? v : "";

async function uploadData(
  c: AppContext,
  holder: HolderRef,
  limit: Limit,
): Promise<FormData> {
  await requireUploader(c.var.services.kv, holder, c.var.user!.id);
  const hit = await hitLimit(
    c.var.services.kv,
    limit,
    c.var.user!.id,
    c.var.services.clock(),
  );
  if (!hit.ok) throw new TooManyAttemptsError(hit.retryAfterSeconds);
  // Multipart: the body limit has already applied.
  const data = await c.req.formData().catch(() => null);
  if (!data) throw new ValidationError({}, "We could not read that upload.");
  return data;
}

function chosenFile(data: FormData): File | null {
  const file = data.get("file");
  return file instanceof File && file.size > 0 ? file : null;
}

/**
 * Step one: reads the kind and the file, stages it and answers with the
 * details step, prefilled from the PDF; or the first step again with what
 * was wrong. Another holder's kitchen is a 404 (thrown).
 */
export async function readUploadStep(
  c: AppContext,
  holder: HolderRef,
  limit: Limit,
): Promise<{ upload: UploadState; status: 200 | FormStatus }> {
  let form: FormState = emptyForm;
  try {
    const data = await uploadData(c, holder, limit);
    const kind = text(data.get("kind"));
    form = { values: { kind }, errors: {} };
    const file = chosenFile(data);
    if (!file) {
      const known = (kindsFor(holder.kind) as readonly string[]).includes(kind);
      throw new ValidationError({
        ...(known ? {} : { kind: "Choose the type of document" }),
        file: "Choose a file to upload",
      });
    }
    const staged = await stageUpload(c.var.services.kv, {
      holder,
      kind,
      bytes: new Uint8Array(await file.arrayBuffer()),
      uploadedBy: c.var.user!.id,
      now: c.var.services.clock(),
      wake: c.var.services.config.KV_QUEUES,
    });
    return { upload: detailsStep(staged), status: 200 };
  } catch (err) {
    const failed = formFailure(form, err);
    return {
      upload: { step: "choose", form: failed.form, staged: null },
      status: failed.status,
    };
  }
}

function detailsStep(staged: StagedUpload): UploadState {
  const { "certification.scope": scope, ...fields } = staged.prefill;
  const prefilled = Object.keys(fields);
  const otherScope = isFederalCertificateKind(staged.kind) &&
      (FEDERAL_SCOPE_IDS as readonly string[]).includes(scope ?? "") &&
      FEDERAL_SCOPE_OF[staged.kind] !== scope
    ? scope as FederalScope
    : undefined;
  return {
    step: "details",
    form: { values: { kind: staged.kind, ...fields }, errors: {} },
    staged: {
      id: staged.fileId,
      kind: staged.kind,
      source: staged.fileKind !== "pdf"
        ? "image"
        : staged.unread
        ? "unread"
        : prefilled.length > 0
        ? "pdf"
        : "scan",
      prefilled,
      ...(otherScope ? { otherScope } : {}),
    },
  };
}

const SOURCES: readonly string[] = ["pdf", "scan", "unread", "image"];

/** The staged file a details form carries, as far as the page needs it. */
function stagedFrom(
  data: FormData,
  holder: HolderRef,
): StagedView | null {
  const id = text(data.get("staged"));
  const kind = text(data.get("kind"));
  if (!id || !(kindsFor(holder.kind) as readonly string[]).includes(kind)) {
    return null;
  }
  const source = text(data.get("source"));
  return {
    id,
    kind: kind as DocumentKind,
    source: SOURCES.includes(source) ? source as StagedView["source"] : "pdf",
    prefilled: text(data.get("prefilled")).split(",").filter((f) =>
      (PREFILL_FIELDS as readonly string[]).includes(f)
    ),
  };
}

/**
 * Step two: creates the document from the staged file the form names, or,
 * when the form carries the file itself, from that (the one-step upload).
 * On a refusal, the form to show again.
 */
export async function submitUpload(
  c: AppContext,
  holder: HolderRef,
  limit: Limit,
): Promise<
  { ok: true } | { ok: false; upload: UploadState; status: FormStatus }
> {
  let form: FormState = emptyForm;
  let staged: StagedView | null = null;
  try {
    const data = await uploadData(c, holder, limit);
    const read = parseFields(uploadForm(holder.kind), data.entries());
    form = read.form;
    const stagedId = text(data.get("staged"));
    staged = stagedFrom(data, holder);
    const file = stagedId ? null : chosenFile(data);
    if (!read.ok || (!stagedId && !file)) {
      throw new ValidationError({
        ...(read.ok ? {} : read.form.errors),
        ...(!stagedId && !file ? { file: "Choose a file to upload" } : {}),
      });
    }
    const input = {
      holder,
      upload: read.data,
      uploadedBy: c.var.user!.id,
      now: c.var.services.clock(),
    };
    if (stagedId) {
      await addStagedDocument(c.var.services.kv, { ...input, stagedId });
    } else {
      await addDocument(c.var.services.kv, {
        ...input,
        bytes: new Uint8Array(await file!.arrayBuffer()),
      });
    }
  } catch (err) {
    const failed = formFailure(form, err);
    const lost = staged ? failed.form.errors.file : undefined;
    if (lost) {
      // The staged file is gone: the uploader starts again with the file.
      return {
        ok: false,
        upload: {
          step: "choose",
          form: {
            values: { kind: staged!.kind },
            errors: { file: lost },
            message: lost,
          },
          staged: null,
        },
        status: failed.status,
      };
    }
    return {
      ok: false,
      upload: { step: "details", form: failed.form, staged },
      status: failed.status,
    };
  }
  return { ok: true };
}
