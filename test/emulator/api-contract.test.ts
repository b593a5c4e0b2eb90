/**
 * The emulator speaks Runlater's contract: envelopes, status codes, error shapes (non-uniform
 * ones included), auth, idempotency, rate limits, SSRF, tiers, `cron` vs `cron_expression`,
 * `/schedules`, queue/lane aliases, endpoints, events and replay.
 */
import * as http from "node:http";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { apiClient, MIN, stubResolver } from "./helpers";

const KEY = "pk_test_contract.sk_test_contract_value_77";
const KEY_B = "pk_test_b.sk_test_b";
let emu: Emulator;
const api = apiClient(() => emu.runlaterApiUrl, KEY);
const apiB = apiClient(() => emu.runlaterApiUrl, KEY_B);
const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_S = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** GET with explicit headers (fetch cannot set Host). */
function rawGet(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers }, (res) => {
      let text = "";
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => resolve(text));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: { [KEY]: "org_a", [KEY_B]: "org_b" }, resolveHost: stubResolver, rateLimit: false });
});
afterAll(() => emu.close());
beforeEach(() => emu.faults.clear());

describe("auth", () => {
  it("401 without a key, with a malformed header or an unknown key; /in/ needs none", async () => {
    const unauthorized = { error: { code: "unauthorized", message: "Invalid or missing API key" } };
    const bare = await fetch(`${emu.runlaterApiUrl}/tasks`);
    expect(bare.status).toBe(401);
    expect(await bare.json()).toEqual(unauthorized);
    for (const authorization of ["Bearer nope", "Bearer", `bearer ${KEY}`, `Token ${KEY}`, "Bearer constructor"]) {
      const r = await api("GET", "/tasks", undefined, { authorization });
      expect([authorization, r.status, r.body]).toEqual([authorization, 401, unauthorized]);
    }
    // Unknown routes under /api/v1 still need auth, then 404.
    expect((await fetch(`${emu.runlaterApiUrl}/nope`)).status).toBe(401);
    expect((await api("GET", "/nope")).body).toEqual({ error: { code: "not_found", message: "Resource not found" } });
    const inbound = await fetch(`${emu.url}/in/ep_${"x".repeat(32)}`, { method: "POST" });
    expect(inbound.status).toBe(404);
    expect(await inbound.json()).toEqual({ error: "Not found" });
  });

  it("another org's objects are 404 (never 403) and not listed", async () => {
    const t = (await api("POST", "/tasks", { url: "https://example.com/o", cron: "0 * * * *" })).body.data;
    const e = (await api("POST", "/endpoints", { name: "mine", forward_urls: ["https://example.com"] })).body.data;
    const nf = { error: { code: "not_found", message: "Resource not found" } };
    for (const [m, p] of [
      ["GET", `/tasks/${t.id}`],
      ["PATCH", `/tasks/${t.id}`],
      ["DELETE", `/tasks/${t.id}`],
      ["POST", `/tasks/${t.id}/trigger`],
      ["GET", `/tasks/${t.id}/executions`],
      ["GET", `/schedules/${t.id}`],
      ["GET", `/endpoints/${e.id}`],
      ["PUT", `/endpoints/${e.id}`],
      ["DELETE", `/endpoints/${e.id}`],
      ["GET", `/endpoints/${e.id}/events`],
    ]) {
      const r = await apiB(m, p, m === "GET" || m === "DELETE" ? undefined : { name: "x" });
      expect([m, p, r.status, r.body]).toEqual([m, p, 404, nf]);
    }
    expect((await apiB("GET", "/tasks")).body.data.map((x: { id: string }) => x.id)).not.toContain(t.id);
    expect((await apiB("GET", "/endpoints")).body.data).toEqual([]);
    expect((await api("GET", `/tasks/${t.id}`)).status).toBe(200);
  });
});

describe("tasks", () => {
  it("cron create is 201 with the full Task; defaults per the contract", async () => {
    const c = await api("POST", "/tasks", { url: " https://example.com/h ", cron: "* * * * *", expected_status_codes: "200" });
    expect(c.status).toBe(201);
    expect(c.body.message).toBe("Cron task created");
    expect(Object.keys(c.body.data).sort()).toEqual(
      [
        "id",
        "name",
        "url",
        "method",
        "headers",
        "body",
        "schedule_type",
        "cron_expression",
        "scheduled_at",
        "enabled",
        "timeout_ms",
        "retry_attempts",
        "expected_status_codes",
        "expected_body_pattern",
        "queue",
        "lane",
        "notify_on_failure",
        "notify_on_recovery",
        "on_failure_url",
        "on_recovery_url",
        "next_run_at",
        "inserted_at",
        "updated_at",
      ].sort(),
    );
    expect(c.body.data).toMatchObject({
      url: "https://example.com/h",
      name: "Cron: https://example.com/h",
      method: "GET",
      headers: {},
      body: null,
      schedule_type: "cron",
      cron_expression: "* * * * *",
      scheduled_at: null,
      enabled: true,
      timeout_ms: 30000,
      retry_attempts: 5,
      expected_status_codes: "200",
      queue: null,
      next_run_at: "2026-01-01T00:01:00Z",
      inserted_at: "2026-01-01T00:00:00Z",
    });
    expect(c.body.data.id).toMatch(UUID7);
    expect(c.body.data).not.toHaveProperty("callback_url");
  });

  it("one-time create is 202 with an execution: immediate (now+1 s), delay, run_at; bad delay/run_at are 400", async () => {
    const now = emu.now().getTime();
    const imm = await api("POST", "/tasks", { url: "https://example.com/once" });
    expect(imm.status).toBe(202);
    expect(imm.body).toEqual({
      data: { task_id: expect.stringMatching(UUID7), execution_id: expect.stringMatching(UUID7), status: "pending", scheduled_for: expect.stringMatching(ISO_S) },
      message: "Task queued for execution",
    });
    expect(Date.parse(imm.body.data.scheduled_for)).toBe(now + 1000);
    const task = (await api("GET", `/tasks/${imm.body.data.task_id}`)).body.data;
    expect(task).toMatchObject({ schedule_type: "once", method: "POST", body: "", name: "https://example.com/once · 01 Jan, 00:00", next_run_at: null });

    expect((await api("POST", "/tasks", { url: "https://example.com/d", delay: "5m" })).body.data.scheduled_for).toBe("2026-01-01T00:05:00Z");
    expect((await api("POST", "/tasks", { url: "https://example.com/d", delay: 90 })).body.data.scheduled_for).toBe("2026-01-01T00:01:30Z");
    const at = await api("POST", "/tasks", { url: "https://example.com/r", run_at: "2026-01-01T02:00:00+01:00" });
    expect(at.body.data.scheduled_for).toBe("2026-01-01T01:00:00Z");

    const bad = async (body: object) => (await api("POST", "/tasks", { url: "https://example.com", ...body })).body;
    expect(await bad({ delay: "5 minutes" })).toEqual({
      error: { code: "invalid_delay", message: "invalid delay format. Use a number with unit: 30s, 5m, 2h, 1d" },
    });
    expect(await bad({ delay: 0 })).toEqual({ error: { code: "invalid_delay", message: "delay must be greater than 0" } });
    expect(await bad({ delay: "" })).toEqual({ error: { code: "invalid_delay", message: "delay is required" } });
    expect(await bad({ run_at: "tomorrow" })).toEqual({ error: { code: "invalid_run_at", message: "run_at must be a valid ISO 8601 datetime" } });
    expect(await bad({ run_at: "2026-01-01T10:00:00" })).toMatchObject({ error: { code: "invalid_run_at" } }); // no offset
    const past = await api("POST", "/tasks", { url: "https://example.com", run_at: "2025-12-31T23:54:00Z" });
    expect(past.status).toBe(422);
    expect(past.body.error.details).toEqual({ scheduled_at: ["must be in the future"] });
  });

  it("accepts wrapped bodies and echoes queue/lane both ways; lists filter by either", async () => {
    const t = await api("POST", "/tasks", { task: { url: "https://example.com/w", cron: "0 * * * *", lane: "billing" } });
    expect(t.status).toBe(201);
    expect(t.body.data).toMatchObject({ queue: "billing", lane: "billing" });
    const q = await api("POST", "/tasks", { url: "https://example.com/q", cron: "0 * * * *", queue: "other" });
    expect(q.body.data).toMatchObject({ queue: "other", lane: "other" });
    const byLane = (await api("GET", "/tasks?lane=billing")).body.data.map((x: { id: string }) => x.id);
    expect(byLane).toEqual([t.body.data.id]);
    const byQueue = (await api("GET", "/tasks?queue=other")).body.data.map((x: { id: string }) => x.id);
    expect(byQueue).toEqual([q.body.data.id]);
    const none = (await api("GET", "/tasks?queue=none&limit=100")).body.data;
    expect(none.every((x: { queue: string | null }) => x.queue === null)).toBe(true);
  });

  it("lists with limit/offset/has_more (limit clamped to 1..100, default 50; bad offset → 0)", async () => {
    const other = startEmulator({ apiKeys: [KEY], resolveHost: stubResolver, rateLimit: false });
    const e2 = await other;
    try {
      const a2 = apiClient(() => e2.runlaterApiUrl, KEY);
      for (let i = 0; i < 5; i++) await a2("POST", "/tasks", { url: `https://example.com/${i}`, cron: "0 * * * *", name: `t${i}` });
      const p1 = await a2("GET", "/tasks?limit=2");
      expect(p1.body).toMatchObject({ has_more: true, limit: 2, offset: 0 });
      expect(p1.body.data.map((x: { name: string }) => x.name)).toEqual(["t4", "t3"]); // inserted_at DESC
      const p3 = await a2("GET", "/tasks?limit=2&offset=4");
      expect(p3.body).toMatchObject({ has_more: false, limit: 2, offset: 4 });
      expect(p3.body.data).toHaveLength(1);
      expect((await a2("GET", "/tasks?limit=500")).body.limit).toBe(100);
      expect((await a2("GET", "/tasks?limit=0&offset=-3")).body).toMatchObject({ limit: 50, offset: 0 });
      expect((await a2("GET", "/tasks?limit=abc&offset=x")).body).toMatchObject({ limit: 50, offset: 0, has_more: false });
    } finally {
      await e2.close();
    }
  });

  it("get, PUT/PATCH (partial; ignore cron/delay/run_at, take cron_expression), soft delete → 404", async () => {
    const t = (await api("POST", "/tasks", { url: "https://example.com/u", cron: "0 * * * *" })).body.data;
    const ignored = await api("PATCH", `/tasks/${t.id}`, { cron: "*/5 * * * *", delay: "5m", run_at: "x", name: "renamed" });
    expect(ignored.status).toBe(200);
    expect(ignored.body.data).toMatchObject({ cron_expression: "0 * * * *", name: "renamed", url: "https://example.com/u" });
    const applied = await api("PUT", `/tasks/${t.id}`, { cron_expression: "*/5 * * * *", timeout_ms: 10000, expected_status_codes: "200,204" });
    expect(applied.body.data).toMatchObject({ cron_expression: "*/5 * * * *", next_run_at: "2026-01-01T00:05:00Z", timeout_ms: 10000, expected_status_codes: "200,204", name: "renamed" });
    const wrapped = await api("PUT", `/tasks/${t.id}`, { task: { enabled: false } });
    expect(wrapped.body.data).toMatchObject({ enabled: false, next_run_at: null });
    const invalid = await api("PUT", `/tasks/${t.id}`, { cron_expression: "every minute" });
    expect(invalid.body).toEqual({ error: { code: "validation_error", details: { cron_expression: ["is not a valid cron expression"] } } });
    const del = await api("DELETE", `/tasks/${t.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    for (const m of ["GET", "PUT", "DELETE"]) expect((await api(m, `/tasks/${t.id}`, m === "PUT" ? {} : undefined)).status).toBe(404);
    expect((await api("GET", "/tasks?limit=100")).body.data.map((x: { id: string }) => x.id)).not.toContain(t.id);
  });

  it("trigger is 202 with an execution; executions list newest first", async () => {
    const e2 = await startEmulator({ apiKeys: [KEY], allowPrivateTargets: true, rateLimit: false });
    try {
      const a2 = apiClient(() => e2.runlaterApiUrl, KEY);
      const target = e2.target("t");
      const t = (await a2("POST", "/tasks", { url: target.url, cron: "*/10 * * * *" })).body.data;
      const tr = await a2("POST", `/tasks/${t.id}/trigger`);
      expect(tr.status).toBe(202);
      expect(tr.body).toEqual({
        data: { execution_id: expect.stringMatching(UUID7), status: "pending", scheduled_for: "2026-01-01T00:00:00Z" },
        message: "Task triggered successfully",
      });
      await e2.advance(10 * MIN);
      const ex = (await a2("GET", `/tasks/${t.id}/executions`)).body.data;
      expect(ex).toHaveLength(2);
      expect(ex[0]).toEqual({
        id: expect.stringMatching(UUID7),
        status: "success",
        scheduled_for: "2026-01-01T00:10:00Z",
        started_at: "2026-01-01T00:10:00Z",
        finished_at: "2026-01-01T00:10:00Z",
        status_code: 200,
        duration_ms: expect.any(Number),
        error_message: null,
        attempt: 1,
      });
      expect(ex[1]).toMatchObject({ id: tr.body.data.execution_id, scheduled_for: "2026-01-01T00:00:00Z", status: "success" });
      expect((await a2("GET", `/tasks/${t.id}/executions?limit=1`)).body.data).toHaveLength(1);
      // The list orders by last execution first.
      const idle = (await a2("POST", "/tasks", { url: target.url, cron: "0 0 1 1 *" })).body.data;
      expect((await a2("GET", "/tasks")).body.data.map((x: { id: string }) => x.id)).toEqual([t.id, idle.id]);
    } finally {
      await e2.close();
    }
  });
});

describe("/schedules (newer API) maps onto the cron tasks", () => {
  it("create with cron or cron_expression, get, update, delete; one-time tasks are not schedules", async () => {
    const a = await api("POST", "/schedules", { url: "https://example.com/s", cron_expression: "0 * * * *", lane: "l" });
    expect(a.status).toBe(201);
    expect(a.body.data).toMatchObject({ schedule_type: "cron", cron_expression: "0 * * * *", lane: "l", queue: "l" });
    const b = await api("POST", "/schedules", { schedule: { url: "https://example.com/s2", cron: "30 * * * *" } });
    expect(b.body.data.cron_expression).toBe("30 * * * *");
    const missing = await api("POST", "/schedules", { url: "https://example.com/s3" });
    expect(missing.body.error.details).toEqual({ cron_expression: ["can't be blank"] });
    expect((await api("GET", `/tasks/${a.body.data.id}`)).body.data.id).toBe(a.body.data.id);
    const u = await api("PATCH", `/schedules/${a.body.data.id}`, { cron_expression: "15 * * * *" });
    expect(u.body.data).toMatchObject({ cron_expression: "15 * * * *", next_run_at: "2026-01-01T00:15:00Z" });
    const once = (await api("POST", "/tasks", { url: "https://example.com/o" })).body.data;
    expect((await api("GET", `/schedules/${once.task_id}`)).status).toBe(404);
    const list = (await api("GET", "/schedules?limit=100")).body.data;
    expect(list.every((x: { schedule_type: string }) => x.schedule_type === "cron")).toBe(true);
    expect((await api("POST", `/schedules/${a.body.data.id}/trigger`)).status).toBe(202);
    expect((await api("GET", `/schedules/${a.body.data.id}/executions`)).body.data).toHaveLength(1);
    expect((await api("DELETE", `/schedules/${a.body.data.id}`)).status).toBe(204);
    expect((await api("GET", `/tasks/${a.body.data.id}`)).status).toBe(404);
  });
});

describe("validation (422 validation_error with field details)", () => {
  it("field errors, including an array expected_status_codes and a 6-field cron", async () => {
    const r = await api("POST", "/tasks", {
      url: "ftp://x",
      cron: "* * * * * *",
      method: "FETCH",
      timeout_ms: 999,
      retry_attempts: 11,
      expected_status_codes: [200],
    });
    expect(r.status).toBe(422);
    expect(r.body).toEqual({
      error: {
        code: "validation_error",
        details: {
          url: ["must be a valid HTTP or HTTPS URL"],
          method: ["is invalid"],
          timeout_ms: ["must be greater than or equal to 1000"],
          retry_attempts: ["must be less than or equal to 10"],
          expected_status_codes: ["is invalid"],
          cron_expression: ["is not a valid cron expression"],
        },
      },
    });
    const details = async (body: object) => (await api("POST", "/tasks", { url: "https://example.com", cron: "0 * * * *", ...body })).body.error?.details;
    expect(await details({ timeout_ms: 300_001 })).toEqual({ timeout_ms: ["must be less than or equal to 300000"] });
    expect(await details({ retry_attempts: -1 })).toEqual({ retry_attempts: ["must be greater than or equal to 0"] });
    expect(await details({ expected_status_codes: "200,abc" })).toEqual({ expected_status_codes: ["must be comma-separated HTTP status codes (100-599)"] });
    expect(await details({ expected_status_codes: "99" })).toEqual({ expected_status_codes: ["must be comma-separated HTTP status codes (100-599)"] });
    expect(await details({ method: "get" })).toEqual({ method: ["is invalid"] });
    expect(await details({ body: "x".repeat(256 * 1024 + 1) })).toEqual({ body: ["must be less than 256KB"] });
    expect(await details({ url: "https://" })).toEqual({ url: ["must be a valid HTTP or HTTPS URL"] });
    expect(await details({ url: undefined })).toEqual({ url: ["can't be blank"] });
    expect(await details({ on_failure_url: "nope" })).toEqual({ on_failure_url: ["must be a valid HTTP or HTTPS URL"] });
    expect(await details({ cron: "61 * * * *" })).toEqual({ cron_expression: ["is not a valid cron expression"] });
    // Accepted edge values.
    const okay = await api("POST", "/tasks", {
      url: "https://example.com",
      cron: "@hourly",
      timeout_ms: 1000,
      retry_attempts: 10,
      expected_status_codes: "200, 204",
      on_failure_url: "",
      body: "x".repeat(256 * 1024),
    });
    expect(okay.status).toBe(201);
    expect(okay.body.data.on_failure_url).toBeNull();
  });

  it("malformed JSON is 400 bad_request", async () => {
    const r = await api("POST", "/tasks", "{nope");
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("bad_request");
  });
});

describe("SSRF check (cron tasks only)", () => {
  it("refuses private literals and names resolving to private addresses", async () => {
    for (const url of [
      "http://127.0.0.1:8080/health",
      "http://localhost/h",
      "http://10.1.2.3/h",
      "http://172.20.0.1/h",
      "http://192.168.1.1/h",
      "http://169.254.169.254/latest",
      "http://0.0.0.0/h",
      "http://[::1]/h",
      "http://[::ffff:127.0.0.1]/h",
      "http://db.internal/h",
      "http://api.private.test/h",
      "http://api.v6private.test/h",
    ]) {
      const r = await api("POST", "/tasks", { url, cron: "* * * * *" });
      expect([url, r.status, r.body.error?.details]).toEqual([url, 422, { url: ["cannot target private or internal addresses"] }]);
    }
    for (const url of ["http://172.32.0.1/h", "https://public.example.test/h", "https://unresolvable.broken.test/h"]) {
      expect([url, (await api("POST", "/tasks", { url, cron: "* * * * *" })).status]).toEqual([url, 201]);
    }
    // One-time tasks created through the API skip the check; so do endpoint forward URLs.
    expect((await api("POST", "/tasks", { url: "http://127.0.0.1:8080/x" })).status).toBe(202);
    expect((await api("POST", "/endpoints", { name: "local", forward_urls: ["http://127.0.0.1:9/x"] })).status).toBe(201);
    // A URL change on update is checked too.
    const t = (await api("POST", "/tasks", { url: "https://example.com/h", cron: "* * * * *" })).body.data;
    expect((await api("PATCH", `/tasks/${t.id}`, { url: "http://10.0.0.1/h" })).body.error.details.url).toEqual(["cannot target private or internal addresses"]);
  });

  it("allowPrivateTargets accepts them; built-in targets are always accepted", async () => {
    const loose = await startEmulator({ apiKeys: [KEY], allowPrivateTargets: true, rateLimit: false });
    const strict = await startEmulator({ apiKeys: [KEY], rateLimit: false });
    try {
      expect((await apiClient(() => loose.runlaterApiUrl, KEY)("POST", "/tasks", { url: "http://127.0.0.1:1/h", cron: "* * * * *" })).status).toBe(201);
      const s = apiClient(() => strict.runlaterApiUrl, KEY);
      expect((await s("POST", "/tasks", { url: strict.target("primary").url, cron: "* * * * *" })).status).toBe(201);
      // The emulator's whole origin stands in for public services (DNS APIs, inbound URLs); other loopback ports do not.
      expect((await s("POST", "/tasks", { url: `${strict.url}/api/v1/tasks`, cron: "* * * * *" })).status).toBe(201);
      expect((await s("POST", "/tasks", { url: "http://127.0.0.1:1/health", cron: "* * * * *" })).status).toBe(422);
    } finally {
      await loose.close();
      await strict.close();
    }
  });
});

describe("endpoints", () => {
  it("CRUD: 201 with the full Endpoint (inbound_url on the request's host), list, get, partial update, hard delete 204", async () => {
    const c = await api("POST", "/endpoints", {
      name: "DNS failover",
      forward_url: "https://api.example.com/dns",
      use_lane: false,
      retry_attempts: 3,
      forward_headers: { Authorization: "Bearer t" },
      forward_body: '{"content":"203.0.113.50"}',
      forward_method: "PUT",
    });
    expect(c.status).toBe(201);
    const e = c.body.data;
    expect(e).toEqual({
      id: expect.stringMatching(UUID7),
      name: "DNS failover",
      slug: expect.stringMatching(/^ep_[A-Za-z0-9_-]{32}$/),
      inbound_url: `${emu.url}/in/${e.slug}`,
      forward_urls: ["https://api.example.com/dns"],
      enabled: true,
      retry_attempts: 3,
      use_queue: false,
      use_lane: false,
      notify_on_failure: null,
      notify_on_recovery: null,
      on_failure_url: null,
      on_recovery_url: null,
      forward_headers: { Authorization: "Bearer t" },
      forward_body: '{"content":"203.0.113.50"}',
      forward_method: "PUT",
      inserted_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
    });
    const viaOtherHost = await rawGet(`${emu.runlaterApiUrl}/endpoints/${e.id}`, { host: "emulator.example:8443", authorization: `Bearer ${KEY}` });
    expect(JSON.parse(viaOtherHost).data.inbound_url).toBe(`http://emulator.example:8443/in/${e.slug}`);
    expect((await api("GET", "/endpoints")).body.data.map((x: { id: string }) => x.id)).toContain(e.id);
    const u = await api("PATCH", `/endpoints/${e.id}`, { endpoint: { use_queue: true, enabled: false } });
    expect(u.body.data).toMatchObject({ use_queue: true, use_lane: true, enabled: false, slug: e.slug, name: "DNS failover" });
    expect((await api("DELETE", `/endpoints/${e.id}`)).status).toBe(204);
    expect((await api("GET", `/endpoints/${e.id}`)).status).toBe(404);
    expect((await fetch(e.inbound_url, { method: "POST" })).status).toBe(404);
  });

  it("forward_urls and other field errors", async () => {
    const details = async (body: object) => (await api("POST", "/endpoints", { name: "x", forward_urls: ["https://e.example"], ...body })).body.error.details;
    expect(await details({ forward_urls: [] })).toEqual({ forward_urls: ["can't be blank"] });
    expect(await details({ forward_urls: undefined })).toEqual({ forward_urls: ["can't be blank"] });
    expect(await details({ forward_urls: Array.from({ length: 11 }, (_, i) => `https://e${i}.example.com`) })).toEqual({ forward_urls: ["can't have more than 10 URLs"] });
    expect(await details({ forward_urls: ["https://ok.example", "nope"] })).toEqual({ forward_urls: ["contains an invalid URL: nope"] });
    expect(await details({ forward_method: "FETCH" })).toEqual({ forward_method: ["must be a valid HTTP method"] });
    expect(await details({ retry_attempts: 11 })).toEqual({ retry_attempts: ["must be less than or equal to 10"] });
    expect(await details({ name: "" })).toEqual({ name: ["can't be blank"] });
    expect((await api("POST", "/endpoints", { name: "ten", forward_urls: Array.from({ length: 10 }, (_, i) => `https://e${i}.example.com`) })).status).toBe(201);
  });

  it("inbound: 200 received, 410 disabled; events list with aggregated status; replay 202", async () => {
    const ep = (await api("POST", "/endpoints", { name: "hooks", forward_urls: [`${emu.genericUrl}/a`, `${emu.genericUrl}/b`], retry_attempts: 0 })).body.data;
    const hit = await fetch(`${ep.inbound_url}?x=1`, { method: "PATCH", body: "payload", headers: { "x-forwarded-for": "203.0.113.9, 10.0.0.1" } });
    expect(hit.status).toBe(200);
    const received = (await hit.json()) as { id: string; status: string };
    expect(received).toEqual({ id: expect.stringMatching(UUID7), status: "received" });
    let events = (await api("GET", `/endpoints/${ep.id}/events`)).body.data;
    expect(events).toEqual([
      { id: received.id, method: "PATCH", source_ip: "203.0.113.9", received_at: "2026-01-01T00:00:00Z", task_ids: [expect.any(String), expect.any(String)], status: "pending" },
    ]);
    await emu.runDue();
    events = (await api("GET", `/endpoints/${ep.id}/events?limit=1`)).body.data;
    expect(events[0].status).toBe("success");
    const fwdTask = (await api("GET", `/tasks/${events[0].task_ids[1]}`)).body.data;
    expect(fwdTask).toMatchObject({ name: `hooks · event ${received.id.slice(0, 8)} → 2/2`, method: "PATCH", body: "payload", timeout_ms: 30000, retry_attempts: 0, queue: "hooks" });
    const replay = await api("POST", `/endpoints/${ep.id}/events/${received.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({
      data: { executions: [0, 1].map(() => ({ execution_id: expect.stringMatching(UUID7), status: "pending", scheduled_for: expect.stringMatching(ISO_S) })) },
      message: "Event replayed to 2 destination(s)",
    });
    expect((await api("POST", `/endpoints/${ep.id}/events/01900000-0000-7000-8000-000000000000/replay`)).body).toEqual({ errors: { detail: "Not Found" } });
    await api("PATCH", `/endpoints/${ep.id}`, { enabled: false });
    const gone = await fetch(ep.inbound_url, { method: "POST" });
    expect(gone.status).toBe(410);
    expect(await gone.json()).toEqual({ error: "Endpoint disabled" });
  });
});

describe("idempotency", () => {
  it("replays the stored 2xx for the same (org, key) verbatim and creates nothing new; scope excludes path and body", async () => {
    const before = emu.stats().objects.endpoints;
    const a = await api("POST", "/endpoints", { name: "i", forward_urls: ["https://example.com"] }, { "idempotency-key": "k1" });
    const b = await api("POST", "/endpoints", { name: "i", forward_urls: ["https://example.com"] }, { "idempotency-key": "k1" });
    expect(b.status).toBe(201);
    expect(b.text).toBe(a.text);
    expect(emu.stats().objects.endpoints).toBe(before + 1);
    // Another route with the same key replays the first response (path is not part of the scope).
    const c = await api("GET", "/tasks", undefined, { "idempotency-key": "k1" });
    expect(c.status).toBe(201);
    expect(c.body).toEqual(a.body);
    // Another org with the same key is independent.
    const d = await apiB("POST", "/endpoints", { name: "i", forward_urls: ["https://example.com"] }, { "idempotency-key": "k1" });
    expect(d.body.data.id).not.toBe(a.body.data.id);
  });

  it("a replay is sent as production's plug sends it (application/json; charset=utf-8), and every reply's Date is the emulator's clock (as inserted_at is)", async () => {
    const body = { name: "dated", forward_urls: ["https://example.com"] };
    const a = await api("POST", "/endpoints", body, { "idempotency-key": "k-date" });
    expect(a.headers.get("date")).toBe(emu.now().toUTCString());
    expect(Date.parse(a.headers.get("date")!)).toBe(Date.parse(a.body.data.inserted_at));
    await emu.advance(3 * MIN);
    const b = await api("POST", "/endpoints", body, { "idempotency-key": "k-date" });
    expect(b.text).toBe(a.text);
    expect(b.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(Date.parse(b.headers.get("date")!) - Date.parse(b.body.data.inserted_at)).toBe(3 * MIN);
  });

  it("answers 409 (string error) while the same key is in flight", async () => {
    emu.faults.add({ route: "runlater.endpoints.create", kind: "delay", delayMs: 300, times: 1 });
    const body = { name: "slow", forward_urls: ["https://example.com"] };
    const first = api("POST", "/endpoints", body, { "idempotency-key": "k-slow" });
    // Wait until the emulator has the first request (it counts requests on arrival).
    const seen = emu.stats().requests.byRoute["runlater.endpoints.create"] ?? 0;
    for (let i = 0; i < 10_000 && (emu.stats().requests.byRoute["runlater.endpoints.create"] ?? 0) === seen; i++) {
      await new Promise((r) => setImmediate(r));
    }
    const second = await api("POST", "/endpoints", body, { "idempotency-key": "k-slow" });
    expect(second.status).toBe(409);
    expect(second.body).toEqual({ error: "Request in progress. Please wait and retry." });
    const a = await first;
    expect(a.status).toBe(201);
    const third = await api("POST", "/endpoints", body, { "idempotency-key": "k-slow" });
    expect(third.body.data.id).toBe(a.body.data.id);
  });

  it("does not store non-2xx responses; keys expire after 24 h of emulator time", async () => {
    const e2 = await startEmulator({ apiKeys: [KEY] });
    try {
      const a2 = apiClient(() => e2.runlaterApiUrl, KEY);
      const bad = await a2("POST", "/endpoints", { name: "x", forward_urls: [] }, { "idempotency-key": "k-bad" });
      expect(bad.status).toBe(422);
      const good = await a2("POST", "/endpoints", { name: "x", forward_urls: ["https://example.com"] }, { "idempotency-key": "k-bad" });
      expect(good.status).toBe(201);
      const again = await a2("POST", "/endpoints", { name: "x", forward_urls: ["https://example.com"] }, { "idempotency-key": "k-bad" });
      expect(again.body.data.id).toBe(good.body.data.id);
      await e2.advance(24 * 60 * MIN);
      const fresh = await a2("POST", "/endpoints", { name: "x", forward_urls: ["https://example.com"] }, { "idempotency-key": "k-bad" });
      expect(fresh.body.data.id).not.toBe(good.body.data.id);
    } finally {
      await e2.close();
    }
  });
});

describe("rate limit", () => {
  it("429 with Runlater's string body and no Retry-After above the per-IP limit, /in/ included; the window slides on the emulator clock", async () => {
    const small = await startEmulator({ apiKeys: [KEY], rateLimit: { perMinute: 3, perHour: 5 } });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await fetch(`${small.runlaterApiUrl}/endpoints`, { headers: { authorization: `Bearer ${KEY}` } });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(await last!.json()).toEqual({ error: "Rate limit exceeded. Try again later." });
      expect(last!.headers.get("retry-after")).toBeNull();
      expect([...last!.headers.keys()].filter((h) => h.startsWith("x-ratelimit"))).toEqual([]);
      expect((await fetch(`${small.url}/in/ep_x`, { method: "POST" })).status).toBe(429);
      expect((await fetch(`${small.runlaterApiUrl}/endpoints`)).status).toBe(429); // before auth
      await small.advance(MIN);
      expect((await fetch(`${small.runlaterApiUrl}/endpoints`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(429); // hourly: 7 > 5
      await small.advance(60 * MIN);
      expect((await fetch(`${small.runlaterApiUrl}/endpoints`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe("free tier", () => {
  it("refuses crons under an hour (Runlater's estimate) on create and update, and a 4th endpoint", async () => {
    const free = await startEmulator({ apiKeys: [KEY], tier: "free", resolveHost: stubResolver });
    try {
      const a = apiClient(() => free.runlaterApiUrl, KEY);
      const tierMsg = "Free plan only allows hourly or less frequent schedules. Upgrade to Pro for per-minute scheduling.";
      for (const cron of ["* * * * *", "*/30 * * * *", "0,30 * * * *"]) {
        expect([cron, (await a("POST", "/tasks", { url: "https://example.com", cron })).body.error?.details]).toEqual([cron, { cron_expression: [tierMsg] }]);
      }
      const hourly = await a("POST", "/tasks", { url: "https://example.com", cron: "0 * * * *" });
      expect(hourly.status).toBe(201);
      expect((await a("PUT", `/tasks/${hourly.body.data.id}`, { cron_expression: "*/5 * * * *" })).body.error.details).toEqual({ cron_expression: [tierMsg] });
      expect((await a("POST", "/tasks", { url: "https://example.com", cron: "0 */2 * * *" })).status).toBe(201);
      for (let i = 0; i < 3; i++) expect((await a("POST", "/endpoints", { name: `e${i}`, forward_urls: ["https://e.example"] })).status).toBe(201);
      const fourth = await a("POST", "/endpoints", { name: "e4", forward_urls: ["https://e.example"] });
      expect(fourth.status).toBe(422);
      expect(fourth.body.error.details).toEqual({
        base: ["You've reached the maximum number of endpoints for your plan (3). Upgrade to Pro for unlimited endpoints."],
      });
    } finally {
      await free.close();
    }
  });
});
