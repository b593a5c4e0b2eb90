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

/** Registrations of a program of DnsFailovers under mocks, in a plain Node process. */
function captureFailovers(n: number): Registration[] {
  const specs = Array.from({ length: n }, (_, i) => ({
    name: `site-${i}`,
    secretDns: true,
    args: {
      healthCheck: { url: `https://primary-${i}.example.com/health` },
      primary: "198.51.100.10",
      backup: "203.0.113.50",
      dns: {
        provider: "cloudflare",
        zoneId: "023e105f4ecef8ad9ca31a8372d0c353",
        recordId: `372e67954025e0ba6aaa6d586b9e0b${String(i).padStart(2, "0")}`,
        apiToken: DNS_TOKEN,
        name: `www${i}.example.com`,
        type: "A",
        ttl: 60,
      },
    },
  }));
  const r = spawnSync(process.execPath, [path.join(ROOT, "test/reliability/capture-failover.js"), JSON.stringify(specs)], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, RUNLATER_API_KEY: API_KEY },
  });
  if (r.status !== 0) throw new Error(`capture-failover.js failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Registration[];
}

const dynamic = (rs: Registration[]) => rs.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"));

afterAll(async () => {
  const dirs = [...pending()];
  cleanup();
  for (const d of dirs) expect(fs.existsSync(d)).toBe(false);
  await closeAllPools();
});

describe("what state stores as __provider", () => {
  let regs: Registration[];
  beforeAll(() => {
    regs = captureFailovers(2);
  });

  it("every dynamic resource of a DnsFailover stores the shim: ≤ 2 KiB, no provider code, no secret", () => {
    const dyn = dynamic(regs);
    expect(dyn.length).toBeGreaterThanOrEqual(6); // ≥ 3 objects per failover
    for (const r of dyn) {
      const text = r.inputs.__provider as string;
      expect(typeof text).toBe("string");
      expect(text.startsWith(PROVIDER_SHIM_MARKER)).toBe(true);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(2 * KIB);
      expect(text).not.toMatch(/__f0|with\(\{|RunlaterClient|fetch\(/); // no serialized closure
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(DNS_TOKEN);
      const kind = r.type.split(":").pop()!;
      const file = kind.replace(/[A-Z]/g, (c, i) => (i ? "-" : "") + c.toLowerCase());
      expect(text).toContain(`"runlater-iac/dist/pulumi/${file}.js"`);
    }
    // One text per resource kind: identical across failovers (and across SDK versions: it is ours).
    const byKind = new Map<string, Set<string>>();
    for (const r of dyn) byKind.set(r.type, (byKind.get(r.type) ?? new Set()).add(r.inputs.__provider as string));
    for (const texts of byKind.values()) expect(texts.size).toBe(1);
  });

  it("state per failover stays under 10 KiB (inputs and outputs each carry __provider)", () => {
    const perFailover = (rs: Registration[]) => {
      // Checkpoint entry ≈ urn/type/parent/id/dependencies (≤ 512 B) + inputs + outputs (≈ inputs).
      return rs.reduce((n, r) => n + 512 + 2 * Buffer.byteLength(JSON.stringify(r.inputs)), 0);
    };
    const bytes = perFailover(regs) / 2;
    expect(bytes).toBeLessThanOrEqual(10 * KIB);
    const shimBytes = dynamic(regs).reduce((n, r) => n + 2 * Buffer.byteLength(r.inputs.__provider as string), 0) / 2;
    console.log(`state per failover ≈ ${(bytes / KIB).toFixed(1)} KiB, of which __provider ${(shimBytes / KIB).toFixed(1)} KiB`);
  });

  it("from this checkout the shim falls back to dist/, from any working directory", () => {
    const text = dynamic(regs).find((r) => r.type.endsWith(":ForwardEndpoint"))!.inputs.__provider as string;
    expect(text).toContain(JSON.stringify(path.join(ROOT, "dist", "pulumi", "forward-endpoint.js")));
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "rl-shim-cwd-"));
    try {
      const out = execFileSync(
        process.execPath,
        [
          "-e",
          `const p = require(${JSON.stringify(require.resolve("require-from-string"))})(process.argv[1]).handler();
           console.log(["check","diff","create","read","update","delete","configure"].filter((m) => typeof p[m] === "function").join(","));`,
          text,
        ],
        { cwd: elsewhere, encoding: "utf8" },
      );
      expect(out.trim()).toBe("check,diff,create,read,update,delete,configure");
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe("state written by the serialized-closure providers (≤ 0.1)", () => {
  it("diff reports a change once, so the next up rewrites __provider as the shim", async () => {
    const p = new HealthCheckTaskProvider();
    const inputs = (await p.check({} as never, { name: "h", url: "https://example.com/health" } as never)).inputs as Record<string, unknown>;
    const outs = { ...inputs, schemaVersion: 1, taskId: "t", nextRunAt: null };
    const legacy = "exports.handler = __f0;\nvar __provider_proto = {};\nfunction __f0() { return (function() { with({}) { return () => provider; } }).apply(undefined, undefined).apply(this, arguments); }";
    expect(hasLegacyProvider({ __provider: legacy })).toBe(true);
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
    expect(text).toContain('r="runlater-iac/dist/pulumi/forward-endpoint.js",f=null');
    expect(text).not.toContain(ROOT);
    expect(text).not.toContain(proj.dir);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(512);

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
      expect(r.stderr).toContain("runlater-iac: cannot load runlater-iac/dist/pulumi/forward-endpoint.js (install runlater-iac in the Pulumi program's directory");
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });
});
