/**
 * The Pulumi resources' creates use one Idempotency-Key per logical object (issue 11 §2): scoped
 * by project/stack/type/name (set by the resource), stable across runs, and safe for a
 * replacement with unchanged inputs (whose create gets the old object back from the replay).
 */
import * as pulumi from "@pulumi/pulumi";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { clearProviderConfig, ForwardEndpointProvider, HeartbeatMonitor, HeartbeatMonitorProvider } from "../../lib/pulumi";
import { closeAllPools, wasAdoptedByReplay } from "../../lib/runlater";

const API_KEY = "pk_test_scope.sk_test_scope_secret_0007";
const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
pulumi.runtime.setMocks(
  {
    newResource: (a) => {
      registered.push({ type: a.type, name: a.name, inputs: a.inputs });
      return { id: `${a.name}-id`, state: a.inputs };
    },
    call: (a) => a.inputs,
  },
  "proj",
  "dev",
  false,
);

let emu: Emulator;
const endpoint = new ForwardEndpointProvider();
const monitor = new HeartbeatMonitorProvider();

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [API_KEY], allowPrivateTargets: true, rateLimit: false });
  await endpoint.configure({ config: { get: (k: string) => ({ "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl })[k] } } as never);
});
afterAll(async () => {
  clearProviderConfig();
  await emu.close();
  await closeAllPools();
});

async function inputsOf(p: { check?: (o: never, n: never) => Promise<{ inputs?: unknown }> }, raw: object) {
  return (await p.check!({} as never, raw as never)).inputs as never;
}

const epRaw = (scope: string) => ({ name: "same-spec", forwardUrls: ["https://example.com/x"], idempotencyScope: scope });

describe("the scope a resource sets", () => {
  it("is <project>/<stack>/<type>/<name>, and check keeps it", async () => {
    new HeartbeatMonitor("nightly", { intervalSeconds: 3600 });
    await new Promise((r) => setImmediate(r));
    const reg = registered.find((r) => r.name === "nightly");
    expect(reg?.inputs.idempotencyScope).toBe("proj/dev/HeartbeatMonitor/nightly");
    const checked = (await inputsOf(monitor, { name: "n", intervalSeconds: 3600, idempotencyScope: "proj/dev/HeartbeatMonitor/nightly" })) as Record<string, unknown>;
    expect(checked.idempotencyScope).toBe("proj/dev/HeartbeatMonitor/nightly");
  });
});

describe("provider creates", () => {
  const live = () => emu.endpoints().filter((e) => e.name === "same-spec");

  it("two stacks with byte-identical specs get two objects (the scope keeps their keys apart)", async () => {
    const a = await endpoint.create(await inputsOf(endpoint, epRaw("proj/prod/ForwardEndpoint/web")));
    const b = await endpoint.create(await inputsOf(endpoint, epRaw("proj/staging/ForwardEndpoint/web")));
    expect(a.id).not.toBe(b.id);
    expect(live()).toHaveLength(2);
    await endpoint.delete(a.id);
    await endpoint.delete(b.id);
    expect(live()).toHaveLength(0);
  });

  it("a replacement with unchanged inputs (create, then delete of the old id) keeps the object the new resource got back", async () => {
    const inputs = await inputsOf(endpoint, epRaw("proj/dev/ForwardEndpoint/web"));
    const old = await endpoint.create(inputs);
    await emu.advance(60_000);
    // `pulumi up --replace`: create-before-delete with the same inputs → the replay returns `old`.
    const replacement = await endpoint.create(inputs);
    expect(replacement.id).toBe(old.id);
    expect(wasAdoptedByReplay(old.id)).toBe(true);
    await endpoint.delete(old.id);
    expect(live().map((e) => e.id)).toEqual([old.id]);
    // Clean up past the guard (a later run is another process).
    await fetch(`${emu.runlaterApiUrl}/endpoints/${old.id}`, { method: "DELETE", headers: { authorization: `Bearer ${API_KEY}` } });
    expect(live()).toHaveLength(0);
  });
});
