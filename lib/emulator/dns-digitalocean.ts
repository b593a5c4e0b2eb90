/**
 * DigitalOcean API v2 emulator (domains and domain records) under the real prefix `/v2`.
 *
 * Success bodies use the `{domain_record}` / `{domain_records, links, meta}` wrappers; errors the
 * `{id, message, request_id}` envelope: 401 `unauthorized`, 404 `not_found`, 400 `bad_request`
 * (body not JSON), 422 `unprocessable_entity` (bad IP, TTL < 30, missing type on PUT/create).
 * Integer record ids. POST → 201, DELETE → 204. PUT requires `type` (equal to the record's type)
 * and, like the real API, changes only the attributes sent; PATCH is the same without `type`.
 */
import { isHostname, isIPv4, isIPv6 } from "../dns/common";
import {
  bearerToken,
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
  requestId,
  withFaults,
} from "./dns-util";
import type { DnsProviderEmulator, EmuRequest, EmuResponse, RouteDef } from "./types";

/** Options of {@link DigitalOceanEmulator}. */
export interface DigitalOceanEmulatorOptions extends DnsEmulatorBaseOptions {
  /** Accepted personal access tokens. @default ["do-test-token"] */
  tokens?: string[];
}

/** A domain as the API returns it. */
export interface DigitalOceanDomain {
  name: string;
  /** Default TTL of the domain, seconds. */
  ttl: number;
  zone_file: string;
}

/** A domain record as the API returns it. */
export interface DigitalOceanRecord {
  id: number;
  type: string;
  /** Relative name: `www`, `@` for the apex. */
  name: string;
  data: string;
  priority: number | null;
  port: number | null;
  ttl: number;
  weight: number | null;
  flags: number | null;
  tag: string | null;
}

/** Seed input of {@link DigitalOceanEmulator.addRecord}. */
export interface DigitalOceanRecordSeed {
  type?: string;
  /** Relative name (`www`, `@`); a FQDN inside the domain is made relative. */
  name: string;
  data: string;
  /** @default 1800 */
  ttl?: number;
}

interface DigitalOceanState {
  nextId: number;
  domains: DigitalOceanDomain[];
  /** Records keyed by domain name. */
  records: Record<string, DigitalOceanRecord[]>;
  /** Creation/update timestamps by record id (not part of the API's record object). */
  updatedAt: Record<string, string>;
}

const PREFIX = "/v2";
const DEFAULT_TTL = 1800;
const MIN_TTL = 30;
const TYPES = ["A", "AAAA", "CAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT"];

function error(status: number, id: string, message: string, headers?: Record<string, string>): EmuResponse {
  return { status, headers, body: { id, message, request_id: requestId() } };
}

/** In-memory DigitalOcean domains API. Seed with `addDomain`/`addRecord`, read back with `getRecord`. */
export class DigitalOceanEmulator implements DnsProviderEmulator {
  readonly id = "digitalocean";
  readonly prefix = PREFIX;
  private readonly tokens: string[];
  private readonly now: () => Date;
  private readonly faults = new FaultQueue();
  private state: DigitalOceanState = { nextId: 100000001, domains: [], records: {}, updatedAt: {} };

  constructor(options: DigitalOceanEmulatorOptions = {}) {
    this.tokens = options.tokens && options.tokens.length > 0 ? [...options.tokens] : ["do-test-token"];
    this.now = options.now ?? (() => new Date());
  }

  // ---- seeding and inspection -------------------------------------------------------------

  /** Adds a domain; returns its name (DigitalOcean addresses domains by name). */
  addDomain(domain: string | { name: string; ttl?: number }): string {
    const d = typeof domain === "string" ? { name: domain } : domain;
    const name = normName(d.name);
    if (this.state.domains.some((x) => x.name === name)) throw new Error(`domain ${name} already exists`);
    this.state.domains.push({ name, ttl: d.ttl ?? DEFAULT_TTL, zone_file: "" });
    this.state.records[name] = [];
    return name;
  }

  /** Alias of {@link addDomain} (same seeding vocabulary as the other emulators). */
  addZone(zone: string | { name: string; ttl?: number }): string {
    return this.addDomain(zone);
  }

  /** Adds a record without API validation; returns its integer id. */
  addRecord(domain: string, seed: DigitalOceanRecordSeed): number {
    const d = normName(domain);
    const list = this.state.records[d];
    if (!list) throw new Error(`unknown domain ${domain}`);
    const rec: DigitalOceanRecord = {
      id: this.state.nextId++,
      type: (seed.type ?? "A").toUpperCase(),
      name: relative(seed.name, d),
      data: seed.data,
      priority: null,
      port: null,
      ttl: seed.ttl ?? DEFAULT_TTL,
      weight: null,
      flags: null,
      tag: null,
    };
    list.push(rec);
    this.state.updatedAt[String(rec.id)] = this.now().toISOString();
    return rec.id;
  }

  /** A copy of one record, or undefined. */
  getRecord(domain: string, id: number | string): DigitalOceanRecord | undefined {
    return clone(this.state.records[normName(domain)]?.find((r) => r.id === Number(id)));
  }

  /** Copies of a domain's records (or of all records). */
  listRecords(domain?: string): DigitalOceanRecord[] {
    if (domain !== undefined) return clone(this.state.records[normName(domain)] ?? []);
    return clone(Object.values(this.state.records).flat());
  }

  /** When a record was created or last changed (emulator clock, ISO 8601). */
  lastModified(id: number | string): string | undefined {
    return this.state.updatedAt[String(id)];
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
    const s = snapshot as DigitalOceanState;
    if (!isObject(s) || !Array.isArray(s.domains) || !isObject(s.records)) throw new Error("not a DigitalOcean emulator snapshot");
    this.state = clone({ nextId: s.nextId ?? 100000001, domains: s.domains, records: s.records, updatedAt: s.updatedAt ?? {} });
  }

  /** Number of records held. */
  recordCount(): number {
    return Object.values(this.state.records).reduce((n, l) => n + l.length, 0);
  }

  // ---- routes -----------------------------------------------------------------------------

  /** The routes to mount (paths include the prefix), named `<provider>.<resource>.<action>`. */
  routes(): RouteDef[] {
    const auth = (h: (req: EmuRequest) => EmuResponse) => (req: EmuRequest) => this.authenticate(req) ?? h(req);
    const rec = `${PREFIX}/domains/:domain/records/:recordId`;
    const routes: RouteDef[] = [
      { method: "GET", path: `${PREFIX}/domains`, name: "digitalocean.domains.list", handler: auth((r) => this.listDomains(r)) },
      { method: "GET", path: `${PREFIX}/domains/:domain`, name: "digitalocean.domains.get", handler: auth((r) => this.getDomain(r)) },
      { method: "GET", path: `${PREFIX}/domains/:domain/records`, name: "digitalocean.records.list", handler: auth((r) => this.listRoute(r)) },
      { method: "POST", path: `${PREFIX}/domains/:domain/records`, name: "digitalocean.records.create", handler: auth((r) => this.createRoute(r)) },
      { method: "GET", path: rec, name: "digitalocean.records.get", handler: auth((r) => this.getRoute(r)) },
      { method: "PUT", path: rec, name: "digitalocean.records.update", handler: auth((r) => this.writeRoute(r, "PUT")) },
      { method: "PATCH", path: rec, name: "digitalocean.records.patch", handler: auth((r) => this.writeRoute(r, "PATCH")) },
      { method: "DELETE", path: rec, name: "digitalocean.records.delete", handler: auth((r) => this.deleteRoute(r)) },
      {
        method: "*",
        path: `${PREFIX}/*`,
        name: "digitalocean.not_found",
        handler: () => error(404, "not_found", "The resource you were accessing could not be found."),
      },
    ];
    // Every response carries the rate-limit headers (digitalocean/openapi `shared/headers.yml`,
    // referenced by each response, errors included).
    return withFaults(routes, this.faults, (kind) => this.faultResponse(kind)).map((r) => ({
      ...r,
      handler: (req: EmuRequest) => {
        const out = r.handler(req);
        return out instanceof Promise ? out.then((x) => this.withRateHeaders(x)) : this.withRateHeaders(out);
      },
    }));
  }

  private served = 0;

  private withRateHeaders(res: EmuResponse): EmuResponse {
    this.served += 1;
    const h = { ...(res.headers ?? {}) };
    h["ratelimit-limit"] ??= "5000";
    h["ratelimit-remaining"] ??= String(Math.max(0, 5000 - this.served));
    h["ratelimit-reset"] ??= String(Math.ceil(this.now().getTime() / 1000) + 3600);
    return { ...res, headers: h };
  }

  // ---- internals --------------------------------------------------------------------------

  private faultResponse(kind: DnsFaultKind): EmuResponse {
    if (kind === "rate_limit") {
      const reset = String(Math.ceil(this.now().getTime() / 1000) + 60);
      return error(429, "too_many_requests", "API Rate limit exceeded.", {
        "ratelimit-limit": "5000",
        "ratelimit-remaining": "0",
        "ratelimit-reset": reset,
        "retry-after": "60",
      });
    }
    return error(500, "server_error", "Server was unable to give you a response.");
  }

  private authenticate(req: EmuRequest): EmuResponse | undefined {
    const token = bearerToken(req);
    if (typeof token !== "string" || !this.tokens.includes(token)) return error(401, "unauthorized", "Unable to authenticate you");
    return undefined;
  }

  private domain(req: EmuRequest): DigitalOceanDomain | Fail {
    const name = normName(param(req, "domain"));
    const d = this.state.domains.find((x) => x.name === name);
    return d ?? fail(error(404, "not_found", "The resource you were accessing could not be found."));
  }

  private record(req: EmuRequest, domain: DigitalOceanDomain): DigitalOceanRecord | Fail {
    const raw = param(req, "recordId");
    const id = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
    const r = this.state.records[domain.name]!.find((x) => x.id === id);
    return r ?? fail(error(404, "not_found", "The resource you were accessing could not be found."));
  }

  private listDomains(_req: EmuRequest): EmuResponse {
    return { status: 200, body: { domains: clone(this.state.domains), links: {}, meta: { total: this.state.domains.length } } };
  }

  private getDomain(req: EmuRequest): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    return { status: 200, body: { domain: clone(d) } };
  }

  private listRoute(req: EmuRequest): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    const type = req.query.get("type");
    const name = req.query.get("name");
    const list = this.state.records[d.name]!.filter(
      (r) => (!type || r.type === type.toUpperCase()) && (!name || absolute(r.name, d.name) === normName(name)),
    );
    const perPage = Math.min(200, Math.max(1, Number.parseInt(req.query.get("per_page") ?? "20", 10) || 20));
    const page = Math.max(1, Number.parseInt(req.query.get("page") ?? "1", 10) || 1);
    const slice = list.slice((page - 1) * perPage, page * perPage);
    return { status: 200, body: { domain_records: clone(slice), links: {}, meta: { total: list.length } } };
  }

  private getRoute(req: EmuRequest): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    const r = this.record(req, d);
    if (isFail(r)) return r[FAIL];
    return { status: 200, body: { domain_record: clone(r) } };
  }

  private deleteRoute(req: EmuRequest): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    const r = this.record(req, d);
    if (isFail(r)) return r[FAIL];
    const list = this.state.records[d.name]!;
    list.splice(list.indexOf(r), 1);
    delete this.state.updatedAt[String(r.id)];
    return { status: 204 };
  }

  private parse(req: EmuRequest): Record<string, unknown> | Fail {
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return fail(error(400, "bad_request", "unable to parse request body as JSON"));
    if (!isObject(parsed.value)) return fail(error(400, "bad_request", "request body must be a JSON object"));
    return parsed.value;
  }

  private createRoute(req: EmuRequest): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    const body = this.parse(req);
    if (isFail(body)) return body[FAIL];
    const next = this.apply(d, undefined, body, true);
    if (isFail(next)) return next[FAIL];
    const rec: DigitalOceanRecord = { ...next, id: this.state.nextId++ };
    this.state.records[d.name]!.push(rec);
    this.state.updatedAt[String(rec.id)] = this.now().toISOString();
    return { status: 201, body: { domain_record: clone(rec) } };
  }

  private writeRoute(req: EmuRequest, mode: "PUT" | "PATCH"): EmuResponse {
    const d = this.domain(req);
    if (isFail(d)) return d[FAIL];
    const r = this.record(req, d);
    if (isFail(r)) return r[FAIL];
    const body = this.parse(req);
    if (isFail(body)) return body[FAIL];
    const next = this.apply(d, r, body, mode === "PUT");
    if (isFail(next)) return next[FAIL];
    Object.assign(r, next);
    this.state.updatedAt[String(r.id)] = this.now().toISOString();
    return { status: 200, body: { domain_record: clone(r) } };
  }

  /** The record after applying `body` (only the attributes sent change), or a 422. */
  private apply(
    domain: DigitalOceanDomain,
    current: DigitalOceanRecord | undefined,
    body: Record<string, unknown>,
    typeRequired: boolean,
  ): Omit<DigitalOceanRecord, "id"> | Fail {
    const bad = (msg: string) => fail(error(422, "unprocessable_entity", msg));
    const has = (k: string) => body[k] !== undefined && body[k] !== null;
    let type = current?.type;
    if (has("type")) {
      if (typeof body.type !== "string" || !TYPES.includes(body.type.toUpperCase())) return bad(`Type must be one of ${TYPES.join(", ")}.`);
      const t = body.type.toUpperCase();
      if (current && t !== current.type) return bad(`Type cannot be changed (the record is ${current.type}).`);
      type = t;
    } else if (typeRequired) {
      return bad("Type is required.");
    }
    let name = current?.name;
    if (has("name")) {
      const n = body.name;
      if (typeof n !== "string" || n === "" || !(n === "@" || isHostname(n.startsWith("*.") ? n.slice(2) : n) || n === "*")) return bad("Name is invalid.");
      name = relative(n, domain.name);
    } else if (!current) {
      return bad("Name can't be blank.");
    }
    let data = current?.data;
    if (has("data")) {
      if (typeof body.data !== "string" || body.data === "") return bad("Data can't be blank.");
      data = body.data;
    } else if (!current) {
      return bad("Data can't be blank.");
    }
    let ttl = current?.ttl ?? domain.ttl;
    if (has("ttl")) {
      const t = body.ttl;
      if (typeof t !== "number" || !Number.isInteger(t)) return bad("TTL must be an integer.");
      if (t < MIN_TTL) return bad(`TTL must be at least ${MIN_TTL} seconds.`);
      ttl = t;
    }
    if (type === "A" && !isIPv4(data!)) return bad("Data needs to be a valid IPv4 address.");
    if (type === "AAAA" && !isIPv6(data!)) return bad("Data needs to be a valid IPv6 address.");
    if (type === "CNAME" && !(data === "@" || isHostname(data!))) return bad("Data needs to be a valid hostname.");
    const num = (k: string, cur: number | null | undefined) => (typeof body[k] === "number" ? (body[k] as number) : (cur ?? null));
    return {
      type: type!,
      name: name!,
      data: data!,
      ttl,
      priority: num("priority", current?.priority),
      port: num("port", current?.port),
      weight: num("weight", current?.weight),
      flags: num("flags", current?.flags),
      tag: typeof body.tag === "string" ? body.tag : (current?.tag ?? null),
    };
  }
}

/** Relative name of `name` in `domain` (`@` for the apex). */
function relative(name: string, domain: string): string {
  const n = normName(name);
  if (n === "" || n === "@" || n === domain) return "@";
  return n.endsWith(`.${domain}`) ? n.slice(0, -(domain.length + 1)) : n;
}

/** FQDN of a relative name. */
function absolute(name: string, domain: string): string {
  return name === "@" ? domain : `${name}.${domain}`;
}
