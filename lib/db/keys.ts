/**
 * Every Deno KV key the app uses is built here. Prefixes are plural snake_case;
 * indexes are named `<things>_by_<field>` and hold the primary id as value.
 */

/** Search indexes exist per city and for the whole catalogue under this scope. */
export const ALL_CITIES = "*";

export const keys = {
  kitchen: (id: string) => ["kitchens", id],
  kitchensByHost: (
    hostId: string,
    id: string,
  ) => ["kitchens_by_host", hostId, id],
  kitchensByStatus: (
    status: string,
    id: string,
  ) => ["kitchens_by_status", status, id],
  /** Published kitchens ordered by hourly price, per city and for ALL_CITIES. */
  kitchensByPrice: (scope: string, priceCents: number, id: string) => [
    "kitchens_by_price",
    scope,
    priceCents,
    id,
  ],
  kitchensByPricePrefix: (scope: string) => ["kitchens_by_price", scope],
  /** Published kitchens ordered by id (ULID, so by creation time), per city and for ALL_CITIES. */
  kitchensByCreated: (
    scope: string,
    id: string,
  ) => ["kitchens_by_created", scope, id],
  kitchensByCreatedPrefix: (scope: string) => ["kitchens_by_created", scope],
  /** Published kitchens having one equipment or storage feature, by price, per city. */
  kitchensByFeature: (
    city: string,
    feature: string,
    priceCents: number,
    id: string,
  ) => [
    "kitchens_by_feature",
    city,
    feature,
    priceCents,
    id,
  ],
  kitchensByFeaturePrefix: (
    city: string,
    feature: string,
  ) => ["kitchens_by_feature", city, feature],
  /** Count of published kitchens per scope (Deno.KvU64, changed with sum). */
  kitchenCount: (scope: string) => ["kitchen_counts", scope],
  /**
   * Time a kitchen cannot be booked (held or booked), by start instant. The
   * value carries the end so availability needs no second read.
   */
  occupancy: (kitchenId: string, startMs: number, ref: string) => [
    "occupancy",
    kitchenId,
    startMs,
    ref,
  ],
  occupancyPrefix: (kitchenId: string) => ["occupancy", kitchenId],

  host: (id: string) => ["hosts", id],

  /** Uploaded or generated files: a manifest written last, over fixed-size chunks. */
  file: (id: string) => ["files", id],
  fileChunk: (id: string, n: number) => ["file_chunks", id, n],
  fileChunksPrefix: (id: string) => ["file_chunks", id],

  /** Records that a named seed has run, so seeding twice creates nothing new. */
  seed: (name: string) => ["seeds", name],
} as const;
