/**
 * Hetzner adapter (Cloud API DNS, RRSets):
 * `POST /zones/{zone}/rrsets/{name}/{type}/actions/set_records` with `{"records":[{"value"}]}`,
 * `Authorization: Bearer <token>`. The legacy DNS Console API is rejected.
 */
import {
  baseUrl,
  checkBaseUrl,
  checkContent,
  checkRequiredString,
  checkType,
  encodeSegment,
  need,
  err,
  isHostname,
  isRelativeName,
  show,
  unresolvedPredicate,
  warn,
} from "./common";
import type { DnsIssue, DnsOptions, ForwardRequest, HetznerDnsTarget } from "./types";

/** Hetzner Cloud API base URL. */
export const HETZNER_API_BASE_URL = "https://api.hetzner.cloud/v1";

/** Why the legacy Hetzner DNS Console API cannot be used. */
export const HETZNER_LEGACY_MESSAGE =
  "the legacy Hetzner DNS Console API (dns.hetzner.com, Auth-API-Token header) was shut down in May 2026 and now redirects to console.hetzner.com. " +
  "Migrate the zone to the Hetzner Console and use the Cloud API: { provider: \"hetzner\", zone, name, type, apiToken: <Cloud project API token> } " +
  "(old DNS Console tokens do not work with it)";

/** Properties that only exist in legacy (DNS Console) configurations. */
const LEGACY_KEYS = ["legacy", "authApiToken", "apiKey", "recordId", "zoneId", "headers"];

/** Returns the field that marks `target` as a legacy DNS Console config, if any. */
export function hetznerLegacyField(target: HetznerDnsTarget, isUnresolved: (v: unknown) => boolean = () => false): string | undefined {
  const t = target as unknown as Record<string, unknown>;
  for (const k of LEGACY_KEYS) {
    if (k === "legacy" ? t[k] === true || t[k] === "true" : t[k] !== undefined && t[k] !== null) {
      if (k === "headers") {
        const h = t[k];
        if (typeof h === "object" && h !== null && Object.keys(h).some((n) => n.toLowerCase() === "auth-api-token")) return "dns.headers";
        continue;
      }
      return `dns.${k}`;
    }
  }
  const base = t["apiBaseUrl"];
  if (typeof base === "string" && !isUnresolved(base) && /^https?:\/\/dns\.hetzner\.com(?:[/:]|$)/i.test(base)) return "dns.apiBaseUrl";
  return undefined;
}

/** Builds the stored Hetzner Cloud set_records request. Throws for legacy configurations. */
export function buildHetznerRequest(target: HetznerDnsTarget, content: string, opts?: DnsOptions): ForwardRequest {
  const isUnresolved = unresolvedPredicate(opts);
  const legacy = hetznerLegacyField(target, isUnresolved);
  if (legacy) throw new Error(`${legacy}: ${HETZNER_LEGACY_MESSAGE}`);
  need(target.zone, "dns.zone");
  need(target.name, "dns.name");
  need(target.apiToken, "dns.apiToken");
  const url =
    `${baseUrl(target.apiBaseUrl, HETZNER_API_BASE_URL)}/zones/${encodeSegment(target.zone, isUnresolved)}` +
    `/rrsets/${encodeSegment(target.name, isUnresolved)}/${encodeSegment(target.type ?? "A", isUnresolved)}/actions/set_records`;
  return {
    method: "POST",
    url,
    headers: { Authorization: `Bearer ${target.apiToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ records: [{ value: content }] }),
    secretHeaderNames: ["Authorization"],
    bodyIsSecret: false,
  };
}

/** Validates a Hetzner target and the content it would set. */
export function validateHetznerTarget(target: HetznerDnsTarget, content: string | undefined, opts?: DnsOptions): DnsIssue[] {
  const isUnresolved = unresolvedPredicate(opts);
  const issues: DnsIssue[] = [];
  const legacy = hetznerLegacyField(target, isUnresolved);
  if (legacy) return [err(legacy, HETZNER_LEGACY_MESSAGE)];

  const zone = target.zone;
  if (!isUnresolved(zone)) {
    if (zone === undefined || zone === null || zone === "") {
      issues.push(err("dns.zone", 'is required: the zone id or the zone name (e.g. "example.com")'));
    } else if (typeof zone === "number" ? !(Number.isSafeInteger(zone) && zone > 0) : !(/^[1-9][0-9]*$/.test(zone) || (isHostname(zone) && !zone.endsWith(".")))) {
      issues.push(err("dns.zone", `must be a zone id (positive integer) or a zone name without trailing dot (e.g. "example.com"), got ${show(zone)}`));
    }
  }
  if (checkRequiredString(issues, "dns.name", target.name, 'the RRSet name relative to the zone ("www", or "@" for the apex)', isUnresolved) && !isUnresolved(target.name)) {
    const n = target.name;
    const z = typeof zone === "string" && !isUnresolved(zone) && !/^[0-9]+$/.test(zone) ? zone.toLowerCase() : undefined;
    if (z !== undefined && (n.toLowerCase() === z || n.toLowerCase().endsWith(`.${z}`))) {
      const rel = n.toLowerCase() === z ? "@" : n.slice(0, n.length - z.length - 1).toLowerCase();
      issues.push(err("dns.name", `must be relative to the zone ("www", or "@" for the apex), not a FQDN: got ${show(n)}, use ${show(rel)}`));
    } else if (!isRelativeName(n)) {
      issues.push(err("dns.name", `must be a name relative to the zone ("www", "@" for the apex, no trailing dot), got ${show(n)}`));
    } else if (n !== n.toLowerCase()) {
      issues.push(err("dns.name", `must be lower-case (Hetzner RRSet names are lower-case), got ${show(n)}, use ${show(n.toLowerCase())}`));
    }
  }
  checkRequiredString(issues, "dns.apiToken", target.apiToken, "a Hetzner Console (Cloud project) API token with read+write", isUnresolved, true);
  checkBaseUrl(issues, "dns.apiBaseUrl", target.apiBaseUrl, isUnresolved);
  const type = checkType(issues, target.type, isUnresolved);
  const t = target as unknown as Record<string, unknown>;
  if (t["ttl"] !== undefined && t["ttl"] !== null) {
    issues.push(
      warn(
        "dns.ttl",
        "is ignored: set_records cannot change the TTL. Set the RRSet's TTL once at build time (POST …/rrsets/{name}/{type}/actions/change_ttl, 60..300 s for failover)",
      ),
    );
  }
  issues.push(
    warn(
      "dns.provider",
      "info: Hetzner applies the change asynchronously (an action); the HTTP call can succeed while the action later ends in error, which a stored request never sees. Poll GET /v1/actions/{id} or check the record when testing",
    ),
  );
  checkContent(issues, type, content, isUnresolved);
  if (type === "CNAME" && typeof content === "string" && !isUnresolved(content) && isHostname(content) && !content.endsWith(".")) {
    issues.push(warn("content", `Hetzner reads record values in zone-file form: ${show(content)} is relative to the zone; end an absolute target with a dot (${show(`${content}.`)})`));
  }
  return issues;
}
