import { useSignal } from "@preact/signals";
import { defineIsland } from "../lib/islands/define.ts";
import type { DayView } from "../lib/kitchens/slot_view.ts";

export interface AvailabilityPickerProps {
  kitchenId: string;
  kitchenTitle: string;
  today: string;
  lastDate: string;
  initial: DayView;
}

/**
 * Free hours of one date. Each run of text is one expression: the server
 * renders adjacent expressions as one text node, which Preact 10 cannot
 * hydrate back into several.
 * Without JavaScript the form reloads the page with
 * `?date=`; hydrated, it fetches the same data as JSON and stays in place.
 */
function AvailabilityPicker(props: AvailabilityPickerProps) {
  const day = useSignal<DayView>(props.initial);
  const status = useSignal<"idle" | "loading" | "error">("idle");
  // The picked date leads; the shown day follows once its hours arrive.
  const picked = useSignal(props.initial.date);

  async function load(date: string) {
    if (!date) return;
    picked.value = date;
    status.value = "loading";
    try {
      const res = await fetch(
        `/api/kitchens/${
          encodeURIComponent(props.kitchenId)
        }/availability?date=${date}`,
      );
      if (!res.ok) throw new Error(String(res.status));
      const next: DayView = await res.json();
      // A slower answer for an earlier pick must not replace a newer one.
      if (next.date !== picked.value) return;
      day.value = next;
      status.value = "idle";
    } catch {
      status.value = "error";
    }
  }

  const view = day.value;
  return (
    <section
      aria-labelledby="availability-heading"
      class="rounded-xl border border-stone-200 bg-white p-4"
    >
      <h2 id="availability-heading" class="text-xl font-bold">
        When it's free
      </h2>
      <p class="text-sm text-stone-600">
        {`Free hours at ${props.kitchenTitle}, in the kitchen's local time (${view.timeZone}).`}
      </p>
      <form
        method="get"
        class="mt-3 flex items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const input = (e.currentTarget as HTMLFormElement).elements.namedItem(
            "date",
          );
          load((input as HTMLInputElement).value);
        }}
      >
        <div class="flex-1">
          <label for="availability-date" class="block text-sm font-semibold">
            Date
          </label>
          <input
            id="availability-date"
            name="date"
            type="date"
            value={picked.value}
            min={props.today}
            max={props.lastDate}
            onChange={(e) => load((e.currentTarget as HTMLInputElement).value)}
            class="w-full rounded-lg border border-stone-300 px-3 py-2"
          />
        </div>
        <button
          type="submit"
          class="rounded-lg border border-stone-300 px-3 py-2 font-semibold"
        >
          Show hours
        </button>
      </form>
      <div aria-live="polite" class="mt-4">
        {status.value === "loading" && (
          <p class="text-sm text-stone-600">Loading free hours…</p>
        )}
        {status.value === "error" && (
          <p class="text-sm font-medium text-red-700">
            We couldn't load that date. Check your connection and try again.
          </p>
        )}
        {status.value !== "loading" && (view.slots.length === 0
          ? (
            <p data-testid="no-slots">
              {`No bookable hours on ${view.date}. Try another date.`}
            </p>
          )
          : (
            <>
              <p class="text-sm font-semibold">
                {`${view.slots.length} start times on ${view.date}`}
              </p>
              <ul
                class="mt-2 grid grid-cols-2 gap-2 sm:grid-cols-3"
                data-testid="slots"
              >
                {view.slots.map((s) => (
                  <li class="rounded-lg bg-emerald-50 px-2 py-1 text-sm">
                    <span class="font-semibold">{s.label}</span>
                    <span class="block text-xs text-stone-600">
                      {`until ${s.until}`}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          ))}
      </div>
    </section>
  );
}

export default defineIsland("AvailabilityPicker", AvailabilityPicker);
