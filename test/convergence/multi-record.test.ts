/**
 * One failover, several records (issue 12 §3), on the emulator's production defaults in virtual
 * time: A + AAAA (different contents: 2 failover + 2 recovery endpoints + restore) and apex +
 * www (same content: one shared endpoint each). Under the fault patterns of issue 10 (stale
 * retry, flap with a transient DNS error, a lost failure hook, a long outage without recovery
 * hook) and random lost hooks, every record converges exactly like the single-record failover.
 */
import { BACKUP, type HarnessRecord, harness, MIN, measure, PRIMARY, type RunMetrics, type ScriptStep } from "../../bench/convergence";
import type { PlanObjectKey } from "../../lib/failover/plan";
import { closeAllPools } from "../../lib/runlater/http";

afterAll(() => closeAllPools());

const BOUND = 2 * MIN;
const V6 = { primary: "2001:db8::10", backup: "2001:db8::50" };
const SETS: Record<string, HarnessRecord[]> = {
  "A + AAAA": [
    { name: "www.example.com", type: "A", primary: PRIMARY, backup: BACKUP },
    { name: "www.example.com", type: "AAAA", ...V6 },
  ],
  "apex + www": [
    { name: "example.com", type: "A", primary: PRIMARY, backup: BACKUP },
    { name: "www.example.com", type: "A", primary: PRIMARY, backup: BACKUP },
  ],
};

type Script = (h: { hookPath: string }) => ScriptStep[];
const SCRIPTS: [string, Script, number][] = [
  ["stale failover retry", () => [{ at: 30_000, primary: "503" }, { at: 30_000, dnsErrors: 1, times: 1 }, { at: 100_000, primary: "up" }], 30 * MIN],
  [
    "flap + transient error on the recovery write",
    () => [
      { at: 30_000, primary: "503" },
      { at: 90_000, primary: "up" },
      { at: 110_000, dnsErrors: 1, times: 1 },
      { at: 150_000, primary: "503" },
      { at: 40 * MIN, primary: "up" },
    ],
    60 * MIN,
  ],
  ["one lost failure hook", ({ hookPath }) => [{ at: 30_000, primary: "503" }, { at: 30_000, lose: hookPath, times: 1 }, { at: 31 * MIN, primary: "up" }], 45 * MIN],
  ["long outage, no recovery hook", () => [{ at: 30_000, primary: "503" }, { at: 40 * MIN, primary: "up" }], 90 * MIN],
];

async function run(records: HarnessRecord[] | undefined, script: Script, endMs: number, hookLoss = 0, seed = 1) {
  const h = await harness({ wiring: "converge", records, hookLoss, seed });
  try {
    const health = h.plan.objects.find((o) => o.key === "health")!.spec as { onFailureUrl: { $ref: PlanObjectKey } };
    const hookPath = new URL(String(h.objects.get(health.onFailureUrl.$ref)!.url)).pathname;
    await h.run(script({ hookPath }), endMs);
    return {
      plan: h.plan,
      perRecord: h.records.map((r) => ({ ...measure(h.primaryTimeline, r.timeline(), endMs, BOUND, [], r), final: r.content(), primary: r.primary, sawBackup: r.timeline().some((t) => t.content === r.backup) })),
    };
  } finally {
    await h.close();
  }
}

const shape = (m: RunMetrics) => ({ wrongAtEnd: m.wrongAtEnd, deadBeyondBoundMs: m.deadBeyondBoundMs, strandedLongestMs: m.strandedLongestMs });

describe.each(Object.entries(SETS))("%s in one converge failover", (_label, records) => {
  it("plans the fewest objects", async () => {
    const { plan } = await run(records, () => [], 1000);
    const keys = plan.objects.map((o) => o.key);
    if (_label === "A + AAAA") expect(keys).toEqual(["failover", "failover-2", "recovery", "recovery-2", "restore", "latch", "latch2", "relay", "probe", "health", "pulse"]);
    else expect(keys).toEqual(["failover", "recovery", "latch", "latch2", "relay", "probe", "health", "pulse"]);
  });

  it.each(SCRIPTS)("%s: every record converges as the single record does", async (_name, script, endMs) => {
    const single = (await run(undefined, script, endMs)).perRecord[0]!;
    const multi = await run(records, script, endMs);
    for (const r of multi.perRecord) {
      expect(r.final).toBe(r.primary);
      expect(shape(r)).toEqual(shape(single));
      expect(r.sawBackup).toBe(single.sawBackup);
      // Recovery no slower than one latch cycle more than the single record.
      expect(r.recoveryWorstMs).toBeLessThanOrEqual(single.recoveryWorstMs + 60_000);
    }
  });

  it("with 30 % of the hooks lost, a 40-minute outage still ends with every record on its primary", async () => {
    const script: Script = () => [{ at: 30_000, primary: "503" }, { at: 40 * MIN, primary: "up" }];
    for (const seed of [11, 12, 13]) {
      const multi = await run(records, script, 90 * MIN, 0.3, seed);
      for (const r of multi.perRecord) {
        expect(r.sawBackup).toBe(true);
        expect(r.final).toBe(r.primary);
        expect(r.deadBeyondBoundMs).toBeLessThanOrEqual(2 * MIN);
      }
    }
  });
});
