/**
 * API calls per lifecycle operation of one DnsFailover, counted by the emulator.
 *
 * Create and destroy run the real component through the local engine (the deserialized dynamic
 * providers); no-op update, refresh and the backup-IP change run the providers' `check`/`diff`/
 * `read`/`update` with the inputs the component builds from `planFailover`.
 */
import type { Emulator } from "../lib/emulator";
import { type FailoverPlanInput, planFailover } from "../lib/failover/plan";
import { startLocalEngine } from "../lib/pulumi/local-engine";
import { deployRun, type FailoverState, previewRun, refreshRun, runlaterCalls, runlaterCallsByRoute } from "./flow";
import { type Row, row, seedCloudflareRecord } from "./support";

export interface ApiCallsResult {
  create: number;
  noopUpdate: number;
  noopChanged: string[];
  refresh: number;
  changeBackup: number;
  changeBackupRoutes: Record<string, number>;
  changeBackupChanged: string[];
  destroy: number;
  createRoutes: Record<string, number>;
  leftAfterDestroy: number;
}

export async function benchApiCalls(
  emu: Emulator,
  config: Record<string, string>,
  cfToken: string,
): Promise<{ rows: Row[]; result: ApiCallsResult }> {
  const PRIMARY = "198.51.100.10";
  const BACKUP = "203.0.113.50";
  const NEW_BACKUP = "203.0.113.77";
  const { dns } = seedCloudflareRecord(emu, PRIMARY, cfToken, "api.example.com");
  const engine = startLocalEngine({ config });
  // Loaded after the mocks are installed, as a Pulumi program would be.
  const { DnsFailover } = await import("../lib/pulumi/dns-failover");

  const healthCheck = { url: "https://primary.example.com/health", cron: "* * * * *", timeoutMs: 10_000, expectedStatusCodes: [200] };
  const before = emu.stats().objects.total;
  emu.resetStats();
  const f = new DnsFailover("api", { healthCheck, primary: PRIMARY, backup: BACKUP, dns });
  await engine.value(f.taskId);
  const create = runlaterCalls(emu);
  const createRoutes = runlaterCallsByRoute(emu);

  // The state the engine recorded, as the provider path sees it.
  const byName = (n: string) => {
    const r = engine.resources.find((x) => x.name === n);
    if (!r) throw new Error(`local engine did not create ${n}`);
    return { id: r.id, outs: r.outputs };
  };
  const state: FailoverState = { failover: byName("api-failover"), recovery: byName("api-recovery"), task: byName("api-health") };
  const input: FailoverPlanInput = { name: "api", healthCheck, primary: PRIMARY, backup: BACKUP, dns };
  const plan = planFailover(input);

  emu.resetStats();
  const noopChanged = await previewRun(plan, state);
  const noopUpdate = runlaterCalls(emu);

  emu.resetStats();
  const refreshed = await refreshRun(state);
  if (!refreshed.ok) throw refreshed.error;
  const refresh = runlaterCalls(emu);

  const plan2 = planFailover({ ...input, backup: NEW_BACKUP });
  const changeBackupChanged = await previewRun(plan2, state);
  emu.resetStats();
  const up = await deployRun(plan2, state);
  if (!up.ok) throw up.error;
  const changeBackup = runlaterCalls(emu);
  const changeBackupRoutes = runlaterCallsByRoute(emu);

  emu.resetStats();
  await engine.destroy();
  const destroy = runlaterCalls(emu);
  const leftAfterDestroy = emu.stats().objects.total - before;

  const result: ApiCallsResult = {
    create,
    createRoutes,
    noopUpdate,
    noopChanged,
    refresh,
    changeBackup,
    changeBackupRoutes,
    changeBackupChanged,
    destroy,
    leftAfterDestroy,
  };
  const S = "API calls";
  const rows = [
    row(S, "create one DnsFailover (local engine)", String(create), "3 (manual guide: 4)", create === 3, createRoutes),
    row(S, "no-op update (diff x3, changes)", `${noopUpdate} (${noopChanged.length})`, "0 (0)", noopUpdate === 0 && noopChanged.length === 0),
    row(S, "refresh (read x3)", String(refresh), "3 (1 GET per resource)", refresh === 3),
    row(
      S,
      "change backup IP",
      `${changeBackup} (${changeBackupChanged.join(",")})`,
      "1 (failover endpoint only)",
      changeBackup === 1 && changeBackupChanged.join() === "failover" && (changeBackupRoutes["runlater.endpoints.update"] ?? 0) === 1,
      changeBackupRoutes,
    ),
    row(S, "destroy (local engine)", `${destroy} (${leftAfterDestroy} left)`, "3 (0 left)", destroy === 3 && leftAfterDestroy === 0),
  ];
  return { rows, result };
}
