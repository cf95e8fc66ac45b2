import { Hono } from "hono";
import { ErrorPage, errorTitle } from "../components/ErrorPage.tsx";
import { AppError, UnavailableError } from "../lib/errors.ts";
import { logError } from "../lib/log.ts";
import { withRequestFacts } from "../lib/audit/request.ts";
import { account } from "./account/index.tsx";
import { unreadBadge } from "./account/notifications.tsx";
import { admin } from "./admin/index.tsx";
import { api } from "./api/index.ts";
import { WEBHOOK_PATH } from "./api/stripe.ts";
import { assets, staticFiles } from "./assets.ts";
import { bookings } from "./bookings/index.tsx";
import { calendars } from "./calendars.ts";
import { certifiers } from "./certifiers.tsx";
import { cities } from "./cities.tsx";
import { compression } from "./compression.ts";
import { contact } from "./contact.tsx";
import { type AppDeps, type AppEnv, page, sharedViewer } from "./context.tsx";
import { csrf } from "./csrf.ts";
import { devMailbox } from "./dev/mailbox.tsx";
import { documents } from "./documents.ts";
import { forgotPassword } from "./forgot_password.tsx";
import { health } from "./health.ts";
import { help } from "./help.tsx";
import { home } from "./home.tsx";
import { host } from "./host/index.tsx";
import { kitchens } from "./kitchens.tsx";
import { defaultBodyLimit } from "./limits.ts";
import { login } from "./login.tsx";
import { logout } from "./logout.ts";
import { messages, messagesBadge } from "./messages/index.tsx";
import { files as messageFiles } from "./messages/files.ts";
import { live } from "./messages/live.ts";
import { createPageCache } from "./page_cache.ts";
import { photos } from "./photos.ts";
import { privacy } from "./privacy.tsx";
import { saved } from "./saved.tsx";
import { passwordReset } from "./reset_password.tsx";
import { reviews } from "./reviews.tsx";
import { search } from "./search.tsx";
import { securityMiddleware, securityPolicy } from "./security.ts";
import { tileSource } from "../lib/place/tiles.ts";
import { clientAddress, sessions } from "./session.ts";
import { signup } from "./signup.tsx";
import { requestTelemetry } from "./telemetry.ts";
import { KeptMatchRouter } from "./router.ts";
import { terms } from "./terms.tsx";
import { verifyEmail } from "./verify_email.tsx";

/**
 * The app: the middleware every request passes, then one sub-app per URL
 * area, each in the file its URL names (routes/host/kitchens/photos.tsx
 * serves /host/kitchens/:id/…photos).
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ router: new KeptMatchRouter() });
  const { config, kv, clock } = deps.services;
  const stripeBase = config.STRIPE_API_BASE;
  const tiles = tileSource(config.MAP_TILE_URL);
  const security = securityPolicy(
    config.BASE_URL.startsWith("https:"),
    stripeBase ? [new URL(stripeBase).origin] : [],
    tiles ? [tiles] : [],
  );
  app.use(securityMiddleware(security));
  // Spans named by route pattern and latency by route; absent without OTEL.
  const telemetry = requestTelemetry();
  if (telemetry) app.use(telemetry);
  // Everything not already encoded (the page cache and /assets pick their own
  // copies): signed-in and staff pages, JSON, feeds, SVG. Never a server-sent stream.
  app.use(compression());
  // A hit answers here, before the rest of the chain: it needs only the nonce
  // and headers above (compress leaves its encoded copy alone). It never
  // serves a request with a session cookie, and /healthz is never a key.
  // Hits on URLs already keyed are answered before Hono (the end of this function).
  const cache = createPageCache({
    kv,
    maxBytes: Math.floor(config.PAGE_CACHE_MB * 1024 * 1024),
    now: clock,
    debug: config.APP_ENV !== "production",
    security,
    viewer: sharedViewer,
    // At call time: the front door (below) included.
    visit: async (req) => await app.fetch(req),
  });
  app.use(cache.middleware);
  app.use(async (c, next) => {
    c.set("services", deps.services);
    c.set("manifest", deps.manifest);
    await next();
  });
  // Probes answer before sessions and CSRF: cheap, never cached.
  app.route("/", health);
  app.use((c, next) =>
    withRequestFacts({ clientAddress: clientAddress(c) }, next)
  );
  app.use(csrf([WEBHOOK_PATH]));
  app.use(sessions(["/assets/", "/static/", "/photos/"]));
  app.use(unreadBadge);
  app.use(messagesBadge);
  // A signed-in user's copy of a shared page: the visitors' with their own header and hearts.
  app.use(cache.shared);
  // Routes that need more (uploads, the webhook) carry their own.
  app.use(defaultBodyLimit);

  app.route("/", home);
  app.route("/search", search);
  app.route("/kitchens", kitchens);
  app.route("/cities", cities);
  app.route("/certifiers", certifiers);
  app.route("/help", help);
  app.route("/terms", terms);
  app.route("/privacy", privacy);
  app.route("/contact", contact);
  app.route("/calendars", calendars);
  app.route("/photos", photos);
  app.route("/documents", documents);
  app.route("/assets", assets);
  app.route("/static", staticFiles);
  app.route("/api", api);
  app.route("/signup", signup);
  app.route("/login", login);
  app.route("/logout", logout);
  app.route("/verify-email", verifyEmail);
  app.route("/forgot-password", forgotPassword);
  app.route("/reset-password", passwordReset);
  app.route("/account", account);
  app.route("/bookings", bookings);
  app.route("/host", host);
  app.route("/admin", admin);
  app.route("/reviews", reviews);
  app.route("/dev/mailbox", devMailbox);
  app.route("/saved", saved);
  // Before the message pages: its routes answer scripts (401, not a login redirect).
  app.route("/messages", live);
  app.route("/messages", messages);
  app.route("/messages", messageFiles);

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
  // The front door: a page-cache hit costs a fifth of what the same hit
  // through Hono's context and middleware did (issue 21 §8). With telemetry
  // on, hits stay in the chain so that each still gets its span and latency.
  if (!telemetry) {
    const chain = app.fetch;
    app.fetch = (req, env, ctx) => cache.front(req) ?? chain(req, env, ctx);
  }
  return app;
}
