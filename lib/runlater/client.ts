/**
 * Typed Runlater API client. Knows nothing of Pulumi or CDKTF; resources of both engines build
 * their calls through it.
 *
 * Every entry point checks its arguments first (see `client-checks.ts` and `validate.ts`): a bad
 * value is a `validation` {@link RunlaterApiError} naming the field, and nothing is sent.
 */
import { randomUUID } from "node:crypto";
import { isNotFound } from "./errors";
import {
  apiKeyIssues,
  baseUrlIssues,
  idempotencyKeyIssues,
  idIssues,
  intParamIssues,
  optionIssues,
  throwIfIssues,
} from "./client-checks";
import { type RetryPolicy, sendRequest, type TransportOptions, type TransportRequest } from "./http";
import { deriveIdempotencyKey, idempotencyScopeIssues, isOldReplay, markAdoptedByReplay } from "./idempotency";
import type { CronTaskSpec, Endpoint, EndpointSpec, Execution, Monitor, MonitorSpec, Task, TaskPage } from "./model";
import { type ValidationIssue, validateCronTaskSpec, validateEndpointSpec, validateMonitorSpec } from "./validate";
import {
  type ApiDialect,
  cronTaskCreateToWire,
  cronTaskUpdateToWire,
  endpointFromWire,
  endpointToWire,
  executionFromWire,
  monitorFromWire,
  monitorToWire,
  routesFor,
  taskFromWire,
  taskPageFromWire,
  unwrapData,
  unwrapList,
} from "./wire";

/** Default API base URL. */
export const DEFAULT_RUNLATER_API_URL = "https://runlater.eu/api/v1";

/** Options of {@link RunlaterClient}. */
export interface RunlaterClientOptions {
  /**
   * Bearer API key (`pk_live_….sk_live_…`). Required; letters, digits and `._-~+/=` only (no
   * whitespace, CR or LF), at most 512 characters. Never logged or put into errors.
   */
  apiKey: string;
  /** API base URL (http(s), no credentials, query or fragment). Default `https://runlater.eu/api/v1`; point it at the emulator for tests. */
  baseUrl?: string;
  /** API shape to speak. Default `legacy` (see {@link ApiDialect}). */
  dialect?: ApiDialect;
  /** Deadline of one HTTP attempt (queueing, connect, headers, body), milliseconds, finite and > 0. Default 30000. */
  timeoutMs?: number;
  /** Retry policy overrides (attempts 1..100, backoff, total time). */
  retry?: Partial<RetryPolicy>;
  /** Wait function between retries (tests inject one). Default: real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0,1). Default `Math.random`. */
  random?: () => number;
  /** One line per HTTP attempt; never contains headers or bodies. */
  log?: (line: string) => void;
}

/** Options for calls that create objects. */
export interface CreateOptions {
  /**
   * `Idempotency-Key` for the POST (1..255 visible ASCII characters). Default: one fresh UUID per
   * call, reused across that call's retries, so a retried create can never make a duplicate.
   * Pass the `idempotencyKey` of a failed create's error to get the object it made (Runlater
   * keeps a stored reply at least 24 h). Not together with `idempotencyScope`.
   */
  idempotencyKey?: string;
  /**
   * Stable name of the logical object this create makes (1..1000 characters), e.g. the engine's
   * resource type and name. The key is then derived from (scope, operation, request body, API
   * key), so the same create repeated in a later run — after a reply that was lost on every
   * attempt — gets the object the first one made instead of a duplicate, for as long as Runlater
   * keeps the reply (at least 24 h). A replayed object made more than 5 s before is read back
   * first: if it was deleted since, a new one is created under a key derived from its id; if it
   * is live, it is returned and {@link wasAdoptedByReplay} is true for its id in this process.
   * Two creates with the same scope and the same body get the SAME object: scope by resource.
   */
  idempotencyScope?: string;
}

/** How many times a scoped create may find its replayed object deleted before it uses a fresh key. */
const MAX_STALE_REPLAYS = 3;

type Method = TransportRequest["method"];

/** Typed client for the Runlater API. Cheap to construct; connection pools are shared per origin. */
export class RunlaterClient {
  private readonly transport: TransportOptions;
  private readonly dialect: ApiDialect;

  constructor(options: RunlaterClientOptions) {
    const o = (options !== null && typeof options === "object" ? options : {}) as unknown as Record<string, unknown>;
    const baseUrl = o.baseUrl ?? DEFAULT_RUNLATER_API_URL;
    throwIfIssues("client.configure", [...apiKeyIssues(o.apiKey), ...baseUrlIssues(baseUrl), ...optionIssues(o)]);
    this.dialect = (o.dialect as ApiDialect | undefined) ?? "legacy";
    this.transport = {
      baseUrl: baseUrl as string,
      apiKey: o.apiKey as string,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      sleep: options.sleep,
      random: options.random,
      log: options.log,
    };
  }

  private async call(
    operation: string,
    method: Method,
    path: string,
    expect: TransportRequest["expect"],
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<unknown> {
    const res = await sendRequest(this.transport, { operation, method, path, body, idempotencyKey, expect });
    return res.body;
  }

  /** `<collection>/<id>` after checking that `id` is a UUID (so `.`, `..` or `""` never reach another route). */
  private item(operation: string, collection: string, id: unknown, what: string): string {
    throwIfIssues(operation, idIssues(id, what));
    return `${collection}/${encodeURIComponent(id as string)}`;
  }

  private checkCreate(operation: string, issues: ValidationIssue[], opts: CreateOptions | undefined): void {
    const o = (opts !== null && typeof opts === "object" ? opts : {}) as CreateOptions;
    throwIfIssues(operation, [...issues, ...idempotencyKeyIssues(o.idempotencyKey), ...idempotencyScopeIssues(o.idempotencyScope, o.idempotencyKey)]);
  }

  /**
   * One logical create: one key for every retry (see {@link CreateOptions}). With a scope, a
   * replay of an object made over 5 s before is checked with `get`; if that object is gone,
   * the create runs again under a key derived from the gone object's id (deterministic too).
   */
  private async create<T extends { id: string; insertedAt: string }>(
    operation: string,
    path: string,
    wire: unknown,
    opts: CreateOptions | undefined,
    fromWire: (data: unknown) => T,
    get: (id: string) => Promise<unknown>,
  ): Promise<T> {
    const scope = opts?.idempotencyScope;
    const apiKey = this.transport.apiKey;
    let key = opts?.idempotencyKey ?? (scope !== undefined ? deriveIdempotencyKey(apiKey, scope, operation, wire) : randomUUID());
    for (let stale = 0; ; stale++) {
      const res = await sendRequest(this.transport, { operation, method: "POST", path, body: wire, idempotencyKey: key, expect: "object" });
      const obj = fromWire(unwrapData(res.body, operation));
      if (scope === undefined || !isOldReplay(obj.insertedAt, res.date)) return obj;
      const gone = await get(obj.id).then(
        () => false,
        (e: unknown) => isNotFound(e),
      );
      if (!gone) {
        markAdoptedByReplay(obj.id);
        return obj;
      }
      // Past the limit, a fresh key (no replay is then possible, so no further check).
      if (stale + 1 >= MAX_STALE_REPLAYS) return this.create(operation, path, wire, {}, fromWire, get);
      key = deriveIdempotencyKey(apiKey, scope, operation, wire, `after:${obj.id}`);
    }
  }

  // ---------------------------------------------------------------- cron tasks

  /** Creates a recurring task (`POST /tasks` with `cron`, or `/schedules`). One API call. */
  async createCronTask(spec: CronTaskSpec, opts: CreateOptions = {}): Promise<Task> {
    const op = "tasks.create";
    const issues = validateCronTaskSpec(spec as unknown as Record<string, unknown>, { allowPrivateTargets: true });
    if (issues.length === 0 && (spec.cron === undefined || spec.cron === null)) {
      issues.push({ field: "cron", message: 'is required: a 5-field cron expression (UTC), e.g. "*/5 * * * *"' });
    }
    this.checkCreate(op, issues, opts);
    return this.create(op, routesFor(this.dialect).cronTasks, cronTaskCreateToWire(spec, this.dialect), opts, taskFromWire, (id) => this.getTask(id));
  }

  /** Fetches a task. 404 → {@link RunlaterApiError} with `isNotFound`. */
  async getTask(id: string): Promise<Task> {
    const op = "tasks.get";
    const body = await this.call(op, "GET", this.item(op, routesFor(this.dialect).cronTasks, id, "task"), "object");
    return taskFromWire(unwrapData(body, op));
  }

  /**
   * Partially updates a task (PATCH). Only the given fields change. A `cron` change is sent as
   * `cron_expression`, which is what Runlater reads on update.
   */
  async updateCronTask(id: string, patch: Partial<CronTaskSpec>): Promise<Task> {
    const op = "tasks.update";
    const path = this.item(op, routesFor(this.dialect).cronTasks, id, "task");
    throwIfIssues(op, validateCronTaskSpec(patch as Record<string, unknown>, { allowPrivateTargets: true, partial: true }));
    const body = await this.call(op, "PATCH", path, "object", cronTaskUpdateToWire(patch));
    return taskFromWire(unwrapData(body, op));
  }

  /** Deletes a task (Runlater soft-deletes). Throws a 404 error when it is already gone. */
  async deleteTask(id: string): Promise<void> {
    const op = "tasks.delete";
    await this.call(op, "DELETE", this.item(op, routesFor(this.dialect).cronTasks, id, "task"), "any");
  }

  /** One page of tasks. `limit` 1..100 (default 50), `offset` ≥ 0. */
  async listTasks(page: { limit?: number; offset?: number } = {}): Promise<TaskPage> {
    const op = "tasks.list";
    const p = page ?? {};
    throwIfIssues(op, [...intParamIssues(p.limit, "limit", 1, 100), ...intParamIssues(p.offset, "offset", 0, Number.MAX_SAFE_INTEGER)]);
    const q = new URLSearchParams();
    if (p.limit !== undefined) q.set("limit", String(p.limit));
    if (p.offset !== undefined) q.set("offset", String(p.offset));
    const qs = q.toString();
    const body = await this.call(op, "GET", `${routesFor(this.dialect).cronTasks}${qs ? `?${qs}` : ""}`, "list");
    return taskPageFromWire(body);
  }

  /** Every task, following `has_more`. */
  async listAllTasks(): Promise<Task[]> {
    const out: Task[] = [];
    for (let offset = 0; ; ) {
      const page = await this.listTasks({ limit: 100, offset });
      out.push(...page.tasks);
      if (!page.hasMore || page.tasks.length === 0) return out;
      offset += page.tasks.length;
    }
  }

  /** Runs a task now (`POST /tasks/:id/trigger`). Returns the new execution id. */
  async triggerTask(id: string): Promise<string> {
    const op = "tasks.trigger";
    const path = `${this.item(op, "/tasks", id, "task")}/trigger`;
    const body = await this.call(op, "POST", path, "object", undefined, randomUUID());
    return String((unwrapData(body, op) as { execution_id: unknown }).execution_id);
  }

  /** Recent executions of a task, newest first. `limit` 1..100, default 50. */
  async listExecutions(id: string, limit?: number): Promise<Execution[]> {
    const op = "tasks.executions";
    const path = `${this.item(op, "/tasks", id, "task")}/executions`;
    throwIfIssues(op, intParamIssues(limit, "limit", 1, 100));
    const qs = limit !== undefined ? `?limit=${limit}` : "";
    const body = await this.call(op, "GET", `${path}${qs}`, "list");
    return unwrapList(body, op).map(executionFromWire);
  }

  // ---------------------------------------------------------------- endpoints

  /** Creates an inbound endpoint. One API call. */
  async createEndpoint(spec: EndpointSpec, opts: CreateOptions = {}): Promise<Endpoint> {
    const op = "endpoints.create";
    this.checkCreate(op, validateEndpointSpec(spec as unknown as Record<string, unknown>), opts);
    return this.create(op, routesFor(this.dialect).endpoints, endpointToWire(spec, this.dialect), opts, endpointFromWire, (id) => this.getEndpoint(id));
  }

  /** Fetches an endpoint. */
  async getEndpoint(id: string): Promise<Endpoint> {
    const op = "endpoints.get";
    const body = await this.call(op, "GET", this.item(op, routesFor(this.dialect).endpoints, id, "endpoint"), "object");
    return endpointFromWire(unwrapData(body, op));
  }

  /** Partially updates an endpoint (PATCH). The slug and inbound URL never change. */
  async updateEndpoint(id: string, patch: Partial<EndpointSpec>): Promise<Endpoint> {
    const op = "endpoints.update";
    const path = this.item(op, routesFor(this.dialect).endpoints, id, "endpoint");
    throwIfIssues(op, validateEndpointSpec(patch as Record<string, unknown>, { partial: true }));
    const body = await this.call(op, "PATCH", path, "object", endpointToWire(patch, this.dialect));
    return endpointFromWire(unwrapData(body, op));
  }

  /** Deletes an endpoint (hard delete). Throws a 404 error when it is already gone. */
  async deleteEndpoint(id: string): Promise<void> {
    const op = "endpoints.delete";
    await this.call(op, "DELETE", this.item(op, routesFor(this.dialect).endpoints, id, "endpoint"), "any");
  }

  /** All endpoints of the organisation (not paginated by Runlater). */
  async listEndpoints(): Promise<Endpoint[]> {
    const op = "endpoints.list";
    const body = await this.call(op, "GET", routesFor(this.dialect).endpoints, "list");
    return unwrapList(body, op).map(endpointFromWire);
  }

  // ---------------------------------------------------------------- heartbeat monitors

  /**
   * Creates a heartbeat monitor (`POST /monitors`, 201). One API call. The reply carries the
   * `pingUrl` (a capability: anyone who has it can ping). Free plans allow 3 monitors.
   */
  async createMonitor(spec: MonitorSpec, opts: CreateOptions = {}): Promise<Monitor> {
    const op = "monitors.create";
    const full = withScheduleType(spec);
    this.checkCreate(op, validateMonitorSpec(full as unknown as Record<string, unknown>), opts);
    return this.create(op, routesFor(this.dialect).monitors, monitorToWire(full as MonitorSpec), opts, monitorFromWire, (id) => this.getMonitor(id));
  }

  /** Fetches a monitor (with its `status`, `lastPingAt`, `nextExpectedAt`). */
  async getMonitor(id: string): Promise<Monitor> {
    const op = "monitors.get";
    const body = await this.call(op, "GET", this.item(op, routesFor(this.dialect).monitors, id, "monitor"), "object");
    return monitorFromWire(unwrapData(body, op));
  }

  /**
   * Partially updates a monitor (PATCH). The ping token and URL never change. Switching
   * `scheduleType` needs the matching `intervalSeconds`/`cronExpression` unless it is stored already.
   */
  async updateMonitor(id: string, patch: Partial<MonitorSpec>): Promise<Monitor> {
    const op = "monitors.update";
    const path = this.item(op, routesFor(this.dialect).monitors, id, "monitor");
    throwIfIssues(op, validateMonitorSpec(patch as Record<string, unknown>, { partial: true }));
    const body = await this.call(op, "PATCH", path, "object", monitorToWire(patch));
    return monitorFromWire(unwrapData(body, op));
  }

  /** Deletes a monitor and its ping history (204). Throws a 404 error when it is already gone. */
  async deleteMonitor(id: string): Promise<void> {
    const op = "monitors.delete";
    await this.call(op, "DELETE", this.item(op, routesFor(this.dialect).monitors, id, "monitor"), "any");
  }

  /** All monitors of the organisation, newest first (not paginated by Runlater). */
  async listMonitors(): Promise<Monitor[]> {
    const op = "monitors.list";
    const body = await this.call(op, "GET", routesFor(this.dialect).monitors, "list");
    return unwrapList(body, op).map(monitorFromWire);
  }
}

/** The spec with `scheduleType` filled in when absent (`cron` when only `cronExpression` is given, else `interval`). */
function withScheduleType(spec: MonitorSpec): unknown {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) return spec;
  if (spec.scheduleType !== undefined && spec.scheduleType !== null) return spec;
  const cron = spec.cronExpression !== undefined && spec.cronExpression !== null && (spec.intervalSeconds === undefined || spec.intervalSeconds === null);
  return { ...spec, scheduleType: cron ? "cron" : "interval" };
}
