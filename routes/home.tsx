/** `/`: the home page (components/HomePage.tsx). */
import { Hono } from "hono";
import { HomePage } from "../components/HomePage.tsx";
import { loadHome } from "../lib/kitchens/pages.ts";
import { type AppEnv, page } from "./context.tsx";

export const home = new Hono<AppEnv>();

home.get("/", async (c) => {
  const { kv, clock: now } = c.var.services;
  return page(
    c,
    { title: "Prep" },
    <HomePage {...await loadHome(kv, now())} />,
  );
});
