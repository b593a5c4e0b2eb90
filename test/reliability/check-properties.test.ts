/**
 * Property-based input testing (fast-check) of everything that validates user input before a
 * Runlater call: `check()` of both dynamic providers, and `planFailover` / `validateDnsTarget`
 * (what `DnsFailover` validates with), followed by the children's `check()` on the plan.
 *
 * Inputs are random and hostile: huge strings, unicode, control characters, negative/NaN numbers,
 * `javascript:` URLs, CR/LF header injection, Pulumi's unknown sentinel, engine tokens. Properties:
 * nothing throws; every failure names a known field (or a path under one); a value that is
 * invalid in exactly one field is reported under that field; header values, bodies and DNS
 * credentials are never echoed.
 */
import fc from "fast-check";
import { fcParams } from "../support/fc";
import { componentArgs } from "../../bench/flow";
import { buildDnsUpdateRequest, type DnsTarget, validateDnsTarget } from "../../lib/dns";
import { planFailover } from "../../lib/failover/plan";
import { FORWARD_ENDPOINT_KEYS, ForwardEndpointProvider } from "../../lib/pulumi/forward-endpoint";
import { HEALTH_CHECK_TASK_KEYS, HealthCheckTaskProvider } from "../../lib/pulumi/health-check-task";
import { clearProviderConfig, UNKNOWN_SENTINEL } from "../../lib/pulumi/provider-support";

const task = new HealthCheckTaskProvider();
const endpoint = new ForwardEndpointProvider();
const RUNS = fcParams({ numRuns: 500 });
/** Marker put into header values, bodies and DNS credentials; no message may contain it. */
const SECRET = "zq-secret-9f1c2e";

const TASK_FIELDS = [...HEALTH_CHECK_TASK_KEYS, "adoptId"];
const ENDPOINT_FIELDS = [...FORWARD_ENDPOINT_KEYS, "adoptId"];
const under = (fields: readonly string[]) => (property: string) =>
  fields.some((f) => property === f || property.startsWith(`${f}.`) || property.startsWith(`${f}[`));

beforeAll(() => {
  clearProviderConfig();
  delete process.env.RUNLATER_ALLOW_PRIVATE_TARGETS;
});

// ------------------------------------------------------------------ generators

const HOSTILE_STRINGS = [
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  " javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "file:///etc/passwd",
  "ftp://example.com/x",
  "http://",
  "https://",
  "//evil.example.com/",
  "http://[::1]:80/",
  "http://127.0.0.1/health",
  "http://169.254.169.254/latest/meta-data/",
  "https://exa mple.com/",
  "https://example.com/\r\nSet-Cookie: a=b",
  "https://user:pass@example.com/",
  "GET\r\nX-Injected: 1",
  "a\r\nb",
  "a\nb",
  "\u0000",
  "\u0007bell",
  "\u2028\u2029",
  "\u202eevil",
  "𝕳𝖊𝖑𝖑𝖔 🧨",
  "ǅİß",
  "__proto__",
  "constructor",
  "toString",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a CDKTF token, literally
  "${TfToken[TOKEN.1]}",
  "{{content}}",
  "* * * * *",
  "61 * * * *",
  "* * * * * *",
  "@reboot",
  "0 0 30 2 *",
  "",
  " ",
  "\t",
  "null",
  "NaN",
  "-1",
  "1e309",
  UNKNOWN_SENTINEL,
];

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.webUrl() },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.webUrl(), fc.constantFrom("\r\n", "\n", "\t", " ", "\u0000", "%0d%0a"))
      .map(([u, c]) => `${u}${c}X-Injected: 1`),
  },
  { weight: 1, arbitrary: fc.integer({ min: 2030, max: 2060 }).map((n) => `https://a.example.com/${"p".repeat(n)}`) },
  { weight: 1, arbitrary: fc.constantFrom("x".repeat(300_000), "é".repeat(140_000)) },
);
const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, -1, 0, 1.5, 1e21, Number.MAX_SAFE_INTEGER + 2),
);
const hostileAtom: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileAtom },
  { weight: 1, arbitrary: fc.array(hostileAtom, { maxLength: 12 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileAtom, { maxKeys: 4, noNullPrototype: true }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
// Objects always have a prototype: what the Pulumi engine delivers (and what a program builds)
// are plain objects; `fc.dictionary` would otherwise produce `Object.create(null)` maps half the
// time (see the it.failing test at the end for the one place that cannot cope with those).

/** Mostly plausible, sometimes hostile. */
const maybe = <T>(plausible: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: plausible as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: hostileValue });
const headerName = fc.oneof(fc.constantFrom("Authorization", "X-Api-Key", "Bad Name", "X:Y", "", "X\r\nY", "__proto__"), fc.string({ maxLength: 12 }));
/** Header maps whose every value carries the secret marker. */
const secretHeaders = fc.dictionary(
  headerName,
  fc.oneof(
    hostileString.map((s) => `Bearer ${SECRET}${s}`),
    fc.constant(`${SECRET}\r\nX-Injected: 1`),
    fc.constant(5 as unknown as string),
  ),
  { maxKeys: 3, noNullPrototype: true },
);
const secretBody = fc.oneof(
  hostileString.map((s) => `${SECRET}${s}`),
  fc.constant(`${SECRET}${"x".repeat(262_200)}`),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.constant(SECRET), { maxKeys: 2, noNullPrototype: true }),
  fc.constant(7 as unknown as string),
);
const extraKeys = fc.dictionary(fc.string({ maxLength: 10 }), hostileValue, { maxKeys: 2, noNullPrototype: true });

const taskInputs = fc
  .tuple(
    fc.record(
      {
        name: maybe(fc.string({ minLength: 1, maxLength: 30 })),
        url: maybe(fc.webUrl()),
        method: maybe(fc.constantFrom("GET", "post", "HEAD", "OPTIONS")),
        cron: maybe(fc.constantFrom("* * * * *", "*/5 * * * *", "0 12 * * 1-5", " 0  *  * * * ")),
        timeoutMs: maybe(fc.integer({ min: 1000, max: 300_000 })),
        expectedStatusCodes: maybe(fc.array(fc.integer({ min: 100, max: 599 }), { maxLength: 4 })),
        expectedBodyPattern: maybe(fc.string()),
        headers: secretHeaders,
        body: secretBody,
        enabled: maybe(fc.boolean()),
        onFailureUrl: maybe(fc.webUrl()),
        onRecoveryUrl: maybe(fc.webUrl()),
        notifyOnFailure: maybe(fc.boolean()),
        notifyOnRecovery: maybe(fc.boolean()),
        adoptId: maybe(fc.uuid()),
      },
      { requiredKeys: [] },
    ),
    extraKeys,
  )
  .map(([known, extra]) => ({ ...extra, ...known }));

const endpointInputs = fc
  .tuple(
    fc.record(
      {
        name: maybe(fc.string({ minLength: 1, maxLength: 30 })),
        forwardUrls: maybe(fc.array(fc.webUrl(), { minLength: 1, maxLength: 10 })),
        forwardHeaders: secretHeaders,
        forwardBody: secretBody,
        forwardMethod: maybe(fc.constantFrom("PATCH", "put", "POST")),
        retryAttempts: maybe(fc.integer({ min: 0, max: 10 })),
        useLane: maybe(fc.boolean()),
        enabled: maybe(fc.boolean()),
        onFailureUrl: maybe(fc.webUrl()),
        onRecoveryUrl: maybe(fc.webUrl()),
        notifyOnFailure: maybe(fc.boolean()),
        notifyOnRecovery: maybe(fc.boolean()),
        adoptId: maybe(fc.uuid()),
      },
      { requiredKeys: [] },
    ),
    extraKeys,
  )
  .map(([known, extra]) => ({ ...extra, ...known }));

type Failure = { property: string; reason: string };

function expectWellFormed(failures: unknown, fields: readonly string[]): Failure[] {
  expect(Array.isArray(failures)).toBe(true);
  const known = under(fields);
  for (const f of failures as Failure[]) {
    expect(typeof f.property).toBe("string");
    expect(typeof f.reason).toBe("string");
    expect(f.reason.length).toBeGreaterThan(0);
    if (!known(f.property)) throw new Error(`failure names an unknown field: ${JSON.stringify(f.property)} (${f.reason})`);
    if (f.reason.includes(SECRET) || f.property.includes(SECRET)) throw new Error(`failure echoes a secret: ${f.property}: ${f.reason.slice(0, 200)}`);
  }
  return failures as Failure[];
}

// ------------------------------------------------------------------ provider check()

describe("HealthCheckTaskProvider.check", () => {
  it("never throws, names only known fields, never echoes header values or bodies", async () => {
    await fc.assert(
      fc.asyncProperty(taskInputs, async (news) => {
        const r = await task.check({} as never, news as never);
        expectWellFormed(r.failures, TASK_FIELDS);
        expect(() => JSON.stringify(r.inputs)).not.toThrow();
      }),
      RUNS,
    );
  });

  const valid = {
    name: "h",
    url: "https://primary.example.com/health",
    method: "GET",
    cron: "* * * * *",
    timeoutMs: 10_000,
    expectedStatusCodes: [200],
    expectedBodyPattern: "ok",
    headers: { "X-Key": "v" },
    body: "{}",
    enabled: true,
    onFailureUrl: "https://runlater.eu/in/ep_a",
    onRecoveryUrl: "https://runlater.eu/in/ep_b",
    notifyOnFailure: true,
    notifyOnRecovery: false,
  };
  const badUrl = ["javascript:alert(1)", "ftp://x.example.com/", "http://", "not a url", 5, {}, "https://exa mple.com/", "https://a.example.com/\r\nX: y", `https://a.example.com/${"p".repeat(2100)}`];
  const invalid: Record<string, unknown[]> = {
    name: ["", "   ", "a".repeat(256), "a\u0000b", "a\r\nb", 5, {}, [], true, undefined],
    url: [...badUrl, "", undefined, "http://127.0.0.1/health", "http://[::1]/", "http://10.0.0.1/"],
    method: ["FETCH", "CONNECT", "TRACE", "", "GE T", "GET\r\nX: y", 5, {}],
    cron: ["", "61 * * * *", "* * * *", "* * * * * *", "@hourly", "a b c d e", "\u0000 * * * *", 5, {}],
    timeoutMs: [Number.NaN, 999, 300_001, 1.5, -1, Number.POSITIVE_INFINITY, "10000", {}, true],
    expectedStatusCodes: [[], [99], [600], [200.5], [Number.NaN], [null], ["200"], "200", {}, 200],
    expectedBodyPattern: [5, {}, [], true],
    headers: [[], "x", 5, { "Bad Name": "v" }, { "X-A": `${SECRET}\r\nSet-Cookie: x` }, { X: 5 }, { "": "v" }, { X: null }, { "X\r\nY": "v" }],
    body: [5, {}, [], true, "x".repeat(256 * 1024 + 1)],
    enabled: ["true", 1, 0, "", {}],
    onFailureUrl: badUrl,
    onRecoveryUrl: badUrl,
    notifyOnFailure: ["yes", 1, {}],
    notifyOnRecovery: ["no", 0, []],
    adoptId: [5, {}, [], true],
  };

  it("a value invalid in exactly one field is reported under that field (and only there)", async () => {
    expect((await task.check({} as never, valid as never)).failures).toEqual([]);
    const cases = Object.entries(invalid).flatMap(([field, values]) => values.map((v) => [field, v] as const));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...cases), async ([field, value]) => {
        const news: Record<string, unknown> = { ...valid, [field]: value };
        if (value === undefined) delete news[field];
        const failures = expectWellFormed((await task.check({} as never, news as never)).failures, TASK_FIELDS);
        expect(failures.length).toBeGreaterThan(0);
        for (const f of failures) expect(under([field])(f.property)).toBe(true);
      }),
      fcParams({ numRuns: cases.length * 3 }),
    );
  });
});

describe("ForwardEndpointProvider.check", () => {
  it("never throws on anything the engine can send, names only known fields, never echoes header values or bodies", async () => {
    await fc.assert(
      fc.asyncProperty(endpointInputs, async (news) => {
        const r = await endpoint.check({} as never, news as never);
        expectWellFormed(r.failures, ENDPOINT_FIELDS);
        expect(() => JSON.stringify(r.inputs)).not.toThrow();
      }),
      RUNS,
    );
  });

  const valid = {
    name: "flip",
    forwardUrls: ["https://api.example.com/x"],
    forwardHeaders: { Authorization: "Bearer t" },
    forwardBody: '{"content":"203.0.113.50"}',
    forwardMethod: "PATCH",
    retryAttempts: 3,
    useLane: true,
    enabled: true,
    onFailureUrl: "https://hooks.example.com/f",
    onRecoveryUrl: "https://hooks.example.com/r",
    notifyOnFailure: null,
    notifyOnRecovery: true,
  };
  const badUrl = ["javascript:alert(1)", "ftp://x.example.com/", "http://", "not a url", 5, {}, "https://exa mple.com/", "https://a.example.com/\r\nX: y"];
  const invalid: Record<string, unknown[]> = {
    name: ["", "   ", "a".repeat(256), "a\u0000b", "a\r\nb", 5, {}, [], true, undefined],
    forwardUrls: [
      undefined,
      "https://a.example.com",
      [],
      Array.from({ length: 11 }, (_, i) => `https://a${i}.example.com/`),
      ...badUrl.map((u) => [u]),
      ["https://ok.example.com/", "javascript:alert(1)"],
      [`https://a.example.com/${"p".repeat(2100)}`],
    ],
    forwardHeaders: [[], "x", 5, { "Bad Name": "v" }, { Authorization: `Bearer ${SECRET}\r\nX-Injected: 1` }, { X: 5 }, { "": "v" }],
    forwardBody: [5, true, "x".repeat(256 * 1024 + 1), { big: "y".repeat(256 * 1024) }],
    forwardMethod: ["FETCH", "CONNECT", "GET\r\nX: y", 5, {}],
    retryAttempts: [-1, 11, 1.5, Number.NaN, "3", Number.POSITIVE_INFINITY, {}],
    enabled: ["true", 1, 0, ""],
    onFailureUrl: badUrl,
    onRecoveryUrl: badUrl,
    notifyOnFailure: ["yes", 1],
    notifyOnRecovery: ["no", 0],
    // useLane and adoptId: see the it.failing tests below.
  };

  it("a value invalid in exactly one field is reported under that field (and only there)", async () => {
    expect((await endpoint.check({} as never, valid as never)).failures).toEqual([]);
    const cases = Object.entries(invalid).flatMap(([field, values]) => values.map((v) => [field, v] as const));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...cases), async ([field, value]) => {
        const news: Record<string, unknown> = { ...valid, [field]: value };
        if (value === undefined) delete news[field];
        const failures = expectWellFormed((await endpoint.check({} as never, news as never)).failures, ENDPOINT_FIELDS);
        expect(failures.length).toBeGreaterThan(0);
        for (const f of failures) expect(under([field])(f.property)).toBe(true);
      }),
      fcParams({ numRuns: cases.length * 3 }),
    );
  });

  it.failing("BUG: check() does not validate `useLane` (it validates `useQueue`, which the provider never receives)", async () => {
    // validateEndpointSpec checks `useQueue`; the provider's input is `useLane`. A non-boolean
    // passes check and only fails at create time, as an API 422 on `use_queue`.
    const r = await endpoint.check({} as never, { ...valid, useLane: "yes" } as never);
    expect(r.failures!.map((f) => f.property)).toEqual(["useLane"]);
  });

  it.failing("BUG: check() accepts a non-string `adoptId` (HealthCheckTask rejects it)", async () => {
    const r = await endpoint.check({} as never, { ...valid, adoptId: 5 } as never);
    expect(r.failures!.map((f) => f.property)).toEqual(["adoptId"]);
  });
});

// ------------------------------------------------------------------ DnsFailover: planFailover + validateDnsTarget

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
const token = fc.oneof(
  { weight: 4, arbitrary: fc.constant(SECRET) },
  { weight: 2, arbitrary: hostileString.map((s) => `${SECRET}${s}`) },
  { weight: 1, arbitrary: hostileString.map((s) => `${s}${SECRET}`) },
  { weight: 1, arbitrary: fc.constantFrom(5, null, undefined, {}, [] as unknown) },
);
const recordType = maybe(fc.constantFrom("A", "AAAA", "CNAME", undefined));
const baseUrl = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom("https://api.example.net/v1", "http://127.0.0.1:4010/x", "http://api.example.net/") },
  { weight: 1, arbitrary: hostileValue },
);
const dnsTarget: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({
    provider: fc.constant("cloudflare"),
    zoneId: maybe(hex32),
    recordId: maybe(hex32),
    name: maybe(fc.constantFrom("www.example.com", "@", undefined)),
    type: recordType,
    ttl: maybe(fc.constantFrom(1, 60, 300, 3600, undefined)),
    proxied: maybe(fc.constantFrom(true, false, undefined)),
    method: maybe(fc.constantFrom("PATCH", "PUT", undefined)),
    apiToken: token,
    apiBaseUrl: baseUrl,
  }),
  fc.record({
    provider: fc.constant("digitalocean"),
    domain: maybe(fc.constantFrom("example.com", "example.co.uk")),
    recordId: maybe(fc.oneof(fc.integer({ min: 1, max: 1e9 }), fc.constantFrom("12345"))),
    type: recordType,
    name: maybe(fc.constantFrom("www", "@", "a.b")),
    ttl: maybe(fc.constantFrom(30, 60, 1800, undefined)),
    apiToken: token,
    apiBaseUrl: baseUrl,
  }),
  fc.record({
    provider: fc.constant("hetzner"),
    zone: maybe(fc.oneof(fc.constantFrom("example.com"), fc.integer({ min: 1, max: 1e7 }))),
    name: maybe(fc.constantFrom("www", "@")),
    type: recordType,
    apiToken: token,
    apiBaseUrl: fc.oneof(baseUrl, fc.constant("https://dns.hetzner.com/api/v1")),
  }),
  fc.record({
    provider: fc.constant("porkbun"),
    domain: maybe(fc.constantFrom("example.com")),
    type: recordType,
    subdomain: maybe(fc.constantFrom("www", "@", "*", undefined, "www.example.com")),
    ttl: maybe(fc.constantFrom(600, 60, undefined)),
    apiKey: token,
    secretApiKey: token,
    apiBaseUrl: baseUrl,
  }),
  fc.record({
    provider: fc.constant("generic"),
    url: fc.oneof(
      { weight: 3, arbitrary: fc.constant(`https://dns.example.net/update?token=${SECRET}`) },
      { weight: 1, arbitrary: fc.constant(`https//dns.example.net/update?token=${SECRET}`) },
      { weight: 1, arbitrary: fc.constant(`https://dns.example.net/${"p".repeat(2100)}?token=${SECRET}`) },
      { weight: 1, arbitrary: hostileValue },
    ),
    method: maybe(fc.constantFrom("PUT", "PATCH", "POST", "put")),
    headers: fc.oneof(secretHeaders, hostileValue.filter((v) => typeof v !== "string" || !v.includes(SECRET))),
    secretHeaders: maybe(fc.array(fc.constantFrom("X-Token", "Authorization"), { maxLength: 2 })),
    body: maybe(fc.oneof(fc.constant('{"ip":"{{content}}"}'), fc.constant({ records: [{ value: "{{content}}" }] }))),
    bodyIsSecret: maybe(fc.boolean()),
  }),
  fc.record({ provider: fc.constantFrom("route53", "google", "azure"), zone: maybe(fc.string()), name: maybe(fc.string()) }),
  fc.record({ provider: hostileValue, apiToken: token }),
);
const content = fc.oneof(
  { weight: 3, arbitrary: fc.ipV4() },
  { weight: 1, arbitrary: fc.ipV6() },
  { weight: 1, arbitrary: fc.domain() },
  { weight: 2, arbitrary: hostileValue },
);

const FAILOVER_FIELDS = ["name", "failback", "retryAttempts", "healthCheck", "primary", "backup", "dns", "props"];

describe("validateDnsTarget", () => {
  it("never throws, names `dns`, `dns.<field>` or `content`, never echoes a credential; no errors ⇒ the request builds", () => {
    fc.assert(
      fc.property(fc.oneof(dnsTarget, hostileValue), fc.oneof(content, fc.constant(undefined)), (target, c) => {
        const issues = validateDnsTarget(target as DnsTarget, c as string);
        for (const i of issues) {
          expect(["error", "warning"]).toContain(i.severity);
          if (!(i.field === "content" || under(["dns"])(i.field))) throw new Error(`unknown field ${i.field}`);
          if (i.message.includes(SECRET) || i.field.includes(SECRET)) throw new Error(`issue echoes a credential: ${i.field}: ${i.message.slice(0, 200)}`);
        }
        if (c !== undefined && issues.every((i) => i.severity !== "error")) {
          const req = buildDnsUpdateRequest(target as DnsTarget, c as string);
          expect(typeof req.url).toBe("string");
        }
      }),
      fcParams({ numRuns: 600 }),
    );
  });
});

describe("planFailover (DnsFailover's validation) and the children's check()", () => {
  /** `hostile` = 1 in `odds` values is hostile; the rest plausible. */
  const inputs = (odds: number) => {
    const m = <T>(plausible: fc.Arbitrary<T>) =>
      fc.oneof({ weight: odds - 1, arbitrary: plausible as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: hostileValue });
    const ip = fc.oneof({ weight: 8, arbitrary: fc.ipV4() }, { weight: 1, arbitrary: fc.ipV6() }, { weight: 1, arbitrary: fc.domain() });
    return fc.record({
      name: m(fc.constantFrom("www", "api", "a b", "ünï")),
      healthCheck: fc.record(
        {
          url: m(fc.oneof(fc.webUrl(), fc.constant("https://primary.example.com/health"))),
          cron: m(fc.constantFrom("* * * * *", "*/2 * * * *")),
          timeoutMs: m(fc.constantFrom(5_000, 10_000, 30_000)),
          expectedStatusCodes: m(fc.constantFrom([200], [200, 204], [])),
          method: m(fc.constantFrom("GET", "HEAD")),
          expectedBodyPattern: m(fc.string({ maxLength: 10 })),
          headers: secretHeaders,
        },
        { requiredKeys: [] },
      ),
      primary: m(ip),
      backup: m(ip),
      dns: odds > 4 ? plausibleDns : dnsTarget,
      failback: m(fc.constantFrom("auto", "manual", undefined)),
      retryAttempts: m(fc.constantFrom(0, 3, 10, undefined)),
    });
  };
  const plausibleDns: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
    fc.record({ provider: fc.constant("cloudflare"), zoneId: hex32, recordId: hex32, type: fc.constantFrom("A", "A", "A", "AAAA", "CNAME"), apiToken: token, method: fc.constantFrom("PATCH", "PUT"), name: fc.constant("www.example.com") }),
    fc.record({ provider: fc.constant("digitalocean"), domain: fc.constant("example.com"), recordId: fc.integer({ min: 1, max: 1e6 }), name: fc.constant("www"), apiToken: token }),
    fc.record({ provider: fc.constant("hetzner"), zone: fc.constant("example.com"), name: fc.constant("www"), apiToken: token }),
    fc.record({ provider: fc.constant("porkbun"), domain: fc.constant("example.com"), subdomain: fc.constant("www"), apiKey: token, secretApiKey: token }),
    fc.record({
      provider: fc.constant("generic"),
      url: fc.constantFrom(`https://dns.example.net/update?token=${SECRET}`, `https://dns.example.net/${"p".repeat(2100)}?token=${SECRET}`),
      method: fc.constantFrom("PUT", "POST"),
      headers: secretHeaders,
      body: fc.constant('{"ip":"{{content}}"}'),
    }),
    dnsTarget,
  );

  async function checkAll(args: unknown): Promise<boolean> {
    const plan = planFailover(args as never);
    for (const i of [...plan.errors, ...plan.warnings]) {
      if (!under(FAILOVER_FIELDS)(i.field)) throw new Error(`unknown field ${i.field}`);
      if (i.message.includes(SECRET)) throw new Error(`plan echoes a credential: ${i.field}: ${i.message.slice(0, 200)}`);
    }
    if (plan.errors.length > 0) return false;
    const children = componentArgs(plan);
    expectWellFormed((await endpoint.check({} as never, children.failover as never)).failures, ENDPOINT_FIELDS);
    if (children.recovery) expectWellFormed((await endpoint.check({} as never, children.recovery as never)).failures, ENDPOINT_FIELDS);
    const t = children.task("https://runlater.eu/in/ep_a", children.recovery ? "https://runlater.eu/in/ep_b" : undefined);
    expectWellFormed((await task.check({} as never, t as never)).failures, TASK_FIELDS);
    return true;
  }

  it("hostile inputs: never throws; errors and warnings name DnsFailover fields; no credential echoed", async () => {
    await fc.assert(fc.asyncProperty(inputs(3), async (args) => void (await checkAll(args))), fcParams({ numRuns: 500 }));
  });

  it("mostly valid inputs: the plan reaches the children, whose check() names child fields and echoes no credential", async () => {
    let reached = 0;
    await fc.assert(
      fc.asyncProperty(inputs(12), async (args) => {
        if (await checkAll(args)) reached++;
      }),
      fcParams({ numRuns: 500 }),
    );
    // The plan now refuses more up front (every field of every object), so fewer reach the children.
    expect(reached).toBeGreaterThan(15);
  });

  const cf = {
    provider: "cloudflare" as const,
    zoneId: "0123456789abcdef0123456789abcdef",
    recordId: "fedcba9876543210fedcba9876543210",
    apiToken: "tok",
  };

  it(
    "an invalid health-check cron/method/timeout fails planFailover, so DnsFailover creates nothing (was: both endpoints, then the task's check failed)",
    () => {
      // DnsFailover validates early with planFailover only; the task's own check() runs after the
      // endpoints exist (the task needs their inbound URLs), so `pulumi up` leaves two endpoints
      // behind a failed task, and the error names the child's `cron`, not `healthCheck.cron`.
      const plan = planFailover({
        name: "www",
        healthCheck: { url: "https://p.example.com/health", cron: "61 * * * *", method: "FETCH" as never, timeoutMs: 999 },
        primary: "198.51.100.10",
        backup: "203.0.113.50",
        dns: cf,
      });
      expect(plan.errors.map((e) => e.field).sort()).toEqual(["healthCheck.cron", "healthCheck.method", "healthCheck.timeoutMs"]);
    },
  );

  it("a missing healthCheck (plain-JS caller) is a field-named error (was a TypeError)", () => {
    const plan = planFailover({ name: "www", primary: "198.51.100.10", backup: "203.0.113.50", dns: cf } as never);
    expect(plan.errors.map((e) => e.field)).toContain("healthCheck");
  });

  it("a non-string healthCheck.url is a `healthCheck.url` error (was accepted)", () => {
    const plan = planFailover({ name: "www", healthCheck: { url: 42 as never }, primary: "198.51.100.10", backup: "203.0.113.50", dns: cf });
    expect(plan.errors.map((e) => e.field)).toContain("healthCheck.url");
  });
});

describe("outside what the engine can send", () => {
  it("validateDnsTarget answers a Cloudflare `name` that is an object without a prototype with a field error (was a TypeError)", () => {
    // Reachable from program code that builds `dns` itself. Fixed in lib/dns (issue 11 §1); more in test/dns/hostile-values.test.ts.
    const target = { provider: "cloudflare", zoneId: "0".repeat(32), recordId: "1".repeat(32), apiToken: "t", name: Object.create(null) };
    expect(validateDnsTarget(target as never, "203.0.113.50").map((i) => i.field)).toContain("dns.name");
  });
});
