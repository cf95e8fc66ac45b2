import { formatClockRange } from "../../lib/format.ts";
import assert from "node:assert/strict";
import { CITIES } from "../../lib/cities.ts";
import { rulePackFor } from "../../lib/compliance/rules.ts";
import { testApp } from "../helpers.ts";
import { characters } from "../page_text.ts";

/** A page's visible text: tags dropped, entities decoded, spaces collapsed. */
function textOf(html: string): string {
  return characters(html)
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]*>/g, " ")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&")
    .replace(/\s+/g, " ");
}

/** "$1,000,000", written out here rather than through the app's formatter. */
function dollars(cents: number): string {
  return `$${(cents / 100).toLocaleString("en-US")}`;
}

Deno.test("city guides: every city's page states each rule of its pack, figures and all", async () => {
  const t = await testApp();
  for (const city of CITIES) {
    const pack = rulePackFor(city.slug);
    const res = await t.request(`/cities/${city.slug}`);
    assert.equal(res.status, 200, city.slug);
    const text = textOf(await res.text());
    const has = (figure: string) =>
      assert.ok(text.includes(figure), `${city.slug}: "${figure}" missing`);

    has(`${dollars(pack.insurance.perOccurrenceMinCents)} per occurrence`);
    has(`${dollars(pack.insurance.aggregateMinCents)} aggregate`);
    if (pack.insurance.additionalInsured) {
      has(`naming "${pack.insurance.additionalInsured}" as additional insured`);
    } else {
      // No hand-written line may ask for an additional insured the verdict
      // does not require.
      assert.doesNotMatch(text, /additional insured/i, city.slug);
    }
    has("Food handler card or Food manager certificate");
    has("Workers' compensation insurance, if your business has employees");

    for (const fee of pack.fees) has(`${fee.label} (${fee.bps / 100}%)`);
    if (pack.fees.length === 0) {
      has("no quiet hours, daily hour limit or city fees");
    }
    if (pack.quietHours) {
      has(
        `Quiet hours ${
          formatClockRange(pack.quietHours.start, pack.quietHours.end)
        }`,
      );
    }
    if (pack.dailyCapHours !== null) {
      has(`Daily limit: ${pack.dailyCapHours} hours of use per kitchen`);
    }
    if (pack.bookingWindowDays !== null) {
      has(`up to ${pack.bookingWindowDays} days ahead`);
    }
    for (const agency of pack.guide.agencies) has(agency);
    has(pack.guide.healthDepartment);

    // Hand-written figures that disagreed with the pack are gone.
    assert.doesNotMatch(text, /\$\d+M\b|usually \$/, city.slug);
  }
  t.close();
});

Deno.test("city guides: San Francisco lists its additional insured, tax, quiet hours and cap", async () => {
  const t = await testApp();
  const text = textOf(await (await t.request("/cities/san-francisco")).text());
  for (
    const line of [
      'Liability insurance of at least $1,000,000 per occurrence and $2,000,000 aggregate, naming "City and County of San Francisco" as additional insured, on one certificate',
      "Quiet hours 10:00 PM - 6:00 AM local time: no kitchen use in that time.",
      "Daily limit: 12 hours of use per kitchen; a booking past it carries a condition you accept before paying.",
      "Bookings open up to 180 days ahead.",
      "San Francisco Commercial Rents Tax (3.5%) on the hourly charges, shown as a line on your quote.",
      "Neighborhood notice (300 ft, 30 days), where the kitchen's zoning district calls for one",
      "SF Department of Public Health",
    ]
  ) assert.ok(text.includes(line), line);
  assert.doesNotMatch(text, /usually \$1M/);
  t.close();
});
