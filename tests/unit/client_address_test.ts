import assert from "node:assert/strict";
import {
  clientAddressOf,
  parseTrustedRange,
  type TrustedRange,
} from "../../lib/client_address.ts";

const ranges = (...entries: string[]): TrustedRange[] =>
  entries.map((e) => parseTrustedRange(e)!);

const PROXIES = ranges("10.0.0.0/8", "fd00::/8", "192.0.2.7");

Deno.test("client address: from the peer, or from X-Forwarded-For only through trusted proxies", () => {
  const cases: [
    string,
    string | undefined,
    string | null,
    TrustedRange[],
    string,
  ][] = [
    ["no proxies configured: the peer", "10.0.0.5", "1.2.3.4", [], "10.0.0.5"],
    [
      "an untrusted peer's header is ignored",
      "203.0.113.50",
      "1.2.3.4",
      PROXIES,
      "203.0.113.50",
    ],
    [
      "a trusted peer forwards its client",
      "10.0.0.5",
      "1.2.3.4",
      PROXIES,
      "1.2.3.4",
    ],
    [
      "hops the client wrote are ignored: the right-most untrusted wins",
      "10.0.0.5",
      "6.6.6.6, 1.2.3.4",
      PROXIES,
      "1.2.3.4",
    ],
    [
      "a chain of trusted proxies is walked",
      "10.0.0.5",
      "6.6.6.6, 1.2.3.4, 192.0.2.7, 10.1.2.3",
      PROXIES,
      "1.2.3.4",
    ],
    [
      "only trusted proxies: the left-most of them",
      "10.0.0.5",
      "10.9.9.9, 10.1.1.1",
      PROXIES,
      "10.9.9.9",
    ],
    [
      "a trusted peer without the header",
      "10.0.0.5",
      null,
      PROXIES,
      "10.0.0.5",
    ],
    ["an empty header", "10.0.0.5", "", PROXIES, "10.0.0.5"],
    [
      "a malformed hop ends the walk at the last trusted address",
      "10.0.0.5",
      "1.2.3.4, not-an-ip",
      PROXIES,
      "10.0.0.5",
    ],
    [
      "an over-long hop is malformed",
      "10.0.0.5",
      "1".repeat(5000),
      PROXIES,
      "10.0.0.5",
    ],
    [
      "an empty hop is malformed",
      "10.0.0.5",
      "1.2.3.4, , 10.0.0.9",
      PROXIES,
      "10.0.0.9",
    ],
    [
      "IPv6 peer and client, normalised",
      "fd00::1",
      "2001:DB8:0:0::1",
      PROXIES,
      "2001:db8::1",
    ],
    [
      "an IPv4-mapped peer counts as IPv4",
      "::ffff:10.0.0.5",
      "1.2.3.4",
      PROXIES,
      "1.2.3.4",
    ],
    [
      "an IPv4-mapped client is given as IPv4",
      "10.0.0.5",
      "::ffff:1.2.3.4",
      PROXIES,
      "1.2.3.4",
    ],
    [
      "ports and brackets that proxies add are dropped",
      "10.0.0.5",
      "[2001:db8::2]:443",
      PROXIES,
      "2001:db8::2",
    ],
    ["an IPv4 hop with a port", "10.0.0.5", "1.2.3.4:5678", PROXIES, "1.2.3.4"],
    [
      "an IPv4 range does not trust IPv6 peers",
      "2001:db8::9",
      "1.2.3.4",
      ranges("10.0.0.0/8"),
      "2001:db8::9",
    ],
    [
      "an IPv4-mapped range trusts the IPv4 peer",
      "10.0.0.5",
      "1.2.3.4",
      ranges("::ffff:10.0.0.0/104"),
      "1.2.3.4",
    ],
    ["no peer (a test request)", undefined, "1.2.3.4", PROXIES, "unknown"],
    ["a peer that is no IP address", "worker", "1.2.3.4", PROXIES, "worker"],
  ];
  for (const [name, peer, forwarded, trusted, expected] of cases) {
    assert.equal(clientAddressOf(peer, forwarded, trusted), expected, name);
  }
});

Deno.test("client address: a header of many hops is read from the right only", () => {
  const hops = Array.from({ length: 10_000 }, () => "10.0.0.1").join(", ");
  assert.equal(
    clientAddressOf("10.0.0.5", `1.2.3.4, ${hops}`, PROXIES),
    "10.0.0.1",
  );
});

Deno.test("client address: trusted proxy entries are CIDR ranges or single addresses", () => {
  const cases: [string, string | null][] = [
    ["10.0.0.0/8", "10.0.0.0/8"],
    [" 10.1.2.3/8 ", "10.1.2.3/8"],
    ["192.0.2.7", "192.0.2.7/32"],
    ["fd00::/8", "fd00::/8"],
    ["::1", "::1/128"],
    ["::ffff:10.0.0.0/104", "10.0.0.0/8"],
    ["10.0.0.0/33", null],
    ["10.0.0", null],
    ["010.0.0.1", null],
    ["fd00::/129", null],
    ["proxy.internal", null],
    ["", null],
  ];
  for (const [entry, expected] of cases) {
    const range = parseTrustedRange(entry);
    assert.equal(
      range ? `${range[0].toString()}/${range[1]}` : null,
      expected,
      entry,
    );
  }
});
