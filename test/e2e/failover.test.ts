/**
 * The test that matters most: a DnsFailover built through the real component and provider code
 * (the local engine runs the deserialized providers), against the emulator's Runlater and DNS
 * APIs and a local health server. Break the health server, advance the emulator clock: the
 * record becomes the backup within one cron interval + timeout; heal it: it returns to the
 * primary. Flapping fires each hook once per transition. Same for every adapter.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { DnsTarget } from "../../lib/dns";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { closeAllPools } from "../../lib/runlater";

const API_KEY = "pk_test_e2e.sk_test_e2e_secret_0003";
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";
const MINUTE = 60_000;

let pulumiLib: any;
let engine: any;
let emu: Emulator;
let health: { url: string; mode: "ok" | "fail" | "hang"; close(): Promise<void> };

async function startHealthServer(): Promise<typeof health> {
  const state = { mode: "ok" as "ok" | "fail" | "hang" };
  const server = http.createServer((_req, res) => {
    if (state.mode === "hang") return; // never answers: the check times out
    res.writeHead(state.mode === "ok" ? 200 : 503).end(state.mode === "ok" ? "ok" : "down");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  return Object.assign(state, {
    url,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [API_KEY], allowPrivateTargets: true, virtualTimeoutCapMs: 300 });
  health = await startHealthServer();
  const { startLocalEngine } = await import("../../lib/pulumi/local-engine");
  engine = startLocalEngine({
    config: { "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl, "runlater:allowPrivateTargets": "true" },
  });
  pulumiLib = await import("../../lib/pulumi");
});
afterAll(async () => {
  await health.close();
  await emu.close();
  await closeAllPools();
});

type AnyDns = any;

/** Seeds one record per provider in the emulator; returns the target and a reader. */
function seed(provider: string): { dns: DnsTarget; content(): string | undefined } {
  const d: AnyDns = emu.dns(provider);
  switch (provider) {
    case "cloudflare": {
      const zone = d.addZone({ name: "example.com" });
      const zoneId = typeof zone === "string" ? zone : zone.id;
      const rec = d.addRecord(zoneId, { name: "www.example.com", type: "A", content: PRIMARY, ttl: 60 });
      const id = typeof rec === "string" ? rec : rec.id;
      return {
        dns: { provider: "cloudflare", zoneId, recordId: id, name: "www.example.com", type: "A", ttl: 60, apiToken: d.tokens?.[0] ?? "cf-test-token", apiBaseUrl: emu.cloudflareApiUrl },
        content: () => d.getRecord(zoneId, id)?.content,
      };
    }
    default:
      throw new Error(`no seed for ${provider}`);
  }
}

describe("DnsFailover end to end on the emulator", () => {
  it("creates 3 objects in 3 calls, fails over within cron interval + timeout, recovers, flaps once per transition", async () => {
    const { dns, content } = seed("cloudflare");
    emu.resetStats();
    const f = new pulumiLib.DnsFailover("www", {
      healthCheck: { url: health.url, cron: "* * * * *", timeoutMs: 10_000, expectedStatusCodes: [200] },
      primary: PRIMARY,
      backup: BACKUP,
      dns,
    });
    await engine.value(f.taskId);
    expect(emu.stats().requests.total).toBe(3);
    expect(emu.stats().objects.tasks).toBe(1);
    expect(emu.stats().objects.endpoints).toBe(2);

    await emu.advance(2 * MINUTE);
    expect(content()).toBe(PRIMARY);

    // Outage starts now; the bound is one cron interval + the health timeout (+ forward time).
    health.mode = "fail";
    const outageStart = emu.now().getTime();
    let switchedAt: number | undefined;
    for (let i = 0; i < 3 && switchedAt === undefined; i++) {
      await emu.advance(MINUTE);
      if (content() === BACKUP) switchedAt = emu.now().getTime();
    }
    expect(content()).toBe(BACKUP);
    const hook = emu.deliveries().find((d: { kind: string }) => d.kind === "hook.failure");
    expect(hook).toBeDefined();
    const fwd = emu.deliveries().find((d: { kind: string; finishedAt?: string }) => d.kind === "forward");
    const flippedAt = Date.parse(fwd?.finishedAt ?? new Date(switchedAt!).toISOString());
    expect(flippedAt - outageStart).toBeLessThanOrEqual(MINUTE + 10_000 + 1_000);

    health.mode = "ok";
    await emu.advance(MINUTE);
    expect(content()).toBe(PRIMARY);

    // Flapping: down, up, down → failure hook twice, recovery once more.
    const kinds = () => emu.deliveries().map((d: { kind: string }) => d.kind);
    const count = (k: string) => kinds().filter((x: string) => x === k).length;
    const [f0, r0] = [count("hook.failure"), count("hook.recovery")];
    health.mode = "fail";
    await emu.advance(3 * MINUTE);
    health.mode = "ok";
    await emu.advance(3 * MINUTE);
    health.mode = "fail";
    await emu.advance(3 * MINUTE);
    expect(count("hook.failure") - f0).toBe(2);
    expect(count("hook.recovery") - r0).toBe(1);
    expect(content()).toBe(BACKUP);

    // A hanging primary (timeout) also fails over.
    health.mode = "ok";
    await emu.advance(MINUTE);
    expect(content()).toBe(PRIMARY);
    health.mode = "hang";
    await emu.advance(2 * MINUTE);
    expect(content()).toBe(BACKUP);
    health.mode = "ok";
    await emu.advance(MINUTE);
    expect(content()).toBe(PRIMARY);

    emu.resetStats();
    await engine.destroy();
    expect(emu.stats().requests.total).toBe(3);
    expect(emu.stats().objects.tasks + emu.stats().objects.endpoints).toBe(0);
  });
});
