/**
 * /host/bookings: bookings of the host's kitchens, read fresh; each
 * request's own page (with the renter's details) where it is accepted or
 * declined; bookings cancelled.
 */
import { Hono } from "hono";
import {
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
import { type AppContext, type AppEnv, page } from "../context.tsx";
import { type FormStatus, readForm, readNotice } from "../forms.ts";
import { redirect } from "../headers.ts";

export const hostBookings = new Hono<AppEnv>();

const ID = `:id{${ID_PATTERN}}`;

const NOTICES: Record<string, string> = {
  accepted:
    "Request accepted: the renter's card is charged and the booking confirmed.",
  declined:
    "Request declined: the time is free again and the renter was not charged.",
  cancelled: "Booking cancelled: the renter gets a full refund.",
};

hostBookings.get("/", async (c) => {
  const data = await loadHostBookings(c.var.services.kv, c.var.user!.id);
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
    { title: `Request from ${view.renter.name}` },
    <HostRequestPage
      view={view}
      form={form}
      notice={NOTICES[readNotice(c)]}
      now={now}
    />,
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
