/**
 * Chaos support: in-process hosts (no sockets, same semantics), emulator-time fault windows,
 * lost hooks, and the cost of one emulated failover hour.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../lib/emulator";

const KEY = "pk_test_ip.sk_test_ip";
const CF = "cf-test-token";
const HOSTS = ["runlater.test", "primary.test", "api.cloudflare.test"];
let emu: Emulator;

afterEach(async () => {
  await emu?.close();
});

/** A JSON API call through `emu.request` (in-process) on runlater.test. */
async function api(method: string, path: string, body?: unknown) {
  const r = await emu.request(method, `http://runlater.test/api/v1${path}`, {
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: r.body ? JSON.parse(r.body) : undefined };
}

/** The classic edge wiring, all in-process: H (cron) → F/R endpoints → Cloudflare PATCH. */
async function wire(o: EmulatorOptions = {}) {
  emu = await startEmulator({ apiKeys: [KEY], inProcessHosts: HOSTS, rateLimit: false, ...o });
  const cf = emu.dns("cloudflare");
  const zone = cf.addZone({ name: "example.com" });
  const rec = cf.addRecord(zone, { name: "www", content: "198.51.100.10" });
  const dns = (ip: string, name: string) => ({
    name,
    forward_urls: [`http://api.cloudflare.test/client/v4/zones/${zone}/dns_records/${rec}`],
    forward_method: "PATCH",
    forward_headers: { authorization: `Bearer ${CF}`, "content-type": "application/json" },
    forward_body: JSON.stringify({ content: ip }),
    retry_attempts: 3,
  });
  const f = (await api("POST", "/endpoints", dns("203.0.113.50", "failover"))).body.data;
  const r = (await api("POST", "/endpoints", dns("198.51.100.10", "recovery"))).body.data;
  const primary = emu.target("primary");
  const health = (
    await api("POST", "/tasks", {
      url: "http://primary.test/_emulator/targets/primary",
      cron: "* * * * *",
      timeout_ms: 10_000,
      on_failure_url: f.inbound_url,
      on_recovery_url: r.inbound_url,
    })
  ).body.data;
  const content = () => cf.getRecord(zone, rec)?.content;
  return { f, r, primary, health, content };
}

describe("inProcessHosts", () => {
  it("a whole failover runs without sockets: inbound_url from the Host, in-process hosts count as public", async () => {
    const w = await wire(); // no allowPrivateTargets: *.test names pass the SSRF rule
    expect(w.f.inbound_url).toMatch(/^http:\/\/runlater\.test\/in\/ep_/);
    expect(w.health.url).toBe("http://primary.test/_emulator/targets/primary");
    await emu.advance(2 * 60_000);
    expect(w.content()).toBe("198.51.100.10");
    w.primary.set("hang");
    const t0 = performance.now();
    await emu.advance(2 * 60_000);
    expect(performance.now() - t0).toBeLessThan(1000); // hang = timeout in emulator time, no real wait
    // The 10 s timeout passed in emulator time; the real time spent is scheduling only (a few ms
    // on a loaded machine, so bounded far below the timeout rather than asserted to be 0).
    const last = emu.deliveries({ kind: "cron" }).at(-1)!;
    expect(last).toMatchObject({ status: "timeout", durationMs: 10_000 });
    expect(last.realMs).toBeLessThan(1000);
    expect(w.content()).toBe("203.0.113.50");
    w.primary.set("ok");
    await emu.advance(2 * 60_000);
    expect(w.content()).toBe("198.51.100.10");
    expect(emu.deliveries({ kind: "forward" }).map((d) => d.statusCode)).toEqual([200, 200]);
    expect(emu.stats().requests.byRoute["cloudflare.dns_records.patch"]).toBe(2);
  });

  it("the emulator's own host in-process: URLs on emu.url skip sockets; services stay separate for host blocking", async () => {
    emu = await startEmulator({ apiKeys: [KEY], inProcessHosts: ["127.0.0.1"], rateLimit: false });
    const primary = emu.target("primary");
    primary.set("fail");
    await api("POST", "/tasks", { url: primary.url, cron: "* * * * *" });
    await emu.advance(5 * 60_000); // the primary is host-blocked now
    const ep = (await api("POST", "/endpoints", { name: "x", forward_urls: [`${emu.target("dns").url}/hit`], retry_attempts: 0 })).body.data;
    await api("POST", "/tasks", { url: ep.inbound_url.replace("runlater.test", new URL(emu.url).host), method: "POST", cron: "* * * * *" });
    // No HTTP request reaches a server while the deliveries run (a count, not a wall-clock proxy).
    let served = 0;
    const onRequest = () => {
      served++;
    };
    diagnosticsChannel.subscribe("http.server.request.start", onRequest);
    try {
      await emu.advance(60_000);
    } finally {
      diagnosticsChannel.unsubscribe("http.server.request.start", onRequest);
    }
    expect(served).toBe(0);
    expect(emu.deliveries({ kind: "forward" })).toEqual([expect.objectContaining({ status: "success" })]);
  });

  it("publicOrigin: inbound_url and ping_url on it, whatever origin the API call used", async () => {
    emu = await startEmulator({ apiKeys: [KEY], publicOrigin: "http://runlater.test", rateLimit: false });
    const res = await fetch(`${emu.runlaterApiUrl}/endpoints`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "x", forward_urls: ["https://example.com/"] }),
    });
    expect(((await res.json()) as { data: { inbound_url: string } }).data.inbound_url).toMatch(/^http:\/\/runlater\.test\/in\/ep_/);
    const m = await api("POST", "/monitors", { name: "m", schedule_type: "interval", interval_seconds: 60 });
    expect(m.body.data.ping_url).toMatch(/^http:\/\/runlater\.test\/ping\/pm_/);
  });

  it("faults apply in-process; a fault window in emulator time schedules a DNS API outage", async () => {
    const w = await wire();
    const start = emu.now().getTime();
    emu.faults.add({ route: "cloudflare.dns_records.*", status: 503, from: start + 60_000, until: new Date(start + 11 * 60_000).toISOString() });
    w.primary.set("fail");
    await emu.advance(5 * 60_000);
    const fwd = emu.deliveries({ kind: "forward" });
    expect(fwd[0]).toMatchObject({ statusCode: 503, startedAt: "2026-01-01T00:01:00.000Z" });
    expect(w.content()).toBe("198.51.100.10");
    await emu.advance(20 * 60_000); // retries at +120 s, +270 s, +480 s: the last lands after the window
    expect(w.content()).toBe("203.0.113.50");
    expect(emu.deliveries({ kind: "forward" }).at(-1)).toMatchObject({ statusCode: 200 });
  });

  it("hookLossProbability: a lost hook is not delivered and is logged as a 503", async () => {
    const w = await wire({ hookLossProbability: 1 });
    w.primary.set("fail");
    await emu.advance(5 * 60_000);
    expect(emu.deliveries({ kind: "hook.failure" })).toEqual([expect.objectContaining({ status: "failed", statusCode: 503, error: "lost (hookLossProbability)" })]);
    expect(emu.events()).toHaveLength(0);
    expect(w.content()).toBe("198.51.100.10");
  });

  it("after a long outage the recovery hook is lost: runs rescheduled by host blocking pile up and count as previous", async () => {
    for (const noHostBlocking of [false, true]) {
      const w = await wire({ kind: { noHostBlocking } });
      w.primary.set("fail");
      await emu.advance(10 * 60_000);
      w.primary.set("ok");
      await emu.advance(20 * 60_000);
      expect(emu.deliveries({ kind: "hook.failure" })).toHaveLength(1);
      expect(emu.deliveries({ kind: "hook.recovery" })).toHaveLength(noHostBlocking ? 1 : 0);
      expect(w.content()).toBe(noHostBlocking ? "198.51.100.10" : "203.0.113.50");
      await emu.close();
      emu = undefined as unknown as Emulator;
    }
  });

  it("costs little real time per emulated hour (one failover and recovery per hour)", async () => {
    const w = await wire();
    const hours = 6;
    const t0 = performance.now();
    for (let h = 0; h < hours; h++) {
      w.primary.set("fail");
      await emu.advance(2 * 60_000); // two failed checks: below the host-blocking threshold
      w.primary.set("ok");
      await emu.advance(58 * 60_000);
    }
    const perHour = (performance.now() - t0) / hours;
    expect(w.content()).toBe("198.51.100.10");
    expect(emu.deliveries({ kind: "forward" }).filter((d) => d.statusCode === 200)).toHaveLength(2 * hours);
    process.stdout.write(`in-process: ${perHour.toFixed(1)} real ms per emulated hour\n`);
    expect(perHour).toBeLessThan(500);
  });
});
