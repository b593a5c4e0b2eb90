/**
 * `DnsFailover` with `resources: "compact"` on `pulumi.runtime.setMocks`: one
 * `FailoverObjects` child whose inputs hold the plan with references, credentials only in the
 * secret `secrets` input, and the component's outputs read from it.
 */
import * as pulumi from "@pulumi/pulumi";
import { installMocks, runInPulumiStack, SECRET_SIG, unwrap, value } from "./mocks";

const registered = installMocks();

let lib: any;
beforeAll(async () => {
  lib = await import("../../lib/pulumi");
});
beforeEach(() => {
  registered.length = 0;
});

const TOKEN = "cf-compact-mock-token";
const ZONE = "a".repeat(32);
const HC = { url: "https://primary.example.com/health", headers: { "X-Health-Key": "health-secret-123" } };

class FakeDnsRecord extends pulumi.CustomResource {
  declare readonly zoneId: pulumi.Output<string>;
}
const managed = (name: string, opts: pulumi.CustomResourceOptions = {}) =>
  new FakeDnsRecord("cloudflare:index/dnsRecord:DnsRecord", name, { zoneId: ZONE, name: `${name}.example.com`, type: "A", content: "198.51.100.10" }, opts);

describe('DnsFailover resources: "compact"', () => {
  it("one FailoverObjects child with the plan's 8 objects; references, not URLs; credentials only in the secret input", async () => {
    let f: any;
    let out: Record<string, unknown> = {};
    await runInPulumiStack(async () => {
      f = new lib.DnsFailover("www", {
        resources: "compact",
        healthCheck: HC,
        primary: "198.51.100.10",
        backup: "203.0.113.50",
        record: { zoneId: ZONE, recordId: "b".repeat(32), name: "www.example.com", ttl: 60 },
        cloudflare: { apiToken: pulumi.secret(TOKEN) },
      });
      out = {
        taskId: await value(f.taskId),
        failoverUrl: await value(f.failoverUrl),
        recoveryUrl: await value(f.recoveryUrl),
        secret: [await pulumi.isSecret(f.failoverUrl), await pulumi.isSecret(f.recoveryUrl)],
        summary: await value(f.summary),
      };
    });
    const ours = registered.filter((r) => r.type.startsWith("pulumi-nodejs:") || r.type.startsWith("runlater:"));
    expect(ours.map((r) => `${r.type} ${r.name}`)).toEqual(["runlater:index:DnsFailover www", "pulumi-nodejs:dynamic/runlater:FailoverObjects www"]);
    const inputs = ours[1]!.inputs;
    expect(inputs.__provider.length).toBeLessThan(400);
    expect(inputs.idempotencyScope).toBe("proj/stack/FailoverObjects/www");
    const objects = unwrap(inputs.objects) as Record<string, any>[];
    expect(objects.map((o) => o.key)).toEqual(["failover", "recovery", "latch", "latch2", "relay", "probe", "health", "pulse"]);
    expect(objects.find((o) => o.key === "health")).toMatchObject({
      kind: "task",
      url: HC.url,
      onFailureUrl: { $ref: "failover", attr: "inboundUrl" },
      onRecoveryUrl: { $ref: "recovery", attr: "inboundUrl" },
    });
    // Public input: no token, no health header, no URL of a Runlater object.
    const pub = JSON.stringify(objects);
    for (const s of [TOKEN, "health-secret-123", "runlater.eu/in/"]) expect(pub).not.toContain(s);
    expect(inputs.secrets[SECRET_SIG]).toBeDefined();
    const secrets = unwrap(inputs.secrets);
    expect(secrets.failover.forwardHeaders.authorization).toBe(`Bearer ${TOKEN}`);
    expect(secrets.health.headers).toEqual(HC.headers);
    expect(out).toMatchObject({
      taskId: "health-id",
      failoverUrl: "https://runlater.eu/in/ep_failover",
      recoveryUrl: "https://runlater.eu/in/ep_recovery",
      secret: [true, true],
      summary: { runlaterObjects: 8, wiring: "converge" },
    });
    expect(f.children).toEqual({});
    expect(f.failoverEndpoints).toEqual([]);
    expect(() => f.healthCheck).toThrow(/`healthCheck` does not exist with resources: "compact"; use `objects`/);
    expect(() => f.failoverEndpoint).toThrow(/failoverEndpoint/);
    expect(f.objects).toBeInstanceOf(lib.FailoverObjects);
  });

  it("several managed records: apex + www + AAAA in one FailoverObjects (11 objects), the guard still applies", async () => {
    let n = 0;
    await runInPulumiStack(async () => {
      const apex = managed("apex", lib.failoverRecordOptions());
      const www = managed("www2", lib.failoverRecordOptions());
      const f = new lib.DnsFailover("site", {
        resources: "compact",
        healthCheck: { url: HC.url },
        primary: "198.51.100.10",
        backup: "203.0.113.50",
        cloudflare: { apiToken: pulumi.secret(TOKEN) },
        records: [{ record: apex }, { record: www }, { record: { zoneId: ZONE, recordId: "c".repeat(32), type: "AAAA" }, primary: "2001:db8::10", backup: "2001:db8::50" }],
      });
      n = (await value(f.summary as pulumi.Output<any>)).runlaterObjects;
      await value(f.taskId);
      expect(() => new lib.DnsFailover("bad", { healthCheck: { url: HC.url }, primary: "198.51.100.10", backup: "203.0.113.50", cloudflare: { apiToken: TOKEN }, record: managed("unguarded") })).toThrow(
        /does not ignore changes to `content`/,
      );
    });
    expect(n).toBe(11);
    const fo = registered.find((r) => r.type.endsWith(":FailoverObjects") && r.name === "site")!;
    expect(unwrap(fo.inputs.objects)).toHaveLength(11);
  });

  it('refuses a bad `resources` value by name, before anything is registered', () => {
    expect(() => new lib.DnsFailover("x", { resources: "one", healthCheck: { url: HC.url }, primary: "198.51.100.10", backup: "203.0.113.50", dns: {} as never })).toThrow(
      /resources: must be "per-object" or "compact"/,
    );
    expect(registered.filter((r) => r.type.endsWith(":FailoverObjects"))).toHaveLength(0);
  });
});
