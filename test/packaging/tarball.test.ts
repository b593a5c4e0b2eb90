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

  describe("a cdktn app with @cdktf/provider-cloudflare, synthesized by plain node from the installed package", () => {
    /** main.js: a cdktn App with the official record and provider; `variant` picks what makes cdktf elements work. */
    const main = (variant: "DnsFailover" | "enable" | "nothing") => `const { App, TerraformStack, TerraformVariable } = require("cdktn");
const { DnsRecord } = require("@cdktf/provider-cloudflare/lib/dns-record");
const { CloudflareProvider } = require("@cdktf/provider-cloudflare/lib/provider");
const { DnsFailover, RestfulProvider, enableCdktfBindingsInCdktn } = require("runlater-iac/cdktf");
const app = new App({ outdir: "out" });
const stack = new TerraformStack(app, "failover");
const token = new TerraformVariable(stack, "cloudflare_api_token", { type: "string", sensitive: true });
new CloudflareProvider(stack, "cloudflare", { apiToken: token.stringValue });
const record = new DnsRecord(stack, "www", { zoneId: "023e105f4ecef8ad9ca31a8372d0c353", name: "www.example.com", type: "A", content: "198.51.100.10", ttl: 60 });
${
  variant === "DnsFailover"
    ? `new RestfulProvider(stack, "runlater", {});
new DnsFailover(stack, "www-failover", { healthCheck: { url: "https://primary.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50", record, dnsApiToken: token.stringValue });`
    : variant === "enable"
      ? "enableCdktfBindingsInCdktn();"
      : ""
}
app.synth();
`;
    const run = (variant: "DnsFailover" | "enable" | "nothing") => {
      const p = project("{}", ["dependencies", "cdktn", "cdktf", "constructs", "@cdktf/provider-cloudflare"]);
      fs.writeFileSync(path.join(p.dir, "main.js"), main(variant));
      try {
        execFileSync(process.execPath, ["main.js"], { cwd: p.dir, encoding: "utf8", stdio: "pipe", env: { ...process.env, RUNLATER_IAC_QUIET: "1" } });
      } catch (e) {
        return { error: String((e as { stderr?: string }).stderr) };
      }
      return { json: JSON.parse(fs.readFileSync(path.join(p.dir, "out", "stacks", "failover", "cdk.tf.json"), "utf8")) };
    };

    it("with DnsFailover given the record: synthesizes (the record's core is adapted)", () => {
      const { json, error } = run("DnsFailover");
      expect(error).toBeUndefined();
      expect(json.resource.cloudflare_dns_record.www.lifecycle).toEqual({ ignore_changes: ["content"] });
      expect(json["//"].metadata.version).toBe(require("cdktn/package.json").version);
      expect(Object.keys(json.resource.restful_resource).length).toBeGreaterThan(2);
    });

    it("without DnsFailover: cdktn's TypeError, unless enableCdktfBindingsInCdktn() is called", () => {
      expect(run("nothing").error).toMatch(/TypeError: e\._resetResolveDiscoveredProviderFeatureUsage is not a function/);
      const { json, error } = run("enable");
      expect(error).toBeUndefined();
      expect(json.resource.cloudflare_dns_record.www).toMatchObject({ zone_id: "023e105f4ecef8ad9ca31a8372d0c353", content: "198.51.100.10" });
    });
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
