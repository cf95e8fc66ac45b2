/** Issue 10 §7: the demo's documents tell the compliance story on first start. */
import assert from "node:assert/strict";
import { assessBooking } from "../../lib/compliance/booking_policy.ts";
import { quietHoursWarnings } from "../../lib/compliance/quiet_hours.ts";
import { listDocumentsFor, listQueue } from "../../lib/compliance/repo.ts";
import { rulePackFor } from "../../lib/compliance/rules.ts";
import { ALL_CITIES } from "../../lib/db/keys.ts";
import { localInstant } from "../../lib/kitchens/free_time.ts";
import { countPublishedKitchens } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { demoKitchens } from "../../scripts/demo/compliance.ts";
import { seedDemoData } from "../../scripts/demo/catalogue.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

Deno.test("demo compliance: every kitchen listed, a queue to work, one permit expiring, one rejection, a renter denied only in Portland", async () => {
  const kv = await Deno.openKv(":memory:");
  await seedDemoData(kv, { now: new Date(NOW) });
  const kitchens = await demoKitchens(kv);
  assert.equal(kitchens.length, 48);
  assert.equal(await countPublishedKitchens(kv, ALL_CITIES), 48);
  assert.ok(kitchens.every((k) => k.permits?.ok), "all listed");

  const queue = await listQueue(kv, { limit: 50 });
  const holders = queue.documents.map((d) => d.holder.kind);
  assert.ok(holders.filter((h) => h === "kitchen").length >= 3);
  assert.ok(holders.includes("renter"));

  const docs = (await Promise.all(
    kitchens.map((k) => listDocumentsFor(kv, { kind: "kitchen", id: k.id })),
  )).flat();
  const soon = docs.filter((d) =>
    d.status === "verified" &&
    Date.parse(d.expiryDate) - NOW < 30 * 86_400_000
  );
  assert.equal(soon.length, 1);
  assert.equal(docs.filter((d) => d.status === "rejected").length, 1);

  for (const k of kitchens) {
    const pack = rulePackFor(k.address.city);
    assert.deepEqual(quietHoursWarnings(pack, k.weeklyHours), [], k.title);
  }

  const verdictIn = async (city: string) => {
    const k = kitchens.find((x) => x.address.city === city)! as Kitchen;
    const start = localInstant(k.timeZone, "2026-12-10", "10:00");
    return await assessBooking(kv, {
      kitchen: k,
      renterId: "demo-user-renter",
      interval: { start, end: start + 3 * 3600_000 },
      localDate: "2026-12-10",
      days: [],
      now: NOW,
    });
  };
  for (
    const city of [
      "new-york",
      "chicago",
      "atlanta",
      "los-angeles",
      "boston",
      "san-francisco",
      "seattle",
    ]
  ) {
    const v = await verdictIn(city);
    assert.notEqual(v.decision, "DENY", `${city}: ${JSON.stringify(v.denies)}`);
  }
  const portland = await verdictIn("portland");
  assert.equal(portland.decision, "DENY");
  assert.deepEqual(portland.denies.map((d) => d.code), [
    "insurance.additional_insured.mismatch",
  ]);
  kv.close();
});
