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
let cfZones = 0;

/** Seeds one record per provider in the emulator; returns the target and a reader. */
function seed(provider: string): { dns: DnsTarget; content(): string | undefined } {
  const d: AnyDns = emu.dns(provider);
  switch (provider) {
    case "cloudflare": {
      const zoneName = `example${++cfZones}.com`;
      const zone = d.addZone({ name: zoneName });
      const zoneId = typeof zone === "string" ? zone : zone.id;
      const rec = d.addRecord(zoneId, { name: `www.${zoneName}`, type: "A", content: PRIMARY, ttl: 60 });
      const id = typeof rec === "string" ? rec : rec.id;
      return {
        dns: { provider: "cloudflare", zoneId, recordId: id, name: `www.${zoneName}`, type: "A", ttl: 60, apiToken: d.tokens?.[0] ?? "cf-test-token", apiBaseUrl: emu.cloudflareApiUrl },
        content: () => d.getRecord(zoneId, id)?.content,
      };
    }
    case "digitalocean": {
      d.addDomain("example.org");
      const id = d.addRecord("example.org", { type: "A", name: "www", data: PRIMARY, ttl: 60 });
      return {
        dns: { provider: "digitalocean", domain: "example.org", recordId: id, type: "A", name: "www", ttl: 60, apiToken: "do-test-token", apiBaseUrl: emu.digitaloceanApiUrl },
        content: () => d.getRecord("example.org", id)?.data,
      };
    }
    case "hetzner": {
      d.addZone("example.net");
      d.addRecord("example.net", { name: "www", type: "A", value: PRIMARY, ttl: 60 });
      return {
        dns: { provider: "hetzner", zone: "example.net", name: "www", type: "A", apiToken: "hz-test-token", apiBaseUrl: emu.hetznerApiUrl },
        content: () => {
          const rr = d.getRRSet("example.net", "www", "A");
          return rr ? rr.records.map((r: { value: string }) => r.value).join(",") : undefined;
        },
      };
    }
    case "porkbun": {
      d.addDomain("example.dev");
      d.addRecord("example.dev", { name: "www", type: "A", content: PRIMARY, ttl: 600 });
      return {
        dns: { provider: "porkbun", domain: "example.dev", type: "A", subdomain: "www", ttl: 600, apiKey: "pk1_test", secretApiKey: "sk1_test", apiBaseUrl: emu.porkbunApiUrl },
        content: () => d.findRecords("example.dev", "A", "www")[0]?.content,
      };
    }
    case "generic": {
      d.clear();
      return {
        dns: {
          provider: "generic",
          url: `${emu.genericUrl}/records/www`,
          method: "PUT",
          headers: { Authorization: "Bearer generic-secret-token" },
          secretHeaders: ["Authorization"],
          body: { name: "www", content: "{{content}}" },
        },
        content: () => {
          const last = d.lastRequest("/_generic/records/www");
          return last ? (JSON.parse(last.body) as { content: string }).content : PRIMARY;
        },
      };
    }
    default:
      throw new Error(`no seed for ${provider}`);
  }
}

describe("DnsFailover end to end on the emulator", () => {
  it("creates the 8 objects of the converge wiring in 8 calls, fails over within cron interval + timeout, recovers, flaps once per transition", async () => {
    const { dns, content } = seed("cloudflare");
    emu.resetStats();
    const f = new pulumiLib.DnsFailover("www", {
      healthCheck: { url: health.url, cron: "* * * * *", timeoutMs: 10_000, expectedStatusCodes: [200] },
      primary: PRIMARY,
      backup: BACKUP,
      dns,
    });
    const taskId = await engine.value(f.taskId);
    expect(emu.stats().requests.total).toBe(8);
    expect(emu.stats().objects).toMatchObject({ tasks: 2, endpoints: 4 });
    expect(emu.monitors()).toHaveLength(2);

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
    const fwd = emu.deliveries().find((d: { kind: string; requestBody: string }) => d.kind === "forward" && d.requestBody.includes(BACKUP));
    const flippedAt = Date.parse(fwd?.finishedAt ?? new Date(switchedAt!).toISOString());
    expect(flippedAt - outageStart).toBeLessThanOrEqual(MINUTE + 10_000 + 1_000);

    health.mode = "ok";
    await emu.advance(MINUTE);
    expect(content()).toBe(PRIMARY);

    // Flapping: down, up, down → failure hook twice, recovery once more.
    // The health check's own hooks (the probe's fire on every failed probe, by design).
    const kinds = () => emu.deliveries({ taskId }).map((d: { kind: string }) => d.kind);
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
    // With a loopback (IP-literal) health URL the probe shares the health check's host block
    // (README "Convergence"), so the recovery may wait for the block's end, or for the latch.
    health.mode = "ok";
    for (let i = 0; i < 15 && content() !== PRIMARY; i++) await emu.advance(MINUTE);
    expect(content()).toBe(PRIMARY);

    emu.resetStats();
    await engine.destroy();
    expect(emu.stats().requests.total).toBe(8);
    expect(emu.stats().objects).toMatchObject({ tasks: 0, endpoints: 0 });
    expect(emu.monitors()).toHaveLength(0);
  });

  it.each(["digitalocean", "hetzner", "porkbun", "generic"])("%s: the forwarded request really fails the record over and back", async (provider) => {
    const { dns, content } = seed(provider);
    health.mode = "ok";
    emu.resetStats();
    const f = new pulumiLib.DnsFailover(`www-${provider}`, {
      healthCheck: { url: health.url, cron: "* * * * *", timeoutMs: 10_000, expectedStatusCodes: [200] },
      primary: PRIMARY,
      backup: BACKUP,
      dns,
    });
    await engine.value(f.taskId);
    expect(emu.stats().requests.total).toBe(8);
    await emu.advance(MINUTE);
    expect(content()).toBe(PRIMARY);

    health.mode = "fail";
    await emu.advance(MINUTE);
    expect(content()).toBe(BACKUP);
    health.mode = "ok";
    await emu.advance(MINUTE);
    expect(content()).toBe(PRIMARY);

    // Every stored DNS request (the forwards that carry an address) succeeded.
    const forwards = emu
      .deliveries()
      .filter((d: { kind: string; requestBody: string }) => d.kind === "forward" && (d.requestBody.includes(BACKUP) || d.requestBody.includes(PRIMARY)));
    expect(forwards.length).toBeGreaterThanOrEqual(2);
    expect(forwards.every((d: { status: string }) => d.status === "success")).toBe(true);

    emu.resetStats();
    await engine.destroy();
    expect(emu.stats().requests.total).toBe(8);
    expect(emu.stats().objects.tasks + emu.stats().objects.endpoints).toBe(0);
  });

  it("changing the backup IP updates only the failover endpoint (1 API call) and the next failover uses it", async () => {
    const { dns, content } = seed("cloudflare");
    health.mode = "ok";
    const NEW_BACKUP = "203.0.113.77";
    const args = (backup: string) => ({
      healthCheck: { url: health.url, cron: "* * * * *", timeoutMs: 10_000, expectedStatusCodes: [200] },
      primary: PRIMARY,
      backup,
      dns,
    });
    const first = new pulumiLib.DnsFailover("www-change", args(BACKUP));
    await engine.value(first.taskId);
    // Same program again: the providers' diff finds nothing, so not a single API call.
    emu.resetStats();
    const same = new pulumiLib.DnsFailover("www-change", args(BACKUP));
    await engine.value(same.taskId);
    expect(emu.stats().requests.total).toBe(0);
    const before = { endpoints: emu.endpoints(), tasks: emu.tasks() };
    emu.resetStats();
    const second = new pulumiLib.DnsFailover("www-change", args(NEW_BACKUP));
    await engine.value(second.taskId);
    const stats = emu.stats();
    expect(stats.requests.total).toBe(1);
    const after = { endpoints: emu.endpoints(), tasks: emu.tasks() };
    const changed = after.endpoints.filter((e) => {
      const old = before.endpoints.find((o) => o.id === e.id);
      return JSON.stringify(old) !== JSON.stringify(e);
    });
    expect(changed).toHaveLength(1);
    expect(JSON.stringify(changed[0])).toContain(NEW_BACKUP);
    expect(JSON.stringify(after.tasks)).toBe(JSON.stringify(before.tasks));

    health.mode = "fail";
    await emu.advance(MINUTE);
    expect(content()).toBe(NEW_BACKUP);
    health.mode = "ok";
    await emu.advance(MINUTE);
    expect(content()).toBe(PRIMARY);
    await engine.destroy();
    expect(emu.stats().objects.tasks + emu.stats().objects.endpoints).toBe(0);
  });
});
