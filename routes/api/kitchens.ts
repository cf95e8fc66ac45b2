/** /api/kitchens/:id/…: a kitchen's free hours and prices, for the booking picker. */
import { Hono } from "hono";
import { at } from "../../lib/app.ts";
import { quoteAnswer } from "../../lib/bookings/quote_answer.ts";
import { holdRequest } from "../../lib/bookings/schema.ts";
import { loadCityKitchenPage } from "../../lib/compliance/kitchen_page.ts";
import { ValidationError } from "../../lib/errors.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { kitchenDateQuery } from "../../lib/kitchens/pick.ts";
import { dayView } from "../../lib/kitchens/slot_view.ts";
import type { AppEnv } from "../env.ts";
import { readQuery } from "../forms.ts";

export const kitchens = new Hono<AppEnv>();

const ID = `:id{${ID_PATTERN}}`;

const quoteQuery = holdRequest.omit({ kitchen: true, acknowledge: true });

kitchens.get(`/${ID}/availability`, async (c) => {
  const read = readQuery(c, kitchenDateQuery);
  const { kitchen, date, slots } = await loadCityKitchenPage(
    c.var.services.kv,
    c.req.param("id"),
    read.ok ? read.data.date : "",
    c.var.services.clock(),
  );
  c.header("Cache-Control", "no-store");
  return c.json(dayView(kitchen.timeZone, date, slots));
});

/** What the renter would pay for wall-clock `start`–`end` on `date` (an end at or before the start is the next day). */
kitchens.get(`/${ID}/quote`, async (c) => {
  // Set first so the error answers (400, 404, 409) are not stored either.
  c.header("Cache-Control", "no-store");
  const read = readQuery(c, quoteQuery);
  if (!read.ok) {
    throw new ValidationError(
      read.form.errors,
      "Pick a date, a start and an end time.",
    );
  }
  return c.json(
    await quoteAnswer(at(c.var.services), {
      kitchen: c.req.param("id"),
      ...read.data,
    }),
  );
});
