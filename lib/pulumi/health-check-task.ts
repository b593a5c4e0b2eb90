/**
 * `HealthCheckTask`: a recurring Runlater task (cron) that calls a health URL, as a Pulumi
 * dynamic resource. Type token `pulumi-nodejs:dynamic/runlater:HealthCheckTask`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isNotFound, isRunlaterApiError } from "../runlater/errors";
import type { CronTaskSpec, HttpMethod, Task } from "../runlater/model";
import { originOf, validateCronTaskSpec } from "../runlater/validate";
import { wasAdoptedByReplay } from "../runlater/idempotency";
import { createScope, providerScope } from "./create-scope";
import { mergeSecretOutputs, RunlaterDynamicResource, secretInputs, warnOnPrivateUrl, warnsForChildren } from "./resource-support";
import {
  changedKeys,
  clientFromConfig,
  effectiveConfig,
  hasLegacyProvider,
  isUnknown,
  partialCreateError,
  providerShim,
  SCHEMA_VERSION,
  storeProviderConfig,
  toFailures,
} from "./provider-support";

/** Arguments of {@link HealthCheckTask}. */
export interface HealthCheckTaskArgs {
  /** Task name shown in Runlater. At most 255 characters. @default the Pulumi resource name */
  name?: pulumi.Input<string>;
  /**
   * The URL Runlater calls on every run, e.g. `https://primary.example.com/health`.
   * http or https with a public host: Runlater refuses loopback and private addresses (only the
   * local emulator accepts them when `runlater:allowPrivateTargets` is true).
   */
  url: pulumi.Input<string>;
  /** HTTP method. One of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS. @default "GET" */
  method?: pulumi.Input<HttpMethod>;
  /** Five-field cron expression, UTC. Per-minute schedules need Runlater's Pro plan. @default "* * * * *" (every minute) */
  cron?: pulumi.Input<string>;
  /** Per-run timeout in milliseconds, 1000..300000. A run that times out counts as failed. @default 10000 */
  timeoutMs?: pulumi.Input<number>;
  /** Status codes that count as healthy, each 100..599. @default any 2xx */
  expectedStatusCodes?: pulumi.Input<pulumi.Input<number>[]>;
  /** Case-sensitive substring the response body must contain to count as healthy. @default no body check */
  expectedBodyPattern?: pulumi.Input<string>;
  /** Headers sent with each run. Marked secret in state (they may carry credentials). @default {} */
  headers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Request body, sent for POST/PUT/PATCH only, at most 256 KB. Marked secret. @default none */
  body?: pulumi.Input<string>;
  /** Whether the schedule runs. @default true */
  enabled?: pulumi.Input<boolean>;
  /** URL Runlater POSTs to when a run fails after a success (once per failure streak). @default none */
  onFailureUrl?: pulumi.Input<string>;
  /** URL Runlater POSTs to on the first successful run after a failure. @default none */
  onRecoveryUrl?: pulumi.Input<string>;
  /** Organisation notification override for failures (`undefined` = org default). */
  notifyOnFailure?: pulumi.Input<boolean>;
  /** Organisation notification override for recoveries (`undefined` = org default). */
  notifyOnRecovery?: pulumi.Input<boolean>;
  /**
   * Id of an existing Runlater task to adopt instead of creating one: create reads it and
   * updates it to this resource's desired state (`pulumi import` does not work for dynamic
   * providers, pulumi/pulumi#16175). Ignored after adoption; safe to remove later.
   */
  adoptId?: pulumi.Input<string>;
}

/** Plain inputs as the provider receives them (after `check` applied defaults). */
export interface HealthCheckTaskProviderInputs {
  name: string;
  url: string;
  method: HttpMethod;
  cron: string;
  timeoutMs: number;
  expectedStatusCodes: number[] | null;
  expectedBodyPattern: string | null;
  headers: Record<string, string>;
  body: string | null;
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

/** Outputs the provider records in state. */
export interface HealthCheckTaskProviderOutputs extends HealthCheckTaskProviderInputs {
  /** Output schema version (see `SCHEMA_VERSION`). */
  schemaVersion: number;
  /** Runlater task id (UUIDv7); also the resource id. */
  taskId: string;
  /** Next scheduled run, ISO-8601 UTC, as of the last create/update/refresh. */
  nextRunAt: string | null;
}

/** Input keys the provider manages; a change to any of them is an in-place PATCH. */
export const HEALTH_CHECK_TASK_KEYS = [
  "name",
  "url",
  "method",
  "cron",
  "timeoutMs",
  "expectedStatusCodes",
  "expectedBodyPattern",
  "headers",
  "body",
  "enabled",
  "onFailureUrl",
  "onRecoveryUrl",
  "notifyOnFailure",
  "notifyOnRecovery",
] as const;

/** Defaults applied in `check`. */
export const HEALTH_CHECK_TASK_DEFAULTS = {
  method: "GET" as HttpMethod,
  cron: "* * * * *",
  timeoutMs: 10_000,
  enabled: true,
};

function orNull<T>(v: T | undefined | null | ""): T | null {
  return v === undefined || v === null || v === "" ? null : v;
}

/** Applies defaults and normalisation so that state and a fresh read compare equal. */
export function normalizeTaskInputs(news: Record<string, unknown>): HealthCheckTaskProviderInputs {
  const method = typeof news.method === "string" && !isUnknown(news.method) ? news.method.toUpperCase() : news.method;
  const out: HealthCheckTaskProviderInputs = {
    name: news.name as string,
    url: typeof news.url === "string" && !isUnknown(news.url) ? news.url.trim() : (news.url as string),
    method: (method ?? HEALTH_CHECK_TASK_DEFAULTS.method) as HttpMethod,
    cron:
      typeof news.cron === "string" && !isUnknown(news.cron)
        ? news.cron.trim().replace(/\s+/g, " ")
        : ((news.cron as string) ?? HEALTH_CHECK_TASK_DEFAULTS.cron),
    timeoutMs: (news.timeoutMs as number) ?? HEALTH_CHECK_TASK_DEFAULTS.timeoutMs,
    expectedStatusCodes: orNull(news.expectedStatusCodes as number[] | null),
    expectedBodyPattern: orNull(news.expectedBodyPattern as string | null),
    headers: (news.headers as Record<string, string>) ?? {},
    body: orNull(news.body as string | null),
    enabled: (news.enabled as boolean) ?? HEALTH_CHECK_TASK_DEFAULTS.enabled,
    onFailureUrl: orNull(news.onFailureUrl as string | null),
    onRecoveryUrl: orNull(news.onRecoveryUrl as string | null),
    notifyOnFailure: (news.notifyOnFailure as boolean | null) ?? null,
    notifyOnRecovery: (news.notifyOnRecovery as boolean | null) ?? null,
  };
  if (news.adoptId !== undefined && news.adoptId !== null && news.adoptId !== "") out.adoptId = news.adoptId as string;
  if (typeof news.idempotencyScope === "string") out.idempotencyScope = news.idempotencyScope;
  return out;
}

function toSpec(i: HealthCheckTaskProviderInputs): CronTaskSpec {
  return {
    name: i.name,
    url: i.url,
    method: i.method,
    cron: i.cron,
    timeoutMs: i.timeoutMs,
    expectedStatusCodes: i.expectedStatusCodes,
    expectedBodyPattern: i.expectedBodyPattern,
    headers: i.headers,
    body: i.body,
    enabled: i.enabled,
    onFailureUrl: i.onFailureUrl,
    onRecoveryUrl: i.onRecoveryUrl,
    notifyOnFailure: i.notifyOnFailure,
    notifyOnRecovery: i.notifyOnRecovery,
  };
}

/** Live task → outputs (the same normalisation as `normalizeTaskInputs`). */
export function taskToOutputs(t: Task, adoptId?: string): HealthCheckTaskProviderOutputs {
  const out: HealthCheckTaskProviderOutputs = {
    schemaVersion: SCHEMA_VERSION,
    taskId: t.id,
    name: t.name,
    url: t.url,
    method: t.method,
    cron: (t.cronExpression ?? "").trim().replace(/\s+/g, " "),
    timeoutMs: t.timeoutMs,
    expectedStatusCodes: t.expectedStatusCodes,
    expectedBodyPattern: orNull(t.expectedBodyPattern),
    headers: t.headers ?? {},
    body: orNull(t.body),
    enabled: t.enabled,
    onFailureUrl: orNull(t.onFailureUrl),
    onRecoveryUrl: orNull(t.onRecoveryUrl),
    notifyOnFailure: t.notifyOnFailure,
    notifyOnRecovery: t.notifyOnRecovery,
    nextRunAt: t.nextRunAt,
  };
  if (adoptId) out.adoptId = adoptId;
  return out;
}

/**
 * Reads outputs written by any schema version into the current shape. Version 1 is the first;
 * future versions add their upgrades here, so old state keeps working with new code and the
 * other way round.
 */
export function upgradeTaskOutputs(olds: Record<string, unknown>): Record<string, unknown> {
  const v = Number(olds.schemaVersion ?? 1);
  if (v <= SCHEMA_VERSION) return olds;
  return olds; // written by a newer provider: read the fields we know
}

function inputsOf(o: HealthCheckTaskProviderOutputs): HealthCheckTaskProviderInputs {
  const i: Record<string, unknown> = {};
  for (const k of HEALTH_CHECK_TASK_KEYS) i[k] = o[k];
  if (o.adoptId) i.adoptId = o.adoptId;
  return i as unknown as HealthCheckTaskProviderInputs;
}

/** The dynamic provider behind {@link HealthCheckTask}. Holds no state of its own. */
export class HealthCheckTaskProvider
  implements pulumi.dynamic.ResourceProvider<HealthCheckTaskProviderInputs, HealthCheckTaskProviderOutputs>
{
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    storeProviderConfig(req.config);
  }

  async check(_olds: HealthCheckTaskProviderInputs, news: HealthCheckTaskProviderInputs): Promise<pulumi.dynamic.CheckResult> {
    const inputs = normalizeTaskInputs(news as unknown as Record<string, unknown>);
    const issues = validateCronTaskSpec(inputs as unknown as Record<string, unknown>, {
      isUnknown,
      allowPrivateTargets: effectiveConfig().allowPrivateTargets === true,
      trustedOrigins: [originOf(effectiveConfig().apiUrl ?? "https://runlater.eu/api/v1")].filter((o): o is string => !!o),
    });
    if (inputs.name === undefined) issues.push({ field: "name", message: "is required" });
    if (inputs.adoptId !== undefined && !isUnknown(inputs.adoptId) && typeof inputs.adoptId !== "string") {
      issues.push({ field: "adoptId", message: "must be a Runlater task id (string)" });
    }
    return { inputs, failures: toFailures(issues) };
  }

  async diff(
    id: string,
    olds: HealthCheckTaskProviderOutputs,
    news: HealthCheckTaskProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const old = upgradeTaskOutputs(olds as unknown as Record<string, unknown>);
    const desired = news as unknown as Record<string, unknown>;
    const changed = changedKeys(old, desired, HEALTH_CHECK_TASK_KEYS);
    const replaces: string[] = [];
    // Pointing adoptId at a different task means "manage that one instead".
    if (news.adoptId !== undefined && news.adoptId !== id && news.adoptId !== olds.adoptId) {
      changed.push("adoptId");
      replaces.push("adoptId");
    }
    if (hasLegacyProvider(olds)) changed.push("__provider");
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: HealthCheckTaskProviderInputs): Promise<pulumi.dynamic.CreateResult<HealthCheckTaskProviderOutputs>> {
    const client = clientFromConfig();
    if (inputs.adoptId) {
      const existing = await client.getTask(inputs.adoptId).catch((e) => {
        if (isNotFound(e)) {
          throw new Error(`adoptId: Runlater task ${inputs.adoptId} does not exist (or belongs to another organisation)`);
        }
        throw e;
      });
      try {
        const updated = await client.updateCronTask(existing.id, toSpec(inputs));
        return { id: updated.id, outs: taskToOutputs(updated, inputs.adoptId) };
      } catch (e) {
        throw partialCreateError(
          `adopted task ${existing.id} but could not update it: ${(e as Error).message}`,
          existing.id,
          taskToOutputs(existing, inputs.adoptId) as unknown as Record<string, unknown>,
        );
      }
    }
    // One key per logical create, stable across runs: a create whose reply was lost is answered
    // by Runlater's replay in the next run instead of making a duplicate.
    const task = await client.createCronTask(toSpec(inputs), { idempotencyScope: providerScope("HealthCheckTask", inputs.idempotencyScope) }).catch((e: unknown) => {
      // Made, but the reply was unreadable: record the id so it is not orphaned (refresh reads the rest).
      if (isRunlaterApiError(e) && e.objectId) {
        throw partialCreateError(e.message, e.objectId, { ...inputs, taskId: e.objectId, schemaVersion: SCHEMA_VERSION });
      }
      throw e;
    });
    return { id: task.id, outs: taskToOutputs(task) };
  }

  async read(id: string, props?: HealthCheckTaskProviderOutputs): Promise<pulumi.dynamic.ReadResult<HealthCheckTaskProviderOutputs>> {
    const client = clientFromConfig();
    try {
      const task = await client.getTask(id);
      const outs = taskToOutputs(task, props?.adoptId);
      return { id: task.id, props: outs, inputs: inputsOf(outs) as HealthCheckTaskProviderOutputs };
    } catch (e) {
      if (isNotFound(e)) return {};
      throw e;
    }
  }

  async update(
    id: string,
    olds: HealthCheckTaskProviderOutputs,
    news: HealthCheckTaskProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<HealthCheckTaskProviderOutputs>> {
    const client = clientFromConfig();
    const old = upgradeTaskOutputs(olds as unknown as Record<string, unknown>);
    const changed = changedKeys(old, news as unknown as Record<string, unknown>, HEALTH_CHECK_TASK_KEYS);
    const spec = toSpec(news) as unknown as Record<string, unknown>;
    const patch: Record<string, unknown> = {};
    for (const k of changed) patch[k] = spec[k];
    const task = changed.length > 0 ? await client.updateCronTask(id, patch) : await client.getTask(id);
    return { outs: taskToOutputs(task, news.adoptId ?? olds.adoptId) };
  }

  async delete(id: string, _props?: unknown): Promise<void> {
    // The old half of a replacement whose create got this same object back from Runlater's
    // idempotency replay (unchanged inputs within 24 h): the new resource owns it now.
    if (wasAdoptedByReplay(id)) return;
    const client = clientFromConfig();
    try {
      await client.deleteTask(id);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/** The single provider instance. */
export const healthCheckTaskProvider = new HealthCheckTaskProvider();
/** What state stores as `__provider`: a shim that loads `healthCheckTaskProvider` from the package. */
const healthCheckTaskShim = providerShim("pulumi/health-check-task", "healthCheckTaskProvider");

/**
 * A recurring Runlater task that checks a health URL, e.g. every minute. When a run fails it
 * POSTs to `onFailureUrl`; on the first success after a failure it POSTs to `onRecoveryUrl`.
 *
 * Credentials come from stack config `runlater:apiKey` (secret) and `runlater:apiUrl`, or the
 * environment variables `RUNLATER_API_KEY` / `RUNLATER_API_URL`; they never reach state.
 */
export class HealthCheckTask extends RunlaterDynamicResource {
  /** Runlater task id (UUIDv7). */
  declare readonly taskId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly url: pulumi.Output<string>;
  declare readonly method: pulumi.Output<HttpMethod>;
  declare readonly cron: pulumi.Output<string>;
  /** Milliseconds. */
  declare readonly timeoutMs: pulumi.Output<number>;
  declare readonly expectedStatusCodes: pulumi.Output<number[] | null>;
  declare readonly expectedBodyPattern: pulumi.Output<string | null>;
  /** Secret. */
  declare readonly headers: pulumi.Output<Record<string, string>>;
  /** Secret. */
  declare readonly body: pulumi.Output<string | null>;
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly onFailureUrl: pulumi.Output<string | null>;
  declare readonly onRecoveryUrl: pulumi.Output<string | null>;
  declare readonly notifyOnFailure: pulumi.Output<boolean | null>;
  declare readonly notifyOnRecovery: pulumi.Output<boolean | null>;
  /** Next scheduled run (ISO-8601 UTC) as of the last deploy or refresh. */
  declare readonly nextRunAt: pulumi.Output<string | null>;
  /** Output schema version written by the provider. */
  declare readonly schemaVersion: pulumi.Output<number>;

  constructor(name: string, args: HealthCheckTaskArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = {
      taskId: undefined,
      nextRunAt: undefined,
      schemaVersion: undefined,
      ...(args ?? {}),
      name: args?.name ?? name,
      idempotencyScope: createScope("HealthCheckTask", name),
    };
    super(healthCheckTaskShim, "HealthCheckTask", name, secretInputs(props, ["headers", "body"]), mergeSecretOutputs(opts, ["headers", "body"]));
    const quiet = opts?.parent !== undefined && warnsForChildren.has(opts.parent);
    if (!opts?.id && !quiet && args?.url !== undefined) warnOnPrivateUrl(this, args.url, "url");
  }

  /** Reads an existing task into the program (the `id` option); it is not managed. */
  static get(name: string, id: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions): HealthCheckTask {
    return new HealthCheckTask(name, {} as HealthCheckTaskArgs, { ...opts, id });
  }
}
