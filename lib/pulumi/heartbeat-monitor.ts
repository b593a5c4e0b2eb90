/**
 * `HeartbeatMonitor`: a Runlater heartbeat monitor (dead-man's switch) as a Pulumi dynamic
 * resource. Type token `pulumi-nodejs:dynamic/runlater:HeartbeatMonitor`.
 *
 * Runlater expects a ping at `pingUrl` every `intervalSeconds` (or at every `cronExpression`
 * time). When none arrives within `gracePeriodSeconds` after the expected time, the monitor goes
 * `down` and POSTs `onFailureUrl` once; the next ping brings it `up` and POSTs `onRecoveryUrl`.
 * A monitor that was never pinged never goes down (`app/monitors.ex`, `app/monitor_checker.ex`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { UUID_PATTERN } from "../runlater/client-checks";
import { isNotFound, isRunlaterApiError } from "../runlater/errors";
import type { Monitor, MonitorScheduleType, MonitorSpec, MonitorStatus } from "../runlater/model";
import { validateMonitorSpec } from "../runlater/validate";
import { wasAdoptedByReplay } from "../runlater/idempotency";
import {
  changedKeys,
  clientFromConfig,
  hasLegacyProvider,
  isUnknown,
  partialCreateError,
  providerShim,
  SCHEMA_VERSION,
  storeProviderConfig,
  toFailures,
} from "./provider-support";
import { createScope, providerScope } from "./create-scope";
import { mergeSecretOutputs, RunlaterDynamicResource } from "./resource-support";

/** Arguments of {@link HeartbeatMonitor}. */
export interface HeartbeatMonitorArgs {
  /** Monitor name shown in Runlater. At most 255 characters. @default the Pulumi resource name */
  name?: pulumi.Input<string>;
  /** `interval` (a ping every `intervalSeconds`) or `cron` (a ping at every `cronExpression` time, UTC). @default "interval" */
  scheduleType?: pulumi.Input<MonitorScheduleType>;
  /** Seconds between expected pings, 60..604800 (one minute to one week). Used when `scheduleType` is `interval`. @default 60 */
  intervalSeconds?: pulumi.Input<number>;
  /** Five-field cron expression (UTC) of the expected pings. Required when `scheduleType` is `cron`. */
  cronExpression?: pulumi.Input<string>;
  /** Seconds after the expected ping before the monitor goes down, 0..3600. @default 300 (Runlater's default) */
  gracePeriodSeconds?: pulumi.Input<number>;
  /** Accept and check pings (a disabled monitor answers pings with 410 and never goes down). @default true */
  enabled?: pulumi.Input<boolean>;
  /** Called (POST, `monitor.down`) when the monitor goes down. @default none */
  onFailureUrl?: pulumi.Input<string>;
  /** Called (POST, `monitor.up`) when a ping arrives while it is down. @default none */
  onRecoveryUrl?: pulumi.Input<string>;
  /** Organisation notification override for a monitor going down. @default the organisation's setting */
  notifyOnFailure?: pulumi.Input<boolean>;
  /** Organisation notification override for a monitor coming back. @default the organisation's setting */
  notifyOnRecovery?: pulumi.Input<boolean>;
  /** Id (UUID) of an existing monitor to adopt instead of creating one (see `HealthCheckTaskArgs.adoptId`). */
  adoptId?: pulumi.Input<string>;
}

/** Plain inputs as the provider receives them (after `check`). */
export interface HeartbeatMonitorProviderInputs {
  name: string;
  scheduleType: MonitorScheduleType;
  intervalSeconds: number | null;
  cronExpression: string | null;
  gracePeriodSeconds: number;
  enabled: boolean;
  onFailureUrl: string | null;
  onRecoveryUrl: string | null;
  notifyOnFailure: boolean | null;
  notifyOnRecovery: boolean | null;
  /**
   * Set by the resource (never by hand): `<project>/<stack>/<type>/<name>`, the scope of the
   * create's Idempotency-Key (see `lib/pulumi/create-scope.ts`). Not diffed; only create reads it.
   */
  idempotencyScope?: string;
  adoptId?: string;
}

/** Outputs recorded in state. */
export interface HeartbeatMonitorProviderOutputs extends HeartbeatMonitorProviderInputs {
  schemaVersion: number;
  /** Runlater monitor id (UUIDv7); also the resource id. */
  monitorId: string;
  /** `pm_` + 32 characters. Secret: whoever knows it can ping. */
  pingToken: string;
  /** `https://runlater.eu/ping/<token>` (GET or POST, no auth). Secret for the same reason. */
  pingUrl: string;
  /** `new`, `up`, `down` or `paused`, as of the last create/read/update. Not managed. */
  status: MonitorStatus;
  /** Last ping (ISO-8601 UTC) as of the last read, or null. Not managed. */
  lastPingAt: string | null;
  /** When the next ping is due (ISO-8601 UTC) as of the last read, or null. Not managed. */
  nextExpectedAt: string | null;
}

/** Managed input keys; all are updated in place. */
export const HEARTBEAT_MONITOR_KEYS = [
  "name",
  "scheduleType",
  "intervalSeconds",
  "cronExpression",
  "gracePeriodSeconds",
  "enabled",
  "onFailureUrl",
  "onRecoveryUrl",
  "notifyOnFailure",
  "notifyOnRecovery",
] as const;

/** Defaults applied in `check` (`gracePeriodSeconds` is Runlater's own default). */
export const HEARTBEAT_MONITOR_DEFAULTS = {
  scheduleType: "interval" as MonitorScheduleType,
  intervalSeconds: 60,
  gracePeriodSeconds: 300,
  enabled: true,
};

function orNull<T>(v: T | undefined | null | ""): T | null {
  return v === undefined || v === null || v === "" ? null : v;
}

/** Defaults + normalisation: an interval monitor gets `intervalSeconds` 60 unless given; cron whitespace collapsed. */
export function normalizeMonitorInputs(news: Record<string, unknown>): HeartbeatMonitorProviderInputs {
  const scheduleType = (news.scheduleType ?? HEARTBEAT_MONITOR_DEFAULTS.scheduleType) as MonitorScheduleType;
  const cron =
    typeof news.cronExpression === "string" && !isUnknown(news.cronExpression)
      ? news.cronExpression.trim().replace(/\s+/g, " ")
      : news.cronExpression;
  const interval =
    news.intervalSeconds ?? (scheduleType === "interval" ? HEARTBEAT_MONITOR_DEFAULTS.intervalSeconds : null);
  const out: HeartbeatMonitorProviderInputs = {
    name: news.name as string,
    scheduleType,
    intervalSeconds: interval as number | null,
    cronExpression: orNull(cron as string | null),
    gracePeriodSeconds: (news.gracePeriodSeconds as number) ?? HEARTBEAT_MONITOR_DEFAULTS.gracePeriodSeconds,
    enabled: (news.enabled as boolean) ?? HEARTBEAT_MONITOR_DEFAULTS.enabled,
    onFailureUrl: orNull(news.onFailureUrl as string | null),
    onRecoveryUrl: orNull(news.onRecoveryUrl as string | null),
    notifyOnFailure: (news.notifyOnFailure as boolean | null) ?? null,
    notifyOnRecovery: (news.notifyOnRecovery as boolean | null) ?? null,
  };
  if (news.adoptId !== undefined && news.adoptId !== null && news.adoptId !== "") out.adoptId = news.adoptId as string;
  if (typeof news.idempotencyScope === "string") out.idempotencyScope = news.idempotencyScope;
  return out;
}

function toSpec(i: HeartbeatMonitorProviderInputs): MonitorSpec {
  const spec: MonitorSpec = { name: i.name };
  for (const k of HEARTBEAT_MONITOR_KEYS) (spec as unknown as Record<string, unknown>)[k] = i[k];
  return spec;
}

/** Live monitor → outputs. */
export function monitorToOutputs(m: Monitor, adoptId?: string): HeartbeatMonitorProviderOutputs {
  const out: HeartbeatMonitorProviderOutputs = {
    schemaVersion: SCHEMA_VERSION,
    monitorId: m.id,
    pingToken: m.pingToken,
    pingUrl: m.pingUrl,
    status: m.status,
    lastPingAt: m.lastPingAt,
    nextExpectedAt: m.nextExpectedAt,
    name: m.name,
    scheduleType: m.scheduleType,
    intervalSeconds: m.intervalSeconds,
    cronExpression: orNull(m.cronExpression),
    gracePeriodSeconds: m.gracePeriodSeconds,
    enabled: m.enabled,
    onFailureUrl: orNull(m.onFailureUrl),
    onRecoveryUrl: orNull(m.onRecoveryUrl),
    notifyOnFailure: m.notifyOnFailure,
    notifyOnRecovery: m.notifyOnRecovery,
  };
  if (adoptId) out.adoptId = adoptId;
  return out;
}

function inputsOf(o: HeartbeatMonitorProviderOutputs): HeartbeatMonitorProviderInputs {
  const i: Record<string, unknown> = {};
  for (const k of HEARTBEAT_MONITOR_KEYS) i[k] = o[k];
  if (o.adoptId) i.adoptId = o.adoptId;
  return i as unknown as HeartbeatMonitorProviderInputs;
}

/** The dynamic provider behind {@link HeartbeatMonitor}. Holds no state of its own. */
export class HeartbeatMonitorProvider
  implements pulumi.dynamic.ResourceProvider<HeartbeatMonitorProviderInputs, HeartbeatMonitorProviderOutputs>
{
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    storeProviderConfig(req.config);
  }

  async check(_olds: HeartbeatMonitorProviderInputs, news: HeartbeatMonitorProviderInputs): Promise<pulumi.dynamic.CheckResult> {
    const raw = (news ?? {}) as unknown as Record<string, unknown>;
    const inputs = normalizeMonitorInputs(raw);
    const issues = validateMonitorSpec(inputs as unknown as Record<string, unknown>, { isUnknown });
    const adopt = raw.adoptId;
    if (adopt !== undefined && adopt !== null && adopt !== "" && !isUnknown(adopt) && !(typeof adopt === "string" && UUID_PATTERN.test(adopt))) {
      issues.push({ field: "adoptId", message: "must be a Runlater monitor id (a UUID)" });
    }
    return { inputs, failures: toFailures(issues) };
  }

  async diff(
    id: string,
    olds: HeartbeatMonitorProviderOutputs,
    news: HeartbeatMonitorProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const changed = changedKeys(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      HEARTBEAT_MONITOR_KEYS,
    );
    const replaces: string[] = [];
    if (news.adoptId !== undefined && news.adoptId !== id && news.adoptId !== olds.adoptId) {
      changed.push("adoptId");
      replaces.push("adoptId");
    }
    if (hasLegacyProvider(olds)) changed.push("__provider");
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: HeartbeatMonitorProviderInputs): Promise<pulumi.dynamic.CreateResult<HeartbeatMonitorProviderOutputs>> {
    const client = clientFromConfig();
    if (inputs.adoptId) {
      const existing = await client.getMonitor(inputs.adoptId).catch((e) => {
        if (isNotFound(e)) {
          throw new Error(`adoptId: Runlater monitor ${inputs.adoptId} does not exist (or belongs to another organisation)`);
        }
        throw e;
      });
      try {
        const updated = await client.updateMonitor(existing.id, toSpec(inputs));
        return { id: updated.id, outs: monitorToOutputs(updated, inputs.adoptId) };
      } catch (e) {
        throw partialCreateError(
          `adopted monitor ${existing.id} but could not update it: ${(e as Error).message}`,
          existing.id,
          monitorToOutputs(existing, inputs.adoptId) as unknown as Record<string, unknown>,
        );
      }
    }
    try {
      // One key per logical create, stable across runs (a lost reply is answered by the replay).
      const m = await client.createMonitor(toSpec(inputs), { idempotencyScope: providerScope("HeartbeatMonitor", inputs.idempotencyScope) });
      return { id: m.id, outs: monitorToOutputs(m) };
    } catch (e) {
      // The monitor was made but its reply was unreadable: record the id so it is not orphaned
      // (the next refresh reads the rest).
      if (isRunlaterApiError(e) && e.objectId) {
        throw partialCreateError(e.message, e.objectId, { ...inputs, monitorId: e.objectId, schemaVersion: SCHEMA_VERSION });
      }
      throw e;
    }
  }

  async read(id: string, props?: HeartbeatMonitorProviderOutputs): Promise<pulumi.dynamic.ReadResult<HeartbeatMonitorProviderOutputs>> {
    const client = clientFromConfig();
    try {
      const m = await client.getMonitor(id);
      const outs = monitorToOutputs(m, props?.adoptId);
      return { id: m.id, props: outs, inputs: inputsOf(outs) as HeartbeatMonitorProviderOutputs };
    } catch (e) {
      if (isNotFound(e)) return {};
      throw e;
    }
  }

  async update(
    id: string,
    olds: HeartbeatMonitorProviderOutputs,
    news: HeartbeatMonitorProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<HeartbeatMonitorProviderOutputs>> {
    const client = clientFromConfig();
    const changed = changedKeys(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      HEARTBEAT_MONITOR_KEYS,
    ) as (typeof HEARTBEAT_MONITOR_KEYS)[number][];
    const patch: Record<string, unknown> = {};
    for (const k of changed) patch[k] = news[k];
    const m = changed.length > 0 ? await client.updateMonitor(id, patch) : await client.getMonitor(id);
    return { outs: monitorToOutputs(m, news.adoptId ?? olds.adoptId) };
  }

  async delete(id: string, _props?: unknown): Promise<void> {
    // The old half of a replacement whose create got this same object back from Runlater's
    // idempotency replay (unchanged inputs within 24 h): the new resource owns it now.
    if (wasAdoptedByReplay(id)) return;
    const client = clientFromConfig();
    try {
      await client.deleteMonitor(id);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/** The single provider instance. */
export const heartbeatMonitorProvider = new HeartbeatMonitorProvider();
/** What state stores as `__provider`: a shim that loads `heartbeatMonitorProvider` from the package. */
const heartbeatMonitorShim = providerShim("pulumi/heartbeat-monitor", "heartbeatMonitorProvider");

/**
 * A Runlater heartbeat monitor. Give `pingUrl` to whatever must prove it is alive (e.g. a relay
 * endpoint's `forwardUrls`); `onFailureUrl` fires once when the pings stop for
 * `intervalSeconds + gracePeriodSeconds`.
 *
 * `pingToken` and `pingUrl` are secret outputs (anyone who has them can ping).
 */
export class HeartbeatMonitor extends RunlaterDynamicResource {
  /** Runlater monitor id (UUIDv7). */
  declare readonly monitorId: pulumi.Output<string>;
  /** `pm_…` token. Secret. */
  declare readonly pingToken: pulumi.Output<string>;
  /** The URL that pings the monitor (GET or POST, no auth). Secret. */
  declare readonly pingUrl: pulumi.Output<string>;
  /** `new`, `up`, `down` or `paused` as of the last deploy or refresh. */
  declare readonly status: pulumi.Output<MonitorStatus>;
  declare readonly lastPingAt: pulumi.Output<string | null>;
  declare readonly nextExpectedAt: pulumi.Output<string | null>;
  declare readonly name: pulumi.Output<string>;
  declare readonly scheduleType: pulumi.Output<MonitorScheduleType>;
  declare readonly intervalSeconds: pulumi.Output<number | null>;
  declare readonly cronExpression: pulumi.Output<string | null>;
  declare readonly gracePeriodSeconds: pulumi.Output<number>;
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly onFailureUrl: pulumi.Output<string | null>;
  declare readonly onRecoveryUrl: pulumi.Output<string | null>;
  declare readonly schemaVersion: pulumi.Output<number>;

  constructor(name: string, args: HeartbeatMonitorArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = {
      monitorId: undefined,
      pingToken: undefined,
      pingUrl: undefined,
      status: undefined,
      lastPingAt: undefined,
      nextExpectedAt: undefined,
      schemaVersion: undefined,
      ...(args ?? {}),
      name: args?.name ?? name,
      idempotencyScope: createScope("HeartbeatMonitor", name),
    };
    super(heartbeatMonitorShim, "HeartbeatMonitor", name, props, mergeSecretOutputs(opts, ["pingToken", "pingUrl"]));
  }

  /** Reads an existing monitor into the program (the `id` option); it is not managed. */
  static get(name: string, id: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions): HeartbeatMonitor {
    return new HeartbeatMonitor(name, {} as HeartbeatMonitorArgs, { ...opts, id });
  }
}
