/**
 * The app's router: Hono's default (SmartRouter over RegExpRouter, then
 * TrieRouter) with the last matches kept by method and path.
 *
 * Our routes put static segments beside parameters (`/bookings/series/new`
 * next to `/bookings/series/:id`), which Hono 4.13's RegExpRouter refuses,
 * so the SmartRouter settles on TrieRouter. Its match walks every
 * middleware's route and sorts the handlers on each request: 14 µs of a
 * weekly booking's 200 µs page in the profile. A kept match is one lookup.
 * A match is only read by Hono (handlers, and params by index), never
 * changed, so one can serve every request for its path.
 */
import type { Result, Router } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { SmartRouter } from "hono/router/smart-router";
import { TrieRouter } from "hono/router/trie-router";

/** Matches kept; cleared when full (ids in paths make the set unbounded). */
const KEPT_MATCHES = 1_000;
/** Longer paths are matched each time: the memo's memory stays bounded. */
const KEPT_PATH_LENGTH = 200;

export class KeptMatchRouter<T> implements Router<T> {
  name = "KeptMatchRouter";
  #router: Router<T> = new SmartRouter<T>({
    routers: [new RegExpRouter(), new TrieRouter()],
  });
  #kept = new Map<string, Result<T>>();

  add(method: string, path: string, handler: T): void {
    this.#router.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    if (path.length > KEPT_PATH_LENGTH) return this.#router.match(method, path);
    const key = `${method} ${path}`;
    let found = this.#kept.get(key);
    if (found === undefined) {
      found = this.#router.match(method, path);
      if (this.#kept.size >= KEPT_MATCHES) this.#kept.clear();
      this.#kept.set(key, found);
    }
    return found;
  }
}
