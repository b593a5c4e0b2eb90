/**
 * `npm run bench` — API-call budget, failover latency, scale and provider overhead, measured
 * against the embedded emulator in one run, printed as a table (each figure beside its
 * reference) and written to `bench/out/results.json` (git-ignored: a run changes no tracked
 * file; `--out=<file>` writes elsewhere).
 *
 *   npm run bench              full run (scale 1, 10, 100, 500)
 *   npm run bench -- --quick   fast subset (scale 1, 10, 100; fewer latency scenarios and spawns)
 *   npm run bench -- --scale-engines   only the real-engine scale rows (bench/engines.ts: pulumi
 *                              up/preview/refresh/destroy and tofu apply/plan at N = 10 and 100;
 *                              `--engine-sizes=10,100`, `--skip-checkpoints`); skipped with the
 *                              reason when the engines are not installed. Not in the default run.
 *
 * Run with `--expose-gc` for steadier memory figures. Needs the compiled package (`dist/`) for
 * the overhead section; the npm script builds it first.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../lib/emulator";
import { closeAllPools } from "../lib/runlater/http";
import { benchApiCalls } from "./api-calls";
import { configureProviders } from "./flow";
import { benchLatency } from "./latency";
import type { FailoverWiring } from "../lib/failover/plan";
import { benchChaos, CELLS } from "./chaos";
import { benchEngines } from "./engines";
import { benchOverhead } from "./overhead";
import { benchScale } from "./scale";
import { fmtMs, type Row, renderTable, startHealthServer } from "./support";

const API_KEY = "pk_test_bench.sk_test_bench_key_0000000000000000";
const CF_TOKEN = "cf-bench-token-00000000000000000000";

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const quick = argv.includes("--quick");
  const chaos = argv.includes("--chaos");
  const opt = (k: string) => argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
  const scaleEngines = argv.includes("--scale-engines");
  const only = chaos ? ["chaos"] : scaleEngines ? ["engines"] : opt("only")?.split(",");
  const want = (s: string) => !only || only.includes(s);
  const started = performance.now();
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const timings: Record<string, number> = {};
  const log = (s: string) => process.stderr.write(`${s}\n`);

  if (!existsSync(path.join(__dirname, "..", "dist", "pulumi", "index.js")) && want("overhead")) {
    throw new Error("dist/ is missing: run `npm run build` first (npm run bench does)");
  }

  // API calls and latency share one emulator (private health targets allowed, no rate limit).
  if (want("api") || want("latency")) {
    const emu = await startEmulator({
      apiKeys: [API_KEY],
      allowPrivateTargets: true,
      rateLimit: false,
      virtualTimeoutCapMs: 200,
      dns: { cloudflare: { tokens: [CF_TOKEN] } },
    });
    const config = { "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl, "runlater:allowPrivateTargets": "true" };
    await configureProviders(config);
    const health = await startHealthServer();
    try {
      if (want("api")) {
        log("bench: API calls …");
        const t = performance.now();
        const r = await benchApiCalls(emu, config, CF_TOKEN);
        rows.push(...r.rows);
        details.apiCalls = r.result;
        timings.apiCalls = performance.now() - t;
      }
      if (want("latency")) {
        log("bench: failover latency …");
        const t = performance.now();
        const r = await benchLatency({ quick });
        rows.push(...r.rows);
        details.latency = r.samples;
        timings.latency = performance.now() - t;
      }
    } finally {
      await health.close();
      await emu.close();
    }
  }

  if (want("scale")) {
    const sizes = quick ? [1, 10, 100] : [1, 10, 100, 500];
    log(`bench: scale ${sizes.join(", ")} …`);
    const t = performance.now();
    const storm = quick ? undefined : { n: 20, p429: 0.5 };
    const r = await benchScale({ sizes, concurrency: 8, p429: 0.03, storm, apiKey: API_KEY, cfToken: CF_TOKEN });
    rows.push(...r.rows);
    details.scale = { concurrency: 8, p429: 0.03, results: r.results, storm: r.storm };
    timings.scale = performance.now() - t;
  }

  if (chaos) {
    const runs = Number(opt("chaos-runs") ?? 504);
    const hours = Number(opt("chaos-hours") ?? 6);
    const seed = Number(opt("chaos-seed") ?? 20261202);
    const wirings = (opt("chaos-wirings") ?? "converge,edge,seed").split(",") as FailoverWiring[];
    log(`bench: chaos ${runs} runs × ${hours} h × ${wirings.join("/")} …`);
    const t = performance.now();
    const r = await benchChaos({ runs, hours, seed, wirings, log });
    rows.push(...r.rows);
    details.chaos = { runs, hours, seed, wirings, cells: CELLS, results: r.results };
    timings.chaos = performance.now() - t;
  }

  if (scaleEngines) {
    const sizes = (opt("engine-sizes") ?? "10,100").split(",").map(Number);
    log(`bench: real engines at N = ${sizes.join(", ")} …`);
    const t = performance.now();
    const layouts = opt("pulumi-resources")?.split(",") as ("per-object" | "compact")[] | undefined;
    const r = await benchEngines({ sizes, log, skipCheckpoints: argv.includes("--skip-checkpoints"), pulumiResources: layouts });
    for (const s of r.result.skipped) log(`SKIPPED: ${s}`);
    rows.push(...r.rows);
    details.engines = r.result;
    timings.engines = performance.now() - t;
  }

  if (want("overhead")) {
    log("bench: provider overhead …");
    const t = performance.now();
    const r = await benchOverhead({ runs: quick ? 2 : 5 });
    rows.push(...r.rows);
    details.overhead = r.result;
    timings.overhead = performance.now() - t;
  }
  await closeAllPools();

  const totalMs = performance.now() - started;
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    quick,
    exposeGc: typeof (globalThis as { gc?: unknown }).gc === "function",
    totalMs,
    sectionMs: timings,
  };
  const failed = rows.filter((r) => r.status === "FAIL");
  process.stdout.write(
    `runlater-iac benchmark — ${meta.node}, ${meta.platform}, ${meta.cpus} CPUs${quick ? ", --quick" : ""}\n\n${renderTable(rows)}\n\n` +
      `${rows.length} figures, ${failed.length} over their reference; total ${fmtMs(totalMs)}\n`,
  );
  const outFile = path.resolve(opt("out") ?? path.join(__dirname, "out", scaleEngines ? "engines.json" : "results.json"));
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify({ meta, rows, details }, null, 2)}\n`);
  process.stdout.write(`written to ${path.relative(process.cwd(), outFile)}\n`);
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`);
    process.exit(2);
  },
);
