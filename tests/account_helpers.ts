/** Shared steps of the account and security tests: posting forms, cookies, mail links. */
import { giveWallet } from "./compliance_helpers.ts";
import assert from "node:assert/strict";
import { keys } from "../lib/db/keys.ts";
import { listMail } from "../lib/email/mailbox.ts";
import { createJobRunner } from "../lib/jobs/runner.ts";
import type { User } from "../lib/accounts/schema.ts";
import { setStaffRole } from "../lib/accounts/staff_roles.ts";
import { at } from "../lib/app.ts";
import { testApp } from "./helpers.ts";

export type T = Awaited<ReturnType<typeof testApp>>;

export const PASSWORD = "correct horse battery";

export async function post(
  t: T,
  path: string,
  form: Record<string, string>,
  opts: { cookie?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return await t.request(path, {
    method: "POST",
    body: new URLSearchParams(form),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Sec-Fetch-Site": "same-origin",
      ...(opts.cookie ? { Cookie: opts.cookie } : {}),
      ...opts.headers,
    },
  });
}

export async function get(
  t: T,
  path: string,
  cookie?: string,
): Promise<Response> {
  return await t.request(path, { headers: cookie ? { Cookie: cookie } : {} });
}

/** "name=value" of the session cookie a response sets. */
export function sessionCookie(res: Response): string {
  const set = res.headers.get("set-cookie") ?? "";
  const m = /(prep_session=[^;]+)/.exec(set);
  assert.ok(m, `no session cookie in: ${set}`);
  return m[1];
}

/** Runs due jobs until none are left (a job may write the next one, as a reset request does). */
export async function runJobs(t: T) {
  const runner = createJobRunner(
    t.kv,
    t.services.jobs,
    { now: t.clock, log: () => {} },
  );
  for (let pass = 0; pass < 5; pass++) {
    if ((await runner.runDue()).ran === 0) return;
  }
}

/** The link of a kind in the newest email to `to`, after running due jobs. */
export async function linkIn(t: T, to: string, path: string): Promise<string> {
  await runJobs(t);
  const mail = (await listMail(t.kv)).find((m) => m.to === to);
  assert.ok(mail, `no email to ${to}`);
  const m = new RegExp(`https?://[^/\\s]+(${path}\\?token=[A-Za-z0-9_-]+)`)
    .exec(mail.text);
  assert.ok(m, `no ${path} link in: ${mail.text}`);
  return m[1];
}

export const tokenOf = (link: string) =>
  new URL(link, "http://x").searchParams.get("token")!;

/** Signs up (which does not log in), then logs in: the session cookie. */
export async function signUp(t: T, email = "ada@example.com", intent = "rent") {
  const res = await post(t, "/signup", {
    name: "Ada Lovelace",
    email,
    password: PASSWORD,
    intent,
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/signup/sent");
  const login = await post(t, "/login", { email, password: PASSWORD });
  assert.equal(login.status, 303);
  return sessionCookie(login);
}

export async function userByEmail(t: T, email: string): Promise<User | null> {
  const id = (await t.kv.get<string>(keys.userByEmail(email))).value;
  return id ? (await t.kv.get<User>(keys.user(id))).value : null;
}

/** "name=value" of the trusted-device cookie a login sets. */
export function deviceCookie(res: Response): string {
  const m = /(prep_device=[^;]+)/.exec(res.headers.get("set-cookie") ?? "");
  assert.ok(m, "no device cookie");
  return m[1];
}

/** Signs up and logs in with a confirmed email (as if the link was used): the cookie and the user. */
export async function signUpConfirmed(
  t: T,
  email: string,
  intent = "rent",
  opts: { wallet?: boolean } = {},
): Promise<{ cookie: string; user: User }> {
  const cookie = await signUp(t, email, intent);
  const found = (await userByEmail(t, email))!;
  const user = {
    ...found,
    emailVerifiedAt: new Date(t.clock()).toISOString(),
  } satisfies User;
  await t.kv.set(keys.user(user.id), user);
  // Verified documents good for the base cities, as staff would leave them.
  if (opts.wallet) await giveWallet(t.kv, user.id, t.clock());
  return { cookie, user };
}

/**
 * Holds hours through POST /bookings, pays on the demo checkout and runs the
 * payment job: the booking id (confirmed, or requested for request-to-book).
 */
export async function bookPaid(
  t: T,
  cookie: string,
  hours: { kitchen: string; date: string; start: string; end: string },
): Promise<string> {
  const held = await post(t, "/bookings", { ...hours, acceptRules: "yes" }, {
    cookie,
  });
  assert.equal(
    held.status,
    303,
    `hold ${hours.date} ${hours.start}: ${await held.clone().text()}`,
  );
  const id = held.headers.get("location")!.split("/")[2];
  await post(t, `/bookings/${id}/pay`, {}, { cookie });
  await runJobs(t);
  return id;
}

/** Signs up `email`, gives it a staff role as `deno task admin` would, and logs in: the cookie. */
export async function staff(
  t: T,
  email: string,
  role: "admin" | "support",
): Promise<string> {
  await signUp(t, email);
  const deps = at(t.services);
  assert.ok(await setStaffRole(deps, email, role, true));
  return sessionCookie(await post(t, "/login", { email, password: PASSWORD }));
}
