/**
 * DigitalOcean adapter (API v2): `PUT /domains/{domain}/records/{recordId}` with
 * `{type, data, ttl?}`, `Authorization: Bearer <token>`.
 *
 * DigitalOcean's PUT sets every attribute it is sent (digitalocean/openapi,
 * `specification/resources/domains/domains_update_record.yml`), so the stored request never
 * carries `name`: a name that did not match the record behind `recordId` would rename the record
 * at the moment of failover (an apex would become `www`).
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
  needContent,
  needString,
  optionalKind,
  err,
  FAILOVER_TTL_WARN_ABOVE,
  highTtlWarning,
  isHostname,
  isRelativeName,
  jsonBody,
  show,
  unresolvedPredicate,
} from "./common";
import type { DigitalOceanDnsTarget, DnsIssue, DnsOptions, ForwardRequest } from "./types";

/** DigitalOcean's public API base URL (v2). */
export const DIGITALOCEAN_API_BASE_URL = "https://api.digitalocean.com/v2";

/** Builds the stored DigitalOcean update request. */
export function buildDigitalOceanRequest(target: DigitalOceanDnsTarget, content: string, opts?: DnsOptions): ForwardRequest {
  const isUnresolved = unresolvedPredicate(opts);
  need(target.domain, "dns.domain");
  need(target.recordId, "dns.recordId");
  const token = needString(target.apiToken, "dns.apiToken", isUnresolved, true);
  const url =
    `${baseUrl(target.apiBaseUrl, DIGITALOCEAN_API_BASE_URL)}/domains/${encodeSegment(target.domain, isUnresolved, "dns.domain")}` +
    `/records/${encodeSegment(target.recordId, isUnresolved, "dns.recordId")}`;
  const body = jsonBody({
    type: optionalKind(target.type, "dns.type", "string", isUnresolved) ?? "A",
    data: needContent(content, isUnresolved),
    ttl: optionalKind(target.ttl, "dns.ttl", "number", isUnresolved),
  });
  return {
    method: "PUT",
    url,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body,
    secretHeaderNames: ["Authorization"],
    bodyIsSecret: false,
  };
}

/** Validates a DigitalOcean target and the content it would set. */
export function validateDigitalOceanTarget(target: DigitalOceanDnsTarget, content: string | undefined, opts?: DnsOptions): DnsIssue[] {
  const isUnresolved = unresolvedPredicate(opts);
  const issues: DnsIssue[] = [];
  if (checkRequiredString(issues, "dns.domain", target.domain, 'the domain name, e.g. "example.com"', isUnresolved) && !isUnresolved(target.domain)) {
    if (!isHostname(target.domain) || target.domain.endsWith(".")) {
      issues.push(err("dns.domain", `must be a domain name without trailing dot (e.g. "example.com"), got ${show(target.domain)}`));
    }
  }
  const id = target.recordId;
  if (!isUnresolved(id)) {
    if (id === undefined || id === null || id === "") {
      issues.push(err("dns.recordId", "is required: the record id (a positive integer, from GET /v2/domains/{domain}/records?name=…)"));
    } else if (!(typeof id === "number" ? Number.isSafeInteger(id) && id > 0 : typeof id === "string" && /^[1-9][0-9]*$/.test(id))) {
      issues.push(err("dns.recordId", `must be a positive integer (number or digit string), got ${show(id)}`));
    }
  }
  // `name` is optional and never sent (PUT would rename the record); when given it is checked so
  // a FQDN or a typo is caught.
  if (
    target.name !== undefined &&
    target.name !== null &&
    checkRequiredString(issues, "dns.name", target.name, 'the record name relative to the domain ("www", or "@" for the apex)', isUnresolved) &&
    !isUnresolved(target.name)
  ) {
    const n = target.name as string;
    const d = typeof target.domain === "string" && !isUnresolved(target.domain) ? target.domain.toLowerCase() : undefined;
    if (d !== undefined && (n.toLowerCase() === d || n.toLowerCase().endsWith(`.${d}`))) {
      const rel = n.toLowerCase() === d ? "@" : n.slice(0, n.length - d.length - 1);
      issues.push(err("dns.name", `must be relative to the domain ("www", or "@" for the apex), not a FQDN: got ${show(n)}, use ${show(rel)}`));
    } else if (!isRelativeName(n)) {
      issues.push(err("dns.name", `must be a name relative to the domain ("www", "@" for the apex, no trailing dot), got ${show(n)}`));
    }
  }
  checkRequiredString(issues, "dns.apiToken", target.apiToken, "a DigitalOcean personal access token with write scope", isUnresolved, true);
  checkBaseUrl(issues, "dns.apiBaseUrl", target.apiBaseUrl, isUnresolved);
  const type = checkType(issues, target.type, isUnresolved);
  const ttl = checkTtl(issues, target.ttl, isUnresolved, { min: 30, allowed: "an integer of at least 30 seconds" });
  if (ttl !== undefined && ttl > FAILOVER_TTL_WARN_ABOVE) issues.push(highTtlWarning(ttl));
  checkContent(issues, type, content, isUnresolved);
  return issues;
}
