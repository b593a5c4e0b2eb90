/**
 * The `FailoverObjects` provider (`resources: "compact"`) called directly against the emulator:
 * create in plan order, no-op diff, drift repair, out-of-band deletes, a create that fails part
 * way, a layout change, delete, and what its state holds (no inbound URL outside `urls`, no
 * credential outside `secrets`).
 */
import { type Emulator, startEmulator } from "../../lib/emulator";
import { planFailover } from "../../lib/failover/plan";
import { clearProviderConfig } from "../../lib/pulumi";
import { publicObjects, secretFields } from "../../lib/pulumi/failover-objects";
import {
  FailoverObjectsProvider,
  type FailoverObjectsInputs,
  type FailoverObjectsOutputs,
  FOREIGN_URL,
} from "../../lib/pulumi/failover-objects-provider";
import { closeAllPools, RunlaterClient } from "../../lib/runlater";

const API_KEY = "pk_test_fobj.sk_test_failover_objects_0001";
const CF_TOKEN = "cfFailoverObjectsToken0123456789abcdefAB";
const PRIMARY = "198.51.100.10";
const BACKUP = "203.0.113.50";

let emu: Emulator;
let client: RunlaterClient;
const provider = new FailoverObjectsProvider();
let zoneId: string;
let records = 0;

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [API_KEY], allowPrivateTargets: true, dns: { cloudflare: { tokens: [CF_TOKEN] } } });
  client = new RunlaterClient({ apiKey: API_KEY, baseUrl: emu.runlaterApiUrl });
  await provider.configure({
    config: { get: (k: string) => ({ "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl, "runlater:allowPrivateTargets": "true" })[k] },
  } as never);
  zoneId = emu.dns("cloudflare").addZone({ name: "example.com" });
});
afterAll(async () => {
  clearProviderConfig();
  await emu.close();
  await closeAllPools();
});
beforeEach(() => emu.faults.clear());

/** Inputs for a fresh record, as `DnsFailover` makes them. */
function inputsFor(opts: { failback?: "auto" | "manual"; retryAttempts?: number } = {}): { inputs: FailoverObjectsInputs; token: string; content: () => string | undefined } {
  const cf = emu.dns("cloudflare");
  const token = CF_TOKEN;
  const name = `r${++records}.example.com`;
  const recordId = cf.addRecord(zoneId, { name, type: "A", content: PRIMARY, ttl: 60, proxied: false });
  const plan = planFailover({
    name: `f${records}`,
    healthCheck: { url: emu.target("primary").url },
    primary: PRIMARY,
    backup: BACKUP,
    failback: opts.failback,
    retryAttempts: opts.retryAttempts,
    dns: { provider: "cloudflare", zoneId, recordId, name, type: "A", ttl: 60, apiToken: token, apiBaseUrl: emu.cloudflareApiUrl },
  });
  expect(plan.errors).toEqual([]);
  const inputs = JSON.parse(JSON.stringify({ objects: publicObjects(plan), secrets: secretFields(plan), idempotencyScope: `p/s/FailoverObjects/f${records}` }));
  return { inputs, token, content: () => cf.getRecord(zoneId, recordId)?.content };
}

const objectsLeft = () => emu.stats().objects.tasks + emu.stats().objects.endpoints + emu.monitors().length;
const idOf = (outs: FailoverObjectsOutputs, key: string) => outs.ids[key]!;

describe("FailoverObjects provider", () => {
  it("creates the 8 objects in plan order with 8 calls; its state keeps references, not URLs, and credentials only in `secrets`", async () => {
    const { inputs, token, content } = inputsFor();
    expect((await provider.check({} as never, inputs)).failures).toEqual([]);
    emu.resetStats();
    const { id, outs } = await provider.create(inputs);
    expect(emu.stats().requests.total).toBe(8);
    expect(outs!.objects.map((o) => o.key)).toEqual(["failover", "recovery", "latch", "latch2", "relay", "probe", "health", "pulse"]);
    expect(id).toBe(idOf(outs!, "failover"));
    // Ids are an output of their own (a preview of an update keeps them; `objects` is also an input).
    expect(Object.keys(outs!.ids)).toEqual(outs!.objects.map((o) => o.key));
    expect(outs!.objects.some((o) => "id" in o)).toBe(false);
    expect(Object.keys(outs!.urls).sort()).toEqual(["failover", "latch", "latch2", "probe", "recovery", "relay"]);
    // No URL of the failover's own objects outside `urls`; the token only in `secrets`.
    const { urls, ...rest } = outs!;
    for (const u of Object.values(urls)) expect(JSON.stringify(rest)).not.toContain(u);
    expect(JSON.stringify(outs!.objects)).not.toContain(token);
    expect(JSON.stringify(inputs.objects)).not.toContain(token);
    expect(JSON.stringify(outs!.secrets)).toContain(token);
    const pulse = outs!.objects.find((o) => o.key === "pulse")!;
    expect(pulse.url).toEqual({ $ref: "probe", attr: "inboundUrl" });
    // The live wiring holds the real URLs.
    const live = await client.getTask(idOf(outs!, "pulse"));
    expect(live.url).toBe(urls.probe);
    // A no-op: no change, no call.
    emu.resetStats();
    expect((await provider.diff(id, outs!, inputs)).changes).toBe(false);
    const u = await provider.update(id, outs!, inputs);
    expect(emu.stats().requests.total).toBe(0);
    expect(u.outs).toEqual(outs);
    // It fails over and back.
    emu.target("primary").set("fail");
    for (let i = 0; i < 3 && content() !== BACKUP; i++) await emu.advance(60_000);
    expect(content()).toBe(BACKUP);
    emu.target("primary").set("ok");
    for (let i = 0; i < 3 && content() !== PRIMARY; i++) await emu.advance(60_000);
    expect(content()).toBe(PRIMARY);
    emu.resetStats();
    const before = objectsLeft();
    await provider.delete(id, outs!);
    expect(emu.stats().requests.total).toBe(8);
    expect(objectsLeft()).toBe(before - 8);
  });

  it("refresh finds drift and out-of-band deletes; one update repairs both, re-pointing what referred to a re-made object", async () => {
    const { inputs } = inputsFor();
    const { id, outs } = await provider.create(inputs);
    // Drift: retries of the failover endpoint; a foreign URL on the relay's failure hook.
    await client.updateEndpoint(idOf(outs!, "failover"), { retryAttempts: 7 });
    const foreign = await client.createEndpoint({ name: "foreign", forwardUrls: ["https://example.com/x"] });
    await client.updateEndpoint(idOf(outs!, "relay"), { onFailureUrl: foreign.inboundUrl });
    // Deleted: the probe (the pulse refers to its inbound URL).
    await client.deleteEndpoint(idOf(outs!, "probe"));
    emu.resetStats();
    const read = await provider.read(id, outs!);
    expect(emu.stats().requests.total).toBe(8);
    const refreshed = read.props!;
    expect(refreshed.objects.find((o) => o.key === "probe")).toMatchObject({ gone: true });
    expect(refreshed.objects.find((o) => o.key === "failover")).toMatchObject({ retryAttempts: 7 });
    // The foreign URL is not stored.
    expect(JSON.stringify(refreshed)).not.toContain(foreign.inboundUrl);
    expect(refreshed.objects.find((o) => o.key === "relay")!.onFailureUrl).toBe(FOREIGN_URL);
    expect(read.inputs!.objects.map((o) => o.key)).not.toContain("probe");
    expect((await provider.diff(id, refreshed, inputs)).changes).toBe(true);
    emu.resetStats();
    const u = await provider.update(id, refreshed, inputs);
    // failover PATCH, relay PATCH, probe POST, pulse PATCH (its URL is the new probe's).
    expect(emu.stats().requests.total).toBe(4);
    const outs2 = u.outs!;
    expect(idOf(outs2, "probe")).not.toBe(idOf(outs!, "probe"));
    expect((await client.getTask(idOf(outs2, "pulse"))).url).toBe(outs2.urls.probe);
    expect((await client.getEndpoint(idOf(outs2, "failover"))).retryAttempts).toBe(0);
    expect((await client.getEndpoint(idOf(outs2, "relay"))).onFailureUrl).toBeNull();
    // Converged: the next refresh and diff find nothing.
    const again = await provider.read(id, outs2);
    expect((await provider.diff(id, again.props!, inputs)).changes).toBe(false);
    // An object deleted since the last refresh: the update makes it again instead of failing.
    await client.deleteEndpoint(idOf(outs2, "recovery"));
    const changed = JSON.parse(JSON.stringify(inputs)) as FailoverObjectsInputs;
    changed.objects.find((o) => o.key === "recovery")!.retryAttempts = 4;
    const u2 = await provider.update(id, outs2, changed);
    const rec = await client.getEndpoint(idOf(u2.outs!, "recovery"));
    expect(rec.retryAttempts).toBe(4);
    expect((await client.getTask(idOf(u2.outs!, "health"))).onRecoveryUrl).not.toBe(outs2.urls.recovery);
    await provider.delete(id, u2.outs!);
    await client.deleteEndpoint(foreign.id);
    // Everything read as gone: the resource is gone.
    expect(await provider.read(id, u2.outs!)).toEqual({});
  });

  it("a create that fails part way records what it made; the next update makes the rest, without duplicates", async () => {
    const { inputs } = inputsFor();
    const before = objectsLeft();
    emu.faults.add({ route: "runlater.monitors.create", status: 422, body: { errors: { detail: "nope" } }, times: 1 });
    const err = (await provider.create(inputs).catch((e: unknown) => e)) as Error & { id?: string; properties?: FailoverObjectsOutputs };
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^latch: /);
    expect(err.properties!.objects.map((o) => o.key)).toEqual(["failover", "recovery"]);
    expect(err.id).toBe(idOf(err.properties!, "failover"));
    expect(objectsLeft()).toBe(before + 2);
    emu.resetStats();
    const u = await provider.update(err.id!, err.properties!, inputs);
    expect(emu.stats().requests.total).toBe(6);
    expect(objectsLeft()).toBe(before + 8);
    expect(u.outs!.objects).toHaveLength(8);
    await provider.delete(err.id!, u.outs!);
    expect(objectsLeft()).toBe(before);
  });

  it("a create whose reply is lost on every attempt is found again by its key on the next run", async () => {
    const { inputs } = inputsFor();
    const before = objectsLeft();
    emu.faults.add({ route: "runlater.endpoints.create", kind: "drop", after: true, times: 50 });
    await expect(provider.create(inputs)).rejects.toThrow(/^failover: /);
    emu.faults.clear();
    // The first endpoint was made; its reply never arrived.
    expect(objectsLeft()).toBe(before + 1);
    const again = await provider.create(inputs);
    expect(objectsLeft()).toBe(before + 8);
    await provider.delete(again.id, again.outs!);
    expect(objectsLeft()).toBe(before);
  });

  it("a layout change (manual failback) deletes the objects no longer wanted, after the rest are updated", async () => {
    const a = inputsFor();
    const { id, outs } = await provider.create(a.inputs);
    const before = objectsLeft();
    // Same record, manual failback: no recovery, restore or latches.
    const manual = JSON.parse(JSON.stringify(a.inputs)) as FailoverObjectsInputs;
    manual.objects = manual.objects.filter((o) => !["recovery", "latch", "latch2"].includes(o.key));
    manual.objects.find((o) => o.key === "relay")!.forwardUrls = undefined;
    manual.secrets.relay = { forwardUrls: [{ $ref: "failover", attr: "inboundUrl" }] };
    delete manual.objects.find((o) => o.key === "relay")!.onFailureUrl;
    delete manual.objects.find((o) => o.key === "health")!.onRecoveryUrl;
    expect((await provider.diff(id, outs!, manual)).changes).toBe(true);
    const u = await provider.update(id, outs!, manual);
    expect(u.outs!.objects.map((o) => o.key)).toEqual(["failover", "relay", "probe", "health", "pulse"]);
    expect(objectsLeft()).toBe(before - 3);
    expect((await client.getTask(idOf(u.outs!, "health"))).onRecoveryUrl).toBeNull();
    await provider.delete(id, u.outs!);
  });

  it("check names the object and field of every bad input", async () => {
    const { inputs } = inputsFor();
    const bad = JSON.parse(JSON.stringify(inputs)) as FailoverObjectsInputs;
    bad.objects[0]!.retryAttempts = 99;
    bad.objects.push({ key: "pulse", kind: "task" } as never);
    bad.objects.push({ key: "x", kind: "nope" } as never);
    const r = await provider.check({} as never, bad);
    const props = r.failures!.map((f) => f.property);
    expect(props).toContain("objects[0].retryAttempts");
    expect(props).toContain("objects[8].key");
    expect(props).toContain("objects[9]");
    expect((await provider.check({} as never, { objects: [] } as never)).failures).toEqual([{ property: "objects", reason: expect.any(String) }]);
  });
});
