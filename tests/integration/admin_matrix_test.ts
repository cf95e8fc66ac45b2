/**
 * Every staff route and every document route, asked by every kind of
 * visitor: the exact status each must get, and no unexpected allow. New
 * /admin routes fail this test until they are added to the table.
 */
import assert from "node:assert/strict";
import { minimalPdf } from "../compliance_helpers.ts";
import encodePng from "@jsquash/png/encode.js";
import { listAudit } from "../../lib/audit/repo.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import type { JobRecord } from "../../lib/jobs/outbox.ts";
import { addDocument } from "../../lib/compliance/repo.ts";
import type { DocumentUpload } from "../../lib/compliance/schema.ts";
import {
  suspendKitchen,
  suspendUser,
} from "../../lib/compliance/suspensions.ts";
import { addKitchenCreate, newKitchen } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import {
  signUpConfirmed,
  staff as staffCookie,
  type T,
  userByEmail,
} from "../account_helpers.ts";
import { addConfirmedBooking, kitchenFixture, testApp } from "../helpers.ts";
import { at } from "../../lib/app.ts";
import { sendReply } from "../../lib/messages/replies.ts";
import { claimSeries } from "../../lib/bookings/series.ts";
import { payDemo } from "../../lib/payments/events.ts";
import { setDemoPayoutReady } from "../../lib/hosts/repo.ts";
import { givePermits, giveWallet, TEST_ADMIN } from "../compliance_helpers.ts";
import { runJobs } from "../account_helpers.ts";
import { reportMessage } from "../../lib/messages/safety.ts";
import {
  replyInThread,
  startConversation,
} from "../../lib/messages/threads.ts";
import { reportReview } from "../../lib/reviews/moderation.ts";
import { submitReview } from "../../lib/reviews/write.ts";

const NOW = Date.parse("2026-12-01T15:00:00Z");

const ROLES = [
  "anonymous",
  "renter",
  "hostA",
  "hostB",
  "support",
  "admin",
] as const;
type Role = typeof ROLES[number];
type Expect = Record<Role, number>;

/** Staff pages: everyone else is refused with the staff area's 403. */
const STAFF_READ: Expect = {
  anonymous: 403,
  renter: 403,
  hostA: 403,
  hostB: 403,
  support: 200,
  admin: 200,
};
/** Pages anyone may load, signed in or not. */
const EVERYONE: Expect = {
  anonymous: 200,
  renter: 200,
  hostA: 200,
  hostB: 200,
  support: 200,
  admin: 200,
};
/** Staff actions: support reads but may not act. */
const staffAct = (admin: number): Expect => ({
  ...STAFF_READ,
  support: 403,
  admin,
});

interface Case {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  form?: Record<string, string> | (() => Promise<FormData>);
  expect: Expect;
}

const pdf = minimalPdf;

async function png(): Promise<Uint8Array> {
  const data = new Uint8ClampedArray(8 * 8 * 4).fill(180);
  return new Uint8Array(await encodePng(new ImageData(data, 8, 8)));
}

function upload(kind: DocumentUpload["kind"]): DocumentUpload {
  return {
    kind,
    number: "N-1",
    authority: "Chicago Department of Public Health",
    issueDate: "2026-01-15",
    expiryDate: "2028-01-15",
    insurance: null,
    inspection: null,
    greaseService: null,
    certification: null,
  };
}

async function staff(t: T, email: string, role: "admin" | "support") {
  const cookie = await staffCookie(t, email, role);
  return { cookie, user: (await userByEmail(t, email))! };
}

async function kitchen(
  t: T,
  hostId: string,
  title: string,
  over: Partial<Kitchen> = {},
) {
  const k: Kitchen = {
    ...newKitchen(hostId, kitchenFixture({ title, ...over }), {
      status: "published",
      now: new Date(NOW),
    }),
    permits: { ok: true, missing: [], missingNames: [], checkedAt: NOW },
  };
  assert.ok((await addKitchenCreate(t.kv.atomic(), k).commit()).ok);
  return k;
}

function booking(t: T, k: Kitchen, renterId: string): Promise<Booking> {
  return addConfirmedBooking(t.kv, k, renterId, NOW + 2 * 24 * 3600_000, NOW);
}

/** The saved-kitchens routes, for every visitor (issue 18 §12). */
function savedCases(kitchen: string, suspended: string): Case[] {
  const signedIn = (status: number, anonymous: number): Expect => ({
    anonymous,
    renter: status,
    hostA: status,
    hostB: status,
    support: status,
    admin: status,
  });
  const back = { back: "/search?city=chicago" };
  return [
    { method: "GET", path: "/saved", expect: signedIn(200, 303) },
    {
      method: "GET",
      path: `/saved/${kitchen}?back=%2Fsearch`,
      expect: signedIn(200, 303),
    },
    {
      method: "POST",
      path: `/saved/${kitchen}`,
      form: back,
      expect: signedIn(303, 303),
    },
    {
      method: "POST",
      path: `/saved/${kitchen}/remove`,
      form: back,
      expect: signedIn(303, 303),
    },
    {
      method: "POST",
      path: `/saved/${suspended}`,
      form: back,
      expect: signedIn(404, 404),
    },
    {
      method: "PUT",
      path: `/api/saved/${kitchen}`,
      expect: signedIn(200, 401),
    },
    {
      method: "DELETE",
      path: `/api/saved/${kitchen}`,
      expect: signedIn(200, 401),
    },
    {
      method: "PUT",
      path: `/api/saved/${suspended}`,
      expect: signedIn(404, 401),
    },
  ];
}

/** "/admin/x/:id{[0-9…]{26}}/:action{a|b}" → "/admin/x/:id/:action". */
function normalise(path: string): string {
  let out = "";
  let depth = 0;
  for (const ch of path) {
    if (ch === "{") depth++;
    else if (ch === "}") depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

/** The path the table's concrete path stands for, by replacing ids and known words. */
function patternOf(path: string): string {
  return path.split("?")[0]
    .replace(/\/[0-9A-HJKMNP-TV-Z]{26}/g, "/:id")
    .replace(/\/files\/:id$/, "/files/:messageId")
    .replace(
      /\/(verify|reject|request_renewal|suspend|reinstate)$/,
      "/:action",
    );
}

async function setup() {
  const t = await testApp(NOW);
  const admin = await staff(t, "ann@example.com", "admin");
  const support = await staff(t, "sam@example.com", "support");
  const renter = await signUpConfirmed(t, "rosa@example.com");
  const hostA = await signUpConfirmed(t, "hal@example.com", "host");
  const hostB = await signUpConfirmed(t, "sue@example.com", "host");
  const uma = await signUpConfirmed(t, "uma@example.com");
  const ulf = await signUpConfirmed(t, "ulf@example.com");
  const kitchenA = await kitchen(t, hostA.user.id, "Hal's Kitchen");
  const kitchenB = await kitchen(t, hostB.user.id, "Sue's Kitchen");
  const doc = (
    holder: { kind: "kitchen" | "renter"; id: string },
    by: string,
    kind: DocumentUpload["kind"],
    bytes: Uint8Array,
  ) =>
    addDocument(t.kv, {
      holder,
      upload: upload(kind),
      bytes,
      uploadedBy: by,
      now: NOW,
    });
  const mine = { kind: "renter" as const, id: renter.user.id };
  const docs = {
    renterPdf: await doc(mine, renter.user.id, "food_handler_card", pdf()),
    kitchenPng: await doc(
      { kind: "kitchen", id: kitchenA.id },
      hostA.user.id,
      "health_permit",
      await png(),
    ),
    toVerify: await doc(mine, renter.user.id, "business_license", pdf()),
    toReject: await doc(mine, renter.user.id, "workers_comp", pdf()),
    toRenew: await doc(mine, renter.user.id, "food_manager_certificate", pdf()),
  };
  const b = await booking(t, kitchenA, renter.user.id);
  // Another, for the Change time routes: staff cancel the first one above.
  const toMove = await booking(t, kitchenA, renter.user.id);
  // A job that ran out of attempts, for the retry action.
  const deadJob: JobRecord = {
    v: 1,
    id: "matrix-dead-job",
    type: "email.send",
    payload: {},
    runAt: NOW,
    attempts: 5,
    maxAttempts: 5,
    createdAt: NOW,
    lease: null,
    lastError: "SMTP said no",
    deadAt: NOW,
  };
  await t.kv.set(keys.deadJob(deadJob.id), deadJob);
  // Standing bookings (issue 19): hal's weekly kitchen, and two weekly
  // bookings of rosa's there, paid and under way: one for her to cancel
  // the rest of, one for hal to end.
  const weekly = await kitchen(t, hostA.user.id, "Hal's Weekly Kitchen", {
    standingBookings: true,
  });
  await setDemoPayoutReady(t.kv, hostA.user.id, NOW);
  await givePermits(t.kv, weekly, NOW);
  await giveWallet(t.kv, renter.user.id, NOW);
  const seriesIds: string[] = [];
  for (const weekdays of [[2], [4]]) {
    const { series, lead } = await claimSeries(at(t.services), renter.user, {
      kitchen: weekly.id,
      rule: {
        weekdays,
        start: "09:00",
        end: "13:00",
        every: 1,
        from: "2026-12-08",
        until: null,
        count: 3,
      },
      keep: [1, 2, 3],
      acknowledge: [],
      message: null,
    });
    await payDemo(at(t.services), lead.id, renter.user.id);
    seriesIds.push(series.id);
  }
  await runJobs(t);
  const reviews = await reviewSetup(t, kitchenA, renter.user.id);
  // Targets of the reinstate actions, suspended beforehand.
  await suspendKitchen(t.kv, kitchenB.id, admin.user, "Set up", NOW);
  await suspendUser(t.kv, ulf.user.id, admin.user, "Set up", NOW);
  // Saved kitchens (issue 18 §12): one no staff action above touches, and
  // one suspended for good, which nobody may save.
  const kitchenOpen = await kitchen(t, hostA.user.id, "Hal's Other Kitchen");
  const kitchenGone = await kitchen(t, hostB.user.id, "Sue's Closed Kitchen");
  await suspendKitchen(t.kv, kitchenGone.id, admin.user, "Set up", NOW);
  // A thread between the renter and host A, with a report of host A's message.
  const asked = await startConversation(
    at(t.services),
    renter.user,
    { kitchen: kitchenA.id },
    "Is the mixer free?",
  );
  const answer = await replyInThread(
    at(t.services),
    hostA.user,
    asked.thread.id,
    "Pay me outside Prep",
  );
  const answer2 = await replyInThread(
    at(t.services),
    hostA.user,
    asked.thread.id,
    "Or by wire",
  );
  // A file host A sent in the thread (issue 18 §4).
  const withFile = await sendReply(
    at(t.services),
    hostA.user,
    asked.thread.id,
    { text: "The menu", file: { bytes: pdf(), name: "menu.pdf" } },
  );
  const report = await reportMessage(
    at(t.services),
    renter.user,
    asked.thread.id,
    {
      message: answer.message.id,
      reason: "Set up",
    },
  );
  const cookies: Record<Role, string | undefined> = {
    anonymous: undefined,
    renter: renter.cookie,
    hostA: hostA.cookie,
    hostB: hostB.cookie,
    support: support.cookie,
    admin: admin.cookie,
  };
  return {
    t,
    cookies,
    ids: {
      admin: admin.user.id,
      renter: renter.user.id,
      uma: uma.user.id,
      ulf: ulf.user.id,
      kitchenA: kitchenA.id,
      kitchenB: kitchenB.id,
      kitchenOpen: kitchenOpen.id,
      kitchenGone: kitchenGone.id,
      booking: b.id,
      toMove: toMove.id,
      deadJob: deadJob.id,
      weekly: weekly.id,
      hostA: hostA.user.id,
      seriesToCancel: seriesIds[0],
      seriesToEnd: seriesIds[1],
      thread: asked.thread.id,
      hostMessage2: answer2.message.id,
      fileMessage: withFile.message.id,
      report: report.id,
      ...reviews,
    },
    docs,
  };
}

const REVIEW_TEXT = "A clean kitchen that matched its listing well.";

/**
 * Reviews (issue 18): a booking of kitchen A that ended, reviewed both
 * ways (published); the host's review of the renter reported by the
 * renter; and a second ended booking nobody reviewed yet.
 */
async function reviewSetup(t: T, k: Kitchen, renterId: string) {
  const ended = () =>
    addConfirmedBooking(t.kv, k, renterId, NOW - 3 * 24 * 3600_000, NOW);
  const reviewed = await ended();
  const deps = at(t.services);
  const kitchenReview = await submitReview(
    deps,
    reviewed.id,
    { id: renterId },
    {
      overall: "5",
      cleanliness: "5",
      equipment: "4",
      communication: "5",
      clean: "",
      rules: "",
      text: REVIEW_TEXT,
    },
  );
  const renterReview = await submitReview(deps, reviewed.id, { id: k.hostId }, {
    overall: "4",
    cleanliness: "",
    equipment: "",
    communication: "",
    clean: "4",
    rules: "5",
    text: REVIEW_TEXT,
  });
  await reportReview(deps, renterReview.review.id, { id: renterId }, {
    reason: "false",
    details: null,
  });
  return {
    unreviewed: (await ended()).id,
    kitchenReview: kitchenReview.review.id,
    renterReview: renterReview.review.id,
  };
}

Deno.test("admin matrix: every staff and document route gives each visitor exactly the expected status, with zero unexpected allows", async () => {
  const { t, cookies, ids, docs } = await setup();
  try {
    const reason = { reason: "Checked in the route matrix" };
    const signedIn = (status: number): Expect => ({
      anonymous: status,
      renter: status,
      hostA: status,
      hostB: status,
      support: status,
      admin: status,
    });
    /** The renter and host A's thread: theirs alone; anonymous logs in. */
    const parties = (status: number): Expect => ({
      anonymous: 303,
      renter: status,
      hostA: status,
      hostB: 404,
      support: 404,
      admin: 404,
    });
    const own = (owner: Role): Expect => ({
      anonymous: 404,
      renter: 404,
      hostA: 404,
      hostB: 404,
      support: 200,
      admin: 200,
      [owner]: 200,
    });
    /** A series' pages: its renter, its host (hostA) and staff; 404 to others. */
    const seriesOwn: Expect = {
      anonymous: 303,
      renter: 200,
      hostA: 200,
      hostB: 404,
      support: 200,
      admin: 200,
    };
    const SIGNED_IN: Expect = {
      anonymous: 200,
      renter: 200,
      hostA: 200,
      hostB: 200,
      support: 200,
      admin: 200,
    };
    const BAD_INPUT: Expect = {
      anonymous: 400,
      renter: 400,
      hostA: 400,
      hostB: 400,
      support: 400,
      admin: 400,
    };
    /** The host area: renters are refused it; a host who is not the series' gets 404. */
    const HOST_AREA: Expect = {
      anonymous: 303,
      renter: 403,
      hostA: 200,
      hostB: 404,
      support: 404,
      admin: 404,
    };
    /** Someone else's booking: 404 to all but its renter. */
    const NOT_YOURS: Expect = {
      anonymous: 303,
      renter: 404,
      hostA: 404,
      hostB: 404,
      support: 404,
      admin: 404,
    };
    const pngUpload = async () => {
      const form = new FormData();
      form.set("kind", "fire_safety");
      form.set("file", new File([(await png()) as BufferSource], "fire.png"));
      return form;
    };
    const cases: Case[] = [
      // Messages (issue 18), first: later rows suspend kitchen A. A thread is
      // its two parties' only; a 404 to anyone else, staff included (they
      // read reported threads at /admin/reports).
      {
        method: "GET",
        path: "/messages",
        expect: { ...signedIn(200), anonymous: 303 },
      },
      {
        method: "GET",
        path: `/messages/${ids.thread}`,
        expect: parties(200),
      },
      {
        method: "POST",
        path: `/messages/${ids.thread}`,
        form: { text: "From the route matrix" },
        expect: parties(303),
      },
      {
        method: "POST",
        path: `/messages/${ids.thread}/report`,
        form: { message: ids.hostMessage2, reason: "Checked in the matrix" },
        // Only the renter may report host A's message: host A wrote it.
        expect: { ...parties(303), hostA: 404 },
      },
      {
        method: "POST",
        path: `/messages/${ids.thread}/block`,
        expect: parties(303),
      },
      {
        method: "POST",
        path: `/messages/${ids.thread}/unblock`,
        expect: parties(303),
      },
      {
        method: "GET",
        path: `/messages/new?kitchen=${ids.kitchenA}`,
        // The renter has a thread there; host A is its host; others may ask.
        expect: { ...signedIn(200), anonymous: 303, renter: 303, hostA: 409 },
      },
      {
        method: "POST",
        path: "/messages/new",
        form: { kitchen: ids.kitchenA, text: "From the route matrix" },
        // Staff accounts here never confirmed their email.
        expect: {
          anonymous: 303,
          renter: 303,
          hostA: 409,
          hostB: 303,
          support: 403,
          admin: 403,
        },
      },
      {
        method: "POST",
        path: "/account/messages",
        form: { emailUnread: "off" },
        expect: { ...signedIn(303), anonymous: 303 },
      },
      // Live updates (issue 18 §2): each signed-in person's own stream; a
      // script is told 401 rather than sent to the login page.
      {
        method: "GET",
        path: "/messages/events",
        expect: { ...signedIn(200), anonymous: 401 },
      },
      {
        method: "GET",
        path: `/messages/${ids.thread}/since?after=`,
        expect: { ...parties(200), anonymous: 401 },
      },
      {
        method: "POST",
        path: `/messages/${ids.thread}/read`,
        expect: { ...parties(204), anonymous: 401 },
      },
      // A message's file (issue 18 §4): the two parties; staff through the report.
      {
        method: "GET",
        path: `/messages/${ids.thread}/files/${ids.fileMessage}`,
        expect: parties(200),
      },
      {
        method: "GET",
        path: `/admin/reports/${ids.report}/files/${ids.fileMessage}`,
        expect: STAFF_READ,
      },

      // Before kitchen A is suspended below: its reviews are public.
      {
        method: "GET",
        path: `/kitchens/${ids.kitchenA}/reviews`,
        expect: {
          anonymous: 200,
          renter: 200,
          hostA: 200,
          hostB: 200,
          support: 200,
          admin: 200,
        },
      },
      { method: "GET", path: "/admin", expect: STAFF_READ },
      { method: "GET", path: "/admin/bookings", expect: STAFF_READ },
      {
        method: "GET",
        path: "/admin/bookings?q=rosa%40example.com",
        expect: STAFF_READ,
      },
      {
        method: "GET",
        path: `/admin/bookings/${ids.booking}`,
        expect: STAFF_READ,
      },
      {
        method: "POST",
        path: `/admin/bookings/${ids.booking}/cancel`,
        form: reason,
        expect: staffAct(303),
      },
      { method: "GET", path: "/admin/audit", expect: STAFF_READ },
      { method: "GET", path: "/admin/messages", expect: STAFF_READ },
      {
        method: "GET",
        path: `/admin/audit?actor=ann%40example.com&action=kitchen.`,
        expect: STAFF_READ,
      },
      { method: "GET", path: "/admin/documents", expect: STAFF_READ },
      {
        method: "GET",
        path: "/admin/documents?kind=health_permit&city=chicago",
        expect: STAFF_READ,
      },
      {
        method: "GET",
        path: `/admin/documents/${docs.kitchenPng.id}`,
        expect: STAFF_READ,
      },
      {
        method: "GET",
        path: `/admin/documents/${docs.kitchenPng.id}/preview`,
        expect: STAFF_READ,
      },
      {
        method: "GET",
        path: `/admin/documents/${docs.renterPdf.id}/preview`,
        // A PDF's first page, drawn as a picture: staff only, like an image.
        expect: STAFF_READ,
      },
      {
        method: "GET",
        path: `/admin/documents/next?kind=&city=&after=${docs.renterPdf.id}`,
        // Next in queue: a redirect to the next document, for staff only.
        expect: { ...STAFF_READ, support: 303, admin: 303 },
      },
      {
        method: "POST",
        path: `/admin/documents/${docs.toVerify.id}/verify`,
        form: { note: "", reason: "", correctedExpiry: "" },
        expect: staffAct(303),
      },
      {
        method: "POST",
        path: `/admin/documents/${docs.toReject.id}/reject`,
        form: { note: "", reason: "Blurry scan", correctedExpiry: "" },
        expect: staffAct(303),
      },
      {
        method: "POST",
        path: `/admin/documents/${docs.toRenew.id}/request_renewal`,
        form: { note: "", reason: "A newer one", correctedExpiry: "" },
        expect: staffAct(303),
      },
      { method: "GET", path: "/admin/kitchens", expect: STAFF_READ },
      {
        method: "GET",
        path: "/admin/kitchens?q=chicago&host=hal%40example.com",
        expect: STAFF_READ,
      },
      {
        method: "GET",
        path: `/admin/kitchens/${ids.kitchenA}`,
        expect: STAFF_READ,
      },
      {
        method: "POST",
        path: `/admin/kitchens/${ids.kitchenA}/suspend`,
        form: reason,
        expect: staffAct(303),
      },
      {
        method: "POST",
        path: `/admin/kitchens/${ids.kitchenB}/reinstate`,
        form: reason,
        expect: staffAct(303),
      },
      { method: "GET", path: "/admin/users", expect: STAFF_READ },
      {
        method: "GET",
        path: "/admin/users?q=rosa%40example",
        expect: STAFF_READ,
      },
      {
        method: "GET",
        path: `/admin/users/${ids.renter}`,
        expect: STAFF_READ,
      },
      {
        method: "POST",
        path: `/admin/users/${ids.uma}/suspend`,
        form: reason,
        expect: staffAct(303),
      },
      {
        method: "POST",
        path: `/admin/users/${ids.ulf}/reinstate`,
        form: reason,
        expect: staffAct(303),
      },
      {
        method: "POST",
        path: `/admin/users/${ids.admin}/suspend`,
        form: reason,
        // Even an admin is refused their own suspension.
        expect: staffAct(409),
      },
      { method: "GET", path: "/admin/jobs", expect: STAFF_READ },
      // Backups over HTTP answer to BACKUP_TOKEN, never to a session: with
      // none set (as here) the endpoint is not there for anyone.
      ...(["GET", "PUT"] as const).map((method) => ({
        method,
        path: "/api/backup",
        expect: Object.fromEntries(ROLES.map((r) => [r, 404])) as Expect,
      })),
      // The staff figures (issue 21): read by support and admins alike.
      { method: "GET", path: "/admin/metrics", expect: STAFF_READ },
      {
        method: "GET",
        path: "/admin/metrics?city=chicago",
        expect: STAFF_READ,
      },
      {
        method: "GET",
        path: `/admin/metrics?kitchen=${ids.kitchenA}`,
        expect: STAFF_READ,
      },
      {
        method: "POST",
        path: "/admin/jobs/retry",
        form: { id: ids.deadJob },
        expect: staffAct(303),
      },
      { method: "GET", path: "/admin/reports", expect: STAFF_READ },
      {
        method: "GET",
        path: `/admin/reports/${ids.report}`,
        expect: STAFF_READ,
      },
      {
        method: "POST",
        path: `/admin/reports/${ids.report}`,
        form: { outcome: "dismissed", note: "Checked in the route matrix" },
        expect: staffAct(303),
      },
      { method: "GET", path: "/admin/certifiers", expect: STAFF_READ },
      {
        method: "POST",
        path: "/admin/certifiers",
        form: {
          accreditor: "anab",
          body: "sai_global",
          scopes: "pchf",
          from: "2025-03-21",
          to: "2028-03-21",
        },
        expect: staffAct(303),
      },

      // Health checks answer everyone alike, signed in or not (issue 21).
      { method: "GET", path: "/healthz", expect: EVERYONE },
      { method: "GET", path: "/readyz", expect: EVERYONE },
      // Reviews (issue 18): only a booking's two people write and read
      // what is theirs; a kitchen's host answers; anyone signed in reports
      // a public review; staff see reports, admins remove and dismiss.
      {
        method: "GET",
        path: `/bookings/${ids.unreviewed}/review`,
        expect: {
          anonymous: 303,
          renter: 200,
          hostA: 200,
          hostB: 404,
          support: 404,
          admin: 404,
        },
      },
      {
        method: "POST",
        path: `/bookings/${ids.unreviewed}/review`,
        form: {
          overall: "4",
          cleanliness: "4",
          equipment: "4",
          communication: "4",
          clean: "4",
          rules: "4",
          text: REVIEW_TEXT,
        },
        expect: {
          anonymous: 303,
          renter: 303,
          hostA: 303,
          hostB: 404,
          support: 404,
          admin: 404,
        },
      },
      {
        method: "GET",
        path: `/reviews/${ids.kitchenReview}/response`,
        expect: { ...own("hostA"), anonymous: 303, support: 404, admin: 404 },
      },
      {
        method: "POST",
        path: `/reviews/${ids.kitchenReview}/response`,
        form: { response: "Thank you for cooking with us." },
        expect: {
          ...own("hostA"),
          anonymous: 303,
          support: 404,
          admin: 404,
          hostA: 303,
        },
      },
      {
        method: "GET",
        path: `/reviews/${ids.kitchenReview}/report`,
        expect: {
          anonymous: 303,
          renter: 200,
          hostA: 200,
          hostB: 200,
          support: 200,
          admin: 200,
        },
      },
      {
        method: "POST",
        path: `/reviews/${ids.kitchenReview}/report`,
        form: { reason: "spam", details: "" },
        // Its author cannot report it.
        expect: {
          anonymous: 303,
          renter: 409,
          hostA: 303,
          hostB: 303,
          support: 303,
          admin: 303,
        },
      },
      {
        method: "GET",
        path: `/reviews/${ids.renterReview}/report`,
        // A host's review of a renter: the booking's two people only.
        expect: {
          anonymous: 303,
          renter: 200,
          hostA: 200,
          hostB: 404,
          support: 404,
          admin: 404,
        },
      },
      { method: "GET", path: "/admin/reviews", expect: STAFF_READ },
      {
        method: "POST",
        path: `/admin/reviews/${ids.renterReview}/dismiss`,
        expect: staffAct(303),
      },
      {
        method: "POST",
        path: `/admin/reviews/${ids.kitchenReview}/remove`,
        form: reason,
        expect: staffAct(303),
      },

      // Documents are served to their holder and staff only; a 404 to
      // anyone else, signed in or not, so ids reveal nothing.
      {
        method: "GET",
        path: `/documents/${docs.renterPdf.id}/file`,
        expect: own("renter"),
      },
      {
        method: "GET",
        path: `/documents/${docs.kitchenPng.id}/file`,
        expect: own("hostA"),
      },
      {
        method: "GET",
        path: "/account/compliance",
        expect: {
          anonymous: 303,
          renter: 200,
          hostA: 200,
          hostB: 200,
          support: 200,
          admin: 200,
        },
      },
      // Host B tries host A's kitchen documents.
      {
        method: "GET",
        path: `/host/kitchens/${ids.kitchenA}/permits`,
        expect: {
          anonymous: 303,
          renter: 403,
          hostA: 200,
          hostB: 404,
          support: 200,
          admin: 200,
        },
      },
      {
        method: "POST",
        path: `/host/kitchens/${ids.kitchenA}/permits/read`,
        form: pngUpload,
        expect: {
          anonymous: 303,
          renter: 403,
          hostA: 200,
          hostB: 404,
          // Support reads, admin acts: told so, before the file is read.
          support: 403,
          // Only the kitchen's host uploads its permits.
          admin: 404,
        },
      },
      // Issue 20: the location section with the map's pin, and the search map.
      {
        method: "GET",
        path: `/host/kitchens/${ids.kitchenA}/edit/location`,
        expect: {
          anonymous: 303,
          renter: 403,
          hostA: 200,
          hostB: 404,
          support: 200,
          admin: 200,
        },
      },
      {
        method: "POST",
        path: `/host/kitchens/${ids.kitchenA}/edit/location`,
        form: {
          "address.line1": "1 Test St",
          "address.neighborhood": "Wicker Park",
          "address.city": "chicago",
          "address.state": "IL",
          "address.postalCode": "60622",
          timeZone: "",
          pinLat: "41.902100",
          pinLng: "-87.680100",
        },
        expect: {
          anonymous: 303,
          renter: 403,
          hostA: 303,
          hostB: 404,
          support: 403,
          // Admins may change a host's listing (audited).
          admin: 303,
        },
      },
      {
        method: "GET",
        path: "/search?near=60622&radius=5&view=map",
        expect: {
          anonymous: 200,
          renter: 200,
          hostA: 200,
          hostB: 200,
          support: 200,
          admin: 200,
        },
      },

      // Standing bookings (issue 19): the preview, a series' pages and
      // .ics for its renter, its host and staff (404 to anyone else), the
      // renter's and the host's actions each for their own side only.
      {
        method: "GET",
        path: `/bookings/series/new?kitchen=${ids.weekly}`,
        expect: { ...SIGNED_IN, anonymous: 303 },
      },
      {
        method: "GET",
        path:
          `/bookings/series/new?kitchen=${ids.weekly}&weekdays=tue,thu&start=09:00&end=13:00&every=1&from=2026-12-15&count=4`,
        expect: { ...SIGNED_IN, anonymous: 303 },
      },
      {
        method: "POST",
        path: "/bookings/series",
        form: {
          kitchen: ids.weekly,
          weekdays: "fri",
          start: "09:00",
          end: "13:00",
          every: "1",
          from: "2026-12-11",
          count: "2",
          keep: "1",
          acceptRules: "yes",
        },
        // Keeping one date is refused for everyone who may book; the staff
        // accounts here have not confirmed their email, so may not book.
        expect: { ...BAD_INPUT, anonymous: 303, support: 403, admin: 403 },
      },
      {
        method: "GET",
        path: `/bookings/series/${ids.seriesToCancel}`,
        expect: seriesOwn,
      },
      {
        method: "GET",
        path: `/bookings/series/${ids.seriesToCancel}/calendar.ics`,
        expect: seriesOwn,
      },
      {
        method: "GET",
        path: `/bookings/series/${ids.seriesToCancel}/cancel`,
        // The renter's question; the host and staff go back to the series.
        expect: {
          ...seriesOwn,
          renter: 200,
          hostA: 303,
          support: 303,
          admin: 303,
        },
      },
      {
        method: "POST",
        path: `/bookings/series/${ids.seriesToCancel}/withdraw`,
        // Nothing to withdraw: the series is under way.
        expect: {
          ...seriesOwn,
          renter: 303,
          hostA: 303,
          support: 303,
          admin: 303,
        },
      },
      {
        method: "GET",
        path: `/host/bookings/series/${ids.seriesToEnd}`,
        expect: { ...HOST_AREA, hostA: 200, support: 200, admin: 200 },
      },
      {
        method: "POST",
        path: `/host/bookings/series/${ids.seriesToEnd}/accept`,
        // Not waiting for an answer: its host is told so; nobody else may.
        expect: { ...HOST_AREA, hostA: 409 },
      },
      {
        method: "POST",
        path: `/host/bookings/series/${ids.seriesToEnd}/decline`,
        form: { reason: "" },
        expect: { ...HOST_AREA, hostA: 409 },
      },
      {
        method: "POST",
        path: `/host/bookings/series/${ids.seriesToEnd}/end`,
        form: { ...reason, confirm: "yes" },
        expect: { ...HOST_AREA, hostA: 303 },
      },
      {
        method: "POST",
        path: `/bookings/series/${ids.seriesToCancel}/cancel`,
        // Only the renter cancels the rest; staff and the host see the
        // series but may not.
        expect: {
          ...seriesOwn,
          renter: 303,
          hostA: 403,
          support: 403,
          admin: 403,
        },
      },
      {
        method: "GET",
        path: `/bookings/${ids.booking}/pay-date`,
        // Not a date waiting for payment: back to its page, for its renter.
        expect: { ...NOT_YOURS, renter: 303 },
      },
      {
        method: "POST",
        path: `/bookings/${ids.booking}/pay-date`,
        form: { card: "works" },
        expect: { ...NOT_YOURS, renter: 409 },
      },
      // Saved kitchens (issue 18 §12): anyone signed in keeps their own
      // list; a visitor goes to log in (JSON: 401). A suspended kitchen
      // cannot be saved, by anyone, and nothing is kept for a visitor.
      ...savedCases(ids.kitchenOpen, ids.kitchenGone),

      // Changing a booking's time (issue 19 §7): its renter's pages only;
      // the host answers on their own page. The booking has no change under
      // way and its kitchen is suspended by now, so actions are refused (409).
      ...changeTimeCases(ids.toMove),
    ];

    // Every /admin route of the app is in the table.
    const covered = new Set(
      cases.map((c) => `${c.method} ${patternOf(c.path)}`),
    );
    const missing = t.app.routes
      .filter((r) =>
        (r.method === "GET" || r.method === "POST") &&
        r.path.startsWith("/admin")
      )
      .map((r) => `${r.method} ${normalise(r.path)}`)
      .filter((r) => !covered.has(r));
    assert.deepEqual(missing, [], "admin routes missing from the matrix");

    const mismatches: string[] = [];
    const allows: string[] = [];
    let requests = 0;
    for (const c of cases) {
      for (const role of ROLES) {
        const cookie = cookies[role];
        const headers: Record<string, string> = cookie
          ? { Cookie: cookie }
          : {};
        let res: Response;
        if (c.method === "GET") {
          res = await t.request(c.path, { headers });
        } else {
          const body = typeof c.form === "function"
            ? await c.form()
            : new URLSearchParams(c.form ?? {});
          res = await t.request(c.path, {
            method: c.method,
            body,
            headers: { ...headers, "Sec-Fetch-Site": "same-origin" },
          });
        }
        requests++;
        await res.body?.cancel();
        const want = c.expect[role];
        const location = res.headers.get("location") ?? "";
        if (res.status !== want) {
          mismatches.push(
            `${c.method} ${c.path} as ${role}: ${res.status}, want ${want}`,
          );
        }
        if (want === 303 && role === "anonymous" && res.status === 303) {
          if (!location.startsWith("/login")) {
            mismatches.push(`${c.path} as anonymous went to ${location}`);
          }
        }
        const denied = want >= 400 || (want === 303 && role === "anonymous");
        const got = res.status < 300 ||
          (res.status < 400 && !location.startsWith("/login"));
        if (denied && got) allows.push(`${c.method} ${c.path} as ${role}`);
      }
    }
    assert.deepEqual(allows, [], "unexpected allows");
    assert.deepEqual(mismatches, []);
    assert.equal(requests, cases.length * ROLES.length);

    // Only the admin's actions (and the setup's) reached the audit log;
    // staff reading a reported thread is recorded too, as a view.
    const log = (await listAudit(t.kv, { limit: 500 })).entries
      .filter((e) =>
        e.action !== "thread.viewed" && e.action !== "attachment.viewed"
      );
    const actors = new Set(log.map((e) => e.actor.id));
    actors.delete(ids.admin);
    actors.delete("deno task admin");
    // Standing bookings: the renter and the host act on their own series
    // (cancelling the rest, ending one), and their payments and refunds are
    // recorded by the payment events and jobs that moved the money.
    const series = log.filter((e) =>
      e.subject.kind === "series" ||
      (e.subject.kind === "booking" && e.subject.id !== ids.booking)
    );
    for (const e of series) {
      if (
        e.actor.id === ids.renter || e.actor.id === ids.hostA ||
        e.actor.kind === "system"
      ) actors.delete(e.actor.id);
    }
    // The weekly kitchen's permits and the renter's wallet, verified by the
    // helpers' stand-in staff member in the setup.
    actors.delete(TEST_ADMIN.id);
    assert.deepEqual([...actors], []);
  } finally {
    t.close();
  }
});

/** The Change time routes for every visitor: the renter's alone, 404 to anyone else. */
function changeTimeCases(booking: string): Case[] {
  const renterOnly = (renter: number): Expect => ({
    anonymous: 303,
    renter,
    hostA: 404,
    hostB: 404,
    support: 404,
    admin: 404,
  });
  const move = { move: "01JM0000000000000000000000" };
  const time = { date: "2026-12-04", start: "10:00", end: "13:00" };
  return [
    {
      method: "GET",
      path: `/bookings/${booking}/change`,
      expect: renterOnly(200),
    },
    {
      method: "GET",
      path: `/bookings/${booking}/change/availability?date=2026-12-04`,
      expect: renterOnly(200),
    },
    {
      method: "GET",
      path:
        `/bookings/${booking}/change/review?date=2026-12-04&start=10:00&end=13:00`,
      // Staff suspended the kitchen above: the renter is told it takes no
      // bookings, on the picker page.
      expect: renterOnly(409),
    },
    {
      method: "GET",
      path:
        `/bookings/${booking}/change/quote?date=2026-12-04&start=10:00&end=13:00`,
      expect: renterOnly(409),
    },
    {
      method: "POST",
      path: `/bookings/${booking}/change`,
      form: time,
      expect: renterOnly(409),
    },
    {
      method: "GET",
      path: `/bookings/${booking}/change/pay`,
      // Nothing to pay: back to the booking page.
      expect: renterOnly(303),
    },
    {
      method: "POST",
      path: `/bookings/${booking}/change/pay`,
      expect: renterOnly(409),
    },
    {
      method: "POST",
      path: `/bookings/${booking}/change/withdraw`,
      form: move,
      expect: renterOnly(409),
    },
    ...["accept", "decline"].map((answer): Case => ({
      method: "POST",
      path: `/host/bookings/${booking}/move/${answer}`,
      form: move,
      expect: {
        anonymous: 303,
        renter: 403,
        // No change of time is waiting for an answer.
        hostA: 409,
        hostB: 404,
        support: 404,
        admin: 404,
      },
    })),
  ];
}
