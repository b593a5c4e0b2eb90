// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform interpolations ("${var.x}") are expected literally.
/**
 * `HeartbeatMonitor` (CDKTF), modelled on forward-endpoint.test.ts: synthesized restful_resource,
 * the Pulumi resource's defaults, sensitive ping URL, schedule variants, validation, adoption.
 */
import { CORES, loadOn, newStack, onlyResource, synthJson } from "./cores";

describe.each(CORES)("HeartbeatMonitor [%s]", (coreName) => {
  const l = loadOn(coreName);
  const { Testing, TerraformOutput, TerraformVariable } = l.core;
  const { HeartbeatMonitor, RestfulProvider, RestfulResource, ForwardEndpoint } = l.lib;

  const setup = () => {
    const stack = newStack(l);
    new RestfulProvider(stack, "runlater", {});
    return { stack };
  };

  it("applies the Pulumi resource's defaults (interval 60 s, grace 300 s) with a sensitive output", () => {
    const json = Testing.synthScope((s) => {
      new RestfulProvider(s, "runlater", {});
      new HeartbeatMonitor(s, "latch", { gracePeriodSeconds: 600, onFailureUrl: "https://runlater.eu/in/ep_recovery" });
    });
    expect(
      Testing.toHaveResourceWithProperties(json, RestfulResource.tfResourceType, {
        path: "/monitors",
        create_selector: "data",
        read_path: "$(path)/$(body.id)",
        read_selector: "data",
        update_method: "PATCH",
        use_sensitive_output: true,
        output_attrs: ["id", "name", "ping_url", "ping_token"],
        body: {
          name: "latch",
          schedule_type: "interval",
          interval_seconds: 60,
          grace_period_seconds: 600,
          enabled: true,
          on_failure_url: "https://runlater.eu/in/ep_recovery",
        },
      }),
    ).toBe(true);
    const r = onlyResource(JSON.parse(json), "restful_resource");
    expect(r.body).not.toHaveProperty("cron_expression");
    expect(r).not.toHaveProperty("ephemeral_body");
    expect(r.output_attrs).not.toContain("status");
  });

  it("a cron monitor sends cron_expression (whitespace collapsed) and no interval", () => {
    const { stack } = setup();
    new HeartbeatMonitor(stack, "m", { name: "nightly", scheduleType: "cron", cronExpression: " 0  3 * * * ", enabled: false, notifyOnFailure: false });
    expect(onlyResource(synthJson(l, stack), "restful_resource").body).toEqual({
      name: "nightly",
      schedule_type: "cron",
      cron_expression: "0 3 * * *",
      grace_period_seconds: 300,
      enabled: false,
      notify_on_failure: false,
    });
  });

  it("pingUrl reads sensitive_output; monitorId comes from the (non-sensitive) resource id; pingUrl feeds a relay", () => {
    const { stack } = setup();
    const m = new HeartbeatMonitor(stack, "latch", {});
    new ForwardEndpoint(stack, "relay", { forwardUrls: ["https://runlater.eu/in/ep_failover", m.pingUrl], retryAttempts: 0 });
    new TerraformOutput(stack, "u", { value: m.pingUrl, sensitive: true });
    new TerraformOutput(stack, "i", { value: m.monitorId });
    const json = synthJson(l, stack);
    expect(json.output.u.value).toMatch(/^\$\{restful_resource\.latch_[0-9A-F]{8}\.sensitive_output\.ping_url\}$/);
    expect(json.output.i.value).toMatch(/^\$\{replace\(restful_resource\.latch_[0-9A-F]{8}\.id, "\/monitors\/", ""\)\}$/);
    const relay = Object.values<any>(json.resource.restful_resource).find((r) => r.path === "/endpoints");
    expect(relay.body.forward_urls[1]).toMatch(/sensitive_output\.ping_url\}$/);
  });

  it("reports every invalid prop, naming the field, before anything is synthesized", () => {
    let err: any;
    try {
      new HeartbeatMonitor(newStack(l), "bad", {
        name: "",
        intervalSeconds: 30,
        gracePeriodSeconds: 3601,
        onFailureUrl: "ftp://x",
      });
    } catch (e) {
      err = e;
    }
    expect(err?.name).toBe("RunlaterValidationError");
    expect(err.issues.map((i: { field: string }) => i.field).sort()).toEqual(["gracePeriodSeconds", "intervalSeconds", "name", "onFailureUrl"]);
    expect(() => new HeartbeatMonitor(newStack(l), "c", { scheduleType: "cron" })).toThrow(/cronExpression: is required/);
    expect(() => new HeartbeatMonitor(newStack(l), "t", { scheduleType: "hourly" as never })).toThrow(/scheduleType: must be one of interval, cron/);
  });

  it("accepts tokens without validating them", () => {
    const { stack } = setup();
    const v = new TerraformVariable(stack, "grace", { type: "number" });
    new HeartbeatMonitor(stack, "m", { gracePeriodSeconds: v.numberValue });
    expect(onlyResource(synthJson(l, stack), "restful_resource").body.grace_period_seconds).toBe("${var.grace}");
  });

  it("adoptId imports /monitors/<id> and keeps `output` (the import cannot set use_sensitive_output); pingUrl stays sensitive()", () => {
    const { stack } = setup();
    const m = new HeartbeatMonitor(stack, "m", { adoptId: "019c0123-4567-7890-abcd-ef1234567890" });
    new TerraformOutput(stack, "u", { value: m.pingUrl, sensitive: true });
    const json = synthJson(l, stack);
    expect(JSON.parse(json.import[0].id)).toMatchObject({ id: "/monitors/019c0123-4567-7890-abcd-ef1234567890", path: "/monitors" });
    expect(onlyResource(json, "restful_resource")).not.toHaveProperty("use_sensitive_output");
    expect(json.output.u.value).toMatch(/^\$\{sensitive\(restful_resource\.m_[0-9A-F]{8}\.output\.ping_url\)\}$/);
  });

  it("needs a restful provider", () => {
    const stack = newStack(l);
    new HeartbeatMonitor(stack, "m", {});
    expect(() => Testing.synth(stack, true)).toThrow(/no "restful" provider/);
  });
});
