/**
 * /admin/jobs: background jobs that ran out of attempts (emails, payments,
 * reminders), a page at a time; admins retry one, which is audited in the
 * same atomic (lib/jobs/dead_letters.ts). Support reads only.
 */
import { Hono } from "hono";
import { AdminJobsPage } from "../../components/AdminJobs.tsx";
import { emptyForm, type FormState } from "../../components/Forms.tsx";
import { decide, requireCapability } from "../../lib/accounts/roles.ts";
import {
  deadLettersQuery,
  listDeadLetters,
  retryFailedJob,
  retryJobForm,
} from "../../lib/jobs/dead_letters.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import {
  formFailure,
  type FormStatus,
  readForm,
  readNotice,
  readQuery,
} from "../forms.ts";
import { redirect } from "../headers.ts";

export const adminJobs = new Hono<AppEnv>();

const NOTICES: Record<string, string> = {
  retried: "The job is back in the queue and runs within a minute.",
};

async function render(
  c: AppContext,
  form: FormState = emptyForm,
  status: 200 | FormStatus = 200,
) {
  const read = readQuery(c, deadLettersQuery);
  const cursor = read.ok ? read.data.cursor : null;
  const found = await listDeadLetters(c.var.services.kv, { cursor, limit: 50 });
  return page(
    c,
    { title: "Failed jobs" },
    <AdminJobsPage
      jobs={found.jobs}
      cursor={found.cursor}
      paged={cursor !== null}
      canAct={decide(c.var.user, "admin:act").ok}
      form={read.ok ? form : read.form}
      notice={NOTICES[readNotice(c)]}
    />,
    read.ok ? status : 400,
  );
}

adminJobs.get("/", (c) => render(c));

adminJobs.post("/retry", async (c) => {
  const user = c.var.user;
  requireCapability(user, "admin:act");
  const read = await readForm(c, retryJobForm);
  if (!read.ok) return await render(c, read.form, 400);
  try {
    await retryFailedJob(
      c.var.services.kv,
      read.data.id,
      { kind: "user", id: user.id, email: user.email },
      c.var.services.clock(),
      { wake: c.var.services.wake },
    );
  } catch (err) {
    const failed = formFailure(read.form, err);
    return await render(c, failed.form, failed.status);
  }
  return redirect(c, "/admin/jobs?notice=retried");
});
