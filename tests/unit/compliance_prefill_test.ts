import assert from "node:assert/strict";
import {
  datesIn,
  parseDocumentText,
  type Prefill,
  prefillFromPdf,
} from "../../lib/compliance/prefill.ts";
import { type DocumentKind, uploadForm } from "../../lib/compliance/schema.ts";
import {
  makeLargePdf,
  makePdf,
  makePdfBomb,
  makeScannedPdf,
} from "../pdf_fixtures.ts";

const FOOD_HANDLER_CARD = [
  "ServSafe Food Handler",
  "Certificate of Achievement",
  "Rosa Martinez",
  "has successfully completed the ServSafe Food Handler program",
  "Certificate No. FH-12345",
  "Issue Date: 01/15/2026",
  "Expiration Date: 01/15/2029",
  "Issued by: National Restaurant Association",
];

const SF_HEALTH_PERMIT = [
  "CITY AND COUNTY OF SAN FRANCISCO",
  "SF Department of Public Health",
  "Environmental Health Branch",
  "HEALTH PERMIT",
  "Permit Number: PR-0045821",
  "Business: Mission Street Commissary",
  "Valid from January 1, 2026 through December 31, 2026",
];

/** An ACORD 25-style certificate: headings above their values, tables in columns. */
const ACORD_COI = [
  "CERTIFICATE OF LIABILITY INSURANCE\tDATE (MM/DD/YYYY) 03/02/2027",
  "THIS CERTIFICATE IS ISSUED AS A MATTER OF INFORMATION ONLY",
  "PRODUCER",
  "Bay Area Insurance Brokers",
  "INSURED",
  "Rosa's Tamales LLC",
  "2140 Mission St, San Francisco, CA 94110",
  "INSURER A: Golden Gate Mutual Insurance Company",
  "CERTIFICATE NUMBER: 570098765",
  "COMMERCIAL GENERAL LIABILITY",
  "Policy Number: CGL 4471203",
  "POLICY EFF\tPOLICY EXP",
  "03/01/2027\t03/01/2028",
  "GEN'L AGGREGATE LIMIT APPLIES PER: POLICY",
  "EACH OCCURRENCE\t$1,000,000",
  "DAMAGE TO RENTED PREMISES\t$100,000",
  "GENERAL AGGREGATE\t$2,000,000",
  "PRODUCTS - COMP/OP AGG\t$2,000,000",
  "Additional insured: City and County of San Francisco",
];

const NARRATIVE_COI = [
  "Certificate of Insurance",
  "Named Insured: Seattle Smokehouse Catering LLC",
  "Insurer: Cascade Casualty Company",
  "Policy No. GL-778812",
  "Policy period: 2027-01-01 to 2027-12-31",
  "Each Occurrence Limit: $1,000,000",
  "General Aggregate Limit: $2,000,000",
  "The City of Seattle and King County is named as an additional insured.",
];

const INSPECTION_PASS = [
  "Multnomah County Health Department",
  "Food Service Inspection Report",
  "Establishment: Alberta Street Shared Kitchen",
  "Inspection Date: 03/14/2026",
  "Report No. IR-2026-03141",
  "Score: 92/100",
  "Result: PASS",
];

const INSPECTION_FAIL = [
  "Seattle-King County Public Health",
  "Routine Inspection",
  "Date of Inspection: March 3, 2026",
  "Total Score 64 out of 100",
  "Inspection Result: Unsatisfactory",
];

const GREASE_SERVICE = [
  "Pacific Grease Trap Services",
  "Service Record",
  "Work Order # 55120",
  "Service Date: 02/20/2026",
  "Grease interceptor pumped and cleaned",
];

const PCHF = [
  "CERTIFICATE OF REGISTRATION",
  "SCS Global Services",
  "hereby certifies that",
  "Golden Crust Bakery Inc.",
  "conforms to 21 CFR 117 Preventive Controls for Human Food",
  "Certificate Number: SCS-PCHF-2025-0117",
  "Date of Certification: June 1, 2025",
  "Valid Until: May 31, 2028",
];

const CASES: [string, DocumentKind, string[], Prefill][] = [
  ["a food handler card", "food_handler_card", FOOD_HANDLER_CARD, {
    number: "FH-12345",
    issueDate: "2026-01-15",
    expiryDate: "2029-01-15",
    authority: "National Restaurant Association",
  }],
  [
    "a health permit with a validity period",
    "health_permit",
    SF_HEALTH_PERMIT,
    {
      number: "PR-0045821",
      issueDate: "2026-01-01",
      expiryDate: "2026-12-31",
      authority: "SF Department of Public Health",
    },
  ],
  ["an ACORD-style COI", "liability_insurance", ACORD_COI, {
    number: "CGL 4471203",
    issueDate: "2027-03-01",
    expiryDate: "2028-03-01",
    authority: "Golden Gate Mutual Insurance Company",
    "insurance.perOccurrenceCents": "1,000,000",
    "insurance.aggregateCents": "2,000,000",
    "insurance.namedInsured": "Rosa's Tamales LLC",
    "insurance.additionalInsured": "City and County of San Francisco",
  }],
  ["a COI in sentences", "liability_insurance", NARRATIVE_COI, {
    number: "GL-778812",
    issueDate: "2027-01-01",
    expiryDate: "2027-12-31",
    authority: "Cascade Casualty Company",
    "insurance.perOccurrenceCents": "1,000,000",
    "insurance.aggregateCents": "2,000,000",
    "insurance.namedInsured": "Seattle Smokehouse Catering LLC",
    "insurance.additionalInsured": "City of Seattle and King County",
  }],
  [
    "a COI read as workers' comp: dates and policy, no limits",
    "workers_comp",
    NARRATIVE_COI,
    {
      number: "GL-778812",
      issueDate: "2027-01-01",
      expiryDate: "2027-12-31",
      authority: "Cascade Casualty Company",
    },
  ],
  ["a passed inspection", "inspection_report", INSPECTION_PASS, {
    number: "IR-2026-03141",
    issueDate: "2026-03-14",
    authority: "Multnomah County Health Department",
    "inspection.date": "2026-03-14",
    "inspection.score": "92",
    "inspection.passed": "pass",
  }],
  ["a failed inspection", "inspection_report", INSPECTION_FAIL, {
    issueDate: "2026-03-03",
    authority: "Seattle-King County Public Health",
    "inspection.date": "2026-03-03",
    "inspection.score": "64",
    "inspection.passed": "fail",
  }],
  ["a grease service record", "grease_service", GREASE_SERVICE, {
    number: "55120",
    issueDate: "2026-02-20",
    "greaseService.date": "2026-02-20",
  }],
  ["a PCHF certificate", "pchf_certificate", PCHF, {
    number: "SCS-PCHF-2025-0117",
    issueDate: "2025-06-01",
    expiryDate: "2028-05-31",
    authority: "SCS Global Services",
    "certification.body": "SCS Global Services",
    "certification.scope": "pchf",
  }],
  [
    "an animal-food certificate chosen as PCHF: the scope tells",
    "pchf_certificate",
    [
      "Eurofins Food Safety System Certification",
      "Scope: Preventive Controls for Animal Food (21 CFR 507)",
      "Certificate # EU-PCAF-9921",
      "Expires 2028-02-14",
    ],
    {
      number: "EU-PCAF-9921",
      expiryDate: "2028-02-14",
      authority: "Eurofins Food Safety System Certification",
      "certification.body": "Eurofins Food Safety System Certification",
      "certification.scope": "pcaf",
    },
  ],
  [
    "ISO dates after 'Expires', a licence number with dashes",
    "business_license",
    [
      "Issuing Authority: Chicago Department of Business Affairs and Consumer Protection",
      "License Number: BL-2026-0042",
      "Date issued 2026-02-01",
      "Expires 2027-12-31",
    ],
    {
      number: "BL-2026-0042",
      issueDate: "2026-02-01",
      expiryDate: "2027-12-31",
      authority:
        "Chicago Department of Business Affairs and Consumer Protection",
    },
  ],
  ["a label alone on its line takes the next line", "fire_safety", [
    "FDNY Fire Prevention",
    "Permit #",
    "FS-2026-0198",
    "Expiration Date",
    "31 December 2027",
  ], {
    number: "FS-2026-0198",
    expiryDate: "2027-12-31",
    authority: "FDNY Fire Prevention",
  }],
  ["two-digit years and 'Exp. Date'", "food_manager_certificate", [
    "Food Protection Manager Certification",
    "Certification No.: 20-889123",
    "Exp. Date 12/31/27",
  ], { number: "20-889123", expiryDate: "2027-12-31" }],
  ["an impossible date is not a date", "food_handler_card", [
    "Expiration Date: 02/30/2027",
  ], {}],
  [
    "an expiry before the issue date leaves both to the person",
    "food_handler_card",
    [
      "Issue Date: 2027-05-01",
      "Expiration Date: 2026-05-01",
    ],
    {},
  ],
  ["COI fields are not read for a kind without them", "food_handler_card", [
    "EACH OCCURRENCE $1,000,000",
    "Additional insured: City of Portland and Multnomah County",
  ], {}],
  ["text-direction overrides are never prefilled", "liability_insurance", [
    "Named Insured: Evil\u202Egpj.exe",
    "EACH OCCURRENCE $1M",
    "GENERAL AGGREGATE $2 million",
  ], {
    "insurance.perOccurrenceCents": "1,000,000",
    "insurance.aggregateCents": "2,000,000",
  }],
  ["no text, no prefill", "health_permit", [], {}],
];

for (const [name, kind, lines, expected] of CASES) {
  Deno.test(`prefill: ${name}`, () => {
    assert.deepEqual(parseDocumentText(lines.join("\n"), kind), expected);
  });
}

Deno.test("prefill: every value read passes the upload form's own validation", () => {
  const full: [DocumentKind, string[]][] = [
    ["liability_insurance", ACORD_COI],
    ["liability_insurance", NARRATIVE_COI],
    ["food_handler_card", FOOD_HANDLER_CARD],
    ["pchf_certificate", PCHF],
  ];
  for (const [kind, lines] of full) {
    const prefill = parseDocumentText(lines.join("\n"), kind);
    const { ["certification.scope"]: _scope, ...fields } = prefill;
    const parsed = uploadForm("renter").safeParse({ kind, ...fields });
    assert.ok(parsed.success, `${kind}: ${JSON.stringify(parsed.error)}`);
  }
});

Deno.test("prefill: dates in the formats certificates print", () => {
  const table: [string, string[]][] = [
    ["Expiration Date: 12/31/2027", ["2027-12-31"]],
    ["Expires 2027-12-31", ["2027-12-31"]],
    ["valid 1-5-2026 to Dec. 31, 2026", ["2026-01-05", "2026-12-31"]],
    ["September 3rd, 2026 and 4 Sept 2026", ["2026-09-03", "2026-09-04"]],
    ["13/01/2026 is not month-first", []],
    ["call 415-555-1234", []],
    ["2026-02-29 is no day", []],
  ];
  for (const [text, expected] of table) {
    assert.deepEqual(datesIn(text), expected, text);
  }
});

Deno.test("prefill: a generated PDF certificate is read through its text layer", async () => {
  const bytes = await makePdf(ACORD_COI);
  const { fields: prefill, unread } = await prefillFromPdf(
    bytes,
    "liability_insurance",
  );
  assert.equal(unread, null);
  assert.equal(prefill["insurance.perOccurrenceCents"], "1,000,000");
  assert.equal(prefill["insurance.aggregateCents"], "2,000,000");
  assert.equal(prefill["insurance.namedInsured"], "Rosa's Tamales LLC");
  assert.equal(
    prefill["insurance.additionalInsured"],
    "City and County of San Francisco",
  );
  assert.equal(prefill.issueDate, "2027-03-01");
  assert.equal(prefill.expiryDate, "2028-03-01");
});

Deno.test("prefill: a certificate over several pages is read whole", async () => {
  const filler = Array.from({ length: 50 }, (_, i) => `Condition ${i + 1}`);
  const bytes = await makePdf([
    "Certificate No. FH-12345",
    ...filler,
    "Expiration Date: 12/31/2027",
  ]);
  assert.deepEqual(await prefillFromPdf(bytes, "food_handler_card"), {
    fields: { number: "FH-12345", expiryDate: "2027-12-31" },
    unread: null,
  });
});

Deno.test("prefill: only the first three pages are read", async () => {
  // 44 lines to a page: the expiry date is on page 4, the number on page 1.
  const filler = Array.from({ length: 3 * 44 - 1 }, (_, i) => `Term ${i + 1}`);
  const bytes = await makePdf([
    "Certificate No. FH-12345",
    ...filler,
    "Expiration Date: 12/31/2027",
  ]);
  assert.deepEqual(await prefillFromPdf(bytes, "food_handler_card"), {
    fields: { number: "FH-12345" },
    unread: null,
  });
});

Deno.test("prefill: a 6 MB certificate is read: the whole file reaches the reading thread", async () => {
  const bytes = makeLargePdf("Certificate No. FH-12345", 6 * 1024 * 1024);
  assert.deepEqual(await prefillFromPdf(bytes, "food_handler_card"), {
    fields: { number: "FH-12345" },
    unread: null,
  });
});

Deno.test("prefill: a PDF over the reading budget is not read, and says why", async () => {
  const bomb = await makePdfBomb(64 * 1024 * 1024);
  assert.deepEqual(await prefillFromPdf(bomb, "food_handler_card"), {
    fields: {},
    unread: "too-large",
  });
});

Deno.test("prefill: scans, broken PDFs and non-PDFs give an empty prefill, never an error", async () => {
  const good = await makePdf(FOOD_HANDLER_CARD);
  const inputs: [string, Uint8Array][] = [
    ["a scanned page", await makeScannedPdf()],
    ["a PDF cut in half", good.slice(0, Math.floor(good.length / 2))],
    ["a header and nothing", new TextEncoder().encode("%PDF-1.7\n%%EOF\n")],
    ["an HTML page", new TextEncoder().encode("<html><body>x</body></html>")],
    ["nothing at all", new Uint8Array(0)],
  ];
  for (const [name, bytes] of inputs) {
    const read = await prefillFromPdf(bytes, "food_handler_card");
    assert.deepEqual(read.fields, {}, name);
    // A scan is read (it has no text); the others could not be.
    assert.equal(read.unread === null, name === "a scanned page", name);
  }
  // The bytes handed in are left as they were (pdf.js is given a copy).
  assert.deepEqual(await prefillFromPdf(good, "food_handler_card"), {
    fields: {
      number: "FH-12345",
      issueDate: "2026-01-15",
      expiryDate: "2029-01-15",
      authority: "National Restaurant Association",
    },
    unread: null,
  });
  assert.equal(good.length > 0, true);
});
