import assert from "node:assert/strict";
import {
  addAudit,
  type AuditFilter,
  auditQuery,
  listAudit,
  matchesAudit,
} from "../../lib/audit/repo.ts";
import type { AuditEntry, NewAuditEntry } from "../../lib/audit/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import { newId } from "../../lib/ids.ts";
import { get, staff } from "../account_helpers.ts";
import { testApp } from "../helpers.ts";

const ANN = newId();
const ABE = newId();
const DOC = newId();
const KITCHEN = newId();

function entry(over: Partial<AuditEntry>): AuditEntry {
  return {
    v: 1,
    id: newId(),
    at: "2026-12-01T10:00:00.000Z",
    actor: { kind: "user", id: ANN, email: "ann@example.com" },
    action: "document.verified",
    subject: { kind: "document", id: DOC },
    details: {},
    ...over,
  };
}

Deno.test("audit filters: which entries each filter keeps", () => {
  const e = entry({});
  const cases: [AuditFilter, AuditEntry, boolean][] = [
    [{}, e, true],
    [{ actor: ANN }, e, true],
    [{ actor: ABE }, e, false],
    [{ actor: "ANN@Example.com" }, e, true],
    [{ actor: "abe@example.com" }, e, false],
    [{ actor: "deno task admin" }, e, false],
    [
      { actor: "deno task admin" },
      entry({ actor: { kind: "system", id: "deno task admin" } }),
      true,
    ],
    [{ subjectKind: "document" }, e, true],
    [{ subjectKind: "kitchen" }, e, false],
    [{ subjectId: DOC }, e, true],
    [{ subjectId: KITCHEN }, e, false],
    [{ subjectKind: "document", subjectId: DOC }, e, true],
    [{ action: "document.verified" }, e, true],
    [{ action: "document.rejected" }, e, false],
    [{ action: "document." }, e, true],
    [{ action: "document" }, e, true],
    [{ action: "doc" }, e, false /* a prefix is whole words only */],
    [{ action: "kitchen." }, e, false],
    [{ from: "2026-12-01" }, e, true],
    [{ from: "2026-12-02" }, e, false],
    [{ to: "2026-12-01" }, e, true],
    [{ to: "2026-11-30" }, e, false],
    [{ to: "2026-12-01" }, entry({ at: "2026-12-01T23:59:59.999Z" }), true],
    [{ to: "2026-12-01" }, entry({ at: "2026-12-02T00:00:00.000Z" }), false],
    [{ from: "2026-12-02" }, entry({ at: "2026-12-02T00:00:00.000Z" }), true],
    [{ actor: ANN, action: "document.", from: "2026-12-01" }, e, true],
    [{ actor: ANN, action: "kitchen.", from: "2026-12-01" }, e, false],
  ];
  for (const [filter, e, want] of cases) {
    assert.equal(matchesAudit(e, filter), want, JSON.stringify(filter));
  }
});

Deno.test("audit filters: the query form reads every field and refuses what makes no sense", () => {
  const blank = {
    actor: "",
    kind: "",
    subject: "",
    action: "",
    from: "",
    to: "",
    cursor: "",
  };
  const ok = auditQuery.parse({
    ...blank,
    actor: ` ${ANN.toLowerCase()} `,
    kind: "document",
    subject: DOC.toLowerCase(),
    action: "document.",
    from: "2026-11-01",
    to: "2026-11-30",
  });
  assert.deepEqual(ok, {
    cursor: null,
    filter: {
      actor: ANN,
      subjectKind: "document",
      subjectId: DOC,
      action: "document.",
      from: "2026-11-01",
      to: "2026-11-30",
    },
  });
  assert.equal(
    auditQuery.parse({ ...blank, actor: "Ann@Example.com" }).filter.actor,
    "Ann@Example.com",
  );
  const bad: [Record<string, string>, string][] = [
    [{ from: "2026-13-45" }, "from"],
    [{ from: "yesterday" }, "from"],
    [{ from: "2026-12-02", to: "2026-12-01" }, "to"],
    [{ action: "Document Verified" }, "action"],
    [{ action: "document..verified" }, "action"],
    [{ kind: "Booking!" }, "kind"],
    [{ subject: "../../etc" }, "subject"],
    [{ actor: "a\u0000b" }, "actor"],
    [{ actor: "x".repeat(300) }, "actor"],
    [{ cursor: "not-a-cursor" }, "cursor"],
  ];
  for (const [over, field] of bad) {
    const r = auditQuery.safeParse({ ...blank, ...over });
    assert.equal(r.success, false, JSON.stringify(over));
    assert.deepEqual(
      r.error?.issues.map((i) => i.path.join(".")),
      [field],
      JSON.stringify(over),
    );
  }
});

async function seed(kv: Deno.Kv) {
  const at = (d: string) => Date.parse(`${d}Z`);
  const rows: [string, NewAuditEntry][] = [
    ["2026-11-28T09:00:00", {
      actor: { kind: "user", id: ANN, email: "ann@example.com" },
      action: "document.verified",
      subject: { kind: "document", id: DOC },
      details: { n: 1 },
    }],
    ["2026-11-29T23:30:00", {
      actor: { kind: "user", id: ABE, email: "abe@example.com" },
      action: "document.rejected",
      subject: { kind: "document", id: newId() },
      details: { n: 2 },
      reason: "Blurry scan",
    }],
    ["2026-11-30T00:15:00", {
      actor: { kind: "user", id: ANN, email: "ann@example.com" },
      action: "kitchen.suspended",
      subject: { kind: "kitchen", id: KITCHEN },
      details: { n: 3 },
      reason: "Closure notice",
    }],
    ["2026-12-01T08:00:00", {
      actor: { kind: "stripe", id: "evt_1" },
      action: "payment.charged",
      subject: { kind: "booking", id: newId() },
      details: { n: 4 },
    }],
    ["2026-12-01T12:00:00", {
      actor: { kind: "system", id: "deno task admin" },
      action: "role.granted",
      subject: { kind: "user", id: ABE },
      details: { n: 5 },
    }],
    ["2026-12-01T14:00:00", {
      actor: { kind: "user", id: ANN, email: "ann@example.com" },
      action: "document.renewal_requested",
      subject: { kind: "document", id: DOC },
      details: { n: 6 },
    }],
  ];
  for (const [when, e] of rows) {
    const atomic = kv.atomic();
    addAudit(atomic, e, at(when));
    assert.ok((await atomic.commit()).ok);
  }
}

const ns = (entries: AuditEntry[]) => entries.map((e) => e.details.n);

Deno.test("audit filters: listAudit filters by actor, object, action and UTC days, newest first", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await seed(kv);
    const cases: [AuditFilter, number[]][] = [
      [{}, [6, 5, 4, 3, 2, 1]],
      [{ actor: ANN }, [6, 3, 1]],
      [{ actor: "ABE@example.com" }, [2]],
      [{ actor: "deno task admin" }, [5]],
      [{ subjectKind: "document" }, [6, 2, 1]],
      [{ subjectKind: "document", subjectId: DOC }, [6, 1]],
      [{ subjectKind: "user", subjectId: ABE }, [5]],
      [{ subjectId: ABE }, [5]],
      [{ subjectKind: "kitchen", subjectId: DOC }, []],
      [{ action: "document." }, [6, 2, 1]],
      [{ action: "document.rejected" }, [2]],
      [{ action: "kitchen" }, [3]],
      [{ from: "2026-11-30" }, [6, 5, 4, 3]],
      [{ to: "2026-11-29" }, [2, 1]],
      [{ from: "2026-11-29", to: "2026-11-30" }, [3, 2]],
      [{ from: "2026-12-01", to: "2026-12-01", actor: ANN }, [6]],
      [{ subjectKind: "document", subjectId: DOC, to: "2026-11-30" }, [1]],
      [{ from: "2027-01-01" }, []],
    ];
    for (const [filter, want] of cases) {
      const page = await listAudit(kv, { filter });
      assert.deepEqual(ns(page.entries), want, JSON.stringify(filter));
      assert.equal(page.cursor, null, JSON.stringify(filter));
      assert.equal(page.partial, false);
    }
  } finally {
    kv.close();
  }
});

Deno.test("audit filters: filtered pages cover every match once, and a small scan budget stops early and resumes", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await seed(kv);
    for (
      const filter of [
        { actor: ANN },
        { subjectKind: "document", subjectId: DOC },
        { action: "document." },
      ] as AuditFilter[]
    ) {
      const all = ns((await listAudit(kv, { filter })).entries);
      const seen: unknown[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof listAudit>> = await listAudit(
          kv,
          { filter, cursor, limit: 1 },
        );
        seen.push(...ns(page.entries));
        cursor = page.cursor;
      } while (cursor);
      assert.deepEqual(seen, all, JSON.stringify(filter));
    }

    const first = await listAudit(kv, {
      filter: { actor: ABE },
      scanLimit: 2,
      limit: 1,
    });
    assert.deepEqual(first.entries, []);
    assert.equal(first.partial, true);
    assert.ok(first.cursor);
    const next = await listAudit(kv, {
      filter: { actor: ABE },
      cursor: first.cursor,
      scanLimit: 100,
    });
    assert.deepEqual(ns(next.entries), [2]);
    assert.equal(next.partial, false);
  } finally {
    kv.close();
  }
});

Deno.test("audit filters: /admin/audit filters from the query string, keeps filters across pages, and answers bad filters with a 400 form", async () => {
  const t = await testApp();
  try {
    const support = await staff(t, "sam@example.com", "support");
    await seed(t.kv);
    const atomic = t.kv.atomic();
    for (let i = 0; i < 55; i++) {
      addAudit(atomic, {
        actor: { kind: "user", id: ANN, email: "ann@example.com" },
        action: "booking.cancelled",
        subject: { kind: "booking", id: newId() },
        details: { n: 100 + i },
      }, Date.parse("2026-12-01T16:00:00Z") + i);
    }
    assert.ok((await atomic.commit()).ok);

    const res = await get(
      t,
      `/admin/audit?actor=ann%40example.com&action=document.`,
      support,
    );
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /n=6/);
    assert.match(page, /n=1</);
    assert.doesNotMatch(page, /n=2</, "Abe's entry is filtered out");
    assert.doesNotMatch(page, /n=10\d/, "bookings are filtered out");
    assert.match(page, /value="ann@example.com"/);
    assert.match(page, /Clear filters/);
    assert.match(page, new RegExp(`href="/admin/documents/${DOC}"`));

    const kitchen = await (await get(
      t,
      `/admin/audit?kind=kitchen&subject=${KITCHEN}`,
      support,
    )).text();
    assert.match(kitchen, /kitchen\.suspended/);
    assert.match(kitchen, /Closure notice/);
    assert.match(kitchen, new RegExp(`href="/admin/kitchens/${KITCHEN}"`));

    const bookings = await (await get(
      t,
      "/admin/audit?action=booking.cancelled",
      support,
    )).text();
    const older = /href="(\/admin\/audit\?cursor=[0-9A-Z]{26}[^"]*)"/.exec(
      bookings,
    );
    assert.ok(older, "a link to older entries");
    assert.match(older[1], /&amp;action=booking.cancelled$/);
    const second = await (await get(
      t,
      older[1].replaceAll("&amp;", "&"),
      support,
    )).text();
    assert.match(second, /n=100</);
    assert.doesNotMatch(second, /n=6</, "still filtered on page two");
    assert.doesNotMatch(second, /Older entries/);

    for (
      const [query, field, message] of [
        ["from=2026-13-45", "from", /Enter a date like 2026-12-31/],
        ["from=2026-12-02&to=2026-12-01", "to", /on or after the start date/],
        ["action=Document%20Verified", "action", /Enter an action like/],
        ["kind=Booking!", "kind", /Enter a kind of object/],
        ["cursor=not-a-cursor", null, /That page link is not valid/],
        [`cursor=${"Z".repeat(300)}`, null, /That page link is not valid/],
      ] as const
    ) {
      const bad = await get(t, `/admin/audit?${query}`, support);
      assert.equal(bad.status, 400, query);
      const html = await bad.text();
      assert.match(html, message, query);
      if (field) assert.match(html, new RegExp(`id="f-${field}-error"`));
      assert.doesNotMatch(html, /<table/, query);
    }
  } finally {
    t.close();
  }
});

Deno.test("audit filters: no route changes or deletes an entry", async () => {
  const t = await testApp();
  try {
    const admin = await staff(t, "ann@example.com", "admin");
    await seed(t.kv);
    const before: unknown[] = [];
    for await (const e of t.kv.list({ prefix: keys.auditPrefix() })) {
      before.push([e.key, e.versionstamp]);
    }
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      for (const path of ["/admin/audit", `/admin/audit/${newId()}`]) {
        const res = await t.request(path, {
          method,
          headers: { Cookie: admin, "Sec-Fetch-Site": "same-origin" },
        });
        assert.equal(res.status, 404, `${method} ${path}`);
        await res.body?.cancel();
      }
    }
    const after: unknown[] = [];
    for await (const e of t.kv.list({ prefix: keys.auditPrefix() })) {
      after.push([e.key, e.versionstamp]);
    }
    // Two staff role grants were audited before; nothing since.
    assert.deepEqual(after, before);
  } finally {
    t.close();
  }
});
