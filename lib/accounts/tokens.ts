/** Random secrets (session ids, email tokens) and the hashes they are stored under. */

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(
    /\//g,
    "_",
  ).replace(/=+$/, "");
}

/** 256 random bits, URL-safe. */
export function newSecret(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * Secrets are stored only as their SHA-256, so a leaked database holds no
 * usable session or reset link.
 */
export async function hashSecret(secret: string): Promise<string> {
  const known = recentHashes.get(secret);
  if (known) return known;
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(secret),
  );
  const hash = base64url(new Uint8Array(digest));
  // Every signed-in request hashes its cookie: keep the latest few thousand.
  if (recentHashes.size >= 4096) recentHashes.clear();
  recentHashes.set(secret, hash);
  return hash;
}

/** Secrets this process has hashed lately (they are in its memory anyway). */
const recentHashes = new Map<string, string>();
