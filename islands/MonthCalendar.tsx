import { useEffect } from "preact/hooks";
import { useSignal } from "../lib/islands/signals.ts";
import { defineIsland } from "../lib/islands/define.ts";
import type { CalendarMonth } from "../lib/bookings/month.ts";

/** The month shown and its neighbours; the grids themselves are server HTML. */
export type MonthNav = Omit<CalendarMonth, "grids">;

/** What /host/calendar.json answers: the month and its grids, rendered. */
export interface MonthPage extends MonthNav {
  html: string;
}

export interface MonthCalendarProps {
  nav: MonthNav;
  /** Id of the element holding the server-rendered grids of `nav.month`. */
  gridsId: string;
}

const monthHref = (month: string) => `/host?month=${month}#calendar`;

/**
 * The month calendar's heading and previous/next links. Without JavaScript
 * the links reload /host with `?month=`. Once hydrated they fetch the month
 * from /host/calendar.json, which renders the grids on the server exactly as
 * the page does, and swap them into the grids' element in place, like a
 * Fresh partial; the address follows, so a reload shows the same month,
 * and each month is a step in the history: Back shows the one before.
 * Each run of text is one expression: the server joins adjacent ones into a
 * single text node.
 */
function MonthCalendar({ nav, gridsId }: MonthCalendarProps) {
  const view = useSignal<MonthNav>(nav);
  const wanted = useSignal(nav.month);

  async function go(e: MouseEvent, month: string) {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    await show(month, true);
  }

  // Back and Forward between the months shown: each its own step.
  useEffect(() => {
    const back = () => {
      const month = new URL(location.href).searchParams.get("month") ??
        nav.month;
      if (month !== wanted.value) show(month, false);
    };
    addEventListener("popstate", back);
    return () => removeEventListener("popstate", back);
  }, []);

  async function show(month: string, step: boolean) {
    wanted.value = month;
    const grids = document.getElementById(gridsId);
    grids?.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(`/host/calendar.json?month=${month}`);
      if (!res.ok || !grids) throw new Error(String(res.status));
      const next: MonthPage = await res.json();
      // A slower answer for an earlier click must not replace a newer one.
      if (next.month !== wanted.value) return;
      grids.innerHTML = next.html;
      grids.removeAttribute("aria-busy");
      const { html: _, ...rest } = next;
      view.value = rest;
      if (step) history.pushState(null, "", monthHref(month));
    } catch {
      // The page itself knows how to answer (a login, an error page).
      location.assign(monthHref(month));
    }
  }

  const v = view.value;
  const link =
    "rounded-lg border border-stone-300 bg-white px-3 py-1 text-sm font-semibold";
  return (
    <div class="flex flex-wrap items-center justify-between gap-2">
      <h3 class="text-xl font-bold" aria-live="polite">{v.label}</h3>
      <nav aria-label="Months" class="flex gap-2">
        {v.prev && (
          <a
            href={monthHref(v.prev.month)}
            rel="prev"
            class={link}
            onClick={(e) => go(e, v.prev!.month)}
          >
            <Arrow to="left" />
            <span class="sr-only">Previous month:</span>
            {` ${v.prev.label}`}
          </a>
        )}
        {v.next && (
          <a
            href={monthHref(v.next.month)}
            rel="next"
            class={link}
            onClick={(e) => go(e, v.next!.month)}
          >
            <span class="sr-only">Next month:</span>
            {` ${v.next.label} `}
            <Arrow to="right" />
          </a>
        )}
      </nav>
    </div>
  );
}

/**
 * An arrow written as its entity: the character itself (past U+00FF) would
 * make the whole dashboard two-byte text, which the server sends at half
 * the speed (issue 21 §8). Hidden from screen readers, as the month says it.
 */
function Arrow({ to }: { to: "left" | "right" }) {
  const entity = to === "left" ? "&larr;" : "&rarr;";
  return (
    <span aria-hidden="true" dangerouslySetInnerHTML={{ __html: entity }} />
  );
}

export default defineIsland("MonthCalendar", MonthCalendar);
