/**
 * What the host's "Calendar and sync" page does (issue 9 §3–4): blocks,
 * the export feed and the import feeds of one kitchen. Every function
 * checks who is asking first: the kitchen's host may do everything, staff
 * may look, anyone else gets the same 404 as for a kitchen that does not
 * exist (so another host's kitchen ids reveal nothing).
 */
import { z } from "zod";
import {
  type Block,
  BLOCK_KIND_NAMES,
  BLOCK_KINDS,
} from "../bookings/schema.ts";
import { listBlocks } from "../bookings/repo.ts";
import { createBlock, removeBlock } from "../bookings/blocks.ts";
import { requestedInterval } from "../bookings/holds.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { getKitchen } from "../kitchens/repo.ts";
import { clockTime, type Kitchen, localDate } from "../kitchens/schema.ts";
import { optionalText } from "../text.ts";
import { type AddressPolicy, checkFeedUrl } from "./address.ts";
import { type ExportFeed, type ImportFeed } from "./schema.ts";
import { getExportFeed, takeExportReveal } from "./repo.ts";
import {
  addImportFeed,
  createExportToken,
  exportFeedUrl,
  type ImportDeps,
  listImportFeeds,
  removeImportFeed,
  revokeExportToken,
} from "./feeds.ts";

export interface Viewer {
  id: string;
  roles: readonly string[];
}

const isStaff = (v: Viewer) =>
  v.roles.includes("admin") || v.roles.includes("support");

/**
 * The kitchen if `viewer` may see (`"view"`) or change (`"change"`) its
 * calendar. Staff may look but not change: a host's calendar is theirs.
 */
export async function kitchenForCalendar(
  kv: Deno.Kv,
  viewer: Viewer,
  kitchenId: string,
  mode: "view" | "change",
): Promise<Kitchen> {
  const kitchen = await getKitchen(kv, kitchenId);
  if (kitchen && kitchen.hostId === viewer.id) return kitchen;
  if (kitchen && isStaff(viewer)) {
    if (mode === "view") return kitchen;
    throw new ForbiddenError(
      "Only the kitchen's host can change its calendar.",
    );
  }
  throw new NotFoundError("We could not find that kitchen.");
}

/** Blocks the page lists; the rest are counted. */
const PAGE_BLOCKS = 100;

export interface CalendarPageData {
  kitchen: Kitchen;
  /** Upcoming blocks, by start (at most PAGE_BLOCKS). */
  blocks: Block[];
  moreBlocks: number;
  exportFeed: ExportFeed | null;
  imports: ImportFeed[];
  canChange: boolean;
  now: number;
}

export async function loadCalendarPage(
  kv: Deno.Kv,
  viewer: Viewer,
  kitchenId: string,
  now: number,
): Promise<CalendarPageData> {
  const kitchen = await kitchenForCalendar(kv, viewer, kitchenId, "view");
  const [blocks, exportFeed, imports] = await Promise.all([
    listBlocks(kv, kitchenId, now),
    getExportFeed(kv, kitchenId),
    listImportFeeds(kv, kitchenId),
  ]);
  return {
    kitchen,
    blocks: blocks.slice(0, PAGE_BLOCKS),
    moreBlocks: Math.max(0, blocks.length - PAGE_BLOCKS),
    exportFeed,
    imports,
    canChange: kitchen.hostId === viewer.id,
    now,
  };
}

/** The "Block time" form: a local date and wall-clock times in the kitchen's zone. */
export const blockForm = z.object({
  date: localDate,
  start: clockTime.refine((t) => t !== "24:00", "Start before 24:00"),
  end: clockTime,
  reason: optionalText({ label: "a reason", max: 200 }),
  // Forms from before kinds send none: plain closed time.
  kind: z.string().default("").transform((v) => v || "closed").pipe(
    z.enum(BLOCK_KINDS, "Choose what the time is for"),
  ),
});
export type BlockFormInput = z.infer<typeof blockForm>;

const MAX_AHEAD_MS = 2 * 366 * 24 * 3600_000;

/**
 * Blocks the picked time: `end` at or before `start` runs overnight into
 * the next day (22:00–06:00), and the same time twice is a whole day.
 */
export async function addHostBlock(
  deps: { kv: Deno.Kv; now: number },
  viewer: Viewer,
  kitchenId: string,
  input: BlockFormInput,
): Promise<Block> {
  const kitchen = await kitchenForCalendar(
    deps.kv,
    viewer,
    kitchenId,
    "change",
  );
  const { start, end } = requestedInterval(kitchen, input);
  if (end <= deps.now) {
    throw new ValidationError(
      { end: "That time has already passed" },
      "That time has already passed.",
    );
  }
  if (start > deps.now + MAX_AHEAD_MS) {
    throw new ValidationError(
      { date: "Pick a date within the next two years" },
      "Pick a date within the next two years.",
    );
  }
  return await createBlock(deps.kv, kitchen, {
    start,
    end,
    reason: input.reason ??
      (input.kind === "closed" ? "Blocked" : BLOCK_KIND_NAMES[input.kind]),
    kind: input.kind,
  }, deps.now);
}

export async function removeHostBlock(
  kv: Deno.Kv,
  viewer: Viewer,
  kitchenId: string,
  blockId: string,
): Promise<void> {
  await kitchenForCalendar(kv, viewer, kitchenId, "change");
  await removeBlock(kv, kitchenId, blockId);
}

/**
 * Makes the kitchen a new calendar link, kept for the viewer to see once
 * on the page they are sent back to (`revealedExportFeedUrl`): shown in
 * the POST's own answer, a refresh made another link and killed the one
 * just copied.
 */
export async function newExportFeed(
  deps: { kv: Deno.Kv; now: number },
  viewer: Viewer,
  kitchenId: string,
): Promise<void> {
  await kitchenForCalendar(deps.kv, viewer, kitchenId, "change");
  await createExportToken(deps.kv, kitchenId, deps.now, viewer.id);
}

/** The link the viewer just made, the once; null after that (or for anyone else). */
export async function revealedExportFeedUrl(
  deps: { kv: Deno.Kv; now: number; baseUrl: string },
  viewer: Viewer,
  kitchenId: string,
): Promise<string | null> {
  await kitchenForCalendar(deps.kv, viewer, kitchenId, "change");
  const token = await takeExportReveal(deps.kv, kitchenId, viewer.id, deps.now);
  return token ? exportFeedUrl(deps.baseUrl, kitchenId, token) : null;
}

export async function revokeExportFeed(
  kv: Deno.Kv,
  viewer: Viewer,
  kitchenId: string,
): Promise<void> {
  await kitchenForCalendar(kv, viewer, kitchenId, "change");
  await revokeExportToken(kv, kitchenId);
}

/**
 * The "Import a calendar" form. The URL is checked as far as it can be
 * without the network (scheme, length, credentials, IP literals); its
 * host name is resolved and checked at every fetch.
 */
export function importForm(policy: AddressPolicy) {
  return z.object({
    url: z.string().transform((raw, ctx) => {
      const check = checkFeedUrl(raw, policy);
      if (!check.ok) {
        ctx.addIssue({ code: "custom", message: check.problem });
        return z.NEVER;
      }
      return check.url.href;
    }),
    name: optionalText({ label: "a name", max: 60 }),
  });
}
export type ImportFormInput = z.infer<ReturnType<typeof importForm>>;

export async function addHostImportFeed(
  deps: ImportDeps,
  viewer: Viewer,
  kitchenId: string,
  input: ImportFormInput,
): Promise<ImportFeed> {
  await kitchenForCalendar(deps.kv, viewer, kitchenId, "change");
  return await addImportFeed(deps, kitchenId, {
    url: input.url,
    name: input.name ?? new URL(input.url).hostname,
  });
}

export async function removeHostImportFeed(
  deps: ImportDeps,
  viewer: Viewer,
  kitchenId: string,
  feedId: string,
): Promise<void> {
  await kitchenForCalendar(deps.kv, viewer, kitchenId, "change");
  await removeImportFeed(deps, kitchenId, feedId);
}
