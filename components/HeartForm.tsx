import type { Ref } from "preact";

/** A heart's look: round over a result card's photo, or a labelled button on the kitchen page. */
export type HeartLook = "card" | "page";

export interface HeartFormProps {
  kitchenId: string;
  /** The kitchen's title, for the button's name ("Save Andersonville Pastry Kitchen"). */
  title: string;
  saved: boolean;
  /** Where the form's answer leads back to (this page, as the page cache keys it). */
  back: string;
  look: HeartLook;
  /** What the last press came to (the island's status line). */
  status?: string;
  failed?: boolean;
  formRef?: Ref<HTMLFormElement>;
  onSubmit?: (e: Event) => void;
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
 * The heart's form (lib/saved): it posts, and the answer leads back to
 * `back` (a visitor is first taken through logging in). A visitor's page
 * renders it as it is, with no JavaScript (the page cache serves those
 * pages, and search ships none); a signed-in user's is the SaveHeart
 * island, which saves in place. `aria-pressed` carries the state; the name
 * says what a press does ("Save Andersonville Pastry Kitchen") or what is
 * so ("Saved").
 */
export function HeartForm(props: HeartFormProps) {
  const on = props.saved;
  const card = props.look === "card";
  const id = encodeURIComponent(props.kitchenId);
  // Text runs are single expressions: the server joins adjacent ones.
  const visible = on ? "Saved" : "Save";
  const hidden = on ? (card ? `: ${props.title}` : "") : ` ${props.title}`;
  return (
    <form
      ref={props.formRef}
      id={`save-${props.kitchenId}`}
      method="post"
      action={on ? `/saved/${id}/remove` : `/saved/${id}`}
      onSubmit={props.onSubmit}
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
        class={props.failed
          ? "max-w-48 rounded bg-white px-2 py-1 text-sm font-medium text-red-700 shadow"
          : "sr-only"}
      >
        {props.status ?? ""}
      </p>
    </form>
  );
}
