/**
 * The record guard: a managed Cloudflare record used by a failover must ignore changes to its
 * `content`, or the next `pulumi up` after a failover points traffic back at the dead primary.
 * This module watches the records' `ignoreChanges` (stack-wide from the moment it loads, and per
 * record through {@link failoverRecordOptions}) and decides what `DnsFailover` does about them.
 */
import * as pulumi from "@pulumi/pulumi";

const CLOUDFLARE_RECORD_TYPES = ["cloudflare:index/dnsRecord:DnsRecord", "cloudflare:index/record:Record"];
const trackedIgnoreChanges = new WeakMap<object, string[]>();
const trackedStacks = new WeakSet<object>();

/**
 * Starts recording the `ignoreChanges` of Cloudflare DNS records created from now on in the
 * current stack, so `DnsFailover` can tell whether a managed record will fight the failover.
 * Called when this module loads (inside a Pulumi program that is before any resource is
 * created); call it yourself first if you create records before importing this module.
 * Returns false when there is no stack yet.
 */
export function trackDnsRecordOptions(): boolean {
  const getStack = (pulumi.runtime as unknown as { getStackResource?: () => object | undefined }).getStackResource;
  const stack = getStack?.();
  if (!stack) return false;
  if (trackedStacks.has(stack)) return true;
  try {
    pulumi.runtime.registerStackTransformation((a) => {
      if (CLOUDFLARE_RECORD_TYPES.includes(a.type)) {
        trackedIgnoreChanges.set(a.resource, [...(a.opts.ignoreChanges ?? [])]);
      }
      return undefined;
    });
    trackedStacks.add(stack);
    return true;
  } catch {
    return false;
  }
}
trackDnsRecordOptions();

/**
 * Decides what to do about a managed record's `ignoreChanges` (undefined = not observed).
 * `ok` when it contains `content` (or `*`).
 */
export function recordGuardVerdict(
  name: string,
  ignoreChanges: string[] | undefined,
  mode: "error" | "warn",
): { level: "ok" | "warn" | "error"; message: string } {
  const fix = 'add `ignoreChanges: ["content"]` to the record\'s options (or wrap them: `failoverRecordOptions({...})`)';
  if (ignoreChanges === undefined) {
    return {
      level: "warn",
      message: `DnsFailover ${name}: could not verify that the DNS record ignores changes to \`content\` (its options were not made with \`failoverRecordOptions()\`, and it was created before runlater-iac/pulumi was imported or without a Pulumi stack, e.g. under \`pulumi.runtime.setMocks\`). If it does not, the next \`pulumi up\` after a failover points traffic back at the dead primary: ${fix}.`,
    };
  }
  if (ignoreChanges.includes("content") || ignoreChanges.includes("*")) return { level: "ok", message: "" };
  return {
    level: mode,
    message: `DnsFailover ${name}: the managed DNS record does not ignore changes to \`content\`. After a failover the next \`pulumi up\` would put the primary back while it is down. Fix: ${fix}.`,
  };
}

/**
 * Resource options for a managed record used by a failover: adds `ignoreChanges: ["content"]`,
 * and a resource transformation that lets `DnsFailover` see the record's final `ignoreChanges`
 * wherever the record is made: before this module was imported, or under
 * `pulumi.runtime.setMocks` without a stack (unit tests), where the stack-wide tracking of
 * {@link trackDnsRecordOptions} cannot run. The transformation changes nothing.
 */
export function failoverRecordOptions(opts: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  return {
    ...opts,
    ignoreChanges: [...new Set([...(opts.ignoreChanges ?? []), "content"])],
    transformations: [...(opts.transformations ?? []), noteRecordOptions],
  };
}

/** The transformation of {@link failoverRecordOptions}: records the options, returns nothing (no change). */
function noteRecordOptions(a: pulumi.ResourceTransformationArgs): undefined {
  trackedIgnoreChanges.set(a.resource, [...(a.opts.ignoreChanges ?? [])]);
  return undefined;
}

/** The `ignoreChanges` observed for `record`, or undefined when it was not observed (see {@link recordGuardVerdict}). */
export function observedIgnoreChanges(record: object): string[] | undefined {
  trackDnsRecordOptions();
  return trackedIgnoreChanges.get(record);
}
