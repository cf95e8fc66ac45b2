import { useSignal } from "../lib/islands/signals.ts";
import { useEffect } from "preact/hooks";
import { defineIsland } from "../lib/islands/define.ts";
import { gridKeyTarget } from "../lib/islands/grid_keys.ts";
import { formatTime } from "../lib/format.ts";
import type {
  DayView,
  PickerDay,
  SlotView,
} from "../lib/kitchens/slot_view.ts";
import type { QuoteAnswer } from "../lib/bookings/quote_answer.ts";
import {
  REQUEST_TO_BOOK_TERMS,
  REQUEST_TO_BOOK_TITLE,
} from "../lib/bookings/request_terms.ts";

export interface AvailabilityPickerProps extends PickerDay {
  kitchenId: string;
  kitchenTitle: string;
  today: string;
  lastDate: string;
  /** The kitchen's shortest booking, in hours (a multiple of 0.5). */
  minHours: number;
  /** Why no times are offered from some date on (a permit lapsing); null when none. */
  note?: string | null;
  /** The host accepts each booking: the form says so before anyone books. */
  requestToBook?: boolean;
  /**
   * Picking a new time for this booking (its "Change time" page) rather
   * than booking: the booking's own time counts as free, and the form
   * leads to the review of the change.
   */
  move?: { bookingId: string };
}

interface EndChoice {
  minutes: number;
  /** "13:30" on the kitchen's wall clock, as /bookings/new takes it. */
  value: string;
  label: string;
}

interface Priced {
  loading: boolean;
  quote?: QuoteAnswer;
  error?: string;
}

/** Start times to a row: the grid's `grid-cols-3`. */
const SLOT_COLUMNS = 3;

const hoursText = (h: number) => h === 1 ? "1 hour" : `${h} hours`;

/**
 * The ends a booking from `slot` may have: every 30 minutes from the
 * kitchen's minimum up to the latest end. Counted in elapsed time from the
 * start instant and shown on the kitchen's clock, so a DST change that day
 * neither adds nor loses an hour.
 */
function endChoices(
  slot: SlotView,
  view: DayView,
  minHours: number,
): EndChoice[] {
  const timeZone = view.timeZone;
  const clock = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const day = new Intl.DateTimeFormat("en-CA", { timeZone });
  const start = Date.parse(slot.start);
  const out: EndChoice[] = [];
  for (let m = minHours * 60; m <= Math.round(slot.hours * 60); m += 30) {
    const at = start + m * 60_000;
    const next = day.format(at) === view.date ? "" : " next day";
    out.push({
      minutes: m,
      value: clock.format(at),
      label: `${formatTime(timeZone, at)}${next} (${hoursText(m / 60)})`,
    });
  }
  return out;
}

/**
 * Free hours of one date, and a booking form for them. Each run of text is
 * one expression: the server renders adjacent expressions as one text node,
 * which Preact 10 cannot hydrate back into several.
 *
 * Without JavaScript the date form loads the kitchen page with `?date=`, and
 * the booking form sends a start and a number of hours (those that fit from
 * the selected start; /bookings/new answers a refused pair with this form
 * again, at the start picked) to /bookings/new. Once
 * hydrated, the date is fetched as JSON in place, the hours become an end
 * time chosen from the start, and the price is fetched for every choice.
 */
function AvailabilityPicker(props: AvailabilityPickerProps) {
  const kitchenPath = `/kitchens/${encodeURIComponent(props.kitchenId)}`;
  const movePath = props.move &&
    `/bookings/${encodeURIComponent(props.move.bookingId)}/change`;
  const paths = {
    page: movePath ?? `/kitchens/${props.kitchenId}`,
    availability: movePath
      ? `${movePath}/availability`
      : `/api${kitchenPath}/availability`,
    review: movePath ? `${movePath}/review` : "/bookings/new",
    quote: movePath ? `${movePath}/quote` : `/api${kitchenPath}/quote`,
  };
  const day = useSignal<DayView>(props.initial);
  const status = useSignal<"idle" | "loading" | "error">("idle");
  // The picked date leads; the shown day follows once its hours arrive.
  const picked = useSignal(props.initial.date);
  const live = useSignal(false);
  const startTime = useSignal(props.start ?? "");
  const minutes = useSignal((props.hours ?? props.minHours) * 60);
  const priced = useSignal<Priced>({ loading: false });
  // Set once the renter picks something here: only their own picks go
  // into the address.
  const touched = useSignal(false);
  // The start time the Tab key lands on (once live): the start times are
  // one stop, arrow keys move between them (a start is still chosen with
  // Enter or Space). Without JavaScript each is a stop of its own.
  const tabStop = useSignal<number | null>(null);

  async function load(date: string) {
    if (!date) return;
    touched.value = true;
    picked.value = date;
    tabStop.value = null;
    status.value = "loading";
    try {
      const res = await fetch(`${paths.availability}?date=${date}`);
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
  const slot = view.slots.find((s) => s.time === startTime.value) ??
    view.slots[0];
  const ends = live.value && slot ? endChoices(slot, view, props.minHours) : [];
  // A shorter day keeps the longest end that still fits.
  const end = ends.find((e) => e.minutes === minutes.value) ?? ends.at(-1);
  const stop = Math.min(
    tabStop.value ?? Math.max(0, view.slots.indexOf(slot!)),
    view.slots.length - 1,
  );
  const query = slot && end
    ? `date=${view.date}&start=${slot.time}&end=${end.value}`
    : "";

  // The first render matches the server's (no end time yet); then enhance.
  useEffect(() => {
    live.value = true;
  }, []);

  // The hours picked go into the page's address, and into the way back of
  // its forms that return here (the heart, through logging in): reloading,
  // sharing or saving the kitchen keeps them.
  useEffect(() => {
    if (!query || !touched.value || props.move) return;
    const here = `${paths.page}?${query}`;
    history.replaceState(history.state, "", here);
    for (
      const input of document.querySelectorAll<HTMLInputElement>(
        'input[name="back"]',
      )
    ) {
      if (input.value.split("?")[0] === paths.page) input.value = here;
    }
  }, [query]);

  useEffect(() => {
    if (!query) return;
    const abort = new AbortController();
    priced.value = { ...priced.value, loading: true };
    fetch(`${paths.quote}?${query}`, { signal: abort.signal }).then(
      async (res) => {
        const body = await res.json();
        if (abort.signal.aborted) return;
        priced.value = res.ok
          ? { loading: false, quote: body }
          : { loading: false, error: body.error };
      },
    ).catch(() => {
      if (abort.signal.aborted) return;
      priced.value = {
        loading: false,
        error: "We couldn't work out the price. Check your connection.",
      };
    });
    return () => abort.abort();
  }, [query]);

  const select =
    "mt-1 w-full rounded-lg border border-stone-300 bg-white px-3 py-2";
  const label = "mt-3 block text-sm font-semibold";
  const { quote, error, loading } = priced.value;
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
      {props.note && (
        <p class="mt-2 text-sm font-medium text-amber-900" data-testid="note">
          {props.note}
        </p>
      )}
      <form
        method="get"
        action={paths.page}
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
              {`No bookable hours on ${view.dateLabel}. Try another date.`}
            </p>
          )
          : (
            // Without JavaScript a start reloads the page with it chosen;
            // with it, the start is chosen in place.
            <form method="get" action={`${paths.page}#book`}>
              <input type="hidden" name="date" value={view.date} />
              {props.hours !== null && view.date === props.initial.date && (
                <input type="hidden" name="hours" value={String(props.hours)} />
              )}
              <p id="slots-label" class="text-sm font-semibold">
                {`${view.slots.length} start times on ${view.dateLabel}`}
              </p>
              <ul
                aria-labelledby="slots-label"
                // Live, the start times are one stop moved through with
                // the arrow keys: a toolbar says so to screen readers.
                role={live.value ? "toolbar" : undefined}
                class="mt-2 grid grid-cols-3 gap-2"
                data-testid="slots"
                onKeyDown={(e) => {
                  if (e.altKey || e.ctrlKey || e.metaKey) return;
                  const buttons = [
                    ...e.currentTarget.querySelectorAll("button"),
                  ];
                  const at = buttons.indexOf(
                    document.activeElement as HTMLButtonElement,
                  );
                  const to = at < 0 ? null : gridKeyTarget(
                    e.key,
                    at,
                    buttons.length,
                    SLOT_COLUMNS,
                  );
                  if (to === null) return;
                  e.preventDefault();
                  tabStop.value = to;
                  buttons[to].focus();
                }}
              >
                {view.slots.map((s, i) => (
                  <li role={live.value ? "none" : undefined}>
                    <button
                      type="submit"
                      name="start"
                      value={s.time}
                      aria-pressed={s === slot ? "true" : "false"}
                      tabIndex={live.value ? (i === stop ? 0 : -1) : undefined}
                      onClick={(e) => {
                        e.preventDefault();
                        touched.value = true;
                        startTime.value = s.time;
                        tabStop.value = i;
                      }}
                      class="chip"
                    >
                      <b>{s.label}</b>
                      <small>{`until ${s.until}`}</small>
                    </button>
                  </li>
                ))}
              </ul>
            </form>
          ))}
      </div>
      {slot && (
        <form
          method="get"
          action={paths.review}
          class="mt-4 border-t border-stone-200 pt-4"
          data-testid="book"
        >
          <h3 class="text-lg font-bold">
            {`${props.move ? "Move to" : "Book on"} ${view.dateLabel}`}
          </h3>
          {!props.move && (
            <input type="hidden" name="kitchen" value={props.kitchenId} />
          )}
          <input type="hidden" name="date" value={view.date} />
          <label for="book-start" class={label}>Start</label>
          <select
            id="book-start"
            name="start"
            onChange={(e) => {
              touched.value = true;
              startTime.value = (e.currentTarget as HTMLSelectElement).value;
              // The chosen start is the Tab stop again.
              tabStop.value = null;
            }}
            class={select}
          >
            {view.slots.map((s) => (
              <option value={s.time} selected={s === slot}>{s.label}</option>
            ))}
          </select>
          {end
            ? (
              <>
                <label for="book-end" class={label}>End</label>
                <select
                  id="book-end"
                  name="end"
                  onChange={(e) => {
                    const i = (e.currentTarget as HTMLSelectElement)
                      .selectedIndex;
                    touched.value = true;
                    minutes.value = ends[i].minutes;
                  }}
                  class={select}
                >
                  {ends.map((c) => (
                    <option value={c.value} selected={c === end}>
                      {c.label}
                    </option>
                  ))}
                </select>
              </>
            )
            : (
              <>
                <label for="book-hours" class={label}>Hours</label>
                <select id="book-hours" name="hours" class={select}>
                  {props.lengths.map((h) => (
                    <option value={String(h)} selected={h === props.hours}>
                      {hoursText(h)}
                    </option>
                  ))}
                </select>
              </>
            )}
          <div
            aria-live="polite"
            aria-busy={loading ? "true" : undefined}
            class="mt-3 text-sm"
            data-testid="quote"
          >
            {error && <p class="font-medium text-red-700">{error}</p>}
            {quote && !error && (
              <table class={`w-full text-left ${loading ? "opacity-60" : ""}`}>
                <caption class="text-left text-stone-600">{quote.when}</caption>
                <tbody>
                  {quote.lines.map((l) => (
                    <tr>
                      <th scope="row" class="py-1 font-normal">{l.label}</th>
                      <td class="py-1 text-right">{l.amount}</td>
                    </tr>
                  ))}
                  <tr>
                    <th scope="row" class="py-1 font-bold">Total</th>
                    <td class="py-1 text-right font-bold">{quote.total}</td>
                  </tr>
                </tbody>
              </table>
            )}
          </div>
          {props.requestToBook && !props.move && (
            <p class="mt-3 text-sm text-amber-900" data-testid="picker-terms">
              {REQUEST_TO_BOOK_TERMS}
            </p>
          )}
          <button
            type="submit"
            class="mt-3 w-full rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800"
          >
            {props.move
              ? "Review the change"
              : props.requestToBook
              ? REQUEST_TO_BOOK_TITLE
              : end
              ? "Book"
              : "Review and book"}
          </button>
        </form>
      )}
    </section>
  );
}

export default defineIsland("AvailabilityPicker", AvailabilityPicker);
