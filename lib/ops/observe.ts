/**
 * Observing a failover: the record's current content through the DNS provider's API (and a DNS
 * server when asked), and the health check's recent executions and current streak.
 */
import type { RunlaterClient } from "../runlater/client";
import type { Execution } from "../runlater/model";
import { type DnsReadOptions, readRecord, resolveThrough, type StoredDnsRequest } from "./dns-read";

/** What the record shows now. */
export interface RecordView {
  /** Content through the provider API (`undefined` when not readable: generic provider or error). */
  api?: string[];
  /** Why `api` is missing. */
  apiError?: string;
  /** Answers through `--resolver` (only when one is given). */
  dns?: string[];
  /** DNS error code (`ENOTFOUND`, `ENODATA`, …) when the query failed. */
  dnsError?: string;
  /** FQDN and type queried or reported. */
  fqdn?: string;
  type: string;
  ttl?: number;
  /** When the record last changed (provider API), ISO-8601. */
  modifiedAt?: string;
}

/** Reads the record a stored request changes; never throws (errors are in the view). */
export async function observeRecord(req: StoredDnsRequest, opts: DnsReadOptions & { resolver?: string; fqdn?: string } = {}): Promise<RecordView> {
  const view: RecordView = { type: req.type, fqdn: opts.fqdn ?? req.fqdn };
  if (req.provider !== "generic") {
    try {
      const r = await readRecord(req, opts);
      view.api = r.content;
      view.ttl = r.ttl;
      view.modifiedAt = r.modifiedAt;
      view.fqdn ??= r.fqdn;
      if (r.type) view.type = r.type;
    } catch (e) {
      view.apiError = (e as Error).message;
    }
  } else view.apiError = "generic provider: the record cannot be read through its API";
  if (opts.resolver) {
    if (!view.fqdn) view.dnsError = "record name unknown (pass --name)";
    else {
      const r = await resolveThrough(opts.resolver, view.fqdn, view.type);
      view.dns = r.answers;
      view.dnsError = r.error;
    }
  }
  return view;
}

/** Outcome of one execution for streaks: `ok`, `fail`, or `undefined` (pending, running, missed). */
export function outcome(e: Execution): "ok" | "fail" | undefined {
  if (e.status === "success") return "ok";
  if (e.status === "failed" || e.status === "timeout") return "fail";
  return undefined;
}

/** The health check's recent executions and current streak. */
export interface HealthView {
  /** Newest first, finished ones only (at most the page fetched). */
  recent: Execution[];
  /** Outcome of the newest finished execution; `undefined` when none. */
  current?: "ok" | "fail";
  /** Length of the current streak (consecutive same outcome, newest first, within the page). */
  streak: number;
  /** Start of the current streak (oldest execution of it, ISO-8601); a lower bound when the streak fills the page. */
  since?: string;
  /** True when the streak covers every execution fetched (it may be longer). */
  streakFillsPage: boolean;
}

/** Reads the health check's executions (`limit` newest, default 20) and computes the streak. */
export async function observeHealth(client: RunlaterClient, taskId: string, limit = 20): Promise<HealthView> {
  const list = await client.listExecutions(taskId, limit);
  const recent = list.filter((e) => outcome(e) !== undefined);
  const current = recent[0] ? outcome(recent[0]) : undefined;
  let streak = 0;
  while (streak < recent.length && outcome(recent[streak]!) === current) streak++;
  const oldest = recent[streak - 1];
  return {
    recent,
    current,
    streak,
    since: oldest ? (oldest.startedAt ?? oldest.scheduledFor ?? oldest.finishedAt ?? undefined) : undefined,
    streakFillsPage: streak > 0 && streak === recent.length,
  };
}
