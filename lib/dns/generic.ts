/**
 * Generic REST adapter: any API that sets a record with one static request (Bearer or API-key
 * auth). `{{content}}` in the body template is replaced by the record content.
 */
import { DnsInputError, err, looksLikeToken, MAX_FIELD_LENGTH, needContent, show, tokenString, unresolvedPredicate, warn } from "./common";
import type { DnsIssue, DnsOptions, ForwardRequest, GenericDnsTarget, JsonTemplate } from "./types";

/** The placeholder replaced by the record content in generic body templates. */
export const CONTENT_PLACEHOLDER = "{{content}}";

/** Header names always treated as secret (lower-case). */
export const ALWAYS_SECRET_HEADERS: readonly string[] = [
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "x-auth-key",
  "x-auth-token",
  "auth-api-token",
  "api-key",
  "cookie",
];

/** Methods a generic update may use. */
const GENERIC_METHODS = ["PUT", "PATCH", "POST"];

function replaceAll(s: string, content: string): string {
  return s.split(CONTENT_PLACEHOLDER).join(content);
}

/** Deepest nesting accepted in a body template. */
export const MAX_TEMPLATE_DEPTH = 64;
/** Most values (leaves and containers) accepted in a body template. */
export const MAX_TEMPLATE_NODES = 10000;
/** Longest body template string (or string leaf), characters. */
export const MAX_TEMPLATE_TEXT = 100_000;

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Walks a body template iteratively (no recursion, so a 50k-deep array cannot overflow the
 * stack) and reports the first reason it is not plain JSON (BigInt, cycle, too deep, too big…),
 * plus whether any string holds the placeholder.
 */
export function inspectTemplate(value: unknown): { problem?: string; hasPlaceholder: boolean } {
  let hasPlaceholder = false;
  let nodes = 0;
  const onPath = new Set<object>();
  // Stack entries: a value to visit, or a marker that leaves a container (for cycle detection).
  const stack: { v: unknown; depth: number; path: string; leave?: object }[] = [{ v: value, depth: 0, path: "" }];
  while (stack.length > 0) {
    const { v, depth, path, leave } = stack.pop()!;
    if (leave !== undefined) {
      onPath.delete(leave);
      continue;
    }
    if (++nodes > MAX_TEMPLATE_NODES) return { problem: `has more than ${MAX_TEMPLATE_NODES} values`, hasPlaceholder };
    const at = path === "" ? "" : ` at ${path}`;
    switch (typeof v) {
      case "string":
        if (v.length > MAX_TEMPLATE_TEXT) return { problem: `holds a string of ${v.length} characters${at} (at most ${MAX_TEMPLATE_TEXT})`, hasPlaceholder };
        if (v.includes(CONTENT_PLACEHOLDER)) hasPlaceholder = true;
        continue;
      case "boolean":
        continue;
      case "number":
        if (!Number.isFinite(v)) return { problem: `holds ${v}${at}, which JSON cannot represent`, hasPlaceholder };
        continue;
      case "object":
        break;
      default:
        return { problem: `holds ${show(v)}${at}: only strings, numbers, booleans, null, arrays and plain objects are JSON`, hasPlaceholder };
    }
    if (v === null) continue;
    const obj = v as object;
    if (depth >= MAX_TEMPLATE_DEPTH) return { problem: `is nested deeper than ${MAX_TEMPLATE_DEPTH} levels`, hasPlaceholder };
    if (onPath.has(obj)) return { problem: `is cyclic${at}`, hasPlaceholder };
    const isArray = Array.isArray(obj);
    if (!isArray && !isPlainObject(obj)) return { problem: `holds a non-plain object${at} (only arrays and plain objects are JSON)`, hasPlaceholder };
    onPath.add(obj);
    stack.push({ v: undefined, depth, path, leave: obj });
    if (isArray) {
      const arr = obj as unknown[];
      if (arr.length > MAX_TEMPLATE_NODES) return { problem: `has more than ${MAX_TEMPLATE_NODES} values`, hasPlaceholder };
      for (let i = arr.length - 1; i >= 0; i--) stack.push({ v: arr[i], depth: depth + 1, path: `${path}[${i}]` });
    } else {
      const keys = Object.keys(obj);
      if (keys.length > MAX_TEMPLATE_NODES) return { problem: `has more than ${MAX_TEMPLATE_NODES} values`, hasPlaceholder };
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        const child = (obj as Record<string, unknown>)[k];
        if (child === undefined) return { problem: `holds undefined at ${path}.${k.slice(0, 40)} (JSON would drop it)`, hasPlaceholder };
        stack.push({ v: child, depth: depth + 1, path: `${path}.${k.slice(0, 40)}` });
      }
    }
  }
  return { hasPlaceholder };
}

/** Replaces the placeholder in every string leaf. Only called on templates `inspectTemplate` accepted (bounded depth). */
function substitute(value: JsonTemplate, content: string): JsonTemplate {
  if (typeof value === "string") return replaceAll(value, content);
  if (Array.isArray(value)) return value.map((v) => substitute(v, content));
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: JsonTemplate } = {};
    for (const k of Object.keys(value)) Object.defineProperty(out, k, { value: substitute(value[k]!, content), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/** The headers as a name → string map; throws a field-named error for anything else. */
function readHeaders(given: unknown, isUnresolved: (v: unknown) => boolean): Record<string, string> {
  if (given === undefined || given === null) return {};
  if (typeof given !== "object" || Array.isArray(given)) throw new DnsInputError("dns.headers", `must be an object of header name → string value, got ${show(given)}`);
  const out: Record<string, string> = {};
  const keys = Object.keys(given);
  if (keys.length > 100) throw new DnsInputError("dns.headers", `has ${keys.length} headers (at most 100)`);
  for (const k of keys) {
    if (!HEADER_NAME.test(k)) throw new DnsInputError("dns.headers", `${show(k)} is not a valid header name`);
    const v = (given as Record<string, unknown>)[k];
    const text = isUnresolved(v) ? tokenString(v, `dns.headers.${k}`) : v;
    if (typeof text !== "string") throw new DnsInputError(`dns.headers.${k}`, `must be a string, got ${typeof v}`);
    if (/[\r\n\0]/.test(text)) throw new DnsInputError(`dns.headers.${k}`, "must not contain line breaks or NUL characters");
    if (text.length > MAX_FIELD_LENGTH * 4) throw new DnsInputError(`dns.headers.${k}`, `is too long (${text.length} characters)`);
    Object.defineProperty(out, k, { value: text, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** An RFC 9110 header field name (token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

/** Builds the stored generic request. */
export function buildGenericRequest(target: GenericDnsTarget, content: string, opts?: DnsOptions): ForwardRequest {
  const isUnresolved = unresolvedPredicate(opts);
  const rawMethod = target.method;
  const method = isUnresolved(rawMethod) ? tokenString(rawMethod, "dns.method") : typeof rawMethod === "string" ? rawMethod.toUpperCase() : undefined;
  if (method === undefined || (!isUnresolved(rawMethod) && !GENERIC_METHODS.includes(method))) {
    throw new DnsInputError("dns.method", `must be "PUT", "PATCH" or "POST", got ${show(rawMethod)}`);
  }
  const url = target.url;
  if (typeof url !== "string" || url === "") throw new DnsInputError("dns.url", "is required: the absolute URL of the update call");
  if (url.length > MAX_FIELD_LENGTH * 4) throw new DnsInputError("dns.url", `is too long (${url.length} characters)`);
  const headers = readHeaders(target.headers, isUnresolved);
  if (!Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
  const given = target.secretHeaders ?? [];
  if (!Array.isArray(given) || given.length > 100 || given.some((n) => typeof n !== "string")) {
    throw new DnsInputError("dns.secretHeaders", `must be an array of header names, got ${show(given)}`);
  }
  const secret = (given as string[]).map((n) => n.toLowerCase());
  const secretHeaderNames = Object.keys(headers).filter((k) => ALWAYS_SECRET_HEADERS.includes(k.toLowerCase()) || secret.includes(k.toLowerCase()));
  const value = needContent(content, isUnresolved);
  const tpl = target.body;
  let body: string;
  if (typeof tpl === "string") {
    if (tpl.length > MAX_TEMPLATE_TEXT) throw new DnsInputError("dns.body", `is too long (${tpl.length} characters, at most ${MAX_TEMPLATE_TEXT})`);
    body = replaceAll(tpl, value);
  } else {
    if (tpl === undefined) throw new DnsInputError("dns.body", "is required");
    const { problem } = inspectTemplate(tpl);
    if (problem) throw new DnsInputError("dns.body", `must be a JSON template: it ${problem}`);
    body = JSON.stringify(substitute(tpl as JsonTemplate, value));
  }
  return {
    method: method as ForwardRequest["method"],
    url,
    headers,
    body,
    secretHeaderNames,
    bodyIsSecret: target.bodyIsSecret === true,
  };
}

/** Validates a generic target. Content is not type-checked (the record type is unknown). */
export function validateGenericTarget(target: GenericDnsTarget, content: string | undefined, opts?: DnsOptions): DnsIssue[] {
  const isUnresolved = unresolvedPredicate(opts);
  const issues: DnsIssue[] = [];
  const url = target.url;
  if (!isUnresolved(url)) {
    if (typeof url !== "string" || url === "") {
      issues.push(err("dns.url", `is required: the absolute http(s) URL of the update call${url === undefined || url === null || url === "" ? "" : `, got ${show(typeof url === "string" ? "" : url)}`}`));
    } else if (url.length > MAX_FIELD_LENGTH * 4) {
      issues.push(err("dns.url", `is too long (${url.length} characters, at most ${MAX_FIELD_LENGTH * 4})`));
    } else {
      // The URL may carry a credential (query token): never echo it.
      let u: URL | undefined;
      try {
        u = new URL(url);
      } catch {
        issues.push(err("dns.url", "must be an absolute http(s) URL (e.g. https://dns.example.net/api/records/123)"));
      }
      if (u && u.protocol !== "http:" && u.protocol !== "https:") {
        issues.push(err("dns.url", `must use http or https, got ${show(u.protocol.replace(/:$/, ""))}`));
      } else if (u && u.protocol === "http:" && !/^(?:localhost|127\.|10\.|192\.168\.|\[::1\])/.test(u.host)) {
        issues.push(warn("dns.url", "uses plain http: credentials would travel unencrypted; use https"));
      }
    }
  }
  const method = target.method;
  if (!isUnresolved(method) && !(typeof method === "string" && GENERIC_METHODS.includes(method))) {
    issues.push(err("dns.method", `must be "PUT", "PATCH" or "POST" (upper-case), got ${show(method)}`));
  }
  const headers = target.headers;
  if (headers !== undefined && headers !== null && !isUnresolved(headers)) {
    const keys = typeof headers === "object" && !Array.isArray(headers) ? Object.keys(headers) : undefined;
    if (keys === undefined) {
      issues.push(err("dns.headers", `must be an object of header name → string value, got ${show(headers)}`));
    } else if (keys.length > 100) {
      issues.push(err("dns.headers", `has ${keys.length} headers (at most 100)`));
    } else {
      for (const k of keys) {
        const v = (headers as Record<string, unknown>)[k];
        const f = `dns.headers.${k.slice(0, 64)}`;
        if (!HEADER_NAME.test(k)) issues.push(err(`dns.headers`, `${show(k)} is not a valid header name`));
        else if (typeof v !== "string" && !isUnresolved(v)) issues.push(err(f, `must be a string, got ${typeof v}`));
        else if (typeof v === "string" && /[\r\n\0]/.test(v)) issues.push(err(f, "must not contain line breaks or NUL characters"));
        else if (typeof v === "string" && v.length > MAX_FIELD_LENGTH * 4) issues.push(err(f, `is too long (${v.length} characters)`));
      }
    }
  }
  const secretHeaders = target.secretHeaders;
  if (secretHeaders !== undefined && secretHeaders !== null && !isUnresolved(secretHeaders)) {
    if (!Array.isArray(secretHeaders) || secretHeaders.length > 100 || secretHeaders.some((n) => typeof n !== "string")) {
      issues.push(err("dns.secretHeaders", `must be an array of at most 100 header names, got ${show(secretHeaders)}`));
    } else if (headers && typeof headers === "object" && !Array.isArray(headers)) {
      const names = Object.keys(headers).map((n) => n.toLowerCase());
      for (const n of secretHeaders) {
        if (!names.includes(n.toLowerCase())) issues.push(warn("dns.secretHeaders", `names ${show(n)}, which is not in dns.headers`));
      }
    }
  }
  const body = target.body;
  const inspected = body === undefined || isUnresolved(body) ? undefined : typeof body === "string" ? { hasPlaceholder: body.includes(CONTENT_PLACEHOLDER), problem: body.length > MAX_TEMPLATE_TEXT ? `is ${body.length} characters long (at most ${MAX_TEMPLATE_TEXT})` : undefined } : inspectTemplate(body);
  if (body === undefined) {
    issues.push(err("dns.body", `is required: a string or JSON template where ${CONTENT_PLACEHOLDER} stands for the record content`));
  } else if (inspected?.problem !== undefined) {
    issues.push(err("dns.body", `must be a string or a JSON template: it ${inspected.problem}`));
  } else if (inspected !== undefined && !inspected.hasPlaceholder) {
    issues.push(
      warn(
        "dns.body",
        `contains no ${CONTENT_PLACEHOLDER} placeholder: the failover and recovery requests would be identical. Put ${CONTENT_PLACEHOLDER} where the IP goes`,
      ),
    );
  }
  const sensitive = headers && typeof headers === "object" && !Array.isArray(headers) ? Object.keys(headers) : [];
  const hasAuthHeader = sensitive.some((k) => ALWAYS_SECRET_HEADERS.includes(k.toLowerCase())) || (Array.isArray(secretHeaders) && secretHeaders.length > 0);
  if (!hasAuthHeader && target.bodyIsSecret !== true && !(typeof url === "string" && looksLikeToken(url))) {
    issues.push(
      warn(
        "dns.headers",
        "no header is marked secret and bodyIsSecret is false: if the API credential is in a custom header list it in secretHeaders, if it is in the body set bodyIsSecret",
      ),
    );
  }
  if (content !== undefined && !isUnresolved(content) && (typeof content !== "string" || content === "")) {
    issues.push(err("content", `must be a non-empty string, got ${show(content)}`));
  } else if (typeof content === "string" && content.length > MAX_FIELD_LENGTH) {
    issues.push(err("content", `is too long (${content.length} characters, at most ${MAX_FIELD_LENGTH})`));
  }
  return issues;
}
