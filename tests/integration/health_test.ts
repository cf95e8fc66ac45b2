/**
 * /healthz and /readyz as a load balancer sees them: the process answers;
 * the instance is ready while KV answers and due jobs are being worked.
 */
import assert from "node:assert/strict";
import { keys } from "../../lib/db/keys.ts";
import {
  checkReadiness,
  MAX_JOB_WAIT_MS,
  readinessOf,
} from "../../lib/health.ts";
import { addJob } from "../../lib/jobs/outbox.ts";
import { signUpConfirmed } from "../account_helpers.ts";
import { testApp } from "../helpers.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

async function dueJob(kv: Deno.Kv, runAt: number, id: string) {
  const atomic = kv.atomic();
  addJob(atomic, { id, type: "email.send", payload: {}, runAt }, {
    now: runAt,
    wake: false,
  });
  assert.ok((await atomic.commit()).ok);
}

Deno.test("health: readiness judges KV's answer and the oldest due job's wait", () => {
  const cases: [
    string,
    Parameters<typeof readinessOf>[0],
    ReturnType<typeof readinessOf>,
  ][] = [
    ["no job due", { oldestDueAt: null }, {
      ready: true,
      oldestDueJobSeconds: 0,
    }],
    ["a job due 4 minutes ago", { oldestDueAt: NOW - 4 * 60_000 }, {
      ready: true,
      oldestDueJobSeconds: 240,
    }],
    ["a job due 4:59.999 ago", { oldestDueAt: NOW - MAX_JOB_WAIT_MS + 1 }, {
      ready: true,
      oldestDueJobSeconds: 299,
    }],
    ["a job due 5 minutes ago", { oldestDueAt: NOW - MAX_JOB_WAIT_MS }, {
      ready: false,
      reason:
        "The oldest due job has waited 300 s (at most 300 s): background jobs are not running.",
      oldestDueJobSeconds: 300,
    }],
    ["KV too slow", { kv: "timeout", afterMs: 2_000 }, {
      ready: false,
      reason: "KV did not answer within 2 s.",
      oldestDueJobSeconds: null,
    }],
    ["KV refused", { kv: "error" }, {
      ready: false,
      reason: "KV refused a read.",
      oldestDueJobSeconds: null,
    }],
  ];
  for (const [name, reading, want] of cases) {
    assert.deepEqual(readinessOf(reading, NOW), want, name);
  }
});

Deno.test("health: /healthz answers 200 with a tiny JSON, never cached, for anyone", async () => {
  const t = await testApp(NOW);
  try {
    const { cookie } = await signUpConfirmed(t, "rosa@example.com");
    for (const headers of [{}, { Cookie: cookie }] as HeadersInit[]) {
      const res = await t.request("/healthz", { headers });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: "ok" });
      assert.equal(res.headers.get("cache-control"), "no-store");
      assert.equal(res.headers.get("set-cookie"), null);
      // Answered before the page cache: it never sees a probe.
      assert.equal(res.headers.get("x-cache"), null);
    }
    const head = await t.request("/healthz", { method: "HEAD" });
    assert.equal(head.status, 200);
  } finally {
    t.close();
  }
});

Deno.test("health: /readyz is 200 while due jobs are worked, 503 with the reason once one has waited 5 minutes, and says nothing more", async () => {
  const t = await testApp(NOW);
  try {
    const ready = await t.request("/readyz");
    assert.equal(ready.status, 200);
    assert.equal(ready.headers.get("cache-control"), "no-store");
    assert.deepEqual(await ready.json(), {
      status: "ready",
      oldestDueJobSeconds: 0,
    });

    // Leased and future jobs are not waiting; a job due 4 minutes ago is fine.
    await dueJob(t.kv, NOW + 60_000, "later");
    await dueJob(t.kv, NOW - 4 * 60_000, "recent");
    const still = await t.request("/readyz");
    assert.equal(still.status, 200);
    assert.deepEqual(await still.json(), {
      status: "ready",
      oldestDueJobSeconds: 240,
    });

    await dueJob(t.kv, NOW - 6 * 60_000, "stuck");
    const stuck = await t.request("/readyz");
    assert.equal(stuck.status, 503);
    assert.equal(stuck.headers.get("cache-control"), "no-store");
    const body = await stuck.json();
    assert.deepEqual(body, {
      status: "unready",
      reason:
        "The oldest due job has waited 360 s (at most 300 s): background jobs are not running.",
      oldestDueJobSeconds: 360,
    });
    // Figures of our own only: no setting, job id or address.
    const text = JSON.stringify(body);
    for (
      const secret of ["stuck", "email.send", t.config.BASE_URL, ":memory:"]
    ) {
      assert.ok(!text.includes(secret), secret);
    }

    // Once the job is worked, the instance is ready again.
    await t.kv.atomic().delete(keys.job("stuck")).delete(
      keys.jobDue(NOW - 6 * 60_000, "stuck"),
    ).commit();
    assert.equal((await t.request("/readyz")).status, 200);
  } finally {
    t.close();
  }
});

Deno.test("health: /readyz is 503 when KV refuses or does not answer in time", async () => {
  const closed = await Deno.openKv(":memory:");
  closed.close();
  assert.deepEqual(await checkReadiness(closed, NOW), {
    ready: false,
    reason: "KV refused a read.",
    oldestDueJobSeconds: null,
  });
  // A store that never answers: the check gives up after its timeout.
  const silent = {
    list: () => ({
      [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => {}) }),
    }),
  } as unknown as Deno.Kv;
  const started = Date.now();
  assert.deepEqual(await checkReadiness(silent, NOW, 50), {
    ready: false,
    reason: "KV did not answer within 0.05 s.",
    oldestDueJobSeconds: null,
  });
  assert.ok(Date.now() - started < 1_000);
});
