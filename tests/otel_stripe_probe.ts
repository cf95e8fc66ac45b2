/**
 * One Stripe call through the app's client, run as its own process by
 * tests/integration/telemetry_test.ts with OTEL_DENO=true: the test's OTLP
 * receiver must see a span named by the call's route, not its ids.
 *
 *   deno run -A tests/otel_stripe_probe.ts <apiBase> <secretKey> <accountId>
 */
import { stripeClient } from "../lib/payments/stripe.ts";

const [apiBase, secretKey, accountId] = Deno.args;
const stripe = stripeClient(secretKey, { apiBase });
const account = await stripe.accounts.retrieve(accountId);
console.log(account.id === accountId ? "ok" : "wrong account");
