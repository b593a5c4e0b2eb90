// Builds dist/ once per test run: some tests drive the compiled package in plain Node child
// processes (Pulumi closure serialization and the dynamic-provider gRPC server need real Node
// module loading, which jest's sandbox does not provide).
const { execFileSync } = require("node:child_process");
const path = require("node:path");
module.exports = async () => {
  const root = path.join(__dirname, "..", "..");
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
};
