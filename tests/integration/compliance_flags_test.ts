import assert from "node:assert/strict";
import { listAuditFor } from "../../lib/audit/repo.ts";
import { addConfirmedTimers } from "../../lib/bookings/lifecycle.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import {
  checkBookingCompliance,
  type ComplianceFlag,
  listComplianceFlags,
} from "../../lib/compliance/expiry.ts";
import { reviewDocument } from "../../lib/compliance/repo.ts";
import type { ComplianceDocument } from "../../lib/compliance/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { newId } from "../../lib/ids.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import type { JobRecord } from "../../lib/jobs/outbox.ts";
import { listNotifications } from "../../lib/notifications/repo.ts";
import {
  bookPaid,
  get,
  post,
  runJobs,
  signUpConfirmed,
  staff as staffCookie,
  type T,
} from "../account_helpers.ts";
import { givePermits, giveWallet, TEST_ADMIN } from "../compliance_helpers.ts";
import { addHost, addKitchens, kitchenFixture, testApp } from "../helpers.ts";

const at = (iso: string) => Temporal.Instant.from(iso).epochMilliseconds;
const MAIL = {
  from: "Prep <hello@example.com>",
  baseUrl: "http://localhost",
  wake: false,
};
const FLAG_SUBJECTS = /Documents expire before/;

function setTo(t: T, instant: number) {
  t.advance(instant - t.clock());
}

/** A Chicago kitchen of a host with an account, its permits verified, and a renter with a verified wallet. */
async function setup() {
  const t = await testApp();
  const host = await signUpConfirmed(t, "hal@example.com", "host");
  const profile = await addHost(t.kv, "Hal");
  await t.kv.set(keys.host(host.user.id), { ...profile, id: host.user.id });
  await setDemoPayoutReady(t.kv, host.user.id, t.clock());
  const [kitchen] = await addKitchens(
    t.kv,
    host.user.id,
    [kitchenFixture()],
    "published",
    { permits: false },
  );
  await givePermits(t.kv, kitchen, t.clock());
  const renter = await signUpConfirmed(t, "rosa@example.com");
  await giveWallet(t.kv, renter.user.id, t.clock());
  return { t, host, kitchen, renter };
}

async function documentsOf(
  t: T,
  holder: { kind: string; id: string },
): Promise<ComplianceDocument[]> {
  const out: ComplianceDocument[] = [];
  for await (
    const e of t.kv.list<ComplianceDocument>({ prefix: ["documents"] })
  ) {
    if (
      e.value.holder.kind === holder.kind && e.value.holder.id === holder.id
    ) {
      out.push(e.value);
    }
  }
  return out;
}

/** Staff find they misread a document's date: a renewal request, then a verification with the corrected date. */
async function correctExpiry(t: T, doc: ComplianceDocument, date: string) {
  await reviewDocument(t.kv, doc.id, "request_renewal", TEST_ADMIN, {
    mail: MAIL,
  }, t.clock());
  await reviewDocument(t.kv, doc.id, "verify", TEST_ADMIN, {
    mail: MAIL,
    correctedExpiry: date,
  }, t.clock());
}

async function flagMail(t: T, to: string) {
  return (await listMail(t.kv, 200)).filter((m) =>
    m.to === to && FLAG_SUBJECTS.test(m.subject)
  );
}

Deno.test("compliance flags: a confirmed booking whose documents expire before its start is flagged a week ahead", async () => {
  const { t, host, kitchen, renter } = await setup();
  try {
    const id = await bookPaid(t, renter.cookie, {
      kitchen: kitchen.id,
      date: "2026-12-24",
      start: "10:00",
      end: "13:00",
    });
    const b = (await t.kv.get<Booking>(keys.booking(id))).value!;
    assert.equal(b.status, "confirmed");
    const job = (await t.kv.get<JobRecord>(
      keys.job(`booking-compliance-check:${id}`),
    )).value;
    assert.ok(job, "the check is scheduled when the booking is confirmed");
    assert.equal(job.type, "booking.compliance_check");
    // 10:00 CST on 12-24 is 16:00Z; a week before.
    assert.equal(new Date(job.runAt).toISOString(), "2026-12-17T16:00:00.000Z");

    const permit = (await documentsOf(t, { kind: "kitchen", id: kitchen.id }))
      .find((d) => d.kind === "health_permit")!;
    const insurance = (await documentsOf(t, {
      kind: "renter",
      id: renter.user.id,
    })).find((d) => d.kind === "liability_insurance")!;
    await correctExpiry(t, permit, "2026-12-20");
    await correctExpiry(t, insurance, "2026-12-22");

    setTo(t, at("2026-12-17T15:59:00Z"));
    await runJobs(t);
    assert.equal((await t.kv.get(keys.complianceFlag(id))).value, null);

    setTo(t, at("2026-12-17T16:00:00Z"));
    await runJobs(t);
    const flag = (await t.kv.get<ComplianceFlag>(keys.complianceFlag(id)))
      .value;
    assert.ok(flag, "flagged");
    assert.deepEqual(
      flag.documents.map((d) => `${d.holder}:${d.kind}:${d.expiryDate}`),
      [
        "kitchen:health_permit:2026-12-20",
        "renter:liability_insurance:2026-12-22",
      ],
    );
    assert.deepEqual(
      (await listComplianceFlags(t.kv, { limit: 10 })).map((f) => f.bookingId),
      [id],
    );

    const audit = (await listAuditFor(t.kv, "booking", id)).find((a) =>
      a.action === "booking.compliance_flagged"
    );
    assert.ok(audit, "audited");
    assert.deepEqual(audit.actor, {
      kind: "system",
      id: "booking-compliance-check",
    });
    assert.equal(
      audit.details.kinds,
      "kitchen:health_permit,renter:liability_insurance",
    );

    const [toRenter] = await flagMail(t, renter.user.email);
    assert.ok(toRenter, "the renter is emailed");
    assert.match(
      toRenter.text,
      /Your liability insurance certificate expires at the end of Tue, Dec 22, 2026\./,
    );
    assert.match(
      toRenter.text,
      /The kitchen's health permit expires at the end of Sun, Dec 20, 2026\./,
    );
    assert.match(toRenter.text, new RegExp(`/bookings/${id}`));
    const [toHost] = await flagMail(t, host.user.email);
    assert.ok(toHost, "the host is emailed");
    assert.match(
      toHost.text,
      /Your kitchen's health permit expires at the end of Sun, Dec 20, 2026\./,
    );
    assert.match(toHost.text, /The renter's liability insurance certificate/);
    for (const who of [renter.user.id, host.user.id]) {
      const n = (await listNotifications(t.kv, who)).notifications.find((x) =>
        x.title.startsWith("Documents expire before")
      );
      assert.ok(n, `notified ${who}`);
      assert.equal(n.href, `/bookings/${id}`);
    }

    // Staff see it on their home page.
    const staff = await staffCookie(t, "ann@example.com", "support");
    const home = await (await get(t, "/admin", staff)).text();
    assert.match(home, new RegExp(`href="/admin/bookings/${id}"`));
    assert.match(home, /Kitchen: Health permit/);
    assert.match(home, /Renter: Liability insurance certificate/);

    // Checking again flags nothing new and tells nobody twice.
    assert.equal(
      await checkBookingCompliance(
        { kv: t.kv, now: t.clock(), mail: MAIL },
        id,
      ),
      null,
    );
    await runJobs(t);
    assert.equal((await flagMail(t, renter.user.email)).length, 1);
    assert.equal((await flagMail(t, host.user.email)).length, 1);
  } finally {
    t.close();
  }
});

Deno.test("compliance flags: documents valid through the start, and cancelled bookings, flag nothing", async () => {
  const { t, host, kitchen, renter } = await setup();
  try {
    const fine = await bookPaid(t, renter.cookie, {
      kitchen: kitchen.id,
      date: "2026-12-24",
      start: "10:00",
      end: "13:00",
    });
    const cancelled = await bookPaid(t, renter.cookie, {
      kitchen: kitchen.id,
      date: "2026-12-28",
      start: "10:00",
      end: "13:00",
    });
    const res = await post(t, `/bookings/${cancelled}/cancel`, {}, {
      cookie: renter.cookie,
    });
    assert.equal(res.status, 303);
    assert.equal(
      (await t.kv.get<Booking>(keys.booking(cancelled))).value?.status,
      "cancelled",
    );
    // The permit now lapses before the cancelled booking only.
    const permit = (await documentsOf(t, { kind: "kitchen", id: kitchen.id }))
      .find((d) => d.kind === "health_permit")!;
    await correctExpiry(t, permit, "2026-12-26");

    setTo(t, at("2026-12-22T00:00:00Z"));
    await runJobs(t);
    assert.equal((await t.kv.get(keys.complianceFlag(fine))).value, null);
    assert.equal((await t.kv.get(keys.complianceFlag(cancelled))).value, null);
    assert.deepEqual(await listComplianceFlags(t.kv), []);
    assert.equal((await flagMail(t, renter.user.email)).length, 0);
    assert.equal((await flagMail(t, host.user.email)).length, 0);
    assert.equal(
      (await listAuditFor(t.kv, "booking", fine)).filter((a) =>
        a.action === "booking.compliance_flagged"
      ).length,
      0,
    );
  } finally {
    t.close();
  }
});

Deno.test("compliance flags: the check runs a week before the start, or at once when that has passed", async () => {
  const { t, kitchen, renter } = await setup();
  try {
    const id = await bookPaid(t, renter.cookie, {
      kitchen: kitchen.id,
      date: "2026-12-04",
      start: "10:00",
      end: "13:00",
    });
    const b = (await t.kv.get<Booking>(keys.booking(id))).value!;
    const runAtFor = async (start: number) => {
      // A copy under another id, so its timers do not clash with the booking's.
      const moved = {
        ...b,
        id: newId(),
        start,
        end: start + 3 * 3600_000,
      };
      const atomic = t.kv.atomic();
      addConfirmedTimers(atomic, moved, {
        kv: t.kv,
        now: t.clock(),
        mail: MAIL,
      });
      assert.ok((await atomic.commit()).ok);
      const job = (await t.kv.get<JobRecord>(
        keys.job(`booking-compliance-check:${moved.id}`),
      )).value!;
      await t.kv.delete(keys.job(job.id));
      await t.kv.delete(keys.jobDue(job.runAt, job.id));
      return job.runAt;
    };
    assert.equal(await runAtFor(b.start), t.clock(), "3 days ahead: at once");
    const far = at("2027-01-20T16:00:00Z");
    assert.equal(await runAtFor(far), far - 7 * 24 * 3600_000);

    // The booking's own check already ran (bookPaid runs due jobs) and found nothing.
    assert.equal(
      (await t.kv.get(keys.job(`booking-compliance-check:${id}`))).value,
      null,
    );
    assert.equal((await t.kv.get(keys.complianceFlag(id))).value, null);

    // The renter's card turns out to lapse tomorrow: a check now flags it.
    const card = (await documentsOf(t, { kind: "renter", id: renter.user.id }))
      .find((d) => d.kind === "food_handler_card")!;
    await correctExpiry(t, card, "2026-12-02");
    const flag = await checkBookingCompliance(
      { kv: t.kv, now: t.clock(), mail: MAIL },
      id,
    );
    assert.deepEqual(
      flag?.documents.map((d) => `${d.holder}:${d.kind}`),
      ["renter:food_handler_card"],
    );
  } finally {
    t.close();
  }
});
