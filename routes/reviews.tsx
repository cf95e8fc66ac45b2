/**
 * `/reviews/:id/…`: what is done to a published review (lib/reviews): the
 * kitchen's host answers it once, publicly (`/response`), and anyone
 * signed in who can read it reports it to Prep's staff (`/report`).
 * Signed-out visitors log in and come back.
 */
import { Hono } from "hono";
import { emptyForm, type FormState } from "../components/Forms.tsx";
import { ReportPage, ResponsePage } from "../components/ReviewPages.tsx";
import { signNext } from "../lib/accounts/next_link.ts";
import { at } from "../lib/app.ts";
import { ID_PATTERN } from "../lib/ids.ts";
import { reportReview } from "../lib/reviews/moderation.ts";
import { loadReportForm, loadResponseForm } from "../lib/reviews/pages.ts";
import { reportForm, responseForm } from "../lib/reviews/schema.ts";
import { respondToReview } from "../lib/reviews/write.ts";
import { type AppContext, type AppEnv, page } from "./context.tsx";
import { formFailure, type FormStatus, readForm, readNotice } from "./forms.ts";
import { redirect } from "./headers.ts";
import { bodyLimit } from "./limits.ts";

/** A 2,000-character response in any script, percent-encoded. */
const RESPONSE_BODY_LIMIT = 64 * 1024;

export const reviews = new Hono<AppEnv>();

reviews.use(async (c, next) => {
  if (!c.var.user) {
    // A POST comes back to its form, not to where it posted.
    const path = c.req.path.replace(/\/$/, "");
    const signed = await signNext(
      c.var.services.kv,
      path,
      c.var.services.clock(),
    );
    return redirect(c, `/login?next=${encodeURIComponent(signed)}`);
  }
  await next();
});

const ID = `:id{${ID_PATTERN}}`;

async function renderResponse(
  c: AppContext,
  form: FormState = emptyForm,
  status: 200 | FormStatus = 200,
) {
  const view = await loadResponseForm(
    c.var.services.kv,
    c.req.param("id")!,
    c.var.user!.id,
  );
  return page(
    c,
    { title: `Respond to ${view.review.authorName}'s review` },
    <ResponsePage {...view} form={form} />,
    status,
  );
}

reviews.get(`/${ID}/response`, (c) => renderResponse(c));

reviews.post(`/${ID}/response`, bodyLimit(RESPONSE_BODY_LIMIT), async (c) => {
  const read = await readForm(c, responseForm);
  if (!read.ok) return await renderResponse(c, read.form, 400);
  try {
    const r = await respondToReview(
      at(c.var.services),
      c.req.param("id"),
      c.var.user!,
      read.data.response,
    );
    // Only the host responds: back to their page of the booking.
    return redirect(
      c,
      `/host/bookings/${r.bookingId}?notice=responded#reviews`,
    );
  } catch (err) {
    const failed = formFailure(read.form, err);
    return await renderResponse(c, failed.form, failed.status);
  }
});

async function renderReport(
  c: AppContext,
  form: FormState = emptyForm,
  status: 200 | FormStatus = 200,
) {
  const view = await loadReportForm(
    c.var.services.kv,
    c.req.param("id")!,
    c.var.user!.id,
  );
  return page(
    c,
    { title: "Report a review" },
    <ReportPage
      {...view}
      form={form}
      sent={status === 200 && readNotice(c) === "sent"}
    />,
    status,
  );
}

reviews.get(`/${ID}/report`, (c) => renderReport(c));

reviews.post(`/${ID}/report`, async (c) => {
  const id = c.req.param("id");
  const read = await readForm(c, reportForm);
  if (!read.ok) return await renderReport(c, read.form, 400);
  try {
    await reportReview(at(c.var.services), id, c.var.user!, read.data);
  } catch (err) {
    const failed = formFailure(read.form, err);
    return await renderReport(c, failed.form, failed.status);
  }
  return redirect(c, `/reviews/${id}/report?notice=sent`);
});
