/**
 * `runlater-iac drill`: exercises a deployed failover, against Runlater or the emulator.
 *
 * - endpoint drill (default): POST the failover endpoint's inbound URL, wait until the record
 *   shows the backup, POST the recovery endpoint, wait for the primary. With several records:
 *   POST every failover endpoint, wait until every record shows its backup, POST the endpoint
 *   `on_recovery_url` names (the restore fan-out when there are several recovery endpoints),
 *   wait until every record is back on its primary.
 * - full drill: point the health check at a failing URL (a 404 path on the same host, as the seed
 *   guide does), wait for the flip, restore the URL, wait for the recovery.
 *
 * Whatever happens (abort, timeout, error), what the drill changed is put back before it returns,
 * and it is written to the journal BEFORE the change, so a drill that was killed is repaired by
 * the next run ({@link repairFromJournal}). Waits use an injectable {@link OpsClock}.
 */
import type { RunlaterClient } from "../runlater/client";
import type { Task } from "../runlater/model";
import { realClock, type OpsClock } from "./clock";
import { sameContent } from "./dns-read";
import { type FailoverObjects, findFailover } from "./discover";
import { clearJournal, type DrillJournal, JOURNAL_VERSION, readJournal, writeJournal } from "./journal";
import { observeHealth, observeRecord, type RecordView } from "./observe";
import { restoreTaskUrl, triggerInbound } from "./restore";

/** Options of {@link runDrill}. */
export interface DrillOptions {
  client: RunlaterClient;
  /** Health-check task id of the failover. */
  taskId: string;
  /** @default "endpoint" */
  mode?: "endpoint" | "full";
  /** Also wait for a DNS server (`host:port`) to answer the new content. @default none */
  resolver?: string;
  /** Record FQDN for `resolver` when the stored request does not tell it. */
  fqdn?: string;
  /** Run even when the primary is unhealthy or the record is not on the primary. @default false */
  force?: boolean;
  /** Journal file (see `journal.ts`). Required: the CLI passes `defaultJournalPath()` unless `--journal`. */
  journalPath: string;
  /** Longest wait of each waiting step, ms. @default 120000 (endpoint), 300000 (full) */
  stepTimeoutMs?: number;
  /** Time between two observations while waiting, ms. @default 2000 */
  pollMs?: number;
  /** Full drill: the failing URL. @default the health URL with path `/__runlater-iac-drill-404` */
  failUrl?: string;
  clock?: OpsClock;
  /** HTTP for inbound URLs and DNS provider reads. @default global fetch */
  fetch?: typeof fetch;
  /** Abort (Ctrl-C): the drill stops waiting, puts everything back and reports `failed`. */
  signal?: AbortSignal;
  /** Called for each step as it finishes, and for notes. */
  onProgress?: (e: DrillEvent) => void;
}

/** One step of a drill. */
export interface DrillStep {
  name: string;
  ok: boolean;
  /** Elapsed since the drill started when the step began, ms. */
  atMs: number;
  /** Duration of the step, ms. */
  durationMs: number;
  detail?: string;
}

/** Progress of a drill: a finished step or a note. */
export type DrillEvent = { type: "step"; step: DrillStep } | { type: "note"; atMs: number; message: string };

/** Result of a drill. */
export interface DrillReport {
  /** `passed`: every step ok and everything restored. `refused`: nothing was changed. */
  verdict: "passed" | "failed" | "refused";
  mode: "endpoint" | "full";
  name?: string;
  taskId: string;
  steps: DrillStep[];
  /** What a previous, interrupted drill left and this run repaired. */
  repaired: string[];
  /** Everything the drill changed is back (true when it changed nothing). */
  restored: boolean;
  /** Why the drill failed or refused. */
  reason?: string;
  totalMs: number;
}

/** Path the full drill's failing URL gets on the health host (answers 404 on nearly every server). */
export const DRILL_FAIL_PATH = "/__runlater-iac-drill-404";

class StepFailed extends Error {}

/** Runs a drill. Never throws for drill failures (see `verdict`); throws only for bad options. */
export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const mode = o.mode ?? "endpoint";
  const clock = o.clock ?? realClock;
  const t0 = clock.now();
  const elapsed = () => clock.now() - t0;
  const steps: DrillStep[] = [];
  const report: DrillReport = { verdict: "failed", mode, taskId: o.taskId, steps, repaired: [], restored: true, totalMs: 0 };
  const note = (message: string) => o.onProgress?.({ type: "note", atMs: elapsed(), message });
  const record = (name: string, ok: boolean, at: number, detail?: string) => {
    const step: DrillStep = { name, ok, atMs: at, durationMs: elapsed() - at, ...(detail ? { detail } : {}) };
    steps.push(step);
    o.onProgress?.({ type: "step", step });
    if (!ok) throw new StepFailed(`${name}: ${detail ?? "failed"}`);
  };
  const done = (verdict: DrillReport["verdict"], reason?: string) => {
    report.verdict = verdict;
    if (reason) report.reason = reason;
    report.totalMs = elapsed();
    return report;
  };

  report.repaired = await repairFromJournal(o.client, o.journalPath, { fetch: o.fetch });
  for (const r of report.repaired) note(`repaired an interrupted drill: ${r}`);

  // ------------------------------------------------------------------ preflight (changes nothing)
  let f: FailoverObjects;
  try {
    f = await findFailover(o.client, o.taskId);
  } catch (e) {
    return done("refused", `cannot read the failover: ${(e as Error).message}`);
  }
  report.name = f.name;
  if (f.problems.length > 0) return done("refused", `misconfigured: ${f.problems.join("; ")}`);
  const records = f.records;
  if (!f.failover || !f.recovery || records.length === 0 || records.some((r) => !r.failoverRequest || !r.recoveryRequest)) {
    return done("refused", "the failover has no recovery endpoint (manual failback): a drill could not put the primary back");
  }
  const multi = records.length > 1;
  if (multi && o.fqdn !== undefined) return done("refused", `--name names the record of a one-record failover; "${f.name}" has ${records.length} records, whose names come from their stored requests or the provider API`);
  const generic = records.find((r) => r.failoverRequest!.provider === "generic");
  if (multi && generic) return done("refused", `record ${generic.label} is not a known provider API (generic request): a drill of several records reads every record through its provider API`);
  const canRead = !generic;
  if (!canRead && !o.resolver) return done("refused", "the record cannot be read through its provider API (generic request): pass --resolver host:port");
  const want = (which: "primary" | "backup") => records.map((r) => (which === "backup" ? r.failoverRequest!.content : r.recoveryRequest!.content));
  const observe = () => Promise.all(records.map((r) => observeRecord(r.failoverRequest!, { fetch: o.fetch, resolver: o.resolver, fqdn: o.fqdn })));
  const shows = (v: RecordView, value: string | undefined, via: "api" | "dns") => {
    const got = via === "api" ? v.api : v.dns;
    return !!got && got.length === 1 && sameContent(got[0], value);
  };
  const show = (v: RecordView, via: "api" | "dns") => {
    const got = via === "api" ? v.api : v.dns;
    const err = via === "api" ? v.apiError : v.dnsError;
    return got && got.length > 0 ? got.join(", ") : err ?? "(no record)";
  };
  const label = (v: RecordView, i: number) => (v.fqdn ? `${v.fqdn} ${v.type}` : records[i]!.label);
  const before = await observe();
  const health = await observeHealth(o.client, o.taskId, 5).catch(() => undefined);
  const primaries = want("primary");
  const backups = want("backup");
  if (!o.force) {
    if (health?.current === "fail") return done("refused", "the primary is currently unhealthy (the last health check failed): not drilling a live outage (use --force)");
    const off = canRead ? before.findIndex((v, i) => !shows(v, primaries[i], "api")) : -1;
    if (off >= 0) {
      const what = multi ? `record ${label(before[off]!, off)} is not on its primary` : "the record is not on the primary";
      return done("refused", `${what} ${primaries[off]} (it shows ${show(before[off]!, "api")}): use --force to drill anyway`);
    }
  }
  if (multi) note(`failover "${f.name}": ${records.length} records: ${before.map((v, i) => `${label(v, i)} ${primaries[i]} → ${backups[i]}`).join(", ")}`);
  else note(`failover "${f.name}": record ${before[0]!.fqdn ?? "(name unknown)"} ${before[0]!.type}, primary ${primaries[0]} → backup ${backups[0]}`);

  // ------------------------------------------------------------------ waiting
  const waitFor = async (which: "primary" | "backup", timeoutMs: number) => {
    const name = which === "backup" ? (multi ? "every record shows its backup" : "record shows the backup") : multi ? "every record back on its primary" : "record back on the primary";
    const values = which === "backup" ? backups : primaries;
    for (const via of [...(canRead ? ["api" as const] : []), ...(o.resolver ? ["dns" as const] : [])]) {
      const at = elapsed();
      const stepName = `${name} (${via === "api" ? "DNS provider API" : `DNS ${o.resolver}`})`;
      for (;;) {
        const vs = await observe();
        const off = vs.findIndex((v, i) => !shows(v, values[i], via));
        if (off < 0) {
          record(stepName, true, at, vs.map((v) => `${v.fqdn ?? ""} ${show(v, via)}`.trim()).join(", "));
          break;
        }
        if (elapsed() - at >= timeoutMs) record(stepName, false, at, `${multi ? `${label(vs[off]!, off)} ` : ""}still ${show(vs[off]!, via)} after ${Math.round(timeoutMs / 1000)} s`);
        await clock.sleep(o.pollMs ?? 2000, o.signal);
      }
    }
  };
  // The endpoint drill POSTs each failover endpoint (not the relay: the latches stay out of it)
  // and the endpoint on_recovery_url names (the restore fan-out with several recovery endpoints).
  const recoveryTarget = f.restore ?? f.recovery;
  const triggerFailovers = async () => {
    const rs = await Promise.all(f.failovers.map((ep) => triggerInbound(ep.inboundUrl, o.fetch)));
    return { ok: rs.every((r) => r.ok), detail: rs.map((r) => r.detail).join("; ") };
  };
  const failoverStep = f.failovers.length > 1 ? `trigger the ${f.failovers.length} failover endpoints` : "trigger the failover endpoint";
  const recoveryStep = f.restore ? "trigger the restore endpoint" : "trigger the recovery endpoint";
  const stepTimeout = o.stepTimeoutMs ?? (mode === "full" ? 300_000 : 120_000);
  const journal: DrillJournal = {
    version: JOURNAL_VERSION,
    mode,
    name: f.name,
    taskId: o.taskId,
    recoveryEndpointId: recoveryTarget.id,
    startedAt: new Date().toISOString(),
    pid: process.pid,
  };

  let changed = false;
  let failure: string | undefined;
  let original: Task | undefined;
  try {
    if (mode === "endpoint") {
      writeJournal(o.journalPath, journal);
      let at = elapsed();
      changed = true;
      const r1 = await triggerFailovers();
      record(failoverStep, r1.ok, at, r1.detail);
      await waitFor("backup", stepTimeout);
      at = elapsed();
      const r2 = await triggerInbound(recoveryTarget.inboundUrl, o.fetch);
      record(recoveryStep, r2.ok, at, r2.detail);
      await waitFor("primary", stepTimeout);
      changed = false;
    } else {
      original = await o.client.getTask(o.taskId);
      const failUrl = o.failUrl ?? drillFailUrl(original.url);
      writeJournal(o.journalPath, { ...journal, originalUrl: original.url, drillUrl: failUrl });
      let at = elapsed();
      changed = true;
      await o.client.updateCronTask(o.taskId, { url: failUrl });
      record("point the health check at a failing URL", true, at, new URL(failUrl).pathname);
      await waitFor("backup", stepTimeout);
      at = elapsed();
      const r = await restoreTaskUrl(o.client, original);
      changed = !r.ok;
      record("restore the health check's URL", r.ok, at, r.detail);
      await waitFor("primary", stepTimeout);
    }
  } catch (e) {
    failure = e instanceof StepFailed ? e.message : (e as Error).name === "AbortError" ? "aborted" : `error: ${(e as Error).message}`;
  } finally {
    if (changed) {
      const at = elapsed();
      // Put back what the drill changed, whatever happened. Not abortable: it must run.
      const r = mode === "full" && original ? await restoreTaskUrl(o.client, original) : await triggerInbound(recoveryTarget.inboundUrl, o.fetch);
      const name = mode === "full" ? "restore the health check's URL (cleanup)" : `${recoveryStep} (cleanup)`;
      try {
        record(name, r.ok, at, r.detail);
      } catch {
        /* recorded as failed */
      }
      report.restored = r.ok;
      if (r.ok) clearJournal(o.journalPath);
      else note(`could not put everything back: the journal ${o.journalPath} stays; the next drill repairs it`);
    } else clearJournal(o.journalPath);
  }
  return failure ? done("failed", failure) : done("passed");
}

/** The failing URL of a full drill: same origin as the health URL, path {@link DRILL_FAIL_PATH}. */
export function drillFailUrl(healthUrl: string): string {
  const u = new URL(healthUrl);
  return `${u.origin}${DRILL_FAIL_PATH}`;
}

/**
 * Repairs what an interrupted drill left (per the journal) and removes the journal. Returns what
 * was done, one sentence each (empty when there was no journal). Full drill: the health check's
 * URL goes back when it still has the drill URL. Endpoint drill: the recovery endpoint is
 * triggered when the primary is healthy (never during a real outage).
 */
export async function repairFromJournal(client: RunlaterClient, path: string, opts: { fetch?: typeof fetch } = {}): Promise<string[]> {
  const j = readJournal(path);
  if (!j) return [];
  const out: string[] = [];
  let task: Task;
  try {
    task = await client.getTask(j.taskId);
  } catch (e) {
    if ((e as { isNotFound?: boolean }).isNotFound) {
      clearJournal(path);
      return [`the health check ${j.taskId} of "${j.name}" no longer exists: nothing to repair`];
    }
    throw new Error(`an interrupted drill of "${j.name}" must be repaired but the task cannot be read: ${(e as Error).message}`);
  }
  if (j.mode === "full" && j.originalUrl) {
    if (task.url === j.originalUrl) out.push(`the health check of "${j.name}" already has its original URL`);
    else if (task.url === j.drillUrl) {
      const r = await restoreTaskUrl(client, { ...task, url: j.originalUrl });
      if (!r.ok) throw new Error(`an interrupted drill of "${j.name}" left the health check on the failing URL and restoring it failed: ${r.detail}`);
      out.push(`restored the health check URL of "${j.name}" (left on the failing URL by the drill started ${j.startedAt})`);
    } else out.push(`the health check URL of "${j.name}" was changed since the interrupted drill: left as it is`);
  } else if (j.mode === "endpoint" && j.recoveryEndpointId) {
    const h = await observeHealth(client, j.taskId, 5);
    if (h.current === "fail") out.push(`"${j.name}": the primary is unhealthy now, the record is left to the failover`);
    else {
      const ep = await client.getEndpoint(j.recoveryEndpointId);
      const r = await triggerInbound(ep.inboundUrl, opts.fetch);
      if (!r.ok) throw new Error(`an interrupted drill of "${j.name}" may have left the record on the backup and triggering recovery failed: ${r.detail}`);
      out.push(`triggered the recovery endpoint of "${j.name}" (the drill started ${j.startedAt} may have left the record on the backup)`);
    }
  }
  clearJournal(path);
  return out;
}
