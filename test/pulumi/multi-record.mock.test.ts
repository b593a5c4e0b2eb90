/**
 * The Pulumi `DnsFailover` with several records (issue 12 §3), field names as users wrote them
 * and a secret `dns` input (issue 11 §1), on `pulumi.runtime.setMocks`.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, runInPulumiStack, settle, unwrap, value } from "./mocks";

const registered = installMocks();

let lib: any;
beforeAll(async () => {
  lib = await import("../../lib/pulumi");
});
beforeEach(() => {
  registered.length = 0;
});

const TOKEN = "cf-multi-mock-token";
const ZONE = "a".repeat(32);
const HC = { url: "https://primary.example.com/health" };
const V6 = { primary: "2001:db8::10", backup: "2001:db8::50" };
const names = () => registered.filter((r) => r.type.startsWith("pulumi-nodejs")).map((r) => r.name);
const inputs = (n: string) => registered.find((r) => r.name === n)!.inputs;

class FakeDnsRecord extends pulumi.CustomResource {
  declare readonly zoneId: pulumi.Output<string>;
}
const managed = (name: string, opts: pulumi.CustomResourceOptions = {}) =>
  new FakeDnsRecord("cloudflare:index/dnsRecord:DnsRecord", name, { zoneId: ZONE, name: `${name}.example.com`, type: "A", content: "198.51.100.10" }, opts);

describe("DnsFailover with several records", () => {
  it("A + AAAA: own failover/recovery endpoints per content, a restore fan-out, one health check", async () => {
    let summary: any;
    await runInPulumiStack(async () => {
      const token = pulumi.secret(TOKEN);
      const f = new lib.DnsFailover("site", {
        resources: "per-object",
        healthCheck: HC,
        primary: "198.51.100.10",
        backup: "203.0.113.50",
        cloudflare: { apiToken: token },
        records: [{ record: { zoneId: ZONE, recordId: "b".repeat(32), name: "www.example.com" } }, { record: { zoneId: ZONE, recordId: "c".repeat(32), type: "AAAA" }, ...V6 }],
      });
      summary = await value(f.summary);
      await settle(f);
      expect(f.failoverEndpoints).toHaveLength(2);
      expect(f.recoveryEndpoints).toHaveLength(2);
    });
    expect(names().sort()).toEqual(["site-failover", "site-failover-2", "site-recovery", "site-recovery-2", "site-restore", "site-latch", "site-latch-2", "site-relay", "site-probe", "site-health", "site-pulse"].sort());
    expect(summary).toMatchObject({ records: 2, failoverEndpoints: 2, recoveryEndpoints: 2, runlaterObjects: 11 });
    expect(JSON.stringify(summary)).not.toContain(TOKEN);
    expect(JSON.parse(unwrap(inputs("site-failover-2").forwardBody))).toEqual({ content: V6.backup });
    expect(inputs("site-relay").forwardUrls).toEqual(["https://runlater.eu/in/ep_site-failover", "https://runlater.eu/in/ep_site-failover-2", "https://runlater.eu/ping/site-latch", "https://runlater.eu/ping/site-latch-2"]);
    expect(inputs("site-restore").forwardUrls).toEqual(["https://runlater.eu/in/ep_site-recovery", "https://runlater.eu/in/ep_site-recovery-2"]);
    expect(inputs("site-health")).toMatchObject({ onFailureUrl: "https://runlater.eu/in/ep_site-relay", onRecoveryUrl: "https://runlater.eu/in/ep_site-restore" });
    expect(inputs("site-latch").onFailureUrl).toBe("https://runlater.eu/in/ep_site-restore");
  });

  it("apex + www with the same token Output and content: one shared failover and recovery endpoint (8 objects)", async () => {
    await runInPulumiStack(async () => {
      const f = new lib.DnsFailover("apex", {
        resources: "per-object",
        healthCheck: HC,
        primary: "198.51.100.10",
        backup: pulumi.output("203.0.113.50"),
        cloudflare: { apiToken: pulumi.secret(TOKEN) },
        records: [{ record: { zoneId: ZONE, recordId: "b".repeat(32) } }, { record: { zoneId: pulumi.output(ZONE), recordId: "c".repeat(32) } }],
      });
      expect((await value(f.summary as pulumi.Output<any>)).runlaterObjects).toBe(8);
      await settle(f);
    });
    expect(names().sort()).toEqual(["apex-failover", "apex-recovery", "apex-latch", "apex-latch-2", "apex-relay", "apex-probe", "apex-health", "apex-pulse"].sort());
    expect(inputs("apex-failover").forwardUrls).toEqual([`https://api.cloudflare.com/client/v4/zones/${ZONE}/dns_records/${"b".repeat(32)}`, `https://api.cloudflare.com/client/v4/zones/${ZONE}/dns_records/${"c".repeat(32)}`]);
    expect(inputs("apex-health").onFailureUrl).toBe("https://runlater.eu/in/ep_apex-failover");
  });

  it("the README's example: managed apex + www A records share a pair, the AAAA gets its own (11 objects)", async () => {
    lib.trackDnsRecordOptions();
    let objects: number | undefined;
    await runInPulumiStack(async () => {
      const rec = (name: string, type: string, content: string) =>
        new FakeDnsRecord("cloudflare:index/dnsRecord:DnsRecord", name, { zoneId: ZONE, name: `${name}.example.com`, type, content, ttl: 60 }, lib.failoverRecordOptions());
      const f = new lib.DnsFailover("site", {
        resources: "per-object",
        healthCheck: HC,
        primary: "198.51.100.10",
        backup: "203.0.113.50",
        records: [{ record: rec("apex", "A", "198.51.100.10") }, { record: rec("www", "A", "198.51.100.10") }, { record: rec("www-v6", "AAAA", V6.primary), ...V6 }],
        cloudflare: { apiToken: pulumi.secret(TOKEN) },
      });
      objects = await value(f.summary.runlaterObjects as pulumi.Output<number>);
      await settle(f);
    });
    expect(objects).toBe(11);
    expect(inputs("site-failover").forwardUrls).toHaveLength(2);
    expect(inputs("site-failover-2").forwardUrls).toHaveLength(1);
    // The records' ttl/proxied are theirs to manage: the stored PATCH carries only the content.
    expect(JSON.parse(unwrap(inputs("site-failover").forwardBody))).toEqual({ content: "203.0.113.50" });
  });

  it("two different token Outputs: separate endpoints (decided before values resolve)", async () => {
    await runInPulumiStack(async () => {
      const f = new lib.DnsFailover("two", {
        resources: "per-object",
        healthCheck: HC,
        ...{ primary: "198.51.100.10", backup: "203.0.113.50" },
        records: [
          { dns: { provider: "cloudflare", zoneId: ZONE, recordId: "b".repeat(32), apiToken: pulumi.secret(TOKEN) } },
          { dns: { provider: "cloudflare", zoneId: ZONE, recordId: "c".repeat(32), apiToken: pulumi.secret(TOKEN) } },
        ],
      });
      await settle(f);
    });
    expect(names().filter((n) => /failover|recovery|restore/.test(n))).toEqual(["two-failover", "two-failover-2", "two-recovery", "two-recovery-2", "two-restore"]);
  });

  it("guards every managed record", () => {
    lib.trackDnsRecordOptions();
    const ok = managed("ok", lib.failoverRecordOptions());
    const bad = managed("bad");
    expect(
      () =>
        new lib.DnsFailover("g", {
          resources: "per-object",
          healthCheck: HC,
          primary: "198.51.100.10",
          backup: "203.0.113.50",
          cloudflare: { apiToken: TOKEN },
          records: [{ record: ok }, { record: bad }],
        }),
    ).toThrow(/does not ignore changes to `content`/);
  });

  const err = (args: Record<string, unknown>) => {
    try {
      new lib.DnsFailover("e", { resources: "per-object", healthCheck: HC, primary: "198.51.100.10", backup: "203.0.113.50", ...args });
    } catch (e) {
      return String((e as Error).message) + JSON.stringify((e as { issues?: unknown }).issues ?? []);
    }
    return "";
  };
  it.each([
    ["records with dns", { dns: { provider: "cloudflare" }, records: [{ dns: {} }] }, /records.*not both/s],
    ["no records", { records: [] }, /records.*1 to 8/s],
    ["nine records", { records: Array.from({ length: 9 }, () => ({ dns: {} })) }, /records.*got 9/s],
    ["a record with both forms", { cloudflare: { apiToken: TOKEN }, records: [{ record: { zoneId: ZONE, recordId: "b".repeat(32) }, dns: {} }] }, /records\[0\]/],
    ["records as an Output", { records: pulumi.output([]) }, /plain array/],
    ["a bad zone id in records[1]", { cloudflare: { apiToken: TOKEN }, records: [{ record: { zoneId: ZONE, recordId: "b".repeat(32) } }, { record: { zoneId: "example.com", recordId: "c".repeat(32) } }] }, /records\[1\]\.record\.zoneId/],
    ["IPv4 content for an AAAA record", { cloudflare: { apiToken: TOKEN }, records: [{ record: { zoneId: ZONE, recordId: "b".repeat(32), type: "AAAA" } }] }, /records\[0\]\.primary/],
  ])("refuses %s, field-named, before anything is registered", (_l, args, re) => {
    const before = registered.length;
    expect(err(args)).toMatch(re);
    expect(registered.length).toBe(before);
  });
});

describe("field names as users wrote them (record + cloudflare)", () => {
  const err = (args: Record<string, unknown>) => {
    try {
      new lib.DnsFailover("f", { resources: "per-object", healthCheck: HC, primary: "198.51.100.10", backup: "203.0.113.50", ...args });
    } catch (e) {
      return String((e as Error).message);
    }
    return "";
  };
  it("names record.zoneId, record.id / record.recordId, cloudflare.apiToken, cloudflare.apiBaseUrl, never dns.*", () => {
    const m1 = err({ record: { zoneId: "example.com", id: ".." }, cloudflare: { apiToken: TOKEN, apiBaseUrl: "ftp://nope" } });
    expect(m1).toMatch(/record\.zoneId/);
    expect(m1).toMatch(/record\.id\b/);
    expect(m1).toMatch(/cloudflare\.apiBaseUrl/);
    expect(m1).not.toMatch(/dns\./);
    expect(err({ record: { zoneId: ZONE, recordId: ".." }, cloudflare: { apiToken: TOKEN } })).toMatch(/record\.recordId/);
    expect(err({ record: { zoneId: ZONE, recordId: "b".repeat(32) }, cloudflare: { apiToken: "bad\ntoken" } })).toMatch(/cloudflare\.apiToken/);
    expect(err({ record: { zoneId: ZONE, recordId: "b".repeat(32) } })).toMatch(/cloudflare\.apiToken/);
    for (const m of [m1]) expect(m).not.toContain(TOKEN);
  });
});

describe("a secret dns input", () => {
  it("works: the plan resolves it inside an apply", async () => {
    await runInPulumiStack(async () => {
      const f = new lib.DnsFailover("sec", {
        resources: "per-object",
        healthCheck: HC,
        primary: "198.51.100.10",
        backup: "203.0.113.50",
        dns: pulumi.secret({ provider: "cloudflare", zoneId: ZONE, recordId: "b".repeat(32), apiToken: TOKEN }),
      });
      expect(await value(f.taskId)).toBe("sec-health-id");
      await settle(f);
    });
    expect(inputs("sec-failover").forwardUrls).toBeDefined();
  });

  it("invalid: one clear message, fast (no 'error serializing property' per child, nothing registered)", () => {
    // In a plain Node process, as under `pulumi up`: Pulumi's uncaught handler reports each
    // error object once; on old main its message had grown one `error serializing property
    // "name"` per child awaiting it.
    // (Its exit code is Pulumi's "promises still active" 1: the program is cut off on purpose.)
    const out = spawnSync(process.execPath, [path.join(__dirname, "fixtures", "invalid-secret-dns.js")], {
      encoding: "utf8",
      env: { ...process.env, FIXTURE_WAIT_MS: "4000" },
    }).stdout;
    const r = JSON.parse(out) as { messages: string[]; firstReportMs: number; registered: string[] };
    expect(r.messages).toEqual([
      'DnsFailover bad: invalid arguments:\n  - dns.zoneId: must be the zone id (32 hex characters), not the zone name: got "example.com". Look it up with GET /zones?name=example.com',
    ]);
    expect(r.firstReportMs).toBeLessThan(3000);
    expect(r.registered).toEqual(["bad"]);
    expect(out).not.toContain("cf-fixture-secret");
  });
});
