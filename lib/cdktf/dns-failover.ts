/**
 * `DnsFailover`: the seed guide's four manual steps as one construct. Creates a failover
 * endpoint (record → backup), a recovery endpoint (record → primary; none with
 * `failback: "manual"`) and a health-check task whose hooks point at their inbound URLs: three
 * `restful_resource`s, wired by Terraform references. Prop names and defaults follow the Pulumi
 * `DnsFailover`; the wiring comes from the same engine-independent `planFailover` /
 * `buildDnsUpdateRequest` code.
 *
 * **The record must ignore `content`.** After a failover the record holds the backup address
 * while the program still says primary; without `lifecycle.ignoreChanges: ["content"]` the next
 * `cdktf deploy` / `tofu apply` silently points traffic back at the dead primary. Given a record
 * construct, `DnsFailover` adds `content` to its `ignoreChanges` (merging with what is there)
 * and reports that with a warning annotation (`recordGuard: "fix"`, the default: there is no
 * safe reason to leave it out, and a construct can fix it in place, unlike a Pulumi component).
 * `recordGuard: "error"` fails synthesis with the fix instead; `"warn"` only warns.
 *
 * **Secrets.** The DNS API token is a token (a `sensitive` variable); literals are refused. It
 * reaches Runlater only through the endpoints' write-only `ephemeral_body`, so it is never in
 * `cdk.tf.json`, the plan or the state. The Runlater key lives in the provider configuration.
 */
import type { TerraformProvider, TerraformResourceLifecycle } from "./core-types";
import { Construct } from "constructs";
import { buildDnsUpdateRequest, type DnsTarget } from "../dns";
import {
  FAILOVER_DEFAULTS,
  type FailoverCost,
  type FailoverLatch,
  type FailoverWiring,
  type PlanObjectKey,
  planFailover,
  type RecordFieldNames,
  partOf,
  type Resolved,
  resolvePlanRefs,
  recordFormIssue,
} from "../failover/plan";
import type { HttpMethod } from "../runlater/model";
import { RunlaterValidationError, type ValidationIssue } from "../runlater/validate";
import type { ApiDialect } from "../runlater/wire";
import { kindOf } from "../failover/input";
import { cdktfCore, isUnresolved } from "./core";
import { ForwardEndpoint } from "./forward-endpoint";
import { HealthCheckTask } from "./health-check-task";
import { HeartbeatMonitor } from "./heartbeat-monitor";
import { adaptElementCore } from "./interop";
import { isExpression, requireSecretToken } from "./support";
import { failoverLiteralCredentialIssues } from "./literal-credentials";
import { printWarningsAtSynth } from "./synth-warnings";
import { orderAfterWriteOnlyPatches } from "./write-only";

/** Health check of a failover. Defaults follow the seed guide's tips (and the Pulumi component). */
export interface DnsFailoverHealthCheckProps {
  /** The primary's health URL, e.g. `https://primary.example.com/health`. */
  readonly url: string;
  /** Five-field cron, UTC. @default "* * * * *" (every minute; needs Runlater Pro) */
  readonly cron?: string;
  /** Timeout per check in milliseconds, 1000..300000; keep it under 30000. @default 10000 */
  readonly timeoutMs?: number;
  /** Status codes that count as healthy (100..599). @default [200] */
  readonly expectedStatusCodes?: number[];
  /** HTTP method of the check. @default "GET" */
  readonly method?: HttpMethod;
  /** Substring the healthy response body must contain. @default no body check */
  readonly expectedBodyPattern?: string;
  /** Headers sent with each check (write-only, like `HealthCheckTaskProps.headers`). @default {} */
  readonly headers?: Record<string, string>;
}

/**
 * A Cloudflare DNS record construct: this library's `CloudflareDnsRecord` or the prebuilt
 * `DnsRecord` of `@cdktf/provider-cloudflare` (matched structurally). `zoneId` and `id` are
 * used as Terraform references; the `*Input` getters (configured values), when present, supply
 * name, type, TTL and proxied for validation and the stored request.
 */
export interface CloudflareRecordLike {
  /** The construct node (for messages). */
  readonly node: Construct["node"];
  /** `${cloudflare_dns_record.x.id}` */
  readonly id: string;
  /** `${cloudflare_dns_record.x.zone_id}` */
  readonly zoneId: string;
  /** `${cloudflare_dns_record.x.name}` */
  readonly name: string;
  /** `${cloudflare_dns_record.x.type}` */
  readonly type: string;
  /** `${cloudflare_dns_record.x.ttl}` */
  readonly ttl: number;
  /** `${cloudflare_dns_record.x.proxied}` */
  readonly proxied: unknown;
  /** The resource's lifecycle meta-argument (mutable, as on every `TerraformResource`). */
  lifecycle?: TerraformResourceLifecycle;
  /** The provider instance the record uses, if set. */
  readonly provider?: unknown;
  /** Configured zone id (unused: the reference `zoneId` is used). */
  readonly zoneIdInput?: string;
  /** Configured name: sent with `method: "PUT"`, and validated. */
  readonly nameInput?: string;
  /** Configured type: must be A, AAAA or CNAME; checked against primary/backup. */
  readonly typeInput?: string;
  /** Configured TTL: sent with the content (same value) and checked (≤ 300 s recommended). */
  readonly ttlInput?: number;
  /** Configured proxied flag: sent with the content (same value). */
  readonly proxiedInput?: unknown;
}

/** How the stored Cloudflare request is made (Pulumi's `CloudflareAccessArgs`). */
export interface DnsFailoverCloudflareProps {
  /** Same as `DnsFailoverProps.dnsApiToken` (kept for parity with the Pulumi component). Give one of the two. */
  readonly apiToken?: string;
  /** `PATCH` sends only `content` (+ ttl/proxied when configured); `PUT` overwrites the record. @default "PATCH" */
  readonly method?: "PATCH" | "PUT";
  /**
   * Cloudflare API base URL stored in the request (the emulator's in tests).
   * @default the `baseUrl` of the record's provider (or the stack's default `cloudflare` provider), else "https://api.cloudflare.com/client/v4"
   */
  readonly apiBaseUrl?: string;
}

/** What `DnsFailover` does when the record construct does not ignore changes to `content`. */
export type RecordGuard = "fix" | "warn" | "error";

/**
 * One record of a failover of several records (`DnsFailoverProps.records`): `record` (a
 * Cloudflare record construct, with the failover's `dnsApiToken`/`cloudflare`) or `dns`.
 */
export interface DnsFailoverRecordProps {
  /** A managed Cloudflare record construct; uses the failover's `dnsApiToken` and `cloudflare` settings. */
  readonly record?: CloudflareRecordLike;
  /** Any supported DNS target, credentials as tokens (as `DnsFailoverProps.dns`). */
  readonly dns?: DnsTarget;
  /** This record's content while the primary is healthy (e.g. the IPv6 address of an AAAA record). @default the failover's `primary` */
  readonly primary?: string;
  /** This record's content after a failover. @default the failover's `backup` */
  readonly backup?: string;
}

/** Props of {@link DnsFailover}. Give one DNS target (`record` + `dnsApiToken`, or `dns`), or `records`. */
export interface DnsFailoverProps {
  /** Base name; the Runlater objects are named `<name> failover`, `<name> recovery`, `<name> health`. @default the construct id */
  readonly name?: string;
  /** The health check on the primary. */
  readonly healthCheck: DnsFailoverHealthCheckProps;
  /** Record content while the primary is healthy (an IP for A/AAAA). Required unless every one of `records` has its own. */
  readonly primary?: string;
  /** Record content after a failover. Required unless every one of `records` has its own. */
  readonly backup?: string;
  /**
   * A managed Cloudflare record: `CloudflareDnsRecord`, or `@cdktf/provider-cloudflare`'s `DnsRecord`
   * (also in a cdktn stack: `DnsFailover` then calls `enableCdktfBindingsInCdktn(record)`).
   */
  readonly record?: CloudflareRecordLike;
  /**
   * Cloudflare API token (Zone → DNS → Edit) stored in the endpoints' write-only
   * `forward_headers`. Required with `record`. Must be a token, e.g.
   * `new TerraformVariable(stack, "cloudflare_api_token", { type: "string", sensitive: true }).stringValue`;
   * a literal is refused.
   */
  readonly dnsApiToken?: string;
  /** Request style and API base URL for `record`. @default PATCH to the record provider's base URL */
  readonly cloudflare?: DnsFailoverCloudflareProps;
  /**
   * Any supported DNS target (Cloudflare in plain form, DigitalOcean, Hetzner Cloud, Porkbun,
   * generic REST), credentials included. Credential fields (`apiToken`, `apiKey`,
   * `secretApiKey`, secret generic headers, a secret generic body) must be tokens.
   */
  readonly dns?: DnsTarget;
  /**
   * Several records driven by this one health check (1..8), instead of `record`/`dns`: apex and
   * `www`, an A and an AAAA record. Records whose stored requests share method, headers and body
   * (same provider, token and content: literals, or the very same token) share one failover and
   * one recovery endpoint; others get their own (README, "Several records").
   */
  readonly records?: readonly DnsFailoverRecordProps[];
  /** `auto`: a recovery endpoint puts the primary back; `manual`: no recovery endpoint or hook. @default "auto" */
  readonly failback?: "auto" | "manual";
  /**
   * How the Runlater objects are wired (README "Convergence"): `converge` survives lost,
   * duplicated and late messages (7 objects); `edge` is runlater-iac 0.1 (3 objects); `seed` is
   * the seed guide as written. @default "converge"
   */
  readonly wiring?: FailoverWiring;
  /**
   * Forward retries of the stored DNS request, 0..10: of the recovery request with `converge`
   * (its failover request never retries), of both with `edge`/`seed`. @default 5 (converge), 3
   */
  readonly retryAttempts?: number;
  /** The `converge` wiring's heartbeat latch (re-asserts the primary when failure signals stop). */
  readonly latch?: FailoverLatch;
  /** Runlater org notifications (email/Slack/Discord) when the health check fails. @default true */
  readonly notifyOnFailure?: boolean;
  /** Runlater org notifications when the health check recovers. @default true */
  readonly notifyOnRecovery?: boolean;
  /**
   * What to do when `record` does not ignore changes to `content`: `fix` adds it (and warns),
   * `error` fails synthesis with the fix, `warn` only warns. @default "fix"
   */
  readonly recordGuard?: RecordGuard;
  /** The `restful` provider for the Runlater objects. @default the stack's default `restful` provider */
  readonly provider?: TerraformProvider;
  /** Runlater API shape (see `HealthCheckTaskProps.apiDialect`). @default "legacy" */
  readonly apiDialect?: ApiDialect;
  /** Accept a loopback/private health URL (local emulator only). @default `RUNLATER_ALLOW_PRIVATE_TARGETS` is `true` or `1` */
  readonly allowPrivateTargets?: boolean;
}

/**
 * Automated DNS failover: a Runlater health check on the primary; when it fails, a Runlater
 * endpoint replays a stored DNS API request that sets the record to `backup`; on recovery,
 * another sets it back to `primary`.
 *
 * ```ts
 * const token = new TerraformVariable(stack, "cloudflare_api_token", { type: "string", sensitive: true });
 * const record = new CloudflareDnsRecord(stack, "www", { zoneId, name: "www.example.com", type: "A", content: "198.51.100.10", ttl: 60 });
 * new DnsFailover(stack, "www-failover", {
 *   healthCheck: { url: "https://primary.example.com/health" },
 *   primary: "198.51.100.10",
 *   backup: "203.0.113.50",
 *   record,
 *   dnsApiToken: token.stringValue,
 * });
 * ```
 */
export class DnsFailover extends Construct {
  /** Runlater task id of the health check (token). */
  readonly taskId: string;
  /** Inbound URL that flips the record to the backup (token). */
  readonly failoverUrl: string;
  /** Inbound URL that flips it back (token); undefined with `failback: "manual"`. */
  readonly recoveryUrl?: string;
  /** The health-check task. */
  readonly healthCheck: HealthCheckTask;
  /** The (first) endpoint that sets the record to `backup`. */
  readonly failoverEndpoint: ForwardEndpoint;
  /** The (first) endpoint that sets the record back to `primary`; absent with `failback: "manual"`. */
  readonly recoveryEndpoint?: ForwardEndpoint;
  /** Every failover endpoint (one per distinct stored request; see `records`). */
  readonly failoverEndpoints: ForwardEndpoint[];
  /** Every recovery endpoint (none with `failback: "manual"`). */
  readonly recoveryEndpoints: ForwardEndpoint[];
  /** Which DNS provider the stored requests target. */
  readonly dnsProvider: string;
  /** The wiring used. */
  readonly wiring: FailoverWiring;
  /** Every child by its role (`failover`, `recovery`, `latch`, `relay`, `probe`, `health`, `pulse`). */
  readonly children: Partial<Record<PlanObjectKey, Construct>>;
  /** Objects, executions per month and DNS writes of this failover. */
  readonly cost: FailoverCost;
  /**
   * Non-fatal findings (field-named): the plan's, and the record guard's (`field: "record"`).
   * Each is also a warning annotation (in `manifest.json`) and is printed to stderr once when
   * the stack is synthesized (`app.synth()`); `RUNLATER_IAC_QUIET=1` silences the stderr copy.
   */
  readonly warnings: readonly ValidationIssue[];

  constructor(scope: Construct, id: string, props: DnsFailoverProps) {
    super(scope, id);
    const owner = `DnsFailover ${this.node.path}`;
    if (typeof props !== "object" || props === null || Array.isArray(props)) {
      throw new RunlaterValidationError(
        [{ field: "props", message: `are required: { healthCheck, primary, backup, record + dnsApiToken | dns }, got ${kindOf(props)}` }],
        `${owner} props`,
      );
    }
    const core = cdktfCore();
    // This library's own elements on cdktf (RUNLATER_CDKTF_CORE=cdktf) inside a cdktn stack: see ./interop.
    adaptElementCore(core.TerraformElement);
    const failback = props.failback ?? "auto";
    if (failback !== "auto" && failback !== "manual") {
      throw new RunlaterValidationError([{ field: "failback", message: `must be "auto" or "manual"` }], `${owner} props`);
    }
    const guard = props.recordGuard ?? "fix";
    if (guard !== "fix" && guard !== "warn" && guard !== "error") {
      throw new RunlaterValidationError(
        [{ field: "recordGuard", message: `must be "fix", "warn" or "error"` }],
        `${owner} props`,
      );
    }
    const literals = failoverLiteralCredentialIssues(props);
    if (literals.length > 0) throw new RunlaterValidationError(literals, `${owner} props`);
    const recs = this.recordTargets(props, owner);
    const multi = props.records !== undefined;
    this.dnsProvider = [...new Set(recs.map((r) => String((r.target as { provider?: unknown }).provider)))].join(", ");

    const name = props.name ?? id;
    const hc = props.healthCheck ?? ({} as DnsFailoverHealthCheckProps);
    const plan = planFailover(
      {
        name,
        ...(multi
          ? { records: recs.map((r) => ({ dns: r.target, primary: r.primary, backup: r.backup, fieldNames: r.fieldNames })) }
          : { dns: recs[0]!.target, dnsFieldNames: recs[0]!.fieldNames }),
        primary: props.primary,
        backup: props.backup,
        failback,
        wiring: props.wiring,
        retryAttempts: props.retryAttempts,
        latch: props.latch,
        notifyOnFailure: props.notifyOnFailure,
        notifyOnRecovery: props.notifyOnRecovery,
        healthCheck: {
          url: hc.url,
          cron: hc.cron,
          timeoutMs: hc.timeoutMs,
          expectedStatusCodes: hc.expectedStatusCodes,
          method: hc.method,
          expectedBodyPattern: hc.expectedBodyPattern,
          headers: hc.headers,
        },
      },
      { isUnresolved },
    );
    if (plan.errors.length > 0) throw new RunlaterValidationError(plan.errors, `${owner} props`);
    const warnings: ValidationIssue[] = [...plan.warnings];
    this.warnings = warnings;
    printWarningsAtSynth(this, owner, () => this.warnings);
    for (const w of plan.warnings) core.Annotations.of(this).addWarning(`${w.field}: ${w.message}`);

    // The credentials must be tokens: check each built request, whatever the provider.
    let bodyIsSecret = false;
    for (const r of recs) {
      const request = buildDnsUpdateRequest(r.target, (r.backup ?? props.backup) as string);
      const field = multi ? `records[${recs.indexOf(r)}].dns` : "dns";
      for (const h of request.secretHeaderNames) {
        if (!isExpression(request.headers[h])) {
          throw new Error(
            `${owner}: ${field}.headers.${h} carries a credential as a literal; it would be written in clear text to cdk.tf.json. Use a token (a sensitive TerraformVariable).`,
          );
        }
      }
      if (request.bodyIsSecret && !isExpression(request.body)) {
        throw new Error(`${owner}: ${field}.body carries a credential as a literal; use tokens (sensitive TerraformVariables) for the keys.`);
      }
      bodyIsSecret ||= request.bodyIsSecret;
    }
    const unquote = recs.flatMap((r) => r.unquote);

    // Every object of the wiring, in plan order; references resolve to earlier objects' URLs
    // (Terraform references, so the engine orders the creates).
    const urls: Partial<Record<PlanObjectKey, string>> = {};
    const resolve = <T>(v: T): Resolved<T, string> => resolvePlanRefs(v, (r) => urls[r.$ref] as string);
    const orUndef = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
    const children: Partial<Record<PlanObjectKey, Construct>> = {};
    for (const o of plan.objects) {
      if (o.kind === "endpoint") {
        const spec = resolve(o.spec);
        const part = partOf(o.key).part;
        const dnsRequest = part === "failover" || part === "recovery";
        const ep = new ForwardEndpoint(this, o.key, {
          name: spec.name,
          forwardUrls: spec.forwardUrls,
          forwardHeaders: spec.forwardHeaders,
          forwardBody: dnsRequest ? unquoteTokens(spec.forwardBody ?? undefined, unquote) : (spec.forwardBody ?? undefined),
          forwardBodySecret: dnsRequest ? bodyIsSecret : false,
          forwardMethod: spec.forwardMethod ?? undefined,
          retryAttempts: spec.retryAttempts,
          useLane: spec.useQueue,
          enabled: spec.enabled,
          onFailureUrl: orUndef(spec.onFailureUrl),
          onRecoveryUrl: orUndef(spec.onRecoveryUrl),
          notifyOnFailure: orUndef(spec.notifyOnFailure),
          notifyOnRecovery: orUndef(spec.notifyOnRecovery),
          provider: props.provider,
          apiDialect: props.apiDialect,
        });
        urls[o.key] = ep.inboundUrl;
        children[o.key] = ep;
      } else if (o.kind === "monitor") {
        const spec = resolve(o.spec);
        const mon = new HeartbeatMonitor(this, o.key, {
          name: spec.name,
          intervalSeconds: spec.intervalSeconds,
          gracePeriodSeconds: spec.gracePeriodSeconds,
          onFailureUrl: orUndef(spec.onFailureUrl),
          notifyOnFailure: orUndef(spec.notifyOnFailure),
          notifyOnRecovery: orUndef(spec.notifyOnRecovery),
          provider: props.provider,
        } as never);
        urls[o.key] = mon.pingUrl;
        children[o.key] = mon;
      } else {
        const spec = resolve(o.spec);
        children[o.key] = new HealthCheckTask(this, o.key, {
          name: spec.name,
          url: spec.url,
          method: spec.method,
          cron: spec.cron,
          timeoutMs: spec.timeoutMs,
          expectedStatusCodes: orUndef(spec.expectedStatusCodes),
          expectedBodyPattern: orUndef(spec.expectedBodyPattern),
          // undefined unless given: no write-only body to keep in sync (see HealthCheckTask)
          headers: o.key === "health" ? hc.headers : undefined,
          enabled: spec.enabled,
          onFailureUrl: orUndef(spec.onFailureUrl),
          onRecoveryUrl: orUndef(spec.onRecoveryUrl),
          notifyOnFailure: orUndef(spec.notifyOnFailure),
          notifyOnRecovery: orUndef(spec.notifyOnRecovery),
          provider: props.provider,
          apiDialect: props.apiDialect,
          // The pulse targets the probe's inbound URL (a reference); the health URL may be local.
          allowPrivateTargets: props.allowPrivateTargets,
        });
      }
    }
    this.children = children;
    orderAfterWriteOnlyPatches(this);
    const endpointsOf = (p: "failover" | "recovery") =>
      plan.objects.filter((o) => partOf(o.key).part === p).map((o) => children[o.key] as ForwardEndpoint);
    this.failoverEndpoints = endpointsOf("failover");
    this.recoveryEndpoints = endpointsOf("recovery");
    this.failoverEndpoint = this.failoverEndpoints[0]!;
    this.recoveryEndpoint = this.recoveryEndpoints[0];
    this.healthCheck = children.health as HealthCheckTask;
    this.wiring = plan.wiring;
    this.cost = plan.cost;
    this.taskId = this.healthCheck.taskId;
    this.failoverUrl = this.failoverEndpoint.inboundUrl;
    this.recoveryUrl = this.recoveryEndpoint?.inboundUrl;

    for (const r of recs) {
      const guardWarning = r.record ? this.guardRecord(r.record, guard) : undefined;
      if (guardWarning) warnings.push({ field: r.fieldNames?.prefix ?? "record", message: guardWarning });
    }
  }

  /** Each record's DNS target (tokens prepared) with the field names the user wrote. */
  private recordTargets(props: DnsFailoverProps, owner: string): RecordTarget[] {
    const fail = (field: string, message: string): never => {
      throw new RunlaterValidationError([{ field, message }], `${owner} props`);
    };
    const fromRecord = (record: CloudflareRecordLike, prefix: string, primary?: string, backup?: string): RecordTarget => {
      const { target, unquote } = this.cloudflareTargetFromRecord(record, props, owner);
      const tokenField = props.dnsApiToken === undefined && props.cloudflare?.apiToken !== undefined ? "cloudflare.apiToken" : "dnsApiToken";
      const fieldNames: RecordFieldNames = {
        prefix,
        fields: { recordId: `${prefix}.id`, apiToken: tokenField, apiBaseUrl: "cloudflare.apiBaseUrl", method: "cloudflare.method" },
      };
      return { target, unquote, record, primary, backup, fieldNames };
    };
    const formIssue = recordFormIssue(props, "dnsApiToken");
    if (formIssue) fail(formIssue.field, formIssue.message);
    if (props.records !== undefined) {
      return props.records.map((r, i) => {
        const at = `records[${i}]`;
        if (r.record) return fromRecord(r.record, `${at}.record`, r.primary, r.backup);
        const { target, unquote } = prepareTarget(r.dns as DnsTarget, owner, `${at}.dns`);
        return { target, unquote, primary: r.primary, backup: r.backup, fieldNames: { prefix: `${at}.dns` } };
      });
    }
    if (props.record) return [fromRecord(props.record, "record")];
    const { target, unquote } = prepareTarget(props.dns as DnsTarget, owner, "dns");
    return [{ target, unquote, fieldNames: undefined }];
  }

  /** The Cloudflare target for a record construct: ids by reference, configured values where known. */
  private cloudflareTargetFromRecord(
    record: CloudflareRecordLike,
    props: DnsFailoverProps,
    owner: string,
  ): { target: DnsTarget; unquote: string[] } {
    if (!isRecordLike(record)) {
      throw new RunlaterValidationError(
        [
          {
            field: "record",
            message:
              "must be a Cloudflare DNS record construct (CloudflareDnsRecord or @cdktf/provider-cloudflare DnsRecord); for a record managed elsewhere use `dns: { provider: \"cloudflare\", zoneId, recordId, apiToken }`",
          },
        ],
        `${owner} props`,
      );
    }
    // A record built on cdktf (@cdktf/provider-cloudflare) synthesizes in a cdktn stack once its core is adapted (./interop).
    adaptElementCore(record);
    const cf = props.cloudflare ?? {};
    if (props.dnsApiToken !== undefined && cf.apiToken !== undefined && props.dnsApiToken !== cf.apiToken) {
      throw new RunlaterValidationError(
        [{ field: "dnsApiToken", message: "give either dnsApiToken or cloudflare.apiToken, not both" }],
        `${owner} props`,
      );
    }
    const apiToken = props.dnsApiToken ?? cf.apiToken;
    if (apiToken === undefined || apiToken === "") {
      throw new RunlaterValidationError(
        [
          {
            field: "dnsApiToken",
            message:
              'is required with `record`: a Cloudflare API token with Zone → DNS → Edit, as a token, e.g. new TerraformVariable(stack, "cloudflare_api_token", { type: "string", sensitive: true }).stringValue',
          },
        ],
        `${owner} props`,
      );
    }
    requireSecretToken(apiToken, props.dnsApiToken !== undefined ? "dnsApiToken" : "cloudflare.apiToken", owner);
    const literal = <T>(v: T | undefined): T | undefined => (v === undefined || v === null || isUnresolved(v) ? undefined : v);
    const type = literal(record.typeInput) ?? record.type;
    const target: DnsTarget = {
      provider: "cloudflare",
      zoneId: record.zoneId,
      recordId: record.id,
      name: literal(record.nameInput) ?? record.name,
      type: type as "A",
      ttl: literal(record.ttlInput),
      proxied: literal(record.proxiedInput) as boolean | undefined,
      method: cf.method ?? "PATCH",
      apiToken,
      apiBaseUrl: cf.apiBaseUrl ?? this.cloudflareBaseUrl(record),
    };
    return { target, unquote: [] };
  }

  /** The base URL of the record's Cloudflare provider (explicit, else the stack's default one). */
  private cloudflareBaseUrl(record: CloudflareRecordLike): string | undefined {
    const fromProvider = (p: unknown): string | undefined => {
      const b = (p as { baseUrl?: unknown } | undefined)?.baseUrl;
      return typeof b === "string" && b !== "" ? b : undefined;
    };
    if (record.provider) return fromProvider(record.provider);
    const core = cdktfCore();
    const stack = core.TerraformStack.of(this);
    for (const c of stack.node.findAll()) {
      const p = c as unknown as { terraformResourceType?: string; alias?: string };
      if (core.TerraformProvider.isTerraformProvider(c) && p.terraformResourceType === "cloudflare" && p.alias === undefined) {
        return fromProvider(c);
      }
    }
    return undefined;
  }

  /** Makes sure the record ignores `content` (see the module documentation); returns the warning, if any. */
  private guardRecord(record: CloudflareRecordLike, guard: RecordGuard): string | undefined {
    const core = cdktfCore();
    const where = record.node.path;
    const fix = `set \`lifecycle: { ignoreChanges: ["content"] }\` on the record (${where})`;
    const why = `after a failover the record holds the backup address; without it the next deploy points traffic back at the dead primary`;
    let warning: string | undefined;
    if (!ignoresContent(record.lifecycle)) {
      if (guard === "fix") {
        const lc = record.lifecycle ?? {};
        const existing = Array.isArray(lc.ignoreChanges) ? lc.ignoreChanges : [];
        record.lifecycle = { ...lc, ignoreChanges: [...new Set([...existing, "content"])] };
        warning = `added "content" to lifecycle.ignoreChanges of the DNS record ${where} (${why}). Set it yourself to silence this warning, or pass recordGuard: "error" to fail instead.`;
        core.Annotations.of(this).addWarning(warning);
      } else if (guard === "warn") {
        warning = `the DNS record ${where} does not ignore changes to content: ${why}. Fix: ${fix}.`;
        core.Annotations.of(this).addWarning(warning);
        return warning;
      }
    }
    if (guard === "warn") return warning;
    // Checked again at synthesis: the record's lifecycle may be replaced after this construct ran.
    this.node.addValidation({
      validate: () =>
        ignoresContent(record.lifecycle)
          ? []
          : [`the DNS record ${where} does not ignore changes to \`content\`: ${why}. Fix: ${fix}.`],
    });
    return warning;
  }
}

/** One record of the construct: its target, with where the user wrote it. */
interface RecordTarget {
  target: DnsTarget;
  unquote: string[];
  record?: CloudflareRecordLike;
  primary?: string;
  backup?: string;
  fieldNames: RecordFieldNames | undefined;
}

function ignoresContent(lc: TerraformResourceLifecycle | undefined): boolean {
  const ic = lc?.ignoreChanges;
  if (ic === "all") return true;
  return Array.isArray(ic) && (ic.includes("content") || ic.includes("all"));
}

function isRecordLike(r: unknown): r is CloudflareRecordLike {
  if (!r || typeof r !== "object") return false;
  const o = r as Record<string, unknown>;
  return typeof o.node === "object" && typeof o.id === "string" && typeof o.zoneId === "string";
}

/**
 * Copies a DNS target for synthesis: credential fields must be tokens, and number/boolean
 * tokens become string tokens (the adapters build JSON text, where an encoded number token
 * would be garbage). Tokens that stand for JSON numbers/booleans are returned in `unquote` so
 * the built body renders them bare (`"ttl":${var.ttl}`); Porkbun sends its TTL as a string.
 */
function prepareTarget(dns: DnsTarget, owner: string, field = "dns"): { target: DnsTarget; unquote: string[] } {
  if (!dns || typeof dns !== "object") return { target: dns, unquote: [] };
  const core = cdktfCore();
  const out = { ...(dns as unknown as Record<string, unknown>) };
  for (const k of ["apiToken", "apiKey", "secretApiKey"]) {
    if (k in out) requireSecretToken(out[k], `${field}.${k}`, owner);
  }
  const unquote: string[] = [];
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === "string" || v === null || v === undefined) continue;
    if ((typeof v === "number" || typeof v === "boolean" || typeof v === "object") && isUnresolved(v)) {
      const s = core.Token.asString(v);
      out[k] = s;
      if (out.provider !== "porkbun" && k !== "recordId" && k !== "zone") unquote.push(s);
    }
  }
  return { target: out as unknown as DnsTarget, unquote };
}

/** `"…":"${TOKEN}"` → `"…":${TOKEN}` for tokens that stand for JSON numbers/booleans. */
function unquoteTokens(body: string | undefined, tokens: string[]): string | undefined {
  if (body === undefined) return body;
  let out = body;
  for (const t of tokens) out = out.split(JSON.stringify(t)).join(t);
  return out;
}

/** Defaults of {@link DnsFailover}'s health check (shared with the Pulumi component). */
export const DNS_FAILOVER_DEFAULTS = { ...FAILOVER_DEFAULTS, failback: "auto" as const, recordGuard: "fix" as RecordGuard };
