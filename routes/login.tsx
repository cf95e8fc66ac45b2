/** /login: email and password, a trusted-device cookie, and where to go next. */
import { Hono } from "hono";
import { z } from "zod";
import { LoginPage } from "../components/AuthPages.tsx";
import { emptyForm, type FormState } from "../components/Forms.tsx";
import { hitLimits, LIMITS } from "../lib/accounts/rate_limit.ts";
import { loginForm } from "../lib/accounts/schema.ts";
import { logIn } from "../lib/accounts/login.ts";
import { landingFor } from "../lib/accounts/roles.ts";
import { loginNext, readSignedNext } from "../lib/accounts/next_link.ts";
import { at } from "../lib/app.ts";
import { type AppContext, type AppEnv, page } from "./context.tsx";
import { limitedForm, readForm, readNotice, readQuery } from "./forms.ts";
import { redirect } from "./headers.ts";
import {
  clientAddress,
  deviceSecret,
  setDeviceCookie,
  setSessionCookie,
} from "./session.ts";

export const login = new Hono<AppEnv>();

/** Where to go after logging in; headers.ts checks it is one of our pages. */
const loginQuery = z.object({ next: z.string() });

const NOTICES: Record<string, string> = {
  verified: "Your email address is confirmed.",
  "password-reset": "Your password is changed. Log in with the new one.",
  "logged-out": "You are logged out.",
  deleted: "Your account is deleted.",
};

async function renderLogin(
  c: AppContext,
  form: FormState,
  status: 200 | 400 | 403 | 429 = 200,
) {
  const query = readQuery(c, loginQuery);
  const next = form.values.next || (query.ok ? query.data.next : undefined);
  // Only a path this site signed travels on to sign-up and its email.
  const signed = await readSignedNext(
    c.var.services.kv,
    next,
    c.var.services.clock(),
  );
  const notice = NOTICES[readNotice(c)];
  return page(
    c,
    { title: "Log in" },
    <LoginPage
      form={form}
      next={next}
      signupNext={signed ? next : undefined}
      notice={notice}
    />,
    status,
  );
}

login.get("/", (c) => renderLogin(c, emptyForm));

login.post("/", async (c) => {
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
  const next = await loginNext(deps.kv, read.data.next, deps.now);
  return redirect(c, next ?? landingFor(result.user));
});
