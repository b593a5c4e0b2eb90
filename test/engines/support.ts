/**
 * Helpers shared by the real-engine suites (test/engines/*.test.ts): running a CLI without
 * blocking the event loop (the emulator serves it from the test process), finding the objects a
 * failover made on the emulator, counting Runlater writes, a Pulumi stack on a file backend with
 * a temporary PULUMI_HOME, and searching text for secret markers.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import type { Emulator } from "../../lib/emulator";
import { pulumiEnv } from "../support/engine-run";

export { PULUMI_PASSPHRASE, type ShResult, sh } from "../support/engine-run";

/** The package root (this checkout). */
export const ROOT = path.resolve(__dirname, "../..");
/** One minute in milliseconds (emulator time). */
export const MINUTE = 60_000;

/**
 * The health-check task of a failover (the converge wiring also has a pulse task). Objects are
 * named `<failover name> <part>`; without `failover` the only health task there is.
 */
export function healthTask(emu: Pick<Emulator, "tasks">, failover?: string): Record<string, unknown> {
  const all = emu.tasks().filter((x) => String(x.name).endsWith(" health") && (failover === undefined || String(x.name) === `${failover} health`));
  if (all.length !== 1) throw new Error(`expected one health task${failover ? ` of ${failover}` : ""}, found ${all.length}`);
  return all[0]!;
}

/** The Runlater objects (tasks, endpoints, monitors) whose name starts with `<failover> `, by kind. */
export function objectsOf(emu: Pick<Emulator, "tasks" | "endpoints" | "monitors">, failover: string): { tasks: number; endpoints: number; monitors: number; total: number } {
  const mine = (xs: Record<string, unknown>[]) => xs.filter((x) => String(x.name).startsWith(`${failover} `)).length;
  const tasks = mine(emu.tasks());
  const endpoints = mine(emu.endpoints());
  const monitors = mine(emu.monitors());
  return { tasks, endpoints, monitors, total: tasks + endpoints + monitors };
}

/** Runlater API writes (POST/PUT/PATCH/DELETE under /api/v1) since the last `resetStats()`. */
export function runlaterWrites(emu: Pick<Emulator, "stats">): number {
  return Object.entries(emu.stats().requests.byMethodPath)
    .filter(([k]) => /^(POST|PUT|PATCH|DELETE) \/api\/v1\//.test(k))
    .reduce((n, [, v]) => n + v, 0);
}

/** Every file under `dir` (recursively). */
export function filesUnder(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(dir);
  return files;
}

/** `"<label>: <marker…>"` for every marker found in a text: `[]` when none leaked. */
export function leaks(texts: { label: string; text: string }[], markers: Record<string, string>): string[] {
  return texts.flatMap(({ label, text }) =>
    Object.entries(markers)
      .filter(([, m]) => text.includes(m))
      .map(([name]) => `${label}: ${name}`),
  );
}

/** A Pulumi stack on a file backend in a temporary directory, with its own PULUMI_HOME. */
export interface PulumiTestStack {
  stack: Stack;
  /** The file backend's directory. */
  backend: string;
  /** Environment for running the `pulumi` CLI directly on this stack (backend, home, passphrase). */
  env: NodeJS.ProcessEnv;
  /** Removes the backend and home directories. */
  cleanup(): void;
}

/** Creates (or selects) stack `stackName` of the project in `workDir`. */
export async function pulumiStack(workDir: string, stackName = "e2e"): Promise<PulumiTestStack> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "rl-pulumi-home-"));
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "rl-pulumi-state-"));
  const envVars = pulumiEnv(backend);
  const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir }, { pulumiHome: home, envVars });
  return {
    stack,
    backend,
    env: { ...process.env, ...envVars, PULUMI_HOME: home },
    cleanup() {
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(backend, { recursive: true, force: true });
    },
  };
}
