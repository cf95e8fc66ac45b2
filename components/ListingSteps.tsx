import type { ComponentChildren } from "preact";
import {
  type EditorStep,
  nextStep,
  STEP_TITLES,
  stepPath,
  type StepState,
  stepStatuses,
} from "../lib/kitchens/editor_steps.ts";
import type { Listing } from "../lib/kitchens/listings.ts";

/**
 * The listing editor's guide, on each of its pages: the steps with their
 * state (done, needs attention, in review) and, after a save, the way on.
 */

const primary =
  "rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";

const STATE_TEXT: Record<StepState, string> = {
  done: "Done",
  attention: "Needs attention",
  review: "In review",
};

const STATE_CLASS: Record<StepState, string> = {
  done: "bg-emerald-100 text-emerald-900",
  attention: "bg-amber-100 text-amber-900",
  review: "bg-sky-100 text-sky-900",
};

const STATE_MARK: Record<StepState, string> = {
  done: "✓",
  attention: "!",
  review: "…",
};

/** The editor's steps with their state, the current one marked. */
function StepList({ listing, current }: {
  listing: Listing;
  current: EditorStep | "overview";
}) {
  const base = `/host/kitchens/${listing.id}`;
  const itemClass = (here: boolean) =>
    here
      ? "block rounded-lg bg-stone-100 px-2 py-1.5 font-bold"
      : "block rounded-lg px-2 py-1.5 hover:bg-stone-50";
  return (
    <ol class="space-y-1 text-sm">
      {stepStatuses(listing).map((s) => (
        <li key={s.step}>
          <a
            href={stepPath(listing.id, s.step)}
            class={itemClass(current === s.step)}
            aria-current={current === s.step ? "page" : undefined}
          >
            <span class="block text-emerald-900 underline">{s.title}</span>
            <span class="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs font-normal">
              <span
                class={`rounded-full px-2 font-semibold ${
                  STATE_CLASS[s.state]
                }`}
              >
                <span aria-hidden="true">{STATE_MARK[s.state]}</span>{" "}
                {STATE_TEXT[s.state]}
              </span>
              {s.note && <span class="text-stone-700">{s.note}</span>}
            </span>
          </a>
        </li>
      ))}
      <li>
        <a
          href={base}
          class={itemClass(current === "overview")}
          aria-current={current === "overview" ? "page" : undefined}
        >
          <span class="block text-emerald-900 underline">
            {listing.status === "published" ? "Overview" : "Review and publish"}
          </span>
        </a>
      </li>
      {listing.kitchen && (
        <li>
          <a href={`${base}/edit/calendar`} class={itemClass(false)}>
            <span class="block text-emerald-900 underline">
              Calendar and sync
            </span>
          </a>
        </li>
      )}
    </ol>
  );
}

/**
 * Every page of the listing editor: the steps with their state beside the
 * page (above it, folded, on a phone), then the page itself.
 */
export function EditorShell({ listing, current, children }: {
  listing: Listing;
  current: EditorStep | "overview";
  children: ComponentChildren;
}) {
  const steps = stepStatuses(listing);
  const done = steps.filter((s) => s.state === "done").length;
  const summary = `Your listing: ${done} of ${steps.length} sections done`;
  return (
    <div class="gap-8 md:grid md:grid-cols-[16rem_1fr]">
      <nav aria-label="Listing sections" class="mb-6 md:mb-0">
        <details class="rounded-xl border border-stone-200 bg-white p-3 md:hidden">
          <summary class="cursor-pointer font-semibold">{summary}</summary>
          <div class="mt-2">
            <StepList listing={listing} current={current} />
          </div>
        </details>
        <div class="hidden rounded-xl border border-stone-200 bg-white p-4 md:block">
          <p class="mb-2 px-2 font-bold">{summary}</p>
          <StepList listing={listing} current={current} />
        </div>
      </nav>
      <div class="min-w-0">{children}</div>
    </div>
  );
}

/** "Saved." and the way on: the next step, or the overview after the last. */
export function SavedNotice({ listing, step, text = "Saved." }: {
  listing: Listing;
  step: EditorStep;
  text?: string;
}) {
  const next = nextStep(step);
  // The last step (permits) can be saved with some still missing: then
  // that is what comes next, not publishing.
  const own = next ? null : stepStatuses(listing).find((s) => s.step === step);
  const unfinished = own?.state === "attention";
  const href = next
    ? stepPath(listing.id, next)
    : unfinished
    ? stepPath(listing.id, step)
    : `/host/kitchens/${listing.id}`;
  const label = next
    ? `Next: ${STEP_TITLES[next]}`
    : unfinished
    ? own!.note
    : listing.status === "published"
    ? "Back to the overview"
    : "Next: Review and publish";
  return (
    <div
      role="status"
      class="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-emerald-900"
    >
      <span class="font-semibold">{text}</span>
      <a href={href} class={primary}>{label}</a>
    </div>
  );
}
