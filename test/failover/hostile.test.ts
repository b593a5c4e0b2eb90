/**
 * Hostile JavaScript values at every failover entry point (plan, Pulumi component, CDKTF
 * construct): a field-named error in bounded time, never a TypeError/RangeError, and nothing
 * registered when the input is bad.
 */
import * as fc from "fast-check";
import { fcSeed } from "../support/fc";
import { planFailover } from "../../lib/failover/plan";
import { RunlaterValidationError } from "../../lib/runlater/validate";

const SEED = fcSeed();
const good = () => ({
  name: "www",
  healthCheck: { url: "https://primary.example.com/health" },
  primary: "198.51.100.10",
  backup: "203.0.113.50",
  dns: {
    provider: "cloudflare" as const,
    zoneId: "0123456789abcdef0123456789abcdef",
    recordId: "fedcba9876543210fedcba9876543210",
    name: "www.example.com",
    type: "A" as const,
    ttl: 60,
    apiToken: "cf-hostile-token",
  },
});

const deep = (n: number): unknown => {
  let v: unknown = [];
  for (let i = 0; i < n; i++) v = [v];
  return v;
};
const cyclic = () => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};
const nullProto = () => Object.create(null) as Record<string, unknown>;

/** Values no entry point may crash on. */
const HOSTILE: [string, () => unknown][] = [
  ["undefined", () => undefined],
  ["null", () => null],
  ["a BigInt", () => 10n],
  ["a Symbol", () => Symbol("x")],
  ["a function", () => () => 1],
  ["a cyclic object", cyclic],
  ["a 50k-deep array", () => deep(50_000)],
  ["a null-prototype object", nullProto],
  ["a 5 MB string", () => "x".repeat(5 * 1024 * 1024)],
  ["NaN", () => Number.NaN],
  ["an array", () => [1, 2]],
];
const FIELDS: string[][] = [
  ["name"],
  ["primary"],
  ["backup"],
  ["failback"],
  ["wiring"],
  ["retryAttempts"],
  ["healthCheck"],
  ["healthCheck", "url"],
  ["healthCheck", "cron"],
  ["healthCheck", "timeoutMs"],
  ["healthCheck", "expectedStatusCodes"],
  ["healthCheck", "method"],
  ["healthCheck", "headers"],
  ["dns"],
  ["dns", "zoneId"],
  ["dns", "name"],
  ["dns", "apiToken"],
  ["latch"],
  ["notifyOnFailure"],
];

function withField(path: string[], value: unknown): Record<string, unknown> {
  const input = good() as unknown as Record<string, unknown>;
  let o = input;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[path[path.length - 1]!] = value;
  return input;
}

describe("planFailover answers hostile values with field-named errors", () => {
  it.each(HOSTILE)("whole input %s", (_, make) => {
    const p = planFailover(make() as never);
    expect(p.errors.length).toBeGreaterThan(0);
    expect(p.objects).toEqual([]);
  });

  for (const path of FIELDS) {
    it(`${path.join(".")}: every hostile value`, () => {
      for (const [what, make] of HOSTILE) {
        if (what === "undefined" && path.length === 1 && !["healthCheck", "dns", "primary", "backup"].includes(path[0]!)) continue;
        const t = performance.now();
        let p: ReturnType<typeof planFailover> | undefined;
        expect(() => {
          p = planFailover(withField(path, make()) as never);
        }).not.toThrow();
        expect(performance.now() - t).toBeLessThan(2000);
        // Optional fields may legitimately accept some of these (e.g. an array of headers is refused, undefined means default).
        if (p!.errors.length === 0) continue;
        expect(p!.objects).toEqual([]);
        const top = path[0]!;
        expect({ what, fields: p!.errors.map((e) => e.field) }).toEqual({ what, fields: expect.arrayContaining([expect.stringMatching(new RegExp(`^(${top}|props|dns|record)`))]) });
        // No message carries the token.
        for (const e of p!.errors) expect(e.message).not.toContain("cf-hostile-token");
      }
    });
  }

  it("property: random JSON-ish values in any field never throw", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), fc.anything({ maxDepth: 4, withBigInt: true, withNullPrototype: true }), (path, value) => {
        const p = planFailover(withField(path, value) as never);
        expect(Array.isArray(p.errors)).toBe(true);
        if (p.errors.length > 0) expect(p.objects).toEqual([]);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("engine entry points", () => {
  it("Pulumi: new DnsFailover(name) without args is a field-named error", async () => {
    const pulumi = await import("@pulumi/pulumi");
    pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, "p", "s", false);
    const { DnsFailover } = await import("../../lib/pulumi/dns-failover");
    expect(() => new DnsFailover("x", undefined as never)).toThrow(RunlaterValidationError);
    expect(() => new DnsFailover("y", { ...good(), failback: 1n } as never)).toThrow(/failback/);
    expect(() => new DnsFailover("z", { ...good(), recordGuard: "maybe" } as never)).toThrow(/recordGuard/);
  });

  it("CDKTF: new DnsFailover(stack, id, undefined) is a field-named error", async () => {
    const { App, TerraformStack } = await import("cdktf");
    const { DnsFailover } = await import("../../lib/cdktf/dns-failover");
    const app = new App({ outdir: require("node:os").tmpdir() + "/runlater-iac-hostile-unused" });
    const stack = new TerraformStack(app, "s");
    expect(() => new DnsFailover(stack, "f", undefined as never)).toThrow(RunlaterValidationError);
    expect(() => new DnsFailover(stack, "g", { ...good(), failback: 1n } as never)).toThrow(/failback/);
  });
});
