/**
 * In-memory Runlater state of the emulator, stored in wire shape (snake_case) so the API layer
 * returns it as-is. JSON-serialisable for `--state FILE`.
 */
import { randomBytes } from "node:crypto";

/** A task (cron or one-time) in wire shape plus internal fields. */
export interface TaskRec {
  id: string;
  org: string;
  name: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  schedule_type: "cron" | "once";
  cron_expression: string | null;
  scheduled_at: string | null;
  enabled: boolean;
  timeout_ms: number;
  retry_attempts: number;
  expected_status_codes: string | null;
  expected_body_pattern: string | null;
  queue: string | null;
  notify_on_failure: boolean | null;
  notify_on_recovery: boolean | null;
  on_failure_url: string | null;
  on_recovery_url: string | null;
  callback_url: string | null;
  next_run_at: string | null;
  inserted_at: string;
  updated_at: string;
  deleted_at: string | null;
  /** Internal: the endpoint a forward task belongs to. */
  endpoint_id?: string;
  /** Internal: start of the latest execution (epoch ms), for the list order. */
  last_execution_at?: number;
}

/** An inbound endpoint in wire shape. */
export interface EndpointRec {
  id: string;
  org: string;
  name: string;
  slug: string;
  forward_urls: string[];
  enabled: boolean;
  retry_attempts: number;
  use_queue: boolean;
  notify_on_failure: boolean | null;
  notify_on_recovery: boolean | null;
  on_failure_url: string | null;
  on_recovery_url: string | null;
  forward_headers: Record<string, string>;
  forward_body: string | null;
  forward_method: string | null;
  inserted_at: string;
  updated_at: string;
}

/** One execution. Times are epoch ms internally. */
export interface ExecutionRec {
  id: string;
  task_id: string;
  status: "pending" | "running" | "success" | "failed" | "timeout" | "missed";
  scheduled_for: number;
  started_at: number | null;
  finished_at: number | null;
  status_code: number | null;
  duration_ms: number | null;
  error_message: string | null;
  response_body: string | null;
  attempt: number;
  /** Internal: the execution's own callback URL (set on the first execution of an API one-time task). */
  callback_url?: string | null;
  /** Internal: creation order, breaks ties between executions with the same `scheduled_for`. */
  seq?: number;
  /** Internal: the task's queue when the execution was created (`executions.queue`, read by cancel-by-queue). */
  queue?: string | null;
}

/** An inbound event received on `/in/:slug`. */
export interface InboundEventRec {
  id: string;
  endpoint_id: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  source_ip: string;
  received_at: number;
  task_ids: string[];
}

/** One outbound HTTP delivery the emulator made. Times are ISO strings (emulator clock). */
export interface Delivery {
  /** 1-based sequence number (stable; `GET /_emulator/deliveries?after=<seq>` pages on it). */
  seq: number;
  /**
   * `cron` (a cron task's run, health checks), `forward` (an endpoint forward), `once` (a
   * one-time task created through the API), `hook.failure` / `hook.recovery` (action URLs),
   * `callback` (callback_url), `monitor.down` / `monitor.recovered` (a monitor's action URLs;
   * `taskId` is then the monitor id, `monitorId` is set).
   */
  kind: "cron" | "forward" | "once" | "hook.failure" | "hook.recovery" | "callback" | "monitor.down" | "monitor.recovered";
  taskId: string;
  /** The monitor of a `monitor.*` delivery. */
  monitorId?: string;
  executionId?: string;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  scheduledFor: string;
  startedAt: string;
  finishedAt: string;
  /** `success`, `failed` or `timeout`. */
  status: string;
  statusCode: number | null;
  error: string | null;
  /** Emulator ms from start to finish (a timeout counts as `timeout_ms`; a real answer counts as 0). */
  durationMs: number;
  /** Real milliseconds the HTTP exchange took. */
  realMs: number;
  /** Attempt number of the execution (forwards/one-time tasks) or of the callback delivery. */
  attempt: number;
  /** Response body (first 4 KB). */
  responseBody: string | null;
}

/**
 * A heartbeat monitor in wire shape (`app/monitors/monitor.ex`). Times are ISO strings except
 * the two the checker compares, kept as epoch ms.
 */
export interface MonitorRec {
  id: string;
  org: string;
  name: string;
  /** `pm_` + 32 URL-safe base64 characters. */
  ping_token: string;
  schedule_type: "cron" | "interval";
  cron_expression: string | null;
  interval_seconds: number | null;
  /** 0..3600. @default 300 */
  grace_period_seconds: number;
  /** `new` until the first ping, `up`, `down`. */
  status: "new" | "up" | "down" | "paused";
  /** Epoch ms (whole seconds) of the latest ping, or null. */
  last_ping_at: number | null;
  /** Epoch ms the next ping is expected by, or null (never pinged). */
  next_expected_at: number | null;
  enabled: boolean;
  notify_on_failure: boolean | null;
  notify_on_recovery: boolean | null;
  on_failure_url: string | null;
  on_recovery_url: string | null;
  inserted_at: string;
  updated_at: string;
}

/** One received ping (`monitor_pings`). */
export interface MonitorPingRec {
  id: string;
  monitor_id: string;
  /** Epoch ms, whole seconds. */
  received_at: number;
  expected_interval_seconds: number;
}

/** Org of each API key plus the org's webhook secret. */
export interface OrgRec {
  id: string;
  webhookSecret: string;
}

/** The whole Runlater-side state. */
export class RunlaterState {
  tasks = new Map<string, TaskRec>();
  endpoints = new Map<string, EndpointRec>();
  executions = new Map<string, ExecutionRec>();
  events = new Map<string, InboundEventRec>();
  deliveries: Delivery[] = [];
  orgs = new Map<string, OrgRec>();
  monitors = new Map<string, MonitorRec>();
  /** Pings per monitor id, oldest first (at most 1000 kept per monitor). */
  monitorPings = new Map<string, MonitorPingRec[]>();

  /** JSON-serialisable copy (deliveries are not included). */
  snapshot(): unknown {
    return {
      tasks: [...this.tasks.values()],
      endpoints: [...this.endpoints.values()],
      executions: [...this.executions.values()],
      events: [...this.events.values()],
      orgs: [...this.orgs.values()],
      monitors: [...this.monitors.values()],
      monitorPings: [...this.monitorPings.values()].flat(),
    };
  }

  /** Replaces the state with a `snapshot()`. */
  restore(s: unknown): void {
    const o = (s ?? {}) as Record<string, unknown[]>;
    this.tasks = new Map(((o.tasks ?? []) as TaskRec[]).map((t) => [t.id, t]));
    this.endpoints = new Map(((o.endpoints ?? []) as EndpointRec[]).map((e) => [e.id, e]));
    this.executions = new Map(((o.executions ?? []) as ExecutionRec[]).map((e) => [e.id, e]));
    this.events = new Map(((o.events ?? []) as InboundEventRec[]).map((e) => [e.id, e]));
    for (const org of (o.orgs ?? []) as OrgRec[]) this.orgs.set(org.id, org);
    this.monitors = new Map(((o.monitors ?? []) as MonitorRec[]).map((m) => [m.id, m]));
    this.monitorPings = new Map();
    for (const p of (o.monitorPings ?? []) as MonitorPingRec[]) {
      const list = this.monitorPings.get(p.monitor_id) ?? [];
      list.push(p);
      this.monitorPings.set(p.monitor_id, list);
    }
  }
}

let lastMs = -1;
let counter = 0;

/**
 * UUIDv7 (RFC 9562) from a millisecond timestamp (the emulator clock): 48-bit big-endian ms,
 * version 7, a 12-bit counter (monotonic within one millisecond, random start), variant 10, 62
 * random bits. Ids created one after the other sort in creation order, even on a virtual clock
 * that does not move.
 */
export function uuidv7(ms: number): string {
  const b = randomBytes(16);
  let t = Math.max(0, Math.floor(ms));
  if (t <= lastMs) {
    t = lastMs;
    counter++;
    if (counter > 0xfff) {
      t = ++lastMs;
      counter = 0;
    }
  } else {
    lastMs = t;
    counter = ((b[6] & 0x07) << 8) | b[7]; // random start in the lower half leaves room to count
  }
  const T = BigInt(t);
  for (let i = 0; i < 6; i++) b[i] = Number((T >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = 0x70 | ((counter >> 8) & 0x0f);
  b[7] = counter & 0xff;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** `ep_` + 32 URL-safe base64 characters. */
export function endpointSlug(): string {
  return `ep_${randomBytes(24).toString("base64url").slice(0, 32)}`;
}

/** `pm_` + 32 URL-safe base64 characters (`monitor.ex` `generate_ping_token`). */
export function pingToken(): string {
  return `pm_${randomBytes(24).toString("base64url").slice(0, 32)}`;
}

/** `whsec_` + 48 lower-case hex. */
export function webhookSecret(): string {
  return `whsec_${randomBytes(24).toString("hex")}`;
}
