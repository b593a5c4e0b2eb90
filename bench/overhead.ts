/**
 * Provider overhead: what each dynamic resource stores in state as `__provider` (the provider
 * shim, vs. the serialized closure `pulumi.dynamic.Resource` would store), and cold-start costs
 * measured in fresh Node processes: loading the package, and the provider process loading the
 * implementation through the shim (`requireFromString(text).handler()`).
 *
 * Time budgets are ratios to `require("@pulumi/pulumi")` measured in the same run (interleaved
 * samples), so they hold on a loaded machine; absolute times are information. Sizes are exact.
 * The budgets are this project's, not Pulumi's.
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
  providers: Record<string, { shimBytes: number; shimHasSecrets: boolean; closureBytes: number; closureSerializeMs: number; file: string }>;
}

/** Wall time of `node -e <code>` in a fresh process, ms. */
function spawnMs(code: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["-e", code], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node -e ${JSON.stringify(code)} failed: ${r.stderr}`);
  return ms;
}

/** Numbers printed (JSON) by `node -e <code>` in a fresh process. */
function spawnReported<T>(code: string): T {
  return JSON.parse(execFileSync(process.execPath, ["-e", code], { cwd: ROOT, encoding: "utf8" })) as T;
}

const ratio = (x: number) => `${x.toFixed(2)}×`;

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
    // The provider process has @pulumi/pulumi loaded when it deserializes a provider; time the
    // shim's load of the implementation against that load, in the same fresh process.
    const load: Record<string, { shimMs: number; pulumiMs: number }[]> = {};
    for (const name of names) {
      const file = reports[0]!.providers[name]!.file;
      load[name] = [];
      for (let i = 0; i < opts.runs; i++) {
        load[name].push(
          spawnReported(
            `const t0=performance.now();require('@pulumi/pulumi');const t1=performance.now();const p=require('require-from-string')(require('fs').readFileSync(${JSON.stringify(file)},'utf8')).handler();const t2=performance.now();if(typeof p.create!=='function')process.exit(2);process.stdout.write(JSON.stringify({pulumiMs:t1-t0,shimMs:t2-t1}))`,
          ),
        );
      }
    }

    const rows: Row[] = [];
    const S = "Provider overhead";
    for (const name of names) {
      const pr = reports[0]!.providers[name]!;
      const secrets = reports.some((r) => r.providers[name]!.shimHasSecrets);
      rows.push(
        row(
          S,
          `${name}: __provider in state (shim)`,
          `${pr.shimBytes} B (${((100 * pr.shimBytes) / pr.closureBytes).toFixed(1)} % of the closure)`,
          "≤ 2 KiB, no secrets (twice per resource)",
          pr.shimBytes <= 2048 && !secrets,
          { shimBytes: pr.shimBytes, closureBytes: pr.closureBytes, containsSecrets: secrets },
        ),
      );
      const ser = median(reports.map((r) => r.providers[name]!.closureSerializeMs));
      rows.push(
        row(S, `${name}: closure dynamic.Resource would store`, `${fmtKb(pr.closureBytes)}, serialized in ${fmtMs(ser)}`, "(comparison, not stored)", undefined, {
          bytes: pr.closureBytes,
          serializeMs: reports.map((r) => r.providers[name]!.closureSerializeMs),
        }),
      );
      const shim = median(load[name]!.map((x) => x.shimMs));
      const pul = median(load[name]!.map((x) => x.pulumiMs));
      const q = median(load[name]!.map((x) => x.shimMs / x.pulumiMs));
      rows.push(
        row(
          S,
          `${name}: provider load via the shim (fresh process)`,
          `${ratio(q)} (${fmtMs(shim)} vs ${fmtMs(pul)})`,
          "≤ 0.5× require('@pulumi/pulumi'), same process",
          q <= 0.5,
          load[name],
        ),
      );
    }
    const b = median(baseline);
    const p = median(pulumiOnly);
    const l = median(withLib);
    // Per run: (lib − pulumi) / (pulumi − node), the package's own cost relative to Pulumi's.
    const added = median(pulumiOnly.map((pv, i) => (withLib[i]! - pv) / Math.max(1, pv - baseline[i]!)));
    rows.push(row(S, "cold start: node -e \"\"", fmtMs(b), "(info)", undefined, baseline));
    rows.push(row(S, "cold start: require('@pulumi/pulumi')", fmtMs(p), "(info, the reference)", undefined, pulumiOnly));
    rows.push(
      row(
        S,
        "cold start: require('./dist/pulumi') on top",
        `+${ratio(Math.max(0, added))} (${fmtMs(l)}, +${fmtMs(Math.max(0, l - p))})`,
        "≤ +0.5× pulumi's own load, same run",
        added <= 0.5,
        withLib,
      ),
    );
    return { rows, result: { reports, baseline, pulumiOnly, withLib, load } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
