/**
 * The runlater-iac emulator: a real HTTP server on loopback that serves the Runlater API, inbound
 * endpoints and the Cloudflare / DigitalOcean / Hetzner Cloud / Porkbun DNS APIs, and runs the
 * failover loop (cron checks, hooks, forwards with retries) on a virtual or sped-up clock.
 * @module runlater-iac/emulator
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import FindMyWay from "find-my-way";
import { type ClockOption, createClock } from "./clock";
import {
  type CloudflareEmulator,
  createDnsEmulators,
  type DigitalOceanEmulator,
  type DnsEmulatorsOptions,
  type GenericCaptureEmulator,
  type HetznerEmulator,
  type PorkbunEmulator,
} from "./dns-index";
import { type FaultRule, FaultSet, prng } from "./faults";
import { endpointJson, runlaterRoutes, taskJson } from "./runlater-api";
import { defaultRetryDelayMs, Scheduler } from "./scheduler";
import { type Delivery, type EndpointRec, RunlaterState, type TaskRec, webhookSecret } from "./state";
import type { DnsProviderEmulator, EmuRequest, EmuResponse, RouteDef } from "./types";

export type { ClockOption } from "./clock";
export * from "./dns-index";
export type { FaultRule } from "./faults";
export type { Delivery } from "./state";
export type * from "./types";

/** Default API key the emulator accepts when none is configured. */
export const DEFAULT_EMULATOR_API_KEY = "pk_test_emulator.sk_test_emulator";

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to bind. Loopback only is recommended. @default "127.0.0.1" */
  host?: string;
  /**
   * Accepted API keys (Bearer). An array puts every key in one organisation; a record maps
   * key → organisation id (objects of another organisation answer 404, as on Runlater).
   * @default ["pk_test_emulator.sk_test_emulator"]
   */
  apiKeys?: string[] | Record<string, string>;
  /** Clock: `"virtual"` (tests; time moves only on `advance`) or `{ mode: "real", speed }`. @default "virtual" */
  clock?: ClockOption;
  /** Start instant (ISO string or epoch ms). @default 2026-01-01T00:00:00Z (virtual), now (real) */
  startTime?: string | number;
  /**
   * Accept cron task URLs on loopback/private addresses (Runlater answers 422). Needed for local
   * health servers. @default false
   */
  allowPrivateTargets?: boolean;
  /** Plan limits: `free` = hourly minimum interval and 3 endpoints. @default "pro" */
  tier?: "pro" | "free";
  /** Per-client-IP rate limit (Runlater: 300/min, 5000/h), or false to disable. @default { perMinute: 300, perHour: 5000 } */
  rateLimit?: { perMinute?: number; perHour?: number } | false;
  /** Real milliseconds a timing-out request is waited for in virtual mode (recorded as its full `timeout_ms`). @default 1500 */
  virtualTimeoutCapMs?: number;
  /** Delay (emulator ms) before retry `attempt` of a forward/one-time task. @default (attempt+1)² × 30 s, or a 429's Retry-After ≤ 1 h */
  retryDelayMs?: (attempt: number, retryAfterMs?: number) => number;
  /** Reproduce Runlater's literal rule that never fires on_failure_url for one-time tasks with retries. @default false */
  literalFailureQuirk?: boolean;
  /** Persist state to this JSON file (loaded at start, written on change). @default none (memory only) */
  stateFile?: string;
  /** Seed of the PRNG used by probabilistic faults. @default 1 */
  seed?: number;
  /** DNS provider emulator options (tokens etc.). */
  dns?: Omit<DnsEmulatorsOptions, "now">;
}

/** Request counters. */
export interface EmulatorStats {
  requests: { total: number; byRoute: Record<string, number>; byMethodPath: Record<string, number> };
  /** Live objects: cron tasks (not deleted), endpoints, DNS records; `total` = tasks + endpoints. */
  objects: { tasks: number; endpoints: number; dnsRecords: number; total: number };
}

/** A built-in switchable health target at `/_emulator/targets/:name`. */
export interface TargetControl {
  /** Full URL of the target. */
  readonly url: string;
  /** `ok` answers `status` (200), `fail` answers 503, `hang` never answers. */
  set(mode: "ok" | "fail" | "hang", opts?: { status?: number; body?: string }): void;
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
  /** Current emulator time. */
  now(): Date;
  /** Virtual clock: runs everything due in the next `ms` milliseconds, awaiting each delivery. */
  advance(ms: number): Promise<void>;
  /** Virtual clock: advance to an instant. */
  advanceTo(t: Date | number): Promise<void>;
  /** Runs what is due now. */
  runDue(): Promise<void>;
  stats(): EmulatorStats;
  resetStats(): void;
  /** Outbound deliveries (health checks, hooks, forwards, callbacks), oldest first. */
  deliveries(filter?: { kind?: Delivery["kind"]; taskId?: string; since?: Date }): Delivery[];
  faults: { add(rule: FaultRule): () => void; clear(): void; list(): FaultRule[] };
  /** Live cron tasks (wire shape). */
  tasks(): Record<string, unknown>[];
  /** Endpoints (wire shape). */
  endpoints(): Record<string, unknown>[];
  dns(id: "cloudflare"): CloudflareEmulator;
  dns(id: "digitalocean"): DigitalOceanEmulator;
  dns(id: "hetzner"): HetznerEmulator;
  dns(id: "porkbun"): PorkbunEmulator;
  dns(id: "generic"): GenericCaptureEmulator;
  dns(id: string): DnsProviderEmulator;
  /** A built-in health target. */
  target(name: string): TargetControl;
  close(): Promise<void>;
}

const ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

interface Matched {
  route: RouteDef;
  params: Record<string, string>;
}

/** Starts an emulator. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const start = typeof options.startTime === "string" ? Date.parse(options.startTime) : options.startTime;
  const clock = createClock(options.clock, start);
  const keyOrg: Record<string, string> = Array.isArray(options.apiKeys)
    ? Object.fromEntries(options.apiKeys.map((k) => [k, "org_default"]))
    : (options.apiKeys ?? { [DEFAULT_EMULATOR_API_KEY]: "org_default" });
  const apiKey = Object.keys(keyOrg)[0] ?? DEFAULT_EMULATOR_API_KEY;
  const state = new RunlaterState();
  const dnsSet = createDnsEmulators({ ...(options.dns ?? {}), now: () => new Date(clock.now()) });
  const dnsById = new Map<string, DnsProviderEmulator>(dnsSet.map((d) => [d.id, d]));

  if (options.stateFile && existsSync(options.stateFile)) {
    const saved = JSON.parse(readFileSync(options.stateFile, "utf8"));
    state.restore(saved.runlater);
    for (const [id, snap] of Object.entries(saved.dns ?? {})) dnsById.get(id)?.restore(snap);
  }
  const secretOf = (org: string) => {
    let o = state.orgs.get(org);
    if (!o) {
      o = { id: org, webhookSecret: webhookSecret() };
      state.orgs.set(org, o);
    }
    return o.webhookSecret;
  };
  let saveTimer: NodeJS.Timeout | undefined;
  const save = () => {
    if (!options.stateFile) return;
    const file = options.stateFile;
    const snapshot = {
      runlater: state.snapshot(),
      dns: Object.fromEntries([...dnsById].map(([id, d]) => [id, d.snapshot()])),
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(snapshot));
    renameSync(`${file}.tmp`, file);
  };
  const onChange = () => {
    if (!options.stateFile || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      save();
    }, 50);
  };

  const scheduler = new Scheduler({
    clock,
    state,
    retryDelayMs: options.retryDelayMs ?? defaultRetryDelayMs,
    virtualTimeoutCapMs: options.virtualTimeoutCapMs ?? 1500,
    literalFailureQuirk: options.literalFailureQuirk ?? false,
    secretOf,
  });
  // Re-arm restored cron tasks.
  for (const t of state.tasks.values()) if (t.schedule_type === "cron" && !t.deleted_at) scheduler.scheduleCron(t);

  const orgByReq = new WeakMap<EmuRequest, string>();
  const faults = new FaultSet(prng(options.seed ?? 1));
  const stats = { total: 0, byRoute: {} as Record<string, number>, byMethodPath: {} as Record<string, number> };
  const rate = options.rateLimit === false ? undefined : { perMinute: 300, perHour: 5000, ...(options.rateLimit ?? {}) };
  const hits = new Map<string, number[]>();
  const idem = new Map<string, { status: number; body: unknown; at: number } | "inflight">();
  const targets = new Map<string, { mode: "ok" | "fail" | "hang"; status: number; body: string }>();

  // ---------------------------------------------------------------- routing
  const router = FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true });
  const mount = (r: RouteDef) => {
    const methods = r.method === "*" ? [...ALL_METHODS] : [r.method];
    for (const m of methods) {
      try {
        router.on(m as "GET", r.path, () => undefined, { route: r });
      } catch {
        /* duplicate (e.g. a provider catch-all overlapping another): first one wins */
      }
    }
  };
  const runlater = runlaterRoutes({
    state,
    scheduler,
    now: () => clock.now(),
    orgOf: (req) => orgByReq.get(req) ?? "org_default",
    allowPrivateTargets: options.allowPrivateTargets ?? false,
    tier: options.tier ?? "pro",
    onChange,
  });
  const control = controlRoutes();
  for (const r of [...control, ...runlater]) mount(r);
  for (const d of dnsSet) for (const r of d.routes()) mount(r);
  const match = (method: string, path: string): Matched | undefined => {
    const found = router.find(method as "GET", path);
    if (!found) return undefined;
    const store = found.store as { route: RouteDef };
    return { route: store.route, params: found.params as Record<string, string> };
  };

  function controlRoutes(): RouteDef[] {
    const json = (body: unknown, status = 200): EmuResponse => ({ status, body });
    return [
      { method: "GET", path: "/_emulator/stats", name: "emulator.stats", handler: () => json(getStats()) },
      {
        method: "POST",
        path: "/_emulator/stats/reset",
        name: "emulator.stats.reset",
        handler: () => {
          resetStats();
          return json({ ok: true });
        },
      },
      { method: "GET", path: "/_emulator/deliveries", name: "emulator.deliveries", handler: () => json({ data: state.deliveries }) },
      { method: "GET", path: "/_emulator/clock", name: "emulator.clock", handler: () => json({ now: new Date(clock.now()).toISOString(), mode: clock.mode }) },
      {
        method: "POST",
        path: "/_emulator/clock/advance",
        name: "emulator.clock.advance",
        handler: async (req) => {
          const ms = Number((JSON.parse(req.body || "{}") as { ms?: number }).ms ?? 0);
          if (clock.mode !== "virtual") return json({ error: "the clock is real-time" }, 409);
          await scheduler.runDue(clock.now() + ms);
          return json({ now: new Date(clock.now()).toISOString() });
        },
      },
      {
        method: "POST",
        path: "/_emulator/faults",
        name: "emulator.faults.add",
        handler: (req) => {
          faults.add(JSON.parse(req.body || "{}") as FaultRule);
          return json({ data: faults.list() }, 201);
        },
      },
      {
        method: "DELETE",
        path: "/_emulator/faults",
        name: "emulator.faults.clear",
        handler: () => {
          faults.clear();
          return json({ ok: true });
        },
      },
      {
        method: "GET",
        path: "/_emulator/state",
        name: "emulator.state",
        handler: (req) =>
          json({
            tasks: liveTasks().map(taskJson),
            endpoints: [...state.endpoints.values()].map((e) => endpointJson(e, req.origin)),
            dns: Object.fromEntries([...dnsById].map(([id, d]) => [id, d.snapshot()])),
          }),
      },
      {
        method: "POST",
        path: "/_emulator/targets/:name",
        name: "emulator.targets.set",
        handler: (req) => {
          const b = JSON.parse(req.body || "{}") as { mode?: "ok" | "fail" | "hang"; status?: number; body?: string };
          setTarget(req.params.name, b.mode ?? (b.status && b.status >= 400 ? "fail" : "ok"), b);
          return json({ ok: true, target: targets.get(req.params.name) });
        },
      },
      {
        method: "GET",
        path: "/_emulator/targets/:name",
        name: "emulator.targets.hit",
        handler: (req) => {
          const t = targets.get(req.params.name) ?? { mode: "ok", status: 200, body: "ok" };
          if (t.mode === "hang") return { status: -1 };
          return { status: t.mode === "fail" ? (t.status >= 400 ? t.status : 503) : t.status, body: t.mode === "fail" && t.status < 400 ? "down" : t.body };
        },
      },
    ];
  }

  function setTarget(name: string, mode: "ok" | "fail" | "hang", o: { status?: number; body?: string } = {}) {
    targets.set(name, { mode, status: o.status ?? (mode === "fail" ? 503 : 200), body: o.body ?? (mode === "ok" ? "ok" : "down") });
  }

  function liveTasks(): TaskRec[] {
    return [...state.tasks.values()].filter((t) => !t.deleted_at && t.schedule_type === "cron");
  }

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

  // ---------------------------------------------------------------- request pipeline
  const rateLimited = (ip: string): boolean => {
    if (!rate) return false;
    const now = clock.mode === "virtual" ? Date.now() : clock.now();
    const list = (hits.get(ip) ?? []).filter((t) => now - t < 3_600_000);
    list.push(now);
    hits.set(ip, list);
    const lastMinute = list.filter((t) => now - t < 60_000).length;
    return lastMinute > rate.perMinute || list.length > rate.perHour;
  };

  const handle = async (req: EmuRequest, matched: Matched | undefined): Promise<EmuResponse> => {
    const isApi = req.path.startsWith("/api/v1/") || req.path === "/api/v1";
    const isInbound = req.path.startsWith("/in/");
    if ((isApi || isInbound) && rateLimited(req.remoteAddress)) {
      return { status: 429, body: { error: "Rate limit exceeded. Try again later." } };
    }
    if (isApi) {
      const auth = req.headers.authorization ?? "";
      const m = /^Bearer (\S+)$/.exec(auth);
      const org = m ? keyOrg[m[1]] : undefined;
      if (!org) return { status: 401, body: { error: { code: "unauthorized", message: "Invalid or missing API key" } } };
      orgByReq.set(req, org);
      if (!matched) return { status: 404, body: { error: { code: "not_found", message: "Resource not found" } } };
      const key = req.headers["idempotency-key"];
      if (key) {
        const slot = `${org}\u0000${key}`;
        const cached = idem.get(slot);
        if (cached === "inflight") return { status: 409, body: { error: "Request in progress. Please wait and retry." } };
        if (cached && clock.now() - cached.at < 86_400_000) return { status: cached.status, body: cached.body };
        idem.set(slot, "inflight");
        try {
          const res = await matched.route.handler(req);
          if (res.status >= 200 && res.status < 300) idem.set(slot, { status: res.status, body: res.body, at: clock.now() });
          else idem.delete(slot);
          return res;
        } catch (e) {
          idem.delete(slot);
          throw e;
        }
      }
    }
    if (!matched) return { status: 404, body: { error: "Not found" } };
    return matched.route.handler(req);
  };

  const sockets = new Set<Socket>();
  const server = http.createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on("data", (c: Buffer) => chunks.push(c));
    raw.on("end", () => {
      void (async () => {
        const url = new URL(raw.url ?? "/", "http://emulator.local");
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(raw.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
        const host = headers.host ?? `127.0.0.1:${(server.address() as AddressInfo).port}`;
        const method = (raw.method ?? "GET").toUpperCase();
        const matched = match(method, url.pathname);
        const req: EmuRequest = {
          method,
          path: url.pathname,
          params: matched?.params ?? {},
          query: url.searchParams,
          headers,
          body: Buffer.concat(chunks).toString("utf8"),
          remoteAddress: raw.socket.remoteAddress ?? "127.0.0.1",
          origin: `http://${host}`,
        };
        const routeName = matched?.route.name ?? "unmatched";
        const isControl = routeName.startsWith("emulator.");
        if (!isControl) {
          stats.total++;
          stats.byRoute[routeName] = (stats.byRoute[routeName] ?? 0) + 1;
          const mp = `${method} ${matched?.route.path ?? url.pathname}`;
          stats.byMethodPath[mp] = (stats.byMethodPath[mp] ?? 0) + 1;
        }
        const fault = isControl ? undefined : faults.take(routeName, method, url.pathname);
        if (fault && !fault.after) {
          if (await applyFault(fault, res)) return;
        }
        let out: EmuResponse;
        try {
          out = await handle(req, matched);
        } catch {
          out = { status: 500, body: { errors: { detail: "Internal Server Error" } } };
        }
        if (fault?.after) {
          if (await applyFault(fault, res)) return;
        }
        if (out.status === -1) return; // a hanging target: never answer
        send(res, out);
      })();
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  /** Applies a fault; true when the response has been dealt with. */
  async function applyFault(f: FaultRule, res: http.ServerResponse): Promise<boolean> {
    const kind = f.kind ?? "status";
    if (kind === "drop") {
      res.socket?.destroy();
      return true;
    }
    if (kind === "hang") {
      const t = setTimeout(() => res.socket?.destroy(), f.hangMs ?? 30_000);
      t.unref();
      res.on("close", () => clearTimeout(t));
      return true;
    }
    if (kind === "delay") {
      await new Promise((r) => setTimeout(r, f.delayMs ?? 1000));
      return false;
    }
    const status = f.status ?? 503;
    const headers: Record<string, string> = { ...(status === 503 ? { "retry-after": "5" } : {}), ...(f.headers ?? {}) };
    const body =
      f.body !== undefined
        ? f.body
        : status === 429
          ? { error: "Rate limit exceeded. Try again later." }
          : status === 503
            ? { error: { code: "service_unavailable", message: "Server is busy, please retry" } }
            : { errors: { detail: "Internal Server Error" } };
    send(res, { status, headers, body });
    return true;
  }

  function send(res: http.ServerResponse, out: EmuResponse): void {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string> = { ...(out.headers ?? {}) };
    let payload = "";
    if (out.body !== undefined && out.status !== 204) {
      if (typeof out.body === "string") {
        payload = out.body;
        headers["content-type"] ??= "text/plain; charset=utf-8";
      } else {
        payload = JSON.stringify(out.body);
        headers["content-type"] ??= "application/json; charset=utf-8";
      }
    }
    headers["content-length"] = String(Buffer.byteLength(payload));
    res.writeHead(out.status, headers);
    res.end(payload);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? "127.0.0.1";
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
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
    now: () => new Date(clock.now()),
    async advance(ms: number) {
      if (clock.mode !== "virtual") throw new Error("advance() needs clock: 'virtual'");
      await scheduler.runDue(clock.now() + ms);
    },
    async advanceTo(t: Date | number) {
      if (clock.mode !== "virtual") throw new Error("advanceTo() needs clock: 'virtual'");
      await scheduler.runDue(typeof t === "number" ? t : t.getTime());
    },
    runDue: () => scheduler.runDue(clock.now()),
    stats: getStats,
    resetStats,
    deliveries(filter = {}) {
      return state.deliveries.filter(
        (d) =>
          (!filter.kind || d.kind === filter.kind) &&
          (!filter.taskId || d.taskId === filter.taskId) &&
          (!filter.since || Date.parse(d.startedAt) >= filter.since.getTime()),
      );
    },
    faults: { add: (r) => faults.add(r), clear: () => faults.clear(), list: () => faults.list() },
    tasks: () => liveTasks().map(taskJson),
    endpoints: () => [...state.endpoints.values()].map((e: EndpointRec) => endpointJson(e, origin)),
    dns: ((id: string) => {
      const d = dnsById.get(id);
      if (!d) throw new Error(`no DNS emulator "${id}" (have: ${[...dnsById.keys()].join(", ")})`);
      return d;
    }) as Emulator["dns"],
    target(name: string): TargetControl {
      if (!targets.has(name)) setTarget(name, "ok");
      return { url: `${origin}/_emulator/targets/${encodeURIComponent(name)}`, set: (mode, o) => setTarget(name, mode, o) };
    },
    async close() {
      await scheduler.stop();
      if (saveTimer) {
        clearTimeout(saveTimer);
        saveTimer = undefined;
        save();
      }
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return emulator;
}

/** A random API key in Runlater's format (`pk_test_<24>.sk_test_<32>`). */
export function generateApiKey(): string {
  return `pk_test_${randomBytes(12).toString("hex")}.sk_test_${randomBytes(16).toString("hex")}`;
}
