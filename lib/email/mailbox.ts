import { keys } from "../db/keys.ts";
import type { OutgoingEmail } from "./templates.ts";

/** A message the development mailbox kept instead of sending. */
export interface StoredMail extends OutgoingEmail {
  /** The idempotency key it was sent with: the email job's id. */
  id: string;
  sentAt: number;
}

/** Ids come from URLs; anything this long is not one of ours (and could exceed KV's key limit). */
const MAX_ID_LENGTH = 200;

/**
 * Keeps a message under `keys.mail(id)` unless one is already there, so a
 * retried job stores it once (the first copy and its time are kept).
 * Returns false when the id was already taken.
 */
export async function storeMail(
  kv: Deno.Kv,
  id: string,
  email: OutgoingEmail,
  sentAt: number,
): Promise<boolean> {
  if (id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new RangeError(`Mailbox ids are 1–${MAX_ID_LENGTH} characters`);
  }
  const mail: StoredMail = {
    id,
    sentAt,
    to: email.to,
    from: email.from,
    subject: email.subject,
    html: email.html,
    text: email.text,
  };
  const key = keys.mail(id);
  const res = await kv.atomic().check({ key, versionstamp: null }).set(
    key,
    mail,
  ).commit();
  return res.ok;
}

/**
 * The newest messages first. Ids are job ids (ULIDs, time-ordered), so the
 * last keys are the newest; the page is then ordered by send time, which puts
 * a retried job's late delivery where it belongs.
 */
export async function listMail(
  kv: Deno.Kv,
  limit = 50,
): Promise<StoredMail[]> {
  const out: StoredMail[] = [];
  const iter = kv.list<StoredMail>({ prefix: keys.mailboxPrefix() }, {
    reverse: true,
    limit,
  });
  for await (const e of iter) out.push(e.value);
  return out.sort((a, b) => b.sentAt - a.sentAt);
}

export async function getMail(
  kv: Deno.Kv,
  id: string,
): Promise<StoredMail | null> {
  if (id.length === 0 || id.length > MAX_ID_LENGTH) return null;
  const e = await kv.get<StoredMail>(keys.mail(id));
  return e.value;
}

/** A run of plain text, or an http(s) URL to show as a link. */
export type TextPart = { text: string } | { url: string };

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/g;
/** Sentence punctuation right after a URL is not part of it. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

/** Splits plain text into text and http(s) URLs, so a viewer can make the URLs clickable. */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const url = m[0].replace(TRAILING_PUNCTUATION, "");
    if (!URL.canParse(url)) continue;
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ url });
    last = m.index + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
