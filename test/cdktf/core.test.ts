// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform interpolations ("${var.x}") are expected literally.
import { CORES, loadOn, newStack } from "./cores";

describe("core resolution", () => {
  const saved = process.env.RUNLATER_CDKTF_CORE;
  afterEach(() => {
    if (saved === undefined) delete process.env.RUNLATER_CDKTF_CORE;
    else process.env.RUNLATER_CDKTF_CORE = saved;
    jest.dontMock("cdktn");
    jest.dontMock("cdktf");
  });

  it.each(CORES)("RUNLATER_CDKTF_CORE=%s forces that core, and the L1 bases are its classes", (name) => {
    const l = loadOn(name);
    expect(l.lib.coreName()).toBe(name);
    expect(l.lib.cdktfCore()).toBe(l.core);
    const stack = newStack(l);
    const res = new l.lib.RestfulResource(stack, "r", { path: "/x", body: {} });
    const prov = new l.lib.RestfulProvider(stack, "p", { apiKey: "${var.k}" });
    expect(res).toBeInstanceOf(l.core.TerraformResource);
    expect(prov).toBeInstanceOf(l.core.TerraformProvider);
  });

  it("prefers cdktn when nothing is forced", () => {
    delete process.env.RUNLATER_CDKTF_CORE;
    jest.isolateModules(() => {
      const core = require("../../lib/cdktf/core");
      expect(core.coreName()).toBe("cdktn");
      expect(core.cdktfCore()).toBe(require("cdktn"));
    });
  });

  it("falls back to cdktf when cdktn is not installed", () => {
    delete process.env.RUNLATER_CDKTF_CORE;
    jest.isolateModules(() => {
      jest.doMock("cdktn", () => {
        throw Object.assign(new Error("Cannot find module 'cdktn' from 'lib/cdktf/core.ts'"), { code: "MODULE_NOT_FOUND" });
      });
      const core = require("../../lib/cdktf/core");
      expect(core.coreName()).toBe("cdktf");
    });
  });

  it("fails clearly when neither core is installed", () => {
    delete process.env.RUNLATER_CDKTF_CORE;
    jest.isolateModules(() => {
      for (const name of ["cdktn", "cdktf"]) {
        jest.doMock(name, () => {
          throw Object.assign(new Error(`Cannot find module '${name}' from 'lib/cdktf/core.ts'`), { code: "MODULE_NOT_FOUND" });
        });
      }
      const core = require("../../lib/cdktf/core");
      expect(() => core.resolveCore()).toThrow(/install "cdktn" \(maintained, recommended\) or "cdktf"/);
    });
  });

  it("fails clearly when the forced core is missing (no silent fallback)", () => {
    process.env.RUNLATER_CDKTF_CORE = "cdktf";
    jest.isolateModules(() => {
      jest.doMock("cdktf", () => {
        throw Object.assign(new Error("Cannot find module 'cdktf' from 'lib/cdktf/core.ts'"), { code: "MODULE_NOT_FOUND" });
      });
      const core = require("../../lib/cdktf/core");
      expect(() => core.resolveCore()).toThrow(/RUNLATER_CDKTF_CORE=cdktf, but the package "cdktf" is not installed/);
    });
  });

  it("rethrows a core that is installed but broken", () => {
    delete process.env.RUNLATER_CDKTF_CORE;
    jest.isolateModules(() => {
      jest.doMock("cdktn", () => {
        throw new Error("constructs version mismatch");
      });
      const core = require("../../lib/cdktf/core");
      expect(() => core.resolveCore()).toThrow(/constructs version mismatch/);
    });
  });

  it("rejects an unknown RUNLATER_CDKTF_CORE value", () => {
    process.env.RUNLATER_CDKTF_CORE = "terraform-cdk";
    jest.isolateModules(() => {
      const core = require("../../lib/cdktf/core");
      expect(() => core.resolveCore()).toThrow(/RUNLATER_CDKTF_CORE must be "cdktf", "cdktn" or unset/);
    });
  });

  it("elements built on one core synthesize inside a stack of the other (shared markers and token map)", () => {
    const tn = loadOn("cdktn");
    const tf = loadOn("cdktf");
    const stack = new tf.core.TerraformStack(tf.core.Testing.app(), "mixed");
    new tn.lib.RestfulProvider(stack, "runlater", {});
    const ep = new tn.lib.ForwardEndpoint(stack, "ep", { forwardUrls: ["https://api.example.com/x"] });
    new tf.core.TerraformOutput(stack, "url", { value: ep.inboundUrl });
    const json = JSON.parse(tf.core.Testing.synth(stack, true));
    expect(json.output.url.value).toMatch(/^\$\{restful_resource\.ep_[0-9A-F]{8}\.sensitive_output\.inbound_url\}$/);
    expect(json.provider.restful[0].security.http.token.token).toBe("${var.runlater_api_key}");
  });
});
