/**
 * Editing a published kitchen never cancels a booking: a new schedule is
 * saved, and the host is told which upcoming bookings now fall outside it
 * (they stay booked). Lives here because it reads bookings, which sit above
 * kitchens in the domain order.
 */
import {
  type AvailabilityRules,
  checkInterval,
} from "../kitchens/availability.ts";
import { formatDateYear, formatDayTime } from "../format.ts";
import { localToday, rulesOf } from "../kitchens/free_time.ts";
import {
  type Editor,
  type EditSection,
  type Listing,
  saveSection,
} from "../kitchens/listings.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import { listKitchenBookings } from "./repo.ts";
import type { Booking } from "./schema.ts";
import { isUpcoming, LONGEST_BOOKING_MS } from "./state.ts";

/** Upcoming live bookings of a kitchen, soonest first. */
export async function listUpcomingBookings(
  kv: Deno.Kv,
  kitchenId: string,
  now: number,
  limit = 500,
): Promise<Booking[]> {
  const bookings = await listKitchenBookings(kv, kitchenId, {
    from: now - LONGEST_BOOKING_MS,
    to: Number.MAX_SAFE_INTEGER,
    limit,
  });
  return bookings.filter((b) => isUpcoming(b, now));
}

/** Bookings the kitchen's current hours and blackout dates no longer cover (pure). */
export function bookingsOutsideSchedule(
  k: Kitchen,
  bookings: readonly Booking[],
): Booking[] {
  // Only the schedule matters here: notice, window and length were checked when booked.
  const rules: AvailabilityRules = {
    ...rulesOf(k),
    minNoticeHours: 0,
    bookingWindowDays: 100_000,
    minHours: 0,
    maxHours: 100_000,
  };
  return bookings.filter((b) => {
    const verdict = checkInterval(rules, b, [], b.start - 1);
    return !verdict.ok &&
      (verdict.reason === "outside_hours" || verdict.reason === "blackout");
  });
}

/** Saves a section; for a published kitchen's hours, warns of bookings outside them. */
export async function saveListingSection(
  kv: Deno.Kv,
  id: string,
  editor: Editor,
  section: EditSection,
  input: unknown,
  now: number,
): Promise<{ listing: Listing; warnings: string[] }> {
  const listing = await saveSection(kv, id, editor, section, input, now);
  if (section !== "hours") return { listing, warnings: [] };
  const warnings = pastClosedDates(listing.values, now);
  if (!listing.kitchen) return { listing, warnings };
  const outside = bookingsOutsideSchedule(
    listing.kitchen,
    await listUpcomingBookings(kv, id, now),
  );
  if (outside.length === 0) return { listing, warnings };
  const when = outside.slice(0, 5).map((b) =>
    formatDayTime(b.timeZone, b.start)
  ).join("; ");
  return {
    listing,
    warnings: [
      `${outside.length} upcoming booking${
        outside.length === 1 ? " falls" : "s fall"
      } outside the new hours (${when}${
        outside.length > 5 ? "; …" : ""
      }). They stay booked: contact the renters if the kitchen will be closed.`,
      ...warnings,
    ],
  };
}

/**
 * A closed date already past on the kitchen's calendar changes nothing: a
 * mistyped year, most likely. Saved as typed, and said (none without a
 * time zone yet: a draft before its location).
 */
export function pastClosedDates(
  values: Partial<Pick<Kitchen, "blackoutDates" | "timeZone">>,
  now: number,
): string[] {
  if (!values.timeZone) return [];
  const today = localToday(values.timeZone, now);
  const past = (values.blackoutDates ?? []).filter((d) => d < today);
  if (past.length === 0) return [];
  return [
    `${
      past.length === 1 ? "This closed date has" : "These closed dates have"
    } already passed, so ${
      past.length === 1 ? "it changes" : "they change"
    } nothing: ${past.slice(0, 5).map(formatDateYear).join("; ")}${
      past.length > 5 ? "; …" : ""
    }. Check the year.`,
  ];
}
