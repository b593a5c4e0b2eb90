/**
 * The loop: cron tasks fire on schedule, call their URL, record executions, fire
 * `on_failure_url`/`on_recovery_url` per Runlater's streak rules, and one-time tasks (endpoint
 * forwards) retry with backoff. Time comes from the emulator clock; in virtual mode nothing
 * happens until `advance`.
 */
import { createHmac, randomUUID } from "node:crypto";
import { Cron } from "croner";
import { type EmulatorClock, isoSeconds } from "./clock";
import { type Delivery, type ExecutionRec, type RunlaterState, type TaskRec, uuidv7 } from "./state";

/** Scheduler options (see `EmulatorOptions` for the documented public forms). */
export interface SchedulerOptions {
  clock: EmulatorClock;
  state: RunlaterState;
  /** Delay before retry number `attempt` (1-based) of a one-time task; `retryAfterMs` from a 429. */
  retryDelayMs: (attempt: number, retryAfterMs?: number) => number;
  /** Real-ms cap on waiting for a timing-out request in virtual mode. */
  virtualTimeoutCapMs: number;
  /** Reproduce Runlater's literal rule that suppresses on_failure_url for one-time tasks with retries. */
  literalFailureQuirk: boolean;
  /** Webhook secret of an org (for signatures). */
  secretOf: (org: string) => string;
}

interface Queued {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

const FINAL = new Set(["success", "failed", "timeout"]);
const MAX_STORED_BODY = 256 * 1024;

/** Runs the Runlater loop against the state. */
export class Scheduler {
  private queue: Queued[] = [];
  private seq = 0;
  private cronGen = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private running = false;
  /** Executions per task in scheduling order. */
  private byTask = new Map<string, ExecutionRec[]>();
  /** Outstanding work (so `close` and `runDue` can wait for it). */
  private inflight = new Set<Promise<void>>();

  constructor(private readonly o: SchedulerOptions) {
    for (const e of o.state.executions.values()) this.track(e);
  }

  private track(e: ExecutionRec): void {
    const list = this.byTask.get(e.task_id) ?? [];
    list.push(e);
    this.byTask.set(e.task_id, list);
  }

  private enqueue(at: number, run: () => Promise<void>): void {
    const item: Queued = { at, seq: this.seq++, run };
    let i = this.queue.length;
    while (i > 0 && (this.queue[i - 1].at > at || (this.queue[i - 1].at === at && this.queue[i - 1].seq > item.seq))) i--;
    this.queue.splice(i, 0, item);
    if (this.o.clock.mode === "real") this.kick();
  }

  /** Number of queued events. */
  pending(): number {
    return this.queue.length;
  }

  /** (Re)schedules a cron task from now; clears it when disabled or deleted. */
  scheduleCron(task: TaskRec): void {
    const gen = (this.cronGen.get(task.id) ?? 0) + 1;
    this.cronGen.set(task.id, gen);
    if (task.schedule_type !== "cron" || !task.enabled || task.deleted_at || !task.cron_expression) {
      task.next_run_at = null;
      return;
    }
    const next = nextCronRun(task.cron_expression, this.o.clock.now());
    if (next === undefined) {
      task.next_run_at = null;
      return;
    }
    task.next_run_at = isoSeconds(next);
    this.enqueue(next, async () => {
      if (this.cronGen.get(task.id) !== gen) return;
      const live = this.o.state.tasks.get(task.id);
      if (!live || live.deleted_at || !live.enabled) return;
      // Schedule the following tick first, then run this one.
      this.scheduleCron(live);
      await this.execute(live, next, 1);
    });
  }

  /** Cancels a task's future runs. */
  cancel(taskId: string): void {
    this.cronGen.set(taskId, (this.cronGen.get(taskId) ?? 0) + 1);
  }

  /** Queues a one-time execution at `at` (forward tasks, trigger, one-time API tasks). */
  enqueueOnce(task: TaskRec, at: number, attempt = 1, callbackUrl?: string): ExecutionRec {
    const exec: ExecutionRec = {
      id: uuidv7(this.o.clock.now()),
      task_id: task.id,
      status: "pending",
      scheduled_for: at,
      started_at: null,
      finished_at: null,
      status_code: null,
      duration_ms: null,
      error_message: null,
      response_body: null,
      attempt,
    };
    this.o.state.executions.set(exec.id, exec);
    this.track(exec);
    this.enqueue(at, async () => {
      const live = this.o.state.tasks.get(task.id);
      if (!live || exec.status !== "pending") return;
      await this.run(live, exec, callbackUrl);
    });
    return exec;
  }

  private async execute(task: TaskRec, at: number, attempt: number): Promise<void> {
    const exec: ExecutionRec = {
      id: uuidv7(at),
      task_id: task.id,
      status: "pending",
      scheduled_for: at,
      started_at: null,
      finished_at: null,
      status_code: null,
      duration_ms: null,
      error_message: null,
      response_body: null,
      attempt,
    };
    this.o.state.executions.set(exec.id, exec);
    this.track(exec);
    await this.run(task, exec);
  }

  /** Performs the HTTP call of an execution and queues its completion at start + duration. */
  private async run(task: TaskRec, exec: ExecutionRec, callbackUrl?: string): Promise<void> {
    const start = this.o.clock.now();
    exec.status = "running";
    exec.started_at = start;
    const sendBody = ["POST", "PUT", "PATCH"].includes(task.method);
    const body = sendBody ? (task.body ?? "") : "";
    const headers: Record<string, string> = {
      ...task.headers,
      "x-runlater-task-id": task.id,
      "x-runlater-execution-id": exec.id,
      "x-runlater-signature": `sha256=${createHmac("sha256", this.o.secretOf(task.org)).update(body).digest("hex")}`,
    };
    const res = await this.http(task.method, task.url, headers, sendBody ? body : undefined, task.timeout_ms);
    // Virtual time: a real response is instantaneous; a timeout takes its full timeout_ms.
    const virtualDuration = res.timedOut ? task.timeout_ms : 0;
    let status: ExecutionRec["status"];
    let error: string | null = null;
    if (res.timedOut) {
      status = "timeout";
      error = `Request timed out after ${task.timeout_ms}ms`;
    } else if (res.status === undefined) {
      status = "failed";
      error = `Transport error: ${res.error}`;
    } else {
      const codes = task.expected_status_codes
        ? task.expected_status_codes.split(",").map((c) => Number(c.trim()))
        : undefined;
      const okStatus = codes ? codes.includes(res.status) : res.status >= 200 && res.status < 300;
      if (!okStatus) {
        status = "failed";
        error = codes ? `Assertion failed: status ${res.status} not in [${codes.join(", ")}]` : `HTTP ${res.status}`;
      } else if (task.expected_body_pattern && !(res.body ?? "").includes(task.expected_body_pattern)) {
        status = "failed";
        error = `Assertion failed: response body does not contain ${JSON.stringify(task.expected_body_pattern)}`;
      } else {
        status = "success";
      }
    }
    const finish = this.o.clock.mode === "virtual" ? start + virtualDuration : this.o.clock.now();
    const complete = async () => {
      exec.status = status;
      exec.finished_at = finish;
      exec.status_code = res.status ?? null;
      exec.duration_ms = res.timedOut ? task.timeout_ms : Math.round(res.realMs);
      exec.error_message = error;
      exec.response_body = res.body ? res.body.slice(0, MAX_STORED_BODY) : null;
      this.log({
        kind: task.schedule_type === "cron" ? "cron" : "forward",
        taskId: task.id,
        executionId: exec.id,
        method: task.method,
        url: task.url,
        requestHeaders: headers,
        requestBody: body,
        scheduledFor: isoSeconds(exec.scheduled_for),
        startedAt: new Date(start).toISOString(),
        finishedAt: new Date(finish).toISOString(),
        status,
        statusCode: res.status ?? null,
        error,
        durationMs: finish - start,
      });
      await this.afterExecution(task, exec, res.retryAfterMs, callbackUrl);
    };
    if (finish > this.o.clock.now()) this.enqueue(finish, complete);
    else await complete();
  }

  private async afterExecution(task: TaskRec, exec: ExecutionRec, retryAfterMs?: number, callbackUrl?: string) {
    const once = task.schedule_type === "once";
    const failed = exec.status === "failed" || exec.status === "timeout";
    const finalAttempt = !once || exec.attempt > task.retry_attempts;
    if (once && failed && !finalAttempt) {
      const delay = this.o.retryDelayMs(exec.attempt, retryAfterMs);
      this.enqueueOnce(task, this.o.clock.now() + delay, exec.attempt + 1, callbackUrl);
    }
    const prev = this.previous(exec);
    if (failed && finalAttempt) {
      let fire = !prev || prev.status === "success";
      if (once && !this.o.literalFailureQuirk) {
        // Intended rule: a one-time task fires once its retries are exhausted, unless the
        // previous *final* outcome was already a failure.
        const prevFinal = this.previousFinal(exec, task);
        fire = !prevFinal || prevFinal.status === "success";
      }
      if (fire && task.on_failure_url) await this.hook("hook.failure", task, exec);
    }
    if (exec.status === "success" && prev && (prev.status === "failed" || prev.status === "timeout")) {
      const prevIsFinal = !once || task.retry_attempts === 0 || prev.attempt > task.retry_attempts;
      if (prevIsFinal && task.on_recovery_url) await this.hook("hook.recovery", task, exec);
    }
    const cb = callbackUrl ?? task.callback_url;
    if (cb) await this.callback(cb, task, exec, 1);
  }

  /** Latest other execution of the task by scheduled_for that has finished. */
  private previous(exec: ExecutionRec): ExecutionRec | undefined {
    const list = this.byTask.get(exec.task_id) ?? [];
    let best: ExecutionRec | undefined;
    for (const e of list) {
      if (e === exec || !FINAL.has(e.status)) continue;
      if (e.scheduled_for > exec.scheduled_for) continue;
      if (!best || e.scheduled_for >= best.scheduled_for) best = e;
    }
    return best;
  }

  private previousFinal(exec: ExecutionRec, task: TaskRec): ExecutionRec | undefined {
    const list = this.byTask.get(exec.task_id) ?? [];
    let best: ExecutionRec | undefined;
    for (const e of list) {
      if (e === exec || !FINAL.has(e.status)) continue;
      const isFinal = e.status === "success" || e.attempt > task.retry_attempts;
      if (!isFinal || e.scheduled_for > exec.scheduled_for) continue;
      if (!best || e.scheduled_for >= best.scheduled_for) best = e;
    }
    return best;
  }

  private async hook(kind: "hook.failure" | "hook.recovery", task: TaskRec, exec: ExecutionRec): Promise<void> {
    const url = kind === "hook.failure" ? task.on_failure_url! : task.on_recovery_url!;
    const execution: Record<string, unknown> = {
      id: exec.id,
      status: exec.status,
      status_code: exec.status_code,
      scheduled_for: isoSeconds(exec.scheduled_for),
      finished_at: exec.finished_at === null ? null : isoSeconds(exec.finished_at),
      duration_ms: exec.duration_ms,
    };
    if (kind === "hook.failure") execution.error_message = exec.error_message;
    const payload = JSON.stringify({
      event: kind === "hook.failure" ? "task.failed" : "task.recovered",
      task: { id: task.id, name: task.name, url: task.url, method: task.method },
      execution,
    });
    const headers = { "content-type": "application/json", "user-agent": "Runlater/1.0" };
    const start = this.o.clock.now();
    const res = await this.http("POST", url, headers, payload, 30_000);
    this.log({
      kind,
      taskId: task.id,
      executionId: exec.id,
      method: "POST",
      url,
      requestHeaders: headers,
      requestBody: payload,
      scheduledFor: isoSeconds(start),
      startedAt: new Date(start).toISOString(),
      finishedAt: new Date(this.o.clock.now()).toISOString(),
      status: res.status !== undefined && res.status >= 200 && res.status < 300 ? "success" : res.timedOut ? "timeout" : "failed",
      statusCode: res.status ?? null,
      error: res.error ?? null,
      durationMs: 0,
    });
  }

  private async callback(url: string, task: TaskRec, exec: ExecutionRec, attempt: number): Promise<void> {
    const payload = JSON.stringify({
      event: "execution.completed",
      task_id: task.id,
      execution_id: exec.id,
      status: exec.status,
      status_code: exec.status_code,
      duration_ms: exec.duration_ms,
      response_body: exec.response_body,
      error_message: exec.error_message,
      attempt: exec.attempt,
      scheduled_for: isoSeconds(exec.scheduled_for),
      finished_at: exec.finished_at === null ? null : isoSeconds(exec.finished_at),
    });
    const headers = {
      "content-type": "application/json",
      "user-agent": "Runlater/1.0",
      "x-runlater-signature": `sha256=${createHmac("sha256", this.o.secretOf(task.org)).update(payload).digest("hex")}`,
      "x-runlater-task-id": task.id,
      "x-runlater-execution-id": exec.id,
    };
    const start = this.o.clock.now();
    const res = await this.http("POST", url, headers, payload, 10_000);
    const ok = res.status !== undefined && res.status >= 200 && res.status < 300;
    this.log({
      kind: "callback",
      taskId: task.id,
      executionId: exec.id,
      method: "POST",
      url,
      requestHeaders: headers,
      requestBody: payload,
      scheduledFor: isoSeconds(start),
      startedAt: new Date(start).toISOString(),
      finishedAt: new Date(this.o.clock.now()).toISOString(),
      status: ok ? "success" : "failed",
      statusCode: res.status ?? null,
      error: res.error ?? null,
      durationMs: 0,
    });
    if (!ok && attempt < 3) {
      const delay = attempt === 1 ? 5_000 : 20_000;
      this.enqueue(this.o.clock.now() + delay, () => this.callback(url, task, exec, attempt + 1));
    }
  }

  private log(d: Delivery): void {
    this.o.state.deliveries.push(d);
    if (this.o.state.deliveries.length > 10_000) this.o.state.deliveries.splice(0, 1_000);
  }

  /** One real HTTP request with a timeout (capped in virtual mode). */
  private async http(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<{ status?: number; body?: string; error?: string; timedOut: boolean; realMs: number; retryAfterMs?: number }> {
    const realTimeout =
      this.o.clock.mode === "virtual" ? Math.min(timeoutMs, this.o.virtualTimeoutCapMs) : this.o.clock.realDelay(timeoutMs);
    const t0 = performance.now();
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), Math.max(1, realTimeout));
    const p = (async () => {
      try {
        const r = await fetch(url, { method, headers, body, signal: ac.signal, redirect: "manual" });
        const text = await r.text();
        const ra = r.headers.get("retry-after");
        let retryAfterMs: number | undefined;
        if (r.status === 429 && ra) {
          retryAfterMs = /^\d+$/.test(ra) ? Number(ra) * 1000 : Math.max(0, Date.parse(ra) - Date.now());
        }
        return { status: r.status, body: text, timedOut: false, realMs: performance.now() - t0, retryAfterMs };
      } catch (e) {
        const timedOut = ac.signal.aborted;
        const err = e as { cause?: { code?: string; message?: string }; message?: string };
        return {
          timedOut,
          error: timedOut ? undefined : (err.cause?.code ?? err.cause?.message ?? err.message ?? String(e)),
          realMs: performance.now() - t0,
        };
      } finally {
        clearTimeout(timer);
      }
    })();
    const tracked = p.then(() => undefined);
    this.inflight.add(tracked);
    try {
      return await p;
    } finally {
      this.inflight.delete(tracked);
    }
  }

  /** Runs every queued event due at or before `until` (virtual: also moves the clock). */
  async runDue(until: number): Promise<void> {
    while (this.queue.length > 0 && this.queue[0].at <= until) {
      const ev = this.queue.shift()!;
      if (this.o.clock.mode === "virtual") this.o.clock.set(ev.at);
      await ev.run();
    }
    if (this.o.clock.mode === "virtual") this.o.clock.set(until);
  }

  /** Real mode: processes due events in the background. */
  start(): void {
    if (this.o.clock.mode !== "real" || this.timer) return;
    this.timer = setInterval(() => this.kick(), 50);
    this.timer.unref();
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.runDue(this.o.clock.now())
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
      });
  }

  /** Stops background processing and waits for in-flight requests. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.queue = [];
    await Promise.allSettled([...this.inflight]);
  }
}

/** Next run of a 5-field UTC cron strictly after `from` (epoch ms). */
export function nextCronRun(expr: string, from: number): number | undefined {
  try {
    const next = new Cron(expr, { paused: true, timezone: "UTC" }).nextRun(new Date(from));
    return next ? next.getTime() : undefined;
  } catch {
    return undefined;
  }
}

/** Default retry delay: `(attempt+1)^2 × 30 s` (Runlater's code), or a 429's Retry-After capped at 1 h. */
export function defaultRetryDelayMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 3_600_000);
  return (attempt + 1) ** 2 * 30_000;
}

/** Random id for inbound events etc. */
export function newId(): string {
  return randomUUID();
}
