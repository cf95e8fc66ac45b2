import type { ComponentChildren } from "preact";
import type { Fees } from "../lib/bookings/holds.ts";
import {
  earningsExample,
  formatBps,
  type PriceRules,
} from "../lib/bookings/pricing.ts";
import { CITIES, findCity } from "../lib/cities.ts";
import type { FormSection } from "../lib/kitchens/editor_forms.ts";
import { STEP_TITLES, stepPath } from "../lib/kitchens/editor_steps.ts";
import {
  type Listing,
  type PublishFix,
  type PublishProblem,
  SECTION_TITLES,
} from "../lib/kitchens/listings.ts";
import {
  CANCELLATION_POLICIES,
  describePolicy,
  POLICY_NAMES,
} from "../lib/kitchens/policy.ts";
import type { Kitchen } from "../lib/kitchens/schema.ts";
import { formatCents } from "../lib/money.ts";
import {
  EQUIPMENT,
  STORAGE,
  US_TIME_ZONES,
} from "../lib/kitchens/vocabulary.ts";
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
import { EditorShell, SavedNotice } from "./ListingSteps.tsx";
import UnsavedGuard from "../islands/UnsavedGuard.tsx";

/** The section's form, which the guard watches for changes not yet saved. */
const SECTION_FORM = "listing-section";
import { SuspensionNotice } from "./SuspensionNotice.tsx";
import PinPicker from "../islands/PinPicker.tsx";
import type { MapTiles } from "../lib/place/tiles.ts";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const primary =
  "rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";
const secondary = "rounded-lg border border-stone-300 px-4 py-2 font-semibold";
const disabledButton =
  "rounded-lg bg-stone-300 px-4 py-2 font-semibold text-stone-700 cursor-not-allowed";
const input =
  "mt-1 w-full rounded-lg border border-stone-300 bg-white px-3 py-2";
const link = "font-semibold text-emerald-800 underline";
const errorText = "text-sm font-medium text-red-700";
// Fieldsets with an error get the same red border as a field (Forms.tsx).
const groupClass = "rounded-lg";
const invalidGroupClass = "rounded-lg border-2 border-red-700 bg-red-50 p-3";

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
        <a href="/host/kitchens/new" class={primary}>
          {listings.length === 0
            ? "List your first kitchen"
            : "List a new kitchen"}
        </a>
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
        draft that only you can see until you publish it. The steps:
      </p>
      <ol class="list-decimal space-y-1 pl-6">
        {Object.values(STEP_TITLES).map((t) => <li key={t}>{t}</li>)}
        <li>
          Review and publish: it says what is missing, payouts so renters can
          pay you among them, and then your kitchen is in search
        </li>
      </ol>
      <form method="post" action="/host/kitchens/new">
        <button type="submit" class={primary}>Start a draft</button>
      </form>
    </section>
  );
}

/** Where the host puts a checklist item right; null when there is no page for it. */
function fixHref(
  listing: Listing,
  fix: PublishFix,
  viewerIsHost: boolean,
): string | null {
  if (fix === null) return null;
  if (fix === "email") return viewerIsHost ? "/account" : null;
  if (fix === "payouts") return viewerIsHost ? "/host/payouts" : null;
  return stepPath(listing.id, fix);
}

export function ListingOverview(
  { listing, problems, notice, form, viewerIsHost, support }: {
    listing: Listing;
    problems: PublishProblem[];
    notice?: string;
    form?: FormState;
    /** Staff looking at a host's listing get no links to their own account. */
    viewerIsHost: boolean;
    /** Prep's support address (SUPPORT_EMAIL), or null: the contact form. */
    support: string | null;
  },
) {
  const base = `/host/kitchens/${listing.id}`;
  const suspension = listing.kitchen?.suspension;
  const canPublish = problems.length === 0;
  const publishable = listing.status !== "published" &&
    listing.status !== "suspended";
  return (
    <EditorShell listing={listing} current="overview">
      <section class="space-y-6">
        {notice && <Notice>{notice}</Notice>}
        {form && <FormMessage form={form} />}
        <header>
          <p class="text-sm font-semibold uppercase tracking-wide text-emerald-800">
            {STATUS_TEXT[listing.status]}
          </p>
          <h1 class="text-3xl font-extrabold">{titleOf(listing)}</h1>
        </header>
        {listing.kitchen && suspension && (
          <SuspensionNotice
            kitchen={{ ...listing.kitchen, suspension }}
            support={support}
          />
        )}
        <div class={card}>
          <h2 class="text-xl font-bold">
            {listing.status === "published"
              ? "Your listing"
              : "Before publishing"}
          </h2>
          {canPublish ? <p class="mt-1">Everything is in place.</p> : (
            <>
              <p class="mt-1 text-stone-700">
                {`${problems.length} ${
                  problems.length === 1 ? "thing is" : "things are"
                } left. Each links to where you put it right.`}
              </p>
              <ul id="publish-blockers" class="mt-2 list-disc pl-5">
                {problems.map((p) => {
                  const href = fixHref(listing, p.fix, viewerIsHost);
                  return (
                    <li key={p.text}>
                      {href ? <a href={href} class={link}>{p.text}</a> : (
                        p.text
                      )}
                    </li>
                  );
                })}
              </ul>
            </>
          )}
          <div class="mt-4 flex flex-wrap items-center gap-3">
            {publishable && (
              canPublish
                ? (
                  <form method="post" action={`${base}/publish`}>
                    <button type="submit" class={primary}>Publish</button>
                  </form>
                )
                : (
                  <>
                    <button
                      type="button"
                      disabled
                      class={disabledButton}
                      aria-describedby="publish-blockers"
                    >
                      Publish
                    </button>
                    <p class="text-sm text-stone-700">
                      You can publish once the list above is done.
                    </p>
                  </>
                )
            )}
            <a href={`${base}/preview`} class={secondary}>Preview</a>
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
    </EditorShell>
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
  const errorId = `${name}-error`;
  return (
    <fieldset
      class={error ? invalidGroupClass : groupClass}
      aria-describedby={error ? errorId : undefined}
    >
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
      {error && <p id={errorId} class={`mt-1 ${errorText}`}>{error}</p>}
    </fieldset>
  );
}

/** The hours section's standing-booking settings (lib/bookings/series.ts). */
function StandingBookings({ form }: { form: FormState }) {
  return (
    <fieldset class={groupClass}>
      <legend class="text-sm font-semibold">Weekly standing bookings</legend>
      <label class="mt-2 flex items-start gap-2">
        <input
          type="checkbox"
          name="standingBookings"
          value="yes"
          checked={form.values.standingBookings === "yes"}
        />
        <span>
          Take weekly bookings: a renter books the same hours every 1 to 4
          weeks, up to 26 dates. The first date is paid at booking; each later
          date is charged 3 days before it.
        </span>
      </label>
      <div class="mt-3">
        <Select
          name="standingMonthsAhead"
          label="How far ahead a weekly booking may reach"
          hint="Separate from the booking window above, which is for single bookings."
          form={form}
          options={[1, 2, 3, 4, 5, 6].map((m) => [
            String(m),
            m === 1 ? "1 month" : `${m} months`,
          ])}
        />
      </div>
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
function HoursRows({ form, saved, zone }: {
  form: FormState;
  saved: { day: number; start: string; end: string }[];
  zone: string | null;
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
  // Blank rows at the end (the three offered last time) are not kept, or
  // each refused save would add three more; rows keep their numbers.
  let used = Math.max(days.length, starts.length, ends.length);
  while (used > 0 && !days[used - 1] && !starts[used - 1] && !ends[used - 1]) {
    used--;
  }
  const count = used + 3;
  const rowError = form.errors.weeklyHours ??
    Object.entries(form.errors).find(([k]) => k.startsWith("weeklyHours."))
      ?.[1];
  return (
    <fieldset
      class={`space-y-2 ${rowError ? invalidGroupClass : groupClass}`}
      aria-describedby={rowError ? "weekly-hours-error" : undefined}
    >
      <legend class="text-sm font-semibold">Weekly opening hours</legend>
      <p class="text-sm text-stone-600">
        {`One row per opening range, in ${
          zoneText(zone)
        }. An end at or before the start runs overnight (10:00 PM to 6:00 AM). A row without times is left out, so a day without one is closed.`}
      </p>
      {rowError && (
        <p id="weekly-hours-error" class={errorText} role="alert">
          {rowError}
        </p>
      )}
      {Array.from(
        { length: count },
        (_, i) => (
          // On a phone the day takes its own line, so the times show whole.
          <div key={i} class="grid grid-cols-2 gap-2 sm:grid-cols-3">
            <div class="col-span-2 sm:col-span-1">
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

/** Dates the kitchen is closed: one date field each, then three blank ones to add more. */
/** "the kitchen's time zone, America/Chicago", or where it comes from before one is known. */
function zoneText(zone: string | null): string {
  return zone
    ? `the kitchen's time zone, ${zone}`
    : "the kitchen's time zone (its city's, chosen under Location)";
}

function ClosedDates(
  { form, zone }: { form: FormState; zone: string | null },
) {
  const dates = (form.values.blackoutDates ?? "").split(/[,\n]/)
    .map((d) => d.trim()).filter(Boolean);
  const error = form.errors.blackoutDates;
  return (
    <fieldset class="space-y-2">
      <legend class="text-sm font-semibold">Closed dates</legend>
      <p class="text-sm text-stone-600">
        {`Whole days the kitchen takes no bookings, in ${
          zoneText(zone)
        }. Clear a date to open that day again.`}
      </p>
      {error && (
        <p class="text-sm font-medium text-red-700" role="alert">{error}</p>
      )}
      <div class="grid grid-cols-2 gap-2 sm:grid-cols-3">
        {Array.from({ length: dates.length + 3 }, (_, i) => (
          <div key={i}>
            <label for={`closed-date-${i}`} class="text-sm">
              {`Closed date ${i + 1}`}
            </label>
            <input
              id={`closed-date-${i}`}
              type="date"
              name="blackoutDates"
              value={dates[i] ?? ""}
              class={input}
            />
          </div>
        ))}
      </div>
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
        <div
          role="note"
          class="space-y-2 rounded-xl border-2 border-amber-400 bg-amber-50 p-4 text-amber-900"
        >
          <p class="font-semibold">
            Preview: this is how renters will see your kitchen. Free hours and
            booking appear here once it is published.
          </p>
          <p>
            <a href={`/host/kitchens/${kitchen.id}`} class={link}>
              Back to your listing
            </a>
          </p>
        </div>
      }
    />
  );
}

/** The zone a listing's times are read in: its own, else its city's; null before either. */
function zoneOf(listing: Listing): string | null {
  return listing.values.timeZone ||
    findCity(listing.values.address?.city ?? "")?.timeZone || null;
}

/** The city's own zone first (saved as none), the US zones, and a saved other one kept. */
function zoneOptions(
  chosen: string | undefined,
  listing: Listing,
): [string, string][] {
  const city = findCity(listing.values.address?.city ?? "");
  const options: [string, string][] = [
    ["", city ? `The city's own (${city.timeZone})` : "The city's own"],
    ...US_TIME_ZONES.map(([zone, name]): [string, string] => [
      zone,
      `${name}: ${zone}`,
    ]),
  ];
  if (chosen && !options.some(([v]) => v === chosen)) {
    options.push([chosen, chosen]);
  }
  return options;
}

/** The pin as posted back with an error, or as saved; null before an address is saved. */
function pinOf(
  form: FormState,
  listing: Listing,
): { lat: number; lng: number } | null {
  const lat = Number(form.values.pinLat);
  const lng = Number(form.values.pinLng);
  if (form.values.pinLat && Number.isFinite(lat) && Number.isFinite(lng)) {
    return { lat, lng };
  }
  const v = listing.values;
  return v.lat !== undefined && v.lng !== undefined
    ? { lat: v.lat, lng: v.lng }
    : null;
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
  { listing, section, form: sent, notice, saved, warnings, fees, map }: {
    listing: Listing;
    section: FormSection;
    form: FormState;
    notice?: string;
    /** Just saved: say so and offer the next step. */
    saved: boolean;
    warnings: string[];
    /** The site's fees, for the pricing section's example. */
    fees: Fees;
    /** The location section's map: tiles and Leaflet's stylesheet. */
    map?: { tiles: MapTiles; cssHref: string };
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
            hint="20 to 5,000 characters: what the kitchen is good for, access, parking."
            maxLength={5000}
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
          <TextField
            name="address.line1"
            label="Street address"
            form={form}
            autocomplete="address-line1"
          />
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
          <TextField
            name="address.state"
            label="State"
            form={form}
            autocomplete="address-level1"
            hint="Two letters, like IL."
          />
          <TextField
            name="address.postalCode"
            label="ZIP code"
            form={form}
            autocomplete="postal-code"
            hint="The pin starts at the centre of this ZIP code; renters see only a circle around it until a booking is confirmed."
          />
          <Select
            name="timeZone"
            label="Time zone"
            form={form}
            options={zoneOptions(form.values.timeZone, listing)}
            hint="Opening hours, closed dates and bookings are read in this zone."
          />
          <TextField
            name="zoningDistrict"
            label="Zoning district"
            form={form}
            required={false}
            hint="As on your city's zoning map, like NC-3. Some districts need a neighbourhood notice before a shared kitchen opens."
          />
          {map && (
            <PinPicker
              pin={pinOf(form, listing)}
              zip={listing.values.address?.postalCode ?? ""}
              zipField="f-address.postalCode"
              error={form.errors.pin ?? null}
              tiles={map.tiles}
              cssHref={map.cssHref}
            />
          )}
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
          <HoursRows
            form={form}
            saved={listing.values.weeklyHours ?? []}
            zone={zoneOf(listing)}
          />
          <ClosedDates form={form} zone={zoneOf(listing)} />
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
          <StandingBookings form={form} />
        </>
      );
      break;
    case "pricing":
      fields = (
        <>
          <EarningsNote listing={listing} fees={fees} />
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
          <PolicyPicker form={form} />
        </>
      );
      break;
  }
  return (
    <EditorShell listing={listing} current={section}>
      <section class="max-w-2xl space-y-5">
        <h1 class="text-3xl font-extrabold">{SECTION_TITLES[section]}</h1>
        {saved && <SavedNotice listing={listing} step={section} />}
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
          id={SECTION_FORM}
          method="post"
          action={action}
          class={`${card} space-y-4`}
          noValidate
        >
          {fields}
          <button type="submit" class={primary}>Save</button>
        </form>
        <UnsavedGuard
          form={SECTION_FORM}
          unsaved={Object.keys(form.errors).length > 0}
        />
      </section>
    </EditorShell>
  );
}

/**
 * What the host receives, by the same pricing function as every quote:
 * the commission, and an example booking at the prices saved.
 */
function EarningsNote({ listing, fees }: { listing: Listing; fees: Fees }) {
  const v = listing.values;
  const rules: PriceRules | null = v.hourlyPriceCents === undefined ? null : {
    hourlyPriceCents: v.hourlyPriceCents,
    cleaningFeeCents: v.cleaningFeeCents ?? 0,
    minHours: v.minHours,
    maxHours: v.maxHours,
  };
  const example = rules ? earningsExample(rules, fees) : null;
  return (
    <div
      id="earnings"
      class="space-y-1 rounded-lg border border-stone-200 bg-stone-50 p-4"
    >
      <h2 class="font-bold">What you receive</h2>
      <p>
        {`Prep's commission is ${
          formatBps(fees.platformFeeBps)
        } of the hours and the cleaning fee; you receive the rest.${
          fees.renterFeeBps > 0
            ? ` Renters also pay a ${
              formatBps(fees.renterFeeBps)
            } service fee on the hours, which is Prep's.`
            : ""
        }`}
      </p>
      {example
        ? <p class="font-semibold">{`${example.sentence}.`}</p>
        : (
          <p class="text-stone-700">
            Save your prices to see an example booking and what you receive from
            it.
          </p>
        )}
      {example && (
        <p class="text-sm text-stone-700">
          {`Commission ${
            formatCents(example.commissionCents)
          }. Where a city charges a fee, renters pay it on top and it goes to the city.`}
        </p>
      )}
    </div>
  );
}

/** The cancellation policies as choices, each with its terms for renters. */
function PolicyPicker({ form }: { form: FormState }) {
  const chosen = form.values.cancellationPolicy ?? "moderate";
  const error = form.errors.cancellationPolicy;
  return (
    <fieldset
      class={error ? invalidGroupClass : groupClass}
      aria-describedby={error ? "cancellationPolicy-error" : undefined}
    >
      <legend class="text-sm font-semibold">Cancellation policy</legend>
      <p class="text-sm text-stone-700">
        What a renter gets back when they cancel. When you cancel, the renter
        always gets a full refund.
      </p>
      <div class="mt-2 space-y-2">
        {CANCELLATION_POLICIES.map((p) => (
          <label
            key={p}
            class="flex items-start gap-3 rounded-lg border border-stone-200 bg-white p-3"
          >
            <input
              type="radio"
              name="cancellationPolicy"
              value={p}
              checked={chosen === p}
              class="mt-1"
              aria-describedby={`policy-${p}-terms`}
            />
            <span>
              <span class="block font-semibold">{POLICY_NAMES[p]}</span>
              <span
                id={`policy-${p}-terms`}
                class="block text-sm text-stone-700"
              >
                {describePolicy(p).join(" ")}
              </span>
            </span>
          </label>
        ))}
      </div>
      {error && (
        <p id="cancellationPolicy-error" class={`mt-1 ${errorText}`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
