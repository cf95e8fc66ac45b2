/**
 * Responses built whole, every header the chain would add already in one
 * list (a signed-in user's copy of a shared page, routes/page_cache.ts):
 * the middleware on the way out leave their headers as they are. Setting
 * each header again, one Headers call at a time, showed in the profile.
 */
const built = new WeakSet<Response>();

/** `new Response(body)` with `headers`, marked as needing nothing more. */
export function wholeResponse(
  body: string,
  headers: [string, string][],
): Response {
  const res = new Response(body, { status: 200, headers });
  built.add(res);
  return res;
}

/** Whether `res` was built whole (`wholeResponse`). */
export function isWhole(res: Response): boolean {
  return built.has(res);
}
