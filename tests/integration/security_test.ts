/**
 * Regression tests for the security review (issue 7): each fails on the code
 * the review ran against.
 */
import assert from "node:assert/strict";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import {
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import {
  get,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  signUp,
  userByEmail,
} from "../account_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const HOSTILE_NEXT = [
  "/a\u007fb",
  "/\u007f",
  "/a\u0000b",
  "/a\nb",
  "/a\rb",
  "/a\u0001b",
  "/a\u001fb",
  "/\t/evil.example",
  "/\t\\evil.example",
  "/\\evil.example",
  "//evil.example",
  "https://evil.example/",
  "/a\u0085b",
];

Deno.test("security: a login whose next has control bytes or another host goes home", async () => {
  const t = await testApp();
  await signUp(t);
  for (const next of HOSTILE_NEXT) {
    const res = await post(t, "/login", {
      email: "ada@example.com",
      password: PASSWORD,
      next,
    });
    assert.equal(res.status, 303, JSON.stringify(next));
    assert.equal(res.headers.get("location"), "/", JSON.stringify(next));
  }
  const fine = await post(t, "/login", {
    email: "ada@example.com",
    password: PASSWORD,
    next: "/search?city=chicago&date=2026-12-02",
  });
  assert.equal(
    fine.headers.get("location"),
    "/search?city=chicago&date=2026-12-02",
  );
  t.close();
});

Deno.test("security: the lure /login?next=/%7F cannot take a real server down", async () => {
  const t = await testApp();
  await signUp(t);
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    t.app.fetch,
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  try {
    const lure = await fetch(`${origin}/login?next=/%7F`);
    assert.equal(lure.status, 200);
    await lure.body?.cancel();
    for (const next of ["/a%7Fb", "/%7F", "/a%00b", "/a%0Ab", "/a%0Db"]) {
      const res = await fetch(`${origin}/login`, {
        method: "POST",
        redirect: "manual",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Sec-Fetch-Site": "same-origin",
        },
        body: `email=ada%40example.com&password=${
          encodeURIComponent(PASSWORD)
        }&next=${next}`,
      });
      await res.body?.cancel();
      assert.equal(res.status, 303, next);
      assert.equal(res.headers.get("location"), "/", next);
    }
    const alive = await fetch(`${origin}/`);
    assert.equal(alive.status, 200, "still serving");
    await alive.body?.cancel();
  } finally {
    await server.shutdown();
    t.close();
  }
});

Deno.test("security: demo accounts cannot log in, and the mailbox is gone, on a public BASE_URL", async () => {
  const t = await testApp(undefined, {
    APP_ENV: "development",
    BASE_URL: "https://prep.example",
  });
  assert.equal(t.config.DEV_FEATURES, false);
  // As if seeded before the deployment was given a public BASE_URL.
  await seedDemoAccounts(t.kv);
  const headers = { Origin: "https://prep.example", "Sec-Fetch-Site": "" };
  const res = await post(t, "/login", {
    email: "renter@prep.test",
    password: DEMO_PASSWORD,
  }, { headers });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /do not match an account/);
  assert.equal((await get(t, "/dev/mailbox")).status, 404);
  t.close();

  const local = await testApp();
  await seedDemoAccounts(local.kv);
  const ok = await post(local, "/login", {
    email: "renter@prep.test",
    password: DEMO_PASSWORD,
  });
  assert.equal(ok.status, 303, "on localhost the demo accounts work");
  local.close();
});

Deno.test("security: every route refuses a body over its limit before parsing it", async () => {
  const t = await testApp();
  const big = "email=a%40example.com&password=" + "x".repeat(256 * 1024);
  const sized = await post(
    t,
    "/login",
    Object.fromEntries(
      new URLSearchParams(big),
    ),
  );
  assert.equal(sized.status, 413);
  assert.match(await sized.text(), /That request is too large/);

  // No Content-Length: the limit counts the bytes as they stream in.
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= 4 * 1024 * 1024) return controller.close();
      sent += 64 * 1024;
      controller.enqueue(new Uint8Array(64 * 1024).fill(0x61));
    },
  });
  const streamed = await t.request("/signup", {
    method: "POST",
    body: stream,
    headers: {
      "Content-Type": "multipart/form-data; boundary=x",
      "Sec-Fetch-Site": "same-origin",
    },
  });
  assert.equal(streamed.status, 413);
  await streamed.body?.cancel();
  assert.ok(sent < 4 * 1024 * 1024, "stopped reading early");

  const api = await t.request("/api/anything", {
    method: "POST",
    body: "x".repeat(100_000),
    headers: { "Sec-Fetch-Site": "same-origin" },
  });
  assert.equal(api.status, 413);
  assert.match((await api.json()).error, /too large/);

  let users = 0;
  for await (const _ of t.kv.list({ prefix: ["users"] })) users++;
  assert.equal(users, 0);
  t.close();
});

Deno.test("security: an email change is rate limited and does not reveal registered addresses", async () => {
  const t = await testApp();
  await signUp(t, "other@example.com");
  const cookie = await signUp(t, "ada@example.com");
  await runJobs(t);
  const before = (await listMail(t.kv)).length;
  const change = (email: string) =>
    post(t, "/account/email", { email, currentPassword: PASSWORD }, {
      cookie,
    });
  const taken = await change("other@example.com");
  const free = await change("new@example.com");
  for (const res of [taken, free]) {
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/account?notice=email-sent");
  }
  await runJobs(t);
  const mail = (await listMail(t.kv)).slice(
    0,
    (await listMail(t.kv)).length - before,
  );
  const toOther = mail.filter((m) => m.to === "other@example.com");
  assert.equal(toOther.length, 1);
  assert.equal(
    toOther[0].subject,
    "Someone tried to use your address on another Prep account",
  );
  assert.doesNotMatch(toOther[0].text, /verify-email|Ada/);
  assert.ok(mail.some((m) => m.to === "new@example.com"));

  for (let i = 0; i < 3; i++) {
    assert.equal((await change(`n${i}@example.com`)).status, 303);
  }
  const limited = await change("n9@example.com");
  assert.equal(limited.status, 429);
  assert.match(await limited.text(), /Too many attempts/);
  await runJobs(t);
  assert.ok(
    !(await listMail(t.kv)).some((m) => m.to === "n9@example.com"),
    "no mail once limited",
  );
  t.close();
});

Deno.test("security: over-long or malformed ids are a 404, never a KV error", async () => {
  const t = await testApp();
  const host = await addHost(t.kv);
  const [k] = await addKitchens(t.kv, host.id, [kitchenFixture()]);
  for (const id of ["x".repeat(2100), "A".repeat(3000), "not-an-id", "%00"]) {
    for (
      const path of [
        `/kitchens/${id}`,
        `/photos/${id}`,
        `/api/kitchens/${id}/availability?date=2026-12-02`,
      ]
    ) {
      const res = await t.request(path);
      assert.equal(res.status, 404, path.slice(0, 40));
      await res.body?.cancel();
    }
  }
  assert.equal((await t.request(`/kitchens/${k.id}`)).status, 200);
  assert.equal(
    (await t.request(`/api/kitchens/${k.id}/availability?date=2026-12-02`))
      .status,
    200,
  );
  t.close();
});

Deno.test("security: a session cannot guess the current password at full speed", async () => {
  const t = await testApp();
  const cookie = await signUp(t);
  const change = (currentPassword: string) =>
    post(t, "/account/password", {
      currentPassword,
      password: "a brand new passphrase",
    }, { cookie });
  for (let i = 0; i < 3; i++) {
    assert.equal((await change(`guess ${i}`)).status, 400);
  }
  // The guard is shared by every form that asks for the current password.
  assert.equal(
    (await post(t, "/account/delete", {
      currentPassword: "guess 3",
      confirm: "delete",
    }, { cookie })).status,
    400,
  );
  assert.equal(
    (await post(t, "/account/email", {
      email: "x@example.com",
      currentPassword: "guess 4",
    }, { cookie })).status,
    400,
  );
  const slowed = await change(PASSWORD);
  assert.equal(slowed.status, 429);
  assert.match(await slowed.text(), /Too many attempts/);
  const user = await userByEmail(t, "ada@example.com");
  t.advance(1000);
  assert.equal((await change(PASSWORD)).status, 303);
  assert.notEqual(
    (await userByEmail(t, "ada@example.com"))?.passwordHash,
    user?.passwordHash,
  );
  t.close();
});

Deno.test("security: pages for a signed-in user are private; public pages vary on the cookie", async () => {
  const t = await testApp();
  const cookie = await signUp(t);
  for (const path of ["/account", "/", "/search?city=chicago", "/admin"]) {
    const res = await get(t, path, cookie);
    await res.body?.cancel();
    assert.equal(
      res.headers.get("cache-control"),
      "private, no-store",
      path,
    );
  }
  for (const path of ["/account", "/admin"]) {
    const res = await get(t, path);
    await res.body?.cancel();
    assert.equal(res.headers.get("cache-control"), "private, no-store", path);
  }
  const anon = await get(t, "/");
  await anon.body?.cancel();
  // Shared caches may keep anonymous public pages briefly (routes/page_cache.ts).
  assert.equal(
    anon.headers.get("cache-control"),
    "public, max-age=0, s-maxage=5, stale-while-revalidate=30",
  );
  assert.match(anon.headers.get("vary") ?? "", /Cookie/);
  t.close();
});

Deno.test("security: names with control, bidi-override or only invisible characters are refused", async () => {
  const t = await testApp();
  const cookie = await signUp(t);
  const cases: [string, RegExp][] = [
    ["Ada\u0000", /Remove the control characters/],
    ["Ada\u001b[31mRed", /Remove the control characters/],
    ["Ada\r\nLovelace", /Keep this on one line/],
    ["evil\u202Efdp.exe", /Remove the text-direction override characters/],
    ["\u200b", /Enter your name/],
  ];
  for (const [name, message] of cases) {
    const res = await post(t, "/account/profile", {
      name,
      phone: "",
      businessName: "",
    }, { cookie });
    assert.equal(res.status, 400, JSON.stringify(name));
    assert.match(await res.text(), message);
  }
  const ok = await post(t, "/account/profile", {
    name: "Zoe\u0308",
    phone: "",
    businessName: "",
  }, { cookie });
  assert.equal(ok.status, 303);
  assert.equal((await userByEmail(t, "ada@example.com"))?.name, "Zo\u00eb");
  const signup = await post(t, "/signup", {
    name: "\u202e",
    email: "bidi@example.com",
    password: PASSWORD,
    intent: "rent",
  });
  assert.equal(signup.status, 400);
  assert.equal(
    await t.kv.get(keys.userByEmail("bidi@example.com")).then((e) => e.value),
    null,
  );
  const session = sessionCookie(
    await post(t, "/login", { email: "ada@example.com", password: PASSWORD }),
  );
  assert.ok(session);
  t.close();
});

Deno.test("security: error logs escape control characters from the request", async () => {
  const t = await testApp();
  t.close(); // every KV read now fails, so resolving the session is logged
  const lines: string[] = [];
  const original = console.error;
  console.error = (line: string) => lines.push(String(line));
  try {
    const res = await t.request("/x%0AGET%20/forged%20200%1b[31m", {
      headers: { Cookie: `prep_session=${"a".repeat(43)}` },
    });
    assert.equal(res.status, 500);
    await res.body?.cancel();
  } finally {
    console.error = original;
  }
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^GET \/x\\nGET \/forged 200\\x1b\[31m failed: /);
  assert.ok(!lines[0].includes("\u001b"));
  for (const line of lines[0].split("\n").slice(1)) {
    assert.match(line, /^\s+at /);
  }
});
