/**
 * The emulator's production defaults, one test per row of `../shared/runlater-api.md` §13 (each
 * fails on the emulator's former, kinder behaviour), plus the kinder switch that turns it off.
 */
import { type Emulator, type EmulatorOptions, startEmulator } from "../../lib/emulator";
import { apiClient, MIN, startTestServer, type TestServer } from "./helpers";

const KEY = "pk_test_prod.sk_test_prod";
let emu: Emulator;
let srv: TestServer;
const api = apiClient(() => emu.runlaterApiUrl, KEY);

async function boot(extra: EmulatorOptions = {}): Promise<void> {
  emu = await startEmulator({ apiKeys: [KEY], allowPrivateTargets: true, virtualTimeoutCapMs: 100, rateLimit: false, ...extra });
}
beforeEach(async () => {
  srv = await startTestServer();
});
afterEach(async () => {
  await emu?.close();
  await srv.close();
});

const cron = async (body: Record<string, unknown>) => (await api("POST", "/tasks", { cron: "* * * * *", ...body })).body.data;
const endpoint = async (body: Record<string, unknown>) => (await api("POST", "/endpoints", { name: "ep", ...body })).body.data;
const minutes = (ds: { startedAt: string }[]) => ds.map((d) => (Date.parse(d.startedAt) - Date.parse("2026-01-01T00:00:00Z")) / 1000);

describe("§13 row 1: host blocking per (org, host)", () => {
  it("3 consecutive failures block for 30/60/120/300 s; due runs are rescheduled to the block's end", async () => {
    await boot();
    const primary = emu.target("primary");
    primary.set("fail");
    const t = await cron({ url: primary.url });
    await emu.advance(20 * MIN);
    // Seconds after 00:00 at which the health check really ran (host_blocker.ex, worker.ex):
    // 60,120,180 fail → block 30 s (to 210); 240 fails → 60 s (to 300); 300 fails → 120 s (to 420);
    // the 360 run is rescheduled to 420; at 420 it runs and fails → 300 s (to 720); the 420 run
    // waits to 720, runs, fails → 300 s; the runs due meanwhile pile up at each block's end.
    const ran = minutes(emu.deliveries({ kind: "cron", taskId: t.id }));
    expect(ran.slice(0, 6)).toEqual([60, 120, 180, 240, 300, 420]);
    expect(ran.length).toBeLessThan(12); // 20 ticks, most of them rescheduled
    const rescheduled = emu.executions(t.id).filter((e) => e.status === "pending");
    expect(rescheduled.length).toBeGreaterThan(1); // piled up at the block's end
    expect(new Set(rescheduled.map((e) => e.scheduled_for)).size).toBe(1);
  });

  it("a 4xx or 2xx resets the count; 429 blocks for Retry-After; another org and another service are not blocked", async () => {
    await boot({ apiKeys: { [KEY]: "org_a", other_key: "org_b" } });
    const other = apiClient(() => emu.runlaterApiUrl, "other_key");
    srv.queue.push({ status: 500 }, { status: 500 }, { status: 404 }, { status: 500 }, { status: 500 });
    const t = await cron({ url: `${srv.url}/h` });
    await emu.advance(6 * MIN);
    expect(minutes(emu.deliveries({ kind: "cron", taskId: t.id }))).toEqual([60, 120, 180, 240, 300, 360]); // never 3 in a row
    await api("DELETE", `/tasks/${t.id}`);
    // 429 with Retry-After: 150 → next run waits 150 s; org_b's task to the same host is unaffected.
    srv.queue.push({ status: 429, headers: { "retry-after": "150" } });
    const a = await cron({ url: `${srv.url}/a` });
    const b = (await other("POST", "/tasks", { url: `${srv.url}/b`, cron: "* * * * *" })).body.data;
    await emu.advance(4 * MIN);
    const ranA = minutes(emu.deliveries({ kind: "cron", taskId: a.id }));
    expect(ranA[1] - ranA[0]).toBe(150); // the 429 at 420 blocks until 570: the 480 and 540 runs wait to 570
    expect(emu.deliveries({ kind: "cron", taskId: b.id })).toHaveLength(4);
  });

  it("a dead built-in primary does not block the emulator's own DNS API (loopback keyed by host:port and service)", async () => {
    await boot();
    const primary = emu.target("primary");
    primary.set("fail");
    await cron({ url: primary.url });
    await emu.advance(5 * MIN); // primary blocked now
    const ep = await endpoint({ forward_urls: [`${emu.url}/_emulator/targets/dns/hit`], retry_attempts: 0, use_queue: false });
    await fetch(ep.inbound_url, { method: "POST" });
    await emu.runDue();
    expect(emu.deliveries({ kind: "forward" })).toEqual([expect.objectContaining({ status: "success" })]);
  });

  it("kind.noHostBlocking runs every tick", async () => {
    await boot({ kind: { noHostBlocking: true } });
    const primary = emu.target("primary");
    primary.set("fail");
    const t = await cron({ url: primary.url });
    await emu.advance(10 * MIN);
    expect(emu.deliveries({ kind: "cron", taskId: t.id })).toHaveLength(10);
  });
});

describe("§13 row 2: action webhooks", () => {
  it("one POST, 15 s timeout, no retry; kind.hookRetries retries", async () => {
    await boot();
    const primary = emu.target("primary");
    primary.set("fail");
    const hook = emu.target("hook");
    hook.set("hang");
    await cron({ url: primary.url, on_failure_url: `${hook.url}/hit` });
    await emu.advance(10 * MIN);
    const hooks = emu.deliveries({ kind: "hook.failure" });
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ status: "timeout", durationMs: 15_000, attempt: 1 });
    await emu.close();
    await boot({ kind: { hookRetries: 2 } });
    const p2 = emu.target("primary");
    p2.set("fail");
    emu.target("hook").set("fail");
    await cron({ url: p2.url, on_failure_url: `${emu.target("hook").url}/hit` });
    await emu.advance(3 * MIN);
    expect(emu.deliveries({ kind: "hook.failure" }).map((d) => d.attempt)).toEqual([1, 2, 3]);
  });
});

describe("§13 row 3: forwards", () => {
  it("30 s timeout, retries at (attempt+1)² × 30 s, one forward at a time per endpoint queue", async () => {
    await boot();
    const t = emu.target("slow");
    t.set("hang");
    const ep = await endpoint({ name: "Web Failover", forward_urls: [`${t.url}/hit`], retry_attempts: 2 });
    await fetch(ep.inbound_url, { method: "POST" });
    await fetch(ep.inbound_url, { method: "POST" });
    await emu.advance(20 * MIN);
    const fwd = emu.deliveries({ kind: "forward" });
    expect(fwd.every((d) => d.durationMs === 30_000 && d.status === "timeout")).toBe(true);
    // Queue "web-failover": event 2's first attempt waits for event 1's (0 → 30 s). Host blocking
    // (3 timeouts) then shifts the retries; the first retry of event 1 is due at 30 + 120 s.
    expect(minutes(fwd).slice(0, 2)).toEqual([0, 30]);
    expect(emu.tasks({ all: true }).filter((x) => x.endpoint_id).map((x) => x.queue)).toEqual(["web-failover", "web-failover"]);
    const starts = minutes(fwd);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(30); // never overlapping
  });
});

describe("§13 row 4: the literal endpoint on_failure_url rule", () => {
  it("never fires with retry_attempts > 0; fires on every failed hit with retry_attempts 0", async () => {
    await boot();
    const dead = emu.target("dead");
    dead.set("fail");
    const hook = emu.target("hook");
    const withRetries = await endpoint({ name: "r", forward_urls: [`${dead.url}/hit`], retry_attempts: 1, on_failure_url: `${hook.url}/hit`, use_queue: false });
    const noRetries = await endpoint({ name: "n", forward_urls: [`${dead.url}/hit`], retry_attempts: 0, on_failure_url: `${hook.url}/hit`, use_queue: false });
    await fetch(withRetries.inbound_url, { method: "POST" });
    await emu.advance(10 * MIN);
    expect(emu.deliveries({ kind: "hook.failure" })).toHaveLength(0);
    for (let i = 0; i < 3; i++) {
      await fetch(noRetries.inbound_url, { method: "POST" });
      await emu.advance(10 * MIN);
    }
    expect(emu.deliveries({ kind: "hook.failure" })).toHaveLength(3); // a fresh task each hit: no previous execution
  });
});

describe("§13 row 5: cron look-ahead and the previous-execution rule", () => {
  it("pre-creates the next execution 10 s ahead; a check that ends after it sees it as previous: no hook", async () => {
    await boot();
    const t = await cron({ url: emu.target("ok").url });
    await emu.advanceTo("2026-01-01T00:00:49Z");
    expect(emu.executions(t.id)).toHaveLength(0);
    await emu.advanceTo("2026-01-01T00:00:50Z");
    expect(emu.executions(t.id)).toEqual([expect.objectContaining({ status: "pending", scheduled_for: "2026-01-01T00:01:00Z" })]);
    expect((await api("GET", `/tasks/${t.id}`)).body.data.next_run_at).toBe("2026-01-01T00:02:00Z");
    const hang = emu.target("hang");
    hang.set("hang");
    const hook = emu.target("hook");
    const long = await cron({ url: hang.url, timeout_ms: 55_000, on_failure_url: `${hook.url}/hit` });
    const short = await cron({ url: `${hang.url}/hit`, timeout_ms: 45_000, on_failure_url: `${hook.url}/hit` });
    await emu.advance(3 * MIN);
    const fired = emu.deliveries({ kind: "hook.failure" });
    expect(fired.map((d) => d.taskId)).toEqual([short.id]);
    expect(fired.some((d) => d.taskId === long.id)).toBe(false);
  });

  it("kind.noLookahead: the long check fires its hook", async () => {
    await boot({ kind: { noLookahead: true } });
    const hang = emu.target("hang");
    hang.set("hang");
    await cron({ url: hang.url, timeout_ms: 55_000, on_failure_url: `${emu.target("hook").url}/hit` });
    await emu.advance(3 * MIN);
    expect(emu.deliveries({ kind: "hook.failure" })).toHaveLength(1);
  });
});

describe("§13 row 6: expected_body_pattern and JSON", () => {
  it("a JSON body passes whatever the pattern; a text body is checked; kind.bodyPatternOnJson checks JSON too", async () => {
    for (const kindOpt of [false, true]) {
      await boot(kindOpt ? { kind: { bodyPatternOnJson: true } } : {});
      srv.queue.push({ status: 200, headers: { "content-type": "application/json" }, body: '{"status":"down"}' }, { status: 200, body: '{"status":"down"}' });
      const t = await cron({ url: `${srv.url}/h`, expected_body_pattern: '"status":"up"' });
      await emu.advance(2 * MIN);
      expect(emu.deliveries({ kind: "cron", taskId: t.id }).map((d) => d.status)).toEqual(kindOpt ? ["failed", "failed"] : ["success", "failed"]);
      await emu.close();
      emu = undefined as unknown as Emulator;
    }
  });
});

describe("§13 row 7: redirects", () => {
  it("a 302 to a 200 is a success; kind.noRedirects records the 302", async () => {
    for (const noRedirects of [false, true]) {
      await boot(noRedirects ? { kind: { noRedirects } } : {});
      srv.queue.push({ status: 302, headers: { location: "/ok" } });
      const t = await cron({ url: `${srv.url}/h` });
      await emu.advance(MIN);
      expect(emu.deliveries({ kind: "cron", taskId: t.id })[0]).toMatchObject(noRedirects ? { status: "failed", statusCode: 302 } : { status: "success", statusCode: 200 });
      await emu.close();
      emu = undefined as unknown as Emulator;
    }
  });
});

describe("§13 row 8: forward_headers merge", () => {
  it("case-sensitive: a configured Content-Type travels next to the inbound content-type; lower-case overrides", async () => {
    await boot();
    const cap = await endpoint({ forward_urls: [`${srv.url}/cap`], forward_headers: { "Content-Type": "application/json", "x-token": "t" }, retry_attempts: 0 });
    const low = await endpoint({ name: "low", forward_urls: [`${srv.url}/low`], forward_headers: { "content-type": "application/json" }, retry_attempts: 0 });
    for (const ep of [cap, low]) await fetch(ep.inbound_url, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
    await emu.runDue();
    const got = Object.fromEntries(srv.received.map((r) => [r.path, r.headers]));
    expect(got["/cap"]["content-type"]).toBe("application/json, text/plain");
    expect(got["/low"]["content-type"]).toBe("application/json");
  });
});

describe("§13 row 9: inbound hit with a private forward URL", () => {
  it("answers 500 and stores nothing; the emulator's own origin counts as public; allowPrivateTargets accepts it", async () => {
    emu = await startEmulator({ apiKeys: [KEY], rateLimit: false });
    const bad = await endpoint({ forward_urls: ["http://10.0.0.5/dns"] });
    const r = await fetch(bad.inbound_url, { method: "POST" });
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ errors: { detail: "Internal Server Error" } });
    expect(emu.events()).toHaveLength(0);
    const own = await endpoint({ name: "own", forward_urls: [`${emu.cloudflareApiUrl}/zones`] });
    expect((await fetch(own.inbound_url, { method: "POST" })).status).toBe(200);
    await emu.close();
    await boot();
    const ok = await endpoint({ forward_urls: ["http://10.0.0.5/dns"] });
    expect((await fetch(ok.inbound_url, { method: "POST" })).status).toBe(200);
  });
});

describe("§13 row 10: start jitter", () => {
  it("off by default; startJitterMs delays each start within [min, max], the same for the same seed", async () => {
    const starts = async (o: EmulatorOptions) => {
      await boot(o);
      const t = await cron({ url: emu.target("ok").url });
      await emu.advance(10 * MIN);
      const s = emu.deliveries({ kind: "cron", taskId: t.id }).map((d) => (Date.parse(d.startedAt) - Date.parse(d.scheduledFor)) / 1000);
      await emu.close();
      emu = undefined as unknown as Emulator;
      return s;
    };
    expect(new Set(await starts({}))).toEqual(new Set([0]));
    const a = await starts({ startJitterMs: [1000, 15000], seed: 7 });
    expect(a.every((x) => x >= 1 && x <= 15)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(1);
    expect(await starts({ startJitterMs: [1000, 15000], seed: 7 })).toEqual(a);
  });
});

describe("§13 row 11: DELETE /tasks?queue=", () => {
  it("soft-deletes the queue's tasks and deletes their pending executions, scheduled retries included", async () => {
    await boot();
    const dead = emu.target("dead");
    dead.set("fail");
    const ep = await endpoint({ name: "Recovery", forward_urls: [`${dead.url}/hit`], retry_attempts: 3 });
    await fetch(ep.inbound_url, { method: "POST" });
    await emu.runDue();
    const fwdTask = emu.tasks({ all: true }).find((x) => x.endpoint_id)!;
    expect(emu.executions(fwdTask.id as string).map((e) => e.status)).toEqual(["failed", "pending"]); // retry at +120 s
    const r = await api("DELETE", "/tasks?queue=recovery");
    expect(r.body).toEqual({ data: { cancelled: 1 }, message: "1 tasks cancelled" });
    expect(emu.executions(fwdTask.id as string).map((e) => e.status)).toEqual(["failed"]);
    expect(emu.tasks({ all: true }).find((x) => x.id === fwdTask.id)).toMatchObject({ enabled: false, next_run_at: null });
    expect(emu.tasks({ all: true }).find((x) => x.id === fwdTask.id)!.deleted_at).not.toBeNull();
    await emu.advance(30 * MIN);
    expect(emu.deliveries({ kind: "forward" })).toHaveLength(1);
  });
});
