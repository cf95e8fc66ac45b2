/**
 * A local, in-memory Stripe for tests: the real SDK talks to it over HTTP
 * (point `stripeClient(key, { apiBase: fake.apiBase })` at it), so request
 * encoding, idempotency keys, errors and object shapes are exercised as in
 * production. It covers what Prep's payment flow uses: Checkout Sessions with
 * destination charges, PaymentIntents (capture, cancel), refunds, Express
 * accounts with account links, events, and disputes; and for charging later,
 * Customers, saved PaymentMethods (Checkout's `setup_future_usage`, attach,
 * list) and off-session PaymentIntents (`off_session: true, confirm: true`)
 * with Stripe's test cards: one that always succeeds, one whose charges are
 * declined (`card_declined`) and one that always asks for authentication
 * (`authentication_required`), answered with Stripe's 402 card errors and
 * `payment_intent.payment_failed` events carrying `last_payment_error`.
 *
 * What a customer or Stripe itself would do (pay, let a session lapse, finish
 * onboarding, dispute) is a helper method, also reachable over HTTP under
 * `/__fake/` and through small hosted pages (`/pay/:id`, `/onboard/:token`)
 * that a browser test can click through.
 *
 * Deliberately strict where real Stripe is: unknown parameters, metadata
 * limits, the 30 min to 24 h window of `expires_at`, a destination that cannot
 * receive transfers, refunding more than was captured. Not modelled: balances,
 * payouts, currencies' minimums other than USD, and fields our flow never
 * reads (objects carry the common ones; the rest are absent, not null).
 *
 * @example
 * await using fake = startStripeFake();
 * const stripe = stripeClient(fake.secretKey, { apiBase: fake.apiBase });
 * const host = fake.createAccount({ ready: true });
 * const session = await stripe.checkout.sessions.create({ ... });
 * fake.completeSession(session.id);
 * const [event] = fake.events({ type: "checkout.session.completed" });
 */
import Stripe from "stripe";

// ---------------------------------------------------------------------------
// Public surface
// ---------------------------------------------------------------------------

export interface StripeFakeOptions {
  /** The fake's clock in epoch ms, so `created` and `expires_at` follow a test's clock. */
  now?: () => number;
  /** Called with each event as it is recorded, e.g. to deliver it to the app. */
  onEvent?: (event: Stripe.Event) => void;
}

/** What Stripe answers while it is down. */
export type OutageStatus = 500 | 502 | 503;

/** One `/v1` request as the fake received it: what a test asserts the app sent. */
export interface FakeRequest {
  method: string;
  path: string;
  /** The form body (POST) or query (GET), parsed as Stripe parses it. */
  params: Params;
  idempotencyKey: string | null;
  /** The `Stripe-Account` header, when the app acted as a connected account. */
  stripeAccount: string | null;
  stripeVersion: string | null;
  status: number;
  /** True when the response was a replay of an earlier one with the same key. */
  replayed: boolean;
}

export interface StripeFakeState {
  readonly sessions: Map<string, Stripe.Checkout.Session>;
  readonly customers: Map<string, Stripe.Customer>;
  /** Cards, saved (with a `customer`) or not; `card.last4` and the test card's behaviour follow its number. */
  readonly paymentMethods: Map<string, Stripe.PaymentMethod>;
  /** Line items by Checkout Session id (Stripe lists them apart from the session). */
  readonly lineItems: Map<string, Stripe.LineItem[]>;
  readonly paymentIntents: Map<string, Stripe.PaymentIntent>;
  readonly charges: Map<string, Stripe.Charge>;
  readonly refunds: Map<string, Stripe.Refund>;
  readonly transfers: Map<string, Stripe.Transfer>;
  readonly applicationFees: Map<string, Stripe.ApplicationFee>;
  readonly accounts: Map<string, Stripe.Account>;
  readonly accountLinks: Map<string, FakeAccountLink>;
  readonly disputes: Map<string, Stripe.Dispute>;
  /** Every event, oldest first (the `/v1/events` API lists newest first). */
  readonly events: Stripe.Event[];
  /** Every `/v1` request, oldest first. */
  readonly requests: FakeRequest[];
}

export interface FakeAccountLink {
  account: string;
  type: string;
  refresh_url: string;
  return_url: string;
  expires_at: number;
  used: boolean;
}

export interface CompleteSessionOptions {
  /** The payer's email; defaults to the session's `customer_email`. */
  email?: string;
  name?: string;
  /**
   * The test card the customer pays with (`TEST_CARDS`); 4242 4242 4242 4242
   * by default. A card that needs authentication is authenticated on the
   * page, as a customer would; one that is declined on-session throws
   * Stripe's `card_declined` and leaves the session open.
   */
  card?: TestCardNumber;
}

/**
 * Stripe's test cards the fake knows, by number, and how each behaves when
 * charged with the customer present (Checkout, `confirm` on-session) and
 * off-session (a saved card charged later). See Stripe's "Testing" docs.
 */
export const TEST_CARDS = {
  /** Succeeds everywhere. */
  "4242424242424242": { brand: "visa", onSession: "ok", offSession: "ok" },
  /** Asks for authentication on-session; off-session it succeeds once it was set up for later. */
  "4000002500003155": {
    brand: "visa",
    onSession: "authenticate",
    offSession: "ok_if_set_up",
  },
  /** Always asks for authentication: off-session charges fail with `authentication_required`. */
  "4000002760003184": {
    brand: "visa",
    onSession: "authenticate",
    offSession: "authentication_required",
  },
  /** Attaches to a customer, but every charge is declined (`card_declined`). */
  "4000000000000341": {
    brand: "visa",
    onSession: "card_declined",
    offSession: "card_declined",
  },
  /** Declined everywhere, attaching included (`card_declined`, `generic_decline`). */
  "4000000000000002": {
    brand: "visa",
    onSession: "card_declined",
    offSession: "card_declined",
  },
  /** Declined for `insufficient_funds`. */
  "4000000000009995": {
    brand: "visa",
    onSession: "insufficient_funds",
    offSession: "insufficient_funds",
  },
} as const;
export type TestCardNumber = keyof typeof TEST_CARDS;

/** Stripe's test PaymentMethod tokens (`pm_card_visa`, …) and the card each stands for. */
export const TEST_PAYMENT_METHODS: Record<string, TestCardNumber> = {
  pm_card_visa: "4242424242424242",
  pm_card_authenticationRequiredSetupForOffSession: "4000002500003155",
  pm_card_authenticationRequired: "4000002760003184",
  pm_card_chargeCustomerFail: "4000000000000341",
  pm_card_visa_chargeDeclined: "4000000000000002",
  pm_card_visa_chargeDeclinedInsufficientFunds: "4000000000009995",
};

export interface CompletedSession {
  session: Stripe.Checkout.Session;
  paymentIntent: Stripe.PaymentIntent;
  charge: Stripe.Charge;
  /** The `checkout.session.completed` event. */
  event: Stripe.Event;
}

/** `true` means fully onboarded; an object sets the flags one by one. */
export type AccountReadiness = boolean | {
  charges_enabled?: boolean;
  payouts_enabled?: boolean;
  details_submitted?: boolean;
};

export interface StripeFake {
  /** `http://127.0.0.1:PORT`, where the hosted pages live. */
  readonly origin: string;
  /** What `stripeClient(key, { apiBase })` takes; the same origin. */
  readonly apiBase: string;
  /** A test-mode key the fake accepts (any `sk_test_…` or `rk_test_…` is). */
  readonly secretKey: string;
  /** The live in-memory objects; read to assert, write to set up odd cases. */
  readonly state: StripeFakeState;
  /** Recorded events, oldest first, optionally one type or only those after `after` (an event id). */
  events(filter?: { type?: string; after?: string }): Stripe.Event[];
  /** The customer pays: a PaymentIntent (succeeded, or requires_capture under manual capture), its charge and events. */
  completeSession(id: string, opts?: CompleteSessionOptions): CompletedSession;
  /**
   * A Customer with a saved card, created directly (no request recorded):
   * what a renter who paid at Checkout with `setup_future_usage` has.
   */
  createCustomer(
    opts?: { email?: string; card?: TestCardNumber | null },
  ): { customer: Stripe.Customer; paymentMethod: Stripe.PaymentMethod | null };
  /**
   * Saves another card on a customer, newest first in lists (no request
   * recorded): the renter replaced their card. `setUp` says whether it was
   * set up for off-session use (Checkout's `setup_future_usage`).
   */
  attachCard(
    customerId: string,
    card: TestCardNumber,
    opts?: { setUp?: boolean },
  ): Stripe.PaymentMethod;
  /** Stripe lets the session lapse: status expired, `checkout.session.expired`. */
  expireSession(
    id: string,
  ): { session: Stripe.Checkout.Session; event: Stripe.Event };
  /** Expires every open session whose `expires_at` has passed on the fake's clock, as Stripe's sweep would. */
  expireDue(): Stripe.Event[];
  /** An Express account, created directly (no request recorded); `ready` onboards it at once. */
  createAccount(
    opts?: { email?: string; country?: string; ready?: boolean },
  ): Stripe.Account;
  /** The host finishes (or loses) onboarding: flags and capabilities change and `account.updated` is recorded. */
  setAccountReady(
    id: string,
    ready?: AccountReadiness,
  ): { account: Stripe.Account; event: Stripe.Event };
  /** The cardholder disputes a charge: `charge.dispute.created`. */
  createDispute(
    chargeId: string,
    opts?: { reason?: string; amount?: number },
  ): { dispute: Stripe.Dispute; event: Stripe.Event };
  /**
   * Stripe is down: while set, every `/v1` request (still recorded) answers
   * `status` with an `api_error`, as Stripe does during an incident, and the
   * SDK retries it as it would in production. `null` ends the outage.
   */
  setOutage(status: OutageStatus | null): void;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A webhook delivery as Stripe would send it: the event pretty-printed as
 * Stripe does (so a handler that re-serialises the body fails verification,
 * as it would in production) and signed with `secret`. `timestamp` (epoch
 * seconds) backdates the signature to test the tolerance window.
 *
 * Async because the SDK's `generateTestHeaderString` signs synchronously,
 * which Web Crypto (Deno's default provider) cannot do; its async twin can.
 */
export function signedWebhook(
  stripe: Stripe,
  event: Stripe.Event,
  secret: string,
  opts: { timestamp?: number } = {},
): Promise<
  { body: string; signature: string; headers: Record<string, string> }
> {
  return signedWebhookBody(
    stripe,
    JSON.stringify(event, null, 2),
    secret,
    opts,
  );
}

/**
 * Any body, signed as Stripe signs a delivery: for payloads no real event
 * has (`{}`, not JSON at all), which only a holder of the secret can send.
 */
export async function signedWebhookBody(
  stripe: Stripe,
  body: string,
  secret: string,
  opts: { timestamp?: number } = {},
): Promise<
  { body: string; signature: string; headers: Record<string, string> }
> {
  const signature = await stripe.webhooks.generateTestHeaderStringAsync({
    payload: body,
    secret,
    timestamp: opts.timestamp,
  });
  return {
    body,
    signature,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "stripe-signature": signature,
    },
  };
}

// ---------------------------------------------------------------------------
// Form bodies
// ---------------------------------------------------------------------------

/** A parsed Stripe form: `a[b][0][c]=x` becomes `{ a: { b: [{ c: "x" }] } }`. */
export type Params = { [key: string]: Param };
export type Param = string | Params | Param[];

/**
 * Parses a body the way Stripe does: bracketed keys nest, `[0]`, `[1]`… and
 * `[]` make arrays, every value stays a string. Metadata keys stay keys even
 * when they look like indices.
 */
export function parseStripeForm(body: string): Params {
  const root: Params = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = keyPath(key);
    if (path.includes("__proto__")) {
      throw invalidParam(key, `Invalid key: ${key}`);
    }
    let node: Params = root;
    path.forEach((segment, i) => {
      const name = segment === "" ? String(Object.keys(node).length) : segment;
      if (i === path.length - 1) {
        node[name] = value;
        return;
      }
      const next = node[name];
      if (next === undefined) node = node[name] = {};
      else if (typeof next === "object" && !Array.isArray(next)) node = next;
      else throw invalidParam(key, `Invalid object: ${key}`);
    });
  }
  return toArrays(root, "") as Params;
}

function keyPath(key: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) return [key];
  return [
    match[1],
    ...[...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]),
  ];
}

function toArrays(value: Param, parentKey: string): Param {
  if (typeof value === "string" || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const indexed = parentKey !== "metadata" && keys.length > 0 &&
    keys.every((k) => /^(0|[1-9]\d*)$/.test(k)) &&
    keys.map(Number).sort((a, b) => a - b).every((n, i) => n === i);
  if (indexed) {
    return keys.map(Number).sort((a, b) => a - b).map((n) =>
      toArrays(value[String(n)], "")
    );
  }
  const out: Params = {};
  for (const k of keys) out[k] = toArrays(value[k], k);
  return out;
}

// ---------------------------------------------------------------------------
// Errors in Stripe's shape
// ---------------------------------------------------------------------------

interface StripeErrorBody {
  type:
    | "invalid_request_error"
    | "api_error"
    | "idempotency_error"
    | "card_error";
  message: string;
  code?: string;
  param?: string;
  doc_url?: string;
  /** Card errors: the issuer's reason. */
  decline_code?: string;
  /** Card errors: the failed charge's id, when a charge was attempted. */
  charge?: string;
  /** Card errors on a PaymentIntent: the PaymentIntent as it stands after the failure. */
  payment_intent?: Stripe.PaymentIntent;
  payment_method?: Stripe.PaymentMethod;
}

/** An error the fake answers with. `saved`: Stripe stores it under the idempotency key (the endpoint ran). */
class FakeStripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly saved = false,
  ) {
    super(body.message);
    this.name = "FakeStripeError";
  }
}

function invalidRequest(
  status: number,
  message: string,
  extra: Partial<StripeErrorBody> = {},
  saved = false,
) {
  const body: StripeErrorBody = {
    type: "invalid_request_error",
    message,
    ...extra,
  };
  if (body.code) {
    body.doc_url = `https://stripe.com/docs/error-codes/${
      body.code.replaceAll("_", "-")
    }`;
  }
  return new FakeStripeError(status, body, saved);
}

function missingParam(param: string) {
  return invalidRequest(400, `Missing required param: ${param}.`, {
    code: "parameter_missing",
    param,
  });
}

function invalidParam(
  param: string,
  message: string,
  code = "parameter_invalid",
) {
  return invalidRequest(400, message, { code, param });
}

function noSuch(kind: string, id: string, param?: string) {
  return invalidRequest(404, `No such ${kind}: '${id}'`, {
    code: "resource_missing",
    param,
  });
}

/** A request that is well-formed but wrong for the object's state: saved under its idempotency key. */
function unexpectedState(message: string, code: string, param?: string) {
  return invalidRequest(400, message, { code, param }, true);
}

// ---------------------------------------------------------------------------
// Reading parameters
// ---------------------------------------------------------------------------

/** Real Stripe parameters the fake refuses rather than silently ignores. */
const NOT_MODELLED = new Set(["price", "product", "discounts"]);

/**
 * One level of a parsed form, with Stripe's checks: keys not in `allowed`
 * (space-separated) are refused, as Stripe refuses unknown parameters.
 */
class Form {
  constructor(
    readonly params: Params,
    readonly prefix: string,
    allowed: string,
  ) {
    const known = new Set(allowed.split(" "));
    if (prefix === "") known.add("expand");
    for (const key of Object.keys(params)) {
      if (NOT_MODELLED.has(key)) {
        throw invalidRequest(
          400,
          `The Stripe fake does not model ${
            this.name(key)
          }; extend tests/stripe_fake.ts to use it.`,
          { code: "parameter_unknown", param: this.name(key) },
        );
      }
      if (!known.has(key)) {
        throw invalidRequest(
          400,
          `Received unknown parameter: ${this.name(key)}`,
          {
            code: "parameter_unknown",
            param: this.name(key),
          },
        );
      }
    }
  }

  name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  str(key: string): string | undefined {
    const v = this.params[key];
    if (v === undefined || v === "") return undefined;
    if (typeof v !== "string") {
      throw invalidParam(this.name(key), `Invalid string: ${this.name(key)}`);
    }
    return v;
  }

  int(key: string, min = 0): number | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) {
      throw invalidParam(
        this.name(key),
        `Invalid integer: ${v}`,
        "parameter_invalid_integer",
      );
    }
    const n = Number(v);
    if (n < min) {
      throw invalidParam(
        this.name(key),
        `This value must be greater than or equal to ${min}.`,
        "parameter_invalid_integer",
      );
    }
    return n;
  }

  bool(key: string): boolean | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    if (v !== "true" && v !== "false") {
      throw invalidParam(this.name(key), `Invalid boolean: ${v}`);
    }
    return v === "true";
  }

  oneOf<const T extends string>(
    key: string,
    values: readonly T[],
  ): T | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) {
      throw invalidParam(
        this.name(key),
        `Invalid ${this.name(key)}: must be one of ${values.join(", ")}`,
      );
    }
    return v as T;
  }

  url(key: string): string | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    // Stripe keeps `{CHECKOUT_SESSION_ID}` literally; URL() would encode the braces.
    const probe = v.replaceAll("{CHECKOUT_SESSION_ID}", "x");
    if (!URL.canParse(probe) || !/^https?:$/.test(new URL(probe).protocol)) {
      throw invalidParam(this.name(key), "Not a valid URL", "url_invalid");
    }
    return v;
  }

  email(key: string): string | undefined {
    const v = this.str(key);
    if (v !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) {
      throw invalidParam(
        this.name(key),
        `Invalid email address: ${v}`,
        "email_invalid",
      );
    }
    return v;
  }

  need<T>(value: T | undefined, key: string): T {
    if (value === undefined) throw missingParam(this.name(key));
    return value;
  }

  form(key: string, allowed: string): Form | undefined {
    const v = this.params[key];
    if (v === undefined || v === "") return undefined;
    if (typeof v !== "object" || Array.isArray(v)) {
      throw invalidParam(this.name(key), `Invalid object: ${this.name(key)}`);
    }
    return new Form(v, this.name(key), allowed);
  }

  forms(key: string, allowed: string): Form[] | undefined {
    const v = this.params[key];
    if (v === undefined || v === "") return undefined;
    if (!Array.isArray(v)) {
      throw invalidParam(this.name(key), `Invalid array: ${this.name(key)}`);
    }
    return v.map((item, i) => {
      const name = `${this.name(key)}[${i}]`;
      if (typeof item !== "object" || Array.isArray(item)) {
        throw invalidParam(name, `Invalid object: ${name}`);
      }
      return new Form(item, name, allowed);
    });
  }

  strs(key: string): string[] | undefined {
    const v = this.params[key];
    if (v === undefined || v === "") return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) {
      throw invalidParam(this.name(key), `Invalid array: ${this.name(key)}`);
    }
    return v as string[];
  }

  /** Stripe's limits: 50 keys, keys up to 40 characters, values up to 500; an empty value unsets. */
  metadata(key = "metadata", base: Stripe.Metadata = {}): Stripe.Metadata {
    const v = this.params[key];
    if (v === undefined || v === "") return { ...base };
    if (typeof v !== "object" || Array.isArray(v)) {
      throw invalidParam(this.name(key), `Invalid object: ${this.name(key)}`);
    }
    const out: Stripe.Metadata = { ...base };
    for (const [k, value] of Object.entries(v)) {
      const name = `${this.name(key)}[${k}]`;
      if (typeof value !== "string") {
        throw invalidParam(name, `Invalid string: ${name}`);
      }
      if (k.length > 40) {
        throw invalidParam(name, "Metadata keys can have up to 40 characters.");
      }
      if (value.length > 500) {
        throw invalidParam(
          name,
          "Metadata values can have up to 500 characters.",
        );
      }
      if (value === "") delete out[k];
      else out[k] = value;
    }
    if (Object.keys(out).length > 50) {
      throw invalidParam(this.name(key), "Metadata can have up to 50 keys.");
    }
    return out;
  }
}

/** Retrieve and action endpoints take nothing but `expand`. */
function noParams(ctx: { params: Params }): void {
  new Form(ctx.params, "", "");
}

// ---------------------------------------------------------------------------
// Ids, clock, objects
// ---------------------------------------------------------------------------

const ALPHABET =
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function newId(prefix: string, length = 24): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return prefix +
    Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

/** Builds a Stripe object from the fields we model; typos in field names still fail type-checking. */
function make<T>(fields: Partial<T>): T {
  return fields as T;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function formatAmount(amount: number, currency: string): string {
  return currency === "usd"
    ? `$${(amount / 100).toFixed(2)}`
    : `${amount} ${currency}`;
}

/** What Checkout Session creation accepts; the presentational ones are accepted and ignored. */
const SESSION_PARAMS = "mode line_items payment_intent_data expires_at " +
  "client_reference_id metadata success_url cancel_url customer_email " +
  "payment_method_types ui_mode locale submit_type allow_promotion_codes " +
  "billing_address_collection phone_number_collection custom_text " +
  "consent_collection customer_creation customer";

const PAYMENT_INTENT_DATA_PARAMS = "application_fee_amount capture_method " +
  "description metadata on_behalf_of receipt_email statement_descriptor " +
  "statement_descriptor_suffix transfer_data transfer_group setup_future_usage";

/** What a session will put on its PaymentIntent once the customer pays. */
interface PendingPayment {
  applicationFeeAmount: number | null;
  captureMethod: Stripe.PaymentIntent.CaptureMethod;
  description: string | null;
  metadata: Stripe.Metadata;
  onBehalfOf: string | null;
  receiptEmail: string | null;
  transferData: { destination: string; amount?: number } | null;
  transferGroup: string | null;
  /** Save the card on the session's customer for later charges. */
  setupFutureUsage: "off_session" | "on_session" | null;
}

interface Ctx {
  /** Epoch seconds. */
  now: number;
  request: { id: string | null; idempotency_key: string | null };
  params: Params;
  stripeAccount: string | null;
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

/** Starts a fake Stripe on a free port of 127.0.0.1. */
export function startStripeFake(options: StripeFakeOptions = {}): StripeFake {
  const clockMs = options.now ?? Date.now;
  const nowSeconds = () => Math.floor(clockMs() / 1000);
  const state: StripeFakeState = {
    sessions: new Map(),
    customers: new Map(),
    paymentMethods: new Map(),
    lineItems: new Map(),
    paymentIntents: new Map(),
    charges: new Map(),
    refunds: new Map(),
    transfers: new Map(),
    applicationFees: new Map(),
    accounts: new Map(),
    accountLinks: new Map(),
    disputes: new Map(),
    events: [],
    requests: [],
  };
  const pending = new Map<string, PendingPayment>();
  let outage: OutageStatus | null = null;
  const saved = new Map<
    string,
    { fingerprint: string; status: number; body: unknown }
  >();

  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (req) => handle(req),
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;

  const helperCtx = (): Ctx => ({
    now: nowSeconds(),
    request: { id: null, idempotency_key: null },
    params: {},
    stripeAccount: null,
  });

  function emit(
    ctx: Ctx,
    type: Stripe.Event.Type,
    object: object,
    extra: { previous?: Record<string, unknown>; account?: string } = {},
  ): Stripe.Event {
    const event = make<Stripe.Event>({
      id: newId("evt_"),
      object: "event",
      api_version: Stripe.API_VERSION,
      created: ctx.now,
      data: {
        object: clone(object),
        ...(extra.previous && { previous_attributes: clone(extra.previous) }),
      },
      livemode: false,
      pending_webhooks: 1,
      request: { ...ctx.request },
      type,
      ...(extra.account && { account: extra.account }),
    } as Partial<Stripe.Event>);
    state.events.push(event);
    options.onEvent?.(clone(event));
    return clone(event);
  }

  function get<T>(
    map: Map<string, T>,
    kind: string,
    id: string,
    param?: string,
  ): T {
    const found = map.get(id);
    if (!found) throw noSuch(kind, id, param);
    return found;
  }

  /** Finds any stored object by id, for `expand`. */
  function lookup(id: string): object | undefined {
    for (
      const map of [
        state.sessions,
        state.paymentIntents,
        state.charges,
        state.refunds,
        state.transfers,
        state.applicationFees,
        state.accounts,
        state.disputes,
        state.customers,
        state.paymentMethods,
      ] as Map<string, object>[]
    ) {
      const found = map.get(id);
      if (found) return found;
    }
    return undefined;
  }

  // -- Checkout Sessions ----------------------------------------------------

  function createSession(ctx: Ctx): Stripe.Checkout.Session {
    const form = new Form(ctx.params, "", SESSION_PARAMS);
    const mode = form.need(
      form.oneOf("mode", ["payment", "setup", "subscription"]),
      "mode",
    );
    if (mode !== "payment") {
      throw invalidParam("mode", "The Stripe fake supports mode=payment only.");
    }
    const uiMode = form.oneOf("ui_mode", ["hosted"]) ?? "hosted";
    const successUrl = form.need(form.url("success_url"), "success_url");
    const cancelUrl = form.url("cancel_url") ?? null;
    const customerEmail = form.email("customer_email") ?? null;
    const customer = form.str("customer") ?? null;
    if (customer) get(state.customers, "customer", customer, "customer");
    const customerCreation = form.oneOf("customer_creation", [
      "always",
      "if_required",
    ]);
    if (customer && customerEmail) {
      throw invalidRequest(
        400,
        "You may only specify one of these parameters: customer, customer_email.",
        { param: "customer_email" },
      );
    }
    if (customer && customerCreation) {
      throw invalidRequest(
        400,
        "You may only specify one of these parameters: customer, customer_creation.",
        { param: "customer_creation" },
      );
    }
    const clientReferenceId = form.str("client_reference_id") ?? null;
    if (clientReferenceId && clientReferenceId.length > 200) {
      throw invalidParam(
        "client_reference_id",
        "client_reference_id can have up to 200 characters.",
      );
    }
    const metadata = form.metadata();
    const created = ctx.now;
    const expiresAt = form.int("expires_at") ?? created + 24 * 3600;
    if (expiresAt < created + 30 * 60) {
      throw invalidParam(
        "expires_at",
        "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
      );
    }
    if (expiresAt > created + 24 * 3600) {
      throw invalidParam(
        "expires_at",
        "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
      );
    }

    const id = newId("cs_test_", 58);
    const items = form.need(
      form.forms("line_items", "price_data quantity"),
      "line_items",
    );
    if (items.length === 0) throw missingParam("line_items");
    const lineItems = items.map((item) => lineItem(item));
    const currency = lineItems[0].currency;
    if (lineItems.some((li) => li.currency !== currency)) {
      throw invalidParam(
        "line_items",
        "Checkout does not support multiple currencies in one session.",
      );
    }
    const total = lineItems.reduce((sum, li) => sum + li.amount_total, 0);
    if (currency === "usd" && total < 50) {
      throw invalidParam(
        "line_items",
        "The Checkout Session's total amount due must add up to at least $0.50 usd",
      );
    }

    const payment = pendingPayment(form, total);
    const session = make<Stripe.Checkout.Session>({
      id,
      object: "checkout.session",
      after_expiration: null,
      allow_promotion_codes: form.bool("allow_promotion_codes") ?? null,
      amount_subtotal: total,
      amount_total: total,
      billing_address_collection: null,
      cancel_url: cancelUrl,
      client_reference_id: clientReferenceId,
      client_secret: null,
      created,
      currency,
      customer,
      customer_creation: customer ? null : customerCreation ?? "if_required",
      customer_details: null,
      customer_email: customerEmail,
      expires_at: expiresAt,
      invoice: null,
      livemode: false,
      locale: null,
      metadata,
      mode,
      payment_intent: null,
      payment_link: null,
      payment_method_collection: "if_required",
      payment_method_types: form.strs("payment_method_types") ?? ["card"],
      payment_status: "unpaid",
      recovered_from: null,
      setup_intent: null,
      status: "open",
      submit_type: null,
      subscription: null,
      success_url: successUrl,
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
      ui_mode: uiMode,
      url: `${origin}/pay/${id}`,
    });
    state.sessions.set(id, session);
    state.lineItems.set(id, lineItems);
    pending.set(id, payment);
    return session;
  }

  function lineItem(item: Form): Stripe.LineItem {
    const quantity = item.need(item.int("quantity", 1), "quantity");
    const priceData = item.need(
      item.form(
        "price_data",
        "currency unit_amount product_data tax_behavior recurring",
      ),
      "price_data",
    );
    if (priceData.params.recurring !== undefined) {
      throw invalidParam(
        priceData.name("recurring"),
        "You specified `payment` mode but passed a recurring price.",
      );
    }
    const currency = priceData.need(priceData.str("currency"), "currency")
      .toLowerCase();
    const unitAmount = priceData.need(
      priceData.int("unit_amount"),
      "unit_amount",
    );
    const product = priceData.need(
      priceData.form(
        "product_data",
        "name description images metadata tax_code",
      ),
      "product_data",
    );
    const name = product.need(product.str("name"), "name");
    const amount = unitAmount * quantity;
    return make<Stripe.LineItem>({
      id: newId("li_"),
      object: "item",
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency,
      description: name,
      price: {
        id: newId("price_"),
        object: "price",
        active: false,
        currency,
        metadata: {},
        product: newId("prod_"),
        type: "one_time",
        unit_amount: unitAmount,
      } as Stripe.Price,
      quantity,
    });
  }

  function pendingPayment(form: Form, total: number): PendingPayment {
    const data = form.form("payment_intent_data", PAYMENT_INTENT_DATA_PARAMS);
    const transfer = data?.form("transfer_data", "destination amount");
    const destination = transfer &&
      transfer.need(transfer.str("destination"), "destination");
    if (destination) {
      const param = transfer.name("destination");
      const account = state.accounts.get(destination);
      if (!account) throw noSuch("destination", destination, param);
      if (account.capabilities?.transfers !== "active") {
        throw invalidRequest(
          400,
          "Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments",
          { code: "insufficient_capabilities_for_transfer", param },
        );
      }
    }
    const fee = data?.int("application_fee_amount") ?? null;
    const onBehalfOf = data?.str("on_behalf_of") ?? null;
    if (fee !== null && !destination && !onBehalfOf) {
      throw invalidParam(
        "payment_intent_data[application_fee_amount]",
        "Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).",
      );
    }
    if (fee !== null && fee > total) {
      throw invalidParam(
        "payment_intent_data[application_fee_amount]",
        `The application fee (${fee}) cannot exceed the amount of the payment (${total}).`,
      );
    }
    const transferAmount = transfer?.int("amount");
    return {
      applicationFeeAmount: fee,
      captureMethod: data?.oneOf("capture_method", [
        "automatic",
        "automatic_async",
        "manual",
      ]) ??
        "automatic_async",
      description: data?.str("description") ?? null,
      metadata: data?.metadata() ?? {},
      onBehalfOf,
      receiptEmail: data?.email("receipt_email") ?? null,
      transferData: destination
        ? {
          destination,
          ...(transferAmount !== undefined && { amount: transferAmount }),
        }
        : null,
      transferGroup: data?.str("transfer_group") ?? null,
      setupFutureUsage: data?.oneOf("setup_future_usage", [
        "off_session",
        "on_session",
      ]) ?? null,
    };
  }

  function expireSessionNow(ctx: Ctx, id: string) {
    const session = get(state.sessions, "checkout.session", id, "session");
    if (session.status !== "open") {
      throw unexpectedState(
        `Only Checkout Sessions with a status in ["open"] can be expired; ${id} is ${session.status}.`,
        "checkout_session_unexpected_state",
      );
    }
    session.status = "expired";
    session.url = null;
    const event = emit(ctx, "checkout.session.expired", session);
    return { session: clone(session), event };
  }

  function completeSession(
    ctx: Ctx,
    id: string,
    opts: CompleteSessionOptions = {},
  ): CompletedSession {
    const session = get(state.sessions, "checkout.session", id);
    if (session.status === "open" && session.expires_at <= ctx.now) {
      throw new Error(
        `stripe fake: ${id} passed its expires_at; call expireDue() or expireSession()`,
      );
    }
    if (session.status !== "open") {
      throw unexpectedState(
        `This Checkout Session is ${session.status}, not open: ${id}`,
        "checkout_session_unexpected_state",
      );
    }
    const payment = pending.get(id)!;
    const amount = session.amount_total!;
    const currency = session.currency!;
    const manual = payment.captureMethod === "manual";
    const email = opts.email ?? session.customer_email ??
      "customer@example.com";
    const name = opts.name ?? "Test Customer";
    const number = opts.card ?? "4242424242424242";
    const behaviour = TEST_CARDS[number].onSession;
    if (behaviour !== "ok" && behaviour !== "authenticate") {
      // Checkout shows the decline and keeps the session open for another card.
      throw cardError(behaviour, null, null);
    }
    // Saving the card needs a customer: Checkout makes one unless given one.
    const saving = payment.setupFutureUsage !== null;
    let customerId = session.customer as string | null;
    if (!customerId && (saving || session.customer_creation === "always")) {
      customerId = newCustomer(ctx, { email, name, metadata: {} }).id;
    }
    const pm = newPaymentMethod(ctx, number, { name, email });
    if (saving && customerId) {
      attach(ctx, pm, customerId);
      setUpForLater.add(pm.id);
    }

    const piId = newId("pi_");
    const intent = newIntent(ctx, piId, {
      amount,
      currency,
      payment,
      customer: customerId,
      paymentMethod: pm.id,
    });
    const charge = newCharge(ctx, intent, payment, pm);
    intent.latest_charge = charge.id;
    intent.amount_capturable = manual ? amount : 0;
    intent.amount_received = manual ? 0 : amount;
    intent.status = manual ? "requires_capture" : "succeeded";
    state.paymentIntents.set(piId, intent);
    state.charges.set(charge.id, charge);
    emit(ctx, "payment_intent.created", {
      ...intent,
      status: "requires_payment_method",
      latest_charge: null,
      amount_capturable: 0,
      amount_received: 0,
    });
    if (!manual) capturePayment(charge, amount, ctx);
    emit(ctx, "charge.succeeded", charge);
    emit(
      ctx,
      manual
        ? "payment_intent.amount_capturable_updated"
        : "payment_intent.succeeded",
      intent,
    );

    session.status = "complete";
    // Under manual capture the money is only authorised: Stripe reports the session unpaid until capture.
    session.payment_status = manual ? "unpaid" : "paid";
    session.payment_intent = piId;
    session.customer = customerId;
    session.url = null;
    session.customer_details = {
      address: null,
      email,
      name,
      phone: null,
      tax_exempt: "none",
      tax_ids: [],
    } as unknown as Stripe.Checkout.Session.CustomerDetails;
    const event = emit(ctx, "checkout.session.completed", session);
    return {
      session: clone(session),
      paymentIntent: clone(intent),
      charge: clone(charge),
      event,
    };
  }

  /** A PaymentIntent before its first attempt: what the payment will be. */
  function newIntent(
    ctx: Ctx,
    piId: string,
    fields: {
      amount: number;
      currency: string;
      payment: PendingPayment;
      customer: string | null;
      paymentMethod: string | null;
    },
  ): Stripe.PaymentIntent {
    const { payment } = fields;
    return make<Stripe.PaymentIntent>({
      id: piId,
      object: "payment_intent",
      amount: fields.amount,
      amount_capturable: 0,
      amount_received: 0,
      application: null,
      application_fee_amount: payment.applicationFeeAmount,
      automatic_payment_methods: null,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: payment.captureMethod,
      client_secret: `${piId}_secret_${newId("", 25)}`,
      confirmation_method: "automatic",
      created: ctx.now,
      currency: fields.currency,
      customer: fields.customer,
      description: payment.description,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: { ...payment.metadata },
      next_action: null,
      on_behalf_of: payment.onBehalfOf,
      payment_method: fields.paymentMethod,
      payment_method_types: ["card"],
      processing: null,
      receipt_email: payment.receiptEmail,
      review: null,
      setup_future_usage: payment.setupFutureUsage,
      shipping: null,
      source: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: fields.paymentMethod
        ? "requires_confirmation"
        : "requires_payment_method",
      transfer_data: payment.transferData as
        | Stripe.PaymentIntent.TransferData
        | null,
      transfer_group: payment.transferGroup ??
        (payment.transferData ? `group_${piId}` : null),
    });
  }

  /** The charge of an attempt on `intent`: authorised, or failed with `failure`. */
  function newCharge(
    ctx: Ctx,
    intent: Stripe.PaymentIntent,
    payment: PendingPayment,
    pm: Stripe.PaymentMethod,
    failure: { code: string; message: string } | null = null,
  ): Stripe.Charge {
    const chargeId = newId("ch_");
    return make<Stripe.Charge>({
      id: chargeId,
      object: "charge",
      amount: intent.amount,
      amount_captured: 0,
      amount_refunded: 0,
      application: null,
      application_fee: null,
      application_fee_amount: payment.applicationFeeAmount,
      balance_transaction: null,
      billing_details: clone(pm.billing_details),
      calculated_statement_descriptor: "PREP",
      captured: false,
      created: ctx.now,
      currency: intent.currency,
      customer: intent.customer,
      description: payment.description,
      disputed: false,
      failure_code: failure?.code ?? null,
      failure_message: failure?.message ?? null,
      livemode: false,
      metadata: { ...payment.metadata },
      on_behalf_of: payment.onBehalfOf,
      outcome: (failure
        ? {
          network_status: "declined_by_network",
          reason: failure.code === "card_declined"
            ? "generic_decline"
            : failure.code,
          risk_level: "normal",
          seller_message: "The bank did not return any further details.",
          type: "issuer_declined",
        }
        : {
          network_status: "approved_by_network",
          reason: null,
          risk_level: "normal",
          seller_message: "Payment complete.",
          type: "authorized",
        }) as Stripe.Charge.Outcome,
      paid: failure === null,
      payment_intent: intent.id,
      payment_method: pm.id,
      payment_method_details: {
        type: "card",
        card: {
          brand: pm.card!.brand,
          country: "US",
          exp_month: pm.card!.exp_month,
          exp_year: pm.card!.exp_year,
          funding: "credit",
          last4: pm.card!.last4,
        },
      } as Stripe.Charge.PaymentMethodDetails,
      receipt_email: payment.receiptEmail,
      receipt_url: `${origin}/receipts/${chargeId}`,
      refunded: false,
      review: null,
      shipping: null,
      source_transfer: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: failure ? "failed" : "succeeded",
      transfer_data: payment.transferData as Stripe.Charge.TransferData | null,
      transfer_group: intent.transfer_group,
    });
  }

  // -- Customers and saved cards -------------------------------------------------

  /** PaymentMethods saved through `setup_future_usage`: they pass off-session as set up. */
  const setUpForLater = new Set<string>();

  function newCustomer(
    ctx: Ctx,
    fields: {
      email: string | null;
      name: string | null;
      metadata: Stripe.Metadata;
      description?: string | null;
    },
  ): Stripe.Customer {
    const id = newId("cus_", 14);
    const customer = make<Stripe.Customer>({
      id,
      object: "customer",
      balance: 0,
      created: ctx.now,
      currency: null,
      default_source: null,
      delinquent: false,
      description: fields.description ?? null,
      email: fields.email,
      invoice_settings: {
        custom_fields: null,
        default_payment_method: null,
        footer: null,
        rendering_options: null,
      },
      livemode: false,
      metadata: fields.metadata,
      name: fields.name,
      phone: null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: "none",
    });
    state.customers.set(id, customer);
    emit(ctx, "customer.created", customer);
    return customer;
  }

  function createCustomerRoute(ctx: Ctx): Stripe.Customer {
    const form = new Form(
      ctx.params,
      "",
      "email name description metadata phone payment_method invoice_settings",
    );
    const customer = newCustomer(ctx, {
      email: form.email("email") ?? null,
      name: form.str("name") ?? null,
      description: form.str("description") ?? null,
      metadata: form.metadata(),
    });
    const pmId = form.str("payment_method");
    if (pmId) {
      attach(ctx, paymentMethodFor(ctx, pmId, "payment_method"), customer.id);
    }
    const settings = form.form("invoice_settings", "default_payment_method");
    const preferred = settings?.str("default_payment_method");
    if (preferred) setDefaultMethod(customer, preferred, settings!);
    return customer;
  }

  /** As Stripe does: the customer goes, and the cards saved on it are detached. */
  function deleteCustomer(ctx: Ctx, id: string): Stripe.DeletedCustomer {
    noParams(ctx);
    const customer = get(state.customers, "customer", id, "customer");
    for (const pm of state.paymentMethods.values()) {
      if (pm.customer === id) pm.customer = null;
    }
    state.customers.delete(id);
    emit(ctx, "customer.deleted", customer);
    return { id, object: "customer", deleted: true };
  }

  function updateCustomer(ctx: Ctx, id: string): Stripe.Customer {
    const form = new Form(
      ctx.params,
      "",
      "email name description metadata phone invoice_settings",
    );
    const customer = get(state.customers, "customer", id, "customer");
    customer.email = form.email("email") ?? customer.email;
    customer.name = form.str("name") ?? customer.name;
    customer.description = form.str("description") ?? customer.description;
    customer.metadata = form.metadata("metadata", customer.metadata);
    const settings = form.form("invoice_settings", "default_payment_method");
    const preferred = settings?.str("default_payment_method");
    if (preferred) setDefaultMethod(customer, preferred, settings!);
    emit(ctx, "customer.updated", customer);
    return customer;
  }

  function setDefaultMethod(
    customer: Stripe.Customer,
    pmId: string,
    form: Form,
  ): void {
    const pm = state.paymentMethods.get(pmId);
    if (!pm || pm.customer !== customer.id) {
      throw invalidParam(
        form.name("default_payment_method"),
        `No such PaymentMethod: '${pmId}'; it must be attached to ${customer.id} first.`,
        "resource_missing",
      );
    }
    customer.invoice_settings.default_payment_method = pmId;
  }

  /** A card PaymentMethod of a test card number, not yet saved on anyone. */
  function newPaymentMethod(
    ctx: Ctx,
    number: TestCardNumber,
    billing: { name?: string | null; email?: string | null } = {},
  ): Stripe.PaymentMethod {
    const id = newId("pm_");
    const pm = make<Stripe.PaymentMethod>({
      id,
      object: "payment_method",
      allow_redisplay: "unspecified",
      billing_details: {
        address: null,
        email: billing.email ?? null,
        name: billing.name ?? null,
        phone: null,
        tax_id: null,
      } as Stripe.PaymentMethod.BillingDetails,
      card: {
        brand: TEST_CARDS[number].brand,
        checks: null,
        country: "US",
        display_brand: TEST_CARDS[number].brand,
        exp_month: 12,
        exp_year: 2034,
        fingerprint: number.slice(-8),
        funding: "credit",
        last4: number.slice(-4),
        networks: null,
        three_d_secure_usage: { supported: true },
        wallet: null,
      } as unknown as Stripe.PaymentMethod.Card,
      created: ctx.now,
      customer: null,
      livemode: false,
      metadata: {},
      type: "card",
    });
    state.paymentMethods.set(id, pm);
    cardNumbers.set(id, number);
    return pm;
  }

  /** Which test card each PaymentMethod is, for how it behaves. */
  const cardNumbers = new Map<string, TestCardNumber>();

  /** An existing PaymentMethod, or a new one from a test token (`pm_card_visa`). */
  function paymentMethodFor(
    ctx: Ctx,
    id: string,
    param: string,
  ): Stripe.PaymentMethod {
    const token = TEST_PAYMENT_METHODS[id];
    if (token) return newPaymentMethod(ctx, token);
    return get(state.paymentMethods, "PaymentMethod", id, param);
  }

  function attach(
    ctx: Ctx,
    pm: Stripe.PaymentMethod,
    customerId: string,
  ): Stripe.PaymentMethod {
    get(state.customers, "customer", customerId, "customer");
    if (pm.customer && pm.customer !== customerId) {
      throw unexpectedState(
        `The payment method you provided has already been attached to a customer.`,
        "payment_method_unexpected_state",
      );
    }
    if (pm.customer === customerId) return pm;
    if (cardNumbers.get(pm.id) === "4000000000000002") {
      // Stripe checks the card with the issuer when it is saved.
      throw cardError("card_declined", null, null);
    }
    pm.customer = customerId;
    emit(ctx, "payment_method.attached", pm);
    return pm;
  }

  function attachRoute(ctx: Ctx, id: string): Stripe.PaymentMethod {
    const form = new Form(ctx.params, "", "customer");
    const customer = form.need(form.str("customer"), "customer");
    return attach(ctx, paymentMethodFor(ctx, id, "payment_method"), customer);
  }

  function detachRoute(ctx: Ctx, id: string): Stripe.PaymentMethod {
    noParams(ctx);
    const pm = get(state.paymentMethods, "PaymentMethod", id, "payment_method");
    if (!pm.customer) {
      throw unexpectedState(
        `The payment method you provided is not attached to a customer so detachment is impossible.`,
        "payment_method_unexpected_state",
      );
    }
    const customer = state.customers.get(pm.customer as string);
    if (customer?.invoice_settings.default_payment_method === pm.id) {
      customer.invoice_settings.default_payment_method = null;
    }
    pm.customer = null;
    emit(ctx, "payment_method.detached", pm, {
      previous: { customer: customer?.id ?? null },
    });
    return pm;
  }

  /** A customer's saved cards, newest first, as `/v1/payment_methods` lists them. */
  function listMethods(ctx: Ctx, customerId?: string) {
    const form = new Form(
      ctx.params,
      "",
      customerId ? "type limit" : "customer type limit",
    );
    const customer = customerId ?? form.need(form.str("customer"), "customer");
    get(state.customers, "customer", customer, "customer");
    const type = form.oneOf("type", ["card"]);
    const limit = Math.min(form.int("limit", 1) ?? 10, 100);
    const found = [...state.paymentMethods.values()]
      .filter((pm) => pm.customer === customer && (!type || pm.type === type))
      .reverse();
    return list(
      found.slice(0, limit),
      found.length > limit,
      customerId
        ? `/v1/customers/${customerId}/payment_methods`
        : "/v1/payment_methods",
    );
  }

  // -- PaymentIntents created by the API (charging a saved card) ---------------

  /** Stripe's card error for a failed attempt. `saved`: the request ran, so its key replays it. */
  function cardError(
    reason: string,
    intent: Stripe.PaymentIntent | null,
    pm: Stripe.PaymentMethod | null,
    charge: string | null = null,
  ): FakeStripeError {
    const auth = reason === "authentication_required";
    const code = auth
      ? "authentication_required"
      : reason === "insufficient_funds"
      ? "card_declined"
      : "card_declined";
    const declineCode = auth
      ? "authentication_required"
      : reason === "insufficient_funds"
      ? "insufficient_funds"
      : "generic_decline";
    const message = auth
      ? "Your card was declined. This transaction requires authentication."
      : reason === "insufficient_funds"
      ? "Your card has insufficient funds."
      : "Your card was declined.";
    return new FakeStripeError(402, {
      type: "card_error",
      message,
      code,
      decline_code: declineCode,
      doc_url: `https://stripe.com/docs/error-codes/${
        code.replaceAll("_", "-")
      }`,
      ...(charge && { charge }),
      ...(intent && { payment_intent: clone(intent) }),
      ...(pm && { payment_method: clone(pm) }),
    }, true);
  }

  function createIntent(ctx: Ctx): Stripe.PaymentIntent {
    const form = new Form(
      ctx.params,
      "",
      "amount currency customer payment_method off_session confirm " +
        "capture_method application_fee_amount transfer_data metadata " +
        "description receipt_email statement_descriptor_suffix " +
        "setup_future_usage payment_method_types transfer_group on_behalf_of " +
        "error_on_requires_action confirmation_method",
    );
    const amount = form.need(form.int("amount", 1), "amount");
    const currency = form.need(form.str("currency"), "currency").toLowerCase();
    if (currency === "usd" && amount < 50) {
      throw invalidParam(
        "amount",
        "Amount must be at least $0.50 usd",
        "amount_too_small",
      );
    }
    const confirm = form.bool("confirm") ?? false;
    const offSessionRaw = form.str("off_session");
    if (
      offSessionRaw !== undefined &&
      !["true", "false", "one_off", "recurring"].includes(offSessionRaw)
    ) {
      throw invalidParam(
        "off_session",
        `Invalid off_session: ${offSessionRaw}`,
      );
    }
    const offSession = offSessionRaw !== undefined && offSessionRaw !== "false";
    if (offSession && !confirm) {
      throw invalidParam(
        "off_session",
        "You can only pass `off_session` when `confirm` is true.",
      );
    }
    const customer = form.str("customer") ?? null;
    if (customer) get(state.customers, "customer", customer, "customer");
    const pmParam = form.str("payment_method");
    const pm = pmParam
      ? paymentMethodFor(ctx, pmParam, "payment_method")
      : undefined;
    if (pm?.customer && pm.customer !== customer) {
      throw invalidParam(
        "payment_method",
        customer
          ? `The provided PaymentMethod ${pm.id} does not belong to the Customer ${customer}.`
          : `The provided PaymentMethod was previously attached to a Customer. To use a PaymentMethod that belongs to a Customer, include the Customer in the customer parameter.`,
      );
    }
    if (confirm && !pm) throw missingParam("payment_method");
    // The same checks and fields as a session's payment_intent_data.
    const asSession = new Form(
      {
        payment_intent_data: Object.fromEntries(
          [
            "application_fee_amount",
            "capture_method",
            "description",
            "metadata",
            "on_behalf_of",
            "receipt_email",
            "statement_descriptor_suffix",
            "transfer_data",
            "transfer_group",
            "setup_future_usage",
          ].flatMap((k) =>
            ctx.params[k] === undefined ? [] : [[k, ctx.params[k]]]
          ),
        ),
      },
      "",
      "payment_intent_data",
    );
    const payment = pendingPayment(asSession, amount);
    if (payment.setupFutureUsage && !customer) {
      throw invalidParam(
        "setup_future_usage",
        "A Customer is required to use setup_future_usage.",
      );
    }
    const piId = newId("pi_");
    const intent = newIntent(ctx, piId, {
      amount,
      currency,
      payment,
      customer,
      paymentMethod: pm?.id ?? null,
    });
    state.paymentIntents.set(piId, intent);
    pending.set(piId, payment);
    emit(ctx, "payment_intent.created", intent);
    if (!confirm) return intent;
    return attempt(ctx, intent, pm!, offSession);
  }

  function confirmRoute(ctx: Ctx, id: string): Stripe.PaymentIntent {
    const form = new Form(ctx.params, "", "payment_method off_session");
    const intent = get(state.paymentIntents, "payment_intent", id, "intent");
    if (
      intent.status !== "requires_confirmation" &&
      intent.status !== "requires_payment_method"
    ) {
      throw unexpectedState(
        `You cannot confirm this PaymentIntent because it has a status of ${intent.status}.`,
        "payment_intent_unexpected_state",
      );
    }
    const pmId = form.str("payment_method") ?? intent.payment_method as
      | string
      | null;
    if (!pmId) throw missingParam("payment_method");
    const pm = paymentMethodFor(ctx, pmId, "payment_method");
    intent.payment_method = pm.id;
    const off = form.str("off_session");
    return attempt(ctx, intent, pm, off !== undefined && off !== "false");
  }

  /** One attempt to charge `pm` for `intent`, as the issuer of that test card answers. */
  function attempt(
    ctx: Ctx,
    intent: Stripe.PaymentIntent,
    pm: Stripe.PaymentMethod,
    offSession: boolean,
  ): Stripe.PaymentIntent {
    const payment = pending.get(intent.id)!;
    const card = TEST_CARDS[cardNumbers.get(pm.id) ?? "4242424242424242"];
    let outcome: string = offSession ? card.offSession : card.onSession;
    if (outcome === "ok_if_set_up") {
      outcome = setUpForLater.has(pm.id) ? "ok" : "authentication_required";
    }
    if (outcome === "authenticate") {
      // The customer is here to authenticate: the app must hand over.
      intent.status = "requires_action";
      intent.next_action = {
        type: "use_stripe_sdk",
        use_stripe_sdk: {},
      } as Stripe.PaymentIntent.NextAction;
      emit(ctx, "payment_intent.requires_action", intent);
      return intent;
    }
    if (outcome !== "ok") {
      const failed = outcome === "authentication_required"
        ? null
        : newCharge(ctx, intent, payment, pm, {
          code: "card_declined",
          message: outcome === "insufficient_funds"
            ? "Your card has insufficient funds."
            : "Your card was declined.",
        });
      if (failed) {
        state.charges.set(failed.id, failed);
        intent.latest_charge = failed.id;
        emit(ctx, "charge.failed", failed);
      }
      const err = cardError(outcome, null, pm, failed?.id ?? null);
      intent.status = "requires_payment_method";
      intent.last_payment_error = {
        type: "card_error",
        code: err.body.code,
        decline_code: err.body.decline_code,
        doc_url: err.body.doc_url,
        message: err.body.message,
        ...(failed && { charge: failed.id }),
        payment_method: clone(pm),
      } as Stripe.PaymentIntent.LastPaymentError;
      emit(ctx, "payment_intent.payment_failed", intent);
      throw cardError(outcome, intent, pm, failed?.id ?? null);
    }
    if (payment.setupFutureUsage && intent.customer) {
      attach(ctx, pm, intent.customer as string);
      if (payment.setupFutureUsage === "off_session") setUpForLater.add(pm.id);
    }
    const charge = newCharge(ctx, intent, payment, pm);
    state.charges.set(charge.id, charge);
    const manual = intent.capture_method === "manual";
    intent.latest_charge = charge.id;
    intent.last_payment_error = null;
    intent.next_action = null;
    intent.amount_capturable = manual ? intent.amount : 0;
    intent.amount_received = manual ? 0 : intent.amount;
    intent.status = manual ? "requires_capture" : "succeeded";
    if (!manual) capturePayment(charge, intent.amount, ctx);
    emit(ctx, "charge.succeeded", charge);
    emit(
      ctx,
      manual
        ? "payment_intent.amount_capturable_updated"
        : "payment_intent.succeeded",
      intent,
    );
    return intent;
  }

  function listIntents(ctx: Ctx) {
    const form = new Form(ctx.params, "", "customer limit");
    const customer = form.str("customer");
    const limit = Math.min(form.int("limit", 1) ?? 10, 100);
    const found = [...state.paymentIntents.values()].reverse().filter((pi) =>
      !customer || pi.customer === customer
    );
    return list(
      found.slice(0, limit),
      found.length > limit,
      "/v1/payment_intents",
    );
  }

  /** Moves the money: charge captured, and for destination charges the transfer and fee. */
  function capturePayment(charge: Stripe.Charge, amount: number, ctx: Ctx) {
    charge.captured = true;
    charge.amount_captured = amount;
    charge.balance_transaction = newId("txn_");
    if (amount < charge.amount) charge.amount_refunded = charge.amount - amount;
    const destination = charge.transfer_data?.destination as string | undefined;
    if (!destination) return;
    const transferId = newId("tr_");
    state.transfers.set(
      transferId,
      make<Stripe.Transfer>({
        id: transferId,
        object: "transfer",
        amount: charge.transfer_data?.amount ?? amount,
        amount_reversed: 0,
        balance_transaction: newId("txn_"),
        created: ctx.now,
        currency: charge.currency,
        description: null,
        destination,
        destination_payment: newId("py_"),
        livemode: false,
        metadata: {},
        reversals: {
          object: "list",
          data: [],
          has_more: false,
          url: `/v1/transfers/${transferId}/reversals`,
        },
        reversed: false,
        source_transaction: charge.id,
        source_type: "card",
        transfer_group: charge.transfer_group,
      }),
    );
    charge.transfer = transferId;
    if (charge.application_fee_amount) {
      const feeId = newId("fee_");
      state.applicationFees.set(
        feeId,
        make<Stripe.ApplicationFee>({
          id: feeId,
          object: "application_fee",
          account: destination,
          amount: charge.application_fee_amount,
          amount_refunded: 0,
          balance_transaction: newId("txn_"),
          charge: charge.id,
          created: ctx.now,
          currency: charge.currency,
          livemode: false,
          originating_transaction: null,
          refunded: false,
          refunds: {
            object: "list",
            data: [],
            has_more: false,
            url: `/v1/application_fees/${feeId}/refunds`,
          },
        }),
      );
      charge.application_fee = feeId;
    }
  }

  // -- PaymentIntents ---------------------------------------------------------

  function capture(ctx: Ctx, id: string): Stripe.PaymentIntent {
    const form = new Form(
      ctx.params,
      "",
      "amount_to_capture application_fee_amount metadata final_capture",
    );
    const intent = get(state.paymentIntents, "payment_intent", id, "intent");
    if (intent.status !== "requires_capture") {
      throw unexpectedState(
        `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        "payment_intent_unexpected_state",
      );
    }
    const amount = form.int("amount_to_capture", 1) ?? intent.amount_capturable;
    if (amount > intent.amount_capturable) {
      throw invalidParam(
        "amount_to_capture",
        `The amount to capture (${amount}) is greater than the amount capturable (${intent.amount_capturable}).`,
        "amount_too_large",
      );
    }
    const fee = form.int("application_fee_amount");
    if (fee !== undefined) {
      if (fee > amount) {
        throw invalidParam(
          "application_fee_amount",
          `The application fee (${fee}) cannot exceed the captured amount (${amount}).`,
        );
      }
      intent.application_fee_amount = fee;
    }
    intent.metadata = form.metadata("metadata", intent.metadata);
    const charge = state.charges.get(intent.latest_charge as string)!;
    charge.application_fee_amount = intent.application_fee_amount;
    capturePayment(charge, amount, ctx);
    intent.status = "succeeded";
    intent.amount_received = amount;
    intent.amount_capturable = 0;
    emit(ctx, "charge.captured", charge, {
      previous: { captured: false, amount_captured: 0 },
    });
    emit(ctx, "payment_intent.succeeded", intent);
    return intent;
  }

  function cancel(ctx: Ctx, id: string): Stripe.PaymentIntent {
    const form = new Form(ctx.params, "", "cancellation_reason");
    const intent = get(state.paymentIntents, "payment_intent", id, "intent");
    const cancellable = [
      "requires_payment_method",
      "requires_capture",
      "requires_confirmation",
      "requires_action",
      "processing",
    ];
    if (!cancellable.includes(intent.status)) {
      throw unexpectedState(
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${
          cancellable.join(", ")
        }.`,
        "payment_intent_unexpected_state",
      );
    }
    const charge = intent.latest_charge
      ? state.charges.get(intent.latest_charge as string)
      : undefined;
    if (charge && !charge.captured) {
      // The authorisation is released: Stripe shows it as refunded in full.
      charge.amount_refunded = charge.amount;
      charge.refunded = true;
    }
    intent.status = "canceled";
    intent.canceled_at = ctx.now;
    intent.cancellation_reason = form.oneOf("cancellation_reason", [
      "duplicate",
      "fraudulent",
      "requested_by_customer",
      "abandoned",
    ]) ?? null;
    intent.amount_capturable = 0;
    emit(ctx, "payment_intent.canceled", intent);
    return intent;
  }

  function updateIntent(ctx: Ctx, id: string): Stripe.PaymentIntent {
    const form = new Form(ctx.params, "", "metadata description receipt_email");
    const intent = get(state.paymentIntents, "payment_intent", id, "intent");
    intent.metadata = form.metadata("metadata", intent.metadata);
    intent.description = form.str("description") ?? intent.description;
    intent.receipt_email = form.email("receipt_email") ?? intent.receipt_email;
    return intent;
  }

  // -- Refunds ------------------------------------------------------------------

  function createRefund(ctx: Ctx): Stripe.Refund {
    const form = new Form(
      ctx.params,
      "",
      "payment_intent charge amount reason reverse_transfer refund_application_fee metadata instructions_email",
    );
    const piId = form.str("payment_intent");
    const chargeParam = form.str("charge");
    if (!piId && !chargeParam) {
      throw invalidRequest(
        400,
        "One of the following params should be provided for this request: payment_intent or charge.",
        { code: "parameter_missing" },
      );
    }
    let charge: Stripe.Charge;
    if (piId) {
      const intent = get(
        state.paymentIntents,
        "payment_intent",
        piId,
        "payment_intent",
      );
      if (!intent.latest_charge) {
        throw unexpectedState(
          `This PaymentIntent (${piId}) does not have a successful charge to refund.`,
          "charge_not_refundable",
          "payment_intent",
        );
      }
      charge = state.charges.get(intent.latest_charge as string)!;
      if (chargeParam && chargeParam !== charge.id) {
        throw invalidParam(
          "charge",
          `The charge ${chargeParam} does not belong to PaymentIntent ${piId}.`,
        );
      }
    } else {
      charge = get(state.charges, "charge", chargeParam!, "charge");
    }
    if (!charge.captured) {
      throw unexpectedState(
        `Charge ${charge.id} has not been captured. Cancel its PaymentIntent to release the authorization instead.`,
        "charge_not_refundable",
      );
    }
    // A partial capture released the rest, which Stripe counts as refunded.
    const released = charge.amount - charge.amount_captured;
    const refundable = charge.amount_captured -
      (charge.amount_refunded - released);
    if (refundable <= 0) {
      throw unexpectedState(
        `Charge ${charge.id} has already been refunded.`,
        "charge_already_refunded",
      );
    }
    const amount = form.int("amount", 1) ?? refundable;
    if (amount > refundable) {
      throw invalidParam(
        "amount",
        `Refund amount (${
          formatAmount(amount, charge.currency)
        }) is greater than unrefunded amount on charge (${
          formatAmount(refundable, charge.currency)
        })`,
        "amount_too_large",
      );
    }
    const reverseTransfer = form.bool("reverse_transfer") ?? false;
    const refundFee = form.bool("refund_application_fee") ?? false;
    if (reverseTransfer && !charge.transfer) {
      throw invalidParam(
        "reverse_transfer",
        "reverse_transfer can only be used with a charge that has a transfer (a destination charge).",
      );
    }
    if (refundFee && !charge.application_fee) {
      throw invalidParam(
        "refund_application_fee",
        "refund_application_fee can only be used with a charge that has an application fee.",
      );
    }

    let transferReversal: string | null = null;
    if (reverseTransfer) {
      const transfer = state.transfers.get(charge.transfer as string)!;
      // Stripe reverses the share of the transfer that the refund is of the charge.
      const share = Math.min(
        transfer.amount - transfer.amount_reversed,
        Math.round(amount * transfer.amount / charge.amount_captured),
      );
      transferReversal = newId("trr_");
      transfer.amount_reversed += share;
      transfer.reversed = transfer.amount_reversed >= transfer.amount;
      transfer.reversals.data.push({
        id: transferReversal,
        object: "transfer_reversal",
        amount: share,
        currency: transfer.currency,
        created: ctx.now,
        transfer: transfer.id,
        metadata: {},
      } as unknown as Stripe.TransferReversal);
    }
    if (refundFee) {
      const fee = state.applicationFees.get(charge.application_fee as string)!;
      const share = Math.min(
        fee.amount - fee.amount_refunded,
        Math.round(amount * fee.amount / charge.amount_captured),
      );
      fee.amount_refunded += share;
      fee.refunded = fee.amount_refunded >= fee.amount;
      fee.refunds.data.push({
        id: newId("fr_"),
        object: "fee_refund",
        amount: share,
        currency: fee.currency,
        created: ctx.now,
        fee: fee.id,
        metadata: {},
      } as unknown as Stripe.FeeRefund);
    }

    const id = newId("re_");
    const refund = make<Stripe.Refund>({
      id,
      object: "refund",
      amount,
      balance_transaction: newId("txn_"),
      charge: charge.id,
      created: ctx.now,
      currency: charge.currency,
      metadata: form.metadata(),
      payment_intent: charge.payment_intent,
      reason: form.oneOf("reason", [
        "duplicate",
        "fraudulent",
        "requested_by_customer",
      ]) ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: "succeeded",
      transfer_reversal: transferReversal,
    });
    state.refunds.set(id, refund);
    const previous = {
      amount_refunded: charge.amount_refunded,
      refunded: charge.refunded,
    };
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    emit(ctx, "refund.created", refund);
    emit(ctx, "charge.refunded", charge, { previous });
    return refund;
  }

  // -- Connect accounts -------------------------------------------------------

  function newAccount(
    ctx: Ctx,
    fields: {
      type: Stripe.Account.Type;
      country: string;
      email: string | null;
      metadata: Stripe.Metadata;
      businessType: string | null;
      capabilities: string[];
    },
  ): Stripe.Account {
    const id = newId("acct_", 16);
    const capabilities: Record<string, string> = {};
    for (const c of fields.capabilities) capabilities[c] = "inactive";
    const account = make<Stripe.Account>({
      id,
      object: "account",
      business_profile: {
        mcc: null,
        name: null,
        support_email: null,
        support_phone: null,
        support_url: null,
        url: null,
      } as unknown as Stripe.Account.BusinessProfile,
      business_type: fields.businessType as Stripe.Account.BusinessType | null,
      capabilities: capabilities as Stripe.Account.Capabilities,
      charges_enabled: false,
      controller: {
        fees: { payer: "application" },
        is_controller: true,
        losses: { payments: "application" },
        requirement_collection: "stripe",
        stripe_dashboard: {
          type: fields.type === "express" ? "express" : "full",
        },
        type: "application",
      } as Stripe.Account.Controller,
      country: fields.country,
      created: ctx.now,
      default_currency: fields.country === "US" ? "usd" : undefined,
      details_submitted: false,
      email: fields.email,
      metadata: fields.metadata,
      payouts_enabled: false,
      requirements: requirementsDue(),
      type: fields.type,
    });
    state.accounts.set(id, account);
    return account;
  }

  function requirementsDue(): Stripe.Account.Requirements {
    const due = [
      "business_type",
      "external_account",
      "tos_acceptance.date",
      "tos_acceptance.ip",
    ];
    return {
      alternatives: [],
      current_deadline: null,
      currently_due: due,
      disabled_reason: "requirements.past_due",
      errors: [],
      eventually_due: due,
      past_due: due,
      pending_verification: [],
    } as unknown as Stripe.Account.Requirements;
  }

  function createAccountRoute(ctx: Ctx): Stripe.Account {
    const form = new Form(
      ctx.params,
      "",
      "type country email capabilities metadata business_type business_profile controller settings tos_acceptance",
    );
    const type = form.oneOf("type", ["express", "standard", "custom"]) ??
      "express";
    const caps = form.form("capabilities", "card_payments transfers");
    const requested = caps
      ? Object.keys(caps.params).filter((c) => {
        const cap = caps.form(c, "requested")!;
        return cap.bool("requested") === true;
      })
      : [];
    if (type === "express" && !requested.includes("transfers")) {
      throw invalidParam(
        "capabilities",
        "Express accounts must request the `transfers` capability (capabilities[transfers][requested]=true).",
      );
    }
    return newAccount(ctx, {
      type,
      country: (form.str("country") ?? "US").toUpperCase(),
      email: form.email("email") ?? null,
      metadata: form.metadata(),
      businessType: form.oneOf("business_type", [
        "individual",
        "company",
        "non_profit",
        "government_entity",
      ]) ?? null,
      capabilities: requested,
    });
  }

  /** Applies onboarding flags; `announce` records `account.updated` (set-up through createAccount does not). */
  function applyReadiness(
    ctx: Ctx,
    id: string,
    ready: AccountReadiness = true,
    announce = true,
  ) {
    const account = get(state.accounts, "account", id);
    const flags = typeof ready === "boolean"
      ? {
        charges_enabled: ready,
        payouts_enabled: ready,
        details_submitted: ready,
      }
      : ready;
    const previous: Record<string, unknown> = {
      capabilities: clone(account.capabilities),
      charges_enabled: account.charges_enabled,
      details_submitted: account.details_submitted,
      payouts_enabled: account.payouts_enabled,
      requirements: clone(account.requirements),
    };
    account.charges_enabled = flags.charges_enabled ?? account.charges_enabled;
    account.payouts_enabled = flags.payouts_enabled ?? account.payouts_enabled;
    account.details_submitted = flags.details_submitted ??
      account.details_submitted;
    const caps = (account.capabilities ?? {}) as Record<string, string>;
    if ("card_payments" in caps) {
      caps.card_payments = account.charges_enabled ? "active" : "inactive";
    }
    if ("transfers" in caps) {
      caps.transfers = account.payouts_enabled || account.charges_enabled
        ? "active"
        : "inactive";
    }
    account.capabilities = caps as Stripe.Account.Capabilities;
    account.requirements = account.charges_enabled && account.payouts_enabled
      ? {
        alternatives: [],
        current_deadline: null,
        currently_due: [],
        disabled_reason: null,
        errors: [],
        eventually_due: [],
        past_due: [],
        pending_verification: [],
      } as unknown as Stripe.Account.Requirements
      : requirementsDue();
    for (const key of Object.keys(previous)) {
      const before = JSON.stringify(previous[key]);
      if (
        before ===
          JSON.stringify((account as unknown as Record<string, unknown>)[key])
      ) delete previous[key];
    }
    const event = announce
      ? emit(ctx, "account.updated", account, { previous, account: id })
      : undefined;
    return { account: clone(account), event };
  }

  function createAccountLink(ctx: Ctx) {
    const form = new Form(
      ctx.params,
      "",
      "account refresh_url return_url type collect collection_options",
    );
    const account = form.need(form.str("account"), "account");
    get(state.accounts, "account", account, "account");
    const type = form.need(
      form.oneOf("type", ["account_onboarding", "account_update"]),
      "type",
    );
    const refreshUrl = form.need(form.url("refresh_url"), "refresh_url");
    const returnUrl = form.need(form.url("return_url"), "return_url");
    const token = newId("", 32);
    const expiresAt = ctx.now + 300;
    state.accountLinks.set(token, {
      account,
      type,
      refresh_url: refreshUrl,
      return_url: returnUrl,
      expires_at: expiresAt,
      used: false,
    });
    return make<Stripe.AccountLink>({
      object: "account_link",
      created: ctx.now,
      expires_at: expiresAt,
      url: `${origin}/onboard/${token}`,
    });
  }

  // -- Disputes -----------------------------------------------------------------

  function dispute(
    ctx: Ctx,
    chargeId: string,
    opts: { reason?: string; amount?: number } = {},
  ) {
    const charge = get(state.charges, "charge", chargeId);
    if (!charge.captured) {
      throw new Error(
        `stripe fake: ${chargeId} was never captured, so it cannot be disputed`,
      );
    }
    const id = newId("dp_");
    const created = make<Stripe.Dispute>({
      id,
      object: "dispute",
      amount: opts.amount ?? charge.amount_captured,
      balance_transactions: [],
      charge: chargeId,
      created: ctx.now,
      currency: charge.currency,
      evidence: {} as Stripe.Dispute.Evidence,
      evidence_details: {
        due_by: ctx.now + 7 * 86400,
        has_evidence: false,
        past_due: false,
        submission_count: 0,
      } as Stripe.Dispute.EvidenceDetails,
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      payment_intent: charge.payment_intent,
      reason: opts.reason ?? "fraudulent",
      status: "needs_response",
    });
    state.disputes.set(id, created);
    charge.disputed = true;
    const event = emit(ctx, "charge.dispute.created", created);
    return { dispute: clone(created), event };
  }

  // -- Events -------------------------------------------------------------------

  function listEvents(ctx: Ctx) {
    const form = new Form(
      ctx.params,
      "",
      "type types limit starting_after",
    );
    const type = form.str("type");
    const types = form.strs("types");
    const limit = Math.min(form.int("limit", 1) ?? 10, 100);
    let events = [...state.events].reverse().filter((e) =>
      (!type || e.type === type) && (!types || types.includes(e.type))
    );
    const after = form.str("starting_after");
    if (after) {
      const i = events.findIndex((e) => e.id === after);
      if (i < 0) throw noSuch("event", after, "starting_after");
      events = events.slice(i + 1);
    }
    return list(events.slice(0, limit), events.length > limit, "/v1/events");
  }

  function list(data: unknown[], hasMore: boolean, url: string) {
    return { object: "list", data, has_more: hasMore, url };
  }

  function listSessions(ctx: Ctx) {
    const form = new Form(
      ctx.params,
      "",
      "payment_intent status limit",
    );
    const pi = form.str("payment_intent");
    const status = form.str("status");
    const limit = Math.min(form.int("limit", 1) ?? 10, 100);
    const found = [...state.sessions.values()].reverse().filter((s) =>
      (!pi || s.payment_intent === pi) && (!status || s.status === status)
    );
    return list(
      found.slice(0, limit),
      found.length > limit,
      "/v1/checkout/sessions",
    );
  }

  function lineItemsList(sessionId: string) {
    return list(
      state.lineItems.get(sessionId) ?? [],
      false,
      `/v1/checkout/sessions/${sessionId}/line_items`,
    );
  }

  // -- Routing ------------------------------------------------------------------

  type Handler = (ctx: Ctx, id: string) => unknown;
  const retrieve =
    <T>(map: Map<string, T>, kind: string, param: string): Handler =>
    (ctx, id) => {
      noParams(ctx);
      return get(map, kind, id, param);
    };
  const api: [string, RegExp, Handler][] = [
    ["POST", /^\/v1\/checkout\/sessions$/, (ctx) => createSession(ctx)],
    ["GET", /^\/v1\/checkout\/sessions$/, (ctx) => listSessions(ctx)],
    [
      "GET",
      /^\/v1\/checkout\/sessions\/([^/]+)$/,
      retrieve(state.sessions, "checkout.session", "session"),
    ],
    ["GET", /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/, (_ctx, id) => {
      get(state.sessions, "checkout.session", id, "session");
      return lineItemsList(id);
    }],
    ["POST", /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/, (ctx, id) => {
      noParams(ctx);
      return expireSessionNow(ctx, id).session;
    }],
    [
      "GET",
      /^\/v1\/payment_intents\/([^/]+)$/,
      retrieve(state.paymentIntents, "payment_intent", "intent"),
    ],
    ["POST", /^\/v1\/payment_intents$/, (ctx) => createIntent(ctx)],
    ["GET", /^\/v1\/payment_intents$/, (ctx) => listIntents(ctx)],
    ["POST", /^\/v1\/payment_intents\/([^/]+)\/confirm$/, confirmRoute],
    ["POST", /^\/v1\/customers$/, (ctx) => createCustomerRoute(ctx)],
    [
      "GET",
      /^\/v1\/customers\/([^/]+)$/,
      retrieve(state.customers, "customer", "customer"),
    ],
    ["POST", /^\/v1\/customers\/([^/]+)$/, updateCustomer],
    ["DELETE", /^\/v1\/customers\/([^/]+)$/, deleteCustomer],
    [
      "GET",
      /^\/v1\/customers\/([^/]+)\/payment_methods$/,
      (ctx, id) => listMethods(ctx, id),
    ],
    ["GET", /^\/v1\/payment_methods$/, (ctx) => listMethods(ctx)],
    [
      "GET",
      /^\/v1\/payment_methods\/([^/]+)$/,
      retrieve(state.paymentMethods, "PaymentMethod", "payment_method"),
    ],
    ["POST", /^\/v1\/payment_methods\/([^/]+)\/attach$/, attachRoute],
    ["POST", /^\/v1\/payment_methods\/([^/]+)\/detach$/, detachRoute],
    ["POST", /^\/v1\/payment_intents\/([^/]+)$/, updateIntent],
    ["POST", /^\/v1\/payment_intents\/([^/]+)\/capture$/, capture],
    ["POST", /^\/v1\/payment_intents\/([^/]+)\/cancel$/, cancel],
    [
      "GET",
      /^\/v1\/charges\/([^/]+)$/,
      retrieve(state.charges, "charge", "charge"),
    ],
    ["POST", /^\/v1\/refunds$/, (ctx) => createRefund(ctx)],
    [
      "GET",
      /^\/v1\/refunds\/([^/]+)$/,
      retrieve(state.refunds, "refund", "refund"),
    ],
    [
      "GET",
      /^\/v1\/transfers\/([^/]+)$/,
      retrieve(state.transfers, "transfer", "id"),
    ],
    [
      "GET",
      /^\/v1\/application_fees\/([^/]+)$/,
      retrieve(state.applicationFees, "application fee", "id"),
    ],
    ["POST", /^\/v1\/accounts$/, (ctx) => createAccountRoute(ctx)],
    [
      "GET",
      /^\/v1\/accounts\/([^/]+)$/,
      retrieve(state.accounts, "account", "account"),
    ],
    ["POST", /^\/v1\/account_links$/, (ctx) => createAccountLink(ctx)],
    [
      "GET",
      /^\/v1\/disputes\/([^/]+)$/,
      retrieve(state.disputes, "dispute", "dispute"),
    ],
    ["GET", /^\/v1\/events$/, (ctx) => listEvents(ctx)],
    ["GET", /^\/v1\/events\/([^/]+)$/, (ctx, id) => {
      noParams(ctx);
      const event = state.events.find((e) => e.id === id);
      if (!event) throw noSuch("event", id, "id");
      return event;
    }],
  ];

  function expand(value: unknown, path: string[]): unknown {
    if (!value || typeof value !== "object") return value;
    const node = value as Record<string, unknown>;
    const [head, ...rest] = path;
    if (node.object === "list" && head === "data" && Array.isArray(node.data)) {
      node.data = node.data.map((item) => expand(item, rest));
      return node;
    }
    let child = node[head];
    if (head === "line_items" && node.object === "checkout.session") {
      child = clone(lineItemsList(node.id as string));
    } else if (typeof child === "string") {
      const found = lookup(child);
      if (found) child = clone(found);
    }
    node[head] = rest.length ? expand(child, rest) : child;
    return node;
  }

  function stripeError(err: FakeStripeError, headers: Headers): Response {
    headers.set("stripe-should-retry", "false");
    return Response.json({ error: err.body }, { status: err.status, headers });
  }

  async function handleApi(req: Request, url: URL): Promise<Response> {
    const requestId = newId("req_", 14);
    const headers = new Headers({
      "request-id": requestId,
      "stripe-version": req.headers.get("stripe-version") ?? Stripe.API_VERSION,
    });
    const idempotencyKey = req.method === "POST"
      ? req.headers.get("idempotency-key")
      : null;
    if (idempotencyKey) headers.set("idempotency-key", idempotencyKey);
    const record: FakeRequest = {
      method: req.method,
      path: url.pathname,
      params: {},
      idempotencyKey,
      stripeAccount: req.headers.get("stripe-account"),
      stripeVersion: req.headers.get("stripe-version"),
      status: 0,
      replayed: false,
    };
    state.requests.push(record);
    const respond = (res: Response) => {
      record.status = res.status;
      return res;
    };
    if (outage !== null) {
      return respond(Response.json({
        error: {
          type: "api_error",
          message:
            "An unknown error occurred while processing your request (Stripe fake outage).",
        },
      }, { status: outage, headers }));
    }

    const auth = req.headers.get("authorization") ?? "";
    const key = /^Bearer (.+)$/.exec(auth)?.[1];
    if (!key) {
      return respond(stripeError(
        invalidRequest(
          401,
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        ),
        headers,
      ));
    }
    if (!/^(sk|rk)_test_\w+$/.test(key)) {
      return respond(stripeError(
        invalidRequest(
          401,
          `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`,
          { code: "api_key_invalid" },
        ),
        headers,
      ));
    }

    let params: Params;
    try {
      params = parseStripeForm(
        req.method === "POST" ? await req.text() : url.search.slice(1),
      );
    } catch (err) {
      if (err instanceof FakeStripeError) {
        return respond(stripeError(err, headers));
      }
      throw err;
    }
    record.params = params;

    const savedKey = idempotencyKey && `${key} ${idempotencyKey}`;
    const fingerprint = JSON.stringify([req.method, url.pathname, params]);
    const previous = savedKey ? saved.get(savedKey) : undefined;
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        return respond(stripeError(
          new FakeStripeError(400, {
            type: "idempotency_error",
            message:
              `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          }),
          headers,
        ));
      }
      record.replayed = true;
      headers.set("idempotent-replayed", "true");
      if (previous.status >= 400) headers.set("stripe-should-retry", "false");
      return respond(
        Response.json(previous.body, { status: previous.status, headers }),
      );
    }

    const route = api.find(([method, pattern]) =>
      method === req.method && pattern.test(url.pathname)
    );
    if (!route) {
      return respond(stripeError(
        invalidRequest(
          404,
          `Unrecognized request URL (${req.method}: ${url.pathname}). The Stripe fake does not implement it.`,
        ),
        headers,
      ));
    }
    const id = decodeURIComponent(route[1].exec(url.pathname)![1] ?? "");
    const ctx: Ctx = {
      now: nowSeconds(),
      request: { id: requestId, idempotency_key: idempotencyKey },
      params,
      stripeAccount: record.stripeAccount,
    };
    let body: unknown;
    try {
      const expandPaths =
        new Form(params, "", Object.keys(params).join(" ")).strs("expand") ??
          [];
      const { expand: _drop, ...rest } = params;
      ctx.params = rest;
      body = clone(route[2](ctx, id));
      for (const path of expandPaths) body = expand(body, path.split("."));
    } catch (err) {
      if (!(err instanceof FakeStripeError)) throw err;
      if (savedKey && err.saved) {
        saved.set(savedKey, {
          fingerprint,
          status: err.status,
          body: { error: err.body },
        });
      }
      return respond(stripeError(err, headers));
    }
    if (savedKey) saved.set(savedKey, { fingerprint, status: 200, body });
    return respond(Response.json(body, { headers }));
  }

  // -- Helpers over HTTP and hosted pages ---------------------------------------

  const helpers = {
    completeSession: (id: string, opts?: CompleteSessionOptions) =>
      completeSession(helperCtx(), id, opts),
    expireSession: (id: string) => expireSessionNow(helperCtx(), id),
    setAccountReady: (id: string, ready?: AccountReadiness) => {
      const { account, event } = applyReadiness(helperCtx(), id, ready);
      return { account, event: event! };
    },
    createDispute: (
      chargeId: string,
      opts?: { reason?: string; amount?: number },
    ) => dispute(helperCtx(), chargeId, opts),
  };

  async function handleHelper(req: Request, url: URL): Promise<Response> {
    const body =
      req.method === "POST" && req.headers.get("content-type")?.includes("json")
        ? await req.json()
        : {};
    const p = url.pathname;
    let m: RegExpExecArray | null;
    if (req.method === "GET" && p === "/__fake/events") {
      return Response.json(
        fake.events({
          type: url.searchParams.get("type") ?? undefined,
          after: url.searchParams.get("after") ?? undefined,
        }),
      );
    }
    if (req.method === "GET" && (m = /^\/__fake\/events\/([^/]+)$/.exec(p))) {
      const event = state.events.find((e) => e.id === m![1]);
      if (!event) throw noSuch("event", m[1]);
      return Response.json(event);
    }
    if (req.method !== "POST") {
      throw invalidRequest(404, `No fake helper at ${req.method} ${p}`);
    }
    if ((m = /^\/__fake\/checkout\/sessions\/([^/]+)\/complete$/.exec(p))) {
      return Response.json(helpers.completeSession(m[1], body));
    }
    if ((m = /^\/__fake\/checkout\/sessions\/([^/]+)\/expire$/.exec(p))) {
      return Response.json(helpers.expireSession(m[1]));
    }
    if ((m = /^\/__fake\/accounts\/([^/]+)\/ready$/.exec(p))) {
      return Response.json(helpers.setAccountReady(m[1], body.ready ?? true));
    }
    if ((m = /^\/__fake\/charges\/([^/]+)\/dispute$/.exec(p))) {
      return Response.json(helpers.createDispute(m[1], body));
    }
    throw invalidRequest(404, `No fake helper at ${req.method} ${p}`);
  }

  function page(title: string, body: string, status = 200): Response {
    return new Response(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${
        esc(title)
      }</title></head><body><p><strong>Stripe fake</strong>: not a real payment page.</p>${body}</body></html>`,
      { status, headers: { "content-type": "text/html; charset=utf-8" } },
    );
  }

  async function handlePage(
    req: Request,
    url: URL,
  ): Promise<Response | undefined> {
    let m = /^\/pay\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const session = state.sessions.get(m[1]);
      if (!session) {
        return page("Not found", "<h1>No such Checkout Session</h1>", 404);
      }
      if (session.status !== "open") {
        return page(
          "Unavailable",
          "<h1>This Checkout Session is no longer available.</h1>",
          410,
        );
      }
      if (req.method === "POST") {
        const form = await req.formData();
        const email = form.get("email");
        const card = String(form.get("card") ?? "4242424242424242");
        try {
          helpers.completeSession(session.id, {
            ...(typeof email === "string" && email ? { email } : {}),
            ...(card in TEST_CARDS ? { card: card as TestCardNumber } : {}),
          });
        } catch (err) {
          if (!(err instanceof FakeStripeError)) throw err;
          return page(
            "Declined",
            `<h1>${esc(err.body.message)}</h1><p><a href="/pay/${
              esc(session.id)
            }">Try another card</a></p>`,
            402,
          );
        }
        return Response.redirect(
          session.success_url!.replaceAll("{CHECKOUT_SESSION_ID}", session.id),
          303,
        );
      }
      const items = (state.lineItems.get(session.id) ?? []).map((li) =>
        `<li>${esc(li.description ?? "")} × ${li.quantity}: ${
          esc(formatAmount(li.amount_total, li.currency))
        }</li>`
      ).join("");
      return page(
        "Pay",
        `<h1>Pay ${
          esc(formatAmount(session.amount_total!, session.currency!))
        }</h1><ul>${items}</ul>` +
          `<form method="post"><label>Email <input name="email" type="email" value="${
            esc(session.customer_email ?? "")
          }"></label> <label>Test card <select name="card">${
            Object.keys(TEST_CARDS).map((n) =>
              `<option value="${n}">${
                n.replace(/(\d{4})(?=\d)/g, "$1 ")
              }</option>`
            ).join("")
          }</select></label> <button type="submit">Pay</button></form>` +
          (session.cancel_url
            ? `<p><a href="${esc(session.cancel_url)}">Cancel</a></p>`
            : ""),
      );
    }
    m = /^\/onboard\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const link = state.accountLinks.get(m[1]);
      if (!link) return page("Not found", "<h1>No such account link</h1>", 404);
      if (req.method === "POST") {
        helpers.setAccountReady(link.account, true);
        return Response.redirect(link.return_url, 303);
      }
      // Account links work once and for five minutes; after that Stripe sends the user to refresh_url.
      if (link.used || link.expires_at <= nowSeconds()) {
        return Response.redirect(link.refresh_url, 303);
      }
      link.used = true;
      return page(
        "Onboarding",
        `<h1>Set up payouts for ${
          esc(link.account)
        }</h1><form method="post"><button type="submit">Finish onboarding</button></form>`,
      );
    }
    return undefined;
  }

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    try {
      if (url.pathname.startsWith("/v1/")) return await handleApi(req, url);
      if (url.pathname.startsWith("/__fake/")) {
        return await handleHelper(req, url);
      }
      const res = await handlePage(req, url);
      if (res) return res;
      return stripeError(
        invalidRequest(
          404,
          `Unrecognized request URL (${req.method}: ${url.pathname}).`,
        ),
        new Headers(),
      );
    } catch (err) {
      if (err instanceof FakeStripeError) {
        return stripeError(err, new Headers());
      }
      // A bug in the fake: say so loudly, and stop the SDK from retrying it.
      console.error("stripe fake:", err);
      return stripeError(
        new FakeStripeError(500, {
          type: "api_error",
          message: `Stripe fake failed: ${
            err instanceof Error ? err.message : String(err)
          }`,
        }),
        new Headers(),
      );
    }
  }

  const fake: StripeFake = {
    origin,
    apiBase: origin,
    secretKey: newId("sk_test_fake", 24),
    state,
    events(filter = {}) {
      let events = state.events;
      if (filter.after) {
        const i = events.findIndex((e) => e.id === filter.after);
        if (i < 0) throw new Error(`stripe fake: no event ${filter.after}`);
        events = events.slice(i + 1);
      }
      return events.filter((e) => !filter.type || e.type === filter.type).map(
        clone,
      );
    },
    completeSession: helpers.completeSession,
    createCustomer(opts = {}) {
      const ctx = helperCtx();
      const customer = newCustomer(ctx, {
        email: opts.email ?? null,
        name: null,
        metadata: {},
      });
      const card = opts.card === undefined ? "4242424242424242" : opts.card;
      const pm = card
        ? attach(ctx, newPaymentMethod(ctx, card), customer.id)
        : null;
      if (pm) setUpForLater.add(pm.id);
      return {
        customer: clone(customer),
        paymentMethod: pm ? clone(pm) : null,
      };
    },
    attachCard(customerId, card, opts = {}) {
      const ctx = helperCtx();
      const pm = attach(ctx, newPaymentMethod(ctx, card), customerId);
      if (opts.setUp ?? true) setUpForLater.add(pm.id);
      return clone(pm);
    },
    expireSession: helpers.expireSession,
    expireDue() {
      const ctx = helperCtx();
      return [...state.sessions.values()]
        .filter((s) => s.status === "open" && s.expires_at <= ctx.now)
        .map((s) => expireSessionNow(ctx, s.id).event);
    },
    createAccount(opts = {}) {
      const ctx = helperCtx();
      const account = newAccount(ctx, {
        type: "express",
        country: opts.country ?? "US",
        email: opts.email ?? null,
        metadata: {},
        businessType: null,
        capabilities: ["card_payments", "transfers"],
      });
      if (opts.ready) {
        return applyReadiness(ctx, account.id, true, false).account;
      }
      return clone(account);
    },
    setAccountReady: helpers.setAccountReady,
    createDispute: helpers.createDispute,
    setOutage(status) {
      outage = status;
    },
    close: () => server.shutdown(),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  return fake;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
