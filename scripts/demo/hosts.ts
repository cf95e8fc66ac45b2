/** The demo catalogue's hosts: each owns the kitchens the catalogue gives it. */

export interface DemoHost {
  id: string;
  name: string;
  about: string;
}

export const DEMO_HOSTS: readonly DemoHost[] = [
  {
    id: "demo-host-01",
    name: "Borough Commissary Co.",
    about:
      "We run three shared kitchens in Brooklyn and Queens and have hosted bakers, caterers and hot sauce makers since 2014.",
  },
  {
    id: "demo-host-02",
    name: "Harbor & Hearth Kitchens",
    about:
      "Harbor & Hearth restores old industrial spaces on the East Coast into licensed kitchens for small food businesses.",
  },
  {
    id: "demo-host-03",
    name: "Golden Gate Shared Kitchens",
    about:
      "A family-run commissary group in San Francisco. We know the DPH permit process well and are happy to walk new renters through it.",
  },
  {
    id: "demo-host-04",
    name: "Pacific Commissary Group",
    about:
      "Food truck and catering commissaries in California with secure overnight parking and on-site cold storage.",
  },
  {
    id: "demo-host-05",
    name: "Lakefront Culinary",
    about:
      "Chicago kitchens for makers who have outgrown the home kitchen. Every space is licensed for shared-kitchen users.",
  },
  {
    id: "demo-host-06",
    name: "Peach State Kitchens",
    about:
      "Atlanta caterers ourselves, we opened our prep kitchens to other small businesses when we were not using them.",
  },
  {
    id: "demo-host-07",
    name: "Cascade Kitchen Co-op",
    about:
      "A member-owned cooperative of Seattle food businesses sharing equipment, storage and know-how.",
  },
  {
    id: "demo-host-08",
    name: "Rose City Commissary",
    about:
      "Portland kitchens licensed by both the county and the ODA, so restaurants and packaged-food makers can work side by side.",
  },
  {
    id: "demo-host-09",
    name: "Night Shift Bakers Guild",
    about:
      "Kitchens that come alive after dark: overnight bakery and production slots for wholesale bakers and meal-prep companies.",
  },
  {
    id: "demo-host-10",
    name: "Delgado Family Kitchens",
    about:
      "Second-generation tamale makers renting the kitchens we grew up in to the next wave of family food businesses.",
  },
];
