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

/** The per-object resource class of each kind of Runlater object (how the demo names them). */
const KIND_NAMES: Record<string, string> = { endpoint: "ForwardEndpoint", task: "HealthCheckTask", monitor: "HeartbeatMonitor" };

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
      if (!r.type.startsWith("pulumi-nodejs:dynamic")) return;
      const objects = r.outputs.objects as { key: string; kind: string; name?: string }[] | undefined;
      const ids = (r.outputs.ids ?? {}) as Record<string, string>;
      log(`  + ${r.type.split(":").pop()!.padEnd(16)} ${r.name}  (${objects ? `one resource in state, ${objects.length} Runlater objects` : r.id})`);
      // resources: "compact" (the default): the objects inside the one resource.
      for (const o of objects ?? []) log(`      ${(KIND_NAMES[o.kind] ?? o.kind).padEnd(16)} ${o.name ?? `${r.name} ${o.key}`}  (${ids[o.key]})`);
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
  log(`  ${createCalls} Runlater API calls: the convergent wiring (the seed guide's takes 4 and survives no lost hook)`);
  log("");
  log("timeline (emulator time):");

  let failedOverAt: string | undefined;
  let recoveredAt: string | undefined;
  let seen = emu.deliveries().reduce((m: number, d: { seq: number }) => Math.max(m, d.seq), 0);
  // Which of the failover's objects a delivery belongs to (names are `www <role>`).
  const roleOfName = (n: unknown) => String(n ?? "").replace(/^www /, "").split(" ")[0] ?? "";
  const roleOfTask = (id: string): string => {
    const t = emu.tasks({ all: true }).find((x) => x.id === id);
    if (!t) return "";
    if (t.endpoint_id) return roleOfName(emu.endpoints().find((e) => e.id === t.endpoint_id)?.name);
    return roleOfName(t.name);
  };
  const roleOfUrl = (url: string) => {
    if (url.includes("/ping/")) return "latch";
    return roleOfName(emu.endpoints().find((e) => e.inbound_url === url)?.name);
  };
  const describe = (d: { kind: string; status: string; statusCode: number | null; method: string; url: string; taskId: string }) => {
    const code = d.statusCode ?? d.status;
    const role = roleOfTask(d.taskId);
    const path = new URL(d.url).pathname.replace(/^.*\/(dns_records)\/.*$/, "Cloudflare …/$1/<id>");
    switch (d.kind) {
      case "cron":
        return role === "health" ? `health check GET /health → ${code}` : undefined; // the pulse always succeeds
      case "hook.failure":
        return `${role} failed → on_failure_url (${roleOfUrl(d.url)}) → ${code}${code === 503 || code === 500 ? "  ✖ hook lost" : ""}`;
      case "hook.recovery":
        return `${role} recovered → on_recovery_url (${roleOfUrl(d.url)}) → ${code}`;
      case "monitor.down":
        return `latch: no failure signal for 11 min → on_failure_url (${roleOfUrl(d.url)}) → ${code}`;
      case "forward":
        if (role === "probe") return d.status === "success" ? undefined : `probe GET /health → ${code}  (a fresh task: its on_failure_url fires on every failed probe)`;
        if (role === "relay") return `relay → ${roleOfUrl(d.url)} → ${code}`;
        return `${role} endpoint ${d.method} ${path} → ${code}`;
      default:
        return undefined;
    }
  };
  let shown = content();
  const step = async (minutes: number) => {
    for (let i = 0; i < minutes; i++) {
      await emu.advance(60_000);
      const fresh = emu.deliveries().filter((d: { seq: number }) => d.seq > seen);
      for (const d of fresh) {
        seen = Math.max(seen, d.seq);
        const line = describe(d);
        if (line) say(line);
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
  // The health check's single on_failure_url POST is lost (Runlater never retries it): the
  // seed guide's wiring would leave the outage unhandled; the probe fails over anyway.
  const failoverInbound = String(emu.endpoints().find((e) => e.name === "www failover")?.inbound_url ?? "");
  emu.faults.add({ path: `^${new URL(failoverInbound).pathname}$`, status: 500, times: 1 });
  log(`  ${clock()}  ✖ primary goes down (/health → 503); the next failure hook will be lost`);
  await step(2);
  primary.setHealthy(true);
  log(`  ${clock()}  ✔ primary is back`);
  await step(2);

  log("");
  log("teardown: destroy through the providers' delete");
  emu.resetStats();
  await engine.destroy();
  const destroyCalls = emu.stats().requests.total;
  const left = emu.stats().objects as { tasks: number; endpoints: number; monitors?: number };
  log(`  ${destroyCalls} Runlater API calls; emulator now holds ${left.tasks} tasks, ${left.endpoints} endpoints, ${left.monitors ?? 0} monitors`);
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
