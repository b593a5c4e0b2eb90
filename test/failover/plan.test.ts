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
  it("plans two endpoints with the stored DNS request and a task wired to them", () => {
    const p = planFailover({ name: "www", healthCheck: { url: "https://p.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50", dns: cf });
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
    const p = planFailover({ name: "www", failback: "manual", healthCheck: { url: "https://p.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50", dns: cf });
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
});
