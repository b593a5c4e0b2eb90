/**
 * Refuses credentials written as literals where they would land in `cdk.tf.json` (and from
 * there in version control and CI artifacts): credential headers (a health check's
 * `Authorization`, an endpoint's `X-Api-Key`, a generic DNS target's custom token header) and
 * credentials in a URL's query string (`?token=…`) or user info. Such values must be tokens
 * (a `sensitive` `TerraformVariable`, a reference); the error names the field, never the value.
 * Internal.
 */
import { ALWAYS_SECRET_HEADERS } from "../dns/generic";
import type { ValidationIssue } from "../runlater/validate";
import { isExpression } from "./support";

/** Name parts that mark a header or query parameter as a credential (matched case-insensitively, between `-`/`_` separators or the ends). */
const CREDENTIAL_NAME = /(?:^|[-_.])(?:token|access[-_]?token|secret|client[-_]?secret|password|passwd|pwd|api[-_]?key|apikey|key|auth|authorization|signature|sig|session|credentials?|jwt|bearer)(?:$|[-_.])/i;

/** Header names that are never credentials even though they contain a marker word. */
const NOT_CREDENTIAL_HEADERS = new Set(["idempotency-key", "x-idempotency-key", "sec-websocket-key"]);

/**
 * True when a header of this name carries a credential: the headers the DNS adapters always treat
 * as secret (`Authorization`, `Proxy-Authorization`, `Cookie`, `X-Api-Key`, …) and names with a
 * credential word (`X-Auth-Token`, `X-Dns-Secret`, `Api-Key`, …).
 */
export function isCredentialHeaderName(name: string): boolean {
  const n = name.toLowerCase();
  if (NOT_CREDENTIAL_HEADERS.has(n)) return false;
  return ALWAYS_SECRET_HEADERS.includes(n) || CREDENTIAL_NAME.test(n);
}

const HOW = "it would be written in clear text to cdk.tf.json. Pass a token instead, e.g. `new TerraformVariable(stack, \"my_secret\", { type: \"string\", sensitive: true }).stringValue`, set with TF_VAR_my_secret";

/** Issues for credential headers of `headers` (at `field.<name>`) whose value is a literal. */
export function literalHeaderIssues(headers: unknown, field: string): ValidationIssue[] {
  if (!headers || typeof headers !== "object" || Array.isArray(headers) || isExpression(headers)) return [];
  const out: ValidationIssue[] = [];
  for (const name of Object.keys(headers)) {
    const v = (headers as Record<string, unknown>)[name];
    if (typeof v !== "string" || v === "" || isExpression(v) || !isCredentialHeaderName(name)) continue;
    out.push({ field: `${field}.${name}`, message: `carries a credential as a literal: ${HOW}` });
  }
  return out;
}

/**
 * Issues for a URL (at `field`) with a literal credential: a query parameter with a credential
 * name and a non-empty literal value, or a password in the user info. Tokens anywhere in the
 * parameter's value (`?token=${var.t}`) pass; the whole URL as a token passes.
 */
export function literalUrlIssues(url: unknown, field: string): ValidationIssue[] {
  if (typeof url !== "string" || (isExpression(url) && !url.includes("?") && !url.includes("@"))) return [];
  const out: ValidationIssue[] = [];
  const noFragment = url.split("#")[0] as string;
  const q = noFragment.indexOf("?");
  if (q >= 0) {
    for (const pair of noFragment.slice(q + 1).split("&")) {
      const eq = pair.indexOf("=");
      const rawName = eq >= 0 ? pair.slice(0, eq) : pair;
      const value = eq >= 0 ? pair.slice(eq + 1) : "";
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, " "));
      } catch {
        // keep the raw name
      }
      if (value === "" || isExpression(value) || !CREDENTIAL_NAME.test(name)) continue;
      out.push({
        field,
        message: `carries a credential as a literal in its query string (parameter ${JSON.stringify(name.slice(0, 64))}): ${HOW}. The URL is also stored in state (as forward_urls/url): prefer an API that takes the credential in a header`,
      });
    }
  }
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(noFragment)?.[1] ?? "";
  const at = authority.lastIndexOf("@");
  if (at >= 0) {
    const info = authority.slice(0, at);
    const colon = info.indexOf(":");
    const password = colon >= 0 ? info.slice(colon + 1) : "";
    if (password !== "" && !isExpression(password)) {
      out.push({ field, message: `carries a password as a literal in its user info (user:password@): ${HOW}` });
    }
  }
  return out;
}

/**
 * The literal-credential issues of `DnsFailover` props, named as the user wrote them:
 * `healthCheck.headers.<name>`, `healthCheck.url`, and a generic target's `dns.url` and
 * `dns.headers.<name>` (the other providers' credential fields are checked by the construct).
 */
export function failoverLiteralCredentialIssues(props: { healthCheck?: unknown; dns?: unknown }): ValidationIssue[] {
  const hc = props.healthCheck as { headers?: unknown; url?: unknown } | undefined;
  const out: ValidationIssue[] = [];
  if (hc && typeof hc === "object") {
    out.push(...literalHeaderIssues(hc.headers, "healthCheck.headers"), ...literalUrlIssues(hc.url, "healthCheck.url"));
  }
  const dns = props.dns as { provider?: unknown; url?: unknown; headers?: unknown } | undefined;
  if (dns && typeof dns === "object" && dns.provider === "generic") {
    out.push(...literalUrlIssues(dns.url, "dns.url"), ...literalHeaderIssues(dns.headers, "dns.headers"));
  }
  return out;
}
