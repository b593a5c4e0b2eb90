/**
 * The provider-path model of a DnsFailover deployment, shared by the benchmarks and the
 * reliability suite.
 *
 * `DnsFailover` hands its three children exactly the inputs built here (see
 * `lib/pulumi/dns-failover.ts`): two `ForwardEndpoint`s from `planFailover`'s endpoint specs and a
 * `HealthCheckTask` whose hooks are the endpoints' inbound URLs. A "run" mirrors what the Pulumi
 * engine does with them, in the component's order (failover endpoint, recovery endpoint, task),
 * through the REAL dynamic providers (`check` → `diff`/`create`/`update`, `read`, `delete`):
 *
 * - a resource with a recorded id is diffed and updated in place when it changed;
 * - a resource without one is created; its id is recorded only when `create` returned
 *   (or threw a partial-create error carrying an id, which Pulumi also records);
 * - the first failure ends the run (its dependents are not attempted); a later run picks up
 *   from the recorded ids, as `pulumi up` would.
 */
import type { Emulator } from "../lib/emulator";
import type { FailoverPlan } from "../lib/failover/plan";
import { ForwardEndpointProvider } from "../lib/pulumi/forward-endpoint";
import { HealthCheckTaskProvider } from "../lib/pulumi/health-check-task";
import type { EndpointSpec } from "../lib/runlater/model";

/** Provider instances used by the provider-path runs (stateless; configuration is process-wide). */
export const taskProvider = new HealthCheckTaskProvider();
export const endpointProvider = new ForwardEndpointProvider();

/** The three children of a DnsFailover, in creation order. */
export type Step = "failover" | "recovery" | "task";
export const STEPS: readonly Step[] = ["failover", "recovery", "task"];

/** What Pulumi would have recorded for one resource. */
export interface Recorded {
  id: string;
  outs: Record<string, unknown>;
}

/** The recorded state of one DnsFailover (what a stack file would hold). */
export interface FailoverState {
  failover?: Recorded;
  recovery?: Recorded;
  task?: Recorded;
}

/** Raw (pre-`check`) inputs of a child, exactly as the component builds them. */
export type RawInputs = Record<string, unknown>;

/** Stack configuration for both providers (`runlater:apiKey`, `runlater:apiUrl`, …). */
export async function configureProviders(values: Record<string, string>): Promise<void> {
  const req = { config: { get: (k: string) => values[k], require: (k: string) => values[k] } } as never;
  await taskProvider.configure(req);
  await endpointProvider.configure(req);
}

function endpointArgs(s: EndpointSpec): RawInputs {
  // Same defaults as DnsFailover's `endpointArgs`.
  return {
    name: s.name,
    forwardUrls: s.forwardUrls,
    forwardHeaders: s.forwardHeaders ?? {},
    forwardBody: s.forwardBody ?? "",
    forwardMethod: s.forwardMethod ?? "POST",
    retryAttempts: s.retryAttempts ?? 3,
  };
}

/** The raw inputs DnsFailover passes to each child (the task's need the endpoints' inbound URLs). */
export function componentArgs(plan: FailoverPlan): {
  failover: RawInputs;
  recovery?: RawInputs;
  task(failoverUrl: string, recoveryUrl?: string): RawInputs;
} {
  return {
    failover: endpointArgs(plan.failoverEndpoint),
    recovery: plan.recoveryEndpoint ? endpointArgs(plan.recoveryEndpoint) : undefined,
    task(failoverUrl, recoveryUrl) {
      const t = plan.task("", "");
      const raw: RawInputs = {
        name: t.name,
        url: t.url,
        method: t.method,
        cron: t.cron,
        timeoutMs: t.timeoutMs,
        expectedStatusCodes: t.expectedStatusCodes ?? undefined,
        expectedBodyPattern: t.expectedBodyPattern ?? undefined,
        headers: t.headers ?? {},
        onFailureUrl: failoverUrl,
        onRecoveryUrl: recoveryUrl,
      };
      // Pulumi drops undefined properties before they reach the provider.
      for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
      return raw;
    },
  };
}

/** `check` failures as an error (the engine refuses to go on). */
export class CheckFailed extends Error {
  constructor(
    readonly step: Step,
    readonly failures: { property: string; reason: string }[],
  ) {
    super(`${step}: invalid inputs: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
    this.name = "CheckFailed";
  }
}

type AnyProvider = {
  check(olds: never, news: never): Promise<{ inputs?: unknown; failures?: { property: string; reason: string }[] }>;
  diff(id: string, olds: never, news: never): Promise<{ changes?: boolean }>;
  create(inputs: never): Promise<{ id: string; outs?: unknown }>;
  read(id: string, props?: never): Promise<{ id?: string; props?: unknown }>;
  update(id: string, olds: never, news: never): Promise<{ outs?: unknown }>;
  delete(id: string, props: never): Promise<void>;
};

/** The provider behind a step. */
export function providerOf(step: Step): AnyProvider {
  return (step === "task" ? taskProvider : endpointProvider) as unknown as AnyProvider;
}

/** Runs `check` and returns the normalized inputs; throws {@link CheckFailed} on failures. */
export async function checkStep(step: Step, raw: RawInputs): Promise<RawInputs> {
  const r = await providerOf(step).check({} as never, raw as never);
  if (r.failures && r.failures.length > 0) throw new CheckFailed(step, r.failures);
  return (r.inputs ?? raw) as RawInputs;
}

/** The checked inputs of `step` given the recorded state (the task needs both inbound URLs). */
export async function desiredInputs(plan: FailoverPlan, state: FailoverState, step: Step): Promise<RawInputs> {
  const args = componentArgs(plan);
  if (step === "failover") return checkStep(step, args.failover);
  if (step === "recovery") return checkStep(step, args.recovery!);
  const failoverUrl = state.failover?.outs.inboundUrl as string | undefined;
  if (!failoverUrl) throw new Error("task: the failover endpoint's inboundUrl is not known yet");
  const recoveryUrl = plan.recoveryEndpoint ? (state.recovery?.outs.inboundUrl as string | undefined) : undefined;
  if (plan.recoveryEndpoint && !recoveryUrl) throw new Error("task: the recovery endpoint's inboundUrl is not known yet");
  return checkStep(step, args.task(failoverUrl, recoveryUrl));
}

/** Steps a plan consists of (no recovery endpoint with manual failback). */
export function stepsOf(plan: FailoverPlan): Step[] {
  return STEPS.filter((s) => s !== "recovery" || plan.recoveryEndpoint !== undefined);
}

/** Result of one run. */
export interface RunOutcome {
  ok: boolean;
  /** The failure that ended the run. */
  error?: unknown;
  created: Step[];
  updated: Step[];
  unchanged: Step[];
}

/** Called right before each API-changing step (tests use it to inject a fault at a precise point). */
export type BeforeStep = (step: Step, action: "create" | "update" | "delete") => void | Promise<void>;

/**
 * One `pulumi up` of the failover: create what is missing, update what changed, in order; stop
 * at the first failure. Mutates `state` like the engine's checkpoint.
 */
export async function deployRun(plan: FailoverPlan, state: FailoverState, beforeStep?: BeforeStep): Promise<RunOutcome> {
  const out: RunOutcome = { ok: true, created: [], updated: [], unchanged: [] };
  try {
    for (const step of stepsOf(plan)) {
      const inputs = await desiredInputs(plan, state, step);
      const p = providerOf(step);
      const rec = state[step];
      if (rec) {
        const d = await p.diff(rec.id, rec.outs as never, inputs as never);
        if (!d.changes) {
          out.unchanged.push(step);
          continue;
        }
        await beforeStep?.(step, "update");
        const u = await p.update(rec.id, rec.outs as never, inputs as never);
        state[step] = { id: rec.id, outs: (u.outs ?? {}) as Record<string, unknown> };
        out.updated.push(step);
      } else {
        await beforeStep?.(step, "create");
        try {
          const c = await p.create(inputs as never);
          state[step] = { id: c.id, outs: (c.outs ?? {}) as Record<string, unknown> };
          out.created.push(step);
        } catch (e) {
          // A partial create carries the id: Pulumi records it (and reports the error).
          const pe = e as { id?: unknown; properties?: unknown };
          if (typeof pe.id === "string" && pe.id !== "") {
            state[step] = { id: pe.id, outs: (pe.properties ?? {}) as Record<string, unknown> };
          }
          throw e;
        }
      }
    }
  } catch (e) {
    out.ok = false;
    out.error = e;
  }
  return out;
}

/** `pulumi refresh`: one `read` per recorded resource; gone ones leave the state. */
export async function refreshRun(state: FailoverState): Promise<{ ok: boolean; error?: unknown }> {
  try {
    for (const step of STEPS) {
      const rec = state[step];
      if (!rec) continue;
      const r = await providerOf(step).read(rec.id, rec.outs as never);
      if (r.id) state[step] = { id: r.id, outs: (r.props ?? {}) as Record<string, unknown> };
      else delete state[step];
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Runs `check` + `diff` for every recorded resource (a preview); returns the steps that changed. */
export async function previewRun(plan: FailoverPlan, state: FailoverState): Promise<Step[]> {
  const changed: Step[] = [];
  for (const step of stepsOf(plan)) {
    const rec = state[step];
    if (!rec) {
      changed.push(step);
      continue;
    }
    const inputs = await desiredInputs(plan, state, step);
    const d = await providerOf(step).diff(rec.id, rec.outs as never, inputs as never);
    if (d.changes) changed.push(step);
  }
  return changed;
}

/** `pulumi destroy`: dependents first (task, recovery, failover); stops at the first failure. */
export async function destroyRun(state: FailoverState, beforeStep?: BeforeStep): Promise<{ ok: boolean; error?: unknown }> {
  try {
    for (const step of [...STEPS].reverse()) {
      const rec = state[step];
      if (!rec) continue;
      await beforeStep?.(step, "delete");
      await providerOf(step).delete(rec.id, rec.outs as never);
      delete state[step];
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Runlater API calls the emulator counted (inbound hits of the failover loop excluded). */
export function runlaterCalls(emu: Emulator): number {
  const byRoute = emu.stats().requests.byRoute;
  let n = 0;
  for (const [route, count] of Object.entries(byRoute)) {
    if (route.startsWith("runlater.") && route !== "runlater.inbound") n += count;
  }
  return n;
}

/** Calls counted per route, Runlater API only. */
export function runlaterCallsByRoute(emu: Emulator): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [route, count] of Object.entries(emu.stats().requests.byRoute)) {
    if (route.startsWith("runlater.") && route !== "runlater.inbound") out[route] = count;
  }
  return out;
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
