/**
 * The test-hygiene helpers: fast-check runs with a fixed seed (FC_SEED overrides it), and the
 * `cdktf.outdir.*` folders cdktf's Testing helpers create are removed after each test file.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { DEFAULT_FC_SEED, fcParams, fcSeed } from "./fc";
import { trackTempDirs } from "./temp-dirs";

describe("fast-check seed", () => {
  it("is fixed unless FC_SEED says otherwise, for fcParams and for fc.assert without parameters", () => {
    expect(fcSeed({})).toBe(DEFAULT_FC_SEED);
    expect(fcSeed({ FC_SEED: "42" })).toBe(42);
    expect(fcSeed({ FC_SEED: " " })).toBe(DEFAULT_FC_SEED);
    expect(() => fcSeed({ FC_SEED: "random" })).toThrow(/FC_SEED must be an integer/);
    expect(fcParams({ numRuns: 7 })).toEqual({ numRuns: 7, seed: fcSeed() });
    expect(fcParams()).toEqual({ numRuns: 100, seed: fcSeed() });
    expect(fc.readConfigureGlobal().seed).toBe(fcSeed()); // setup.ts pins it for every fc.assert
    // Same seed, same values: two runs draw the same sequence.
    const draw = () => fc.sample(fc.integer(), { numRuns: 5, seed: fcSeed() });
    expect(draw()).toEqual(draw());
  });
});

describe("temp dir tracking", () => {
  it("removes the cdktf.outdir.* folders cdktf Testing creates (sync, callback and promise mkdtemp)", async () => {
    const tracker = trackTempDirs((d) => path.basename(d).startsWith("cdktf.outdir."));
    const other = mkdtempSync(path.join(tmpdir(), "rl-keep-"));
    try {
      const { Testing } = await import("cdktf");
      const app = Testing.app();
      const viaCb = await new Promise<string>((resolve, reject) =>
        require("node:fs").mkdtemp(path.join(tmpdir(), "cdktf.outdir."), (e: Error | null, d: string) => (e ? reject(e) : resolve(d))),
      );
      const viaPromise = await require("node:fs").promises.mkdtemp(path.join(tmpdir(), "cdktf.outdir."));
      expect(tracker.created).toEqual([app.outdir, viaCb, viaPromise]);
      for (const d of tracker.created) expect(existsSync(d)).toBe(true);
      const made = [...tracker.created];
      tracker.cleanup();
      for (const d of made) expect(existsSync(d)).toBe(false);
      expect(existsSync(other)).toBe(true); // not selected: left alone
    } finally {
      tracker.cleanup();
      rmSync(other, { recursive: true, force: true });
    }
  });
});
