/**
 * What a kitchen page and the availability API offer while the kitchen's
 * permits stand in the way (issue 15 item 9): a published kitchen out of
 * search for a permit says why and offers no times.
 */
import assert from "node:assert/strict";
import { listDocumentsFor, reviewDocument } from "../../lib/compliance/repo.ts";
import { suspendKitchen } from "../../lib/compliance/suspensions.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
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
