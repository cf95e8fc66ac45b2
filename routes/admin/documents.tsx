/**
 * /admin/documents: the compliance review queue (oldest first) and one
 * document's details, file and history; admins verify, reject or request a
 * renewal (support reads only). Each decision is audited and emailed to the
 * holder in the same atomic (lib/compliance/repo.ts).
 */
import { Hono } from "hono";
import {
  AdminDocumentPage,
  AdminDocumentsPage,
} from "../../components/CompliancePages.tsx";
import type { FormState } from "../../components/Forms.tsx";
import { decide, requireCapability } from "../../lib/accounts/roles.ts";
import { listAuditFor } from "../../lib/audit/repo.ts";
import {
  getDocumentFor,
  listQueue,
  reviewDocument,
} from "../../lib/compliance/repo.ts";
import { ReviewConflictError } from "../../lib/compliance/review.ts";
import type { ReviewAction } from "../../lib/compliance/schema.ts";
import { ValidationError } from "../../lib/errors.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import { redirect } from "../headers.ts";

export const adminDocuments = new Hono<AppEnv>();

const NOTICES: Record<string, string> = {
  verify: "The document is verified; the holder is emailed.",
  reject: "The document is rejected; the holder is emailed.",
  request_renewal: "A renewal is requested; the holder is emailed.",
};

adminDocuments.get("/", async (c) => {
  const queue = await listQueue(c.var.kv, {
    limit: 50,
    cursor: c.req.query("cursor") ?? null,
  });
  return page(
    c,
    { title: "Documents to review" },
    <AdminDocumentsPage
      documents={queue.documents}
      cursor={queue.cursor}
      now={c.var.now()}
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
  const doc = await getDocumentFor(c.var.kv, id, c.var.user);
  const audit = await listAuditFor(c.var.kv, "document", id, { limit: 50 });
  return page(
    c,
    { title: "Document review" },
    <AdminDocumentPage
      doc={doc}
      audit={audit}
      canAct={decide(c.var.user, "admin:act").ok}
      forms={opts.forms ?? {}}
      notice={NOTICES[c.req.query("notice") ?? ""]}
      message={opts.message}
    />,
    opts.status ?? 200,
  );
}

adminDocuments.get(
  `/:id{${ID_PATTERN}}`,
  (c) => renderDocument(c, c.req.param("id")),
);

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
    const data = await c.req.formData().catch(() => new FormData());
    const field = (name: string) => {
      const v = data.get(name);
      return typeof v === "string" ? v : "";
    };
    const values = {
      reason: field("reason"),
      note: field("note"),
      correctedExpiry: field("correctedExpiry"),
    };
    try {
      const cfg = c.var.config;
      await reviewDocument(c.var.kv, id, action, user, {
        reason: values.reason,
        note: values.note,
        correctedExpiry: values.correctedExpiry || undefined,
        mail: {
          from: cfg.EMAIL_FROM,
          baseUrl: cfg.BASE_URL,
          wake: cfg.KV_QUEUES,
        },
      }, c.var.now());
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
