/**
 * One failover, several records (issue 12 §3): grouping into the fewest Runlater objects,
 * limits, field names, and the single-record layout unchanged.
 */
import { failoverLayout, groupRecords, MAX_FAILOVER_RECORDS, planFailover, planRecords } from "../../lib/failover/plan";
import type { DnsTarget } from "../../lib/dns";
import { validateEndpointSpec } from "../../lib/runlater/validate";

const ZONE = "0123456789abcdef0123456789abcdef";
const rec = (id: string, over: Record<string, unknown> = {}): DnsTarget =>
  ({ provider: "cloudflare", zoneId: ZONE, recordId: id.repeat(32).slice(0, 32), type: "A", apiToken: "cf-multi-secret", ...over }) as DnsTarget;
const V4 = { primary: "198.51.100.10", backup: "203.0.113.50" };
const V6 = { primary: "2001:db8::10", backup: "2001:db8::50" };
const base = { name: "site", healthCheck: { url: "https://primary.example.com/health" } };
const keys = (p: ReturnType<typeof planFailover>) => p.objects.map((o) => o.key);
const spec = (p: ReturnType<typeof planFailover>, key: string) => p.objects.find((o) => o.key === key)!.spec as any;

describe("records: grouping", () => {
  it("apex + www with the same token and content share one failover and one recovery endpoint (2 forward URLs)", () => {
    const p = planFailover({ ...base, ...V4, records: [{ dns: rec("a", { name: "example.com" }) }, { dns: rec("b", { name: "www.example.com" }) }] });
    expect(p.errors).toEqual([]);
    expect(keys(p)).toEqual(["failover", "recovery", "latch", "latch2", "relay", "probe", "health", "pulse"]);
    expect(spec(p, "failover").forwardUrls).toEqual([`https://api.cloudflare.com/client/v4/zones/${ZONE}/dns_records/${"a".repeat(32)}`, `https://api.cloudflare.com/client/v4/zones/${ZONE}/dns_records/${"b".repeat(32)}`]);
    expect(spec(p, "recovery").forwardUrls).toHaveLength(2);
    expect(p.groups).toEqual({ failover: [[0, 1]], recovery: [[0, 1]] });
    expect(p.records.map((r) => [r.failover, r.recovery])).toEqual([["failover", "recovery"], ["failover", "recovery"]]);
    expect(p.cost.objects).toBe(8);
    expect(p.cost.dnsWritesPerHourDown).toBe(120);
  });

  it("A + AAAA (different contents): 2 failover + 2 recovery endpoints, a restore fan-out; relay reaches both failovers and the latches", () => {
    const p = planFailover({ ...base, ...V4, records: [{ dns: rec("a") }, { dns: rec("b", { type: "AAAA" }), ...V6 }] });
    expect(p.errors).toEqual([]);
    expect(keys(p)).toEqual(["failover", "failover-2", "recovery", "recovery-2", "restore", "latch", "latch2", "relay", "probe", "health", "pulse"]);
    expect(p.objects.map((o) => o.spec.name)).toContain("site failover-2");
    expect(JSON.parse(spec(p, "failover-2").forwardBody).content).toBe(V6.backup);
    expect(JSON.parse(spec(p, "recovery-2").forwardBody).content).toBe(V6.primary);
    expect(spec(p, "relay").forwardUrls).toEqual([
      { $ref: "failover", attr: "inboundUrl" },
      { $ref: "failover-2", attr: "inboundUrl" },
      { $ref: "latch", attr: "pingUrl" },
      { $ref: "latch2", attr: "pingUrl" },
    ]);
    expect(spec(p, "restore")).toMatchObject({ forwardUrls: [{ $ref: "recovery" }, { $ref: "recovery-2" }], retryAttempts: 0 });
    expect(spec(p, "latch").onFailureUrl).toEqual({ $ref: "restore", attr: "inboundUrl" });
    expect(spec(p, "latch2").onFailureUrl).toEqual({ $ref: "restore", attr: "inboundUrl" });
    expect(spec(p, "health")).toMatchObject({ onFailureUrl: { $ref: "relay" }, onRecoveryUrl: { $ref: "restore" } });
    expect(p.cost.objects).toBe(11);
    // Every object appears after the objects it refers to.
    const order = keys(p);
    for (const o of p.objects) for (const ref of JSON.stringify(o.spec).match(/"\$ref":"[^"]+"/g) ?? []) expect(order.indexOf(ref.slice(8, -1) as never)).toBeLessThan(order.indexOf(o.key));
  });

  it("edge wiring: a fanout endpoint for the failure hook and a restore endpoint for the recovery hook", () => {
    const p = planFailover({ ...base, ...V4, wiring: "edge", records: [{ dns: rec("a") }, { dns: rec("b", { type: "AAAA" }), ...V6 }] });
    expect(keys(p)).toEqual(["failover", "failover-2", "recovery", "recovery-2", "fanout", "restore", "health"]);
    expect(spec(p, "health")).toMatchObject({ onFailureUrl: { $ref: "fanout" }, onRecoveryUrl: { $ref: "restore" } });
    expect(spec(p, "fanout").forwardUrls.map((r: { $ref: string }) => r.$ref)).toEqual(["failover", "failover-2"]);
  });

  it("records that share the backup but not the primary share only the failover endpoint", () => {
    const p = planFailover({ ...base, ...V4, records: [{ dns: rec("a") }, { dns: rec("b"), primary: "198.51.100.11" }] });
    expect(p.groups).toEqual({ failover: [[0, 1]], recovery: [[0], [1]] });
    expect(keys(p).slice(0, 4)).toEqual(["failover", "recovery", "recovery-2", "restore"]);
  });

  it("manual failback: no recovery endpoints, no restore, relay to every failover endpoint", () => {
    const p = planFailover({ ...base, ...V4, failback: "manual", records: [{ dns: rec("a") }, { dns: rec("b", { type: "AAAA" }), ...V6 }] });
    expect(keys(p)).toEqual(["failover", "failover-2", "relay", "probe", "health", "pulse"]);
    expect(spec(p, "relay").forwardUrls.map((r: { $ref: string }) => r.$ref)).toEqual(["failover", "failover-2"]);
  });

  it("different tokens, TTLs or providers get their own endpoints; the same engine value (token) is shared", () => {
    const differ = planFailover({ ...base, ...V4, records: [{ dns: rec("a") }, { dns: rec("b", { apiToken: "cf-other-secret" }) }, { dns: rec("c", { ttl: 120 }) }] });
    expect(differ.groups.failover).toEqual([[0], [1], [2]]);
    const tok = (n: number) => `\${TfToken[TOKEN.${n}]}`;
    const isUnresolved = (v: unknown) => typeof v === "string" && v.includes("${");
    const same = planFailover({ ...base, ...V4, records: [{ dns: rec("a", { apiToken: tok(1) }) }, { dns: rec("b", { apiToken: tok(1) }) }] }, { isUnresolved });
    expect(same.groups.failover).toEqual([[0, 1]]);
    const other = planFailover({ ...base, ...V4, records: [{ dns: rec("a", { apiToken: tok(1) }) }, { dns: rec("b", { apiToken: tok(2) }) }] }, { isUnresolved });
    expect(other.groups.failover).toEqual([[0], [1]]);
    // Unresolved values only in the URL (zone/record ids) do not split a group.
    const ids = planFailover({ ...base, ...V4, records: [{ dns: rec("a", { recordId: tok(3) }) }, { dns: rec("b", { recordId: tok(4) }) }] }, { isUnresolved });
    expect(ids.groups.failover).toEqual([[0, 1]]);
  });

  it("objects by reference: the same object groups, an equal-looking other one does not, undefined identity never does", () => {
    const o1 = { engine: 1 };
    const o2 = { engine: 1 };
    const isUnresolved = (v: unknown) => v === o1 || v === o2;
    const recs = (a: unknown, b: unknown) => planRecords({ ...V4, records: [{ dns: rec("a", { apiToken: a }) }, { dns: rec("b", { apiToken: b }) }] });
    expect(groupRecords(recs(o1, o1), { isUnresolved }).failover).toEqual([[0, 1]]);
    expect(groupRecords(recs(o1, o2), { isUnresolved }).failover).toEqual([[0], [1]]);
    expect(groupRecords(recs(o1, o1), { isUnresolved, identity: () => undefined }).failover).toEqual([[0], [1]]);
    // A whole unresolved target: its own endpoints.
    const whole = planRecords({ ...V4, records: [{ dns: o1 as never }, { dns: rec("b") }] });
    expect(groupRecords(whole, { isUnresolved }).failover).toEqual([[0], [1]]);
  });

  it("the seed wiring PUTs the full record: apex and www differ (name in the body)", () => {
    const p = planFailover({ ...base, ...V4, wiring: "seed", records: [{ dns: rec("a", { name: "example.com" }) }, { dns: rec("b", { name: "www.example.com" }) }] });
    expect(p.groups.failover).toEqual([[0], [1]]);
  });

  it("eight records of eight contents: 8+8 endpoints, a relay of 10 URLs, valid for Runlater", () => {
    const records = Array.from({ length: 8 }, (_, i) => ({ dns: rec(String.fromCharCode(97 + i)), backup: `203.0.113.${50 + i}`, primary: `198.51.100.${10 + i}` }));
    const p = planFailover({ ...base, records });
    expect(p.errors).toEqual([]);
    expect(spec(p, "relay").forwardUrls).toHaveLength(10);
    expect(p.objects).toHaveLength(8 + 8 + 1 + 2 + 4);
    for (const o of p.objects.filter((x) => x.kind === "endpoint")) {
      const s = JSON.parse(JSON.stringify(o.spec).replace(/\{"\$ref":"[^"]+","attr":"[^"]+"\}/g, '"https://runlater.eu/in/ep_x"'));
      expect(validateEndpointSpec(s)).toEqual([]);
    }
  });

  it("a single-record plan is the layout of today (keys, names, order)", () => {
    expect(failoverLayout("converge", "auto").map((e) => e.suffix)).toEqual(["failover", "recovery", "latch", "latch-2", "relay", "probe", "health", "pulse"]);
    expect(failoverLayout("edge", "manual", { failover: 1, recovery: 5 }).map((e) => e.key)).toEqual(["failover", "health"]);
    const one = planFailover({ ...base, ...V4, records: [{ dns: rec("a") }] });
    const single = planFailover({ ...base, ...V4, dns: rec("a") });
    expect(one.objects).toEqual(single.objects);
  });
});

describe("records: errors, field-named", () => {
  const fields = (p: ReturnType<typeof planFailover>) => p.errors.map((e) => e.field);
  it.each([
    ["empty", [], "records"],
    ["9 records", Array.from({ length: MAX_FAILOVER_RECORDS + 1 }, (_, i) => ({ dns: rec(String(i)) })), "records"],
    ["a string", "not-an-array", "records"],
  ])("refuses records: %s", (_label, records, field) => {
    const p = planFailover({ ...base, ...V4, records: records as never });
    expect(fields(p)).toContain(field);
    expect(p.objects).toEqual([]);
  });

  it("refuses records together with dns (mixed forms)", () => {
    const p = planFailover({ ...base, ...V4, dns: rec("a"), records: [{ dns: rec("b") }] });
    expect(p.errors).toContainEqual(expect.objectContaining({ field: "records", message: expect.stringContaining("not both") }));
  });

  it("names the record's own fields: records[1].primary, records[0].dns.zoneId, records[2]", () => {
    const p = planFailover({
      ...base,
      ...V4,
      records: [{ dns: rec("a", { zoneId: "example.com" }) }, { dns: rec("b", { type: "AAAA" }) }, { dns: rec("a") }, { dns: null as never }],
    });
    expect(fields(p)).toEqual(expect.arrayContaining(["records[3].dns"]));
    const q = planFailover({ ...base, ...V4, records: [{ dns: rec("a", { zoneId: "example.com" }) }, { dns: rec("b", { type: "AAAA" }) }] });
    expect(fields(q)).toEqual(expect.arrayContaining(["records[0].dns.zoneId", "records[1].primary", "records[1].backup"]));
    const dup = planFailover({ ...base, ...V4, records: [{ dns: rec("a") }, { dns: rec("a") }] });
    expect(dup.errors).toContainEqual(expect.objectContaining({ field: "records[1]", message: expect.stringContaining("records[0]") }));
    for (const e of [...p.errors, ...q.errors, ...dup.errors]) expect(e.message).not.toContain("cf-multi-secret");
  });

  it("a record without its own content and no top-level one: records[i].primary is required", () => {
    const p = planFailover({ ...base, backup: V4.backup, records: [{ dns: rec("a") }, { dns: rec("b"), primary: V4.primary }] });
    expect(fields(p)).toEqual(["records[0].primary"]);
  });

  it("uses the engine's names for a record's fields (record + cloudflare form)", () => {
    const p = planFailover({
      ...base,
      ...V4,
      records: [{ dns: rec("a", { zoneId: "example.com", apiToken: "bad\ntoken" }), fieldNames: { prefix: "records[0].record", fields: { apiToken: "cloudflare.apiToken", recordId: "records[0].record.id" } } }],
    });
    expect(fields(p)).toEqual(expect.arrayContaining(["records[0].record.zoneId", "cloudflare.apiToken"]));
    const single = planFailover({ ...base, ...V4, dns: rec("a", { zoneId: "example.com" }), dnsFieldNames: { prefix: "record" } });
    expect(fields(single)).toEqual(["record.zoneId"]);
  });
});
