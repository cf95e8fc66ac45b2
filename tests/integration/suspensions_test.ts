import assert from "node:assert/strict";
import { decide } from "../../lib/accounts/roles.ts";
import type { User } from "../../lib/accounts/schema.ts";
import { listAuditFor } from "../../lib/audit/repo.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { ALL_CITIES, keys } from "../../lib/db/keys.ts";
import { newId } from "../../lib/ids.ts";
import { createDraft } from "../../lib/kitchens/listings.ts";
import {
  addKitchenCreate,
  countPublishedKitchens,
  newKitchen,
} from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import {
  listNotifications,
  unreadCount,
} from "../../lib/notifications/repo.ts";
import {
  get,
  PASSWORD,
  post,
  sessionCookie,
  signUpConfirmed,
  staff as staffCookie,
  type T,
  userByEmail,
} from "../account_helpers.ts";
import { addConfirmedBooking, kitchenFixture, testApp } from "../helpers.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const HOUR = 3600_000;

/** A staff member: signed up, given the role, logged in afresh (a role change ends sessions). */
async function staff(t: T, email: string, role: "admin" | "support") {
  const cookie = await staffCookie(t, email, role);
  return { cookie, user: (await userByEmail(t, email))! };
}

/** A published kitchen whose permits are verified: in search, taking holds. */
async function listedKitchen(t: T, hostId: string): Promise<Kitchen> {
  const k: Kitchen = {
    ...newKitchen(hostId, kitchenFixture({ title: "Wicker Park Commissary" }), {
      status: "published",
      now: new Date(NOW),
    }),
    permits: { ok: true, missing: [], missingNames: [], checkedAt: NOW },
  };
  assert.ok((await addKitchenCreate(t.kv.atomic(), k).commit()).ok);
  return k;
}

/** A confirmed booking written as the booking flow leaves it. */
function confirmedBooking(
  t: T,
  k: Kitchen,
  renterId: string,
  start: number,
): Promise<Booking> {
  return addConfirmedBooking(t.kv, k, renterId, start, NOW);
}

async function setup() {
  const t = await testApp(NOW);
  const admin = await staff(t, "ann@example.com", "admin");
  const admin2 = await staff(t, "abe@example.com", "admin");
  const support = await staff(t, "sam@example.com", "support");
  const host = await signUpConfirmed(t, "hal@example.com", "host");
  const renter = await signUpConfirmed(t, "rosa@example.com");
  const kitchen = await listedKitchen(t, host.user.id);
  const booking = await confirmedBooking(
    t,
    kitchen,
    renter.user.id,
    NOW + 42 * HOUR,
  );
  return { t, admin, admin2, support, host, renter, kitchen, booking };
}

const kitchenOf = async (t: T, id: string) =>
  (await t.kv.get<Kitchen>(keys.kitchen(id))).value!;
const userOf = async (t: T, id: string) =>
  (await t.kv.get<User>(keys.user(id))).value!;
const inSearch = async (t: T, k: Kitchen) =>
  (await t.kv.get(keys.kitchensByCreated(ALL_CITIES, k.id))).value !== null &&
  (await t.kv.get(keys.kitchensByCreated(k.address.city, k.id))).value !==
    null;

Deno.test("suspensions: an admin suspends a kitchen with a reason: out of search, audited, host told; bookings listed; reinstating restores it", async () => {
  const { t, admin, host, renter, kitchen, booking } = await setup();
  try {
    assert.ok(await inSearch(t, kitchen));
    assert.equal(await countPublishedKitchens(t.kv, ALL_CITIES), 1);
    const path = `/admin/kitchens/${kitchen.id}`;
    // The review page works out a hold from KV, as the hold itself does.
    const review =
      `/bookings/new?kitchen=${kitchen.id}&date=2026-12-04&start=09:00&end=12:00&hours=`;
    const open = await get(t, review, renter.cookie);
    assert.equal(open.status, 200);
    await open.body?.cancel();

    const before = await (await get(t, path, admin.cookie)).text();
    assert.match(before, /Wicker Park Commissary/);
    assert.match(before, /Suspend the kitchen/);
    assert.match(before, new RegExp(`href="/admin/bookings/${booking.id}"`));
    assert.match(before, /rosa@example\.com/);

    const noReason = await post(t, `${path}/suspend`, { reason: "  " }, {
      cookie: admin.cookie,
    });
    assert.equal(noReason.status, 400);
    const noReasonPage = await noReason.text();
    assert.match(noReasonPage, /id="f-reason-error"[^>]*>Enter a reason/);
    assert.equal((await kitchenOf(t, kitchen.id)).status, "published");

    const res = await post(t, `${path}/suspend`, {
      reason: "Health department closure notice received",
    }, { cookie: admin.cookie });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), `${path}?notice=suspended`);
    const suspended = await kitchenOf(t, kitchen.id);
    assert.equal(suspended.status, "suspended");
    assert.deepEqual(suspended.suspension, {
      reason: "Health department closure notice received",
      by: admin.user.id,
      at: NOW,
      previous: "published",
    });
    assert.equal(await inSearch(t, kitchen), false, "out of search");
    assert.equal(await countPublishedKitchens(t.kv, ALL_CITIES), 0);
    const publicPage = await get(t, `/kitchens/${kitchen.id}`);
    assert.equal(publicPage.status, 404);
    await publicPage.body?.cancel();
    const noHold = await get(t, review, renter.cookie);
    assert.equal(noHold.status, 404, "a suspended kitchen takes no holds");
    await noHold.body?.cancel();

    const [entry] = await listAuditFor(t.kv, "kitchen", kitchen.id);
    assert.equal(entry.action, "kitchen.suspended");
    assert.equal(entry.actor.id, admin.user.id);
    assert.equal(entry.reason, "Health department closure notice received");
    assert.equal(entry.details.from, "published");
    assert.equal(entry.details.status, "suspended");

    assert.equal(await unreadCount(t.kv, host.user.id), 1);
    const told = (await listNotifications(t.kv, host.user.id))
      .notifications[0];
    assert.equal(told.title, "Your kitchen is suspended");
    assert.match(told.body, /Health department closure notice received/);

    // The booking stands, and staff see it to handle.
    const b = (await t.kv.get<Booking>(keys.booking(booking.id))).value!;
    assert.equal(b.status, "confirmed");
    const page = await (await get(t, `${path}?notice=suspended`, admin.cookie))
      .text();
    assert.match(page, /The kitchen is suspended/);
    assert.match(page, new RegExp(`href="/admin/bookings/${booking.id}"`));
    assert.match(page, /Reinstate the kitchen/);
    assert.match(page, /kitchen\.suspended/);

    const again = await post(t, `${path}/suspend`, { reason: "Twice" }, {
      cookie: admin.cookie,
    });
    assert.equal(again.status, 409);
    assert.match(await again.text(), /already suspended/);

    const back = await post(t, `${path}/reinstate`, {
      reason: "Closure lifted after re-inspection",
    }, { cookie: admin.cookie });
    assert.equal(back.status, 303);
    const reinstated = await kitchenOf(t, kitchen.id);
    assert.equal(reinstated.status, "published");
    assert.equal(reinstated.suspension, undefined);
    assert.ok(await inSearch(t, kitchen), "back in search");
    const reopened = await get(t, review, renter.cookie);
    assert.equal(reopened.status, 200);
    await reopened.body?.cancel();
    assert.equal(await countPublishedKitchens(t.kv, ALL_CITIES), 1);
    const audit = await listAuditFor(t.kv, "kitchen", kitchen.id);
    assert.deepEqual(audit.map((e) => e.action), [
      "kitchen.reinstated",
      "kitchen.suspended",
    ]);
    assert.equal(await unreadCount(t.kv, host.user.id), 2);

    const notSuspended = await post(t, `${path}/reinstate`, {
      reason: "Again",
    }, { cookie: admin.cookie });
    assert.equal(notSuspended.status, 409);
    assert.match(await notSuspended.text(), /not suspended/);
  } finally {
    t.close();
  }
});

Deno.test("suspensions: an unlisted kitchen goes back to unlisted; a draft cannot be suspended; an unknown kitchen is a 404", async () => {
  const { t, admin, host, kitchen } = await setup();
  try {
    await t.kv.set(keys.kitchen(kitchen.id), {
      ...kitchen,
      status: "unlisted",
    });
    const path = `/admin/kitchens/${kitchen.id}`;
    await post(t, `${path}/suspend`, { reason: "Fraud report" }, {
      cookie: admin.cookie,
    });
    assert.equal((await kitchenOf(t, kitchen.id)).status, "suspended");
    await post(t, `${path}/reinstate`, { reason: "Cleared" }, {
      cookie: admin.cookie,
    });
    assert.equal((await kitchenOf(t, kitchen.id)).status, "unlisted");

    const draft = await createDraft(t.kv, host.user, NOW);
    const draftPage = await get(t, `/admin/kitchens/${draft.id}`, admin.cookie);
    assert.equal(draftPage.status, 200);
    assert.match(await draftPage.text(), /draft \(never published\)/);
    const refused = await post(
      t,
      `/admin/kitchens/${draft.id}/suspend`,
      { reason: "Spam listing" },
      { cookie: admin.cookie },
    );
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /draft that was never published/);
    assert.equal((await t.kv.get(keys.kitchen(draft.id))).value, null);

    for (
      const path of [
        `/admin/kitchens/${newId()}`,
        `/admin/kitchens/${kitchen.id.toLowerCase()}`,
        `/admin/users/${newId()}`,
      ]
    ) {
      const res = await get(t, path, admin.cookie);
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
    const missing = await post(t, `/admin/kitchens/${newId()}/suspend`, {
      reason: "x",
    }, { cookie: admin.cookie });
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    t.close();
  }
});

Deno.test("suspensions: support reads the pages but cannot suspend; renters and hosts get 403", async () => {
  const { t, support, host, renter, kitchen } = await setup();
  try {
    const page = await get(t, `/admin/kitchens/${kitchen.id}`, support.cookie);
    assert.equal(page.status, 200);
    assert.doesNotMatch(await page.text(), /Suspend the kitchen/);
    const userPage = await get(
      t,
      `/admin/users/${renter.user.id}`,
      support.cookie,
    );
    assert.equal(userPage.status, 200);
    assert.doesNotMatch(await userPage.text(), /Suspend the account/);
    for (const cookie of [support.cookie, host.cookie, renter.cookie]) {
      for (
        const path of [
          `/admin/kitchens/${kitchen.id}/suspend`,
          `/admin/users/${renter.user.id}/suspend`,
        ]
      ) {
        const res = await post(t, path, { reason: "No" }, { cookie });
        assert.equal(res.status, 403, path);
        await res.body?.cancel();
      }
    }
    assert.equal((await kitchenOf(t, kitchen.id)).status, "published");
    assert.equal((await userOf(t, renter.user.id)).suspension, undefined);
    assert.deepEqual(await listAuditFor(t.kv, "kitchen", kitchen.id), []);
  } finally {
    t.close();
  }
});

Deno.test("suspensions: a suspended user signs in and sees their bookings, but cannot book, host or publish; reinstating lifts it", async () => {
  const { t, admin, host, renter } = await setup();
  try {
    const res = await post(t, `/admin/users/${renter.user.id}/suspend`, {
      reason: "Chargeback fraud under investigation",
    }, { cookie: admin.cookie });
    assert.equal(res.status, 303);
    const suspended = await userOf(t, renter.user.id);
    assert.deepEqual(suspended.suspension, {
      reason: "Chargeback fraud under investigation",
      by: admin.user.id,
      at: NOW,
    });
    const v = decide(suspended, "book");
    assert.equal(v.ok, false);
    assert.match(v.ok ? "" : v.reason, /suspended/);
    const [entry] = await listAuditFor(t.kv, "user", renter.user.id);
    assert.equal(entry.action, "user.suspended");
    assert.equal(entry.reason, "Chargeback fraud under investigation");
    assert.equal(entry.actor.email, "ann@example.com");
    assert.equal(await unreadCount(t.kv, renter.user.id), 1);

    // The old session sees the suspension at once, and a new sign-in works.
    const login = await post(t, "/login", {
      email: "rosa@example.com",
      password: PASSWORD,
    });
    assert.equal(login.status, 303);
    const fresh = sessionCookie(login);
    for (const cookie of [renter.cookie, fresh]) {
      const trips = await get(t, "/bookings", cookie);
      assert.equal(trips.status, 200);
      await trips.body?.cancel();
    }

    await post(t, `/admin/users/${host.user.id}/suspend`, {
      reason: "Listing misrepresents the kitchen",
    }, { cookie: admin.cookie });
    const hosting = await get(t, "/host", host.cookie);
    assert.equal(hosting.status, 403);
    assert.match(await hosting.text(), /host pages are closed/);
    assert.equal(decide(await userOf(t, host.user.id), "publish").ok, false);

    const userPage = await (await get(
      t,
      `/admin/users/${renter.user.id}`,
      admin.cookie,
    )).text();
    assert.match(userPage, /Chargeback fraud under investigation/);
    assert.match(userPage, /Reinstate the account/);

    const back = await post(t, `/admin/users/${renter.user.id}/reinstate`, {
      reason: "Bank resolved the dispute",
    }, { cookie: admin.cookie });
    assert.equal(back.status, 303);
    assert.equal((await userOf(t, renter.user.id)).suspension, undefined);
    assert.ok(decide(await userOf(t, renter.user.id), "book").ok);
    assert.deepEqual(
      (await listAuditFor(t.kv, "user", renter.user.id)).map((e) => e.action),
      ["user.reinstated", "user.suspended"],
    );
  } finally {
    t.close();
  }
});

Deno.test("suspensions: an admin cannot suspend themselves, and a suspended admin can no longer act", async () => {
  const { t, admin, admin2, renter } = await setup();
  try {
    const self = await post(t, `/admin/users/${admin.user.id}/suspend`, {
      reason: "Testing",
    }, { cookie: admin.cookie });
    assert.equal(self.status, 409);
    assert.match(await self.text(), /You cannot suspend your own account/);
    assert.equal((await userOf(t, admin.user.id)).suspension, undefined);
    const ownPage = await (await get(
      t,
      `/admin/users/${admin.user.id}`,
      admin.cookie,
    )).text();
    assert.doesNotMatch(ownPage, /Suspend the account/);
    assert.match(ownPage, /another admin must suspend or reinstate it/);

    const other = await post(t, `/admin/users/${admin.user.id}/suspend`, {
      reason: "Left the company",
    }, { cookie: admin2.cookie });
    assert.equal(other.status, 303);
    // Staff pages stay readable; acting is refused with the reason.
    const read = await get(t, "/admin/audit", admin.cookie);
    assert.equal(read.status, 200);
    await read.body?.cancel();
    const act = await post(t, `/admin/users/${renter.user.id}/suspend`, {
      reason: "x",
    }, { cookie: admin.cookie });
    assert.equal(act.status, 403);
    assert.match(await act.text(), /Your account is suspended/);
    const selfReinstate = await post(
      t,
      `/admin/users/${admin.user.id}/reinstate`,
      { reason: "x" },
      { cookie: admin.cookie },
    );
    assert.equal(selfReinstate.status, 403);
    await selfReinstate.body?.cancel();
    assert.ok((await userOf(t, admin.user.id)).suspension);
    assert.equal((await userOf(t, renter.user.id)).suspension, undefined);
  } finally {
    t.close();
  }
});
