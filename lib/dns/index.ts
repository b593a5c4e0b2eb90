/**
 * DNS adapters: turn "set this record to this IP" into ONE static HTTP request that a Runlater
 * endpoint stores and replays at the next outage. Pure code shared by the Pulumi component and
 * the CDKTF construct: no engine, no HTTP library.
 *
 * ```ts
 * const issues = validateDnsTarget(target, "203.0.113.50");
 * const req = buildDnsUpdateRequest(target, "203.0.113.50"); // { method, url, headers, body, … }
 * console.log(describeRequest(req));                          // secrets redacted
 * ```
 */
export * from "./types";
export {
  DnsInputError,
  isDotSegment,
  MAX_FIELD_LENGTH,
  DNS_RECORD_TYPES,
  FAILOVER_TTL_WARN_ABOVE,
  isHostname,
  isIPv4,
  isIPv6,
  looksLikeToken,
} from "./common";
export * from "./address";
export * from "./cloudflare";
export * from "./digitalocean";
export * from "./hetzner";
export * from "./porkbun";
export * from "./generic";
export * from "./providers";
export * from "./describe";
