/**
 * Runs before every test file (jest `setupFilesAfterEnv`):
 *
 * - pins fast-check's seed for every `fc.assert` in the file (`fc.configureGlobal`), so a
 *   property test that forgets `fcParams()` still cannot flake (`FC_SEED` overrides; see fc.ts);
 * - removes the `cdktf.outdir.*` folders that cdktf/cdktn `Testing.app()` / `Testing.fullSynth()`
 *   create in the temp dir (they never delete them) once the file's tests are done.
 *
 * The tracker patches the `node:fs` module every file shares (in band). A file whose tests are
 * all skipped runs no `afterAll`, so its tracker stays installed, and its closures outlive the
 * file's module registry (a `require` in them returns undefined): the next file removes such a
 * leftover tracker before installing its own.
 */
import * as path from "node:path";
import fc from "fast-check";
import { type TempDirTracker, trackTempDirs } from "./temp-dirs";
import { fcSeed } from "./fc";

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: fcSeed() });

const INSTALLED = Symbol.for("runlater-iac.test-setup.temp-dir-tracker");
const shared = require("node:fs") as Record<symbol, TempDirTracker | undefined>;
shared[INSTALLED]?.cleanup();
const tracker = trackTempDirs((dir) => /^cdktf\.outdir\./.test(path.basename(dir)));
shared[INSTALLED] = tracker;
afterAll(() => {
  tracker.cleanup();
  if (shared[INSTALLED] === tracker) shared[INSTALLED] = undefined;
});
