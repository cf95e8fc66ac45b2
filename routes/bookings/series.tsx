/**
 * /bookings/series: standing bookings (issue 19 §1–5). The preview's URL
 * is the contract of §2 (`/bookings/series/new?kitchen=…&weekdays=tue,thu
 * &start=05:00&end=10:00&every=1&from=…&count=8`, or `until=` instead of
 * `count`), server-rendered; the claim posts the same fields back with the
 * dates kept. Mounted inside /bookings, behind its sign-in.
 */
import { Hono } from "hono";
import { z } from "zod";
import { SeriesAskPage } from "../../components/SeriesAskPage.tsx";
import { CancelRestPage, SeriesPage } from "../../components/SeriesPages.tsx";
import type { FormState } from "../../components/Forms.tsx";
import { at } from "../../lib/app.ts";
import { withdrawRequest } from "../../lib/bookings/requests.ts";
import { REFUND_ARRIVAL } from "../../lib/bookings/request_terms.ts";
import { localToday } from "../../lib/kitchens/free_time.ts";
import {
  claimSeries,
  firstDateProblem,
  previewSeries,
  seriesDefaults,
  type SeriesPreview,
  weeklyKitchen,
} from "../../lib/bookings/series.ts";
import { cancelRestOfSeries } from "../../lib/bookings/series_manage.ts";
import {
  loadSeriesCalendar,
  loadSeriesPage,
} from "../../lib/bookings/series_pages.ts";
import {
  refineRule,
  ruleOf,
  type SeriesRule,
  seriesRuleFields,
} from "../../lib/bookings/series_rule.ts";
import { NotFoundError } from "../../lib/errors.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import { localDate } from "../../lib/kitchens/schema.ts";
import { takeToCheckout } from "../../lib/payments/checkout.ts";
import { optionalText } from "../../lib/text.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
  readQuery,
} from "../forms.ts";
import { attachment, redirect, redirectOut } from "../headers.ts";

export const series = new Hono<AppEnv>();

const ID = `:id{${ID_PATTERN}}`;
const kitchenId = z.string().regex(
  new RegExp(`^${ID_PATTERN}$`),
  "Pick a kitchen",
);

/** The rule as the URL contract (and the claim form) spells it. */
const ruleQuery = z.object({ kitchen: kitchenId, ...seriesRuleFields })
  .superRefine(refineRule);

/** `?kitchen=` alone (with an optional `from`): the ask form, blank. */
const askQuery = z.object({
  kitchen: kitchenId,
  from: z.union([z.literal(""), localDate]),
});
const RULE_FIELDS = ["weekdays", "start", "end", "every", "count", "until"];

/** What the claim posts besides the rule. */
const agreement = z.object({
  keep: z.array(
    z.string().regex(/^\d{1,2}$/, "Pick dates from the list"),
  ).max(26),
  acknowledge: z.array(z.string().max(64)).max(30),
  message: optionalText({ label: "a message", max: 1000, multiline: true })
    .optional(),
  acceptRules: z.literal("yes", "Accept the house rules to book"),
});

const NOTICES: Record<string, string> = {
  paid:
    "Thank you: your payment is being confirmed. This page updates once it is.",
  cancelled:
    `The rest of your weekly booking is cancelled. Refunds, where due, reach the card in ${REFUND_ARRIVAL}.`,
  withdrawn:
    "Request withdrawn: every date is released, and nothing was charged.",
};

/**
 * The ask page: the rule's form, with the preview of its dates when the
 * rule read (`rule`); a rule that did not read comes back with its fields
 * marked, and the blank form (only a kitchen asked) with none.
 */
async function renderAsk(
  c: AppContext,
  values: Record<string, string>,
  ruleErrors: Record<string, string>,
  rule: SeriesRule | null,
  claim?: { form: FormState; status: FormStatus },
) {
  const services = at(c.var.services);
  const kitchen = await weeklyKitchen(services.kv, values.kitchen);
  let form: FormState = { values, errors: ruleErrors };
  let preview: SeriesPreview | null = null;
  let status: 200 | FormStatus = claim?.status ?? 200;
  if (Object.keys(ruleErrors).length > 0) {
    const past = firstDateProblem(
      kitchen,
      values.from ?? "",
      services.clock(),
    );
    form = {
      values,
      errors: past ? { from: past, ...ruleErrors } : ruleErrors,
      message: "Please check the highlighted fields.",
    };
    status = 400;
  } else if (rule) {
    try {
      preview = await previewSeries(services, {
        kitchen: kitchen.id,
        rule,
      }, c.var.user?.id ?? null);
    } catch (err) {
      const failed = formFailure(form, err);
      form = failed.form;
      status = failed.status;
    }
  }
  return page(
    c,
    { title: `Book ${kitchen.title} weekly` },
    <SeriesAskPage
      kitchen={kitchen}
      today={localToday(kitchen.timeZone, services.clock())}
      form={form}
      preview={preview}
      claim={claim?.form}
      signedIn={c.var.user !== null}
    />,
    status,
  );
}

series.get("/new", async (c) => {
  const read = readQuery(c, ruleQuery);
  if (read.ok) {
    return await renderAsk(c, read.form.values, {}, ruleOf(read.data));
  }
  const values = read.form.values;
  if (read.form.errors.kitchen) {
    throw new NotFoundError("We could not find that kitchen.");
  }
  // Only the kitchen (and maybe a first date): the blank form, no errors.
  if (RULE_FIELDS.every((f) => !values[f])) {
    const ask = readQuery(c, askQuery);
    const kitchen = await weeklyKitchen(c.var.services.kv, values.kitchen);
    const defaults = seriesDefaults(
      kitchen,
      c.var.services.clock(),
      ask.ok ? ask.data.from : undefined,
    );
    return await renderAsk(c, defaults, {}, null);
  }
  return await renderAsk(c, values, read.form.errors, null);
});

series.post("/", async (c) => {
  const rule = await readForm(c, ruleQuery);
  if (!rule.ok) {
    if (rule.form.errors.kitchen) {
      throw new NotFoundError("We could not find that kitchen.");
    }
    return await renderAsk(c, rule.form.values, rule.form.errors, null);
  }
  const agreed = await readForm(c, agreement);
  if (!agreed.ok) {
    return await renderAsk(c, rule.form.values, {}, ruleOf(rule.data), {
      form: agreed.form,
      status: 400,
    });
  }
  try {
    const services = at(c.var.services);
    const { lead } = await claimSeries(services, c.var.user!, {
      kitchen: rule.data.kitchen,
      rule: ruleOf(rule.data),
      keep: agreed.data.keep.map(Number),
      acknowledge: agreed.data.acknowledge,
      message: agreed.data.message ?? null,
    });
    const { url, external } = await takeToCheckout(
      services,
      lead,
      c.var.user!,
    );
    return external
      ? redirectOut(c, url, c.var.services.paymentOrigins)
      : redirect(c, url);
  } catch (err) {
    const failed = formFailure(agreed.form, err);
    return await renderAsk(
      c,
      rule.form.values,
      {},
      ruleOf(rule.data),
      failed,
    );
  }
});

async function renderSeries(c: AppContext, id: string) {
  const now = c.var.services.clock();
  const view = await loadSeriesPage(c.var.services.kv, id, c.var.user!, now);
  return page(
    c,
    { title: `Weekly booking: ${view.kitchen.title}` },
    <SeriesPage view={view} notice={NOTICES[readNotice(c)]} now={now} />,
  );
}

series.get(`/${ID}`, (c) => renderSeries(c, c.req.param("id")));

/** Cancelling the rest without JavaScript: what it does, and a last "Yes". */
series.get(`/${ID}/cancel`, async (c) => {
  const id = c.req.param("id");
  const view = await loadSeriesPage(
    c.var.services.kv,
    id,
    c.var.user!,
    c.var.services.clock(),
  );
  if (
    view.viewer !== "renter" || view.series.status !== "active" ||
    view.ahead === 0
  ) return redirect(c, `/bookings/series/${id}`);
  return page(
    c,
    { title: "Cancel all future dates?" },
    <CancelRestPage view={view} />,
  );
});

series.post(`/${ID}/cancel`, async (c) => {
  const id = c.req.param("id");
  await cancelRestOfSeries(at(c.var.services), id, c.var.user!);
  return redirect(c, `/bookings/series/${id}?notice=cancelled`);
});

/** A request-to-book series, taken back: its first date's request withdrawn, the rest follow. */
series.post(`/${ID}/withdraw`, async (c) => {
  const id = c.req.param("id");
  const view = await loadSeriesPage(
    c.var.services.kv,
    id,
    c.var.user!,
    c.var.services.clock(),
  );
  if (view.lead && view.series.status === "requested") {
    await withdrawRequest(at(c.var.services), view.lead.id, c.var.user!);
  }
  return redirect(c, `/bookings/series/${id}?notice=withdrawn`);
});

series.get(`/${ID}/calendar.ics`, async (c) => {
  const { ics, filename } = await loadSeriesCalendar(
    c.var.services.kv,
    c.req.param("id"),
    c.var.user!,
    at(c.var.services),
  );
  return c.body(ics, 200, {
    "Content-Type": "text/calendar; charset=utf-8",
    "Content-Disposition": attachment(filename),
    "Cache-Control": "private, no-store",
  });
});
