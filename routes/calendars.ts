/**
 * GET /calendars/:kitchenId/:token.ics — a kitchen's calendar for the
 * host's calendar app (lib/calendar_sync/export.ts). Public: calendar apps
 * send no cookies, so the token in the URL is the credential, and a wrong,
 * revoked or malformed one is a plain 404.
 */
import { Hono } from "hono";
import {
  FEED_TOKEN_PATTERN,
  kitchenFeedText,
} from "../lib/calendar_sync/feeds.ts";
import { at } from "../lib/app.ts";
import { ID_PATTERN } from "../lib/ids.ts";
import type { AppEnv } from "./env.ts";

export const calendars = new Hono<AppEnv>();

calendars.get(
  `/:kitchenId{${ID_PATTERN}}/:file{${FEED_TOKEN_PATTERN}\\.ics}`,
  async (c) => {
    const token = c.req.param("file").slice(0, -".ics".length);
    const ics = await kitchenFeedText(
      c.var.services.kv,
      c.req.param("kitchenId"),
      token,
      at(c.var.services),
    );
    return c.body(ics, 200, {
      "Content-Type": "text/calendar; charset=utf-8",
      // Calendar apps poll; five minutes of reuse is fresh enough for a
      // host, and "private" keeps shared caches from holding a secret URL.
      "Cache-Control": "private, max-age=300",
    });
  },
);
