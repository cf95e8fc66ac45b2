/**
 * The federal certifier directory as the app uses it: the published
 * recognitions of shared/reference/compliance.md §5 (`RECOGNITIONS`, reference
 * data like the city rule packs) plus the renewals staff record in KV
 * (`["certifier_recognitions", id]`). A staff record never edits or hides a
 * published row: a lapsed recognition stays listed as lapsed, and the renewal
 * is a row of its own that the authority chain counts.
 */
import { z } from "zod";
import { requireCapability } from "../accounts/roles.ts";
import type { SessionUser } from "../accounts/schema.ts";
import { addAudit } from "../audit/repo.ts";
import { keys } from "../db/keys.ts";
import { ValidationError } from "../errors.ts";
import { newId } from "../ids.ts";
import {
  ACCREDITOR_IDS,
  type AuthorityChain,
  authorityChain,
  CERTIFICATION_BODIES,
  type CertificationBodyId,
  describeRecognition,
  FEDERAL_SCOPE_IDS,
  type FederalScope,
  lapsedRecognitions,
  LAPSING_WINDOWS,
  lapsingWithin,
  recognises,
  type Recognition,
  RECOGNITIONS,
} from "./certifiers.ts";
import { type ComplianceDocument, isFederalCertificateKind } from "./schema.ts";

/**
 * The directory's dates are US calendar dates with no zone of their own. A
 * recognition stays in force until its last day has ended in every city we
 * serve, so "today" is read in the latest-ending of them, Los Angeles.
 */
export const DIRECTORY_ZONE = "America/Los_Angeles";

/** The directory's date ("YYYY-MM-DD") at `now`. */
export function directoryToday(now: number): string {
  return Temporal.Instant.fromEpochMilliseconds(now)
    .toZonedDateTimeISO(DIRECTORY_ZONE).toPlainDate().toString();
}

/** A renewal staff recorded: a recognition plus who recorded it and when. */
export interface RecordedRecognition extends Recognition {
  v: 1;
  id: string;
  recordedBy: string;
  recordedAt: number;
}

/** A row of the directory as shown: published (`recorded` null) or staff-recorded. */
export interface DirectoryEntry {
  recognition: Recognition;
  recorded: RecordedRecognition | null;
}

const BODY_IDS = Object.keys(CERTIFICATION_BODIES) as [
  CertificationBodyId,
  ...CertificationBodyId[],
];

const recognitionDate = (label: string) =>
  z.string().trim().pipe(
    z.iso.date({ error: `Enter ${label} as a date like 2026-12-31` }),
  );

/** The staff form for recording a renewed recognition. */
export const recognitionForm = z.object({
  accreditor: z.enum(ACCREDITOR_IDS as [string, ...string[]], {
    error: "Choose the accreditor",
  }),
  body: z.enum(BODY_IDS, { error: "Choose the certification body" }),
  scopes: z.array(
    z.enum(FEDERAL_SCOPE_IDS, { error: "Choose scopes from the list" }),
  ).min(1, "Choose at least one scope").max(FEDERAL_SCOPE_IDS.length),
  from: recognitionDate("the first day of the recognition"),
  to: recognitionDate("the last day of the recognition"),
}).superRefine((v, ctx) => {
  if (v.from && v.to && v.to < v.from) {
    ctx.addIssue({
      code: "custom",
      message: "The last day must be on or after the first day",
      path: ["to"],
    });
  }
}).transform((v): Recognition => ({
  accreditor: v.accreditor as Recognition["accreditor"],
  body: v.body,
  scopes: FEDERAL_SCOPE_IDS.filter((s) => v.scopes.includes(s)),
  from: v.from,
  to: v.to,
}));

/** Renewals staff recorded, oldest first. */
export async function listRecordedRecognitions(
  kv: Deno.Kv,
): Promise<RecordedRecognition[]> {
  const out: RecordedRecognition[] = [];
  for await (
    const e of kv.list<RecordedRecognition>({
      prefix: keys.certifierRecognitionsPrefix(),
    })
  ) out.push(e.value);
  return out;
}

/** Every row of the directory: the published ones, then staff-recorded renewals. */
export async function listDirectory(kv: Deno.Kv): Promise<DirectoryEntry[]> {
  const recorded = await listRecordedRecognitions(kv);
  return [
    ...RECOGNITIONS.map((recognition) => ({ recognition, recorded: null })),
    ...recorded.map((r) => ({ recognition: recognitionOf(r), recorded: r })),
  ];
}

/** The recognitions the authority chain and the staff windows run over. */
export async function certifierRecognitions(
  kv: Deno.Kv,
): Promise<Recognition[]> {
  return (await listDirectory(kv)).map((e) => e.recognition);
}

function recognitionOf(r: RecordedRecognition): Recognition {
  return {
    accreditor: r.accreditor,
    body: r.body,
    scopes: r.scopes,
    from: r.from,
    to: r.to,
  };
}

function sameRecognition(a: Recognition, b: Recognition): boolean {
  return a.accreditor === b.accreditor && a.body === b.body &&
    a.from === b.from && a.to === b.to &&
    a.scopes.length === b.scopes.length &&
    a.scopes.every((s) => b.scopes.includes(s));
}

/**
 * Records a renewed recognition (admins only) with its audit entry in one
 * atomic. Refuses, with a field error, one the directory already holds.
 */
export async function recordRecognition(
  kv: Deno.Kv,
  staff: SessionUser,
  recognition: Recognition,
  now: number,
): Promise<RecordedRecognition> {
  requireCapability(staff, "admin:act");
  const existing = await certifierRecognitions(kv);
  if (existing.some((r) => sameRecognition(r, recognition))) {
    throw new ValidationError({
      form: "The directory already holds this recognition.",
    }, "The directory already holds this recognition.");
  }
  const record: RecordedRecognition = {
    v: 1,
    id: newId(),
    ...recognition,
    scopes: [...recognition.scopes],
    recordedBy: staff.id,
    recordedAt: now,
  };
  const atomic = kv.atomic()
    .check({ key: keys.certifierRecognition(record.id), versionstamp: null })
    .set(keys.certifierRecognition(record.id), record);
  addAudit(atomic, {
    actor: { kind: "user", id: staff.id, email: staff.email },
    action: "certifier.recognition_recorded",
    subject: { kind: "certifier_recognition", id: record.id },
    details: {
      accreditor: record.accreditor,
      body: record.body,
      scopes: record.scopes.join(","),
      from: record.from,
      to: record.to,
    },
  }, now);
  const res = await atomic.commit();
  if (!res.ok) throw new Error(`Could not record recognition ${record.id}`);
  return record;
}

/**
 * The authority chain (certifiers.ts) of a renter's federal scope certificate
 * over the whole directory, staff-recorded renewals included; null for a
 * document of any other kind.
 */
export async function certificateChain(
  kv: Deno.Kv,
  doc: ComplianceDocument,
  now: number,
): Promise<AuthorityChain | null> {
  if (!isFederalCertificateKind(doc.kind) || !doc.certification) return null;
  return authorityChain(
    {
      body: doc.certification.body,
      scope: doc.certification.scope,
      issueDate: doc.issueDate,
    },
    directoryToday(now),
    await certifierRecognitions(kv),
  );
}

// ---------------------------------------------------------------------------
// Standing, for the public page and the staff home

/** The scopes of `r` that some recognition of the same body covers on `today`. */
export function stillRecognised(
  r: Recognition,
  today: string,
  recognitions: readonly Recognition[],
): FederalScope[] {
  return r.scopes.filter((s) =>
    recognitions.some((o) => o.body === r.body && recognises(o, s, today))
  );
}

export interface LapsedRecognition {
  recognition: Recognition;
  /** Its scopes another recognition of the body (a renewal) covers today. */
  renewedScopes: FederalScope[];
}

export interface LapsingGroup {
  /** Lapses within this many days (and not within the previous group's). */
  days: typeof LAPSING_WINDOWS[number];
  recognitions: Recognition[];
}

export interface RecognitionWatch {
  lapsing: LapsingGroup[];
  lapsed: LapsedRecognition[];
}

/**
 * What staff watch in the directory on `today`: recognitions lapsing within
 * 90, 180 and 365 days (each group without the nearer ones), and those
 * already lapsed with what of them a renewal covers. Pure.
 */
export function recognitionWatch(
  today: string,
  recognitions: readonly Recognition[],
): RecognitionWatch {
  const shown = new Set<Recognition>();
  const lapsing = LAPSING_WINDOWS.map((days) => {
    const group = lapsingWithin(days, today, recognitions)
      .filter((r) => !shown.has(r));
    for (const r of group) shown.add(r);
    return { days, recognitions: group };
  });
  const lapsed = lapsedRecognitions(today, recognitions).map((
    recognition,
  ) => ({
    recognition,
    renewedScopes: stillRecognised(recognition, today, recognitions),
  }));
  return { lapsing, lapsed };
}

/** `recognitionWatch` over the whole directory, staff renewals included. */
export async function certifierWatch(
  kv: Deno.Kv,
  today: string,
): Promise<RecognitionWatch> {
  return recognitionWatch(today, await certifierRecognitions(kv));
}

/** The public page's query: `?scope=pchf`; empty or absent for every scope. */
export const directoryQuery = z.object({
  scope: z.union([z.literal(""), z.enum(FEDERAL_SCOPE_IDS)], {
    error: "We don't know that scope. Choose one from the list.",
  }),
});

export type RecognitionState = "in_force" | "lapsed" | "not_yet";

/** A directory row as the pages show it on `today`. */
export interface DirectoryRow extends DirectoryEntry {
  state: RecognitionState;
  /** In words: "Lapsed on 2025-03-20 (256 days ago)." */
  description: string;
  /** For a lapsed row: its scopes a renewal covers today. */
  renewedScopes: FederalScope[];
}

/**
 * The rows covering `scope` (all when null), by body name, then accreditor,
 * then first day. Lapsed rows stay in, saying so. Pure.
 */
export function directoryRows(
  entries: readonly DirectoryEntry[],
  today: string,
  scope: FederalScope | null,
): DirectoryRow[] {
  const all = entries.map((e) => e.recognition);
  return entries
    .filter((e) => scope === null || e.recognition.scopes.includes(scope))
    .map((e) => {
      const r = e.recognition;
      const state: RecognitionState = today < r.from
        ? "not_yet"
        : r.to < today
        ? "lapsed"
        : "in_force";
      return {
        ...e,
        state,
        description: describeRecognition(r, today),
        renewedScopes: state === "lapsed" ? stillRecognised(r, today, all) : [],
      };
    })
    .sort((a, b) =>
      CERTIFICATION_BODIES[a.recognition.body].name.localeCompare(
        CERTIFICATION_BODIES[b.recognition.body].name,
      ) ||
      a.recognition.accreditor.localeCompare(b.recognition.accreditor) ||
      a.recognition.from.localeCompare(b.recognition.from)
    );
}

/** The directory as the pages show it at `now`. */
export async function viewDirectory(
  kv: Deno.Kv,
  now: number,
  scope: FederalScope | null,
): Promise<{ today: string; rows: DirectoryRow[] }> {
  const today = directoryToday(now);
  return { today, rows: directoryRows(await listDirectory(kv), today, scope) };
}
