/**
 * What reviews tell people, by email and in the app: the window opening,
 * three days left, reviews published, a review removed by staff. Each is
 * added to the atomic of the change that causes it, so nobody is told of
 * something that did not commit.
 */
import type { User } from "../accounts/schema.ts";
import type { Booking } from "../bookings/schema.ts";
import { addEmail, type MailSettings } from "../email/job.ts";
import { displayName, notificationEmail } from "../email/templates.ts";
import { formatDate } from "../format.ts";
import { addNotification } from "../notifications/repo.ts";
import { lastReviewDate } from "./rules.ts";
import type { ReviewSide } from "./schema.ts";

export interface NoticeDeps {
  now: number;
  mail: MailSettings;
}

export interface Notice {
  subject: string;
  heading: string;
  paragraphs: string[];
  /** A path on the site: the notification's link and the email's button. */
  href: string;
  action: string;
  /** The kitchen's zone, where the notification's time reads. */
  timeZone?: string;
}

/** Emails `to` and adds the same notice to their notifications. */
export function addNotice(
  atomic: Deno.AtomicOperation,
  deps: NoticeDeps,
  to: Pick<User, "id" | "email" | "name">,
  n: Notice,
): void {
  addEmail(
    atomic,
    deps.mail,
    to.email,
    notificationEmail({
      name: to.name,
      subject: n.subject,
      heading: n.heading,
      paragraphs: n.paragraphs,
      action: { label: n.action, url: new URL(n.href, deps.mail.baseUrl).href },
    }),
    deps.now,
  );
  addInAppNotice(atomic, deps.now, to.id, n);
}

/** The in-app half of a notice only (reviews published: no email). */
export function addInAppNotice(
  atomic: Deno.AtomicOperation,
  now: number,
  userId: string,
  n: Pick<Notice, "heading" | "paragraphs" | "href" | "timeZone">,
): void {
  addNotification(atomic, userId, {
    title: n.heading,
    body: n.paragraphs.join(" "),
    href: n.href,
    timeZone: n.timeZone,
  }, now);
}

/** A kitchen's title in an email or notice; a title that reads like a link is left out. */
export function kitchenName(title: string): string {
  return displayName(title) || "your kitchen booking";
}

/** "Thu, Dec 10" of a booking, in the kitchen's own calendar. */
function bookedDay(b: Pick<Booking, "localDate">): string {
  return formatDate(b.localDate);
}

/** The day a window closes, as its last day people can write ("Thu, Dec 24"). */
function lastDay(closesAt: number, timeZone: string): string {
  return formatDate(lastReviewDate(closesAt, timeZone));
}

/** Who the other side is, in a sentence: the host's business or the renter's first name. */
export interface Parties {
  kitchenTitle: string;
  /** What the renter calls the host: their business name. */
  hostName: string;
  /** What the host calls the renter. */
  renterName: string;
}

/** "Review your booking at …": the window opened (or `daysLeft` remain). */
export function reviewDueNotice(
  b: Pick<Booking, "id" | "localDate" | "timeZone">,
  side: ReviewSide,
  p: Parties,
  closesAt: number,
  daysLeft?: number,
): Notice {
  const place = kitchenName(p.kitchenTitle);
  const other = side === "renter"
    ? displayName(p.hostName) || "the host"
    : displayName(p.renterName) || "the renter";
  const until = lastDay(closesAt, b.timeZone);
  const blind =
    `Reviews stay hidden until you and ${other} have both written one, or until the end of ${until}; then they are published together.`;
  const ask = side === "renter"
    ? `How was ${place} on ${
      bookedDay(b)
    }? Rate its cleanliness, its equipment and how the host communicated; your review helps other renters choose.`
    : `How was ${other} as a renter on ${
      bookedDay(b)
    }? Say whether they left the kitchen clean and followed your rules; other hosts see your rating.`;
  const closing = daysLeft !== undefined;
  return {
    subject: closing
      ? `${daysLeft} days left to review your booking at ${place}`
      : `Review your booking at ${place}`,
    heading: closing
      ? `${daysLeft} days left to review your booking at ${place}`
      : `Review your booking at ${place}`,
    paragraphs: [ask, blind],
    href: `/bookings/${b.id}/review`,
    action: "Write your review",
    timeZone: b.timeZone,
  };
}

/** Both reviews of a booking (or whatever was written by the window's end) are public now. */
export function publishedNotice(
  b: Pick<Booking, "id">,
  p: Parties,
): Pick<Notice, "heading" | "paragraphs" | "href"> {
  return {
    heading: `Reviews of your booking at ${
      kitchenName(p.kitchenTitle)
    } are published`,
    paragraphs: [
      "You can read them on the booking's page. Published reviews cannot be changed.",
    ],
    href: `/bookings/${b.id}#reviews`,
  };
}

/** To a review's author, when staff removed it. */
export function removedNotice(
  p: Pick<Parties, "kitchenTitle"> & { timeZone?: string },
  bookingId: string,
  reason: string,
): Notice {
  const place = kitchenName(p.kitchenTitle);
  return {
    subject: `Your review of your booking at ${place} was removed`,
    heading: "Prep removed your review",
    paragraphs: [
      `Prep's staff removed your review of your booking at ${place}. It no longer shows and no longer counts towards any rating.`,
      `The reason they gave: ${reason}`,
      "If you think this is a mistake, reply through the contact form.",
    ],
    href: `/bookings/${bookingId}#reviews`,
    action: "See the booking",
    timeZone: p.timeZone,
  };
}
