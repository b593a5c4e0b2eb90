// Provider overhead probe, run by bench/overhead.ts in a fresh PLAIN Node process (Pulumi's
// closure serializer needs real module loading; jest's sandbox and ts-node are not what
// `pulumi up` runs). Loads the compiled package, serializes each dynamic provider exactly as
// `pulumi.dynamic.Resource` does (`serializeFunction(() => provider, { allowSecrets: true })`),
// writes the texts to the given directory and prints timings and sizes as JSON.
// Usage: node bench/overhead-child.js <outDir>
const fs = require("node:fs");
const path = require("node:path");

async function main() {
  const outDir = process.argv[2];
  const root = path.join(__dirname, "..");
  const t0 = performance.now();
  require("@pulumi/pulumi");
  const t1 = performance.now();
  const lib = require(path.join(root, "dist", "pulumi"));
  const t2 = performance.now();
  const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");
  const t3 = performance.now();
  const requireFromString = require("require-from-string");
  // The first serialization in a process pays a one-time set-up (the inspector session the
  // serializer uses to read closures); measure it apart so both providers are timed alike.
  const w0 = performance.now();
  await serializeFunction(() => 42, { allowSecrets: true });
  const w1 = performance.now();
  const out = { requirePulumiMs: t1 - t0, requireLibMs: t2 - t1, requireSerializerMs: t3 - t2, serializerWarmupMs: w1 - w0, providers: {} };
  for (const [name, provider] of [
    ["HealthCheckTask", lib.healthCheckTaskProvider],
    ["ForwardEndpoint", lib.forwardEndpointProvider],
  ]) {
    const a = performance.now();
    const first = await serializeFunction(() => provider, { allowSecrets: true });
    const b = performance.now();
    await serializeFunction(() => provider, { allowSecrets: true });
    const c = performance.now();
    const file = path.join(outDir, `${name}.js`);
    fs.writeFileSync(file, first.text);
    const d = performance.now();
    const loaded = requireFromString(first.text).handler();
    const e = performance.now();
    out.providers[name] = {
      serializeMs: b - a,
      serializeWarmMs: c - b,
      bytes: Buffer.byteLength(first.text, "utf8"),
      containsSecrets: first.containsSecrets,
      loadInProcessMs: e - d,
      methods: ["check", "diff", "create", "read", "update", "delete"].filter((m) => typeof loaded[m] === "function"),
      file,
    };
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
