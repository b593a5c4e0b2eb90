/**
 * Creates a planned failover's objects through a Runlater client, in plan order, resolving each
 * {@link PlanRef} to the URL its object got. Used by the demo, the CLI, the benchmarks and the
 * tests; the engines register resources instead (same plan, same order).
 */
import type { CronTaskSpec, EndpointSpec } from "../runlater/model";
import type { FailoverPlan, MonitorPlanSpec } from "./plan";
import { type PlanObjectKey, type PlanRef, type Resolved, resolvePlanRefs } from "./wiring";

/** What {@link applyPlan} needs of a client (the Runlater client satisfies it). */
export interface PlanTarget {
  createEndpoint(spec: EndpointSpec): Promise<{ id: string; inboundUrl: string }>;
  createTask(spec: CronTaskSpec): Promise<{ id: string }>;
  createMonitor?(spec: Resolved<MonitorPlanSpec, string>): Promise<{ id: string; pingUrl: string }>;
}

/** One created object. */
export interface AppliedObject {
  key: PlanObjectKey;
  kind: "endpoint" | "task" | "monitor";
  id: string;
  /** Inbound URL (endpoints) or ping URL (monitors). */
  url?: string;
}

/** Creates every object of `plan`; throws on the first failure (objects created so far are in `error.applied`). */
export async function applyPlan(plan: FailoverPlan, target: PlanTarget): Promise<Map<PlanObjectKey, AppliedObject>> {
  if (plan.errors.length > 0) throw new Error(`invalid failover plan: ${plan.errors.map((e) => e.field).join(", ")}`);
  const applied = new Map<PlanObjectKey, AppliedObject>();
  const lookup = (r: PlanRef): string => {
    const o = applied.get(r.$ref);
    if (!o?.url) throw new Error(`plan order: ${r.$ref} is referred to before it exists`);
    return o.url;
  };
  try {
    for (const o of plan.objects) {
      if (o.kind === "endpoint") {
        const spec = resolvePlanRefs(o.spec, lookup) as EndpointSpec;
        const ep = await target.createEndpoint(spec);
        applied.set(o.key, { key: o.key, kind: "endpoint", id: ep.id, url: ep.inboundUrl });
      } else if (o.kind === "task") {
        const spec = resolvePlanRefs(o.spec, lookup) as CronTaskSpec;
        const t = await target.createTask(spec);
        applied.set(o.key, { key: o.key, kind: "task", id: t.id });
      } else {
        if (!target.createMonitor) throw new Error("this client cannot create monitors");
        const m = await target.createMonitor(resolvePlanRefs(o.spec, lookup));
        applied.set(o.key, { key: o.key, kind: "monitor", id: m.id, url: m.pingUrl });
      }
    }
  } catch (e) {
    (e as { applied?: unknown }).applied = applied;
    throw e;
  }
  return applied;
}
