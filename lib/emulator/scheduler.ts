/**
 * The loop, as Runlater's server runs it (`app/lib/app/scheduler.ex`, `worker.ex`,
 * `executions.ex`, `notifications.ex`): cron executions are pre-created ahead of their tick,
 * due executions are claimed (one running per (org, queue)), hosts that keep failing are
 * blocked, outcomes fire `on_failure_url`/`on_recovery_url` per the "previous execution" rules,
 * one-time tasks (endpoint forwards included) retry with backoff and callbacks are delivered.
 *
 * Virtual clock: nothing happens until `runDue(until)`, which runs every queued event due at or
 * before `until` in time order (events created meanwhile included), one at a time. A real
 * answer counts as instantaneous; a request that times out lands at `start + timeout_ms`
 * (socket targets are cut after `min(timeout_ms, virtualTimeoutCapMs)` real ms; in-process
 * targets that hang cost no real time).
 *
 * Real clock: a background loop runs due events; executions run concurrently, one per queue.
 *
 * Missed runs: ticks are computed from the previous tick, so a clock jump over several ticks runs
 * each of them. After a restart from a state file, cron tasks are re-armed from the current time.
 */
import { Cron } from "croner";
import { type EmulatorClock, isoSeconds } from "./clock";
import { finishTime, type Notifier, sign, transportError } from "./hooks";
import type { HostBlocker } from "./host-blocker";
import { type ExecutionRec, type RunlaterState, type TaskRec, uuidv7 as uuidv7Of } from "./state";
import { type HttpResult, isJsonContentType, type Transport } from "./transport";

export { sign } from "./hooks";

/** Scheduler options (see `EmulatorOptions` for the documented public forms). */
export interface SchedulerOptions {
  clock: EmulatorClock;
  state: RunlaterState;
  transport: Transport;
  notifier: Notifier;
  /** Delay (emulator ms) before the retry that follows failed attempt `attempt` (1-based); `retryAfterMs` from a 429. */
  retryDelayMs: (attempt: number, retryAfterMs?: number) => number;
  /** Webhook secret of an org (for signatures). */
  secretOf: (org: string) => string;
  /** Called after state changed (executions, tasks). */
  onChange?: () => void;
  /** Host blocking (`host_blocker.ex`); absent = never blocks (`kind.noHostBlocking`). */
  blocker?: HostBlocker;
  /** Blocker key of a task URL (undefined: not blocked). */
  hostKeyOf?: (url: string) => string | undefined;
  /** How long before its tick a cron execution is pre-created (`@lookahead_seconds`). @default 10000 */
  lookaheadMs?: number;
  /** Kinder: "previous execution" only looks at executions not later than the current one. @default false */
  previousNotLater?: boolean;
  /** Kinder: fire on_failure_url of one-time tasks once their retries are exhausted. @default false (literal rule) */
  intendedFailureRule?: boolean;
  /** Kinder: apply expected_body_pattern to JSON bodies too. @default false */
  bodyPatternOnJson?: boolean;
  /** Start latency of a claim, emulator ms (seeded jitter). @default () => 0 */
  startDelayMs?: () => number;
}

interface Queued {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

const MAX_STORED_BODY = 256 * 1024;
const MAX_LOGGED_BODY = 4 * 1024;
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** Runs the Runlater loop against the state. */
export class Scheduler {
  private queue: Queued[] = [];
  private seq = 0;
  private execSeq = 0;
  private cronGen = new Map<string, number>();
  /** Arm generation of each pending execution (a reschedule makes older arms no-ops). */
  private armGen = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** Serialises `runDue` calls (virtual `advance` from several callers, the real-mode loop). */
  private lock: Promise<void> = Promise.resolve();
  /** Executions per task in creation order. */
  private byTask = new Map<string, ExecutionRec[]>();
  /** Outstanding work (so `stop` can wait for it). */
  private inflight = new Set<Promise<unknown>>();
  /** (org, queue) → the running execution's id. */
  private laneBusy = new Map<string, string>();
  /** (org, queue) → due executions waiting for the lane. */
  private laneWaiting = new Map<string, ExecutionRec[]>();

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

  /** Queues `run` at emulator instant `at` (monitors and hooks use it too). */
  at(at: number, run: () => Promise<void>): void {
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
   * (Re)arms a cron task on its next tick strictly after `from` (default: now): `next_run_at` is
   * that tick, and its execution is pre-created `lookaheadMs` before it (`scheduler.ex`: ticks
   * every 5 s and creates executions for `next_run_at <= now + 10 s`, then advances
   * `next_run_at`; workers claim them once `scheduled_for <= now`). Clears it when the task is
   * disabled, deleted or not a cron task. Earlier arms of the same task become no-ops.
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
    const createAt = Math.max(this.o.clock.now(), next - (this.o.lookaheadMs ?? 10_000));
    this.at(createAt, async () => {
      if (this.cronGen.get(task.id) !== gen) return;
      const live = this.o.state.tasks.get(task.id);
      if (!live || live.deleted_at || !live.enabled) return;
      this.enqueueOnce(live, next, 1);
      // Advance next_run_at from this tick (never skips a tick).
      this.scheduleCron(live, next);
    });
  }

  /** Cancels a task's future cron runs. */
  cancel(taskId: string): void {
    this.cronGen.set(taskId, (this.cronGen.get(taskId) ?? 0) + 1);
  }

  private newExecution(task: TaskRec, at: number, attempt: number, callbackUrl?: string | null): ExecutionRec {
    const exec: ExecutionRec = {
      id: uuidv7Of(Math.max(at, this.o.clock.now())),
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
      queue: task.queue,
    };
    this.o.state.executions.set(exec.id, exec);
    this.track(exec);
    this.o.onChange?.();
    return exec;
  }

  /** Creates a pending execution of `task` for `at` and arms it (one-time tasks, forwards, trigger, replay, retries, cron ticks). */
  enqueueOnce(task: TaskRec, at: number, attempt = 1, callbackUrl?: string | null): ExecutionRec {
    const exec = this.newExecution(task, at, attempt, callbackUrl);
    this.armExecution(exec);
    return exec;
  }

  /** Deletes an execution (`Repo.delete_all` of pending executions on task delete / cancel by queue). */
  deleteExecution(exec: ExecutionRec): void {
    this.o.state.executions.delete(exec.id);
    this.armGen.delete(exec.id);
    const list = this.byTask.get(exec.task_id);
    if (list) {
      const i = list.indexOf(exec);
      if (i >= 0) list.splice(i, 1);
    }
    const key = this.laneKey(exec);
    const waiting = key ? this.laneWaiting.get(key) : undefined;
    if (waiting) {
      const i = waiting.indexOf(exec);
      if (i >= 0) waiting.splice(i, 1);
    }
  }

  /** Arms a pending execution: it is claimed at `scheduled_for` plus the start latency. */
  armExecution(exec: ExecutionRec): void {
    const gen = (this.armGen.get(exec.id) ?? 0) + 1;
    this.armGen.set(exec.id, gen);
    const delay = Math.max(0, this.o.startDelayMs?.() ?? 0);
    this.at(exec.scheduled_for + delay, () => this.claim(exec, gen));
  }

  private laneKey(exec: ExecutionRec): string | undefined {
    const task = this.o.state.tasks.get(exec.task_id);
    return exec.queue && task ? `${task.org}\u0000${exec.queue}` : undefined;
  }

  /**
   * Claims a due execution (`Executions.claim_next_execution`: pending, due, no running
   * execution in its (org, queue); the task's deletion is not checked). A blocked host
   * reschedules it to the block's end (`worker.ex` `handle_blocked_host`).
   */
  private async claim(exec: ExecutionRec, gen: number): Promise<void> {
    if (this.armGen.get(exec.id) !== gen || exec.status !== "pending" || !this.o.state.executions.has(exec.id)) return;
    const task = this.o.state.tasks.get(exec.task_id);
    if (!task) return;
    const lane = this.laneKey(exec);
    if (lane && this.laneBusy.has(lane)) {
      const list = this.laneWaiting.get(lane) ?? [];
      if (!list.includes(exec)) list.push(exec);
      this.laneWaiting.set(lane, list);
      return;
    }
    const now = this.o.clock.now();
    const host = this.o.blocker ? this.o.hostKeyOf?.(task.url) : undefined;
    const until = host ? this.o.blocker!.blockedUntil(task.org, host, now) : undefined;
    if (until !== undefined) {
      // `reschedule_execution`: back to pending, scheduled_for = the block's end (whole seconds).
      exec.scheduled_for = Math.floor(until / 1000) * 1000;
      const g = (this.armGen.get(exec.id) ?? 0) + 1;
      this.armGen.set(exec.id, g);
      this.at(Math.max(until, now), () => this.claim(exec, g));
      this.o.onChange?.();
      return;
    }
    if (lane) this.laneBusy.set(lane, exec.id);
    if (this.o.clock.mode === "virtual") return this.run(task, exec, host, lane);
    this.hold(this.run(task, exec, host, lane).catch(() => undefined));
  }

  private releaseLane(lane: string | undefined): void {
    if (!lane) return;
    this.laneBusy.delete(lane);
    const waiting = this.laneWaiting.get(lane);
    if (!waiting || waiting.length === 0) return;
    waiting.sort((a, b) => a.scheduled_for - b.scheduled_for || (a.seq ?? 0) - (b.seq ?? 0));
    const next = waiting.shift()!;
    if (waiting.length === 0) this.laneWaiting.delete(lane);
    const gen = (this.armGen.get(next.id) ?? 0) + 1;
    this.armGen.set(next.id, gen);
    this.at(this.o.clock.now(), () => this.claim(next, gen));
  }

  private hold(p: Promise<unknown>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Performs the request of an execution (`worker.ex` `make_request`) and queues its completion. */
  private async run(task: TaskRec, exec: ExecutionRec, host: string | undefined, lane: string | undefined): Promise<void> {
    const start = this.o.clock.now();
    exec.status = "running";
    exec.started_at = start;
    const method = task.method.toUpperCase();
    const sendBody = BODY_METHODS.has(method);
    const body = sendBody ? (task.body ?? "") : "";
    // `build_headers(task.headers) ++ WebhookSignature.build_headers(...)`: the task's headers as
    // stored (a map: sorted by name, names case-sensitive), then Runlater's own.
    const headers: Array<[string, string]> = Object.entries(task.headers)
      .filter(([k]) => !k.toLowerCase().startsWith("x-runlater-"))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    headers.push(["x-runlater-task-id", task.id], ["x-runlater-execution-id", exec.id], ["x-runlater-signature", sign(this.o.secretOf(task.org), body)]);
    const res = await this.o.transport.send({ method, url: task.url, headers, body: sendBody ? body : undefined, timeoutMs: task.timeout_ms });
    const { status, error } = this.outcome(task, res);
    const finish = finishTime(this.o.clock, start, res, task.timeout_ms);
    const complete = async () => {
      if (host) this.o.blocker!.record(task.org, host, this.o.clock.now(), res);
      exec.status = status;
      exec.finished_at = finish;
      exec.status_code = res.status ?? null;
      exec.duration_ms = res.timedOut ? task.timeout_ms : Math.round(res.realMs);
      exec.error_message = error;
      exec.response_body = res.body !== undefined ? res.body.slice(0, MAX_STORED_BODY) : null;
      task.last_execution_at = start;
      this.o.notifier.log({
        kind: task.schedule_type === "cron" ? "cron" : task.endpoint_id ? "forward" : "once",
        taskId: task.id,
        executionId: exec.id,
        method,
        url: task.url,
        requestHeaders: Object.fromEntries(headers),
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
      this.releaseLane(lane);
      await this.afterExecution(task, exec, status === "failed" && res.status === 429 ? res.retryAfterMs : undefined);
    };
    if (finish > this.o.clock.now()) this.at(finish, complete);
    else await complete();
  }

  /** `worker.ex` `check_response_assertions` (status codes, then the body pattern). */
  private outcome(task: TaskRec, res: HttpResult): { status: ExecutionRec["status"]; error: string | null } {
    if (res.timedOut) return { status: "timeout", error: "Request timed out" };
    if (res.status === undefined) return { status: "failed", error: transportError(res.error) };
    const codes = task.expected_status_codes
      ? task.expected_status_codes
          .split(",")
          .map((c) => c.trim())
          .filter((c) => c !== "")
          .map(Number)
      : undefined;
    if (codes ? !codes.includes(res.status) : !(res.status >= 200 && res.status < 300)) {
      return { status: "failed", error: codes ? `Assertion failed: status ${res.status} not in [${task.expected_status_codes}]` : `HTTP ${res.status}` };
    }
    const pattern = task.expected_body_pattern;
    if (pattern) {
      const text = this.assertedBody(res);
      if (text !== undefined && !text.includes(pattern)) {
        return { status: "failed", error: `Assertion failed: response body does not contain ${JSON.stringify(pattern)}` };
      }
    }
    return { status: "success", error: null };
  }

  /**
   * The body the pattern is checked against. Req decodes a JSON response before the worker
   * sees it and `check_body_assertion` only checks binaries, so a JSON object/array/number
   * passes whatever the pattern (`worker.ex`); a JSON string is checked as the decoded string.
   * A body that is not valid JSON is checked as text.
   */
  private assertedBody(res: HttpResult): string | undefined {
    const body = res.body ?? "";
    if (this.o.bodyPatternOnJson || !isJsonContentType(res.headers?.["content-type"])) return body;
    try {
      const v: unknown = JSON.parse(body);
      return typeof v === "string" ? v : undefined;
    } catch {
      return body;
    }
  }

  private async afterExecution(task: TaskRec, exec: ExecutionRec, retryAfterMs?: number): Promise<void> {
    const once = task.schedule_type === "once";
    const failed = exec.status === "failed" || exec.status === "timeout";
    if (failed) {
      // notify_failure: skipped while retries remain; fires when the previous execution (latest
      // by scheduled_for, any status) is absent or a success.
      if (task.on_failure_url && !(once && exec.attempt <= task.retry_attempts)) {
        let fire: boolean;
        if (once && task.retry_attempts > 0 && this.o.intendedFailureRule) {
          const prevFinal = this.previous(
            exec,
            (e) => e.status === "success" || ((e.status === "failed" || e.status === "timeout") && e.attempt > task.retry_attempts),
          );
          fire = !prevFinal || prevFinal.status === "success";
        } else {
          const prev = this.previous(exec);
          fire = !prev || prev.status === "success";
        }
        if (fire) await this.o.notifier.actionWebhook("hook.failure", { taskId: task.id, executionId: exec.id }, task.on_failure_url, this.payload("task.failed", task, exec));
      }
      // maybe_retry: one-time tasks while attempt <= retry_attempts (the task's deletion is not checked).
      if (once && exec.attempt <= task.retry_attempts) {
        const delay = Math.max(0, this.o.retryDelayMs(exec.attempt, retryAfterMs));
        this.enqueueOnce(task, this.o.clock.now() + delay, exec.attempt + 1, exec.callback_url);
      }
    } else if (task.on_recovery_url) {
      // notify_recovery: the previous execution failed and its failure was notified.
      const prev = this.previous(exec);
      if (prev && (prev.status === "failed" || prev.status === "timeout") && (!once || task.retry_attempts === 0 || prev.attempt > task.retry_attempts)) {
        await this.o.notifier.actionWebhook("hook.recovery", { taskId: task.id, executionId: exec.id }, task.on_recovery_url, this.payload("task.recovered", task, exec));
      }
    }
    const cb = exec.callback_url ?? task.callback_url;
    if (cb) await this.o.notifier.callback({ taskId: task.id, executionId: exec.id }, cb, this.callbackPayload(task, exec), this.o.secretOf(task.org));
  }

  /** `build_task_failure_action_payload` / `build_task_recovery_action_payload`. */
  private payload(event: "task.failed" | "task.recovered", task: TaskRec, exec: ExecutionRec): unknown {
    return {
      event,
      task: { id: task.id, name: task.name, url: task.url, method: task.method },
      execution: {
        id: exec.id,
        status: exec.status,
        status_code: exec.status_code,
        ...(event === "task.failed" ? { error_message: exec.error_message } : {}),
        scheduled_for: isoSeconds(exec.scheduled_for),
        finished_at: exec.finished_at === null ? null : isoSeconds(exec.finished_at),
        duration_ms: exec.duration_ms,
      },
    };
  }

  private callbackPayload(task: TaskRec, exec: ExecutionRec): string {
    return JSON.stringify({
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
  }

  /**
   * The previous execution of the same task (`Executions.get_previous_status`): the latest other
   * one by `scheduled_for`, whatever its status, a pre-created or rescheduled later one included
   * (ties: the one created later). Kinder option `previousNotLater`: only those not later than `exec`.
   */
  private previous(exec: ExecutionRec, accept: (e: ExecutionRec) => boolean = () => true): ExecutionRec | undefined {
    const list = this.byTask.get(exec.task_id) ?? [];
    const later = (a: ExecutionRec, b: ExecutionRec) => a.scheduled_for > b.scheduled_for || (a.scheduled_for === b.scheduled_for && (a.seq ?? 0) > (b.seq ?? 0));
    let best: ExecutionRec | undefined;
    for (const e of list) {
      if (e === exec || !accept(e)) continue;
      if ((this.o.previousNotLater || this.o.intendedFailureRule) && later(e, exec)) continue;
      if (!best || later(e, best)) best = e;
    }
    return best;
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

/** Retry delay of `worker.ex` `maybe_retry`: `(attempt+1)² × 30 s`, or a 429's Retry-After capped at 1 h. */
export function defaultRetryDelayMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 3_600_000);
  return (attempt + 1) ** 2 * 30_000;
}
