import assert from "node:assert/strict";
import { keys } from "../../lib/db/keys.ts";
import { newId } from "../../lib/ids.ts";
import {
  addNotification,
  listNotifications,
  markAllRead,
  type Notification,
  unreadCount,
} from "../../lib/notifications/repo.ts";
import { get, post, signUpConfirmed, staff } from "../account_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { visibleText } from "../page_text.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

async function add(kv: Deno.Kv, userId: string, n: number, from = 0) {
  // Several per atomic, as a decision that notifies twice would.
  for (let i = from; i < from + n; i += 50) {
    const atomic = kv.atomic();
    for (let j = i; j < Math.min(i + 50, from + n); j++) {
      addNotification(atomic, userId, {
        title: `Notice ${j}`,
        body: `Body of notice ${j}`,
        href: `/account/compliance#n${j}`,
      }, NOW + j);
    }
    assert.ok((await atomic.commit()).ok);
  }
}

async function all(kv: Deno.Kv, userId: string): Promise<Notification[]> {
  const out: Notification[] = [];
  for await (
    const e of kv.list<Notification>({
      prefix: keys.notificationsPrefix(userId),
    })
  ) out.push(e.value);
  return out;
}

Deno.test("notifications: added inside the caller's atomic, or not at all", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const user = newId();
    // A change that fails its check takes its notification with it.
    await kv.set(["x"], 0);
    const failed = kv.atomic().check({ key: ["x"], versionstamp: null });
    addNotification(failed, user, {
      title: "Lost",
      body: "Never written",
      href: "/account",
    }, NOW);
    assert.equal((await failed.commit()).ok, false);
    assert.equal(await unreadCount(kv, user), 0);
    assert.deepEqual(await all(kv, user), []);

    const ok = kv.atomic().set(["x"], 1);
    addNotification(ok, user, {
      title: "Your food handler card is verified",
      body: "It is verified until 2028-01-15.",
      href: "/account/compliance",
    }, NOW);
    assert.ok((await ok.commit()).ok);
    const [n] = await all(kv, user);
    assert.equal(n.title, "Your food handler card is verified");
    assert.equal(n.read, false);
    assert.equal(n.userId, user);
    assert.equal(n.createdAt, new Date(NOW).toISOString());
    assert.equal(await unreadCount(kv, user), 1);
  } finally {
    kv.close();
  }
});

Deno.test("notifications: links must stay on the site, and bad input throws before anything is written", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const user = newId();
    const bad: [string, { title: string; body: string; href: string }][] = [
      [user, { title: "x", body: "y", href: "https://evil.example/" }],
      [user, { title: "x", body: "y", href: "//evil.example/" }],
      [user, { title: "x", body: "y", href: "/\\evil.example" }],
      [user, { title: "x", body: "y", href: "javascript:alert(1)" }],
      [user, { title: "x", body: "y", href: "/a b" }],
      [user, { title: "", body: "y", href: "/" }],
      [user, { title: "a\u202eb", body: "y", href: "/" }],
      [user, { title: "x", body: "y".repeat(2001), href: "/" }],
      ["../users", { title: "x", body: "y", href: "/" }],
      ["x".repeat(65), { title: "x", body: "y", href: "/" }],
    ];
    for (const [id, n] of bad) {
      const atomic = kv.atomic();
      assert.throws(
        () => addNotification(atomic, id, n, NOW),
        `${id} ${JSON.stringify(n)}`,
      );
    }
    assert.equal(await unreadCount(kv, user), 0);
  } finally {
    kv.close();
  }
});

Deno.test("notifications: listed newest first a page at a time; mark all read empties the counter", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const user = newId();
    const other = newId();
    await add(kv, user, 45);
    await add(kv, other, 3);
    assert.equal(await unreadCount(kv, user), 45);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listNotifications(kv, user, { cursor, limit: 20 });
      seen.push(...page.notifications.map((n) => n.title));
      cursor = page.cursor;
    } while (cursor);
    assert.equal(seen.length, 45);
    assert.equal(seen[0], "Notice 44");
    assert.equal(seen[44], "Notice 0");
    const exact = await listNotifications(kv, user, { limit: 45 });
    assert.equal(exact.cursor, null, "no empty page after an exact fit");
    await assert.rejects(
      listNotifications(kv, user, { cursor: "../../x" }),
      /Please check/,
    );

    assert.equal(await markAllRead(kv, user, NOW + 1000), 45);
    assert.equal(await unreadCount(kv, user), 0);
    assert.ok((await all(kv, user)).every((n) => n.read && n.readAt));
    assert.equal(await unreadCount(kv, other), 3, "another user's untouched");
    assert.equal(await markAllRead(kv, user, NOW), 0, "nothing left");
  } finally {
    kv.close();
  }
});

Deno.test("notifications: mark all read covers more than one commit's worth", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const user = newId();
    await add(kv, user, 450);
    assert.equal(await markAllRead(kv, user, NOW), 450);
    assert.equal(await unreadCount(kv, user), 0);
    assert.equal((await all(kv, user)).filter((n) => !n.read).length, 0);
  } finally {
    kv.close();
  }
});

Deno.test("notifications: notifications added while marking read are counted, never lost", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const user = newId();
    await add(kv, user, 300);
    // Adds race the marking: whatever the interleaving, the counter ends
    // equal to the notifications still unread.
    await Promise.all([
      markAllRead(kv, user, NOW),
      markAllRead(kv, user, NOW),
      add(kv, user, 40, 300),
      add(kv, user, 40, 340),
    ]);
    const unread = (await all(kv, user)).filter((n) => !n.read).length;
    assert.equal(await unreadCount(kv, user), unread);
    await markAllRead(kv, user, NOW);
    assert.equal(await unreadCount(kv, user), 0);
    assert.equal((await all(kv, user)).filter((n) => !n.read).length, 0);
  } finally {
    kv.close();
  }
});

Deno.test("notifications: the page lists them, the header shows the unread count, and mark all read clears it", async () => {
  const t = await testApp(NOW);
  try {
    const anonymous = await get(t, "/account/notifications");
    assert.equal(anonymous.status, 303);
    assert.equal(
      anonymous.headers.get("location"),
      "/login?next=/account/notifications",
    );
    const rosa = await signUpConfirmed(t, "rosa@example.com");
    const otto = await signUpConfirmed(t, "otto@example.com");

    const empty = await (await get(t, "/account", rosa.cookie)).text();
    assert.match(empty, /href="\/account\/notifications"/);
    assert.doesNotMatch(empty, /unread<\/span>/);

    await add(t.kv, rosa.user.id, 25);
    const atomic = t.kv.atomic();
    addNotification(atomic, otto.user.id, {
      title: "Otto's secret",
      body: "Only for Otto",
      href: "/account",
    }, NOW);
    await atomic.commit();

    const home = await (await get(t, "/", rosa.cookie)).text();
    assert.match(home, />25 <span class="sr-only">unread<\/span>/);

    const res = await get(t, "/account/notifications", rosa.cookie);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "private, no-store");
    const page = await res.text();
    assert.match(page, /You have 25 unread notifications/);
    assert.match(page, /Notice 24/);
    assert.doesNotMatch(page, /Notice 4</, "page one holds the newest 20");
    assert.doesNotMatch(page, /Otto&#39;s secret|Otto's secret/);
    // Each opens through a link that marks it read, then goes where it points.
    const link =
      /href="(\/account\/notifications\/[0-9A-Z]{26})"[^>]*>Notice 24</
        .exec(page)?.[1];
    assert.ok(link, "Notice 24 opens through its own link");
    // Looked at without a click (a HEAD, a browser's prefetch or prerender):
    // it says where it goes and stays unread.
    for (
      const [method, headers] of [
        ["HEAD", {}],
        ["GET", { "Sec-Purpose": "prefetch" }],
        ["GET", { "Sec-Purpose": "prefetch;prerender" }],
        ["GET", { "Purpose": "prefetch" }],
        ["GET", { "X-Moz": "prefetch" }],
      ] as const
    ) {
      const peeked = await t.request(link, {
        method,
        headers: { Cookie: rosa.cookie, ...headers },
      });
      assert.equal(peeked.status, 303, `${method} ${JSON.stringify(headers)}`);
      assert.equal(peeked.headers.get("location"), "/account/compliance#n24");
      assert.equal(await unreadCount(t.kv, rosa.user.id), 25);
    }
    for (const round of [1, 2]) {
      const opened = await get(t, link, rosa.cookie);
      assert.equal(opened.status, 303);
      assert.equal(opened.headers.get("location"), "/account/compliance#n24");
      // Once read, opening it again counts nothing.
      assert.equal(await unreadCount(t.kv, rosa.user.id), 24, `round ${round}`);
    }
    const reread = await (await get(t, "/account/notifications", rosa.cookie))
      .text();
    assert.match(reread, /You have 24 unread notifications/);
    assert.match(reread, />24 <span class="sr-only">unread<\/span>/);
    // Someone else's, a made-up one and a malformed id: not found, nothing read.
    for (
      const [path, cookie] of [
        [link, otto.cookie],
        [`/account/notifications/${newId()}`, rosa.cookie],
        ["/account/notifications/..%2F..%2Fetc", rosa.cookie],
      ]
    ) {
      const res = await get(t, path, cookie);
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
    assert.equal(await unreadCount(t.kv, otto.user.id), 1);
    const anonymousOpen = await get(t, link);
    assert.equal(anonymousOpen.status, 303);
    assert.match(anonymousOpen.headers.get("location")!, /^\/login/);
    const older = /href="(\/account\/notifications\?cursor=[0-9A-Z]{26})"/
      .exec(page);
    assert.ok(older, "a link to older notifications");
    const second = await (await get(t, older[1], rosa.cookie)).text();
    assert.match(second, /Notice 4</);
    assert.match(second, /Newest notifications/);

    const bad = await get(
      t,
      "/account/notifications?cursor=../../etc",
      rosa.cookie,
    );
    assert.equal(bad.status, 400);
    await bad.body?.cancel();

    const anonymousMark = await post(t, "/account/notifications/read", {});
    assert.equal(anonymousMark.status, 303);
    assert.equal(await unreadCount(t.kv, rosa.user.id), 24);

    const marked = await post(t, "/account/notifications/read", {}, {
      cookie: rosa.cookie,
    });
    assert.equal(marked.status, 303);
    assert.equal(
      marked.headers.get("location"),
      "/account/notifications?notice=read",
    );
    assert.equal(await unreadCount(t.kv, rosa.user.id), 0);
    assert.equal(await unreadCount(t.kv, otto.user.id), 1);
    const after = await (await get(
      t,
      "/account/notifications?notice=read",
      rosa.cookie,
    )).text();
    assert.match(after, /All your notifications are marked as read/);
    assert.match(after, /You have no unread notifications/);
    assert.doesNotMatch(after, /unread<\/span>/);
  } finally {
    t.close();
  }
});

Deno.test("notifications: when one arrived reads as a message's time does: in the zone of the kitchen it is about, zone named; UTC for an account's own", async () => {
  const t = await testApp(NOW);
  try {
    const hal = await signUpConfirmed(t, "hal@example.com", "host");
    const [k] = await addKitchens(t.kv, hal.user.id, [
      kitchenFixture({ title: "Hal's Kitchen" }),
    ]);
    assert.equal(k.timeZone, "America/Chicago");
    const admin = await staff(t, "ann@example.com", "admin");
    const res = await post(t, `/admin/kitchens/${k.id}/suspend`, {
      reason: "Pest report",
    }, { cookie: admin });
    assert.equal(res.status, 303);
    const atomic = t.kv.atomic();
    addNotification(atomic, hal.user.id, {
      title: "About your account",
      body: "No kitchen in it.",
      href: "/account",
    }, NOW + 60_000);
    addNotification(atomic, hal.user.id, {
      title: "About a San Francisco booking",
      body: "Its kitchen's zone.",
      href: "/bookings",
      timeZone: "America/Los_Angeles",
    }, NOW + 120_000);
    assert.ok((await atomic.commit()).ok);

    const page = visibleText(
      await (await get(t, "/account/notifications", hal.cookie)).text(),
    );
    // How long ago first, the same for all of them; then the clock time.
    assert.match(
      page,
      /Your kitchen is suspended .*? just now · Tue, Dec 1, 9:00 AM CST/,
    );
    assert.match(page, /No kitchen in it\. just now · Tue, Dec 1, 3:01 PM UTC/);
    assert.match(
      page,
      /Its kitchen's zone\. just now · Tue, Dec 1, 7:02 AM PST/,
    );
    // A permit the kitchen's fixture had verified: the kitchen's zone too.
    assert.match(
      page,
      /Your health permit is verified .*? Mon, Jun 1, 7:00 AM CDT/,
    );
    assert.throws(() =>
      addNotification(t.kv.atomic(), hal.user.id, {
        title: "x",
        body: "y",
        href: "/",
        timeZone: "Mars/Olympus_Mons",
      }, NOW)
    );
  } finally {
    t.close();
  }
});
