/**
 * A booking as an iCalendar file (RFC 5545) for "Add to calendar".
 *
 * Built with `ical-generator` rather than a template string because the
 * kitchen's title and address are user text, and RFC 5545 has rules that are
 * easy to get subtly wrong: TEXT values escape `\`, `;`, `,` and line breaks
 * (§3.3.11) — an unescaped CRLF in a title would start a property of its own
 * (a second `BEGIN:VEVENT`, an `ATTACH`) — and every content line is folded at
 * 75 octets without splitting a UTF-8 sequence (§3.1), which non-ASCII titles
 * hit. The library does both; we add what it leaves to the caller: a
 * VTIMEZONE for the TZID (§3.6.5 requires one per TZID; generated from the
 * runtime's own zone data with Temporal) and removing control characters,
 * which TEXT may not hold at all.
 *
 * Pure: no clock, no IO.
 */
import ical, { ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import { findCity } from "../cities.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import type { Booking } from "./schema.ts";
import type { BookingStatus } from "./state.ts";

/** What a calendar shows for each booking status. */
export const ICS_STATUS: Record<BookingStatus, ICalEventStatus> = {
  held: ICalEventStatus.TENTATIVE,
  requested: ICalEventStatus.TENTATIVE,
  confirmed: ICalEventStatus.CONFIRMED,
  scheduled: ICalEventStatus.CONFIRMED,
  completed: ICalEventStatus.CONFIRMED,
  cancelled: ICalEventStatus.CANCELLED,
  expired: ICalEventStatus.CANCELLED,
  declined: ICalEventStatus.CANCELLED,
  withdrawn: ICalEventStatus.CANCELLED,
};

export interface BookingCalendarInput {
  booking: Pick<
    Booking,
    "id" | "start" | "end" | "timeZone" | "status" | "createdAt" | "updatedAt"
  >;
  kitchen: Pick<Kitchen, "title" | "address" | "lat" | "lng">;
  /** The site's origin without a trailing slash, e.g. "https://prep.example". */
  baseUrl: string;
  /** When the file is made (DTSTAMP). */
  now: number;
}

/**
 * The `.ics` text of one booking: a VCALENDAR with the VTIMEZONE of the
 * booking's zone and one VEVENT (UID `<id>@prep`). The street address goes in
 * only while the booking is confirmed, as on the booking page.
 *
 * @example
 * bookingCalendar({ booking, kitchen, baseUrl: "https://prep.example", now: Date.now() })
 * // "BEGIN:VCALENDAR\r\n…DTSTART;TZID=America/Chicago:20261203T100000\r\n…"
 */
export function bookingCalendar(input: BookingCalendarInput): string {
  return bookingsCalendar({ ...input, bookings: [input.booking] });
}

/**
 * The `.ics` text of several bookings at one kitchen (a standing booking's
 * dates, issue 19 §5): one VEVENT each, each with its own UID, and one
 * VTIMEZONE covering them all.
 */
export function bookingsCalendar(
  input: Omit<BookingCalendarInput, "booking"> & {
    bookings: readonly BookingCalendarInput["booking"][];
  },
): string {
  const { bookings, kitchen, baseUrl, now } = input;
  const from = Math.min(...bookings.map((b) => b.start));
  const to = Math.max(...bookings.map((b) => b.end));
  const calendar = ical({
    prodId: { company: "Prep", product: "Kitchen bookings", language: "EN" },
    method: ICalCalendarMethod.PUBLISH,
    // A name-less zone keeps DTSTAMP, CREATED and LAST-MODIFIED in UTC (as
    // RFC 5545 wants) while still asking for a VTIMEZONE per event zone.
    timezone: {
      name: null,
      generator: (tz) => vtimezone(tz, from, to),
    },
  });
  for (const b of bookings) addEvent(calendar, b, kitchen, baseUrl, now);
  // Every content line ends in CRLF, the last one too (RFC 5545 §3.1).
  return `${calendar.toString()}\r\n`;
}

function addEvent(
  calendar: ReturnType<typeof ical>,
  b: BookingCalendarInput["booking"],
  k: BookingCalendarInput["kitchen"],
  baseUrl: string,
  now: number,
): void {
  const url = `${baseUrl}/bookings/${b.id}`;
  const title = icsText(k.title);
  const zone = (ms: number) =>
    Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(b.timeZone);
  const confirmed = b.status === "confirmed";
  calendar.createEvent({
    id: `${b.id}@prep`,
    // ZonedDateTime, not Date: with a Date, ical-generator writes the wall
    // time of the server's own zone.
    start: zone(b.start),
    end: zone(b.end),
    timezone: b.timeZone,
    stamp: new Date(now),
    created: new Date(b.createdAt),
    lastModified: new Date(b.updatedAt),
    // Clients replace an imported event with one of a higher SEQUENCE; the
    // seconds since creation grow with every change to the booking.
    sequence: Math.max(0, Math.floor((b.updatedAt - b.createdAt) / 1000)),
    summary: `Kitchen booking: ${title}`,
    description: [
      `Your booking at ${title}.`,
      confirmed
        ? "Your access code appears on the booking page 24 hours before the start."
        : null,
      `Booking details: ${url}`,
    ].filter(Boolean).join("\n"),
    url,
    status: ICS_STATUS[b.status],
    ...(confirmed
      ? {
        location: {
          title: icsText(fullAddress(k.address)),
          geo: { lat: k.lat, lon: k.lng },
        },
      }
      : {}),
  });
}

/** The download's name, from the kitchen's title; `attachment()` makes it header-safe. */
export function icsFileName(title: string): string {
  return `prep-${[...title].slice(0, 100).join("")}.ics`;
}

/** "1 Test St, Wicker Park, Chicago, IL 60622". */
export function fullAddress(a: Kitchen["address"]): string {
  const city = findCity(a.city)?.name ?? a.city;
  return `${a.line1}, ${a.neighborhood}, ${city}, ${a.state} ${a.postalCode}`;
}

// Controls other than tab and line breaks (which the library escapes) may not
// appear in a TEXT value at all (RFC 5545 §3.3.11), nor may bidi overrides
// be allowed to reorder what a calendar shows.
const NOT_TEXT =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `value` without the characters a TEXT value may not hold. */
export function icsText(value: string): string {
  return value.replace(NOT_TEXT, "");
}

const YEAR_MS = 366 * 86_400_000;

/**
 * A VTIMEZONE for `timeZone` that holds its real offsets from a year before
 * `from` to a year after `to`, from the runtime's time-zone data. Each
 * transition is one dated observance (no RRULE to drift from the data); an
 * offset above the lowest in that span counts as daylight time.
 */
export function vtimezone(timeZone: string, from: number, to: number): string {
  let at = Temporal.Instant.fromEpochMilliseconds(from - YEAR_MS)
    .toZonedDateTimeISO(timeZone);
  const observances = [{
    onset: at.epochMilliseconds,
    from: at.offsetNanoseconds,
    to: at.offsetNanoseconds,
  }];
  for (;;) {
    const next = at.getTimeZoneTransition("next");
    if (!next || next.epochMilliseconds > to + YEAR_MS) break;
    observances.push({
      onset: next.epochMilliseconds,
      from: at.offsetNanoseconds,
      to: next.offsetNanoseconds,
    });
    at = next;
  }
  const standard = Math.min(...observances.map((o) => o.to));
  const lines = ["BEGIN:VTIMEZONE", `TZID:${timeZone}`];
  for (const o of observances) {
    const kind = o.to > standard ? "DAYLIGHT" : "STANDARD";
    lines.push(
      `BEGIN:${kind}`,
      // The onset is written in the local time that was in force before it.
      `DTSTART:${localStamp(o.onset + o.from / 1e6)}`,
      `TZOFFSETFROM:${utcOffset(o.from)}`,
      `TZOFFSETTO:${utcOffset(o.to)}`,
      `END:${kind}`,
    );
  }
  lines.push("END:VTIMEZONE");
  return lines.join("\r\n");
}

/** "20261203T100000" for the UTC fields of `ms`. */
function localStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, "");
}

/** "-0600" (or "+053730" where a zone once had seconds). */
function utcOffset(ns: number): string {
  const s = Math.round(Math.abs(ns) / 1e9);
  const pad = (n: number) => String(n).padStart(2, "0");
  const hhmm = `${pad(Math.floor(s / 3600))}${pad(Math.floor(s / 60) % 60)}`;
  return `${ns < 0 ? "-" : "+"}${hhmm}${s % 60 ? pad(s % 60) : ""}`;
}
