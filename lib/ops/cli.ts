/**
 * The `drill` and `status` subcommands: argument parsing, progress and report printing. The
 * `commands` table in `lib/cli.ts` loads this lazily. Tests inject a clock (virtual time).
 */
import { type CliIo, CliUsageError } from "../cli";
import { RunlaterClient } from "../runlater/client";
import type { OpsClock } from "./clock";
import { type DrillEvent, type DrillReport, runDrill } from "./drill";
import { defaultJournalPath } from "./journal";
import { DEFAULT_BOUND_MS, failoverStatus, formatStatus, statusExitCode } from "./status";
import { DRILL_USAGE, STATUS_USAGE } from "./usage";

export { DRILL_USAGE, STATUS_USAGE } from "./usage";

/** What tests inject. */
export interface OpsCliDeps {
  clock?: OpsClock;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

type Spec = Record<string, "flag" | "value">;

function parse(args: string[], spec: Spec): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  const list = [...args];
  while (list.length > 0) {
    const arg = list.shift()!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const kind = flag === "-h" ? "flag" : spec[flag];
    if (!kind) throw new CliUsageError(`unknown option ${arg}`);
    if (kind === "flag") {
      if (eq > 0) throw new CliUsageError(`${flag} takes no value`);
      out[flag === "-h" ? "--help" : flag] = true;
      continue;
    }
    const v = eq > 0 ? arg.slice(eq + 1) : list.shift();
    if (v === undefined || v === "" || (eq < 0 && v.startsWith("--"))) throw new CliUsageError(`${flag} needs a value`);
    out[flag] = v;
  }
  return out;
}

function seconds(flag: string, v: string | true | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isFinite(n) && n >= min && n <= max)) throw new CliUsageError(`${flag} must be a number of seconds in ${min}..${max}, got ${String(v)}`);
  return Math.round(n * 1000);
}

function hostPort(flag: string, v: string | true | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(s);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new CliUsageError(`${flag} must look like HOST:PORT (e.g. 127.0.0.1:5353), got ${s}`);
  return s;
}

function clientFrom(o: Record<string, string | true>, env: NodeJS.ProcessEnv): RunlaterClient {
  const apiKey = env.RUNLATER_API_KEY;
  if (!apiKey || apiKey.trim() === "") throw new CliUsageError("RUNLATER_API_KEY is not set (the Runlater API key; it is never printed)");
  const baseUrl = typeof o["--api-url"] === "string" ? o["--api-url"] : env.RUNLATER_API_URL || undefined;
  try {
    return new RunlaterClient({ apiKey, baseUrl });
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** Prints one progress event. */
export function formatDrillEvent(e: DrillEvent): string {
  if (e.type === "note") return `[${secs(e.atMs).padStart(7)}] ${e.message}`;
  const s = e.step;
  return `[${secs(s.atMs + s.durationMs).padStart(7)}] ${s.ok ? "✓" : "✗"} ${s.name}  (${secs(s.durationMs)})${s.detail ? `  ${s.detail}` : ""}`;
}

/** The verdict line of a drill. */
export function formatDrillVerdict(r: DrillReport): string {
  const what = `${r.mode} drill of "${r.name ?? r.taskId}"`;
  if (r.verdict === "passed") return `PASSED: ${what} in ${secs(r.totalMs)}; everything is back as it was`;
  if (r.verdict === "refused") return `REFUSED: ${what}: ${r.reason} (nothing was changed)`;
  return `FAILED: ${what} after ${secs(r.totalMs)}: ${r.reason}${r.restored ? "; everything the drill changed is back" : "; NOT everything could be put back (see above)"}`;
}

/** `runlater-iac drill`. Exit codes: 0 passed, 1 failed, 2 usage, 3 refused. */
export async function runDrillCommand(args: string[], io: CliIo, signal?: AbortSignal, deps: OpsCliDeps = {}): Promise<number> {
  const o = parse(args, {
    "--task": "value",
    "--full": "flag",
    "--resolver": "value",
    "--name": "value",
    "--force": "flag",
    "--timeout": "value",
    "--poll": "value",
    "--fail-url": "value",
    "--journal": "value",
    "--api-url": "value",
    "--json": "flag",
    "--help": "flag",
  });
  if (o["--help"]) {
    io.out(DRILL_USAGE);
    return 0;
  }
  if (typeof o["--task"] !== "string") throw new CliUsageError("--task ID is required (the failover's health-check task id)");
  const full = o["--full"] === true;
  if (o["--fail-url"] !== undefined && !full) throw new CliUsageError("--fail-url needs --full");
  if (typeof o["--fail-url"] === "string" && !/^https?:\/\/[^/]/.test(o["--fail-url"])) throw new CliUsageError("--fail-url must be an absolute http(s) URL");
  const resolver = hostPort("--resolver", o["--resolver"]);
  const stepTimeoutMs = seconds("--timeout", o["--timeout"], 1, 86_400);
  const pollMs = seconds("--poll", o["--poll"], 0.01, 3600);
  const env = deps.env ?? process.env;
  const client = clientFrom(o, env);
  const json = o["--json"] === true;
  const progress = json ? io.err.bind(io) : io.out.bind(io);
  // Ctrl-C stops the waiting; the drill still puts everything back before it returns.
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  if (signal) signal.addEventListener("abort", onSignal, { once: true });
  else {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }
  try {
    const r = await runDrill({
      client,
      taskId: o["--task"],
      mode: full ? "full" : "endpoint",
      resolver,
      fqdn: typeof o["--name"] === "string" ? o["--name"] : undefined,
      force: o["--force"] === true,
      journalPath: typeof o["--journal"] === "string" ? o["--journal"] : defaultJournalPath(env),
      stepTimeoutMs,
      pollMs,
      failUrl: typeof o["--fail-url"] === "string" ? o["--fail-url"] : undefined,
      clock: deps.clock,
      fetch: deps.fetch,
      signal: ac.signal,
      onProgress: (e) => progress(formatDrillEvent(e)),
    });
    if (json) io.out(JSON.stringify(r, null, 2));
    else io.out(formatDrillVerdict(r));
    return r.verdict === "passed" ? 0 : r.verdict === "refused" ? 3 : 1;
  } finally {
    if (signal) signal.removeEventListener("abort", onSignal);
    else {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
}

/** `runlater-iac status`. Exit codes: 0 fine, 1 inconsistent, 2 misconfigured/usage, 3 API unreadable. */
export async function runStatusCommand(args: string[], io: CliIo, _signal?: AbortSignal, deps: OpsCliDeps = {}): Promise<number> {
  const o = parse(args, {
    "--task": "value",
    "--bound": "value",
    "--primary": "value",
    "--resolver": "value",
    "--executions": "value",
    "--api-url": "value",
    "--json": "flag",
    "--help": "flag",
  });
  if (o["--help"]) {
    io.out(STATUS_USAGE);
    return 0;
  }
  const executions = o["--executions"] === undefined ? undefined : Number(o["--executions"]);
  if (executions !== undefined && !(Number.isInteger(executions) && executions >= 1 && executions <= 100)) throw new CliUsageError("--executions must be an integer 1..100");
  const boundMs = seconds("--bound", o["--bound"], 0, 86_400) ?? DEFAULT_BOUND_MS;
  const resolver = hostPort("--resolver", o["--resolver"]);
  const client = clientFrom(o, deps.env ?? process.env);
  const opts = {
    client,
    taskId: typeof o["--task"] === "string" ? o["--task"] : undefined,
    primary: typeof o["--primary"] === "string" ? o["--primary"] : undefined,
    boundMs,
    resolver,
    executions,
    clock: deps.clock,
    fetch: deps.fetch,
  };
  let statuses: Awaited<ReturnType<typeof failoverStatus>>;
  try {
    statuses = await failoverStatus(opts);
  } catch (e) {
    io.err(`runlater-iac status: cannot read the failover${opts.taskId ? "" : "s"}: ${(e as Error).message}`);
    return 3;
  }
  if (o["--json"]) io.out(JSON.stringify({ boundMs: opts.boundMs, failovers: statuses, exitCode: statusExitCode(statuses) }, null, 2));
  else for (const line of formatStatus(statuses)) io.out(line);
  return statusExitCode(statuses);
}
