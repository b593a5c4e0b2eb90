/**
 * Outbound HTTP of the Runlater loop (executions, hooks, callbacks): over sockets with `fetch`,
 * or, for the host names in `inProcessHosts`, handed straight to the emulator's own request
 * pipeline (no sockets, same faults, same answers). Both paths follow redirects the way Req does
 * by default (Runlater's client, `worker.ex` / `notifications.ex`): up to 10 hops, and a 301/302/303
 * answer to anything but GET/HEAD is followed with a GET without body.
 */

/** One request to send. Header names keep their case; a name may appear twice in different cases. */
export interface OutboundRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body?: string;
  /** Emulator ms before the request counts as timed out. */
  timeoutMs: number;
}

/** Outcome of one outbound exchange (after redirects). */
export interface HttpResult {
  /** Final status; undefined on a transport error or timeout. */
  status?: number;
  /** Response headers, names lower-case. */
  headers?: Record<string, string>;
  body?: string;
  /** Transport error code/message (`ECONNREFUSED`, `closed`, …). */
  error?: string;
  timedOut: boolean;
  /** Real milliseconds the exchange took. */
  realMs: number;
  /** A 429's Retry-After in ms, when it had one. */
  retryAfterMs?: number;
}

/** What the emulator's pipeline did with an in-process request. */
export type InProcessOutcome =
  | { kind: "answer"; status: number; headers: Record<string, string>; body: string }
  /** No answer ever (a `hang` fault or a hanging built-in target): a timeout, in emulator time. */
  | { kind: "hang" }
  /** Connection dropped (a `drop` fault). */
  | { kind: "drop" };

/** An in-process request as the pipeline gets it. */
export interface InProcessRequest {
  method: string;
  url: URL;
  /** Lower-case names; repeated names joined with ", " (as Node's HTTP parser does). */
  headers: Record<string, string>;
  body: string;
}

/** Transport settings. */
export interface TransportOptions {
  /** Real ms to wait for a socket request before it counts as timed out (from the emulated timeout). */
  realTimeout: (timeoutMs: number) => number;
  /** True when this host name (lower-case, no port) is served in-process. */
  inProcess: (host: string) => boolean;
  /** The emulator's pipeline, for in-process hosts. */
  dispatch?: (req: InProcessRequest) => Promise<InProcessOutcome>;
  /** Registers a promise the emulator waits for on close. */
  hold?: (p: Promise<unknown>) => void;
  /** Follow redirects (Req's default). @default true */
  followRedirects?: boolean;
}

const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Parses a Retry-After (seconds or HTTP-date relative to the real clock) into ms. */
export function parseRetryAfter(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) * 1000 : Date.parse(v) - Date.now();
  return Number.isFinite(n) ? Math.max(0, n) : undefined;
}

/** Joins header tuples the way a server sees them: lower-case names, repeats joined with ", ". */
export function joinHeaders(headers: Array<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of headers) {
    const n = k.toLowerCase();
    out[n] = out[n] === undefined ? v : `${out[n]}, ${v}`;
  }
  return out;
}

/** Sends requests; never throws. */
export class Transport {
  constructor(private readonly o: TransportOptions) {}

  /** One request, redirects followed. */
  send(r: OutboundRequest): Promise<HttpResult> {
    const p = this.follow(r);
    this.o.hold?.(p);
    return p;
  }

  private async follow(r: OutboundRequest): Promise<HttpResult> {
    const t0 = performance.now();
    let cur = { ...r };
    const deadline = t0 + this.o.realTimeout(r.timeoutMs);
    for (let hop = 0; ; hop++) {
      let host = "";
      try {
        host = new URL(cur.url).hostname.toLowerCase();
      } catch {
        return { timedOut: false, error: "invalid URL", realMs: performance.now() - t0 };
      }
      const res = this.o.inProcess(host) && this.o.dispatch ? await this.local(cur) : await this.socket(cur, Math.max(1, deadline - performance.now()));
      res.realMs = performance.now() - t0;
      const loc = res.headers?.location;
      if (this.o.followRedirects === false || res.status === undefined || !REDIRECTS.has(res.status) || loc === undefined || hop >= MAX_REDIRECTS) return res;
      let next: string;
      try {
        next = new URL(loc, cur.url).toString();
      } catch {
        return res;
      }
      const toGet = res.status <= 303 && cur.method !== "GET" && cur.method !== "HEAD";
      cur = {
        ...cur,
        url: next,
        method: toGet ? "GET" : cur.method,
        body: toGet ? undefined : cur.body,
        headers: toGet ? cur.headers.filter(([k]) => !/^content-(type|length)$/i.test(k)) : cur.headers,
      };
    }
  }

  private async local(r: OutboundRequest): Promise<HttpResult> {
    const url = new URL(r.url);
    const out = await this.o.dispatch!({ method: r.method, url, headers: { ...joinHeaders(r.headers), host: url.host }, body: r.body ?? "" });
    if (out.kind === "hang") return { timedOut: true, realMs: 0 };
    if (out.kind === "drop") return { timedOut: false, error: "closed", realMs: 0 };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(out.headers)) headers[k.toLowerCase()] = v;
    return {
      status: out.status,
      headers,
      body: out.body,
      timedOut: false,
      realMs: 0,
      retryAfterMs: out.status === 429 ? parseRetryAfter(headers["retry-after"]) : undefined,
    };
  }

  private async socket(r: OutboundRequest, waitMs: number): Promise<HttpResult> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), waitMs);
    try {
      const h = new Headers();
      for (const [k, v] of r.headers) h.append(k, v);
      const res = await fetch(r.url, { method: r.method, headers: h, body: r.body, signal: ac.signal, redirect: "manual" });
      const body = await res.text();
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        headers[k] = v;
      });
      return {
        status: res.status,
        headers,
        body,
        timedOut: false,
        realMs: 0,
        retryAfterMs: res.status === 429 ? parseRetryAfter(headers["retry-after"]) : undefined,
      };
    } catch (e) {
      const timedOut = ac.signal.aborted;
      const err = e as { cause?: { code?: string; message?: string }; message?: string };
      return { timedOut, error: timedOut ? undefined : (err.cause?.code ?? err.cause?.message ?? err.message ?? String(e)), realMs: 0 };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** True when a response's content type is one Req decodes as JSON (`application/json`, `*+json`). */
export function isJsonContentType(ct: string | undefined): boolean {
  if (!ct) return false;
  const t = ct.split(";")[0].trim().toLowerCase();
  return t === "application/json" || t.endsWith("+json");
}
