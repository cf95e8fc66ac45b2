import { Hono } from "hono";
import { previewHold } from "../../lib/bookings/holds.ts";
import { holdRequest } from "../../lib/bookings/schema.ts";
import { ValidationError } from "../../lib/errors.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { formatDayTime, formatTime } from "../../lib/kitchens/free_time.ts";
import { loadCityKitchenPage } from "../../lib/compliance/kitchen_page.ts";
import { dayView } from "../../lib/kitchens/slot_view.ts";
import { formatCents } from "../../lib/money.ts";
import type { AppEnv } from "../context.tsx";
import { readQuery } from "../forms.ts";
import { at } from "../../lib/app.ts";

export const api = new Hono<AppEnv>();

const quoteQuery = holdRequest.omit({ kitchen: true, acknowledge: true });

/** GET /api/kitchens/:id/quote: a price for the renter, before anything is held. */
export interface QuoteAnswer {
  kitchen: string;
  date: string;
  start: string;
  end: string;
  timeZone: string;
  startAt: string;
  endAt: string;
  /** "Thu, Dec 3, 10:00 AM – 1:00 PM", in the kitchen's zone. */
  when: string;
  durationMinutes: number;
  currency: string;
  lines: { kind: string; label: string; amountCents: number; amount: string }[];
  totalCents: number;
  total: string;
}

api.get(`/kitchens/:id{${ID_PATTERN}}/availability`, async (c) => {
  const { kitchen, date, slots } = await loadCityKitchenPage(
    c.var.services.kv,
    c.req.param("id"),
    c.req.query("date"),
    c.var.services.clock(),
  );
  c.header("Cache-Control", "no-store");
  return c.json(dayView(kitchen.timeZone, date, slots));
});

/** What the renter would pay for wall-clock `start`–`end` on `date` (an end at or before the start is the next day). */
api.get(`/kitchens/:id{${ID_PATTERN}}/quote`, async (c) => {
  // Set first so the error answers (400, 404, 409) are not stored either.
  c.header("Cache-Control", "no-store");
  const read = readQuery(c, quoteQuery);
  if (!read.ok) {
    throw new ValidationError(
      read.form.errors,
      "Pick a date, a start and an end time.",
    );
  }
  const parsed = { data: { kitchen: c.req.param("id"), ...read.data } };
  const { kitchen, start, end, quote } = await previewHold(
    at(c.var.services),
    parsed.data,
  );
  const tz = kitchen.timeZone;
  return c.json<QuoteAnswer>({
    ...parsed.data,
    timeZone: tz,
    startAt: new Date(start).toISOString(),
    endAt: new Date(end).toISOString(),
    when: `${formatDayTime(tz, start)} – ${formatTime(tz, end)}`,
    durationMinutes: quote.durationMinutes,
    currency: quote.currency,
    // The renter's lines only: the host's payout and our commission are not theirs to see.
    lines: quote.lines.map((l) => ({
      kind: l.kind,
      label: l.label,
      amountCents: l.amountCents,
      amount: formatCents(l.amountCents),
    })),
    totalCents: quote.totalChargedCents,
    total: formatCents(quote.totalChargedCents),
  });
});
