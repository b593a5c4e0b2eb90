/**
 * Stored DNS requests are recognised from what the library's adapters build (every provider, and
 * the seed wiring's Cloudflare PUT), secret-free where it matters; unknown requests are generic.
 */
import { buildDnsUpdateRequest, type DnsTarget } from "../../lib/dns";
import { parseStoredRequest, sameContent } from "../../lib/ops/dns-read";

const stored = (t: DnsTarget, content: string) => {
  const r = buildDnsUpdateRequest(t, content);
  return parseStoredRequest({ forwardUrls: [r.url], forwardMethod: r.method, forwardHeaders: r.headers, forwardBody: r.body });
};

const targets: [DnsTarget, Record<string, unknown>][] = [
  [
    { provider: "cloudflare", zoneId: "a".repeat(32), recordId: "b".repeat(32), apiToken: "cf-secret" },
    { provider: "cloudflare", type: "A", readUrl: `https://api.cloudflare.com/client/v4/zones/${"a".repeat(32)}/dns_records/${"b".repeat(32)}` },
  ],
  [
    { provider: "cloudflare", method: "PUT", name: "www.example.com", type: "AAAA", zoneId: "a".repeat(32), recordId: "b".repeat(32), apiToken: "cf-secret" },
    { provider: "cloudflare", type: "AAAA", fqdn: "www.example.com", method: "PUT" },
  ],
  [
    { provider: "digitalocean", domain: "example.org", recordId: 42, name: "@", apiToken: "do-secret" },
    // The stored PUT no longer carries `name` (it would rename the record): the name comes from the record read.
    { provider: "digitalocean", fqdn: undefined, readUrl: "https://api.digitalocean.com/v2/domains/example.org/records/42" },
  ],
  [
    { provider: "hetzner", zone: "example.net", name: "www", type: "A", apiToken: "hz-secret" },
    { provider: "hetzner", fqdn: "www.example.net", readUrl: "https://api.hetzner.cloud/v1/zones/example.net/rrsets/www/A" },
  ],
  [
    { provider: "hetzner", zone: 123, name: "www", apiToken: "hz-secret" },
    { provider: "hetzner", fqdn: undefined, readUrl: "https://api.hetzner.cloud/v1/zones/123/rrsets/www/A" },
  ],
  [
    { provider: "porkbun", domain: "example.dev", subdomain: "www", apiKey: "pk1_x", secretApiKey: "sk1_y" },
    { provider: "porkbun", fqdn: "www.example.dev", readUrl: "https://api.porkbun.com/api/json/v3/dns/retrieveByNameType/example.dev/A/www", auth: { headers: {}, body: { apikey: "pk1_x", secretapikey: "sk1_y" } } },
  ],
];

test.each(targets.map(([t, want], i) => [`${t.provider} #${i}`, t, want] as const))("%s is recognised; both contents parse to the same record", (_label, t, want) => {
  const backup = t.provider === "cloudflare" && (t as { type?: string }).type === "AAAA" ? "2001:db8::2" : "203.0.113.50";
  const primary = t.provider === "cloudflare" && (t as { type?: string }).type === "AAAA" ? "2001:db8::1" : "198.51.100.10";
  const a = stored(t, backup);
  const b = stored(t, primary);
  expect(a).toMatchObject(want);
  expect(a.content).toBe(backup);
  expect(b.content).toBe(primary);
  expect(a.recordKey).toBe(b.recordKey);
  expect(a.recordKey).not.toMatch(/secret|sk1_|pk1_/);
});

test("an unknown request is generic (not readable); content comparison ignores case and the final dot", () => {
  const g = stored({ provider: "generic", url: "https://dns.example.com/update", method: "POST", body: { ip: "{{content}}" } }, "203.0.113.50");
  expect(g).toMatchObject({ provider: "generic", content: undefined, auth: { headers: {} } });
  expect(parseStoredRequest({ forwardUrls: ["not a url"], forwardMethod: null, forwardHeaders: {}, forwardBody: null }).provider).toBe("generic");
  expect(sameContent("Backup.Example.com.", "backup.example.com")).toBe(true);
  expect(sameContent(undefined, "x")).toBe(false);
});

test("a content-only Cloudflare PATCH (managed records) says no type: an IPv6 content is AAAA, an IPv4 one A", () => {
  const t = { provider: "cloudflare", zoneId: "a".repeat(32), recordId: "b".repeat(32), apiToken: "cf-secret", type: "AAAA", patchContentOnly: true } as const;
  const v6 = stored(t, "2001:db8::50");
  expect(JSON.parse(buildDnsUpdateRequest(t, "2001:db8::50").body!)).toEqual({ content: "2001:db8::50" });
  expect(v6).toMatchObject({ provider: "cloudflare", type: "AAAA", content: "2001:db8::50" });
  expect(stored({ ...t, type: "A" }, "203.0.113.50").type).toBe("A");
});
