// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform interpolations ("${var.x}") are expected literally.
import { CORES, loadOn, newStack, onlyResource, synthJson } from "./cores";

describe.each(CORES)("HealthCheckTask [%s]", (coreName) => {
  const l = loadOn(coreName);
  const { Testing, TerraformVariable, TerraformOutput } = l.core;
  const { HealthCheckTask, RestfulProvider, RestfulResource } = l.lib;

  const synthTask = (props: Partial<import("../../lib/cdktf").HealthCheckTaskProps> = {}) => {
    const stack = newStack(l);
    new RestfulProvider(stack, "runlater", {});
    const t = new HealthCheckTask(stack, "health", { url: "https://primary.example.com/health", ...props });
    return { stack, task: t, json: synthJson(l, stack, true) };
  };

  it("applies the Pulumi resource's defaults and Runlater's wire format", () => {
    const json = Testing.synthScope((s) => {
      new RestfulProvider(s, "runlater", {});
      new HealthCheckTask(s, "health", { url: "https://primary.example.com/health", expectedStatusCodes: [200, 204] });
    });
    expect(Testing.toHaveResourceWithProperties(json, RestfulResource.tfResourceType, {
      path: "/tasks",
      create_selector: "data",
      read_path: "$(path)/$(body.id)",
      read_selector: "data",
      update_method: "PATCH",
      write_only_attrs: ["cron"],
      output_attrs: ["id", "name", "schedule_type", "cron_expression", "enabled"], // no url: it may be an inbound URL (sensitive)
      body: {
        name: "health",
        url: "https://primary.example.com/health",
        method: "GET",
        cron: "* * * * *",
        cron_expression: "* * * * *",
        timeout_ms: 10000,
        enabled: true,
        expected_status_codes: "200,204",
      },
    })).toBe(true);
    // No headers or body given: nothing write-only, no PATCH.
    expect(onlyResource(JSON.parse(json), "restful_resource")).not.toHaveProperty("ephemeral_body");
    expect(JSON.parse(json).resource.restful_operation).toBeUndefined();
  });

  it("sends the schedule as both cron (create) and cron_expression (update), with cron write-only", () => {
    const { json } = synthTask({ cron: "  */5   *  * * * " });
    const r = onlyResource(json, "restful_resource");
    expect(r.body.cron).toBe("*/5 * * * *");
    expect(r.body.cron_expression).toBe("*/5 * * * *");
    expect(r.write_only_attrs).toEqual(["cron"]);
  });

  it("keeps headers and the request body out of the task: a write-only PATCH (restful_operation ephemeral_body) sends them", () => {
    const { stack } = synthTask();
    const tok = new TerraformVariable(stack, "health_token", { type: "string", sensitive: true });
    const task = new HealthCheckTask(stack, "auth", {
      url: "https://primary.example.com/health",
      method: "post" as "POST",
      headers: { Authorization: `Bearer ${tok.stringValue}` },
      body: '{"probe":true}',
    });
    const json = synthJson(l, stack);
    const [id, auth] = Object.entries<any>(json.resource.restful_resource).find(([, x]) => x.body.name === "auth")!;
    expect(auth).not.toHaveProperty("ephemeral_body");
    expect(auth.body.method).toBe("POST");
    expect(auth.body).not.toHaveProperty("headers");
    expect(auth.body).not.toHaveProperty("body");
    expect(onlyResource(json, "restful_operation")).toEqual({
      path: `\${restful_resource.${id}.id}`,
      method: "PATCH",
      body: {},
      ephemeral_body: { headers: { Authorization: "Bearer ${var.health_token}" }, body: '{"probe":true}' },
      output_attrs: ["data.id"],
    });
    expect(task.credentials).toBeDefined();
  });

  it("sends headers: {} (to clear them); the PATCH does not depend on the task's body", () => {
    const op = (props: Partial<import("../../lib/cdktf").HealthCheckTaskProps>) => onlyResource(synthTask({ headers: {}, ...props }).json, "restful_operation");
    const a = op({});
    expect(a.ephemeral_body).toEqual({ headers: {} });
    expect(op({ cron: "*/5 * * * *" })).toEqual(a); // a body change is the task's update alone
  });

  it("passes optional fields through and leaves unset ones out (so a removal is a merge-patch null)", () => {
    const { json } = synthTask({
      name: "primary health",
      timeoutMs: 5000,
      expectedBodyPattern: "ok",
      enabled: false,
      onFailureUrl: "https://hooks.example.com/fail",
      onRecoveryUrl: "https://hooks.example.com/ok",
      notifyOnFailure: true,
      notifyOnRecovery: false,
    });
    expect(onlyResource(json, "restful_resource").body).toEqual({
      name: "primary health",
      url: "https://primary.example.com/health",
      method: "GET",
      cron: "* * * * *",
      cron_expression: "* * * * *",
      timeout_ms: 5000,
      expected_body_pattern: "ok",
      enabled: false,
      on_failure_url: "https://hooks.example.com/fail",
      on_recovery_url: "https://hooks.example.com/ok",
      notify_on_failure: true,
      notify_on_recovery: false,
    });
    const bare = onlyResource(synthTask().json, "restful_resource").body;
    for (const k of ["expected_status_codes", "expected_body_pattern", "on_failure_url", "on_recovery_url", "notify_on_failure"]) {
      expect(bare).not.toHaveProperty(k);
    }
  });

  it("exposes taskId from the resource id (which the provider keeps across updates)", () => {
    const { stack, task } = synthTask();
    new TerraformOutput(stack, "task", { value: task.taskId });
    expect(synthJson(l, stack).output.task.value).toMatch(/^\$\{replace\(restful_resource\.health_[0-9A-F]{8}\.id, "\/tasks\/", ""\)\}$/);
  });

  it("joins token status-code lists in Terraform", () => {
    const { stack } = synthTask();
    const codes = new TerraformVariable(stack, "codes", { type: "list(number)" });
    new HealthCheckTask(stack, "tok", { url: "https://primary.example.com/health", expectedStatusCodes: codes.listValue as unknown as number[] });
    const r = Object.values<any>(synthJson(l, stack).resource.restful_resource).find((x) => x.body.name === "tok");
    expect(r.body.expected_status_codes).toBe('${join(",", var.codes)}');
  });

  it("reports every invalid prop, naming the field", () => {
    const stack = newStack(l);
    let err: any;
    try {
      new HealthCheckTask(stack, "bad", {
        url: "ftp://primary.example.com/health",
        cron: "every minute",
        timeoutMs: 500,
        expectedStatusCodes: [200, 999],
        method: "FETCH" as never,
      });
    } catch (e) {
      err = e;
    }
    expect(err?.name).toBe("RunlaterValidationError");
    const fields = err.issues.map((i: { field: string }) => i.field).sort();
    expect(fields).toEqual(["cron", "expectedStatusCodes[1]", "method", "timeoutMs", "url"]);
    expect(err.message).toMatch(/HealthCheckTask test\/bad props/);
    expect(err.message).toMatch(/timeoutMs: must be an integer from 1000 to 300000 ms, got 500/);
  });

  it("refuses private health URLs unless allowPrivateTargets (or RUNLATER_ALLOW_PRIVATE_TARGETS)", () => {
    const prev = process.env.RUNLATER_ALLOW_PRIVATE_TARGETS;
    delete process.env.RUNLATER_ALLOW_PRIVATE_TARGETS;
    try {
      expect(() => new HealthCheckTask(newStack(l), "h", { url: "http://127.0.0.1:8080/health" })).toThrow(/url: cannot target private/);
      expect(() => new HealthCheckTask(newStack(l), "h", { url: "http://127.0.0.1:8080/health", allowPrivateTargets: true })).not.toThrow();
      process.env.RUNLATER_ALLOW_PRIVATE_TARGETS = "true";
      expect(() => new HealthCheckTask(newStack(l), "h", { url: "http://127.0.0.1:8080/health" })).not.toThrow();
    } finally {
      if (prev === undefined) delete process.env.RUNLATER_ALLOW_PRIVATE_TARGETS;
      else process.env.RUNLATER_ALLOW_PRIVATE_TARGETS = prev;
    }
  });

  it("skips validation of tokens", () => {
    const stack = newStack(l);
    const url = new TerraformVariable(stack, "url", { type: "string" });
    expect(() => new HealthCheckTask(stack, "h", { url: url.stringValue })).not.toThrow();
  });

  it("uses /schedules and the same cron handling in the schedules dialect", () => {
    const r = onlyResource(synthTask({ apiDialect: "schedules" }).json, "restful_resource");
    expect(r.path).toBe("/schedules");
    expect(r.body).toMatchObject({ cron: "* * * * *", cron_expression: "* * * * *" });
  });

  it("adoptId synthesizes an import block with restful's JSON import id", () => {
    const { json } = synthTask({ adoptId: "019c0123-4567-7890-abcd-ef1234567890" });
    expect(json.import).toHaveLength(1);
    const id = JSON.parse(json.import[0].id);
    expect(id).toMatchObject({ id: "/tasks/019c0123-4567-7890-abcd-ef1234567890", path: "/tasks", read_selector: "data" });
    expect(id.body).toMatchObject({ name: null, cron: null, cron_expression: null });
    expect(json.import[0].to).toMatch(/^restful_resource\.health_[0-9A-F]{8}$/);
  });

  it("fails synthesis with the fix when no restful provider is configured", () => {
    const stack = newStack(l);
    new HealthCheckTask(stack, "h", { url: "https://primary.example.com/health" });
    expect(() => Testing.synth(stack, true)).toThrow(/no "restful" provider is configured in this stack: add `new RestfulProvider/);
  });
});
