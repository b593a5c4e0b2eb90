/**
 * Small helpers shared by the CDKTF bindings: secret-token checks, sensitive variables, and
 * object compaction. Internal; not part of the public API.
 */
import type { Construct } from "constructs";
import { cdktfCore, isUnresolved } from "./core";
import type { TerraformMetaArguments } from "./core-types";

/**
 * True for values Terraform computes: CDKTF tokens, and raw Terraform interpolations written as
 * strings (`"${var.token}"`, `"Bearer ${var.token}"`).
 */
export function isExpression(value: unknown): boolean {
  return isUnresolved(value) || (typeof value === "string" && value.includes("${"));
}

/**
 * Throws unless `value` is a token (a variable, a reference, a `Fn` call, a raw `${…}`
 * interpolation). A literal secret would be written verbatim to `cdk.tf.json` and from there to
 * version control and CI logs. `undefined` passes (the caller decides whether it is required).
 */
export function requireSecretToken(value: unknown, field: string, owner: string): void {
  if (value === undefined || value === null) return;
  if (isExpression(value)) return;
  throw new Error(
    `${owner}: ${field} must not be a literal: it would be written in clear text to cdk.tf.json. ` +
      `Pass a token instead, e.g. \`new TerraformVariable(stack, "my_secret", { type: "string", sensitive: true }).stringValue\`, ` +
      "and set it at deploy time with TF_VAR_my_secret.",
  );
}

/**
 * Returns the `sensitive` string variable `name` at stack level, creating it on first use, so
 * several constructs share one `var.<name>` (set with `TF_VAR_<name>`).
 */
export function sharedSensitiveVariable(scope: Construct, name: string, description: string): string {
  const core = cdktfCore();
  const stack = core.TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(name);
  if (existing) {
    // Duck-typed: a variable created by the other core (or another copy of this one) counts too.
    if (typeof (existing as unknown as { stringValue?: unknown }).stringValue !== "string") {
      throw new Error(
        `${scope.node.path}: the stack already has a construct with id "${name}" that is not a TerraformVariable; pass the secret explicitly`,
      );
    }
    return (existing as unknown as { stringValue: string }).stringValue;
  }
  const v = new core.TerraformVariable(stack, name, {
    type: "string",
    sensitive: true,
    nullable: false,
    description,
  });
  return v.stringValue;
}

/**
 * Wraps a map whose keys are user data (header names, query parameters) so the core's
 * `keysToSnakeCase`, which providers' attributes go through, leaves them alone
 * (`X-Trace` would otherwise become `x_trace`).
 */
export function verbatim<T>(value: T | undefined): T | undefined {
  if (value === undefined || value === null || isUnresolved(value)) return value;
  return cdktfCore().Lazy.anyValue({ produce: () => value }) as unknown as T;
}

/** Drops `undefined` members (Terraform JSON has no `undefined`; `null` is kept on purpose). */
export function compact<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

/** Converts a plain camelCase options object into the provider's snake_case keys, recursively. */
export function toSnake(value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (isUnresolved(value)) return value;
  if (Array.isArray(value)) return value.map(toSnake);
  if (typeof value === "object" && (value as object).constructor === Object) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = toSnake(v);
    }
    return out;
  }
  return value;
}

/** Formats a list of `{field, message}` issues as an indented bullet list. */
export function formatIssues(issues: { field: string; message: string }[]): string {
  return issues.map((i) => `  - ${i.field}: ${i.message}`).join("\n");
}

/**
 * Adds a synth-time validation to `construct`: the stack must configure a provider of type
 * `providerType` without alias (the one Terraform uses for resources with no explicit
 * `provider`), unless `explicit` is given. Without it Terraform would fail late with a
 * confusing "missing required argument base_url".
 */
export function validateProviderPresent(
  construct: Construct,
  providerType: string,
  explicit: unknown,
  fix: string,
): void {
  construct.node.addValidation({
    validate: () => {
      if (explicit) return [];
      const stack = cdktfCore().TerraformStack.of(construct);
      const found = stack.node.findAll().some((c) => {
        const p = c as unknown as { terraformResourceType?: string; alias?: string; fqn?: unknown };
        return (
          cdktfCore().TerraformProvider.isTerraformProvider(c) &&
          p.terraformResourceType === providerType &&
          p.alias === undefined
        );
      });
      return found ? [] : [`no "${providerType}" provider is configured in this stack: ${fix}`];
    },
  });
}

/** JSON with object keys sorted at every level (stable, so re-synthesis yields the same string). */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
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

/** True if `value` or anything nested in it is an unresolved token. */
export function containsToken(value: unknown): boolean {
  if (isUnresolved(value)) return true;
  if (Array.isArray(value)) return value.some(containsToken);
  if (value && typeof value === "object") return Object.values(value as object).some(containsToken);
  return false;
}

/** `RUNLATER_ALLOW_PRIVATE_TARGETS` as the Pulumi providers read it (`true` or `1`). */
export function allowPrivateTargetsFromEnv(): boolean {
  const v = process.env.RUNLATER_ALLOW_PRIVATE_TARGETS;
  return v === "true" || v === "1";
}

/**
 * The import id `restful_resource` expects: JSON with the object's read path, the collection
 * path, the selector and the managed body keys (values null: "track these").
 */
export function restfulImportId(path: string, id: string, body: Record<string, unknown>): string {
  const tracked: Record<string, null> = {};
  for (const k of Object.keys(body)) tracked[k] = null;
  return JSON.stringify({ id: `${path}/${id}`, path, body: tracked, read_selector: "data" });
}

/** The Terraform meta-arguments of a hand-written binding's config, as its `TerraformResource` base takes them. */
export function metaArguments(config: TerraformMetaArguments): TerraformMetaArguments {
  return {
    provider: config.provider,
    dependsOn: config.dependsOn,
    count: config.count,
    lifecycle: config.lifecycle,
    forEach: config.forEach,
    provisioners: config.provisioners,
    connection: config.connection,
  };
}

/** Throws when `ephemeralBody` shares a top-level key with `body` (magodo/restful refuses overlapping keys). */
export function checkDisjointBodies(kind: string, path: string, body: Record<string, unknown>, ephemeralBody: Record<string, unknown> | undefined): void {
  const clash = Object.keys(ephemeralBody ?? {}).filter((k) => Object.hasOwn(body, k));
  if (clash.length > 0) {
    throw new Error(`${kind} ${path}: body and ephemeralBody must be disjoint (the provider refuses overlapping keys): ${clash.join(", ")}`);
  }
}
