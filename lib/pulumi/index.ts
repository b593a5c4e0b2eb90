/**
 * Pulumi bindings: `HealthCheckTask`, `ForwardEndpoint`, `HeartbeatMonitor`, `FailoverObjects` (dynamic
 * resources) and `DnsFailover` (component). Import from `runlater-iac/pulumi`.
 * @module runlater-iac/pulumi
 */
export * from "./forward-endpoint";
export * from "./health-check-task";
export * from "./heartbeat-monitor";
export { FailoverObjects, type FailoverObjectsArgs } from "./failover-objects";
export {
  FailoverObjectsProvider,
  type FailoverObjectsInputs,
  type FailoverObjectsOutputs,
  type OutputObject,
  type RecordedObject,
  type StoredObject,
} from "./failover-objects-provider";
export { clearProviderConfig, PROVIDER_SHIM_MARKER, SCHEMA_VERSION, UNKNOWN_SENTINEL } from "./provider-support";
export * from "./dns-failover";
export * from "./dns-failover-args";
export * from "./record-guard";
export * from "./local-engine";
export { mergeSecretOutputs } from "./resource-support";
