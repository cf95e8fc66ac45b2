/**
 * A person's message settings (issue 18 §3): whether they are emailed
 * about a message still unread 10 minutes after it came. On by default;
 * the account page turns it off.
 */
import type { SessionUser } from "../accounts/schema.ts";
import { ConflictError } from "../errors.ts";
import {
  addSettings,
  commitMessagesWrite,
  getMessageSettings,
  getSettingsEntry,
} from "./repo.ts";
import type { MessageSettings } from "./schema.ts";

export { getMessageSettings };

/** Turns the unread-message emails on or off for `user`. */
export async function setUnreadEmails(
  kv: Deno.Kv,
  user: SessionUser,
  on: boolean,
): Promise<MessageSettings> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await getSettingsEntry(kv, user.id);
    const after: MessageSettings = {
      ...(entry.value ?? { v: 1 }),
      v: 1,
      emailUnread: on,
    };
    const atomic = kv.atomic();
    addSettings(atomic, entry, user.id, after);
    if (await commitMessagesWrite(kv, atomic, {})) return after;
  }
  throw new ConflictError("Your settings changed meanwhile; please try again.");
}
