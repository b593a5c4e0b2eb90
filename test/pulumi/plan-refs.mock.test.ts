/**
 * Per-input dependencies of DnsFailover's children: each input depends on the resources whose
 * URLs it refers to and on nothing else (state stores every input's dependencies as URNs, so a
 * child that depended on every earlier child made each failover's state grow with the square of
 * its objects). The references are derived before any value resolves (lib/pulumi/plan-refs.ts);
 * they must be the ones the real plan uses.
 */
import * as pulumi from "@pulumi/pulumi";
import { failoverLayout, groupRecords, isPlanRef, planFailover, planRecords, type PlanObjectKey } from "../../lib/failover/plan";
import { planRefs } from "../../lib/pulumi/plan-refs";

type Registered = {
  type: string;
  name: string;
  urn: string;
  inputs: Record<string, unknown>;
  deps: Record<string, string[]>;
  all: string[];
  /** The source position and stack trace the engine would store, as `file:` URIs (undefined: a frame without position). */
  position?: string;
  frames: (string | undefined)[];
};
const registered: Registered[] = [];

pulumi.runtime.setMocks(
  {
    newResource: (a: pulumi.runtime.MockResourceArgs) => {
      const state: Record<string, unknown> = { ...a.inputs };
      if (a.type.endsWith(":ForwardEndpoint")) state.inboundUrl = `https://runlater.eu/in/ep_${a.name}`;
      if (a.type.endsWith(":HeartbeatMonitor")) state.pingUrl = `https://runlater.eu/ping/${a.name}`;
      if (a.type.endsWith(":HealthCheckTask")) state.taskId = `${a.name}-id`;
      return { id: a.type.startsWith("cloudflare:") ? "c".repeat(32) : `${a.name}-id`, state };
    },
    call: (a: pulumi.runtime.MockCallArgs) => a.inputs,
  },
  "proj",
  "stack",
  false,
);

// The mock monitor sees the RegisterResourceRequest: capture what the engine would store as
// `propertyDependencies` and `dependencies`.
type Req = {
  getType(): string;
  getName(): string;
  getParent(): string;
  getPropertydependenciesMap(): { forEach(f: (v: { getUrnsList(): string[] }, k: string) => void): void };
  getDependenciesList(): string[];
  getSourceposition(): { getUri(): string } | undefined;
  getStacktrace(): { getFramesList(): { getPc(): { getUri(): string } | undefined }[] } | undefined;
};
const monitor = (pulumi.runtime as unknown as { getMonitor(): { registerResource(req: Req, cb: unknown): unknown } }).getMonitor();
const original = monitor.registerResource.bind(monitor);
monitor.registerResource = (req: Req, cb: unknown) => {
  const deps: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((v, k) => {
    if (v.getUrnsList().length > 0) deps[k] = v.getUrnsList();
  });
  registered.push({
    type: req.getType(),
    name: req.getName(),
    urn: "",
    inputs: {},
    deps,
    all: req.getDependenciesList(),
    position: req.getSourceposition()?.getUri(),
    frames: (req.getStacktrace()?.getFramesList() ?? []).map((f) => f.getPc()?.getUri()),
  });
  return original(req, cb);
};

let lib: typeof import("../../lib/pulumi");
beforeAll(async () => {
  lib = await import("../../lib/pulumi");
});
beforeEach(() => {
  registered.length = 0;
});

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((r) => o.apply(r as (v: T) => void));
const settle = (f: { children: Partial<Record<string, pulumi.Resource>> }) =>
  Promise.all(Object.values(f.children).map((c) => value((c as pulumi.Resource).urn)));
const cf = (recordId: string) => ({ provider: "cloudflare" as const, zoneId: "a".repeat(32), recordId, apiToken: "cf-token-refs" });

describe("planRefs", () => {
  const cases = [
    { wiring: "converge", failback: "auto", records: 1 },
    { wiring: "converge", failback: "manual", records: 1 },
    { wiring: "edge", failback: "auto", records: 1 },
    { wiring: "seed", failback: "manual", records: 1 },
    { wiring: "converge", failback: "auto", records: 3 },
    { wiring: "edge", failback: "auto", records: 3 },
  ] as const;
  it.each(cases)("$wiring / $failback / $records record(s): the same references as the real plan", ({ wiring, failback, records }) => {
    const dns = Array.from({ length: records }, (_, i) => ({ dns: { ...cf(String(i + 1).repeat(32)), apiToken: `tok-${i}` }, primary: `198.51.100.${i + 1}`, backup: `203.0.113.${i + 1}` }));
    const input = {
      name: "r",
      wiring,
      failback,
      healthCheck: { url: "https://primary.example.com/health" },
      ...(records === 1 ? { dns: dns[0]!.dns, primary: dns[0]!.primary, backup: dns[0]!.backup } : { records: dns }),
    };
    const plan = planFailover(input);
    expect(plan.errors).toEqual([]);
    const groups = groupRecords(planRecords(input), { wiring });
    if (records > 1) expect(groups.failover.length).toBe(records); // distinct tokens: an endpoint each
    const layout = failoverLayout(wiring, failback, { failover: groups.failover.length, recovery: groups.recovery.length });
    const refs = planRefs(layout, wiring, failback, groups);
    expect([...refs.keys()]).toEqual(plan.objects.map((o) => o.key));
    for (const o of plan.objects) {
      const want: Record<string, PlanObjectKey[]> = {};
      for (const [field, v] of Object.entries(o.spec)) {
        const keys = (Array.isArray(v) ? v : [v]).filter(isPlanRef).map((r) => r.$ref);
        if (keys.length > 0) want[field] = keys;
      }
      expect({ key: o.key, refs: refs.get(o.key) }).toEqual({ key: o.key, refs: want });
    }
  });
});

describe("DnsFailover children depend only on the objects they refer to", () => {
  it("converge: the health task's hooks depend on the DNS endpoints, nothing else depends on more than it points at", async () => {
    const f = new lib.DnsFailover("www", {
      resources: "per-object",
      healthCheck: { url: "https://primary.example.com/health" },
      primary: "198.51.100.10",
      backup: "203.0.113.50",
      dns: pulumi.secret(cf("b".repeat(32))),
    });
    await settle(f);
    const children = registered.filter((r) => r.type.startsWith("pulumi-nodejs:"));
    expect(children.map((c) => c.name).sort()).toEqual(
      ["www-failover", "www-recovery", "www-latch", "www-latch-2", "www-relay", "www-probe", "www-health", "www-pulse"].sort(),
    );
    const urnOf = (child: string) => expect.stringMatching(new RegExp(`::${child}$`));
    const deps = (n: string) => children.find((c) => c.name === n)!.deps;
    expect(deps("www-failover")).toEqual({});
    expect(deps("www-recovery")).toEqual({});
    expect(deps("www-latch")).toEqual({ onFailureUrl: [urnOf("www-recovery")] });
    expect(deps("www-latch-2")).toEqual({ onFailureUrl: [urnOf("www-recovery")] });
    expect(deps("www-relay")).toEqual({ forwardUrls: expect.arrayContaining([urnOf("www-failover"), urnOf("www-latch"), urnOf("www-latch-2")]) });
    expect(deps("www-relay").forwardUrls).toHaveLength(3);
    expect(deps("www-probe")).toEqual({ onFailureUrl: [urnOf("www-relay")] });
    expect(deps("www-health")).toEqual({ onFailureUrl: [urnOf("www-failover")], onRecoveryUrl: [urnOf("www-recovery")] });
    expect(deps("www-pulse")).toEqual({ url: [urnOf("www-probe")] });
    // Per child, all dependencies = the union of its inputs' (the parent is not a dependency).
    for (const c of children) expect(c.all.length).toBe(new Set(Object.values(c.deps).flat()).size);
  });

  it("stack traces in state name the user's code: the line that made the failover, no frame of runlater-iac, no runtime frames", async () => {
    const f = new lib.DnsFailover("st", {
      resources: "per-object",
      healthCheck: { url: "https://primary.example.com/health" },
      primary: "198.51.100.10",
      backup: "203.0.113.50",
      dns: pulumi.secret(cf("d".repeat(32))),
    });
    await settle(f);
    const mine = registered.filter((r) => r.name === "st" || r.name.startsWith("st-"));
    expect(mine).toHaveLength(9);
    const here = require("node:url").pathToFileURL(__filename).href as string;
    const libDir = require("node:url").pathToFileURL(require("node:path").resolve(__dirname, "../../lib")).href as string;
    for (const r of mine) {
      expect({ name: r.name, position: r.position }).toEqual({ name: r.name, position: here });
      expect(r.frames[0]).toBe(here);
      expect(r.frames.filter((u) => u === undefined || u.startsWith(`${libDir}/`) || u.includes("/@pulumi/pulumi/"))).toEqual([]);
    }
  });

  it("a managed record: children list the record (the plan reads it) and at most the 3 children they point at", async () => {
    class FakeDnsRecord extends pulumi.CustomResource {}
    const rec = new FakeDnsRecord(
      "cloudflare:index/dnsRecord:DnsRecord",
      "rec",
      { zoneId: "a".repeat(32), name: "www.example.com", type: "A", content: "198.51.100.10", ttl: 60 },
      lib.failoverRecordOptions(),
    );
    const f = new lib.DnsFailover("m", {
      resources: "per-object",
      healthCheck: { url: "https://primary.example.com/health" },
      primary: "198.51.100.10",
      backup: "203.0.113.50",
      record: rec as never,
      cloudflare: { apiToken: pulumi.secret("cf-token-refs") },
    });
    await settle(f);
    const recUrn = await value(rec.urn);
    const children = registered.filter((r) => r.type.startsWith("pulumi-nodejs:"));
    expect(children).toHaveLength(8);
    for (const c of children) {
      const onRecord = Object.entries(c.deps).filter(([, urns]) => urns.includes(recUrn)).map(([k]) => k);
      // Every input derives from the plan, which reads the record: the record is a dependency of
      // each child (as the DNS record it drives), but no child lists another child it does not use.
      expect(onRecord.length).toBeGreaterThan(0);
      const others = new Set(Object.values(c.deps).flat().filter((u) => u !== recUrn));
      expect(others.size).toBeLessThanOrEqual(3);
    }
  });
});

describe("userFrames", () => {
  it("keeps the user's call chain: drops this package's frames and positionless ones, stops at the Pulumi runtime", () => {
    const { pathToFileURL } = require("node:url") as typeof import("node:url");
    const path = require("node:path") as typeof import("node:path");
    const { userFrames } = require("../../lib/pulumi/resource-support") as typeof import("../../lib/pulumi/resource-support");
    const at = (file: string, line: number) => ({ uri: pathToFileURL(file).href, line, column: 1 });
    const own = at(path.resolve(__dirname, "../../lib/pulumi/dns-failover.ts"), 10);
    const sdk = at(require.resolve("@pulumi/pulumi/cmd/run/run.js"), 20);
    const user = at("/home/me/infra/index.ts", 5);
    const helper = at("/home/me/infra/lib.ts", 9);
    expect(userFrames([own, own, undefined, user, undefined, helper, undefined, sdk, user])).toEqual([user, helper]);
    expect(userFrames([sdk, own, user])).toEqual([user]);
    expect(userFrames([own, undefined])).toEqual([]);
  });
});
