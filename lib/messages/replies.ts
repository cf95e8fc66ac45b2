/**
 * The reply form of a thread (issue 18 §1, §4): the text, and a file if
 * one is attached. Who may write is checked before a file is stored, so a
 * stranger's upload costs no write; the file and its message then commit
 * together (lib/messages/attachments.ts), and a refused reply leaves no
 * file behind.
 */
import { z } from "zod";
import type { SessionUser } from "../accounts/schema.ts";
import { ForbiddenError, NotFoundError } from "../errors.ts";
import { isId } from "../ids.ts";
import {
  discardAttachment,
  stageAttachment,
  type StagedAttachment,
} from "./attachments.ts";
import { getThread } from "./repo.ts";
import { sideOf } from "./rules.ts";
import { messageText } from "./schema.ts";
import type { Message, Thread } from "./schema.ts";
import { type MessagesDeps, replyInThread } from "./threads.ts";

/** The reply form: the text, and optionally a file (`z.file()`: routes/forms.ts reads it). */
export const replyForm = z.object({
  text: messageText,
  file: z.file().optional(),
});

/** What a reply answers to `Accept: application/json` (islands/ReplyForm.tsx). */
export type ReplyAnswer =
  | { messageId: string }
  | { error: string; issues?: Record<string, string> };

/**
 * Sends a reply, with its file when there is one: refused (404) for anyone
 * but the thread's two parties and (403) before the sender confirmed their
 * address, before the file is read or stored.
 */
export async function sendReply(
  deps: MessagesDeps,
  author: SessionUser,
  threadId: string,
  input: { text: string; file?: { bytes: Uint8Array; name: string } },
): Promise<{ thread: Thread; message: Message }> {
  if (!input.file) {
    return await replyInThread(deps, author, threadId, input.text);
  }
  const thread = isId(threadId) ? await getThread(deps.kv, threadId) : null;
  if (!thread || sideOf(thread, author.id) === null) {
    throw new NotFoundError("We could not find that conversation.");
  }
  if (!author.emailVerifiedAt) {
    throw new ForbiddenError("Confirm your email address to send messages.");
  }
  const staged: StagedAttachment = await stageAttachment(deps.kv, {
    bytes: input.file.bytes,
    name: input.file.name,
    owner: author.id,
    now: deps.now,
  });
  try {
    return await replyInThread(deps, author, threadId, input.text, staged);
  } catch (err) {
    await discardAttachment(deps.kv, staged);
    throw err;
  }
}
