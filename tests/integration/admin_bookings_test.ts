import assert from "node:assert/strict";
import { setStaffRole } from "../../lib/accounts/staff_roles.ts";
import { at } from "../../lib/app.ts";
import { addAudit, listAudit } from "../../lib/audit/repo.ts";
import type { AuditEntry } from "../../lib/audit/schema.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import { type Booking, LEDGER_KINDS } from "../../lib/bookings/schema.ts";
import { bookingQuery, ledgerTotals } from "../../lib/bookings/staff.ts";
import { keys } from "../../lib/db/keys.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { newId } from "../../lib/ids.ts";
import {
  bookPaid,
  get,
  PASSWORD,
  post,
  runJobs,
  sessionCookie,
  signUp,
  signUpConfirmed,
  type T,
  userByEmail,
} from "../account_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";

/** A staff member: signed up, given the role, logged in afresh (a role change ends sessions). */
async function staff(t: T, email: string, role: "admin" | "support") {
  await signUp(t, email);
  const deps = at(t.services);
  assert.ok(await setStaffRole(deps, email, role, true));
  return sessionCookie(await post(t, "/login", { email, password: PASSWORD }));
}

/** A confirmed booking through the real flow: hold, demo pay, the job confirms it. */
async function book(
  t: T,
  renter: string,
  kitchenId: string,
  date: string,
  start: string,
  end: string,
): Promise<string> {
  const id = await bookPaid(t, renter, {
    kitchen: kitchenId,
    date,
    start,
    end,
  });
  await runJobs(t);
  assert.equal((await booking(t, id)).status, "confirmed");
  return id;
}

const booking = async (t: T, id: string) =>
  (await t.kv.get<Booking>(keys.booking(id))).value!;

const auditEntries = async (t: T): Promise<AuditEntry[]> =>
  (await listAudit(t.kv, { limit: 500 })).entries;

/**
 * A host with an account, a renter with a booking three hours from now
 * (inside the Moderate policy's no-refund window for the renter), an admin
 * and a support member.
 */
async function setup() {
  const t = await testApp();
  const host = await signUpConfirmed(t, "hal@example.com", "host");
  await setDemoPayoutReady(t.kv, host.user.id, t.clock());
  const [k] = await addKitchens(t.kv, host.user.id, [kitchenFixture()]);
  const renter = await signUpConfirmed(t, "rosa@example.com", "rent", {
    wallet: true,
  });
  // Now is 09:00 in Chicago: 12:00–15:00 today, 3 hours × $40 + $25 cleaning.
  const id = await book(t, renter.cookie, k.id, "2026-12-01", "12:00", "15:00");
  const admin = await staff(t, "ann@example.com", "admin");
  const support = await staff(t, "sam@example.com", "support");
  return {
    t,
    k,
    id,
    host: host.cookie,
    renter: renter.cookie,
    admin,
    support,
  };
}

Deno.test("admin bookings: renters, hosts and strangers get 403 on every staff page", async () => {
  const s = await setup();
  const { t, id } = s;
  const before = await t.kv.get(keys.booking(id));
  const audits = (await auditEntries(t)).length;
  const pages = [
    "/admin",
    "/admin/bookings",
    "/admin/bookings?q=rosa@example.com",
    `/admin/bookings/${id}`,
    "/admin/audit",
  ];
  for (const cookie of [s.renter, s.host, undefined]) {
    for (const path of pages) {
      const res = await get(t, path, cookie);
      assert.equal(res.status, 403, `${path} ${cookie ? "" : "(anonymous)"}`);
      await res.body?.cancel();
    }
    const cancel = await post(t, `/admin/bookings/${id}/cancel`, {
      reason: "Trying my luck",
    }, { cookie });
    assert.equal(cancel.status, 403);
    await cancel.body?.cancel();
  }
  const renterPage = await (await get(t, "/admin/audit", s.renter)).text();
  assert.match(renterPage, /This page is for Prep staff/);
  assert.equal(
    (await t.kv.get(keys.booking(id))).versionstamp,
    before.versionstamp,
  );
  assert.equal((await auditEntries(t)).length, audits);
  t.close();
});

Deno.test("admin bookings: support reads every staff page but cannot cancel", async () => {
  const { t, id, support } = await setup();
  const audits = (await auditEntries(t)).length;
  for (
    const path of [
      "/admin",
      "/admin/bookings",
      `/admin/bookings?q=${id}`,
      `/admin/bookings/${id}`,
      "/admin/audit",
    ]
  ) {
    const res = await get(t, path, support);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get("cache-control"), "private, no-store");
    await res.body?.cancel();
  }
  const page = await (await get(t, `/admin/bookings/${id}`, support)).text();
  assert.match(page, /Ledger/);
  assert.doesNotMatch(page, /Cancel with full refund/);
  assert.doesNotMatch(page, /\/cancel"/);
  const home = await (await get(t, "/admin", support)).text();
  assert.match(home, /support \(read-only\)/);
  assert.match(home, /href="\/admin\/bookings"/);
  assert.match(home, /href="\/admin\/audit"/);
  assert.match(home, /Failed jobs/);

  const res = await post(t, `/admin/bookings/${id}/cancel`, {
    reason: "Support should not be able to do this",
  }, { cookie: support });
  assert.equal(res.status, 403);
  assert.match(await res.text(), /Support accounts can look but not change/);
  assert.equal((await booking(t, id)).status, "confirmed");
  assert.equal((await auditEntries(t)).length, audits);
  t.close();
});

Deno.test("admin bookings: staff find a booking by id, by the renter's email and by the host's email", async () => {
  const { t, id, admin } = await setup();
  const row = new RegExp(`href="/admin/bookings/${id}"`);

  const recent = await (await get(t, "/admin/bookings", admin)).text();
  assert.match(recent, /Newest bookings/);
  assert.match(recent, row);
  assert.match(recent, /rosa@example\.com/);
  assert.match(recent, /\$145/);
  assert.match(recent, /Confirmed/);
  assert.match(recent, /Balanced/);

  for (
    const q of [
      id,
      id.toLowerCase(),
      "rosa@example.com",
      "  ROSA@Example.com ",
      "hal@example.com",
    ]
  ) {
    const res = await get(
      t,
      `/admin/bookings?q=${encodeURIComponent(q)}`,
      admin,
    );
    assert.equal(res.status, 200, q);
    const html = await res.text();
    assert.match(html, /Results for/, q);
    assert.match(html, row, q);
  }
  for (const q of ["nobody@example.com", "01ARZ3NDEKTSV4RRFFQ69G5FAV"]) {
    const html = await (await get(
      t,
      `/admin/bookings?q=${encodeURIComponent(q)}`,
      admin,
    )).text();
    assert.match(html, /No bookings found/, q);
    assert.doesNotMatch(html, row, q);
  }
  for (const q of ["not an id", "x".repeat(300), "rosa@\u0007example.com"]) {
    const res = await get(
      t,
      `/admin/bookings?q=${encodeURIComponent(q)}`,
      admin,
    );
    assert.equal(res.status, 400, q);
    const html = await res.text();
    assert.match(
      html,
      /Enter a booking reference, a booking id or an email address|Use at most 254 characters/,
    );
    assert.doesNotMatch(html, row);
    assert.doesNotMatch(html, /No bookings found|Newest bookings/);
  }

  const page = await (await get(t, `/admin/bookings/${id}`, admin)).text();
  assert.match(page, /Booking PRP-[0-9A-Z-]+ at Test Kitchen/);
  assert.match(page, new RegExp(`>${id}</code>`));
  assert.match(page, /rosa@example\.com/);
  assert.match(page, /hal@example\.com/);
  assert.match(page, /Test Kitchen/);
  assert.match(page, /America\/Chicago/);
  assert.match(page, /charge/);
  assert.match(page, /commission/);
  assert.match(page, /transfer/);
  assert.match(page, /Totals by kind/);
  assert.match(page, /payment\.charged/, "the charge's audit entry");
  assert.match(page, /Cancel with full refund/);
  t.close();
});

Deno.test("admin bookings: an admin cancels with a reason: full refund, time freed, audited with the admin and the reason", async () => {
  const { t, k, id, admin } = await setup();
  const adminUser = (await userByEmail(t, "ann@example.com"))!;
  const reason = "Kitchen failed its health inspection & <closed>";
  const shown = "Kitchen failed its health inspection &amp; &lt;closed>";
  const res = await post(t, `/admin/bookings/${id}/cancel`, { reason }, {
    cookie: admin,
  });
  assert.equal(res.status, 303);
  assert.equal(
    res.headers.get("location"),
    `/admin/bookings/${id}?notice=cancelled`,
  );

  const b = await booking(t, id);
  assert.equal(b.status, "cancelled");
  assert.equal(b.cancellation?.by, "admin");
  assert.equal(b.cancellation?.reason, reason);
  assert.equal(
    b.cancellation?.refundCents,
    14500,
    "everything the renter paid",
  );
  assert.equal(b.cancellation?.refundCents, b.quote.totalChargedCents);
  assert.equal(ledgerProblem(b), null);

  const cancelled = (await auditEntries(t)).filter((e) =>
    e.action === "booking.cancelled"
  );
  assert.equal(cancelled.length, 1);
  assert.deepEqual(cancelled[0].actor, {
    kind: "user",
    id: adminUser.id,
    email: "ann@example.com",
  });
  assert.deepEqual(cancelled[0].subject, { kind: "booking", id });
  assert.equal(cancelled[0].reason, reason);
  assert.equal(cancelled[0].details.by, "admin");
  assert.equal(cancelled[0].details.refundCents, 14500);

  const page = await (await get(
    t,
    `/admin/bookings/${id}?notice=cancelled`,
    admin,
  )).text();
  assert.match(page, /The booking is cancelled with a full refund/);
  assert.match(page, /booking\.cancelled/);
  assert.match(page, /ann@example\.com/);
  assert.ok(page.includes(shown), "the reason, escaped once");
  assert.ok(!page.includes("&amp;amp;"));
  assert.match(page, /Cancelled by Prep: full refund\./);
  assert.doesNotMatch(page, /action="[^"]*\/cancel"/, "nothing left to cancel");

  const log = await (await get(t, "/admin/audit", admin)).text();
  assert.match(log, /booking\.cancelled/);
  assert.match(log, /ann@example\.com/);
  assert.ok(log.includes(shown));
  assert.ok(!log.includes("&amp;amp;"));
  assert.match(log, new RegExp(`href="/admin/bookings/${id}"`));

  // The refund job records the refund; the ledger still balances.
  await runJobs(t);
  const refunded = await booking(t, id);
  assert.ok(
    refunded.ledger.filter((e) => e.kind === "refund").every((e) =>
      e.ref !== null
    ),
  );
  assert.equal(ledgerProblem(refunded), null);
  // The hours are free again.
  const again = await post(t, "/bookings", {
    kitchen: k.id,
    date: "2026-12-01",
    start: "12:00",
    end: "15:00",
    acceptRules: "yes",
  }, {
    cookie:
      (await signUpConfirmed(t, "bo@example.com", "rent", { wallet: true }))
        .cookie,
  });
  assert.equal(again.status, 303);

  // A second cancel is a conflict, shown on the page, and writes nothing.
  const stamp = (await t.kv.get(keys.booking(id))).versionstamp;
  const audits = (await auditEntries(t)).length;
  const twice = await post(t, `/admin/bookings/${id}/cancel`, {
    reason: "Once more",
  }, { cookie: admin });
  assert.equal(twice.status, 409);
  assert.match(
    await twice.text(),
    /This booking was cancelled, so it cannot be cancelled\./,
  );
  assert.equal((await t.kv.get(keys.booking(id))).versionstamp, stamp);
  assert.equal((await auditEntries(t)).length, audits);
  t.close();
});

Deno.test("admin bookings: an admin who is on the booking cannot cancel it from the staff page", async () => {
  const { t, id, admin } = await setup();
  const deps = at(t.services);
  await setStaffRole(deps, "hal@example.com", "admin", true);
  const hostAdmin = sessionCookie(
    await post(t, "/login", { email: "hal@example.com", password: PASSWORD }),
  );
  const audits = (await auditEntries(t)).length;
  const res = await post(t, `/admin/bookings/${id}/cancel`, {
    reason: "My own kitchen",
  }, { cookie: hostAdmin });
  assert.equal(res.status, 409);
  assert.match(await res.text(), /This is your own booking/);
  assert.equal((await booking(t, id)).status, "confirmed");
  assert.equal((await auditEntries(t)).length, audits);
  // Another admin can.
  const ok = await post(t, `/admin/bookings/${id}/cancel`, {
    reason: "Host asked us to",
  }, { cookie: admin });
  assert.equal(ok.status, 303);
  t.close();
});

Deno.test("admin bookings: an admin who is not on the booking cannot cancel it through the host's or the renter's route", async () => {
  const { t, id, admin, host } = await setup();
  const before = await t.kv.get(keys.booking(id));
  const audits = (await auditEntries(t)).length;
  for (
    const path of [`/host/bookings/${id}/cancel`, `/bookings/${id}/cancel`]
  ) {
    const res = await post(t, path, {}, { cookie: admin });
    assert.equal(res.status, 403, path);
    assert.match(
      await res.text(),
      /Staff cancel bookings from the booking(?:'|&#39;)s staff page, with a reason\./,
      path,
    );
  }
  assert.equal(
    (await t.kv.get(keys.booking(id))).versionstamp,
    before.versionstamp,
  );
  assert.equal((await auditEntries(t)).length, audits);
  // The booking's page offers staff no cancel form: theirs is the staff page.
  const page = await (await get(t, `/bookings/${id}`, admin)).text();
  assert.doesNotMatch(page, /action="[^"]*\/cancel"/);

  // The kitchen's host still cancels there, recorded as the host.
  const res = await post(t, `/host/bookings/${id}/cancel`, {}, {
    cookie: host,
  });
  assert.equal(res.headers.get("location"), "/host/bookings?notice=cancelled");
  const b = await booking(t, id);
  assert.equal(b.cancellation?.by, "host");
  assert.equal(b.cancellation?.reason, "Cancelled by the host");
  const [entry] = (await auditEntries(t)).filter((e) =>
    e.action === "booking.cancelled"
  );
  assert.equal(entry.actor.id, (await userByEmail(t, "hal@example.com"))!.id);
  assert.equal(entry.details.by, "host");
  t.close();
});

Deno.test("admin bookings: staff cannot accept or decline a request through the host's routes", async () => {
  const t = await testApp();
  const host = await signUpConfirmed(t, "hal@example.com", "host");
  await setDemoPayoutReady(t.kv, host.user.id, t.clock());
  const [k] = await addKitchens(t.kv, host.user.id, [
    kitchenFixture({ bookingMode: "request" }),
  ]);
  const renter = await signUpConfirmed(t, "rosa@example.com", "rent", {
    wallet: true,
  });
  const hours = { kitchen: k.id, date: "2026-12-03", end: "13:00" };
  const first = await bookPaid(t, renter.cookie, { ...hours, start: "10:00" });
  const second = await bookPaid(t, renter.cookie, {
    ...hours,
    start: "14:00",
    end: "17:00",
  });
  assert.equal((await booking(t, first)).status, "requested");
  assert.equal((await booking(t, second)).status, "requested");
  const admin = await staff(t, "ann@example.com", "admin");
  const support = await staff(t, "sam@example.com", "support");
  const audits = (await auditEntries(t)).length;
  for (const id of [first, second]) {
    const before = (await t.kv.get(keys.booking(id))).versionstamp;
    for (const cookie of [admin, support]) {
      for (const action of ["accept", "decline"]) {
        const path = `/host/bookings/${id}/${action}`;
        const res = await post(t, path, {}, { cookie });
        assert.equal(res.status, 403, path);
        assert.match(
          await res.text(),
          /Only the kitchen(?:'|&#39;)s host accepts or declines a request; staff do not answer for them\./,
          path,
        );
      }
    }
    assert.equal((await t.kv.get(keys.booking(id))).versionstamp, before);
  }
  assert.equal((await auditEntries(t)).length, audits);
  // The host answers both, recorded as the host.
  const accepted = await post(t, `/host/bookings/${first}/accept`, {}, {
    cookie: host.cookie,
  });
  assert.equal(
    accepted.headers.get("location"),
    `/host/bookings/${first}?notice=accepted`,
  );
  const declined = await post(t, `/host/bookings/${second}/decline`, {}, {
    cookie: host.cookie,
  });
  assert.equal(
    declined.headers.get("location"),
    `/host/bookings/${second}?notice=declined`,
  );
  assert.equal((await booking(t, first)).status, "confirmed");
  assert.equal((await booking(t, second)).status, "declined");
  const answers = (await auditEntries(t)).filter((e) =>
    e.action === "payment.captured" || e.action === "booking.declined"
  );
  assert.equal(answers.length, 2);
  assert.ok(answers.every((e) => e.actor.id === host.user.id));
  t.close();
});

Deno.test("admin bookings: a booking whose ledger does not balance is flagged", async () => {
  const { t, id, admin, support } = await setup();
  const real = await booking(t, id);
  const tampered: Booking = {
    ...real,
    id: newId(),
    ledger: real.ledger.map((e) =>
      e.kind === "charge" ? { ...e, amountCents: e.amountCents + 100 } : e
    ),
  };
  assert.ok(ledgerProblem(tampered));
  await t.kv.set(keys.booking(tampered.id), tampered);

  for (const cookie of [admin, support]) {
    const list = await (await get(t, "/admin/bookings", cookie)).text();
    assert.equal(list.match(/Ledger does not balance/g)?.length, 1);
    assert.match(
      list,
      /Ledger does not balance: charge does not equal transfer \+ commission \+ fees/,
    );
    // Newest first: the tampered copy was written last.
    assert.ok(
      list.indexOf(tampered.id) < list.indexOf(`/admin/bookings/${id}"`),
    );
  }
  const page = await (await get(t, `/admin/bookings/${tampered.id}`, admin))
    .text();
  assert.match(page, /Ledger does not balance/);
  assert.match(page, /\$146/, "the tampered charge is shown");
  const fine = await (await get(t, `/admin/bookings/${id}`, admin)).text();
  assert.doesNotMatch(fine, /Ledger does not balance/);
  assert.match(fine, /Balanced/);
  t.close();
});

Deno.test("admin bookings: bad and hostile input is refused and writes nothing", async () => {
  const { t, id, admin } = await setup();
  const before = await t.kv.get(keys.booking(id));
  const audits = (await auditEntries(t)).length;
  const cancel = `/admin/bookings/${id}/cancel`;
  const cases: [string, Record<string, string>, number, RegExp][] = [
    [cancel, {}, 400, /Enter a reason/],
    [cancel, { reason: "   " }, 400, /Enter a reason/],
    [
      cancel,
      { reason: "Refund\u0007 now" },
      400,
      /Remove the control characters/,
    ],
    [
      cancel,
      { reason: "ok \u202etxt.exe" },
      400,
      /Remove the text-direction override characters/,
    ],
    [cancel, { reason: "x".repeat(1001) }, 400, /Use at most 1000 characters/],
    [`/admin/bookings/${id}X/cancel`, { reason: "Fine" }, 404, /./],
    [
      `/admin/bookings/${"9".repeat(3000)}/cancel`,
      { reason: "Fine" },
      404,
      /./,
    ],
    [
      `/admin/bookings/${id.toLowerCase()}/cancel`,
      { reason: "Fine" },
      404,
      /./,
    ],
    [`/admin/bookings/${newId()}/cancel`, { reason: "Fine" }, 404, /./],
  ];
  for (const [path, form, status, message] of cases) {
    const res = await post(t, path, form, { cookie: admin });
    assert.equal(
      res.status,
      status,
      `${path.slice(0, 60)} ${JSON.stringify(form).slice(0, 60)}`,
    );
    assert.match(await res.text(), message);
  }
  // The form re-renders with the field's error beside it.
  const again = await (await post(t, cancel, { reason: "" }, {
    cookie: admin,
  })).text();
  assert.match(again, /aria-invalid="true"/);
  assert.match(again, /id="cancel-reason-error"/);

  for (
    const [path, status] of [
      [`/admin/bookings/${"A".repeat(27)}`, 404],
      [`/admin/bookings/${id.toLowerCase()}`, 404],
      [`/admin/bookings/${newId()}`, 404],
      [`/admin/bookings/%00${id}`, 404],
      ["/admin/audit?cursor=not-a-cursor", 400],
      [`/admin/audit?cursor=${"Z".repeat(300)}`, 400],
    ] as const
  ) {
    const res = await get(t, path, admin);
    assert.equal(res.status, status, path);
    await res.body?.cancel();
  }
  assert.equal(
    (await t.kv.get(keys.booking(id))).versionstamp,
    before.versionstamp,
  );
  assert.equal((await auditEntries(t)).length, audits);
  t.close();
});

Deno.test("admin bookings: the audit log lists newest first, a page at a time", async () => {
  const t = await testApp();
  const admin = await staff(t, "ann@example.com", "admin");
  const atomic = t.kv.atomic();
  for (let i = 0; i < 60; i++) {
    addAudit(atomic, {
      actor: { kind: "system", id: "test" },
      action: "booking.cancelled",
      subject: { kind: "booking", id: newId() },
      details: { n: i },
    }, t.clock());
  }
  assert.ok((await atomic.commit()).ok);
  const first = await (await get(t, "/admin/audit", admin)).text();
  assert.match(first, /n=59/, "the newest entry first");
  assert.doesNotMatch(first, /n=5</);
  assert.doesNotMatch(first, /Newest entries/);
  const next = /href="(\/admin\/audit\?cursor=[0-9A-Z]{26})"/.exec(first);
  assert.ok(next, "a link to older entries");
  const second = await (await get(t, next[1], admin)).text();
  assert.match(second, /n=0</);
  assert.match(second, /Newest entries/);
  assert.doesNotMatch(second, /Older entries/);
  assert.doesNotMatch(second, /n=59/);
  t.close();
});

Deno.test("admin bookings: the search box reads an id in any case or an email, and nothing else", () => {
  const id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  const cases: [string, unknown][] = [
    [id, { kind: "id", id }],
    [` ${id.toLowerCase()} `, { kind: "id", id }],
    ["Rosa@Example.COM", { kind: "email", email: "rosa@example.com" }],
    ["  ann@example.com\t", { kind: "email", email: "ann@example.com" }],
    [`${id}X`, null],
    ["01ARZ3NDEKTSV4RRFFQ69G5FAI", null], // I is not Crockford base32
    ["not an email", null],
    ["", null],
    ["a@b", null],
    [`${"a".repeat(250)}@example.com`, null],
    ["rosa@exa\u0000mple.com", null],
  ];
  for (const [raw, want] of cases) {
    const got = bookingQuery.safeParse(raw);
    assert.deepEqual(got.success ? got.data : null, want, JSON.stringify(raw));
  }
});

Deno.test("admin bookings: ledger totals add up each kind", () => {
  const entry = (
    kind: Booking["ledger"][number]["kind"],
    amountCents: number,
  ) => ({
    kind,
    amountCents,
    at: 0,
    ref: null,
  });
  const totals = ledgerTotals({
    ledger: [
      entry("charge", 14500),
      entry("transfer", 12325),
      entry("commission", 2175),
      entry("refund", 5000),
      entry("refund", 2500),
    ],
  } as Booking);
  assert.equal(totals.charge, 14500);
  assert.equal(totals.refund, 7500);
  assert.equal(totals.transfer_reversal, 0);
  assert.equal(totals.city_fee, 0);
  assert.deepEqual(Object.keys(totals).sort(), [...LEDGER_KINDS].sort());
});
