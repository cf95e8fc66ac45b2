/** /signup: a new account, and the "check your email" page after it. */
import { Hono } from "hono";
import { z } from "zod";
import { SignupPage, SignupSentPage } from "../components/AuthPages.tsx";
import { emptyForm, type FormState } from "../components/Forms.tsx";
import { hitLimits, LIMITS } from "../lib/accounts/rate_limit.ts";
import { signupForm } from "../lib/accounts/schema.ts";
import { readSignedNext } from "../lib/accounts/next_link.ts";
import { signUp } from "../lib/accounts/signup.ts";
import { optionalField } from "../lib/forms.ts";
import { at } from "../lib/app.ts";
import { type AppContext, type AppEnv, page } from "./context.tsx";
import { limitedForm, readForm, readQuery } from "./forms.ts";
import { redirect } from "./headers.ts";
import { clientAddress } from "./session.ts";

export const signup = new Hono<AppEnv>();

/**
 * `next`: where to go once confirmed, a path this site signed
 * (lib/accounts/next_link.ts); `?as=host` ("List your kitchen"): the form
 * starts with hosting chosen.
 */
const signupQuery = z.object({
  next: z.string(),
  as: optionalField(z.enum(["host", "rent"])),
});

async function renderSignup(
  c: AppContext,
  form: FormState,
  status: 200 | 400 | 429 = 200,
) {
  const query = readQuery(c, signupQuery);
  const next = form.values.next || (query.ok ? query.data.next : "");
  const signed = await readSignedNext(
    c.var.services.kv,
    next,
    c.var.services.clock(),
  );
  return page(
    c,
    { title: "Sign up" },
    <SignupPage form={form} next={signed ? next : undefined} />,
    status,
  );
}

signup.get("/", (c) => {
  const read = readQuery(c, signupQuery);
  const intent = (read.ok ? read.data.as : undefined) ?? "rent";
  return renderSignup(c, { ...emptyForm, values: { intent } });
});

signup.post("/", async (c) => {
  const read = await readForm(c, signupForm);
  if (!read.ok) return await renderSignup(c, read.form, 400);
  const deps = at(c.var.services);
  const hit = await hitLimits(deps.kv, [[
    LIMITS.signupByAddress,
    clientAddress(c),
  ]], deps.now);
  if (!hit.ok) return await renderSignup(c, limitedForm(read.form, hit), 429);
  // The same answer whether or not the address has an account (signUp emails its owner).
  await signUp(deps, read.data);
  return redirect(c, "/signup/sent");
});

signup.get(
  "/sent",
  (c) => page(c, { title: "Check your email" }, <SignupSentPage />),
);
