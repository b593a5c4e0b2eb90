/**
 * Hetzner adapter (Cloud API DNS, RRSets):
 * `POST /zones/{zone}/rrsets/{name}/{type}/actions/set_records` with `{"records":[{"value"}]}`,
 * `Authorization: Bearer <token>`. The legacy DNS Console API is rejected.
 *
 * `set_records` cannot change the RRSet's TTL (hcloud-go `schema/zone_rrset.go`: its request has
 * `records` only), and an RRSet created without a TTL uses the zone's default (often 3600 s). So
 * the TTL must be set once at build time with the `change_ttl` action
 * ({@link buildHetznerChangeTtlRequest}) and declared in `dns.ttl`, which the validator checks
 * against the failover's needs. The change is asynchronous: the call answers 201 with an action
 * (`running`, then `success` or `error`); a second action on the same RRSet while one runs can be
 * refused with `locked`.
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
  DnsInputError,
  FAILOVER_TTL_WARN_ABOVE,
  highTtlWarning,
  checkSegment,
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
  if (legacy) throw new DnsInputError(legacy, HETZNER_LEGACY_MESSAGE);
  const value = needContent(content, isUnresolved);
  return {
    method: "POST",
    url: `${rrsetUrl(target, isUnresolved)}/actions/set_records`,
    headers: { Authorization: `Bearer ${needString(target.apiToken, "dns.apiToken", isUnresolved, true)}`, "Content-Type": "application/json" },
    body: JSON.stringify({ records: [{ value }] }),
    secretHeaderNames: ["Authorization"],
    bodyIsSecret: false,
  };
}

/** `{base}/zones/{zone}/rrsets/{name}/{type}` with every segment encoded (dot segments refused). */
function rrsetUrl(target: HetznerDnsTarget, isUnresolved: (v: unknown) => boolean): string {
  need(target.zone, "dns.zone");
  need(target.name, "dns.name");
  return (
    `${baseUrl(target.apiBaseUrl, HETZNER_API_BASE_URL)}/zones/${encodeSegment(target.zone, isUnresolved, "dns.zone")}` +
    `/rrsets/${encodeSegment(target.name, isUnresolved, "dns.name")}/${encodeSegment(target.type ?? "A", isUnresolved, "dns.type")}`
  );
}

/**
 * The build-time request that sets the RRSet's TTL (`change_ttl`), which the stored
 * `set_records` request cannot do: `POST …/rrsets/{name}/{type}/actions/change_ttl` with
 * `{"ttl": <seconds>}` (`null` = the zone default). Send it once when the failover is set up (it
 * is asynchronous too: poll `GET /v1/actions/{id}` until `success`), then declare the same value in
 * `dns.ttl`. Not meant to be stored in a Runlater endpoint.
 */
export function buildHetznerChangeTtlRequest(target: HetznerDnsTarget, ttl: number | null, opts?: DnsOptions): ForwardRequest {
  const isUnresolved = unresolvedPredicate(opts);
  const legacy = hetznerLegacyField(target, isUnresolved);
  if (legacy) throw new DnsInputError(legacy, HETZNER_LEGACY_MESSAGE);
  if (ttl !== null && !(typeof ttl === "number" && Number.isInteger(ttl) && ttl >= HETZNER_MIN_TTL && ttl <= HETZNER_MAX_TTL)) {
    throw new DnsInputError("ttl", `must be null (zone default) or an integer from ${HETZNER_MIN_TTL} to ${HETZNER_MAX_TTL} seconds, got ${show(ttl)}`);
  }
  return {
    method: "POST",
    url: `${rrsetUrl(target, isUnresolved)}/actions/change_ttl`,
    headers: { Authorization: `Bearer ${needString(target.apiToken, "dns.apiToken", isUnresolved, true)}`, "Content-Type": "application/json" },
    body: JSON.stringify({ ttl }),
    secretHeaderNames: ["Authorization"],
    bodyIsSecret: false,
  };
}

/** Lowest RRSet TTL the validator accepts, seconds (no documented minimum was found; the emulator refuses less). */
export const HETZNER_MIN_TTL = 60;
/** Highest RRSet TTL, seconds (a signed 32-bit integer). */
export const HETZNER_MAX_TTL = 2147483647;
/** The usual zone default TTL a new RRSet gets when created without one, seconds. */
export const HETZNER_TYPICAL_ZONE_TTL = 3600;

const CHANGE_TTL_HOWTO =
  'set it once at build time with POST /v1/zones/{zone}/rrsets/{name}/{type}/actions/change_ttl {"ttl": 60} (buildHetznerChangeTtlRequest), then declare it here (dns.ttl: 60)';

/**
 * Checks the TTL the user declares for the RRSet against the failover's needs. The stored
 * `set_records` request cannot change it, so an undeclared or zone-default TTL (often 3600 s)
 * means clients may keep the dead address for up to an hour.
 */
function checkDeclaredTtl(issues: DnsIssue[], ttl: unknown, isUnresolved: (v: unknown) => boolean): void {
  if (isUnresolved(ttl)) return;
  if (ttl === undefined) {
    issues.push(
      warn(
        "dns.ttl",
        `is not declared: set_records cannot change the RRSet's TTL, and an RRSet created without one uses the zone default (often ${HETZNER_TYPICAL_ZONE_TTL} s), so a failover can take an hour to reach clients; ${CHANGE_TTL_HOWTO}`,
      ),
    );
    return;
  }
  if (ttl === null) {
    issues.push(
      warn(
        "dns.ttl",
        `is null (the zone default, often ${HETZNER_TYPICAL_ZONE_TTL} s): clients may keep the dead address for that long after a failover; ${CHANGE_TTL_HOWTO}`,
      ),
    );
    return;
  }
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < HETZNER_MIN_TTL || ttl > HETZNER_MAX_TTL) {
    issues.push(err("dns.ttl", `must be the RRSet's TTL: an integer from ${HETZNER_MIN_TTL} to ${HETZNER_MAX_TTL} seconds, or null for the zone default, got ${show(ttl)}`));
    return;
  }
  if (ttl > FAILOVER_TTL_WARN_ABOVE) issues.push(highTtlWarning(ttl, ` (${CHANGE_TTL_HOWTO.replace("then declare it here (dns.ttl: 60)", "then update dns.ttl")})`));
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
    } else if (
      typeof zone === "number"
        ? !(Number.isSafeInteger(zone) && zone > 0)
        : typeof zone !== "string" || zone.length > 253 || !(/^[1-9][0-9]*$/.test(zone) || (isHostname(zone) && !zone.endsWith(".")))
    ) {
      issues.push(err("dns.zone", `must be a zone id (positive integer) or a zone name without trailing dot (e.g. "example.com"), got ${show(zone)}`));
    }
  }
  if (
    checkRequiredString(issues, "dns.name", target.name, 'the RRSet name relative to the zone ("www", or "@" for the apex)', isUnresolved) &&
    !isUnresolved(target.name) &&
    checkSegment(issues, "dns.name", target.name, isUnresolved)
  ) {
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
  checkDeclaredTtl(issues, target.ttl, isUnresolved);
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
