import assert from "node:assert/strict";
import { cityGuide } from "../../lib/compliance/city_guide.ts";
import {
  CITY_SLUGS,
  type RulePack,
  rulePackFor,
} from "../../lib/compliance/rules.ts";

Deno.test("city guide: a base city's guide, item by item", () => {
  assert.deepEqual(cityGuide(rulePackFor("chicago")), {
    cityName: "Chicago",
    renterDocuments: [
      "Liability insurance of at least $1,000,000 per occurrence and $2,000,000 aggregate, on one certificate",
      "Food handler card or Food manager certificate",
      "Workers' compensation insurance, if your business has employees",
    ],
    bookingRules: [
      "Chicago sets no quiet hours, daily hour limit or city fees on kitchen bookings.",
    ],
    kitchenPermits: [
      "Health permit",
      "Fire safety inspection or suppression certificate",
      "Business license",
    ],
    agencies: [
      "Chicago Department of Public Health",
      "Department of Business Affairs and Consumer Protection",
      "Chicago Fire Department",
    ],
  });
});

Deno.test("city guide: Seattle's fees, season and quiet hours, item by item", () => {
  const guide = cityGuide(rulePackFor("seattle"));
  assert.deepEqual(guide.bookingRules, [
    "Quiet hours 10:00 PM - 7:00 AM local time: no kitchen use in that time.",
    "Daily limit: 16 hours of use per kitchen; a booking past it carries a condition you accept before paying.",
    "Bookings open up to 180 days ahead.",
    "Outdoor cooking from November to February is booked under a seasonal notice.",
    "King County lodging tax (2%) on the hourly charges and the cleaning fee, shown as a line on your quote.",
    "Seattle business and occupation tax (0.44%) on Prep's platform fee, shown as a line on your quote.",
  ]);
  assert.equal(
    guide.renterDocuments[0],
    'Liability insurance of at least $1,000,000 per occurrence and $2,000,000 aggregate, naming "City of Seattle and King County" as additional insured, on one certificate',
  );
  assert.deepEqual(guide.agencies, ["Seattle-King County Public Health"]);
});

Deno.test("city guide: follows the pack, so a changed rule changes the guide", () => {
  const pack: RulePack = structuredClone(rulePackFor("portland"));
  pack.insurance.perOccurrenceMinCents = 150_000_000;
  pack.insurance.aggregateMinCents = 300_000_000;
  pack.insurance.additionalInsured = "State of Oregon";
  pack.quietHours = { start: "21:30", end: "05:00" };
  pack.dailyCapHours = 10;
  pack.fees[0].bps = 1200;
  pack.guide.agencies = ["Oregon Health Authority"];
  const text = JSON.stringify(cityGuide(pack));
  for (
    const figure of [
      "$1,500,000 per occurrence",
      "$3,000,000 aggregate",
      '\\"State of Oregon\\" as additional insured',
      "Quiet hours 9:30 PM - 5:00 AM",
      "Daily limit: 10 hours",
      "Multnomah County lodging tax (12%)",
      "Multnomah County Health Department",
      "Oregon Health Authority",
    ]
  ) assert.ok(text.includes(figure), figure);
  assert.doesNotMatch(text, /1,000,000|22:00|14 hours|11\.5%/);
});

Deno.test("city guide: every city names its health department first and each agency once", () => {
  for (const city of CITY_SLUGS) {
    const pack = rulePackFor(city);
    const { agencies } = cityGuide(pack);
    assert.equal(agencies[0], pack.guide.healthDepartment, city);
    assert.equal(new Set(agencies).size, agencies.length, city);
    for (const a of pack.guide.agencies) assert.ok(agencies.includes(a), a);
  }
});
