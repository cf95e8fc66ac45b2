/**
 * The parts of every page that depend on who is looking: the header's
 * links and the confirm-your-email banner. Each is a viewer slot
 * (lib/islands/slots.ts), so a page rendered once for visitors can be
 * filled in for a signed-in user (routes/page_cache.ts).
 */
import type { SessionUser } from "../lib/accounts/schema.ts";
import type { ViewerDocuments } from "../lib/compliance/kitchen_page.ts";
import MessagesLink from "../islands/MessagesLink.tsx";

/** Who is looking at a page, as the page's viewer slots read it (routes/context.tsx). */
export interface Viewer {
  user: SessionUser | null;
  /** Unread notifications, for the header badge. */
  unread: number;
  /** Unread messages, for the header's Messages link. */
  messagesUnread: number;
  /** Which of the page's kitchens they saved; null for a visitor. */
  saved: ReadonlySet<string> | null;
  /** Their documents, where a page shows what it needs of them; null otherwise. */
  documents: ViewerDocuments | null;
  /** When the page is made for them (documents expire). */
  now: number;
}

/** A visitor: also what a slot sees when a page is rendered without a viewer. */
export const VISITOR: Viewer = {
  user: null,
  unread: 0,
  messagesUnread: 0,
  saved: null,
  documents: null,
  now: 0,
};

/** The header's links after "Find a kitchen". */
export function HeaderLinks({ viewer }: { viewer: Viewer | null }) {
  const { user, unread, messagesUnread } = viewer ?? VISITOR;
  if (!user) {
    return (
      <>
        <a href="/signup?as=host" class="hover:underline">
          List your kitchen
        </a>
        <a href="/login" class="hover:underline">Log in</a>
        <a href="/signup" class="hover:underline">Sign up</a>
      </>
    );
  }
  return (
    <>
      <a href="/bookings" class="hover:underline">
        Your bookings
      </a>
      <a href="/saved" class="hover:underline">Saved</a>
      <a href="/account/compliance" class="hover:underline">
        Documents
      </a>
      {user.roles.includes("host")
        ? (
          <a href="/host" class="hover:underline">
            Hosting
          </a>
        )
        : (
          <a href="/account#host" class="hover:underline">
            List your kitchen
          </a>
        )}
      {(user.roles.includes("admin") ||
        user.roles.includes("support")) && (
        <a href="/admin" class="hover:underline">Admin</a>
      )}
      <MessagesLink unread={messagesUnread} />
      <a href="/account/notifications" class="hover:underline">
        Notifications
        {unread > 0 && (
          <>
            {" "}
            <span class="rounded-full bg-emerald-700 px-2 text-xs font-bold text-white">
              {unread > 99 ? "99+" : String(unread)}{" "}
              <span class="sr-only">unread</span>
            </span>
          </>
        )}
      </a>
      <a href="/account" class="hover:underline">
        {user.name}
      </a>
      <form method="post" action="/logout">
        <button type="submit" class="font-medium hover:underline">
          Log out
        </button>
      </form>
    </>
  );
}

// Everything of the viewer the links show; the name last, as it may hold spaces.
HeaderLinks.viewerKey = (_: unknown, viewer: Viewer | null): string => {
  const { user, unread, messagesUnread } = viewer ?? VISITOR;
  return user
    ? `${unread} ${messagesUnread} ${user.roles.join(",")} ${user.name}`
    : "";
};

/** Under the header, until the signed-in user confirms their email address. */
export function EmailBanner({ viewer }: { viewer: Viewer | null }) {
  const user = viewer?.user;
  if (!user || user.emailVerifiedAt) return null;
  return (
    <div class="border-b border-amber-200 bg-amber-50">
      <form
        method="post"
        action="/verify-email/resend"
        class="mx-auto flex max-w-6xl flex-wrap items-center gap-3 px-4 py-2 text-sm text-amber-900"
      >
        <span>
          {`Confirm your email address (${user.email}) to book kitchens or publish a listing.`}
        </span>
        <button type="submit" class="font-semibold underline">
          Resend the email
        </button>
      </form>
    </div>
  );
}

EmailBanner.viewerKey = (_: unknown, viewer: Viewer | null): string => {
  const user = viewer?.user;
  return !user || user.emailVerifiedAt ? "" : `unconfirmed ${user.email}`;
};
