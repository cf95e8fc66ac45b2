/**
 * The message pages (issue 18 §1, §5): the inbox (/messages), a thread
 * (/messages/:threadId) with its reply form, and the first-message form
 * ("Ask the host", or a booking's). Every form posts without JavaScript;
 * after a post the page shows the new message, with a "Refresh" link to
 * look for answers.
 */
import type { ComponentChildren } from "preact";
import LiveInbox from "../islands/LiveInbox.tsx";
import LiveThread from "../islands/LiveThread.tsx";
import ReplyForm from "../islands/ReplyForm.tsx";
import { ATTACHMENT_MAX_BYTES } from "../lib/messages/attachments.ts";
import { HIDDEN } from "../lib/messages/masking.ts";
import { OTHER_GONE } from "../lib/messages/threads.ts";
import { contactsShown } from "../lib/messages/rules.ts";
import { MESSAGE_MAX_CHARS } from "../lib/messages/schema.ts";
import type {
  ComposeView,
  Inbox,
  ShownMessage,
  ThreadView,
} from "../lib/messages/views.ts";
import {
  FormMessage,
  type FormState,
  Notice,
  SubmitButton,
  TextArea,
  upToChars,
} from "./Forms.tsx";
import { REASON_MAX_CHARS } from "../lib/text.ts";

const card = "rounded-xl border border-stone-200 bg-white p-5";
const link = "font-semibold text-emerald-800 underline";
// Whole class strings: the stylesheet scanner skips `${}` parts.
const unreadRow = "rounded-xl border border-emerald-300 bg-emerald-50 p-5";
const mineBubble =
  "ml-auto max-w-[85%] scroll-mt-4 rounded-xl border border-emerald-200 bg-emerald-50 p-4";
const theirBubble =
  "max-w-[85%] scroll-mt-4 rounded-xl border border-stone-200 bg-white p-4";
const quiet =
  "font-semibold text-stone-700 underline decoration-stone-400 hover:text-stone-900";

/** The thread page's list of messages, which its live island adds to. */
const THREAD_LIST_ID = "thread-messages";

const STATUS_WORDS: Record<string, string> = {
  requested: "requested",
  confirmed: "confirmed",
  completed: "completed",
  cancelled: "cancelled",
};

/** Why some words read "[contact details hidden until booking]". */
export const MASK_NOTE =
  "Email addresses, phone numbers and links are hidden until a booking is confirmed, so that payment stays on Prep.";

function Unread({ n }: { n: number }) {
  return n > 0
    ? (
      <span class="rounded-full bg-emerald-700 px-2 py-0.5 text-xs font-bold text-white">
        {`${n > 99 ? "99+" : n} unread`}
      </span>
    )
    : null;
}

/** `/messages`: the signed-in person's conversations, newest first. */
export function InboxPage(
  { inbox, paged, notice }: { inbox: Inbox; paged: boolean; notice?: string },
) {
  return (
    <section class="mx-auto max-w-3xl space-y-6">
      <h1 class="text-3xl font-extrabold">Messages</h1>
      {notice && <Notice>{notice}</Notice>}
      <LiveInbox regionId={INBOX_REGION_ID} unread={inbox.unread} />
      <div id={INBOX_REGION_ID} class="space-y-6">
        <InboxList inbox={inbox} paged={paged} />
      </div>
    </section>
  );
}

/** What LiveInbox swaps in when the inbox changes: the count, the conversations, their pages. */
const INBOX_REGION_ID = "inbox-live";

function InboxList({ inbox, paged }: { inbox: Inbox; paged: boolean }) {
  return (
    <>
      <p class="text-stone-700" data-testid="inbox-count">
        {inbox.unread === 0
          ? "You have no unread messages."
          : `You have ${inbox.unread} unread ${
            inbox.unread === 1 ? "message" : "messages"
          }.`}
      </p>
      {inbox.rows.length === 0
        ? (
          <div class={`${card} space-y-2`}>
            <p>
              {paged
                ? "No older conversations."
                : "No conversations yet. Questions you ask hosts, and messages about your bookings, appear here."}
            </p>
            <p>
              <a href="/search" class={link}>Find a kitchen</a>
              {" and choose “Ask the host” on its page."}
            </p>
          </div>
        )
        : (
          <ul class="space-y-3" data-testid="inbox">
            {inbox.rows.map((r) => (
              <li
                key={r.threadId}
                class={r.unread > 0 ? unreadRow : card}
                data-thread-id={r.threadId}
              >
                <div class="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                  <h2 class="text-lg font-bold">
                    <a href={`/messages/${r.threadId}`} class={link}>
                      {r.otherName}
                    </a>
                  </h2>
                  <Unread n={r.unread} />
                  <span class="ml-auto text-sm text-stone-600">{r.when}</span>
                </div>
                <p class="text-sm text-stone-700">
                  {r.side === "host" ? "Renter · " : "Host · "}
                  {r.kitchenTitle}
                  {r.booking ? ` · Booking ${r.booking}` : ""}
                </p>
                <p class="mt-1 truncate text-stone-800">
                  {r.lastMine ? `You: ${r.preview}` : r.preview}
                </p>
              </li>
            ))}
          </ul>
        )}
      <nav aria-label="Conversation pages" class="flex gap-4">
        {paged && <a href="/messages" class={link}>Newest conversations</a>}
        {inbox.cursor && (
          <a
            href={`/messages?cursor=${encodeURIComponent(inbox.cursor)}`}
            class={link}
          >
            Older conversations
          </a>
        )}
      </nav>
    </>
  );
}

/** A message, and (for the other party's) a way to report it. */
function MessageItem(
  { m, threadId, reportForm }: {
    m: ShownMessage;
    threadId: string;
    /** The report form that failed for this message, to show again open. */
    reportForm?: FormState;
  },
) {
  return (
    <li
      id={`m-${m.id}`}
      data-message-id={m.id}
      data-mine={m.mine ? "" : undefined}
      class={m.mine ? mineBubble : theirBubble}
    >
      <p class="text-sm text-stone-700">
        <strong class="text-stone-900">{m.authorName}</strong>
        {` · ${m.when}`}
      </p>
      <p class="mt-1 typed-text">
        <MaskedText text={m.text} />
      </p>
      {m.attachment && (
        <p class="mt-2 flex flex-wrap items-baseline gap-x-2 rounded-lg border border-stone-200 bg-white px-3 py-2 text-sm">
          <svg
            aria-hidden="true"
            viewBox="0 0 24 24"
            class="h-4 w-4 shrink-0 self-center text-stone-600"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
          >
            <path d="M21 11.5l-8.5 8.5a5 5 0 0 1-7-7L14 4.5a3.5 3.5 0 0 1 5 5L10.5 18a2 2 0 0 1-3-3L15 7.5" />
          </svg>
          <a
            href={m.attachment.href}
            class="break-all font-semibold text-emerald-800 underline"
            data-testid="attachment"
          >
            {m.attachment.name}
          </a>
          <span class="text-stone-600">{m.attachment.label}</span>
        </p>
      )}
      {!m.mine && (
        <details class="mt-2 text-sm" open={reportForm !== undefined}>
          <summary class={`cursor-pointer ${quiet}`}>
            Report this message
          </summary>
          <form
            method="post"
            action={`/messages/${threadId}/report`}
            class="mt-2 space-y-2"
          >
            <input type="hidden" name="message" value={m.id} />
            {reportForm && <FormMessage form={reportForm} />}
            <TextArea
              name="reason"
              label="What is wrong with it?"
              hint={`Prep staff read the conversation and decide; the sender is not told who reported it. ${
                upToChars(REASON_MAX_CHARS)
              }`}
              form={reportForm ?? { values: {}, errors: {} }}
              scope={`report-${m.id}`}
              rows={3}
              maxLength={REASON_MAX_CHARS}
            />
            <button
              type="submit"
              class="rounded-lg border border-red-300 px-3 py-1.5 font-semibold text-red-800 hover:bg-red-50"
            >
              Report to Prep
            </button>
          </form>
        </details>
      )}
    </li>
  );
}

/**
 * Messages after the last one a thread page shows, as its list items: what
 * the page's live island fetches and adds (routes/messages/live.ts).
 */
export function NewMessages(
  { messages, threadId }: { messages: ShownMessage[]; threadId: string },
) {
  return (
    <>
      {messages.map((m) => (
        <MessageItem
          key={m.id}
          m={m}
          threadId={threadId}
        />
      ))}
    </>
  );
}

/** Text with the masked spans set apart, so they read as a note rather than words. */
function MaskedText({ text }: { text: string }) {
  if (!text.includes(HIDDEN)) return <>{text}</>;
  const parts = text.split(HIDDEN);
  const out: ComponentChildren[] = [];
  parts.forEach((p, i) => {
    if (i > 0) {
      out.push(
        <em class="rounded bg-stone-100 px-1 text-stone-700 not-italic">
          {HIDDEN}
        </em>,
      );
    }
    if (p) out.push(<span>{p}</span>);
  });
  return <>{out}</>;
}

/** `/messages/:threadId`: the conversation, its bookings, a reply form, block and report. */
export function ThreadPage(
  { view, form, notice, report }: {
    view: ThreadView;
    form: FormState;
    notice?: string;
    /** A report that failed: which message, and the form to show again. */
    report?: { messageId: string; form: FormState };
  },
) {
  const t = view.thread;
  const blocked = view.blockedByMe || view.blockedByThem;
  // A report about a message not on this page: its problem goes on top.
  const strayReport = report &&
      !view.messages.some((m) => m.id === report.messageId && !m.mine)
    ? report.form.errors.reason ?? report.form.errors.message ??
      report.form.message
    : undefined;
  const bookingHref = (id: string) =>
    view.side === "host" ? `/host/bookings/${id}` : `/bookings/${id}`;
  return (
    <section class="mx-auto max-w-3xl space-y-6">
      <p>
        <a href="/messages" class={link}>← All messages</a>
      </p>
      <header class="space-y-1">
        <h1 class="text-3xl font-extrabold">{view.other.name}</h1>
        <p class="text-stone-700">
          {view.side === "host" ? "Renter, about " : "Host of "}
          {view.kitchen
            ? (
              <a href={`/kitchens/${view.kitchen.id}`} class={link}>
                {view.kitchen.title}
              </a>
            )
            : "a kitchen no longer listed"}
        </p>
      </header>
      {notice && <Notice>{notice}</Notice>}
      {strayReport && (
        <FormMessage form={{ values: {}, errors: {}, message: strayReport }} />
      )}
      <div class={`${card} space-y-2`} data-testid="thread-bookings">
        <h2 class="text-lg font-bold">Bookings</h2>
        {view.bookings.length === 0
          ? (
            <p>
              {view.side === "renter"
                ? "No booking yet: this conversation continues into your booking when you book."
                : "No booking yet: this renter is asking before booking."}
            </p>
          )
          : (
            <ul class="space-y-1">
              {view.bookings.map((b) => (
                <li key={b.id}>
                  <a href={bookingHref(b.id)} class={link}>{b.when}</a>
                  {` · ${STATUS_WORDS[b.status] ?? b.status}`}
                  {b.reference ? ` · ${b.reference}` : ""}
                </li>
              ))}
            </ul>
          )}
        {!view.contactsShown && (
          <p class="text-sm text-stone-600" data-testid="mask-note">
            {MASK_NOTE}
          </p>
        )}
      </div>
      {view.earlier && (
        <p>
          <a href={`/messages/${t.id}?before=${view.earlier}`} class={link}>
            Earlier messages
          </a>
        </p>
      )}
      <h2 class="sr-only">Conversation</h2>
      {view.messages.length === 0 ? <p>No messages yet.</p> : (
        <ol
          id={THREAD_LIST_ID}
          class="flex flex-col gap-3"
          data-testid="messages"
        >
          {view.messages.map((m) => (
            <MessageItem
              key={m.id}
              m={m}
              threadId={t.id}
              reportForm={report?.messageId === m.id ? report.form : undefined}
            />
          ))}
        </ol>
      )}
      {view.latest && !view.otherGone && (
        <LiveThread
          threadId={t.id}
          listId={THREAD_LIST_ID}
          lastId={view.messages.at(-1)?.id ?? null}
          otherName={view.other.name}
        />
      )}
      <div id="latest" class="scroll-mt-4">
        {view.otherGone
          ? (
            <p
              class="rounded-lg border border-stone-300 bg-stone-100 px-4 py-3"
              data-testid="other-gone"
            >
              {OTHER_GONE}
            </p>
          )
          : blocked
          ? (
            <p
              class="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-amber-900"
              data-testid="blocked"
            >
              {view.blockedByMe
                ? `You blocked ${view.other.name}, so neither of you can send messages. Your bookings are not affected.`
                : "You can't send messages in this conversation any more. Your bookings are not affected."}
            </p>
          )
          : (
            <ReplyForm
              threadId={t.id}
              form={form}
              maxBytes={ATTACHMENT_MAX_BYTES}
              maxChars={MESSAGE_MAX_CHARS}
              live={view.latest}
            />
          )}
      </div>
      <p class="text-sm">
        <a href={`/messages/${t.id}#latest`} class={link}>Refresh</a>
        {" to see new messages."}
      </p>
      <div class={`${card} space-y-2 text-sm`}>
        <h2 class="text-lg font-bold">Safety</h2>
        <p>
          Keep payment on Prep: it is how your booking, refund and insurance
          cover work. Report anything that asks you to pay elsewhere.
        </p>
        {view.otherGone
          ? null
          : view.blockedByMe
          ? (
            <form method="post" action={`/messages/${t.id}/unblock`}>
              <button type="submit" class={quiet}>
                {`Unblock ${view.other.name}`}
              </button>
            </form>
          )
          : (
            <form method="post" action={`/messages/${t.id}/block`}>
              <button type="submit" class={quiet}>
                {`Block ${view.other.name}`}
              </button>{" "}
              <span class="text-stone-600">
                Neither of you can send messages until you unblock; bookings
                stay as they are.
              </span>
            </form>
          )}
      </div>
    </section>
  );
}

/** The first message to a host (or, for a booking, to the other party). */
export function ComposePage(
  { view, form }: { view: ComposeView & { kind: "new" }; form: FormState },
) {
  const target = "kitchen" in view.target
    ? { name: "kitchen", value: view.target.kitchen }
    : { name: "booking", value: view.target.booking };
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <header class="space-y-1">
        <h1 class="text-3xl font-extrabold">
          {view.asHost
            ? `Message ${view.otherName}`
            : view.booking
            ? "Message the host"
            : "Ask the host"}
        </h1>
        <p class="text-stone-700">
          {view.asHost ? "About " : `${view.otherName}, host of `}
          <a href={`/kitchens/${view.kitchenId}`} class={link}>
            {view.kitchenTitle}
          </a>
          {view.booking ? `, booking ${view.booking.when}` : ""}
        </p>
      </header>
      <form
        method="post"
        action={`/messages/new?${target.name}=${
          encodeURIComponent(target.value)
        }`}
        class={`${card} space-y-3`}
      >
        <FormMessage form={form} />
        <input type="hidden" name={target.name} value={target.value} />
        <TextArea
          name="text"
          label={view.asHost ? "Your message" : "Your question"}
          form={form}
          rows={6}
          hint={view.asHost
            ? "The renter answers here; you'll find the conversation under Messages."
            : view.booking
            ? "The host answers here; you'll find the conversation under Messages."
            : "Ask about equipment, access, parking or anything else before you book. The host's answer appears under Messages."}
        />
        {!(view.booking && contactsShown([view.booking])) && (
          <p class="text-sm text-stone-600">{MASK_NOTE}</p>
        )}
        <SubmitButton>Send</SubmitButton>
      </form>
      <p>
        {view.booking
          ? (
            <a
              href={view.asHost
                ? `/host/bookings/${view.booking.id}`
                : `/bookings/${view.booking.id}`}
              class={link}
            >
              Back to the booking
            </a>
          )
          : (
            <a href={`/kitchens/${view.kitchenId}`} class={link}>
              Back to the kitchen
            </a>
          )}
      </p>
    </section>
  );
}

/** The kitchen page's way to ask before booking, with how fast the host usually answers. */
export function AskHost(
  { kitchenId, replies }: { kitchenId: string; replies: string | null },
) {
  return (
    <section
      aria-labelledby="ask-heading"
      class="rounded-xl border border-stone-200 bg-white p-4"
      data-testid="ask-host"
    >
      <h2 id="ask-heading" class="text-xl font-bold">Questions?</h2>
      {replies && (
        <p class="mt-1 text-sm text-stone-700" data-testid="reply-time">
          {replies}
        </p>
      )}
      <p class="mt-1 text-sm text-stone-700">
        Equipment, access, parking: ask before you book. The answer comes to
        your Messages.
      </p>
      <p class="mt-2">
        <a href={`/messages/new?kitchen=${kitchenId}`} class={link}>
          Ask the host
        </a>
      </p>
    </section>
  );
}

/** A booking page's way to the pair's conversation. */
export function BookingMessagesCard(
  { bookingId, asHost }: { bookingId: string; asHost: boolean },
) {
  return (
    <div class={card} data-testid="booking-messages">
      <h2 class="text-xl font-bold">Messages</h2>
      <p class="mt-1 text-stone-700">
        {asHost
          ? "Write to the renter about this booking; earlier questions are in the same conversation."
          : "Write to the host about this booking; your questions from before booking are in the same conversation."}
      </p>
      <p class="mt-2">
        <a href={`/messages/new?booking=${bookingId}`} class={link}>
          {asHost ? "Message the renter" : "Message the host"}
        </a>
      </p>
    </div>
  );
}

/** The account page's message settings (/account#messages). */
export function MessageSettingsCard(
  { emailUnread }: { emailUnread: boolean },
) {
  return (
    <div id="messages" class={`${card} scroll-mt-4 space-y-3`}>
      <h2 class="text-xl font-bold">Message emails</h2>
      <p class="text-stone-700">
        {emailUnread
          ? "When a message to you is unread for 10 minutes, we email it to you (at most once an hour per conversation)."
          : "You get no emails about unread messages; find them under Messages."}
      </p>
      <form method="post" action="/account/messages">
        <input
          type="hidden"
          name="emailUnread"
          value={emailUnread ? "off" : "on"}
        />
        <SubmitButton>
          {emailUnread
            ? "Turn off emails about unread messages"
            : "Turn on emails about unread messages"}
        </SubmitButton>
      </form>
    </div>
  );
}
