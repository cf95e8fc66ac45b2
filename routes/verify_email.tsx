/** /verify-email: the emailed confirmation link, and asking for a new one. */
import { Hono } from "hono";
import { z } from "zod";
import { TokenProblem, VerifyPage } from "../components/AuthPages.tsx";
import { hitLimits, LIMITS } from "../lib/accounts/rate_limit.ts";
import { tokenForm } from "../lib/accounts/schema.ts";
import {
  confirmEmail,
  resendVerification,
} from "../lib/accounts/email_verification.ts";
import { at } from "../lib/app.ts";
import { type AppEnv, page } from "./context.tsx";
import { formFailure, readForm, readQuery } from "./forms.ts";
import { redirect } from "./headers.ts";
import { setSessionCookie } from "./session.ts";

export const verifyEmail = new Hono<AppEnv>();

/** The emailed link's token, judged when the button posts it back. */
const linkQuery = z.object({ token: z.string() });

// Following an emailed link only shows a button: a GET never changes state,
// and mail scanners that prefetch links cannot use up the token.
verifyEmail.get("/", (c) => {
  const read = readQuery(c, linkQuery);
  const token = read.ok ? read.data.token : "";
  return page(
    c,
    { title: "Confirm your email" },
    <VerifyPage token={token} />,
  );
});

verifyEmail.post("/", async (c) => {
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
  if (!c.var.user && !confirmed.session) {
    return redirect(c, "/login?notice=verified");
  }
  // Back to where they signed up from (a booking's review); a host to their
  // dashboard, whose first step is listing a kitchen; anyone else to the account.
  // (Only when the one now signed in is the one confirmed: confirming
  // someone else's link while signed in leaves the viewer where they are.)
  const confirmedIsViewer = confirmed.session !== null ||
    c.var.user?.id === confirmed.user.id;
  const next = confirmed.next ??
    (confirmedIsViewer && confirmed.user.roles.includes("host")
      ? "/host"
      : "/account");
  return redirect(
    c,
    `${next}${next.includes("?") ? "&" : "?"}notice=verified`,
  );
});

verifyEmail.post("/resend", async (c) => {
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
