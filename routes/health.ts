/**
 * Health checks for load balancers and platforms: GET /healthz says the
 * process is up and answering; GET /readyz says it can do its work (KV
 * answers, background jobs are running), or answers 503 with the reason.
 * They sit before the session, CSRF and page-cache middleware, so a probe
 * costs no more than these answers, and both are never cached.
 */
import { Hono } from "hono";
import { checkReadiness } from "../lib/health.ts";
import type { AppEnv } from "./env.ts";

export const health = new Hono<AppEnv>();

health.get("/healthz", (c) => {
  c.header("Cache-Control", "no-store");
  return c.json({ status: "ok" });
});

health.get("/readyz", async (c) => {
  const { kv, clock } = c.var.services;
  const readiness = await checkReadiness(kv, clock());
  c.header("Cache-Control", "no-store");
  return readiness.ready
    ? c.json({
      status: "ready",
      oldestDueJobSeconds: readiness.oldestDueJobSeconds,
    })
    : c.json({
      status: "unready",
      reason: readiness.reason,
      oldestDueJobSeconds: readiness.oldestDueJobSeconds,
    }, 503);
});
