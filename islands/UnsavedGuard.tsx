import { useEffect } from "preact/hooks";
import { defineIsland } from "../lib/islands/define.ts";

export interface UnsavedGuardProps {
  /** Id of the form whose changes are guarded. */
  form: string;
  /**
   * The form came back refused (field errors): what it shows is not saved
   * yet, so leaving asks before anything else is typed.
   */
  unsaved?: boolean;
}

/**
 * Asks before the page is left with changes in `form` not yet saved (the
 * browser's own "Leave site?" question): a host who typed a title and
 * clicked the next section lost it without a word. Sending the form is
 * leaving on purpose. Renders nothing; without JavaScript nothing asks.
 */
function UnsavedGuard({ form, unsaved = false }: UnsavedGuardProps) {
  useEffect(() => {
    const el = document.getElementById(form);
    if (!(el instanceof HTMLFormElement)) return;
    let changed = unsaved;
    const change = () => {
      changed = true;
    };
    const sent = () => {
      changed = false;
    };
    const leaving = (e: BeforeUnloadEvent) => {
      if (!changed) return;
      e.preventDefault();
      // Older browsers ask only when a value is set.
      e.returnValue = "";
    };
    el.addEventListener("input", change);
    el.addEventListener("change", change);
    el.addEventListener("submit", sent);
    addEventListener("beforeunload", leaving);
    return () => {
      el.removeEventListener("input", change);
      el.removeEventListener("change", change);
      el.removeEventListener("submit", sent);
      removeEventListener("beforeunload", leaving);
    };
  }, [form, unsaved]);
  return null;
}

export default defineIsland("UnsavedGuard", UnsavedGuard);
