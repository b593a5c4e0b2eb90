/**
 * Scale: create, no-op diff, refresh and destroy of N DnsFailovers through the dynamic providers
 * with bounded concurrency.
 *
 * Each N runs twice: a clean pass (wall time, peak RSS, retained heap: the growth figures) and a
 * pass where the emulator answers a share of all Runlater calls with 429 (the client retries with
 * its backoff; a failover whose retries ran out is re-run, like a second `pulumi up`). Both passes
 * are checked against the emulator's object counts: no duplicates after create, no orphans after
 * destroy.
 */
import { type Emulator, startEmulator } from "../lib/emulator";
import { type FailoverPlan, planFailover } from "../lib/failover/plan";
import {
  configureProviders,
  deployRun,
  destroyRun,
  type FailoverState,
  mapLimit,
  previewRun,
  refreshRun,
  runlaterCalls,
  stepsOf,
} from "./flow";
import { fmtMb, fmtMs, measure, type Row, row, seedCloudflareRecord } from "./support";

const PHASES = ["create", "noop", "refresh", "destroy"] as const;
type Phase = (typeof PHASES)[number];

export interface PhaseResult {
  ms: number;
  peakRss: number;
  baseRss: number;
  /** Runlater requests the emulator received (429s and retries included). */
  requests: number;
  /** Logical calls (one per resource for create/read/delete, 0 for the diff). */
  logical: number;
  /** Failovers that needed another run (their client retries ran out). */
  reruns: number;
}

export interface PassResult {
  phases: Record<Phase, PhaseResult>;
  /** Live objects after create, and duplicate names among them. */
  afterCreate: { tasks: number; endpoints: number; duplicateNames: number };
  /** Live objects after destroy (orphans). */
  afterDestroy: number;
  /** heapUsed after create (after GC) minus before, bytes. */
  retainedHeap: number;
}

export interface ScaleResult {
  n: number;
  clean: PassResult;
  with429: PassResult;
}

export interface StormResult {
  n: number;
  p429: number;
  pass: PassResult;
}

type Op = (plan: FailoverPlan, state: FailoverState) => Promise<{ ok: boolean; error?: unknown }>;

async function runAll(states: FailoverState[], plans: FailoverPlan[], concurrency: number, op: Op): Promise<number> {
  // Like re-running `pulumi up` after a failed one: retry only the failed failovers, at most 3 runs.
  let pending = plans.map((_, i) => i);
  let reruns = 0;
  for (let run = 1; pending.length > 0; run++) {
    if (run > 1) reruns += pending.length;
    const results = await mapLimit(pending, concurrency, (i) => op(plans[i]!, states[i]!));
    const failed = pending.filter((_, k) => !results[k]!.ok);
    if (failed.length > 0 && run === 3) throw results.find((r) => !r.ok)!.error;
    pending = failed;
  }
  return reruns;
}

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

async function pass(emu: Emulator, plans: FailoverPlan[], concurrency: number, p429: number): Promise<PassResult> {
  const n = plans.length;
  const states: FailoverState[] = plans.map(() => ({}));
  const logicalPerFailover = stepsOf(plans[0]!).length;
  emu.faults.clear();
  if (p429 > 0) emu.faults.add({ route: "runlater.*", status: 429, probability: p429 });
  const phase = async (op: Op, logical: number): Promise<PhaseResult> => {
    emu.resetStats();
    const m = await measure(() => runAll(states, plans, concurrency, op));
    return { ms: m.ms, peakRss: m.peakRss, baseRss: m.baseRss, requests: runlaterCalls(emu), logical, reruns: m.value };
  };
  try {
    const heap0 = heapAfterGc();
    const create = await phase((p, s) => deployRun(p, s), n * logicalPerFailover);
    const retainedHeap = heapAfterGc() - heap0;
    const live = emu.stats().objects;
    const names = [...emu.tasks().map((t) => String(t.name)), ...emu.endpoints().map((e) => String(e.name))];
    const duplicateNames = names.length - new Set(names).size;
    const recorded = states.reduce((k, s) => k + (s.failover ? 1 : 0) + (s.recovery ? 1 : 0) + (s.task ? 1 : 0), 0);
    if (live.tasks !== n || live.endpoints !== 2 * n || duplicateNames !== 0 || recorded !== 3 * n) {
      throw new Error(
        `scale ${n}: after create the emulator holds ${live.tasks} tasks, ${live.endpoints} endpoints (${duplicateNames} duplicate names); state records ${recorded}`,
      );
    }
    const noop = await phase(async (p, s) => {
      const changed = await previewRun(p, s);
      return changed.length === 0 ? { ok: true } : { ok: false, error: new Error(`no-op diff reported changes: ${changed}`) };
    }, 0);
    const refresh = await phase((_p, s) => refreshRun(s), n * logicalPerFailover);
    const destroy = await phase((_p, s) => destroyRun(s), n * logicalPerFailover);
    const afterDestroy = emu.stats().objects.total;
    return {
      phases: { create, noop, refresh, destroy },
      afterCreate: { tasks: live.tasks, endpoints: live.endpoints, duplicateNames },
      afterDestroy,
      retainedHeap,
    };
  } finally {
    emu.faults.clear();
  }
}

export async function benchScale(opts: {
  sizes: number[];
  concurrency: number;
  p429: number;
  /** A heavier storm at a small N, where some calls run out of retries and failovers are re-run. */
  storm?: { n: number; p429: number };
  apiKey: string;
  cfToken: string;
}): Promise<{ rows: Row[]; results: ScaleResult[]; storm?: StormResult }> {
  const emu: Emulator = await startEmulator({
    apiKeys: [opts.apiKey],
    // 429s come from a probabilistic fault: the built-in limiter counts real time (a 60 s window).
    rateLimit: false,
    // Skips the emulator's SSRF check, which resolves each health host through the system resolver
    // (seconds per lookup on an offline machine). The providers still validate the URLs.
    allowPrivateTargets: true,
    seed: 42,
    dns: { cloudflare: { tokens: [opts.cfToken] } },
  });
  await configureProviders({ "runlater:apiKey": opts.apiKey, "runlater:apiUrl": emu.runlaterApiUrl });
  const { dns } = seedCloudflareRecord(emu, "198.51.100.30", opts.cfToken, "scale.example.com");
  const results: ScaleResult[] = [];
  let storm: StormResult | undefined;
  try {
    for (const n of opts.sizes) {
      const plansFor = (tag: string) =>
        Array.from({ length: n }, (_, i) =>
          planFailover({
            name: `${tag}${n}-${i}`,
            healthCheck: { url: `https://primary-${i}.example.com/health` },
            primary: "198.51.100.30",
            backup: "203.0.113.70",
            dns,
          }),
        );
      const clean = await pass(emu, plansFor("c"), opts.concurrency, 0);
      const with429 = await pass(emu, plansFor("r"), opts.concurrency, opts.p429);
      results.push({ n, clean, with429 });
    }
    if (opts.storm) {
      const { n, p429 } = opts.storm;
      const plans = Array.from({ length: n }, (_, i) =>
        planFailover({
          name: `storm${n}-${i}`,
          healthCheck: { url: `https://primary-${i}.example.com/health` },
          primary: "198.51.100.30",
          backup: "203.0.113.70",
          dns,
        }),
      );
      storm = { n, p429, pass: await pass(emu, plans, opts.concurrency, p429) };
    }
  } finally {
    await emu.close();
  }

  const rows: Row[] = [];
  const S = "Scale";
  for (const r of results) {
    const c = r.clean;
    for (const p of PHASES) {
      const ph = c.phases[p];
      let measured = `${fmtMs(ph.ms)} · peak ${fmtMb(ph.peakRss)} · ${ph.requests} req`;
      let reference: string;
      let ok: boolean;
      if (p === "create") {
        const objs = c.afterCreate.tasks + c.afterCreate.endpoints;
        measured += ` · ${objs} obj, ${c.afterCreate.duplicateNames} dup`;
        reference = `${ph.logical} req, ${3 * r.n} obj, 0 dup`;
        ok = ph.requests === ph.logical && objs === 3 * r.n && c.afterCreate.duplicateNames === 0;
      } else if (p === "noop") {
        reference = "0 req, no changes";
        ok = ph.requests === 0;
      } else if (p === "refresh") {
        reference = `${ph.logical} req (1 GET each)`;
        ok = ph.requests === ph.logical;
      } else {
        measured += ` · ${c.afterDestroy} left`;
        reference = `${ph.logical} req, 0 left`;
        ok = ph.requests === ph.logical && c.afterDestroy === 0;
      }
      rows.push(row(S, `N=${r.n} ${p === "noop" ? "no-op diff" : p}`, measured, reference, ok, ph));
    }
    rows.push(faultRow(r.n, opts.p429, r.with429));
  }
  if (storm) rows.push(faultRow(storm.n, storm.p429, storm.pass, " (storm)"));
  // Growth between the two largest sizes: time exponent k in t ∝ N^k (1 = linear).
  if (results.length >= 2) {
    const a = results[results.length - 2]!;
    const b = results[results.length - 1]!;
    const ratioN = b.n / a.n;
    for (const p of PHASES) {
      const ta = a.clean.phases[p].ms;
      const tb = b.clean.phases[p].ms;
      const k = Math.log(tb / ta) / Math.log(ratioN);
      rows.push(
        row(
          S,
          `growth N=${a.n}→${b.n}: ${p === "noop" ? "no-op diff" : p} time`,
          `×${(tb / ta).toFixed(2)} (k=${k.toFixed(2)}) · ${(ta / a.n).toFixed(2)}→${(tb / b.n).toFixed(2)} ms/failover`,
          `×${ratioN.toFixed(0)} (k≈1, linear)`,
          k <= 1.3,
          { k, perFailoverMs: [ta / a.n, tb / b.n] },
        ),
      );
    }
    const ha = a.clean.retainedHeap;
    const hb = b.clean.retainedHeap;
    rows.push(
      row(
        S,
        `growth N=${a.n}→${b.n}: retained heap after create`,
        `${fmtMb(ha)} → ${fmtMb(hb)} · ${(ha / a.n / 1024).toFixed(1)}→${(hb / b.n / 1024).toFixed(1)} KiB/failover`,
        `×${ratioN.toFixed(0)} (linear)`,
        hb <= Math.max(ha, 1024 * 1024) * ratioN * 1.5,
        { retainedHeapBytes: [ha, hb] },
      ),
    );
    const pa = a.clean.phases.create.peakRss;
    const pb = b.clean.phases.create.peakRss;
    rows.push(
      row(S, `growth N=${a.n}→${b.n}: peak RSS during create`, `${fmtMb(pa)} → ${fmtMb(pb)}`, "(process incl. emulator)", undefined, { peakRss: [pa, pb] }),
    );
  }
  return { rows, results, storm };
}

function faultRow(n: number, p429: number, w: PassResult, suffix = ""): Row {
  const total = PHASES.reduce((k, p) => k + w.phases[p].ms, 0);
  const requests = PHASES.reduce((k, p) => k + w.phases[p].requests, 0);
  const logical = PHASES.reduce((k, p) => k + w.phases[p].logical, 0);
  const reruns = PHASES.reduce((k, p) => k + w.phases[p].reruns, 0);
  const objs = w.afterCreate.tasks + w.afterCreate.endpoints;
  return row(
    "Scale",
    `N=${n} all phases, ${Math.round(p429 * 100)}% 429s${suffix}`,
    `${fmtMs(total)} · ${requests - logical} retried · ${reruns} re-runs · ${objs} obj, ${w.afterCreate.duplicateNames} dup · ${w.afterDestroy} left`,
    `${3 * n} obj, 0 dup, 0 left`,
    objs === 3 * n && w.afterCreate.duplicateNames === 0 && w.afterDestroy === 0,
    w,
  );
}
