/**
 * Run as its own process by tests/integration/telemetry_test.ts with
 * OTEL_DENO=true: one Stripe call through the app's client, and one KV
 * commit (on a store opened as the app opens it) that loses its race. The
 * test's OTLP receiver must see a span for each.
 *
 *   deno run -A tests/otel_probe.ts <apiBase> <secretKey> <accountId>
 */
import { openStore } from "../lib/db/kv.ts";
import { stripeClient } from "../lib/payments/stripe.ts";

const [apiBase, secretKey, accountId] = Deno.args;
const stripe = stripeClient(secretKey, { apiBase });
const account = await stripe.accounts.retrieve(accountId);

const kv = await openStore({ DENO_KV_PATH: ":memory:" });
const read = await kv.get(["probe"]);
await kv.set(["probe"], "meanwhile");
const lost = await kv.atomic().check(read).set(["probe"], "mine").commit();
kv.close();

console.log(account.id === accountId && !lost.ok ? "ok" : "unexpected");
