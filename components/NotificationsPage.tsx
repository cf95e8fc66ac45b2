import { formatAgo, formatDayTimeZoned } from "../lib/format.ts";
import type { Notification } from "../lib/notifications/repo.ts";
import { Notice, SubmitButton } from "./Forms.tsx";

const link = "font-semibold text-emerald-800 underline";

/**
 * "3 hours ago · Tue, Dec 1, 9:00 AM CST": how long ago first, which reads
 * the same for every notification, then the clock time as a message's
 * reads (lib/messages/views.ts), in the zone of the kitchen it is about;
 * users have no zone of their own, so news about the account itself reads
 * in UTC. Past a week, the clock time alone.
 */
function when(n: Notification, now: number): string {
  const at = Date.parse(n.createdAt);
  const clock = formatDayTimeZoned(n.timeZone ?? "UTC", at);
  const ago = formatAgo(now, at);
  return ago ? `${ago} · ${clock}` : clock;
}

/** The signed-in user's notifications, newest first, a page at a time. */
export function NotificationsPage(
  { notifications, cursor, paged, unread, notice, now }: {
    notifications: Notification[];
    now: number;
    /** The next (older) page, or null on the last one. */
    cursor: string | null;
    /** Whether this is a later page than the newest. */
    paged: boolean;
    unread: number;
    notice?: string;
  },
) {
  return (
    <section class="mx-auto max-w-3xl space-y-6">
      <h1 class="text-3xl font-extrabold">Notifications</h1>
      {notice && <Notice>{notice}</Notice>}
      <div class="flex flex-wrap items-center gap-4">
        <p class="text-stone-700">
          {unread === 0
            ? "You have no unread notifications."
            : `You have ${unread} unread ${
              unread === 1 ? "notification" : "notifications"
            }.`}
        </p>
        {unread > 0 && (
          <form method="post" action="/account/notifications/read">
            <SubmitButton>Mark all as read</SubmitButton>
          </form>
        )}
      </div>
      {notifications.length === 0
        ? <p>{paged ? "No older notifications." : "Nothing here yet."}</p>
        : (
          <ul class="space-y-3">
            {notifications.map((n) => (
              <li
                key={n.id}
                class={`rounded-xl border p-4 ${
                  n.read
                    ? "border-stone-200 bg-white"
                    : "border-emerald-300 bg-emerald-50"
                }`}
              >
                <h2 class="font-bold">
                  {!n.read && <span class="sr-only">Unread:</span>}{" "}
                  <a href={`/account/notifications/${n.id}`} class={link}>
                    {n.title}
                  </a>
                </h2>
                <p class="typed-text text-stone-800">{n.body}</p>
                <p class="text-sm text-stone-600">{when(n, now)}</p>
              </li>
            ))}
          </ul>
        )}
      <nav aria-label="Notification pages" class="flex gap-4">
        {paged && (
          <a href="/account/notifications" class={link}>Newest notifications</a>
        )}
        {cursor && (
          <a href={`/account/notifications?cursor=${cursor}`} class={link}>
            Older notifications
          </a>
        )}
      </nav>
    </section>
  );
}
