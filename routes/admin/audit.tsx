/** /admin/audit: the audit log, newest first, a page at a time. */
import { Hono } from "hono";
import { AdminAuditPage } from "../../components/AdminPages.tsx";
import { listAudit } from "../../lib/audit/repo.ts";
import { type AppEnv, page } from "../context.tsx";

export const adminAudit = new Hono<AppEnv>();

adminAudit.get("/", async (c) => {
  // listAudit refuses a cursor that is not an id (a 400).
  const cursor = c.req.query("cursor") || null;
  const log = await listAudit(c.var.kv, { limit: 50, cursor });
  return page(
    c,
    { title: "Audit log" },
    <AdminAuditPage
      entries={log.entries}
      cursor={log.cursor}
      paged={cursor !== null}
    />,
  );
});
