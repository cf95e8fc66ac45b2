/**
 * The schema's migrations, in the order they run: a store at schema version
 * n has run the first n (runner.ts). Append only: a number, once released,
 * keeps its meaning, since stores record how far they got. Each is defined
 * by the domain that owns its entries and wired in lib/app.ts
 * (`migrationList`), which every name must appear in.
 */
export const MIGRATION_NAMES = [
  /** 1: bookings made before references get one and its unique index entry. */
  "bookings_by_reference",
  /** 2: accounts made before the staff directory get their search terms. */
  "users_by_term",
  /** 3: kitchens made before the staff directory get their search terms. */
  "kitchens_by_term",
  /** 4: bookings made before the figures: their city, and their counts. */
  "booking_figures",
  /** 5: documents uploaded before the figures: their counts. */
  "document_figures",
  /** 6: jobs in dead letters before the figures: their count. */
  "dead_letter_figures",
  /** 7: kitchens listed before distance search: their place index entry. */
  "kitchens_by_cell",
] as const;
export type MigrationName = typeof MIGRATION_NAMES[number];

/** The schema version of a store that has run every migration. */
export const LATEST_SCHEMA_VERSION = MIGRATION_NAMES.length;
