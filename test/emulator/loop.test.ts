/**
 * The emulator runs the loop on its virtual clock: cron checks against a local health server,
 * failure/recovery hooks once per transition into an endpoint's inbound URL, forwards carrying
 * the endpoint's stored method/headers/body (and really changing a Cloudflare record), timeouts
 * landing at start + timeout_ms, forward retries with backoff, callbacks, signatures and missed
 * ticks. No sleeps: the clock is advanced.
 */
import { createHmac } from "node:crypto";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { apiClient, MIN, startTestServer, type TestServer } from "./helpers";

const KEY = "pk_test_loop.sk_test_loop_secret_1";
let emu: Emulator;
let health: TestServer;
let capture: TestServer;
const api = apiClient(() => emu.runlaterApiUrl, KEY);
const hmac = (body: string) => `sha256=${createHmac("sha256", emu.webhookSecret()).update(body).digest("hex")}`;

beforeEach(async () => {
  emu = await startEmulator({ apiKeys: [KEY], allowPrivateTargets: true, virtualTimeoutCapMs: 150 });
  health = await startTestServer();
  capture = await startTestServer();
});
afterEach(async () => {
  await emu.close();
  await health.close();
  await capture.close();
});

describe("the failover loop", () => {
  it("fails over once per failure streak into the endpoint, forwards the stored request, recovers once, flaps once per transition", async () => {
    const fo = (
      await api("POST", "/endpoints", {
        name: "failover",
        forward_urls: [`${capture.url}/zones/z1/dns_records/r1`],
        forward_method: "PUT",
        // Lower-case names: production merges forward_headers case-sensitively over the hook's own
        // `content-type`, so only a lower-case name replaces it (see production.test.ts).
        forward_headers: { authorization: "Bearer cf-secret", "content-type": "application/json" },
        forward_body: '{"type":"A","content":"203.0.113.50"}',
        retry_attempts: 3,
      })
    ).body.data;
    const rc = (
      await api("POST", "/endpoints", {
        name: "recovery",
        forward_urls: [`${capture.url}/zones/z1/dns_records/r1`],
        forward_method: "PUT",
        // Lower-case names: production merges forward_headers case-sensitively over the hook's own
        // `content-type`, so only a lower-case name replaces it (see production.test.ts).
        forward_headers: { authorization: "Bearer cf-secret", "content-type": "application/json" },
        forward_body: '{"type":"A","content":"198.51.100.10"}',
        retry_attempts: 3,
      })
    ).body.data;
    const task = (
      await api("POST", "/tasks", {
        name: "Health check: primary",
        url: `${health.url}/health`,
        cron: "* * * * *",
        timeout_ms: 10000,
        expected_status_codes: "200",
        on_failure_url: fo.inbound_url,
        on_recovery_url: rc.inbound_url,
      })
    ).body.data;
    const hooks = (k: "hook.failure" | "hook.recovery") => emu.deliveries({ kind: k, taskId: task.id });
    const dnsWrites = () => capture.received.map((r) => JSON.parse(r.body).content);

    await emu.advance(2 * MIN);
    expect(health.received).toHaveLength(2);
    expect(hooks("hook.failure")).toHaveLength(0);
    expect(capture.received).toHaveLength(0);

    health.mode = "fail";
    await emu.advance(3 * MIN); // three failing runs: the hook fires once
    expect(emu.deliveries({ kind: "cron", taskId: task.id }).slice(-3).map((d) => [d.status, d.error])).toEqual(
      Array(3).fill(["failed", "Assertion failed: status 503 not in [200]"]),
    );
    expect(hooks("hook.failure")).toHaveLength(1);
    const hook = hooks("hook.failure")[0];
    expect(hook).toMatchObject({ url: fo.inbound_url, method: "POST", status: "success", statusCode: 200, startedAt: "2026-01-01T00:03:00.000Z" });
    expect(hook.requestHeaders).toEqual({ "content-type": "application/json", "user-agent": "Runlater/1.0" }); // unsigned
    expect(JSON.parse(hook.requestBody)).toEqual({
      event: "task.failed",
      task: { id: task.id, name: "Health check: primary", url: `${health.url}/health`, method: "GET" },
      execution: {
        id: hook.executionId,
        status: "failed",
        status_code: 503,
        error_message: "Assertion failed: status 503 not in [200]",
        scheduled_for: "2026-01-01T00:03:00Z",
        finished_at: "2026-01-01T00:03:00Z",
        duration_ms: expect.any(Number),
      },
    });
    // The forward ran at once, with the endpoint's stored method, headers and body.
    expect(capture.received).toHaveLength(1);
    const fwd = capture.received[0];
    expect(fwd).toMatchObject({ method: "PUT", path: "/zones/z1/dns_records/r1", body: '{"type":"A","content":"203.0.113.50"}' });
    expect(fwd.headers).toMatchObject({ authorization: "Bearer cf-secret", "content-type": "application/json", "user-agent": "Runlater/1.0" });
    expect(fwd.headers["x-runlater-signature"]).toBe(hmac(fwd.body));
    expect(fwd.headers["x-runlater-task-id"]).toBeDefined();
    const fwdDelivery = emu.deliveries({ kind: "forward" })[0];
    expect(fwdDelivery).toMatchObject({ method: "PUT", url: `${capture.url}/zones/z1/dns_records/r1`, status: "success", startedAt: "2026-01-01T00:03:00.000Z" });
    expect(emu.events()).toHaveLength(1);
    expect(emu.events()[0]).toMatchObject({ endpoint_id: fo.id, method: "POST", status: "success" });

    health.mode = "ok";
    await emu.advance(3 * MIN);
    expect(hooks("hook.recovery")).toHaveLength(1);
    expect(JSON.parse(hooks("hook.recovery")[0].requestBody)).toMatchObject({ event: "task.recovered", execution: { status: "success", status_code: 200 } });
    expect(JSON.parse(hooks("hook.recovery")[0].requestBody).execution).not.toHaveProperty("error_message");
    expect(dnsWrites()).toEqual(["203.0.113.50", "198.51.100.10"]);

    // Flapping: down / up / down → one hook per transition.
    for (const m of ["fail", "ok", "fail"] as const) {
      health.mode = m;
      await emu.advance(2 * MIN);
    }
    expect(hooks("hook.failure")).toHaveLength(3);
    expect(hooks("hook.recovery")).toHaveLength(2);
    expect(dnsWrites()).toEqual(["203.0.113.50", "198.51.100.10", "203.0.113.50", "198.51.100.10", "203.0.113.50"]);
  });

  it("the forwarded PUT really changes the emulator's Cloudflare record", async () => {
    const cf = emu.dns("cloudflare");
    const zone = cf.addZone({ name: "example.com" });
    const rec = cf.addRecord(zone, { name: "www.example.com", type: "A", content: "198.51.100.10", ttl: 60 });
    const ep = (
      await api("POST", "/endpoints", {
        name: "cf",
        forward_urls: [`${emu.cloudflareApiUrl}/zones/${zone}/dns_records/${rec}`],
        forward_method: "PUT",
        forward_headers: { Authorization: "Bearer cf-test-token", "Content-Type": "application/json" },
        forward_body: JSON.stringify({ type: "A", name: "www.example.com", content: "203.0.113.50", ttl: 60, proxied: false }),
      })
    ).body.data;
    health.mode = "fail";
    await api("POST", "/tasks", { url: health.url, cron: "* * * * *", on_failure_url: ep.inbound_url });
    await emu.advance(MIN);
    expect(cf.getRecord(zone, rec)?.content).toBe("203.0.113.50");
    expect(emu.stats().requests.byRoute["cloudflare.dns_records.put"]).toBe(1);
  });

  it("a hanging target is a timeout whose result and hook land at start + timeout_ms", async () => {
    const task = (await api("POST", "/tasks", { url: health.url, cron: "* * * * *", timeout_ms: 15000, on_failure_url: `${capture.url}/hook` })).body.data;
    health.mode = "hang";
    await emu.advance(MIN); // the 00:01 tick starts; its result is due at 00:01:15
    expect(emu.deliveries({ taskId: task.id })).toHaveLength(0);
    expect(emu.executions(task.id)).toEqual([expect.objectContaining({ status: "running", started_at: "2026-01-01T00:01:00Z" })]);
    await emu.advance(15_000 - 1);
    expect(capture.received).toHaveLength(0);
    await emu.advance(1);
    const cron = emu.deliveries({ kind: "cron", taskId: task.id });
    expect(cron).toEqual([
      expect.objectContaining({
        status: "timeout",
        statusCode: null,
        error: "Request timed out",
        startedAt: "2026-01-01T00:01:00.000Z",
        finishedAt: "2026-01-01T00:01:15.000Z",
        durationMs: 15000,
      }),
    ]);
    expect(emu.executions(task.id)[0]).toMatchObject({ status: "timeout", finished_at: "2026-01-01T00:01:15Z", duration_ms: 15000 });
    expect(emu.deliveries({ kind: "hook.failure" })).toEqual([expect.objectContaining({ startedAt: "2026-01-01T00:01:15.000Z" })]);
    expect(capture.received).toHaveLength(1);
    expect(JSON.parse(capture.received[0].body).execution).toMatchObject({ status: "timeout", status_code: null, finished_at: "2026-01-01T00:01:15Z" });
    // Next tick times out too: same streak, no second hook.
    await emu.advance(MIN);
    expect(emu.deliveries({ kind: "hook.failure" })).toHaveLength(1);
    health.mode = "ok";
  });

  it("forwards retry with (attempt+1)² × 30 s backoff on 5xx until the target answers 2xx", async () => {
    capture.queue.push({ status: 500 }, { status: 502 });
    const ep = (await api("POST", "/endpoints", { name: "retry", forward_urls: [`${capture.url}/dns`], retry_attempts: 3 })).body.data;
    const hit = await fetch(ep.inbound_url, { method: "POST", body: "{}" });
    expect(await hit.json()).toMatchObject({ status: "received" });
    await emu.runDue();
    expect(capture.received).toHaveLength(1);
    await emu.advance(120_000 - 1);
    expect(capture.received).toHaveLength(1);
    await emu.advance(1);
    expect(capture.received).toHaveLength(2);
    await emu.advance(270_000);
    expect(capture.received).toHaveLength(3);
    await emu.advance(60 * MIN);
    expect(capture.received).toHaveLength(3); // succeeded on the third attempt
    expect(emu.deliveries({ kind: "forward" }).map((d) => [d.attempt, d.statusCode, d.startedAt, d.error])).toEqual([
      [1, 500, "2026-01-01T00:00:00.000Z", "HTTP 500"],
      [2, 502, "2026-01-01T00:02:00.000Z", "HTTP 502"],
      [3, 200, "2026-01-01T00:06:30.000Z", null],
    ]);
    expect(new Set(capture.received.map((r) => r.headers["x-runlater-execution-id"])).size).toBe(3);
    const events = (await api("GET", `/endpoints/${ep.id}/events`)).body.data;
    expect(events[0].status).toBe("success");
  });

  it("a 429 with Retry-After sets the retry delay; retryDelayMs is configurable", async () => {
    const e2 = await startEmulator({ apiKeys: [KEY], allowPrivateTargets: true, retryDelayMs: (attempt) => attempt * 1000 });
    try {
      capture.queue.push({ status: 429, headers: { "retry-after": "7" } }, { status: 500 });
      const a2 = apiClient(() => e2.runlaterApiUrl, KEY);
      const ep = (await a2("POST", "/endpoints", { name: "r", forward_urls: [`${capture.url}/x`], retry_attempts: 2 })).body.data;
      await fetch(ep.inbound_url, { method: "POST" });
      await e2.advance(MIN);
      expect(e2.deliveries({ kind: "forward" }).map((d) => [d.attempt, d.statusCode, d.startedAt])).toEqual([
        [1, 429, "2026-01-01T00:00:00.000Z"],
        // The custom schedule (attempt × 1 s) puts the retry at +1 s, but the 429 blocked the host
        // for its Retry-After (host_blocker.ex), so the retry is rescheduled to the block's end.
        [2, 500, "2026-01-01T00:00:07.000Z"],
        [3, 200, "2026-01-01T00:00:09.000Z"],
      ]);
    } finally {
      await e2.close();
    }
    // Default schedule: the 429's Retry-After is used.
    capture.queue.push({ status: 429, headers: { "retry-after": "7" } });
    const ep = (await api("POST", "/endpoints", { name: "ra", forward_urls: [`${capture.url}/y`], retry_attempts: 1 })).body.data;
    await fetch(ep.inbound_url, { method: "POST" });
    await emu.advance(MIN);
    expect(emu.deliveries({ kind: "forward" }).map((d) => d.startedAt)).toEqual(["2026-01-01T00:00:00.000Z", "2026-01-01T00:00:07.000Z"]);
  });

  it("one-time tasks with retries: on_failure_url never fires (production's literal rule); kind.intendedFailureRule fires once when retries are exhausted", async () => {
    const run = async (e: Emulator) => {
      const a = apiClient(() => e.runlaterApiUrl, KEY);
      capture.mode = "fail";
      const hookTarget = e.target("hook");
      const ep = (await a("POST", "/endpoints", { name: "x", forward_urls: [`${capture.url}/f`], retry_attempts: 2, on_failure_url: hookTarget.url })).body.data;
      await fetch(ep.inbound_url, { method: "POST" });
      await e.advance(30 * MIN);
      return { attempts: e.deliveries({ kind: "forward" }).length, hooks: e.deliveries({ kind: "hook.failure" }) };
    };
    const literal = await run(emu);
    expect(literal.attempts).toBe(3);
    expect(literal.hooks).toHaveLength(0);
    const kinder = await startEmulator({ apiKeys: [KEY], allowPrivateTargets: true, kind: { intendedFailureRule: true } });
    try {
      const r = await run(kinder);
      expect(r.attempts).toBe(3);
      expect(r.hooks).toHaveLength(1);
      expect(r.hooks[0].startedAt).toBe("2026-01-01T00:06:30.000Z"); // after the 3rd attempt (0 s, +120 s, +270 s)
    } finally {
      await kinder.close();
    }
  });

  it("cron deliveries: signature over the body, body only for POST/PUT/PATCH, body pattern and transport errors", async () => {
    await api("POST", "/tasks", { url: `${health.url}/get`, cron: "* * * * *", body: "ignored", headers: { "X-Custom": "1" }, expected_body_pattern: "healthy" });
    await api("POST", "/tasks", { url: `${health.url}/post`, cron: "* * * * *", method: "POST", body: '{"ping":1}' });
    await api("POST", "/tasks", { url: "http://127.0.0.1:1/closed", cron: "* * * * *" });
    await emu.advance(MIN);
    const get = health.received.find((r) => r.path === "/get")!;
    expect(get.body).toBe("");
    expect(get.headers["x-custom"]).toBe("1");
    expect(get.headers["x-runlater-signature"]).toBe(hmac(""));
    expect(get.headers["content-type"]).toBeUndefined(); // Runlater adds none
    const post = health.received.find((r) => r.path === "/post")!;
    expect(post.body).toBe('{"ping":1}');
    expect(post.headers["x-runlater-signature"]).toBe(hmac('{"ping":1}'));
    const byUrl = (suffix: string) => emu.deliveries({ kind: "cron" }).find((d) => d.url.endsWith(suffix))!;
    expect(byUrl("/get")).toMatchObject({ status: "failed", statusCode: 200, error: 'Assertion failed: response body does not contain "healthy"' });
    expect(byUrl("/post")).toMatchObject({ status: "success", statusCode: 200, error: null });
    expect(byUrl("/closed")).toMatchObject({ status: "failed", statusCode: null, error: expect.stringMatching(/^Transport error: /) });
  });

  it("missed ticks: a jump over several cron ticks runs each one, in order", async () => {
    const task = (await api("POST", "/tasks", { url: health.url, cron: "*/2 * * * *" })).body.data;
    await emu.advance(10 * MIN + 30_000);
    expect(emu.deliveries({ taskId: task.id }).map((d) => d.startedAt.slice(11, 16))).toEqual(["00:02", "00:04", "00:06", "00:08", "00:10"]);
    expect((await api("GET", `/tasks/${task.id}`)).body.data.next_run_at).toBe("2026-01-01T00:12:00Z");
    await emu.advanceTo("2026-01-01T00:14:00Z"); // 00:12 and 00:14 (a tick exactly at the target runs)
    expect(emu.deliveries({ taskId: task.id })).toHaveLength(7);
    expect(emu.now().toISOString()).toBe("2026-01-01T00:14:00.000Z");
  });

  it("callbacks: after every execution, signed, 3 attempts at +5 s and +20 s", async () => {
    capture.queue.push({ status: 500 }, { status: 500 }, { status: 500 });
    const created = (await api("POST", "/tasks", { url: `${health.url}/job`, delay: "1m", callback_url: `${capture.url}/cb`, retry_attempts: 0 })).body.data;
    await emu.advance(2 * MIN);
    const cbs = emu.deliveries({ kind: "callback" });
    expect(cbs.map((d) => [d.attempt, d.startedAt, d.statusCode])).toEqual([
      [1, "2026-01-01T00:01:00.000Z", 500],
      [2, "2026-01-01T00:01:05.000Z", 500],
      [3, "2026-01-01T00:01:25.000Z", 500],
    ]);
    const body = JSON.parse(capture.received[0].body);
    expect(body).toEqual({
      event: "execution.completed",
      task_id: created.task_id,
      execution_id: created.execution_id,
      status: "success",
      status_code: 200,
      duration_ms: expect.any(Number),
      response_body: "ok",
      error_message: null,
      attempt: 1,
      scheduled_for: "2026-01-01T00:01:00Z",
      finished_at: "2026-01-01T00:01:00Z",
    });
    expect(capture.received[0].headers["x-runlater-signature"]).toBe(hmac(capture.received[0].body));
    expect(emu.deliveries({ kind: "once" })).toHaveLength(1);
  });

  it("deleting a task stops its runs; disabling and re-enabling re-arms it", async () => {
    const task = (await api("POST", "/tasks", { url: health.url, cron: "* * * * *" })).body.data;
    await emu.advance(MIN);
    await api("PATCH", `/tasks/${task.id}`, { enabled: false });
    await emu.advance(3 * MIN);
    expect(emu.deliveries({ taskId: task.id })).toHaveLength(1);
    await api("PATCH", `/tasks/${task.id}`, { enabled: true });
    await emu.advance(MIN);
    expect(emu.deliveries({ taskId: task.id })).toHaveLength(2);
    await api("DELETE", `/tasks/${task.id}`);
    await emu.advance(5 * MIN);
    expect(emu.deliveries({ taskId: task.id })).toHaveLength(2);
  });

  it("built-in targets stand in for a primary: ok / fail / hang", async () => {
    const t = emu.target("primary");
    const task = (await api("POST", "/tasks", { url: t.url, cron: "* * * * *", timeout_ms: 5000, on_failure_url: `${capture.url}/down` })).body.data;
    await emu.advance(MIN);
    t.set("fail");
    await emu.advance(MIN);
    t.set("hang");
    await emu.advance(MIN + 5000);
    expect(emu.deliveries({ kind: "cron", taskId: task.id }).map((d) => [d.status, d.statusCode])).toEqual([
      ["success", 200],
      ["failed", 503],
      ["timeout", null],
    ]);
    expect(capture.received).toHaveLength(1);
    expect(t.state()).toMatchObject({ mode: "hang", hits: 3 });
  });
});
