/**
 * The crash test (issue 21 §7): the real server (main.ts) on a KV file takes
 * 200 holds, their payments (100 on the demo checkout, 100 through the
 * Stripe fake's Checkout with signed webhooks, some delivered twice),
 * cancellations with their refunds and the emails all of it sends, while it
 * is killed with SIGKILL at random moments and started again. Once the jobs
 * have drained, the store must show that nothing was lost or done twice:
 *
 * - every paid booking is confirmed, exactly once, and nothing unpaid is;
 * - no charge and no refund happened twice (the Stripe fake's objects
 *   against each booking's ledger), and every ledger balances;
 * - every email went out at least once and is one message (one idempotency
 *   key) however often it was sent;
 * - no claim on a kitchen's calendar without a live booking or block, and
 *   no live booking without its claims and occupancy.
 *
 * The run's choices (kill moments, which bookings pay twice or cancel,
 * duplicate webhooks) come from one seed, printed at the start and in a
 * failure: `CRASH_SEED=<n> deno test -A tests/integration/crash_test.ts`
 * replays them (the moments a kill lands on still depend on the machine).
 */
import assert from "node:assert/strict";
import type Stripe from "stripe";
import { listAuditFor } from "../../lib/audit/repo.ts";
import {
  type CalendarDay,
  isLiveClaim,
} from "../../lib/bookings/day_claims.ts";
import { ledgerProblem } from "../../lib/bookings/lifecycle.ts";
import type { Booking } from "../../lib/bookings/schema.ts";
import { keys } from "../../lib/db/keys.ts";
import type { JobRecord } from "../../lib/jobs/outbox.ts";
import type { Kitchen } from "../../lib/kitchens/schema.ts";
import type { PaymentEvent } from "../../lib/payments/schema.ts";
import { stripeClient } from "../../lib/payments/stripe.ts";
import { type ServerProcess, startServer } from "../fuzz_server.ts";
import {
  addBookableKitchens,
  addPayingHost,
  addRenter,
  chicagoDate,
  type Person,
} from "../process_world.ts";
import { signedWebhook, startStripeFake } from "../stripe_fake.ts";
import { visibleText } from "../page_text.ts";

const HOLDS_PER_PHASE = 100;
const WORKERS = 12;
const RENTERS_PER_WORKER = 3;
const KITCHENS_PER_PHASE = 4;
/** Kills in each of the two phases: 6 in all. */
const KILLS_PER_PHASE = 3;
/** Short leases, so jobs a killed server had claimed run again within seconds. */
const LEASE_SECONDS = 2;
/** The whole test, setup and checks included, must finish within this. */
const BUDGET_MS = 85_000;
const SECRET = "whsec_crash_test";
const TWO_HOUR_STARTS = ["08:00", "10:00", "12:00", "14:00", "16:00", "18:00"];

const SEED = Number(Deno.env.get("CRASH_SEED") ?? "") ||
  crypto.getRandomValues(new Uint32Array(1))[0];

/** mulberry32: small, seedable, good enough to choose with. */
function rngOf(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    chance: (p: number) => next() < p,
    int: (min: number, max: number) =>
      min + Math.floor(next() * (max - min + 1)),
  };
}
type Rng = ReturnType<typeof rngOf>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resend as far as the app can tell: answers every send, and keeps one
 * message per idempotency key (counting how often each was sent), as
 * Resend does for 24 hours.
 */
function startMailFake() {
  const messages = new Map<
    string,
    { to: string; subject: string; text: string; sends: number }
  >();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const key = req.headers.get("idempotency-key");
      const body = await req.json().catch(() => null);
      if (!key || !body) return Response.json({}, { status: 422 });
      const known = messages.get(key);
      if (known) known.sends++;
      else {
        messages.set(key, {
          to: body.to[0],
          subject: body.subject,
          text: body.text,
          sends: 1,
        });
      }
      return Response.json({ id: `email_${key}` });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    messages,
    close: () => server.shutdown(),
  };
}

/** The server process, killed and started again; requests wait while it is down. */
class Instance {
  #server: ServerProcess | null = null;
  #waiting: (() => void)[] = [];
  kills = 0;
  constructor(readonly kvPath: string, public env: Record<string, string>) {}

  async start(): Promise<void> {
    this.#server = await startServer({
      kvPath: this.kvPath,
      seedDemoData: false,
      env: this.env,
    });
    for (const wake of this.#waiting.splice(0)) wake();
  }

  async kill(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    await server?.kill();
    this.kills++;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    await server?.stop();
  }

  async baseUrl(): Promise<string> {
    while (!this.#server) {
      await new Promise<void>((r) => this.#waiting.push(r));
    }
    return this.#server.baseUrl;
  }

  tail(): string {
    return this.#server?.tail(30).join("\n") ?? "(down)";
  }
}

interface Answer {
  status: number;
  location: string | null;
  text: string;
}

/**
 * One request to whichever server is up; "lost" when the server died under
 * it (or did not answer in time), so the caller cannot know whether it
 * took effect, as a browser cannot.
 */
async function call(
  app: Instance,
  path: string,
  init: RequestInit & { cookie?: string } = {},
): Promise<Answer | "lost"> {
  const base = await app.baseUrl();
  try {
    const res = await fetch(`${base}${path}`, {
      ...init,
      redirect: "manual",
      signal: AbortSignal.timeout(20_000),
      headers: {
        ...(init.cookie ? { Cookie: init.cookie } : {}),
        ...(init.method === "POST" && init.cookie
          ? { "Sec-Fetch-Site": "same-origin", Origin: base }
          : {}),
        ...init.headers,
      },
    });
    return {
      status: res.status,
      location: res.headers.get("location"),
      text: await res.text(),
    };
  } catch {
    return "lost";
  }
}

interface Slot {
  kitchen: Kitchen;
  date: string;
  start: string;
  end: string;
}

interface Story {
  bookingId: string;
  renter: Person;
  phase: "demo" | "stripe";
}

interface World {
  app: Instance;
  kv: Deno.Kv;
  rng: Rng;
  fake: ReturnType<typeof startStripeFake>;
  stories: Story[];
  problems: string[];
  deadline: number;
  /** Requests whose answer a kill swallowed. */
  lost: number;
}

/** Waits (bounded) until the booking is confirmed; false if it was not by then. */
async function confirmed(w: World, id: string, ms: number): Promise<boolean> {
  const until = Math.min(Date.now() + ms, w.deadline);
  while (Date.now() < until) {
    const b = (await w.kv.get<Booking>(keys.booking(id))).value;
    if (b?.status === "confirmed") return true;
    await sleep(100);
  }
  return false;
}

/** Sends a POST until an answer comes back (a retry after a lost one is what a person does). */
async function postUntilAnswered(
  w: World,
  path: string,
  cookie: string,
): Promise<Answer> {
  for (;;) {
    const answer = await call(w.app, path, { method: "POST", cookie });
    if (answer !== "lost") return answer;
    w.lost++;
    if (Date.now() > w.deadline) throw new Error(`${path}: out of time`);
  }
}

/**
 * One renter's go at one slot: hold, pay (the demo checkout, or the Stripe
 * fake's Checkout), wait for the confirmation, and maybe cancel. A hold
 * whose answer was lost is left as it is (a person who gave up); the next
 * slot is a new booking.
 */
async function book(
  w: World,
  phase: Story["phase"],
  renters: Person[],
  slot: Slot,
): Promise<void> {
  let held: Answer | "lost" = "lost";
  let renter = renters[0];
  for (const candidate of renters) {
    renter = candidate;
    held = await call(w.app, "/bookings", {
      method: "POST",
      cookie: renter.cookie,
      body: new URLSearchParams({
        kitchen: slot.kitchen.id,
        date: slot.date,
        start: slot.start,
        end: slot.end,
        acceptRules: "yes",
      }),
    });
    // Holds whose answers were lost count against a renter for 35 minutes.
    if (held === "lost" || !/bookings waiting for payment/.test(held.text)) {
      break;
    }
  }
  if (held === "lost") {
    w.lost++;
    return;
  }
  if (held.status !== 303 || !held.location) {
    // Stripe unreachable mid-kill is told to the renter as a 503; anything else is a bug.
    if (held.status !== 503) {
      w.problems.push(
        `hold ${slot.kitchen.title} ${slot.date} ${slot.start} by ${renter.user.email}: ${held.status} ${
          visibleText(held.text).slice(0, 1500)
        }`,
      );
    }
    return;
  }
  let bookingId: string;
  if (phase === "demo") {
    bookingId = held.location.split("/")[2];
    w.stories.push({ bookingId, renter, phase });
    const pay = () =>
      postUntilAnswered(w, `/bookings/${bookingId}/pay`, renter.cookie);
    // Some renters press Pay twice at once.
    const answers = await Promise.all(
      w.rng.chance(0.15) ? [pay(), pay()] : [pay()],
    );
    for (const a of answers) {
      if (a.status !== 303 && a.status !== 409) {
        w.problems.push(
          `pay ${bookingId}: ${a.status} ${a.text.slice(0, 200)}`,
        );
      }
    }
  } else {
    const sessionId = held.location.split("/pay/")[1];
    const session = w.fake.state.sessions.get(sessionId);
    if (!session?.client_reference_id) {
      w.problems.push(`hold went to ${held.location}`);
      return;
    }
    bookingId = session.client_reference_id;
    w.stories.push({ bookingId, renter, phase });
    // The renter pays on Stripe's page; Stripe tells the app by webhook.
    w.fake.completeSession(sessionId);
  }
  if (!await confirmed(w, bookingId, 20_000)) return;
  if (w.rng.chance(0.35)) {
    const a = await postUntilAnswered(
      w,
      `/bookings/${bookingId}/cancel`,
      renter.cookie,
    );
    if (a.status !== 303 && a.status !== 409) {
      w.problems.push(
        `cancel ${bookingId}: ${a.status} ${a.text.slice(0, 200)}`,
      );
    }
  }
}

/** Stripe's delivery: every event until answered 200, some twice, signed as Stripe signs. */
function webhookPump(w: World, stripe: Stripe, outbox: Stripe.Event[]) {
  let stopping = false;
  const seen = new Set<string>();
  const done = (async () => {
    for (;;) {
      const event = outbox.shift();
      if (!event) {
        if (stopping || Date.now() > w.deadline) return;
        await sleep(20);
        continue;
      }
      const signed = await signedWebhook(stripe, event, SECRET);
      const a = await call(w.app, "/api/stripe/webhook", {
        method: "POST",
        headers: signed.headers,
        body: signed.body,
      });
      if (a === "lost" || a.status >= 500) {
        if (a === "lost") w.lost++;
        outbox.push(event);
        continue;
      }
      if (a.status !== 200) {
        w.problems.push(`webhook ${event.type}: ${a.status} ${a.text}`);
      } else if (!seen.has(event.id) && w.rng.chance(0.2)) {
        seen.add(event.id);
        outbox.push(event);
      }
    }
  })();
  return {
    idle: () => outbox.length === 0,
    stop: async () => {
      stopping = true;
      await done;
    },
  };
}

/** Jobs still to run: due now, claimed, or failed and waiting to retry. */
async function pendingJobs(kv: Deno.Kv, now: number): Promise<string[]> {
  const left: string[] = [];
  for await (const e of kv.list<JobRecord>({ prefix: ["jobs"] })) {
    const j = e.value;
    if (j.runAt <= now || j.lease || j.attempts > 0) {
      left.push(`${j.type} ${j.id} (attempts ${j.attempts})`);
    }
  }
  return left;
}

async function deadLetters(kv: Deno.Kv): Promise<string[]> {
  const out: string[] = [];
  for await (const e of kv.list<JobRecord>({ prefix: ["jobs_dead"] })) {
    out.push(`${e.value.type} ${e.value.id}: ${e.value.lastError}`);
  }
  return out;
}

/** Waits until the outbox has nothing left to run and the webhooks are delivered. */
async function drain(w: World, idle: () => boolean): Promise<void> {
  for (;;) {
    const left = await pendingJobs(w.kv, Date.now());
    if (left.length === 0 && idle()) return;
    if (Date.now() > w.deadline) {
      throw new Error(
        `jobs did not drain in time (seed ${SEED}): ${
          left.slice(0, 10).join("; ")
        }\n${w.app.tail()}`,
      );
    }
    await sleep(150);
  }
}

/**
 * Kills the server `kills` times at random moments, starting it again each
 * time (after a moment down, so requests meet a dead port too).
 */
async function chaos(w: World, kills: number): Promise<void> {
  for (let k = 0; k < kills; k++) {
    await sleep(w.rng.int(700, 2200));
    await w.app.kill();
    await sleep(w.rng.int(0, 250));
    await w.app.start();
  }
}

/** Runs one phase: holds over the slots by WORKERS renters at once, under chaos; then drains. */
async function phase(
  w: World,
  name: Story["phase"],
  slots: Slot[],
  renterPools: Person[][],
  idle: () => boolean,
): Promise<void> {
  let next = 0;
  const worker = async (pool: Person[]) => {
    while (next < slots.length && Date.now() < w.deadline) {
      await book(w, name, pool, slots[next++]);
    }
  };
  await Promise.all([
    chaos(w, KILLS_PER_PHASE),
    ...renterPools.map(worker),
  ]);
  await drain(w, idle);
}

function slotsFor(kitchens: Kitchen[], now: number): Slot[] {
  const slots: Slot[] = [];
  for (let day = 2; slots.length < HOLDS_PER_PHASE; day++) {
    for (const kitchen of kitchens) {
      for (const start of TWO_HOUR_STARTS) {
        const end = `${
          String(Number(start.slice(0, 2)) + 2).padStart(2, "0")
        }:00`;
        slots.push({ kitchen, date: chicagoDate(now, day), start, end });
      }
    }
  }
  return slots.slice(0, HOLDS_PER_PHASE);
}

const LIVE = new Set(["held", "requested", "confirmed"]);
const isLive = (b: Booking, now: number) =>
  LIVE.has(b.status) &&
  (b.status !== "held" || (b.holdExpiresAt ?? 0) > now);

/** Everything the store, the Stripe fake and the mail fake say, checked against each other. */
async function invariants(
  w: World,
  mail: ReturnType<typeof startMailFake>,
  kitchens: Kitchen[],
  hosts: Map<string, Person>,
): Promise<string[]> {
  const { kv, fake } = w;
  const now = Date.now();
  const problems: string[] = [];
  const bookings = new Map<string, Booking>();
  for await (const e of kv.list<Booking>({ prefix: keys.bookingsPrefix() })) {
    bookings.set(e.value.id, e.value);
  }
  const renters = new Map(w.stories.map((s) => [s.bookingId, s.renter]));

  // Paid: a demo payment event recorded, or a Stripe PaymentIntent that succeeded.
  const paid = new Set<string>();
  for await (
    const e of kv.list<PaymentEvent>({ prefix: ["payment_events"] })
  ) {
    if (e.value.provider === "demo" && e.value.bookingId) {
      paid.add(e.value.bookingId);
    }
  }
  const sessionsOf = new Map<string, number>();
  for (const s of fake.state.sessions.values()) {
    const id = s.client_reference_id ?? "";
    sessionsOf.set(id, (sessionsOf.get(id) ?? 0) + 1);
  }
  const intentOf = new Map<string, Stripe.PaymentIntent>();
  for (const pi of fake.state.paymentIntents.values()) {
    const id = pi.metadata?.booking_id ?? "";
    if (pi.status === "succeeded") {
      if (intentOf.has(id)) problems.push(`${id}: charged twice at Stripe`);
      intentOf.set(id, pi);
      paid.add(id);
    }
  }
  for (const [id, n] of sessionsOf) {
    if (n > 1) problems.push(`${id}: ${n} Checkout Sessions`);
  }
  const refundsOf = new Map<string, Stripe.Refund[]>();
  for (const r of fake.state.refunds.values()) {
    const pi = typeof r.payment_intent === "string" ? r.payment_intent : "";
    refundsOf.set(pi, [...(refundsOf.get(pi) ?? []), r]);
  }

  for (const b of bookings.values()) {
    const audit = await listAuditFor(kv, "booking", b.id, { limit: 100 });
    const count = (action: string) =>
      audit.filter((e) => e.action === action).length;
    const ledgerOf = (kind: string) => b.ledger.filter((e) => e.kind === kind);
    const problem = ledgerProblem(b);
    if (problem) problems.push(`${b.id}: ledger: ${problem}`);
    if (paid.has(b.id)) {
      if (b.status !== "confirmed" && b.status !== "cancelled") {
        problems.push(`${b.id}: paid but ${b.status}`);
      }
      if (count("payment.charged") !== 1) {
        problems.push(
          `${b.id}: confirmed ${count("payment.charged")} times (audit)`,
        );
      }
      if (ledgerOf("charge").length !== 1) {
        problems.push(`${b.id}: ${ledgerOf("charge").length} charges`);
      }
    } else if (b.status === "confirmed" || b.ledger.length > 0) {
      problems.push(`${b.id}: ${b.status} with a ledger but never paid`);
    }
    // One refund per cancellation that refunds, recorded once, with its id.
    const refunds = ledgerOf("refund");
    const expected = b.cancellation && b.cancellation.refundCents > 0 ? 1 : 0;
    if (refunds.length !== expected) {
      problems.push(`${b.id}: ${refunds.length} refunds, want ${expected}`);
    }
    if (refunds.some((e) => e.ref === null)) {
      problems.push(`${b.id}: a refund never reached the payment provider`);
    }
    if (count("refund.created") !== refunds.length) {
      problems.push(
        `${b.id}: ${
          count("refund.created")
        } refund records for ${refunds.length} refunds`,
      );
    }
    if (b.payment.provider === "stripe") {
      const pi = intentOf.get(b.id);
      const atStripe = pi ? refundsOf.get(pi.id) ?? [] : [];
      if (atStripe.length !== refunds.length) {
        problems.push(
          `${b.id}: ${atStripe.length} refunds at Stripe, ${refunds.length} on the ledger`,
        );
      }
      const ours = new Set(refunds.map((e) => e.ref));
      for (const r of atStripe) {
        if (!ours.has(r.id)) {
          problems.push(`${b.id}: refund ${r.id} unrecorded`);
        }
      }
      const sum = (n: number, r: { amount?: number; amountCents?: number }) =>
        n + (r.amount ?? r.amountCents ?? 0);
      if (atStripe.reduce(sum, 0) !== refunds.reduce(sum, 0)) {
        problems.push(`${b.id}: refunded amounts differ from Stripe's`);
      }
    }

    // Emails: one message (one idempotency key) each, to each party.
    const renter = renters.get(b.id);
    const host = hosts.get(b.hostId);
    const kitchen = kitchens.find((k) => k.id === b.kitchenId)!;
    const want: [string | undefined, string][] = [];
    if (paid.has(b.id)) {
      want.push([renter?.user.email, `Booking confirmed: ${kitchen.title}`]);
      want.push([host?.user.email, `New booking: ${kitchen.title}`]);
    }
    if (b.status === "cancelled") {
      want.push([renter?.user.email, `Booking cancelled: ${kitchen.title}`]);
      want.push([host?.user.email, `Booking cancelled: ${kitchen.title}`]);
    }
    for (const [to, subject] of want) {
      const keysSent = [...mail.messages.entries()].filter(([, m]) =>
        m.to === to && m.subject === subject && m.text.includes(b.id)
      );
      if (keysSent.length !== 1) {
        problems.push(
          `${b.id}: "${subject}" to ${to} is ${keysSent.length} messages`,
        );
      }
    }
  }

  // The calendar: live claims belong to live bookings, and live bookings hold their claims.
  for (const kitchen of kitchens) {
    const claims = new Map<
      string,
      { date: string; expiresAt: number | null }[]
    >();
    for await (
      const e of kv.list<CalendarDay>({
        prefix: ["calendar_days", kitchen.id],
      })
    ) {
      for (const c of e.value.claims) {
        if (!isLiveClaim(c, now)) continue;
        const b = bookings.get(c.ref);
        if (!b || !isLive(b, now)) {
          problems.push(
            `claim ${c.ref} on ${kitchen.id} ${String(e.key[2])}: ${
              b ? b.status : "no booking"
            }`,
          );
        }
        claims.set(c.ref, [
          ...(claims.get(c.ref) ?? []),
          { date: String(e.key[2]), expiresAt: c.expiresAt },
        ]);
      }
    }
    const occupied = new Set<string>();
    for await (
      const e of kv.list<{ expiresAt: number | null }>({
        prefix: keys.occupancyPrefix(kitchen.id),
      })
    ) {
      const ref = String(e.key[3]);
      const free = e.value.expiresAt !== null && e.value.expiresAt <= now;
      if (free) continue;
      occupied.add(ref);
      const b = bookings.get(ref);
      if (!b || !isLive(b, now)) {
        problems.push(`occupancy ${ref} on ${kitchen.id}: ${b?.status}`);
      }
    }
    for (const b of bookings.values()) {
      if (b.kitchenId !== kitchen.id || !isLive(b, now)) continue;
      const mine = claims.get(b.id) ?? [];
      for (const day of b.claimDays) {
        const claim = mine.find((c) => c.date === day);
        if (!claim) problems.push(`${b.id} (${b.status}): no claim on ${day}`);
        else if (b.status === "confirmed" && claim.expiresAt !== null) {
          problems.push(`${b.id}: confirmed on a hold's claim`);
        }
      }
      if (!occupied.has(b.id)) problems.push(`${b.id}: no occupancy entry`);
    }
  }

  problems.push(...(await deadLetters(kv)).map((d) => `dead letter: ${d}`));
  for await (const e of kv.list({ prefix: ["payment_events_unprocessable"] })) {
    problems.push(`unprocessable event: ${JSON.stringify(e.value)}`);
  }
  return problems;
}

Deno.test({
  name:
    "crash: 200 holds, demo and Stripe payments, webhooks, cancellations and emails survive 6 SIGKILLs: paid bookings confirmed once, no charge or refund twice, ledgers balanced, every email sent once as one message, claims match live bookings",
  // Each request's AbortSignal.timeout outlives it by design, and killed
  // servers leave their sockets to the OS.
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  console.log(
    `crash test seed ${SEED} (CRASH_SEED=${SEED} replays its choices)`,
  );
  const started = Date.now();
  const rng = rngOf(SEED);
  const dir = await Deno.makeTempDir({ prefix: "prep-crash-" });
  const kvPath = `${dir}/prep.kv`;
  const stripeEvents: Stripe.Event[] = [];
  const fake = startStripeFake({ onEvent: (e) => stripeEvents.push(e) });
  const mail = startMailFake();
  const stripe = stripeClient(fake.secretKey, { apiBase: fake.apiBase });
  const kv = await Deno.openKv(kvPath);
  const app = new Instance(kvPath, {
    KV_QUEUES: "true",
    JOB_LEASE_SECONDS: String(LEASE_SECONDS),
    RESEND_API_KEY: "re_crash_test",
    RESEND_API_URL: mail.url,
  });
  const w: World = {
    app,
    kv,
    rng,
    fake,
    stories: [],
    problems: [],
    deadline: started + BUDGET_MS,
    lost: 0,
  };
  try {
    const now = Date.now();
    const demoHost = await addPayingHost(kv, "demo-host@example.com", now);
    const account = fake.createAccount({ ready: true });
    const stripeHost = await addPayingHost(
      kv,
      "stripe-host@example.com",
      now,
      {
        provider: "stripe",
        accountId: account.id,
        chargesEnabled: true,
        payoutsEnabled: true,
        requirementsDue: [],
        updatedAt: new Date(now).toISOString(),
      },
    );
    const kitchenInputs = (prefix: string) =>
      Array.from({ length: KITCHENS_PER_PHASE }, (_, i) => ({
        title: `${prefix} Kitchen ${i + 1}`,
        cancellationPolicy: "flexible" as const,
      }));
    const demoKitchens = await addBookableKitchens(
      kv,
      demoHost.user.id,
      kitchenInputs("Demo"),
      now,
    );
    const stripeKitchens = await addBookableKitchens(
      kv,
      stripeHost.user.id,
      kitchenInputs("Stripe"),
      now,
    );
    const pools: Person[][] = [];
    for (let i = 0; i < WORKERS; i++) {
      const pool: Person[] = [];
      for (let j = 0; j < RENTERS_PER_WORKER; j++) {
        pool.push(await addRenter(kv, `renter-${i}-${j}@example.com`, now));
      }
      pools.push(pool);
    }
    const hosts = new Map([
      [demoHost.user.id, demoHost],
      [stripeHost.user.id, stripeHost],
    ]);

    const setupMs = Date.now() - started;
    // Phase 1: demo payments.
    await app.start();
    await phase(w, "demo", slotsFor(demoKitchens, now), pools, () => true);
    await app.stop();
    const demoMs = Date.now() - started - setupMs;

    // Phase 2: Stripe, through the fake, with webhooks delivered at least once.
    app.env = {
      ...app.env,
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_API_BASE: fake.apiBase,
    };
    await app.start();
    const pump = webhookPump(w, stripe, stripeEvents);
    await phase(w, "stripe", slotsFor(stripeKitchens, now), pools, pump.idle);
    await pump.stop();
    await drain(w, pump.idle);

    const stripeMs = Date.now() - started - setupMs - demoMs;
    const holds = w.stories.length;
    const problems = [
      ...w.problems,
      ...await invariants(
        w,
        mail,
        [...demoKitchens, ...stripeKitchens],
        hosts,
      ),
    ];
    const s = (ms: number) => `${Math.round(ms / 100) / 10} s`;
    const seconds = s(Date.now() - started);
    const resent = [...mail.messages.values()].filter((m) => m.sends > 1);
    console.log(
      `crash test: ${
        HOLDS_PER_PHASE * 2
      } holds tried, ${holds} answered and paid; ${app.kills} kills, ${w.lost} answers lost to them; ${mail.messages.size} emails (${resent.length} sent again after a kill, one message each); ${fake.state.refunds.size} Stripe refunds; ${seconds} (setup ${
        s(setupMs)
      }, demo ${s(demoMs)}, Stripe ${s(stripeMs)})`,
    );
    assert.deepEqual(problems, [], `seed ${SEED}`);
    assert.ok(app.kills >= 5, `only ${app.kills} kills`);
    // A kill swallows at most one request of each worker.
    const floor = HOLDS_PER_PHASE * 2 - app.kills * WORKERS;
    assert.ok(holds >= floor, `only ${holds} holds got an answer`);
    assert.ok(Date.now() - started < 90_000, `took ${seconds}`);
  } finally {
    await app.stop();
    kv.close();
    await fake.close();
    await mail.close();
    await Deno.remove(dir, { recursive: true });
  }
});
