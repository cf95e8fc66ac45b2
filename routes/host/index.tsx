/**
 * The host area, /host: one check keeps out everyone who is not a host,
 * then the dashboard (today, upcoming bookings and open requests, a month
 * calendar per kitchen, earnings and their CSV), and each other part as a
 * sub-app at its own prefix: kitchens and their editors (/host/kitchens),
 * bookings (/host/bookings) and payouts (/host/payouts).
 */
import { Hono } from "hono";
import {
  HostDashboard,
  monthPage,
  renderDashboardParts,
} from "../../components/HostDashboard.tsx";
import { renderHostFigures } from "../../components/HostFigures.tsx";
import { decide } from "../../lib/accounts/roles.ts";
import { viewHostFigures } from "../../lib/bookings/host_figures.ts";
import {
  calendarQuery,
  dashboardQuery,
  hostEarningsCsv,
  viewHostMonth,
} from "../../lib/bookings/dashboard.ts";
import { viewReviewedHostDashboard } from "../../lib/reviews/pages.ts";
import { ForbiddenError, ValidationError } from "../../lib/errors.ts";
import { type AppEnv, page } from "../context.tsx";
import { readNotice, readQuery } from "../forms.ts";
import { attachment, redirect } from "../headers.ts";
import { hostBookings } from "./bookings.tsx";
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

host.get("/", async (c) => {
  const read = readQuery(c, dashboardQuery);
  if (!read.ok) {
    throw new ValidationError(
      read.form.errors,
      "That month is not one we can show. Pick a month like 2026-12.",
    );
  }
  // Rendered once per host and month, and cached with its data.
  const [{ parts, reviews }, figures] = await Promise.all([
    viewReviewedHostDashboard(
      c.var.services.kv,
      c.var.user!.id,
      read.data.month,
      c.var.services.clock(),
      renderDashboardParts,
    ),
    viewHostFigures(
      c.var.services.kv,
      c.var.user!.id,
      c.var.services.clock(),
      renderHostFigures,
    ),
  ]);
  return page(
    c,
    { title: "Host dashboard" },
    <HostDashboard
      parts={parts}
      reviews={reviews}
      support={c.var.services.support.email}
      figures={figures}
      notice={readNotice(c) === "verified"
        ? "Your email address is confirmed."
        : undefined}
    />,
  );
});

/** A month's grids, rendered, as JSON: the calendar island's previous/next. */
host.get("/calendar.json", async (c) => {
  const read = readQuery(c, calendarQuery);
  if (!read.ok) return c.json({ error: "Pick a month like 2026-12." }, 400);
  return c.json(
    await viewHostMonth(
      c.var.services.kv,
      c.var.user!.id,
      read.data.month,
      c.var.services.clock(),
      monthPage,
    ),
  );
});

host.get("/earnings.csv", async (c) => {
  const { csv, filename } = await hostEarningsCsv(
    c.var.services.kv,
    c.var.user!.id,
    c.var.services.clock(),
  );
  return c.body(csv, 200, {
    "Content-Type": "text/csv; charset=utf-8; header=present",
    "Content-Disposition": attachment(filename),
    "Cache-Control": "private, no-store",
  });
});

host.route("/kitchens", listings);
host.route("/bookings", hostBookings);
host.route("/payouts", payouts);
