/**
 * Pieces shared by the dynamic providers, and the provider shim: what every runlater-iac dynamic
 * resource stores as `__provider` in state instead of a serialized closure (see
 * {@link providerShim}). The provider code runs in Pulumi's provider process, loaded from the
 * installed package; it keeps no module-level state: configuration lives on a `globalThis`
 * registry filled by `configure`, and clients are built per call.
 */
import * as path from "node:path";
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

/** First line of every shim text: marks `__provider` values written by this mechanism (v1 texts are rewritten once, see {@link hasLegacyProvider}). */
export const PROVIDER_SHIM_MARKER = "//runlater-iac shim v2";

/** The package name the shim requires the implementation by. */
const PACKAGE_NAME = "runlater-iac";

/** What a dynamic resource stores as `__provider`, and where that text loads the provider from. */
export interface ProviderShim {
  /**
   * The `__provider` text: a CommonJS module whose `handler()` returns the provider instance,
   * `require`d at run time. About 110 bytes installed (0.1's serialized closures: ~22 KiB
   * installed, ~60 KiB from a checkout), and the same text for every SDK version. State holds it
   * twice per resource (inputs and outputs), so every byte counts 16 times per failover.
   */
  readonly text: string;
  /** Request the provider process resolves from the program directory, e.g. `runlater-iac/dist/pulumi/health-check-task.js`. */
  readonly request: string;
  /** Name of the module export that holds the provider instance. */
  readonly exportName: string;
  /**
   * Absolute path of the compiled module, tried when `request` does not resolve: only when the
   * package runs from a checkout (not from a `node_modules` directory). `undefined` otherwise.
   */
  readonly fallback?: string;
}

/**
 * The shim for the provider exported as `exportName` by this package's module `subpath` (its path
 * under `dist/` without extension, e.g. `pulumi/health-check-task`).
 *
 * Pulumi's provider process runs `requireFromString(__provider).handler()` with the program
 * directory as working directory, so `require("runlater-iac/dist/…")` there finds the package the
 * program uses (the `./dist/*` export); without the package there, Node's error names it
 * (`Cannot find module 'runlater-iac/dist/pulumi/…'`). Running from this checkout, the package
 * is not in any `node_modules` above the program, so the text also falls back to the compiled
 * file's absolute path (`npm run build` writes dist/; under ts-jest too, the provider runs from
 * dist/): longer, and only ever written by a checkout.
 *
 * Consequences: `read`/`delete` run the installed version's code, not the version that wrote the
 * state (every version reads outputs of earlier ones, see `SCHEMA_VERSION`); the package must be
 * installed where the program runs, also for `pulumi destroy`.
 */
export function providerShim(subpath: string, exportName: string): ProviderShim {
  if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*$/.test(subpath) || !/^[A-Za-z_$][\w$]*$/.test(exportName)) {
    throw new Error(`providerShim: ${JSON.stringify(subpath)} is not a dist/ module path or ${JSON.stringify(exportName)} not an export name`);
  }
  const root = path.resolve(__dirname, "..", "..");
  const request = `${PACKAGE_NAME}/dist/${subpath}.js`;
  const fromCheckout = !root.split(path.sep).includes("node_modules");
  const fallback = fromCheckout ? path.join(root, "dist", `${subpath}.js`) : undefined;
  const load = (file: string) => `require(${JSON.stringify(file)}).${exportName}`;
  const text = fallback
    ? `${PROVIDER_SHIM_MARKER}\nexports.handler=()=>{try{return ${load(request)}}catch(e){if(e.code!=="MODULE_NOT_FOUND")throw e;return ${load(fallback)}}}`
    : `${PROVIDER_SHIM_MARKER}\nexports.handler=()=>${load(request)}`;
  return { text, request, exportName, fallback };
}

/**
 * True when recorded outputs carry a `__provider` that is not the current shim (a serialized
 * closure written by runlater-iac ≤ 0.1, or a longer v1 shim): `diff` then reports a change
 * once, so the next `up` rewrites the state with the shim (an update makes one GET, no write).
 */
export function hasLegacyProvider(olds: unknown): boolean {
  const p = (olds as Record<string, unknown> | undefined)?.__provider;
  return typeof p === "string" && !p.startsWith(PROVIDER_SHIM_MARKER);
}
