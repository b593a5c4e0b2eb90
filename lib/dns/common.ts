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

/**
 * An input the adapters cannot use. The message starts with the field name (`dns.zoneId: …`)
 * and never holds a secret value.
 */
export class DnsInputError extends Error {
  /** Field path, e.g. `dns.recordId`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "DnsInputError";
    this.field = field;
  }
}

/** Longest string accepted in an id, name, token or URL field (longer values are refused, in bounded time). */
export const MAX_FIELD_LENGTH = 2048;

/** The effective "not known yet" predicate: the caller's (a throwing predicate counts as "known"), plus the token heuristic. */
export function unresolvedPredicate(opts?: DnsOptions): (value: unknown) => boolean {
  const custom = opts !== null && typeof opts === "object" ? opts.isUnresolved : undefined;
  return (value: unknown) => {
    if (looksLikeToken(value)) return true;
    if (typeof custom !== "function" || value === undefined) return false;
    try {
      return custom(value) === true;
    } catch {
      return false;
    }
  };
}

/**
 * URL-encodes one path segment, leaving unresolved tokens verbatim. `@` stays readable (a valid
 * pchar). Throws a {@link DnsInputError} for values that are not a string or a finite number, and
 * for `.`/`..` (URL parsers resolve them, so they would change the request's path).
 */
export function encodeSegment(value: unknown, isUnresolved: (v: unknown) => boolean, field = "dns"): string {
  if (isUnresolved(value)) return tokenString(value, field);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string" || value === "") throw new DnsInputError(field, `must be a non-empty string, got ${show(value)}`);
  if (value.length > MAX_FIELD_LENGTH) throw new DnsInputError(field, `is too long (${value.length} characters, at most ${MAX_FIELD_LENGTH})`);
  if (isDotSegment(value)) throw new DnsInputError(field, `must not be ${show(value)}: a dot segment changes the request's path`);
  return encodeURIComponent(value).replace(/%40/g, "@");
}

/** The text of an unresolved engine value (a CDKTF token string; a Pulumi value the caller flagged). */
export function tokenString(value: unknown, field: string): string {
  if (typeof value === "string") return value;
  try {
    const s = String(value);
    if (typeof s === "string") return s;
  } catch {
    // fall through
  }
  throw new DnsInputError(field, `is an unresolved value that cannot be turned into text (${show(value)})`);
}

/** True for `.` and `..` (also percent-encoded: `%2e`, `.%2E`), which URL parsers resolve as path steps. */
export function isDotSegment(value: string): boolean {
  return /^(?:\.|%2e){1,2}$/i.test(value);
}

/** Base URL without trailing slashes (token strings never end with a slash, so this is safe on them). */
export function baseUrl(given: unknown, fallback: string, field = "dns.apiBaseUrl"): string {
  if (given === undefined || given === null || given === "") return fallback;
  if (typeof given !== "string") throw new DnsInputError(field, `must be a string URL, got ${show(given)}`);
  if (given.length > MAX_FIELD_LENGTH) throw new DnsInputError(field, `is too long (${given.length} characters, at most ${MAX_FIELD_LENGTH})`);
  return given.replace(/\/+$/, "");
}

/** Strict dotted-quad IPv4 (no leading zeros, each octet 0..255). */
export function isIPv4(value: string): boolean {
  if (typeof value !== "string" || value.length > 15) return false;
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
  if (typeof value !== "string") return false;
  if (value === "@" || value === "*") return true;
  const v = value.startsWith("*.") ? value.slice(2) : value;
  return !v.endsWith(".") && isHostname(v);
}

/** Longest string shown verbatim in a message; longer ones are cut (with their length). */
const SHOW_MAX = 80;

/**
 * Shows a non-secret value in a message, in bounded time and size, for ANY JavaScript value:
 * it never calls the value's own `toString`/`toJSON`/getters (null-prototype objects, Proxies,
 * cyclic or 50k-deep structures, BigInt and Symbol are all fine). Objects and arrays are shown
 * by kind and size only.
 */
export function show(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value.length <= SHOW_MAX ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, SHOW_MAX))}… (${value.length} characters)`;
    case "number":
    case "boolean":
      return String(value);
    case "bigint":
      return `a BigInt`;
    case "undefined":
      return "undefined";
    case "symbol":
      return "a Symbol";
    case "function":
      return "a function";
    default:
      if (value === null) return "null";
      try {
        if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? "" : "s"}`;
      } catch {
        return "an object";
      }
      return "an object";
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
  if (value.length > MAX_FIELD_LENGTH) {
    issues.push(err(field, `is too long (${value.length} characters, at most ${MAX_FIELD_LENGTH})`));
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
  if (typeof value !== "string" || value.length > MAX_FIELD_LENGTH) {
    issues.push(err(field, `must be an absolute http(s) URL string of at most ${MAX_FIELD_LENGTH} characters, got ${typeof value === "string" ? `${value.length} characters` : show(value)}`));
    return;
  }
  let u: URL;
  try {
    u = new URL(value);
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
  if (value === undefined || value === null || value === "") throw new DnsInputError(field, "is required");
}

/** Throws unless `value` is a string (or unresolved): for values copied into headers or bodies. */
export function needString(value: unknown, field: string, isUnresolved: (v: unknown) => boolean, secret = false): string {
  need(value, field);
  if (isUnresolved(value)) return tokenString(value, field);
  if (typeof value !== "string") throw new DnsInputError(field, `must be a string, got ${secret ? typeof value : show(value)}`);
  if (value.length > MAX_FIELD_LENGTH) throw new DnsInputError(field, `is too long (${value.length} characters, at most ${MAX_FIELD_LENGTH})`);
  if (/[\r\n\0]/.test(value)) throw new DnsInputError(field, "must not contain line breaks or NUL characters");
  return value;
}

/**
 * For values copied into a request body: undefined/null → undefined; otherwise the value must be
 * of `kind` (or unresolved, kept as is). Throws a {@link DnsInputError} otherwise.
 */
export function optionalKind(value: unknown, field: string, kind: "string" | "number" | "boolean", isUnresolved: (v: unknown) => boolean): unknown {
  if (value === undefined || value === null) return undefined;
  if (isUnresolved(value)) return typeof value === "string" ? value : tokenString(value, field);
  if (typeof value !== kind || (kind === "number" && !Number.isFinite(value))) throw new DnsInputError(field, `must be a ${kind}, got ${show(value)}`);
  if (typeof value === "string" && value.length > MAX_FIELD_LENGTH) throw new DnsInputError(field, `is too long (${value.length} characters, at most ${MAX_FIELD_LENGTH})`);
  return value;
}

/** The record content for a request body: a string (or unresolved). */
export function needContent(content: unknown, isUnresolved: (v: unknown) => boolean): string {
  if (isUnresolved(content)) return tokenString(content, "content");
  if (typeof content !== "string" || content === "") throw new DnsInputError("content", `must be a non-empty string (the record content), got ${show(content)}`);
  if (content.length > MAX_FIELD_LENGTH) throw new DnsInputError("content", `is too long (${content.length} characters, at most ${MAX_FIELD_LENGTH})`);
  return content;
}

/** Checks a path id field (`.`/`..` and over-long values are errors). Returns false when an error was added. */
export function checkSegment(issues: DnsIssue[], field: string, value: unknown, isUnresolved: (v: unknown) => boolean): boolean {
  if (typeof value !== "string" || isUnresolved(value)) return true;
  if (isDotSegment(value)) {
    issues.push(err(field, `must not be ${show(value)}: a dot segment would change the stored request's path`));
    return false;
  }
  return true;
}

/** JSON-encodes a body object, dropping `undefined` members. */
export function jsonBody(obj: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) if (obj[k] !== undefined) out[k] = obj[k];
  return JSON.stringify(out);
}
