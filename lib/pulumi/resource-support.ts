/**
 * Program-side helpers for the resource classes (they run in the Pulumi program, never in the
 * provider process).
 */
import * as pulumi from "@pulumi/pulumi";
import { isPrivateHost } from "../runlater/validate";

/** Adds `additionalSecretOutputs` to the caller's options. */
export function mergeSecretOutputs(
  opts: pulumi.CustomResourceOptions | undefined,
  keys: string[],
): pulumi.CustomResourceOptions {
  const existing = opts?.additionalSecretOutputs ?? [];
  return { ...opts, additionalSecretOutputs: [...new Set([...existing, ...keys])] };
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
