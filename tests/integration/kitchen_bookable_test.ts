/**
 * What a kitchen page and the availability API offer while the kitchen's
 * permits stand in the way (issue 15 items 9 and 10): a published kitchen
 * out of search for a permit says why and offers no times; a required
 * permit that expires ahead cuts every time that could not end by then.
 */
import assert from "node:assert/strict";
import { listDocumentsFor, reviewDocument } from "../../lib/compliance/repo.ts";
import { suspendKitchen } from "../../lib/compliance/suspensions.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { searchKitchens } from "../../lib/kitchens/search.ts";
import { searchQuery } from "../../lib/kitchens/search_query.ts";
import { get, runJobs, signUpConfirmed, type T } from "../account_helpers.ts";
import {
  addVerified,
  givePermits,
  giveWallet,
  TEST_ADMIN,
  upload,
} from "../compliance_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const MAIL = {
  from: "Prep <hello@example.com>",
  baseUrl: "http://localhost",
  wake: false,
};

const RENEWING =
  "This kitchen is renewing a permit; it is not taking bookings right now.";

interface PickerProps {
  lastDate: string;
  note?: string | null;
  initial: { date: string; slots: { time: string; start: string }[] };
}

/** A page's HTML as text to match: the apostrophes JSX escapes put back. */
async function pageText(res: Response): Promise<string> {
  return (await res.text()).replaceAll("&#39;", "'");
}

/** The picker island's props on a kitchen page, or null when it has none. */
function pickerProps(html: string): PickerProps | null {
  const m =
    /<script type="application\/json" id="__prep_islands">(.*?)<\/script>/
      .exec(html);
  if (!m) return null;
  const data = JSON.parse(m[1]) as {
    props: { name: string; props: PickerProps }[];
  };
  return data.props.find((p) => p.name === "AvailabilityPicker")?.props ??
    null;
}

async function availability(t: T, id: string, date: string) {
  const res = await t.request(
    `/api/kitchens/${id}/availability?date=${date}`,
  );
  assert.equal(res.status, 200);
  return await res.json() as {
    date: string;
    slots: { start: string; time: string; hours: number }[];
  };
}

async function chicagoKitchen(
  t: T,
  over: Parameters<typeof kitchenFixture>[0] = {},
  permits = true,
) {
  const host = await addHost(t.kv);
  await setDemoPayoutReady(t.kv, host.id, t.clock());
  const [k] = await addKitchens(
    t.kv,
    host.id,
    [kitchenFixture(over)],
    "published",
    {
      permits,
      now: t.clock(),
    },
  );
  return k;
}

Deno.test("kitchen page: a kitchen renewing its health permit says so, offers no times, and the API none", async () => {
  const t = await testApp();
  const k = await chicagoKitchen(t);
  const permit = (await listDocumentsFor(t.kv, { kind: "kitchen", id: k.id }))
    .find((d) => d.kind === "health_permit")!;
  await reviewDocument(t.kv, permit.id, "request_renewal", TEST_ADMIN, {
    reason: "Please upload this year's permit",
    mail: MAIL,
  }, t.clock());

  for (
    const path of [`/kitchens/${k.id}`, `/kitchens/${k.id}?date=2026-12-03`]
  ) {
    const res = await get(t, path);
    assert.equal(res.status, 200, path);
    const html = await pageText(res);
    assert.match(html, /Not taking bookings/, path);
    assert.ok(html.includes(RENEWING), path);
    assert.doesNotMatch(html, /Prep has verified this kitchen/, path);
    assert.equal(pickerProps(html), null, `${path}: no picker`);
    assert.doesNotMatch(html, /data-testid="book"/, path);
  }
  assert.deepEqual((await availability(t, k.id, "2026-12-03")).slots, []);

  // Signed in, the same: the renter's wallet does not make the kitchen bookable.
  const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
  await giveWallet(t.kv, user.id, t.clock());
  const signedIn = await pageText(await get(t, `/kitchens/${k.id}`, cookie));
  assert.match(signedIn, /Not taking bookings/);
  assert.equal(pickerProps(signedIn), null);

  // Suspended kitchens stay a 404, page and API.
  await suspendKitchen(t.kv, k.id, TEST_ADMIN, "Complaint", t.clock());
  const gone = await get(t, `/kitchens/${k.id}`);
  assert.equal(gone.status, 404);
  await gone.body?.cancel();
  const api = await t.request(
    `/api/kitchens/${k.id}/availability?date=2026-12-03`,
  );
  assert.equal(api.status, 404);
  await api.body?.cancel();
  t.close();
});

Deno.test("kitchen page: an expired or rejected permit is named in renter terms", async () => {
  const t = await testApp();
  const k = await chicagoKitchen(t);
  const docs = await listDocumentsFor(t.kv, { kind: "kitchen", id: k.id });
  const fire = docs.find((d) => d.kind === "fire_safety")!;
  await reviewDocument(t.kv, fire.id, "request_renewal", TEST_ADMIN, {
    reason: "Out of date",
    mail: MAIL,
  }, t.clock());
  await reviewDocument(t.kv, fire.id, "reject", TEST_ADMIN, {
    reason: "Unreadable scan",
    mail: MAIL,
  }, t.clock());
  const html = await pageText(await get(t, `/kitchens/${k.id}`));
  assert.match(html, /Not taking bookings/);
  assert.match(
    html,
    /This kitchen's fire safety inspection or suppression certificate could not be verified by Prep; it is not taking bookings right now\./,
  );
  assert.doesNotMatch(html, /Unreadable scan/, "staff reasons stay private");
  assert.equal(pickerProps(html), null);

  // A health permit that lapses: the expiry job takes the kitchen out, and the page says why.
  const lapsing = await chicagoKitchen(t, { title: "Lapsing Kitchen" }, false);
  await givePermits(t.kv, lapsing, t.clock(), { except: ["health_permit"] });
  await addVerified(
    t.kv,
    { kind: "kitchen", id: lapsing.id },
    lapsing.hostId,
    upload("health_permit", { expiryDate: "2026-12-05" }),
    t.clock(),
  );
  const before = await pageText(await get(t, `/kitchens/${lapsing.id}`));
  assert.ok(pickerProps(before), "bookable until then");
  t.advance(Date.parse("2026-12-06T12:00:00Z") - t.clock());
  await runJobs(t);
  const after = await pageText(await get(t, `/kitchens/${lapsing.id}`));
  assert.match(
    after,
    /This kitchen's health permit has expired; it is not taking bookings until Prep verifies a new one\./,
  );
  assert.equal(pickerProps(after), null);
  assert.deepEqual(
    (await availability(t, lapsing.id, "2026-12-08")).slots,
    [],
  );
  t.close();
});

Deno.test("kitchen page: no start times on or after a required permit's expiry, with a note; Dec 24's end by its midnight", async () => {
  const t = await testApp(Date.parse("2026-12-01T15:00:00Z"));
  const k = await chicagoKitchen(t, {
    title: "Harlem Caterers' Kitchen",
    // Open around the clock, so a start late on the 24th could run past midnight.
    weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((day) => ({
      day,
      start: "00:00",
      end: "24:00",
    })),
    bookingWindowDays: 90,
  }, false);
  await givePermits(t.kv, k, t.clock(), { except: ["fire_safety"] });
  await addVerified(
    t.kv,
    { kind: "kitchen", id: k.id },
    k.hostId,
    upload("fire_safety", { expiryDate: "2026-12-24" }),
    t.clock(),
  );

  for (const date of ["2026-12-25", "2026-12-28", "2027-01-15"]) {
    assert.deepEqual(
      (await availability(t, k.id, date)).slots,
      [],
      `${date} offers no times`,
    );
  }
  // The 24th itself is bookable, up to the end of the day the certificate lasts.
  const midnight = Date.parse("2026-12-25T06:00:00Z");
  const last = await availability(t, k.id, "2026-12-24");
  assert.ok(last.slots.length > 0);
  for (const s of last.slots) {
    const end = Date.parse(s.start) + s.hours * 3600_000;
    assert.ok(
      end <= midnight,
      `${s.time} may run to ${new Date(end).toISOString()}`,
    );
  }
  assert.equal(last.slots.at(-1)!.time, "22:00");

  // The page: no times on the 28th, and the picker says why.
  const note =
    "Not bookable after Thu, Dec 24: this kitchen's fire safety inspection or suppression certificate expires that day.";
  const html = await pageText(
    await get(t, `/kitchens/${k.id}?date=2026-12-28`),
  );
  const props = pickerProps(html)!;
  assert.deepEqual(props.initial.slots, []);
  assert.equal(props.lastDate, "2026-12-24", "the date picker stops there");
  assert.ok(html.includes(note), "the note is on the page");
  assert.doesNotMatch(html, /data-testid="book"/);
  const opening = await pageText(await get(t, `/kitchens/${k.id}`));
  assert.ok(opening.includes(note), "and on the page's first day");

  // A dated search neither lists the kitchen after the expiry nor before misses it.
  const search = (date: string) =>
    searchKitchens(
      t.kv,
      searchQuery.parse({ city: "chicago", date }),
      t.clock(),
    );
  assert.deepEqual((await search("2026-12-28")).hits, []);
  assert.deepEqual(
    (await search("2026-12-23")).hits.map((h) => h.kitchen.id),
    [k.id],
  );

  // The latest time offered passes the verdict: no permit reason on the review page.
  const { cookie, user } = await signUpConfirmed(t, "rosa@example.com");
  await giveWallet(t.kv, user.id, t.clock());
  const review = await (await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-12-24&start=22:00&end=00:00`,
    cookie,
  )).text();
  assert.doesNotMatch(review, /permit\.fire_safety\.missing/);
  assert.match(review, /Continue to payment/);
  // A time past it, from an old link, is refused before anything is held.
  const late = await get(
    t,
    `/bookings/new?kitchen=${k.id}&date=2026-12-28&start=10:00&end=12:00`,
    cookie,
  );
  assert.equal(late.status, 400);
  assert.match(
    await pageText(late),
    /This kitchen's permits run out before that booking would end\. Please choose an earlier date\./,
  );
  t.close();
});
