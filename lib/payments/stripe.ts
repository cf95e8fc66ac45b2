/**
 * The Stripe SDK, set up once for Deno: one client per secret key and API
 * origin, and webhook verification with Web Crypto. See DESIGN §7.
 */
import Stripe from "stripe";
import { AppError } from "../errors.ts";
import { traceStripeCall, tracing } from "../telemetry.ts";

/**
 * The SDK's own default API version, written out rather than left implicit:
 * the SDK types it as a literal, so bumping to an SDK with a new default fails
 * type-checking here and the upgrade (event and object shapes change between
 * versions) becomes a reviewed change instead of a silent one.
 */
export const STRIPE_API_VERSION: Stripe.LatestApiVersion = "2025-10-29.clover";

export interface StripeClientOptions {
  /**
   * Where the API lives, as an origin (`http://127.0.0.1:4242`); tests point
   * the real SDK at a local server. Defaults to Stripe's API.
   */
  apiBase?: string;
}

const clients = new Map<string, Stripe>();

/**
 * The client for `secretKey`, created on first use and reused after: the SDK
 * keeps telemetry and connection state per instance, and a key per client
 * (never a module-wide key, the old platform's BUG-003) means two accounts can
 * never share one by accident. Per-request settings (`idempotencyKey`,
 * `stripeAccount`) go in each call's options.
 *
 * @example
 * const stripe = stripeClient(config.STRIPE_SECRET_KEY);
 * await stripe.checkout.sessions.create(params, {
 *   idempotencyKey: `booking:${booking.id}:checkout`,
 * });
 */
export function stripeClient(
  secretKey: string,
  opts: StripeClientOptions = {},
): Stripe {
  if (!secretKey) throw new Error("stripeClient needs a secret key");
  const endpoint = opts.apiBase === undefined
    ? undefined
    : parseApiBase(opts.apiBase);
  const cacheKey = `${endpoint?.origin ?? ""} ${secretKey}`;
  let client = clients.get(cacheKey);
  if (!client) {
    client = new Stripe(secretKey, {
      apiVersion: STRIPE_API_VERSION,
      // Deno resolves the SDK's worker build, whose default is already fetch;
      // saying so keeps us off node:http should the resolution ever change.
      httpClient: tracedHttpClient(Stripe.createFetchHttpClient()),
      appInfo: { name: "Prep" },
      ...(endpoint && {
        host: endpoint.hostname,
        port: endpoint.port,
        protocol: endpoint.protocol,
      }),
    });
    clients.set(cacheKey, client);
  }
  return client;
}

/**
 * The SDK's HTTP client with a span around every request it makes (each
 * retry is a call of its own); the client itself when tracing is off.
 */
function tracedHttpClient(client: Stripe.HttpClient): Stripe.HttpClient {
  if (!tracing) return client;
  const makeRequest = client.makeRequest.bind(client);
  client.makeRequest = (host, port, path, method, ...rest) =>
    traceStripeCall(
      method,
      path,
      () => makeRequest(host, port, path, method, ...rest),
    );
  return client;
}

/** The SDK takes host, port and protocol apart; tests pass one origin. */
function parseApiBase(apiBase: string) {
  const url = new URL(apiBase);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`Stripe apiBase must be http(s): ${apiBase}`);
  }
  if (url.pathname !== "/" || url.search || url.hash) {
    // The SDK always requests /v1/…, so a path here would be silently dropped.
    throw new Error(`Stripe apiBase must be an origin, no path: ${apiBase}`);
  }
  const protocol = url.protocol === "http:"
    ? "http" as const
    : "https" as const;
  return {
    origin: url.origin,
    hostname: url.hostname,
    port: url.port || (protocol === "http" ? "80" : "443"),
    protocol,
  };
}

/**
 * Whether a failed Stripe call means Stripe is unreachable or failing on its
 * side (network, timeout, 5xx, `api_error`), so the same request may work in
 * a minute — as opposed to a request Stripe refused, which is our bug.
 */
export function isStripeOutage(err: unknown): boolean {
  if (
    err instanceof Stripe.errors.StripeConnectionError ||
    err instanceof Stripe.errors.StripeAPIError
  ) return true;
  return err instanceof Stripe.errors.StripeError &&
    (err.statusCode ?? 0) >= 500;
}

/** Why a webhook was refused; logged, never shown to the caller. */
export type WebhookSignatureProblem = "missing" | "invalid" | "stale";

/**
 * A webhook whose signature is missing, wrong or too old. A 400 (it maps
 * through `onError` like any AppError): Stripe shows it in the dashboard and
 * retries, and nothing was changed.
 */
export class WebhookSignatureError extends AppError {
  constructor(readonly problem: WebhookSignatureProblem, cause?: unknown) {
    super(400, "Invalid Stripe signature.");
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * A webhook whose signature matched but whose body is not JSON. Not an
 * AppError: the caller records it before answering (payments/events.ts).
 */
export class WebhookBodyError extends Error {
  constructor(cause: unknown) {
    super("The signed webhook body is not JSON.");
    this.name = "WebhookBodyError";
    this.cause = cause;
  }
}

// Stateless, so one will do. Deno's Web Crypto is async-only: the SDK's
// synchronous constructEvent would throw, hence constructEventAsync.
const subtleCrypto = Stripe.createSubtleCryptoProvider();

/**
 * The event in `rawBody` if `signature` (the `Stripe-Signature` header) was
 * made with `secret` within the last `toleranceSeconds`; else a
 * `WebhookSignatureError`, or a `WebhookBodyError` when the signature matched
 * but the body is not JSON. Pass the body exactly as received: any
 * re-encoding breaks the HMAC. The event is only as well-formed as its
 * sender made it: parse it before use (`parseStripeEvent`).
 */
export async function verifyWebhook(
  stripe: Stripe,
  rawBody: string,
  signature: string | null | undefined,
  secret: string,
  toleranceSeconds = 300,
): Promise<Stripe.Event> {
  // An empty secret would accept HMACs anyone can compute: a setup bug, not a 400.
  if (!secret) throw new Error("verifyWebhook needs the endpoint's secret");
  // The SDK treats a tolerance of 0 as "use the default of 300".
  if (!(toleranceSeconds > 0)) {
    throw new RangeError(`toleranceSeconds must be > 0: ${toleranceSeconds}`);
  }
  if (!signature) throw new WebhookSignatureError("missing");
  const verify = (tolerance: number) =>
    stripe.webhooks.constructEventAsync(
      rawBody,
      signature,
      secret,
      tolerance,
      subtleCrypto,
    );
  try {
    return await verify(toleranceSeconds);
  } catch (err) {
    if (!(err instanceof Stripe.errors.StripeSignatureVerificationError)) {
      // The SDK parses only after the HMAC matched: this body is signed but
      // not JSON, which is a delivery to record, not a forgery to ignore.
      throw new WebhookBodyError(err);
    }
    // The SDK checks the age only after the HMAC matched, and says which in
    // prose alone; a second check without a time limit tells them apart.
    const stale = await verify(Infinity).then(() => true, () => false);
    throw new WebhookSignatureError(stale ? "stale" : "invalid", err);
  }
}

/** The Stripe client the configuration asks for, or null in demo mode. */
export function stripeFromConfig(
  config: { STRIPE_SECRET_KEY?: string; STRIPE_API_BASE?: string },
): Stripe | null {
  return config.STRIPE_SECRET_KEY
    ? stripeClient(config.STRIPE_SECRET_KEY, {
      apiBase: config.STRIPE_API_BASE,
    })
    : null;
}

/** Where payment pages may send a browser: Stripe's, or the local test server's. */
export function paymentOrigins(apiBase?: string): string[] {
  return [
    "https://checkout.stripe.com",
    "https://connect.stripe.com",
    ...(apiBase ? [new URL(apiBase).origin] : []),
  ];
}
