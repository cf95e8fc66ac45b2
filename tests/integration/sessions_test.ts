import assert from "node:assert/strict";
import {
  addEndSessions,
  addSession,
  loadSession,
  MAX_SESSIONS_PER_USER,
  type NewSession,
  SESSION_IDLE_MS,
  sessionsToEvict,
} from "../../lib/accounts/sessions.ts";
import type { SessionRecord, User } from "../../lib/accounts/schema.ts";
import { keys } from "../../lib/db/keys.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const MINUTE = 60_000;

async function withUser(fn: (kv: Deno.Kv, userId: string) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  const user: User = {
    v: 1,
    id: "user-1",
    email: "ada@example.com",
    name: "Ada",
    passwordHash: "x",
    roles: ["renter"],
    emailVerifiedAt: null,
    phone: null,
    businessName: null,
    createdAt: new Date(NOW).toISOString(),
    updatedAt: new Date(NOW).toISOString(),
  };
  await kv.set(keys.user(user.id), user);
  try {
    await fn(kv, user.id);
  } finally {
    kv.close();
  }
}

/** Opens a session as a login does: a failed commit is tried again. */
async function open(
  kv: Deno.Kv,
  userId: string,
  now: number,
): Promise<NewSession> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const atomic = kv.atomic();
    const session = await addSession(atomic, kv, userId, now);
    if ((await atomic.commit()).ok) return session;
  }
  throw new Error("no session after 100 attempts");
}

async function hashesOf(kv: Deno.Kv, userId: string): Promise<string[]> {
  const out: string[] = [];
  for await (
    const e of kv.list<string>({ prefix: keys.sessionsByUserPrefix(userId) })
  ) out.push(e.value);
  return out;
}

Deno.test("sessions: an atomic that ends every session fails when a session was added meanwhile", async () => {
  await withUser(async (kv, userId) => {
    await open(kv, userId, NOW);
    const ending = kv.atomic();
    assert.equal((await addEndSessions(ending, kv, userId)).length, 1);
    const late = await open(kv, userId, NOW + 1);
    assert.equal((await ending.commit()).ok, false);
    // Tried again from a fresh read, it ends the late one too.
    const again = kv.atomic();
    assert.deepEqual(
      (await addEndSessions(again, kv, userId)).length,
      2,
    );
    assert.ok((await again.commit()).ok);
    assert.deepEqual(await hashesOf(kv, userId), []);
    assert.equal((await kv.get(keys.session(late.hash))).value, null);
  });
});

Deno.test("sessions: an account keeps at most 50 sessions; a new one ends the least recently used", async () => {
  await withUser(async (kv, userId) => {
    const opened: NewSession[] = [];
    for (let i = 0; i < MAX_SESSIONS_PER_USER; i++) {
      opened.push(await open(kv, userId, NOW + i * MINUTE));
    }
    assert.equal(MAX_SESSIONS_PER_USER, 50);
    // The first one is used again (a touch), so the second is now the least recent.
    const later = NOW + 2 * 3600_000;
    assert.ok(await loadSession(kv, opened[0].secret, later));
    const next = await open(kv, userId, later);
    assert.deepEqual(next.ended, [opened[1].hash]);
    const left = await hashesOf(kv, userId);
    assert.equal(left.length, MAX_SESSIONS_PER_USER);
    assert.ok(left.includes(opened[0].hash));
    assert.ok(!left.includes(opened[1].hash));
    assert.equal(await loadSession(kv, opened[1].secret, later), null);
    assert.ok(await loadSession(kv, next.secret, later));
  });
});

Deno.test("sessions: concurrent logins cannot pass the cap", async () => {
  await withUser(async (kv, userId) => {
    await Promise.all(
      Array.from({ length: 80 }, (_, i) => open(kv, userId, NOW + i)),
    );
    assert.equal((await hashesOf(kv, userId)).length, MAX_SESSIONS_PER_USER);
  });
});

Deno.test("sessions: which sessions a new one ends first", () => {
  const rec = (lastSeenAt: number, expiresAt = NOW + 3600_000) =>
    ({
      userId: "u",
      createdAt: lastSeenAt,
      lastSeenAt,
      expiresAt,
    }) satisfies SessionRecord;
  const cases: [
    string,
    { hash: string; record: SessionRecord | null }[],
    number,
    string[],
  ][] = [
    [
      "the least recently used",
      [
        { hash: "a", record: rec(NOW - 5) },
        { hash: "b", record: rec(NOW - 9) },
        { hash: "c", record: rec(NOW - 1) },
      ],
      1,
      ["b"],
    ],
    [
      "a record already gone comes first",
      [
        { hash: "a", record: rec(NOW - 9) },
        { hash: "b", record: null },
      ],
      1,
      ["b"],
    ],
    [
      "an idle or expired one comes first",
      [
        { hash: "a", record: rec(NOW - 9) },
        { hash: "idle", record: rec(NOW - SESSION_IDLE_MS - 1) },
        { hash: "old", record: rec(NOW - 1, NOW - 1) },
      ],
      2,
      ["idle", "old"],
    ],
    [
      "several",
      [
        { hash: "a", record: rec(NOW - 3) },
        { hash: "b", record: rec(NOW - 2) },
        { hash: "c", record: rec(NOW - 1) },
      ],
      2,
      ["a", "b"],
    ],
  ];
  for (const [name, sessions, count, expected] of cases) {
    assert.deepEqual(
      sessionsToEvict(sessions, count, NOW).sort(),
      expected.sort(),
      name,
    );
  }
});
