/**
 * `HealthCheckTask`: a recurring Runlater task (cron) that calls a health URL, as a
 * `restful_resource`. Prop names and defaults match the Pulumi `HealthCheckTask`.
 *
 * How it maps onto `magodo/restful` (see `RestfulResource` for the provider's semantics):
 *
 * | attribute | value | why |
 * |---|---|---|
 * | `path` | `/tasks` (`/schedules` with `apiDialect: "schedules"`) | collection; `POST` creates |
 * | `create_selector` / `read_selector` | `data` | Runlater wraps every object as `{"data": …}` |
 * | `read_path` | `$(path)/$(body.id)` | the id is `/tasks/<uuid>`; update and delete use it |
 * | `update_method` | `PATCH` | Runlater's update is partial; a JSON merge patch sends only changed keys (removed keys as `null`, which unsets them) |
 * | `body.cron` + `body.cron_expression` | both the same expression | create needs `cron` (it makes the task recurring); update ignores `cron` and only honours `cron_expression` |
 * | `write_only_attrs` | `["cron"]` | GET returns `cron_expression` only; the provider copies `cron` from state, so there is no perpetual diff, and a schedule change still reaches Runlater through `cron_expression` |
 * | `body.expected_status_codes` | `"200,204"` | a comma-separated *string* on the wire |
 * | `output_attrs` | id, name, schedule_type, cron_expression, enabled | what lands in `output`; volatile fields (next_run_at) stay out, and so does `url` (it may be an endpoint's inbound URL, which is sensitive) |
 *
 * Request `headers`/`body` may carry credentials: they are not in the task's `restful_resource`
 * but in a child `restful_operation` (`credentials`) that PATCHes them onto the task as its
 * write-only `ephemeral_body`: never in plan or state, sent once on create and again whenever they
 * change, and a repair of the task converges in one apply (see `write-only.ts`). Credential
 * headers (`Authorization`, `X-Api-Key`, …) must be tokens: a literal would be written to
 * cdk.tf.json.
 */
import type { IResolvable, TerraformProvider } from "./core-types";
import { Construct } from "constructs";
import type { HttpMethod } from "../runlater/model";
import { RunlaterValidationError, validateCronTaskSpec } from "../runlater/validate";
import type { ApiDialect } from "../runlater/wire";
import { cdktfCore, isUnresolved } from "./core";
import type { RestfulOperation } from "./restful-operation";
import { literalHeaderIssues, literalUrlIssues } from "./literal-credentials";
import { RestfulResource } from "./restful-resource";
import { allowPrivateTargetsFromEnv, compact, restfulImportId, validateProviderPresent } from "./support";
import { writeOnlyPatch } from "./write-only";

/** A Runlater task, created here or elsewhere. */
export interface IHealthCheckTask {
  /** Runlater task id (UUIDv7), as a token. */
  readonly taskId: string;
}

/** Props of {@link HealthCheckTask}. Names and defaults follow the Pulumi `HealthCheckTaskArgs`. */
export interface HealthCheckTaskProps {
  /** Task name shown in Runlater. At most 255 characters. @default the construct id */
  readonly name?: string;
  /**
   * The URL Runlater calls on every run, e.g. `https://primary.example.com/health`. http or
   * https with a public host: Runlater refuses loopback and private addresses (see
   * `allowPrivateTargets`).
   */
  readonly url: string;
  /** HTTP method. One of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS. @default "GET" */
  readonly method?: HttpMethod;
  /** Five-field cron expression, UTC. Per-minute schedules need Runlater's Pro plan. @default "* * * * *" (every minute) */
  readonly cron?: string;
  /** Per-run timeout in milliseconds, 1000..300000. A run that times out counts as failed. @default 10000 */
  readonly timeoutMs?: number;
  /** Status codes that count as healthy, each 100..599. Sent as a comma-separated string. @default any 2xx */
  readonly expectedStatusCodes?: number[];
  /** Case-sensitive substring the response body must contain to count as healthy. @default no body check */
  readonly expectedBodyPattern?: string;
  /**
   * Headers sent with each run. Write-only (the `credentials` operation's `ephemeral_body`): never
   * stored in plan or state; changes are detected by hash. Credential headers (`Authorization`,
   * `Proxy-Authorization`, `Cookie`, `X-Api-Key`, names with token/secret/password/auth/signature)
   * must be tokens of sensitive variables. Removing the
   * prop later leaves the old headers on Runlater: set `{}` to clear them.
   * @default none (Runlater's default: no extra headers)
   */
  readonly headers?: Record<string, string>;
  /**
   * Request body, sent for POST/PUT/PATCH only, at most 256 KB. Write-only like `headers`.
   * Removing it later does not clear it on Runlater; set `""` to clear. @default none
   */
  readonly body?: string;
  /** Whether the schedule runs. @default true */
  readonly enabled?: boolean;
  /** URL Runlater POSTs to when a run fails after a success (once per failure streak). @default none */
  readonly onFailureUrl?: string;
  /** URL Runlater POSTs to on the first successful run after a failure. @default none */
  readonly onRecoveryUrl?: string;
  /** Organisation notification override for failures. @default the organisation's setting */
  readonly notifyOnFailure?: boolean;
  /** Organisation notification override for recoveries. @default the organisation's setting */
  readonly notifyOnRecovery?: boolean;
  /**
   * Id of an existing Runlater task to adopt instead of creating one: synthesizes a Terraform
   * `import` block (Terraform ≥ 1.5 / OpenTofu ≥ 1.6), after which the first apply updates the
   * task to this desired state. Safe to remove once applied. @default none (create)
   */
  readonly adoptId?: string;
  /** The `restful` provider to use. @default the stack's default (un-aliased) `restful` provider */
  readonly provider?: TerraformProvider;
  /**
   * Which shape of Runlater's API to speak: `legacy` (`POST /tasks` with `cron`, proven against
   * Runlater's server code) or `schedules` (`/schedules`, Runlater's newer docs). @default "legacy"
   */
  readonly apiDialect?: ApiDialect;
  /**
   * Accept loopback/private health URLs. Runlater refuses them (422); only the local emulator
   * (started with `--allow-private`) accepts them.
   * @default `RUNLATER_ALLOW_PRIVATE_TARGETS` is `true` or `1`
   */
  readonly allowPrivateTargets?: boolean;
}

/** Defaults of {@link HealthCheckTask} (the same as the Pulumi resource's). */
export const HEALTH_CHECK_TASK_DEFAULTS = {
  method: "GET" as HttpMethod,
  cron: "* * * * *",
  timeoutMs: 10_000,
  enabled: true,
};

/** Task fields exported in the resource's `output`. */
export const HEALTH_CHECK_TASK_OUTPUT_ATTRS = ["id", "name", "schedule_type", "cron_expression", "enabled"];

/**
 * A recurring Runlater health check.
 *
 * ```ts
 * new HealthCheckTask(stack, "health", {
 *   url: "https://primary.example.com/health",
 *   expectedStatusCodes: [200],
 *   onFailureUrl: failover.inboundUrl,
 * });
 * ```
 */
export class HealthCheckTask extends Construct implements IHealthCheckTask {
  /** Runlater task id (UUIDv7), from the resource id (`/tasks/<uuid>`): known across updates. */
  readonly taskId: string;
  /** The underlying `restful_resource` (for `dependsOn`, overrides and escape hatches). */
  readonly resource: RestfulResource;
  /** The `restful_operation` that PATCHes `headers`/`body` (write-only); absent when neither is given. */
  readonly credentials?: RestfulOperation;
  /** The effective cron expression (after defaults and whitespace normalisation). */
  readonly cron: string;
  /** The Runlater task name. */
  readonly taskName: string;

  constructor(scope: Construct, id: string, props: HealthCheckTaskProps) {
    super(scope, id);
    const dialect = props.apiDialect ?? "legacy";
    if (dialect !== "legacy" && dialect !== "schedules") {
      throw new Error(`HealthCheckTask ${this.node.path}: apiDialect must be "legacy" or "schedules", got ${JSON.stringify(dialect)}`);
    }
    const name = props.name ?? id;
    const cron = normalizeCron(props.cron ?? HEALTH_CHECK_TASK_DEFAULTS.cron);
    const method = normalizeMethod(props.method ?? HEALTH_CHECK_TASK_DEFAULTS.method);
    const timeoutMs = props.timeoutMs ?? HEALTH_CHECK_TASK_DEFAULTS.timeoutMs;
    const enabled = props.enabled ?? HEALTH_CHECK_TASK_DEFAULTS.enabled;
    const url = typeof props.url === "string" && !isUnresolved(props.url) ? props.url.trim() : props.url;

    const issues = validateCronTaskSpec(
      {
        name,
        url,
        method,
        cron,
        timeoutMs,
        expectedStatusCodes: props.expectedStatusCodes,
        expectedBodyPattern: props.expectedBodyPattern,
        headers: props.headers,
        body: props.body,
        enabled,
        onFailureUrl: props.onFailureUrl,
        onRecoveryUrl: props.onRecoveryUrl,
        notifyOnFailure: props.notifyOnFailure,
        notifyOnRecovery: props.notifyOnRecovery,
      },
      { isUnknown: isUnresolved, allowPrivateTargets: props.allowPrivateTargets ?? allowPrivateTargetsFromEnv() },
    );
    issues.push(...literalHeaderIssues(props.headers, "headers"), ...literalUrlIssues(url, "url"));
    if (issues.length > 0) throw new RunlaterValidationError(issues, `HealthCheckTask ${this.node.path} props`);

    const body = compact({
      name,
      url,
      method,
      cron,
      cron_expression: cron,
      timeout_ms: timeoutMs,
      expected_status_codes: encodeStatusCodesToken(props.expectedStatusCodes),
      expected_body_pattern: props.expectedBodyPattern,
      enabled,
      on_failure_url: emptyToUndefined(props.onFailureUrl),
      on_recovery_url: emptyToUndefined(props.onRecoveryUrl),
      notify_on_failure: props.notifyOnFailure,
      notify_on_recovery: props.notifyOnRecovery,
    }) as Record<string, unknown>;
    // Only when given (`headers: {}` is sent, and clears them); see write-only.ts.
    const writeOnly = compact({ headers: props.headers, body: props.body }) as Record<string, unknown>;
    const path = dialect === "schedules" ? "/schedules" : "/tasks";

    this.resource = new RestfulResource(this, "Resource", {
      provider: props.provider,
      path,
      body,
      createSelector: "data",
      readPath: "$(path)/$(body.id)",
      readSelector: "data",
      updateMethod: "PATCH",
      writeOnlyAttrs: ["cron"],
      outputAttrs: HEALTH_CHECK_TASK_OUTPUT_ATTRS,
    });
    if (props.adoptId !== undefined) {
      this.resource.importFrom(restfulImportId(path, props.adoptId, body), props.provider);
    }
    this.credentials = writeOnlyPatch(this, "credentials", this.resource, writeOnly, props.provider);
    validateProviderPresent(this, "restful", props.provider, 'add `new RestfulProvider(stack, "runlater", {})` or pass `provider`');
    // From the resource id (`/tasks/<uuid>`), which the provider keeps across updates.
    this.taskId = cdktfCore().Fn.replace(this.resource.id, `${path}/`, "");
    this.cron = cron;
    this.taskName = name;
  }
}

/** Collapses whitespace so the expression compares equal to what Runlater stores. */
function normalizeCron(cron: string): string {
  return typeof cron === "string" && !isUnresolved(cron) ? cron.trim().replace(/\s+/g, " ") : cron;
}

function normalizeMethod(m: HttpMethod): HttpMethod {
  return typeof m === "string" && !isUnresolved(m) ? (m.toUpperCase() as HttpMethod) : m;
}

function emptyToUndefined(v: string | undefined): string | undefined {
  return v === "" ? undefined : v;
}

/**
 * `[200, 204]` → `"200,204"` (Runlater's wire format). Token lists and lists with number tokens
 * become `join(",", …)` so Terraform does the joining.
 */
export function encodeStatusCodesToken(codes: number[] | IResolvable | undefined): string | undefined {
  if (codes === undefined) return undefined;
  const { Fn } = cdktfCore();
  if (isUnresolved(codes) || (Array.isArray(codes) && codes.some((c) => isUnresolved(c)))) {
    return Fn.join(",", codes as unknown as string[]);
  }
  return (codes as number[]).join(",");
}
