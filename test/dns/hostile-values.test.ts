/**
 * Issue 11 §1, lib/dns part: every entry point (validateDnsTarget, buildDnsUpdateRequest,
 * buildHetznerChangeTtlRequest, describeRequest, redactUrl, redactBody) answers hostile JS values
 * with field-named issues or a DnsInputError, in bounded time, never a TypeError/RangeError, and
 * never echoes a secret. Property test with a fixed seed (FC_SEED overrides), plus the known
 * counterexamples as plain tests.
 */
import fc from "fast-check";
import {
  buildDnsUpdateRequest,
  buildHetznerChangeTtlRequest,
  DnsInputError,
  type DnsIssue,
  type DnsTarget,
  describeRequest,
  type ForwardRequest,
  type HetznerDnsTarget,
  redactBody,
  redactUrl,
  validateDnsTarget,
} from "../../lib/dns";

const SEED = Number(process.env.FC_SEED ?? 20261202);
const SECRET = "SECRET-7f3a9c";
/** Generous bound for one call on a shared 2-core machine; today's 5 MB case took seconds. */
const BOUND_MS = 1500;

function deepArray(n: number): unknown {
  let a: unknown[] = [];
  for (let i = 0; i < n; i++) a = [a];
  return a;
}
function cyclicObject(): unknown {
  const o: Record<string, unknown> = { a: "{{content}}" };
  o.self = o;
  return o;
}
function cyclicArray(): unknown {
  const a: unknown[] = ["{{content}}"];
  a.push(a);
  return a;
}
const nullProto = () => Object.create(null) as object;
const throwingToString = () => ({
  toString() {
    throw new Error("boom");
  },
  valueOf() {
    throw new Error("boom");
  },
});
const throwingProxy = () =>
  new Proxy(
    {},
    {
      get() {
        throw new Error("trap");
      },
      ownKeys() {
        throw new Error("trap");
      },
      getPrototypeOf() {
        throw new Error("trap");
      },
    },
  );
const HUGE = "a".repeat(5 * 1024 * 1024);

/** Named hostile values (also used as plain tests). */
const HOSTILE: [string, () => unknown][] = [
  ["null-prototype object", nullProto],
  ["object with throwing toString", throwingToString],
  ["throwing proxy", throwingProxy],
  ["cyclic object", cyclicObject],
  ["cyclic array", cyclicArray],
  ["50k-deep array", () => deepArray(50_000)],
  ["BigInt", () => 10n],
  ["Symbol", () => Symbol("s")],
  ["function", () => () => 1],
  ["5 MB string", () => HUGE],
  ["5 MB string with placeholder", () => `${HUGE}{{content}}`],
  ["NaN", () => Number.NaN],
  ["Infinity", () => Number.POSITIVE_INFINITY],
  ["Date", () => new Date(0)],
  ["string with CRLF", () => "a\r\nX-Injected: 1"],
  ["dot segment", () => ".."],
];

const BASES: Record<string, () => Record<string, unknown>> = {
  cloudflare: () => ({ provider: "cloudflare", zoneId: "023e105f4ecef8ad9ca31a8372d0c353", recordId: "372e67954025e0ba6aaa6d586b9e0b59", apiToken: SECRET }),
  digitalocean: () => ({ provider: "digitalocean", domain: "example.com", recordId: 12, name: "www", apiToken: SECRET }),
  hetzner: () => ({ provider: "hetzner", zone: "example.com", name: "www", ttl: 60, apiToken: SECRET }),
  porkbun: () => ({ provider: "porkbun", domain: "example.com", subdomain: "www", apiKey: `pk1_${SECRET}`, secretApiKey: `sk1_${SECRET}` }),
  generic: () => ({
    provider: "generic",
    url: "https://dns.example.net/records/1",
    method: "PUT",
    headers: { Authorization: `Bearer ${SECRET}` },
    secretHeaders: ["Authorization"],
    body: { content: "{{content}}" },
  }),
};
const FIELDS: Record<string, string[]> = {
  cloudflare: ["zoneId", "recordId", "apiToken", "apiBaseUrl", "name", "type", "ttl", "proxied", "method"],
  digitalocean: ["domain", "recordId", "name", "apiToken", "apiBaseUrl", "type", "ttl"],
  hetzner: ["zone", "name", "type", "ttl", "apiToken", "apiBaseUrl", "headers", "legacy"],
  porkbun: ["domain", "subdomain", "apiKey", "secretApiKey", "apiBaseUrl", "type", "ttl"],
  generic: ["url", "method", "headers", "secretHeaders", "body", "bodyIsSecret"],
};

const FIELD_MESSAGE = /^[A-Za-z][\w.[\]-]*: /;

function timed<T>(what: string, f: () => T): T {
  const t0 = performance.now();
  let out: T | undefined;
  let failure: unknown;
  try {
    out = f();
  } catch (e) {
    failure = e;
  }
  const ms = performance.now() - t0;
  if (ms > BOUND_MS) throw new Error(`${what} took ${Math.round(ms)} ms (bound ${BOUND_MS} ms)`);
  if (failure !== undefined) throw failure;
  return out as T;
}

function expectIssues(issues: unknown): void {
  expect(Array.isArray(issues)).toBe(true);
  for (const i of issues as DnsIssue[]) {
    expect(typeof i.field).toBe("string");
    expect(typeof i.message).toBe("string");
    expect(["error", "warning"]).toContain(i.severity);
    expect(i.message.length).toBeLessThan(2000);
    expect(i.message).not.toContain(SECRET);
  }
}

/** Calls a builder: either a well-formed request or a DnsInputError with a field-named message. */
function expectBuildOrFieldError(f: () => unknown): void {
  let out: unknown;
  try {
    out = f();
  } catch (e) {
    expect(e).toBeInstanceOf(DnsInputError);
    expect((e as Error).message).toMatch(FIELD_MESSAGE);
    expect((e as Error).message.length).toBeLessThan(2000);
    expect((e as Error).message).not.toContain(SECRET);
    return;
  }
  const req = out as ForwardRequest;
  expect(typeof req.url).toBe("string");
  expect(typeof req.body).toBe("string");
  for (const v of Object.values(req.headers)) expect(v).not.toMatch(/[\r\n]/);
  // The summary of any request we built never shows the secret.
  expect(describeRequest(req)).not.toContain(SECRET);
}

function exercise(target: unknown, content: unknown, opts?: unknown): void {
  const issues = timed("validateDnsTarget", () => validateDnsTarget(target as unknown as DnsTarget, content as string, opts as undefined));
  expectIssues(issues);
  timed("buildDnsUpdateRequest", () => expectBuildOrFieldError(() => buildDnsUpdateRequest(target as unknown as DnsTarget, content as string, opts as undefined)));
}

describe("known hostile values (plain tests)", () => {
  for (const [provider, base] of Object.entries(BASES)) {
    for (const field of FIELDS[provider]!) {
      it.each(HOSTILE)(`${provider} dns.${field} = %s`, (_name, make) => {
        exercise({ ...base(), [field]: make() }, "203.0.113.50");
      });
    }
    it.each(HOSTILE)(`${provider} content = %s`, (_name, make) => {
      exercise(base(), make());
    });
  }
  it.each(HOSTILE)("the whole target = %s", (_name, make) => {
    exercise(make(), "203.0.113.50");
  });
  it.each(HOSTILE)("opts = %s (and a throwing isUnresolved)", (_name, make) => {
    exercise(BASES.cloudflare!(), "203.0.113.50", make());
    exercise(BASES.cloudflare!(), "203.0.113.50", {
      isUnresolved: () => {
        throw new Error("x");
      },
    });
  });
  it("generic secretHeaders as a string is a field error, not `.map is not a function`", () => {
    const t = { ...BASES.generic!(), secretHeaders: "Authorization" };
    expect(validateDnsTarget(t as unknown as DnsTarget, "203.0.113.50").filter((i) => i.severity === "error").map((i) => i.field)).toEqual(["dns.secretHeaders"]);
    expect(() => buildDnsUpdateRequest(t as unknown as DnsTarget, "203.0.113.50")).toThrow(/^dns\.secretHeaders: must be an array/);
  });
  it.each([
    ["cyclic", cyclicObject, /cyclic/],
    ["deep", () => deepArray(50_000), /nested deeper than 64/],
    ["BigInt", () => ({ n: 1n, c: "{{content}}" }), /BigInt at \.n/],
  ])("generic body %s: field error on dns.body", (_n, make, why) => {
    const t = { ...BASES.generic!(), body: make() };
    const e = validateDnsTarget(t as unknown as DnsTarget, "203.0.113.50").filter((i) => i.severity === "error");
    expect(e).toEqual([expect.objectContaining({ field: "dns.body", message: expect.stringMatching(why) })]);
    expect(() => buildDnsUpdateRequest(t as unknown as DnsTarget, "203.0.113.50")).toThrow(/^dns\.body: must be a JSON template/);
  });
  it.each([
    ["hetzner", "zone"],
    ["hetzner", "name"],
    ["cloudflare", "name"],
    ["cloudflare", "zoneId"],
  ])("%s dns.%s as an object without toString is a field error", (provider, field) => {
    const t = { ...BASES[provider]!(), [field]: nullProto(), method: field === "name" && provider === "cloudflare" ? "PUT" : undefined };
    expect(validateDnsTarget(t as unknown as DnsTarget, "203.0.113.50").some((i) => i.severity === "error" && i.field === `dns.${field}`)).toBe(true);
    expect(() => buildDnsUpdateRequest(t as unknown as DnsTarget, "203.0.113.50")).toThrow(new RegExp(`^dns\\.${field}: `));
  });
  it("a 5 MB record id is refused quickly, and the message is short", () => {
    const t0 = performance.now();
    const issues = validateDnsTarget({ ...BASES.cloudflare!(), recordId: HUGE } as unknown as DnsTarget, "203.0.113.50");
    expect(performance.now() - t0).toBeLessThan(BOUND_MS);
    expect(issues).toEqual([expect.objectContaining({ field: "dns.recordId", severity: "error", message: expect.stringMatching(/too long \(5242880 characters/) })]);
  });
});

describe("describe helpers on hostile requests", () => {
  it.each(HOSTILE)("describeRequest / redactBody / redactUrl with %s", (_name, make) => {
    const good = buildDnsUpdateRequest(BASES.porkbun!() as unknown as DnsTarget, "203.0.113.50");
    for (const key of ["url", "method", "headers", "body", "secretHeaderNames", "bodyIsSecret"] as const) {
      const req = { ...good, [key]: make() };
      for (const f of [() => describeRequest(req as ForwardRequest), () => redactBody(req as ForwardRequest)]) {
        try {
          const text = timed("describe", f);
          expect(typeof text).toBe("string");
          expect(text).not.toContain(SECRET);
        } catch (e) {
          expect(e).toBeInstanceOf(DnsInputError);
          expect((e as Error).message).toMatch(/^request(\.\w+)?: /);
        }
      }
    }
    expect(() => redactUrl(make() as string)).not.toThrow(TypeError);
  });
  it("a secret body stays secret when bodyIsSecret is not a boolean", () => {
    const req = { ...buildDnsUpdateRequest(BASES.porkbun!() as unknown as DnsTarget, "203.0.113.50"), bodyIsSecret: "yes" };
    expect(describeRequest(req as unknown as ForwardRequest)).not.toContain(SECRET);
  });
});

describe("property: hostile values anywhere (fixed seed)", () => {
  const hostile = fc.oneof(
    fc.anything({ withBigInt: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true, withSparseArray: true }),
    fc.constantFrom(...HOSTILE.filter(([n]) => !n.startsWith("5 MB")).map(([, make]) => make)).map((make) => make()),
    fc.string({ unit: "binary", maxLength: 40 }),
  );
  it("validate and build never crash, never hang, never leak", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(BASES)),
        fc.array(fc.tuple(fc.string({ maxLength: 12 }), hostile), { maxLength: 4 }),
        fc.option(hostile, { nil: undefined }),
        fc.boolean(),
        (provider, overrides, content, useFieldNames) => {
          const t: Record<string, unknown> = BASES[provider]!();
          const names = FIELDS[provider]!;
          overrides.forEach(([key, value], i) => {
            t[useFieldNames ? names[i % names.length]! : key] = value;
          });
          exercise(t, content === undefined ? "203.0.113.50" : content);
          if (provider === "hetzner") {
            timed("change_ttl", () => expectBuildOrFieldError(() => buildHetznerChangeTtlRequest(t as unknown as HetznerDnsTarget, content as number)));
          }
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });
});
