/**
 * `tofu|terraform validate` of the synthesized example stack, with providers from the offline
 * filesystem mirror that `scripts/install-engines` prepares
 * (`$HOME/.cache/runlater-iac/engines/<key>/env.sh` exports PATH and TF_CLI_CONFIG_FILE).
 * Without an engine the test prints `SKIPPED: <reason>` and passes: it never skips silently.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CORES, loadOn } from "./cores";

const ENGINES_DIR = process.env.RUNLATER_IAC_ENGINES_DIR || path.join(os.homedir(), ".cache", "runlater-iac", "engines");

interface Engine {
  /** `<key>/<binary>`, for messages. */
  label: string;
  binary: string;
  env: NodeJS.ProcessEnv;
}

/** Loads the variables an env.sh exports. */
function loadEnvSh(file: string): NodeJS.ProcessEnv | undefined {
  const dump = spawnSync("bash", ["-c", 'set -a; source "$1"; env -0', "bash", file], { encoding: "utf8" });
  if (dump.status !== 0) return undefined;
  const env: NodeJS.ProcessEnv = {};
  for (const kv of dump.stdout.split("\0")) {
    const i = kv.indexOf("=");
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

function which(binary: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    const p = path.join(dir, binary);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

function findEngines(): { engines: Engine[]; reason: string } {
  const engines: Engine[] = [];
  const keys = fs.existsSync(ENGINES_DIR) ? fs.readdirSync(ENGINES_DIR).sort() : [];
  for (const key of keys) {
    const file = path.join(ENGINES_DIR, key, "env.sh");
    if (!fs.existsSync(file)) continue;
    // Only an env.sh that sets up a provider mirror (scripts/engines/tofu.sh) can init offline.
    if (!fs.readFileSync(file, "utf8").includes("TF_CLI_CONFIG_FILE")) continue;
    const env = loadEnvSh(file);
    if (!env) continue;
    for (const name of ["tofu", "terraform"]) {
      const binary = which(name, env);
      if (binary) engines.push({ label: `${key}/${name}`, binary, env });
    }
  }
  if (engines.length > 0) return { engines, reason: "" };
  const onPath = ["tofu", "terraform"].map((b) => which(b, process.env)).filter(Boolean);
  const reason =
    onPath.length > 0
      ? `${onPath.join(", ")} on PATH, but no provider mirror (${ENGINES_DIR}/<key>/env.sh): magodo/restful and cloudflare/cloudflare cannot be installed offline; run scripts/install-engines`
      : `no tofu or terraform binary (PATH, or ${ENGINES_DIR}/<key>/env.sh from scripts/install-engines)`;
  return { engines, reason };
}

const found = findEngines();

describe.each(CORES)("validate the synthesized example stack [%s]", (coreName) => {
  if (found.engines.length === 0) {
    it("is skipped without an engine and a provider mirror", () => {
      console.log(`SKIPPED: [${coreName}] tofu/terraform validate: ${found.reason}`);
    });
    return;
  }

  it.each(found.engines.map((e) => [e.label, e] as const))("%s init + validate", (_label, engine) => {
    const l = loadOn(coreName);
    const app = l.core.Testing.app();
    new l.example.FailoverStack(app, "cdktf-failover", {
      ...l.example.configFromEnv({}),
      // Without the cloudflare provider in the mirror, validate the record-by-id variant.
      ...(engine.env.RUNLATER_TF_HAS_CLOUDFLARE === "1" ? {} : { recordId: "372e67954025e0ba6aaa6d586b9e0b59" }),
      runlaterApiUrl: "http://127.0.0.1:4010/api/v1",
      cloudflareApiUrl: "http://127.0.0.1:4010/client/v4",
      statePath: path.join(os.tmpdir(), "runlater-iac-validate.tfstate"),
    });
    const outdir = l.core.Testing.fullSynth(app.node.children[0] as InstanceType<typeof l.core.TerraformStack>);
    const dir = path.join(outdir, "stacks", "cdktf-failover");
    const env = { ...engine.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
    const run = (args: string[]) => spawnSync(engine.binary, args, { cwd: dir, env, encoding: "utf8", timeout: 120_000 });
    const init = run(["init", "-backend=false", "-input=false", "-no-color"]);
    expect({ status: init.status, out: init.status === 0 ? "" : `${init.stdout}\n${init.stderr}` }).toEqual({ status: 0, out: "" });
    const validate = run(["validate", "-json", "-no-color"]);
    const result = JSON.parse(validate.stdout || "{}");
    const problems = (result.diagnostics ?? []).map((d: { severity: string; summary: string; detail?: string }) => `${d.severity}: ${d.summary} ${d.detail ?? ""}`);
    expect({ valid: result.valid, problems }).toEqual({ valid: true, problems: expect.any(Array) });
    for (const p of problems) console.log(`${engine.label}: ${p}`);
  }, 180_000);
});
