/**
 * What a renter tells us about their business (issue 10 §3): whether they
 * have employees (workers' comp becomes required), whether they need an
 * accessible kitchen, and what they make (some cities restrict some
 * products by season, e.g. outdoor cooking in Seattle's winter). The
 * booking verdict reads it; a renter who never said gets the defaults.
 * Reading and saving it: repo.ts.
 */
import { z } from "zod";

export const PRODUCT_TYPES = [
  "baked_goods",
  "prepared_meals",
  "catering",
  "beverages",
  "packaged_foods",
  "food_truck",
  "outdoor_cooking",
  "other",
] as const;
export type ProductType = typeof PRODUCT_TYPES[number];

export const PRODUCT_TYPE_NAMES: Readonly<Record<ProductType, string>> = {
  baked_goods: "Baked goods",
  prepared_meals: "Prepared meals",
  catering: "Catering",
  beverages: "Beverages",
  packaged_foods: "Packaged foods",
  food_truck: "Food truck or cart",
  outdoor_cooking: "Outdoor cooking (grilling, smoking, roasting)",
  other: "Something else",
};

export interface RenterProfile {
  hasEmployees: boolean;
  needsAccessible: boolean;
  productType: ProductType | null;
}

/** Until a renter says otherwise. */
export const DEFAULT_RENTER_PROFILE: Readonly<RenterProfile> = Object.freeze({
  hasEmployees: false,
  needsAccessible: false,
  productType: null,
});

const CHECKED = ["yes", "on", "true"];
const checkbox = (label: string) =>
  z.string().default("").refine(
    (v) => v === "" || CHECKED.includes(v),
    `Tick or clear "${label}"`,
  ).transform((v) => CHECKED.includes(v));

/**
 * The profile form: checkboxes post "yes" when ticked and nothing when not;
 * the product type is one of PRODUCT_TYPES, or empty for "not saying".
 */
export const renterProfileSchema = z.object({
  hasEmployees: checkbox("I have employees"),
  needsAccessible: checkbox("I need an accessible kitchen"),
  productType: z.string().default("").refine(
    (v) => v === "" || (PRODUCT_TYPES as readonly string[]).includes(v),
    "Choose what you make from the list",
  ).transform((v) => v === "" ? null : v as ProductType),
});

/** A profile as stored under `keys.renterProfile` (read and written in repo.ts). */
export const storedProfile = z.object({
  v: z.literal(1),
  hasEmployees: z.boolean(),
  needsAccessible: z.boolean(),
  productType: z.enum(PRODUCT_TYPES).nullable(),
  updatedAt: z.number().int(),
});

/** The profile in a stored value (from `keys.renterProfile`), or the defaults. */
export function renterProfileOf(value: unknown): RenterProfile {
  const stored = storedProfile.safeParse(value);
  if (!stored.success) return { ...DEFAULT_RENTER_PROFILE };
  const { hasEmployees, needsAccessible, productType } = stored.data;
  return { hasEmployees, needsAccessible, productType };
}
