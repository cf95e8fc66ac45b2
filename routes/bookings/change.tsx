/**
 * /bookings/:id/change…: changing a booking's time (issue 19 §7). The
 * picker at the same kitchen, the review of the change, confirming it,
 * paying the difference when the saved card could not, and taking back a
 * change still waiting. Mounted inside /bookings, behind its login.
 */
import { Hono } from "hono";
import { emptyForm, type FormState } from "../../components/Forms.tsx";
import {
  ChangeTimePage,
  MovePayDemoPage,
  MoveReviewPage,
} from "../../components/MovePages.tsx";
import { at } from "../../lib/app.ts";
import type { MoveAsk } from "../../lib/bookings/move_read.ts";
import { previewMove } from "../../lib/bookings/moves.ts";
import {
  moveDateOf,
  moveForm,
  moveQuery,
  moveRefForm,
  moveReviewQuery,
} from "../../lib/bookings/schema.ts";
import {
  loadMoveDay,
  loadMovePicker,
} from "../../lib/compliance/move_picker.ts";
import { AppError, ValidationError } from "../../lib/errors.ts";
import { moveQuoteAnswer } from "../../lib/bookings/quote_answer.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import {
  payMoveDemo,
  requestMove,
  resumeMovePayment,
  withdrawMove,
} from "../../lib/payments/reschedule.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import { formFailure, type FormStatus, readForm, readQuery } from "../forms.ts";
import { redirect, redirectOut } from "../headers.ts";

export const bookingChange = new Hono<AppEnv>();

const ID = `:id{${ID_PATTERN}}`;

/** The Change time page, with what went wrong when a pick came back. */
async function renderPicker(
  c: AppContext,
  id: string,
  query: { date?: string; start?: string; hours?: number },
  form: FormState = emptyForm,
  status: 200 | FormStatus = 200,
) {
  const data = await loadMovePicker(
    c.var.services.kv,
    id,
    c.var.user!,
    query,
    c.var.services.clock(),
  );
  return page(
    c,
    { title: "Change the time" },
    <ChangeTimePage data={data} form={form} />,
    status,
  );
}

bookingChange.get(`/${ID}/change`, async (c) => {
  const read = readQuery(c, moveQuery);
  if (!read.ok) {
    return await renderPicker(c, c.req.param("id"), {}, read.form, 400);
  }
  return await renderPicker(c, c.req.param("id"), read.data);
});

bookingChange.get(`/${ID}/change/availability`, async (c) => {
  c.header("Cache-Control", "private, no-store");
  const read = readQuery(c, moveQuery);
  if (!read.ok) {
    throw new ValidationError(read.form.errors, "Pick a valid date.");
  }
  return c.json(
    await loadMoveDay(
      c.var.services.kv,
      c.req.param("id"),
      c.var.user!,
      read.data.date,
      c.var.services.clock(),
    ),
  );
});

/** The new time's price for the picker, as JSON; a time it cannot have says why. */
bookingChange.get(`/${ID}/change/quote`, async (c) => {
  c.header("Cache-Control", "private, no-store");
  const read = readQuery(c, moveForm.omit({ acknowledge: true }));
  try {
    if (!read.ok) {
      throw new ValidationError(
        read.form.errors,
        "Pick a date, a start and an end time.",
      );
    }
    return c.json(
      await moveQuoteAnswer(
        at(c.var.services),
        c.req.param("id"),
        c.var.user!,
        read.data,
      ),
    );
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return c.json({ error: err.message }, err.status as 400 | 404 | 409);
  }
});

/** The review of moving to `ask`; a time that cannot be had goes back to the picker, saying why. */
async function renderReview(
  c: AppContext,
  id: string,
  ask: MoveAsk,
  form: FormState = emptyForm,
  status: 200 | FormStatus = 200,
) {
  let preview;
  try {
    preview = await previewMove(at(c.var.services), id, c.var.user!, ask);
  } catch (err) {
    const failed = formFailure(emptyForm, err);
    return await renderPicker(
      c,
      id,
      { date: ask.date },
      failed.form,
      failed.status,
    );
  }
  return page(
    c,
    { title: "Review the change" },
    <MoveReviewPage preview={preview} form={form} />,
    status,
  );
}

bookingChange.get(`/${ID}/change/review`, async (c) => {
  const id = c.req.param("id");
  const read = readQuery(c, moveReviewQuery);
  if (!read.ok) {
    // Back to the picker on the date asked, when that much reads.
    return await renderPicker(c, id, moveDateOf(read.form.values), {
      ...read.form,
      message: "Pick a date, a start and an end for the new time.",
    }, 400);
  }
  return await renderReview(c, id, read.data);
});

/** Where the booking page opens after confirming, by how the change went. */
const AFTER: Record<string, string> = {
  moved: "moved",
  requested: "move_requested",
  charging: "move_charging",
};

bookingChange.post(`/${ID}/change`, async (c) => {
  const id = c.req.param("id");
  const read = await readForm(c, moveForm);
  if (!read.ok) {
    return await renderPicker(c, id, {}, {
      ...read.form,
      message: "Pick a date, a start and an end for the new time.",
    }, 400);
  }
  const ask = read.data;
  try {
    const out = await requestMove(at(c.var.services), id, c.var.user!, ask);
    if (out.kind === "pay") {
      return out.external
        ? redirectOut(c, out.url, c.var.services.paymentOrigins)
        : redirect(c, out.url);
    }
    return redirect(c, `/bookings/${id}?notice=${AFTER[out.kind]}`);
  } catch (err) {
    const failed = formFailure(read.form, err);
    return await renderReview(c, id, ask, failed.form, failed.status);
  }
});

bookingChange.get(`/${ID}/change/pay`, async (c) => {
  const next = await resumeMovePayment(
    at(c.var.services),
    c.req.param("id"),
    c.var.user!,
  );
  if (next.kind === "redirect") {
    return next.external
      ? redirectOut(c, next.url, c.var.services.paymentOrigins)
      : redirect(c, next.url);
  }
  return page(
    c,
    { title: "Pay the difference" },
    <MovePayDemoPage {...next} now={c.var.services.clock()} />,
  );
});

bookingChange.post(`/${ID}/change/pay`, async (c) => {
  const id = c.req.param("id");
  await payMoveDemo(at(c.var.services), id, c.var.user!.id);
  return redirect(c, `/bookings/${id}?notice=move_paid`);
});

bookingChange.post(`/${ID}/change/withdraw`, async (c) => {
  const id = c.req.param("id");
  const read = await readForm(c, moveRefForm);
  if (!read.ok) {
    throw new ValidationError(read.form.errors, "Pick the change to withdraw.");
  }
  await withdrawMove(at(c.var.services), id, c.var.user!, read.data.move);
  return redirect(c, `/bookings/${id}?notice=move_withdrawn`);
});
