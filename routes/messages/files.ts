/**
 * GET /messages/:threadId/files/:messageId: the file sent with a message,
 * only to the thread's two parties (404 for anyone else, staff included),
 * as an attachment that cannot run anything. Mounted after the message
 * pages, whose area sends a signed-out visitor to log in first.
 */
import { Hono } from "hono";
import { NotFoundError } from "../../lib/errors.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { getAttachmentFor } from "../../lib/messages/attachments.ts";
import type { AppEnv } from "../env.ts";
import { attachment } from "../headers.ts";

export const files = new Hono<AppEnv>();

files.get(
  `/:threadId{${ID_PATTERN}}/files/:messageId{${ID_PATTERN}}`,
  async (c) => {
    const user = c.var.user;
    if (!user) throw new NotFoundError();
    const file = await getAttachmentFor(
      c.var.services.kv,
      user,
      c.req.param("threadId"),
      c.req.param("messageId"),
    );
    return sandboxedDownload(file);
  },
);

/** A private file as a download: exact type, never sniffed, never run, never cached. */
export function sandboxedDownload(
  file: {
    bytes: Uint8Array<ArrayBuffer>;
    contentType: string;
    filename: string;
  },
): Response {
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
}
