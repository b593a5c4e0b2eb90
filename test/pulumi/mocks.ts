/**
 * Shared `pulumi.runtime.setMocks` set-up of the Pulumi unit tests (`*.mock.test.ts`): each test
 * file calls {@link installMocks} before it imports the library, as a user's test would.
 *
 * The mock engine answers every registration with the inputs as outputs, plus what the real
 * providers would add: `inboundUrl`/`endpointId` for a `ForwardEndpoint`, `pingUrl` for a
 * `HeartbeatMonitor`, `taskId` for a `HealthCheckTask`, and for a `FailoverObjects` (compact
 * layout) every object's id and URL by key.
 */
import * as pulumi from "@pulumi/pulumi";

/** One registration the engine received. */
export interface Registered {
  type: string;
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary input shapes
  inputs: Record<string, any>;
}

/** Pulumi's marker of a secret value in serialized inputs. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** The value inside a secret wrapper (or the value itself). */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary input shapes
export const unwrap = (v: any) => (v && typeof v === "object" && SECRET_SIG in v ? v.value : v);

/** Options of {@link installMocks}. */
export interface MockOptions {
  /** Give `cloudflare:` resources a valid-looking 32-hex id instead of `<name>-id`. @default false */
  cloudflareIds?: boolean;
}

/** The state the mock engine returns for a registration (see the module doc). */
export function mockState(a: pulumi.runtime.MockResourceArgs, options: MockOptions = {}): { id: string; state: Record<string, unknown> } {
  const state: Record<string, unknown> = { ...a.inputs };
  if (a.type.endsWith(":ForwardEndpoint")) {
    state.inboundUrl = `https://runlater.eu/in/ep_${a.name}`;
    state.endpointId = `${a.name}-id`;
  }
  if (a.type.endsWith(":HeartbeatMonitor")) state.pingUrl = `https://runlater.eu/ping/${a.name}`;
  if (a.type.endsWith(":HealthCheckTask")) state.taskId = `${a.name}-id`;
  if (a.type.endsWith(":FailoverObjects")) {
    const objects = unwrap(a.inputs.objects) as { key: string; kind: string }[];
    state.objects = objects;
    state.ids = Object.fromEntries(objects.map((o) => [o.key, `${o.key}-id`]));
    state.urls = Object.fromEntries(
      objects.filter((o) => o.kind !== "task").map((o) => [o.key, o.kind === "monitor" ? `https://runlater.eu/ping/${o.key}` : `https://runlater.eu/in/ep_${o.key}`]),
    );
  }
  const id = options.cloudflareIds && a.type.startsWith("cloudflare:") ? "c".repeat(32) : `${a.name}-id`;
  return { id, state };
}

/** Installs the mocks (project `proj`, stack `stack`); returns the list every registration is appended to. */
export function installMocks(options: MockOptions = {}): Registered[] {
  const registered: Registered[] = [];
  pulumi.runtime.setMocks(
    {
      newResource: (a: pulumi.runtime.MockResourceArgs) => {
        registered.push({ type: a.type, name: a.name, inputs: a.inputs });
        return mockState(a, options);
      },
      call: (a: pulumi.runtime.MockCallArgs) => a.inputs,
    },
    "proj",
    "stack",
    false,
  );
  return registered;
}

/** Resolves an Output (in a mocked program every value is known). */
export const value = <T>(o: pulumi.Output<T>) => new Promise<T>((r) => o.apply(r as (v: T) => void));

/** Waits until every child of a per-object failover is registered (children register as the URLs they refer to resolve). */
export const settle = (f: { children: Partial<Record<string, pulumi.Resource>> }) =>
  Promise.all(Object.values(f.children).map((c) => value((c as pulumi.Resource).urn)));

/** Runs `f` as a stack program (`runInPulumiStack`), so stack-level transformations apply. */
export const runInPulumiStack: (f: () => Promise<unknown>) => Promise<unknown> = (require("@pulumi/pulumi/runtime/stack") as { runInPulumiStack: (f: () => Promise<unknown>) => Promise<unknown> })
  .runInPulumiStack;
