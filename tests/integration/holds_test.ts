import assert from "node:assert/strict";
import { serialize } from "node:v8";
import type { SessionUser } from "../../lib/accounts/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { ConflictError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { daySlots } from "../../lib/kitchens/free_time.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { createBlock, MAX_DAY_CLAIMS } from "../../lib/bookings/blocks.ts";
import {
  type CalendarClaim,
  type CalendarDay,
  MAX_CLAIMS_PER_DAY,
} from "../../lib/bookings/day_claims.ts";
import {
  BUSY_DAY,
  createHold,
  type HoldDeps,
} from "../../lib/bookings/holds.ts";
import { readyDemoPayout } from "../../lib/hosts/payouts.ts";
import { mulberry32 } from "../../lib/random.ts";
import { addHost, addKitchens, ALLOW_ALL, kitchenFixture } from "../helpers.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

export function renter(n: number | string = 1): SessionUser {
  const at = new Date(NOW).toISOString();
  return {
    v: 1,
    id: newId(),
    email: `renter${n}@example.com`,
    name: `Renter ${n}`,
    roles: ["renter"],
    emailVerifiedAt: at,
    phone: null,
    businessName: null,
    createdAt: at,
    updatedAt: at,
  };
}

function deps(kv: Deno.Kv, now = NOW): HoldDeps {
  return {
    kv,
    now,
    fees: { renterFeeBps: 0, platformFeeBps: 1500 },
    policy: ALLOW_ALL,
    wake: false,
    payments: "demo",
  };
}

/** A host whose kitchens take bookings: demo payouts set up. */
function payableHost(kv: Deno.Kv) {
  return addHost(kv, "Test Host", {
    payout: readyDemoPayout(new Date(NOW).toISOString()),
  });
}

async function setup(path = ":memory:", count = 1) {
  const kv = await Deno.openKv(path);
  const host = await payableHost(kv);
  const kitchens = await addKitchens(
    kv,
    host.id,
    Array.from({ length: count }, () => kitchenFixture({ bufferMinutes: 30 })),
  );
  return { kv, kitchens };
}

async function liveBookings(kv: Deno.Kv): Promise<Booking[]> {
  const out: Booking[] = [];
  for await (const e of kv.list<Booking>({ prefix: ["bookings"] })) {
    if (["held", "requested", "confirmed"].includes(e.value.status)) {
      out.push(e.value);
    }
  }
  return out;
}

for (const backend of [":memory:", "file"]) {
  Deno.test(`holds (${backend}): 200 simultaneous holds of one slot, exactly one wins`, async () => {
    const path = backend === "file"
      ? `${await Deno.makeTempDir()}/race.kv`
      : ":memory:";
    const { kv, kitchens: [k] } = await setup(path);
    const req = {
      kitchen: k.id,
      date: "2026-12-03",
      start: "10:00",
      end: "13:00",
    };
    const results = await Promise.allSettled(
      Array.from(
        { length: 200 },
        (_, i) => createHold(deps(kv), renter(i), req),
      ),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    assert.equal(won.length, 1);
    assert.equal(lost.length, 199);
    for (const r of lost) {
      assert.ok(r.reason instanceof ConflictError, String(r.reason));
      assert.match(r.reason.message, /Someone else has just booked/);
    }
    const live = await liveBookings(kv);
    assert.equal(live.length, 1);
    // The hours are gone from the picker, buffer included.
    const slots = await daySlots(kv, k, "2026-12-03", NOW);
    const taken = (ms: number) => slots.some((s) => s.start === ms);
    assert.equal(taken(live[0].start), false);
    assert.equal(taken(live[0].end), false, "the 30-minute buffer is kept");
    kv.close();
  });
}

Deno.test("holds: 500 random overlapping requests over 3 kitchens never double-book", async () => {
  const { kv, kitchens } = await setup(":memory:", 3);
  const rand = mulberry32(20261201);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const times = [
    "08:00",
    "09:00",
    "09:30",
    "10:00",
    "11:30",
    "13:00",
    "14:00",
    "15:30",
    "17:00",
  ];
  const requests = Array.from({ length: 500 }, (_, i) => {
    const start = pick(times.slice(0, -1));
    const later = times.filter((t) => t > start);
    const end = pick(later);
    return {
      r: renter(i),
      req: {
        kitchen: pick(kitchens).id,
        date: pick(["2026-12-03", "2026-12-04"]),
        start,
        end,
      },
    };
  });
  const results = await Promise.allSettled(
    requests.map(({ r, req }) => createHold(deps(kv), r, req)),
  );
  for (const r of results) {
    if (r.status === "rejected") {
      assert.ok(
        r.reason instanceof ConflictError ||
          /shorter than this kitchen's minimum/.test(r.reason.message),
        String(r.reason),
      );
    }
  }
  const live = await liveBookings(kv);
  assert.ok(live.length > 3, `some holds succeed: ${live.length}`);
  for (let i = 0; i < live.length; i++) {
    for (let j = i + 1; j < live.length; j++) {
      const [a, b] = [live[i], live[j]];
      if (a.kitchenId !== b.kitchenId) continue;
      const gap = 30 * 60_000;
      assert.ok(
        a.end + gap <= b.start || b.end + gap <= a.start,
        `overlap: ${a.id} ${a.localStart}-${a.localEnd} and ${b.id} ${b.localStart}-${b.localEnd}`,
      );
    }
  }
  kv.close();
});

Deno.test("holds: two processes on one KV file racing for one slot, one winner", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/race.kv`;
  const { kv, kitchens: [k] } = await setup(path);
  kv.close();
  const worker = new URL("../hold_race_worker.ts", import.meta.url).pathname;
  const run = (n: number) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", worker, path, k.id, String(n), String(NOW)],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const outs = await Promise.all([run(1), run(2)]);
  const lines = outs.flatMap((o) =>
    new TextDecoder().decode(o.stdout).trim().split("\n")
  );
  const errors = outs.map((o) => new TextDecoder().decode(o.stderr)).join("");
  assert.equal(lines.length, 40, lines.join("\n") + errors);
  assert.equal(lines.filter((l) => l === "won").length, 1, lines.join("\n"));
  assert.equal(lines.filter((l) => l === "lost").length, 39, lines.join("\n"));
  const check = await Deno.openKv(path);
  assert.equal((await liveBookings(check)).length, 1);
  check.close();
});

Deno.test("holds: a day at the block cap still takes every booking that fits, and its record stays under 64 KiB", async () => {
  const kv = await Deno.openKv(":memory:");
  const host = await payableHost(kv);
  const [k] = await addKitchens(kv, host.id, [kitchenFixture({
    minHours: 1,
    maxHours: 24,
    weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
      day,
      start: "00:00",
      end: "24:00",
    })),
  })]);
  // As many blocks as a day takes, squeezed into its first second.
  const midnight = Date.parse("2026-12-03T06:00:00Z");
  for (let i = 0; i < MAX_DAY_CLAIMS; i++) {
    await createBlock(kv, k, {
      start: midnight + 2 * i,
      end: midnight + 2 * i + 1,
      reason: "",
    }, NOW);
  }
  // Then every hour after it, each by another renter.
  for (let h = 1; h < 24; h++) {
    const hour = (n: number) => `${String(n).padStart(2, "0")}:00`;
    await createHold(deps(kv), renter(h), {
      kitchen: k.id,
      date: "2026-12-03",
      start: hour(h),
      end: h === 23 ? "00:00" : hour(h + 1),
    });
  }
  const day = (await kv.get<CalendarDay>(keys.calendarDay(k.id, "2026-12-03")))
    .value!;
  assert.equal(day.claims.length, MAX_DAY_CLAIMS + 23);
  assert.ok(day.claims.length <= MAX_CLAIMS_PER_DAY);
  assert.ok(serialize(day).byteLength < 64 * 1024);
  kv.close();
});

Deno.test("holds: a day whose calendar record is full refuses the hold cleanly, never a 500", async () => {
  const { kv, kitchens: [k] } = await setup();
  // A record filled before the caps existed, as full as a KV value can be:
  // one more claim would not fit.
  const dayKey = keys.calendarDay(k.id, "2026-12-03");
  const midnight = Date.parse("2026-12-03T06:00:00Z");
  const hold: CalendarClaim = {
    ref: newId(),
    start: midnight + 10 * 3600_000,
    end: midnight + 13 * 3600_000,
    bufferMs: 30 * 60_000,
    expiresAt: NOW + 35 * 60_000,
  };
  const claims: CalendarClaim[] = [];
  while (
    serialize({ v: 1, claims: [...claims, hold] }).byteLength <= 65_536
  ) {
    claims.push({
      ref: `block:${newId()}`,
      start: midnight + claims.length * 2,
      end: midnight + claims.length * 2 + 1,
      bufferMs: 0,
      expiresAt: null,
    });
  }
  await kv.set(dayKey, { v: 1, claims });
  const before = await kv.get(dayKey);
  await assert.rejects(
    createHold(deps(kv), renter(), {
      kitchen: k.id,
      date: "2026-12-03",
      start: "10:00",
      end: "13:00",
    }),
    (err) =>
      err instanceof ConflictError &&
      err.message ===
        "The kitchen's calendar for that day is full; pick another day.",
  );
  assert.equal((await kv.get(dayKey)).versionstamp, before.versionstamp);
  assert.equal((await liveBookings(kv)).length, 0);
  // Other days book as usual.
  const next = await createHold(deps(kv), renter(), {
    kitchen: k.id,
    date: "2026-12-04",
    start: "10:00",
    end: "13:00",
  });
  assert.equal(next.status, "held");
  kv.close();
});

Deno.test("holds: the renter may hold three unpaid bookings at once", async () => {
  const { kv, kitchens: [k] } = await setup();
  const r = renter();
  for (
    const [start, end] of [["08:00", "10:00"], ["11:00", "13:00"], [
      "14:00",
      "16:00",
    ]]
  ) {
    await createHold(deps(kv), r, {
      kitchen: k.id,
      date: "2026-12-03",
      start,
      end,
    });
  }
  await assert.rejects(
    createHold(deps(kv), r, {
      kitchen: k.id,
      date: "2026-12-04",
      start: "08:00",
      end: "10:00",
    }),
    /already have 3 bookings waiting for payment/,
  );
  // Lapsed holds no longer count, and their time is free again at once.
  const later = deps(kv, NOW + 36 * 60_000);
  const again = await createHold(later, renter(2), {
    kitchen: k.id,
    date: "2026-12-03",
    start: "08:00",
    end: "10:00",
  });
  assert.equal(again.status, "held");
  await createHold(later, r, {
    kitchen: k.id,
    date: "2026-12-04",
    start: "08:00",
    end: "10:00",
  });
  assert.ok((await kv.get(keys.booking(again.id))).value);
  kv.close();
});

Deno.test("holds: the rules are re-checked from KV when holding", async () => {
  const { kv, kitchens: [k] } = await setup();
  const r = renter();
  const cases: [Record<string, string>, RegExp][] = [
    [
      { date: "2026-12-03", start: "06:00", end: "09:00" },
      /not open for the whole/,
    ],
    [
      { date: "2026-12-03", start: "10:00", end: "10:30" },
      /shorter than this kitchen's minimum/,
    ],
    [{ date: "2027-06-03", start: "10:00", end: "13:00" }, /too far|ahead/i],
    // 08:00 in Chicago is an hour before NOW: past, not a matter of notice.
    [{ date: "2026-12-01", start: "08:00", end: "10:00" }, /time has passed/],
  ];
  for (const [times, message] of cases) {
    await assert.rejects(
      createHold(deps(kv), r, { kitchen: k.id, ...times } as never),
      message,
      JSON.stringify(times),
    );
  }
  const unverified = { ...renter(9), emailVerifiedAt: null };
  await assert.rejects(
    createHold(deps(kv), unverified, {
      kitchen: k.id,
      date: "2026-12-03",
      start: "10:00",
      end: "13:00",
    }),
    /Confirm your email address to book/,
  );
  // With payments off the hold is refused before anything else is looked at.
  await assert.rejects(
    createHold({ ...deps(kv), payments: "off" }, r, {
      kitchen: k.id,
      date: "2026-12-03",
      start: "10:00",
      end: "13:00",
    }),
    /Payments are not set up on this site, so kitchens cannot be booked here/,
  );
  const unpaid = await addHost(kv, "Host without payouts");
  const [hostless] = await addKitchens(kv, unpaid.id, [kitchenFixture()]);
  await assert.rejects(
    createHold(deps(kv), r, {
      kitchen: hostless.id,
      date: "2026-12-03",
      start: "10:00",
      end: "13:00",
    }),
    /not taking bookings yet/,
  );
  assert.equal((await liveBookings(kv)).length, 0, "nothing written");
  kv.close();
});

for (const backend of [":memory:", "file"]) {
  Deno.test(`holds (${backend}): 24 simultaneous holds of different hours of one kitchen day all succeed; racing on the day's record is not "someone else booked it"`, async () => {
    const path = backend === "file"
      ? `${await Deno.makeTempDir()}/day.kv`
      : ":memory:";
    const kv = await Deno.openKv(path);
    const host = await payableHost(kv);
    const [k] = await addKitchens(kv, host.id, [kitchenFixture({
      minHours: 1,
      maxHours: 24,
      bufferMinutes: 0,
      weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
        day,
        start: "00:00",
        end: "24:00",
      })),
    })]);
    const hour = (n: number) => `${String(n % 24).padStart(2, "0")}:00`;
    const results = await Promise.allSettled(
      Array.from({ length: 24 }, (_, h) =>
        createHold(deps(kv), renter(h), {
          kitchen: k.id,
          date: "2026-12-03",
          start: hour(h),
          end: hour(h + 1),
        })),
    );
    const failures = results.flatMap((r) =>
      r.status === "rejected" ? [String(r.reason)] : []
    );
    assert.deepEqual(failures, []);
    assert.equal((await liveBookings(kv)).length, 24);
    kv.close();
  });
}

Deno.test("holds: a day too busy to write says so, not that the hours are taken, and writes nothing", async () => {
  const { kv, kitchens: [k] } = await setup();
  // Every commit loses its race, as if other writes of the day always came first.
  const atomic = kv.atomic.bind(kv);
  kv.atomic = () => {
    const op = atomic();
    op.commit = () => Promise.resolve({ ok: false });
    return op;
  };
  await assert.rejects(
    createHold(deps(kv), renter(), {
      kitchen: k.id,
      date: "2026-12-03",
      start: "10:00",
      end: "13:00",
    }),
    (err) => err instanceof ConflictError && err.message === BUSY_DAY,
  );
  assert.equal(
    BUSY_DAY,
    "Several people are booking this kitchen right now; please try again in a moment.",
  );
  assert.equal((await liveBookings(kv)).length, 0);
  kv.close();
});
