/**
 * HTTP transport for the Runlater client: undici, one connection pool per origin, retries with
 * exponential backoff and jitter, `Retry-After`, bounded attempts and total time, a per-request
 * timeout. It knows nothing about tasks or endpoints.
 *
 * Pools live in a registry on `globalThis` (not in a module-level variable) so that Pulumi's
 * closure serializer never tries to capture sockets when it serializes a provider.
 */
import { Pool } from "undici";
import { RunlaterApiError, redact } from "./errors";
import { errorFromWire } from "./wire";

/** Retry behaviour. All times in milliseconds. */
export interface RetryPolicy {
  /** Maximum HTTP attempts per operation, including the first. Default 5, minimum 1. */
  maxAttempts: number;
  /** First backoff delay before jitter. Default 250 ms. */
  baseDelayMs: number;
  /** Cap on one backoff delay (also caps `Retry-After`). Default 10000 ms. */
  maxDelayMs: number;
  /** Give up when the next wait would end later than this after the first attempt. Default 60000 ms. */
  maxElapsedMs: number;
}

/** Defaults for {@link RetryPolicy}. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
};

/** Options of the transport. */
export interface TransportOptions {
  /** API base URL including the path prefix, e.g. `https://runlater.eu/api/v1`. */
  baseUrl: string;
  /** Bearer API key (`pk_….sk_…`). Never logged, never put in an error. */
  apiKey: string;
  /** Per-request timeout (headers and body), milliseconds. Default 30000. */
  timeoutMs?: number;
  /** Retry policy overrides. */
  retry?: Partial<RetryPolicy>;
  /** Waits between attempts. Default: a real timer. Tests inject a recorder. */
  sleep?: (ms: number) => Promise<void>;
  /** Random source in [0,1) for jitter. Default `Math.random`. */
  random?: () => number;
  /** Receives one line per attempt (method, path, status, attempt). No headers or bodies. */
  log?: (line: string) => void;
  /** User-Agent header. Default `runlater-iac`. */
  userAgent?: string;
}

/** One request. */
export interface TransportRequest {
  /** Operation name used in errors and logs, e.g. `tasks.create`. */
  operation: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path relative to the base URL, starting with `/`. */
  path: string;
  /** JSON body. */
  body?: unknown;
  /** Sent as `Idempotency-Key`; reused on every retry of this request. */
  idempotencyKey?: string;
}

/** A successful response. */
export interface TransportResponse {
  status: number;
  body: unknown;
}


function pools(): Map<string, Pool> {
  const g = globalThis as unknown as Record<symbol, Map<string, Pool> | undefined>;
  let m = g[Symbol.for("runlater-iac.undici-pools")];
  if (!m) {
    m = new Map();
    g[Symbol.for("runlater-iac.undici-pools")] = m;
  }
  return m;
}

function poolFor(origin: string): Pool {
  const m = pools();
  let p = m.get(origin);
  if (!p) {
    p = new Pool(origin, { connections: 16, keepAliveTimeout: 4_000, pipelining: 1 });
    m.set(origin, p);
  }
  return p;
}

/** Closes every connection pool (tests, CLI shutdown). Safe to call repeatedly. */
export async function closeAllPools(): Promise<void> {
  const m = pools();
  const all = [...m.values()];
  m.clear();
  await Promise.all(all.map((p) => p.close().catch(() => undefined)));
}

/** Parses `Retry-After` (delta-seconds or HTTP-date) into milliseconds from now. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Backoff before attempt `n+1` after `n` failed attempts ("equal jitter"). */
export function backoffDelay(n: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

function isRetryableStatus(status: number, body: unknown, sentKey: boolean): boolean {
  if (status === 429 || status >= 500) return true;
  // 409 = the same Idempotency-Key is still in flight (e.g. our previous attempt timed out
  // while the server kept working). Waiting and retrying returns the stored response.
  if (status === 409 && sentKey) {
    const e = (body as { error?: unknown } | undefined)?.error;
    return typeof e === "string";
  }
  return false;
}

function describeNetworkError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err.code ?? err.message ?? String(e);
}

/** Sends one logical request with retries. Throws {@link RunlaterApiError} on failure. */
export async function sendRequest(opts: TransportOptions, req: TransportRequest): Promise<TransportResponse> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...(opts.retry ?? {}) };
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const base = new URL(opts.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, "");
  const path = prefix + req.path;
  const secrets = [opts.apiKey];
  const headers: Record<string, string> = {
    authorization: `Bearer ${opts.apiKey}`,
    accept: "application/json",
    "user-agent": opts.userAgent ?? "runlater-iac",
  };
  let payload: string | undefined;
  if (req.body !== undefined) {
    payload = JSON.stringify(req.body);
    headers["content-type"] = "application/json";
  }
  if (req.idempotencyKey) headers["idempotency-key"] = req.idempotencyKey;

  const started = Date.now();
  let attempt = 0;
  let last: RunlaterApiError | undefined;
  for (;;) {
    attempt++;
    let retryAfterMs: number | undefined;
    let status = 0;
    let text = "";
    let resHeaders: Record<string, string | string[] | undefined> = {};
    try {
      const res = await poolFor(base.origin).request({
        path,
        method: req.method,
        headers,
        body: payload,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      text = await res.body.text();
      status = res.statusCode;
      resHeaders = res.headers;
    } catch (e) {
      opts.log?.(`${req.method} ${path} -> network error ${describeNetworkError(e)} (attempt ${attempt})`);
      last = new RunlaterApiError({
        message: redact(`Runlater ${req.operation} failed: ${describeNetworkError(e)}`, secrets),
        operation: req.operation,
        kind: "network",
        attempts: attempt,
      });
    }
    if (status !== 0) {
      let body: unknown;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      opts.log?.(`${req.method} ${path} -> ${status} (attempt ${attempt})`);
      if (status >= 200 && status < 300) return { status, body };
      const info = errorFromWire(body);
      const fields = info.fieldErrors
        ? `: ${Object.entries(info.fieldErrors)
            .map(([f, m]) => `${f} ${m.join(", ")}`)
            .join("; ")}`
        : "";
      last = new RunlaterApiError({
        message: redact(
          `Runlater ${req.operation} failed: HTTP ${status}${info.code ? ` ${info.code}` : ""}${
            info.message ? ` — ${info.message}` : ""
          }${fields}`,
          secrets,
        ),
        operation: req.operation,
        kind: "http",
        status,
        code: info.code,
        fieldErrors: info.fieldErrors,
        attempts: attempt,
      });
      if (!isRetryableStatus(status, body, !!req.idempotencyKey)) throw last;
      retryAfterMs = parseRetryAfter(resHeaders["retry-after"]);
    }
    const delay = Math.min(policy.maxDelayMs, retryAfterMs ?? backoffDelay(attempt, policy, random));
    const elapsed = Date.now() - started;
    if (attempt >= policy.maxAttempts || elapsed + delay > policy.maxElapsedMs) {
      throw new RunlaterApiError({
        message: `${last!.message} (gave up after ${attempt} attempt${attempt === 1 ? "" : "s"})`,
        operation: req.operation,
        kind: "exhausted",
        status: last!.status,
        code: last!.code,
        fieldErrors: last!.fieldErrors,
        attempts: attempt,
        cause: last,
      });
    }
    await sleep(delay);
  }
}
