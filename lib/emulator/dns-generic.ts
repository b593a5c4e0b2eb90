/**
 * Generic capture target under `/_generic`: records every request it receives (method, path,
 * query, headers, body, time) and answers a configurable status, for tests of the generic REST
 * adapter (`{ provider: "generic", url: "<emulator>/_generic/…" }`). Any method, any sub-path.
 *
 * With `tokens` set, requests must carry `Authorization: Bearer <token>` (else 401 and the
 * request is still recorded, flagged `authorized: false`). Without tokens every request is accepted.
 */
import { clone, type DnsFaultKind, FaultQueue, withFaults } from "./dns-util";
import type { DnsProviderEmulator, EmuRequest, EmuResponse, RouteDef } from "./types";

/** Options of {@link GenericCaptureEmulator}. */
export interface GenericCaptureOptions {
  /** Bearer tokens to require. @default none: every request is accepted */
  tokens?: string[];
  /** Clock for the `at` timestamps. @default () => new Date() */
  now?: () => Date;
  /** Status answered to accepted requests. @default 200 */
  status?: number;
  /** Body answered to accepted requests. @default {"ok": true} */
  responseBody?: unknown;
}

/** One captured request. */
export interface CapturedRequest {
  /** 1-based sequence number. */
  seq: number;
  /** Emulator time, ISO 8601. */
  at: string;
  method: string;
  /** Path without query, e.g. `/_generic/records/42`. */
  path: string;
  /** Query string without `?` (`""` when none). */
  query: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
  /** False when token auth was configured and the request failed it. */
  authorized: boolean;
  /** Status answered. */
  status: number;
}

interface GenericResponseConfig {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface GenericState {
  seq: number;
  requests: CapturedRequest[];
  response: GenericResponseConfig;
  /** One-shot responses, consumed first. */
  queued: GenericResponseConfig[];
}

const PREFIX = "/_generic";

/** Records requests; answers a configurable status. */
export class GenericCaptureEmulator implements DnsProviderEmulator {
  readonly id = "generic";
  readonly prefix = PREFIX;
  private readonly tokens: string[];
  private readonly now: () => Date;
  private readonly faults = new FaultQueue();
  private state: GenericState;

  constructor(options: GenericCaptureOptions = {}) {
    this.tokens = [...(options.tokens ?? [])];
    this.now = options.now ?? (() => new Date());
    this.state = {
      seq: 0,
      requests: [],
      response: { status: options.status ?? 200, body: options.responseBody ?? { ok: true } },
      queued: [],
    };
  }

  /** Answers every later accepted request with `status` (and `body`, default `{"ok": status < 400}`). */
  setResponse(status: number, body?: unknown, headers?: Record<string, string>): void {
    this.state.response = { status, body: body === undefined ? { ok: status < 400 } : body, headers };
  }

  /** Answers the next accepted request only with `status` (queued, FIFO). */
  respondOnce(status: number, body?: unknown, headers?: Record<string, string>): void {
    this.state.queued.push({ status, body: body === undefined ? { ok: status < 400 } : body, headers });
  }

  /** Copies of the captured requests, oldest first (optionally only those to `path`). */
  requests(path?: string): CapturedRequest[] {
    return clone(this.state.requests.filter((r) => path === undefined || r.path === path));
  }

  /** The last captured request (optionally to `path`). */
  lastRequest(path?: string): CapturedRequest | undefined {
    const list = this.requests(path);
    return list[list.length - 1];
  }

  /** The last accepted (2xx-answered, authorized) body sent to `path`: the "record" a generic API would now hold. */
  lastBody(path?: string): string | undefined {
    const list = this.state.requests.filter((r) => (path === undefined || r.path === path) && r.authorized && r.status < 300);
    return list[list.length - 1]?.body;
  }

  /** Forgets captured requests (response settings stay). */
  clear(): void {
    this.state.requests = [];
  }

  /** Forces the next `count` requests to fail (`soft_error` answers 200 `{"ok": false}`). */
  failNext(kind: DnsFaultKind, count = 1): void {
    this.faults.add(kind, count);
  }

  /** Drops queued faults. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** JSON-serialisable copy of the whole store (for `--state FILE`). */
  snapshot(): unknown {
    return clone(this.state);
  }

  /** Replaces the store with a `snapshot()`; throws on anything else. Queued faults are kept. */
  restore(snapshot: unknown): void {
    const s = snapshot as GenericState;
    if (typeof s !== "object" || s === null || !Array.isArray(s.requests)) throw new Error("not a generic capture snapshot");
    this.state = clone({ seq: s.seq ?? s.requests.length, requests: s.requests, response: s.response ?? { status: 200, body: { ok: true } }, queued: s.queued ?? [] });
  }

  /** Number of captured requests. */
  recordCount(): number {
    return this.state.requests.length;
  }

  /** The routes to mount (paths include the prefix), named `<provider>.<resource>.<action>`. */
  routes(): RouteDef[] {
    const handler = (req: EmuRequest) => this.capture(req);
    const routes: RouteDef[] = [
      { method: "*", path: PREFIX, name: "generic.capture", handler },
      { method: "*", path: `${PREFIX}/*`, name: "generic.capture", handler },
    ];
    return withFaults(routes, this.faults, (kind) => {
      if (kind === "rate_limit") return { status: 429, headers: { "retry-after": "60" }, body: { ok: false, error: "rate limited" } };
      if (kind === "soft_error") return { status: 200, body: { ok: false, error: "emulated soft failure" } };
      return { status: 500, body: { ok: false, error: "internal error" } };
    });
  }

  private capture(req: EmuRequest): EmuResponse {
    let authorized = true;
    if (this.tokens.length > 0) {
      const m = /^Bearer[ ]+(\S+)\s*$/i.exec(req.headers["authorization"] ?? "");
      authorized = !!m && this.tokens.includes(m[1]!);
    }
    const res: GenericResponseConfig = authorized
      ? (this.state.queued.shift() ?? this.state.response)
      : { status: 401, body: { ok: false, error: "unauthorized" } };
    this.state.requests.push({
      seq: ++this.state.seq,
      at: this.now().toISOString(),
      method: req.method,
      path: req.path,
      query: req.query.toString(),
      headers: { ...req.headers },
      body: req.body,
      authorized,
      status: res.status,
    });
    return { status: res.status, headers: res.headers, body: res.body };
  }
}
