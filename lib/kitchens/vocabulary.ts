/** Fixed vocabularies a kitchen is described with; search filters use the same ids. */

export const EQUIPMENT = {
  convection_oven: "Convection oven",
  deck_oven: "Deck oven",
  combi_oven: "Combi oven",
  range_6_burner: "Six-burner range",
  flat_top_griddle: "Flat-top griddle",
  char_grill: "Char grill",
  fryer: "Deep fryer",
  smoker: "Smoker",
  steam_kettle: "Steam kettle",
  tilt_skillet: "Tilt skillet",
  stand_mixer: "60 qt stand mixer",
  spiral_mixer: "Spiral dough mixer",
  proofing_cabinet: "Proofing cabinet",
  sheeter: "Dough sheeter",
  blast_chiller: "Blast chiller",
  food_processor: "Food processor",
  vacuum_sealer: "Vacuum sealer",
  ice_machine: "Ice machine",
  dish_machine: "Dish machine",
  three_compartment_sink: "Three-compartment sink",
  hood_ventilation: "Type I hood",
  packaging_station: "Packaging station",
} as const;

export type Equipment = keyof typeof EQUIPMENT;
export const EQUIPMENT_IDS = Object.keys(EQUIPMENT) as [
  Equipment,
  ...Equipment[],
];

export const STORAGE = {
  dry: "Dry storage",
  cold: "Cold storage",
  frozen: "Frozen storage",
} as const;

export type Storage = keyof typeof STORAGE;
export const STORAGE_IDS = Object.keys(STORAGE) as [Storage, ...Storage[]];

/**
 * draft → published ↔ unlisted (the host hides it); suspended only by staff.
 * Only published kitchens are in search and take holds.
 */
export const KITCHEN_STATUSES = [
  "draft",
  "published",
  "unlisted",
  "suspended",
] as const;
export type KitchenStatus = typeof KITCHEN_STATUSES[number];

/**
 * The IANA zones the listing editor offers, with the names hosts know them
 * by; a kitchen with none takes its city's (lib/cities.ts).
 */
export const US_TIME_ZONES: readonly [string, string][] = [
  ["America/New_York", "Eastern (New York)"],
  ["America/Chicago", "Central (Chicago)"],
  ["America/Denver", "Mountain (Denver)"],
  ["America/Phoenix", "Arizona (Phoenix, no daylight saving)"],
  ["America/Los_Angeles", "Pacific (Los Angeles)"],
  ["America/Anchorage", "Alaska (Anchorage)"],
  ["Pacific/Honolulu", "Hawaii (Honolulu)"],
];
