import { formatDateYear } from "../lib/format.ts";
import type { ComplianceDocument } from "../lib/compliance/schema.ts";
import {
  DOCUMENT_KIND_NAMES,
  KITCHEN_DOCUMENT_KINDS,
  type KitchenDocumentKind,
} from "../lib/compliance/schema.ts";
import { type RulePack, zoningNoticeNeeded } from "../lib/compliance/rules.ts";
import {
  type KindStatus,
  requiredKitchenKinds,
  statusesOf,
} from "../lib/compliance/standing.ts";
import type { Listing } from "../lib/kitchens/listings.ts";
import {
  DocumentUpload,
  lastReason,
  STATUS_NAMES,
  type UploadState,
} from "./CompliancePages.tsx";
import { Notice } from "./Forms.tsx";
import { EditorShell, SavedNotice } from "./ListingSteps.tsx";
import { Table } from "./Table.tsx";

const card = "space-y-3 rounded-xl border border-stone-200 bg-white p-5";
const link = "font-semibold text-emerald-800 underline";
const td = "py-2 pr-4";

/** Records a host keeps on file though no city requires them for listing. */
const OPTIONAL_KINDS: readonly KitchenDocumentKind[] = [
  "liability_insurance",
  "grease_service",
  "inspection_report",
];

/**
 * Whether the city asks this kitchen for a neighbourhood notice, by its
 * zoning district; null when the city never does. Mirrors the verdict's
 * rule (compliance.md §3): a district not in the city's table, or none on
 * file, needs one.
 */
function zoningNotice(
  pack: RulePack,
  district: string | undefined,
): { needed: boolean; district: string | null } | null {
  const needed = zoningNoticeNeeded(pack, district);
  if (needed === null) return null;
  return { needed, district: district?.trim().toUpperCase() || null };
}

function zoningText(
  pack: RulePack,
  zoning: { needed: boolean; district: string | null },
): string {
  if (zoning.district === null) {
    return `${pack.cityName} asks for a neighborhood notice in some zoning districts. Until you enter your zoning district in Location, we assume yours does; without a verified notice renters book under a condition.`;
  }
  return zoning.needed
    ? `Your zoning district, ${zoning.district}, needs a neighborhood notice. Without a verified one, renters book under a condition.`
    : `Your zoning district, ${zoning.district}, needs no neighborhood notice.`;
}

/**
 * The listing editor's Permits section: what the kitchen's city requires,
 * each kind's current document with its status and expiry, the records
 * worth keeping, and (for the kitchen's host) the upload form.
 */
export function PermitsSection(
  { listing, pack, documents, now, timeZone, canUpload, upload, notice }: {
    listing: Listing;
    /** Null until the listing has a city. */
    pack: RulePack | null;
    documents: ComplianceDocument[];
    now: number;
    timeZone: string;
    /** Only the kitchen's host uploads; staff look. */
    canUpload: boolean;
    upload: UploadState;
    notice?: string;
  },
) {
  const base = `/host/kitchens/${listing.id}`;
  const required = pack ? requiredKitchenKinds(pack) : [];
  const zoning = pack
    ? zoningNotice(pack, listing.values.zoningDistrict)
    : null;
  const listed = new Set<KitchenDocumentKind>([
    ...required,
    ...(zoning ? ["neighborhood_notice" as const] : []),
  ]);
  const others = KITCHEN_DOCUMENT_KINDS.filter((k) =>
    !listed.has(k) &&
    (OPTIONAL_KINDS.includes(k) || documents.some((d) => d.kind === k))
  );
  const rows = (kinds: readonly KitchenDocumentKind[]) =>
    statusesOf(kinds, documents, now, timeZone);
  return (
    <EditorShell listing={listing} current="permits">
      <section class="max-w-3xl space-y-6">
        <h1 class="text-3xl font-extrabold">Permits</h1>
        {notice && (canUpload
          ? <SavedNotice listing={listing} step="permits" text={notice} />
          : <Notice>{notice}</Notice>)}
        <div class={card}>
          <h2 class="text-xl font-bold">
            {pack ? `Required in ${pack.cityName}` : "Required permits"}
          </h2>
          {pack
            ? (
              <>
                <p class="text-stone-700">
                  Your kitchen is listed and bookable only while each of these
                  is verified by Prep staff and not expired.
                </p>
                <PermitTable
                  caption={`Permits ${pack.cityName} requires`}
                  rows={rows(required)}
                  base={base}
                  canUpload={canUpload}
                />
              </>
            )
            : (
              <p class="text-stone-700">
                Which permits you need depends on the city.{" "}
                <a href={`${base}/edit/location`} class={link}>
                  Choose your kitchen's city in Location
                </a>{" "}
                to see them.
              </p>
            )}
        </div>
        {pack && zoning && (
          <div class={card}>
            <h2 class="text-xl font-bold">Neighborhood notice</h2>
            <p class="text-stone-700">{zoningText(pack, zoning)}</p>
            {(zoning.needed ||
              documents.some((d) => d.kind === "neighborhood_notice")) && (
              <PermitTable
                caption="Your neighborhood notice"
                rows={rows(["neighborhood_notice"])}
                base={base}
                canUpload={canUpload}
              />
            )}
          </div>
        )}
        <div class={card}>
          <h2 class="text-xl font-bold">Other records</h2>
          <p class="text-stone-700">
            Not needed to list, but renters and inspectors ask: your own
            liability insurance, your latest grease trap service (renters book
            under a condition when it is overdue) and your latest health
            inspection (a failed one stops bookings).
          </p>
          <PermitTable
            caption="Other records"
            rows={rows(others)}
            base={base}
            canUpload={canUpload}
          />
        </div>
        {canUpload
          ? (
            <DocumentUpload
              action={`${base}/permits`}
              kinds={KITCHEN_DOCUMENT_KINDS}
              upload={upload}
            />
          )
          : (
            <p class="text-stone-700">
              Only the kitchen's host uploads its permits; staff review them in
              the document queue.
            </p>
          )}
      </section>
    </EditorShell>
  );
}

function PermitTable(
  { caption, rows, base, canUpload }: {
    caption: string;
    rows: KindStatus<KitchenDocumentKind>[];
    base: string;
    canUpload: boolean;
  },
) {
  return (
    <Table caption={caption} head={["Permit", "Status", "Expires", "Actions"]}>
      {rows.map(({ kind, document, status }) => (
        <tr key={kind} class="border-b border-stone-200">
          <td class={td}>{DOCUMENT_KIND_NAMES[kind]}</td>
          <td class={td}>
            {status ? STATUS_NAMES[status] : "Not uploaded"}
            {document && lastReason(document) && (
              <span class="block text-stone-600">{lastReason(document)}</span>
            )}
          </td>
          <td class={td}>
            {document?.expiryDate ? formatDateYear(document.expiryDate) : "—"}
          </td>
          <td class={td}>
            {document && (
              <a href={`/documents/${document.id}/file`} class={link}>
                {`Download ${DOCUMENT_KIND_NAMES[kind].toLowerCase()}`}
              </a>
            )}{" "}
            {canUpload && (
              <a href={`${base}/permits?kind=${kind}#upload`} class={link}>
                {document
                  ? `Upload a newer ${DOCUMENT_KIND_NAMES[kind].toLowerCase()}`
                  : `Upload ${DOCUMENT_KIND_NAMES[kind].toLowerCase()}`}
              </a>
            )}
          </td>
        </tr>
      ))}
    </Table>
  );
}
