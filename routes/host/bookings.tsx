/**
 * /host/bookings: bookings of the host's kitchens, read fresh, where
 * requests are accepted or declined and bookings cancelled.
 */
import { Hono } from "hono";
import { HostBookingsPage } from "../../components/HostPages.tsx";
import { at } from "../../lib/app.ts";
import { cancelBooking } from "../../lib/bookings/lifecycle.ts";
import { loadHostBookings } from "../../lib/bookings/pages.ts";
import { declineRequest } from "../../lib/bookings/requests.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { acceptRequest } from "../../lib/payments/requests.ts";
import { type AppEnv, page } from "../context.tsx";
import { readNotice } from "../forms.ts";
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

hostBookings.post(`/${ID}/accept`, async (c) => {
  await acceptRequest(at(c.var.services), c.req.param("id"), c.var.user!);
  return redirect(c, "/host/bookings?notice=accepted");
});

hostBookings.post(`/${ID}/decline`, async (c) => {
  await declineRequest(at(c.var.services), c.req.param("id"), c.var.user!);
  return redirect(c, "/host/bookings?notice=declined");
});

hostBookings.post(`/${ID}/cancel`, async (c) => {
  await cancelBooking(at(c.var.services), c.req.param("id"), c.var.user!, {
    through: ["host"],
    reason: "Cancelled by the host",
  });
  return redirect(c, "/host/bookings?notice=cancelled");
});
