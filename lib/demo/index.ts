/**
 * `npm run demo`: deploys a DnsFailover on the embedded emulator with the library's own provider
 * code (no Pulumi CLI, no network), takes the primary down, shows the record flipping to the
 * backup and back on a readable timeline, and tears everything down.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";
const API_KEY = "pk_demo_emulator.sk_demo_emulator_key";
const CF_TOKEN = "cf-demo-token";

/** A tiny "primary" server whose /health answers 200 or 503 on demand. */
async function startPrimary(): Promise<{ url: string; setHealthy(ok: boolean): void; close(): Promise<void> }> {
  let healthy = true;
  const server = http.createServer((req, res) => {
    if (req.url === "/health") {
      res.writeHead(healthy ? 200 : 503, { "content-type": "text/plain" });
      res.end(healthy ? "ok" : "database unreachable");
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/health`,
    setHealthy: (ok) => {
      healthy = ok;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Runs the demo; resolves when done. `log` receives each output line. */
export async function runDemo(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<{
  failedOverAt?: string;
  recoveredAt?: string;
  apiCalls: { create: number; destroy: number };
}> {
  // Imported lazily so `--help` and the CLI stay fast.
  const { startEmulator } = await import("../emulator");
  const { startLocalEngine, DnsFailover } = await import("../pulumi");
  const { closeAllPools } = await import("../runlater");

  const started = Date.now();
  const emu = await startEmulator({ apiKeys: [API_KEY], allowPrivateTargets: true, dns: { cloudflare: { tokens: [CF_TOKEN] } } });
  const primary = await startPrimary();
  const cf = emu.dns("cloudflare") as unknown as {
    addZone(z: { name: string }): { id: string } | string;
    addRecord(zoneId: string, r: Record<string, unknown>): { id: string } | string;
    getRecord(zoneId: string, id: string): { content: string } | undefined;
  };
  const zone = cf.addZone({ name: "example.com" });
  const zoneId = typeof zone === "string" ? zone : zone.id;
  const rec = cf.addRecord(zoneId, { name: "www.example.com", type: "A", content: PRIMARY, ttl: 60, proxied: false });
  const recordId = typeof rec === "string" ? rec : rec.id;
  const content = () => cf.getRecord(zoneId, recordId)?.content ?? "(missing)";
  const clock = () => emu.now().toISOString().slice(11, 19);
  const say = (what: string) => log(`  ${clock()}  ${what}`);

  log("runlater-iac demo — DNS failover on the embedded emulator (virtual clock, no network)");
  log(`  emulator   ${emu.url}  (Runlater API ${emu.runlaterApiUrl}, Cloudflare API ${emu.cloudflareApiUrl})`);
  log(`  primary    ${primary.url}  → healthy`);
  log(`  record     www.example.com A ${PRIMARY} (ttl 60), zone ${zoneId}`);
  log("");
  log("deploy: new DnsFailover(\"www\", …) through the library's Pulumi provider code");

  emu.resetStats();
  const engine = startLocalEngine({
    config: { "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl, "runlater:allowPrivateTargets": "true" },
    onCreate: (r) => {
      if (r.type.startsWith("pulumi-nodejs:dynamic")) log(`  + ${r.type.split(":").pop()!.padEnd(16)} ${r.name}  (${r.id})`);
    },
  });
  const failover = new DnsFailover("www", {
    healthCheck: { url: primary.url, cron: "* * * * *", timeoutMs: 10_000, expectedStatusCodes: [200] },
    primary: PRIMARY,
    backup: BACKUP,
    record: { zoneId, recordId, name: "www.example.com", type: "A", ttl: 60 },
    cloudflare: { apiToken: CF_TOKEN, apiBaseUrl: emu.cloudflareApiUrl },
  });
  await engine.value(failover.taskId);
  const createCalls = emu.stats().requests.total;
  log(`  ${createCalls} Runlater API calls (the manual guide takes 4)`);
  log("");
  log("timeline (emulator time):");

  let failedOverAt: string | undefined;
  let recoveredAt: string | undefined;
  let seen = emu.deliveries().reduce((m: number, d: { seq: number }) => Math.max(m, d.seq), 0);
  const describe = (d: { kind: string; status: string; statusCode: number | null; method: string; url: string }) => {
    const code = d.statusCode ?? d.status;
    switch (d.kind) {
      case "cron":
        return `health check GET /health → ${code}`;
      case "hook.failure":
        return `task failed → on_failure_url (failover endpoint) → ${code}`;
      case "hook.recovery":
        return `task recovered → on_recovery_url (recovery endpoint) → ${code}`;
      case "forward":
        return `endpoint forwards ${d.method} ${new URL(d.url).pathname.replace(/^.*\/(dns_records)\/.*$/, "Cloudflare …/$1/<id>")} → ${code}`;
      default:
        return `${d.kind} → ${code}`;
    }
  };
  let shown = content();
  const step = async (minutes: number) => {
    for (let i = 0; i < minutes; i++) {
      await emu.advance(60_000);
      const fresh = emu.deliveries().filter((d: { seq: number }) => d.seq > seen);
      for (const d of fresh) {
        seen = Math.max(seen, d.seq);
        say(describe(d));
      }
      const now = content();
      if (now !== shown) {
        shown = now;
        say(`⇒ DNS www.example.com A ${now}  (${now === BACKUP ? "failed over to the backup" : "back on the primary"})`);
      }
      if (now === BACKUP && !failedOverAt) failedOverAt = clock();
      if (now === PRIMARY && failedOverAt && !recoveredAt) recoveredAt = clock();
    }
  };
  await step(2);
  primary.setHealthy(false);
  log(`  ${clock()}  ✖ primary goes down (/health → 503)`);
  await step(2);
  primary.setHealthy(true);
  log(`  ${clock()}  ✔ primary is back`);
  await step(2);

  log("");
  log("teardown: destroy through the providers' delete");
  emu.resetStats();
  await engine.destroy();
  const destroyCalls = emu.stats().requests.total;
  log(`  ${destroyCalls} Runlater API calls; emulator now holds ${emu.stats().objects.tasks} tasks, ${emu.stats().objects.endpoints} endpoints`);
  await primary.close();
  await emu.close();
  await closeAllPools();
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { failedOverAt, recoveredAt, apiCalls: { create: createCalls, destroy: destroyCalls } };
}

if (require.main === module) {
  runDemo().then(
    (r) => {
      if (!r.failedOverAt || !r.recoveredAt) {
        process.stderr.write("demo: the record did not flip as expected\n");
        process.exit(1);
      }
      process.exit(0);
    },
    (e) => {
      process.stderr.write(`demo failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
