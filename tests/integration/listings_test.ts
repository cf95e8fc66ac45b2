import { givePermits } from "../compliance_helpers.ts";
import assert from "node:assert/strict";
import { visibleText } from "../page_text.ts";
import { characters } from "../page_text.ts";
import { keys } from "../../lib/db/keys.ts";
import { countPublishedKitchens } from "../../lib/kitchens/repo.ts";
import { saveSection, updateSection } from "../../lib/kitchens/listings.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { newId } from "../../lib/ids.ts";
import {
  bookPaid,
  get,
  PASSWORD,
  post,
  sessionCookie,
  signUpConfirmed,
  staff,
  userByEmail,
} from "../account_helpers.ts";
import { setStaffRole } from "../../lib/accounts/staff_roles.ts";
import { at } from "../../lib/app.ts";
import { listAuditFor } from "../../lib/audit/repo.ts";
import { testApp } from "../helpers.ts";

type T = Awaited<ReturnType<typeof testApp>>;

const GOOD: Record<string, Record<string, string | string[]>> = {
  basics: {
    title: "Ravenswood Test Kitchen",
    description: "A bright commissary kitchen with two ovens and a walk-in.",
    capacity: "4",
  },
  location: {
    "address.line1": "1 Test St",
    "address.neighborhood": "Ravenswood",
    "address.city": "chicago",
    "address.state": "IL",
    "address.postalCode": "60640",
    timeZone: "",
  },
  features: { equipment: ["convection_oven", "stand_mixer"], storage: ["dry"] },
  hours: {
    rangeDay: ["1", "2", "5", ""],
    rangeStart: ["08:00", "08:00", "22:00", ""],
    rangeEnd: ["20:00", "20:00", "06:00", ""],
    blackoutDates: "2026-12-25",
    bufferMinutes: "30",
    minNoticeHours: "0",
    bookingWindowDays: "60",
    minHours: "2",
    maxHours: "10",
  },
  pricing: {
    hourlyPriceCents: "$45.50",
    cleaningFeeCents: "20",
    bookingMode: "instant",
  },
  rules: {
    rules: "Clean as you go\nNo glass near the mixers",
    cancellationPolicy: "flexible",
  },
};

function body(form: Record<string, string | string[]>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) {
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  }
  return p;
}

async function postForm(
  t: T,
  path: string,
  form: Record<string, string | string[]>,
  cookie: string,
) {
  return await t.request(path, {
    method: "POST",
    body: body(form),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Sec-Fetch-Site": "same-origin",
      Cookie: cookie,
    },
  });
}

async function newHost(t: T, email: string) {
  const { cookie, user } = await signUpConfirmed(t, email, "host");
  return { cookie, user };
}

async function draft(t: T, cookie: string): Promise<string> {
  const res = await post(t, "/host/kitchens/new", {}, { cookie });
  assert.equal(res.status, 303);
  const id = res.headers.get("location")!.split("/")[3];
  assert.match(id, /^[0-9A-Z]{26}$/);
  return id;
}

Deno.test("listings: a new host fills in a draft section by section, publishes, and it is in search", async () => {
  const t = await testApp();
  const { cookie, user } = await newHost(t, "hana@example.com");
  const id = await draft(t, cookie);
  const overview = await (await get(t, `/host/kitchens/${id}`, cookie)).text();
  assert.match(overview, /Draft: not visible to renters/);
  assert.match(overview, /Basics: not finished yet\./);

  // Publishing now lists every unmet requirement and publishes nothing.
  const early = await post(t, `/host/kitchens/${id}/publish`, {}, { cookie });
  assert.equal(early.status, 400);
  const refused = await early.text();
  for (
    const m of [
      /Basics: not finished yet/,
      /Location: not finished yet/,
      /Hours and booking rules: not finished yet/,
      /Prices: not finished yet/,
      /Photos: add at least 3/,
      /Set up payouts so renters can pay you/,
      /Permits: upload the permits your city requires/,
    ]
  ) assert.match(refused, m);
  assert.equal((await t.kv.get(keys.kitchen(id))).value, null);

  for (const [section, form] of Object.entries(GOOD)) {
    const res = await postForm(
      t,
      `/host/kitchens/${id}/edit/${section}`,
      form,
      cookie,
    );
    assert.equal(res.status, 303, `${section}: ${await res.clone().text()}`);
    assert.equal(
      res.headers.get("location"),
      `/host/kitchens/${id}/edit/${section}?notice=saved`,
    );
  }
  // A closed date already past is kept as typed, and the host told.
  const past = await postForm(t, `/host/kitchens/${id}/edit/hours`, {
    ...GOOD.hours,
    blackoutDates: ["2020-01-01", "2026-12-25"],
  }, cookie);
  assert.equal(past.status, 200);
  assert.match(
    visibleText(await past.text()),
    /This closed date has already passed, so it changes nothing: Wed, Jan 1, 2020\. Check the year\./,
  );
  await postForm(t, `/host/kitchens/${id}/edit/hours`, GOOD.hours, cookie);
  // What was typed is shown again on the next visit.
  const hours = await (await get(t, `/host/kitchens/${id}/edit/hours`, cookie))
    .text();
  assert.match(hours, /value="22:00"/);
  assert.match(hours, /2026-12-25/);
  // Hours and closed dates name the zone they are read in (the city's here).
  assert.match(
    visibleText(hours),
    /One row per opening range, in the kitchen's time zone, America\/Chicago\. An end at or before/,
  );
  assert.match(
    visibleText(hours),
    /in the kitchen's time zone, America\/Chicago\. Clear a date/,
  );
  // The zone is chosen from a list, the city's own first.
  const where =
    await (await get(t, `/host/kitchens/${id}/edit/location`, cookie))
      .text();
  assert.match(where, /<select[^>]*name="timeZone"/);
  assert.match(where, /value=""\s*>The city's own \(America\/Chicago\)/);
  assert.match(where, /value="America\/Chicago" selected>Central \(Chicago\)/);
  assert.match(
    where,
    /value="America\/Denver"\s*>Mountain \(Denver\): America\/Denver/,
  );
  const pricing =
    await (await get(t, `/host/kitchens/${id}/edit/pricing`, cookie))
      .text();
  assert.match(pricing, /value="45.50"/);

  await saveSection(t.kv, id, user, "photos", {
    photos: [1, 2, 3].map((n) => ({ id: newId(), alt: `Photo ${n}` })),
  }, t.clock());
  const preview = await get(t, `/host/kitchens/${id}/preview`, cookie);
  assert.equal(preview.status, 200);
  // The preview leads back to the listing it shows.
  assert.match(
    await preview.text(),
    new RegExp(`href="/host/kitchens/${id}"[^>]*>Back to your listing`),
  );
  await post(t, "/host/payouts", {}, { cookie });
  // Two of Chicago's three required permits verified: still not publishable.
  const kitchen = { id, hostId: user.id, address: { city: "chicago" } };
  await givePermits(t.kv, kitchen, t.clock(), { except: ["fire_safety"] });
  const missing = await post(t, `/host/kitchens/${id}/publish`, {}, {
    cookie,
  });
  assert.equal(missing.status, 400);
  assert.match(
    await missing.text(),
    /Permits: get these verified by Prep: Fire safety inspection/,
  );
  await givePermits(t.kv, kitchen, t.clock(), {
    except: ["health_permit", "business_license"],
  });
  const before = await countPublishedKitchens(t.kv, "chicago");
  const published = await post(t, `/host/kitchens/${id}/publish`, {}, {
    cookie,
  });
  assert.equal(
    published.headers.get("location"),
    `/host/kitchens/${id}?notice=published`,
  );
  assert.equal(await countPublishedKitchens(t.kv, "chicago"), before + 1);
  assert.equal(
    (await t.kv.get(keys.kitchenDraft(id))).value,
    null,
    "draft gone",
  );
  const search = await (await get(t, "/search?city=chicago")).text();
  assert.match(search, /Ravenswood Test Kitchen/);
  const page = await (await get(t, `/kitchens/${id}`)).text();
  assert.match(page, /\$45.50/);
  assert.match(characters(page), /Fri 10:00 PM - 6:00 AM \(overnight\)/);

  // Unlist hides it; publishing again shows it; counters stay exact.
  await post(t, `/host/kitchens/${id}/unlist`, {}, { cookie });
  assert.doesNotMatch(
    await (await get(t, "/search?city=chicago")).text(),
    /Ravenswood Test Kitchen/,
  );
  assert.equal((await get(t, `/kitchens/${id}`)).status, 404);
  assert.equal(await countPublishedKitchens(t.kv, "chicago"), before);
  await post(t, `/host/kitchens/${id}/publish`, {}, { cookie });
  assert.equal(await countPublishedKitchens(t.kv, "chicago"), before + 1);

  // A price change moves it in the price index at once.
  await postForm(t, `/host/kitchens/${id}/edit/pricing`, {
    ...GOOD.pricing,
    hourlyPriceCents: "9",
  }, cookie);
  const cheap = await (await get(t, "/search?city=chicago&maxPrice=10")).text();
  assert.match(cheap, /Ravenswood Test Kitchen/);
  t.close();
});

Deno.test("listings: bad input re-renders the section with field errors and changes nothing", async () => {
  const t = await testApp();
  const { cookie } = await newHost(t, "hana@example.com");
  const id = await draft(t, cookie);
  const cases: [string, Record<string, string | string[]>, RegExp][] = [
    ["basics", { ...GOOD.basics, title: "" }, /Enter a title/],
    ["basics", { ...GOOD.basics, description: "short" }, /at least 20/],
    ["basics", { ...GOOD.basics, capacity: "lots" }, /whole number/],
    ["basics", { ...GOOD.basics, title: "x".repeat(500) }, /at most 120/],
    [
      "basics",
      { ...GOOD.basics, title: "Evil\u202Etxt.exe" },
      /text-direction/,
    ],
    [
      "location",
      { ...GOOD.location, "address.city": "atlantis" },
      /Choose a city we serve/,
    ],
    [
      "location",
      { ...GOOD.location, pinLat: "north", pinLng: "-87.67" },
      /pin's position was not understood/,
    ],
    [
      "location",
      { ...GOOD.location, timeZone: "Mars/Olympus" },
      /Unknown time zone/,
    ],
    [
      "features",
      { equipment: ["jetpack"], storage: [] },
      /Choose from the list/,
    ],
    ["hours", {
      ...GOOD.hours,
      rangeDay: ["9"],
      rangeStart: ["08:00"],
      rangeEnd: ["10:00"],
    }, /Row 1: choose a day/],
    [
      "hours",
      { ...GOOD.hours, rangeStart: ["25:00", "08:00", "22:00", ""] },
      /24-hour time/,
    ],
    [
      "hours",
      { ...GOOD.hours, minHours: "8", maxHours: "4" },
      /Maximum hours must be at least the minimum/,
    ],
    [
      "hours",
      { ...GOOD.hours, blackoutDates: "someday" },
      /date like 2026-12-31/,
    ],
    ["pricing", { ...GOOD.pricing, hourlyPriceCents: "free" }, /in dollars/],
    ["pricing", { ...GOOD.pricing, hourlyPriceCents: "0.50" }, /at least \$1/],
    [
      "pricing",
      { ...GOOD.pricing, hourlyPriceCents: "999999.99" },
      /Use at most \$100,000/,
    ],
    [
      "pricing",
      { ...GOOD.pricing, bookingMode: "auction" },
      /Choose how renters book/,
    ],
    [
      "rules",
      { ...GOOD.rules, cancellationPolicy: "never" },
      /Choose a policy/,
    ],
    ["basics", {}, /Enter the capacity as a whole number/],
  ];
  for (const [section, form, message] of cases) {
    const res = await postForm(
      t,
      `/host/kitchens/${id}/edit/${section}`,
      form,
      cookie,
    );
    assert.equal(
      res.status,
      400,
      `${section} ${JSON.stringify(form).slice(0, 60)}`,
    );
    const html = await res.text();
    assert.match(html, message, `${section}: ${message}`);
  }
  // Every field's problem at once, not one round each.
  const all = visibleText(
    await (await postForm(t, `/host/kitchens/${id}/edit/basics`, {
      title: "",
      description: "short",
      capacity: "lots",
    }, cookie)).text(),
  );
  for (const said of [/Enter a title/, /at least 20/, /whole number/]) {
    assert.match(all, said);
  }
  // The hours section too: a wrong buffer no longer hides a wrong row, a
  // closed date that is not a date, and a maximum below the minimum.
  const hours = visibleText(
    await (await postForm(t, `/host/kitchens/${id}/edit/hours`, {
      ...GOOD.hours,
      bufferMinutes: "lots",
      rangeStart: ["25:00", "08:00", "22:00", ""],
      minHours: "8",
      maxHours: "4",
      blackoutDates: "someday",
    }, cookie)).text(),
  );
  for (
    const said of [
      /Enter the buffer as a whole number/,
      /24-hour time/,
      /date like 2026-12-31/,
      /Maximum hours must be at least the minimum/,
    ]
  ) assert.match(hours, said);
  // Refused again and again, the form keeps its rows and three blank ones,
  // not three more each time.
  const refused = {
    ...GOOD.hours,
    rangeDay: ["1", "2", "5", "", "", ""],
    rangeStart: ["08:00", "08:00", "22:00", "", "", ""],
    rangeEnd: ["20:00", "20:00", "06:00", "", "", ""],
    bufferMinutes: "lots",
  };
  for (let round = 0; round < 2; round++) {
    const html = await (await postForm(
      t,
      `/host/kitchens/${id}/edit/hours`,
      refused,
      cookie,
    )).text();
    assert.equal(html.match(/name="rangeDay"/g)?.length, 6, `round ${round}`);
  }
  const location = visibleText(
    await (await postForm(t, `/host/kitchens/${id}/edit/location`, {
      ...GOOD.location,
      "address.postalCode": "abc",
      "address.line1": "",
      timeZone: "Mars/Olympus",
    }, cookie)).text(),
  );
  for (
    const said of [
      /Enter a five-digit ZIP code/,
      /Enter a street address/,
      /Unknown time zone/,
    ]
  ) assert.match(location, said);
  // Far past what the form takes: the section again, saying so, not a bare 413.
  const huge = await postForm(t, `/host/kitchens/${id}/edit/basics`, {
    ...GOOD.basics,
    description: "é".repeat(40_000),
  }, cookie);
  assert.equal(huge.status, 413);
  const hugeText = visibleText(await huge.text());
  assert.match(hugeText, /far more than this form takes, so nothing was saved/);
  assert.match(hugeText, /Description/, "the form is there to try again");
  const stored =
    (await t.kv.get<{ values: Record<string, unknown> }>(keys.kitchenDraft(id)))
      .value!;
  assert.deepEqual(stored.values, { currency: "usd" }, "nothing saved");
  // Unknown sections and ids are 404.
  assert.equal(
    (await get(t, `/host/kitchens/${id}/edit/secrets`, cookie)).status,
    404,
  );
  assert.equal(
    (await get(t, `/host/kitchens/${"x".repeat(3000)}`, cookie)).status,
    404,
  );
  t.close();
});

Deno.test("listings: another host and renters see none of a host's listings", async () => {
  const t = await testApp();
  const { cookie } = await newHost(t, "hana@example.com");
  const id = await draft(t, cookie);
  const other = (await newHost(t, "otto@example.com")).cookie;
  const renter =
    (await signUpConfirmed(t, "rosa@example.com", "rent", { wallet: true }))
      .cookie;
  for (
    const path of [
      `/host/kitchens/${id}`,
      `/host/kitchens/${id}/preview`,
      `/host/kitchens/${id}/edit/basics`,
      `/host/kitchens/${id}/edit/hours`,
    ]
  ) {
    assert.equal((await get(t, path, other)).status, 404, path);
    assert.equal((await get(t, path, renter)).status, 403, path);
  }
  for (
    const path of [
      `/host/kitchens/${id}/edit/basics`,
      `/host/kitchens/${id}/publish`,
      `/host/kitchens/${id}/unlist`,
    ]
  ) {
    const res = await postForm(t, path, GOOD.basics, other);
    assert.equal(res.status, 404, path);
  }
  const mine = await (await get(t, "/host/kitchens", other)).text();
  assert.doesNotMatch(mine, new RegExp(id));
  const stored =
    (await t.kv.get<{ values: Record<string, unknown> }>(keys.kitchenDraft(id)))
      .value!;
  assert.deepEqual(stored.values, { currency: "usd" });
  t.close();
});

Deno.test("listings: new hours never cancel a booking, and the editor warns about ones left outside", async () => {
  const t = await testApp();
  const { cookie, user } = await newHost(t, "hana@example.com");
  await setDemoPayoutReady(t.kv, user.id, t.clock());
  const id = await draft(t, cookie);
  for (const [section, form] of Object.entries(GOOD)) {
    await postForm(t, `/host/kitchens/${id}/edit/${section}`, form, cookie);
  }
  await saveSection(t.kv, id, user, "photos", {
    photos: [1, 2, 3].map((n) => ({ id: newId(), alt: `Photo ${n}` })),
  }, t.clock());
  await givePermits(t.kv, {
    id,
    hostId: user.id,
    address: { city: "chicago" },
  }, t.clock());
  await post(t, `/host/kitchens/${id}/publish`, {}, { cookie });
  // Thursday 2026-12-03 is not open; Monday 2026-12-07 is.
  const renter =
    (await signUpConfirmed(t, "rosa@example.com", "rent", { wallet: true }))
      .cookie;
  const bookingId = await bookPaid(t, renter, {
    kitchen: id,
    date: "2026-12-07",
    start: "10:00",
    end: "13:00",
  });
  // The host closes Mondays.
  const res = await postForm(t, `/host/kitchens/${id}/edit/hours`, {
    ...GOOD.hours,
    rangeDay: ["2", "5", ""],
    rangeStart: ["08:00", "22:00", ""],
    rangeEnd: ["20:00", "06:00", ""],
  }, cookie);
  assert.equal(res.status, 200);
  assert.match(
    await res.text(),
    /1 upcoming booking falls outside the new hours \(Mon, Dec 7, 10:00 AM\)\. They stay booked/,
  );
  const booking = (await t.kv.get<{ status: string }>(keys.booking(bookingId)))
    .value!;
  assert.equal(booking.status, "confirmed");
  t.close();
});

Deno.test("listings: support staff can look at a host's listing and get a clear 403 when they try to change it", async () => {
  const t = await testApp();
  const { cookie } = await newHost(t, "hana@example.com");
  const id = await draft(t, cookie);
  const support = await staff(t, "sam@example.com", "support");
  assert.equal((await get(t, `/host/kitchens/${id}`, support)).status, 200);
  for (const path of ["edit/basics", "publish"]) {
    const refused = await postForm(
      t,
      `/host/kitchens/${id}/${path}`,
      GOOD.basics,
      support,
    );
    assert.equal(refused.status, 403, path);
    assert.match(
      await refused.text(),
      /Support staff can look at a host(?:&#39;|')s listing but not change it; ask an admin\./,
    );
  }
  const stored = (await t.kv.get<{ values: { title?: string } }>(
    keys.kitchenDraft(id),
  )).value!;
  assert.equal(stored.values.title, undefined);
  t.close();
});

Deno.test("listings: an admin's edit, publish and unlist of another host's listing are audited in the same write, judged by the host's email and payouts", async () => {
  const t = await testApp();
  const { cookie, user } = await newHost(t, "hana@example.com");
  const id = await draft(t, cookie);
  const admin = await staff(t, "ada@example.com", "admin");
  const ada = (await userByEmail(t, "ada@example.com"))!;
  const fixed = await postForm(
    t,
    `/host/kitchens/${id}/edit/basics`,
    GOOD.basics,
    admin,
  );
  assert.equal(fixed.status, 303);
  const stored = (await t.kv.get<{ values: { title?: string } }>(
    keys.kitchenDraft(id),
  )).value!;
  assert.equal(stored.values.title, GOOD.basics.title);
  let log = await listAuditFor(t.kv, "kitchen", id);
  assert.equal(log.length, 1);
  assert.equal(log[0].action, "kitchen.edited");
  assert.deepEqual(log[0].actor, {
    kind: "user",
    id: ada.id,
    email: "ada@example.com",
  });
  assert.equal(log[0].details.section, "basics");
  assert.equal(log[0].details.hostId, user.id);

  // The host's own edits are theirs, not a staff action: nothing is added.
  for (const [section, form] of Object.entries(GOOD)) {
    await postForm(t, `/host/kitchens/${id}/edit/${section}`, form, cookie);
  }
  await saveSection(t.kv, id, user, "photos", {
    photos: [1, 2, 3].map((n) => ({ id: newId(), alt: `Photo ${n}` })),
  }, t.clock());
  assert.equal((await listAuditFor(t.kv, "kitchen", id)).length, 1);

  // The overview an admin sees judges the host: payouts are not set up yet.
  const early = await (await get(t, `/host/kitchens/${id}`, admin)).text();
  assert.match(early, /Set up payouts so renters can pay you\./);
  // The admin's own email is unconfirmed (the page's banner says so); the
  // host's is confirmed, and that is what the checklist judges.
  assert.match(early, /Confirm your email address \(ada@example.com\)/);
  assert.doesNotMatch(early, /Confirm your email address\./);
  await setDemoPayoutReady(t.kv, user.id, t.clock());
  await givePermits(t.kv, {
    id,
    hostId: user.id,
    address: { city: "chicago" },
  }, t.clock());
  // The admin has no payouts of their own; the host's are what count.
  const overview = await (await get(t, `/host/kitchens/${id}`, admin)).text();
  assert.match(overview, /Everything is in place\./);
  const published = await post(t, `/host/kitchens/${id}/publish`, {}, {
    cookie: admin,
  });
  assert.equal(published.status, 303, await published.clone().text());
  assert.ok((await t.kv.get(keys.kitchen(id))).value, "published");
  const unlisted = await post(t, `/host/kitchens/${id}/unlist`, {}, {
    cookie: admin,
  });
  assert.equal(unlisted.status, 303);
  // A published kitchen's edit is audited as well.
  await postForm(t, `/host/kitchens/${id}/edit/rules`, GOOD.rules, admin);
  log = await listAuditFor(t.kv, "kitchen", id);
  assert.deepEqual(log.map((e) => e.action), [
    "kitchen.edited",
    "kitchen.unlisted",
    "kitchen.published",
    "kitchen.edited",
  ]);
  assert.equal(log[2].details.from, "draft");
  assert.equal(log[0].details.section, "rules");
  assert.ok(log.every((e) => e.actor.id === ada.id));
  t.close();
});

Deno.test("listings: an admin cannot publish for a host whose email is not confirmed", async () => {
  const t = await testApp();
  const { cookie, user } = await newHost(t, "hana@example.com");
  const id = await draft(t, cookie);
  for (const [section, form] of Object.entries(GOOD)) {
    await postForm(t, `/host/kitchens/${id}/edit/${section}`, form, cookie);
  }
  await saveSection(t.kv, id, user, "photos", {
    photos: [1, 2, 3].map((n) => ({ id: newId(), alt: `Photo ${n}` })),
  }, t.clock());
  await setDemoPayoutReady(t.kv, user.id, t.clock());
  await givePermits(t.kv, {
    id,
    hostId: user.id,
    address: { city: "chicago" },
  }, t.clock());
  await t.kv.set(keys.user(user.id), { ...user, emailVerifiedAt: null });
  // An admin whose own email is confirmed: theirs must not stand in.
  await signUpConfirmed(t, "ada@example.com");
  assert.ok(
    await setStaffRole(at(t.services), "ada@example.com", "admin", true),
  );
  const admin = sessionCookie(
    await post(t, "/login", { email: "ada@example.com", password: PASSWORD }),
  );
  const refused = await post(t, `/host/kitchens/${id}/publish`, {}, {
    cookie: admin,
  });
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /Confirm your email address\./);
  assert.equal((await t.kv.get(keys.kitchen(id))).value, null);
  assert.equal((await listAuditFor(t.kv, "kitchen", id)).length, 0);
  t.close();
});

Deno.test("listings: concurrent edits of one section computed from the current values all land", async () => {
  const t = await testApp();
  const { cookie, user } = await newHost(t, "hana@example.com");
  const id = await draft(t, cookie);
  await Promise.all(
    Array.from(
      { length: 10 },
      (_, n) =>
        updateSection(t.kv, id, user, "photos", (current) => ({
          photos: [
            ...(current.photos ?? []),
            { id: newId(), alt: `Photo ${n}` },
          ],
        }), t.clock()),
    ),
  );
  const stored = (await t.kv.get<{ values: { photos: unknown[] } }>(
    keys.kitchenDraft(id),
  )).value!;
  assert.equal(stored.values.photos.length, 10);
  t.close();
});
