/**
 * The spec of each object of a failover layout (see wiring.ts), from validated plan input.
 * Pure: references to other objects stay {@link PlanRef}s.
 */
import type { HttpMethod } from "../runlater/model";
import type { EndpointPlanSpec, FailoverHealthCheck, MonitorPlanSpec, PlannedObject, TaskPlanSpec } from "./plan";
import { dnsRequestFor, lowerCaseKeys, type PlanRecord, type RecordGroups } from "./records";
import { dnsKey, type FailoverWiring, type LayoutEntry, type PlanRef, refTo } from "./wiring";

/** Seconds the second latch waits after the first. */
const LATCH2_EXTRA_S = 120;

/** What the spec builders need (validated). */
export interface SpecContext {
  name: string;
  wiring: FailoverWiring;
  failback: "auto" | "manual";
  retryAttempts: number;
  graceSeconds: number;
  records: PlanRecord[];
  groups: RecordGroups;
  healthCheck: FailoverHealthCheck & { cron: string; timeoutMs: number; method: HttpMethod };
  notifyOnFailure: boolean;
  notifyOnRecovery: boolean;
  isUnresolved: (v: unknown) => boolean;
  probeUrlFor: (url: string, isUnresolved: (v: unknown) => boolean) => string;
}

/** The planned objects of `layout`, in its order. */
export function buildObjects(layout: LayoutEntry[], c: SpecContext): PlannedObject[] {
  const converge = c.wiring === "converge";
  const n = (suffix: string) => `${c.name} ${suffix}`;
  const k = c.groups.failover.length;
  const m = c.failback === "auto" ? c.groups.recovery.length : 0;
  const failovers = c.groups.failover.map((_, i) => refTo(dnsKey("failover", i)));
  const recoveries = c.groups.recovery.map((_, i) => refTo(dnsKey("recovery", i)));
  const recoveryTarget: PlanRef = m > 1 ? refTo("restore") : refTo("recovery");
  const hc = c.healthCheck;

  const dnsEndpoint = (suffix: string, members: number[], which: "primary" | "backup", retries: number): EndpointPlanSpec => {
    const reqs = members.map((i) => dnsRequestFor(c.records[i]!.dns, c.records[i]![which], c.wiring, c.isUnresolved));
    const req = reqs[0]!;
    return {
      name: n(suffix),
      forwardUrls: reqs.map((r) => r.url),
      forwardHeaders: req.headers,
      forwardBody: req.body,
      forwardMethod: req.method,
      retryAttempts: retries,
      useQueue: true,
      enabled: true,
      notifyOnFailure: true,
      notifyOnRecovery: null,
      onFailureUrl: null,
      onRecoveryUrl: null,
    };
  };
  // An endpoint that hands one signal to other objects' inbound URLs (relay, fan-outs). No
  // retries: its targets are Runlater's own inbound URLs, and a late retry is a stale signal.
  const fanOut = (suffix: string, forwardUrls: PlanRef[]): EndpointPlanSpec => ({
    name: n(suffix),
    forwardUrls,
    forwardMethod: "POST",
    forwardHeaders: {},
    forwardBody: null,
    retryAttempts: 0,
    useQueue: false,
    enabled: true,
    notifyOnFailure: false,
    notifyOnRecovery: false,
    onFailureUrl: null,
    onRecoveryUrl: null,
  });

  const objects: PlannedObject[] = [];
  for (const entry of layout) {
    const base = { key: entry.key, role: entry.role };
    switch (entry.part) {
      case "failover":
        objects.push({
          ...base,
          kind: "endpoint",
          secret: true,
          spec: dnsEndpoint(entry.suffix, c.groups.failover[entry.index]!, "backup", converge ? 0 : c.retryAttempts),
        });
        break;
      case "recovery":
        objects.push({ ...base, kind: "endpoint", secret: true, spec: dnsEndpoint(entry.suffix, c.groups.recovery[entry.index]!, "primary", c.retryAttempts) });
        break;
      case "restore":
        objects.push({ ...base, kind: "endpoint", secret: false, spec: fanOut(entry.suffix, recoveries) });
        break;
      case "fanout":
        objects.push({ ...base, kind: "endpoint", secret: false, spec: fanOut(entry.suffix, failovers) });
        break;
      case "latch":
      case "latch2":
        objects.push({ ...base, kind: "monitor", secret: false, spec: latchSpec(n(entry.suffix), entry.part === "latch", c.graceSeconds, recoveryTarget) });
        break;
      case "relay":
        objects.push({
          ...base,
          kind: "endpoint",
          secret: false,
          spec: fanOut("relay", c.failback === "auto" ? [...failovers, refTo("latch"), refTo("latch2")] : failovers),
        });
        break;
      case "probe":
        objects.push({
          ...base,
          kind: "endpoint",
          secret: true,
          spec: {
            ...fanOut("probe", []),
            forwardUrls: [hc.probeUrl ?? c.probeUrlFor(hc.url, c.isUnresolved)],
            forwardMethod: hc.method,
            forwardHeaders: lowerCaseKeys(hc.headers),
            onFailureUrl: refTo("relay"),
          },
        });
        break;
      case "health":
        objects.push({
          ...base,
          kind: "task",
          secret: hc.headers !== undefined && Object.keys(hc.headers ?? {}).length > 0,
          spec: {
            name: n("health"),
            url: hc.url,
            method: hc.method,
            cron: hc.cron,
            timeoutMs: hc.timeoutMs,
            expectedStatusCodes: Array.isArray(hc.expectedStatusCodes) && hc.expectedStatusCodes.length > 0 ? hc.expectedStatusCodes : null,
            expectedBodyPattern: hc.expectedBodyPattern ?? null,
            headers: hc.headers ?? {},
            enabled: true,
            notifyOnFailure: c.notifyOnFailure,
            notifyOnRecovery: c.notifyOnRecovery,
            // One failover endpoint: straight to it. Several: through the relay (`converge`: a
            // failure signal, so pinging the latches too is right) or the fan-out.
            onFailureUrl: k > 1 ? refTo(converge ? "relay" : "fanout") : refTo("failover"),
            onRecoveryUrl: c.failback === "auto" ? recoveryTarget : null,
          },
        });
        break;
      case "pulse":
        objects.push({ ...base, kind: "task", secret: false, spec: pulseSpec(n("pulse"), hc.cron) });
        break;
    }
  }
  return objects;
}

function latchSpec(name: string, first: boolean, graceSeconds: number, onFailureUrl: PlanRef): MonitorPlanSpec {
  return {
    name,
    intervalSeconds: 60,
    // The second latch fires 2 minutes after the first: a lost hook or a failed recovery write
    // gets a second, independent chance.
    gracePeriodSeconds: first ? graceSeconds : Math.min(3600, graceSeconds + LATCH2_EXTRA_S),
    enabled: true,
    notifyOnFailure: false,
    notifyOnRecovery: false,
    onFailureUrl,
    onRecoveryUrl: null,
  };
}

function pulseSpec(name: string, cron: string): TaskPlanSpec {
  return {
    name,
    url: refTo("probe"),
    method: "POST",
    cron,
    timeoutMs: 10_000,
    expectedStatusCodes: null,
    expectedBodyPattern: null,
    headers: {},
    enabled: true,
    notifyOnFailure: false,
    notifyOnRecovery: false,
    onFailureUrl: null,
    onRecoveryUrl: null,
  };
}
