import { useEffect, useRef } from "preact/hooks";
import { defineIsland } from "../lib/islands/define.ts";
import { useSignal } from "../lib/islands/signals.ts";

export interface SaveHeartProps {
  kitchenId: string;
  /** The kitchen's title, for the button's name ("Save Andersonville Pastry Kitchen"). */
  title: string;
  saved: boolean;
  /** Whether someone is signed in: a visitor's click goes through logging in. */
  signedIn: boolean;
  /** Where the form's answer leads back to (this page, as the page cache keys it). */
  back: string;
  /** A round heart over a result card's photo, or a labelled button on the kitchen page. */
  look: "card" | "page";
  /** Post the save at once: the page a visitor comes back to after logging in. */
  auto?: boolean;
}

const HEART =
  "M12 20.5s-7.5-4.6-9.6-9.1C.9 8.2 2.6 4.3 6.2 3.6c2.1-.4 4.1.5 5.3 2.2l.5.7.5-.7c1.2-1.7 3.2-2.6 5.3-2.2 3.6.7 5.3 4.6 3.8 7.8-2.1 4.5-9.6 9.1-9.6 9.1z";

function Heart({ filled }: { filled: boolean }) {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 24 24"
      width="22"
      height="22"
      class={filled ? "text-rose-600" : "text-stone-700"}
    >
      <path
        d={HEART}
        fill={filled ? "currentColor" : "none"}
        stroke="currentColor"
        stroke-width="2"
        stroke-linejoin="round"
      />
    </svg>
  );
}

const cardButton =
  "flex h-11 w-11 items-center justify-center rounded-full bg-white shadow ring-1 ring-stone-300 hover:bg-rose-50";
const pageButton =
  "inline-flex items-center gap-2 rounded-lg border border-stone-300 bg-white px-4 py-2 font-semibold hover:bg-rose-50";

/**
 * The heart that saves a kitchen to the signed-in renter's list. It is a
 * form: without JavaScript it posts, and the answer leads back to `back`
 * (a visitor is first taken through logging in). Once hydrated, a
 * signed-in click saves or removes without leaving the page, and a
 * status line says what happened. `aria-pressed` carries the state; the
 * name says what a press does ("Save Andersonville Pastry Kitchen") or
 * what is so ("Saved").
 */
function SaveHeart(props: SaveHeartProps) {
  const saved = useSignal(props.saved);
  const status = useSignal("");
  const failed = useSignal(false);
  const busy = useRef(false);
  const form = useRef<HTMLFormElement>(null);
  const id = encodeURIComponent(props.kitchenId);

  useEffect(() => {
    // Only the page after logging in asks, and only for a kitchen not yet
    // saved; the post is the same one a click makes.
    if (props.auto && props.signedIn && !props.saved) {
      status.value = "Saving…";
      form.current?.submit();
    }
  }, []);

  async function toggle(e: Event) {
    // A visitor's post goes through logging in: leave it to the browser.
    if (!props.signedIn) return;
    e.preventDefault();
    if (busy.current) return;
    busy.current = true;
    const want = !saved.value;
    try {
      const res = await fetch(`/api/saved/${id}`, {
        method: want ? "PUT" : "DELETE",
        headers: { Accept: "application/json" },
      });
      if (res.status === 401) {
        // The session ended meanwhile: the plain post logs in and comes back.
        form.current?.submit();
        return;
      }
      const body = await res.json() as { saved?: boolean; error?: string };
      if (!res.ok || typeof body.saved !== "boolean") {
        failed.value = true;
        status.value = body.error ??
          "That didn't work. Please try again in a moment.";
        return;
      }
      saved.value = body.saved;
      failed.value = false;
      status.value = body.saved
        ? "Saved to your list."
        : "Removed from your list.";
    } catch {
      failed.value = true;
      status.value = "We couldn't reach Prep. Check your connection.";
    } finally {
      busy.current = false;
    }
  }

  const on = saved.value;
  const card = props.look === "card";
  // Text runs are single expressions: the server joins adjacent ones.
  const visible = on ? "Saved" : "Save";
  const hidden = on ? (card ? `: ${props.title}` : "") : ` ${props.title}`;
  return (
    <form
      ref={form}
      id={`save-${props.kitchenId}`}
      method="post"
      action={on ? `/saved/${id}/remove` : `/saved/${id}`}
      onSubmit={toggle}
      class={card
        ? "flex flex-col items-end gap-1"
        : "flex flex-wrap items-center gap-3"}
    >
      <input type="hidden" name="back" value={props.back} />
      <button
        type="submit"
        aria-pressed={on ? "true" : "false"}
        class={card ? cardButton : pageButton}
      >
        <Heart filled={on} />
        {card ? <span class="sr-only">{`${visible}${hidden}`}</span> : (
          <>
            <span>{visible}</span>
            {hidden ? <span class="sr-only">{hidden}</span> : null}
          </>
        )}
      </button>
      {!card && on && (
        <a
          href="/saved"
          class="text-sm font-semibold text-emerald-800 underline"
        >
          Your saved kitchens
        </a>
      )}
      <p
        role="status"
        class={failed.value
          ? "max-w-48 rounded bg-white px-2 py-1 text-sm font-medium text-red-700 shadow"
          : "sr-only"}
      >
        {status.value}
      </p>
    </form>
  );
}

export default defineIsland("SaveHeart", SaveHeart);
