/**
 * The packed package type-checks in fresh projects made from the engines' own templates:
 * subpath imports (`runlater-iac/pulumi`, `runlater-iac/cdktf`, …) under node10 (CommonJS
 * templates), nodenext and bundler resolution, and the CDKTF bindings with only one core
 * installed (cdktf alone, or cdktn alone).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { cleanup, type LinkedPackage, pending, project, TEMPLATES } from "./support";

jest.setTimeout(180_000);
afterAll(() => {
  const dirs = [...pending()];
  cleanup();
  for (const d of dirs) expect(fs.existsSync(d)).toBe(false);
});

const PULUMI_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DnsFailover, ForwardEndpoint, HealthCheckTask } from "runlater-iac/pulumi";
import { RunlaterClient } from "runlater-iac/runlater";
import type { DnsTarget } from "runlater-iac/dns";
import type { Emulator } from "runlater-iac/emulator";
import * as root from "runlater-iac";

const config = new pulumi.Config();
const dns: DnsTarget = {
  provider: "generic",
  url: "https://dns.example.com/records/www",
  method: "PUT",
  body: '{"content":"{{content}}"}',
};
const failover = new DnsFailover("www", {
  healthCheck: { url: "https://primary.example.com/health" },
  primary: "198.51.100.10",
  backup: "203.0.113.50",
  dns,
});
const task = new HealthCheckTask("extra", { url: "https://primary.example.com/health", cron: "*/5 * * * *" });
const endpoint = new ForwardEndpoint("hook", { forwardUrls: [config.require("hookUrl")] });
const client: RunlaterClient = new root.RunlaterClient({ apiKey: "k" });
let emulator: Emulator | undefined;
export const out = { taskId: failover.taskId, other: task.taskId, inbound: endpoint.inboundUrl, client: typeof client, emulator };
`;

/** Uses what broke for cdktn-only users: meta-arguments on the config (TS2353), the construct tree (TS2741). */
function cdkProgram(core: "cdktf" | "cdktn"): string {
  return `import { Construct } from "constructs";
import { App, TerraformOutput, TerraformStack, TerraformVariable } from "${core}";
import { CloudflareDnsRecord, CloudflareProvider, DnsFailover, RestfulProvider, coreName } from "runlater-iac/cdktf";

class Failover extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const runlater = new RestfulProvider(this, "runlater", {});
    const token = new TerraformVariable(this, "cloudflare_api_token", { type: "string", sensitive: true });
    const cloudflare = new CloudflareProvider(this, "cloudflare", { apiToken: token.stringValue });
    const record = new CloudflareDnsRecord(this, "www", {
      zoneId: "023e105f4ecef8ad9ca31a8372d0c353", name: "www.example.com", type: "A",
      content: "198.51.100.10", ttl: 60, provider: cloudflare, lifecycle: { ignoreChanges: ["content"] },
    });
    const failover = new DnsFailover(this, "www-failover", {
      healthCheck: { url: "https://primary.example.com/health" },
      primary: "198.51.100.10", backup: "203.0.113.50",
      record, dnsApiToken: token.stringValue, provider: runlater,
    });
    const scope2: Construct = record;
    new TerraformOutput(this, "path", { value: scope2.node.path + failover.node.id + record.fqn + coreName() });
  }
}
const app = new App();
new Failover(app, "failover");
app.synth();
`;
}

/** A cdktn app with @cdktf/provider-cloudflare's record and provider (imported by submodule: the root index is ~560 modules). */
const CDKTN_OFFICIAL_RECORD_PROGRAM = `import { Construct } from "constructs";
import { App, TerraformStack, TerraformVariable } from "cdktn";
import { DnsRecord } from "@cdktf/provider-cloudflare/lib/dns-record";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { DnsFailover, RestfulProvider, enableCdktfBindingsInCdktn } from "runlater-iac/cdktf";

class Failover extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new RestfulProvider(this, "runlater", {});
    const token = new TerraformVariable(this, "cloudflare_api_token", { type: "string", sensitive: true });
    new CloudflareProvider(this, "cloudflare", { apiToken: token.stringValue });
    const record = new DnsRecord(this, "www", {
      zoneId: "023e105f4ecef8ad9ca31a8372d0c353", name: "www.example.com", type: "A",
      content: "198.51.100.10", ttl: 60, lifecycle: { ignoreChanges: ["content"] },
    });
    new DnsFailover(this, "www-failover", {
      healthCheck: { url: "https://primary.example.com/health" },
      primary: "198.51.100.10", backup: "203.0.113.50",
      record, dnsApiToken: token.stringValue,
    });
  }
}
const adapted: boolean = enableCdktfBindingsInCdktn(DnsRecord);
const app = new App();
new Failover(app, "failover");
if (adapted) app.synth();
`;

const PULUMI_LINKS: LinkedPackage[] = ["@pulumi/pulumi", "@types/node"];

describe("subpath imports resolve in the engines' template projects", () => {
  it.each([
    ["pulumi new typescript (CommonJS, node10)", TEMPLATES.pulumiCommonJs],
    ["pulumi new typescript (nodenext)", TEMPLATES.pulumiNodeNext],
    ["bundler resolution", TEMPLATES.bundler],
  ])("runlater-iac/pulumi, /runlater, /dns, /emulator and the root: %s", (_label, tsconfig) => {
    const p = project(tsconfig, PULUMI_LINKS);
    p.write("index.ts", PULUMI_PROGRAM);
    const r = p.typecheck();
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  });

  it.each([
    ["cdktf init (CommonJS, node10)", "cdktf", TEMPLATES.cdktf],
    ["cdktn init (CommonJS, node10)", "cdktn", TEMPLATES.cdktn],
    ["cdktf init's tsconfig (CommonJS, node10, skipLibCheck), cdktn", "cdktn", TEMPLATES.cdktf],
    ["bundler resolution, cdktf", "cdktf", TEMPLATES.bundler],
    ["bundler resolution, cdktn", "cdktn", TEMPLATES.bundler],
  ] as const)("runlater-iac/cdktf with only one core installed: %s", (_label, core, tsconfig) => {
    const links: LinkedPackage[] = [core, "constructs", "@types/node", "@types/jest"];
    const p = project(tsconfig, links);
    p.write("main.ts", cdkProgram(core));
    const r = p.typecheck();
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  });

  it.each([
    ["cdktn init", TEMPLATES.cdktn],
    ["cdktf init", TEMPLATES.cdktf],
  ])("a cdktn app passing @cdktf/provider-cloudflare's DnsRecord to DnsFailover type-checks (%s's tsconfig)", (_label, tsconfig) => {
    const p = project(tsconfig, ["cdktn", "cdktf", "constructs", "@cdktf/provider-cloudflare", "@types/node", "@types/jest"]);
    p.write("main.ts", CDKTN_OFFICIAL_RECORD_PROGRAM);
    const r = p.typecheck();
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  });

  it("a .d.ts that takes its types from cdktf breaks a cdktn-only project as issue 13 saw it (the check can fail)", () => {
    // What the .d.ts files did before core-types.ts: every alias is cdktf's type, unresolved without cdktf.
    const p = project(TEMPLATES.cdktf, ["cdktn", "constructs", "@types/node", "@types/jest"]);
    const file = path.join(p.dir, "node_modules", "runlater-iac", "dist", "cdktf", "core-types.d.ts");
    const text = fs.readFileSync(file, "utf8");
    const broken = text.replace(/type NoCdktf = .*?\? true : false;/s, "type NoCdktf = false;");
    expect(broken).not.toBe(text);
    fs.writeFileSync(file, broken);
    p.write("main.ts", cdkProgram("cdktn"));
    const r = p.typecheck();
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/main\.ts.*error TS2353: Object literal may only specify known properties, and '(provider|lifecycle)' does not exist in type 'CloudflareDnsRecordConfig'/); // the first meta-argument of the program
    expect(r.output).toMatch(/main\.ts.*error TS2741: Property 'node' is missing/);
  });

  it("without typesVersions a node10 project cannot find the subpaths (the check can fail)", () => {
    const p = project(TEMPLATES.pulumiCommonJs, PULUMI_LINKS);
    const pkgFile = path.join(p.dir, "node_modules", "runlater-iac", "package.json");
    const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8"));
    delete pkg.typesVersions;
    fs.writeFileSync(pkgFile, JSON.stringify(pkg));
    p.write("index.ts", PULUMI_PROGRAM);
    const r = p.typecheck();
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/TS2307: Cannot find module 'runlater-iac\/pulumi'/);
  });
});

describe("one CDKTF core alone, also without skipLibCheck", () => {
  it("no module of lib/cdktf takes types from a core directly (only core-types.ts does)", () => {
    const dir = path.join(__dirname, "..", "..", "lib", "cdktf");
    const direct = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".ts") && f !== "core-types.ts")
      .filter((f) => /from "(cdktf|cdktn)"|import\("(cdktf|cdktn)"\)/.test(fs.readFileSync(path.join(dir, f), "utf8")));
    expect(direct).toEqual([]);
  });

  const strict = JSON.stringify({
    compilerOptions: { strict: true, target: "es2022", lib: ["es2022"], module: "commonjs", types: ["node"] },
    files: ["main.ts"],
  });

  it.each(["cdktf", "cdktn"] as const)("only %s + constructs: the .d.ts files compile and type the meta-arguments", (core) => {
    const p = project(strict, [core, "constructs", "@types/node"]);
    p.write("main.ts", cdkProgram(core));
    const r = p.typecheck();
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  });

  it("a wrong meta-argument is still an error (the types are not `any`)", () => {
    const p = project(strict, ["cdktn", "constructs", "@types/node"]);
    p.write("main.ts", cdkProgram("cdktn").replace('lifecycle: { ignoreChanges: ["content"] }', "lifecycle: { ignoreChange: 1 }"));
    const r = p.typecheck();
    expect(r.output).toMatch(/main\.ts.*error TS2353|main\.ts.*error TS2561/);
  });

  it("the unused core's import is what the @ts-ignore tags cover (the check can fail)", () => {
    const p = project(strict, ["cdktn", "constructs", "@types/node"]);
    const file = path.join(p.dir, "node_modules", "runlater-iac", "dist", "cdktf", "core-types.d.ts");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/\/\*\* @ts-ignore[^\n]*\n/g, ""));
    p.write("main.ts", cdkProgram("cdktn"));
    const r = p.typecheck();
    expect(r.output).toMatch(/core-types\.d\.ts.*TS2307: Cannot find module 'cdktf'/);
  });
});
