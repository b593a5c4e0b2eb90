/**
 * DNS adapters: the stored request each one builds, validation errors (field-named, with the
 * allowed values), warnings, secret safety, CDKTF-token passthrough, and rejected providers.
 */
import {
  buildDnsUpdateRequest,
  type CloudflareDnsTarget,
  type DigitalOceanDnsTarget,
  type DnsIssue,
  type DnsTarget,
  describeRequest,
  type GenericDnsTarget,
  type HetznerDnsTarget,
  isIPv4,
  isIPv6,
  type PorkbunDnsTarget,
  SUPPORTED_DNS_PROVIDERS,
  UNSUPPORTED_DNS_PROVIDERS,
  validateDnsTarget,
} from "../../lib/dns";

const CF_TOKEN = "cf-SECRET-token-123456";
const DO_TOKEN = "dop_v1_SECRET_abcdef";
const HZ_TOKEN = "hz-SECRET-token-987";
const PK = "pk1_SECRET_public";
const SK = "sk1_SECRET_private";
const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const RECORD = "372e67954025e0ba6aaa6d586b9e0b59";
// CDKTF string tokens, as `Token.asString(…)` renders them at synth time.
const TOKEN = ["$", "{TfToken[TOKEN.3]}"].join("");
const TOKEN2 = ["$", "{TfToken[TOKEN.12]}"].join("");

const errors = (issues: DnsIssue[]) => issues.filter((i) => i.severity === "error");
const warnings = (issues: DnsIssue[]) => issues.filter((i) => i.severity === "warning");
const fields = (issues: DnsIssue[]) => issues.map((i) => i.field);

const cf = (over: Partial<CloudflareDnsTarget> = {}): CloudflareDnsTarget => ({
  provider: "cloudflare",
  zoneId: ZONE,
  recordId: RECORD,
  apiToken: CF_TOKEN,
  ...over,
});
const dO = (over: Partial<DigitalOceanDnsTarget> = {}): DigitalOceanDnsTarget => ({
  provider: "digitalocean",
  domain: "example.com",
  recordId: 3352896,
  name: "www",
  apiToken: DO_TOKEN,
  ...over,
});
const hz = (over: Partial<HetznerDnsTarget> = {}): HetznerDnsTarget => ({
  provider: "hetzner",
  zone: "example.com",
  name: "www",
  apiToken: HZ_TOKEN,
  ...over,
});
const pb = (over: Partial<PorkbunDnsTarget> = {}): PorkbunDnsTarget => ({
  provider: "porkbun",
  domain: "example.com",
  subdomain: "www",
  apiKey: PK,
  secretApiKey: SK,
  ...over,
});
const gen = (over: Partial<GenericDnsTarget> = {}): GenericDnsTarget => ({
  provider: "generic",
  url: "https://dns.example.net/api/records/42",
  method: "PUT",
  headers: { "X-Api-Key": "gen-SECRET-key" },
  body: { data: { ip: "{{content}}", kind: "A" } },
  ...over,
});

/** Every message and field of every issue, for token-safety checks. */
const allText = (issues: DnsIssue[]) => issues.map((i) => `${i.field} ${i.message}`).join("\n");

describe("IP helpers", () => {
  it.each(["0.0.0.0", "203.0.113.50", "255.255.255.255", "10.0.0.1"])("IPv4 %s", (ip) => expect(isIPv4(ip)).toBe(true));
  it.each(["256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4 ", "a.b.c.d", "::1", ""])("not IPv4 %p", (ip) => expect(isIPv4(ip)).toBe(false));
  it.each(["::1", "::", "2001:db8::50", "2001:0db8:0000:0000:0000:ff00:0042:8329", "fe80::1:2:3:4", "::ffff:192.0.2.1", "1::"])("IPv6 %s", (ip) =>
    expect(isIPv6(ip)).toBe(true),
  );
  it.each(["1:2:3:4:5:6:7:8:9", "2001:db8:::1", "12345::", "1.2.3.4", "2001:db8::g", "1:2:3:4:5:6:7", ":::", "fe80::1%eth0"])("not IPv6 %p", (ip) =>
    expect(isIPv6(ip)).toBe(false),
  );
});

describe("Cloudflare adapter", () => {
  it("builds a PATCH with only the content by default", () => {
    const req = buildDnsUpdateRequest(cf(), "203.0.113.50");
    expect(req).toEqual({
      method: "PATCH",
      url: `https://api.cloudflare.com/client/v4/zones/${ZONE}/dns_records/${RECORD}`,
      headers: { Authorization: `Bearer ${CF_TOKEN}`, "Content-Type": "application/json" },
      body: '{"content":"203.0.113.50"}',
      secretHeaderNames: ["Authorization"],
      bodyIsSecret: false,
    });
  });

  it("adds ttl and proxied to the PATCH body when given", () => {
    const req = buildDnsUpdateRequest(cf({ ttl: 60, proxied: false }), "203.0.113.50");
    expect(JSON.parse(req.body)).toEqual({ content: "203.0.113.50", ttl: 60, proxied: false });
  });

  it("builds a full PUT with type/name/content/ttl/proxied", () => {
    const req = buildDnsUpdateRequest(cf({ method: "PUT", name: "www.example.com", type: "AAAA", ttl: 120, proxied: false }), "2001:db8::50");
    expect(req.method).toBe("PUT");
    expect(JSON.parse(req.body)).toEqual({ type: "AAAA", name: "www.example.com", content: "2001:db8::50", ttl: 120, proxied: false });
  });

  it("uses apiBaseUrl (trailing slash trimmed) and URL-encodes path segments", () => {
    const req = buildDnsUpdateRequest(cf({ apiBaseUrl: "http://127.0.0.1:4010/client/v4/", recordId: "a/b c" }), "203.0.113.50");
    expect(req.url).toBe(`http://127.0.0.1:4010/client/v4/zones/${ZONE}/dns_records/a%2Fb%20c`);
  });

  it("a valid target has no issues", () => {
    expect(validateDnsTarget(cf({ ttl: 60 }), "203.0.113.50")).toEqual([]);
    expect(validateDnsTarget(cf({ ttl: 1 }), "203.0.113.50")).toEqual([]);
  });

  it("rejects a bad TTL naming the field and the allowed values", () => {
    const issues = validateDnsTarget(cf({ ttl: 30 }), "203.0.113.50");
    expect(errors(issues)).toEqual([
      { field: "dns.ttl", severity: "error", message: "must be 1 (automatic) or 60..86400 seconds, got 30" },
    ]);
    expect(errors(validateDnsTarget(cf({ ttl: 86401 }), undefined))[0]!.message).toContain("1 (automatic) or 60..86400");
    expect(errors(validateDnsTarget(cf({ ttl: 60.5 }), undefined))).toHaveLength(1);
  });

  it("checks content against the type", () => {
    expect(errors(validateDnsTarget(cf(), "2001:db8::1"))).toEqual([
      expect.objectContaining({ field: "content", message: expect.stringMatching(/IPv4 address for an A record.*use type "AAAA"/) }),
    ]);
    expect(errors(validateDnsTarget(cf({ type: "AAAA" }), "203.0.113.50"))[0]!.message).toMatch(/IPv6 address for an AAAA record/);
    expect(errors(validateDnsTarget(cf({ type: "CNAME" }), "203.0.113.50"))[0]!.message).toMatch(/host name for a CNAME/);
    expect(validateDnsTarget(cf({ type: "CNAME" }), "backup.example.net")).toEqual([]);
    expect(errors(validateDnsTarget(cf(), "999.1.1.1"))[0]!.field).toBe("content");
  });

  it("rejects unknown types, methods and missing ids", () => {
    const issues = validateDnsTarget(cf({ type: "MX" as never, method: "POST" as never, recordId: "" }), "203.0.113.50");
    expect(fields(errors(issues)).sort()).toEqual(["dns.method", "dns.recordId", "dns.type"]);
    expect(issues.find((i) => i.field === "dns.type")!.message).toBe('must be one of "A", "AAAA", "CNAME" (default "A"), got "MX"');
    expect(issues.find((i) => i.field === "dns.method")!.message).toMatch(/"PATCH".*"PUT"/);
  });

  it("catches a zone name passed as the zone id", () => {
    const issues = validateDnsTarget(cf({ zoneId: "example.com" }), "203.0.113.50");
    expect(errors(issues)).toEqual([expect.objectContaining({ field: "dns.zoneId", message: expect.stringMatching(/not the zone name/) })]);
  });

  it("warns about non-hex ids without failing", () => {
    const issues = validateDnsTarget(cf({ recordId: "rec-1" }), "203.0.113.50");
    expect(errors(issues)).toEqual([]);
    expect(fields(warnings(issues))).toEqual(["dns.recordId"]);
  });

  it("PUT requires name and warns that it overwrites the record", () => {
    const issues = validateDnsTarget(cf({ method: "PUT" }), "203.0.113.50");
    expect(errors(issues)).toEqual([expect.objectContaining({ field: "dns.name", message: expect.stringMatching(/required with method "PUT"/) })]);
    const w = warnings(validateDnsTarget(cf({ method: "PUT", name: "www.example.com" }), "203.0.113.50"));
    expect(w).toEqual([expect.objectContaining({ field: "dns.method", message: expect.stringMatching(/overwrites.*comment and tags.*prefer "PATCH"/) })]);
  });

  it("warns about a TTL above 300 s", () => {
    const w = warnings(validateDnsTarget(cf({ ttl: 3600 }), "203.0.113.50"));
    expect(w).toEqual([
      expect.objectContaining({ field: "dns.ttl", message: expect.stringContaining("clients keep using the dead server for up to 3600 s") }),
    ]);
    expect(warnings(validateDnsTarget(cf({ ttl: 300 }), "203.0.113.50"))).toEqual([]);
  });

  it("warns that a TTL on a proxied record is ignored", () => {
    const w = warnings(validateDnsTarget(cf({ ttl: 60, proxied: true }), "203.0.113.50"));
    expect(w).toEqual([
      expect.objectContaining({ field: "dns.ttl", message: expect.stringContaining("ignored by Cloudflare: proxied records always use automatic TTL") }),
    ]);
    expect(warnings(validateDnsTarget(cf({ ttl: 1, proxied: true }), "203.0.113.50"))).toEqual([]);
  });

  it("validates apiBaseUrl without echoing it", () => {
    const bad = validateDnsTarget(cf({ apiBaseUrl: "not a url ?token=zzz" }), undefined);
    expect(errors(bad)).toEqual([expect.objectContaining({ field: "dns.apiBaseUrl" })]);
    expect(allText(bad)).not.toContain("zzz");
    expect(errors(validateDnsTarget(cf({ apiBaseUrl: "ftp://x.example" }), undefined))[0]!.message).toMatch(/http or https/);
    expect(warnings(validateDnsTarget(cf({ apiBaseUrl: "http://api.example.com/client/v4" }), undefined))[0]!.message).toMatch(/plain http/);
    expect(validateDnsTarget(cf({ apiBaseUrl: "http://127.0.0.1:4010/client/v4" }), undefined)).toEqual([]);
  });
});

describe("DigitalOcean adapter", () => {
  it("builds a PUT with type/data(/ttl) and never sends name (a PUT sets every attribute it is sent)", () => {
    const req = buildDnsUpdateRequest(dO({ ttl: 60 }), "203.0.113.50");
    expect(req).toEqual({
      method: "PUT",
      url: "https://api.digitalocean.com/v2/domains/example.com/records/3352896",
      headers: { Authorization: `Bearer ${DO_TOKEN}`, "Content-Type": "application/json" },
      body: '{"type":"A","data":"203.0.113.50","ttl":60}',
      secretHeaderNames: ["Authorization"],
      bodyIsSecret: false,
    });
    expect(JSON.parse(buildDnsUpdateRequest(dO(), "203.0.113.50").body)).toEqual({ type: "A", data: "203.0.113.50" });
    // A name that does not match the record (apex vs www) cannot rename it: it is not in the body.
    expect(JSON.parse(buildDnsUpdateRequest(dO({ name: "@" }), "203.0.113.50").body)).not.toHaveProperty("name");
    expect(errors(validateDnsTarget({ ...dO(), name: undefined }, "203.0.113.50"))).toEqual([]);
  });

  it("accepts a string record id", () => {
    expect(buildDnsUpdateRequest(dO({ recordId: "12" }), "203.0.113.50").url).toMatch(/\/records\/12$/);
    expect(validateDnsTarget(dO({ recordId: "12" }), "203.0.113.50")).toEqual([]);
  });

  it("rejects TTL below 30 and bad ids", () => {
    const issues = validateDnsTarget(dO({ ttl: 10, recordId: "abc" }), "203.0.113.50");
    expect(errors(issues)).toEqual([
      { field: "dns.recordId", severity: "error", message: 'must be a positive integer (number or digit string), got "abc"' },
      { field: "dns.ttl", severity: "error", message: "must be an integer of at least 30 seconds, got 10" },
    ]);
  });

  it("rejects a FQDN as the record name and says what to use", () => {
    expect(errors(validateDnsTarget(dO({ name: "www.example.com" }), undefined))[0]!.message).toMatch(/not a FQDN: got "www.example.com", use "www"/);
    expect(errors(validateDnsTarget(dO({ name: "example.com" }), undefined))[0]!.message).toMatch(/use "@"/);
    expect(validateDnsTarget(dO({ name: "@" }), "203.0.113.50")).toEqual([]);
  });

  it("checks AAAA content and warns on a high TTL", () => {
    expect(errors(validateDnsTarget(dO({ type: "AAAA" }), "203.0.113.50"))[0]!.field).toBe("content");
    expect(warnings(validateDnsTarget(dO({ ttl: 1800 }), "203.0.113.50"))[0]!.message).toMatch(/up to 1800 s/);
  });
});

describe("Hetzner adapter (Cloud API)", () => {
  it("builds POST …/rrsets/{name}/{type}/actions/set_records", () => {
    const req = buildDnsUpdateRequest(hz(), "203.0.113.50");
    expect(req).toEqual({
      method: "POST",
      url: "https://api.hetzner.cloud/v1/zones/example.com/rrsets/www/A/actions/set_records",
      headers: { Authorization: `Bearer ${HZ_TOKEN}`, "Content-Type": "application/json" },
      body: '{"records":[{"value":"203.0.113.50"}]}',
      secretHeaderNames: ["Authorization"],
      bodyIsSecret: false,
    });
  });

  it("addresses the apex as @ and a zone by numeric id", () => {
    expect(buildDnsUpdateRequest(hz({ name: "@", zone: 4711, type: "AAAA" }), "2001:db8::1").url).toBe(
      "https://api.hetzner.cloud/v1/zones/4711/rrsets/@/AAAA/actions/set_records",
    );
  });

  it("rejects legacy DNS Console configs with the shutdown reason", () => {
    const legacyTargets = [
      { ...hz(), legacy: true },
      { ...hz(), authApiToken: "x" },
      { ...hz(), recordId: "abc" },
      hz({ apiBaseUrl: "https://dns.hetzner.com/api/v1" }),
    ] as HetznerDnsTarget[];
    for (const t of legacyTargets) {
      const issues = validateDnsTarget(t, "203.0.113.50");
      expect(errors(issues)).toHaveLength(1);
      expect(issues[0]!.message).toMatch(/legacy Hetzner DNS Console API.*shut down in May 2026/);
      expect(() => buildDnsUpdateRequest(t, "203.0.113.50")).toThrow(/shut down in May 2026/);
    }
  });

  it("names must be relative and lower-case", () => {
    expect(errors(validateDnsTarget(hz({ name: "WWW" }), undefined))[0]!.message).toBe('must be lower-case (Hetzner RRSet names are lower-case), got "WWW", use "www"');
    expect(errors(validateDnsTarget(hz({ name: "www.example.com" }), undefined))[0]!.message).toMatch(/use "www"/);
    expect(errors(validateDnsTarget(hz({ zone: "example.com." }), undefined))[0]!.field).toBe("dns.zone");
  });

  it("always notes the asynchronous action; a declared failover-friendly TTL is quiet", () => {
    const w = warnings(validateDnsTarget(hz({ ttl: 60 }), "203.0.113.50"));
    expect(w.map((i) => i.field)).toEqual(["dns.provider"]);
    expect(w[0]!.message).toMatch(/^info: .*asynchronously/);
    expect(errors(validateDnsTarget(hz(), "203.0.113.50"))).toEqual([]);
    // Declared or not, the TTL is never sent: set_records has no ttl.
    expect(JSON.parse(buildDnsUpdateRequest(hz({ ttl: 60 }), "203.0.113.50").body)).toEqual({ records: [{ value: "203.0.113.50" }] });
  });

  it("checks content", () => {
    expect(errors(validateDnsTarget(hz(), "2001:db8::1"))[0]!.field).toBe("content");
  });
});

describe("Porkbun adapter", () => {
  it("builds POST editByNameType with keys in a secret body", () => {
    const req = buildDnsUpdateRequest(pb({ ttl: 600 }), "203.0.113.50");
    expect(req).toEqual({
      method: "POST",
      url: "https://api.porkbun.com/api/json/v3/dns/editByNameType/example.com/A/www",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ apikey: PK, secretapikey: SK, content: "203.0.113.50", ttl: "600" }),
      secretHeaderNames: [],
      bodyIsSecret: true,
    });
  });

  it("omits the subdomain segment for the apex (undefined, empty or @)", () => {
    for (const subdomain of [undefined, "", "@"]) {
      expect(buildDnsUpdateRequest(pb({ subdomain }), "203.0.113.50").url).toBe("https://api.porkbun.com/api/json/v3/dns/editByNameType/example.com/A");
    }
  });

  it("warns that TTL < 600 is raised to 600", () => {
    const issues = validateDnsTarget(pb({ ttl: 60 }), "203.0.113.50");
    expect(errors(issues)).toEqual([]);
    expect(warnings(issues)).toEqual([
      expect.objectContaining({ field: "dns.ttl", message: expect.stringMatching(/below Porkbun's minimum of 600 s and will be raised to 600/) }),
    ]);
    expect(errors(validateDnsTarget(pb({ ttl: "600" as never }), undefined))[0]!.message).toMatch(/integer number of seconds/);
  });

  it("catches swapped keys without echoing them", () => {
    const issues = validateDnsTarget(pb({ apiKey: SK, secretApiKey: PK }), "203.0.113.50");
    expect(fields(errors(issues))).toEqual(["dns.apiKey", "dns.secretApiKey"]);
    expect(allText(issues)).not.toContain("SECRET");
  });

  it("rejects the retired porkbun.com host and a FQDN subdomain", () => {
    expect(errors(validateDnsTarget(pb({ apiBaseUrl: "https://porkbun.com/api/json/v3" }), undefined))[0]!.message).toMatch(/stopped serving the API/);
    expect(errors(validateDnsTarget(pb({ subdomain: "www.example.com" }), undefined))[0]!.message).toMatch(/use "www"/);
  });
});

describe("generic adapter", () => {
  it("serialises an object template replacing {{content}} in string leaves", () => {
    const req = buildDnsUpdateRequest(gen(), "203.0.113.50");
    expect(req).toEqual({
      method: "PUT",
      url: "https://dns.example.net/api/records/42",
      headers: { "X-Api-Key": "gen-SECRET-key", "Content-Type": "application/json" },
      body: '{"data":{"ip":"203.0.113.50","kind":"A"}}',
      secretHeaderNames: ["X-Api-Key"],
      bodyIsSecret: false,
    });
  });

  it("replaces every {{content}} in a string template and keeps a given content type", () => {
    const req = buildDnsUpdateRequest(
      gen({ method: "POST", body: "ip={{content}}&again={{content}}", headers: { "content-type": "application/x-www-form-urlencoded", "X-Token": "t" }, secretHeaders: ["x-token"] }),
      "203.0.113.50",
    );
    expect(req.body).toBe("ip=203.0.113.50&again=203.0.113.50");
    expect(req.headers).toEqual({ "content-type": "application/x-www-form-urlencoded", "X-Token": "t" });
    expect(req.secretHeaderNames).toEqual(["X-Token"]);
  });

  it("marks the body secret when asked", () => {
    expect(buildDnsUpdateRequest(gen({ bodyIsSecret: true }), "1.2.3.4").bodyIsSecret).toBe(true);
  });

  it("validates url, method and the placeholder", () => {
    const issues = validateDnsTarget(gen({ url: "nope?key=gen-SECRET", method: "GET" as never, body: { ip: "1.2.3.4" } }), undefined);
    expect(fields(errors(issues)).sort()).toEqual(["dns.method", "dns.url"]);
    expect(warnings(issues).map((i) => i.field)).toContain("dns.body");
    expect(allText(issues)).not.toContain("SECRET");
    expect(() => buildDnsUpdateRequest(gen({ method: "DELETE" as never }), "1.2.3.4")).toThrow(/"PUT", "PATCH" or "POST"/);
  });

  it("warns when no credential is marked secret", () => {
    const w = warnings(validateDnsTarget(gen({ headers: { "X-Custom": "abc" } }), "1.2.3.4"));
    expect(w.map((i) => i.field)).toEqual(["dns.headers"]);
  });
});

describe("unsupported and unknown providers", () => {
  it.each([
    ["route53", /SigV4.*about 5 minutes/],
    ["google", /OAuth 2.0 access token.*about 1 hour/],
    ["azure", /Entra ID.*60-90 minutes/],
  ] as const)("%s is rejected with the reason and the relay workaround", (provider, reason) => {
    const target = { provider, hostedZoneId: "Z123" } as DnsTarget;
    const issues = validateDnsTarget(target, "203.0.113.50");
    expect(issues).toHaveLength(1);
    expect(issues[0]!.field).toBe("dns.provider");
    expect(issues[0]!.severity).toBe("error");
    expect(issues[0]!.message).toMatch(reason);
    expect(issues[0]!.message).toMatch(/always expired/);
    expect(issues[0]!.message).toMatch(/relay/);
    expect(() => buildDnsUpdateRequest(target, "203.0.113.50")).toThrow(reason);
  });

  it("lists the supported and unsupported providers", () => {
    expect(SUPPORTED_DNS_PROVIDERS).toEqual(["cloudflare", "digitalocean", "hetzner", "porkbun", "generic"]);
    expect(Object.keys(UNSUPPORTED_DNS_PROVIDERS).sort()).toEqual(["azure", "google", "route53"]);
  });

  it("rejects an unknown provider listing the supported ones", () => {
    const issues = validateDnsTarget({ provider: "gandi" } as unknown as DnsTarget, undefined);
    expect(issues[0]!.message).toBe('must be one of "cloudflare", "digitalocean", "hetzner", "porkbun", "generic", got "gandi"');
    expect(() => buildDnsUpdateRequest({ provider: "gandi" } as unknown as DnsTarget, "x")).toThrow(/must be one of/);
    expect(validateDnsTarget(undefined as unknown as DnsTarget, undefined)[0]!.field).toBe("dns");
  });
});

describe("builder preconditions", () => {
  it.each<[string, DnsTarget, string]>([
    ["cloudflare", cf({ recordId: "" }), "dns.recordId: is required"],
    ["digitalocean", { ...dO(), domain: undefined } as unknown as DnsTarget, "dns.domain: is required"],
    ["hetzner", { ...hz(), apiToken: undefined } as unknown as DnsTarget, "dns.apiToken: is required"],
    ["porkbun", pb({ secretApiKey: "" }), "dns.secretApiKey: is required"],
    ["generic", gen({ url: "" }), "dns.url: is required"],
  ])("%s: a missing required field throws instead of building …/undefined", (_p, target, message) => {
    expect(() => buildDnsUpdateRequest(target, "1.2.3.4")).toThrow(message);
  });
});

describe("token safety", () => {
  const invalidTargets: [string, DnsTarget][] = [
    ["cloudflare", cf({ ttl: 5, type: "X" as never, zoneId: "example.com", method: "PUT", apiToken: `${CF_TOKEN} ` })],
    ["digitalocean", dO({ ttl: 5, recordId: -1, name: "WWW.example.com.", apiToken: `${DO_TOKEN}\n` })],
    ["hetzner", hz({ zone: "", name: "Www", apiToken: `${HZ_TOKEN} x` })],
    ["porkbun", pb({ ttl: -3, apiKey: `${SK} `, secretApiKey: `${PK}` })],
    ["generic", gen({ url: "ftp://u:gen-SECRET@x", headers: { Authorization: "Bearer gen-SECRET\n" } })],
  ];
  it.each(invalidTargets)("%s: no message contains a secret", (_p, target) => {
    const issues = validateDnsTarget(target, "not-an-ip");
    expect(errors(issues).length).toBeGreaterThan(0);
    expect(allText(issues)).not.toMatch(/SECRET/);
  });

  it("a token with whitespace is reported without its value", () => {
    const issues = validateDnsTarget(cf({ apiToken: `${CF_TOKEN}\n` }), "203.0.113.50");
    expect(errors(issues)).toEqual([expect.objectContaining({ field: "dns.apiToken", message: expect.stringMatching(/trailing newline/) })]);
  });

  it("describeRequest redacts auth headers and secret body keys", () => {
    const text = describeRequest(buildDnsUpdateRequest(cf(), "203.0.113.50"));
    expect(text).toBe(
      `PATCH https://api.cloudflare.com/client/v4/zones/${ZONE}/dns_records/${RECORD}\nAuthorization: Bearer ***\nContent-Type: application/json\n\n{"content":"203.0.113.50"}`,
    );
    const pk = describeRequest(buildDnsUpdateRequest(pb(), "203.0.113.50"));
    expect(pk).not.toMatch(/SECRET/);
    expect(pk).toContain('{"apikey":"***","secretapikey":"***","content":"203.0.113.50"}');
    const g = describeRequest(
      buildDnsUpdateRequest(gen({ url: "https://u:gen-SECRET@dns.example.net/update?token=gen-SECRET&ip=1", bodyIsSecret: true, body: "raw gen-SECRET {{content}}" }), "1.2.3.4"),
    );
    expect(g).not.toMatch(/SECRET/);
    expect(g).toContain("X-Api-Key: ***");
    expect(g).toContain("?token=***&ip=1");
    expect(g).toContain("<secret body,");
  });
});

describe("CDKTF token passthrough", () => {
  const isUnresolved = (v: unknown) => typeof v === "string" && v.includes("${TfToken[");

  it.each<[string, DnsTarget]>([
    ["cloudflare", cf({ zoneId: TOKEN, recordId: TOKEN2, apiToken: TOKEN, ttl: 60 })],
    ["digitalocean", dO({ domain: TOKEN, recordId: TOKEN2, name: TOKEN, apiToken: TOKEN })],
    ["hetzner", hz({ zone: TOKEN, name: TOKEN2, apiToken: TOKEN })],
    ["porkbun", pb({ domain: TOKEN, subdomain: TOKEN2, apiKey: TOKEN, secretApiKey: TOKEN2 })],
    ["generic", gen({ url: `${TOKEN}/records/${TOKEN2}`, headers: { Authorization: `Bearer ${TOKEN}` } })],
  ])("%s: tokens are not validated and appear verbatim", (_p, target) => {
    expect(errors(validateDnsTarget(target, TOKEN, { isUnresolved }))).toEqual([]);
    // Also without the caller's predicate: `${…}` strings are recognised as tokens.
    expect(errors(validateDnsTarget(target, TOKEN))).toEqual([]);
    const req = buildDnsUpdateRequest(target, TOKEN);
    const all = `${req.url}\n${JSON.stringify(req.headers)}\n${req.body}`;
    expect(all).toContain(TOKEN);
    expect(all).not.toContain("%7B");
    expect(all).not.toContain("%24");
    expect(req.body).toContain(TOKEN);
  });

  it("the Cloudflare URL composes token segments verbatim", () => {
    const req = buildDnsUpdateRequest(cf({ zoneId: TOKEN, recordId: TOKEN2, apiBaseUrl: TOKEN, apiToken: TOKEN }), TOKEN);
    expect(req.url).toBe(`${TOKEN}/zones/${TOKEN}/dns_records/${TOKEN2}`);
    expect(req.body).toBe(`{"content":"${TOKEN}"}`);
    expect(req.headers.Authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("a generic method token passes through un-uppercased", () => {
    const req = buildDnsUpdateRequest(gen({ method: TOKEN as never }), "1.2.3.4");
    expect(req.method).toBe(TOKEN);
  });

  it("the caller's predicate also covers values without ${", () => {
    const lazy = "<<unknown>>";
    const issues = validateDnsTarget(cf({ zoneId: lazy, recordId: lazy }), lazy, { isUnresolved: (v) => v === lazy });
    expect(issues).toEqual([]);
    expect(buildDnsUpdateRequest(cf({ recordId: lazy }), "1.2.3.4", { isUnresolved: (v) => v === lazy }).url).toMatch(/dns_records\/<<unknown>>$/);
  });
});
