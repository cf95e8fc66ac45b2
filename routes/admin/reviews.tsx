/**
 * /admin/reviews: reviews people reported (lib/reviews/moderation.ts);
 * admins remove one with a reason or dismiss its reports, support reads.
 */
import { Hono } from "hono";
import { z } from "zod";
import { AdminReviewsPage } from "../../components/AdminReviews.tsx";
import type { FormState } from "../../components/Forms.tsx";
import { decide, requireCapability } from "../../lib/accounts/roles.ts";
import { at } from "../../lib/app.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import {
  dismissReports,
  loadReportedReviews,
  removeReview,
} from "../../lib/reviews/moderation.ts";
import { removalForm } from "../../lib/reviews/schema.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
  readQuery,
} from "../forms.ts";
import { redirect } from "../headers.ts";

export const adminReviews = new Hono<AppEnv>();

const NOTICES: Record<string, string> = {
  removed:
    "The review is removed: it no longer shows or counts, and its author was emailed your reason.",
  dismissed: "The reports are dismissed; the review stays.",
};

const listQuery = z.object({
  after: z.union([
    z.literal(""),
    z.string().regex(new RegExp(`^${ID_PATTERN}$`)),
  ]),
});

async function render(
  c: AppContext,
  forms: Record<string, FormState> = {},
  status: 200 | FormStatus = 200,
) {
  const read = readQuery(c, listQuery);
  const found = await loadReportedReviews(
    c.var.services.kv,
    read.ok && read.data.after ? read.data.after : null,
  );
  return page(
    c,
    { title: "Reported reviews" },
    <AdminReviewsPage
      {...found}
      canAct={decide(c.var.user, "admin:act").ok}
      forms={forms}
      notice={status === 200 ? NOTICES[readNotice(c)] : undefined}
    />,
    status,
  );
}

adminReviews.get("/", (c) => render(c));

adminReviews.post(`/:id{${ID_PATTERN}}/remove`, async (c) => {
  const id = c.req.param("id");
  // Support gets a 403 before the form is read; lib checks again.
  requireCapability(c.var.user, "admin:act");
  const read = await readForm(c, removalForm);
  if (!read.ok) return await render(c, { [id]: read.form }, 400);
  try {
    await removeReview(at(c.var.services), id, c.var.user, read.data.reason);
  } catch (err) {
    const failed = formFailure(read.form, err);
    return await render(c, { [id]: failed.form }, failed.status);
  }
  return redirect(c, "/admin/reviews?notice=removed");
});

adminReviews.post(`/:id{${ID_PATTERN}}/dismiss`, async (c) => {
  requireCapability(c.var.user, "admin:act");
  await dismissReports(at(c.var.services), c.req.param("id"), c.var.user);
  return redirect(c, "/admin/reviews?notice=dismissed");
});
