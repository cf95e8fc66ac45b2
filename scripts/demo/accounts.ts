/**
 * Demo accounts, one per role, created with the demo catalogue (never in
 * production unless SEED_DEMO_DATA says so). The host account owns the first
 * demo host's kitchens.
 */
import { hashPassword } from "../../lib/accounts/password.ts";
import type { Role, User } from "../../lib/accounts/schema.ts";
import { addUserIndex } from "../../lib/accounts/user_index.ts";
import { keys } from "../../lib/db/keys.ts";
import { DEMO_HOSTS } from "./hosts.ts";

export const DEMO_ACCOUNTS_SEED = "demo-accounts-v1";
export const DEMO_PASSWORD = "prep-demo-password";

interface DemoAccount {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  businessName: string | null;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    id: "demo-user-renter",
    email: "renter@prep.test",
    name: "Rosa Renter",
    roles: ["renter"],
    businessName: "Rosa's Tamales",
  },
  {
    id: DEMO_HOSTS[0].id,
    email: "host@prep.test",
    name: "Hank Host",
    roles: ["host"],
    businessName: DEMO_HOSTS[0].name,
  },
  {
    id: "demo-user-admin",
    email: "admin@prep.test",
    name: "Ada Admin",
    roles: ["admin"],
    businessName: null,
  },
  {
    id: "demo-user-support",
    email: "support@prep.test",
    name: "Sam Support",
    roles: ["support"],
    businessName: null,
  },
];

export const DEMO_HOST_ACCOUNTS_SEED = "demo-host-accounts-v1";

/**
 * An account for each other demo host, so staff pages name who owns a
 * demo kitchen and a decision on its permits reaches someone (staff saw
 * "Account not found demo-host-07"). Like the four above they take the demo
 * password, and only where demo accounts may log in at all.
 */
export const DEMO_HOST_ACCOUNTS: readonly DemoAccount[] = DEMO_HOSTS.slice(1)
  .map((h) => ({
    id: h.id,
    email: `${h.id}@prep.test`,
    name: h.name,
    roles: ["host"],
    businessName: h.name,
  }));

/**
 * Creates the demo accounts once, and the other demo hosts' once (a marker
 * each, so a store seeded before the hosts had accounts gets them); true if
 * it created the four.
 */
export async function seedDemoAccounts(
  kv: Deno.Kv,
  now = new Date(),
): Promise<boolean> {
  // One hash serves all: they share the published demo password.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const made = await seedAccounts(
    kv,
    DEMO_ACCOUNTS_SEED,
    DEMO_ACCOUNTS,
    passwordHash,
    now,
  );
  await seedAccounts(
    kv,
    DEMO_HOST_ACCOUNTS_SEED,
    DEMO_HOST_ACCOUNTS,
    passwordHash,
    now,
  );
  return made;
}

/** `accounts` in one atomic guarded by the marker `seed`; true if it made them. */
async function seedAccounts(
  kv: Deno.Kv,
  seed: string,
  accounts: readonly DemoAccount[],
  passwordHash: string,
  now: Date,
): Promise<boolean> {
  const marker = keys.seed(seed);
  if ((await kv.get(marker)).versionstamp !== null) return false;
  const at = now.toISOString();
  const atomic = kv.atomic().check({ key: marker, versionstamp: null });
  for (const a of accounts) {
    const user: User = {
      v: 1,
      ...a,
      passwordHash,
      emailVerifiedAt: at,
      phone: null,
      demo: true,
      createdAt: at,
      updatedAt: at,
    };
    atomic
      .check({ key: keys.user(a.id), versionstamp: null })
      .check({ key: keys.userByEmail(a.email), versionstamp: null })
      .set(keys.user(a.id), user)
      .set(keys.userByEmail(a.email), a.id);
    addUserIndex(atomic, null, user);
  }
  atomic.set(marker, { at });
  return (await atomic.commit()).ok;
}

/** The lines the start-up log and the seed script print. */
export function demoAccountLines(): string[] {
  return [
    `Demo accounts (password "${DEMO_PASSWORD}"):`,
    ...DEMO_ACCOUNTS.map((a) => `  ${a.roles.join("+").padEnd(8)} ${a.email}`),
  ];
}
