import { useEffect } from "preact/hooks";
import { defineIsland } from "../lib/islands/define.ts";
import { useSignal } from "../lib/islands/signals.ts";

export interface CopyButtonProps {
  /** Id of the read-only input whose value is copied. */
  target: string;
  label: string;
}

const button =
  "rounded-lg border border-stone-300 bg-white px-3 py-1 text-sm font-semibold hover:bg-stone-50";

/**
 * A "Copy" button for a read-only field. Without JavaScript there is no
 * button (one that did nothing would mislead): the field is there to select
 * and copy by hand. The server and the first browser render are both empty,
 * so hydration matches; the button appears once the island runs.
 */
function CopyButton({ target, label }: CopyButtonProps) {
  const ready = useSignal(false);
  const state = useSignal<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    ready.value = true;
  }, []);
  if (!ready.value) return null;

  async function copy() {
    const field = document.getElementById(target) as HTMLInputElement | null;
    if (!field) return;
    try {
      await navigator.clipboard.writeText(field.value);
      state.value = "copied";
    } catch {
      // No clipboard access (an old browser, a refused permission): select
      // the text so the person can copy it themselves.
      field.focus();
      field.select();
      state.value = "failed";
    }
  }

  return (
    <span class="inline-flex items-center gap-2">
      <button type="button" class={button} onClick={copy}>
        {state.value === "copied" ? "Copied" : label}
      </button>
      <span role="status" class="text-sm text-stone-700">
        {state.value === "copied"
          ? "The link is on your clipboard."
          : state.value === "failed"
          ? "Press Ctrl+C (⌘C on a Mac) to copy the selected link."
          : ""}
      </span>
    </span>
  );
}

export default defineIsland("CopyButton", CopyButton);
