import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../lib/config.ts";

Deno.test("config: defaults suit a laptop", () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 8000);
  assert.equal(c.BASE_URL, "http://localhost:8000");
  assert.equal(c.DENO_KV_PATH, "./data/prep.kv");
  assert.equal(c.SEED_DEMO_DATA, true);
});

Deno.test("config: Deno Deploy uses the platform KV; production does not seed", () => {
  const c = loadConfig({
    DENO_DEPLOYMENT_ID: "abc",
    APP_ENV: "production",
    BASE_URL: "https://prep.example/",
  });
  assert.equal(c.DENO_KV_PATH, undefined);
  assert.equal(c.SEED_DEMO_DATA, false);
  assert.equal(c.BASE_URL, "https://prep.example");
});

const bad: [Record<string, string>, RegExp][] = [
  [{ PORT: "eighty" }, /^Invalid environment variable PORT: /],
  [{ PORT: "70000" }, /^Invalid environment variable PORT: /],
  [{ APP_ENV: "staging" }, /^Invalid environment variable APP_ENV: /],
  [{ BASE_URL: "ftp://x" }, /^Invalid environment variable BASE_URL: /],
  [{ SEED_DEMO_DATA: "yes" }, /^Invalid environment variable SEED_DEMO_DATA: /],
  [{ APP_ENV: "production" }, /^Missing environment variable BASE_URL/],
];

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
