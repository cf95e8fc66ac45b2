import { Hono } from "hono";
import {
  ForgotPage,
  LoginPage,
  ResetPage,
  SignupPage,
  TokenProblem,
  VerifyPage,
} from "../components/AuthPages.tsx";
import { emptyForm, type FormState } from "../components/Forms.tsx";
import { hitLimits, LIMITS } from "../lib/accounts/rate_limit.ts";
import {
  emailForm,
  loginForm,
  resetForm,
  signupForm,
  tokenForm,
} from "../lib/accounts/schema.ts";
import { endSession } from "../lib/accounts/sessions.ts";
import {
  confirmEmail,
  logIn,
  requestPasswordReset,
  resendVerification,
  resetLinkIsValid,
  resetPassword,
  signUp,
} from "../lib/accounts/users.ts";
import { type AppContext, type AppEnv, page } from "./context.tsx";
import { formFromError, limitedForm, readForm, safeNext } from "./forms.ts";
import {
  accountDeps,
  clearSessionCookie,
  clientAddress,
  sessionSecret,
  setSessionCookie,
} from "./session.ts";

export const auth = new Hono<AppEnv>();

const NOTICES: Record<string, string> = {
  verified: "Your email address is confirmed.",
  "password-reset": "Your password is changed. Log in with the new one.",
  "logged-out": "You are logged out.",
  deleted: "Your account is deleted.",
};

function renderSignup(
  c: AppContext,
  form: FormState,
  status: 200 | 400 | 429 = 200,
) {
  return page(c, { title: "Sign up" }, <SignupPage form={form} />, status);
}

auth.get("/signup", (c) => renderSignup(c, emptyForm));

auth.post("/signup", async (c) => {
  const read = await readForm(c, signupForm);
  if (!read.ok) return renderSignup(c, read.form, 400);
  const deps = accountDeps(c);
  const hit = await hitLimits(deps.kv, [[
    LIMITS.signupByAddress,
    clientAddress(c),
  ]], deps.now);
  if (!hit.ok) return renderSignup(c, limitedForm(read.form, hit), 429);
  try {
    const { session } = await signUp(deps, read.data);
    setSessionCookie(c, session.secret);
    return c.redirect("/account?notice=welcome", 303);
  } catch (err) {
    return renderSignup(c, formFromError(read.form, err), 400);
  }
});

function renderLogin(
  c: AppContext,
  form: FormState,
  status: 200 | 400 | 429 = 200,
) {
  const next = form.values.next ?? c.req.query("next");
  const notice = NOTICES[c.req.query("notice") ?? ""];
  return page(
    c,
    { title: "Log in" },
    <LoginPage form={form} next={next} notice={notice} />,
    status,
  );
}

auth.get("/login", (c) => renderLogin(c, emptyForm));

auth.post("/login", async (c) => {
  const read = await readForm(c, loginForm);
  if (!read.ok) return renderLogin(c, read.form, 400);
  const deps = accountDeps(c);
  const hit = await hitLimits(deps.kv, [
    [LIMITS.loginByAccount, read.data.email],
    [LIMITS.loginByAddress, clientAddress(c)],
  ], deps.now);
  if (!hit.ok) return renderLogin(c, limitedForm(read.form, hit), 429);
  const result = await logIn(deps, read.data.email, read.data.password);
  if (!result) {
    return renderLogin(c, {
      ...read.form,
      message: "That email and password do not match an account.",
    }, 400);
  }
  setSessionCookie(c, result.session.secret);
  return c.redirect(safeNext(read.form.values.next), 303);
});

auth.post("/logout", async (c) => {
  const secret = sessionSecret(c);
  if (secret) await endSession(c.var.kv, secret);
  clearSessionCookie(c);
  return c.redirect("/login?notice=logged-out", 303);
});

// Following an emailed link only shows a button: a GET never changes state,
// and mail scanners that prefetch links cannot use up the token.
auth.get("/verify-email", (c) => {
  const token = c.req.query("token") ?? "";
  return page(
    c,
    { title: "Confirm your email" },
    <VerifyPage token={token} />,
  );
});

auth.post("/verify-email", async (c) => {
  const read = await readForm(c, tokenForm);
  const problem = (message: string) =>
    page(
      c,
      { title: "Confirm your email" },
      <TokenProblem
        message={message}
        retry={c.var.user
          ? { href: "/account", label: "Send a new link from your account" }
          : { href: "/login", label: "Log in to send a new link" }}
      />,
      400,
    );
  if (!read.ok) {
    return problem(read.form.errors.token ?? "This link is incomplete.");
  }
  try {
    await confirmEmail(accountDeps(c), read.data.token);
  } catch (err) {
    return problem(formFromError(read.form, err).message ?? "");
  }
  return c.redirect(
    c.var.user ? "/account?notice=verified" : "/login?notice=verified",
    303,
  );
});

auth.post("/verify-email/resend", async (c) => {
  const user = c.var.user;
  if (!user) return c.redirect("/login?next=/account", 303);
  const deps = accountDeps(c);
  const hit = await hitLimits(
    deps.kv,
    [[LIMITS.resendByAccount, user.id]],
    deps.now,
  );
  if (!hit.ok) return c.redirect("/account?notice=resend-limited", 303);
  await resendVerification(deps, user);
  return c.redirect("/account?notice=resent", 303);
});

auth.get(
  "/forgot-password",
  (c) =>
    page(c, { title: "Reset your password" }, <ForgotPage form={emptyForm} />),
);

auth.post("/forgot-password", async (c) => {
  const read = await readForm(c, emailForm);
  const render = (form: FormState, status: 200 | 400 | 429, sent = false) =>
    page(
      c,
      { title: "Reset your password" },
      <ForgotPage form={form} sent={sent} />,
      status,
    );
  if (!read.ok) return render(read.form, 400);
  const deps = accountDeps(c);
  const hit = await hitLimits(deps.kv, [
    [LIMITS.resetByAccount, read.data.email],
    [LIMITS.resetByAddress, clientAddress(c)],
  ], deps.now);
  if (!hit.ok) return render(limitedForm(read.form, hit), 429);
  await requestPasswordReset(deps, read.data.email);
  return render(read.form, 200, true);
});

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

auth.get("/reset-password", async (c) => {
  const token = c.req.query("token") ?? "";
  const parsed = tokenForm.safeParse({ token });
  if (!parsed.success || !(await resetLinkIsValid(accountDeps(c), token))) {
    return expiredReset(c);
  }
  return page(
    c,
    { title: "Choose a new password" },
    <ResetPage form={emptyForm} token={token} />,
  );
});

auth.post("/reset-password", async (c) => {
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
    await resetPassword(accountDeps(c), read.data.token, read.data.password);
  } catch (err) {
    return expiredReset(c, formFromError(read.form, err).message);
  }
  clearSessionCookie(c);
  return c.redirect("/login?notice=password-reset", 303);
});
