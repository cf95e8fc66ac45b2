/**
 * Messages between a renter and a host (issue 18 §1–6, DESIGN §15): what
 * the forms take and what is kept. One thread per renter × kitchen; the
 * question asked before booking and every booking of the pair share it.
 */
import { z } from "zod";
import { isId } from "../ids.ts";
import { REASON_MAX_CHARS, text } from "../text.ts";

/** The longest message, in characters (code points, after normalising). */
export const MESSAGE_MAX_CHARS = 4000;

/**
 * The one free-text schema for a message: 1–4,000 characters, line breaks
 * kept, control and bidi-override characters refused (lib/text.ts).
 */
export const messageText = text({
  label: "a message",
  max: MESSAGE_MAX_CHARS,
  multiline: true,
});

/** A thread id as it arrives in a URL or a form: a ULID, checked before it becomes a key. */
export const threadId = z.string().refine(
  isId,
  "That conversation link is not valid.",
);

/** The reply form of /messages/:threadId and the first message of a new thread. */
export const messageForm = z.object({ text: messageText });
export type MessageInput = z.infer<typeof messageForm>;

/** "Ask the host" (a kitchen) or a booking's first message: which pair the thread is for. */
export const newThreadForm = z.object({
  kitchen: z.string().refine(isId, "Pick a kitchen").or(z.literal("")),
  booking: z.string().refine(isId, "Pick a booking").or(z.literal("")),
  text: messageText,
}).refine((f) => f.kitchen !== "" || f.booking !== "", {
  message: "Pick a kitchen or a booking",
  path: ["kitchen"],
});

/** The two sides of a thread. */
export const SIDES = ["renter", "host"] as const;
export type Side = typeof SIDES[number];

const perSide = <T extends z.ZodType>(t: T) => z.object({ renter: t, host: t });

/** The newest message, as the inbox shows it without reading the thread. */
export const lastMessage = z.object({
  id: z.string(),
  authorId: z.string(),
  /** The start of the text (stored unmasked: masking is applied when shown). */
  preview: z.string().max(300),
});

export const threadRecord = z.object({
  v: z.literal(1),
  /** A ULID. */
  id: z.string(),
  renterId: z.string(),
  hostId: z.string(),
  kitchenId: z.string(),
  /** Epoch ms. */
  createdAt: z.number().int(),
  /** When the newest message was written; the inbox index sorts on it. */
  lastAt: z.number().int(),
  last: lastMessage.nullable(),
  /** Messages in the thread. */
  count: z.number().int().min(0),
  /** Messages each side has not read yet. */
  unread: perSide(z.number().int().min(0)),
  /** The newest message id each side had read when it last opened the thread. */
  readUpTo: perSide(z.string().nullable()),
  /** The newest message id each side was emailed about, and when. */
  emailedUpTo: perSide(z.string().nullable()),
  lastEmailAt: perSide(z.number().int().nullable()),
  /** The renter's first message (the question the host answers), epoch ms. */
  firstRenterAt: z.number().int().nullable(),
  /** The host's first message after it; its delay is a reply-time sample. */
  hostRepliedAt: z.number().int().nullable(),
  /** Reports about messages of this thread that staff have not decided. */
  openReports: z.number().int().min(0),
});
export type Thread = z.infer<typeof threadRecord>;

/** A file sent with a message (lib/messages/attachments.ts): private to the thread's two parties. */
export const attachmentRef = z.object({
  /** The file in the file store (lib/files/store.ts). */
  fileId: z.string(),
  /** The name it was sent with, made safe to show and to download under. */
  name: z.string(),
  contentType: z.enum(["application/pdf", "image/jpeg", "image/png"]),
  /** Bytes. */
  size: z.number().int().min(1),
});
export type AttachmentRef = z.infer<typeof attachmentRef>;

export const messageRecord = z.object({
  v: z.literal(1),
  /** A ULID: a thread's messages list in the order they were written. */
  id: z.string(),
  threadId: z.string(),
  authorId: z.string(),
  /** As typed (normalised); masking happens when shown or emailed. */
  text: z.string(),
  /** Epoch ms. */
  at: z.number().int(),
  /** A file sent with it, if any. */
  attachment: attachmentRef.optional(),
});
export type Message = z.infer<typeof messageRecord>;

/** One person blocking another: no messages either way while it stands. */
export const blockRecord = z.object({
  v: z.literal(1),
  blockerId: z.string(),
  blockedId: z.string(),
  /** The thread it was done from, to come back to it. */
  threadId: z.string(),
  at: z.number().int(),
});
export type Block = z.infer<typeof blockRecord>;

/** Why a message is reported: the form's reason. */
export const reportForm = z.object({
  message: z.string().refine(isId, "Pick a message to report"),
  reason: text({ label: "a reason", max: REASON_MAX_CHARS, multiline: true }),
});

export const REPORT_OUTCOMES = ["dismissed", "warned", "suspended"] as const;
export type ReportOutcome = typeof REPORT_OUTCOMES[number];

export const reportRecord = z.object({
  v: z.literal(1),
  id: z.string(),
  threadId: z.string(),
  messageId: z.string(),
  reporterId: z.string(),
  /** Who wrote the reported message. */
  authorId: z.string(),
  reason: z.string(),
  at: z.number().int(),
  status: z.enum(["open", ...REPORT_OUTCOMES]),
  decision: z.object({
    by: z.string(),
    at: z.number().int(),
    note: z.string().nullable(),
  }).nullable(),
});
export type Report = z.infer<typeof reportRecord>;

/** Staff's decision on a report (/admin/reports/:id). */
export const reportDecisionForm = z.object({
  outcome: z.enum(REPORT_OUTCOMES, "Choose what to do"),
  /** The warning sent to the author, or why the report was dismissed or the author suspended. */
  note: text({ label: "a note", max: REASON_MAX_CHARS, multiline: true }),
});

/** A person's message settings (/account). */
export const messageSettings = z.object({
  v: z.literal(1),
  /** Email me when a message is unread for 10 minutes. */
  emailUnread: z.boolean(),
});
export type MessageSettings = z.infer<typeof messageSettings>;

export const messageSettingsForm = z.object({
  emailUnread: z.enum(["on", "off"], "Choose on or off"),
});

/** A host's recent first-reply delays (epoch ms of the reply, delay ms), newest last. */
export const replyTimes = z.object({
  v: z.literal(1),
  samples: z.array(z.object({ at: z.number().int(), ms: z.number().int() })),
});
export type ReplyTimes = z.infer<typeof replyTimes>;
