import { useEffect } from "preact/hooks";
import { defineIsland } from "../lib/islands/define.ts";
import { useSignal } from "../lib/islands/signals.ts";
import { subscribe } from "./live_stream.ts";

export interface MessagesLinkProps {
  /** Unread messages when the page was made. */
  unread: number;
}

/**
 * The header's Messages link with its unread count, on every page for a
 * signed-in person. Without JavaScript the count is the one the page was
 * made with; once hydrated it follows the live stream, so a message sent
 * to this person shows here within a second, whatever page they are on.
 */
function MessagesLink({ unread }: MessagesLinkProps) {
  const count = useSignal(unread);
  useEffect(() =>
    subscribe({
      inbox: (e) => {
        count.value = e.unread;
      },
    }), []);
  const n = count.value;
  return (
    <a href="/messages" class="hover:underline" data-testid="messages-link">
      {n > 0 ? "Messages " : "Messages"}
      {n > 0 && (
        <span class="rounded-full bg-emerald-700 px-2 text-xs font-bold text-white">
          {`${n > 99 ? "99+" : n} `}
          <span class="sr-only">unread</span>
        </span>
      )}
    </a>
  );
}

export default defineIsland("MessagesLink", MessagesLink);
