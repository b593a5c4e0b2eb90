/**
 * `status` against the emulator in each state: healthy, failed over, converging → inconsistent
 * (a lost recovery, a lost failover, a record changed by hand), misconfigured (hooks, missing
 * endpoint, recovery storing the wrong address), unknown; one failover or all of an account.
 */
import { type Emulator, startEmulator } from "../../lib/emulator";
import { failoverStatus, formatStatus, type StatusOptions, statusExitCode } from "../../lib/ops/status";
import { closeAllPools, type RunlaterClient } from "../../lib/runlater";
import { BACKUP, clientFor, type Deployed, deploy, MINUTE, PRIMARY, virtualClock } from "./helpers";

let emu: Emulator;
let client: RunlaterClient;
let seq = 0;

beforeAll(async () => {
  emu = await startEmulator({ allowPrivateTargets: true, virtualTimeoutCapMs: 200, rateLimit: false });
  client = clientFor(emu);
});
afterAll(async () => {
  await emu.close();
  await closeAllPools();
});

const status = async (d: Deployed, extra: Partial<StatusOptions> = {}) => {
  const [s] = await failoverStatus({ client, taskId: d.taskId, clock: virtualClock(emu), ...extra });
  return s!;
};
const inbound = async (endpointId: string) => {
  const res = await fetch(`${emu.url}/in/${(await client.getEndpoint(endpointId)).slug}`, { method: "POST" });
  expect(res.status).toBeLessThan(300);
  await emu.advance(1000);
};

test("no check yet → unknown; healthy; failed over; back to healthy", async () => {
  const d = await deploy(emu, client, `st${++seq}`);
  expect(await status(d)).toMatchObject({ verdict: "unknown", reason: "no finished health check yet" });
  await emu.advance(3 * MINUTE);
  const h = await status(d, { resolver: `127.0.0.1:${emu.dnsPort}` });
  expect(h).toMatchObject({ verdict: "healthy", primary: PRIMARY, backup: BACKUP, failback: "auto", record: { api: [PRIMARY], dns: [PRIMARY], fqdn: d.fqdn, shows: "primary", ttl: 60 } });
  expect(h.health.current).toBe("ok");
  expect(h.health.streak).toBeGreaterThanOrEqual(3);
  expect(statusExitCode([h])).toBe(0);
  d.health("fail");
  await emu.advance(2 * MINUTE);
  const f = await status(d);
  expect(f).toMatchObject({ verdict: "failed-over", record: { api: [BACKUP], shows: "backup" }, health: { current: "fail", streak: 2 } });
  expect(statusExitCode([f])).toBe(0);
  d.health("ok");
  await emu.advance(MINUTE);
  expect((await status(d)).verdict).toBe("healthy");
  const lines = formatStatus([h]);
  expect(lines[0]).toMatch(/^FAILOVER\s+VERDICT\s+HEALTH\s+RECORD \(API\)\s+RESOLVER\s+PRIMARY → BACKUP$/);
  expect(lines[1]).toContain(`${d.name}`);
  expect(lines[1]).toMatch(new RegExp(`healthy\\s+ok ×\\d+\\+? since \\d\\d:\\d\\d:\\d\\dZ\\s+${d.fqdn.replace(/\./g, "\\.")} A 198\\.51\\.100\\.10 ttl 60\\s+198\\.51\\.100\\.10\\s+198\\.51\\.100\\.10 → 203\\.0\\.113\\.50`));
  expect(lines).toContain("recent health checks (newest first):");
});

test("a lost recovery: converging within the bound, inconsistent after it (exit 1)", async () => {
  const d = await deploy(emu, client, `st${++seq}`);
  await emu.advance(2 * MINUTE);
  d.health("fail");
  await emu.advance(MINUTE);
  expect(d.content()).toBe(BACKUP);
  emu.dns("cloudflare").failNext("server_error", 1, "cloudflare.dns_records.patch"); // the recovery forward fails (retries 0)
  d.health("ok");
  await emu.advance(MINUTE);
  expect(d.content()).toBe(BACKUP);
  const c = await status(d);
  expect(c.verdict).toBe("converging");
  expect(c.reason).toMatch(/primary is healthy but the record is on the backup for \d+ s, within the bound of 300 s/);
  expect(statusExitCode([c])).toBe(0);
  await emu.advance(6 * MINUTE);
  const i = await status(d);
  expect(i.verdict).toBe("inconsistent");
  expect(i.disagreeForMs).toBeGreaterThan(300_000);
  expect(statusExitCode([i])).toBe(1);
  expect((await status(d, { boundMs: 60 * MINUTE })).verdict).toBe("converging");
});

test("a lost failover (primary failing, record on the primary) and a record changed by hand", async () => {
  const d = await deploy(emu, client, `st${++seq}`, "digitalocean");
  await emu.advance(2 * MINUTE);
  emu.dns("digitalocean").failNext("server_error", 1, "digitalocean.records.update");
  d.health("fail");
  await emu.advance(MINUTE);
  expect(d.content()).toBe(PRIMARY);
  expect((await status(d)).reason).toMatch(/the primary is failing but the record is on the primary/);
  await emu.advance(6 * MINUTE);
  expect((await status(d)).verdict).toBe("inconsistent");

  const e = await deploy(emu, client, `st${++seq}`);
  await emu.advance(2 * MINUTE);
  const cf = (await client.getEndpoint(e.failoverId)).forwardUrls[0]!;
  const res = await fetch(cf, { method: "PATCH", headers: { authorization: "Bearer cf-test-token", "content-type": "application/json" }, body: JSON.stringify({ content: "192.0.2.77" }) });
  expect(res.status).toBe(200);
  const o = await status(e);
  expect(o).toMatchObject({ verdict: "inconsistent", record: { shows: "other", api: ["192.0.2.77"] } });
  expect(o.reason).toMatch(/neither the primary nor the backup/);
});

test("an endpoint triggered by hand: converging, then inconsistent (the edge wiring does not heal it)", async () => {
  const d = await deploy(emu, client, `st${++seq}`, "porkbun");
  await emu.advance(2 * MINUTE);
  await inbound(d.failoverId);
  // Porkbun does not say when a record changed: the disagreement is dated from the start of the
  // health streak (2 checks).
  const s = await status(d, { boundMs: 10 * MINUTE });
  expect(s.verdict).toBe("converging");
  expect(s.health.streak).toBe(2);
  expect(s.disagreeForMs).toBe(emu.now().getTime() - Date.parse(s.health.since!));
  expect(s.disagreeForMs).toBeGreaterThanOrEqual(MINUTE);
  await emu.advance(10 * MINUTE);
  expect((await status(d, { boundMs: 10 * MINUTE })).verdict).toBe("inconsistent");
});

describe("misconfigured (exit 2)", () => {
  test("on_failure_url not pointing at the failover endpoint", async () => {
    const d = await deploy(emu, client, `st${++seq}`);
    await emu.advance(MINUTE);
    await client.updateCronTask(d.taskId, { onFailureUrl: "https://hooks.example.com/x" });
    const s = await status(d);
    expect(s.verdict).toBe("misconfigured");
    expect(s.reason).toBe(`on_failure_url does not point at the "${d.name} failover" endpoint's inbound URL`);
    expect(statusExitCode([s])).toBe(2);
    expect(JSON.stringify(s)).not.toMatch(/\/in\/ep_|cf-test-token/);
  });

  test("recovery endpoint missing", async () => {
    const d = await deploy(emu, client, `st${++seq}`);
    await client.deleteEndpoint(d.recoveryId);
    expect((await status(d)).reason).toBe(`on_recovery_url points at no endpoint of this account (endpoint "${d.name} recovery" missing)`);
  });

  test("recovery endpoint storing the backup, or not the primary given with --primary", async () => {
    const d = await deploy(emu, client, `st${++seq}`);
    await emu.advance(MINUTE);
    expect((await status(d, { primary: "198.51.100.99" })).reason).toBe("the recovery endpoint's stored address 198.51.100.10 is not the primary 198.51.100.99");
    const fo = await client.getEndpoint(d.failoverId);
    await client.updateEndpoint(d.recoveryId, { forwardBody: fo.forwardBody });
    expect((await status(d)).reason).toBe(`the recovery endpoint sets the same address as the failover endpoint (${BACKUP})`);
  });

  test("disabled failover endpoint", async () => {
    const d = await deploy(emu, client, `st${++seq}`);
    await client.updateEndpoint(d.failoverId, { enabled: false });
    expect((await status(d)).reason).toMatch(/the failover endpoint ".* failover" is disabled/);
  });
});

test("convergent wiring: healthy, failed over (re-asserted by the probe), relay miswired", async () => {
  const d = await deploy(emu, client, `st${++seq}`, "hetzner", "converge");
  await emu.advance(2 * MINUTE);
  expect((await status(d)).verdict).toBe("healthy");
  d.health("fail");
  await emu.advance(3 * MINUTE);
  expect(await status(d)).toMatchObject({ verdict: "failed-over", record: { shows: "backup" } });
  d.health("ok");
  await emu.advance(MINUTE);
  expect((await status(d)).verdict).toBe("healthy");
  await client.updateEndpoint(d.objects.get("relay")!.id, { forwardUrls: ["https://elsewhere.example.com/x"] });
  const s = await status(d);
  expect(s.verdict).toBe("misconfigured");
  expect(s.problems).toEqual([
    `the "${d.name} relay" endpoint does not forward to the failover endpoint`,
    `the "${d.name} relay" endpoint does not ping the "${d.name} latch" monitor: failure signals never reach it`,
    `the "${d.name} relay" endpoint does not ping the "${d.name} latch-2" monitor: failure signals never reach it`,
  ]);
});

test("all failovers of an account: one row each, exit code of the worst", async () => {
  const other = await startEmulator({ allowPrivateTargets: true, virtualTimeoutCapMs: 200, rateLimit: false });
  try {
    const c = clientFor(other);
    const a = await deploy(other, c, "alpha");
    const b = await deploy(other, c, "beta", "hetzner");
    await c.createCronTask({ name: "unrelated", url: other.target("x").url, cron: "*/5 * * * *" });
    await other.advance(2 * MINUTE);
    b.health("fail");
    await other.advance(MINUTE);
    const all = await failoverStatus({ client: c, clock: virtualClock(other) });
    expect(all.map((s) => [s.name, s.verdict])).toEqual([
      ["alpha", "healthy"],
      ["beta", "failed-over"],
    ]);
    expect(statusExitCode(all)).toBe(0);
    await c.deleteEndpoint(a.failoverId);
    const again = await failoverStatus({ client: c, clock: virtualClock(other) });
    expect(again.map((s) => s.verdict)).toEqual(["misconfigured", "failed-over"]);
    expect(statusExitCode(again)).toBe(2);
    expect(formatStatus(again).filter((l) => l.startsWith("alpha") || l.startsWith("beta"))).toHaveLength(4);
  } finally {
    await other.close();
  }
});
