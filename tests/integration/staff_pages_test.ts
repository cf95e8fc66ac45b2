/**
 * Issue 17 §16–18 on the staff pages: names, not ids (with the reads a page
 * costs bounded), Next in queue with the queue's filters, failed jobs and
 * their audited retry, a PDF that cannot be drawn, a suspended host told
 * why and whom to write to, and every new input refused clearly.
 */
import assert from "node:assert/strict";
import { characters } from "../page_text.ts";
import { setStaffRole } from "../../lib/accounts/staff_roles.ts";
import type { User } from "../../lib/accounts/schema.ts";
import { at } from "../../lib/app.ts";
import { listAudit } from "../../lib/audit/repo.ts";
import { addDocument } from "../../lib/compliance/repo.ts";
import {
  clearPreviewCache,
  drawFirstPage,
  previewPdf,
} from "../../lib/compliance/pdf_preview.ts";
import { nextInQueue } from "../../lib/compliance/queue.ts";
import type { ComplianceDocument } from "../../lib/compliance/schema.ts";
import { listAuditNamed } from "../../lib/reviews/staff_names.ts";
import { suspendKitchen } from "../../lib/compliance/suspensions.ts";
import { keys } from "../../lib/db/keys.ts";
import { getJob, type JobRecord } from "../../lib/jobs/outbox.ts";
import { upload } from "../compliance_helpers.ts";
import {
  get,
  PASSWORD,
  post,
  sessionCookie,
  type T,
  userByEmail,
} from "../account_helpers.ts";
import {
  addConfirmedBooking,
  addKitchens,
  kitchenFixture,
  testApp,
} from "../helpers.ts";
import { makeLargePdf, makePdf, makePdfBomb } from "../pdf_fixtures.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");
const DAY = 24 * 3600_000;

/** Signs up `name` <`email`> with a confirmed address and logs in. */
async function person(
  t: T,
  name: string,
  email: string,
  intent = "rent",
): Promise<{ cookie: string; user: User }> {
  const res = await post(t, "/signup", {
    name,
    email,
    password: PASSWORD,
    intent,
  });
  assert.equal(res.status, 303);
  const user = {
    ...(await userByEmail(t, email))!,
    emailVerifiedAt: new Date(NOW).toISOString(),
  };
  await t.kv.set(keys.user(user.id), user);
  const login = await post(t, "/login", { email, password: PASSWORD });
  return { cookie: sessionCookie(login), user };
}

async function setup(env: Record<string, string> = {}) {
  const t = await testApp(NOW, env);
  await person(t, "Ann Admin", "ann@example.com");
  assert.ok(
    await setStaffRole(at(t.services), "ann@example.com", "admin", true),
  );
  const admin = {
    cookie: sessionCookie(
      await post(t, "/login", {
        email: "ann@example.com",
        password: PASSWORD,
      }),
    ),
    user: (await userByEmail(t, "ann@example.com"))!,
  };
  const rosa = await person(t, "Rosa Diaz", "rosa@example.com");
  const hal = await person(t, "Hal Okafor", "hal@example.com", "host");
  const [wicker, logan] = await addKitchens(t.kv, hal.user.id, [
    kitchenFixture({ title: "Wicker Park Commissary" }),
    kitchenFixture({ title: "Logan Square Kitchen" }),
  ]);
  return { t, admin, rosa, hal, wicker, logan };
}

/** The page's text as a person reads it: no tags, no attributes. */
async function textOf(res: Response): Promise<string> {
  const html = characters(await res.text());
  return html.replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
}

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** Every place `id` appears in `html` is the small copyable id text (or a link). */
function idOnlyAsSmallText(html: string, id: string): void {
  const shown = html.replace(/"[^"]*"/g, '""');
  const bare = shown.split(id).length - 1;
  const small = html.split(
    `<code class="block select-all break-all font-mono text-xs text-stone-600">${id}</code>`,
  ).length - 1;
  assert.ok(bare > 0, `${id} is shown`);
  assert.equal(bare, small, `${id} appears only as small copyable text`);
}

Deno.test("staff names: bookings, the booking page, the audit log and a document's history name kitchens and people, with human times; ids stay as small copyable text", async () => {
  const { t, admin, rosa, wicker, logan } = await setup();
  try {
    const kept = await addConfirmedBooking(
      t.kv,
      wicker,
      rosa.user.id,
      NOW + 3 * DAY,
      NOW,
    );
    const cancelled = await addConfirmedBooking(
      t.kv,
      logan,
      rosa.user.id,
      NOW + 5 * DAY,
      NOW,
    );
    assert.equal(
      (await post(t, `/admin/bookings/${cancelled.id}/cancel`, {
        reason: "Kitchen closed for repairs",
      }, { cookie: admin.cookie })).status,
      303,
    );
    const doc = await addDocument(t.kv, {
      holder: { kind: "renter", id: rosa.user.id },
      upload: upload("food_handler_card"),
      bytes: await makePdf(["FOOD HANDLER CARD", "Certificate No. FH-1"]),
      uploadedBy: rosa.user.id,
      now: NOW - DAY,
    });
    assert.equal(
      (await post(t, `/admin/documents/${doc.id}/verify`, {
        reason: "",
        note: "Checked against the state register",
        correctedExpiry: "",
      }, { cookie: admin.cookie })).status,
      303,
    );

    // The bookings table: titles and people, not their ids.
    const list = await get(t, "/admin/bookings", admin.cookie);
    const listHtml = await list.clone().text();
    const listText = await textOf(list);
    for (
      const words of [
        "Wicker Park Commissary",
        "Logan Square Kitchen",
        "Rosa Diaz",
        "rosa@example.com",
        "Hal Okafor",
        "Confirmed",
        "Cancelled",
      ]
    ) assert.ok(listText.includes(words), words);
    assert.doesNotMatch(listText, ISO);
    idOnlyAsSmallText(listHtml, kept.id);
    assert.ok(!listText.includes(wicker.id), "no kitchen id in the table");
    assert.ok(!listText.includes(rosa.user.id), "no user id in the table");

    // One booking: named in its heading, its people by name, human times.
    const page = await get(t, `/admin/bookings/${cancelled.id}`, admin.cookie);
    const pageHtml = await page.clone().text();
    const pageText = await textOf(page);
    assert.match(pageText, /Booking PRP-[0-9A-Z-]+ at Logan Square Kitchen/);
    assert.match(pageText, /Rosa Diaz rosa@example\.com/);
    assert.match(pageText, /Hal Okafor hal@example\.com/);
    assert.match(pageText, /Ann Admin ann@example\.com/, "the event's actor");
    assert.match(pageText, /Tue, Dec 1, 2026, 3:00 PM UTC/);
    assert.doesNotMatch(pageText, ISO);
    idOnlyAsSmallText(pageHtml, cancelled.id);
    idOnlyAsSmallText(pageHtml, logan.id);

    // The audit log: who by name, what each entry is about by name.
    const log = await textOf(await get(t, "/admin/audit", admin.cookie));
    assert.match(log, /Ann Admin ann@example\.com Booking cancelled/);
    assert.match(log, /Booking at Logan Square Kitchen, Sun, Dec 6, 9:00 AM/);
    assert.match(log, /Food handler card of Rosa Diaz/);
    assert.match(log, /Document verified/);
    assert.doesNotMatch(log, ISO);

    // A document's history: who uploaded and who decided, by name.
    const history = await textOf(
      await get(t, `/admin/documents/${doc.id}`, admin.cookie),
    );
    assert.match(
      characters(history),
      /Uploaded New → Waiting for review Rosa Diaz/,
    );
    assert.match(history, /Verified Waiting for review → Verified Ann Admin/);
    assert.match(history, /Ann Admin: Checked against the state register/);
    assert.match(history, /Expires Sunday, December 31, 2028/);
    assert.doesNotMatch(history, ISO);

    // A suspended kitchen says who suspended it, by name.
    await suspendKitchen(t.kv, wicker.id, admin.user, "Pest report", NOW);
    const kitchen = await textOf(
      await get(t, `/admin/kitchens/${wicker.id}`, admin.cookie),
    );
    assert.match(kitchen, /by Ann Admin ann@example\.com Reason: Pest report/);
    assert.match(kitchen, /Rosa Diaz/, "the upcoming booking's renter");
  } finally {
    t.close();
  }
});

/** `kv` with its reads counted, for what a page costs. */
function counting(kv: Deno.Kv) {
  const calls = { get: 0, getMany: 0, list: 0 };
  const proxy = new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "get" || prop === "getMany" || prop === "list") {
        return (...args: unknown[]) => {
          calls[prop]++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: proxy, calls };
}

Deno.test("staff names: a page of the audit log reads its names ten at a time, whatever the number of rows", async () => {
  const { t, admin, rosa, hal } = await setup();
  try {
    const costs: Record<number, number> = {};
    let made = 0;
    for (const rows of [10, 40]) {
      const fresh = await addKitchens(
        t.kv,
        hal.user.id,
        Array.from(
          { length: rows - made },
          (_, i) => kitchenFixture({ title: `Kitchen ${made + i}` }),
        ),
      );
      for (const k of fresh) {
        const b = await addConfirmedBooking(
          t.kv,
          k,
          rosa.user.id,
          NOW + 2 * DAY,
          NOW,
        );
        assert.equal(
          (await post(t, `/admin/bookings/${b.id}/cancel`, {
            reason: "Counting reads",
          }, { cookie: admin.cookie })).status,
          303,
        );
      }
      made = rows;
      const { kv, calls } = counting(t.kv);
      const page = await listAuditNamed(kv, {
        limit: 50,
        filter: { action: "booking.cancelled" },
      });
      assert.equal(page.entries.length, rows);
      assert.ok(
        page.entries.every((e) =>
          page.names.subjects[`booking:${e.subject.id}`]?.startsWith(
            "Booking at Kitchen ",
          )
        ),
      );
      assert.equal(calls.get, 0, "no read on its own");
      costs[rows] = calls.getMany;
    }
    // Bookings, kitchens and people: one getMany each per ten rows.
    assert.ok(costs[10] <= 3, `10 rows: ${costs[10]} getMany`);
    assert.ok(costs[40] <= 3 * 4, `40 rows: ${costs[40]} getMany`);
  } finally {
    t.close();
  }
});

Deno.test("staff queue: Next in queue goes to the next document with the same filters, wraps to one skipped earlier, and never to the current one", async () => {
  const { t, admin, rosa, hal, wicker, logan } = await setup();
  try {
    const pdf = await makePdf(["PERMIT"]);
    const add = (
      holder: ComplianceDocument["holder"],
      kind: ComplianceDocument["kind"],
      daysAgo: number,
    ) =>
      addDocument(t.kv, {
        holder,
        upload: upload(kind),
        bytes: pdf,
        uploadedBy: holder.kind === "renter" ? holder.id : hal.user.id,
        now: NOW - daysAgo * DAY,
      });
    const card = await add(
      { kind: "renter", id: rosa.user.id },
      "food_handler_card",
      9,
    );
    const a = await add({ kind: "kitchen", id: wicker.id }, "health_permit", 5);
    const fire = await add(
      { kind: "kitchen", id: wicker.id },
      "fire_safety",
      4,
    );
    const b = await add({ kind: "kitchen", id: logan.id }, "health_permit", 3);
    const permits = { kind: "health_permit" as const, city: "chicago" };
    const next = (id: string, filter = {}) =>
      nextInQueue(t.kv, id, filter, admin.user);
    const cases: [string, string, object, string | null][] = [
      ["after the first, the next that matches", a.id, permits, b.id],
      ["after the last, back to one skipped earlier", b.id, permits, a.id],
      ["no filter: the next in queue order", a.id, {}, fire.id],
      ["no filter, from the oldest", card.id, {}, a.id],
      ["only one matches: nothing else", card.id, {
        kind: "food_handler_card",
      }, null],
    ];
    for (const [what, from, filter, want] of cases) {
      assert.equal(await next(from, filter), want, what);
    }

    // Through the app: a redirect that keeps the filters.
    const res = await get(
      t,
      `/admin/documents/next?kind=health_permit&city=chicago&after=${a.id}`,
      admin.cookie,
    );
    assert.equal(res.status, 303);
    assert.equal(
      res.headers.get("location"),
      `/admin/documents/${b.id}?kind=health_permit&city=chicago`,
    );
    // A decision keeps the filters too, through the form's hidden fields.
    const verify = await post(t, `/admin/documents/${a.id}/verify`, {
      kind: "health_permit",
      city: "chicago",
      reason: "",
      note: "",
      correctedExpiry: "",
    }, { cookie: admin.cookie });
    assert.equal(
      verify.headers.get("location"),
      `/admin/documents/${a.id}?kind=health_permit&city=chicago&notice=verify`,
    );
    const decided = await (await get(
      t,
      verify.headers.get("location")!,
      admin.cookie,
    )).text();
    assert.match(
      decided,
      new RegExp(
        `<a href="/admin/documents/next\\?kind=health_permit&amp;city=chicago&amp;after=${a.id}"[^>]*>Next in queue</a>`,
      ),
    );
    // Once nothing else matches, Next in queue returns to the filtered queue.
    await post(t, `/admin/documents/${b.id}/reject`, {
      reason: "Blurry",
      note: "",
      correctedExpiry: "",
    }, { cookie: admin.cookie });
    const done = await get(
      t,
      `/admin/documents/next?kind=health_permit&city=chicago&after=${b.id}`,
      admin.cookie,
    );
    assert.equal(
      done.headers.get("location"),
      "/admin/documents?kind=health_permit&city=chicago&notice=done",
    );
    assert.match(
      await (await get(t, done.headers.get("location")!, admin.cookie)).text(),
      /Nothing else with these filters is waiting for review\./,
    );
  } finally {
    t.close();
  }
});

Deno.test("staff queue: bad filters and ids on the new inputs are refused clearly, and nothing changes", async () => {
  const { t, admin, rosa } = await setup();
  try {
    const doc = await addDocument(t.kv, {
      holder: { kind: "renter", id: rosa.user.id },
      upload: upload("food_handler_card"),
      bytes: await makePdf(["CARD"]),
      uploadedBy: rosa.user.id,
      now: NOW,
    });
    for (
      const [path, message] of [
        [`/admin/documents/next?after=nope`, /That link is not valid/],
        [
          `/admin/documents/next?kind=passport&after=${doc.id}`,
          /Choose a type of document from the list/,
        ],
        [
          `/admin/documents/${doc.id}?city=gotham`,
          /That link's queue filters are not valid/,
        ],
        ["/admin/jobs?cursor=%00%01", /That page link is not valid/],
      ] as const
    ) {
      const res = await get(t, path, admin.cookie);
      assert.equal(res.status, 400, path);
      assert.match(await res.text(), message, path);
    }
    // A decision with a forged filter: refused, the document unchanged.
    const forged = await post(t, `/admin/documents/${doc.id}/verify`, {
      kind: "passport",
      reason: "",
      note: "",
      correctedExpiry: "",
    }, { cookie: admin.cookie });
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /Choose a type of document/);
    const stored = (await t.kv.get<ComplianceDocument>(keys.document(doc.id)))
      .value!;
    assert.equal(stored.status, "pending");
    // A retry of something that is not a job id.
    const retry = await post(t, "/admin/jobs/retry", { id: "no such job!" }, {
      cookie: admin.cookie,
    });
    assert.equal(retry.status, 400);
    assert.match(await retry.text(), /That is not a job of this list\./);
  } finally {
    t.close();
  }
});

Deno.test("failed jobs: /admin/jobs lists them with what they were about; Retry puts one back in the outbox with its audit entry, once", async () => {
  const { t, admin } = await setup();
  try {
    const dead: JobRecord = {
      v: 1,
      id: "01KDEADJ0B00000000000000AA",
      type: "email.send",
      payload: { to: "rosa@example.com" },
      runAt: NOW - DAY,
      attempts: 5,
      maxAttempts: 5,
      createdAt: NOW - 2 * DAY,
      lease: null,
      lastError: "Resend answered 503",
      deadAt: NOW - DAY,
    };
    await t.kv.set(keys.deadJob(dead.id), dead);
    const overview = await textOf(await get(t, "/admin", admin.cookie));
    assert.match(overview, /1 background job failed\. See and retry them/);
    const page = await textOf(await get(t, "/admin/jobs", admin.cookie));
    assert.match(page, /Send an email email\.send/);
    assert.match(page, /To rosa@example\.com/);
    assert.match(page, /Resend answered 503/);
    assert.match(page, /Mon, Nov 30, 2026, 3:00 PM UTC/);

    const res = await post(t, "/admin/jobs/retry", { id: dead.id }, {
      cookie: admin.cookie,
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/admin/jobs?notice=retried");
    const back = await getJob(t.kv, dead.id);
    assert.equal(back?.attempts, 0);
    assert.equal(back?.runAt, NOW);
    assert.equal((await t.kv.get(keys.deadJob(dead.id))).value, null);
    const entries = (await listAudit(t.kv, {
      filter: { action: "job.retried" },
    })).entries;
    assert.equal(entries.length, 1);
    assert.equal(entries[0].actor.id, admin.user.id);
    assert.deepEqual(entries[0].subject, { kind: "job", id: dead.id });
    assert.equal(entries[0].details.type, "email.send");
    assert.match(
      await textOf(await get(t, "/admin/jobs?notice=retried", admin.cookie)),
      /The job is back in the queue.*No failed jobs/,
    );

    // A second retry of the same job (a stale page): a conflict, nothing written.
    const again = await post(t, "/admin/jobs/retry", { id: dead.id }, {
      cookie: admin.cookie,
    });
    assert.equal(again.status, 409);
    assert.match(await again.text(), /already retried/);
    assert.equal(
      (await listAudit(t.kv, { filter: { action: "job.retried" } })).entries
        .length,
      1,
    );
  } finally {
    t.close();
  }
});

Deno.test("document preview: a PDF over its budget is not drawn, and the page says why; drawings are kept by file and shared", async () => {
  const { t, admin, rosa } = await setup();
  try {
    const doc = await addDocument(t.kv, {
      holder: { kind: "renter", id: rosa.user.id },
      upload: upload("food_handler_card"),
      bytes: await makePdfBomb(64 * 1024 * 1024),
      uploadedBy: rosa.user.id,
      now: NOW,
    });
    const page = await textOf(
      await get(t, `/admin/documents/${doc.id}`, admin.cookie),
    );
    assert.match(
      page,
      /This PDF holds more data than a preview may read\. Download it to check it in a PDF reader\./,
    );
    const preview = await get(
      t,
      `/admin/documents/${doc.id}/preview`,
      admin.cookie,
    );
    assert.equal(preview.status, 404);
    await preview.body?.cancel();

    // Two requests for one file read and draw it once.
    clearPreviewCache();
    let reads = 0;
    const bytes = await makePdf(["ONE DRAWING"]);
    const read = () => {
      reads++;
      return Promise.resolve(bytes);
    };
    const [one, two] = await Promise.all([
      previewPdf("file-a", read),
      previewPdf("file-a", read),
    ]);
    assert.ok(one.ok && two.ok);
    assert.equal(one, two);
    assert.equal((await previewPdf("file-a", read)).ok, true);
    assert.equal(reads, 1);
    // A landscape page fits the box by its width.
    const wide = await drawFirstPage(
      await makePdf(["WIDE"]).then(async (p) => {
        const { PDFDocument } = await import("pdf-lib");
        const doc = await PDFDocument.load(p);
        doc.getPage(0).setSize(792, 612);
        return await doc.save();
      }),
    );
    assert.ok(wide.ok);
    assert.deepEqual([wide.width, wide.height], [1200, 927]);
    // A 6 MB file reaches the drawing thread whole, and is drawn.
    const big = await drawFirstPage(makeLargePdf("BIG", 6 * 1024 * 1024));
    assert.ok(big.ok, JSON.stringify(big));
    assert.deepEqual([big.width, big.height], [1200, 1552]);
  } finally {
    t.close();
  }
});

Deno.test("suspended host: the dashboard and the kitchen's editor say it is suspended, why, and whom to write to", async () => {
  for (const support of ["help@prep.test", null]) {
    await suspendedHostSees(support);
  }
});

async function suspendedHostSees(support: string | null) {
  const { t, admin, hal, wicker } = await setup(
    support ? { SUPPORT_EMAIL: support } : {},
  );
  try {
    await suspendKitchen(
      t.kv,
      wicker.id,
      admin.user,
      "Health inspection failed on a walk-in cooler",
      NOW,
    );
    for (const path of ["/host", `/host/kitchens/${wicker.id}`]) {
      const res = await get(t, path, hal.cookie);
      assert.equal(res.status, 200, path);
      const html = await res.text();
      assert.match(html, /Wicker Park Commissary is suspended by Prep staff/);
      assert.match(
        html,
        /Reason: Health inspection failed on a walk-in cooler/,
      );
      assert.match(html, /Since Tue, Dec 1, 9:00 AM/, "in the kitchen's zone");
      assert.ok(
        html.includes(
          support
            ? `href="mailto:${support}?subject=Suspended%20kitchen%3A%20Wicker%20Park%20Commissary"`
            : 'href="/contact"',
        ),
        `${path}: ${support ?? "the contact form"}`,
      );
      assert.doesNotMatch(html, /hello@prep\.localhost/, "not EMAIL_FROM");
      assert.doesNotMatch(html, /Logan Square Kitchen is suspended/);
    }
  } finally {
    t.close();
  }
}
