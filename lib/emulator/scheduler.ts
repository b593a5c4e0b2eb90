/**
 * The loop: cron tasks fire on schedule, call their URL, record executions, fire
 * `on_failure_url`/`on_recovery_url` per Runlater's streak rules (contract §6), one-time tasks
 * (endpoint forwards included) retry with backoff (§5) and callbacks are delivered with 3
 * attempts (§7). Time comes from the emulator clock.
 *
 * Virtual clock: nothing happens until `runDue(until)`, which runs every queued event due at or
 * before `until` in time order (events created meanwhile included), one at a time, awaiting the
 * real HTTP exchange of each. A real answer counts as instantaneous; a request that times out is
 * cut after `min(timeout_ms, virtualTimeoutCapMs)` real ms and its result lands at
 * `start + timeout_ms`.
 *
 * Real clock: a background loop runs due events; executions run concurrently, except that
 * executions of one queue/lane (per org) run one after the other.
 *
 * Missed runs: ticks are computed from the previous tick, not from "now", so when the clock
 * jumps over several cron ticks each tick runs, in order; none is skipped. (Runlater itself
 * records runs it could not start as `missed`; the emulator never does.) After a restart from a
 * state file, cron tasks are re-armed from the current time: ticks while the server was down
 * are not replayed.
 */
import { createHmac } from "node:crypto";
import { Cron } from "croner";
import { type EmulatorClock, isoSeconds } from "./clock";
import { type Delivery, type ExecutionRec, type RunlaterState, type TaskRec, uuidv7 } from "./state";

/** Scheduler options (see `EmulatorOptions` for the documented public forms). */
export interface SchedulerOptions {
  clock: EmulatorClock;
  state: RunlaterState;
  /** Delay (emulator ms) before the retry that follows failed attempt `attempt` (1-based); `retryAfterMs` from a 429. */
  retryDelayMs: (attempt: number, retryAfterMs?: number) => number;
  /** Real-ms cap on waiting for a timing-out request in virtual mode. */
  virtualTimeoutCapMs: number;
  /** Reproduce Runlater's literal rule that suppresses on_failure_url for one-time tasks with retries. */
  literalFailureQuirk: boolean;
  /** Webhook secret of an org (for signatures). */
  secretOf: (org: string) => string;
  /** Called after state changed (executions, tasks). */
  onChange?: () => void;
  /** Deliveries kept in memory (oldest dropped first). @default 10000 */
  maxDeliveries?: number;
  /** Timeout of action-URL (hook) deliveries. @default 30000 */
  hookTimeoutMs?: number;
}

interface Queued {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

/** Outcome of one outbound HTTP exchange. */
interface HttpResult {
  status?: number;
  body?: string;
  error?: string;
  timedOut: boolean;
  realMs: number;
  retryAfterMs?: number;
}

const MAX_STORED_BODY = 256 * 1024;
const MAX_LOGGED_BODY = 4 * 1024;
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** HMAC-SHA256 signature header value, as Runlater signs deliveries. */
export function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Runs the Runlater loop against the state. */
export class Scheduler {
  private queue: Queued[] = [];
  private seq = 0;
  private execSeq = 0;
  private deliverySeq = 0;
  private cronGen = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Serialises `runDue` calls (virtual `advance` from several callers, the real-mode loop). */
  private lock: Promise<void> = Promise.resolve();
  /** Executions per task in creation order. */
  private byTask = new Map<string, ExecutionRec[]>();
  /** Outstanding work (so `stop` can wait for it). */
  private inflight = new Set<Promise<unknown>>();
  /** Real mode: tail of each (org, queue) chain. */
  private lanes = new Map<string, Promise<void>>();

  constructor(private readonly o: SchedulerOptions) {
    const all = [...o.state.executions.values()].sort((a, b) => a.scheduled_for - b.scheduled_for || (a.seq ?? 0) - (b.seq ?? 0));
    for (const e of all) {
      e.seq = ++this.execSeq;
      this.track(e);
    }
  }

  private track(e: ExecutionRec): void {
    const list = this.byTask.get(e.task_id) ?? [];
    list.push(e);
    this.byTask.set(e.task_id, list);
  }

  private enqueue(at: number, run: () => Promise<void>): void {
    if (this.stopped) return;
    const item: Queued = { at, seq: this.seq++, run };
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].at > at) i--;
    this.queue.splice(i, 0, item);
    if (this.o.clock.mode === "real") this.kick();
  }

  /** Number of queued events. */
  pending(): number {
    return this.queue.length;
  }

  /** Time of the next queued event (epoch ms), if any. */
  nextAt(): number | undefined {
    return this.queue[0]?.at;
  }

  /**
   * (Re)arms a cron task: the next tick strictly after `from` (default: now). Clears it when the
   * task is disabled, deleted or not a cron task. Earlier arms of the same task become no-ops.
   */
  scheduleCron(task: TaskRec, from = this.o.clock.now()): void {
    const gen = (this.cronGen.get(task.id) ?? 0) + 1;
    this.cronGen.set(task.id, gen);
    if (task.schedule_type !== "cron" || !task.enabled || task.deleted_at || !task.cron_expression) {
      task.next_run_at = null;
      return;
    }
    const next = nextCronRun(task.cron_expression, from);
    if (next === undefined) {
      task.next_run_at = null;
      return;
    }
    task.next_run_at = isoSeconds(next);
    this.enqueue(next, async () => {
      if (this.cronGen.get(task.id) !== gen) return;
      const live = this.o.state.tasks.get(task.id);
      if (!live || live.deleted_at || !live.enabled) return;
      // Arm the following tick from this tick (never skips a tick), then run this one.
      this.scheduleCron(live, next);
      const exec = this.newExecution(live, next, 1);
      await this.dispatch(live, exec);
    });
  }

  /** Cancels a task's future cron runs. */
  cancel(taskId: string): void {
    this.cronGen.set(taskId, (this.cronGen.get(taskId) ?? 0) + 1);
  }

  private newExecution(task: TaskRec, at: number, attempt: number, callbackUrl?: string | null): ExecutionRec {
    const exec: ExecutionRec = {
      id: uuidv7(Math.max(at, this.o.clock.now())),
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
      callback_url: callbackUrl ?? null,
      seq: ++this.execSeq,
    };
    this.o.state.executions.set(exec.id, exec);
    this.track(exec);
    this.o.onChange?.();
    return exec;
  }

  /** Queues an execution of `task` at `at` (one-time tasks, forwards, trigger, replay, retries). */
  enqueueOnce(task: TaskRec, at: number, attempt = 1, callbackUrl?: string | null): ExecutionRec {
    const exec = this.newExecution(task, at, attempt, callbackUrl);
    this.armExecution(exec);
    return exec;
  }

  /** Queues an existing pending execution (used when restoring state). */
  armExecution(exec: ExecutionRec): void {
    this.enqueue(exec.scheduled_for, async () => {
      const live = this.o.state.tasks.get(exec.task_id);
      if (!live || live.deleted_at || exec.status !== "pending") return;
      await this.dispatch(live, exec);
    });
  }

  /** Runs an execution now; in real mode concurrently, one at a time per (org, queue). */
  private async dispatch(task: TaskRec, exec: ExecutionRec): Promise<void> {
    if (this.o.clock.mode === "virtual") return this.run(task, exec);
    const work = (): Promise<void> => this.run(task, exec).catch(() => undefined);
    let p: Promise<void>;
    if (task.queue) {
      const key = `${task.org}\u0000${task.queue}`;
      p = (this.lanes.get(key) ?? Promise.resolve()).then(work);
      this.lanes.set(key, p);
      void p.then(() => {
        if (this.lanes.get(key) === p) this.lanes.delete(key);
      });
    } else p = work();
    this.hold(p);
  }

  private hold(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Performs the HTTP call of an execution and queues its completion at start + duration. */
  private async run(task: TaskRec, exec: ExecutionRec): Promise<void> {
    const start = this.o.clock.now();
    exec.status = "running";
    exec.started_at = start;
    const method = task.method.toUpperCase();
    const sendBody = BODY_METHODS.has(method);
    const body = sendBody ? (task.body ?? "") : "";
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(task.headers)) if (!k.toLowerCase().startsWith("x-runlater-")) headers[k] = v;
    Object.assign(headers, {
      "x-runlater-task-id": task.id,
      "x-runlater-execution-id": exec.id,
      "x-runlater-signature": sign(this.o.secretOf(task.org), body),
    });
    const res = await this.http(method, task.url, headers, sendBody ? body : undefined, task.timeout_ms);
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
        ? task.expected_status_codes
            .split(",")
            .map((c) => c.trim())
            .filter((c) => c !== "")
            .map(Number)
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
    // Virtual: a real answer is instantaneous. Real: the emulator time that passed. A timeout
    // always lands at start + timeout_ms.
    const finish = res.timedOut ? start + task.timeout_ms : this.o.clock.mode === "virtual" ? start : Math.max(start, this.o.clock.now());
    const complete = async () => {
      exec.status = status;
      exec.finished_at = finish;
      exec.status_code = res.status ?? null;
      exec.duration_ms = res.timedOut ? task.timeout_ms : Math.round(res.realMs);
      exec.error_message = error;
      exec.response_body = res.body !== undefined ? res.body.slice(0, MAX_STORED_BODY) : null;
      task.last_execution_at = start;
      this.log({
        kind: task.schedule_type === "cron" ? "cron" : task.endpoint_id ? "forward" : "once",
        taskId: task.id,
        executionId: exec.id,
        method,
        url: task.url,
        requestHeaders: headers,
        requestBody: body,
        scheduledFor: new Date(exec.scheduled_for).toISOString(),
        startedAt: new Date(start).toISOString(),
        finishedAt: new Date(finish).toISOString(),
        status,
        statusCode: res.status ?? null,
        error,
        durationMs: finish - start,
        realMs: Math.round(res.realMs),
        attempt: exec.attempt,
        responseBody: res.body === undefined ? null : res.body.slice(0, MAX_LOGGED_BODY),
      });
      this.o.onChange?.();
      await this.afterExecution(task, exec, res.retryAfterMs);
    };
    if (finish > this.o.clock.now()) this.enqueue(finish, complete);
    else await complete();
  }

  private async afterExecution(task: TaskRec, exec: ExecutionRec, retryAfterMs?: number): Promise<void> {
    const once = task.schedule_type === "once";
    const failed = exec.status === "failed" || exec.status === "timeout";
    const finalAttempt = !once || exec.attempt > task.retry_attempts;
    const prev = this.previous(exec);
    if (once && failed && !finalAttempt && !task.deleted_at) {
      const delay = Math.max(0, this.o.retryDelayMs(exec.attempt, retryAfterMs));
      this.enqueueOnce(task, this.o.clock.now() + delay, exec.attempt + 1, exec.callback_url);
    }
    if (failed && finalAttempt && task.on_failure_url) {
      let fire = !prev || prev.status === "success";
      if (once && task.retry_attempts > 0 && !this.o.literalFailureQuirk) {
        // Intended rule: fire once the retries are exhausted, unless the previous *final*
        // outcome of this task was already a failure (one hook per failure streak).
        const prevFinal = this.previous(
          exec,
          (e) => e.status === "success" || ((e.status === "failed" || e.status === "timeout") && e.attempt > task.retry_attempts),
        );
        fire = !prevFinal || prevFinal.status === "success";
      }
      if (fire) await this.hook("hook.failure", task, exec);
    }
    if (exec.status === "success" && task.on_recovery_url && prev && (prev.status === "failed" || prev.status === "timeout")) {
      const prevIsFinal = !once || task.retry_attempts === 0 || prev.attempt > task.retry_attempts;
      if (prevIsFinal) await this.hook("hook.recovery", task, exec);
    }
    const cb = exec.callback_url ?? task.callback_url;
    if (cb) await this.callback(cb, task, exec, 1);
  }

  /**
   * The previous execution of the same task: the latest other one by `scheduled_for` (ties: the
   * one created earlier) that is not later than `exec`, whatever its status (contract §6).
   */
  private previous(exec: ExecutionRec, accept: (e: ExecutionRec) => boolean = () => true): ExecutionRec | undefined {
    const list = this.byTask.get(exec.task_id) ?? [];
    const key = (e: ExecutionRec) => [e.scheduled_for, e.seq ?? 0] as const;
    const before = (a: ExecutionRec, b: ExecutionRec) => key(a)[0] < key(b)[0] || (key(a)[0] === key(b)[0] && key(a)[1] < key(b)[1]);
    let best: ExecutionRec | undefined;
    for (const e of list) {
      if (e === exec || !before(e, exec) || !accept(e)) continue;
      if (!best || before(best, e)) best = e;
    }
    return best;
  }

  private async hook(kind: "hook.failure" | "hook.recovery", task: TaskRec, exec: ExecutionRec): Promise<void> {
    const url = kind === "hook.failure" ? task.on_failure_url! : task.on_recovery_url!;
    const execution: Record<string, unknown> = {
      id: exec.id,
      status: exec.status,
      status_code: exec.status_code,
      ...(kind === "hook.failure" ? { error_message: exec.error_message } : {}),
      scheduled_for: isoSeconds(exec.scheduled_for),
      finished_at: exec.finished_at === null ? null : isoSeconds(exec.finished_at),
      duration_ms: exec.duration_ms,
    };
    const payload = JSON.stringify({
      event: kind === "hook.failure" ? "task.failed" : "task.recovered",
      task: { id: task.id, name: task.name, url: task.url, method: task.method },
      execution,
    });
    const headers = { "content-type": "application/json", "user-agent": "Runlater/1.0" };
    await this.deliverSimple(kind, task, exec, url, headers, payload, this.o.hookTimeoutMs ?? 30_000, 1);
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
      "x-runlater-signature": sign(this.o.secretOf(task.org), payload),
      "x-runlater-task-id": task.id,
      "x-runlater-execution-id": exec.id,
    };
    const ok = await this.deliverSimple("callback", task, exec, url, headers, payload, 10_000, attempt);
    if (!ok && attempt < 3) {
      const delay = attempt === 1 ? 5_000 : 20_000;
      this.enqueue(this.o.clock.now() + delay, () => this.callback(url, task, exec, attempt + 1));
    }
  }

  /** A POST whose outcome does not feed back into the loop (hooks, callbacks); true on 2xx. */
  private async deliverSimple(
    kind: Delivery["kind"],
    task: TaskRec,
    exec: ExecutionRec,
    url: string,
    headers: Record<string, string>,
    payload: string,
    timeoutMs: number,
    attempt: number,
  ): Promise<boolean> {
    const start = this.o.clock.now();
    const res = await this.http("POST", url, headers, payload, timeoutMs);
    const ok = res.status !== undefined && res.status >= 200 && res.status < 300;
    const finish = res.timedOut ? start + timeoutMs : this.o.clock.mode === "virtual" ? start : Math.max(start, this.o.clock.now());
    this.log({
      kind,
      taskId: task.id,
      executionId: exec.id,
      method: "POST",
      url,
      requestHeaders: headers,
      requestBody: payload,
      scheduledFor: new Date(start).toISOString(),
      startedAt: new Date(start).toISOString(),
      finishedAt: new Date(finish).toISOString(),
      status: ok ? "success" : res.timedOut ? "timeout" : "failed",
      statusCode: res.status ?? null,
      error: res.timedOut ? `Request timed out after ${timeoutMs}ms` : res.status === undefined ? `Transport error: ${res.error}` : ok ? null : `HTTP ${res.status}`,
      durationMs: finish - start,
      realMs: Math.round(res.realMs),
      attempt,
      responseBody: res.body === undefined ? null : res.body.slice(0, MAX_LOGGED_BODY),
    });
    return ok;
  }

  private log(d: Omit<Delivery, "seq">): void {
    const list = this.o.state.deliveries;
    list.push({ seq: ++this.deliverySeq, ...d });
    const max = this.o.maxDeliveries ?? 10_000;
    if (list.length > max) list.splice(0, list.length - max);
  }

  /** Real ms to wait before a request counts as timed out. */
  private realTimeout(timeoutMs: number): number {
    const c = this.o.clock;
    if (c.mode === "virtual") return Math.min(timeoutMs, this.o.virtualTimeoutCapMs);
    // Sped-up real time: the emulated timeout, but give a local target at least 1 s (or the whole timeout when shorter).
    return Math.max(c.realDelay(timeoutMs), Math.min(timeoutMs, 1000));
  }

  /** One real HTTP request with a timeout. Never throws. */
  private async http(method: string, url: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<HttpResult> {
    const t0 = performance.now();
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), Math.max(1, this.realTimeout(timeoutMs)));
    const p = (async (): Promise<HttpResult> => {
      try {
        const r = await fetch(url, { method, headers, body, signal: ac.signal, redirect: "manual" });
        const text = await r.text();
        const ra = r.headers.get("retry-after");
        let retryAfterMs: number | undefined;
        if (r.status === 429 && ra) {
          // Seconds, or an HTTP-date (written by the target from its own, real, clock).
          const n = /^\s*\d+\s*$/.test(ra) ? Number(ra) * 1000 : Date.parse(ra) - Date.now();
          if (Number.isFinite(n)) retryAfterMs = Math.max(0, n);
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
    this.hold(p);
    return p;
  }

  /**
   * Runs every queued event due at or before `until`, in time order (events created meanwhile
   * included when due). Virtual mode: moves the clock to each event's time, then to `until`.
   * Calls are serialised.
   */
  runDue(until: number): Promise<void> {
    const next = this.lock.then(() => this.drain(until));
    this.lock = next.catch(() => undefined);
    return next;
  }

  private async drain(until: number): Promise<void> {
    const virtual = this.o.clock.mode === "virtual";
    while (!this.stopped && this.queue.length > 0 && this.queue[0].at <= until) {
      const ev = this.queue.shift()!;
      if (virtual) this.o.clock.set(ev.at);
      await ev.run();
    }
    if (virtual && !this.stopped) this.o.clock.set(until);
  }

  /** Real mode: processes due events in the background. */
  start(): void {
    if (this.o.clock.mode !== "real" || this.timer) return;
    this.timer = setInterval(() => this.kick(), 25);
    this.timer.unref();
  }

  private kicking = false;
  private kick(): void {
    if (this.kicking || this.stopped) return;
    if (this.queue.length === 0 || this.queue[0].at > this.o.clock.now()) return;
    this.kicking = true;
    void this.runDue(this.o.clock.now())
      .catch(() => undefined)
      .finally(() => {
        this.kicking = false;
      });
  }

  /** Stops processing, drops queued events and waits for in-flight requests. */
  async stop(): Promise<void> {
    this.stopped = true;
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

/** Default retry delay: `(attempt+1)² × 30 s` (Runlater's code), or a 429's Retry-After capped at 1 h. */
export function defaultRetryDelayMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 3_600_000);
  return (attempt + 1) ** 2 * 30_000;
}
