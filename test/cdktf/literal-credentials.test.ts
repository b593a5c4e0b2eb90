// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform interpolations ("${var.x}") are expected literally.
/**
 * Issue 11 §3: cdk.tf.json must not hold literal credentials. A token in a generic target's URL
 * query string and literal health-check `Authorization`/credential headers are refused like DNS
 * tokens are (a sensitive TerraformVariable / token is required), with field-named errors that
 * never echo the value.
 */
import { isCredentialHeaderName, literalUrlIssues } from "../../lib/cdktf/literal-credentials";
import { CORES, loadOn, newStack, synthJson } from "./cores";

const SECRET = "s3cr3tLITERALvalue42";

describe("credential names and URLs", () => {
  it.each(["Authorization", "proxy-authorization", "Cookie", "X-Api-Key", "X-Auth-Token", "Api-Key", "X-Dns-Secret", "X-Signature", "Auth-API-Token", "X-Access-Token"])(
    "%s is a credential header",
    (h) => expect(isCredentialHeaderName(h)).toBe(true),
  );
  it.each(["Content-Type", "Accept", "User-Agent", "Idempotency-Key", "X-Request-Id", "X-Forwarded-For", "Cache-Control"])("%s is not", (h) =>
    expect(isCredentialHeaderName(h)).toBe(false),
  );
  it.each([
    ["https://dns.example.net/update?token=abc123", "token"],
    ["https://dns.example.net/update?zone=z&api_key=abc123", "api_key"],
    ["https://dns.example.net/update?KEY=abc", "KEY"],
    ["https://dns.example.net/u?access%5Ftoken=abc", "access_token"],
    ["https://dns.example.net/u?password=abc#frag", "password"],
  ])("%s: a literal credential in the query string", (url, name) => {
    const issues = literalUrlIssues(url, "dns.url");
    expect(issues).toHaveLength(1);
    expect(issues[0]?.field).toBe("dns.url");
    expect(issues[0]?.message).toContain(JSON.stringify(name));
    expect(issues[0]?.message).not.toContain("abc");
  });
  it.each([
    "https://dns.example.net/update?token=${var.t}",
    "https://dns.example.net/update?type=A&ttl=60",
    "https://dns.example.net/update?token=",
    "https://dns.example.net/update",
    "${var.url}",
  ])("%s passes", (url) => expect(literalUrlIssues(url, "dns.url")).toEqual([]));
  it("a literal password in the user info is refused, a token one passes", () => {
    expect(literalUrlIssues("https://u:pw@dns.example.net/x", "dns.url").map((i) => i.field)).toEqual(["dns.url"]);
    expect(literalUrlIssues("https://u:${var.pw}@dns.example.net/x", "dns.url")).toEqual([]);
  });
});

describe.each(CORES)("literal credentials are refused before synthesis [%s]", (coreName) => {
  const l = loadOn(coreName);
  const { TerraformVariable } = l.core;
  const { DnsFailover, ForwardEndpoint, HealthCheckTask, RestfulProvider } = l.lib;
  const setup = () => {
    const stack = newStack(l);
    new RestfulProvider(stack, "runlater", {});
    const tok = new TerraformVariable(stack, "tok", { type: "string", sensitive: true }).stringValue;
    return { stack, tok };
  };
  const common = { healthCheck: { url: "https://primary.example.com/health" }, primary: "198.51.100.10", backup: "203.0.113.50" };
  const generic = (url: string, tok: string, headers: Record<string, string> = {}) =>
    ({ provider: "generic", url, method: "PUT", headers: { Authorization: `Bearer ${tok}`, ...headers }, body: { content: "{{content}}" } }) as const;
  const message = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      return String((e as Error).message);
    }
    throw new Error("did not throw");
  };

  it("DnsFailover: a token in the generic target's URL query string (dns.url)", () => {
    const { stack, tok } = setup();
    const m = message(() => new DnsFailover(stack, "f", { ...common, dns: generic(`https://dns.example.net/update?token=${SECRET}`, tok) }));
    expect(m).toMatch(/dns\.url: carries a credential as a literal in its query string \(parameter "token"\)/);
    expect(m).toMatch(/sensitive: true/);
    expect(m).not.toContain(SECRET);
    // As a token it synthesizes.
    new DnsFailover(stack, "ok", { ...common, dns: generic(`https://dns.example.net/update?token=${tok}`, tok) });
    expect(JSON.stringify(synthJson(l, stack))).not.toContain(SECRET);
  });

  it("DnsFailover: literal health-check credential headers (healthCheck.headers.<name>) and custom generic token headers (dns.headers.<name>)", () => {
    const { stack, tok } = setup();
    const m = message(
      () =>
        new DnsFailover(stack, "f", {
          ...common,
          healthCheck: { url: "https://primary.example.com/health", headers: { Authorization: `Bearer ${SECRET}`, "X-Api-Key": SECRET, Accept: "text/plain" } },
          dns: generic("https://dns.example.net/update", tok, { "X-Dns-Token": SECRET }),
        }),
    );
    expect(m).toMatch(/healthCheck\.headers\.Authorization: carries a credential as a literal/);
    expect(m).toMatch(/healthCheck\.headers\.X-Api-Key: carries a credential as a literal/);
    expect(m).toMatch(/dns\.headers\.X-Dns-Token: carries a credential as a literal/);
    expect(m).not.toMatch(/Accept/);
    expect(m).not.toContain(SECRET);
    new DnsFailover(stack, "ok", {
      ...common,
      healthCheck: { url: "https://primary.example.com/health", headers: { Authorization: `Bearer ${tok}`, Accept: "text/plain" } },
      dns: generic("https://dns.example.net/update", tok),
    });
    expect(JSON.stringify(synthJson(l, stack))).not.toContain(SECRET);
  });

  it("HealthCheckTask and ForwardEndpoint refuse them too (headers / url, forwardHeaders / forwardUrls[i])", () => {
    const { stack, tok } = setup();
    const t = message(() => new HealthCheckTask(stack, "t", { url: `https://primary.example.com/health?api_key=${SECRET}`, headers: { Cookie: `sid=${SECRET}` } }));
    expect(t).toMatch(/- headers\.Cookie: carries a credential as a literal/);
    expect(t).toMatch(/- url: carries a credential as a literal in its query string \(parameter "api_key"\)/);
    expect(t).not.toContain(SECRET);
    const e = message(
      () => new ForwardEndpoint(stack, "e", { forwardUrls: ["https://ok.example.com/", `https://x.example.com/?secret=${SECRET}`], forwardHeaders: { "X-Auth-Token": SECRET } }),
    );
    expect(e).toMatch(/- forwardHeaders\.X-Auth-Token: carries a credential as a literal/);
    expect(e).toMatch(/- forwardUrls\[1\]: carries a credential as a literal/);
    expect(e).not.toContain(SECRET);
    new HealthCheckTask(stack, "t2", { url: "https://primary.example.com/health", headers: { Authorization: `Bearer ${tok}`, Accept: "*/*" } });
    new ForwardEndpoint(stack, "e2", { forwardUrls: ["https://x.example.com/"], forwardHeaders: { "X-Auth-Token": tok, "Content-Type": "application/json" } });
    expect(() => synthJson(l, stack)).not.toThrow();
  });
});
