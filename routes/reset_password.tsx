/** /reset-password: the emailed reset link, and the new password. */
import { Hono } from "hono";
import { ResetPage, TokenProblem } from "../components/AuthPages.tsx";
import { emptyForm } from "../components/Forms.tsx";
import { resetForm, tokenForm } from "../lib/accounts/schema.ts";
import {
  resetLinkIsValid,
  resetPassword,
} from "../lib/accounts/password_reset.ts";
import { at } from "../lib/app.ts";
import { type AppContext, type AppEnv, page } from "./context.tsx";
import { formFailure, readForm, readQuery } from "./forms.ts";
import { redirect } from "./headers.ts";
import { clearSessionCookie } from "./session.ts";

export const passwordReset = new Hono<AppEnv>();

const expiredReset = (
  c: AppContext,
  message = "This reset link has expired or was already used.",
) =>
  page(
    c,
    { title: "Reset your password" },
    <TokenProblem
      message={message}
      retry={{ href: "/forgot-password", label: "Ask for a new link" }}
    />,
    400,
  );

passwordReset.get("/", async (c) => {
  const read = readQuery(c, tokenForm);
  if (
    !read.ok ||
    !(await resetLinkIsValid(at(c.var.services), read.data.token))
  ) {
    return expiredReset(c);
  }
  return page(
    c,
    { title: "Choose a new password" },
    <ResetPage form={emptyForm} token={read.data.token} />,
  );
});

passwordReset.post("/", async (c) => {
  const read = await readForm(c, resetForm);
  const token = read.form.values.token ?? "";
  if (!read.ok) {
    if (read.form.errors.token) return expiredReset(c, read.form.errors.token);
    return page(
      c,
      { title: "Choose a new password" },
      <ResetPage form={read.form} token={token} />,
      400,
    );
  }
  try {
    await resetPassword(
      at(c.var.services),
      read.data.token,
      read.data.password,
    );
  } catch (err) {
    return expiredReset(c, formFailure(read.form, err).form.message);
  }
  clearSessionCookie(c);
  return redirect(c, "/login?notice=password-reset");
});
