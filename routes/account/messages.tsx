/**
 * /account/messages: turns the emails about unread messages on or off
 * (lib/messages/settings.ts); the account page shows the setting.
 */
import { Hono } from "hono";
import { ValidationError } from "../../lib/errors.ts";
import { messageSettingsForm } from "../../lib/messages/schema.ts";
import { setUnreadEmails } from "../../lib/messages/settings.ts";
import type { AppEnv } from "../context.tsx";
import { readForm } from "../forms.ts";
import { redirect } from "../headers.ts";

export const messageSettings = new Hono<AppEnv>();

messageSettings.post("/", async (c) => {
  const read = await readForm(c, messageSettingsForm);
  if (!read.ok) {
    throw new ValidationError(read.form.errors, "Choose on or off.");
  }
  const on = read.data.emailUnread === "on";
  await setUnreadEmails(c.var.services.kv, c.var.user!, on);
  return redirect(
    c,
    `/account?notice=${
      on ? "message-emails-on" : "message-emails-off"
    }#messages`,
  );
});
