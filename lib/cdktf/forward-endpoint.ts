/**
 * `ForwardEndpoint`: a Runlater inbound endpoint (`https://runlater.eu/in/ep_…`) that forwards
 * every hit to stored URLs with stored headers and body, as a `restful_resource`. Prop names
 * and defaults match the Pulumi `ForwardEndpoint`.
 *
 * | attribute | value | why |
 * |---|---|---|
 * | `path` | `/endpoints` | collection; `POST` creates |
 * | `create_selector` / `read_selector` | `data` | `{"data": …}` envelope |
 * | `read_path` | `$(path)/$(body.id)` | id `/endpoints/<uuid>` (kept across updates, so `endpointId` stays known) |
 * | `update_method` | `PATCH` | partial update via JSON merge patch |
 * | `body.*` | every field but the write-only ones | stored in state, drift-checked on refresh |
 * | `use_sensitive_output` | `true` | the inbound URL and slug trigger the forward (a DNS flip): they never show in plan/apply/show output. Every value built from them (a task's `on_failure_url`) is sensitive too |
 * | `output_attrs` | id, name, slug, inbound_url | what lands in `sensitive_output` |
 *
 * Write-only fields (`forward_headers`: DNS API tokens; `forward_body` with `forwardBodySecret`,
 * e.g. Porkbun's keys) are not in the endpoint's `restful_resource`: a child `restful_operation`
 * (`credentials`) PATCHes them onto the endpoint as its write-only `ephemeral_body`, so they are
 * never in plan or state, are sent once on create and again whenever they change, and a repair of
 * the endpoint converges in one apply (see `write-only.ts`).
 *
 * With `adoptId` the import cannot set `use_sensitive_output` (restful's import spec has no such
 * field, and it forces replacement), so an adopted endpoint keeps `output`; `inboundUrl` and `slug`
 * are still wrapped in `sensitive()`, which redacts every use of them from plans.
 */
import type { TerraformProvider } from "./core-types";
import { Construct } from "constructs";
import type { HttpMethod } from "../runlater/model";
import { RunlaterValidationError, validateEndpointSpec } from "../runlater/validate";
import type { ApiDialect } from "../runlater/wire";
import { cdktfCore, isUnresolved } from "./core";
import { literalHeaderIssues, literalUrlIssues } from "./literal-credentials";
import type { RestfulOperation } from "./restful-operation";
import { RestfulResource } from "./restful-resource";
import { compact, containsToken, restfulImportId, stableStringify, validateProviderPresent } from "./support";
import { writeOnlyPatch } from "./write-only";

/** A Runlater inbound endpoint, created here or elsewhere. */
export interface IForwardEndpoint {
  /** Runlater endpoint id (UUIDv7), as a token. */
  readonly endpointId: string;
  /** `https://runlater.eu/in/ep_…`: the URL that triggers the forward, as a token. */
  readonly inboundUrl: string;
}

/** Props of {@link ForwardEndpoint}. Names and defaults follow the Pulumi `ForwardEndpointArgs`. */
export interface ForwardEndpointProps {
  /** Endpoint name shown in Runlater (also its serial lane name). At most 255 characters. @default the construct id */
  readonly name?: string;
  /** Where each inbound request is forwarded: 1..10 http(s) URLs. */
  readonly forwardUrls: string[];
  /**
   * Headers merged over the inbound request's headers (ours win), e.g. a DNS provider's
   * `Authorization`. Write-only (sent by the `credentials` operation's `ephemeral_body`): never
   * in plan or state; credential values must be tokens of sensitive variables (a literal would be
   * written to cdk.tf.json). Removing the prop later leaves the old headers on Runlater:
   * set `{}` to clear them. @default none (the inbound request's headers only)
   */
  readonly forwardHeaders?: Record<string, string>;
  /**
   * Body that replaces the inbound body. A string is sent verbatim; an object is serialized to
   * JSON with sorted keys (through Terraform's `jsonencode` if it contains tokens). At most 256 KB.
   * Stored in state unless `forwardBodySecret` is set. @default the inbound body
   */
  readonly forwardBody?: string | Record<string, unknown>;
  /**
   * Send `forwardBody` write-only (with `forwardHeaders`, by the `credentials` operation) because
   * it carries credentials (Porkbun's API keys travel in the body). @default false
   */
  readonly forwardBodySecret?: boolean;
  /** Method of the forwarded request. One of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS. @default the inbound method (hooks POST) */
  readonly forwardMethod?: HttpMethod;
  /** Forward retries on failure, 0..10 (total attempts = retries + 1), with Runlater's backoff. @default 3 */
  readonly retryAttempts?: number;
  /** Deliver hits one at a time, in order (Runlater `use_queue`, `use_lane` in the schedules dialect). @default true */
  readonly useLane?: boolean;
  /** Accept inbound hits (a disabled endpoint answers 410). @default true */
  readonly enabled?: boolean;
  /** Called when a forward finally fails (after retries). @default none */
  readonly onFailureUrl?: string;
  /** Called on the first forward success after a failure. @default none */
  readonly onRecoveryUrl?: string;
  /** Organisation notification override for failed forwards. @default the organisation's setting */
  readonly notifyOnFailure?: boolean;
  /** Organisation notification override for recovered forwards. @default the organisation's setting */
  readonly notifyOnRecovery?: boolean;
  /** Id of an existing endpoint to adopt (a Terraform `import` block; see `HealthCheckTaskProps.adoptId`). @default none */
  readonly adoptId?: string;
  /** The `restful` provider to use. @default the stack's default (un-aliased) `restful` provider */
  readonly provider?: TerraformProvider;
  /** API shape: `legacy` sends `use_queue`, `schedules` sends `use_lane`. @default "legacy" */
  readonly apiDialect?: ApiDialect;
}

/** Defaults of {@link ForwardEndpoint} (the same as the Pulumi resource's). */
export const FORWARD_ENDPOINT_DEFAULTS = { retryAttempts: 3, useLane: true, enabled: true };

/** Endpoint fields exported in the resource's `output`. */
export const FORWARD_ENDPOINT_OUTPUT_ATTRS = ["id", "name", "slug", "inbound_url"];

/**
 * A Runlater inbound endpoint that replays a stored request. `inboundUrl` is what a health
 * check's `onFailureUrl` / `onRecoveryUrl` points at.
 *
 * Note: `sensitive_output` (with `inbound_url` and `slug`) is in state, like every Terraform
 * attribute (redacted from CLI output only); the inbound URL triggers the forward, so protect
 * state as you would any credential store. A hook of your own that references `inboundUrl`
 * can fire before the `credentials` PATCH ran: add `dependsOn: [endpoint.credentials]` to it
 * (`DnsFailover` does this for its objects).
 */
export class ForwardEndpoint extends Construct implements IForwardEndpoint {
  /** Runlater endpoint id, from the resource id (`/endpoints/<uuid>`): known across updates. */
  readonly endpointId: string;
  /** `${restful_resource.<id>.sensitive_output.inbound_url}` (sensitive). */
  readonly inboundUrl: string;
  /** `${restful_resource.<id>.sensitive_output.slug}` (sensitive). */
  readonly slug: string;
  /** The underlying `restful_resource`. */
  readonly resource: RestfulResource;
  /** The `restful_operation` that PATCHes the write-only fields; absent when there are none. */
  readonly credentials?: RestfulOperation;
  /** The Runlater endpoint name. */
  readonly endpointName: string;

  constructor(scope: Construct, id: string, props: ForwardEndpointProps) {
    super(scope, id);
    const dialect = props.apiDialect ?? "legacy";
    if (dialect !== "legacy" && dialect !== "schedules") {
      throw new Error(`ForwardEndpoint ${this.node.path}: apiDialect must be "legacy" or "schedules", got ${JSON.stringify(dialect)}`);
    }
    const name = props.name ?? id;
    const forwardBody = serializeBody(props.forwardBody);
    const forwardMethod =
      typeof props.forwardMethod === "string" && !isUnresolved(props.forwardMethod)
        ? (props.forwardMethod.toUpperCase() as HttpMethod)
        : props.forwardMethod;
    const retryAttempts = props.retryAttempts ?? FORWARD_ENDPOINT_DEFAULTS.retryAttempts;
    const useLane = props.useLane ?? FORWARD_ENDPOINT_DEFAULTS.useLane;
    const enabled = props.enabled ?? FORWARD_ENDPOINT_DEFAULTS.enabled;

    const issues = validateEndpointSpec(
      {
        name,
        forwardUrls: props.forwardUrls,
        forwardHeaders: props.forwardHeaders,
        forwardBody,
        forwardMethod,
        retryAttempts,
        useQueue: useLane,
        enabled,
        onFailureUrl: props.onFailureUrl,
        onRecoveryUrl: props.onRecoveryUrl,
        notifyOnFailure: props.notifyOnFailure,
        notifyOnRecovery: props.notifyOnRecovery,
      },
      { isUnknown: isUnresolved },
    );
    issues.push(...literalHeaderIssues(props.forwardHeaders, "forwardHeaders"));
    if (Array.isArray(props.forwardUrls)) issues.push(...props.forwardUrls.flatMap((u, i) => literalUrlIssues(u, `forwardUrls[${i}]`)));
    if (issues.length > 0) throw new RunlaterValidationError(issues, `ForwardEndpoint ${this.node.path} props`);

    const secretBody = props.forwardBodySecret === true;
    const body = compact({
      name,
      forward_urls: props.forwardUrls,
      forward_body: secretBody ? undefined : forwardBody,
      forward_method: forwardMethod,
      retry_attempts: retryAttempts,
      [dialect === "schedules" ? "use_lane" : "use_queue"]: useLane,
      enabled,
      on_failure_url: props.onFailureUrl === "" ? undefined : props.onFailureUrl,
      on_recovery_url: props.onRecoveryUrl === "" ? undefined : props.onRecoveryUrl,
      notify_on_failure: props.notifyOnFailure,
      notify_on_recovery: props.notifyOnRecovery,
    }) as Record<string, unknown>;
    const ephemeral = compact({
      forward_headers: props.forwardHeaders,
      forward_body: secretBody ? forwardBody : undefined,
    }) as Record<string, unknown>;
    const adopted = props.adoptId !== undefined;

    this.resource = new RestfulResource(this, "Resource", {
      provider: props.provider,
      path: "/endpoints",
      body,
      createSelector: "data",
      readPath: "$(path)/$(body.id)",
      readSelector: "data",
      updateMethod: "PATCH",
      outputAttrs: FORWARD_ENDPOINT_OUTPUT_ATTRS,
      useSensitiveOutput: adopted ? undefined : true,
    });
    if (adopted) {
      this.resource.importFrom(restfulImportId("/endpoints", props.adoptId as string, body), props.provider);
    }
    // Only when given (`forwardHeaders: {}` is sent, and clears them); see write-only.ts.
    this.credentials = writeOnlyPatch(this, "credentials", this.resource, ephemeral, props.provider);
    validateProviderPresent(this, "restful", props.provider, 'add `new RestfulProvider(stack, "runlater", {})` or pass `provider`');
    const { Fn } = cdktfCore();
    const attr = (a: string) =>
      adopted ? Fn.sensitive(this.resource.outputString(a)) : this.resource.getStringAttribute(`sensitive_output.${a}`);
    this.endpointId = Fn.replace(this.resource.id, "/endpoints/", "");
    this.inboundUrl = attr("inbound_url");
    this.slug = attr("slug");
    this.endpointName = name;
  }
}

/** Strings pass; objects become stable JSON, or `jsonencode(…)` when they contain tokens. */
function serializeBody(body: string | Record<string, unknown> | undefined): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || isUnresolved(body)) return body as string;
  if (containsToken(body)) return cdktfCore().Fn.jsonencode(body);
  return stableStringify(body);
}
