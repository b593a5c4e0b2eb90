/**
 * The Runlater domain model in camelCase TypeScript. The snake_case wire format and the
 * `{data: …}` envelope are mapped in `wire.ts` only; nothing else knows about them.
 */

/** HTTP methods Runlater accepts for task requests, endpoint forwards and overrides. */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
/** One of {@link HTTP_METHODS}. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Limits enforced by Runlater (and by our validation before any API call). */
/**
 * Note: no key may be named `default` (Pulumi's closure serializer mistakes such objects for
 * `__importStar` wrappers).
 */
export const LIMITS = {
  /** Task request timeout, milliseconds. */
  timeoutMs: { min: 1000, max: 300_000, runlaterDefault: 30_000 },
  /** Retry attempts of one-time tasks and endpoint forwards. */
  retryAttempts: { min: 0, max: 10, runlaterDefault: 5 },
  /** HTTP status codes accepted in `expectedStatusCodes`. */
  statusCode: { min: 100, max: 599 },
  /** Forward URLs of one endpoint. */
  forwardUrls: { min: 1, max: 10 },
  /** Task body and endpoint forward body, bytes (UTF-8). */
  bodyBytes: { max: 256 * 1024 },
  /** Names: Runlater stores them as strings; we cap what we send. */
  nameChars: { max: 255 },
  /** URLs: a practical cap (Runlater stores them as text). */
  urlChars: { max: 2048 },
  /** Heartbeat monitor interval, seconds (`app/monitors/monitor.ex` `validate_schedule`). */
  intervalSeconds: { min: 60, max: 604_800 },
  /** Heartbeat monitor grace period, seconds (`app/monitors/monitor.ex`; schema default 300). */
  gracePeriodSeconds: { min: 0, max: 3600, runlaterDefault: 300 },
} as const;

/**
 * The desired state of a recurring (cron) task, as our resources manage it.
 * All fields map 1:1 to Runlater task fields.
 */
export interface CronTaskSpec {
  /** Display name. Default on Runlater's side: `"Cron: <url>"`. At most 255 characters. */
  name?: string;
  /** The URL Runlater calls, http(s) with a host; private/loopback hosts are refused by Runlater. */
  url: string;
  /** HTTP method of the call. Default `GET` for cron tasks. */
  method?: HttpMethod;
  /** Five-field cron expression, evaluated in UTC. */
  cron: string;
  /** Per-call timeout in milliseconds, 1000..300000. Default 30000 on Runlater's side. */
  timeoutMs?: number;
  /** Status codes that count as success (each 100..599). `null`/absent = any 2xx. */
  expectedStatusCodes?: number[] | null;
  /** Case-sensitive substring the response body must contain. `null`/absent = no check. */
  expectedBodyPattern?: string | null;
  /** Request headers sent with each call. Stored in plaintext by Runlater. */
  headers?: Record<string, string>;
  /** Request body (sent for POST/PUT/PATCH only), at most 256 KB. */
  body?: string | null;
  /** Whether the schedule runs. Default true. */
  enabled?: boolean;
  /** URL Runlater POSTs to when a run fails after a success (or the first run fails). */
  onFailureUrl?: string | null;
  /** URL Runlater POSTs to on the first success after a failure. */
  onRecoveryUrl?: string | null;
  /** Org notification override for failures (`null` = org default). Does not affect the hook URLs. */
  notifyOnFailure?: boolean | null;
  /** Org notification override for recoveries (`null` = org default). */
  notifyOnRecovery?: boolean | null;
}

/** A task as Runlater returns it. */
export interface Task {
  /** UUIDv7 task id. */
  id: string;
  name: string;
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body: string | null;
  /** `cron` for recurring tasks, `once` for one-time tasks. */
  scheduleType: "cron" | "once";
  cronExpression: string | null;
  scheduledAt: string | null;
  enabled: boolean;
  timeoutMs: number;
  retryAttempts: number;
  expectedStatusCodes: number[] | null;
  expectedBodyPattern: string | null;
  /** Serialisation group (`queue` on the legacy API, `lane` on the current one). */
  queue: string | null;
  notifyOnFailure: boolean | null;
  notifyOnRecovery: boolean | null;
  onFailureUrl: string | null;
  onRecoveryUrl: string | null;
  /** Next scheduled run (ISO-8601 UTC), `null` when disabled or one-time. */
  nextRunAt: string | null;
  insertedAt: string;
  updatedAt: string;
}

/** The desired state of an inbound forwarding endpoint. */
export interface EndpointSpec {
  /** Display name, required. Also the serial lane name when `useQueue` is true. */
  name: string;
  /** Where each inbound request is forwarded, 1..10 http(s) URLs. */
  forwardUrls: string[];
  /** Headers merged over the inbound request's headers (custom values win). Secret: may carry DNS tokens. */
  forwardHeaders?: Record<string, string>;
  /** If non-empty, replaces the inbound body verbatim. Secret: may carry DNS keys. At most 256 KB. */
  forwardBody?: string | null;
  /** Overrides the inbound method. `null`/absent = keep the inbound method. */
  forwardMethod?: HttpMethod | null;
  /** Forward retries, 0..10. Default 5 on Runlater's side. Total attempts = retries + 1. */
  retryAttempts?: number;
  /** Serial delivery per endpoint (`use_queue`/`use_lane`). Default true. */
  useQueue?: boolean;
  /** Whether inbound requests are accepted (disabled → 410). Default true. */
  enabled?: boolean;
  notifyOnFailure?: boolean | null;
  notifyOnRecovery?: boolean | null;
  /** Copied onto each forward task: fires when a forward finally fails. */
  onFailureUrl?: string | null;
  /** Copied onto each forward task: fires on the first forward success after a failure. */
  onRecoveryUrl?: string | null;
}

/** An inbound endpoint as Runlater returns it. */
export interface Endpoint {
  /** UUIDv7 endpoint id. */
  id: string;
  name: string;
  /** `ep_` + 32 URL-safe characters; never changes. */
  slug: string;
  /** `https://runlater.eu/in/<slug>`: the URL hooks call. */
  inboundUrl: string;
  forwardUrls: string[];
  enabled: boolean;
  retryAttempts: number;
  useQueue: boolean;
  notifyOnFailure: boolean | null;
  notifyOnRecovery: boolean | null;
  onFailureUrl: string | null;
  onRecoveryUrl: string | null;
  forwardHeaders: Record<string, string>;
  forwardBody: string | null;
  forwardMethod: HttpMethod | null;
  insertedAt: string;
  updatedAt: string;
}

/** One execution of a task. */
export interface Execution {
  id: string;
  status: "pending" | "running" | "success" | "failed" | "timeout" | "missed";
  scheduledFor: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  statusCode: number | null;
  durationMs: number | null;
  errorMessage: string | null;
  /** 1-based attempt number. */
  attempt: number;
}

/** A page of tasks from `GET /tasks`. */
export interface TaskPage {
  tasks: Task[];
  hasMore: boolean;
  limit: number;
  offset: number;
}

/** How a heartbeat monitor expects its pings (`app/monitors/monitor.ex` `@schedule_types`). */
export const MONITOR_SCHEDULE_TYPES = ["interval", "cron"] as const;
/** One of {@link MONITOR_SCHEDULE_TYPES}. */
export type MonitorScheduleType = (typeof MONITOR_SCHEDULE_TYPES)[number];

/**
 * The desired state of a heartbeat monitor (dead-man's switch): Runlater expects a ping at
 * `ping_url` every interval (or at every cron time); when none arrives within the grace period
 * after the expected time, the monitor goes `down` and POSTs `onFailureUrl` once. The next ping
 * brings it `up` and POSTs `onRecoveryUrl`. A monitor that was never pinged never goes down.
 * Fields map 1:1 to Runlater's monitor fields (`app/monitors/monitor.ex`).
 */
export interface MonitorSpec {
  /** Display name, required. At most 255 characters. */
  name: string;
  /**
   * `interval` (a ping every `intervalSeconds`) or `cron` (a ping at every `cronExpression`
   * time). Runlater requires it; on create the client sends `cron` when only `cronExpression`
   * is given and `interval` otherwise. @default "interval"
   */
  scheduleType?: MonitorScheduleType;
  /** Seconds between expected pings, 60..604800. Required when `scheduleType` is `interval`. */
  intervalSeconds?: number | null;
  /** Five-field cron expression (UTC) of the expected pings. Required when `scheduleType` is `cron`. */
  cronExpression?: string | null;
  /** Seconds after the expected ping before the monitor goes down, 0..3600. Default 300 on Runlater's side. */
  gracePeriodSeconds?: number;
  /** Whether pings are accepted and checked (a disabled monitor answers pings with 410). Default true. */
  enabled?: boolean;
  /** Org notification override for failures (`null` = org default). Does not affect the hook URLs. */
  notifyOnFailure?: boolean | null;
  /** Org notification override for recoveries (`null` = org default). */
  notifyOnRecovery?: boolean | null;
  /** URL Runlater POSTs (`monitor.down`) when the monitor goes down. */
  onFailureUrl?: string | null;
  /** URL Runlater POSTs (`monitor.up`) when a ping arrives while it is down. */
  onRecoveryUrl?: string | null;
}

/** Monitor states (`new` until the first ping; `paused` when disabled in the UI). */
export type MonitorStatus = "new" | "up" | "down" | "paused";

/** A heartbeat monitor as Runlater returns it (`api/monitor_controller.ex` `monitor_json`). */
export interface Monitor {
  /** UUIDv7 monitor id. */
  id: string;
  name: string;
  /** `pm_` + 32 URL-safe characters; never changes. Secret: whoever has it can ping. */
  pingToken: string;
  /** `https://<host>/ping/<token>` (`GET` or `POST`, no auth). Secret for the same reason. */
  pingUrl: string;
  scheduleType: MonitorScheduleType;
  cronExpression: string | null;
  intervalSeconds: number | null;
  gracePeriodSeconds: number;
  status: MonitorStatus;
  enabled: boolean;
  notifyOnFailure: boolean | null;
  notifyOnRecovery: boolean | null;
  onFailureUrl: string | null;
  onRecoveryUrl: string | null;
  /** Last ping received (ISO-8601 UTC), `null` before the first. */
  lastPingAt: string | null;
  /** When the next ping is due (ISO-8601 UTC), `null` before the first ping. */
  nextExpectedAt: string | null;
  insertedAt: string;
  updatedAt: string;
}
