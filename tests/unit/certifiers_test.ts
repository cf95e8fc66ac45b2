import assert from "node:assert/strict";
import {
  ACCREDITORS,
  authorityChain,
  CERTIFICATION_BODIES,
  describeRecognition,
  FEDERAL_SCOPE_IDS,
  type FederalScope,
  findCertificationBody,
  lapsedRecognitions,
  lapsingWithin,
  type Recognition,
  RECOGNITIONS,
} from "../../lib/compliance/certifiers.ts";

const TODAY = "2026-11-27";

function reason(body: string, scope: FederalScope, issueDate: string) {
  const chain = authorityChain({ body, scope, issueDate }, TODAY);
  return chain.ok ? "ok" : chain.reason;
}

Deno.test("certifiers: the directory is §5's table", () => {
  assert.equal(RECOGNITIONS.length, 16);
  assert.equal(Object.keys(CERTIFICATION_BODIES).length, 15);
  assert.deepEqual(Object.keys(ACCREDITORS), ["anab", "ias"]);
  assert.equal(ACCREDITORS.anab.url, "https://anab.ansi.org");
  for (const r of RECOGNITIONS) {
    assert.ok(r.from < r.to, r.body);
    assert.ok(r.scopes.length > 0, r.body);
    assert.ok(r.scopes.every((s) => FEDERAL_SCOPE_IDS.includes(s)), r.body);
    assert.ok(CERTIFICATION_BODIES[r.body], r.body);
  }
  assert.deepEqual(
    RECOGNITIONS.filter((r) => r.body === "best_iso").map((r) =>
      [r.accreditor, r.scopes.join("+"), r.from, r.to].join(" ")
    ),
    [
      "anab pchf+produce_safety 2023-06-01 2029-06-01",
      "ias pcaf 2023-06-01 2029-06-01",
    ],
  );
});

Deno.test("certifiers: a certificate from a body recognised then and now is acceptable", () => {
  const chain = authorityChain(
    { body: "SCS Global Services", scope: "pchf", issueDate: "2024-05-01" },
    TODAY,
  );
  assert.deepEqual(chain, {
    ok: true,
    recognition: {
      accreditor: "anab",
      body: "scs_global",
      scopes: ["pchf", "produce_safety"],
      from: "2021-01-10",
      to: "2027-01-10",
    },
  });
  // Both ends of a recognition count.
  assert.equal(reason("SCS Global Services", "pchf", "2021-01-10"), "ok");
  assert.equal(
    authorityChain(
      { body: "SCS Global Services", scope: "pchf", issueDate: "2024-05-01" },
      "2027-01-10",
    ).ok,
    true,
  );
});

Deno.test("certifiers: a certificate issued before the body was recognised is refused", () => {
  assert.equal(
    reason("Eurofins Food Safety System Certification", "pcaf", "2022-02-13"),
    "Eurofins Food Safety System Certification was not yet recognised for " +
      "Preventive Controls for Animal Food (PCAF) when this certificate was " +
      "issued on Sun, Feb 13, 2022; its recognition began on Mon, Feb 14, 2022.",
  );
  assert.equal(
    reason("Eurofins Food Safety System Certification", "pcaf", "2022-02-14"),
    "ok",
  );
});

Deno.test("certifiers: a recognition lapsed by today is said plainly", () => {
  assert.equal(
    reason("SAI Global Assurance Services", "pchf", "2022-08-01"),
    "The recognition of SAI Global Assurance Services for Preventive " +
      "Controls for Human Food (PCHF) by ANAB lapsed on Thu, Mar 20, 2025, so its " +
      "certificates are no longer accepted.",
  );
  assert.equal(
    reason("Bureau Veritas North America Inc.", "seafood_haccp", "2025-10-15"),
    "The recognition of Bureau Veritas North America Inc. for Seafood HACCP " +
      "by IAS lapsed on Thu, Oct 15, 2026, so its certificates are no longer " +
      "accepted.",
  );
  // The day after the last day.
  const chain = authorityChain(
    { body: "SCS Global Services", scope: "pchf", issueDate: "2024-05-01" },
    "2027-01-11",
  );
  assert.equal(chain.ok, false);
});

Deno.test("certifiers: a certificate issued after the recognition lapsed is refused", () => {
  assert.equal(
    reason("FSNS", "produce_safety", "2026-01-05"),
    "The recognition of Food Safety Net Services (FSNS) for Produce Safety " +
      "had lapsed when this certificate was issued on Mon, Jan 5, 2026; it ended " +
      "on Sun, Nov 30, 2025.",
  );
});

Deno.test("certifiers: a staff-recorded renewal restores the chain", () => {
  const renewal: Recognition = {
    accreditor: "anab",
    body: "sai_global",
    scopes: ["pchf", "pcaf"],
    from: "2025-03-21",
    to: "2031-03-21",
  };
  const chain = authorityChain(
    { body: "SAI Global", scope: "pchf", issueDate: "2022-08-01" },
    TODAY,
    [...RECOGNITIONS, renewal],
  );
  assert.deepEqual(chain, { ok: true, recognition: renewal });
});

Deno.test("certifiers: a body not recognised for the scope is refused", () => {
  assert.equal(
    reason("SCS Global Services", "pcaf", "2024-05-01"),
    "SCS Global Services has never been recognised for Preventive Controls " +
      "for Animal Food (PCAF); it is recognised only for PCHF and Produce " +
      "Safety.",
  );
  assert.equal(
    reason("UL LLC", "infant_formula", "2022-01-01"),
    "UL LLC has never been recognised for Infant Formula; it is recognised " +
      "only for PCHF and LACF.",
  );
});

Deno.test("certifiers: an unknown body is refused", () => {
  assert.equal(
    reason("  Acme Food Audits  ", "pchf", "2024-05-01"),
    '"Acme Food Audits" is not in the federal directory of accredited ' +
      "certification bodies, so its certificates cannot be accepted.",
  );
});

Deno.test("certifiers: Best ISO holds different scopes from its two accreditors", () => {
  const best = (scope: FederalScope) =>
    authorityChain(
      {
        body: "Best ISO Certification Co. Ltd.",
        scope,
        issueDate: "2024-01-01",
      },
      TODAY,
    );
  const accreditor = (scope: FederalScope) => {
    const chain = best(scope);
    return chain.ok ? chain.recognition.accreditor : chain.reason;
  };
  assert.equal(accreditor("pchf"), "anab");
  assert.equal(accreditor("produce_safety"), "anab");
  assert.equal(accreditor("pcaf"), "ias");
  assert.equal(
    accreditor("seafood_haccp"),
    "Best ISO Certification Co. Ltd. has never been recognised for Seafood " +
      "HACCP; it is recognised only for PCHF, PCAF and Produce Safety.",
  );
  assert.equal(
    reason("Best ISO Certification Co. Ltd.", "pcaf", "2023-05-31"),
    "Best ISO Certification Co. Ltd. was not yet recognised for Preventive " +
      "Controls for Animal Food (PCAF) when this certificate was issued on " +
      "Wed, May 31, 2023; its recognition began on Thu, Jun 1, 2023.",
  );
});

Deno.test("certifiers: an issue date after today is refused", () => {
  assert.equal(
    reason("Intertek", "juice_haccp", "2026-11-28"),
    "The certificate's issue date, Sat, Nov 28, 2026, is after today.",
  );
});

Deno.test("certifiers: bodies are found as people write them", () => {
  const cases: [string, string | null][] = [
    ["Best ISO Certification Co. Ltd.", "best_iso"],
    ["best iso certification co ltd", "best_iso"],
    ["  BEST  ISO ", "best_iso"],
    ["TÜV SÜD America Inc.", "tuv_sud"],
    ["tuv sud", "tuv_sud"],
    ["Food Safety Net Services", "fsns"],
    ["FSNS", "fsns"],
    ["nsf_isr", "nsf_isr"],
    ["Perry Johnson", "perry_johnson"],
    ["Best", null],
    ["", null],
  ];
  for (const [name, id] of cases) {
    assert.equal(findCertificationBody(name), id, name);
  }
});

Deno.test("certifiers: what lapses within 90, 180 and 365 days", () => {
  const lapsing = (days: number) =>
    lapsingWithin(days, TODAY).map((r) => `${r.body} ${r.to}`);
  assert.deepEqual(lapsing(90), ["scs_global 2027-01-10"]);
  assert.deepEqual(lapsing(180), [
    "scs_global 2027-01-10",
    "als 2027-03-08",
  ]);
  assert.deepEqual(lapsing(365), [
    "scs_global 2027-01-10",
    "als 2027-03-08",
    "intertek 2027-07-18",
    "perry_johnson 2027-08-22",
  ]);
  // The window includes today and its last day.
  assert.deepEqual(
    lapsingWithin(0, "2027-01-10").map((r) => r.body),
    ["scs_global"],
  );
  assert.deepEqual(
    lapsingWithin(30, "2026-12-11").map((r) => r.body),
    ["scs_global"],
  );
  assert.deepEqual(lapsingWithin(29, "2026-12-11"), []);
});

Deno.test("certifiers: lapsed recognitions are listed and described plainly", () => {
  assert.deepEqual(lapsedRecognitions(TODAY).map((r) => `${r.body} ${r.to}`), [
    "bureau_veritas 2026-10-15",
    "dekra 2026-09-25",
    "nsf_isr 2026-06-15",
    "dnv 2026-04-05",
    "sgs 2026-01-25",
    "ul 2025-12-10",
    "fsns 2025-11-30",
    "sai_global 2025-03-20",
  ]);
  const find = (body: string) => RECOGNITIONS.find((r) => r.body === body)!;
  assert.equal(
    describeRecognition(find("sai_global"), TODAY),
    "Lapsed on Thu, Mar 20, 2025 (617 days ago).",
  );
  assert.equal(
    describeRecognition(find("scs_global"), TODAY),
    "Recognised until Sun, Jan 10, 2027 (44 days left).",
  );
  assert.equal(
    describeRecognition(find("scs_global"), "2027-01-10"),
    "Recognised until today, Sun, Jan 10, 2027; it lapses tomorrow.",
  );
  assert.equal(
    describeRecognition(find("bureau_veritas"), "2026-10-16"),
    "Lapsed on Thu, Oct 15, 2026 (1 day ago).",
  );
  assert.equal(
    describeRecognition(find("tuv_sud"), "2022-01-01"),
    "Not yet in force: recognised from Fri, May 20, 2022.",
  );
});
