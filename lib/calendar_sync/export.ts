/**
 * A kitchen's calendar as an iCalendar feed for the host's own calendar app
 * (issue 9 §4): its confirmed and requested bookings and its manual blocks,
 * in the kitchen's zone with a VTIMEZONE, built with ical-generator as the
 * one-booking file is (lib/bookings/ics.ts explains why not a template).
 *
 * The feed's URL is a bearer secret that ends up in other services, so it
 * carries no renter data: a booking is "Booked on Prep" and a link to the
 * host's bookings page. Imported blocks are left out: they came from the
 * host's other calendars, and sending them back would show every event
 * twice there (and loop between two calendars that import each other).
 *
 * Pure: no clock, no IO.
 */
import ical, { ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import { icsText, vtimezone } from "../bookings/ics.ts";
import { type Block, type Booking } from "../bookings/schema.ts";
import type { Kitchen } from "../kitchens/schema.ts";

/** Statuses whose time a host's calendar shows as taken. */
export const EXPORTED_STATUSES = ["confirmed", "requested"] as const;

export interface KitchenCalendarInput {
  kitchen: Pick<Kitchen, "id" | "title" | "timeZone">;
  bookings: readonly Pick<
    Booking,
    "id" | "start" | "end" | "status" | "createdAt" | "updatedAt"
  >[];
  blocks: readonly Pick<
    Block,
    "id" | "start" | "end" | "reason" | "source" | "createdAt"
  >[];
  /** The site's origin without a trailing slash. */
  baseUrl: string;
  /** When the feed is made (DTSTAMP). */
  now: number;
}

/** The feed's text: a VCALENDAR with one VEVENT per booking and manual block. */
export function kitchenCalendar(input: KitchenCalendarInput): string {
  const { kitchen: k, baseUrl, now } = input;
  const tz = k.timeZone;
  const bookings = input.bookings.filter((b) =>
    (EXPORTED_STATUSES as readonly string[]).includes(b.status)
  );
  const blocks = input.blocks.filter((b) => b.source === "manual");
  const instants = [
    now,
    ...bookings.flatMap((b) => [b.start, b.end]),
    ...blocks.flatMap((b) => [b.start, b.end]),
  ];
  const from = Math.min(...instants);
  const to = Math.max(...instants);
  const zoned = (ms: number) =>
    Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(tz);
  const calendar = ical({
    prodId: { company: "Prep", product: "Kitchen calendar", language: "EN" },
    method: ICalCalendarMethod.PUBLISH,
    name: icsText(`Prep: ${k.title}`),
    // Calendar apps that honour it refresh about as often as we let caches keep it.
    ttl: 15 * 60,
    timezone: { name: null, generator: (zone) => vtimezone(zone, from, to) },
  });
  const bookingsUrl = `${baseUrl}/host/bookings`;
  for (const b of bookings) {
    calendar.createEvent({
      id: `booking-${b.id}@prep`,
      start: zoned(b.start),
      end: zoned(b.end),
      timezone: tz,
      stamp: new Date(now),
      created: new Date(b.createdAt),
      lastModified: new Date(b.updatedAt),
      sequence: Math.max(0, Math.floor((b.updatedAt - b.createdAt) / 1000)),
      summary: "Booked on Prep",
      description: b.status === "requested"
        ? `A booking request waiting for your answer: ${bookingsUrl}`
        : `See the booking on Prep: ${bookingsUrl}`,
      url: bookingsUrl,
      status: b.status === "requested"
        ? ICalEventStatus.TENTATIVE
        : ICalEventStatus.CONFIRMED,
    });
  }
  for (const b of blocks) {
    calendar.createEvent({
      id: `block-${b.id}@prep`,
      start: zoned(b.start),
      end: zoned(b.end),
      timezone: tz,
      stamp: new Date(now),
      created: new Date(b.createdAt),
      summary: "Blocked on Prep",
      description: icsText(b.reason),
      status: ICalEventStatus.CONFIRMED,
    });
  }
  return `${calendar.toString()}\r\n`;
}
