/**
 * CDK for Terraform bindings (`cdktf` or its maintained fork `cdktn`; see `core.ts` for how the
 * core is chosen): L2 constructs `HealthCheckTask`, `ForwardEndpoint`, `HeartbeatMonitor` and `DnsFailover` on
 * top of hand-written L1 bindings of `magodo/restful` (`RestfulProvider`, `RestfulResource`, `RestfulOperation`) and
 * a minimal Cloudflare v5 binding (`CloudflareProvider`, `CloudflareDnsRecord`).
 * Import from `runlater-iac/cdktf`.
 * @module runlater-iac/cdktf
 */
export { CORE_ENV_VAR, CORE_PREFERENCE, type CdktfCore, type CoreName, cdktfCore, coreName, isUnresolved, resolveCore } from "./core";
export * from "./restful-provider";
export * from "./restful-resource";
export * from "./restful-operation";
export * from "./cloudflare-provider";
export * from "./cloudflare-dns-record";
export * from "./health-check-task";
export * from "./forward-endpoint";
export * from "./heartbeat-monitor";
export * from "./dns-failover";
export { CDKTN_ELEMENT_HOOK, enableCdktfBindingsInCdktn } from "./interop";
