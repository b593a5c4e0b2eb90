/**
 * The `idempotencyScope` a resource hands its provider's create: project, stack, resource type
 * and name, so two stacks (or two resources) with identical specs in one Runlater organisation
 * never share a create's Idempotency-Key, while the same resource created again after a lost
 * reply (the next `pulumi up`) sends the same key and gets the object the first attempt made.
 */
import * as pulumi from "@pulumi/pulumi";

/** Longest scope passed on, characters (the client accepts 1..1000). */
const MAX = 900;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Program side: `<project>/<stack>/<type>/<name>`, well-formed, at most 900 characters. */
export function createScope(type: string, name: string): string {
  const s = `${pulumi.getProject()}/${pulumi.getStack()}/${type}/${String(name)}`.replace(LONE_SURROGATE, "\uFFFD");
  return s.length <= MAX ? s : Array.from(s).slice(0, MAX / 2).join("");
}

/** Provider side: the scope of a create — its type, plus the program's scope when the inputs carry a usable one. */
export function providerScope(type: string, fromInputs: unknown): string {
  const base = `runlater-iac/pulumi/${type}`;
  const ok = typeof fromInputs === "string" && fromInputs.length > 0 && fromInputs.length <= MAX && !new RegExp(LONE_SURROGATE.source).test(fromInputs);
  return ok ? `${base}/${fromInputs}` : base;
}
