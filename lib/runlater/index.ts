/**
 * Runlater model, wire mapping, validation and the typed HTTP client. No engine imports.
 * @module runlater-iac/runlater
 */
export * from "./client";
export * from "./errors";
export { closeAllPools, DEFAULT_RETRY, type RetryPolicy } from "./http";
export * from "./model";
export * from "./validate";
export { type ApiDialect, routesFor, tolerantWire, WIRE_ALIASES } from "./wire";
export { API_KEY_PATTERN, UUID_PATTERN } from "./client-checks";
export {
  DERIVED_KEY_PREFIX,
  deriveIdempotencyKey,
  IDEMPOTENCY_SCOPE_MAX_CHARS,
  REPLAY_MIN_AGE_MS,
  wasAdoptedByReplay,
} from "./idempotency";
