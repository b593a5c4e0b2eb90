/**
 * The emulator's state file, written so that an acknowledged write survives `kill -9` and a
 * power cut:
 *
 * - every save writes the whole snapshot to `<file>.<pid>.<n>.tmp` (created `0600`, exclusive),
 *   `fsync`s it, renames it over `<file>` and `fsync`s the directory, so `<file>` always holds
 *   one complete snapshot, old or new;
 * - {@link DurableStateFile.flush} resolves once a save that *started after the call* is on disk;
 *   the server awaits it before sending a 2xx to a request that changed state. Calls that arrive
 *   while a save runs share the next save (group commit), so a burst costs one write per round
 *   trip of the disk, not one per request;
 * - background changes (the scheduler's executions) are saved `debounceMs` later;
 * - at load, temp files left by a killed emulator (`<file>.<pid>[.<n>].tmp` whose process is
 *   gone) are removed, and a group- or world-readable state file is made `0600` (it holds DNS
 *   tokens and `whsec_` secrets).
 *
 * Plain `node:fs` rather than a library such as write-file-atomic: that one fsyncs the file but
 * not the directory after the rename, and the group commit needs control of when a write starts.
 * One emulator per state file: two processes writing the same file overwrite each other.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import * as path from "node:path";

let tmpSeq = 0;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Removes `<file>.<pid>[.<n>].tmp` files whose process is gone. Returns the names removed. */
export function removeStaleTempFiles(file: string): string[] {
  const dir = path.dirname(file);
  const re = new RegExp(`^${escapeRe(path.basename(file))}\\.(\\d+)(\\.\\d+)?\\.tmp$`);
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = re.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      unlinkSync(path.join(dir, name));
      removed.push(name);
    } catch {
      /* gone already */
    }
  }
  return removed;
}

/** Reads and parses the state file (undefined when absent); tightens its mode to 0600. Throws on a bad file. */
export function loadStateFile(file: string): unknown {
  removeStaleTempFiles(file);
  if (!existsSync(file)) return undefined;
  if (process.platform !== "win32" && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return JSON.parse(readFileSync(file, "utf8"));
}

async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Options of {@link DurableStateFile}. */
export interface DurableStateOptions {
  /** Path of the state file. */
  file: string;
  /** Returns the JSON-serialisable snapshot to save (called synchronously at the start of a save). */
  snapshot: () => unknown;
  /** Real ms between a background change and its save. @default 100 */
  debounceMs?: number;
  /** Where failed background saves are reported. @default none */
  log?: (line: string) => void;
}

/** Atomic, fsynced, group-committed writes of one state file. */
export class DurableStateFile {
  private writing: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Saves completed (for tests and stats). */
  saves = 0;

  constructor(private readonly o: DurableStateOptions) {}

  /** A background change: saved `debounceMs` later (no-op after `close`). */
  markDirty(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((e) => this.o.log?.(`state file write failed: ${(e as Error).message}`));
    }, this.o.debounceMs ?? 100);
  }

  /** Resolves once a save that started after this call has reached the disk; rejects when it failed. */
  flush(): Promise<void> {
    if (this.next) return this.next;
    if (!this.writing) {
      const w = this.write().finally(() => {
        if (this.writing === w) this.writing = undefined;
      });
      this.writing = w;
      return w;
    }
    // A save is running and may have taken its snapshot before the caller's change: queue one more.
    const n = this.writing
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.flush();
      });
    this.next = n;
    return n;
  }

  /** Stops the debounce timer and writes a final snapshot. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.closed = true;
    await this.flush();
  }

  private async write(): Promise<void> {
    const data = JSON.stringify(this.o.snapshot());
    const file = this.o.file;
    const tmp = `${file}.${process.pid}.${++tmpSeq}.tmp`;
    try {
      const fh = await open(tmp, "wx", 0o600);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    await fsyncDir(path.dirname(file));
    this.saves++;
  }
}
