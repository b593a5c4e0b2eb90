/**
 * API calls per lifecycle operation of one DnsFailover (convergent wiring, 8 Runlater objects),
 * counted by the emulator, for each layout (`resources: "compact"`, the default, and
 * `"per-object"`).
 *
 * Every step runs the real component through the local engine (the deserialized dynamic
 * providers): create; the same program again (the providers' `diff` finds nothing: no-op
 * update); the program with another backup IP (update); destroy. Refresh reads every resource
 * the engine recorded with its provider's `read`, as `pulumi refresh` does.
 */
import type { Emulator } from "../lib/emulator";
import { failoverObjectsProvider } from "../lib/pulumi/failover-objects-provider";
import { forwardEndpointProvider } from "../lib/pulumi/forward-endpoint";
import { healthCheckTaskProvider } from "../lib/pulumi/health-check-task";
import { heartbeatMonitorProvider } from "../lib/pulumi/heartbeat-monitor";
import { type LocalResource, startLocalEngine } from "../lib/pulumi/local-engine";
import { runlaterCalls, runlaterCallsByRoute } from "./flow";
import { type Row, row, seedCloudflareRecord } from "./support";

/** The figures of one layout. */
export interface ApiCallsLayoutResult {
  create: number;
  createRoutes: Record<string, number>;
  noopUpdate: number;
  /** Resources the no-op program updated (0 expected). */
  noopChanged: number;
  refresh: number;
  changeBackup: number;
  changeBackupRoutes: Record<string, number>;
  destroy: number;
  leftAfterDestroy: number;
}

/** The figures of both layouts. */
export type ApiCallsResult = Record<"compact" | "per-object", ApiCallsLayoutResult>;

const LAYOUTS = ["compact", "per-object"] as const;

/**
 * `pulumi refresh`: one `read` per recorded dynamic resource, through the provider of its type
 * (configured process-wide by the caller's `configureProviders`).
 */
async function refreshAll(resources: readonly LocalResource[]): Promise<void> {
  const byType: Record<string, { read?: (id: string, props?: never) => Promise<unknown> }> = {
    FailoverObjects: failoverObjectsProvider,
    ForwardEndpoint: forwardEndpointProvider,
    HealthCheckTask: healthCheckTaskProvider,
    HeartbeatMonitor: heartbeatMonitorProvider,
  };
  for (const r of resources) {
    if (!r.type.startsWith("pulumi-nodejs:dynamic")) continue;
    const p = byType[r.type.split(":").pop()!];
    if (!p?.read) throw new Error(`no provider for ${r.type}`);
    await p.read(r.id, r.outputs as never);
  }
}

export async function benchApiCalls(
  emu: Emulator,
  config: Record<string, string>,
  cfToken: string,
): Promise<{ rows: Row[]; result: ApiCallsResult }> {
  const PRIMARY = "198.51.100.10";
  const BACKUP = "203.0.113.50";
  const NEW_BACKUP = "203.0.113.77";
  let updates = 0;
  const engine = startLocalEngine({ config, onUpdate: () => void updates++ });
  // Loaded after the mocks are installed, as a Pulumi program would be.
  const { DnsFailover } = await import("../lib/pulumi/dns-failover");
  const healthCheck = { url: "https://primary.example.com/health", cron: "* * * * *", timeoutMs: 10_000, expectedStatusCodes: [200] };

  const result = {} as ApiCallsResult;
  for (const resources of LAYOUTS) {
    const { dns } = seedCloudflareRecord(emu, PRIMARY, cfToken, `api-${resources}.example.com`);
    const name = `api-${resources}`;
    const deploy = async (backup: string) => {
      const f = new DnsFailover(name, { resources, healthCheck, primary: PRIMARY, backup, dns });
      await engine.value(f.taskId);
    };
    const mine = () => engine.resources.filter((r) => r.name === name || r.name.startsWith(`${name}-`));

    emu.resetStats();
    await deploy(BACKUP);
    const create = runlaterCalls(emu);
    const createRoutes = runlaterCallsByRoute(emu);

    emu.resetStats();
    updates = 0;
    await deploy(BACKUP);
    const noopUpdate = runlaterCalls(emu);
    const noopChanged = updates;

    emu.resetStats();
    await refreshAll(mine());
    const refresh = runlaterCalls(emu);

    emu.resetStats();
    await deploy(NEW_BACKUP);
    const changeBackup = runlaterCalls(emu);
    const changeBackupRoutes = runlaterCallsByRoute(emu);

    result[resources] = { create, createRoutes, noopUpdate, noopChanged, refresh, changeBackup, changeBackupRoutes, destroy: 0, leftAfterDestroy: 0 };
  }
  // The engine deletes everything it made, newest first.
  const count = () => emu.tasks().length + emu.endpoints().length + emu.monitors().length;
  const before = count();
  emu.resetStats();
  await engine.destroy();
  const destroyed = runlaterCalls(emu);
  const left = count();
  for (const resources of LAYOUTS) {
    result[resources].destroy = destroyed / LAYOUTS.length;
    result[resources].leftAfterDestroy = left;
  }

  const S = "API calls";
  const rows: Row[] = [];
  for (const resources of LAYOUTS) {
    const r = result[resources];
    const at = `(${resources})`;
    rows.push(
      row(S, `create one DnsFailover ${at}`, String(r.create), "8: one per object (edge wiring: 3; manual guide: 4)", r.create === 8, r.createRoutes),
      row(S, `no-op update ${at} (calls, resources updated)`, `${r.noopUpdate} (${r.noopChanged})`, "0 (0)", r.noopUpdate === 0 && r.noopChanged === 0),
      row(S, `refresh ${at}`, String(r.refresh), "8 (1 GET per object)", r.refresh === 8),
      row(
        S,
        `change backup IP ${at}`,
        String(r.changeBackup),
        "1 (the failover endpoint only)",
        r.changeBackup === 1 && (r.changeBackupRoutes["runlater.endpoints.update"] ?? 0) === 1,
        r.changeBackupRoutes,
      ),
    );
  }
  rows.push(
    row(S, "destroy (both layouts, local engine)", `${destroyed} (${left} left of ${before})`, "16 (0 left)", destroyed === 16 && left === 0),
  );
  return { rows, result };
}
