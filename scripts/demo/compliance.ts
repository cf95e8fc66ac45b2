/**
 * Demo compliance documents (issue 10 §7), written through the compliance
 * repo like real uploads: every demo kitchen gets its city's required
 * permits, most verified, a few newer uploads waiting in the staff queue,
 * one permit expiring within 30 days and one rejected certificate; the demo
 * renter's wallet is good everywhere except Portland, whose additional-
 * insured certificate is missing, so the demo shows a DENY reason.
 * Demo-only: imported lazily by the seed and by `main.ts` in demo mode.
 */
import { PDFDocument, StandardFonts } from "pdf-lib";
import { addAudit } from "../../lib/audit/repo.ts";
import { keys } from "../../lib/db/keys.ts";
import { addExpiryJobs } from "../../lib/compliance/expiry_plan.ts";
import { addDocument, changeDocument } from "../../lib/compliance/repo.ts";
import { review } from "../../lib/compliance/review.ts";
import {
  type RulePack,
  rulePackFor,
  zoningNoticeNeeded,
} from "../../lib/compliance/rules.ts";
import {
  DOCUMENT_KIND_NAMES,
  type DocumentUpload,
  type HolderRef,
} from "../../lib/compliance/schema.ts";
import { requiredKitchenKinds } from "../../lib/compliance/standing.ts";
import { getKitchen, listKitchenIdsByHost } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import { DEMO_HOSTS } from "./hosts.ts";

export const DEMO_COMPLIANCE_SEED = "demo-compliance-v1";
/** The demo admin (scripts/demo/accounts.ts) decides the demo documents. */
const REVIEWER = { id: "demo-user-admin", email: "admin@prep.test" };
const RENTER_ID = "demo-user-renter";

const DAY = 86_400_000;

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A one-page certificate whose text the prefill can read. */
async function certificatePdf(
  title: string,
  lines: string[],
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  doc.setTitle(title);
  const page = doc.addPage([612, 792]);
  page.drawText(title, { x: 50, y: 730, size: 18, font: bold });
  lines.forEach((line, i) => {
    page.drawText(line, { x: 50, y: 690 - i * 18, size: 11, font });
  });
  return await doc.save();
}

function authorityFor(pack: RulePack, kind: string): string {
  const agencies = pack.guide.agencies;
  if (kind === "fire_safety" || kind === "ventilation") {
    return agencies.find((a) => /fire/i.test(a)) ?? agencies[0];
  }
  if (kind === "business_license") {
    return agencies.find((a) =>
      /licens|revenue|finance|business|consumer/i.test(a)
    ) ??
      agencies[0];
  }
  return pack.guide.healthDepartment;
}

async function upload(
  kv: Deno.Kv,
  holder: HolderRef,
  uploadedBy: string,
  doc: DocumentUpload,
  at: number,
) {
  const lines = [
    `Certificate No. ${doc.number}`,
    `Issued by: ${doc.authority}`,
    `Issue date: ${doc.issueDate}`,
    `Expiration date: ${doc.expiryDate}`,
    ...(doc.insurance
      ? [
        `Named insured: ${doc.insurance.namedInsured}`,
        `EACH OCCURRENCE $${doc.insurance.perOccurrenceCents / 100}`,
        `GENERAL AGGREGATE $${doc.insurance.aggregateCents / 100}`,
        ...(doc.insurance.additionalInsured
          ? [`Additional insured: ${doc.insurance.additionalInsured}`]
          : []),
      ]
      : []),
  ];
  const bytes = await certificatePdf(DOCUMENT_KIND_NAMES[doc.kind], lines);
  return await addDocument(kv, {
    holder,
    upload: doc,
    bytes,
    uploadedBy,
    now: at,
  });
}

/** A staff decision as the demo admin: audited, expiry jobs added, no email. */
async function decide(
  kv: Deno.Kv,
  id: string,
  action: "verify" | "reject",
  at: number,
  reason?: string,
) {
  await changeDocument(kv, id, (doc, timeZone) =>
    review(doc, action, {
      reviewerId: REVIEWER.id,
      reason,
      now: at,
      timeZone,
    }), {
    now: at,
    extra: (atomic, before, after, holder) => {
      addAudit(atomic, {
        actor: { kind: "user", ...REVIEWER },
        action: action === "verify" ? "document.verified" : "document.rejected",
        subject: { kind: "document", id },
        details: {
          kind: before.kind,
          from: before.status,
          status: after.status,
        },
        ...(reason ? { reason } : {}),
      }, at);
      if (after.status === "verified") {
        addExpiryJobs(atomic, after, holder.timeZone, at, false);
      }
    },
  });
}

function base(
  kind: DocumentUpload["kind"],
  number: string,
  authority: string,
  issued: number,
  expires: number,
): DocumentUpload {
  return {
    kind,
    number,
    authority,
    issueDate: isoDate(issued),
    expiryDate: isoDate(expires),
    insurance: null,
    inspection: null,
    greaseService: null,
    certification: null,
  };
}

/** The demo kitchens as stored, for a database seeded before compliance. */
export async function demoKitchens(kv: Deno.Kv): Promise<Kitchen[]> {
  const out: Kitchen[] = [];
  for (const h of DEMO_HOSTS) {
    for (const id of await listKitchenIdsByHost(kv, h.id)) {
      const k = await getKitchen(kv, id);
      if (k) out.push(k);
    }
  }
  return out;
}

/** The seed's marker: claimed (`done: false`) while one process seeds, then done. */
interface SeedMarker {
  at: string;
  /** Absent in markers written before claims: those seeds finished. */
  done?: boolean;
  claimedUntil?: number;
}

/** Longer than a seed takes; a claim older than this was left by a process that died. */
const CLAIM_MS = 10 * 60_000;

/**
 * The right to seed, for exactly one of several processes starting together
 * on one KV (`deno serve --parallel` workers): the claim is written in an
 * atomic that checks the marker read, so of two that both saw no marker only
 * one commits. False when seeded, or being seeded by a live claim.
 */
async function claimSeed(kv: Deno.Kv, marker: Deno.KvKey): Promise<boolean> {
  const entry = await kv.get<SeedMarker>(marker);
  const seen = entry.value;
  const clock = Date.now();
  if (seen && (seen.done !== false || (seen.claimedUntil ?? 0) > clock)) {
    return false;
  }
  const claim: SeedMarker = {
    at: new Date(clock).toISOString(),
    done: false,
    claimedUntil: clock + CLAIM_MS,
  };
  return (await kv.atomic().check(entry).set(marker, claim).commit()).ok;
}

/** Writes the demo documents once; false if they were already there (or are being written). */
export async function seedDemoCompliance(
  kv: Deno.Kv,
  kitchens: readonly Kitchen[],
  now = Date.now(),
): Promise<boolean> {
  const marker = keys.seed(DEMO_COMPLIANCE_SEED);
  if (!await claimSeed(kv, marker)) return false;
  const issued = now - 200 * DAY;
  for (const [i, k] of kitchens.entries()) {
    const pack = rulePackFor(k.address.city);
    const holder: HolderRef = { kind: "kitchen", id: k.id };
    const prefix = k.address.city.slice(0, 3).toUpperCase();
    for (const kind of requiredKitchenKinds(pack)) {
      // One fire certificate lapses within 30 days: staff see it on /admin.
      const expires = i === 3 && kind === "fire_safety"
        ? now + 20 * DAY
        : now + (365 + (i * 37 + kind.length * 11) % 400) * DAY;
      const doc = await upload(
        kv,
        holder,
        k.hostId,
        base(
          kind,
          `${prefix}-${kind.slice(0, 2).toUpperCase()}-${20250 + i * 7}`,
          authorityFor(pack, kind),
          issued,
          expires,
        ),
        issued,
      );
      await decide(kv, doc.id, "verify", issued + DAY);
    }
    const district = k.zoningDistrict ?? "";
    // One district that needs a notice is left without: its bookings carry the condition.
    if (zoningNoticeNeeded(pack, district) && district !== "NC-3") {
      const posted = now - 60 * DAY;
      const doc = await upload(
        kv,
        holder,
        k.hostId,
        base(
          "neighborhood_notice",
          `NN-${district}-${i}`,
          "San Francisco Planning Department",
          posted,
          now + 600 * DAY,
        ),
        posted,
      );
      await decide(kv, doc.id, "verify", posted + DAY);
    }
    if (pack.greaseServiceIntervalDays !== null && i % 6 !== 5) {
      const served = now - 20 * DAY;
      const grease = await upload(kv, holder, k.hostId, {
        ...base(
          "grease_service",
          `GT-${4100 + i}`,
          "Pacific Grease Trap Services",
          served,
          served + 365 * DAY,
        ),
        greaseService: { date: isoDate(served) },
      }, served);
      await decide(kv, grease.id, "verify", served + DAY);
    }
    // Renewals waiting for staff: the old permit stays in force meanwhile.
    if (i % 16 === 1) {
      await upload(
        kv,
        holder,
        k.hostId,
        base(
          "health_permit",
          `${prefix}-HE-${30000 + i}`,
          pack.guide.healthDepartment,
          now - 2 * DAY,
          now + 730 * DAY,
        ),
        now - 2 * DAY - i * 3_600_000,
      );
    }
    if (i === 10) {
      const coi = await upload(kv, holder, k.hostId, {
        ...base(
          "liability_insurance",
          "GL-88-1934",
          "Hartwell Mutual Insurance",
          issued,
          now + 300 * DAY,
        ),
        insurance: {
          perOccurrenceCents: 50_000_000,
          aggregateCents: 100_000_000,
          namedInsured: k.title,
          additionalInsured: null,
        },
      }, issued);
      await decide(
        kv,
        coi.id,
        "reject",
        issued + DAY,
        "The limits are below $1,000,000 per occurrence; please upload your current certificate.",
      );
    }
  }
  await seedRenterWallet(kv, now);
  const done: SeedMarker = { at: new Date(now).toISOString(), done: true };
  await kv.set(marker, done);
  return true;
}

async function seedRenterWallet(kv: Deno.Kv, now: number): Promise<void> {
  const holder: HolderRef = { kind: "renter", id: RENTER_ID };
  const issued = now - 120 * DAY;
  const card = await upload(
    kv,
    holder,
    RENTER_ID,
    base(
      "food_handler_card",
      "FH-7731902",
      "ServSafe Food Handler (ANSI accredited)",
      issued,
      now + 900 * DAY,
    ),
    issued,
  );
  await decide(kv, card.id, "verify", issued + DAY);
  // General liability with the endorsements Rosa's insurer issued so far:
  // San Francisco and Seattle, not yet Portland.
  for (
    const additionalInsured of [
      null,
      "City and County of San Francisco",
      "City of Seattle and King County",
    ]
  ) {
    const coi = await upload(kv, holder, RENTER_ID, {
      ...base(
        "liability_insurance",
        `CGL-20931-${additionalInsured ? additionalInsured.length : 0}`,
        "Lakeshore Casualty Company",
        issued,
        now + 240 * DAY,
      ),
      insurance: {
        perOccurrenceCents: 100_000_000,
        aggregateCents: 200_000_000,
        namedInsured: "Rosa's Tamales LLC",
        additionalInsured,
      },
    }, issued);
    await decide(kv, coi.id, "verify", issued + DAY);
  }
  // A business licence waiting for staff, so the queue has a renter too.
  await upload(
    kv,
    holder,
    RENTER_ID,
    base(
      "business_license",
      "BL-2026-44817",
      "City of Chicago Department of Business Affairs and Consumer Protection",
      now - 3 * DAY,
      now + 365 * DAY,
    ),
    now - 3 * DAY,
  );
}
