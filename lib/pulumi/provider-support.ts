/**
 * Pieces shared by the dynamic providers. Everything here runs inside the provider process after
 * Pulumi deserializes the provider, so it keeps no module-level state: configuration lives on a
 * `globalThis` registry filled by `configure`, and clients are built per call.
 */
import { RunlaterClient } from "../runlater/client";
import type { ValidationIssue } from "../runlater/validate";
import type { ApiDialect } from "../runlater/wire";

/** Pulumi's "value not known yet" sentinel as dynamic providers receive it during preview. */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Version of the output schema the providers write. Every provider version must be able to read
 * outputs written by an earlier one: Pulumi runs the provider code stored in state for `read`
 * and `delete` until an input changes.
 */
export const SCHEMA_VERSION = 1;

/** True for a value Pulumi has not resolved yet (preview). */
export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN_SENTINEL;
}

/** True when `v` or anything inside it is unknown. */
export function containsUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v as object).some(containsUnknown);
  return false;
}

/** Provider configuration as read from stack config (or the environment). */
export interface ProviderConfig {
  apiKey?: string;
  apiUrl?: string;
  dialect?: ApiDialect;
  allowPrivateTargets?: boolean;
}

/** Registry slot for the configuration. A function, not a constant: Pulumi's closure serializer cannot capture Symbol values. */
function configKey(): symbol {
  return Symbol.for("runlater-iac.pulumi.provider-config");
}

/**
 * Stores what `configure` read. Called by each provider's `configure`; values are kept in the
 * provider process only, never on the provider object (which Pulumi serializes into state).
 */
export function storeProviderConfig(config: { get(key: string): string | undefined }): void {
  const g = globalThis as unknown as Record<symbol, ProviderConfig | undefined>;
  const allow = config.get("runlater:allowPrivateTargets");
  const dialect = config.get("runlater:apiDialect");
  g[configKey()] = {
    apiKey: config.get("runlater:apiKey") || undefined,
    apiUrl: config.get("runlater:apiUrl") || undefined,
    dialect: dialect === "schedules" || dialect === "legacy" ? dialect : undefined,
    allowPrivateTargets: allow === undefined ? undefined : allow === "true",
  };
}

/** Clears stored configuration (tests). */
export function clearProviderConfig(): void {
  const g = globalThis as unknown as Record<symbol, ProviderConfig | undefined>;
  g[configKey()] = undefined;
}

/**
 * Effective configuration: stack config first (`runlater:apiKey`, `runlater:apiUrl`,
 * `runlater:apiDialect`, `runlater:allowPrivateTargets`), then `RUNLATER_API_KEY`,
 * `RUNLATER_API_URL`, `RUNLATER_API_DIALECT`, `RUNLATER_ALLOW_PRIVATE_TARGETS`.
 */
export function effectiveConfig(): ProviderConfig {
  const g = globalThis as unknown as Record<symbol, ProviderConfig | undefined>;
  const c = g[configKey()] ?? {};
  const envDialect = process.env.RUNLATER_API_DIALECT;
  const envAllow = process.env.RUNLATER_ALLOW_PRIVATE_TARGETS;
  return {
    apiKey: c.apiKey ?? (process.env.RUNLATER_API_KEY || undefined),
    apiUrl: c.apiUrl ?? (process.env.RUNLATER_API_URL || undefined),
    dialect: c.dialect ?? (envDialect === "schedules" || envDialect === "legacy" ? envDialect : undefined),
    allowPrivateTargets: c.allowPrivateTargets ?? (envAllow === "true" || envAllow === "1"),
  };
}

/** A client for the effective configuration. Throws a clear error when no key is configured. */
export function clientFromConfig(): RunlaterClient {
  const c = effectiveConfig();
  return new RunlaterClient({ apiKey: c.apiKey ?? "", baseUrl: c.apiUrl, dialect: c.dialect });
}

/** Validation issues → Pulumi check failures. */
export function toFailures(issues: ValidationIssue[]): { property: string; reason: string }[] {
  return issues.map((i) => ({ property: i.field, reason: i.message }));
}

/** JSON with object keys sorted, so the same object always serializes to the same text. */
export function stableStringify(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Structural equality where `undefined` and `null` are the same ("not set"). */
export function sameValue(a: unknown, b: unknown): boolean {
  if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** The keys among `keys` whose desired value differs from the recorded one. Unknown = changed. */
export function changedKeys(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  keys: readonly string[],
): string[] {
  return keys.filter((k) => containsUnknown(news[k]) || !sameValue(olds[k], news[k]));
}

/** Error for a create that succeeded on the API but failed afterwards: Pulumi keeps the id. */
export function partialCreateError(
  message: string,
  id: string,
  properties: Record<string, unknown>,
): Error & { id: string; properties: Record<string, unknown>; reasons: string[] } {
  const e = new Error(message) as Error & { id: string; properties: Record<string, unknown>; reasons: string[] };
  e.id = id;
  e.properties = properties;
  e.reasons = [message];
  return e;
}
