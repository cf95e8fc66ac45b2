import assert from "node:assert/strict";
import { decide } from "../../lib/accounts/roles.ts";
import { logIn } from "../../lib/accounts/login.ts";
import { at } from "../../lib/app.ts";
import type { User } from "../../lib/accounts/schema.ts";
import { listAuditFor } from "../../lib/audit/repo.ts";
import { suspendUser } from "../../lib/compliance/suspensions.ts";
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
    assert.match(await draftPage.text(), /Draft \(never published\)/);
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

Deno.test("suspensions: a suspended user is told why and cannot book, host or publish; reinstating lifts it", async () => {
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
    const told = (await listNotifications(t.kv, renter.user.id))
      .notifications[0];
    assert.equal(told.title, "Your account is suspended");
    assert.match(told.body, /you cannot sign in/);
    assert.match(told.body, /every session ended/);
    const notice = await (await get(
      t,
      `/admin/users/${renter.user.id}?notice=suspended`,
      admin.cookie,
    )).text();
    assert.match(
      notice,
      /its sessions have ended and it cannot log in until reinstated/,
    );

    await post(t, `/admin/users/${host.user.id}/suspend`, {
      reason: "Listing misrepresents the kitchen",
    }, { cookie: admin.cookie });
    assert.equal(decide(await userOf(t, host.user.id), "host").ok, false);
    assert.equal(decide(await userOf(t, host.user.id), "publish").ok, false);

    const userPage = await (await get(
      t,
      `/admin/users/${renter.user.id}`,
      admin.cookie,
    )).text();
    assert.match(userPage, /Chargeback fraud under investigation/);
    assert.match(userPage, /Reinstate the account/);
    assert.match(userPage, /sessions ended by the suspension stay ended/);

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

/** The session records and index entries of a user, as KV holds them. */
async function sessionsOf(t: T, userId: string) {
  const index: string[] = [];
  for await (
    const e of t.kv.list<string>({ prefix: keys.sessionsByUserPrefix(userId) })
  ) index.push(e.value);
  const records: string[] = [];
  for await (
    const e of t.kv.list<{ userId: string }>({ prefix: ["sessions"] })
  ) {
    if (e.value.userId === userId) records.push(String(e.key[1]));
  }
  return { index, records };
}

/** Whether a cookie still signs its holder in (GET /account answers the page, not a redirect). */
async function signedIn(t: T, cookie: string): Promise<boolean> {
  const res = await get(t, "/account", cookie);
  await res.body?.cancel();
  if (res.status === 200) return true;
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/login?next=/account");
  return false;
}

Deno.test("suspensions: a suspended staff member's sessions end at once and new logins are refused with the reason; so for hosts and renters; reinstating restores only the ability to log in", async () => {
  const { t, admin, support, host, renter } = await setup();
  try {
    // Each has a second session, from another browser.
    const people = await Promise.all(
      [support, host, renter].map(async (p) => {
        const again = await post(t, "/login", {
          email: p.user.email,
          password: PASSWORD,
        });
        return { ...p, cookies: [p.cookie, sessionCookie(again)] };
      }),
    );
    for (const path of ["/admin/bookings", "/admin/audit"]) {
      const res = await get(t, path, support.cookie);
      assert.equal(res.status, 200, path);
      await res.body?.cancel();
    }
    for (const p of people) {
      assert.equal((await sessionsOf(t, p.user.id)).index.length, 2);
      const res = await post(t, `/admin/users/${p.user.id}/suspend`, {
        reason: "Account under review after a fraud report",
      }, { cookie: admin.cookie });
      assert.equal(res.status, 303);
      await res.body?.cancel();
      assert.deepEqual(await sessionsOf(t, p.user.id), {
        index: [],
        records: [],
      });
    }
    // The old cookie opens nothing: not the staff pages, not the account.
    for (const path of ["/admin/bookings", "/admin/audit"]) {
      const res = await get(t, path, support.cookie);
      assert.equal(res.status, 403, path);
      assert.match(await res.text(), /Log in to continue/);
      assert.match(res.headers.get("set-cookie") ?? "", /prep_session=;/);
    }
    for (const p of people) {
      for (const cookie of p.cookies) {
        assert.equal(await signedIn(t, cookie), false, p.user.email);
      }
      const login = await post(t, "/login", {
        email: p.user.email,
        password: PASSWORD,
      });
      assert.equal(login.status, 403, p.user.email);
      assert.doesNotMatch(
        login.headers.get("set-cookie") ?? "",
        /prep_session=[^;]/,
      );
      const page = await login.text();
      assert.match(
        page,
        /Your account is suspended, so you cannot log in\. Contact Prep support to ask about it\. The reason Prep staff gave: Account under review after a fraud report/,
      );
      // A wrong password learns nothing about the account.
      const wrong = await post(t, "/login", {
        email: p.user.email,
        password: "not the password at all",
      });
      assert.equal(wrong.status, 400);
      const wrongPage = await wrong.text();
      assert.match(
        wrongPage,
        /That email and password do not match an account/,
      );
      assert.doesNotMatch(wrongPage, /suspended/);
      assert.deepEqual(await sessionsOf(t, p.user.id), {
        index: [],
        records: [],
      });
    }

    for (const p of people) {
      const back = await post(t, `/admin/users/${p.user.id}/reinstate`, {
        reason: "Review closed",
      }, { cookie: admin.cookie });
      assert.equal(back.status, 303);
      await back.body?.cancel();
      for (const cookie of p.cookies) {
        assert.equal(
          await signedIn(t, cookie),
          false,
          "old sessions stay ended",
        );
      }
      const login = await post(t, "/login", {
        email: p.user.email,
        password: PASSWORD,
      });
      assert.equal(login.status, 303, p.user.email);
      assert.ok(await signedIn(t, sessionCookie(login)));
    }
  } finally {
    t.close();
  }
});

Deno.test("suspensions: a session that outlived a suspension is refused and ended", async () => {
  const { t, renter } = await setup();
  try {
    // As data from before sessions ended with a suspension left it.
    await t.kv.set(keys.user(renter.user.id), {
      ...(await userOf(t, renter.user.id)),
      suspension: { reason: "Old case", by: "someone", at: NOW },
    });
    assert.equal((await sessionsOf(t, renter.user.id)).index.length, 1);
    assert.equal(await signedIn(t, renter.cookie), false);
    assert.deepEqual(await sessionsOf(t, renter.user.id), {
      index: [],
      records: [],
    });
  } finally {
    t.close();
  }
});

Deno.test("suspensions: suspending ends every session even when there are more than one atomic could delete", async () => {
  const { t, admin, renter } = await setup();
  try {
    // Far more than the cap: sessions left from before there was one.
    for (let i = 0; i < 700; i += 50) {
      const atomic = t.kv.atomic();
      for (let j = i; j < i + 50; j++) {
        const hash = `legacy-${String(j).padStart(4, "0")}`;
        atomic
          .set(keys.session(hash), {
            userId: renter.user.id,
            createdAt: NOW - HOUR,
            lastSeenAt: NOW - HOUR,
            expiresAt: NOW + 24 * HOUR,
          })
          .set(keys.sessionsByUser(renter.user.id, hash), hash);
      }
      assert.ok((await atomic.commit()).ok);
    }
    assert.equal((await sessionsOf(t, renter.user.id)).index.length, 701);
    const res = await post(t, `/admin/users/${renter.user.id}/suspend`, {
      reason: "Account under review",
    }, { cookie: admin.cookie });
    assert.equal(res.status, 303);
    await res.body?.cancel();
    assert.ok((await userOf(t, renter.user.id)).suspension);
    assert.deepEqual(await sessionsOf(t, renter.user.id), {
      index: [],
      records: [],
    });
    assert.equal(await signedIn(t, renter.cookie), false);
  } finally {
    t.close();
  }
});

Deno.test("suspensions: logins racing a suspension leave no session behind", async () => {
  const { t, admin, renter } = await setup();
  try {
    const deps = at(t.services);
    const logins = Array.from(
      { length: 12 },
      (_, i) =>
        new Promise((r) => setTimeout(r, i * 40)).then(() =>
          logIn(deps, renter.user.email, PASSWORD)
        ),
    );
    // The suspension starts as the first login lands, with the rest in flight.
    await Promise.race(logins);
    const suspension = suspendUser(
      t.kv,
      renter.user.id,
      admin.user,
      "Race",
      NOW,
    );
    const results = await Promise.all(logins);
    await suspension;
    assert.ok(results.some((r) => r.ok), "some logins came first");
    assert.ok(
      results.some((r) => !r.ok && r.suspended),
      "some logins came after",
    );
    assert.deepEqual(await sessionsOf(t, renter.user.id), {
      index: [],
      records: [],
    });
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
    // Their session ended: staff pages are closed to it, and so is acting.
    const read = await get(t, "/admin/audit", admin.cookie);
    assert.equal(read.status, 403);
    assert.match(await read.text(), /Log in to continue/);
    const act = await post(t, `/admin/users/${renter.user.id}/suspend`, {
      reason: "x",
    }, { cookie: admin.cookie });
    assert.equal(act.status, 403);
    await act.body?.cancel();
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
