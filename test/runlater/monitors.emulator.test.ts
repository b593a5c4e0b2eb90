/**
 * The client's and the Pulumi provider's heartbeat monitors against the emulator's monitor
 * routes (helper emu-core's `lib/emulator/monitors.ts`): CRUD, pings through `pingUrl`, the
 * checker taking a silent monitor down after interval + grace and firing `on_failure_url` once,
 * recovery on the next ping. Virtual clock; nothing sleeps.
 *
 * SKIPPED (clearly, by name) on a tree whose emulator has no monitor routes yet.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { clearProviderConfig, HeartbeatMonitorProvider } from "../../lib/pulumi";
import { closeAllPools, isNotFound, RunlaterClient } from "../../lib/runlater";

const HAS_MONITORS = fs.existsSync(path.join(__dirname, "../../lib/emulator/monitors.ts"));
const KEY = "pk_test_monemu.sk_test_monitor_emulator_06";

(HAS_MONITORS ? describe : describe.skip)(
  HAS_MONITORS ? "monitors against the emulator" : "SKIPPED until the emulator serves /monitors (emu-core): monitors against the emulator",
  () => {
    let emu: Emulator;
    let client: RunlaterClient;
    beforeAll(async () => {
      emu = await startEmulator({ apiKeys: [KEY], allowPrivateTargets: true, rateLimit: false });
      client = new RunlaterClient({ apiKey: KEY, baseUrl: emu.runlaterApiUrl, sleep: async () => undefined });
    });
    afterAll(async () => {
      clearProviderConfig();
      await emu.close();
      await closeAllPools();
    });

    it("client CRUD with the server's fields; never pinged stays new; a ping through pingUrl → up", async () => {
      const m = await client.createMonitor({ name: "latch", intervalSeconds: 60, gracePeriodSeconds: 600 });
      expect(m).toMatchObject({ scheduleType: "interval", intervalSeconds: 60, gracePeriodSeconds: 600, status: "new", lastPingAt: null });
      expect(m.pingUrl).toBe(`${emu.url}/ping/${m.pingToken}`);
      expect((await client.listMonitors()).map((x) => x.id)).toContain(m.id);
      await emu.advance(30 * 60_000);
      expect((await client.getMonitor(m.id)).status).toBe("new");
      expect((await fetch(m.pingUrl, { method: "POST" })).status).toBe(200);
      const up = await client.getMonitor(m.id);
      expect(up.status).toBe("up");
      expect(up.nextExpectedAt).not.toBeNull();
      const u = await client.updateMonitor(m.id, { gracePeriodSeconds: 0, scheduleType: "cron", cronExpression: "*/5 * * * *" });
      expect(u).toMatchObject({ gracePeriodSeconds: 0, scheduleType: "cron", cronExpression: "*/5 * * * *", pingToken: m.pingToken });
      await client.deleteMonitor(m.id);
      expect(isNotFound(await client.getMonitor(m.id).catch((e: unknown) => e))).toBe(true);
    });

    it("silence → down fires on_failure_url once; ping → up fires on_recovery_url", async () => {
      const hook = emu.target("latch-hook");
      const m = await client.createMonitor({ name: "latch2", intervalSeconds: 60, gracePeriodSeconds: 600, onFailureUrl: `${hook.url}/hit`, onRecoveryUrl: `${hook.url}/hit` });
      await fetch(m.pingUrl, { method: "POST" });
      await emu.advance((60 + 600 + 60) * 1000);
      expect((await client.getMonitor(m.id)).status).toBe("down");
      await emu.advance(10 * 60_000);
      expect(emu.deliveries({ kind: "monitor.down" } as never).filter((d) => (d as { monitorId?: string }).monitorId === m.id)).toHaveLength(1);
      await fetch(m.pingUrl);
      expect((await client.getMonitor(m.id)).status).toBe("up");
      await emu.runDue();
      expect(emu.deliveries({ kind: "monitor.recovered" } as never).filter((d) => (d as { monitorId?: string }).monitorId === m.id)).toHaveLength(1);
      await client.deleteMonitor(m.id);
    });

    it("a server 422 (interval below 60 sent by a caller that skipped our checks) is a field error", async () => {
      const r = await fetch(`${emu.runlaterApiUrl}/monitors`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "x", schedule_type: "interval", interval_seconds: 30 }),
      });
      expect(r.status).toBe(422);
      expect((await client.createMonitor({ name: "x", intervalSeconds: 30 }).catch((e: unknown) => e)) as object).toMatchObject({
        kind: "validation",
      });
    });

    it("the Pulumi provider: create (1 call), read without drift, update in place, delete", async () => {
      const p = new HeartbeatMonitorProvider();
      await p.configure({ config: { get: (k: string) => ({ "runlater:apiKey": KEY, "runlater:apiUrl": emu.runlaterApiUrl })[k] } } as never);
      const c = await p.check({} as never, { name: "pl", gracePeriodSeconds: 600 } as never);
      expect(c.failures).toEqual([]);
      emu.resetStats();
      const { id, outs } = await p.create(c.inputs as never);
      expect(emu.stats().requests.total).toBe(1);
      expect(outs!.pingUrl).toContain("/ping/pm_");
      const r = await p.read!(id, outs);
      expect((await p.diff(id, r.props!, c.inputs as never)).changes).toBe(false);
      const u = await p.update!(id, r.props!, { ...(c.inputs as object), gracePeriodSeconds: 60 } as never);
      expect(u.outs!.gracePeriodSeconds).toBe(60);
      await p.delete(id, u.outs);
      expect(await p.read!(id, u.outs)).toEqual({});
    });
  },
);
