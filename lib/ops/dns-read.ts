/**
 * Read-only access to the record a failover changes, using the stored DNS request of its
 * endpoints: which provider, which record, what content the request sets, and a small reader
 * per provider that fetches the record's current content with the same credentials (GET for
 * Cloudflare, DigitalOcean and Hetzner; Porkbun's `retrieveByNameType`, a read-only POST).
 * Nothing here writes to a DNS provider. Errors and results never carry credentials.
 */
import { Resolver } from "node:dns/promises";
import type { Endpoint } from "../runlater/model";

/** Providers whose stored request can be recognised and read back. */
export type ReadableProvider = "cloudflare" | "digitalocean" | "hetzner" | "porkbun";

/** What a stored DNS request does, recognised from its URL and body. Secret-free except `auth`. */
export interface StoredDnsRequest {
  /** Provider recognised from the URL path; `generic` when none matched (not readable). */
  provider: ReadableProvider | "generic";
  /** HTTP method of the stored request. */
  method: string;
  /** Record content the request sets (`undefined` when it cannot be told). */
  content: string | undefined;
  /** Record type (`A` when the request does not say). */
  type: string;
  /** FQDN of the record when the request tells it (Porkbun, DigitalOcean, Hetzner by zone name, Cloudflare PUT). */
  fqdn?: string;
  /** Identity of the record (provider + path without the action), to compare two requests. */
  recordKey: string;
  /** URL of the read call (same API base as the stored request). */
  readUrl?: string;
  /** Credentials for the read call, copied from the stored request. Never print this. */
  auth: { headers: Record<string, string>; body?: Record<string, string> };
}

/** The record as the provider's API shows it now. */
export interface RecordState {
  /** Current values (an RRSet can hold several). Empty when the record is missing. */
  content: string[];
  /** TTL in seconds when the API reports it. */
  ttl?: number;
  /** FQDN when the API reports it. */
  fqdn?: string;
  /** Record type when the API reports it (Cloudflare). */
  type?: string;
  /** When the record last changed (ISO-8601) when the API reports it (Cloudflare `modified_on`). */
  modifiedAt?: string;
}

/** Reader options. */
export interface DnsReadOptions {
  /** HTTP implementation. @default global fetch */
  fetch?: typeof fetch;
  /** Per-request timeout, real ms. @default 10000 */
  timeoutMs?: number;
}

function parseJson(text: string | null | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const k = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : headers[k];
}

const dec = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/**
 * Recognises the stored DNS request of an endpoint (its first forward URL, forward method,
 * headers and body). Never throws: an unrecognised request is `provider: "generic"`.
 */
export function parseStoredRequest(ep: Pick<Endpoint, "forwardUrls" | "forwardMethod" | "forwardHeaders" | "forwardBody">): StoredDnsRequest {
  const url = ep.forwardUrls[0] ?? "";
  const method = (ep.forwardMethod ?? "POST").toUpperCase();
  const body = parseJson(ep.forwardBody);
  const headers = { ...(ep.forwardHeaders ?? {}) };
  const authHeaders: Record<string, string> = {};
  const authz = header(headers, "authorization");
  if (authz) authHeaders.Authorization = authz;
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  const generic: StoredDnsRequest = { provider: "generic", method, content: undefined, type: "A", recordKey: `generic ${method} ${url.split("?")[0]}`, auth: { headers: {} } };
  if (!u) return generic;
  const path = u.pathname;
  const base = (i: number) => `${u!.origin}${path.slice(0, i)}`;
  let m = /\/zones\/([^/]+)\/dns_records\/([^/]+)$/.exec(path);
  if (m && (method === "PATCH" || method === "PUT")) {
    return {
      provider: "cloudflare",
      method,
      content: typeof body?.content === "string" ? body.content : undefined,
      // A content-only PATCH (`patchContentOnly`) does not say the type: an IPv6 address is AAAA.
      type: typeof body?.type === "string" ? body.type.toUpperCase() : typeof body?.content === "string" && body.content.includes(":") ? "AAAA" : "A",
      fqdn: typeof body?.name === "string" ? body.name.toLowerCase() : undefined,
      recordKey: `cloudflare ${base(path.length)}`,
      readUrl: `${u.origin}${path}`,
      auth: { headers: authHeaders },
    };
  }
  m = /\/domains\/([^/]+)\/records\/([^/]+)$/.exec(path);
  if (m && (method === "PUT" || method === "PATCH")) {
    const domain = dec(m[1]!).toLowerCase();
    const name = typeof body?.name === "string" ? body.name.toLowerCase() : undefined;
    return {
      provider: "digitalocean",
      method,
      content: typeof body?.data === "string" ? body.data : undefined,
      type: typeof body?.type === "string" ? body.type.toUpperCase() : "A",
      fqdn: name === undefined ? undefined : name === "@" ? domain : name.endsWith(`.${domain}`) ? name : `${name}.${domain}`,
      recordKey: `digitalocean ${base(path.length)}`,
      readUrl: `${u.origin}${path}`,
      auth: { headers: authHeaders },
    };
  }
  m = /\/zones\/([^/]+)\/rrsets\/([^/]+)\/([^/]+)\/actions\/set_records$/.exec(path);
  if (m && method === "POST") {
    const zone = dec(m[1]!).toLowerCase();
    const name = dec(m[2]!).toLowerCase();
    const recs = Array.isArray(body?.records) ? (body!.records as { value?: unknown }[]) : [];
    const readPath = path.slice(0, path.length - "/actions/set_records".length);
    return {
      provider: "hetzner",
      method,
      content: typeof recs[0]?.value === "string" ? recs[0].value : undefined,
      type: dec(m[3]!).toUpperCase(),
      fqdn: /^[0-9]+$/.test(zone) ? undefined : name === "@" ? zone : `${name}.${zone}`,
      recordKey: `hetzner ${u.origin}${readPath}`,
      readUrl: `${u.origin}${readPath}`,
      auth: { headers: authHeaders },
    };
  }
  m = /\/dns\/editByNameType\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (m && method === "POST") {
    const domain = dec(m[1]!).toLowerCase();
    const sub = m[3] === undefined ? "" : dec(m[3]).toLowerCase();
    const readPath = path.replace("/dns/editByNameType/", "/dns/retrieveByNameType/");
    const keys: Record<string, string> = {};
    if (typeof body?.apikey === "string") keys.apikey = body.apikey;
    if (typeof body?.secretapikey === "string") keys.secretapikey = body.secretapikey;
    return {
      provider: "porkbun",
      method,
      content: typeof body?.content === "string" ? body.content : undefined,
      type: dec(m[2]!).toUpperCase(),
      fqdn: sub === "" || sub === "@" ? domain : `${sub}.${domain}`,
      recordKey: `porkbun ${u.origin}${readPath}`,
      readUrl: `${u.origin}${readPath}`,
      auth: { headers: {}, body: keys },
    };
  }
  return generic;
}

/** A read failure: message without credentials. */
export class DnsReadError extends Error {}

/**
 * Reads the record's current state through the provider's API (read-only). Throws
 * {@link DnsReadError} for a generic request (nothing to read) or an API error.
 */
export async function readRecord(req: StoredDnsRequest, opts: DnsReadOptions = {}): Promise<RecordState> {
  if (req.provider === "generic" || !req.readUrl) throw new DnsReadError("the stored request is not a known provider API: the record cannot be read (use --resolver)");
  const f = opts.fetch ?? fetch;
  const porkbun = req.provider === "porkbun";
  let res: Response;
  try {
    res = await f(req.readUrl, {
      method: porkbun ? "POST" : "GET",
      headers: { ...req.auth.headers, accept: "application/json", ...(porkbun ? { "content-type": "application/json" } : {}) },
      body: porkbun ? JSON.stringify(req.auth.body ?? {}) : undefined,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (e) {
    throw new DnsReadError(`${req.provider} API unreachable: ${(e as Error).name === "TimeoutError" ? "timeout" : (e as Error).message}`);
  }
  const body = parseJson(await res.text()) ?? {};
  if (res.status === 404) return { content: [] };
  if (res.status >= 400 || (porkbun && body.status !== "SUCCESS") || (req.provider === "cloudflare" && body.success === false)) {
    throw new DnsReadError(`${req.provider} API answered ${res.status} when reading the record`);
  }
  switch (req.provider) {
    case "cloudflare": {
      const r = (body.result ?? {}) as Record<string, unknown>;
      return {
        content: typeof r.content === "string" ? [r.content] : [],
        ttl: typeof r.ttl === "number" ? r.ttl : undefined,
        fqdn: typeof r.name === "string" ? r.name : undefined,
        type: typeof r.type === "string" ? r.type.toUpperCase() : undefined,
        modifiedAt: typeof r.modified_on === "string" ? r.modified_on : undefined,
      };
    }
    case "digitalocean": {
      const r = (body.domain_record ?? {}) as Record<string, unknown>;
      // The stored PUT carries no `name` (it would rename the record): the record read tells it.
      const domain = decodeURIComponent(/\/domains\/([^/]+)\/records\//.exec(req.readUrl)?.[1] ?? "").toLowerCase();
      const rn = typeof r.name === "string" ? r.name.toLowerCase() : undefined;
      const fqdn = req.fqdn ?? (rn === undefined || !domain ? undefined : rn === "@" ? domain : rn.endsWith(`.${domain}`) ? rn : `${rn}.${domain}`);
      return { content: typeof r.data === "string" ? [r.data] : [], ttl: typeof r.ttl === "number" ? r.ttl : undefined, fqdn };
    }
    case "hetzner": {
      const r = (body.rrset ?? {}) as Record<string, unknown>;
      const values = Array.isArray(r.records) ? (r.records as { value?: unknown }[]).map((v) => String(v.value ?? "")) : [];
      let fqdn = req.fqdn;
      if (fqdn === undefined && typeof r.name === "string") {
        // Zone given by id: its name comes from GET /zones/{id} (read-only).
        const zoneUrl = req.readUrl.slice(0, req.readUrl.indexOf("/rrsets/"));
        const z = await f(zoneUrl, { headers: { ...req.auth.headers, accept: "application/json" }, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) }).then(
          async (x) => parseJson(await x.text())?.zone as Record<string, unknown> | undefined,
          () => undefined,
        );
        if (typeof z?.name === "string") fqdn = r.name === "@" ? z.name : `${r.name}.${z.name}`;
      }
      return { content: values, ttl: typeof r.ttl === "number" ? r.ttl : undefined, fqdn };
    }
    case "porkbun": {
      const list = Array.isArray(body.records) ? (body.records as Record<string, unknown>[]) : [];
      return { content: list.map((r) => String(r.content ?? "")), ttl: list[0] ? Number(list[0].ttl) : undefined, fqdn: req.fqdn };
    }
  }
}

/** Answers of a DNS query through one server (`host:port`), or the error code (`ENOTFOUND`, `ENODATA`, …). */
export async function resolveThrough(server: string, fqdn: string, type: string, timeoutMs = 2000): Promise<{ answers: string[]; error?: string }> {
  const r = new Resolver({ timeout: timeoutMs, tries: 1 });
  r.setServers([server]);
  try {
    const t = type.toUpperCase();
    const answers = t === "AAAA" ? await r.resolve6(fqdn) : t === "CNAME" ? await r.resolveCname(fqdn) : await r.resolve4(fqdn);
    return { answers };
  } catch (e) {
    return { answers: [], error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
  }
}

/** Normalises record content for comparison (lower-case host names, no trailing dot). */
export function sameContent(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const n = (s: string) => s.trim().toLowerCase().replace(/\.$/, "");
  return n(a) === n(b);
}
