import assert from "node:assert/strict";
import { keys } from "../../lib/db/keys.ts";
import { ConflictError, NotFoundError } from "../../lib/errors.ts";
import { canTakeBookings } from "../../lib/hosts/payouts.ts";
import {
  addHostProfile,
  addHostRemoval,
  addHostRename,
  findHostByPayoutAccount,
  getHost,
  getHostFresh,
  recordStripeAccount,
  setDemoPayoutReady,
  updatePayout,
  upgradeHostRecords,
} from "../../lib/hosts/repo.ts";
import { type HostV1, noPayout } from "../../lib/hosts/schema.ts";
import { newId } from "../../lib/ids.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

async function newHost(kv: Deno.Kv, name = "Dana Ortiz") {
  const atomic = kv.atomic();
  const host = addHostProfile(
    atomic,
    { id: newId(), name, businessName: null },
    NOW,
  );
  assert.ok((await atomic.commit()).ok);
  return host;
}

function v1Host(): HostV1 {
  return {
    v: 1,
    id: newId(),
    name: "Old Host",
    about: "Listed before payouts existed.",
    createdAt: "2026-01-01T00:00:00.000Z",
  };
}

Deno.test("hosts repo: an old record without payout reads fine and is stored as v2 on its next write", () =>
  withKv(async (kv) => {
    const old = v1Host();
    await kv.set(keys.host(old.id), old);

    const expected = { ...old, v: 2, payout: noPayout() };
    assert.deepEqual(await getHost(kv, old.id), expected);
    assert.deepEqual((await getHostFresh(kv, old.id)).value, expected);

    const after = await setDemoPayoutReady(kv, old.id, NOW);
    const stored = (await kv.get(keys.host(old.id))).value;
    assert.deepEqual(stored, after);
    assert.equal(after.v, 2);
    assert.equal(after.about, old.about);
    assert.ok(canTakeBookings(after, "demo"));
    assert.deepEqual(await getHost(kv, old.id), after, "cache forgot");
  }));

Deno.test("hosts repo: upgradeHostRecords rewrites v1 records once", () =>
  withKv(async (kv) => {
    const a = v1Host();
    const b = v1Host();
    await kv.set(keys.host(a.id), a);
    await kv.set(keys.host(b.id), b);
    const current = await newHost(kv);
    assert.equal(await upgradeHostRecords(kv), 2);
    assert.equal(await upgradeHostRecords(kv), 0);
    for (const id of [a.id, b.id, current.id]) {
      const stored = (await kv.get<{ v: number }>(keys.host(id))).value;
      assert.equal(stored?.v, 2);
    }
  }));

Deno.test("hosts repo: a new profile starts without payouts and is created once", () =>
  withKv(async (kv) => {
    const user = { id: newId(), name: "Ada", businessName: "Ada's Bakes" };
    const atomic = kv.atomic();
    const host = addHostProfile(atomic, user, NOW);
    assert.ok((await atomic.commit()).ok);
    assert.equal(host.name, "Ada's Bakes");
    assert.equal(host.createdAt, "2026-12-01T15:00:00.000Z");
    assert.deepEqual(host.payout, noPayout());
    assert.equal(canTakeBookings(host, "stripe"), false);

    const again = kv.atomic();
    addHostProfile(again, user, NOW);
    assert.equal((await again.commit()).ok, false, "checked absent");
  }));

Deno.test("hosts repo: recordStripeAccount writes the index that findHostByPayoutAccount reads", () =>
  withKv(async (kv) => {
    const host = await newHost(kv);
    assert.equal(await findHostByPayoutAccount(kv, "acct_1"), null);

    const recorded = await recordStripeAccount(kv, host.id, "acct_1", NOW);
    assert.deepEqual(recorded.payout, {
      provider: "stripe",
      accountId: "acct_1",
      chargesEnabled: false,
      payoutsEnabled: false,
      requirementsDue: [],
      updatedAt: "2026-12-01T15:00:00.000Z",
    });
    assert.equal(
      (await kv.get(keys.hostByPayoutAccount("acct_1"))).value,
      host.id,
    );
    assert.deepEqual(await findHostByPayoutAccount(kv, "acct_1"), recorded);

    // account.updated: Stripe lets the account charge and pay out.
    await updatePayout(kv, host.id, (p) => ({
      ...p,
      chargesEnabled: true,
      payoutsEnabled: true,
    }), NOW + 1000);
    // Recording the same account again (a retried request) keeps what Stripe said.
    const again = await recordStripeAccount(kv, host.id, "acct_1", NOW + 2000);
    assert.ok(canTakeBookings(again, "stripe"));
    assert.equal(
      (await findHostByPayoutAccount(kv, "acct_1"))?.payout.chargesEnabled,
      true,
    );

    // A new account replaces the old one in the index, in the same atomic.
    await recordStripeAccount(kv, host.id, "acct_2", NOW + 3000);
    assert.equal(await findHostByPayoutAccount(kv, "acct_1"), null);
    assert.equal(
      (await kv.get(keys.hostByPayoutAccount("acct_1"))).value,
      null,
    );
    assert.equal((await findHostByPayoutAccount(kv, "acct_2"))?.id, host.id);

    // Switching to demo payouts drops the Stripe account's entry.
    await setDemoPayoutReady(kv, host.id, NOW + 4000);
    assert.equal(await findHostByPayoutAccount(kv, "acct_2"), null);

    await assert.rejects(
      recordStripeAccount(kv, newId(), "acct_3"),
      NotFoundError,
    );
  }));

Deno.test("hosts repo: of hosts racing for one payout account, exactly one gets it", () =>
  withKv(async (kv) => {
    const hosts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => newHost(kv, `Host ${i}`)),
    );
    const results = await Promise.allSettled(
      hosts.map((h) => recordStripeAccount(kv, h.id, "acct_shared", NOW)),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1);
    for (const r of results) {
      if (r.status === "rejected") {
        assert.ok(r.reason instanceof ConflictError, String(r.reason));
        assert.equal(
          r.reason.message,
          "That payout account belongs to another host.",
        );
      }
    }
    const owner = await findHostByPayoutAccount(kv, "acct_shared");
    assert.equal(
      owner?.id,
      (won[0] as PromiseFulfilledResult<{ id: string }>)
        .value.id,
    );
    const withAccount = [];
    for (const h of hosts) {
      const p = (await getHostFresh(kv, h.id)).value!.payout;
      if (p.accountId) withAccount.push(h.id);
    }
    assert.deepEqual(withAccount, [owner!.id]);
  }));

/**
 * `kv`, except that before each of the first `times` commits `write` runs:
 * another writer changing the data between a read and its commit.
 */
function racingKv(kv: Deno.Kv, times: number, write: () => Promise<unknown>) {
  let left = times;
  return new Proxy(kv, {
    get(target, prop) {
      if (prop !== "atomic") {
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return () => {
        const atomic = target.atomic();
        const commit = atomic.commit.bind(atomic);
        atomic.commit = async () => {
          if (left > 0) {
            left--;
            await write();
          }
          return await commit();
        };
        return atomic;
      };
    },
  });
}

Deno.test("hosts repo: updatePayout checks the version it read and retries from a fresh read", () =>
  withKv(async (kv) => {
    const host = await newHost(kv);
    const raced = racingKv(
      kv,
      1,
      () => kv.set(keys.host(host.id), { ...host, about: "Changed meanwhile" }),
    );
    let calls = 0;
    const after = await updatePayout(raced, host.id, (p) => {
      calls++;
      return { ...p, requirementsDue: ["external_account"] };
    }, NOW);
    assert.equal(calls, 2, "retried after the check failed");
    assert.equal(after.about, "Changed meanwhile", "kept the other write");
    assert.deepEqual(after.payout.requirementsDue, ["external_account"]);
    assert.deepEqual((await kv.get(keys.host(host.id))).value, after);
  }));

Deno.test("hosts repo: updatePayout gives up with a conflict when the host keeps changing", () =>
  withKv(async (kv) => {
    const host = await newHost(kv);
    let n = 0;
    const raced = racingKv(
      kv,
      Infinity,
      () => kv.set(keys.host(host.id), { ...host, about: `edit ${++n}` }),
    );
    await assert.rejects(
      updatePayout(raced, host.id, (p) => ({ ...p, chargesEnabled: true })),
      ConflictError,
    );
    assert.equal(n, 5, "five attempts");
    const stored = (await getHostFresh(kv, host.id)).value!;
    assert.equal(
      stored.payout.chargesEnabled,
      false,
      "nothing of ours written",
    );
    assert.equal(stored.about, "edit 5");
  }));

Deno.test("hosts repo: renaming and removal go in the caller's atomic", () =>
  withKv(async (kv) => {
    const host = await newHost(kv);
    await recordStripeAccount(kv, host.id, "acct_9", NOW);
    assert.equal((await getHost(kv, host.id))?.name, "Dana Ortiz");

    const rename = kv.atomic();
    await addHostRename(rename, kv, host.id, "Dana's Kitchens");
    assert.ok((await rename.commit()).ok);
    const renamed = (await getHostFresh(kv, host.id)).value!;
    assert.equal(renamed.name, "Dana's Kitchens");
    assert.equal(renamed.payout.accountId, "acct_9");

    const removal = kv.atomic();
    await addHostRemoval(removal, kv, host.id);
    assert.ok((await removal.commit()).ok);
    assert.equal((await kv.get(keys.host(host.id))).value, null);
    assert.equal(
      (await kv.get(keys.hostByPayoutAccount("acct_9"))).value,
      null,
    );
  }));
