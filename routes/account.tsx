import { Hono } from "hono";
import {
  emptyForm,
  FormMessage,
  type FormState,
  Notice,
  SubmitButton,
  TextField,
} from "../components/Forms.tsx";
import type { SessionUser } from "../lib/accounts/schema.ts";
import {
  changeEmailForm,
  changePasswordForm,
  deleteAccountForm,
  profileForm,
} from "../lib/accounts/schema.ts";
import { endSession, rotateSession } from "../lib/accounts/sessions.ts";
import {
  becomeHost,
  changePassword,
  deleteAccount,
  requestEmailChange,
  updateProfile,
} from "../lib/accounts/users.ts";
import { type AppContext, type AppEnv, page } from "./context.tsx";
import { formFromError, readForm } from "./forms.ts";
import {
  accountDeps,
  clearSessionCookie,
  sessionSecret,
  setSessionCookie,
} from "./session.ts";

export const account = new Hono<AppEnv>();

type Section = "profile" | "email" | "password" | "delete";

const NOTICES: Record<string, string> = {
  welcome:
    "Welcome to Prep! We have emailed you a link to confirm your address.",
  verified: "Your email address is confirmed.",
  resent: "We have sent you a new confirmation link.",
  "resend-limited":
    "We have sent several links already; please check your inbox and spam folder, or try again in an hour.",
  profile: "Your details are saved.",
  "email-sent":
    "We have sent a confirmation link to the new address. Your email changes when you use it.",
  password: "Your password is changed. Other devices have been logged out.",
  host:
    "You are now a host. Your listings and payouts will live on this account.",
};

const card = "space-y-4 rounded-xl border border-stone-200 bg-white p-5";

function AccountPage(
  { user, forms, notice }: {
    user: SessionUser;
    forms: Partial<Record<Section, FormState>>;
    notice?: string;
  },
) {
  const profile = forms.profile ??
    {
      values: {
        name: user.name,
        phone: user.phone ?? "",
        businessName: user.businessName ?? "",
      },
      errors: {},
    };
  const isHost = user.roles.includes("host");
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      <h1 class="text-3xl font-extrabold">Your account</h1>
      {notice && <Notice>{notice}</Notice>}
      <div class={card}>
        <h2 class="text-xl font-bold">Email</h2>
        <p>
          {user.email} {user.emailVerifiedAt
            ? <span class="text-emerald-800">(confirmed)</span>
            : (
              <span class="font-semibold text-amber-800">
                (not confirmed yet)
              </span>
            )}
        </p>
        {!user.emailVerifiedAt && (
          <form method="post" action="/verify-email/resend">
            <p class="text-stone-700">
              Until you confirm it you can browse, but not book kitchens or
              publish a listing.
            </p>
            <button
              type="submit"
              class="mt-2 font-semibold text-emerald-800 underline"
            >
              Resend the confirmation email
            </button>
          </form>
        )}
        <form
          method="post"
          action="/account/email"
          class="space-y-4"
          noValidate
        >
          <FormMessage form={forms.email ?? emptyForm} />
          <TextField
            scope="email"
            name="email"
            label="New email address"
            type="email"
            form={forms.email ?? emptyForm}
            autocomplete="email"
          />
          <TextField
            scope="email"
            name="currentPassword"
            label="Current password"
            type="password"
            form={forms.email ?? emptyForm}
            autocomplete="current-password"
          />
          <SubmitButton>Change email</SubmitButton>
        </form>
      </div>
      <form method="post" action="/account/profile" class={card} noValidate>
        <h2 class="text-xl font-bold">Your details</h2>
        <FormMessage form={profile} />
        <TextField
          scope="profile"
          name="name"
          label="Name"
          form={profile}
          autocomplete="name"
        />
        <TextField
          scope="profile"
          name="phone"
          label="Phone"
          type="tel"
          form={profile}
          autocomplete="tel"
          required={false}
        />
        <TextField
          scope="profile"
          name="businessName"
          label="Business name"
          form={profile}
          autocomplete="organization"
          required={false}
        />
        <SubmitButton>Save details</SubmitButton>
      </form>
      <form method="post" action="/account/password" class={card} noValidate>
        <h2 class="text-xl font-bold">Password</h2>
        <FormMessage form={forms.password ?? emptyForm} />
        <TextField
          scope="password"
          name="currentPassword"
          label="Current password"
          type="password"
          form={forms.password ?? emptyForm}
          autocomplete="current-password"
        />
        <TextField
          scope="password"
          name="password"
          label="New password"
          type="password"
          form={forms.password ?? emptyForm}
          autocomplete="new-password"
          hint="At least 12 characters."
        />
        <SubmitButton>Change password</SubmitButton>
      </form>
      <div id="host" class={card}>
        <h2 class="text-xl font-bold">Hosting</h2>
        {isHost
          ? <p>You are a host on Prep.</p>
          : (
            <form method="post" action="/account/host" class="space-y-3">
              <p>
                Have a licensed kitchen with idle hours? List it on Prep and
                keep your renter account too.
              </p>
              <SubmitButton>List your kitchen</SubmitButton>
            </form>
          )}
      </div>
      <form method="post" action="/account/delete" class={card} noValidate>
        <h2 class="text-xl font-bold">Delete your account</h2>
        <p class="text-stone-700">This cannot be undone.</p>
        <FormMessage form={forms.delete ?? emptyForm} />
        <TextField
          scope="delete"
          name="currentPassword"
          label="Current password"
          type="password"
          form={forms.delete ?? emptyForm}
          autocomplete="current-password"
        />
        <TextField
          scope="delete"
          name="confirm"
          label='Type "delete" to confirm'
          form={forms.delete ?? emptyForm}
        />
        <button
          type="submit"
          class="rounded-lg bg-red-700 px-4 py-2 font-semibold text-white hover:bg-red-800"
        >
          Delete my account
        </button>
      </form>
    </section>
  );
}

function renderAccount(
  c: AppContext,
  user: SessionUser,
  forms: Partial<Record<Section, FormState>> = {},
  status: 200 | 400 = 200,
) {
  const notice = NOTICES[c.req.query("notice") ?? ""];
  return page(
    c,
    { title: "Your account" },
    <AccountPage user={user} forms={forms} notice={notice} />,
    status,
  );
}

// Every account page needs a session; without one, log in and come back.
account.use(async (c, next) => {
  if (!c.var.user) return c.redirect("/login?next=/account", 303);
  await next();
});

account.get("/", (c) => renderAccount(c, c.var.user!));

account.post("/profile", async (c) => {
  const user = c.var.user!;
  const read = await readForm(c, profileForm);
  if (!read.ok) return renderAccount(c, user, { profile: read.form }, 400);
  await updateProfile(accountDeps(c), user.id, read.data);
  return c.redirect("/account?notice=profile", 303);
});

account.post("/email", async (c) => {
  const user = c.var.user!;
  const read = await readForm(c, changeEmailForm);
  if (!read.ok) return renderAccount(c, user, { email: read.form }, 400);
  try {
    await requestEmailChange(
      accountDeps(c),
      user.id,
      read.data.email,
      read.data.currentPassword,
    );
  } catch (err) {
    return renderAccount(
      c,
      user,
      { email: formFromError(read.form, err) },
      400,
    );
  }
  return c.redirect("/account?notice=email-sent", 303);
});

account.post("/password", async (c) => {
  const user = c.var.user!;
  const read = await readForm(c, changePasswordForm);
  if (!read.ok) return renderAccount(c, user, { password: read.form }, 400);
  try {
    await changePassword(
      accountDeps(c),
      user.id,
      c.var.sessionHash!,
      read.data.currentPassword,
      read.data.password,
    );
  } catch (err) {
    return renderAccount(
      c,
      user,
      { password: formFromError(read.form, err) },
      400,
    );
  }
  return c.redirect("/account?notice=password", 303);
});

account.post("/host", async (c) => {
  const deps = accountDeps(c);
  const user = await becomeHost(deps, c.var.user!.id);
  // A privilege change gets a new session id (DESIGN §8).
  const fresh = await rotateSession(
    deps.kv,
    user.id,
    c.var.sessionHash!,
    deps.now,
  );
  setSessionCookie(c, fresh.secret);
  return c.redirect("/account?notice=host", 303);
});

account.post("/delete", async (c) => {
  const user = c.var.user!;
  const read = await readForm(c, deleteAccountForm);
  if (!read.ok) return renderAccount(c, user, { delete: read.form }, 400);
  try {
    await deleteAccount(accountDeps(c), user.id, read.data.currentPassword);
  } catch (err) {
    return renderAccount(
      c,
      user,
      { delete: formFromError(read.form, err) },
      400,
    );
  }
  const secret = sessionSecret(c);
  if (secret) await endSession(c.var.kv, secret);
  clearSessionCookie(c);
  return c.redirect("/login?notice=deleted", 303);
});
