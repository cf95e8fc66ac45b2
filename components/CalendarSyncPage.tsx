import {
  type Block,
  BLOCK_KIND_NAMES,
  BLOCK_KINDS,
} from "../lib/bookings/schema.ts";
import { MAX_IMPORTED_PER_DAY } from "../lib/bookings/blocks.ts";
import { MAX_OCCURRENCES_PER_RULE } from "../lib/calendar_sync/parse.ts";
import type { ImportFeed } from "../lib/calendar_sync/schema.ts";
import type { CalendarPageData } from "../lib/calendar_sync/host.ts";
import { formatDayTime, formatTime } from "../lib/format.ts";
import CopyButton from "../islands/CopyButton.tsx";
import {
  FormMessage,
  type FormState,
  Notice,
  Select,
  TextField,
} from "./Forms.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6 space-y-4";
const primary =
  "rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";
const secondary = "rounded-lg border border-stone-300 px-4 py-2 font-semibold";
const danger =
  "rounded-lg border border-red-300 px-3 py-1 text-sm font-semibold text-red-800";

const plural = (n: number, one: string, many: string) =>
  `${n} ${n === 1 ? one : many}`;

/** "Tue, Mar 14, 10:00 PM - 6:00 AM" (the end's day when it is another day). */
export function blockTimes(
  timeZone: string,
  b: Pick<Block, "start" | "end">,
): string {
  const day = (ms: number) =>
    Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone)
      .toPlainDate().toString();
  const sameDay = day(b.start) === day(b.end - 1) &&
    b.end - b.start < 24 * 3600_000;
  return `${formatDayTime(timeZone, b.start)} - ${
    sameDay ? formatTime(timeZone, b.end) : formatDayTime(timeZone, b.end)
  }`;
}

/** What the host reads about an import feed's last sync. */
export function importStatus(feed: ImportFeed, timeZone: string): string[] {
  const lines: string[] = [];
  if (feed.lastAttemptAt === null) {
    lines.push("Waiting for the first import (within a minute or two).");
    return lines;
  }
  if (feed.lastError) {
    lines.push(
      `The last import failed (${
        formatDayTime(timeZone, feed.lastAttemptAt)
      }): ${feed.lastError}`,
    );
    if (feed.lastErrorPermanent) {
      lines.push(
        `Trying again will not fix this, so we stopped checking every 30 minutes: we look at this link once a day${
          feed.nextSyncAt
            ? ` (next: ${formatDayTime(timeZone, feed.nextSyncAt)})`
            : ""
        }. If the link has changed, remove this calendar and add the new link.`,
      );
    }
    lines.push(
      feed.lastSuccessAt === null
        ? "Nothing has been imported from it yet."
        : `Still blocking the events from the last good import (${
          formatDayTime(timeZone, feed.lastSuccessAt)
        }).`,
    );
    return lines;
  }
  lines.push(
    `Imported ${formatDayTime(timeZone, feed.lastSuccessAt!)}: ${
      plural(feed.imported, "busy time", "busy times")
    } blocked. Checked again every 30 minutes.`,
  );
  if (feed.overlapping > 0) {
    const n = feed.overlapping;
    lines.push(
      `${plural(n, "event", "events")} ${n === 1 ? "overlaps" : "overlap"} ${
        n === 1 ? "a booking and was" : "bookings and were"
      } not imported${
        feed.overlappingSamples.length > 0
          ? ` (${
            feed.overlappingSamples.map((s) => blockTimes(timeZone, s)).join(
              "; ",
            )
          })`
          : ""
      }.`,
    );
  }
  if (feed.tooMany > 0) {
    lines.push(
      `${plural(feed.tooMany, "event", "events")} beyond the first 2,000 ${
        feed.tooMany === 1 ? "was" : "were"
      } not imported.`,
    );
  }
  const repeatsCut = feed.repeatsCut ?? 0;
  if (repeatsCut > 0) {
    lines.push(
      `${
        plural(repeatsCut, "repeating event repeats", "repeating events repeat")
      } too often to import in full (at most ${
        MAX_OCCURRENCES_PER_RULE.toLocaleString("en-US")
      } times each within your booking window): ${
        repeatsCut === 1 ? "its" : "their"
      } later repeats were not imported.`,
    );
  }
  const crowded = feed.crowded ?? 0;
  if (crowded > 0) {
    lines.push(
      `${
        plural(crowded, "busy time was", "busy times were")
      } not imported: their days were full (at most ${MAX_IMPORTED_PER_DAY} busy times a day from one calendar).`,
    );
  }
  if (feed.unreadable > 0) {
    lines.push(
      `${plural(feed.unreadable, "event", "events")} could not be read.`,
    );
  }
  return lines;
}

export function CalendarSyncPage(
  { data, blockForm, importForm, notice, revealedUrl, actionMessage }: {
    data: CalendarPageData;
    blockForm: FormState;
    importForm: FormState;
    notice?: string;
    /** A just-made export URL: shown this once. */
    revealedUrl?: string;
    /** A refused action that is not one of the forms (removing, say). */
    actionMessage?: string;
  },
) {
  const { kitchen: k, canChange } = data;
  const tz = k.timeZone;
  const base = `/host/kitchens/${k.id}/edit/calendar`;
  const feedNames = new Map(data.imports.map((f) => [f.id, f.name]));
  return (
    <section class="mx-auto max-w-3xl space-y-6">
      {notice && <Notice>{notice}</Notice>}
      {actionMessage && (
        <FormMessage
          form={{ values: {}, errors: {}, message: actionMessage }}
        />
      )}
      <header>
        <a href={`/host/kitchens/${k.id}`} class="text-emerald-800 underline">
          {k.title}
        </a>
        <h1 class="text-3xl font-extrabold">Calendar and sync</h1>
        <p class="text-stone-700">
          {`Times are in the kitchen's time zone (${tz}).`}
        </p>
      </header>

      <div class={card}>
        <h2 class="text-xl font-bold">Blocked time</h2>
        <p class="text-stone-700">
          Block time you need for yourself, like maintenance or a private event.
          Renters cannot book it; a block cannot overlap a booking.
        </p>
        {data.blocks.length === 0
          ? <p>No upcoming blocks.</p>
          : (
            <ul class="divide-y divide-stone-200" aria-label="Upcoming blocks">
              {data.blocks.map((b) => (
                <li
                  key={b.id}
                  class="flex flex-wrap items-center justify-between gap-2 py-2"
                >
                  <div>
                    <p class="font-semibold">{blockTimes(tz, b)}</p>
                    <p class="text-sm text-stone-700">
                      {b.source === "manual"
                        ? `${BLOCK_KIND_NAMES[b.kind ?? "closed"]}: ${b.reason}`
                        : `${b.reason} (from ${
                          feedNames.get(b.source) ?? "a removed calendar"
                        })`}
                    </p>
                  </div>
                  {canChange && b.source === "manual" && (
                    <form
                      method="post"
                      action={`${base}/blocks/${b.id}/remove`}
                    >
                      <button
                        type="submit"
                        class={danger}
                        aria-label={`Remove the block ${blockTimes(tz, b)}`}
                      >
                        Remove
                      </button>
                    </form>
                  )}
                </li>
              ))}
            </ul>
          )}
        {data.moreBlocks > 0 && (
          <p class="text-sm text-stone-700">
            {`And ${plural(data.moreBlocks, "more block", "more blocks")}.`}
          </p>
        )}
        {canChange && (
          <form
            method="post"
            action={`${base}/blocks`}
            class="space-y-3 border-t border-stone-200 pt-4"
            novalidate
          >
            <h3 class="font-bold">Block time</h3>
            <FormMessage form={blockForm} />
            <TextField
              name="date"
              label="Date"
              type="date"
              form={blockForm}
              scope="block"
            />
            <div class="grid gap-3 sm:grid-cols-2">
              <TextField
                name="start"
                label="From"
                type="time"
                form={blockForm}
                scope="block"
              />
              <TextField
                name="end"
                label="Until"
                type="time"
                form={blockForm}
                scope="block"
                hint="An end at or before the start runs overnight into the next day."
              />
            </div>
            <Select
              name="kind"
              label="What is it?"
              form={blockForm}
              scope="block"
              options={BLOCK_KINDS.map((k): [string, string] => [
                k,
                BLOCK_KIND_NAMES[k],
              ])}
              hint="Renters are told about an inspection or maintenance that starts soon after their booking ends."
            />
            <TextField
              name="reason"
              label="Reason (only you see it)"
              form={blockForm}
              scope="block"
              required={false}
            />
            <button type="submit" class={primary}>Block this time</button>
          </form>
        )}
      </div>

      <div class={card}>
        <h2 class="text-xl font-bold">Show bookings in your calendar</h2>
        <p class="text-stone-700">
          Subscribe to this kitchen's private calendar link in Google Calendar,
          Apple Calendar or Outlook to see its bookings and blocks there.
          Renters' names and details are never in it.
        </p>
        {revealedUrl && (
          <div
            role="status"
            class="space-y-2 rounded-lg border border-emerald-200 bg-emerald-50 p-4"
          >
            <label for="export-url" class="block font-semibold">
              Your calendar link
            </label>
            <div class="flex flex-wrap items-center gap-2">
              <input
                id="export-url"
                readonly
                value={revealedUrl}
                class="min-w-0 flex-1 rounded-lg border border-stone-300 bg-white px-3 py-2 font-mono text-sm"
              />
              <CopyButton target="export-url" label="Copy link" />
            </div>
            <p class="text-sm">
              Copy it now: for your security we show it only once. Anyone with
              the link can see when the kitchen is booked.
            </p>
          </div>
        )}
        {!revealedUrl && (
          <p>
            {data.exportFeed
              ? `A calendar link is on (made ${
                formatDayTime(tz, data.exportFeed.createdAt)
              }). Lost it? Make a new one; the old one stops working.`
              : "No calendar link yet."}
          </p>
        )}
        {canChange && (
          <div class="flex flex-wrap gap-3">
            <form method="post" action={`${base}/export`}>
              <button type="submit" class={primary}>
                {data.exportFeed ? "Make a new link" : "Make a calendar link"}
              </button>
            </form>
            {data.exportFeed && (
              <form method="post" action={`${base}/export/revoke`}>
                <button type="submit" class={secondary}>
                  Turn the link off
                </button>
              </form>
            )}
          </div>
        )}
      </div>

      <div class={card}>
        <h2 class="text-xl font-bold">Block time from your other calendars</h2>
        <p class="text-stone-700">
          Add the iCal (.ics) link of a calendar you keep elsewhere (Google,
          Apple, Outlook, another booking site). Its events block the same times
          here, checked every 30 minutes; events that overlap a booking on Prep
          are not imported. Up to 5 calendars.
        </p>
        {data.imports.length === 0 ? <p>No calendars imported.</p> : (
          <ul
            class="divide-y divide-stone-200"
            aria-label="Imported calendars"
          >
            {data.imports.map((f) => (
              <li key={f.id} class="space-y-1 py-2">
                <div class="flex flex-wrap items-center justify-between gap-2">
                  <p class="font-semibold">{f.name}</p>
                  {canChange && (
                    <form
                      method="post"
                      action={`${base}/imports/${f.id}/remove`}
                    >
                      <button
                        type="submit"
                        class={danger}
                        aria-label={`Remove the calendar ${f.name}`}
                      >
                        Remove
                      </button>
                    </form>
                  )}
                </div>
                <p class="break-all text-sm text-stone-600">{f.url}</p>
                {importStatus(f, tz).map((line) => (
                  <p
                    key={line}
                    class={f.lastError && line.startsWith("The last import")
                      ? "text-sm font-medium text-red-800"
                      : "text-sm"}
                  >
                    {line}
                  </p>
                ))}
              </li>
            ))}
          </ul>
        )}
        {canChange && (
          <form
            method="post"
            action={`${base}/imports`}
            class="space-y-3 border-t border-stone-200 pt-4"
            novalidate
          >
            <h3 class="font-bold">Import a calendar</h3>
            <FormMessage form={importForm} />
            <TextField
              name="url"
              label="Calendar link (https://… or webcal://…)"
              type="url"
              form={importForm}
              scope="import"
            />
            <TextField
              name="name"
              label="Name (optional)"
              form={importForm}
              scope="import"
              required={false}
            />
            <button type="submit" class={primary}>Import</button>
          </form>
        )}
      </div>
    </section>
  );
}
