import assert from "node:assert/strict";
import { LIMITS } from "../../lib/accounts/rate_limit.ts";
import { listAuditFor } from "../../lib/audit/repo.ts";
import { keys } from "../../lib/db/keys.ts";
import { signUpConfirmed, staff, type T } from "../account_helpers.ts";
import { testApp } from "../helpers.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const PROXY = "10.0.0.2";

/** A form post as it arrives from `peer`, with the headers a proxy may add. */
function postFrom(
  t: T,
  path: string,
  form: Record<string, string>,
  peer: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(t.app.request(path, {
    method: "POST",
    body: new URLSearchParams(form),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Sec-Fetch-Site": "same-origin",
      ...headers,
    },
  }, { remoteAddr: { hostname: peer } }));
}

async function status(res: Promise<Response>): Promise<number> {
  const r = await res;
  await r.body?.cancel();
  return r.status;
}

Deno.test("client address: behind a trusted proxy each client has its own address limits; others cannot spoof one", async () => {
  const t = await testApp(NOW, { TRUSTED_PROXIES: "10.0.0.0/8, fd00::/8" });
  try {
    const forgot = (i: number, peer: string, forwarded: string) =>
      status(postFrom(
        t,
        "/forgot-password",
        {
          email: `person${i}@example.com`,
        },
        peer,
        { "X-Forwarded-For": forwarded },
      ));
    const max = LIMITS.resetByAddress.max;
    for (let i = 0; i < max; i++) {
      assert.equal(await forgot(i, PROXY, "198.51.100.1"), 200);
    }
    assert.equal(await forgot(max, PROXY, "198.51.100.1"), 429);
    // Another client through the same proxy is not held back by the first.
    assert.equal(await forgot(max + 1, PROXY, "198.51.100.2"), 200);
    assert.equal(await forgot(max + 2, "fd00::7", "198.51.100.2"), 200);
    // A client that is not a trusted proxy cannot choose its address.
    for (let i = 0; i < max; i++) {
      assert.equal(await forgot(100 + i, "203.0.113.5", `192.0.2.${i}`), 200);
    }
    assert.equal(await forgot(200, "203.0.113.5", "192.0.2.250"), 429);

    // The login limit (50 per 15 minutes) counts the client too.
    const window = Math.floor(NOW / LIMITS.loginByAddress.windowMs);
    await t.kv.set(
      keys.rateLimit(LIMITS.loginByAddress.bucket, "198.51.100.1", window),
      LIMITS.loginByAddress.max,
    );
    const login = (forwarded: string) =>
      status(postFrom(
        t,
        "/login",
        {
          email: "nobody@example.com",
          password: "not the password",
        },
        PROXY,
        { "X-Forwarded-For": forwarded },
      ));
    assert.equal(await login("198.51.100.1"), 429);
    assert.equal(await login("198.51.100.2"), 400);
  } finally {
    t.close();
  }
});

Deno.test("client address: the audit log records the client behind a trusted proxy, not the proxy", async () => {
  const t = await testApp(NOW, { TRUSTED_PROXIES: "10.0.0.0/8" });
  try {
    const admin = await staff(t, "ann@example.com", "admin");
    const renter = await signUpConfirmed(t, "rosa@example.com");
    const res = await postFrom(
      t,
      `/admin/users/${renter.user.id}/suspend`,
      { reason: "Fraud report" },
      PROXY,
      { Cookie: admin, "X-Forwarded-For": "6.6.6.6, 198.51.100.1" },
    );
    assert.equal(res.status, 303);
    await res.body?.cancel();
    const [entry] = await listAuditFor(t.kv, "user", renter.user.id);
    assert.equal(entry.action, "user.suspended");
    assert.equal(entry.client, "198.51.100.1");
  } finally {
    t.close();
  }
});

Deno.test("client address: without TRUSTED_PROXIES, X-Forwarded-For is ignored", async () => {
  const t = await testApp(NOW);
  try {
    const admin = await staff(t, "ann@example.com", "admin");
    const renter = await signUpConfirmed(t, "rosa@example.com");
    const res = await postFrom(
      t,
      `/admin/users/${renter.user.id}/suspend`,
      { reason: "Fraud report" },
      PROXY,
      { Cookie: admin, "X-Forwarded-For": "198.51.100.1" },
    );
    assert.equal(res.status, 303);
    await res.body?.cancel();
    const [entry] = await listAuditFor(t.kv, "user", renter.user.id);
    assert.equal(entry.client, PROXY);
  } finally {
    t.close();
  }
});
