/**
 * What the message pages show (issue 18 §1, §5): the inbox, one thread,
 * and the messages a live stream sends after the last one it had. Only the
 * thread's two parties see it; anyone else, staff included, gets a 404
 * (staff read reported threads through lib/messages/reports.ts, audited).
 * Contact details are masked here, as shown, unless the pair has a
 * confirmed booking.
 */
import { getUsers } from "../accounts/repo.ts";
import type { SessionUser } from "../accounts/schema.ts";
import { listBookingsByHost, listBookingsByRenter } from "../bookings/repo.ts";
import type { Booking } from "../bookings/schema.ts";
import { NotFoundError } from "../errors.ts";
import { formatDayTimeZoned, formatTimeRange } from "../format.ts";
import { getHost } from "../hosts/repo.ts";
import { isId } from "../ids.ts";
import { getKitchens } from "../kitchens/repo.ts";
import { attachmentLabel } from "./attachments.ts";
import { shownText } from "./masking.ts";
import {
  getBlockEntries,
  getMessages,
  getThread,
  getThreadByPair,
  listMessagesAfter,
  listMessagesBefore,
  listThreadsOfUser,
  unreadMessages,
  viewReplyTimes,
} from "./repo.ts";
import {
  contactsShown,
  otherSide,
  previewOf,
  replyFigure,
  sideOf,
  userOn,
} from "./rules.ts";
import type { Message, Side, Thread } from "./schema.ts";
import {
  markThreadRead,
  type MessagesDeps,
  pairForBooking,
  pairForKitchen,
} from "./threads.ts";

const NOT_FOUND = "We could not find that conversation.";

/** How many of a renter's or host's newest bookings are looked through for a pair's. */
const BOOKINGS_LOOKED_AT = 100;

/** A booking as a thread names it. */
export interface BookingLine {
  id: string;
  reference: string | null;
  /** "Thu, Dec 10, 9:00 AM - 1:00 PM" in the kitchen's time. */
  when: string;
  status: Booking["status"];
}

/** A message as a reader sees it. */
export interface ShownMessage {
  id: string;
  mine: boolean;
  authorName: string;
  /** Masked unless contact details show. */
  text: string;
  /** "Fri, Dec 4, 3:41 PM CST", in the kitchen's zone. */
  when: string;
  at: number;
  /** The file sent with it: where the two parties download it, its name, "PDF, 1.2 MB". */
  attachment: { href: string; name: string; label: string } | null;
}

export interface ThreadView {
  thread: Thread;
  side: Side;
  other: { id: string; name: string };
  kitchen: { id: string; title: string; timeZone: string } | null;
  bookings: BookingLine[];
  contactsShown: boolean;
  messages: ShownMessage[];
  /** Older messages than the first shown exist (a link pages back). */
  earlier: string | null;
  blockedByMe: boolean;
  blockedByThem: boolean;
  /** The other party deleted their account: nobody can write here now. */
  otherGone: boolean;
  /** The newest messages are shown (not an older page): new ones join them live. */
  latest: boolean;
  /** The viewer's unread messages over all threads, after this one was read. */
  unreadTotal: number;
}

function bookingLine(b: Booking): BookingLine {
  return {
    id: b.id,
    reference: b.reference ?? null,
    when: formatTimeRange(b.timeZone, b.start, b.end),
    status: b.status,
  };
}

/** Statuses a thread lists a booking under: it was, or may yet be, real. */
const LISTED = new Set<Booking["status"]>([
  "requested",
  "confirmed",
  "completed",
  "cancelled",
]);

/**
 * The pair's bookings, latest start first: the renter's newest bookings,
 * those at the kitchen. Bounded, so a renter with years of bookings costs
 * the same as a new one.
 */
export async function pairBookings(
  kv: Deno.Kv,
  renterId: string,
  kitchenId: string,
): Promise<Booking[]> {
  const all = await listBookingsByRenter(kv, renterId, BOOKINGS_LOOKED_AT);
  return all.filter((b) => b.kitchenId === kitchenId);
}

/** The name a party shows as: the host's public (business) name, the renter's own. */
async function partyNames(
  kv: Deno.Kv,
  threads: readonly Thread[],
  viewerId: string,
): Promise<Map<string, string>> {
  const renters = new Set<string>();
  const hosts = new Set<string>();
  for (const t of threads) {
    if (t.renterId !== viewerId) renters.add(t.renterId);
    if (t.hostId !== viewerId) hosts.add(t.hostId);
  }
  const names = new Map<string, string>();
  const users = await getUsers(kv, [...renters, ...hosts]);
  for (const u of users.values()) names.set(u.id, u.name);
  await Promise.all([...hosts].map(async (id) => {
    const h = await getHost(kv, id);
    if (h) names.set(id, h.name);
  }));
  return names;
}

const FORMER = "A former Prep member";

/** Where a message's file is downloaded (routes/messages/files.ts). */
export const attachmentPath = (threadId: string, messageId: string) =>
  `/messages/${threadId}/files/${messageId}`;

function shown(
  m: Message,
  viewerId: string,
  names: Map<string, string>,
  timeZone: string,
  contacts: boolean,
): ShownMessage {
  return {
    id: m.id,
    mine: m.authorId === viewerId,
    authorName: m.authorId === viewerId
      ? "You"
      : names.get(m.authorId) ?? FORMER,
    text: shownText(m.text, contacts),
    when: formatDayTimeZoned(timeZone, m.at),
    at: m.at,
    attachment: m.attachment
      ? {
        href: attachmentPath(m.threadId, m.id),
        name: m.attachment.name,
        label: attachmentLabel(m.attachment),
      }
      : null,
  };
}

/** The thread if `viewer` is one of its two parties; 404 otherwise, staff included. */
async function threadFor(
  kv: Deno.Kv,
  viewer: SessionUser,
  threadId: string,
): Promise<{ thread: Thread; side: Side }> {
  const thread = isId(threadId) ? await getThread(kv, threadId) : null;
  const side = thread ? sideOf(thread, viewer.id) : null;
  if (!thread || side === null) throw new NotFoundError(NOT_FOUND);
  return { thread, side };
}

/**
 * `/messages/:threadId`: the newest messages (or those before `before`),
 * the pair's bookings, and whether either blocked the other. Opening it
 * reads it (`markRead`): the viewer's unread count for it clears.
 */
export async function loadThreadView(
  deps: MessagesDeps,
  viewer: SessionUser,
  threadId: string,
  opts: { before?: string | null; markRead?: boolean } = {},
): Promise<ThreadView> {
  const { kv } = deps;
  if (opts.markRead) await markThreadRead(deps, viewer, threadId);
  const { thread, side } = await threadFor(kv, viewer, threadId);
  const otherId = userOn(thread, otherSide(side));
  const before = opts.before && isId(opts.before) ? opts.before : null;
  const [page, kitchens, names, bookings, blocks, unreadTotal] = await Promise
    .all([
      listMessagesBefore(kv, thread.id, before, 50),
      getKitchens(kv, [thread.kitchenId]),
      partyNames(kv, [thread], viewer.id),
      pairBookings(kv, thread.renterId, thread.kitchenId),
      getBlockEntries(kv, viewer.id, otherId),
      unreadMessages(kv, viewer.id),
    ]);
  const k = kitchens[0];
  const zone = k?.timeZone ?? "UTC";
  const contacts = contactsShown(bookings);
  return {
    thread,
    side,
    other: { id: otherId, name: names.get(otherId) ?? FORMER },
    kitchen: k ? { id: k.id, title: k.title, timeZone: k.timeZone } : null,
    bookings: bookings.filter((b) => LISTED.has(b.status)).map(bookingLine),
    contactsShown: contacts,
    messages: page.messages.map((m) =>
      shown(m, viewer.id, names, zone, contacts)
    ),
    earlier: page.more && page.messages.length > 0 ? page.messages[0].id : null,
    blockedByMe: blocks[0].value !== null,
    blockedByThem: blocks[1].value !== null,
    // Every party whose account is there has a name.
    otherGone: !names.has(otherId),
    latest: before === null,
    unreadTotal,
  };
}

/**
 * The messages after `afterId` as `viewer` sees them (masked as the page
 * is), oldest first: what a live stream sends. 404 unless a party.
 */
export async function loadMessagesAfter(
  deps: Pick<MessagesDeps, "kv">,
  viewer: SessionUser,
  threadId: string,
  afterId: string | null,
  limit = 50,
): Promise<ShownMessage[]> {
  const { kv } = deps;
  const { thread, side } = await threadFor(kv, viewer, threadId);
  const otherId = userOn(thread, otherSide(side));
  const [messages, kitchens, names, bookings] = await Promise.all([
    listMessagesAfter(kv, thread.id, afterId, limit),
    getKitchens(kv, [thread.kitchenId]),
    partyNames(kv, [thread], viewer.id),
    pairBookings(kv, thread.renterId, thread.kitchenId),
  ]);
  const zone = kitchens[0]?.timeZone ?? "UTC";
  const contacts = contactsShown(bookings);
  if (!names.has(otherId)) names.set(otherId, FORMER);
  return messages.map((m) => shown(m, viewer.id, names, zone, contacts));
}

/** One row of the inbox. */
export interface InboxRow {
  threadId: string;
  otherName: string;
  /** As which side the viewer is in it. */
  side: Side;
  kitchenTitle: string;
  /** The pair's next or latest booking, if any: "Thu, Dec 10, 9:00 AM - 1:00 PM". */
  booking: string | null;
  /** The newest message's start, masked as the thread would show it. */
  preview: string;
  lastMine: boolean;
  /** "Fri, Dec 4, 3:41 PM CST". */
  when: string;
  unread: number;
}

export interface Inbox {
  rows: InboxRow[];
  /** The next (older) page, or null on the last. */
  cursor: string | null;
  unread: number;
}

/** The booking a thread row names: the next confirmed one to come, else the latest. */
function rowBooking(bookings: readonly Booking[], now: number): Booking | null {
  const live = bookings.filter((b) => LISTED.has(b.status));
  const next = live.filter((b) => b.end > now && b.status !== "cancelled")
    .sort((a, b) => a.start - b.start)[0];
  return next ?? live.sort((a, b) => b.start - a.start)[0] ?? null;
}

/**
 * `/messages`: the viewer's threads, newest message first, each with the
 * other party, the kitchen, the pair's booking dates, the last message
 * and its unread count. The pairs' bookings come from two bounded lists
 * (the viewer's newest bookings as renter and as host), not one read per
 * row.
 */
export async function loadInbox(
  deps: Pick<MessagesDeps, "kv" | "now">,
  viewer: SessionUser,
  cursor: string | null,
): Promise<Inbox> {
  const { kv } = deps;
  const page = await listThreadsOfUser(kv, viewer.id, { cursor, limit: 20 });
  const asRenter = page.threads.some((t) => t.renterId === viewer.id);
  const asHost = page.threads.some((t) => t.hostId === viewer.id);
  const withLast = page.threads.filter((t) => t.last !== null);
  const [kitchens, names, rented, hosted, unread, lasts] = await Promise.all([
    getKitchens(kv, [...new Set(page.threads.map((t) => t.kitchenId))]),
    partyNames(kv, page.threads, viewer.id),
    asRenter
      ? listBookingsByRenter(kv, viewer.id, BOOKINGS_LOOKED_AT)
      : Promise.resolve([]),
    asHost
      ? listBookingsByHost(kv, viewer.id, BOOKINGS_LOOKED_AT * 2)
      : Promise.resolve([]),
    unreadMessages(kv, viewer.id),
    // The full text, so the preview is cut after masking: a number cut in
    // two would otherwise slip past the mask.
    getMessages(kv, withLast.map((t) => ({ threadId: t.id, id: t.last!.id }))),
  ]);
  const lastText = new Map<string, string>();
  withLast.forEach((t, i) => {
    const m = lasts[i];
    if (m) lastText.set(t.id, m.text);
  });
  const kitchenById = new Map(
    kitchens.filter((k) => k !== null).map((k) => [k!.id, k!]),
  );
  const byPair = new Map<string, Booking[]>();
  for (const b of [...rented, ...hosted]) {
    const key = `${b.renterId}|${b.kitchenId}`;
    const list = byPair.get(key) ?? [];
    if (!list.some((x) => x.id === b.id)) list.push(b);
    byPair.set(key, list);
  }
  const rows = page.threads.map((t): InboxRow => {
    const side = sideOf(t, viewer.id)!;
    const otherId = userOn(t, otherSide(side));
    const k = kitchenById.get(t.kitchenId);
    const bookings = byPair.get(`${t.renterId}|${t.kitchenId}`) ?? [];
    const b = rowBooking(bookings, deps.now);
    return {
      threadId: t.id,
      otherName: names.get(otherId) ?? FORMER,
      side,
      kitchenTitle: k?.title ?? "A kitchen no longer listed",
      booking: b ? bookingLine(b).when : null,
      preview: previewOf(
        shownText(lastText.get(t.id) ?? "", contactsShown(bookings)),
      ),
      lastMine: t.last?.authorId === viewer.id,
      when: formatDayTimeZoned(k?.timeZone ?? "UTC", t.lastAt),
      unread: t.unread[side],
    };
  });
  return { rows, cursor: page.cursor, unread };
}

/** The first-message form ("Ask the host", or a booking's), or the thread it continues. */
export type ComposeView =
  | { kind: "thread"; threadId: string }
  | {
    kind: "new";
    /** Which pair: the kitchen asked about, or the booking written from. */
    target: { kitchen: string } | { booking: string };
    kitchenTitle: string;
    kitchenId: string;
    /** The other party's name: the host's public name, or the renter's. */
    otherName: string;
    asHost: boolean;
    booking: BookingLine | null;
  };

/**
 * `/messages/new?kitchen=…` or `?booking=…`: where the pair already has a
 * thread (a question before booking continues into the booking), that
 * thread; otherwise what the first-message form says. 404 for a kitchen
 * that is not listed, or a booking that is not the viewer's.
 */
export async function loadCompose(
  deps: Pick<MessagesDeps, "kv">,
  viewer: SessionUser,
  target: { kitchen: string } | { booking: string },
): Promise<ComposeView> {
  const { kv } = deps;
  let booking: Booking | null = null;
  let pair;
  if ("booking" in target) {
    pair = await pairForBooking(kv, viewer, target.booking);
    booking = pair.booking;
  } else {
    pair = await pairForKitchen(kv, viewer, target.kitchen);
  }
  const existing = await getThreadByPair(kv, pair.renterId, pair.kitchenId);
  if (existing) return { kind: "thread", threadId: existing.id };
  const asHost = viewer.id === pair.hostId;
  const [kitchens, host, users] = await Promise.all([
    getKitchens(kv, [pair.kitchenId]),
    getHost(kv, pair.hostId),
    getUsers(kv, [pair.renterId]),
  ]);
  return {
    kind: "new",
    target,
    kitchenTitle: kitchens[0]?.title ?? "A kitchen no longer listed",
    kitchenId: pair.kitchenId,
    otherName: asHost
      ? users.get(pair.renterId)?.name ?? FORMER
      : host?.name ?? "the host",
    asHost,
    booking: booking ? bookingLine(booking) : null,
  };
}

/**
 * "Usually replies within 2 hours" for a host's kitchen page, or null
 * while the host has answered fewer than 3 threads in 90 days: one cached
 * read of the host's reply times, kept by each first reply's own atomic.
 */
export async function hostReplyFigure(
  kv: Deno.Kv,
  hostId: string,
  now: number,
): Promise<string | null> {
  return replyFigure(await viewReplyTimes(kv, hostId), now);
}
