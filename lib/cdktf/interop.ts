/**
 * Elements built on `cdktf` 0.21 inside a `cdktn` stack: the prebuilt `@cdktf/provider-*`
 * bindings (there is no `@cdktn/provider-cloudflare` on npm), or this library's own bindings
 * when `RUNLATER_CDKTF_CORE=cdktf` in a cdktn app.
 *
 * cdktn 0.24's `TerraformStack` calls `_resetResolveDiscoveredProviderFeatureUsage()` on every
 * element of the stack before each synthesis (`App.synth`, `Testing.synth`/`fullSynth`). The
 * method is cdktn's addition (an `@internal` member of its `TerraformElement`); cdktf's elements
 * lack it, so synthesis fails with `TypeError: e._resetResolveDiscoveredProviderFeatureUsage is
 * not a function`. cdktn's own implementation returns at once for an element that never
 * registered a provider-feature validation, and a cdktf element cannot register one (cdktf 0.21
 * has no such registration). {@link enableCdktfBindingsInCdktn} gives cdktf's
 * `TerraformElement.prototype` that same no-op, after which cdktf elements synthesize in a cdktn
 * stack to the same JSON as in a cdktf stack (tested with @cdktf/provider-cloudflare 13.9.1 on
 * cdktn 0.24.0). It is the only member cdktn 0.24 calls on elements that cdktf 0.21 lacks.
 *
 * The other direction needs nothing: cdktf's stack calls no cdktn-only member, so cdktn elements
 * synthesize in a cdktf stack as they are.
 */
import { cdktfCoreIfInstalled } from "./core";

/** The member cdktn's `TerraformStack` calls on every element that cdktf's elements lack. */
export const CDKTN_ELEMENT_HOOK = "_resetResolveDiscoveredProviderFeatureUsage";

/** The `TerraformElement.prototype` in the prototype chain of `from` (an element, or an element class), if any. */
function elementPrototype(from: object): object | undefined {
  const start = typeof from === "function" ? (from as { prototype?: unknown }).prototype : from;
  for (let p = start as object | null; p !== null && p !== undefined; p = Object.getPrototypeOf(p)) {
    // `TerraformElement` is the class that owns the static `isTerraformElement` (subclasses inherit it).
    const ctor = (p as { constructor?: unknown }).constructor;
    if (Object.hasOwn(p, "constructor") && typeof ctor === "function" && Object.hasOwn(ctor, "isTerraformElement")) return p;
  }
  return undefined;
}

/**
 * Lets elements built on cdktf 0.21 synthesize inside cdktn stacks (see the module
 * documentation for why this is exact, not a workaround that changes output).
 *
 * Call it once, before `app.synth()`, in a cdktn app that uses `@cdktf/provider-*` bindings
 * **without** handing them to a `DnsFailover` (which calls it for its `record`/`records` and for
 * this library's own core). Idempotent; has no effect on a cdktf stack (cdktf never calls the
 * member) or on cdktn's own elements (they have it).
 *
 * @param from an element, or an element class (e.g. `DnsRecord` of `@cdktf/provider-cloudflare`),
 *   whose core copy to adapt. @default the `cdktf` package as this library resolves it (does
 *   nothing when `cdktf` is not installed)
 * @returns `true` when this call added the member, `false` when the core already had it (cdktn,
 *   or a second call) or no `cdktf` is installed.
 * @throws TypeError when `from` is given and is neither a CDKTF element nor an element class.
 */
export function enableCdktfBindingsInCdktn(from?: object): boolean {
  let target: object | undefined;
  if (from === undefined) {
    const cdktf = cdktfCoreIfInstalled("cdktf");
    if (!cdktf) return false;
    target = cdktf.TerraformElement.prototype;
  } else {
    target = elementPrototype(from);
    if (!target) {
      throw new TypeError("enableCdktfBindingsInCdktn: expected a CDKTF element (a construct built on cdktf or cdktn) or an element class");
    }
  }
  return addHook(target);
}

/**
 * As {@link enableCdktfBindingsInCdktn} for a value that may not be an element (a structural
 * record stand-in): adapts its core when it is one, else does nothing. Internal.
 */
export function adaptElementCore(from: unknown): boolean {
  if (from === null || (typeof from !== "object" && typeof from !== "function")) return false;
  const target = elementPrototype(from as object);
  return target ? addHook(target) : false;
}

function addHook(proto: object): boolean {
  if (CDKTN_ELEMENT_HOOK in proto) return false;
  Object.defineProperty(proto, CDKTN_ELEMENT_HOOK, {
    // cdktn's implementation for an element with no provider-feature registration: nothing to reset.
    value: function resetResolveDiscoveredProviderFeatureUsage(): void {},
    configurable: true,
    writable: true,
    enumerable: false,
  });
  return true;
}
