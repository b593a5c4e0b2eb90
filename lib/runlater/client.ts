/**
 * Typed Runlater API client. Knows nothing of Pulumi or CDKTF; resources of both engines build
 * their calls through it.
 */
import { randomUUID } from "node:crypto";
import { RunlaterApiError } from "./errors";
import { type RetryPolicy, sendRequest, type TransportOptions } from "./http";
import type { CronTaskSpec, Endpoint, EndpointSpec, Execution, Task, TaskPage } from "./model";
import {
  type ApiDialect,
  cronTaskCreateToWire,
  cronTaskUpdateToWire,
  endpointFromWire,
  endpointToWire,
  executionFromWire,
  routesFor,
  taskFromWire,
  taskPageFromWire,
  unwrapData,
} from "./wire";

/** Default API base URL. */
export const DEFAULT_RUNLATER_API_URL = "https://runlater.eu/api/v1";

/** Options of {@link RunlaterClient}. */
export interface RunlaterClientOptions {
  /** Bearer API key (`pk_live_….sk_live_…`). Required. Never logged or put into errors. */
  apiKey: string;
  /** API base URL. Default `https://runlater.eu/api/v1`; point it at the emulator for tests. */
  baseUrl?: string;
  /** API shape to speak. Default `legacy` (see {@link ApiDialect}). */
  dialect?: ApiDialect;
  /** Per-request timeout in milliseconds. Default 30000. */
  timeoutMs?: number;
  /** Retry policy overrides (attempts, backoff, total time). */
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
   * `Idempotency-Key` for the POST. Default: a fresh UUID per call, reused across that call's
   * retries, so a retried create can never make a duplicate.
   */
  idempotencyKey?: string;
}

/** Typed client for the Runlater API. Cheap to construct; connection pools are shared per origin. */
export class RunlaterClient {
  private readonly transport: TransportOptions;
  private readonly dialect: ApiDialect;

  constructor(options: RunlaterClientOptions) {
    if (!options || typeof options.apiKey !== "string" || options.apiKey.trim() === "") {
      throw new RunlaterApiError({
        message:
          "Runlater API key is missing: set `runlater:apiKey` (secret) in stack config or the RUNLATER_API_KEY environment variable",
        operation: "client.configure",
        kind: "validation",
      });
    }
    const baseUrl = options.baseUrl ?? DEFAULT_RUNLATER_API_URL;
    let parsed: URL;
    try {
      parsed = new URL(baseUrl);
    } catch {
      throw new RunlaterApiError({
        message: `Runlater apiUrl must be an absolute http(s) URL, got ${JSON.stringify(baseUrl)}`,
        operation: "client.configure",
        kind: "validation",
      });
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
      throw new RunlaterApiError({
        message: `Runlater apiUrl must use http or https, got ${parsed.protocol}`,
        operation: "client.configure",
        kind: "validation",
      });
    }
    this.dialect = options.dialect ?? "legacy";
    this.transport = {
      baseUrl,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      sleep: options.sleep,
      random: options.random,
      log: options.log,
    };
  }

  private async call(
    operation: string,
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<unknown> {
    const res = await sendRequest(this.transport, { operation, method, path, body, idempotencyKey });
    return res.body;
  }

  // ---------------------------------------------------------------- cron tasks

  /** Creates a recurring task (`POST /tasks` with `cron`, or `/schedules`). One API call. */
  async createCronTask(spec: CronTaskSpec, opts: CreateOptions = {}): Promise<Task> {
    const { cronTasks } = routesFor(this.dialect);
    const body = await this.call(
      "tasks.create",
      "POST",
      cronTasks,
      cronTaskCreateToWire(spec, this.dialect),
      opts.idempotencyKey ?? randomUUID(),
    );
    return taskFromWire(unwrapData(body) as Record<string, unknown>);
  }

  /** Fetches a task. 404 → {@link RunlaterApiError} with `isNotFound`. */
  async getTask(id: string): Promise<Task> {
    const body = await this.call("tasks.get", "GET", `${routesFor(this.dialect).cronTasks}/${enc(id)}`);
    return taskFromWire(unwrapData(body) as Record<string, unknown>);
  }

  /**
   * Partially updates a task (PATCH). Only the given fields change. A `cron` change is sent as
   * `cron_expression`, which is what Runlater reads on update.
   */
  async updateCronTask(id: string, patch: Partial<CronTaskSpec>): Promise<Task> {
    const body = await this.call(
      "tasks.update",
      "PATCH",
      `${routesFor(this.dialect).cronTasks}/${enc(id)}`,
      cronTaskUpdateToWire(patch),
    );
    return taskFromWire(unwrapData(body) as Record<string, unknown>);
  }

  /** Deletes a task (Runlater soft-deletes). Throws a 404 error when it is already gone. */
  async deleteTask(id: string): Promise<void> {
    await this.call("tasks.delete", "DELETE", `${routesFor(this.dialect).cronTasks}/${enc(id)}`);
  }

  /** One page of tasks. `limit` 1..100 (default 50), `offset` ≥ 0. */
  async listTasks(page: { limit?: number; offset?: number } = {}): Promise<TaskPage> {
    const q = new URLSearchParams();
    if (page.limit !== undefined) q.set("limit", String(page.limit));
    if (page.offset !== undefined) q.set("offset", String(page.offset));
    const qs = q.toString();
    const body = await this.call("tasks.list", "GET", `${routesFor(this.dialect).cronTasks}${qs ? `?${qs}` : ""}`);
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
    const body = await this.call("tasks.trigger", "POST", `/tasks/${enc(id)}/trigger`, undefined, randomUUID());
    return String((unwrapData(body) as { execution_id: string }).execution_id);
  }

  /** Recent executions of a task, newest first. `limit` 1..100, default 50. */
  async listExecutions(id: string, limit?: number): Promise<Execution[]> {
    const qs = limit !== undefined ? `?limit=${limit}` : "";
    const body = await this.call("tasks.executions", "GET", `/tasks/${enc(id)}/executions${qs}`);
    return (unwrapData(body) as Record<string, unknown>[]).map(executionFromWire);
  }

  // ---------------------------------------------------------------- endpoints

  /** Creates an inbound endpoint. One API call. */
  async createEndpoint(spec: EndpointSpec, opts: CreateOptions = {}): Promise<Endpoint> {
    const body = await this.call(
      "endpoints.create",
      "POST",
      routesFor(this.dialect).endpoints,
      endpointToWire(spec, this.dialect),
      opts.idempotencyKey ?? randomUUID(),
    );
    return endpointFromWire(unwrapData(body) as Record<string, unknown>);
  }

  /** Fetches an endpoint. */
  async getEndpoint(id: string): Promise<Endpoint> {
    const body = await this.call("endpoints.get", "GET", `${routesFor(this.dialect).endpoints}/${enc(id)}`);
    return endpointFromWire(unwrapData(body) as Record<string, unknown>);
  }

  /** Partially updates an endpoint (PATCH). The slug and inbound URL never change. */
  async updateEndpoint(id: string, patch: Partial<EndpointSpec>): Promise<Endpoint> {
    const body = await this.call(
      "endpoints.update",
      "PATCH",
      `${routesFor(this.dialect).endpoints}/${enc(id)}`,
      endpointToWire(patch, this.dialect),
    );
    return endpointFromWire(unwrapData(body) as Record<string, unknown>);
  }

  /** Deletes an endpoint (hard delete). Throws a 404 error when it is already gone. */
  async deleteEndpoint(id: string): Promise<void> {
    await this.call("endpoints.delete", "DELETE", `${routesFor(this.dialect).endpoints}/${enc(id)}`);
  }

  /** All endpoints of the organisation (not paginated by Runlater). */
  async listEndpoints(): Promise<Endpoint[]> {
    const body = await this.call("endpoints.list", "GET", routesFor(this.dialect).endpoints);
    return (unwrapData(body) as Record<string, unknown>[]).map(endpointFromWire);
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}
