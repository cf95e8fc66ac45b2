import { Hono } from "hono";
import { ID_PATTERN } from "../lib/ids.ts";
import { loadKitchenPage } from "../lib/kitchens/pages.ts";
import { dayView } from "../lib/kitchens/slot_view.ts";
import type { AppEnv } from "./context.tsx";

export const api = new Hono<AppEnv>();

api.get(`/kitchens/:id{${ID_PATTERN}}/availability`, async (c) => {
  const { kitchen, date, slots } = await loadKitchenPage(
    c.var.kv,
    c.req.param("id"),
    c.req.query("date"),
    c.var.now(),
  );
  c.header("Cache-Control", "no-store");
  return c.json(dayView(kitchen.timeZone, date, slots));
});
