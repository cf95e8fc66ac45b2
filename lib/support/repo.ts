/** Keeping and listing contact-form messages (lib/support). */
import { keys } from "../db/keys.ts";
import { isId } from "../ids.ts";
import { type SupportMessage, supportMessage } from "./schema.ts";

/**
 * How long a message is kept: long enough to answer it and look back on
 * what was asked, and no longer (the privacy page quotes this).
 */
export const SUPPORT_MESSAGE_KEEP_MS = 365 * 24 * 3600_000;

/**
 * Adds a message to `atomic`, checked absent. Throws on a record that
 * breaks the schema (a programming error) before anything is committed.
 */
export function addSupportMessage(
  atomic: Deno.AtomicOperation,
  message: SupportMessage,
): void {
  const full = supportMessage.parse(message);
  const key = keys.supportMessage(full.id);
  atomic.check({ key, versionstamp: null }).set(key, full, {
    // expireIn is only the earliest deletion; reads check expiresAt too.
    expireIn: Math.max(1, full.expiresAt - full.receivedAt),
  });
}

export interface SupportMessagePage {
  messages: SupportMessage[];
  /** Pass back for the next (older) page; null on the last. */
  cursor: string | null;
}

export const SUPPORT_PAGE_SIZE = 50;

/** Messages newest first, a page at a time, leaving out those past their time. */
export async function listSupportMessages(
  kv: Deno.Kv,
  before: string | null,
  now: number,
): Promise<SupportMessagePage> {
  const messages: SupportMessage[] = [];
  const iter = kv.list<SupportMessage>(
    before && isId(before)
      ? {
        prefix: keys.supportMessagesPrefix(),
        end: keys.supportMessage(before),
      }
      : { prefix: keys.supportMessagesPrefix() },
    { reverse: true, limit: SUPPORT_PAGE_SIZE + 1 },
  );
  let read = 0;
  let last: string | null = null;
  let more = false;
  for await (const e of iter) {
    if (read === SUPPORT_PAGE_SIZE) {
      more = true;
      break;
    }
    read++;
    last = String(e.key[1]);
    const parsed = supportMessage.safeParse(e.value);
    if (parsed.success && parsed.data.expiresAt > now) {
      messages.push(parsed.data);
    }
  }
  // The cursor is the last key read, so lapsed entries still move it on.
  return { messages, cursor: more ? last : null };
}
