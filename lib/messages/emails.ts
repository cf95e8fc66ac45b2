/**
 * Email when a message is unread (issue 18 §3). Every message writes a
 * delayed job (`message-unread:<message id>`, 10 minutes on); when it runs
 * and the recipient has still not read the message, they get one email
 * with the unread messages' text (escaped by the template, masked before a
 * confirmed booking) and a link to the thread. At most one such email per
 * thread and recipient an hour: a message that comes within the hour after
 * one is covered by a single follow-up when the hour is up, if still
 * unread. The recipient's setting (on /account) turns them off.
 *
 * Idempotent: the email and the thread's "emailed up to" mark are one
 * atomic checked against the thread read, so a job that runs twice sends
 * once.
 */
import { getUser } from "../accounts/repo.ts";
import { addEmail } from "../email/job.ts";
import {
  displayName,
  notificationEmail,
  type RenderedEmail,
} from "../email/templates.ts";
import { getHost } from "../hosts/repo.ts";
import { isId } from "../ids.ts";
import { MESSAGE_UNREAD_JOB } from "../job_names.ts";
import { addJob, getJob } from "../jobs/outbox.ts";
import { getKitchen } from "../kitchens/repo.ts";
import { shownText } from "./masking.ts";
import {
  addThreadUpdate,
  commitMessagesWrite,
  getMessage,
  getMessageSettings,
  getThreadEntry,
  listMessagesAfter,
} from "./repo.ts";
import {
  contactsShown,
  otherSide,
  sideOf,
  unreadEmailPlan,
  userOn,
} from "./rules.ts";
import type { Message, Thread } from "./schema.ts";
import type { MessagesDeps } from "./threads.ts";
import { pairBookings } from "./views.ts";

/** At most this many unread messages are quoted in one email. */
const QUOTED = 5;

export type UnreadEmailOutcome = "sent" | "later" | "none";

/**
 * The job's handler: emails the recipient of `messageId` if it is still
 * unread, or schedules the one follow-up of the hour.
 */
export async function sendUnreadEmail(
  deps: MessagesDeps,
  payload: { threadId: string; messageId: string },
): Promise<UnreadEmailOutcome> {
  const { kv, now } = deps;
  if (!isId(payload.threadId) || !isId(payload.messageId)) return "none";
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await getThreadEntry(kv, payload.threadId);
    const message = await getMessage(kv, payload.threadId, payload.messageId);
    if (!entry.value || !message) return "none";
    const t = entry.value;
    const authorSide = sideOf(t, message.authorId);
    if (authorSide === null) return "none";
    const side = otherSide(authorSide);
    const recipient = await getUser(kv, userOn(t, side));
    if (!recipient || recipient.suspension) return "none";
    const settings = await getMessageSettings(kv, recipient.id);
    const plan = unreadEmailPlan(
      t,
      side,
      message.id,
      now,
      settings.emailUnread,
    );
    if (plan.kind === "none") return "none";
    if (plan.kind === "later") {
      await scheduleFollowUp(deps, t, side, message.id, plan.at);
      return "later";
    }
    const unread = (await listMessagesAfter(kv, t.id, t.readUpTo[side], 200))
      .filter((m) => m.authorId !== recipient.id);
    if (unread.length === 0) return "none";
    const [kitchen, bookings] = await Promise.all([
      getKitchen(kv, t.kitchenId),
      pairBookings(kv, t.renterId, t.kitchenId),
    ]);
    const authorName = await nameOf(kv, t, authorSide);
    const email = unreadMessagesEmail({
      recipientName: recipient.name,
      authorName,
      kitchenTitle: kitchen?.title ?? null,
      messages: unread.slice(-QUOTED),
      more: Math.max(0, unread.length - QUOTED),
      contactsShown: contactsShown(bookings),
      url: `${deps.mail.baseUrl}/messages/${t.id}`,
      settingsUrl: `${deps.mail.baseUrl}/account#messages`,
    });
    const after: Thread = {
      ...t,
      emailedUpTo: {
        ...t.emailedUpTo,
        [side]: t.last?.id ?? message.id,
      } as Thread["emailedUpTo"],
      lastEmailAt: { ...t.lastEmailAt, [side]: now } as Thread["lastEmailAt"],
    };
    const atomic = kv.atomic();
    addThreadUpdate(atomic, entry as Deno.KvEntry<Thread>, after);
    addEmail(atomic, deps.mail, recipient.email, email, now);
    if (await commitMessagesWrite(kv, atomic, {})) return "sent";
  }
  throw new Error("The thread kept changing; the job will try again.");
}

/** The hour's one follow-up for this recipient (a derived id: added once). */
async function scheduleFollowUp(
  deps: MessagesDeps,
  t: Thread,
  side: string,
  messageId: string,
  at: number,
): Promise<void> {
  const id = `message-unread:${t.id}:${side}:${at}`;
  if (await getJob(deps.kv, id)) return;
  const atomic = deps.kv.atomic();
  addJob(atomic, {
    type: MESSAGE_UNREAD_JOB,
    id,
    runAt: at,
    payload: { threadId: t.id, messageId },
  }, { now: deps.now, wake: deps.mail.wake });
  // A failed check means another run added it first: nothing to do.
  await atomic.commit();
}

/** A party's name as the other sees it: the host's public name, the renter's own. */
async function nameOf(
  kv: Deno.Kv,
  t: Thread,
  side: "renter" | "host",
): Promise<string> {
  if (side === "host") {
    const h = await getHost(kv, t.hostId);
    if (h) return h.name;
  }
  const u = await getUser(kv, userOn(t, side));
  return u?.name ?? "Someone";
}

/**
 * The email: who wrote, about which kitchen, the messages (each as
 * paragraphs; the template escapes them), and the link. Pure.
 */
export function unreadMessagesEmail(p: {
  recipientName: string;
  authorName: string;
  kitchenTitle: string | null;
  messages: readonly Pick<Message, "text">[];
  more: number;
  contactsShown: boolean;
  url: string;
  settingsUrl: string;
}): RenderedEmail {
  // Names and titles are typed by users: a name that reads like a link is left out.
  const who = displayName(p.authorName) || "Someone";
  const about = p.kitchenTitle ? displayName(p.kitchenTitle) : "";
  const n = p.messages.length + p.more;
  const quoted = p.messages.flatMap((m) =>
    shownText(m.text, p.contactsShown).split(/\n{2,}/).map((para) =>
      para.replace(/\n/g, " ")
    )
  );
  return notificationEmail({
    name: p.recipientName,
    subject: `${who} sent you ${n === 1 ? "a message" : `${n} messages`}${
      about ? ` about ${about}` : ""
    }`,
    heading: n === 1 ? `A message from ${who}` : `${n} messages from ${who}`,
    paragraphs: [
      ...quoted,
      ...(p.more > 0 ? [`And ${p.more} more: read them all on Prep.`] : []),
      ...(p.contactsShown ? [] : [
        "Contact details are hidden until a booking is confirmed, so that payment stays on Prep.",
      ]),
    ],
    action: { label: "Read and reply", url: p.url },
    reason:
      `You received this email because a message to you on Prep was unread for 10 minutes. Turn these emails off on your account page: ${p.settingsUrl}`,
  });
}
