/**
 * /host/bookings: bookings of the host's kitchens, read fresh; each
 * request's own page (with the renter's details) where it is accepted or
 * declined; bookings cancelled.
 */
import { Hono } from "hono";
import {
  hostBookingHeading,
  HostBookingsPage,
  HostRequestPage,
} from "../../components/HostPages.tsx";
import { emptyForm, type FormState } from "../../components/Forms.tsx";
import { at } from "../../lib/app.ts";
import { cancelBooking } from "../../lib/bookings/lifecycle.ts";
import { loadHostBookings } from "../../lib/bookings/pages.ts";
import { declineForm, declineRequest } from "../../lib/bookings/requests.ts";
import { loadReviewedHostRequest } from "../../lib/reviews/pages.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { acceptRequest } from "../../lib/payments/requests.ts";
import { answerMoveAsHost } from "../../lib/payments/reschedule.ts";
import { moveAnswerForm, moveRefForm } from "../../lib/bookings/schema.ts";
import { HostMoveAnswer } from "../../components/MovePages.tsx";
import { reviewNotice } from "../../components/ReviewPages.tsx";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
} from "../forms.ts";
import { z } from "zod";
import { SeriesPage } from "../../components/SeriesPages.tsx";
import {
  declineSeries,
  endSeriesAsHost,
} from "../../lib/bookings/series_manage.ts";
import { loadSeriesPage } from "../../lib/bookings/series_pages.ts";
import { acceptSeries } from "../../lib/payments/occurrences.ts";
import { ANSWER_MAX_CHARS, text } from "../../lib/text.ts";
import { redirect } from "../headers.ts";

export const hostBookings = new Hono<AppEnv>();

const ID = `:id{${ID_PATTERN}}`;

const NOTICES: Record<string, string> = {
  accepted:
    "Request accepted: the renter's card is charged and the booking confirmed.",
  declined:
    "Request declined: the time is free again and the renter was not charged.",
  cancelled: "Booking cancelled: the renter gets a full refund.",
  move_accepted:
    "Change of time accepted: the booking moves once any difference is paid, and the old time is freed.",
  move_declined:
    "Change of time declined: the booking keeps its time, and the renter was told.",
};

hostBookings.get("/", async (c) => {
  const data = await loadHostBookings(
    c.var.services.kv,
    c.var.user!.id,
    c.var.services.clock(),
  );
  return page(
    c,
    { title: "Bookings of your kitchens" },
    <HostBookingsPage
      {...data}
      now={c.var.services.clock()}
      notice={NOTICES[readNotice(c)]}
    />,
  );
});

async function renderRequest(
  c: AppContext,
  id: string,
  form: FormState = emptyForm,
  status: 200 | FormStatus = 200,
) {
  const now = c.var.services.clock();
  const view = await loadReviewedHostRequest(
    c.var.services.kv,
    id,
    c.var.user!.id,
    now,
  );
  return page(
    c,
    { title: hostBookingHeading(view.booking.status, view.renter.name) },
    <HostRequestPage
      view={view}
      form={form}
      notice={NOTICES[readNotice(c)]}
      reviewNotice={reviewNotice(readNotice(c))}
      now={now}
    >
      <HostMoveAnswer booking={view.booking} form={form} now={now} />
    </HostRequestPage>,
    status,
  );
}

hostBookings.get(`/${ID}`, (c) => renderRequest(c, c.req.param("id")));

hostBookings.post(`/${ID}/accept`, async (c) => {
  const id = c.req.param("id");
  await acceptRequest(at(c.var.services), id, c.var.user!);
  return redirect(c, `/host/bookings/${id}?notice=accepted`);
});

hostBookings.post(`/${ID}/decline`, async (c) => {
  const id = c.req.param("id");
  const read = await readForm(c, declineForm);
  if (!read.ok) return await renderRequest(c, id, read.form, 400);
  await declineRequest(at(c.var.services), id, c.var.user!, read.data.reason);
  return redirect(c, `/host/bookings/${id}?notice=declined`);
});

hostBookings.post(`/${ID}/cancel`, async (c) => {
  await cancelBooking(at(c.var.services), c.req.param("id"), c.var.user!, {
    through: ["host"],
    reason: "Cancelled by the host",
  });
  return redirect(c, "/host/bookings?notice=cancelled");
});

// Standing bookings (lib/bookings/series.ts): a series with every date, the
// host's answer to a weekly request (for the whole series), and ending one.
const SERIES_NOTICES: Record<string, string> = {
  accepted:
    "Weekly booking accepted: the first date is charged and the rest are booked, each charged 3 days before it.",
  declined:
    "Weekly booking declined: every date is free again and the renter was not charged.",
  ended:
    "Weekly booking ended: the dates ahead are cancelled and the renter is refunded in full for any they paid.",
};

async function renderSeries(
  c: AppContext,
  id: string,
  form?: FormState,
  status: 200 | FormStatus = 200,
) {
  const now = c.var.services.clock();
  const view = await loadSeriesPage(c.var.services.kv, id, c.var.user!, now);
  return page(
    c,
    { title: `Weekly booking: ${view.kitchen.title}` },
    <SeriesPage
      view={view}
      notice={SERIES_NOTICES[readNotice(c)]}
      now={now}
      form={form}
    />,
    status,
  );
}

hostBookings.get(`/series/${ID}`, (c) => renderSeries(c, c.req.param("id")));

hostBookings.post(`/series/${ID}/accept`, async (c) => {
  const id = c.req.param("id");
  await acceptSeries(at(c.var.services), id, c.var.user!);
  return redirect(c, `/host/bookings/series/${id}?notice=accepted`);
});

hostBookings.post(`/series/${ID}/decline`, async (c) => {
  const id = c.req.param("id");
  const read = await readForm(c, declineForm);
  if (!read.ok) return await renderSeries(c, id, read.form, 400);
  await declineSeries(at(c.var.services), id, c.var.user!, read.data.reason);
  return redirect(c, `/host/bookings/series/${id}?notice=declined`);
});

const endForm = z.object({
  reason: text({ label: "a reason", max: ANSWER_MAX_CHARS, multiline: true }),
  // Every date ahead is cancelled and refunded at once: asked first.
  confirm: z.literal("yes", {
    error:
      "Tick the box to confirm: ending cancels every date still ahead and refunds the renter.",
  }),
});

hostBookings.post(`/series/${ID}/end`, async (c) => {
  const id = c.req.param("id");
  const read = await readForm(c, endForm);
  if (!read.ok) return await renderSeries(c, id, read.form, 400);
  try {
    await endSeriesAsHost(
      at(c.var.services),
      id,
      c.var.user!,
      read.data.reason,
    );
  } catch (err) {
    const failed = formFailure(read.form, err);
    return await renderSeries(c, id, failed.form, failed.status);
  }
  return redirect(c, `/host/bookings/series/${id}?notice=ended`);
});

// A renter's change of time after the free-cancellation window (issue 19 §7).
hostBookings.post(`/${ID}/move/accept`, async (c) => {
  const id = c.req.param("id");
  const read = await readForm(c, moveRefForm);
  if (!read.ok) return await renderRequest(c, id, read.form, 400);
  await answerMoveAsHost(at(c.var.services), id, c.var.user!, {
    accept: true,
    moveId: read.data.move,
    reason: null,
  });
  return redirect(c, `/host/bookings/${id}?notice=move_accepted`);
});

hostBookings.post(`/${ID}/move/decline`, async (c) => {
  const id = c.req.param("id");
  const read = await readForm(c, moveAnswerForm);
  if (!read.ok) return await renderRequest(c, id, read.form, 400);
  await answerMoveAsHost(at(c.var.services), id, c.var.user!, {
    accept: false,
    moveId: read.data.move,
    reason: read.data.reason,
  });
  return redirect(c, `/host/bookings/${id}?notice=move_declined`);
});
