import { Hono } from "hono";
import { ID_PATTERN } from "../../lib/ids.ts";
import { MailDetail, MailList } from "../../components/Mailbox.tsx";
import { getMail, listMail } from "../../lib/email/mailbox.ts";
import { NotFoundError } from "../../lib/errors.ts";
import { type AppEnv, page } from "../context.tsx";

/**
 * The development mailbox at /dev/mailbox: emails the mailbox transport kept
 * instead of sending. It exists only where development features are on:
 * never in production, and only on a loopback BASE_URL (lib/config.ts).
 */
export const devMailbox = new Hono<AppEnv>();

const MISSING = "That message is not in the mailbox.";

devMailbox.use(async (c, next) => {
  if (!c.var.services.config.DEV_FEATURES) throw new NotFoundError();
  await next();
  c.header("Cache-Control", "no-store");
  c.header("X-Robots-Tag", "noindex");
});

devMailbox.get("/", async (c) => {
  const mails = await listMail(c.var.services.kv, 100);
  return page(c, { title: "Mailbox" }, <MailList mails={mails} />);
});

devMailbox.get(`/:id{${ID_PATTERN}}`, async (c) => {
  const mail = await getMail(c.var.services.kv, c.req.param("id"));
  if (!mail) throw new NotFoundError(MISSING);
  return page(c, { title: mail.subject }, <MailDetail mail={mail} />);
});

/** The HTML part as sent, in a sandbox: no scripts, no requests, only inline styles. */
devMailbox.get(`/:id{${ID_PATTERN}}/html`, async (c) => {
  const mail = await getMail(c.var.services.kv, c.req.param("id"));
  if (!mail) throw new NotFoundError(MISSING);
  return new Response(mail.html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy":
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      "X-Content-Type-Options": "nosniff",
    },
  });
});
