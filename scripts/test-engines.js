#!/usr/bin/env node
// `npm run test:engines`: builds (or reuses) the real engines from Go modules via
// scripts/install-engines, then runs the end-to-end suites in test/engines/ with them on PATH.
// Without Go the stage prints a SKIPPED line with the reason and succeeds.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const install = spawnSync("bash", [path.join(root, "scripts", "install-engines")], {
  cwd: root,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
process.stdout.write(install.stdout);
if (install.status !== 0) {
  console.error("install-engines failed");
  process.exit(install.status ?? 1);
}
if (/^SKIPPED:/m.test(install.stdout)) process.exit(0);
const m = /^ENV_FILE=(.+)$/m.exec(install.stdout);
if (!m || !fs.existsSync(m[1].trim())) {
  console.error("install-engines did not report ENV_FILE=<path to env.sh>");
  process.exit(1);
}
// Load the exported variables of env.sh into our environment.
const dump = spawnSync("bash", ["-c", `set -a; source "${m[1].trim()}"; env -0`], { encoding: "utf8" });
const env = {};
for (const kv of dump.stdout.split("\0")) {
  const i = kv.indexOf("=");
  if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
}
const jest = spawnSync(
  process.execPath,
  [require.resolve("jest/bin/jest"), "--config", path.join(root, "test", "engines", "jest.config.js"), "--runInBand"],
  { cwd: root, env: { ...process.env, ...env }, stdio: "inherit" },
);
process.exit(jest.status ?? 1);
