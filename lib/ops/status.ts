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
 *   recovery endpoint whose stored address is not the primary, a latch monitor missing, disabled,
 *   paused or not firing at the recovery path, …
 * - `unknown`: no finished health check yet, or the record cannot be read.
 *
 * A failover of several records: each record gets its own verdict (`records[]`, from its content
 * and the one health check), and the failover's is `misconfigured` when the wiring has a problem,
 * else the worst of its records' (inconsistent > unknown > converging > failed-over > healthy).
 * The single-record fields (`record`, `primary`, `backup`) describe the first record, so JSON
 * readers written for one record keep working.
 */
import type { RunlaterClient } from "../runlater/client";
import type { Monitor } from "../runlater/model";
import { realClock, type OpsClock } from "./clock";
import { sameContent } from "./dns-read";
import { type FailoverObjects, findAllFailovers, findFailover } from "./discover";
import { type HealthView, observeHealth, observeRecord, type RecordView } from "./observe";

export { formatStatus } from "./status-format";

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

/** Where one record of a failover stands. */
export interface RecordStatus {
  /** `<fqdn> <type>` (the name from the provider API when the stored request does not tell it). */
  label: string;
  /** This record's verdict, from its content and the health check (never `misconfigured`: wiring problems are the failover's). */
  verdict: StatusVerdict;
  /** One sentence: why this verdict. */
  reason: string;
  /** Content while the primary is healthy (recovery endpoint's stored content, or `--primary`). */
  primary?: string;
  /** Content after a failover (failover endpoint's stored content). */
  backup?: string;
  record: RecordView & { shows?: "primary" | "backup" | "other" | "missing" };
  /** How long record and health have disagreed, ms (when they do). */
  disagreeForMs?: number;
  /** Names of the endpoints that carry its stored requests. */
  failoverEndpoint?: string;
  recoveryEndpoint?: string;
}

/** A heartbeat latch of the convergent wiring, as Runlater shows it. `down` is its resting state after an outage (it fired). */
export interface LatchStatus {
  name: string;
  status: Monitor["status"];
  enabled: boolean;
  lastPingAt: string | null;
  nextExpectedAt: string | null;
  gracePeriodSeconds: number;
}

/** Where one failover stands. */
export interface FailoverStatus {
  name: string;
  taskId: string;
  /** The failover's verdict: `misconfigured` when its wiring has problems, else the worst of its records'. */
  verdict: StatusVerdict;
  /** One sentence: why this verdict. */
  reason: string;
  /** The first record's primary (see `records` for every record). */
  primary?: string;
  /** The first record's backup. */
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
  /** The first record as read (see `records`). */
  record: RecordStatus["record"];
  /** The longest disagreement between a record and the health check, ms (when one disagrees). */
  disagreeForMs?: number;
  /** Every record, in endpoint order (one entry for a single-record failover). */
  records: RecordStatus[];
  /** Convergent wiring with automatic failback: the latches found. */
  latches?: LatchStatus[];
  problems: string[];
}

/** Options of {@link failoverStatus}. */
export interface StatusOptions {
  client: RunlaterClient;
  /** One failover by its health-check task id; all of the account's when absent. */
  taskId?: string;
  /** The primary's address: the recovery endpoint must store exactly this (with several records: those of its address family, IPv4 or IPv6). */
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

/** Worst first: how verdicts of records combine into the failover's. */
const RANK: Record<StatusVerdict, number> = { healthy: 0, "failed-over": 1, converging: 2, unknown: 3, inconsistent: 4, misconfigured: 5 };

const streakText = (h: HealthView) => `${h.streak}${h.streakFillsPage ? "+" : ""}`;

/** One record's verdict from what it shows and the health check (wiring problems are not looked at). */
function classifyRecord(
  failback: "auto" | "manual",
  health: HealthView,
  record: RecordView,
  primary: string | undefined,
  backup: string | undefined,
  o: StatusOptions,
  now: number,
): Pick<RecordStatus, "verdict" | "reason" | "record" | "disagreeForMs"> {
  const values = record.api ?? record.dns;
  const shows: RecordStatus["record"]["shows"] =
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
  if (shows === undefined) return { record: rec, verdict: "unknown", reason: `the record cannot be read: ${record.apiError ?? record.dnsError ?? "no reader"}` };
  if (health.current === undefined) return { record: rec, verdict: "unknown", reason: "no finished health check yet" };
  if (health.current === "ok" && shows === "primary") return { record: rec, verdict: "healthy", reason: `healthy for ${streakText(health)} checks, record on the primary` };
  if (health.current === "fail" && shows === "backup") return { record: rec, verdict: "failed-over", reason: `primary failing for ${streakText(health)} checks, record on the backup` };
  if (failback === "manual" && shows === "backup") return { record: rec, verdict: "failed-over", reason: "primary healthy again, record on the backup: manual failback, put the primary back by hand" };
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
  return { record: rec, verdict, reason: `${what} ${tail}`, disagreeForMs };
}

/** The failover's verdict and reason from its problems and its records'. */
function combine(f: FailoverObjects, records: RecordStatus[], health: HealthView): Pick<FailoverStatus, "verdict" | "reason"> {
  if (f.problems.length > 0) return { verdict: "misconfigured", reason: f.problems.join("; ") };
  if (records.length === 0) return { verdict: "unknown", reason: "the record cannot be read: no failover endpoint: record unknown" };
  const worst = records.reduce((w, r) => (RANK[r.verdict] > RANK[w.verdict] ? r : w), records[0]!);
  if (records.length === 1) return { verdict: worst.verdict, reason: worst.reason };
  const n = records.length === 2 ? "both" : `all ${records.length}`;
  if (records.every((r) => r.verdict === worst.verdict && r.reason === worst.reason)) {
    if (worst.verdict === "healthy") return { verdict: "healthy", reason: `healthy for ${streakText(health)} checks, ${n} records on their primary` };
    if (worst.verdict === "failed-over" && health.current === "fail") return { verdict: "failed-over", reason: `primary failing for ${streakText(health)} checks, ${n} records on their backup` };
  }
  const best = Math.min(...records.map((r) => RANK[r.verdict]));
  const off = records.filter((r) => RANK[r.verdict] > best || RANK[r.verdict] === RANK[worst.verdict]);
  return { verdict: worst.verdict, reason: off.map((r) => `${r.label}: ${r.reason}`).join("; ") };
}

const sameFamily = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.includes(":") === b.includes(":");

/** Status of one failover (`taskId`) or of every failover of the account. Read-only. */
export async function failoverStatus(o: StatusOptions): Promise<FailoverStatus[]> {
  const clock = o.clock ?? realClock;
  const found = o.taskId ? [await findFailover(o.client, o.taskId, { primary: o.primary })] : await findAllFailovers(o.client, { primary: o.primary });
  const out: FailoverStatus[] = [];
  for (const f of found) {
    const health = await observeHealth(o.client, f.health.id, o.executions ?? 20);
    const failback = f.recovery ? "auto" : "manual";
    const now = clock.now();
    const records: RecordStatus[] = [];
    for (const r of f.records) {
      const req = (r.failoverRequest ?? r.recoveryRequest)!;
      const view = await observeRecord(req, { fetch: o.fetch, resolver: o.resolver });
      const backup = r.failoverRequest?.content;
      const stored = r.recoveryRequest?.content;
      // `--primary` is one address: with several records it stands for those of its family (A or AAAA).
      const primary = o.primary !== undefined && (f.records.length === 1 || sameFamily(o.primary, stored ?? backup)) ? o.primary : stored;
      const c = classifyRecord(failback, health, view, primary, backup, o, now);
      records.push({
        label: view.fqdn ? `${view.fqdn} ${view.type}` : r.label,
        ...c,
        primary,
        backup,
        ...(r.failoverEndpoint ? { failoverEndpoint: r.failoverEndpoint.name } : {}),
        ...(r.recoveryEndpoint ? { recoveryEndpoint: r.recoveryEndpoint.name } : {}),
      });
    }
    const first = records[0];
    const disagree = records.map((r) => r.disagreeForMs).filter((x): x is number => x !== undefined);
    out.push({
      name: f.name,
      taskId: f.health.id,
      ...combine(f, records, health),
      primary: first?.primary ?? o.primary,
      backup: first?.backup,
      failback,
      health: {
        current: health.current,
        streak: health.streak,
        since: health.since,
        streakAtLeast: health.streakFillsPage,
        recent: health.recent.map((e) => ({ at: e.startedAt ?? e.scheduledFor, status: e.status, statusCode: e.statusCode, durationMs: e.durationMs })),
      },
      record: first?.record ?? { type: "A", apiError: "no failover endpoint: record unknown" },
      ...(disagree.length > 0 ? { disagreeForMs: Math.max(...disagree) } : {}),
      records,
      ...(f.relay && f.recovery ? { latches: f.latches.map((m) => ({ name: m.name, status: m.status, enabled: m.enabled, lastPingAt: m.lastPingAt, nextExpectedAt: m.nextExpectedAt, gracePeriodSeconds: m.gracePeriodSeconds })) } : {}),
      problems: f.problems,
    });
  }
  return out;
}

/** Exit code for a set of statuses: the worst verdict's (0 when there are none). */
export function statusExitCode(statuses: readonly FailoverStatus[]): number {
  return statuses.reduce((m, s) => Math.max(m, STATUS_EXIT[s.verdict]), 0);
}
