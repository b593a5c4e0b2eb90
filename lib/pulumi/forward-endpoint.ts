/**
 * `ForwardEndpoint`: a Runlater inbound endpoint that forwards every hit to stored URLs with
 * stored headers and body, as a Pulumi dynamic resource.
 * Type token `pulumi-nodejs:dynamic/runlater:ForwardEndpoint`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isNotFound, isRunlaterApiError } from "../runlater/errors";
import type { Endpoint, EndpointSpec, HttpMethod } from "../runlater/model";
import { validateEndpointSpec } from "../runlater/validate";
import { wasAdoptedByReplay } from "../runlater/idempotency";
import { createScope, providerScope } from "./create-scope";
import { mergeSecretOutputs, RunlaterDynamicResource, secretInputs } from "./resource-support";
import {
  changedKeys,
  clientFromConfig,
  hasLegacyProvider,
  isUnknown,
  partialCreateError,
  providerShim,
  SCHEMA_VERSION,
  stableStringify,
  storeProviderConfig,
  toFailures,
} from "./provider-support";

/** Arguments of {@link ForwardEndpoint}. */
export interface ForwardEndpointArgs {
  /** Endpoint name shown in Runlater (also its serial lane name). At most 255 characters. @default the Pulumi resource name */
  name?: pulumi.Input<string>;
  /** Where each inbound request is forwarded: 1..10 http(s) URLs. */
  forwardUrls: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Headers merged over the inbound request's headers (ours win), e.g. a DNS provider's
   * `Authorization`. Secret in state. @default {}
   */
  forwardHeaders?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Body that replaces the inbound body. A string is sent verbatim; an object is serialized to
   * JSON (keys sorted). At most 256 KB. Secret in state (Porkbun keys travel in the body).
   * @default the inbound body
   */
  forwardBody?: pulumi.Input<string | Record<string, unknown>>;
  /** Method of the forwarded request. One of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS. @default the inbound method (hooks POST) */
  forwardMethod?: pulumi.Input<HttpMethod>;
  /** Forward retries on failure, 0..10 (total attempts = retries + 1), with Runlater's backoff. @default 3 */
  retryAttempts?: pulumi.Input<number>;
  /** Deliver hits one at a time, in order (Runlater `use_queue`/`use_lane`). @default true */
  useLane?: pulumi.Input<boolean>;
  /** Accept inbound hits (a disabled endpoint answers 410). @default true */
  enabled?: pulumi.Input<boolean>;
  /** Called when a forward finally fails (after retries). @default none */
  onFailureUrl?: pulumi.Input<string>;
  /** Called on the first forward success after a failure. @default none */
  onRecoveryUrl?: pulumi.Input<string>;
  /** Organisation notification override for failed forwards. */
  notifyOnFailure?: pulumi.Input<boolean>;
  /** Organisation notification override for recovered forwards. */
  notifyOnRecovery?: pulumi.Input<boolean>;
  /** Id of an existing endpoint to adopt instead of creating one (see `HealthCheckTaskArgs.adoptId`). */
  adoptId?: pulumi.Input<string>;
}

/** Plain inputs as the provider receives them (after `check`). */
export interface ForwardEndpointProviderInputs {
  name: string;
  forwardUrls: string[];
  forwardHeaders: Record<string, string>;
  forwardBody: string | null;
  forwardMethod: HttpMethod | null;
  retryAttempts: number;
  useLane: boolean;
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
export interface ForwardEndpointProviderOutputs extends ForwardEndpointProviderInputs {
  schemaVersion: number;
  /** Runlater endpoint id (UUIDv7); also the resource id. */
  endpointId: string;
  /** `ep_` + 32 characters. Secret: whoever knows it can trigger the endpoint. */
  slug: string;
  /** `https://runlater.eu/in/<slug>`. Secret for the same reason. */
  inboundUrl: string;
}

/** Managed input keys; all are updated in place. */
export const FORWARD_ENDPOINT_KEYS = [
  "name",
  "forwardUrls",
  "forwardHeaders",
  "forwardBody",
  "forwardMethod",
  "retryAttempts",
  "useLane",
  "enabled",
  "onFailureUrl",
  "onRecoveryUrl",
  "notifyOnFailure",
  "notifyOnRecovery",
] as const;

/** Defaults applied in `check`. */
export const FORWARD_ENDPOINT_DEFAULTS = { retryAttempts: 3, useLane: true, enabled: true };

function orNull<T>(v: T | undefined | null | ""): T | null {
  return v === undefined || v === null || v === "" ? null : v;
}

/** Defaults + normalisation (object bodies → stable JSON, methods upper-case). */
export function normalizeEndpointInputs(news: Record<string, unknown>): ForwardEndpointProviderInputs {
  let body = news.forwardBody;
  if (body && typeof body === "object" && !isUnknown(body)) body = stableStringify(body);
  const method =
    typeof news.forwardMethod === "string" && !isUnknown(news.forwardMethod)
      ? news.forwardMethod.toUpperCase()
      : news.forwardMethod;
  const out: ForwardEndpointProviderInputs = {
    name: news.name as string,
    forwardUrls: (news.forwardUrls as string[]) ?? (undefined as unknown as string[]),
    forwardHeaders: (news.forwardHeaders as Record<string, string>) ?? {},
    forwardBody: orNull(body as string | null),
    forwardMethod: orNull(method as HttpMethod | null),
    retryAttempts: (news.retryAttempts as number) ?? FORWARD_ENDPOINT_DEFAULTS.retryAttempts,
    useLane: (news.useLane as boolean) ?? FORWARD_ENDPOINT_DEFAULTS.useLane,
    enabled: (news.enabled as boolean) ?? FORWARD_ENDPOINT_DEFAULTS.enabled,
    onFailureUrl: orNull(news.onFailureUrl as string | null),
    onRecoveryUrl: orNull(news.onRecoveryUrl as string | null),
    notifyOnFailure: (news.notifyOnFailure as boolean | null) ?? null,
    notifyOnRecovery: (news.notifyOnRecovery as boolean | null) ?? null,
  };
  if (news.adoptId !== undefined && news.adoptId !== null && news.adoptId !== "") out.adoptId = news.adoptId as string;
  if (typeof news.idempotencyScope === "string") out.idempotencyScope = news.idempotencyScope;
  return out;
}

function toSpec(i: ForwardEndpointProviderInputs): EndpointSpec {
  return {
    name: i.name,
    forwardUrls: i.forwardUrls,
    forwardHeaders: i.forwardHeaders,
    forwardBody: i.forwardBody,
    forwardMethod: i.forwardMethod,
    retryAttempts: i.retryAttempts,
    useQueue: i.useLane,
    enabled: i.enabled,
    onFailureUrl: i.onFailureUrl,
    onRecoveryUrl: i.onRecoveryUrl,
    notifyOnFailure: i.notifyOnFailure,
    notifyOnRecovery: i.notifyOnRecovery,
  };
}

const SPEC_KEY: Record<(typeof FORWARD_ENDPOINT_KEYS)[number], keyof EndpointSpec> = {
  name: "name",
  forwardUrls: "forwardUrls",
  forwardHeaders: "forwardHeaders",
  forwardBody: "forwardBody",
  forwardMethod: "forwardMethod",
  retryAttempts: "retryAttempts",
  useLane: "useQueue",
  enabled: "enabled",
  onFailureUrl: "onFailureUrl",
  onRecoveryUrl: "onRecoveryUrl",
  notifyOnFailure: "notifyOnFailure",
  notifyOnRecovery: "notifyOnRecovery",
};

/** Live endpoint → outputs. */
export function endpointToOutputs(e: Endpoint, adoptId?: string): ForwardEndpointProviderOutputs {
  const out: ForwardEndpointProviderOutputs = {
    schemaVersion: SCHEMA_VERSION,
    endpointId: e.id,
    slug: e.slug,
    inboundUrl: e.inboundUrl,
    name: e.name,
    forwardUrls: e.forwardUrls,
    forwardHeaders: e.forwardHeaders ?? {},
    forwardBody: orNull(e.forwardBody),
    forwardMethod: orNull(e.forwardMethod),
    retryAttempts: e.retryAttempts,
    useLane: e.useQueue,
    enabled: e.enabled,
    onFailureUrl: orNull(e.onFailureUrl),
    onRecoveryUrl: orNull(e.onRecoveryUrl),
    notifyOnFailure: e.notifyOnFailure,
    notifyOnRecovery: e.notifyOnRecovery,
  };
  if (adoptId) out.adoptId = adoptId;
  return out;
}

function inputsOf(o: ForwardEndpointProviderOutputs): ForwardEndpointProviderInputs {
  const i: Record<string, unknown> = {};
  for (const k of FORWARD_ENDPOINT_KEYS) i[k] = o[k];
  if (o.adoptId) i.adoptId = o.adoptId;
  return i as unknown as ForwardEndpointProviderInputs;
}

/** The dynamic provider behind {@link ForwardEndpoint}. Holds no state of its own. */
export class ForwardEndpointProvider
  implements pulumi.dynamic.ResourceProvider<ForwardEndpointProviderInputs, ForwardEndpointProviderOutputs>
{
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    storeProviderConfig(req.config);
  }

  async check(_olds: ForwardEndpointProviderInputs, news: ForwardEndpointProviderInputs): Promise<pulumi.dynamic.CheckResult> {
    const inputs = normalizeEndpointInputs(news as unknown as Record<string, unknown>);
    const issues = validateEndpointSpec(inputs as unknown as Record<string, unknown>, { isUnknown });
    return { inputs, failures: toFailures(issues) };
  }

  async diff(
    id: string,
    olds: ForwardEndpointProviderOutputs,
    news: ForwardEndpointProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const changed = changedKeys(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      FORWARD_ENDPOINT_KEYS,
    );
    const replaces: string[] = [];
    if (news.adoptId !== undefined && news.adoptId !== id && news.adoptId !== olds.adoptId) {
      changed.push("adoptId");
      replaces.push("adoptId");
    }
    if (hasLegacyProvider(olds)) changed.push("__provider");
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: ForwardEndpointProviderInputs): Promise<pulumi.dynamic.CreateResult<ForwardEndpointProviderOutputs>> {
    const client = clientFromConfig();
    if (inputs.adoptId) {
      const existing = await client.getEndpoint(inputs.adoptId).catch((e) => {
        if (isNotFound(e)) {
          throw new Error(`adoptId: Runlater endpoint ${inputs.adoptId} does not exist (or belongs to another organisation)`);
        }
        throw e;
      });
      try {
        const updated = await client.updateEndpoint(existing.id, toSpec(inputs));
        return { id: updated.id, outs: endpointToOutputs(updated, inputs.adoptId) };
      } catch (e) {
        throw partialCreateError(
          `adopted endpoint ${existing.id} but could not update it: ${(e as Error).message}`,
          existing.id,
          endpointToOutputs(existing, inputs.adoptId) as unknown as Record<string, unknown>,
        );
      }
    }
    // One key per logical create, stable across runs: a create whose reply was lost is answered
    // by Runlater's replay in the next run instead of making a duplicate.
    const ep = await client.createEndpoint(toSpec(inputs), { idempotencyScope: providerScope("ForwardEndpoint", inputs.idempotencyScope) }).catch((e: unknown) => {
      // Made, but the reply was unreadable: record the id so it is not orphaned (refresh reads the rest).
      if (isRunlaterApiError(e) && e.objectId) {
        throw partialCreateError(e.message, e.objectId, { ...inputs, endpointId: e.objectId, schemaVersion: SCHEMA_VERSION });
      }
      throw e;
    });
    return { id: ep.id, outs: endpointToOutputs(ep) };
  }

  async read(id: string, props?: ForwardEndpointProviderOutputs): Promise<pulumi.dynamic.ReadResult<ForwardEndpointProviderOutputs>> {
    const client = clientFromConfig();
    try {
      const ep = await client.getEndpoint(id);
      const outs = endpointToOutputs(ep, props?.adoptId);
      return { id: ep.id, props: outs, inputs: inputsOf(outs) as ForwardEndpointProviderOutputs };
    } catch (e) {
      if (isNotFound(e)) return {};
      throw e;
    }
  }

  async update(
    id: string,
    olds: ForwardEndpointProviderOutputs,
    news: ForwardEndpointProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<ForwardEndpointProviderOutputs>> {
    const client = clientFromConfig();
    const changed = changedKeys(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      FORWARD_ENDPOINT_KEYS,
    ) as (typeof FORWARD_ENDPOINT_KEYS)[number][];
    const spec = toSpec(news) as unknown as Record<string, unknown>;
    const patch: Record<string, unknown> = {};
    for (const k of changed) patch[SPEC_KEY[k]] = spec[SPEC_KEY[k]];
    const ep = changed.length > 0 ? await client.updateEndpoint(id, patch) : await client.getEndpoint(id);
    return { outs: endpointToOutputs(ep, news.adoptId ?? olds.adoptId) };
  }

  async delete(id: string, _props?: unknown): Promise<void> {
    // The old half of a replacement whose create got this same object back from Runlater's
    // idempotency replay (unchanged inputs within 24 h): the new resource owns it now.
    if (wasAdoptedByReplay(id)) return;
    const client = clientFromConfig();
    try {
      await client.deleteEndpoint(id);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/** The single provider instance. */
export const forwardEndpointProvider = new ForwardEndpointProvider();
/** What state stores as `__provider`: a shim that loads `forwardEndpointProvider` from the package. */
const forwardEndpointShim = providerShim("pulumi/forward-endpoint", "forwardEndpointProvider");

/**
 * A Runlater inbound endpoint (`https://runlater.eu/in/ep_…`) that forwards each hit to
 * `forwardUrls` with stored headers and body, retrying with backoff. `inboundUrl` is the URL to
 * give a health check's `onFailureUrl`/`onRecoveryUrl`.
 *
 * `forwardHeaders`, `forwardBody`, `slug` and `inboundUrl` are secret outputs.
 */
export class ForwardEndpoint extends RunlaterDynamicResource {
  /** Runlater endpoint id (UUIDv7). */
  declare readonly endpointId: pulumi.Output<string>;
  /** `ep_…` slug. Secret. */
  declare readonly slug: pulumi.Output<string>;
  /** The URL that triggers the forward. Secret: anyone who has it can trigger it. */
  declare readonly inboundUrl: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly forwardUrls: pulumi.Output<string[]>;
  /** Secret. */
  declare readonly forwardHeaders: pulumi.Output<Record<string, string>>;
  /** Secret. */
  declare readonly forwardBody: pulumi.Output<string | null>;
  declare readonly forwardMethod: pulumi.Output<HttpMethod | null>;
  declare readonly retryAttempts: pulumi.Output<number>;
  declare readonly useLane: pulumi.Output<boolean>;
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly schemaVersion: pulumi.Output<number>;

  constructor(name: string, args: ForwardEndpointArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = {
      endpointId: undefined,
      slug: undefined,
      inboundUrl: undefined,
      schemaVersion: undefined,
      ...(args ?? {}),
      name: args?.name ?? name,
      idempotencyScope: createScope("ForwardEndpoint", name),
    };
    super(
      forwardEndpointShim,
      "ForwardEndpoint",
      name,
      secretInputs(props, ["forwardHeaders", "forwardBody"]),
      mergeSecretOutputs(opts, ["forwardHeaders", "forwardBody", "slug", "inboundUrl"]),
    );
  }

  /** Reads an existing endpoint into the program (the `id` option); it is not managed. */
  static get(name: string, id: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions): ForwardEndpoint {
    return new ForwardEndpoint(name, {} as ForwardEndpointArgs, { ...opts, id });
  }
}
