/**
 * Demo catalogue: 48 published kitchens of the demo hosts (hosts.ts) across
 * every city Prep serves, with generated listing photos. Demo data lives in
 * scripts/demo/; product code carries none.
 *
 * Seeding is idempotent: a marker at keys.seed("demo-v1") is written in the
 * same atomic as every host and kitchen, so the set is created exactly once
 * even when several processes seed at the same time.
 */
import { CITIES, type City } from "../../lib/cities.ts";
import { rulePackFor } from "../../lib/compliance/rules.ts";
import { keys } from "../../lib/db/keys.ts";
import { noteWrite } from "../../lib/db/read_cache.ts";
import { putFile } from "../../lib/files/store.ts";
import {
  ART_SCENES,
  type ArtScene,
  describeKitchenArt,
  renderKitchenArt,
} from "./kitchen_art.ts";
import { newId } from "../../lib/ids.ts";
import type { CancellationPolicy } from "../../lib/kitchens/policy.ts";
import { readyDemoPayout } from "../../lib/hosts/payouts.ts";
import type { Host } from "../../lib/hosts/schema.ts";
import { addKitchenCreate, newKitchen } from "../../lib/kitchens/repo.ts";
import {
  type Kitchen,
  type KitchenInput,
  kitchenInput,
  type PhotoRef,
  type WeeklyRange,
} from "../../lib/kitchens/schema.ts";
import type { Equipment, Storage } from "../../lib/kitchens/vocabulary.ts";
import { DEMO_HOSTS } from "./hosts.ts";

export const DEMO_SEED = "demo-v1";

/** Deno KV limits for one atomic commit (checks, mutations, bytes). */
export const KV_LIMITS = {
  checks: 100,
  mutations: 1000,
  totalKeyBytes: 80 * 1024,
  totalMutationBytes: 800 * 1024,
} as const;

// ---------------------------------------------------------------------------
// House rules, opening-hours patterns

export const RULES = {
  clean:
    "Leave every surface, sink and floor as clean as you found it; the next team starts right after you.",
  labels: "Label and date everything you store with your business name.",
  manager:
    "A certified food protection manager must be on site for every booking.",
  insurance:
    "Keep a current liability insurance certificate on file with the host.",
  nuts:
    "Tell the host before working with peanuts or tree nuts so shared equipment can be flagged.",
  waste:
    "Break down cardboard for recycling; used oil goes in the rendering barrel, never down the drain.",
  checkIn:
    "Check in and out with the door code sent the day before; guests sign the visitor log.",
  hood: "Run the hood whenever burners, grills or fryers are on.",
  quiet: "Keep noise down after 10 pm; there are apartments upstairs.",
  dock: "Load and unload at the rear dock only; the front curb is a bus stop.",
  oil: "Bring your own fryer oil and filter it at the end of your shift.",
  shelves:
    "Anything left outside your assigned shelves after your booking is discarded.",
  onTime:
    "Be packed up when your booking ends; overstays are billed in 30-minute steps.",
  smallwares:
    "Bring your own smallwares; house sheet pans and hotel pans stay in the kitchen.",
  glass: "No glass containers in the prep areas.",
  noGuests: "No pets or children in the kitchen.",
  sanitizer:
    "Test sanitizer buckets at the start of your shift and log the reading.",
  trucks:
    "Trucks may stay overnight only in the numbered bays; keep generators off after 11 pm.",
  walkIn: "Keep the walk-in door closed; log its temperature when you arrive.",
  gluten:
    "This kitchen is gluten-free: no wheat flour, barley or rye on the premises.",
} as const;
type RuleId = keyof typeof RULES;

type Day = 1 | 2 | 3 | 4 | 5 | 6 | 7;
const WEEKDAYS: Day[] = [1, 2, 3, 4, 5];
const WEEKEND: Day[] = [6, 7];
const EVERY_DAY: Day[] = [1, 2, 3, 4, 5, 6, 7];

function on(days: Day[], start: string, end: string): WeeklyRange[] {
  return days.map((day) => ({ day, start, end }));
}

/** Weekly opening patterns; an end at or before the start runs overnight. */
export const HOURS = {
  standard: [
    ...on(WEEKDAYS, "06:00", "22:00"),
    ...on(WEEKEND, "08:00", "18:00"),
  ],
  business: [...on(WEEKDAYS, "07:00", "19:00"), ...on([6], "09:00", "15:00")],
  bakery: [
    ...on([1, 2, 3, 4, 5, 6], "03:00", "14:00"),
    ...on([7], "05:00", "12:00"),
  ],
  extended: on(EVERY_DAY, "05:00", "23:00"),
  /** Lunch service upstairs closes the kitchen to renters mid-day. */
  split: [
    ...on(WEEKDAYS, "06:00", "11:00"),
    ...on(WEEKDAYS, "14:00", "22:00"),
    ...on(WEEKEND, "08:00", "20:00"),
  ],
  weekendSplit: [
    ...on(WEEKDAYS, "08:00", "20:00"),
    ...on([6], "06:00", "12:00"),
    ...on([6], "15:00", "21:00"),
    ...on([7], "09:00", "17:00"),
  ],
  overnight: [...on(EVERY_DAY, "22:00", "06:00")],
  nightsAndWeekends: [
    ...on(WEEKDAYS, "22:00", "06:00"),
    ...on(WEEKEND, "07:00", "19:00"),
  ],
  dayAndNight: [
    ...on(WEEKDAYS, "06:00", "15:00"),
    ...on(WEEKDAYS, "22:00", "04:00"),
    ...on(WEEKEND, "08:00", "16:00"),
  ],
  evenings: [
    ...on([2, 3, 4], "15:00", "23:00"),
    ...on([5, 6], "15:00", "02:00"),
    ...on([7], "10:00", "16:00"),
  ],
  always: on(EVERY_DAY, "00:00", "24:00"),
} satisfies Record<string, WeeklyRange[]>;
type HoursId = keyof typeof HOURS;

// ---------------------------------------------------------------------------
// Kitchens, per city

interface DemoKitchen {
  title: string;
  /** Index into DEMO_HOSTS. */
  host: number;
  hood: string;
  line1: string;
  zip: string;
  lat: number;
  lng: number;
  about: string;
  rules: RuleId[];
  equipment: Equipment[];
  storage: Storage[];
  capacity: number;
  /** Dollars per hour. */
  price: number;
  /** Dollars per booking. */
  cleaning: number;
  minHours: number;
  maxHours: number;
  buffer: 0 | 15 | 30 | 60;
  notice: number;
  window: number;
  hours: HoursId;
  policy: CancellationPolicy;
  /** Main photo; two more scenes follow. */
  art: ArtScene;
  /** Closed days, counted from the local date of `now`. */
  closed?: number[];
  /** Also closed on upcoming public holidays inside the booking window. */
  holidays?: boolean;
}

export const DEMO_KITCHENS: Record<string, DemoKitchen[]> = {
  "new-york": [
    {
      title: "Greenpoint Bakers' Commissary",
      host: 0,
      hood: "Greenpoint",
      line1: "142 Franklin St",
      zip: "11222",
      lat: 40.7296,
      lng: -73.9578,
      about:
        "A bright ground-floor bakery with two deck ovens and a proofing cabinet. Wholesale bakers use the early shifts; afternoons suit pastry and cookie work.",
      rules: ["clean", "labels", "manager", "nuts"],
      equipment: [
        "deck_oven",
        "convection_oven",
        "spiral_mixer",
        "stand_mixer",
        "proofing_cabinet",
        "sheeter",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 6,
      price: 48,
      cleaning: 25,
      minHours: 2,
      maxHours: 12,
      buffer: 30,
      notice: 24,
      window: 60,
      hours: "bakery",
      policy: "moderate",
      art: "bakery",
      holidays: true,
    },
    {
      title: "Bushwick Night Kitchen",
      host: 8,
      hood: "Bushwick",
      line1: "56 Bogart St",
      zip: "11206",
      lat: 40.7049,
      lng: -73.9334,
      about:
        "A restaurant line that is yours after the dinner rush. Six burners, a flat-top and a fryer under a full hood, with a walk-in for overnight storage.",
      rules: ["clean", "hood", "oil", "quiet", "checkIn"],
      equipment: [
        "range_6_burner",
        "flat_top_griddle",
        "fryer",
        "convection_oven",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["cold"],
      capacity: 4,
      price: 35,
      cleaning: 20,
      minHours: 3,
      maxHours: 8,
      buffer: 15,
      notice: 12,
      window: 45,
      hours: "overnight",
      policy: "flexible",
      art: "line",
    },
    {
      title: "Long Island City Production Kitchen",
      host: 0,
      hood: "Long Island City",
      line1: "43-01 21st St",
      zip: "11101",
      lat: 40.7496,
      lng: -73.9419,
      about:
        "A 3,000 sq ft production kitchen that never closes, built for meal-prep and packaged-food companies. Blast chiller, steam kettle and tilt skillet handle big batches.",
      rules: ["clean", "labels", "manager", "insurance", "walkIn", "dock"],
      equipment: [
        "combi_oven",
        "range_6_burner",
        "steam_kettle",
        "tilt_skillet",
        "blast_chiller",
        "vacuum_sealer",
        "packaging_station",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 12,
      price: 85,
      cleaning: 60,
      minHours: 4,
      maxHours: 16,
      buffer: 60,
      notice: 48,
      window: 120,
      hours: "always",
      policy: "strict",
      art: "prep",
    },
    {
      title: "Harlem Caterers' Kitchen",
      host: 1,
      hood: "Harlem",
      line1: "2280 Frederick Douglass Blvd",
      zip: "10027",
      lat: 40.8105,
      lng: -73.9521,
      about:
        "A caterer's kitchen with room to plate for 300. Two long stainless prep tables sit beside a combi oven and a six-burner range.",
      rules: ["clean", "labels", "sanitizer", "onTime"],
      equipment: [
        "combi_oven",
        "range_6_burner",
        "food_processor",
        "ice_machine",
        "hood_ventilation",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 8,
      price: 55,
      cleaning: 35,
      minHours: 2,
      maxHours: 12,
      buffer: 30,
      notice: 24,
      window: 90,
      hours: "standard",
      policy: "moderate",
      art: "prep",
      closed: [9],
    },
    {
      title: "Red Hook Smokehouse Kitchen",
      host: 1,
      hood: "Red Hook",
      line1: "185 Van Brunt St",
      zip: "11231",
      lat: 40.6797,
      lng: -74.0108,
      about:
        "A former warehouse with an outdoor-vented offset smoker and a char grill. Popular with barbecue pop-ups and jerky makers.",
      rules: ["clean", "hood", "waste", "dock", "insurance"],
      equipment: [
        "smoker",
        "char_grill",
        "range_6_burner",
        "vacuum_sealer",
        "hood_ventilation",
        "three_compartment_sink",
      ],
      storage: ["cold", "frozen"],
      capacity: 5,
      price: 62,
      cleaning: 40,
      minHours: 4,
      maxHours: 14,
      buffer: 60,
      notice: 48,
      window: 60,
      hours: "extended",
      policy: "strict",
      art: "line",
    },
    {
      title: "Astoria Pastry Lab",
      host: 0,
      hood: "Astoria",
      line1: "32-17 Steinway St",
      zip: "11103",
      lat: 40.7571,
      lng: -73.9189,
      about:
        "A compact pastry kitchen with a marble bench and a chocolate-friendly cool room. Ideal for cakes, viennoiserie and small-batch confections.",
      rules: ["clean", "labels", "glass"],
      equipment: [
        "convection_oven",
        "stand_mixer",
        "sheeter",
        "proofing_cabinet",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 3,
      price: 38,
      cleaning: 15,
      minHours: 2,
      maxHours: 10,
      buffer: 15,
      notice: 12,
      window: 45,
      hours: "weekendSplit",
      policy: "flexible",
      art: "bakery",
    },
  ],
  "san-francisco": [
    {
      title: "Mission Street Shared Kitchen",
      host: 2,
      hood: "Mission District",
      line1: "2450 Mission St",
      zip: "94110",
      lat: 37.7576,
      lng: -122.4187,
      about:
        "A shared kitchen in the heart of the Mission with a full cooking line and generous prep space. Many of our renters sell at the neighbourhood farmers markets.",
      rules: ["clean", "labels", "hood", "checkIn", "sanitizer"],
      equipment: [
        "range_6_burner",
        "flat_top_griddle",
        "convection_oven",
        "food_processor",
        "hood_ventilation",
        "dish_machine",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 6,
      price: 58,
      cleaning: 30,
      minHours: 2,
      maxHours: 12,
      buffer: 30,
      notice: 24,
      window: 60,
      hours: "standard",
      policy: "moderate",
      art: "line",
      holidays: true,
    },
    {
      title: "Dogpatch Commissary",
      host: 3,
      hood: "Dogpatch",
      line1: "2301 3rd St",
      zip: "94107",
      lat: 37.7601,
      lng: -122.3881,
      about:
        "A food truck commissary with water fill, grey-water dump and six parking bays. Prep inside, then roll out straight to Mission Bay lunch crowds.",
      rules: ["clean", "trucks", "waste", "insurance"],
      equipment: [
        "range_6_burner",
        "flat_top_griddle",
        "fryer",
        "ice_machine",
        "hood_ventilation",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 8,
      price: 45,
      cleaning: 20,
      minHours: 2,
      maxHours: 10,
      buffer: 15,
      notice: 6,
      window: 90,
      hours: "dayAndNight",
      policy: "flexible",
      art: "storage",
    },
    {
      title: "Bayview Production Kitchen",
      host: 3,
      hood: "Bayview",
      line1: "1550 Evans Ave",
      zip: "94124",
      lat: 37.7418,
      lng: -122.3852,
      about:
        "A production kitchen sized for co-packers and meal-prep companies. The steam kettle and tilt skillet cook hundreds of portions at a time.",
      rules: ["clean", "labels", "manager", "walkIn", "dock"],
      equipment: [
        "steam_kettle",
        "tilt_skillet",
        "combi_oven",
        "blast_chiller",
        "vacuum_sealer",
        "packaging_station",
        "hood_ventilation",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 10,
      price: 78,
      cleaning: 50,
      minHours: 4,
      maxHours: 16,
      buffer: 60,
      notice: 48,
      window: 120,
      hours: "extended",
      policy: "strict",
      art: "prep",
    },
    {
      title: "SoMa Test Kitchen",
      host: 2,
      hood: "SoMa",
      line1: "655 Folsom St",
      zip: "94107",
      lat: 37.7838,
      lng: -122.3979,
      about:
        "A polished test kitchen with good light for recipe development and food photography. Quiet weekday mornings are rarely booked.",
      rules: ["clean", "smallwares", "noGuests"],
      equipment: [
        "combi_oven",
        "range_6_burner",
        "stand_mixer",
        "food_processor",
        "vacuum_sealer",
        "hood_ventilation",
      ],
      storage: ["dry", "cold"],
      capacity: 4,
      price: 95,
      cleaning: 45,
      minHours: 2,
      maxHours: 8,
      buffer: 30,
      notice: 24,
      window: 60,
      hours: "business",
      policy: "moderate",
      art: "prep",
    },
    {
      title: "Outer Sunset Bakehouse",
      host: 8,
      hood: "Outer Sunset",
      line1: "3830 Noriega St",
      zip: "94122",
      lat: 37.7533,
      lng: -122.5009,
      about:
        "A neighbourhood bakery that rents its ovens once the shop closes. The deck oven holds heat all night for sourdough bakers.",
      rules: ["clean", "labels", "quiet", "nuts"],
      equipment: [
        "deck_oven",
        "spiral_mixer",
        "proofing_cabinet",
        "sheeter",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 3,
      price: 32,
      cleaning: 15,
      minHours: 3,
      maxHours: 10,
      buffer: 15,
      notice: 12,
      window: 45,
      hours: "nightsAndWeekends",
      policy: "flexible",
      art: "bakery",
    },
    {
      title: "Potrero Hill Catering Kitchen",
      host: 2,
      hood: "Potrero Hill",
      line1: "1301 18th St",
      zip: "94107",
      lat: 37.7626,
      lng: -122.3994,
      about:
        "A caterer's kitchen with a loading zone out front and rolling racks for staging. Lunch service upstairs closes it mid-day on weekdays.",
      rules: ["clean", "labels", "onTime", "dock", "sanitizer"],
      equipment: [
        "convection_oven",
        "range_6_burner",
        "char_grill",
        "ice_machine",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["dry", "cold"],
      capacity: 7,
      price: 60,
      cleaning: 35,
      minHours: 3,
      maxHours: 12,
      buffer: 30,
      notice: 24,
      window: 90,
      hours: "split",
      policy: "moderate",
      art: "line",
      closed: [12, 13],
    },
  ],
  chicago: [
    {
      title: "West Loop Culinary Commons",
      host: 4,
      hood: "West Loop",
      line1: "1000 W Fulton Market",
      zip: "60607",
      lat: 41.8867,
      lng: -87.6527,
      about:
        "A large shared kitchen steps from Fulton Market with four separate stations. Chefs launching restaurants use it for menu development and pop-ups.",
      rules: ["clean", "labels", "manager", "hood", "shelves", "checkIn"],
      equipment: [
        "range_6_burner",
        "combi_oven",
        "flat_top_griddle",
        "char_grill",
        "blast_chiller",
        "hood_ventilation",
        "dish_machine",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 12,
      price: 72,
      cleaning: 45,
      minHours: 2,
      maxHours: 14,
      buffer: 30,
      notice: 24,
      window: 90,
      hours: "extended",
      policy: "moderate",
      art: "line",
      holidays: true,
    },
    {
      title: "Pilsen Tortilleria Kitchen",
      host: 9,
      hood: "Pilsen",
      line1: "1800 S Blue Island Ave",
      zip: "60608",
      lat: 41.8573,
      lng: -87.6598,
      about:
        "A family tortilleria kitchen with a wide flat-top and a steam kettle for masa and fillings. Tamale makers book it for the holiday rush.",
      rules: ["clean", "labels", "sanitizer"],
      equipment: [
        "flat_top_griddle",
        "steam_kettle",
        "food_processor",
        "range_6_burner",
        "hood_ventilation",
      ],
      storage: ["dry", "cold"],
      capacity: 5,
      price: 30,
      cleaning: 10,
      minHours: 2,
      maxHours: 10,
      buffer: 15,
      notice: 12,
      window: 60,
      hours: "standard",
      policy: "flexible",
      art: "prep",
    },
    {
      title: "Logan Square Shared Kitchen",
      host: 4,
      hood: "Logan Square",
      line1: "2600 N Milwaukee Ave",
      zip: "60647",
      lat: 41.9291,
      lng: -87.7072,
      about:
        "A friendly shared kitchen above a neighbourhood cafe. Good for hot sauces, jams and small-batch packaged goods.",
      rules: ["clean", "labels", "quiet", "glass"],
      equipment: [
        "range_6_burner",
        "convection_oven",
        "steam_kettle",
        "packaging_station",
        "three_compartment_sink",
      ],
      storage: ["dry"],
      capacity: 4,
      price: 34,
      cleaning: 15,
      minHours: 2,
      maxHours: 10,
      buffer: 15,
      notice: 12,
      window: 45,
      hours: "business",
      policy: "flexible",
      art: "prep",
    },
    {
      title: "Bridgeport Night Bakery",
      host: 8,
      hood: "Bridgeport",
      line1: "3300 S Halsted St",
      zip: "60608",
      lat: 41.8344,
      lng: -87.6463,
      about:
        "A wholesale bakery that hands its ovens over at night. Rack oven loads of bread go out to cafes before sunrise.",
      rules: ["clean", "labels", "dock", "shelves"],
      equipment: [
        "deck_oven",
        "convection_oven",
        "spiral_mixer",
        "proofing_cabinet",
        "sheeter",
        "dish_machine",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 6,
      price: 42,
      cleaning: 25,
      minHours: 4,
      maxHours: 12,
      buffer: 30,
      notice: 24,
      window: 60,
      hours: "overnight",
      policy: "moderate",
      art: "bakery",
    },
    {
      title: "Andersonville Pastry Kitchen",
      host: 4,
      hood: "Andersonville",
      line1: "5300 N Clark St",
      zip: "60640",
      lat: 41.9786,
      lng: -87.6683,
      about:
        "A calm pastry kitchen with marble work surfaces and a cool room for chocolate. It is entirely gluten-free, so coeliac-safe bakers can trust it.",
      rules: ["clean", "gluten", "labels", "nuts", "noGuests"],
      equipment: [
        "convection_oven",
        "stand_mixer",
        "proofing_cabinet",
        "food_processor",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 3,
      price: 40,
      cleaning: 20,
      minHours: 2,
      maxHours: 8,
      buffer: 30,
      notice: 24,
      window: 60,
      hours: "weekendSplit",
      policy: "moderate",
      art: "bakery",
    },
    {
      title: "Avondale Meal Prep Kitchen",
      host: 4,
      hood: "Avondale",
      line1: "3200 N Elston Ave",
      zip: "60618",
      lat: 41.9392,
      lng: -87.7003,
      about:
        "A production kitchen built for weekly meal-prep services. A blast chiller and vacuum sealer keep portions safe from pan to fridge.",
      rules: ["clean", "labels", "manager", "walkIn", "onTime"],
      equipment: [
        "combi_oven",
        "tilt_skillet",
        "blast_chiller",
        "vacuum_sealer",
        "packaging_station",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["cold", "frozen"],
      capacity: 8,
      price: 65,
      cleaning: 40,
      minHours: 3,
      maxHours: 14,
      buffer: 60,
      notice: 48,
      window: 120,
      hours: "dayAndNight",
      policy: "strict",
      art: "storage",
      closed: [20],
    },
  ],
  atlanta: [
    {
      title: "Old Fourth Ward Commissary",
      host: 5,
      hood: "Old Fourth Ward",
      line1: "650 North Ave NE",
      zip: "30308",
      lat: 33.7712,
      lng: -84.3657,
      about:
        "A busy commissary off the BeltLine with a full line and a walk-in. Food trucks prep here before heading to Ponce City Market.",
      rules: ["clean", "trucks", "hood", "oil", "insurance"],
      equipment: [
        "range_6_burner",
        "flat_top_griddle",
        "fryer",
        "char_grill",
        "ice_machine",
        "hood_ventilation",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 8,
      price: 44,
      cleaning: 25,
      minHours: 2,
      maxHours: 12,
      buffer: 15,
      notice: 12,
      window: 60,
      hours: "standard",
      policy: "flexible",
      art: "line",
      holidays: true,
    },
    {
      title: "West Midtown Production Kitchen",
      host: 5,
      hood: "West Midtown",
      line1: "1000 Marietta St NW",
      zip: "30318",
      lat: 33.7806,
      lng: -84.4108,
      about:
        "An industrial-scale kitchen in a converted foundry. Co-packers and caterers run big batches on the kettles and skillets.",
      rules: ["clean", "labels", "manager", "walkIn", "dock", "insurance"],
      equipment: [
        "steam_kettle",
        "tilt_skillet",
        "combi_oven",
        "range_6_burner",
        "blast_chiller",
        "packaging_station",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 10,
      price: 70,
      cleaning: 50,
      minHours: 4,
      maxHours: 16,
      buffer: 60,
      notice: 48,
      window: 120,
      hours: "extended",
      policy: "strict",
      art: "prep",
    },
    {
      title: "Inman Park Bakers' Kitchen",
      host: 5,
      hood: "Inman Park",
      line1: "299 N Highland Ave NE",
      zip: "30307",
      lat: 33.7596,
      lng: -84.3557,
      about:
        "A bakery kitchen with a three-deck oven and plenty of bench space. Cake decorators love the big windows and steady afternoon light.",
      rules: ["clean", "labels", "nuts"],
      equipment: [
        "deck_oven",
        "convection_oven",
        "stand_mixer",
        "spiral_mixer",
        "proofing_cabinet",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 4,
      price: 36,
      cleaning: 15,
      minHours: 2,
      maxHours: 10,
      buffer: 15,
      notice: 12,
      window: 45,
      hours: "bakery",
      policy: "flexible",
      art: "bakery",
    },
    {
      title: "Kirkwood Caterers' Kitchen",
      host: 5,
      hood: "Kirkwood",
      line1: "1950 Hosea L Williams Dr NE",
      zip: "30317",
      lat: 33.7548,
      lng: -84.3179,
      about:
        "A neighbourhood catering kitchen with a char grill and two convection ovens. Wedding caterers book it solid from April through October.",
      rules: ["clean", "labels", "onTime", "sanitizer"],
      equipment: [
        "convection_oven",
        "char_grill",
        "range_6_burner",
        "ice_machine",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["dry", "cold"],
      capacity: 6,
      price: 50,
      cleaning: 30,
      minHours: 3,
      maxHours: 12,
      buffer: 30,
      notice: 24,
      window: 90,
      hours: "split",
      policy: "moderate",
      art: "line",
    },
    {
      title: "East Atlanta Night Kitchen",
      host: 8,
      hood: "East Atlanta Village",
      line1: "1231 Glenwood Ave SE",
      zip: "30316",
      lat: 33.7402,
      lng: -84.3451,
      about:
        "A restaurant kitchen that opens to renters late in the evening. Late-night food trucks and wholesale bakers share the overnight shifts.",
      rules: ["clean", "hood", "quiet", "checkIn"],
      equipment: [
        "range_6_burner",
        "fryer",
        "convection_oven",
        "deck_oven",
        "hood_ventilation",
      ],
      storage: ["cold"],
      capacity: 4,
      price: 28,
      cleaning: 10,
      minHours: 3,
      maxHours: 8,
      buffer: 15,
      notice: 6,
      window: 30,
      hours: "evenings",
      policy: "flexible",
      art: "line",
    },
    {
      title: "Grant Park Community Kitchen",
      host: 1,
      hood: "Grant Park",
      line1: "600 Cherokee Ave SE",
      zip: "30312",
      lat: 33.7383,
      lng: -84.3708,
      about:
        "A community kitchen run with a local nonprofit. Part of every booking funds free cooking classes for neighbourhood teens.",
      rules: ["clean", "labels", "noGuests"],
      equipment: [
        "range_6_burner",
        "convection_oven",
        "food_processor",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 6,
      price: 25,
      cleaning: 0,
      minHours: 1,
      maxHours: 8,
      buffer: 0,
      notice: 2,
      window: 30,
      hours: "business",
      policy: "flexible",
      art: "dish",
      closed: [5],
    },
  ],
  "los-angeles": [
    {
      title: "Arts District Production Kitchen",
      host: 3,
      hood: "Arts District",
      line1: "900 E 4th St",
      zip: "90013",
      lat: 34.0453,
      lng: -118.2352,
      about:
        "A round-the-clock production kitchen for caterers and food trucks downtown. Secure truck parking and a huge walk-in make it a true commissary.",
      rules: ["clean", "labels", "trucks", "manager", "walkIn", "insurance"],
      equipment: [
        "range_6_burner",
        "combi_oven",
        "flat_top_griddle",
        "fryer",
        "steam_kettle",
        "blast_chiller",
        "ice_machine",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 12,
      price: 80,
      cleaning: 55,
      minHours: 4,
      maxHours: 16,
      buffer: 60,
      notice: 24,
      window: 120,
      hours: "always",
      policy: "strict",
      art: "storage",
    },
    {
      title: "Boyle Heights Tamale Kitchen",
      host: 9,
      hood: "Boyle Heights",
      line1: "2000 E 1st St",
      zip: "90033",
      lat: 34.0465,
      lng: -118.2113,
      about:
        "Our family's tamale kitchen, with steamers and a spiral mixer for masa. December books early, so reserve ahead for the holidays.",
      rules: ["clean", "labels", "sanitizer", "noGuests"],
      equipment: [
        "steam_kettle",
        "spiral_mixer",
        "range_6_burner",
        "food_processor",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 6,
      price: 30,
      cleaning: 15,
      minHours: 2,
      maxHours: 12,
      buffer: 30,
      notice: 12,
      window: 90,
      hours: "bakery",
      policy: "moderate",
      art: "prep",
      holidays: true,
    },
    {
      title: "Highland Park Shared Kitchen",
      host: 9,
      hood: "Highland Park",
      line1: "5600 N Figueroa St",
      zip: "90042",
      lat: 34.1112,
      lng: -118.1923,
      about:
        "A cheerful shared kitchen on Figueroa with a six-burner range and a convection oven. Good for farmers-market vendors and small caterers.",
      rules: ["clean", "labels", "hood"],
      equipment: [
        "range_6_burner",
        "convection_oven",
        "stand_mixer",
        "hood_ventilation",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 4,
      price: 40,
      cleaning: 20,
      minHours: 2,
      maxHours: 10,
      buffer: 15,
      notice: 12,
      window: 60,
      hours: "standard",
      policy: "flexible",
      art: "line",
    },
    {
      title: "Koreatown Late-Night Kitchen",
      host: 8,
      hood: "Koreatown",
      line1: "3500 W 6th St",
      zip: "90020",
      lat: 34.0637,
      lng: -118.3003,
      about:
        "A barbecue restaurant's kitchen, open to renters after closing. Char grills and a strong hood suit grilled street food and late-night trucks.",
      rules: ["clean", "hood", "oil", "waste", "checkIn"],
      equipment: [
        "char_grill",
        "flat_top_griddle",
        "fryer",
        "range_6_burner",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["cold", "frozen"],
      capacity: 5,
      price: 38,
      cleaning: 25,
      minHours: 3,
      maxHours: 8,
      buffer: 30,
      notice: 12,
      window: 45,
      hours: "nightsAndWeekends",
      policy: "moderate",
      art: "line",
    },
    {
      title: "Silver Lake Test Kitchen",
      host: 3,
      hood: "Silver Lake",
      line1: "3300 Sunset Blvd",
      zip: "90026",
      lat: 34.0872,
      lng: -118.2768,
      about:
        "A design-forward test kitchen for recipe developers, content shoots and private chef prep. Natural light all afternoon.",
      rules: ["clean", "smallwares", "glass", "noGuests"],
      equipment: [
        "combi_oven",
        "range_6_burner",
        "stand_mixer",
        "vacuum_sealer",
        "food_processor",
        "hood_ventilation",
      ],
      storage: ["dry", "cold"],
      capacity: 3,
      price: 90,
      cleaning: 40,
      minHours: 2,
      maxHours: 8,
      buffer: 30,
      notice: 24,
      window: 60,
      hours: "business",
      policy: "strict",
      art: "prep",
    },
    {
      title: "Van Nuys Food Truck Commissary",
      host: 3,
      hood: "Van Nuys",
      line1: "7200 Van Nuys Blvd",
      zip: "91405",
      lat: 34.2003,
      lng: -118.4487,
      about:
        "A Valley commissary with twelve truck bays, water fill and waste dump. The prep kitchen covers morning and evening service.",
      rules: ["clean", "trucks", "oil", "waste", "insurance"],
      equipment: [
        "flat_top_griddle",
        "fryer",
        "range_6_burner",
        "ice_machine",
        "hood_ventilation",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 10,
      price: 35,
      cleaning: 15,
      minHours: 1,
      maxHours: 12,
      buffer: 0,
      notice: 2,
      window: 60,
      hours: "dayAndNight",
      policy: "flexible",
      art: "storage",
      closed: [3],
    },
  ],
  seattle: [
    {
      title: "SoDo Food Truck Commissary",
      host: 6,
      hood: "SoDo",
      line1: "2400 1st Ave S",
      zip: "98134",
      lat: 47.5822,
      lng: -122.3342,
      about:
        "A commissary near the stadiums with overnight truck parking and an all-night prep kitchen. Game-day trucks prep here before the crowds arrive.",
      rules: ["clean", "trucks", "hood", "oil", "checkIn"],
      equipment: [
        "range_6_burner",
        "flat_top_griddle",
        "fryer",
        "ice_machine",
        "hood_ventilation",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 8,
      price: 42,
      cleaning: 20,
      minHours: 2,
      maxHours: 10,
      buffer: 15,
      notice: 6,
      window: 60,
      hours: "overnight",
      policy: "flexible",
      art: "storage",
    },
    {
      title: "Ballard Bakers' Kitchen",
      host: 6,
      hood: "Ballard",
      line1: "5300 Ballard Ave NW",
      zip: "98107",
      lat: 47.6668,
      lng: -122.3836,
      about:
        "A Scandinavian-style bakery kitchen with a steam-injected deck oven. Cardamom-bun bakers and sourdough makers share the early shifts.",
      rules: ["clean", "labels", "nuts", "shelves"],
      equipment: [
        "deck_oven",
        "spiral_mixer",
        "proofing_cabinet",
        "sheeter",
        "stand_mixer",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 4,
      price: 44,
      cleaning: 20,
      minHours: 3,
      maxHours: 12,
      buffer: 30,
      notice: 24,
      window: 60,
      hours: "bakery",
      policy: "moderate",
      art: "bakery",
      holidays: true,
    },
    {
      title: "Capitol Hill Shared Kitchen",
      host: 6,
      hood: "Capitol Hill",
      line1: "1400 E Pine St",
      zip: "98122",
      lat: 47.6153,
      lng: -122.3141,
      about:
        "A lively shared kitchen on Pine Street with a full line and room for pop-up dinners. Evening slots go fast.",
      rules: ["clean", "labels", "hood", "quiet"],
      equipment: [
        "range_6_burner",
        "convection_oven",
        "char_grill",
        "food_processor",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["dry", "cold"],
      capacity: 6,
      price: 52,
      cleaning: 30,
      minHours: 2,
      maxHours: 10,
      buffer: 30,
      notice: 12,
      window: 45,
      hours: "standard",
      policy: "moderate",
      art: "line",
    },
    {
      title: "Georgetown Production Kitchen",
      host: 6,
      hood: "Georgetown",
      line1: "5900 Airport Way S",
      zip: "98108",
      lat: 47.5483,
      lng: -122.3209,
      about:
        "A production kitchen in an old brewery building, sized for co-packing and wholesale. The loading dock takes pallets straight to the walk-in.",
      rules: ["clean", "labels", "manager", "walkIn", "dock", "insurance"],
      equipment: [
        "steam_kettle",
        "tilt_skillet",
        "combi_oven",
        "blast_chiller",
        "vacuum_sealer",
        "packaging_station",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 12,
      price: 75,
      cleaning: 50,
      minHours: 4,
      maxHours: 16,
      buffer: 60,
      notice: 48,
      window: 120,
      hours: "extended",
      policy: "strict",
      art: "prep",
    },
    {
      title: "Fremont Pastry Kitchen",
      host: 6,
      hood: "Fremont",
      line1: "3500 Fremont Ave N",
      zip: "98103",
      lat: 47.6512,
      lng: -122.3502,
      about:
        "A small pastry kitchen with a convection oven, a sheeter and a chilled marble slab. Perfect for laminated doughs.",
      rules: ["clean", "labels", "glass"],
      equipment: [
        "convection_oven",
        "sheeter",
        "stand_mixer",
        "proofing_cabinet",
      ],
      storage: ["dry", "cold"],
      capacity: 2,
      price: 34,
      cleaning: 10,
      minHours: 2,
      maxHours: 8,
      buffer: 15,
      notice: 12,
      window: 45,
      hours: "weekendSplit",
      policy: "flexible",
      art: "bakery",
    },
    {
      title: "Columbia City Community Kitchen",
      host: 6,
      hood: "Columbia City",
      line1: "4900 Rainier Ave S",
      zip: "98118",
      lat: 47.5594,
      lng: -122.2864,
      about:
        "A community kitchen supporting immigrant-owned food businesses in South Seattle. Sliding-scale rates are available on request.",
      rules: ["clean", "labels", "sanitizer", "noGuests"],
      equipment: [
        "range_6_burner",
        "convection_oven",
        "steam_kettle",
        "hood_ventilation",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 8,
      price: 26,
      cleaning: 0,
      minHours: 1,
      maxHours: 8,
      buffer: 0,
      notice: 2,
      window: 30,
      hours: "split",
      policy: "flexible",
      art: "dish",
      closed: [7],
    },
  ],
  portland: [
    {
      title: "Central Eastside Commissary",
      host: 7,
      hood: "Central Eastside",
      line1: "1000 SE Water Ave",
      zip: "97214",
      lat: 45.5158,
      lng: -122.6651,
      about:
        "A commissary by the river licensed by both the county and the ODA. Food carts, sauce makers and caterers share four stations.",
      rules: ["clean", "labels", "manager", "trucks", "shelves"],
      equipment: [
        "range_6_burner",
        "combi_oven",
        "steam_kettle",
        "flat_top_griddle",
        "packaging_station",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 10,
      price: 55,
      cleaning: 30,
      minHours: 2,
      maxHours: 14,
      buffer: 30,
      notice: 24,
      window: 90,
      hours: "extended",
      policy: "moderate",
      art: "line",
      holidays: true,
    },
    {
      title: "Alberta Arts Kitchen",
      host: 7,
      hood: "Alberta Arts District",
      line1: "1500 NE Alberta St",
      zip: "97211",
      lat: 45.5590,
      lng: -122.6497,
      about:
        "A cosy kitchen on Alberta Street used by jam makers, kombucha brewers and the Last Thursday vendors.",
      rules: ["clean", "labels", "glass"],
      equipment: [
        "range_6_burner",
        "steam_kettle",
        "food_processor",
        "three_compartment_sink",
      ],
      storage: ["dry"],
      capacity: 3,
      price: 28,
      cleaning: 10,
      minHours: 1,
      maxHours: 8,
      buffer: 15,
      notice: 6,
      window: 45,
      hours: "business",
      policy: "flexible",
      art: "prep",
    },
    {
      title: "Pearl District Pastry Kitchen",
      host: 7,
      hood: "Pearl District",
      line1: "1200 NW Glisan St",
      zip: "97209",
      lat: 45.5265,
      lng: -122.6838,
      about:
        "A refined pastry kitchen with a deck oven, sheeter and a temperature-controlled chocolate room. Wedding-cake makers rely on the big walk-in.",
      rules: ["clean", "labels", "nuts", "walkIn"],
      equipment: [
        "deck_oven",
        "convection_oven",
        "sheeter",
        "stand_mixer",
        "proofing_cabinet",
        "blast_chiller",
      ],
      storage: ["dry", "cold", "frozen"],
      capacity: 4,
      price: 58,
      cleaning: 30,
      minHours: 2,
      maxHours: 10,
      buffer: 30,
      notice: 24,
      window: 60,
      hours: "weekendSplit",
      policy: "moderate",
      art: "bakery",
    },
    {
      title: "St. Johns Shared Kitchen",
      host: 7,
      hood: "St. Johns",
      line1: "8600 N Lombard St",
      zip: "97203",
      lat: 45.5898,
      lng: -122.7531,
      about:
        "A relaxed shared kitchen near the bridge with easy parking. Meal-prep businesses like the quiet weekday mornings.",
      rules: ["clean", "labels", "onTime"],
      equipment: [
        "range_6_burner",
        "convection_oven",
        "vacuum_sealer",
        "hood_ventilation",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 5,
      price: 32,
      cleaning: 15,
      minHours: 2,
      maxHours: 10,
      buffer: 15,
      notice: 12,
      window: 60,
      hours: "standard",
      policy: "flexible",
      art: "dish",
    },
    {
      title: "Hawthorne Catering Kitchen",
      host: 7,
      hood: "Hawthorne",
      line1: "3500 SE Hawthorne Blvd",
      zip: "97214",
      lat: 45.5120,
      lng: -122.6274,
      about:
        "A caterer's kitchen with a char grill, two ovens and rolling racks for staging. Lunch service closes it in the middle of weekdays.",
      rules: ["clean", "labels", "hood", "sanitizer", "dock"],
      equipment: [
        "convection_oven",
        "combi_oven",
        "char_grill",
        "range_6_burner",
        "ice_machine",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["dry", "cold"],
      capacity: 7,
      price: 48,
      cleaning: 25,
      minHours: 3,
      maxHours: 12,
      buffer: 30,
      notice: 24,
      window: 90,
      hours: "split",
      policy: "moderate",
      art: "line",
      closed: [15],
    },
    {
      title: "Montavilla Night Bakery",
      host: 8,
      hood: "Montavilla",
      line1: "7900 SE Stark St",
      zip: "97215",
      lat: 45.5192,
      lng: -122.5819,
      about:
        "A neighbourhood bakery that becomes a wholesale bakehouse overnight. Bread and bagel makers bake through the night for morning deliveries.",
      rules: ["clean", "labels", "quiet", "shelves"],
      equipment: [
        "deck_oven",
        "spiral_mixer",
        "proofing_cabinet",
        "steam_kettle",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 4,
      price: 36,
      cleaning: 20,
      minHours: 4,
      maxHours: 12,
      buffer: 30,
      notice: 24,
      window: 60,
      hours: "overnight",
      policy: "strict",
      art: "bakery",
    },
  ],
  boston: [
    {
      title: "South End Caterers' Kitchen",
      host: 1,
      hood: "South End",
      line1: "1600 Washington St",
      zip: "02118",
      lat: 42.3393,
      lng: -71.0738,
      about:
        "A caterer's kitchen in a brick rowhouse basement with a combi oven and a big dish pit. Close to the Back Bay event venues.",
      rules: ["clean", "labels", "manager", "nuts", "onTime"],
      equipment: [
        "combi_oven",
        "range_6_burner",
        "convection_oven",
        "ice_machine",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["dry", "cold"],
      capacity: 6,
      price: 62,
      cleaning: 35,
      minHours: 2,
      maxHours: 12,
      buffer: 30,
      notice: 24,
      window: 90,
      hours: "standard",
      policy: "moderate",
      art: "prep",
      holidays: true,
    },
    {
      title: "Jamaica Plain Shared Kitchen",
      host: 1,
      hood: "Jamaica Plain",
      line1: "3200 Washington St",
      zip: "02130",
      lat: 42.3108,
      lng: -71.1034,
      about:
        "A shared kitchen on the Orange Line with a friendly crowd of bakers and caterers. Good public transit makes early shifts easy.",
      rules: ["clean", "labels", "checkIn"],
      equipment: [
        "range_6_burner",
        "convection_oven",
        "stand_mixer",
        "hood_ventilation",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 5,
      price: 40,
      cleaning: 20,
      minHours: 2,
      maxHours: 10,
      buffer: 15,
      notice: 12,
      window: 60,
      hours: "weekendSplit",
      policy: "flexible",
      art: "line",
    },
    {
      title: "Dorchester Community Kitchen",
      host: 1,
      hood: "Dorchester",
      line1: "1400 Dorchester Ave",
      zip: "02122",
      lat: 42.3063,
      lng: -71.0598,
      about:
        "A community kitchen at Fields Corner for new food entrepreneurs. Staff can help with Boston permit paperwork.",
      rules: ["clean", "labels", "sanitizer", "noGuests"],
      equipment: [
        "range_6_burner",
        "convection_oven",
        "food_processor",
        "three_compartment_sink",
      ],
      storage: ["dry", "cold"],
      capacity: 6,
      price: 25,
      cleaning: 0,
      minHours: 1,
      maxHours: 8,
      buffer: 0,
      notice: 2,
      window: 30,
      hours: "business",
      policy: "flexible",
      art: "dish",
    },
    {
      title: "East Boston Seafood Kitchen",
      host: 1,
      hood: "East Boston",
      line1: "250 Border St",
      zip: "02128",
      lat: 42.3721,
      lng: -71.0398,
      about:
        "A harbour-side kitchen with steam kettles for chowder and lobster boils. Ice machine and cold storage keep seafood at temperature.",
      rules: ["clean", "labels", "walkIn", "waste", "dock"],
      equipment: [
        "steam_kettle",
        "range_6_burner",
        "fryer",
        "ice_machine",
        "blast_chiller",
        "hood_ventilation",
        "dish_machine",
      ],
      storage: ["cold", "frozen"],
      capacity: 6,
      price: 54,
      cleaning: 40,
      minHours: 3,
      maxHours: 12,
      buffer: 60,
      notice: 24,
      window: 60,
      hours: "extended",
      policy: "strict",
      art: "storage",
    },
    {
      title: "Allston Night Kitchen",
      host: 8,
      hood: "Allston",
      line1: "180 Harvard Ave",
      zip: "02134",
      lat: 42.3531,
      lng: -71.1321,
      about:
        "A student-neighbourhood restaurant kitchen open to renters after close. Dumpling makers and late-night delivery brands use the overnight slots.",
      rules: ["clean", "hood", "quiet", "oil"],
      equipment: [
        "range_6_burner",
        "fryer",
        "flat_top_griddle",
        "steam_kettle",
        "hood_ventilation",
      ],
      storage: ["cold", "frozen"],
      capacity: 4,
      price: 32,
      cleaning: 15,
      minHours: 2,
      maxHours: 8,
      buffer: 15,
      notice: 6,
      window: 45,
      hours: "evenings",
      policy: "moderate",
      art: "line",
      closed: [10],
    },
    {
      title: "Seaport Test Kitchen",
      host: 1,
      hood: "Seaport",
      line1: "21 Drydock Ave",
      zip: "02210",
      lat: 42.3443,
      lng: -71.0308,
      about:
        "A test kitchen in a converted marine warehouse, set up for product development and photo shoots. Harbour views from every station.",
      rules: ["clean", "smallwares", "glass", "insurance"],
      equipment: [
        "combi_oven",
        "range_6_burner",
        "stand_mixer",
        "vacuum_sealer",
        "blast_chiller",
        "hood_ventilation",
      ],
      storage: ["dry", "cold"],
      capacity: 4,
      price: 88,
      cleaning: 45,
      minHours: 2,
      maxHours: 10,
      buffer: 30,
      notice: 48,
      window: 90,
      hours: "business",
      policy: "strict",
      art: "prep",
    },
  ],
};

// ---------------------------------------------------------------------------
// Building records

/** Local "YYYY-MM-DD" of `now` in a zone. */
function localDate(now: Date, timeZone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(now.getTime())
    .toZonedDateTimeISO(timeZone).toPlainDate();
}

/** US public holidays most kitchens close for, in a given year. */
function holidaysOf(year: number): Temporal.PlainDate[] {
  // Thanksgiving: the fourth Thursday of November.
  const nov1 = Temporal.PlainDate.from({ year, month: 11, day: 1 });
  const thanksgiving = nov1.add({ days: ((4 - nov1.dayOfWeek + 7) % 7) + 21 });
  // Memorial Day: the last Monday of May. Labor Day: the first Monday of September.
  const may31 = Temporal.PlainDate.from({ year, month: 5, day: 31 });
  const memorialDay = may31.subtract({ days: (may31.dayOfWeek + 6) % 7 });
  const sep1 = Temporal.PlainDate.from({ year, month: 9, day: 1 });
  const laborDay = sep1.add({ days: (8 - sep1.dayOfWeek) % 7 });
  return [
    Temporal.PlainDate.from({ year, month: 1, day: 1 }),
    memorialDay,
    Temporal.PlainDate.from({ year, month: 7, day: 4 }),
    laborDay,
    thanksgiving,
    Temporal.PlainDate.from({ year, month: 12, day: 25 }),
  ];
}

function blackoutDates(d: DemoKitchen, today: Temporal.PlainDate): string[] {
  const dates = new Set<string>();
  for (const offset of d.closed ?? []) {
    dates.add(today.add({ days: offset }).toString());
  }
  if (d.holidays) {
    const last = today.add({ days: d.window });
    for (
      const h of [...holidaysOf(today.year), ...holidaysOf(today.year + 1)]
    ) {
      if (
        Temporal.PlainDate.compare(h, today) > 0 &&
        Temporal.PlainDate.compare(h, last) <= 0
      ) dates.add(h.toString());
    }
  }
  return [...dates].sort();
}

export interface DemoPhoto {
  id: string;
  scene: ArtScene;
  seed: number;
  alt: string;
}

/**
 * The three photos of the kitchen at `index`: its main scene, then two others
 * rotating through the rest. Seeds whose alt text would be too long for a
 * photo ref are skipped deterministically.
 */
export function demoPhotos(index: number, main: ArtScene): DemoPhoto[] {
  const others = ART_SCENES.filter((s) => s !== main);
  const scenes = [main, others[index % 4], others[(index + 2) % 4]];
  return scenes.map((scene, n) => {
    let seed = 7919 * (index + 1) + 104_729 * n;
    let alt = describeKitchenArt({ seed, scene });
    while (alt.length > 200) alt = describeKitchenArt({ seed: ++seed, scene });
    return { id: demoPhotoId(index, n), scene, seed, alt };
  });
}

/**
 * A fixed, ULID-shaped id per demo photo, so re-seeding writes the same
 * files and every file id has the shape routes accept.
 */
export function demoPhotoId(index: number, n: number): string {
  return `0000DEM0PH0T0${String(index * 10 + n + 1).padStart(13, "0")}`;
}

export interface DemoPlan {
  hosts: Host[];
  kitchens: Kitchen[];
  photos: DemoPhoto[];
}

/** Every host, kitchen and photo of the demo set, validated; nothing written. */
export function buildDemoData(now = new Date()): DemoPlan {
  const createdAt = now.toISOString();
  // Demo hosts can be booked at once in demo payments mode (no Stripe key).
  const hosts: Host[] = DEMO_HOSTS.map((h) => ({
    v: 2,
    ...h,
    createdAt,
    payout: readyDemoPayout(createdAt),
  }));
  const kitchens: Kitchen[] = [];
  const photos: DemoPhoto[] = [];
  let index = 0;
  for (const city of CITIES) {
    const rows = DEMO_KITCHENS[city.slug];
    if (!rows || rows.length !== 6) {
      throw new Error(`Demo data needs 6 kitchens in ${city.slug}`);
    }
    for (const [n, row] of rows.entries()) {
      const kitchenPhotos = demoPhotos(index, row.art);
      photos.push(...kitchenPhotos);
      const input = toInput(row, city, now, kitchenPhotos, n);
      let parsed: KitchenInput;
      try {
        parsed = kitchenInput.parse(input);
      } catch (err) {
        throw new Error(`Invalid demo kitchen "${row.title}": ${err}`);
      }
      const host = hosts[row.host];
      if (!host) throw new Error(`Unknown host for "${row.title}"`);
      kitchens.push(
        newKitchen(host.id, parsed, { status: "published", now, id: newId() }),
      );
      index++;
    }
  }
  const unused = hosts.filter((h) => !kitchens.some((k) => k.hostId === h.id));
  if (unused.length) {
    throw new Error(`Demo hosts without kitchens: ${unused.map((h) => h.id)}`);
  }
  return { hosts, kitchens, photos };
}

/** San Francisco's demo districts: most need a neighbourhood notice, M-1 does not. */
const SF_DISTRICTS = ["NC-3", "M-1", "NCT", "PDR-1-D", "NC-2", "M-1"];

function toInput(
  d: DemoKitchen,
  city: City,
  now: Date,
  photos: DemoPhoto[],
  n: number,
): KitchenInput {
  const quiet = rulePackFor(city.slug).quietHours;
  return {
    title: d.title,
    description: d.about,
    rules: d.rules.map((r) => RULES[r]),
    address: {
      line1: d.line1,
      neighborhood: d.hood,
      city: city.slug,
      state: city.state,
      postalCode: d.zip,
    },
    lat: d.lat,
    lng: d.lng,
    timeZone: city.timeZone,
    photos: photos.map((p): PhotoRef => ({ id: p.id, alt: p.alt })),
    equipment: d.equipment,
    storage: d.storage,
    capacity: d.capacity,
    hourlyPriceCents: d.price * 100,
    cleaningFeeCents: d.cleaning * 100,
    currency: "usd",
    minHours: d.minHours,
    maxHours: d.maxHours,
    bufferMinutes: d.buffer,
    minNoticeHours: d.notice,
    bookingWindowDays: d.window,
    weeklyHours: quiet
      ? outsideQuietHours(HOURS[d.hours], quiet)
      : HOURS[d.hours].map((r) => ({ ...r })),
    ...(city.slug === "san-francisco"
      ? { zoningDistrict: SF_DISTRICTS[n % SF_DISTRICTS.length] }
      : {}),
    accessible: n % 3 !== 2,
    blackoutDates: blackoutDates(d, localDate(now, city.timeZone)),
    cancellationPolicy: d.policy,
    // Strict kitchens show request-to-book in the demo: the host accepts each booking.
    bookingMode: d.policy === "strict" ? "request" : "instant",
    // Two kitchens in three take weekly standing bookings, up to 3 or 6 months ahead.
    standingBookings: n % 3 !== 1,
    standingMonthsAhead: n % 2 === 0 ? 6 : 3,
  };
}

const minutes = (hhmm: string) =>
  Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const clock = (m: number) =>
  m === 1440
    ? "24:00"
    : `${String(Math.floor(m / 60)).padStart(2, "0")}:${
      String(m % 60).padStart(2, "0")
    }`;

/**
 * Weekly hours cut to the part of each day outside the city's quiet hours
 * (which run past midnight in every pack), so the demo offers no time the
 * city forbids; a range wholly inside them is dropped, and a kitchen left
 * with none keeps the standard hours, cut the same way.
 */
export function outsideQuietHours(
  ranges: readonly WeeklyRange[],
  quiet: { start: string; end: string },
): WeeklyRange[] {
  const open = minutes(quiet.end);
  const close = minutes(quiet.start);
  const cut = (rs: readonly WeeklyRange[]) =>
    rs.flatMap((r) => {
      const start = minutes(r.start);
      const endRaw = r.end === "24:00" ? 1440 : minutes(r.end);
      const end = endRaw <= start ? endRaw + 1440 : endRaw;
      const from = Math.max(start, open);
      const to = Math.min(end, close);
      return to > from
        ? [{ day: r.day, start: clock(from), end: clock(to) }]
        : [];
    });
  const kept = cut(ranges);
  return kept.length > 0 ? kept : cut(HOURS.standard);
}

// ---------------------------------------------------------------------------
// Counting an atomic before committing it

/** Bytes of a key in Deno KV's tuple encoding (strings escape NUL bytes). */
export function keyBytes(key: Deno.KvKey): number {
  let n = 0;
  for (const part of key) {
    if (typeof part === "string") {
      const b = new TextEncoder().encode(part);
      n += 2 + b.length + b.filter((x) => x === 0).length;
    } else if (part instanceof Uint8Array) {
      n += 2 + part.length + part.filter((x) => x === 0).length;
    } else if (typeof part === "number") n += 9;
    else if (typeof part === "boolean") n += 1;
    else n += 2 + part.toString(16).length / 2;
  }
  return n;
}

/** Rough serialized size of a value; V8 serialization is close to JSON for records. */
function valueBytes(value: unknown): number {
  if (value instanceof Deno.KvU64) return 8;
  if (value instanceof Uint8Array) return value.length;
  return JSON.stringify(value)?.length ?? 0;
}

export interface AtomicStats {
  checks: number;
  mutations: number;
  keyBytes: number;
  mutationBytes: number;
}

type Op = (a: Deno.AtomicOperation) => void;

/**
 * Records operations so their count and size can be checked against KV's
 * limits before anything is committed, then replays them onto a real atomic.
 */
export class AtomicPlan {
  readonly stats: AtomicStats = {
    checks: 0,
    mutations: 0,
    keyBytes: 0,
    mutationBytes: 0,
  };
  readonly #ops: Op[] = [];

  check(...checks: Deno.AtomicCheck[]): this {
    for (const c of checks) {
      this.stats.checks++;
      this.stats.keyBytes += keyBytes(c.key);
    }
    this.#ops.push((a) => a.check(...checks));
    return this;
  }

  #mutation(key: Deno.KvKey, value: unknown, op: Op): this {
    const k = keyBytes(key);
    this.stats.mutations++;
    this.stats.keyBytes += k;
    this.stats.mutationBytes += k + valueBytes(value);
    this.#ops.push(op);
    return this;
  }

  set(key: Deno.KvKey, value: unknown): this {
    return this.#mutation(key, value, (a) => a.set(key, value));
  }

  sum(key: Deno.KvKey, n: bigint): this {
    return this.#mutation(key, new Deno.KvU64(n), (a) => a.sum(key, n));
  }

  min(key: Deno.KvKey, n: bigint): this {
    return this.#mutation(key, new Deno.KvU64(n), (a) => a.min(key, n));
  }

  max(key: Deno.KvKey, n: bigint): this {
    return this.#mutation(key, new Deno.KvU64(n), (a) => a.max(key, n));
  }

  delete(key: Deno.KvKey): this {
    return this.#mutation(key, null, (a) => a.delete(key));
  }

  mutate(...mutations: Deno.KvMutation[]): this {
    for (const m of mutations) {
      this.#mutation(m.key, "value" in m ? m.value : null, (a) => a.mutate(m));
    }
    return this;
  }

  enqueue(): this {
    throw new Error("AtomicPlan does not support enqueue");
  }

  commit(): never {
    throw new Error("Apply an AtomicPlan to a real atomic to commit it");
  }

  /** This plan typed as an atomic, for helpers such as addKitchenCreate. */
  asAtomic(): Deno.AtomicOperation {
    return this as unknown as Deno.AtomicOperation;
  }

  /** Throws naming the limit if one commit could not carry this plan. */
  assertWithinLimits(what: string): void {
    const s = this.stats;
    const over = [
      s.checks > KV_LIMITS.checks && `${s.checks} checks`,
      s.mutations > KV_LIMITS.mutations && `${s.mutations} mutations`,
      s.keyBytes > KV_LIMITS.totalKeyBytes && `${s.keyBytes} key bytes`,
      s.mutationBytes > KV_LIMITS.totalMutationBytes &&
      `${s.mutationBytes} payload bytes`,
    ].filter(Boolean);
    if (over.length) {
      throw new Error(`${what} exceeds one KV atomic: ${over.join(", ")}`);
    }
  }

  applyTo(atomic: Deno.AtomicOperation): Deno.AtomicOperation {
    for (const op of this.#ops) op(atomic);
    return atomic;
  }
}

/** The single commit that creates the demo set, guarded by the seed marker. */
export function planDemoCommit(data: DemoPlan, now: Date): AtomicPlan {
  const plan = new AtomicPlan();
  plan.check({ key: keys.seed(DEMO_SEED), versionstamp: null });
  for (const h of data.hosts) {
    plan.check({ key: keys.host(h.id), versionstamp: null });
    plan.set(keys.host(h.id), h);
  }
  for (const k of data.kitchens) addKitchenCreate(plan.asAtomic(), k);
  plan.set(keys.seed(DEMO_SEED), {
    at: now.toISOString(),
    kitchens: data.kitchens.length,
    hosts: data.hosts.length,
  });
  plan.assertWithinLimits("The demo seed");
  return plan;
}

// ---------------------------------------------------------------------------
// Seeding

/**
 * Retries while another process holds the SQLite write lock (two processes
 * seeding one local file at once); anything else is thrown at once.
 */
async function whileLocked<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await write();
    } catch (err) {
      const locked = err instanceof Error &&
        /database is locked/i.test(err.message);
      if (!locked || attempt >= 20) throw err;
      await new Promise((r) =>
        setTimeout(r, Math.min(1000, 25 * 2 ** attempt))
      );
    }
  }
}

export interface SeedResult {
  created: boolean;
  kitchens: number;
  hosts: number;
}

/**
 * Creates the demo catalogue once. Photos are written first under fixed ids,
 * so a retry after a crash overwrites them identically; hosts, kitchens and
 * the marker then land in one atomic, or not at all.
 */
export async function seedDemoData(
  kv: Deno.Kv,
  opts: { now?: Date } = {},
): Promise<SeedResult> {
  const none = { created: false, kitchens: 0, hosts: 0 };
  if ((await kv.get(keys.seed(DEMO_SEED))).versionstamp !== null) return none;

  const now = opts.now ?? new Date();
  const data = buildDemoData(now);
  const plan = planDemoCommit(data, now);

  for (const p of data.photos) {
    const svg = renderKitchenArt({ seed: p.seed, scene: p.scene });
    const bytes = new TextEncoder().encode(svg);
    await whileLocked(() =>
      putFile(kv, { id: p.id, bytes, contentType: "image/svg+xml" })
    );
  }

  const res = await whileLocked(() => plan.applyTo(kv.atomic()).commit());
  if (res.ok) {
    noteWrite(kv);
    // The kitchens are listed once their permits are verified.
    const permits = await import("./compliance.ts");
    await permits.seedDemoCompliance(kv, data.kitchens, now.getTime());
    return {
      created: true,
      kitchens: data.kitchens.length,
      hosts: data.hosts.length,
    };
  }
  // Someone else seeded meanwhile: their set stands and ours is dropped.
  if ((await kv.get(keys.seed(DEMO_SEED))).versionstamp !== null) return none;
  throw new Error(
    "Demo seed failed: a demo host already exists without the seed marker.",
  );
}
