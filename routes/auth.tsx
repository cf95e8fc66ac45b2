import { Hono } from "hono";
import {
  ForgotPage,
  LoginPage,
  ResetPage,
  SignupPage,
  SignupSentPage,
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
  resendVerification,
} from "../lib/accounts/email_verification.ts";
import { logIn } from "../lib/accounts/login.ts";
import {
  requestPasswordReset,
  resetLinkIsValid,
  resetPassword,
} from "../lib/accounts/password_reset.ts";
import { signUp } from "../lib/accounts/signup.ts";
import { type AppContext, type AppEnv, page } from "./context.tsx";
import { formFailure, limitedForm, readForm } from "./forms.ts";
import { redirect } from "./headers.ts";
import {
  clearSessionCookie,
  clientAddress,
  deviceSecret,
  sessionSecret,
  setDeviceCookie,
  setSessionCookie,
} from "./session.ts";
import { at } from "../lib/app.ts";

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
  const deps = at(c.var.services);
  const hit = await hitLimits(deps.kv, [[
    LIMITS.signupByAddress,
    clientAddress(c),
  ]], deps.now);
  if (!hit.ok) return renderSignup(c, limitedForm(read.form, hit), 429);
  // The same answer whether or not the address has an account (signUp emails its owner).
  await signUp(deps, read.data);
  return redirect(c, "/signup/sent");
});

auth.get(
  "/signup/sent",
  (c) => page(c, { title: "Check your email" }, <SignupSentPage />),
);

function renderLogin(
  c: AppContext,
  form: FormState,
  status: 200 | 400 | 403 | 429 = 200,
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
  const deps = at(c.var.services);
  const hit = await hitLimits(deps.kv, [
    [LIMITS.loginByAddress, clientAddress(c)],
  ], deps.now);
  if (!hit.ok) return renderLogin(c, limitedForm(read.form, hit), 429);
  const result = await logIn(
    deps,
    read.data.email,
    read.data.password,
    deviceSecret(c),
  );
  if (!result.ok) {
    if (result.retryAfterSeconds !== null) {
      return renderLogin(
        c,
        limitedForm(read.form, {
          ok: false,
          retryAfterSeconds: result.retryAfterSeconds,
        }),
        429,
      );
    }
    if (result.suspended) {
      return renderLogin(c, { ...read.form, message: result.suspended }, 403);
    }
    return renderLogin(c, {
      ...read.form,
      message: "That email and password do not match an account.",
    }, 400);
  }
  setSessionCookie(c, result.session.secret);
  if (result.device) setDeviceCookie(c, result.device);
  return redirect(c, read.form.values.next || "/account");
});

auth.post("/logout", async (c) => {
  const secret = sessionSecret(c);
  if (secret) await endSession(c.var.services.kv, secret);
  clearSessionCookie(c);
  return redirect(c, "/login?notice=logged-out");
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
  let confirmed;
  try {
    confirmed = await confirmEmail(at(c.var.services), read.data.token, {
      startSession: !c.var.user,
    });
  } catch (err) {
    return problem(formFailure(read.form, err).form.message ?? "");
  }
  if (confirmed.session) setSessionCookie(c, confirmed.session.secret);
  return redirect(
    c,
    c.var.user || confirmed.session
      ? "/account?notice=verified"
      : "/login?notice=verified",
  );
});

auth.post("/verify-email/resend", async (c) => {
  const user = c.var.user;
  if (!user) return redirect(c, "/login?next=/account");
  const deps = at(c.var.services);
  const hit = await hitLimits(
    deps.kv,
    [[LIMITS.resendByAccount, user.id]],
    deps.now,
  );
  if (!hit.ok) return redirect(c, "/account?notice=resend-limited");
  await resendVerification(deps, user);
  return redirect(c, "/account?notice=resent");
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
  const deps = at(c.var.services);
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
  if (!parsed.success || !(await resetLinkIsValid(at(c.var.services), token))) {
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
