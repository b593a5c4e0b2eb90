/**
 * Helpers shared by the DNS provider emulators (`dns-*.ts`): bearer-token parsing, JSON body
 * parsing, deterministic ids and the per-emulator fault queue (forced 429 / 5xx / soft errors).
 */
import { createHash, randomUUID } from "node:crypto";
import type { EmuRequest, EmuResponse, RouteDef } from "./types";

/** Options every DNS emulator accepts. */
export interface DnsEmulatorBaseOptions {
  /** Accepted API tokens (exact match). @default one test token per provider, e.g. `cf-test-token` */
  tokens?: string[];
  /** Clock for `created_on`/`modified_on`-style timestamps; pass the emulator's virtual clock. @default () => new Date() */
  now?: () => Date;
}

/** A forced failure, consumed by the next matching request. */
export type DnsFaultKind =
  /** HTTP 429 with the provider's rate-limit headers and error body. */
  | "rate_limit"
  /** HTTP 500 (or 503) with the provider's error body. */
  | "server_error"
  /** HTTP 200 whose envelope says failure (Cloudflare `success:false`, Porkbun `status:"ERROR"`); other providers answer 500. */
  | "soft_error";

interface QueuedFault {
  kind: DnsFaultKind;
  remaining: number;
  route?: string;
}

/** FIFO of forced failures; each entry applies to `count` requests (optionally only to one route name). */
export class FaultQueue {
  private queue: QueuedFault[] = [];

  /** Forces the next `count` requests (to `route`, if given) to fail with `kind`. */
  add(kind: DnsFaultKind, count = 1, route?: string): void {
    if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
    this.queue.push({ kind, remaining: count, route });
  }

  /** Takes the fault for a request to `route`, if one is queued. */
  take(route: string): DnsFaultKind | undefined {
    const i = this.queue.findIndex((f) => f.route === undefined || f.route === route);
    if (i < 0) return undefined;
    const f = this.queue[i]!;
    f.remaining -= 1;
    if (f.remaining <= 0) this.queue.splice(i, 1);
    return f.kind;
  }

  /** Drops every queued fault. */
  clear(): void {
    this.queue = [];
  }

  /** Number of requests that will still fail. */
  pending(): number {
    return this.queue.reduce((n, f) => n + f.remaining, 0);
  }
}

/** The token of an `Authorization: Bearer <token>` header; `undefined` when absent, `null` when malformed. */
export function bearerToken(req: EmuRequest): string | undefined | null {
  const h = req.headers["authorization"];
  if (h === undefined || h === "") return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

/** Parses a JSON request body. Empty bodies parse as `undefined` (ok). */
export function parseJsonBody(req: EmuRequest): { ok: true; value: unknown } | { ok: false; error: string } {
  if (req.body === undefined || req.body.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(req.body) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** True for a plain JSON object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** 32 lower-case hex characters, deterministic per (salt, n). */
export function hex32(salt: string, n: number): string {
  return createHash("md5").update(`${salt}:${n}`).digest("hex");
}

/** A request id (UUID v4). */
export function requestId(): string {
  return randomUUID();
}

/** Decodes a route parameter that may still be percent-encoded (routers differ). */
export function param(req: EmuRequest, name: string): string {
  const v = req.params[name] ?? "";
  if (!v.includes("%")) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** Deep copy of a JSON value. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Wraps each route's handler so queued faults are answered first, with `respond(kind)`. */
export function withFaults(routes: RouteDef[], faults: FaultQueue, respond: (kind: DnsFaultKind, route: string) => EmuResponse): RouteDef[] {
  return routes.map((r) => ({
    ...r,
    handler: (req: EmuRequest) => {
      const kind = faults.take(r.name);
      return kind ? respond(kind, r.name) : r.handler(req);
    },
  }));
}

/** Normalises a DNS name: lower-case, without trailing dot. */
export function normName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** Marks a handler-internal failure (a symbol key: a parsed JSON body can never look like one). */
export const FAIL: unique symbol = Symbol("dns-emulator-fail");

/** A failure carrying the response to send. */
export interface Fail {
  readonly [FAIL]: EmuResponse;
}

/** Wraps a response as a {@link Fail}. */
export function fail(res: EmuResponse): Fail {
  return { [FAIL]: res };
}

/** True for a {@link Fail}. */
export function isFail(v: unknown): v is Fail {
  return typeof v === "object" && v !== null && FAIL in v;
}
