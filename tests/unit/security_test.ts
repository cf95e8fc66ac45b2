import assert from "node:assert/strict";
import {
  delayAfter,
  FREE_FAILURES,
  MAX_DELAY_MS,
  nextFailure,
  waitFor,
} from "../../lib/accounts/login_guard.ts";
import { describeError, escapeForLog, logError } from "../../lib/log.ts";
import { optionalText, text } from "../../lib/text.ts";
import { attachment } from "../../routes/headers.ts";

Deno.test("text: free text is normalised, and control, bidi and invisible-only input is refused", () => {
  const name = text({ label: "your name", max: 20 });
  const ok: [string, string][] = [
    ["  Ada  ", "Ada"],
    ["Zoe\u0308", "Zo\u00eb"], // NFC: e + combining diaeresis becomes ë
    ["李小龍", "李小龍"],
    ["O'Brien-Smith", "O'Brien-Smith"],
    ["a\tb", "a b"],
  ];
  for (const [input, want] of ok) {
    const r = name.safeParse(input);
    assert.ok(r.success, JSON.stringify(input));
    assert.equal(r.data, want);
  }
  const refused: [string, RegExp][] = [
    ["Ada\u0000", /control characters/],
    ["Ada\u001b[31m", /control characters/],
    ["Ada\u0085", /control characters/],
    ["Ada\r\nBcc: x", /one line/],
    ["Ada\nLovelace", /one line/],
    ["Ada\u2028Lovelace", /one line/],
    ["abc\u202Egpj.exe", /text-direction/],
    ["\u2066x\u2069", /text-direction/],
    ["\u200b", /Enter your name/],
    ["\u200b\u200c\u2060", /Enter your name/],
    ["   ", /Enter your name/],
    ["", /Enter your name/],
    ["x".repeat(21), /at most 20/],
  ];
  for (const [input, message] of refused) {
    const r = name.safeParse(input);
    assert.equal(r.success, false, JSON.stringify(input));
    assert.match(r.error!.issues[0].message, message, JSON.stringify(input));
  }
  const about = text({ label: "a description", max: 100, multiline: true });
  assert.equal(about.parse("Line one\r\nLine two"), "Line one\nLine two");
  assert.equal(about.safeParse("x\u0007").success, false);
  const optional = optionalText({ label: "a business name", max: 10 });
  assert.equal(optional.parse("   "), null);
  assert.equal(optional.safeParse("\u202e").success, false);
});

Deno.test("log: control characters in logged text are escaped, so lines cannot be forged", () => {
  assert.equal(
    escapeForLog("GET /a\nFAKE 200\u001b[31m\r\u0000\u2028"),
    "GET /a\\nFAKE 200\\x1b[31m\\r\\x00\\u2028",
  );
  const err = new Error("bad id /x\n[jobs] forged");
  const text = describeError(err);
  assert.match(text, /^Error: bad id \/x\\n\[jobs\] forged\n\s+at /);
  const lines: string[] = [];
  const original = console.error;
  console.error = (line: string) => lines.push(line);
  try {
    logError("GET /%0A\n\u001b[2J failed:", err);
  } finally {
    console.error = original;
  }
  assert.equal(lines.length, 1);
  const [first] = lines[0].split("\n");
  assert.equal(
    first,
    "GET /%0A\\n\\x1b[2J failed: Error: bad id /x\\n[jobs] forged",
  );
  assert.ok(!lines[0].includes("\u001b"));
  for (const line of lines[0].split("\n").slice(1)) {
    assert.match(line, /^\s+at /, "only stack frames on further lines");
  }
});

Deno.test("headers: download names are header-safe and keep the real name as UTF-8", () => {
  const cases: [string, string][] = [
    [
      "permit.pdf",
      `attachment; filename="permit.pdf"; filename*=UTF-8''permit.pdf`,
    ],
    [
      "Health permit (2026).pdf",
      `attachment; filename="Health permit _2026_.pdf"; filename*=UTF-8''Health%20permit%20%282026%29.pdf`,
    ],
    [
      "a\r\nSet-Cookie: x=1.pdf",
      `attachment; filename="aSet-Cookie_ x_1.pdf"; filename*=UTF-8''aSet-Cookie%3A%20x%3D1.pdf`,
    ],
    [
      'x"; filename="evil.html',
      `attachment; filename="x__ filename__evil.html"; filename*=UTF-8''x%22%3B%20filename%3D%22evil.html`,
    ],
    [
      "../../etc/passwd",
      `attachment; filename="_.._etc_passwd"; filename*=UTF-8''_.._etc_passwd`,
    ],
    [
      "kochbuch-müller.ics",
      `attachment; filename="kochbuch-m_ller.ics"; filename*=UTF-8''kochbuch-m%C3%BCller.ics`,
    ],
    [
      "\u202egpj.exe",
      `attachment; filename="gpj.exe"; filename*=UTF-8''gpj.exe`,
    ],
    ["", `attachment; filename="download"; filename*=UTF-8''download`],
  ];
  for (const [name, want] of cases) {
    const got = attachment(name);
    assert.equal(got, want, JSON.stringify(name));
    assert.match(got, /^[\x20-\x7e]+$/, "visible ASCII only");
    new Headers({ "Content-Disposition": got });
  }
});

Deno.test("login guard: free failures, then doubling delays capped at 15 minutes", () => {
  const table: [number, number][] = [
    [0, 0],
    [FREE_FAILURES - 1, 0],
    [FREE_FAILURES, 1000],
    [FREE_FAILURES + 1, 2000],
    [FREE_FAILURES + 2, 4000],
    [FREE_FAILURES + 9, 512_000],
    [FREE_FAILURES + 10, MAX_DELAY_MS],
    [1000, MAX_DELAY_MS],
  ];
  for (const [failures, ms] of table) {
    assert.equal(delayAfter(failures), ms, `${failures} failures`);
  }
  const now = 1_000_000_000;
  assert.equal(waitFor(null, now), 0);
  assert.equal(
    waitFor({ count: 7, lastAt: now - 1000, noticeAt: null }, now),
    3000,
  );
  assert.equal(
    waitFor({ count: 99, lastAt: now - 25 * 3600_000, noticeAt: null }, now),
    0,
    "forgotten after a day",
  );
});

Deno.test("login guard: the owner is told once a day, when delays start", () => {
  let record = null;
  const notified: number[] = [];
  const t0 = 1_000_000_000;
  for (let i = 1; i <= 12; i++) {
    const next = nextFailure(record, t0 + i);
    if (next.notify) notified.push(next.record.count);
    record = next.record;
  }
  assert.deepEqual(notified, [FREE_FAILURES]);
  const later = nextFailure(record, t0 + 23 * 3600_000);
  assert.equal(later.notify, false, "within the day, no second email");
  const nextDay = nextFailure(later.record, t0 + 25 * 3600_000 + 23 * 3600_000);
  assert.equal(nextDay.record.count, 1, "a quiet day starts the count again");
});
