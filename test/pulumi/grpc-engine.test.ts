/**
 * The real dynamic-provider server from @pulumi/pulumi, driven over gRPC as the engine drives it,
 * with inputs captured from a mocked program (the serialized `__provider` included), against the
 * emulator.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { closeAllPools } from "../../lib/runlater";
import { type Emulator, startEmulator } from "../../lib/emulator";
import { type DynamicProviderServer, startDynamicProviderServer } from "../support/dynamic-provider-server";

const ROOT = path.join(__dirname, "..", "..");
const API_KEY = "pk_test_grpc.sk_test_grpc_secret_value_123";
const DNS_TOKEN = "cf-grpc-token-secret-999";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** The engine strips secret markers before calling a provider that does not accept secrets. */
function stripSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripSecrets);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (SECRET_SIG in o) return stripSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, stripSecrets(x)]));
  }
  return v;
}

function capture(spec: unknown): { type: string; name: string; inputs: Record<string, unknown> }[] {
  const out = execFileSync(process.execPath, [path.join(ROOT, "test/support/capture-program.js"), JSON.stringify(spec)], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return JSON.parse(out);
}

describe("dynamic provider over gRPC (engine protocol)", () => {
  let emu: Emulator;
  let server: DynamicProviderServer;

  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: [API_KEY], allowPrivateTargets: true });
    server = await startDynamicProviderServer({ RUNLATER_API_KEY: "", RUNLATER_API_URL: "" });
    // The engine sends the whole stack config, secrets decrypted.
    await server.configure({ "runlater:apiKey": API_KEY, "runlater:apiUrl": emu.runlaterApiUrl });
  });
  afterAll(async () => {
    await server?.close();
    await emu?.close();
    await closeAllPools();
  });

  it("runs Check → Create → Diff → Read → Update → Delete for a ForwardEndpoint", async () => {
    const [ep] = capture([
      {
        kind: "ForwardEndpoint",
        name: "flip",
        args: {
          forwardUrls: [`${emu.cloudflareApiUrl}/zones/z/dns_records/r`],
          forwardHeaders: { Authorization: `Bearer ${DNS_TOKEN}` },
          forwardBody: { content: "203.0.113.50" },
          forwardMethod: "PATCH",
        },
        secretArgs: ["forwardHeaders"],
      },
    ]);
    const urn = "urn:pulumi:dev::capture::pulumi-nodejs:dynamic/runlater:ForwardEndpoint::flip";
    expect(ep.type).toBe("pulumi-nodejs:dynamic/runlater:ForwardEndpoint");
    const provider = ep.inputs.__provider as string;
    expect(typeof provider).toBe("string");
    expect(provider).not.toContain(API_KEY);
    expect(provider).not.toContain(DNS_TOKEN);

    const news = stripSecrets(ep.inputs) as Record<string, unknown>;
    const checked = await server.check(urn, {}, news);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs.forwardBody).toBe('{"content":"203.0.113.50"}');
    expect(checked.inputs.retryAttempts).toBe(3);
    expect(checked.inputs.__provider).toBe(provider);

    emu.resetStats();
    const created = await server.create(urn, checked.inputs);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.properties.inboundUrl).toMatch(new RegExp(`^${emu.url}/in/ep_[A-Za-z0-9_-]{32}$`));
    expect(created.properties.__provider).toBe(provider);
    expect(emu.stats().requests.total).toBe(1);

    // A no-op diff makes no API call and reports no change, even with a different __provider.
    emu.resetStats();
    const noop = await server.diff(urn, created.id, created.properties, { ...checked.inputs, __provider: `${provider}\n// v2` });
    expect(noop.changes).toBe(1); // DIFF_NONE
    expect(emu.stats().requests.total).toBe(0);

    const changedNews = { ...checked.inputs, forwardBody: '{"content":"203.0.113.51"}' };
    const some = await server.diff(urn, created.id, created.properties, changedNews);
    expect(some.changes).toBe(2); // DIFF_SOME
    expect(some.replaces).toEqual([]);

    // `ForwardEndpoint.get(name, id)`: the engine reads with only what the program registered
    // (`__provider`, no inputs) — one GET, full outputs.
    emu.resetStats();
    const viaGet = await server.read(urn, created.id, { __provider: provider });
    expect(viaGet.id).toBe(created.id);
    expect(viaGet.properties.inboundUrl).toBe(created.properties.inboundUrl);
    expect(viaGet.properties.forwardUrls).toEqual(created.properties.forwardUrls);
    expect(emu.stats().requests.byMethodPath).toEqual({ "GET /api/v1/endpoints/:id": 1 });

    emu.resetStats();
    const read = await server.read(urn, created.id, created.properties);
    expect(read.id).toBe(created.id);
    expect(read.properties.forwardBody).toBe('{"content":"203.0.113.50"}');
    expect(read.inputs?.forwardBody).toBe('{"content":"203.0.113.50"}');
    expect(emu.stats().requests.total).toBe(1);

    emu.resetStats();
    const updated = await server.update(urn, created.id, created.properties, changedNews);
    expect(updated.properties.forwardBody).toBe('{"content":"203.0.113.51"}');
    expect(updated.properties.inboundUrl).toBe(created.properties.inboundUrl);
    expect(emu.stats().requests.total).toBe(1);

    await server.delete(urn, created.id, updated.properties);
    const gone = await server.read(urn, created.id, updated.properties);
    expect(gone.id).toBe("");
    // Deleting again (already gone) succeeds.
    await server.delete(urn, created.id, updated.properties);
  });

  it("reports Check failures per field and accepts the preview unknown sentinel", async () => {
    const [t] = capture([{ kind: "HealthCheckTask", name: "h", args: { url: "https://example.com/health" } }]);
    const urn = "urn:pulumi:dev::capture::pulumi-nodejs:dynamic/runlater:HealthCheckTask::h";
    const bad = await server.check(urn, {}, { ...t.inputs, cron: "* * *", timeoutMs: 5, method: "FETCH" });
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["cron", "method", "timeoutMs"]);
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const preview = await server.check(urn, {}, { ...t.inputs, url: unknown, onFailureUrl: unknown });
    expect(preview.failures).toEqual([]);
  });

  it("a HealthCheckTask round-trips create → refresh with no drift → out-of-band edit shows as drift", async () => {
    const [t] = capture([
      {
        kind: "HealthCheckTask",
        name: "health",
        args: { url: "https://example.com/health", expectedStatusCodes: [200, 204], cron: "*/5 * * * *" },
      },
    ]);
    const urn = "urn:pulumi:dev::capture::pulumi-nodejs:dynamic/runlater:HealthCheckTask::health";
    const checked = await server.check(urn, {}, t.inputs);
    expect(checked.failures).toEqual([]);
    const created = await server.create(urn, checked.inputs);
    expect(created.properties.expectedStatusCodes).toEqual([200, 204]);
    const refreshed = await server.read(urn, created.id, created.properties);
    const again = await server.diff(urn, created.id, refreshed.properties, checked.inputs);
    expect(again.changes).toBe(1); // no perpetual diff after a refresh

    // Out-of-band: someone changes the schedule in the Runlater UI.
    const task = emu.tasks().find((x) => x.id === created.id)!;
    expect(task).toBeDefined();
    await fetch(`${emu.runlaterApiUrl}/tasks/${created.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ cron_expression: "0 * * * *" }),
    });
    const drifted = await server.read(urn, created.id, created.properties);
    expect(drifted.properties.cron).toBe("0 * * * *");
    const repair = await server.diff(urn, created.id, drifted.properties, checked.inputs);
    expect(repair.changes).toBe(2);
    const fixed = await server.update(urn, created.id, drifted.properties, checked.inputs);
    expect(fixed.properties.cron).toBe("*/5 * * * *");
    await server.delete(urn, created.id, fixed.properties);
    expect(server.stderr()).not.toContain(API_KEY);
  });
});
