/** Human-readable, secret-free summaries of stored requests (for logs, previews and `summary` outputs). */
import { DnsInputError, show } from "./common";
import type { ForwardRequest } from "./types";

/** Deepest JSON nesting redacted key by key; deeper bodies are shown as a size note. */
const MAX_REDACT_DEPTH = 64;

/** JSON body keys whose values are redacted when a body is secret (lower-case). */
const SECRET_BODY_KEYS = ["apikey", "secretapikey", "api_key", "secret_api_key", "secret", "token", "password", "key", "apitoken", "api_token"];

/** Query parameter names whose values are redacted in URLs (matched as substrings, lower-case). */
const SECRET_QUERY_HINTS = ["token", "key", "secret", "password", "passwd", "auth", "sig", "signature", "credential"];

/** Redacts one header value: keeps the scheme word of `Bearer …`/`Basic …`, hides the rest. */
export function redactHeaderValue(value: string): string {
  const m = /^(Bearer|Basic|Token|Bot|Digest)\s+/i.exec(value);
  return m ? `${m[1]} ***` : "***";
}

/** Redacts user info and credential-like query parameter values in a URL (token strings pass through). */
export function redactUrl(url: string): string {
  if (typeof url !== "string") throw new DnsInputError("request.url", `must be a string, got ${show(url)}`);
  let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, "$1***@");
  const q = out.indexOf("?");
  if (q >= 0) {
    const hashAt = out.indexOf("#", q);
    const query = out.slice(q + 1, hashAt >= 0 ? hashAt : undefined);
    const rest = hashAt >= 0 ? out.slice(hashAt) : "";
    const parts = query.split("&").map((p) => {
      const eq = p.indexOf("=");
      if (eq < 0) return p;
      const name = p.slice(0, eq).toLowerCase();
      return SECRET_QUERY_HINTS.some((h) => name.includes(h)) ? `${p.slice(0, eq)}=***` : p;
    });
    out = `${out.slice(0, q)}?${parts.join("&")}${rest}`;
  }
  return out;
}

function redactJson(value: unknown, depth = 0): unknown {
  if (depth > MAX_REDACT_DEPTH) throw new RangeError("too deep");
  if (Array.isArray(value)) return value.map((v) => redactJson(v, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: SECRET_BODY_KEYS.includes(k.toLowerCase()) ? "***" : redactJson(v, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** The body as shown: verbatim if public; for a secret body, JSON with credential keys redacted, or a size note. */
export function redactBody(req: Pick<ForwardRequest, "body" | "bodyIsSecret">): string {
  return guarded(() => redactBodyUnguarded(req));
}

/** Runs `f`; an error that is not a DnsInputError (a throwing getter or proxy) becomes one. */
function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DnsInputError) throw e;
    throw new DnsInputError("request", "could not be read (a property getter or proxy threw); pass plain data");
  }
}

function redactBodyUnguarded(req: Pick<ForwardRequest, "body" | "bodyIsSecret">): string {
  if (req === null || typeof req !== "object") throw new DnsInputError("request", `must be a stored request object, got ${show(req)}`);
  if (typeof req.body !== "string") throw new DnsInputError("request.body", `must be a string, got ${show(req.body)}`);
  if (req.bodyIsSecret !== false) {
    // Secret unless explicitly public: a malformed flag must not leak the body.
    if (req.bodyIsSecret !== true) return `<secret body, ${req.body.length} characters>`;
  } else return req.body;
  try {
    return JSON.stringify(redactJson(JSON.parse(req.body)));
  } catch {
    return `<secret body, ${req.body.length} characters>`;
  }
}

/**
 * A multi-line summary of a stored request with secrets redacted, e.g.
 * ```
 * PATCH https://api.cloudflare.com/client/v4/zones/…/dns_records/…
 * Authorization: Bearer ***
 * Content-Type: application/json
 *
 * {"content":"203.0.113.50"}
 * ```
 * Secret headers (`secretHeaderNames`) are redacted; a secret body keeps its shape with the
 * credential keys replaced by `***`.
 */
export function describeRequest(req: ForwardRequest): string {
  return guarded(() => describeUnguarded(req));
}

function describeUnguarded(req: ForwardRequest): string {
  if (req === null || typeof req !== "object") throw new DnsInputError("request", `must be a stored request object, got ${show(req)}`);
  const names = req.secretHeaderNames;
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) {
    throw new DnsInputError("request.secretHeaderNames", `must be an array of header names, got ${show(names)}`);
  }
  if (typeof req.method !== "string") throw new DnsInputError("request.method", `must be a string, got ${show(req.method)}`);
  const headers = req.headers;
  if (headers === null || typeof headers !== "object" || Array.isArray(headers)) {
    throw new DnsInputError("request.headers", `must be an object of header name → string value, got ${show(headers)}`);
  }
  const secret = names.map((n) => n.toLowerCase());
  const lines = [`${req.method} ${redactUrl(req.url)}`];
  for (const k of Object.keys(headers)) {
    const v = (headers as Record<string, unknown>)[k];
    // A header that is not a string is never echoed (it may be a secret in an odd shape).
    const shown = typeof v !== "string" ? "***" : secret.includes(k.toLowerCase()) ? redactHeaderValue(v) : v;
    lines.push(`${k}: ${shown}`);
  }
  lines.push("", redactBodyUnguarded(req));
  return lines.join("\n");
}
