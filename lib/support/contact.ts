/**
 * The contact form: a message is kept for staff and emailed to the support
 * inbox in one atomic, limited per client address and per reply address so
 * the form cannot be used to flood the inbox.
 */
import { addLimitHit, type Limit } from "../accounts/rate_limit.ts";
import { addEmail, type MailSettings } from "../email/job.ts";
import {
  displayName,
  notificationEmail,
  type RenderedEmail,
} from "../email/templates.ts";
import { ConflictError, TooManyAttemptsError } from "../errors.ts";
import { newId } from "../ids.ts";
import { addSupportMessage, SUPPORT_MESSAGE_KEEP_MS } from "./repo.ts";
import {
  CONTACT_TOPICS,
  type ContactInput,
  type SupportMessage,
} from "./schema.ts";

/** Built once from the configuration (lib/app.ts). */
export interface SupportSettings {
  /** The address the site gives out (SUPPORT_EMAIL), or null: the form only. */
  email: string | null;
  /** Who is emailed each message: SUPPORT_EMAIL, else ADMIN_EMAILS. */
  inbox: readonly string[];
}

export interface ContactDeps {
  kv: Deno.Kv;
  now: number;
  mail: MailSettings;
  support: SupportSettings;
}

/** Who sent a message, as the request shows it. */
export interface ContactSender {
  userId: string | null;
  clientAddress: string;
}

export const CONTACT_LIMITS = {
  byAddress: { bucket: "contact:address", max: 5, windowMs: 3600_000 },
  byReplyTo: { bucket: "contact:email", max: 3, windowMs: 3600_000 },
} satisfies Record<string, Limit>;

/**
 * Keeps the message and emails it to every inbox address, in one atomic
 * with the rate limits' counts. Throws TooManyAttemptsError when a limit
 * is reached (nothing is kept or sent).
 */
export async function sendContactMessage(
  deps: ContactDeps,
  input: ContactInput,
  sender: ContactSender,
): Promise<SupportMessage> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const atomic = deps.kv.atomic();
    for (
      const [limit, subject] of [
        [CONTACT_LIMITS.byAddress, sender.clientAddress],
        [CONTACT_LIMITS.byReplyTo, input.email],
      ] as const
    ) {
      const hit = await addLimitHit(atomic, deps.kv, limit, subject, deps.now);
      if (!hit.ok) throw new TooManyAttemptsError(hit.retryAfterSeconds);
    }
    const message: SupportMessage = {
      v: 1,
      id: newId(),
      name: input.name,
      email: input.email,
      topic: input.topic,
      booking: input.booking,
      message: input.message,
      userId: sender.userId,
      receivedAt: deps.now,
      expiresAt: deps.now + SUPPORT_MESSAGE_KEEP_MS,
    };
    addSupportMessage(atomic, message);
    for (const to of deps.support.inbox) {
      addEmail(
        atomic,
        deps.mail,
        to,
        contactEmail(message, deps.mail.baseUrl),
        deps.now,
      );
    }
    if ((await atomic.commit()).ok) return message;
  }
  throw new ConflictError(
    "Your message could not be sent just now. Please try again.",
  );
}

/** The email staff get: who wrote, about what, and the message itself. */
export function contactEmail(
  m: SupportMessage,
  baseUrl: string,
): RenderedEmail {
  const topic = CONTACT_TOPICS[m.topic];
  const who = displayName(m.name) || "someone";
  return notificationEmail({
    name: "",
    subject: `Contact form: ${topic} (from ${who})`,
    heading: `A message about ${topic.toLowerCase()}`,
    paragraphs: [
      `From ${m.name}, ${m.email} (${
        m.userId ? "signed in to Prep" : "not signed in"
      }). Reply to that address.`,
      ...(m.booking ? [`Booking: ${m.booking}`] : []),
      ...m.message.split(/\n{2,}/).map((p) => p.replace(/\n/g, " ")),
    ],
    action: {
      label: "See it on Prep",
      url: `${baseUrl}/admin/messages#m-${m.id}`,
    },
    reason:
      "You received this email because this address receives the messages sent through Prep's contact form.",
  });
}
