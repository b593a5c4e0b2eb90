import { planFailover } from "../../lib/failover/plan";

const cf = {
  provider: "cloudflare" as const,
  zoneId: "0123456789abcdef0123456789abcdef",
  recordId: "fedcba9876543210fedcba9876543210",
  name: "www.example.com",
  type: "A" as const,
  ttl: 60,
  apiToken: "cf-plan-secret-token",
};

describe("planFailover", () => {
  it("edge wiring (v0.1): two endpoints with the stored DNS request and a task wired to them", () => {
    const p = planFailover({ name: "www", wiring: "edge", healthCheck: { url: "https://p.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50", dns: cf });
    expect(p.errors).toEqual([]);
    expect(p.failoverEndpoint).toMatchObject({
      name: "www failover",
      forwardUrls: [`https://api.cloudflare.com/client/v4/zones/${cf.zoneId}/dns_records/${cf.recordId}`],
      forwardMethod: "PATCH",
      retryAttempts: 3,
    });
    expect(JSON.parse(p.failoverEndpoint.forwardBody!)).toMatchObject({ content: "203.0.113.50" });
    expect(JSON.parse(p.recoveryEndpoint!.forwardBody!)).toMatchObject({ content: "198.51.100.10" });
    expect(p.failoverEndpoint.forwardHeaders!.Authorization).toBe(`Bearer ${cf.apiToken}`);
    const t = p.task("https://runlater.eu/in/ep_a", "https://runlater.eu/in/ep_b");
    expect(t).toMatchObject({
      cron: "* * * * *",
      timeoutMs: 10000,
      expectedStatusCodes: [200],
      method: "GET",
      onFailureUrl: "https://runlater.eu/in/ep_a",
      onRecoveryUrl: "https://runlater.eu/in/ep_b",
    });
  });

  it("manual failback plans no recovery endpoint and no recovery hook", () => {
    const p = planFailover({ name: "www", wiring: "edge", failback: "manual", healthCheck: { url: "https://p.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50", dns: cf });
    expect(p.recoveryEndpoint).toBeUndefined();
    expect(p.task("https://x/in/a", "https://x/in/b").onRecoveryUrl).toBeNull();
  });

  it("warns on the seed's footguns and errors on bad content, naming fields", () => {
    const p = planFailover({
      name: "www",
      healthCheck: { url: "http://10.0.0.5/health", timeoutMs: 30000, expectedStatusCodes: [] },
      primary: "not-an-ip",
      backup: "203.0.113.50",
      dns: { ...cf, ttl: 3600 },
    });
    const warned = p.warnings.map((w) => w.field);
    expect(warned).toEqual(expect.arrayContaining(["healthCheck.timeoutMs", "healthCheck.expectedStatusCodes", "healthCheck.url"]));
    expect(p.warnings.some((w) => /ttl/i.test(w.field) || /TTL/.test(w.message))).toBe(true);
    expect(p.errors.map((e) => e.field)).toContain("primary");
    for (const i of [...p.errors, ...p.warnings]) expect(i.message).not.toContain(cf.apiToken);
  });

  it("passes unresolved tokens through without validating them", () => {
    const tok = (n: number) => `\${TfToken[TOKEN.${n}]}`;
    const p = planFailover(
      { name: "www", healthCheck: { url: tok(1) }, primary: tok(2), backup: "203.0.113.50", dns: { ...cf, zoneId: tok(3), recordId: tok(4) } },
      { isUnresolved: (v) => typeof v === "string" && v.includes("${TfToken") },
    );
    expect(p.errors).toEqual([]);
    expect(p.failoverEndpoint.forwardUrls[0]).toBe(`https://api.cloudflare.com/client/v4/zones/${tok(3)}/dns_records/${tok(4)}`);
  });

  it("rejects providers that cannot be driven by a stored request, saying why", () => {
    const p = planFailover({ name: "x", healthCheck: { url: "https://p.example.com/h" }, primary: "198.51.100.10", backup: "203.0.113.50", dns: { provider: "route53", hostedZoneId: "Z1" } });
    expect(p.errors.length).toBeGreaterThan(0);
    expect(p.errors.map((e) => e.message).join(" ")).toMatch(/SigV4|sign|expire/i);
  });

  it("converge wiring: eight objects in dependency order, wired by references", () => {
    const p = planFailover({ name: "www", healthCheck: { url: "https://p.example.com/health", headers: { Authorization: "Bearer h" } }, primary: "198.51.100.10", backup: "203.0.113.50", dns: cf });
    expect(p.errors).toEqual([]);
    expect(p.wiring).toBe("converge");
    expect(p.objects.map((o) => `${o.kind}:${o.key}`)).toEqual([
      "endpoint:failover",
      "endpoint:recovery",
      "monitor:latch",
      "monitor:latch2",
      "endpoint:relay",
      "endpoint:probe",
      "task:health",
      "task:pulse",
    ]);
    const get = (k: string) => p.objects.find((o) => o.key === k)!.spec as unknown as Record<string, unknown>;
    // Failover never retries; recovery rides out a DNS API outage.
    expect(get("failover").retryAttempts).toBe(0);
    expect(get("recovery").retryAttempts).toBe(5);
    // Lower-case header names really override what the sender of the inbound URL sent.
    expect(Object.keys(get("failover").forwardHeaders as object)).toEqual(["authorization", "content-type"]);
    // The probe: a fresh one-time check per pulse, whose failure hook goes to the relay.
    expect(get("probe")).toMatchObject({ forwardUrls: ["https://P.EXAMPLE.COM/health"], forwardMethod: "GET", retryAttempts: 0, onFailureUrl: { $ref: "relay", attr: "inboundUrl" }, forwardHeaders: { authorization: "Bearer h" } });
    expect(get("relay")).toMatchObject({ forwardMethod: "POST", forwardUrls: [{ $ref: "failover", attr: "inboundUrl" }, { $ref: "latch", attr: "pingUrl" }, { $ref: "latch2", attr: "pingUrl" }] });
    expect(get("latch")).toMatchObject({ intervalSeconds: 60, gracePeriodSeconds: 600, onFailureUrl: { $ref: "recovery", attr: "inboundUrl" } });
    expect(get("latch2")).toMatchObject({ gracePeriodSeconds: 720, onFailureUrl: { $ref: "recovery" } });
    expect(get("health")).toMatchObject({ onFailureUrl: { $ref: "failover" }, onRecoveryUrl: { $ref: "recovery" }, notifyOnFailure: true, notifyOnRecovery: true });
    expect(get("pulse")).toMatchObject({ url: { $ref: "probe", attr: "inboundUrl" }, method: "POST", cron: "* * * * *", notifyOnFailure: false });
    expect(p.cost).toEqual({ objects: 8, executionsPerMonthHealthy: 129_600, executionsPerHourDown: 240, dnsWritesPerHourDown: 60 });
  });

  it("converge with manual failback: no recovery, no latch", () => {
    const p = planFailover({ name: "www", failback: "manual", healthCheck: { url: "https://p.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50", dns: cf });
    expect(p.objects.map((o) => o.key)).toEqual(["failover", "relay", "probe", "health", "pulse"]);
  });

  it("validates every field of every object before anything is created", () => {
    for (const [hc, field] of [
      [{ url: "https://p.example.com/h", cron: "61 * * * *" }, "healthCheck.cron"],
      [{ url: "https://p.example.com/h", cron: "* * * * * *" }, "healthCheck.cron"],
      [{ url: "https://p.example.com/h", timeoutMs: 0 }, "healthCheck.timeoutMs"],
      [{ url: "https://p.example.com/h", timeoutMs: 400_000 }, "healthCheck.timeoutMs"],
      [{ url: "https://p.example.com/h", timeoutMs: "5000" }, "healthCheck.timeoutMs"],
      [{ url: "ftp://p.example.com/h" }, "healthCheck.url"],
      [{ url: "https://user:pw@p.example.com/h" }, "healthCheck.url"],
      [{ url: "https://p.example.com/h", expectedStatusCodes: [99] }, "healthCheck.expectedStatusCodes[0]"],
      [{ url: "https://p.example.com/h", expectedStatusCodes: 200 }, "healthCheck.expectedStatusCodes"],
      [{ url: "https://p.example.com/h", method: "FETCH" }, "healthCheck.method"],
    ] as const) {
      const p = planFailover({ name: "www", healthCheck: hc as never, primary: "198.51.100.10", backup: "203.0.113.50", dns: cf });
      expect({ hc, fields: p.errors.map((e) => e.field) }).toEqual({ hc, fields: expect.arrayContaining([field]) });
      expect(p.objects).toEqual([]);
    }
  });

  it("the seed wiring replays the guide's request: a PUT of the full Cloudflare record", () => {
    const p = planFailover({ name: "www", wiring: "seed", healthCheck: { url: "https://p.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50", dns: cf });
    expect(p.failoverEndpoint.forwardMethod).toBe("PUT");
    expect(JSON.parse(p.failoverEndpoint.forwardBody!)).toMatchObject({ type: "A", name: "www.example.com", content: "203.0.113.50" });
    expect(p.failoverEndpoint.retryAttempts).toBe(3);
  });
});
