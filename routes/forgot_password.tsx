/** /forgot-password: asks for a reset link, with the same answer for every address. */
import { Hono } from "hono";
import { ForgotPage } from "../components/AuthPages.tsx";
import { emptyForm, type FormState } from "../components/Forms.tsx";
import { hitLimits, LIMITS } from "../lib/accounts/rate_limit.ts";
import { emailForm } from "../lib/accounts/schema.ts";
import { requestPasswordReset } from "../lib/accounts/password_reset.ts";
import { at } from "../lib/app.ts";
import { type AppEnv, page } from "./context.tsx";
import { limitedForm, readForm } from "./forms.ts";
import { clientAddress } from "./session.ts";

export const forgotPassword = new Hono<AppEnv>();

forgotPassword.get(
  "/",
  (c) =>
    page(c, { title: "Reset your password" }, <ForgotPage form={emptyForm} />),
);

forgotPassword.post("/", async (c) => {
  const read = await readForm(c, emailForm);
  const render = (form: FormState, status: 200 | 400 | 429, sent = false) =>
    page(
      c,
      { title: "Reset your password" },
      <ForgotPage form={form} sent={sent} />,
      status,
    );
  if (!read.ok) return render(read.form, 400);
  const deps = at(c.var.services);
  const hit = await hitLimits(deps.kv, [
    [LIMITS.resetByAccount, read.data.email],
    [LIMITS.resetByAddress, clientAddress(c)],
  ], deps.now);
  if (!hit.ok) return render(limitedForm(read.form, hit), 429);
  await requestPasswordReset(deps, read.data.email);
  return render(read.form, 200, true);
});
