/**
 * `runlater-iac status`: where each failover stands, for people (a table) and pipelines (JSON and
 * an exit code). Read-only: it lists Runlater objects, reads executions and reads the record
 * through the DNS provider's API (and a DNS server with `--resolver`).
 *
 * Verdicts:
 * - `healthy`: the last health check passed and the record shows the primary.
 * - `failed-over`: the last health check failed and the record shows the backup (or the record
 *   shows the backup with manual failback).
 * - `converging`: record and health disagree, for less than the bound (a flip is under way).
 * - `inconsistent`: they disagree for longer than the bound (default 5 minutes: one cron interval
 *   + the check's timeout + forward retries fit well inside), or the record shows neither address.
 * - `misconfigured`: hook URLs not pointing at the endpoints, an endpoint missing or disabled, a
 *   recovery endpoint whose stored address is not the primary, …
 * - `unknown`: no finished health check yet, or the record cannot be read.
 */
import type { RunlaterClient } from "../runlater/client";
import { realClock, type OpsClock } from "./clock";
import { sameContent } from "./dns-read";
import { type FailoverObjects, findAllFailovers, findFailover } from "./discover";
import { type HealthView, observeHealth, observeRecord, type RecordView } from "./observe";

/** Default bound on a disagreement between record and health, ms (5 minutes). */
export const DEFAULT_BOUND_MS = 300_000;

/** A failover's verdict. */
export type StatusVerdict = "healthy" | "failed-over" | "converging" | "inconsistent" | "misconfigured" | "unknown";

/** Exit code of `status` per verdict (the worst failover decides). */
export const STATUS_EXIT: Record<StatusVerdict, number> = {
  healthy: 0,
  "failed-over": 0,
  converging: 0,
  unknown: 0,
  inconsistent: 1,
  misconfigured: 2,
};

/** Where one failover stands. */
export interface FailoverStatus {
  name: string;
  taskId: string;
  verdict: StatusVerdict;
  /** One sentence: why this verdict. */
  reason: string;
  /** Address the record has while the primary is healthy (recovery endpoint's stored content, or `--primary`). */
  primary?: string;
  /** Address after a failover (failover endpoint's stored content). */
  backup?: string;
  /** `auto` when a recovery endpoint is wired, else `manual`. */
  failback: "auto" | "manual";
  health: {
    current?: "ok" | "fail";
    streak: number;
    /** Start of the current streak (ISO-8601); a lower bound when `streakAtLeast`. */
    since?: string;
    streakAtLeast: boolean;
    recent: { at: string | null; status: string; statusCode: number | null; durationMs: number | null }[];
  };
  record: RecordView & { shows?: "primary" | "backup" | "other" | "missing" };
  /** How long record and health have disagreed, ms (when they do). */
  disagreeForMs?: number;
  problems: string[];
}

/** Options of {@link failoverStatus}. */
export interface StatusOptions {
  client: RunlaterClient;
  /** One failover by its health-check task id; all of the account's when absent. */
  taskId?: string;
  /** The primary's address: the recovery endpoint must store exactly this. */
  primary?: string;
  /** Bound on a disagreement, ms. @default 300000 */
  boundMs?: number;
  /** Also query this DNS server (`host:port`). */
  resolver?: string;
  /** Health checks fetched per failover (1..100). @default 20 */
  executions?: number;
  clock?: OpsClock;
  fetch?: typeof fetch;
}

function classify(f: FailoverObjects, health: HealthView, record: RecordView, o: StatusOptions, now: number): Omit<FailoverStatus, "name" | "taskId" | "health" | "problems"> {
  const backup = f.failoverRequest?.content;
  const primary = o.primary ?? f.recoveryRequest?.content;
  const failback = f.recovery ? "auto" : "manual";
  const base = { primary, backup, failback } as const;
  const values = record.api ?? record.dns;
  const shows: NonNullable<FailoverStatus["record"]["shows"]> | undefined =
    values === undefined
      ? undefined
      : values.length === 0
        ? "missing"
        : values.length === 1 && sameContent(values[0], backup)
          ? "backup"
          : values.length === 1 && (primary === undefined ? true : sameContent(values[0], primary))
            ? "primary"
            : "other";
  const rec = { ...record, ...(shows ? { shows } : {}) };
  if (f.problems.length > 0) return { ...base, record: rec, verdict: "misconfigured", reason: f.problems.join("; ") };
  if (shows === undefined) return { ...base, record: rec, verdict: "unknown", reason: `the record cannot be read: ${record.apiError ?? record.dnsError ?? "no reader"}` };
  if (health.current === undefined) return { ...base, record: rec, verdict: "unknown", reason: "no finished health check yet" };
  if (health.current === "ok" && shows === "primary") return { ...base, record: rec, verdict: "healthy", reason: `healthy for ${health.streak}${health.streakFillsPage ? "+" : ""} checks, record on the primary` };
  if (health.current === "fail" && shows === "backup") return { ...base, record: rec, verdict: "failed-over", reason: `primary failing for ${health.streak}${health.streakFillsPage ? "+" : ""} checks, record on the backup` };
  if (failback === "manual" && shows === "backup") return { ...base, record: rec, verdict: "failed-over", reason: "primary healthy again, record on the backup: manual failback, put the primary back by hand" };
  // Disagreement: dated from the later of the streak start and the record's last change (when the provider tells it).
  const starts = [health.since, record.modifiedAt].filter((s): s is string => !!s).map((s) => Date.parse(s)).filter(Number.isFinite);
  const since = starts.length > 0 ? Math.max(...starts) : now;
  const disagreeForMs = Math.max(0, now - since);
  const bound = o.boundMs ?? DEFAULT_BOUND_MS;
  const what =
    shows === "missing"
      ? "the record does not exist"
      : shows === "other"
        ? `the record shows ${values!.join(", ")}, neither the primary nor the backup`
        : health.current === "ok"
          ? "the primary is healthy but the record is on the backup"
          : "the primary is failing but the record is on the primary";
  const verdict = shows === "other" || shows === "missing" || disagreeForMs > bound ? "inconsistent" : "converging";
  const tail = verdict === "inconsistent" ? `for ${Math.round(disagreeForMs / 1000)} s (bound ${Math.round(bound / 1000)} s)` : `for ${Math.round(disagreeForMs / 1000)} s, within the bound of ${Math.round(bound / 1000)} s`;
  return { ...base, record: rec, verdict, reason: `${what} ${tail}`, disagreeForMs };
}

/** Status of one failover (`taskId`) or of every failover of the account. Read-only. */
export async function failoverStatus(o: StatusOptions): Promise<FailoverStatus[]> {
  const clock = o.clock ?? realClock;
  const found = o.taskId ? [await findFailover(o.client, o.taskId, { primary: o.primary })] : await findAllFailovers(o.client, { primary: o.primary });
  const out: FailoverStatus[] = [];
  for (const f of found) {
    const health = await observeHealth(o.client, f.health.id, o.executions ?? 20);
    const req = f.failoverRequest ?? f.recoveryRequest;
    const record: RecordView = req ? await observeRecord(req, { fetch: o.fetch, resolver: o.resolver }) : { type: "A", apiError: "no failover endpoint: record unknown" };
    const c = classify(f, health, record, o, clock.now());
    out.push({
      name: f.name,
      taskId: f.health.id,
      ...c,
      health: {
        current: health.current,
        streak: health.streak,
        since: health.since,
        streakAtLeast: health.streakFillsPage,
        recent: health.recent.map((e) => ({ at: e.startedAt ?? e.scheduledFor, status: e.status, statusCode: e.statusCode, durationMs: e.durationMs })),
      },
      problems: f.problems,
    });
  }
  return out;
}

/** Exit code for a set of statuses: the worst verdict's (0 when there are none). */
export function statusExitCode(statuses: readonly FailoverStatus[]): number {
  return statuses.reduce((m, s) => Math.max(m, STATUS_EXIT[s.verdict]), 0);
}

/** Human table (one row per failover, then reasons; with one failover, its recent checks too). */
export function formatStatus(statuses: readonly FailoverStatus[]): string[] {
  if (statuses.length === 0) return ['no failovers found (cron tasks named "<name> health")'];
  const hhmm = (iso?: string | null) => (iso ? iso.replace(/^\d{4}-\d{2}-\d{2}T/, "").replace(/(\.\d+)?Z$/, "Z") : "-");
  const withDns = statuses.some((s) => s.record.dns !== undefined || s.record.dnsError !== undefined);
  const rows = statuses.map((s) => {
    const h = s.health.current === undefined ? "no checks" : `${s.health.current} ×${s.health.streak}${s.health.streakAtLeast ? "+" : ""} since ${hhmm(s.health.since)}`;
    const values = s.record.api;
    const rec = `${s.record.fqdn ?? "?"} ${s.record.type} ${values ? (values.length ? values.join(",") : "(missing)") : "(unreadable)"}${s.record.ttl !== undefined ? ` ttl ${s.record.ttl}` : ""}`;
    const dns = s.record.dns?.length ? s.record.dns.join(",") : (s.record.dnsError ?? "-");
    return [s.name, s.verdict, h, rec, ...(withDns ? [dns] : []), `${s.primary ?? "?"} → ${s.backup ?? "?"}${s.failback === "manual" ? " (manual)" : ""}`];
  });
  const all = [["FAILOVER", "VERDICT", "HEALTH", "RECORD (API)", ...(withDns ? ["RESOLVER"] : []), "PRIMARY → BACKUP"], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const lines = all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  "));
  lines.push("");
  for (const s of statuses) lines.push(`${s.name}: ${s.verdict} — ${s.reason}`);
  if (statuses.length === 1) {
    const s = statuses[0]!;
    lines.push("", "recent health checks (newest first):");
    for (const e of s.health.recent) lines.push(`  ${e.at ?? "-"}  ${e.status.padEnd(7)}  ${e.statusCode ?? "-"}  ${e.durationMs ?? "-"} ms`);
    if (s.health.recent.length === 0) lines.push("  (none)");
  }
  return lines;
}
