import type { Booking } from "../lib/bookings/schema.ts";
import { formatDayTime, formatTime } from "../lib/format.ts";
import { formatCents } from "../lib/money.ts";
import type { Host } from "../lib/hosts/schema.ts";
import { payoutStatusText } from "../lib/hosts/payouts.ts";
import { Notice } from "./Forms.tsx";

const card = "rounded-xl border border-stone-200 bg-white p-6";
const primary =
  "rounded-lg bg-emerald-700 px-4 py-2 font-semibold text-white hover:bg-emerald-800";
const secondary = "rounded-lg border border-stone-300 px-4 py-2 font-semibold";

function times(b: Booking): string {
  return `${formatDayTime(b.timeZone, b.start)} – ${
    formatTime(b.timeZone, b.end)
  }`;
}

export function PayoutsPage({ host, mode, notice }: {
  host: Host;
  mode: "stripe" | "demo" | "off";
  notice?: string;
}) {
  const ready = host.payout.chargesEnabled && host.payout.payoutsEnabled;
  return (
    <section class="mx-auto max-w-2xl space-y-6">
      {notice && <Notice>{notice}</Notice>}
      <h1 class="text-3xl font-extrabold">Payouts</h1>
      <div class={card}>
        <h2 class="text-xl font-bold">Status</h2>
        <p class="mt-1">{payoutStatusText(host)}</p>
        {host.payout.requirementsDue.length > 0 && (
          <p class="mt-1 text-sm text-stone-600">
            {`Stripe still needs: ${host.payout.requirementsDue.join(", ")}.`}
          </p>
        )}
      </div>
      {mode === "demo" && (
        <p
          role="note"
          class="rounded-lg border-2 border-amber-400 bg-amber-50 p-4 font-semibold text-amber-900"
        >
          Demo payments: no money moves on this site, so payout setup is one
          click. With Stripe keys configured, this step is Stripe Connect.
        </p>
      )}
      {ready && (
        <p>
          <a href="/host/kitchens" class={primary}>
            Continue with your kitchens
          </a>
        </p>
      )}
      {mode !== "off" && !ready && (
        <form method="post" action="/host/payouts">
          <button type="submit" class={primary}>
            {mode === "demo"
              ? "Set up demo payouts"
              : host.payout.accountId
              ? "Continue payout setup with Stripe"
              : "Set up payouts with Stripe"}
          </button>
        </form>
      )}
    </section>
  );
}

const STATUS: Record<Booking["status"], string> = {
  held: "Waiting for the renter's payment",
  requested: "Request: waiting for your answer",
  confirmed: "Confirmed",
  expired: "Not booked",
  declined: "Declined",
  cancelled: "Cancelled",
  completed: "Completed",
};

/** Hours held while Prep checks the renter's documents: not the host's to answer yet. */
const CHECKING_DOCUMENTS =
  "Held while Prep checks the renter's documents; no answer needed yet";

export function HostBookingsPage({ bookings, titles, now, notice }: {
  bookings: Booking[];
  titles: Record<string, string>;
  now: number;
  notice?: string;
}) {
  const byKitchen = new Map<string, Booking[]>();
  for (const b of [...bookings].sort((a, z) => a.start - z.start)) {
    byKitchen.set(b.kitchenId, [...(byKitchen.get(b.kitchenId) ?? []), b]);
  }
  return (
    <section class="space-y-8">
      {notice && <Notice>{notice}</Notice>}
      <header class="flex flex-wrap items-baseline justify-between gap-2">
        <h1 class="text-3xl font-extrabold">Bookings of your kitchens</h1>
        <a
          href="/host/payouts"
          class="font-semibold text-emerald-800 underline"
        >
          Payouts
        </a>
      </header>
      {byKitchen.size === 0 && <p>No bookings yet.</p>}
      {[...byKitchen].map(([kitchenId, list]) => (
        <div key={kitchenId}>
          <h2 class="text-xl font-bold">{titles[kitchenId] ?? "Kitchen"}</h2>
          <ul class="mt-2 space-y-2">
            {list.map((b) => (
              <li key={b.id} class={card}>
                <p class="font-semibold">{times(b)}</p>
                <p>
                  {`${
                    b.waitingFor === "documents"
                      ? CHECKING_DOCUMENTS
                      : STATUS[b.status]
                  } · your payout ${formatCents(b.quote.hostPayoutCents)}`}
                </p>
                {b.status === "requested" && b.respondBy !== null &&
                  b.waitingFor !== "documents" && (
                  <div class="mt-3 space-y-2">
                    <p class="text-sm text-stone-700">
                      {`Answer by ${formatDayTime(b.timeZone, b.respondBy)}.`}
                    </p>
                    <div class="flex gap-3">
                      <form
                        method="post"
                        action={`/host/bookings/${b.id}/accept`}
                      >
                        <button type="submit" class={primary}>
                          Accept
                        </button>
                      </form>
                      <form
                        method="post"
                        action={`/host/bookings/${b.id}/decline`}
                      >
                        <button type="submit" class={secondary}>
                          Decline
                        </button>
                      </form>
                    </div>
                  </div>
                )}
                {b.status === "confirmed" && b.start > now && (
                  <form
                    method="post"
                    action={`/host/bookings/${b.id}/cancel`}
                    class="mt-3"
                  >
                    <button type="submit" class={secondary}>
                      {`Cancel (refunds the renter ${
                        formatCents(b.quote.totalChargedCents)
                      })`}
                    </button>
                  </form>
                )}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
