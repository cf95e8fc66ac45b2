import assert from "node:assert/strict";
import { type Capability, decide } from "../../lib/accounts/roles.ts";
import type { Role, SessionUser } from "../../lib/accounts/schema.ts";

function user(roles: Role[], suspended: boolean): SessionUser {
  return {
    v: 1,
    id: "u1",
    email: "u@example.com",
    name: "U",
    roles,
    emailVerifiedAt: "2026-01-01T00:00:00Z",
    phone: null,
    businessName: null,
    ...(suspended ? { suspension: { reason: "Fraud", by: "a1", at: 1 } } : {}),
    createdAt: "",
    updatedAt: "",
  };
}

Deno.test("roles: a suspended account may look but not book, host, publish or act as staff", () => {
  const cases: [Role[], Capability, boolean, RegExp | null][] = [
    [["renter"], "book", false, /suspended, so you cannot book kitchens/],
    [
      ["renter", "host"],
      "host",
      false,
      /suspended, so the host pages are closed/,
    ],
    [["renter", "host"], "publish", false, /suspended, so you cannot publish/],
    [["admin"], "admin:act", false, /suspended, so you cannot change/],
    // Reading staff pages is not an action: a suspended admin still reads.
    [["admin"], "admin:read", true, null],
    [["support"], "admin:read", true, null],
    // Staff open host pages to help, unless suspended themselves.
    [["admin"], "host", false, /host pages are closed/],
  ];
  for (const [roles, what, ok, reason] of cases) {
    const v = decide(user(roles, true), what);
    assert.equal(v.ok, ok, `${roles} ${what}`);
    if (reason) assert.match(v.ok ? "" : v.reason, reason);
    // The same account, not suspended, may do all of it.
    assert.equal(decide(user(roles, false), what).ok, true, `${roles} ${what}`);
  }
});
