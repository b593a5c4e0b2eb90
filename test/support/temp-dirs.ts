/**
 * Tracks temp folders created with `fs.mkdtempSync` / `fs.mkdtemp` / `fs.promises.mkdtemp` (by
 * the test or by a library it calls) and removes them on `cleanup()`. Used by setup.ts for the
 * `cdktf.outdir.*` folders cdktf's Testing helpers leave behind. Patches the shared `node:fs`
 * module until `cleanup()`, which restores it; only folders under `os.tmpdir()` that `keep`
 * selects are tracked.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A tracker: `created` lists the folders seen, `cleanup()` removes them and un-patches fs. */
export interface TempDirTracker {
  readonly created: string[];
  cleanup(): void;
}

export function trackTempDirs(keep: (dir: string) => boolean): TempDirTracker {
  const created: string[] = [];
  // `node:fs` here is the module object libraries get too (jest shares core modules).
  const mod = require("node:fs") as typeof fs & Record<string, unknown>;
  const record = (dir: unknown) => {
    if (typeof dir === "string" && path.resolve(dir).startsWith(path.resolve(os.tmpdir()) + path.sep) && keep(dir)) created.push(dir);
    return dir;
  };
  const origSync = mod.mkdtempSync;
  const origCb = mod.mkdtemp;
  const origPromise = mod.promises.mkdtemp;
  mod.mkdtempSync = ((prefix: string, options?: unknown) => record(origSync(prefix, options as fs.EncodingOption))) as typeof fs.mkdtempSync;
  mod.mkdtemp = ((prefix: string, ...rest: unknown[]) => {
    const cb = rest.pop() as (err: NodeJS.ErrnoException | null, dir?: string) => void;
    return (origCb as (...a: unknown[]) => void)(prefix, ...rest, (err: NodeJS.ErrnoException | null, dir?: string) => {
      if (!err) record(dir);
      cb(err, dir);
    });
  }) as typeof fs.mkdtemp;
  mod.promises.mkdtemp = (async (prefix: string, options?: unknown) => record(await origPromise(prefix, options as fs.EncodingOption))) as typeof fs.promises.mkdtemp;
  return {
    created,
    cleanup() {
      mod.mkdtempSync = origSync;
      mod.mkdtemp = origCb;
      mod.promises.mkdtemp = origPromise;
      for (const d of created.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}
