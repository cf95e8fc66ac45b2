/**
 * Documents for tests, written the way the app writes them: uploaded by the
 * holder through `addDocument`, then verified by an admin through
 * `reviewDocument` (so the standing, the kitchen's search entries and the
 * audit follow as in production).
 */
import type { SessionUser } from "../lib/accounts/schema.ts";
import { addDocument, reviewDocument } from "../lib/compliance/repo.ts";
import { rulePackFor } from "../lib/compliance/rules.ts";
import type {
  ComplianceDocument,
  DocumentUpload,
  HolderRef,
} from "../lib/compliance/schema.ts";
import { requiredKitchenKinds } from "../lib/compliance/standing.ts";
import { newId } from "../lib/ids.ts";

/** A minimal, valid one-page PDF, written by hand (catalog, pages, page, xref). */
export function minimalPdf(): Uint8Array {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
  ];
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) {
    body += `${String(off).padStart(10, "0")} 00000 n \n`;
  }
  body += `trailer\n<< /Size ${
    objects.length + 1
  } /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(body);
}

const TINY_PDF = minimalPdf();

/** An admin for reviews; not stored, as `reviewDocument` only needs the session's view. */
export const TEST_ADMIN: SessionUser = {
  v: 1,
  id: newId(),
  email: "staff@example.com",
  name: "Test Staff",
  roles: ["admin"],
  emailVerifiedAt: "2026-01-01T00:00:00.000Z",
  createdAt: "2026-01-01T00:00:00.000Z",
} as SessionUser;

const MAIL = {
  from: "Prep <hello@example.com>",
  baseUrl: "http://localhost",
  wake: false,
};

export function upload(
  kind: DocumentUpload["kind"],
  over: Partial<DocumentUpload> = {},
): DocumentUpload {
  return {
    kind,
    number: `T-${kind.slice(0, 4).toUpperCase()}-1`,
    authority: "Test Authority",
    issueDate: "2026-01-01",
    expiryDate: "2028-12-31",
    insurance: null,
    inspection: null,
    greaseService: null,
    certification: null,
    ...over,
  };
}

/** Uploads as `uploadedBy` and, unless `verify` is false, verifies as staff. */
export async function addVerified(
  kv: Deno.Kv,
  holder: HolderRef,
  uploadedBy: string,
  doc: DocumentUpload,
  now: number,
  verify = true,
): Promise<ComplianceDocument> {
  const added = await addDocument(kv, {
    holder,
    upload: doc,
    bytes: TINY_PDF,
    uploadedBy,
    now,
  });
  if (!verify) return added;
  return await reviewDocument(kv, added.id, "verify", TEST_ADMIN, {
    mail: MAIL,
  }, now);
}

/** Verified permits of every kind the kitchen's city requires: it is listed and bookable. */
export async function givePermits(
  kv: Deno.Kv,
  kitchen: { id: string; hostId: string; address: { city: string } },
  now: number,
  opts: { except?: string[]; expiryDate?: string } = {},
): Promise<void> {
  const kinds = requiredKitchenKinds(rulePackFor(kitchen.address.city));
  for (const kind of kinds) {
    if (opts.except?.includes(kind)) continue;
    await addVerified(
      kv,
      { kind: "kitchen", id: kitchen.id },
      kitchen.hostId,
      upload(kind, opts.expiryDate ? { expiryDate: opts.expiryDate } : {}),
      now,
    );
  }
}

/**
 * A renter wallet good for the base cities: a food handler card and a COI
 * of $1M / $2M, naming `additionalInsured` when given (SF, Seattle, Portland).
 */
export async function giveWallet(
  kv: Deno.Kv,
  renterId: string,
  now: number,
  opts: { additionalInsured?: string; skip?: string[] } = {},
): Promise<void> {
  const holder = { kind: "renter" as const, id: renterId };
  if (!opts.skip?.includes("food_handler_card")) {
    await addVerified(kv, holder, renterId, upload("food_handler_card"), now);
  }
  if (!opts.skip?.includes("liability_insurance")) {
    await addVerified(
      kv,
      holder,
      renterId,
      upload("liability_insurance", {
        insurance: {
          perOccurrenceCents: 100_000_000,
          aggregateCents: 200_000_000,
          namedInsured: "Test Renter LLC",
          additionalInsured: opts.additionalInsured ?? null,
        },
      }),
      now,
    );
  }
}
