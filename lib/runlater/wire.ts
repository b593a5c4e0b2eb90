/**
 * The one place that knows Runlater's wire format: snake_case fields, the `{data: …}` envelope,
 * `expected_status_codes` as a comma-separated string, `cron` on create vs `cron_expression` on
 * update, `use_queue` vs `use_lane`, and which route recurring tasks live under.
 */
import { RunlaterApiError } from "./errors";
import type {
  CronTaskSpec,
  Endpoint,
  EndpointSpec,
  Execution,
  HttpMethod,
  Monitor,
  MonitorScheduleType,
  MonitorSpec,
  MonitorStatus,
  Task,
  TaskPage,
} from "./model";

/**
 * Which shape of the API to speak.
 * - `legacy` (default): recurring tasks are `POST /tasks` with `cron`; updates take
 *   `cron_expression`; endpoints use `use_queue`. Proven against Runlater's server code.
 * - `schedules`: recurring tasks live under `/schedules` (Runlater's newer docs); endpoints use
 *   `use_lane`.
 */
export type ApiDialect = "legacy" | "schedules";

/** Collection paths (relative to the API base URL) for a dialect. */
export function routesFor(dialect: ApiDialect): { cronTasks: string; endpoints: string; monitors: string } {
  return dialect === "schedules"
    ? { cronTasks: "/schedules", endpoints: "/endpoints", monitors: "/monitors" }
    : { cronTasks: "/tasks", endpoints: "/endpoints", monitors: "/monitors" };
}

type Json = Record<string, unknown>;

/**
 * Field names a newer Runlater may answer with instead of the ones this client reads:
 * `[name we read, newer name]` (issue 10 §5). The server code at HEAD 77326ef
 * (`api/task_controller.ex` `task_json`, `api/endpoint_controller.ex`) sends the first; the
 * newer docs show the second.
 */
export const WIRE_ALIASES: ReadonlyArray<readonly [string, string]> = [
  ["cron_expression", "cron"],
  ["scheduled_at", "run_at"],
  ["queue", "lane"],
  ["use_queue", "use_lane"],
];

/**
 * Tolerant reader: the ONE place that maps newer field names onto the ones we read, so a
 * server that renamed a field does not make every deploy show a diff. The name we read wins
 * when both are present and non-null. Anything that is not a JSON object becomes a protocol
 * error (never a TypeError further down).
 */
export function tolerantWire(w: unknown, operation = "response"): Json {
  if (!w || typeof w !== "object" || Array.isArray(w)) {
    throw new RunlaterApiError({
      message: `Runlater ${operation}: expected a JSON object in \`data\`, got ${w === null ? "null" : Array.isArray(w) ? "an array" : typeof w}`,
      operation,
      kind: "protocol",
    });
  }
  const out: Json = { ...(w as Json) };
  for (const [ours, newer] of WIRE_ALIASES) {
    if ((out[ours] === undefined || out[ours] === null) && out[newer] !== undefined) out[ours] = out[newer];
  }
  return out;
}

/** `[200, 201]` → `"200,201"`; `null` stays `null` (any 2xx); `undefined` is not sent. */
export function encodeStatusCodes(codes: number[] | null | undefined): string | null | undefined {
  if (codes === undefined || codes === null) return codes;
  // Validation refuses non-arrays first; this only keeps a bypassing caller from a TypeError.
  return Array.isArray(codes) ? codes.join(",") : String(codes);
}

/** `"200, 201"` → `[200, 201]`; empty/absent → `null`. Accepts an array too (newer API). */
export function decodeStatusCodes(wire: unknown): number[] | null {
  if (wire === null || wire === undefined || wire === "") return null;
  if (Array.isArray(wire)) return wire.map(Number);
  if (typeof wire === "number") return [wire];
  return String(wire)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(Number);
}

function put(target: Json, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** Shared task fields (create and update). */
function taskCommonToWire(spec: Partial<CronTaskSpec>): Json {
  const w: Json = {};
  put(w, "name", spec.name);
  put(w, "url", spec.url);
  put(w, "method", spec.method);
  put(w, "timeout_ms", spec.timeoutMs);
  put(w, "expected_status_codes", encodeStatusCodes(spec.expectedStatusCodes));
  put(w, "expected_body_pattern", spec.expectedBodyPattern);
  put(w, "headers", spec.headers);
  put(w, "body", spec.body);
  put(w, "enabled", spec.enabled);
  put(w, "on_failure_url", spec.onFailureUrl);
  put(w, "on_recovery_url", spec.onRecoveryUrl);
  put(w, "notify_on_failure", spec.notifyOnFailure);
  put(w, "notify_on_recovery", spec.notifyOnRecovery);
  return w;
}

/** Body of the create call for a cron task. */
export function cronTaskCreateToWire(spec: CronTaskSpec, dialect: ApiDialect): Json {
  const w = taskCommonToWire(spec);
  // Legacy POST /tasks decides "cron task" by the presence of `cron`; /schedules is documented
  // with the same field. Both store it as `cron_expression`.
  w.cron = spec.cron;
  if (dialect === "schedules") w.cron_expression = spec.cron;
  return w;
}

/**
 * Body of an update. Runlater silently ignores `cron` on PUT/PATCH, so a schedule change must be
 * sent as `cron_expression` or it is lost.
 */
export function cronTaskUpdateToWire(spec: Partial<CronTaskSpec>): Json {
  const w = taskCommonToWire(spec);
  put(w, "cron_expression", spec.cron);
  return w;
}

/** Wire task → model (through {@link tolerantWire}). */
export function taskFromWire(raw: unknown): Task {
  const w = tolerantWire(raw, "tasks");
  return {
    id: String(w.id),
    name: (w.name as string) ?? "",
    url: (w.url as string) ?? "",
    method: String(w.method ?? "GET").toUpperCase() as HttpMethod,
    headers: (w.headers as Record<string, string>) ?? {},
    body: (w.body as string | null) ?? null,
    scheduleType: (w.schedule_type as "cron" | "once") ?? "cron",
    cronExpression: (w.cron_expression as string | null) ?? null,
    scheduledAt: (w.scheduled_at as string | null) ?? null,
    enabled: w.enabled !== false,
    timeoutMs: Number(w.timeout_ms ?? 30000),
    retryAttempts: Number(w.retry_attempts ?? 0),
    expectedStatusCodes: decodeStatusCodes(w.expected_status_codes),
    expectedBodyPattern: (w.expected_body_pattern as string | null) ?? null,
    queue: (w.queue as string | null) ?? null,
    notifyOnFailure: (w.notify_on_failure as boolean | null) ?? null,
    notifyOnRecovery: (w.notify_on_recovery as boolean | null) ?? null,
    onFailureUrl: emptyToNull(w.on_failure_url),
    onRecoveryUrl: emptyToNull(w.on_recovery_url),
    nextRunAt: (w.next_run_at as string | null) ?? null,
    insertedAt: String(w.inserted_at ?? ""),
    updatedAt: String(w.updated_at ?? ""),
  };
}

function emptyToNull(v: unknown): string | null {
  return v === undefined || v === null || v === "" ? null : String(v);
}

/** Endpoint spec (full or partial) → wire body. */
export function endpointToWire(spec: Partial<EndpointSpec>, dialect: ApiDialect): Json {
  const w: Json = {};
  put(w, "name", spec.name);
  put(w, "forward_urls", spec.forwardUrls);
  put(w, "forward_headers", spec.forwardHeaders);
  put(w, "forward_body", spec.forwardBody);
  put(w, "forward_method", spec.forwardMethod);
  put(w, "retry_attempts", spec.retryAttempts);
  put(w, dialect === "schedules" ? "use_lane" : "use_queue", spec.useQueue);
  put(w, "enabled", spec.enabled);
  put(w, "notify_on_failure", spec.notifyOnFailure);
  put(w, "notify_on_recovery", spec.notifyOnRecovery);
  put(w, "on_failure_url", spec.onFailureUrl);
  put(w, "on_recovery_url", spec.onRecoveryUrl);
  return w;
}

/** Wire endpoint → model (through {@link tolerantWire}). */
export function endpointFromWire(raw: unknown): Endpoint {
  const w = tolerantWire(raw, "endpoints");
  const useQueue = w.use_queue;
  return {
    id: String(w.id),
    name: (w.name as string) ?? "",
    slug: String(w.slug ?? ""),
    inboundUrl: String(w.inbound_url ?? ""),
    forwardUrls: Array.isArray(w.forward_urls)
      ? (w.forward_urls as string[])
      : w.forward_url
        ? [String(w.forward_url)]
        : [],
    enabled: w.enabled !== false,
    retryAttempts: Number(w.retry_attempts ?? 5),
    useQueue: useQueue !== false,
    notifyOnFailure: (w.notify_on_failure as boolean | null) ?? null,
    notifyOnRecovery: (w.notify_on_recovery as boolean | null) ?? null,
    onFailureUrl: emptyToNull(w.on_failure_url),
    onRecoveryUrl: emptyToNull(w.on_recovery_url),
    forwardHeaders: (w.forward_headers as Record<string, string>) ?? {},
    forwardBody: (w.forward_body as string | null) ?? null,
    forwardMethod: (w.forward_method as HttpMethod | null) ?? null,
    insertedAt: String(w.inserted_at ?? ""),
    updatedAt: String(w.updated_at ?? ""),
  };
}

/** Monitor spec (full or partial) → wire body. Field names are the server's (`app/monitors/monitor.ex` cast list). */
export function monitorToWire(spec: Partial<MonitorSpec>): Json {
  const w: Json = {};
  put(w, "name", spec.name);
  put(w, "schedule_type", spec.scheduleType);
  put(w, "interval_seconds", spec.intervalSeconds);
  put(w, "cron_expression", spec.cronExpression);
  put(w, "grace_period_seconds", spec.gracePeriodSeconds);
  put(w, "enabled", spec.enabled);
  put(w, "notify_on_failure", spec.notifyOnFailure);
  put(w, "notify_on_recovery", spec.notifyOnRecovery);
  put(w, "on_failure_url", spec.onFailureUrl);
  put(w, "on_recovery_url", spec.onRecoveryUrl);
  return w;
}

function numOrNull(v: unknown): number | null {
  return v === undefined || v === null || v === "" ? null : Number(v);
}

/** Wire monitor → model (through {@link tolerantWire}; `api/monitor_controller.ex` `monitor_json`). */
export function monitorFromWire(raw: unknown): Monitor {
  const w = tolerantWire(raw, "monitors");
  return {
    id: String(w.id),
    name: (w.name as string) ?? "",
    pingToken: String(w.ping_token ?? ""),
    pingUrl: String(w.ping_url ?? ""),
    scheduleType: ((w.schedule_type as string) ?? "interval") as MonitorScheduleType,
    cronExpression: emptyToNull(w.cron_expression),
    intervalSeconds: numOrNull(w.interval_seconds),
    gracePeriodSeconds: Number(w.grace_period_seconds ?? 300),
    status: ((w.status as string) ?? "new") as MonitorStatus,
    enabled: w.enabled !== false,
    notifyOnFailure: (w.notify_on_failure as boolean | null) ?? null,
    notifyOnRecovery: (w.notify_on_recovery as boolean | null) ?? null,
    onFailureUrl: emptyToNull(w.on_failure_url),
    onRecoveryUrl: emptyToNull(w.on_recovery_url),
    lastPingAt: (w.last_ping_at as string | null) ?? null,
    nextExpectedAt: (w.next_expected_at as string | null) ?? null,
    insertedAt: String(w.inserted_at ?? ""),
    updatedAt: String(w.updated_at ?? ""),
  };
}

/** Wire execution → model. */
export function executionFromWire(raw: unknown): Execution {
  const w = tolerantWire(raw, "tasks.executions");
  return {
    id: String(w.id),
    status: w.status as Execution["status"],
    scheduledFor: (w.scheduled_for as string | null) ?? null,
    startedAt: (w.started_at as string | null) ?? null,
    finishedAt: (w.finished_at as string | null) ?? null,
    statusCode: (w.status_code as number | null) ?? null,
    durationMs: (w.duration_ms as number | null) ?? null,
    errorMessage: (w.error_message as string | null) ?? null,
    attempt: Number(w.attempt ?? 1),
  };
}

/** Unwraps `{data: X}`; anything else is a typed protocol error. */
export function unwrapData(body: unknown, operation = "response"): unknown {
  if (body && typeof body === "object" && !Array.isArray(body) && "data" in (body as Json)) return (body as Json).data;
  throw new RunlaterApiError({
    message: `Runlater ${operation}: the response has no \`data\` envelope`,
    operation,
    kind: "protocol",
  });
}

/** Unwraps `{data: [...]}`; a non-array is a typed protocol error. */
export function unwrapList(body: unknown, operation = "response"): unknown[] {
  const data = unwrapData(body, operation);
  if (!Array.isArray(data)) {
    throw new RunlaterApiError({ message: `Runlater ${operation}: expected a list in \`data\``, operation, kind: "protocol" });
  }
  return data;
}

/** `{data:[…], has_more, limit, offset}` → page. */
export function taskPageFromWire(body: unknown): TaskPage {
  const b = body as Json;
  const data = unwrapList(body, "tasks.list");
  return {
    tasks: data.map(taskFromWire),
    hasMore: b.has_more === true,
    limit: Number(b.limit ?? data.length),
    offset: Number(b.offset ?? 0),
  };
}

/** Error body → `{code, message, fieldErrors}` for the three shapes Runlater uses. */
export function errorFromWire(body: unknown): {
  code?: string;
  message?: string;
  fieldErrors?: Record<string, string[]>;
} {
  if (!body || typeof body !== "object") return {};
  const b = body as Json;
  const e = b.error;
  if (typeof e === "string") return { message: e };
  if (e && typeof e === "object") {
    const eo = e as Json;
    const details = normalizeDetails(eo.details);
    return {
      code: typeof eo.code === "string" ? short(eo.code, 80) : undefined,
      message: typeof eo.message === "string" ? short(eo.message) : details ? "validation failed" : undefined,
      fieldErrors: details,
    };
  }
  const errors = b.errors as Json | undefined;
  if (errors && typeof errors === "object") return { message: short(String(errors.detail ?? "error")) };
  return {};
}

function short(s: string, n = 500): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/**
 * `details` as `field → string[]`, whatever the server sent: a string becomes one message, an
 * array's members become strings, anything else is described. At most 50 fields and 10
 * messages per field, each cut to 500 characters.
 */
function normalizeDetails(d: unknown): Record<string, string[]> | undefined {
  if (!d || typeof d !== "object" || Array.isArray(d)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(d as Json).slice(0, 50)) {
    const list = Array.isArray(v) ? v.slice(0, 10) : [v];
    out[short(k, 100)] = list.map((m) =>
      typeof m === "string" ? short(m) : typeof m === "number" || typeof m === "boolean" ? String(m) : m === null ? "null" : "invalid",
    );
  }
  return out;
}
