import assert from "node:assert/strict";
import { minimalPdf } from "../compliance_helpers.ts";
import { visibleText } from "../page_text.ts";
import encodeJpeg from "@jsquash/jpeg/encode.js";
import encodePng from "@jsquash/png/encode.js";
import { listAuditFor } from "../../lib/audit/repo.ts";
import type { ComplianceDocument } from "../../lib/compliance/schema.ts";
import { listQueue } from "../../lib/compliance/repo.ts";
import { keys } from "../../lib/db/keys.ts";
import { listMail } from "../../lib/email/mailbox.ts";
import {
  get,
  post,
  runJobs,
  signUpConfirmed,
  staff,
  type T,
} from "../account_helpers.ts";
import { testApp } from "../helpers.ts";

// ---------------------------------------------------------------------------
// Files

function picture(width: number, height: number): ImageData {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = i % 251;
    data[i + 1] = 120;
    data[i + 2] = 40;
    data[i + 3] = 255;
  }
  return new ImageData(data, width, height);
}

const png = async () => new Uint8Array(await encodePng(picture(40, 30)));
const jpeg = async () =>
  new Uint8Array(await encodeJpeg(picture(40, 30), { quality: 80 }));

const enc = (s: string) => new TextEncoder().encode(s);

const pdf = minimalPdf;

const GIF = new Uint8Array([
  ...enc("GIF89a"),
  1,
  0,
  1,
  0,
  0,
  0,
  0,
  ...enc(",\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;"),
]);

// ---------------------------------------------------------------------------
// Steps

const FIELDS = {
  kind: "food_handler_card",
  number: "FH-12345",
  authority: "Chicago Department of Public Health",
  issueDate: "2026-01-15",
  expiryDate: "2028-01-15",
};

async function upload(
  t: T,
  cookie: string,
  bytes: Uint8Array,
  name = "card.pdf",
  fields: Record<string, string> = FIELDS,
): Promise<Response> {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  body.set("file", new File([bytes as BufferSource], name));
  return await t.request("/account/compliance", {
    method: "POST",
    body,
    headers: { "Sec-Fetch-Site": "same-origin", Cookie: cookie },
  });
}

async function count(t: T, prefix: string): Promise<number> {
  let n = 0;
  for await (const _ of t.kv.list({ prefix: [prefix] })) n++;
  return n;
}

async function documents(t: T): Promise<ComplianceDocument[]> {
  const out: ComplianceDocument[] = [];
  for await (
    const e of t.kv.list<ComplianceDocument>({ prefix: ["documents"] })
  ) out.push(e.value);
  return out;
}

async function setup() {
  const t = await testApp();
  const renter = await signUpConfirmed(t, "rosa@example.com");
  const other = await signUpConfirmed(t, "otto@example.com");
  const admin = await staff(t, "ann@example.com", "admin");
  const admin2 = await staff(t, "abe@example.com", "admin");
  const support = await staff(t, "sam@example.com", "support");
  return { t, renter, other, admin, admin2, support };
}

async function uploaded(
  t: T,
  cookie: string,
  bytes: Uint8Array,
  fields: Record<string, string> = FIELDS,
) {
  const before = new Set((await documents(t)).map((d) => d.id));
  const res = await upload(t, cookie, bytes, "card.pdf", fields);
  assert.equal(res.status, 303, await res.clone().text());
  const doc = (await documents(t)).find((d) => !before.has(d.id));
  assert.ok(doc);
  return doc;
}

// ---------------------------------------------------------------------------

Deno.test("compliance: a renter uploads a PDF, JPEG and PNG; each is pending and queued", async () => {
  const { t, renter } = await setup();
  try {
    const a = await uploaded(t, renter.cookie, pdf());
    const b = await uploaded(t, renter.cookie, await jpeg());
    const c = await uploaded(t, renter.cookie, await png());
    for (const d of [a, b, c]) {
      assert.equal(d.status, "pending");
      assert.deepEqual(d.holder, { kind: "renter", id: renter.user.id });
      const file = (await t.kv.get<{ owner: string; purpose: string }>(
        keys.file(d.fileId),
      )).value;
      assert.equal(file?.owner, renter.user.id);
      assert.equal(file?.purpose, "compliance-document");
      // An image upload is still private: the public photo route refuses it.
      const leaked = await get(t, `/photos/${d.fileId}`);
      assert.equal(leaked.status, 404);
      await leaked.body?.cancel();
    }
    const queue = await listQueue(t.kv);
    assert.deepEqual(queue.documents.map((d) => d.id), [a.id, b.id, c.id]);
    const page = await (await get(t, "/account/compliance", renter.cookie))
      .text();
    assert.match(page, /FH-12345/);
    // Pending reads as in review, never as missing (issue 17 §2).
    assert.match(page, /In review<\/span>/);
    assert.match(page, /usually within a working day/);
    // The browser asks for a type before sending, so a chosen file is not
    // lost to a round trip that only says to choose one.
    assert.match(page, /<select[^>]*name="kind"[^>]*required/);
  } finally {
    t.close();
  }
});

Deno.test("compliance: HTML, SVG, GIF, a PDF without %%EOF, bad fields and an oversize body are refused with nothing stored", async () => {
  const { t, renter } = await setup();
  try {
    const cases: [Uint8Array, RegExp][] = [
      [
        enc("<!doctype html><html><script>alert(1)</script></html>"),
        /web page/,
      ],
      [
        enc('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        /SVG|XML/,
      ],
      [GIF, /GIF/],
      [enc("%PDF-1.4\n1 0 obj\n<< >>\nendobj\n"), /damaged or incomplete/],
      [new Uint8Array(0), /Choose a file|empty/],
    ];
    for (const [bytes, message] of cases) {
      const res = await upload(t, renter.cookie, bytes, "x.pdf");
      assert.equal(res.status, 400);
      assert.match(await res.text(), message);
    }
    const badFields = await upload(t, renter.cookie, pdf(), "x.pdf", {
      ...FIELDS,
      expiryDate: "",
    });
    assert.equal(badFields.status, 400);
    const big = new Uint8Array(11 * 1024 * 1024);
    big.set(enc("%PDF-1.4\n"));
    const tooBig = await upload(t, renter.cookie, big, "big.pdf");
    assert.equal(tooBig.status, 413);
    assert.equal(await count(t, "documents"), 0);
    assert.equal(await count(t, "files"), 0);
    assert.equal(await count(t, "file_chunks"), 0);
    // Expired even at UTC−12: said at once, with the date, not queued.
    const past = new Date(t.clock() - 36 * 3600_000).toISOString().slice(0, 10);
    const expired = await upload(t, renter.cookie, pdf(), "x.pdf", {
      ...FIELDS,
      expiryDate: past,
    });
    assert.equal(expired.status, 400);
    assert.match(
      visibleText(await expired.text()),
      /This document expired on .*, \d{4}\. Upload the current one/,
    );
    // Its last day still running somewhere: taken.
    const today = new Date(t.clock() - 6 * 3600_000).toISOString().slice(0, 10);
    await uploaded(t, renter.cookie, pdf(), { ...FIELDS, expiryDate: today });
  } finally {
    t.close();
  }
});

Deno.test("compliance: the file goes to its owner and staff as a sandboxed attachment, and is a 404 to anyone else", async () => {
  const { t, renter, other, support } = await setup();
  try {
    const bytes = pdf();
    const doc = await uploaded(t, renter.cookie, bytes);
    const path = `/documents/${doc.id}/file`;
    for (const cookie of [renter.cookie, support]) {
      const res = await get(t, path, cookie);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/pdf");
      assert.equal(
        res.headers.get("content-disposition"),
        `attachment; filename="food_handler_card-${doc.id}.pdf"; ` +
          `filename*=UTF-8''food_handler_card-${doc.id}.pdf`,
      );
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(
        res.headers.get("content-security-policy"),
        "default-src 'none'; sandbox",
      );
      assert.equal(res.headers.get("cache-control"), "private, no-store");
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes);
    }
    const stranger = await get(t, path, other.cookie);
    assert.equal(stranger.status, 404);
    await stranger.body?.cancel();
    const anonymous = await get(t, path);
    assert.equal(anonymous.status, 404);
    await anonymous.body?.cancel();
  } finally {
    t.close();
  }
});

Deno.test("compliance: staff see the queue; an admin verifies (audit, email, off the queue); support cannot act", async () => {
  const { t, renter, admin, support } = await setup();
  try {
    const doc = await uploaded(t, renter.cookie, pdf());
    for (const cookie of [admin, support]) {
      const queue = await get(t, "/admin/documents", cookie);
      assert.equal(queue.status, 200);
      assert.match(await queue.text(), new RegExp(doc.id));
      const one = await get(t, `/admin/documents/${doc.id}`, cookie);
      assert.equal(one.status, 200);
      await one.body?.cancel();
    }
    const renterQueue = await get(t, "/admin/documents", renter.cookie);
    assert.equal(renterQueue.status, 403);
    await renterQueue.body?.cancel();

    for (const action of ["verify", "reject", "request_renewal"]) {
      const res = await post(t, `/admin/documents/${doc.id}/${action}`, {
        reason: "No",
      }, { cookie: support });
      assert.equal(res.status, 403);
      await res.body?.cancel();
    }

    const noReason = await post(t, `/admin/documents/${doc.id}/reject`, {
      reason: "",
    }, { cookie: admin });
    assert.equal(noReason.status, 400);
    assert.match(await noReason.text(), /reason/i);

    const verified = await post(t, `/admin/documents/${doc.id}/verify`, {
      correctedExpiry: "2028-02-01",
      note: "Checked with the city register",
    }, { cookie: admin });
    assert.equal(verified.status, 303);
    const after = (await t.kv.get<ComplianceDocument>(keys.document(doc.id)))
      .value!;
    assert.equal(after.status, "verified");
    assert.equal(after.expiryDate, "2028-02-01");
    assert.equal(after.staffNotes.length, 1);

    const audit = await listAuditFor(t.kv, "document", doc.id);
    assert.equal(audit.length, 1);
    assert.equal(audit[0].action, "document.verified");
    assert.equal(audit[0].details.status, "verified");
    assert.equal(audit[0].details.holderId, renter.user.id);

    await runJobs(t);
    const mail = (await listMail(t.kv)).find((m) =>
      m.to === "rosa@example.com" && /verified/i.test(m.subject)
    );
    assert.ok(mail, "no email to the holder");
    assert.doesNotMatch(mail.text, /city register/);

    assert.equal((await listQueue(t.kv)).documents.length, 0);
    const queuePage = await (await get(t, "/admin/documents", admin)).text();
    assert.doesNotMatch(queuePage, new RegExp(doc.id));

    const again = await post(t, `/admin/documents/${doc.id}/verify`, {}, {
      cookie: admin,
    });
    assert.equal(again.status, 409);
    assert.match(await again.text(), /already verified/);
  } finally {
    t.close();
  }
});

Deno.test("compliance: two admins deciding at once: one wins, the other gets a 409", async () => {
  const { t, renter, admin, admin2 } = await setup();
  try {
    // Verify twice, and reject twice: whatever the order, the second finds
    // the document already decided. (Verify after a reject is allowed, so
    // that pair is not a conflict.)
    for (
      const [action, form] of [
        ["verify", {}],
        ["reject", { reason: "The name does not match" }],
      ] as const
    ) {
      const doc = await uploaded(t, renter.cookie, pdf());
      const [a, b] = await Promise.all([
        post(t, `/admin/documents/${doc.id}/${action}`, form, {
          cookie: admin,
        }),
        post(t, `/admin/documents/${doc.id}/${action}`, form, {
          cookie: admin2,
        }),
      ]);
      const statuses = [a.status, b.status].sort();
      assert.deepEqual(statuses, [303, 409]);
      const lost = a.status === 409 ? a : b;
      assert.match(await lost.text(), /already|was rejected/);
      await (a.status === 409 ? b : a).body?.cancel();
      const audit = await listAuditFor(t.kv, "document", doc.id);
      assert.equal(audit.length, 1);
    }
  } finally {
    t.close();
  }
});

Deno.test("compliance documents: a staff decision's audit entry records the client address", async () => {
  const { t, renter, admin } = await setup();
  const doc = await uploaded(t, renter.cookie, pdf());
  const res = await t.app.request(`/admin/documents/${doc.id}/verify`, {
    method: "POST",
    body: new URLSearchParams({ correctedExpiry: "", reason: "", note: "" }),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Sec-Fetch-Site": "same-origin",
      Cookie: admin,
    },
  }, { remoteAddr: { hostname: "203.0.113.9" } });
  assert.equal(res.status, 303, await res.clone().text());
  const [entry] = await listAuditFor(t.kv, "document", doc.id);
  assert.equal(entry.action, "document.verified");
  assert.equal(entry.client, "203.0.113.9");
  const page = await (await get(t, "/admin/audit", admin)).text();
  assert.match(page, /203\.0\.113\.9/);
  t.close();
});
