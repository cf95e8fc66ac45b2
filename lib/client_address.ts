/**
 * The address of the client behind a request, for per-address rate limits
 * and the audit log. Behind a reverse proxy every connection comes from the
 * proxy, so its `X-Forwarded-For` is believed, but only when the connection
 * comes from a proxy the deployer trusts (`TRUSTED_PROXIES`): anyone else
 * can write that header, and would choose their own address.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";

type Address = ipaddr.IPv4 | ipaddr.IPv6;
/** A network: an address and its prefix length. */
export type TrustedRange = [Address, number];

/** Each proxy appends one hop; no real chain is longer than this. */
const MAX_HOPS = 32;

const plainAddress = z.union([z.ipv4(), z.ipv6()]);
const cidr = z.union([z.cidrv4(), z.cidrv6()]);

/**
 * A plain IPv4 or IPv6 address, as a proxy writes it (IPv6 possibly in
 * brackets, either with a port), normalised: an IPv4-mapped IPv6 address
 * becomes the IPv4 one. Null for anything else.
 */
export function parseAddress(text: string): Address | null {
  const t = text.trim();
  const bare = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(t)?.[1] ??
    /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(t)?.[1] ?? t;
  if (!plainAddress.safeParse(bare).success) return null;
  return ipaddr.process(bare);
}

/** A `TRUSTED_PROXIES` entry: a CIDR range, or one address (its own /32 or /128). */
export function parseTrustedRange(text: string): TrustedRange | null {
  const t = text.trim();
  if (cidr.safeParse(t).success) {
    const [address, bits] = ipaddr.parseCIDR(t);
    // An IPv4-mapped range matches the IPv4 addresses `parseAddress` gives.
    if (address.kind() === "ipv6" && bits >= 96) {
      const v6 = address as ipaddr.IPv6;
      if (v6.isIPv4MappedAddress()) return [v6.toIPv4Address(), bits - 96];
    }
    return [address, bits];
  }
  const one = plainAddress.safeParse(t).success ? ipaddr.process(t) : null;
  return one ? [one, one.kind() === "ipv4" ? 32 : 128] : null;
}

function isTrusted(address: Address, trusted: readonly TrustedRange[]) {
  return trusted.some(([net, bits]) =>
    net.kind() === address.kind() && address.match(net, bits)
  );
}

/**
 * The client address (pure): the peer's, unless the peer is a trusted
 * proxy; then the right-most address in `X-Forwarded-For` that is not a
 * trusted proxy, walking from the peer leftwards. Hops left of that were
 * written by the client and prove nothing. A malformed hop ends the walk at
 * the last trusted address, as does a chain of trusted proxies only.
 */
export function clientAddressOf(
  peer: string | undefined,
  forwardedFor: string | null | undefined,
  trusted: readonly TrustedRange[],
): string {
  if (!peer) return "unknown";
  let client = parseAddress(peer);
  if (!client) return peer;
  if (trusted.length === 0 || !forwardedFor) return client.toString();
  const hops = forwardedFor.split(",").slice(-MAX_HOPS);
  for (let i = hops.length - 1; i >= 0 && isTrusted(client, trusted); i--) {
    const hop = parseAddress(hops[i]);
    if (!hop) break;
    client = hop;
  }
  return client.toString();
}
