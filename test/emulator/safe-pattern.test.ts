/**
 * The linear-time matcher of fault `path` patterns: same answers as RegExp on the supported
 * subset (property test, fixed seed), bounded time on patterns that make RegExp backtrack
 * exponentially, and field-named refusals for constructs outside the subset.
 */
import fc from "fast-check";
import { compileLinearPattern, MAX_PATTERN_LENGTH, PatternError } from "../../lib/emulator/safe-pattern";
import { fcParams } from "../support/fc";

/** Random patterns of the supported subset over a small alphabet (so matches are frequent). */
const leaf = fc.constantFrom("a", "b", "/", ".", "\\d", "\\w", "\\s", "\\/", "[ab]", "[^a]", "[a-c]", "[]", "[^]", "\\x61", "-", "^", "$");
const quant = fc.constantFrom("", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "+?");
const pattern: fc.Memo<string> = fc.memo((n) => {
  const atom = n <= 1 ? leaf : fc.oneof(leaf, pattern(n - 1).map((r) => `(${r})`), pattern(n - 1).map((r) => `(?:${r})`));
  const piece = fc.tuple(atom, quant).map(([a, q]) => (a === "^" || a === "$" ? a : a + q));
  const seq = fc.array(piece, { maxLength: 3 }).map((p) => p.join(""));
  return fc.array(seq, { minLength: 1, maxLength: 2 }).map((alts) => alts.join("|"));
});

describe("compileLinearPattern", () => {
  it("answers like RegExp on the supported subset (property)", () => {
    fc.assert(
      fc.property(pattern(3), fc.array(fc.constantFrom("a", "b", "c", "/", "1", " ", "\n", "-"), { maxLength: 12 }), (p, chars) => {
        const s = chars.join("");
        fc.pre(p.length <= 200);
        expect(compileLinearPattern(p).test(s)).toBe(new RegExp(p).test(s));
      }),
      fcParams({ numRuns: 2000 }),
    );
  });

  it("plain cases", () => {
    const t = (p: string, s: string) => compileLinearPattern(p).test(s);
    expect(t("^/api/v1/endpoints$", "/api/v1/endpoints")).toBe(true);
    expect(t("^/api/v1/endpoints$", "/api/v1/endpoints/x")).toBe(false);
    expect(t("^/api/v1/endpoints", "/api/v1/endpoints/x")).toBe(true);
    expect(t("tasks/[0-9a-f-]{36}$", "/api/v1/tasks/019b76da-a800-70f0-bac5-6acc10c40943")).toBe(true);
    expect(t("a{2,3}", "xaay")).toBe(true);
    expect(t("^a{2,3}$", "aaaa")).toBe(false);
    expect(t("x|^y", "ay")).toBe(false);
    expect(t("", "anything")).toBe(true);
    expect(t("\\u0041\\t", "A\t")).toBe(true);
    expect(compileLinearPattern("^/in").source).toBe("^/in");
  });

  it("takes linear time where RegExp backtracks exponentially or polynomially", () => {
    const evil = ["^/(a+)+$", "^(a|aa)+$", "^(a*)*b$", ".*.*.*.*.*x", "^(\\w+\\s?)*$", "(a|a?)+$"];
    const input = `/${"a".repeat(16_000)}!`; // Node's header limit bounds a request path to ~16 KB
    for (const p of evil) {
      const m = compileLinearPattern(p);
      const t0 = performance.now();
      m.test(input);
      expect(performance.now() - t0).toBeLessThan(1000);
    }
  });

  it("refuses constructs outside the subset with a readable reason", () => {
    const cases: Array<[string, RegExp]> = [
      ["(a)\\1", /backreferences/],
      ["a(?=b)", /lookarounds/],
      ["(?<n>a)", /named groups/],
      ["(?<=a)b", /lookarounds/],
      ["\\bword", /\\b/],
      ["\\p{L}", /escape \\p/],
      ["a{1,1000}", /repeat counts above 100/],
      ["(((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))", /nested deeper/],
      ["(a", /missing "\)"/],
      ["a)", /unmatched/],
      ["[a", /missing "]"/],
      ["*a", /nothing to repeat/],
      ["a**", /nothing to repeat/],
      ["[z-a]", /out of order/],
      ["a{3,2}", /out of order/],
      ["\\x4", /hex digits/],
      ["x".repeat(MAX_PATTERN_LENGTH + 1), /longer than 512/],
      ["(a{100}){100}", /pattern too large/],
    ];
    for (const [p, msg] of cases) {
      expect(() => compileLinearPattern(p)).toThrow(PatternError);
      expect(() => compileLinearPattern(p)).toThrow(msg);
    }
    expect(() => compileLinearPattern(42 as unknown as string)).toThrow(/must be a string/);
  });
});
