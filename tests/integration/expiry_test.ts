import assert from "node:assert/strict";
import { listAuditFor } from "../../lib/audit/repo.ts";
import {
  expireDocument,
  listExpiringWithin,
  sendDocumentReminder,
} from "../../lib/compliance/expiry.ts";
import { reviewDocument } from "../../lib/compliance/repo.ts";
import type { ComplianceDocument } from "../../lib/compliance/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import type { JobRecord } from "../../lib/jobs/outbox.ts";
import { getKitchen } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { searchKitchens } from "../../lib/kitchens/search.ts";
import { searchQuery } from "../../lib/kitchens/search_query.ts";
import { listNotifications } from "../../lib/notifications/repo.ts";
import {
  get,
  runJobs,
  signUpConfirmed,
  staff as staffCookie,
  type T,
} from "../account_helpers.ts";
import {
  addVerified,
  givePermits,
  TEST_ADMIN,
  upload,
} from "../compliance_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const at = (iso: string) => Temporal.Instant.from(iso).epochMilliseconds;
const START = at("2026-12-01T15:00:00Z");
const MAIL = {
  from: "Prep <hello@example.com>",
  baseUrl: "http://localhost",
  wake: false,
};

function setTo(t: T, instant: number) {
  t.advance(instant - t.clock());
}

async function doc(t: T, id: string): Promise<ComplianceDocument> {
  return (await t.kv.get<ComplianceDocument>(keys.document(id))).value!;
}

/** Jobs of `type`, about one document when `documentId` is given. */
async function jobs(
  t: T,
  type: string,
  documentId?: string,
): Promise<JobRecord[]> {
  const out: JobRecord[] = [];
  for await (const e of t.kv.list<JobRecord>({ prefix: ["jobs"] })) {
    const about = (e.value.payload as { documentId?: string }).documentId;
    if (e.value.type !== type) continue;
    if (documentId === undefined || about === documentId) out.push(e.value);
  }
  return out;
}

async function inSearch(t: T, kitchenId: string): Promise<boolean> {
  const res = await searchKitchens(
    t.kv,
    searchQuery.parse({ city: "chicago" }),
    t.clock(),
  );
  return res.hits.some((h) => h.kitchen.id === kitchenId);
}

/** Emails to `to` about their documents, oldest first (not the account's own). */
async function mailTo(t: T, to: string) {
  return (await listMail(t.kv, 200))
    .filter((m) => m.to === to && !/Confirm your email/.test(m.subject))
    .sort((a, b) => a.sentAt - b.sentAt || a.id.localeCompare(b.id));
}

/** A host with a published Chicago kitchen whose permits are verified; the health permit expires on `expiryDate`. */
async function kitchenWithPermit(t: T, expiryDate: string) {
  const host = await signUpConfirmed(t, "hal@example.com", "host");
  const [k] = await addKitchens(
    t.kv,
    host.user.id,
    [kitchenFixture()],
    "published",
    {
      permits: false,
    },
  );
  await givePermits(t.kv, k, t.clock(), { except: ["health_permit"] });
  const permit = await addVerified(
    t.kv,
    { kind: "kitchen", id: k.id },
    host.user.id,
    upload("health_permit", { expiryDate }),
    t.clock(),
  );
  return { host, kitchen: (await getKitchen(t.kv, k.id))!, permit };
}

Deno.test("expiry: a verified kitchen permit gets reminders and expires at the end of its date, leaving search", async () => {
  const t = await testApp(START);
  try {
    const { host, kitchen, permit } = await kitchenWithPermit(t, "2026-12-20");
    assert.equal(permit.status, "verified");
    assert.equal(kitchen.permits?.ok, true);
    assert.ok(await inSearch(t, kitchen.id));
    await runJobs(t); // the "verified" emails

    // 30 days before 12-20 had passed when it was verified: only 7 and 1.
    const reminders = await jobs(t, "document.reminder", permit.id);
    assert.deepEqual(
      reminders.map((j) => new Date(j.runAt).toISOString()).sort(),
      ["2026-12-13T15:00:00.000Z", "2026-12-19T15:00:00.000Z"],
    );
    const [expiry] = await jobs(t, "document.expiry", permit.id);
    // Midnight starting 12-21 in Chicago (CST).
    assert.equal(
      new Date(expiry.runAt).toISOString(),
      "2026-12-21T06:00:00.000Z",
    );
    assert.deepEqual(
      (await listExpiringWithin(t.kv, 30, t.clock())).map((e) => e.document.id),
      [permit.id],
    );

    // Staff see it on their home page.
    const admin = await staffCookie(t, "ann@example.com", "admin");
    const home = await (await get(t, "/admin", admin)).text();
    assert.match(home, /Documents expiring in the next 30 days/);
    assert.match(home, new RegExp(`/admin/documents/${permit.id}`));
    assert.match(home, /Sunday, December 20, 2026/);

    const before = (await mailTo(t, host.user.email)).length;
    setTo(t, at("2026-12-13T14:59:00Z"));
    await runJobs(t);
    assert.equal((await mailTo(t, host.user.email)).length, before);

    setTo(t, at("2026-12-13T15:00:00Z"));
    await runJobs(t);
    const week = (await mailTo(t, host.user.email)).slice(before);
    assert.equal(week.length, 1);
    assert.equal(week[0].subject, "Health permit expires on Sun, Dec 20, 2026");
    assert.match(week[0].text, /expires in 7 days/);
    assert.match(week[0].text, /stays listed and bookable/);
    const notes = await listNotifications(t.kv, host.user.id);
    assert.equal(
      notes.notifications[0].title,
      "Your health permit expires in 7 days",
    );
    assert.equal(
      notes.notifications[0].href,
      `/host/kitchens/${kitchen.id}/permits`,
    );

    setTo(t, at("2026-12-19T15:00:00Z"));
    await runJobs(t);
    assert.match(
      (await mailTo(t, host.user.email)).map((m) => m.text).join("\n"),
      /expires in 1 day\b/,
    );

    // Just before midnight in Chicago: still verified and listed.
    setTo(t, at("2026-12-21T05:59:59Z"));
    await runJobs(t);
    assert.equal((await doc(t, permit.id)).status, "verified");
    assert.ok(await inSearch(t, kitchen.id));

    setTo(t, at("2026-12-21T06:00:00Z"));
    await runJobs(t);
    const expired = await doc(t, permit.id);
    assert.equal(expired.status, "expired");
    assert.equal(expired.history.at(-1)?.action, "expire");
    const after = (await getKitchen(t.kv, kitchen.id))!;
    assert.equal(after.permits?.ok, false);
    assert.deepEqual(after.permits?.missing, ["health_permit"]);
    assert.equal(await inSearch(t, kitchen.id), false);
    assert.equal(
      (await t.kv.get(keys.documentExpiring("2026-12-20", permit.id))).value,
      null,
    );
    const audit = await listAuditFor(t.kv, "document", permit.id);
    const entry = audit.find((a) => a.action === "document.expired");
    assert.ok(entry);
    assert.deepEqual(entry.actor, { kind: "system", id: "document-expiry" });
    assert.equal(entry.details.from, "verified");
    assert.equal(entry.details.status, "expired");
    const last = (await mailTo(t, host.user.email)).find((m) =>
      m.subject === "Health permit expired"
    );
    assert.ok(last, "the host is told it expired");
    assert.match(last.text, /out of search/);
    const latest = await listNotifications(t.kv, host.user.id);
    assert.equal(
      latest.notifications[0].title,
      "Your health permit has expired",
    );

    // Running the job again changes nothing and tells nobody twice.
    const count = (await mailTo(t, host.user.email)).length;
    assert.equal(
      await expireDocument(
        { kv: t.kv, now: t.clock(), mail: MAIL },
        { documentId: permit.id, expiryDate: "2026-12-20" },
      ),
      null,
    );
    await runJobs(t);
    assert.equal((await mailTo(t, host.user.email)).length, count);
  } finally {
    t.close();
  }
});

Deno.test("expiry: stale reminders and expiries do nothing; a re-verified document is reminded once", async () => {
  const t = await testApp(START);
  try {
    const { host, permit } = await kitchenWithPermit(t, "2027-01-10");
    await runJobs(t);
    const deps = () => ({ kv: t.kv, now: t.clock(), mail: MAIL });

    // Staff ask for a renewal: the document is no longer verified.
    await reviewDocument(t.kv, permit.id, "request_renewal", TEST_ADMIN, {
      mail: MAIL,
    }, t.clock());
    setTo(t, at("2026-12-11T14:00:00Z")); // an hour before the 30-day reminder
    assert.equal(
      await sendDocumentReminder(deps(), {
        documentId: permit.id,
        expiryDate: "2027-01-10",
        daysBefore: 30,
      }),
      false,
    );

    // Verified again with the same date: new jobs, no clash with the waiting ones.
    await reviewDocument(t.kv, permit.id, "verify", TEST_ADMIN, {
      mail: MAIL,
    }, t.clock());
    assert.equal((await doc(t, permit.id)).status, "verified");
    assert.equal((await jobs(t, "document.expiry", permit.id)).length, 2);
    setTo(t, at("2026-12-11T15:00:00Z"));
    await runJobs(t);
    const thirty = (await mailTo(t, host.user.email)).filter((m) =>
      /expires in 30 days/.test(m.text)
    );
    assert.equal(thirty.length, 1, "one 30-day reminder despite two jobs");

    // Re-dated by staff: the reminders and expiry for the old date do nothing.
    await reviewDocument(t.kv, permit.id, "request_renewal", TEST_ADMIN, {
      mail: MAIL,
    }, t.clock());
    await reviewDocument(t.kv, permit.id, "verify", TEST_ADMIN, {
      mail: MAIL,
      correctedExpiry: "2027-06-30",
    }, t.clock());
    setTo(t, at("2027-01-03T15:00:00Z"));
    assert.equal(
      await sendDocumentReminder(deps(), {
        documentId: permit.id,
        expiryDate: "2027-01-10",
        daysBefore: 7,
      }),
      false,
    );
    setTo(t, at("2027-01-11T06:00:00Z"));
    await runJobs(t);
    const current = await doc(t, permit.id);
    assert.equal(current.status, "verified");
    assert.equal(current.expiryDate, "2027-06-30");
    assert.equal(
      (await mailTo(t, host.user.email)).filter((m) =>
        /expires in 7 days|expires in 1 day\b|has expired/.test(m.text)
      ).length,
      0,
    );
    // The old date's entry is stale and no longer listed.
    assert.deepEqual(await listExpiringWithin(t.kv, 30, t.clock()), []);
  } finally {
    t.close();
  }
});

Deno.test("expiry: a renewal already in force means no reminder for the old document", async () => {
  const t = await testApp(START);
  try {
    const { host, kitchen, permit } = await kitchenWithPermit(t, "2026-12-20");
    const renewed = await addVerified(
      t.kv,
      { kind: "kitchen", id: kitchen.id },
      host.user.id,
      upload("health_permit", { expiryDate: "2027-12-20" }),
      t.clock() + 1000,
    );
    assert.equal(renewed.status, "verified");
    setTo(t, t.clock() + 2000);
    await runJobs(t);
    const before = (await mailTo(t, host.user.email)).length;
    setTo(t, at("2026-12-21T06:00:00Z"));
    await runJobs(t);
    // The old one expires (the record is true to its date) but nobody is alarmed,
    // and the kitchen stays listed on its renewal.
    assert.equal((await doc(t, permit.id)).status, "expired");
    assert.deepEqual(
      (await mailTo(t, host.user.email)).slice(before).map((m) => m.subject),
      [],
    );
    assert.equal((await getKitchen(t.kv, kitchen.id))!.permits?.ok, true);
    assert.ok(await inSearch(t, kitchen.id));
  } finally {
    t.close();
  }
});

Deno.test("expiry: a renter's document expires at the end of its date in Los Angeles", async () => {
  const t = await testApp(START);
  try {
    const renter = await signUpConfirmed(t, "rosa@example.com");
    const card = await addVerified(
      t.kv,
      { kind: "renter", id: renter.user.id },
      renter.user.id,
      upload("food_handler_card", { expiryDate: "2026-12-05" }),
      t.clock(),
    );
    await runJobs(t);
    const [job] = await jobs(t, "document.expiry");
    assert.equal(new Date(job.runAt).toISOString(), "2026-12-06T08:00:00.000Z");
    // 2026-12-05 has ended in New York and Chicago, not yet in Los Angeles.
    setTo(t, at("2026-12-06T07:59:00Z"));
    await runJobs(t);
    assert.equal((await doc(t, card.id)).status, "verified");
    setTo(t, at("2026-12-06T08:00:00Z"));
    await runJobs(t);
    assert.equal((await doc(t, card.id)).status, "expired");
    const mail = (await mailTo(t, renter.user.email)).map((m) => m.subject);
    assert.ok(mail.includes("Food handler card expired"), mail.join(", "));
    assert.ok(mail.includes("Food handler card expires on Sat, Dec 5, 2026"));
    const note = (await listNotifications(t.kv, renter.user.id)).notifications;
    assert.equal(note[0].href, "/account/compliance");
  } finally {
    t.close();
  }
});

Deno.test("expiry: a kitchen that moved west since verification is expired at its new end of day", async () => {
  const t = await testApp(START);
  try {
    const { kitchen, permit } = await kitchenWithPermit(t, "2026-12-20");
    const moved: Kitchen = { ...kitchen, timeZone: "America/Los_Angeles" };
    await t.kv.set(keys.kitchen(kitchen.id), moved);
    setTo(t, at("2026-12-21T06:00:00Z"));
    await runJobs(t);
    assert.equal((await doc(t, permit.id)).status, "verified");
    const again = (await jobs(t, "document.expiry", permit.id)).find((j) =>
      j.id.includes("@")
    );
    assert.ok(again, "rescheduled");
    assert.equal(
      new Date(again.runAt).toISOString(),
      "2026-12-21T08:00:00.000Z",
    );
    setTo(t, at("2026-12-21T08:00:00Z"));
    await runJobs(t);
    assert.equal((await doc(t, permit.id)).status, "expired");
  } finally {
    t.close();
  }
});
