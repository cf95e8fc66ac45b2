/** `/kitchens/:id`: a kitchen's public page (components/KitchenPage.tsx). */
import { Hono } from "hono";
import { PublicKitchenPage } from "../components/KitchenPage.tsx";
import { loadKitchenPageFor } from "../lib/compliance/kitchen_page.ts";
import { ID_PATTERN } from "../lib/ids.ts";
import { kitchenPageQuery } from "../lib/kitchens/pick.ts";
import { type AppEnv, page } from "./context.tsx";
import { readQuery } from "./forms.ts";

export const kitchens = new Hono<AppEnv>();

kitchens.get(`/:id{${ID_PATTERN}}`, async (c) => {
  // Hono's c.var copies every variable on each access: read them once.
  const { kv, clock: now } = c.var.services;
  const user = c.var.user;
  const read = readQuery(c, kitchenPageQuery);
  const data = await loadKitchenPageFor(
    kv,
    c.req.param("id"),
    read.ok ? read.data : {},
    now(),
    user?.id ?? null,
  );
  const k = data.kitchen;
  return page(
    c,
    {
      title: k.title,
      description: k.description.slice(0, 160),
      city: k.address.city,
    },
    <PublicKitchenPage data={data} tiles={c.var.services.mapTiles} />,
  );
});
