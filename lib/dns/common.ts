/**
 * Helpers shared by the adapters: token detection, path encoding, IP/host checks and the issue
 * builders. Plain functions and constants only (Pulumi's closure serializer may capture them).
 */
import type { DnsIssue, DnsOptions, DnsRecordType } from "./types";

/** Record types accepted by every adapter. */
export const DNS_RECORD_TYPES: readonly DnsRecordType[] = ["A", "AAAA", "CNAME"];

/** TTL (seconds) above which a failover is slow to take effect: resolvers keep the old answer. */
export const FAILOVER_TTL_WARN_ABOVE = 300;

/** True for values that look like an engine token (`${TfToken[TOKEN.3]}`, `${var.x}`). */
export function looksLikeToken(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/** The effective "not known yet" predicate: the caller's, plus the token heuristic. */
export function unresolvedPredicate(opts?: DnsOptions): (value: unknown) => boolean {
  const custom = opts?.isUnresolved;
  return (value: unknown) => looksLikeToken(value) || (custom !== undefined && value !== undefined && custom(value));
}

/** URL-encodes one path segment, leaving unresolved tokens verbatim. `@` stays readable (a valid pchar). */
export function encodeSegment(value: string | number, isUnresolved: (v: unknown) => boolean): string {
  if (isUnresolved(value)) return String(value);
  return encodeURIComponent(String(value)).replace(/%40/g, "@");
}

/** Base URL without trailing slashes (token strings never end with a slash, so this is safe on them). */
export function baseUrl(given: string | undefined, fallback: string): string {
  const b = given === undefined || given === null || given === "" ? fallback : String(given);
  return b.replace(/\/+$/, "");
}

/** Strict dotted-quad IPv4 (no leading zeros, each octet 0..255). */
export function isIPv4(value: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (!m) return false;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    if (part.length > 1 && part[0] === "0") return false;
    if (Number(part) > 255) return false;
  }
  return true;
}

/** IPv6 in any RFC 4291 text form (`::`, embedded IPv4 tail); no zone index, no brackets. */
export function isIPv6(value: string): boolean {
  if (typeof value !== "string" || value.length < 2 || value.length > 45) return false;
  if (!/^[0-9A-Fa-f:.]+$/.test(value)) return false;
  const halves = value.split("::");
  if (halves.length > 2) return false;
  const groups = (s: string): string[] | null => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === null || tail === null) return false;
  const all = [...head, ...tail];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    const last = i === all.length - 1;
    if (last && g.includes(".")) {
      if (!isIPv4(g)) return false;
      count += 2;
      continue;
    }
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return false;
    count += 1;
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** A DNS host name: labels of letters, digits, `-` and `_`, 1..63 chars each, ≤ 253 in all; optional trailing dot. */
export function isHostname(value: string): boolean {
  if (typeof value !== "string") return false;
  const v = value.endsWith(".") ? value.slice(0, -1) : value;
  if (v.length === 0 || v.length > 253) return false;
  return v.split(".").every((l) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(l));
}

/** A record name relative to a zone: `@`, `*`, `*.sub` or host labels. */
export function isRelativeName(value: string): boolean {
  if (value === "@" || value === "*") return true;
  const v = value.startsWith("*.") ? value.slice(2) : value;
  return !v.endsWith(".") && isHostname(v);
}

/** Shows a non-secret value in a message. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** An error issue. */
export function err(field: string, message: string): DnsIssue {
  return { field, message, severity: "error" };
}

/** A warning issue. */
export function warn(field: string, message: string): DnsIssue {
  return { field, message, severity: "warning" };
}

/** True for `undefined`, `null` and `""`. */
export function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/**
 * Checks a required string field (skipping unresolved values). `secret` fields are never
 * echoed. Returns false when an error was added.
 */
export function checkRequiredString(
  issues: DnsIssue[],
  field: string,
  value: unknown,
  what: string,
  isUnresolved: (v: unknown) => boolean,
  secret = false,
): boolean {
  if (isUnresolved(value)) return true;
  if (isMissing(value)) {
    issues.push(err(field, `is required: ${what}`));
    return false;
  }
  if (typeof value !== "string") {
    issues.push(err(field, `must be a string (${what}), got ${secret ? typeof value : show(value)}`));
    return false;
  }
  if (value.trim() !== value || /\s/.test(value)) {
    issues.push(err(field, `must not contain whitespace${secret ? " (check for a trailing newline when reading it from a file)" : `, got ${show(value)}`}`));
    return false;
  }
  return true;
}

/** Checks the record type; returns the effective type (default A). */
export function checkType(issues: DnsIssue[], value: unknown, isUnresolved: (v: unknown) => boolean): DnsRecordType | undefined {
  if (value === undefined || value === null) return "A";
  if (isUnresolved(value)) return undefined;
  if (typeof value === "string" && (DNS_RECORD_TYPES as readonly string[]).includes(value)) return value as DnsRecordType;
  issues.push(err("dns.type", `must be one of ${DNS_RECORD_TYPES.map((t) => `"${t}"`).join(", ")} (default "A"), got ${show(value)}`));
  return undefined;
}

/** Checks that `content` fits the record type (IPv4 for A, IPv6 for AAAA, a host name for CNAME). */
export function checkContent(
  issues: DnsIssue[],
  type: DnsRecordType | undefined,
  content: string | undefined,
  isUnresolved: (v: unknown) => boolean,
): void {
  if (content === undefined || isUnresolved(content)) return;
  if (typeof content !== "string" || content === "") {
    issues.push(err("content", `must be a non-empty string (the record content, e.g. an IP address), got ${show(content)}`));
    return;
  }
  if (type === "A" && !isIPv4(content)) {
    const hint = isIPv6(content) ? ` (that is an IPv6 address: use type "AAAA")` : "";
    issues.push(err("content", `must be an IPv4 address for an A record (e.g. 203.0.113.50), got ${show(content)}${hint}`));
  } else if (type === "AAAA" && !isIPv6(content)) {
    const hint = isIPv4(content) ? ` (that is an IPv4 address: use type "A")` : "";
    issues.push(err("content", `must be an IPv6 address for an AAAA record (e.g. 2001:db8::50), got ${show(content)}${hint}`));
  } else if (type === "CNAME" && (isIPv4(content) || isIPv6(content) || !isHostname(content))) {
    issues.push(err("content", `must be a host name for a CNAME record (e.g. backup.example.net), got ${show(content)}`));
  }
}

/** Checks an API base URL: absolute http(s); warns about clear-text http to a public host. Never echoes it. */
export function checkBaseUrl(issues: DnsIssue[], field: string, value: unknown, isUnresolved: (v: unknown) => boolean): void {
  if (value === undefined || value === null || isUnresolved(value)) return;
  let u: URL;
  try {
    u = new URL(String(value));
  } catch {
    issues.push(err(field, "must be an absolute http(s) URL (e.g. the emulator's http://127.0.0.1:4010/client/v4)"));
    return;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    issues.push(err(field, `must use http or https, got ${show(u.protocol.replace(/:$/, ""))}`));
    return;
  }
  if (u.username || u.password) {
    issues.push(err(field, "must not contain credentials (user:password@): they would be stored in clear text in the URL"));
  }
  if (u.search || u.hash) {
    issues.push(err(field, "must not contain a query string or fragment: the API path is appended to it"));
  }
  if (u.protocol === "http:" && !isLocalHost(u.hostname)) {
    issues.push(warn(field, "uses plain http: the API credential would travel unencrypted; use https"));
  }
}

/** Loopback, private and `localhost` hosts (where plain http is expected: emulators, tests). */
export function isLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost") || h === "::1") return true;
  const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(h);
  if (!m) return false;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/** Checks a TTL: an integer in [min, max] (or one of `extra`); returns the number when checked and valid. */
export function checkTtl(
  issues: DnsIssue[],
  value: unknown,
  isUnresolved: (v: unknown) => boolean,
  rule: { min: number; max?: number; extra?: number[]; allowed: string },
): number | undefined {
  if (value === undefined || value === null || isUnresolved(value)) return undefined;
  const ok =
    typeof value === "number" &&
    Number.isInteger(value) &&
    ((rule.extra ?? []).includes(value) || (value >= rule.min && (rule.max === undefined || value <= rule.max)));
  if (!ok) {
    issues.push(err("dns.ttl", `must be ${rule.allowed}, got ${show(value)}`));
    return undefined;
  }
  return value as number;
}

/** The seed's footgun: a TTL above 300 s keeps clients on the dead server for up to TTL seconds. */
export function highTtlWarning(ttl: number, extra = ""): DnsIssue {
  return warn(
    "dns.ttl",
    `${ttl} s is high for failover: clients keep using the dead server for up to ${ttl} s after the switch. Use 60..300${extra}`,
  );
}

/**
 * Throws when a field the request cannot be built without is missing. The builders only check
 * presence (validation is `validateDnsTarget`'s job), so a half-configured target fails at
 * build time instead of producing `…/records/undefined`.
 */
export function need(value: unknown, field: string): void {
  if (value === undefined || value === null || value === "") throw new Error(`${field}: is required`);
}

/** JSON-encodes a body object, dropping `undefined` members. */
export function jsonBody(obj: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) if (obj[k] !== undefined) out[k] = obj[k];
  return JSON.stringify(out);
}
