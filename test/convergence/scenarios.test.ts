/**
 * The three fault patterns of issue 10, in virtual time on the emulator's production defaults.
 * Each runs on the v0.1 wiring (`edge`, where it leaves DNS wrong — the test pins that down, so the
 * scenario is known to bite) and on the default `converge` wiring (where it must converge).
 */
import { BACKUP, harness, MIN, measure, PRIMARY, type ScriptStep } from "../../bench/convergence";
import type { FailoverWiring } from "../../lib/failover/plan";
import { closeAllPools } from "../../lib/runlater/http";

afterAll(() => closeAllPools());

/** Detection bound: one interval + the check timeout + hook/forward latency (1 min + 10 s + 40 s). */
const BOUND = 2 * MIN;

async function scenario(wiring: FailoverWiring, script: (h: { dnsUrlPath: string; failoverPath: string }) => ScriptStep[], endMs: number) {
  const h = await harness({ wiring });
  try {
    const dnsUrlPath = new URL(String(h.plan.failoverEndpoint.forwardUrls[0])).pathname;
    const failoverPath = new URL(String(h.objects.get("failover")!.url)).pathname;
    await h.run(script({ dnsUrlPath, failoverPath }), endMs);
    const m = measure(h.primaryTimeline, h.recordTimeline(), endMs, BOUND);
    return { ...m, final: h.record(), emu: h.emu, timeline: h.recordTimeline() };
  } finally {
    await h.close();
  }
}

describe("1. stale failover retry (one 503 on the failover PATCH, primary back a minute later)", () => {
  const script = (): ScriptStep[] => [
    { at: 30_000, primary: "503" },
    { at: 30_000, dnsErrors: 1, times: 1 },
    { at: 100_000, primary: "up" },
  ];
  it("edge: the late retry lands after the recovery and strands DNS on the backup", async () => {
    const r = await scenario("edge", script, 30 * MIN);
    expect(r.final).toBe(BACKUP);
    expect(r.wrongAtEnd).toBe(true);
  });
  it("converge: no failover retry exists; the record ends on the primary", async () => {
    const r = await scenario("converge", script, 30 * MIN);
    expect(r.final).toBe(PRIMARY);
    expect(r.wrongAtEnd).toBe(false);
    expect(r.strandedLongestMs).toBeLessThanOrEqual(2 * MIN);
  });
});

describe("2. flap plus one transient error on the recovery PATCH", () => {
  const script = (): ScriptStep[] => [
    { at: 30_000, primary: "503" },
    { at: 90_000, primary: "up" },
    { at: 110_000, dnsErrors: 1, times: 1 }, // the recovery PATCH at ~120 s fails once
    { at: 150_000, primary: "503" }, // down again before the retry (120 s later) lands
    { at: 40 * MIN, primary: "up" },
  ];
  it("edge: the late recovery retry points DNS at the dead primary for the rest of the outage", async () => {
    const r = await scenario("edge", script, 60 * MIN);
    expect(r.deadBeyondBoundMs).toBeGreaterThan(30 * MIN);
  });
  it("converge: the next failed probe re-asserts the backup within the bound", async () => {
    const r = await scenario("converge", script, 60 * MIN);
    expect(r.deadLongestMs).toBeLessThanOrEqual(2 * MIN);
    expect(r.deadBeyondBoundMs).toBeLessThanOrEqual(2 * MIN);
    expect(r.final).toBe(PRIMARY);
  });
});

describe("3. one lost failure hook", () => {
  const script = ({ failoverPath }: { failoverPath: string }): ScriptStep[] => [
    { at: 30_000, primary: "503" },
    { at: 30_000, lose: failoverPath, times: 1 },
    { at: 31 * MIN, primary: "up" },
  ];
  it("edge: the outage goes unhandled", async () => {
    const r = await scenario("edge", script, 45 * MIN);
    expect(r.deadBeyondBoundMs).toBeGreaterThan(25 * MIN);
  });
  it("converge: the level-triggered probe fails over within the bound", async () => {
    const r = await scenario("converge", script, 45 * MIN);
    expect(r.deadBeyondBoundMs).toBe(0);
    expect(r.final).toBe(PRIMARY);
  });
});

describe("4. a long outage: host blocking piles up the checks, and the recovery hook never fires", () => {
  // Runlater blocks the failing host (30 s … 300 s) and reschedules its due runs to the block's
  // end; the first healthy run's "previous execution" is then a pending sibling, so
  // on_recovery_url is not called (notifications.ex). Only the latch brings the primary back.
  const script = (): ScriptStep[] => [
    { at: 30_000, primary: "503" },
    { at: 40 * MIN, primary: "up" },
  ];
  it("edge: stranded on the backup for good", async () => {
    const r = await scenario("edge", script, 90 * MIN);
    expect(r.final).toBe(BACKUP);
  });
  it("converge: the latch re-asserts the primary within 60 s + grace + one block after the recovery", async () => {
    const r = await scenario("converge", script, 90 * MIN);
    expect(r.final).toBe(PRIMARY);
    expect(r.deadBeyondBoundMs).toBe(0);
    expect(r.recoveryWorstMs).toBeLessThanOrEqual(60_000 + 600_000 + 300_000 + 60_000);
  });
});

describe("the probe is host-blocked apart from the health check", () => {
  it("its URL differs from the health URL only in the host name's letter case", async () => {
    const h = await harness({ wiring: "converge" });
    try {
      const probe = h.plan.objects.find((o) => o.key === "probe")!;
      const health = h.plan.objects.find((o) => o.key === "health")!;
      const probeUrl = (probe.spec as { forwardUrls: string[] }).forwardUrls[0]!;
      const healthUrl = (health.spec as { url: string }).url;
      expect(probeUrl).not.toBe(healthUrl);
      expect(probeUrl.toLowerCase()).toBe(healthUrl.toLowerCase());
      // During a long outage both keep running (each at its own block cadence): the probe keeps
      // sending failure signals, so the latch never fires while the primary is down.
      await h.run([{ at: 30_000, primary: "timeout" }], 60 * MIN);
      const probes = h.emu.deliveries({ kind: "forward" }).filter((d) => d.url === probeUrl && d.status !== "success");
      const gaps = probes.slice(1).map((d, i) => Date.parse(d.startedAt) - Date.parse(probes[i]!.startedAt));
      expect(Math.max(...gaps)).toBeLessThanOrEqual(300_000 + 60_000);
      expect(h.record()).toBe(BACKUP);
    } finally {
      await h.close();
    }
  });
});
