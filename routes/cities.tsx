/** `/cities/:city`: a city's guide and kitchens (components/CityPage.tsx). */
import { Hono } from "hono";
import { CityPage } from "../components/CityPage.tsx";
import { loadCityPage } from "../lib/compliance/city_guide.ts";
import { type AppEnv, page } from "./context.tsx";

export const cities = new Hono<AppEnv>();

cities.get("/:city", async (c) => {
  const { kv, clock: now } = c.var.services;
  const data = await loadCityPage(kv, c.req.param("city"), now());
  return page(
    c,
    {
      title: `Commercial kitchens in ${data.city.name}`,
      city: data.city.slug,
      // The same for every viewer but for the header (components/Viewer.tsx).
      shared: true,
    },
    <CityPage {...data} />,
  );
});
