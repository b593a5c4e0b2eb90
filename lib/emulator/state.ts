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
  /** `cron` (health check), `forward` (endpoint forward), `hook.failure`, `hook.recovery`, `callback`. */
  kind: "cron" | "forward" | "hook.failure" | "hook.recovery" | "callback";
  taskId: string;
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
  /** Emulator ms from start to finish (a timeout counts as `timeout_ms`). */
  durationMs: number;
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

  snapshot(): unknown {
    return {
      tasks: [...this.tasks.values()],
      endpoints: [...this.endpoints.values()],
      executions: [...this.executions.values()],
      events: [...this.events.values()],
      orgs: [...this.orgs.values()],
    };
  }

  restore(s: unknown): void {
    const o = (s ?? {}) as Record<string, unknown[]>;
    this.tasks = new Map(((o.tasks ?? []) as TaskRec[]).map((t) => [t.id, t]));
    this.endpoints = new Map(((o.endpoints ?? []) as EndpointRec[]).map((e) => [e.id, e]));
    this.executions = new Map(((o.executions ?? []) as ExecutionRec[]).map((e) => [e.id, e]));
    this.events = new Map(((o.events ?? []) as InboundEventRec[]).map((e) => [e.id, e]));
    for (const org of (o.orgs ?? []) as OrgRec[]) this.orgs.set(org.id, org);
  }
}

/** UUIDv7 from a millisecond timestamp (the emulator clock). */
export function uuidv7(ms: number): string {
  const b = randomBytes(16);
  const t = BigInt(Math.floor(ms));
  for (let i = 0; i < 6; i++) b[i] = Number((t >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** `ep_` + 32 URL-safe base64 characters. */
export function endpointSlug(): string {
  return `ep_${randomBytes(24).toString("base64url").slice(0, 32)}`;
}

/** `whsec_` + 48 lower-case hex. */
export function webhookSecret(): string {
  return `whsec_${randomBytes(24).toString("hex")}`;
}
