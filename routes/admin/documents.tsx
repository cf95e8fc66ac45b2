/**
 * /admin/documents: the compliance review queue (oldest first, filtered by
 * type and city) and one document's details, image preview and history;
 * admins verify, reject or request a renewal (support reads only). Each
 * decision, its audit entry and the holder's email and notification are one
 * atomic (lib/compliance/repo.ts).
 */
import { Hono } from "hono";
import { z } from "zod";
import {
  AdminDocumentPage,
  AdminDocumentsPage,
} from "../../components/AdminDocuments.tsx";
import type { FormState } from "../../components/Forms.tsx";
import { decide, requireCapability } from "../../lib/accounts/roles.ts";
import {
  getDocumentPreview,
  listQueue,
  loadDocumentReview,
  queueQuery,
} from "../../lib/compliance/queue.ts";
import { reviewDocument } from "../../lib/compliance/repo.ts";
import { ReviewConflictError } from "../../lib/compliance/review.ts";
import type { ReviewAction } from "../../lib/compliance/schema.ts";
import { ValidationError } from "../../lib/errors.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import { readForm, readNotice, readQuery } from "../forms.ts";
import { redirect } from "../headers.ts";

export const adminDocuments = new Hono<AppEnv>();

const NOTICES: Record<string, string> = {
  verify: "The document is verified; the holder is notified.",
  reject: "The document is rejected; the holder is notified.",
  request_renewal: "A renewal is requested; the holder is notified.",
};

adminDocuments.get("/", async (c) => {
  const read = readQuery(c, queueQuery);
  if (!read.ok) {
    return page(
      c,
      { title: "Documents to review" },
      <AdminDocumentsPage
        rows={[]}
        cursor={null}
        partial={false}
        paged={false}
        form={read.form}
        now={c.var.services.clock()}
      />,
      400,
    );
  }
  const { kind, city, cursor } = read.data;
  const queue = await listQueue(c.var.services.kv, {
    kind,
    city,
    cursor,
    limit: 50,
  });
  return page(
    c,
    { title: "Documents to review" },
    <AdminDocumentsPage
      rows={queue.rows}
      cursor={queue.cursor}
      partial={queue.partial}
      paged={cursor !== null}
      form={read.form}
      now={c.var.services.clock()}
    />,
  );
});

async function renderDocument(
  c: AppContext,
  id: string,
  opts: {
    forms?: Partial<Record<ReviewAction, FormState>>;
    message?: string;
    status?: 200 | 400 | 409;
  } = {},
) {
  const now = c.var.services.clock();
  const review = await loadDocumentReview(
    c.var.services.kv,
    id,
    c.var.user,
    now,
  );
  return page(
    c,
    { title: "Document review" },
    <AdminDocumentPage
      review={review}
      canAct={decide(c.var.user, "admin:act").ok}
      forms={opts.forms ?? {}}
      notice={NOTICES[readNotice(c)]}
      message={opts.message}
      now={now}
    />,
    opts.status ?? 200,
  );
}

adminDocuments.get(
  `/:id{${ID_PATTERN}}`,
  (c) => renderDocument(c, c.req.param("id")),
);

/**
 * The document's image, inline for the review page: JPEG and PNG only
 * (lib refuses anything else), with a fixed type, nosniff and a sandbox CSP
 * so that nothing in the file can run even if opened on its own.
 */
adminDocuments.get(`/:id{${ID_PATTERN}}/preview`, async (c) => {
  const image = await getDocumentPreview(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user,
  );
  return new Response(image.bytes, {
    headers: {
      "Content-Type": image.contentType,
      "Content-Length": String(image.bytes.length),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Cache-Control": "private, no-store",
    },
  });
});

const decisionForm = z.object({
  reason: z.string().max(5000, "Use at most 5000 characters"),
  note: z.string().max(5000, "Use at most 5000 characters"),
  correctedExpiry: z.string().max(100, "Enter a date like 2026-12-31"),
});

const ACTIONS: Record<string, ReviewAction> = {
  verify: "verify",
  reject: "reject",
  request_renewal: "request_renewal",
};

adminDocuments.post(
  `/:id{${ID_PATTERN}}/:action{verify|reject|request_renewal}`,
  async (c) => {
    const user = c.var.user;
    requireCapability(user, "admin:act");
    const id = c.req.param("id");
    const action = ACTIONS[c.req.param("action")];
    // Each action's rules (a reason to reject, a date) are review()'s to judge.
    const read = await readForm(c, decisionForm);
    if (!read.ok) {
      return await renderDocument(c, id, {
        forms: { [action]: read.form },
        status: 400,
      });
    }
    const values = read.data;
    try {
      await reviewDocument(c.var.services.kv, id, action, user, {
        reason: values.reason,
        note: values.note,
        correctedExpiry: values.correctedExpiry || undefined,
        mail: c.var.services.mail,
      }, c.var.services.clock());
    } catch (err) {
      if (err instanceof ValidationError) {
        const errors = { ...err.issues };
        if (errors.expiryDate) errors.correctedExpiry = errors.expiryDate;
        return await renderDocument(c, id, {
          forms: { [action]: { values, errors, message: err.message } },
          status: 400,
        });
      }
      if (err instanceof ReviewConflictError) {
        return await renderDocument(c, id, {
          message: err.message,
          status: 409,
        });
      }
      throw err;
    }
    return redirect(c, `/admin/documents/${id}?notice=${action}`);
  },
);
