import { z } from "zod";
import { parseTrustedRange, type TrustedRange } from "./client_address.ts";
import { isTileTemplate } from "./place/tiles.ts";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) =>
  v === "true" || v === "1"
);

/**
 * Every setting comes from the environment and is parsed here once, at start.
 * Defaults suit a laptop; production must say what it means.
 */
const envSchema = z.object({
  /** Defaults to production on Deno Deploy and to development elsewhere. */
  APP_ENV: z.enum(["development", "production", "test"]).optional(),
  /** Lets development conveniences run on a BASE_URL that is not loopback (a shared demo). */
  ALLOW_DEV_FEATURES: bool.default(false),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOSTNAME: z.string().min(1).default("0.0.0.0"),
  BASE_URL: z.url({ protocol: /^https?$/ }).transform((u) =>
    u.replace(/\/+$/, "")
  ).optional(),
  /** Local SQLite file for Deno KV, or ":memory:". Ignored when DENO_KV_URL is set. */
  DENO_KV_PATH: z.string().min(1).optional(),
  /** KV Connect URL of a self-hosted denokv (needs DENO_KV_ACCESS_TOKEN in the environment). */
  DENO_KV_URL: z.url({ protocol: /^https?$/ }).optional(),
  SEED_DEMO_DATA: bool.optional(),
  /** Wake job workers through KV queues; Deno Deploy has none, so there only the cron sweep runs jobs. */
  KV_QUEUES: bool.optional(),
  /** Sends email through Resend; without it mail goes to the development mailbox. */
  RESEND_API_KEY: z.string().min(1).optional(),
  /** Resend's API origin; tests point it at a local server. */
  RESEND_API_URL: z.url({ protocol: /^https?$/ }).transform((u) =>
    u.replace(/\/+$/, "")
  ).default("https://api.resend.com"),
  EMAIL_FROM: z.string().min(3).default("Prep <hello@prep.localhost>"),
  /**
   * Where contact-form messages are emailed, and the address the Help and
   * Contact pages give. Unset: messages go to ADMIN_EMAILS and the pages
   * offer only the form.
   */
  SUPPORT_EMAIL: z.email().max(254).transform((e) => e.toLowerCase())
    .optional(),
  /** Comma-separated addresses that are admins as soon as they sign up or log in. */
  ADMIN_EMAILS: z.string().default("").transform((v, ctx) => {
    const list = v.split(",").map((e) => e.trim().toLowerCase()).filter(
      Boolean,
    );
    for (const e of list) {
      if (!z.email().safeParse(e).success) {
        ctx.addIssue({ code: "custom", message: `"${e}" is not an email` });
      }
    }
    return list;
  }),
  /** Stripe secret key: real payments through Checkout and Connect. Unset: demo payments (development only). */
  STRIPE_SECRET_KEY: z.string().regex(
    /^(sk|rk)_(test|live)_\w+$/,
    "must be a Stripe secret key (sk_…)",
  ).optional(),
  /** Signing secret of the webhook endpoint (whsec_…); required with STRIPE_SECRET_KEY. */
  STRIPE_WEBHOOK_SECRET: z.string().regex(
    /^whsec_\w+$/,
    "must be a webhook signing secret (whsec_…)",
  ).optional(),
  /** Where the Stripe SDK sends requests; tests point it at a local Stripe-compatible server. */
  STRIPE_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
  /** Platform commission from the host's side, in basis points (1500 = 15%). */
  PLATFORM_FEE_BPS: z.coerce.number().int().min(0).max(5000).default(1500),
  /** Service fee added to the renter's total, in basis points of the hours. */
  RENTER_FEE_BPS: z.coerce.number().int().min(0).max(5000).default(0),
  /** Set by Deno Deploy on every deployment; its presence means "use the platform's KV". */
  DENO_DEPLOYMENT_ID: z.string().optional(),
  /**
   * Test-only: lets calendar import fetch loopback addresses (a feed served
   * by the test suite on 127.0.0.1). Private, link-local and metadata
   * addresses stay refused; refused in production.
   */
  CALENDAR_FETCH_ALLOW_LOOPBACK: bool.default(false),
  /**
   * How long a worker holds a job it claimed before another may run it
   * (lib/jobs/runner.ts): longer than the slowest job, and how long a job
   * claimed by a stopped instance waits before it runs again.
   */
  JOB_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /**
   * Turns on GET and PUT /api/backup (a backup of the whole store, and a
   * restore into an empty one) for requests that carry it as a bearer
   * token: how a deployment without a KV file (Deno Deploy) is backed up.
   * Unset: the endpoint is not there.
   */
  BACKUP_TOKEN: z.string().min(32, "must be at least 32 characters")
    .max(200).regex(/^[\x21-\x7e]+$/, "must be printable ASCII, no spaces")
    .optional(),
  /** Memory for this instance's rendered-page cache, in MB; 0 turns it off (routes/page_cache.ts). */
  PAGE_CACHE_MB: z.coerce.number().min(0).max(65536).default(32),
  /**
   * Live message streams (Server-Sent Events) this instance holds open at
   * most; more are answered 503 and the browser retries later
   * (lib/messages/live.ts). Each costs about what `deno task bench` reports.
   */
  LIVE_STREAMS_MAX: z.coerce.number().int().min(1).max(1_000_000).default(
    2000,
  ),
  /**
   * Comma-separated CIDR ranges or addresses of reverse proxies whose
   * X-Forwarded-For is believed (lib/client_address.ts). Unset: none, and
   * the connection's address is the client's.
   */
  TRUSTED_PROXIES: z.string().default("").transform((v, ctx) => {
    const ranges: TrustedRange[] = [];
    for (const entry of v.split(",").map((e) => e.trim()).filter(Boolean)) {
      const range = parseTrustedRange(entry);
      if (!range) {
        ctx.addIssue({
          code: "custom",
          message:
            `"${entry}" is not an IP address or CIDR range (like 10.0.0.0/8 or fd00::/8)`,
        });
      } else if (range[1] === 0) {
        ctx.addIssue({
          code: "custom",
          message:
            `"${entry}" trusts every address, so any client could choose its own; list your proxies' ranges`,
        });
      } else ranges.push(range);
    }
    return ranges;
  }),
  /**
   * Where maps get their tiles, in Leaflet's syntax ({s}, {z}, {x}, {y},
   * {r}): an http(s) URL or a path on this site. Its origin is allowed in
   * the CSP's img-src.
   */
  MAP_TILE_URL: z.string().max(300).refine(
    isTileTemplate,
    "must be a tile URL with {z}, {x} and {y}, like https://tile.openstreetmap.org/{z}/{x}/{y}.png",
  ).default("https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
  /** Shown on every map, as the tiles' licence asks. */
  MAP_TILE_ATTRIBUTION: z.string().trim().min(1).max(200)
    .refine((v) => !/[<>\p{Cc}]/u.test(v), "must be plain text")
    .default("© OpenStreetMap contributors"),
  /** Where the attribution links to. */
  MAP_TILE_ATTRIBUTION_URL: z.url({ protocol: /^https?$/ }).default(
    "https://www.openstreetmap.org/copyright",
  ),
});

/** What production must set, and why; checked in this order. */
const REQUIRED_IN_PRODUCTION = [
  ["RESEND_API_KEY", " (emails would go nowhere)"],
  ["BASE_URL", ""],
  ["STRIPE_SECRET_KEY", " (demo payments never run in production)"],
] as const;

/**
 * The environment as the app uses it: the variables above with what follows
 * from them (the environment, dev features, the payment mode, KV and queue
 * defaults on Deno Deploy), and the combinations that cannot run refused.
 */
const configSchema = envSchema.transform((e, ctx) => {
  const onDeploy = e.DENO_DEPLOYMENT_ID !== undefined;
  // A deployment that forgets APP_ENV must not open the dev mailbox.
  const appEnv = e.APP_ENV ?? (onDeploy ? "production" : "development");
  const missing = (name: string, why: string) =>
    ctx.addIssue({
      code: "custom",
      path: [name],
      message: why,
      params: { missing: true },
    });
  if (appEnv === "production") {
    for (const [name, why] of REQUIRED_IN_PRODUCTION) {
      if (e[name] === undefined) {
        missing(name, `required when APP_ENV=production${why}`);
      }
    }
  }
  if (e.STRIPE_SECRET_KEY && !e.STRIPE_WEBHOOK_SECRET) {
    missing(
      "STRIPE_WEBHOOK_SECRET",
      "required with STRIPE_SECRET_KEY (payments are confirmed only by signed webhooks)",
    );
  }
  if (appEnv === "production" && e.CALENDAR_FETCH_ALLOW_LOOPBACK) {
    ctx.addIssue({
      code: "custom",
      path: ["CALENDAR_FETCH_ALLOW_LOOPBACK"],
      message:
        "test-only, refused when APP_ENV=production (calendar import would fetch this machine)",
    });
  }
  const baseUrl = e.BASE_URL ?? `http://localhost:${e.PORT}`;
  /**
   * Development conveniences (the dev mailbox, demo accounts, demo
   * payments): never in production, and elsewhere only on a loopback
   * BASE_URL unless ALLOW_DEV_FEATURES says otherwise.
   */
  const devFeatures = appEnv !== "production" &&
    (isLoopbackOrigin(baseUrl) || e.ALLOW_DEV_FEATURES);
  return {
    ...e,
    APP_ENV: appEnv,
    DEV_FEATURES: devFeatures,
    BASE_URL: baseUrl,
    // On Deno Deploy the platform's KV is used unless a path is given explicitly.
    DENO_KV_PATH: e.DENO_KV_PATH ?? (onDeploy ? undefined : "./data/prep.kv"),
    SEED_DEMO_DATA: e.SEED_DEMO_DATA ?? appEnv !== "production",
    KV_QUEUES: e.KV_QUEUES ?? !onDeploy,
    /**
     * How renters pay: through Stripe when a key is set; otherwise a demo
     * checkout where development features run; otherwise bookings are off.
     */
    PAYMENTS: (e.STRIPE_SECRET_KEY ? "stripe" : devFeatures ? "demo" : "off") as
      | "stripe"
      | "demo"
      | "off",
  };
});

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a bad value throws one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = configSchema.safeParse(defined);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue.path[0]);
  const missing = issue.code === "custom" &&
    (issue as { params?: { missing?: boolean } }).params?.missing;
  throw new ConfigError(
    `${
      missing ? "Missing" : "Invalid"
    } environment variable ${name}: ${issue.message}`,
  );
}

/** Whether a URL's host is this machine: localhost, *.localhost, 127.0.0.0/8 or [::1]. */
export function isLoopbackOrigin(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host.endsWith(".localhost") ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "[::1]";
}

/** What the start-up log says about development conveniences, if anything. */
export function devFeaturesNotice(config: Config): string | null {
  if (config.APP_ENV === "production") return null;
  const what = "the dev mailbox, demo accounts and demo payments";
  if (!config.DEV_FEATURES) {
    return `Development features (${what}) are off: BASE_URL ${config.BASE_URL} is not a loopback or localhost origin. Set ALLOW_DEV_FEATURES=true to turn them on for a shared demo.`;
  }
  if (!isLoopbackOrigin(config.BASE_URL)) {
    return `Warning: development features (${what}) are on for ${config.BASE_URL} because ALLOW_DEV_FEATURES=true. Anyone who can reach it can read every email at /dev/mailbox and log in to the demo accounts.`;
  }
  return null;
}
