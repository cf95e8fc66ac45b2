import { useEffect, useRef } from "preact/hooks";
import { defineIsland } from "../lib/islands/define.ts";
import { useSignal } from "../lib/islands/signals.ts";
import { HeartForm, type HeartLook } from "../components/HeartForm.tsx";

export interface SaveHeartProps {
  kitchenId: string;
  /** The kitchen's title, for the button's name ("Save Andersonville Pastry Kitchen"). */
  title: string;
  saved: boolean;
  /** Whether someone is signed in: a visitor's click goes through logging in. */
  signedIn: boolean;
  /** Where the form's answer leads back to (this page, as the page cache keys it). */
  back: string;
  look: HeartLook;
  /** Post the save at once: the page a visitor comes back to after logging in. */
  auto?: boolean;
}

/**
 * The heart of a signed-in user (a visitor's is the plain HeartForm:
 * components/Heart.tsx chooses): once hydrated, a click saves or removes without leaving
 * the page, and a status line says what happened.
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

  return (
    <HeartForm
      kitchenId={props.kitchenId}
      title={props.title}
      saved={saved.value}
      back={props.back}
      look={props.look}
      status={status.value}
      failed={failed.value}
      formRef={form}
      onSubmit={toggle}
    />
  );
}

export default defineIsland("SaveHeart", SaveHeart);
