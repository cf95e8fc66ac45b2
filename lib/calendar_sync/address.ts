/**
 * Which calendar URLs Prep may fetch (issue 9 §4). The server fetches a URL a
 * host typed, so without these checks a host could make it read the cloud
 * metadata service (169.254.169.254), an admin port on loopback or anything
 * on the private network, and see the answer in an error message.
 *
 * Pure: the caller resolves host names (fetch.ts) and asks about every
 * address; a name is fetchable only if all of its addresses are.
 */

/** Longest URL a host may add. */
export const MAX_FEED_URL_LENGTH = 2_000;

export interface AddressPolicy {
  /**
   * Tests serve feeds from 127.0.0.1: loopback (only loopback, not the
   * private ranges) is allowed when CALENDAR_FETCH_ALLOW_LOOPBACK is on.
   */
  allowLoopback: boolean;
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; problem: string };

/**
 * A feed URL as a host typed it, or why it cannot be one. `webcal://` (what
 * Apple and Google hand out) is read as `https://`; anything but http(s) is
 * refused, as are credentials in the URL and hosts that are addresses we
 * never fetch. Host names are checked again, resolved, at every fetch.
 */
export function checkFeedUrl(raw: string, policy: AddressPolicy): UrlCheck {
  const trimmed = raw.trim();
  if (trimmed === "") return { ok: false, problem: "Enter the calendar's URL" };
  if (trimmed.length > MAX_FEED_URL_LENGTH) {
    return {
      ok: false,
      problem: `Use a URL of at most ${MAX_FEED_URL_LENGTH} characters`,
    };
  }
  const rewritten = /^webcals?:\/\//i.test(trimmed)
    ? trimmed.replace(/^webcals?:/i, "https:")
    : trimmed;
  const url = URL.parse(rewritten);
  if (!url || !["http:", "https:"].includes(url.protocol)) {
    return {
      ok: false,
      problem: "Use a link that starts with https:// (or http://)",
    };
  }
  if (url.href.length > MAX_FEED_URL_LENGTH) {
    return {
      ok: false,
      problem: `Use a URL of at most ${MAX_FEED_URL_LENGTH} characters`,
    };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      problem: "Use a link without a user name or password in it",
    };
  }
  const problem = hostProblem(url.hostname, policy);
  return problem ? { ok: false, problem } : { ok: true, url };
}

const PRIVATE_PROBLEM =
  "That address is on a private network; use the calendar's public link";

/**
 * Why a URL's host (as `URL.hostname` has it: IPv4 dotted, IPv6 in brackets,
 * or a lower-case name) may not be fetched, without resolving it; null if
 * it may, so far.
 */
export function hostProblem(
  hostname: string,
  policy: AddressPolicy,
): string | null {
  const host = hostname.replace(/\.$/, "");
  if (host === "") return "Enter the calendar's URL";
  if (host === "localhost" || host.endsWith(".localhost")) {
    return policy.allowLoopback ? null : PRIVATE_PROBLEM;
  }
  // Cloud metadata names, and names that only mean something inside a network.
  if (
    host === "metadata" || host.endsWith(".internal") ||
    host.endsWith(".local") || host.endsWith(".home.arpa")
  ) {
    return PRIVATE_PROBLEM;
  }
  const ip = host.startsWith("[") ? host.slice(1, -1) : host;
  if (isIpLiteral(ip)) return addressProblem(ip, policy);
  if (!host.includes(".")) return PRIVATE_PROBLEM;
  return null;
}

/** Whether `s` is an IPv4 address in dotted form or an IPv6 address. */
export function isIpLiteral(s: string): boolean {
  return parseIpv4(s) !== null || parseIpv6(s) !== null;
}

/**
 * Why an address (from DNS or a URL) may not be fetched, or null. Refused:
 * loopback, private, shared (CGNAT), link-local (with the metadata service),
 * multicast, reserved, documentation and benchmarking ranges; IPv6 unique-
 * local, link-local and site-local; and IPv6 forms that embed an IPv4
 * address (mapped, compatible, NAT64, 6to4) when the embedded one is refused.
 */
export function addressProblem(
  address: string,
  policy: AddressPolicy,
): string | null {
  const kind = classifyAddress(address);
  if (kind === "public") return null;
  if (kind === "loopback" && policy.allowLoopback) return null;
  if (kind === "invalid") return "That is not a valid address";
  return PRIVATE_PROBLEM;
}

export type AddressKind = "public" | "loopback" | "private" | "invalid";

/** What kind of address `address` is (no brackets). */
export function classifyAddress(address: string): AddressKind {
  const v4 = parseIpv4(address);
  if (v4) return classifyIpv4(v4);
  const v6 = parseIpv6(address);
  if (v6) return classifyIpv6(v6);
  return "invalid";
}

type Cidr4 = [number, number, number, number, number];

const LOOPBACK_V4: Cidr4[] = [[127, 0, 0, 0, 8]];
const PRIVATE_V4: Cidr4[] = [
  [0, 0, 0, 0, 8], // "this network"
  [10, 0, 0, 0, 8],
  [100, 64, 0, 0, 10], // shared address space (CGNAT; Alibaba's metadata)
  [169, 254, 0, 0, 16], // link-local: AWS, GCP and Azure metadata
  [172, 16, 0, 0, 12],
  [192, 0, 0, 0, 24], // IETF protocol assignments
  [192, 0, 2, 0, 24], // documentation
  [192, 88, 99, 0, 24], // 6to4 relay anycast
  [192, 168, 0, 0, 16],
  [198, 18, 0, 0, 15], // benchmarking
  [198, 51, 100, 0, 24], // documentation
  [203, 0, 113, 0, 24], // documentation
  [224, 0, 0, 0, 4], // multicast
  [240, 0, 0, 0, 4], // reserved, and broadcast
];

function inCidr4(ip: number[], [a, b, c, d, bits]: Cidr4): boolean {
  const value = (x: number[]) =>
    ((x[0] << 24) >>> 0) + (x[1] << 16) + (x[2] << 8) + x[3];
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((value(ip) & mask) >>> 0) === ((value([a, b, c, d]) & mask) >>> 0);
}

function classifyIpv4(ip: number[]): AddressKind {
  if (LOOPBACK_V4.some((r) => inCidr4(ip, r))) return "loopback";
  if (PRIVATE_V4.some((r) => inCidr4(ip, r))) return "private";
  return "public";
}

function classifyIpv6(ip: number[]): AddressKind {
  // ip: eight 16-bit groups
  const zero = (from: number, to: number) =>
    ip.slice(from, to).every((g) => g === 0);
  const embedded = (hi: number, lo: number) =>
    classifyIpv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  if (zero(0, 7) && ip[7] === 1) return "loopback"; // ::1
  if (zero(0, 8)) return "private"; // ::
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated)
  if (zero(0, 5) && (ip[5] === 0xffff || ip[5] === 0)) {
    const kind = embedded(ip[6], ip[7]);
    return kind === "public" && ip[5] === 0 ? "private" : kind;
  }
  // 64:ff9b::/96 and 64:ff9b:1::/48, NAT64
  if (ip[0] === 0x64 && ip[1] === 0xff9b) {
    const kind = embedded(ip[6], ip[7]);
    return kind === "public" ? "public" : "private";
  }
  // 2002::/16, 6to4: the IPv4 address is in groups 1 and 2
  if (ip[0] === 0x2002) {
    const kind = embedded(ip[1], ip[2]);
    return kind === "public" ? "public" : "private";
  }
  const first = ip[0];
  if ((first & 0xfe00) === 0xfc00) return "private"; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return "private"; // fe80::/10 link-local
  if ((first & 0xffc0) === 0xfec0) return "private"; // fec0::/10 site-local
  if ((first & 0xff00) === 0xff00) return "private"; // multicast
  if (first === 0x2001 && ip[1] === 0x0db8) return "private"; // documentation
  if (first === 0x0100 && zero(1, 4)) return "private"; // 100::/64 discard
  if (first === 0x2001 && ip[1] < 0x0200) return "private"; // 2001::/23 IETF
  return "public";
}

/** [a, b, c, d] of a strict dotted-quad IPv4 address, or null. */
export function parseIpv4(s: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((n) => n <= 255) ? parts : null;
}

/** The eight 16-bit groups of an IPv6 address (zone ids refused), or null. */
export function parseIpv6(s: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return null;
  let text = s;
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseIpv4(last);
    if (!v4) return null;
    tail.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    text = s.slice(0, lastColon + 1);
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string) =>
    part === ""
      ? []
      : part.split(":").map((g) =>
        /^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN
      );
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const explicit = head.length + rest.length + tail.length;
  if ([...head, ...rest].some(Number.isNaN)) return null;
  if (halves.length === 1) {
    return explicit === 8 ? [...head, ...tail] : null;
  }
  if (explicit > 7) return null;
  return [
    ...head,
    ...Array(8 - explicit).fill(0),
    ...rest,
    ...tail,
  ];
}
