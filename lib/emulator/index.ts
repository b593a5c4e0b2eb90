/**
 * The runlater-iac emulator: a real HTTP server on loopback that serves the Runlater API
 * (`/api/v1`), inbound endpoints (`/in/:slug`) and the Cloudflare / DigitalOcean / Hetzner Cloud
 * / Porkbun DNS APIs, and runs the failover loop (cron checks, failure/recovery hooks, forwards
 * with retries, callbacks) on a virtual or sped-up clock.
 *
 * ```ts
 * const emu = await startEmulator({ allowPrivateTargets: true });
 * // point the client at emu.runlaterApiUrl with emu.apiKey, create a cron task …
 * await emu.advance(60_000); // runs everything due in the next minute, HTTP included
 * emu.deliveries({ kind: "hook.failure" });
 * await emu.close();
 * ```
 *
 * Control API under `/_emulator` (loopback peers, own `Host`/`Origin` and the per-run token
 * `Emulator.controlToken` in `X-Emulator-Token`; see control-auth.ts):
 * `GET /stats`, `POST /stats/reset`, `GET /deliveries?kind=&task_id=&after=<seq>`,
 * `GET /requests`, `GET /events`, `GET /clock`, `POST /clock/advance {"ms"} | {"to"}`,
 * `GET|POST|DELETE /faults`, `DELETE /faults/:id`, `GET /state`, and the built-in health targets
 * `GET|HEAD /targets/:name` (answers per its mode), `* /targets/:name/hit` (any method),
 * `POST /targets/:name {"mode":"ok"|"fail"|"hang","status","body"}` (configures it).
 * @module runlater-iac/emulator
 */
import { randomBytes } from "node:crypto";
import { lookup } from "node:dns/promises";
import * as http from "node:http";
import { type AddressInfo, isIP, type Socket } from "node:net";
import FindMyWay from "find-my-way";
import { type ClockOption, createClock, isoSeconds } from "./clock";
import { checkControlToken, createControlAuth, generateControlToken } from "./control-auth";
import {
  type CloudflareEmulator,
  createDnsEmulators,
  type DigitalOceanEmulator,
  type DnsEmulatorsOptions,
  type GenericCaptureEmulator,
  type HetznerEmulator,
  type PorkbunEmulator,
} from "./dns-index";
import { DurableStateFile, loadStateFile } from "./durable-state";
import { type ActiveFault, checkFaultRule, type FaultRule, FaultSet, prng } from "./faults";
import { bodyLimitFor, boundedCaptureRoutes, jsonDepthExceeds, parsesJsonBody, tooDeepResponse, tooLargeResponse } from "./limits";
import { formatLogLine } from "./log-format";
import { servedZones, startDnsServer } from "./dns-server";
import { endpointJson, eventJson, executionJson, isPrivateAddress, runlaterRoutes, taskJson } from "./runlater-api";
import { Notifier } from "./hooks";
import { HostBlocker, hostKey } from "./host-blocker";
import { Monitors, monitorJson } from "./monitors";
import { defaultRetryDelayMs, Scheduler } from "./scheduler";
import { type Delivery, type EndpointRec, RunlaterState, type TaskRec, webhookSecret } from "./state";
import { type InProcessOutcome, type InProcessRequest, Transport } from "./transport";
import type { DnsProviderEmulator, EmuRequest, EmuResponse, RouteDef } from "./types";
import type { GenericCaptureEmulator as GenericCapture } from "./dns-generic";

export type { ClockOption } from "./clock";
export * from "./dns-index";
export type { ActiveFault, FaultRule } from "./faults";
export { cronIntervalMinutes, isPrivateAddress } from "./runlater-api";
export type { Delivery } from "./state";
export { slugifyQueue } from "./runlater-api";
export type * from "./types";

/** Default API key the emulator accepts when none is configured. */
export const DEFAULT_EMULATOR_API_KEY = "pk_test_emulator.sk_test_emulator";
/** Organisation id used when `apiKeys` is an array. */
export const DEFAULT_ORG = "org_default";

/** Options of {@link startEmulator}. Every option is optional. */
export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to bind. Keep it on loopback: the control API answers loopback peers only anyway. @default "127.0.0.1" */
  host?: string;
  /**
   * Token of the control API (`/_emulator/*`, sent as `X-Emulator-Token` or `Authorization:
   * Bearer`); at least 16 printable characters. @default a random `emu_<32 hex>` per start
   */
  controlToken?: string;
  /**
   * Host names (besides `localhost`, IP literals and `host`) the control API accepts in `Host`
   * and `Origin`; any other name is refused as a DNS-rebinding attempt. @default []
   */
  controlHosts?: string[];
  /**
   * Accepted API keys (`Authorization: Bearer <key>`). An array puts every key in one
   * organisation (`org_default`); a record maps key → organisation id, and objects of another
   * organisation answer 404, as on Runlater. The first key is `Emulator.apiKey`.
   * @default ["pk_test_emulator.sk_test_emulator"]
   */
  apiKeys?: string[] | Record<string, string>;
  /**
   * Clock: `"virtual"` (time moves only on `advance`/`advanceTo`/`runDue` or
   * `POST /_emulator/clock/advance`) or `{ mode: "real", speed }` (emulator time = start + real
   * elapsed × speed, speed in (0, 3600]; a background loop runs what is due).
   * @default "virtual"
   */
  clock?: ClockOption;
  /**
   * Start instant of the emulator clock (ISO-8601 string, Date or epoch ms).
   * @default 2026-01-01T00:00:00Z for a virtual clock (or the instant saved in `stateFile`); now for a real clock
   */
  startTime?: string | number | Date;
  /**
   * Accept task URLs on loopback/private addresses for cron tasks (Runlater answers 422
   * "cannot target private or internal addresses"). Needed for local health servers. The
   * emulator's own built-in targets (`<url>/_emulator/targets/…`) are always accepted.
   * @default false
   */
  allowPrivateTargets?: boolean;
  /**
   * Resolver used by the SSRF check for non-literal host names (returns IP literals). A lookup
   * that fails or exceeds `ssrfLookupTimeoutMs` counts as "not private", as on Runlater.
   * Results are cached for 60 s (real time).
   * @default node:dns lookup (all families)
   */
  resolveHost?: (host: string) => Promise<string[]>;
  /** Real milliseconds the SSRF check waits for `resolveHost`. @default 2000 */
  ssrfLookupTimeoutMs?: number;
  /** Plan limits: `"free"` = cron interval ≥ 60 min (Runlater's estimate) and at most 3 endpoints. @default "pro" */
  tier?: "pro" | "free";
  /**
   * Per-client-IP rate limit of `/api/v1/*` and `/in/*` (Runlater: 300/min and 5000/h, answered
   * 429 `{"error":"Rate limit exceeded. Try again later."}` without Retry-After), or `false` to
   * disable. Windows are sliding; they use the emulator clock in virtual mode (so `advance`
   * clears them) and wall time in real mode.
   * @default { perMinute: 300, perHour: 5000 }
   */
  rateLimit?: { perMinute?: number; perHour?: number } | false;
  /**
   * Virtual clock: real milliseconds a request is waited for before it counts as timed out
   * (`min(timeout_ms, virtualTimeoutCapMs)`); the timeout is recorded as taking its full
   * `timeout_ms` of emulator time. Real clock: a timeout waits `timeout_ms / speed` real ms, but
   * at least `min(timeout_ms, 1000)`.
   * @default 1500
   */
  virtualTimeoutCapMs?: number;
  /**
   * Delay (emulator ms) before the retry that follows failed attempt `attempt` (1-based) of a
   * one-time task or forward; `retryAfterMs` is set when the failure was a 429 with Retry-After.
   * Retries happen while `attempt <= retry_attempts`.
   * @default (attempt, ra) => ra !== undefined ? min(ra, 1 h) : (attempt + 1)² × 30 s  (120 s, 270 s, 480 s, …)
   */
  retryDelayMs?: (attempt: number, retryAfterMs?: number) => number;
  /**
   * Deprecated alias of `kind.intendedFailureRule` (inverted): `false` selects the intended rule.
   * Runlater's literal rule (on_failure_url never fires for one-time tasks and forwards with
   * `retry_attempts > 0`, `notifications.ex`) is now the default.
   * @default true
   */
  literalFailureQuirk?: boolean;
  /** Timeout (emulator ms) of `on_failure_url`/`on_recovery_url` POSTs (Req's default, `notifications.ex`). @default 15000 */
  hookTimeoutMs?: number;
  /**
   * Behaviours kinder than production Runlater, each off by default (the emulator follows the
   * server code, `../shared/runlater-api.md` §13). Turn one on only to isolate a test from it.
   */
  kind?: EmulatorKindOptions;
  /**
   * Start latency of every claimed execution, emulator ms, drawn uniformly from `[min, max]`
   * with the seeded PRNG (`seed`). Production: 95 % within 15 s, typically 1–3 s (SLO page);
   * chaos runs use e.g. `[1000, 15000]`. @default none (executions start at their due time)
   */
  startJitterMs?: [number, number];
  /**
   * Probability (0..1, seeded by `seed`) that an action webhook (`on_failure_url` /
   * `on_recovery_url` of a task, endpoint or monitor) is lost: it is not delivered and counts as
   * answered 503 (logged as such in `deliveries()`). @default 0
   */
  hookLossProbability?: number;
  /**
   * Host names (no port, case-insensitive) whose requests from the loop (executions, hooks,
   * callbacks) are handed to the emulator's own request pipeline in-process, without sockets:
   * same routes, faults, stats and request log; a `hang` (fault or built-in target) is a timeout
   * in emulator time with no real wait. These hosts count as public for the SSRF rule and are
   * host-blocked by name. Example: `["runlater.test", "primary.test", "api.cloudflare.test"]`
   * with a health URL `http://primary.test/_emulator/targets/primary`. @default []
   */
  inProcessHosts?: string[];
  /**
   * Origin written into `inbound_url` and monitors' `ping_url` (e.g. `http://runlater.test` with
   * `inProcessHosts`), instead of the origin the API request was addressed to. @default the request's origin
   */
  publicOrigin?: string;
  /**
   * Persist state to this JSON file (created `0600`): loaded at start when it exists. A request
   * that changed state is answered 2xx only once the change is on disk (temp file, fsync, rename,
   * fsync of the directory; concurrent requests share one write); background changes (the
   * scheduler's) are written `stateFileDebounceMs` later and on `close()`. See durable-state.ts.
   * Holds tasks,
   * executions, endpoints, inbound events, org webhook secrets, DNS provider stores, built-in
   * targets and the virtual clock's time. Not persisted: deliveries, request log, stats,
   * idempotency keys, fault rules.
   * @default none (memory only)
   */
  stateFile?: string;
  /** Debounce of background state-file writes, real ms. @default 100 */
  stateFileDebounceMs?: number;
  /** Seed of the PRNG used by probabilistic faults (same seed, same sequence). @default 1 */
  seed?: number;
  /** Options of the DNS provider emulators (tokens, etc.); their clock is the emulator's. */
  dns?: Omit<DnsEmulatorsOptions, "now">;
  /**
   * DNS server (UDP + TCP, same port) answering for the DNS provider emulators' zones with each
   * record's TTL (`lib/emulator/dns-server.ts`); `false` = none. Port 0 picks a free one.
   * @default { port: 0, host: the emulator's host }
   */
  dnsServer?: { port?: number; host?: string } | false;
  /**
   * Line logger for the request log (`<emulator time> <METHOD> <path> <route> <status>`).
   * Lines never contain headers, bodies or query strings; `/in/` slugs and `/ping/` tokens are
   * shortened and control characters escaped (log-format.ts), so a path cannot forge a line.
   * @default none (silent)
   */
  log?: (line: string) => void;
  /** Outbound deliveries kept in memory. @default 10000 */
  maxDeliveries?: number;
  /** Inbound requests kept in the request log. @default 1000 */
  maxRequestLog?: number;
}

/** Kinder-than-production switches (all default `false`, i.e. production behaviour). */
export interface EmulatorKindOptions {
  /** Never block hosts (production: `host_blocker.ex`, 3 consecutive 5xx/transport errors → 30/60/120/300 s). */
  noHostBlocking?: boolean;
  /** Extra attempts of a failed action webhook at +5 s, +20 s, … (production: one POST, no retry). @default 0 */
  hookRetries?: number;
  /** Fire on_failure_url of one-time tasks/forwards with retries once they are exhausted, once per streak (production: never). */
  intendedFailureRule?: boolean;
  /** Create cron executions at their tick and ignore later executions as "previous" (production: pre-created 10 s ahead; the latest by scheduled_for counts). */
  noLookahead?: boolean;
  /** Apply expected_body_pattern to JSON responses too (production: JSON bodies pass). */
  bodyPatternOnJson?: boolean;
  /** Do not follow redirects (production: followed, Req's default). */
  noRedirects?: boolean;
  /** forward_headers replace inbound headers whatever the name's case (production: case-sensitive map merge). */
  caseInsensitiveHeaderMerge?: boolean;
}

/** Request counters and live object counts. */
export interface EmulatorStats {
  /**
   * Requests received since start or `resetStats()`, by route name (`RouteDef.name`; `unmatched`
   * for unknown paths) and by `"<METHOD> <route pattern>"`. `/_emulator/*` (control API and
   * built-in targets) is not counted.
   */
  requests: { total: number; byRoute: Record<string, number>; byMethodPath: Record<string, number> };
  /**
   * Live objects: `tasks` = cron tasks not deleted (one-time and forward tasks are not
   * counted), `endpoints`, `dnsRecords` = sum of the DNS providers' `recordCount()`;
   * `total` = tasks + endpoints (DNS records excluded).
   */
  objects: { tasks: number; endpoints: number; dnsRecords: number; total: number };
}

/** One logged inbound request (no headers, no bodies). */
export interface RequestLogEntry {
  seq: number;
  /** Emulator time, ISO-8601. */
  at: string;
  method: string;
  /** Path without query string. */
  path: string;
  /** Route name (`unmatched` when no route). */
  route: string;
  /** Status answered; 0 when the connection was dropped or left hanging by a fault. */
  status: number;
  /** Client address. */
  ip: string;
  /** Fault applied, if any (`status`, `hang`, `drop`, `delay`, `throttle`). */
  fault?: string;
  /** Real milliseconds spent. */
  realMs: number;
}

/** Mode of a built-in health target. */
/** `refused`: the connection is closed without an answer (a transport error, like a refused connection). */
export type TargetMode = "ok" | "fail" | "hang" | "refused";

/** State of a built-in health target. */
export interface TargetState {
  mode: TargetMode;
  /** Status answered in `ok` mode (default 200) or `fail` mode (default 503; values < 400 become 503). */
  status: number;
  /** Body answered (default "ok" / "down"). */
  body: string;
  /** Requests received. */
  hits: number;
}

/** A built-in switchable health target at `/_emulator/targets/:name`. */
export interface TargetControl {
  readonly name: string;
  /** Full URL of the target (`GET`/`HEAD` answer per mode; `<url>/hit` answers any method). */
  readonly url: string;
  /** `ok` answers `status` (200), `fail` answers `status` ≥ 400 (503), `hang` never answers. */
  set(mode: TargetMode, opts?: { status?: number; body?: string }): void;
  /** Current state (copy). */
  state(): TargetState;
}

/** Filter of {@link Emulator.deliveries}. */
export interface DeliveryFilter {
  kind?: Delivery["kind"];
  taskId?: string;
  /** Only deliveries started at or after this instant (emulator time). */
  since?: Date;
  /** Only deliveries with `seq` greater than this. */
  afterSeq?: number;
}

/** A running emulator. */
export interface Emulator {
  /** Origin, e.g. `http://127.0.0.1:4010`. */
  readonly url: string;
  /** `${url}/api/v1` */
  readonly runlaterApiUrl: string;
  /** `${url}/client/v4` */
  readonly cloudflareApiUrl: string;
  /** `${url}/v2` */
  readonly digitaloceanApiUrl: string;
  /** `${url}/v1` */
  readonly hetznerApiUrl: string;
  /** `${url}/api/json/v3` */
  readonly porkbunApiUrl: string;
  /** `${url}/_generic` (capture target for the generic REST adapter) */
  readonly genericUrl: string;
  /** The first accepted API key. */
  readonly apiKey: string;
  /**
   * Token of the control API: send it as `X-Emulator-Token` (or `Authorization: Bearer`) on
   * every `/_emulator/*` call except health-target hits. Random per start unless `controlToken`.
   */
  readonly controlToken: string;
  /** UDP/TCP port of the DNS server (`dig @127.0.0.1 -p <dnsPort> …`); undefined with `dnsServer: false`. */
  readonly dnsPort: number | undefined;
  /** Clock mode. */
  readonly clockMode: "virtual" | "real";
  /** Current emulator time. */
  now(): Date;
  /**
   * Virtual clock: runs every event due in the next `ms` milliseconds in time order (including
   * events created meanwhile: an inbound hit's forward, a hook at a failing execution's finish),
   * awaiting the real HTTP of each, then sets the clock to now + ms. Throws on a real clock.
   */
  advance(ms: number): Promise<void>;
  /** Virtual clock: `advance` to an instant (no-op for the past). */
  advanceTo(t: Date | number | string): Promise<void>;
  /** Runs what is due now (virtual clock: without moving it; real clock: immediately). */
  runDue(): Promise<void>;
  /** Request counts and live object counts. */
  stats(): EmulatorStats;
  /** Zeroes the request counters. */
  resetStats(): void;
  /** Outbound deliveries (health checks, hooks, forwards, callbacks), oldest first. */
  deliveries(filter?: DeliveryFilter): Delivery[];
  /** The request log (newest last; at most `maxRequestLog`). */
  requests(): RequestLogEntry[];
  /** Inbound events received on `/in/:slug` (wire shape plus `endpoint_id`), oldest first. */
  events(): Record<string, unknown>[];
  /** Executions (wire shape plus `task_id`), optionally of one task, oldest first. */
  executions(taskId?: string): Record<string, unknown>[];
  /** Fault injection. `add` returns a remover. */
  faults: { add(rule: FaultRule): () => void; remove(id: number): boolean; clear(): void; list(): ActiveFault[] };
  /**
   * Tasks in wire shape plus `org`. Default: live cron tasks (what `stats().objects.tasks`
   * counts). `{ all: true }`: every task, one-time, forwards and deleted ones included (plus
   * `deleted_at`, `endpoint_id`, `callback_url`).
   */
  tasks(opts?: { all?: boolean }): Record<string, unknown>[];
  /** Endpoints in wire shape plus `org` (`inbound_url` on the emulator's origin). */
  endpoints(): Record<string, unknown>[];
  /** Monitors in wire shape plus `org` (`ping_url` on the emulator's origin or `publicOrigin`). */
  monitors(): Record<string, unknown>[];
  /**
   * One request through the emulator's pipeline in-process (no socket), as if sent to `url`
   * (any host; `Host` is taken from the URL, so `inbound_url`s are built from it). For cheap
   * setup and reads in benchmarks. A hang or drop resolves with status 0.
   */
  request(method: string, url: string, opts?: { headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string>; body: string }>;
  /** The webhook secret (`whsec_…`) deliveries of an organisation are signed with. @default org of the first key */
  webhookSecret(org?: string): string;
  /** A DNS provider emulator by id. Throws for an unknown id. */
  dns(id: "cloudflare"): CloudflareEmulator;
  dns(id: "digitalocean"): DigitalOceanEmulator;
  dns(id: "hetzner"): HetznerEmulator;
  dns(id: "porkbun"): PorkbunEmulator;
  dns(id: "generic"): GenericCaptureEmulator;
  dns<T extends DnsProviderEmulator = DnsProviderEmulator>(id: string): T;
  /** A built-in health target (created in `ok` mode on first use). */
  target(name: string): TargetControl;
  /** Stops the loop, writes the state file, closes every connection and the server. */
  close(): Promise<void>;
}

const ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
/** Longest single `POST /_emulator/clock/advance` (and `advance()`): 366 days of emulator time. */
export const MAX_ADVANCE_MS = 366 * 86_400_000;
/** Internal: a handler result meaning "never answer" (a hanging built-in target). */
const HANG = -1;
/** Internal: a handler result meaning "close the connection without answering" (a refusing target). */
const DROP = -2;
const STATE_VERSION = 1;

interface Matched {
  route: RouteDef;
  params: Record<string, string>;
}

interface SavedState {
  version: number;
  clock?: number;
  runlater?: unknown;
  dns?: Record<string, unknown>;
  targets?: Record<string, TargetState>;
}

function isLoopbackHost(h: string): boolean {
  return h === "localhost" || isLoopback(h);
}

function isLoopback(ip: string): boolean {
  return ip === "::1" || ip.startsWith("127.") || ip.startsWith("::ffff:127.");
}

function toMs(t: string | number | Date): number {
  return typeof t === "number" ? t : typeof t === "string" ? Date.parse(t) : t.getTime();
}

/** Starts an emulator on loopback. Resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  let saved: SavedState | undefined;
  const controlToken = options.controlToken === undefined ? generateControlToken() : checkControlToken(options.controlToken);
  if (options.stateFile) {
    try {
      saved = loadStateFile(options.stateFile) as SavedState | undefined;
    } catch (e) {
      throw new Error(`cannot read emulator state file ${options.stateFile}: ${(e as Error).message}`);
    }
  }
  if (saved !== undefined) {
    if (!saved || typeof saved !== "object" || saved.version !== STATE_VERSION) {
      throw new Error(`${options.stateFile} is not an emulator state file (version ${STATE_VERSION})`);
    }
  }
  const virtual = options.clock === undefined || options.clock === "virtual" || options.clock.mode === "virtual";
  const start = options.startTime !== undefined ? toMs(options.startTime) : virtual ? saved?.clock : undefined;
  const clock = createClock(options.clock, start);

  const keyOrg: Record<string, string> = Array.isArray(options.apiKeys)
    ? Object.fromEntries(options.apiKeys.map((k) => [k, DEFAULT_ORG]))
    : (options.apiKeys ?? { [DEFAULT_EMULATOR_API_KEY]: DEFAULT_ORG });
  const apiKey = Object.keys(keyOrg)[0];
  if (apiKey === undefined) throw new Error("apiKeys must hold at least one key");
  for (const k of Object.keys(keyOrg)) if (/\s/.test(k) || k === "") throw new Error("API keys must be non-empty and contain no whitespace");

  const state = new RunlaterState();
  const dnsSet: DnsProviderEmulator[] = createDnsEmulators({ ...(options.dns ?? {}), now: () => new Date(clock.now()) });
  const dnsById = new Map<string, DnsProviderEmulator>(dnsSet.map((d) => [d.id, d]));
  const targets = new Map<string, TargetState>();
  if (saved) {
    state.restore(saved.runlater);
    for (const [id, snap] of Object.entries(saved.dns ?? {})) dnsById.get(id)?.restore(snap);
    for (const [name, t] of Object.entries(saved.targets ?? {})) targets.set(name, { ...t });
  }
  const secretOf = (org: string) => {
    let o = state.orgs.get(org);
    if (!o) {
      o = { id: org, webhookSecret: webhookSecret() };
      state.orgs.set(org, o);
      onChange();
    }
    return o.webhookSecret;
  };

  // ---------------------------------------------------------------- persistence
  let closed = false;
  /** Bumped on every change; a request that saw it move waits for a durable save before its 2xx. */
  let changes = 0;
  const durable = options.stateFile
    ? new DurableStateFile({
        file: options.stateFile,
        debounceMs: options.stateFileDebounceMs,
        log: options.log,
        snapshot: (): SavedState => ({
          version: STATE_VERSION,
          clock: clock.now(),
          runlater: state.snapshot(),
          dns: Object.fromEntries([...dnsById].map(([id, d]) => [id, d.snapshot()])),
          targets: Object.fromEntries(targets),
        }),
      })
    : undefined;
  function onChange(): void {
    changes++;
    durable?.markDirty();
  }

  // ---------------------------------------------------------------- the loop
  const kind = options.kind ?? {};
  const inProcessHosts = new Set((options.inProcessHosts ?? []).map((h) => h.toLowerCase()));
  const isInProcess = (h: string) => inProcessHosts.has(h.toLowerCase());
  if (options.hookLossProbability !== undefined && !(options.hookLossProbability >= 0 && options.hookLossProbability <= 1)) {
    throw new Error("hookLossProbability must be 0..1");
  }
  const jitter = options.startJitterMs;
  if (jitter !== undefined && !(Array.isArray(jitter) && jitter.length === 2 && jitter[0] >= 0 && jitter[1] >= jitter[0])) {
    throw new Error("startJitterMs must be [min, max] with 0 <= min <= max");
  }
  // Separate seeded streams, so turning one on does not shift another's draws.
  const seed = options.seed ?? 1;
  const lossRandom = prng(seed ^ 0x5bd1e995);
  const jitterRandom = prng(seed ^ 0x27d4eb2f);
  let selfPort = 0;
  const virtualTimeoutCapMs = options.virtualTimeoutCapMs ?? 1500;
  const transport = new Transport({
    realTimeout: (ms) => (clock.mode === "virtual" ? Math.min(ms, virtualTimeoutCapMs) : Math.max(clock.realDelay(ms), Math.min(ms, 1000))),
    inProcess: isInProcess,
    dispatch: (r) => dispatchInProcess(r),
    followRedirects: !kind.noRedirects,
  });
  let scheduler: Scheduler;
  const notifier = new Notifier({
    clock,
    state,
    transport,
    at: (t, run) => scheduler.at(t, run),
    hookTimeoutMs: options.hookTimeoutMs,
    hookRetries: kind.hookRetries,
    hookLost: options.hookLossProbability ? () => lossRandom() < options.hookLossProbability! : undefined,
    maxDeliveries: options.maxDeliveries,
  });
  scheduler = new Scheduler({
    clock,
    state,
    transport,
    notifier,
    retryDelayMs: options.retryDelayMs ?? defaultRetryDelayMs,
    intendedFailureRule: kind.intendedFailureRule ?? options.literalFailureQuirk === false,
    previousNotLater: kind.noLookahead,
    lookaheadMs: kind.noLookahead ? 0 : 10_000,
    bodyPatternOnJson: kind.bodyPatternOnJson,
    blocker: kind.noHostBlocking ? undefined : new HostBlocker(),
    hostKeyOf: (url) => hostKey(url, { selfHostPort: `127.0.0.1:${selfPort}`, inProcess: isInProcess, isPrivate: isPrivateAddress }),
    startDelayMs: jitter ? () => jitter[0] + Math.floor(jitterRandom() * (jitter[1] - jitter[0] + 1)) : undefined,
    secretOf,
    onChange,
  });
  // Re-arm restored work: cron tasks from now, pending (and interrupted) executions at their time.
  for (const t of state.tasks.values()) if (t.schedule_type === "cron" && !t.deleted_at) scheduler.rearmCron(t);
  for (const e of state.executions.values()) {
    if (e.status === "running") e.status = "pending";
    if (e.status === "pending") scheduler.armExecution(e);
  }

  // ---------------------------------------------------------------- SSRF check
  const resolveHost =
    options.resolveHost ?? (async (host: string) => (await lookup(host, { all: true })).map((a) => a.address));
  const lookupCache = new Map<string, { at: number; blocked: boolean }>();
  const ssrfBlocked = async (u: URL): Promise<boolean> => {
    if (options.allowPrivateTargets) return false;
    const host = u.hostname.replace(/^\[|\]$/g, "");
    const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
    // The emulator's own origin (built-in targets, DNS APIs, inbound URLs) and in-process hosts
    // stand in for public services.
    if (isInProcess(host)) return false;
    if (port === selfPort && isLoopbackHost(host)) return false;
    if (isPrivateAddress(host)) return true;
    if (isIP(host)) return false;
    const cached = lookupCache.get(host);
    if (cached && Date.now() - cached.at < 60_000) return cached.blocked;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string[]>((resolve) => {
      timer = setTimeout(() => resolve([]), options.ssrfLookupTimeoutMs ?? 2000);
      timer.unref();
    });
    let blocked = false;
    try {
      const addrs = await Promise.race([resolveHost(host), timeout]);
      blocked = addrs.some((a) => isPrivateAddress(a));
    } catch {
      blocked = false; // unresolvable: allowed (the execution fails later), as on Runlater
    } finally {
      clearTimeout(timer);
    }
    lookupCache.set(host, { at: Date.now(), blocked });
    return blocked;
  };

  // ---------------------------------------------------------------- routing
  const orgByReq = new WeakMap<EmuRequest, string>();
  const faults = new FaultSet(prng(options.seed ?? 1), Date.now, () => clock.now());
  const controlAuth = createControlAuth({ token: controlToken, boundHost: options.host ?? "127.0.0.1", extraHosts: options.controlHosts });
  const stats = { total: 0, byRoute: {} as Record<string, number>, byMethodPath: {} as Record<string, number> };
  const requestLog: RequestLogEntry[] = [];
  let requestSeq = 0;
  const rate = options.rateLimit === false ? undefined : { perMinute: 300, perHour: 5000, ...(options.rateLimit ?? {}) };
  const hits = new Map<string, number[]>();
  const idem = new Map<string, { status: number; body: unknown; at: number } | "inflight">();

  const router = FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true });
  const mount = (r: RouteDef) => {
    const methods = r.method === "*" ? [...ALL_METHODS] : [r.method.toUpperCase()];
    for (const m of methods) {
      try {
        router.on(m as "GET", r.path, () => undefined, { route: r });
      } catch {
        /* duplicate (an implicit HEAD, or a provider catch-all overlapping another): first one wins */
      }
    }
  };
  const runlater = runlaterRoutes({
    state,
    scheduler,
    now: () => clock.now(),
    orgOf: (req) => orgByReq.get(req) ?? DEFAULT_ORG,
    tier: options.tier ?? "pro",
    ssrfBlocked,
    onChange,
    caseInsensitiveHeaderMerge: kind.caseInsensitiveHeaderMerge,
    publicOrigin: options.publicOrigin,
  });
  const match = (method: string, path: string): Matched | undefined => {
    const found = router.find(method as "GET", path);
    if (!found) return undefined;
    const store = found.store as { route: RouteDef };
    return { route: store.route, params: found.params as Record<string, string> };
  };

  // ---------------------------------------------------------------- views
  const liveTasks = (): TaskRec[] => [...state.tasks.values()].filter((t) => !t.deleted_at && t.schedule_type === "cron");
  const rawTask = (t: TaskRec, all: boolean) => ({
    ...taskJson(t),
    org: t.org,
    ...(all ? { deleted_at: t.deleted_at, endpoint_id: t.endpoint_id ?? null, callback_url: t.callback_url } : {}),
  });
  const rawEndpoint = (e: EndpointRec, origin: string) => ({ ...endpointJson(e, origin), org: e.org });
  const listEvents = () =>
    [...state.events.values()].sort((a, b) => a.received_at - b.received_at).map((x) => ({ ...eventJson(state, x), endpoint_id: x.endpoint_id }));
  const listExecutions = (taskId?: string) =>
    [...state.executions.values()]
      .filter((e) => !taskId || e.task_id === taskId)
      .sort((a, b) => a.scheduled_for - b.scheduled_for || (a.seq ?? 0) - (b.seq ?? 0))
      .map((e) => ({ ...executionJson(e), task_id: e.task_id }));
  const filterDeliveries = (f: DeliveryFilter = {}) =>
    state.deliveries.filter(
      (d) =>
        (!f.kind || d.kind === f.kind) &&
        (!f.taskId || d.taskId === f.taskId) &&
        (!f.since || Date.parse(d.startedAt) >= f.since.getTime()) &&
        (f.afterSeq === undefined || d.seq > f.afterSeq),
    );

  function getStats(): EmulatorStats {
    const tasks = liveTasks().length;
    const endpoints = state.endpoints.size;
    const dnsRecords = dnsSet.reduce((n, d) => n + d.recordCount(), 0);
    return {
      requests: { total: stats.total, byRoute: { ...stats.byRoute }, byMethodPath: { ...stats.byMethodPath } },
      objects: { tasks, endpoints, dnsRecords, total: tasks + endpoints },
    };
  }

  function resetStats(): void {
    stats.total = 0;
    stats.byRoute = {};
    stats.byMethodPath = {};
  }

  // ---------------------------------------------------------------- built-in targets
  function setTarget(name: string, o: { mode?: TargetMode; status?: number; body?: string } = {}): TargetState {
    const mode: TargetMode = o.mode ?? (o.status !== undefined && o.status >= 400 ? "fail" : "ok");
    if (!["ok", "fail", "hang", "refused"].includes(mode)) throw new Error('mode must be "ok", "fail", "hang" or "refused"');
    if (o.status !== undefined && !(Number.isInteger(o.status) && o.status >= 100 && o.status <= 599)) throw new Error("status must be 100..599");
    let status = o.status ?? (mode === "fail" ? 503 : 200);
    if (mode === "fail" && status < 400) status = 503;
    const prev = targets.get(name);
    const t: TargetState = { mode, status, body: o.body ?? (mode === "ok" ? "ok" : "down"), hits: prev?.hits ?? 0 };
    targets.set(name, t);
    onChange();
    return t;
  }
  const hitTarget = (req: EmuRequest): EmuResponse => {
    const t = targets.get(req.params.name) ?? setTarget(req.params.name);
    t.hits++;
    if (t.mode === "hang") return { status: HANG };
    if (t.mode === "refused") return { status: DROP };
    return { status: t.status, body: t.body };
  };

  // ---------------------------------------------------------------- clock control
  const assertVirtual = (what: string) => {
    if (clock.mode !== "virtual") throw new Error(`${what}() needs clock: "virtual" (this emulator runs a real clock)`);
  };
  const advanceTo = async (t: number) => {
    assertVirtual("advance");
    if (!Number.isFinite(t)) throw new Error("advance: not a valid time");
    await scheduler.runDue(Math.max(t, clock.now()));
  };

  function controlRoutes(): RouteDef[] {
    const json = (body: unknown, status = 200): EmuResponse => ({ status, body });
    const body = (req: EmuRequest): Record<string, unknown> => {
      const v = req.body.trim() === "" ? {} : JSON.parse(req.body);
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("body must be a JSON object");
      return v as Record<string, unknown>;
    };
    const guarded =
      (h: (req: EmuRequest) => EmuResponse | Promise<EmuResponse>) =>
      async (req: EmuRequest): Promise<EmuResponse> => {
        try {
          return await h(req);
        } catch (e) {
          return json({ error: (e as Error).message }, 400);
        }
      };
    const targetView = (name: string, origin: string) => ({ name, url: `${origin}/_emulator/targets/${encodeURIComponent(name)}`, ...targets.get(name) });
    return [
      {
        method: "GET",
        path: "/_emulator",
        name: "emulator.index",
        handler: (req) =>
          json({
            url: req.origin,
            runlaterApiUrl: `${req.origin}/api/v1`,
            cloudflareApiUrl: `${req.origin}/client/v4`,
            digitaloceanApiUrl: `${req.origin}/v2`,
            hetznerApiUrl: `${req.origin}/v1`,
            porkbunApiUrl: `${req.origin}/api/json/v3`,
            genericUrl: `${req.origin}/_generic`,
            clock: { mode: clock.mode, now: new Date(clock.now()).toISOString() },
          }),
      },
      { method: "GET", path: "/_emulator/stats", name: "emulator.stats", handler: () => json(getStats()) },
      {
        method: "POST",
        path: "/_emulator/stats/reset",
        name: "emulator.stats.reset",
        handler: () => {
          resetStats();
          return json(getStats());
        },
      },
      {
        method: "GET",
        path: "/_emulator/deliveries",
        name: "emulator.deliveries",
        handler: guarded((req) => {
          const after = req.query.get("after");
          const since = req.query.get("since");
          return json({
            data: filterDeliveries({
              kind: (req.query.get("kind") ?? undefined) as Delivery["kind"] | undefined,
              taskId: req.query.get("task_id") ?? undefined,
              afterSeq: after === null ? undefined : Number(after),
              since: since === null ? undefined : new Date(since),
            }),
          });
        }),
      },
      { method: "GET", path: "/_emulator/requests", name: "emulator.requests", handler: () => json({ data: requestLog }) },
      { method: "GET", path: "/_emulator/events", name: "emulator.events", handler: () => json({ data: listEvents() }) },
      {
        method: "GET",
        path: "/_emulator/clock",
        name: "emulator.clock",
        handler: () => json({ mode: clock.mode, speed: clock.speed, now: new Date(clock.now()).toISOString(), pending: scheduler.pending() }),
      },
      {
        method: "POST",
        path: "/_emulator/clock/advance",
        name: "emulator.clock.advance",
        handler: guarded(async (req) => {
          if (clock.mode !== "virtual") return json({ error: "the emulator runs a real clock; advance needs a virtual clock" }, 409);
          const b = body(req);
          if (b.to !== undefined) {
            const to = typeof b.to === "string" || typeof b.to === "number" ? toMs(b.to) : Number.NaN;
            if (!Number.isFinite(to)) return json({ error: "to must be an ISO-8601 time or epoch milliseconds" }, 400);
            if (to - clock.now() > MAX_ADVANCE_MS) return json({ error: `to must be at most ${MAX_ADVANCE_MS} ms (366 days) ahead of now` }, 400);
            await advanceTo(to);
          } else {
            const ms = b.ms === undefined ? 0 : b.ms;
            if (!(typeof ms === "number" && ms >= 0 && ms <= MAX_ADVANCE_MS)) {
              return json({ error: `ms must be a number 0..${MAX_ADVANCE_MS} (366 days)` }, 400);
            }
            await advanceTo(clock.now() + ms);
          }
          return json({ mode: clock.mode, now: new Date(clock.now()).toISOString(), pending: scheduler.pending() });
        }),
      },
      { method: "GET", path: "/_emulator/faults", name: "emulator.faults.list", handler: () => json({ data: faults.list() }) },
      {
        method: "POST",
        path: "/_emulator/faults",
        name: "emulator.faults.add",
        handler: guarded((req) => json({ data: faults.addRule(checkFaultRule(body(req))) }, 201)),
      },
      {
        method: "DELETE",
        path: "/_emulator/faults",
        name: "emulator.faults.clear",
        handler: () => {
          faults.clear();
          return { status: 204 };
        },
      },
      {
        method: "DELETE",
        path: "/_emulator/faults/:id",
        name: "emulator.faults.remove",
        handler: (req) => (faults.remove(Number(req.params.id)) ? { status: 204 } : json({ error: "no such fault" }, 404)),
      },
      {
        method: "GET",
        path: "/_emulator/state",
        name: "emulator.state",
        handler: (req) =>
          json({
            now: new Date(clock.now()).toISOString(),
            tasks: [...state.tasks.values()].map((t) => rawTask(t, true)),
            endpoints: [...state.endpoints.values()].map((e) => rawEndpoint(e, req.origin)),
            executions: listExecutions(),
            events: listEvents(),
            monitors: [...state.monitors.values()].map((m) => ({ ...monitorJson(m, options.publicOrigin ?? req.origin), org: m.org })),
            targets: [...targets.keys()].map((n) => targetView(n, req.origin)),
            dns: Object.fromEntries([...dnsById].map(([id, d]) => [id, d.snapshot()])),
          }),
      },
      {
        method: "GET",
        path: "/_emulator/targets",
        name: "emulator.targets.list",
        handler: (req) => json({ data: [...targets.keys()].map((n) => targetView(n, req.origin)) }),
      },
      {
        method: "POST",
        path: "/_emulator/targets/:name",
        name: "emulator.targets.set",
        handler: guarded((req) => {
          const b = body(req);
          setTarget(req.params.name, {
            mode: b.mode as TargetMode | undefined,
            status: b.status === undefined ? undefined : Number(b.status),
            body: b.body === undefined ? undefined : String(b.body),
          });
          return json({ data: targetView(req.params.name, req.origin) });
        }),
      },
      { method: "GET", path: "/_emulator/targets/:name", name: "emulator.targets.hit", handler: hitTarget },
      { method: "*", path: "/_emulator/targets/:name/hit", name: "emulator.targets.hit", handler: hitTarget },
    ];
  }

  const monitors = new Monitors({
    state,
    now: () => clock.now(),
    orgOf: (req) => orgByReq.get(req) ?? DEFAULT_ORG,
    tier: options.tier ?? "pro",
    notifier,
    at: (t, run) => scheduler.at(t, run),
    onChange,
    originOf: (req) => options.publicOrigin ?? req.origin,
    startedAt: clock.now(),
  });
  monitors.armChecker();
  for (const r of [...controlRoutes(), ...runlater, ...monitors.routes()]) mount(r);
  for (const d of dnsSet) {
    const routes = d.id === "generic" ? boundedCaptureRoutes(d.routes(), d as GenericCapture) : d.routes();
    for (const r of routes) mount(r);
  }

  // ---------------------------------------------------------------- request pipeline
  const rateLimited = (ip: string): boolean => {
    if (!rate) return false;
    const now = clock.mode === "virtual" ? clock.now() : Date.now();
    let list = hits.get(ip) ?? [];
    if (list.length > 0 && now - list[0] >= 3_600_000) list = list.filter((t) => now - t < 3_600_000);
    list.push(now);
    hits.set(ip, list);
    let lastMinute = 0;
    for (let i = list.length - 1; i >= 0 && now - list[i] < 60_000; i--) lastMinute++;
    return lastMinute > rate.perMinute || list.length > rate.perHour;
  };

  const purgeIdempotency = () => {
    if (idem.size < 10_000) return;
    const now = clock.now();
    for (const [k, v] of idem) if (v !== "inflight" && now - v.at >= 86_400_000) idem.delete(k);
  };

  const handle = async (req: EmuRequest, matched: Matched | undefined, delayMs: number): Promise<EmuResponse> => {
    const run = async (h: RouteDef["handler"]) => {
      // A `delay` fault holds the request here, inside the idempotency window (so a concurrent
      // request with the same key sees it in flight).
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return h(req);
    };
    const isApi = req.path === "/api/v1" || req.path.startsWith("/api/v1/");
    const isInbound = req.path.startsWith("/in/");
    if ((isApi || isInbound) && rateLimited(req.remoteAddress)) {
      return { status: 429, body: { error: "Rate limit exceeded. Try again later." } };
    }
    if (isApi) {
      const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
      const org = m ? keyOrg[m[1]] : undefined;
      if (!org || !Object.hasOwn(keyOrg, m![1])) {
        return { status: 401, body: { error: { code: "unauthorized", message: "Invalid or missing API key" } } };
      }
      orgByReq.set(req, org);
      if (!matched) return { status: 404, body: { error: { code: "not_found", message: "Resource not found" } } };
      const key = req.headers["idempotency-key"];
      if (key) {
        const slot = `${org}\u0000${key}`;
        const cached = idem.get(slot);
        if (cached === "inflight") return { status: 409, body: { error: "Request in progress. Please wait and retry." } };
        if (cached && clock.now() - cached.at < 86_400_000) {
          return { status: cached.status, body: cached.body, headers: { "content-type": "application/json; charset=utf-8" } };
        }
        idem.set(slot, "inflight");
        try {
          const out = await run(matched.route.handler);
          if (out.status >= 200 && out.status < 300) {
            idem.set(slot, { status: out.status, body: out.body === undefined ? undefined : JSON.parse(JSON.stringify(out.body)), at: clock.now() });
            purgeIdempotency();
          } else idem.delete(slot);
          return out;
        } catch (e) {
          idem.delete(slot);
          throw e;
        }
      }
    }
    if (!matched) return { status: 404, body: { error: "Not found" } };
    return run(matched.route.handler);
  };

  const logRequest = (e: Omit<RequestLogEntry, "seq" | "at">) => {
    const entry: RequestLogEntry = { seq: ++requestSeq, at: new Date(clock.now()).toISOString(), ...e };
    requestLog.push(entry);
    const max = options.maxRequestLog ?? 1000;
    if (requestLog.length > max) requestLog.splice(0, requestLog.length - max);
    if (options.log) options.log(formatLogLine(entry));
  };

  /** What the pipeline decided for one request. */
  type Decision = { kind: "answer"; out: EmuResponse } | { kind: "fault"; fault: FaultRule };

  /** The request pipeline shared by sockets and in-process dispatch (auth, faults, handlers, log, stats). */
  async function pipeline(p: { method: string; url: URL; headers: Record<string, string>; body: string; size: number; ip: string }): Promise<Decision> {
    const t0 = performance.now();
    const { method, url, headers } = p;
    const host = headers.host ?? `127.0.0.1:${selfPort}`;
    let path = url.pathname;
    try {
      path = decodeURI(url.pathname);
    } catch {
      /* keep the raw path */
    }
    let matched: Matched | undefined;
    try {
      matched = match(method, url.pathname) ?? (method === "HEAD" ? match("GET", url.pathname) : undefined);
    } catch {
      matched = undefined;
    }
    const ip = p.ip;
    const routeName = matched?.route.name ?? "unmatched";
    const isControl = url.pathname === "/_emulator" || url.pathname.startsWith("/_emulator/");
    const done = (status: number, fault?: string) =>
      logRequest({ method, path, route: routeName, status, ip, realMs: Math.round(performance.now() - t0), ...(fault ? { fault } : {}) });
    const answer = (out: EmuResponse, fault?: string): Decision => {
      done(out.status === HANG || out.status === DROP ? 0 : out.status, fault);
      return { kind: "answer", out };
    };
    const limit = bodyLimitFor(url.pathname);
    if (p.size > limit) return answer(tooLargeResponse(limit));
    const req: EmuRequest = {
      method,
      path,
      params: matched?.params ?? {},
      query: url.searchParams,
      headers,
      body: p.body,
      remoteAddress: ip,
      origin: `http://${host}`,
    };
    if (isControl && routeName !== "emulator.targets.hit") {
      const refused = controlAuth.check(req);
      if (refused) return answer(refused);
    }
    if (matched && parsesJsonBody(url.pathname, routeName) && jsonDepthExceeds(req.body)) return answer(tooDeepResponse(url.pathname));
    if (!isControl) {
      stats.total++;
      stats.byRoute[routeName] = (stats.byRoute[routeName] ?? 0) + 1;
      const mp = `${method} ${matched?.route.path ?? "unmatched"}`;
      stats.byMethodPath[mp] = (stats.byMethodPath[mp] ?? 0) + 1;
    }
    const fault = isControl ? undefined : faults.take(routeName, method, url.pathname);
    const kind = fault ? (fault.kind ?? "status") : undefined;
    const delayMs = kind === "delay" ? (fault!.delayMs ?? 1000) : 0;
    if (fault && !fault.after && kind !== "delay") {
      done(kind === "status" ? (fault.status ?? 503) : 0, kind);
      return { kind: "fault", fault };
    }
    let out: EmuResponse;
    const changesBefore = changes;
    try {
      out = await handle(req, matched, delayMs);
    } catch {
      out = { status: 500, body: { errors: { detail: "Internal Server Error" } } };
    }
    // Durability: a 2xx to a request that changed state is sent once the change is on disk.
    // DNS provider stores do not report changes, so any non-GET counts as one.
    const mutated = changes !== changesBefore || (method !== "GET" && method !== "HEAD");
    if (durable && mutated && out.status >= 200 && out.status < 300) {
      try {
        await durable.flush();
      } catch (e) {
        options.log?.(`state file write failed: ${(e as Error).message}`);
        out = { status: 503, body: { error: "the change could not be written to the state file" } };
      }
    }
    if (fault?.after && kind !== "delay") {
      done(kind === "status" ? (fault.status ?? 503) : 0, `${kind} (after)`);
      return { kind: "fault", fault };
    }
    if (method === "HEAD") out = { ...out, body: undefined };
    if (!isControl && method !== "GET" && method !== "HEAD") onChange();
    return answer(out, kind);
  }

  const sockets = new Set<Socket>();
  const server = http.createServer((raw, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let url: URL;
    try {
      url = new URL(raw.url ?? "/", "http://emulator.local");
    } catch {
      url = new URL("http://emulator.local/");
      size = -1; // an unparsable request target (`GET http://[ HTTP/1.1`): answered 400 below
    }
    const limit = bodyLimitFor(url.pathname);
    raw.on("error", () => undefined); // a client that goes away mid-body must not crash the process
    raw.on("data", (c: Buffer) => {
      if (size < 0) return;
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    raw.on("end", () => {
      void (async () => {
        if (size < 0) {
          send(res, { status: 400, body: { error: "bad request target" } });
          return;
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(raw.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
        const d = await pipeline({
          method: (raw.method ?? "GET").toUpperCase(),
          url,
          headers,
          body: Buffer.concat(chunks).toString("utf8"),
          size,
          ip: raw.socket.remoteAddress ?? "127.0.0.1",
        });
        if (d.kind === "fault") applyFault(d.fault, res);
        else if (d.out.status === DROP) res.socket?.destroy();
        else if (d.out.status !== HANG) send(res, d.out);
      })().catch(() => {
        // Last line of defence: whatever went wrong, answer (if still possible) and keep serving.
        send(res, { status: 500, body: { errors: { detail: "Internal Server Error" } } });
      });
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  /** The answer of a `status` fault (also what `throttle` turns into). */
  function faultAnswer(f: FaultRule): EmuResponse {
    const status = f.status ?? 503;
    const headers: Record<string, string> = status === 503 ? { "retry-after": "5" } : {};
    if (f.retryAfter !== undefined) headers["retry-after"] = String(f.retryAfter);
    for (const [k, v] of Object.entries(f.headers ?? {})) headers[k.toLowerCase()] = v;
    const body =
      f.body !== undefined
        ? f.body
        : status === 429
          ? { error: "Rate limit exceeded. Try again later." }
          : status === 503
            ? { error: { code: "service_unavailable", message: "Server is busy, please retry" } }
            : { errors: { detail: status >= 500 ? "Internal Server Error" : http.STATUS_CODES[status] ?? "Error" } };
    return { status, headers, body };
  }

  /** Answers per a fault rule (never for `delay`, which runs before the handler). */
  function applyFault(f: FaultRule, res: http.ServerResponse): void {
    const kind = f.kind ?? "status";
    if (kind === "drop") {
      res.socket?.destroy();
      return;
    }
    if (kind === "hang") {
      const t = setTimeout(() => res.socket?.destroy(), f.hangMs ?? 30_000);
      t.unref();
      res.on("close", () => clearTimeout(t));
      return;
    }
    send(res, faultAnswer(f));
  }

  /** Status, headers (lower-case, with content-type/length) and payload of a response. */
  function serialize(out: EmuResponse): { status: number; headers: Record<string, string>; payload: string } {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(out.headers ?? {})) headers[k.toLowerCase()] = v;
    let payload = "";
    if (out.body !== undefined && out.status !== 204 && out.status !== 304) {
      if (typeof out.body === "string") {
        payload = out.body;
        headers["content-type"] ??= "text/plain; charset=utf-8";
      } else {
        payload = JSON.stringify(out.body);
        headers["content-type"] ??= "application/json; charset=utf-8";
      }
    }
    headers["content-length"] = String(Buffer.byteLength(payload));
    // The server's clock, as production's `Date` matches its `inserted_at` (clients compare them).
    headers.date ??= new Date(clock.now()).toUTCString();
    return { status: out.status, headers, payload };
  }

  function send(res: http.ServerResponse, out: EmuResponse): void {
    if (res.headersSent || res.destroyed) return;
    const s = serialize(out);
    try {
      res.writeHead(s.status, s.headers);
    } catch {
      // A header name or value Node refuses (CR/LF, bad token): answer 500 rather than crash.
      if (res.headersSent) return;
      const fallback = JSON.stringify({ errors: { detail: "Internal Server Error" } });
      res.writeHead(500, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(fallback)) });
      res.end(fallback);
      return;
    }
    res.end(s.payload);
  }

  /** In-process dispatch (`inProcessHosts`): the same pipeline, no sockets; a hang is a timeout in emulator time. */
  async function dispatchInProcess(r: InProcessRequest): Promise<InProcessOutcome> {
    const d = await pipeline({ method: r.method.toUpperCase(), url: r.url, headers: r.headers, body: r.body, size: Buffer.byteLength(r.body), ip: "127.0.0.1" });
    if (d.kind === "fault") {
      const kind = d.fault.kind ?? "status";
      if (kind === "drop") return { kind: "drop" };
      if (kind === "hang") return { kind: "hang" };
      const s = serialize(faultAnswer(d.fault));
      return { kind: "answer", status: s.status, headers: s.headers, body: s.payload };
    }
    if (d.out.status === HANG) return { kind: "hang" };
    if (d.out.status === DROP) return { kind: "drop" };
    const s = serialize(d.out);
    return { kind: "answer", status: s.status, headers: s.headers, body: s.payload };
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  selfPort = (server.address() as AddressInfo).port;
  const host = options.host ?? "127.0.0.1";
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const origin = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${selfPort}`;
  const dnsServer =
    options.dnsServer === false
      ? undefined
      : await startDnsServer(() => servedZones(dnsSet), { host, ...options.dnsServer }).catch(async (e) => {
          await new Promise((r) => server.close(r));
          throw e;
        });
  scheduler.start();

  const emulator: Emulator = {
    url: origin,
    runlaterApiUrl: `${origin}/api/v1`,
    cloudflareApiUrl: `${origin}/client/v4`,
    digitaloceanApiUrl: `${origin}/v2`,
    hetznerApiUrl: `${origin}/v1`,
    porkbunApiUrl: `${origin}/api/json/v3`,
    genericUrl: `${origin}/_generic`,
    apiKey,
    controlToken,
    dnsPort: dnsServer?.port,
    clockMode: clock.mode,
    now: () => new Date(clock.now()),
    async advance(ms: number) {
      assertVirtual("advance");
      if (!(Number.isFinite(ms) && ms >= 0 && ms <= MAX_ADVANCE_MS)) throw new Error(`advance(ms): ms must be a number 0..${MAX_ADVANCE_MS} (366 days), got ${ms}`);
      await advanceTo(clock.now() + ms);
    },
    advanceTo: (t) => advanceTo(toMs(t)),
    runDue: () => scheduler.runDue(clock.now()),
    stats: getStats,
    resetStats,
    deliveries: (filter) => filterDeliveries(filter),
    requests: () => requestLog.map((r) => ({ ...r })),
    events: listEvents,
    executions: listExecutions,
    faults: {
      add: (r) => faults.add(checkFaultRule(r)),
      remove: (id) => faults.remove(id),
      clear: () => faults.clear(),
      list: () => faults.list(),
    },
    tasks: (opts = {}) => (opts.all ? [...state.tasks.values()] : liveTasks()).map((t) => rawTask(t, !!opts.all)),
    endpoints: () => [...state.endpoints.values()].map((e) => rawEndpoint(e, origin)),
    monitors: () => [...state.monitors.values()].map((m) => ({ ...monitorJson(m, options.publicOrigin ?? origin), org: m.org })),
    async request(method, url, opts = {}) {
      const u = new URL(url);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
      headers.host = u.host;
      const out = await dispatchInProcess({ method, url: u, headers, body: opts.body ?? "" });
      return out.kind === "answer" ? { status: out.status, headers: out.headers, body: out.body } : { status: 0, headers: {}, body: "" };
    },
    webhookSecret: (org) => secretOf(org ?? keyOrg[apiKey]),
    dns: ((id: string) => {
      const d = dnsById.get(id);
      if (!d) throw new Error(`no DNS emulator "${id}" (have: ${[...dnsById.keys()].join(", ")})`);
      return d;
    }) as Emulator["dns"],
    target(name: string): TargetControl {
      if (!targets.has(name)) setTarget(name);
      return {
        name,
        url: `${origin}/_emulator/targets/${encodeURIComponent(name)}`,
        set: (mode, o) => {
          setTarget(name, { mode, ...(o ?? {}) });
        },
        state: () => ({ ...targets.get(name)! }),
      };
    },
    async close() {
      if (closed) return;
      await scheduler.stop();
      closed = true;
      try {
        await durable?.close();
      } finally {
        for (const s of sockets) s.destroy();
        await Promise.all([new Promise<void>((r) => server.close(() => r())), dnsServer?.close()]);
      }
    },
  };
  return emulator;
}

/** A random API key in Runlater's format (`pk_test_<24 hex>.sk_test_<32 hex>`). */
export function generateApiKey(): string {
  return `pk_test_${randomBytes(12).toString("hex")}.sk_test_${randomBytes(16).toString("hex")}`;
}

/** ISO-8601 with whole seconds (Runlater's timestamp format). */
export { isoSeconds };
