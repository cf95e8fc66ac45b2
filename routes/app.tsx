import { Hono } from "hono";
import { ErrorPage, errorTitle } from "../components/ErrorPage.tsx";
import { AppError, UnavailableError } from "../lib/errors.ts";
import { logError } from "../lib/log.ts";
import { bodyLimits } from "./limits.ts";
import { stripeWebhook, WEBHOOK_BODY_LIMIT } from "./api/stripe_webhook.ts";
import { PHOTO_UPLOAD_BODY_LIMIT, PHOTO_UPLOAD_PATH } from "./host/photos.tsx";
import {
  compliance,
  WALLET_BODY_LIMIT,
  WALLET_PATH,
  WALLET_READ_PATH,
} from "./compliance.tsx";
import {
  PERMITS_BODY_LIMIT,
  PERMITS_PATH,
  PERMITS_READ_PATH,
} from "./host/permits.tsx";
import { notifications, unreadBadge } from "./notifications.tsx";

const WEBHOOK_PATH = "/api/stripe/webhook";
import { account } from "./account.tsx";
import { admin } from "./admin/index.tsx";
import { api } from "./api/index.ts";
import { auth } from "./auth.tsx";
import { bookings } from "./bookings/index.tsx";
import { host } from "./host/index.tsx";
import { csrf } from "./csrf.ts";
import { devMailbox } from "./dev_mailbox.tsx";
import { clientAddress, sessions } from "./session.ts";
import { withRequestFacts } from "../lib/audit/request.ts";
import { assets } from "./assets.ts";
import { calendars } from "./calendars.ts";
import { cities } from "./cities.tsx";
import { certifiers } from "./certifiers.tsx";
import { type AppDeps, type AppEnv, page } from "./context.tsx";
import { home } from "./home.tsx";
import { kitchens } from "./kitchens.tsx";
import { photos } from "./photos.ts";
import { search } from "./search.tsx";
import { securityHeaders } from "./security.ts";
import { pageCache } from "./page_cache.ts";

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { config, kv, clock } = deps.services;
  const stripeBase = config.STRIPE_API_BASE;
  app.use(securityHeaders(
    config.BASE_URL.startsWith("https:"),
    stripeBase ? [new URL(stripeBase).origin] : [],
  ));
  app.use(async (c, next) => {
    c.set("services", deps.services);
    c.set("manifest", deps.manifest);
    await next();
  });
  app.use(pageCache({
    kv,
    maxBytes: Math.floor(config.PAGE_CACHE_MB * 1024 * 1024),
    now: clock,
    debug: config.APP_ENV !== "production",
  }));
  app.use((c, next) =>
    withRequestFacts({ clientAddress: clientAddress(c) }, next)
  );
  app.use(csrf([WEBHOOK_PATH]));
  app.use(sessions(["/assets/", "/static/", "/photos/"]));
  app.use(unreadBadge);
  app.use(bodyLimits({
    [WEBHOOK_PATH]: WEBHOOK_BODY_LIMIT,
    [PHOTO_UPLOAD_PATH]: PHOTO_UPLOAD_BODY_LIMIT,
    [WALLET_PATH]: WALLET_BODY_LIMIT,
    [WALLET_READ_PATH]: WALLET_BODY_LIMIT,
    [PERMITS_PATH]: PERMITS_BODY_LIMIT,
    [PERMITS_READ_PATH]: PERMITS_BODY_LIMIT,
  }));

  app.route("/", home);
  app.route("/search", search);
  app.route("/kitchens", kitchens);
  app.route("/cities", cities);
  app.route("/certifiers", certifiers);
  app.route("/calendars", calendars);
  app.route("/photos", photos);
  app.route("/", assets);
  app.route(WEBHOOK_PATH, stripeWebhook);
  app.route("/api", api);
  app.route("/", auth);
  app.route("/", compliance);
  app.route("/", notifications);
  app.route("/account", account);
  app.route("/bookings", bookings);
  app.route("/host", host);
  app.route("/admin", admin);
  app.route("/dev/mailbox", devMailbox);

  app.notFound((c) => {
    if (c.req.path.startsWith("/api/")) {
      return c.json({ error: "Not found" }, 404);
    }
    return page(
      c,
      { title: errorTitle(404) },
      <ErrorPage
        status={404}
        message="The page may have moved, or the link is mistyped."
      />,
      404,
    );
  });

  app.onError((err, c) => {
    const known = err instanceof AppError;
    if (!known) logError(`${c.req.method} ${c.req.path} failed:`, err);
    const status = known ? err.status : 500;
    const message = known ? err.message : "Please try again in a moment.";
    if (err instanceof UnavailableError) {
      // A whole number of our own making: never user input.
      c.header("Retry-After", String(Math.ceil(err.retryAfterSeconds)));
    }
    if (c.req.path.startsWith("/api/")) {
      const issues = err instanceof AppError && "issues" in err
        ? err.issues
        : undefined;
      return c.json({ error: message, issues }, status);
    }
    return page(
      c,
      { title: errorTitle(status) },
      <ErrorPage status={status} message={message} />,
      status,
    );
  });
  return app;
}
