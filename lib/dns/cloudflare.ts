/**
 * Cloudflare adapter (API v4): `PATCH` (default) or `PUT`
 * `/zones/{zoneId}/dns_records/{recordId}`, `Authorization: Bearer <token>`.
 */
import {
  baseUrl,
  checkBaseUrl,
  checkContent,
  checkRequiredString,
  checkTtl,
  checkType,
  encodeSegment,
  need,
  err,
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
  need(target.apiToken, "dns.apiToken");
  const method = target.method ?? "PATCH";
  const url =
    `${baseUrl(target.apiBaseUrl, CLOUDFLARE_API_BASE_URL)}/zones/${encodeSegment(target.zoneId, isUnresolved)}` +
    `/dns_records/${encodeSegment(target.recordId, isUnresolved)}`;
  const body =
    method === "PUT"
      ? jsonBody({
          type: target.type ?? "A",
          name: target.name,
          content,
          ttl: target.ttl,
          proxied: target.proxied,
        })
      : jsonBody({ content, ttl: target.ttl, proxied: target.proxied });
  return {
    method,
    url,
    headers: { Authorization: `Bearer ${target.apiToken}`, "Content-Type": "application/json" },
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
    const n = String(target.name);
    if (n !== "@" && !isHostname(n.startsWith("*.") ? n.slice(2) : n)) {
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
  return issues;
}
