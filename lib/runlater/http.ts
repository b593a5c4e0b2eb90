/**
 * HTTP transport for the Runlater client: undici, one connection pool per origin, retries with
 * exponential backoff and jitter, `Retry-After`, bounded attempts and total time, a per-request
 * timeout. It knows nothing about tasks or endpoints.
 *
 * Pools live in a registry on `globalThis` (not in a module-level variable) so that Pulumi's
 * closure serializer never tries to capture sockets when it serializes a provider.
 */
import { Pool } from "undici";
import { RunlaterApiError, redact, scrubCredentials } from "./errors";
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
  /**
   * What a 2xx body must be: `object` (`{data: {…}}`), `list` (`{data: […]}`), or `any` (any
   * JSON or empty, the default). Anything else is a `protocol` error, retried when safe.
   */
  expect?: "object" | "list" | "any";
}

/** A successful response. */
export interface TransportResponse {
  status: number;
  body: unknown;
  /** The server's `Date` header (HTTP-date), when it sent one. */
  date?: string;
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

/** Header values undici accepts and that cannot split a header (no CR, LF, NUL or other controls). */
const SAFE_HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Request paths: absolute, printable ASCII without spaces, no dot segments. */
const SAFE_PATH = /^\/[\x21-\x7e]*$/;

function invalid(operation: string, field: string, message: string): RunlaterApiError {
  return new RunlaterApiError({
    message: `Runlater ${operation} was not sent: ${field} ${message}`,
    operation,
    kind: "validation",
    fieldErrors: { [field]: [message] },
    attempts: 0,
  });
}

/** Refuses, before anything is sent, a request undici would reject (which could strand a pool slot). */
function preflight(opts: TransportOptions, req: TransportRequest, path: string, headers: Record<string, string>): void {
  const pathOnly = path.split("?")[0];
  if (!SAFE_PATH.test(path) || pathOnly.split("/").some((seg) => seg === "." || seg === "..")) {
    throw invalid(req.operation, "path", "must be an absolute path of printable ASCII without dot segments");
  }
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== "string" || !SAFE_HEADER_VALUE.test(value)) {
      // Name only: the value may be the API key.
      throw invalid(req.operation, `header ${name}`, "must not contain CR, LF, NUL or other control characters");
    }
  }
  const t = opts.timeoutMs;
  if (t !== undefined && (typeof t !== "number" || !Number.isFinite(t) || t <= 0 || t > MAX_TIMEOUT_MS)) {
    throw invalid(req.operation, "timeoutMs", `must be a finite number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`);
  }
}

/** Largest per-request timeout (the largest delay a Node timer supports). */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Drops (and destroys) the pool of `origin`, so a pool in an unknown state is never reused. */
function discardPool(origin: string): void {
  const m = pools();
  const p = m.get(origin);
  if (!p) return;
  m.delete(origin);
  void p.destroy().catch(() => undefined);
}

const UUID_IN_TEXT = /"id"\s*:\s*"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"/;

/**
 * Checks a 2xx body. Returns undefined when it is what the caller expects, else what is wrong.
 * `expect`: `object` = `{data: {…}}`, `list` = `{data: […]}`, `any` = any JSON or empty.
 */
function protocolProblem(text: string, body: unknown, parsed: boolean, expect: TransportRequest["expect"]): string | undefined {
  if (text !== "" && !parsed) return "the response body is not JSON";
  if (!expect || expect === "any") return undefined;
  const data = body && typeof body === "object" && !Array.isArray(body) ? (body as { data?: unknown }).data : undefined;
  if (expect === "list") return Array.isArray(data) ? undefined : "the response has no `data` list";
  return data && typeof data === "object" && !Array.isArray(data) ? undefined : "the response has no `data` object";
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
  const secrets = [opts.apiKey, ...collectSecrets(req.body)];
  const clean = (text: string) => scrubCredentials(redact(text, secrets));
  const headers: Record<string, string> = {
    authorization: `Bearer ${opts.apiKey}`,
    accept: "application/json",
    "user-agent": opts.userAgent ?? "runlater-iac",
  };
  let payload: string | undefined;
  if (req.body !== undefined) {
    try {
      payload = JSON.stringify(req.body);
    } catch (e) {
      throw invalid(req.operation, "body", `cannot be serialized to JSON (${(e as Error).name})`);
    }
    headers["content-type"] = "application/json";
  }
  if (req.idempotencyKey !== undefined) headers["idempotency-key"] = req.idempotencyKey;
  preflight(opts, req, path, headers);
  // A retried 2xx-but-unreadable reply is safe when the request is idempotent: reads, PATCH,
  // DELETE, and POSTs with an Idempotency-Key (the server replays its stored reply).
  const replaySafe = req.method !== "POST" || req.idempotencyKey !== undefined;

  const started = Date.now();
  let attempt = 0;
  let last: RunlaterApiError | undefined;
  let objectId: string | undefined;
  for (;;) {
    attempt++;
    let retryAfterMs: number | undefined;
    let status = 0;
    let text = "";
    let resHeaders: Record<string, string | string[] | undefined> = {};
    // One deadline for the whole attempt (queueing, connect, headers and body): a request can
    // never wait longer than `timeoutMs`, whatever state the pool is in.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error("request timeout")), timeoutMs);
    timer.unref?.();
    try {
      const res = await poolFor(base.origin).request({
        path,
        method: req.method,
        headers,
        body: payload,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: abort.signal,
      });
      try {
        text = await res.body.text();
      } catch (e) {
        res.body.destroy();
        throw e;
      }
      status = res.statusCode;
      resHeaders = res.headers;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "UND_ERR_INVALID_ARG") {
        // Should be impossible after preflight; never let such a failure strand the shared pool.
        discardPool(base.origin);
        clearTimeout(timer);
        throw invalid(req.operation, "request", "was refused by the HTTP layer as invalid");
      }
      const what = abort.signal.aborted ? "request timeout" : describeNetworkError(e);
      opts.log?.(`${req.method} ${path} -> network error ${what} (attempt ${attempt})`);
      last = new RunlaterApiError({
        message: clean(`Runlater ${req.operation} failed: ${what}`),
        operation: req.operation,
        kind: "network",
        attempts: attempt,
        idempotencyKey: req.idempotencyKey,
      });
    } finally {
      clearTimeout(timer);
    }
    if (status !== 0) {
      let body: unknown;
      let parsed = true;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        body = text;
        parsed = false;
      }
      opts.log?.(`${req.method} ${path} -> ${status} (attempt ${attempt})`);
      if (status >= 200 && status < 300) {
        const problem = protocolProblem(text, body, parsed, req.expect);
        if (!problem) {
          const date = resHeaders.date;
          return { status, body, ...(typeof date === "string" ? { date } : {}) };
        }
        objectId = UUID_IN_TEXT.exec(text.slice(0, 100_000))?.[1] ?? objectId;
        last = new RunlaterApiError({
          message: clean(
            `Runlater ${req.operation} answered HTTP ${status} but ${problem}${
              objectId ? `; the object id in the reply is ${objectId}` : ""
            }${req.idempotencyKey && req.method === "POST" ? `; repeat the call with Idempotency-Key ${req.idempotencyKey} to get the object it made` : ""}`,
          ),
          operation: req.operation,
          kind: "protocol",
          status,
          attempts: attempt,
          idempotencyKey: req.idempotencyKey,
          objectId,
        });
        if (!replaySafe) throw last;
      } else {
        const info = errorFromWire(body);
        const fieldErrors = info.fieldErrors
          ? Object.fromEntries(Object.entries(info.fieldErrors).map(([f, m]) => [clean(f), m.map(clean)]))
          : undefined;
        const fields = fieldErrors
          ? `: ${Object.entries(fieldErrors)
              .map(([f, m]) => `${f} ${m.join(", ")}`)
              .join("; ")}`
          : "";
        last = new RunlaterApiError({
          message: clean(
            `Runlater ${req.operation} failed: HTTP ${status}${info.code ? ` ${info.code}` : ""}${
              info.message ? ` — ${info.message}` : ""
            }${fields}`,
          ),
          operation: req.operation,
          kind: "http",
          status,
          code: info.code,
          fieldErrors,
          attempts: attempt,
          idempotencyKey: req.idempotencyKey,
        });
        if (!isRetryableStatus(status, body, req.idempotencyKey !== undefined)) throw last;
        retryAfterMs = parseRetryAfter(resHeaders["retry-after"]);
      }
    }
    const delay = Math.min(policy.maxDelayMs, retryAfterMs ?? backoffDelay(attempt, policy, random));
    const elapsed = Date.now() - started;
    if (attempt >= policy.maxAttempts || elapsed + delay > policy.maxElapsedMs) {
      const l = last!;
      // A create that never got a readable answer may have run: say how to find its object.
      const hint =
        req.method === "POST" && req.idempotencyKey !== undefined && l.kind !== "protocol" && (l.kind === "network" || l.status >= 500)
          ? `; it may have run: repeat it with Idempotency-Key ${req.idempotencyKey} (within 24 h) to get its object`
          : "";
      throw new RunlaterApiError({
        message: `${l.message} (gave up after ${attempt} attempt${attempt === 1 ? "" : "s"})${hint}`,
        operation: req.operation,
        kind: l.kind === "protocol" ? "protocol" : "exhausted",
        status: l.status,
        code: l.code,
        fieldErrors: l.fieldErrors,
        attempts: attempt,
        cause: l,
        idempotencyKey: req.idempotencyKey,
        objectId: objectId ?? l.objectId,
      });
    }
    await sleep(delay);
  }
}

/**
 * Values in a request body that must never appear in an error: header values, whole bodies
 * (and the string values inside a JSON body), URL credentials and query values.
 */
export function collectSecrets(body: unknown): string[] {
  const out = new Set<string>();
  walkForSecrets(body, "", 0, out);
  return [...out].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

function walkForSecrets(v: unknown, key: string, depth: number, out: Set<string>): void {
  if (depth > 20 || out.size > 1000) return;
  const secretMap = key === "headers" || key === "forward_headers";
  if (typeof v === "string") {
    if (secretMap) out.add(v);
    if (key === "body" || key === "forward_body") {
      out.add(v);
      try {
        jsonLeavesAsSecrets(JSON.parse(v), 0, out);
      } catch {
        /* not JSON */
      }
    }
    urlPartsAsSecrets(v, out);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v.slice(0, 100)) walkForSecrets(x, key, depth + 1, out);
    return;
  }
  if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v).slice(0, 200)) walkForSecrets(x, secretMap ? key : k, depth + 1, out);
  }
}

function jsonLeavesAsSecrets(v: unknown, depth: number, out: Set<string>): void {
  if (depth > 20 || out.size > 1000) return;
  if (typeof v === "string" && v.length >= 8) out.add(v);
  else if (v && typeof v === "object") for (const x of Object.values(v).slice(0, 200)) jsonLeavesAsSecrets(x, depth + 1, out);
}

function urlPartsAsSecrets(s: string, out: Set<string>): void {
  for (const m of s.slice(0, 100_000).match(/\bhttps?:\/\/[^\s"'<>]+/gi) ?? []) {
    try {
      const u = new URL(m);
      if (u.username) out.add(decodeSafe(u.username)).add(u.username);
      if (u.password) out.add(decodeSafe(u.password)).add(u.password);
      if (u.search.length > 1) out.add(u.search.slice(1));
      for (const [, val] of u.searchParams) out.add(val);
    } catch {
      /* not a URL after all */
    }
  }
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
