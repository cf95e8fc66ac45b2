/**
 * /account/notifications: what the app told the signed-in user (a document
 * decided, a suspension), newest first, each opened through a link that
 * marks it read, and "mark all as read". Also the
 * header badge's count (`unreadBadge`, middleware for the whole app).
 */
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { NotificationsPage } from "../../components/NotificationsPage.tsx";
import { ID_PATTERN, isId } from "../../lib/ids.ts";
import {
  getNotification,
  listNotifications,
  markAllRead,
  openNotification,
  unreadCount,
  viewUnreadCount,
} from "../../lib/notifications/repo.ts";
import { type AppEnv, page } from "../context.tsx";
import { readNotice, readQuery } from "../forms.ts";
import { isPrefetch, redirect } from "../headers.ts";
import { NotFoundError, ValidationError } from "../../lib/errors.ts";

const NOTIFICATIONS = "/account/notifications";

const NOTICES: Record<string, string> = {
  read: "All your notifications are marked as read.",
};

const pageQuery = z.object({
  cursor: z.string().trim().refine(
    (v) => v === "" || isId(v),
    "That page link is not valid; start again.",
  ),
});

/**
 * The unread count for the header of a page a signed-in user GETs: one KV
 * read, skipped for everyone else and for what is not a page (an image, a
 * download, JSON: their requests do not ask for HTML).
 */
export const unreadBadge: MiddlewareHandler<AppEnv> = async (c, next) => {
  const user = c.get("user");
  const accept = c.req.header("Accept");
  if (
    user && (c.req.method === "GET" || c.req.method === "HEAD") &&
    !c.req.path.startsWith("/api/") &&
    (!accept || accept.includes("text/html"))
  ) {
    c.set("unread", await viewUnreadCount(c.get("services").kv, user.id));
  }
  await next();
};

export const notifications = new Hono<AppEnv>();

notifications.use(async (c, next) => {
  if (!c.get("user")) return redirect(c, `/login?next=${NOTIFICATIONS}`);
  await next();
});

notifications.get("/", async (c) => {
  const user = c.get("user")!;
  const read = readQuery(c, pageQuery);
  if (!read.ok) {
    throw new ValidationError(read.form.errors, read.form.errors.cursor);
  }
  const cursor = read.data.cursor || null;
  const list = await listNotifications(c.get("services").kv, user.id, {
    cursor,
    limit: 20,
  });
  return page(
    c,
    { title: "Notifications" },
    <NotificationsPage
      notifications={list.notifications}
      cursor={list.cursor}
      paged={cursor !== null}
      unread={c.get("unread") ??
        await unreadCount(c.get("services").kv, user.id)}
      notice={NOTICES[readNotice(c)]}
      now={c.get("services").clock()}
    />,
  );
});

/**
 * A notification's link: marked read on the way (idempotent), then where it
 * points. Only when someone follows it: a HEAD, or a browser fetching the
 * link ahead of a click (a prefetch), sees where it goes and marks nothing.
 */
notifications.get(`/:id{${ID_PATTERN}}`, async (c) => {
  const { services, user } = c.var;
  const id = c.req.param("id");
  const n = c.req.method === "HEAD" || isPrefetch(c.req.raw)
    ? await getNotification(services.kv, user!.id, id)
    : await openNotification(services.kv, user!.id, id, services.clock());
  if (!n) throw new NotFoundError("We could not find that notification.");
  return redirect(c, n.href);
});

notifications.post("/read", async (c) => {
  const user = c.get("user")!;
  await markAllRead(c.get("services").kv, user.id, c.get("services").clock());
  return redirect(c, `${NOTIFICATIONS}?notice=read`);
});
