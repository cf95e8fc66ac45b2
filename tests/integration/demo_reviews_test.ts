/** Issue 18: on a fresh start the demo kitchens have ratings, and reviews are left to try. */
import assert from "node:assert/strict";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import type { KitchenRatingCounters } from "../../lib/reviews/schema.ts";
import { listKitchenIdsByHost } from "../../lib/kitchens/repo.ts";
import {
  DEMO_ACCOUNTS,
  DEMO_HOST_ACCOUNTS,
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { seedDemoBookings } from "../../scripts/demo/bookings.ts";
import { seedDemoData } from "../../scripts/demo/catalogue.ts";
import { DEMO_HOSTS } from "../../scripts/demo/hosts.ts";
import { seedDemoReviews } from "../../scripts/demo/reviews.ts";
import { get, post, runJobs, sessionCookie } from "../account_helpers.ts";
import { testApp } from "../helpers.ts";
import { visibleText } from "../page_text.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

Deno.test("demo reviews: the demo host's kitchens are rated on a fresh start, with reviews left to write, once", async () => {
  const t = await testApp(NOW);
  try {
    await seedDemoData(t.kv, { now: new Date(NOW) });
    await seedDemoAccounts(t.kv, new Date(NOW));
    await seedDemoBookings(t.kv, NOW);
    const seeded = await seedDemoReviews(t.kv, NOW);
    assert.ok(seeded && seeded.reviews >= 20 && seeded.skipped === 0);
    assert.equal(await seedDemoReviews(t.kv, NOW), null, "once");

    const ids = await listKitchenIdsByHost(t.kv, "demo-host-01");
    const ratings = await Promise.all(
      ids.map(async (id) =>
        (await t.kv.get<KitchenRatingCounters>(keys.kitchenRating(id))).value
      ),
    );
    assert.ok(ratings.every((r) => r && r.count >= 3), "each rated");
    const renter = await t.kv.get<{ count: number }>(
      keys.renterRating("demo-user-renter"),
    );
    assert.ok(renter.value && renter.value.count >= 3);

    // Search cards and kitchen pages show them; sorting by rating puts them first.
    const search = visibleText(
      await (await t.request("/search?sort=rating")).text(),
    );
    assert.match(search, /\d\.\d out of 5 · \d+ reviews/);
    const page = visibleText(
      await (await t.request(`/kitchens/${ids[0]}`)).text(),
    );
    assert.match(page, /Reviews ★ \d\.\d out of 5 · \d+ reviews/);
    assert.match(page, /Rosa/);

    // The latest stay is left to review: both are asked, and /account lists it.
    await runJobs(t);
    const asked = (await listMail(t.kv)).filter((m) =>
      /^Review your booking at /.test(m.subject)
    ).map((m) => m.to).sort();
    assert.deepEqual(asked, [
      "host@prep.test",
      "host@prep.test",
      "renter@prep.test",
    ]);
    const cookie = sessionCookie(
      await post(t, "/login", {
        email: "renter@prep.test",
        password: DEMO_PASSWORD,
      }),
    );
    assert.match(
      visibleText(await (await get(t, "/account", cookie)).text()),
      /Reviews to write Review your booking at /,
    );
    // Nobody is told in the app of reviews published months ago.
    const notes: unknown[] = [];
    for await (
      const e of t.kv.list<{ title: string }>({
        prefix: keys.notificationsPrefix("demo-user-renter"),
      })
    ) if (/are published/.test(e.value.title)) notes.push(e.value);
    assert.deepEqual(notes, []);
  } finally {
    t.close();
  }
});

Deno.test("demo accounts: every demo host has an account, so staff pages name who owns each demo kitchen", async () => {
  const t = await testApp(NOW);
  try {
    await seedDemoData(t.kv);
    await seedDemoAccounts(t.kv, new Date(NOW));
    // Again: nothing is made twice.
    assert.equal(await seedDemoAccounts(t.kv, new Date(NOW)), false);
    const admin = sessionCookie(
      await post(t, "/login", {
        email: "admin@prep.test",
        password: DEMO_PASSWORD,
      }),
    );
    for (const host of DEMO_HOSTS) {
      const [id] = await listKitchenIdsByHost(t.kv, host.id);
      assert.ok(id, host.id);
      const page = visibleText(
        await (await get(t, `/admin/kitchens/${id}`, admin)).text(),
      );
      assert.doesNotMatch(page, /Account not found/, host.id);
      const account = [...DEMO_ACCOUNTS, ...DEMO_HOST_ACCOUNTS].find((a) =>
        a.id === host.id
      )!;
      assert.ok(page.includes(`${account.name} (${account.email})`), host.id);
    }
  } finally {
    t.close();
  }
});
