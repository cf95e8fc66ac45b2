/**
 * Responses built whole, every header the chain would add already in one
 * list (a signed-in user's copy of a shared page, routes/page_cache.ts):
 * the middleware on the way out leave their headers as they are. Setting
 * each header again, one Headers call at a time, showed in the profile.
 * Headers set earlier with c.header() or a cookie helper do not reach such a
 * response: use it only where nothing sets one (before a shared page, only
 * sessions does, to clear a dead cookie, and then no one is signed in).
 * tests/integration/shared_pages_test.ts compares every header of a shared
 * page with a full render's, so a new one set earlier fails there.
 */
const built = new WeakSet<Response>();

/** `new Response(body)` with `headers`, marked as needing nothing more. */
export function wholeResponse(
  body: string,
  headers: [string, string][] | Readonly<Record<string, string>>,
): Response {
  const res = new Response(body, { status: 200, headers });
  built.add(res);
  return res;
}

/** Whether `res` was built whole (`wholeResponse`). */
export function isWhole(res: Response): boolean {
  return built.has(res);
}
