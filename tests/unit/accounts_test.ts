import assert from "node:assert/strict";
import {
  hashPassword,
  PASSWORD_ITERATIONS,
  verifyPassword,
} from "../../lib/accounts/password.ts";
import {
  addLimitHit,
  hitLimit,
  type Limit,
} from "../../lib/accounts/rate_limit.ts";
import { type Capability, decide } from "../../lib/accounts/roles.ts";
import {
  type Role,
  type SessionUser,
  signupForm,
} from "../../lib/accounts/schema.ts";
import { hashSecret, newSecret } from "../../lib/accounts/tokens.ts";
import { safeRedirectTarget } from "../../routes/headers.ts";

Deno.test("accounts: passwords are PBKDF2-SHA256 with at least 600k iterations and a fresh salt", async () => {
  assert.ok(PASSWORD_ITERATIONS >= 600_000);
  const a = await hashPassword("correct horse battery");
  const b = await hashPassword("correct horse battery");
  assert.match(
    a,
    /^pbkdf2-sha256\$600000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/,
  );
  assert.notEqual(a, b, "salted");
  assert.equal(await verifyPassword("correct horse battery", a), true);
  assert.equal(await verifyPassword("correct horse batterY", a), false);
  for (const bad of ["", "plain", "md5$1$x$y", "pbkdf2-sha256$0$AA==$AA=="]) {
    assert.equal(await verifyPassword("x", bad), false, bad);
  }
});

Deno.test("accounts: password length rules at sign-up", () => {
  const base = { name: "Ada", email: "Ada@Example.com ", intent: "rent" };
  const cases: [string, boolean][] = [
    ["x".repeat(11), false],
    ["x".repeat(12), true],
    ["x".repeat(128), true],
    ["x".repeat(129), false],
  ];
  for (const [password, ok] of cases) {
    const r = signupForm.safeParse({ ...base, password });
    assert.equal(r.success, ok, `${password.length} characters`);
    if (r.success) assert.equal(r.data.email, "ada@example.com");
  }
});

Deno.test("accounts: secrets are 256-bit, URL-safe, and stored only as hashes", async () => {
  const s = newSecret();
  assert.match(s, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(s, newSecret());
  const h = await hashSecret(s);
  assert.notEqual(h, s);
  assert.equal(h, await hashSecret(s));
});

function user(roles: Role[], verified = true): SessionUser {
  return {
    v: 1,
    id: "u1",
    email: "u@example.com",
    name: "U",
    roles,
    emailVerifiedAt: verified ? "2026-01-01T00:00:00Z" : null,
    phone: null,
    businessName: null,
    createdAt: "",
    updatedAt: "",
  };
}

Deno.test("accounts: who may do what is decided in one table", () => {
  const cases: [SessionUser | null, Capability, boolean][] = [
    [null, "admin:read", false],
    [user(["renter"]), "admin:read", false],
    [user(["host"]), "admin:read", false],
    [user(["support"]), "admin:read", true],
    [user(["admin"]), "admin:read", true],
    [user(["support"]), "admin:act", false],
    [user(["admin"]), "admin:act", true],
    [user(["renter"]), "book", true],
    [user(["renter"], false), "book", false],
    [user(["renter"]), "publish", false],
    [user(["host"], false), "publish", false],
    [user(["host"]), "publish", true],
  ];
  for (const [u, what, ok] of cases) {
    assert.equal(decide(u, what).ok, ok, `${u?.roles ?? "anonymous"} ${what}`);
  }
  const v = decide(user(["renter"], false), "book");
  assert.equal(
    v.ok ? "" : v.reason,
    "Confirm your email address to book kitchens.",
  );
});

Deno.test("accounts: a rate limit admits exactly its maximum, even under concurrency", async () => {
  const kv = await Deno.openKv(":memory:");
  const limit: Limit = { bucket: "t", max: 10, windowMs: 60_000 };
  const now = 1_000_000;
  const hits = await Promise.all(
    Array.from({ length: 40 }, () => hitLimit(kv, limit, "a@example.com", now)),
  );
  assert.equal(hits.filter((h) => h.ok).length, 10);
  const refused = hits.find((h) => !h.ok);
  assert.ok(refused && !refused.ok && refused.retryAfterSeconds === 20);
  assert.equal(
    (await hitLimit(kv, limit, "b@example.com", now)).ok,
    true,
    "per subject",
  );
  assert.equal(
    (await hitLimit(kv, limit, "a@example.com", now + 60_000)).ok,
    true,
    "next window",
  );
  kv.close();
});

Deno.test("accounts: a limited action counts only when its own atomic commits, once however many race", async () => {
  const kv = await Deno.openKv(":memory:");
  const limit: Limit = { bucket: "notice", max: 1, windowMs: 60_000 };
  const now = 1_000_000;
  // An atomic that never commits uses up nothing.
  const dropped = kv.atomic();
  assert.ok((await addLimitHit(dropped, kv, limit, "a", now)).ok);
  const sent = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
    const atomic = kv.atomic();
    if (!(await addLimitHit(atomic, kv, limit, "a", now)).ok) return false;
    atomic.set(["sent", i], true);
    return (await atomic.commit()).ok;
  }));
  assert.equal(sent.filter(Boolean).length, 1);
  const later = kv.atomic();
  assert.deepEqual(await addLimitHit(later, kv, limit, "a", now), {
    ok: false,
    retryAfterSeconds: 20,
  });
  kv.close();
});

Deno.test("accounts: after login, only plain paths on this site are followed", () => {
  const base = "http://localhost:8000";
  const cases: [string | undefined, string][] = [
    [undefined, "/account"],
    ["", "/account"],
    ["/kitchens/abc", "/kitchens/abc"],
    [
      "/search?city=chicago&date=2026-12-01",
      "/search?city=chicago&date=2026-12-01",
    ],
    ["/caf\u00e9", "/caf%C3%A9"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["/\t/evil.example", "/"],
    ["/\t\\evil.example", "/"],
    ["/\n/evil.example", "/"],
    ["/a\u007fb", "/"],
    ["/a\u0000b", "/"],
    ["/a\rb", "/"],
    ["/a\u0001b", "/"],
    ["/a\u009bb", "/"],
    ["/ evil", "/"],
    ["https://evil.example", "/"],
    ["http://localhost:8000/account", "/"],
    ["javascript:alert(1)", "/"],
    ["/%0d%0aSet-Cookie:x=1", "/%0d%0aSet-Cookie:x=1"],
  ];
  for (const [next, want] of cases) {
    const got = next === undefined || next === ""
      ? safeRedirectTarget(next, base, "/account")
      : safeRedirectTarget(next, base);
    assert.equal(got, want, JSON.stringify(next));
    assert.match(got, /^\/[\x21-\x7e]*$/, "header-safe");
  }
});
