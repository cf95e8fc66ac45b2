// Issue 17 §8: every page and email a renter or a host reads says "Thu, Dec 3"
// and "9:00 AM", never an ISO date, a seconds clock or a timestamp.
import assert from "node:assert/strict";
import type { Booking } from "../../lib/bookings/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { FORM_SECTIONS } from "../../lib/kitchens/editor_forms.ts";
import {
  bookPaid,
  get,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  signUpConfirmed,
} from "../account_helpers.ts";
import { addVerified, upload } from "../compliance_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { machineTimes, visibleText } from "../page_text.ts";

Deno.test("human dates: the detector finds ISO dates, seconds and timestamps, not human ones", () => {
  const page = visibleText(
    `<p>Thu, Dec 3, 9:00 AM - 1:00 PM</p><input type="date" value="2026-12-03">` +
      `<time datetime="2026-12-03T15:00:00Z">Thu, Dec 3</time>` +
      `<textarea name="blackoutDates">2026-12-24</textarea>` +
      `<script type="application/json">{"date":"2026-12-03"}</script>`,
  );
  assert.deepEqual(machineTimes(page), []);
  for (
    const bad of [
      "<p>Due 2026-12-03</p>",
      "<p>at 2026-12-03T15:00:00.000Z</p>",
      "<td>15:00:00</td>",
      "<p>from 14:00 to 18:00</p>",
    ]
  ) {
    assert.notDeepEqual(machineTimes(visibleText(bad)), [], bad);
  }
});

/**
 * Now is Tue 2026-12-01, 09:00 in Chicago. Hank hosts an instant kitchen
 * and a request-to-book one; Rosa has a verified wallet, a document in
 * review, and bookings in every state a renter meets.
 */
async function setup() {
  const t = await testApp();
  const hank = await signUpConfirmed(t, "hank@example.com", "host");
  await setDemoPayoutReady(t.kv, hank.user.id, t.clock());
  const [main, asked, mission] = await addKitchens(
    t.kv,
    hank.user.id,
    [
      kitchenFixture({
        title: "Main Street Kitchen",
        blackoutDates: ["2026-12-24"],
      }),
      kitchenFixture({ title: "Ask First Kitchen", bookingMode: "request" }),
      // Open into San Francisco's quiet hours: the hours editor warns.
      kitchenFixture({
        title: "Mission Kitchen",
        address: {
          line1: "1 Valencia St",
          neighborhood: "Mission",
          city: "san-francisco",
          state: "CA",
          postalCode: "94103",
        },
        lat: 37.77,
        lng: -122.42,
        timeZone: "America/Los_Angeles",
        zoningDistrict: "NC-3",
        weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
          day,
          start: "18:00",
          end: "23:30",
        })),
      }),
    ],
    "published",
    { now: t.clock() },
  );
  // A grease trap serviced long ago: the verdict names the date.
  await addVerified(
    t.kv,
    { kind: "kitchen", id: mission.id },
    hank.user.id,
    upload("grease_service", {
      greaseService: { date: "2025-11-01" },
      expiryDate: "2027-11-01",
    }),
    t.clock(),
  );
  const rosa = await signUpConfirmed(t, "rosa@example.com", "rent", {
    wallet: true,
  });
  await addVerified(
    t.kv,
    { kind: "renter", id: rosa.user.id },
    rosa.user.id,
    upload("food_manager_certificate", { expiryDate: "2027-03-31" }),
    t.clock(),
    false,
  );
  // Expires within the month: reminders, then the expiry, by email.
  await addVerified(
    t.kv,
    { kind: "renter", id: rosa.user.id },
    rosa.user.id,
    upload("workers_comp", { expiryDate: "2026-12-15" }),
    t.clock(),
  );
  const r = rosa.cookie;
  const ids = {
    confirmed: await bookPaid(t, r, {
      kitchen: main.id,
      date: "2026-12-03",
      start: "10:00",
      end: "13:00",
    }),
    cancelled: await bookPaid(t, r, {
      kitchen: main.id,
      date: "2026-12-02",
      start: "10:00",
      end: "14:00",
    }),
    requested: await bookPaid(t, r, {
      kitchen: asked.id,
      date: "2026-12-04",
      start: "10:00",
      end: "12:00",
    }),
    declined: await bookPaid(t, r, {
      kitchen: asked.id,
      date: "2026-12-05",
      start: "10:00",
      end: "12:00",
    }),
  };
  await post(t, `/bookings/${ids.cancelled}/cancel`, {}, { cookie: r });
  await post(t, `/host/bookings/${ids.declined}/decline`, {}, {
    cookie: hank.cookie,
  });
  const held = await post(t, "/bookings", {
    kitchen: main.id,
    date: "2026-12-07",
    start: "09:00",
    end: "12:00",
    acceptRules: "yes",
  }, { cookie: r });
  assert.equal(held.status, 303);
  const heldId = held.headers.get("location")!.split("/")[2];
  await post(t, `/host/kitchens/${main.id}/edit/calendar/blocks`, {
    date: "2026-12-08",
    start: "14:00",
    end: "18:00",
    reason: "Deep clean",
    kind: "closed",
  }, { cookie: hank.cookie });
  await runJobs(t);
  const status = async (id: string) =>
    (await t.kv.get<Booking>(keys.booking(id))).value!.status;
  assert.equal(await status(ids.confirmed), "confirmed");
  assert.equal(await status(ids.requested), "requested");
  assert.equal(await status(ids.cancelled), "cancelled");
  assert.equal(await status(ids.declined), "declined");
  assert.equal(await status(heldId), "held");
  return { t, hank: hank.cookie, rosa: r, ids, heldId, main, asked, mission };
}

Deno.test("human dates: no page or email a renter or a host reads shows an ISO date or time", async () => {
  const { t, hank, rosa, ids, heldId, main, asked, mission } = await setup();
  try {
    const renterPages = [
      "/",
      "/search?city=chicago&date=2026-12-03",
      `/kitchens/${main.id}?date=2026-12-03`,
      `/kitchens/${asked.id}`,
      "/cities/chicago",
      "/cities/san-francisco",
      `/kitchens/${mission.id}?date=2026-12-07`,
      `/bookings/new?kitchen=${mission.id}&date=2026-12-07&start=18:00&end=20:00`,
      "/account",
      "/account/compliance",
      "/account/notifications",
      "/bookings",
      ...Object.values(ids).map((id) => `/bookings/${id}`),
      `/bookings/${heldId}`,
      `/bookings/${heldId}/pay`,
      `/bookings/new?kitchen=${main.id}&date=2026-12-09&start=09:00&end=12:00`,
    ];
    const hostPages = [
      "/host",
      "/host/bookings",
      "/host/kitchens",
      "/host/payouts",
      `/host/kitchens/${main.id}`,
      `/host/kitchens/${main.id}/preview`,
      ...FORM_SECTIONS.map((s) => `/host/kitchens/${main.id}/edit/${s}`),
      `/host/kitchens/${main.id}/edit/photos`,
      `/host/kitchens/${main.id}/edit/calendar`,
      `/host/kitchens/${main.id}/permits`,
      `/bookings/${ids.confirmed}`,
      `/host/kitchens/${mission.id}/edit/hours`,
      `/host/kitchens/${mission.id}/permits`,
    ];
    const problems: string[] = [];
    const seen = new Map<string, string>();
    const check = async (who: string, cookie: string, path: string) => {
      const res = await get(t, path, cookie);
      const html = await res.text();
      assert.equal(res.status, 200, `${who} ${path}: ${res.status}`);
      const text = visibleText(html);
      seen.set(`${who} ${path}`, text);
      for (const p of machineTimes(text)) {
        problems.push(`${who} ${path}: ${p}`);
      }
    };
    for (const path of renterPages) await check("renter", rosa, path);
    for (const path of hostPages) await check("host", hank, path);
    // Two weeks on: bookings are past, a document has had its reminders
    // and expired, and the pages that list them say so.
    t.advance(8 * 24 * 3600_000);
    await runJobs(t);
    t.advance(8 * 24 * 3600_000);
    await runJobs(t);
    const login = async (email: string) =>
      sessionCookie(await post(t, "/login", { email, password: PASSWORD }));
    const [rosaLater, hankLater] = [
      await login("rosa@example.com"),
      await login("hank@example.com"),
    ];
    for (
      const path of [
        "/account/notifications",
        "/account/compliance",
        "/bookings",
        `/bookings/${ids.confirmed}`,
      ]
    ) await check("renter later", rosaLater, path);
    for (const path of ["/host", "/host/bookings"]) {
      await check("host later", hankLater, path);
    }
    const mail = await listMail(t.kv, 200);
    assert.ok(mail.length >= 8, `only ${mail.length} emails`);
    for (const m of mail) {
      for (
        const p of [
          ...machineTimes(m.subject),
          ...machineTimes(m.text),
          ...machineTimes(visibleText(m.html)),
        ]
      ) problems.push(`email "${m.subject}" to ${m.to}: ${p}`);
    }
    assert.deepEqual(problems, []);
    // The states that carry dates were reached, and read as people write them.
    const page = (key: string) => seen.get(key) ?? "";
    assert.match(
      page(`host /host/kitchens/${mission.id}/edit/hours`),
      /Mondays 6:00 PM - 11:30 PM falls inside San Francisco's quiet hours \(10:00 PM - 6:00 AM\)/,
    );
    assert.match(
      page(
        `renter /bookings/new?kitchen=${mission.id}&date=2026-12-07&start=18:00&end=20:00`,
      ),
      /last serviced on Sat, Nov 1, 2025/,
    );
    assert.match(
      page("renter /cities/san-francisco"),
      /Quiet hours 10:00 PM - 6:00 AM/,
    );
    assert.match(page("renter /account/compliance"), /Dec 15, 2026/);
    assert.match(
      page("renter /search?city=chicago&date=2026-12-03"),
      /on Thu, Dec 3/,
    );
    const subjects = mail.map((m) => m.subject);
    assert.ok(
      subjects.includes(
        "Workers' compensation insurance expires on Tue, Dec 15, 2026",
      ),
      subjects.join("\n"),
    );
  } finally {
    t.close();
  }
});

Deno.test("human dates: closed dates are date fields, one a date, saved as the host picked them", async () => {
  const t = await testApp();
  try {
    const hank = await signUpConfirmed(t, "hank@example.com", "host");
    const [k] = await addKitchens(
      t.kv,
      hank.user.id,
      [
        kitchenFixture({ blackoutDates: ["2026-12-24"] }),
      ],
      "published",
      { now: t.clock() },
    );
    const path = `/host/kitchens/${k.id}/edit/hours`;
    const before = await (await get(t, path, hank.cookie)).text();
    assert.match(before, /<legend[^>]*>Closed dates<\/legend>/);
    assert.match(before, /type="date" name="blackoutDates" value="2026-12-24"/);
    const body = new URLSearchParams([
      ["rangeDay", "1"],
      ["rangeStart", "08:00"],
      ["rangeEnd", "20:00"],
      ["blackoutDates", "2026-12-31"],
      ["blackoutDates", ""],
      ["blackoutDates", "2026-12-24"],
      ["bufferMinutes", "0"],
      ["minNoticeHours", "0"],
      ["bookingWindowDays", "60"],
      ["minHours", "2"],
      ["maxHours", "10"],
    ]);
    const res = await t.request(path, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Sec-Fetch-Site": "same-origin",
        Cookie: hank.cookie,
      },
    });
    assert.equal(res.status, 303, await res.clone().text());
    const saved = (await t.kv.get<{ blackoutDates: string[] }>(
      keys.kitchen(k.id),
    )).value!;
    assert.deepEqual(saved.blackoutDates, ["2026-12-24", "2026-12-31"]);
  } finally {
    t.close();
  }
});
