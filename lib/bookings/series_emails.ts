/**
 * The emails of a standing booking (series.ts): one about the series when
 * it is set, asked for, declined or ended — never one per date for those —
 * and one about a single date when its charge goes through or does not,
 * when it needs the renter's documents, and when it is released. Added to
 * the atomic of the change, so each goes out exactly when it commits.
 */
import { getUser } from "../accounts/repo.ts";
import type { User } from "../accounts/schema.ts";
import { addEmail } from "../email/job.ts";
import { displayName, notificationEmail } from "../email/templates.ts";
import {
  formatClockRange,
  formatDate,
  formatDayTime,
  formatDayTimeZoned,
} from "../format.ts";
import { getKitchen } from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { formatCents } from "../money.ts";
import { NotFoundError } from "../errors.ts";
import { describeTimes, type MailDeps } from "./emails.ts";
import { referenceOf } from "./reference.ts";
import type { Booking, Series } from "./schema.ts";
import { everyText, weekdaysText } from "./series_rule.ts";

/** The kitchen and the people a series' emails go to (a demo host may have no account). */
export interface SeriesParties {
  kitchen: Kitchen;
  renter: User | null;
  host: User | null;
}

export async function partiesOf(
  kv: Deno.Kv,
  of: { kitchenId: string; renterId: string; hostId: string },
): Promise<SeriesParties> {
  const [kitchen, renter, host] = await Promise.all([
    getKitchen(kv, of.kitchenId),
    getUser(kv, of.renterId),
    getUser(kv, of.hostId),
  ]);
  if (!kitchen) throw new NotFoundError("We could not find that kitchen.");
  return { kitchen, renter, host };
}

/** "Tuesdays and Thursdays, 5:00 AM - 10:00 AM, every week". */
export function patternText(s: Pick<Series, "rule">): string {
  return `${weekdaysText(s.rule.weekdays)}, ${
    formatClockRange(s.rule.start, s.rule.end)
  }, ${everyText(s.rule.every)}`;
}

/** "11 dates from Tue, Mar 2 to Thu, Apr 8". */
export function spanText(s: Pick<Series, "occurrences">): string {
  const claimed = s.occurrences.filter((o) => o.state === "claimed");
  if (claimed.length === 0) return "no dates";
  const first = formatDate(claimed[0].localDate);
  const last = formatDate(claimed[claimed.length - 1].localDate);
  return claimed.length === 1
    ? `1 date, ${first}`
    : `${claimed.length} dates from ${first} to ${last}`;
}

function kitchenName(k: Kitchen): string {
  return displayName(k.title) || "the kitchen";
}

export type SeriesEmail =
  | "set"
  | "requested"
  | "declined"
  | "ended_by_host"
  | "cancelled_by_renter";

/** Emails both sides about a series; `facts` carries what an ending cancelled and refunded. */
export function tellSeries(
  atomic: Deno.AtomicOperation,
  deps: MailDeps,
  p: SeriesParties,
  s: Series,
  what: SeriesEmail,
  facts: { dates?: number; refundCents?: number; reason?: string | null } = {},
): void {
  const name = kitchenName(p.kitchen);
  const pattern = patternText(s);
  const span = spanText(s);
  const base = deps.mail.baseUrl;
  const renterUrl = `${base}/bookings/series/${s.id}`;
  const hostUrl = `${base}/host/bookings/series/${s.id}`;
  const skipped = s.occurrences.filter((o) => o.state === "skipped");
  const skippedText = skipped.length > 0
    ? `Not included: ${
      skipped.map((o) => formatDate(o.localDate)).join(", ")
    }. The booking page says why.`
    : "";
  const texts: Record<
    SeriesEmail,
    {
      renter?: { subject: string; heading: string; paragraphs: string[] };
      host?: { subject: string; heading: string; paragraphs: string[] };
    }
  > = {
    set: {
      renter: {
        subject: `Weekly booking confirmed: ${name}`,
        heading: "Your weekly booking is set",
        paragraphs: [
          `You booked ${name}: ${pattern}. That is ${span}.`,
          "The first date is paid. Each later date is charged to the same card 3 days before it starts; if a charge does not go through, we email you a link to pay for that date.",
          skippedText,
        ].filter(Boolean),
      },
      host: {
        subject: `New weekly booking: ${name}`,
        heading: "You have a weekly booking",
        paragraphs: [
          `${name} is booked ${pattern}: ${span}.`,
          "Each date is paid 3 days before it starts. A date still unpaid 24 hours before its start is released, and we tell you.",
        ],
      },
    },
    requested: {
      renter: {
        subject: `Request sent: ${name}, weekly`,
        heading: "Your weekly booking request is with the host",
        paragraphs: [
          `You asked to book ${name}: ${pattern}, ${span}. Your card is authorised for the first date but not charged.`,
          "The host accepts or declines the whole series within 24 hours (or before the first date, if sooner).",
        ],
      },
      host: {
        subject: `Weekly booking request: ${name}`,
        heading: "You have a request for a weekly booking",
        paragraphs: [
          `Someone asked to book ${name}: ${pattern}, ${span}.`,
          "Accept or decline the whole series within 24 hours (or before the first date, if sooner); unanswered requests expire.",
        ],
      },
    },
    declined: {
      renter: {
        subject: `Request declined: ${name}, weekly`,
        heading: "The host declined your weekly booking",
        paragraphs: [
          `The host of ${name} declined your weekly booking (${pattern}). Your card was not charged, and the authorisation is released.`,
          facts.reason ? `The host wrote: “${facts.reason}”` : "",
        ].filter(Boolean),
      },
    },
    ended_by_host: {
      renter: {
        subject: `Weekly booking ended: ${name}`,
        heading: "The host ended your weekly booking",
        paragraphs: [
          `The host of ${name} ended your weekly booking (${pattern}): the ${
            facts.dates ?? 0
          } dates still ahead are cancelled.`,
          s.ended?.reason ? `The host wrote: “${s.ended.reason}”` : "",
          (facts.refundCents ?? 0) > 0
            ? `Dates you had paid for are refunded in full: ${
              formatCents(facts.refundCents!)
            } in all. Dates not yet charged are simply not charged.`
            : "None of those dates had been charged yet, so nothing is charged or refunded.",
        ].filter(Boolean),
      },
      host: {
        subject: `You ended a weekly booking: ${name}`,
        heading: "You ended a weekly booking",
        paragraphs: [
          `The ${
            facts.dates ?? 0
          } dates still ahead of the weekly booking of ${name} (${pattern}) are cancelled, and the renter is refunded in full for any they had paid.`,
        ],
      },
    },
    cancelled_by_renter: {
      renter: {
        subject: `Weekly booking cancelled: ${name}`,
        heading: "You cancelled the rest of your weekly booking",
        paragraphs: [
          `The ${
            facts.dates ?? 0
          } dates still ahead of your weekly booking of ${name} (${pattern}) are cancelled.`,
          (facts.refundCents ?? 0) > 0
            ? `Under the kitchen's policy you get ${
              formatCents(facts.refundCents!)
            } back for the dates you had paid for. Dates not yet charged are simply not charged.`
            : "No refund was due: none of those dates had been charged, or the policy gives nothing back this close to them.",
        ],
      },
      host: {
        subject: `Weekly booking cancelled: ${name}`,
        heading: "A weekly booking was cancelled",
        paragraphs: [
          `The renter cancelled the ${
            facts.dates ?? 0
          } dates still ahead of their weekly booking of ${name} (${pattern}); that time is free again.`,
        ],
      },
    },
  };
  const t = texts[what];
  if (t.renter && p.renter) {
    addEmail(
      atomic,
      deps.mail,
      p.renter.email,
      notificationEmail({
        name: p.renter.name,
        ...t.renter,
        action: { label: "See your dates", url: renterUrl },
      }),
      deps.now,
    );
  }
  if (t.host && p.host) {
    addEmail(
      atomic,
      deps.mail,
      p.host.email,
      notificationEmail({
        name: p.host.name,
        ...t.host,
        action: {
          label: what === "requested" ? "Answer the request" : "See the dates",
          url: hostUrl,
        },
      }),
      deps.now,
    );
  }
}

export type DateEmail =
  | "charged"
  | "unpaid"
  | "documents"
  | "renew_soon"
  | "released";

/** Emails about one date of a series (its renter; a release tells the host too). */
export function tellDate(
  atomic: Deno.AtomicOperation,
  deps: MailDeps,
  p: SeriesParties,
  b: Booking,
  what: DateEmail,
  facts: { reasons?: string[] } = {},
): void {
  const name = kitchenName(p.kitchen);
  const times = describeTimes(b);
  const total = formatCents(b.quote.totalChargedCents);
  const base = deps.mail.baseUrl;
  const date = formatDate(b.localDate);
  const releaseAt = b.charge
    ? formatDayTimeZoned(b.timeZone, b.charge.releaseAt)
    : "24 hours before it starts";
  const page = { label: "See this date", url: `${base}/bookings/${b.id}` };
  const renter: Record<
    DateEmail,
    {
      subject: string;
      heading: string;
      paragraphs: string[];
      action: { label: string; url: string };
    }
  > = {
    charged: {
      subject: `Paid: ${name}, ${date}`,
      heading: "Your next date is paid",
      paragraphs: [
        `We charged ${total} to your saved card for ${name}, ${times}.`,
        "The receipt and, from 24 hours before, your access code are on the booking page.",
      ],
      action: page,
    },
    unpaid: {
      subject: `Payment needed: ${name}, ${date}`,
      heading: "We could not charge your card for your next date",
      paragraphs: [
        `${
          b.charge?.problemText ?? "Your card was declined."
        } We tried to charge ${total} for ${name}, ${times}.`,
        `Pay for this date by ${releaseAt}. If it is still unpaid then, the date is released; your other dates are not affected.`,
      ],
      action: {
        label: "Pay for this date",
        url: `${base}/bookings/${b.id}/pay-date`,
      },
    },
    documents: {
      subject: `Documents needed: ${name}, ${date}`,
      heading: "Renew your documents to keep this date",
      paragraphs: [
        `We have not charged ${total} for ${name}, ${times}: the city's rules do not allow it with your documents as they are. ${
          b.charge?.problemText ?? ""
        }`.trim(),
        `Upload a renewed document; we charge the date once Prep verifies it. If it is not verified by ${releaseAt}, the date is released.`,
      ],
      action: {
        label: "Update your documents",
        url: `${base}/account/compliance`,
      },
    },
    renew_soon: {
      subject: `Renew your documents before ${date}`,
      heading: "A document you need for an upcoming date lapses first",
      paragraphs: [
        `Your date at ${name}, ${times}, is charged on ${
          b.charge ? formatDayTime(b.timeZone, b.charge.at) : "3 days before"
        }. The city's rules need, for that date: ${
          (facts.reasons ?? []).join(" ")
        }`,
        "Upload a renewed document now, so Prep can verify it in time. We never charge a date your documents do not allow; it is released 24 hours before it starts.",
      ],
      action: {
        label: "Update your documents",
        url: `${base}/account/compliance`,
      },
    },
    released: {
      subject: `Date released: ${name}, ${date}`,
      heading: "A date of your weekly booking was released",
      paragraphs: [
        `${b.note ?? "This date was not paid in time."} (${name}, ${times}.)`,
        "Nothing was charged for it. Your other dates are not affected.",
      ],
      action: page,
    },
  };
  const t = renter[what];
  const reference = `Booking reference: ${referenceOf(b)}.`;
  if (p.renter) {
    addEmail(
      atomic,
      deps.mail,
      p.renter.email,
      notificationEmail({
        name: p.renter.name,
        subject: t.subject,
        heading: t.heading,
        paragraphs: [...t.paragraphs, reference],
        action: t.action,
      }),
      deps.now,
    );
  }
  if (what === "released" && p.host) {
    addEmail(
      atomic,
      deps.mail,
      p.host.email,
      notificationEmail({
        name: p.host.name,
        subject: `Date released: ${name}, ${date}`,
        heading: "A date of a weekly booking was released",
        paragraphs: [
          `${name}, ${times}, was not paid 24 hours before the start, so it is released and the time is free again. The renter's other dates are not affected.`,
          reference,
        ],
        action: {
          label: "See your bookings",
          url: `${base}/host/bookings`,
        },
      }),
      deps.now,
    );
  }
}
