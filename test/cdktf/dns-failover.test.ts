// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform interpolations ("${var.x}") are expected literally.
import * as fs from "node:fs";
import * as path from "node:path";
import { buildDnsUpdateRequest } from "../../lib/dns";
import { CORES, loadOn, newStack, resourcesByName, synthJson, writeOnlyByName } from "./cores";

/** Secret values the stack must never contain: given through the environment only. */
const SECRETS = {
  TF_VAR_runlater_api_key: "pk_live_SENTINELRUNLATER0000000.sk_live_SENTINELRUNLATERSECRET00000000",
  TF_VAR_cloudflare_api_token: "cf-SENTINEL-dns-token-0000000000000000000",
  RUNLATER_API_KEY: "pk_live_SENTINELENVKEY00000000.sk_live_SENTINELENVSECRET000000000000",
  CLOUDFLARE_API_TOKEN: "cf-SENTINEL-env-token-111111111111111111111",
};

const EXAMPLE_CONFIG = {
  runlaterApiUrl: "http://127.0.0.1:4010/api/v1",
  cloudflareApiUrl: "http://127.0.0.1:4010/client/v4",
  zoneId: "023e105f4ecef8ad9ca31a8372d0c353",
  recordName: "www.example.com",
  primary: "198.51.100.10",
  backup: "203.0.113.50",
  healthUrl: "https://primary.example.com/health",
  cron: "* * * * *",
  ttl: 60,
  failback: "auto" as const,
  statePath: "/var/lib/runlater-iac/terraform.cdktf-failover.tfstate",
};

/** Header names as the `converge` wiring stores them (lower case). */
const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
/** The objects of the default (`converge`) wiring. */
const CONVERGE_OBJECTS = ["failover", "recovery", "latch", "latch-2", "relay", "probe", "health", "pulse"];

describe.each(CORES)("DnsFailover [%s]", (coreName) => {
  const l = loadOn(coreName);
  const { Testing, TerraformVariable, TerraformResource } = l.core;
  const { CloudflareDnsRecord, CloudflareProvider, DnsFailover, RestfulProvider, RestfulResource } = l.lib;

  const base = () => {
    const stack = newStack(l);
    new RestfulProvider(stack, "runlater", {});
    new CloudflareProvider(stack, "cloudflare", {});
    const token = new TerraformVariable(stack, "dns_api_token", { type: "string", sensitive: true });
    return { stack, token: token.stringValue };
  };
  const record = (stack: any, lifecycle?: any) =>
    new CloudflareDnsRecord(stack, "www", {
      zoneId: "023e105f4ecef8ad9ca31a8372d0c353",
      name: "www.example.com",
      type: "A",
      content: "198.51.100.10",
      ttl: 60,
      lifecycle,
    });
  const common = { healthCheck: { url: "https://primary.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50" };
  const warnings = (c: any) => c.node.metadata.filter((m: any) => m.type === "@cdktf/warn").map((m: any) => String(m.data));

  describe("the example stack (examples/cdktf-failover)", () => {
    const saved: Record<string, string | undefined> = {};
    beforeAll(() => {
      for (const [k, v] of Object.entries(SECRETS)) {
        saved[k] = process.env[k];
        process.env[k] = v;
      }
    });
    afterAll(() => {
      for (const k of Object.keys(SECRETS)) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    });
    const build = () => {
      const app = Testing.app();
      return new l.example.FailoverStack(app, "cdktf-failover", EXAMPLE_CONFIG);
    };

    it("matches the snapshot", () => {
      expect(JSON.parse(Testing.synth(build(), true))).toMatchSnapshot();
    });

    it("contains no secret value anywhere in the synthesized output", () => {
      const text = Testing.synth(build(), true);
      const outdir = Testing.fullSynth(build());
      const files: string[] = [];
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else files.push(fs.readFileSync(p, "utf8"));
        }
      };
      walk(outdir);
      expect(files.length).toBeGreaterThan(0);
      for (const secret of Object.values(SECRETS)) {
        expect(text).not.toContain(secret);
        for (const f of files) expect(f).not.toContain(secret);
      }
      // The credentials are references to sensitive variables without defaults.
      const json = JSON.parse(text);
      expect(json.variable.runlater_api_key).toMatchObject({ sensitive: true });
      expect(json.variable.cloudflare_api_token).toMatchObject({ sensitive: true });
      expect(json.variable.runlater_api_key.default).toBeUndefined();
      expect(json.variable.cloudflare_api_token.default).toBeUndefined();
      expect(json.provider.restful[0].security.http.token.token).toBe("${var.runlater_api_key}");
      expect(json.provider.cloudflare[0].api_token).toBe("${var.cloudflare_api_token}");
      for (const r of Object.values<any>(json.resource.restful_resource)) {
        expect(JSON.stringify(r.body)).not.toContain("var.cloudflare_api_token"); // only in the write-only PATCH
        expect(r).not.toHaveProperty("ephemeral_body");
      }
    });

    it("wires record ids by reference into the stored request and inbound URLs into the task", () => {
      const json = JSON.parse(Testing.synth(build(), true));
      const r = resourcesByName(json, "restful_resource");
      const url = "http://127.0.0.1:4010/client/v4/zones/${cloudflare_dns_record.www.zone_id}/dns_records/${cloudflare_dns_record.www.id}";
      expect(r["www-failover failover"].body).toMatchObject({ forward_urls: [url], forward_method: "PATCH", forward_body: '{"content":"203.0.113.50","ttl":60,"proxied":false}' });
      expect(r["www-failover recovery"].body).toMatchObject({ forward_urls: [url], forward_body: '{"content":"198.51.100.10","ttl":60,"proxied":false}' });
      // converge: lower-case names, so they override what the sender of the inbound URL sent.
      expect(writeOnlyByName(json)["www-failover failover"].forward_headers).toEqual({
        authorization: "Bearer ${var.cloudflare_api_token}",
        "content-type": "application/json",
      });
      const ids = Object.fromEntries(Object.entries<any>(json.resource.restful_resource).map(([id, x]) => [x.body.name, id]));
      expect(r["www-failover health"].body).toMatchObject({
        on_failure_url: `\${restful_resource.${ids["www-failover failover"]}.sensitive_output.inbound_url}`,
        on_recovery_url: `\${restful_resource.${ids["www-failover recovery"]}.sensitive_output.inbound_url}`,
        expected_status_codes: "200",
        timeout_ms: 10000,
      });
      expect(json.resource.cloudflare_dns_record.www.lifecycle).toEqual({ ignore_changes: ["content"] });
      expect(json.terraform.backend.local.path).toBe(EXAMPLE_CONFIG.statePath);
    });

    it("reads its settings from the environment", () => {
      const cfg = l.example.configFromEnv({ RUNLATER_API_URL: "http://127.0.0.1:9/api/v1", FAILOVER_TTL: "120", FAILOVER_FAILBACK: "manual" });
      expect(cfg).toMatchObject({ runlaterApiUrl: "http://127.0.0.1:9/api/v1", ttl: 120, failback: "manual", zoneId: expect.stringMatching(/^[0-9a-f]{32}$/) });
      expect(path.isAbsolute(cfg.statePath)).toBe(true);
    });
  });

  it("builds each stored request with the shared DNS adapter (buildDnsUpdateRequest)", () => {
    const { stack, token } = base();
    const dns = { provider: "cloudflare" as const, zoneId: "023e105f4ecef8ad9ca31a8372d0c353", recordId: "372e67954025e0ba6aaa6d586b9e0b59", apiToken: token };
    new DnsFailover(stack, "f", { ...common, dns });
    const json = synthJson(l, stack, true);
    const r = resourcesByName(json, "restful_resource");
    const expected = buildDnsUpdateRequest({ ...dns, apiToken: "${var.dns_api_token}" }, "203.0.113.50");
    expect(r["f failover"].body).toMatchObject({ forward_urls: [expected.url], forward_method: expected.method, forward_body: expected.body });
    expect(writeOnlyByName(json)["f failover"].forward_headers).toEqual(lower(expected.headers));
    expect(expected.headers.Authorization).toBe("Bearer ${var.dns_api_token}");
  });

  describe("record guard", () => {
    it("adds content to an existing ignoreChanges list and says so", () => {
      const { stack, token } = base();
      const rec = record(stack, { ignoreChanges: ["comment"], preventDestroy: true });
      const f = new DnsFailover(stack, "f", { ...common, record: rec, dnsApiToken: token });
      const json = synthJson(l, stack, true);
      expect(Testing.toHaveResourceWithProperties(JSON.stringify(json), CloudflareDnsRecord.tfResourceType, {
        lifecycle: { ignore_changes: ["comment", "content"], prevent_destroy: true },
      })).toBe(true);
      expect(warnings(f).join("\n")).toMatch(/added "content" to lifecycle\.ignoreChanges of the DNS record test\/www/);
    });

    it("leaves a record that already ignores content (or all) alone, without a warning", () => {
      for (const ic of [["content"], "all"] as const) {
        const { stack, token } = base();
        const rec = record(stack, { ignoreChanges: ic });
        const f = new DnsFailover(stack, "f", { ...common, record: rec, dnsApiToken: token });
        expect(synthJson(l, stack, true).resource.cloudflare_dns_record.www.lifecycle).toEqual({ ignore_changes: ic });
        expect(warnings(f).filter((w: string) => w.includes("ignoreChanges"))).toEqual([]);
      }
    });

    it('recordGuard "error" fails synthesis with the fix', () => {
      const { stack, token } = base();
      const rec = record(stack);
      new DnsFailover(stack, "f", { ...common, record: rec, dnsApiToken: token, recordGuard: "error" });
      expect(() => Testing.synth(stack, true)).toThrow(/does not ignore changes to `content`.*Fix: set `lifecycle: \{ ignoreChanges: \["content"\] \}` on the record \(test\/www\)/s);
      expect(rec.lifecycle).toBeUndefined();
    });

    it('recordGuard "error" passes when the record is fixed later, before synthesis', () => {
      const { stack, token } = base();
      const rec = record(stack);
      new DnsFailover(stack, "f", { ...common, record: rec, dnsApiToken: token, recordGuard: "error" });
      rec.lifecycle = { ignoreChanges: ["content"] };
      expect(() => Testing.synth(stack, true)).not.toThrow();
    });

    it('recordGuard "warn" only warns', () => {
      const { stack, token } = base();
      const rec = record(stack);
      const f = new DnsFailover(stack, "f", { ...common, record: rec, dnsApiToken: token, recordGuard: "warn" });
      expect(synthJson(l, stack, true).resource.cloudflare_dns_record.www.lifecycle).toBeUndefined();
      expect(warnings(f).join("\n")).toMatch(/does not ignore changes to content/);
    });

    it("fails synthesis if the fixed lifecycle is replaced afterwards", () => {
      const { stack, token } = base();
      const rec = record(stack);
      new DnsFailover(stack, "f", { ...common, record: rec, dnsApiToken: token });
      rec.lifecycle = { preventDestroy: true };
      expect(() => Testing.synth(stack, true)).toThrow(/does not ignore changes to `content`/);
    });
  });

  describe("DNS providers", () => {
    const VAR = "${var.dns_api_token}";
    const targets = (t: string) => ({
      cloudflare: { provider: "cloudflare", zoneId: "023e105f4ecef8ad9ca31a8372d0c353", recordId: "372e67954025e0ba6aaa6d586b9e0b59", apiToken: t },
      digitalocean: { provider: "digitalocean", domain: "example.com", recordId: 3352896, name: "www", ttl: 60, apiToken: t },
      hetzner: { provider: "hetzner", zone: "example.com", name: "www", apiToken: t },
      porkbun: { provider: "porkbun", domain: "example.com", subdomain: "www", apiKey: t, secretApiKey: t },
      generic: {
        provider: "generic",
        url: "https://dns.example.net/v1/records/www",
        method: "PUT",
        headers: { "X-Api-Key": t },
        body: { value: "{{content}}", ttl: 60 },
      },
    });

    it.each(["cloudflare", "digitalocean", "hetzner", "porkbun", "generic"])("%s synthesizes, credentials only in the write-only PATCH", (provider) => {
      const { stack, token } = base();
      const dns = (targets(token) as any)[provider];
      const f = new DnsFailover(stack, "f", { ...common, dns });
      const json = synthJson(l, stack, true);
      expect(f.dnsProvider).toBe(provider);
      const r = resourcesByName(json, "restful_resource");
      const w = writeOnlyByName(json);
      expect(Object.keys(r).sort()).toEqual(CONVERGE_OBJECTS.map((k) => `f ${k}`).sort());
      // The DNS endpoints carry the credentials; relay and probe send `{}` (clears any headers they had).
      expect(Object.keys(w).sort()).toEqual(["f failover", "f probe", "f recovery", "f relay"]);
      expect(w["f relay"]).toEqual({ forward_headers: {} });
      expect(w["f probe"]).toEqual({ forward_headers: {} });
      // The same target with the token as it resolves, to build the expected requests.
      const resolved = (targets(VAR) as any)[provider];
      for (const [label, content] of [["failover", "203.0.113.50"], ["recovery", "198.51.100.10"]] as const) {
        const ep = r[`f ${label}`];
        const req = buildDnsUpdateRequest(resolved, content);
        expect(ep.body.forward_urls).toEqual([req.url]);
        expect(ep.body.forward_method).toBe(req.method);
        expect(w[`f ${label}`].forward_headers).toEqual(lower(req.headers));
        if (req.bodyIsSecret) {
          expect(ep.body).not.toHaveProperty("forward_body");
          expect(w[`f ${label}`].forward_body).toBe(req.body);
        } else {
          expect(ep.body.forward_body).toBe(req.body);
        }
        expect(JSON.stringify(ep.body)).not.toContain("var.dns_api_token");
        expect(JSON.stringify(w[`f ${label}`])).toContain("${var.dns_api_token}");
      }
      expect(Testing.toHaveResourceWithProperties(JSON.stringify(json), RestfulResource.tfResourceType, { path: "/tasks" })).toBe(true);
    });

    it("renders number tokens as JSON numbers in stored bodies (Porkbun keeps its string TTL)", () => {
      const { stack, token } = base();
      const ttl = new TerraformVariable(stack, "ttl", { type: "number" });
      new DnsFailover(stack, "do", { ...common, dns: { provider: "digitalocean", domain: "example.com", recordId: 1, name: "www", ttl: ttl.numberValue, apiToken: token } });
      new DnsFailover(stack, "pb", { ...common, dns: { provider: "porkbun", domain: "example.com", ttl: ttl.numberValue, apiKey: token, secretApiKey: token } });
      const json = synthJson(l, stack, true);
      const r = resourcesByName(json, "restful_resource");
      expect(r["do failover"].body.forward_body).toBe('{"type":"A","data":"203.0.113.50","ttl":${var.ttl}}');
      expect(writeOnlyByName(json)["pb failover"].forward_body).toContain('"ttl":"${var.ttl}"');
    });
  });

  it('failback "manual" creates no recovery endpoint and no recovery hook', () => {
    const { stack, token } = base();
    const f = new DnsFailover(stack, "f", { ...common, record: record(stack, { ignoreChanges: ["content"] }), dnsApiToken: token, failback: "manual" });
    const r = resourcesByName(synthJson(l, stack, true), "restful_resource");
    expect(Object.keys(r).sort()).toEqual(["f failover", "f health", "f probe", "f pulse", "f relay"]);
    expect(r["f health"].body).not.toHaveProperty("on_recovery_url");
    expect(f.recoveryUrl).toBeUndefined();
    expect(f.recoveryEndpoint).toBeUndefined();
  });

  it("passes retryAttempts, name, health check settings and the provider through", () => {
    const { stack, token } = base();
    const other = new RestfulProvider(stack, "org2", { alias: "org2" });
    new DnsFailover(stack, "f", {
      ...common,
      name: "www",
      record: record(stack, { ignoreChanges: ["content"] }),
      dnsApiToken: token,
      retryAttempts: 5,
      provider: other,
      healthCheck: { url: "https://primary.example.com/healthz", cron: "*/2 * * * *", timeoutMs: 5000, expectedStatusCodes: [200, 204], expectedBodyPattern: "ok", method: "HEAD" },
    });
    const json = synthJson(l, stack, true);
    const r = resourcesByName(json, "restful_resource");
    // converge: the failover request never retries (the probe re-sends it); recovery gets them.
    expect(r["www failover"].body.retry_attempts).toBe(0);
    expect(r["www recovery"].body.retry_attempts).toBe(5);
    expect(r["www health"].body).toMatchObject({ url: "https://primary.example.com/healthz", cron_expression: "*/2 * * * *", timeout_ms: 5000, expected_status_codes: "200,204", expected_body_pattern: "ok", method: "HEAD" });
    for (const x of Object.values<any>(r)) expect(x.provider).toBe("restful.org2");
  });

  it("surfaces planFailover warnings as annotations", () => {
    const { stack, token } = base();
    const f = new DnsFailover(stack, "f", { ...common, healthCheck: { url: "https://primary.example.com/health", timeoutMs: 30000 }, record: record(stack, { ignoreChanges: ["content"] }), dnsApiToken: token });
    expect(warnings(f).join("\n")).toMatch(/healthCheck\.timeoutMs: 30000 ms is long/);
    expect(f.warnings.map((w) => w.field)).toContain("healthCheck.timeoutMs");
  });

  describe("validation", () => {
    const fieldsOf = (fn: () => unknown): string[] => {
      try {
        fn();
      } catch (e: any) {
        if (e.name !== "RunlaterValidationError") throw e;
        return e.issues.map((i: { field: string }) => i.field);
      }
      throw new Error("did not throw");
    };

    it("names the offending fields", () => {
      const { stack, token } = base();
      const rec = record(stack, { ignoreChanges: ["content"] });
      expect(fieldsOf(() => new DnsFailover(stack, "a", { ...common, primary: "primary.example.com", record: rec, dnsApiToken: token }))).toContain("primary");
      expect(fieldsOf(() => new DnsFailover(stack, "b", { ...common, backup: "2001:db8::1", record: rec, dnsApiToken: token }))).toContain("backup");
      expect(fieldsOf(() => new DnsFailover(stack, "c", { ...common, record: rec }))).toEqual(["dnsApiToken"]);
      expect(fieldsOf(() => new DnsFailover(stack, "d", { ...common, record: rec, dnsApiToken: token, dns: { provider: "hetzner", zone: "example.com", name: "www", apiToken: token } }))).toEqual(["record"]);
      expect(fieldsOf(() => new DnsFailover(stack, "e", { ...common }))).toEqual(["record"]);
      expect(fieldsOf(() => new DnsFailover(stack, "f", { ...common, record: rec, dnsApiToken: token, failback: "sometimes" as never }))).toEqual(["failback"]);
      expect(fieldsOf(() => new DnsFailover(stack, "g", { ...common, dns: { provider: "route53" } as never }))).toContain("dns.provider");
      expect(fieldsOf(() => new DnsFailover(stack, "h", { ...common, dns: { provider: "cloudflare", zoneId: "example.com", recordId: "r", apiToken: token } }))).toContain("dns.zoneId");
    });

    it("refuses literal credentials, naming the field", () => {
      const { stack } = base();
      const rec = record(stack, { ignoreChanges: ["content"] });
      expect(() => new DnsFailover(stack, "a", { ...common, record: rec, dnsApiToken: "cf-literal-token" })).toThrow(/dnsApiToken must not be a literal/);
      expect(() => new DnsFailover(stack, "b", { ...common, dns: { provider: "digitalocean", domain: "example.com", recordId: 1, name: "www", apiToken: "dop_v1_literal" } })).toThrow(/dns\.apiToken must not be a literal/);
      expect(() => new DnsFailover(stack, "c", { ...common, dns: { provider: "porkbun", domain: "example.com", apiKey: "${var.k}", secretApiKey: "sk1_literal" } })).toThrow(/dns\.secretApiKey must not be a literal/);
      expect(
        () => new DnsFailover(stack, "d", { ...common, dns: { provider: "generic", url: "https://dns.example.net/x", method: "PUT", headers: { Authorization: "Bearer literal" }, body: "{{content}}" } }),
      ).toThrow(/dns\.headers\.Authorization:? carries a credential as a literal/);
    });
  });

  describe("prebuilt @cdktf/provider-cloudflare DnsRecord", () => {
    /** Shaped like the generated binding (lib/dns-record/index.js of @cdktf/provider-cloudflare 13.9.1). */
    class GeneratedLikeDnsRecord extends TerraformResource {
      static readonly tfResourceType = "cloudflare_dns_record";
      constructor(scope: any, id: string, private readonly cfg: { zoneId: string; name: string; type: string; ttl: number; content?: string; lifecycle?: any }) {
        super(scope, id, { terraformResourceType: "cloudflare_dns_record", lifecycle: cfg.lifecycle });
      }
      get id() { return this.getStringAttribute("id"); }
      get zoneId() { return this.getStringAttribute("zone_id"); }
      get zoneIdInput() { return this.cfg.zoneId; }
      get name() { return this.getStringAttribute("name"); }
      get nameInput() { return this.cfg.name; }
      get type() { return this.getStringAttribute("type"); }
      get typeInput() { return this.cfg.type; }
      get ttl() { return this.getNumberAttribute("ttl"); }
      get ttlInput() { return this.cfg.ttl; }
      get proxied() { return this.getBooleanAttribute("proxied"); }
      get proxiedInput() { return undefined; }
      protected override synthesizeAttributes() {
        return { zone_id: this.cfg.zoneId, name: this.cfg.name, type: this.cfg.type, ttl: this.cfg.ttl, content: this.cfg.content };
      }
    }

    it("is accepted structurally: ids by reference, lifecycle fixed", () => {
      const { stack, token } = base();
      const rec = new GeneratedLikeDnsRecord(stack, "gen", { zoneId: "023e105f4ecef8ad9ca31a8372d0c353", name: "www.example.com", type: "A", ttl: 60, content: "198.51.100.10" });
      new DnsFailover(stack, "f", { ...common, record: rec, dnsApiToken: token });
      const json = synthJson(l, stack, true);
      expect(json.resource.cloudflare_dns_record.gen.lifecycle).toEqual({ ignore_changes: ["content"] });
      expect(resourcesByName(json, "restful_resource")["f failover"].body.forward_urls[0]).toBe(
        "https://api.cloudflare.com/client/v4/zones/${cloudflare_dns_record.gen.zone_id}/dns_records/${cloudflare_dns_record.gen.id}",
      );
    });

    it("interoperates with the real package (a dev dependency; on cdktn through the record's adapted core)", () => {
      // Submodules: the package's root index loads all ~560 resource modules. See provider-cloudflare.test.ts for every combination.
      const pkg = { provider: require("@cdktf/provider-cloudflare/lib/provider"), dnsRecord: require("@cdktf/provider-cloudflare/lib/dns-record") };
      const { stack, token } = base();
      new pkg.provider.CloudflareProvider(stack, "cf", {});
      const rec = new pkg.dnsRecord.DnsRecord(stack, "www", { zoneId: "023e105f4ecef8ad9ca31a8372d0c353", name: "www.example.com", type: "A", ttl: 60, content: "198.51.100.10" });
      new DnsFailover(stack, "f", { ...common, record: rec, dnsApiToken: token });
      const json = synthJson(l, stack, true);
      expect(json.resource.cloudflare_dns_record.www.lifecycle.ignore_changes).toContain("content");
      expect(json.terraform.required_providers.cloudflare.version).toBe("5.14.0");
    });
  });
});
