/**
 * The "Change time" page's picker: a booking's kitchen's free hours of one
 * date as its renter sees them when moving it — their own time counts as
 * free — without the city's quiet hours, as the kitchen page shows them.
 * Here, above bookings and payments, because quiet hours are the city's.
 */
import { getBookingFor } from "../bookings/lifecycle.ts";
import { type MoveWindow, moveWindow } from "../bookings/move_rules.ts";
import { referenceOf } from "../bookings/reference.ts";
import { policyOf } from "../bookings/refunds.ts";
import type { Booking } from "../bookings/schema.ts";
import { NotFoundError } from "../errors.ts";
import {
  daySlotsFreeing,
  lastBookableDate,
  localToday,
} from "../kitchens/free_time.ts";
import { getKitchen, isListed } from "../kitchens/repo.ts";
import type { Kitchen } from "../kitchens/schema.ts";
import {
  type DayView,
  dayView,
  type PickerDay,
  pickerDay,
} from "../kitchens/slot_view.ts";
import { clampDate } from "../kitchens/week_view.ts";
import { withoutQuietHours } from "./quiet_hours.ts";
import { rulePackFor } from "./rules.ts";
import { permitLapseNote } from "./standing.ts";

export interface MovePicker {
  booking: Booking;
  kitchen: Kitchen;
  reference: string;
  /** Whether the renter may move it now, and how (at once, or with the host's approval). */
  window: MoveWindow;
  today: string;
  lastDate: string;
  picker: PickerDay;
  /** When a required permit lapses inside the window, the picker's note. */
  note: string | null;
}

/** The renter's own booking (anyone else: not found) and its kitchen. */
async function ownBooking(
  kv: Deno.Kv,
  id: string,
  renter: { id: string; roles: readonly string[] },
): Promise<{ booking: Booking; kitchen: Kitchen }> {
  const booking = await getBookingFor(kv, id, renter);
  if (booking.renterId !== renter.id) {
    throw new NotFoundError("We could not find that booking.");
  }
  const kitchen = await getKitchen(kv, booking.kitchenId);
  if (!kitchen) throw new NotFoundError("We could not find that kitchen.");
  return { booking, kitchen };
}

async function freeStarts(
  kv: Deno.Kv,
  booking: Booking,
  kitchen: Kitchen,
  date: string,
  now: number,
) {
  if (kitchen.status !== "published" || !isListed(kitchen)) return [];
  const slots = await daySlotsFreeing(kv, kitchen, date, now, booking);
  return withoutQuietHours(
    rulePackFor(kitchen.address.city),
    kitchen.timeZone,
    slots,
    kitchen.minHours,
  );
}

/**
 * The Change time page for the renter's booking `id`: on `date` (the
 * booking's own date by default), with `picked` hours selected.
 */
export async function loadMovePicker(
  kv: Deno.Kv,
  id: string,
  renter: { id: string; roles: readonly string[] },
  query: { date?: string; start?: string; hours?: number },
  now: number,
): Promise<MovePicker> {
  const { booking, kitchen } = await ownBooking(kv, id, renter);
  const today = localToday(kitchen.timeZone, now);
  const lastDate = lastBookableDate(kitchen, today);
  const date = clampDate(query.date ?? booking.localDate, { today, lastDate });
  const slots = await freeStarts(kv, booking, kitchen, date, now);
  return {
    booking,
    kitchen,
    reference: referenceOf(booking),
    window: moveWindow(booking, policyOf(booking, kitchen), now),
    today,
    lastDate,
    picker: pickerDay(kitchen, date, slots, {
      // On the booking's own day, its own start is where the picker opens.
      start: query.start ??
        (date === booking.localDate ? booking.localStart : undefined),
      hours: query.hours ??
        (booking.end - booking.start) / 3600_000,
    }),
    note: permitLapseNote(kitchen.permits, today, lastDate),
  };
}

/** One date's free hours for the Change time picker, as JSON for the island. */
export async function loadMoveDay(
  kv: Deno.Kv,
  id: string,
  renter: { id: string; roles: readonly string[] },
  date: string | undefined,
  now: number,
): Promise<DayView> {
  const { booking, kitchen } = await ownBooking(kv, id, renter);
  const today = localToday(kitchen.timeZone, now);
  const day = clampDate(date ?? booking.localDate, {
    today,
    lastDate: lastBookableDate(kitchen, today),
  });
  return dayView(
    kitchen.timeZone,
    day,
    await freeStarts(kv, booking, kitchen, day, now),
  );
}
