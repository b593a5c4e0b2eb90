/**
 * `drill` end to end on the emulator in virtual time: the endpoint drill and the full-chain drill
 * flip the record and bring it back (checked through the provider API and the emulator's DNS
 * server), the health task is left exactly as it was (field by field) whatever happens — abort,
 * a timeout, a drill that dies mid-way (repaired by the next run) — and the drill refuses to run
 * during a real outage.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { type DrillEvent, type DrillOptions, drillFailUrl, runDrill } from "../../lib/ops/drill";
import { readJournal, writeJournal } from "../../lib/ops/journal";
import { TASK_FIELDS } from "../../lib/ops/restore";
import { closeAllPools, type RunlaterClient, type Task } from "../../lib/runlater";
import { BACKUP, clientFor, type Deployed, deploy, MINUTE, PRIMARY, tempDir, virtualClock } from "./helpers";

let emu: Emulator;
let client: RunlaterClient;
let tmp: ReturnType<typeof tempDir>;
let journal: string;
let seq = 0;

beforeAll(async () => {
  emu = await startEmulator({ allowPrivateTargets: true, virtualTimeoutCapMs: 200, rateLimit: false });
  client = clientFor(emu);
  tmp = tempDir();
});
afterAll(async () => {
  await emu.close();
  await closeAllPools();
  tmp.remove();
});
beforeEach(() => {
  journal = join(tmp.dir, `journal-${++seq}.json`);
});

const pick = (t: Task) => Object.fromEntries(TASK_FIELDS.map((k) => [k, t[k]]));

async function deployed(provider: Parameters<typeof deploy>[3] = "cloudflare"): Promise<Deployed> {
  const d = await deploy(emu, client, `drill${++seq}`, provider);
  await emu.advance(2 * MINUTE); // a few healthy checks
  return d;
}

function opts(d: Deployed, extra: Partial<DrillOptions> = {}): DrillOptions {
  return { client, taskId: d.taskId, journalPath: journal, clock: virtualClock(emu), pollMs: 5000, ...extra };
}

describe("endpoint drill", () => {
  test.each(["cloudflare", "digitalocean", "hetzner", "porkbun"] as const)("%s: flips to the backup and back, through the API and DNS", async (provider) => {
    const d = await deployed(provider);
    const before = pick(await client.getTask(d.taskId));
    const events: DrillEvent[] = [];
    const seen: (string | undefined)[] = [];
    const r = await runDrill(
      opts(d, {
        resolver: `127.0.0.1:${emu.dnsPort}`,
        onProgress: (e) => {
          events.push(e);
          seen.push(d.content());
        },
      }),
    );
    expect(r).toMatchObject({ verdict: "passed", restored: true, name: d.name, mode: "endpoint" });
    expect(r.steps.map((s) => s.name)).toEqual([
      "trigger the failover endpoint",
      "record shows the backup (DNS provider API)",
      `record shows the backup (DNS 127.0.0.1:${emu.dnsPort})`,
      "trigger the recovery endpoint",
      "record back on the primary (DNS provider API)",
      `record back on the primary (DNS 127.0.0.1:${emu.dnsPort})`,
    ]);
    expect(r.steps.every((s) => s.ok && s.durationMs >= 0)).toBe(true);
    expect(seen).toContain(BACKUP);
    expect(d.content()).toBe(PRIMARY);
    expect(r.steps[2]!.detail).toContain(BACKUP);
    expect(pick(await client.getTask(d.taskId))).toEqual(before);
    expect(existsSync(journal)).toBe(false);
    expect(events.some((e) => e.type === "note" && e.message.includes(`primary ${PRIMARY} → backup ${BACKUP}`))).toBe(true);
  });

  test("refuses during a real outage, and when the record is not on the primary, unless forced", async () => {
    const d = await deployed();
    d.health("fail");
    await emu.advance(MINUTE);
    expect(d.content()).toBe(BACKUP); // the real failover happened
    const r = await runDrill(opts(d));
    expect(r).toMatchObject({ verdict: "refused", restored: true });
    expect(r.reason).toMatch(/primary is currently unhealthy/);
    expect(r.steps).toHaveLength(0);
    d.health("ok");
    await emu.advance(MINUTE);
    expect(d.content()).toBe(PRIMARY);
    // Record on the backup while healthy (someone changed it): refused, forced runs.
    await fetch(`${emu.url}/in/${(await client.getEndpoint(d.failoverId)).slug}`, { method: "POST" });
    await emu.advance(1000);
    expect(d.content()).toBe(BACKUP);
    expect((await runDrill(opts(d))).reason).toMatch(/not on the primary 198\.51\.100\.10 \(it shows 203\.0\.113\.50\)/);
    expect((await runDrill(opts(d, { force: true }))).verdict).toBe("passed");
    expect(d.content()).toBe(PRIMARY);
  });

  test("a failover whose forward fails: the wait times out, verdict failed, the recovery still runs", async () => {
    const d = await deployed();
    emu.dns("cloudflare").failNext("server_error", 1, "cloudflare.dns_records.patch");
    const r = await runDrill(opts(d, { stepTimeoutMs: 30_000 }));
    expect(r.verdict).toBe("failed");
    expect(r.reason).toMatch(/record shows the backup \(DNS provider API\): still 198\.51\.100\.10 after 30 s/);
    expect(r.steps.at(-1)).toMatchObject({ name: "trigger the recovery endpoint (cleanup)", ok: true });
    expect(r.restored).toBe(true);
    expect(existsSync(journal)).toBe(false);
  });
});

describe("convergent wiring", () => {
  test("finds the 8 objects; endpoint and full drills pass and leave the task as it was", async () => {
    const d = await deploy(emu, client, `drill${++seq}`, "cloudflare", "converge");
    expect([...d.objects.keys()].sort()).toEqual(["failover", "health", "latch", "latch2", "probe", "pulse", "recovery", "relay"]);
    await emu.advance(2 * MINUTE);
    const { findFailover } = await import("../../lib/ops/discover");
    const f = await findFailover(client, d.taskId);
    expect(f.problems).toEqual([]);
    expect([f.failover?.id, f.recovery?.id, f.probe?.id, f.relay?.id, f.pulse?.id]).toEqual(
      (["failover", "recovery", "probe", "relay", "pulse"] as const).map((k) => d.objects.get(k)!.id),
    );
    const before = pick(await client.getTask(d.taskId));
    expect((await runDrill(opts(d))).verdict).toBe("passed");
    const full = await runDrill(opts(d, { mode: "full" }));
    expect(full).toMatchObject({ verdict: "passed", restored: true });
    expect(pick(await client.getTask(d.taskId))).toEqual(before);
    expect(d.content()).toBe(PRIMARY);
  });
});

describe("full drill", () => {
  test("points the health check at a 404 path, flips, restores the task field by field, recovers", async () => {
    const d = await deployed("hetzner");
    const before = pick(await client.getTask(d.taskId));
    let journalSeen: ReturnType<typeof readJournal>;
    let mode: number | undefined;
    const r = await runDrill(
      opts(d, {
        mode: "full",
        resolver: `127.0.0.1:${emu.dnsPort}`,
        onProgress: (e) => {
          if (e.type === "step" && e.step.name === "point the health check at a failing URL") {
            journalSeen = readJournal(journal);
            mode = statSync(journal).mode & 0o777;
          }
        },
      }),
    );
    expect(r).toMatchObject({ verdict: "passed", restored: true, mode: "full" });
    expect(r.steps.map((s) => s.name)).toEqual([
      "point the health check at a failing URL",
      "record shows the backup (DNS provider API)",
      `record shows the backup (DNS 127.0.0.1:${emu.dnsPort})`,
      "restore the health check's URL",
      "record back on the primary (DNS provider API)",
      `record back on the primary (DNS 127.0.0.1:${emu.dnsPort})`,
    ]);
    // The flip takes up to one cron interval + the check's timeout (virtual time).
    expect(r.steps[1]!.durationMs).toBeLessThanOrEqual(MINUTE + 5000 + 5000);
    expect(pick(await client.getTask(d.taskId))).toEqual(before);
    expect(d.content()).toBe(PRIMARY);
    expect(journalSeen).toMatchObject({ mode: "full", taskId: d.taskId, originalUrl: d.healthUrl, drillUrl: drillFailUrl(d.healthUrl) });
    expect(JSON.stringify(journalSeen)).not.toMatch(/token|\/in\/ep_|sk_/);
    expect(mode).toBe(0o600);
    expect(existsSync(journal)).toBe(false);
  });

  test("Ctrl-C (abort) while waiting: the task is restored before the drill returns", async () => {
    const d = await deployed();
    const before = pick(await client.getTask(d.taskId));
    const ac = new AbortController();
    const r = await runDrill(
      opts(d, {
        mode: "full",
        signal: ac.signal,
        onProgress: (e) => {
          if (e.type === "step" && e.step.name.startsWith("point")) ac.abort();
        },
      }),
    );
    expect(r).toMatchObject({ verdict: "failed", reason: "aborted", restored: true });
    expect(r.steps.at(-1)).toMatchObject({ name: "restore the health check's URL (cleanup)", ok: true, detail: "every field as before" });
    expect(pick(await client.getTask(d.taskId))).toEqual(before);
    expect(existsSync(journal)).toBe(false);
  });

  test("a health check that never fails (server answers 200 everywhere): timeout, restored", async () => {
    const d = await deployed();
    const before = pick(await client.getTask(d.taskId));
    const r = await runDrill(opts(d, { mode: "full", failUrl: d.healthUrl.replace(/\/targets\/.*/, "/targets/always-ok"), stepTimeoutMs: 3 * MINUTE }));
    expect(r.verdict).toBe("failed");
    expect(r.reason).toMatch(/still 198\.51\.100\.10 after 180 s/);
    expect(pick(await client.getTask(d.taskId))).toEqual(before);
  });

  test("a drill that died after changing the task is repaired by the next run", async () => {
    const d = await deployed();
    const before = pick(await client.getTask(d.taskId));
    // What a drill killed mid-way leaves: the journal, and the task on the failing URL.
    const failUrl = drillFailUrl(d.healthUrl);
    writeJournal(journal, { version: 1, mode: "full", name: d.name, taskId: d.taskId, recoveryEndpointId: d.recoveryId, originalUrl: d.healthUrl, drillUrl: failUrl, startedAt: "2026-01-01T00:00:00Z", pid: 1 });
    await client.updateCronTask(d.taskId, { url: failUrl });
    await emu.advance(MINUTE);
    expect(d.content()).toBe(BACKUP);
    // The next run repairs first, then drills (the health check recovers in between).
    const r = await runDrill(opts(d, { force: true }));
    expect(r.repaired).toEqual([expect.stringMatching(/^restored the health check URL of "drill\d+"/)]);
    expect(pick(await client.getTask(d.taskId))).toEqual(before);
    expect(r.verdict).toBe("passed");
    expect(d.content()).toBe(PRIMARY);
    expect(existsSync(journal)).toBe(false);
  });

  test("an endpoint drill that died on the backup is repaired by triggering recovery", async () => {
    const d = await deployed();
    writeJournal(journal, { version: 1, mode: "endpoint", name: d.name, taskId: d.taskId, recoveryEndpointId: d.recoveryId, startedAt: "2026-01-01T00:00:00Z", pid: 1 });
    await fetch(`${emu.url}/in/${(await client.getEndpoint(d.failoverId)).slug}`, { method: "POST" });
    await emu.advance(1000);
    expect(d.content()).toBe(BACKUP);
    const r = await runDrill(opts(d, { taskId: "00000000-0000-7000-8000-000000000000" }));
    expect(r.repaired).toEqual([expect.stringMatching(/^triggered the recovery endpoint of "drill\d+"/)]);
    expect(r.verdict).toBe("refused"); // the unknown task id, after the repair
    await emu.advance(1000);
    expect(d.content()).toBe(PRIMARY);
    expect(existsSync(journal)).toBe(false);
  });
});
