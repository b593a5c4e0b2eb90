/**
 * The record guard's warning (and every other DnsFailover warning) is visible where users look:
 * on stderr when the app synthesizes (`node main.js` → `app.synth()`), once per construct, and
 * in `DnsFailover.warnings`, not only in manifest.json's annotations.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CORES, loadOn } from "./cores";

const ROOT = path.resolve(__dirname, "../..");

describe.each(CORES)("synth-time warnings [%s]", (coreName) => {
  const l = loadOn(coreName);
  const { Testing, TerraformStack, TerraformVariable } = l.core;
  const { CloudflareDnsRecord, CloudflareProvider, DnsFailover, RestfulProvider } = l.lib;

  /** A stack with a failover on a record that does not ignore `content`. */
  const build = (recordGuard?: "fix" | "warn", lifecycle?: any) => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    new RestfulProvider(stack, "runlater", {});
    new CloudflareProvider(stack, "cloudflare", {});
    const token = new TerraformVariable(stack, "dns_api_token", { type: "string", sensitive: true });
    const record = new CloudflareDnsRecord(stack, "www", {
      zoneId: "023e105f4ecef8ad9ca31a8372d0c353",
      name: "www.example.com",
      type: "A",
      content: "198.51.100.10",
      ttl: 60,
      lifecycle,
    });
    const f = new DnsFailover(stack, "f", {
      healthCheck: { url: "https://primary.example.com/health" },
      primary: "198.51.100.10",
      backup: "203.0.113.50",
      record,
      dnsApiToken: token.stringValue,
      recordGuard,
    });
    return { app, f };
  };

  let writes: string[];
  let spy: jest.SpyInstance;
  beforeEach(() => {
    writes = [];
    spy = jest.spyOn(process.stderr, "write").mockImplementation(((chunk: unknown) => {
      writes.push(String(chunk));
      return true;
    }) as never);
  });
  afterEach(() => spy.mockRestore());
  const printed = () => writes.join("");

  it('recordGuard "fix": the warning is exposed on the construct and printed once at app.synth()', () => {
    const { app, f } = build();
    expect(f.warnings).toContainEqual({ field: "record", message: expect.stringMatching(/added "content" to lifecycle\.ignoreChanges of the DNS record s\/www/) });
    expect(printed()).toBe(""); // nothing at construction
    app.synth();
    const lines = printed().split("\n").filter((x) => x.includes("runlater-iac"));
    expect(lines).toEqual([expect.stringMatching(/^\[runlater-iac\] warning: DnsFailover s\/f: record: added "content" to lifecycle\.ignoreChanges/)]);
    app.synth(); // a second synthesis prints nothing new
    expect(printed().split("\n").filter((x) => x.includes("runlater-iac"))).toHaveLength(1);
    // The annotation is still written to the manifest (the CLIs print it from there).
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "manifest.json"), "utf8"));
    expect(JSON.stringify(manifest.stacks.s.annotations)).toMatch(/added \\"content\\"/);
  });

  it('recordGuard "warn": the same, with the fix in the message', () => {
    const { app, f } = build("warn");
    expect(f.warnings.map((w) => w.field)).toEqual(["record"]);
    app.synth();
    expect(printed()).toMatch(/DnsFailover s\/f: record: the DNS record s\/www does not ignore changes to content: .*Fix: set `lifecycle: \{ ignoreChanges: \["content"\] \}`/);
  });

  it("a record that ignores content: no warning, nothing printed", () => {
    const { app, f } = build("fix", { ignoreChanges: ["content"] });
    expect(f.warnings).toEqual([]);
    app.synth();
    expect(printed()).toBe("");
  });

  it("RUNLATER_IAC_QUIET=1 silences the stderr copy only", () => {
    const { app, f } = build();
    process.env.RUNLATER_IAC_QUIET = "1";
    try {
      app.synth();
    } finally {
      delete process.env.RUNLATER_IAC_QUIET;
    }
    expect(printed()).toBe("");
    expect(f.warnings).toHaveLength(1);
  });

  it("Testing.synth (JSON only) prints nothing", () => {
    const { f } = build();
    Testing.synth(l.core.TerraformStack.of(f));
    expect(printed()).toBe("");
  });
});

it("a plain `node main.js` prints the guard warning on stderr (real process)", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rl-synth-warn-"));
  try {
    const main = path.join(tmp, "main.ts");
    fs.writeFileSync(
      main,
      `import { App, TerraformStack, TerraformVariable } from ${JSON.stringify(require.resolve("cdktn"))};
import { CloudflareDnsRecord, CloudflareProvider, DnsFailover, RestfulProvider } from ${JSON.stringify(path.join(ROOT, "lib/cdktf"))};
const app = new App({ outdir: ${JSON.stringify(path.join(tmp, "out"))} });
const stack = new TerraformStack(app, "s");
new RestfulProvider(stack, "runlater", {});
new CloudflareProvider(stack, "cloudflare", {});
const token = new TerraformVariable(stack, "t", { type: "string", sensitive: true });
const record = new CloudflareDnsRecord(stack, "www", { zoneId: "z", name: "www.example.com", type: "A", content: "198.51.100.10", ttl: 60 });
new DnsFailover(stack, "f", { healthCheck: { url: "https://primary.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50", record, dnsApiToken: token.stringValue });
app.synth();
`,
    );
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", main], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, RUNLATER_CDKTF_CORE: "cdktn", RUNLATER_IAC_QUIET: "" },
    });
    expect(r.stderr.includes("Error") ? r.stderr : r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^\[runlater-iac\] warning: DnsFailover s\/f: record: added "content"/)]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
