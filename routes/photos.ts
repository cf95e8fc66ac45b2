import { Hono } from "hono";
import { ID_PATTERN } from "../lib/ids.ts";
import { getPublicImage } from "../lib/files/store.ts";
import { NotFoundError } from "../lib/errors.ts";
import type { AppEnv } from "./env.ts";

export const photos = new Hono<AppEnv>();

photos.get(`/:id{${ID_PATTERN}}`, async (c) => {
  const file = await getPublicImage(c.var.services.kv, c.req.param("id"));
  if (!file) throw new NotFoundError();
  return new Response(file.bytes, {
    headers: {
      "Content-Type": file.meta.contentType,
      "Content-Length": String(file.meta.size),
      // File ids are never reused, so a photo can be cached forever.
      "Cache-Control": "public, max-age=31536000, immutable",
      // Opened directly, an SVG must not run anything or load anything.
      "Content-Security-Policy":
        "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    },
  });
});
