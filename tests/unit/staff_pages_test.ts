/**
 * The pure parts of the staff pages (issue 17 §16–18): the queue's filters
 * as links, the audit log's ids to name and its actions as words, and the
 * stamp of a record that spans years.
 */
import assert from "node:assert/strict";
import { actorIds, subjectIds, subjectKey } from "../../lib/audit/names.ts";
import type { AuditEntry } from "../../lib/audit/schema.ts";
import { queueSearch } from "../../lib/compliance/queue.ts";
import { formatStamp } from "../../lib/format.ts";
import { actionName } from "../../components/AdminPages.tsx";

Deno.test("staff queue: the filters travel as a query string, only those set (pure)", () => {
  const cases: [Parameters<typeof queueSearch>, string][] = [
    [[{}], ""],
    [[{ kind: "health_permit" }], "?kind=health_permit"],
    [[{ city: "chicago" }], "?city=chicago"],
    [
      [{ kind: "health_permit", city: "chicago" }, { notice: "done" }],
      "?kind=health_permit&city=chicago&notice=done",
    ],
    [
      [{}, { after: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }],
      "?after=01ARZ3NDEKTSV4RRFFQ69G5FAV",
    ],
  ];
  for (const [args, want] of cases) assert.equal(queueSearch(...args), want);
});

const entry = (
  actor: AuditEntry["actor"],
  subject: AuditEntry["subject"],
): AuditEntry => ({
  v: 1,
  id: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
  at: "2026-12-01T15:00:00.000Z",
  actor,
  action: "booking.cancelled",
  subject,
  details: {},
});

Deno.test("audit names: which ids a page needs named, each once (pure)", () => {
  const entries = [
    entry({ kind: "user", id: "U1" }, { kind: "booking", id: "B1" }),
    entry({ kind: "user", id: "U1" }, { kind: "booking", id: "B2" }),
    entry({ kind: "system", id: "deno task admin" }, {
      kind: "user",
      id: "U2",
    }),
    entry({ kind: "stripe", id: "evt_1" }, { kind: "booking", id: "B1" }),
    entry({ kind: "user", id: null }, { kind: "kitchen", id: "K1" }),
  ];
  assert.deepEqual(actorIds(entries), ["U1"]);
  assert.deepEqual(subjectIds(entries, "booking"), ["B1", "B2"]);
  assert.deepEqual(subjectIds(entries, "user"), ["U2"]);
  assert.deepEqual(subjectIds(entries, "document"), []);
  assert.equal(subjectKey("kitchen", "K1"), "kitchen:K1");
});

Deno.test("audit names: actions read as words, stamps carry the year (pure)", () => {
  const cases: [string, string][] = [
    [actionName("document.verified"), "Document verified"],
    [actionName("booking.cancelled"), "Booking cancelled"],
    [
      actionName("certifier_recognition.recorded"),
      "Certifier recognition recorded",
    ],
    [actionName("job.retried"), "Job retried"],
    [
      formatStamp("UTC", Date.parse("2026-12-10T09:05:00Z")),
      "Thu, Dec 10, 2026, 9:05 AM",
    ],
    [
      formatStamp("America/Chicago", Date.parse("2027-01-01T03:00:00Z")),
      "Thu, Dec 31, 2026, 9:00 PM",
    ],
  ];
  for (const [got, want] of cases) assert.equal(got, want);
});
