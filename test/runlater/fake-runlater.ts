/**
 * A small local stand-in for Runlater's monitor API, used until the emulator serves
 * `/api/v1/monitors` (helper emu-core is adding it) and for replies the emulator cannot give
 * (hand-written bodies: newer field names, broken JSON, odd error shapes).
 *
 * Rules follow the server code: `app/monitors/monitor.ex` (changeset), `api/monitor_controller.ex`
 * (`monitor_json`, 201 on create, 204 on delete, params wrapped or bare), `plugs/idempotency.ex`
 * (2xx replies stored per key and replayed verbatim). Not a full emulator: no checker, no hooks.
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

type Json = Record<string, unknown>;

/** A canned reply for the next request(s) matching `method` and `path` (a RegExp on the path). */
export interface FakeOverride {
  method?: string;
  path?: RegExp;
  status: number;
  /** Raw text (sent as is) or a value (JSON-encoded). */
  body?: unknown;
  raw?: string;
  /** How many requests it answers. @default 1 */
  times?: number;
  /** Run the real handler first (the object is made), then send this reply instead. @default false */
  after?: boolean;
}

/** One request as the fake saw it. */
export interface FakeRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeRunlater {
  /** `http://127.0.0.1:<port>/api/v1`. */
  apiUrl: string;
  monitors: Map<string, Json>;
  requests: FakeRequest[];
  overrides: FakeOverride[];
  close(): Promise<void>;
}

const URL_FIELDS = ["on_failure_url", "on_recovery_url"];

function validate(m: Json): Record<string, string[]> {
  const d: Record<string, string[]> = {};
  const add = (f: string, msg: string) => {
    d[f] ??= [];
    d[f].push(msg);
  };
  if (typeof m.name !== "string" || m.name.trim() === "") add("name", "can't be blank");
  if (m.schedule_type === undefined || m.schedule_type === null) add("schedule_type", "can't be blank");
  else if (!["cron", "interval"].includes(String(m.schedule_type))) add("schedule_type", "is invalid");
  const g = m.grace_period_seconds;
  if (g !== null && g !== undefined && (!Number.isInteger(g) || (g as number) < 0 || (g as number) > 3600)) {
    add("grace_period_seconds", "must be less than or equal to 3600");
  }
  if (m.schedule_type === "interval") {
    const i = m.interval_seconds;
    if (i === null || i === undefined) add("interval_seconds", "can't be blank");
    else if (!Number.isInteger(i) || (i as number) < 60 || (i as number) > 604800) add("interval_seconds", "must be greater than or equal to 60");
  }
  if (m.schedule_type === "cron") {
    if (typeof m.cron_expression !== "string" || m.cron_expression === "") add("cron_expression", "can't be blank");
    else if (m.cron_expression.trim().split(/\s+/).length !== 5) add("cron_expression", "is not a valid cron expression");
  }
  for (const f of URL_FIELDS) {
    const u = m[f];
    if (u === null || u === undefined || u === "") continue;
    try {
      const p = new URL(String(u));
      if (!["http:", "https:"].includes(p.protocol)) add(f, "must be a valid HTTP or HTTPS URL");
    } catch {
      add(f, "must be a valid HTTP or HTTPS URL");
    }
  }
  return d;
}

const CAST = [
  "name",
  "schedule_type",
  "cron_expression",
  "interval_seconds",
  "grace_period_seconds",
  "enabled",
  "notify_on_failure",
  "notify_on_recovery",
  "on_failure_url",
  "on_recovery_url",
];

/** Starts the fake on 127.0.0.1 with one accepted API key. */
export async function startFakeRunlater(apiKey: string): Promise<FakeRunlater> {
  const monitors = new Map<string, Json>();
  const requests: FakeRequest[] = [];
  const overrides: FakeOverride[] = [];
  const idem = new Map<string, { status: number; text: string }>();
  let origin = "";

  const handle = (method: string, path: string, body: Json): { status: number; body?: unknown } => {
    const ping = /^\/ping\/([^/]+)$/.exec(path);
    if (ping && (method === "GET" || method === "POST")) {
      const m = [...monitors.values()].find((x) => x.ping_token === ping[1]);
      if (!m) return { status: 404, body: { error: "Monitor not found" } };
      const now = new Date();
      m.last_ping_at = now.toISOString().replace(/\.\d{3}Z$/, "Z");
      m.next_expected_at = new Date(now.getTime() + Number(m.interval_seconds ?? 60) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
      m.status = "up";
      return { status: 200, body: { status: "ok", monitor: m.name } };
    }
    if (!path.startsWith("/api/v1/monitors")) return { status: 404, body: { error: { code: "not_found", message: "Resource not found" } } };
    const params = (body.monitor && typeof body.monitor === "object" ? body.monitor : body) as Json;
    const idMatch = /^\/api\/v1\/monitors\/([^/]+)$/.exec(path);
    if (path === "/api/v1/monitors" && method === "GET") {
      return { status: 200, body: { data: [...monitors.values()].reverse() } };
    }
    if (path === "/api/v1/monitors" && method === "POST") {
      const m: Json = { grace_period_seconds: 300, enabled: true };
      for (const k of CAST) if (k in params) m[k] = params[k];
      const d = validate(m);
      if (Object.keys(d).length > 0) return { status: 422, body: { error: { code: "validation_error", details: d } } };
      const token = `pm_${randomBytes(24).toString("base64url").slice(0, 32)}`;
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      const full: Json = {
        id: randomUUID(),
        name: m.name,
        ping_token: token,
        ping_url: `${origin}/ping/${token}`,
        schedule_type: m.schedule_type,
        cron_expression: m.cron_expression ?? null,
        interval_seconds: m.interval_seconds ?? null,
        grace_period_seconds: m.grace_period_seconds,
        status: "new",
        enabled: m.enabled,
        notify_on_failure: m.notify_on_failure ?? null,
        notify_on_recovery: m.notify_on_recovery ?? null,
        on_failure_url: m.on_failure_url ?? null,
        on_recovery_url: m.on_recovery_url ?? null,
        last_ping_at: null,
        next_expected_at: null,
        inserted_at: now,
        updated_at: now,
      };
      monitors.set(String(full.id), full);
      return { status: 201, body: { data: full } };
    }
    if (!idMatch) return { status: 404, body: { error: { code: "not_found", message: "Resource not found" } } };
    const m = monitors.get(decodeURIComponent(idMatch[1]));
    if (!m) return { status: 404, body: { error: { code: "not_found", message: "Resource not found" } } };
    if (method === "GET") return { status: 200, body: { data: m } };
    if (method === "DELETE") {
      monitors.delete(String(m.id));
      return { status: 204 };
    }
    if (method === "PATCH" || method === "PUT") {
      const next: Json = { ...m };
      for (const k of CAST) if (k in params) next[k] = params[k];
      const d = validate(next);
      if (Object.keys(d).length > 0) return { status: 422, body: { error: { code: "validation_error", details: d } } };
      next.updated_at = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      monitors.set(String(m.id), next);
      return { status: 200, body: { data: next } };
    }
    return { status: 404, body: { error: { code: "not_found", message: "Resource not found" } } };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const method = req.method ?? "GET";
      const path = (req.url ?? "/").split("?")[0];
      requests.push({ method, path: req.url ?? "/", headers: req.headers, body: text });
      const send = (status: number, out?: unknown, raw?: string) => {
        const payload = raw ?? (out === undefined ? "" : JSON.stringify(out));
        res.writeHead(status, payload ? { "content-type": "application/json" } : {});
        res.end(payload);
      };
      const oi = overrides.findIndex((o) => (!o.method || o.method === method) && (!o.path || o.path.test(path)));
      const o = oi >= 0 ? overrides[oi] : undefined;
      if (o) {
        o.times = (o.times ?? 1) - 1;
        if (o.times <= 0) overrides.splice(oi, 1);
      }
      if (o && !o.after) return send(o.status, o.body, o.raw);
      if (!path.startsWith("/ping/") && req.headers.authorization !== `Bearer ${apiKey}`) {
        return send(401, { error: { code: "unauthorized", message: "Invalid or missing API key" } });
      }
      const key = req.headers["idempotency-key"];
      const stored = typeof key === "string" ? idem.get(key) : undefined;
      if (stored && !o) return send(stored.status, undefined, stored.text);
      let body: Json = {};
      try {
        body = text ? (JSON.parse(text) as Json) : {};
      } catch {
        return send(400, { error: { code: "bad_request", message: "invalid JSON" } });
      }
      const r = stored ? { status: stored.status, body: JSON.parse(stored.text) } : handle(method, path, body);
      if (typeof key === "string" && r.status >= 200 && r.status < 300 && !stored) {
        idem.set(key, { status: r.status, text: r.body === undefined ? "" : JSON.stringify(r.body) });
      }
      if (o) return send(o.status, o.body, o.raw);
      send(r.status, r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${origin}/api/v1`,
    monitors,
    requests,
    overrides,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
