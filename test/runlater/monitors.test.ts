/**
 * Heartbeat monitors in the Runlater client, against the local fake (`fake-runlater.ts`, the
 * server's rules from `app/monitors/monitor.ex`): CRUD with the server's field names, defaults,
 * validation before any request, 422 mapping, idempotent creates. `monitors.emulator.test.ts`
 * runs the flow against the emulator's monitor routes.
 */
import { closeAllPools, isNotFound, type MonitorSpec, RunlaterApiError, RunlaterClient } from "../../lib/runlater";
import { type FakeRunlater, startFakeRunlater } from "./fake-runlater";

const KEY = "pk_test_mon.sk_test_monitor_secret_77";
let fake: FakeRunlater;
let client: RunlaterClient;

beforeAll(async () => {
  fake = await startFakeRunlater(KEY);
  client = new RunlaterClient({ apiKey: KEY, baseUrl: fake.apiUrl, sleep: async () => undefined, random: () => 0.5 });
});
afterAll(async () => {
  await fake.close();
  await closeAllPools();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.overrides.length = 0;
});

async function rejected(p: Promise<unknown>): Promise<RunlaterApiError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(RunlaterApiError);
  expect(JSON.stringify(e)).not.toContain(KEY);
  return e as RunlaterApiError;
}

const latch: MonitorSpec = {
  name: "site latch",
  scheduleType: "interval",
  intervalSeconds: 60,
  gracePeriodSeconds: 600,
  onFailureUrl: "https://runlater.eu/in/ep_recovery",
};

describe("monitors CRUD", () => {
  it("create (201, server field names) → get → update → list → delete (204) → 404", async () => {
    const m = await client.createMonitor(latch);
    const sent = JSON.parse(fake.requests[0].body);
    expect(fake.requests[0]).toMatchObject({ method: "POST", path: "/api/v1/monitors" });
    expect(fake.requests[0].headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent).toEqual({
      name: "site latch",
      schedule_type: "interval",
      interval_seconds: 60,
      grace_period_seconds: 600,
      on_failure_url: "https://runlater.eu/in/ep_recovery",
    });
    expect(m).toMatchObject({
      name: "site latch",
      scheduleType: "interval",
      intervalSeconds: 60,
      cronExpression: null,
      gracePeriodSeconds: 600,
      status: "new",
      enabled: true,
      lastPingAt: null,
      nextExpectedAt: null,
      onFailureUrl: "https://runlater.eu/in/ep_recovery",
      onRecoveryUrl: null,
    });
    expect(m.pingToken).toMatch(/^pm_[A-Za-z0-9_-]{32}$/);
    expect(m.pingUrl).toMatch(new RegExp(`/ping/${m.pingToken}$`));

    expect(await client.getMonitor(m.id)).toEqual(m);
    const u = await client.updateMonitor(m.id, { gracePeriodSeconds: 0, onRecoveryUrl: "https://x.example/up", onFailureUrl: null });
    expect(JSON.parse(fake.requests.at(-1)!.body)).toEqual({ grace_period_seconds: 0, on_recovery_url: "https://x.example/up", on_failure_url: null });
    expect(fake.requests.at(-1)!.method).toBe("PATCH");
    expect(u).toMatchObject({ gracePeriodSeconds: 0, onRecoveryUrl: "https://x.example/up", onFailureUrl: null, pingToken: m.pingToken });

    await fetch(m.pingUrl, { method: "POST" });
    const pinged = await client.getMonitor(m.id);
    expect(pinged.status).toBe("up");
    expect(pinged.lastPingAt).toMatch(/Z$/);
    expect(pinged.nextExpectedAt).toMatch(/Z$/);

    expect((await client.listMonitors()).map((x) => x.id)).toContain(m.id);
    await client.deleteMonitor(m.id);
    expect(fake.requests.at(-1)).toMatchObject({ method: "DELETE", path: `/api/v1/monitors/${m.id}` });
    expect(isNotFound(await rejected(client.getMonitor(m.id)))).toBe(true);
    expect(isNotFound(await rejected(client.deleteMonitor(m.id)))).toBe(true);
  });

  it("a cron monitor sends cron_expression; the server default grace is 300", async () => {
    const m = await client.createMonitor({ name: "nightly", scheduleType: "cron", cronExpression: "0 3 * * *" });
    expect(JSON.parse(fake.requests[0].body)).toEqual({ name: "nightly", schedule_type: "cron", cron_expression: "0 3 * * *" });
    expect(m).toMatchObject({ scheduleType: "cron", cronExpression: "0 3 * * *", intervalSeconds: null, gracePeriodSeconds: 300 });
    await client.deleteMonitor(m.id);
  });

  it("scheduleType defaults to interval (cron when only cronExpression is given), as the failover plan sends it", async () => {
    const a = await client.createMonitor({ name: "plan latch", intervalSeconds: 60, gracePeriodSeconds: 600 });
    expect(JSON.parse(fake.requests.at(-1)!.body)).toMatchObject({ schedule_type: "interval", interval_seconds: 60 });
    const b = await client.createMonitor({ name: "plan cron", cronExpression: "*/5 * * * *" });
    expect(b.scheduleType).toBe("cron");
    expect((await rejected(client.createMonitor({ name: "none" }))).fieldErrors).toHaveProperty("intervalSeconds");
    await client.deleteMonitor(a.id);
    await client.deleteMonitor(b.id);
  });

    it("the same idempotency key returns the same monitor (no duplicate)", async () => {
    const before = fake.monitors.size;
    const a = await client.createMonitor(latch, { idempotencyKey: "mon-key-1" });
    const b = await client.createMonitor(latch, { idempotencyKey: "mon-key-1" });
    expect(b.id).toBe(a.id);
    expect(fake.monitors.size).toBe(before + 1);
    await client.deleteMonitor(a.id);
  });
});

describe("monitor validation happens before any request", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["nothing", {}, ["intervalSeconds", "name"]],
    ["interval without intervalSeconds", { name: "x", scheduleType: "interval" }, ["intervalSeconds"]],
    ["cron without cronExpression", { name: "x", scheduleType: "cron" }, ["cronExpression"]],
    ["interval below 60", { name: "x", scheduleType: "interval", intervalSeconds: 59 }, ["intervalSeconds"]],
    ["interval above a week", { name: "x", scheduleType: "interval", intervalSeconds: 604_801 }, ["intervalSeconds"]],
    ["interval not an integer", { name: "x", scheduleType: "interval", intervalSeconds: 60.5 }, ["intervalSeconds"]],
    ["grace above an hour", { name: "x", scheduleType: "interval", intervalSeconds: 60, gracePeriodSeconds: 3601 }, ["gracePeriodSeconds"]],
    ["grace negative", { name: "x", scheduleType: "interval", intervalSeconds: 60, gracePeriodSeconds: -1 }, ["gracePeriodSeconds"]],
    ["bad type", { name: "x", scheduleType: "weekly" }, ["scheduleType"]],
    ["bad cron", { name: "x", scheduleType: "cron", cronExpression: "61 * * * *" }, ["cronExpression"]],
    ["6-field cron", { name: "x", scheduleType: "cron", cronExpression: "0 0 * * * *" }, ["cronExpression"]],
    [
      "bad hooks and flags",
      { name: "x", scheduleType: "interval", intervalSeconds: 60, onFailureUrl: "ftp://x", onRecoveryUrl: 5, enabled: "yes", notifyOnFailure: 1 },
      ["enabled", "notifyOnFailure", "onFailureUrl", "onRecoveryUrl"],
    ],
  ])("%s", async (_what, spec, fields) => {
    const e = await rejected(client.createMonitor(spec as unknown as MonitorSpec));
    expect(e.kind).toBe("validation");
    expect(Object.keys(e.fieldErrors!).sort()).toEqual(fields.sort());
    expect(fake.requests).toHaveLength(0);
  });

  it("the limits in messages are the server's (60..604800, 0..3600)", async () => {
    const e = await rejected(
      client.createMonitor({ name: "x", scheduleType: "interval", intervalSeconds: 1, gracePeriodSeconds: 9999 }),
    );
    expect(e.fieldErrors!.intervalSeconds[0]).toContain("60 to 604800");
    expect(e.fieldErrors!.gracePeriodSeconds[0]).toContain("0 to 3600");
  });

  it("an update checks only the given fields, and the id", async () => {
    const m = await client.createMonitor(latch);
    fake.requests.length = 0;
    expect((await rejected(client.updateMonitor(m.id, { intervalSeconds: 30 }))).fieldErrors).toHaveProperty("intervalSeconds");
    expect((await rejected(client.updateMonitor("..", { name: "y" }))).fieldErrors).toHaveProperty("id");
    expect(fake.requests).toHaveLength(0);
    expect((await client.updateMonitor(m.id, { name: "renamed" })).name).toBe("renamed");
    await client.deleteMonitor(m.id);
  });

  it("a server 422 still maps to field errors (schedule switch without the matching field)", async () => {
    const m = await client.createMonitor(latch);
    const e = await rejected(client.updateMonitor(m.id, { scheduleType: "cron" }));
    expect(e).toMatchObject({ kind: "http", status: 422, code: "validation_error" });
    expect(e.fieldErrors).toEqual({ cron_expression: ["can't be blank"] });
    await client.deleteMonitor(m.id);
  });
});
