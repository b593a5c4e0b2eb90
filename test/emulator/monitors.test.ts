/**
 * Heartbeat monitors as the server runs them (`monitor_controller.ex`, `ping_controller.ex`,
 * `monitors.ex`, `monitor_checker.ex`, `notifications.ex`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { controlFetch } from "../support/emulator-control";
import { apiClient, MIN } from "./helpers";

const KEY = "pk_test_mon.sk_test_mon";
let emu: Emulator;
const api = apiClient(() => emu.runlaterApiUrl, KEY);

beforeEach(async () => {
  emu = await startEmulator({ apiKeys: { [KEY]: "org_a", other: "org_b" }, rateLimit: false });
});
afterEach(async () => {
  await emu.close();
});

const create = async (extra: Record<string, unknown> = {}) =>
  (await api("POST", "/monitors", { name: "latch", schedule_type: "interval", interval_seconds: 60, grace_period_seconds: 600, ...extra })).body.data;
const ping = (m: { ping_url: string }, method = "GET") => fetch(m.ping_url, { method });

describe("monitors API", () => {
  it("create 201 with the server's fields, list, get, PUT/PATCH, pings, DELETE 204; other orgs get 404", async () => {
    const r = await api("POST", "/monitors", { monitor: { name: "latch", schedule_type: "interval", interval_seconds: 60 } });
    expect(r.status).toBe(201);
    const m = r.body.data;
    expect(m).toEqual({
      id: expect.any(String),
      name: "latch",
      ping_token: expect.stringMatching(/^pm_[A-Za-z0-9_-]{32}$/),
      ping_url: `${emu.url}/ping/${m.ping_token}`,
      schedule_type: "interval",
      cron_expression: null,
      interval_seconds: 60,
      grace_period_seconds: 300,
      status: "new",
      enabled: true,
      notify_on_failure: null,
      notify_on_recovery: null,
      on_failure_url: null,
      on_recovery_url: null,
      last_ping_at: null,
      next_expected_at: null,
      inserted_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
    });
    expect((await api("GET", "/monitors")).body.data.map((x: { id: string }) => x.id)).toEqual([m.id]);
    expect((await api("GET", `/monitors/${m.id}`)).body.data.name).toBe("latch");
    expect((await api("PATCH", `/monitors/${m.id}`, { grace_period_seconds: 120 })).body.data.grace_period_seconds).toBe(120);
    expect((await api("PUT", `/monitors/${m.id}`, { monitor: { name: "renamed" } })).body.data).toMatchObject({ name: "renamed", grace_period_seconds: 120 });
    const other = apiClient(() => emu.runlaterApiUrl, "other");
    expect((await other("GET", `/monitors/${m.id}`)).status).toBe(404);
    expect((await other("GET", "/monitors")).body.data).toEqual([]);
    expect((await ping(m, "POST")).status).toBe(200);
    await emu.advance(5000);
    await ping(m);
    const pings = (await api("GET", `/monitors/${m.id}/pings?limit=1`)).body.data;
    expect(pings).toEqual([{ id: expect.any(String), received_at: "2026-01-01T00:00:05Z" }]);
    expect((await api("DELETE", `/monitors/${m.id}`)).status).toBe(204);
    expect((await api("GET", `/monitors/${m.id}`)).status).toBe(404);
    expect((await ping(m)).status).toBe(404);
  });

  it("validation errors per field (422), as Monitor.changeset", async () => {
    const bad = await api("POST", "/monitors", { schedule_type: "hourly", grace_period_seconds: 4000, on_failure_url: "ftp://x" });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual({
      name: ["can't be blank"],
      schedule_type: ["is invalid"],
      grace_period_seconds: ["must be less than or equal to 3600"],
      on_failure_url: ["must be a valid HTTP or HTTPS URL"],
    });
    const iv = await api("POST", "/monitors", { name: "x", schedule_type: "interval", interval_seconds: 30 });
    expect(iv.body.error.details).toEqual({ interval_seconds: ["must be greater than or equal to 60"] });
    const cr = await api("POST", "/monitors", { name: "x", schedule_type: "cron", cron_expression: "nope" });
    expect(cr.body.error.details).toEqual({ cron_expression: ["is not a valid cron expression"] });
  });

  it("ping: GET or POST, 200 {status, monitor}; 404 unknown token; 410 disabled", async () => {
    const m = await create();
    const r = await ping(m);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: "ok", monitor: "latch" });
    expect((await api("GET", `/monitors/${m.id}`)).body.data).toMatchObject({ status: "up", last_ping_at: "2026-01-01T00:00:00Z", next_expected_at: "2026-01-01T00:01:00Z" });
    expect(await (await fetch(`${emu.url}/ping/pm_nope`)).json()).toEqual({ error: "Monitor not found" });
    await api("PATCH", `/monitors/${m.id}`, { enabled: false });
    const gone = await ping(m);
    expect(gone.status).toBe(410);
    expect(await gone.json()).toEqual({ error: "Monitor is disabled" });
  });
});

describe("the monitor checker", () => {
  it("down once when next_expected_at + grace has passed (checked every 30 s), recovered on the next ping; one POST each", async () => {
    const down = emu.target("down");
    const up = emu.target("up");
    const m = await create({ on_failure_url: `${down.url}/hit`, on_recovery_url: `${up.url}/hit` });
    await ping(m); // 00:00:00 → expected 00:01:00, down after 00:11:00
    await emu.advanceTo("2026-01-01T00:11:00Z");
    expect((await api("GET", `/monitors/${m.id}`)).body.data.status).toBe("up");
    await emu.advanceTo("2026-01-01T00:11:05Z"); // checks run at 5 s + 30 s·n: 00:11:05 sees it overdue
    expect((await api("GET", `/monitors/${m.id}`)).body.data.status).toBe("down");
    const hooks = emu.deliveries({ kind: "monitor.down" });
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ startedAt: "2026-01-01T00:11:05.000Z", monitorId: m.id, attempt: 1 });
    expect(JSON.parse(hooks[0].requestBody)).toEqual({
      event: "monitor.down",
      monitor: { id: m.id, name: "latch", status: "down", last_ping_at: "2026-01-01T00:00:00Z" },
    });
    expect(hooks[0].requestHeaders).toEqual({ "content-type": "application/json", "user-agent": "Runlater/1.0" });
    await emu.advance(30 * MIN);
    expect(emu.deliveries({ kind: "monitor.down" })).toHaveLength(1); // once
    await ping(m);
    expect((await api("GET", `/monitors/${m.id}`)).body.data.status).toBe("up");
    const rec = emu.deliveries({ kind: "monitor.recovered" });
    expect(rec).toHaveLength(1);
    expect(JSON.parse(rec[0].requestBody)).toMatchObject({ event: "monitor.recovered", monitor: { status: "up", last_ping_at: "2026-01-01T00:41:05Z" } });
    await ping(m);
    expect(emu.deliveries({ kind: "monitor.recovered" })).toHaveLength(1); // up → up fires nothing
  });

  it("a new monitor that was never pinged never goes down; the hook is one POST with a 15 s timeout", async () => {
    const hook = emu.target("hook");
    hook.set("hang");
    const never = await create({ on_failure_url: `${hook.url}/hit` });
    const once = await create({ name: "pinged", on_failure_url: `${hook.url}/hit`, grace_period_seconds: 0 });
    await ping(once);
    await emu.advance(3 * MIN);
    expect((await api("GET", `/monitors/${never.id}`)).body.data.status).toBe("new");
    expect(emu.deliveries({ kind: "monitor.down" })).toEqual([expect.objectContaining({ status: "timeout", durationMs: 15_000 })]);
  });

  it("keeps the event queue empty while no monitor can go down", async () => {
    const pending = async () => ((await (await controlFetch(emu, "GET", "/clock")).json()) as { pending: number }).pending;
    const m = await create();
    await emu.advance(MIN);
    expect(await pending()).toBe(0);
    await ping(m);
    expect(await pending()).toBe(1); // the checker is armed
    await api("DELETE", `/monitors/${m.id}`);
    await emu.advance(MIN);
    expect(await pending()).toBe(0);
  });
});

describe("monitor persistence", () => {
  it("monitors and pings survive a restart from the state file; the checker is re-armed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emu-mon-"));
    const file = join(dir, "state.json");
    try {
      const a = await startEmulator({ apiKeys: [KEY], stateFile: file });
      const ca = apiClient(() => a.runlaterApiUrl, KEY);
      const m = (await ca("POST", "/monitors", { name: "p", schedule_type: "interval", interval_seconds: 60, grace_period_seconds: 0, on_failure_url: `${a.target("down").url}/hit` })).body.data;
      await fetch(m.ping_url);
      await a.close();
      const b = await startEmulator({ apiKeys: [KEY], stateFile: file });
      try {
        const cb = apiClient(() => b.runlaterApiUrl, KEY);
        expect((await cb("GET", `/monitors/${m.id}`)).body.data).toMatchObject({ status: "up", last_ping_at: "2026-01-01T00:00:00Z", ping_token: m.ping_token });
        expect((await cb("GET", `/monitors/${m.id}/pings`)).body.data).toHaveLength(1);
        await b.advance(2 * MIN);
        expect((await cb("GET", `/monitors/${m.id}`)).body.data.status).toBe("down");
        expect(b.deliveries({ kind: "monitor.down" })).toHaveLength(1);
      } finally {
        await b.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
