/** POST /logout: ends this session (a GET never changes state). */
import { Hono } from "hono";
import { endSession } from "../lib/accounts/sessions.ts";
import type { AppEnv } from "./env.ts";
import { redirect } from "./headers.ts";
import { clearSessionCookie, sessionSecret } from "./session.ts";

export const logout = new Hono<AppEnv>();

logout.post("/", async (c) => {
  const secret = sessionSecret(c);
  if (secret) await endSession(c.var.services.kv, secret);
  clearSessionCookie(c);
  return redirect(c, "/login?notice=logged-out");
});
