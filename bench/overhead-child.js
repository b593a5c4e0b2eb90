// Provider overhead probe, run by bench/overhead.ts in a fresh PLAIN Node process (Pulumi's
// closure serializer needs real module loading; jest's sandbox and ts-node are not what
// `pulumi up` runs). Loads the compiled package, captures the `__provider` text each dynamic
// resource registers (the provider shim), and, for comparison, serializes each provider object
// as `pulumi.dynamic.Resource` would (`serializeFunction(() => provider, { allowSecrets: true })`).
// Writes the shim texts to the given directory and prints timings and sizes as JSON.
// Usage: node bench/overhead-child.js <outDir>
const fs = require("node:fs");
const path = require("node:path");

async function main() {
  const outDir = process.argv[2];
  const root = path.join(__dirname, "..");
  const t0 = performance.now();
  const pulumi = require("@pulumi/pulumi");
  const t1 = performance.now();
  const captured = {};
  pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        captured[a.type.split(":").pop()] = a.inputs.__provider;
        return { id: `${a.name}-id`, state: a.inputs };
      },
      call: (a) => a.inputs,
    },
    "bench",
    "dev",
    false,
  );
  const lib = require(path.join(root, "dist", "pulumi"));
  const t2 = performance.now();
  const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");
  // The first serialization in a process pays a one-time set-up (the inspector session the
  // serializer uses to read closures); measure it apart so both providers are timed alike.
  const w0 = performance.now();
  await serializeFunction(() => 42, { allowSecrets: true });
  const w1 = performance.now();
  const out = { requirePulumiMs: t1 - t0, requireLibMs: t2 - t1, serializerWarmupMs: w1 - w0, providers: {} };
  const kinds = [
    ["HealthCheckTask", lib.healthCheckTaskProvider, { url: "https://example.com/health" }],
    ["ForwardEndpoint", lib.forwardEndpointProvider, { forwardUrls: ["https://api.example.com/x"] }],
  ];
  const made = kinds.map(([name, , args]) => new lib[name](`bench-${name}`, args));
  await Promise.all(made.map((r) => new Promise((ok) => r.id.apply(ok))));
  for (const [name, provider] of kinds) {
    const a = performance.now();
    const closure = await serializeFunction(() => provider, { allowSecrets: true });
    const b = performance.now();
    const text = captured[name];
    const file = path.join(outDir, `${name}.js`);
    fs.writeFileSync(file, text);
    out.providers[name] = {
      shimBytes: Buffer.byteLength(text, "utf8"),
      shimHasSecrets: text.includes("pk_") || text.includes("sk_"),
      closureBytes: Buffer.byteLength(closure.text, "utf8"),
      closureSerializeMs: b - a,
      file,
    };
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
