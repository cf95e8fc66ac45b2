/**
 * Messages to Prep's staff through the contact form (/contact): what the
 * form takes, and what is kept.
 */
import { z } from "zod";
import { optionalText, text } from "../text.ts";

/** What a message is about, so staff can sort them; the form's select. */
export const CONTACT_TOPICS = {
  booking: "A booking",
  payment: "A payment or refund",
  documents: "Documents and compliance",
  hosting: "Hosting a kitchen or payouts",
  account: "My account or my data",
  other: "Something else",
} as const;
export type ContactTopic = keyof typeof CONTACT_TOPICS;
const TOPIC_IDS = Object.keys(CONTACT_TOPICS) as [
  ContactTopic,
  ...ContactTopic[],
];

export const MESSAGE_MAX_CHARS = 4000;

/** The posted contact form; signed-in people get their name and email filled in. */
export const contactForm = z.object({
  name: text({ label: "your name", max: 100 }),
  email: z.string().trim().toLowerCase().pipe(
    z.email("Enter the email address we should reply to").max(254),
  ),
  topic: z.enum(TOPIC_IDS, "Choose what your message is about"),
  /** A booking reference or link, when the message is about one. */
  booking: optionalText({ label: "the booking", max: 100 }),
  message: text({
    label: "your message",
    min: 10,
    max: MESSAGE_MAX_CHARS,
    multiline: true,
  }),
});
export type ContactInput = z.infer<typeof contactForm>;

/** A message as kept in KV, until `expiresAt` (see repo.ts). */
export const supportMessage = z.object({
  v: z.literal(1),
  /** A ULID: messages list in the order they came. */
  id: z.string(),
  name: z.string(),
  email: z.string(),
  topic: z.enum(TOPIC_IDS),
  booking: z.string().nullable(),
  message: z.string(),
  /** The account that sent it, when the sender was signed in. */
  userId: z.string().nullable(),
  /** Epoch ms. */
  receivedAt: z.number().int(),
  expiresAt: z.number().int(),
});
export type SupportMessage = z.infer<typeof supportMessage>;
