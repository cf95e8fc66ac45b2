/**
 * What every route and middleware sees on its context, in a module of its
 * own so that middleware (the page cache, sessions) and the page renderer
 * (context.tsx) can share it without importing each other.
 */
import type { Context } from "hono";
import type { SessionUser } from "../lib/accounts/schema.ts";
import type { Services } from "../lib/app.ts";
import type { AssetManifest } from "../lib/islands/manifest.ts";
import type { RenderedPage } from "../lib/islands/server.ts";

export interface AppDeps {
  /** The one value the app runs on (lib/app.ts), shared with the job workers. */
  services: Services;
  manifest: AssetManifest;
}

export type AppEnv = {
  Variables: AppDeps & {
    nonce: string;
    /** The logged-in user, or null; set by the sessions middleware. */
    user: SessionUser | null;
    sessionHash: string | null;
    /** The user's unread notifications, read for pages only (routes/account/notifications.tsx). */
    unread?: number;
    /** The user's unread messages, read for pages only (routes/messages/index.tsx). */
    messagesUnread?: number;
    /** Set by the page cache when it may keep this render's viewer slots (routes/page_cache.ts). */
    shareable?: boolean;
    /** Set by `page` when the route rendered a shared page (routes/context.tsx). */
    sharedPage?: boolean;
    /**
     * The page `page` rendered and the response it made, for the page cache
     * to keep (routes/page_cache.ts); kept only if that response is the one
     * answered. On the context, as a WeakMap keyed by per-request objects
     * showed in profiles (6 µs a request).
     */
    renderedPage?: { res: Response; page: RenderedPage };
    /** Queries read so far, by schema: middleware and route parse once (routes/forms.ts). */
    queries?: Map<unknown, unknown>;
  };
};
export type AppContext = Context<AppEnv>;
