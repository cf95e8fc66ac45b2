/**
 * People, hosts and kitchens written straight into a KV file before a real
 * server process (tests/fuzz_server.ts) starts on it: accounts with a
 * confirmed email and a live session cookie, without the PBKDF2 work of
 * signing up (half a second a password on a busy machine), hosts whose
 * payouts are ready, kitchens with their permits verified, renters with
 * the documents the base cities ask for.
 */
import type { Role, User } from "../lib/accounts/schema.ts";
import { addNewUser } from "../lib/accounts/repo.ts";
import { addSession } from "../lib/accounts/sessions.ts";
import { keys } from "../lib/db/keys.ts";
import type { Host, PayoutStatus } from "../lib/hosts/schema.ts";
import { readyDemoPayout } from "../lib/hosts/payouts.ts";
import { newId } from "../lib/ids.ts";
import type { Kitchen, KitchenInput } from "../lib/kitchens/schema.ts";
import { giveWallet } from "./compliance_helpers.ts";
import { addKitchens, kitchenFixture } from "./helpers.ts";

export interface Person {
  user: User;
  /** "prep_session=…", as a browser sends it over http. */
  cookie: string;
}

/** An account with a confirmed email, signed in once: the user and the session's cookie. */
export async function addPerson(
  kv: Deno.Kv,
  email: string,
  now: number,
  roles: Role[] = ["renter"],
): Promise<Person> {
  const at = new Date(now).toISOString();
  const user: User = {
    v: 1,
    id: newId(),
    email,
    name: email.split("@")[0].replace(/[^a-z]/gi, " ").trim() || "Test",
    // Never checked: these people arrive signed in.
    passwordHash: "pbkdf2-sha256$1$AA==$AA==",
    roles,
    emailVerifiedAt: at,
    phone: null,
    businessName: null,
    createdAt: at,
    updatedAt: at,
  };
  const created = kv.atomic();
  addNewUser(created, user);
  if (!(await created.commit()).ok) throw new Error(`${email} exists`);
  const atomic = kv.atomic();
  const session = await addSession(atomic, kv, user.id, now);
  if (!(await atomic.commit()).ok) throw new Error("session write failed");
  return { user, cookie: `prep_session=${session.secret}` };
}

/** A renter with the documents the base cities ask for. */
export async function addRenter(
  kv: Deno.Kv,
  email: string,
  now: number,
): Promise<Person> {
  const renter = await addPerson(kv, email, now);
  await giveWallet(kv, renter.user.id, now);
  return renter;
}

/** A host account whose payouts are ready (demo, unless `payout` says otherwise). */
export async function addPayingHost(
  kv: Deno.Kv,
  email: string,
  now: number,
  payout: PayoutStatus = readyDemoPayout(new Date(now).toISOString()),
): Promise<Person> {
  const host = await addPerson(kv, email, now, ["renter", "host"]);
  const profile: Host = {
    v: 2,
    id: host.user.id,
    name: host.user.name,
    about: "",
    createdAt: new Date(now).toISOString(),
    payout,
  };
  await kv.set(keys.host(host.user.id), profile);
  return host;
}

/** Published kitchens of `hostId`, bookable from today, with their permits verified. */
export function addBookableKitchens(
  kv: Deno.Kv,
  hostId: string,
  inputs: Partial<KitchenInput>[],
  now: number,
): Promise<Kitchen[]> {
  return addKitchens(
    kv,
    hostId,
    inputs.map((over) => kitchenFixture(over)),
    "published",
    { now },
  );
}

/** The date `days` after `now` in Chicago (the fixture kitchens' zone), as YYYY-MM-DD. */
export function chicagoDate(now: number, days: number): string {
  return Temporal.Instant.fromEpochMilliseconds(now)
    .toZonedDateTimeISO("America/Chicago")
    .toPlainDate()
    .add({ days })
    .toString();
}
