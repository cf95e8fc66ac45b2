/**
 * /host/payouts: the host's payout status, and setting payouts up through
 * Stripe Connect (or the demo's stand-in).
 */
import { Hono } from "hono";
import { PayoutsPage } from "../../components/HostPages.tsx";
import { at } from "../../lib/app.ts";
import { NotFoundError } from "../../lib/errors.ts";
import { getHostFresh } from "../../lib/hosts/repo.ts";
import {
  refreshPayoutStatus,
  startPayoutSetup,
} from "../../lib/payments/connect.ts";
import { type AppContext, type AppEnv, page } from "../context.tsx";
import { readNotice } from "../forms.ts";
import { redirect, redirectOut } from "../headers.ts";

export const payouts = new Hono<AppEnv>();

const NOTICES: Record<string, string> = {
  "demo-ready": "Demo payouts are set up. Your kitchens can take bookings.",
  returned: "Welcome back. Here is your payout status as Stripe has it now.",
};

payouts.get("/", async (c) => {
  const profile = (await getHostFresh(c.var.services.kv, c.var.user!.id)).value;
  if (!profile) throw new NotFoundError("We could not find your host profile.");
  return page(
    c,
    { title: "Payouts" },
    <PayoutsPage
      host={profile}
      mode={c.var.services.config.PAYMENTS}
      notice={NOTICES[readNotice(c)]}
    />,
  );
});

async function goToSetup(c: AppContext) {
  const { url, external } = await startPayoutSetup(
    at(c.var.services),
    c.var.user!,
  );
  return external
    ? redirectOut(c, url, c.var.services.paymentOrigins)
    : redirect(c, url);
}

payouts.post("/", (c) => goToSetup(c));

// Stripe sends the host back here (a GET): read the account now.
payouts.get("/return", async (c) => {
  await refreshPayoutStatus(at(c.var.services), c.var.user!.id);
  return redirect(c, "/host/payouts?notice=returned");
});

// An Account Link expired or was used: Stripe asks for a fresh one (a GET).
payouts.get("/refresh", (c) => goToSetup(c));
