/**
 * One of two processes racing for the same slot on one KV file
 * (tests/integration/holds_test.ts): 20 attempts by different renters,
 * printing "won" or "lost" for each.
 */
import { createHold } from "../lib/bookings/holds.ts";
import { ConflictError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";

const [path, kitchenId, n, now] = Deno.args;
const kv = await Deno.openKv(path);
const at = new Date(Number(now)).toISOString();
const attempts = Array.from({ length: 20 }, (_, i) =>
  createHold({
    kv,
    now: Number(now),
    fees: { renterFeeBps: 0, platformFeeBps: 1500 },
    wake: false,
    hostCanBePaid: () => Promise.resolve(true),
  }, {
    v: 1,
    id: newId(),
    email: `p${n}-${i}@example.com`,
    name: "Racer",
    roles: ["renter"],
    emailVerifiedAt: at,
    phone: null,
    businessName: null,
    createdAt: at,
    updatedAt: at,
  }, { kitchen: kitchenId, date: "2026-12-03", start: "10:00", end: "13:00" })
    .then(() => "won", (err) =>
      err instanceof ConflictError ? "lost" : `error ${err}`));
for (const r of await Promise.all(attempts)) console.log(r);
kv.close();
