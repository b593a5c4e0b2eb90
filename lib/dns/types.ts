/**
 * Types of the DNS adapters: which record to change at which provider (`DnsTarget`), the one
 * static HTTP request that changes it (`ForwardRequest`), and validation findings (`DnsIssue`).
 *
 * A `ForwardRequest` is stored in a Runlater endpoint long before it is sent (at the next outage),
 * so everything in it is fixed at build time: ids, credentials, content and TTL. Plain data only.
 */

/** Record types the adapters can change. */
export type DnsRecordType = "A" | "AAAA" | "CNAME";

/** HTTP methods a stored DNS update request can use. */
export type DnsUpdateMethod = "PUT" | "PATCH" | "POST";

/**
 * A Cloudflare DNS record (API v4). The stored request is
 * `PATCH|PUT {apiBaseUrl}/zones/{zoneId}/dns_records/{recordId}` with
 * `Authorization: Bearer {apiToken}`.
 */
export interface CloudflareDnsTarget {
  provider: "cloudflare";
  /** Zone id: 32 lower-case hex characters (dashboard → Overview, or `GET /zones?name=example.com`). Not the zone name. */
  zoneId: string;
  /** DNS record id: 32 lower-case hex characters (`GET /zones/{zoneId}/dns_records?name=www.example.com&type=A`). */
  recordId: string;
  /** Record name as a FQDN, e.g. `www.example.com`. Sent only with `method: "PUT"`, where it is required. */
  name?: string;
  /** Record type. Content must be IPv4 for A, IPv6 for AAAA, a host name for CNAME. @default "A" */
  type?: DnsRecordType;
  /**
   * TTL in seconds: 1 (automatic: 300 s for DNS-only records) or 60..86400 (30 on Enterprise
   * plans is not accepted here). Proxied records always use automatic TTL.
   * @default not sent (PATCH keeps the record's TTL; PUT resets it to 1 = automatic)
   */
  ttl?: number;
  /** Proxy through Cloudflare (orange cloud). @default not sent (PATCH keeps it; PUT resets it to false) */
  proxied?: boolean;
  /**
   * `PATCH` sends only `{"content"}` (+ `ttl`/`proxied` when given) and leaves every other field
   * alone. `PUT` overwrites the whole record (type, name, content, ttl, proxied): fields not sent,
   * such as comment and tags, are reset. @default "PATCH"
   */
  method?: "PATCH" | "PUT";
  /**
   * With `PATCH`, send only `{"content"}` even when `ttl`/`proxied` are given: they are then only
   * validated (the high-TTL warning, the proxied private-address check). The Pulumi component sets
   * it for a managed record resource, whose TTL and proxy setting that resource manages; it also
   * lets such records share one stored request (their `ttl` Outputs are unknown at construction).
   * Ignored with `PUT`, which must send every field. @default false
   */
  patchContentOnly?: boolean;
  /** API token with Zone → DNS → Edit on the zone. Secret: travels in the `Authorization` header. */
  apiToken: string;
  /** API base URL without trailing slash. @default "https://api.cloudflare.com/client/v4" */
  apiBaseUrl?: string;
}

/**
 * A DigitalOcean domain record (API v2). The stored request is
 * `PUT {apiBaseUrl}/domains/{domain}/records/{recordId}` with `{type,data,ttl?}`. `name` is never
 * sent: DigitalOcean's PUT sets every attribute it is sent, so a mismatching name would rename
 * the record at failover time.
 */
export interface DigitalOceanDnsTarget {
  provider: "digitalocean";
  /** The domain (zone) name, e.g. `example.com`. */
  domain: string;
  /** Record id: a positive integer (`GET /v2/domains/{domain}/records?type=A&name=www.example.com`). */
  recordId: number | string;
  /** Record type. @default "A" */
  type?: DnsRecordType;
  /**
   * Record name RELATIVE to the domain: `www`, or `@` for the apex. Not a FQDN. Informational
   * only: checked, shown in summaries, but NOT sent (the record is addressed by `recordId`).
   * @default not given
   */
  name?: string;
  /** TTL in seconds, at least 30. @default not sent (the record keeps its TTL) */
  ttl?: number;
  /** Personal access token with write scope (`dop_v1_…`). Secret: travels in the `Authorization` header. */
  apiToken: string;
  /** API base URL without trailing slash. @default "https://api.digitalocean.com/v2" */
  apiBaseUrl?: string;
}

/**
 * A Hetzner RRSet, through the DNS part of the Hetzner CLOUD API (`api.hetzner.cloud/v1`). The
 * stored request is `POST {apiBaseUrl}/zones/{zone}/rrsets/{name}/{type}/actions/set_records`
 * with `{"records":[{"value":…}]}`. The RRSet must exist. The TTL cannot be set by this call: set
 * it once at build time (`change_ttl`). The change is asynchronous (an action).
 *
 * The legacy DNS Console API (`dns.hetzner.com`, `Auth-API-Token` header) was shut down in May
 * 2026 and is rejected.
 */
export interface HetznerDnsTarget {
  provider: "hetzner";
  /** Zone id (numeric) or zone name (`example.com`); the API accepts both, so no lookup is needed. */
  zone: string | number;
  /** RRSet name relative to the zone, lower-case, no trailing dot: `www`, or `@` for the apex. */
  name: string;
  /** Record type. @default "A" */
  type?: DnsRecordType;
  /**
   * The TTL the RRSet HAS, in seconds (60..2147483647), or `null` for the zone default. NOT sent:
   * `set_records` cannot change it. Set it once at build time with the `change_ttl` action
   * (`buildHetznerChangeTtlRequest`) and declare the same value here, so the validator can check
   * it against the failover's needs (a warning above 300 s; undeclared or null: a warning, since
   * a zone default is often 3600 s).
   * @default not declared (warning)
   */
  ttl?: number | null;
  /** Hetzner Console (Cloud project) API token with read+write. Secret: `Authorization` header. Old DNS Console tokens do not work. */
  apiToken: string;
  /** API base URL without trailing slash. @default "https://api.hetzner.cloud/v1" */
  apiBaseUrl?: string;
}

/**
 * A Porkbun record set (API v3). The stored request is
 * `POST {apiBaseUrl}/dns/editByNameType/{domain}/{type}[/{subdomain}]`; the API keys travel in
 * the JSON BODY, so the whole body is secret. It edits every record matching (domain, type,
 * subdomain); it never creates one. API access must be enabled for the domain in the dashboard.
 */
export interface PorkbunDnsTarget {
  provider: "porkbun";
  /** The domain, e.g. `example.com`. */
  domain: string;
  /** Record type. @default "A" */
  type?: DnsRecordType;
  /** Subdomain relative to the domain (`www`, `*` for wildcard). Omit (or `@`) for the apex. */
  subdomain?: string;
  /** TTL in seconds; Porkbun's minimum and default is 600 (lower values are raised to 600). Sent as a string. @default not sent */
  ttl?: number;
  /** API key (`pk1_…`). Secret: travels in the body. */
  apiKey: string;
  /** Secret API key (`sk1_…`). Secret: travels in the body. */
  secretApiKey: string;
  /** API base URL without trailing slash. @default "https://api.porkbun.com/api/json/v3" */
  apiBaseUrl?: string;
}

/** A JSON value usable as a generic body template. */
export type JsonTemplate = string | number | boolean | null | JsonTemplate[] | { [key: string]: JsonTemplate };

/**
 * Any REST API that sets a record with one static request (a Bearer/API-key API). `{{content}}`
 * in the body is replaced by the record content (the IP).
 */
export interface GenericDnsTarget {
  provider: "generic";
  /** Absolute http(s) URL of the update call, fixed at build time. */
  url: string;
  /** HTTP method of the update call. */
  method: DnsUpdateMethod;
  /** Request headers. `Content-Type: application/json` is added unless a content type is given. @default {} */
  headers?: Record<string, string>;
  /**
   * Names of headers holding secrets (case-insensitive). `Authorization`, `Proxy-Authorization`,
   * `X-Api-Key`, `X-Auth-Key`, `X-Auth-Token`, `Auth-API-Token`, `Api-Key` and `Cookie` are
   * always treated as secret. @default []
   */
  secretHeaders?: string[];
  /**
   * Body template. A string: every `{{content}}` is replaced verbatim. An object/array: every
   * `{{content}}` inside a string leaf is replaced, then the value is JSON-serialised.
   */
  body: string | JsonTemplate;
  /** The body carries a credential (like Porkbun's keys): keep it secret. @default false */
  bodyIsSecret?: boolean;
}

/**
 * Providers that cannot be driven by one stored request: their credentials are computed or
 * refreshed at send time (AWS SigV4 signatures, Google OAuth and Microsoft Entra access tokens).
 * Present in the type only so validation can reject them with the reason.
 */
export interface UnsupportedDnsTarget {
  provider: "route53" | "google" | "azure";
  /** Route 53 hosted zone id. Accepted only to be rejected. */
  hostedZoneId?: string;
  /** Google Cloud project id. Accepted only to be rejected. */
  project?: string;
  /** Google managed zone name. Accepted only to be rejected. */
  managedZone?: string;
  /** Azure subscription id. Accepted only to be rejected. */
  subscriptionId?: string;
  /** Azure resource group. Accepted only to be rejected. */
  resourceGroup?: string;
  /** Zone name. Accepted only to be rejected. */
  zone?: string;
  /** Record name. Accepted only to be rejected. */
  name?: string;
  /** Record type. Accepted only to be rejected. */
  type?: DnsRecordType;
}

/** Which record to change and how. Discriminated on `provider`. */
export type DnsTarget =
  | CloudflareDnsTarget
  | DigitalOceanDnsTarget
  | HetznerDnsTarget
  | PorkbunDnsTarget
  | GenericDnsTarget
  | UnsupportedDnsTarget;

/** Providers the adapters can build a stored request for. */
export type SupportedDnsProvider = "cloudflare" | "digitalocean" | "hetzner" | "porkbun" | "generic";
/** Providers that are recognised but rejected (see `UNSUPPORTED_DNS_PROVIDERS`). */
export type UnsupportedDnsProvider = UnsupportedDnsTarget["provider"];

/** One static HTTP request, stored in a Runlater endpoint and replayed later. */
export interface ForwardRequest {
  /** HTTP method. */
  method: DnsUpdateMethod;
  /** Absolute URL, path segments URL-encoded (unresolved tokens are left verbatim). */
  url: string;
  /** Headers, including `Content-Type: application/json` and the auth header (if any). */
  headers: Record<string, string>;
  /** Request body (JSON text). */
  body: string;
  /** Names of headers in `headers` that carry secrets (as spelled in `headers`). */
  secretHeaderNames: string[];
  /** True when `body` carries a credential (Porkbun keys) and must be stored/logged as a secret. */
  bodyIsSecret: boolean;
}

/** One validation finding. Messages never contain secret values. */
export interface DnsIssue {
  /** Field path: `dns.<property>` for the target, `content` for the record content. */
  field: string;
  /** What is wrong, and what is allowed. */
  message: string;
  /** `error`: the request would fail or do the wrong thing. `warning`: a footgun; it works. */
  severity: "error" | "warning";
}

/** Options of the validator and the builder. */
export interface DnsOptions {
  /**
   * Returns true for values not known yet (CDKTF tokens, Pulumi unknowns): they are neither
   * validated nor URL-encoded, only concatenated. Strings containing `${` are always treated as
   * unresolved (CDKTF string tokens look like `${TfToken[TOKEN.12]}`). Numeric CDKTF tokens must
   * be converted with `Token.asString` by the caller.
   * @default nothing else is unresolved
   */
  isUnresolved?: (value: unknown) => boolean;
}
