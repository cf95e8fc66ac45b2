/**
 * A host's listing, from first draft to published kitchen. A draft lives in
 * `kitchen_drafts` and holds whatever sections the host has saved so far (each
 * validated by its part of the kitchen schema), so nothing typed is lost over
 * several visits; it is in no search index. Publishing validates the whole
 * kitchen and creates the kitchen record with its indexes in one atomic,
 * deleting the draft. After that, sections edit the kitchen record itself,
 * through `updateKitchen`, which keeps indexes, counters and the read cache
 * exact.
 */
import { z } from "zod";
import { addAudit } from "../audit/repo.ts";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from "../errors.ts";
import { newId } from "../ids.ts";
import { getHostFresh } from "../hosts/repo.ts";
import {
  addDraftRemoval,
  addDraftUpdate,
  addKitchenCreate,
  addNewDraft,
  commitKitchenWrite,
  getDraft,
  getDraftEntry,
  getKitchen,
  getPermitStandingEntry,
  listKitchenIdsByHost,
  newKitchen,
  updateKitchen,
} from "./repo.ts";
import {
  crossFieldProblems,
  type DraftRecord,
  type Kitchen,
  kitchenFields,
  type KitchenInput,
  kitchenInput,
  type PermitStanding,
} from "./schema.ts";
import type { KitchenStatus } from "./vocabulary.ts";
import { fieldErrors } from "../forms.ts";
import { gazetteer } from "../place/gazetteer.ts";
import { locateListing, type LocationInput } from "./place.ts";

export const EDIT_SECTIONS = [
  "basics",
  "location",
  "features",
  "photos",
  "hours",
  "pricing",
  "rules",
] as const;
export type EditSection = typeof EDIT_SECTIONS[number];

/** The kitchen fields each section edits; together they are the whole kitchen. */
export const SECTION_FIELDS = {
  basics: ["title", "description", "capacity"],
  location: ["address", "lat", "lng", "timeZone", "zoningDistrict"],
  features: ["equipment", "storage", "accessible"],
  photos: ["photos"],
  hours: [
    "weeklyHours",
    "blackoutDates",
    "bufferMinutes",
    "minNoticeHours",
    "bookingWindowDays",
    "minHours",
    "maxHours",
    "standingBookings",
    "standingMonthsAhead",
  ],
  pricing: ["hourlyPriceCents", "cleaningFeeCents", "bookingMode"],
  rules: ["rules", "cancellationPolicy"],
} as const satisfies Record<EditSection, readonly (keyof KitchenInput)[]>;

export const SECTION_TITLES: Record<EditSection, string> = {
  basics: "Basics",
  location: "Location",
  features: "Equipment and storage",
  photos: "Photos",
  hours: "Hours and booking rules",
  pricing: "Prices",
  rules: "House rules and cancellation",
};

/** The zod schema of one section: the same rules as the kitchen record. */
export function sectionSchema(
  section: EditSection,
): z.ZodType<Partial<KitchenInput>> {
  const pick = Object.fromEntries(
    SECTION_FIELDS[section].map((f) => [f, true as const]),
  ) as { [K in keyof KitchenInput]?: true };
  return kitchenFields.pick(pick).superRefine((v, ctx) => {
    for (const [path, message] of Object.entries(crossFieldProblems(v))) {
      ctx.addIssue({ code: "custom", message, path: [path] });
    }
  });
}

/** A listing as the editor sees it, draft or kitchen. */
export interface Listing {
  id: string;
  hostId: string;
  status: KitchenStatus;
  values: Partial<KitchenInput>;
  /** The kitchen record once published (also when unlisted or suspended). */
  kitchen: Kitchen | null;
  /** The city's required permits, as compliance last found them; null before any upload. */
  permits: PermitStanding | null;
  updatedAt: string;
}

function fromDraft(
  d: DraftRecord,
  permits: PermitStanding | null = null,
): Listing {
  return {
    id: d.id,
    hostId: d.hostId,
    status: "draft",
    values: d.values,
    kitchen: null,
    permits,
    updatedAt: d.updatedAt,
  };
}

function fromKitchen(k: Kitchen): Listing {
  const {
    v: _v,
    id,
    hostId,
    status,
    createdAt: _c,
    updatedAt,
    permits,
    suspension: _s,
    ...values
  } = k;
  return {
    id,
    hostId,
    status,
    values,
    kitchen: k,
    permits: permits ?? null,
    updatedAt,
  };
}

/** Who may see and change a listing: its host, or staff. */
export interface Editor {
  id: string;
  roles: readonly string[];
  /** For the audit log when staff change another host's listing. */
  email?: string;
}

/** Staff may look (support and admin); only admins may change another host's listing. */
const mayOpen = (e: Editor, write: boolean) =>
  e.roles.includes("admin") || (!write && e.roles.includes("support"));

const notFound = () => new NotFoundError("We could not find that kitchen.");

/**
 * A listing its host (or staff) may see, or change with `write`. Support
 * staff asking to change one get a 403 that says so; anyone else a 404.
 */
export async function getListingFor(
  kv: Deno.Kv,
  id: string,
  editor: Editor,
  opts: { write?: boolean } = {},
): Promise<Listing> {
  const [draft, kitchen, permits] = await Promise.all([
    getDraft(kv, id),
    getKitchen(kv, id),
    getPermitStandingEntry(kv, id),
  ]);
  const listing = kitchen
    ? fromKitchen(kitchen)
    : draft
    ? fromDraft(draft, permits.value)
    : null;
  if (!listing) throw notFound();
  if (listing.hostId === editor.id || mayOpen(editor, opts.write ?? false)) {
    return listing;
  }
  if (mayOpen(editor, false)) {
    throw new ForbiddenError(
      "Support staff can look at a host's listing but not change it; ask an admin.",
    );
  }
  throw notFound();
}

/** Whether `editor` may change the listing (its host, or an admin), for pages to offer it. */
export function mayChangeListing(
  listing: Pick<Listing, "hostId">,
  editor: Editor,
): boolean {
  return listing.hostId === editor.id || mayOpen(editor, true);
}

/**
 * Adds an audit entry to `atomic` when staff, not the host, change a
 * listing: every admin action is audited, in the atomic of the change.
 */
function addStaffEditAudit(
  atomic: Deno.AtomicOperation,
  editor: Editor,
  listing: Pick<Listing, "id" | "hostId">,
  action: "kitchen.edited" | "kitchen.published" | "kitchen.unlisted",
  details: Record<string, string | null>,
  now: number,
): void {
  if (editor.id === listing.hostId) return;
  addAudit(atomic, {
    actor: { kind: "user", id: editor.id, email: editor.email },
    action,
    subject: { kind: "kitchen", id: listing.id },
    details: { hostId: listing.hostId, ...details },
  }, now);
}

/** Every listing of a host, drafts included, newest first. */
export async function listListings(
  kv: Deno.Kv,
  hostId: string,
): Promise<Listing[]> {
  const ids = await listKitchenIdsByHost(kv, hostId);
  const out: Listing[] = [];
  for (const id of ids.reverse()) {
    const [draft, kitchen] = await Promise.all([
      getDraft(kv, id),
      getKitchen(kv, id),
    ]);
    if (kitchen) out.push(fromKitchen(kitchen));
    else if (draft) out.push(fromDraft(draft));
  }
  return out;
}

/** Starts a listing: an empty draft the host fills in section by section. */
export async function createDraft(
  kv: Deno.Kv,
  host: { id: string; roles: readonly string[] },
  now: number,
): Promise<Listing> {
  if (!host.roles.includes("host")) {
    throw new ValidationError({}, "List your kitchen first to become a host.");
  }
  const at = new Date(now).toISOString();
  const draft: DraftRecord = {
    v: 1,
    id: newId(),
    hostId: host.id,
    values: { currency: "usd" },
    createdAt: at,
    updatedAt: at,
  };
  // Checking the host profile means a host deleted meanwhile gets no orphan draft.
  const profile = await getHostFresh(kv, host.id);
  if (!profile.value) {
    throw new ValidationError({}, "List your kitchen first to become a host.");
  }
  const created = await commitKitchenWrite(kv, (atomic) => {
    atomic.check(profile);
    addNewDraft(atomic, draft);
  });
  if (!created) {
    throw new ConflictError(
      "Your account changed meanwhile; please try again.",
    );
  }
  return fromDraft(draft);
}

/**
 * Saves one section: validated by the section's schema, and for a kitchen
 * already published, by the whole kitchen schema too. Returns the listing.
 */
export async function saveSection(
  kv: Deno.Kv,
  id: string,
  editor: Editor,
  section: EditSection,
  input: unknown,
  now: number,
): Promise<Listing> {
  if (section === "location") {
    // The address gives the coordinates: from the offline gazetteer, or the
    // host's pin (place.ts), judged against the values read on each attempt.
    const gaz = await gazetteer();
    return await updateSection(
      kv,
      id,
      editor,
      section,
      (current) => locateListing(input as LocationInput, current, gaz),
      now,
    );
  }
  return await updateSection(kv, id, editor, section, () => input, now);
}

/**
 * Like `saveSection`, but the section's new values are computed from the
 * listing's current ones (and status) on every attempt of the versionstamp-
 * checked write, so two concurrent edits (a photo added while another is
 * reordered) both land instead of one overwriting the other.
 */
export async function updateSection(
  kv: Deno.Kv,
  id: string,
  editor: Editor,
  section: EditSection,
  change: (current: Partial<KitchenInput>, status: KitchenStatus) => unknown,
  now: number,
): Promise<Listing> {
  const schema = sectionSchema(section);
  const valuesFrom = (
    current: Partial<KitchenInput>,
    status: KitchenStatus,
  ) => {
    const parsed = schema.safeParse(change(current, status));
    if (!parsed.success) {
      throw new ValidationError(
        fieldErrors(parsed.error),
        "Please check the highlighted fields.",
      );
    }
    return parsed.data as Partial<KitchenInput>;
  };
  const listing = await getListingFor(kv, id, editor, { write: true });
  const audit = (atomic: Deno.AtomicOperation, title: string | null) =>
    addStaffEditAudit(atomic, editor, listing, "kitchen.edited", {
      section,
      title,
    }, now);
  if (listing.kitchen) {
    const after = await updateKitchen(
      kv,
      id,
      (k) => {
        const next = { ...k, ...valuesFrom(fromKitchen(k).values, k.status) };
        const whole = kitchenInput.safeParse(next);
        if (!whole.success) {
          throw new ValidationError(fieldErrors(whole.error));
        }
        return next;
      },
      new Date(now),
      (atomic, _before, after) => audit(atomic, after.title),
    );
    return fromKitchen(after);
  }
  // A lost race re-reads and re-applies; a few editors at once all land.
  for (let attempt = 0; attempt < 20; attempt++) {
    const entry = await getDraftEntry(kv, id);
    if (!entry.value) throw notFound();
    const draft: DraftRecord = {
      ...entry.value,
      values: {
        ...entry.value.values,
        ...valuesFrom(entry.value.values, "draft"),
      },
      updatedAt: new Date(now).toISOString(),
    };
    const saved = await commitKitchenWrite(kv, (atomic) => {
      addDraftUpdate(atomic, entry, draft);
      audit(atomic, draft.values.title ?? null);
    });
    if (saved) return fromDraft(draft);
  }
  throw new ConflictError("This listing changed meanwhile; please try again.");
}

/** What publishing needs besides the listing itself. */
export interface PublishContext {
  emailConfirmed: boolean;
  payments: "stripe" | "demo" | "off";
  /** The host can be paid in the site's payment mode. */
  hostPayable: boolean;
}

export const MIN_PHOTOS = 3;

/** Whether a section's saved values are complete and valid (photos: at least MIN_PHOTOS). */
export function sectionDone(
  values: Partial<KitchenInput>,
  section: EditSection,
): boolean {
  if (section === "photos") {
    return (values.photos?.length ?? 0) >= MIN_PHOTOS;
  }
  return sectionSchema(section).safeParse(
    pickFields(values, SECTION_FIELDS[section]),
  ).success;
}

/** Where a publish problem is put right: a section, the permits, the account or payouts. */
export type PublishFix = EditSection | "permits" | "email" | "payouts" | null;

/** One unmet requirement for publishing: what it is, in plain words, and where to fix it. */
export interface PublishProblem {
  text: string;
  fix: PublishFix;
}

/**
 * Every unmet requirement for publishing; empty means ready. One pure
 * function, so later parts (permits) add their checks here. Each section
 * gives at most one problem (photos: how many more are needed).
 */
export function publishProblems(
  listing: Pick<Listing, "values" | "status" | "permits">,
  ctx: PublishContext,
): PublishProblem[] {
  const problems: PublishProblem[] = [];
  for (const section of EDIT_SECTIONS) {
    if (sectionDone(listing.values, section)) continue;
    problems.push({
      text: section === "photos"
        ? `Photos: add at least ${MIN_PHOTOS}.`
        : `${SECTION_TITLES[section]}: not finished yet.`,
      fix: section,
    });
  }
  if (!listing.permits?.ok) {
    const names = listing.permits?.missingNames ?? [];
    problems.push({
      text: names.length > 0
        ? `Permits: get these verified by Prep: ${names.join(", ")}.`
        : "Permits: upload the permits your city requires and get them verified by Prep.",
      fix: "permits",
    });
  }
  if (!ctx.emailConfirmed) {
    problems.push({ text: "Confirm your email address.", fix: "email" });
  }
  // Demo mode has its own one-click payout setup; either way an unpayable
  // host's kitchen would only say "not taking bookings yet".
  if (!ctx.hostPayable) {
    problems.push({
      text: "Set up payouts so renters can pay you.",
      fix: "payouts",
    });
  }
  if (listing.status === "suspended") {
    problems.push({
      text: "This kitchen is suspended by Prep staff.",
      fix: null,
    });
  }
  return problems;
}

function pickFields(
  values: Partial<KitchenInput>,
  fields: readonly (keyof KitchenInput)[],
): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f, values[f]]));
}

/**
 * Publishes a draft (creating the kitchen, its indexes and counters, and
 * deleting the draft in one atomic) or republishes an unlisted kitchen.
 * Refuses with every unmet requirement.
 */
export async function publishListing(
  kv: Deno.Kv,
  id: string,
  editor: Editor,
  ctx: PublishContext,
  now: number,
): Promise<Listing> {
  const listing = await getListingFor(kv, id, editor, { write: true });
  if (listing.status === "published") return listing;
  const problems = publishProblems(listing, ctx);
  if (problems.length > 0) {
    throw new ValidationError(
      {},
      `Not ready to publish: ${problems.map((p) => p.text).join(" ")}`,
    );
  }
  const audit = (atomic: Deno.AtomicOperation, k: Kitchen) =>
    addStaffEditAudit(atomic, editor, listing, "kitchen.published", {
      title: k.title,
      from: listing.status,
    }, now);
  if (listing.kitchen) {
    return fromKitchen(
      await updateKitchen(
        kv,
        id,
        (k) => ({ ...k, status: "published" }),
        new Date(now),
        (atomic, _before, after) => audit(atomic, after),
      ),
    );
  }
  const [draft, permits] = await Promise.all([
    getDraftEntry(kv, id),
    getPermitStandingEntry(kv, id),
  ]);
  if (!draft.value) throw notFound();
  const input = kitchenInput.parse(draft.value.values);
  const kitchen = newKitchen(listing.hostId, input, {
    status: "published",
    now: new Date(now),
    id,
  });
  kitchen.createdAt = draft.value.createdAt;
  // The standing checked as read: a permit decided meanwhile retries.
  if (permits.value) kitchen.permits = permits.value;
  const published = await commitKitchenWrite(kv, (atomic) => {
    addKitchenCreate(atomic.check(draft, permits), kitchen);
    addDraftRemoval(atomic, id);
    audit(atomic, kitchen);
  }, id);
  if (!published) {
    throw new ConflictError(
      "This listing changed meanwhile; please try again.",
    );
  }
  return fromKitchen(kitchen);
}

/** The host hides a published kitchen (or shows it again with publish). */
export async function unlistListing(
  kv: Deno.Kv,
  id: string,
  editor: Editor,
  now: number,
): Promise<Listing> {
  const listing = await getListingFor(kv, id, editor, { write: true });
  if (listing.status !== "published") {
    throw new ConflictError("Only a published kitchen can be unlisted.");
  }
  return fromKitchen(
    await updateKitchen(
      kv,
      id,
      (k) => {
        if (k.status !== "published") {
          throw new ConflictError("Only a published kitchen can be unlisted.");
        }
        return { ...k, status: "unlisted" };
      },
      new Date(now),
      (atomic, _before, after) =>
        addStaffEditAudit(atomic, editor, listing, "kitchen.unlisted", {
          title: after.title,
        }, now),
    ),
  );
}
