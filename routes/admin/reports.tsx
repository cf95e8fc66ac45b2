/**
 * /admin/reports: reported messages (lib/messages/reports.ts), oldest
 * first. /admin/reports/:id: the report and its whole thread (every view
 * audited); admins dismiss it, warn the author, or suspend the author.
 */
import { Hono } from "hono";
import {
  AdminReportPage,
  AdminReportsPage,
} from "../../components/AdminReports.tsx";
import { emptyForm, type FormState } from "../../components/Forms.tsx";
import { at } from "../../lib/app.ts";
import { decide, requireCapability } from "../../lib/accounts/roles.ts";
import { ID_PATTERN } from "../../lib/ids.ts";
import {
  decideReport,
  listReportsForStaff,
  loadReportForStaff,
} from "../../lib/messages/reports.ts";
import { reportDecisionForm } from "../../lib/messages/schema.ts";
import { getAttachmentForStaff } from "../../lib/messages/attachments.ts";
import { sandboxedDownload } from "../messages/files.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
} from "../forms.ts";
import { redirect } from "../headers.ts";

export const adminReports = new Hono<AppEnv>();

const NOTICES: Record<string, string> = {
  dismissed: "The report is dismissed.",
  warned: "The report is upheld and the author has been emailed a warning.",
  suspended:
    "The report is upheld and the author's account is suspended: their sessions have ended.",
};

adminReports.get("/", async (c) => {
  const rows = await listReportsForStaff(c.var.services.kv, c.var.user);
  return page(
    c,
    { title: "Reports" },
    <AdminReportsPage rows={rows} notice={NOTICES[readNotice(c)]} />,
  );
});

async function renderReport(
  c: AppContext,
  form: FormState = emptyForm,
  status: 200 | FormStatus = 200,
) {
  const view = await loadReportForStaff(
    at(c.var.services),
    c.var.user,
    c.req.param("id")!,
  );
  return page(
    c,
    { title: "Reported message" },
    <AdminReportPage
      view={view}
      canAct={decide(c.var.user, "admin:act").ok}
      form={form}
    />,
    status,
  );
}

const ID = `:id{${ID_PATTERN}}`;

adminReports.get(`/${ID}`, (c) => renderReport(c));

adminReports.post(`/${ID}`, async (c) => {
  // Support gets a 403 before the form is read; lib checks again.
  requireCapability(c.var.user, "admin:act");
  const read = await readForm(c, reportDecisionForm);
  if (!read.ok) return await renderReport(c, read.form, 400);
  let outcome;
  try {
    outcome = (await decideReport(
      at(c.var.services),
      c.var.user,
      c.req.param("id"),
      read.data,
    )).status;
  } catch (err) {
    const failed = formFailure(read.form, err);
    return await renderReport(c, failed.form, failed.status);
  }
  return redirect(c, `/admin/reports?notice=${outcome}`);
});

// Files of a reported thread: staff open them through the report, and
// every opening is audited before a byte is sent (lib/messages/attachments.ts).
adminReports.get(`/${ID}/files/:messageId{${ID_PATTERN}}`, async (c) => {
  const file = await getAttachmentForStaff(
    at(c.var.services),
    c.var.user,
    c.req.param("id"),
    c.req.param("messageId"),
  );
  return sandboxedDownload(file);
});
