import assert from "node:assert/strict";
import { listAudit } from "../../lib/audit/repo.ts";
import { RECOGNITIONS } from "../../lib/compliance/certifiers.ts";
import {
  certificateChain,
  directoryRows,
  listRecordedRecognitions,
  recognitionWatch,
} from "../../lib/compliance/directory.ts";
import { newDocument } from "../../lib/compliance/review.ts";
import type { ComplianceDocument } from "../../lib/compliance/schema.ts";
import { get, post, signUp, staff } from "../account_helpers.ts";
import { testApp } from "../helpers.ts";

// testApp's clock: 2026-12-01T15:00Z, 07:00 that day in Los Angeles.
const TODAY = "2026-12-01";

/** Table rows of the directory on a page: [body id, state]. */
function rowsOf(html: string): [string, string][] {
  return [...html.matchAll(/data-state="([a-z_]+)" data-body="([a-z_]+)"/g)]
    .map((m) => [m[2], m[1]]);
}

/** A renter's LACF certificate from UL, issued while UL was recognised. */
function lacfCertificate(): ComplianceDocument {
  return newDocument({
    id: "01JDOC00000000000000000001",
    holder: { kind: "renter", id: "01JRENTER00000000000000000" },
    fileId: "01JFILE0000000000000000000",
    upload: {
      kind: "lacf_certificate",
      number: "LACF-7",
      authority: "UL LLC",
      issueDate: "2024-05-01",
      expiryDate: "2027-05-01",
      insurance: null,
      inspection: null,
      greaseService: null,
      certification: { body: "UL", scope: "lacf" },
    },
    uploadedBy: "01JRENTER00000000000000000",
    now: Date.parse("2026-11-01T00:00:00Z"),
  });
}

const RENEWAL = {
  accreditor: "ias",
  body: "ul",
  scopes: "lacf",
  from: "2025-12-11",
  to: "2031-12-10",
};

Deno.test("certifiers: the public directory lists every recognition and says which have lapsed", async () => {
  const t = await testApp();
  try {
    const res = await get(t, "/certifiers");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<h1[^>]*>Federal certifier directory<\/h1>/);
    assert.match(html, /ANSI National Accreditation Board/);
    assert.match(html, /International Accreditation Service/);
    const rows = rowsOf(html);
    assert.equal(rows.length, RECOGNITIONS.length);
    const lapsed = rows.filter(([, s]) => s === "lapsed").map(([b]) => b)
      .sort();
    assert.deepEqual(lapsed, [
      "bureau_veritas",
      "dekra",
      "dnv",
      "fsns",
      "nsf_isr",
      "sai_global",
      "sgs",
      "ul",
    ]);
    assert.match(
      html,
      /16 recognitions; 8 have lapsed as of Tue, Dec 1, 2026\./,
    );
    assert.match(html, /Lapsed on Thu, Mar 20, 2025 \(621 days ago\)\./);
    assert.match(html, /Recognised until Sun, Jan 10, 2027 \(40 days left\)\./);
    // Linked from every page's footer.
    assert.match(await (await get(t, "/")).text(), /href="\/certifiers"/);
  } finally {
    t.close();
  }
});

Deno.test("certifiers: search by scope; an unknown scope is a 400 with a message", async () => {
  const t = await testApp();
  try {
    const lacf = await (await get(t, "/certifiers?scope=lacf")).text();
    assert.deepEqual(rowsOf(lacf), [["ul", "lapsed"]]);
    assert.match(
      lacf,
      /1 recognition for Low-Acid Canned Foods \(LACF\); 1 has lapsed/,
    );
    assert.match(lacf, /value="lacf" selected/);

    const juice = await (await get(t, "/certifiers?scope=juice_haccp")).text();
    assert.deepEqual(rowsOf(juice), [["intertek", "in_force"]]);

    const infant = await (await get(t, "/certifiers?scope=infant_formula"))
      .text();
    assert.deepEqual(rowsOf(infant), []);
    assert.match(infant, /No certification body is recognised for Infant/);

    for (
      const bad of ["bogus", "PCHF", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"]
    ) {
      const res = await get(t, `/certifiers?scope=${bad}`);
      assert.equal(res.status, 400, bad);
      const html = await res.text();
      assert.match(html, /We don(&#39;|')t know that scope/);
      assert.doesNotMatch(html, /<script>alert/);
    }
  } finally {
    t.close();
  }
});

Deno.test("certifiers: an admin records a renewal, audited, and the authority chain becomes valid", async () => {
  const t = await testApp();
  try {
    const cert = lacfCertificate();
    const before = await certificateChain(t.kv, cert, t.clock());
    assert.equal(before?.ok, false);
    assert.match(
      before && !before.ok ? before.reason : "",
      /recognition of UL LLC for Low-Acid Canned Foods \(LACF\) by IAS lapsed on Wed, Dec 10, 2025/,
    );

    const admin = await staff(t, "ann@example.com", "admin");
    const page = await (await get(t, "/admin/certifiers", admin)).text();
    assert.match(page, /Record a renewed recognition/);
    assert.match(page, /<legend[^>]*>Scopes<\/legend>/);

    const res = await post(t, "/admin/certifiers", RENEWAL, { cookie: admin });
    assert.equal(res.status, 303);
    assert.equal(
      res.headers.get("location"),
      "/admin/certifiers?notice=recorded",
    );
    const recorded = await listRecordedRecognitions(t.kv);
    assert.equal(recorded.length, 1);
    assert.deepEqual(
      [recorded[0].accreditor, recorded[0].body, recorded[0].scopes],
      ["ias", "ul", ["lacf"]],
    );
    const audit = (await listAudit(t.kv)).entries.find((e) =>
      e.action === "certifier.recognition_recorded"
    );
    assert.ok(audit, "audited");
    assert.equal(audit.actor.email, "ann@example.com");
    assert.deepEqual(audit.subject, {
      kind: "certifier_recognition",
      id: recorded[0].id,
    });
    assert.equal(audit.details.to, "2031-12-10");

    const after = await certificateChain(t.kv, cert, t.clock());
    assert.equal(after?.ok, true);
    assert.equal(after?.ok && after.recognition.to, "2031-12-10");

    // The lapsed row stays, now with the renewal beside it.
    const lacf = await (await get(t, "/certifiers?scope=lacf")).text();
    assert.deepEqual(rowsOf(lacf), [["ul", "lapsed"], ["ul", "in_force"]]);
    assert.match(lacf, /A renewal covers LACF\./);
    assert.match(lacf, /Renewal recorded by Prep staff on Tue, Dec 1, 2026/);
    const notice = await (await get(
      t,
      "/admin/certifiers?notice=recorded",
      admin,
    )).text();
    assert.match(notice, /The recognition is recorded/);

    // Recording the same one again is refused.
    const again = await post(t, "/admin/certifiers", RENEWAL, {
      cookie: admin,
    });
    assert.equal(again.status, 400);
    assert.match(await again.text(), /already holds this recognition/);
    assert.equal((await listRecordedRecognitions(t.kv)).length, 1);

    // A certificate of another kind has no chain.
    assert.equal(
      await certificateChain(
        t.kv,
        { ...cert, kind: "food_handler_card", certification: null },
        t.clock(),
      ),
      null,
    );
  } finally {
    t.close();
  }
});

Deno.test("certifiers: support reads but cannot record; others are kept out", async () => {
  const t = await testApp();
  try {
    const support = await staff(t, "sam@example.com", "support");
    const page = await get(t, "/admin/certifiers", support);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Support accounts can look but not change/);
    assert.doesNotMatch(html, /method="post" action="\/admin\/certifiers"/);
    const res = await post(t, "/admin/certifiers", RENEWAL, {
      cookie: support,
    });
    assert.equal(res.status, 403);
    await res.body?.cancel();
    assert.equal((await listRecordedRecognitions(t.kv)).length, 0);

    const renter = await signUp(t, "rosa@example.com");
    assert.equal((await get(t, "/admin/certifiers", renter)).status, 403);
    assert.equal((await get(t, "/admin/certifiers")).status, 403);
    const anon = await post(t, "/admin/certifiers", RENEWAL);
    assert.equal(anon.status, 403);
    await anon.body?.cancel();
    assert.equal((await listRecordedRecognitions(t.kv)).length, 0);
    assert.equal(
      (await listAudit(t.kv)).entries.filter((e) =>
        e.action === "certifier.recognition_recorded"
      ).length,
      0,
    );
  } finally {
    t.close();
  }
});

Deno.test("certifiers: a bad renewal form is shown again with field errors", async () => {
  const t = await testApp();
  try {
    const admin = await staff(t, "ann@example.com", "admin");
    const cases: {
      form: Record<string, string>;
      field: string;
      message: RegExp;
    }[] = [
      {
        // No box ticked: a browser sends no "scopes" at all.
        form: Object.fromEntries(
          Object.entries(RENEWAL).filter(([k]) => k !== "scopes"),
        ),
        field: "scopes",
        message: /Choose at least one scope/,
      },
      {
        form: { ...RENEWAL, scopes: "bogus" },
        field: "scopes",
        message: /Choose scopes from the list/,
      },
      {
        form: { ...RENEWAL, body: "acme" },
        field: "body",
        message: /Choose the certification body/,
      },
      {
        form: { ...RENEWAL, accreditor: "" },
        field: "accreditor",
        message: /Choose the accreditor/,
      },
      {
        form: { ...RENEWAL, from: "12/11/2025" },
        field: "from",
        message: /Enter the first day of the recognition as a date/,
      },
      {
        form: { ...RENEWAL, to: "2025-01-01" },
        field: "to",
        message: /The last day must be on or after the first day/,
      },
    ];
    for (const c of cases) {
      const res = await post(t, "/admin/certifiers", c.form, {
        cookie: admin,
      });
      assert.equal(res.status, 400, c.field);
      const html = await res.text();
      const error = new RegExp(
        `id="r-${c.field}-error"[^>]*>([^<]*)<`,
      ).exec(html);
      assert.ok(error, `no error shown for ${c.field}`);
      assert.match(error[1], c.message);
      // What was typed is kept.
      if (c.field === "to") assert.match(html, /value="2025-01-01"/);
    }
    assert.equal((await listRecordedRecognitions(t.kv)).length, 0);
  } finally {
    t.close();
  }
});

Deno.test("certifiers: staff see what lapses within 90, 180 and 365 days and what has lapsed", async () => {
  const t = await testApp();
  try {
    const watch = recognitionWatch(TODAY, RECOGNITIONS);
    const bodies = (rs: { body: string }[]) => rs.map((r) => r.body);
    assert.deepEqual(watch.lapsing.map((g) => g.days), [90, 180, 365]);
    assert.deepEqual(bodies(watch.lapsing[0].recognitions), ["scs_global"]);
    assert.deepEqual(bodies(watch.lapsing[1].recognitions), ["als"]);
    assert.deepEqual(bodies(watch.lapsing[2].recognitions), [
      "intertek",
      "perry_johnson",
    ]);
    assert.equal(watch.lapsed.length, 8);
    assert.ok(watch.lapsed.every((l) => l.renewedScopes.length === 0));

    const admin = await staff(t, "ann@example.com", "admin");
    let home = await (await get(t, "/admin", admin)).text();
    assert.match(home, /Lapsing within 90 days/);
    assert.match(
      home,
      /SCS Global Services \(ANAB; PCHF, Produce Safety\): last day Sunday, January 10, 2027/,
    );
    assert.match(home, /Lapsing in 91 to 180 days/);
    assert.match(home, /Lapsing in 181 to 365 days/);
    assert.match(
      home,
      /UL LLC \(IAS; PCHF, LACF\): lapsed on Wednesday, December 10, 2025; <strong[^>]*>not renewed/,
    );

    await post(t, "/admin/certifiers", RENEWAL, { cookie: admin });
    home = await (await get(t, "/admin", admin)).text();
    assert.match(
      home,
      /UL LLC \(IAS; PCHF, LACF\): lapsed on Wednesday, December 10, 2025; renewed for LACF only\./,
    );
  } finally {
    t.close();
  }
});

Deno.test("certifiers: rows are filtered by scope and keep lapsed ones (pure)", () => {
  const entries = RECOGNITIONS.map((recognition) => ({
    recognition,
    recorded: null,
  }));
  const pchf = directoryRows(entries, TODAY, "pchf");
  assert.equal(pchf.length, 15);
  assert.ok(pchf.some((r) => r.state === "lapsed"));
  const names = pchf.map((r) => r.recognition.body);
  assert.equal(names[0], "als", "sorted by the body's name");
  assert.deepEqual(
    directoryRows(entries, "2019-01-01", "pcaf").map((r) => r.state),
    [
      "not_yet",
      "not_yet",
      "not_yet",
      "not_yet",
      "not_yet",
      "not_yet",
    ],
  );
});
