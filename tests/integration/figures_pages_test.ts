// The figures pages through the real app: /admin/metrics for staff (every
// city, a city, a kitchen) and the host dashboard's charts, with no data
// and with bookings.
import assert from "node:assert/strict";
import { keys } from "../../lib/db/keys.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { formatCents } from "../../lib/money.ts";
import {
  bookPaid,
  get,
  post,
  runJobs,
  signUpConfirmed,
  staff,
  type T,
} from "../account_helpers.ts";
import { visibleText as pageText } from "../page_text.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";

/** A kitchen listed since January, so its open hours count in every week shown. */
async function listedSinceJanuary(t: T, k: Kitchen): Promise<Kitchen> {
  const next = { ...k, createdAt: "2026-01-01T00:00:00.000Z" };
  await t.kv.set(keys.kitchen(k.id), next);
  return next;
}

async function text(t: T, path: string, cookie: string) {
  const res = await get(t, path, cookie);
  assert.equal(res.status, 200, path);
  return pageText(await res.text());
}

Deno.test("figures pages: with nothing booked yet, every chart and table says so", async () => {
  const t = await testApp();
  try {
    const admin = await staff(t, "ada@example.com", "admin");
    const all = await text(t, "/admin/metrics", admin);
    assert.match(all, /Figures for every city/);
    assert.match(
      all,
      /The last 12 weeks, from the week of Sep 14 to the week of Nov 30/,
    );
    assert.match(all, /Bookings 0 Gross booking value \$0/);
    assert.match(all, /Fill rate no open hours/);
    assert.match(all, /None in these weeks\./);
    assert.match(all, /No open hours in these weeks\./);
    assert.match(all, /No decisions in these weeks\./);
    assert.match(all, /Waiting for staff now 0/);
    assert.match(all, /Failed jobs \(dead letters\) 0/);
    assert.match(all, /Review the documents queue/);
    const city = await text(t, "/admin/metrics?city=chicago", admin);
    assert.match(city, /Figures for Chicago/);
    assert.doesNotMatch(city, /None of the/);
    assert.match(
      city,
      /No kitchens are listed here yet, and none have bookings\./,
    );

    const host = await signUpConfirmed(t, "hank@example.com", "host");
    const dash = await text(t, "/host", host.cookie);
    // A kitchen open all along and never booked.
    const [made] = await addKitchens(t.kv, host.user.id, [kitchenFixture()]);
    const quiet = await listedSinceJanuary(t, made);
    assert.match(
      await text(t, `/admin/metrics?kitchen=${quiet.id}`, admin),
      /None of the 1,008 h open in these weeks was booked\./,
    );
    assert.match(dash, /Your figures/);
    assert.match(dash, /Nothing yet in these 12 months\./);
    assert.match(
      dash,
      /Once a kitchen is published, its busy hours show here\./,
    );
  } finally {
    t.close();
  }
});

Deno.test("figures pages: bookings, money, refunds and fill rate for staff by city and kitchen, and the host's earnings and busy hours", async () => {
  const t = await testApp();
  try {
    const hank = await signUpConfirmed(t, "hank@example.com", "host");
    await setDemoPayoutReady(t.kv, hank.user.id, t.clock());
    const [made] = await addKitchens(t.kv, hank.user.id, [
      kitchenFixture({ title: "Main Street Kitchen" }),
    ]);
    const main = await listedSinceJanuary(t, made);
    const rosa = await signUpConfirmed(t, "rosa@example.com", "rent", {
      wallet: true,
    });
    // Thu Dec 3, 10:00–13:00 and Wed Dec 2, 10:00–14:00 (cancelled), in Chicago.
    const kept = await bookPaid(t, rosa.cookie, {
      kitchen: main.id,
      date: "2026-12-03",
      start: "10:00",
      end: "13:00",
    });
    const gone = await bookPaid(t, rosa.cookie, {
      kitchen: main.id,
      date: "2026-12-02",
      start: "10:00",
      end: "14:00",
    });
    await post(t, `/bookings/${gone}/cancel`, {}, { cookie: rosa.cookie });
    await runJobs(t);
    const [a, b] = await Promise.all(
      [kept, gone].map(async (id) =>
        (await t.kv.get<import("../../lib/bookings/schema.ts").Booking>(
          keys.booking(id),
        )).value!
      ),
    );
    assert.equal(b.status, "cancelled");
    const gross = a.quote.totalChargedCents + b.quote.totalChargedCents;
    const refund = b.cancellation!.refundCents;

    const support = await staff(t, "sam@example.com", "support");
    const all = await text(t, "/admin/metrics", support);
    assert.match(
      all,
      new RegExp(
        `Bookings 2 Gross booking value ${
          formatCents(gross).replace("$", "\\$")
        }`,
      ),
    );
    assert.match(
      all,
      new RegExp(`Refunds ${formatCents(refund).replace("$", "\\$")}`),
    );
    assert.match(all, /Cancellations 1/);
    // 3 hours kept of 84 a week for 12 weeks: 3 ÷ 1,008.
    assert.match(all, /Fill rate 0\.3%/);
    assert.match(all, /2 in all; the most, 2, in the week of Nov 30\./);
    assert.match(all, /Chicago 2 /);
    const html = await (await get(t, "/admin/metrics", support)).text();
    assert.match(html, /href="\/admin\/metrics\?city=chicago"/);
    // The charts are drawings for the eye and tables for screen readers.
    assert.match(html, /<svg aria-hidden="true"/);
    assert.match(html, /<table class="sr-only"><caption>Bookings<\/caption>/);
    // The charts need no JavaScript: nothing in the page's main part is an
    // island (the site header has its own).
    const content = html.slice(html.indexOf("<main"), html.indexOf("</main>"));
    assert.doesNotMatch(content, /<script|<prep-island/);

    const city = await text(t, "/admin/metrics?city=chicago", support);
    assert.match(city, /Every city › Chicago/);
    assert.match(city, /By kitchen/);
    assert.match(city, /Main Street Kitchen 2 /);
    const kitchen = await text(t, `/admin/metrics?kitchen=${main.id}`, support);
    assert.match(kitchen, /Figures for Main Street Kitchen/);
    assert.match(kitchen, /Every city › Chicago › Main Street Kitchen/);
    assert.match(kitchen, /3 h booked of 1,008 h open/);

    // The host sees what they kept this month and when the kitchen is booked.
    const dash = await text(t, "/host", hank.cookie);
    const net = a.quote.hostPayoutCents + b.quote.hostPayoutCents -
      b.ledger.filter((e) => e.kind === "transfer_reversal")
        .reduce((n, e) => n + e.amountCents, 0);
    assert.match(
      dash,
      new RegExp(
        `${
          formatCents(net).replace("$", "\\$")
        } over the 12 months; the most, ${
          formatCents(net).replace("$", "\\$")
        }, in December 2026\\.`,
      ),
    );
    assert.match(dash, /When Main Street Kitchen is booked/);
    assert.match(
      dash,
      /3 of 1,008 open hours booked \(0\.3%\)\. Busiest: Thursday 10 AM \(8%\)\./,
    );
    const dashHtml = await (await get(t, "/host", hank.cookie)).text();
    // Thursday's row of the table: 10 AM to 12 PM booked one week in twelve.
    assert.match(
      dashHtml,
      /<th scope="row">Thursday<\/th>(<td ?>[^<]*<\/td>){10}(<td ?>8%<\/td>){3}<td ?>0%<\/td>/,
    );
    assert.match(dashHtml, /<td ?>closed<\/td>/);
  } finally {
    t.close();
  }
});

Deno.test("figures pages: a city or kitchen we have no figures for is a clear 400 or 404, and only staff get in", async () => {
  const t = await testApp();
  try {
    const admin = await staff(t, "ada@example.com", "admin");
    for (
      const q of [
        "city=atlantis",
        "kitchen=not-an-id",
        "city=%3Cscript%3E",
        "kitchen=01JF0000000000000000000000&city=x",
      ]
    ) {
      const res = await get(t, `/admin/metrics?${q}`, admin);
      assert.equal(res.status, 400, q);
      assert.match(
        await res.text(),
        /We have no figures for that\. Pick a city or a kitchen from the figures page\./,
      );
    }
    const missing = await get(
      t,
      "/admin/metrics?kitchen=01JF0000000000000000000000",
      admin,
    );
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const renter = await signUpConfirmed(t, "rosa@example.com", "rent");
    const refused = await get(t, "/admin/metrics", renter.cookie);
    assert.equal(refused.status, 403);
    await refused.body?.cancel();
  } finally {
    t.close();
  }
});
