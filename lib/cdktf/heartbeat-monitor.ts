/**
 * `HeartbeatMonitor`: a Runlater heartbeat monitor (dead-man's switch) as a `restful_resource`.
 * Prop names and defaults match the Pulumi `HeartbeatMonitor`.
 *
 * | attribute | value | why |
 * |---|---|---|
 * | `path` | `/monitors` | collection; `POST` creates (201) |
 * | `create_selector` / `read_selector` | `data` | `{"data": …}` envelope (`api/monitor_controller.ex`) |
 * | `read_path` | `$(path)/$(body.id)` | id `/monitors/<uuid>` |
 * | `update_method` | `PATCH` | partial update via JSON merge patch (a schedule switch sends the old field as `null`) |
 * | `body.*` | name, schedule_type, interval_seconds or cron_expression, grace_period_seconds, enabled, hooks | stored in state, drift-checked on refresh |
 * | `use_sensitive_output` | `true` | `ping_url`/`ping_token` are capabilities (anyone who has them can ping): they never show in a plan |
 * | `output_attrs` | id, name, ping_url, ping_token | volatile fields (status, last_ping_at, next_expected_at) stay out, so a refresh changes nothing |
 *
 * With `adoptId` the import cannot set `use_sensitive_output` (restful's import spec has no such
 * field, and the attribute forces replacement), so an adopted monitor keeps `output`; `pingUrl`
 * is still wrapped in `sensitive()` so every use of it is redacted from plans.
 */
import type { TerraformProvider } from "./core-types";
import { Construct } from "constructs";
import type { MonitorScheduleType } from "../runlater/model";
import { RunlaterValidationError, validateMonitorSpec } from "../runlater/validate";
import { cdktfCore, isUnresolved } from "./core";
import { RestfulResource } from "./restful-resource";
import { compact, restfulImportId, validateProviderPresent } from "./support";

/** A Runlater heartbeat monitor, created here or elsewhere. */
export interface IHeartbeatMonitor {
  /** Runlater monitor id (UUIDv7), as a token. */
  readonly monitorId: string;
  /** `https://runlater.eu/ping/pm_…`: the URL that pings the monitor, as a sensitive token. */
  readonly pingUrl: string;
}

/** Props of {@link HeartbeatMonitor}. Names and defaults follow the Pulumi `HeartbeatMonitorArgs`. */
export interface HeartbeatMonitorProps {
  /** Monitor name shown in Runlater. At most 255 characters. @default the construct id */
  readonly name?: string;
  /** `interval` (a ping every `intervalSeconds`) or `cron` (a ping at every `cronExpression` time, UTC). @default "interval" */
  readonly scheduleType?: MonitorScheduleType;
  /** Seconds between expected pings, 60..604800 (one minute to one week). Used when `scheduleType` is `interval`. @default 60 */
  readonly intervalSeconds?: number;
  /** Five-field cron expression (UTC) of the expected pings. Required when `scheduleType` is `cron`. */
  readonly cronExpression?: string;
  /** Seconds after the expected ping before the monitor goes down, 0..3600. @default 300 (Runlater's default) */
  readonly gracePeriodSeconds?: number;
  /** Accept and check pings (a disabled monitor answers pings with 410 and never goes down). @default true */
  readonly enabled?: boolean;
  /** Called (POST, `monitor.down`) when the monitor goes down. @default none */
  readonly onFailureUrl?: string;
  /** Called (POST, `monitor.up`) when a ping arrives while it is down. @default none */
  readonly onRecoveryUrl?: string;
  /** Organisation notification override for a monitor going down. @default the organisation's setting */
  readonly notifyOnFailure?: boolean;
  /** Organisation notification override for a monitor coming back. @default the organisation's setting */
  readonly notifyOnRecovery?: boolean;
  /** Id (UUID) of an existing monitor to adopt (a Terraform `import` block; see `HealthCheckTaskProps.adoptId`). @default none */
  readonly adoptId?: string;
  /** The `restful` provider to use. @default the stack's default (un-aliased) `restful` provider */
  readonly provider?: TerraformProvider;
}

/** Defaults of {@link HeartbeatMonitor} (the same as the Pulumi resource's). */
export const HEARTBEAT_MONITOR_DEFAULTS = {
  scheduleType: "interval" as MonitorScheduleType,
  intervalSeconds: 60,
  gracePeriodSeconds: 300,
  enabled: true,
};

/** Monitor fields exported in the resource's (sensitive) output. */
export const HEARTBEAT_MONITOR_OUTPUT_ATTRS = ["id", "name", "ping_url", "ping_token"];

/**
 * A Runlater heartbeat monitor. `pingUrl` is what must be hit every interval (e.g. a relay
 * endpoint's `forwardUrls`); `onFailureUrl` fires once when the pings stop for
 * `intervalSeconds + gracePeriodSeconds`.
 *
 * Note: like every Terraform attribute, `sensitive_output` (with the ping URL) is in state;
 * protect state as you would any credential store.
 */
export class HeartbeatMonitor extends Construct implements IHeartbeatMonitor {
  /** Runlater monitor id, taken from the resource id `/monitors/<uuid>` (not sensitive). */
  readonly monitorId: string;
  /** `${sensitive_output.ping_url}` (`sensitive(output.ping_url)` for an adopted monitor). */
  readonly pingUrl: string;
  /** The `pm_…` token, sensitive like `pingUrl`. */
  readonly pingToken: string;
  /** The underlying `restful_resource`. */
  readonly resource: RestfulResource;
  /** The Runlater monitor name. */
  readonly monitorName: string;

  constructor(scope: Construct, id: string, props: HeartbeatMonitorProps) {
    super(scope, id);
    const p = props ?? ({} as HeartbeatMonitorProps);
    const name = p.name ?? id;
    const scheduleType = p.scheduleType ?? HEARTBEAT_MONITOR_DEFAULTS.scheduleType;
    const intervalSeconds = p.intervalSeconds ?? (scheduleType === "interval" ? HEARTBEAT_MONITOR_DEFAULTS.intervalSeconds : undefined);
    const cronExpression =
      typeof p.cronExpression === "string" && !isUnresolved(p.cronExpression)
        ? p.cronExpression.trim().replace(/\s+/g, " ")
        : p.cronExpression;
    const gracePeriodSeconds = p.gracePeriodSeconds ?? HEARTBEAT_MONITOR_DEFAULTS.gracePeriodSeconds;
    const enabled = p.enabled ?? HEARTBEAT_MONITOR_DEFAULTS.enabled;

    const issues = validateMonitorSpec(
      {
        name,
        scheduleType,
        intervalSeconds,
        cronExpression,
        gracePeriodSeconds,
        enabled,
        onFailureUrl: p.onFailureUrl,
        onRecoveryUrl: p.onRecoveryUrl,
        notifyOnFailure: p.notifyOnFailure,
        notifyOnRecovery: p.notifyOnRecovery,
      },
      { isUnknown: isUnresolved },
    );
    if (issues.length > 0) throw new RunlaterValidationError(issues, `HeartbeatMonitor ${this.node.path} props`);

    const body = compact({
      name,
      schedule_type: scheduleType,
      interval_seconds: intervalSeconds,
      cron_expression: cronExpression,
      grace_period_seconds: gracePeriodSeconds,
      enabled,
      on_failure_url: p.onFailureUrl === "" ? undefined : p.onFailureUrl,
      on_recovery_url: p.onRecoveryUrl === "" ? undefined : p.onRecoveryUrl,
      notify_on_failure: p.notifyOnFailure,
      notify_on_recovery: p.notifyOnRecovery,
    }) as Record<string, unknown>;
    const adopted = p.adoptId !== undefined;

    this.resource = new RestfulResource(this, "Resource", {
      provider: p.provider,
      path: "/monitors",
      body,
      createSelector: "data",
      readPath: "$(path)/$(body.id)",
      readSelector: "data",
      updateMethod: "PATCH",
      outputAttrs: HEARTBEAT_MONITOR_OUTPUT_ATTRS,
      useSensitiveOutput: adopted ? undefined : true,
    });
    if (adopted) {
      this.resource.importFrom(restfulImportId("/monitors", p.adoptId as string, body), p.provider);
    }
    validateProviderPresent(this, "restful", p.provider, 'add `new RestfulProvider(stack, "runlater", {})` or pass `provider`');
    const { Fn } = cdktfCore();
    const attr = (a: string) =>
      adopted ? Fn.sensitive(this.resource.outputString(a)) : this.resource.getStringAttribute(`sensitive_output.${a}`);
    this.pingUrl = attr("ping_url");
    this.pingToken = attr("ping_token");
    this.monitorId = Fn.replace(this.resource.id, "/monitors/", "");
    this.monitorName = name;
  }
}
