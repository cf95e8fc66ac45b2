/**
 * The cities Prep serves. A kitchen's city must be one of these; its time zone
 * is the default for kitchens there. This is the guide's local prose only:
 * the rules Prep enforces (insurance limits, fees, quiet hours, agencies) are
 * the city's compliance rule pack, which the guide page renders beside it.
 */

export interface City {
  slug: string;
  name: string;
  state: string;
  timeZone: string;
  /**
   * Local documents hosts commonly ask for besides Prep's rules, in plain
   * words; nothing the rule pack states (insurance, fees, hours) goes here.
   */
  documents: string[];
  /** One paragraph of local context for renters. */
  intro: string;
}

export const CITIES: readonly City[] = [
  {
    slug: "new-york",
    name: "New York",
    state: "NY",
    timeZone: "America/New_York",
    intro:
      "Food businesses in the five boroughs are permitted by the NYC Department of Health and Mental Hygiene. Shared kitchens here book early for weekend markets, so reserve overnight and weekday slots if you are flexible.",
    documents: [
      "NYC Food Protection Certificate for at least one person on every shift",
      "Mobile food vending or food service establishment permit, if you sell direct",
    ],
  },
  {
    slug: "san-francisco",
    name: "San Francisco",
    state: "CA",
    timeZone: "America/Los_Angeles",
    intro:
      "San Francisco requires a Health Permit from the Department of Public Health for anyone producing food for sale. Commissaries often ask for proof that you are registered as a commissary user.",
    documents: [
      "California Food Handler Card (or a Food Protection Manager certificate)",
      "SF DPH Health Permit or an application in progress",
    ],
  },
  {
    slug: "chicago",
    name: "Chicago",
    state: "IL",
    timeZone: "America/Chicago",
    intro:
      "Chicago licenses shared kitchen users through the Department of Business Affairs and Consumer Protection. Many kitchens ask for a Shared Kitchen User license before your first booking.",
    documents: [
      "Illinois Food Handler training certificate",
      "City of Chicago Shared Kitchen User license",
    ],
  },
  {
    slug: "atlanta",
    name: "Atlanta",
    state: "GA",
    timeZone: "America/New_York",
    intro:
      "Fulton and DeKalb counties handle food service permits around Atlanta. Caterers often need a ServSafe manager on site for prep shifts.",
    documents: [
      "ServSafe Food Protection Manager certificate",
      "County food service permit or cottage food registration",
    ],
  },
  {
    slug: "los-angeles",
    name: "Los Angeles",
    state: "CA",
    timeZone: "America/Los_Angeles",
    intro:
      "LA County Environmental Health permits food facilities and requires catering and food truck operators to operate from an approved commissary.",
    documents: [
      "California Food Handler Card for every worker",
      "LA County Public Health Permit",
      "Commissary agreement with an approved commissary",
    ],
  },
  {
    slug: "seattle",
    name: "Seattle",
    state: "WA",
    timeZone: "America/Los_Angeles",
    intro:
      "Public Health – Seattle & King County issues food business permits. Kitchens here expect a Washington food worker card for everyone in the kitchen.",
    documents: [
      "Washington State Food Worker Card",
      "King County food business permit",
    ],
  },
  {
    slug: "portland",
    name: "Portland",
    state: "OR",
    timeZone: "America/Los_Angeles",
    intro:
      "Multnomah County licenses restaurants and mobile units; the Oregon Department of Agriculture licenses food processors such as bakers and sauce makers.",
    documents: [
      "Oregon Food Handler card",
      "ODA food processor licence or Multnomah County licence",
    ],
  },
  {
    slug: "boston",
    name: "Boston",
    state: "MA",
    timeZone: "America/New_York",
    intro:
      "Boston's Inspectional Services Department permits food businesses; many shared kitchens also ask for an allergen awareness certificate, which Massachusetts requires of food managers.",
    documents: [
      "ServSafe Food Protection Manager and Massachusetts allergen awareness certificates",
      "City of Boston food permit or caterer's permit",
    ],
  },
];

const bySlug = new Map(CITIES.map((c) => [c.slug, c]));

export function findCity(slug: string): City | undefined {
  return bySlug.get(slug);
}

/** "San Francisco", "san  francisco" and "san-francisco" all become "san francisco". */
function cityKey(text: string): string {
  return text.trim().toLowerCase().replace(/[\s_-]+/g, " ");
}

const byKey = new Map(
  CITIES.flatMap((c) => [[cityKey(c.slug), c], [cityKey(c.name), c]]),
);

/**
 * The city a person typed or linked to, by slug or display name, ignoring
 * case and separators: `matchCity("New York")?.slug === "new-york"`.
 */
export function matchCity(text: string): City | undefined {
  return byKey.get(cityKey(text));
}

export const CITY_SLUGS = CITIES.map((c) => c.slug);
