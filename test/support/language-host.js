#!/usr/bin/env node
// A minimal `pulumi-language-nodejs` for the real-engine tests.
//
// The Go language host (module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3)
// is not served by the Go module proxy this project can reach, so scripts/engines/pulumi.sh
// installs this one instead. It speaks the LanguageRuntime gRPC protocol with the stubs that
// @pulumi/pulumi ships and runs programs with @pulumi/pulumi's own `cmd/run` — the same entry point
// and flags the Go host uses for a plain TypeScript/JavaScript program. It does not implement
// code generation, packing, policy packs or dependency installation (the tests run `npm ci`).
const { spawn } = require("node:child_process");
const grpc = require("@grpc/grpc-js");
const langRpc = require("@pulumi/pulumi/proto/language_grpc_pb.js");
const langPb = require("@pulumi/pulumi/proto/language_pb.js");
const pluginPb = require("@pulumi/pulumi/proto/plugin_pb.js");
const emptyPb = require("google-protobuf/google/protobuf/empty_pb.js");

const positional = process.argv.slice(2).filter((a) => !a.startsWith("-"));
let engineAddress = positional[positional.length - 1] ?? "";
const sdkVersion = require("@pulumi/pulumi/package.json").version;

/** The `--flag=value` arguments of `cmd/run` for one RunRequest. */
function runArgs(req) {
  const info = req.getInfo();
  const programDir = info?.getProgramDirectory() || req.getPwd();
  const entry = info?.getEntryPoint() || req.getProgram() || ".";
  const args = [
    `--monitor=${req.getMonitorAddress()}`,
    `--engine=${engineAddress}`,
    `--organization=${req.getOrganization()}`,
    `--project=${req.getProject()}`,
    `--root-directory=${info?.getRootDirectory() || req.getPwd()}`,
    `--stack=${req.getStack()}`,
    `--pwd=${req.getPwd()}`,
    `--parallel=${req.getParallel()}`,
  ];
  if (req.getDryrun()) args.push("--dry-run");
  args.push(entry, ...req.getArgsList());
  return { args, programDir };
}

function run(call, callback) {
  const req = call.request;
  const { args, programDir } = runArgs(req);
  let runScript;
  try {
    runScript = require.resolve("@pulumi/pulumi/cmd/run", { paths: [programDir, req.getPwd()] });
  } catch {
    runScript = require.resolve("@pulumi/pulumi/cmd/run");
  }
  const config = {};
  for (const [k, v] of req.getConfigMap().entries()) config[k] = v;
  const options = req.getInfo()?.getOptions()?.toJavaScript() ?? {};
  const env = {
    ...process.env,
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
    PULUMI_NODEJS_TYPESCRIPT: options.typescript === false ? "false" : "true",
    PULUMI_NODEJS_TRANSPILE_ONLY: process.env.PULUMI_NODEJS_TRANSPILE_ONLY ?? "true",
  };
  const child = spawn(process.execPath, [runScript, ...args], { cwd: req.getPwd(), env, stdio: ["ignore", "inherit", "inherit"] });
  child.on("error", (e) => callback(null, new langPb.RunResponse().setError(`could not start node: ${e.message}`)));
  child.on("exit", (code, signal) => {
    const res = new langPb.RunResponse();
    if (code === 32) res.setBail(true);
    else if (code !== 0) res.setError(`Program exited with non-zero exit code: ${code ?? signal}`);
    callback(null, res);
  });
}

const impl = {
  handshake(call, cb) {
    const a = call.request.getEngineAddress?.();
    if (a) engineAddress = a;
    cb(null, new langPb.LanguageHandshakeResponse());
  },
  getRequiredPlugins(_call, cb) {
    cb(null, new langPb.GetRequiredPluginsResponse());
  },
  getRequiredPackages(_call, cb) {
    cb(null, new langPb.GetRequiredPackagesResponse());
  },
  run,
  getPluginInfo(_call, cb) {
    cb(null, new pluginPb.PluginInfo().setVersion(sdkVersion));
  },
  installDependencies(call) {
    call.end();
  },
  runtimeOptionsPrompts(_call, cb) {
    cb(null, new langPb.RuntimeOptionsResponse());
  },
  about(_call, cb) {
    cb(null, new langPb.AboutResponse().setExecutable(process.execPath).setVersion(process.version));
  },
  getProgramDependencies(_call, cb) {
    cb(null, new langPb.GetProgramDependenciesResponse());
  },
  cancel(_call, cb) {
    cb(null, new emptyPb.Empty());
  },
};
for (const k of Object.keys(impl)) if (!langRpc.LanguageRuntimeService[k]) delete impl[k];

const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
server.addService(langRpc.LanguageRuntimeService, impl);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`language host: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${port}\n`);
});
