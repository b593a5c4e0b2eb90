/** What a planned failover costs on Runlater and at the DNS API (estimates, per failover). */
import type { PlannedObject } from "./plan";

/** What a failover costs on Runlater and at the DNS API, per failover. */
export interface FailoverCost {
  /** Runlater objects. */
  objects: number;
  /** Executions per 30-day month while the primary is healthy (Pro includes 1,000,000). */
  executionsPerMonthHealthy: number;
  /** Extra executions per hour while the primary is down. */
  executionsPerHourDown: number;
  /** DNS API writes per hour while the primary is down (one per failure signal and record). */
  dnsWritesPerHourDown: number;
}

/** Minutes between runs of a five-field cron, estimated like Runlater does (`*\/n` and `*`). */
export function cronEveryMinutes(cron: string): number {
  const [min, hour] = cron.trim().split(/\s+/);
  const step = (f: string | undefined, unit: number) => {
    if (f === undefined) return unit;
    if (f === "*") return 1;
    const m = /^\*\/(\d+)$/.exec(f);
    if (m) return Number(m[1]);
    return unit;
  };
  const m = step(min, 60);
  if (m !== 60 || hour === "*") return m;
  return 60 * step(hour, 24);
}

/**
 * Cost of `objects`. `records`: how many records the failover changes; `failoverEndpoints`:
 * how many stored failover requests carry them.
 */
export function costOf(objects: PlannedObject[], cron: unknown, converge: boolean, records = 1, failoverEndpoints = 1): FailoverCost {
  const every = typeof cron === "string" ? cronEveryMinutes(cron) : 1;
  const perMonth = (30 * 24 * 60) / every;
  const crons = objects.filter((o) => o.kind === "task").length;
  const probeForwards = converge ? 1 : 0;
  const latches = objects.filter((o) => o.key === "latch" || o.key === "latch2").length;
  // Down, converge: per interval the probe's failure → relay (one forward per failover endpoint
  // and latch) → failover endpoints (one forward per record).
  const downPerInterval = converge ? failoverEndpoints + latches + records : 0;
  // Edge: one failure hook → (fan-out) → one forward per record.
  const edgeDown = records + (failoverEndpoints > 1 ? failoverEndpoints : 0);
  return {
    objects: objects.length,
    executionsPerMonthHealthy: Math.round(perMonth * (crons + probeForwards)),
    executionsPerHourDown: Math.round((60 / every) * downPerInterval) + (converge ? 0 : edgeDown),
    dnsWritesPerHourDown: converge ? Math.round(60 / every) * records : records,
  };
}
