/**
 * Demo conversations of the demo renter (renter@prep.test), so /messages
 * has something to show on a fresh start: a question asked from a kitchen
 * page before booking, with its host's answer (contact details in it stay
 * masked: there is no booking), and a conversation with the demo host
 * (host@prep.test) on one of the renter's upcoming bookings.
 *
 * Written through the messages domain's own functions (the same atomics,
 * counters and inbox entries as the app's), at moments shortly before now.
 * Both sides have read everything, so no email about an unread message
 * goes out for them. Idempotent: a marker is written last, and the pair's
 * thread is reused if one exists.
 */
import { getUser } from "../../lib/accounts/repo.ts";
import type { SessionUser, User } from "../../lib/accounts/schema.ts";
import { listBookingsByRenter } from "../../lib/bookings/repo.ts";
import { keys } from "../../lib/db/keys.ts";
import { getHost } from "../../lib/hosts/repo.ts";
import { listKitchens } from "../../lib/kitchens/repo.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import {
  markThreadRead,
  type MessagesDeps,
  replyInThread,
  startConversation,
} from "../../lib/messages/threads.ts";
import { DEMO_ACCOUNTS } from "./accounts.ts";

export const DEMO_MESSAGES_SEED = "demo-messages-v1";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The kitchen asked about before booking: another host's, which the renter has not booked. */
export const DEMO_QUESTION_KITCHEN = "Bushwick Night Kitchen";

function deps(kv: Deno.Kv, now: number): MessagesDeps {
  return {
    kv,
    now,
    mail: {
      from: "Prep <hello@prep.localhost>",
      baseUrl: "http://localhost:8000",
      wake: false,
    },
  };
}

const session = (u: User): SessionUser => {
  const { passwordHash: _, ...rest } = u;
  return rest;
};

/** The catalogue host of a kitchen as an author: their account, or their public profile. */
async function hostAuthor(
  kv: Deno.Kv,
  hostId: string,
  now: number,
): Promise<SessionUser | null> {
  const user = await getUser(kv, hostId);
  if (user) return session(user);
  const profile = await getHost(kv, hostId);
  if (!profile) return null;
  const at = new Date(now).toISOString();
  return {
    v: 1,
    id: hostId,
    email: `${hostId}@prep.test`,
    name: profile.name,
    roles: ["host"],
    emailVerifiedAt: at,
    phone: null,
    businessName: profile.name,
    demo: true,
    createdAt: at,
    updatedAt: at,
  };
}

export interface DemoMessagesResult {
  threads: number;
  messages: number;
}

/** Seeds the two demo conversations once; null when already seeded or the accounts are missing. */
export async function seedDemoMessages(
  kv: Deno.Kv,
  now = Date.now(),
): Promise<DemoMessagesResult | null> {
  const marker = keys.seed(DEMO_MESSAGES_SEED);
  if ((await kv.get(marker)).versionstamp !== null) return null;
  const account = (email: string) =>
    DEMO_ACCOUNTS.find((a) => a.email === email)!;
  const [renterUser, hostUser] = await Promise.all([
    getUser(kv, account("renter@prep.test").id),
    getUser(kv, account("host@prep.test").id),
  ]);
  if (!renterUser || !hostUser) return null;
  const renter = session(renterUser);
  const host = session(hostUser);
  const result: DemoMessagesResult = { threads: 0, messages: 0 };

  // Before booking: a question from a kitchen page. Every kitchen of the
  // demo host is booked by the demo renter, so the question goes to
  // another host's kitchen; the answer comes from that host.
  let asked: Kitchen | null = null;
  for await (const k of listKitchens(kv, null)) {
    if (k.title === DEMO_QUESTION_KITCHEN && k.status === "published") {
      asked = k;
      break;
    }
  }
  // Catalogue hosts other than the demo host have a profile but no login:
  // the answer is written as their host id, as the app would write it.
  const askedHost = asked ? await hostAuthor(kv, asked.hostId, now) : null;
  if (asked && askedHost) {
    const t0 = now - 26 * HOUR;
    const q = await startConversation(
      deps(kv, t0),
      renter,
      { kitchen: asked.id },
      "Hi! I make tamales for farmers' markets. Does the kitchen have a steam kettle or a large stockpot range? I'd need about 6 hours on a Saturday night.\n\nYou can text me at 555-201-4477 if that's easier.",
    );
    await replyInThread(
      deps(kv, t0 + 95 * MINUTE),
      askedHost,
      q.thread.id,
      "Hi Rosa! Yes: a 40-gallon steam kettle and a six-burner range with a stockpot burner. Saturday nights are usually free from 6 PM. Book through Prep and I'll send the door code the day before. My email is nightkitchen@example.com.",
    );
    await replyInThread(
      deps(kv, t0 + 3 * HOUR),
      renter,
      q.thread.id,
      "Perfect, thank you. I'll pick a Saturday this week.",
    );
    await markThreadRead(deps(kv, now), askedHost, q.thread.id);
    result.threads++;
    result.messages += 3;
  }

  // On a booking: the renter's next confirmed booking with the host.
  const upcoming = (await listBookingsByRenter(kv, renter.id, 200))
    .filter((b) =>
      b.hostId === host.id && b.status === "confirmed" && b.start > now
    )
    .sort((a, b) => a.start - b.start)[0];
  if (upcoming) {
    const t1 = now - 5 * HOUR;
    const m = await startConversation(
      deps(kv, t1),
      host,
      { booking: upcoming.id },
      "Thanks for booking! The loading door is on the side street; ring the bell marked Prep. The walk-in's top shelf is yours for the day.",
    );
    await replyInThread(
      deps(kv, t1 + 40 * MINUTE),
      renter,
      m.thread.id,
      "Great, see you then. Is it OK if my helper arrives 15 minutes early to unload?",
    );
    await replyInThread(
      deps(kv, t1 + 2 * HOUR),
      host,
      m.thread.id,
      "Of course: the side door opens at your start time, but I'll be there early. Call me on 555-318-2290 if you're stuck.",
    );
    await markThreadRead(deps(kv, now), renter, m.thread.id);
    result.threads++;
    result.messages += 3;
  }

  await kv.set(marker, { at: new Date(now).toISOString(), ...result });
  return result;
}
