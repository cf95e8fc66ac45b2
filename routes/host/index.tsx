/**
 * The host area, /host: one check keeps out everyone who is not a host,
 * then each part is a sub-app at its own prefix: the dashboard (/host),
 * kitchens and their editors (/host/kitchens), bookings (/host/bookings)
 * and payouts (/host/payouts).
 */
import { Hono } from "hono";
import { decide } from "../../lib/accounts/roles.ts";
import { ForbiddenError } from "../../lib/errors.ts";
import type { AppEnv } from "../env.ts";
import { redirect } from "../headers.ts";
import { hostBookings } from "./bookings.tsx";
import { dashboard } from "./dashboard.tsx";
import { listings } from "./kitchens/index.tsx";
import { payouts } from "./payouts.tsx";

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
host.route("/kitchens", listings);
host.route("/bookings", hostBookings);
host.route("/payouts", payouts);
