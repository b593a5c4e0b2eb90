/**
 * The first line of defence of every failover entry point (plan, Pulumi component, CDKTF
 * construct): hostile JavaScript values — cycles, 50k-deep arrays, BigInts, Symbols, functions,
 * multi-megabyte strings, objects without a prototype where text is expected — become
 * field-named errors in bounded time, before any validator formats or recurses into them.
 * Engine values (Pulumi `Output`s, promises, CDKTF tokens) are opaque leaves here.
 */
import type { ValidationIssue } from "../runlater/validate";

/** Limits of {@link checkInputShape}. */
export const INPUT_LIMITS = {
  /** Nesting depth of any field. */
  maxDepth: 32,
  /** Values visited in one input (all fields together). */
  maxNodes: 20_000,
  /** Characters of any one string (a stored request body is at most 256 KB). */
  maxStringChars: 300_000,
};

/** True for plain data containers the walker descends into. */
function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  if (Array.isArray(v)) return true;
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Walks `value` (bounded) and reports values no JSON API can carry. `isOpaque` marks engine
 * values that must not be inspected. Never throws, whatever `value` is.
 */
export function checkInputShape(value: unknown, field: string, isOpaque: (v: unknown) => boolean = () => false): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<unknown>();
  let nodes = 0;
  const stack: { v: unknown; field: string; depth: number }[] = [{ v: value, field, depth: 0 }];
  while (stack.length > 0 && issues.length < 20) {
    const { v, field: f, depth } = stack.pop()!;
    if (++nodes > INPUT_LIMITS.maxNodes) {
      issues.push({ field, message: `is too large (more than ${INPUT_LIMITS.maxNodes} values)` });
      break;
    }
    let opaque = false;
    try {
      opaque = isOpaque(v);
    } catch {
      opaque = false;
    }
    if (opaque) continue;
    switch (typeof v) {
      case "bigint":
        issues.push({ field: f, message: "must not be a BigInt (use a number or a string)" });
        continue;
      case "symbol":
        issues.push({ field: f, message: "must not be a Symbol" });
        continue;
      case "function":
        issues.push({ field: f, message: "must not be a function" });
        continue;
      case "string":
        if (v.length > INPUT_LIMITS.maxStringChars) {
          issues.push({ field: f, message: `is too long (${v.length} characters; at most ${INPUT_LIMITS.maxStringChars})` });
        }
        continue;
      case "number":
        if (!Number.isFinite(v)) issues.push({ field: f, message: "must be a finite number" });
        continue;
      case "object":
        break;
      default:
        continue;
    }
    if (v === null || !isContainer(v)) continue;
    if (seen.has(v)) {
      issues.push({ field: f, message: "must not contain a cycle (a value that contains itself)" });
      continue;
    }
    seen.add(v);
    if (depth >= INPUT_LIMITS.maxDepth) {
      issues.push({ field: f, message: `is nested too deeply (more than ${INPUT_LIMITS.maxDepth} levels)` });
      continue;
    }
    if (Array.isArray(v)) {
      if (v.length > INPUT_LIMITS.maxNodes) {
        issues.push({ field: f, message: `has too many items (${v.length})` });
        continue;
      }
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], field: `${f}[${i}]`, depth: depth + 1 });
    } else {
      let keys: string[];
      try {
        keys = Object.keys(v);
      } catch {
        issues.push({ field: f, message: "cannot be read" });
        continue;
      }
      for (const k of keys.reverse()) {
        let child: unknown;
        try {
          child = (v as Record<string, unknown>)[k];
        } catch {
          issues.push({ field: `${f}.${k}`, message: "cannot be read (a throwing getter)" });
          continue;
        }
        stack.push({ v: child, field: `${f}.${safeKey(k)}`, depth: depth + 1 });
      }
    }
  }
  return issues;
}

function safeKey(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) && k.length <= 64 ? k : JSON.stringify(k.slice(0, 64));
}

/** Type of a top-level field, for {@link checkFieldTypes}. */
type Want = "string" | "number" | "boolean" | "object";

/**
 * Checks the JS type of known fields (`undefined` is allowed: defaults apply). Engine values
 * (`isOpaque`) pass. Returns issues named `<prefix><field>`.
 */
export function checkFieldTypes(
  obj: Record<string, unknown>,
  wants: Record<string, Want>,
  prefix: string,
  isOpaque: (v: unknown) => boolean,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [k, want] of Object.entries(wants)) {
    const v = obj[k];
    if (v === undefined || isOpaque(v)) continue;
    const ok = want === "object" ? typeof v === "object" && v !== null && !Array.isArray(v) : typeof v === want;
    if (!ok) issues.push({ field: `${prefix}${k}`, message: `must be ${want === "object" ? "an object" : `a ${want}`}, got ${kindOf(v)}` });
  }
  return issues;
}

/** A value's kind for messages (never its content). */
export function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object" && Object.getPrototypeOf(v) === null) return "an object without prototype";
  return typeof v;
}
