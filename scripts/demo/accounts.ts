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
  const marker = keys.seed(DEMO_ACCOUNTS_SEED);
  let made = false;
  if ((await kv.get(marker)).versionstamp === null) {
    // The four at once (nine checks, within a self-hosted store's ten).
    const atomic = kv.atomic().check({ key: marker, versionstamp: null });
    for (const a of DEMO_ACCOUNTS) addAccount(atomic, a, passwordHash, now);
    atomic.set(marker, { at: now.toISOString() });
    made = (await atomic.commit()).ok;
  }
  await seedHostAccounts(kv, passwordHash, now);
  return made;
}

/**
 * The other hosts' accounts, one atomic each (together they would pass a
 * self-hosted store's ten checks), then their marker. One whose id or email
 * is taken is left out and said.
 */
async function seedHostAccounts(
  kv: Deno.Kv,
  passwordHash: string,
  now: Date,
): Promise<void> {
  const marker = keys.seed(DEMO_HOST_ACCOUNTS_SEED);
  if ((await kv.get(marker)).versionstamp !== null) return;
  for (const a of DEMO_HOST_ACCOUNTS) {
    const atomic = kv.atomic();
    addAccount(atomic, a, passwordHash, now);
    if ((await atomic.commit()).ok) continue;
    // Made by another instance seeding at the same time: nothing to say.
    const there = await kv.get<User>(keys.user(a.id));
    if (there.value?.email !== a.email) {
      console.warn(
        `Demo account ${a.email} left out: its id or email is taken.`,
      );
    }
  }
  await kv.atomic().check({ key: marker, versionstamp: null })
    .set(marker, { at: now.toISOString() }).commit();
}

/** Adds a demo account, its email and its index entries to `atomic`, checked absent. */
function addAccount(
  atomic: Deno.AtomicOperation,
  a: DemoAccount,
  passwordHash: string,
  now: Date,
): void {
  const at = now.toISOString();
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

/** The lines the start-up log and the seed script print. */
export function demoAccountLines(): string[] {
  return [
    `Demo accounts (password "${DEMO_PASSWORD}"):`,
    ...DEMO_ACCOUNTS.map((a) => `  ${a.roles.join("+").padEnd(8)} ${a.email}`),
  ];
}
