// Backups through the real tasks: `deno task export > prep.ndjson` from a
// store with the demo data and a few bookings, `deno task import
// prep.ndjson` into an empty one, every entry the same, and the restored
// copy books, cancels and verifies documents.
import assert from "node:assert/strict";
import type { SessionUser } from "../../lib/accounts/schema.ts";
import { createServices, migrationList } from "../../lib/app.ts";
import { cancelBooking } from "../../lib/bookings/lifecycle.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { addDocument, reviewDocument } from "../../lib/compliance/repo.ts";
import { loadConfig } from "../../lib/config.ts";
import { encodeValue, storeHasData } from "../../lib/db/backup.ts";
import { keys } from "../../lib/db/keys.ts";
import { LATEST_SCHEMA_VERSION } from "../../lib/db/migrations/names.ts";
import {
  readMigrationState,
  runMigrations,
} from "../../lib/db/migrations/runner.ts";
import { loadManifest } from "../../lib/islands/manifest.ts";
import { readCount, readScopeCounts } from "../../lib/metrics/repo.ts";
import { ALL, weekOf } from "../../lib/metrics/schema.ts";
import { createApp } from "../../routes/app.tsx";
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { seedDemoData } from "../../scripts/demo/catalogue.ts";
import { DEMO_HOSTS } from "../../scripts/demo/hosts.ts";
import {
  giveWallet,
  minimalPdf,
  TEST_ADMIN,
  upload,
} from "../compliance_helpers.ts";
import {
  bookPaid,
  post,
  runJobs,
  sessionCookie,
  type T,
} from "../account_helpers.ts";
import { addKitchens, kitchenFixture } from "../helpers.ts";

const ROOT = new URL("../../", import.meta.url);
const MAIL = {
  from: "Prep <hello@example.com>",
  baseUrl: "http://x",
  wake: false,
};

/** The app on a KV file, as tests/helpers.ts's testApp builds it on memory. */
async function appOn(kv: Deno.Kv, path: string, now: number): Promise<T> {
  const config = loadConfig({
    APP_ENV: "test",
    DENO_KV_PATH: path,
    KV_QUEUES: "false",
  });
  let current = now;
  const services = createServices(config, kv, () => current);
  const app = createApp({ services, manifest: await loadManifest() });
  return {
    kv,
    app,
    config,
    services,
    now,
    clock: () => current,
    advance: (ms: number) => {
      current += ms;
    },
    request: (p: string, init?: RequestInit) => app.request(p, init),
    close: () => kv.close(),
  } as T;
}

/** Runs a task's script as `deno task` would, with the store in DENO_KV_PATH. */
async function task(
  script: string,
  args: string[],
  env: Record<string, string>,
  stdout?: string,
): Promise<{ code: number; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd: ROOT,
    env: { APP_ENV: "test", SEED_DEMO_DATA: "false", ...env },
    stdout: stdout ? "piped" : "null",
    stderr: "piped",
  }).spawn();
  const [status, err] = await Promise.all([
    (async () => {
      if (stdout && child.stdout) {
        const file = await Deno.open(stdout, {
          write: true,
          create: true,
          truncate: true,
        });
        await child.stdout.pipeTo(file.writable);
      }
      return await child.status;
    })(),
    new Response(child.stderr).text(),
  ]);
  return { code: status.code, stderr: err };
}

/** Every entry of a store, as comparable lines (versionstamps aside). */
async function entries(kv: Deno.Kv): Promise<string[]> {
  const out: string[] = [];
  for await (const e of kv.list({ prefix: [] })) {
    out.push(JSON.stringify([e.key.map(encodeValue), encodeValue(e.value)]));
  }
  return out;
}

const renterOf = (b: Booking): SessionUser =>
  ({ id: b.renterId, roles: ["renter"] }) as unknown as SessionUser;

Deno.test("backups: the demo data and bookings go out with deno task export and come back whole with deno task import; the copy books, cancels and verifies", async () => {
  const dir = await Deno.makeTempDir();
  const src = `${dir}/source.kv`;
  const dst = `${dir}/restored.kv`;
  const file = `${dir}/prep.ndjson`;
  const now = Date.now();
  const kv = await Deno.openKv(src);
  // A store as the app starts one: stamped at the latest schema, then seeded.
  await runMigrations(kv, migrationList());
  await seedDemoData(kv, { now: new Date(now) });
  await seedDemoAccounts(kv, new Date(now));
  const t = await appOn(kv, src, now);
  await giveWallet(kv, DEMO_HOSTS[0].id, now);
  // A few bookings: paid, cancelled, and a hold still waiting for payment.
  const [k] = await addKitchens(kv, DEMO_HOSTS[0].id, [kitchenFixture({
    title: "Backup Test Kitchen",
  })]);
  const renter = DEMO_ACCOUNTS.find((a) => a.roles.includes("renter"))!;
  const cookie = sessionCookie(
    await post(t, "/login", { email: renter.email, password: DEMO_PASSWORD }),
  );
  const date = Temporal.Now.plainDateISO("America/Chicago").add({ days: 3 })
    .toString();
  const paid = await bookPaid(t, cookie, {
    kitchen: k.id,
    date,
    start: "09:00",
    end: "12:00",
  });
  const second = await bookPaid(t, cookie, {
    kitchen: k.id,
    date,
    start: "14:00",
    end: "16:00",
  });
  const b2 = (await kv.get<Booking>(keys.booking(second)))!.value!;
  await cancelBooking({ kv, now, mail: MAIL }, second, renterOf(b2), {
    through: ["renter"],
    reason: null,
  });
  await runJobs(t);
  await post(t, "/bookings", {
    kitchen: k.id,
    date,
    start: "17:00",
    end: "19:00",
    acceptRules: "yes",
  }, { cookie });
  const pending = await addDocument(kv, {
    holder: { kind: "renter", id: b2.renterId },
    upload: upload("food_manager_certificate"),
    bytes: minimalPdf(),
    uploadedBy: b2.renterId,
    now,
  });
  const before = await entries(kv);
  assert.ok(before.length > 4_000, `${before.length} entries`);
  kv.close();

  const exported = await task(
    "scripts/export.ts",
    [],
    { DENO_KV_PATH: src },
    file,
  );
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(
    exported.stderr,
    new RegExp(`Exported ${before.length} entries`),
  );
  const text = await Deno.readTextFile(file);
  const lines = text.trimEnd().split("\n");
  assert.equal(lines.length, before.length + 2);
  const header = JSON.parse(lines[0]);
  assert.equal(header.format, "prep-kv-export");
  assert.equal(header.schemaVersion, LATEST_SCHEMA_VERSION);
  assert.deepEqual(JSON.parse(lines.at(-1)!), {
    end: true,
    entries: before.length,
  });

  const imported = await task("scripts/import.ts", [file], {
    DENO_KV_PATH: dst,
  });
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stderr, /Restored \d+ of \d+ entries/);
  const restored = await Deno.openKv(dst);
  try {
    assert.deepEqual(await entries(restored), before);
    assert.equal(
      (await readMigrationState(restored))!.version,
      LATEST_SCHEMA_VERSION,
    );

    // The copy works: the renter logs in with the same password and books,
    // cancels, and staff verify the document that was waiting.
    const r = await appOn(restored, dst, now);
    const again = sessionCookie(
      await post(r, "/login", { email: renter.email, password: DEMO_PASSWORD }),
    );
    const week = weekOf(date);
    const bookingsBefore = (await readScopeCounts(restored, ALL, week, week))
      .get(week)!.get("bookings")!;
    const third = await bookPaid(r, again, {
      kitchen: k.id,
      date: Temporal.PlainDate.from(date).add({ days: 1 }).toString(),
      start: "10:00",
      end: "12:00",
    });
    const b3 = (await restored.get<Booking>(keys.booking(third))).value!;
    assert.equal(b3.status, "confirmed");
    const cancelled = await cancelBooking(
      { kv: restored, now, mail: MAIL },
      third,
      renterOf(b3),
      { through: ["renter"], reason: null },
    );
    assert.equal(cancelled.status, "cancelled");
    const waiting = await readCount(restored, ALL, "now", "documents_waiting");
    const verified = await reviewDocument(
      restored,
      pending.id,
      "verify",
      TEST_ADMIN,
      { mail: MAIL },
      now,
    );
    assert.equal(verified.status, "verified");
    const w3 = weekOf(b3.localDate);
    assert.equal(
      (await readScopeCounts(restored, ALL, w3, w3)).get(w3)!.get("bookings"),
      (w3 === week ? bookingsBefore : 0) + 1,
    );
    assert.equal(
      await readCount(restored, ALL, "now", "documents_waiting"),
      waiting - 1,
    );
    assert.ok((await restored.get<Booking>(keys.booking(paid))).value);
  } finally {
    restored.close();
  }

  // A store with data is refused unless --force; --force writes over it.
  const refused = await task("scripts/import.ts", [file], {
    DENO_KV_PATH: dst,
  });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /already holds data/);
  const forced = await task("scripts/import.ts", [file, "--force"], {
    DENO_KV_PATH: dst,
  });
  assert.equal(forced.code, 0, forced.stderr);

  // An unfinished file (no end line) is refused before anything is written.
  const cut = `${dir}/cut.ndjson`;
  await Deno.writeTextFile(cut, lines.slice(0, -1).join("\n") + "\n");
  const empty = `${dir}/empty.kv`;
  const partial = await task("scripts/import.ts", [cut], {
    DENO_KV_PATH: empty,
  });
  assert.equal(partial.code, 1);
  assert.match(partial.stderr, /ends before its end line/);
  const untouched = await Deno.openKv(empty);
  try {
    assert.equal(await storeHasData(untouched), false);
  } finally {
    untouched.close();
  }
  await Deno.remove(dir, { recursive: true });
});
