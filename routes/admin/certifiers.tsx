/**
 * /admin/certifiers: the certifier directory for staff, where admins record
 * a renewed recognition (audited; lib/compliance/directory.ts). Support
 * reads only.
 */
import { Hono } from "hono";
import { AdminCertifiersPage } from "../../components/CertifiersPage.tsx";
import { emptyForm, type FormState } from "../../components/Forms.tsx";
import { decide, requireCapability } from "../../lib/accounts/roles.ts";
import {
  recognitionForm,
  recordRecognition,
  viewDirectory,
} from "../../lib/compliance/directory.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
} from "../forms.ts";
import { redirect } from "../headers.ts";

export const adminCertifiers = new Hono<AppEnv>();

const NOTICES: Record<string, string> = {
  recorded:
    "The recognition is recorded; the authority chain of renters' certificates now counts it.",
};

async function render(
  c: AppContext,
  form: FormState = emptyForm,
  status: 200 | FormStatus = 200,
) {
  const { today, rows } = await viewDirectory(
    c.var.services.kv,
    c.var.services.clock(),
    null,
  );
  return page(
    c,
    { title: "Certifier recognitions" },
    <AdminCertifiersPage
      rows={rows}
      today={today}
      canAct={decide(c.var.user, "admin:act").ok}
      form={form}
      notice={NOTICES[readNotice(c)]}
    />,
    status,
  );
}

adminCertifiers.get("/", (c) => render(c));

adminCertifiers.post("/", async (c) => {
  const user = c.var.user;
  requireCapability(user, "admin:act");
  const read = await readForm(c, recognitionForm);
  if (!read.ok) return await render(c, read.form, 400);
  try {
    await recordRecognition(
      c.var.services.kv,
      user,
      read.data,
      c.var.services.clock(),
    );
  } catch (err) {
    const failed = formFailure(read.form, err);
    return await render(c, failed.form, failed.status);
  }
  return redirect(c, "/admin/certifiers?notice=recorded");
});
