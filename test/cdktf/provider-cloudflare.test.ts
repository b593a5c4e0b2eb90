// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform interpolations ("${var.x}") are expected literally.
/**
 * Which Cloudflare record bindings work in which app, each combination synthesized with a real
 * `App.synth()` (what `node main.ts` / `cdktn synth` run):
 *
 * | app core | runlater-iac core        | record                                 | result |
 * | cdktf    | cdktf                    | @cdktf/provider-cloudflare `DnsRecord`  | works  |
 * | cdktf    | cdktn (auto, both there) | @cdktf/provider-cloudflare `DnsRecord`  | works  |
 * | cdktn    | cdktn                    | @cdktf/provider-cloudflare `DnsRecord`  | works: DnsFailover adapts the record's core |
 * | cdktn    | —                        | @cdktf/provider-cloudflare alone        | fails (cdktn's TypeError) until enableCdktfBindingsInCdktn() |
 * | cdktn    | cdktf (forced)           | CloudflareDnsRecord                     | works: DnsFailover adapts its own core |
 * | either   | same as the app          | CloudflareDnsRecord                     | works (also dns-failover.test.ts) |
 *
 * @cdktf/provider-cloudflare 13.9.1 is a dev dependency; its submodules are required directly
 * (`lib/dns-record`, `lib/provider`): its root index loads all ~560 resource modules (seconds).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as Lib from "../../lib/cdktf";

type Core = "cdktf" | "cdktn";

/** Everything loaded in one fresh module registry, so no test sees another's adapted prototype. */
interface World {
  lib: typeof Lib;
  cdktf: typeof import("cdktf");
  cdktn: typeof import("cdktn");
  cf: {
    DnsRecord: typeof import("@cdktf/provider-cloudflare/lib/dns-record").DnsRecord;
    CloudflareProvider: typeof import("@cdktf/provider-cloudflare/lib/provider").CloudflareProvider;
  };
}

/**
 * Runs `body` in a fresh module registry with runlater-iac resolved on `libCore`. The body runs
 * inside `jest.isolateModules`, so what the library requires lazily (`cdktf` in
 * `enableCdktfBindingsInCdktn()`) is the same copy the provider package uses, as in a real app.
 */
function inWorld(libCore: Core | "auto", body: (w: World) => void): void {
  const prev = process.env.RUNLATER_CDKTF_CORE;
  if (libCore === "auto") delete process.env.RUNLATER_CDKTF_CORE;
  else process.env.RUNLATER_CDKTF_CORE = libCore;
  try {
    jest.isolateModules(() => {
      const w: World = {
        lib: require("../../lib/cdktf"),
        cdktf: require("cdktf"),
        cdktn: require("cdktn"),
        cf: {
          DnsRecord: require("@cdktf/provider-cloudflare/lib/dns-record").DnsRecord,
          CloudflareProvider: require("@cdktf/provider-cloudflare/lib/provider").CloudflareProvider,
        },
      };
      body(w);
    });
  } finally {
    if (prev === undefined) delete process.env.RUNLATER_CDKTF_CORE;
    else process.env.RUNLATER_CDKTF_CORE = prev;
  }
}

const outdirs: string[] = [];
afterAll(() => {
  for (const d of outdirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A real app of `core` writing to a temp outdir; `synth()` returns the stack's cdk.tf.json. */
function app(w: World, core: Core) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "rl-cfapp-"));
  outdirs.push(outdir);
  const m = w[core];
  const a = new m.App({ outdir });
  const stack = new m.TerraformStack(a, "s");
  return {
    m,
    stack,
    synth(): any {
      a.synth();
      return JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "s", "cdk.tf.json"), "utf8"));
    },
  };
}

const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const RECORD = { zoneId: ZONE, name: "www.example.com", type: "A", ttl: 60, content: "198.51.100.10" };
const COMMON = { healthCheck: { url: "https://primary.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50" };
const HOOK_ERROR = /_resetResolveDiscoveredProviderFeatureUsage is not a function/;

/** The stack of every working combination: an official record and provider, a DnsFailover on them. */
function officialRecordStack(w: World, appCore: Core) {
  const a = app(w, appCore);
  new w.lib.RestfulProvider(a.stack, "runlater", {});
  new w.cf.CloudflareProvider(a.stack, "cloudflare", { baseUrl: "http://127.0.0.1:4010/client/v4" });
  const token = new a.m.TerraformVariable(a.stack, "cloudflare_api_token", { type: "string", sensitive: true });
  const record = new w.cf.DnsRecord(a.stack, "www", RECORD);
  const failover = new w.lib.DnsFailover(a.stack, "www-failover", { ...COMMON, record, dnsApiToken: token.stringValue });
  return { ...a, record, failover };
}

/** What a working combination synthesizes: the record with its guard, and the stored request on its ids. */
function expectFailoverOnOfficialRecord(json: any): void {
  expect(json.resource.cloudflare_dns_record.www).toMatchObject({ ...snake(RECORD), lifecycle: { ignore_changes: ["content"] } });
  expect(json.terraform.required_providers.cloudflare).toEqual({ source: "cloudflare/cloudflare", version: "5.14.0" });
  const failover = Object.values<any>(json.resource.restful_resource).find((r) => r.body.name === "www-failover failover");
  expect(failover.body.forward_urls).toEqual([
    "http://127.0.0.1:4010/client/v4/zones/${cloudflare_dns_record.www.zone_id}/dns_records/${cloudflare_dns_record.www.id}",
  ]);
  expect(failover.body.forward_body).toBe('{"content":"203.0.113.50","ttl":60}'); // proxied not configured: left as it is
}

function snake(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}

describe("@cdktf/provider-cloudflare DnsRecord with DnsFailover", () => {
  it("cdktf app, runlater-iac on cdktf: works", () => {
    inWorld("cdktf", (w) => {
      const s = officialRecordStack(w, "cdktf");
      expect(w.lib.coreName()).toBe("cdktf");
      expectFailoverOnOfficialRecord(s.synth());
    });
  });

  it("cdktf app, runlater-iac on cdktn (auto: both cores installed): works", () => {
    inWorld("auto", (w) => {
      expect(w.lib.coreName()).toBe("cdktn");
      const s = officialRecordStack(w, "cdktf");
      expectFailoverOnOfficialRecord(s.synth());
    });
  });

  it("cdktn app, runlater-iac on cdktn: works, because DnsFailover adapts the record's core", () => {
    inWorld("cdktn", (w) => {
      const hook = w.lib.CDKTN_ELEMENT_HOOK as keyof object;
      expect(hook in w.cdktf.TerraformElement.prototype).toBe(false);
      const s = officialRecordStack(w, "cdktn");
      expect(hook in w.cdktf.TerraformElement.prototype).toBe(true);
      expectFailoverOnOfficialRecord(s.synth());
    });
  });

  it("cdktn app, a record in `records`: adapted too", () => {
    inWorld("cdktn", (w) => {
      const a = app(w, "cdktn");
      new w.lib.RestfulProvider(a.stack, "runlater", {});
      new w.cf.CloudflareProvider(a.stack, "cloudflare", {});
      const token = new a.m.TerraformVariable(a.stack, "t", { type: "string", sensitive: true });
      const www = new w.cf.DnsRecord(a.stack, "www", RECORD);
      const api = new w.cf.DnsRecord(a.stack, "api", { ...RECORD, name: "api.example.com" });
      new w.lib.DnsFailover(a.stack, "f", { ...COMMON, records: [{ record: www }, { record: api }], dnsApiToken: token.stringValue });
      const json = a.synth();
      expect(json.resource.cloudflare_dns_record.api.lifecycle).toEqual({ ignore_changes: ["content"] });
      expect(json.resource.cloudflare_dns_record.www.lifecycle).toEqual({ ignore_changes: ["content"] });
    });
  });

  it("cdktn app, runlater-iac forced to cdktf, CloudflareDnsRecord: works, because DnsFailover adapts its own core", () => {
    inWorld("cdktf", (w) => {
      const a = app(w, "cdktn");
      new w.lib.RestfulProvider(a.stack, "runlater", {});
      new w.lib.CloudflareProvider(a.stack, "cloudflare", { baseUrl: "http://127.0.0.1:4010/client/v4" });
      const token = new a.m.TerraformVariable(a.stack, "cloudflare_api_token", { type: "string", sensitive: true });
      const record = new w.lib.CloudflareDnsRecord(a.stack, "www", RECORD);
      new w.lib.DnsFailover(a.stack, "www-failover", { ...COMMON, record, dnsApiToken: token.stringValue });
      expectFailoverOnOfficialRecord(a.synth());
    });
  });

  it("cdktn app, runlater-iac forced to cdktf, without DnsFailover: cdktn's TypeError (what the adaptation fixes)", () => {
    inWorld("cdktf", (w) => {
      const a = app(w, "cdktn");
      new w.lib.CloudflareProvider(a.stack, "cloudflare", {});
      new w.lib.CloudflareDnsRecord(a.stack, "www", RECORD);
      expect(() => a.synth()).toThrow(HOOK_ERROR);
    });
  });
});

describe("@cdktf/provider-cloudflare alone in a cdktn app (no DnsFailover)", () => {
  const build = (w: World, core: Core) => {
    const a = app(w, core);
    new w.cf.CloudflareProvider(a.stack, "cloudflare", {});
    const r = new w.cf.DnsRecord(a.stack, "www", { ...RECORD, lifecycle: { ignoreChanges: ["content"] } });
    new a.m.TerraformOutput(a.stack, "id", { value: r.id });
    new a.m.TerraformOutput(a.stack, "name", { value: a.m.Fn.upper(r.name) });
    return a;
  };
  /** The stack without what differs by core: the core's version and the local backend's path. */
  const comparable = (json: any) => {
    const { "//": meta, terraform, ...rest } = json;
    return { rest, providers: terraform.required_providers, backend: Object.keys(terraform.backend), stackName: meta.metadata.stackName };
  };

  it("fails at synth with cdktn's TypeError (cdktn 0.24 calls a member cdktf elements lack)", () => {
    inWorld("cdktn", (w) => {
      const a = build(w, "cdktn");
      expect(() => a.synth()).toThrow(HOOK_ERROR);
    });
  });

  it("synthesizes after enableCdktfBindingsInCdktn(), to the same JSON as in a cdktf app", () => {
    inWorld("cdktn", (w) => {
      expect(w.lib.enableCdktfBindingsInCdktn()).toBe(true);
      expect(w.lib.enableCdktfBindingsInCdktn()).toBe(false); // idempotent
      const onCdktn = build(w, "cdktn").synth();
      const onCdktf = build(w, "cdktf").synth(); // the adaptation changes nothing for cdktf, which never calls the member
      expect(onCdktn.resource.cloudflare_dns_record.www.lifecycle).toEqual({ ignore_changes: ["content"] });
      expect(comparable(onCdktn)).toEqual(comparable(onCdktf));
      expect(onCdktn["//"].metadata.version).toBe(require("cdktn/package.json").version);
    });
  });

  it("enableCdktfBindingsInCdktn(DnsRecord) adapts that class's core; cdktn's own classes need nothing", () => {
    inWorld("cdktn", (w) => {
      expect(w.lib.enableCdktfBindingsInCdktn(w.cdktn.TerraformResource)).toBe(false);
      expect(w.lib.enableCdktfBindingsInCdktn(w.cf.DnsRecord)).toBe(true);
      expect(() => build(w, "cdktn").synth()).not.toThrow();
      expect(() => w.lib.enableCdktfBindingsInCdktn({})).toThrow(/expected a CDKTF element/);
    });
  });
});
