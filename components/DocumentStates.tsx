/**
 * How a document's state reads (lib/compliance/document_state.ts), the same
 * on the kitchen page, the review page and the wallet: a badge with the
 * state's word and the sentence that says what it means.
 */
import type { ComponentChildren } from "preact";
import type { DocumentNeed } from "../lib/bookings/holds.ts";
import type { ContinueCard } from "../lib/bookings/drafts.ts";

/** Badge colours by state: done, on its way, or needing the renter. */
const TONES: Record<string, string> = {
  verified: "border-emerald-300 bg-emerald-50 text-emerald-900",
  expiring: "border-amber-300 bg-amber-50 text-amber-900",
  in_review: "border-sky-300 bg-sky-50 text-sky-900",
};
const NEEDS_YOU = "border-red-300 bg-red-50 text-red-900";

export function StateBadge(
  { state, label }: { state: string; label: string },
) {
  return (
    <span
      class={`inline-block whitespace-nowrap rounded-full border px-2 text-sm font-semibold ${
        TONES[state] ?? NEEDS_YOU
      }`}
      data-state={state}
    >
      {label}
    </span>
  );
}

/** A list of what is needed, each with its state and what it means. */
export function DocumentNeeds(
  { needs, label }: {
    needs: readonly Omit<DocumentNeed, "ok">[];
    /** The list's accessible name. */
    label: string;
  },
) {
  return (
    <ul class="space-y-3" aria-label={label}>
      {needs.map((n) => (
        <li key={n.requirement} class="space-y-1">
          <p class="flex flex-wrap items-baseline gap-2">
            <StateBadge state={n.state} label={n.label} />
            <span class="font-medium">{n.requirement}</span>
          </p>
          <p class="text-sm text-stone-700">{n.detail}</p>
        </li>
      ))}
    </ul>
  );
}

/** "Continue your booking at …, Thu, Dec 10, 9:00 AM - 1:00 PM": back to the hours a renter chose. */
export function ContinueBooking(
  { card, children }: { card: ContinueCard; children?: ComponentChildren },
) {
  return (
    <section
      aria-labelledby="continue-booking"
      class="rounded-xl border-2 border-emerald-600 bg-emerald-50 p-5"
    >
      <h2 id="continue-booking" class="text-lg font-bold text-emerald-950">
        {`Continue your booking at ${card.kitchenTitle}, ${card.when}`}
      </h2>
      <p class="mt-1 text-emerald-950">
        The hours you chose are kept for you here. We check again that they are
        free, and what the city asks, when you open it.
      </p>
      <p class="mt-3">
        <a
          href={card.href}
          class="inline-block rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
        >
          Continue your booking
        </a>
      </p>
      {children}
    </section>
  );
}
