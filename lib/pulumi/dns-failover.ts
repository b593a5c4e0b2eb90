/**
 * `DnsFailover`: the seed guide's four manual steps as one Pulumi component. Creates a failover
 * endpoint (record → backup), a recovery endpoint (record → primary) and a health-check task
 * whose hooks point at them, set at creation: 3 Runlater calls.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DnsTarget } from "../dns";
import { type FailoverPlan, planFailover } from "../failover/plan";
import type { HttpMethod } from "../runlater/model";
import { ForwardEndpoint } from "./forward-endpoint";
import { HealthCheckTask } from "./health-check-task";
import { warnsForChildren } from "./resource-support";

/** Health check of a failover (inputs). */
export interface DnsFailoverHealthCheckArgs {
  /** The primary's health URL, e.g. `https://primary.example.com/health`. */
  url: pulumi.Input<string>;
  /** Five-field cron, UTC. @default "* * * * *" (every minute; needs Runlater Pro) */
  cron?: pulumi.Input<string>;
  /** Timeout per check in milliseconds, 1000..300000; keep it under 30000. @default 10000 */
  timeoutMs?: pulumi.Input<number>;
  /** Status codes that count as healthy (100..599). @default [200] */
  expectedStatusCodes?: pulumi.Input<number[]>;
  /** HTTP method of the check. @default "GET" */
  method?: pulumi.Input<HttpMethod>;
  /** Substring the healthy response body must contain. @default no body check */
  expectedBodyPattern?: pulumi.Input<string>;
  /** Headers sent with each check. @default {} */
  headers?: pulumi.Input<Record<string, string>>;
}

/**
 * A Cloudflare DNS record: a managed `@pulumi/cloudflare` `DnsRecord` (pass the resource) or
 * plain values for a record managed elsewhere.
 */
export interface CloudflareRecordRef {
  /** Record id (`DnsRecord.id`). Use `recordId` when passing plain values. */
  id?: pulumi.Input<string>;
  /** Record id for records managed elsewhere. */
  recordId?: pulumi.Input<string>;
  /** Zone id. */
  zoneId: pulumi.Input<string>;
  /** FQDN (needed for PUT). */
  name?: pulumi.Input<string>;
  /** "A" (default), "AAAA" or "CNAME". */
  type?: pulumi.Input<string>;
  /** Seconds; 1 = automatic. Checked against the failover's needs (≤ 300 recommended). */
  ttl?: pulumi.Input<number>;
  /** Whether Cloudflare proxies the record (then TTL is automatic). */
  proxied?: pulumi.Input<boolean | undefined>;
}

/** Cloudflare API settings for the stored request. */
export interface CloudflareAccessArgs {
  /** API token with Zone → DNS → Edit. Secret; stored only inside the Runlater endpoints. */
  apiToken: pulumi.Input<string>;
  /** `PATCH` sends only `content` (keeps ttl/proxied/comment); `PUT` overwrites the record. @default "PATCH" */
  method?: "PATCH" | "PUT";
  /** API base URL (the emulator's for tests). @default "https://api.cloudflare.com/client/v4" */
  apiBaseUrl?: pulumi.Input<string>;
}

/** Arguments of {@link DnsFailover}. Give either `record` + `cloudflare`, or `dns`. */
export interface DnsFailoverArgs {
  /** The health check on the primary. */
  healthCheck: DnsFailoverHealthCheckArgs;
  /** Record content while the primary is healthy (an IP for A/AAAA). */
  primary: pulumi.Input<string>;
  /** Record content after a failover. */
  backup: pulumi.Input<string>;
  /** A Cloudflare record (managed resource or plain values). */
  record?: CloudflareRecordRef;
  /** Cloudflare credentials and request style; required with `record`. */
  cloudflare?: CloudflareAccessArgs;
  /**
   * Any supported DNS target (DigitalOcean, Hetzner Cloud, Porkbun, generic REST, or
   * Cloudflare in plain form), credentials included. Mark it `pulumi.secret(...)`; the
   * component re-wraps derived values as secret anyway.
   */
  dns?: pulumi.Input<DnsTarget>;
  /** `auto`: recovery puts the primary back; `manual`: no recovery endpoint or hook. @default "auto" */
  failback?: "auto" | "manual";
  /** Forward retries of each DNS request, 0..10. @default 3 */
  retryAttempts?: number;
  /**
   * What to do when `record` is a managed resource whose `ignoreChanges` lacks `"content"`
   * (the next deploy would undo a failover): `error` refuses, `warn` logs. @default "error"
   */
  recordGuard?: "error" | "warn";
}

/** What `DnsFailover.summary` holds. */
export interface DnsFailoverSummary {
  /** The check: URL, cron (UTC) and timeout (ms). */
  healthCheck: { url: string; cron: string; timeoutMs: number };
  /** DNS provider of the record. */
  dnsProvider: string;
  /** The failover request, e.g. `PATCH → record := backup`. */
  failover: string;
  /** The recovery request, or `manual`. */
  recovery: string;
  /** Runlater objects the failover consists of (3, or 2 with manual failback). */
  runlaterObjects: number;
}

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
      message: `DnsFailover ${name}: could not verify that the DNS record ignores changes to \`content\` (it was created before runlater-iac/pulumi was imported). If it does not, the next \`pulumi up\` after a failover points traffic back at the dead primary: ${fix}.`,
    };
  }
  if (ignoreChanges.includes("content") || ignoreChanges.includes("*")) return { level: "ok", message: "" };
  return {
    level: mode,
    message: `DnsFailover ${name}: the managed DNS record does not ignore changes to \`content\`. After a failover the next \`pulumi up\` would put the primary back while it is down. Fix: ${fix}.`,
  };
}

/** Resource options for a managed record used by a failover: adds `ignoreChanges: ["content"]`. */
export function failoverRecordOptions(opts: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  return { ...opts, ignoreChanges: [...new Set([...(opts.ignoreChanges ?? []), "content"])] };
}

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
  /** Runlater task id of the health check. */
  readonly taskId: pulumi.Output<string>;
  /** Inbound URL that flips the record to the backup. Secret. */
  readonly failoverUrl: pulumi.Output<string>;
  /** Inbound URL that flips it back; undefined with `failback: "manual"`. Secret. */
  readonly recoveryUrl: pulumi.Output<string | undefined>;
  /** A readable summary of the wiring (no secrets). */
  readonly summary: pulumi.Output<DnsFailoverSummary>;
  /** The children, for `dependsOn` and tests. */
  readonly healthCheck: HealthCheckTask;
  readonly failoverEndpoint: ForwardEndpoint;
  readonly recoveryEndpoint?: ForwardEndpoint;

  constructor(name: string, args: DnsFailoverArgs, opts?: pulumi.ComponentResourceOptions) {
    super("runlater:index:DnsFailover", name, {}, opts);
    warnsForChildren.add(this);
    const failback = args.failback ?? "auto";
    if (failback !== "auto" && failback !== "manual") {
      throw new Error(`DnsFailover ${name}: failback must be "auto" or "manual", got ${JSON.stringify(failback)}`);
    }
    if (!args.record === !args.dns) {
      throw new Error(
        `DnsFailover ${name}: give exactly one DNS target: \`record\` (+ \`cloudflare\` credentials) or \`dns\` (any provider)`,
      );
    }
    if (args.record && !args.cloudflare?.apiToken) {
      throw new Error(`DnsFailover ${name}: \`cloudflare.apiToken\` is required with \`record\` (a token with Zone → DNS → Edit)`);
    }
    if (args.record) this.guardRecord(name, args.record, args.recordGuard ?? "error");
    this.validateEarly(name, args, failback);

    const target: pulumi.Output<DnsTarget> = args.dns
      ? pulumi.output(args.dns as pulumi.Input<DnsTarget>)
      : pulumi
          .all([
            args.record!.zoneId,
            args.record!.recordId ?? args.record!.id,
            args.record!.name,
            args.record!.type,
            args.record!.ttl,
            args.record!.proxied,
            args.cloudflare!.apiToken,
            args.cloudflare!.apiBaseUrl,
          ])
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
                method: args.cloudflare!.method ?? "PATCH",
                apiToken,
                apiBaseUrl,
              }) as DnsTarget,
          );

    const hc = args.healthCheck;
    const planFrom = (dns: pulumi.Output<DnsTarget>) =>
      pulumi
        .output({
          d: dns,
          primary: args.primary,
          backup: args.backup,
          url: hc.url,
          cron: hc.cron,
          timeoutMs: hc.timeoutMs,
          codes: hc.expectedStatusCodes,
          method: hc.method,
          pattern: hc.expectedBodyPattern,
          headers: hc.headers,
        })
        .apply((v) =>
          planFailover({
            name,
            dns: v.d as DnsTarget,
            primary: v.primary,
            backup: v.backup,
            failback,
            retryAttempts: args.retryAttempts,
            healthCheck: {
              url: v.url,
              cron: v.cron,
              timeoutMs: v.timeoutMs,
              expectedStatusCodes: v.codes as number[] | undefined,
              method: v.method as HttpMethod | undefined,
              expectedBodyPattern: v.pattern,
              headers: v.headers as Record<string, string> | undefined,
            },
          }),
        );
    // Secret plan: carries credentials (headers, bodies). Public plan: same wiring with the
    // credentials replaced, for names, URLs and warnings that must stay readable.
    const plan = planFrom(target);
    const publicPlan = planFrom(pulumi.unsecret(target).apply(placeholderToken));
    const checked = publicPlan.apply((p) => {
      for (const w of p.warnings) pulumi.log.warn(`DnsFailover ${name}: ${w.field}: ${w.message}`, this);
      if (p.errors.length > 0) {
        throw new Error(
          `DnsFailover ${name}: invalid arguments:\n${p.errors.map((e) => `  - ${e.field}: ${e.message}`).join("\n")}`,
        );
      }
      return p;
    });
    // Generic targets may carry a credential in the URL (e.g. a token query parameter).
    const isGeneric = pulumi.unsecret(target).apply((t) => t.provider === "generic");
    // Gate the secret plan on validation, so errors surface as the validation message.
    const securePlan = pulumi.all([checked, plan]).apply(([, p]) => p);
    type EndpointPick = (p: FailoverPlan) => FailoverPlan["failoverEndpoint"];
    const endpointArgs = (pick: EndpointPick) => ({
      name: checked.apply((p) => pick(p).name),
      forwardUrls: isGeneric.apply((g) =>
        g ? pulumi.secret(securePlan.apply((p) => pick(p).forwardUrls)) : checked.apply((p) => pick(p).forwardUrls),
      ),
      forwardHeaders: pulumi.secret(securePlan.apply((p) => pick(p).forwardHeaders ?? {})),
      forwardBody: pulumi.secret(securePlan.apply((p) => pick(p).forwardBody ?? "")),
      forwardMethod: checked.apply((p) => pick(p).forwardMethod ?? "POST"),
      retryAttempts: checked.apply((p) => pick(p).retryAttempts ?? 3),
    });
    this.failoverEndpoint = new ForwardEndpoint(
      `${name}-failover`,
      endpointArgs((p) => p.failoverEndpoint),
      { parent: this },
    );
    if (failback === "auto") {
      this.recoveryEndpoint = new ForwardEndpoint(
        `${name}-recovery`,
        endpointArgs((p) => p.recoveryEndpoint!),
        { parent: this },
      );
    }
    const task = checked.apply((p) => p.task("", ""));
    this.healthCheck = new HealthCheckTask(
      `${name}-health`,
      {
        name: task.name as pulumi.Output<string>,
        url: task.url,
        method: task.method as pulumi.Output<HttpMethod>,
        cron: task.cron,
        timeoutMs: task.timeoutMs as pulumi.Output<number>,
        expectedStatusCodes: task.apply((t) => t.expectedStatusCodes ?? undefined) as pulumi.Output<number[]>,
        expectedBodyPattern: task.apply((t) => t.expectedBodyPattern ?? undefined) as pulumi.Output<string>,
        headers: task.apply((t) => t.headers ?? {}),
        onFailureUrl: this.failoverEndpoint.inboundUrl,
        onRecoveryUrl: this.recoveryEndpoint?.inboundUrl,
      },
      { parent: this },
    );
    this.taskId = this.healthCheck.taskId;
    this.failoverUrl = pulumi.secret(this.failoverEndpoint.inboundUrl);
    this.recoveryUrl = this.recoveryEndpoint
      ? pulumi.secret(this.recoveryEndpoint.inboundUrl)
      : pulumi.output(undefined as string | undefined);
    this.summary = pulumi.all([checked, target.apply((t) => t.provider)]).apply(([p, provider]): DnsFailoverSummary => ({
      healthCheck: { url: p.healthCheck.url, cron: p.healthCheck.cron, timeoutMs: p.healthCheck.timeoutMs },
      dnsProvider: provider,
      failover: `${p.failoverEndpoint.forwardMethod} → record := backup`,
      recovery: failback === "auto" ? `${p.recoveryEndpoint?.forwardMethod} → record := primary` : "manual",
      runlaterObjects: failback === "auto" ? 3 : 2,
    }));
    this.registerOutputs({
      taskId: this.taskId,
      failoverUrl: this.failoverUrl,
      recoveryUrl: this.recoveryUrl,
      summary: this.summary,
    });
  }

  /**
   * Validates whatever is already known when the component is constructed (plain values), so bad
   * input fails before any resource is registered; values still unknown are checked once they
   * resolve.
   */
  private validateEarly(name: string, args: DnsFailoverArgs, failback: "auto" | "manual"): void {
    const unresolved = (v: unknown) =>
      pulumi.Output.isInstance(v) || (typeof v === "object" && v !== null && typeof (v as Promise<unknown>).then === "function");
    let dns: unknown = args.dns;
    if (args.record) {
      const r = args.record;
      dns = {
        provider: "cloudflare",
        zoneId: r.zoneId,
        recordId: r.recordId ?? r.id,
        name: r.name,
        type: r.type ?? "A",
        ttl: r.ttl,
        proxied: r.proxied,
        method: args.cloudflare?.method ?? "PATCH",
        apiToken: args.cloudflare?.apiToken,
        apiBaseUrl: args.cloudflare?.apiBaseUrl,
      };
    }
    if (unresolved(dns)) return;
    const hc = args.healthCheck ?? ({} as DnsFailoverHealthCheckArgs);
    const plan = planFailover(
      {
        name,
        dns: dns as DnsTarget,
        primary: args.primary as string,
        backup: args.backup as string,
        failback,
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
    trackDnsRecordOptions();
    const verdict = recordGuardVerdict(name, trackedIgnoreChanges.get(record), mode);
    if (verdict.level === "error") throw new Error(verdict.message);
    if (verdict.level === "warn") pulumi.log.warn(verdict.message, this);
  }

}
