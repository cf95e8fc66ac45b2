/** `/terms`: the terms of use (components/SitePages.tsx). */
import { Hono } from "hono";
import { TermsPage } from "../components/SitePages.tsx";
import { siteFacts } from "../lib/support/site_facts.ts";
import { type AppEnv, page } from "./context.tsx";

export const terms = new Hono<AppEnv>();

terms.get("/", (c) =>
  page(
    c,
    {
      title: "Terms of use",
      description: "The rules for renting and hosting kitchens on Prep.",
    },
    <TermsPage facts={siteFacts(c.var.services)} />,
  ));
