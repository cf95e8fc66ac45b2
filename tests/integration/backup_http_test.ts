// GET and PUT /api/backup: the backup of a deployment with no KV file to
// run `deno task export` against (Deno Deploy), behind BACKUP_TOKEN.
import assert from "node:assert/strict";
import { migrationList } from "../../lib/app.ts";
import { listAudit } from "../../lib/audit/repo.ts";
import { runMigrations } from "../../lib/db/migrations/runner.ts";
import { ConfigError, loadConfig } from "../../lib/config.ts";
import { encodeValue } from "../../lib/db/backup.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const TOKEN = "a-backup-token-long-enough-to-guess-never-0123";
const auth = (token = TOKEN) => ({ Authorization: `Bearer ${token}` });

async function entries(kv: Deno.Kv, skip: (key: Deno.KvKey) => boolean) {
  const out: string[] = [];
  for await (const e of kv.list({ prefix: [] })) {
    if (!skip(e.key)) {
      out.push(JSON.stringify([e.key.map(encodeValue), encodeValue(e.value)]));
    }
  }
  return out;
}
const isAudit = (key: Deno.KvKey) => String(key[0]).startsWith("audit");

Deno.test("backup over HTTP: only with BACKUP_TOKEN set and sent; GET streams the store and PUT restores it into an empty one", async () => {
  const off = await testApp();
  const source = await testApp(undefined, { BACKUP_TOKEN: TOKEN });
  const target = await testApp(undefined, { BACKUP_TOKEN: TOKEN });
  try {
    // Not set: the endpoint is not there.
    const none = await off.request("/api/backup", { headers: auth() });
    assert.equal(none.status, 404);
    await none.body?.cancel();

    // A store as the app starts one: at the latest schema.
    await runMigrations(source.kv, migrationList());
    const host = await addHost(source.kv);
    await addKitchens(source.kv, host.id, [kitchenFixture()]);
    for (
      const headers of [{}, auth("a-wrong-token-of-the-same-length-xxxxxxxxx")]
    ) {
      const res = await source.request("/api/backup", { headers });
      assert.equal(res.status, 401);
      assert.equal(
        res.headers.get("www-authenticate"),
        'Bearer realm="backup"',
      );
      assert.deepEqual(await res.json(), {
        error: "Send the backup token as a bearer token.",
      });
    }

    const got = await source.request("/api/backup", { headers: auth() });
    assert.equal(got.status, 200);
    assert.equal(got.headers.get("content-type"), "application/x-ndjson");
    assert.equal(got.headers.get("cache-control"), "no-store");
    assert.match(
      got.headers.get("content-disposition") ?? "",
      /attachment; filename="prep-\d{4}-\d{2}-\d{2}\.ndjson"/,
    );
    const file = await got.text();
    const lines = file.trimEnd().split("\n");
    assert.equal(JSON.parse(lines[0]).format, "prep-kv-export");
    assert.deepEqual(JSON.parse(lines.at(-1)!), {
      end: true,
      entries: lines.length - 2,
    });
    const exported = (await listAudit(source.kv, { limit: 10 })).entries
      .filter((e) => e.action === "backup.exported");
    assert.equal(exported.length, 1);
    assert.equal(exported[0].actor.id, "backup token");

    // A broken or unfinished file changes nothing and says why.
    const cut = lines.slice(0, -1).join("\n");
    const refused = await target.request("/api/backup", {
      method: "PUT",
      headers: auth(),
      body: cut,
    });
    assert.equal(refused.status, 400);
    assert.match(
      (await refused.json()).error,
      /ends before its end line/,
    );

    const put = await target.request("/api/backup", {
      method: "PUT",
      headers: { ...auth(), "Content-Type": "application/x-ndjson" },
      body: file,
    });
    assert.equal(put.status, 200, await put.clone().text());
    const summary = await put.json();
    assert.equal(summary.entries, lines.length - 2);
    assert.deepEqual(
      await entries(target.kv, isAudit),
      await entries(source.kv, isAudit),
    );

    // Now it has data: another restore needs ?force=1.
    const again = await target.request("/api/backup", {
      method: "PUT",
      headers: auth(),
      body: file,
    });
    assert.equal(again.status, 409);
    assert.match((await again.json()).error, /\?force=1/);
    const forced = await target.request("/api/backup?force=1", {
      method: "PUT",
      headers: auth(),
      body: file,
    });
    assert.equal(forced.status, 200);
    await forced.body?.cancel();
    const noAuth = await target.request("/api/backup?force=1", {
      method: "PUT",
      body: file,
    });
    assert.equal(noAuth.status, 401);
    await noAuth.body?.cancel();
  } finally {
    off.close();
    source.close();
    target.close();
  }
});

Deno.test("backup over HTTP: a short or spaced BACKUP_TOKEN stops the server at start", () => {
  for (
    const bad of ["short", "has spaces in it but is long enough for the rule"]
  ) {
    assert.throws(
      () => loadConfig({ APP_ENV: "test", BACKUP_TOKEN: bad }),
      (err: unknown) =>
        err instanceof ConfigError && /BACKUP_TOKEN/.test(err.message),
    );
  }
  assert.equal(
    loadConfig({ APP_ENV: "test", BACKUP_TOKEN: TOKEN }).BACKUP_TOKEN,
    TOKEN,
  );
});
