/**
 * Classification of literal IP addresses: which ones are not publicly routable (private,
 * loopback, link-local, CGNAT, multicast, reserved…). Shared by the Cloudflare adapter (a proxied
 * record cannot point at them) and the Cloudflare emulator (which answers as Cloudflare does).
 * Plain functions and constants only (Pulumi's closure serializer may capture them).
 *
 * The rule is the IANA special-purpose address registries (IPv4: RFC 6890 + updates; IPv6:
 * RFC 6890 / RFC 4291), minus the documentation and benchmarking ranges, which Cloudflare
 * accepts for proxied records (192.0.2.1 is the usual "proxied placeholder").
 */
import { isIPv4, isIPv6 } from "./common";

/** IPv4 ranges that are not publicly routable: [first octets as a 32-bit number, prefix length, what]. */
const V4_RANGES: readonly (readonly [number, number, string])[] = [
  [0x00000000, 8, "\"this network\" (0.0.0.0/8)"],
  [0x0a000000, 8, "private (RFC 1918, 10.0.0.0/8)"],
  [0x64400000, 10, "shared/CGNAT (RFC 6598, 100.64.0.0/10)"],
  [0x7f000000, 8, "loopback (127.0.0.0/8)"],
  [0xa9fe0000, 16, "link-local (169.254.0.0/16)"],
  [0xac100000, 12, "private (RFC 1918, 172.16.0.0/12)"],
  [0xc0000000, 24, "IETF protocol assignments (192.0.0.0/24)"],
  [0xc0a80000, 16, "private (RFC 1918, 192.168.0.0/16)"],
  [0xe0000000, 4, "multicast (224.0.0.0/4)"],
  [0xf0000000, 4, "reserved (240.0.0.0/4, incl. broadcast)"],
];

function v4Number(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

function v4Reason(ip: string): string | undefined {
  const n = v4Number(ip);
  for (const [base, len, what] of V4_RANGES) {
    const size = 2 ** (32 - len);
    if (n >= base && n < base + size) return what;
  }
  return undefined;
}

/** The 8 groups of an IPv6 address as numbers (the embedded IPv4 tail becomes two groups). */
function v6Groups(ip: string): number[] {
  const expand = (s: string): number[] => {
    if (s === "") return [];
    const out: number[] = [];
    for (const g of s.split(":")) {
      if (g.includes(".")) {
        const n = v4Number(g);
        out.push(Math.floor(n / 65536), n % 65536);
      } else out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const halves = ip.split("::");
  const head = expand(halves[0]!);
  const tail = halves.length === 2 ? expand(halves[1]!) : [];
  const fill = halves.length === 2 ? new Array<number>(8 - head.length - tail.length).fill(0) : [];
  return [...head, ...fill, ...tail];
}

function v6Reason(ip: string): string | undefined {
  const g = v6Groups(ip);
  const zeroTo = (k: number) => g.slice(0, k).every((x) => x === 0);
  if (zeroTo(8)) return "unspecified (::)";
  if (zeroTo(7) && g[7] === 1) return "loopback (::1)";
  if (zeroTo(5) && g[5] === 0xffff) {
    const v4 = `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
    const r = v4Reason(v4);
    return r ? `IPv4-mapped ${r}` : undefined;
  }
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return "local-use NAT64 (64:ff9b:1::/48)";
  if (g[0] === 0x100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return "discard-only (100::/64)";
  if ((g[0]! & 0xfe00) === 0xfc00) return "unique local (fc00::/7)";
  if ((g[0]! & 0xffc0) === 0xfe80) return "link-local (fe80::/10)";
  if ((g[0]! & 0xffc0) === 0xfec0) return "site-local, deprecated (fec0::/10)";
  if ((g[0]! & 0xff00) === 0xff00) return "multicast (ff00::/8)";
  if (zeroTo(6)) return "IPv4-compatible, deprecated (::/96)";
  return undefined;
}

/**
 * Why `ip` is not publicly routable (e.g. `"private (RFC 1918, 10.0.0.0/8)"`), or undefined for
 * a public address and for anything that is not a literal IPv4/IPv6 address.
 */
export function nonRoutableReason(ip: string): string | undefined {
  if (typeof ip !== "string") return undefined;
  if (isIPv4(ip)) return v4Reason(ip);
  if (isIPv6(ip)) return v6Reason(ip);
  return undefined;
}

/** True for a literal IP address that is private, loopback, link-local, multicast or reserved. */
export function isNonRoutableAddress(ip: string): boolean {
  return nonRoutableReason(ip) !== undefined;
}
