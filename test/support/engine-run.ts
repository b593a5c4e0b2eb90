/**
 * Running the real engines from tests and benchmarks: a child process that does not block the
 * event loop (the emulator serving it lives in the same process), and a Pulumi stack on a
 * temporary file backend with a temporary PULUMI_HOME and passphrase secrets (the settings of
 * test/engines/pulumi-e2e.test.ts). Every directory made here is removed by the returned
 * `remove()` / {@link PulumiBench.remove}.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type ConfigMap, LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";

/** What {@link sh} returns: the exit code and stdout and stderr interleaved. */
export interface ShResult {
  status: number;
  out: string;
}

/** Runs a command without blocking the event loop (the emulator serves it from this process). */
export function sh(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<ShResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ status: code ?? -1, out }));
  });
}

/** A Pulumi stack on a temporary file backend. */
export interface PulumiBench {
  stack: Stack;
  /** The backend directory (`file://` URL target). */
  backend: string;
  /** The checkpoint file of the stack as stored (compact JSON), or undefined before the first update. */
  checkpointFile(): string | undefined;
  /** Removes PULUMI_HOME and the backend. */
  remove(): void;
}

/** Passphrase of the test and bench stacks' secrets provider. */
export const PULUMI_PASSPHRASE = "runlater-engines-passphrase";

/** The environment the Pulumi CLI runs with: file backend, passphrase, no update checks or plugin downloads. */
export function pulumiEnv(backend: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: PULUMI_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    ...extra,
  };
}

/** Creates stack `stackName` for the program in `workDir` (its Pulumi.yaml names the project) and sets `config`. */
export async function pulumiStack(workDir: string, stackName: string, config: ConfigMap, extraEnv: Record<string, string> = {}): Promise<PulumiBench> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "rl-pulumi-home-"));
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "rl-pulumi-state-"));
  const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir }, { pulumiHome: home, envVars: pulumiEnv(backend, extraEnv) });
  await stack.setAllConfig(config);
  const stacksDir = path.join(backend, ".pulumi", "stacks");
  return {
    stack,
    backend,
    checkpointFile() {
      const found: string[] = [];
      const walk = (d: string) => {
        if (!fs.existsSync(d)) return;
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.name === `${stackName}.json`) found.push(p);
        }
      };
      walk(stacksDir);
      return found[0];
    },
    remove() {
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(backend, { recursive: true, force: true });
    },
  };
}
