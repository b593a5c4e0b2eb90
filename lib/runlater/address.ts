/**
 * One address-classification rule for every early SSRF check (plan, both engines, client,
 * emulator): which URL hosts Runlater refuses as "private or internal addresses".
 *
 * Production (`app/url_validator.ex`) refuses `localhost`, `*.local`, `*.internal`,
 * `*.localhost` by name, and any host whose literal or resolved address is loopback, RFC 1918,
 * link-local, 0/8, 224.x, 240.x, 255.255.255.255, `::1`, `::`, fc00::/7, fe80::/10 or an
 * IPv4-mapped private address. We classify literals without DNS, with Node's own `net.BlockList`
 * (no dependency), and are slightly stricter where the server's rule has gaps that no public
 * target needs: all of 224/4 and 240/4, 100.64/10 (shared address space), ff00::/8 (IPv6
 * multicast), and IPv4 embedded in NAT64 (`64:ff9b::/96`) or IPv4-compatible (`::a.b.c.d`) forms.
 * Names are compared without a trailing dot (`localhost.` is `localhost`).
 */
import { BlockList, isIP } from "node:net";

/** Why a host is not a public target (`public` when it is one, as far as a literal can tell). */
export type HostClass =
  | "public"
  | "internal-name"
  | "loopback"
  | "private"
  | "link-local"
  | "unspecified"
  | "shared"
  | "multicast"
  | "reserved"
  | "unique-local";

/** `[first address, prefix length, class]` of the IPv4 ranges refused. */
export const PRIVATE_IPV4_RANGES: ReadonlyArray<readonly [string, number, HostClass]> = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.168.0.0", 16, "private"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

/** `[first address, prefix length, class]` of the IPv6 ranges refused (embedded IPv4 is handled separately). */
export const PRIVATE_IPV6_RANGES: ReadonlyArray<readonly [string, number, HostClass]> = [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["fc00::", 7, "unique-local"],
  ["fe80::", 10, "link-local"],
  ["ff00::", 8, "multicast"],
];

/** Name suffixes that never leave the local network (`app/url_validator.ex` `obviously_private_hostname?`). */
export const INTERNAL_NAME_SUFFIXES = [".localhost", ".local", ".internal"] as const;

function classifyV4(ip: string): HostClass {
  for (const [net, prefix, cls] of PRIVATE_IPV4_RANGES) {
    const b = new BlockList();
    b.addSubnet(net, prefix, "ipv4");
    if (b.check(ip, "ipv4")) return cls;
  }
  return "public";
}

/** The IPv4 address inside an IPv4-mapped, IPv4-compatible or NAT64 IPv6 address, if any. */
function embeddedV4(ip6: string): string | undefined {
  const groups = expandV6(ip6);
  if (!groups) return undefined;
  const v4 = `${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zeros(0, 5) && groups[5] === 0xffff) return v4; // ::ffff:a.b.c.d
  if (zeros(0, 6) && (groups[6] !== 0 || groups[7] > 1)) return v4; // ::a.b.c.d (not :: or ::1)
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4; // 64:ff9b::a.b.c.d
  return undefined;
}

/** Eight 16-bit groups of an IPv6 literal (dotted tail allowed), or undefined. */
function expandV6(ip6: string): number[] | undefined {
  let s = ip6.toLowerCase().split("%")[0];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    s = `${s.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const part = (x: string) => (x === "" ? [] : x.split(":").map((g) => Number.parseInt(g, 16)));
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const out = [...head, ...new Array(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return out.length === 8 && out.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? out : undefined;
}

/** The canonical host: lower case, no brackets or trailing dot, numeric IPv4 forms normalised (`0x7f.1` → `127.0.0.1`). */
function canonicalHost(hostname: string): string {
  let h = hostname.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  while (h.endsWith(".")) h = h.slice(0, -1);
  if (isIP(h) === 0 && !h.includes(":") && /^[0-9a-fx.]+$/.test(h)) {
    try {
      h = new URL(`http://${h}/`).hostname; // WHATWG parses 2130706433, 0x7f.1, 017.0.0.1 as IPv4
    } catch {
      /* not a host at all: the URL check reports it */
    }
  }
  return h;
}

/** Classifies a URL host (as `URL.hostname` gives it, or raw) without any DNS lookup. */
export function classifyHost(hostname: string): HostClass {
  if (typeof hostname !== "string" || hostname.length > 253 + 2) return "public";
  const h = canonicalHost(hostname);
  if (h === "localhost" || INTERNAL_NAME_SUFFIXES.some((s) => h.endsWith(s))) return "internal-name";
  const v = isIP(h);
  if (v === 4) return classifyV4(h);
  if (v === 6) {
    const inner = embeddedV4(h);
    if (inner) {
      const cls = classifyV4(inner);
      if (cls !== "public") return cls;
    }
    for (const [net, prefix, cls] of PRIVATE_IPV6_RANGES) {
      const b = new BlockList();
      b.addSubnet(net, prefix, "ipv6");
      if (b.check(h, "ipv6")) return cls;
    }
  }
  return "public";
}

/** True for hosts Runlater refuses as private or internal (see {@link classifyHost}). */
export function isPrivateHost(hostname: string): boolean {
  return classifyHost(hostname) !== "public";
}
