/**
 * `FailoverObjects`: every Runlater object of one failover as a single Pulumi dynamic resource,
 * what `DnsFailover` registers with `resources: "compact"`. Type token
 * `pulumi-nodejs:dynamic/runlater:FailoverObjects`. The provider is
 * `failover-objects-provider.ts`; this module is the program side: the resource class and the
 * conversion of a failover plan into its inputs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { FailoverPlan, PlannedObject } from "../failover/plan";
import type { PlanObjectKey } from "../failover/wiring";
import { createScope } from "./create-scope";
import { type OutputObject, type StoredObject, splitFields } from "./failover-objects-provider";
import { providerShim } from "./provider-support";
import { mergeSecretOutputs, RunlaterDynamicResource } from "./resource-support";

/** The provider instance, where the shim in state loads it from (`dist/pulumi/failover-objects.js`, like every resource's). */
export { failoverObjectsProvider } from "./failover-objects-provider";

/** Arguments of {@link FailoverObjects}. */
export interface FailoverObjectsArgs {
  /**
   * Every Runlater object, in creation order (each after those it refers to), with its public
   * fields in the per-object resources' argument names (`ForwardEndpointArgs`,
   * `HealthCheckTaskArgs`, `HeartbeatMonitorArgs`); references to each other's URLs as
   * `{ $ref, attr }`. Made by {@link failoverObjectsFromPlan}.
   */
  objects: pulumi.Input<StoredObject[]>;
  /** The secret fields (forward headers, bodies and URLs, health-check headers), by object key. Secret in state. */
  secrets: pulumi.Input<Record<string, Record<string, unknown>>>;
}

/** The fields of one planned object, as the per-object resource of its kind takes them (defaults as `DnsFailover` applies them). */
function fieldsOf(o: PlannedObject): Record<string, unknown> {
  if (o.kind === "endpoint") {
    const s = o.spec;
    return {
      name: s.name,
      forwardUrls: s.forwardUrls,
      forwardHeaders: s.forwardHeaders,
      forwardBody: s.forwardBody,
      forwardMethod: s.forwardMethod ?? "POST",
      retryAttempts: s.retryAttempts ?? 0,
      useLane: s.useQueue ?? true,
      onFailureUrl: s.onFailureUrl,
      onRecoveryUrl: s.onRecoveryUrl,
      notifyOnFailure: s.notifyOnFailure,
      notifyOnRecovery: s.notifyOnRecovery,
    };
  }
  if (o.kind === "monitor") {
    const s = o.spec;
    return {
      name: s.name,
      intervalSeconds: s.intervalSeconds,
      gracePeriodSeconds: s.gracePeriodSeconds,
      onFailureUrl: s.onFailureUrl,
      notifyOnFailure: s.notifyOnFailure,
      notifyOnRecovery: s.notifyOnRecovery,
    };
  }
  const s = o.spec;
  return {
    name: s.name,
    url: s.url,
    method: s.method,
    cron: s.cron,
    timeoutMs: s.timeoutMs,
    expectedStatusCodes: s.expectedStatusCodes,
    expectedBodyPattern: s.expectedBodyPattern,
    headers: o.key === "health" ? s.headers : undefined,
    onFailureUrl: s.onFailureUrl,
    onRecoveryUrl: s.onRecoveryUrl,
    notifyOnFailure: s.notifyOnFailure,
    notifyOnRecovery: s.notifyOnRecovery,
  };
}

/** Public part of every object of `plan`: its key, kind and the fields that carry no credential. */
export function publicObjects(plan: FailoverPlan): StoredObject[] {
  return plan.objects.map((o) => ({ key: o.key, kind: o.kind, ...splitFields(o.kind, fieldsOf(o)).pub }));
}

/** Secret part of every object of `plan` (objects without secret fields are left out). */
export function secretFields(plan: FailoverPlan): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const o of plan.objects) {
    const { sec } = splitFields(o.kind, fieldsOf(o));
    if (Object.keys(sec).length > 0) out[o.key] = sec;
  }
  return out;
}

/** What state stores as `__provider`: a shim that loads `failoverObjectsProvider` from the package. */
const failoverObjectsShim = providerShim("pulumi/failover-objects", "failoverObjectsProvider");

/**
 * Every Runlater object of one failover, managed as one resource: 9.3 KiB of state for the
 * convergent wiring against 28 KiB as one resource per object (README, "State size and scale").
 * `pulumi preview --diff` marks the changed field inside `objects`; secret fields show as
 * `secrets: [secret]`.
 */
export class FailoverObjects extends RunlaterDynamicResource {
  /** Every object as last created, updated or read: key, kind and public fields (`gone` when deleted out of band). */
  declare readonly objects: pulumi.Output<OutputObject[]>;
  /** The Runlater id of every object, by key. */
  declare readonly ids: pulumi.Output<Partial<Record<PlanObjectKey, string>>>;
  /** Inbound URL of every endpoint and ping URL of every monitor, by object key. Secret. */
  declare readonly urls: pulumi.Output<Partial<Record<PlanObjectKey, string>>>;
  /** The secret fields as last seen. Secret. */
  declare readonly secrets: pulumi.Output<Record<string, Record<string, unknown>>>;
  declare readonly schemaVersion: pulumi.Output<number>;

  constructor(name: string, args: FailoverObjectsArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = {
      urls: undefined,
      ids: undefined,
      schemaVersion: undefined,
      objects: args?.objects,
      secrets: pulumi.secret(args?.secrets ?? {}),
      idempotencyScope: createScope("FailoverObjects", name),
    };
    super(failoverObjectsShim, "FailoverObjects", name, props, mergeSecretOutputs(opts, ["secrets", "urls"]));
  }

  /** The Runlater id of the object `key`, once known. */
  idOf(key: PlanObjectKey): pulumi.Output<string | undefined> {
    return this.ids.apply((ids) => ids?.[key]);
  }

  /** The URL of the object `key` (endpoints: inbound URL; monitors: ping URL). Secret. */
  urlOf(key: PlanObjectKey): pulumi.Output<string | undefined> {
    return pulumi.secret(this.urls.apply((u) => u?.[key]));
  }
}
