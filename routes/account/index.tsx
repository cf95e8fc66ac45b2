import { deleteRenterAccount } from "../../lib/bookings/account_deletion.ts";
import { Hono } from "hono";
import {
  AccountPage,
  type AccountSection,
} from "../../components/AccountPage.tsx";
import type { FormState } from "../../components/Forms.tsx";
import type { SessionUser } from "../../lib/accounts/schema.ts";
import {
  changeEmailForm,
  changePasswordForm,
  deleteAccountForm,
  profileForm,
} from "../../lib/accounts/schema.ts";
import { endSession, rotateSession } from "../../lib/accounts/sessions.ts";
import { changePassword } from "../../lib/accounts/password_change.ts";
import {
  requestEmailChange,
  updateProfile,
} from "../../lib/accounts/profile.ts";
import { becomeHost } from "../../lib/accounts/signup.ts";
import { loadAccountCards } from "../../lib/reviews/pages.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import { wallet } from "./compliance.tsx";
import { messageSettings } from "./messages.tsx";
import { getMessageSettings } from "../../lib/messages/settings.ts";
import { notifications } from "./notifications.tsx";
import { formFailure, readForm, readNotice } from "../forms.ts";
import { redirect } from "../headers.ts";
import {
  clearSessionCookie,
  sessionSecret,
  setSessionCookie,
} from "../session.ts";
import { at } from "../../lib/app.ts";

/**
 * /account: the signed-in person's details, email, password, becoming a
 * host and deleting the account; the wallet (/account/compliance) and
 * notifications (/account/notifications) are sub-apps of their own.
 */
export const account = new Hono<AppEnv>();

// Mounted before the login check below, which sends people back to
// /account: each of these asks for a session itself and comes back to its
// own page.
account.route("/compliance", wallet);
account.route("/notifications", notifications);

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
    "You are now a host. List your first kitchen from Hosting in the menu; your listings and payouts live on this account.",
  "message-emails-on":
    "We will email you when a message is unread for 10 minutes.",
  "message-emails-off": "We will not email you about unread messages.",
};

async function renderAccount(
  c: AppContext,
  user: SessionUser,
  forms: Partial<Record<AccountSection, FormState>> = {},
  status: 200 | 400 | 409 | 429 = 200,
) {
  const notice = NOTICES[readNotice(c)];
  const [{ continueBooking, reviewsDue }, messages] = await Promise.all([
    loadAccountCards(c.var.services.kv, user.id, c.var.services.clock()),
    getMessageSettings(c.var.services.kv, user.id),
  ]);
  return page(
    c,
    { title: "Your account" },
    <AccountPage
      user={user}
      forms={forms}
      notice={notice}
      continueBooking={continueBooking}
      messageEmails={messages.emailUnread}
      reviewsDue={reviewsDue}
    />,
    status,
  );
}

// Every account page needs a session; without one, log in and come back.
account.use(async (c, next) => {
  if (!c.var.user) return redirect(c, "/login?next=/account");
  await next();
});

account.get("/", (c) => renderAccount(c, c.var.user!));
account.route("/messages", messageSettings);

account.post("/profile", async (c) => {
  const user = c.var.user!;
  const read = await readForm(c, profileForm);
  if (!read.ok) return renderAccount(c, user, { profile: read.form }, 400);
  await updateProfile(at(c.var.services), user.id, read.data);
  return redirect(c, "/account?notice=profile");
});

account.post("/email", async (c) => {
  const user = c.var.user!;
  const read = await readForm(c, changeEmailForm);
  if (!read.ok) return renderAccount(c, user, { email: read.form }, 400);
  try {
    await requestEmailChange(
      at(c.var.services),
      user.id,
      read.data.email,
      read.data.currentPassword,
    );
  } catch (err) {
    const failed = formFailure(read.form, err);
    return renderAccount(c, user, { email: failed.form }, failed.status);
  }
  return redirect(c, "/account?notice=email-sent");
});

account.post("/password", async (c) => {
  const user = c.var.user!;
  const read = await readForm(c, changePasswordForm);
  if (!read.ok) return renderAccount(c, user, { password: read.form }, 400);
  try {
    await changePassword(
      at(c.var.services),
      user.id,
      c.var.sessionHash!,
      read.data.currentPassword,
      read.data.password,
    );
  } catch (err) {
    const failed = formFailure(read.form, err);
    return renderAccount(c, user, { password: failed.form }, failed.status);
  }
  return redirect(c, "/account?notice=password");
});

account.post("/host", async (c) => {
  const deps = at(c.var.services);
  const user = await becomeHost(deps, c.var.user!.id);
  // A privilege change gets a new session id (DESIGN §8).
  const fresh = await rotateSession(
    deps.kv,
    user.id,
    c.var.sessionHash!,
    deps.now,
  );
  setSessionCookie(c, fresh.secret);
  return redirect(c, "/account?notice=host");
});

account.post("/delete", async (c) => {
  const user = c.var.user!;
  const read = await readForm(c, deleteAccountForm);
  if (!read.ok) return renderAccount(c, user, { delete: read.form }, 400);
  try {
    await deleteRenterAccount(
      at(c.var.services),
      user.id,
      read.data.currentPassword,
    );
  } catch (err) {
    const failed = formFailure(read.form, err);
    return renderAccount(c, user, { delete: failed.form }, failed.status);
  }
  const secret = sessionSecret(c);
  if (secret) await endSession(c.var.services.kv, secret);
  clearSessionCookie(c);
  return redirect(c, "/login?notice=deleted");
});
