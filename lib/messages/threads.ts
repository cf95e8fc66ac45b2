/**
 * Writing in threads (issue 18 §1, §5): "Ask the host" from a kitchen page,
 * a booking's first message, replies, and reading (which clears a side's
 * unread count). Each is one atomic with everything it causes: the
 * message, the thread and both inbox entries, the unread counters, both
 * inbox versions (what live updates watch), the rate limits' counts, the
 * host's reply time, and the delayed job that emails the recipient if the
 * message is still unread in 10 minutes.
 */
import { addLimitHit } from "../accounts/rate_limit.ts";
import { getUserEntry } from "../accounts/repo.ts";
import { getHostFresh } from "../hosts/repo.ts";
import { addAttachmentWrite, type StagedAttachment } from "./attachments.ts";
import type { SessionUser } from "../accounts/schema.ts";
import { getBooking } from "../bookings/repo.ts";
import type { Booking } from "../bookings/schema.ts";
import type { MailSettings } from "../email/job.ts";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  TooManyAttemptsError,
} from "../errors.ts";
import { isId, newId } from "../ids.ts";
import { MESSAGE_UNREAD_JOB } from "../job_names.ts";
import { addJob } from "../jobs/outbox.ts";
import { getKitchen } from "../kitchens/repo.ts";
import {
  addBlockChecks,
  addInboxBump,
  addMessage,
  addReplyTimes,
  addThreadCreate,
  addThreadUpdate,
  addUnread,
  commitMessagesWrite,
  getBlockEntries,
  getPairEntry,
  getReplyTimesEntry,
  getThreadEntry,
} from "./repo.ts";
import {
  addReplySample,
  MESSAGE_LIMITS,
  otherSide,
  previewOf,
  sideOf,
  UNREAD_EMAIL_DELAY_MS,
  userOn,
} from "./rules.ts";
import type { Message, Side, Thread } from "./schema.ts";

/** What writing needs besides its input: `at(services)` (lib/app.ts) gives it. */
export interface MessagesDeps {
  kv: Deno.Kv;
  now: number;
  mail: MailSettings;
}

const NOT_FOUND = "We could not find that conversation.";
/**
 * Writers of one thread contend for its record (and a person's for their
 * rate-limit counter): each round one wins, so a burst of N needs N
 * rounds. A short random pause spreads the rest.
 */
const ATTEMPTS = 25;
const pause = (attempt: number) =>
  attempt === 0
    ? Promise.resolve()
    : new Promise((done) => setTimeout(done, Math.random() * 4 * attempt));

/** Who may write at all: a confirmed address keeps throwaway accounts from messaging hosts. */
function requireWriter(user: SessionUser): void {
  if (!user.emailVerifiedAt) {
    throw new ForbiddenError("Confirm your email address to send messages.");
  }
}

/** A pair of renter and kitchen, and the kitchen's host. */
interface Pair {
  renterId: string;
  kitchenId: string;
  hostId: string;
}

/**
 * Where "Ask the host" leads for a kitchen: the pair. Only published
 * kitchens take questions, and a host does not ask their own kitchen.
 */
export async function pairForKitchen(
  kv: Deno.Kv,
  user: SessionUser,
  kitchenId: string,
): Promise<Pair> {
  const k = isId(kitchenId) ? await getKitchen(kv, kitchenId) : null;
  if (!k || k.status !== "published") {
    throw new NotFoundError("We could not find that kitchen.");
  }
  if (k.hostId === user.id) {
    throw new ConflictError(
      "This is your own kitchen: renters ask you their questions here.",
      { href: "/messages", label: "Your messages" },
    );
  }
  return { renterId: user.id, kitchenId: k.id, hostId: k.hostId };
}

/** A booking's pair, and the booking; only its renter and its host may write about it. */
export async function pairForBooking(
  kv: Deno.Kv,
  user: SessionUser,
  bookingId: string,
): Promise<Pair & { booking: Booking }> {
  const b = isId(bookingId) ? await getBooking(kv, bookingId) : null;
  if (!b || (b.renterId !== user.id && b.hostId !== user.id)) {
    throw new NotFoundError("We could not find that booking.");
  }
  return {
    renterId: b.renterId,
    kitchenId: b.kitchenId,
    hostId: b.hostId,
    booking: b,
  };
}

/**
 * Writes the first message for a pair, or (when the pair already has a
 * thread, as after a question before booking) adds it to that thread.
 * Returns the thread and the message.
 */
export async function writeToPair(
  deps: MessagesDeps,
  author: SessionUser,
  pair: Pair,
  text: string,
): Promise<{ thread: Thread; message: Message }> {
  requireWriter(author);
  if (author.id !== pair.renterId && author.id !== pair.hostId) {
    throw new NotFoundError(NOT_FOUND);
  }
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await pause(attempt);
    const pairEntry = await getPairEntry(
      deps.kv,
      pair.renterId,
      pair.kitchenId,
    );
    if (pairEntry.value) {
      return await replyInThread(deps, author, pairEntry.value, text);
    }
    const thread: Thread = {
      v: 1,
      id: newId(),
      renterId: pair.renterId,
      hostId: pair.hostId,
      kitchenId: pair.kitchenId,
      createdAt: deps.now,
      lastAt: deps.now,
      last: null,
      count: 0,
      unread: { renter: 0, host: 0 },
      readUpTo: { renter: null, host: null },
      emailedUpTo: { renter: null, host: null },
      lastEmailAt: { renter: null, host: null },
      firstRenterAt: null,
      hostRepliedAt: null,
      openReports: 0,
    };
    const done = await tryWrite(deps, author, null, thread, text);
    if (done) return done;
  }
  throw busy();
}

/** A reply in a thread the author is a party to; 404 for anyone else. */
export async function replyInThread(
  deps: MessagesDeps,
  author: SessionUser,
  threadId: string,
  text: string,
  /** A file written for this reply (lib/messages/replies.ts), committed with it. */
  attachment?: StagedAttachment,
): Promise<{ thread: Thread; message: Message }> {
  if (!isId(threadId)) throw new NotFoundError(NOT_FOUND);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await pause(attempt);
    const entry = await getThreadEntry(deps.kv, threadId);
    // Anyone else learns nothing, not even that the thread exists.
    if (!entry.value || sideOf(entry.value, author.id) === null) {
      throw new NotFoundError(NOT_FOUND);
    }
    requireWriter(author);
    const read = entry as Deno.KvEntry<Thread>;
    const done = await tryWrite(
      deps,
      author,
      read,
      read.value,
      text,
      attachment,
    );
    if (done) return done;
  }
  throw busy();
}

const busy = () =>
  new ConflictError(
    "Your message could not be sent just now. Please try again.",
  );

/** Said instead of sending, once the other party's account is deleted. */
export const OTHER_GONE =
  "This person deleted their Prep account, so messages can't be sent here any more. Your bookings are not affected.";

/** Why nobody can write in a thread between these two, or null. */
export function blockedMessage(
  iBlocked: boolean,
  theyBlocked: boolean,
): string | null {
  if (iBlocked) {
    return "You blocked this person, so neither of you can send messages here. Unblock them to write again.";
  }
  if (theyBlocked) {
    return "You can't send messages in this conversation any more.";
  }
  return null;
}

/**
 * One attempt at writing `text` into `thread` (read as `read`, or new when
 * `read` is null); null when a check failed and the caller should re-read.
 */
async function tryWrite(
  deps: MessagesDeps,
  author: SessionUser,
  read: Deno.KvEntry<Thread> | null,
  thread: Thread,
  text: string,
  attachment?: StagedAttachment,
): Promise<{ thread: Thread; message: Message } | null> {
  const { kv, now } = deps;
  const side = sideOf(thread, author.id)!;
  const otherId = userOn(thread, otherSide(side));
  const [blocks, user] = await Promise.all([
    getBlockEntries(kv, author.id, otherId),
    getUserEntry(kv, otherId),
  ]);
  // A deleted account leaves neither its user nor its host profile (a
  // catalogue host may have a profile and no login, read only then):
  // nobody would read the message, nor be told of it.
  const other: Deno.KvEntryMaybe<unknown> = user.value !== null
    ? user
    : await getHostFresh(kv, otherId);
  if (other.value === null) throw new ConflictError(OTHER_GONE);
  const refusal = blockedMessage(
    blocks[0].value !== null,
    blocks[1].value !== null,
  );
  if (refusal) throw new ConflictError(refusal);

  const atomic = kv.atomic();
  addBlockChecks(atomic, blocks);
  // One check is enough (denokv takes 10 an atomic): a deletion removes
  // both entries in one atomic, so whichever is there changes.
  atomic.check(other);
  const hit = await addLimitHit(
    atomic,
    kv,
    MESSAGE_LIMITS.messagesByUser,
    author.id,
    now,
  );
  if (!hit.ok) throw new TooManyAttemptsError(hit.retryAfterSeconds);
  if (read === null && side === "renter") {
    const threads = await addLimitHit(
      atomic,
      kv,
      MESSAGE_LIMITS.threadsByRenter,
      author.id,
      now,
    );
    if (!threads.ok) {
      throw new TooManyAttemptsError(threads.retryAfterSeconds);
    }
  }

  const message: Message = {
    v: 1,
    id: newId(),
    threadId: thread.id,
    authorId: author.id,
    text,
    at: now,
    ...(attachment ? { attachment: attachment.ref } : {}),
  };
  if (attachment) {
    await addAttachmentWrite(atomic, kv, attachment, author.id, now);
  }
  const after = withMessage(thread, side, message);
  addMessage(atomic, message);
  if (read) addThreadUpdate(atomic, read, after);
  else addThreadCreate(atomic, after);
  // Writing reads what came before it: the author's unread here clears.
  addUnread(atomic, author.id, -thread.unread[side]);
  addUnread(atomic, otherId, 1);
  addInboxBump(atomic, author.id);
  addInboxBump(atomic, otherId);
  const firstReply = side === "host" && thread.hostRepliedAt === null &&
    thread.firstRenterAt !== null;
  if (firstReply) {
    const times = await getReplyTimesEntry(kv, thread.hostId);
    addReplyTimes(
      atomic,
      times,
      thread.hostId,
      addReplySample(times.value, {
        at: now,
        ms: now - thread.firstRenterAt!,
      }),
    );
  }
  addJob(atomic, {
    type: MESSAGE_UNREAD_JOB,
    id: `message-unread:${message.id}`,
    runAt: now + UNREAD_EMAIL_DELAY_MS,
    payload: { threadId: thread.id, messageId: message.id },
  }, { now, wake: deps.mail.wake });
  const ok = await commitMessagesWrite(kv, atomic, {
    unreadOf: [author.id, otherId],
    repliesOf: firstReply ? thread.hostId : undefined,
  });
  return ok ? { thread: after, message } : null;
}

/** The thread after `message` from `side`. Pure. */
export function withMessage(t: Thread, side: Side, message: Message): Thread {
  const other = otherSide(side);
  return {
    ...t,
    // Two messages in one millisecond keep the inbox order by id.
    lastAt: Math.max(message.at, t.lastAt),
    last: {
      id: message.id,
      authorId: message.authorId,
      preview: previewOf(message.text),
    },
    count: t.count + 1,
    unread: { ...t.unread, [side]: 0, [other]: t.unread[other] + 1 } as Thread[
      "unread"
    ],
    readUpTo: { ...t.readUpTo, [side]: message.id } as Thread["readUpTo"],
    firstRenterAt: side === "renter" && t.firstRenterAt === null
      ? message.at
      : t.firstRenterAt,
    hostRepliedAt: side === "host" && t.hostRepliedAt === null &&
        t.firstRenterAt !== null
      ? message.at
      : t.hostRepliedAt,
  };
}

/**
 * Marks a thread read by `user` up to its newest message: their unread
 * count for it goes to zero, with the total, and their inbox version moves
 * (their other tabs' badges update). Nothing is written when nothing was
 * unread. 404 for anyone but the two parties.
 */
export async function markThreadRead(
  deps: Pick<MessagesDeps, "kv">,
  user: SessionUser,
  threadId: string,
): Promise<void> {
  if (!isId(threadId)) throw new NotFoundError(NOT_FOUND);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await pause(attempt);
    const entry = await getThreadEntry(deps.kv, threadId);
    const side = entry.value ? sideOf(entry.value, user.id) : null;
    if (!entry.value || side === null) throw new NotFoundError(NOT_FOUND);
    const t = entry.value;
    if (t.unread[side] === 0) return;
    const after: Thread = {
      ...t,
      unread: { ...t.unread, [side]: 0 } as Thread["unread"],
      readUpTo: {
        ...t.readUpTo,
        [side]: t.last?.id ?? t.readUpTo[side],
      } as Thread["readUpTo"],
    };
    const atomic = deps.kv.atomic();
    addThreadUpdate(atomic, entry as Deno.KvEntry<Thread>, after);
    addUnread(atomic, user.id, -t.unread[side]);
    addInboxBump(atomic, user.id);
    if (await commitMessagesWrite(deps.kv, atomic, { unreadOf: [user.id] })) {
      return;
    }
  }
}

/**
 * The first-message form's post (/messages/new): "Ask the host" about a
 * kitchen, or write about a booking. Continues the pair's thread when
 * there is one.
 */
export async function startConversation(
  deps: MessagesDeps,
  author: SessionUser,
  target: { kitchen: string } | { booking: string },
  text: string,
): Promise<{ thread: Thread; message: Message }> {
  requireWriter(author);
  const pair = "booking" in target
    ? await pairForBooking(deps.kv, author, target.booking)
    : await pairForKitchen(deps.kv, author, target.kitchen);
  return await writeToPair(deps, author, pair, text);
}
