/**
 * Finds a deployed failover's Runlater objects from its health-check task, by the library's
 * naming (`<name> health`, `<name> failover`, `<name> recovery`, and in the convergent wiring
 * `<name> pulse`, `<name> probe`, `<name> relay`) and by the hook URLs: the failover/recovery
 * endpoints are the ones whose `inbound_url` the task's `on_failure_url`/`on_recovery_url` name.
 * Also lists what is miswired (secret-free: inbound URLs are capabilities and are never shown).
 */
import type { RunlaterClient } from "../runlater/client";
import type { Endpoint, Task } from "../runlater/model";
import { parseStoredRequest, sameContent, type StoredDnsRequest } from "./dns-read";

/** Suffix of a failover's health-check task name. */
export const HEALTH_SUFFIX = " health";

/** A failover's objects as found on Runlater. */
export interface FailoverObjects {
  /** Base name (the health task's name without ` health`). */
  name: string;
  /** The health-check cron task. */
  health: Task;
  /** Endpoint `on_failure_url` points at (sets the backup). */
  failover?: Endpoint;
  /** Endpoint `on_recovery_url` points at (sets the primary). */
  recovery?: Endpoint;
  /** Convergent wiring: the pulse task, probe endpoint and relay endpoint, by name. */
  pulse?: Task;
  probe?: Endpoint;
  relay?: Endpoint;
  /** Stored DNS requests of the failover / recovery endpoints. */
  failoverRequest?: StoredDnsRequest;
  recoveryRequest?: StoredDnsRequest;
  /** Misconfigurations found, one sentence each (empty = wired as the library wires it). */
  problems: string[];
}

/** Options of {@link findFailover} / {@link findAllFailovers}. */
export interface DiscoverOptions {
  /** The primary's address, when known: the recovery endpoint must set exactly this. */
  primary?: string;
}

const norm = (u: string | null | undefined) => (u ?? "").trim().replace(/\/+$/, "");

/** Builds the objects of one failover from already-listed tasks and endpoints. */
export function assembleFailover(health: Task, tasks: readonly Task[], endpoints: readonly Endpoint[], opts: DiscoverOptions = {}): FailoverObjects {
  const name = health.name.endsWith(HEALTH_SUFFIX) ? health.name.slice(0, -HEALTH_SUFFIX.length) : health.name;
  const byInbound = (u: string | null) => (u ? endpoints.find((e) => norm(e.inboundUrl) === norm(u)) : undefined);
  const byName = (label: string) => endpoints.find((e) => e.name === `${name} ${label}`);
  const problems: string[] = [];
  const failover = byInbound(health.onFailureUrl);
  const recovery = byInbound(health.onRecoveryUrl);
  const named = { failover: byName("failover"), recovery: byName("recovery") };
  if (!health.enabled) problems.push("the health check is disabled: nothing detects an outage");
  if (health.scheduleType !== "cron") problems.push("the health check is not a cron task");
  if (!health.onFailureUrl) problems.push("the health check has no on_failure_url: an outage changes nothing");
  else if (!failover) {
    problems.push(
      named.failover
        ? `on_failure_url does not point at the "${name} failover" endpoint's inbound URL`
        : `on_failure_url points at no endpoint of this account (endpoint "${name} failover" missing)`,
    );
  }
  if (!health.onRecoveryUrl) {
    if (named.recovery) problems.push(`the "${name} recovery" endpoint exists but the health check has no on_recovery_url`);
  } else if (!recovery) {
    problems.push(
      named.recovery
        ? `on_recovery_url does not point at the "${name} recovery" endpoint's inbound URL`
        : `on_recovery_url points at no endpoint of this account (endpoint "${name} recovery" missing)`,
    );
  }
  if (failover && recovery && failover.id === recovery.id) problems.push("on_failure_url and on_recovery_url point at the same endpoint");
  for (const [label, ep] of [
    ["failover", failover],
    ["recovery", recovery],
  ] as const) {
    if (ep && !ep.enabled) problems.push(`the ${label} endpoint "${ep.name}" is disabled (inbound requests answer 410)`);
  }
  const failoverRequest = failover ? parseStoredRequest(failover) : undefined;
  const recoveryRequest = recovery ? parseStoredRequest(recovery) : undefined;
  if (failoverRequest && recoveryRequest) {
    if (failoverRequest.recordKey !== recoveryRequest.recordKey) problems.push("the failover and recovery endpoints change different records");
    if (failoverRequest.content !== undefined && sameContent(failoverRequest.content, recoveryRequest.content)) {
      problems.push(`the recovery endpoint sets the same address as the failover endpoint (${recoveryRequest.content})`);
    }
  }
  if (opts.primary !== undefined && recoveryRequest && recoveryRequest.content !== undefined && !sameContent(recoveryRequest.content, opts.primary)) {
    problems.push(`the recovery endpoint's stored address ${recoveryRequest.content} is not the primary ${opts.primary}`);
  }
  if (opts.primary !== undefined && failoverRequest && sameContent(failoverRequest.content, opts.primary)) {
    problems.push(`the failover endpoint's stored address is the primary ${opts.primary}`);
  }
  // Convergent wiring (by name): probe → relay → failover.
  const pulse = tasks.find((t) => t.name === `${name} pulse` && t.scheduleType === "cron");
  const probe = byName("probe");
  const relay = byName("relay");
  if (probe && relay && norm(probe.onFailureUrl) !== norm(relay.inboundUrl)) problems.push(`the "${name} probe" endpoint's on_failure_url does not point at the "${name} relay" endpoint`);
  if (relay && failover && !relay.forwardUrls.some((u) => norm(u) === norm(failover.inboundUrl))) {
    problems.push(`the "${name} relay" endpoint does not forward to the failover endpoint`);
  }
  if (pulse && probe && norm(pulse.url) !== norm(probe.inboundUrl)) problems.push(`the "${name} pulse" task does not call the "${name} probe" endpoint`);
  return { name, health, failover, recovery, pulse, probe, relay, failoverRequest, recoveryRequest, problems };
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

/** Finds the failover whose health-check task has this id. */
export async function findFailover(client: RunlaterClient, taskId: string, opts: DiscoverOptions = {}): Promise<FailoverObjects> {
  const [health, endpoints, tasks] = await Promise.all([client.getTask(taskId), client.listEndpoints(), listRecentTasks(client)]);
  return assembleFailover(health, tasks, endpoints, opts);
}

/** Every failover of the account (cron tasks named `<name> health`), sorted by name. */
export async function findAllFailovers(client: RunlaterClient, opts: DiscoverOptions = {}): Promise<FailoverObjects[]> {
  const [tasks, endpoints] = await Promise.all([listRecentTasks(client), client.listEndpoints()]);
  return tasks
    .filter(isHealthTask)
    .map((t) => assembleFailover(t, tasks, endpoints, opts))
    .sort((a, b) => a.name.localeCompare(b.name));
}
