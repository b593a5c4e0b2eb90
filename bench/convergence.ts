/**
 * Convergence harness: deploys one failover of a given wiring on a fresh emulator (virtual
 * clock, production defaults), drives the primary and the DNS API through a scripted fault
 * timeline, and measures what the record did against what the primary did. Shared by the chaos
 * benchmark (`npm run bench -- --chaos`) and the convergence tests (test/convergence).
 *
 * The record's timeline is read from the emulator's successful DNS forward deliveries (each sets
 * the record to the content in its body); the primary's from the script.
 */
import { type Emulator, type EmulatorOptions, startEmulator } from "../lib/emulator";
import { type AppliedObject, applyPlan } from "../lib/failover/apply";
import { type FailoverPlan, type FailoverWiring, planFailover } from "../lib/failover/plan";
import type { PlanObjectKey } from "../lib/failover/wiring";
import { RunlaterClient } from "../lib/runlater/client";
import { seedCloudflareRecord } from "./support";

export const PRIMARY = "198.51.100.10";
export const BACKUP = "203.0.113.50";
const CF_TOKEN = "cf-convergence-token-8d1e";
const MIN = 60_000;

/** How the primary answers during a down phase. */
export type DownMode = "503" | "timeout" | "refused";

/** One step of a script, at `at` ms after the deploy (emulator time). */
export type ScriptStep =
  | { at: number; primary: "up" | DownMode }
  | { at: number; dnsErrors: number; status?: number; times?: number }
  /** The next `times` hits of this exact path answer 500 (a lost message). */
  | { at: number; lose: string; times: number };

/** Options of one harnessed failover. */
export interface HarnessOptions {
  wiring: FailoverWiring;
  seed?: number;
  /** Extra emulator options (chaos switches). */
  emulator?: EmulatorOptions;
  /** Failover plan overrides. */
  retryAttempts?: number;
  /** Health-check timeout (ms). @default 10000 */
  timeoutMs?: number;
  /**
   * Loop traffic (checks, hooks, forwards, DNS writes) dispatched in-process to the emulator under
   * the names `runlater.test`, `primary.test` and `api.cloudflare.test` (same pipeline, no sockets).
   * @default true
   */
  inProcess?: boolean;
  /** The latch's grace (s). @default the plan's default */
  latchGraceSeconds?: number;
  /** Lost action webhooks, 0..1 (the emulator's `hookLossProbability`). @default 0 */
  hookLoss?: number;
  /**
   * Several records in one failover (issue 12 §3), each seeded in the emulated Cloudflare zone
   * `example.com` with its primary content. @default one A record `www.example.com` (PRIMARY → BACKUP)
   */
  records?: HarnessRecord[];
}

/** One record of a harnessed failover of several records. */
export interface HarnessRecord {
  /** FQDN in `example.com`. */
  name: string;
  type: "A" | "AAAA";
  primary: string;
  backup: string;
}

/** One record of a deployed harness. */
export interface HarnessRecordView extends HarnessRecord {
  /** Its DNS API URL (the forward URL of its stored requests). */
  url: string;
  /** Current content. */
  content(): string | undefined;
  /** Its timeline from successful DNS writes: [at, content]. */
  timeline(): { at: number; content: string }[];
}

/** A deployed failover under test. */
export interface Harness {
  emu: Emulator;
  plan: FailoverPlan;
  objects: Map<PlanObjectKey, AppliedObject>;
  /** ms since the deploy, emulator time. */
  elapsed(): number;
  /** Current record content. */
  record(): string | undefined;
  /** Runs the script to `untilMs` (relative to the deploy). */
  run(script: ScriptStep[], untilMs: number): Promise<void>;
  /** The primary's state changes applied so far: [at, up?]. */
  primaryTimeline: { at: number; up: boolean }[];
  /** The record's timeline from successful DNS writes: [at, content]. */
  recordTimeline(): { at: number; content: string }[];
  /** Every record of the failover (one unless `records` was given). */
  records: HarnessRecordView[];
  /** Executions (cron + forward attempts) and DNS writes so far. */
  counts(): { executions: number; dnsWrites: number; hooks: number };
  close(): Promise<void>;
}

/** Deploys a failover of `opts.wiring` against a built-in primary target and an emulated Cloudflare record. */
export async function harness(opts: HarnessOptions): Promise<Harness> {
  const inProcess = opts.inProcess ?? true;
  const emu = await startEmulator({
    allowPrivateTargets: true,
    rateLimit: false,
    seed: opts.seed ?? 1,
    virtualTimeoutCapMs: 50,
    dns: { cloudflare: { tokens: [CF_TOKEN] } },
    hookLossProbability: opts.hookLoss ?? 0,
    ...(inProcess ? { inProcessHosts: ["runlater.test", "primary.test", "api.cloudflare.test"], publicOrigin: "http://runlater.test" } : {}),
    ...opts.emulator,
  });
  try {
    const seeded = seedCloudflareRecord(emu, PRIMARY, CF_TOKEN);
    const primary = emu.target("primary");
    const primaryUrl = inProcess ? "http://primary.test/_emulator/targets/primary" : primary.url;
    const cfApi = inProcess ? "http://api.cloudflare.test/client/v4" : emu.cloudflareApiUrl;
    const cf = emu.dns("cloudflare");
    const extra = (opts.records ?? []).map((r) => {
      const zoneId = cf.getZone("example.com")!.id;
      const recordId = r.name === "www.example.com" && r.type === "A" ? seeded.dns.recordId : cf.addRecord(zoneId, { name: r.name, type: r.type, content: r.primary, ttl: 60 });
      return { ...r, dns: { ...seeded.dns, recordId, name: r.name, type: r.type, apiBaseUrl: cfApi }, content: () => cf.getRecord(zoneId, recordId)?.content };
    });
    const common = {
      name: "www",
      healthCheck: { url: primaryUrl, timeoutMs: opts.timeoutMs ?? 10_000 },
      wiring: opts.wiring,
      retryAttempts: opts.retryAttempts,
      latch: opts.latchGraceSeconds ? { graceSeconds: opts.latchGraceSeconds } : undefined,
    };
    const plan = opts.records
      ? planFailover({ ...common, records: extra.map((r) => ({ dns: r.dns, primary: r.primary, backup: r.backup })) })
      : planFailover({ ...common, primary: PRIMARY, backup: BACKUP, dns: { ...seeded.dns, apiBaseUrl: cfApi } });
    if (plan.errors.length > 0) throw new Error(`harness plan: ${JSON.stringify(plan.errors)}`);
    const client = new RunlaterClient({ apiKey: emu.apiKey, baseUrl: emu.runlaterApiUrl });
    const target = {
      createEndpoint: (s: Parameters<RunlaterClient["createEndpoint"]>[0]) => client.createEndpoint(s),
      createTask: (s: Parameters<RunlaterClient["createCronTask"]>[0]) => client.createCronTask(s),
      createMonitor: (s: Parameters<RunlaterClient["createMonitor"]>[0]) => client.createMonitor(s),
    };
    const objects = await applyPlan(plan, target);
    const t0 = emu.now().getTime();
    const dnsUrl = String(plan.failoverEndpoint.forwardUrls[0]);
    const timelineOf = (url: string, p: string, b: string) => {
      const out: { at: number; content: string }[] = [{ at: 0, content: p }];
      const writes = emu
        .deliveries({ kind: "forward" })
        .filter((d) => d.url === url && d.status === "success")
        .map((d) => ({ at: Date.parse(d.finishedAt) - t0, content: d.requestBody.includes(b) ? b : p }))
        .sort((x, y) => x.at - y.at);
      for (const w of writes) if (out[out.length - 1]!.content !== w.content) out.push(w);
      return out;
    };
    const views: HarnessRecordView[] = opts.records
      ? extra.map((r, i) => {
          const url = plan.records[i]!.url;
          return { name: r.name, type: r.type, primary: r.primary, backup: r.backup, url, content: r.content, timeline: () => timelineOf(url, r.primary, r.backup) };
        })
      : [{ name: "www.example.com", type: "A", primary: PRIMARY, backup: BACKUP, url: dnsUrl, content: seeded.content, timeline: () => timelineOf(dnsUrl, PRIMARY, BACKUP) }];
    const dnsUrls = new Set(views.map((v) => v.url));
    const primaryTimeline: { at: number; up: boolean }[] = [{ at: 0, up: true }];
    let dnsFault: (() => void) | undefined;
    const apply = (s: ScriptStep) => {
      const at = emu.now().getTime() - t0;
      if ("primary" in s) {
        if (s.primary === "up") primary.set("ok");
        else if (s.primary === "503") primary.set("fail", { status: 503 });
        else if (s.primary === "timeout") primary.set("hang");
        else primary.set("refused");
        const up = s.primary === "up";
        if (primaryTimeline[primaryTimeline.length - 1]!.up !== up) primaryTimeline.push({ at, up });
      } else if ("dnsErrors" in s) {
        dnsFault?.();
        dnsFault = undefined;
        if (s.dnsErrors > 0) {
          dnsFault = emu.faults.add({
            route: "cloudflare.dns_records.*",
            status: s.status ?? 503,
            probability: s.dnsErrors,
            times: s.times,
          });
        }
      } else if ("lose" in s) {
        emu.faults.add({ path: `^${s.lose.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, status: 500, times: s.times });
      }
    };
    return {
      emu,
      plan,
      objects,
      elapsed: () => emu.now().getTime() - t0,
      record: seeded.content,
      primaryTimeline,
      records: views,
      async run(script, untilMs) {
        const steps = [...script].sort((a, b) => a.at - b.at);
        for (const s of steps) {
          if (s.at > untilMs) break;
          await emu.advanceTo(t0 + s.at);
          apply(s);
        }
        await emu.advanceTo(t0 + untilMs);
      },
      recordTimeline: () => views[0]!.timeline(),
      counts() {
        const all = emu.deliveries();
        return {
          executions: all.filter((d) => d.kind === "cron" || d.kind === "forward" || d.kind === "once").length,
          dnsWrites: all.filter((d) => d.kind === "forward" && dnsUrls.has(d.url)).length,
          hooks: all.filter((d) => d.kind.startsWith("hook")).length,
        };
      },
      close: () => emu.close(),
    };
  } catch (e) {
    await emu.close();
    throw e;
  }
}

/** What one scripted run did, measured against the primary's timeline. */
export interface RunMetrics {
  /** The record is not on the primary at the end (the primary is up then). */
  wrongAtEnd: boolean;
  /** ms on a dead primary later than `boundMs` after the outage started (summed; outside the excluded windows). */
  deadBeyondBoundMs: number;
  /** Longest single such stretch. */
  deadLongestMs: number;
  /** ms on the backup while the primary was up (summed), and the longest stretch. */
  strandedMs: number;
  strandedLongestMs: number;
  /** ms from each recovery until the record was on the primary again (worst). */
  recoveryWorstMs: number;
}

/** Measures a record timeline against a primary timeline over [0, endMs). */
export function measure(
  primary: { at: number; up: boolean }[],
  record: { at: number; content: string }[],
  endMs: number,
  boundMs: number,
  /** Windows [from, to) in which dead-primary time is not counted (nothing can write DNS then). */
  exclude: [number, number][] = [],
  /** The record's two contents. @default PRIMARY, BACKUP */
  contents: { primary: string; backup: string } = { primary: PRIMARY, backup: BACKUP },
): RunMetrics {
  const { primary: PRIMARY, backup: BACKUP } = contents;
  const excluded = (t: number) => exclude.some(([a, b]) => t >= a && t < b);
  const cuts = [...new Set([0, endMs, ...primary.map((p) => p.at), ...record.map((r) => r.at), ...exclude.flat()])]
    .filter((t) => t >= 0 && t <= endMs)
    .sort((a, b) => a - b);
  const at = <T extends { at: number }>(xs: T[], t: number): T => {
    let cur = xs[0]!;
    for (const x of xs) if (x.at <= t) cur = x;
    return cur;
  };
  let dead = 0;
  let deadRun = 0;
  let deadLongest = 0;
  let stranded = 0;
  let strandedRun = 0;
  let strandedLongest = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [a, b] = [cuts[i]!, cuts[i + 1]!];
    const p = at(primary, a);
    const r = at(record, a).content;
    if (!p.up && r === PRIMARY && !excluded(a)) {
      // Only the part later than `boundMs` after this outage began counts.
      const from = Math.max(a, p.at + boundMs);
      if (b > from) {
        dead += b - from;
        deadRun += b - from;
        deadLongest = Math.max(deadLongest, deadRun);
      }
    } else deadRun = 0;
    if (p.up && r === BACKUP) {
      stranded += b - a;
      strandedRun += b - a;
      strandedLongest = Math.max(strandedLongest, strandedRun);
    } else strandedRun = 0;
  }
  let recoveryWorst = 0;
  primary.forEach((p, i) => {
    if (!p.up || i === 0) return;
    const next = primary[i + 1]?.at ?? endMs;
    const back = record.find((r) => r.at >= p.at && r.content === PRIMARY && r.at < next);
    const onPrimary = at(record, p.at).content === PRIMARY;
    if (!onPrimary) recoveryWorst = Math.max(recoveryWorst, back ? back.at - p.at : next - p.at);
  });
  const final = record[record.length - 1]!.content;
  return {
    wrongAtEnd: final !== PRIMARY,
    deadBeyondBoundMs: dead,
    deadLongestMs: deadLongest,
    strandedMs: stranded,
    strandedLongestMs: strandedLongest,
    recoveryWorstMs: recoveryWorst,
  };
}

export { MIN };
