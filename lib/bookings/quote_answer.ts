/**
 * The renter's price for some hours, before anything is held: what
 * GET /api/kitchens/:id/quote answers and the availability picker
 * (islands/AvailabilityPicker.tsx) shows.
 */
import { formatTimeRange } from "../format.ts";
import { formatCents } from "../money.ts";
import { type HoldDeps, previewHold } from "./holds.ts";
import type { MoveAsk, MoveDeps } from "./move_read.ts";
import { previewMove } from "./moves.ts";
import type { Quote } from "./pricing.ts";
import { getBooking } from "./repo.ts";
import type { ReviewRequest } from "./schema.ts";

export interface QuoteAnswer {
  kitchen: string;
  date: string;
  start: string;
  end: string;
  timeZone: string;
  startAt: string;
  endAt: string;
  /** "Thu, Dec 3, 10:00 AM - 1:00 PM", in the kitchen's zone. */
  when: string;
  durationMinutes: number;
  currency: string;
  lines: { kind: string; label: string; amountCents: number; amount: string }[];
  totalCents: number;
  total: string;
}

/** What the renter would pay for `req` (an end at or before the start is the next day). */
export async function quoteAnswer(
  deps: Pick<HoldDeps, "kv" | "now" | "fees" | "policy">,
  req: ReviewRequest,
): Promise<QuoteAnswer> {
  const { kitchen, start, end, quote } = await previewHold(deps, req);
  return answerOf(req, kitchen.timeZone, start, end, quote);
}

/**
 * What the renter would pay for their booking `id` moved to `ask` (the
 * Change time picker): the new total, their own time counting as free.
 */
export async function moveQuoteAnswer(
  deps: MoveDeps,
  id: string,
  renter: { id: string },
  ask: MoveAsk,
): Promise<QuoteAnswer> {
  // The booking's own time, where the picker opens: its price as it stands.
  const own = await getBooking(deps.kv, id);
  if (
    own?.renterId === renter.id && own.localDate === ask.date &&
    own.localStart === ask.start && own.localEnd === ask.end
  ) {
    return answerOf(
      { kitchen: own.kitchenId, ...ask },
      own.timeZone,
      own.start,
      own.end,
      own.quote,
    );
  }
  const preview = await previewMove(deps, id, renter, ask);
  return answerOf(
    { kitchen: preview.kitchen.id, ...ask },
    preview.kitchen.timeZone,
    preview.start,
    preview.end,
    preview.quote,
  );
}

function answerOf(
  req: { kitchen: string; date: string; start: string; end: string },
  tz: string,
  start: number,
  end: number,
  quote: Quote,
): QuoteAnswer {
  return {
    kitchen: req.kitchen,
    date: req.date,
    start: req.start,
    end: req.end,
    timeZone: tz,
    startAt: new Date(start).toISOString(),
    endAt: new Date(end).toISOString(),
    when: formatTimeRange(tz, start, end),
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
  };
}
