/**
 * GET /documents/:id/file: a compliance document's file, served only to
 * the document's owner and staff, as an attachment that cannot run
 * anything.
 */
import { Hono } from "hono";
import { getDocumentFileFor } from "../lib/compliance/repo.ts";
import { NotFoundError } from "../lib/errors.ts";
import { ID_PATTERN } from "../lib/ids.ts";
import type { AppEnv } from "./env.ts";
import { attachment } from "./headers.ts";

export const documents = new Hono<AppEnv>();

documents.get(`/:id{${ID_PATTERN}}/file`, async (c) => {
  const user = c.var.user;
  if (!user) throw new NotFoundError();
  const file = await getDocumentFileFor(
    c.var.services.kv,
    c.req.param("id"),
    user,
  );
  return new Response(file.bytes, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Length": String(file.bytes.length),
      "Content-Disposition": attachment(file.filename),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "Cache-Control": "private, no-store",
    },
  });
});
