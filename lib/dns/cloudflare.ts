/**
 * Cloudflare adapter (API v4): `PATCH` (default) or `PUT`
 * `/zones/{zoneId}/dns_records/{recordId}`, `Authorization: Bearer <token>`.
 */
import { nonRoutableReason } from "./address";
import {
  baseUrl,
  checkSegment,
  checkBaseUrl,
  checkContent,
  checkRequiredString,
  checkTtl,
  checkType,
  encodeSegment,
  need,
  needContent,
  needString,
  optionalKind,
  err,
  DnsInputError,
  FAILOVER_TTL_WARN_ABOVE,
  highTtlWarning,
  isHostname,
  jsonBody,
  show,
  unresolvedPredicate,
  warn,
} from "./common";
import type { CloudflareDnsTarget, DnsIssue, DnsOptions, ForwardRequest } from "./types";

/** Cloudflare's public API base URL. */
export const CLOUDFLARE_API_BASE_URL = "https://api.cloudflare.com/client/v4";

/** Builds the stored Cloudflare update request. */
export function buildCloudflareRequest(target: CloudflareDnsTarget, content: string, opts?: DnsOptions): ForwardRequest {
  const isUnresolved = unresolvedPredicate(opts);
  need(target.zoneId, "dns.zoneId");
  need(target.recordId, "dns.recordId");
  const token = needString(target.apiToken, "dns.apiToken", isUnresolved, true);
  const method = target.method ?? "PATCH";
  if (method !== "PATCH" && method !== "PUT" && !isUnresolved(method)) throw new DnsInputError("dns.method", `must be "PATCH" or "PUT", got ${show(method)}`);
  const url =
    `${baseUrl(target.apiBaseUrl, CLOUDFLARE_API_BASE_URL)}/zones/${encodeSegment(target.zoneId, isUnresolved, "dns.zoneId")}` +
    `/dns_records/${encodeSegment(target.recordId, isUnresolved, "dns.recordId")}`;
  const value = needContent(content, isUnresolved);
  if (method === "PATCH" && target.patchContentOnly === true) {
    // ttl/proxied are the record resource's to manage: validated (validateCloudflareTarget), not sent.
    return {
      method,
      url,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: jsonBody({ content: value }),
      secretHeaderNames: ["Authorization"],
      bodyIsSecret: false,
    };
  }
  const ttl = optionalKind(target.ttl, "dns.ttl", "number", isUnresolved);
  const proxied = optionalKind(target.proxied, "dns.proxied", "boolean", isUnresolved);
  const body =
    method === "PUT"
      ? jsonBody({
          type: optionalKind(target.type, "dns.type", "string", isUnresolved) ?? "A",
          name: optionalKind(target.name, "dns.name", "string", isUnresolved),
          content: value,
          ttl,
          proxied,
        })
      : jsonBody({ content: value, ttl, proxied });
  return {
    method,
    url,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body,
    secretHeaderNames: ["Authorization"],
    bodyIsSecret: false,
  };
}

/** Validates a Cloudflare target and the content it would set. */
export function validateCloudflareTarget(target: CloudflareDnsTarget, content: string | undefined, opts?: DnsOptions): DnsIssue[] {
  const isUnresolved = unresolvedPredicate(opts);
  const issues: DnsIssue[] = [];
  for (const [key, what] of [
    ["zoneId", "the zone id (32 hex characters, dashboard → Overview)"],
    ["recordId", "the DNS record id (32 hex characters, from GET /zones/{zoneId}/dns_records)"],
  ] as const) {
    const value = target[key];
    if (!checkRequiredString(issues, `dns.${key}`, value, what, isUnresolved)) continue;
    if (isUnresolved(value)) continue;
    if (!checkSegment(issues, `dns.${key}`, value, isUnresolved)) continue;
    if (key === "zoneId" && value.includes(".")) {
      issues.push(err("dns.zoneId", `must be the zone id (32 hex characters), not the zone name: got ${show(value)}. Look it up with GET /zones?name=${value}`));
    } else if (!/^[0-9a-f]{32}$/.test(value)) {
      issues.push(warn(`dns.${key}`, `does not look like a Cloudflare id (32 lower-case hex characters), got ${show(value)}`));
    }
  }
  checkRequiredString(issues, "dns.apiToken", target.apiToken, "a Cloudflare API token with Zone → DNS → Edit", isUnresolved, true);
  checkBaseUrl(issues, "dns.apiBaseUrl", target.apiBaseUrl, isUnresolved);

  const method = target.method;
  if (method !== undefined && !isUnresolved(method) && method !== "PATCH" && method !== "PUT") {
    issues.push(err("dns.method", `must be "PATCH" (default: changes only the content) or "PUT" (overwrites the whole record), got ${show(method)}`));
  }
  const type = checkType(issues, target.type, isUnresolved);
  if (method === "PUT") {
    if (target.name === undefined || target.name === null || target.name === "") {
      issues.push(err("dns.name", 'is required with method "PUT": the full record is overwritten (give the FQDN, e.g. "www.example.com")'));
    }
    issues.push(
      warn(
        "dns.method",
        'PUT overwrites the whole record: comment and tags are cleared, and ttl/proxied go back to their defaults (auto, not proxied) unless given; prefer "PATCH", which changes only the content',
      ),
    );
  }
  if (target.name !== undefined && target.name !== null && target.name !== "" && !isUnresolved(target.name)) {
    const n = target.name;
    if (typeof n !== "string" || (n !== "@" && !isHostname(n.startsWith("*.") ? n.slice(2) : n))) {
      issues.push(err("dns.name", `must be the record's FQDN (e.g. "www.example.com"), got ${show(target.name)}`));
    }
  }
  const ttl = checkTtl(issues, target.ttl, isUnresolved, {
    min: 60,
    max: 86400,
    extra: [1],
    allowed: "1 (automatic) or 60..86400 seconds",
  });
  const proxied = target.proxied;
  if (proxied !== undefined && proxied !== null && !isUnresolved(proxied) && typeof proxied !== "boolean") {
    issues.push(err("dns.proxied", `must be true or false, got ${show(proxied)}`));
  }
  if (proxied === true && target.ttl !== undefined && target.ttl !== null && target.ttl !== 1 && !isUnresolved(target.ttl)) {
    issues.push(warn("dns.ttl", "is ignored by Cloudflare: proxied records always use automatic TTL (the proxy's own addresses do not change on failover)"));
  } else if (ttl !== undefined && ttl > FAILOVER_TTL_WARN_ABOVE) {
    issues.push(highTtlWarning(ttl, ", or 1 (automatic = 300 s)"));
  }
  checkContent(issues, type, content, isUnresolved);
  checkProxiedContent(issues, proxied, content, isUnresolved);
  return issues;
}

/**
 * Cloudflare cannot proxy to an address that is not publicly routable: it answers 400 with 9003
 * ("Target … is not allowed for a proxied record", on create) or 1004 + 9041 ("This DNS record
 * cannot be proxied", on update). `proxied: true` with such content is an error; `proxied` not
 * sent (PATCH keeps the record's setting) is a warning, since the record may already be proxied.
 */
function checkProxiedContent(issues: DnsIssue[], proxied: unknown, content: unknown, isUnresolved: (v: unknown) => boolean): void {
  if (typeof content !== "string" || isUnresolved(content) || isUnresolved(proxied)) return;
  const reason = nonRoutableReason(content);
  if (reason === undefined) return;
  if (proxied === true) {
    issues.push(
      err(
        "content",
        `${show(content)} is a ${reason} address: Cloudflare refuses a proxied record pointing at it (400, 9003 / 1004+9041), so this request would fail at failover time. Use a public address, or set dns.proxied: false`,
      ),
    );
  } else if (proxied === undefined || proxied === null) {
    issues.push(
      warn(
        "content",
        `${show(content)} is a ${reason} address: if the record is proxied (orange cloud), Cloudflare refuses the change (400, 1004+9041). Set dns.proxied: false to send it DNS-only`,
      ),
    );
  }
}
