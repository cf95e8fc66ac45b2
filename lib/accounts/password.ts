/**
 * Password hashing with PBKDF2-SHA256 through Web Crypto (DESIGN §8). The
 * stored form names its algorithm and cost so a later, stronger setting can
 * re-hash on login without a migration.
 */
const ITERATIONS = 600_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function unb64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

async function derive(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  return new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations },
      key,
      HASH_BITS,
    ),
  );
}

/** "pbkdf2-sha256$<iterations>$<salt>$<hash>", base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, ITERATIONS);
  return `pbkdf2-sha256$${ITERATIONS}$${b64(salt)}$${b64(hash)}`;
}

/** Compares in constant time; a malformed stored hash never matches. */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<boolean> {
  const [scheme, iter, salt, hash] = stored.split("$");
  const iterations = Number(iter);
  if (
    scheme !== "pbkdf2-sha256" || !Number.isInteger(iterations) ||
    iterations < 1 || !salt || !hash
  ) {
    return false;
  }
  const expected = unb64(hash);
  const actual = await derive(password, unb64(salt), iterations);
  if (actual.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < actual.length; i++) diff |= actual[i] ^ expected[i];
  return diff === 0;
}

let decoy: Promise<string> | undefined;

/**
 * Spends the same work as a real check, for logins to unknown emails, so the
 * answer's timing does not reveal whether an account exists.
 */
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoy ??= hashPassword("decoy password for unknown accounts");
  await verifyPassword(password, await decoy);
  return false;
}

export const PASSWORD_ITERATIONS = ITERATIONS;
