/** `/help`: how booking, paying, cancelling, documents and payouts work (components/SitePages.tsx). */
import { Hono } from "hono";
import { HelpPage } from "../components/SitePages.tsx";
import { siteFacts } from "../lib/support/site_facts.ts";
import { type AppEnv, page } from "./context.tsx";

export const help = new Hono<AppEnv>();

help.get("/", (c) =>
  page(
    c,
    {
      title: "Help",
      description:
        "How booking, paying, cancelling, documents and payouts work on Prep.",
    },
    <HelpPage facts={siteFacts(c.var.services)} />,
  ));
