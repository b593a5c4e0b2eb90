/**
 * Issue 12 §1 (adapter defects) and issue 11 §1 (path segments): each test fails on the code
 * before the fix. DigitalOcean's PUT never carries `name`; Cloudflare refuses a proxied record
 * whose content is not publicly routable; Hetzner checks the declared RRSet TTL and builds the
 * build-time `change_ttl` request; `.`/`..` can never change a stored URL's path.
 */
import {
  buildDnsUpdateRequest,
  buildHetznerChangeTtlRequest,
  type CloudflareDnsTarget,
  type DigitalOceanDnsTarget,
  type DnsIssue,
  type DnsTarget,
  type HetznerDnsTarget,
  isNonRoutableAddress,
  nonRoutableReason,
  type PorkbunDnsTarget,
  validateDnsTarget,
} from "../../lib/dns";

const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const RECORD = "372e67954025e0ba6aaa6d586b9e0b59";
const errors = (issues: DnsIssue[]) => issues.filter((i) => i.severity === "error");
const warnings = (issues: DnsIssue[]) => issues.filter((i) => i.severity === "warning");

const cf = (over: Partial<CloudflareDnsTarget> = {}): CloudflareDnsTarget => ({ provider: "cloudflare", zoneId: ZONE, recordId: RECORD, apiToken: "cf-tok", ...over });
const dO = (over: Partial<DigitalOceanDnsTarget> = {}): DigitalOceanDnsTarget => ({
  provider: "digitalocean",
  domain: "example.com",
  recordId: 3352896,
  name: "www",
  apiToken: "do-tok",
  ...over,
});
const hz = (over: Partial<HetznerDnsTarget> = {}): HetznerDnsTarget => ({ provider: "hetzner", zone: "example.com", name: "www", apiToken: "hz-tok", ...over });
const pb = (over: Partial<PorkbunDnsTarget> = {}): PorkbunDnsTarget => ({ provider: "porkbun", domain: "example.com", subdomain: "www", apiKey: "pk1_a", secretApiKey: "sk1_b", ...over });

describe("DigitalOcean: the stored PUT cannot rename the record", () => {
  it("sends only type, data and ttl, whatever name says", () => {
    for (const name of ["www", "@", "typo"]) {
      const body = JSON.parse(buildDnsUpdateRequest(dO({ name, ttl: 60 }), "203.0.113.50").body);
      expect(Object.keys(body).sort()).toEqual(["data", "ttl", "type"]);
    }
  });
  it("name is optional", () => {
    const { name: _omit, ...noName } = dO();
    expect(errors(validateDnsTarget(noName as DigitalOceanDnsTarget, "203.0.113.50"))).toEqual([]);
  });
});

describe("address classification (shared by adapter and emulator)", () => {
  it.each([
    ["10.0.0.5", /RFC 1918/],
    ["172.31.255.255", /RFC 1918/],
    ["192.168.1.1", /RFC 1918/],
    ["127.0.0.1", /loopback/],
    ["169.254.169.254", /link-local/],
    ["100.64.0.1", /CGNAT/],
    ["0.0.0.0", /this network/],
    ["224.0.0.1", /multicast/],
    ["255.255.255.255", /reserved/],
    ["::1", /loopback/],
    ["::", /unspecified/],
    ["fd00::1", /unique local/],
    ["fe80::1", /link-local/],
    ["ff02::1", /multicast/],
    ["::ffff:127.0.0.1", /IPv4-mapped loopback/],
    ["::ffff:7f00:1", /IPv4-mapped loopback/],
  ])("%s is not routable (%s)", (ip, why) => {
    expect(nonRoutableReason(ip)).toMatch(why);
  });
  it.each(["203.0.113.50", "198.51.100.10", "192.0.2.1", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:db8::50", "2606:4700::1", "::ffff:8.8.8.8"])(
    "%s is routable (documentation ranges included: Cloudflare proxies 192.0.2.1)",
    (ip) => {
      expect(isNonRoutableAddress(ip)).toBe(false);
    },
  );
  it("ignores non-addresses", () => {
    expect(nonRoutableReason("backup.example.net")).toBeUndefined();
    expect(nonRoutableReason(42 as unknown as string)).toBeUndefined();
  });
});

describe("Cloudflare: proxied record with a private or reserved address", () => {
  it("is an error on content (the plan maps it to primary/backup)", () => {
    const issues = validateDnsTarget(cf({ proxied: true }), "10.0.0.5");
    expect(errors(issues)).toEqual([expect.objectContaining({ field: "content", message: expect.stringMatching(/proxied.*9003/) })]);
    expect(errors(validateDnsTarget(cf({ proxied: true, type: "AAAA" }), "fd00::5"))).toHaveLength(1);
  });
  it("is fine DNS-only, and a warning when proxied is not sent (PATCH keeps the record's setting)", () => {
    expect(validateDnsTarget(cf({ proxied: false }), "10.0.0.5")).toEqual([]);
    const w = warnings(validateDnsTarget(cf(), "192.168.1.10"));
    expect(w).toEqual([expect.objectContaining({ field: "content", message: expect.stringMatching(/1004\+9041/) })]);
  });
  it("a public backup stays valid when proxied", () => {
    expect(errors(validateDnsTarget(cf({ proxied: true }), "203.0.113.50"))).toEqual([]);
  });
});

describe("Hetzner Cloud: the RRSet's TTL", () => {
  it("warns when it is not declared or is the zone default", () => {
    const undeclared = warnings(validateDnsTarget(hz(), "203.0.113.50")).filter((i) => i.field === "dns.ttl");
    expect(undeclared).toEqual([expect.objectContaining({ message: expect.stringMatching(/zone default \(often 3600 s\).*change_ttl/) })]);
    const zoneDefault = warnings(validateDnsTarget(hz({ ttl: null }), "203.0.113.50")).filter((i) => i.field === "dns.ttl");
    expect(zoneDefault[0]!.message).toMatch(/null \(the zone default/);
  });
  it("warns above 300 s and refuses values outside 60..2^31-1", () => {
    expect(warnings(validateDnsTarget(hz({ ttl: 3600 }), "203.0.113.50")).find((i) => i.field === "dns.ttl")!.message).toMatch(/3600 s is high for failover/);
    for (const ttl of [30, 0, 1.5, "60", 2 ** 31]) {
      expect(errors(validateDnsTarget(hz({ ttl: ttl as number }), "203.0.113.50"))).toEqual([expect.objectContaining({ field: "dns.ttl" })]);
    }
    expect(validateDnsTarget(hz({ ttl: 120 }), "203.0.113.50").filter((i) => i.field === "dns.ttl")).toEqual([]);
  });
  it("builds the build-time change_ttl request", () => {
    const req = buildHetznerChangeTtlRequest(hz(), 60);
    expect(req).toMatchObject({
      method: "POST",
      url: "https://api.hetzner.cloud/v1/zones/example.com/rrsets/www/A/actions/change_ttl",
      body: '{"ttl":60}',
      secretHeaderNames: ["Authorization"],
    });
    expect(buildHetznerChangeTtlRequest(hz(), null).body).toBe('{"ttl":null}');
    expect(() => buildHetznerChangeTtlRequest(hz(), 10)).toThrow(/^ttl: must be null/);
  });
});

describe("path segments: every one encoded, dot segments refused", () => {
  const dots = [".", "..", "%2e", ".%2E", "%2e%2e"];
  const targets: [string, (v: string) => DnsTarget][] = [
    ["dns.recordId", (v) => cf({ recordId: v })],
    ["dns.zoneId", (v) => cf({ zoneId: v })],
    ["dns.recordId", (v) => dO({ recordId: v })],
    ["dns.domain", (v) => dO({ domain: v })],
    ["dns.name", (v) => hz({ name: v })],
    ["dns.zone", (v) => hz({ zone: v })],
    ["dns.domain", (v) => pb({ domain: v })],
    ["dns.subdomain", (v) => pb({ subdomain: v })],
  ];
  it.each(dots)("%s: a validation error naming the field, and the builder refuses it", (dot) => {
    for (const [field, make] of targets) {
      const t = make(dot);
      expect(errors(validateDnsTarget(t, "203.0.113.50")).map((i) => i.field)).toContain(field);
      expect(() => buildDnsUpdateRequest(t, "203.0.113.50")).toThrow(new RegExp(`^${field.replace(".", "\\.")}: `));
    }
  });
  it("other characters are encoded, so the path keeps its shape", () => {
    const url = new URL(buildDnsUpdateRequest(cf({ recordId: "../../zones/x?y#z" }), "203.0.113.50").url);
    expect(url.pathname).toBe(`/client/v4/zones/${ZONE}/dns_records/..%2F..%2Fzones%2Fx%3Fy%23z`);
    expect(url.search).toBe("");
  });
});
