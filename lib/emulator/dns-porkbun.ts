/**
 * Porkbun API v3 emulator (DNS) under the real prefix `/api/json/v3`.
 *
 * Every call is `POST`. Keys come from the JSON body (`apikey` + `secretapikey`) or from the
 * headers `X-API-Key` + `X-Secret-API-Key`; a key in the body wins over the header. Errors answer
 * `{"status":"ERROR","code":…,"message":…,"next_action":…}` (Porkbun v3 OpenAPI spec): 404
 * `DOMAIN_NOT_FOUND`, 403 `IP_NOT_ALLOWED` (a key pair restricted to an IP allowlist, see
 * `PorkbunKeyPair.allowedIps`), 400 for the rest (other methods: 405). Only those two codes and
 * statuses were checked against the spec; the other code names are the emulator's own.
 * Domains have a per-domain "API access" flag (off → 403 `API_ACCESS_DISABLED`). `editByNameType` edits ALL records matching (domain, type,
 * subdomain) and answers ERROR when none match; the apex is addressed by omitting the subdomain
 * segment or by `@`. `ttl` may be a string or a number; a TTL below 600 is RAISED to 600 (the
 * documented minimum), not rejected. Records keep `ttl`/`prio` as strings, as Porkbun returns them.
 */
import { isHostname, isIPv4, isIPv6 } from "../dns/common";
import {
  clone,
  type DnsEmulatorBaseOptions,
  type DnsFaultKind,
  FAIL,
  type Fail,
  FaultQueue,
  fail,
  isFail,
  isObject,
  normName,
  param,
  parseJsonBody,
  withFaults,
} from "./dns-util";
import type { DnsProviderEmulator, EmuRequest, EmuResponse, RouteDef } from "./types";

/** A Porkbun API key pair. */
export interface PorkbunKeyPair {
  /** `pk1_…` */
  apiKey: string;
  /** `sk1_…` */
  secretApiKey: string;
  /**
   * The key's IP allowlist (Porkbun's "API access from these IPs only"). A request from any
   * other address answers 403 `IP_NOT_ALLOWED`, which is what a restricted key gets from
   * Runlater's servers. @default no restriction
   */
  allowedIps?: string[];
}

/** Options of {@link PorkbunEmulator}. */
export interface PorkbunEmulatorOptions extends DnsEmulatorBaseOptions {
  /** Accepted key pairs as `"<apikey>:<secretapikey>"` strings. @default ["pk1_test:sk1_test"] */
  tokens?: string[];
  /** Accepted key pairs (added to `tokens`). */
  keys?: PorkbunKeyPair[];
}

/** A domain held by the emulator. */
export interface PorkbunDomain {
  name: string;
  /** The dashboard's per-domain "API access" switch. */
  apiAccess: boolean;
}

/** A DNS record as `retrieve` returns it. */
export interface PorkbunRecord {
  /** Numeric id as a string. */
  id: string;
  /** FQDN (`www.example.com`, `example.com` for the apex). */
  name: string;
  type: string;
  content: string;
  /** Seconds, as a string. */
  ttl: string;
  prio: string;
  notes: string;
}

/** Seed input of {@link PorkbunEmulator.addRecord}. */
export interface PorkbunRecordSeed {
  /** Subdomain relative to the domain (`www`, `*`); `""`, `@` or omitted for the apex. */
  name?: string;
  type?: string;
  content: string;
  /** @default 600 */
  ttl?: number | string;
  prio?: number | string;
  notes?: string;
}

interface PorkbunState {
  nextId: number;
  domains: PorkbunDomain[];
  records: Record<string, PorkbunRecord[]>;
  /** Creation/edit timestamps by record id (not part of the API's record object). */
  modified: Record<string, string>;
}

const PREFIX = "/api/json/v3";
const MIN_TTL = 600;
const TYPES = ["A", "MX", "CNAME", "ALIAS", "TXT", "NS", "AAAA", "SRV", "TLSA", "CAA", "HTTPS", "SVCB", "SSHFP"];

/** What a client should do about an error code (`next_action` in Porkbun's error body). */
const NEXT_ACTION: Record<string, string> = {
  INVALID_API_KEYS: "Check the API key and secret API key (pk1_… and sk1_…), in the body or in the X-API-Key / X-Secret-API-Key headers.",
  IP_NOT_ALLOWED: "Add the calling IP address to the API key's allowlist, or remove the restriction.",
  DOMAIN_NOT_FOUND: "Check the domain name; it must be in this account.",
  API_ACCESS_DISABLED: "Enable API access for the domain in the Porkbun dashboard.",
  RECORD_NOT_FOUND: "Create the record first; editByNameType only edits existing records.",
  INVALID_REQUEST: "Fix the request as the message says.",
  INVALID_JSON: "Send a JSON object body.",
  ENDPOINT_NOT_FOUND: "Check the API path.",
  METHOD_NOT_ALLOWED: "Use POST.",
  RATE_LIMITED: "Wait and retry later.",
  INTERNAL_ERROR: "Retry later.",
};

function error(message: string, status = 400, headers?: Record<string, string>, code = "INVALID_REQUEST"): EmuResponse {
  return { status, headers, body: { status: "ERROR", code, message, next_action: NEXT_ACTION[code] ?? NEXT_ACTION.INVALID_REQUEST } };
}

function ok(extra: Record<string, unknown> = {}): EmuResponse {
  return { status: 200, body: { status: "SUCCESS", ...extra } };
}

/** In-memory Porkbun DNS API. Seed with `addDomain`/`addRecord`, read back with `getRecord`/`findRecords`. */
export class PorkbunEmulator implements DnsProviderEmulator {
  readonly id = "porkbun";
  readonly prefix = PREFIX;
  private readonly keys: PorkbunKeyPair[];
  private readonly now: () => Date;
  private readonly faults = new FaultQueue();
  private state: PorkbunState = { nextId: 300000001, domains: [], records: {}, modified: {} };

  constructor(options: PorkbunEmulatorOptions = {}) {
    const fromTokens = (options.tokens ?? []).map((t) => {
      const i = t.indexOf(":");
      if (i < 0) throw new Error('Porkbun emulator tokens must look like "<apikey>:<secretapikey>"');
      return { apiKey: t.slice(0, i), secretApiKey: t.slice(i + 1) };
    });
    const all = [...fromTokens, ...(options.keys ?? [])];
    this.keys = all.length > 0 ? all : [{ apiKey: "pk1_test", secretApiKey: "sk1_test" }];
    this.now = options.now ?? (() => new Date());
  }

  // ---- seeding and inspection -------------------------------------------------------------

  /** Adds a domain (API access on unless `apiAccess: false`); returns its name. */
  addDomain(domain: string | { name: string; apiAccess?: boolean }): string {
    const d = typeof domain === "string" ? { name: domain } : domain;
    const name = normName(d.name);
    if (this.state.domains.some((x) => x.name === name)) throw new Error(`domain ${name} already exists`);
    this.state.domains.push({ name, apiAccess: d.apiAccess ?? true });
    this.state.records[name] = [];
    return name;
  }

  /** Alias of {@link addDomain}. */
  addZone(zone: string | { name: string; apiAccess?: boolean }): string {
    return this.addDomain(zone);
  }

  /** Turns the domain's "API access" switch on or off. */
  setApiAccess(domain: string, enabled: boolean): void {
    const d = this.state.domains.find((x) => x.name === normName(domain));
    if (!d) throw new Error(`unknown domain ${domain}`);
    d.apiAccess = enabled;
  }

  /** Adds a record without API validation; returns its id (a numeric string). */
  addRecord(domain: string, seed: PorkbunRecordSeed): string {
    const d = normName(domain);
    const list = this.state.records[d];
    if (!list) throw new Error(`unknown domain ${domain}`);
    const rec: PorkbunRecord = {
      id: String(this.state.nextId++),
      name: fqdn(seed.name, d),
      type: (seed.type ?? "A").toUpperCase(),
      content: seed.content,
      ttl: String(seed.ttl ?? MIN_TTL),
      prio: String(seed.prio ?? 0),
      notes: seed.notes ?? "",
    };
    list.push(rec);
    this.state.modified[rec.id] = this.now().toISOString();
    return rec.id;
  }

  /** A copy of one record by id, or undefined. */
  getRecord(domain: string, id: string | number): PorkbunRecord | undefined {
    return clone(this.state.records[normName(domain)]?.find((r) => r.id === String(id)));
  }

  /** Copies of the records matching (type, subdomain); subdomain `""`/`@`/omitted = apex. */
  findRecords(domain: string, type: string, subdomain?: string): PorkbunRecord[] {
    const d = normName(domain);
    const name = fqdn(subdomain, d);
    return clone((this.state.records[d] ?? []).filter((r) => r.type === type.toUpperCase() && r.name === name));
  }

  /** Copies of a domain's records (or of all). */
  listRecords(domain?: string): PorkbunRecord[] {
    if (domain !== undefined) return clone(this.state.records[normName(domain)] ?? []);
    return clone(Object.values(this.state.records).flat());
  }

  /** When a record was created or last edited (emulator clock, ISO 8601); not part of the API. */
  lastModified(id: string | number): string | undefined {
    return this.state.modified[String(id)];
  }

  /** Forces the next `count` requests (to route `route`, if given) to fail. */
  failNext(kind: DnsFaultKind, count = 1, route?: string): void {
    this.faults.add(kind, count, route);
  }

  /** Drops queued faults. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** JSON-serialisable copy of the whole store (for `--state FILE`). */
  snapshot(): unknown {
    return clone(this.state);
  }

  /** Replaces the store with a `snapshot()`; throws on anything else. Queued faults are kept. */
  restore(snapshot: unknown): void {
    const s = snapshot as PorkbunState;
    if (!isObject(s) || !Array.isArray(s.domains) || !isObject(s.records)) throw new Error("not a Porkbun emulator snapshot");
    this.state = clone({ nextId: s.nextId ?? 300000001, domains: s.domains, records: s.records, modified: s.modified ?? {} });
  }

  /** Number of records held. */
  recordCount(): number {
    return Object.values(this.state.records).reduce((n, l) => n + l.length, 0);
  }

  // ---- routes -----------------------------------------------------------------------------

  /** The routes to mount (paths include the prefix), named `<provider>.<resource>.<action>`. */
  routes(): RouteDef[] {
    const auth = (h: (req: EmuRequest, body: Record<string, unknown>) => EmuResponse) => (req: EmuRequest) => {
      const body = this.authenticate(req);
      return isFail(body) ? body[FAIL] : h(req, body);
    };
    const dns = `${PREFIX}/dns`;
    const post = (path: string, name: string, h: (req: EmuRequest, body: Record<string, unknown>) => EmuResponse): RouteDef => ({
      method: "POST",
      path,
      name,
      handler: auth(h),
    });
    const routes: RouteDef[] = [
      post(`${PREFIX}/ping`, "porkbun.ping", (req) => ok({ yourIp: req.remoteAddress })),
      post(`${dns}/create/:domain`, "porkbun.dns.create", (r, b) => this.create(r, b)),
      post(`${dns}/edit/:domain/:id`, "porkbun.dns.edit", (r, b) => this.edit(r, b)),
      post(`${dns}/editByNameType/:domain/:type`, "porkbun.dns.editByNameType", (r, b) => this.editByNameType(r, b)),
      post(`${dns}/editByNameType/:domain/:type/:subdomain`, "porkbun.dns.editByNameType", (r, b) => this.editByNameType(r, b)),
      post(`${dns}/retrieve/:domain`, "porkbun.dns.retrieve", (r) => this.retrieve(r)),
      post(`${dns}/retrieve/:domain/:id`, "porkbun.dns.retrieve", (r) => this.retrieve(r)),
      post(`${dns}/retrieveByNameType/:domain/:type`, "porkbun.dns.retrieveByNameType", (r) => this.retrieveByNameType(r)),
      post(`${dns}/retrieveByNameType/:domain/:type/:subdomain`, "porkbun.dns.retrieveByNameType", (r) => this.retrieveByNameType(r)),
      post(`${dns}/delete/:domain/:id`, "porkbun.dns.delete", (r) => this.delete(r)),
      post(`${dns}/deleteByNameType/:domain/:type`, "porkbun.dns.deleteByNameType", (r) => this.deleteByNameType(r)),
      post(`${dns}/deleteByNameType/:domain/:type/:subdomain`, "porkbun.dns.deleteByNameType", (r) => this.deleteByNameType(r)),
      {
        method: "*",
        path: `${PREFIX}/*`,
        name: "porkbun.not_found",
        handler: (req) =>
          req.method === "POST"
            ? error("Invalid API endpoint.", 404, undefined, "ENDPOINT_NOT_FOUND")
            : error("All API requests must use the POST method.", 405, undefined, "METHOD_NOT_ALLOWED"),
      },
    ];
    return withFaults(routes, this.faults, (kind) => this.faultResponse(kind));
  }

  // ---- internals --------------------------------------------------------------------------

  private faultResponse(kind: DnsFaultKind): EmuResponse {
    if (kind === "rate_limit") return error("Rate limit exceeded. Please slow down.", 429, { "retry-after": "60" }, "RATE_LIMITED");
    if (kind === "soft_error") return { status: 200, body: { status: "ERROR", message: "Internal error (emulated soft failure)." } };
    return error("Internal server error.", 500, undefined, "INTERNAL_ERROR");
  }

  /** The parsed body when the keys are valid, else the ERROR response. */
  private authenticate(req: EmuRequest): Record<string, unknown> | Fail {
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return fail(error("Invalid JSON in request body.", 400, undefined, "INVALID_JSON"));
    const body = isObject(parsed.value) ? parsed.value : {};
    const fromBody = (k: string) => (typeof body[k] === "string" && body[k] !== "" ? (body[k] as string) : undefined);
    const apiKey = fromBody("apikey") ?? req.headers["x-api-key"];
    const secretApiKey = fromBody("secretapikey") ?? req.headers["x-secret-api-key"];
    const k = this.keys.find((p) => p.apiKey === apiKey && p.secretApiKey === secretApiKey);
    if (!k) return fail(error("Invalid API key. (001)", 400, undefined, "INVALID_API_KEYS"));
    if (k.allowedIps && k.allowedIps.length > 0 && !k.allowedIps.includes(normalizeIp(req.remoteAddress))) {
      return fail(error(`API key is not allowed from ${normalizeIp(req.remoteAddress)}.`, 403, undefined, "IP_NOT_ALLOWED"));
    }
    return body;
  }

  private domain(req: EmuRequest): PorkbunDomain | Fail {
    const name = normName(param(req, "domain"));
    const d = this.state.domains.find((x) => x.name === name);
    if (!d) return fail(error("Invalid domain.", 404, undefined, "DOMAIN_NOT_FOUND"));
    if (!d.apiAccess) return fail(error(`Domain is not opted in to API access.`, 403, undefined, "API_ACCESS_DISABLED"));
    return d;
  }

  private type(req: EmuRequest): string | Fail {
    const t = param(req, "type").toUpperCase();
    return TYPES.includes(t) ? t : fail(error("Invalid record type."));
  }

  /** Parses `ttl` (string or number). Below 600 → 600. */
  private ttl(v: unknown, current: string | undefined): string | Fail {
    if (v === undefined || v === null || v === "") return current ?? String(MIN_TTL);
    const n = typeof v === "number" ? v : typeof v === "string" && /^\s*[0-9]+\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < 0) return fail(error("Invalid TTL."));
    return String(Math.max(MIN_TTL, n));
  }

  private content(type: string, v: unknown): string | Fail {
    if (typeof v !== "string" || v === "") return fail(error("Content is required."));
    if (type === "A" && !isIPv4(v)) return fail(error("Invalid IPv4 address for A record."));
    if (type === "AAAA" && !isIPv6(v)) return fail(error("Invalid IPv6 address for AAAA record."));
    if ((type === "CNAME" || type === "ALIAS") && !isHostname(v)) return fail(error(`Invalid hostname for ${type} record.`));
    return v;
  }

  private touch(rec: PorkbunRecord): void {
    this.state.modified[rec.id] = this.now().toISOString();
  }

  private create(req: EmuRequest, body: Record<string, unknown>): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    const type = typeof body.type === "string" ? body.type.toUpperCase() : "";
    if (!TYPES.includes(type)) return error("Invalid record type.");
    const sub = body.name === undefined || body.name === null ? "" : String(body.name);
    if (!(sub === "" || sub === "@" || sub === "*" || isHostname(sub.startsWith("*.") ? sub.slice(2) : sub))) return error("Invalid name.");
    const content = this.content(type, body.content);
    if (isFail(content)) return content[FAIL];
    const ttl = this.ttl(body.ttl, undefined);
    if (isFail(ttl)) return ttl[FAIL];
    const rec: PorkbunRecord = {
      id: String(this.state.nextId++),
      name: fqdn(sub, d.name),
      type,
      content,
      ttl,
      prio: body.prio === undefined || body.prio === null ? "0" : String(body.prio),
      notes: typeof body.notes === "string" ? body.notes : "",
    };
    this.state.records[d.name]!.push(rec);
    this.touch(rec);
    return ok({ id: Number(rec.id) });
  }

  private applyEdit(rec: PorkbunRecord, body: Record<string, unknown>): Fail | undefined {
    const content = this.content(rec.type, body.content);
    if (isFail(content)) return content;
    const ttl = this.ttl(body.ttl, rec.ttl);
    if (isFail(ttl)) return ttl;
    rec.content = content;
    rec.ttl = ttl;
    if (body.prio !== undefined && body.prio !== null) rec.prio = String(body.prio);
    if (typeof body.notes === "string") rec.notes = body.notes;
    this.touch(rec);
    return undefined;
  }

  private edit(req: EmuRequest, body: Record<string, unknown>): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    const rec = this.state.records[d.name]!.find((r) => r.id === param(req, "id"));
    if (!rec) return error("Invalid record ID.", 400, undefined, "RECORD_NOT_FOUND");
    if (typeof body.type === "string" && TYPES.includes(body.type.toUpperCase())) rec.type = body.type.toUpperCase();
    if (body.name !== undefined && body.name !== null) rec.name = fqdn(String(body.name), d.name);
    const f = this.applyEdit(rec, body);
    return f ? f[FAIL] : ok();
  }

  private matches(req: EmuRequest, d: PorkbunDomain, type: string): PorkbunRecord[] {
    const name = fqdn(req.params["subdomain"] === undefined ? undefined : param(req, "subdomain"), d.name);
    return this.state.records[d.name]!.filter((r) => r.type === type && r.name === name);
  }

  private editByNameType(req: EmuRequest, body: Record<string, unknown>): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    const type = this.type(req);
    if (isFail(type)) return type[FAIL];
    const found = this.matches(req, d, type);
    if (found.length === 0) return error("Could not edit record: no record matches that type and subdomain.", 400, undefined, "RECORD_NOT_FOUND");
    // Validate once, then apply to every match (all or nothing).
    const content = this.content(type, body.content);
    if (isFail(content)) return content[FAIL];
    const ttl = this.ttl(body.ttl, undefined);
    if (isFail(ttl)) return ttl[FAIL];
    for (const rec of found) this.applyEdit(rec, body);
    return ok();
  }

  private retrieve(req: EmuRequest): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    const id = req.params["id"];
    const list = this.state.records[d.name]!.filter((r) => id === undefined || r.id === param(req, "id"));
    return ok({ records: clone(list) });
  }

  private retrieveByNameType(req: EmuRequest): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    const type = this.type(req);
    if (isFail(type)) return type[FAIL];
    return ok({ records: clone(this.matches(req, d, type)) });
  }

  private delete(req: EmuRequest): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    const list = this.state.records[d.name]!;
    const i = list.findIndex((r) => r.id === param(req, "id"));
    if (i < 0) return error("Invalid record ID.", 400, undefined, "RECORD_NOT_FOUND");
    const [rec] = list.splice(i, 1);
    delete this.state.modified[rec!.id];
    return ok();
  }

  private deleteByNameType(req: EmuRequest): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    const type = this.type(req);
    if (isFail(type)) return type[FAIL];
    const found = this.matches(req, d, type);
    if (found.length === 0) return error("Could not delete record: no record matches that type and subdomain.", 400, undefined, "RECORD_NOT_FOUND");
    this.state.records[d.name] = this.state.records[d.name]!.filter((r) => !found.includes(r));
    for (const r of found) delete this.state.modified[r.id];
    return ok();
  }
}

/** FQDN of a subdomain (`""`, `@` or undefined → the domain itself). */
function fqdn(sub: string | undefined, domain: string): string {
  const s = sub === undefined ? "" : normName(sub);
  if (s === "" || s === "@" || s === domain) return domain;
  return s.endsWith(`.${domain}`) ? s : `${s}.${domain}`;
}

/** `::ffff:1.2.3.4` (how node reports IPv4 peers on a dual-stack socket) → `1.2.3.4`. */
function normalizeIp(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}
