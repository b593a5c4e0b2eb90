/**
 * The dynamic provider behind `FailoverObjects`: every Runlater object of one failover as ONE
 * Pulumi resource. Each object is created, read, updated and deleted by the provider of its own
 * resource class (`HealthCheckTask`, `ForwardEndpoint`, `HeartbeatMonitor`), so validation,
 * normalisation, idempotent creates and drift rules are the same code in both layouts; this
 * module only orders the objects, resolves their references to each other and keeps state small:
 *
 * - references stay references in state (`{ $ref: "failover", attr: "inboundUrl" }`), so no
 *   inbound URL is stored in inputs, and live values equal to one of the failover's own URLs are
 *   stored as the reference again;
 * - secret fields of every object (forward headers, bodies and URLs, health-check headers) are
 *   one secret value (`secrets`), the objects' URLs another (`urls`): one ciphertext each;
 * - empty values (null, `{}`) are left out; defaults are applied again when comparing.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isNotFound } from "../runlater/errors";
import { isPlanRef, type PlanObjectKey, type PlanObjectKind, type PlanRef, resolvePlanRefs } from "../failover/wiring";
import { FORWARD_ENDPOINT_KEYS, forwardEndpointProvider, normalizeEndpointInputs } from "./forward-endpoint";
import { HEALTH_CHECK_TASK_KEYS, healthCheckTaskProvider, normalizeTaskInputs } from "./health-check-task";
import { HEARTBEAT_MONITOR_KEYS, heartbeatMonitorProvider, normalizeMonitorInputs } from "./heartbeat-monitor";
import {
  changedKeys,
  containsUnknown,
  effectiveConfig,
  partialCreateError,
  SCHEMA_VERSION,
  storeProviderConfig,
} from "./provider-support";

/** One object as stored in inputs and outputs: its key and kind, and its public fields (provider-input names, empty values left out). */
export interface StoredObject {
  key: PlanObjectKey;
  kind: PlanObjectKind;
  [field: string]: unknown;
}

/** An object as the provider works with it: also its Runlater id; `gone` when the last read found it deleted. */
export interface RecordedObject extends StoredObject {
  id: string;
  gone?: boolean;
}

/** An object as stored in outputs: its id is in {@link FailoverObjectsOutputs.ids}. */
export type OutputObject = StoredObject & { gone?: boolean };

/** Inputs of `FailoverObjects` as the provider receives them. */
export interface FailoverObjectsInputs {
  /** Every object, in creation order (each after the objects it refers to). */
  objects: StoredObject[];
  /** Secret fields per object key (see {@link SECRET_FIELDS}). Secret in state. */
  secrets: Record<string, Record<string, unknown>>;
  /** `<project>/<stack>/FailoverObjects/<name>`; each object's create is scoped by it plus its key. */
  idempotencyScope?: string;
}

/** Outputs recorded in state. */
export interface FailoverObjectsOutputs extends FailoverObjectsInputs {
  schemaVersion: number;
  objects: OutputObject[];
  /**
   * The Runlater id of every object, by key. An output only (no input has this name), so a
   * preview of an update keeps the recorded ids instead of the inputs standing in for `objects`.
   */
  ids: Record<string, string>;
  /** Inbound URL of every endpoint, ping URL of every monitor, by key. Secret. */
  urls: Record<string, string>;
}

/** The per-object provider and field list of each kind. */
interface KindOps {
  keys: readonly string[];
  normalize(raw: Record<string, unknown>): Record<string, unknown>;
  provider: pulumi.dynamic.ResourceProvider;
  /** The object's own URL in the per-object provider's outputs. */
  url(outs: Record<string, unknown>): string | undefined;
}

const KINDS: Record<PlanObjectKind, KindOps> = {
  endpoint: {
    keys: FORWARD_ENDPOINT_KEYS,
    normalize: (r) => normalizeEndpointInputs(r) as unknown as Record<string, unknown>,
    provider: forwardEndpointProvider as unknown as pulumi.dynamic.ResourceProvider,
    url: (o) => o.inboundUrl as string | undefined,
  },
  task: {
    keys: HEALTH_CHECK_TASK_KEYS,
    normalize: (r) => normalizeTaskInputs(r) as unknown as Record<string, unknown>,
    provider: healthCheckTaskProvider as unknown as pulumi.dynamic.ResourceProvider,
    url: () => undefined,
  },
  monitor: {
    keys: HEARTBEAT_MONITOR_KEYS,
    normalize: (r) => normalizeMonitorInputs(r) as unknown as Record<string, unknown>,
    provider: heartbeatMonitorProvider as unknown as pulumi.dynamic.ResourceProvider,
    url: (o) => o.pingUrl as string | undefined,
  },
};

/** Fields kept in `secrets`, by kind: whatever can carry a credential (a DNS token, a health check's auth header). */
export const SECRET_FIELDS: Record<PlanObjectKind, readonly string[]> = {
  endpoint: ["forwardHeaders", "forwardBody", "forwardUrls"],
  task: ["headers", "body"],
  monitor: [],
};

/** Stored in place of a live URL that is a Runlater inbound or ping URL, but not one of this failover's. */
export const FOREIGN_URL = "(a Runlater URL not of this failover)";
const RUNLATER_URL = /\/(in|ping)\/(ep|pm)_/;

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === "" || (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);
}

/** `fields` without empty values: the stored form. */
export function compactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (!isEmpty(v)) out[k] = v;
  return out;
}

/** Splits an object's fields into its public part and its secret part. */
export function splitFields(kind: PlanObjectKind, fields: Record<string, unknown>): { pub: Record<string, unknown>; sec: Record<string, unknown> } {
  const pub: Record<string, unknown> = {};
  const sec: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(compactFields(fields))) (SECRET_FIELDS[kind].includes(k) ? sec : pub)[k] = v;
  return { pub, sec };
}

/** The recorded objects of `outs` with their ids (kept in `ids`). */
export function recordedObjects(outs: Partial<FailoverObjectsOutputs> | undefined): RecordedObject[] {
  const ids = outs?.ids ?? {};
  return (outs?.objects ?? []).map((o) => ({ ...o, id: ids[o.key] }) as RecordedObject);
}

/** The object's fields with its secrets, references unresolved. */
function rawFields(o: StoredObject, secrets: Record<string, Record<string, unknown>> | undefined): Record<string, unknown> {
  const { key: _k, kind: _t, id: _i, gone: _g, ...pub } = o as RecordedObject;
  return { ...pub, ...(secrets?.[o.key] ?? {}) };
}

/**
 * References resolved against `urls`. A reference to an object without a URL throws, or with
 * `lenient` (recorded live values) stands in as {@link FOREIGN_URL}.
 */
function resolveWith(fields: Record<string, unknown>, urls: Record<string, string>, at: string, lenient = false): Record<string, unknown> {
  return resolvePlanRefs(fields, (r: PlanRef) => {
    const u = urls[r.$ref];
    if (u !== undefined) return u;
    if (lenient) return FOREIGN_URL;
    throw new Error(`FailoverObjects: ${at} refers to ${r.$ref}, which has no URL (yet)`);
  }) as Record<string, unknown>;
}

/** Live values → stored form: this failover's URLs back to references, other Runlater URLs replaced by {@link FOREIGN_URL}. */
export function toRefs(v: unknown, urls: Record<string, string>): unknown {
  if (typeof v === "string") {
    for (const [key, u] of Object.entries(urls)) if (u === v) return { $ref: key, attr: key.startsWith("latch") ? "pingUrl" : "inboundUrl" };
    return RUNLATER_URL.test(v) ? FOREIGN_URL : v;
  }
  if (Array.isArray(v)) return v.map((x) => toRefs(x, urls));
  if (v && typeof v === "object" && !isPlanRef(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toRefs(x, urls)]));
  return v;
}

/** The managed fields of a per-object provider's outputs. */
function managedFields(kind: PlanObjectKind, outs: Record<string, unknown>): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  for (const k of KINDS[kind].keys) f[k] = outs[k];
  return f;
}

/** State so far, as the provider builds it while it works through the objects. */
class Recorder {
  readonly objects = new Map<string, RecordedObject>();
  readonly secrets: Record<string, Record<string, unknown>> = {};
  readonly urls: Record<string, string> = {};

  constructor(
    readonly order: string[],
    readonly scope: string | undefined,
  ) {}

  /** Records an object from its per-object provider's outputs. */
  live(key: PlanObjectKey, kind: PlanObjectKind, id: string, outs: Record<string, unknown>): void {
    const url = KINDS[kind].url(outs);
    if (url) this.urls[key] = url;
    const { pub, sec } = splitFields(kind, managedFields(kind, outs));
    this.objects.set(key, { key, kind, id, ...pub });
    if (Object.keys(sec).length > 0) this.secrets[key] = sec;
    else delete this.secrets[key];
  }

  /** Keeps an object as recorded before. */
  keep(o: RecordedObject, secrets: Record<string, unknown> | undefined, url: string | undefined): void {
    this.objects.set(o.key, o);
    if (secrets) this.secrets[o.key] = secrets;
    if (url) this.urls[o.key] = url;
  }

  drop(key: string): void {
    this.objects.delete(key);
    delete this.secrets[key];
    delete this.urls[key];
  }

  /** The outputs: references mapped back once every URL is known. */
  outputs(): FailoverObjectsOutputs {
    const keys = [...this.order.filter((k) => this.objects.has(k)), ...[...this.objects.keys()].filter((k) => !this.order.includes(k))];
    const objects = keys.map((k) => {
      const { id: _id, ...o } = this.objects.get(k)!;
      return toRefs(o, this.urls) as OutputObject;
    });
    const ids = Object.fromEntries(keys.map((k) => [k, this.objects.get(k)!.id]));
    const secrets = toRefs(this.secrets, this.urls) as Record<string, Record<string, unknown>>;
    const out: FailoverObjectsOutputs = { schemaVersion: SCHEMA_VERSION, objects, ids, secrets, urls: { ...this.urls } };
    if (this.scope !== undefined) out.idempotencyScope = this.scope;
    return out;
  }
}

/** The resource id: the first object's Runlater id (it never changes while the resource lives). */
function resourceId(r: Recorder, fallback?: string): string | undefined {
  return fallback ?? r.objects.get(r.order.find((k) => r.objects.has(k)) ?? "")?.id;
}

/** Error that keeps what was done: Pulumi records `properties` as the resource's outputs. */
function partial(message: string, id: string | undefined, r: Recorder, provider: unknown): Error {
  if (id === undefined) return new Error(message);
  return partialCreateError(message, id, { ...r.outputs(), ...(typeof provider === "string" ? { __provider: provider } : {}) });
}

/** The desired fields of `o`, resolved and normalised (as its per-object provider's check makes them). */
function desiredOf(o: StoredObject, secrets: FailoverObjectsInputs["secrets"] | undefined, urls: Record<string, string>, lenient = false): Record<string, unknown> {
  return KINDS[o.kind].normalize(resolveWith(rawFields(o, secrets), urls, o.key, lenient));
}

/** The provider. Holds no state of its own. */
export class FailoverObjectsProvider implements pulumi.dynamic.ResourceProvider<FailoverObjectsInputs, FailoverObjectsOutputs> {
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    storeProviderConfig(req.config);
  }

  /** Checks the list's form, then each object with its own provider's `check` (references stand in as a Runlater URL). */
  async check(_olds: FailoverObjectsInputs, news: FailoverObjectsInputs): Promise<pulumi.dynamic.CheckResult> {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    const objects = news?.objects;
    if (!Array.isArray(objects) || objects.length === 0) {
      return { inputs: news, failures: [{ property: "objects", reason: "must list the failover's Runlater objects" }] };
    }
    const origin = (() => {
      try {
        return new URL(effectiveConfig().apiUrl ?? "https://runlater.eu/api/v1").origin;
      } catch {
        return "https://runlater.eu";
      }
    })();
    const seen = new Set<string>();
    for (const [i, o] of objects.entries()) {
      const at = `objects[${i}]`;
      if (!o || typeof o !== "object" || typeof o.key !== "string" || !(o.kind in KINDS)) {
        failures.push({ property: at, reason: "must be { key, kind: endpoint | task | monitor, ... }" });
        continue;
      }
      if (seen.has(o.key)) failures.push({ property: `${at}.key`, reason: `${o.key} is listed twice` });
      const raw = rawFields(o, news.secrets);
      const stand = resolvePlanRefs(raw, (r: PlanRef) => {
        if (!seen.has(r.$ref)) failures.push({ property: at, reason: `refers to ${r.$ref}, which is not listed before it` });
        return r.attr === "pingUrl" ? `${origin}/ping/pm_${"0".repeat(32)}` : `${origin}/in/ep_${"0".repeat(32)}`;
      });
      seen.add(o.key);
      if (containsUnknown(stand)) continue;
      const r = await KINDS[o.kind as PlanObjectKind].provider.check!({}, stand);
      for (const f of r.failures ?? []) failures.push({ property: `${at}.${f.property}`, reason: f.reason });
    }
    return { inputs: news, failures };
  }

  async diff(_id: string, olds: FailoverObjectsOutputs, news: FailoverObjectsInputs): Promise<pulumi.dynamic.DiffResult> {
    if (containsUnknown(news.objects) || containsUnknown(news.secrets)) return { changes: true };
    const urls = olds.urls ?? {};
    const oldObjects = recordedObjects(olds);
    const before = new Map(oldObjects.map((o) => [o.key, o]));
    const wanted = new Set(news.objects.map((o) => o.key));
    let changes = oldObjects.some((o) => !wanted.has(o.key));
    for (const o of news.objects) {
      if (changes) break;
      const old = before.get(o.key);
      if (!old || old.gone || old.kind !== o.kind) {
        changes = true;
        break;
      }
      try {
        const desired = desiredOf(o, news.secrets, urls);
        const live = desiredOf(old, olds.secrets, urls, true);
        changes = changedKeys(live, desired, KINDS[o.kind].keys).length > 0;
      } catch {
        changes = true; // a reference to an object without a URL: update sorts it out
      }
    }
    return { changes, replaces: [], deleteBeforeReplace: false };
  }

  async create(inputs: FailoverObjectsInputs): Promise<pulumi.dynamic.CreateResult<FailoverObjectsOutputs>> {
    const r = new Recorder(inputs.objects.map((o) => o.key), inputs.idempotencyScope);
    await this.converge(inputs, r, new Map(), {}, undefined, (inputs as unknown as { __provider?: unknown }).__provider);
    return { id: resourceId(r)!, outs: r.outputs() };
  }

  async read(id: string, props?: FailoverObjectsOutputs): Promise<pulumi.dynamic.ReadResult<FailoverObjectsOutputs>> {
    const old = recordedObjects(props);
    const r = new Recorder(old.map((o) => o.key), props?.idempotencyScope);
    let alive = 0;
    for (const o of old) {
      const res = await KINDS[o.kind].provider.read!(o.id, undefined);
      if (!res.id || !res.props) {
        r.objects.set(o.key, { key: o.key, kind: o.kind, id: o.id, gone: true });
        continue;
      }
      alive++;
      r.live(o.key, o.kind, res.id, res.props as Record<string, unknown>);
    }
    if (old.length > 0 && alive === 0) return {};
    const outs = r.outputs();
    const inputs: FailoverObjectsInputs = {
      objects: outs.objects.filter((o) => !o.gone).map(({ gone: _g, ...o }) => o as StoredObject),
      secrets: outs.secrets,
    };
    if (outs.idempotencyScope !== undefined) inputs.idempotencyScope = outs.idempotencyScope;
    return { id, props: outs, inputs: inputs as FailoverObjectsOutputs };
  }

  async update(id: string, olds: FailoverObjectsOutputs, news: FailoverObjectsInputs): Promise<pulumi.dynamic.UpdateResult<FailoverObjectsOutputs>> {
    const r = new Recorder(news.objects.map((o) => o.key), news.idempotencyScope ?? olds.idempotencyScope);
    const before = new Map(recordedObjects(olds).map((o) => [o.key, o]));
    await this.converge(news, r, before, olds, id, (news as unknown as { __provider?: unknown }).__provider);
    return { outs: r.outputs() };
  }

  async delete(_id: string, props?: FailoverObjectsOutputs): Promise<void> {
    // Callers first (health checks and crons stop), the stored DNS requests last.
    const objects = recordedObjects(props).reverse();
    for (const o of objects) {
      const ops = KINDS[o.kind];
      if (ops) await ops.provider.delete!(o.id, undefined);
    }
  }

  /**
   * Brings every object of `news` to its desired state, in order: a missing (or gone) object is
   * created, a drifted one updated with the fields that differ; objects no longer wanted are
   * deleted last. On a failure, what is done so far is recorded (see {@link partial}).
   */
  private async converge(
    news: FailoverObjectsInputs,
    r: Recorder,
    before: Map<string, RecordedObject>,
    olds: Partial<FailoverObjectsOutputs>,
    id: string | undefined,
    provider: unknown,
  ): Promise<void> {
    const oldUrls = olds.urls ?? {};
    // Keep what exists until it is handled, so a failure part-way records it (and deletes it on destroy).
    for (const o of before.values()) if (!o.gone) r.keep(o, olds.secrets?.[o.key], oldUrls[o.key]);
    let current = "";
    try {
      for (const o of news.objects) {
        current = o.key;
        const ops = KINDS[o.kind];
        const desired = desiredOf(o, news.secrets, r.urls);
        const old = before.get(o.key);
        if (old && !old.gone && old.kind === o.kind) {
          const live = desiredOf(old, olds.secrets, oldUrls, true);
          // Unchanged (and its URL known): no call at all.
          if (changedKeys(live, desired, ops.keys).length === 0 && (ops.url === KINDS.task.url || oldUrls[o.key])) continue;
          try {
            const res = await ops.provider.update!(old.id, live, desired);
            r.live(o.key, o.kind, old.id, res.outs as Record<string, unknown>);
            continue;
          } catch (e) {
            // Deleted out of band since the last refresh: made again below.
            if (!isNotFound(e)) throw e;
            r.drop(o.key);
          }
        }
        if (old && !old.gone && old.kind !== o.kind) {
          await KINDS[old.kind].provider.delete!(old.id, undefined);
          r.drop(o.key);
        }
        // A re-created object gets its own create key (the old one's reply may be replayed otherwise).
        const scope = `${news.idempotencyScope ?? ""}/${o.key}${old ? `/after:${old.id}` : ""}`;
        const res = await ops.provider.create!({ ...desired, idempotencyScope: scope });
        r.live(o.key, o.kind, res.id, res.outs as Record<string, unknown>);
      }
      current = "";
      const wanted = new Set(news.objects.map((o) => o.key));
      for (const o of [...before.values()].reverse()) {
        if (wanted.has(o.key)) continue;
        current = o.key;
        if (!o.gone) await KINDS[o.kind].provider.delete!(o.id, undefined);
        r.drop(o.key);
      }
    } catch (e) {
      // A create that made its object but could not read the reply: keep its id.
      const made = e as { id?: unknown; properties?: Record<string, unknown> };
      const o = news.objects.find((x) => x.key === current);
      if (o && typeof made.id === "string" && !r.objects.has(o.key)) {
        r.objects.set(o.key, { key: o.key, kind: o.kind, id: made.id });
      }
      const msg = `${current ? `${current}: ` : ""}${(e as Error).message}`;
      throw partial(msg, resourceId(r, id), r, provider);
    }
  }
}

/** The single provider instance. */
export const failoverObjectsProvider = new FailoverObjectsProvider();
