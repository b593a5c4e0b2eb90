/**
 * Porkbun adapter (API v3): `POST /dns/editByNameType/{domain}/{type}[/{subdomain}]` with the
 * API keys in the JSON body (so the body is secret).
 */
import {
  baseUrl,
  checkBaseUrl,
  checkContent,
  checkRequiredString,
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
  warn,
} from "./common";
import type { DnsIssue, DnsOptions, ForwardRequest, PorkbunDnsTarget } from "./types";

/** Porkbun's API base URL (the old `porkbun.com/api/json/v3` host stopped working in Dec 2024). */
export const PORKBUN_API_BASE_URL = "https://api.porkbun.com/api/json/v3";

/** Porkbun's minimum (and default) TTL, seconds. */
export const PORKBUN_MIN_TTL = 600;

/** True when `subdomain` means the apex (omitted, empty or `@`). */
function isApex(subdomain: unknown): boolean {
  return subdomain === undefined || subdomain === null || subdomain === "" || subdomain === "@";
}

/** Builds the stored Porkbun editByNameType request. The apex is addressed by omitting the subdomain segment. */
export function buildPorkbunRequest(target: PorkbunDnsTarget, content: string, opts?: DnsOptions): ForwardRequest {
  const isUnresolved = unresolvedPredicate(opts);
  need(target.domain, "dns.domain");
  const apikey = needString(target.apiKey, "dns.apiKey", isUnresolved, true);
  const secretapikey = needString(target.secretApiKey, "dns.secretApiKey", isUnresolved, true);
  let url =
    `${baseUrl(target.apiBaseUrl, PORKBUN_API_BASE_URL)}/dns/editByNameType/${encodeSegment(target.domain, isUnresolved, "dns.domain")}` +
    `/${encodeSegment(target.type ?? "A", isUnresolved, "dns.type")}`;
  if (!isApex(target.subdomain)) url += `/${encodeSegment(target.subdomain, isUnresolved, "dns.subdomain")}`;
  const ttl = optionalKind(target.ttl, "dns.ttl", "number", isUnresolved);
  return {
    method: "POST",
    url,
    headers: { "Content-Type": "application/json" },
    body: jsonBody({
      apikey,
      secretapikey,
      content: needContent(content, isUnresolved),
      ttl: ttl === undefined ? undefined : String(ttl),
    }),
    secretHeaderNames: [],
    bodyIsSecret: true,
  };
}

/** Validates a Porkbun target and the content it would set. */
export function validatePorkbunTarget(target: PorkbunDnsTarget, content: string | undefined, opts?: DnsOptions): DnsIssue[] {
  const isUnresolved = unresolvedPredicate(opts);
  const issues: DnsIssue[] = [];
  if (checkRequiredString(issues, "dns.domain", target.domain, 'the domain name, e.g. "example.com"', isUnresolved) && !isUnresolved(target.domain)) {
    if (!isHostname(target.domain) || target.domain.endsWith(".")) {
      issues.push(err("dns.domain", `must be a domain name without trailing dot (e.g. "example.com"), got ${show(target.domain)}`));
    }
  }
  const sub = target.subdomain;
  if (!isApex(sub) && !isUnresolved(sub)) {
    const d = typeof target.domain === "string" && !isUnresolved(target.domain) ? target.domain.toLowerCase() : undefined;
    if (typeof sub !== "string") {
      issues.push(err("dns.subdomain", `must be a string ("www", "*"), or omitted for the apex, got ${show(sub)}`));
    } else if (d !== undefined && (sub.toLowerCase() === d || sub.toLowerCase().endsWith(`.${d}`))) {
      const rel = sub.toLowerCase() === d ? "omit it" : `use ${show(sub.slice(0, sub.length - d.length - 1))}`;
      issues.push(err("dns.subdomain", `must be relative to the domain, not a FQDN: got ${show(sub)}, ${rel}`));
    } else if (!isRelativeName(sub)) {
      issues.push(err("dns.subdomain", `must be a name relative to the domain ("www", "*"), or omitted for the apex, got ${show(sub)}`));
    }
  }
  // Keys: never echo them; do catch the swapped-keys mistake by prefix.
  if (checkRequiredString(issues, "dns.apiKey", target.apiKey, "the Porkbun API key (pk1_…)", isUnresolved, true) && !isUnresolved(target.apiKey)) {
    if (target.apiKey.startsWith("sk1_")) issues.push(err("dns.apiKey", "holds a secret API key (sk1_…): apiKey takes the pk1_… key and secretApiKey the sk1_… key"));
  }
  if (
    checkRequiredString(issues, "dns.secretApiKey", target.secretApiKey, "the Porkbun secret API key (sk1_…)", isUnresolved, true) &&
    !isUnresolved(target.secretApiKey)
  ) {
    if (target.secretApiKey.startsWith("pk1_")) {
      issues.push(err("dns.secretApiKey", "holds a public API key (pk1_…): secretApiKey takes the sk1_… key and apiKey the pk1_… key"));
    }
  }
  checkBaseUrl(issues, "dns.apiBaseUrl", target.apiBaseUrl, isUnresolved);
  if (typeof target.apiBaseUrl === "string" && target.apiBaseUrl.length < 4096 && /^https?:\/\/(?:www\.)?porkbun\.com(?:[/:]|$)/i.test(target.apiBaseUrl)) {
    issues.push(err("dns.apiBaseUrl", `the porkbun.com host stopped serving the API on 2024-12-01: use ${PORKBUN_API_BASE_URL}`));
  }
  const type = checkType(issues, target.type, isUnresolved);
  const ttl = target.ttl;
  if (ttl !== undefined && ttl !== null && !isUnresolved(ttl)) {
    if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1) {
      issues.push(err("dns.ttl", `must be an integer number of seconds (Porkbun's minimum and default is ${PORKBUN_MIN_TTL}), got ${show(ttl)}`));
    } else if (ttl < PORKBUN_MIN_TTL) {
      issues.push(
        warn(
          "dns.ttl",
          `${ttl} s is below Porkbun's minimum of ${PORKBUN_MIN_TTL} s and will be raised to ${PORKBUN_MIN_TTL}: clients may keep using the dead server for up to ${PORKBUN_MIN_TTL} s after the switch. Set ttl: ${PORKBUN_MIN_TTL}, or use a provider with a lower floor`,
        ),
      );
    } else if (ttl > FAILOVER_TTL_WARN_ABOVE) {
      issues.push(highTtlWarning(ttl, ` where the provider allows it (Porkbun's floor is ${PORKBUN_MIN_TTL} s)`));
    }
  }
  checkContent(issues, type, content, isUnresolved);
  return issues;
}
