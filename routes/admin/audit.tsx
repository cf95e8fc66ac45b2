/**
 * /admin/audit: the audit log, newest first, filtered by who, what object,
 * which action and which days, a page at a time, with the people and
 * things it mentions named. Read only: no route changes or deletes an entry.
 */
import { Hono } from "hono";
import { AdminAuditPage } from "../../components/AdminStaff.tsx";
import { auditQuery, isFiltered } from "../../lib/audit/repo.ts";
import { NO_NAMES } from "../../lib/audit/names.ts";
import { listAuditNamed } from "../../lib/reviews/staff_names.ts";
import { type AppEnv, page } from "../context.tsx";
import { readQuery } from "../forms.ts";

export const adminAudit = new Hono<AppEnv>();

adminAudit.get("/", async (c) => {
  const read = readQuery(c, auditQuery);
  if (!read.ok) {
    return page(
      c,
      { title: "Audit log" },
      <AdminAuditPage
        entries={[]}
        names={NO_NAMES}
        cursor={null}
        paged={false}
        partial={false}
        form={read.form}
        filtered
      />,
      400,
    );
  }
  const { cursor, filter } = read.data;
  const log = await listAuditNamed(c.var.services.kv, {
    limit: 50,
    cursor,
    filter,
  });
  return page(
    c,
    { title: "Audit log" },
    <AdminAuditPage
      entries={log.entries}
      names={log.names}
      cursor={log.cursor}
      paged={cursor !== null}
      partial={log.partial}
      form={read.form}
      filtered={isFiltered(filter)}
    />,
  );
});
