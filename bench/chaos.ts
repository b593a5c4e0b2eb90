/**
 * Chaos benchmark (`npm run bench -- --chaos`): seeded, reproducible runs of several emulated
 * hours each, on the emulator's production defaults with start jitter, for every wiring side by
 * side. Each run draws primary outages and flaps (30 s .. 1 h; 503, timeout, connection refused),
 * one 10-minute DNS API outage, DNS API transient 5xx at p ∈ {0, 5 %, 20 %} and lost hooks at
 * p ∈ {0, 1 %}; the last hour is quiet (primary up, no faults) so the final state shows whether
 * the wiring converged.
 *
 * Options: `--chaos-runs=N` (default 504 = 84 per fault cell), `--chaos-hours=H` (default 6),
 * `--chaos-seed=S` (default 20261202), `--chaos-wirings=converge,edge,seed`.
 */
import { prng } from "../lib/emulator/faults";
import type { FailoverWiring } from "../lib/failover/plan";
import { type DownMode, harness, MIN, measure, type ScriptStep } from "./convergence";
import { type Row, row } from "./support";

/** Detection bound of the default health check: 1 min interval + 10 s timeout + hook/forward latency (incl. 2 × 15 s jitter). */
export const DEAD_BOUND_MS = 2 * MIN;
/** Goal of issue 10 for the longest single dead-primary stretch beyond the bound. */
export const DEAD_EPISODE_GOAL_MS = 5 * MIN;
const DNS_OUTAGE_MS = 10 * MIN;
/** Runlater's longest host block (host_blocker.ex): the DNS API host after the outage. */
const DNS_BLOCK_MS = 5 * MIN;

/** One fault cell. */
export interface ChaosCell {
  dnsErrors: number;
  hookLoss: number;
}

export const CELLS: ChaosCell[] = [0, 0.05, 0.2].flatMap((dnsErrors) => [0, 0.01].map((hookLoss) => ({ dnsErrors, hookLoss })));

/** The fault script of one run (deterministic in `seed`). */
export function chaosScript(seed: number, hours: number, cell: ChaosCell): ScriptStep[] {
  const rnd = prng(seed);
  const active = (hours - 1) * 60 * MIN; // the last hour is quiet
  const steps: ScriptStep[] = [];
  const modes: DownMode[] = ["503", "timeout", "refused"];
  const logUniform = (lo: number, hi: number) => Math.exp(Math.log(lo) + rnd() * (Math.log(hi) - Math.log(lo)));
  let t = 5 * MIN + rnd() * 20 * MIN;
  while (t < active) {
    const mode = modes[Math.floor(rnd() * modes.length)]!;
    if (rnd() < 0.3) {
      // A flap: 2..4 short down/up cycles.
      const cycles = 2 + Math.floor(rnd() * 3);
      for (let i = 0; i < cycles && t < active; i++) {
        steps.push({ at: Math.round(t), primary: mode });
        t += 30_000 + rnd() * 150_000;
        steps.push({ at: Math.round(Math.min(t, active)), primary: "up" });
        t += 30_000 + rnd() * 150_000;
      }
    } else {
      steps.push({ at: Math.round(t), primary: mode });
      t += logUniform(30_000, 60 * MIN);
      steps.push({ at: Math.round(Math.min(t, active)), primary: "up" });
    }
    t += 5 * MIN + rnd() * 40 * MIN;
  }
  // One 10-minute DNS API outage (every write answers 503).
  const outageAt = Math.round(10 * MIN + rnd() * (active - 25 * MIN));
  if (cell.dnsErrors > 0) steps.push({ at: 1, dnsErrors: cell.dnsErrors });
  steps.push({ at: outageAt, dnsErrors: 1 });
  steps.push({ at: outageAt + DNS_OUTAGE_MS, dnsErrors: cell.dnsErrors });
  steps.push({ at: active, dnsErrors: 0 });
  return steps.sort((a, b) => a.at - b.at);
}

/** What one run of one wiring measured. */
export interface ChaosRunResult {
  wiring: FailoverWiring;
  seed: number;
  cell: ChaosCell;
  wrongAtEnd: boolean;
  deadBeyondBoundMs: number;
  deadLongestMs: number;
  /** The same outside the DNS API outage and its aftermath (what a wiring can avoid). */
  avoidableDeadMs: number;
  avoidableDeadLongestMs: number;
  strandedMs: number;
  strandedLongestMs: number;
  executions: number;
  dnsWrites: number;
  realMs: number;
}

/** Runs one seeded chaos run of one wiring. */
export async function chaosRun(wiring: FailoverWiring, seed: number, hours: number, cell: ChaosCell): Promise<ChaosRunResult> {
  const started = performance.now();
  const h = await harness({
    wiring,
    seed,
    hookLoss: cell.hookLoss,
    latchGraceSeconds: process.env.CHAOS_GRACE ? Number(process.env.CHAOS_GRACE) : undefined,
    emulator: { startJitterMs: [1000, 15_000], maxDeliveries: 50_000 },
  });
  try {
    const end = hours * 60 * MIN;
    await h.run(chaosScript(seed, hours, cell), end);
    const script = chaosScript(seed, hours, cell);
    const m = measure(h.primaryTimeline, h.recordTimeline(), end, DEAD_BOUND_MS);
    // The same, not counting the DNS API outage (no wiring can write DNS then) and its aftermath:
    // Runlater's block of the DNS API host (up to 300 s) plus the detection bound.
    const outage = script.find((s) => "dnsErrors" in s && s.dnsErrors === 1)!;
    const avoidable = measure(h.primaryTimeline, h.recordTimeline(), end, DEAD_BOUND_MS, [
      [outage.at, outage.at + DNS_OUTAGE_MS + DNS_BLOCK_MS + DEAD_BOUND_MS],
    ]);
    const c = h.counts();
    return {
      wiring,
      seed,
      cell,
      wrongAtEnd: m.wrongAtEnd,
      deadBeyondBoundMs: m.deadBeyondBoundMs,
      deadLongestMs: m.deadLongestMs,
      avoidableDeadMs: avoidable.deadBeyondBoundMs,
      avoidableDeadLongestMs: avoidable.deadLongestMs,
      strandedMs: m.strandedMs,
      strandedLongestMs: m.strandedLongestMs,
      executions: c.executions,
      dnsWrites: c.dnsWrites,
      realMs: performance.now() - started,
    };
  } finally {
    await h.close();
  }
}

/** Runs the whole benchmark. */
export async function benchChaos(opts: {
  runs: number;
  hours: number;
  seed: number;
  wirings: FailoverWiring[];
  log?: (s: string) => void;
}): Promise<{ rows: Row[]; results: ChaosRunResult[] }> {
  const results: ChaosRunResult[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const cell = CELLS[i % CELLS.length]!;
    const seed = opts.seed + i;
    for (const w of opts.wirings) results.push(await chaosRun(w, seed, opts.hours, cell));
    if (opts.log && (i + 1) % 25 === 0) opts.log(`chaos: ${i + 1}/${opts.runs} runs`);
  }
  return { rows: chaosRows(results, opts), results };
}

const fmtMin = (ms: number) => `${(ms / MIN).toFixed(1)} min`;

/** The table: one block of rows per wiring. */
export function chaosRows(results: ChaosRunResult[], opts: { hours: number; wirings: FailoverWiring[] }): Row[] {
  const S = "Chaos";
  const rows: Row[] = [];
  const by = (w: FailoverWiring) => results.filter((r) => r.wiring === w);
  const seedDead = by("seed").reduce((a, r) => a + r.avoidableDeadMs, 0);
  for (const w of opts.wirings) {
    const xs = by(w);
    if (xs.length === 0) continue;
    const wrong = xs.filter((r) => r.wrongAtEnd).length;
    const dead = xs.reduce((a, r) => a + r.avoidableDeadMs, 0);
    const deadLongest = Math.max(...xs.map((r) => r.avoidableDeadLongestMs));
    const deadAll = xs.reduce((a, r) => a + r.deadBeyondBoundMs, 0);
    const stranded = xs.reduce((a, r) => a + r.strandedMs, 0);
    const strandedLongest = Math.max(...xs.map((r) => r.strandedLongestMs));
    const hoursTotal = xs.length * opts.hours;
    const execPerMonth = (xs.reduce((a, r) => a + r.executions, 0) / hoursTotal) * 720;
    const writesPerDay = (xs.reduce((a, r) => a + r.dnsWrites, 0) / hoursTotal) * 24;
    const isDefault = w === "converge";
    rows.push(
      row(S, `${w}: runs ending wrong (of ${xs.length})`, String(wrong), isDefault ? "0" : "(comparison)", isDefault ? wrong === 0 : undefined, wrong),
      row(
        S,
        `${w}: minutes on a dead primary beyond ${fmtMin(DEAD_BOUND_MS)} (outside the DNS API outage)`,
        `${fmtMin(dead)}${seedDead > 0 && w !== "seed" ? ` = ${(dead / seedDead).toFixed(3)}× seed` : ""}`,
        isDefault ? "≤ 0.1× seed" : "(comparison)",
        isDefault && by("seed").length > 0 ? dead <= 0.1 * seedDead : undefined,
        dead,
      ),
      row(
        S,
        `${w}: longest dead-primary stretch beyond the bound`,
        fmtMin(deadLongest),
        isDefault ? `≤ ${fmtMin(DEAD_EPISODE_GOAL_MS)}` : "(comparison)",
        isDefault ? deadLongest <= DEAD_EPISODE_GOAL_MS : undefined,
        deadLongest,
      ),
      row(S, `${w}: minutes on a dead primary beyond the bound, DNS outage included`, fmtMin(deadAll), "(info)", undefined, deadAll),
      row(S, `${w}: minutes stranded on a healthy backup (longest)`, `${fmtMin(stranded)} (${fmtMin(strandedLongest)})`, "(info)", undefined, {
        stranded,
        strandedLongest,
      }),
      row(S, `${w}: executions/month · DNS writes/day per failover`, `${Math.round(execPerMonth)} · ${writesPerDay.toFixed(0)}`, "(Pro: 1,000,000/month)", undefined, {
        execPerMonth,
        writesPerDay,
      }),
    );
  }
  return rows;
}
