// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform interpolations ("${var.x}") are expected literally.
/**
 * Write-only fields travel in a separate `restful_operation` PATCH (lib/cdktf/write-only.ts), so
 * a `restful_resource` never has an `ephemeral_body` whose hash the provider could drop, and the
 * objects that can trigger an endpoint wait for its credentials.
 */
import { CORES, loadOn, newStack, resourcesByName, synthJson } from "./cores";

describe.each(CORES)("write-only PATCH [%s]", (coreName) => {
  const l = loadOn(coreName);
  const { TerraformVariable } = l.core;
  const { CloudflareDnsRecord, CloudflareProvider, DnsFailover, RestfulOperation, RestfulProvider } = l.lib;

  const failover = () => {
    const stack = newStack(l);
    new RestfulProvider(stack, "runlater", {});
    new CloudflareProvider(stack, "cloudflare", {});
    const token = new TerraformVariable(stack, "dns_api_token", { type: "string", sensitive: true });
    const record = new CloudflareDnsRecord(stack, "www", {
      zoneId: "023e105f4ecef8ad9ca31a8372d0c353",
      name: "www.example.com",
      type: "A",
      content: "198.51.100.10",
      ttl: 60,
      lifecycle: { ignoreChanges: ["content"] },
    });
    const f = new DnsFailover(stack, "f", {
      healthCheck: { url: "https://primary.example.com/health" },
      primary: "198.51.100.10",
      backup: "203.0.113.50",
      record,
      dnsApiToken: token.stringValue,
    });
    return { f, json: synthJson(l, stack, true) };
  };

  it("no restful_resource of a failover has an ephemeral_body", () => {
    const { json } = failover();
    for (const r of Object.values<any>(json.resource.restful_resource)) expect(r).not.toHaveProperty("ephemeral_body");
  });

  it("every object that references a patched endpoint's inbound URL depends on its PATCH; no PATCH depends on anything", () => {
    const { f, json } = failover();
    const ops = json.resource.restful_operation;
    const opOf = (ep: any) => `restful_operation.${ep.credentials.friendlyUniqueId}`;
    const r = resourcesByName(json, "restful_resource");
    expect(r["f health"].depends_on).toEqual(expect.arrayContaining([opOf(f.failoverEndpoint), opOf(f.recoveryEndpoint)]));
    for (const [name, res] of Object.entries<any>(r)) {
      const text = JSON.stringify(res.body);
      for (const [key, ep] of Object.entries<any>(f.children)) {
        if (!ep?.credentials) continue;
        const refers = text.includes(`${ep.resource.friendlyUniqueId}.sensitive_output.inbound_url`);
        expect([name, key, (res.depends_on ?? []).includes(opOf(ep))]).toEqual([name, key, refers]);
      }
    }
    for (const op of Object.values<any>(ops)) {
      expect(op.depends_on).toBeUndefined();
      expect(op.path).toMatch(/^\$\{restful_resource\.[^.]+\.id\}$/);
    }
  });

  it("RestfulOperation refuses overlapping body and ephemeralBody keys", () => {
    expect(() => new RestfulOperation(newStack(l), "op", { path: "/x", method: "PATCH", body: { a: 1 }, ephemeralBody: { a: 2 } })).toThrow(
      /body and ephemeralBody must be disjoint.*: a/,
    );
  });
});
