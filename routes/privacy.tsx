/** `/privacy`: what Prep keeps, why and for how long (components/SitePages.tsx). */
import { Hono } from "hono";
import { PrivacyPage } from "../components/SitePages.tsx";
import { siteFacts } from "../lib/support/site_facts.ts";
import { type AppEnv, page } from "./context.tsx";

export const privacy = new Hono<AppEnv>();

privacy.get("/", (c) =>
  page(
    c,
    {
      title: "Privacy",
      description:
        "What Prep keeps about you, why, for how long, and how to delete your account.",
    },
    <PrivacyPage facts={siteFacts(c.var.services)} />,
  ));
