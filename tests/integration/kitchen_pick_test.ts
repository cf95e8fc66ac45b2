// Search intent reaches the kitchen page (issue 17 §6), and /search's outline (§20), against the
// real app: the cards' links, the picker opened server-side on the hours asked, the week view,
// bad input, and the headings.
import assert from "node:assert/strict";
import { characters } from "../page_text.ts";
import { listDocumentsFor, reviewDocument } from "../../lib/compliance/repo.ts";
import { TEST_ADMIN } from "../compliance_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

interface PickerProps {
  initial: { date: string; dateLabel: string; slots: { time: string }[] };
  start: string | null;
  hours: number | null;
  lengths: number[];
  note: string | null;
}

/** The availability island's props, as the page serialised them. */
function pickerProps(html: string): PickerProps {
  const m =
    /<script type="application\/json" id="__prep_islands">(.*?)<\/script>/
      .exec(html);
  assert.ok(m, "the page has island props");
  const data = JSON.parse(m[1]) as {
    props: { name: string; props: PickerProps }[];
  };
  const picker = data.props.find((p) => p.name === "AvailabilityPicker");
  assert.ok(picker, "the page has the picker");
  return picker.props;
}

/** The option a no-JavaScript select shows chosen. */
function selected(html: string, id: string): string | undefined {
  const select = new RegExp(`<select id="${id}"[^>]*>(.*?)</select>`, "s")
    .exec(html)?.[1] ?? "";
  return /<option value="([^"]*)" selected/.exec(select)?.[1];
}

/** Text inside `html` with tags dropped and entities of ours undone. */
function text(html: string): string {
  return characters(html).replace(/<[^>]+>/g, " ").replace(/&amp;/g, "&")
    .replace(
      /\s+/g,
      " ",
    );
}

async function site() {
  const t = await testApp();
  const host = await addHost(t.kv, "Marisol Vega");
  const [daytime, late, seattle] = await addKitchens(t.kv, host.id, [
    kitchenFixture({ title: "Logan Square Bakehouse" }),
    kitchenFixture({
      title: "Afternoon Kitchen",
      weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
        day,
        start: "12:00",
        end: "20:00",
      })),
    }),
    kitchenFixture({
      title: "Capitol Hill Commissary",
      address: { ...kitchenFixture().address, city: "seattle", state: "WA" },
      timeZone: "America/Los_Angeles",
      // Open 05:00–23:00; Seattle's quiet hours run 22:00–07:00.
      weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
        day,
        start: "05:00",
        end: "23:00",
      })),
    }),
  ]);
  return { t, daytime, late, seattle };
}

async function page(
  t: Awaited<ReturnType<typeof testApp>>,
  path: string,
  status = 200,
): Promise<string> {
  const res = await t.request(path);
  const html = await res.text();
  assert.equal(res.status, status, `${path}: ${html.slice(0, 300)}`);
  return html;
}

Deno.test("kitchen page: a search's date and hours open the picker on them, server-rendered", async () => {
  const { t, daytime, late } = await site();
  const base = `/kitchens/${daytime.id}`;

  // A start and an end: chosen in the island's props and in the no-JS form.
  let html = await page(t, `${base}?date=2026-12-03&start=10:00&end=14:00`);
  let props = pickerProps(html);
  assert.equal(props.initial.date, "2026-12-03");
  assert.equal(props.start, "10:00");
  assert.equal(props.hours, 4);
  assert.equal(props.note, null);
  assert.equal(selected(html, "book-start"), "10:00");
  assert.equal(selected(html, "book-hours"), "4");
  // The chosen start's chip is pressed, the others not; each is a real button.
  assert.match(
    html,
    /<button type="submit" name="start" value="10:00" aria-pressed="true"/,
  );
  assert.match(
    html,
    /<button type="submit" name="start" value="09:00" aria-pressed="false"/,
  );
  assert.match(text(html), /21 start times on Thu, Dec 3/);
  assert.match(text(html), /Book on Thu, Dec 3/);
  // The phone's bar repeats the hours the picker opened on.
  assert.match(
    text(html),
    /\$40 per hour Thu, Dec 3, 10:00 AM - 2:00 PM Choose hours/,
  );

  // A search by duration: the first start the hours fit from.
  props = pickerProps(await page(t, `${base}?date=2026-12-03&hours=3`));
  assert.deepEqual([props.start, props.hours], ["08:00", 3]);
  props = pickerProps(
    await page(t, `${base}?date=2026-12-03&start=17:00&hours=3`),
  );
  assert.deepEqual([props.start, props.hours], ["17:00", 3]);

  // Hours the kitchen does not have: the first free start, and a note saying so.
  html = await page(
    t,
    `/kitchens/${late.id}?date=2026-12-03&start=09:00&end=13:00`,
  );
  props = pickerProps(html);
  assert.equal(props.start, "12:00");
  assert.equal(
    props.note,
    "9:00 AM - 1:00 PM can't be booked here on Thu, Dec 3. Choose other hours below, or another day this week.",
  );
  assert.match(text(html), /\$40 per hour 2 hours minimum Choose hours/);
  t.close();
});

Deno.test("kitchen page: hours that do not read are a 400 naming the field; an unknown kitchen is still a 404", async () => {
  const { t, daytime } = await site();
  const base = `/kitchens/${daytime.id}`;
  const cases: [string, RegExp][] = [
    ["date=2026-12-03&start=25:00&end=13:00", /Use a 24-hour time like 09:30/],
    ["date=2026-12-03&end=13:00", /Give a start time with the end/],
    ["start=09:00&end=13:00", /Pick a date to choose hours/],
    [
      "date=2026-12-03&start=09:00&end=13:00&hours=4",
      /Use either an end time or a number of hours/,
    ],
    ["date=2026-12-03&hours=lots", /Enter a number of hours/],
    ["date=2026-12-03&start=%3Cscript%3E", /Use a 24-hour time like 09:30/],
  ];
  for (const [query, message] of cases) {
    const html = await page(t, `${base}?${query}`, 400);
    assert.match(html, /Pick valid hours\./, query);
    assert.match(html, message, query);
    assert.doesNotMatch(html, /<script>/, query);
  }
  const unknown = await t.request(
    "/kitchens/01ARZ3NDEKTSV4RRFFQ69G5FAV?start=25:00",
  );
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
  t.close();
});

Deno.test("kitchen page: a week of free hours beside the picker, without quiet hours; its links keep the hours asked", async () => {
  const { t, daytime, seattle } = await site();
  // "Now" is Tue 2026-12-01: Monday Nov 30 is past.
  let html = await page(
    t,
    `/kitchens/${daytime.id}?date=2026-12-03&start=10:00&end=14:00`,
  );
  const week = /<section id="week".*?<\/section>/s.exec(html)?.[0] ?? "";
  assert.match(text(week), /Week of Mon, Nov 30/);
  assert.match(text(week), /Mon, Nov 30 Not bookable/);
  assert.match(text(week), /Tue, Dec 1 9:00 AM - 8:00 PM/);
  assert.match(text(week), /Thu, Dec 3 8:00 AM - 8:00 PM/);
  assert.match(
    week,
    new RegExp(
      `<a href="/kitchens/${daytime.id}\\?date=2026-12-03&amp;start=10:00&amp;end=14:00#book" aria-current="date"`,
    ),
  );
  assert.match(
    week,
    new RegExp(
      `href="/kitchens/${daytime.id}\\?date=2026-12-05&amp;start=10:00&amp;end=14:00#book"`,
    ),
  );
  // The week before is past: only a later week to step to, on the same weekday.
  assert.doesNotMatch(week, /Earlier week/);
  assert.match(
    week,
    new RegExp(
      `href="/kitchens/${daytime.id}\\?date=2026-12-10&amp;start=10:00&amp;end=14:00#week"[^>]*>Later week`,
    ),
  );

  // Seattle: open 05:00–23:00, but quiet hours leave 7:00 AM - 10:00 PM.
  html = await page(t, `/kitchens/${seattle.id}?date=2026-12-10`);
  const seattleWeek = text(
    /<section id="week".*?<\/section>/s.exec(html)?.[0] ?? "",
  );
  assert.match(seattleWeek, /Week of Mon, Dec 7/);
  assert.match(seattleWeek, /Thu, Dec 10 7:00 AM - 10:00 PM/);
  assert.match(seattleWeek, /Earlier week/);
  t.close();
});

Deno.test("kitchen page: a date outside the booking window shows the window's nearest week, and hours asked on it are named, not counted", async () => {
  const { t, daytime } = await site();
  const week = async (date: string) => {
    const html = await page(t, `/kitchens/${daytime.id}?date=${date}`);
    return text(/<section id="week".*?<\/section>/s.exec(html)?.[0] ?? "");
  };
  // "Now" is Tue 2026-12-01 and the window 60 days: the last date is Sat 2027-01-30.
  const far = await week("9999-12-31");
  assert.match(far, /Week of Mon, Jan 25/);
  assert.match(
    characters(far),
    /Sat, Jan 30 8:00 AM - 8:00 PM Sun, Jan 31 Not bookable/,
  );
  assert.match(far, /Earlier week/);
  assert.doesNotMatch(far, /Later week/);
  // Hours asked on such a date are not counted (9999-12-31 has no next day), only named.
  const html = await page(
    t,
    `/kitchens/${daytime.id}?date=9999-12-31&start=23:00&end=00:00`,
  );
  assert.equal(
    pickerProps(html).note,
    "11:00 PM - 12:00 AM can't be booked here on Fri, Dec 31. Choose other hours below, or another day this week.",
  );
  const search = await page(
    t,
    "/search?city=chicago&date=9999-12-31&start=23:00&end=00:00",
  );
  assert.match(text(search), /0 kitchens/);
  const past = await week("2026-06-01");
  assert.match(past, /Week of Mon, Nov 30/);
  assert.match(past, /Later week/);
  t.close();
});

Deno.test("kitchen page: one that takes no bookings has no week view and no booking bar", async () => {
  const { t, daytime } = await site();
  const permit = (await listDocumentsFor(t.kv, {
    kind: "kitchen",
    id: daytime.id,
  })).find((d) => d.kind === "health_permit")!;
  await reviewDocument(t.kv, permit.id, "request_renewal", TEST_ADMIN, {
    reason: "This year's permit, please",
    mail: { from: "Prep <a@example.com>", baseUrl: "http://x", wake: false },
  }, t.clock());
  const html = await page(t, `/kitchens/${daytime.id}?date=2026-12-03`);
  assert.match(html, /data-testid="not-bookable"/);
  assert.doesNotMatch(html, /data-testid="week"/);
  assert.doesNotMatch(html, /data-testid="booking-bar"/);
  t.close();
});

Deno.test("search: result cards link the kitchen page with the date and hours searched", async () => {
  const { t, daytime, late } = await site();
  const hrefs = async (query: string) => {
    const html = await page(t, `/search?city=chicago&${query}`);
    return Object.fromEntries(
      [...html.matchAll(/<a href="(\/kitchens\/([^"?]+)[^"]*)"/g)].map((m) => [
        m[2],
        m[1].replaceAll("&amp;", "&"),
      ]),
    );
  };
  assert.deepEqual(await hrefs("sort=price"), {
    [daytime.id]: `/kitchens/${daytime.id}`,
    [late.id]: `/kitchens/${late.id}`,
  });
  assert.deepEqual(await hrefs("date=2026-12-03"), {
    [daytime.id]: `/kitchens/${daytime.id}?date=2026-12-03`,
    [late.id]: `/kitchens/${late.id}?date=2026-12-03`,
  });
  assert.deepEqual(await hrefs("date=2026-12-03&start=13:00&end=17:00"), {
    [daytime.id]:
      `/kitchens/${daytime.id}?date=2026-12-03&start=13:00&end=17:00`,
    [late.id]: `/kitchens/${late.id}?date=2026-12-03&start=13:00&end=17:00`,
  });
  // By duration, each card's link starts where the card says the kitchen is free.
  assert.deepEqual(await hrefs("date=2026-12-03&hours=3"), {
    [daytime.id]: `/kitchens/${daytime.id}?date=2026-12-03&start=08:00&hours=3`,
    [late.id]: `/kitchens/${late.id}?date=2026-12-03&start=12:00&hours=3`,
  });
  t.close();
});

/** The page's headings in document order, as [level, text]. */
function outline(html: string): [number, string][] {
  const main = html.slice(html.indexOf("<main"), html.indexOf("</main>"));
  return [...main.matchAll(/<h([1-6])\b[^>]*>(.*?)<\/h\1>/gs)].map((
    m,
  ) => [Number(m[1]), text(m[2]).trim()]);
}

Deno.test("search: one h1, and no heading level is skipped, whatever the search shows", async () => {
  const { t } = await site();
  const cases: [string, number, [number, string][]][] = [
    ["/search?city=chicago&date=2026-12-03&start=13:00&end=17:00", 200, [
      [1, "Kitchens in Chicago on Thu, Dec 3, 1:00 PM - 5:00 PM"],
      [2, "Logan Square Bakehouse"],
      [2, "Afternoon Kitchen"],
    ]],
    ["/search?city=chicago&date=2026-12-03&hours=3", 200, [
      [1, "Kitchens in Chicago on Thu, Dec 3, for 3 hours"],
      [2, "Logan Square Bakehouse"],
      [2, "Afternoon Kitchen"],
    ]],
    ["/search?city=chicago&equipment=smoker", 200, [
      [1, "Kitchens in Chicago"],
      [2, "No kitchens match these filters"],
    ]],
    ["/search?city=atlantis", 404, [[1, "We don't serve “atlantis” yet"]]],
    ["/search?date=banana", 400, [[1, "Please fix the search filters"]]],
  ];
  for (const [path, status, want] of cases) {
    const got = outline(await page(t, path, status));
    assert.deepEqual(got, want, path);
    for (let i = 1; i < got.length; i++) {
      assert.ok(got[i][0] <= got[i - 1][0] + 1, `${path}: ${got[i][1]}`);
    }
  }
  t.close();
});

Deno.test("search: on a phone the filters fold into a Filters (n) disclosure, open when the search is refused", async () => {
  const { t } = await site();
  let html = await page(
    t,
    "/search?city=chicago&date=2026-12-03&start=10:00&end=14:00&equipment=fryer",
  );
  assert.match(
    html,
    /<details class="filters"\s*><summary[^>]*>Filters \(4\)/,
  );
  html = await page(t, "/search?date=banana", 400);
  assert.match(
    html,
    /<details class="filters"\s+open><summary[^>]*>Filters \(1\)/,
  );
  t.close();
});
