/**
 * What `npm pack` ships: the compiled code, its declarations, and the sources its source maps
 * name (so stack traces under `--enable-source-maps` and debuggers point at files that exist in
 * `node_modules/runlater-iac`); every `exports`/`typesVersions` target; no tests.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { cleanup, pack, pending, project, ROOT } from "./support";

jest.setTimeout(120_000);
afterAll(() => {
  const dirs = [...pending()];
  cleanup();
  for (const d of dirs) expect(fs.existsSync(d)).toBe(false);
});

describe("the packed tarball", () => {
  it("ships every source file its source maps name", () => {
    const { files } = pack();
    const shipped = new Set(files);
    const maps = files.filter((f) => f.endsWith(".js.map"));
    expect(maps.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const m of maps) {
      const map = JSON.parse(fs.readFileSync(path.join(ROOT, m), "utf8")) as { sources: string[]; sourceRoot?: string };
      for (const s of map.sources) {
        const rel = path.posix.normalize(path.posix.join(path.posix.dirname(m), map.sourceRoot ?? "", s));
        if (!shipped.has(rel)) missing.push(`${m} → ${rel}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("ships every exports and typesVersions target, and no tests", () => {
    const { files } = pack();
    const shipped = new Set(files);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const targets: string[] = [pkg.main, pkg.types];
    for (const v of Object.values(pkg.exports as Record<string, string | Record<string, string>>)) {
      for (const t of typeof v === "string" ? [v] : Object.values(v)) if (!t.includes("*")) targets.push(t);
    }
    for (const list of Object.values(pkg.typesVersions["*"] as Record<string, string[]>)) {
      for (const t of list) if (!t.includes("*")) targets.push(t);
    }
    expect(targets.map((t) => path.posix.normalize(t)).filter((t) => !shipped.has(t))).toEqual([]);
    expect(files.filter((f) => /(^|\/)test\/|\.test\.[jt]s$/.test(f))).toEqual([]);
    expect(files).toContain("README.md");
  });

  it("a stack trace from the installed package names a file that exists", () => {
    const p = project("{}", ["dependencies"]);
    const script = path.join(p.dir, "trace.js");
    // A field-named validation error thrown inside the package, printed with source maps on.
    fs.writeFileSync(
      script,
      `const { RunlaterClient } = require("runlater-iac");
try { new RunlaterClient({ apiKey: "" }); } catch (e) { console.log(e.stack); process.exit(0); }
console.log("no error thrown");`,
    );
    const out = execFileSync(process.execPath, ["--enable-source-maps", script], { cwd: p.dir, encoding: "utf8" });
    const frames = [...out.matchAll(/\((\/[^():]+\.ts):\d+:\d+\)/g)].map((m) => m[1]);
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) {
      expect(f).toContain(`${path.sep}node_modules${path.sep}runlater-iac${path.sep}lib${path.sep}`);
      expect(fs.existsSync(f)).toBe(true);
    }
  });
});
