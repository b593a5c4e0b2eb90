/**
 * Deliveries whose outcome does not feed back into the loop: action webhooks
 * (`on_failure_url` / `on_recovery_url` of tasks, endpoints and monitors) and callbacks, plus the
 * delivery log they and the executions write to.
 *
 * Action webhooks follow `app/lib/app/notifications.ex` (`send_action_webhook`): one unsigned
 * `Req.post` with `content-type: application/json` and `user-agent: Runlater/1.0`, Req's default
 * 15 s receive timeout, no retry (Req retries only GET/HEAD by default), redirects followed; a
 * failure is only logged. Callbacks follow `app/lib/app/callbacks.ex`: signed, 10 s timeout,
 * 3 attempts at +5 s and +20 s.
 */
import { createHmac } from "node:crypto";
import type { EmulatorClock } from "./clock";
import type { Delivery, RunlaterState } from "./state";
import type { HttpResult, Transport } from "./transport";

/** Req's default receive timeout, the timeout of an action webhook (`notifications.ex` sets none). */
export const HOOK_TIMEOUT_MS = 15_000;
const CALLBACK_TIMEOUT_MS = 10_000;
const CALLBACK_BACKOFF_MS = [5_000, 20_000];
const MAX_LOGGED_BODY = 4 * 1024;

/** HMAC-SHA256 signature header value, as Runlater signs deliveries. */
export function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Settings of {@link Notifier}. */
export interface NotifierOptions {
  clock: EmulatorClock;
  state: RunlaterState;
  transport: Transport;
  /** Queues work at an emulator instant. */
  at: (t: number, run: () => Promise<void>) => void;
  /** Timeout of action webhooks, emulator ms. @default 15000 */
  hookTimeoutMs?: number;
  /** Extra attempts of a failed action webhook (kinder than production: 0), at +5 s, +20 s, +20 s… @default 0 */
  hookRetries?: number;
  /** True when this action webhook is lost (seeded draw; the POST then fails as if answered 503). */
  hookLost?: () => boolean;
  /** Deliveries kept in memory. @default 10000 */
  maxDeliveries?: number;
}

/** What a delivery is about. */
export interface DeliveryRef {
  taskId: string;
  executionId?: string;
  monitorId?: string;
}

/** Hooks, callbacks and the delivery log. */
export class Notifier {
  private seq = 0;
  constructor(private readonly o: NotifierOptions) {
    for (const d of o.state.deliveries) this.seq = Math.max(this.seq, d.seq);
  }

  /** Appends to the delivery log (oldest dropped beyond `maxDeliveries`). */
  log(d: Omit<Delivery, "seq">): void {
    const list = this.o.state.deliveries;
    list.push({ seq: ++this.seq, ...d });
    const max = this.o.maxDeliveries ?? 10_000;
    if (list.length > max) list.splice(0, list.length - max);
  }

  /** One action webhook POST (`send_action_webhook`), plus `hookRetries` kinder retries. */
  async actionWebhook(kind: Delivery["kind"], ref: DeliveryRef, url: string, payload: unknown, attempt = 1): Promise<void> {
    const body = JSON.stringify(payload);
    const headers: Array<[string, string]> = [
      ["content-type", "application/json"],
      ["user-agent", "Runlater/1.0"],
    ];
    const lost = this.o.hookLost?.() ?? false;
    const timeout = this.o.hookTimeoutMs ?? HOOK_TIMEOUT_MS;
    const ok = await this.post(kind, ref, url, headers, body, timeout, attempt, lost);
    if (!ok && attempt <= (this.o.hookRetries ?? 0)) {
      const delay = CALLBACK_BACKOFF_MS[Math.min(attempt - 1, CALLBACK_BACKOFF_MS.length - 1)];
      this.o.at(this.o.clock.now() + delay, () => this.actionWebhook(kind, ref, url, payload, attempt + 1));
    }
  }

  /** A callback (`callbacks.ex`): signed, 10 s timeout, 3 attempts at +5 s and +20 s. */
  async callback(ref: DeliveryRef, url: string, payload: string, secret: string, attempt = 1): Promise<void> {
    const headers: Array<[string, string]> = [
      ["content-type", "application/json"],
      ["user-agent", "Runlater/1.0"],
      ["x-runlater-signature", sign(secret, payload)],
      ["x-runlater-task-id", ref.taskId],
      ["x-runlater-execution-id", ref.executionId ?? ""],
    ];
    const ok = await this.post("callback", ref, url, headers, payload, CALLBACK_TIMEOUT_MS, attempt, false);
    if (!ok && attempt < 3) {
      this.o.at(this.o.clock.now() + CALLBACK_BACKOFF_MS[attempt - 1], () => this.callback(ref, url, payload, secret, attempt + 1));
    }
  }

  private async post(
    kind: Delivery["kind"],
    ref: DeliveryRef,
    url: string,
    headers: Array<[string, string]>,
    body: string,
    timeoutMs: number,
    attempt: number,
    lost: boolean,
  ): Promise<boolean> {
    const start = this.o.clock.now();
    const res: HttpResult = lost
      ? { status: 503, timedOut: false, realMs: 0, error: "lost (hookLossProbability)" }
      : await this.o.transport.send({ method: "POST", url, headers, body, timeoutMs });
    const ok = res.status !== undefined && res.status >= 200 && res.status < 300;
    const finish = finishTime(this.o.clock, start, res, timeoutMs);
    this.log({
      kind,
      taskId: ref.taskId,
      executionId: ref.executionId,
      ...(ref.monitorId ? { monitorId: ref.monitorId } : {}),
      method: "POST",
      url,
      requestHeaders: Object.fromEntries(headers),
      requestBody: body,
      scheduledFor: new Date(start).toISOString(),
      startedAt: new Date(start).toISOString(),
      finishedAt: new Date(finish).toISOString(),
      status: ok ? "success" : res.timedOut ? "timeout" : "failed",
      statusCode: res.status ?? null,
      error: lost
        ? (res.error ?? null)
        : res.timedOut
          ? "Request timed out"
          : res.status === undefined
            ? transportError(res.error)
            : ok
              ? null
              : `HTTP ${res.status}`,
      durationMs: finish - start,
      realMs: Math.round(res.realMs),
      attempt,
      responseBody: res.body === undefined ? null : res.body.slice(0, MAX_LOGGED_BODY),
    });
    return ok;
  }
}

/** Emulator instant an exchange finished: a timeout at start + timeout; an answer at once (virtual) or now (real). */
export function finishTime(clock: EmulatorClock, start: number, res: HttpResult, timeoutMs: number): number {
  if (res.timedOut) return start + timeoutMs;
  return clock.mode === "virtual" ? start : Math.max(start, clock.now());
}

/** `worker.ex` `format_error`: `Transport error: :econnrefused`. */
export function transportError(code: string | undefined): string {
  const c = (code ?? "closed").toLowerCase();
  return `Transport error: ${/^[a-z_]+$/.test(c) ? `:${c}` : c}`;
}
