/**
 * Checks the Runlater client runs on its own options and on every argument before anything is
 * sent (issue 11 §2): a bad value is a `validation` {@link RunlaterApiError} naming the field,
 * never a retried "network" error, a TypeError, or a request to the wrong route. Messages never
 * contain the API key or an idempotency key's value.
 */
import { RunlaterApiError, scrubCredentials } from "./errors";
import { MAX_TIMEOUT_MS } from "./http";
import type { ValidationIssue } from "./validate";

/** Canonical UUID text (any version; Runlater's ids are UUIDv7). */
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Characters a Runlater API key can contain: `pk_live_<24>.sk_live_<32>` from URL-safe
 * alphabets (`app/accounts/api_key.ex` `generate_key_pair`). We allow the RFC 7235 token68
 * set, which covers every key Runlater or the emulator issues and nothing that can break a header.
 */
export const API_KEY_PATTERN = /^[A-Za-z0-9._~+/=-]+$/;
/** Longest API key accepted, characters. */
export const API_KEY_MAX_CHARS = 512;
/** `Idempotency-Key`: 1..255 visible ASCII characters (no spaces, no CR/LF). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Throws a `validation` error for `issues` (field-named; nothing was sent). No-op when empty. */
export function throwIfIssues(operation: string, issues: ValidationIssue[]): void {
  if (issues.length === 0) return;
  const fieldErrors: Record<string, string[]> = {};
  for (const i of issues) {
    // Belt and braces: validators already scrub what they echo.
    fieldErrors[i.field] = [...(fieldErrors[i.field] ?? []), scrubCredentials(i.message)];
  }
  throw new RunlaterApiError({
    message: `Runlater ${operation} was not sent: invalid input:\n${Object.entries(fieldErrors)
      .map(([f, ms]) => ms.map((m) => `  - ${f}: ${m}`).join("\n"))
      .join("\n")}`,
    operation,
    kind: "validation",
    fieldErrors,
    attempts: 0,
  });
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v;
}

/** Issues with an API key (the value is never echoed). */
export function apiKeyIssues(key: unknown): ValidationIssue[] {
  if (typeof key !== "string" || key.trim() === "") {
    return [
      {
        field: "apiKey",
        message:
          "Runlater API key is missing: set `runlater:apiKey` (secret) in stack config or the RUNLATER_API_KEY environment variable",
      },
    ];
  }
  if (/[\r\n]/.test(key)) return [{ field: "apiKey", message: "must not contain CR or LF (a trailing newline from a file or a secret store?)" }];
  if (key.length > API_KEY_MAX_CHARS) return [{ field: "apiKey", message: `must be at most ${API_KEY_MAX_CHARS} characters` }];
  if (!API_KEY_PATTERN.test(key)) {
    return [{ field: "apiKey", message: "must look like pk_live_….sk_live_… (letters, digits and . _ - ~ + / = only; no spaces or control characters)" }];
  }
  return [];
}

/** Issues with the client's numeric and function options. */
export function optionIssues(o: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const t = o.timeoutMs;
  if (t !== undefined && (typeof t !== "number" || !Number.isFinite(t) || t <= 0 || t > MAX_TIMEOUT_MS)) {
    issues.push({ field: "timeoutMs", message: `must be a finite number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${describeValue(t)}` });
  }
  if (o.dialect !== undefined && o.dialect !== "legacy" && o.dialect !== "schedules") {
    issues.push({ field: "dialect", message: `must be "legacy" or "schedules", got ${describeValue(o.dialect)}` });
  }
  for (const f of ["sleep", "random", "log"] as const) {
    if (o[f] !== undefined && typeof o[f] !== "function") issues.push({ field: f, message: `must be a function, got ${kindOf(o[f])}` });
  }
  const r = o.retry;
  if (r !== undefined) {
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      issues.push({ field: "retry", message: `must be an object, got ${kindOf(r)}` });
    } else {
      const rr = r as Record<string, unknown>;
      const num = (k: string, min: number, max: number, int: boolean) => {
        const v = rr[k];
        if (v === undefined) return;
        if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v))) {
          issues.push({ field: `retry.${k}`, message: `must be ${int ? "an integer" : "a number"} from ${min} to ${max}, got ${describeValue(v)}` });
        }
      };
      num("maxAttempts", 1, 100, true);
      num("baseDelayMs", 0, MAX_TIMEOUT_MS, false);
      num("maxDelayMs", 0, MAX_TIMEOUT_MS, false);
      num("maxElapsedMs", 0, Number.MAX_SAFE_INTEGER, false);
    }
  }
  return issues;
}

/** Issues with a base URL: absolute http(s), no credentials, no query or fragment. */
export function baseUrlIssues(baseUrl: unknown): ValidationIssue[] {
  if (typeof baseUrl !== "string" || /[\0-\x20\x7f]/.test(baseUrl)) {
    return [{ field: "apiUrl", message: "must be an absolute http(s) URL without spaces or control characters" }];
  }
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    return [{ field: "apiUrl", message: `must be an absolute http(s) URL, got ${describeValue(baseUrl)}` }];
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    return [{ field: "apiUrl", message: `must use http or https, got ${u.protocol}` }];
  }
  if (u.username || u.password) return [{ field: "apiUrl", message: "must not contain credentials (the API key goes in apiKey)" }];
  if (u.search || u.hash) return [{ field: "apiUrl", message: "must not have a query string or fragment" }];
  return [];
}

/** Issues with an object id (`field` e.g. `id`): a UUID, so it can never select another route. */
export function idIssues(id: unknown, what: string, field = "id"): ValidationIssue[] {
  if (typeof id === "string" && UUID_PATTERN.test(id)) return [];
  return [{ field, message: `must be a ${what} id (a UUID like 0190c0de-0000-7000-8000-000000000000), got ${describeValue(id)}` }];
}

/** Issues with an idempotency key (its value is never echoed). */
export function idempotencyKeyIssues(key: unknown): ValidationIssue[] {
  if (key === undefined) return [];
  if (typeof key === "string" && IDEMPOTENCY_KEY_PATTERN.test(key)) return [];
  return [{ field: "idempotencyKey", message: "must be 1 to 255 visible ASCII characters (no spaces, CR or LF)" }];
}

/** Issues with an optional integer query parameter. */
export function intParamIssues(v: unknown, field: string, min: number, max: number): ValidationIssue[] {
  if (v === undefined) return [];
  if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) return [];
  return [{ field, message: `must be an integer from ${min} to ${max}, got ${describeValue(v)}` }];
}

/** A short, safe description of a value for a message (strings cut to 40 characters). */
export function describeValue(v: unknown): string {
  if (typeof v === "string") {
    const clean = scrubCredentials(v.length > 4096 ? v.slice(0, 4096) : v);
    return JSON.stringify(clean.length > 40 ? `${clean.slice(0, 40)}…` : clean);
  }
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  if (typeof v === "boolean") return String(v);
  return kindOf(v);
}
