/**
 * The host's next step once Prep has verified the last permit a kitchen
 * needs: "Your kitchen can be published", by email and in the app, in the
 * atomic of the staff decision that made it so (repo.ts reviewDocument).
 */
import { addEmail, type MailSettings } from "../email/job.ts";
import { notificationEmail } from "../email/templates.ts";
import type { Kitchen, PermitStanding } from "../kitchens/schema.ts";
import { addNotification } from "../notifications/repo.ts";
import { rulePackFor } from "./rules.ts";

/** A kitchen's permit standing across a document change. */
export interface PermitChange {
  kitchenId: string;
  title: string | null;
  city: string | null;
  /** "draft" before the listing was first published. */
  status: Kitchen["status"];
  before: PermitStanding | null;
  after: PermitStanding;
  /** The kitchen's zone, where its notifications' times read. */
  timeZone?: string;
}

/**
 * Whether this change is the one that makes a kitchen's permits complete,
 * on a kitchen its host still has to publish (a draft or unlisted). A
 * published kitchen that regains its standing is back in search by itself.
 */
export function becamePublishable(change: PermitChange): boolean {
  return change.after.ok && !change.before?.ok &&
    (change.status === "draft" || change.status === "unlisted");
}

/** What the host is told: the words of the email and the notification. */
export function publishPromptMessage(change: PermitChange): {
  subject: string;
  heading: string;
  paragraphs: string[];
  href: string;
} {
  const title = change.title ?? "your kitchen";
  const city = change.city ? rulePackFor(change.city).cityName : null;
  return {
    subject: "Your kitchen can be published",
    heading: "Your kitchen can be published",
    paragraphs: [
      `Prep has verified every permit ${
        city ?? "your city"
      } requires for ${title}.`,
      "Open your listing to publish it: its page lists anything still left to do first, such as photos or payouts.",
    ],
    href: `/host/kitchens/${change.kitchenId}`,
  };
}

/** Adds the email and the in-app notification to `atomic` when the change calls for them. */
export function addPublishPrompt(
  atomic: Deno.AtomicOperation,
  mail: MailSettings,
  host: { id: string; email: string; name: string },
  change: PermitChange,
  now: number,
): void {
  if (!becamePublishable(change)) return;
  const m = publishPromptMessage(change);
  addEmail(
    atomic,
    mail,
    host.email,
    notificationEmail({
      name: host.name,
      subject: m.subject,
      heading: m.heading,
      paragraphs: m.paragraphs,
      action: {
        label: "Publish your kitchen",
        url: new URL(m.href, mail.baseUrl).href,
      },
    }),
    now,
  );
  addNotification(atomic, host.id, {
    title: m.heading,
    body: m.paragraphs.join(" "),
    href: m.href,
    timeZone: change.timeZone,
  }, now);
}
