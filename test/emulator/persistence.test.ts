/**
 * `stateFile`: state survives a restart (tasks, endpoints, events, executions, webhook secret,
 * DNS records, targets, the virtual clock's time), cron tasks and pending executions are re-armed,
 * a 2xx is sent only once its write is on disk (kill -9 during a burst loses nothing), writes are
 * atomic, the file is 0600, and no temp file is left behind.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startEmulator } from "../../lib/emulator";
import { apiClient, MIN, startTestServer } from "./helpers";

const KEY = "pk_test_persist.sk_test_persist";
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), "rl-emu-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const mode = (f: string) => statSync(f).mode & 0o777;

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
      expect(mode(file)).toBe(0o600); // it holds DNS tokens and whsec_ secrets

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

describe("durability", () => {
  it("a 2xx is sent only after the write is on disk: the file already holds it when the reply arrives", async () => {
    const dir = tmp();
    const file = path.join(dir, "s.json");
    const emu = await startEmulator({ apiKeys: [KEY], stateFile: file, stateFileDebounceMs: 60_000 });
    try {
      const api = apiClient(() => emu.runlaterApiUrl, KEY);
      for (let i = 0; i < 5; i++) {
        const ep = (await api("POST", "/endpoints", { name: `e${i}`, forward_urls: ["https://e.example"] })).body.data;
        const onDisk = JSON.parse(readFileSync(file, "utf8"));
        expect(onDisk.runlater.endpoints.map((e: { id: string }) => e.id)).toContain(ep.id);
      }
      const inbound = await fetch(`${emu.url}/in/${(await api("GET", "/endpoints")).body.data[0].slug}`, { method: "POST", body: "x" });
      expect(inbound.status).toBeLessThan(300);
      expect(JSON.parse(readFileSync(file, "utf8")).runlater.events).toHaveLength(1);
      const zone = emu.dns("cloudflare").addZone({ name: "d.example" });
      const rec = await fetch(`${emu.cloudflareApiUrl}/zones/${zone}/dns_records`, {
        method: "POST",
        headers: { authorization: "Bearer cf-test-token", "content-type": "application/json" },
        body: JSON.stringify({ type: "A", name: "www.d.example", content: "198.51.100.77", ttl: 60 }),
      });
      expect(rec.status).toBeLessThan(300);
      expect(readFileSync(file, "utf8")).toContain("198.51.100.77"); // DNS provider writes are durable too
      expect(readdirSync(dir)).toEqual(["s.json"]);
      expect(mode(file)).toBe(0o600);
    } finally {
      await emu.close();
    }
  });

  it("a write that cannot reach the disk is a 503, never a 2xx", async () => {
    const dir = tmp();
    const logs: string[] = [];
    const emu = await startEmulator({ apiKeys: [KEY], stateFile: path.join(dir, "gone", "s.json"), log: (l) => logs.push(l) });
    try {
      const r = await apiClient(() => emu.runlaterApiUrl, KEY)("POST", "/endpoints", { name: "e", forward_urls: ["https://e.example"] });
      expect(r.status).toBe(503);
      expect(logs.join("\n")).toMatch(/state file write failed: ENOENT/);
    } finally {
      await emu.close().catch(() => undefined);
    }
  });

  it("a 0644 state file is tightened to 0600 at load; temp files of dead processes are removed", async () => {
    const dir = tmp();
    const file = path.join(dir, "s.json");
    const a = await startEmulator({ stateFile: file });
    await a.close();
    chmodSync(file, 0o644);
    writeFileSync(`${file}.999999999.tmp`, "{partial"); // old naming, dead pid
    writeFileSync(`${file}.999999998.3.tmp`, "{partial");
    writeFileSync(`${file}.${process.pid}.77.tmp`, "{mine"); // a live process's: kept
    writeFileSync(path.join(dir, "other.json.999999999.tmp"), "x"); // another file's: kept
    const b = await startEmulator({ stateFile: file });
    await b.close();
    expect(mode(file)).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(["other.json.999999999.tmp", "s.json", `s.json.${process.pid}.77.tmp`].sort());
  });

  it("kill -9 during a burst of creates: every acknowledged (2xx) write is there after a restart, no temp file is left", async () => {
    const dir = tmp();
    const file = path.join(dir, "state.json");
    const child = spawn(process.execPath, [path.join(__dirname, "..", "support", "emulator-child.js"), file, KEY], { stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let buf = "";
        child.stdout.on("data", (d) => {
          buf += d;
          if (buf.includes("\n")) resolve(buf.split("\n")[0]);
        });
        child.on("exit", () => reject(new Error(`child exited early: ${buf}`)));
      });
      const { url } = JSON.parse(first) as { url: string };
      const api = apiClient(() => `${url}/api/v1`, KEY);
      const acked = new Set<string>();
      let sent = 0;
      let stop = false;
      const killAt = 1000;
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          sent++;
          try {
            const r = await api("POST", "/endpoints", { name: `w${w}-${i}`, forward_urls: ["https://e.example/hook"] });
            if (r.status === 201) acked.add(r.body.data.id);
            if (acked.size >= killAt && !stop) {
              stop = true;
              child.kill("SIGKILL"); // while the other workers' creates are in flight
            }
          } catch {
            return; // the connection died with the process: not acknowledged
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
      expect(await exited).toBe("SIGKILL");

      const b = await startEmulator({ apiKeys: [KEY], stateFile: file });
      try {
        const restored = new Set(b.endpoints().map((e) => e.id as string));
        const lost = [...acked].filter((id) => !restored.has(id));
        // Numbers for the closing note (sent ≥ restored ≥ acknowledged).
        process.stdout.write(`kill -9 burst: sent ${sent}, acknowledged ${acked.size}, restored ${restored.size}, lost ${lost.length}\n`);
        expect(acked.size).toBeGreaterThanOrEqual(killAt);
        expect(lost).toEqual([]);
        expect(restored.size).toBeLessThanOrEqual(sent);
      } finally {
        await b.close();
      }
      expect(readdirSync(dir)).toEqual(["state.json"]);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
