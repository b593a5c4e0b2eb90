/**
 * Which CDK for Terraform core the bindings build on.
 *
 * Two interchangeable cores exist: HashiCorp's `cdktf` (0.21, archived since 2025-12-10) and
 * the community continuation `cdktn` ("CDK Terrain", 0.22+, same API under a new name). Both are
 * optional peer dependencies of runlater-iac; install the one your app uses.
 *
 * **Resolution** (once per process, when `runlater-iac/cdktf` is first loaded):
 * 1. `RUNLATER_CDKTF_CORE=cdktf|cdktn` forces one core; a forced core that is not installed is an
 *    error (no silent fallback).
 * 2. Otherwise `cdktn` if it is installed (it is maintained), else `cdktf`.
 * 3. Neither installed: an error that says what to install.
 *
 * **Why runtime resolution, and why it is safe.** Only the L1 bindings (`RestfulProvider`,
 * `RestfulResource`, `CloudflareProvider`, `CloudflareDnsRecord`) extend core classes; they are
 * defined with the resolved core's `TerraformResource` / `TerraformProvider` as base class, so
 * everything they synthesize is produced by one core. Construct scopes are typed as `Construct`
 * from `constructs`, which both cores share. The two cores also share their runtime markers
 * (`Symbol.for("cdktf/TerraformStack")` etc.) and the global token map, so a cdktf stack
 * synthesizes elements built on cdktn as they are. A cdktn stack synthesizes elements built on
 * cdktf (`@cdktf/provider-*`, or these bindings on cdktf) only once `enableCdktfBindingsInCdktn()`
 * (`./interop`) has adapted cdktf's element class; `DnsFailover` does that for its records and for
 * this library's own core. Use the same core as your app anyway (set `RUNLATER_CDKTF_CORE` if
 * both are installed and your app imports `cdktf`).
 *
 * **Types** come from `./core-types`: cdktf 0.21's where `cdktf` is installed, cdktn's where only
 * cdktn is (cdktn 0.24's API is a strict superset: identical `.d.ts` files plus additions), so a
 * project with either core alone compiles, and this library keeps to the API both cores have.
 */
import type { CoreModule } from "./core-types";

/** The two supported cores. */
export type CoreName = "cdktf" | "cdktn";

/** The core module's API, as this library uses it (cdktf 0.21's surface; cdktn is a superset). */
export type CdktfCore = CoreModule;

/** Environment variable that forces a core: `cdktf` or `cdktn`. */
export const CORE_ENV_VAR = "RUNLATER_CDKTF_CORE";

/** The order tried when no core is forced: the maintained fork first. */
export const CORE_PREFERENCE: readonly CoreName[] = ["cdktn", "cdktf"];

let resolved: { name: CoreName; module: CdktfCore } | undefined;

function isMissing(err: unknown, pkg: string): boolean {
  const e = err as NodeJS.ErrnoException;
  return (
    (e?.code === "MODULE_NOT_FOUND" || e?.code === "ERR_MODULE_NOT_FOUND") &&
    typeof e.message === "string" &&
    e.message.includes(`'${pkg}'`)
  );
}

function tryLoad(name: CoreName): CdktfCore | undefined {
  try {
    // A literal require per name keeps bundlers' static analysis happy.
    return (name === "cdktn" ? require("cdktn") : require("cdktf")) as CdktfCore;
  } catch (err) {
    if (isMissing(err, name)) return undefined;
    throw err; // installed but broken (e.g. a constructs version mismatch): show the real error
  }
}

/**
 * Resolves the core (see the module documentation). The result is cached for the lifetime of
 * the module; the bindings' base classes are fixed when they are first loaded.
 */
export function resolveCore(): { name: CoreName; module: CdktfCore } {
  if (resolved) return resolved;
  const forced = (process.env[CORE_ENV_VAR] ?? "").trim().toLowerCase();
  if (forced !== "" && forced !== "auto") {
    if (forced !== "cdktf" && forced !== "cdktn") {
      throw new Error(
        `${CORE_ENV_VAR} must be "cdktf", "cdktn" or unset (auto: cdktn, then cdktf), got ${JSON.stringify(process.env[CORE_ENV_VAR])}`,
      );
    }
    const module = tryLoad(forced);
    if (!module) {
      throw new Error(
        `${CORE_ENV_VAR}=${forced}, but the package "${forced}" is not installed. Install it (npm install ${forced}) or unset ${CORE_ENV_VAR}.`,
      );
    }
    resolved = { name: forced, module };
    return resolved;
  }
  for (const name of CORE_PREFERENCE) {
    const module = tryLoad(name);
    if (module) {
      resolved = { name, module };
      return resolved;
    }
  }
  throw new Error(
    'runlater-iac/cdktf needs a CDK for Terraform core: install "cdktn" (maintained, recommended) or "cdktf" (archived), together with "constructs".',
  );
}

/** The resolved core module (`require("cdktn")` or `require("cdktf")`). */
export function cdktfCore(): CdktfCore {
  return resolveCore().module;
}

/**
 * The named core module when it is installed (whichever core is resolved), else `undefined`.
 * Does not change which core the bindings use. An installed but broken core throws.
 */
export function cdktfCoreIfInstalled(name: CoreName): CdktfCore | undefined {
  return tryLoad(name);
}

/** Name of the resolved core: `"cdktn"` or `"cdktf"`. */
export function coreName(): CoreName {
  return resolveCore().name;
}

/** `Token.isUnresolved` of the resolved core: true for tokens (references, variables, lazies). */
export function isUnresolved(value: unknown): boolean {
  return cdktfCore().Token.isUnresolved(value);
}
