/**
 * Pulumi bindings: `HealthCheckTask`, `ForwardEndpoint`, `HeartbeatMonitor` (dynamic resources) and `DnsFailover`
 * (component). Import from `runlater-iac/pulumi`.
 * @module runlater-iac/pulumi
 */
export * from "./forward-endpoint";
export * from "./health-check-task";
export * from "./heartbeat-monitor";
export { clearProviderConfig, PROVIDER_SHIM_MARKER, SCHEMA_VERSION, UNKNOWN_SENTINEL } from "./provider-support";
export * from "./dns-failover";
export * from "./local-engine";
export { mergeSecretOutputs } from "./resource-support";
