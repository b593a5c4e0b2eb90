/**
 * Program-side helpers for the resource classes (they run in the Pulumi program, never in the
 * provider process).
 */
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
    super(`pulumi-nodejs:dynamic/runlater:${type}`, name, { ...props, __provider: shim.text }, opts);
  }
}
