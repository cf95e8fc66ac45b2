/**
 * A signed `next`: where to take someone once they have logged in, signed
 * up or confirmed their address. Pages that send a visitor to log in sign
 * the path they came from; the login page passes it on to "Create an
 * account", sign-up keeps it with the confirmation link's token, and the
 * link (opened in any tab or browser) leads back to it. Only a path this
 * site signed, within a week, is followed that far: a crafted link cannot
 * make sign-up remember somewhere else. Redirects still go through
 * routes/headers.ts, which refuses anything but a plain same-origin path.
 *
 * The HMAC key is random, made once and kept in KV (`signing_keys`), so
 * every instance shares it and no setting is needed; rotating it (deleting
 * the entry) only makes signed links older than that fall back to the
 * account page.
 *
 * Format: `<path>~<expiry, base 36>.<HMAC-SHA256, base64url>`: the path
 * stays readable, and the last "~" splits it (base 36 and base64url have
 * none).
 */
import { keys } from "../db/keys.ts";

/** How long a signed `next` is followed: past the confirmation link's 24 hours. */
export const NEXT_TTL_MS = 7 * 24 * 3600_000;
const MAX_PATH = 1500;

const keysByKv = new WeakMap<Deno.Kv, Promise<CryptoKey>>();

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-")
    .replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=");
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The shared key, made on first use: of two instances racing, one's is kept. */
async function loadKey(kv: Deno.Kv): Promise<CryptoKey> {
  const key = keys.signingKey("next");
  let stored = (await kv.get<Uint8Array>(key)).value;
  if (!stored) {
    const fresh = crypto.getRandomValues(new Uint8Array(32));
    await kv.atomic().check({ key, versionstamp: null }).set(key, fresh)
      .commit();
    stored = (await kv.get<Uint8Array>(key)).value!;
  }
  return await crypto.subtle.importKey(
    "raw",
    new Uint8Array(stored),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

function signingKey(kv: Deno.Kv): Promise<CryptoKey> {
  let key = keysByKv.get(kv);
  if (!key) {
    key = loadKey(kv);
    // A failed read is not remembered: the next request tries again.
    key.catch(() => keysByKv.delete(kv));
    keysByKv.set(kv, key);
  }
  return key;
}

const message = (path: string, expires: string) =>
  new TextEncoder().encode(`next\n${path}\n${expires}`);

/** Whether `path` may be a `next` at all: a path on this site, of sane length. */
function isSitePath(path: string): boolean {
  return path.startsWith("/") && !path.startsWith("//") &&
    path.length <= MAX_PATH;
}

/** `path` signed for a week from `now`; a path that is not one of ours signs as "/". */
export async function signNext(
  kv: Deno.Kv,
  path: string,
  now: number,
): Promise<string> {
  const safe = isSitePath(path) ? path : "/";
  const expires = (now + NEXT_TTL_MS).toString(36);
  const mac = await crypto.subtle.sign(
    "HMAC",
    await signingKey(kv),
    message(safe, expires),
  );
  return `${safe}~${expires}.${base64url(new Uint8Array(mac))}`;
}

/** The path of a `next` this site signed and that has not lapsed; otherwise null. */
export async function readSignedNext(
  kv: Deno.Kv,
  value: string | null | undefined,
  now: number,
): Promise<string | null> {
  if (!value || value.length > MAX_PATH + 100) return null;
  const cut = value.lastIndexOf("~");
  if (cut < 0) return null;
  const path = value.slice(0, cut);
  const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]+)$/.exec(value.slice(cut + 1));
  if (!m || !isSitePath(path)) return null;
  const mac = fromBase64url(m[2]);
  if (!mac || parseInt(m[1], 36) <= now) return null;
  const ok = await crypto.subtle.verify(
    "HMAC",
    await signingKey(kv),
    mac,
    message(path, m[1]),
  );
  return ok ? path : null;
}

/**
 * Where the login form's `next` leads: a signed path, or a plain one (the
 * account pages send people to log in with their own path, and the
 * redirect builder keeps it on this site). A signature that fails leads
 * nowhere (null), rather than to the path with its tail.
 */
export async function loginNext(
  kv: Deno.Kv,
  value: string | null | undefined,
  now: number,
): Promise<string | null> {
  if (!value) return null;
  if (!value.includes("~")) return value;
  return await readSignedNext(kv, value, now);
}
