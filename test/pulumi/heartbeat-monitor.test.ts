/**
 * The `HeartbeatMonitor` dynamic provider called directly (modelled on providers.test.ts):
 * check/diff/create/read/update/delete, adoption, drift, partial-create recovery, and the
 * serialized provider round trip with `pingToken`/`pingUrl` as secret outputs.
 *
 * Runs against the local fake (`test/runlater/fake-runlater.ts`, the server's monitor rules)
 * because the emulator's monitor routes are being added by another helper (emu-core).
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import requireFromString from "require-from-string";
import {
  clearProviderConfig,
  HEARTBEAT_MONITOR_KEYS,
  HeartbeatMonitorProvider,
  UNKNOWN_SENTINEL,
} from "../../lib/pulumi";
import { closeAllPools } from "../../lib/runlater";
import { type FakeRunlater, startFakeRunlater } from "../runlater/fake-runlater";

const API_KEY = "pk_test_hbm.sk_test_heartbeat_secret_0003";
const ROOT = path.join(__dirname, "..", "..");
let fake: FakeRunlater;
const provider = new HeartbeatMonitorProvider();
const config = (values: Record<string, string>) => ({
  config: { get: (k: string) => values[k], require: (k: string) => values[k] },
});

beforeAll(async () => {
  fake = await startFakeRunlater(API_KEY);
  await provider.configure(config({ "runlater:apiKey": API_KEY, "runlater:apiUrl": fake.apiUrl }) as never);
});
afterAll(async () => {
  clearProviderConfig();
  await fake.close();
  await closeAllPools();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.overrides.length = 0;
});

async function checked(news: object) {
  const r = await provider.check({} as never, news as never);
  expect(r.failures).toEqual([]);
  return r.inputs as Record<string, unknown>;
}

describe("HeartbeatMonitor provider", () => {
  it("check applies defaults (interval 60 s, grace 300 s, enabled) and names every bad field", async () => {
    expect(await checked({ name: "m" })).toEqual({
      name: "m",
      scheduleType: "interval",
      intervalSeconds: 60,
      cronExpression: null,
      gracePeriodSeconds: 300,
      enabled: true,
      onFailureUrl: null,
      onRecoveryUrl: null,
      notifyOnFailure: null,
      notifyOnRecovery: null,
    });
    expect(await checked({ name: "c", scheduleType: "cron", cronExpression: " 0  3 * * * " })).toMatchObject({
      cronExpression: "0 3 * * *",
      intervalSeconds: null,
    });
    const r = await provider.check({} as never, {
      name: "",
      scheduleType: "interval",
      intervalSeconds: 30,
      gracePeriodSeconds: 4000,
      onFailureUrl: "javascript:x",
      adoptId: "..",
    } as never);
    expect(r.failures!.map((f) => f.property).sort()).toEqual(["adoptId", "gracePeriodSeconds", "intervalSeconds", "name", "onFailureUrl"]);
    const cron = await provider.check({} as never, { name: "c", scheduleType: "cron" } as never);
    expect(cron.failures!.map((f) => f.property)).toEqual(["cronExpression"]);
  });

  it("tolerates unknown values during preview", async () => {
    const r = await provider.check({} as never, {
      name: UNKNOWN_SENTINEL,
      scheduleType: UNKNOWN_SENTINEL,
      onFailureUrl: UNKNOWN_SENTINEL,
      adoptId: UNKNOWN_SENTINEL,
    } as never);
    expect(r.failures).toEqual([]);
  });

  it("create (1 call) → no-op diff (0 calls) → read → out-of-band edit → drift → update repairs (1 PATCH) → delete", async () => {
    const inputs = await checked({ name: "latch", gracePeriodSeconds: 600, onFailureUrl: "https://runlater.eu/in/ep_r" });
    const { id, outs } = await provider.create(inputs as never);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /api/v1/monitors"]);
    expect(outs).toMatchObject({ monitorId: id, status: "new", intervalSeconds: 60, gracePeriodSeconds: 600, schemaVersion: 1 });
    expect(outs!.pingUrl).toContain(`/ping/${outs!.pingToken}`);

    fake.requests.length = 0;
    expect((await provider.diff(id, outs!, inputs as never)).changes).toBe(false);
    expect(fake.requests).toHaveLength(0);

    const r = await provider.read!(id, outs);
    expect((await provider.diff(id, r.props!, inputs as never)).changes).toBe(false);
    expect(r.inputs).not.toHaveProperty("pingUrl");

    fake.monitors.get(id)!.grace_period_seconds = 30;
    fake.monitors.get(id)!.on_failure_url = null;
    const drift = await provider.read!(id, outs);
    expect(drift.props).toMatchObject({ gracePeriodSeconds: 30, onFailureUrl: null });
    const d = await provider.diff(id, drift.props!, inputs as never);
    expect(d).toMatchObject({ changes: true, replaces: [] });

    fake.requests.length = 0;
    const u = await provider.update!(id, drift.props!, inputs as never);
    expect(fake.requests.map((x) => x.method)).toEqual(["PATCH"]);
    expect(JSON.parse(fake.requests[0].body)).toEqual({ grace_period_seconds: 600, on_failure_url: "https://runlater.eu/in/ep_r" });
    expect(u.outs).toMatchObject({ gracePeriodSeconds: 600, pingToken: outs!.pingToken });

    await provider.delete(id, u.outs);
    expect(fake.monitors.has(id)).toBe(false);
    expect(await provider.read!(id, u.outs)).toEqual({});
    await provider.delete(id, u.outs); // already gone: fine
  });

  it("switching interval → cron patches schedule_type, cron_expression and interval_seconds together", async () => {
    const inputs = await checked({ name: "sw" });
    const { id, outs } = await provider.create(inputs as never);
    const next = await checked({ name: "sw", scheduleType: "cron", cronExpression: "*/5 * * * *" });
    expect((await provider.diff(id, outs!, next as never)).changes).toBe(true);
    fake.requests.length = 0;
    const u = await provider.update!(id, outs!, next as never);
    expect(JSON.parse(fake.requests[0].body)).toEqual({ schedule_type: "cron", cron_expression: "*/5 * * * *", interval_seconds: null });
    expect(u.outs).toMatchObject({ scheduleType: "cron", cronExpression: "*/5 * * * *", intervalSeconds: null });
    await provider.delete(id, u.outs);
  });

  it("adopts an existing monitor (GET + PATCH, no POST); a missing one is a clear error", async () => {
    const existing = await provider.create((await checked({ name: "old", intervalSeconds: 120 })) as never);
    fake.requests.length = 0;
    const inputs = await checked({ name: "adopted", adoptId: existing.id });
    const a = await provider.create(inputs as never);
    expect(a.id).toBe(existing.id);
    expect(fake.requests.map((r) => r.method)).toEqual(["GET", "PATCH"]);
    expect(a.outs).toMatchObject({ name: "adopted", intervalSeconds: 60, adoptId: existing.id });
    await expect(provider.create({ ...inputs, adoptId: "0190c0de-0000-7000-8000-000000000000" } as never)).rejects.toThrow(
      /adoptId: Runlater monitor .* does not exist/,
    );
    await provider.delete(a.id, a.outs);
  });

  it("a create whose 2xx reply is unreadable is retried with the same key; if it stays unreadable the id is recorded", async () => {
    const inputs = await checked({ name: "lost-reply" });
    fake.overrides.push({ method: "POST", path: /monitors$/, status: 201, raw: "<html>proxy</html>", after: true, times: 1 });
    const ok = await provider.create(inputs as never);
    expect(fake.monitors.size).toBeGreaterThan(0);
    const keys = fake.requests.filter((r) => r.method === "POST").map((r) => r.headers["idempotency-key"]);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect([...fake.monitors.values()].filter((m) => m.name === "lost-reply")).toHaveLength(1);
    await provider.delete(ok.id, ok.outs);

    // Every attempt answers with a truncated body that still shows the id: Pulumi keeps it.
    fake.overrides.push({ method: "POST", path: /monitors$/, status: 201, raw: '{"data":{"id":"0190c0de-1111-7000-8000-000000000001","na', times: 10 });
    const e = (await provider.create(inputs as never).catch((x: unknown) => x)) as { id?: string; message: string };
    expect(e.id).toBe("0190c0de-1111-7000-8000-000000000001");
    expect(e.message).toMatch(/Idempotency-Key/);
  });
});

describe("HeartbeatMonitor serialized provider round trip", () => {
  it("pingToken and pingUrl are secret outputs; the serialized provider runs CRUD; no key in the text", async () => {
    const out = execFileSync(
      process.execPath,
      [
        path.join(ROOT, "test/support/capture-program.js"),
        JSON.stringify([{ kind: "HeartbeatMonitor", name: "rt", args: { intervalSeconds: 60, gracePeriodSeconds: 600 } }]),
      ],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, RUNLATER_API_KEY: API_KEY } },
    );
    const [res] = JSON.parse(out) as { type: string; inputs: Record<string, unknown> }[];
    expect(res.type).toBe("pulumi-nodejs:dynamic/runlater:HeartbeatMonitor");
    expect(res.inputs).toMatchObject({ name: "rt", intervalSeconds: 60, gracePeriodSeconds: 600 });
    const text = res.inputs.__provider as string;
    expect(text).not.toContain(API_KEY);
    const loaded = requireFromString(text).handler();
    await loaded.configure(config({ "runlater:apiKey": API_KEY, "runlater:apiUrl": fake.apiUrl }));
    const c = await loaded.check({}, { name: "rt" });
    const created = await loaded.create(c.inputs);
    expect(created.outs.pingUrl).toMatch(/\/ping\/pm_/);
    const upd = await loaded.update(created.id, created.outs, { ...c.inputs, gracePeriodSeconds: 0 });
    expect(upd.outs.gracePeriodSeconds).toBe(0);
    await loaded.delete(created.id, upd.outs);
    expect((await loaded.read(created.id, upd.outs)).id).toBeUndefined();
    const e = await loaded.update("00000000-0000-7000-8000-000000000000", upd.outs, { ...c.inputs, gracePeriodSeconds: 5 }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/Runlater monitors\.update failed: HTTP 404/);
  });

  it("the resource class marks pingToken and pingUrl as additional secret outputs", () => {
    const src = require("node:fs").readFileSync(path.join(ROOT, "lib/pulumi/heartbeat-monitor.ts"), "utf8") as string;
    expect(src).toMatch(/mergeSecretOutputs\(opts, \["pingToken", "pingUrl"\]\)/);
    expect(HEARTBEAT_MONITOR_KEYS).not.toContain("pingUrl");
  });
});
