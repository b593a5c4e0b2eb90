/**
 * The provider shim: what every runlater-iac dynamic resource stores as `__provider`. It is a
 * few hundred bytes (not the provider's serialized closure), loads the implementation from the
 * package installed where the program runs (or, from this checkout, from dist/), and runs the
 * whole lifecycle through Pulumi's real dynamic-provider server from an installed tarball.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { HealthCheckTaskProvider, PROVIDER_SHIM_MARKER } from "../../lib/pulumi";
import { hasLegacyProvider } from "../../lib/pulumi/provider-support";
import { planFailover } from "../../lib/failover/plan";
import { closeAllPools } from "../../lib/runlater";
import { cleanup, pending, project } from "../packaging/support";
import { startDynamicProviderServer } from "../support/dynamic-provider-server";

const ROOT = path.join(__dirname, "..", "..");
const API_KEY = "pk_test_shim.sk_test_shim_secret_0042";
const DNS_TOKEN = "cf-shim-token-secret-0043";
const KIB = 1024;

jest.setTimeout(120_000);

interface Registration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * Every exported runlater-iac dynamic resource class, constructed under mocks in a plain Node
 * process (real module loading, as in `pulumi up`): its name and what it registered.
 */
function captureAllKinds(): { kinds: string[]; closures: string[]; regs: Registration[] } {
  const script = `const pulumi = require("@pulumi/pulumi");
const captured = [];
pulumi.runtime.setMocks({ newResource: (a) => { captured.push({ type: a.type, name: a.name, inputs: a.inputs }); return { id: a.name + "-id", state: a.inputs }; }, call: (a) => a.inputs }, "capture", "dev", false);
const lib = require(${JSON.stringify(path.join(ROOT, "dist", "pulumi"))});
const { RunlaterDynamicResource } = require(${JSON.stringify(path.join(ROOT, "dist", "pulumi", "resource-support"))});
const kinds = Object.entries(lib).filter(([, v]) => typeof v === "function" && v.prototype instanceof RunlaterDynamicResource);
const made = kinds.map(([k, C]) => new C("x-" + k, k === "ForwardEndpoint" ? { forwardUrls: ["https://api.example.com/x"], forwardHeaders: pulumi.secret({ Authorization: "Bearer ${DNS_TOKEN}" }) } : {}));
const closures = Object.entries(lib).filter(([, v]) => typeof v === "function" && v.prototype instanceof pulumi.dynamic.Resource).map(([k]) => k);
Promise.all(made.map((r) => new Promise((ok) => r.id.apply(ok)))).then(() => process.stdout.write(JSON.stringify({ kinds: kinds.map(([k]) => k), closures, regs: captured })));`;
  const out = execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8", env: { ...process.env, RUNLATER_API_KEY: API_KEY } });
  return JSON.parse(out);
}

const kebab = (kind: string) => kind.replace(/[A-Z]/g, (c, i) => (i ? "-" : "") + c.toLowerCase());

afterAll(async () => {
  const dirs = [...pending()];
  cleanup();
  for (const d of dirs) expect(fs.existsSync(d)).toBe(false);
  await closeAllPools();
});

describe("what state stores as __provider", () => {
  let kinds: string[];
  let closures: string[];
  let regs: Registration[];
  beforeAll(() => {
    ({ kinds, closures, regs } = captureAllKinds());
  });

  it("every dynamic resource class stores the shim: a few hundred bytes, no provider code, no secret", () => {
    expect(kinds).toEqual(expect.arrayContaining(["ForwardEndpoint", "HealthCheckTask", "HeartbeatMonitor"]));
    expect(closures).toEqual([]); // no exported resource extends pulumi.dynamic.Resource (a serialized closure)
    expect(regs.map((r) => r.type).sort()).toEqual(kinds.map((k) => `pulumi-nodejs:dynamic/runlater:${k}`).sort());
    for (const r of regs) {
      const text = r.inputs.__provider as string;
      expect(typeof text).toBe("string");
      expect(text.startsWith(PROVIDER_SHIM_MARKER)).toBe(true);
      // ≤ 2 KiB is the goal; from a checkout the text also names the absolute dist/ path.
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(512 + ROOT.length);
      expect(text).not.toMatch(/__f0|with\(\{|RunlaterClient|fetch\(/); // no serialized closure
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(DNS_TOKEN);
      expect(text).toContain(`"runlater-iac/dist/pulumi/${kebab(r.type.split(":").pop()!)}.js"`);
    }
  });

  it("from this checkout each shim loads its provider via dist/, from any working directory", () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "rl-shim-cwd-"));
    try {
      for (const r of regs) {
        const text = r.inputs.__provider as string;
        expect(text).toContain(JSON.stringify(path.join(ROOT, "dist", "pulumi", `${kebab(r.type.split(":").pop()!)}.js`)));
        const out = execFileSync(
          process.execPath,
          [
            "-e",
            `const p = require(${JSON.stringify(require.resolve("require-from-string"))})(process.argv[1]).handler();
             console.log(["configure","check","diff","create","read","update","delete"].filter((m) => typeof p[m] === "function").join(","));`,
            text,
          ],
          { cwd: elsewhere, encoding: "utf8" },
        );
        expect(out.trim()).toBe("configure,check,diff,create,read,update,delete");
      }
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("state per failover: the shims are a small share of it (estimate from the failover plan)", () => {
    const shimOf = (kind: "endpoint" | "task" | "monitor") => {
      const k = { endpoint: "ForwardEndpoint", task: "HealthCheckTask", monitor: "HeartbeatMonitor" }[kind];
      const r = regs.find((x) => x.type.endsWith(`:${k}`)) ?? regs.find((x) => x.type.endsWith(":HealthCheckTask"))!;
      // The installed package's text: the checkout's minus its fallback path.
      const text = r.inputs.__provider as string;
      const request = /require\("(runlater-iac\/[^"]+)"\)\.(\w+)/.exec(text)!;
      return Buffer.byteLength(`${PROVIDER_SHIM_MARKER}\nexports.handler=()=>${request[0]}`);
    };
    const url = "https://runlater.eu/in/ep_0123456789abcdef0123456789abcdef"; // a resolved reference
    const report: string[] = [];
    for (const wiring of ["converge", "edge"] as const) {
      const plan = planFailover({
        name: "www",
        wiring,
        healthCheck: { url: "https://primary.example.com/health" },
        primary: "198.51.100.10",
        backup: "203.0.113.50",
        dns: {
          provider: "cloudflare",
          zoneId: "023e105f4ecef8ad9ca31a8372d0c353",
          recordId: "372e67954025e0ba6aaa6d586b9e0b00",
          apiToken: DNS_TOKEN,
          name: "www.example.com",
          type: "A",
          ttl: 60,
        },
      });
      expect(plan.errors).toEqual([]);
      let total = 0;
      let shims = 0;
      for (const o of plan.objects) {
        const spec = Buffer.byteLength(JSON.stringify(o.spec, (_k, v) => (v && typeof v === "object" && "$ref" in v ? url : v)));
        const inputs = (o.secret ? spec * 1.4 + 100 : spec) + shimOf(o.kind); // secrets are ciphertext in state
        // Pulumi's own bookkeeping per resource (urn, type, id, parent, provider reference,
        // dependencies, timestamps, sourcePosition, stackTrace) ≈ 1.3 KiB; outputs ≈ inputs + ids/URLs.
        // Calibrated on `pulumi up` with the 3.274.1 CLI (3 objects: 12.2 KiB compact per failover,
        // __provider 1.8 KiB of it; with 0.1's closures 79 KiB, 67 KiB of them closures).
        total += 1300 + inputs + (inputs + 250);
        shims += 2 * shimOf(o.kind);
      }
      report.push(`${wiring}: ${plan.objects.length} objects, ≈ ${(total / KIB).toFixed(1)} KiB per failover, __provider ${(shims / KIB).toFixed(1)} KiB`);
      // Before the shim, __provider alone was ~22 KiB per object (twice per object in state).
      expect(shims / plan.objects.length).toBeLessThanOrEqual(2 * 400);
      expect(shims / total).toBeLessThan(0.2);
    }
    console.log(`state per failover (estimate): ${report.join("; ")}`);
  });
});

describe("state written by the serialized-closure providers (≤ 0.1)", () => {
  it("diff reports a change once, so the next up rewrites __provider as the shim", async () => {
    const p = new HealthCheckTaskProvider();
    const inputs = (await p.check({} as never, { name: "h", url: "https://example.com/health" } as never)).inputs as Record<string, unknown>;
    const outs = { ...inputs, schemaVersion: 1, taskId: "t", nextRunAt: null };
    const legacy = "exports.handler = __f0;\nvar __provider_proto = {};\nfunction __f0() { return (function() { with({}) { return () => provider; } }).apply(undefined, undefined).apply(this, arguments); }";
    expect(hasLegacyProvider({ __provider: legacy })).toBe(true);
    // The longer v1 shim (0.2 pre-releases) is rewritten once too.
    const v1 = '// runlater-iac provider shim v1\nexports.handler=function(){try{return require("runlater-iac/dist/pulumi/health-check-task.js").healthCheckTaskProvider}catch(e){throw e}}';
    expect(hasLegacyProvider({ __provider: v1 })).toBe(true);
    expect((await p.diff("t", { ...outs, __provider: legacy } as never, inputs as never)).changes).toBe(true);
    const shim = `${PROVIDER_SHIM_MARKER}: …`;
    expect(hasLegacyProvider({ __provider: shim })).toBe(false);
    expect((await p.diff("t", { ...outs, __provider: shim } as never, inputs as never)).changes).toBe(false);
    expect((await p.diff("t", outs as never, inputs as never)).changes).toBe(false);
  });
});

describe("installed from the packed tarball, driven by Pulumi's dynamic-provider server", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: [API_KEY], allowPrivateTargets: true });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("through the local engine (in process: the shim loads dist/): create, wire, destroy", async () => {
    const { startLocalEngine } = await import("../../lib/pulumi/local-engine");
    const { ForwardEndpoint, HealthCheckTask } = await import("../../lib/pulumi");
    const engine = startLocalEngine({
      config: { "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl, "runlater:allowPrivateTargets": "true" },
    });
    const ep = new ForwardEndpoint("le-ep", { forwardUrls: ["https://api.example.com/x"], forwardHeaders: { Authorization: `Bearer ${DNS_TOKEN}` } });
    const task = new HealthCheckTask("le-h", { url: "https://example.com/health", onFailureUrl: ep.inboundUrl });
    const taskId = await engine.value(task.taskId);
    const inbound = await engine.value(ep.inboundUrl);
    const live = emu.tasks().find((t) => t.id === taskId) as unknown as Record<string, unknown> | undefined;
    expect(live?.on_failure_url ?? live?.onFailureUrl).toBe(inbound);
    expect(engine.resources.map((r) => r.type).sort()).toEqual([
      "pulumi-nodejs:dynamic/runlater:ForwardEndpoint",
      "pulumi-nodejs:dynamic/runlater:HealthCheckTask",
    ]);
    await engine.destroy();
    expect(emu.stats().objects.total).toBe(0);
  });

  it("the shim names only the package (no path of this machine) and the provider runs from node_modules", async () => {
    const proj = project("{}", ["@pulumi/pulumi", "dependencies"]);
    proj.write(
      "capture.js",
      `const pulumi = require("@pulumi/pulumi");
const captured = [];
pulumi.runtime.setMocks({ newResource: (a) => { captured.push({ type: a.type, inputs: a.inputs }); return { id: a.name + "-id", state: a.inputs }; }, call: (a) => a.inputs }, "p", "dev", false);
const lib = require("runlater-iac/pulumi");
const r = [new lib.ForwardEndpoint("ep", { forwardUrls: ["https://api.example.com/x"] }), new lib.HealthCheckTask("h", { url: "https://example.com/health" })];
Promise.all(r.map((x) => new Promise((ok) => x.id.apply(ok)))).then(() => process.stdout.write(JSON.stringify(captured)));`,
    );
    const regs = JSON.parse(execFileSync(process.execPath, ["capture.js"], { cwd: proj.dir, encoding: "utf8" })) as Registration[];
    expect(regs.map((r) => r.type).sort()).toEqual([
      "pulumi-nodejs:dynamic/runlater:ForwardEndpoint",
      "pulumi-nodejs:dynamic/runlater:HealthCheckTask",
    ]);
    const text = regs.find((r) => r.type.endsWith(":ForwardEndpoint"))!.inputs.__provider as string;
    expect(text).toContain('require("runlater-iac/dist/pulumi/forward-endpoint.js").forwardEndpointProvider');
    expect(text).not.toMatch(/require\("\//); // no absolute path: nothing of this machine in state
    expect(text).not.toContain(proj.dir);
    // State holds it twice per resource, 16 times per failover (converge): ~110 bytes.
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(128);
    expect(text).toBe(`${PROVIDER_SHIM_MARKER}\nexports.handler=()=>require("runlater-iac/dist/pulumi/forward-endpoint.js").forwardEndpointProvider`);

    // The engine starts the provider in the program directory: the shim finds the package there.
    const server = await startDynamicProviderServer({ RUNLATER_API_KEY: "", RUNLATER_API_URL: "" }, proj.dir);
    try {
      await server.configure({ "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl });
      const urn = "urn:pulumi:dev::p::pulumi-nodejs:dynamic/runlater:ForwardEndpoint::ep";
      const news = { ...regs[0]!.inputs, name: "ep", forwardUrls: ["https://api.example.com/x"], __provider: text };
      const checked = await server.check(urn, {}, news);
      expect(checked.failures).toEqual([]);
      const created = await server.create(urn, checked.inputs);
      expect(created.properties.inboundUrl).toMatch(/\/in\/ep_/);
      expect(created.properties.__provider).toBe(text);
      const read = await server.read(urn, created.id, created.properties);
      expect(read.properties.endpointId).toBe(created.id);
      const noop = await server.diff(urn, created.id, read.properties, checked.inputs);
      expect(noop.changes).toBe(1); // DIFF_NONE
      const updated = await server.update(urn, created.id, read.properties, { ...checked.inputs, retryAttempts: 5 });
      expect(updated.properties.retryAttempts).toBe(5);
      await server.delete(urn, created.id, updated.properties);
      expect(emu.stats().objects.endpoints).toBe(0);
      expect(server.stderr()).not.toContain(API_KEY);
    } finally {
      await server.close();
    }

    // Without the package where the program runs, the error says what to do.
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), "rl-shim-bare-"));
    try {
      const r = spawnSync(
        process.execPath,
        ["-e", `require(${JSON.stringify(require.resolve("require-from-string"))})(process.argv[1]).handler()`, text],
        { cwd: bare, encoding: "utf8" },
      );
      expect(r.status).not.toBe(0);
      // Node's own message names the package to install.
      expect(r.stderr).toContain("Cannot find module 'runlater-iac/dist/pulumi/forward-endpoint.js'");
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });
});
