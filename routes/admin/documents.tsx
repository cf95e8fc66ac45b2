/**
 * /admin/documents: the compliance review queue (oldest first, filtered by
 * type and city) and one document's details beside its preview, with its
 * history; admins verify, reject or request a renewal (support reads only),
 * then go on to the next in the queue with the same filters. Each decision,
 * its audit entry and the holder's email and notification are one atomic
 * (lib/compliance/repo.ts).
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
  nextInQueue,
  type QueueFilter,
  queueFilterQuery,
  queueQuery,
  queueSearch,
} from "../../lib/compliance/queue.ts";
import { reviewDocument } from "../../lib/compliance/repo.ts";
import {
  ReviewConflictError,
  STAFF_NOTE_MAX_CHARS,
} from "../../lib/compliance/review.ts";
import { REASON_MAX_CHARS } from "../../lib/text.ts";
import { bodyLimit, textFormLimit } from "../limits.ts";
import type { ReviewAction } from "../../lib/compliance/schema.ts";
import { ValidationError } from "../../lib/errors.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import { parseFields, readForm, readNotice, readQuery } from "../forms.ts";
import { redirect } from "../headers.ts";

export const adminDocuments = new Hono<AppEnv>();

const QUEUE_NOTICES: Record<string, string> = {
  done: "Nothing else with these filters is waiting for review.",
};

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
      notice={QUEUE_NOTICES[readNotice(c)]}
      now={c.var.services.clock()}
    />,
  );
});

async function renderDocument(
  c: AppContext,
  id: string,
  filter: QueueFilter,
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
      filter={filter}
      canAct={decide(c.var.user, "admin:act").ok}
      forms={opts.forms ?? {}}
      notice={NOTICES[readNotice(c)]}
      message={opts.message}
      now={now}
    />,
    opts.status ?? 200,
  );
}

const BAD_QUEUE_LINK =
  "That link's queue filters are not valid; this page shows the document without them.";

adminDocuments.get(`/:id{${ID_PATTERN}}`, (c) => {
  const read = readQuery(c, queueFilterQuery);
  return read.ok
    ? renderDocument(c, c.req.param("id"), read.data)
    : renderDocument(c, c.req.param("id"), {}, {
      message: BAD_QUEUE_LINK,
      status: 400,
    });
});

const nextQuery = queueFilterQuery.extend({
  after: z.string().trim().regex(
    new RegExp(`^${ID_PATTERN}$`),
    "That link is not valid; go back to the queue.",
  ),
});

/**
 * "Next in queue": the next document waiting with the same filters, or
 * the (filtered) queue when nothing else is.
 */
adminDocuments.get("/next", async (c) => {
  const read = readQuery(c, nextQuery);
  if (!read.ok) {
    const [first] = Object.values(read.form.errors);
    throw new ValidationError(read.form.errors, first);
  }
  const { after, ...filter } = read.data;
  const next = await nextInQueue(
    c.var.services.kv,
    after,
    filter,
    c.var.user,
  );
  return redirect(
    c,
    next
      ? `/admin/documents/${next}${queueSearch(filter)}`
      : `/admin/documents${queueSearch(filter, { notice: "done" })}`,
  );
});

/**
 * The document as a picture, inline for the review page: a JPEG or PNG
 * upload as it is, a PDF's first page drawn as WebP (never the PDF
 * itself), with a fixed type, nosniff and a sandbox CSP so that nothing in
 * it can run even if opened on its own.
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

const decisionForm = queueFilterQuery.extend({
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
  // A reason and a note at their longest in any script: more than the form limit.
  bodyLimit(textFormLimit(REASON_MAX_CHARS + STAFF_NOTE_MAX_CHARS)),
  async (c) => {
    const user = c.var.user;
    requireCapability(user, "admin:act");
    const id = c.req.param("id");
    const action = ACTIONS[c.req.param("action")];
    // Each action's rules (a reason to reject, a date) are review()'s to judge.
    const read = await readForm(c, decisionForm);
    if (!read.ok) {
      // A reason too long still keeps the reviewer's place in the queue; a
      // filter that is not one (hidden fields, so forged) says so above the form.
      const kept = parseFields(
        queueFilterQuery,
        Object.entries(read.form.values),
      );
      const { kind, city } = read.form.errors;
      const form = { ...read.form, message: kind ?? city ?? read.form.message };
      return await renderDocument(c, id, kept.ok ? kept.data : {}, {
        forms: { [action]: form },
        status: 400,
      });
    }
    const { kind, city, ...values } = read.data;
    const filter: QueueFilter = { kind, city };
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
        return await renderDocument(c, id, filter, {
          forms: {
            [action]: {
              values: read.form.values,
              errors,
              message: err.message,
            },
          },
          status: 400,
        });
      }
      if (err instanceof ReviewConflictError) {
        return await renderDocument(c, id, filter, {
          message: err.message,
          status: 409,
        });
      }
      throw err;
    }
    return redirect(
      c,
      `/admin/documents/${id}${queueSearch(filter, { notice: action })}`,
    );
  },
);
