// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform interpolations ("${var.x}") are expected literally.
import { CORES, loadOn, newStack, synthJson } from "./cores";

describe.each(CORES)("Cloudflare L1 bindings [%s]", (coreName) => {
  const l = loadOn(coreName);
  const { Testing, TerraformVariable, TerraformOutput } = l.core;
  const { CloudflareDnsRecord, CloudflareProvider } = l.lib;

  it("CloudflareProvider pins cloudflare/cloudflare 5.14.0 and takes api_token and base_url", () => {
    const stack = newStack(l);
    const t = new TerraformVariable(stack, "cloudflare_api_token", { type: "string", sensitive: true });
    new CloudflareProvider(stack, "cf", { apiToken: t.stringValue, baseUrl: "http://127.0.0.1:4010/client/v4", alias: "emu" });
    const json = l.core.Testing.synth(stack);
    expect(Testing.toHaveProviderWithProperties(json, CloudflareProvider.tfResourceType, {
      api_token: "${var.cloudflare_api_token}",
      base_url: "http://127.0.0.1:4010/client/v4",
      alias: "emu",
    })).toBe(true);
    expect(JSON.parse(json).terraform.required_providers.cloudflare).toEqual({ source: "cloudflare/cloudflare", version: "5.14.0" });
  });

  it("CloudflareProvider without a token writes none (the provider reads CLOUDFLARE_API_TOKEN)", () => {
    const json = JSON.parse(Testing.synthScope((s) => new CloudflareProvider(s, "cf")));
    expect(json.provider.cloudflare[0]).toEqual({});
  });

  it("CloudflareProvider refuses a literal token", () => {
    expect(() => new CloudflareProvider(newStack(l), "cf", { apiToken: "cf-secret" })).toThrow(/apiToken must not be a literal/);
  });

  it("CloudflareDnsRecord synthesizes the v5 cloudflare_dns_record schema", () => {
    const json = Testing.synthScope((s) => {
      new CloudflareDnsRecord(s, "www", {
        zoneId: "023e105f4ecef8ad9ca31a8372d0c353",
        name: "www.example.com",
        type: "A",
        content: "198.51.100.10",
        ttl: 60,
        proxied: false,
        comment: "c",
        tags: ["env:prod"],
        lifecycle: { ignoreChanges: ["content"] },
      });
    });
    expect(Testing.toHaveResourceWithProperties(json, CloudflareDnsRecord.tfResourceType, {
      zone_id: "023e105f4ecef8ad9ca31a8372d0c353",
      name: "www.example.com",
      type: "A",
      content: "198.51.100.10",
      ttl: 60,
      proxied: false,
      comment: "c",
      tags: ["env:prod"],
      lifecycle: { ignore_changes: ["content"] },
    })).toBe(true);
    expect(JSON.parse(json).resource.cloudflare_dns_record.www.value).toBeUndefined(); // no v4 `value`
  });

  it("CloudflareDnsRecord exposes computed attributes as references and configured values as *Input", () => {
    const stack = newStack(l);
    const r = new CloudflareDnsRecord(stack, "www", { zoneId: "z", name: "www.example.com", type: "A", ttl: 1 });
    new TerraformOutput(stack, "id", { value: r.id });
    new TerraformOutput(stack, "zone", { value: r.zoneId });
    new TerraformOutput(stack, "ttl", { value: r.ttl });
    const json = synthJson(l, stack);
    expect(json.output.id.value).toBe("${cloudflare_dns_record.www.id}");
    expect(json.output.zone.value).toBe("${cloudflare_dns_record.www.zone_id}");
    expect(json.output.ttl.value).toBe("${cloudflare_dns_record.www.ttl}");
    expect([r.zoneIdInput, r.nameInput, r.typeInput, r.ttlInput]).toEqual(["z", "www.example.com", "A", 1]);
  });
});
