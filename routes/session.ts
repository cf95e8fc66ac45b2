import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { TRUSTED_DEVICE_MS } from "../lib/accounts/login_guard.ts";
import { loadSession, SESSION_MAX_MS } from "../lib/accounts/sessions.ts";
import { clientAddressOf } from "../lib/client_address.ts";
import type { AppEnv } from "./env.ts";
import { isWhole } from "./whole.ts";

/** `__Host-` pins the cookie to this origin over https; browsers refuse it over http. */
function cookieName(c: Context<AppEnv>): string {
  return secure(c) ? "__Host-prep_session" : "prep_session";
}

function secure(c: Context<AppEnv>): boolean {
  return c.get("services").config.BASE_URL.startsWith("https:");
}

/**
 * Resolves the session cookie to `c.get("user")` (or null). Paths under `skip`
 * (immutable assets, photos) never need a user, so they cost no KV reads.
 */
export function sessions(skip: string[] = []): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("user", null);
    c.set("sessionHash", null);
    if (skip.some((p) => c.req.path.startsWith(p))) return await next();
    const secret = getCookie(c, cookieName(c));
    if (secret) {
      const found = await loadSession(
        c.get("services").kv,
        secret,
        c.get("services").clock(),
      );
      if (found) {
        c.set("user", found.user);
        c.set("sessionHash", found.hash);
      } else {
        deleteCookie(c, cookieName(c), { path: "/", secure: secure(c) });
      }
    }
    await next();
    applyCacheRules(c);
  };
}

/** What a response made for one person tells every cache (DESIGN §8). */
export const PRIVATE_CACHE_CONTROL = "private, no-store";

/** Areas that are about one person even before anyone signs in (they redirect). */
const PRIVATE_AREAS = [
  "/account",
  "/admin",
  "/dev/",
  "/bookings",
  "/host",
  "/saved",
];

/**
 * A response made for a signed-in user (or from a private area) must never
 * be stored by a browser's back-forward cache, a proxy or a CDN; any other
 * page may differ by cookie only through what the session resolves to, so
 * shared caches are told to key on it (DESIGN §8).
 */
function applyCacheRules(c: Context<AppEnv>): void {
  if (isWhole(c.res)) return;
  const h = c.res.headers;
  const path = c.req.path;
  if (
    c.get("user") || h.has("Set-Cookie") ||
    PRIVATE_AREAS.some((p) =>
      path === p.replace(/\/$/, "") || path.startsWith(p)
    )
  ) {
    h.set("Cache-Control", PRIVATE_CACHE_CONTROL);
    return;
  }
  if (!h.get("Cache-Control")?.includes("immutable")) {
    h.append("Vary", "Cookie");
  }
}

export function setSessionCookie(c: Context<AppEnv>, secret: string): void {
  setCookie(c, cookieName(c), secret, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: secure(c),
    maxAge: SESSION_MAX_MS / 1000,
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, cookieName(c), { path: "/", secure: secure(c) });
}

export function sessionSecret(c: Context<AppEnv>): string | undefined {
  return getCookie(c, cookieName(c));
}

function deviceCookieName(c: Context<AppEnv>): string {
  return secure(c) ? "__Host-prep_device" : "prep_device";
}

/** Marks this browser as one that has logged in to the account (login_guard.ts). */
export function setDeviceCookie(c: Context<AppEnv>, secret: string): void {
  setCookie(c, deviceCookieName(c), secret, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: secure(c),
    maxAge: TRUSTED_DEVICE_MS / 1000,
  });
}

export function deviceSecret(c: Context<AppEnv>): string | undefined {
  return getCookie(c, deviceCookieName(c));
}

/**
 * The client's address: the peer Deno.serve reports (requests made in tests
 * have none), or behind a trusted reverse proxy the one it forwarded.
 */
export function clientAddress(c: Context<AppEnv>): string {
  const env = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return clientAddressOf(
    env?.remoteAddr?.hostname,
    c.req.header("x-forwarded-for"),
    c.get("services").config.TRUSTED_PROXIES,
  );
}
