import assert from "node:assert/strict";
import { ALL_CITIES, keys } from "../../lib/db/keys.ts";
import {
  countPublishedKitchens,
  createKitchen,
  listKitchenIdsByHost,
  setKitchenStatus,
  updateKitchen,
} from "../../lib/kitchens/repo.ts";
import { NotFoundError } from "../../lib/errors.ts";
import { givePermits } from "../compliance_helpers.ts";
import { addHost, kitchenFixture } from "../helpers.ts";

async function indexEntries(kv: Deno.Kv, prefix: string) {
  const out: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix: [prefix] })) out.push(e.key);
  return out;
}

Deno.test("kitchens repo: publishing, moving and suspending keep indexes and counts exact", async () => {
  const kv = await Deno.openKv(":memory:");
  const host = await addHost(kv);
  const k = await createKitchen(kv, host.id, kitchenFixture(), {
    status: "published",
  });
  // Published but its permits not yet verified: in no index, not counted.
  assert.equal(await countPublishedKitchens(kv, "chicago"), 0);
  assert.deepEqual(await indexEntries(kv, "kitchens_by_feature"), []);
  await givePermits(kv, k, Date.now());
  assert.equal(await countPublishedKitchens(kv, "chicago"), 1);
  assert.equal(await countPublishedKitchens(kv, ALL_CITIES), 1);
  assert.equal((await indexEntries(kv, "kitchens_by_feature")).length, 4);

  await updateKitchen(kv, k.id, (x) => ({
    ...x,
    hourlyPriceCents: 9900,
    address: { ...x.address, city: "boston" },
    timeZone: "America/New_York",
  }));
  assert.equal(await countPublishedKitchens(kv, "chicago"), 0);
  assert.equal(await countPublishedKitchens(kv, "boston"), 1);
  const prices = await indexEntries(kv, "kitchens_by_price");
  assert.deepEqual(
    prices,
    [
      keys.kitchensByPrice(ALL_CITIES, 9900, k.id),
      keys.kitchensByPrice("boston", 9900, k.id),
    ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
  );

  await setKitchenStatus(kv, k.id, "suspended");
  assert.equal(await countPublishedKitchens(kv, ALL_CITIES), 0);
  assert.deepEqual(await indexEntries(kv, "kitchens_by_price"), []);
  assert.deepEqual(await indexEntries(kv, "kitchens_by_feature"), []);
  assert.deepEqual(await listKitchenIdsByHost(kv, host.id), [k.id]);
  kv.close();
});

Deno.test("kitchens repo: a kitchen needs an existing host", async () => {
  const kv = await Deno.openKv(":memory:");
  await assert.rejects(
    createKitchen(kv, "nobody", kitchenFixture()),
    NotFoundError,
  );
  assert.deepEqual(await indexEntries(kv, "kitchens"), []);
  kv.close();
});

Deno.test("kitchens repo: concurrent updates all land, none lost", async () => {
  const kv = await Deno.openKv(":memory:");
  const host = await addHost(kv);
  const k = await createKitchen(kv, host.id, kitchenFixture({ rules: [] }), {
    status: "published",
  });
  await givePermits(kv, k, Date.now());
  await Promise.all(
    Array.from({ length: 5 }, (_, i) =>
      updateKitchen(
        kv,
        k.id,
        (x) => ({ ...x, rules: [...x.rules, `rule ${i}`] }),
      )),
  );
  const final = (await kv.get<{ rules: string[] }>(keys.kitchen(k.id))).value!;
  assert.equal(final.rules.length, 5);
  assert.equal(await countPublishedKitchens(kv, "chicago"), 1);
  kv.close();
});
