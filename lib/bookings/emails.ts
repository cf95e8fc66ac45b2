/**
 * The emails a booking's changes send, in plain words with times in the
 * kitchen's zone. Added to the atomic of the change, so they go out exactly
 * when it commits.
 */
import type { User } from "../accounts/schema.ts";
import { addEmail } from "../email/job.ts";
import { displayName, notificationEmail } from "../email/templates.ts";
import {
  formatDayTime,
  formatDayTimeZoned,
  formatTimeRange,
} from "../format.ts";
import { POLICY_NAMES } from "../kitchens/policy.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { formatCents } from "../money.ts";
import { referenceOf } from "./reference.ts";
import { policyOf } from "./refunds.ts";
import type { Booking, PendingMove } from "./schema.ts";
import type { MailSettings } from "../email/job.ts";

export interface MailDeps {
  now: number;
  mail: MailSettings;
}

/** "Thu, Dec 3, 10:00 AM - 1:00 PM (America/Chicago)": the kitchen's zone. */
export function describeTimes(b: Booking): string {
  return `${formatTimeRange(b.timeZone, b.start, b.end)} (${b.timeZone})`;
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
    | "refunded_cancelled"
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
    | "documents_expired"
    | MoveEmail,
  /** The change of time the email is about, when it is no longer on the booking. */
  about?: PendingMove,
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
    refunded_cancelled: {
      subject: `Payment refunded: ${name}`,
      heading: "That date was already cancelled",
      paragraphs: [
        `Your payment for ${name} (${times}) arrived after the date was cancelled, so it is not booked. We refunded ${total} in full.`,
      ],
    },
    ...moveTexts(b, name, about ?? b.move ?? null),
  };
  const t = texts[what];
  // What the renter, the host and staff quote to each other about it.
  const paragraphs = [
    ...t.paragraphs,
    `Booking reference: ${referenceOf(b)}.`,
  ];
  // The host answers a request on its own page, with the renter's details.
  const move = about ?? b.move ?? null;
  const action = what === "request_received" || what === "move_requested_host"
    ? {
      label: what === "request_received"
        ? "See the request"
        : "Answer the change of time",
      url: `${deps.mail.baseUrl}/host/bookings/${b.id}`,
    }
    : what === "move_pay" && move?.payUrl
    ? {
      label: `Pay ${formatCents(move.differenceCents)}`,
      url: move.payUrl.startsWith("/")
        ? `${deps.mail.baseUrl}${move.payUrl}`
        : move.payUrl,
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

/** The emails a change of time sends (moves.ts). */
export type MoveEmail =
  | "move_done_renter"
  | "move_done_host"
  | "move_requested_renter"
  | "move_requested_host"
  | "move_declined"
  | "move_lapsed"
  | "move_pay"
  | "move_unpaid"
  | "move_refunded_late";

/** "Thu, Dec 3, 10:00 AM - 1:00 PM (America/Chicago)" for any interval of `b`'s kitchen. */
function rangeOf(b: Booking, start: number, end: number): string {
  return `${formatTimeRange(b.timeZone, start, end)} (${b.timeZone})`;
}

/** What a price difference means for the renter, in one sentence. */
export function differenceSentence(cents: number, done: boolean): string {
  if (cents > 0) {
    return done
      ? `Your card was charged ${formatCents(cents)} more.`
      : `It costs ${formatCents(cents)} more.`;
  }
  if (cents < 0) {
    return done
      ? `${formatCents(-cents)} is being refunded to your card.`
      : `You get ${formatCents(-cents)} back.`;
  }
  return "The price stays the same.";
}

function moveTexts(
  b: Booking,
  name: string,
  move: PendingMove | null,
): Record<
  MoveEmail,
  { subject: string; heading: string; paragraphs: string[] }
> {
  const last = b.moves?.at(-1);
  const now = describeTimes(b);
  const asked = move ? rangeOf(b, move.start, move.end) : now;
  const from = last ? rangeOf(b, last.fromStart, last.fromEnd) : now;
  const diff = move?.differenceCents ?? last?.differenceCents ?? 0;
  const by = move ? formatDayTimeZoned(b.timeZone, move.deadline) : "";
  return {
    move_done_renter: {
      subject: `Booking moved: ${name}`,
      heading: "Your booking has a new time",
      paragraphs: [
        `Your booking of ${name} is now ${now}. It was ${from}.`,
        differenceSentence(diff, true),
        "Your access code stays the same; it appears on the booking page 24 hours before the start.",
      ],
    },
    move_done_host: {
      subject: `Booking moved: ${name}`,
      heading: "A booking has a new time",
      paragraphs: [
        `The booking of ${name} for ${from} is now ${now}; the old time is free again.`,
        `Your payout for it is now ${formatCents(b.quote.hostPayoutCents)}.`,
      ],
    },
    move_requested_renter: {
      subject: `Change of time asked: ${name}`,
      heading: "Your change of time is with the host",
      paragraphs: [
        `You asked to move your booking of ${name} from ${now} to ${asked}. ${
          differenceSentence(diff, false)
        }`,
        `The host has until ${by} to answer. Meanwhile your booking keeps its time, and the new time is held for you.`,
      ],
    },
    move_requested_host: {
      subject: `Change of time asked: ${name}`,
      heading: "A renter asks to change a booking's time",
      paragraphs: [
        `The renter of ${name} for ${now} asks to move it to ${asked}.`,
        move
          ? `Your payout would be ${
            formatCents(move.quote.hostPayoutCents)
          } (now ${formatCents(b.quote.hostPayoutCents)}).`
          : "",
        `Accept or decline by ${by}. Unanswered, the booking keeps its time.`,
      ].filter(Boolean),
    },
    move_declined: {
      subject: `Change of time declined: ${name}`,
      heading: "The host declined your change of time",
      paragraphs: [
        `Your booking of ${name} keeps its time: ${now}. The time you asked for (${asked}) is released, and nothing was charged.`,
        move?.declineReason ? `The host wrote: “${move.declineReason}”` : "",
      ].filter(Boolean),
    },
    move_lapsed: {
      subject: `Change of time lapsed: ${name}`,
      heading: "The host did not answer in time",
      paragraphs: [
        `The host of ${name} did not answer your change of time to ${asked}, so your booking keeps its time: ${now}. Nothing was charged.`,
      ],
    },
    move_pay: {
      subject: `Pay to change your booking: ${name}`,
      heading: "Pay the difference to change your booking's time",
      paragraphs: [
        `${
          move?.problem ?? "We could not charge your saved card."
        } To move your booking of ${name} to ${asked}, pay ${
          formatCents(diff)
        } by ${by}.`,
        `Until then your booking keeps its time (${now}) and the new time is held for you.`,
      ],
    },
    move_unpaid: {
      subject: `Change of time released: ${name}`,
      heading: "Your change of time was not paid in time",
      paragraphs: [
        `The difference for moving ${name} to ${asked} was not paid in time, so the new time is released. Your booking keeps its time: ${now}. Nothing was charged.`,
      ],
    },
    move_refunded_late: {
      subject: `Payment refunded: ${name}`,
      heading: "Your payment for the change came too late",
      paragraphs: [
        `Your payment to move ${name} to ${asked} arrived after the new time was released. We are refunding ${
          formatCents(diff)
        } in full; your booking keeps its time: ${now}.`,
      ],
    },
  };
}

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
  /** The change of time the emails are about, once it is off the booking. */
  about?: PendingMove,
): void {
  if (what.renter && p.renter) {
    addBookingEmail(atomic, deps, p.renter, b, p.kitchen, what.renter, about);
  }
  if (what.host && p.host) {
    addBookingEmail(atomic, deps, p.host, b, p.kitchen, what.host, about);
  }
}
