/**
 * The listing editor as a guided path: its steps in order (the sections,
 * then the permits, then publishing), whether each is done, needs the
 * host's attention, or waits for Prep's review, and which comes next.
 * Pure: computed from the listing as read.
 */
import {
  EDIT_SECTIONS,
  type EditSection,
  type Listing,
  MIN_PHOTOS,
  SECTION_TITLES,
  sectionDone,
} from "./listings.ts";

export const EDITOR_STEPS = [...EDIT_SECTIONS, "permits"] as const;
export type EditorStep = typeof EDITOR_STEPS[number];

export const STEP_TITLES: Record<EditorStep, string> = {
  ...SECTION_TITLES,
  permits: "Permits",
};

/** "review": everything is uploaded and Prep staff are checking it. */
export type StepState = "done" | "attention" | "review";

export interface StepStatus {
  step: EditorStep;
  title: string;
  state: StepState;
  /** A few words on what is left ("Add 2 more photos"), where the state alone does not say. */
  note: string;
}

/** Where a step is edited. */
export function stepPath(listingId: string, step: EditorStep): string {
  return step === "permits"
    ? `/host/kitchens/${listingId}/permits`
    : `/host/kitchens/${listingId}/edit/${step}`;
}

/** The step after `step`, or null after the last (publishing comes next). */
export function nextStep(step: EditorStep): EditorStep | null {
  const at = EDITOR_STEPS.indexOf(step);
  return EDITOR_STEPS[at + 1] ?? null;
}

function sectionStatus(
  values: Listing["values"],
  section: EditSection,
): StepStatus {
  const title = SECTION_TITLES[section];
  if (sectionDone(values, section)) {
    return { step: section, title, state: "done", note: "" };
  }
  const photos = values.photos?.length ?? 0;
  const note = section === "photos"
    ? photos === 0
      ? `Add at least ${MIN_PHOTOS} photos`
      : `Add ${MIN_PHOTOS - photos} more ${
        MIN_PHOTOS - photos === 1 ? "photo" : "photos"
      }`
    : "";
  return { step: section, title, state: "attention", note };
}

/** A document waiting for staff counts as "in review", not as missing. */
const IN_REVIEW = new Set(["pending"]);

function permitsStatus(permits: Listing["permits"]): StepStatus {
  const title = STEP_TITLES.permits;
  if (permits?.ok) return { step: "permits", title, state: "done", note: "" };
  const statuses = permits?.missingStatuses ?? [];
  const waiting = statuses.length > 0 &&
    statuses.length === (permits?.missing.length ?? 0) &&
    statuses.every((s) => s !== null && IN_REVIEW.has(s));
  if (waiting) {
    return {
      step: "permits",
      title,
      state: "review",
      note: "Prep is checking them",
    };
  }
  return {
    step: "permits",
    title,
    state: "attention",
    note: permits?.missingNames.length
      ? `Needed: ${permits.missingNames.join(", ")}`
      : "Upload your city's permits",
  };
}

/** Every step of the editor with its state, in order. */
export function stepStatuses(
  listing: Pick<Listing, "values" | "permits">,
): StepStatus[] {
  return [
    ...EDIT_SECTIONS.map((s) => sectionStatus(listing.values, s)),
    permitsStatus(listing.permits),
  ];
}
