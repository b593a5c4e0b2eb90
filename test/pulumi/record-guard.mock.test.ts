/**
 * The managed-record guard under plain `pulumi.runtime.setMocks`, as a user's unit tests run a
 * program: no stack resource, so no stack transformation can watch records being made. A record
 * whose options come from `failoverRecordOptions()` is still verified (the options carry their
 * own transformation); any other record gets a warning that says why it could not be verified.
 */
import * as pulumi from "@pulumi/pulumi";
import { installMocks, settle, value } from "./mocks";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
pulumi.runtime.setMocks(
  {
    newResource: (a: pulumi.runtime.MockResourceArgs) => {
      registered.push({ type: a.type, name: a.name, inputs: a.inputs });
      const state: Record<string, unknown> = { ...a.inputs };
      if (a.type.endsWith(":ForwardEndpoint")) state.inboundUrl = `https://runlater.eu/in/ep_${a.name}`;
      if (a.type.endsWith(":HeartbeatMonitor")) state.pingUrl = `https://runlater.eu/ping/${a.name}`;
      return { id: a.type.startsWith("cloudflare:") ? "c".repeat(32) : `${a.name}-id`, state };
    },
    call: (a: pulumi.runtime.MockCallArgs) => a.inputs,
  },
  "proj",
  "stack",
  false,
);

// Imported after setMocks, as a user's test does: the module's own tracking finds no stack.
let lib: typeof import("../../lib/pulumi");
let warn: jest.SpyInstance;
beforeAll(async () => {
  lib = await import("../../lib/pulumi");
});
beforeEach(() => {
  registered.length = 0;
  warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
});
afterEach(() => warn.mockRestore());

const guardWarnings = () => warn.mock.calls.map((c) => String(c[0])).filter((m) => /ignores? changes to `content`/.test(m));

/** Stands in for `@pulumi/cloudflare`'s DnsRecord (same type token). */
class FakeDnsRecord extends pulumi.CustomResource {
  constructor(name: string, opts?: pulumi.CustomResourceOptions) {
    super("cloudflare:index/dnsRecord:DnsRecord", name, { zoneId: "a".repeat(32), name: "www.example.com", type: "A", content: "198.51.100.10", ttl: 60 }, opts);
  }
}

function failover(name: string, record: pulumi.CustomResource, recordGuard?: "error" | "warn") {
  return new lib.DnsFailover(name, {
    resources: "per-object",
    healthCheck: { url: "https://primary.example.com/health" },
    primary: "198.51.100.10",
    backup: "203.0.113.50",
    record: record as never,
    cloudflare: { apiToken: pulumi.secret("cf-guard-token") },
    ...(recordGuard ? { recordGuard } : {}),
  });
}

describe("record guard under setMocks (no stack resource)", () => {
  it("there is no stack to track records in", () => {
    expect(lib.trackDnsRecordOptions()).toBe(false);
  });

  it("a record made with failoverRecordOptions() passes silently", async () => {
    const f = failover("ok", new FakeDnsRecord("ok-rec", lib.failoverRecordOptions()));
    await settle(f);
    expect(guardWarnings()).toEqual([]);
    expect(registered.filter((r) => r.type.startsWith("pulumi-nodejs:"))).toHaveLength(8);
  });

  it("failoverRecordOptions() keeps the caller's options and changes nothing the record registers", async () => {
    const mine: pulumi.ResourceTransformation = () => undefined;
    const opts = lib.failoverRecordOptions({ ignoreChanges: ["ttl"], protect: true, transformations: [mine] });
    expect(opts.ignoreChanges).toEqual(["ttl", "content"]);
    expect(opts.protect).toBe(true);
    expect(opts.transformations?.[0]).toBe(mine);
    const rec = new FakeDnsRecord("kept-rec", opts);
    await value(rec.urn);
    expect(registered.find((r) => r.name === "kept-rec")!.inputs).toEqual({ zoneId: "a".repeat(32), name: "www.example.com", type: "A", content: "198.51.100.10", ttl: 60 });
    const f = failover("kept", rec);
    await settle(f);
    expect(guardWarnings()).toEqual([]);
  });

  it("a wrapped record whose ignoreChanges was later stripped by a transformation is refused", () => {
    const strip: pulumi.ResourceTransformation = (a) => ({ props: a.props, opts: { ...a.opts, ignoreChanges: [] } });
    const opts = lib.failoverRecordOptions();
    // A transformation that runs after ours cannot hide from the guard: ours runs last here.
    const rec = new FakeDnsRecord("stripped-rec", { ...opts, transformations: [strip, ...(opts.transformations ?? [])] });
    expect(() => failover("stripped", rec)).toThrow(/does not ignore changes to `content`/);
  });

  it("any other record: a warning that says why it could not be verified and how to fix it", async () => {
    const f = failover("bare", new FakeDnsRecord("bare-rec", { ignoreChanges: ["content"] }));
    await settle(f);
    const [msg, ...more] = guardWarnings();
    expect(more).toEqual([]);
    expect(msg).toContain("DnsFailover bare: could not verify");
    expect(msg).toContain("pulumi.runtime.setMocks");
    expect(msg).toContain("failoverRecordOptions()");
  });
});
