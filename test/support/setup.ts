/**
 * Runs before every test file (jest `setupFilesAfterEnv`):
 *
 * - pins fast-check's seed for every `fc.assert` in the file (`fc.configureGlobal`), so a
 *   property test that forgets `fcParams()` still cannot flake (`FC_SEED` overrides; see fc.ts);
 * - removes the `cdktf.outdir.*` folders that cdktf/cdktn `Testing.app()` / `Testing.fullSynth()`
 *   create in the temp dir (they never delete them) once the file's tests are done.
 */
import fc from "fast-check";
import { trackTempDirs } from "./temp-dirs";
import { fcSeed } from "./fc";

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: fcSeed() });

const tracker = trackTempDirs((dir) => /^cdktf\.outdir\./.test(require("node:path").basename(dir)));
afterAll(() => tracker.cleanup());
