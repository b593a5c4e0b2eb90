/**
 * Generic REST adapter: any API that sets a record with one static request (Bearer or API-key
 * auth). `{{content}}` in the body template is replaced by the record content.
 */
import { err, looksLikeToken, show, unresolvedPredicate, warn } from "./common";
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

function substitute(value: JsonTemplate, content: string): JsonTemplate {
  if (typeof value === "string") return replaceAll(value, content);
  if (Array.isArray(value)) return value.map((v) => substitute(v, content));
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: JsonTemplate } = {};
    for (const k of Object.keys(value)) out[k] = substitute(value[k]!, content);
    return out;
  }
  return value;
}

function containsPlaceholder(value: unknown): boolean {
  if (typeof value === "string") return value.includes(CONTENT_PLACEHOLDER);
  if (Array.isArray(value)) return value.some(containsPlaceholder);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsPlaceholder);
  return false;
}

/** Builds the stored generic request. */
export function buildGenericRequest(target: GenericDnsTarget, content: string, opts?: DnsOptions): ForwardRequest {
  const isUnresolved = unresolvedPredicate(opts);
  const method = isUnresolved(target.method) ? String(target.method) : String(target.method ?? "").toUpperCase();
  if (!isUnresolved(method) && !GENERIC_METHODS.includes(method)) {
    throw new Error(`dns.method: must be "PUT", "PATCH" or "POST", got ${show(target.method)}`);
  }
  if (typeof target.url !== "string" || target.url === "") throw new Error("dns.url: is required: the absolute URL of the update call");
  const headers: Record<string, string> = {};
  const given = target.headers ?? {};
  for (const k of Object.keys(given)) headers[k] = String(given[k]);
  if (!Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) headers["Content-Type"] = "application/json";
  const secret = (target.secretHeaders ?? []).map((n) => n.toLowerCase());
  const secretHeaderNames = Object.keys(headers).filter((k) => ALWAYS_SECRET_HEADERS.includes(k.toLowerCase()) || secret.includes(k.toLowerCase()));
  const body = typeof target.body === "string" ? replaceAll(target.body, content) : JSON.stringify(substitute(target.body, content));
  return {
    method: method as ForwardRequest["method"],
    url: target.url,
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
      issues.push(err("dns.url", "is required: the absolute http(s) URL of the update call"));
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
    if (typeof headers !== "object" || Array.isArray(headers)) {
      issues.push(err("dns.headers", "must be an object of header name → string value"));
    } else {
      for (const k of Object.keys(headers)) {
        const v = (headers as Record<string, unknown>)[k];
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) issues.push(err(`dns.headers`, `${show(k)} is not a valid header name`));
        if (typeof v !== "string" && !isUnresolved(v)) issues.push(err(`dns.headers.${k}`, `must be a string, got ${typeof v}`));
        else if (typeof v === "string" && /[\r\n]/.test(v)) issues.push(err(`dns.headers.${k}`, "must not contain line breaks"));
      }
    }
  }
  const secretHeaders = target.secretHeaders;
  if (secretHeaders !== undefined && secretHeaders !== null && !isUnresolved(secretHeaders)) {
    if (!Array.isArray(secretHeaders) || secretHeaders.some((n) => typeof n !== "string")) {
      issues.push(err("dns.secretHeaders", "must be an array of header names"));
    } else if (headers && typeof headers === "object") {
      const names = Object.keys(headers).map((n) => n.toLowerCase());
      for (const n of secretHeaders) {
        if (!names.includes(n.toLowerCase())) issues.push(warn("dns.secretHeaders", `names ${show(n)}, which is not in dns.headers`));
      }
    }
  }
  const body = target.body;
  if (body === undefined) {
    issues.push(err("dns.body", `is required: a string or JSON template where ${CONTENT_PLACEHOLDER} stands for the record content`));
  } else if (!isUnresolved(body) && !containsPlaceholder(body)) {
    issues.push(
      warn(
        "dns.body",
        `contains no ${CONTENT_PLACEHOLDER} placeholder: the failover and recovery requests would be identical. Put ${CONTENT_PLACEHOLDER} where the IP goes`,
      ),
    );
  }
  const sensitive = headers && typeof headers === "object" ? Object.keys(headers) : [];
  const hasAuthHeader = sensitive.some((k) => ALWAYS_SECRET_HEADERS.includes(k.toLowerCase())) || (secretHeaders ?? []).length > 0;
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
  }
  return issues;
}
