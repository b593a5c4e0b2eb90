/**
 * The failover wiring as plain data, shared by the Pulumi component, the CDKTF construct, the
 * demo and the benchmarks: which endpoints to create with which stored DNS request, and the
 * health-check task that points at them. Pure: no engine, no I/O.
 */
import { buildDnsUpdateRequest, type DnsTarget, validateDnsTarget } from "../dns";
import type { CronTaskSpec, EndpointSpec, HttpMethod } from "../runlater/model";
import { isPrivateHost, type ValidationIssue } from "../runlater/validate";

/** Health check settings of a failover. Defaults follow the seed guide's tips. */
export interface FailoverHealthCheck {
  /** The primary's health URL, e.g. `https://primary.example.com/health`. */
  url: string;
  /** Five-field cron, UTC. @default "* * * * *" (every minute; needs Runlater Pro) */
  cron?: string;
  /** Timeout per check in milliseconds, 1000..300000. Keep it under 30000. @default 10000 */
  timeoutMs?: number;
  /** Status codes that count as healthy (100..599). @default [200] */
  expectedStatusCodes?: number[];
  /** HTTP method of the check. @default "GET" */
  method?: HttpMethod;
  /** Substring the healthy body must contain. @default no body check */
  expectedBodyPattern?: string;
  /** Headers sent with each check. @default {} */
  headers?: Record<string, string>;
}

/** Everything needed to plan one failover, as plain values (or engine tokens). */
export interface FailoverPlanInput {
  /** Base name; endpoints and task are named `<name> failover`, `<name> recovery`, `<name> health`. */
  name: string;
  healthCheck: FailoverHealthCheck;
  /** Record content while the primary is healthy (an IP for A/AAAA records). */
  primary: string;
  /** Record content after a failover. */
  backup: string;
  /** Which record to change and how (provider, ids, credentials). */
  dns: DnsTarget;
  /** `auto`: a recovery endpoint puts the primary back on the first healthy check. `manual`: no recovery hook. @default "auto" */
  failback?: "auto" | "manual";
  /** Forward retries of the DNS request, 0..10. @default 3 */
  retryAttempts?: number;
}

/** The planned objects. */
export interface FailoverPlan {
  /** Errors (nothing may be created) and warnings (footguns), field-named. */
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  /** Endpoint that sets the record to `backup`. */
  failoverEndpoint: EndpointSpec;
  /** Endpoint that sets the record back to `primary`; absent with `failback: "manual"`. */
  recoveryEndpoint?: EndpointSpec;
  /** The health-check task, given the endpoints' inbound URLs. */
  task(failoverUrl: string, recoveryUrl?: string): CronTaskSpec;
  /** Defaults applied to the health check. */
  healthCheck: Required<Pick<FailoverHealthCheck, "cron" | "timeoutMs" | "method">> & FailoverHealthCheck;
}

/** Defaults of a failover's health check (the seed guide's tips). */
export const FAILOVER_DEFAULTS = {
  cron: "* * * * *",
  timeoutMs: 10_000,
  expectedStatusCodes: [200],
  method: "GET" as HttpMethod,
  retryAttempts: 3,
};

/**
 * Plans a failover. `isUnresolved` marks values not known yet (CDKTF tokens, Pulumi unknowns):
 * they are passed through without validation.
 */
export function planFailover(input: FailoverPlanInput, opts: { isUnresolved?: (v: unknown) => boolean } = {}): FailoverPlan {
  const isUnresolved = opts.isUnresolved ?? (() => false);
  const errors: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  const hc = {
    ...input.healthCheck,
    cron: input.healthCheck.cron ?? FAILOVER_DEFAULTS.cron,
    timeoutMs: input.healthCheck.timeoutMs ?? FAILOVER_DEFAULTS.timeoutMs,
    method: input.healthCheck.method ?? FAILOVER_DEFAULTS.method,
    expectedStatusCodes:
      input.healthCheck.expectedStatusCodes === undefined
        ? FAILOVER_DEFAULTS.expectedStatusCodes
        : input.healthCheck.expectedStatusCodes,
  };
  const failback = input.failback ?? "auto";
  if (failback !== "auto" && failback !== "manual") {
    errors.push({ field: "failback", message: `must be "auto" or "manual", got ${JSON.stringify(failback)}` });
  }

  // Seed footguns: warn, never silently accept.
  if (typeof hc.timeoutMs === "number" && hc.timeoutMs >= 30_000) {
    warnings.push({
      field: "healthCheck.timeoutMs",
      message: `${hc.timeoutMs} ms is long: failure detection takes up to one cron interval + the timeout. Keep it under 30000 (10000 recommended)`,
    });
  }
  if (!hc.expectedStatusCodes || hc.expectedStatusCodes.length === 0) {
    warnings.push({
      field: "healthCheck.expectedStatusCodes",
      message: "no expected status codes: any 2xx counts as healthy. Set [200] so a degraded answer fails the check",
    });
  }
  if (typeof hc.url === "string" && !isUnresolved(hc.url)) {
    try {
      const host = new URL(hc.url).hostname;
      if (isPrivateHost(host)) {
        warnings.push({
          field: "healthCheck.url",
          message: `targets a private or loopback address (${host}): Runlater refuses it; only the local emulator accepts it`,
        });
      }
    } catch {
      errors.push({ field: "healthCheck.url", message: `must be an absolute http(s) URL, got ${JSON.stringify(hc.url)}` });
    }
  }
  for (const [field, content] of [
    ["primary", input.primary],
    ["backup", input.backup],
  ] as const) {
    for (const issue of validateDnsTarget(input.dns, content, { isUnresolved })) {
      const target = issue.severity === "error" ? errors : warnings;
      const f = issue.field === "content" ? field : issue.field;
      if (target.some((t) => t.field === f && t.message === issue.message)) continue;
      target.push({ field: f, message: issue.message });
    }
  }
  if (!isUnresolved(input.primary) && !isUnresolved(input.backup) && input.primary === input.backup) {
    warnings.push({ field: "backup", message: "is the same as primary: a failover would change nothing" });
  }

  const retryAttempts = input.retryAttempts ?? FAILOVER_DEFAULTS.retryAttempts;
  const endpointFor = (label: string, content: string): EndpointSpec => {
    const req = buildDnsUpdateRequest(input.dns, content, { isUnresolved });
    return {
      name: `${input.name} ${label}`,
      forwardUrls: [req.url],
      forwardHeaders: req.headers,
      forwardBody: req.body,
      forwardMethod: req.method,
      retryAttempts,
      useQueue: true,
      enabled: true,
    };
  };
  const haveErrors = errors.length > 0;
  const failoverEndpoint = haveErrors ? ({} as EndpointSpec) : endpointFor("failover", input.backup);
  const recoveryEndpoint = haveErrors || failback === "manual" ? undefined : endpointFor("recovery", input.primary);
  return {
    errors,
    warnings,
    failoverEndpoint,
    recoveryEndpoint,
    healthCheck: hc,
    task: (failoverUrl, recoveryUrl) => ({
      name: `${input.name} health`,
      url: hc.url,
      method: hc.method,
      cron: hc.cron,
      timeoutMs: hc.timeoutMs,
      expectedStatusCodes: hc.expectedStatusCodes && hc.expectedStatusCodes.length > 0 ? hc.expectedStatusCodes : null,
      expectedBodyPattern: hc.expectedBodyPattern ?? null,
      headers: hc.headers ?? {},
      enabled: true,
      onFailureUrl: failoverUrl,
      onRecoveryUrl: failback === "manual" ? null : (recoveryUrl ?? null),
    }),
  };
}
