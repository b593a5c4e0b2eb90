/**
 * `stateFile`: state survives a restart (tasks, endpoints, events, executions, webhook secret,
 * DNS records, targets, the virtual clock's time), cron tasks and pending executions are re-armed,
 * writes are atomic and happen on change.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startEmulator } from "../../lib/emulator";
import { apiClient, MIN, startTestServer } from "./helpers";

const KEY = "pk_test_persist.sk_test_persist";
const tmp = () => mkdtempSync(path.join(tmpdir(), "rl-emu-"));

describe("stateFile", () => {
  it("round trip: everything comes back, the clock continues, cron and pending work are re-armed", async () => {
    const dir = tmp();
    const file = path.join(dir, "state.json");
    const target = await startTestServer();
    try {
      const a = await startEmulator({ apiKeys: [KEY], stateFile: file, allowPrivateTargets: true });
      const apiA = apiClient(() => a.runlaterApiUrl, KEY);
      const task = (await apiA("POST", "/tasks", { url: `${target.url}/h`, cron: "*/5 * * * *", lane: "l1" })).body.data;
      const ep = (await apiA("POST", "/endpoints", { name: "persist", forward_urls: [`${target.url}/fwd`], retry_attempts: 2 })).body.data;
      const cf = a.dns("cloudflare");
      const zone = cf.addZone({ name: "example.com" });
      cf.addRecord(zone, { name: "www.example.com", type: "A", content: "198.51.100.10", ttl: 60 });
      a.target("primary").set("fail");
      await a.advance(5 * MIN); // one cron run at 00:05
      target.mode = "fail";
      await fetch(ep.inbound_url, { method: "POST", body: "evt" }); // forward fails now, retry due at +120 s
      await a.runDue();
      const secret = a.webhookSecret();
      await a.close();

      const saved = JSON.parse(readFileSync(file, "utf8"));
      expect(saved.version).toBe(1);
      expect(readdirSync(dir)).toEqual(["state.json"]); // the temp file was renamed away

      target.mode = "ok";
      const b = await startEmulator({ apiKeys: [KEY], stateFile: file, allowPrivateTargets: true });
      try {
        const apiB = apiClient(() => b.runlaterApiUrl, KEY);
        expect(b.now().toISOString()).toBe("2026-01-01T00:05:00.000Z");
        expect((await apiB("GET", `/tasks/${task.id}`)).body.data).toMatchObject({ lane: "l1", next_run_at: "2026-01-01T00:10:00Z" });
        expect((await apiB("GET", `/endpoints/${ep.id}`)).body.data).toMatchObject({ name: "persist", slug: ep.slug, inbound_url: ep.inbound_url.replace(/:\d+\//, `:${new URL(b.url).port}/`) });
        expect((await apiB("GET", `/tasks/${task.id}/executions`)).body.data).toHaveLength(1);
        expect((await apiB("GET", `/endpoints/${ep.id}/events`)).body.data).toEqual([expect.objectContaining({ method: "POST", status: "pending" })]);
        expect(b.webhookSecret()).toBe(secret);
        expect(b.stats().objects).toMatchObject({ tasks: 1, endpoints: 1, dnsRecords: 1 });
        expect(b.target("primary").state()).toMatchObject({ mode: "fail" });
        await b.advance(5 * MIN);
        // The pending retry ran after the restart, and the cron tick at 00:10 too.
        expect(b.deliveries({ kind: "forward" }).map((d) => [d.attempt, d.status, d.startedAt])).toEqual([[2, "success", "2026-01-01T00:07:00.000Z"]]);
        expect(b.deliveries({ kind: "cron" }).map((d) => d.startedAt)).toEqual(["2026-01-01T00:10:00.000Z"]);
        expect(target.received.filter((r) => r.path === "/fwd").map((r) => r.body)).toEqual(["evt", "evt"]);
      } finally {
        await b.close();
      }
    } finally {
      await target.close();
    }
  });

  it("writes on change (debounced) while running, so another process can read it", async () => {
    const file = path.join(tmp(), "live.json");
    const emu = await startEmulator({ apiKeys: [KEY], stateFile: file, stateFileDebounceMs: 0 });
    try {
      expect(existsSync(file)).toBe(false);
      await apiClient(() => emu.runlaterApiUrl, KEY)("POST", "/endpoints", { name: "live", forward_urls: ["https://e.example"] });
      for (let i = 0; i < 10_000 && !existsSync(file); i++) await new Promise((r) => setImmediate(r));
      const saved = JSON.parse(readFileSync(file, "utf8"));
      expect(saved.runlater.endpoints.map((e: { name: string }) => e.name)).toEqual(["live"]);
    } finally {
      await emu.close();
    }
  });

  it("an explicit startTime wins over the saved clock; a corrupt file is refused", async () => {
    const file = path.join(tmp(), "s.json");
    const a = await startEmulator({ stateFile: file });
    await a.advance(90 * MIN);
    await a.close();
    const b = await startEmulator({ stateFile: file, startTime: "2030-01-01T00:00:00Z" });
    expect(b.now().toISOString()).toBe("2030-01-01T00:00:00.000Z");
    await b.close();
    writeFileSync(file, "{nope");
    await expect(startEmulator({ stateFile: file })).rejects.toThrow(/cannot read emulator state file/);
    writeFileSync(file, '{"tasks":[]}');
    await expect(startEmulator({ stateFile: file })).rejects.toThrow(/not an emulator state file/);
  });
});
