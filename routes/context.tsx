import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { VNode } from "preact";
import { Layout, type LayoutProps } from "../components/Layout.tsx";
import { joinPageParts, renderPageParts } from "../lib/islands/server.ts";
import type { AppContext } from "./env.ts";
import { rememberPage } from "./page_cache.ts";

export type { AppContext, AppDeps, AppEnv } from "./env.ts";

/**
 * Renders a page inside the shared layout, with islands wired to this
 * response's nonce; the page cache learns where the nonce went.
 */
export function page(
  c: AppContext,
  props: Omit<
    LayoutProps,
    "css" | "children" | "user" | "unread" | "messagesUnread"
  >,
  body: VNode,
  status: ContentfulStatusCode = 200,
): Response {
  const parts = renderPageParts(
    <Layout
      {...props}
      css={c.get("manifest").css}
      user={c.get("user") ?? null}
      unread={c.get("unread")}
      messagesUnread={c.get("messagesUnread")}
    >
      {body}
    </Layout>,
    { manifest: c.get("manifest") },
  );
  return rememberPage(
    c.html(joinPageParts(parts, c.get("nonce")), status),
    parts,
  );
}
