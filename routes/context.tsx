import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { VNode } from "preact";
import { Layout, type LayoutProps } from "../components/Layout.tsx";
import { joinPageParts, renderPageParts } from "../lib/islands/server.ts";
import type { SlotUse } from "../lib/islands/collector.ts";
import { savedAmong } from "../lib/saved/repo.ts";
import {
  loadViewerDocuments,
  type ViewerDocuments,
} from "../lib/compliance/kitchen_page.ts";
import type { Viewer } from "../components/Viewer.tsx";
import type { AppContext } from "./env.ts";
import { rememberPage } from "./page_cache.ts";

export type { AppContext, AppDeps, AppEnv } from "./env.ts";

/** What `page` needs beyond the layout's own props. */
export type PageProps = Omit<LayoutProps, "css" | "children"> & {
  /** Which of the page's kitchens the viewer saved, for their hearts. */
  saved?: readonly string[] | null;
  /** The viewer's documents, where the page shows what it needs of them. */
  documents?: ViewerDocuments | null;
  /**
   * The page differs between viewers only in its viewer slots
   * (components/Viewer.tsx): the page cache may then fill in its visitors'
   * copy for signed-in users instead of rendering it again.
   */
  shared?: boolean;
};

/** Who is looking, as the page's viewer slots read it. */
export function viewerOf(
  c: AppContext,
  saved: readonly string[] | null | undefined,
  documents: ViewerDocuments | null | undefined,
): Viewer {
  const user = c.get("user") ?? null;
  return {
    user,
    unread: c.get("unread") ?? 0,
    messagesUnread: c.get("messagesUnread") ?? 0,
    saved: user ? new Set(saved ?? []) : null,
    documents: user ? documents ?? null : null,
    now: c.get("services").clock(),
  };
}

/**
 * Who is looking at a shared page the cache fills in (routes/page_cache.ts):
 * as `page` would have them, with what the slots name loaded: the saved
 * state of each kitchen a slot names, and the viewer's documents where a
 * slot shows what it needs of them.
 */
export async function sharedViewer(
  c: AppContext,
  slots: readonly SlotUse[],
): Promise<Viewer> {
  const user = c.get("user");
  if (!user) return viewerOf(c, null, null);
  const kv = c.get("services").kv;
  const ids = slots.flatMap(({ props }) =>
    typeof props.kitchenId === "string" ? [props.kitchenId] : []
  );
  const [saved, documents] = await Promise.all([
    ids.length > 0 ? savedAmong(kv, user.id, ids) : [],
    slots.some(({ props }) => props.needs === "documents")
      ? loadViewerDocuments(kv, user.id)
      : null,
  ]);
  return viewerOf(c, [...saved], documents);
}

/**
 * Renders a page inside the shared layout, with islands wired to this
 * response's nonce; the page cache learns where the nonce went, and, for a
 * shared page it may keep, where the viewer slots are.
 */
export function page(
  c: AppContext,
  { saved, documents, shared, ...props }: PageProps,
  body: VNode,
  status: ContentfulStatusCode = 200,
): Response {
  if (shared) c.set("sharedPage", true);
  const parts = renderPageParts(
    <Layout {...props} css={c.get("manifest").css}>
      {body}
    </Layout>,
    {
      manifest: c.get("manifest"),
      share: shared === true && c.get("shareable") === true,
      viewer: viewerOf(c, saved, documents),
    },
  );
  return rememberPage(
    c,
    c.html(joinPageParts(parts, c.get("nonce")), status),
    parts,
  );
}
