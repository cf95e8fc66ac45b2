/**
 * The two-step document upload, for any holder: the renter's wallet
 * (routes/account/compliance.tsx) and a kitchen's permits
 * (routes/host/kitchens/permits.tsx). Step one reads the kind and the file
 * and stages it; step two confirms the details, prefilled from the PDF.
 */
import { z } from "zod";
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
  type HolderKind,
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
import { TooManyAttemptsError } from "../lib/errors.ts";
import type { AppContext } from "./env.ts";
import { formFailure, type FormStatus, readForm, readQuery } from "./forms.ts";
import { fileBytes } from "./multipart.ts";
import { bodyLimit } from "./limits.ts";

/** The upload routes' body limit: a document at its maximum, plus the form fields and multipart framing. */
export const documentUploadLimit = bodyLimit(DOCUMENT_MAX_BYTES + 512 * 1024);

const kindQuery = z.object({ kind: z.string() });

/** The first step, with the kind from `?kind=` chosen when it is one of `kinds`. */
export function firstStep(
  c: AppContext,
  kinds: readonly DocumentKind[],
): UploadState {
  const read = readQuery(c, kindQuery);
  const kind = read.ok ? read.data.kind : "";
  return (kinds as readonly string[]).includes(kind)
    ? { ...FIRST_UPLOAD_STEP, form: { values: { kind }, errors: {} } }
    : FIRST_UPLOAD_STEP;
}

const CHOOSE_FILE = "Choose a file to upload";

/**
 * Step one's form: the kind and the file. Without a file, an unknown kind
 * is named too; with one, the kind is the staging's to judge.
 */
function chooseForm(holder: HolderKind) {
  const kinds: readonly string[] = kindsFor(holder);
  return z.object({ kind: z.string(), file: z.file().optional() })
    .superRefine(({ kind, file }, ctx) => {
      if (file) return;
      if (!kinds.includes(kind)) {
        ctx.addIssue({
          code: "custom",
          path: ["kind"],
          message: "Choose the type of document",
        });
      }
      ctx.addIssue({ code: "custom", path: ["file"], message: CHOOSE_FILE });
    });
}

/**
 * Step two's form: the document's details, and the staged file they belong
 * to (with what the page said about it), or the file itself.
 */
function detailsForm(holder: HolderKind) {
  return uploadForm(holder).and(
    z.object({
      staged: z.string(),
      source: z.string(),
      prefilled: z.string(),
      file: z.file().optional(),
    }).superRefine(({ staged, file }, ctx) => {
      if (staged || file) return;
      ctx.addIssue({ code: "custom", path: ["file"], message: CHOOSE_FILE });
    }),
  );
}

/** Whether this user may upload for `holder` now: owner, not suspended, not over the rate limit. */
async function mayUpload(
  c: AppContext,
  holder: HolderRef,
  limit: Limit,
): Promise<void> {
  await requireUploader(c.var.services.kv, holder, c.var.user!.id);
  const hit = await hitLimit(
    c.var.services.kv,
    limit,
    c.var.user!.id,
    c.var.services.clock(),
  );
  if (!hit.ok) throw new TooManyAttemptsError(hit.retryAfterSeconds);
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
    await mayUpload(c, holder, limit);
    const read = await readForm(c, chooseForm(holder.kind));
    form = read.form;
    if (!read.ok) {
      return {
        upload: { step: "choose", form: read.form, staged: null },
        status: 400,
      };
    }
    const staged = await stageUpload(c.var.services.kv, {
      holder,
      kind: read.data.kind,
      // The form refuses a choice without a file.
      bytes: await fileBytes(read.data.file!),
      uploadedBy: c.var.user!.id,
      now: c.var.services.clock(),
      wake: c.var.services.wake,
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

/**
 * The staged file a details form names, as the page shows it again: from
 * what the form sent back (its hidden fields), kept to known values.
 */
function stagedFrom(
  values: Record<string, string>,
  holder: HolderRef,
): StagedView | null {
  const { staged: id = "", kind = "", source = "", prefilled = "" } = values;
  if (!id || !(kindsFor(holder.kind) as readonly string[]).includes(kind)) {
    return null;
  }
  return {
    id,
    kind: kind as DocumentKind,
    source: SOURCES.includes(source) ? source as StagedView["source"] : "pdf",
    prefilled: prefilled.split(",").filter((f) =>
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
    await mayUpload(c, holder, limit);
    const read = await readForm(c, detailsForm(holder.kind));
    form = read.form;
    staged = stagedFrom(read.form.values, holder);
    if (!read.ok) {
      return {
        ok: false,
        upload: { step: "details", form: read.form, staged },
        status: 400,
      };
    }
    const {
      staged: stagedId,
      file,
      source: _source,
      prefilled: _prefilled,
      ...upload
    } = read.data;
    const input = {
      holder,
      upload,
      uploadedBy: c.var.user!.id,
      now: c.var.services.clock(),
    };
    if (stagedId) {
      await addStagedDocument(c.var.services.kv, { ...input, stagedId });
    } else {
      await addDocument(c.var.services.kv, {
        ...input,
        // The form refuses details with neither a staged file nor a file.
        bytes: await fileBytes(file!),
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
