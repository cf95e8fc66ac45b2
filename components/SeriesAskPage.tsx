/**
 * Standing bookings, asked for (issue 19 §1, §2): "Book weekly" on a
 * kitchen's page, and the ask-and-preview page. It works without
 * JavaScript: the rule is a GET form at the URL contract of §2, the dates
 * a POST form that claims them.
 */
import type { SeriesPreview } from "../lib/bookings/series.ts";
import {
  everyText,
  MAX_OCCURRENCES,
  MIN_FREE_OCCURRENCES,
  WEEKDAY_CODES,
  WEEKDAY_NAMES,
  weekdaysText,
  weeklyHref,
} from "../lib/bookings/series_rule.ts";
import {
  formatClock,
  formatClockRange,
  formatDate,
  formatTimeRange,
} from "../lib/format.ts";
import { describePolicy, POLICY_NAMES } from "../lib/kitchens/policy.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { inWeekOrder } from "../lib/kitchens/weekly_hours.ts";
import { formatCents } from "../lib/money.ts";
import { REQUEST_TO_BOOK_TITLE } from "../lib/bookings/request_terms.ts";
import {
  ConditionsToTick,
  FormMessage,
  type FormState,
  Select,
  SubmitButton,
  TextArea,
  TextField,
} from "./Forms.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const link = "font-semibold text-emerald-800 underline";
const primary =
  "inline-block rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";
const secondary =
  "inline-block rounded-lg border border-stone-300 bg-white px-4 py-2 font-semibold";

/** The "Book weekly" card on a kitchen's page that takes standing bookings. */
export function BookWeeklyCard(
  { kitchen, pick }: {
    kitchen: Kitchen;
    /** The date shown, and the hours asked when the page was opened with some. */
    pick: { date?: string; start?: string; end?: string };
  },
) {
  return (
    <div class={card} data-testid="book-weekly">
      <h2 class="text-lg font-bold">Need the same hours every week?</h2>
      <p class="mt-1 text-sm text-stone-700">
        {`Book weekly: the same days and hours every 1 to 4 weeks, up to ${MAX_OCCURRENCES} dates. You pay for the first date now; each later date is charged 3 days before it.`}
      </p>
      <p class="mt-3">
        <a href={weeklyHref(kitchen.id, pick)} class={secondary}>
          Book weekly
        </a>
      </p>
    </div>
  );
}

const HALF_HOURS = Array.from(
  { length: 48 },
  (_, i) =>
    `${String(Math.floor(i / 2)).padStart(2, "0")}:${i % 2 ? "30" : "00"}`,
);

/** The rule's form (GET): weekdays, times, interval, first date, count or last date. */
function RuleForm(
  { kitchen, today, form }: {
    kitchen: Kitchen;
    today: string;
    form: FormState;
  },
) {
  const chosen = new Set(
    (form.values.weekdays ?? "").split(",").filter(Boolean),
  );
  const dayError = form.errors.weekdays;
  return (
    <form
      method="get"
      action="/bookings/series/new"
      class={`${card} space-y-4`}
      noValidate
    >
      <input type="hidden" name="kitchen" value={kitchen.id} />
      <fieldset
        class={dayError
          ? "rounded-lg border-2 border-red-700 bg-red-50 p-3"
          : ""}
        aria-describedby={dayError ? "weekdays-error" : undefined}
      >
        <legend class="text-sm font-semibold">Days of the week</legend>
        <div class="mt-2 grid grid-cols-2 gap-1 sm:grid-cols-4">
          {WEEKDAY_CODES.map((code, i) => (
            <label key={code} class="flex items-center gap-2">
              <input
                type="checkbox"
                name="weekdays"
                value={code}
                checked={chosen.has(code)}
              />
              {WEEKDAY_NAMES[i]}
            </label>
          ))}
        </div>
        {dayError && (
          <p id="weekdays-error" class="mt-1 text-sm font-medium text-red-700">
            {dayError}
          </p>
        )}
      </fieldset>
      <div class="grid gap-4 sm:grid-cols-3">
        <Select
          name="start"
          label="From"
          form={form}
          options={HALF_HOURS.map((t) => [t, formatClock(t)])}
        />
        <Select
          name="end"
          label="Until"
          hint="At or before the start runs overnight."
          form={form}
          options={[...HALF_HOURS.slice(1), "24:00"].map((t) => [
            t,
            t === "24:00" ? "Midnight" : formatClock(t),
          ])}
        />
        <Select
          name="every"
          label="Repeat"
          form={form}
          options={[1, 2, 3, 4].map((n) => [String(n), everyText(n)])}
        />
      </div>
      <div class="grid gap-4 sm:grid-cols-3">
        <TextField
          name="from"
          label="First date"
          type="date"
          min={today}
          form={form}
        />
        <TextField
          name="count"
          label="Number of dates"
          type="number"
          hint={`${MIN_FREE_OCCURRENCES} to ${MAX_OCCURRENCES}; or give a last date.`}
          required={false}
          form={form}
        />
        <TextField
          name="until"
          label="Or a last date"
          type="date"
          min={today}
          hint="Within 6 months of the first date."
          required={false}
          form={form}
        />
      </div>
      <div class="text-sm text-stone-700">
        <p>
          {`Times are in the kitchen's time zone (${kitchen.timeZone}). It is open:`}
        </p>
        <ul class="mt-1 grid gap-x-4 sm:grid-cols-2">
          {inWeekOrder(kitchen.weeklyHours).map((r, i) => (
            <li key={i}>
              {`${WEEKDAY_NAMES[r.day - 1]} ${
                formatClockRange(r.start, r.end)
              }${r.end <= r.start ? " (overnight)" : ""}`}
            </li>
          ))}
        </ul>
        <p class="mt-1">
          {`Each date is at least ${kitchen.minHours} and at most ${kitchen.maxHours} hours.`}
        </p>
      </div>
      <button type="submit" class={primary}>Show the dates</button>
    </form>
  );
}

/** One date of the preview: keep it (free, or waiting for a renewal) or why it cannot be. */
function PreviewDateRow(
  { date, kitchen, kept }: {
    date: SeriesPreview["dates"][number];
    kitchen: Kitchen;
    kept: boolean;
  },
) {
  const when = formatTimeRange(kitchen.timeZone, date.start, date.end);
  const v = date.verdict;
  if (v.state === "conflict") {
    return (
      <li
        class="rounded-lg border border-stone-200 bg-stone-50 p-3"
        data-state="conflict"
        data-date={date.localDate}
      >
        <p class="font-semibold text-stone-700">{when}</p>
        <p class="text-sm text-red-800">{`Not available: ${v.reason}`}</p>
      </li>
    );
  }
  const id = `keep-${date.n}`;
  return (
    <li
      class="rounded-lg border border-stone-200 p-3"
      data-state={v.state}
      data-date={date.localDate}
    >
      <div class="flex flex-wrap items-start justify-between gap-2">
        <label for={id} class="flex items-start gap-2 font-semibold">
          <input
            id={id}
            type="checkbox"
            name="keep"
            value={String(date.n)}
            checked={kept}
            class="mt-1"
          />
          <span>{when}</span>
        </label>
        <span>{formatCents(date.quote.totalChargedCents)}</span>
      </div>
      {v.state === "renew" && (
        <p class="mt-1 text-sm text-amber-900">{v.reason}</p>
      )}
    </li>
  );
}

/** The hidden copy of the rule the claim form posts. */
function RuleFields({ form }: { form: FormState }) {
  return (
    <>
      {[
        "kitchen",
        "weekdays",
        "start",
        "end",
        "every",
        "from",
        "count",
        "until",
      ]
        .map((name) => (
          <input
            key={name}
            type="hidden"
            name={name}
            value={form.values[name] ?? ""}
          />
        ))}
    </>
  );
}

/**
 * `/bookings/series/new`: the rule, then (once it reads) every date with
 * its price and whether it is free, and the form that claims the series.
 */
export function SeriesAskPage(
  { kitchen, today, form, preview, claim, signedIn: _signedIn }: {
    kitchen: Kitchen;
    /** Today on the kitchen's calendar: the earliest first date. */
    today: string;
    /** The rule as asked (the query). */
    form: FormState;
    preview: SeriesPreview | null;
    /** The claim form after a failed post: what was ticked, and why it failed. */
    claim?: FormState;
    signedIn: boolean;
  },
) {
  const claimForm = claim ?? { values: {}, errors: {} };
  const posted = claim !== undefined;
  const keep = new Set(
    (claimForm.values.keep ?? "").split(",").filter(Boolean),
  );
  const request = kitchen.bookingMode === "request";
  return (
    <section class="mx-auto max-w-3xl space-y-6">
      <header>
        <h1 class="text-3xl font-extrabold">
          {`Book ${kitchen.title} weekly`}
        </h1>
        <p class="mt-1 text-stone-700">
          Pick the days and hours you need. We check every date against the
          kitchen's calendar and the city's rules before you pay.
        </p>
        <p class="mt-1">
          <a href={`/kitchens/${kitchen.id}`} class={link}>
            Back to the kitchen
          </a>
        </p>
      </header>
      {!preview && <FormMessage form={form} />}
      <RuleForm kitchen={kitchen} today={today} form={form} />
      {preview && (
        <form method="post" action="/bookings/series" class="space-y-6">
          <RuleFields form={form} />
          <FormMessage form={claimForm} />
          <div class={card}>
            <h2 class="text-xl font-bold" data-testid="free-count">
              {`${preview.freeCount} of ${preview.dates.length} dates are free`}
            </h2>
            <p class="mt-1 text-stone-700">
              {`${weekdaysText(preview.rule.weekdays)}, ${
                formatClockRange(preview.rule.start, preview.rule.end)
              }, ${everyText(preview.rule.every)} (${kitchen.timeZone}).`}
            </p>
            <ul class="mt-4 space-y-2" aria-label="Dates">
              {preview.dates.map((d) => (
                <PreviewDateRow
                  key={d.n}
                  date={d}
                  kitchen={kitchen}
                  kept={posted ? keep.has(String(d.n)) : true}
                />
              ))}
            </ul>
            {claimForm.errors.keep && (
              <p class="mt-2 text-sm font-medium text-red-700">
                {claimForm.errors.keep}
              </p>
            )}
            <p class="mt-3 text-sm text-stone-600">
              Untick a date to leave it out. Dates that are not available are
              left out for you.
            </p>
          </div>
          {!preview.bookable
            ? (
              <div
                role="alert"
                class="rounded-lg border-2 border-red-300 bg-red-50 p-4 text-red-900"
              >
                <h2 class="text-xl font-bold">
                  Not enough free dates for a weekly booking
                </h2>
                <p class="mt-1">
                  {`${
                    preview.freeCount === 0
                      ? "None of these dates is free"
                      : preview.freeCount === 1
                      ? "Only one of these dates is free"
                      : `${preview.freeCount} of these dates are free`
                  }, and a weekly booking needs at least ${MIN_FREE_OCCURRENCES}. Try other days, hours or a later first date above.`}
                </p>
              </div>
            )
            : (
              <>
                <div class={card}>
                  <h2 class="text-xl font-bold">How you pay</h2>
                  <p class="mt-1">
                    {`You pay ${
                      formatCents(preview.lead!.quote.totalChargedCents)
                    } now for the first date, ${
                      formatDate(preview.lead!.localDate)
                    }; your card is saved for the rest. Each later date is charged to the same card 3 days before it starts, and a date still unpaid 24 hours before it starts is released.`}
                  </p>
                  <p class="mt-1 font-semibold">
                    {`All the dates above together: ${
                      formatCents(preview.totalCents)
                    }.`}
                  </p>
                  <h3 class="mt-3 font-bold">
                    {`Cancellation policy, for each date: ${
                      POLICY_NAMES[kitchen.cancellationPolicy]
                    }`}
                  </h3>
                  <ul class="mt-1 list-disc pl-5 text-sm">
                    {describePolicy(kitchen.cancellationPolicy).map((l) => (
                      <li key={l}>{l}</li>
                    ))}
                  </ul>
                </div>
                <div class={`${card} space-y-4`}>
                  <ConditionsToTick
                    legend="Conditions of these dates"
                    intro="The city's rules allow these dates on these conditions. Tick each one to confirm you have read it."
                    conditions={preview.conditions}
                    form={claimForm}
                  />
                  <h2 class="text-xl font-bold">House rules</h2>
                  <ul class="list-disc pl-5">
                    {kitchen.rules.map((r, i) => <li key={i}>{r}</li>)}
                  </ul>
                  <label class="flex items-start gap-2">
                    <input
                      type="checkbox"
                      name="acceptRules"
                      value="yes"
                      required
                    />
                    <span>
                      I have read the house rules and will follow them.
                    </span>
                  </label>
                  {claimForm.errors.acceptRules && (
                    <p class="text-sm font-medium text-red-700">
                      {claimForm.errors.acceptRules}
                    </p>
                  )}
                  {request && (
                    <TextArea
                      name="message"
                      label="Message to the host (optional)"
                      hint="Say what you will make. The host accepts or declines the whole series."
                      rows={3}
                      form={claimForm}
                    />
                  )}
                  <p class="text-sm text-stone-600">
                    {request
                      ? "We hold these dates for 35 minutes while you authorise your card for the first date, then until the host answers for the whole series."
                      : "We hold these dates for 35 minutes while you pay for the first date."}
                  </p>
                  <SubmitButton>
                    {request
                      ? `${REQUEST_TO_BOOK_TITLE} (weekly)`
                      : "Continue to payment"}
                  </SubmitButton>
                </div>
              </>
            )}
        </form>
      )}
    </section>
  );
}
