import assert from "node:assert/strict";
import { characters } from "../page_text.ts";
import encodeJpeg from "@jsquash/jpeg/encode.js";
import type { ComplianceDocument } from "../../lib/compliance/schema.ts";
import { STAGED_PURPOSE, STAGED_TTL_MS } from "../../lib/compliance/staged.ts";
import { keys } from "../../lib/db/keys.ts";
import { getFile, type StoredFile } from "../../lib/files/store.ts";
import type { JobRecord } from "../../lib/jobs/outbox.ts";
import { runJobs, signUpConfirmed, type T } from "../account_helpers.ts";
import { testApp } from "../helpers.ts";
import { makePdf, makePdfBomb, makeScannedPdf } from "../pdf_fixtures.ts";
import { STAGED_CLEANUP_JOB } from "../../lib/job_names.ts";

const COI = [
  "CERTIFICATE OF LIABILITY INSURANCE",
  "INSURED",
  "Rosa's Tamales LLC",
  "INSURER A: Golden Gate Mutual Insurance Company",
  "Policy Number: CGL 4471203",
  "POLICY EFF\tPOLICY EXP",
  "03/01/2026\t03/01/2027",
  "EACH OCCURRENCE\t$1,000,000",
  "GENERAL AGGREGATE\t$2,000,000",
  "Additional insured: City and County of San Francisco",
];

const READ_MARK = "Read from your PDF — check it.";
const UNREAD = "We couldn't read this PDF; enter the details by hand.";

const MiB = 1024 * 1024;

/** VmRSS and VmHWM of this process (Linux), in bytes; null elsewhere. */
function memory(): { rss: number; peak: number } | null {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]) *
      1024;
    return { rss: kb("VmRSS"), peak: kb("VmHWM") };
  } catch {
    return null;
  }
}

/** How far this process's resident memory rose above its level before `fn`, at its highest. */
async function peakGrowth(fn: () => Promise<void>): Promise<number | null> {
  try {
    // Resets the peak (VmHWM) to the current resident size (Linux, proc(5)).
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
  } catch {
    await fn();
    return null;
  }
  const before = memory()!.rss;
  await fn();
  return memory()!.peak - before;
}

function multipart(
  fields: Record<string, string>,
  file?: { bytes: Uint8Array; name: string },
): FormData {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  if (file) body.set("file", new File([file.bytes as BufferSource], file.name));
  return body;
}

async function send(t: T, path: string, cookie: string, body: FormData) {
  return await t.request(path, {
    method: "POST",
    body,
    headers: { "Sec-Fetch-Site": "same-origin", Cookie: cookie },
  });
}

const readStep = (
  t: T,
  cookie: string,
  kind: string,
  bytes: Uint8Array,
  name = "document.pdf",
) =>
  send(
    t,
    "/account/compliance/read",
    cookie,
    multipart({ kind }, { bytes, name }),
  );

/** The form's fields as the page rendered them: inputs' values and selected options. */
function formFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]+)"/.exec(m[0])?.[1];
    const value = /\bvalue="([^"]*)"/.exec(m[0])?.[1];
    const type = /\btype="([^"]+)"/.exec(m[0])?.[1];
    if (name && value !== undefined && type !== "checkbox") {
      out[name] = unescape(value);
    }
  }
  for (
    const m of html.matchAll(
      /<select\b[^>]*name="([^"]+)"[^>]*>(.*?)<\/select>/gs,
    )
  ) {
    const chosen = /<option[^>]*value="([^"]*)"[^>]*selected/.exec(m[2]);
    if (chosen) out[m[1]] = unescape(chosen[1]);
  }
  return out;
}

function unescape(s: string): string {
  return s.replaceAll("&#39;", "'").replaceAll("&quot;", '"')
    .replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

async function all<V>(t: T, prefix: string): Promise<Deno.KvEntry<V>[]> {
  const out: Deno.KvEntry<V>[] = [];
  for await (const e of t.kv.list<V>({ prefix: [prefix] })) out.push(e);
  return out;
}

const documents = async (t: T) =>
  (await all<ComplianceDocument>(t, "documents")).map((e) => e.value);
const stagedFiles = async (t: T) =>
  (await all<StoredFile>(t, "files")).map((e) => e.value)
    .filter((f) => f.purpose === STAGED_PURPOSE);

async function setup() {
  const t = await testApp();
  const renter = await signUpConfirmed(t, "rosa@example.com");
  const other = await signUpConfirmed(t, "otto@example.com");
  return { t, renter, other };
}

Deno.test("prefill: a renter's COI is read, staged and prefilled; confirming creates the document from the staged file, which then goes", async () => {
  const { t, renter } = await setup();
  try {
    const pdf = await makePdf(COI);
    const res = await readStep(t, renter.cookie, "liability_insurance", pdf);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Check the details of your liability insurance/);
    assert.equal(
      characters(html).split(READ_MARK).length - 1,
      8,
      "eight fields marked",
    );
    const fields = formFields(html);
    assert.deepEqual(
      {
        number: fields.number,
        authority: fields.authority,
        issueDate: fields.issueDate,
        expiryDate: fields.expiryDate,
        each: fields["insurance.perOccurrenceCents"],
        all: fields["insurance.aggregateCents"],
        named: fields["insurance.namedInsured"],
        additional: fields["insurance.additionalInsured"],
      },
      {
        number: "CGL 4471203",
        authority: "Golden Gate Mutual Insurance Company",
        issueDate: "2026-03-01",
        expiryDate: "2027-03-01",
        each: "1,000,000",
        all: "2,000,000",
        named: "Rosa's Tamales LLC",
        additional: "City and County of San Francisco",
      },
    );
    // Staged, owned by the renter, with its cleanup due in a day; no document yet.
    const [staged] = await stagedFiles(t);
    assert.equal(staged.id, fields.staged);
    assert.equal(staged.owner, renter.user.id);
    const job = (await t.kv.get<JobRecord>(
      keys.job(`staged-cleanup:${staged.id}`),
    )).value;
    assert.equal(job?.type, STAGED_CLEANUP_JOB);
    assert.equal(job?.runAt, t.clock() + STAGED_TTL_MS);
    assert.equal((await documents(t)).length, 0);

    // The renter corrects one field and confirms.
    const confirm = await send(
      t,
      "/account/compliance",
      renter.cookie,
      multipart({ ...fields, "insurance.namedInsured": "Rosa Tamales LLC" }),
    );
    assert.equal(confirm.status, 303);
    assert.equal(
      confirm.headers.get("location"),
      "/account/compliance?notice=uploaded",
    );
    const [doc] = await documents(t);
    assert.equal(doc.status, "pending");
    assert.deepEqual(doc.holder, { kind: "renter", id: renter.user.id });
    assert.deepEqual(doc.insurance, {
      perOccurrenceCents: 100_000_000,
      aggregateCents: 200_000_000,
      namedInsured: "Rosa Tamales LLC",
      additionalInsured: "City and County of San Francisco",
    });
    assert.equal(doc.expiryDate, "2027-03-01");
    const stored = await getFile(t.kv, doc.fileId);
    assert.equal(stored?.meta.purpose, "compliance-document");
    assert.deepEqual(stored?.bytes, pdf);
    assert.equal(await getFile(t.kv, staged.id), null, "staged copy deleted");
    assert.deepEqual(await stagedFiles(t), []);

    // The same staged id cannot make a second document.
    const again = await send(
      t,
      "/account/compliance",
      renter.cookie,
      multipart(fields),
    );
    assert.equal(again.status, 400);
    assert.match(await again.text(), /no longer have the file you chose/);
    assert.equal((await documents(t)).length, 1);
  } finally {
    t.close();
  }
});

Deno.test("prefill: photos and scanned PDFs are staged with nothing read; the renter types the details", async () => {
  const { t, renter } = await setup();
  try {
    const pixels = new Uint8ClampedArray(40 * 30 * 4).fill(200);
    const photo = new Uint8Array(
      await encodeJpeg(new ImageData(pixels, 40, 30), { quality: 80 }),
    );
    const cases: [Uint8Array, string, RegExp][] = [
      [photo, "card.jpg", /We do not read photos automatically/],
      [await makeScannedPdf(), "scan.pdf", /could not read any details/],
    ];
    for (const [bytes, name, message] of cases) {
      const res = await readStep(
        t,
        renter.cookie,
        "food_handler_card",
        bytes,
        name,
      );
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, message);
      assert.doesNotMatch(html, new RegExp(READ_MARK));
      const fields = formFields(html);
      assert.equal(fields.number, "");
      assert.equal(fields.expiryDate, "");
      const confirm = await send(
        t,
        "/account/compliance",
        renter.cookie,
        multipart({
          ...fields,
          number: "FH-777",
          authority: "California Food Handler Card Program",
          issueDate: "2026-01-10",
          expiryDate: "2029-01-10",
        }),
      );
      assert.equal(confirm.status, 303);
    }
    const docs = await documents(t);
    assert.deepEqual(docs.map((d) => d.number), ["FH-777", "FH-777"]);
    const types = await Promise.all(
      docs.map(async (d) => (await getFile(t.kv, d.fileId))?.meta.contentType),
    );
    assert.deepEqual(types, ["image/jpeg", "application/pdf"]);
    assert.deepEqual(await stagedFiles(t), []);
  } finally {
    t.close();
  }
});

Deno.test("prefill: a 1 MB PDF that inflates to 1 GiB is stored unread, the form says so, and the server grows by under 64 MB", async () => {
  const { t, renter } = await setup();
  try {
    const bomb = await makePdfBomb(1024 * MiB);
    assert.ok(bomb.length < 1.1 * MiB, `${bomb.length} bytes`);
    // A first upload pays once for what any first upload costs (the first
    // worker thread, compiling the routes), so the bomb is measured alone.
    const first = await readStep(
      t,
      renter.cookie,
      "food_handler_card",
      await makePdf(["Certificate No. FH-12345"]),
    );
    assert.match(characters(await first.text()), new RegExp(READ_MARK));
    let html = "";
    let status = 0;
    const growth = await peakGrowth(async () => {
      const res = await readStep(t, renter.cookie, "food_handler_card", bomb);
      status = res.status;
      html = await res.text();
    });
    if (growth !== null) {
      assert.ok(growth < 64 * MiB, `grew by ${(growth / MiB).toFixed(0)} MiB`);
    }
    assert.equal(status, 200);
    assert.match(html, /Check the details of your food handler card/);
    assert.ok(html.includes(UNREAD), "the form says the PDF was not read");
    assert.doesNotMatch(html, new RegExp(READ_MARK));
    // Stored all the same: the renter types the details and it goes to review.
    const fields = formFields(html);
    assert.equal(fields.source, "unread");
    const staged = (await stagedFiles(t)).find((f) => f.id === fields.staged);
    assert.equal(staged?.owner, renter.user.id);
    const confirm = await send(
      t,
      "/account/compliance",
      renter.cookie,
      multipart({
        ...fields,
        number: "FH-404",
        authority: "ServSafe",
        issueDate: "2026-01-10",
        expiryDate: "2029-01-10",
      }),
    );
    assert.equal(confirm.status, 303);
    const [doc] = await documents(t);
    assert.equal(doc.number, "FH-404");
    assert.deepEqual((await getFile(t.kv, doc.fileId))?.bytes, bomb);
  } finally {
    t.close();
  }
});

Deno.test("prefill: bad files, a missing kind and oversize bodies are refused at the first step with nothing stored", async () => {
  const { t, renter } = await setup();
  try {
    const enc = (s: string) => new TextEncoder().encode(s);
    const pdf = await makePdf(["Certificate No. FH-12345"]);
    const tooBig = new Uint8Array(10 * 1024 * 1024 + 1);
    tooBig.set(pdf.subarray(0, 16));
    const cases: [string, Uint8Array | null, RegExp][] = [
      ["food_handler_card", enc("<!doctype html><p>hi</p>"), /web page/],
      [
        "food_handler_card",
        enc('<svg xmlns="http://www.w3.org/2000/svg"/>'),
        /SVG/,
      ],
      [
        "food_handler_card",
        pdf.subarray(0, pdf.length - 40),
        /damaged or incomplete/,
      ],
      ["food_handler_card", new Uint8Array(0), /Choose a file to upload/],
      ["food_handler_card", null, /Choose a file to upload/],
      ["food_handler_card", tooBig, /the most is 10 MB/],
      ["", pdf, /Choose the type of document/],
      ["health_permit", pdf, /Choose the type of document/],
    ];
    for (const [kind, bytes, message] of cases) {
      const res = await send(
        t,
        "/account/compliance/read",
        renter.cookie,
        multipart({ kind }, bytes ? { bytes, name: "x.pdf" } : undefined),
      );
      assert.equal(res.status, 400, `${kind} ${message}`);
      const html = await res.text();
      assert.match(html, message);
      // Back at the first step, the kind kept.
      assert.match(html, /action="\/account\/compliance\/read#upload"/);
    }
    const huge = new Uint8Array(11 * 1024 * 1024);
    huge.set(pdf.subarray(0, 16));
    const res = await readStep(t, renter.cookie, "food_handler_card", huge);
    assert.equal(res.status, 413);
    await res.body?.cancel();
    for (
      const prefix of ["files", "file_chunks", "documents", "uploads_pending"]
    ) {
      assert.equal((await all(t, prefix)).length, 0, prefix);
    }
    const jobs = (await all<JobRecord>(t, "jobs")).filter((e) =>
      e.value.type === STAGED_CLEANUP_JOB
    );
    assert.equal(jobs.length, 0);
  } finally {
    t.close();
  }
});

Deno.test("prefill: a staged file is confirmed only by its uploader, with its id checked", async () => {
  const { t, renter, other } = await setup();
  try {
    const res = await readStep(
      t,
      renter.cookie,
      "food_handler_card",
      await makePdf(["Certificate No. FH-12345", "Expires 2028-06-30"]),
    );
    const fields = formFields(await res.text());
    const details = {
      ...fields,
      authority: "ServSafe",
      issueDate: "2025-06-30",
    };
    for (const staged of [fields.staged, "../../files/x", "not-an-id"]) {
      const stolen = await send(
        t,
        "/account/compliance",
        other.cookie,
        multipart({ ...details, staged }),
      );
      assert.equal(stolen.status, 400);
      assert.match(await stolen.text(), /no longer have the file you chose/);
    }
    assert.equal((await documents(t)).length, 0);
    assert.ok(await getFile(t.kv, fields.staged), "still staged for Rosa");
    const mine = await send(
      t,
      "/account/compliance",
      renter.cookie,
      multipart(details),
    );
    assert.equal(mine.status, 303);
    const [doc] = await documents(t);
    assert.equal(doc.holder.id, renter.user.id);
    assert.equal(doc.number, "FH-12345");
  } finally {
    t.close();
  }
});

Deno.test("prefill: bad details re-render the check step with errors, the staged file and its marks kept", async () => {
  const { t, renter } = await setup();
  try {
    const res = await readStep(
      t,
      renter.cookie,
      "liability_insurance",
      await makePdf(COI),
    );
    const fields = formFields(await res.text());
    const bad = await send(
      t,
      "/account/compliance",
      renter.cookie,
      multipart({
        ...fields,
        expiryDate: "",
        "insurance.aggregateCents": "500,000",
      }),
    );
    assert.equal(bad.status, 400);
    const html = await bad.text();
    assert.match(html, /Enter the expiry date as a date/);
    assert.match(html, /aggregate limit cannot be below/);
    assert.equal(formFields(html).staged, fields.staged);
    assert.match(characters(html), new RegExp(READ_MARK));
    assert.equal((await documents(t)).length, 0);
    const good = await send(
      t,
      "/account/compliance",
      renter.cookie,
      multipart(fields),
    );
    assert.equal(good.status, 303);
    assert.equal((await documents(t)).length, 1);
  } finally {
    t.close();
  }
});

Deno.test("prefill: a staged file never confirmed is deleted by its job a day later, and cannot be confirmed after", async () => {
  const { t, renter } = await setup();
  try {
    const res = await readStep(
      t,
      renter.cookie,
      "food_handler_card",
      await makePdf(["Certificate No. FH-12345"]),
    );
    const fields = formFields(await res.text());
    await runJobs(t);
    assert.ok(await getFile(t.kv, fields.staged), "kept while it is fresh");

    t.advance(STAGED_TTL_MS);
    const late = await send(
      t,
      "/account/compliance",
      renter.cookie,
      multipart({
        ...fields,
        authority: "ServSafe",
        issueDate: "2025-06-30",
        expiryDate: "2028-06-30",
      }),
    );
    assert.equal(late.status, 400);
    assert.match(await late.text(), /no longer have the file you chose/);

    await runJobs(t);
    assert.equal(await getFile(t.kv, fields.staged), null);
    for (const prefix of ["files", "file_chunks", "documents"]) {
      assert.equal((await all(t, prefix)).length, 0, prefix);
    }
  } finally {
    t.close();
  }
});

Deno.test("prefill: a certificate of another scope than the kind chosen gets a warning", async () => {
  const { t, renter } = await setup();
  try {
    const res = await readStep(
      t,
      renter.cookie,
      "pchf_certificate",
      await makePdf([
        "Eurofins Food Safety System Certification",
        "Scope: Preventive Controls for Animal Food (21 CFR 507)",
        "Certificate # EU-PCAF-9921",
        "Date of issue: 2025-02-14",
        "Expires 2028-02-14",
      ]),
    );
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(
      html,
      /looks like a Preventive Controls for Animal Food \(PCAF\) certificate/,
    );
    const fields = formFields(html);
    assert.equal(
      fields["certification.body"],
      "Eurofins Food Safety System Certification",
    );
    assert.equal(fields["certification.scope"], undefined);
  } finally {
    t.close();
  }
});
