/**
 * `/bookings/:id/review`: the booking's renter reviews the kitchen and its
 * host reviews the renter (lib/reviews/write.ts); anyone else gets 404.
 * Mounted inside /bookings, behind its log-in check.
 */
import { Hono } from "hono";
import { emptyForm, type FormState } from "../../components/Forms.tsx";
import { ReviewFormPage } from "../../components/ReviewPages.tsx";
import { at } from "../../lib/app.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { loadReviewForm } from "../../lib/reviews/pages.ts";
import { reviewPost, submitReview } from "../../lib/reviews/write.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import { formFailure, type FormStatus, readForm } from "../forms.ts";
import { redirect } from "../headers.ts";
import { bodyLimit } from "../limits.ts";

export const bookingReview = new Hono<AppEnv>();

const PATH = `/:id{${ID_PATTERN}}/review`;

/** 2,000 characters of any script, percent-encoded, with the scores: well over the form limit. */
export const REVIEW_BODY_LIMIT = 64 * 1024;

async function render(
  c: AppContext,
  form: FormState = emptyForm,
  status: 200 | FormStatus = 200,
) {
  const id = c.req.param("id")!;
  const view = await loadReviewForm(
    c.var.services.kv,
    id,
    c.var.user!,
    c.var.services.clock(),
  );
  // Written already: the booking's page shows it.
  if (view.refusal === "already_written" && status === 200) {
    return redirect(c, `/bookings/${id}#reviews`);
  }
  const title = view.side === "renter"
    ? `Review your booking at ${view.kitchenTitle}`
    : `Review ${view.renterName}`;
  return page(c, { title }, <ReviewFormPage view={view} form={form} />, status);
}

bookingReview.get(PATH, (c) => render(c));

bookingReview.post(PATH, bodyLimit(REVIEW_BODY_LIMIT), async (c) => {
  const id = c.req.param("id");
  const read = await readForm(c, reviewPost);
  if (!read.ok) return await render(c, read.form, 400);
  try {
    const done = await submitReview(
      at(c.var.services),
      id,
      c.var.user!,
      read.data,
    );
    // Back to the booking as its author sees it: the host's page of it
    // shows their payout, the renter's their receipt.
    const booking = done.review.side === "host"
      ? `/host/bookings/${id}`
      : `/bookings/${id}`;
    return redirect(
      c,
      `${booking}?notice=${done.published ? "published" : "reviewed"}#reviews`,
    );
  } catch (err) {
    const failed = formFailure(read.form, err);
    return await render(c, failed.form, failed.status);
  }
});
