// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform interpolations ("${var.x}") are expected literally.
import { CORES, loadOn, newStack, onlyResource, synthJson } from "./cores";

describe.each(CORES)("restful L1 bindings [%s]", (coreName) => {
  const l = loadOn(coreName);
  const { Testing, TerraformVariable } = l.core;
  const { RestfulProvider, RestfulResource } = l.lib;

  describe("RestfulProvider", () => {
    it("defaults to Runlater's API, a sensitive runlater_api_key variable in security.http.token, and retries 429/503", () => {
      const json = Testing.synthScope((scope) => {
        new RestfulProvider(scope, "runlater", {});
      });
      expect(Testing.toHaveProviderWithProperties(json, RestfulProvider.tfResourceType, {
        base_url: "https://runlater.eu/api/v1",
        security: { http: { token: { token: "${var.runlater_api_key}" } } },
        client: { retry: { status_codes: [429, 503], count: 5 } },
      })).toBe(true);
      const parsed = JSON.parse(json);
      expect(parsed.variable.runlater_api_key).toMatchObject({ type: "string", sensitive: true, nullable: false });
      expect(parsed.variable.runlater_api_key.default).toBeUndefined();
      expect(parsed.terraform.required_providers.restful).toEqual({ source: "magodo/restful", version: "~> 0.25" });
    });

    it("takes a base URL, headers and an API key token; an alias gets its own variable", () => {
      const stack = newStack(l);
      const key = new TerraformVariable(stack, "my_key", { type: "string", sensitive: true });
      new RestfulProvider(stack, "emu", { baseUrl: "http://127.0.0.1:4010/api/v1", apiKey: key.stringValue, header: { "X-Trace": "1" } });
      new RestfulProvider(stack, "other", { alias: "org2" });
      const json = synthJson(l, stack);
      expect(json.provider.restful).toHaveLength(2);
      expect(json.provider.restful[0]).toMatchObject({
        base_url: "http://127.0.0.1:4010/api/v1",
        header: { "X-Trace": "1" },
        security: { http: { token: { token: "${var.my_key}" } } },
      });
      expect(json.provider.restful[1]).toMatchObject({ alias: "org2", security: { http: { token: { token: "${var.runlater_api_key_org2}" } } } });
      expect(json.variable.runlater_api_key).toBeUndefined();
    });

    it("shares one runlater_api_key variable between providers in a stack", () => {
      const stack = newStack(l);
      new RestfulProvider(stack, "a", {});
      expect(() => new RestfulProvider(stack, "b", {})).not.toThrow();
      expect(Object.keys(synthJson(l, stack).variable)).toEqual(["runlater_api_key"]);
    });

    it("refuses a literal API key, naming the field", () => {
      const stack = newStack(l);
      expect(() => new RestfulProvider(stack, "p", { apiKey: "pk_live_x.sk_live_y" })).toThrow(/apiKey must not be a literal/);
    });

    it("maps an explicit security block and refuses literal secrets in it", () => {
      const stack = newStack(l);
      const v = new TerraformVariable(stack, "k", { type: "string", sensitive: true });
      new RestfulProvider(stack, "p", {
        baseUrl: "https://api.example.com",
        security: { apikey: [{ in: "header", name: "X-Api-Key", value: v.stringValue }] },
      });
      expect(synthJson(l, stack).provider.restful[0].security).toEqual({
        apikey: [{ in: "header", name: "X-Api-Key", value: "${var.k}" }],
      });
      expect(
        () => new RestfulProvider(newStack(l), "p", { security: { http: { basic: { username: "u", password: "hunter2" } } } }),
      ).toThrow(/security\.http\.basic\.password must not be a literal/);
      expect(() => new RestfulProvider(newStack(l), "p", { apiKey: v.stringValue, security: {} })).toThrow(/either apiKey or security/);
    });

    it("rejects a base URL that is not absolute http(s)", () => {
      expect(() => new RestfulProvider(newStack(l), "p", { baseUrl: "runlater.eu/api/v1" })).toThrow(/baseUrl must be an absolute http\(s\) URL/);
    });
  });

  describe("RestfulResource", () => {
    it("maps every argument to its restful_resource attribute", () => {
      const json = Testing.synthScope((scope) => {
        new RestfulResource(scope, "r", {
          path: "/things",
          body: { name: "x", nested: { a: 1 } },
          ephemeralBody: { secret: "${var.s}" },
          readPath: "$(path)/$(body.id)",
          updatePath: "$(path)/$(body.id)",
          deletePath: "$(path)/$(body.id)",
          createMethod: "POST",
          updateMethod: "PATCH",
          deleteMethod: "DELETE",
          createSelector: "data",
          readSelector: "data",
          readResponseTemplate: "{}",
          writeOnlyAttrs: ["name"],
          mergePatchDisabled: false,
          forceNewAttrs: ["nested.a"],
          outputAttrs: ["id"],
          useSensitiveOutput: false,
          checkExistance: true,
          header: { "X-H": "1" },
          readQuery: { v: ["1"] },
          pollCreate: { statusLocator: "code", status: { success: "200", pending: ["202"] }, defaultDelaySec: 2 },
          precheckDelete: [{ mutex: "m" }, { api: { statusLocator: "code", status: { success: "200" }, path: "/ready" } }],
          postCreateRead: { path: "/things/$(body.id)", selector: "data" },
          updateBodyPatches: [{ path: "name", removed: true }, { path: "x", rawJson: "1" }],
          deleteBodyRaw: "{}",
        });
      });
      expect(Testing.toHaveResourceWithProperties(json, RestfulResource.tfResourceType, {
        path: "/things",
        body: { name: "x", nested: { a: 1 } },
        ephemeral_body: { secret: "${var.s}" },
        read_path: "$(path)/$(body.id)",
        update_path: "$(path)/$(body.id)",
        delete_path: "$(path)/$(body.id)",
        create_method: "POST",
        update_method: "PATCH",
        delete_method: "DELETE",
        create_selector: "data",
        read_selector: "data",
        read_response_template: "{}",
        write_only_attrs: ["name"],
        merge_patch_disabled: false,
        force_new_attrs: ["nested.a"],
        output_attrs: ["id"],
        use_sensitive_output: false,
        check_existance: true,
        header: { "X-H": "1" },
        read_query: { v: ["1"] },
        poll_create: { status_locator: "code", status: { success: "200", pending: ["202"] }, default_delay_sec: 2 },
        precheck_delete: [{ mutex: "m" }, { api: { status_locator: "code", status: { success: "200" }, path: "/ready" } }],
        post_create_read: { path: "/things/$(body.id)", selector: "data" },
        update_body_patches: [{ path: "name", removed: true }, { path: "x", raw_json: "1" }],
        delete_body_raw: "{}",
      })).toBe(true);
      const r = onlyResource(JSON.parse(json), "restful_resource");
      expect(r.query).toBeUndefined(); // unset arguments are not written
    });

    it("exposes id and output members as references", () => {
      const stack = newStack(l);
      const r = new RestfulResource(stack, "r", { path: "/things", body: {} });
      new l.core.TerraformOutput(stack, "id", { value: r.id });
      new l.core.TerraformOutput(stack, "name", { value: r.outputString("name") });
      const json = synthJson(l, stack);
      expect(json.output.id.value).toBe("${restful_resource.r.id}");
      expect(json.output.name.value).toBe("${restful_resource.r.output.name}");
    });

    it("refuses overlapping body and ephemeralBody keys (the provider requires them disjoint)", () => {
      expect(
        () => new RestfulResource(newStack(l), "r", { path: "/x", body: { a: 1, b: 2 }, ephemeralBody: { b: 3 } }),
      ).toThrow(/body and ephemeralBody must be disjoint.*: b/);
    });
  });
});
