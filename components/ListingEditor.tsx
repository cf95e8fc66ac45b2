import type { ComponentChildren } from "preact";
import { CITIES } from "../lib/cities.ts";
import type { FormSection } from "../lib/kitchens/editor_forms.ts";
import {
  EDIT_SECTIONS,
  type Listing,
  SECTION_TITLES,
} from "../lib/kitchens/listings.ts";
import { POLICY_NAMES } from "../lib/kitchens/policy.ts";
import { CANCELLATION_POLICIES } from "../lib/kitchens/policy.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { EQUIPMENT, STORAGE } from "../lib/kitchens/vocabulary.ts";
import type { Host } from "../lib/hosts/schema.ts";
import {
  FormMessage,
  type FormState,
  Notice,
  Select,
  TextArea,
  TextField,
} from "./Forms.tsx";
import { KitchenPage } from "./KitchenPage.tsx";
import { SuspensionNotice } from "./SuspensionNotice.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const primary =
  "rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";
const secondary = "rounded-lg border border-stone-300 px-4 py-2 font-semibold";
const input =
  "mt-1 w-full rounded-lg border border-stone-300 bg-white px-3 py-2";

const STATUS_TEXT: Record<Listing["status"], string> = {
  draft: "Draft: not visible to renters",
  published: "Published: in search and taking bookings",
  unlisted: "Unlisted: hidden from renters",
  suspended: "Suspended by Prep staff",
};

function titleOf(l: Listing): string {
  return l.values.title ?? "Untitled kitchen";
}

export function ListingsPage({ listings, notice }: {
  listings: Listing[];
  notice?: string;
}) {
  return (
    <section class="space-y-6">
      {notice && <Notice>{notice}</Notice>}
      <header class="flex flex-wrap items-baseline justify-between gap-2">
        <h1 class="text-3xl font-extrabold">Your kitchens</h1>
        <a href="/host/kitchens/new" class={primary}>List a new kitchen</a>
      </header>
      {listings.length === 0 && (
        <p>You have no kitchens yet. List one to start taking bookings.</p>
      )}
      <ul class="space-y-2">
        {listings.map((l) => (
          <li key={l.id} class={card}>
            <a
              href={`/host/kitchens/${l.id}`}
              class="text-lg font-bold text-emerald-800 underline"
            >
              {titleOf(l)}
            </a>
            <p class="text-sm text-stone-700">{STATUS_TEXT[l.status]}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function NewListingPage() {
  return (
    <section class="mx-auto max-w-xl space-y-4">
      <h1 class="text-3xl font-extrabold">List a new kitchen</h1>
      <p>
        You fill in your listing section by section; everything is saved as a
        draft that only you can see until you publish it.
      </p>
      <form method="post" action="/host/kitchens/new">
        <button type="submit" class={primary}>Start a draft</button>
      </form>
    </section>
  );
}

export function ListingOverview({ listing, problems, notice, form, from }: {
  listing: Listing;
  problems: string[];
  notice?: string;
  form?: FormState;
  /** The site's From address, where a suspended kitchen's host writes. */
  from: string;
}) {
  const base = `/host/kitchens/${listing.id}`;
  const suspended = listing.kitchen?.suspension ? listing.kitchen : null;
  return (
    <section class="space-y-6">
      {notice && <Notice>{notice}</Notice>}
      {form && <FormMessage form={form} />}
      <header>
        <p class="text-sm font-semibold uppercase tracking-wide text-emerald-700">
          {STATUS_TEXT[listing.status]}
        </p>
        <h1 class="text-3xl font-extrabold">{titleOf(listing)}</h1>
      </header>
      {suspended?.suspension && (
        <SuspensionNotice
          kitchen={{ ...suspended, suspension: suspended.suspension }}
          from={from}
        />
      )}
      <div class={card}>
        <h2 class="text-xl font-bold">Sections</h2>
        <ul class="mt-2 grid gap-2 sm:grid-cols-2">
          {EDIT_SECTIONS.map((s) => (
            <li key={s}>
              <a
                href={`${base}/edit/${s}`}
                class="font-semibold text-emerald-800 underline"
              >
                {SECTION_TITLES[s]}
              </a>
            </li>
          ))}
          <li>
            <a
              href={`${base}/permits`}
              class="font-semibold text-emerald-800 underline"
            >
              Permits
            </a>
          </li>
          {listing.kitchen && (
            <li>
              <a
                href={`${base}/edit/calendar`}
                class="font-semibold text-emerald-800 underline"
              >
                Calendar and sync
              </a>
            </li>
          )}
        </ul>
      </div>
      <div class={card}>
        <h2 class="text-xl font-bold">Before publishing</h2>
        {problems.length === 0
          ? <p class="mt-1">Everything is in place.</p>
          : (
            <ul class="mt-2 list-disc pl-5">
              {problems.map((p) => <li key={p}>{p}</li>)}
            </ul>
          )}
        <div class="mt-4 flex flex-wrap gap-3">
          <a href={`${base}/preview`} class={secondary}>Preview</a>
          {listing.status !== "published" && listing.status !== "suspended" &&
            (
              <form method="post" action={`${base}/publish`}>
                <button type="submit" class={primary}>Publish</button>
              </form>
            )}
          {listing.status === "published" && (
            <>
              <a href={`/kitchens/${listing.id}`} class={secondary}>
                View public page
              </a>
              <form method="post" action={`${base}/unlist`}>
                <button type="submit" class={secondary}>Unlist</button>
              </form>
            </>
          )}
        </div>
      </div>
    </section>
  );
}

function Checkboxes(
  { name, legend, form, options }: {
    name: string;
    legend: string;
    form: FormState;
    options: Record<string, string>;
  },
) {
  const chosen = new Set((form.values[name] ?? "").split(",").filter(Boolean));
  const error = Object.entries(form.errors).find(([k]) =>
    k === name || k.startsWith(`${name}.`)
  )?.[1];
  return (
    <fieldset>
      <legend class="text-sm font-semibold">{legend}</legend>
      <div class="mt-2 grid gap-1 sm:grid-cols-2">
        {Object.entries(options).map(([value, text]) => (
          <label key={value} class="flex items-center gap-2">
            <input
              type="checkbox"
              name={name}
              value={value}
              checked={chosen.has(value)}
            />
            {text}
          </label>
        ))}
      </div>
      {error && <p class="mt-1 text-sm font-medium text-red-700">{error}</p>}
    </fieldset>
  );
}

const DAYS: [string, string][] = [
  ["", "—"],
  ["1", "Monday"],
  ["2", "Tuesday"],
  ["3", "Wednesday"],
  ["4", "Thursday"],
  ["5", "Friday"],
  ["6", "Saturday"],
  ["7", "Sunday"],
];

/** The weekly-hours rows: saved ranges, then three blank rows to add more. */
function HoursRows({ form, saved }: {
  form: FormState;
  saved: { day: number; start: string; end: string }[];
}) {
  const split = (k: string) =>
    form.values[k] !== undefined ? form.values[k].split(",") : null;
  // A new listing starts with a row per weekday, to fill in or leave closed.
  const days = split("rangeDay") ??
    (saved.length
      ? saved.map((r) => String(r.day))
      : ["1", "2", "3", "4", "5", "6", "7"]);
  const starts = split("rangeStart") ?? saved.map((r) => r.start);
  const ends = split("rangeEnd") ?? saved.map((r) => r.end);
  const count = Math.max(days.length, starts.length, ends.length) + 3;
  const rowError = form.errors.weeklyHours ??
    Object.entries(form.errors).find(([k]) => k.startsWith("weeklyHours."))
      ?.[1];
  return (
    <fieldset class="space-y-2">
      <legend class="text-sm font-semibold">Weekly opening hours</legend>
      <p class="text-sm text-stone-600">
        One row per opening range, in the kitchen's own time zone. An end at or
        before the start runs overnight (22:00 to 06:00). A row without times is
        left out, so a day without one is closed.
      </p>
      {rowError && (
        <p class="text-sm font-medium text-red-700" role="alert">{rowError}</p>
      )}
      {Array.from(
        { length: count },
        (_, i) => (
          <div key={i} class="grid grid-cols-3 gap-2">
            <div>
              <label for={`range-day-${i}`} class="text-sm">
                {`Day ${i + 1}`}
              </label>
              <select id={`range-day-${i}`} name="rangeDay" class={input}>
                {DAYS.map(([v, t]) => (
                  <option key={v} value={v} selected={(days[i] ?? "") === v}>
                    {t}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for={`range-start-${i}`} class="text-sm">
                {`Opens ${i + 1}`}
              </label>
              <input
                id={`range-start-${i}`}
                type="time"
                name="rangeStart"
                value={starts[i] ?? ""}
                class={input}
              />
            </div>
            <div>
              <label for={`range-end-${i}`} class="text-sm">
                {`Closes ${i + 1}`}
              </label>
              <input
                id={`range-end-${i}`}
                type="time"
                name="rangeEnd"
                value={ends[i] ?? ""}
                class={input}
              />
            </div>
          </div>
        ),
      )}
    </fieldset>
  );
}

/** `/host/kitchens/:id/preview`: the public page as renters will see it, without hours. */
export function ListingPreviewPage({ kitchen, host }: {
  kitchen: Kitchen;
  host: Pick<Host, "name"> | null;
}) {
  return (
    <KitchenPage
      kitchen={kitchen}
      host={host}
      aside={
        <p
          role="note"
          class="rounded-xl border-2 border-amber-400 bg-amber-50 p-4 font-semibold text-amber-900"
        >
          Preview: this is how renters will see your kitchen. Free hours and
          booking appear here once it is published.
        </p>
      }
    />
  );
}

/** "blackoutDates.3" is shown on the "blackoutDates" field (lists are one input). */
function withListErrors(
  errors: Record<string, string>,
): Record<string, string> {
  const out = { ...errors };
  for (const [key, message] of Object.entries(errors)) {
    const list = /^(\w+)\.\d+/.exec(key)?.[1];
    if (list) out[list] ??= message;
  }
  return out;
}

export function SectionPage(
  { listing, section, form: sent, notice, warnings }: {
    listing: Listing;
    section: FormSection;
    form: FormState;
    notice?: string;
    warnings: string[];
  },
) {
  const form = { ...sent, errors: withListErrors(sent.errors) };
  const action = `/host/kitchens/${listing.id}/edit/${section}`;
  let fields: ComponentChildren;
  switch (section) {
    case "basics":
      fields = (
        <>
          <TextField name="title" label="Title" form={form} />
          <TextArea
            name="description"
            label="Description"
            form={form}
            hint="At least 20 characters: what the kitchen is good for, access, parking."
          />
          <TextField
            name="capacity"
            label="How many people can work at once"
            type="number"
            form={form}
          />
        </>
      );
      break;
    case "location":
      fields = (
        <>
          <TextField name="address.line1" label="Street address" form={form} />
          <TextField
            name="address.neighborhood"
            label="Neighbourhood"
            form={form}
          />
          <Select
            name="address.city"
            label="City"
            form={form}
            options={[
              ["", "Choose a city"],
              ...CITIES.map((c): [string, string] => [c.slug, c.name]),
            ]}
          />
          <TextField name="address.state" label="State" form={form} />
          <TextField name="address.postalCode" label="ZIP code" form={form} />
          <TextField
            name="timeZone"
            label="Time zone"
            form={form}
            required={false}
            hint="Leave blank for the city's own, e.g. America/Chicago."
          />
          <TextField
            name="zoningDistrict"
            label="Zoning district"
            form={form}
            required={false}
            hint="As on your city's zoning map, like NC-3. Some districts need a neighbourhood notice before a shared kitchen opens."
          />
          <TextField name="lat" label="Latitude" form={form} />
          <TextField name="lng" label="Longitude" form={form} />
        </>
      );
      break;
    case "features":
      fields = (
        <>
          <Checkboxes
            name="equipment"
            legend="Equipment"
            form={form}
            options={EQUIPMENT}
          />
          <Checkboxes
            name="storage"
            legend="Storage"
            form={form}
            options={STORAGE}
          />
          <Checkboxes
            name="accessible"
            legend="Accessibility"
            form={form}
            options={{
              yes: "Step-free entrance, accessible workstations and restroom",
            }}
          />
        </>
      );
      break;
    case "hours":
      fields = (
        <>
          <HoursRows form={form} saved={listing.values.weeklyHours ?? []} />
          <TextArea
            name="blackoutDates"
            label="Closed dates"
            form={form}
            rows={4}
            hint="One date per line, like 2026-12-25."
          />
          <TextField
            name="bufferMinutes"
            label="Minutes kept free between bookings"
            type="number"
            form={form}
          />
          <TextField
            name="minNoticeHours"
            label="Minimum notice (hours)"
            type="number"
            form={form}
          />
          <TextField
            name="bookingWindowDays"
            label="How far ahead renters can book (days)"
            type="number"
            form={form}
          />
          <TextField
            name="minHours"
            label="Minimum booking (hours)"
            type="number"
            form={form}
          />
          <TextField
            name="maxHours"
            label="Maximum booking (hours)"
            type="number"
            form={form}
          />
        </>
      );
      break;
    case "pricing":
      fields = (
        <>
          <TextField
            name="hourlyPriceCents"
            label="Price per hour (USD)"
            form={form}
          />
          <TextField
            name="cleaningFeeCents"
            label="Cleaning fee per booking (USD)"
            form={form}
          />
          <Select
            name="bookingMode"
            label="How renters book"
            form={form}
            options={[
              ["instant", "Instantly: paying confirms the booking"],
              [
                "request",
                "On request: you accept each booking within 24 hours",
              ],
            ]}
          />
        </>
      );
      break;
    case "rules":
      fields = (
        <>
          <TextArea
            name="rules"
            label="House rules"
            form={form}
            hint="One rule per line."
          />
          <Select
            name="cancellationPolicy"
            label="Cancellation policy"
            form={form}
            options={CANCELLATION_POLICIES.map((p): [string, string] => [
              p,
              POLICY_NAMES[p],
            ])}
          />
        </>
      );
      break;
  }
  return (
    <section class="mx-auto max-w-2xl space-y-5">
      <p>
        <a
          href={`/host/kitchens/${listing.id}`}
          class="font-semibold text-emerald-800 underline"
        >
          {`Back to ${titleOf(listing)}`}
        </a>
      </p>
      <h1 class="text-3xl font-extrabold">{SECTION_TITLES[section]}</h1>
      {notice && <Notice>{notice}</Notice>}
      {warnings.map((w) => (
        <p
          key={w}
          role="alert"
          class="rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-amber-900"
        >
          {w}
        </p>
      ))}
      <FormMessage form={form} />
      <form
        method="post"
        action={action}
        class={`${card} space-y-4`}
        noValidate
      >
        {fields}
        <button type="submit" class={primary}>Save</button>
      </form>
    </section>
  );
}
