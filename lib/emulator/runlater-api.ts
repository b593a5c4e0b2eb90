/**
 * Runlater API routes (`/api/v1/…`) and inbound endpoints (`/in/:slug`), with the contract's
 * validation, envelopes and (non-uniform) error shapes. Auth, idempotency and rate limits are
 * applied by the server core before these handlers run.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Cron } from "croner";
import { isoSeconds } from "./clock";
import type { Scheduler } from "./scheduler";
import { type EndpointRec, endpointSlug, type InboundEventRec, type RunlaterState, type TaskRec, uuidv7 } from "./state";
import type { EmuRequest, EmuResponse, RouteDef } from "./types";

/** Context the handlers need. */
export interface RunlaterApiContext {
  state: RunlaterState;
  scheduler: Scheduler;
  now: () => number;
  /** Org of the authenticated request (set by the server core). */
  orgOf: (req: EmuRequest) => string;
  allowPrivateTargets: boolean;
  tier: "pro" | "free";
  onChange: () => void;
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailers",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

type Json = Record<string, unknown>;
type Errors = Record<string, string[]>;

const ok = (status: number, body?: unknown, headers?: Record<string, string>): EmuResponse => ({ status, body, headers });
const notFound = (): EmuResponse => ok(404, { error: { code: "not_found", message: "Resource not found" } });
const invalid = (details: Errors): EmuResponse => ok(422, { error: { code: "validation_error", details } });
const badRequest = (code: string, message: string): EmuResponse => ok(400, { error: { code, message } });

function addErr(errs: Errors, field: string, msg: string): void {
  (errs[field] ??= []).push(msg);
}

function parseJson(req: EmuRequest): Json | EmuResponse {
  if (req.body.trim() === "") return {};
  try {
    const v = JSON.parse(req.body);
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Json;
    return badRequest("bad_request", "body must be a JSON object");
  } catch {
    return badRequest("bad_request", "malformed JSON body");
  }
}

function isResponse(v: unknown): v is EmuResponse {
  return !!v && typeof v === "object" && typeof (v as EmuResponse).status === "number" && !("url" in (v as object));
}

function unwrap(body: Json, key: string): Json {
  const inner = body[key];
  return inner && typeof inner === "object" && !Array.isArray(inner) ? (inner as Json) : body;
}

/** True for hosts Runlater's SSRF rule refuses (literal check). */
export function isPrivateAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const v = isIP(h);
  if (v === 4) {
    const [a, b] = h.split(".").map(Number);
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (v === 6) return h === "::1" || h === "::" || h.startsWith("fc") || h.startsWith("fd") || h.startsWith("fe80");
  return false;
}

function validUrl(v: unknown): URL | undefined {
  if (typeof v !== "string") return undefined;
  try {
    const u = new URL(v.trim());
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname ? u : undefined;
  } catch {
    return undefined;
  }
}

async function resolvesPrivate(host: string): Promise<boolean> {
  if (isPrivateAddress(host)) return true;
  if (isIP(host.replace(/^\[|\]$/g, ""))) return false;
  try {
    const addrs = await lookup(host, { all: true });
    return addrs.some((a) => isPrivateAddress(a.address));
  } catch {
    return false; // unresolvable: the execution will fail later, as in production
  }
}

/** Estimated minimum interval (minutes) of a cron expression, as Runlater's tier check does. */
function cronIntervalMinutes(expr: string): number {
  const [min, hour] = expr.trim().split(/\s+/);
  if (min === "*") return 1;
  const step = /^\*\/(\d+)$/.exec(min);
  if (step) return Number(step[1]);
  if (min.includes(",") || min.includes("-")) return 1;
  if (hour === "*") return 60;
  return 60;
}

function validCron(expr: unknown): boolean {
  if (typeof expr !== "string" || expr.trim().split(/\s+/).length !== 5) return false;
  try {
    new Cron(expr.trim(), { paused: true, timezone: "UTC" }).stop();
    return true;
  } catch {
    return false;
  }
}

/** Shared task field validation; mutates `t` with cast values. */
async function applyTaskFields(
  ctx: RunlaterApiContext,
  p: Json,
  t: Partial<TaskRec>,
  errs: Errors,
  opts: { create: boolean; cron: boolean },
): Promise<void> {
  if (p.url !== undefined || opts.create) {
    const u = validUrl(p.url);
    if (!u) addErr(errs, "url", p.url === undefined || p.url === "" ? "can't be blank" : "must be a valid HTTP or HTTPS URL");
    else {
      if (opts.cron && !ctx.allowPrivateTargets && (await resolvesPrivate(u.hostname))) {
        addErr(errs, "url", "cannot target private or internal addresses");
      }
      t.url = String(p.url).trim();
    }
  }
  if (p.name !== undefined) {
    if (typeof p.name !== "string") addErr(errs, "name", "is invalid");
    else t.name = p.name;
  }
  if (p.method !== undefined) {
    if (typeof p.method !== "string" || !METHODS.includes(p.method.toUpperCase())) addErr(errs, "method", "is invalid");
    else t.method = p.method.toUpperCase();
  }
  if (p.headers !== undefined) {
    if (p.headers === null || typeof p.headers !== "object" || Array.isArray(p.headers)) addErr(errs, "headers", "is invalid");
    else t.headers = Object.fromEntries(Object.entries(p.headers as Json).map(([k, v]) => [k, String(v)]));
  }
  if (p.body !== undefined) {
    if (p.body !== null && typeof p.body !== "string") addErr(errs, "body", "is invalid");
    else if (typeof p.body === "string" && Buffer.byteLength(p.body) > 256 * 1024) addErr(errs, "body", "must be less than 256KB");
    else t.body = p.body as string | null;
  }
  const int = (field: string, min: number, max: number, key: keyof TaskRec) => {
    const v = p[field];
    if (v === undefined) return;
    if (typeof v !== "number" || !Number.isInteger(v)) addErr(errs, field, "is invalid");
    else if (v < min) addErr(errs, field, `must be greater than or equal to ${min}`);
    else if (v > max) addErr(errs, field, `must be less than or equal to ${max}`);
    else (t as Json)[key] = v;
  };
  int("timeout_ms", 1000, 300_000, "timeout_ms");
  int("retry_attempts", 0, 10, "retry_attempts");
  if (p.expected_status_codes !== undefined) {
    const v = p.expected_status_codes;
    if (v === null || v === "") t.expected_status_codes = null;
    else if (typeof v !== "string") addErr(errs, "expected_status_codes", "is invalid");
    else {
      const codes = v.split(",").map((s) => s.trim());
      if (codes.some((c) => !/^\d{3}$/.test(c) || Number(c) < 100 || Number(c) > 599)) {
        addErr(errs, "expected_status_codes", "must be comma-separated HTTP status codes (100-599)");
      } else t.expected_status_codes = codes.join(",");
    }
  }
  if (p.expected_body_pattern !== undefined) {
    if (p.expected_body_pattern !== null && typeof p.expected_body_pattern !== "string") addErr(errs, "expected_body_pattern", "is invalid");
    else t.expected_body_pattern = (p.expected_body_pattern as string | null) || null;
  }
  for (const f of ["on_failure_url", "on_recovery_url", "callback_url"] as const) {
    const v = p[f];
    if (v === undefined) continue;
    if (v === null || v === "") t[f] = null;
    else if (!validUrl(v)) addErr(errs, f, "must be a valid HTTP or HTTPS URL");
    else t[f] = String(v);
  }
  for (const f of ["notify_on_failure", "notify_on_recovery"] as const) {
    const v = p[f];
    if (v === undefined) continue;
    if (v !== null && typeof v !== "boolean") addErr(errs, f, "is invalid");
    else t[f] = v as boolean | null;
  }
  if (p.enabled !== undefined) {
    if (typeof p.enabled !== "boolean") addErr(errs, "enabled", "is invalid");
    else t.enabled = p.enabled;
  }
  const lane = p.lane ?? p.queue;
  if (lane !== undefined) t.queue = lane === null || lane === "" ? null : String(lane);
}

/** Task → wire JSON (contract §3.2; `callback_url` is not serialized). */
export function taskJson(t: TaskRec): Json {
  return {
    id: t.id,
    name: t.name,
    url: t.url,
    method: t.method,
    headers: t.headers,
    body: t.body,
    schedule_type: t.schedule_type,
    cron_expression: t.cron_expression,
    scheduled_at: t.scheduled_at,
    enabled: t.enabled,
    timeout_ms: t.timeout_ms,
    retry_attempts: t.retry_attempts,
    expected_status_codes: t.expected_status_codes,
    expected_body_pattern: t.expected_body_pattern,
    queue: t.queue,
    lane: t.queue,
    notify_on_failure: t.notify_on_failure,
    notify_on_recovery: t.notify_on_recovery,
    on_failure_url: t.on_failure_url,
    on_recovery_url: t.on_recovery_url,
    next_run_at: t.next_run_at,
    inserted_at: t.inserted_at,
    updated_at: t.updated_at,
  };
}

/** Endpoint → wire JSON; `inbound_url` uses the request's origin. */
export function endpointJson(e: EndpointRec, origin: string): Json {
  const { org: _org, ...rest } = e;
  return { ...rest, use_lane: e.use_queue, inbound_url: `${origin}/in/${e.slug}` };
}

function execJson(e: { [k: string]: unknown }): Json {
  const iso = (v: unknown) => (typeof v === "number" ? isoSeconds(v) : null);
  return {
    id: e.id,
    status: e.status,
    scheduled_for: iso(e.scheduled_for),
    started_at: iso(e.started_at),
    finished_at: iso(e.finished_at),
    status_code: e.status_code,
    duration_ms: e.duration_ms,
    error_message: e.error_message,
    attempt: e.attempt,
  };
}

function clampLimit(v: string | null, def = 50): number {
  const n = Number(v);
  if (!v || !Number.isFinite(n) || n <= 0) return def;
  return Math.min(100, Math.floor(n));
}

/** The Runlater routes. */
export function runlaterRoutes(ctx: RunlaterApiContext): RouteDef[] {
  const st = ctx.state;
  const nowIso = () => isoSeconds(ctx.now());
  const findTask = (req: EmuRequest, cronOnly = false): TaskRec | undefined => {
    const t = st.tasks.get(req.params.id);
    if (!t || t.org !== ctx.orgOf(req) || t.deleted_at) return undefined;
    if (cronOnly && t.schedule_type !== "cron") return undefined;
    return t;
  };
  const findEndpoint = (req: EmuRequest): EndpointRec | undefined => {
    const e = st.endpoints.get(req.params.id);
    return e && e.org === ctx.orgOf(req) ? e : undefined;
  };

  const createTask = async (req: EmuRequest, viaSchedules: boolean): Promise<EmuResponse> => {
    const parsed = parseJson(req);
    if (isResponse(parsed)) return parsed;
    const p = unwrap(unwrap(parsed, "task"), "schedule");
    const cronExpr = p.cron ?? (viaSchedules ? p.cron_expression : undefined);
    const isCron = cronExpr !== undefined;
    const errs: Errors = {};
    const now = ctx.now();
    const t: Partial<TaskRec> = {
      headers: {},
      body: isCron ? null : "",
      method: isCron ? "GET" : "POST",
      enabled: true,
      timeout_ms: 30_000,
      retry_attempts: 5,
      expected_status_codes: null,
      expected_body_pattern: null,
      queue: null,
      notify_on_failure: null,
      notify_on_recovery: null,
      on_failure_url: null,
      on_recovery_url: null,
      callback_url: null,
    };
    await applyTaskFields(ctx, p, t, errs, { create: true, cron: isCron });
    let scheduledAt = now + 1000;
    if (isCron) {
      if (!validCron(cronExpr)) addErr(errs, "cron_expression", "is not a valid cron expression");
      else if (ctx.tier === "free" && cronIntervalMinutes(String(cronExpr)) < 60) {
        addErr(
          errs,
          "cron_expression",
          "Free plan only allows hourly or less frequent schedules. Upgrade to Pro for per-minute scheduling.",
        );
      }
    } else if (p.delay !== undefined) {
      const d = p.delay;
      let secs: number | undefined;
      if (typeof d === "number") secs = d;
      else if (typeof d === "string") {
        if (d === "") return badRequest("invalid_delay", "delay is required");
        const m = /^(\d+)(s|m|h|d)$/.exec(d);
        if (!m) return badRequest("invalid_delay", "invalid delay format. Use a number with unit: 30s, 5m, 2h, 1d");
        secs = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s"];
      } else return badRequest("invalid_delay", "delay must be a string or integer");
      if (!(secs! > 0)) return badRequest("invalid_delay", "delay must be greater than 0");
      scheduledAt = now + secs! * 1000;
    } else if (p.run_at !== undefined) {
      const at = typeof p.run_at === "string" && /[Zz]|[+-]\d\d:?\d\d$/.test(p.run_at) ? Date.parse(p.run_at) : Number.NaN;
      if (Number.isNaN(at)) return badRequest("invalid_run_at", "run_at must be a valid ISO 8601 datetime");
      if (at < now - 300_000) addErr(errs, "scheduled_at", "must be in the future");
      scheduledAt = at;
    }
    if (Object.keys(errs).length > 0) return invalid(errs);
    const task: TaskRec = {
      ...(t as TaskRec),
      id: uuidv7(now),
      org: ctx.orgOf(req),
      name: (t.name ?? (isCron ? `Cron: ${t.url}` : `${t.url} · ${new Date(now).toUTCString().slice(5, 22)}`)) as string,
      schedule_type: isCron ? "cron" : "once",
      cron_expression: isCron ? String(cronExpr).trim() : null,
      scheduled_at: isCron ? null : isoSeconds(scheduledAt),
      next_run_at: null,
      inserted_at: isoSeconds(now),
      updated_at: isoSeconds(now),
      deleted_at: null,
    };
    if (!isCron) task.enabled = true;
    st.tasks.set(task.id, task);
    ctx.onChange();
    if (isCron) {
      ctx.scheduler.scheduleCron(task);
      return ok(201, { data: taskJson(task), message: "Cron task created" });
    }
    const exec = ctx.scheduler.enqueueOnce(task, scheduledAt, 1, task.callback_url ?? undefined);
    return ok(202, {
      data: { task_id: task.id, execution_id: exec.id, status: "pending", scheduled_for: isoSeconds(scheduledAt) },
      message: "Task queued for execution",
    });
  };

  const updateTask = async (req: EmuRequest, viaSchedules: boolean): Promise<EmuResponse> => {
    const t = findTask(req, viaSchedules);
    if (!t) return notFound();
    const parsed = parseJson(req);
    if (isResponse(parsed)) return parsed;
    const p = unwrap(unwrap(parsed, "task"), "schedule");
    const errs: Errors = {};
    const patch: Partial<TaskRec> = {};
    await applyTaskFields(ctx, p, patch, errs, { create: false, cron: t.schedule_type === "cron" });
    // `cron`, `delay` and `run_at` are silently ignored on update (contract §3.4).
    if (p.cron_expression !== undefined) {
      if (!validCron(p.cron_expression)) addErr(errs, "cron_expression", "is not a valid cron expression");
      else if (ctx.tier === "free" && cronIntervalMinutes(String(p.cron_expression)) < 60) {
        addErr(errs, "cron_expression", "Free plan only allows hourly or less frequent schedules. Upgrade to Pro for per-minute scheduling.");
      } else patch.cron_expression = String(p.cron_expression).trim();
    }
    if (Object.keys(errs).length > 0) return invalid(errs);
    Object.assign(t, patch, { updated_at: nowIso() });
    if (t.schedule_type === "cron") ctx.scheduler.scheduleCron(t);
    ctx.onChange();
    return ok(200, { data: taskJson(t) });
  };

  const deleteTask = (req: EmuRequest, viaSchedules: boolean): EmuResponse => {
    const t = findTask(req, viaSchedules);
    if (!t) return notFound();
    t.deleted_at = nowIso();
    t.enabled = false;
    t.next_run_at = null;
    ctx.scheduler.cancel(t.id);
    for (const e of st.executions.values()) if (e.task_id === t.id && e.status === "pending") e.status = "missed";
    ctx.onChange();
    return ok(204);
  };

  const listTasks = (req: EmuRequest, cronOnly: boolean): EmuResponse => {
    const org = ctx.orgOf(req);
    const limit = clampLimit(req.query.get("limit"));
    const offNum = Number(req.query.get("offset"));
    const offset = Number.isFinite(offNum) && offNum > 0 ? Math.floor(offNum) : 0;
    const q = req.query.get("queue") ?? req.query.get("lane");
    const all = [...st.tasks.values()]
      .filter((t) => t.org === org && !t.deleted_at && !t.endpoint_id && (!cronOnly || t.schedule_type === "cron"))
      .filter((t) => (q === null ? true : q === "none" ? t.queue === null : t.queue === q))
      .sort((a, b) => (a.inserted_at < b.inserted_at ? 1 : a.inserted_at > b.inserted_at ? -1 : a.id < b.id ? 1 : -1));
    const page = all.slice(offset, offset + limit);
    return ok(200, { data: page.map(taskJson), has_more: all.length > offset + limit, limit, offset });
  };

  const endpointFields = (p: Json, e: Partial<EndpointRec>, errs: Errors, create: boolean) => {
    if (p.name !== undefined || create) {
      if (typeof p.name !== "string" || p.name.trim() === "") addErr(errs, "name", "can't be blank");
      else e.name = p.name;
    }
    let urls = p.forward_urls;
    if (urls === undefined && typeof p.forward_url === "string") urls = [p.forward_url];
    if (urls !== undefined || create) {
      if (!Array.isArray(urls) || urls.length === 0) addErr(errs, "forward_urls", "can't be blank");
      else if (urls.length > 10) addErr(errs, "forward_urls", "can't have more than 10 URLs");
      else {
        const bad = urls.find((u) => !validUrl(u));
        if (bad !== undefined) addErr(errs, "forward_urls", `contains an invalid URL: ${bad}`);
        else e.forward_urls = urls.map(String);
      }
    }
    if (p.enabled !== undefined) {
      if (typeof p.enabled !== "boolean") addErr(errs, "enabled", "is invalid");
      else e.enabled = p.enabled;
    }
    if (p.retry_attempts !== undefined) {
      const v = p.retry_attempts;
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 10) addErr(errs, "retry_attempts", "must be between 0 and 10");
      else e.retry_attempts = v;
    }
    const uq = p.use_lane ?? p.use_queue;
    if (uq !== undefined) {
      if (typeof uq !== "boolean") addErr(errs, "use_queue", "is invalid");
      else e.use_queue = uq;
    }
    for (const f of ["notify_on_failure", "notify_on_recovery"] as const) {
      if (p[f] === undefined) continue;
      if (p[f] !== null && typeof p[f] !== "boolean") addErr(errs, f, "is invalid");
      else e[f] = p[f] as boolean | null;
    }
    for (const f of ["on_failure_url", "on_recovery_url"] as const) {
      const v = p[f];
      if (v === undefined) continue;
      if (v === null || v === "") e[f] = null;
      else if (!validUrl(v)) addErr(errs, f, "must be a valid HTTP or HTTPS URL");
      else e[f] = String(v);
    }
    if (p.forward_headers !== undefined) {
      const v = p.forward_headers;
      if (v === null) e.forward_headers = {};
      else if (typeof v !== "object" || Array.isArray(v)) addErr(errs, "forward_headers", "is invalid");
      else e.forward_headers = Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, String(x)]));
    }
    if (p.forward_body !== undefined) {
      const v = p.forward_body;
      if (v !== null && typeof v !== "string") addErr(errs, "forward_body", "is invalid");
      else if (typeof v === "string" && Buffer.byteLength(v) > 256 * 1024) addErr(errs, "forward_body", "must be less than 256KB");
      else e.forward_body = v === "" ? null : (v as string | null);
    }
    if (p.forward_method !== undefined) {
      const v = p.forward_method;
      if (v === null || v === "") e.forward_method = null;
      else if (typeof v !== "string" || !METHODS.includes(v.toUpperCase())) addErr(errs, "forward_method", "must be a valid HTTP method");
      else e.forward_method = v.toUpperCase();
    }
  };

  const inbound = async (req: EmuRequest): Promise<EmuResponse> => {
    const ep = [...st.endpoints.values()].find((e) => e.slug === req.params.slug);
    if (!ep) return ok(404, { error: "Not found" });
    if (!ep.enabled) return ok(410, { error: "Endpoint disabled" });
    const now = ctx.now();
    const event: InboundEventRec = {
      id: uuidv7(now),
      endpoint_id: ep.id,
      method: req.method,
      headers: { ...req.headers },
      body: req.body,
      source_ip: (req.headers["x-forwarded-for"] ?? "").split(",")[0].trim() || req.remoteAddress,
      received_at: now,
      task_ids: [],
    };
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) base[k] = v;
    const n = ep.forward_urls.length;
    ep.forward_urls.forEach((url, i) => {
      const task: TaskRec = {
        id: uuidv7(now),
        org: ep.org,
        name: `${ep.name} · event ${event.id.slice(0, 8)}${n > 1 ? ` → ${i + 1}/${n}` : ""}`,
        url,
        method: ep.forward_method ?? req.method,
        headers: { ...base, ...ep.forward_headers },
        body: ep.forward_body ? ep.forward_body : req.body,
        schedule_type: "once",
        cron_expression: null,
        scheduled_at: isoSeconds(now),
        enabled: true,
        timeout_ms: 30_000,
        retry_attempts: ep.retry_attempts,
        expected_status_codes: null,
        expected_body_pattern: null,
        queue: ep.use_queue ? ep.name.toLowerCase().replace(/[^a-z0-9]+/g, "-") : null,
        notify_on_failure: ep.notify_on_failure,
        notify_on_recovery: ep.notify_on_recovery,
        on_failure_url: ep.on_failure_url,
        on_recovery_url: ep.on_recovery_url,
        callback_url: null,
        next_run_at: null,
        inserted_at: isoSeconds(now),
        updated_at: isoSeconds(now),
        deleted_at: null,
        endpoint_id: ep.id,
      };
      st.tasks.set(task.id, task);
      event.task_ids.push(task.id);
      ctx.scheduler.enqueueOnce(task, now);
    });
    st.events.set(event.id, event);
    ctx.onChange();
    return ok(200, { id: event.id, status: "received" });
  };

  const routes: RouteDef[] = [
    { method: "POST", path: "/api/v1/tasks", name: "runlater.tasks.create", handler: (r) => createTask(r, false) },
    { method: "GET", path: "/api/v1/tasks", name: "runlater.tasks.list", handler: (r) => listTasks(r, false) },
    {
      method: "DELETE",
      path: "/api/v1/tasks",
      name: "runlater.tasks.cancel_queue",
      handler: (r) => {
        const q = r.query.get("queue") ?? r.query.get("lane");
        if (!q) return badRequest("invalid_params", "queue parameter is required");
        let n = 0;
        for (const e of st.executions.values()) {
          const t = st.tasks.get(e.task_id);
          if (t && t.org === ctx.orgOf(r) && t.queue === q && e.status === "pending") {
            e.status = "missed";
            n++;
          }
        }
        return ok(200, { data: { cancelled: n }, message: `${n} tasks cancelled` });
      },
    },
    {
      method: "GET",
      path: "/api/v1/tasks/:id",
      name: "runlater.tasks.get",
      handler: (r) => {
        const t = findTask(r);
        return t ? ok(200, { data: taskJson(t) }) : notFound();
      },
    },
    { method: "PUT", path: "/api/v1/tasks/:id", name: "runlater.tasks.update", handler: (r) => updateTask(r, false) },
    { method: "PATCH", path: "/api/v1/tasks/:id", name: "runlater.tasks.update", handler: (r) => updateTask(r, false) },
    { method: "DELETE", path: "/api/v1/tasks/:id", name: "runlater.tasks.delete", handler: (r) => deleteTask(r, false) },
    {
      method: "POST",
      path: "/api/v1/tasks/:id/trigger",
      name: "runlater.tasks.trigger",
      handler: (r) => {
        const t = findTask(r);
        if (!t) return notFound();
        const exec = ctx.scheduler.enqueueOnce(t, ctx.now());
        return ok(202, {
          data: { execution_id: exec.id, status: "pending", scheduled_for: isoSeconds(exec.scheduled_for) },
          message: "Task triggered successfully",
        });
      },
    },
    {
      method: "GET",
      path: "/api/v1/tasks/:id/executions",
      name: "runlater.tasks.executions",
      handler: (r) => {
        const t = findTask(r);
        if (!t) return notFound();
        const limit = clampLimit(r.query.get("limit"));
        const list = [...st.executions.values()]
          .filter((e) => e.task_id === t.id)
          .sort((a, b) => b.scheduled_for - a.scheduled_for)
          .slice(0, limit);
        return ok(200, { data: list.map((e) => execJson(e as unknown as Json)) });
      },
    },
    // Newer API: recurring tasks under /schedules (same store; cron tasks only).
    { method: "POST", path: "/api/v1/schedules", name: "runlater.schedules.create", handler: (r) => createTask(r, true) },
    { method: "GET", path: "/api/v1/schedules", name: "runlater.schedules.list", handler: (r) => listTasks(r, true) },
    {
      method: "GET",
      path: "/api/v1/schedules/:id",
      name: "runlater.schedules.get",
      handler: (r) => {
        const t = findTask(r, true);
        return t ? ok(200, { data: taskJson(t) }) : notFound();
      },
    },
    { method: "PUT", path: "/api/v1/schedules/:id", name: "runlater.schedules.update", handler: (r) => updateTask(r, true) },
    { method: "PATCH", path: "/api/v1/schedules/:id", name: "runlater.schedules.update", handler: (r) => updateTask(r, true) },
    { method: "DELETE", path: "/api/v1/schedules/:id", name: "runlater.schedules.delete", handler: (r) => deleteTask(r, true) },
    {
      method: "POST",
      path: "/api/v1/endpoints",
      name: "runlater.endpoints.create",
      handler: (r) => {
        const parsed = parseJson(r);
        if (isResponse(parsed)) return parsed;
        const p = unwrap(parsed, "endpoint");
        const errs: Errors = {};
        const e: Partial<EndpointRec> = {
          enabled: true,
          retry_attempts: 5,
          use_queue: true,
          notify_on_failure: null,
          notify_on_recovery: null,
          on_failure_url: null,
          on_recovery_url: null,
          forward_headers: {},
          forward_body: null,
          forward_method: null,
        };
        endpointFields(p, e, errs, true);
        const org = ctx.orgOf(r);
        if (ctx.tier === "free" && [...st.endpoints.values()].filter((x) => x.org === org).length >= 3) {
          addErr(errs, "base", "You've reached the maximum number of endpoints for your plan (3). Upgrade to Pro for unlimited endpoints.");
        }
        if (Object.keys(errs).length > 0) return invalid(errs);
        const now = ctx.now();
        const rec: EndpointRec = {
          ...(e as EndpointRec),
          id: uuidv7(now),
          org,
          slug: endpointSlug(),
          inserted_at: isoSeconds(now),
          updated_at: isoSeconds(now),
        };
        st.endpoints.set(rec.id, rec);
        ctx.onChange();
        return ok(201, { data: endpointJson(rec, r.origin) });
      },
    },
    {
      method: "GET",
      path: "/api/v1/endpoints",
      name: "runlater.endpoints.list",
      handler: (r) => {
        const org = ctx.orgOf(r);
        return ok(200, { data: [...st.endpoints.values()].filter((e) => e.org === org).map((e) => endpointJson(e, r.origin)) });
      },
    },
    {
      method: "GET",
      path: "/api/v1/endpoints/:id",
      name: "runlater.endpoints.get",
      handler: (r) => {
        const e = findEndpoint(r);
        return e ? ok(200, { data: endpointJson(e, r.origin) }) : notFound();
      },
    },
    ...(["PUT", "PATCH"] as const).map(
      (m): RouteDef => ({
        method: m,
        path: "/api/v1/endpoints/:id",
        name: "runlater.endpoints.update",
        handler: (r) => {
          const e = findEndpoint(r);
          if (!e) return notFound();
          const parsed = parseJson(r);
          if (isResponse(parsed)) return parsed;
          const errs: Errors = {};
          const patch: Partial<EndpointRec> = {};
          endpointFields(unwrap(parsed, "endpoint"), patch, errs, false);
          if (Object.keys(errs).length > 0) return invalid(errs);
          Object.assign(e, patch, { updated_at: nowIso() });
          ctx.onChange();
          return ok(200, { data: endpointJson(e, r.origin) });
        },
      }),
    ),
    {
      method: "DELETE",
      path: "/api/v1/endpoints/:id",
      name: "runlater.endpoints.delete",
      handler: (r) => {
        const e = findEndpoint(r);
        if (!e) return notFound();
        st.endpoints.delete(e.id);
        ctx.onChange();
        return ok(204);
      },
    },
    {
      method: "GET",
      path: "/api/v1/endpoints/:id/events",
      name: "runlater.endpoints.events",
      handler: (r) => {
        const e = findEndpoint(r);
        if (!e) return notFound();
        const limit = clampLimit(r.query.get("limit"));
        const events = [...st.events.values()]
          .filter((x) => x.endpoint_id === e.id)
          .sort((a, b) => b.received_at - a.received_at)
          .slice(0, limit)
          .map((x) => {
            const statuses = x.task_ids.map((tid) => {
              const ex = [...st.executions.values()].filter((y) => y.task_id === tid).sort((a, b) => b.scheduled_for - a.scheduled_for)[0];
              return ex?.status;
            });
            const status =
              statuses.length === 0
                ? null
                : statuses.some((s) => s === "failed" || s === "timeout")
                  ? "failed"
                  : statuses.some((s) => s === "pending" || s === "running")
                    ? "pending"
                    : "success";
            return { id: x.id, method: x.method, source_ip: x.source_ip, received_at: isoSeconds(x.received_at), task_ids: x.task_ids, status };
          });
        return ok(200, { data: events });
      },
    },
    {
      method: "POST",
      path: "/api/v1/endpoints/:id/events/:eventId/replay",
      name: "runlater.endpoints.replay",
      handler: (r) => {
        const e = findEndpoint(r);
        if (!e) return notFound();
        const ev = st.events.get(r.params.eventId);
        if (!ev || ev.endpoint_id !== e.id) return ok(404, { errors: { detail: "Not Found" } });
        if (ev.task_ids.length === 0) return ok(422, { error: { code: "no_tasks", message: "No tasks to replay" } });
        const execs = ev.task_ids.map((tid) => {
          const t = st.tasks.get(tid);
          if (!t) return undefined;
          const x = ctx.scheduler.enqueueOnce(t, ctx.now());
          return { execution_id: x.id, status: "pending", scheduled_for: isoSeconds(x.scheduled_for) };
        });
        if (execs.some((x) => !x)) return ok(422, { error: { code: "task_deleted", message: "A destination task was deleted" } });
        return ok(202, { data: { executions: execs }, message: `Event replayed to ${execs.length} destination(s)` });
      },
    },
    { method: "*", path: "/in/:slug", name: "runlater.inbound", handler: inbound },
  ];
  return routes;
}
