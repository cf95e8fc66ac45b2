/**
 * /api: JSON for the islands and for Stripe. Failures answer as JSON
 * (the app's onError), never as a page.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { kitchens } from "./kitchens.ts";
import { saved } from "./saved.ts";
import { stripeWebhook } from "./stripe.ts";

export const api = new Hono<AppEnv>();

api.route("/kitchens", kitchens);
api.route("/saved", saved);
api.route("/stripe", stripeWebhook);
