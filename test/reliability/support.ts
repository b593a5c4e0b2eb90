/**
 * Fixtures of the reliability suite: an emulator with the providers pointed at it, a seeded
 * Cloudflare record, failover plans, the consistency check run after every fault scenario, and
 * the secret scanner.
 */
import { inspect } from "node:util";
import { configureProviders, type FailoverState, previewRun, providerOf, STEPS, stepsOf } from "../../bench/flow";
import type { CloudflareDnsTarget } from "../../lib/dns";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { type FailoverPlan, planFailover } from "../../lib/failover/plan";

export const API_KEY = "pk_test_reliab.sk_test_reliability_secret_7f3a9c";
export const CF_TOKEN = "cf-reliability-dns-token-5be21d";
export const PRIMARY = "198.51.100.10";
export const BACKUP = "203.0.113.50";

export interface Fixture {
  emu: Emulator;
  dns: CloudflareDnsTarget;
  /** Content of the seeded record. */
  content(): string | undefined;
  plan(name: string, overrides?: { backup?: string; primary?: string; failback?: "auto" | "manual" }): FailoverPlan;
  close(): Promise<void>;
}

/**
 * Emulator (no built-in rate limit unless given, private targets allowed so no DNS lookups) and
 * both providers configured against it.
 */
export async function startFixture(opts: { rateLimit?: { perMinute?: number; perHour?: number } | false; apiKey?: string } = {}): Promise<Fixture> {
  const apiKey = opts.apiKey ?? API_KEY;
  const emu = await startEmulator({
    apiKeys: [apiKey],
    rateLimit: opts.rateLimit ?? false,
    allowPrivateTargets: true,
    seed: 7,
    dns: { cloudflare: { tokens: [CF_TOKEN] } },
  });
  await configureProviders({ "runlater:apiKey": apiKey, "runlater:apiUrl": emu.runlaterApiUrl, "runlater:allowPrivateTargets": "true" });
  // The emulator's built-in health target (healthy): if a test moves the clock, the checks
  // succeed locally (no network, no hooks).
  const healthUrl = emu.target("primary").url;
  const cf = emu.dns("cloudflare");
  const zoneId = cf.addZone({ name: "example.com" });
  const recordId = cf.addRecord(zoneId, { name: "www.example.com", type: "A", content: PRIMARY, ttl: 60 });
  const dns: CloudflareDnsTarget = {
    provider: "cloudflare",
    zoneId,
    recordId,
    name: "www.example.com",
    type: "A",
    ttl: 60,
    apiToken: CF_TOKEN,
    apiBaseUrl: emu.cloudflareApiUrl,
  };
  return {
    emu,
    dns,
    content: () => cf.getRecord(zoneId, recordId)?.content,
    plan: (name, o = {}) => {
      const p = planFailover({
        name,
        healthCheck: { url: healthUrl, expectedStatusCodes: [200] },
        primary: o.primary ?? PRIMARY,
        backup: o.backup ?? BACKUP,
        failback: o.failback,
        dns,
      });
      if (p.errors.length > 0) throw new Error(`bad fixture plan: ${JSON.stringify(p.errors)}`);
      return p;
    },
    close: () => emu.close(),
  };
}

/** The live Runlater objects that belong to failover `name` (by the names the plan gives them). */
export function liveObjectsOf(emu: Emulator, name: string) {
  const tasks = emu.tasks().filter((t) => t.name === `${name} health`);
  const endpoints = emu.endpoints().filter((e) => e.name === `${name} failover` || e.name === `${name} recovery`);
  return { tasks, endpoints };
}

/**
 * The invariants every scenario checks after every run:
 * - nothing duplicated: at most one live object per planned name;
 * - nothing orphaned: every live object of the failover is recorded in the state, and every
 *   recorded id is live;
 * - with `complete`: every planned object exists, the task's hooks point at the endpoints' inbound
 *   URLs, a preview shows no changes, and a fresh `read` of each object matches the state.
 */
export async function expectConsistent(
  emu: Emulator,
  name: string,
  state: FailoverState,
  plan: FailoverPlan,
  opts: { complete?: boolean } = {},
): Promise<void> {
  const { tasks, endpoints } = liveObjectsOf(emu, name);
  const names = [...tasks, ...endpoints].map((o) => String(o.name));
  expect(names.length).toBe(new Set(names).size); // no duplicates
  const liveIds = new Set([...tasks, ...endpoints].map((o) => String(o.id)));
  const recordedIds = new Set(STEPS.map((s) => state[s]?.id).filter((x): x is string => typeof x === "string"));
  expect([...liveIds].sort()).toEqual([...recordedIds].sort()); // no orphans, nothing stale
  if (!opts.complete) return;
  const steps = stepsOf(plan);
  expect(steps.every((s) => state[s] !== undefined)).toBe(true);
  const task = tasks[0]!;
  expect(task.on_failure_url).toBe(state.failover!.outs.inboundUrl);
  if (state.recovery) expect(task.on_recovery_url).toBe(state.recovery.outs.inboundUrl);
  expect(await previewRun(plan, state)).toEqual([]);
  for (const s of steps) {
    const r = await providerOf(s).read(state[s]!.id, state[s]!.outs as never);
    expect(r.id).toBe(state[s]!.id);
    const d = await providerOf(s).diff(state[s]!.id, r.props as never, state[s]!.outs as never);
    expect({ step: s, changes: d.changes }).toEqual({ step: s, changes: false });
  }
}

/** Every string reachable from a value (errors: message, stack, cause chain, own fields, inspect). */
export function textsOf(value: unknown, seen = new Set<unknown>()): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") return [value];
  if (typeof value !== "object" && typeof value !== "function") return [String(value)];
  if (seen.has(value)) return [];
  seen.add(value);
  const out: string[] = [];
  if (value instanceof Error) {
    out.push(value.message, value.stack ?? "", inspect(value, { depth: 6 }));
    out.push(...textsOf((value as { cause?: unknown }).cause, seen));
  }
  for (const k of Object.getOwnPropertyNames(value)) {
    out.push(k);
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[k];
    } catch {
      continue;
    }
    out.push(...textsOf(v, seen));
  }
  return out;
}

/** Paths (`a.b[0].c`) of every string leaf containing `needle`. */
export function pathsContaining(value: unknown, needle: string, path = "", seen = new Set<unknown>()): string[] {
  if (typeof value === "string") return value.includes(needle) ? [path || "(root)"] : [];
  if (value === null || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...pathsContaining(v, needle, `${path}[${i}]`, seen));
  } else for (const [k, v] of Object.entries(value)) out.push(...pathsContaining(v, needle, path ? `${path}.${k}` : k, seen));
  return out;
}

/** A one-shot fault injector for `deployRun`/`destroyRun`'s `beforeStep` hook. */
export function faultBefore(
  emu: Emulator,
  at: { step: string; action: string },
  rule: Parameters<Emulator["faults"]["add"]>[0],
): (step: string, action: string) => void {
  let armed = true;
  return (step, action) => {
    if (armed && step === at.step && action === at.action) {
      armed = false;
      emu.faults.add(rule);
    }
  };
}
