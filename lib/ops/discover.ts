/**
 * Finds a deployed failover's Runlater objects from its health-check task, by the library's
 * naming (`<name> health`, `<name> failover`, `<name> failover-2`…, `<name> recovery`…, and in
 * the convergent wiring `<name> pulse`, `<name> probe`, `<name> relay` and the heartbeat
 * monitors `<name> latch`, `<name> latch-2`; with several records `<name> restore` and, for the
 * `edge`/`seed` wirings, `<name> fanout`) and by the hook URLs: the failover/recovery endpoints
 * are the ones the task's `on_failure_url`/`on_recovery_url` reach, directly or through the
 * relay / fan-out / restore endpoint. Also lists what is miswired (secret-free: inbound and ping
 * URLs are capabilities and are never shown).
 */
import type { RunlaterClient } from "../runlater/client";
import type { Endpoint, Monitor, Task } from "../runlater/model";
import type { StoredDnsRequest } from "./dns-read";
import { checkLatches, type DiscoveredRecord, discoverRecords, norm, resolveHook } from "./discover-checks";

export type { DiscoveredRecord } from "./discover-checks";

/** Suffix of a failover's health-check task name. */
export const HEALTH_SUFFIX = " health";

/** A failover's objects as found on Runlater. */
export interface FailoverObjects {
  /** Base name (the health task's name without ` health`). */
  name: string;
  /** The health-check cron task. */
  health: Task;
  /** The first failover endpoint (sets the backup): `failovers[0]`. */
  failover?: Endpoint;
  /** The first recovery endpoint (sets the primary): `recoveries[0]`. */
  recovery?: Endpoint;
  /** Every failover endpoint `on_failure_url` reaches (directly, or through the relay / fan-out), in key order. */
  failovers: Endpoint[];
  /** Every recovery endpoint `on_recovery_url` reaches (directly, or through the restore endpoint), in key order. */
  recoveries: Endpoint[];
  /** Several recovery endpoints: the `<name> restore` endpoint fanning the recovery hook (and the latches) out to them. */
  restore?: Endpoint;
  /** `edge`/`seed` with several failover endpoints: the `<name> fanout` endpoint the failure hook goes to. */
  fanout?: Endpoint;
  /** Convergent wiring: the pulse task, probe endpoint and relay endpoint, by name. */
  pulse?: Task;
  probe?: Endpoint;
  relay?: Endpoint;
  /** Convergent wiring: the heartbeat latches found (`<name> latch`, `<name> latch-2`), in that order. Empty when monitors were not read. */
  latches: Monitor[];
  /** Stored DNS requests of the first record (`records[0]`). */
  failoverRequest?: StoredDnsRequest;
  recoveryRequest?: StoredDnsRequest;
  /** Every record the failover changes (one per forward URL of the failover/recovery endpoints, matched by record identity). */
  records: DiscoveredRecord[];
  /** Misconfigurations found, one sentence each (empty = wired as the library wires it). */
  problems: string[];
}

/** Options of {@link findFailover} / {@link findAllFailovers}. */
export interface DiscoverOptions {
  /** The primary's address, when known: the recovery endpoint must set exactly this (with several records: each record of the same address family). */
  primary?: string;
}

/**
 * Builds the objects of one failover from already-listed tasks, endpoints and monitors.
 * `monitors` undefined: the latches are not checked (monitors were not read).
 */
export function assembleFailover(
  health: Task,
  tasks: readonly Task[],
  endpoints: readonly Endpoint[],
  opts: DiscoverOptions = {},
  monitors?: readonly Monitor[],
): FailoverObjects {
  const name = health.name.endsWith(HEALTH_SUFFIX) ? health.name.slice(0, -HEALTH_SUFFIX.length) : health.name;
  const byName = (label: string) => endpoints.find((e) => e.name === `${name} ${label}`);
  const problems: string[] = [];
  if (!health.enabled) problems.push("the health check is disabled: nothing detects an outage");
  if (health.scheduleType !== "cron") problems.push("the health check is not a cron task");
  const pulse = tasks.find((t) => t.name === `${name} pulse` && t.scheduleType === "cron");
  const probe = byName("probe");
  const relay = byName("relay");
  const ctx = { name, endpoints, monitors, problems };
  const fail = resolveHook(ctx, "failure", health.onFailureUrl);
  const rec = resolveHook(ctx, "recovery", health.onRecoveryUrl);
  const failovers = fail.targets;
  const recoveries = rec.targets;
  for (const ep of failovers) if (recoveries.some((r) => r.id === ep.id)) problems.push("on_failure_url and on_recovery_url point at the same endpoint");
  for (const [label, ep] of [
    ...failovers.map((e) => ["failover", e] as const),
    ...recoveries.map((e) => ["recovery", e] as const),
    ...(fail.fanOut ? ([[fail.fanOut.name.slice(name.length + 1), fail.fanOut]] as const) : []),
    ...(rec.fanOut ? ([[rec.fanOut.name.slice(name.length + 1), rec.fanOut]] as const) : []),
  ]) {
    if (!ep.enabled) problems.push(`the ${label} endpoint "${ep.name}" is disabled (inbound requests answer 410)`);
  }
  const records = discoverRecords(failovers, recoveries, opts, problems);
  // Convergent wiring (by name): pulse → probe → relay → failover endpoints (+ latches).
  if (probe && relay && norm(probe.onFailureUrl) !== norm(relay.inboundUrl)) problems.push(`the "${name} probe" endpoint's on_failure_url does not point at the "${name} relay" endpoint`);
  if (relay && fail.fanOut?.id !== relay.id) {
    for (const ep of failovers) {
      if (relay.forwardUrls.some((u) => norm(u) === norm(ep.inboundUrl))) continue;
      problems.push(failovers.length === 1 ? `the "${name} relay" endpoint does not forward to the failover endpoint` : `the "${name} relay" endpoint does not forward to the "${ep.name}" endpoint`);
    }
  }
  if (relay && !relay.enabled && fail.fanOut?.id !== relay.id) problems.push(`the relay endpoint "${relay.name}" is disabled (inbound requests answer 410)`);
  if (pulse && probe && norm(pulse.url) !== norm(probe.inboundUrl)) problems.push(`the "${name} pulse" task does not call the "${name} probe" endpoint`);
  const latches = relay && recoveries.length > 0 && monitors ? checkLatches(ctx, relay, rec.hookTarget ?? recoveries[0]) : [];
  return {
    name,
    health,
    failover: failovers[0],
    recovery: recoveries[0],
    failovers,
    recoveries,
    ...(rec.fanOut ? { restore: rec.fanOut } : {}),
    ...(fail.fanOut && fail.fanOut.id !== relay?.id ? { fanout: fail.fanOut } : {}),
    pulse,
    probe,
    relay,
    latches,
    failoverRequest: records[0]?.failoverRequest,
    recoveryRequest: records[0]?.recoveryRequest,
    records,
    problems,
  };
}

/** True for a task the library created as a failover's health check. */
export function isHealthTask(t: Task): boolean {
  return t.scheduleType === "cron" && t.name.endsWith(HEALTH_SUFFIX);
}

/** Pages of 100 tasks read at most (see {@link listRecentTasks}). */
export const MAX_TASK_PAGES = 10;

/**
 * The account's tasks, newest execution first, at most {@link MAX_TASK_PAGES} pages. Runlater
 * lists one-time tasks too (every probe hit and every forward is one) ordered by
 * `last_execution_at` (`app/tasks.ex` `list_tasks/2`), so cron tasks that run every interval are
 * on the first pages while old one-time tasks fill the rest: reading all of them would cost
 * hundreds of calls against the 300/min rate limit.
 */
export async function listRecentTasks(client: RunlaterClient, maxPages = MAX_TASK_PAGES): Promise<Task[]> {
  const out: Task[] = [];
  for (let page = 0, offset = 0; page < maxPages; page++) {
    const p = await client.listTasks({ limit: 100, offset });
    out.push(...p.tasks);
    if (!p.hasMore || p.tasks.length === 0) break;
    offset += p.tasks.length;
  }
  return out;
}

/** The account's monitors when some failover has a relay (convergent wiring: latches to check); one API call. */
async function monitorsFor(client: RunlaterClient, endpoints: readonly Endpoint[], names: readonly string[]): Promise<Monitor[] | undefined> {
  const relays = new Set(names.map((n) => `${n} relay`));
  return endpoints.some((e) => relays.has(e.name)) ? client.listMonitors() : undefined;
}

/** Finds the failover whose health-check task has this id. */
export async function findFailover(client: RunlaterClient, taskId: string, opts: DiscoverOptions = {}): Promise<FailoverObjects> {
  const [health, endpoints, tasks] = await Promise.all([client.getTask(taskId), client.listEndpoints(), listRecentTasks(client)]);
  const name = health.name.endsWith(HEALTH_SUFFIX) ? health.name.slice(0, -HEALTH_SUFFIX.length) : health.name;
  const monitors = await monitorsFor(client, endpoints, [name]);
  return assembleFailover(health, tasks, endpoints, opts, monitors);
}

/** Every failover of the account (cron tasks named `<name> health`), sorted by name. */
export async function findAllFailovers(client: RunlaterClient, opts: DiscoverOptions = {}): Promise<FailoverObjects[]> {
  const [tasks, endpoints] = await Promise.all([listRecentTasks(client), client.listEndpoints()]);
  const healths = tasks.filter(isHealthTask);
  const monitors = await monitorsFor(
    client,
    endpoints,
    healths.map((t) => t.name.slice(0, -HEALTH_SUFFIX.length)),
  );
  return healths.map((t) => assembleFailover(t, tasks, endpoints, opts, monitors)).sort((a, b) => a.name.localeCompare(b.name));
}
