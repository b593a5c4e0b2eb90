/**
 * Provider overhead: size and serialization time of each dynamic provider's closure (what
 * Pulumi stores in state as `__provider` for EVERY resource), and cold-start times measured in
 * fresh Node processes: the compiled module, and the deserialized provider text as the provider
 * process loads it (`requireFromString(text).handler()`).
 *
 * Budgets (the reference column) are this project's, not Pulumi's: a closure under 256 KiB keeps
 * state files small (3 copies per failover); serialization under 1 s and a provider load under
 * 250 ms keep `pulumi up` of a small stack snappy; the package must add at most 250 ms to
 * `require("@pulumi/pulumi")`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fmtKb, fmtMs, median, type Row, row } from "./support";

const ROOT = path.join(__dirname, "..");

interface ChildReport {
  serializerWarmupMs: number;
  requirePulumiMs: number;
  requireLibMs: number;
  providers: Record<
    string,
    { serializeMs: number; serializeWarmMs: number; bytes: number; containsSecrets: boolean; loadInProcessMs: number; methods: string[]; file: string }
  >;
}

/** Wall time of `node -e <code>` in a fresh process, ms. */
function spawnMs(code: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["-e", code], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node -e ${JSON.stringify(code)} failed: ${r.stderr}`);
  return ms;
}

/** In-process time printed by `node -e <code>` (the code prints a number of ms). */
function spawnReported(code: string): number {
  const out = execFileSync(process.execPath, ["-e", code], { cwd: ROOT, encoding: "utf8" });
  return Number(out.trim());
}

export async function benchOverhead(opts: { runs: number }): Promise<{ rows: Row[]; result: unknown }> {
  const dir = mkdtempSync(path.join(tmpdir(), "runlater-bench-"));
  try {
    const reports: ChildReport[] = [];
    for (let i = 0; i < opts.runs; i++) {
      const out = execFileSync(process.execPath, [path.join(ROOT, "bench", "overhead-child.js"), dir], { cwd: ROOT, encoding: "utf8" });
      reports.push(JSON.parse(out) as ChildReport);
    }
    const names = Object.keys(reports[0]!.providers);
    const baseline: number[] = [];
    const pulumiOnly: number[] = [];
    const withLib: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      baseline.push(spawnMs(""));
      pulumiOnly.push(spawnMs("require('@pulumi/pulumi')"));
      withLib.push(spawnMs("require('./dist/pulumi')"));
    }
    const loadCold: Record<string, number[]> = {};
    for (const name of names) {
      const file = reports[0]!.providers[name]!.file;
      loadCold[name] = [];
      for (let i = 0; i < opts.runs; i++) {
        loadCold[name].push(
          spawnReported(
            `const t=performance.now();const p=require('require-from-string')(require('fs').readFileSync(${JSON.stringify(file)},'utf8')).handler();if(typeof p.create!=='function')process.exit(2);process.stdout.write(String(performance.now()-t))`,
          ),
        );
      }
    }

    const rows: Row[] = [];
    const S = "Provider overhead";
    for (const name of names) {
      const bytes = reports[0]!.providers[name]!.bytes;
      const ser = median(reports.map((r) => r.providers[name]!.serializeMs));
      const secrets = reports.some((r) => r.providers[name]!.containsSecrets);
      rows.push(row(S, `${name}: serialized closure size`, fmtKb(bytes), "≤ 256 KiB, no secrets", bytes <= 256 * 1024 && !secrets, { bytes, containsSecrets: secrets }));
      rows.push(row(S, `${name}: serializeFunction (median)`, fmtMs(ser), "≤ 1 s", ser <= 1000, reports.map((r) => r.providers[name]!.serializeMs)));
      const cold = median(loadCold[name]!);
      rows.push(
        row(S, `${name}: cold load of serialized text`, fmtMs(cold), "≤ 250 ms (fresh process)", cold <= 250, loadCold[name]),
      );
    }
    const warm = median(reports.map((r) => r.serializerWarmupMs));
    rows.push(row(S, "serializer set-up (once per program)", fmtMs(warm), "(one-time, not per provider)", undefined, reports.map((r) => r.serializerWarmupMs)));
    const b = median(baseline);
    const p = median(pulumiOnly);
    const l = median(withLib);
    rows.push(row(S, "cold start: node -e \"\"", fmtMs(b), "(baseline)", undefined, baseline));
    rows.push(row(S, "cold start: require('@pulumi/pulumi')", fmtMs(p), "(reference)", undefined, pulumiOnly));
    rows.push(
      row(S, "cold start: require('./dist/pulumi')", `${fmtMs(l)} (+${fmtMs(Math.max(0, l - p))})`, "≤ pulumi + 250 ms", l - p <= 250, withLib),
    );
    return { rows, result: { reports, baseline, pulumiOnly, withLib, loadCold } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
