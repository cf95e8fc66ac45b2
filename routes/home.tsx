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
    // The same for every viewer but for the header (components/Viewer.tsx).
    { title: "Prep", shared: true },
    <HomePage {...await loadHome(kv, now())} />,
  );
});
