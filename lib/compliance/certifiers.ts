/**
 * The federal directory of accredited food-safety certifiers
 * (shared/reference/compliance.md §5) as typed data, and the "authority
 * chain" check for a renter's certificate of a federal scope: the body that
 * issued it must have been recognised for that scope on the issue date and
 * must still be recognised today. Pure: `today` is a parameter.
 *
 * A recognition covers both of its dates: recognised from 2020-06-15 to
 * 2026-06-15 means a certificate issued on either day is acceptable, and the
 * recognition has lapsed from 2026-06-16. Many recognitions in the table
 * have lapsed; the functions here say so in plain words rather than drop
 * them, and staff may record a renewed recognition, which callers pass in
 * with the `recognitions` parameter.
 */
import { formatDateYear } from "../format.ts";

export const ACCREDITORS = {
  anab: {
    abbreviation: "ANAB",
    name: "ANSI National Accreditation Board",
    url: "https://anab.ansi.org",
  },
  ias: {
    abbreviation: "IAS",
    name: "International Accreditation Service",
    url: "https://www.iasonline.org",
  },
} as const;
export type AccreditorId = keyof typeof ACCREDITORS;
export const ACCREDITOR_IDS = Object.keys(ACCREDITORS) as AccreditorId[];

export const FEDERAL_SCOPE_IDS = [
  "pchf",
  "pcaf",
  "produce_safety",
  "seafood_haccp",
  "juice_haccp",
  "lacf",
  "acidified_foods",
  "infant_formula",
] as const;
export type FederalScope = typeof FEDERAL_SCOPE_IDS[number];

export interface ScopeInfo {
  /** How the directory abbreviates it ("PCHF"); the name when it has none. */
  short: string;
  name: string;
  regulation: string;
}

export const FEDERAL_SCOPES: Readonly<Record<FederalScope, ScopeInfo>> = {
  pchf: {
    short: "PCHF",
    name: "Preventive Controls for Human Food",
    regulation: "21 CFR 117",
  },
  pcaf: {
    short: "PCAF",
    name: "Preventive Controls for Animal Food",
    regulation: "21 CFR 507",
  },
  produce_safety: {
    short: "Produce Safety",
    name: "Produce Safety",
    regulation: "21 CFR 112",
  },
  seafood_haccp: {
    short: "Seafood HACCP",
    name: "Seafood HACCP",
    regulation: "21 CFR 123",
  },
  juice_haccp: {
    short: "Juice HACCP",
    name: "Juice HACCP",
    regulation: "21 CFR 120",
  },
  lacf: {
    short: "LACF",
    name: "Low-Acid Canned Foods",
    regulation: "21 CFR 113",
  },
  acidified_foods: {
    short: "Acidified Foods",
    name: "Acidified Foods",
    regulation: "21 CFR 114",
  },
  infant_formula: {
    short: "Infant Formula",
    name: "Infant Formula",
    regulation: "21 CFR 106 and 107",
  },
};

/** "Preventive Controls for Human Food (PCHF)"; "Seafood HACCP". */
export function scopeLabel(scope: FederalScope): string {
  const s = FEDERAL_SCOPES[scope];
  return s.short === s.name ? s.name : `${s.name} (${s.short})`;
}

export interface CertificationBody {
  name: string;
  /** Other ways people write it on a form ("FSNS", "UL"). */
  aliases: readonly string[];
}

export const CERTIFICATION_BODIES = {
  nsf_isr: {
    name: "NSF International Strategic Registrations",
    aliases: ["NSF International", "NSF-ISR", "NSF"],
  },
  sai_global: {
    name: "SAI Global Assurance Services",
    aliases: ["SAI Global"],
  },
  scs_global: { name: "SCS Global Services", aliases: ["SCS Global", "SCS"] },
  dekra: { name: "DEKRA Certification Inc.", aliases: ["DEKRA"] },
  eurofins: {
    name: "Eurofins Food Safety System Certification",
    aliases: ["Eurofins"],
  },
  fsns: {
    name: "Food Safety Net Services (FSNS)",
    aliases: ["Food Safety Net Services", "FSNS"],
  },
  intertek: { name: "Intertek USA Inc.", aliases: ["Intertek"] },
  dnv: {
    name: "DNV Business Assurance USA Inc.",
    aliases: ["DNV Business Assurance", "DNV"],
  },
  perry_johnson: {
    name: "Perry Johnson Registrars Food Safety Inc.",
    aliases: ["Perry Johnson Registrars Food Safety", "Perry Johnson"],
  },
  ul: { name: "UL LLC", aliases: ["UL"] },
  bureau_veritas: {
    name: "Bureau Veritas North America Inc.",
    aliases: ["Bureau Veritas"],
  },
  tuv_sud: {
    name: "TUV SUD America Inc.",
    aliases: ["TÜV SÜD America Inc.", "TUV SUD", "TÜV SÜD"],
  },
  als: { name: "ALS Global", aliases: ["ALS"] },
  sgs: {
    name: "SGS North America Inc.",
    aliases: ["SGS North America", "SGS"],
  },
  best_iso: {
    name: "Best ISO Certification Co. Ltd.",
    aliases: ["Best ISO Certification", "Best ISO"],
  },
} as const satisfies Record<string, CertificationBody>;
export type CertificationBodyId = keyof typeof CERTIFICATION_BODIES;

/** One row of the directory: an accreditor recognises a body for some scopes. */
export interface Recognition {
  accreditor: AccreditorId;
  body: CertificationBodyId;
  scopes: readonly FederalScope[];
  /** "YYYY-MM-DD", both days included. */
  from: string;
  to: string;
}

/** §5 as published. Staff-recorded renewals are passed alongside these. */
export const RECOGNITIONS: readonly Recognition[] = [
  rec(
    "anab",
    "nsf_isr",
    ["pchf", "produce_safety"],
    "2020-06-15",
    "2026-06-15",
  ),
  rec("anab", "sai_global", ["pchf", "pcaf"], "2019-03-20", "2025-03-20"),
  rec(
    "anab",
    "scs_global",
    ["pchf", "produce_safety"],
    "2021-01-10",
    "2027-01-10",
  ),
  rec("anab", "dekra", ["pchf", "seafood_haccp"], "2020-09-25", "2026-09-25"),
  rec("anab", "eurofins", ["pchf", "pcaf"], "2022-02-14", "2028-02-14"),
  rec("anab", "fsns", ["pchf", "produce_safety"], "2019-11-30", "2025-11-30"),
  rec(
    "anab",
    "intertek",
    ["pchf", "seafood_haccp", "juice_haccp"],
    "2021-07-18",
    "2027-07-18",
  ),
  rec("ias", "dnv", ["pchf", "pcaf"], "2020-04-05", "2026-04-05"),
  rec(
    "ias",
    "perry_johnson",
    ["pchf", "produce_safety"],
    "2021-08-22",
    "2027-08-22",
  ),
  rec("ias", "ul", ["pchf", "lacf"], "2019-12-10", "2025-12-10"),
  rec(
    "ias",
    "bureau_veritas",
    ["pchf", "produce_safety", "seafood_haccp"],
    "2020-10-15",
    "2026-10-15",
  ),
  rec("ias", "tuv_sud", ["pchf", "pcaf"], "2022-05-20", "2028-05-20"),
  rec("ias", "als", ["pchf", "produce_safety"], "2021-03-08", "2027-03-08"),
  rec(
    "ias",
    "sgs",
    ["pchf", "pcaf", "seafood_haccp"],
    "2020-01-25",
    "2026-01-25",
  ),
  rec(
    "anab",
    "best_iso",
    ["pchf", "produce_safety"],
    "2023-06-01",
    "2029-06-01",
  ),
  rec("ias", "best_iso", ["pcaf"], "2023-06-01", "2029-06-01"),
];

function rec(
  accreditor: AccreditorId,
  body: CertificationBodyId,
  scopes: FederalScope[],
  from: string,
  to: string,
): Recognition {
  return { accreditor, body, scopes, from, to };
}

/** The staff view's windows for recognitions about to lapse. */
export const LAPSING_WINDOWS = [90, 180, 365] as const;

// ---------------------------------------------------------------------------
// Looking up a body as a renter typed it

function normaliseName(name: string): string {
  return name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

const BODY_BY_NAME = new Map<string, CertificationBodyId>();
for (
  const [id, body] of Object.entries(CERTIFICATION_BODIES) as [
    CertificationBodyId,
    CertificationBody,
  ][]
) {
  for (const name of [id, body.name, ...body.aliases]) {
    BODY_BY_NAME.set(normaliseName(name), id);
  }
}

/**
 * The directory's body for a name as typed on a certificate form: its id, its
 * full name or a common short form, ignoring case, accents and punctuation
 * ("best iso certification co ltd"). Null when the directory has no such body.
 */
export function findCertificationBody(
  name: string,
): CertificationBodyId | null {
  return BODY_BY_NAME.get(normaliseName(name)) ?? null;
}

// ---------------------------------------------------------------------------
// The authority chain

export interface FederalCertificate {
  /** The certification body as written on the certificate (or its id). */
  body: string;
  scope: FederalScope;
  /** "YYYY-MM-DD" */
  issueDate: string;
}

export type AuthorityChain =
  | { ok: true; recognition: Recognition }
  | { ok: false; reason: string };

/** Whether `recognition` covers `scope` on `date` (both ends included). */
export function recognises(
  recognition: Recognition,
  scope: FederalScope,
  date: string,
): boolean {
  return recognition.scopes.includes(scope) && recognition.from <= date &&
    date <= recognition.to;
}

/**
 * Whether a certificate of a federal scope is acceptable today: its body held
 * a recognition for the scope on the issue date and still holds one today
 * (renewals by the same or another accreditor count). When it is not, the
 * reason says why in words staff can act on.
 *
 * @example
 * authorityChain({ body: "SCS Global Services", scope: "pchf", issueDate: "2024-05-01" }, "2026-11-27")
 * // { ok: true, recognition: { accreditor: "anab", body: "scs_global", … } }
 */
export function authorityChain(
  certificate: FederalCertificate,
  today: string,
  recognitions: readonly Recognition[] = RECOGNITIONS,
): AuthorityChain {
  const { scope, issueDate } = certificate;
  const id = findCertificationBody(certificate.body);
  if (id === null) {
    return {
      ok: false,
      reason: `"${certificate.body.trim()}" is not in the federal directory ` +
        "of accredited certification bodies, so its certificates cannot be " +
        "accepted.",
    };
  }
  const name = CERTIFICATION_BODIES[id].name;
  const scopeName = scopeLabel(scope);
  const ofBody = recognitions.filter((r) => r.body === id);
  const forScope = ofBody.filter((r) => r.scopes.includes(scope));
  if (forScope.length === 0) {
    const held = FEDERAL_SCOPE_IDS.filter((s) =>
      ofBody.some((r) => r.scopes.includes(s))
    ).map((s) => FEDERAL_SCOPES[s].short);
    return {
      ok: false,
      reason: `${name} has never been recognised for ${scopeName}` +
        (held.length > 0
          ? `; it is recognised only for ${listWords(held)}.`
          : "."),
    };
  }
  if (issueDate > today) {
    return {
      ok: false,
      reason: `The certificate's issue date, ${
        formatDateYear(issueDate)
      }, is after today.`,
    };
  }
  if (!forScope.some((r) => recognises(r, scope, issueDate))) {
    const first = forScope.reduce((a, r) => r.from < a ? r.from : a, "9999");
    if (issueDate < first) {
      return {
        ok: false,
        reason: `${name} was not yet recognised for ${scopeName} when this ` +
          `certificate was issued on ${formatDateYear(issueDate)}; its ` +
          `recognition began on ${formatDateYear(first)}.`,
      };
    }
    // Issued after the first recognition began and outside every one, so
    // one ended before the issue date.
    const lapsed = latestBefore(forScope, issueDate)!;
    return {
      ok: false,
      reason: `The recognition of ${name} for ${scopeName} had lapsed when ` +
        `this certificate was issued on ${formatDateYear(issueDate)}; it ` +
        `ended on ${formatDateYear(lapsed.to)}.`,
    };
  }
  const current = forScope.find((r) => recognises(r, scope, today));
  if (!current) {
    // One covered the issue date (not after today), so it ended before today.
    const lapsed = latestBefore(forScope, today)!;
    return {
      ok: false,
      reason: `The recognition of ${name} for ${scopeName} by ` +
        `${ACCREDITORS[lapsed.accreditor].abbreviation} lapsed on ` +
        `${
          formatDateYear(lapsed.to)
        }, so its certificates are no longer accepted.`,
    };
  }
  return { ok: true, recognition: current };
}

/** The recognition that ended most recently before `date`. */
function latestBefore(
  recognitions: readonly Recognition[],
  date: string,
): Recognition | undefined {
  return recognitions.filter((r) => r.to < date)
    .sort((a, b) => b.to.localeCompare(a.to))[0];
}

function listWords(words: string[]): string {
  return words.length <= 1
    ? words.join("")
    : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

// ---------------------------------------------------------------------------
// The staff view

/** How many days from `from` to `to` ("YYYY-MM-DD"); negative when `to` is earlier. */
function daysBetween(from: string, to: string): number {
  return Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to))
    .days;
}

/**
 * Recognitions still in force today that lapse within `days` (their last day
 * is today or up to `days` days after it), soonest first.
 */
export function lapsingWithin(
  days: number,
  today: string,
  recognitions: readonly Recognition[] = RECOGNITIONS,
): Recognition[] {
  const last = Temporal.PlainDate.from(today).add({ days }).toString();
  return recognitions.filter((r) =>
    r.from <= today && today <= r.to && r.to <= last
  ).sort((a, b) => a.to.localeCompare(b.to));
}

/** Recognitions whose last day is before today, most recently lapsed first. */
export function lapsedRecognitions(
  today: string,
  recognitions: readonly Recognition[] = RECOGNITIONS,
): Recognition[] {
  return recognitions.filter((r) => r.to < today)
    .sort((a, b) => b.to.localeCompare(a.to));
}

/**
 * A recognition's standing in plain words for the staff view.
 *
 * @example
 * describeRecognition(sai, "2026-11-27") // "Lapsed on 2025-03-20 (617 days ago)."
 */
export function describeRecognition(
  recognition: Recognition,
  today: string,
): string {
  if (today < recognition.from) {
    return `Not yet in force: recognised from ${
      formatDateYear(recognition.from)
    }.`;
  }
  if (recognition.to < today) {
    const ago = daysBetween(recognition.to, today);
    return `Lapsed on ${formatDateYear(recognition.to)} (${
      plural(ago, "day")
    } ago).`;
  }
  const left = daysBetween(today, recognition.to);
  return left === 0
    ? `Recognised until today, ${
      formatDateYear(recognition.to)
    }; it lapses tomorrow.`
    : `Recognised until ${formatDateYear(recognition.to)} (${
      plural(left, "day")
    } left).`;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}
