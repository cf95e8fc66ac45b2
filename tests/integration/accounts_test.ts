import assert from "node:assert/strict";
import { parseAdminArgs } from "../../scripts/admin.ts";
import { sendPasswordReset } from "../../lib/accounts/password_reset.ts";
import { setStaffRole } from "../../lib/accounts/staff_roles.ts";
import { at } from "../../lib/app.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { listDeadJobs } from "../../lib/jobs/outbox.ts";
import {
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";

import {
  deviceCookie,
  get,
  linkIn,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  signUp,
  signUpConfirmed,
  staff,
  tokenOf,
  userByEmail,
} from "../account_helpers.ts";
import { RESET_REQUEST_JOB } from "../../lib/job_names.ts";

Deno.test("accounts: sign-up creates the account and emails a link that confirms it and logs in", async () => {
  const t = await testApp();
  const res = await post(t, "/signup", {
    name: "Ada Lovelace",
    email: " Ada@Example.com",
    password: PASSWORD,
    intent: "host",
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/signup/sent");
  assert.equal(res.headers.get("set-cookie"), null, "sign-up does not log in");
  const sent = await get(t, "/signup/sent");
  assert.match(
    await sent.text(),
    /We have sent a link to the address you gave/,
  );
  const user = await userByEmail(t, "ada@example.com");
  assert.deepEqual(user?.roles, ["renter", "host"]);
  assert.equal(user?.emailVerifiedAt, null);
  assert.ok((await t.kv.get(keys.host(user!.id))).value, "host profile");
  assert.doesNotMatch(JSON.stringify(user), /correct horse/);

  // An unconfirmed account can log in, and is told what confirming unlocks.
  const loggedIn = await post(t, "/login", {
    email: "ada@example.com",
    password: PASSWORD,
  });
  const set = loggedIn.headers.get("set-cookie") ?? "";
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Lax/);
  assert.doesNotMatch(set, /Secure/, "not over http");
  const account = await (await get(t, "/account", sessionCookie(loggedIn)))
    .text();
  assert.match(account, /not confirmed yet/);
  assert.match(
    account,
    /Confirm your email address \(ada@example.com\) to book kitchens or publish a listing\./,
  );

  const link = await linkIn(t, "ada@example.com", "/verify-email");
  // Following the link shows a button; only the POST confirms.
  const shown = await get(t, link);
  assert.match(await shown.text(), /Confirm my email address/);
  assert.equal(
    (await userByEmail(t, "ada@example.com"))?.emailVerifiedAt,
    null,
  );
  // Confirming from the link, signed out, logs in: it proves the inbox. A
  // host (signed up to list) goes on to their dashboard and its first step.
  const confirmed = await post(t, "/verify-email", { token: tokenOf(link) });
  assert.equal(confirmed.headers.get("location"), "/host?notice=verified");
  const cookie = sessionCookie(confirmed);
  const dashboard = await (await get(t, "/host?notice=verified", cookie))
    .text();
  assert.match(dashboard, /Your email address is confirmed\./);
  assert.match(dashboard, /List your first kitchen/);
  assert.ok((await userByEmail(t, "ada@example.com"))?.emailVerifiedAt);
  assert.match(
    await (await get(t, "/account", cookie)).text(),
    /\(confirmed\)/,
  );

  const again = await post(t, "/verify-email", { token: tokenOf(link) }, {
    cookie,
  });
  assert.equal(again.status, 400, "single use");
  assert.match(await again.text(), /expired or was already used/);
  t.close();
});

Deno.test("accounts: bad sign-up input re-renders with field errors, keeps what was typed, and saves nothing", async () => {
  const t = await testApp();
  const cases: [Record<string, string>, RegExp][] = [
    [
      { name: "", email: "a@example.com", password: PASSWORD, intent: "rent" },
      /Enter your name/,
    ],
    [
      { name: "Bo", email: "banana", password: PASSWORD, intent: "rent" },
      /Enter an email address like name@example.com/,
    ],
    [{
      name: "Bo",
      email: "b@example.com",
      password: "too short",
      intent: "rent",
    }, /Use at least 12 characters/],
    [
      {
        name: "Bo",
        email: "b@example.com",
        password: PASSWORD,
        intent: "cook",
      },
      /Choose what you want to do/,
    ],
    [{}, /Enter your name/],
  ];
  for (const [form, message] of cases) {
    const res = await post(t, "/signup", form);
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, message);
    if (form.email) assert.match(html, new RegExp(`value="${form.email}"`));
    assert.doesNotMatch(
      html,
      /correct horse|too short/,
      "passwords never echoed",
    );
  }
  let count = 0;
  for await (const _ of t.kv.list({ prefix: ["users"] })) count++;
  assert.equal(count, 0);

  t.close();
});

Deno.test("accounts: sign-up answers the same for a registered email and tells its owner instead", async () => {
  const t = await testApp();
  const form = (email: string) => ({
    name: "Other",
    email,
    password: PASSWORD,
    intent: "rent",
  });
  await signUp(t, "taken@example.com");
  const owner = await userByEmail(t, "taken@example.com");
  const dup = await post(t, "/signup", form("taken@example.com"));
  const fresh = await post(t, "/signup", form("fresh@example.com"));
  for (const res of [dup, fresh]) {
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/signup/sent");
    assert.equal(res.headers.get("set-cookie"), null);
  }
  assert.deepEqual(await userByEmail(t, "taken@example.com"), owner);
  await runJobs(t);
  const toOwner = (await listMail(t.kv)).filter((m) =>
    m.to === "taken@example.com"
  );
  assert.ok(
    toOwner.some((m) =>
      m.subject === "Someone tried to sign up for Prep with your address"
    ),
  );
  assert.ok(
    toOwner.every((m) => !m.text.includes("Other")),
    "no requester text",
  );
  t.close();
});

Deno.test("accounts: a registered address gets at most one sign-up attempt notice a day, whatever the source", async () => {
  const t = await testApp();
  const notice = "Someone tried to sign up for Prep with your address";
  const noticesTo = async (to: string) => {
    await runJobs(t);
    return (await listMail(t.kv)).filter((m) =>
      m.to === to && m.subject === notice
    ).length;
  };
  await signUp(t, "taken@example.com");
  const attempt = (email: string, from: string) =>
    t.app.request("/signup", {
      method: "POST",
      body: new URLSearchParams({
        name: "Other",
        email,
        password: PASSWORD,
        intent: "rent",
      }),
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Sec-Fetch-Site": "same-origin",
      },
    }, { remoteAddr: { hostname: from } });
  const answers = await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) => attempt("taken@example.com", `198.51.100.${i + 1}`),
    ),
  );
  const unknown = await attempt("fresh@example.com", "198.51.100.99");
  for (const res of [...answers, unknown]) {
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/signup/sent");
    assert.equal(res.headers.get("set-cookie"), null);
    assert.equal(await res.text(), "");
  }
  assert.equal(await noticesTo("taken@example.com"), 1);
  // The next day the owner may be told again, once.
  t.advance(24 * 3600_000);
  for (let i = 0; i < 3; i++) {
    assert.equal(
      (await attempt("taken@example.com", "203.0.113.7")).status,
      303,
    );
  }
  assert.equal(await noticesTo("taken@example.com"), 2);
  t.close();
});

Deno.test("accounts: a cross-site POST is refused and changes nothing", async () => {
  const t = await testApp();
  const form = {
    name: "Eve",
    email: "eve@example.com",
    password: PASSWORD,
    intent: "rent",
  };
  for (
    const headers of [
      { "Sec-Fetch-Site": "cross-site" } as Record<string, string>,
      { "Sec-Fetch-Site": "same-site" },
      { "Sec-Fetch-Site": "", Origin: "https://evil.example" },
    ]
  ) {
    const res = await t.request("/signup", {
      method: "POST",
      body: new URLSearchParams(form),
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        ...headers,
      },
    });
    assert.equal(res.status, 403, JSON.stringify(headers));
    assert.match(await res.text(), /sent from another site/);
  }
  assert.equal(await userByEmail(t, "eve@example.com"), null);
  const sameOrigin = await t.request("/signup", {
    method: "POST",
    body: new URLSearchParams(form),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: "http://localhost:8000",
    },
  });
  assert.equal(sameOrigin.status, 303);
  t.close();
});

Deno.test("accounts: login gives one answer for unknown emails and wrong passwords, and a new session id each time", async () => {
  const t = await testApp();
  const first = await signUp(t);
  const wrong = await post(t, "/login", {
    email: "ada@example.com",
    password: "not the password",
  });
  const unknown = await post(t, "/login", {
    email: "nobody@example.com",
    password: "not the password",
  });
  assert.equal(wrong.status, 400);
  assert.equal(unknown.status, 400);
  const message = /That email and password do not match an account\./;
  const [a, b] = [await wrong.text(), await unknown.text()];
  assert.match(a, message);
  assert.match(b, message);
  assert.equal(
    a.replace(/nonce-[^"']+|value="[^"]*"/g, ""),
    b.replace(/nonce-[^"']+|value="[^"]*"/g, ""),
  );

  const ok = await post(t, "/login", {
    email: "ADA@example.com",
    password: PASSWORD,
    next: "/kitchens/x",
  });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get("location"), "/kitchens/x");
  assert.notEqual(sessionCookie(ok), first);
  const evil = await post(t, "/login", {
    email: "ada@example.com",
    password: PASSWORD,
    next: "//evil.example",
  });
  assert.equal(evil.headers.get("location"), "/");
  t.close();
});

Deno.test("accounts: an unknown email costs a login as much work as a known one", async () => {
  const t = await testApp();
  await signUp(t);
  const time = async (email: string) => {
    const start = performance.now();
    await (await post(t, "/login", { email, password: "not the password" }))
      .body?.cancel();
    return performance.now() - start;
  };
  const known = await time("ada@example.com");
  const unknown = await time("nobody@example.com");
  // Both run a 600k-iteration PBKDF2; without the decoy the unknown path takes ~1 ms.
  assert.ok(unknown > known / 3, `known ${known} ms, unknown ${unknown} ms`);
  t.close();
});

Deno.test("accounts: logout ends the session on the server", async () => {
  const t = await testApp();
  const cookie = await signUp(t);
  assert.equal((await get(t, "/account", cookie)).status, 200);
  const out = await post(t, "/logout", {}, { cookie });
  assert.equal(out.headers.get("location"), "/login?notice=logged-out");
  const after = await get(t, "/account", cookie);
  assert.equal(after.status, 303, "the old cookie no longer works");
  assert.equal(after.headers.get("location"), "/login?next=/account");
  t.close();
});

Deno.test("accounts: sessions end after idle time and after their lifetime, whatever the cookie says", async () => {
  const t = await testApp();
  const cookie = await signUp(t);
  const hour = 3600_000;
  t.advance(70 * hour);
  assert.equal(
    (await get(t, "/account", cookie)).status,
    200,
    "within 3 days idle",
  );
  t.advance(73 * hour);
  assert.equal(
    (await get(t, "/account", cookie)).status,
    303,
    "idle for over 3 days",
  );

  const active = await signUp(t, "bo@example.com");
  for (let day = 0; day < 31; day++) {
    t.advance(24 * hour);
    const res = await get(t, "/account", active);
    await res.body?.cancel();
    if (day < 29) assert.equal(res.status, 200, `day ${day + 1}`);
    else assert.equal(res.status, 303, `day ${day + 1}: past 30 days`);
  }
  t.close();
});

Deno.test("accounts: over https the cookie is __Host- and Secure", async () => {
  const t = await testApp(undefined, { BASE_URL: "https://prep.example" });
  const headers = { Origin: "https://prep.example", "Sec-Fetch-Site": "" };
  await post(t, "/signup", {
    name: "Ada",
    email: "ada@example.com",
    password: PASSWORD,
    intent: "rent",
  }, { headers });
  const res = await post(t, "/login", {
    email: "ada@example.com",
    password: PASSWORD,
  }, { headers });
  assert.equal(res.status, 303);
  assert.match(
    res.headers.get("set-cookie") ?? "",
    /^__Host-prep_session=[^;]+;.*Secure/,
  );
  t.close();
});

Deno.test("accounts: password reset works once, within an hour, and ends every session", async () => {
  const t = await testApp();
  const cookie = await signUp(t);
  const other = sessionCookie(
    await post(t, "/login", { email: "ada@example.com", password: PASSWORD }),
  );

  for (const email of ["ada@example.com", "nobody@example.com"]) {
    const res = await post(t, "/forgot-password", { email });
    assert.equal(res.status, 200);
    assert.match(
      await res.text(),
      /If an account uses that address, we have emailed it a link\. The link works for 60 minutes\./,
    );
  }
  await runJobs(t);
  assert.equal(
    (await listMail(t.kv)).filter((m) => m.to === "nobody@example.com").length,
    0,
  );
  const link = await linkIn(t, "ada@example.com", "/reset-password");
  assert.match(await (await get(t, link)).text(), /Choose a new password/);

  const short = await post(t, "/reset-password", {
    token: tokenOf(link),
    password: "too short",
  });
  assert.equal(short.status, 400);
  assert.match(await short.text(), /Use at least 12 characters/);

  const done = await post(t, "/reset-password", {
    token: tokenOf(link),
    password: "a brand new passphrase",
  });
  assert.equal(done.headers.get("location"), "/login?notice=password-reset");
  for (const c of [cookie, other]) {
    assert.equal(
      (await get(t, "/account", c)).status,
      303,
      "every session ended",
    );
  }
  assert.equal(
    (await post(t, "/login", { email: "ada@example.com", password: PASSWORD }))
      .status,
    400,
  );
  assert.equal(
    (await post(t, "/login", {
      email: "ada@example.com",
      password: "a brand new passphrase",
    })).status,
    303,
  );
  const reused = await post(t, "/reset-password", {
    token: tokenOf(link),
    password: "yet another passphrase",
  });
  assert.equal(reused.status, 400);
  await runJobs(t);
  assert.ok(
    (await listMail(t.kv)).some((m) =>
      m.to === "ada@example.com" && /password/i.test(m.subject) &&
      /changed/i.test(m.subject)
    ),
  );

  await post(t, "/forgot-password", { email: "ada@example.com" });
  const late = await linkIn(t, "ada@example.com", "/reset-password");
  t.advance(61 * 60_000);
  const expired = await get(t, late);
  assert.equal(expired.status, 400);
  assert.match(await expired.text(), /expired or was already used/);
  t.close();
});

Deno.test("accounts: a confirmation link lasts 24 hours", async () => {
  const t = await testApp();
  const cookie = await signUp(t);
  const link = await linkIn(t, "ada@example.com", "/verify-email");
  t.advance(24 * 3600_000 + 1);
  const res = await post(t, "/verify-email", { token: tokenOf(link) }, {
    cookie,
  });
  assert.equal(res.status, 400);
  assert.equal(
    (await userByEmail(t, "ada@example.com"))?.emailVerifiedAt,
    null,
  );
  t.close();
});

Deno.test("accounts: wrong passwords slow further attempts down but never lock the owner out", async () => {
  const t = await testApp();
  await post(t, "/signup", {
    name: "Ada",
    email: "ada@example.com",
    password: PASSWORD,
    intent: "rent",
  });
  const ownDevice = deviceCookie(
    await post(t, "/login", { email: "ada@example.com", password: PASSWORD }),
  );
  const guess = (password: string, cookie?: string) =>
    post(t, "/login", { email: "ada@example.com", password }, { cookie });
  // The first five wrong guesses cost nothing; then each must wait longer.
  for (let i = 0; i < 5; i++) {
    assert.equal((await guess("wrong password " + i)).status, 400);
  }
  const slowed = await guess("wrong password 5");
  assert.equal(slowed.status, 429);
  assert.match(
    await slowed.text(),
    /Too many attempts\. Please try again in 1 second\./,
  );
  // Even the right password waits, from a browser that never logged in…
  assert.equal((await guess(PASSWORD)).status, 429);
  // …but the owner's own browser is never held up.
  const owner = await guess(PASSWORD, ownDevice);
  assert.equal(owner.status, 303);
  assert.equal(
    owner.headers.get("set-cookie")?.includes("prep_device="),
    false,
    "already trusted",
  );

  // Delays double: 1 s after five failures, 2 s after six, 4 s after seven.
  t.advance(1000);
  assert.equal((await guess("wrong password 6")).status, 400);
  t.advance(1000);
  assert.equal((await guess("wrong password 7")).status, 429);
  t.advance(1000);
  assert.equal((await guess("wrong password 7")).status, 400);
  t.advance(3999);
  assert.equal((await guess(PASSWORD)).status, 429);
  t.advance(1);
  // After the wait, the right password from anywhere works and clears the count.
  assert.equal((await guess(PASSWORD)).status, 303);
  assert.equal((await guess("wrong again")).status, 400);

  await runJobs(t);
  const notices = (await listMail(t.kv)).filter((m) =>
    m.to === "ada@example.com" &&
    m.subject === "Failed attempts to log in to your Prep account"
  );
  assert.equal(notices.length, 1, "the owner is told once");
  assert.match(notices[0].text, /\/forgot-password/);
  t.close();
});

Deno.test("accounts: sign-up and reset are rate limited", async () => {
  const t = await testApp();
  await signUp(t);
  for (let i = 0; i < 3; i++) {
    await (await post(t, "/forgot-password", { email: "ada@example.com" })).body
      ?.cancel();
  }
  assert.equal(
    (await post(t, "/forgot-password", { email: "ada@example.com" })).status,
    429,
  );

  for (let i = 0; i < 9; i++) await signUp(t, `u${i}@example.com`);
  const res = await post(t, "/signup", {
    name: "X",
    email: "x@example.com",
    password: PASSWORD,
    intent: "rent",
  });
  assert.equal(res.status, 429);
  assert.equal(await userByEmail(t, "x@example.com"), null);
  t.close();
});

Deno.test("accounts: a registered address gets at most one email-change notice a day, whatever account asks", async () => {
  const t = await testApp();
  const notice = "Someone tried to use your address on another Prep account";
  const noticesTo = async (to: string) => {
    await runJobs(t);
    return (await listMail(t.kv)).filter((m) =>
      m.to === to && m.subject === notice
    ).length;
  };
  await signUp(t, "taken@example.com");
  const askers = await Promise.all(
    ["a1", "a2", "a3", "a4"].map((n) => signUp(t, `${n}@example.com`)),
  );
  const change = (cookie: string, email: string) =>
    post(t, "/account/email", { email, currentPassword: PASSWORD }, {
      cookie,
    });
  // Every asker, twice (under each account's own limit), all at once.
  const answers = await Promise.all(
    [...askers, ...askers].map((cookie) => change(cookie, "taken@example.com")),
  );
  const fresh = await change(askers[0], "fresh@example.com");
  for (const res of [...answers, fresh]) {
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/account?notice=email-sent");
    assert.equal(await res.text(), "");
  }
  assert.equal(await noticesTo("taken@example.com"), 1);
  // The next day the owner may be told again, once.
  t.advance(24 * 3600_000);
  for (const cookie of askers.slice(0, 2)) {
    assert.equal((await change(cookie, "taken@example.com")).status, 303);
  }
  assert.equal(await noticesTo("taken@example.com"), 2);
  t.close();
});

Deno.test("accounts: the account page changes details, password and email, with the current password", async () => {
  const t = await testApp();
  const cookie = await signUp(t);
  const other = sessionCookie(
    await post(t, "/login", { email: "ada@example.com", password: PASSWORD }),
  );

  const bad = await post(t, "/account/profile", {
    name: "",
    phone: "call me",
    businessName: "Ada's",
  }, { cookie });
  assert.equal(bad.status, 400);
  const badHtml = await bad.text();
  assert.match(badHtml, /Enter your name/);
  assert.match(badHtml, /Use digits, spaces and \+ \( \) - only/);
  assert.match(badHtml, /value="Ada&#39;s"|value="Ada's"/);
  const saved = await post(t, "/account/profile", {
    name: "Ada L.",
    phone: "+1 312 555 0100",
    businessName: "Ada's Bakes",
  }, { cookie });
  assert.equal(saved.headers.get("location"), "/account?notice=profile");
  assert.equal(
    (await userByEmail(t, "ada@example.com"))?.phone,
    "+1 312 555 0100",
  );

  const wrong = await post(t, "/account/password", {
    currentPassword: "not it at all",
    password: "a brand new passphrase",
  }, { cookie });
  assert.equal(wrong.status, 400);
  assert.match(await wrong.text(), /That password is not right\./);
  const changed = await post(t, "/account/password", {
    currentPassword: PASSWORD,
    password: "a brand new passphrase",
  }, { cookie });
  assert.equal(changed.headers.get("location"), "/account?notice=password");
  assert.equal(
    (await get(t, "/account", cookie)).status,
    200,
    "this session stays",
  );
  assert.equal(
    (await get(t, "/account", other)).status,
    303,
    "other sessions end",
  );

  const change = await post(t, "/account/email", {
    email: "ada@new.example",
    currentPassword: "a brand new passphrase",
  }, { cookie });
  assert.equal(change.headers.get("location"), "/account?notice=email-sent");
  assert.equal(
    (await userByEmail(t, "ada@example.com"))?.email,
    "ada@example.com",
    "unchanged until confirmed",
  );
  const link = await linkIn(t, "ada@new.example", "/verify-email");
  await post(t, "/verify-email", { token: tokenOf(link) }, { cookie });
  assert.equal(await userByEmail(t, "ada@example.com"), null);
  assert.equal(
    (await userByEmail(t, "ada@new.example"))?.email,
    "ada@new.example",
  );
  await runJobs(t);
  const notice = (await listMail(t.kv)).find((m) =>
    m.to === "ada@example.com" && m.text.includes("ada@new.example")
  );
  assert.ok(notice, "the old address is told");
  t.close();
});

Deno.test("accounts: listing a kitchen makes a renter a host with a new session id", async () => {
  const t = await testApp();
  const cookie = await signUp(t);
  const res = await post(t, "/account/host", {}, { cookie });
  assert.equal(res.headers.get("location"), "/account?notice=host");
  const fresh = sessionCookie(res);
  assert.notEqual(fresh, cookie);
  assert.equal(
    (await get(t, "/account", cookie)).status,
    303,
    "old id is gone",
  );
  const page = await (await get(t, "/account?notice=host", fresh)).text();
  assert.match(page, /You are now a host/);
  const user = await userByEmail(t, "ada@example.com");
  assert.deepEqual(user?.roles, ["renter", "host"]);
  assert.equal(
    (await t.kv.get<{ name: string }>(keys.host(user!.id))).value?.name,
    "Ada Lovelace",
  );
  t.close();
});

Deno.test("accounts: deleting an account needs the password and removes the sign-in", async () => {
  const t = await testApp();
  const cookie = await signUp(t);
  const wrong = await post(t, "/account/delete", {
    currentPassword: "not it at all",
    confirm: "delete",
  }, { cookie });
  assert.equal(wrong.status, 400);
  const unconfirmed = await post(t, "/account/delete", {
    currentPassword: PASSWORD,
    confirm: "",
  }, { cookie });
  assert.match(await unconfirmed.text(), /Type delete to confirm/);
  const gone = await post(t, "/account/delete", {
    currentPassword: PASSWORD,
    confirm: "delete",
  }, { cookie });
  assert.equal(gone.headers.get("location"), "/login?notice=deleted");
  assert.equal(await userByEmail(t, "ada@example.com"), null);
  assert.equal((await get(t, "/account", cookie)).status, 303);
  assert.equal(
    (await post(t, "/login", { email: "ada@example.com", password: PASSWORD }))
      .status,
    400,
  );
  t.close();
});

Deno.test("accounts: staff pages are for admin and support only", async () => {
  const t = await testApp(undefined, { ADMIN_EMAILS: "boss@example.com" });
  await seedDemoAccounts(t.kv);
  const as = async (email: string) =>
    sessionCookie(await post(t, "/login", { email, password: DEMO_PASSWORD }));
  const anonymous = await get(t, "/admin");
  assert.equal(anonymous.status, 403);
  for (
    const [email, status] of [
      ["renter@prep.test", 403],
      ["host@prep.test", 403],
      ["support@prep.test", 200],
      ["admin@prep.test", 200],
    ] as const
  ) {
    const res = await get(t, "/admin", await as(email));
    assert.equal(res.status, status, email);
    if (status === 200) assert.match(await res.text(), /Failed jobs/);
    else await res.body?.cancel();
  }
  // ADMIN_EMAILS makes an admin at sign-up.
  const boss = await signUp(t, "boss@example.com");
  assert.equal((await get(t, "/admin", boss)).status, 200);
  t.close();
});

Deno.test("accounts: a failing email is retried and then shown to staff as a failed job", async () => {
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () =>
      Response.json({ name: "application_error", message: "down" }, {
        status: 500,
      }),
  );
  const t = await testApp(undefined, {
    RESEND_API_KEY: "re_test",
    RESEND_API_URL: `http://127.0.0.1:${server.addr.port}`,
  });
  await signUp(t);
  for (let i = 0; i < 5; i++) {
    await runJobs(t);
    t.advance(2 * 3600_000);
  }
  const dead = await listDeadJobs(t.kv);
  assert.equal(dead.length, 1);
  assert.equal(dead[0].attempts, 5);
  assert.match(dead[0].lastError ?? "", /500/);
  await seedDemoAccounts(t.kv);
  const admin = sessionCookie(
    await post(t, "/login", {
      email: "admin@prep.test",
      password: DEMO_PASSWORD,
    }),
  );
  // The overview counts it and leads to the failed jobs, which show it.
  const home = await (await get(t, "/admin", admin)).text();
  assert.match(home, /1 background job failed\./);
  assert.match(home, /href="\/admin\/jobs"/);
  const page = await (await get(t, "/admin/jobs", admin)).text();
  assert.match(page, /email\.send/);
  assert.match(page, /Resend answered 500/);
  t.close();
  await server.shutdown();
});

Deno.test("accounts: `deno task admin` grants a staff role and ends the account's sessions", async () => {
  const t = await testApp();
  const cookie = await signUp(t);
  assert.equal((await get(t, "/admin", cookie)).status, 403);
  const deps = {
    kv: t.kv,
    now: t.clock(),
    mail: { from: "x@example.com", baseUrl: "http://x", wake: false },
    adminEmails: [],
    devFeatures: true,
  };
  assert.equal(
    await setStaffRole(deps, "nobody@example.com", "admin", true),
    null,
  );
  const user = await setStaffRole(deps, "ada@example.com", "support", true);
  assert.deepEqual(user?.roles, ["renter", "support"]);
  assert.equal(
    (await get(t, "/account", cookie)).status,
    303,
    "privilege change needs a new session",
  );
  const fresh = sessionCookie(
    await post(t, "/login", { email: "ada@example.com", password: PASSWORD }),
  );
  assert.equal((await get(t, "/admin", fresh)).status, 200);
  await setStaffRole(deps, "ada@example.com", "support", false);
  assert.deepEqual((await userByEmail(t, "ada@example.com"))?.roles, [
    "renter",
  ]);

  const cases: [string[], string | null][] = [
    [["ada@example.com"], "admin"],
    [["ada@example.com", "--support"], "support"],
    [["ada@example.com", "--revoke"], "admin"],
    [["--support"], null],
    [["ada@example.com", "--root"], null],
  ];
  for (const [argv, role] of cases) {
    const parsed = parseAdminArgs(argv);
    assert.equal(parsed.ok ? parsed.role : null, role, argv.join(" "));
  }
  t.close();
});

Deno.test("accounts: an unconfirmed user can ask for a new link, a few times an hour", async () => {
  const t = await testApp();
  const anonymous = await post(t, "/verify-email/resend", {});
  assert.equal(anonymous.headers.get("location"), "/login?next=/account");
  const cookie = await signUp(t);
  for (let i = 0; i < 3; i++) {
    const res = await post(t, "/verify-email/resend", {}, { cookie });
    assert.equal(res.headers.get("location"), "/account?notice=resent");
  }
  const limited = await post(t, "/verify-email/resend", {}, { cookie });
  assert.equal(
    limited.headers.get("location"),
    "/account?notice=resend-limited",
  );
  await runJobs(t);
  const links = (await listMail(t.kv)).filter((m) =>
    m.to === "ada@example.com" && m.text.includes("/verify-email?token=")
  );
  assert.equal(links.length, 4, "sign-up plus three resends");
  // Any of the links confirms; the page then stops offering a resend.
  const token = /token=([A-Za-z0-9_-]+)/.exec(links[1].text)![1];
  await post(t, "/verify-email", { token }, { cookie });
  const page = await (await get(t, "/account", cookie)).text();
  assert.doesNotMatch(page, /Resend the confirmation email/);
  assert.doesNotMatch(page, /Confirm your email address \(/);
  t.close();
});

Deno.test("accounts: a reset request is one job for any address; the link is sent once, to accounts only", async () => {
  const t = await testApp();
  await signUp(t);
  await runJobs(t);
  for (const email of ["ada@example.com", "nobody@example.com"]) {
    await (await post(t, "/forgot-password", { email })).body?.cancel();
  }
  const jobs = [];
  for await (const e of t.kv.list<{ type: string }>({ prefix: ["jobs"] })) {
    jobs.push(e.value.type);
  }
  assert.deepEqual(jobs, [RESET_REQUEST_JOB, RESET_REQUEST_JOB]);

  const deps = at(t.services);
  await sendPasswordReset(deps, "ada@example.com", "job-1");
  await sendPasswordReset(deps, "ada@example.com", "job-1");
  await sendPasswordReset(deps, "nobody@example.com", "job-2");
  await runJobs(t);
  const resets = (await listMail(t.kv)).filter((m) =>
    m.text.includes("/reset-password?token=")
  );
  assert.deepEqual(resets.map((m) => m.to), [
    "ada@example.com",
    "ada@example.com",
  ], "one from the route's job, one from job-1 (retried, sent once)");
  t.close();
});

Deno.test("accounts: a host with kitchens cannot delete the account, and nothing is removed", async () => {
  const t = await testApp();
  await seedDemoAccounts(t.kv);
  const host = await userByEmail(t, "host@prep.test");
  await addKitchens(t.kv, host!.id, [kitchenFixture()]);
  const cookie = sessionCookie(
    await post(t, "/login", {
      email: "host@prep.test",
      password: DEMO_PASSWORD,
    }),
  );
  const res = await post(t, "/account/delete", {
    currentPassword: DEMO_PASSWORD,
    confirm: "delete",
  }, { cookie });
  assert.equal(res.status, 400);
  assert.match(
    await res.text(),
    /Your kitchens are still listed\. Contact support/,
  );
  assert.ok(await userByEmail(t, "host@prep.test"));
  assert.equal(
    (await get(t, "/account", cookie)).status,
    200,
    "still logged in",
  );
  t.close();
});

Deno.test("accounts: a login with nowhere else to go lands staff on /admin, hosts on /host, renters on /account", async () => {
  const t = await testApp();
  try {
    await signUpConfirmed(t, "rita@example.com");
    await signUpConfirmed(t, "hugo@example.com", "host");
    await staff(t, "ada@example.com", "admin");
    await staff(t, "sam@example.com", "support");
    const cases: [string, string | null, string][] = [
      ["rita@example.com", null, "/account"],
      ["hugo@example.com", null, "/host"],
      ["ada@example.com", null, "/admin"],
      ["sam@example.com", null, "/admin"],
      // Where they were going still wins.
      ["hugo@example.com", "/bookings", "/bookings"],
      ["ada@example.com", "/search?city=chicago", "/search?city=chicago"],
    ];
    for (const [email, next, landing] of cases) {
      const res = await post(t, "/login", {
        email,
        password: PASSWORD,
        ...(next ? { next } : {}),
      });
      assert.equal(res.status, 303, email);
      assert.equal(res.headers.get("location"), landing, `${email} ${next}`);
    }
  } finally {
    t.close();
  }
});
