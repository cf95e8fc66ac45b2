/**
 * /certifiers: the public federal certifier directory, searchable by scope
 * (`?scope=pchf`). An unknown scope gets the page back with a 400 and a
 * message, not an error page.
 */
import { Hono } from "hono";
import { CertifiersPage } from "../components/CertifiersPage.tsx";
import { directoryQuery, viewDirectory } from "../lib/compliance/directory.ts";
import { type AppEnv, page } from "./context.tsx";
import { readQuery } from "./forms.ts";

export const certifiers = new Hono<AppEnv>();

certifiers.get("/", async (c) => {
  const read = readQuery(c, directoryQuery);
  const scope = read.ok && read.data.scope !== "" ? read.data.scope : null;
  const { today, rows } = await viewDirectory(
    c.var.services.kv,
    c.var.services.clock(),
    scope,
  );
  const form = read.ok
    ? read.form
    : { ...read.form, message: read.form.errors.scope };
  return page(
    c,
    {
      title: "Federal certifier directory",
      description:
        "Accredited certification bodies for federal food-safety scopes, with their recognition dates.",
    },
    <CertifiersPage rows={rows} today={today} scope={scope} form={form} />,
    read.ok ? 200 : 400,
  );
});
