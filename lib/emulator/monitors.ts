/**
 * Heartbeat monitors (dead-man's switches), as Runlater's server runs them:
 * `/api/v1/monitors` CRUD and `/monitors/:id/pings` (`app_web/controllers/api/monitor_controller.ex`,
 * `app/monitors/monitor.ex`), `GET|POST /ping/:token` (`ping_controller.ex`, `Monitors.record_ping!`)
 * and the checker (`monitor_checker.ex`, `Monitors.find_overdue_monitors`): first check 5 s after
 * start, then every 30 s of emulator time; an enabled monitor in `new`/`up` whose
 * `next_expected_at + grace_period_seconds < now` goes `down` and fires `on_failure_url` once
 * (`monitor.down`); a ping sets `last_ping_at`, `next_expected_at` and moves `new`/`down` to `up`,
 * and `down → up` fires `on_recovery_url` (`monitor.recovered`). Both are one POST, 15 s, no retry
 * (`notifications.ex` `send_action_webhook`). A monitor never pinged never goes down.
 *
 * Route names: `runlater.monitors.{create,list,get,update,delete,pings}`, `runlater.ping`.
 *
 * Deliberate deviation: `ping_url` is `<origin>/ping/<token>` on the emulator's origin (the
 * server always writes `https://<host>/ping/<token>`, which a loopback emulator cannot serve).
 */
import { isoSeconds } from "./clock";
import type { Notifier } from "./hooks";
import { blank, castBool, castInt, normalizeCron, parseJson, unwrap, validHttpUrl } from "./runlater-api";
import { nextCronRun } from "./scheduler";
import { type MonitorRec, type RunlaterState, pingToken, uuidv7 } from "./state";
import type { EmuRequest, EmuResponse, RouteDef } from "./types";

/** Checker period (`@check_interval`). */
export const MONITOR_CHECK_INTERVAL_MS = 30_000;
/** First check after start (`Process.send_after(self(), :check, 5_000)`). */
export const MONITOR_FIRST_CHECK_MS = 5_000;
const MAX_PINGS_KEPT = 1000;
const FREE_MAX_MONITORS = 3;

/** What the monitor routes and the checker need. */
export interface MonitorContext {
  state: RunlaterState;
  now: () => number;
  orgOf: (req: EmuRequest) => string;
  tier: "pro" | "free";
  notifier: Notifier;
  /** Queues work at an emulator instant. */
  at: (t: number, run: () => Promise<void>) => void;
  onChange: () => void;
  /** Origin for `ping_url`. */
  originOf: (req: EmuRequest) => string;
  /** Emulator start (the checker's phase). */
  startedAt: number;
}

type Json = Record<string, unknown>;
type Errors = Record<string, string[]>;

const res = (status: number, body?: unknown): EmuResponse => ({ status, body });
const notFound = () => res(404, { error: { code: "not_found", message: "Resource not found" } });

function addErr(errs: Errors, field: string, msg: string): void {
  (errs[field] ??= []).push(msg);
}

/** Monitor → wire JSON (`monitor_json`). */
export function monitorJson(m: MonitorRec, origin: string): Json {
  const iso = (v: number | null) => (v === null ? null : isoSeconds(v));
  return {
    id: m.id,
    name: m.name,
    ping_token: m.ping_token,
    ping_url: `${origin}/ping/${m.ping_token}`,
    schedule_type: m.schedule_type,
    cron_expression: m.cron_expression,
    interval_seconds: m.interval_seconds,
    grace_period_seconds: m.grace_period_seconds,
    status: m.status,
    enabled: m.enabled,
    notify_on_failure: m.notify_on_failure,
    notify_on_recovery: m.notify_on_recovery,
    on_failure_url: m.on_failure_url,
    on_recovery_url: m.on_recovery_url,
    last_ping_at: iso(m.last_ping_at),
    next_expected_at: iso(m.next_expected_at),
    inserted_at: m.inserted_at,
    updated_at: m.updated_at,
  };
}

/** `Monitor.changeset`: casts and validates `p` onto `m` (create and update). */
function applyMonitorFields(p: Json, m: Partial<MonitorRec>, errs: Errors): void {
  if (p.name !== undefined) {
    if (p.name !== null && typeof p.name !== "string") addErr(errs, "name", "is invalid");
    else m.name = blank(p.name) ? undefined : (p.name as string);
  }
  if (p.schedule_type !== undefined) {
    if (p.schedule_type !== null && typeof p.schedule_type !== "string") addErr(errs, "schedule_type", "is invalid");
    else m.schedule_type = blank(p.schedule_type) ? undefined : (p.schedule_type as MonitorRec["schedule_type"]);
  }
  if (p.cron_expression !== undefined) {
    if (p.cron_expression !== null && typeof p.cron_expression !== "string") addErr(errs, "cron_expression", "is invalid");
    else if (blank(p.cron_expression)) m.cron_expression = null;
    else if (!normalizeCron(p.cron_expression)) addErr(errs, "cron_expression", "is not a valid cron expression");
    else m.cron_expression = (p.cron_expression as string).trim();
  }
  for (const f of ["interval_seconds", "grace_period_seconds"] as const) {
    const v = p[f];
    if (v === undefined) continue;
    if (v === null || v === "") {
      if (f === "interval_seconds") m.interval_seconds = null;
      continue;
    }
    const n = castInt(v);
    if (n === undefined) addErr(errs, f, "is invalid");
    else m[f] = n;
  }
  if (p.enabled !== undefined && p.enabled !== null) {
    const b = castBool(p.enabled);
    if (b === undefined) addErr(errs, "enabled", "is invalid");
    else m.enabled = b;
  }
  for (const f of ["notify_on_failure", "notify_on_recovery"] as const) {
    const v = p[f];
    if (v === undefined) continue;
    if (v === null) m[f] = null;
    else if (castBool(v) === undefined) addErr(errs, f, "is invalid");
    else m[f] = castBool(v)!;
  }
  for (const f of ["on_failure_url", "on_recovery_url"] as const) {
    const v = p[f];
    if (v === undefined) continue;
    if (blank(v)) m[f] = null;
    else if (!validHttpUrl(v)) addErr(errs, f, "must be a valid HTTP or HTTPS URL");
    else m[f] = String(v).trim();
  }
}

/** The record-level rules of `Monitor.changeset` (required fields, inclusion, ranges, schedule). */
function validateMonitor(m: Partial<MonitorRec>, errs: Errors): void {
  if (blank(m.name)) addErr(errs, "name", "can't be blank");
  if (blank(m.schedule_type)) addErr(errs, "schedule_type", "can't be blank");
  else if (m.schedule_type !== "cron" && m.schedule_type !== "interval") addErr(errs, "schedule_type", "is invalid");
  const g = m.grace_period_seconds;
  if (g !== undefined && g < 0) addErr(errs, "grace_period_seconds", "must be greater than or equal to 0");
  if (g !== undefined && g > 3600) addErr(errs, "grace_period_seconds", "must be less than or equal to 3600");
  if (m.schedule_type === "cron" && blank(m.cron_expression) && !errs.cron_expression) addErr(errs, "cron_expression", "can't be blank");
  if (m.schedule_type === "interval") {
    const i = m.interval_seconds;
    if (i === null || i === undefined) {
      if (!errs.interval_seconds) addErr(errs, "interval_seconds", "can't be blank");
    } else if (i < 60) addErr(errs, "interval_seconds", "must be greater than or equal to 60");
    else if (i > 604_800) addErr(errs, "interval_seconds", "must be less than or equal to 604800");
  }
}

/** Seconds between expected pings (`get_expected_interval_seconds`; cron: 86400 / pings per day). */
function expectedIntervalSeconds(m: MonitorRec): number {
  if (m.schedule_type === "interval") return m.interval_seconds ?? 0;
  if (!m.cron_expression) return 0;
  const day = Date.parse("2025-01-01T00:00:00Z");
  let n = 0;
  for (let t = nextCronRun(m.cron_expression, day - 1); t !== undefined && t < day + 86_400_000 && n < 1440; t = nextCronRun(m.cron_expression, t)) n++;
  return n > 0 ? Math.floor(86_400 / n) : 0;
}

/** Monitor routes plus the checker. */
export class Monitors {
  private checkArmed = false;
  constructor(private readonly ctx: MonitorContext) {}

  /** Arms the checker if a monitor could go down (keeps the event queue empty otherwise). */
  armChecker(): void {
    if (this.checkArmed || !this.anyWatchable()) return;
    this.checkArmed = true;
    const now = this.ctx.now();
    const first = this.ctx.startedAt + MONITOR_FIRST_CHECK_MS;
    const n = now <= first ? 0 : Math.ceil((now - first) / MONITOR_CHECK_INTERVAL_MS);
    this.ctx.at(first + n * MONITOR_CHECK_INTERVAL_MS, () => this.check());
  }

  private anyWatchable(): boolean {
    for (const m of this.ctx.state.monitors.values()) if (m.enabled && (m.status === "new" || m.status === "up") && m.next_expected_at !== null) return true;
    return false;
  }

  /** One checker run (`check_overdue_monitors`). */
  async check(): Promise<void> {
    this.checkArmed = false;
    const now = this.ctx.now();
    const overdue = [...this.ctx.state.monitors.values()].filter(
      (m) => m.enabled && (m.status === "new" || m.status === "up") && m.next_expected_at !== null && m.next_expected_at + m.grace_period_seconds * 1000 < now,
    );
    for (const m of overdue) {
      m.status = "down";
      m.updated_at = isoSeconds(now);
      this.ctx.onChange();
      if (m.on_failure_url) await this.hook("monitor.down", m, m.on_failure_url);
    }
    this.armChecker();
  }

  private hook(kind: "monitor.down" | "monitor.recovered", m: MonitorRec, url: string): Promise<void> {
    const payload = {
      event: kind,
      monitor: { id: m.id, name: m.name, status: kind === "monitor.down" ? "down" : "up", last_ping_at: m.last_ping_at === null ? null : isoSeconds(m.last_ping_at) },
    };
    return this.ctx.notifier.actionWebhook(kind, { taskId: m.id, monitorId: m.id }, url, payload);
  }

  /** `Monitors.record_ping!`. */
  private async ping(req: EmuRequest): Promise<EmuResponse> {
    let m: MonitorRec | undefined;
    for (const x of this.ctx.state.monitors.values()) if (x.ping_token === req.params.token) m = x;
    if (!m) return res(404, { error: "Monitor not found" });
    if (!m.enabled) return res(410, { error: "Monitor is disabled" });
    const now = Math.floor(this.ctx.now() / 1000) * 1000;
    const wasDown = m.status === "down";
    const list = this.ctx.state.monitorPings.get(m.id) ?? [];
    list.push({ id: uuidv7(now), monitor_id: m.id, received_at: now, expected_interval_seconds: expectedIntervalSeconds(m) });
    if (list.length > MAX_PINGS_KEPT) list.splice(0, list.length - MAX_PINGS_KEPT);
    this.ctx.state.monitorPings.set(m.id, list);
    m.last_ping_at = now;
    m.next_expected_at =
      m.schedule_type === "interval" ? now + (m.interval_seconds ?? 0) * 1000 : m.cron_expression ? (nextCronRun(m.cron_expression, now) ?? null) : null;
    if (m.status === "new" || m.status === "down") m.status = "up";
    this.ctx.onChange();
    this.armChecker();
    if (wasDown && m.on_recovery_url) await this.hook("monitor.recovered", m, m.on_recovery_url);
    return res(200, { status: "ok", monitor: m.name });
  }

  private find(req: EmuRequest): MonitorRec | undefined {
    const m = this.ctx.state.monitors.get(req.params.id);
    return m && m.org === this.ctx.orgOf(req) ? m : undefined;
  }

  private create(req: EmuRequest): EmuResponse {
    const parsed = parseJson(req);
    if (!parsed.ok) return parsed.res;
    const p = unwrap(parsed.value, "monitor");
    const errs: Errors = {};
    const m: Partial<MonitorRec> = {
      cron_expression: null,
      interval_seconds: null,
      grace_period_seconds: 300,
      enabled: true,
      notify_on_failure: null,
      notify_on_recovery: null,
      on_failure_url: null,
      on_recovery_url: null,
    };
    applyMonitorFields(p, m, errs);
    validateMonitor(m, errs);
    const org = this.ctx.orgOf(req);
    if (this.ctx.tier === "free" && [...this.ctx.state.monitors.values()].filter((x) => x.org === org).length >= FREE_MAX_MONITORS) {
      addErr(errs, "base", `You've reached the maximum number of monitors for your plan (${FREE_MAX_MONITORS}). Upgrade to Pro for unlimited monitors.`);
    }
    if (Object.keys(errs).length > 0) return res(422, { error: { code: "validation_error", details: errs } });
    const now = this.ctx.now();
    const rec: MonitorRec = {
      ...(m as MonitorRec),
      id: uuidv7(now),
      org,
      ping_token: pingToken(),
      status: "new",
      last_ping_at: null,
      next_expected_at: null,
      inserted_at: isoSeconds(now),
      updated_at: isoSeconds(now),
    };
    this.ctx.state.monitors.set(rec.id, rec);
    this.ctx.onChange();
    return res(201, { data: monitorJson(rec, this.ctx.originOf(req)) });
  }

  /** `Monitors.update_monitor`: the changeset only (status and next_expected_at stay). */
  private update(req: EmuRequest): EmuResponse {
    const m = this.find(req);
    if (!m) return notFound();
    const parsed = parseJson(req);
    if (!parsed.ok) return parsed.res;
    const errs: Errors = {};
    const patch: Partial<MonitorRec> = {};
    applyMonitorFields(unwrap(parsed.value, "monitor"), patch, errs);
    const merged = { ...m, ...patch };
    validateMonitor(merged, errs);
    if (Object.keys(errs).length > 0) return res(422, { error: { code: "validation_error", details: errs } });
    Object.assign(m, patch, { updated_at: isoSeconds(this.ctx.now()) });
    this.ctx.onChange();
    this.armChecker();
    return res(200, { data: monitorJson(m, this.ctx.originOf(req)) });
  }

  /** The routes. */
  routes(): RouteDef[] {
    const org = (r: EmuRequest) => this.ctx.orgOf(r);
    return [
      { method: "POST", path: "/api/v1/monitors", name: "runlater.monitors.create", handler: (r) => this.create(r) },
      {
        method: "GET",
        path: "/api/v1/monitors",
        name: "runlater.monitors.list",
        handler: (r) => {
          const list = [...this.ctx.state.monitors.values()].filter((m) => m.org === org(r)).sort((a, b) => (a.id < b.id ? 1 : -1));
          return res(200, { data: list.map((m) => monitorJson(m, this.ctx.originOf(r))) });
        },
      },
      {
        method: "GET",
        path: "/api/v1/monitors/:id",
        name: "runlater.monitors.get",
        handler: (r) => {
          const m = this.find(r);
          return m ? res(200, { data: monitorJson(m, this.ctx.originOf(r)) }) : notFound();
        },
      },
      { method: "PUT", path: "/api/v1/monitors/:id", name: "runlater.monitors.update", handler: (r) => this.update(r) },
      { method: "PATCH", path: "/api/v1/monitors/:id", name: "runlater.monitors.update", handler: (r) => this.update(r) },
      {
        method: "DELETE",
        path: "/api/v1/monitors/:id",
        name: "runlater.monitors.delete",
        handler: (r) => {
          const m = this.find(r);
          if (!m) return notFound();
          this.ctx.state.monitors.delete(m.id);
          this.ctx.state.monitorPings.delete(m.id);
          this.ctx.onChange();
          return res(204);
        },
      },
      {
        method: "GET",
        path: "/api/v1/monitors/:id/pings",
        name: "runlater.monitors.pings",
        handler: (r) => {
          const m = this.find(r);
          if (!m) return notFound();
          // `parse_limit`: 1..100, anything else → 50.
          const n = Number.parseInt(r.query.get("limit") ?? "", 10);
          const limit = Number.isInteger(n) && n > 0 && n <= 100 ? n : 50;
          const pings = [...(this.ctx.state.monitorPings.get(m.id) ?? [])].reverse().slice(0, limit);
          return res(200, { data: pings.map((x) => ({ id: x.id, received_at: isoSeconds(x.received_at) })) });
        },
      },
      { method: "GET", path: "/ping/:token", name: "runlater.ping", handler: (r) => this.ping(r) },
      { method: "POST", path: "/ping/:token", name: "runlater.ping", handler: (r) => this.ping(r) },
    ];
  }
}
