/**
 * Per-(organisation, host) blocking of outbound task executions, as Runlater's
 * `app/lib/app/host_blocker.ex` + `worker.ex` do it:
 *
 * - a 5xx answer, a transport error or a timeout counts one failure; from the 3rd consecutive
 *   failure on, **every** further failure blocks the host again, for 30 s, then 60 s, 120 s and
 *   300 s (the cap; the escalation level only moves up);
 * - a 429 blocks for its Retry-After (60 s without one), whatever the count;
 * - any other answer (2xx, 3xx, other 4xx) deletes the counter and the escalation level;
 * - a due execution whose host is blocked is not run: it is rescheduled to the block's end
 *   (`Executions.reschedule_execution`, whole seconds).
 *
 * Hooks and callbacks do not go through the blocker (they use `Req.post` directly in
 * `notifications.ex` / `callbacks.ex`).
 *
 * Host key: the URL's host name, as `URI.parse(url).host` gives it. Every service of the emulator
 * (built-in targets, DNS APIs, inbound URLs) and every local test server share `127.0.0.1`, where
 * production has one host per service, so loopback/private hosts are keyed by `host:port`, and
 * requests to the emulator's own origin additionally by the service they address (a built-in
 * target name, a DNS provider prefix, or `runlater` for `/in/`, `/ping/` and `/api/v1`), so a dead
 * built-in primary does not block the emulator's Cloudflare API. See {@link hostKey}.
 */

/** Consecutive failures before the first block (`@failure_threshold`). */
export const FAILURE_THRESHOLD = 3;
/** Escalating block durations, ms (`@backoff_durations`). */
export const BACKOFF_MS = [30_000, 60_000, 120_000, 300_000] as const;
/** Block of a 429 without Retry-After, ms (`@default_429_duration_ms`). */
export const DEFAULT_429_MS = 60_000;

interface Counter {
  count: number;
  escalation: number;
}

/** The blocker's tables (in memory only, like the server's ETS tables). */
export class HostBlocker {
  private readonly blocked = new Map<string, number>();
  private readonly failures = new Map<string, Counter>();

  private static key(org: string, host: string): string {
    return `${org}\u0000${host}`;
  }

  /** Epoch ms until which `host` is blocked for `org`, or undefined when it is not blocked at `now`. */
  blockedUntil(org: string, host: string, now: number): number | undefined {
    const until = this.blocked.get(HostBlocker.key(org, host));
    return until !== undefined && now < until ? until : undefined;
  }

  /** A 5xx, transport error or timeout (`record_failure`). */
  recordFailure(org: string, host: string, now: number): void {
    const k = HostBlocker.key(org, host);
    const c = this.failures.get(k) ?? { count: 0, escalation: 0 };
    c.count++;
    if (c.count >= FAILURE_THRESHOLD) {
      const duration = BACKOFF_MS[Math.min(c.escalation, BACKOFF_MS.length - 1)];
      c.escalation = Math.min(c.escalation + 1, BACKOFF_MS.length - 1);
      this.blocked.set(k, now + duration);
    }
    this.failures.set(k, c);
  }

  /** Any answer that is neither 5xx nor 429 (`record_success`): the counter and escalation go. */
  recordSuccess(org: string, host: string): void {
    this.failures.delete(HostBlocker.key(org, host));
  }

  /** A 429 (`block_rate_limited`): blocks for `retryAfterMs`, 60 s without one. */
  blockRateLimited(org: string, host: string, now: number, retryAfterMs?: number): void {
    this.blocked.set(HostBlocker.key(org, host), now + (retryAfterMs ?? DEFAULT_429_MS));
  }

  /** Records the outcome of one execution's request (`worker.ex` `record_host_result`). */
  record(org: string, host: string, now: number, r: { status?: number; retryAfterMs?: number }): void {
    if (r.status === undefined) this.recordFailure(org, host, now);
    else if (r.status === 429) this.blockRateLimited(org, host, now, r.retryAfterMs);
    else if (r.status >= 500) this.recordFailure(org, host, now);
    else this.recordSuccess(org, host);
  }

  /** Forgets everything. */
  clear(): void {
    this.blocked.clear();
    this.failures.clear();
  }
}

/** Where a URL points from the emulator's point of view. */
export interface HostKeyContext {
  /** `host:port` of the emulator's own origin (`127.0.0.1:4010`). */
  selfHostPort: string;
  /** True for a host served in-process (those are keyed by name, like production hosts). */
  inProcess: (host: string) => boolean;
  /** True for loopback/private literals and names (`isPrivateAddress`). */
  isPrivate: (host: string) => boolean;
}

/**
 * The blocker key of a task URL, or undefined when the URL has no host (then nothing is blocked,
 * as `parse_host` returning nil). Public names: the host name (lower-case). Loopback/private
 * hosts: `host:port`; the emulator's own origin: `host:port` plus the addressed service.
 */
export function hostKey(url: string, ctx: HostKeyContext): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const host = u.hostname.toLowerCase();
  if (host === "") return undefined;
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  const hp = `${host}:${port}`;
  // The server keys blocks by the host exactly as written in the task's URL: worker.ex
  // parse_host/1 takes URI.parse(url).host, which keeps the host's letter case (only the scheme is
  // normalised). So `PRIMARY.example.com` and `primary.example.com` are blocked separately.
  if (hp !== ctx.selfHostPort) return ctx.inProcess(host) || !ctx.isPrivate(host) ? (literalHost(url) ?? host) : hp;
  const p = u.pathname;
  const target = /^\/_emulator\/targets\/([^/]+)/.exec(p);
  if (target) return `${hp}#target:${target[1]}`;
  if (p.startsWith("/in/") || p.startsWith("/ping/") || p === "/api/v1" || p.startsWith("/api/v1/")) return `${hp}#runlater`;
  const first = p.split("/")[1] ?? "";
  return `${hp}#${first}`;
}

/** The host part of a URL string as written (letter case kept), without brackets or port. */
export function literalHost(url: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(url);
  if (!m?.[1]) return undefined;
  return m[1].replace(/^\[|\]$/g, "");
}
