/**
 * Write-only fields of a Runlater object (an endpoint's `forward_headers`, a secret
 * `forward_body`, a task's `headers`/`body`) as a separate `restful_operation` that PATCHes them
 * onto the object. Internal.
 *
 * Why not the object's own `ephemeral_body`: `restful_resource` (v0.25.2, `Update`) keeps the
 * hash of `ephemeral_body` in private state only when an update *changes* it, and drops it
 * otherwise. Every update that leaves it unchanged, such as `tofu apply` repairing an
 * out-of-band edit of the object, therefore left a plan that wanted a second apply
 * (`~ ephemeral_body (write-only)`, the object's `output` and everything referencing it →
 * known after apply). A `restful_operation` sets the hash on every create and update, makes no
 * call on refresh, and is only re-run when its own configuration changes (a new value, or a new
 * object id), so a repair of the object converges in one apply and the write-only values are
 * sent exactly when they change.
 *
 * Ordering: the object is created first (without the write-only fields), then patched. Runlater
 * only calls an endpoint when something hits its inbound URL; `DnsFailover` makes every object
 * that could do so depend on the patch.
 */
import type { Construct } from "constructs";
import type { TerraformProvider } from "./core-types";
import { cdktfCore } from "./core";
import { RestfulOperation } from "./restful-operation";
import type { RestfulResource } from "./restful-resource";

/**
 * Response paths kept in the patch's `output`: the id only. Runlater echoes the object, write-only
 * fields included, inside `{"data": …}`, where the provider's own stripping (top-level keys of
 * `ephemeral_body`) does not reach; without this they would land in state.
 */
export const WRITE_ONLY_PATCH_OUTPUT_ATTRS = ["data.id"];

/**
 * A `restful_operation` `PATCH <object id>` with `fields` as its write-only `ephemeral_body`
 * (and an empty `body`, which the provider needs to send it). Returns undefined when `fields` is
 * empty (nothing given). Empty values (`{}`) are sent: they clear what the object had.
 */
export function writeOnlyPatch(
  scope: Construct,
  id: string,
  object: RestfulResource,
  fields: Record<string, unknown>,
  provider: TerraformProvider | undefined,
): RestfulOperation | undefined {
  if (Object.keys(fields).length === 0) return undefined;
  return new RestfulOperation(scope, id, {
    provider,
    path: object.id,
    method: "PATCH",
    body: {},
    ephemeralBody: fields,
    outputAttrs: WRITE_ONLY_PATCH_OUTPUT_ATTRS,
  });
}

/**
 * Orders the objects under `scope` after the write-only patches they can trigger: every
 * `restful_resource` whose `body` references the inbound URL of an endpoint with a `credentials`
 * patch depends on that patch (e.g. the health task whose `on_failure_url` is the failover
 * endpoint), so no hook can hit an endpoint before its DNS credentials are set. Only direct
 * references count, which cannot form a cycle (the patch depends on its endpoint alone).
 */
export function orderAfterWriteOnlyPatches(scope: Construct): void {
  const all = scope.node.findAll();
  const patched: { url: string; op: RestfulOperation }[] = [];
  for (const c of all) {
    const ep = c as unknown as { credentials?: unknown; inboundUrl?: unknown };
    if (ep.credentials instanceof RestfulOperation && typeof ep.inboundUrl === "string") patched.push({ url: ep.inboundUrl, op: ep.credentials });
  }
  if (patched.length === 0) return;
  const { Token } = cdktfCore();
  // What the core's `dependsOn: [x]` stores: a token that renders the bare address (`restful_operation.x`).
  const dependable = (op: RestfulOperation): string =>
    Token.asString({
      creationStack: [],
      resolve: (ctx: { suppressBraces?: boolean }) => {
        ctx.suppressBraces = true;
        return op.fqn;
      },
      toString: () => op.node.path,
    } as never);
  for (const c of all) {
    const r = c as unknown as { bodyInput?: unknown; dependsOn?: string[]; fqn?: string };
    if ((c as unknown as { constructor: unknown }).constructor === RestfulOperation || typeof r.fqn !== "string" || !r.bodyInput) continue;
    const text = JSON.stringify(r.bodyInput);
    for (const p of patched) {
      if (text.includes(p.url)) r.dependsOn = [...(r.dependsOn ?? []), dependable(p.op)];
    }
  }
}
