/**
 * Scale with the real engines (`npm run bench -- --scale-engines`): N DnsFailovers (default N =
 * 10 and 100), each on its own Cloudflare record seeded in the embedded emulator.
 *
 * - Pulumi: the CLI built by scripts/install-engines runs `up`, `preview`, `refresh`, `destroy`
 *   of a JavaScript program in a throwaway project that has the packed tarball installed (what
 *   a user's `npm install runlater-iac` gives), on a file backend.
 * - OpenTofu: a CDKTF stack of N failovers synthesized with cdktf, then `tofu apply` and a no-op
 *   `tofu plan` with the magodo/restful provider.
 *
 * Per operation: wall time, Runlater API calls; per N: state bytes per failover (the stack's
 * checkpoint / terraform.tfstate as stored, and where the bytes of one failover go); and the
 * growth N=100 : N=10 of each wall time (10 = linear). Engines that are not installed are skipped
 * with the reason printed. Not part of the default run (minutes, and it needs the engines).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Emulator, startEmulator } from "../lib/emulator";
import { cleanup as cleanupProjects, project } from "../test/packaging/support";
import { pulumiStack, sh } from "../test/support/engine-run";
import { fmtKb, fmtMs, type Row, row } from "./support";

const ROOT = path.join(__dirname, "..");
const API_KEY = "pk_bench_engines.sk_bench_engines_0123456789abcdef";
// The Cloudflare Terraform provider insists on 40-character tokens; the same token for both.
const CF_TOKEN = "cfBenchEnginesToken0123456789abcdefABCDE";
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";
const S = "engines";

/** One engine operation at one N. */
export interface OpResult {
  ms: number;
  /** Runlater API requests the emulator received (GET/POST/PATCH/DELETE under /api/v1). */
  calls: number;
  /** By method. */
  byMethod: Record<string, number>;
}

/** Where the stored bytes of one failover's resources go (compact JSON, as the file backend writes). */
export type StateBreakdown = Record<string, number>;

export interface EngineSizeResult {
  n: number;
  ops: Record<string, OpResult>;
  /** Bytes of the stored state after the first apply/up. */
  stateBytes: number;
  /** Bytes of state attributed to one failover (its resources), averaged over all N. */
  perFailoverBytes: number;
  /** Pulumi: bytes per field of one failover's resources. */
  breakdown?: StateBreakdown;
  /** Pulumi: the `DnsFailover.resources` layout measured. */
  resources?: "per-object" | "compact";
  /** Resources in state per failover. */
  resourcesPerFailover?: number;
  /** Pulumi: the stored resources of the first failover (secrets are ciphertext), for inspection. */
  sample?: Record<string, unknown>[];
}

export interface EnginesResult {
  pulumi?: EngineSizeResult[];
  tofu?: EngineSizeResult[];
  skipped: string[];
  env: { node: string; pulumiCli?: string; pulumiSdk: string; tofu?: string; skipCheckpoints?: boolean };
}

/** Runlater API requests since the last reset, by method. */
function runlaterCalls(emu: Emulator): { calls: number; byMethod: Record<string, number> } {
  const byMethod: Record<string, number> = {};
  let calls = 0;
  for (const [k, v] of Object.entries(emu.stats().requests.byMethodPath)) {
    if (!/ \/api\/v1\//.test(k)) continue;
    const m = k.split(" ")[0]!;
    byMethod[m] = (byMethod[m] ?? 0) + v;
    calls += v;
  }
  return { calls, byMethod };
}

async function timed(emu: Emulator, fn: () => Promise<unknown>): Promise<OpResult> {
  emu.resetStats();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  return { ms, ...runlaterCalls(emu) };
}

/** Seeds N A records in one zone; returns the zone id and the record ids. */
function seedRecords(emu: Emulator, n: number): { zoneId: string; recordIds: string[] } {
  const cf = emu.dns("cloudflare");
  const zoneId = cf.getZone("example.com")?.id ?? cf.addZone({ name: "example.com" });
  const recordIds = Array.from({ length: n }, (_, i) => cf.addRecord(zoneId, { name: `r${i}-${n}.example.com`, type: "A", content: PRIMARY, ttl: 60, proxied: false }));
  return { zoneId, recordIds };
}

/** The size of each top-level field (and of `__provider` and secrets inside inputs/outputs) over `resources`, compact JSON. */
export function stateBreakdown(resources: Record<string, unknown>[]): StateBreakdown {
  const out: StateBreakdown = {};
  const add = (k: string, n: number) => {
    out[k] = (out[k] ?? 0) + n;
  };
  const SECRET = "4dabf18193072939515e22adb298388d";
  for (const r of resources) {
    add("(whole resource)", Buffer.byteLength(JSON.stringify(r)) + 1);
    for (const [k, v] of Object.entries(r)) {
      const bytes = Buffer.byteLength(JSON.stringify(v)) + k.length + 4;
      if (k === "inputs" || k === "outputs") {
        let rest = bytes;
        for (const [pk, pv] of Object.entries(v as Record<string, unknown>)) {
          const b = Buffer.byteLength(JSON.stringify(pv)) + pk.length + 4;
          const kind = pk === "__provider" ? "__provider" : JSON.stringify(pv).includes(SECRET) ? "secrets (ciphertext)" : pk === "idempotencyScope" ? "idempotencyScope" : undefined;
          if (kind) {
            add(`${k}: ${kind}`, b);
            rest -= b;
          }
        }
        add(`${k}: other values`, rest);
      } else {
        add(k, bytes);
      }
    }
  }
  return out;
}

/** Pulumi: up, preview (no changes), refresh, destroy of N failovers. */
async function benchPulumi(emu: Emulator, sizes: number[], log: (s: string) => void, extraEnv: Record<string, string>, resources: "per-object" | "compact"): Promise<EngineSizeResult[]> {
  const results: EngineSizeResult[] = [];
  const proj = project("{}", ["@pulumi/pulumi", "dependencies"]);
  proj.write("Pulumi.yaml", "name: rl-scale\nruntime: nodejs\nmain: index.js\n");
  proj.write(
    "index.js",
    `const pulumi = require("@pulumi/pulumi");
const { DnsFailover } = require("runlater-iac/pulumi");
const cfg = new pulumi.Config();
const records = JSON.parse(cfg.require("records"));
const token = cfg.requireSecret("cloudflareApiToken");
records.forEach((recordId, i) => {
  new DnsFailover("f" + i, {
    healthCheck: { url: cfg.require("healthUrl") },
    primary: ${JSON.stringify(PRIMARY)},
    backup: ${JSON.stringify(BACKUP)},
    record: { zoneId: cfg.require("zoneId"), recordId, name: "r" + i + ".example.com", ttl: 60 },
    cloudflare: { apiToken: token, apiBaseUrl: cfg.require("cloudflareApiUrl") },
    resources: cfg.require("resources"),
  });
});
`,
  );
  for (const n of sizes) {
    const { zoneId, recordIds } = seedRecords(emu, n);
    const stackName = `n${n}-${resources}`;
    const b = await pulumiStack(proj.dir, stackName, {
      resources: { value: resources },
      "runlater:apiKey": { value: API_KEY, secret: true },
      "runlater:apiUrl": { value: emu.runlaterApiUrl },
      "runlater:allowPrivateTargets": { value: "true" },
      healthUrl: { value: emu.target("primary").url },
      zoneId: { value: zoneId },
      records: { value: JSON.stringify(recordIds) },
      cloudflareApiToken: { value: CF_TOKEN, secret: true },
      cloudflareApiUrl: { value: emu.cloudflareApiUrl },
    }, extraEnv);
    try {
      const ops: Record<string, OpResult> = {};
      log(`bench: engines: pulumi (${resources}) up N=${n} …`);
      ops.up = await timed(emu, async () => {
        const r = await b.stack.up({ parallel: 10 });
        if (r.summary.result !== "succeeded") throw new Error(`pulumi up N=${n}: ${r.summary.result}`);
      });
      const file = b.checkpointFile();
      if (!file) throw new Error("no checkpoint file in the backend");
      const stateBytes = fs.statSync(file).size;
      const chk = JSON.parse(fs.readFileSync(file, "utf8")) as { checkpoint: { latest: { resources: Record<string, unknown>[] } } };
      const inState = chk.checkpoint.latest.resources;
      const ofFailover = (i: number) => inState.filter((r) => new RegExp(`::f${i}(-[a-z0-9-]+)?$`).test(String(r.urn)));
      const all = Array.from({ length: n }, (_, i) => ofFailover(i)).flat();
      const perFailoverBytes = all.reduce((s, r) => s + Buffer.byteLength(JSON.stringify(r)) + 1, 0) / n;
      const one = stateBreakdown(ofFailover(0));
      log(`bench: engines: pulumi (${resources}) preview / refresh / destroy N=${n} …`);
      ops.preview = await timed(emu, async () => {
        const r = await b.stack.preview({ parallel: 10 });
        const changed = Object.entries(r.changeSummary).filter(([k, v]) => k !== "same" && v > 0);
        if (changed.length > 0) throw new Error(`pulumi preview N=${n} after up wants changes: ${JSON.stringify(r.changeSummary)}`);
      });
      ops.refresh = await timed(emu, () => b.stack.refresh({ parallel: 10 }));
      ops.destroy = await timed(emu, async () => {
        const r = await b.stack.destroy({ parallel: 10 });
        if (r.summary.result !== "succeeded") throw new Error(`pulumi destroy N=${n}: ${r.summary.result}`);
      });
      const left = emu.stats().objects.total;
      if (left !== 0) throw new Error(`pulumi destroy N=${n} left ${left} Runlater objects`);
      results.push({ n, ops, stateBytes, perFailoverBytes, breakdown: one, resourcesPerFailover: ofFailover(0).length, sample: ofFailover(0) });
      await b.stack.workspace.removeStack(stackName);
    } finally {
      b.remove();
    }
  }
  return results;
}

/** OpenTofu: a CDKTF stack of N failovers (records managed elsewhere), apply and a no-op plan. */
async function benchTofu(emu: Emulator, tofu: string, sizes: number[], log: (s: string) => void): Promise<EngineSizeResult[]> {
  const results: EngineSizeResult[] = [];
  for (const n of sizes) {
    const { zoneId, recordIds } = seedRecords(emu, n);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rl-tofu-scale-"));
    try {
      const statePath = path.join(tmp, "terraform.tfstate");
      const script = path.join(tmp, "synth.js");
      fs.writeFileSync(
        script,
        `const { App, LocalBackend, TerraformStack, TerraformVariable } = require(${JSON.stringify(require.resolve("cdktf"))});
const { DnsFailover, RestfulProvider } = require(${JSON.stringify(path.join(ROOT, "dist", "cdktf"))});
const app = new App({ outdir: ${JSON.stringify(path.join(tmp, "out"))} });
const stack = new TerraformStack(app, "scale");
new LocalBackend(stack, { path: ${JSON.stringify(statePath)} });
new RestfulProvider(stack, "runlater", { baseUrl: ${JSON.stringify(emu.runlaterApiUrl)} });
const token = new TerraformVariable(stack, "cloudflare_api_token", { type: "string", sensitive: true, nullable: false });
${JSON.stringify(recordIds)}.forEach((recordId, i) => {
  new DnsFailover(stack, "f" + i, {
    healthCheck: { url: ${JSON.stringify(emu.target("primary").url)} },
    primary: ${JSON.stringify(PRIMARY)},
    backup: ${JSON.stringify(BACKUP)},
    dns: { provider: "cloudflare", zoneId: ${JSON.stringify(zoneId)}, recordId, name: "r" + i + ".example.com", type: "A", ttl: 60, apiToken: token.stringValue, apiBaseUrl: ${JSON.stringify(emu.cloudflareApiUrl)} },
  });
});
app.synth();
`,
      );
      const env = { ...process.env, RUNLATER_ALLOW_PRIVATE_TARGETS: "true", RUNLATER_CDKTF_CORE: "cdktf" };
      const synth = await sh(process.execPath, [script], { cwd: ROOT, env });
      if (synth.status !== 0) throw new Error(`cdktf synth N=${n} failed:\n${synth.out}`);
      const stackDir = path.join(tmp, "out", "stacks", "scale");
      const tfEnv = { ...process.env, TF_VAR_runlater_api_key: API_KEY, TF_VAR_cloudflare_api_token: CF_TOKEN, TF_IN_AUTOMATION: "1" };
      const run = async (...args: string[]) => {
        const r = await sh(tofu, args, { cwd: stackDir, env: tfEnv });
        if (r.status !== 0 && !(args[0] === "plan" && r.status === 2)) throw new Error(`tofu ${args.join(" ")} N=${n} failed:\n${r.out.slice(-4000)}`);
        return r;
      };
      await run("init", "-input=false", "-no-color");
      const ops: Record<string, OpResult> = {};
      log(`bench: engines: tofu apply N=${n} …`);
      ops.apply = await timed(emu, () => run("apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10"));
      log(`bench: engines: tofu plan N=${n} …`);
      ops.plan = await timed(emu, async () => {
        const r = await run("plan", "-detailed-exitcode", "-input=false", "-no-color", "-parallelism=10");
        if (r.status !== 0) throw new Error(`tofu plan N=${n} after apply is not empty:\n${r.out.slice(-4000)}`);
      });
      const stateBytes = fs.statSync(statePath).size;
      const state = JSON.parse(fs.readFileSync(statePath, "utf8")) as { resources: { module?: string; name: string }[] };
      ops.destroy = await timed(emu, () => run("destroy", "-auto-approve", "-input=false", "-no-color", "-parallelism=10"));
      results.push({ n, ops, stateBytes, perFailoverBytes: stateBytes / n, resourcesPerFailover: state.resources.length / n });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return results;
}

function growthRows(engine: string, rs: EngineSizeResult[]): Row[] {
  const rows: Row[] = [];
  const goal = engine === "pulumi (compact)";
  for (const r of rs) {
    for (const [op, o] of Object.entries(r.ops)) {
      rows.push(row(S, `${engine} N=${r.n} ${op}`, `${fmtMs(o.ms)}, ${o.calls} calls`, `${(o.calls / r.n).toFixed(1)} calls per failover`, undefined, o));
    }
    rows.push(
      row(
        S,
        `${engine} N=${r.n} state per failover`,
        fmtKb(r.perFailoverBytes),
        `${goal ? "≤ 10 KiB; " : ""}whole state ${fmtKb(r.stateBytes)}${r.resourcesPerFailover ? `, ${r.resourcesPerFailover.toFixed(0)} resources per failover` : ""}`,
        // The goal is the default layout's (compact); per-object and tofu are measured for comparison.
        goal ? r.perFailoverBytes <= 10 * 1024 : undefined,
        { perFailoverBytes: r.perFailoverBytes, stateBytes: r.stateBytes },
      ),
    );
  }
  const a = rs.find((r) => r.n === Math.min(...rs.map((x) => x.n)));
  const b = rs.find((r) => r.n === Math.max(...rs.map((x) => x.n)));
  if (a && b && a !== b) {
    for (const op of Object.keys(a.ops)) {
      const ratio = b.ops[op]!.ms / a.ops[op]!.ms;
      rows.push(row(S, `${engine} ${op} wall time N=${b.n} : N=${a.n}`, `${ratio.toFixed(1)}×`, `${b.n / a.n}× = linear`, undefined, { ratio }));
    }
  }
  return rows;
}

/** Runs the engine scale bench; engines that are missing are skipped with the reason. */
export async function benchEngines(opts: {
  sizes?: number[];
  log: (s: string) => void;
  skipCheckpoints?: boolean;
  /** `DnsFailover.resources` layouts to measure. @default both */
  pulumiResources?: readonly ("per-object" | "compact")[];
}): Promise<{ rows: Row[]; result: EnginesResult }> {
  const sizes = opts.sizes ?? [10, 100];
  const skipped: string[] = [];
  const pulumiCli = process.env.RUNLATER_PULUMI_CLI;
  const tofu = process.env.RUNLATER_TOFU;
  const result: EnginesResult = {
    skipped,
    env: { node: process.version, pulumiCli, pulumiSdk: require("@pulumi/pulumi/package.json").version, tofu, skipCheckpoints: opts.skipCheckpoints },
  };
  if (!pulumiCli) skipped.push("pulumi: RUNLATER_PULUMI_CLI is not set (source ~/.cache/runlater-iac/engines/env.sh after scripts/install-engines)");
  if (!tofu) skipped.push("tofu: RUNLATER_TOFU is not set (source ~/.cache/runlater-iac/engines/env.sh after scripts/install-engines)");
  if (pulumiCli) process.env.PATH = `${path.dirname(pulumiCli)}${path.delimiter}${process.env.PATH ?? ""}`;
  const rows: Row[] = [];
  const emu = await startEmulator({ apiKeys: [API_KEY], allowPrivateTargets: true, rateLimit: false, dns: { cloudflare: { tokens: [CF_TOKEN] } } });
  emu.target("primary").set("ok");
  try {
    if (pulumiCli) {
      result.pulumi = [];
      for (const layout of opts.pulumiResources ?? (["per-object", "compact"] as const)) {
        const rs = await benchPulumi(emu, sizes, opts.log, opts.skipCheckpoints ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {}, layout);
        result.pulumi.push(...rs.map((r) => ({ ...r, resources: layout })));
        const engine = `pulumi (${layout})`;
        rows.push(...growthRows(engine, rs));
        const first = rs[0]!;
        for (const [k, v] of Object.entries(first.breakdown ?? {}).sort((x, y) => y[1] - x[1])) {
          rows.push(row(S, `${engine} state of one failover: ${k}`, fmtKb(v), `${first.resourcesPerFailover} resources`, undefined, v));
        }
      }
    }
    if (tofu) {
      result.tofu = await benchTofu(emu, tofu, sizes, opts.log);
      rows.push(...growthRows("tofu", result.tofu));
    }
  } finally {
    await emu.close();
    cleanupProjects();
  }
  for (const s of skipped) rows.push(row(S, "SKIPPED", s.split(":")[0]!, s, undefined));
  return { rows, result };
}
