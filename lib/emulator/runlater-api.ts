/**
 * Runlater API routes (`/api/v1/…`) and inbound endpoints (`/in/:slug`), with the contract's
 * validation, envelopes and (non-uniform) error shapes. Auth, idempotency and rate limits are
 * applied by the server core before these handlers run.
 *
 * Route names (used for request counts and fault rules):
 * `runlater.tasks.{create,list,cancel_queue,get,update,delete,trigger,executions}`,
 * `runlater.schedules.{create,list,get,update,delete,trigger,executions}`,
 * `runlater.endpoints.{create,list,get,update,delete,events,replay}`, `runlater.inbound`.
 */
import { isIP } from "node:net";
import { Cron } from "croner";
import { isoSeconds } from "./clock";
import type { Scheduler } from "./scheduler";
import { type EndpointRec, endpointSlug, type ExecutionRec, type InboundEventRec, type RunlaterState, type TaskRec, uuidv7 } from "./state";
import type { EmuRequest, EmuResponse, RouteDef } from "./types";

/** Context the handlers need. */
export interface RunlaterApiContext {
  state: RunlaterState;
  scheduler: Scheduler;
  /** Emulator time, epoch ms. */
  now: () => number;
  /** Org of the authenticated request (set by the server core). */
  orgOf: (req: EmuRequest) => string;
  /** Plan limits. */
  tier: "pro" | "free";
  /** True when a cron task may not target this URL (the SSRF rule; the core applies `allowPrivateTargets`). */
  ssrfBlocked: (url: URL) => Promise<boolean>;
  /** Called after a change to the state. */
  onChange: () => void;
  /**
   * Kinder than production: `forward_headers` replace inbound headers whatever the case of the
   * name. Production merges case-sensitively (`endpoints.ex` `Map.merge`). @default false
   */
  caseInsensitiveHeaderMerge?: boolean;
  /** Origin shown in `inbound_url` (and monitors' `ping_url`) instead of the request's own. */
  publicOrigin?: string;
}

/** Runlater's HTTP method enum (exact, upper-case: Ecto `validate_inclusion`). */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
/** Headers not copied from an inbound request onto its forwards (contract §8.2). */
export const HOP_BY_HOP = new Set([
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
const MAX_BODY = 256 * 1024;
const FREE_MIN_INTERVAL = 60;
const FREE_MAX_ENDPOINTS = 3;
const TIER_CRON_MSG = "Free plan only allows hourly or less frequent schedules. Upgrade to Pro for per-minute scheduling.";
const TIER_ENDPOINT_MSG = `You've reached the maximum number of endpoints for your plan (${FREE_MAX_ENDPOINTS}). Upgrade to Pro for unlimited endpoints.`;

type Json = Record<string, unknown>;
type Errors = Record<string, string[]>;

const res = (status: number, body?: unknown, headers?: Record<string, string>): EmuResponse => ({ status, body, headers });
const notFound = (): EmuResponse => res(404, { error: { code: "not_found", message: "Resource not found" } });
const invalid = (details: Errors): EmuResponse => res(422, { error: { code: "validation_error", details } });
const badRequest = (code: string, message: string): EmuResponse => res(400, { error: { code, message } });

function addErr(errs: Errors, field: string, msg: string): void {
  const list = errs[field] ?? [];
  list.push(msg);
  errs[field] = list;
}

/** Parses a JSON object body; a 400 `bad_request` response otherwise (the contract is silent; Phoenix answers 400). */
export function parseJson(req: EmuRequest): { ok: true; value: Json } | { ok: false; res: EmuResponse } {
  if (req.body.trim() === "") return { ok: true, value: {} };
  try {
    const v = JSON.parse(req.body);
    if (v && typeof v === "object" && !Array.isArray(v)) return { ok: true, value: v as Json };
    return { ok: false, res: badRequest("bad_request", "request body must be a JSON object") };
  } catch {
    return { ok: false, res: badRequest("bad_request", "malformed JSON request body") };
  }
}

export function unwrap(body: Json, ...keys: string[]): Json {
  for (const key of keys) {
    const inner = body[key];
    if (inner && typeof inner === "object" && !Array.isArray(inner)) return inner as Json;
  }
  return body;
}

/** Ecto treats `""` as nil when casting. */
export const blank = (v: unknown) => v === undefined || v === null || v === "";

/** Ecto `:integer` cast: integers and integer strings. */
export function castInt(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

/** Ecto `:boolean` cast. */
export function castBool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  return undefined;
}

function ipv4Private(h: string): boolean {
  const [a, b] = h.split(".").map(Number);
  return (
    a === 127 ||
    a === 10 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    a >= 224 // multicast, reserved, broadcast
  );
}

/**
 * True for addresses and names Runlater's SSRF rule refuses without a lookup: `localhost`,
 * `*.localhost`, `*.local`, `*.internal`, 127/8, 10/8, 172.16/12, 192.168/16, 169.254/16,
 * 0/8, 224+/4, and IPv6 `::1`, `::`, fc00::/7, fe80::/10 and IPv4-mapped private addresses.
 */
export function isPrivateAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  if (h === "localhost" || h.endsWith(".localhost") || h.endsWith(".local") || h.endsWith(".internal")) return true;
  const v = isIP(h);
  if (v === 4) return ipv4Private(h);
  if (v === 6) {
    if (h === "::1" || h === "::") return true;
    if (/^f[cd][0-9a-f]{0,2}:/.test(h) || /^fe[89ab][0-9a-f]?:/.test(h)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return ipv4Private(mapped[1]);
    const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
    if (hexMapped) {
      const hi = Number.parseInt(hexMapped[1], 16);
      const lo = Number.parseInt(hexMapped[2], 16);
      return ipv4Private(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
  }
  return false;
}

/** An http(s) URL with a host, else undefined. */
export function validHttpUrl(v: unknown): URL | undefined {
  if (typeof v !== "string") return undefined;
  try {
    const u = new URL(v.trim());
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname ? u : undefined;
  } catch {
    return undefined;
  }
}

const CRON_ALIASES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** The 5-field form of an expression (aliases expanded), or undefined when it is not a valid 5-field cron. */
export function normalizeCron(expr: unknown): string | undefined {
  if (typeof expr !== "string") return undefined;
  const e = expr.trim();
  const five = CRON_ALIASES[e.toLowerCase()] ?? e;
  if (five.split(/\s+/).length !== 5) return undefined;
  try {
    new Cron(five, { paused: true, timezone: "UTC" }).stop();
    return five;
  } catch {
    return undefined;
  }
}

/**
 * Runlater's interval estimate (minutes) from the cron fields (`estimate_interval_minutes`):
 * minute `*` → 1, `*∕N` → N, a list of k values → 60/k; otherwise hour `*` → 60, `*∕N` → 60N,
 * a list of k hours → 1440/k, else 1440. Used for the free-tier check only.
 */
export function cronIntervalMinutes(expr: string): number {
  const [min, hour] = (normalizeCron(expr) ?? expr).trim().split(/\s+/);
  const list = (f: string) => f.split(",").filter((x) => x !== "");
  let m = 60;
  if (min === "*") m = 1;
  else if (/^\*\/\d+$/.test(min)) m = Number(min.slice(2));
  else if (list(min).length > 1) m = Math.floor(60 / list(min).length);
  if (m < 60) return m;
  if (hour === "*") return 60;
  if (/^\*\/\d+$/.test(hour)) return Number(hour.slice(2)) * 60;
  if (list(hour).length > 1) return Math.floor(1440 / list(hour).length);
  return 1440;
}

/** "DD Mon, HH:MM" (UTC), as Runlater names one-time tasks. */
function shortStamp(t: number): string {
  const d = new Date(t);
  const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())} ${mon}, ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

/** Shared task field validation (create and update); writes cast values into `t`. */
async function applyTaskFields(
  ctx: RunlaterApiContext,
  p: Json,
  t: Partial<TaskRec>,
  errs: Errors,
  opts: { create: boolean; cron: boolean },
): Promise<void> {
  if (p.url !== undefined || opts.create) {
    if (blank(p.url)) addErr(errs, "url", "can't be blank");
    else {
      const u = validHttpUrl(p.url);
      if (!u) addErr(errs, "url", "must be a valid HTTP or HTTPS URL");
      else {
        // Cron tasks only: one-time tasks created through the API skip the check (skip_ssrf).
        if (opts.cron && (await ctx.ssrfBlocked(u))) addErr(errs, "url", "cannot target private or internal addresses");
        t.url = String(p.url).trim();
      }
    }
  }
  if (p.name !== undefined) {
    if (p.name !== null && typeof p.name !== "string") addErr(errs, "name", "is invalid");
    else if (!blank(p.name)) t.name = p.name as string;
  }
  if (p.method !== undefined) {
    if (typeof p.method !== "string" || !HTTP_METHODS.includes(p.method)) addErr(errs, "method", "is invalid");
    else t.method = p.method;
  }
  if (p.headers !== undefined) {
    if (p.headers === null) t.headers = {};
    else if (typeof p.headers !== "object" || Array.isArray(p.headers)) addErr(errs, "headers", "is invalid");
    else t.headers = Object.fromEntries(Object.entries(p.headers as Json).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  }
  if (p.body !== undefined) {
    if (p.body !== null && typeof p.body !== "string") addErr(errs, "body", "is invalid");
    else if (typeof p.body === "string" && Buffer.byteLength(p.body) > MAX_BODY) addErr(errs, "body", "must be less than 256KB");
    else t.body = p.body as string | null;
  }
  const int = (field: "timeout_ms" | "retry_attempts", min: number, max: number) => {
    const v = p[field];
    if (v === undefined || v === null) return;
    const n = castInt(v);
    if (n === undefined) addErr(errs, field, "is invalid");
    else if (n < min) addErr(errs, field, `must be greater than or equal to ${min}`);
    else if (n > max) addErr(errs, field, `must be less than or equal to ${max}`);
    else t[field] = n;
  };
  int("timeout_ms", 1000, 300_000);
  int("retry_attempts", 0, 10);
  if (p.expected_status_codes !== undefined) {
    const v = p.expected_status_codes;
    if (blank(v)) t.expected_status_codes = null;
    else if (typeof v !== "string") addErr(errs, "expected_status_codes", "is invalid"); // e.g. [200]: Ecto's string cast fails
    else {
      const codes = v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      if (codes.length === 0 || codes.some((c) => !/^\d+$/.test(c) || Number(c) < 100 || Number(c) > 599)) {
        addErr(errs, "expected_status_codes", "must be comma-separated HTTP status codes (100-599)");
      } else t.expected_status_codes = v;
    }
  }
  if (p.expected_body_pattern !== undefined) {
    if (p.expected_body_pattern !== null && typeof p.expected_body_pattern !== "string") addErr(errs, "expected_body_pattern", "is invalid");
    else t.expected_body_pattern = blank(p.expected_body_pattern) ? null : (p.expected_body_pattern as string);
  }
  for (const f of ["on_failure_url", "on_recovery_url", "callback_url"] as const) {
    const v = p[f];
    if (v === undefined) continue;
    if (blank(v)) t[f] = null;
    else if (!validHttpUrl(v)) addErr(errs, f, "must be a valid HTTP or HTTPS URL");
    else t[f] = String(v).trim();
  }
  for (const f of ["notify_on_failure", "notify_on_recovery"] as const) {
    const v = p[f];
    if (v === undefined) continue;
    if (v === null) t[f] = null;
    else if (castBool(v) === undefined) addErr(errs, f, "is invalid");
    else t[f] = castBool(v)!;
  }
  if (p.enabled !== undefined && p.enabled !== null) {
    if (castBool(p.enabled) === undefined) addErr(errs, "enabled", "is invalid");
    else t.enabled = castBool(p.enabled)!;
  }
  const lane = p.lane !== undefined ? p.lane : p.queue;
  if (lane !== undefined) {
    if (lane !== null && typeof lane !== "string") addErr(errs, p.lane !== undefined ? "lane" : "queue", "is invalid");
    else t.queue = blank(lane) ? null : (lane as string);
  }
}

/** Task → wire JSON (contract §3.2; `callback_url` is not serialized; `lane` mirrors `queue`). */
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

/** Endpoint → wire JSON; `inbound_url` uses the request's origin; `use_lane` mirrors `use_queue`. */
export function endpointJson(e: EndpointRec, origin: string): Json {
  return {
    id: e.id,
    name: e.name,
    slug: e.slug,
    inbound_url: `${origin}/in/${e.slug}`,
    forward_urls: e.forward_urls,
    enabled: e.enabled,
    retry_attempts: e.retry_attempts,
    use_queue: e.use_queue,
    use_lane: e.use_queue,
    notify_on_failure: e.notify_on_failure,
    notify_on_recovery: e.notify_on_recovery,
    on_failure_url: e.on_failure_url,
    on_recovery_url: e.on_recovery_url,
    forward_headers: e.forward_headers,
    forward_body: e.forward_body,
    forward_method: e.forward_method,
    inserted_at: e.inserted_at,
    updated_at: e.updated_at,
  };
}

/** Execution → wire JSON (contract §3.4). */
export function executionJson(e: ExecutionRec): Json {
  const iso = (v: number | null) => (v === null ? null : isoSeconds(v));
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

/** Inbound event → wire JSON with the aggregated status of its forwards (contract §8.1). */
export function eventJson(st: RunlaterState, x: InboundEventRec): Json {
  const statuses = x.task_ids.map((tid) => {
    let latest: ExecutionRec | undefined;
    for (const e of st.executions.values()) {
      if (e.task_id !== tid) continue;
      if (!latest || e.scheduled_for > latest.scheduled_for || (e.scheduled_for === latest.scheduled_for && (e.seq ?? 0) > (latest.seq ?? 0))) latest = e;
    }
    return latest?.status;
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
}

/** `limit` query: default 50, > 100 → 100, ≤ 0 or non-numeric → 50 (contract §3.3). */
export function clampLimit(v: string | null, def = 50): number {
  const n = v === null ? Number.NaN : Number.parseInt(v, 10);
  if (!Number.isFinite(n) || n <= 0) return def;
  return Math.min(100, n);
}

/**
 * Slugified endpoint name, the forward tasks' queue when `use_queue` is on (`endpoints.ex`
 * `slugify_name`: lower-case, drop everything but `a-z`, `0-9`, whitespace and `-`, whitespace
 * runs → `-`, trim `-`). `"Web Failover"` → `web-failover`, `"a_b"` → `ab`.
 */
export function slugifyQueue(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9\s-]/g, "")
    .replace(/\s+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** The Runlater routes. */
export function runlaterRoutes(ctx: RunlaterApiContext): RouteDef[] {
  const st = ctx.state;
  const nowIso = () => isoSeconds(ctx.now());
  const originOf = (r: EmuRequest) => ctx.publicOrigin ?? r.origin;
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
    if (!parsed.ok) return parsed.res;
    const p = unwrap(parsed.value, "task", "schedule");
    // Kind by presence, in order: cron, delay, run_at, else immediate (contract §3.1). /schedules
    // also takes `cron_expression`, and is always a cron task.
    const cronRaw = p.cron !== undefined ? p.cron : viaSchedules ? p.cron_expression : undefined;
    const isCron = cronRaw !== undefined || viaSchedules;
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
    let scheduledAt = now + 1000;
    if (!isCron) {
      if (p.delay !== undefined) {
        const d = p.delay;
        let secs: number;
        if (typeof d === "number") {
          if (!Number.isInteger(d)) return badRequest("invalid_delay", "delay must be a string (e.g. \"5m\") or a positive integer (seconds)");
          secs = d;
        } else if (typeof d === "string") {
          if (d === "") return badRequest("invalid_delay", "delay is required");
          const m = /^(\d+)(s|m|h|d)$/.exec(d);
          if (!m) return badRequest("invalid_delay", "invalid delay format. Use a number with unit: 30s, 5m, 2h, 1d");
          secs = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
        } else return badRequest("invalid_delay", "delay must be a string (e.g. \"5m\") or a positive integer (seconds)");
        if (!(secs > 0)) return badRequest("invalid_delay", "delay must be greater than 0");
        scheduledAt = now + secs * 1000;
      } else if (p.run_at !== undefined) {
        const at =
          typeof p.run_at === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([Zz]|[+-]\d\d:?\d\d)$/.test(p.run_at.trim())
            ? Date.parse(p.run_at.trim())
            : Number.NaN;
        if (Number.isNaN(at)) return badRequest("invalid_run_at", "run_at must be a valid ISO 8601 datetime");
        if (at <= now - 300_000) addErr(errs, "scheduled_at", "must be in the future");
        scheduledAt = Math.floor(at / 1000) * 1000;
      }
    }
    await applyTaskFields(ctx, p, t, errs, { create: true, cron: isCron });
    let cronExpr: string | undefined;
    if (isCron) {
      if (blank(cronRaw)) addErr(errs, "cron_expression", "can't be blank");
      else if (!normalizeCron(cronRaw)) addErr(errs, "cron_expression", "is not a valid cron expression");
      else {
        cronExpr = String(cronRaw).trim();
        if (ctx.tier === "free" && cronIntervalMinutes(cronExpr) < FREE_MIN_INTERVAL) addErr(errs, "cron_expression", TIER_CRON_MSG);
      }
    }
    if (Object.keys(errs).length > 0) return invalid(errs);
    const task: TaskRec = {
      ...(t as TaskRec),
      id: uuidv7(now),
      org: ctx.orgOf(req),
      name: t.name ?? (isCron ? `Cron: ${t.url}` : `${t.url} · ${shortStamp(scheduledAt)}`),
      schedule_type: isCron ? "cron" : "once",
      cron_expression: cronExpr ?? null,
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
      return res(201, { data: taskJson(task), message: "Cron task created" });
    }
    const exec = ctx.scheduler.enqueueOnce(task, scheduledAt, 1, task.callback_url);
    return res(202, {
      data: { task_id: task.id, execution_id: exec.id, status: "pending", scheduled_for: isoSeconds(scheduledAt) },
      message: "Task queued for execution",
    });
  };

  const updateTask = async (req: EmuRequest, viaSchedules: boolean): Promise<EmuResponse> => {
    const t = findTask(req, viaSchedules);
    if (!t) return notFound();
    const parsed = parseJson(req);
    if (!parsed.ok) return parsed.res;
    const p = unwrap(parsed.value, "task", "schedule");
    const errs: Errors = {};
    const patch: Partial<TaskRec> = {};
    // `cron`, `delay` and `run_at` are silently ignored on update (contract §3.4): only schema
    // field names count, `cron_expression` among them.
    await applyTaskFields(ctx, p, patch, errs, { create: false, cron: t.schedule_type === "cron" });
    if (p.cron_expression !== undefined && t.schedule_type === "cron") {
      if (blank(p.cron_expression)) addErr(errs, "cron_expression", "can't be blank");
      else if (!normalizeCron(p.cron_expression)) addErr(errs, "cron_expression", "is not a valid cron expression");
      else if (ctx.tier === "free" && cronIntervalMinutes(String(p.cron_expression)) < FREE_MIN_INTERVAL) addErr(errs, "cron_expression", TIER_CRON_MSG);
      else patch.cron_expression = String(p.cron_expression).trim();
    }
    if (p.scheduled_at !== undefined && t.schedule_type === "once") {
      const at = typeof p.scheduled_at === "string" ? Date.parse(p.scheduled_at) : Number.NaN;
      if (Number.isNaN(at)) addErr(errs, "scheduled_at", "is invalid");
      else if (at <= ctx.now() - 300_000) addErr(errs, "scheduled_at", "must be in the future");
      else patch.scheduled_at = isoSeconds(at);
    }
    if (Object.keys(errs).length > 0) return invalid(errs);
    if (t.schedule_type === "once") patch.enabled = true;
    const rearm = t.schedule_type === "cron" && (patch.cron_expression !== undefined || patch.enabled !== undefined);
    Object.assign(t, patch, { updated_at: nowIso() });
    if (rearm) ctx.scheduler.scheduleCron(t);
    ctx.onChange();
    return res(200, { data: taskJson(t) });
  };

  const deleteTask = (req: EmuRequest, viaSchedules: boolean): EmuResponse => {
    const t = findTask(req, viaSchedules);
    if (!t) return notFound();
    t.deleted_at = nowIso();
    t.enabled = false;
    t.next_run_at = null;
    ctx.scheduler.cancel(t.id);
    // `Executions.cancel_pending_executions_for_task`: pending executions are deleted.
    for (const e of [...st.executions.values()]) if (e.task_id === t.id && e.status === "pending") ctx.scheduler.deleteExecution(e);
    ctx.onChange();
    return res(204);
  };

  const listTasks = (req: EmuRequest, cronOnly: boolean): EmuResponse => {
    const org = ctx.orgOf(req);
    const limit = clampLimit(req.query.get("limit"));
    const offNum = Number.parseInt(req.query.get("offset") ?? "", 10);
    const offset = Number.isFinite(offNum) && offNum > 0 ? offNum : 0;
    const q = req.query.get("queue") ?? req.query.get("lane");
    const all = [...st.tasks.values()]
      .filter((t) => t.org === org && !t.deleted_at && !t.endpoint_id && (!cronOnly || t.schedule_type === "cron"))
      .filter((t) => (q === null ? true : q === "none" ? t.queue === null : t.queue === q))
      // last_execution_at DESC NULLS LAST, then inserted_at DESC (then id DESC: UUIDv7 is time ordered).
      .sort(
        (a, b) =>
          (b.last_execution_at ?? -1) - (a.last_execution_at ?? -1) ||
          (a.inserted_at < b.inserted_at ? 1 : a.inserted_at > b.inserted_at ? -1 : 0) ||
          (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      );
    const page = all.slice(offset, offset + limit);
    return res(200, { data: page.map(taskJson), has_more: all.length > offset + limit, limit, offset });
  };

  const getTask = (cronOnly: boolean) => (r: EmuRequest) => {
    const t = findTask(r, cronOnly);
    return t ? res(200, { data: taskJson(t) }) : notFound();
  };

  const trigger = (cronOnly: boolean) => (r: EmuRequest) => {
    const t = findTask(r, cronOnly);
    if (!t) return notFound();
    const exec = ctx.scheduler.enqueueOnce(t, ctx.now());
    ctx.onChange();
    return res(202, {
      data: { execution_id: exec.id, status: "pending", scheduled_for: isoSeconds(exec.scheduled_for) },
      message: "Task triggered successfully",
    });
  };

  const executions = (cronOnly: boolean) => (r: EmuRequest) => {
    const t = findTask(r, cronOnly);
    if (!t) return notFound();
    const limit = clampLimit(r.query.get("limit"));
    const list = [...st.executions.values()]
      .filter((e) => e.task_id === t.id)
      .sort((a, b) => b.scheduled_for - a.scheduled_for || (b.seq ?? 0) - (a.seq ?? 0))
      .slice(0, limit);
    return res(200, { data: list.map(executionJson) });
  };

  const endpointFields = (p: Json, e: Partial<EndpointRec>, errs: Errors, create: boolean) => {
    if (p.name !== undefined || create) {
      if (blank(p.name)) addErr(errs, "name", "can't be blank");
      else if (typeof p.name !== "string") addErr(errs, "name", "is invalid");
      else e.name = p.name;
    }
    let urls = p.forward_urls;
    if (urls === undefined && typeof p.forward_url === "string") urls = [p.forward_url];
    if (urls !== undefined || create) {
      if (urls === undefined || urls === null || (Array.isArray(urls) && urls.length === 0)) addErr(errs, "forward_urls", "can't be blank");
      else if (!Array.isArray(urls)) addErr(errs, "forward_urls", "is invalid");
      else if (urls.length > 10) addErr(errs, "forward_urls", "can't have more than 10 URLs");
      else {
        const bad = urls.find((u) => !validHttpUrl(u));
        if (bad !== undefined) addErr(errs, "forward_urls", `contains an invalid URL: ${typeof bad === "string" ? bad : JSON.stringify(bad)}`);
        else e.forward_urls = urls.map((u) => String(u).trim());
      }
    }
    if (p.enabled !== undefined && p.enabled !== null) {
      if (castBool(p.enabled) === undefined) addErr(errs, "enabled", "is invalid");
      else e.enabled = castBool(p.enabled)!;
    }
    if (p.retry_attempts !== undefined && p.retry_attempts !== null) {
      const n = castInt(p.retry_attempts);
      if (n === undefined) addErr(errs, "retry_attempts", "is invalid");
      else if (n < 0) addErr(errs, "retry_attempts", "must be greater than or equal to 0");
      else if (n > 10) addErr(errs, "retry_attempts", "must be less than or equal to 10");
      else e.retry_attempts = n;
    }
    const uqField = p.use_lane !== undefined ? "use_lane" : "use_queue";
    const uq = p[uqField];
    if (uq !== undefined && uq !== null) {
      if (castBool(uq) === undefined) addErr(errs, uqField, "is invalid");
      else e.use_queue = castBool(uq)!;
    }
    for (const f of ["notify_on_failure", "notify_on_recovery"] as const) {
      const v = p[f];
      if (v === undefined) continue;
      if (v === null) e[f] = null;
      else if (castBool(v) === undefined) addErr(errs, f, "is invalid");
      else e[f] = castBool(v)!;
    }
    for (const f of ["on_failure_url", "on_recovery_url"] as const) {
      const v = p[f];
      if (v === undefined) continue;
      if (blank(v)) e[f] = null;
      else if (!validHttpUrl(v)) addErr(errs, f, "must be a valid HTTP or HTTPS URL");
      else e[f] = String(v).trim();
    }
    if (p.forward_headers !== undefined) {
      const v = p.forward_headers;
      if (v === null) e.forward_headers = {};
      else if (typeof v !== "object" || Array.isArray(v)) addErr(errs, "forward_headers", "is invalid");
      else e.forward_headers = Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x)]));
    }
    if (p.forward_body !== undefined) {
      const v = p.forward_body;
      if (v !== null && typeof v !== "string") addErr(errs, "forward_body", "is invalid");
      else if (typeof v === "string" && Buffer.byteLength(v) > MAX_BODY) addErr(errs, "forward_body", "must be less than 256KB");
      else e.forward_body = blank(v) ? null : (v as string);
    }
    if (p.forward_method !== undefined) {
      const v = p.forward_method;
      if (blank(v)) e.forward_method = null;
      else if (typeof v !== "string" || !HTTP_METHODS.includes(v)) addErr(errs, "forward_method", "must be a valid HTTP method");
      else e.forward_method = v;
    }
  };

  const inbound = async (req: EmuRequest): Promise<EmuResponse> => {
    let ep: EndpointRec | undefined;
    for (const e of st.endpoints.values()) if (e.slug === req.params.slug) ep = e;
    if (!ep) return res(404, { error: "Not found" });
    if (!ep.enabled) return res(410, { error: "Endpoint disabled" });
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
    // A forward URL that fails the task SSRF check makes `Tasks.create_task` return an error
    // inside `receive_event`'s transaction; the `{:ok, task} =` match raises, the transaction
    // rolls back (no event, no task) and Phoenix answers its generic 500 (`endpoints.ex`,
    // `url_validator.ex`, `inbound_controller.ex`). The sender (often Runlater's own hook POST)
    // only logs it.
    for (const url of ep.forward_urls) {
      const u = validHttpUrl(url);
      if (!u || (await ctx.ssrfBlocked(u))) return res(500, { errors: { detail: "Internal Server Error" } });
    }
    // Inbound headers (lower-case names) minus hop-by-hop ones, then `Map.merge` with
    // forward_headers (`endpoints.ex`): case-sensitive, so a configured `Content-Type` travels
    // next to the sender's `content-type`. Kinder option: a configured name replaces any case.
    const overridden = ctx.caseInsensitiveHeaderMerge ? new Set(Object.keys(ep.forward_headers).map((k) => k.toLowerCase())) : new Set<string>();
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && !overridden.has(k)) base[k] = v;
    const n = ep.forward_urls.length;
    for (const [i, url] of ep.forward_urls.entries()) {
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
        queue: ep.use_queue ? slugifyQueue(ep.name) || null : null,
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
    }
    st.events.set(event.id, event);
    ctx.onChange();
    return res(200, { id: event.id, status: "received" });
  };

  const updateEndpoint = (r: EmuRequest): EmuResponse => {
    const e = findEndpoint(r);
    if (!e) return notFound();
    const parsed = parseJson(r);
    if (!parsed.ok) return parsed.res;
    const errs: Errors = {};
    const patch: Partial<EndpointRec> = {};
    endpointFields(unwrap(parsed.value, "endpoint"), patch, errs, false);
    if (Object.keys(errs).length > 0) return invalid(errs);
    Object.assign(e, patch, { updated_at: nowIso() });
    ctx.onChange();
    return res(200, { data: endpointJson(e, originOf(r)) });
  };

  return [
    { method: "POST", path: "/api/v1/tasks", name: "runlater.tasks.create", handler: (r) => createTask(r, false) },
    { method: "GET", path: "/api/v1/tasks", name: "runlater.tasks.list", handler: (r) => listTasks(r, false) },
    {
      method: "DELETE",
      path: "/api/v1/tasks",
      name: "runlater.tasks.cancel_queue",
      handler: (r) => {
        const q = r.query.get("queue") ?? r.query.get("lane");
        if (!q) return badRequest("invalid_params", "queue parameter is required");
        // `tasks.ex` `cancel_tasks_by_queue`: soft-delete every live task of the org in the
        // queue (deleted_at, enabled false, next_run_at nil) and delete every pending execution
        // of the org whose queue is the name (scheduled retries included). Running executions
        // finish, and a retry they schedule afterwards still runs (`worker.ex` `maybe_retry`
        // does not look at deleted_at). `cancelled` counts tasks.
        const org = ctx.orgOf(r);
        const now = nowIso();
        let cancelled = 0;
        for (const t of st.tasks.values()) {
          if (t.org !== org || t.queue !== q || t.deleted_at) continue;
          Object.assign(t, { deleted_at: now, enabled: false, next_run_at: null, updated_at: now });
          ctx.scheduler.cancel(t.id);
          cancelled++;
        }
        for (const e of [...st.executions.values()]) {
          const t = st.tasks.get(e.task_id);
          if (t?.org === org && (e.queue === undefined ? t.queue : e.queue) === q && e.status === "pending") ctx.scheduler.deleteExecution(e);
        }
        ctx.onChange();
        return res(200, { data: { cancelled }, message: `${cancelled} tasks cancelled` });
      },
    },
    { method: "GET", path: "/api/v1/tasks/:id", name: "runlater.tasks.get", handler: getTask(false) },
    { method: "PUT", path: "/api/v1/tasks/:id", name: "runlater.tasks.update", handler: (r) => updateTask(r, false) },
    { method: "PATCH", path: "/api/v1/tasks/:id", name: "runlater.tasks.update", handler: (r) => updateTask(r, false) },
    { method: "DELETE", path: "/api/v1/tasks/:id", name: "runlater.tasks.delete", handler: (r) => deleteTask(r, false) },
    { method: "POST", path: "/api/v1/tasks/:id/trigger", name: "runlater.tasks.trigger", handler: trigger(false) },
    { method: "GET", path: "/api/v1/tasks/:id/executions", name: "runlater.tasks.executions", handler: executions(false) },
    // Newer API: recurring tasks under /schedules (the same store; cron tasks only).
    { method: "POST", path: "/api/v1/schedules", name: "runlater.schedules.create", handler: (r) => createTask(r, true) },
    { method: "GET", path: "/api/v1/schedules", name: "runlater.schedules.list", handler: (r) => listTasks(r, true) },
    { method: "GET", path: "/api/v1/schedules/:id", name: "runlater.schedules.get", handler: getTask(true) },
    { method: "PUT", path: "/api/v1/schedules/:id", name: "runlater.schedules.update", handler: (r) => updateTask(r, true) },
    { method: "PATCH", path: "/api/v1/schedules/:id", name: "runlater.schedules.update", handler: (r) => updateTask(r, true) },
    { method: "DELETE", path: "/api/v1/schedules/:id", name: "runlater.schedules.delete", handler: (r) => deleteTask(r, true) },
    { method: "POST", path: "/api/v1/schedules/:id/trigger", name: "runlater.schedules.trigger", handler: trigger(true) },
    { method: "GET", path: "/api/v1/schedules/:id/executions", name: "runlater.schedules.executions", handler: executions(true) },
    {
      method: "POST",
      path: "/api/v1/endpoints",
      name: "runlater.endpoints.create",
      handler: (r) => {
        const parsed = parseJson(r);
        if (!parsed.ok) return parsed.res;
        const p = unwrap(parsed.value, "endpoint");
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
        if (ctx.tier === "free") {
          let count = 0;
          for (const x of st.endpoints.values()) if (x.org === org) count++;
          if (count >= FREE_MAX_ENDPOINTS) addErr(errs, "base", TIER_ENDPOINT_MSG);
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
        return res(201, { data: endpointJson(rec, originOf(r)) });
      },
    },
    {
      method: "GET",
      path: "/api/v1/endpoints",
      name: "runlater.endpoints.list",
      handler: (r) => {
        const org = ctx.orgOf(r);
        const list = [...st.endpoints.values()].filter((e) => e.org === org).sort((a, b) => (a.id < b.id ? 1 : -1));
        return res(200, { data: list.map((e) => endpointJson(e, originOf(r))) });
      },
    },
    {
      method: "GET",
      path: "/api/v1/endpoints/:id",
      name: "runlater.endpoints.get",
      handler: (r) => {
        const e = findEndpoint(r);
        return e ? res(200, { data: endpointJson(e, originOf(r)) }) : notFound();
      },
    },
    { method: "PUT", path: "/api/v1/endpoints/:id", name: "runlater.endpoints.update", handler: updateEndpoint },
    { method: "PATCH", path: "/api/v1/endpoints/:id", name: "runlater.endpoints.update", handler: updateEndpoint },
    {
      method: "DELETE",
      path: "/api/v1/endpoints/:id",
      name: "runlater.endpoints.delete",
      handler: (r) => {
        const e = findEndpoint(r);
        if (!e) return notFound();
        st.endpoints.delete(e.id);
        ctx.onChange();
        return res(204);
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
          .sort((a, b) => b.received_at - a.received_at || (a.id < b.id ? 1 : -1))
          .slice(0, limit)
          .map((x) => eventJson(st, x));
        return res(200, { data: events });
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
        if (!ev || ev.endpoint_id !== e.id) return res(404, { errors: { detail: "Not Found" } });
        if (ev.task_ids.length === 0) return res(422, { error: { code: "no_tasks", message: "No tasks found for this event" } });
        const tasks = ev.task_ids.map((tid) => st.tasks.get(tid));
        if (tasks.some((t) => !t || t.deleted_at)) return res(422, { error: { code: "task_deleted", message: "One or more tasks for this event have been deleted" } });
        const execs = tasks.map((t) => {
          const x = ctx.scheduler.enqueueOnce(t!, ctx.now());
          return { execution_id: x.id, status: "pending", scheduled_for: isoSeconds(x.scheduled_for) };
        });
        ctx.onChange();
        return res(202, { data: { executions: execs }, message: `Event replayed to ${execs.length} destination(s)` });
      },
    },
    { method: "*", path: "/in/:slug", name: "runlater.inbound", handler: inbound },
  ];
}
