import assert from "node:assert/strict";
import {
  type CancellationPolicy,
  describePolicy,
  refundBpsFor,
} from "../../lib/kitchens/policy.ts";

const refunds: [CancellationPolicy, number, number][] = [
  ["flexible", 24, 10000],
  ["flexible", 23.9, 0],
  ["moderate", 72, 10000],
  ["moderate", 71, 5000],
  ["moderate", 24, 5000],
  ["moderate", 23, 0],
  ["strict", 168, 5000],
  ["strict", 167, 0],
  ["strict", -1, 0],
];

Deno.test("policy: refund share by hours of notice", () => {
  for (const [policy, hours, bps] of refunds) {
    assert.equal(refundBpsFor(policy, hours), bps, `${policy} at ${hours}h`);
  }
});

Deno.test("policy: plain-words descriptions", () => {
  assert.deepEqual(describePolicy("moderate"), [
    "Cancel at least 3 days before your booking starts for a full refund.",
    "Cancel at least 24 hours and less than 3 days before for a 50% refund.",
    "Cancellations within 24 hours of the start are not refunded.",
  ]);
  assert.deepEqual(describePolicy("strict"), [
    "Cancel at least 7 days before your booking starts for a 50% refund.",
    "Cancellations within 7 days of the start are not refunded.",
  ]);
});
