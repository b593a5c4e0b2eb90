/**
 * The parts of discovery that follow hooks through fan-outs, pair records and check latches
 * (see discover.ts). Every function appends its findings to `problems`, one sentence each,
 * secret-free (inbound and ping URLs are never shown).
 */
import type { Endpoint, Monitor } from "../runlater/model";
import { parseStoredRequest, sameContent, type StoredDnsRequest } from "./dns-read";

/** Normalises a URL for comparison (trimmed, no trailing slash). */
export const norm = (u: string | null | undefined) => (u ?? "").trim().replace(/\/+$/, "");

/** One record a failover changes, with the endpoints that carry its stored requests. */
export interface DiscoveredRecord {
  /** 0-based, in failover-endpoint order then forward-URL order (records only a recovery endpoint changes last). */
  index: number;
  /** Identity of the record (provider + record path), as {@link StoredDnsRequest.recordKey}. */
  key: string;
  /** `<fqdn> <type>` when the stored request tells the name, else `#<n> <type>` (1-based, as in the `status` table). */
  label: string;
  /** Endpoint whose stored request sets the record to its backup. */
  failoverEndpoint?: Endpoint;
  /** Endpoint whose stored request puts the primary back (absent with manual failback). */
  recoveryEndpoint?: Endpoint;
  failoverRequest?: StoredDnsRequest;
  recoveryRequest?: StoredDnsRequest;
}

/** What the checks read. */
export interface CheckContext {
  name: string;
  endpoints: readonly Endpoint[];
  /** `undefined`: monitors were not read. */
  monitors?: readonly Monitor[];
  problems: string[];
}

/** Where a hook leads: the endpoint it names, the fan-out it goes through (if any), the DNS endpoints it reaches. */
export interface HookResolution {
  hookTarget?: Endpoint;
  fanOut?: Endpoint;
  targets: Endpoint[];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Number of a DNS endpoint's key from its name (`<name> failover` 1, `<name> failover-3` 3); undefined for other names. */
function dnsNumber(ep: Endpoint, name: string, part: string): number | undefined {
  const m = new RegExp(`^${escapeRe(name)} ${part}(?:-(\\d+))?$`).exec(ep.name);
  return m ? (m[1] ? Number(m[1]) : 1) : undefined;
}

const isPingPath = (u: string) => {
  try {
    return /\/ping\//.test(new URL(u).pathname);
  } catch {
    return false;
  }
};

/**
 * Follows `on_failure_url` (`failure`) or `on_recovery_url` (`recovery`) to the failover /
 * recovery endpoints it reaches: directly, or through the relay or `<name> fanout` (failure) or
 * the `<name> restore` endpoint (recovery).
 */
export function resolveHook(c: CheckContext, kind: "failure" | "recovery", url: string | null): HookResolution {
  const { name, endpoints, problems } = c;
  const part = kind === "failure" ? "failover" : "recovery";
  const hook = kind === "failure" ? "on_failure_url" : "on_recovery_url";
  const fanOutLabels = kind === "failure" ? ["relay", "fanout"] : ["restore"];
  const byInbound = (u: string | null) => (u ? endpoints.find((e) => norm(e.inboundUrl) === norm(u)) : undefined);
  const byName = (label: string) => endpoints.find((e) => e.name === `${name} ${label}`);
  const order = (ep: Endpoint) => dnsNumber(ep, name, part) ?? Number.MAX_SAFE_INTEGER;
  const named = endpoints.filter((e) => dnsNumber(e, name, part) !== undefined).sort((a, b) => order(a) - order(b));
  if (!url) {
    if (kind === "failure") problems.push("the health check has no on_failure_url: an outage changes nothing");
    else if (named.length > 0) problems.push(`the "${named[0]!.name}" endpoint exists but the health check has no on_recovery_url`);
    return { targets: [] };
  }
  const target = byInbound(url);
  if (!target) {
    const label = named.length > 1 ? (kind === "failure" ? (byName("relay") ? "relay" : "fanout") : "restore") : part;
    problems.push(
      byName(label)
        ? `${hook} does not point at the "${name} ${label}" endpoint's inbound URL`
        : `${hook} points at no endpoint of this account (endpoint "${name} ${label}" missing)`,
    );
    return { targets: [] };
  }
  const isPing = (u: string) => c.monitors?.some((m) => norm(m.pingUrl) === norm(u)) || isPingPath(u);
  const fanOut =
    fanOutLabels.some((l) => target.name === `${name} ${l}`) ||
    (target.forwardUrls.length > 0 && target.forwardUrls.every((u) => byInbound(u) || isPing(u)));
  let targets: Endpoint[];
  if (fanOut) {
    targets = [];
    let dead = 0;
    for (const u of target.forwardUrls) {
      const ep = byInbound(u);
      if (ep && !targets.some((t) => t.id === ep.id)) targets.push(ep);
      else if (!ep && !isPing(u)) dead++;
    }
    if (dead > 0) {
      problems.push(`the "${target.name}" endpoint forwards to ${dead === 1 ? "an inbound URL" : `${dead} inbound URLs`} of no endpoint of this account (a ${part} endpoint deleted?)`);
    }
    targets.sort((a, b) => order(a) - order(b));
  } else targets = [target];
  for (const ep of named) {
    if (!targets.some((t) => t.id === ep.id)) problems.push(`the "${ep.name}" endpoint is not reached by ${hook}${fanOut ? ` (through "${target.name}")` : ""}: its record never changes`);
  }
  return { hookTarget: target, ...(fanOut ? { fanOut: target } : {}), targets };
}

/** The stored requests of an endpoint, one per forward URL (they share method, headers and body). */
function requestsOf(ep: Endpoint): StoredDnsRequest[] {
  const urls = ep.forwardUrls.length > 0 ? ep.forwardUrls : [""];
  return urls.map((u) => parseStoredRequest({ ...ep, forwardUrls: [u] }));
}

const family = (s: string | undefined) => (s === undefined ? undefined : /^[0-9.]+$/.test(s) ? "v4" : s.includes(":") ? "v6" : "name");

/**
 * Pairs the records of the failover endpoints with those of the recovery endpoints (by record
 * identity) and checks each pair: both exist, they set different addresses, the recovery sets
 * `opts.primary` (records of the same address family, when there are several).
 */
export function discoverRecords(failovers: readonly Endpoint[], recoveries: readonly Endpoint[], opts: { primary?: string }, problems: string[]): DiscoveredRecord[] {
  const records: DiscoveredRecord[] = [];
  const byKey = new Map<string, DiscoveredRecord>();
  for (const ep of failovers) {
    for (const req of requestsOf(ep)) {
      const prev = byKey.get(req.recordKey);
      if (prev) {
        problems.push(`the "${prev.failoverEndpoint!.name}" and "${ep.name}" endpoints change the same record`);
        continue;
      }
      const r: DiscoveredRecord = { index: records.length, key: req.recordKey, label: "", failoverEndpoint: ep, failoverRequest: req };
      records.push(r);
      byKey.set(req.recordKey, r);
    }
  }
  const recReqs = recoveries.flatMap((ep) => requestsOf(ep).map((req) => ({ ep, req })));
  // One record on each side that are not the same record: kept together (the single-record fields), reported.
  if (records.length === 1 && recReqs.length === 1 && records[0]!.key !== recReqs[0]!.req.recordKey) {
    problems.push("the failover and recovery endpoints change different records");
    Object.assign(records[0]!, { recoveryEndpoint: recReqs[0]!.ep, recoveryRequest: recReqs[0]!.req });
  } else {
    for (const { ep, req } of recReqs) {
      const r = byKey.get(req.recordKey);
      if (r && !r.recoveryRequest) Object.assign(r, { recoveryEndpoint: ep, recoveryRequest: req });
      else if (r) problems.push(`the "${r.recoveryEndpoint!.name}" and "${ep.name}" endpoints put back the same record`);
      else {
        const n: DiscoveredRecord = { index: records.length, key: req.recordKey, label: "", recoveryEndpoint: ep, recoveryRequest: req };
        records.push(n);
        byKey.set(req.recordKey, n);
      }
    }
  }
  const multi = records.length > 1;
  for (const r of records) {
    const req = r.failoverRequest ?? r.recoveryRequest!;
    r.label = `${req.fqdn ?? `#${r.index + 1}`} ${req.type}`;
    const pre = multi ? `record ${r.label}: ` : "";
    if (recoveries.length > 0 && !r.recoveryRequest) problems.push(`${pre}no recovery endpoint puts it back (the "${r.failoverEndpoint!.name}" endpoint changes it)`);
    if (!r.failoverRequest && failovers.length > 0) problems.push(`${pre}no failover endpoint changes it (the "${r.recoveryEndpoint!.name}" endpoint puts it back)`);
    const f = r.failoverRequest;
    const rr = r.recoveryRequest;
    if (f && rr && f.content !== undefined && sameContent(f.content, rr.content)) {
      problems.push(`${pre}the recovery endpoint sets the same address as the failover endpoint (${rr.content})`);
    }
    const p = opts.primary;
    if (p === undefined || (multi && family(p) !== family(rr?.content ?? f?.content))) continue;
    if (rr && rr.content !== undefined && !sameContent(rr.content, p)) problems.push(`${pre}the recovery endpoint's stored address ${rr.content} is not the primary ${p}`);
    if (f && sameContent(f.content, p)) problems.push(`${pre}the failover endpoint's stored address is the primary ${p}`);
  }
  return records;
}

/**
 * Checks the convergent wiring's latches: both exist, are enabled and not paused, fire at
 * `recoveryTarget` (the endpoint `on_recovery_url` names: the recovery or restore endpoint), and
 * the relay pings them. Returns the latches found, in order.
 */
export function checkLatches(c: CheckContext, relay: Endpoint, recoveryTarget: Endpoint | undefined): Monitor[] {
  const { name, problems } = c;
  const found: Monitor[] = [];
  for (const suffix of ["latch", "latch-2"]) {
    const m = c.monitors?.find((x) => x.name === `${name} ${suffix}`);
    if (!m) {
      problems.push(`the "${name} ${suffix}" monitor is missing: nothing makes up for a lost recovery hook`);
      continue;
    }
    found.push(m);
    if (!m.enabled || m.status === "paused") problems.push(`the "${m.name}" monitor is ${m.enabled ? "paused" : "disabled"}: it never puts the primary back`);
    if (recoveryTarget && norm(m.onFailureUrl) !== norm(recoveryTarget.inboundUrl)) {
      problems.push(`the "${m.name}" monitor's on_failure_url does not point at the "${recoveryTarget.name}" endpoint: it cannot put the primary back`);
    }
    if (!relay.forwardUrls.some((u) => norm(u) === norm(m.pingUrl))) problems.push(`the "${relay.name}" endpoint does not ping the "${m.name}" monitor: failure signals never reach it`);
  }
  return found;
}
