/**
 * `npm run bench` writes its results to a git-ignored path (bench/out/results.json), so a run
 * changes no tracked file. Runs the bench runner with no section selected (it only writes the
 * result file) and compares `git status` before and after.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const OUT = path.join(ROOT, "bench", "out", "results.json");
const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" });

it("a bench run leaves every tracked file as it was; its results land in an ignored file", () => {
  const before = git("status", "--porcelain", "--untracked-files=all");
  const saved = fs.existsSync(OUT) ? fs.readFileSync(OUT) : undefined;
  try {
    execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "bench", "run.ts"), "--only=none"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const written = JSON.parse(fs.readFileSync(OUT, "utf8")) as { meta: { date: string }; rows: unknown[] };
    expect(Date.now() - Date.parse(written.meta.date)).toBeLessThan(120_000);
    expect(git("status", "--porcelain", "--untracked-files=all")).toBe(before);
    expect(git("check-ignore", OUT).trim()).toBe(OUT);
    expect(git("ls-files", "bench/results.json", "bench/out").trim()).toBe("");
  } finally {
    if (saved) fs.writeFileSync(OUT, saved);
    else {
      fs.rmSync(OUT, { force: true });
      if (fs.readdirSync(path.dirname(OUT)).length === 0) fs.rmdirSync(path.dirname(OUT));
    }
  }
}, 60_000);
