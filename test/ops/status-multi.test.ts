/**
 * `status` for a failover of several records (A + AAAA: two failover and two recovery endpoints
 * behind the relay and a restore fan-out; apex + www: one shared endpoint of each) and its
 * latches, on the emulator in virtual time: healthy, failed over with every record on its
 * backup, back; one record off (converging, named); misconfigured when one record's failover
 * endpoint, a latch, or a latch's hook is gone.
 */
import { type Emulator, startEmulator } from "../../lib/emulator";
import { runStatusCommand } from "../../lib/ops/cli";
import { findFailover } from "../../lib/ops/discover";
import { failoverStatus, formatStatus, type StatusOptions, statusExitCode } from "../../lib/ops/status";
import { closeAllPools, type RunlaterClient } from "../../lib/runlater";
import { BACKUP, clientFor, type DeployedMulti, deployMulti, MINUTE, PRIMARY, V6, virtualClock } from "./helpers";

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

const status = async (d: DeployedMulti, extra: Partial<StatusOptions> = {}) => {
  const [s] = await failoverStatus({ client, taskId: d.taskId, clock: virtualClock(emu), ...extra });
  return s!;
};
const contents = (d: DeployedMulti) => d.records.map((r) => r.content());

describe.each(["a+aaaa", "apex+www"] as const)("%s, convergent wiring", (set) => {
  test("healthy → failed-over (every record on its backup) → healthy; one row per record; latches shown", async () => {
    const d = await deployMulti(emu, client, `mr${++seq}`, set);
    const f = await findFailover(client, d.taskId);
    expect(f.problems).toEqual([]);
    expect(f.records.map((r) => r.failoverEndpoint?.name)).toEqual(set === "a+aaaa" ? [`${d.name} failover`, `${d.name} failover-2`] : [`${d.name} failover`, `${d.name} failover`]);
    expect(f.latches.map((m) => m.name)).toEqual([`${d.name} latch`, `${d.name} latch-2`]);
    expect(f.restore?.id).toBe(set === "a+aaaa" ? d.objects.get("restore")!.id : undefined);
    await emu.advance(2 * MINUTE);
    const h = await status(d, { resolver: `127.0.0.1:${emu.dnsPort}` });
    expect(h.verdict).toBe("healthy");
    expect(h.reason).toMatch(/^healthy for \d+\+? checks, both records on their primary$/);
    expect(h.records.map((r) => [r.label, r.verdict, r.record.api, r.record.dns, r.primary, r.backup])).toEqual(
      d.records.map((r) => [`${r.fqdn} ${r.type}`, "healthy", [r.primary], [r.primary], r.primary, r.backup]),
    );
    // The single-record fields describe the first record.
    expect(h).toMatchObject({ primary: PRIMARY, backup: BACKUP, record: { shows: "primary", api: [PRIMARY] } });
    expect(h.latches?.map((m) => [m.name, m.status, m.enabled])).toEqual([
      [`${d.name} latch`, "new", true],
      [`${d.name} latch-2`, "new", true],
    ]);
    const lines = formatStatus([h]);
    expect(lines[1]).toMatch(new RegExp(`^${d.name}\\s+healthy\\s+ok ×\\d+\\+? since \\S+\\s+2 records:$`));
    expect(lines[2]).toMatch(new RegExp(`^  #1\\s+healthy\\s+${d.records[0]!.fqdn.replace(/\./g, "\\.")} A 198\\.51\\.100\\.10 ttl 60\\s+198\\.51\\.100\\.10\\s+198\\.51\\.100\\.10 → 203\\.0\\.113\\.50$`));
    expect(lines[3]).toContain(`${d.records[1]!.fqdn} ${d.records[1]!.type} ${d.records[1]!.primary}`);
    expect(lines).toContain("latches (heartbeat monitors; down = fired after the last outage, the resting state):");

    d.health("fail");
    await emu.advance(3 * MINUTE);
    expect(contents(d)).toEqual(d.records.map((r) => r.backup));
    const down = await status(d);
    expect(down.verdict).toBe("failed-over");
    expect(down.reason).toMatch(/^primary failing for \d+ checks, both records on their backup$/);
    expect(down.records.map((r) => [r.verdict, r.record.shows, r.record.api])).toEqual(d.records.map((r) => ["failed-over", "backup", [r.backup]]));
    expect(down.latches?.map((m) => m.status)).toEqual(["up", "up"]); // pinged by the relay on every failed probe
    expect(statusExitCode([down])).toBe(0);

    d.health("ok");
    await emu.advance(MINUTE);
    expect(contents(d)).toEqual(d.records.map((r) => r.primary));
    expect((await status(d)).verdict).toBe("healthy");
  });
});

test("A + AAAA: one record put back by hand during an outage → converging, the reason names that record", async () => {
  const d = await deployMulti(emu, client, `mr${++seq}`, "a+aaaa");
  await emu.advance(2 * MINUTE);
  d.health("fail");
  await emu.advance(2 * MINUTE);
  const fo = await client.getEndpoint(d.objects.get("failover-2")!.id);
  const res = await fetch(fo.forwardUrls[0]!, { method: "PATCH", headers: { authorization: "Bearer cf-test-token", "content-type": "application/json" }, body: JSON.stringify({ content: V6.primary }) });
  expect(res.status).toBe(200);
  const s = await status(d);
  expect(s.records.map((r) => r.verdict)).toEqual(["failed-over", "converging"]);
  expect(s.verdict).toBe("converging");
  expect(s.reason).toMatch(new RegExp(`^${d.records[1]!.fqdn.replace(/\./g, "\\.")} AAAA: the primary is failing but the record is on the primary for \\d+ s, within the bound`));
  // The next failed probe re-asserts the backup on every record.
  await emu.advance(MINUTE);
  expect(contents(d)).toEqual([BACKUP, V6.backup]);
  expect((await status(d)).verdict).toBe("failed-over");
});

describe("misconfigured (exit 2)", () => {
  test("A + AAAA: one record's failover endpoint deleted", async () => {
    const d = await deployMulti(emu, client, `mr${++seq}`, "a+aaaa");
    await emu.advance(2 * MINUTE);
    await client.deleteEndpoint(d.objects.get("failover-2")!.id);
    const s = await status(d);
    expect(s.verdict).toBe("misconfigured");
    expect(s.problems).toEqual([
      `the "${d.name} relay" endpoint forwards to an inbound URL of no endpoint of this account (a failover endpoint deleted?)`,
      `record #2 AAAA: no failover endpoint changes it (the "${d.name} recovery-2" endpoint puts it back)`,
    ]);
    expect(statusExitCode([s])).toBe(2);
    expect(JSON.stringify(s)).not.toMatch(/\/in\/ep_|\/ping\/|cf-test-token/);
  });

  test("A + AAAA: a recovery endpoint the restore does not reach; apex + www: the shared failover endpoint deleted", async () => {
    const d = await deployMulti(emu, client, `mr${++seq}`, "a+aaaa");
    const restore = await client.getEndpoint(d.objects.get("restore")!.id);
    await client.updateEndpoint(restore.id, { forwardUrls: restore.forwardUrls.slice(0, 1) });
    expect((await status(d)).problems).toEqual([
      `the "${d.name} recovery-2" endpoint is not reached by on_recovery_url (through "${d.name} restore"): its record never changes`,
      `record #2 AAAA: no recovery endpoint puts it back (the "${d.name} failover-2" endpoint changes it)`,
    ]);
    const e = await deployMulti(emu, client, `mr${++seq}`, "apex+www");
    await client.deleteEndpoint(e.objects.get("failover")!.id);
    const s = await status(e);
    expect(s.verdict).toBe("misconfigured");
    expect(s.problems[0]).toBe(`on_failure_url points at no endpoint of this account (endpoint "${e.name} failover" missing)`);
  });

  test("a latch deleted, disabled, or firing somewhere else", async () => {
    const d = await deployMulti(emu, client, `mr${++seq}`, "apex+www");
    await emu.advance(MINUTE);
    expect((await status(d)).verdict).toBe("healthy");
    await client.deleteMonitor(d.objects.get("latch2")!.id);
    const s = await status(d);
    expect(s.verdict).toBe("misconfigured");
    expect(s.reason).toBe(`the "${d.name} latch-2" monitor is missing: nothing makes up for a lost recovery hook`);
    expect(s.latches?.map((m) => m.name)).toEqual([`${d.name} latch`]);

    const e = await deployMulti(emu, client, `mr${++seq}`, "a+aaaa");
    const latch = e.objects.get("latch")!.id;
    await client.updateMonitor(latch, { enabled: false });
    expect((await status(e)).problems).toEqual([`the "${e.name} latch" monitor is disabled: it never puts the primary back`]);
    await client.updateMonitor(latch, { enabled: true, onFailureUrl: (await client.getEndpoint(e.objects.get("recovery")!.id)).inboundUrl });
    // Straight to one recovery endpoint instead of the restore fan-out: the AAAA record would stay on the backup.
    expect((await status(e)).problems).toEqual([`the "${e.name} latch" monitor's on_failure_url does not point at the "${e.name} restore" endpoint: it cannot put the primary back`]);
  });
});

test("edge wiring, A + AAAA: the fan-out and restore endpoints are followed; healthy, then failed-over", async () => {
  const d = await deployMulti(emu, client, `mr${++seq}`, "a+aaaa", "edge");
  const f = await findFailover(client, d.taskId);
  expect(f.problems).toEqual([]);
  expect([f.fanout?.id, f.restore?.id, f.latches]).toEqual([d.objects.get("fanout")!.id, d.objects.get("restore")!.id, []]);
  await emu.advance(2 * MINUTE);
  expect((await status(d)).verdict).toBe("healthy");
  d.health("fail");
  await emu.advance(2 * MINUTE);
  const s = await status(d);
  expect(s).toMatchObject({ verdict: "failed-over" });
  expect(s.latches).toBeUndefined();
  expect(contents(d)).toEqual([BACKUP, V6.backup]);
});

test("status --json: one entry per failover, its records and latches; the single-record fields are the first record's", async () => {
  const d = await deployMulti(emu, client, `mr${++seq}`, "a+aaaa");
  await emu.advance(2 * MINUTE);
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
  const deps = { clock: virtualClock(emu), env: { RUNLATER_API_KEY: emu.apiKey, RUNLATER_API_URL: emu.runlaterApiUrl } };
  expect(await runStatusCommand(["--task", d.taskId, "--json", "--primary", PRIMARY], io, undefined, deps)).toBe(0);
  const j = JSON.parse(out.join("\n"));
  expect(j.exitCode).toBe(0);
  expect(j.failovers).toHaveLength(1);
  const f = j.failovers[0];
  expect(f).toMatchObject({ verdict: "healthy", primary: PRIMARY, backup: BACKUP, record: { shows: "primary" }, problems: [] });
  expect(f.records.map((r: { label: string; verdict: string; failoverEndpoint: string; recoveryEndpoint: string }) => [r.label, r.verdict, r.failoverEndpoint, r.recoveryEndpoint])).toEqual([
    [`${d.records[0]!.fqdn} A`, "healthy", `${d.name} failover`, `${d.name} recovery`],
    [`${d.records[1]!.fqdn} AAAA`, "healthy", `${d.name} failover-2`, `${d.name} recovery-2`],
  ]);
  expect(f.latches).toHaveLength(2);
  expect(out.join("\n")).not.toMatch(/\/in\/ep_|\/ping\/|cf-test-token/);
  await client.deleteMonitor(d.objects.get("latch")!.id);
  out.length = 0;
  expect(await runStatusCommand(["--task", d.taskId], io, undefined, deps)).toBe(2);
  expect(out.join("\n")).toContain(`${d.name}: misconfigured — the "${d.name} latch" monitor is missing`);
});
