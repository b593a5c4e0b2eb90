/**
 * A minimal in-process deployment engine for Pulumi programs that use runlater-iac: it installs
 * Pulumi mocks whose `newResource` runs the REAL dynamic provider code (deserialized from the
 * `__provider` closure, exactly as the provider process would) against the configured Runlater
 * API. It needs no Pulumi CLI, so the demo, the end-to-end tests and the benchmarks can deploy a
 * `DnsFailover` offline against the emulator.
 *
 * State lives in memory for the engine's lifetime: constructing a resource again under the same
 * type and name runs the provider's `diff` against the stored outputs and then nothing (no
 * changes), `update`, or a create-before-delete replacement, as `pulumi up` would. It keeps no
 * state file and is not a replacement for `pulumi up`, which the real-engine tests run.
 */
import * as pulumi from "@pulumi/pulumi";
import requireFromString from "require-from-string";

/** One resource the local engine created. */
export interface LocalResource {
  /** Pulumi type token, e.g. `pulumi-nodejs:dynamic/runlater:ForwardEndpoint`. */
  type: string;
  /** Pulumi resource name. */
  name: string;
  /** Provider-assigned id (empty for components). */
  id: string;
  /** Outputs the provider returned. */
  outputs: Record<string, unknown>;
}

/** Options of {@link startLocalEngine}. */
export interface LocalEngineOptions {
  /** Stack config the providers' `configure` sees, e.g. `{ "runlater:apiKey": "…" }`. */
  config?: Record<string, string>;
  /** Project name. @default "local" */
  project?: string;
  /** Stack name. @default "dev" */
  stack?: string;
  /** Called once per created resource (progress output). */
  onCreate?: (r: LocalResource) => void;
  /** Called once per updated or replaced resource (progress output). */
  onUpdate?: (r: LocalResource, how: "update" | "replace") => void;
}

/** The running local engine. */
export interface LocalEngine {
  /** Resources created so far, in creation order. */
  readonly resources: LocalResource[];
  /** Deletes every created dynamic resource, newest first, through its provider's `delete`. */
  destroy(): Promise<void>;
  /** Resolves an Output to its value (fails on unknowns). */
  value<T>(o: pulumi.Input<T>): Promise<T>;
}

type Provider = pulumi.dynamic.ResourceProvider;

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Strips Pulumi's secret wrappers, as the engine does before calling a dynamic provider. */
function unwrapSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (SECRET_SIG in o && "value" in o) return unwrapSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
  }
  return v;
}

/**
 * A plain copy of `v` made of this realm's arrays and objects. The provider is loaded with the
 * runtime's own `require`, which under a sandboxing test runner (jest's vm contexts) is another
 * realm: its arrays fail `instanceof Array` here, and Pulumi's mock serialization would turn them
 * into objects keyed "0", "1", ….
 */
function ownRealm(v: unknown): unknown {
  if (Array.isArray(v)) return Array.from(v, ownRealm);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, ownRealm(x)]));
  return v;
}

/** Installs the mocks; construct your resources after this call. */
export function startLocalEngine(options: LocalEngineOptions = {}): LocalEngine {
  const cfg = options.config ?? {};
  const providers = new Map<string, Provider>();
  const created: { r: LocalResource; provider?: Provider; inputs?: Record<string, unknown> }[] = [];
  const configObj = {
    get: (k: string) => cfg[k],
    require: (k: string) => {
      const v = cfg[k];
      if (v === undefined) throw new Error(`missing config ${k}`);
      return v;
    },
  };
  const load = async (text: string): Promise<Provider> => {
    let p = providers.get(text);
    if (!p) {
      p = requireFromString(text).handler() as Provider;
      providers.set(text, p);
      if (p.configure) await p.configure({ config: configObj } as unknown as pulumi.dynamic.ConfigureRequest);
    }
    return p;
  };

  pulumi.runtime.setMocks(
    {
      newResource: async (args: pulumi.runtime.MockResourceArgs) => {
        const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
        const text = inputs.__provider as string | undefined;
        if (!args.type.startsWith("pulumi-nodejs:dynamic") || typeof text !== "string") {
          const r: LocalResource = { type: args.type, name: args.name, id: args.id ?? `${args.name}-id`, outputs: inputs };
          if (!created.some((c) => c.r.type === r.type && c.r.name === r.name)) {
            created.push({ r });
            options.onCreate?.(r);
          }
          return { id: r.id, state: inputs };
        }
        delete inputs.__provider;
        const provider = await load(text);
        let news = inputs;
        if (args.id) {
          // `X.get(name, id)`: the engine reads the object; it runs neither check nor create.
          const read = await provider.read!(args.id, inputs);
          return { id: read.id ?? args.id, state: ownRealm(read.props ?? {}) as Record<string, unknown> };
        }
        if (provider.check) {
          const checked = await provider.check({}, inputs);
          if (checked.failures && checked.failures.length > 0) {
            throw new Error(
              `${args.type} ${args.name}: invalid inputs:\n${checked.failures
                .map((f) => `  - ${f.property}: ${f.reason}`)
                .join("\n")}`,
            );
          }
          news = (checked.inputs ?? inputs) as Record<string, unknown>;
        }
        const prior = created.find((c) => c.provider && c.r.type === args.type && c.r.name === args.name);
        if (prior) {
          // A second construction of the same resource: what `pulumi up` does with existing state.
          const d = provider.diff ? await provider.diff(prior.r.id, prior.r.outputs, news) : { changes: true };
          if (d.changes === false) return { id: prior.r.id, state: prior.r.outputs };
          if (d.replaces && d.replaces.length > 0) {
            const res = await provider.create(news);
            await prior.provider!.delete?.(prior.r.id, prior.r.outputs);
            prior.r = { type: args.type, name: args.name, id: res.id, outputs: ownRealm(res.outs ?? {}) as Record<string, unknown> };
            prior.provider = provider;
            prior.inputs = news;
            options.onUpdate?.(prior.r, "replace");
            return { id: res.id, state: prior.r.outputs };
          }
          const up = provider.update ? await provider.update(prior.r.id, prior.r.outputs, news) : { outs: news };
          prior.r = { ...prior.r, outputs: ownRealm(up.outs ?? {}) as Record<string, unknown> };
          prior.provider = provider;
          prior.inputs = news;
          options.onUpdate?.(prior.r, "update");
          return { id: prior.r.id, state: prior.r.outputs };
        }
        const res = await provider.create(news);
        const r: LocalResource = {
          type: args.type,
          name: args.name,
          id: res.id,
          outputs: ownRealm(res.outs ?? {}) as Record<string, unknown>,
        };
        created.push({ r, provider, inputs: news });
        options.onCreate?.(r);
        return { id: res.id, state: r.outputs };
      },
      call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
    },
    options.project ?? "local",
    options.stack ?? "dev",
    false,
  );

  return {
    get resources() {
      return created.map((c) => c.r);
    },
    async destroy() {
      for (const c of [...created].reverse()) {
        if (c.provider?.delete) await c.provider.delete(c.r.id, c.r.outputs);
      }
      created.length = 0;
    },
    value<T>(o: pulumi.Input<T>): Promise<T> {
      return new Promise<T>((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
    },
  };
}
