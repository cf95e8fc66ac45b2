/**
 * Fetching a host's external calendar, safely (issue 9 §4). The URL is the
 * host's, so everything about the fetch is bounded:
 *
 * - one deadline (10 s) for everything: DNS, redirects, headers and body;
 * - the body streamed and cut off past 2 MB (after decompression, so a
 *   small gzip bomb is cut off too);
 * - redirects followed by hand, at most 3, each target checked like the
 *   URL the host typed;
 * - the host name resolved with `Deno.resolveDns` and every A and AAAA
 *   address checked (address.ts): one private, loopback, link-local or
 *   metadata address refuses the URL. Over plain http the connection is
 *   pinned to the address we checked (a `tcp` transport client), so a DNS
 *   answer that changes between our check and the connection (rebinding)
 *   reaches nothing new; over https the certificate must match the name,
 *   which an internal service's certificate does not.
 *
 * Loopback is allowed only with `allowLoopback` (CALENDAR_FETCH_ALLOW_LOOPBACK,
 * for tests; refused in production by lib/config.ts).
 */
import { readAll } from "../bytes.ts";
import {
  type AddressPolicy,
  addressProblem,
  checkFeedUrl,
  isIpLiteral,
} from "./address.ts";

export interface FetchOptions extends AddressPolicy {
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  /** Resolves a name to its addresses; defaults to Deno.resolveDns (A and AAAA). */
  resolve?: (hostname: string, signal: AbortSignal) => Promise<string[]>;
}

export const FETCH_TIMEOUT_MS = 10_000;
export const MAX_FEED_BYTES = 2 * 1024 * 1024;
export const MAX_REDIRECTS = 3;

/**
 * A fetch that failed in a way the host can act on; the message says how.
 * `permanent` when asking again soon would get the same answer (a refused
 * address, a 404, a file too big), as opposed to a blip (a timeout, a 503).
 */
export class FeedFetchError extends Error {
  constructor(message: string, readonly permanent = false) {
    super(message);
  }
}

/** Answers that may well be different in half an hour. */
const PASSING_STATUSES = new Set([408, 425, 429]);

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The text of the calendar at `rawUrl`, within every limit above. */
export async function fetchFeed(
  rawUrl: string,
  opts: FetchOptions,
): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? FETCH_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return await fetchWithin(rawUrl, opts, signal);
  } catch (err) {
    if (signal.aborted || isAbort(err)) {
      throw new FeedFetchError(
        `The calendar did not answer within ${+(timeoutMs / 1000)
          .toFixed(1)} seconds.`,
      );
    }
    if (err instanceof FeedFetchError) throw err;
    throw new FeedFetchError(
      "We could not connect to the calendar's server.",
    );
  }
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException &&
    (err.name === "AbortError" || err.name === "TimeoutError");
}

async function fetchWithin(
  rawUrl: string,
  opts: FetchOptions,
  signal: AbortSignal,
): Promise<string> {
  const maxRedirects = opts.maxRedirects ?? MAX_REDIRECTS;
  let url = checked(rawUrl, opts);
  for (let hop = 0;; hop++) {
    const pin = await addressFor(url, opts, signal);
    const client = pin && url.protocol === "http:"
      ? Deno.createHttpClient({
        proxy: {
          transport: "tcp",
          // The transport wants an IPv6 address in brackets, as in a URL.
          hostname: pin.includes(":") ? `[${pin}]` : pin,
          port: Number(url.port || 80),
        },
      })
      : undefined;
    try {
      const res = await fetch(url, {
        redirect: "manual",
        signal,
        client,
        headers: {
          accept: "text/calendar, text/plain;q=0.5, */*;q=0.1",
          "user-agent": "Prep calendar sync",
        },
      });
      if (REDIRECTS.has(res.status)) {
        await res.body?.cancel();
        const location = res.headers.get("location");
        if (!location) {
          throw new FeedFetchError(
            "The calendar's server sent a redirect without a target.",
            true,
          );
        }
        if (hop >= maxRedirects) {
          throw new FeedFetchError(
            `The calendar's link redirected more than ${maxRedirects} times.`,
            true,
          );
        }
        url = checked(new URL(location, url).href, opts);
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new FeedFetchError(
          `The calendar's server answered ${res.status}${
            res.status === 404 || res.status === 410
              ? ": the link may have been reset"
              : ""
          }.`,
          res.status < 500 && !PASSING_STATUSES.has(res.status),
        );
      }
      return await readLimited(res, opts.maxBytes ?? MAX_FEED_BYTES);
    } finally {
      client?.close();
    }
  }
}

function checked(raw: string, opts: AddressPolicy): URL {
  const check = checkFeedUrl(raw, opts);
  if (!check.ok) throw new FeedFetchError(check.problem, true);
  return check.url;
}

/**
 * The address to connect to when the host is a name (every address it
 * resolves to is checked first), or null for an IP literal (checked with
 * the URL).
 */
async function addressFor(
  url: URL,
  opts: FetchOptions,
  signal: AbortSignal,
): Promise<string | null> {
  const host = url.hostname.replace(/\.$/, "");
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  if (isIpLiteral(bare)) return null;
  // RFC 6761: localhost is loopback, whatever a DNS server says.
  if (host === "localhost" || host.endsWith(".localhost")) return "127.0.0.1";
  const resolve = opts.resolve ?? resolveDns;
  let addresses: string[];
  try {
    addresses = await resolve(host, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    addresses = [];
  }
  if (addresses.length === 0) {
    throw new FeedFetchError(
      `We could not find the calendar's server (${host}).`,
    );
  }
  for (const a of addresses) {
    const problem = addressProblem(a, opts);
    if (problem) throw new FeedFetchError(problem, true);
  }
  return addresses[0];
}

async function resolveDns(
  host: string,
  signal: AbortSignal,
): Promise<string[]> {
  const lookup = (type: "A" | "AAAA") =>
    Deno.resolveDns(host, type, { signal }).catch((err) => {
      if (signal.aborted) throw err;
      return [] as string[];
    });
  const [a, aaaa] = await Promise.all([lookup("A"), lookup("AAAA")]);
  return [...a, ...aaaa];
}

/** The body as UTF-8, refused once it passes `maxBytes`. */
async function readLimited(res: Response, maxBytes: number): Promise<string> {
  const tooBig = () =>
    new FeedFetchError(
      `The calendar is larger than ${
        Math.round(maxBytes / 1024 / 1024 * 10) / 10
      } MB.`,
      true,
    );
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw tooBig();
  }
  if (!res.body) return "";
  const bytes = await readAll(res.body, maxBytes);
  if (!bytes) throw tooBig();
  return new TextDecoder().decode(bytes);
}
