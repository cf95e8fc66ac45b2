/**
 * /api/saved/:kitchenId: the heart island's save (PUT) and removal
 * (DELETE), both idempotent, answering `{ saved }`. A visitor gets a 401
 * and the island falls back to the plain form, which goes through
 * logging in (routes/saved.tsx).
 */
import { Hono } from "hono";
import { at } from "../../lib/app.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { saveKitchen, unsaveKitchen } from "../../lib/saved/saving.ts";
import { LIST_FULL } from "../../lib/saved/schema.ts";
import type { AppEnv } from "../env.ts";

export const saved = new Hono<AppEnv>();

const ID = `:id{${ID_PATTERN}}`;

const SIGNED_OUT = "Log in to save kitchens.";

saved.put(`/${ID}`, async (c) => {
  c.header("Cache-Control", "no-store");
  const user = c.var.user;
  if (!user) return c.json({ error: SIGNED_OUT }, 401);
  const outcome = await saveKitchen(
    at(c.var.services),
    user.id,
    c.req.param("id"),
  );
  if (outcome === "full") {
    return c.json({ error: LIST_FULL }, 409);
  }
  return c.json({ saved: true });
});

saved.delete(`/${ID}`, async (c) => {
  c.header("Cache-Control", "no-store");
  const user = c.var.user;
  if (!user) return c.json({ error: SIGNED_OUT }, 401);
  await unsaveKitchen(c.var.services.kv, user.id, c.req.param("id"));
  return c.json({ saved: false });
});
