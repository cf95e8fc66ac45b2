import { Hono } from "hono";
import { HostBookingsPage, PayoutsPage } from "../../components/HostPages.tsx";
import { decide } from "../../lib/accounts/roles.ts";
import { cancelBooking } from "../../lib/bookings/lifecycle.ts";
import { loadHostBookings } from "../../lib/bookings/pages.ts";
import { declineRequest } from "../../lib/bookings/requests.ts";
import { ForbiddenError, NotFoundError } from "../../lib/errors.ts";
import { getHostFresh } from "../../lib/hosts/repo.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import {
  refreshPayoutStatus,
  startPayoutSetup,
} from "../../lib/payments/connect.ts";
import { acceptRequest } from "../../lib/payments/requests.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import { redirect, redirectOut } from "../headers.ts";
import { dashboard } from "./dashboard.tsx";
import { listings } from "./kitchens.tsx";
import { hostPhotos } from "./photos.tsx";
import { calendarSync } from "./calendar.tsx";
import { hostPermits } from "./permits.tsx";
import { at } from "../../lib/app.ts";

/** The host's pages: bookings of their kitchens and payouts. */
export const host = new Hono<AppEnv>();

host.use(async (c, next) => {
  const user = c.var.user;
  if (!user) {
    return redirect(c, `/login?next=${encodeURIComponent(c.req.path)}`);
  }
  const may = decide(user, "host");
  if (!may.ok) throw new ForbiddenError(may.reason);
  await next();
});
host.route("/", dashboard);

host.route("/", listings);
host.route("/", hostPhotos);
host.route("/", calendarSync);
host.route("/", hostPermits);

const NOTICES: Record<string, string> = {
  "demo-ready": "Demo payouts are set up. Your kitchens can take bookings.",
  returned: "Welcome back. Here is your payout status as Stripe has it now.",
  accepted:
    "Request accepted: the renter's card is charged and the booking confirmed.",
  declined:
    "Request declined: the time is free again and the renter was not charged.",
  cancelled: "Booking cancelled: the renter gets a full refund.",
};

async function renderPayouts(c: AppContext) {
  const profile = (await getHostFresh(c.var.services.kv, c.var.user!.id)).value;
  if (!profile) throw new NotFoundError("We could not find your host profile.");
  return page(
    c,
    { title: "Payouts" },
    <PayoutsPage
      host={profile}
      mode={c.var.services.config.PAYMENTS}
      notice={NOTICES[c.req.query("notice") ?? ""]}
    />,
  );
}

host.get("/payouts", (c) => renderPayouts(c));

async function goToSetup(c: AppContext) {
  const { url, external } = await startPayoutSetup(
    at(c.var.services),
    c.var.user!,
  );
  return external
    ? redirectOut(c, url, c.var.services.paymentOrigins)
    : redirect(c, url);
}

host.post("/payouts", (c) => goToSetup(c));

// Stripe sends the host back here (a GET): read the account now.
host.get("/payouts/return", async (c) => {
  await refreshPayoutStatus(at(c.var.services), c.var.user!.id);
  return redirect(c, "/host/payouts?notice=returned");
});

// An Account Link expired or was used: Stripe asks for a fresh one (a GET).
host.get("/payouts/refresh", (c) => goToSetup(c));

host.get("/bookings", async (c) => {
  const data = await loadHostBookings(c.var.services.kv, c.var.user!.id);
  return page(
    c,
    { title: "Bookings of your kitchens" },
    <HostBookingsPage
      {...data}
      now={c.var.services.clock()}
      notice={NOTICES[c.req.query("notice") ?? ""]}
    />,
  );
});

host.post(`/bookings/:id{${ID_PATTERN}}/accept`, async (c) => {
  await acceptRequest(at(c.var.services), c.req.param("id"), c.var.user!);
  return redirect(c, "/host/bookings?notice=accepted");
});

host.post(`/bookings/:id{${ID_PATTERN}}/decline`, async (c) => {
  await declineRequest(at(c.var.services), c.req.param("id"), c.var.user!);
  return redirect(c, "/host/bookings?notice=declined");
});

host.post(`/bookings/:id{${ID_PATTERN}}/cancel`, async (c) => {
  await cancelBooking(at(c.var.services), c.req.param("id"), c.var.user!, {
    through: ["host"],
    reason: "Cancelled by the host",
  });
  return redirect(c, "/host/bookings?notice=cancelled");
});
