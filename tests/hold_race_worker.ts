/**
 * One of two processes racing for the same slot on one KV file
 * (tests/integration/holds_test.ts): 20 attempts by different renters,
 * printing "won" or "lost" for each.
 */
import { createHold } from "../lib/bookings/holds.ts";
import { ConflictError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { ALLOW_ALL } from "./helpers.ts";

const [path, kitchenId, n, now] = Deno.args;
const kv = await Deno.openKv(path);
const at = new Date(Number(now)).toISOString();
/**
 * SQLite may answer "database is locked" while the other process holds its
 * write lock; that is not an answer about the slot, so ask again.
 */
async function retryLocked<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt > 50 || !/database is locked/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
    }
  }
}

const attempts = Array.from(
  { length: 20 },
  (_, i) =>
    retryLocked(() =>
      createHold({
        kv,
        now: Number(now),
        fees: { renterFeeBps: 0, platformFeeBps: 1500 },
        policy: ALLOW_ALL,
        wake: false,
        payments: "demo",
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
      }, {
        kitchen: kitchenId,
        date: "2026-12-03",
        start: "10:00",
        end: "13:00",
      })
    ).then(
      () => "won",
      (err) => err instanceof ConflictError ? "lost" : `error ${err}`,
    ),
);
for (const r of await Promise.all(attempts)) console.log(r);
kv.close();
