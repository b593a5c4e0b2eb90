/**
 * `pulumi.runtime.setMocks` tests of the resource classes and the DnsFailover component: wiring,
 * naming, secrets, the managed-record guard.
 */
import * as pulumi from "@pulumi/pulumi";
import { installMocks, runInPulumiStack, settle, value } from "./mocks";

const registered = installMocks();

let lib: any;
beforeAll(async () => {
  lib = await import("../../lib/pulumi");
});
beforeEach(() => {
  registered.length = 0;
});

const isSecret = <T>(o: pulumi.Output<T>) => pulumi.isSecret(o);
const TOKEN = "cf-mock-secret-token";

/** Stands in for `@pulumi/cloudflare`'s DnsRecord (same type token), whose plugin is not installable here. */
class FakeDnsRecord extends pulumi.CustomResource {
  declare readonly zoneId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly type: pulumi.Output<string>;
  declare readonly ttl: pulumi.Output<number>;
}

function record(name: string, opts: pulumi.CustomResourceOptions = {}) {
  return new FakeDnsRecord(
    "cloudflare:index/dnsRecord:DnsRecord",
    name,
    { zoneId: "z".repeat(32), name: "www.example.com", type: "A", content: "198.51.100.10", ttl: 60, proxied: false },
    opts,
  );
}

describe("resource classes", () => {
  it("HealthCheckTask registers the typed token, defaults the name, marks headers/body secret", async () => {
    const t = new lib.HealthCheckTask("api-health", { url: "https://example.com/health", headers: { "X-Key": "k" } });
    expect(await value(t.taskId)).toBe("api-health-id");
    const r = registered.find((x) => x.name === "api-health")!;
    expect(r.type).toBe("pulumi-nodejs:dynamic/runlater:HealthCheckTask");
    expect(r.inputs.name).toBe("api-health");
    expect(typeof r.inputs.__provider).toBe("string");
  });

  it("asks the engine to keep credentials and inbound URLs secret", () => {
    const o = lib.mergeSecretOutputs({ additionalSecretOutputs: ["x"] }, ["forwardHeaders", "x"]);
    expect(o.additionalSecretOutputs).toEqual(["x", "forwardHeaders"]);
  });

  it("ForwardEndpoint exposes inboundUrl", async () => {
    const e = new lib.ForwardEndpoint("flip", { forwardUrls: ["https://api.example.com/x"], forwardHeaders: { Authorization: "Bearer t" } });
    // (Mocks do not apply additionalSecretOutputs; the real-engine test checks state encryption.)
    expect(await value(e.inboundUrl)).toBe("https://runlater.eu/in/ep_flip");
    expect(registered.find((x) => x.name === "flip")!.type).toBe("pulumi-nodejs:dynamic/runlater:ForwardEndpoint");
  });
});

describe("DnsFailover", () => {
  it("creates the converge wiring: DNS endpoints, latches, relay, probe, and a task wired to their inbound URLs", async () => {
    await runInPulumiStack(async () => {
      const f = new lib.DnsFailover("www", {
        resources: "per-object",
        healthCheck: { url: "https://primary.example.com/health" },
        primary: "198.51.100.10",
        backup: "203.0.113.50",
        record: { zoneId: "a".repeat(32), recordId: "b".repeat(32), name: "www.example.com", ttl: 60 },
        cloudflare: { apiToken: pulumi.secret(TOKEN) },
      });
      expect(await value(f.taskId)).toBe("www-health-id");
      await settle(f);
      expect(await isSecret(f.failoverUrl)).toBe(true);
      const summary = await value(f.summary as pulumi.Output<Record<string, unknown>>);
      expect(summary).toMatchObject({ dnsProvider: "cloudflare", runlaterObjects: 8, wiring: "converge" });
      expect(JSON.stringify(summary)).not.toContain(TOKEN);
    });
    const names = registered.map((r) => `${r.type.split(":").pop()} ${r.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "DnsFailover www",
        "ForwardEndpoint www-failover",
        "ForwardEndpoint www-recovery",
        "HealthCheckTask www-health",
        "HealthCheckTask www-pulse",
        "ForwardEndpoint www-probe",
        "ForwardEndpoint www-relay",
        "HeartbeatMonitor www-latch",
        "HeartbeatMonitor www-latch-2",
      ]),
    );
    const task = registered.find((r) => r.name === "www-health")!.inputs;
    expect(task).toMatchObject({
      url: "https://primary.example.com/health",
      cron: "* * * * *",
      timeoutMs: 10000,
      expectedStatusCodes: [200],
      onFailureUrl: "https://runlater.eu/in/ep_www-failover",
      onRecoveryUrl: "https://runlater.eu/in/ep_www-recovery",
    });
    const fo = registered.find((r) => r.name === "www-failover")!.inputs;
    expect(fo.forwardMethod).toBe("PATCH");
    expect(fo.forwardUrls).toEqual([`https://api.cloudflare.com/client/v4/zones/${"a".repeat(32)}/dns_records/${"b".repeat(32)}`]);
    // Credentials travel as secrets: the component wraps headers and body itself.
    const SIG = "4dabf18193072939515e22adb298388d";
    const body = fo.forwardBody as Record<string, unknown>;
    const headers = fo.forwardHeaders as Record<string, unknown>;
    expect(body[SIG]).toBeDefined();
    expect(headers[SIG]).toBeDefined();
    expect(JSON.parse(body.value as string)).toEqual({ content: "203.0.113.50", ttl: 60 });
    expect((headers.value as Record<string, string>).authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("manual failback: two children, no recovery hook", async () => {
    await runInPulumiStack(async () => {
      const f = new lib.DnsFailover("m", {
        resources: "per-object",
        failback: "manual",
        healthCheck: { url: "https://primary.example.com/health" },
        primary: "198.51.100.10",
        backup: "203.0.113.50",
        record: { zoneId: "a".repeat(32), recordId: "b".repeat(32) },
        cloudflare: { apiToken: TOKEN },
      });
      await value(f.taskId);
      await settle(f);
    });
    expect(registered.filter((r) => r.type.startsWith("pulumi-nodejs")).map((r) => r.name).sort()).toEqual(["m-failover", "m-health", "m-probe", "m-pulse", "m-relay"]);
    expect(registered.find((r) => r.name === "m-health")!.inputs.onRecoveryUrl ?? null).toBeNull();
  });

  it("refuses a managed record whose ignoreChanges lacks content (default), with the fix", () => {
    const v = lib.recordGuardVerdict("g", ["tags"], "error");
    expect(v.level).toBe("error");
    expect(v.message).toContain('ignoreChanges: ["content"]');
    expect(lib.recordGuardVerdict("g", ["content"], "error").level).toBe("ok");
    expect(lib.recordGuardVerdict("g", undefined, "error").level).toBe("warn");
  });

  it("warns instead with recordGuard: warn, and accepts failoverRecordOptions()", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
    await runInPulumiStack(async () => {
      lib.trackDnsRecordOptions();
      const bad = record("w-rec");
      const w = new lib.DnsFailover("w", {
        resources: "per-object",
        recordGuard: "warn",
        healthCheck: { url: "https://primary.example.com/health" },
        primary: "198.51.100.10",
        backup: "203.0.113.50",
        record: bad,
        cloudflare: { apiToken: TOKEN },
      });
      const good = record("ok-rec", lib.failoverRecordOptions());
      const ok = new lib.DnsFailover("ok", {
        resources: "per-object",
        healthCheck: { url: "https://primary.example.com/health" },
        primary: "198.51.100.10",
        backup: "203.0.113.50",
        record: good,
        cloudflare: { apiToken: TOKEN },
      });
      await Promise.all([settle(w), settle(ok)]);
    });
    const msgs = warn.mock.calls.map((c) => String(c[0]));
    expect(msgs.filter((m) => m.includes("does not ignore changes to `content`"))).toHaveLength(1);
    expect(msgs.find((m) => m.includes("DnsFailover w:"))).toContain('ignoreChanges: ["content"]');
    warn.mockRestore();
  });

  it("warns about the seed's footguns (high TTL, long timeout, private health URL)", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
    await runInPulumiStack(async () => {
      const f = new lib.DnsFailover("fg", {
        resources: "per-object",
        healthCheck: { url: "http://192.168.1.10/health", timeoutMs: 45000 },
        primary: "198.51.100.10",
        backup: "203.0.113.50",
        record: { zoneId: "a".repeat(32), recordId: "b".repeat(32), ttl: 3600 },
        cloudflare: { apiToken: TOKEN },
      });
      await value(f.summary);
      await settle(f);
    });
    const text = warn.mock.calls.map((c) => String(c[0])).join("\n");
    expect(text).toMatch(/healthCheck\.timeoutMs/);
    expect(text).toMatch(/healthCheck\.url/);
    // Said once, by the component (its child HealthCheckTask stays quiet about it).
    expect(text.match(/private or loopback/g)).toHaveLength(1);
    expect(text).toMatch(/TTL|ttl/);
    expect(text).not.toContain(TOKEN);
    warn.mockRestore();
  });

  it("rejects Route53 at construction with the reason, before any resource is registered", () => {
    const before = registered.length;
    expect(
      () =>
        new lib.DnsFailover("r53", {
          resources: "per-object",
          healthCheck: { url: "https://primary.example.com/health" },
          primary: "198.51.100.10",
          backup: "203.0.113.50",
          dns: { provider: "route53", hostedZoneId: "Z123" },
        }),
    ).toThrow(/dns\.provider: "route53" cannot be used for failover: .*SigV4/);
    expect(registered.filter((r) => r.type.startsWith("pulumi-nodejs")).length).toBe(before);
  });
});
