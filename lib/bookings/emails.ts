/**
 * The emails a booking's changes send, in plain words with times in the
 * kitchen's zone. Added to the atomic of the change, so they go out exactly
 * when it commits.
 */
import type { User } from "../accounts/schema.ts";
import { addEmail } from "../email/job.ts";
import { displayName, notificationEmail } from "../email/templates.ts";
import { formatDayTime, formatTime } from "../format.ts";
import { POLICY_NAMES } from "../kitchens/policy.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { formatCents } from "../money.ts";
import { referenceOf } from "./reference.ts";
import { policyOf } from "./refunds.ts";
import type { Booking } from "./schema.ts";
import type { MailSettings } from "../email/job.ts";

export interface MailDeps {
  now: number;
  mail: MailSettings;
}

/** "Thu, Dec 3, 10:00 AM – 1:00 PM" in the kitchen's zone. */
export function describeTimes(b: Booking): string {
  return `${formatDayTime(b.timeZone, b.start)} – ${
    formatTime(b.timeZone, b.end)
  } (${b.timeZone})`;
}

/** A kitchen title for an email: left out when it reads like a link. */
function kitchenName(k: Kitchen): string {
  return displayName(k.title) || "the kitchen";
}

/**
 * The emails a booking's change sends, added to an atomic by the payments
 * layer or a job, so they go out exactly when the change commits.
 */
export function addBookingEmail(
  atomic: Deno.AtomicOperation,
  deps: MailDeps,
  to: Pick<User, "email" | "name">,
  b: Booking,
  k: Kitchen,
  what:
    | "confirmed_renter"
    | "confirmed_host"
    | "cancelled_renter"
    | "cancelled_host"
    | "reminder"
    | "refunded_late"
    | "request_sent"
    | "request_received"
    | "request_accepted"
    | "request_declined"
    | "request_expired"
    | "refunded_elsewhere"
    | "request_withdrawn"
    | "request_withdrawn_host"
    | "documents_request_sent"
    | "documents_confirmed"
    | "documents_forwarded"
    | "documents_refused"
    | "documents_expired",
): void {
  const url = `${deps.mail.baseUrl}/bookings/${b.id}`;
  const times = describeTimes(b);
  const name = kitchenName(k);
  const total = formatCents(b.quote.totalChargedCents);
  const texts: Record<
    typeof what,
    { subject: string; heading: string; paragraphs: string[] }
  > = {
    confirmed_renter: {
      subject: `Booking confirmed: ${name}`,
      heading: "Your booking is confirmed",
      paragraphs: [
        `You booked ${name} for ${times}. You paid ${total}.`,
        "The full address and your access code are on the booking page; the code appears 24 hours before the start.",
        `Cancellation policy: ${POLICY_NAMES[policyOf(b, k)]}.`,
      ],
    },
    confirmed_host: {
      subject: `New booking: ${name}`,
      heading: "You have a new booking",
      paragraphs: [
        `${name} is booked for ${times}. Your payout for it is ${
          formatCents(b.quote.hostPayoutCents)
        }.`,
      ],
    },
    cancelled_renter: {
      subject: `Booking cancelled: ${name}`,
      heading: "Your booking is cancelled",
      paragraphs: [
        `Your booking of ${name} for ${times} is cancelled.`,
        b.cancellation
          ? `${b.cancellation.explanation} Refund: ${
            formatCents(b.cancellation.refundCents)
          }.`
          : "",
      ].filter(Boolean),
    },
    cancelled_host: {
      subject: `Booking cancelled: ${name}`,
      heading: "A booking was cancelled",
      paragraphs: [
        `The booking of ${name} for ${times} is cancelled, and the time is free again.`,
      ],
    },
    reminder: {
      subject: `Tomorrow: ${name}`,
      heading: "Your booking starts soon",
      paragraphs: [
        `Your booking of ${name} starts ${times}.`,
        b.accessCode ? `Your access code: ${b.accessCode}` : "",
      ].filter(Boolean),
    },
    request_sent: {
      subject: `Request sent: ${name}`,
      heading: "Your request is with the host",
      paragraphs: [
        `You asked to book ${name} for ${times}. Your card is authorised for ${total} but not charged.`,
        b.respondBy !== null
          ? `The host has until ${
            formatDayTime(b.timeZone, b.respondBy)
          } (${b.timeZone}) to accept. If they decline or don't answer, the authorisation is released.`
          : "The host answers within 24 hours (or before the start, if sooner). If they decline or don't answer, the authorisation is released.",
        "Changed your mind? Withdraw the request from the booking page; the authorisation is released at once.",
      ],
    },
    request_received: {
      subject: `Booking request: ${name}`,
      heading: "You have a booking request",
      paragraphs: [
        `Someone asked to book ${name} for ${times}. Your payout would be ${
          formatCents(b.quote.hostPayoutCents)
        }.`,
        b.respondBy !== null
          ? `Accept or decline it by ${
            formatDayTime(b.timeZone, b.respondBy)
          } (${b.timeZone}); unanswered requests expire.`
          : "Accept or decline it within 24 hours; unanswered requests expire.",
      ],
    },
    request_accepted: {
      subject: `Booking confirmed: ${name}`,
      heading: "The host accepted your request",
      paragraphs: [
        `Your booking of ${name} for ${times} is confirmed, and your card was charged ${total}.`,
        "The full address and your access code are on the booking page; the code appears 24 hours before the start.",
      ],
    },
    request_declined: {
      subject: `Request declined: ${name}`,
      heading: "The host declined your request",
      paragraphs: [
        `The host of ${name} declined your request for ${times}. Your card was not charged, and the authorisation is released.`,
        b.declineReason ? `The host wrote: “${b.declineReason}”` : "",
      ].filter(Boolean),
    },
    request_expired: {
      subject: `Request expired: ${name}`,
      heading: "Your request expired",
      paragraphs: [
        `The host of ${name} did not answer your request for ${times} in time. Your card was not charged, and the authorisation is released.`,
      ],
    },
    request_withdrawn: {
      subject: `Request withdrawn: ${name}`,
      heading: "You withdrew your request",
      paragraphs: [
        `You withdrew your request to book ${name} for ${times}. Your card was not charged, and the authorisation of ${total} is released; your bank removes it, usually within a few days.`,
      ],
    },
    request_withdrawn_host: {
      subject: `Request withdrawn: ${name}`,
      heading: "A request was withdrawn",
      paragraphs: [
        `The renter withdrew their request to book ${name} for ${times}. There is nothing to answer, and the time is free again.`,
      ],
    },
    refunded_elsewhere: {
      subject: `Payment refunded: ${name}`,
      heading: "Your payment was refunded",
      paragraphs: [
        `Your payment for ${name} (${times}) was refunded in full, so the booking is cancelled.`,
      ],
    },
    documents_request_sent: {
      subject: `Hours held: ${name}`,
      heading: "We are holding your hours while we check your documents",
      paragraphs: [
        `You asked for ${name}, ${times}. Your card is authorised for ${total} but not charged.`,
        `Prep checks your documents, usually within a working day. Once they are verified, ${
          b.mode === "request"
            ? "the host gets your request and has 24 hours to answer"
            : "your booking is confirmed and your card is charged"
        }.`,
        "If they cannot be verified within 24 hours (or before the start, if sooner), the hours are released and so is the authorisation.",
      ],
    },
    documents_confirmed: {
      subject: `Booking confirmed: ${name}`,
      heading: "Your documents are verified and your booking is confirmed",
      paragraphs: [
        `Your booking of ${name} for ${times} is confirmed, and your card was charged ${total}.`,
        "The full address and your access code are on the booking page; the code appears 24 hours before the start.",
      ],
    },
    documents_forwarded: {
      subject: `Request sent: ${name}`,
      heading: "Your documents are verified; your request is with the host",
      paragraphs: [
        `Prep verified your documents, so your request for ${name}, ${times}, has gone to the host. Your card stays authorised for ${total} and is charged only if they accept.`,
        "The host answers within 24 hours (or before the start, if sooner). If they decline or don't answer, the authorisation is released.",
      ],
    },
    documents_refused: {
      subject: `Hours released: ${name}`,
      heading: "We could not confirm your booking",
      paragraphs: [
        b.note ??
          `The hours you asked for at ${name} (${times}) are released.`,
        `Your card was not charged, and the authorisation for ${total} is released.`,
      ],
    },
    documents_expired: {
      subject: `Hours released: ${name}`,
      heading: "Your documents were not verified in time",
      paragraphs: [
        `Prep could not finish checking your documents in time for ${name}, ${times}, so the hours are released.`,
        `Your card was not charged, and the authorisation for ${total} is released. Once your documents are verified you can book again.`,
      ],
    },
    refunded_late: {
      subject: `Payment refunded: ${name}`,
      heading: "Your payment came too late",
      paragraphs: [
        `Your payment for ${name} (${times}) arrived after the hold lapsed, and the time was booked by someone else. We refunded ${total} in full.`,
      ],
    },
  };
  const t = texts[what];
  // What the renter, the host and staff quote to each other about it.
  const paragraphs = [
    ...t.paragraphs,
    `Booking reference: ${referenceOf(b)}.`,
  ];
  // The host answers a request on its own page, with the renter's details.
  const action = what === "request_received"
    ? {
      label: "See the request",
      url: `${deps.mail.baseUrl}/host/bookings/${b.id}`,
    }
    : { label: "See the booking", url };
  addEmail(
    atomic,
    deps.mail,
    to.email,
    notificationEmail({ name: to.name, ...t, paragraphs, action }),
    deps.now,
  );
}

export type BookingEmail = Parameters<typeof addBookingEmail>[5];

/** Emails the renter and/or the host about `b`, to those who have an account. */
export function tellParties(
  atomic: Deno.AtomicOperation,
  deps: MailDeps,
  p: {
    kitchen: Kitchen;
    renter: Pick<User, "email" | "name"> | null;
    host: Pick<User, "email" | "name"> | null;
  },
  b: Booking,
  what: { renter?: BookingEmail; host?: BookingEmail },
): void {
  if (what.renter && p.renter) {
    addBookingEmail(atomic, deps, p.renter, b, p.kitchen, what.renter);
  }
  if (what.host && p.host) {
    addBookingEmail(atomic, deps, p.host, b, p.kitchen, what.host);
  }
}
