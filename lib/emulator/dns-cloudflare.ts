/**
 * Cloudflare API v4 emulator (zones and DNS records) under the real prefix `/client/v4`.
 *
 * Envelope `{success, errors, messages, result}` on every response (`result_info` on lists).
 * Auth: `Authorization: Bearer <token>` (400 9106 when missing, 400 6003/6111 when malformed,
 * 403 10000 when unknown). Errors: 7003 unknown zone (400), 81044 unknown record (404), 9005/9006
 * bad IP, 1004 + chain 9021 bad TTL, 81057/81058 duplicates, 81053 A/AAAA vs CNAME, 9207 bad JSON,
 * and a proxied record whose content is not publicly routable (private, loopback, link-local,
 * CGNAT, multicast, reserved): 9003 "Target … is not allowed for a proxied record." on create,
 * 1004 + chain 9041 on update, as Cloudflare answers (dnsweaver#161, external-dns#1428,
 * estafette-cloudflare-dns#10); such a record reports `proxiable: false`.
 * PATCH merges; PUT replaces (unsent ttl → 1, proxied → false, comment → null, tags → []);
 * proxied forces ttl 1. Lists page with `page`/`per_page` (see `dns-cloudflare-query.ts`).
 */
import { isNonRoutableAddress } from "../dns/address";
import { isHostname, isIPv4, isIPv6 } from "../dns/common";
import { paginate, RECORD_PAGES, recordFilter, ZONE_PAGES, zoneFilter } from "./dns-cloudflare-query";
import {
  bearerToken,
  clone,
  type DnsEmulatorBaseOptions,
  type DnsFaultKind,
  FAIL,
  type Fail,
  FaultQueue,
  fail,
  hex32,
  isFail,
  isObject,
  normName,
  param,
  parseJsonBody,
  withFaults,
} from "./dns-util";
import type { DnsProviderEmulator, EmuRequest, EmuResponse, RouteDef } from "./types";

/** Options of {@link CloudflareEmulator}. */
export interface CloudflareEmulatorOptions extends DnsEmulatorBaseOptions {
  /** Accepted API tokens. @default ["cf-test-token"] */
  tokens?: string[];
}

/** A zone as the API returns it. */
export interface CloudflareZone {
  id: string;
  name: string;
  status: "active";
  paused: boolean;
  type: "full";
  name_servers: string[];
  account: { id: string; name: string };
  created_on: string;
  modified_on: string;
}

/** A DNS record as the API returns it. */
export interface CloudflareRecord {
  id: string;
  zone_id: string;
  zone_name: string;
  /** FQDN, lower-case. */
  name: string;
  type: string;
  content: string;
  proxiable: boolean;
  proxied: boolean;
  /** 1 = automatic. */
  ttl: number;
  comment: string | null;
  tags: string[];
  meta: Record<string, unknown>;
  settings: Record<string, unknown>;
  created_on: string;
  modified_on: string;
}

/** Seed input of {@link CloudflareEmulator.addRecord}. */
export interface CloudflareRecordSeed {
  /** FQDN or name relative to the zone (`www`, `@`). */
  name: string;
  type?: string;
  content: string;
  /** @default 1 (automatic) */
  ttl?: number;
  /** @default false */
  proxied?: boolean;
  comment?: string | null;
  tags?: string[];
  /** Fixed id (32 hex). @default generated */
  id?: string;
}

interface CloudflareState {
  seq: number;
  zones: CloudflareZone[];
  records: CloudflareRecord[];
}

interface CfError {
  code: number;
  message: string;
  error_chain?: { code: number; message: string }[];
}

const PREFIX = "/client/v4";
const PROXIABLE = ["A", "AAAA", "CNAME"];
const KNOWN_TYPES = ["A", "AAAA", "CNAME", "TXT", "MX", "NS", "SRV", "CAA", "PTR", "HTTPS", "SVCB", "LOC", "CERT", "DNSKEY", "DS", "NAPTR", "SMIMEA", "SSHFP", "TLSA", "URI"];

function envelope(result: unknown, extra?: Record<string, unknown>): Record<string, unknown> {
  return { success: true, errors: [], messages: [], result, ...(extra ?? {}) };
}

function failure(status: number, errors: CfError[], headers?: Record<string, string>): EmuResponse {
  return { status, headers, body: { success: false, errors, messages: [], result: null } };
}

const TTL_ERROR: CfError = {
  code: 1004,
  message: "DNS Validation Error",
  error_chain: [{ code: 9021, message: "TTL must be between 60 and 86400 seconds, or 1 for Automatic." }],
};

/** In-memory Cloudflare API. Seed with `addZone`/`addRecord`, read back with `getRecord`. */
export class CloudflareEmulator implements DnsProviderEmulator {
  readonly id = "cloudflare";
  readonly prefix = PREFIX;
  private readonly tokens: string[];
  private readonly now: () => Date;
  private readonly faults = new FaultQueue();
  private state: CloudflareState = { seq: 0, zones: [], records: [] };

  constructor(options: CloudflareEmulatorOptions = {}) {
    this.tokens = options.tokens && options.tokens.length > 0 ? [...options.tokens] : ["cf-test-token"];
    this.now = options.now ?? (() => new Date());
  }

  // ---- seeding and inspection -------------------------------------------------------------

  /** Adds a zone; returns its id (32 hex). */
  addZone(zone: { name: string; id?: string; accountName?: string }): string {
    const name = normName(zone.name);
    if (this.state.zones.some((z) => z.name === name)) throw new Error(`zone ${name} already exists`);
    const ts = this.ts();
    const id = zone.id ?? hex32("cf-zone", ++this.state.seq);
    this.state.zones.push({
      id,
      name,
      status: "active",
      paused: false,
      type: "full",
      name_servers: ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
      account: { id: hex32("cf-account", 0), name: zone.accountName ?? "Test account" },
      created_on: ts,
      modified_on: ts,
    });
    return id;
  }

  /** Adds a record to a zone (by id or name) without API validation; returns its id (32 hex). */
  addRecord(zoneIdOrName: string, seed: CloudflareRecordSeed): string {
    const zone = this.zone(zoneIdOrName) ?? this.state.zones.find((z) => z.name === normName(zoneIdOrName));
    if (!zone) throw new Error(`unknown zone ${zoneIdOrName}`);
    const ts = this.ts();
    const type = (seed.type ?? "A").toUpperCase();
    const proxied = seed.proxied ?? false;
    const rec: CloudflareRecord = {
      id: seed.id ?? hex32("cf-record", ++this.state.seq),
      zone_id: zone.id,
      zone_name: zone.name,
      name: fqdn(seed.name, zone.name),
      type,
      content: seed.content,
      proxiable: isProxiable(type, seed.content),
      proxied,
      ttl: proxied ? 1 : (seed.ttl ?? 1),
      comment: seed.comment ?? null,
      tags: seed.tags ?? [],
      meta: {},
      settings: {},
      created_on: ts,
      modified_on: ts,
    };
    this.state.records.push(rec);
    return rec.id;
  }

  /** A copy of one record, or undefined. */
  getRecord(zoneId: string, recordId: string): CloudflareRecord | undefined {
    return clone(this.state.records.find((r) => r.zone_id === zoneId && r.id === recordId));
  }

  /** Copies of the records of one zone (or of all zones). */
  listRecords(zoneId?: string): CloudflareRecord[] {
    return clone(this.state.records.filter((r) => zoneId === undefined || r.zone_id === zoneId));
  }

  /** A copy of one zone by id or name, or undefined. */
  getZone(zoneIdOrName: string): CloudflareZone | undefined {
    return clone(this.zone(zoneIdOrName) ?? this.state.zones.find((z) => z.name === normName(zoneIdOrName)));
  }

  /** Forces the next `count` requests (to route `route`, e.g. `cloudflare.dns_records.patch`) to fail. */
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
    const s = snapshot as CloudflareState;
    if (!isObject(s) || !Array.isArray(s.zones) || !Array.isArray(s.records)) throw new Error("not a Cloudflare emulator snapshot");
    this.state = clone({ seq: typeof s.seq === "number" ? s.seq : 0, zones: s.zones, records: s.records });
  }

  /** Number of records held. */
  recordCount(): number {
    return this.state.records.length;
  }

  // ---- routes -----------------------------------------------------------------------------

  /** The routes to mount (paths include the prefix), named `<provider>.<resource>.<action>`. */
  routes(): RouteDef[] {
    const auth = (h: (req: EmuRequest) => EmuResponse) => (req: EmuRequest) => this.authenticate(req) ?? h(req);
    const routes: RouteDef[] = [
      { method: "GET", path: `${PREFIX}/zones`, name: "cloudflare.zones.list", handler: auth((r) => this.listZones(r)) },
      { method: "GET", path: `${PREFIX}/zones/:zoneId`, name: "cloudflare.zones.get", handler: auth((r) => this.getZoneRoute(r)) },
      { method: "GET", path: `${PREFIX}/zones/:zoneId/dns_records`, name: "cloudflare.dns_records.list", handler: auth((r) => this.listRoute(r)) },
      { method: "POST", path: `${PREFIX}/zones/:zoneId/dns_records`, name: "cloudflare.dns_records.create", handler: auth((r) => this.createRoute(r)) },
      { method: "GET", path: `${PREFIX}/zones/:zoneId/dns_records/:recordId`, name: "cloudflare.dns_records.get", handler: auth((r) => this.getRoute(r)) },
      { method: "PUT", path: `${PREFIX}/zones/:zoneId/dns_records/:recordId`, name: "cloudflare.dns_records.put", handler: auth((r) => this.writeRoute(r, "PUT")) },
      { method: "PATCH", path: `${PREFIX}/zones/:zoneId/dns_records/:recordId`, name: "cloudflare.dns_records.patch", handler: auth((r) => this.writeRoute(r, "PATCH")) },
      { method: "DELETE", path: `${PREFIX}/zones/:zoneId/dns_records/:recordId`, name: "cloudflare.dns_records.delete", handler: auth((r) => this.deleteRoute(r)) },
      {
        method: "*",
        path: `${PREFIX}/*`,
        name: "cloudflare.not_found",
        handler: () => failure(400, [{ code: 7000, message: "No route for that URI" }]),
      },
    ];
    return withFaults(routes, this.faults, (kind) => this.faultResponse(kind));
  }

  // ---- internals --------------------------------------------------------------------------

  private ts(): string {
    return this.now().toISOString();
  }

  private zone(id: string): CloudflareZone | undefined {
    return this.state.zones.find((z) => z.id === id);
  }

  private faultResponse(kind: DnsFaultKind): EmuResponse {
    if (kind === "rate_limit") {
      return failure(429, [{ code: 971, message: "Please wait and consider throttling your request speed" }], {
        "retry-after": "300",
        ratelimit: '"default";r=0;t=300',
        "ratelimit-policy": '"burst";q=1200;w=300',
      });
    }
    if (kind === "soft_error") return { status: 200, body: { success: false, errors: [{ code: 10002, message: "Internal error (emulated soft failure)" }], messages: [], result: null } };
    return failure(500, [{ code: 10002, message: "Internal server error" }]);
  }

  private authenticate(req: EmuRequest): EmuResponse | undefined {
    const token = bearerToken(req);
    if (token === undefined) {
      if (req.headers["x-auth-key"] || req.headers["x-auth-email"]) {
        return failure(400, [{ code: 6003, message: "Invalid request headers", error_chain: [{ code: 6103, message: "Invalid format for X-Auth-Key header" }] }]);
      }
      return failure(400, [{ code: 9106, message: "Missing X-Auth-Key, X-Auth-Email or Authorization headers" }]);
    }
    if (token === null) {
      return failure(400, [{ code: 6003, message: "Invalid request headers", error_chain: [{ code: 6111, message: "Invalid format for Authorization header" }] }]);
    }
    if (!this.tokens.includes(token)) return failure(403, [{ code: 10000, message: "Authentication error" }]);
    return undefined;
  }

  private zoneOr7003(req: EmuRequest): CloudflareZone | Fail {
    const zone = this.zone(param(req, "zoneId"));
    if (zone) return zone;
    return fail(failure(400, [
      { code: 7003, message: `Could not route to ${req.path}, perhaps your object identifier is invalid?` },
      { code: 7000, message: "No route for that URI" },
    ]));
  }

  private listZones(req: EmuRequest): EmuResponse {
    const page = paginate(this.state.zones.filter(zoneFilter(req)), req, ZONE_PAGES);
    return { status: 200, body: envelope(clone(page.items), { result_info: page.info }) };
  }

  private getZoneRoute(req: EmuRequest): EmuResponse {
    const z = this.zoneOr7003(req);
    if (isFail(z)) return z[FAIL];
    return { status: 200, body: envelope(clone(z)) };
  }

  private listRoute(req: EmuRequest): EmuResponse {
    const z = this.zoneOr7003(req);
    if (isFail(z)) return z[FAIL];
    const keep = recordFilter(req);
    const page = paginate(
      this.state.records.filter((r) => r.zone_id === z.id && keep(r)),
      req,
      RECORD_PAGES,
    );
    return { status: 200, body: envelope(clone(page.items), { result_info: page.info }) };
  }

  private getRoute(req: EmuRequest): EmuResponse {
    const z = this.zoneOr7003(req);
    if (isFail(z)) return z[FAIL];
    const rec = this.state.records.find((r) => r.zone_id === z.id && r.id === param(req, "recordId"));
    if (!rec) return failure(404, [{ code: 81044, message: "Record does not exist." }]);
    return { status: 200, body: envelope(clone(rec)) };
  }

  private deleteRoute(req: EmuRequest): EmuResponse {
    const z = this.zoneOr7003(req);
    if (isFail(z)) return z[FAIL];
    const i = this.state.records.findIndex((r) => r.zone_id === z.id && r.id === param(req, "recordId"));
    if (i < 0) return failure(404, [{ code: 81044, message: "Record does not exist." }]);
    const [rec] = this.state.records.splice(i, 1);
    return { status: 200, body: envelope({ id: rec!.id }) };
  }

  private parse(req: EmuRequest): Record<string, unknown> | Fail {
    const parsed = parseJsonBody(req);
    if (!parsed.ok || !isObject(parsed.value)) return fail(failure(400, [{ code: 9207, message: "Request body is invalid." }]));
    return parsed.value;
  }

  private createRoute(req: EmuRequest): EmuResponse {
    const z = this.zoneOr7003(req);
    if (isFail(z)) return z[FAIL];
    const body = this.parse(req);
    if (isFail(body)) return body[FAIL];
    const next = this.validated(z, undefined, body, "PUT");
    if (isFail(next)) return next[FAIL];
    if (next.proxied && isNonRoutableAddress(next.content)) {
      return failure(400, [{ code: 9003, message: `Target ${next.content} is not allowed for a proxied record.` }]);
    }
    const ts = this.ts();
    const rec: CloudflareRecord = {
      ...next,
      id: hex32("cf-record", ++this.state.seq),
      zone_id: z.id,
      zone_name: z.name,
      meta: {},
      settings: {},
      created_on: ts,
      modified_on: ts,
    };
    const clash = this.clash(rec, undefined);
    if (clash) return clash === "identical" ? failure(400, [{ code: 81057, message: "Record already exists." }]) : cnameClash();
    this.state.records.push(rec);
    return { status: 200, body: envelope(clone(rec)) };
  }

  private writeRoute(req: EmuRequest, mode: "PUT" | "PATCH"): EmuResponse {
    const z = this.zoneOr7003(req);
    if (isFail(z)) return z[FAIL];
    const current = this.state.records.find((r) => r.zone_id === z.id && r.id === param(req, "recordId"));
    if (!current) return failure(404, [{ code: 81044, message: "Record does not exist." }]);
    const body = this.parse(req);
    if (isFail(body)) return body[FAIL];
    const next = this.validated(z, current, body, mode);
    if (isFail(next)) return next[FAIL];
    if (next.proxied && isNonRoutableAddress(next.content)) {
      return failure(400, [
        {
          code: 1004,
          message: "DNS Validation Error",
          error_chain: [{ code: 9041, message: "This DNS record cannot be proxied - click the cloud icon to turn it gray to proceed" }],
        },
      ]);
    }
    const updated: CloudflareRecord = { ...current, ...next, modified_on: this.ts() };
    const clash = this.clash(updated, current.id);
    if (clash) return clash === "identical" ? failure(400, [{ code: 81058, message: "An identical record already exists." }]) : cnameClash();
    Object.assign(current, updated);
    return { status: 200, body: envelope(clone(current)) };
  }

  /**
   * The record fields after applying `body` (PUT/create: replace with defaults; PATCH: merge),
   * or the Cloudflare error response.
   */
  private validated(
    zone: CloudflareZone,
    current: CloudflareRecord | undefined,
    body: Record<string, unknown>,
    mode: "PUT" | "PATCH",
  ): Pick<CloudflareRecord, "name" | "type" | "content" | "ttl" | "proxied" | "proxiable" | "comment" | "tags"> | Fail {
    const base =
      mode === "PATCH" && current
        ? { name: current.name, type: current.type, content: current.content, ttl: current.ttl, proxied: current.proxied, comment: current.comment, tags: current.tags }
        : { name: undefined, type: undefined, content: undefined, ttl: 1, proxied: false, comment: null, tags: [] as string[] };
    const has = (k: string) => Object.hasOwn(body, k) && body[k] !== undefined;
    const errors: CfError[] = [];
    const missing = (field: string) => errors.push({ code: 1004, message: `DNS Validation Error: ${field} is required.` });

    let type: string | undefined = base.type;
    if (has("type")) {
      if (typeof body.type !== "string" || !KNOWN_TYPES.includes(body.type.toUpperCase())) {
        errors.push({ code: 1004, message: "DNS Validation Error", error_chain: [{ code: 9020, message: "Invalid DNS record type." }] });
      } else type = body.type.toUpperCase();
    } else if (!type) missing("type");

    let name: string | undefined = base.name;
    if (has("name")) {
      const n = body.name;
      if (typeof n !== "string" || (n !== "@" && !isHostname(n.startsWith("*.") ? n.slice(2) : n) && n !== "*")) {
        errors.push({ code: 1004, message: "DNS Validation Error", error_chain: [{ code: 9008, message: "DNS name is invalid." }] });
      } else name = fqdn(n, zone.name);
    } else if (!name) missing("name");
    if (name && name !== zone.name && !name.endsWith(`.${zone.name}`)) {
      errors.push({ code: 1004, message: "DNS Validation Error", error_chain: [{ code: 9008, message: `DNS name is not in zone ${zone.name}.` }] });
    }

    let content: string | undefined = base.content;
    if (has("content")) {
      if (typeof body.content !== "string") errors.push({ code: 1004, message: "DNS Validation Error: content must be a string." });
      else content = body.content;
    } else if (content === undefined) missing("content");

    let ttl = base.ttl;
    if (has("ttl")) {
      const t = body.ttl;
      if (typeof t !== "number" || !Number.isInteger(t) || !(t === 1 || (t >= 60 && t <= 86400))) return fail(failure(400, [TTL_ERROR]));
      ttl = t;
    }
    let proxied = base.proxied;
    if (has("proxied")) {
      if (typeof body.proxied !== "boolean") errors.push({ code: 1004, message: "DNS Validation Error: proxied must be a boolean." });
      else proxied = body.proxied;
    }
    let comment = base.comment;
    if (has("comment")) {
      if (body.comment !== null && typeof body.comment !== "string") errors.push({ code: 1004, message: "DNS Validation Error: comment must be a string or null." });
      else comment = body.comment as string | null;
    }
    let tags = base.tags;
    if (has("tags")) {
      if (!Array.isArray(body.tags) || body.tags.some((t) => typeof t !== "string")) errors.push({ code: 1004, message: "DNS Validation Error: tags must be an array of strings." });
      else tags = body.tags as string[];
    }
    if (errors.length > 0) return fail(failure(400, errors));

    if (type === "A" && !isIPv4(content!)) return fail(failure(400, [{ code: 9005, message: "Content for A record must be a valid IPv4 address." }]));
    if (type === "AAAA" && !isIPv6(content!)) return fail(failure(400, [{ code: 9006, message: "Content for AAAA record must be a valid IPv6 address." }]));
    if (type === "CNAME" && (!isHostname(content!) || isIPv4(content!))) {
      return fail(failure(400, [{ code: 9007, message: "Content for CNAME record is invalid." }]));
    }
    const proxiable = isProxiable(type!, content!);
    if (proxied && !PROXIABLE.includes(type!)) return fail(failure(400, [{ code: 9004, message: "This record type cannot be proxied." }]));
    if (proxied) ttl = 1;
    return { name: name!, type: type!, content: content!, ttl, proxied, proxiable, comment, tags: [...tags] };
  }

  /** "identical" when another record has the same type/name/content; "cname" for A/AAAA/CNAME co-existence. */
  private clash(rec: CloudflareRecord, selfId: string | undefined): "identical" | "cname" | undefined {
    for (const o of this.state.records) {
      if (o.id === selfId || o.zone_id !== rec.zone_id || o.name !== rec.name) continue;
      if (o.type === rec.type && o.content === rec.content) return "identical";
      const addr = (t: string) => t === "A" || t === "AAAA";
      if ((o.type === "CNAME" && (addr(rec.type) || rec.type === "CNAME")) || (rec.type === "CNAME" && (addr(o.type) || o.type === "CNAME"))) {
        return "cname";
      }
    }
    return undefined;
  }
}

function cnameClash(): EmuResponse {
  return failure(400, [{ code: 81053, message: "An A, AAAA, or CNAME record with that host already exists." }]);
}

/** FQDN of `name` in `zone`: `@` → apex, relative → `name.zone`, lower-case, no trailing dot. */
function fqdn(name: string, zone: string): string {
  const n = normName(name);
  if (n === "@" || n === "") return zone;
  if (n === zone || n.endsWith(`.${zone}`)) return n;
  return `${n}.${zone}`;
}

/** A/AAAA/CNAME records are proxiable unless their content is a non-routable address. */
function isProxiable(type: string, content: string): boolean {
  return PROXIABLE.includes(type) && !isNonRoutableAddress(content);
}
