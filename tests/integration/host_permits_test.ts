import assert from "node:assert/strict";
import type { ComplianceDocument } from "../../lib/compliance/schema.ts";
import { STAGED_PURPOSE } from "../../lib/compliance/staged.ts";
import type { StoredFile } from "../../lib/files/store.ts";
import { createDraft, saveSection } from "../../lib/kitchens/listings.ts";
import {
  get,
  post,
  signUpConfirmed,
  staff,
  type T,
} from "../account_helpers.ts";
import { addKitchens, kitchenFixture, testApp } from "../helpers.ts";
import { makePdf, makePdfBomb } from "../pdf_fixtures.ts";

const HEALTH_PERMIT = [
  "CITY AND COUNTY OF SAN FRANCISCO",
  "SF Department of Public Health",
  "HEALTH PERMIT",
  "Permit Number: PR-0045821",
  "Valid from January 1, 2026 through December 31, 2027",
];

const INSPECTION = [
  "Multnomah County Health Department",
  "Food Service Inspection Report",
  "Inspection Date: 03/14/2026",
  "Report No. IR-2026-03141",
  "Score: 92/100",
  "Result: PASS",
];

function multipart(
  fields: Record<string, string>,
  file?: Uint8Array,
): FormData {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  if (file) body.set("file", new File([file as BufferSource], "permit.pdf"));
  return body;
}

async function send(t: T, path: string, cookie: string, body: FormData) {
  return await t.request(path, {
    method: "POST",
    body,
    headers: { "Sec-Fetch-Site": "same-origin", Cookie: cookie },
  });
}

/** The form's inputs and selected options as the page rendered them. */
function formFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]+)"/.exec(m[0])?.[1];
    const value = /\bvalue="([^"]*)"/.exec(m[0])?.[1];
    if (name && value !== undefined) out[name] = value.replaceAll("&amp;", "&");
  }
  for (
    const m of html.matchAll(
      /<select\b[^>]*name="([^"]+)"[^>]*>(.*?)<\/select>/gs,
    )
  ) {
    const chosen = /<option[^>]*value="([^"]*)"[^>]*selected/.exec(m[2]);
    if (chosen) out[m[1]] = chosen[1];
  }
  return out;
}

/** The page above the upload form, whose kind list names every kind. */
const tables = (html: string) => html.split('<form id="upload"')[0];

async function all<V>(t: T, prefix: string): Promise<V[]> {
  const out: V[] = [];
  for await (const e of t.kv.list<V>({ prefix: [prefix] })) out.push(e.value);
  return out;
}

/** A draft in San Francisco (district NC-3) and a published kitchen in Portland. */
async function setup() {
  const t = await testApp();
  const host = await signUpConfirmed(t, "hana@example.com", "host");
  const editor = { id: host.user.id, roles: host.user.roles };
  const draft = await createDraft(t.kv, editor, t.clock());
  await saveSection(t.kv, draft.id, editor, "location", {
    address: {
      line1: "2140 Mission St",
      neighborhood: "Mission",
      city: "san-francisco",
      state: "CA",
      postalCode: "94110",
    },
    lat: 37.76,
    lng: -122.42,
    timeZone: "America/Los_Angeles",
    zoningDistrict: "NC-3",
  }, t.clock());
  const [published] = await addKitchens(t.kv, host.user.id, [
    kitchenFixture({
      title: "Alberta Street Kitchen",
      address: {
        line1: "1 Alberta St",
        neighborhood: "Alberta Arts",
        city: "portland",
        state: "OR",
        postalCode: "97211",
      },
      lat: 45.56,
      lng: -122.65,
      timeZone: "America/Los_Angeles",
    }),
  ]);
  return { t, host, draftId: draft.id, publishedId: published.id };
}

/** Reads the PDF, then confirms what the page prefilled, with `over` changed. */
async function uploadPermit(
  t: T,
  cookie: string,
  kitchenId: string,
  kind: string,
  pdf: Uint8Array,
  over: Record<string, string> = {},
) {
  const base = `/host/kitchens/${kitchenId}/permits`;
  const read = await send(t, `${base}/read`, cookie, multipart({ kind }, pdf));
  assert.equal(read.status, 200, await read.clone().text());
  const fields = formFields(await read.text());
  const confirm = await send(
    t,
    base,
    cookie,
    multipart({ ...fields, ...over }),
  );
  assert.equal(confirm.status, 303, await confirm.clone().text());
  assert.equal(confirm.headers.get("location"), `${base}?notice=uploaded`);
  return fields;
}

Deno.test("host permits: a San Francisco draft lists the city's permits and its zoning notice; the host uploads a permit with prefill", async () => {
  const { t, host, draftId } = await setup();
  try {
    const page = await get(t, `/host/kitchens/${draftId}/permits`, host.cookie);
    assert.equal(page.status, 200);
    const html = tables(await page.text());
    assert.match(html, /Required in San Francisco/);
    for (
      const name of [
        "Shared kitchen permit",
        "Fire safety inspection or suppression certificate",
        "Hood and ventilation inspection",
        "Health permit",
        "Business license",
      ]
    ) assert.match(html, new RegExp(name), name);
    assert.match(
      html,
      /Your zoning district, NC-3, needs a neighborhood notice/,
    );
    assert.match(html, /Grease trap service record/);
    assert.match(html, /Health inspection report/);
    assert.match(html, /Not uploaded/);
    assert.doesNotMatch(html, /Community notification/);

    const fields = await uploadPermit(
      t,
      host.cookie,
      draftId,
      "health_permit",
      await makePdf(HEALTH_PERMIT),
      { issueDate: "2026-01-02" },
    );
    assert.equal(fields.number, "PR-0045821");
    assert.equal(fields.authority, "SF Department of Public Health");
    assert.equal(fields.expiryDate, "2027-12-31");

    const [doc] = (await all<ComplianceDocument>(t, "documents"))
      .filter((d) => d.holder.id === draftId);
    assert.deepEqual(doc.holder, { kind: "kitchen", id: draftId });
    assert.equal(doc.kind, "health_permit");
    assert.equal(doc.issueDate, "2026-01-02");
    assert.deepEqual(
      (await all<StoredFile>(t, "files")).filter((f) =>
        f.purpose === STAGED_PURPOSE
      ),
      [],
    );
    const after = await (await get(
      t,
      `/host/kitchens/${draftId}/permits?notice=uploaded`,
      host.cookie,
    )).text();
    assert.match(after, /Your document is uploaded/);
    // Others are still needed: the way on is those, not publishing.
    assert.match(after, /Needed: [^<]*Shared kitchen permit/);
    assert.doesNotMatch(after, /Next: Review and publish/);
    assert.match(after, /Waiting for review/);
    assert.match(after, /Fri, Dec 31, 2027/);
    assert.match(after, new RegExp(`/documents/${doc.id}/file`));
  } finally {
    t.close();
  }
});

Deno.test("host permits: a published Portland kitchen needs its community notice; an inspection report is read with its score and result", async () => {
  const { t, host, publishedId } = await setup();
  try {
    const html = tables(
      await (await get(
        t,
        `/host/kitchens/${publishedId}/permits`,
        host.cookie,
      )).text(),
    );
    assert.match(html, /Required in Portland/);
    assert.match(html, /Commissary permit/);
    assert.match(html, /Community notification/);
    assert.doesNotMatch(html, /Neighborhood notice/);

    const fields = await uploadPermit(
      t,
      host.cookie,
      publishedId,
      "inspection_report",
      await makePdf(INSPECTION),
      { expiryDate: "2027-03-14" },
    );
    assert.equal(fields["inspection.score"], "92");
    assert.equal(fields["inspection.passed"], "pass");
    const doc = (await all<ComplianceDocument>(t, "documents"))
      .find((d) => d.kind === "inspection_report")!;
    assert.deepEqual(doc.inspection, {
      date: "2026-03-14",
      score: 92,
      passed: true,
    });
    assert.equal(doc.authority, "Multnomah County Health Department");
  } finally {
    t.close();
  }
});

Deno.test("host permits: a permit PDF that inflates past the reading budget is stored unread, and the form says so", async () => {
  const { t, host, publishedId } = await setup();
  try {
    const bomb = await makePdfBomb(256 * 1024 * 1024);
    const base = `/host/kitchens/${publishedId}/permits`;
    const read = await send(
      t,
      `${base}/read`,
      host.cookie,
      multipart({ kind: "health_permit" }, bomb),
    );
    assert.equal(read.status, 200);
    const html = await read.text();
    assert.ok(
      html.includes(
        "We couldn&#39;t read this PDF; enter the details by hand.",
      ) ||
        html.includes("We couldn't read this PDF; enter the details by hand."),
    );
    const fields = formFields(html);
    assert.equal(fields.number, "");
    const confirm = await send(
      t,
      base,
      host.cookie,
      multipart({
        ...fields,
        number: "PR-0045821",
        authority: "Multnomah County Health Department",
        issueDate: "2026-01-01",
        expiryDate: "2027-12-31",
      }),
    );
    assert.equal(confirm.status, 303);
    const docs = await all<ComplianceDocument>(t, "documents");
    assert.ok(docs.some((d) => d.number === "PR-0045821"));
  } finally {
    t.close();
  }
});

Deno.test("host permits: verified by staff, the permit shows as verified in the section", async () => {
  const { t, host, publishedId } = await setup();
  try {
    const admin = await staff(t, "ann@example.com", "admin");
    await uploadPermit(
      t,
      host.cookie,
      publishedId,
      "grease_service",
      await makePdf([
        "Pacific Grease Trap Services",
        "Work Order # 55120",
        "Service Date: 02/20/2026",
        "Next service due: 05/20/2026",
      ]),
      { expiryDate: "2028-01-05", authority: "Pacific Grease Trap Services" },
    );
    const doc = (await all<ComplianceDocument>(t, "documents"))
      .find((d) => d.kind === "grease_service")!;
    assert.deepEqual(doc.greaseService, { date: "2026-02-20" });
    const verified = await post(t, `/admin/documents/${doc.id}/verify`, {}, {
      cookie: admin,
    });
    assert.equal(verified.status, 303);
    const html = await (await get(
      t,
      `/host/kitchens/${publishedId}/permits`,
      host.cookie,
    )).text();
    const row = /<tr[^>]*>(?:(?!<\/tr>).)*Grease trap service record.*?<\/tr>/s
      .exec(tables(html));
    assert.ok(row);
    assert.match(row[0], /Verified/);
    assert.match(row[0], /Wed, Jan 5, 2028/);
  } finally {
    t.close();
  }
});

Deno.test("host permits: another host gets 404 and stores nothing; staff may look but not upload; renters and visitors are kept out", async () => {
  const { t, draftId, publishedId } = await setup();
  try {
    const other = await signUpConfirmed(t, "omar@example.com", "host");
    const renter = await signUpConfirmed(t, "rosa@example.com");
    const support = await staff(t, "sam@example.com", "support");
    const admin = await staff(t, "ann@example.com", "admin");
    const pdf = await makePdf(HEALTH_PERMIT);
    // The published kitchen's helper permits are there already.
    const stored: Record<string, number> = {};
    for (const prefix of ["documents", "files", "file_chunks", "jobs"]) {
      stored[prefix] = (await all(t, prefix)).length;
    }
    for (const id of [draftId, publishedId]) {
      const base = `/host/kitchens/${id}/permits`;
      const page = await get(t, base, other.cookie);
      assert.equal(page.status, 404);
      await page.body?.cancel();
      for (const path of [`${base}/read`, base]) {
        // Support staff are told they may only look; the rest learn nothing.
        for (
          const [cookie, status] of [
            [other.cookie, 404],
            [support, 403],
            [admin, 404],
          ] as const
        ) {
          const res = await send(
            t,
            path,
            cookie,
            multipart({ kind: "health_permit" }, pdf),
          );
          assert.equal(res.status, status, `${path}`);
          await res.body?.cancel();
        }
      }
      for (const cookie of [support, admin]) {
        const look = await get(t, base, cookie);
        assert.equal(look.status, 200);
        const html = await look.text();
        assert.match(
          html,
          /Only the kitchen(?:'|&#39;)s host uploads its permits/,
        );
        assert.doesNotMatch(html, /type="file"/);
      }
      const renterPage = await get(t, base, renter.cookie);
      assert.equal(renterPage.status, 403);
      await renterPage.body?.cancel();
      const anonymous = await get(t, base);
      assert.equal(anonymous.status, 303);
      assert.match(anonymous.headers.get("location") ?? "", /^\/login/);
    }
    for (const prefix of ["documents", "files", "file_chunks", "jobs"]) {
      assert.equal((await all(t, prefix)).length, stored[prefix], prefix);
    }
  } finally {
    t.close();
  }
});

Deno.test("host permits: the editor links to the section; oversize uploads are refused before the body is read", async () => {
  const { t, host, draftId } = await setup();
  try {
    const overview = await (await get(
      t,
      `/host/kitchens/${draftId}`,
      host.cookie,
    )).text();
    assert.match(
      overview,
      new RegExp(`href="/host/kitchens/${draftId}/permits"`),
    );
    const huge = new Uint8Array(11 * 1024 * 1024);
    huge.set(new TextEncoder().encode("%PDF-1.4\n"));
    for (const path of ["/permits/read", "/permits"]) {
      const res = await send(
        t,
        `/host/kitchens/${draftId}${path}`,
        host.cookie,
        multipart({ kind: "health_permit" }, huge),
      );
      assert.equal(res.status, 413);
      await res.body?.cancel();
    }
    const picked = await (await get(
      t,
      `/host/kitchens/${draftId}/permits?kind=ventilation`,
      host.cookie,
    )).text();
    assert.equal(formFields(picked).kind, "ventilation");
  } finally {
    t.close();
  }
});
