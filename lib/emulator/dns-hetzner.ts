/**
 * Hetzner Cloud API DNS emulator (zones, RRSets, actions) under the real prefix `/v1`.
 *
 * Zones are addressed by numeric id or by name. RRSets are keyed by (name, type), id `www/A`.
 * `POST …/rrsets/{name}/{type}/actions/set_records` replaces all records of an EXISTING RRSet and
 * answers 201 `{action}`. It never changes the RRSet's TTL (the request has `records` only, per
 * hcloud-go `schema/zone_rrset.go`; a `ttl` sent along is ignored); an RRSet created without a
 * TTL keeps `ttl: null`, which means the zone's default (`effectiveTtl()` resolves it).
 *
 * Actions are asynchronous, on the emulator's clock: an action starts `running` (progress 0) and
 * ends `success` (the change is applied then) or `error` (nothing changes) once
 * `actionDurationMs` has passed (0 = at once). Outcome `running` keeps actions running until
 * `completeActions()`. While an action runs on an RRSet, a second action on it answers 423
 * `locked` ("there is already an action running"). `GET /v1/actions/{id}` polls.
 * Errors use `{error:{code,message,details}}`: 401 `unauthorized`, 404 `not_found`, 400
 * `invalid_input` (with `details.fields`), 400 `json_error`, 409 `uniqueness_error`,
 * 423 `locked`, 403 `protected`, 422 `incorrect_zone_mode` (secondary zones).
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
  withFaults,
} from "./dns-util";
import type { DnsProviderEmulator, EmuRequest, EmuResponse, RouteDef } from "./types";

/** How actions started by the emulator end. */
export type HetznerActionOutcome = "success" | "error" | "running";

/** Options of {@link HetznerEmulator}. */
export interface HetznerEmulatorOptions extends DnsEmulatorBaseOptions {
  /** Accepted Cloud API tokens. @default ["hz-test-token"] */
  tokens?: string[];
  /** Outcome of the actions record changes start. @default "success" */
  actionOutcome?: HetznerActionOutcome;
  /** How long an action stays `running` before it ends with its outcome, emulator-clock milliseconds. @default 0 (ends at once) */
  actionDurationMs?: number;
}

/** A zone as the API returns it. */
export interface HetznerZone {
  id: number;
  name: string;
  mode: "primary" | "secondary";
  /** Default TTL of the zone's RRSets, seconds. */
  ttl: number;
  created: string;
  status: "ok";
  registrar: string;
  labels: Record<string, string>;
  protection: { delete: boolean };
  record_count: number;
  authoritative_nameservers: { assigned: string[]; delegated: string[]; delegation_last_check: string | null; delegation_status: string };
}

/** One record value of an RRSet. */
export interface HetznerRecordValue {
  value: string;
  comment: string;
}

/** An RRSet as the API returns it. */
export interface HetznerRRSet {
  /** `name/type`, e.g. `www/A`. */
  id: string;
  name: string;
  type: string;
  /** Seconds; null = the zone's default. */
  ttl: number | null;
  labels: Record<string, string>;
  protection: { change: boolean };
  records: HetznerRecordValue[];
  /** Zone id. */
  zone: number;
}

/** An action as the API returns it. */
export interface HetznerAction {
  id: number;
  command: string;
  status: "running" | "success" | "error";
  progress: number;
  started: string;
  finished: string | null;
  resources: { id: number; type: string }[];
  error: { code: string; message: string } | null;
}

/** Seed input of {@link HetznerEmulator.addRRSet}. */
export interface HetznerRRSetSeed {
  name: string;
  type?: string;
  ttl?: number | null;
  /** Values (strings or `{value, comment}`). */
  records: (string | { value: string; comment?: string })[];
  labels?: Record<string, string>;
}

/** What a running action does when it succeeds (JSON data, so it survives snapshots). */
type Change = { kind: "set_records"; records: HetznerRecordValue[] } | { kind: "change_ttl"; ttl: number | null } | { kind: "delete" };

interface PendingChange {
  actionId: number;
  zone: number;
  rrset: string;
  /** Absent in snapshots from older versions: a set_records change with `records`. */
  change?: Change;
  records?: HetznerRecordValue[];
  /** How the action ends. */
  outcome?: "success" | "error";
  /** Emulator time (ms) at which it ends; absent: only `completeActions()` ends it. */
  dueAt?: number;
}

interface HetznerState {
  nextZoneId: number;
  nextActionId: number;
  zones: HetznerZone[];
  rrsets: HetznerRRSet[];
  actions: HetznerAction[];
  pending: PendingChange[];
}

const PREFIX = "/v1";
const TYPES = ["A", "AAAA", "CAA", "CNAME", "DS", "HINFO", "HTTPS", "MX", "NS", "PTR", "RP", "SOA", "SRV", "SVCB", "TLSA", "TXT"];
const MIN_TTL = 60;
const MAX_TTL = 2147483647;

function error(status: number, code: string, message: string, details: Record<string, unknown> = {}, headers?: Record<string, string>): EmuResponse {
  return { status, headers, body: { error: { code, message, details } } };
}

function invalid(fields: { name: string; messages: string[] }[]): Fail {
  return fail(error(400, "invalid_input", `invalid input in field${fields.length > 1 ? "s" : ""} '${fields.map((f) => f.name).join("', '")}'`, { fields }));
}

/** In-memory Hetzner Cloud DNS API. Seed with `addZone`/`addRRSet`, read back with `getRRSet`. */
export class HetznerEmulator implements DnsProviderEmulator {
  readonly id = "hetzner";
  readonly prefix = PREFIX;
  private readonly tokens: string[];
  private readonly now: () => Date;
  private readonly faults = new FaultQueue();
  private outcome: HetznerActionOutcome;
  private readonly durationMs: number;
  private state: HetznerState = { nextZoneId: 1000001, nextActionId: 1, zones: [], rrsets: [], actions: [], pending: [] };

  constructor(options: HetznerEmulatorOptions = {}) {
    this.tokens = options.tokens && options.tokens.length > 0 ? [...options.tokens] : ["hz-test-token"];
    this.now = options.now ?? (() => new Date());
    this.outcome = options.actionOutcome ?? "success";
    const d = options.actionDurationMs ?? 0;
    if (!Number.isFinite(d) || d < 0) throw new Error(`actionDurationMs must be a finite number >= 0, got ${d}`);
    this.durationMs = d;
  }

  // ---- seeding and inspection -------------------------------------------------------------

  /** Adds a zone; returns its numeric id. */
  addZone(zone: string | { name: string; mode?: "primary" | "secondary"; ttl?: number; id?: number }): number {
    const z = typeof zone === "string" ? { name: zone } : zone;
    const name = normName(z.name);
    if (this.state.zones.some((x) => x.name === name)) throw new Error(`zone ${name} already exists`);
    const id = z.id ?? this.state.nextZoneId++;
    this.state.zones.push({
      id,
      name,
      mode: z.mode ?? "primary",
      ttl: z.ttl ?? 3600,
      created: this.ts(),
      status: "ok",
      registrar: "other",
      labels: {},
      protection: { delete: false },
      record_count: 0,
      authoritative_nameservers: {
        assigned: ["hydrogen.ns.hetzner.com.", "oxygen.ns.hetzner.com.", "helium.ns.hetzner.de."],
        delegated: [],
        delegation_last_check: null,
        delegation_status: "unknown",
      },
    });
    return id;
  }

  /** Adds an RRSet without API validation; returns its id (`name/type`). */
  addRRSet(zone: string | number, seed: HetznerRRSetSeed): string {
    const z = this.findZone(String(zone));
    if (!z) throw new Error(`unknown zone ${zone}`);
    const type = (seed.type ?? "A").toUpperCase();
    const name = seed.name;
    const id = `${name}/${type}`;
    if (this.state.rrsets.some((r) => r.zone === z.id && r.id === id)) throw new Error(`rrset ${id} already exists`);
    this.state.rrsets.push({
      id,
      name,
      type,
      ttl: seed.ttl === undefined ? null : seed.ttl,
      labels: seed.labels ?? {},
      protection: { change: false },
      records: seed.records.map((r) => (typeof r === "string" ? { value: r, comment: "" } : { value: r.value, comment: r.comment ?? "" })),
      zone: z.id,
    });
    this.recount(z.id);
    return id;
  }

  /** Adds one value (creating the RRSet if needed); returns the RRSet id. Same vocabulary as the other emulators. */
  addRecord(zone: string | number, seed: { name: string; type?: string; value: string; ttl?: number | null }): string {
    const z = this.findZone(String(zone));
    if (!z) throw new Error(`unknown zone ${zone}`);
    const type = (seed.type ?? "A").toUpperCase();
    const existing = this.state.rrsets.find((r) => r.zone === z.id && r.name === seed.name && r.type === type);
    if (existing) {
      existing.records.push({ value: seed.value, comment: "" });
      this.recount(z.id);
      return existing.id;
    }
    return this.addRRSet(z.id, { name: seed.name, type, ttl: seed.ttl, records: [seed.value] });
  }

  /** A copy of one RRSet, or undefined. */
  getRRSet(zone: string | number, name: string, type = "A"): HetznerRRSet | undefined {
    this.tick();
    const z = this.findZone(String(zone));
    return z ? clone(this.state.rrsets.find((r) => r.zone === z.id && r.name === name && r.type === type.toUpperCase())) : undefined;
  }

  /** The TTL resolvers get for an RRSet: its own, or the zone's default when it is null. */
  effectiveTtl(zone: string | number, name: string, type = "A"): number | undefined {
    const z = this.findZone(String(zone));
    const rr = this.getRRSet(zone, name, type);
    return z && rr ? (rr.ttl ?? z.ttl) : undefined;
  }

  /** Alias of {@link getRRSet}. */
  getRecord(zone: string | number, name: string, type = "A"): HetznerRRSet | undefined {
    return this.getRRSet(zone, name, type);
  }

  /** Copies of a zone's RRSets (or of all). */
  listRecords(zone?: string | number): HetznerRRSet[] {
    const z = zone === undefined ? undefined : this.findZone(String(zone));
    if (zone !== undefined && !z) return [];
    return clone(this.state.rrsets.filter((r) => !z || r.zone === z.id));
  }

  /** A copy of a zone by id or name. */
  getZone(zone: string | number): HetznerZone | undefined {
    return clone(this.findZone(String(zone)));
  }

  /** A copy of one action. */
  getAction(id: number): HetznerAction | undefined {
    this.tick();
    return clone(this.state.actions.find((a) => a.id === id));
  }

  /** Copies of every action, oldest first. */
  listActions(): HetznerAction[] {
    this.tick();
    return clone(this.state.actions);
  }

  /** How the next actions end. */
  setActionOutcome(outcome: HetznerActionOutcome): void {
    this.outcome = outcome;
  }

  /** Finishes every `running` action now: applies its change (`success`) or drops it (`error`). Returns how many. */
  completeActions(outcome: "success" | "error" = "success"): number {
    const pending = this.state.pending;
    this.state.pending = [];
    for (const p of pending) this.settle(p, outcome);
    return pending.length;
  }

  /** Ends the running actions whose time has come (on the emulator clock). */
  private tick(): void {
    if (this.state.pending.length === 0) return;
    const now = this.now().getTime();
    const due = this.state.pending.filter((p) => p.dueAt !== undefined && p.dueAt <= now);
    if (due.length === 0) return;
    this.state.pending = this.state.pending.filter((p) => !due.includes(p));
    for (const p of due) this.settle(p, p.outcome ?? "success");
  }

  private settle(p: PendingChange, outcome: "success" | "error"): void {
    const action = this.state.actions.find((a) => a.id === p.actionId);
    if (outcome === "success") this.apply(p.zone, p.rrset, p.change ?? { kind: "set_records", records: p.records ?? [] });
    if (action) this.finish(action, outcome);
  }

  private apply(zone: number, rrsetId: string, change: Change): void {
    const i = this.state.rrsets.findIndex((r) => r.zone === zone && r.id === rrsetId);
    if (i < 0) return;
    const rr = this.state.rrsets[i]!;
    if (change.kind === "set_records") rr.records = change.records;
    else if (change.kind === "change_ttl") rr.ttl = change.ttl;
    else this.state.rrsets.splice(i, 1);
    this.recount(zone);
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
    const s = snapshot as HetznerState;
    if (!isObject(s) || !Array.isArray(s.zones) || !Array.isArray(s.rrsets)) throw new Error("not a Hetzner emulator snapshot");
    this.state = clone({
      nextZoneId: s.nextZoneId ?? 1000001,
      nextActionId: s.nextActionId ?? 1,
      zones: s.zones,
      rrsets: s.rrsets,
      actions: s.actions ?? [],
      pending: s.pending ?? [],
    });
  }

  /** Number of record values across all RRSets. */
  recordCount(): number {
    return this.state.rrsets.reduce((n, r) => n + r.records.length, 0);
  }

  // ---- routes -----------------------------------------------------------------------------

  /** The routes to mount (paths include the prefix), named `<provider>.<resource>.<action>`. */
  routes(): RouteDef[] {
    const auth = (h: (req: EmuRequest) => EmuResponse) => (req: EmuRequest) => {
      this.tick();
      return this.authenticate(req) ?? h(req);
    };
    const rr = `${PREFIX}/zones/:zone/rrsets/:name/:type`;
    const routes: RouteDef[] = [
      { method: "GET", path: `${PREFIX}/zones`, name: "hetzner.zones.list", handler: auth((r) => this.listZones(r)) },
      { method: "GET", path: `${PREFIX}/zones/:zone`, name: "hetzner.zones.get", handler: auth((r) => this.getZoneRoute(r)) },
      { method: "GET", path: `${PREFIX}/zones/:zone/rrsets`, name: "hetzner.rrsets.list", handler: auth((r) => this.listRoute(r)) },
      { method: "POST", path: `${PREFIX}/zones/:zone/rrsets`, name: "hetzner.rrsets.create", handler: auth((r) => this.createRoute(r)) },
      { method: "GET", path: rr, name: "hetzner.rrsets.get", handler: auth((r) => this.getRoute(r)) },
      { method: "DELETE", path: rr, name: "hetzner.rrsets.delete", handler: auth((r) => this.deleteRoute(r)) },
      { method: "POST", path: `${rr}/actions/set_records`, name: "hetzner.rrsets.set_records", handler: auth((r) => this.setRecordsRoute(r)) },
      { method: "POST", path: `${rr}/actions/change_ttl`, name: "hetzner.rrsets.change_ttl", handler: auth((r) => this.changeTtlRoute(r)) },
      { method: "GET", path: `${PREFIX}/actions/:id`, name: "hetzner.actions.get", handler: auth((r) => this.getActionRoute(r)) },
      {
        method: "*",
        path: `${PREFIX}/*`,
        name: "hetzner.not_found",
        handler: () => error(404, "not_found", "not found"),
      },
    ];
    return withFaults(routes, this.faults, (kind) => this.faultResponse(kind));
  }

  // ---- internals --------------------------------------------------------------------------

  private ts(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  private findZone(idOrName: string): HetznerZone | undefined {
    if (/^[0-9]+$/.test(idOrName)) return this.state.zones.find((z) => z.id === Number(idOrName));
    return this.state.zones.find((z) => z.name === normName(idOrName));
  }

  private recount(zoneId: number): void {
    const z = this.state.zones.find((x) => x.id === zoneId);
    if (z) z.record_count = this.state.rrsets.filter((r) => r.zone === zoneId).reduce((n, r) => n + r.records.length, 0);
  }

  private faultResponse(kind: DnsFaultKind): EmuResponse {
    if (kind === "rate_limit") {
      return error(429, "rate_limit_exceeded", "limit of 3600 requests per hour reached", {}, {
        "ratelimit-limit": "3600",
        "ratelimit-remaining": "0",
        "ratelimit-reset": String(Math.ceil(this.now().getTime() / 1000) + 1),
      });
    }
    return error(500, "server_error", "Error while processing the request");
  }

  private authenticate(req: EmuRequest): EmuResponse | undefined {
    const token = bearerToken(req);
    if (typeof token !== "string" || !this.tokens.includes(token)) return error(401, "unauthorized", "unable to authenticate");
    return undefined;
  }

  private zone(req: EmuRequest): HetznerZone | Fail {
    return this.findZone(param(req, "zone")) ?? fail(error(404, "not_found", "zone not found"));
  }

  private primaryZone(req: EmuRequest): HetznerZone | Fail {
    const z = this.zone(req);
    if (isFail(z)) return z;
    if (z.mode !== "primary") return fail(error(422, "incorrect_zone_mode", `zone ${z.name} is in ${z.mode} mode; records can only be changed in primary zones`));
    return z;
  }

  private rrset(req: EmuRequest, zone: HetznerZone): HetznerRRSet | Fail {
    const name = param(req, "name");
    const type = param(req, "type");
    return this.state.rrsets.find((r) => r.zone === zone.id && r.name === name && r.type === type) ?? fail(error(404, "not_found", "rrset not found"));
  }

  private parse(req: EmuRequest): Record<string, unknown> | Fail {
    const parsed = parseJsonBody(req);
    if (!parsed.ok) return fail(error(400, "json_error", `Failed to parse JSON: ${parsed.error}`));
    if (parsed.value === undefined) return {};
    if (!isObject(parsed.value)) return fail(error(400, "json_error", "request body must be a JSON object"));
    return parsed.value;
  }

  /**
   * Records an action on `rrset` (undefined: zone-level, e.g. create) that makes `change`.
   * With outcome `success` and no duration the change is applied at once; otherwise the action
   * stays `running` until its due time (or `completeActions()` for outcome `running`). `always`:
   * the outcome setting is ignored and the change was already made (create: the RRSet exists at once).
   */
  private startAction(command: string, zone: HetznerZone, rrset: string | undefined, change: Change | undefined, always = false): HetznerAction {
    const ts = this.ts();
    const action: HetznerAction = {
      id: this.state.nextActionId++,
      command,
      status: "running",
      progress: 0,
      started: ts,
      finished: null,
      resources: [{ id: zone.id, type: "zone" }],
      error: null,
    };
    this.state.actions.push(action);
    if (always || rrset === undefined || change === undefined) {
      this.finish(action, "success");
      return action;
    }
    const manual = this.outcome === "running";
    const outcome = this.outcome === "error" ? "error" : "success";
    if (!manual && this.durationMs === 0) {
      if (outcome === "success") this.apply(zone.id, rrset, change);
      this.finish(action, outcome);
      return action;
    }
    this.state.pending.push({
      actionId: action.id,
      zone: zone.id,
      rrset,
      change,
      outcome,
      dueAt: manual ? undefined : this.now().getTime() + this.durationMs,
    });
    return action;
  }

  /** 423 `locked` while another action runs on the RRSet. */
  private locked(zone: HetznerZone, rr: HetznerRRSet): EmuResponse | undefined {
    if (!this.state.pending.some((p) => p.zone === zone.id && p.rrset === rr.id)) return undefined;
    return error(423, "locked", "The item you are trying to access is locked (there is already an action running)");
  }

  private finish(action: HetznerAction, outcome: "success" | "error"): void {
    action.status = outcome;
    action.progress = 100;
    action.finished = this.ts();
    action.error = outcome === "error" ? { code: "action_failed", message: "Action failed (emulated)" } : null;
  }

  private checkValues(type: string, records: unknown, field = "records"): HetznerRecordValue[] | Fail {
    if (!Array.isArray(records) || records.length === 0) return invalid([{ name: field, messages: ["must contain at least one record"] }]);
    const out: HetznerRecordValue[] = [];
    const fields: { name: string; messages: string[] }[] = [];
    records.forEach((r, i) => {
      if (!isObject(r) || typeof r.value !== "string" || r.value === "") {
        fields.push({ name: `${field}[${i}].value`, messages: ["is required and must be a string"] });
        return;
      }
      const v = r.value;
      const msg =
        type === "A" && !isIPv4(v)
          ? "is not a valid IPv4 address"
          : type === "AAAA" && !isIPv6(v)
            ? "is not a valid IPv6 address"
            : type === "CNAME" && !isHostname(v)
              ? "is not a valid host name"
              : undefined;
      if (msg) fields.push({ name: `${field}[${i}].value`, messages: [msg] });
      if (r.comment !== undefined && typeof r.comment !== "string") fields.push({ name: `${field}[${i}].comment`, messages: ["must be a string"] });
      out.push({ value: v, comment: typeof r.comment === "string" ? r.comment : "" });
    });
    if (type === "CNAME" && out.length > 1) fields.push({ name: field, messages: ["a CNAME RRSet holds exactly one record"] });
    return fields.length > 0 ? invalid(fields) : out;
  }

  private checkTtl(ttl: unknown): number | null | Fail {
    if (ttl === undefined || ttl === null) return null;
    if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < MIN_TTL || ttl > MAX_TTL) {
      return invalid([{ name: "ttl", messages: [`must be null or an integer between ${MIN_TTL} and ${MAX_TTL}`] }]);
    }
    return ttl;
  }

  private listZones(req: EmuRequest): EmuResponse {
    const name = req.query.get("name");
    const zones = this.state.zones.filter((z) => !name || z.name === normName(name));
    return { status: 200, body: { zones: clone(zones), meta: pagination(zones.length) } };
  }

  private getZoneRoute(req: EmuRequest): EmuResponse {
    const z = this.zone(req);
    if (isFail(z)) return z[FAIL];
    return { status: 200, body: { zone: clone(z) } };
  }

  private listRoute(req: EmuRequest): EmuResponse {
    const z = this.zone(req);
    if (isFail(z)) return z[FAIL];
    const names = req.query.getAll("name");
    const types = req.query.getAll("type").map((t) => t.toUpperCase());
    const list = this.state.rrsets.filter((r) => r.zone === z.id && (names.length === 0 || names.includes(r.name)) && (types.length === 0 || types.includes(r.type)));
    return { status: 200, body: { rrsets: clone(list), meta: pagination(list.length) } };
  }

  private getRoute(req: EmuRequest): EmuResponse {
    const z = this.zone(req);
    if (isFail(z)) return z[FAIL];
    const rr = this.rrset(req, z);
    if (isFail(rr)) return rr[FAIL];
    return { status: 200, body: { rrset: clone(rr) } };
  }

  private createRoute(req: EmuRequest): EmuResponse {
    const z = this.primaryZone(req);
    if (isFail(z)) return z[FAIL];
    const body = this.parse(req);
    if (isFail(body)) return body[FAIL];
    const name = body.name;
    const type = typeof body.type === "string" ? body.type : "";
    const fields: { name: string; messages: string[] }[] = [];
    if (typeof name !== "string" || !validRRName(name)) fields.push({ name: "name", messages: ['must be a lower-case name relative to the zone ("www", "@")'] });
    if (!TYPES.includes(type)) fields.push({ name: "type", messages: [`must be one of ${TYPES.join(", ")}`] });
    if (fields.length > 0) return invalid(fields)[FAIL];
    const ttl = this.checkTtl(body.ttl);
    if (isFail(ttl)) return ttl[FAIL];
    const records = this.checkValues(type, body.records);
    if (isFail(records)) return records[FAIL];
    const id = `${name}/${type}`;
    if (this.state.rrsets.some((r) => r.zone === z.id && r.id === id)) return error(409, "uniqueness_error", `rrset ${id} already exists`);
    const rrset: HetznerRRSet = {
      id,
      name: name as string,
      type,
      ttl,
      labels: isObject(body.labels) ? (body.labels as Record<string, string>) : {},
      protection: { change: false },
      records,
      zone: z.id,
    };
    this.state.rrsets.push(rrset);
    this.recount(z.id);
    const action = this.startAction("create_rrset", z, undefined, undefined, true);
    return { status: 201, body: { rrset: clone(rrset), action: clone(action) } };
  }

  private deleteRoute(req: EmuRequest): EmuResponse {
    const z = this.primaryZone(req);
    if (isFail(z)) return z[FAIL];
    const rr = this.rrset(req, z);
    if (isFail(rr)) return rr[FAIL];
    if (rr.protection.change) return error(403, "protected", "rrset is protected");
    const busy = this.locked(z, rr);
    if (busy) return busy;
    const action = this.startAction("delete_rrset", z, rr.id, { kind: "delete" });
    return { status: 201, body: { action: clone(action) } };
  }

  private setRecordsRoute(req: EmuRequest): EmuResponse {
    const z = this.primaryZone(req);
    if (isFail(z)) return z[FAIL];
    const rr = this.rrset(req, z);
    if (isFail(rr)) return rr[FAIL];
    if (rr.protection.change) return error(403, "protected", "rrset is protected");
    const busy = this.locked(z, rr);
    if (busy) return busy;
    const body = this.parse(req);
    if (isFail(body)) return body[FAIL];
    const records = this.checkValues(rr.type, body.records);
    if (isFail(records)) return records[FAIL];
    // A `ttl` in the body is ignored: set_records has no TTL (it stays as it is, null = zone default).
    const action = this.startAction("set_rrset_records", z, rr.id, { kind: "set_records", records });
    return { status: 201, body: { action: clone(action) } };
  }

  private changeTtlRoute(req: EmuRequest): EmuResponse {
    const z = this.primaryZone(req);
    if (isFail(z)) return z[FAIL];
    const rr = this.rrset(req, z);
    if (isFail(rr)) return rr[FAIL];
    const body = this.parse(req);
    if (isFail(body)) return body[FAIL];
    if (!("ttl" in body)) return invalid([{ name: "ttl", messages: ["is required (an integer, or null for the zone default)"] }])[FAIL];
    const ttl = this.checkTtl(body.ttl);
    if (isFail(ttl)) return ttl[FAIL];
    const busy = this.locked(z, rr);
    if (busy) return busy;
    const action = this.startAction("change_rrset_ttl", z, rr.id, { kind: "change_ttl", ttl });
    return { status: 201, body: { action: clone(action) } };
  }

  private getActionRoute(req: EmuRequest): EmuResponse {
    const raw = param(req, "id");
    const a = /^[0-9]+$/.test(raw) ? this.state.actions.find((x) => x.id === Number(raw)) : undefined;
    if (!a) return error(404, "not_found", "action not found");
    return { status: 200, body: { action: clone(a) } };
  }
}

/** Lower-case relative RRSet name: `@`, `*`, `*.sub`, or host labels; no trailing dot. */
function validRRName(name: string): boolean {
  if (name !== name.toLowerCase()) return false;
  if (name === "@" || name === "*") return true;
  const n = name.startsWith("*.") ? name.slice(2) : name;
  return !n.endsWith(".") && isHostname(n);
}

function pagination(total: number): Record<string, unknown> {
  return { pagination: { page: 1, per_page: Math.max(25, total), previous_page: null, next_page: null, last_page: 1, total_entries: total } };
}
