import assert from "node:assert/strict";
import { characters } from "../page_text.ts";
import { minimalPdf } from "../compliance_helpers.ts";
import encodePng from "@jsquash/png/encode.js";
import { listQueue } from "../../lib/compliance/queue.ts";
import { addDocument } from "../../lib/compliance/repo.ts";
import type {
  ComplianceDocument,
  DocumentUpload,
} from "../../lib/compliance/schema.ts";
import { unreadCount } from "../../lib/notifications/repo.ts";
import { get, post, signUpConfirmed, staff } from "../account_helpers.ts";
import { assertAccessible } from "../e2e/axe.ts";
import { browserTest, startServer } from "../e2e/browser.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const DAY = 24 * 3600_000;

const pdf = minimalPdf;

async function png(): Promise<Uint8Array> {
  const data = new Uint8ClampedArray(20 * 10 * 4).fill(200);
  return new Uint8Array(await encodePng(new ImageData(data, 20, 10)));
}

function upload(
  kind: DocumentUpload["kind"],
  over: Partial<DocumentUpload> = {},
): DocumentUpload {
  return {
    kind,
    number: `${kind.toUpperCase()}-1`,
    authority: "City Department of Public Health",
    issueDate: "2026-01-15",
    expiryDate: "2028-01-15",
    insurance: null,
    inspection: null,
    greaseService: null,
    certification: null,
    ...over,
  };
}

const SF = {
  address: {
    line1: "2000 Mission St",
    neighborhood: "Mission",
    city: "san-francisco",
    state: "CA",
    postalCode: "94110",
  },
  lat: 37.76,
  lng: -122.42,
  timeZone: "America/Los_Angeles",
};

async function setup() {
  const t = await testApp(NOW);
  const admin = await staff(t, "ann@example.com", "admin");
  const support = await staff(t, "sam@example.com", "support");
  const rosa = await signUpConfirmed(t, "rosa@example.com");
  const hal = await signUpConfirmed(t, "hal@example.com", "host");
  const sue = await signUpConfirmed(t, "sue@example.com", "host");
  const [chicago] = await addKitchens(t.kv, hal.user.id, [
    kitchenFixture({ title: "Wicker Park Commissary" }),
  ]);
  const [sf] = await addKitchens(t.kv, sue.user.id, [
    kitchenFixture({ title: "Mission Street Bakehouse", ...SF }),
  ]);
  const add = (
    holder: { kind: "kitchen" | "renter"; id: string },
    uploadedBy: string,
    u: DocumentUpload,
    bytes: Uint8Array,
    daysAgo: number,
  ) =>
    addDocument(t.kv, {
      holder,
      upload: u,
      bytes,
      uploadedBy,
      now: NOW - daysAgo * DAY,
    });
  const renter = { kind: "renter" as const, id: rosa.user.id };
  const docs = {
    card: await add(
      renter,
      rosa.user.id,
      upload("food_handler_card"),
      pdf(),
      9,
    ),
    chicagoPermit: await add(
      { kind: "kitchen", id: chicago.id },
      hal.user.id,
      upload("health_permit"),
      await png(),
      8,
    ),
    sfPermit: await add(
      { kind: "kitchen", id: sf.id },
      sue.user.id,
      upload("health_permit"),
      pdf(),
      3,
    ),
    sfFire: await add(
      { kind: "kitchen", id: sf.id },
      sue.user.id,
      upload("fire_safety"),
      pdf(),
      2,
    ),
    pchf: await add(
      renter,
      rosa.user.id,
      upload("pchf_certificate", {
        certification: { body: "SCS Global Services", scope: "pchf" },
      }),
      await png(),
      1,
    ),
    lapsed: await add(
      renter,
      rosa.user.id,
      upload("pchf_certificate", {
        number: "SAI-9",
        issueDate: "2024-02-01",
        certification: { body: "SAI Global", scope: "pchf" },
      }),
      pdf(),
      0,
    ),
  };
  return { t, admin, support, rosa, hal, sue, chicago, sf, docs };
}

const ids = (rows: { doc: ComplianceDocument }[]) => rows.map((r) => r.doc.id);

Deno.test("admin queue: filters by type and by the kitchen's city (renters have none), oldest first, paged", async () => {
  const { t, docs, chicago, sf } = await setup();
  try {
    const everything = await listQueue(t.kv);
    assert.deepEqual(ids(everything.rows), [
      docs.card.id,
      docs.chicagoPermit.id,
      docs.sfPermit.id,
      docs.sfFire.id,
      docs.pchf.id,
      docs.lapsed.id,
    ]);
    assert.equal(everything.cursor, null);

    const cases: [Parameters<typeof listQueue>[1], string[]][] = [
      [{ kind: "health_permit" }, [docs.chicagoPermit.id, docs.sfPermit.id]],
      [{ city: "san-francisco" }, [docs.sfPermit.id, docs.sfFire.id]],
      [{ city: "chicago" }, [docs.chicagoPermit.id]],
      [{ city: "seattle" }, []],
      [{ kind: "health_permit", city: "chicago" }, [docs.chicagoPermit.id]],
      [{ kind: "food_handler_card", city: "chicago" }, []],
      [{ kind: "pchf_certificate" }, [docs.pchf.id, docs.lapsed.id]],
    ];
    for (const [filter, want] of cases) {
      assert.deepEqual(
        ids((await listQueue(t.kv, filter)).rows),
        want,
        JSON.stringify(filter),
      );
    }

    const [card, permit] = everything.rows;
    assert.deepEqual(card.holder.renter, {
      id: card.doc.holder.id,
      name: "Ada Lovelace",
      email: "rosa@example.com",
    });
    assert.equal(card.waitingSince, NOW - 9 * DAY);
    assert.equal(permit.holder.kitchen?.title, "Wicker Park Commissary");
    assert.equal(permit.holder.kitchen?.city, "Chicago");
    assert.equal(permit.holder.host?.email, "hal@example.com");
    assert.equal(permit.holder.kitchen?.id, chicago.id);
    assert.notEqual(chicago.id, sf.id);

    // Pages of two, filtered: every match once, in order.
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listQueue>> = await listQueue(
        t.kv,
        { kind: "pchf_certificate", cursor, limit: 1 },
      );
      seen.push(...ids(page.rows));
      cursor = page.cursor;
      pages++;
    } while (cursor);
    assert.deepEqual(seen, [docs.pchf.id, docs.lapsed.id]);
    assert.equal(pages, 2, "no empty page after the last match");

    // A scan budget smaller than the queue stops early and says so.
    const partial = await listQueue(t.kv, {
      city: "seattle",
      limit: 1,
      scanLimit: 2,
    });
    assert.deepEqual(partial.rows, []);
    assert.equal(partial.partial, true);
    assert.ok(partial.cursor);
    const rest = await listQueue(t.kv, {
      city: "san-francisco",
      cursor: partial.cursor,
      scanLimit: 100,
    });
    assert.deepEqual(ids(rest.rows), [docs.sfPermit.id, docs.sfFire.id]);
  } finally {
    t.close();
  }
});

Deno.test("admin queue: the page filters, names holders, shows days waiting, and refuses bad filters with a 400", async () => {
  const { t, admin, support, docs } = await setup();
  try {
    for (const cookie of [admin, support]) {
      const res = await get(
        t,
        "/admin/documents?kind=health_permit&city=san-francisco",
        cookie,
      );
      assert.equal(res.status, 200);
      const page = await res.text();
      assert.match(page, /Mission Street Bakehouse/);
      assert.match(page, /sue@example\.com/);
      // Review links carry the filters, for "Next in queue" after a decision.
      assert.match(
        page,
        new RegExp(
          `/admin/documents/${docs.sfPermit.id}\\?kind=health_permit&amp;city=san-francisco"`,
        ),
      );
      assert.match(page, />3 days</);
      assert.doesNotMatch(page, /Wicker Park Commissary/);
      assert.doesNotMatch(page, new RegExp(docs.sfFire.id));
      assert.match(page, /<option\s+value="health_permit" selected/);
    }
    const all = await (await get(t, "/admin/documents", admin)).text();
    assert.match(all, /Renter: <a href="\/admin\/users\/[0-9A-Z]{26}"/);
    assert.match(all, /rosa@example\.com/);
    assert.match(all, />9 days</);
    assert.match(all, new RegExp(`href="/documents/${docs.card.id}/file"`));

    for (
      const [query, message] of [
        ["kind=passport", /Choose a type of document from the list/],
        ["city=gotham", /Choose a city from the list/],
        ["cursor=%00%01", /That page link is not valid/],
      ] as const
    ) {
      const res = await get(t, `/admin/documents?${query}`, admin);
      assert.equal(res.status, 400, query);
      assert.match(await res.text(), message);
    }
    // A cursor KV cannot place is refused; one it can is just a page.
    for (const cursor of ["AAAA", "____", "A", "zz-z", "=".repeat(40)]) {
      const res = await get(t, `/admin/documents?cursor=${cursor}`, admin);
      assert.ok([200, 400].includes(res.status), `${cursor}: ${res.status}`);
      await res.body?.cancel();
    }
  } finally {
    t.close();
  }
});

Deno.test("admin queue: the document page shows an image as it is and a PDF's first page drawn (never the PDF), names the holder, and checks the authority chain", async () => {
  const { t, admin, rosa, hal, docs } = await setup();
  try {
    const permit = await (await get(
      t,
      `/admin/documents/${docs.chicagoPermit.id}`,
      admin,
    )).text();
    assert.match(
      permit,
      new RegExp(
        `<img src="/admin/documents/${docs.chicagoPermit.id}/preview"`,
      ),
    );
    assert.match(permit, /Wicker Park Commissary/);
    assert.match(permit, /hal@example\.com/);
    assert.match(permit, /PNG image/);
    assert.match(
      permit,
      new RegExp(`href="/documents/${docs.chicagoPermit.id}/file"`),
    );

    const preview = await get(
      t,
      `/admin/documents/${docs.chicagoPermit.id}/preview`,
      admin,
    );
    assert.equal(preview.status, 200);
    assert.equal(preview.headers.get("content-type"), "image/png");
    assert.equal(preview.headers.get("x-content-type-options"), "nosniff");
    assert.equal(
      preview.headers.get("content-security-policy"),
      "default-src 'none'; sandbox",
    );
    assert.equal(preview.headers.get("cache-control"), "private, no-store");
    assert.equal(preview.headers.get("content-disposition"), null);
    const bytes = new Uint8Array(await preview.arrayBuffer());
    assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);

    // A PDF: its first page, drawn on the server as a picture and sized.
    const card = await (await get(
      t,
      `/admin/documents/${docs.card.id}`,
      admin,
    )).text();
    assert.match(
      card,
      new RegExp(
        `<img src="/admin/documents/${docs.card.id}/preview" alt="The first page of the uploaded food handler card, number [^"]+" width="1200" height="1552"`,
      ),
    );
    assert.match(card, /PDF, 1 KB/);
    const pdfPreview = await get(
      t,
      `/admin/documents/${docs.card.id}/preview`,
      admin,
    );
    assert.equal(pdfPreview.status, 200);
    assert.equal(pdfPreview.headers.get("content-type"), "image/webp");
    assert.equal(pdfPreview.headers.get("x-content-type-options"), "nosniff");
    assert.equal(
      pdfPreview.headers.get("content-security-policy"),
      "default-src 'none'; sandbox",
    );
    assert.equal(pdfPreview.headers.get("cache-control"), "private, no-store");
    const webp = new Uint8Array(await pdfPreview.arrayBuffer());
    assert.equal(new TextDecoder().decode(webp.subarray(0, 4)), "RIFF");
    assert.equal(new TextDecoder().decode(webp.subarray(8, 12)), "WEBP");

    // Only staff: the holder gets the staff area's 403.
    for (const cookie of [rosa.cookie, hal.cookie]) {
      const res = await get(
        t,
        `/admin/documents/${docs.chicagoPermit.id}/preview`,
        cookie,
      );
      assert.equal(res.status, 403);
      await res.body?.cancel();
    }

    const valid = await (await get(
      t,
      `/admin/documents/${docs.pchf.id}`,
      admin,
    )).text();
    assert.match(valid, /Authority chain/);
    assert.match(valid, /Valid: ANAB recognises SCS Global Services/);
    const lapsed = await (await get(
      t,
      `/admin/documents/${docs.lapsed.id}`,
      admin,
    )).text();
    assert.match(lapsed, /Not valid: The recognition of SAI Global/);
    assert.match(lapsed, /lapsed on Thu, Mar 20, 2025/);
    assert.doesNotMatch(card, /Authority chain/);
  } finally {
    t.close();
  }
});

Deno.test("admin queue: a decision leaves the queue, keeps staff notes from the holder, and notifies the holder in the app", async () => {
  const { t, admin, rosa, docs } = await setup();
  try {
    const before = await unreadCount(t.kv, rosa.user.id);
    const res = await post(t, `/admin/documents/${docs.card.id}/verify`, {
      note: "Checked against the state register",
      reason: "",
      correctedExpiry: "",
    }, { cookie: admin });
    assert.equal(res.status, 303);
    assert.ok(
      (await unreadCount(t.kv, rosa.user.id)) > before,
      "the holder has an in-app notification",
    );
    const notifications = await (await get(
      t,
      "/account/notifications",
      rosa.cookie,
    )).text();
    assert.match(notifications, /verified/i);

    const page = await (await get(
      t,
      `/admin/documents/${docs.card.id}?notice=verify`,
      admin,
    )).text();
    assert.match(page, /Checked against the state register/);
    assert.match(page, /document\.verified/);
    assert.match(characters(page), /Waiting for review → Verified/);
    const wallet = await (await get(t, "/account/compliance", rosa.cookie))
      .text();
    assert.doesNotMatch(wallet, /state register/);

    const queue = await (await get(t, "/admin/documents", admin)).text();
    assert.doesNotMatch(queue, new RegExp(`/admin/documents/${docs.card.id}"`));

    const tooLong = await post(t, `/admin/documents/${docs.pchf.id}/reject`, {
      reason: "x".repeat(6000),
      note: "",
      correctedExpiry: "",
    }, { cookie: admin });
    assert.equal(tooLong.status, 400);
    assert.match(await tooLong.text(), /Use at most 5000 characters/);
  } finally {
    t.close();
  }
});

Deno.test("admin queue: a re-upload after a rejection shows staff the earlier upload and why it was rejected", async () => {
  const { t, admin, rosa, docs } = await setup();
  try {
    const rejected = await post(t, `/admin/documents/${docs.card.id}/reject`, {
      reason: "The card number is cut off in the photo.",
      note: "",
      correctedExpiry: "",
    }, { cookie: admin });
    assert.equal(rejected.status, 303);
    const again = await addDocument(t.kv, {
      holder: { kind: "renter", id: rosa.user.id },
      upload: upload("food_handler_card"),
      bytes: pdf(),
      uploadedBy: rosa.user.id,
      now: NOW,
    });
    const page = await (await get(t, `/admin/documents/${again.id}`, admin))
      .text();
    const earlier = /data-testid="earlier-uploads".*?<\/table>/s.exec(page)
      ?.[0];
    assert.ok(earlier, "the earlier upload is listed");
    assert.match(earlier, new RegExp(`/admin/documents/${docs.card.id}`));
    assert.match(earlier, /Rejected/);
    assert.match(earlier, /The card number is cut off in the photo\./);
    // The first upload had none before it.
    const first =
      await (await get(t, `/admin/documents/${docs.card.id}`, admin))
        .text();
    assert.doesNotMatch(first, /data-testid="earlier-uploads"/);
  } finally {
    t.close();
  }
});

browserTest(
  "admin queue: the staff, suspension, audit and notification pages pass axe",
  async (browser) => {
    const { t, admin, rosa, hal, chicago, docs } = await setup();
    const server = startServer(t.app);
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const as = async (cookie: string) => {
        const [name, value] = cookie.split("=");
        await context.clearCookies();
        await context.addCookies([{ name, value, url: server.baseUrl }]);
      };
      await as(admin);
      for (
        const path of [
          "/admin/documents",
          "/admin/documents?kind=passport",
          `/admin/documents/${docs.chicagoPermit.id}`,
          `/admin/documents/${docs.lapsed.id}`,
          `/admin/kitchens/${chicago.id}`,
          `/admin/users/${hal.user.id}`,
          "/admin/audit",
          "/admin/audit?from=2026-13-45",
          "/admin/bookings",
        ]
      ) {
        await page.goto(`${server.baseUrl}${path}`);
        await assertAccessible(page, path);
      }
      await post(t, `/admin/documents/${docs.card.id}/verify`, {
        note: "",
        reason: "",
        correctedExpiry: "",
      }, { cookie: admin });
      await as(rosa.cookie);
      await page.goto(`${server.baseUrl}/account/notifications`);
      await assertAccessible(page, "/account/notifications");
      await context.close();
    } finally {
      await server.shutdown();
      t.close();
    }
  },
);

Deno.test("admin queue: the overview counts the documents waiting; support reads a document and is told only an admin acts on it", async () => {
  const { t, admin, support, docs } = await setup();
  try {
    const waiting = async () =>
      /data-testid="documents-waiting">(.*?)<\/p>/s.exec(
        await (await get(t, "/admin", admin)).text(),
      )?.[1] ?? "";
    const before = Number(
      /(\d+) documents are waiting/.exec(await waiting())?.[1],
    );
    assert.ok(before > 1, await waiting());
    await post(t, `/admin/documents/${docs.card.id}/verify`, {
      note: "",
      reason: "",
      correctedExpiry: "",
    }, { cookie: admin });
    assert.match(
      await waiting(),
      new RegExp(`${before - 1} documents? (are|is) waiting`),
    );

    const readOnly = /only an admin can act on it/;
    const asSupport =
      await (await get(t, `/admin/documents/${docs.pchf.id}`, support)).text();
    assert.match(asSupport, readOnly);
    assert.doesNotMatch(asSupport, /action="[^"]*\/reject"/);
    const asAdmin =
      await (await get(t, `/admin/documents/${docs.pchf.id}`, admin)).text();
    assert.doesNotMatch(asAdmin, readOnly);
    assert.match(asAdmin, /action="[^"]*\/reject"/);
    // The limits are said, and the browser keeps to them.
    assert.match(asAdmin, /<textarea[^>]*name="reason"[^>]*maxlength="1000"/);
    assert.match(asAdmin, /<textarea[^>]*name="note"[^>]*maxlength="2000"/);
    assert.match(asAdmin, /Up to 1,000 characters\./);
    assert.match(asAdmin, /Up to 2,000 characters\./);
    // Both at their longest in a script of 3-byte characters (27 KB sent,
    // past the 16 KB form limit) are taken, not refused with a bare 413.
    const long = await post(t, `/admin/documents/${docs.pchf.id}/reject`, {
      reason: "€".repeat(1000),
      note: "€".repeat(2000),
      correctedExpiry: "",
    }, { cookie: admin });
    assert.equal(long.status, 303);
    // Past the route's own limit: a 413 that says the limit, nothing decided.
    const huge = await post(t, `/admin/documents/${docs.card.id}/reject`, {
      reason: "x".repeat(50_000),
      note: "",
      correctedExpiry: "",
    }, { cookie: admin });
    assert.equal(huge.status, 413);
    assert.match(await huge.text(), /The most this page accepts is 39 KB/);
    assert.doesNotMatch(
      await (await get(t, `/admin/documents/${docs.card.id}`, admin)).text(),
      /Rejected/,
    );
    // The overview offers support no actions either.
    const home = await (await get(t, "/admin", support)).text();
    assert.match(home, /support \(read-only\)/);
    assert.doesNotMatch(home, /suspend or reinstate|retry it|record a renewed/);
  } finally {
    t.close();
  }
});
