// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform interpolations ("${var.x}") are expected literally.
/**
 * The CDKTF `DnsFailover` with several records (issue 12 §3) and field names as users wrote
 * them (issue 11 §1), by synthesis.
 */
import { CORES, loadOn, newStack, resourcesByName, synthJson } from "./cores";

describe.each(CORES)("DnsFailover with several records [%s]", (coreName) => {
  const l = loadOn(coreName);
  const { TerraformVariable } = l.core;
  const { CloudflareDnsRecord, CloudflareProvider, DnsFailover, RestfulProvider } = l.lib;
  const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
  const base = () => {
    const stack = newStack(l);
    new RestfulProvider(stack, "runlater", {});
    new CloudflareProvider(stack, "cloudflare", {});
    const token = new TerraformVariable(stack, "dns_api_token", { type: "string", sensitive: true });
    return { stack, token: token.stringValue };
  };
  const rec = (stack: any, id: string, name: string, type: "A" | "AAAA", content: string, lifecycle: any = { ignoreChanges: ["content"] }) =>
    new CloudflareDnsRecord(stack, id, { zoneId: ZONE, name, type, content, ttl: 60, lifecycle: lifecycle ?? undefined });
  const common = { healthCheck: { url: "https://primary.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50" };
  const V6 = { primary: "2001:db8::10", backup: "2001:db8::50" };
  const refs = (json: any) => Object.fromEntries(Object.entries<any>(json.resource.restful_resource).map(([id, x]) => [x.body.name, `\${restful_resource.${id}.sensitive_output.inbound_url}`]));

  it("A + AAAA: two failover and two recovery endpoints, a restore fan-out, relay and hooks wired by reference", () => {
    const { stack, token } = base();
    const f = new DnsFailover(stack, "site", {
      ...common,
      dnsApiToken: token,
      records: [{ record: rec(stack, "a", "www.example.com", "A", common.primary) }, { record: rec(stack, "aaaa", "www.example.com", "AAAA", V6.primary), ...V6 }],
    });
    const json = synthJson(l, stack, true);
    const r = resourcesByName(json, "restful_resource");
    expect(Object.keys(r).sort()).toEqual(
      ["failover", "failover-2", "recovery", "recovery-2", "restore", "latch", "latch-2", "relay", "probe", "health", "pulse"].map((k) => `site ${k}`).sort(),
    );
    expect(r["site failover-2"].body.forward_body).toBe('{"content":"2001:db8::50","ttl":60}');
    expect(r["site recovery-2"].body.forward_body).toBe('{"content":"2001:db8::10","ttl":60}');
    const u = refs(json);
    expect(r["site restore"].body.forward_urls).toEqual([u["site recovery"], u["site recovery-2"]]);
    expect(r["site relay"].body.forward_urls.slice(0, 2)).toEqual([u["site failover"], u["site failover-2"]]);
    expect(r["site relay"].body.forward_urls).toHaveLength(4);
    expect(r["site health"].body).toMatchObject({ on_failure_url: u["site relay"], on_recovery_url: u["site restore"] });
    expect(f.failoverEndpoints).toHaveLength(2);
    expect(f.cost.objects).toBe(11);
    expect(JSON.stringify(json)).not.toMatch(/cf-|Bearer [^$]/);
  });

  it("apex + www with the same token and content: one shared failover and recovery endpoint (8 objects)", () => {
    const { stack, token } = base();
    const f = new DnsFailover(stack, "apex-failover", {
      ...common,
      dnsApiToken: token,
      records: [{ record: rec(stack, "apex", "example.com", "A", common.primary) }, { record: rec(stack, "www", "www.example.com", "A", common.primary) }],
    });
    const r = resourcesByName(synthJson(l, stack, true), "restful_resource");
    expect(Object.keys(r)).toHaveLength(8);
    expect(r["apex-failover failover"].body.forward_urls).toEqual([
      "https://api.cloudflare.com/client/v4/zones/${cloudflare_dns_record.apex.zone_id}/dns_records/${cloudflare_dns_record.apex.id}",
      "https://api.cloudflare.com/client/v4/zones/${cloudflare_dns_record.www.zone_id}/dns_records/${cloudflare_dns_record.www.id}",
    ]);
    expect(f.cost.objects).toBe(8);
  });

  it("guards (fixes) every record construct", () => {
    const { stack, token } = base();
    const a = rec(stack, "a", "example.com", "A", common.primary, null);
    const b = rec(stack, "b", "www.example.com", "A", common.primary, null);
    new DnsFailover(stack, "g", { ...common, dnsApiToken: token, records: [{ record: a }, { record: b }] });
    const json = synthJson(l, stack, true);
    expect(json.resource.cloudflare_dns_record.a.lifecycle).toEqual({ ignore_changes: ["content"] });
    expect(json.resource.cloudflare_dns_record.b.lifecycle).toEqual({ ignore_changes: ["content"] });
    const { stack: s2, token: t2 } = base();
    expect(() => new DnsFailover(s2, "g", { ...common, dnsApiToken: t2, recordGuard: "error", records: [{ record: rec(s2, "ok", "example.com", "A", common.primary) }, { record: rec(s2, "bad", "www.example.com", "A", common.primary, null) }] })).not.toThrow();
    expect(() => synthJson(l, s2, true)).toThrow(/the DNS record test\/bad does not ignore changes to `content`/);
  });

  const fieldsOf = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (e: any) {
      if (e.name !== "RunlaterValidationError") throw e;
      return e.issues.map((i: { field: string }) => i.field);
    }
    throw new Error("did not throw");
  };

  it("refuses mixed forms, empty and >8 records, and names record fields as written", () => {
    const { stack, token } = base();
    const a = rec(stack, "a", "www.example.com", "A", common.primary);
    expect(fieldsOf(() => new DnsFailover(stack, "m", { ...common, dnsApiToken: token, record: a, records: [{ record: a }] }))).toEqual(["records"]);
    expect(fieldsOf(() => new DnsFailover(stack, "e", { ...common, dnsApiToken: token, records: [] }))).toEqual(["records"]);
    expect(fieldsOf(() => new DnsFailover(stack, "n", { ...common, dnsApiToken: token, records: Array.from({ length: 9 }, () => ({ record: a })) }))).toEqual(["records"]);
    expect(fieldsOf(() => new DnsFailover(stack, "b", { ...common, dnsApiToken: token, records: [{ record: a, dns: { provider: "cloudflare" } as never }] }))).toEqual(["records[0]"]);
    const aaaa = rec(stack, "aaaa", "www.example.com", "AAAA", V6.primary);
    expect(fieldsOf(() => new DnsFailover(stack, "v", { ...common, dnsApiToken: token, records: [{ record: a }, { record: aaaa }] }))).toEqual(expect.arrayContaining(["records[1].primary", "records[1].backup"]));
    expect(fieldsOf(() => new DnsFailover(stack, "z", { ...common, records: [{ dns: { provider: "cloudflare", zoneId: "example.com", recordId: "r", apiToken: token } }] }))).toContain("records[0].dns.zoneId");
    expect(() => new DnsFailover(stack, "l", { ...common, records: [{ dns: { provider: "digitalocean", domain: "example.com", recordId: 1, name: "www", apiToken: "dop_v1_literal" } }] })).toThrow(/records\[0\]\.dns\.apiToken must not be a literal/);
  });

  it("names record.* and cloudflare.* fields for the record + token form (not dns.*)", () => {
    const { stack, token } = base();
    const bad = new CloudflareDnsRecord(stack, "bad", { zoneId: ZONE, name: "www.example.com", type: "A", content: common.primary, ttl: 60, proxied: "yes" as never, lifecycle: { ignoreChanges: ["content"] } });
    const f1 = fieldsOf(() => new DnsFailover(stack, "p", { ...common, record: bad, dnsApiToken: token, cloudflare: { apiBaseUrl: "ftp://example.com" } }));
    expect(f1).toEqual(expect.arrayContaining(["record.proxied", "cloudflare.apiBaseUrl"]));
    expect(f1.some((f) => f.startsWith("dns."))).toBe(false);
    const ok = new CloudflareDnsRecord(stack, "ok", { zoneId: ZONE, name: "www.example.com", type: "A", content: common.primary, ttl: 60, lifecycle: { ignoreChanges: ["content"] } });
    const f2 = fieldsOf(() => new DnsFailover(stack, "q", { ...common, records: [{ record: ok }, { record: bad }], dnsApiToken: token }));
    expect(f2).toEqual(["records[1].record.proxied"]);
  });
});
