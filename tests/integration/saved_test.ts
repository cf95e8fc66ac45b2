/**
 * Saved kitchens (issue 18 §12): the hearts' forms and JSON, the list at
 * /saved, the way through logging in, the cap, what becomes of kitchens
 * that change later, bad input, and the page cache.
 */
import assert from "node:assert/strict";
import { suspendKitchen } from "../../lib/compliance/suspensions.ts";
import { keys } from "../../lib/db/keys.ts";
import { formatDate, formatTime } from "../../lib/format.ts";
import { newId } from "../../lib/ids.ts";
import { nextFreeDay } from "../../lib/kitchens/free_time.ts";
import {
  addKitchenCreate,
  newKitchen,
  setKitchenStatus,
} from "../../lib/kitchens/repo.ts";
import type { Kitchen, KitchenInput } from "../../lib/kitchens/schema.ts";
import { writeGeneration } from "../../lib/db/read_cache.ts";
import {
  addSavedKitchen,
  removeSavedKitchen,
  removeSavedList,
  savedAmong,
} from "../../lib/saved/repo.ts";
import { LIST_FULL, MAX_SAVED } from "../../lib/saved/schema.ts";
import {
  get,
  linkIn,
  post,
  runJobs,
  sessionCookie,
  signUpConfirmed,
  type T,
  tokenOf,
  userByEmail,
} from "../account_helpers.ts";
import {
  DEMO_PASSWORD,
  seedDemoAccounts,
} from "../../scripts/demo/accounts.ts";
import { seedDemoData } from "../../scripts/demo/catalogue.ts";
import { DEMO_SAVED_TITLES, seedDemoSaved } from "../../scripts/demo/saved.ts";
import { TEST_ADMIN } from "../compliance_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { visibleText } from "../page_text.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

async function setup(
  titles = ["Andersonville Pastry Kitchen"],
  more: (i: number) => Partial<KitchenInput> = () => ({}),
) {
  const t = await testApp(NOW);
  const host = await addHost(t.kv, "Dana Ortiz");
  const kitchens = await addKitchens(
    t.kv,
    host.id,
    titles.map((title, i) => kitchenFixture({ title, ...more(i) })),
    "published",
    { now: NOW },
  );
  const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
  return { t, kitchens, cookie, user };
}

/** Every saved-kitchens entry in KV, of every user: what a refused request must leave alone. */
async function savedEntries(t: T): Promise<string[]> {
  const out: string[] = [];
  for (const prefix of [["saved"], ["saved_by_time"], ["saved_counts"]]) {
    for await (const e of t.kv.list({ prefix })) {
      out.push(JSON.stringify(e.key));
    }
  }
  return out;
}

async function count(t: T, userId: string): Promise<number> {
  return (await t.kv.get<number>(keys.savedCount(userId))).value ?? 0;
}

async function listHtml(t: T, cookie: string, path = "/saved") {
  const res = await get(t, path, cookie);
  assert.equal(res.status, 200, path);
  return visibleText(await res.text());
}

/** The props of each SaveHeart island a page carries. */
function hearts(html: string): Record<string, unknown>[] {
  const m =
    /<script type="application\/json" id="__prep_islands">(.*?)<\/script>/
      .exec(html);
  if (!m) return [];
  const data = JSON.parse(m[1]) as {
    props: { name: string; props: Record<string, unknown> }[];
  };
  return data.props.filter((p) => p.name === "SaveHeart").map((p) => p.props);
}

/**
 * The hearts a page carries as plain forms (a visitor's: no island, no
 * JavaScript), with whether each is pressed and where it leads back.
 */
function plainHearts(
  html: string,
): { kitchenId: string; saved: boolean; back: string }[] {
  return [
    ...html.matchAll(
      /<form\s+id="save-([^"]+)"\s+method="post"\s+action="[^"]+"\s+class="[^"]*"><input type="hidden" name="back" value="([^"]*)"><button type="submit" aria-pressed="(true|false)"/g,
    ),
  ].map((m) => ({
    kitchenId: m[1],
    back: m[2].replaceAll("&amp;", "&"),
    saved: m[3] === "true",
  }));
}

/** A heart's button pressed (the picker's start times use aria-pressed too). */
const HEART_PRESSED =
  /<button type="submit" aria-pressed="true" class="(?:flex h-11|inline-flex)/;

const api = (
  t: T,
  method: "PUT" | "DELETE",
  id: string,
  cookie?: string,
  headers: Record<string, string> = { "Sec-Fetch-Site": "same-origin" },
) =>
  t.request(`/api/saved/${id}`, {
    method,
    headers: { ...headers, ...(cookie ? { Cookie: cookie } : {}) },
  });

Deno.test("saved: saving twice keeps one entry, removing twice leaves none, and the count stays exact", async () => {
  const { t, kitchens: [k], cookie, user } = await setup();
  try {
    for (let i = 0; i < 2; i++) {
      const res = await post(t, `/saved/${k.id}`, {
        back: "/search?city=chicago",
      }, { cookie });
      assert.equal(res.status, 303);
      assert.equal(
        res.headers.get("location"),
        `/search?city=chicago#save-${k.id}`,
      );
    }
    assert.equal(await count(t, user.id), 1);
    assert.equal((await savedEntries(t)).length, 3);
    const list = await listHtml(t, cookie);
    assert.match(list, /1 kitchen saved\. Newest saved first\./);
    assert.match(list, /Andersonville Pastry Kitchen/);

    // The island's JSON does the same, and says where things stand.
    const put = await api(t, "PUT", k.id, cookie);
    assert.equal(put.status, 200);
    assert.deepEqual(await put.json(), { saved: true });
    assert.equal(put.headers.get("cache-control"), "private, no-store");
    assert.equal(await count(t, user.id), 1);

    for (let i = 0; i < 2; i++) {
      const res = await post(t, `/saved/${k.id}/remove`, {
        back: `/kitchens/${k.id}`,
      }, { cookie });
      assert.equal(res.status, 303);
      assert.equal(
        res.headers.get("location"),
        `/kitchens/${k.id}#save-${k.id}`,
      );
    }
    const del = await api(t, "DELETE", k.id, cookie);
    assert.deepEqual(await del.json(), { saved: false });
    assert.equal(await count(t, user.id), 0);
    assert.deepEqual(await savedEntries(t), [
      '["saved_counts","' + user.id + '"]',
    ]);
    assert.match(await listHtml(t, cookie), /No saved kitchens yet/);
  } finally {
    t.close();
  }
});

Deno.test("saved: a hundred racing saves and removals of one kitchen leave the entry and count in step", async () => {
  const { t, kitchens: [k], cookie, user } = await setup();
  try {
    const answers = await Promise.all(
      Array.from(
        { length: 100 },
        (_, i) => api(t, i % 2 ? "DELETE" : "PUT", k.id, cookie),
      ),
    );
    for (const a of answers) {
      assert.ok([200, 409].includes(a.status), String(a.status));
      await a.body?.cancel();
    }
    const entry = await t.kv.get(keys.savedKitchen(user.id, k.id));
    assert.equal(await count(t, user.id), entry.value ? 1 : 0);
    let indexed = 0;
    for await (
      const _ of t.kv.list({ prefix: keys.savedByTimePrefix(user.id) })
    ) {
      indexed++;
    }
    assert.equal(indexed, entry.value ? 1 : 0);
  } finally {
    t.close();
  }
});

Deno.test("saved: the hearts of a page of cards are the saved ones among them, for short and long lists", async () => {
  const { t, user } = await setup();
  try {
    // Lists either side of the length read whole; the long ones by point reads.
    const saved: string[] = [];
    for (const size of [0, 3, 40, 41, 65]) {
      while (saved.length < size) {
        const id = newId();
        assert.equal(await addSavedKitchen(t.kv, user.id, id, NOW), "saved");
        saved.push(id);
      }
      // A page: every third saved kitchen and the newest (past a 40-entry
      // read), kitchens not saved, a repeat, a bad id.
      const picked = [
        ...new Set([
          ...saved.filter((_, i) => i % 3 === 0),
          ...saved.slice(-1),
        ]),
      ];
      const page = [...picked, newId(), newId(), picked[0] ?? newId(), "x"];
      const got = await savedAmong(t.kv, user.id, page);
      assert.deepEqual([...got].sort(), [...picked].sort(), `list of ${size}`);
    }
    assert.equal((await savedAmong(t.kv, user.id, [])).size, 0);
    assert.equal((await savedAmong(t.kv, "nobody", saved)).size, 0);
    assert.equal((await savedAmong(t.kv, "not an id", saved)).size, 0);
  } finally {
    t.close();
  }
});

Deno.test("saved: hearts come from the read cache, dropped by the owner's own save and removal only, and never drop visitors' pages", async () => {
  const { t, user } = await setup();
  try {
    const other = await signUpConfirmed(t, "ines@example.com");
    const [a, b, c] = [newId(), newId(), newId()];
    const page = [a, b, c];
    const hearts = async () =>
      [...await savedAmong(t.kv, user.id, page)].sort();
    const generation = writeGeneration(t.kv);
    assert.equal(await addSavedKitchen(t.kv, user.id, a, NOW), "saved");
    assert.deepEqual(await hearts(), [a]);
    // Written past the repo: a read that went to KV would see it.
    await t.kv.set(keys.savedKitchen(user.id, b), {
      v: 1,
      id: newId(),
      userId: user.id,
      kitchenId: b,
      savedAt: NOW,
    });
    assert.deepEqual(await hearts(), [a], "the second page read no KV");
    // Someone else's save leaves this user's entry alone.
    assert.equal(await addSavedKitchen(t.kv, other.user.id, c, NOW), "saved");
    assert.deepEqual(await hearts(), [a]);
    assert.deepEqual([...await savedAmong(t.kv, other.user.id, page)], [c]);
    // The owner's removal drops it: the next read sees KV again.
    assert.equal(await removeSavedKitchen(t.kv, user.id, a), true);
    assert.deepEqual(await hearts(), [b]);
    await removeSavedList(t.kv, user.id);
    assert.deepEqual(await hearts(), []);
    assert.equal(
      writeGeneration(t.kv),
      generation,
      "no save or removal marked the visitors' page cache stale",
    );
  } finally {
    t.close();
  }
});

Deno.test(`saved: a list holds at most ${MAX_SAVED} kitchens, however many saves race for the last places`, async () => {
  const { t, kitchens: [first], cookie, user } = await setup();
  try {
    // Published kitchens without permits: saveable, and quick to write.
    const more: Kitchen[] = [];
    for (let i = 0; i < MAX_SAVED + 9; i++) {
      const k = newKitchen(first.hostId, kitchenFixture({ title: `K ${i}` }), {
        status: "published",
      });
      assert.ok((await addKitchenCreate(t.kv.atomic(), k).commit()).ok);
      more.push(k);
    }
    for (const k of more.slice(0, MAX_SAVED - 3)) {
      assert.equal(await addSavedKitchen(t.kv, user.id, k.id, NOW), "saved");
    }
    const racing = more.slice(MAX_SAVED - 3);
    const answers = await Promise.all(
      racing.map((k) => api(t, "PUT", k.id, cookie)),
    );
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, ...Array(9).fill(409)]);
    for (const a of answers) {
      if (a.status === 409) {
        assert.deepEqual(await a.json(), { error: LIST_FULL });
      } else await a.body?.cancel();
    }
    assert.equal(await count(t, user.id), MAX_SAVED);

    // Without JavaScript, the form says so on the list.
    const full = await post(t, `/saved/${first.id}`, { back: "/search" }, {
      cookie,
    });
    assert.equal(full.headers.get("location"), "/saved?notice=full");
    const page = await listHtml(t, cookie, "/saved?notice=full");
    assert.ok(page.includes(LIST_FULL));
    assert.match(page, /500 kitchens saved, the most a list keeps/);
    assert.equal(await count(t, user.id), MAX_SAVED);

    // Removing one makes room again.
    await post(t, `/saved/${more[0].id}/remove`, { back: "/saved" }, {
      cookie,
    });
    assert.equal((await api(t, "PUT", first.id, cookie)).status, 200);
    assert.equal(await count(t, user.id), MAX_SAVED);
  } finally {
    t.close();
  }
});

Deno.test("saved: the list shows each kitchen's photo, place, price and next free day, newest saved first, 24 a page", async () => {
  const titles = Array.from({ length: 26 }, (_, i) => `Kitchen ${i + 1}`);
  const { t, kitchens, cookie, user } = await setup(titles, (i) => ({
    photos: [{
      id: `photo-${i + 1}`,
      cardId: `card-${i + 1}`,
      alt: `The line at Kitchen ${i + 1}`,
    }],
  }));
  try {
    for (const k of kitchens) {
      assert.equal(
        (await post(t, `/saved/${k.id}`, { back: "/search" }, { cookie }))
          .status,
        303,
      );
    }
    const first = await (await get(t, "/saved", cookie)).text();
    const text = visibleText(first);
    assert.match(text, /26 kitchens saved\. Newest saved first\./);
    // Newest saved first: 26 down to 3 on the first page.
    const shown = [...text.matchAll(/Kitchen (\d+) Wicker Park/g)].map((m) =>
      Number(m[1])
    );
    assert.deepEqual(shown, Array.from({ length: 24 }, (_, i) => 26 - i));
    const k = kitchens[25];
    const day = await nextFreeDay(t.kv, k, NOW, 30);
    assert.ok(day);
    assert.ok(
      text.includes(
        `Kitchen 26 Wicker Park, Chicago $40 /hour Next free day: ${
          formatDate(day.date)
        }, from ${formatTime(k.timeZone, day.starts[0].start)}`,
      ),
      text,
    );
    assert.match(
      first,
      new RegExp(`href="/kitchens/${k.id}\\?date=${day.date}"`),
    );
    // Its cover photo at card size, described.
    assert.match(
      first,
      new RegExp(`<img src="/photos/card-26" alt="The line at Kitchen 26"`),
    );
    const older = /href="(\/saved\?cursor=[0-9A-Z]{26})"/.exec(first);
    assert.ok(older, "a link to the older page");
    const second = await listHtml(t, cookie, older[1]);
    assert.deepEqual(
      [...second.matchAll(/Kitchen (\d+) Wicker Park/g)].map((m) => m[1]),
      ["2", "1"],
    );
    assert.match(second, /Newest saved kitchens/);
    assert.equal(await count(t, user.id), 26);

    // A page link that is not ours is a 400, not a 500.
    const bad = await get(t, "/saved?cursor=zzz", cookie);
    assert.equal(bad.status, 400);
  } finally {
    t.close();
  }
});

Deno.test("saved: a kitchen paused for its permits, unlisted, suspended or deleted later shows as such and can still be removed", async () => {
  const { t, kitchens, cookie, user } = await setup([
    "Paused Kitchen",
    "Unlisted Kitchen",
    "Suspended Kitchen",
    "Deleted Kitchen",
    "Open Kitchen",
  ]);
  try {
    for (const k of kitchens) {
      await post(t, `/saved/${k.id}`, { back: "/search" }, { cookie });
    }
    const [paused, unlisted, suspended, deleted] = kitchens;
    await t.kv.set(keys.kitchen(paused.id), {
      ...paused,
      permits: { ...paused.permits!, ok: false },
    });
    await setKitchenStatus(t.kv, unlisted.id, "unlisted");
    await suspendKitchen(t.kv, suspended.id, TEST_ADMIN, "Checked", NOW);
    await t.kv.delete(keys.kitchen(deleted.id));
    t.advance(10_000); // past the read cache's five seconds
    const text = await listHtml(t, cookie);
    assert.match(
      text,
      /Paused Kitchen Wicker Park, Chicago \$40 \/hour Not taking bookings right now; its page says why\./,
    );
    assert.match(
      text,
      /Unlisted Kitchen Wicker Park, Chicago No longer listed on Prep\./,
    );
    assert.match(
      text,
      /Suspended Kitchen Wicker Park, Chicago No longer listed on Prep\./,
    );
    assert.match(
      text,
      /A kitchen you saved is no longer on Prep\. Remove the kitchen no longer on Prep/,
    );
    assert.match(
      text,
      /Open Kitchen Wicker Park, Chicago \$40 \/hour Next free day/,
    );
    // A kitchen that has no public page is not linked.
    const html = await (await get(t, "/saved", cookie)).text();
    assert.doesNotMatch(html, new RegExp(`href="/kitchens/${unlisted.id}`));
    assert.doesNotMatch(html, new RegExp(`href="/kitchens/${suspended.id}`));
    assert.match(html, new RegExp(`href="/kitchens/${paused.id}"`));

    // None of them can be saved anew, but each can be removed.
    for (const k of [unlisted, suspended, deleted]) {
      const again = await api(t, "PUT", k.id, cookie);
      assert.equal(again.status, 404);
    }
    for (const k of [paused, unlisted, suspended, deleted]) {
      const res = await post(t, `/saved/${k.id}/remove`, {
        back: "/saved?notice=removed",
      }, { cookie });
      assert.equal(res.headers.get("location"), "/saved?notice=removed");
    }
    assert.equal(await count(t, user.id), 1);
    const after = await listHtml(t, cookie, "/saved?notice=removed");
    assert.match(after, /Removed from your saved kitchens\./);
    assert.match(after, /1 kitchen saved/);
  } finally {
    t.close();
  }
});

Deno.test("saved: bad ids are a 404 and a bad `back` goes to the list, with nothing written", async () => {
  const { t, kitchens: [k], cookie } = await setup();
  try {
    const host = await addHost(t.kv, "Drafty");
    const [draft] = await addKitchens(
      t.kv,
      host.id,
      [kitchenFixture()],
      "draft",
      {
        permits: false,
      },
    );
    const unknown = newId();
    const cases: [string, string, number][] = [
      ["POST", "/saved/not-an-id", 404],
      ["POST", `/saved/${unknown}`, 404],
      ["POST", `/saved/${draft.id}`, 404],
      ["POST", `/saved/${"A".repeat(3000)}`, 404],
      ["POST", `/saved/${unknown.toLowerCase()}`, 404],
      ["GET", `/saved/${unknown}`, 404],
      ["GET", `/saved/${draft.id}`, 404],
      ["PUT", `/api/saved/${unknown}`, 404],
      ["PUT", `/api/saved/${draft.id}`, 404],
      ["PUT", "/api/saved/%00", 404],
      ["DELETE", "/api/saved/x", 404],
    ];
    for (const signedIn of [false, true]) {
      for (const [method, path, status] of cases) {
        const res = await t.request(path, {
          method,
          body: method === "POST" ? new URLSearchParams({ back: "/" }) : null,
          headers: {
            "Sec-Fetch-Site": "same-origin",
            ...(method === "POST"
              ? { "Content-Type": "application/x-www-form-urlencoded" }
              : {}),
            ...(signedIn ? { Cookie: cookie } : {}),
          },
        });
        // A visitor's GET of a kitchen's save page goes to log in first,
        // and the JSON answers a visitor 401 before it looks at the kitchen.
        const want = signedIn || method === "POST"
          ? status
          : method === "GET"
          ? 303
          : path.includes("%00") || path.endsWith("/x")
          ? 404
          : 401;
        assert.equal(
          res.status,
          want,
          `${method} ${path} signedIn=${signedIn}`,
        );
        if (path.startsWith("/api/")) {
          assert.match(res.headers.get("content-type") ?? "", /json/);
        }
        await res.body?.cancel();
      }
    }
    assert.deepEqual(await savedEntries(t), []);

    // Where a form leads back to is a path on this site, or the list.
    for (
      const back of [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "/a\r\nSet-Cookie: x=1",
        "",
      ]
    ) {
      const res = await post(t, `/saved/${k.id}`, { back }, { cookie });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), `/saved#save-${k.id}`, back);
    }
  } finally {
    t.close();
  }
});

Deno.test("saved: a heart posted from another site is refused and saves nothing", async () => {
  const { t, kitchens: [k], cookie } = await setup();
  try {
    const foreign: Record<string, string>[] = [
      { "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site" },
      { Origin: "http://evil.example" },
    ];
    for (const headers of foreign) {
      const form = await post(t, `/saved/${k.id}`, { back: "/search" }, {
        cookie,
        headers: { "Sec-Fetch-Site": "", ...headers },
      });
      assert.equal(form.status, 403, JSON.stringify(headers));
      await form.body?.cancel();
      const json = await api(t, "PUT", k.id, cookie, headers);
      assert.equal(json.status, 403);
      await json.body?.cancel();
    }
    assert.deepEqual(await savedEntries(t), []);
  } finally {
    t.close();
  }
});

Deno.test("saved: a visitor's heart goes through logging in and the save is posted on return, never by a GET", async () => {
  const { t, kitchens: [k], user } = await setup();
  try {
    const back = "/search?city=chicago&date=2026-12-03";
    // A visitor's JSON save is a 401: the island leaves it to the form.
    const anonymous = await api(t, "PUT", k.id);
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await anonymous.json(), {
      error: "Log in to save kitchens.",
    });

    const pressed = await post(t, `/saved/${k.id}`, { back });
    assert.equal(pressed.status, 303);
    const toLogin = new URL(pressed.headers.get("location")!, "http://x");
    assert.equal(toLogin.pathname, "/login");
    const next = toLogin.searchParams.get("next")!;
    assert.ok(
      next.startsWith(`/saved/${k.id}?back=${encodeURIComponent(back)}~`),
      next,
    );
    const intent = /(prep_save_intent=[^;]+)/.exec(
      pressed.headers.get("set-cookie") ?? "",
    );
    assert.ok(intent, "the pressed heart is remembered in this browser");
    assert.match(pressed.headers.get("set-cookie")!, /HttpOnly/i);
    assert.match(pressed.headers.get("set-cookie")!, /SameSite=Lax/i);
    assert.deepEqual(await savedEntries(t), []);

    // The login page offers sign-up with the same way back.
    const loginPage = await (await get(t, toLogin.pathname + toLogin.search))
      .text();
    assert.ok(loginPage.includes(`/signup?next=${encodeURIComponent(next)}`));

    const login = await post(t, "/login", {
      email: "rosa@example.com",
      password: "correct horse battery",
      next,
    });
    assert.equal(
      login.headers.get("location"),
      `/saved/${k.id}?back=${encodeURIComponent(back)}`,
    );
    const session = /(prep_session=[^;]+)/.exec(
      login.headers.get("set-cookie")!,
    )![1];

    // The page it leads to saves nothing by itself; in this browser it
    // presses the heart at once, in another it offers the button.
    for (
      const [cookie, auto] of [[session, false], [
        `${session}; ${intent[1]}`,
        true,
      ]] as const
    ) {
      const res = await get(t, login.headers.get("location")!, cookie);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("cache-control"), "private, no-store");
      const html = await res.text();
      assert.match(
        visibleText(html),
        /Save this kitchen Andersonville Pastry Kitchen/,
      );
      assert.deepEqual(hearts(html), [{
        kitchenId: k.id,
        title: k.title,
        saved: false,
        signedIn: true,
        back,
        look: "page",
        auto,
      }]);
      assert.deepEqual(await savedEntries(t), []);
    }

    // The island's post (or the button): saved, the cookie gone, back where the heart was.
    const saved = await post(t, `/saved/${k.id}`, { back }, {
      cookie: `${session}; ${intent[1]}`,
    });
    assert.equal(saved.headers.get("location"), `${back}#save-${k.id}`);
    assert.match(saved.headers.get("set-cookie") ?? "", /prep_save_intent=;/);
    assert.equal(await count(t, user.id), 1);
    const search = await (await get(t, back, session)).text();
    assert.deepEqual(
      hearts(search).map((h) => [h.kitchenId, h.saved, h.signedIn]),
      [[k.id, true, true]],
    );
    // Coming back to the page once saved says so, and does not ask again.
    const again = await get(t, `/saved/${k.id}?back=/search`, session);
    assert.match(visibleText(await again.text()), /This kitchen is saved/);

    // A visitor's GET of /saved goes to log in and back.
    const list = await get(t, "/saved");
    assert.equal(list.status, 303);
    assert.match(list.headers.get("location")!, /^\/login\?next=%2Fsaved~/);
  } finally {
    t.close();
  }
});

Deno.test("saved: a signed-in user's hearts never reach the page cache, and the cached visitor's page never reaches them", async () => {
  const { t, kitchens: [k], cookie } = await setup();
  try {
    await post(t, `/saved/${k.id}`, { back: "/search" }, { cookie });
    const pages = [
      "/search?city=chicago",
      `/kitchens/${k.id}`,
      `/kitchens/${k.id}?date=2026-12-03`,
    ];
    for (const path of pages) {
      // Signed in first: the page shows the saved heart and is not stored.
      const mine = await get(t, path, cookie);
      assert.equal(mine.status, 200, path);
      assert.equal(mine.headers.get("x-cache"), null);
      assert.equal(mine.headers.get("cache-control"), "private, no-store");
      const mineHearts = hearts(await mine.text());
      assert.deepEqual(
        mineHearts.map((h) => [h.saved, h.signedIn]),
        [[true, true]],
        path,
      );
      // The visitor after gets a fresh page with an empty heart, then the cached one.
      for (const outcome of ["miss", "hit"]) {
        const anon = await get(t, path);
        assert.equal(anon.headers.get("x-cache"), outcome, path);
        const html = await anon.text();
        assert.deepEqual(hearts(html), [], path);
        assert.deepEqual(
          plainHearts(html).map((h) => [h.kitchenId, h.saved]),
          [[k.id, false]],
          path,
        );
        assert.doesNotMatch(html, HEART_PRESSED);
      }
      // And the signed-in user, after the page is cached, still gets their
      // own: the visitors' render with their hearts filled in.
      const again = await get(t, path, cookie);
      assert.equal(again.headers.get("x-cache"), "shared", path);
      const html = await again.text();
      assert.match(html, HEART_PRESSED);
      assert.deepEqual(hearts(html).map((h) => h.saved), [true]);
    }
    // Saving writes nothing the cached pages depend on: they stay cached.
    await api(t, "DELETE", k.id, cookie);
    assert.equal(
      (await get(t, "/search?city=chicago")).headers.get("x-cache"),
      "hit",
    );
    // The heart's form leads back to the page as the cache keys it.
    const anon = await (await get(t, "/search?sort=price&city=Chicago&x=1"))
      .text();
    assert.deepEqual(plainHearts(anon).map((h) => h.back), [
      "/search?city=chicago",
    ]);
  } finally {
    t.close();
  }
});

Deno.test("saved: the kitchen page's heart is a form that works without JavaScript", async () => {
  const { t, kitchens: [k], cookie, user } = await setup();
  try {
    const before = await (await get(t, `/kitchens/${k.id}`, cookie)).text();
    assert.match(
      before,
      new RegExp(
        `<form\\s+id="save-${k.id}" method="post" action="/saved/${k.id}"[^>]*>` +
          `<input type="hidden" name="back" value="/kitchens/${k.id}">` +
          `<button type="submit" aria-pressed="false"`,
      ),
    );
    assert.match(visibleText(before), /Save Andersonville Pastry Kitchen/);
    await post(t, `/saved/${k.id}`, { back: `/kitchens/${k.id}` }, { cookie });
    const after = await (await get(t, `/kitchens/${k.id}`, cookie)).text();
    assert.match(
      after,
      new RegExp(`action="/saved/${k.id}/remove"[^>]*>.*?aria-pressed="true"`),
    );
    assert.match(visibleText(after), /Saved Your saved kitchens/);
    assert.equal(await count(t, user.id), 1);
    // The header names the list.
    assert.match(after, /<a href="\/saved" class="hover:underline">Saved<\/a>/);
  } finally {
    t.close();
  }
});

Deno.test("saved: the demo renter has a couple of saved kitchens on a fresh start, seeded once", async () => {
  const t = await testApp(NOW);
  try {
    await seedDemoData(t.kv, { now: new Date(NOW) });
    await seedDemoAccounts(t.kv, new Date(NOW));
    assert.equal(await seedDemoSaved(t.kv, NOW), DEMO_SAVED_TITLES.length);
    assert.equal(await seedDemoSaved(t.kv, NOW), null);
    const login = await post(t, "/login", {
      email: "renter@prep.test",
      password: DEMO_PASSWORD,
    });
    const text = await listHtml(t, sessionCookie(login));
    assert.match(text, /2 kitchens saved\. Newest saved first\./);
    // Newest saved first.
    const at = DEMO_SAVED_TITLES.toReversed().map((title) =>
      text.indexOf(title)
    );
    assert.ok(at.every((i) => i > 0), text);
    assert.deepEqual(at, [...at].sort((a, b) => a - b));
    assert.equal((text.match(/Next free day: /g) ?? []).length, 2);
  } finally {
    t.close();
  }
});

Deno.test("saved: deleting an account removes its saved kitchens (a job after the deletion), and no one else's", async () => {
  const { t, kitchens: [first], cookie, user } = await setup();
  try {
    // More than one batch of removals; published without permits, quick to write.
    const kitchens = [first];
    for (let i = 0; i < 129; i++) {
      const k = newKitchen(first.hostId, kitchenFixture(), {
        status: "published",
      });
      assert.ok((await addKitchenCreate(t.kv.atomic(), k).commit()).ok);
      kitchens.push(k);
    }
    const other = await signUpConfirmed(t, "sam@example.com");
    for (const k of kitchens) {
      assert.equal(await addSavedKitchen(t.kv, user.id, k.id, NOW), "saved");
    }
    await post(t, `/saved/${kitchens[0].id}`, { back: "/saved" }, {
      cookie: other.cookie,
    });
    const gone = await post(t, "/account/delete", {
      currentPassword: "correct horse battery",
      confirm: "delete",
    }, { cookie });
    assert.equal(gone.status, 303);
    await runJobs(t);
    const left = await savedEntries(t);
    assert.ok(left.every((k) => !k.includes(user.id)), left.join("\n"));
    assert.equal(left.length, 3, "the other user's save, index and count");
    assert.equal(await count(t, other.user.id), 1);
    // The privacy page says so, and names the cookie a visitor's heart sets.
    const privacy = visibleText(await (await get(t, "/privacy")).text());
    assert.match(
      privacy,
      /Saved kitchens The kitchens you save, and when you saved each Why To list them for you under Saved How long Until you remove them or delete your account/,
    );
    assert.match(privacy, /your saved kitchens follow within a minute/);
    assert.match(
      privacy,
      /A third is set only when you press a kitchen's heart before logging in: it remembers that kitchen for a day, so it is saved once you have\./,
    );
  } finally {
    t.close();
  }
});

Deno.test("saved: a new renter's heart survives Create an account → sign-up → the email link, and comes back to be saved", async () => {
  const t = await testApp(NOW);
  try {
    const host = await addHost(t.kv, "Dana Ortiz");
    const [k] = await addKitchens(
      t.kv,
      host.id,
      [kitchenFixture()],
      "published",
      {
        now: NOW,
      },
    );
    const back = `/kitchens/${k.id}`;
    const pressed = await post(t, `/saved/${k.id}`, { back });
    const intent = /(prep_save_intent=[^;]+)/.exec(
      pressed.headers.get("set-cookie")!,
    )![1];
    const loginPage = await (await get(t, pressed.headers.get("location")!))
      .text();
    const signupHref = /<a href="(\/signup\?next=[^"]+)"/.exec(loginPage)![1]
      .replaceAll("&amp;", "&");
    const signupPage = await (await get(t, signupHref)).text();
    const next = /<input type="hidden" name="next" value="([^"]+)"/.exec(
      signupPage,
    )![1].replaceAll("&amp;", "&");
    assert.ok(next.startsWith(`/saved/${k.id}?back=`), next);
    const signed = await post(t, "/signup", {
      name: "Rosa Diaz",
      email: "new.renter@example.com",
      password: "correct horse battery",
      intent: "rent",
      next,
    });
    assert.equal(signed.headers.get("location"), "/signup/sent");
    const token = tokenOf(
      await linkIn(t, "new.renter@example.com", "/verify-email"),
    );
    const confirmed = await post(t, "/verify-email", { token }, {
      cookie: intent,
    });
    const to = confirmed.headers.get("location")!;
    assert.ok(
      to.startsWith(`/saved/${k.id}?back=${encodeURIComponent(back)}`),
      to,
    );
    const cookie = `${sessionCookie(confirmed)}; ${intent}`;
    const html = await (await get(t, to, cookie)).text();
    assert.deepEqual(
      hearts(html).map((h) => [h.auto, h.back]),
      [[true, back]],
    );
    const saved = await post(t, `/saved/${k.id}`, { back }, { cookie });
    assert.equal(saved.headers.get("location"), `${back}#save-${k.id}`);
    const user = await userByEmail(t, "new.renter@example.com");
    assert.equal(await count(t, user!.id), 1);
  } finally {
    t.close();
  }
});
