import assert from "node:assert/strict";
import {
  canTakeBookings,
  payoutStatusText,
  readyDemoPayout,
} from "../../lib/hosts/payouts.ts";
import {
  hostRecord,
  type HostV1,
  noPayout,
  normaliseHost,
  type PayoutStatus,
} from "../../lib/hosts/schema.ts";

const AT = "2026-12-01T15:00:00.000Z";

function stripe(over: Partial<PayoutStatus> = {}): PayoutStatus {
  return {
    provider: "stripe",
    accountId: "acct_123",
    chargesEnabled: true,
    payoutsEnabled: true,
    requirementsDue: [],
    updatedAt: AT,
    ...over,
  };
}

const cases: {
  name: string;
  payout: PayoutStatus;
  stripe: boolean;
  demo: boolean;
  text: string;
}[] = [
  {
    name: "nothing connected",
    payout: noPayout(),
    stripe: false,
    demo: false,
    text: "Payouts are not set up. Connect a payout account to take bookings.",
  },
  {
    name: "Stripe account, charges and payouts on",
    payout: stripe(),
    stripe: true,
    demo: false,
    text: "Payouts are set up. You can take bookings.",
  },
  {
    name: "Stripe account, enabled, with details due soon",
    payout: stripe({ requirementsDue: ["external_account"] }),
    stripe: true,
    demo: false,
    text:
      "Payouts are set up, but Stripe will soon need 1 more detail from you.",
  },
  {
    name: "Stripe account just made",
    payout: stripe({ chargesEnabled: false, payoutsEnabled: false }),
    stripe: false,
    demo: false,
    text:
      "Stripe is checking your details. You can take bookings once it has finished.",
  },
  {
    name: "Stripe account with details due",
    payout: stripe({
      chargesEnabled: false,
      payoutsEnabled: false,
      requirementsDue: ["individual.dob.day", "external_account"],
    }),
    stripe: false,
    demo: false,
    text: "Stripe needs 2 more details from you before you can take bookings.",
  },
  {
    name: "Stripe charges on but payouts paused",
    payout: stripe({ payoutsEnabled: false, requirementsDue: ["tos"] }),
    stripe: false,
    demo: false,
    text: "Stripe needs 1 more detail from you before you can take bookings.",
  },
  {
    name: "Stripe payouts on but charges off",
    payout: stripe({ chargesEnabled: false }),
    stripe: false,
    demo: false,
    text:
      "Stripe is checking your details. You can take bookings once it has finished.",
  },
  {
    name: "Stripe flags without an account id",
    payout: stripe({ accountId: null }),
    stripe: false,
    demo: false,
    text: "Payouts are not set up. Connect a payout account to take bookings.",
  },
  {
    name: "demo setup done",
    payout: readyDemoPayout(AT),
    stripe: false,
    demo: true,
    text: "Demo payouts are set up. No real money moves in demo mode.",
  },
  {
    name: "demo setup not finished",
    payout: { ...readyDemoPayout(AT), payoutsEnabled: false },
    stripe: false,
    demo: false,
    text: "Your demo payout setup is not finished.",
  },
];

for (const c of cases) {
  Deno.test(`host payouts: ${c.name}`, () => {
    const host = { payout: c.payout };
    assert.equal(canTakeBookings(host, "stripe"), c.stripe, "stripe mode");
    assert.equal(canTakeBookings(host, "demo"), c.demo, "demo mode");
    assert.equal(payoutStatusText(host), c.text);
  });
}

const v1: HostV1 = {
  v: 1,
  id: "01JB0000000000000000000000",
  name: "Borough Commissary Co.",
  about: "",
  createdAt: AT,
};

Deno.test("host schema: a v1 record reads as v2 with no payouts set up", () => {
  const host = normaliseHost(v1);
  assert.deepEqual(host, { ...v1, v: 2, payout: noPayout() });
  assert.deepEqual(hostRecord.parse(v1), host);
  assert.equal(canTakeBookings(host, "demo"), false);
});

Deno.test("host schema: a v2 record keeps its payout status; bad ones are refused", () => {
  const v2 = { ...v1, v: 2 as const, payout: readyDemoPayout(AT) };
  assert.equal(normaliseHost(v2), v2);
  assert.deepEqual(hostRecord.parse(v2), v2);
  assert.throws(() => hostRecord.parse({ ...v2, payout: undefined }));
  assert.throws(() =>
    hostRecord.parse({ ...v2, payout: { ...v2.payout, provider: "paypal" } })
  );
  assert.throws(() => hostRecord.parse({ ...v2, v: 3 }));
  assert.throws(() => hostRecord.parse({ ...v2, name: "Bad\u202eName" }));
});
