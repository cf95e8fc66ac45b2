import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { VNode } from "preact";
import { Layout, type LayoutProps } from "../components/Layout.tsx";
import type { SessionUser } from "../lib/accounts/schema.ts";
import type { Services } from "../lib/app.ts";
import type { AssetManifest } from "../lib/islands/manifest.ts";
import { joinPageParts, renderPageParts } from "../lib/islands/server.ts";
import { rememberPage } from "./page_cache.ts";

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
    /** The user's unread notifications, read for pages only (routes/notifications.tsx). */
    unread?: number;
  };
};
export type AppContext = Context<AppEnv>;

/**
 * Renders a page inside the shared layout, with islands wired to this
 * response's nonce; the page cache learns where the nonce went.
 */
export function page(
  c: AppContext,
  props: Omit<LayoutProps, "css" | "children" | "user" | "unread">,
  body: VNode,
  status: ContentfulStatusCode = 200,
): Response {
  const parts = renderPageParts(
    <Layout
      {...props}
      css={c.var.manifest.css}
      user={c.var.user ?? null}
      unread={c.var.unread}
    >
      {body}
    </Layout>,
    { manifest: c.var.manifest },
  );
  return rememberPage(
    c.html(joinPageParts(parts, c.var.nonce), status),
    parts,
  );
}
