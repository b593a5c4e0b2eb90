/**
 * `DnsFailover`: the seed guide's manual steps as one Pulumi component. It plans the failover's
 * Runlater objects with the shared plan code (`lib/failover`; the convergent wiring by default:
 * 8 objects, 8 Runlater calls) and registers them as one `FailoverObjects` resource
 * (`resources: "compact"`, the default) or as one child each (`"per-object"`). Its arguments are
 * in `dns-failover-args.ts`, the managed-record guard in `record-guard.ts`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DnsTarget } from "../dns";
import {
  type EndpointPlanSpec,
  FAILOVER_DEFAULTS,
  FAILOVER_WIRINGS,
  type FailoverPlan,
  failoverLayout,
  groupRecords,
  type MonitorPlanSpec,
  type PlanObjectKey,
  planFailover,
  planRecords,
  type RecordFieldNames,
  type Resolved,
  resolvePlanRefs,
  type TaskPlanSpec,
  recordFormIssue,
} from "../failover/plan";
import { kindOf } from "../failover/input";
import { RunlaterValidationError } from "../runlater/validate";
import { HeartbeatMonitor } from "./heartbeat-monitor";
import type { HttpMethod } from "../runlater/model";
import { FailoverObjects, publicObjects, secretFields } from "./failover-objects";
import { ForwardEndpoint } from "./forward-endpoint";
import { HealthCheckTask } from "./health-check-task";
import type {
  CloudflareRecordRef,
  DnsFailoverArgs,
  DnsFailoverHealthCheckArgs,
  DnsFailoverSummary,
} from "./dns-failover-args";
import { planRefs } from "./plan-refs";
import { observedIgnoreChanges, recordGuardVerdict } from "./record-guard";
import { userStackForNextResource, warnsForChildren } from "./resource-support";

function placeholderToken(target: DnsTarget): DnsTarget {
  const t = { ...(target as unknown as Record<string, unknown>) };
  for (const k of ["apiToken", "apiKey", "secretApiKey"]) if (k in t) t[k] = "redacted";
  return t as unknown as DnsTarget;
}

/**
 * Automated DNS failover: a Runlater health check on the primary; when it fails, a Runlater
 * endpoint replays a stored DNS API request that sets the record to `backup`; on recovery,
 * another sets it back to `primary`.
 *
 * A managed record must ignore changes to its content (`failoverRecordOptions()`), or the next
 * `pulumi up` silently fails traffic back to a dead primary.
 */
export class DnsFailover extends pulumi.ComponentResource {
  /** Runlater task id of the health check. Resolves once every Runlater object of the failover exists. */
  readonly taskId: pulumi.Output<string>;
  /** Inbound URL that flips the record to the backup. Secret. */
  readonly failoverUrl: pulumi.Output<string>;
  /** Inbound URL that flips it back; undefined with `failback: "manual"`. Secret. */
  readonly recoveryUrl: pulumi.Output<string | undefined>;
  /** A readable summary of the wiring (no secrets). */
  readonly summary: pulumi.Output<DnsFailoverSummary>;
  /** `resources: "per-object"` only: the health-check task (reading it with `compact` throws, naming what to use). */
  readonly healthCheck!: HealthCheckTask;
  /** `resources: "per-object"` only: the (first) failover endpoint (reading it with `compact` throws). */
  readonly failoverEndpoint!: ForwardEndpoint;
  /** `resources: "per-object"` only: the (first) recovery endpoint; undefined with `failback: "manual"` or `compact`. */
  readonly recoveryEndpoint?: ForwardEndpoint;
  /** Every failover endpoint (one per distinct stored request; see `records`); empty with `resources: "compact"`. */
  readonly failoverEndpoints: ForwardEndpoint[];
  /** Every recovery endpoint (none with `failback: "manual"`); empty with `resources: "compact"`. */
  readonly recoveryEndpoints: ForwardEndpoint[];
  /** Every child by its role (`failover`, `recovery`, `latch`, `relay`, `probe`, `health`, `pulse`); empty with `resources: "compact"`. */
  readonly children: Partial<Record<PlanObjectKey, pulumi.Resource>>;
  /** With `resources: "compact"`: the one resource that holds every Runlater object; undefined otherwise. */
  readonly objects?: FailoverObjects;

  constructor(name: string, args: DnsFailoverArgs, opts?: pulumi.ComponentResourceOptions) {
    // The component's own stack trace too: the user's frames only (see userFrames).
    const restore = userStackForNextResource();
    try {
      super("runlater:index:DnsFailover", name, {}, opts);
    } finally {
      restore();
    }
    warnsForChildren.add(this);
    const owner = `DnsFailover ${name} arguments`;
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
      throw new RunlaterValidationError(
        [{ field: "args", message: `are required: { healthCheck, primary, backup, record + cloudflare | dns | records }, got ${kindOf(args)}` }],
        owner,
      );
    }
    const guardMode = args.recordGuard ?? "error";
    if (guardMode !== "error" && guardMode !== "warn") {
      throw new RunlaterValidationError([{ field: "recordGuard", message: 'must be "error" or "warn"' }], owner);
    }
    const failback = args.failback ?? "auto";
    const wiring = args.wiring ?? FAILOVER_DEFAULTS.wiring;
    if (!FAILOVER_WIRINGS.includes(wiring)) {
      throw new Error(`DnsFailover ${name}: wiring must be "converge", "edge" or "seed"`);
    }
    if (failback !== "auto" && failback !== "manual") {
      throw new RunlaterValidationError([{ field: "failback", message: `must be "auto" or "manual"` }], owner);
    }
    const resources = args.resources ?? "compact";
    if (resources !== "per-object" && resources !== "compact") {
      throw new RunlaterValidationError([{ field: "resources", message: `must be "per-object" or "compact", got ${kindOf(resources)}` }], owner);
    }
    const inputs = this.recordInputs(name, args);
    for (const r of inputs) if (r.record) this.guardRecord(name, r.record, guardMode);
    const multi = args.records !== undefined;
    // Unknown here: Outputs and promises, and strings the plan built from them (an Output
    // stringifies to Pulumi's "Calling [toString] on an [Output<T>]" warning text).
    const unresolved = (v: unknown) =>
      pulumi.Output.isInstance(v) ||
      (typeof v === "object" && v !== null && typeof (v as Promise<unknown>).then === "function") ||
      (typeof v === "string" && v.includes("[Output<"));
    this.validateEarly(name, args, failback, inputs, unresolved);
    // Which records share endpoints, decided now from what is known now (records.ts): the same
    // plain values or the very same Output. Strings built from Outputs are equal to nothing.
    const groups = groupRecords(
      planRecords({ primary: args.primary as string, backup: args.backup as string, records: inputs.map((r) => ({ dns: r.early as DnsTarget, primary: r.primary as string, backup: r.backup as string })) }),
      { isUnresolved: unresolved, identity: (v) => (typeof v === "string" ? undefined : v), wiring },
    );

    const targets = inputs.map((r) => r.target);
    const hc = args.healthCheck;
    const planFrom = (dns: pulumi.Output<DnsTarget>[]) =>
      pulumi
        .output({
          d: pulumi.all(dns),
          primary: args.primary,
          backup: args.backup,
          ownPrimary: pulumi.all(inputs.map((r) => r.primary)),
          ownBackup: pulumi.all(inputs.map((r) => r.backup)),
          url: hc.url,
          cron: hc.cron,
          timeoutMs: hc.timeoutMs,
          codes: hc.expectedStatusCodes,
          method: hc.method,
          pattern: hc.expectedBodyPattern,
          headers: hc.headers,
        })
        .apply((v) =>
          planFailover(
            {
              name,
              ...(multi
                ? {
                    records: inputs.map((r, i) => ({
                      dns: v.d[i] as DnsTarget,
                      primary: v.ownPrimary[i] as string | undefined,
                      backup: v.ownBackup[i] as string | undefined,
                      fieldNames: r.fieldNames,
                    })),
                  }
                : { dns: v.d[0] as DnsTarget, dnsFieldNames: inputs[0]!.fieldNames }),
              primary: v.primary,
              backup: v.backup,
              failback,
              wiring,
              retryAttempts: args.retryAttempts,
              latch: args.latch,
              notifyOnFailure: args.notifyOnFailure,
              notifyOnRecovery: args.notifyOnRecovery,
              healthCheck: {
                url: v.url,
                cron: v.cron,
                timeoutMs: v.timeoutMs,
                expectedStatusCodes: v.codes as number[] | undefined,
                method: v.method as HttpMethod | undefined,
                expectedBodyPattern: v.pattern,
                headers: v.headers as Record<string, string> | undefined,
              },
            },
            { groups },
          ),
        );
    // Secret plan: carries credentials (headers, bodies). Public plan: same wiring with the
    // credentials replaced, for names, URLs and warnings that must stay readable.
    const plan = planFrom(targets);
    const publicPlan = planFrom(targets.map((t) => pulumi.unsecret(t).apply(placeholderToken)));
    const checked = publicPlan.apply((p) => {
      for (const w of p.warnings) pulumi.log.warn(`DnsFailover ${name}: ${w.field}: ${w.message}`, this);
      if (p.errors.length > 0) {
        throw new DnsFailoverInputError(`DnsFailover ${name}: invalid arguments:\n${p.errors.map((e) => `  - ${e.field}: ${e.message}`).join("\n")}`, this);
      }
      return p;
    });
    // Generic targets may carry a credential in the URL (e.g. a token query parameter).
    const isGeneric = pulumi.all(targets.map((t) => pulumi.unsecret(t))).apply((ts) => ts.some((t) => t?.provider === "generic"));
    // Gate the secret plan on validation, so errors surface as the validation message.
    // The public plan validated placeholders for the credentials; validate the real values too,
    // naming only the fields (a credential's message could echo it).
    const securePlan = pulumi.all([checked, plan]).apply(([pub, p]) => {
      const known = new Set(pub.errors.map((e) => e.field));
      const fields = [...new Set(p.errors.map((e) => e.field).filter((f) => !known.has(f)))];
      if (fields.length > 0) {
        throw new DnsFailoverInputError(`DnsFailover ${name}: invalid secret arguments (values not shown): ${fields.join(", ")}`, this);
      }
      return p;
    });

    // Every object of the wiring, in plan order; references resolve to earlier objects' URLs.
    const urls: Partial<Record<PlanObjectKey, pulumi.Output<string>>> = {};
    const layout = failoverLayout(wiring, failback, { failover: groups.failover.length, recovery: groups.recovery.length });
    // Which field refers to which object is known now (plan-refs.ts): each input is built from
    // the URLs it refers to and nothing else, so each child depends only on what it points at.
    const refs = planRefs(layout, wiring, failback, groups);
    const resolved = <T>(from: pulumi.Output<FailoverPlan>, key: PlanObjectKey, field: string, pick: (spec: never) => T) => {
      const deps: Record<string, pulumi.Output<string>> = {};
      for (const d of refs.get(key)?.[field] ?? []) {
        const u = urls[d];
        if (!u) throw new Error(`DnsFailover ${name}: internal: ${key}.${field} refers to ${d}, which is created later`);
        deps[d] = u;
      }
      return pulumi.all([from, pulumi.all(deps)]).apply(([p, u]) => {
        const o = p.objects.find((x) => x.key === key);
        if (!o) throw new DnsFailoverInputError(`DnsFailover ${name}: the plan has no ${key}`, this);
        return resolvePlanRefs(pick(o.spec as never), (r) => {
          if (!(r.$ref in u)) throw new DnsFailoverInputError(`DnsFailover ${name}: internal: ${key}.${field} refers to ${r.$ref}, which was not planned`, this);
          return u[r.$ref] as string;
        }) as Resolved<T, string>;
      });
    };
    const orUndef = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
    const children: Partial<Record<PlanObjectKey, pulumi.Resource>> = {};
    const firstOf = (part: "failover" | "recovery") => layout.find((e) => e.part === part)?.key;
    if (resources === "compact") {
      // One resource; references between the objects stay references in its state.
      const objects = new FailoverObjects(
        name,
        { objects: checked.apply(publicObjects), secrets: securePlan.apply(secretFields) },
        { parent: this },
      );
      this.objects = objects;
      this.children = children;
      this.failoverEndpoints = [];
      this.recoveryEndpoints = [];
      const unavailable = (prop: string) => () => {
        throw new Error(`DnsFailover ${name}: \`${prop}\` does not exist with resources: "compact"; use \`objects\`, \`taskId\`, \`failoverUrl\` or \`recoveryUrl\``);
      };
      Object.defineProperty(this, "healthCheck", { get: unavailable("healthCheck"), enumerable: false });
      Object.defineProperty(this, "failoverEndpoint", { get: unavailable("failoverEndpoint"), enumerable: false });
      this.taskId = objects.idOf("health").apply((id) => id as string);
      this.failoverUrl = objects.urlOf(firstOf("failover")!) as pulumi.Output<string>;
      const rk = firstOf("recovery");
      this.recoveryUrl = rk ? objects.urlOf(rk) : pulumi.output(undefined as string | undefined);
      this.summary = this.summaryOf(checked, targets, failback);
      this.registerOutputs({ taskId: this.taskId, failoverUrl: this.failoverUrl, recoveryUrl: this.recoveryUrl, summary: this.summary });
      return;
    }
    for (const entry of layout) {
      const key = entry.key;
      const childName = `${name}-${entry.suffix}`;
      if (entry.kind === "endpoint") {
        // DNS endpoints (and the probe, which carries the health headers) hold credentials.
        const secretSpec = entry.part === "failover" || entry.part === "recovery" || entry.part === "probe";
        const pub = <T>(field: keyof EndpointPlanSpec, pick: (s: EndpointPlanSpec) => T) => resolved(checked, key, field, pick);
        const sec = <T>(field: keyof EndpointPlanSpec, pick: (s: EndpointPlanSpec) => T) => pulumi.secret(resolved(securePlan, key, field, pick));
        // Empty headers and bodies are left out (a secret `{}` is ~150 bytes of ciphertext, twice).
        const headersOrBody = <T>(field: "forwardHeaders" | "forwardBody", pick: (s: EndpointPlanSpec) => T) =>
          secretSpec ? secretUnlessEmpty(resolved(securePlan, key, field, pick)) : pub(field, (s) => (isEmptyValue(pick(s)) ? undefined : pick(s)));
        const ep = new ForwardEndpoint(
          childName,
          {
            name: pub("name", (s) => s.name),
            forwardUrls: secretSpec
              ? pickUrls(isGeneric, key === "probe", pub("forwardUrls", (s) => s.forwardUrls), sec("forwardUrls", (s) => s.forwardUrls))
              : pub("forwardUrls", (s) => s.forwardUrls),
            forwardHeaders: headersOrBody("forwardHeaders", (s) => s.forwardHeaders),
            forwardBody: headersOrBody("forwardBody", (s) => s.forwardBody),
            forwardMethod: pub("forwardMethod", (s) => s.forwardMethod ?? "POST"),
            retryAttempts: pub("retryAttempts", (s) => s.retryAttempts ?? 0),
            useLane: pub("useQueue", (s) => s.useQueue ?? true),
            onFailureUrl: pub("onFailureUrl", (s) => orUndef(s.onFailureUrl)),
            onRecoveryUrl: pub("onRecoveryUrl", (s) => orUndef(s.onRecoveryUrl)),
            notifyOnFailure: pub("notifyOnFailure", (s) => orUndef(s.notifyOnFailure)),
            notifyOnRecovery: pub("notifyOnRecovery", (s) => orUndef(s.notifyOnRecovery)),
          } as never,
          { parent: this },
        );
        urls[key] = ep.inboundUrl;
        children[key] = ep;
      } else if (entry.kind === "monitor") {
        const pub = <T>(field: keyof MonitorPlanSpec, pick: (s: MonitorPlanSpec) => T) => resolved(checked, key, field, pick);
        const mon = new HeartbeatMonitor(
          childName,
          {
            name: pub("name", (s) => s.name),
            intervalSeconds: pub("intervalSeconds", (s) => s.intervalSeconds),
            gracePeriodSeconds: pub("gracePeriodSeconds", (s) => s.gracePeriodSeconds),
            onFailureUrl: pub("onFailureUrl", (s) => orUndef(s.onFailureUrl)),
            notifyOnFailure: pub("notifyOnFailure", (s) => orUndef(s.notifyOnFailure)),
            notifyOnRecovery: pub("notifyOnRecovery", (s) => orUndef(s.notifyOnRecovery)),
          } as never,
          { parent: this },
        );
        urls[key] = mon.pingUrl;
        children[key] = mon;
      } else {
        const pub = <T>(field: keyof TaskPlanSpec, pick: (s: TaskPlanSpec) => T) => resolved(checked, key, field, pick);
        const task = new HealthCheckTask(
          childName,
          {
            name: pub("name", (s) => s.name),
            url: key === "health" ? pub("url", (s) => s.url) : pulumi.secret(pub("url", (s) => s.url)),
            method: pub("method", (s) => s.method as HttpMethod),
            cron: pub("cron", (s) => s.cron),
            timeoutMs: pub("timeoutMs", (s) => s.timeoutMs as number),
            expectedStatusCodes: pub("expectedStatusCodes", (s) => orUndef(s.expectedStatusCodes)),
            expectedBodyPattern: pub("expectedBodyPattern", (s) => orUndef(s.expectedBodyPattern)),
            headers: key === "health" ? secretUnlessEmpty(resolved(securePlan, key, "headers", (s: TaskPlanSpec) => s.headers)) : undefined,
            onFailureUrl: pub("onFailureUrl", (s) => orUndef(s.onFailureUrl)),
            onRecoveryUrl: pub("onRecoveryUrl", (s) => orUndef(s.onRecoveryUrl)),
            notifyOnFailure: pub("notifyOnFailure", (s) => orUndef(s.notifyOnFailure)),
            notifyOnRecovery: pub("notifyOnRecovery", (s) => orUndef(s.notifyOnRecovery)),
          } as never,
          { parent: this },
        );
        children[key] = task;
      }
    }
    this.children = children;
    const endpointsOf = (part: "failover" | "recovery") =>
      layout.filter((e) => e.part === part).map((e) => children[e.key] as ForwardEndpoint);
    this.failoverEndpoints = endpointsOf("failover");
    this.recoveryEndpoints = endpointsOf("recovery");
    this.failoverEndpoint = this.failoverEndpoints[0]!;
    this.recoveryEndpoint = this.recoveryEndpoints[0];
    this.healthCheck = children.health as HealthCheckTask;
    // Resolves once every object exists (children register as the URLs they refer to resolve,
    // the pulse last): "taskId is known" means "the failover is deployed".
    const everyChild = pulumi.all(Object.values(children).map((c) => (c as pulumi.CustomResource).id));
    this.taskId = pulumi.all([this.healthCheck.taskId, everyChild]).apply(([id]) => id);
    this.failoverUrl = pulumi.secret(this.failoverEndpoint.inboundUrl);
    this.recoveryUrl = this.recoveryEndpoint
      ? pulumi.secret(this.recoveryEndpoint.inboundUrl)
      : pulumi.output(undefined as string | undefined);
    this.summary = this.summaryOf(checked, targets, failback);
    this.registerOutputs({
      taskId: this.taskId,
      failoverUrl: this.failoverUrl,
      recoveryUrl: this.recoveryUrl,
      summary: this.summary,
    });
  }

  /** The readable summary (no secrets). */
  private summaryOf(checked: pulumi.Output<FailoverPlan>, targets: pulumi.Output<DnsTarget>[], failback: "auto" | "manual"): pulumi.Output<DnsFailoverSummary> {
    const providers = pulumi.all(targets.map((t) => pulumi.unsecret(t))).apply((ts) => [...new Set(ts.map((t) => String(t?.provider)))].join(", "));
    return pulumi.all([checked, providers]).apply(([p, provider]): DnsFailoverSummary => ({
      healthCheck: { url: p.healthCheck.url, cron: p.healthCheck.cron, timeoutMs: p.healthCheck.timeoutMs },
      dnsProvider: provider,
      wiring: p.wiring,
      failover: `${p.failoverEndpoint.forwardMethod} → record := backup`,
      recovery: failback === "auto" ? `${p.recoveryEndpoint?.forwardMethod} → record := primary` : "manual",
      records: p.records.length,
      failoverEndpoints: p.groups.failover.length,
      recoveryEndpoints: failback === "auto" ? p.groups.recovery.length : 0,
      runlaterObjects: p.objects.length,
      executionsPerMonthHealthy: p.cost.executionsPerMonthHealthy,
    }));
  }

  /**
   * The records as the plan sees them: a DNS target per record (an Output), the same target
   * as known at construction (`early`, for validation and grouping), and the field names the
   * user wrote (`record.zoneId`, `cloudflare.apiToken`, `records[1].dns.zone`).
   */
  private recordInputs(name: string, args: DnsFailoverArgs): RecordInput[] {
    const owner = `DnsFailover ${name} arguments`;
    const fail = (field: string, message: string): never => {
      throw new RunlaterValidationError([{ field, message }], owner);
    };
    const cfToken = () => {
      if (!args.cloudflare?.apiToken) fail("cloudflare.apiToken", "is required with `record`: a Cloudflare API token with Zone → DNS → Edit");
    };
    const fromRecord = (r: CloudflareRecordRef, prefix: string, primary: pulumi.Input<string> | undefined, backup: pulumi.Input<string> | undefined): RecordInput => {
      if (typeof r !== "object" || r === null) fail(prefix, "must be a Cloudflare record (a DnsRecord resource or { zoneId, recordId })");
      cfToken();
      const cf = args.cloudflare!;
      // A managed record resource keeps its own TTL and proxy setting; the stored PATCH then
      // carries only the content, so records sharing token and content share one request.
      const managedRecord = pulumi.Resource.isInstance(r);
      const early = {
        provider: "cloudflare",
        zoneId: r.zoneId,
        recordId: r.recordId ?? r.id,
        name: r.name,
        type: r.type ?? "A",
        ttl: r.ttl,
        proxied: r.proxied,
        method: cf.method ?? "PATCH",
        patchContentOnly: managedRecord,
        apiToken: cf.apiToken,
        apiBaseUrl: cf.apiBaseUrl,
      };
      const target = pulumi
        .all([r.zoneId, r.recordId ?? r.id, r.name, r.type, r.ttl, r.proxied, cf.apiToken, cf.apiBaseUrl])
        .apply(
          ([zoneId, recordId, recName, type, ttl, proxied, apiToken, apiBaseUrl]) =>
            ({
              provider: "cloudflare",
              zoneId,
              recordId,
              name: recName,
              type: type ?? "A",
              ttl,
              proxied: proxied ?? undefined,
              method: cf.method ?? "PATCH",
              patchContentOnly: managedRecord,
              apiToken,
              apiBaseUrl,
            }) as DnsTarget,
        );
      const fieldNames: RecordFieldNames = {
        prefix,
        fields: {
          recordId: `${prefix}.${r.recordId === undefined && r.id !== undefined ? "id" : "recordId"}`,
          apiToken: "cloudflare.apiToken",
          apiBaseUrl: "cloudflare.apiBaseUrl",
          method: "cloudflare.method",
        },
      };
      return { target, early, record: r, primary, backup, fieldNames };
    };
    const formIssue = recordFormIssue(args, "cloudflare", " (an Output cannot decide how many Runlater objects exist)");
    if (formIssue) fail(formIssue.field, formIssue.message);
    if (args.records !== undefined) {
      return args.records.map((r, i) => {
        const at = `records[${i}]`;
        if (r.record) return fromRecord(r.record, `${at}.record`, r.primary, r.backup);
        return { target: pulumi.output(r.dns as pulumi.Input<DnsTarget>), early: r.dns, primary: r.primary, backup: r.backup, fieldNames: { prefix: `${at}.dns` } };
      });
    }
    if (args.record) return [fromRecord(args.record, "record", undefined, undefined)];
    return [{ target: pulumi.output(args.dns as pulumi.Input<DnsTarget>), early: args.dns, primary: undefined, backup: undefined, fieldNames: undefined }];
  }

  /**
   * Validates whatever is already known when the component is constructed (plain values), so bad
   * input fails before any resource is registered; values still unknown are checked once they
   * resolve.
   */
  private validateEarly(
    name: string,
    args: DnsFailoverArgs,
    failback: "auto" | "manual",
    inputs: RecordInput[],
    unresolved: (v: unknown) => boolean,
  ): void {
    const hc = args.healthCheck ?? ({} as DnsFailoverHealthCheckArgs);
    const multi = args.records !== undefined;
    const plan = planFailover(
      {
        name,
        ...(multi
          ? { records: inputs.map((r) => ({ dns: r.early as DnsTarget, primary: r.primary as string, backup: r.backup as string, fieldNames: r.fieldNames })) }
          : { dns: inputs[0]!.early as DnsTarget, dnsFieldNames: inputs[0]!.fieldNames }),
        primary: args.primary as string,
        backup: args.backup as string,
        failback,
        wiring: args.wiring,
        latch: args.latch,
        notifyOnFailure: args.notifyOnFailure,
        notifyOnRecovery: args.notifyOnRecovery,
        retryAttempts: args.retryAttempts,
        healthCheck: {
          url: hc.url as string,
          cron: unresolved(hc.cron) ? undefined : (hc.cron as string),
          timeoutMs: unresolved(hc.timeoutMs) ? undefined : (hc.timeoutMs as number),
          expectedStatusCodes: unresolved(hc.expectedStatusCodes) ? undefined : (hc.expectedStatusCodes as number[]),
          method: hc.method as HttpMethod,
          expectedBodyPattern: hc.expectedBodyPattern as string,
          headers: hc.headers as Record<string, string>,
        },
      },
      { isUnresolved: unresolved },
    );
    if (plan.errors.length > 0) {
      throw new Error(
        `DnsFailover ${name}: invalid arguments:\n${plan.errors.map((e) => `  - ${e.field}: ${e.message}`).join("\n")}`,
      );
    }
  }

  private guardRecord(name: string, record: CloudflareRecordRef, mode: "error" | "warn"): void {
    if (!pulumi.CustomResource.isInstance(record)) return; // plain values: managed elsewhere
    const verdict = recordGuardVerdict(name, observedIgnoreChanges(record), mode);
    if (verdict.level === "error") throw new Error(verdict.message);
    if (verdict.level === "warn") pulumi.log.warn(verdict.message, this);
  }

}

/** One record of the component, as {@link DnsFailover.recordInputs} reads it. */
interface RecordInput {
  target: pulumi.Output<DnsTarget>;
  early: unknown;
  record?: CloudflareRecordRef;
  primary: pulumi.Input<string> | undefined;
  backup: pulumi.Input<string> | undefined;
  fieldNames: RecordFieldNames | undefined;
}

/**
 * An invalid argument found once engine values resolved. One message, whatever awaits it:
 * Pulumi prefixes `error serializing property "<name>"` to an error's message once per child
 * input that awaits it (the same error object, so reported once, but its message grew with every
 * child). This error keeps its message; as a `ResourceError` without stack it is printed once,
 * against the component.
 */
class DnsFailoverInputError extends pulumi.ResourceError {
  readonly #text: string;
  constructor(text: string, resource: pulumi.Resource) {
    super(undefined as unknown as string, resource, true);
    this.#text = text;
  }
  override get message(): string {
    return this.#text;
  }
  override set message(_ignored: string) {
    /* kept as is: see the class comment */
  }
}

/** True for a value that means "nothing" in a stored request: null, undefined, "" or `{}`. */
function isEmptyValue(v: unknown): boolean {
  if (v === null || v === undefined || v === "") return true;
  return typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0;
}

/**
 * A secret for a value with content, nothing for an empty one: the input is then left out of
 * state instead of being stored as the ciphertext of `{}` (inputs and outputs).
 */
function secretUnlessEmpty<T>(o: pulumi.Output<T>): pulumi.Output<T | undefined> {
  return pulumi.unsecret(o).apply((v) => (isEmptyValue(v) ? undefined : pulumi.secret(v))) as pulumi.Output<T | undefined>;
}

/**
 * The forward URLs as plain values, or as a secret when they may carry a credential (a generic
 * target's URL, the probe's health URL). Both Outputs are made before the choice, so no object
 * waits on references created after it.
 */
function pickUrls(
  isGeneric: pulumi.Output<boolean>,
  alwaysSecret: boolean,
  plain: pulumi.Output<string[]>,
  secret: pulumi.Output<string[]>,
): pulumi.Output<string[]> {
  return isGeneric.apply((g) => (g || alwaysSecret ? secret : plain));
}
