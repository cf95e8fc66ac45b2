import { useRef } from "preact/hooks";
import { defineIsland } from "../lib/islands/define.ts";

export interface CancelDialogProps {
  /** The confirmation page: where the button leads without JavaScript. */
  href: string;
  /** Where the confirmation posts. */
  action: string;
  /** The button that opens the question. */
  label: string;
  title: string;
  /** What cancelling does, one paragraph each: the refund, when it reaches the card. */
  paragraphs: string[];
  confirmLabel: string;
  keepLabel: string;
}

const danger =
  "rounded-lg border border-red-300 bg-white px-4 py-2 font-semibold text-red-800 hover:bg-red-50";
const dangerSolid =
  "rounded-lg bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800";
const plain =
  "rounded-lg border border-stone-300 bg-white px-4 py-2 font-semibold";

/**
 * The cancel button of a booking. Without JavaScript it is a link to the
 * confirmation page, which asks the same question; once hydrated it opens
 * the question in a modal <dialog> on the page (focus moves to "Keep" in
 * it and Escape closes it, as the browser's dialog does).
 */
function CancelDialog(props: CancelDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <a
        href={props.href}
        class={`inline-block ${danger}`}
        onClick={(e) => {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
          if (!dialog.current?.showModal) return;
          e.preventDefault();
          dialog.current.showModal();
        }}
      >
        {props.label}
      </a>
      <dialog
        ref={dialog}
        aria-labelledby="cancel-dialog-title"
        class="w-full max-w-md rounded-xl border border-stone-200 p-6 shadow-xl backdrop:bg-stone-900/50"
      >
        <h2 id="cancel-dialog-title" class="text-xl font-bold">
          {props.title}
        </h2>
        {props.paragraphs.map((p) => <p key={p} class="mt-2">{p}</p>)}
        <div class="mt-4 flex flex-wrap gap-3">
          <form method="post" action={props.action}>
            <button type="submit" class={dangerSolid}>
              {props.confirmLabel}
            </button>
          </form>
          {/* Focus starts on keeping it: Enter at once must not cancel. */}
          <button
            type="button"
            class={plain}
            autofocus
            onClick={() => dialog.current?.close()}
          >
            {props.keepLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}

export default defineIsland("CancelDialog", CancelDialog);
