import { useEffect } from "preact/hooks";
import { defineIsland } from "../lib/islands/define.ts";
import { useSignal } from "../lib/islands/signals.ts";
import { oneAtATime } from "../lib/islands/one_at_a_time.ts";
import { MESSAGE_SENT_EVENT, subscribe } from "./live_stream.ts";

export interface LiveThreadProps {
  threadId: string;
  /** The id of the `<ol>` the page lists the messages in. */
  listId: string;
  /** The newest message the page shows (null for none). */
  lastId: string | null;
  /** Whom new messages are from, for the announcement. */
  otherName: string;
}

/**
 * Keeps an open thread up to date without a reload: when the live stream
 * says this thread's newest message moved (or the stream reopens after a
 * gap, or the reply form sent one), it fetches the messages after the last
 * one shown, rendered by the server as the page renders them, and adds
 * them to the list; a new message from the other person is announced to
 * screen readers. While the tab is visible, what arrived counts as read.
 * Without JavaScript the page's Refresh link does this.
 */
function LiveThread({ threadId, listId, lastId, otherName }: LiveThreadProps) {
  const announce = useSignal("");
  useEffect(() => {
    let last = lastId;
    let unseen = false;

    const markRead = () => {
      unseen = false;
      fetch(`/messages/${threadId}/read`, { method: "POST" }).catch(() => {});
    };

    const fetchNew = oneAtATime(async () => {
      const res = await fetch(
        `/messages/${threadId}/since?after=${last ?? ""}`,
        { headers: { Accept: "text/html" } },
      );
      if (!res.ok) return false;
      const list = document.getElementById(listId);
      if (!list) {
        // The page had no messages to list: show them the plain way.
        location.reload();
        return false;
      }
      const template = document.createElement("template");
      template.innerHTML = await res.text();
      const wasAtEnd = isInView(list.lastElementChild);
      let theirs = 0;
      let added: Element | null = null;
      for (const item of [...template.content.children]) {
        const id = item.getAttribute("data-message-id");
        if (!id || document.getElementById(item.id)) continue;
        list.append(item);
        added = item;
        if (!last || id > last) last = id;
        if (!item.hasAttribute("data-mine")) theirs++;
      }
      if (theirs > 0) {
        // "Borough Commissary Co." ends its own sentence.
        const stop = /[.!?]$/.test(otherName) ? "" : ".";
        announce.value = theirs === 1
          ? `New message from ${otherName}${stop}`
          : `${theirs} new messages from ${otherName}${stop}`;
        unseen = true;
      }
      if (added && wasAtEnd) added.scrollIntoView({ block: "nearest" });
      return true;
    });

    async function catchUp() {
      await fetchNew();
      if (unseen && document.visibilityState === "visible") markRead();
    }

    const onVisible = () => {
      if (unseen && document.visibilityState === "visible") markRead();
    };
    const onSent = () => void catchUp();
    document.addEventListener("visibilitychange", onVisible);
    document.addEventListener(MESSAGE_SENT_EVENT, onSent);
    const stop = subscribe({
      open: () => void catchUp(),
      thread: (e) => {
        if (e.threadId === threadId && (!last || e.lastMessageId > last)) {
          void catchUp();
        }
      },
    });
    return () => {
      stop();
      document.removeEventListener("visibilitychange", onVisible);
      document.removeEventListener(MESSAGE_SENT_EVENT, onSent);
    };
  }, []);
  return (
    <p role="status" aria-live="polite" class="sr-only">
      {announce.value}
    </p>
  );
}

function isInView(el: Element | null): boolean {
  if (!el) return true;
  const r = el.getBoundingClientRect();
  return r.top < innerHeight && r.bottom > 0;
}

export default defineIsland("LiveThread", LiveThread);
