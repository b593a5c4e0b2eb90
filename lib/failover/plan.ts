/**
 * The failover as plain data, shared by the Pulumi component, the CDKTF construct, the demo, the
 * CLI and the benchmarks: every Runlater object of the chosen wiring ({@link failoverLayout}) with
 * its spec, references to other objects' URLs left as {@link PlanRef}s for the engine to resolve,
 * and every field validated before anything is created. Pure: no engine, no I/O.
 */
import { type DnsTarget, validateDnsTarget } from "../dns";
import type { CronTaskSpec, EndpointSpec, HttpMethod } from "../runlater/model";
import {
  isPrivateHost,
  type ValidationIssue,
  validateCronTaskSpec,
  validateEndpointSpec,
} from "../runlater/validate";
import { costOf, cronEveryMinutes, type FailoverCost } from "./cost";
import { checkFieldTypes, checkInputShape, kindOf } from "./input";
import {
  checkRecordsShape,
  dnsRequestFor,
  type FailoverRecord,
  groupRecords,
  type PlanRecord,
  planRecords,
  type RecordFieldNames,
  type RecordGroups,
} from "./records";
import { buildObjects } from "./specs";
import { dnsKey, type FailoverWiring, failoverLayout, type PlanObjectKey, type PlanRef, partOf, resolvePlanRefs } from "./wiring";

export * from "./wiring";
export * from "./records";
export type { FailoverCost } from "./cost";

/** Health check settings of a failover. Defaults follow the seed guide's tips. */
export interface FailoverHealthCheck {
  /** The primary's health URL, e.g. `https://primary.example.com/health` (http or https, no `user:password@`). */
  url: string;
  /** Five-field cron, UTC. Also the probe's cadence in the `converge` wiring. @default "* * * * *" (every minute; needs Runlater Pro) */
  cron?: string;
  /**
   * Timeout per check in milliseconds, 1000..300000. Keep it under the interval minus 10 s:
   * Runlater pre-creates the next run 10 s before it is due, and a check still running then sees
   * that run as "previous" and fires no hook. @default 10000
   */
  timeoutMs?: number;
  /** Status codes that count as healthy (100..599). @default [200] */
  expectedStatusCodes?: number[];
  /** HTTP method of the check. @default "GET" */
  method?: HttpMethod;
  /**
   * Substring the healthy body must contain. Runlater does not apply it to JSON responses (they
   * always pass): use it only with a text health endpoint. @default no body check
   */
  expectedBodyPattern?: string;
  /** Headers sent with each check. @default {} */
  headers?: Record<string, string>;
  /**
   * `converge` only: the URL the probe checks, the same health endpoint under a host name
   * Runlater tracks separately. Runlater blocks a failing host per literal host name (3 failures
   * → 30 s … 300 s) and, when the block ends, runs only the first of the piled-up checks; a probe
   * sharing the health check's host can lose that race for many blocks in a row, and then no
   * failure signal reaches the latch. @default the health URL with its host name in upper case
   * (host names are case-insensitive for DNS, TLS and HTTP, but Runlater's block list is not)
   */
  probeUrl?: string;
}

/** Settings of the `converge` wiring's heartbeat latch. */
export interface FailoverLatch {
  /**
   * Seconds without a failure signal, on top of the 60 s heartbeat interval, before the latch
   * re-asserts the primary (60..3600). Must exceed the longest gap between two failed probes
   * during an outage: Runlater's host blocking spaces checks of a failing host up to 300 s
   * apart. @default 600
   */
  graceSeconds?: number;
}

/** Everything needed to plan one failover, as plain values (or engine tokens). */
export interface FailoverPlanInput {
  /** Base name; objects are named `<name> <role>` (`<name> health`, `<name> failover`, …). */
  name: string;
  healthCheck: FailoverHealthCheck;
  /** Record content while the primary is healthy (an IP for A/AAAA records); the default of each of `records`. */
  primary?: string;
  /** Record content after a failover; the default of each of `records`. */
  backup?: string;
  /** Which record to change and how (provider, ids, credentials). Give this or `records`. */
  dns?: DnsTarget;
  /**
   * Several records driven by one health check (1..8), instead of `dns`: each with its own
   * target and optional own `primary`/`backup` (an AAAA record needs IPv6 addresses). Records
   * whose stored requests share method, headers and body share one failover (recovery)
   * endpoint; see records.ts.
   */
  records?: FailoverRecord[];
  /** How the single-record form's DNS fields are named in errors. @default prefix `dns` */
  dnsFieldNames?: RecordFieldNames;
  /** `auto`: the primary is put back when it is healthy again. `manual`: never. @default "auto" */
  failback?: "auto" | "manual";
  /** How the objects are wired; see {@link FailoverWiring}. @default "converge" */
  wiring?: FailoverWiring;
  /**
   * Forward retries of the stored DNS request, 0..10. `converge`: of the recovery request only
   * (failover requests never retry; the probe re-sends them every interval while the primary
   * is down). `edge`/`seed`: of both. @default 5 (`converge`), 3 (`edge`, `seed`)
   */
  retryAttempts?: number;
  /** The `converge` wiring's latch. */
  latch?: FailoverLatch;
  /** Runlater's org notifications (email/Slack/Discord) when the health check fails. @default true */
  notifyOnFailure?: boolean;
  /** Runlater's org notifications when the health check recovers. @default true */
  notifyOnRecovery?: boolean;
}

/** An endpoint spec whose URLs may refer to other objects. */
export interface EndpointPlanSpec extends Omit<EndpointSpec, "forwardUrls" | "onFailureUrl" | "onRecoveryUrl"> {
  forwardUrls: (string | PlanRef)[];
  onFailureUrl: PlanRef | null;
  onRecoveryUrl: PlanRef | null;
}

/** A cron task spec whose URLs may refer to other objects. */
export interface TaskPlanSpec extends Omit<CronTaskSpec, "url" | "onFailureUrl" | "onRecoveryUrl"> {
  url: string | PlanRef;
  onFailureUrl: PlanRef | null;
  onRecoveryUrl: PlanRef | null;
}

/** A heartbeat monitor spec (Runlater `schedule_type: "interval"`). */
export interface MonitorPlanSpec {
  name: string;
  /** Seconds between expected pings (60..604800). */
  intervalSeconds: number;
  /** Seconds of grace after a missed ping (0..3600). */
  gracePeriodSeconds: number;
  enabled: boolean;
  notifyOnFailure: boolean | null;
  notifyOnRecovery: boolean | null;
  onFailureUrl: PlanRef | null;
  onRecoveryUrl: PlanRef | null;
}

/** One planned object. `secret`: its spec carries credentials (DNS token, health headers). */
export type PlannedObject =
  | { key: PlanObjectKey; kind: "endpoint"; role: string; secret: boolean; spec: EndpointPlanSpec }
  | { key: PlanObjectKey; kind: "task"; role: string; secret: boolean; spec: TaskPlanSpec }
  | { key: PlanObjectKey; kind: "monitor"; role: string; secret: false; spec: MonitorPlanSpec };

/** The planned failover. */
export interface FailoverPlan {
  /** Errors (nothing may be created) and warnings (footguns), field-named. */
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  wiring: FailoverWiring;
  failback: "auto" | "manual";
  /** Every object, in creation order (each after the objects it refers to). */
  objects: PlannedObject[];
  /** Defaults applied to the health check. */
  healthCheck: Required<Pick<FailoverHealthCheck, "cron" | "timeoutMs" | "method">> & FailoverHealthCheck;
  /** Cost estimate. */
  cost: FailoverCost;
  /** The first failover endpoint's spec (record := backup; it refers to no other object). */
  failoverEndpoint: EndpointSpec;
  /** The records, in input order, with the keys of the endpoints that carry their requests. */
  records: PlannedRecord[];
  /** Which records share which failover / recovery endpoint (see records.ts). */
  groups: RecordGroups;
  /** The first recovery endpoint's spec (record := primary); absent with `failback: "manual"`. */
  recoveryEndpoint?: EndpointSpec;
  /** The object of `key`, if the wiring has it. */
  object(key: PlanObjectKey): PlannedObject | undefined;
  /** The health-check task with the endpoints' inbound URLs filled in. */
  task(failoverUrl: string, recoveryUrl?: string): CronTaskSpec;
}

/** One record of a plan: where its stored requests live. */
export interface PlannedRecord {
  /** Position in `records` (0 for the single-record form). */
  index: number;
  /** Key of the failover endpoint that sets it to its backup. */
  failover: PlanObjectKey;
  /** Key of the recovery endpoint that sets it back; absent with manual failback. */
  recovery?: PlanObjectKey;
  /** The record's DNS API URL (its stored requests' forward URL). */
  url: string;
  primary: string;
  backup: string;
}

/** Options of {@link planFailover}. */
export interface PlanOptions {
  /** Values not known yet (CDKTF tokens, Pulumi unknowns): passed through without validation. */
  isUnresolved?: (v: unknown) => boolean;
  /**
   * Which records share endpoints, decided by the engine when it registered its resources
   * (from what was known then: {@link groupRecords}). @default grouped from `input` itself
   */
  groups?: RecordGroups;
  /** Identity of unresolved values for the default grouping (see `GroupOptions.identity`). */
  identity?: (v: unknown) => unknown;
}

/** Defaults of a failover (both engines). */
export const FAILOVER_DEFAULTS = {
  cron: "* * * * *",
  timeoutMs: 10_000,
  expectedStatusCodes: [200],
  method: "GET" as HttpMethod,
  wiring: "converge" as FailoverWiring,
  /** Recovery retries of the `converge` wiring. */
  retryAttempts: 5,
  /** Forward retries of the `edge` and `seed` wirings. */
  legacyRetryAttempts: 3,
  latchIntervalSeconds: 60,
  latchGraceSeconds: 600,
  notifyOnFailure: true,
  notifyOnRecovery: true,
};

const PLACEHOLDER_URL = "https://runlater.eu/in/ep_placeholder";
/**
 * Plans a failover. `isUnresolved` marks values not known yet (CDKTF tokens, Pulumi unknowns):
 * they are passed through without validation. Hostile values (wrong types, cycles, huge strings)
 * are reported as errors, never thrown.
 */
export function planFailover(input: FailoverPlanInput, opts: PlanOptions = {}): FailoverPlan {
  const isUnresolved = opts.isUnresolved ?? (() => false);
  const shapeIssues = checkPlanInputShape(input, isUnresolved);
  if (shapeIssues.length > 0) return rejectedPlan(shapeIssues);
  const errors: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  const rawHc: Partial<FailoverHealthCheck> =
    typeof input.healthCheck === "object" && input.healthCheck !== null ? input.healthCheck : {};
  if (typeof input.healthCheck !== "object" || input.healthCheck === null) {
    errors.push({ field: "healthCheck", message: "is required: an object with at least `url`" });
  }
  const hc = {
    ...rawHc,
    url: rawHc.url as string,
    cron: rawHc.cron ?? FAILOVER_DEFAULTS.cron,
    timeoutMs: rawHc.timeoutMs ?? FAILOVER_DEFAULTS.timeoutMs,
    method: rawHc.method ?? FAILOVER_DEFAULTS.method,
    expectedStatusCodes: rawHc.expectedStatusCodes === undefined ? FAILOVER_DEFAULTS.expectedStatusCodes : rawHc.expectedStatusCodes,
  };
  const failback = input.failback ?? "auto";
  if (failback !== "auto" && failback !== "manual") {
    errors.push({ field: "failback", message: 'must be "auto" or "manual"' });
  }
  const wiring = input.wiring ?? FAILOVER_DEFAULTS.wiring;
  if (wiring !== "converge" && wiring !== "edge" && wiring !== "seed") {
    errors.push({ field: "wiring", message: 'must be "converge", "edge" or "seed"' });
  }
  const converge = wiring === "converge";
  const retryAttempts = input.retryAttempts ?? (converge ? FAILOVER_DEFAULTS.retryAttempts : FAILOVER_DEFAULTS.legacyRetryAttempts);
  const graceSeconds = input.latch?.graceSeconds ?? FAILOVER_DEFAULTS.latchGraceSeconds;
  if (!isUnresolved(graceSeconds) && (typeof graceSeconds !== "number" || !Number.isInteger(graceSeconds) || graceSeconds < 60 || graceSeconds > 3600)) {
    errors.push({ field: "latch.graceSeconds", message: "must be an integer from 60 to 3600 (seconds)" });
  }
  for (const f of ["notifyOnFailure", "notifyOnRecovery"] as const) {
    const v = input[f];
    if (v !== undefined && typeof v !== "boolean" && !isUnresolved(v)) errors.push({ field: f, message: "must be true or false" });
  }

  // Health-check footguns (production behaviour, contract §13).
  if (typeof hc.timeoutMs === "number" && hc.timeoutMs >= 30_000 && hc.timeoutMs <= 300_000) {
    warnings.push({
      field: "healthCheck.timeoutMs",
      message: `${hc.timeoutMs} ms is long: failure detection takes up to one cron interval + the timeout. Keep it under 30000 (10000 recommended)`,
    });
  }
  if (typeof hc.timeoutMs === "number" && typeof hc.cron === "string" && !isUnresolved(hc.cron)) {
    const intervalMs = cronEveryMinutes(hc.cron) * 60_000;
    if (hc.timeoutMs > intervalMs - 10_000 && hc.timeoutMs <= 300_000 && hc.timeoutMs >= 1000 && !warnings.some((w) => w.field === "healthCheck.timeoutMs")) {
      warnings.push({
        field: "healthCheck.timeoutMs",
        message: `${hc.timeoutMs} ms leaves less than 10 s of the ${intervalMs / 1000} s interval: Runlater pre-creates the next run 10 s before it is due, and a check still running then fires no failure hook`,
      });
    }
  }
  if (Array.isArray(hc.expectedStatusCodes) && hc.expectedStatusCodes.length === 0) {
    warnings.push({
      field: "healthCheck.expectedStatusCodes",
      message: "no expected status codes: any 2xx counts as healthy. Set [200] so a degraded answer fails the check",
    });
  }
  if (typeof hc.url === "string" && !isUnresolved(hc.url)) {
    try {
      const u = new URL(hc.url);
      if (u.username || u.password) {
        errors.push({
          field: "healthCheck.url",
          message: "must not contain user:password (it would be stored in plain text in the task and the state): send credentials in healthCheck.headers",
        });
      } else if (isPrivateHost(u.hostname)) {
        warnings.push({
          field: "healthCheck.url",
          message: `targets a private or loopback address (${u.hostname}): Runlater refuses it; only the local emulator accepts it`,
        });
      }
    } catch {
      /* reported by the task validator below */
    }
  }
  const records = planRecords(input);
  const multi = Array.isArray(input.records);
  // A target that is one engine value as a whole (a Pulumi `secret({...})`) is checked when it
  // resolves; nothing can be built from it before.
  const wholeUnknown = records.some((r) => isUnresolved(r.dns));
  for (const rec of records) {
    if (isUnresolved(rec.dns)) continue;
    for (const which of ["primary", "backup"] as const) {
      for (const issue of validateDnsTarget(rec.dns, rec[which], { isUnresolved })) {
        const target = issue.severity === "error" ? errors : warnings;
        const f = issue.field === "content" ? rec.contentField[which] : rec.field(issue.field);
        if (target.some((t) => t.field === f && t.message === issue.message)) continue;
        target.push({ field: f, message: issue.message });
      }
    }
    if (!isUnresolved(rec.primary) && !isUnresolved(rec.backup) && rec.primary === rec.backup && typeof rec.primary === "string") {
      warnings.push({ field: rec.contentField.backup, message: "is the same as primary: a failover would change nothing" });
    }
  }

  const name = typeof input.name === "string" ? input.name : "";
  const groups =
    opts.groups ?? groupRecords(records, { isUnresolved, identity: opts.identity, wiring: converge ? "converge" : wiring === "seed" ? "seed" : "edge" });
  if (multi && errors.length === 0 && !wholeUnknown) errors.push(...checkGroups(records, groups, wiring, isUnresolved));
  const layout = failoverLayout(converge ? "converge" : "edge", failback === "manual" ? "manual" : "auto", {
    failover: groups.failover.length,
    recovery: groups.recovery.length,
  });
  let objects: PlannedObject[] = [];
  const haveInputErrors = errors.length > 0;
  if (!haveInputErrors && !wholeUnknown) {
    objects = buildObjects(layout, {
      name,
      wiring,
      failback,
      retryAttempts,
      graceSeconds,
      records,
      groups,
      healthCheck: hc,
      notifyOnFailure: input.notifyOnFailure ?? FAILOVER_DEFAULTS.notifyOnFailure,
      notifyOnRecovery: input.notifyOnRecovery ?? FAILOVER_DEFAULTS.notifyOnRecovery,
      isUnresolved,
      probeUrlFor,
    });
    // Every field of every object, before anything is created (placeholders for references).
    // What counts as unknown is the engine's call (`isUnresolved`), including strings built from
    // its tokens.
    const unknown = isUnresolved;
    for (const o of objects) {
      const spec = resolvePlanRefs(o.spec, () => PLACEHOLDER_URL) as unknown as Record<string, unknown>;
      const issues =
        o.kind === "task"
          ? validateCronTaskSpec(spec, { isUnknown: unknown, allowPrivateTargets: true })
          : o.kind === "endpoint"
            ? validateEndpointSpec(spec, { isUnknown: unknown })
            : [];
      for (const i of issues) {
        const field = prefixedField(o.key, i.field, records, groups);
        if (!errors.some((e) => e.field === field && e.message === i.message)) errors.push({ field, message: i.message });
      }
    }
  }
  const haveErrors = errors.length > 0;
  const endpointSpec = (key: PlanObjectKey) => {
    const o = objects.find((x) => x.key === key);
    return o?.kind === "endpoint" ? (o.spec as unknown as EndpointSpec) : undefined;
  };
  const cost = costOf(objects, hc.cron, converge, records.length, groups.failover.length);
  const plannedRecords: PlannedRecord[] = haveErrors
    ? []
    : records.map((r) => {
        const fi = groups.failover.findIndex((g) => g.includes(r.index));
        const ri = groups.recovery.findIndex((g) => g.includes(r.index));
        const spec = endpointSpec(dnsKey("failover", fi));
        const pos = groups.failover[fi]!.indexOf(r.index);
        return {
          index: r.index,
          failover: dnsKey("failover", fi),
          ...(failback === "auto" ? { recovery: dnsKey("recovery", ri) } : {}),
          url: String(spec?.forwardUrls[pos] ?? ""),
          primary: r.primary,
          backup: r.backup,
        };
      });
  return {
    errors,
    warnings,
    wiring,
    failback,
    objects: haveErrors ? [] : objects,
    healthCheck: hc,
    cost,
    failoverEndpoint: (haveErrors ? undefined : endpointSpec("failover")) ?? ({} as EndpointSpec),
    recoveryEndpoint: haveErrors ? undefined : endpointSpec("recovery"),
    records: plannedRecords,
    groups,
    object: (key) => (haveErrors ? undefined : objects.find((o) => o.key === key)),
    task: (failoverUrl, recoveryUrl) => {
      const t = objects.find((o) => o.key === "health");
      if (t?.kind !== "task") return {} as CronTaskSpec;
      return resolvePlanRefs(t.spec, (r) => (r.$ref === "failover" ? failoverUrl : (recoveryUrl ?? null))) as unknown as CronTaskSpec;
    },
  };
}

const INPUT_TYPES = {
  name: "string",
  primary: "string",
  backup: "string",
  failback: "string",
  wiring: "string",
  retryAttempts: "number",
  healthCheck: "object",
  dns: "object",
  latch: "object",
  notifyOnFailure: "boolean",
  notifyOnRecovery: "boolean",
} as const;
const HEALTH_TYPES = {
  url: "string",
  probeUrl: "string",
  cron: "string",
  timeoutMs: "number",
  method: "string",
  expectedBodyPattern: "string",
  headers: "object",
} as const;

/** Types and shapes of the whole input, before any validator looks inside (see input.ts). */
function checkPlanInputShape(input: unknown, isUnresolved: (v: unknown) => boolean): ValidationIssue[] {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return [{ field: "props", message: `are required: an object with healthCheck, primary, backup and a DNS target, got ${kindOf(input)}` }];
  }
  const i = input as Record<string, unknown>;
  const issues = checkFieldTypes(i, INPUT_TYPES, "", isUnresolved);
  const multi = i.records !== undefined;
  issues.push(...checkRecordsShape(i, isUnresolved));
  for (const k of ["primary", "backup"] as const) {
    if (!multi && (i[k] === undefined || i[k] === null || i[k] === "")) {
      issues.push({ field: k, message: `is required: the record's content ${k === "primary" ? "while the primary is healthy" : "after a failover"} (an IP for A/AAAA)` });
    }
  }
  if (i.healthCheck === undefined || i.healthCheck === null) {
    issues.push({ field: "healthCheck", message: "is required: an object with at least `url`" });
  }
  if (i.name === "" || (typeof i.name === "string" && i.name.length > 200)) {
    issues.push({ field: "name", message: "must be 1 to 200 characters" });
  }
  const hc = i.healthCheck;
  if (typeof hc === "object" && hc !== null && !isUnresolved(hc)) {
    issues.push(...checkFieldTypes(hc as Record<string, unknown>, HEALTH_TYPES, "healthCheck.", isUnresolved));
    const codes = (hc as Record<string, unknown>).expectedStatusCodes;
    if (codes !== undefined && !isUnresolved(codes) && !Array.isArray(codes)) {
      issues.push({ field: "healthCheck.expectedStatusCodes", message: `must be an array of status codes (100..599), e.g. [200], got ${kindOf(codes)}` });
    }
  }
  for (const k of ["name", "primary", "backup", "healthCheck", "dns", "records", "latch", "failback", "wiring"]) {
    if (issues.some((x) => x.field === k || x.field.startsWith(`${k}.`))) continue;
    issues.push(...checkInputShape(i[k], k, isUnresolved));
  }
  return issues;
}

/** A plan that creates nothing, for input that could not even be read. */
function rejectedPlan(errors: ValidationIssue[]): FailoverPlan {
  return {
    errors,
    warnings: [],
    wiring: FAILOVER_DEFAULTS.wiring,
    failback: "auto",
    objects: [],
    healthCheck: { url: "", cron: FAILOVER_DEFAULTS.cron, timeoutMs: FAILOVER_DEFAULTS.timeoutMs, method: FAILOVER_DEFAULTS.method },
    cost: { objects: 0, executionsPerMonthHealthy: 0, executionsPerHourDown: 0, dnsWritesPerHourDown: 0 },
    failoverEndpoint: {} as EndpointSpec,
    records: [],
    groups: { failover: [], recovery: [] },
    object: () => undefined,
    task: () => ({}) as CronTaskSpec,
  };
}

/** Field names as users wrote them: health-check fields under `healthCheck.`, others under the object. */
function prefixedField(key: PlanObjectKey, field: string, records: PlanRecord[], groups: RecordGroups): string {
  const { part, index } = partOf(key);
  if (key === "health") return `healthCheck.${field}`;
  if (part === "failover" || part === "recovery") {
    // The stored DNS request is built from the record's target: name its fields as the user
    // wrote them (the record of a forward URL; the group's first record otherwise).
    const members = groups[part][index] ?? [0];
    const url = /^forwardUrls\[(\d+)\]/.exec(field);
    const rec = records[members[url ? Number(url[1]) : 0] ?? 0] ?? records[0]!;
    if (field === "retryAttempts") return "retryAttempts";
    if (field.startsWith("forwardUrls")) return rec.field("dns.url");
    if (field.startsWith("forwardHeaders")) return rec.field(field.replace("forwardHeaders", "dns.headers"));
    if (field.startsWith("forwardBody")) return rec.field("dns.body");
    if (field.startsWith("forwardMethod")) return rec.field("dns.method");
  }
  if (key === "probe" && field.startsWith("forwardHeaders")) return `healthCheck.${field.replace("forwardHeaders", "headers")}`;
  if (key === "probe" && field.startsWith("forwardUrls")) return "healthCheck.url";
  if (key === "probe" && field.startsWith("forwardMethod")) return "healthCheck.method";
  if (key === "pulse" && field === "cron") return "healthCheck.cron";
  return `${key}.${field}`;
}

/**
 * Records of one group must store the same method, headers and body (the engine grouped them
 * before values resolved; see records.ts), and no record may appear twice.
 */
function checkGroups(records: PlanRecord[], groups: RecordGroups, wiring: FailoverWiring, isUnresolved: (v: unknown) => boolean): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  const w = wiring === "seed" ? "seed" : wiring === "edge" ? "edge" : "converge";
  for (const which of ["failover", "recovery"] as const) {
    for (const g of groups[which]) {
      const reqs = g.map((i) => {
        const r = records[i]!;
        return dnsRequestFor(r.dns, which === "failover" ? r.backup : r.primary, w, isUnresolved);
      });
      const sig = (x: (typeof reqs)[number]) => JSON.stringify([x.method, x.headers, x.body]);
      g.forEach((i, n) => {
        if (n > 0 && sig(reqs[n]!) !== sig(reqs[0]!)) {
          issues.push({ field: `records[${i}]`, message: `was planned to share an endpoint with records[${g[0]}] but its stored ${which} request differs: pass the same values (or the same engine value) for both` });
        }
        if (which === "failover" && !isUnresolved(reqs[n]!.url)) {
          const prev = seen.get(reqs[n]!.url);
          if (prev !== undefined) issues.push({ field: `records[${i}]`, message: `is the same record as records[${prev}] (same DNS API URL)` });
          else seen.set(reqs[n]!.url, i);
        }
      });
    }
  }
  const sizes = [...groups.failover, ...groups.recovery];
  const all = (gs: number[][]) => gs.flat().sort((a, b) => a - b).join(",");
  const want = records.map((r) => r.index).join(",");
  if (all(groups.failover) !== want || all(groups.recovery) !== want || sizes.some((g) => g.length === 0 || g.length > 10)) {
    issues.push({ field: "records", message: "internal: the endpoint grouping does not cover every record once" });
  }
  return issues;
}

/**
 * The health URL with its host name's letter case changed (upper case, or lower case when it is
 * already upper case), so Runlater's host blocker (keyed by the literal host) tracks the probe
 * apart from the health check. Unresolved values and hosts without letters are returned as is.
 */
export function probeUrlFor(url: string, isUnresolved: (v: unknown) => boolean = () => false): string {
  if (typeof url !== "string" || isUnresolved(url)) return url;
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?)([^:/?#[\]]*)(.*)$/s.exec(url);
  if (!m || !/[a-z]/i.test(m[2]!)) return url;
  const host = m[2]!;
  const flipped = host === host.toUpperCase() ? host.toLowerCase() : host.toUpperCase();
  return `${m[1]}${flipped}${m[3]}`;
}
