/**
 * Failover and recovery latency in emulator time: from the moment the local primary changes
 * state to the moment the DNS record changed (the `forward` delivery's `finishedAt`), against the
 * bound "one cron interval + the health timeout + the forward's own time".
 *
 * The clock moves in 1 s steps, so the observed switch is also cross-checked to the second.
 * Scenarios vary where in the cron minute the outage starts and how the primary fails (503 =
 * immediate failure, hang = the check times out after `timeoutMs`).
 */
import type { Emulator } from "../lib/emulator";
import { planFailover } from "../lib/failover/plan";
import { deployRun, destroyRun, type FailoverState } from "./flow";
import { fmtS, type HealthServer, type Row, row, seedCloudflareRecord } from "./support";

const MINUTE = 60_000;
const STEP = 1_000;

export interface LatencySample {
  direction: "failover" | "recovery";
  mode: "fail" | "hang";
  /** Outage (or healing) start, ms after the last cron tick. */
  offsetMs: number;
  latencyMs: number;
  boundMs: number;
  ratio: number;
  /** Emulator time at which polling (1 s steps) first saw the new content, minus the start. */
  observedMs: number;
  forwardDurationMs: number;
}

export async function benchLatency(
  emu: Emulator,
  health: HealthServer,
  cfToken: string,
  opts: { quick: boolean },
): Promise<{ rows: Row[]; samples: LatencySample[] }> {
  const PRIMARY = "198.51.100.20";
  const BACKUP = "203.0.113.60";
  const timeoutMs = 10_000;
  const { dns, content } = seedCloudflareRecord(emu, PRIMARY, cfToken, "lat.example.com");
  const plan = planFailover({
    name: "lat",
    healthCheck: { url: health.url, cron: "* * * * *", timeoutMs, expectedStatusCodes: [200] },
    primary: PRIMARY,
    backup: BACKUP,
    dns,
  });
  if (plan.errors.length) throw new Error(`latency plan: ${JSON.stringify(plan.errors)}`);
  const state: FailoverState = {};
  const up = await deployRun(plan, state);
  if (!up.ok) throw up.error;
  const forwardUrl = plan.failoverEndpoint.forwardUrls[0]!;

  health.mode = "ok";
  await emu.advance(2 * MINUTE);
  if (content() !== PRIMARY) throw new Error("latency: record is not on the primary after deploy");

  /** Moves to `offset` ms after the next cron tick. */
  const alignTo = async (offset: number) => {
    const now = emu.now().getTime();
    await emu.advanceTo(Math.floor(now / MINUTE) * MINUTE + MINUTE + offset);
  };

  const measureSwitch = async (direction: LatencySample["direction"], mode: LatencySample["mode"], offsetMs: number) => {
    const want = direction === "failover" ? BACKUP : PRIMARY;
    const t0 = emu.now().getTime();
    health.mode = direction === "failover" ? mode : "ok";
    let observed: number | undefined;
    for (let t = 0; t <= 3 * MINUTE && observed === undefined; t += STEP) {
      await emu.advance(STEP);
      if (content() === want) observed = emu.now().getTime() - t0;
    }
    if (observed === undefined) throw new Error(`latency: ${direction} (${mode}, +${offsetMs} ms) never switched the record`);
    const fwd = emu
      .deliveries({ kind: "forward", since: new Date(t0) })
      .find((d) => d.url === forwardUrl && d.status === "success" && d.requestBody.includes(`"${want}"`));
    if (!fwd) throw new Error(`latency: no successful forward for ${direction}`);
    const latencyMs = Date.parse(fwd.finishedAt) - t0;
    const boundMs = MINUTE + timeoutMs + fwd.durationMs;
    return { direction, mode, offsetMs, latencyMs, boundMs, ratio: latencyMs / boundMs, observedMs: observed, forwardDurationMs: fwd.durationMs };
  };

  const offsets = opts.quick ? [30_000] : [1_000, 30_000, 59_000];
  const modes: LatencySample["mode"][] = ["fail", "hang"];
  const samples: LatencySample[] = [];
  for (const mode of modes) {
    for (const offset of offsets) {
      await alignTo(offset);
      samples.push(await measureSwitch("failover", mode, offset));
      await alignTo(offset);
      samples.push(await measureSwitch("recovery", mode, offset));
    }
  }
  health.mode = "ok";
  const down = await destroyRun(state);
  if (!down.ok) throw down.error;

  const rows: Row[] = [];
  const S = "Failover latency";
  const bound = `≤ ${fmtS(MINUTE + timeoutMs)} (cron 60 s + timeout 10 s + fwd)`;
  for (const direction of ["failover", "recovery"] as const) {
    for (const mode of modes) {
      const xs = samples.filter((s) => s.direction === direction && s.mode === mode);
      const worst = xs.reduce((a, b) => (b.ratio > a.ratio ? b : a));
      const how = mode === "fail" ? "503" : "hang (timeout)";
      const label = `${direction === "failover" ? "failover, primary" : "recovery after"} ${how}, worst of ${xs.length}`;
      rows.push(
        row(
          S,
          label,
          `${fmtS(worst.latencyMs)} = ${worst.ratio.toFixed(2)}× bound`,
          bound,
          xs.every((s) => s.ratio <= 1),
          xs.map((s) => ({ offsetMs: s.offsetMs, latencyMs: s.latencyMs, boundMs: s.boundMs, ratio: s.ratio, observedMs: s.observedMs })),
        ),
      );
    }
  }
  return { rows, samples };
}
