// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform interpolations ("${var.x}") are expected literally.
import { CORES, loadOn, newStack, onlyResource, synthJson } from "./cores";

describe.each(CORES)("ForwardEndpoint [%s]", (coreName) => {
  const l = loadOn(coreName);
  const { Testing, TerraformVariable, TerraformOutput } = l.core;
  const { ForwardEndpoint, RestfulProvider, RestfulResource } = l.lib;

  const setup = () => {
    const stack = newStack(l);
    new RestfulProvider(stack, "runlater", {});
    const token = new TerraformVariable(stack, "dns_token", { type: "string", sensitive: true });
    return { stack, token };
  };

  it("applies the Pulumi resource's defaults; forward_headers go to a write-only PATCH (restful_operation ephemeral_body)", () => {
    const json = Testing.synthScope((s) => {
      new RestfulProvider(s, "runlater", {});
      const t = new TerraformVariable(s, "dns_token", { type: "string", sensitive: true });
      new ForwardEndpoint(s, "ep", {
        forwardUrls: ["https://api.cloudflare.com/client/v4/zones/z/dns_records/r"],
        forwardHeaders: { Authorization: `Bearer ${t.stringValue}`, "Content-Type": "application/json" },
        forwardBody: '{"content":"203.0.113.50"}',
        forwardMethod: "PATCH",
      });
    });
    expect(Testing.toHaveResourceWithProperties(json, RestfulResource.tfResourceType, {
      path: "/endpoints",
      create_selector: "data",
      read_path: "$(path)/$(body.id)",
      read_selector: "data",
      update_method: "PATCH",
      output_attrs: ["id", "name", "slug", "inbound_url"],
      use_sensitive_output: true,
      body: {
        name: "ep",
        forward_urls: ["https://api.cloudflare.com/client/v4/zones/z/dns_records/r"],
        forward_body: '{"content":"203.0.113.50"}',
        forward_method: "PATCH",
        retry_attempts: 3,
        use_queue: true,
        enabled: true,
      },
    })).toBe(true);
    const parsed = JSON.parse(json);
    const r = onlyResource(parsed, "restful_resource");
    expect(r).not.toHaveProperty("ephemeral_body"); // restful_resource drops its hash on updates that keep it
    expect(r.body).not.toHaveProperty("forward_headers");
    expect(r.write_only_attrs).toBeUndefined();
    const op = onlyResource(parsed, "restful_operation");
    const id = Object.keys(parsed.resource.restful_resource)[0];
    expect(op).toEqual({
      path: `\${restful_resource.${id}.id}`,
      method: "PATCH",
      body: {},
      ephemeral_body: { forward_headers: { Authorization: "Bearer ${var.dns_token}", "Content-Type": "application/json" } },
      output_attrs: ["data.id"], // Runlater echoes forward_headers inside data: keep them out of state
    });
  });

  it("moves a secret forward body to ephemeral_body (Porkbun keys travel in the body)", () => {
    const { stack, token } = setup();
    new ForwardEndpoint(stack, "ep", {
      forwardUrls: ["https://api.porkbun.com/api/json/v3/dns/editByNameType/example.com/A/www"],
      forwardBody: `{"apikey":"${token.stringValue}","content":"203.0.113.50"}`,
      forwardBodySecret: true,
    });
    const json = synthJson(l, stack);
    expect(onlyResource(json, "restful_resource").body).not.toHaveProperty("forward_body");
    expect(onlyResource(json, "restful_operation").ephemeral_body).toEqual({
      forward_body: '{"apikey":"${var.dns_token}","content":"203.0.113.50"}',
    });
  });

  it("serializes object bodies with sorted keys, through jsonencode when they hold tokens", () => {
    const { stack, token } = setup();
    new ForwardEndpoint(stack, "plain", { forwardUrls: ["https://x.example.com/"], forwardBody: { b: 1, a: { d: 2, c: 3 } } });
    new ForwardEndpoint(stack, "tok", { forwardUrls: ["https://x.example.com/"], forwardBody: { key: token.stringValue } });
    const r = Object.values<any>(synthJson(l, stack).resource.restful_resource);
    expect(r.find((x) => x.body.name === "plain").body.forward_body).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(r.find((x) => x.body.name === "tok").body.forward_body).toBe("${jsonencode({\"key\" = var.dns_token})}");
  });

  it("has no write-only PATCH when nothing is write-only", () => {
    const { stack } = setup();
    const ep = new ForwardEndpoint(stack, "ep", { forwardUrls: ["https://x.example.com/"] });
    const json = synthJson(l, stack);
    expect(onlyResource(json, "restful_resource")).not.toHaveProperty("ephemeral_body");
    expect(json.resource.restful_operation).toBeUndefined();
    expect(ep.credentials).toBeUndefined();
  });

  it("uses use_lane in the schedules dialect, and passes optional fields", () => {
    const { stack } = setup();
    new ForwardEndpoint(stack, "ep", {
      name: "hook",
      forwardUrls: ["https://x.example.com/a", "https://x.example.com/b"],
      retryAttempts: 0,
      useLane: false,
      enabled: false,
      onFailureUrl: "https://hooks.example.com/f",
      notifyOnFailure: false,
      apiDialect: "schedules",
    });
    expect(onlyResource(synthJson(l, stack), "restful_resource").body).toEqual({
      name: "hook",
      forward_urls: ["https://x.example.com/a", "https://x.example.com/b"],
      retry_attempts: 0,
      use_lane: false,
      enabled: false,
      on_failure_url: "https://hooks.example.com/f",
      notify_on_failure: false,
    });
  });

  it("exposes inboundUrl and slug as references to sensitive_output, endpointId from the id (known across updates)", () => {
    const { stack } = setup();
    const ep = new ForwardEndpoint(stack, "ep", { forwardUrls: ["https://x.example.com/"] });
    new TerraformOutput(stack, "u", { value: ep.inboundUrl });
    new TerraformOutput(stack, "i", { value: ep.endpointId });
    new TerraformOutput(stack, "s", { value: ep.slug });
    const out = synthJson(l, stack).output;
    expect(out.u.value).toMatch(/^\$\{restful_resource\.ep_[0-9A-F]{8}\.sensitive_output\.inbound_url\}$/);
    expect(out.i.value).toMatch(/^\$\{replace\(restful_resource\.ep_[0-9A-F]{8}\.id, "\/endpoints\/", ""\)\}$/);
    expect(out.s.value).toMatch(/\.sensitive_output\.slug\}$/);
  });

  it("an adopted endpoint keeps output (import cannot set use_sensitive_output) but wraps its URL in sensitive()", () => {
    const { stack } = setup();
    const ep = new ForwardEndpoint(stack, "ep", { forwardUrls: ["https://x.example.com/"], adoptId: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" });
    new TerraformOutput(stack, "u", { value: ep.inboundUrl, sensitive: true });
    const json = synthJson(l, stack);
    expect(onlyResource(json, "restful_resource")).not.toHaveProperty("use_sensitive_output");
    expect(json.output.u.value).toMatch(/^\$\{sensitive\(restful_resource\.ep_[0-9A-F]{8}\.output\.inbound_url\)\}$/);
  });

  it("reports every invalid prop, naming the field", () => {
    let err: any;
    try {
      new ForwardEndpoint(newStack(l), "bad", {
        forwardUrls: ["https://ok.example.com/", "mailto:x@example.com"],
        forwardHeaders: { "Bad Header": "x" },
        retryAttempts: 11,
        forwardMethod: "SEND" as never,
      });
    } catch (e) {
      err = e;
    }
    expect(err?.name).toBe("RunlaterValidationError");
    expect(err.issues.map((i: { field: string }) => i.field).sort()).toEqual([
      "forwardHeaders.Bad Header",
      "forwardMethod",
      "forwardUrls[1]",
      "retryAttempts",
    ]);
    expect(() => new ForwardEndpoint(newStack(l), "none", { forwardUrls: [] })).toThrow(/forwardUrls: must have 1 to 10 URLs, got 0/);
  });

  it("adoptId synthesizes an import block for /endpoints", () => {
    const { stack } = setup();
    new ForwardEndpoint(stack, "ep", { forwardUrls: ["https://x.example.com/"], adoptId: "019c0123-4567-7890-abcd-ef1234567890" });
    const json = synthJson(l, stack);
    expect(JSON.parse(json.import[0].id)).toMatchObject({ id: "/endpoints/019c0123-4567-7890-abcd-ef1234567890", path: "/endpoints" });
  });
});
