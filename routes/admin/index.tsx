/**
 * The staff area, /admin: support reads every page here, only admins act
 * (lib/accounts/roles.ts). Each page of the area is a sub-app mounted below
 * the one check that keeps everyone else out.
 */
import { Hono } from "hono";
import { AdminHomePage } from "../../components/AdminHome.tsx";
import { requireCapability } from "../../lib/accounts/roles.ts";
import { staffWatch } from "../../lib/compliance/expiry.ts";
import { type AppEnv, page } from "../context.tsx";
import { adminAudit } from "./audit.tsx";
import { adminBookings } from "./bookings.tsx";
import { adminCertifiers } from "./certifiers.tsx";
import { adminDocuments } from "./documents.tsx";
import { adminJobs } from "./jobs.tsx";
import { adminKitchens } from "./kitchens.tsx";
import { adminMessages } from "./messages.tsx";
import { adminReports } from "./reports.tsx";
import { adminReviews } from "./reviews.tsx";
import { adminUsers } from "./users.tsx";

export const admin = new Hono<AppEnv>();

// Staff only: the decision lives in lib/accounts/roles.ts.
admin.use(async (c, next) => {
  requireCapability(c.var.user, "admin:read");
  await next();
});

admin.get("/", async (c) => {
  const watch = await staffWatch(c.var.services.kv, c.var.services.clock());
  return page(
    c,
    { title: "Overview" },
    <AdminHomePage user={c.var.user!} watch={watch} />,
  );
});

admin.route("/bookings", adminBookings);
admin.route("/audit", adminAudit);
admin.route("/documents", adminDocuments);
admin.route("/kitchens", adminKitchens);
admin.route("/users", adminUsers);
admin.route("/certifiers", adminCertifiers);
admin.route("/messages", adminMessages);
admin.route("/jobs", adminJobs);
admin.route("/reports", adminReports);
admin.route("/reviews", adminReviews);
