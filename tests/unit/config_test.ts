import assert from "node:assert/strict";
import {
  ConfigError,
  devFeaturesNotice,
  loadConfig,
} from "../../lib/config.ts";

Deno.test("config: defaults suit a laptop", () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 8000);
  assert.equal(c.BASE_URL, "http://localhost:8000");
  assert.equal(c.DENO_KV_PATH, "./data/prep.kv");
  assert.equal(c.SEED_DEMO_DATA, true);
  assert.equal(c.KV_QUEUES, true);
  assert.equal(c.RESEND_API_KEY, undefined);
  assert.deepEqual(c.ADMIN_EMAILS, []);
  assert.equal(c.JOB_LEASE_SECONDS, 60);
});

Deno.test("config: ADMIN_EMAILS is a normalised list", () => {
  const c = loadConfig({ ADMIN_EMAILS: " Ada@Example.com, bo@example.com ," });
  assert.deepEqual(c.ADMIN_EMAILS, ["ada@example.com", "bo@example.com"]);
});

Deno.test("config: Deno Deploy uses the platform KV; production does not seed", () => {
  const c = loadConfig({
    DENO_DEPLOYMENT_ID: "abc",
    APP_ENV: "production",
    BASE_URL: "https://prep.example/",
    RESEND_API_KEY: "re_test",
    STRIPE_SECRET_KEY: "sk_test_x",
    STRIPE_WEBHOOK_SECRET: "whsec_x",
  });
  assert.equal(c.DENO_KV_PATH, undefined);
  assert.equal(c.SEED_DEMO_DATA, false);
  assert.equal(c.KV_QUEUES, false, "Deploy has no KV queues");
  assert.equal(c.BASE_URL, "https://prep.example");
});

const bad: [Record<string, string>, RegExp][] = [
  [{ PORT: "eighty" }, /^Invalid environment variable PORT: /],
  [{ PORT: "70000" }, /^Invalid environment variable PORT: /],
  [{ APP_ENV: "staging" }, /^Invalid environment variable APP_ENV: /],
  [{ BASE_URL: "ftp://x" }, /^Invalid environment variable BASE_URL: /],
  [{ SEED_DEMO_DATA: "yes" }, /^Invalid environment variable SEED_DEMO_DATA: /],
  [
    { ADMIN_EMAILS: "ada@example.com,nope" },
    /^Invalid environment variable ADMIN_EMAILS: /,
  ],
  [{ KV_QUEUES: "maybe" }, /^Invalid environment variable KV_QUEUES: /],
  [
    { JOB_LEASE_SECONDS: "0" },
    /^Invalid environment variable JOB_LEASE_SECONDS: /,
  ],
  [
    { JOB_LEASE_SECONDS: "1.5" },
    /^Invalid environment variable JOB_LEASE_SECONDS: /,
  ],
  [
    { RESEND_API_URL: "nope" },
    /^Invalid environment variable RESEND_API_URL: /,
  ],
  [{ APP_ENV: "production" }, /^Missing environment variable RESEND_API_KEY/],
  [
    { APP_ENV: "production", RESEND_API_KEY: "re_x" },
    /^Missing environment variable BASE_URL/,
  ],
  [
    {
      APP_ENV: "production",
      RESEND_API_KEY: "re_x",
      BASE_URL: "https://x.example",
    },
    /^Missing environment variable STRIPE_SECRET_KEY: required when APP_ENV=production/,
  ],
  [
    { STRIPE_SECRET_KEY: "sk_test_abc" },
    /^Missing environment variable STRIPE_WEBHOOK_SECRET/,
  ],
  [
    { STRIPE_SECRET_KEY: "pk_test_abc" },
    /^Invalid environment variable STRIPE_SECRET_KEY/,
  ],
  [
    { PLATFORM_FEE_BPS: "abc" },
    /^Invalid environment variable PLATFORM_FEE_BPS/,
  ],
  [
    { TRUSTED_PROXIES: "10.0.0.0/8, proxy.internal" },
    /^Invalid environment variable TRUSTED_PROXIES: "proxy\.internal" is not an IP address or CIDR range \(like 10\.0\.0\.0\/8 or fd00::\/8\)$/,
  ],
  [
    { TRUSTED_PROXIES: "10.0.0.0/33" },
    /^Invalid environment variable TRUSTED_PROXIES: "10\.0\.0\.0\/33" is not/,
  ],
  [
    { TRUSTED_PROXIES: "0.0.0.0/0" },
    /^Invalid environment variable TRUSTED_PROXIES: "0\.0\.0\.0\/0" trusts every address, so any client could choose its own; list your proxies' ranges$/,
  ],
  [
    { TRUSTED_PROXIES: "::/0" },
    /^Invalid environment variable TRUSTED_PROXIES: "::\/0" trusts every address/,
  ],
];

Deno.test("config: payments run through Stripe with a key, demo where dev features run, else off", () => {
  assert.equal(loadConfig({}).PAYMENTS, "demo");
  assert.equal(loadConfig({}).PLATFORM_FEE_BPS, 1500);
  assert.equal(loadConfig({}).RENTER_FEE_BPS, 0);
  assert.equal(
    loadConfig({ BASE_URL: "https://demo.example" }).PAYMENTS,
    "off",
  );
  assert.equal(
    loadConfig({
      STRIPE_SECRET_KEY: "sk_test_a",
      STRIPE_WEBHOOK_SECRET: "whsec_b",
    })
      .PAYMENTS,
    "stripe",
  );
});

Deno.test("config: TRUSTED_PROXIES is off by default and takes CIDR ranges and addresses, IPv4 and IPv6", () => {
  assert.deepEqual(loadConfig({}).TRUSTED_PROXIES, []);
  assert.deepEqual(loadConfig({ TRUSTED_PROXIES: " " }).TRUSTED_PROXIES, []);
  const c = loadConfig({
    TRUSTED_PROXIES: "10.0.0.0/8, 192.0.2.7 ,fd00::/8,::1,",
  });
  assert.deepEqual(
    c.TRUSTED_PROXIES.map(([a, bits]) => `${a.toString()}/${bits}`),
    ["10.0.0.0/8", "192.0.2.7/32", "fd00::/8", "::1/128"],
  );
});

Deno.test("config: a bad value is one line naming the variable", () => {
  for (const [env, message] of bad) {
    assert.throws(() => loadConfig(env), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, message);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  }
});

Deno.test("config: APP_ENV defaults to production on Deno Deploy, development elsewhere", () => {
  const deployed = loadConfig({
    DENO_DEPLOYMENT_ID: "abc",
    BASE_URL: "https://prep.example",
    RESEND_API_KEY: "re_test",
    STRIPE_SECRET_KEY: "sk_test_x",
    STRIPE_WEBHOOK_SECRET: "whsec_x",
  });
  assert.equal(deployed.APP_ENV, "production");
  assert.equal(deployed.DEV_FEATURES, false);
  assert.equal(deployed.SEED_DEMO_DATA, false);
  assert.throws(
    () => loadConfig({ DENO_DEPLOYMENT_ID: "abc", BASE_URL: "https://x.dev" }),
    /RESEND_API_KEY/,
    "a forgotten APP_ENV on Deploy still demands production secrets",
  );
  assert.equal(loadConfig({}).APP_ENV, "development");
});

Deno.test("config: development features run only on a loopback BASE_URL unless allowed", () => {
  const cases: [Record<string, string>, boolean][] = [
    [{}, true],
    [{ BASE_URL: "http://127.0.0.1:8000" }, true],
    [{ BASE_URL: "http://127.4.5.6" }, true],
    [{ BASE_URL: "http://[::1]:8000" }, true],
    [{ BASE_URL: "http://prep.localhost:8000" }, true],
    [{ BASE_URL: "https://demo.prep.example" }, false],
    [{ BASE_URL: "http://localhost.evil.example" }, false],
    [{ BASE_URL: "http://10.0.0.5:8000" }, false],
    [
      { BASE_URL: "https://demo.prep.example", ALLOW_DEV_FEATURES: "true" },
      true,
    ],
    [{ APP_ENV: "test" }, true],
    [{
      APP_ENV: "production",
      BASE_URL: "http://localhost:8000",
      RESEND_API_KEY: "re",
      STRIPE_SECRET_KEY: "sk_test_x",
      STRIPE_WEBHOOK_SECRET: "whsec_x",
      ALLOW_DEV_FEATURES: "true",
    }, false],
  ];
  for (const [env, want] of cases) {
    assert.equal(loadConfig(env).DEV_FEATURES, want, JSON.stringify(env));
  }
});

Deno.test("config: the start-up log says when development features are off or exposed", () => {
  assert.equal(devFeaturesNotice(loadConfig({})), null);
  assert.match(
    devFeaturesNotice(loadConfig({ BASE_URL: "https://demo.prep.example" }))!,
    /^Development features \(the dev mailbox, demo accounts and demo payments\) are off: BASE_URL https:\/\/demo\.prep\.example is not a loopback or localhost origin\. Set ALLOW_DEV_FEATURES=true/,
  );
  assert.match(
    devFeaturesNotice(
      loadConfig({
        BASE_URL: "https://demo.prep.example",
        ALLOW_DEV_FEATURES: "true",
      }),
    )!,
    /^Warning: development features .* are on for https:\/\/demo\.prep\.example/,
  );
});
