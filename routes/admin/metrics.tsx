/**
 * /admin/metrics: the staff figures (lib/compliance/figures.ts) for every
 * city, `?city=` one city and its kitchens, or `?kitchen=` one kitchen.
 * Support and admins read it; nothing here changes anything.
 */
import { Hono } from "hono";
import { AdminMetricsPage } from "../../components/AdminMetrics.tsx";
import { figuresQuery, staffFigures } from "../../lib/compliance/figures.ts";
import { ValidationError } from "../../lib/errors.ts";
import { type AppEnv, page } from "../context.tsx";
import { readQuery } from "../forms.ts";

export const adminMetrics = new Hono<AppEnv>();

adminMetrics.get("/", async (c) => {
  const read = readQuery(c, figuresQuery);
  if (!read.ok) {
    throw new ValidationError(
      read.form.errors,
      "We have no figures for that. Pick a city or a kitchen from the figures page.",
    );
  }
  const figures = await staffFigures(
    c.var.services.kv,
    read.data,
    c.var.services.clock(),
  );
  return page(c, { title: "Figures" }, <AdminMetricsPage f={figures} />);
});
