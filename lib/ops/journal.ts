/**
 * The drill journal: what a running drill must put back, written BEFORE it changes anything and
 * removed once everything is back. A drill that finds a journal at start (a previous drill was
 * killed, crashed or lost its network) repairs first. One file, mode 0600, written atomically
 * (temp file + rename). It holds ids and the health check's original URL, never an API key, a
 * DNS credential or an inbound (capability) URL.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** Version of the journal format. */
export const JOURNAL_VERSION = 1;

/** What an interrupted drill leaves to repair. */
export interface DrillJournal {
  version: typeof JOURNAL_VERSION;
  /** `endpoint`: the record may be left on the backup. `full`: the health check's URL may be left on the failing URL. */
  mode: "endpoint" | "full";
  /** Failover base name (for messages). */
  name: string;
  /** Health-check task id. */
  taskId: string;
  /** Id of the endpoint `on_recovery_url` names (the recovery endpoint, or the restore fan-out with several): triggered on repair to put the primary back (endpoint drill). */
  recoveryEndpointId?: string;
  /** Full drill: the health check's URL before the drill (restored on repair). */
  originalUrl?: string;
  /** Full drill: the URL the drill sets (a repair restores only when the task still has it, or `originalUrl`). */
  drillUrl?: string;
  /** Wall-clock instant the drill started, ISO-8601. */
  startedAt: string;
  /** Process id of the drill that wrote it (for messages). */
  pid: number;
}

/**
 * Default journal path: `$XDG_STATE_HOME/runlater-iac/drill-journal.json`, or
 * `~/.local/state/runlater-iac/drill-journal.json`.
 */
export function defaultJournalPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.trim() !== "" ? env.XDG_STATE_HOME : join(homedir(), ".local", "state");
  return join(base, "runlater-iac", "drill-journal.json");
}

/** Writes the journal atomically with mode 0600 (directory 0700, created when missing). */
export function writeJournal(path: string, j: DrillJournal): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(j, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Reads the journal; `undefined` when there is none. Throws on an unreadable or foreign file. */
export function readJournal(path: string): DrillJournal | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`cannot read drill journal ${path}: ${(e as Error).message}`);
  }
  let j: DrillJournal;
  try {
    j = JSON.parse(text) as DrillJournal;
  } catch {
    throw new Error(`drill journal ${path} is not JSON: fix or remove it`);
  }
  if (!j || j.version !== JOURNAL_VERSION || typeof j.taskId !== "string" || (j.mode !== "endpoint" && j.mode !== "full")) {
    throw new Error(`drill journal ${path} has an unknown format: fix or remove it`);
  }
  return j;
}

/** Removes the journal (no error when absent). */
export function clearJournal(path: string): void {
  rmSync(path, { force: true });
}
