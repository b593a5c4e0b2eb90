/**
 * `drill` on a failover of several records, on the emulator in virtual time: the endpoint drill
 * triggers every failover endpoint (not the relay: the latches are left alone) and the restore
 * fan-out, the full drill goes through the real chain; every record flips and comes back; the
 * drill refuses `--name` and a record off its primary, and an interrupted drill is put back
 * through the restore endpoint.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { type DrillOptions, runDrill } from "../../lib/ops/drill";
import { TASK_FIELDS } from "../../lib/ops/restore";
import { closeAllPools, type RunlaterClient, type Task } from "../../lib/runlater";
import { clientFor, type DeployedMulti, deployMulti, MINUTE, tempDir, V6, virtualClock } from "./helpers";

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
const contents = (d: DeployedMulti) => d.records.map((r) => r.content());
const opts = (d: DeployedMulti, extra: Partial<DrillOptions> = {}): DrillOptions => ({ client, taskId: d.taskId, journalPath: journal, clock: virtualClock(emu), pollMs: 5000, ...extra });

async function deployed(set: "a+aaaa" | "apex+www"): Promise<DeployedMulti> {
  const d = await deployMulti(emu, client, `dm${++seq}`, set);
  await emu.advance(2 * MINUTE);
  return d;
}

test("A + AAAA endpoint drill: both failover endpoints, every record on its backup, the restore fan-out, every record back", async () => {
  const d = await deployed("a+aaaa");
  const before = pick(await client.getTask(d.taskId));
  const seen: (string | undefined)[][] = [];
  const r = await runDrill(opts(d, { resolver: `127.0.0.1:${emu.dnsPort}`, onProgress: () => seen.push(contents(d)) }));
  expect(r).toMatchObject({ verdict: "passed", restored: true });
  expect(r.steps.map((s) => s.name)).toEqual([
    "trigger the 2 failover endpoints",
    "every record shows its backup (DNS provider API)",
    `every record shows its backup (DNS 127.0.0.1:${emu.dnsPort})`,
    "trigger the restore endpoint",
    "every record back on its primary (DNS provider API)",
    `every record back on its primary (DNS 127.0.0.1:${emu.dnsPort})`,
  ]);
  expect(seen).toContainEqual(d.records.map((x) => x.backup));
  expect(r.steps[2]!.detail).toBe(`${d.records[0]!.fqdn} ${d.records[0]!.backup}, ${d.records[1]!.fqdn} ${V6.backup}`);
  expect(contents(d)).toEqual(d.records.map((x) => x.primary));
  expect(pick(await client.getTask(d.taskId))).toEqual(before);
  expect(existsSync(journal)).toBe(false);
  // The relay was not used: no latch was pinged.
  expect((await client.listMonitors()).filter((m) => m.name.startsWith(`${d.name} latch`)).map((m) => m.status)).toEqual(["new", "new"]);
});

test("apex + www full drill: one shared failover endpoint, the real chain flips both records and brings them back", async () => {
  const d = await deployed("apex+www");
  const before = pick(await client.getTask(d.taskId));
  const r = await runDrill(opts(d, { mode: "full" }));
  expect(r).toMatchObject({ verdict: "passed", restored: true, mode: "full" });
  expect(r.steps.map((s) => s.name)).toEqual([
    "point the health check at a failing URL",
    "every record shows its backup (DNS provider API)",
    "restore the health check's URL",
    "every record back on its primary (DNS provider API)",
  ]);
  expect(pick(await client.getTask(d.taskId))).toEqual(before);
  expect(contents(d)).toEqual(d.records.map((x) => x.primary));
});

test("refuses --name and a record that is not on its primary, changing nothing", async () => {
  const d = await deployed("a+aaaa");
  const n = await runDrill(opts(d, { fqdn: "www.example.com" }));
  expect(n).toMatchObject({ verdict: "refused", steps: [] });
  expect(n.reason).toBe(`--name names the record of a one-record failover; "${d.name}" has 2 records, whose names come from their stored requests or the provider API`);
  const fo = await client.getEndpoint(d.objects.get("failover-2")!.id);
  await fetch(`${emu.url}/in/${fo.slug}`, { method: "POST" });
  await emu.advance(1000);
  expect(contents(d)).toEqual([d.records[0]!.primary, V6.backup]);
  const off = await runDrill(opts(d));
  expect(off.verdict).toBe("refused");
  expect(off.reason).toBe(`record ${d.records[1]!.fqdn} AAAA is not on its primary ${V6.primary} (it shows ${V6.backup}): use --force to drill anyway`);
  expect(contents(d)).toEqual([d.records[0]!.primary, V6.backup]);
});

test("aborted after the failover: the cleanup triggers the restore endpoint and every record is back", async () => {
  const d = await deployed("a+aaaa");
  const ac = new AbortController();
  const r = await runDrill(
    opts(d, {
      signal: ac.signal,
      onProgress: (e) => {
        if (e.type === "step" && e.step.name.startsWith("trigger the 2")) ac.abort();
      },
    }),
  );
  expect(r).toMatchObject({ verdict: "failed", reason: "aborted", restored: true });
  expect(r.steps.at(-1)).toMatchObject({ name: "trigger the restore endpoint (cleanup)", ok: true });
  await emu.advance(1000);
  expect(contents(d)).toEqual(d.records.map((x) => x.primary));
  expect(existsSync(journal)).toBe(false);
});

test("an endpoint drill that died with every record on its backup is repaired through the restore endpoint", async () => {
  const d = await deployed("a+aaaa");
  const { writeJournal } = await import("../../lib/ops/journal");
  writeJournal(journal, { version: 1, mode: "endpoint", name: d.name, taskId: d.taskId, recoveryEndpointId: d.objects.get("restore")!.id, startedAt: "2026-01-01T00:00:00Z", pid: 1 });
  for (const key of ["failover", "failover-2"] as const) await fetch(`${emu.url}/in/${(await client.getEndpoint(d.objects.get(key)!.id)).slug}`, { method: "POST" });
  await emu.advance(1000);
  expect(contents(d)).toEqual(d.records.map((x) => x.backup));
  // The repair's forwards are still in flight when the preflight reads the records: --force.
  const r = await runDrill(opts(d, { force: true }));
  expect(r.repaired).toEqual([expect.stringMatching(/^triggered the recovery endpoint of "dm\d+"/)]);
  expect(r.verdict).toBe("passed");
  expect(contents(d)).toEqual(d.records.map((x) => x.primary));
});
