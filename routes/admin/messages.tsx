/** /admin/messages: what people sent through the contact form (lib/support), newest first. */
import { Hono } from "hono";
import { z } from "zod";
import { AdminMessagesPage } from "../../components/AdminMessages.tsx";
import {
  listSupportMessages,
  SUPPORT_MESSAGE_KEEP_MS,
} from "../../lib/support/repo.ts";
import { type AppEnv, page } from "../context.tsx";
import { readQuery } from "../forms.ts";

export const adminMessages = new Hono<AppEnv>();

const messagesQuery = z.object({ before: z.string().max(64).default("") });

adminMessages.get("/", async (c) => {
  const read = readQuery(c, messagesQuery);
  const { kv, clock } = c.var.services;
  const found = await listSupportMessages(
    kv,
    read.ok && read.data.before !== "" ? read.data.before : null,
    clock(),
  );
  return page(
    c,
    { title: "Messages" },
    <AdminMessagesPage
      page={found}
      keptDays={SUPPORT_MESSAGE_KEEP_MS / (24 * 3600_000)}
    />,
  );
});
