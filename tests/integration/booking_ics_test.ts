// "Add to calendar": the pure .ics builder, and GET /bookings/:id/calendar.ics for a
// booking made through the real flow.
import { giveWallet } from "../compliance_helpers.ts";
import assert from "node:assert/strict";
import type { User } from "../../lib/accounts/schema.ts";
import {
  bookingCalendar,
  icsFileName,
  vtimezone,
} from "../../lib/bookings/ics.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { updateKitchen } from "../../lib/kitchens/repo.ts";
import {
  bookPaid,
  get,
  post,
  runJobs,
  signUp,
  userByEmail,
} from "../account_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

type T = Awaited<ReturnType<typeof testApp>>;

interface Prop {
  name: string;
  params: Record<string, string>;
  value: string;
}

/**
 * A strict reading of RFC 5545's syntax: CRLF after every line, physical
 * lines of at most 75 octets, folds unfolded, BEGIN/END properly nested.
 */
function parseIcs(text: string) {
  assert.ok(text.endsWith("\r\n"), "the last line ends in CRLF");
  const physical = text.slice(0, -2).split("\r\n");
  for (const line of physical) {
    assert.doesNotMatch(line, /[\r\n]/, "no bare CR or LF");
    assert.ok(
      new TextEncoder().encode(line).length <= 75,
      `line over 75 octets: ${line}`,
    );
  }
  const lines: string[] = [];
  for (const line of physical) {
    if (/^[ \t]/.test(line)) lines[lines.length - 1] += line.slice(1);
    else lines.push(line);
  }
  const stack: string[] = [];
  const components: string[] = [];
  const byComponent = new Map<string, Prop[]>();
  for (const line of lines) {
    const m = /^([A-Z0-9-]+)((?:;[A-Z0-9-]+=(?:"[^"]*"|[^";:,]*))*):(.*)$/
      .exec(line);
    assert.ok(m, `not a content line: ${line}`);
    const params: Record<string, string> = {};
    for (const p of m[2].split(";").slice(1)) {
      const [k, v] = p.split("=");
      params[k] = v;
    }
    const prop = { name: m[1], params, value: m[3] };
    if (prop.name === "BEGIN") {
      stack.push(prop.value);
      components.push(prop.value);
      byComponent.set(prop.value, []);
    } else if (prop.name === "END") {
      assert.equal(stack.pop(), prop.value, "END matches its BEGIN");
    } else {
      assert.ok(stack.length > 0, `property outside a component: ${line}`);
      byComponent.get(stack[stack.length - 1])!.push(prop);
    }
  }
  assert.deepEqual(stack, [], "every BEGIN has its END");
  assert.equal(lines[0], "BEGIN:VCALENDAR");
  assert.equal(lines[lines.length - 1], "END:VCALENDAR");
  return {
    /** Top-level and event components in order (VTIMEZONE observances left out). */
    components: components.filter((c) => !["STANDARD", "DAYLIGHT"].includes(c)),
    only(name: string) {
      assert.equal(components.filter((c) => c === name).length, 1, name);
      const props = byComponent.get(name)!;
      const prop = (p: string) => {
        const found = props.filter((x) => x.name === p);
        assert.equal(found.length, 1, `exactly one ${p} in ${name}`);
        return found[0];
      };
      return { props, prop, value: (p: string) => prop(p).value };
    },
  };
}

/** A TEXT value as a calendar shows it (RFC 5545 §3.3.11). */
function unescapeText(value: string): string {
  return value.replace(
    /\\([\\;,nN])/g,
    (_, ch) => ch === "n" || ch === "N" ? "\n" : ch,
  );
}

/** Signs up and logs in `email` with its address confirmed and `roles`; the cookie and the id. */
async function account(
  t: T,
  email: string,
  intent = "rent",
  roles?: User["roles"],
): Promise<{ cookie: string; id: string }> {
  const cookie = await signUp(t, email, intent);
  const user = (await userByEmail(t, email))!;
  await t.kv.set(
    keys.user(user.id),
    {
      ...user,
      roles: roles ?? user.roles,
      emailVerifiedAt: new Date(t.clock()).toISOString(),
    } satisfies User,
  );
  if (intent === "rent") await giveWallet(t.kv, user.id, t.clock());
  return { cookie, id: user.id };
}

/** A host with an account and payouts, one kitchen, and a renter's confirmed booking there. */
async function confirmedBooking(title = "Test Kitchen") {
  const t = await testApp();
  const host = await account(t, "host@example.com", "host");
  await t.kv.set(keys.host(host.id), { ...await addHost(t.kv), id: host.id });
  await setDemoPayoutReady(t.kv, host.id, t.clock());
  const [k] = await addKitchens(t.kv, host.id, [kitchenFixture({ title })]);
  const renter = await account(t, "rosa@example.com");
  const id = await bookPaid(t, renter.cookie, {
    kitchen: k.id,
    date: "2026-12-03",
    start: "10:00",
    end: "13:00",
  });
  const booking = (await t.kv.get<Booking>(keys.booking(id))).value!;
  assert.equal(booking.status, "confirmed");
  return { t, k, host, renter, booking };
}

/** The instant a DTSTART/DTEND names, with its TZID or as a UTC time. */
function instantOf(prop: { params: Record<string, string>; value: string }) {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(Z?)$/.exec(prop.value);
  assert.ok(m, `not a date-time: ${prop.value}`);
  const wall = Temporal.PlainDateTime.from(
    `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`,
  );
  const zone = m[7] ? "UTC" : prop.params.TZID;
  assert.ok(zone, "a local time needs a TZID");
  return wall.toZonedDateTime(zone).epochMilliseconds;
}

Deno.test("booking calendar: renter, host and staff get an .ics of the booking; nobody else does", async () => {
  const { t, host, renter, booking } = await confirmedBooking();
  const path = `/bookings/${booking.id}/calendar.ics`;

  const page = await (await get(t, `/bookings/${booking.id}`, renter.cookie))
    .text();
  assert.match(page, new RegExp(`href="${path}"[^>]*>\\s*Add to calendar`));

  const res = await get(t, path, renter.cookie);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/calendar; charset=utf-8");
  assert.equal(res.headers.get("cache-control"), "private, no-store");
  assert.equal(
    res.headers.get("content-disposition"),
    `attachment; filename="prep-Test Kitchen.ics"; filename*=UTF-8''prep-Test%20Kitchen.ics`,
  );
  const text = await res.text();
  const cal = parseIcs(text);
  assert.deepEqual(cal.components, ["VCALENDAR", "VTIMEZONE", "VEVENT"]);
  const event = cal.only("VEVENT");
  assert.equal(event.value("UID"), `${booking.id}@prep`);
  assert.equal(instantOf(event.prop("DTSTART")), booking.start);
  assert.equal(instantOf(event.prop("DTEND")), booking.end);
  assert.equal(event.prop("DTSTART").params.TZID, "America/Chicago");
  assert.equal(cal.only("VTIMEZONE").value("TZID"), "America/Chicago");
  assert.equal(event.value("STATUS"), "CONFIRMED");
  assert.equal(
    unescapeText(event.value("SUMMARY")),
    "Kitchen booking: Test Kitchen",
  );
  assert.equal(
    unescapeText(event.value("LOCATION")),
    "1 Test St, Wicker Park, Chicago, IL 60622",
  );
  const url = `${t.config.BASE_URL}/bookings/${booking.id}`;
  assert.ok(unescapeText(event.value("DESCRIPTION")).includes(url));
  assert.equal(event.value("URL"), url);
  assert.doesNotMatch(text, new RegExp(booking.accessCode ?? "no code"));

  // The host and staff may read the booking, so they get the file too.
  assert.equal((await get(t, path, host.cookie)).status, 200);
  const support = await account(t, "sam@example.com", "rent", [
    "renter",
    "support",
  ]);
  assert.equal((await get(t, path, support.cookie)).status, 200);

  // Another renter, an unknown id and a signed-out visitor learn nothing.
  const other = await account(t, "bo@example.com");
  const refused = await get(t, path, other.cookie);
  assert.equal(refused.status, 404);
  assert.doesNotMatch(await refused.text(), /BEGIN:VCALENDAR|Test St/);
  assert.equal(
    (await get(
      t,
      `/bookings/01ARZ3NDEKTSV4RRFFQ69G5FAV/calendar.ics`,
      renter.cookie,
    ))
      .status,
    404,
  );
  const anon = await get(t, path);
  assert.equal(anon.status, 303);
  assert.match(anon.headers.get("location")!, /^\/login\?next=/);

  // Cancelled: the same UID with a higher SEQUENCE, and no address any more.
  t.advance(60_000);
  await post(t, `/bookings/${booking.id}/cancel`, {}, {
    cookie: renter.cookie,
  });
  await runJobs(t);
  const after = parseIcs(await (await get(t, path, renter.cookie)).text())
    .only("VEVENT");
  assert.equal(after.value("UID"), `${booking.id}@prep`);
  assert.equal(after.value("STATUS"), "CANCELLED");
  assert.equal(after.props.some((p) => p.name === "LOCATION"), false);
  assert.ok(Number(after.value("SEQUENCE")) > Number(event.value("SEQUENCE")));
  t.close();
});

Deno.test("booking calendar: a hostile kitchen title is escaped in the file and inert in the header", async () => {
  const { t, k, renter, booking } = await confirmedBooking();
  // A host may rename the kitchen after booking. Line breaks never pass the
  // title schema; they are written directly to prove the file survives them.
  const hostile =
    `Chef's "Best"; Kitchen, \\ Ünïcødé 厨房 😀\r\nBEGIN:VEVENT\r\n"; filename=evil.html`;
  await updateKitchen(t.kv, k.id, (x) => ({ ...x, title: hostile }));

  const res = await get(
    t,
    `/bookings/${booking.id}/calendar.ics`,
    renter.cookie,
  );
  assert.equal(res.status, 200);

  const disposition = res.headers.get("content-disposition")!;
  const m =
    /^attachment; filename="([A-Za-z0-9._ -]+)"; filename\*=UTF-8''([A-Za-z0-9%._~!-]+)$/
      .exec(disposition);
  assert.ok(m, `unsafe Content-Disposition: ${disposition}`);
  assert.match(m[1], /^prep-.*\.ics$/);
  const exact = decodeURIComponent(m[2]);
  assert.equal(
    exact,
    `prep-Chef's "Best"; Kitchen, _ Ünïcødé 厨房 😀BEGIN:VEVENT"; filename=evil.html.ics`,
  );

  const text = await res.text();
  const cal = parseIcs(text);
  assert.deepEqual(cal.components, ["VCALENDAR", "VTIMEZONE", "VEVENT"]);
  const event = cal.only("VEVENT");
  assert.equal(
    unescapeText(event.value("SUMMARY")),
    `Kitchen booking: ${hostile.replace(/\r\n/g, "\n")}`,
  );
  assert.match(
    event.value("SUMMARY"),
    /^Kitchen booking: Chef's "Best"\\; Kitchen\\, \\\\ /,
  );
  assert.equal(instantOf(event.prop("DTSTART")), booking.start);
  t.close();
});

// The pure builder, on fixed input.

const AT = Date.parse("2026-12-01T15:00:00Z");
const kitchen = {
  title: "Test Kitchen",
  lat: 41.9,
  lng: -87.67,
  address: kitchenFixture().address,
};
const booking = {
  id: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
  // 2026-12-03 10:00–13:00 in Chicago (UTC−6).
  start: Date.parse("2026-12-03T16:00:00Z"),
  end: Date.parse("2026-12-03T19:00:00Z"),
  timeZone: "America/Chicago",
  status: "confirmed" as Booking["status"],
  createdAt: AT,
  updatedAt: AT,
};
const build = (over: Partial<typeof booking> = {}, title = kitchen.title) =>
  bookingCalendar({
    booking: { ...booking, ...over },
    kitchen: { ...kitchen, title },
    baseUrl: "https://prep.example",
    now: AT + 90_000,
  });

Deno.test("ics: one event in the kitchen's zone, stamped in UTC", () => {
  const cal = parseIcs(build());
  const e = cal.only("VEVENT");
  assert.equal(e.value("DTSTAMP"), "20261201T150130Z");
  assert.deepEqual(e.prop("DTSTART"), {
    name: "DTSTART",
    params: { TZID: "America/Chicago" },
    value: "20261203T100000",
  });
  assert.equal(e.value("DTEND"), "20261203T130000");
  assert.equal(e.value("SEQUENCE"), "0");
  assert.equal(
    unescapeText(e.value("DESCRIPTION")).split("\n").at(-1),
    "Booking details: https://prep.example/bookings/01ARZ3NDEKTSV4RRFFQ69G5FAV",
  );
  assert.equal(e.value("GEO"), "41.9;-87.67");
  assert.equal(cal.only("VCALENDAR").value("METHOD"), "PUBLISH");
});

Deno.test("ics: status follows the booking; the address only while confirmed", () => {
  const cases: [Booking["status"], string, boolean][] = [
    ["held", "TENTATIVE", false],
    ["requested", "TENTATIVE", false],
    ["confirmed", "CONFIRMED", true],
    ["completed", "CONFIRMED", false],
    ["cancelled", "CANCELLED", false],
    ["expired", "CANCELLED", false],
    ["declined", "CANCELLED", false],
    ["withdrawn", "CANCELLED", false],
  ];
  for (const [status, expected, address] of cases) {
    const e = parseIcs(build({ status })).only("VEVENT");
    assert.equal(e.value("STATUS"), expected, status);
    assert.equal(e.props.some((p) => p.name === "LOCATION"), address, status);
    assert.equal(e.props.some((p) => p.name === "GEO"), address, status);
  }
});

Deno.test("ics: the VTIMEZONE holds the zone's real offsets, across DST and without it", () => {
  // 2026-11-01 00:00–03:00 in Chicago crosses the fall-back at 02:00 CDT.
  const fallBack = {
    start: Date.parse("2026-11-01T05:00:00Z"),
    end: Date.parse("2026-11-01T09:00:00Z"),
  };
  const cal = parseIcs(build(fallBack));
  const e = cal.only("VEVENT");
  assert.equal(e.value("DTSTART"), "20261101T000000");
  assert.equal(e.value("DTEND"), "20261101T030000");
  const tz = vtimezone("America/Chicago", fallBack.start, fallBack.end);
  assert.match(
    tz,
    /BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0600\r\nEND:STANDARD/,
  );
  assert.match(
    tz,
    /BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0600\r\nTZOFFSETTO:-0500\r\nEND:DAYLIGHT/,
  );
  // Tokyo has had no transition for decades: one observance.
  const tokyo = vtimezone("Asia/Tokyo", booking.start, booking.end);
  assert.equal(tokyo.match(/BEGIN:(STANDARD|DAYLIGHT)/g)!.length, 1);
  assert.match(tokyo, /TZOFFSETFROM:\+0900\r\nTZOFFSETTO:\+0900/);
  const e2 = parseIcs(build({ timeZone: "Asia/Tokyo" })).only("VEVENT");
  assert.equal(e2.value("DTSTART"), "20261204T010000");
});

Deno.test("ics: user text is escaped, stripped of controls and folded on character boundaries", () => {
  const title = `Bäckerei; "Süd", \\ Küche\u0007\u202e 厨房😀`.repeat(4);
  const text = build({}, title);
  const e = parseIcs(text).only("VEVENT");
  assert.equal(
    unescapeText(e.value("SUMMARY")),
    `Kitchen booking: ${
      title.replaceAll("\u0007", "").replaceAll("\u202e", "")
    }`,
  );
  assert.ok(!text.includes("\u0007") && !text.includes("\u202e"));
  // Folding never splits a UTF-8 sequence: every physical line decodes alone.
  const strict = new TextDecoder("utf-8", { fatal: true });
  for (const line of text.split("\r\n")) {
    assert.equal(strict.decode(new TextEncoder().encode(line)), line);
  }
  assert.ok(
    text.split("\r\n").some((l) => l.startsWith(" ")),
    "long lines fold",
  );
});

Deno.test("ics: the file name comes from the title, cut to a sane length", () => {
  assert.equal(icsFileName("Test Kitchen"), "prep-Test Kitchen.ics");
  const long = icsFileName("厨".repeat(300));
  assert.equal([...long].length, "prep-".length + 100 + ".ics".length);
  assert.ok(long.endsWith(".ics"));
});
