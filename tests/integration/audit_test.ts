import assert from "node:assert/strict";
import { setStaffRole } from "../../lib/accounts/staff_roles.ts";
import { at } from "../../lib/app.ts";
import { addAudit, listAudit, listAuditFor } from "../../lib/audit/repo.ts";
import type { NewAuditEntry } from "../../lib/audit/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { ValidationError } from "../../lib/errors.ts";
import { signUp } from "../account_helpers.ts";
import { testApp } from "../helpers.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

async function withKv(fn: (kv: Deno.Kv) => Promise<void> | void) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

function cancelled(bookingId: string, n = 0): NewAuditEntry {
  return {
    actor: { kind: "user", id: "01JUSER0000000000000000000", email: "a@x.io" },
    action: "booking.cancelled",
    subject: { kind: "booking", id: bookingId },
    details: { n, refundCents: 4000, policy: "moderate", late: false },
    reason: "  Renter moved to a cafe\u0301 ",
  };
}

async function countPrefix(kv: Deno.Kv, prefix: Deno.KvKey) {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
}

Deno.test("audit: an entry is written with its change, and not without it", () =>
  withKv(async (kv) => {
    await kv.set(["things", "a"], 1);
    const failed = kv.atomic()
      .check({ key: ["things", "a"], versionstamp: null })
      .set(["things", "a"], 2);
    addAudit(failed, cancelled("B1"), NOW);
    assert.equal((await failed.commit()).ok, false);
    assert.equal(await countPrefix(kv, ["audit"]), 0, "no entry");
    assert.equal(await countPrefix(kv, ["audit_by_subject"]), 0, "no index");
    assert.deepEqual((await listAudit(kv)).entries, []);

    const atomic = kv.atomic().set(["things", "a"], 3);
    const entry = addAudit(atomic, cancelled("B1"), NOW);
    assert.ok((await atomic.commit()).ok);
    assert.equal((await kv.get(["things", "a"])).value, 3);
    assert.deepEqual((await kv.get(keys.audit(entry.id))).value, entry);
    assert.equal(
      (await kv.get(keys.auditBySubject("booking", "B1", entry.id))).value,
      entry.id,
    );
    assert.equal(entry.v, 1);
    assert.equal(entry.at, "2026-12-01T15:00:00.000Z");
    assert.equal(entry.reason, "Renter moved to a caf\u00e9", "normalised");
    assert.deepEqual((await listAudit(kv)).entries, [entry]);
  }));

Deno.test("audit: a malformed entry throws before anything is committed", () =>
  withKv((kv) => {
    const bad: NewAuditEntry[] = [
      { ...cancelled("B1"), action: "Cancelled booking" },
      { ...cancelled("B1"), subject: { kind: "booking", id: "" } },
      {
        ...cancelled("B1"),
        details: { nested: { a: 1 } } as unknown as NewAuditEntry["details"],
      },
      {
        ...cancelled("B1"),
        details: Object.fromEntries(
          Array.from({ length: 21 }, (_, i) => [`k${i}`, i]),
        ),
      },
      { ...cancelled("B1"), reason: "bidi \u202e trick" },
    ];
    for (const entry of bad) {
      assert.throws(() => addAudit(kv.atomic(), entry, NOW), entry.action);
    }
  }));

Deno.test("audit: the log lists newest first, a page at a time", () =>
  withKv(async (kv) => {
    const ids: string[] = [];
    for (let n = 0; n < 7; n++) {
      const atomic = kv.atomic();
      ids.push(addAudit(atomic, cancelled(n % 2 ? "B1" : "B2", n), NOW).id);
      assert.ok((await atomic.commit()).ok);
    }
    const newest = [...ids].reverse();
    const first = await listAudit(kv, { limit: 3 });
    assert.deepEqual(first.entries.map((e) => e.id), newest.slice(0, 3));
    assert.ok(first.cursor);
    const second = await listAudit(kv, { limit: 3, cursor: first.cursor });
    assert.deepEqual(second.entries.map((e) => e.id), newest.slice(3, 6));
    const last = await listAudit(kv, { limit: 3, cursor: second.cursor });
    assert.deepEqual(last.entries.map((e) => e.id), newest.slice(6));
    assert.equal(last.cursor, null);
    const exact = await listAudit(kv, { limit: 7 });
    assert.equal(exact.entries.length, 7);
    assert.equal(exact.cursor, null, "no empty page after an exact fit");

    await assert.rejects(
      listAudit(kv, { cursor: "../../etc" }),
      ValidationError,
    );

    const b1 = await listAuditFor(kv, "booking", "B1");
    assert.deepEqual(b1.map((e) => e.details.n), [5, 3, 1]);
    const b2 = await listAuditFor(kv, "booking", "B2", { limit: 2 });
    assert.deepEqual(b2.map((e) => e.details.n), [6, 4]);
    assert.deepEqual(await listAuditFor(kv, "user", "B1"), []);
  }));

Deno.test("audit: listAuditFor reads more than ten entries", () =>
  withKv(async (kv) => {
    const atomic = kv.atomic();
    for (let n = 0; n < 23; n++) addAudit(atomic, cancelled("B1", n), NOW);
    assert.ok((await atomic.commit()).ok);
    const all = await listAuditFor(kv, "booking", "B1");
    assert.deepEqual(
      all.map((e) => e.details.n),
      Array.from({ length: 23 }, (_, i) => 22 - i),
    );
  }));

Deno.test("audit: `deno task admin` granting and revoking a role is audited", async () => {
  const t = await testApp();
  try {
    await signUp(t);
    const deps = at(t.services);
    assert.equal(
      await setStaffRole(deps, "nobody@example.com", "admin", true),
      null,
    );
    assert.deepEqual((await listAudit(t.kv)).entries, [], "nothing to audit");

    const user = (await setStaffRole(deps, "ada@example.com", "admin", true))!;
    await setStaffRole(deps, "ada@example.com", "admin", true);
    await setStaffRole(deps, "ada@example.com", "admin", false);

    const entries = await listAuditFor(t.kv, "user", user.id);
    assert.deepEqual(
      entries.map((e) => [e.action, e.details.changed]),
      [["role.revoked", true], ["role.granted", false], [
        "role.granted",
        true,
      ]],
    );
    const granted = entries[2];
    assert.deepEqual(granted.actor, { kind: "system", id: "deno task admin" });
    assert.deepEqual(granted.subject, { kind: "user", id: user.id });
    assert.deepEqual(granted.details, {
      role: "admin",
      email: "ada@example.com",
      changed: true,
    });
    assert.equal(granted.at, new Date(t.clock()).toISOString());
    assert.deepEqual(
      (await listAudit(t.kv)).entries.map((e) => e.id),
      entries.map((e) => e.id),
    );
  } finally {
    t.close();
  }
});
