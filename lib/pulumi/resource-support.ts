/**
 * Program-side helpers for the resource classes (they run in the Pulumi program, never in the
 * provider process).
 */
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { isPrivateHost } from "../runlater/validate";
import type { ProviderShim } from "./provider-support";

/** Adds `additionalSecretOutputs` to the caller's options. */
export function mergeSecretOutputs(
  opts: pulumi.CustomResourceOptions | undefined,
  keys: string[],
): pulumi.CustomResourceOptions {
  const existing = opts?.additionalSecretOutputs ?? [];
  return { ...opts, additionalSecretOutputs: [...new Set([...existing, ...keys])] };
}

/**
 * Wraps the given inputs in `pulumi.secret`, so they are encrypted in the state's inputs too
 * (`additionalSecretOutputs` covers only outputs). Absent values stay absent.
 */
export function secretInputs(props: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out = { ...props };
  for (const k of keys) if (out[k] !== undefined && out[k] !== null) out[k] = pulumi.secret(out[k] as pulumi.Input<unknown>);
  return out;
}

/**
 * Components that already warn about their children's private URLs (DnsFailover validates its
 * health URL itself), so the child stays quiet instead of printing the same warning twice.
 * @internal
 */
export const warnsForChildren = new WeakSet<pulumi.Resource>();

/** Logs a warning at deploy time when a URL targets a private/loopback host. */
export function warnOnPrivateUrl(resource: pulumi.Resource, url: pulumi.Input<string>, field: string): void {
  pulumi.output(url).apply((u) => {
    try {
      const host = new URL(u).hostname;
      if (isPrivateHost(host)) {
        pulumi.log.warn(
          `${field} targets a private or loopback address (${host}). Runlater refuses these; only the local emulator accepts them.`,
          resource,
        );
      }
    } catch {
      /* check() reports malformed URLs */
    }
  });
}

/** A stack frame as the Pulumi SDK sends it (undefined: no position, e.g. a `node:` internal). */
type Frame = { uri: string; line: number; column: number } | undefined;

/** `file://` URL prefixes of this package's code (compiled and sources) and of the Pulumi SDK. */
const OWN_CODE = ["dist", "lib"].map((d) => `${pathToFileURL(path.resolve(__dirname, "..", "..", d)).href}/`);
const SDK_CODE = (() => {
  try {
    return `${pathToFileURL(path.dirname(require.resolve("@pulumi/pulumi/package.json"))).href}/`;
  } catch {
    return undefined;
  }
})();

/**
 * The frames of a registration's stack trace that name the user's code: this package's frames
 * dropped (the source position of a child of `DnsFailover` is the line that made the failover,
 * not a line of dns-failover.js), and only the user's call chain kept, up to where the Pulumi
 * runtime or a compiler hook called the program (frames without a position dropped). Pulumi stores the trace
 * of every resource in state: about 700 bytes each as the SDK sends it, most of them the same
 * runtime frames for every resource.
 */
export function userFrames(frames: readonly Frame[]): Frame[] {
  const isOwn = (f: Frame) => f !== undefined && OWN_CODE.some((p) => f.uri.startsWith(p));
  const isRuntime = (f: Frame) => f !== undefined && ((SDK_CODE !== undefined && f.uri.startsWith(SDK_CODE)) || /\/node_modules\/(ts-node|@cspotcode|tsx)\//.test(f.uri));
  const out: Frame[] = [];
  let i = 0;
  // Leading frames: the SDK's own constructors (if an SDK version skips fewer), this package's, positionless ones.
  while (i < frames.length && (frames[i] === undefined || isOwn(frames[i]) || isRuntime(frames[i]))) i++;
  // Frames without a position (Node internals, anonymous functions the SDK cannot parse) carry nothing: dropped.
  for (; i < frames.length && !isRuntime(frames[i]); i++) if (frames[i] !== undefined && !isOwn(frames[i])) out.push(frames[i]);
  return out;
}

/**
 * Makes the next stack trace the Pulumi SDK takes (`Resource.stackTrace`, taken in the
 * `Resource` constructor) the user's frames only ({@link userFrames}); returns a function that
 * undoes it if the constructor threw before taking one. A no-op on SDKs without stack traces.
 * @internal
 */
export function userStackForNextResource(): () => void {
  const R = pulumi.Resource as unknown as { stackTrace?: (skip: number) => Frame[] };
  const own = Object.getOwnPropertyDescriptor(R, "stackTrace");
  const original = own?.value as ((skip: number) => Frame[]) | undefined;
  if (typeof original !== "function" || !own?.writable) return () => {};
  let done = false;
  const restore = () => {
    if (done) return;
    done = true;
    R.stackTrace = original;
  };
  R.stackTrace = function (this: unknown, skip: number) {
    restore();
    try {
      return userFrames(original.call(this, skip));
    } catch {
      return original.call(this, skip);
    }
  };
  return restore;
}

/**
 * Base class of every runlater-iac dynamic resource. It registers the resource as
 * `pulumi-nodejs:dynamic/runlater:<type>` with the provider's shim text as `__provider`, which is
 * what `pulumi.dynamic.Resource` does with a serialized closure of the provider; so no resource
 * of this package can put provider code into state.
 */
export abstract class RunlaterDynamicResource extends pulumi.CustomResource {
  protected constructor(
    shim: ProviderShim,
    type: string,
    name: string,
    props: Record<string, unknown>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    if (props.__provider !== undefined) throw new Error("A dynamic resource must not define the __provider key");
    const restore = userStackForNextResource();
    try {
      super(`pulumi-nodejs:dynamic/runlater:${type}`, name, { ...props, __provider: shim.text }, opts);
    } finally {
      restore();
    }
  }
}
