import { useEffect } from "preact/hooks";
import { defineIsland } from "../lib/islands/define.ts";
import { useSignal } from "../lib/islands/signals.ts";
import { oneAtATime } from "../lib/islands/one_at_a_time.ts";
import { subscribe } from "./live_stream.ts";

/** How long the inbox waits for the rest of a message's events before fetching. */
const COALESCE_MS = 150;

export interface LiveInboxProps {
  /** The id of the element holding the count, the conversations and their page links. */
  regionId: string;
  /** Unread messages when the page was made. */
  unread: number;
}

/**
 * Keeps `/messages` in step with the header's count: when the live stream
 * says the unread count moved (a message came, or one was read in another
 * tab), or a conversation has a newer message, it fetches this page again,
 * rendered by the server as it always is, and swaps in its list. Without
 * JavaScript the page is as it was made; a reload shows the rest.
 */
function LiveInbox({ regionId, unread }: LiveInboxProps) {
  const announce = useSignal("");
  useEffect(() => {
    let known = unread;
    const refresh = oneAtATime(async () => {
      const res = await fetch(location.href, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
      });
      // Signed out, or the page moved: leave what is shown.
      if (!res.ok || res.redirected) return false;
      const doc = new DOMParser().parseFromString(
        await res.text(),
        "text/html",
      );
      const fresh = doc.getElementById(regionId);
      const shown = document.getElementById(regionId);
      if (!fresh || !shown) return false;
      // Whoever was on a link keeps their place in the new list.
      const focused = document.activeElement;
      const link = focused instanceof HTMLAnchorElement &&
          shown.contains(focused)
        ? focused.getAttribute("href")
        : null;
      shown.replaceChildren(...fresh.childNodes);
      if (link) {
        for (const a of shown.querySelectorAll("a")) {
          if (a.getAttribute("href") === link) {
            a.focus();
            break;
          }
        }
      }
      return true;
    });
    // A message brings an inbox event and a thread event a moment apart:
    // one fetch for both.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void refresh(), COALESCE_MS);
    };

    let opened = false;
    const stop = subscribe({
      // Reopened after a gap: what came meanwhile was not seen. (The first
      // open sends the count, which `inbox` compares with the page's.)
      open: () => {
        if (opened) soon();
        opened = true;
      },
      inbox: (e) => {
        if (e.unread === known) return;
        if (e.unread > known) {
          announce.value = e.unread === 1
            ? "You have a new message."
            : `You have ${e.unread} unread messages.`;
        }
        known = e.unread;
        soon();
      },
      // A message in a conversation already read (the sender's own, from
      // another tab) moves it to the top without changing the count.
      thread: soon,
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, []);
  return (
    <p role="status" aria-live="polite" class="sr-only">
      {announce.value}
    </p>
  );
}

export default defineIsland("LiveInbox", LiveInbox);
