/**
 * The staff directories, /admin/users and /admin/kitchens (issue 15): staff
 * find an account or a kitchen without its id, 50 a page, and reach the
 * page where an admin suspends it.
 */
import assert from "node:assert/strict";
import type { User } from "../../lib/accounts/schema.ts";
import { addUserIndex } from "../../lib/accounts/user_index.ts";
import { migrationList } from "../../lib/app.ts";
import { LATEST_SCHEMA_VERSION } from "../../lib/db/migrations/names.ts";
import { runMigrations } from "../../lib/db/migrations/runner.ts";
import {
  suspendKitchen,
  suspendUser,
} from "../../lib/compliance/suspensions.ts";
import { keys } from "../../lib/db/keys.ts";
import { newId } from "../../lib/ids.ts";
import {
  addKitchenCreate,
  newKitchen,
  updateKitchen,
} from "../../lib/kitchens/repo.ts";
import type { Kitchen, KitchenInput } from "../../lib/kitchens/schema.ts";
import {
  get,
  PASSWORD,
  post,
  sessionCookie,
  staff,
  type T,
  userByEmail,
} from "../account_helpers.ts";
import { kitchenFixture, testApp } from "../helpers.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

/** Signs up through the form (the write under test) and logs in. */
async function person(
  t: T,
  name: string,
  email: string,
  intent: "rent" | "host" = "rent",
): Promise<{ cookie: string; user: User }> {
  const res = await post(t, "/signup", {
    name,
    email,
    password: PASSWORD,
    intent,
  });
  assert.equal(res.status, 303);
  const login = await post(t, "/login", { email, password: PASSWORD });
  assert.equal(login.status, 303);
  return { cookie: sessionCookie(login), user: (await userByEmail(t, email))! };
}

async function kitchen(
  t: T,
  hostId: string,
  over: Partial<KitchenInput>,
): Promise<Kitchen> {
  const k = newKitchen(hostId, kitchenFixture(over), {
    status: "published",
    now: new Date(NOW),
  });
  assert.ok((await addKitchenCreate(t.kv.atomic(), k).commit()).ok);
  return k;
}

const SEATTLE = {
  line1: "500 Pike St",
  neighborhood: "Capitol Hill",
  city: "seattle",
  state: "WA",
  postalCode: "98101",
};

async function html(t: T, path: string, cookie: string) {
  const res = await get(t, path, cookie);
  return { status: res.status, body: await res.text() };
}

/** The rows' links to detail pages, in page order. */
function rowLinks(body: string, area: "users" | "kitchens"): string[] {
  const table = body.slice(body.indexOf("<tbody>"), body.indexOf("</tbody>"));
  const re = new RegExp(`href="/admin/${area}/([^"?/]+)"`, "g");
  return [...table.matchAll(re)].map((m) => m[1]);
}

/** The "Next page" link's path, or null on the last page. */
function nextLink(body: string): string | null {
  const m = /<a href="([^"]+)"[^>]*>(?:Next page|Search further)<\/a>/.exec(
    body,
  );
  return m ? m[1].replaceAll("&amp;", "&") : null;
}

async function setup() {
  const t = await testApp(NOW);
  const adminCookie = await staff(t, "ann@example.com", "admin");
  const admin = (await userByEmail(t, "ann@example.com"))!;
  const supportCookie = await staff(t, "sam@example.com", "support");
  const rosa = await person(t, "Rosa Díaz", "rosa.d@tamales.example");
  const hal = await person(t, "Hal Baker", "hal@ovens.example", "host");
  const sue = await person(t, "Sue Okafor", "sue@commissary.example", "host");
  return { t, adminCookie, admin, supportCookie, rosa, hal, sue };
}

Deno.test("staff directory: staff find an account by the start of its email, a word of its name or its domain; each row shows roles and status and links to its page", async () => {
  const { t, adminCookie, admin, supportCookie, rosa, hal } = await setup();
  try {
    await suspendUser(t.kv, hal.user.id, admin, "Chargebacks", NOW);
    for (
      const q of ["ROSA.D", "rosa.d@tamales.example", "diaz", "Díaz", "ros"]
    ) {
      const page = await html(
        t,
        `/admin/users?q=${encodeURIComponent(q)}`,
        adminCookie,
      );
      assert.equal(page.status, 200, q);
      assert.deepEqual(rowLinks(page.body, "users"), [rosa.user.id], q);
      assert.match(page.body, /Rosa Díaz/);
      assert.match(page.body, /rosa\.d@tamales\.example/);
      assert.match(page.body, /<td class="[^"]*">renter<\/td>/);
      assert.match(page.body, /<span>Active<\/span>/);
    }
    // Two words narrow it down; a domain finds everyone there.
    const both = await html(t, "/admin/users?q=hal+bak", adminCookie);
    assert.deepEqual(rowLinks(both.body, "users"), [hal.user.id]);
    assert.match(both.body, /renter, host/);
    assert.match(both.body, />Suspended</);
    const domain = await html(t, "/admin/users?q=%40ovens", adminCookie);
    assert.deepEqual(rowLinks(domain.body, "users"), [hal.user.id]);
    const none = await html(t, "/admin/users?q=zelda", adminCookie);
    assert.equal(none.status, 200);
    assert.deepEqual(rowLinks(none.body, "users"), []);
    assert.match(none.body, /No accounts match this search\./);

    // Support reads the directory too, and the row leads to the detail page.
    const all = await html(t, "/admin/users", supportCookie);
    assert.equal(all.status, 200);
    assert.match(all.body, /All accounts, newest first/);
    assert.equal(rowLinks(all.body, "users").length, 5);
    const detail = await get(t, `/admin/users/${rosa.user.id}`, adminCookie);
    assert.equal(detail.status, 200);
    assert.match(await detail.text(), /Suspend the account/);

    // The staff navigation leads to both directories.
    assert.match(all.body, /<a href="\/admin\/users"[^>]*>Users<\/a>/);
    assert.match(all.body, /<a href="\/admin\/kitchens"[^>]*>Kitchens<\/a>/);
  } finally {
    t.close();
  }
});

Deno.test("staff directory: a renamed account is found by its new name only, in the atomic that renamed it", async () => {
  const { t, adminCookie, rosa } = await setup();
  try {
    const res = await post(t, "/account/profile", {
      name: "Rosa Martínez",
      phone: "",
      businessName: "Rosa's Tamales",
    }, { cookie: rosa.cookie });
    assert.equal(res.status, 303);
    const old = await html(t, "/admin/users?q=diaz", adminCookie);
    assert.deepEqual(rowLinks(old.body, "users"), []);
    for (const q of ["martinez", "tamales"]) {
      const found = await html(t, `/admin/users?q=${q}`, adminCookie);
      assert.deepEqual(rowLinks(found.body, "users"), [rosa.user.id], q);
    }
    const entries = [];
    for await (
      const e of t.kv.list({ prefix: ["users_by_term"] })
    ) if (e.value === rosa.user.id) entries.push(e.key[1]);
    assert.ok(!entries.includes("diaz"), "the old name's entry is gone");
  } finally {
    t.close();
  }
});

Deno.test("staff directory: kitchens are found by title, city and host name or email, each row with its city, host and status", async () => {
  const { t, adminCookie, admin, hal, sue } = await setup();
  try {
    const wicker = await kitchen(t, hal.user.id, {
      title: "Wicker Park Commissary",
    });
    const pike = await kitchen(t, hal.user.id, {
      title: "Pike Street Bakehouse",
      address: SEATTLE,
      timeZone: "America/Los_Angeles",
    });
    const logan = await kitchen(t, sue.user.id, {
      title: "Logan Square Kitchen",
    });
    await suspendKitchen(t.kv, logan.id, admin, "Closure notice", NOW);

    const byTitle = await html(t, "/admin/kitchens?q=wick", adminCookie);
    assert.equal(byTitle.status, 200);
    assert.deepEqual(rowLinks(byTitle.body, "kitchens"), [wicker.id]);
    assert.match(byTitle.body, /Wicker Park Commissary/);
    assert.match(byTitle.body, /<td class="[^"]*">Chicago<\/td>/);
    assert.match(byTitle.body, /Hal Baker/);
    assert.match(byTitle.body, /hal@ovens\.example/);
    assert.match(
      byTitle.body,
      new RegExp(`href="/admin/users/${hal.user.id}"`),
    );
    assert.match(byTitle.body, /Published/);

    const byCity = await html(t, "/admin/kitchens?q=chicago", adminCookie);
    assert.deepEqual(
      rowLinks(byCity.body, "kitchens"),
      [logan.id, wicker.id].sort(),
    );
    assert.match(byCity.body, />Suspended</);
    const seattle = await html(t, "/admin/kitchens?q=Seattle", adminCookie);
    assert.deepEqual(rowLinks(seattle.body, "kitchens"), [pike.id]);
    const cityAndTitle = await html(
      t,
      "/admin/kitchens?q=square+chicago",
      adminCookie,
    );
    assert.deepEqual(rowLinks(cityAndTitle.body, "kitchens"), [logan.id]);

    const byHostEmail = await html(
      t,
      "/admin/kitchens?host=hal%40ovens",
      adminCookie,
    );
    assert.deepEqual(
      rowLinks(byHostEmail.body, "kitchens"),
      [wicker.id, pike.id].sort(),
    );
    const byHostName = await html(
      t,
      "/admin/kitchens?host=okafor",
      adminCookie,
    );
    assert.deepEqual(rowLinks(byHostName.body, "kitchens"), [logan.id]);
    const hostAndCity = await html(
      t,
      "/admin/kitchens?host=hal&q=seattle",
      adminCookie,
    );
    assert.deepEqual(rowLinks(hostAndCity.body, "kitchens"), [pike.id]);

    const all = await html(t, "/admin/kitchens", adminCookie);
    assert.match(all.body, /All kitchens, newest first/);
    assert.deepEqual(rowLinks(all.body, "kitchens"), [
      logan.id,
      pike.id,
      wicker.id,
    ]);
    // A renamed kitchen is found by its new title only.
    await updateKitchen(t.kv, wicker.id, (k) => ({
      ...k,
      title: "Damen Avenue Commissary",
    }));
    const oldTitle = await html(t, "/admin/kitchens?q=wicker", adminCookie);
    assert.deepEqual(rowLinks(oldTitle.body, "kitchens"), []);
    const newTitle = await html(t, "/admin/kitchens?q=damen", adminCookie);
    assert.deepEqual(rowLinks(newTitle.body, "kitchens"), [wicker.id]);
  } finally {
    t.close();
  }
});

/**
 * An account written straight to KV with its index entries, as sign-up
 * writes them (sign-up itself hashes a password: too slow for a hundred).
 */
async function addAccount(
  t: T,
  email: string,
  name: string,
  roles: User["roles"] = ["renter"],
): Promise<User> {
  const at = new Date(NOW).toISOString();
  const user: User = {
    v: 1,
    id: newId(),
    email,
    name,
    passwordHash: "x",
    roles,
    emailVerifiedAt: at,
    phone: null,
    businessName: null,
    createdAt: at,
    updatedAt: at,
  };
  const atomic = t.kv.atomic()
    .set(keys.user(user.id), user)
    .set(keys.userByEmail(user.email), user.id);
  addUserIndex(atomic, null, user);
  assert.ok((await atomic.commit()).ok);
  return user;
}

/** Follows "Next page" from `first`: the ids of each page. */
async function pages(
  t: T,
  first: string,
  cookie: string,
  area: "users" | "kitchens",
): Promise<string[][]> {
  const out: string[][] = [];
  let path: string | null = first;
  while (path) {
    assert.ok(out.length < 10, "the pages never end");
    const page = await html(t, path, cookie);
    assert.equal(page.status, 200, path);
    out.push(rowLinks(page.body, area));
    path = nextLink(page.body);
  }
  return out;
}

Deno.test("staff directory: 120 accounts and 60 kitchens page 50 at a time through a cursor in the query string, none twice and none missed", async () => {
  const { t, adminCookie, hal } = await setup();
  try {
    const cooks: User[] = [];
    for (let n = 0; n < 120; n++) {
      const email = `cook${String(n).padStart(3, "0")}@pages.example`;
      cooks.push(await addAccount(t, email, `Pat Cook ${n}`));
    }
    for (const first of ["/admin/users?q=cook", "/admin/users?q=%40pages"]) {
      const got = await pages(t, first, adminCookie, "users");
      assert.deepEqual(got.map((p) => p.length), [50, 50, 20], first);
      const ids = got.flat();
      assert.equal(new Set(ids).size, 120, "none twice");
      assert.deepEqual(
        [...ids].sort(),
        cooks.map((u) => u.id).sort(),
        "none missed",
      );
    }
    // The whole directory: 120 cooks and the five set-up accounts.
    const everyone = await pages(t, "/admin/users", adminCookie, "users");
    assert.deepEqual(everyone.map((p) => p.length), [50, 50, 25]);
    assert.equal(new Set(everyone.flat()).size, 125);
    const firstPage = await html(t, "/admin/users?q=cook", adminCookie);
    assert.match(firstPage.body, /cursor=cook\+[0-9A-Z]{26}/);

    const kitchens: Kitchen[] = [];
    for (let n = 0; n < 60; n++) {
      kitchens.push(
        await kitchen(t, hal.user.id, { title: `Night Bakery ${n}` }),
      );
    }
    const want = kitchens.map((k) => k.id).sort();
    for (
      const first of [
        "/admin/kitchens?q=bakery",
        "/admin/kitchens?q=chicago",
        "/admin/kitchens?host=hal%40ovens.example",
        "/admin/kitchens",
      ]
    ) {
      const got = await pages(t, first, adminCookie, "kitchens");
      assert.deepEqual(got.map((p) => p.length), [50, 10], first);
      assert.deepEqual([...got.flat()].sort(), want, first);
    }
  } finally {
    t.close();
  }
});

Deno.test("staff directory: a mistyped search or a page link that is not this search's is a 400 that says what is wrong, never a 500", async () => {
  const { t, adminCookie } = await setup();
  try {
    const cases: [string, RegExp][] = [
      [
        "/admin/users?q=%21%21%21",
        /Type letters or digits of a name or an email address/,
      ],
      [`/admin/users?q=${"a".repeat(201)}`, /Use at most 200 characters/],
      ["/admin/users?q=a%07b", /Remove the control characters/],
      ["/admin/users?q=a+b+c+d+e+f+g+h+i", /Use at most 8 words/],
      [
        "/admin/users?cursor=..%2F..%2Fx",
        /That page link is not valid for this search; start again\./,
      ],
      [
        "/admin/users?q=rosa&cursor=hal+01ARZ3NDEKTSV4RRFFQ69G5FAV",
        /That page link is not valid/,
      ],
      ["/admin/users?q=rosa&cursor=rosa", /That page link is not valid/],
      [`/admin/users?cursor=${"x".repeat(401)}`, /That page link is not valid/],
      ["/admin/kitchens?cursor=not-an-id", /That page link is not valid/],
      [
        "/admin/kitchens?q=wicker&cursor=01ARZ3NDEKTSV4RRFFQ69G5FAV",
        /That page link is not valid/,
      ],
      [
        "/admin/kitchens?host=%E2%80%AEx",
        /Remove the text-direction override characters/,
      ],
      [
        "/admin/kitchens?host=-",
        /Type letters or digits of the host&#39;s name or email address|Type letters or digits of the host's name or email address/,
      ],
    ];
    for (const [path, message] of cases) {
      const page = await html(t, path, adminCookie);
      assert.equal(page.status, 400, path);
      assert.match(page.body, message, path);
      assert.deepEqual(rowLinks(page.body, "users"), [], path);
    }
    // More hosts match than a search by host takes: say so on the field.
    for (let n = 0; n < 21; n++) {
      await addAccount(t, `hana${n}@hosts.example`, `Hana Host ${n}`, [
        "renter",
        "host",
      ]);
    }
    const many = await html(t, "/admin/kitchens?host=hana", adminCookie);
    assert.equal(many.status, 400);
    assert.match(
      many.body,
      /More than 20 hosts match: type more of the host(&#39;|')s name or email/,
    );
    const one = await html(t, "/admin/kitchens?host=hana20", adminCookie);
    assert.equal(one.status, 200);
    // A term shared by more accounts than a search looks through, with one
    // host among them: that is not "more than 20 hosts".
    let crowd = t.kv.atomic();
    for (let n = 0; n < 1_100; n++) {
      const at = new Date(NOW).toISOString();
      const user: User = {
        v: 1,
        id: newId(),
        email: `r${n}@crowd.example`,
        name: `Renter ${n}`,
        passwordHash: "x",
        roles: ["renter"],
        emailVerifiedAt: at,
        phone: null,
        businessName: null,
        createdAt: at,
        updatedAt: at,
      };
      crowd.set(keys.user(user.id), user);
      addUserIndex(crowd, null, user);
      if (n % 100 === 99) {
        assert.ok((await crowd.commit()).ok);
        crowd = t.kv.atomic();
      }
    }
    await addAccount(t, "zed@crowd.example", "Zed Host", ["renter", "host"]);
    const crowded = await html(
      t,
      "/admin/kitchens?host=%40crowd.example",
      adminCookie,
    );
    assert.equal(crowded.status, 400);
    assert.match(crowded.body, /matches too many accounts to look through/);
    assert.doesNotMatch(crowded.body, /More than 20 hosts match/);
  } finally {
    t.close();
  }
});

Deno.test("staff directory: accounts and kitchens written before the index existed are found after the start-up migrations, which run once", async () => {
  const { t, adminCookie, hal } = await setup();
  try {
    // Records as the code before the index wrote them: no term entries.
    const at = new Date(NOW).toISOString();
    const old: User = {
      v: 1,
      id: newId(),
      email: "olga@legacy.example",
      name: "Olga Legacy",
      passwordHash: "x",
      roles: ["renter"],
      emailVerifiedAt: at,
      phone: null,
      businessName: null,
      createdAt: at,
      updatedAt: at,
    };
    await t.kv.atomic().set(keys.user(old.id), old)
      .set(keys.userByEmail(old.email), old.id).commit();
    const k = newKitchen(
      hal.user.id,
      kitchenFixture({ title: "Legacy Ovens" }),
      {
        status: "published",
      },
    );
    await t.kv.set(keys.kitchen(k.id), k);
    const before = await html(t, "/admin/users?q=olga", adminCookie);
    assert.deepEqual(rowLinks(before.body, "users"), []);

    const ran = await runMigrations(t.kv, migrationList());
    assert.equal(ran.to, LATEST_SCHEMA_VERSION);
    assert.ok(ran.entries > 0);
    const found = await html(t, "/admin/users?q=olga", adminCookie);
    assert.deepEqual(rowLinks(found.body, "users"), [old.id]);
    const foundKitchen = await html(t, "/admin/kitchens?q=legacy", adminCookie);
    assert.deepEqual(rowLinks(foundKitchen.body, "kitchens"), [k.id]);

    // Later starts read the schema version and stop.
    assert.deepEqual(await runMigrations(t.kv, migrationList()), {
      from: LATEST_SCHEMA_VERSION,
      to: LATEST_SCHEMA_VERSION,
      entries: 0,
      fresh: false,
    });
  } finally {
    t.close();
  }
});
